/* import_files.c: an import's input: lines read from (maybe gzipped) files, cut into batches, parsed by a thread pool, applied in file order. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"
#include "gzin.h"
#include "import_int.h"

/*
 * LMDB wants its write transaction on one thread, and reading (inflate),
 * parsing and encoding are most of the work. So a reader thread inflates
 * and cuts lines into batches, parser threads turn batches into structs
 * and encoded work records, and the calling thread applies the batches
 * strictly in file order: the store, the messages and the counts are the
 * same whatever the number of threads. A batch goes round the ring
 * free -> filled (reader) -> parsing -> parsed (parser) -> free (applier).
 */

/* ---- reading lines ------------------------------------------------------ */

struct lines {
	struct gzin *f;
	char  *buf;
	size_t cap, beg, end, scan;
	int    eof, skipping;
};

#define LINES_START (1u << 20)

/*
 * Next line of l (without its newline) in *p, *n: 1, or 0 at the end, or
 * -1 on a read error. A line longer than OA_LINE_MAX comes back empty with
 * *toolong set, after its bytes were skipped.
 */
static int
lines_next(struct lines *l, const char **p, size_t *n, int *toolong)
{
	char *nl;
	int r;

	*toolong = 0;
	for (;;) {
		nl = l->scan < l->end ?
		    memchr(l->buf + l->scan, '\n', l->end - l->scan) : NULL;
		if (nl != NULL || (l->eof && (l->beg < l->end || l->skipping))) {
			size_t at = nl ? (size_t)(nl - l->buf) : l->end;

			*p = l->buf + l->beg;
			*n = at - l->beg;
			if (l->skipping) {
				*n = 0;
				*toolong = 1;
				l->skipping = 0;
			}
			l->beg = l->scan = nl ? at + 1 : at;
			return 1;
		}
		if (l->eof)
			return 0;
		l->scan = l->end;
		if (l->beg > 0) {
			memmove(l->buf, l->buf + l->beg, l->end - l->beg);
			l->end -= l->beg;
			l->scan -= l->beg;
			l->beg = 0;
		}
		if (l->end == l->cap) {
			if (l->cap > OA_LINE_MAX) {
				/* Drop the long line's bytes up to its end. */
				l->skipping = 1;
				l->end = l->scan = 0;
			} else {
				l->cap = l->cap * 2 > OA_LINE_MAX + 1 ?
				    OA_LINE_MAX + 1 : l->cap * 2;
				l->buf = xrealloc(l->buf, l->cap);
			}
		}
		r = gzin_read(l->f, l->buf + l->end, l->cap - l->end);
		if (r < 0)
			return -1;
		if (r == 0)
			l->eof = 1;
		l->end += (size_t)r;
	}
}

static int
blank(const char *p, size_t n)
{
	while (n--)
		if (p[n] != ' ' && p[n] != '\t' && p[n] != '\r')
			return 0;
	return 1;
}

/*
 * Counts a bad line and logs it as "file:line: reason" (once, even when
 * the transaction runs again). Returns STORE_INVALID under --strict, else 0.
 */
int
imp_bad_line(struct imp *m, const char *path, uint64_t lineno, const char *why)
{
	const char *c;

	m->rep.bad_lines++;
	if (++m->bad_seen > m->reported) {
		m->reported = m->bad_seen;
		imp_log_line(m);
		fprintf(m->o->log, "%s:%llu: ", path, (unsigned long long)lineno);
		/* jansson's reasons may quote input: printable ASCII only. */
		for (c = why; *c; c++)
			fputc(*c >= 0x20 && *c < 0x7f ? *c : '?', m->o->log);
		fputc('\n', m->o->log);
	}
	return m->o->strict ? STORE_INVALID : 0;
}

/* ---- batches and the thread pool ---------------------------------------------- */

#define BATCH_LINES 64
#define BATCH_BYTES ((size_t)1 << 20)
#define SMALL_FILE ((off_t)1 << 20)   /* parsed in place unless told */

