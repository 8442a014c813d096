/* userstate.c: where user data meets the catalog: claim states and versions kept as user data, and the catalog's merges applied to user data. */
#include "store_int.h"

#include <string.h>
#include <time.h>

#include "codec.h"

/* A read transaction of the catalog, adopting a map another process grew. */
static int
cat_begin(struct store *cat, MDB_txn **txn)
{
	int rc;

	while ((rc = mdb_txn_begin(cat->env, NULL, MDB_RDONLY, txn)) ==
	    MDB_MAP_RESIZED)
		if ((rc = mdb_env_set_mapsize(cat->env, 0)) != 0)
			break;
	return rc;
}

int
cat_researcher(struct store *cat, struct sv id, struct buf *out)
{
	MDB_txn *txn;
	MDB_val k = sv_val(id), v;
	int rc;

	if (out != NULL)
		buf_reset(out);
	if (id.n == 0 || id.n > 511)
		return STORE_NOTFOUND;
	if ((rc = cat_begin(cat, &txn)) != 0)
		return rc;
	if ((rc = mdb_get(txn, cat->dbi[DB_RESEARCHERS], &k, &v)) == 0 &&
	    out != NULL)
		buf_put(out, v.mv_data, v.mv_size);
	mdb_txn_abort(txn);
	return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
}

/* ---- rstate: claim state and version bumps ------------------------------- */

