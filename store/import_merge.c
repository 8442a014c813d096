/* import_merge.c: what a snapshot says beside its records: researchers merged into others and works merged away or deleted (their CSV files), applied in the import's transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "csv.h"
#include "gzin.h"
#include "import_int.h"
#include "snapshot.h"

/* ---- CSV files ------------------------------------------------------------ */

/* A CSV file being read (csv.h) and the gzip stream under it. */
struct csvf {
	struct csv c;
	struct gzin *g;
};

static ssize_t
csv_gzread(void *src, void *buf, size_t cap)
{
	return gzin_read(src, buf, cap);
}

/* Opens path and reads its header; 0, an errno value (logged), or EINVAL. */
static int
csv_open(struct csvf *cf, const char *path, const char *header, FILE *log)
{
	struct csv *c = &cf->c;
	int rc;

	cf->g = NULL;
	if ((rc = gzin_open(path, &cf->g)) != 0) {
		fprintf(log, "%s: cannot open: %s\n", path, strerror(rc));
		return rc;
	}
	csv_init(c, csv_gzread, cf->g);
	rc = csv_next(c);
	if (rc == -1) {
		fprintf(log, "%s: read error: %s\n", path, gzin_error(cf->g));
		return EIO;
	}
	if (rc == 2 || rc == 0 || strcmp(c->line, header) != 0) {
		fprintf(log, "%s:1: not the header \"%s\"\n", path, header);
		return EINVAL;
	}
	return 0;
}

/*
 * The next row of cf that is not a blank line: csv_next()'s answer, or -1
 * after a read error (logged, naming path and the line).
 */
static int
csv_row(struct csvf *cf, const char *path, FILE *log)
{
	struct csv *c = &cf->c;
	int r;

	while ((r = csv_next(c)) != 0) {
		if (r < 0) {
			fprintf(log, "%s: read error after line %llu: %s\n",
			    path, (unsigned long long)c->lineno, gzin_error(cf->g));
			return -1;
		}
		if (!(r == 1 && c->nf == 1 && c->f[0].n == 0))
			return r;
	}
	return 0;
}

/* "YYYY-MM-DD", a date of the calendar */
static int
is_date(struct sv s)
{
	return snapshot_date_valid(s.p, s.n);
}

/* "A123" or "https://openalex.org/A123" to its number; -1 if neither. */
static int
csv_id(struct sv s, char letter, uint64_t *num)
{
	static const char pre[] = "https://openalex.org/";

	if (s.n > sizeof(pre) - 1 && memcmp(s.p, pre, sizeof(pre) - 1) == 0) {
		s.p += sizeof(pre) - 1;
		s.n -= sizeof(pre) - 1;
	}
	return id_parse(s, letter, num) == 0 ? 0 : -1;
}

/* ---- works ---------------------------------------------------------------- */

/*
 * Notes that the summary imp_derive() would read of a work written in this
 * run is stale (the work was rewritten or deleted since).
 */
static void
forget_summary(struct imp *m, uint64_t work)
{
	struct idmap_entry *e = idmap_get(&m->wsum, work);

	if (e != NULL)
		e->n = UINT32_MAX;
}

