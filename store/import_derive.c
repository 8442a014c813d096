/* import_derive.c: after the lines: every touched researcher's figures, co-author and topic lists, and slugs for the new ones. */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "import_int.h"

struct touched {
	uint64_t num;
	uint32_t flags;
};

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

/* Counts one work cited `cited` times (its citations kept for h). */
static void
cite(struct imp *m, struct figures *f, uint64_t cited)
{
	if (f->works == m->cap_cites) {
		m->cap_cites = m->cap_cites ? m->cap_cites * 2 : 256;
		m->cites = xrealloc(m->cites, m->cap_cites * sizeof(*m->cites));
	}
	m->cites[f->works++] = cited;
	f->cited += cited;
	if (cited >= 10)
		f->i10_index++;
}

static int
cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The h-index of the works cite() counted: h of them cited >= h times. */
static uint32_t
h_index(struct imp *m, const struct figures *f)
{
	uint32_t h = 0;

	if (f->works > 1)
		qsort(m->cites, f->works, sizeof(*m->cites), cmp_desc);
	while (h < f->works && m->cites[h] >= (uint64_t)h + 1)
		h++;
	return h;
}

/* Counts one work of researcher num from its summary (remember_work()). */
static void
tally_summary(struct imp *m, uint64_t num, uint64_t work, const uint64_t *p,
    struct figures *f)
{
	int year = (int)p[0];
	size_t na = (size_t)p[1], nt = (size_t)p[2], i;

	cite(m, f, p[3]);
	if (year > 0 && (f->first == 0 || year < f->first))
		f->first = year;
	if (year > f->last)
		f->last = year;
	for (i = 0; i < na; i++)
		if (p[4 + i] != num && p[4 + i] != 0 &&
		    !imp_pair_hidden(m, p[4 + i], work))
			idmap_add(&m->co, p[4 + i])->n++;
	for (i = 0; i < nt; i++)
		idmap_add(&m->tp, p[4 + na + i])->n++;
}

/* The hash (hash64) over one more work record, its length first. */
static uint64_t
works_hash_add(uint64_t h, const MDB_val *v)
{
	unsigned char n[8];

	put_le32(n, (uint32_t)v->mv_size);
	put_le32(n + 4, (uint32_t)((uint64_t)v->mv_size >> 32));
	h = hash64(h == 0 ? HASH64_SEED : h, n, sizeof(n));
	return hash64(h, v->mv_data, v->mv_size);
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
	uint64_t x, wn;
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
		/* every work's record in the hash: a change to any of them
		 * is a change to the researcher's page */
		wk.mv_data = wid;
		wk.mv_size = id_format(wid, 'W', x);
		if ((rc = mdb_get(m->txn, m->dbi[DB_WORKS], &wk, &wv)) != 0)
			break;
		f->works_hash = works_hash_add(f->works_hash, &wv);
		if ((e = idmap_get(&m->wsum, x)) != NULL && e->n != UINT32_MAX) {
			tally_summary(m, num, x, m->sums + e->n, f);
			continue;
		}
		if ((rc = rec_work_decode(wv.mv_data, wv.mv_size, &w)) != 0)
			break;
		wn = x;
		cite(m, f, w.cited);
		if (w.year > 0 && (f->first == 0 || w.year < f->first))
			f->first = w.year;
		if (w.year > f->last)
			f->last = w.year;
		for (pos = 0; store_work_author_next(&w, &pos, &a) == 0;) {
			if (a.id.n == 0)
				continue;      /* a name without a profile */
			if (id_parse(a.id, 'A', &x) != 0) {
				rc = STORE_CORRUPT;
				goto close;
			}
			/* An author who said the work is not theirs is
			 * nobody's co-author through it. */
			if (x != num && !imp_pair_hidden(m, x, wn))
				idmap_add(&m->co, x)->n++;
		}
		for (pos = 0; store_work_topic_next(&w, &pos, &t) == 0;) {
			if (topic_id_parse(t.id, &x) != 0) {
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
	f->h_index = h_index(m, f);
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
	r->cited = f->cited;
	r->h_index = f->h_index;
	r->i10_index = f->i10_index;
	r->works_hash = f->works_hash;
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
			rc = imp_db_get(m, DB_SLUGS, buf_sv(&slug), &v);
			if (rc == MDB_NOTFOUND)
				break;
			if (rc != 0)
				goto out;
		}
		k++;
		if ((rc = imp_db_put(m, DB_SLUGS, buf_sv(&slug),
		    (struct sv){ id, id_format(id, 'A', p->num) }, 0)) != 0)
			goto out;
		if ((rc = imp_get_researcher(m, p->num, &old, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
			goto out;
		}
		r = old;
		if (p->has_fig)
			apply(&r, &p->fig);
		r.slug = buf_sv(&slug);
		if ((rc = imp_put_researcher(m, p->num, &r, &old, &v)) != 0)
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
int
imp_derive(struct imp *m)
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

		if (list[i].flags & T_GONE)
			continue;          /* merged into another: no record */

		if (has_fig && (rc = compute(m, list[i].num, &f)) != 0)
			goto out;
		if ((rc = imp_get_researcher(m, list[i].num, &old, &v)) != 0) {
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
		if ((rc = imp_put_researcher(m, list[i].num, &r, &old, &v)) != 0)
			goto out;
	}
	if ((rc = assign_slugs(m)) == 0 && (rc = imp_restore_unchanged(m)) == 0)
		rc = imp_pviews(m);
out:
	free(list);
	return rc;
}
