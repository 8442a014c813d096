/* import.c: OpenAlex JSON Lines into the store: records, edges, derived figures, slugs, name index. */
#include "import.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "gzin.h"
#include "idmap.h"
#include "openalex.h"
#include "store_int.h"

/* Flags of a researcher touched by this import (idmap_entry.n). */
enum {
	T_AFFECTED = 1,   /* a work of theirs was added or changed */
	T_BUMPED = 2,     /* record version already bumped in this import */
	T_EXISTS = 4,     /* its record is in the store */
};

/* Works summarised for derive() at most (beyond: read back from the store). */
#define SUMS_WORKS_MAX ((size_t)16 << 20)

struct figures {
	uint32_t works, topics, close, coauthors;
	int first, last;
};

/* A new researcher waiting for a slug. */
struct pending {
	uint64_t num;
	size_t base, base_len;   /* the slug base, in imp.bases */
	const char *basep;       /* the same, once imp.bases stops moving */
	int has_fig;
	struct figures fig;
};

struct touched {
	uint64_t num;
	uint32_t flags;
};

/*
 * One import. Everything but `reported` starts afresh each time the
 * transaction runs (store_write() runs it again after growing the map).
 */
struct imp {
	const struct import_opts *o;
	struct import_report rep;
	MDB_txn *txn;
	const MDB_dbi *dbi;
	uint64_t reported;       /* bad lines logged so far, across runs */
	uint64_t bad_seen;       /* bad lines met in this run */
	struct idmap touched;    /* researcher -> T_* flags */
	struct idmap co, tp;     /* per-researcher tallies */
	int threads;             /* parser threads (0: parse in place) */
	int auto_threads;        /* chosen by us: none for small files */
	struct buf rec, key, key2, bases, vals;
	int append[DB__COUNT];    /* keys came in order so far: MDB_APPEND */
	/*
	 * What derive() needs of every work written in this run (so it does
	 * not read and decode them back): wsum maps the work's number to an
	 * offset in sums, where year, number of authors, number of topics and
	 * then the author and topic numbers follow.
	 */
	struct idmap wsum;
	uint64_t *sums;
	size_t n_sums, cap_sums;
	/* Topic names as written in this run (tname: topic -> offset + 1 in tnames). */
	struct idmap tname;
	struct buf tnames;
	uint64_t *old;           /* a changed work's previous authors */
	size_t cap_old;
	struct pending *pend;
	size_t n_pend, cap_pend;
	double t_derived, c_derived;   /* now(0), now(1) when derive() ended */
};

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
static int
bad_line(struct imp *m, const char *path, uint64_t lineno, const char *why)
{
	const char *c;

	m->rep.bad_lines++;
	if (++m->bad_seen > m->reported) {
		m->reported = m->bad_seen;
		fprintf(m->o->log, "%s:%llu: ", path, (unsigned long long)lineno);
		/* jansson's reasons may quote input: printable ASCII only. */
		for (c = why; *c; c++)
			fputc(*c >= 0x20 && *c < 0x7f ? *c : '?', m->o->log);
		fputc('\n', m->o->log);
	}
	return m->o->strict ? STORE_INVALID : 0;
}

/* ---- researchers ----------------------------------------------------------- */

static int
db_get(struct imp *m, enum store_db db, struct sv key, MDB_val *v)
{
	MDB_val k = sv_val(key);

	return mdb_get(m->txn, m->dbi[db], &k, v);
}

static int
db_put(struct imp *m, enum store_db db, struct sv key, struct sv val,
    unsigned flags)
{
	MDB_val k = sv_val(key), v = sv_val(val);

	return mdb_put(m->txn, m->dbi[db], &k, &v, flags);
}

/*
 * Puts a key known to be missing. While a file's keys for db come in
 * order it appends (fuller pages, no search); the first key out of order
 * turns that off for the rest of the file.
 */
static int
db_put_new(struct imp *m, enum store_db db, struct sv key, struct sv val)
{
	MDB_val k = sv_val(key), v = sv_val(val);
	int rc;

	if (m->append[db]) {
		rc = mdb_put(m->txn, m->dbi[db], &k, &v, MDB_APPEND);
		if (rc != MDB_KEYEXIST)
			return rc;
		m->append[db] = 0;
	}
	return mdb_put(m->txn, m->dbi[db], &k, &v, 0);
}

static struct sv
buf_sv(const struct buf *b)
{
	return (struct sv){ b->p, b->len };
}