enum { B_FREE, B_FILLED, B_PARSING, B_PARSED };

struct slot {                 /* one line of a batch */
	size_t off, len;          /* in batch.text */
	uint64_t lineno;
	int toolong, rc;
	struct buf err;
	struct buf rec;           /* for work files: the encoded record */
	struct oa_work w;         /* for work files */
	struct oa_author a;       /* for author files */
};

struct batch {
	int state;
	struct buf text;
	struct slot s[BATCH_LINES];
	size_t n;
	struct store_author_ref *arefs;   /* encoding scratch */
	struct store_topic_ref *trefs;
	size_t cap_arefs, cap_trefs;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work;      /* a batch was filled (parsers wait) */
	pthread_cond_t done;      /* parsed, or the reader ended (applier waits) */
	pthread_cond_t room;      /* a batch was freed (reader waits) */
	struct batch *b;
	size_t nb;
	int works, stop;
	/* The reader's, under mu once it runs: */
	struct lines *l;
	uint64_t lineno, filled;
	int read_rc;              /* fill()'s last: 0 end, -1 read error */
	int reading;              /* the reader thread runs */
};

/* The record of work w, encoded into rec with b's scratch arrays. */
static void
encode_work(struct batch *b, const struct oa_work *w, struct buf *rec)
{
	struct store_work sw;
	size_t i;

	if (w->n_authors > b->cap_arefs) {
		b->cap_arefs = w->n_authors;
		b->arefs = xrealloc(b->arefs, b->cap_arefs * sizeof(*b->arefs));
	}
	if (w->n_topics > b->cap_trefs) {
		b->cap_trefs = w->n_topics;
		b->trefs = xrealloc(b->trefs, b->cap_trefs * sizeof(*b->trefs));
	}
	for (i = 0; i < w->n_authors; i++) {
		b->arefs[i].id = w->authors[i].id;
		b->arefs[i].name = w->authors[i].name;
	}
	for (i = 0; i < w->n_topics; i++) {
		b->trefs[i].id = w->topics[i].id;
		b->trefs[i].name = w->topics[i].name;
	}
	memset(&sw, 0, sizeof(sw));
	sw.id = w->id;
	sw.doi = w->doi;
	sw.title = w->title;
	sw.type = w->type;
	sw.venue = w->venue;
	sw.landing_url = w->landing_url;
	sw.abstract = buf_sv(&w->abstract);
	sw.year = w->year;
	sw.date = w->date;
	sw.oa_url = w->oa_url;
	sw.cited = w->cited;
	sw.flags = ((w->flags & OA_RETRACTED) ? STORE_WORK_RETRACTED : 0) |
	    ((w->flags & OA_PARATEXT) ? STORE_WORK_PARATEXT : 0);
	buf_reset(rec);
	rec_work_encode(rec, &sw, b->arefs, w->n_authors, b->trefs,
	    w->n_topics);
}

static void
parse_batch(struct batch *b, int works)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct slot *sl = &b->s[i];
		const char *p = b->text.p + sl->off;

		if (sl->toolong) {
			buf_reset(&sl->err);
			buf_puts(&sl->err, "line too long (at most 16 MiB)");
			sl->rc = -1;
		} else if (works) {
			sl->rc = openalex_work_parse(p, sl->len, &sl->w, &sl->err);
			if (sl->rc == 0)
				encode_work(b, &sl->w, &sl->rec);
		} else
			sl->rc = openalex_author_parse(p, sl->len, &sl->a,
			    &sl->err);
	}
}