/* Deletes work num with its edges; its authors get new figures. */
static int
delete_work(struct imp *m, uint64_t num)
{
	struct store_work w;
	struct store_author_ref a;
	char id[ID_BUF];
	struct sv ids = { id, id_format(id, 'W', num) };
	MDB_val v, k;
	uint64_t x;
	size_t pos = 0;
	int rc;

	if ((rc = imp_db_get(m, DB_WORKS, ids, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	/* The record is read while edges are deleted: copy it first. */
	buf_reset(&m->mcopy);
	buf_put(&m->mcopy, v.mv_data, v.mv_size);
	if ((rc = rec_work_decode(m->mcopy.p, m->mcopy.len, &w)) != 0)
		return rc;
	while (store_work_author_next(&w, &pos, &a) == 0) {
		if (a.id.n == 0)
			continue;      /* a name without a profile */
		if (id_parse(a.id, 'A', &x) != 0)
			return STORE_CORRUPT;
		if ((rc = imp_edge(m, x, w.year, num, 1)) != 0)
			return rc;
		imp_affect(m, x);
	}
	k = sv_val(ids);
	if ((rc = mdb_del(m->txn, m->dbi[DB_WORKS], &k, NULL)) != 0)
		return rc;
	forget_summary(m, num);
	m->rep.deleted++;
	return 0;
}

/*
 * Encodes into out work record w with author `from` credited to `to`
 * (to_id), once: when `to` is an author already, `from` is dropped.
 */
static int
rewrite_work(const struct store_work *w, uint64_t from,
    struct sv to_id, uint64_t to, struct buf *out)
{
	struct store_author_ref *au;
	struct store_topic_ref *tp;
	struct store_author_ref a;
	struct store_topic_ref t;
	size_t pos, n = 0, nt = 0;
	uint64_t x;
	int has_to = 0;

	au = xcalloc(w->n_authors ? w->n_authors : 1, sizeof(*au));
	tp = xcalloc(w->n_topics ? w->n_topics : 1, sizeof(*tp));
	for (pos = 0; store_work_author_next(w, &pos, &a) == 0;)
		if (id_parse(a.id, 'A', &x) == 0 && x == to)
			has_to = 1;
	for (pos = 0; store_work_author_next(w, &pos, &a) == 0 &&
	    n < w->n_authors;) {
		if (a.id.n == 0) {
			au[n++] = a;       /* a name without a profile */
			continue;
		}
		if (id_parse(a.id, 'A', &x) != 0) {
			free(au);
			free(tp);
			return STORE_CORRUPT;
		}
		if (x == from) {
			if (has_to)
				continue;
			a.id = to_id;
			has_to = 1;
		}
		au[n++] = a;
	}
	for (pos = 0; store_work_topic_next(w, &pos, &t) == 0 &&
	    nt < w->n_topics;)
		tp[nt++] = t;
	buf_reset(out);
	rec_work_encode(out, w, au, n, tp, nt);
	free(au);
	free(tp);
	return 0;
}

/* ---- researchers ------------------------------------------------------------ */

/*
 * The researcher a merged one went into, through later merges: 0 when it
 * is in the store, MDB_NOTFOUND (and the last id named) when not. A merge
 * never closes a loop (imp_merge_author), so a walk longer than the
 * merged database reads as corrupt.
 */
int
imp_survivor(struct imp *m, uint64_t num, uint64_t *out)
{
	char id[ID_BUF];
	MDB_stat ms;
	MDB_val v;
	uint64_t x = num, hops;
	int rc;

	if ((rc = mdb_stat(m->txn, m->dbi[DB_MERGED], &ms)) != 0)
		return rc;
	for (hops = 0; ; hops++) {
		struct sv ids = { id, id_format(id, 'A', x) };

		if ((rc = imp_db_get(m, DB_RESEARCHERS, ids, &v)) == 0) {
			*out = x;
			return 0;
		}
		if (rc != MDB_NOTFOUND)
			return rc;
		if ((rc = imp_db_get(m, DB_MERGED, ids, &v)) == MDB_NOTFOUND)
			break;
		if (rc != 0)
			return rc;
		if (hops >= ms.ms_entries || id_parse(val_sv(v), 'A', &x) != 0)
			return STORE_CORRUPT;
	}
	*out = x;     /* not in the store (yet): the last one named */
	return MDB_NOTFOUND;
}

/*
 * Merged ids straight to their survivor. A survivor merged in its turn
 * (A1 into A2, then A2 into A3) leaves A1 two hops from A3, and a chain
 * would grow with each such merge while lookups follow a few hops only
 * (store_researcher_by_id): after a run that merged anything, each entry
 * that names a researcher this run merged away is rewritten to name the
 * end of its chain. One pass over the merged ids, looking each up in
 * memory only (the run's touched map): a reviewer's approval of one merge
 * on a full catalog costs a cursor walk, not a search per entry.
 */
int
imp_merged_flatten(struct imp *m)
{
	struct buf moves = BUF_INIT;   /* (id, survivor) pairs of ID_BUF */
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t y, to;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_MERGED], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct idmap_entry *g;
		char *e;

		if (k.mv_size >= ID_BUF || id_parse(val_sv(v), 'A', &y) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		if ((g = idmap_get(&m->touched, y)) == NULL || !(g->n & T_GONE))
			continue;                 /* names one still here */
		if ((rc = imp_survivor(m, y, &to)) != 0 && rc != MDB_NOTFOUND)
			break;
		rc = 0;
		if (to == y)
			continue;                 /* the chain ends there */
		buf_reserve(&moves, 2 * ID_BUF);
		e = moves.p + moves.len;
		memset(e, 0, 2 * ID_BUF);
		memcpy(e, k.mv_data, k.mv_size);
		id_format(e + ID_BUF, 'A', to);
		moves.len += 2 * ID_BUF;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	for (i = 0; rc == 0 && i < moves.len; i += 2 * ID_BUF)
		rc = imp_db_put(m, DB_MERGED, sv_cstr(moves.p + i),
		    sv_cstr(moves.p + i + ID_BUF), 0);
	buf_free(&moves);
	return rc;
}

/*
 * A slug as its base and clash number: "jason-priem-2" is ("jason-priem",
 * 2), "jason-priem" ("jason-priem", 1). (A name that ends in digits reads
 * as a base with a number too; only equal bases are ever compared.)
 */
static uint64_t
slug_split(struct sv s, size_t *base)
{
	size_t i = s.n;
	uint64_t n = 0, scale = 1;

	while (i > 0 && s.p[i - 1] >= '0' && s.p[i - 1] <= '9' && s.n - i < 9) {
		n += scale * (uint64_t)(s.p[i - 1] - '0');
		scale *= 10;
		i--;
	}
	if (i == s.n || i < 2 || s.p[i - 1] != '-' || s.p[i] == '0') {
		*base = s.n;
		return 1;
	}
	*base = i - 1;
	return n;
}

/* Whether slug x is y's with a lower clash number (the same name, first). */
static int
slug_before(struct sv x, struct sv y)
{
	size_t bx, by;
	uint64_t nx = slug_split(x, &bx), ny = slug_split(y, &by);

	return bx == by && memcmp(x.p, y.p, bx) == 0 && nx < ny;
}

/* Deletes every duplicate of key in db. */
static int
del_key(struct imp *m, enum store_db db, struct sv key)
{
	MDB_val k = sv_val(key);
	int rc = mdb_del(m->txn, m->dbi[db], &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* merge_author()'s answer for a merge that would close a loop. */
#define MERGE_LOOP IMP_MERGE_LOOP

/*
 * Appends "xn merged into yn" to the catalog's journal of merges
 * (mergelog, numbered from meta "merge_seq"), in the import's transaction:
 * what user data has still to apply (store_merges_catch_up).
 */
static int
merge_journal(struct imp *m, uint64_t xn, uint64_t yn)
{
	unsigned char kb[8], vb[16];
	MDB_val k = { 8, kb }, v = { 16, vb };
	uint64_t seq;
	int rc;

	if ((rc = meta_get(m->txn, m->dbi[DB_META], "merge_seq", 8, &seq)) != 0)
		return rc;
	put_be64(kb, seq + 1);
	put_be64(vb, xn);
	put_be64(vb + 8, yn);
	if ((rc = mdb_put(m->txn, m->dbi[DB_MERGELOG], &k, &v, MDB_APPEND)) != 0)
		return rc;
	return meta_put(m->txn, m->dbi[DB_META], "merge_seq", 8, seq + 1);
}

/*
 * Researcher xn merged into yn: the survivor keeps its slug (or takes the
 * merged one's when it has none yet: a researcher new in this run), the
 * merged one's slug and id lead to it; works, follows and a claim move to
 * it; the merged one's record, lists and name go. MERGE_LOOP, nothing
 * written, when yn is xn or leads back to it.
 */
int
imp_merge_author(struct imp *m, uint64_t xn, uint64_t yn)
{
	struct store_researcher x, y, yold;
	char xid[ID_BUF], yid[ID_BUF];
	struct sv xs = { xid, id_format(xid, 'A', xn) }, ys;
	MDB_cursor *c;
	MDB_val v, k, yval;
	unsigned char *rw = NULL;
	size_t nrw = 0, caprw = 0, nlinked, i;
	int rc, ynew;

	if ((rc = imp_db_get(m, DB_RESEARCHERS, xs, &v)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;   /* no profile here */
	if ((rc = imp_survivor(m, yn, &yn)) != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (yn == xn)
		return MERGE_LOOP;
	ynew = rc == MDB_NOTFOUND;
	ys = (struct sv){ yid, id_format(yid, 'A', yn) };
	/* Copies: every put below may move what LMDB handed out. */
	buf_reset(&m->mcopy);
	buf_put(&m->mcopy, v.mv_data, v.mv_size);
	if ((rc = rec_researcher_decode(m->mcopy.p, m->mcopy.len, &x)) != 0)
		return rc;
	if (ynew) {
		/* Not in the store: the merged record under the new id. */
		y = x;
		y.id = ys;
		y.claim = STORE_CLAIM_NONE;
		y.orcid_verified = 0;
		y.slug = (struct sv){ NULL, 0 };
	} else {
		if ((rc = imp_get_researcher(m, yn, &y, &yval)) != 0)
			return rc;
		buf_reset(&m->mcopy2);
		buf_put(&m->mcopy2, yval.mv_data, yval.mv_size);
		yval.mv_data = m->mcopy2.p;
		if ((rc = rec_researcher_decode(m->mcopy2.p, m->mcopy2.len,
		    &y)) != 0)
			return rc;
		yold = y;
	}
	/*
	 * The slug: a survivor keeps its own, unless it has none yet or the
	 * merged one's is the same name with a lower clash number
	 * ("jason-priem" for "jason-priem-2": there first). Every slug either
	 * had leads to the survivor.
	 */
	if (x.slug.n) {
		if (y.slug.n == 0 || slug_before(x.slug, y.slug))
			y.slug = x.slug;
		if ((rc = imp_db_put(m, DB_SLUGS, x.slug, ys, 0)) != 0)
			return rc;
	}
	/*
	 * Follows and claims are user data, in the other environment: the
	 * merge goes into the catalog's journal in this transaction, and is
	 * applied to user data after the commit (store_merges_catch_up), by
	 * this run or, should it die first, by the next user-data writer.
	 */
	if ((rc = imp_put_researcher(m, yn, &y, ynew ? NULL : &yold,
	    ynew ? NULL : &yval)) != 0)
		return rc;
	if ((rc = merge_journal(m, xn, yn)) != 0)
		return rc;

	/* The works: copied out of rworks, then each rewritten. */
	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_RWORKS], &c)) != 0)
		return rc;
	k = sv_val(xs);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size != RWORK_LEN) {
			rc = STORE_CORRUPT;
			break;
		}
		if (nrw == caprw) {
			caprw = caprw ? caprw * 2 : 64;
			rw = xrealloc(rw, caprw * RWORK_LEN);
		}
		memcpy(rw + nrw++ * RWORK_LEN, v.mv_data, RWORK_LEN);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		goto out;
	/* And the works its owner hid, which rworks no longer holds: their
	 * records name the survivor too (its owner may show them again),
	 * with no edge (hidden_again moves the hidden entries over). */
	nlinked = nrw;
	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_HIDDEN], &c)) != 0)
		goto out;
	k = sv_val(xs);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size != 16) {
			rc = STORE_CORRUPT;
			break;
		}
		if (nrw == caprw) {
			caprw = caprw ? caprw * 2 : 64;
			rw = xrealloc(rw, caprw * RWORK_LEN);
		}
		memset(rw + nrw * RWORK_LEN, 0, 2);
		memcpy(rw + nrw++ * RWORK_LEN + 2, v.mv_data, 8);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (i = 0; i < nrw && rc == 0; i++) {
		uint64_t wn = get_be64(rw + i * RWORK_LEN + 2), a;
		char wid[ID_BUF];
		struct sv ws = { wid, id_format(wid, 'W', wn) };
		struct store_work w;
		struct store_author_ref ar;
		size_t pos = 0;

		if ((rc = imp_db_get(m, DB_WORKS, ws, &v)) != 0) {
			if (rc == MDB_NOTFOUND && i >= nlinked) {
				rc = 0;    /* a hidden work gone since */
				continue;
			}
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
			break;
		}
		if ((rc = rec_work_decode(v.mv_data, v.mv_size, &w)) != 0 ||
		    (rc = rewrite_work(&w, xn, ys, yn, &m->mrec)) != 0)
			break;
		/* Every author of it: their co-author lists name xn. */
		while (store_work_author_next(&w, &pos, &ar) == 0)
			if (id_parse(ar.id, 'A', &a) == 0)
				imp_affect(m, a);
		if ((rc = imp_db_put(m, DB_WORKS, ws, buf_sv(&m->mrec), 0)) != 0 ||
		    (i < nlinked && (rc = imp_edge(m, yn, w.year, wn, 0)) != 0))
			break;
		forget_summary(m, wn);
	}
	if (rc != 0)
		goto out;
	if ((rc = del_key(m, DB_RWORKS, xs)) != 0 ||
	    (rc = del_key(m, DB_COAUTHORS, xs)) != 0 ||
	    (rc = del_key(m, DB_RTOPICS, xs)) != 0)
		goto out;
	/* The merged record goes, its names with it (the list and the
	 * search index); its id leads on. */
	buf_reset(&m->key);
	name_key(&m->key, x.name, xn);
	if ((rc = del_key(m, DB_NAMES, buf_sv(&m->key))) != 0 ||
	    (rc = names_reindex(m->txn, m->dbi, xn, (struct sv){ "", 0 },
	    NULL, 0, 0)) != 0 ||
	    (rc = del_key(m, DB_RESEARCHERS, xs)) != 0 ||
	    (rc = imp_db_put(m, DB_MERGED, xs, ys, 0)) != 0)
		goto out;
	idmap_add(&m->touched, xn)->n = T_GONE;
	imp_affect(m, yn);
	m->any_merged = 1;
	m->rep.merged++;
