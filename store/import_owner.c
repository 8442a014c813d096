/* import_owner.c: what owners of claimed profiles changed in the catalog (works unlinked, duplicates merged into theirs), applied by their own change and again by every import after its files. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "import_int.h"

/* ---- helpers ----------------------------------------------------------------- */

/* The `hidden` value: u64 BE work | u64 BE unix seconds. */
#define HIDDEN_LEN 16

/*
 * Whether work wn lists researcher an as an author, and its year: 0 with
 * *is and *year, STORE_NOTFOUND without such a work, or an error. With
 * affect, its other authors are derived again (their co-authors).
 */
static int
work_author(struct imp *m, uint64_t wn, uint64_t an, int *is, int *year,
    int affect)
{
	char wid[ID_BUF];
	struct sv ws = { wid, id_format(wid, 'W', wn) };
	struct store_work w;
	struct store_author_ref a;
	MDB_val v;
	uint64_t x;
	size_t pos = 0;
	int rc;

	*is = 0;
	if ((rc = imp_db_get(m, DB_WORKS, ws, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = rec_work_decode(v.mv_data, v.mv_size, &w)) != 0)
		return rc;
	*year = w.year;
	while (store_work_author_next(&w, &pos, &a) == 0)
		if (a.id.n && id_parse(a.id, 'A', &x) == 0) {
			if (x == an)
				*is = 1;
			else if (affect)
				imp_affect(m, x);   /* their co-authors change */
		}
	return 0;
}

/*
 * The hidden entry of (researcher, work) in rid's list: 0 with the cursor
 * on it, MDB_NOTFOUND, or an error. The list sorts by work first.
 */
static int
hidden_find(MDB_cursor *c, struct sv rid, uint64_t wn)
{
	unsigned char b[HIDDEN_LEN];
	MDB_val k = sv_val(rid), v = { HIDDEN_LEN, b };
	int rc;

	put_be64(b, wn);
	memset(b + 8, 0, 8);
	if ((rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH_RANGE)) != 0)
		return rc;
	if (v.mv_size != HIDDEN_LEN)
		return STORE_CORRUPT;
	return get_be64(v.mv_data) == wn ? 0 : MDB_NOTFOUND;
}

/* ---- an owner's change ---------------------------------------------------------- */

static int
change_hide(struct imp *m, struct owner_change *c, int hide)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t an, wn;
	unsigned char b[HIDDEN_LEN];
	int rc, is, year, found;

	if (id_parse(c->researcher, 'A', &an) != 0 ||
	    id_parse(c->work, 'W', &wn) != 0)
		return STORE_NOTFOUND;
	if ((rc = imp_db_get(m, DB_RESEARCHERS, c->researcher, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = owner_check(m->s, c->researcher, c->user)) != 0)
		return rc;
	if ((rc = work_author(m, wn, an, &is, &year, 1)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_HIDDEN], &cur)) != 0)
		return rc;
	rc = hidden_find(cur, c->researcher, wn);
	found = rc == 0;
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	if (hide) {
		if (!is) {
			rc = STORE_NOTFOUND;   /* not theirs to begin with */
			goto out;
		}
		if (found)
			goto out;              /* hidden already: nothing to do */
		put_be64(b, wn);
		put_be64(b + 8, m->now);
		k = sv_val(c->researcher);
		v = (MDB_val){ HIDDEN_LEN, b };
		if ((rc = mdb_put(m->txn, m->dbi[DB_HIDDEN], &k, &v,
		    MDB_NODUPDATA)) != 0)
			goto out;
		/* imp_owner_data() unlinks it, as it does every hidden work. */
	} else {
		if (!found) {
			rc = STORE_NOTFOUND;
			goto out;
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			goto out;
		/* Linked again when the catalog still names them together. */
		if (is && (rc = imp_edge(m, an, year, wn, 0)) != 0)
			goto out;
		imp_affect(m, an);
	}
out:
	mdb_cursor_close(cur);
	return rc;
}