static void *
parser(void *arg)
{
	struct pool *p = arg;
	struct batch *b;
	size_t i;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		for (b = NULL, i = 0; i < p->nb && b == NULL; i++)
			if (p->b[i].state == B_FILLED)
				b = &p->b[i];
		if (b == NULL) {
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		b->state = B_PARSING;
		pthread_mutex_unlock(&p->mu);
		parse_batch(b, p->works);
		pthread_mutex_lock(&p->mu);
		b->state = B_PARSED;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * Fills b with the next lines of l (blank ones skipped). 1 when it holds
 * any, 0 at the end of the file, -1 on a read error.
 */
static int
fill(struct batch *b, struct lines *l, uint64_t *lineno)
{
	const char *p;
	size_t n;
	int r = 0, toolong;

	b->n = 0;
	buf_reset(&b->text);
	while (b->n < BATCH_LINES && b->text.len < BATCH_BYTES &&
	    (r = lines_next(l, &p, &n, &toolong)) == 1) {
		struct slot *sl;

		++*lineno;
		if (n && p[n - 1] == '\r')
			n--;
		if (!toolong && blank(p, n))
			continue;
		sl = &b->s[b->n++];
		sl->off = b->text.len;
		sl->len = n;
		sl->lineno = *lineno;
		sl->toolong = toolong;
		buf_put(&b->text, p, n);
	}
	return r < 0 ? -1 : b->n > 0;
}

/*
 * With p->mu held: fills batch b, the next in the ring, from the input
 * (releasing the lock meanwhile) and hands it to the parsers. 1 when
 * filled; else fill()'s end of file (0) or error (-1), kept in p->read_rc.
 */
static int
fill_next(struct pool *p, struct batch *b)
{
	uint64_t lineno = p->lineno;
	int r;

	pthread_mutex_unlock(&p->mu);
	r = fill(b, p->l, &lineno);
	pthread_mutex_lock(&p->mu);
	p->lineno = lineno;
	if (r != 1) {
		p->read_rc = r;
		return r;
	}
	b->state = B_FILLED;
	p->filled++;
	pthread_cond_signal(&p->work);
	return 1;
}

/* The reader thread: fills the ring's batches in order until the end. */
static void *
reader(void *arg)
{
	struct pool *p = arg;
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		b = &p->b[p->filled % p->nb];
		if (b->state != B_FREE) {
			pthread_cond_wait(&p->room, &p->mu);
			continue;
		}
		if (fill_next(p, b) != 1)
			break;
	}
	p->reading = 0;
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Applies one parsed line to the store (or counts it as bad). */
static int
apply_line(struct imp *m, const char *path, struct slot *sl, int works)
{
	if (sl->rc != 0)
		return imp_bad_line(m, path, sl->lineno, sl->err.p);
	return works ? imp_do_work(m, &sl->w, &sl->rec) : imp_do_author(m, &sl->a);
}

/*
 * The next parsed batch in file order, filling and parsing in place when
 * no thread does; NULL at the end of the file (or on a read error, in
 * p->read_rc).
 */
static struct batch *
next_parsed(struct pool *p, size_t nthreads, uint64_t applied)
{
	struct batch *b = &p->b[applied % p->nb];
	int r;

	if (nthreads == 0) {
		if ((r = fill(b, p->l, &p->lineno)) != 1) {
			p->read_rc = r;
			return NULL;
		}
		p->filled++;
		parse_batch(b, p->works);
		return b;
	}
	pthread_mutex_lock(&p->mu);
	if (!p->reading) {
		/* No reader thread: fill what the parsers can take. */
		while (p->read_rc == 1 && p->filled - applied < p->nb &&
		    fill_next(p, &p->b[p->filled % p->nb]) == 1)
			;
	}
	while (applied < p->filled && b->state != B_PARSED)
		pthread_cond_wait(&p->done, &p->mu);
	while (applied == p->filled && p->reading)
		pthread_cond_wait(&p->done, &p->mu);
	if (applied < p->filled)
		while (b->state != B_PARSED)
			pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return applied < p->filled ? b : NULL;
}

/* Gives batch b back to the reader. */
static void
release(struct pool *p, size_t nthreads, struct batch *b)
{
	if (nthreads == 0) {
		b->state = B_FREE;
		return;
	}
	pthread_mutex_lock(&p->mu);
	b->state = B_FREE;
	pthread_cond_signal(&p->room);
	pthread_mutex_unlock(&p->mu);
}

/* Reads one file of author (works = 0) or work lines into the store. */
int
imp_read_file(struct imp *m, const char *path, int works, uint64_t most,
    uint64_t *records)
{
	struct pool p;
	struct lines l;
	struct batch *b;
	struct stat st;
	pthread_t *tids = NULL, rtid;
	uint64_t applied = 0, first;
	size_t i, nthreads = 0;
	int rc = 0, threads;

	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	first = m->records;
	if ((rc = gzin_open(path, &l.f)) != 0) {
		imp_log_line(m);
		fprintf(m->o->log, "%s: cannot open: %s\n", path, strerror(rc));
		return rc;
	}
	l.cap = LINES_START;
	l.buf = xmalloc(l.cap);
	for (i = 0; i < DB__COUNT; i++)
		m->append[i] = 1;

	p.works = works;
	p.l = &l;
	p.read_rc = 1;
	threads = m->threads;
	if (m->auto_threads && stat(path, &st) == 0 && st.st_size < SMALL_FILE)
		threads = 0;           /* handing batches over costs more */
	p.nb = threads > 0 ? 4 * (size_t)threads + 4 : 1;
	p.b = xcalloc(p.nb, sizeof(*p.b));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	pthread_cond_init(&p.room, NULL);
	if (threads > 0)
		tids = xcalloc((size_t)threads, sizeof(*tids));
	/* Without threads (or if none can start) parse in place. */
	for (i = 0; i < (size_t)(threads > 0 ? threads : 0); i++) {
		if (pthread_create(&tids[i], NULL, parser, &p) != 0)
			break;
		nthreads++;
	}
	/* Without a reader thread the applier fills the batches itself. */
	if (nthreads > 0) {
		p.reading = 1;
		if (pthread_create(&rtid, NULL, reader, &p) != 0)
			p.reading = 0;
	}
	i = p.reading;                 /* whether to join the reader */

	while ((b = next_parsed(&p, nthreads, applied)) != NULL) {
		size_t k;

		for (k = 0; k < b->n; k++)
			if ((rc = apply_line(m, path, &b->s[k], works)) != 0)
				break;
		m->records += b->n;
		release(&p, nthreads, b);
		applied++;
		if (rc == 0 && m->records - first > most) {
			imp_log_line(m);
			fprintf(m->o->log, "%s: more than the %llu records its "
			    "manifest says; not read further\n", path,
			    (unsigned long long)most);
			rc = STORE_MISMATCH;
		}
		if (m->o->progress)
			imp_progress(m, gzin_in_bytes(l.f), 0);
		if (rc != 0)
			break;
	}
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.work);
	pthread_cond_broadcast(&p.room);
	pthread_mutex_unlock(&p.mu);
	if (i)
		pthread_join(rtid, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	if (rc == 0 && p.read_rc < 0) {
		imp_log_line(m);
		fprintf(m->o->log, "%s: read error after line %llu: %s\n",
		    path, (unsigned long long)p.lineno, gzin_error(l.f));
		rc = EIO;
	}
	if (records != NULL)
		*records = m->records - first;
	for (b = p.b; b < p.b + p.nb; b++) {
		for (i = 0; i < BATCH_LINES; i++) {
			openalex_work_free(&b->s[i].w);
			openalex_author_free(&b->s[i].a);
			buf_free(&b->s[i].err);
			buf_free(&b->s[i].rec);
		}
		buf_free(&b->text);
		free(b->arefs);
		free(b->trefs);
	}
	pthread_cond_destroy(&p.room);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.work);
	pthread_mutex_destroy(&p.mu);
	free(p.b);
	free(tids);
	free(l.buf);
	gzin_close(l.f);
	return rc;
}
