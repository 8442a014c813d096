/* import_pview.c: the pviews records (store_int.h) of the researchers an import changed the profile of. */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "import_int.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Appends to out the first max entries of key's DUPFIXED list in db (each
 * len bytes) as they are; *n how many, *complete whether that is all.
 */
static int
list_head(struct imp *m, enum store_db db, MDB_val *key, size_t len,
    size_t max, struct buf *out, size_t *n, int *complete)
{
	MDB_cursor *c;
	MDB_val k = *key, v;
	int rc;

	*n = 0;
	*complete = 1;
	buf_reset(out);
	if ((rc = mdb_cursor_open(m->txn, m->dbi[db], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (*n == max) {
			*complete = 0;
			break;
		}
		if (v.mv_size != len) {
			rc = STORE_CORRUPT;
			break;
		}
		buf_put(out, v.mv_data, len);
		(*n)++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || (rc == 0 && !*complete) ? 0 : rc;
}

/* Writes researcher num's pviews record (left alone when it is the same). */
static int
pview_build(struct imp *m, uint64_t num)
{
	struct store_researcher co;
	char id[ID_BUF], wid[ID_BUF];
	MDB_val k, v, wk, wv;
	size_t n, i, start;
	int complete, rc;

	k.mv_data = id;
	k.mv_size = id_format(id, 'A', num);
	buf_reset(&m->rec);
	start = rec_begin(&m->rec, REC_PVIEW);
	if ((rc = list_head(m, DB_COAUTHORS, &k, COUNT_LEN, PVIEW_COAUTHORS,
	    &m->vals, &n, &complete)) != 0)
		return rc;
	rec_put_uint(&m->rec, n);
	rec_put_uint(&m->rec, (uint64_t)complete);
	for (i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)m->vals.p +
		    i * COUNT_LEN;

		if ((rc = imp_get_researcher(m, get_be64(p + 4), &co, &v)) != 0) {
			if (rc != MDB_NOTFOUND)
				return rc;
			/* a list naming nobody: no record, so the page reads
			 * the lists and says what they say */
			rc = mdb_del(m->txn, m->dbi[DB_PVIEWS], &k, NULL);
			return rc == MDB_NOTFOUND ? 0 : rc;
		}
		rec_put_uint(&m->rec, UINT32_MAX - get_be32(p));
		rec_put_str(&m->rec, co.id);
		rec_put_str(&m->rec, co.name);
		rec_put_str(&m->rec, co.slug);
		rec_put_str(&m->rec, co.institution);
	}
	if ((rc = list_head(m, DB_RWORKS, &k, RWORK_LEN, PVIEW_WORKS,
	    &m->vals, &n, &complete)) != 0)
		return rc;
	rec_put_uint(&m->rec, n);
	rec_put_uint(&m->rec, (uint64_t)complete);
	for (i = 0; i < n; i++) {
		wk.mv_data = wid;
		wk.mv_size = id_format(wid, 'W',
		    get_be64((const unsigned char *)m->vals.p + i * RWORK_LEN + 2));
		if ((rc = mdb_get(m->txn, m->dbi[DB_WORKS], &wk, &wv)) != 0)
			return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
		rec_put_str(&m->rec, (struct sv){ wv.mv_data, wv.mv_size });
	}
	rec_end(&m->rec, start);
	rc = mdb_get(m->txn, m->dbi[DB_PVIEWS], &k, &v);
	if (rc == 0 && v.mv_size == m->rec.len &&
	    memcmp(v.mv_data, m->rec.p, m->rec.len) == 0)
		return 0;
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return imp_db_put(m, DB_PVIEWS, (struct sv){ id, k.mv_size },
	    buf_sv(&m->rec), 0);
}

int
imp_pviews(struct imp *m)
{
	struct idmap todo;
	uint64_t *list;
	size_t i, n;
	int rc = 0;

	memset(&todo, 0, sizeof(todo));
	for (i = 0; i < m->touched.n; i++) {
		uint64_t num = m->touched.v[i].id;
		uint32_t fl = m->touched.v[i].n;
		char id[ID_BUF];
		MDB_val k = { id_format(id, 'A', num), id };

		if (fl & T_GONE) {
			rc = mdb_del(m->txn, m->dbi[DB_PVIEWS], &k, NULL);
			if (rc != 0 && rc != MDB_NOTFOUND)
				goto out;
			rc = 0;
			continue;
		}
		if (fl & T_AFFECTED)
			idmap_add(&todo, num);
		if (fl & T_CARD) {
			/* co-authorship is mutual: its co-authors are those
			 * that list it */
			size_t nco, j;
			int complete;

			if ((rc = list_head(m, DB_COAUTHORS, &k, COUNT_LEN,
			    SIZE_MAX, &m->vals, &nco, &complete)) != 0)
				goto out;
			for (j = 0; j < nco; j++)
				idmap_add(&todo, get_be64((const unsigned char *)
				    m->vals.p + j * COUNT_LEN + 4));
		}
	}
	n = todo.n;
	list = xmalloc((n ? n : 1) * sizeof(*list));
	for (i = 0; i < n; i++)
		list[i] = todo.v[i].id;
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_u64);
	for (i = 0; i < n && rc == 0; i++) {
		struct idmap_entry *e = idmap_get(&m->touched, list[i]);

		if (e != NULL && (e->n & T_GONE))
			continue;
		rc = pview_build(m, list[i]);
	}
	free(list);
out:
	idmap_free(&todo);
	return rc;
}