int
rstate_get(MDB_txn *txn, MDB_dbi dbi, struct sv id, struct rstate *out)
{
	MDB_val k = sv_val(id), v;
	const unsigned char *p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (id.n == 0 || id.n > 511)
		return 0;
	if ((rc = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != RSTATE_LEN)
		return STORE_CORRUPT;
	p = v.mv_data;
	out->found = 1;
	out->claim = p[0];
	out->verified = p[1];
	out->bump = get_le32(p + 2);
	return 0;
}

int
rstate_put(MDB_txn *txn, MDB_dbi dbi, struct sv id, const struct rstate *r)
{
	unsigned char b[RSTATE_LEN];
	MDB_val k = sv_val(id), v = { sizeof(b), b };

	b[0] = r->claim;
	b[1] = r->verified ? 1 : 0;
	put_le32(b + 2, r->bump);
	return mdb_put(txn, dbi, &k, &v, 0);
}

void
rstate_apply(const struct rstate *st, struct store_researcher *r)
{
	if (!st->found)
		return;
	r->claim = st->claim;
	r->orcid_verified = st->verified;
	/*
	 * Within one catalog generation only user data moves the version;
	 * the sum never goes back. Kept below the wrap (the writer refuses
	 * a bump that would reach it).
	 */
	r->version = (uint32_t)(UINT32_MAX - r->version < st->bump ?
	    UINT32_MAX : r->version + st->bump);
}

/* ---- the catalog's merges, applied to user data ---------------------------- */

/*
 * One merge of the journal: `from` (merged away) into `to`. Its claim
 * moves (store_claim_move: pending again on `to`, or closed), and the
 * claim state `to` reads with; its follows move, counted once; the
 * invitations sent to it, its open pairs and blocks, move. Each part
 * finds nothing to do when it was done before, so a merge applied twice
 * (a journal replayed, a catalog restored or swapped) changes nothing
 * the second time.
 */
static int
merge_apply(struct store *u, MDB_txn *txn, MDB_txn *ct, uint64_t from_num,
    uint64_t to_num, uint64_t now)
{
	struct store *c = u->cat;
	struct store_researcher y;
	struct rstate st;
	char fid[ID_BUF], tid[ID_BUF];
	struct sv fs = { fid, id_format(fid, 'A', from_num) };
	struct sv ts = { tid, id_format(tid, 'A', to_num) };
	MDB_val k = sv_val(ts), v;
	uint8_t claim, was;
	int rc;

	if ((rc = rstate_get(txn, u->dbi[DB_RSTATE], ts, &st)) != 0)
		return rc;
	if (st.found)
		claim = st.claim;
	else if ((rc = mdb_get(ct, c->dbi[DB_RESEARCHERS], &k, &v)) == 0) {
		if ((rc = rec_researcher_decode(v.mv_data, v.mv_size, &y)) != 0)
			return rc;
		claim = y.claim;
		st.verified = y.orcid_verified;
	} else if (rc == MDB_NOTFOUND)
		claim = STORE_CLAIM_NONE;
	else
		return rc;
	was = claim;
	if ((rc = store_claim_move(txn, u->dbi, fs, ts, &claim, now)) != 0)
		return rc;
	if (claim != was) {
		if (st.bump == UINT32_MAX)
			return STORE_CONFLICT;
		st.claim = claim;
		st.verified = 0;
		st.bump++;
		if ((rc = rstate_put(txn, u->dbi[DB_RSTATE], ts, &st)) != 0)
			return rc;
	}
	if ((rc = store_follows_move(txn, u->dbi, fs, from_num, ts,
	    to_num)) != 0 ||
	    (rc = invites_merge_move(txn, u->dbi, fs, ts)) != 0)
		return rc;
	/* Copies of counts (Redis) from before this transaction are stale. */
	return meta_put(txn, u->dbi[DB_META], "follows_moved", 8,
	    mdb_txn_id(txn));
}

int
store_merges_catch_up(struct store *u, MDB_txn *txn, size_t limit, int *left)
{
	struct store *c = u->cat;
	MDB_txn *ct;
	MDB_dbi um = u->dbi[DB_META];
	uint64_t cid, cgen, cseq, ucid, ugen, uapp, from, seq;
	uint64_t now = (uint64_t)time(NULL);
	unsigned char kb[8];
	size_t n = 0;
	int rc;

	*left = 0;
	if (c == NULL || (c->absent >> DB_MERGELOG) & 1u)
		return 0;
	if ((rc = cat_begin(c, &ct)) != 0)
		return rc;
	if ((rc = meta_get(ct, c->dbi[DB_META], "catalog_id", 8, &cid)) != 0 ||
	    (rc = meta_get(ct, c->dbi[DB_META], "generation", 8, &cgen)) != 0 ||
	    (rc = meta_get(ct, c->dbi[DB_META], "merge_seq", 8, &cseq)) != 0 ||
	    (rc = meta_get(txn, um, "merge_catalog", 8, &ucid)) != 0 ||
	    (rc = meta_get(txn, um, "merge_generation", 8, &ugen)) != 0 ||
	    (rc = meta_get(txn, um, "merge_applied", 8, &uapp)) != 0)
		goto out;
	if (cid == ucid) {
		if (uapp == cseq)
			goto out;               /* the usual case: nothing */
		/* Past the journal's end: a catalog restored from a backup
		 * older than user data. Merges again are harmless. */
		from = uapp < cseq ? uapp : cseq;
	} else if (ucid == 0 || cgen > ugen)
		from = 0;   /* another catalog, swapped in: its whole journal */
	else
		goto out;   /* a catalog being retired (older): its writers
			     * leave user data's position alone */
	for (seq = from + 1; seq <= cseq && n < limit; seq++, n++) {
		MDB_val k = { 8, kb }, v;

		put_be64(kb, seq);
		if ((rc = mdb_get(ct, c->dbi[DB_MERGELOG], &k, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
			goto out;
		}
		if (v.mv_size != 16) {
			rc = STORE_CORRUPT;
			goto out;
		}
		if ((rc = merge_apply(u, txn, ct, get_be64(v.mv_data),
		    get_be64((const unsigned char *)v.mv_data + 8), now)) != 0)
			goto out;
	}
	*left = seq <= cseq;
	if ((rc = meta_put(txn, um, "merge_catalog", 8, cid)) == 0 &&
	    (rc = meta_put(txn, um, "merge_generation", 8, cgen)) == 0)
		rc = meta_put(txn, um, "merge_applied", 8, seq - 1);
out:
	mdb_txn_abort(ct);
	return rc;
}

#define APPLY_STEP 256

static int
apply_txn(MDB_txn *txn, void *ctx)
{
	void **c = ctx;

	/* Commits even when nothing more moved: the writer's own catch-up
	 * (store_write_begin) may have moved some. */
	return store_merges_catch_up(c[0], txn, APPLY_STEP, c[1]);
}

int
store_merges_apply(struct store *s)
{
	int rc, left = 1;
	void *c[2] = { s->user, &left };

	if (s->user == NULL)
		return 0;
	while (left)
		if ((rc = store_write(s->user, apply_txn, c)) != 0)
			return rc;
	return 0;
}