out:
	free(rw);
	return rc;
}

int
imp_merged_file(struct imp *m, const char *path, int works)
{
	struct csvf *cf = xmalloc(sizeof(*cf));
	struct csv *c = &cf->c;
	struct idmap gone = IDMAP_INIT;   /* works this file merged away */
	uint64_t from, to;
	int r, rc;

	if ((rc = csv_open(cf, path, "merge_date,id,merge_into_id",
	    m->o->log)) != 0)
		goto out;
	while ((r = csv_row(cf, path, m->o->log)) != 0) {
		if (r < 0) {
			rc = EIO;
			break;
		}
		if (r != 1 || c->nf != 3 || !is_date(c->f[0]) ||
		    csv_id(c->f[1], works ? 'W' : 'A', &from) != 0 ||
		    csv_id(c->f[2], works ? 'W' : 'A', &to) != 0) {
			if ((rc = imp_bad_line(m, path, c->lineno,
			    "not merge_date,id,merge_into_id")) != 0)
				break;
			continue;
		}
		if (from == to) {
			if ((rc = imp_bad_line(m, path, c->lineno,
			    "a merge into itself")) != 0)
				break;
			continue;
		}
		/* A merged work is gone; the one it went into already has
		 * its authorships. */
		if (works && idmap_get(&gone, to) != NULL)
			rc = MERGE_LOOP;    /* W1 into W2, then W2 into W1 */
		else if (works) {
			idmap_add(&gone, from);
			rc = delete_work(m, from);
		} else
			rc = imp_merge_author(m, from, to);
		if (rc == MERGE_LOOP) {
			/* The survivor was merged into this one: which of the
			 * two OpenAlex means is not ours to guess. */
			if ((rc = imp_bad_line(m, path, c->lineno, "a merge "
			    "into one merged into it (a loop): not applied")) != 0)
				break;
			continue;
		}
		if (rc != 0)
			break;
	}
out:
	idmap_free(&gone);
	gzin_close(cf->g);
	free(cf);
	return rc;
}

