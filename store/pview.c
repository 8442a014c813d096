/* pview.c: the profile page's reads of other records in one value (pviews, store_int.h), with the lists as fallback. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codec.h"
#include "store_int.h"

/*
 * Opens researcher_id's pviews record on r: 1 with r at the co-author
 * count, 0 when there is none (an older store, or a researcher no import
 * has written one for since), or a store error.
 */
static int
pview_open(struct store_rtxn *t, struct sv researcher_id, struct rec_reader *r)
{
	MDB_val k = sv_val(researcher_id), v;
	int rc;

	if (db_absent(t->s, DB_PVIEWS) || researcher_id.n == 0 ||
	    researcher_id.n > 511)
		return 0;
	rc = mdb_get(t->txn, t->s->dbi[DB_PVIEWS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	/* A record past one page lies on consecutive overflow pages: asked
	 * for at once, a store not in memory reads them in one go rather
	 * than one page fault after the other (the store is opened without
	 * readahead when it is larger than memory). */
	if (v.mv_size > 4096) {
		static long pg;
		uintptr_t a, e;

		if (pg == 0)
			pg = sysconf(_SC_PAGESIZE);
		a = (uintptr_t)v.mv_data & ~((uintptr_t)pg - 1);
		e = (uintptr_t)v.mv_data + v.mv_size;
		(void)madvise((void *)a, e - a, MADV_WILLNEED);
	}
	if ((rc = rec_open(r, v.mv_data, v.mv_size, REC_PVIEW)) != 0)
		return rc;
	return 1;
}

/*
 * Whether a list of which the record keeps n entries, all of them when
 * complete, answers a walk of limit (0: all) from the front.
 */
static int
covers(uint64_t n, uint64_t complete, size_t limit)
{
	return complete || (limit != 0 && limit <= n);
}

int
store_profile_coauthors(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_coauthor_cb cb, void *ctx)
{
	struct rec_reader r;
	struct store_coauthor co;
	uint64_t n, complete, i;
	int rc;

	if ((rc = pview_open(t, researcher_id, &r)) != 1)
		return rc != 0 ? rc : store_researcher_coauthors(t, researcher_id,
		    limit, cb, ctx);
	n = rec_get_uint(&r, PVIEW_COAUTHORS);
	complete = rec_get_uint(&r, 1);
	if (r.err != 0)
		return r.err;
	if (!covers(n, complete, limit))
		return store_researcher_coauthors(t, researcher_id, limit, cb, ctx);
	for (i = 0; i < n && (limit == 0 || i < limit); i++) {
		memset(&co, 0, sizeof(co));
		co.shared = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		co.r.id = rec_get_str(&r);
		co.r.name = rec_get_str(&r);
		co.r.slug = rec_get_str(&r);
		co.r.institution = rec_get_str(&r);
		if (r.err != 0)
			return r.err;
		if ((rc = cb(ctx, &co)) != 0)
			return rc;
	}
	return 0;
}

int
store_profile_works(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_work_cb cb, void *ctx)
{
	struct rec_reader r;
	struct store_work w;
	uint64_t n, i;
	struct sv rec;
	int rc;

	if ((rc = pview_open(t, researcher_id, &r)) != 1)
		return rc != 0 ? rc : store_researcher_works(t, researcher_id, 0,
		    limit, cb, ctx);
	/* past the co-authors */
	n = rec_get_uint(&r, PVIEW_COAUTHORS);
	(void)rec_get_uint(&r, 1);
	for (i = 0; i < n && r.err == 0; i++) {
		(void)rec_get_uint(&r, UINT32_MAX);
		for (int f = 0; f < 4; f++)
			(void)rec_get_str(&r);
	}
	n = rec_get_uint(&r, PVIEW_WORKS);
	if (!covers(n, rec_get_uint(&r, 1), limit) || r.err != 0)
		return r.err != 0 ? r.err : store_researcher_works(t,
		    researcher_id, 0, limit, cb, ctx);
	for (i = 0; i < n && (limit == 0 || i < limit); i++) {
		rec = rec_get_str(&r);
		if (r.err != 0)
			return r.err;
		if ((rc = rec_work_decode(rec.p, rec.n, &w)) != 0)
			return rc;
		if ((rc = cb(ctx, &w)) != 0)
			return rc;
	}
	return 0;
}