/* A merge request's rules, checked again when it is approved. */
static int
merge_check(struct imp *m, const struct store_merge_req *q,
    uint64_t *from, uint64_t *into, int *why)
{
	struct buf cuser = BUF_INIT;
	uint64_t s;
	MDB_val v;
	int rc;

	if (q->state != STORE_CLAIM_STATE_PENDING) {
		*why = STORE_MERGE_DECIDED;
		return STORE_CONFLICT;
	}
	if (id_parse(q->from, 'A', from) != 0 ||
	    id_parse(q->into, 'A', into) != 0)
		return STORE_CORRUPT;
	if ((rc = imp_db_get(m, DB_RESEARCHERS, q->from, &v)) != 0) {
		if (rc != MDB_NOTFOUND)
			return rc;
		*why = STORE_MERGE_MERGED;
		return STORE_CONFLICT;
	}
	if ((rc = imp_survivor(m, *into, &s)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if (s == *from) {
		*why = STORE_MERGE_LOOP;
		return STORE_CONFLICT;
	}
	*into = s;
	/* The owner still owns it? */
	{
		char id[ID_BUF];
		struct sv ids = { id, id_format(id, 'A', s) };

		if ((rc = owner_check(m->s, ids, q->user)) != 0)
			return rc;
	}
	/* Claims are user data: read in a read transaction of it. */
	if ((rc = claim_user(m->s, q->from, &cuser)) == 0 &&
	    !sv_eq(buf_sv(&cuser), q->user)) {
		*why = STORE_MERGE_CLAIMED;
		rc = STORE_CONFLICT;
	} else if (rc == STORE_NOTFOUND)
		rc = 0;
	buf_free(&cuser);
	return rc;
}

static int
change_merge(struct imp *m, struct owner_change *c)
{
	struct store_merge_req q;
	struct buf rec = BUF_INIT, copy = BUF_INIT;
	unsigned char b[8];
	uint64_t from, into;
	MDB_val k = { 8, b }, v;
	int rc;

	put_be64(b, c->merge_id);
	if ((rc = mdb_get(m->txn, m->dbi[DB_MERGEREQ], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	/* A copy: the merge's puts move pages. */
	buf_put(&copy, v.mv_data, v.mv_size);
	if ((rc = rec_mergereq_decode(copy.p, copy.len, &q)) != 0)
		goto out;
	if ((rc = merge_check(m, &q, &from, &into, &c->why)) != 0)
		goto out;
	q.state = STORE_CLAIM_STATE_APPROVED;
	q.reviewer_note = c->note;
	q.decided_at = m->now;
	rec_mergereq_encode(&rec, &q);
	put_be64(b, c->merge_id);
	v = (MDB_val){ rec.len, rec.p };
	if ((rc = mdb_put(m->txn, m->dbi[DB_MERGEREQ], &k, &v, 0)) != 0)
		goto out;
	rc = imp_merge_author(m, from, into);
	if (rc == IMP_MERGE_LOOP) {
		c->why = STORE_MERGE_LOOP;
		rc = STORE_CONFLICT;
	}
out:
	buf_free(&rec);
	buf_free(&copy);
	return rc;
}

int
imp_owner_change(struct imp *m, struct owner_change *c)
{
	c->why = 0;
	switch (c->kind) {
	case OWNER_HIDE:          return change_hide(m, c, 1);
	case OWNER_UNHIDE:        return change_hide(m, c, 0);
	case OWNER_MERGE_APPROVE: return change_merge(m, c);
	}
	return STORE_INVALID;
}

/* ---- every run: the owners' data over what the files brought --------------------- */

/* Approved merges whose duplicate has a record again: merged again. */
static int
merges_again(struct imp *m)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct buf pairs = BUF_INIT;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_MERGEREQ], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct store_merge_req q;
		uint64_t f, t;
		MDB_val rv;

		if ((rc = rec_mergereq_decode(v.mv_data, v.mv_size, &q)) != 0)
			break;
		if (q.state != STORE_CLAIM_STATE_APPROVED)
			continue;
		if (id_parse(q.from, 'A', &f) != 0 ||
		    id_parse(q.into, 'A', &t) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		if ((rc = imp_db_get(m, DB_RESEARCHERS, q.from, &rv)) ==
		    MDB_NOTFOUND)
			continue;      /* merged, as it should be */
		if (rc != 0)
			break;
		buf_put(&pairs, &f, sizeof(f));
		buf_put(&pairs, &t, sizeof(t));
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (i = 0; i + 16 <= pairs.len && rc == 0; i += 16) {
		uint64_t f, t;

		memcpy(&f, pairs.p + i, 8);
		memcpy(&t, pairs.p + i + 8, 8);
		rc = imp_merge_author(m, f, t);
		if (rc == IMP_MERGE_LOOP)
			rc = 0;        /* the catalog merged them the other way */
	}
out:
	buf_free(&pairs);
	return rc;
}

/*
 * Researcher an's hidden work wn moved to the one an was merged into, s:
 * the survivor's owner sees it in their list and can show it again. Kept
 * once when s hid it too.
 */
static int
hidden_move(struct imp *m, uint64_t an, uint64_t wn, uint64_t s)
{
	char aid[ID_BUF], sid[ID_BUF];
	struct sv as = { aid, id_format(aid, 'A', an) };
	struct sv ss = { sid, id_format(sid, 'A', s) };
	unsigned char b[HIDDEN_LEN];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_HIDDEN], &cur)) != 0)
		return rc;
	if ((rc = hidden_find(cur, as, wn)) != 0) {
		mdb_cursor_close(cur);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if ((rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT)) == 0) {
		memcpy(b, v.mv_data, HIDDEN_LEN);
		rc = mdb_cursor_del(cur, 0);
	}
	if (rc == 0 && (rc = hidden_find(cur, ss, wn)) == MDB_NOTFOUND) {
		k = sv_val(ss);
		v = (MDB_val){ HIDDEN_LEN, b };
		rc = mdb_put(m->txn, m->dbi[DB_HIDDEN], &k, &v, MDB_NODUPDATA);
	}
	mdb_cursor_close(cur);
	return rc;
}