int
imp_deleted_file(struct imp *m, const char *path, const char *after,
    char latest[11])
{
	struct csvf *cf = xmalloc(sizeof(*cf));
	struct csv *c = &cf->c;
	uint64_t num;
	int r, rc;

	if ((rc = csv_open(cf, path, "work_id,deleted_date", m->o->log)) != 0)
		goto out;
	while ((r = csv_row(cf, path, m->o->log)) != 0) {
		if (r < 0) {
			rc = EIO;
			break;
		}
		if (r != 1 || c->nf != 2 || !is_date(c->f[1]) ||
		    csv_id(c->f[0], 'W', &num) != 0) {
			if ((rc = imp_bad_line(m, path, c->lineno,
			    "not work_id,deleted_date")) != 0)
				break;
			continue;
		}
		if (strncmp(c->f[1].p, after, 10) <= 0 && after[0] != '\0')
			continue;             /* applied by an earlier run */
		if ((rc = delete_work(m, num)) != 0)
			break;
		if (strncmp(c->f[1].p, latest, 10) > 0 || latest[0] == '\0') {
			memcpy(latest, c->f[1].p, 10);
			latest[10] = '\0';
		}
	}
out:
	gzin_close(cf->g);
	free(cf);
	return rc;
}

int
imp_remap_work(struct imp *m, struct oa_work *w, struct buf *rec)
{
	struct store_work sw;
	struct idmap_entry *e;
	MDB_val v;
	size_t i, j;
	uint64_t to;
	int rc, changed = 0;

	buf_reset(&m->ids);
	/* Room for every id up front: w's authorships will point into it. */
	buf_reserve(&m->ids, w->n_authors * ID_BUF);
	for (i = 0; i < w->n_authors; i++) {
		struct oa_ref *a = &w->authors[i];
		char *id;

		if (a->id.n == 0)
			continue;         /* a name without a profile */
		e = idmap_get(&m->touched, a->num);
		if (e != NULL && (e->n & T_EXISTS))
			continue;         /* a record of its own, seen this run */
		if ((rc = imp_db_get(m, DB_MERGED, a->id, &v)) == MDB_NOTFOUND)
			continue;
		if (rc != 0)
			return rc;
		if ((rc = imp_survivor(m, a->num, &to)) != 0 && rc != MDB_NOTFOUND)
			return rc;
		if (to == a->num)
			continue;
		id = m->ids.p + m->ids.len;
		a->id = (struct sv){ id, id_format(id, 'A', to) };
		m->ids.len += ID_BUF;
		a->num = to;
		changed = 1;
	}
	if (!changed)
		return 0;
	/* Once each: a survivor that was an author already. */
	for (i = 0; i < w->n_authors; i++)
		for (j = 0; j < i; j++)
			if (w->authors[i].id.n &&
			    w->authors[j].num == w->authors[i].num) {
				memmove(&w->authors[i], &w->authors[i + 1],
				    (w->n_authors - i - 1) * sizeof(*w->authors));
				w->n_authors--;
				i--;
				break;
			}
	/* The record again, from its authorships as they now are. */
	if ((rc = rec_work_decode(rec->p, rec->len, &sw)) != 0)
		return rc;
	{
		struct store_author_ref *au = xcalloc(w->n_authors + 1,
		    sizeof(*au));
		struct store_topic_ref *tp = xcalloc(sw.n_topics + 1,
		    sizeof(*tp));
		struct store_topic_ref t;
		size_t pos = 0, nt = 0;
		struct buf out = BUF_INIT;

		for (i = 0; i < w->n_authors; i++) {
			au[i].id = w->authors[i].id;
			au[i].name = w->authors[i].name;
		}
		while (nt < sw.n_topics &&
		    store_work_topic_next(&sw, &pos, &t) == 0)
			tp[nt++] = t;
		rec_work_encode(&out, &sw, au, w->n_authors, tp, nt);
		buf_reset(rec);
		buf_put(rec, out.p, out.len);
		buf_free(&out);
		free(au);
		free(tp);
	}
	return 0;
}