/*
 * Writes researcher r (number num) if it differs from old (the record as
 * it is now, raw bytes in oldval; both NULL when new), bumping its version
 * once per import, and keeps the name index in step. r may point into old's
 * memory: everything is copied before the first write.
 */
static int
put_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    const struct store_researcher *old, const MDB_val *oldval)
{
	struct idmap_entry *e = idmap_add(&m->touched, num);
	char id[ID_BUF];
	struct sv ids = { id, id_format(id, 'A', num) };
	int rc, renamed = old == NULL || !sv_eq(old->name, r->name);

	buf_reset(&m->rec);
	r->version = old ? old->version : 1;
	rec_researcher_encode(&m->rec, r);
	if (old) {
		e->n |= T_EXISTS;
		if (oldval->mv_size == m->rec.len &&
		    memcmp(oldval->mv_data, m->rec.p, m->rec.len) == 0)
			return 0;
		if (!(e->n & T_BUMPED)) {
			r->version = old->version + 1;
			buf_reset(&m->rec);
			rec_researcher_encode(&m->rec, r);
		}
	}
	e->n |= T_BUMPED | T_EXISTS;
	buf_reset(&m->key);
	buf_reset(&m->key2);
	if (renamed) {
		name_key(&m->key, r->name, num);
		if (old)
			name_key(&m->key2, old->name, num);
	}
	/* From here on old and r may point at moved bytes. */
	rc = old ? db_put(m, DB_RESEARCHERS, ids, buf_sv(&m->rec), 0) :
	    db_put_new(m, DB_RESEARCHERS, ids, buf_sv(&m->rec));
	if (rc != 0)
		return rc;
	m->rep.researchers_written++;
	if (!renamed)
		return 0;
	if (m->key2.len) {
		MDB_val k = sv_val(buf_sv(&m->key2));

		rc = mdb_del(m->txn, m->dbi[DB_NAMES], &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	return db_put(m, DB_NAMES, buf_sv(&m->key), SV_LIT(""), 0);
}

/* Reads researcher num; 0, MDB_NOTFOUND, STORE_CORRUPT or an LMDB error. */
static int
get_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    MDB_val *v)
{
	char id[ID_BUF];
	struct sv ids = { id, id_format(id, 'A', num) };
	int rc;

	if ((rc = db_get(m, DB_RESEARCHERS, ids, v)) != 0)
		return rc;
	return rec_researcher_decode(v->mv_data, v->mv_size, r);
}

/* One author line: the authors file is the authority on these fields. */
static int
do_author(struct imp *m, const struct oa_author *a)
{
	struct store_researcher r, old;
	MDB_val v;
	int rc;

	rc = get_researcher(m, a->a.num, &old, &v);
	if (rc == MDB_NOTFOUND) {
		memset(&r, 0, sizeof(r));
		r.id = a->a.id;
	} else if (rc == 0)
		r = old;
	else
		return rc;
	if (a->a.name.n)
		r.name = a->a.name;
	r.orcid = a->a.orcid;
	r.institution = a->institution;
	if ((rc = put_researcher(m, a->a.num, &r, rc ? NULL : &old,
	    rc ? NULL : &v)) != 0)
		return rc;
	m->rep.authors++;
	return 0;
}

/* An author met on a work: created from the authorship if unknown. */
static int
ensure_researcher(struct imp *m, const struct oa_ref *a)
{
	struct store_researcher r;
	MDB_val v;
	int rc;

	struct idmap_entry *e = idmap_get(&m->touched, a->num);

	if (e != NULL && (e->n & T_EXISTS))
		return 0;              /* written or found in this run */
	if ((rc = db_get(m, DB_RESEARCHERS, a->id, &v)) != MDB_NOTFOUND) {
		/* Found: do_work() marks it touched right after. */
		if (rc == 0)
			idmap_add(&m->touched, a->num)->n |= T_EXISTS;
		return rc;
	}
	memset(&r, 0, sizeof(r));
	r.id = a->id;
	r.name = a->name;
	r.orcid = a->orcid;
	return put_researcher(m, a->num, &r, NULL, NULL);
}

/* ---- works -------------------------------------------------------------------- */

/* The rworks value of a work: newest first, then by work number. */
static MDB_val
rwork_val(unsigned char b[RWORK_LEN], int year, uint64_t work)
{
	MDB_val v = { RWORK_LEN, b };

	put_be16(b, (uint16_t)(0xFFFF - year));
	put_be64(b + 2, work);
	return v;
}

/* Adds (del = 0) or removes the edge researcher -> work. */
static int
edge(struct imp *m, uint64_t researcher, int year, uint64_t work, int del)
{
	char id[ID_BUF];
	unsigned char b[RWORK_LEN];
	MDB_val k = { id_format(id, 'A', researcher), id };
	MDB_val v = rwork_val(b, year, work);
	int rc;

	if (del) {
		rc = mdb_del(m->txn, m->dbi[DB_RWORKS], &k, &v);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	rc = mdb_put(m->txn, m->dbi[DB_RWORKS], &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : rc;
}

static void
affect(struct imp *m, uint64_t researcher)
{
	idmap_add(&m->touched, researcher)->n |= T_AFFECTED;
}

/* Notes t's name as the one the store now holds. */
static void
remember_topic(struct imp *m, const struct oa_ref *t)
{
	uint32_t n = (uint32_t)t->name.n;
	unsigned char len[4];

	if (m->tnames.len + 4 + n >= UINT32_MAX)
		return;                /* not worth a cache entry */
	idmap_add(&m->tname, t->num)->n = (uint32_t)m->tnames.len + 1;
	put_le32(len, n);
	buf_put(&m->tnames, len, 4);
	buf_put(&m->tnames, t->name.p, n);
}

/*
 * Keeps what derive() needs of work w, just written; past the budget only
 * notes that an earlier summary of w is stale (UINT32_MAX).
 */
static void
remember_work(struct imp *m, const struct oa_work *w)
{
	size_t need = 3 + w->n_authors + w->n_topics, i;
	struct idmap_entry *e;
	uint64_t *p;

	if (m->wsum.n >= SUMS_WORKS_MAX ||
	    m->n_sums + need >= UINT32_MAX) {
		if ((e = idmap_get(&m->wsum, w->num)) != NULL)
			e->n = UINT32_MAX;
		return;
	}
	if (m->n_sums + need > m->cap_sums) {
		m->cap_sums = m->cap_sums ? m->cap_sums * 2 : 1u << 16;
		while (m->cap_sums < m->n_sums + need)
			m->cap_sums *= 2;
		m->sums = xrealloc(m->sums, m->cap_sums * sizeof(*m->sums));
	}
	idmap_add(&m->wsum, w->num)->n = (uint32_t)m->n_sums;
	p = m->sums + m->n_sums;
	p[0] = (uint64_t)w->year;
	p[1] = w->n_authors;
	p[2] = w->n_topics;
	for (i = 0; i < w->n_authors; i++)
		p[3 + i] = w->authors[i].num;
	for (i = 0; i < w->n_topics; i++)
		p[3 + w->n_authors + i] = w->topics[i].num;
	m->n_sums += need;
}

/* Topic names: the last line naming a topic wins; null never erases one. */
static int
upsert_topic(struct imp *m, const struct oa_ref *t)
{
	struct store_topic_ref old, nt = { t->id, t->name };
	struct idmap_entry *e = idmap_get(&m->tname, t->num);
	MDB_val v;
	int rc;

	/* The name this run wrote last (the store holds just that). */
	if (e != NULL && (t->name.n == 0 ||
	    (get_le32((const unsigned char *)m->tnames.p + e->n - 1) == t->name.n &&
	    memcmp(m->tnames.p + e->n - 1 + 4, t->name.p, t->name.n) == 0)))
		return 0;
	if ((rc = db_get(m, DB_TOPICS, t->id, &v)) == 0) {
		if ((rc = rec_topic_decode(v.mv_data, v.mv_size, &old)) != 0)
			return rc;
		if (sv_eq(old.name, t->name))
			remember_topic(m, t);
		if (t->name.n == 0 || sv_eq(old.name, t->name))
			return 0;
	} else if (rc != MDB_NOTFOUND)
		return rc;
	buf_reset(&m->rec);
	rec_topic_encode(&m->rec, &nt);
	if ((rc = db_put(m, DB_TOPICS, t->id, buf_sv(&m->rec), 0)) != 0)
		return rc;
	remember_topic(m, t);
	return 0;
}

static int
new_has_author(const struct oa_work *w, uint64_t num)
{
	size_t i;

	for (i = 0; i < w->n_authors; i++)
		if (w->authors[i].num == num)
			return 1;
	return 0;
}

/*
 * One work line, rec its record (encoded by the parser thread). A new or
 * changed work is written with its edges; a changed one first loses the
 * edges its new version no longer has. Every author of the old and new
 * versions is marked for new figures.
 */
static int
do_work(struct imp *m, const struct oa_work *w, const struct buf *rec)
{
	struct store_work old;
	struct store_author_ref a;
	MDB_val v;
	size_t i, n_old = 0, pos = 0;
	int rc, old_year = 0;

	rc = db_get(m, DB_WORKS, w->id, &v);
	if (rc == 0 && v.mv_size == rec->len &&
	    memcmp(v.mv_data, rec->p, rec->len) == 0)
		goto topics;               /* unchanged: edges are in place */
	if (rc == 0) {
		if ((rc = rec_work_decode(v.mv_data, v.mv_size, &old)) != 0)
			return rc;
		old_year = old.year;
		if (old.n_authors > m->cap_old) {
			m->cap_old = old.n_authors;
			m->old = xrealloc(m->old, m->cap_old * sizeof(*m->old));
		}
		while (store_work_author_next(&old, &pos, &a) == 0) {
			if (id_parse(a.id, 'A', &m->old[n_old]) != 0)
				return STORE_CORRUPT;
			n_old++;
		}
	} else if (rc != MDB_NOTFOUND)
		return rc;

	rc = rc == 0 ? db_put(m, DB_WORKS, w->id, buf_sv(rec), 0) :
	    db_put_new(m, DB_WORKS, w->id, buf_sv(rec));
	if (rc != 0)
		return rc;
	remember_work(m, w);
	m->rep.works_written++;
	for (i = 0; i < n_old; i++) {
		if ((old_year != w->year || !new_has_author(w, m->old[i])) &&
		    (rc = edge(m, m->old[i], old_year, w->num, 1)) != 0)
			return rc;
		affect(m, m->old[i]);
	}
	for (i = 0; i < w->n_authors; i++) {
		if ((rc = edge(m, w->authors[i].num, w->year, w->num, 0)) != 0 ||
		    (rc = ensure_researcher(m, &w->authors[i])) != 0)
			return rc;
		affect(m, w->authors[i].num);
	}
topics:
	for (i = 0; i < w->n_topics; i++)
		if ((rc = upsert_topic(m, &w->topics[i])) != 0)
			return rc;
	m->rep.works++;
	return 0;
}

/* ---- files ------------------------------------------------------------------------
 *
 * LMDB wants its write transaction on one thread, and reading (inflate),
 * parsing and encoding are most of the work. So a reader thread inflates
 * and cuts lines into batches, parser threads turn batches into structs
 * and encoded work records, and the calling thread applies the batches
 * strictly in file order: the store, the messages and the counts are the
 * same whatever the number of threads. A batch goes round the ring
 * free -> filled (reader) -> parsing -> parsed (parser) -> free (applier).
 */

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
apply_line(struct imp *m, const char *path, const struct slot *sl, int works)
{
	if (sl->rc != 0)
		return bad_line(m, path, sl->lineno, sl->err.p);
	return works ? do_work(m, &sl->w, &sl->rec) : do_author(m, &sl->a);
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
static int
read_file(struct imp *m, const char *path, int works)
{
	struct pool p;
	struct lines l;
	struct batch *b;
	struct stat st;
	pthread_t *tids = NULL, rtid;
	uint64_t applied = 0;
	size_t i, nthreads = 0;
	int rc = 0, threads;

	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	if ((rc = gzin_open(path, &l.f)) != 0) {
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
		release(&p, nthreads, b);
		applied++;
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
		fprintf(m->o->log, "%s: read error after line %llu: %s\n",
		    path, (unsigned long long)p.lineno, gzin_error(l.f));
		rc = EIO;
	}
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

/* ---- derived figures --------------------------------------------------------------- */

static int
cmp_count(const void *a, const void *b)
{
	return memcmp(a, b, COUNT_LEN);
}

/*
 * Makes key's duplicates in db the tally in map: u32 BE ~count | u64 BE id,
 * sorted. Leaves the list alone when it already holds exactly that.
 */
static int
rewrite_counts(struct imp *m, enum store_db db, MDB_val *key,
    const struct idmap *map)
{
	MDB_cursor *c;
	MDB_val k = *key, v;
	size_t i;
	int rc, same;

	buf_reset(&m->vals);
	buf_reserve(&m->vals, map->n * COUNT_LEN);
	for (i = 0; i < map->n; i++) {
		unsigned char *p = (unsigned char *)m->vals.p + i * COUNT_LEN;

		put_be32(p, UINT32_MAX - map->v[i].n);
		put_be64(p + 4, map->v[i].id);
	}
	m->vals.len = map->n * COUNT_LEN;
	if (map->n > 1)
		qsort(m->vals.p, map->n, COUNT_LEN, cmp_count);

	if ((rc = mdb_cursor_open(m->txn, m->dbi[db], &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0, same = 1; rc == 0; i++) {
		if (i >= map->n || v.mv_size != COUNT_LEN ||
		    memcmp(v.mv_data, m->vals.p + i * COUNT_LEN, COUNT_LEN)) {
			same = 0;
			break;
		}
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto close;
	if (same && i == map->n) {
		rc = 0;
		goto close;
	}
	if ((rc = mdb_del(m->txn, m->dbi[db], key, NULL)) != 0 &&
	    rc != MDB_NOTFOUND)
		goto close;
	rc = 0;
	if (map->n > 0) {
		/* The sorted list in one call (DUPFIXED lists only). */
		MDB_val mv[2] = { { COUNT_LEN, m->vals.p }, { map->n, NULL } };

		rc = mdb_cursor_put(c, key, mv, MDB_MULTIPLE);
		if (rc == 0 && mv[1].mv_size != map->n)
			rc = STORE_CORRUPT;    /* LMDB stopped short: never seen */
	}
close:
	mdb_cursor_close(c);
	return rc;
}

/* Counts one work of researcher num from its summary (remember_work()). */
static void
tally_summary(struct imp *m, uint64_t num, const uint64_t *p,
    struct figures *f)
{
	int year = (int)p[0];
	size_t na = (size_t)p[1], nt = (size_t)p[2], i;

	f->works++;
	if (year > 0 && (f->first == 0 || year < f->first))
		f->first = year;
	if (year > f->last)
		f->last = year;
	for (i = 0; i < na; i++)
		if (p[3 + i] != num)
			idmap_add(&m->co, p[3 + i])->n++;
	for (i = 0; i < nt; i++)
		idmap_add(&m->tp, p[3 + na + i])->n++;
}

/*
 * Computes researcher num's figures from their works (each read once: from
 * its summary when this run wrote it, else from the store) and rewrites
 * their co-author and topic lists.
 */
static int
compute(struct imp *m, uint64_t num, struct figures *f)
{
	MDB_cursor *c;
	MDB_val k, v, wk, wv;
	struct store_work w;
	struct store_author_ref a;
	struct store_topic_ref t;
	char id[ID_BUF], wid[ID_BUF];
	struct idmap_entry *e;
	uint64_t x;
	size_t pos, i;
	int rc;

	memset(f, 0, sizeof(*f));
	idmap_clear(&m->co);
	idmap_clear(&m->tp);
	k.mv_data = id;
	k.mv_size = id_format(id, 'A', num);
	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_RWORKS], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size != RWORK_LEN) {
			rc = STORE_CORRUPT;
			break;
		}
		x = get_be64((const unsigned char *)v.mv_data + 2);
		if ((e = idmap_get(&m->wsum, x)) != NULL && e->n != UINT32_MAX) {
			tally_summary(m, num, m->sums + e->n, f);
			continue;
		}
		wk.mv_data = wid;
		wk.mv_size = id_format(wid, 'W', x);
		if ((rc = mdb_get(m->txn, m->dbi[DB_WORKS], &wk, &wv)) != 0 ||
		    (rc = rec_work_decode(wv.mv_data, wv.mv_size, &w)) != 0)
			break;
		f->works++;
		if (w.year > 0 && (f->first == 0 || w.year < f->first))
			f->first = w.year;
		if (w.year > f->last)
			f->last = w.year;
		for (pos = 0; store_work_author_next(&w, &pos, &a) == 0;) {
			if (id_parse(a.id, 'A', &x) != 0) {
				rc = STORE_CORRUPT;
				goto close;
			}
			if (x != num)
				idmap_add(&m->co, x)->n++;
		}
		for (pos = 0; store_work_topic_next(&w, &pos, &t) == 0;) {
			if (id_parse(t.id, 'T', &x) != 0) {
				rc = STORE_CORRUPT;
				goto close;
			}
			idmap_add(&m->tp, x)->n++;
		}
	}
close:
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;   /* end of the list (or no works at all) */
	if (rc != 0)
		return rc;
	f->coauthors = (uint32_t)m->co.n;
	f->topics = (uint32_t)m->tp.n;
	for (i = 0; i < m->co.n; i++)
		if (m->co.v[i].n >= 2)
			f->close++;
	k.mv_data = id;
	k.mv_size = strlen(id);
	if ((rc = rewrite_counts(m, DB_COAUTHORS, &k, &m->co)) != 0)
		return rc;
	return rewrite_counts(m, DB_RTOPICS, &k, &m->tp);
}

static void
apply(struct store_researcher *r, const struct figures *f)
{
	r->works = f->works;
	r->topics = f->topics;
	r->close_collaborators = f->close;
	r->coauthors = f->coauthors;
	r->first_year = f->first;
	r->last_year = f->last;
}

static int
cmp_touched(const void *a, const void *b)
{
	const struct touched *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/* Orders slug bases byte by byte, a prefix first. */
static int
cmp_base(const struct pending *x, const struct pending *y)
{
	size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;
	int c = memcmp(x->basep, y->basep, n);

	if (c != 0)
		return c;
	return x->base_len < y->base_len ? -1 : x->base_len > y->base_len;
}

/* Same base slug together; in a group most works first, then lowest id. */
static int
cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c = cmp_base(x, y);

	if (c != 0)
		return c;
	if (x->fig.works != y->fig.works)
		return x->fig.works > y->fig.works ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/*
 * Gives each pending researcher the first free slug of its base: base,
 * base-2, base-3, ... in cmp_pending() order, and writes their records.
 */
static int
assign_slugs(struct imp *m)
{
	struct store_researcher r, old;
	struct buf slug = BUF_INIT;
	char id[ID_BUF];
	MDB_val v;
	size_t i, k = 1;
	int rc = 0;

	for (i = 0; i < m->n_pend; i++)
		m->pend[i].basep = m->bases.p + m->pend[i].base;
	if (m->n_pend > 1)
		qsort(m->pend, m->n_pend, sizeof(*m->pend), cmp_pending);
	for (i = 0; i < m->n_pend; i++) {
		const struct pending *p = &m->pend[i];

		if (i == 0 || cmp_base(p - 1, p) != 0)
			k = 1;
		for (;; k++) {
			buf_reset(&slug);
			buf_put(&slug, p->basep, p->base_len);
			if (k > 1) {
				buf_putc(&slug, '-');
				buf_putu64(&slug, k);
			}
			rc = db_get(m, DB_SLUGS, buf_sv(&slug), &v);
			if (rc == MDB_NOTFOUND)
				break;
			if (rc != 0)
				goto out;
		}
		k++;
		if ((rc = db_put(m, DB_SLUGS, buf_sv(&slug),
		    (struct sv){ id, id_format(id, 'A', p->num) }, 0)) != 0)
			goto out;
		if ((rc = get_researcher(m, p->num, &old, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
			goto out;
		}
		r = old;
		if (p->has_fig)
			apply(&r, &p->fig);
		r.slug = buf_sv(&slug);
		if ((rc = put_researcher(m, p->num, &r, &old, &v)) != 0)
			goto out;
	}
out:
	buf_free(&slug);
	return rc;
}

/*
 * For every researcher this import touched, in id order: new figures for
 * those whose works changed, then slugs for those without one.
 */
static int
derive(struct imp *m)
{
	struct store_researcher r, old;
	struct touched *list;
	struct figures f;
	MDB_val v;
	size_t i, n = m->touched.n;
	int rc = 0;

	list = xmalloc((n ? n : 1) * sizeof(*list));
	for (i = 0; i < n; i++) {
		list[i].num = m->touched.v[i].id;
		list[i].flags = m->touched.v[i].n;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_touched);
	m->n_pend = 0;
	buf_reset(&m->bases);
	for (i = 0; i < n; i++) {
		int has_fig = (list[i].flags & T_AFFECTED) != 0;

		if (has_fig && (rc = compute(m, list[i].num, &f)) != 0)
			goto out;
		if ((rc = get_researcher(m, list[i].num, &old, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
			goto out;
		}
		if (old.slug.n == 0) {
			struct pending *p;

			if (m->n_pend == m->cap_pend) {
				m->cap_pend = m->cap_pend ? m->cap_pend * 2 : 64;
				m->pend = xrealloc(m->pend,
				    m->cap_pend * sizeof(*m->pend));
			}
			p = &m->pend[m->n_pend++];
			memset(p, 0, sizeof(*p));
			p->num = list[i].num;
			p->has_fig = has_fig;
			if (has_fig)
				p->fig = f;
			p->base = m->bases.len;
			store_slugify(&m->bases, old.name);
			p->base_len = m->bases.len - p->base;
			continue;
		}
		if (!has_fig)
			continue;
		r = old;
		apply(&r, &f);
		if ((rc = put_researcher(m, list[i].num, &r, &old, &v)) != 0)
			goto out;
	}
	rc = assign_slugs(m);
out:
	free(list);
	return rc;
}

/* Wall clock (thread = 0) or this thread's CPU time, in seconds. */
static double
now(int thread)
{
	struct timespec t;

	if (clock_gettime(thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC,
	    &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the transaction ---------------------------------------------------------------- */

static int
import_txn(MDB_txn *txn, void *ctx)
{
	struct imp *m = ctx;
	uint64_t gen;
	size_t i;
	double w0, c0, w1, c1;
	int rc;

	memset(&m->rep, 0, sizeof(m->rep));
	m->bad_seen = 0;
	m->txn = txn;
	idmap_clear(&m->touched);
	idmap_clear(&m->wsum);
	idmap_clear(&m->tname);
	m->n_sums = 0;
	buf_reset(&m->tnames);
	if ((rc = meta_get(txn, m->dbi[DB_META], "generation", 8, &gen)) != 0)
		return rc;
	w0 = now(0);
	c0 = now(1);
	for (i = 0; i < m->o->n_authors; i++)
		if ((rc = read_file(m, m->o->authors[i], 0)) != 0)
			return rc;
	for (i = 0; i < m->o->n_works; i++)
		if ((rc = read_file(m, m->o->works[i], 1)) != 0)
			return rc;
	w1 = now(0);
	c1 = now(1);
	m->rep.read_s = w1 - w0;
	m->rep.read_cpu_s = c1 - c0;
	if ((rc = derive(m)) != 0)
		return rc;
	m->t_derived = now(0);
	m->c_derived = now(1);
	m->rep.derive_s = m->t_derived - w1;
	m->rep.derive_cpu_s = m->c_derived - c1;
	m->rep.generation = gen + 1;
	if ((rc = meta_put(txn, m->dbi[DB_META], "generation_time", 8,
	    (uint64_t)time(NULL))) != 0)
		return rc;
	return meta_put(txn, m->dbi[DB_META], "generation", 8, gen + 1);
}

/*
 * About how many bytes the files will add to the store: what a record keeps
 * of a JSON line is well under its size; a .gz file holds some 5 times its
 * size in JSON. An estimate only: a full map still grows.
 */
static uint64_t
estimate(const struct import_opts *o)
{
	const char *const *lists[2] = { o->authors, o->works };
	size_t counts[2] = { o->n_authors, o->n_works }, i, l, n;
	struct stat st;
	uint64_t total = 0;

	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++) {
			if (stat(lists[l][i], &st) != 0)
				continue;        /* read_file() will say why */
			n = strlen(lists[l][i]);
			total += (uint64_t)st.st_size *
			    (n > 3 && strcmp(lists[l][i] + n - 3, ".gz") == 0 ?
			    5 : 1);
		}
	return total;
}

int
store_import(struct store *s, const struct import_opts *o,
    struct import_report *rep)
{
	struct imp m;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = store_reserve(s, estimate(o))) != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.o = o;
	m.dbi = s->dbi;
	m.threads = o->threads;
	if (m.threads < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		m.threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
		m.auto_threads = 1;
	}
	rc = store_write(s, import_txn, &m);
	*rep = m.rep;
	/* From derive's end: the rest of the transaction, commit and flush. */
	rep->commit_s = now(0) - m.t_derived;
	rep->commit_cpu_s = now(1) - m.c_derived;
	idmap_free(&m.touched);
	idmap_free(&m.wsum);
	idmap_free(&m.tname);
	free(m.sums);
	buf_free(&m.tnames);
	idmap_free(&m.co);
	idmap_free(&m.tp);
	buf_free(&m.rec);
	buf_free(&m.key);
	buf_free(&m.key2);
	buf_free(&m.bases);
	buf_free(&m.vals);
	free(m.old);
	free(m.pend);
	return rc;
}