/*
 * The settings of researchers merged into another moved to the survivor,
 * where its owner finds them once the moved claim is theirs again; a
 * survivor's own settings win and the merged one's go. (They show only
 * to the user who wrote them: store_owner_settings_get.)
 */
static int
settings_again(struct imp *m)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct buf gone = BUF_INIT, rec = BUF_INIT;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_OWNERSET], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t an;
		MDB_val rv;

		if (id_parse(val_sv(k), 'A', &an) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		if ((rc = imp_db_get(m, DB_RESEARCHERS, val_sv(k), &rv)) == 0)
			continue;          /* the usual case: still there */
		if (rc != MDB_NOTFOUND)
			break;
		buf_put(&gone, &an, 8);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (i = 0; i + 8 <= gone.len && rc == 0; i += 8) {
		char aid[ID_BUF], sid[ID_BUF];
		struct store_owner_settings o;
		uint64_t an, s;
		struct sv as, ss;

		memcpy(&an, gone.p + i, 8);
		as = (struct sv){ aid, id_format(aid, 'A', an) };
		if ((rc = imp_survivor(m, an, &s)) == MDB_NOTFOUND) {
			rc = 0;            /* not merged: kept for its return */
			continue;
		}
		if (rc != 0)
			break;
		ss = (struct sv){ sid, id_format(sid, 'A', s) };
		if ((rc = imp_db_get(m, DB_OWNERSET, ss, &v)) == MDB_NOTFOUND) {
			if ((rc = imp_db_get(m, DB_OWNERSET, as, &v)) != 0 ||
			    (rc = rec_owner_decode(v.mv_data, v.mv_size, &o)) != 0)
				break;
			o.researcher_id = ss;
			/* Encoded before the put: o points into the map. */
			buf_reset(&rec);
			rec_owner_encode(&rec, &o);
			if ((rc = imp_db_put(m, DB_OWNERSET, ss, buf_sv(&rec),
			    0)) != 0 ||
			    (rc = researcher_bump(m->txn, m->dbi, ss)) != 0)
				break;
		} else if (rc != 0)
			break;
		k = sv_val(as);
		rc = mdb_del(m->txn, m->dbi[DB_OWNERSET], &k, NULL);
	}
out:
	buf_free(&gone);
	buf_free(&rec);
	return rc;
}

/* Every hidden work unlinked from its researcher again. */
static int
hidden_again(struct imp *m)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct buf list = BUF_INIT;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(m->txn, m->dbi[DB_HIDDEN], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t an, wn;

		if (v.mv_size != HIDDEN_LEN ||
		    id_parse(val_sv(k), 'A', &an) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		wn = get_be64(v.mv_data);
		buf_put(&list, &an, 8);
		buf_put(&list, &wn, 8);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (i = 0; i + 16 <= list.len && rc == 0; i += 16) {
		uint64_t an, wn, s;
		int is, year;

		memcpy(&an, list.p + i, 8);
		memcpy(&wn, list.p + i + 8, 8);
		/* A researcher merged into another: the hidden work goes from
		 * the one it went into (its list holds the edge now). */
		if ((rc = imp_survivor(m, an, &s)) == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		if (s != an && (rc = hidden_move(m, an, wn, s)) != 0)
			break;
		idmap_add(&m->hidw, wn);
		if ((rc = work_author(m, wn, s, &is, &year, 0)) == STORE_NOTFOUND) {
			rc = 0;        /* the work is gone from the catalog */
			continue;
		}
		if (rc != 0)
			break;
		if ((rc = imp_edge(m, s, year, wn, 1)) != 0)
			break;
		/* Derived again; unchanged, it keeps its version. */
		imp_affect(m, s);
	}
out:
	buf_free(&list);
	return rc;
}

int
imp_pair_hidden(struct imp *m, uint64_t author, uint64_t work)
{
	char id[ID_BUF];
	MDB_cursor *c;
	int rc;

	if (m->hidw.n == 0 || idmap_get(&m->hidw, work) == NULL)
		return 0;         /* the one lookup most works cost */
	if (mdb_cursor_open(m->txn, m->dbi[DB_HIDDEN], &c) != 0)
		return 0;
	rc = hidden_find(c, (struct sv){ id, id_format(id, 'A', author) }, work);
	mdb_cursor_close(c);
	return rc == 0;
}

int
imp_owner_data(struct imp *m)
{
	int rc;

	if ((rc = merges_again(m)) != 0 || (rc = settings_again(m)) != 0)
		return rc;
	return hidden_again(m);
}
