/* userdata.c: follows, claims and ended sessions, the user data kept beside the catalog (store.h "user data", "sessions"). */
#include "store_int.h"

#include <string.h>
#include <time.h>

#include "codec.h"
#include "utf8.h"

/* ---- validation ---------------------------------------------------------- */

int
store_text_valid(struct sv s, enum store_text kind)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;
	long c;

	if (s.n > 0 && s.p == NULL)
		return 0;
	while (i < s.n) {
		if ((c = utf8_next(p, s.n, &i)) < 0)
			return 0;
		if (c < 0x20 && !(kind == STORE_TEXT_NOTE &&
		    (c == '\t' || c == '\n' || c == '\r')))
			return 0;
		if (c == 0x7F || (c >= 0x80 && c <= 0x9F))
			return 0;
		if (kind == STORE_TEXT_LINE && (c == 0x2028 || c == 0x2029))
			return 0;
	}
	return 1;
}

/*
 * Whether s is valid text of this kind of at most max characters (as a
 * browser counts them: utf8.h utf8_chars; a character is at most 4
 * bytes). 1 or 0.
 */
static int
text_ok(struct sv s, size_t max, enum store_text kind)
{
	return s.n <= max * 4 && store_text_valid(s, kind) &&
	    utf8_chars((const unsigned char *)s.p, s.n) <= max;
}

int
store_user_valid(struct sv user)
{
	/* Bytes, not characters: the keys hold a user name in fixed buffers. */
	return user.n >= 1 && user.n <= STORE_USER_MAX &&
	    store_text_valid(user, STORE_TEXT_LINE);
}

/* ORCID iDs are equal: both non-empty, same bytes but the case of letters. */
static int
orcid_eq(struct sv a, struct sv b)
{
	size_t i;

	if (a.n == 0 || a.n != b.n)
		return 0;
	for (i = 0; i < a.n; i++) {
		unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];

		if (x >= 'a' && x <= 'z')
			x = (unsigned char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (unsigned char)(y - 'a' + 'A');
		if (x != y)
			return 0;
	}
	return 1;
}

/* Copies s into arena a and returns where, as an offset (a may move). */
static size_t
keep(struct buf *a, struct sv s)
{
	size_t at = a->len;

	buf_put(a, s.p, s.n);
	return at;
}

static struct sv
at(const struct buf *a, size_t off, size_t n)
{
	return (struct sv){ n ? a->p + off : "", n };
}

/* ---- small helpers inside a write transaction ------------------------------ */

static MDB_val
be64_val(unsigned char b[8], uint64_t v)
{
	MDB_val m = { 8, b };

	put_be64(b, v);
	return m;
}

/* A u64 BE value of 8 bytes, else STORE_CORRUPT. */
static int
be64_get(MDB_val v, uint64_t *out)
{
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	*out = get_be64(v.mv_data);
	return 0;
}

/* The followers count of key (0 when missing); STORE_CORRUPT if not 8 bytes. */
static int
count_get(MDB_txn *txn, MDB_dbi dbi, struct sv key, uint64_t *out)
{
	MDB_val k = sv_val(key), v;
	const unsigned char *p;
	uint64_t x = 0;
	int rc, i;

	*out = 0;
	if ((rc = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	p = v.mv_data;
	for (i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	*out = x;
	return 0;
}

/* Stores the count as u64 LE (the layout store_followers() reads); 0 deletes. */
static int
count_put(MDB_txn *txn, MDB_dbi dbi, struct sv key, uint64_t n)
{
	MDB_val k = sv_val(key), v;
	unsigned char b[8];
	int rc, i;

	if (n == 0) {
		rc = mdb_del(txn, dbi, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(n >> (8 * i));
	v.mv_size = 8;
	v.mv_data = b;
	return mdb_put(txn, dbi, &k, &v, 0);
}

/*
 * Researcher id as it reads now: its catalog record (copied into raw, which
 * r points into) with the claim state user data holds of it (*st).
 * STORE_NOTFOUND when the catalog has no such record.
 */
static int
researcher_now(struct store *cat, MDB_txn *txn, const MDB_dbi *dbi,
    struct sv id, struct buf *raw, struct store_researcher *r,
    struct rstate *st)
{
	int rc;

	if ((rc = cat_researcher(cat, id, raw)) != 0 ||
	    (rc = rec_researcher_decode(raw->p, raw->len, r)) != 0 ||
	    (rc = rstate_get(txn, dbi[DB_RSTATE], id, st)) != 0)
		return rc;
	rstate_apply(st, r);
	return 0;
}

/*
 * The claim state researcher id is to read with: claim state `claim`,
 * orcid_verified `verified` and the version bumped, into *out (for
 * rstate_put); *orcid_match (may be NULL) whether the record's ORCID iD
 * equals `orcid`. STORE_NOTFOUND when there is no such record.
 */
static int
researcher_reclaim(struct store *cat, MDB_txn *txn, const MDB_dbi *dbi,
    struct sv id, uint8_t claim, int verified, struct sv orcid,
    int *orcid_match, struct buf *raw, struct rstate *out)
{
	struct store_researcher r;
	int rc;

	if ((rc = researcher_now(cat, txn, dbi, id, raw, &r, out)) != 0)
		return rc;
	if (orcid_match != NULL) {
		*orcid_match = orcid_eq(orcid, r.orcid);
		verified = verified || *orcid_match;
	}
	/* Cached pages are keyed by version: never let it wrap to lower. */
	if (r.version == UINT32_MAX || out->bump == UINT32_MAX)
		return STORE_CONFLICT;
	out->found = 1;
	out->claim = claim;
	out->verified = verified ? 1 : 0;
	out->bump++;
	return 0;
}

/* ---- follows ------------------------------------------------------------------ */

/*
 * Whether user owns researcher rid: its current claim is approved and
 * theirs. 1, 0, or a negative error (a claim index without its claim).
 */
static int
owns(MDB_txn *txn, const MDB_dbi *dbi, struct sv rid, struct sv user)
{
	struct store_claim c;
	MDB_val k = sv_val(rid), v;
	unsigned char b[8];
	uint64_t id;
	int rc;

	if ((rc = mdb_get(txn, dbi[DB_RCLAIM], &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = be64_get(v, &id)) != 0)
		return rc;
	k = be64_val(b, id);
	if ((rc = mdb_get(txn, dbi[DB_CLAIMS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &c)) != 0)
		return rc;
	return c.state == STORE_CLAIM_STATE_APPROVED && sv_eq(c.user, user);
}

/*
 * (store_int.h) The edge both ways, then the count as the number of edges
 * now in this transaction, so count == edges whatever ran before.
 */
static int
follow_apply(struct store *cat, MDB_txn *txn, const MDB_dbi *dbi,
    struct sv rid, uint64_t rnum, struct sv user, int follow)
{
	MDB_val k, v, uk, rv;
	MDB_cursor *c;
	unsigned char b[8];
	size_t n = 0;
	int rc;

	/*
	 * In the catalog as it is now, no older than what this transaction's
	 * start applied of its merges (store_write_begin): a researcher
	 * merged since that snapshot is not found here, and one merged after
	 * this check has its follows moved by the next writer.
	 */
	if ((rc = cat_researcher(cat, rid, NULL)) != 0)
		return rc;
	/* Nobody follows themselves: checked here, in the transaction that
	 * would write the edge, so an approval cannot slip in between. */
	if (follow && (rc = owns(txn, dbi, rid, user)) != 0)
		return rc == 1 ? STORE_CONFLICT : rc;
	k = sv_val(rid);
	uk = sv_val(user);
	if (follow)
		rc = mdb_put(txn, dbi[DB_FOLLOWS], &k, &uk, MDB_NODUPDATA);
	else
		rc = mdb_del(txn, dbi[DB_FOLLOWS], &k, &uk);
	if (rc == MDB_KEYEXIST || rc == MDB_NOTFOUND)
		return UNCHANGED;
	if (rc != 0)
		return rc;
	/* The reverse edge; a missing or present one is tolerated, so a
	 * damaged reverse index heals rather than blocks. */
	uk = sv_val(user);
	rv = be64_val(b, rnum);
	if (follow) {
		rc = mdb_put(txn, dbi[DB_FOLLOWING], &uk, &rv, MDB_NODUPDATA);
		if (rc == MDB_KEYEXIST)
			rc = 0;
	} else {
		rc = mdb_del(txn, dbi[DB_FOLLOWING], &uk, &rv);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc != 0)
		return rc;

	if ((rc = mdb_cursor_open(txn, dbi[DB_FOLLOWS], &c)) != 0)
		return rc;
	k = sv_val(rid);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET);
	if (rc == 0)
		rc = mdb_cursor_count(c, &n);
	else if (rc == MDB_NOTFOUND)
		rc = 0;                 /* the last follower left */
	mdb_cursor_close(c);
	if (rc != 0)
		return rc;
	return count_put(txn, dbi[DB_FOLLOWERS], rid, n);
}

static int
follow_count(MDB_txn *txn, const MDB_dbi *dbi, struct sv rid, uint64_t *count)
{
	return count_get(txn, dbi[DB_FOLLOWERS], rid, count);
}

/*
 * A follow as an item of the group-commit queue: the follow flag, the
 * researcher's number, then its id and the user, each after its length.
 */
static size_t
follow_item(unsigned char *b, struct sv rid, uint64_t rnum, struct sv user,
    int follow)
{
	size_t n = 0;

	b[n++] = (unsigned char)(follow != 0);
	put_be64(b + n, rnum);
	n += 8;
	b[n++] = (unsigned char)rid.n;
	memcpy(b + n, rid.p, rid.n);
	n += rid.n;
	b[n++] = (unsigned char)user.n;
	memcpy(b + n, user.p, user.n);
	return n + user.n;
}

/* The item's parts back (it was made by follow_item, in this program). */
static void
follow_unitem(const unsigned char *b, struct sv *rid, uint64_t *rnum,
    struct sv *user, int *follow)
{
	size_t n = 0;

	*follow = b[n++];
	*rnum = get_be64(b + n);
	n += 8;
	*rid = (struct sv){ (const char *)b + n + 1, b[n] };
	n += 1 + b[n];
	*user = (struct sv){ (const char *)b + n + 1, b[n] };
}

static int
follow_item_apply(struct store *u, MDB_txn *txn, const void *item,
    size_t len)
{
	struct sv rid, user;
	uint64_t rnum;
	int follow;

	(void)len;
	follow_unitem(item, &rid, &rnum, &user, &follow);
	return follow_apply(u->cat, txn, u->dbi, rid, rnum, user, follow);
}

static int
follow_item_count(struct store *u, MDB_txn *txn, const void *item,
    size_t len, uint64_t *out)
{
	struct sv rid, user;
	uint64_t rnum;
	int follow;

	(void)len;
	follow_unitem(item, &rid, &rnum, &user, &follow);
	return follow_count(txn, u->dbi, rid, out);
}

static const struct groupq_ops follow_ops = {
	follow_item_apply, follow_item_count,
};

/* One follow alone in its own write transaction (no queue to use). */
struct follow {
	struct store *cat;
	const MDB_dbi *dbi;      /* user data's */
	struct sv rid, user;     /* the caller's strings, copied */
	uint64_t rnum;
	int follow;
	uint64_t count, txn_id;  /* out */
	int changed;
};

static int
follow_txn(MDB_txn *txn, void *ctx)
{
	struct follow *f = ctx;
	int rc;

	f->changed = 0;
	f->txn_id = mdb_txn_id(txn);
	rc = follow_apply(f->cat, txn, f->dbi, f->rid, f->rnum, f->user,
	    f->follow);
	if (rc == UNCHANGED)
		/* Already so: the count of the state we looked at, the
		 * snapshot this write transaction started from. */
		f->txn_id = mdb_txn_id(txn) - 1;
	else if (rc != 0)
		return rc;
	else
		f->changed = 1;
	if ((rc = count_get(txn, f->dbi[DB_FOLLOWERS], f->rid, &f->count)) != 0)
		return rc;
	return f->changed ? 0 : UNCHANGED;
}

int
store_follow(struct store *s, struct sv researcher_id, struct sv user,
    int follow, uint64_t *count, uint64_t *txn_id, int *changed)
{
	struct follow f;
	char rid[ID_BUF], u[STORE_USER_MAX];
	int rc;

	*count = 0;
	*txn_id = 0;
	*changed = 0;
	if (!store_user_valid(user))
		return STORE_INVALID;
	memset(&f, 0, sizeof(f));
	if (id_parse(researcher_id, 'A', &f.rnum) != 0)
		return STORE_NOTFOUND;
	/* Copies: the arguments may point into the map, which may grow. */
	memcpy(rid, researcher_id.p, researcher_id.n);
	memcpy(u, user.p, user.n);
	f.cat = s;
	f.dbi = s->user->dbi;
	f.rid = (struct sv){ rid, researcher_id.n };
	f.user = (struct sv){ u, user.n };
	f.follow = follow != 0;
	{
		unsigned char item[1 + 8 + 1 + ID_BUF + 1 + STORE_USER_MAX];
		size_t n = follow_item(item, f.rid, f.rnum, f.user, f.follow);

		rc = groupq_run(s->user, &follow_ops, item, n, count, txn_id,
		    changed);
		if (rc != GROUPQ_NONE)
			return rc;
	}
	rc = store_write(s->user, follow_txn, &f);
	/* Without the queue each follow is a commit of its own. */
	if (rc == 0 && s->user->on_batch != NULL)
		s->user->on_batch(1);
	if (rc == UNCHANGED)
		rc = 0;
	if (rc != 0)
		return rc;
	*count = f.count;
	*txn_id = f.txn_id;
	*changed = f.changed;
	return 0;
}

int
store_is_following(struct store_rtxn *t, struct sv researcher_id,
    struct sv user, int *out)
{
	MDB_cursor *c;
	MDB_val k = sv_val(researcher_id), v = sv_val(user);
	uint64_t num;
	int rc;

	*out = 0;
	if (!store_user_valid(user) || id_parse(researcher_id, 'A', &num) != 0 ||
	    db_absent(t->s, DB_FOLLOWS))
		return 0;
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_FOLLOWS), &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	*out = 1;
	return 0;
}

int
store_researcher_followers(struct store_rtxn *t, struct sv researcher_id,
    store_user_cb cb, void *ctx)
{
	MDB_cursor *c;
	MDB_val k = sv_val(researcher_id), v;
	int rc;

	if (researcher_id.n == 0 || researcher_id.n > 511 ||
	    db_absent(t->s, DB_FOLLOWS))
		return 0;
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_FOLLOWS), &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP))
		if ((rc = cb(ctx, val_sv(v))) != 0)
			break;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- claims -------------------------------------------------------------------- */

struct claim_file {
	struct store *cat;
	const MDB_dbi *dbi;      /* user data's */
	struct store_claim c;    /* the claim; strings point into arena */
	struct buf arena, rec, rrec;
	int dispute;             /* disputes the researcher's pending claim */
	uint64_t id;             /* out */
	uint64_t disputed;       /* out: the claim disputed */
	int why;                 /* out: enum store_dispute_why */
};

/*
 * Whether the researcher's current claim (rclaim's value v, rc its
 * lookup) can be disputed by f: pending and not disputed yet. 0 with
 * f->disputed, STORE_CONFLICT with f->why, or an error.
 */
static int
dispute_check(MDB_txn *txn, struct claim_file *f, int rc, MDB_val v)
{
	struct store_claim p;
	unsigned char b[8];
	uint64_t pid;
	MDB_val k;

	if (rc == MDB_NOTFOUND) {
		f->why = STORE_DISPUTE_NOTHING;
		return STORE_CONFLICT;
	}
	if ((rc = be64_get(v, &pid)) != 0)
		return rc;
	k = be64_val(b, pid);
	if ((rc = mdb_get(txn, f->dbi[DB_CLAIMS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &p)) != 0)
		return rc;
	if (p.state != STORE_CLAIM_STATE_PENDING) {
		f->why = STORE_DISPUTE_DECIDED;
		return STORE_CONFLICT;
	}
	k = be64_val(b, pid);
	rc = mdb_get(txn, f->dbi[DB_DISPUTES], &k, &v);
	if (rc == 0) {
		f->why = STORE_DISPUTE_TAKEN;
		return STORE_CONFLICT;
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	f->disputed = pid;
	return 0;
}

/*
 * Files f->c: checks (researcher, the user's open claim, the researcher's
 * claim), gives out the next id, then writes the claim, both indexes and
 * the researcher's record. A dispute needs the researcher's claim pending
 * and undisputed; it leaves rclaim to that claim and pairs the two in
 * `disputes`. Every read is copied before the first put.
 */
static int
claim_file_txn(MDB_txn *txn, void *ctx)
{
	struct claim_file *f = ctx;
	struct store_researcher r;
	struct rstate st;
	MDB_val k, v;
	unsigned char b[8];
	uint64_t last;
	int rc;

	/* The researcher, and whether its record is free to claim. */
	if ((rc = researcher_now(f->cat, txn, f->dbi, f->c.researcher_id,
	    &f->rrec, &r, &st)) != 0)
		return rc;
	k = sv_val(f->c.user);
	rc = mdb_get(txn, f->dbi[DB_UCLAIM], &k, &v);
	if (rc == 0)
		return STORE_EXISTS;
	if (rc != MDB_NOTFOUND)
		return rc;
	k = sv_val(f->c.researcher_id);
	rc = mdb_get(txn, f->dbi[DB_RCLAIM], &k, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (f->dispute) {
		if ((rc = dispute_check(txn, f, rc, v)) != 0)
			return rc;
	} else if (rc == 0 || r.claim != STORE_CLAIM_NONE) {
		/* Either says so: a claim record, or the researcher's own
		 * state. */
		return STORE_CONFLICT;
	}
	if ((rc = researcher_reclaim(f->cat, txn, f->dbi, f->c.researcher_id,
	    STORE_CLAIM_PENDING, 0, SV_LIT(""), NULL, &f->rrec, &st)) != 0)
		return rc;

	if ((rc = meta_get(txn, f->dbi[DB_META], "claim_last", 8, &last)) != 0)
		return rc;
	if (last == UINT64_MAX)
		return STORE_CONFLICT;      /* not in this universe */
	f->c.id = last + 1;
	buf_reset(&f->rec);
	rec_claim_encode(&f->rec, &f->c);

	if ((rc = meta_put(txn, f->dbi[DB_META], "claim_last", 8, f->c.id)))
		return rc;
	k = be64_val(b, f->c.id);
	v = sv_val((struct sv){ f->rec.p, f->rec.len });
	if ((rc = mdb_put(txn, f->dbi[DB_CLAIMS], &k, &v, 0)) != 0)
		return rc;
	if (f->dispute) {
		unsigned char b2[8];

		k = be64_val(b, f->disputed);
		v = be64_val(b2, f->c.id);
		if ((rc = mdb_put(txn, f->dbi[DB_DISPUTES], &k, &v, 0)) != 0 ||
		    (rc = mdb_put(txn, f->dbi[DB_DISPUTES], &v, &k, 0)) != 0)
			return rc;
	} else {
		k = sv_val(f->c.researcher_id);
		v = be64_val(b, f->c.id);
		if ((rc = mdb_put(txn, f->dbi[DB_RCLAIM], &k, &v, 0)) != 0)
			return rc;
	}
	k = sv_val(f->c.user);
	v = be64_val(b, f->c.id);
	if ((rc = mdb_put(txn, f->dbi[DB_UCLAIM], &k, &v, 0)) != 0)
		return rc;
	if ((rc = rstate_put(txn, f->dbi[DB_RSTATE], f->c.researcher_id,
	    &st)) != 0)
		return rc;
	/* The user's list of claims: this one, and any filed since the
	 * last indexed one by a program that kept no such list. */
	if ((rc = store_claims_index_upto(txn, f->dbi, f->c.id)) != 0)
		return rc;
	f->id = f->c.id;
	return 0;
}

static int
claim_file(struct store *s, const struct store_claim *in, int dispute,
    uint64_t *id, uint64_t *disputed, int *why)
{
	struct claim_file f;
	uint64_t num;
	size_t o_rid, o_user, o_orcid, o_email, o_url, o_note;
	int rc;

	*id = *disputed = 0;
	*why = 0;
	if (!store_user_valid(in->user) ||
	    !text_ok(in->orcid, STORE_ORCID_MAX, STORE_TEXT_LINE) ||
	    !text_ok(in->email, STORE_EMAIL_MAX, STORE_TEXT_LINE) ||
	    !text_ok(in->evidence_url, STORE_URL_MAX, STORE_TEXT_LINE) ||
	    !text_ok(in->note, STORE_CLAIM_NOTE_MAX, STORE_TEXT_NOTE))
		return STORE_INVALID;
	if (id_parse(in->researcher_id, 'A', &num) != 0)
		return STORE_NOTFOUND;

	memset(&f, 0, sizeof(f));
	f.cat = s;
	f.dbi = s->user->dbi;
	f.dispute = dispute;
	/* Copies: the arguments may point into the map, which may grow. */
	o_rid = keep(&f.arena, in->researcher_id);
	o_user = keep(&f.arena, in->user);
	o_orcid = keep(&f.arena, in->orcid);
	o_email = keep(&f.arena, in->email);
	o_url = keep(&f.arena, in->evidence_url);
	o_note = keep(&f.arena, in->note);
	f.c.researcher_id = at(&f.arena, o_rid, in->researcher_id.n);
	f.c.user = at(&f.arena, o_user, in->user.n);
	f.c.orcid = at(&f.arena, o_orcid, in->orcid.n);
	f.c.email = at(&f.arena, o_email, in->email.n);
	f.c.evidence_url = at(&f.arena, o_url, in->evidence_url.n);
	f.c.note = at(&f.arena, o_note, in->note.n);
	f.c.reviewer_note = SV_LIT("");
	f.c.state = STORE_CLAIM_STATE_PENDING;
	f.c.identity_verified = 0;
	f.c.filed_at = in->filed_at ? in->filed_at : (uint64_t)time(NULL);
	f.c.decided_at = 0;

	rc = store_write(s->user, claim_file_txn, &f);
	if (rc == 0) {
		*id = f.id;
		*disputed = f.disputed;
	} else if (rc == STORE_CONFLICT)
		*why = f.why;
	buf_free(&f.arena);
	buf_free(&f.rec);
	buf_free(&f.rrec);
	return rc;
}

int
store_claim_file(struct store *s, const struct store_claim *in, uint64_t *id)
{
	uint64_t disputed;
	int why;

	return claim_file(s, in, 0, id, &disputed, &why);
}

int
store_claim_dispute(struct store *s, const struct store_claim *in,
    uint64_t *id, uint64_t *disputed, int *why)
{
	return claim_file(s, in, 1, id, disputed, why);
}

int
store_claim_partner(struct store_rtxn *t, uint64_t id, uint64_t *partner)
{
	unsigned char b[8];
	MDB_val v;
	int rc;

	*partner = 0;
	put_be64(b, id);
	if ((rc = store_get(t, DB_DISPUTES, (struct sv){ (char *)b, 8 }, &v)))
		return rc;
	return be64_get(v, partner);
}

struct claim_decide {
	struct store *cat;
	const MDB_dbi *dbi;      /* user data's */
	uint64_t id;
	int approve, identity_verified;
	struct sv note;          /* the reviewer's, copied */
	uint64_t now;
	struct buf keys, rec, rrec, qrec, qnote;
};

/* Deletes key from db if it holds claim id (an index entry of this claim). */
static int
unindex(MDB_txn *txn, MDB_dbi dbi, struct sv key, uint64_t id)
{
	MDB_val k = sv_val(key), v;
	uint64_t x;
	int rc;

	if ((rc = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = be64_get(v, &x)) != 0 || x != id)
		return rc;
	k = sv_val(key);
	return mdb_del(txn, dbi, &k, NULL);
}

/*
 * Decides claim d->id: the claim record, the researcher's record, and the
 * indexes (the user's open claim always goes; the researcher's current
 * claim goes on rejection). A claim disputed with another still pending
 * is decided with it: approved, the other is rejected (a note says why);
 * rejected, the other stays pending and becomes the researcher's current
 * claim. Every read is copied before the first put.
 */
static int
claim_decide_txn(MDB_txn *txn, void *ctx)
{
	struct claim_decide *d = ctx;
	struct rstate st;
	struct store_claim c, q;
	struct sv rid, user, quser = SV_LIT("");
	MDB_val k, v;
	unsigned char b[8];
	uint64_t qid = 0;
	int rc, match = 0, other = 0;

	k = be64_val(b, d->id);
	if ((rc = mdb_get(txn, d->dbi[DB_CLAIMS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &c)) != 0)
		return rc;
	if (c.state != STORE_CLAIM_STATE_PENDING)
		return STORE_CONFLICT;
	buf_reset(&d->keys);
	buf_put(&d->keys, c.researcher_id.p, c.researcher_id.n);
	buf_put(&d->keys, c.user.p, c.user.n);
	rid = at(&d->keys, 0, c.researcher_id.n);
	user = at(&d->keys, c.researcher_id.n, c.user.n);

	/* The claim it is disputed with, if that one is pending too. */
	k = be64_val(b, d->id);
	if ((rc = mdb_get(txn, d->dbi[DB_DISPUTES], &k, &v)) == 0) {
		if ((rc = be64_get(v, &qid)) != 0)
			return rc;
		k = be64_val(b, qid);
		if ((rc = mdb_get(txn, d->dbi[DB_CLAIMS], &k, &v)) != 0)
			return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
		if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &q)) != 0)
			return rc;
		other = q.state == STORE_CLAIM_STATE_PENDING;
	} else if (rc != MDB_NOTFOUND)
		return rc;
	if (other) {
		size_t at_q = d->keys.len;

		buf_put(&d->keys, q.user.p, q.user.n);
		quser = at(&d->keys, at_q, q.user.n);
		rid = at(&d->keys, 0, c.researcher_id.n);
		user = at(&d->keys, c.researcher_id.n, c.user.n);
		if (d->approve) {
			buf_reset(&d->qnote);
			buf_puts(&d->qnote, "Claim ");
			buf_putu64(&d->qnote, d->id);
			buf_puts(&d->qnote, ", disputed with this one, was "
			    "approved.");
			q.state = STORE_CLAIM_STATE_REJECTED;
			q.identity_verified = 0;
			q.reviewer_note = buf_sv(&d->qnote);
			q.decided_at = d->now;
			buf_reset(&d->qrec);
			rec_claim_encode(&d->qrec, &q);
		}
	}

	c.state = d->approve ? STORE_CLAIM_STATE_APPROVED :
	    STORE_CLAIM_STATE_REJECTED;
	c.identity_verified = d->approve && d->identity_verified;
	c.reviewer_note = d->note;
	c.decided_at = d->now;
	buf_reset(&d->rec);
	rec_claim_encode(&d->rec, &c);
	/* Rejected while the other is pending: the researcher stays so. */
	rc = researcher_reclaim(d->cat, txn, d->dbi, rid, d->approve ?
	    STORE_CLAIM_APPROVED : other ? STORE_CLAIM_PENDING :
	    STORE_CLAIM_NONE, c.identity_verified,
	    c.orcid, d->approve ? &match : NULL, &d->rrec, &st);
	if (rc != 0)
		return rc == STORE_NOTFOUND ? STORE_CORRUPT : rc;

	k = be64_val(b, d->id);
	v = sv_val((struct sv){ d->rec.p, d->rec.len });
	if ((rc = mdb_put(txn, d->dbi[DB_CLAIMS], &k, &v, 0)) != 0)
		return rc;
	/* The new owner no longer follows their own profile: the edge goes
	 * and the count is the edges left, in this transaction. */
	if (d->approve) {
		uint64_t rnum;

		if (id_parse(rid, 'A', &rnum) != 0)
			return STORE_CORRUPT;
		rc = follow_apply(d->cat, txn, d->dbi, rid, rnum, user, 0);
		if (rc != 0 && rc != UNCHANGED)
			return rc == STORE_NOTFOUND ? STORE_CORRUPT : rc;
	}
	if ((rc = rstate_put(txn, d->dbi[DB_RSTATE], rid, &st)) != 0)
		return rc;
	if ((rc = unindex(txn, d->dbi[DB_UCLAIM], user, d->id)) != 0)
		return rc;
	if (other && d->approve) {
		k = be64_val(b, qid);
		v = sv_val((struct sv){ d->qrec.p, d->qrec.len });
		if ((rc = mdb_put(txn, d->dbi[DB_CLAIMS], &k, &v, 0)) != 0 ||
		    (rc = unindex(txn, d->dbi[DB_UCLAIM], quser, qid)) != 0)
			return rc;
	}
	if (!d->approve && !other)
		return unindex(txn, d->dbi[DB_RCLAIM], rid, d->id);
	k = sv_val(rid);
	v = be64_val(b, d->approve ? d->id : qid);
	return mdb_put(txn, d->dbi[DB_RCLAIM], &k, &v, 0);
}

int
store_claim_decide(struct store *s, uint64_t id, int approve,
    int identity_verified, struct sv reviewer_note)
{
	struct claim_decide d;
	struct buf note = BUF_INIT;
	int rc;

	if (!text_ok(reviewer_note, STORE_CLAIM_NOTE_MAX, STORE_TEXT_NOTE))
		return STORE_INVALID;
	memset(&d, 0, sizeof(d));
	d.cat = s;
	d.dbi = s->user->dbi;
	d.id = id;
	d.approve = approve != 0;
	d.identity_verified = identity_verified != 0;
	buf_put(&note, reviewer_note.p, reviewer_note.n);
	d.note = at(&note, 0, reviewer_note.n);
	d.now = (uint64_t)time(NULL);
	rc = store_write(s->user, claim_decide_txn, &d);
	buf_free(&note);
	buf_free(&d.qrec);
	buf_free(&d.qnote);
	buf_free(&d.keys);
	buf_free(&d.rec);
	buf_free(&d.rrec);
	return rc;
}

int
store_claim_by_id(struct store_rtxn *t, uint64_t id, struct store_claim *out)
{
	unsigned char b[8];
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	put_be64(b, id);
	if ((rc = store_get(t, DB_CLAIMS, (struct sv){ (char *)b, 8 }, &v)))
		return rc;
	return rec_claim_decode(v.mv_data, v.mv_size, out);
}

int
store_claim_of_researcher(struct store_rtxn *t, struct sv researcher_id,
    struct store_claim *out)
{
	MDB_val v;
	uint64_t id;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_get(t, DB_RCLAIM, researcher_id, &v)) != 0 ||
	    (rc = be64_get(v, &id)) != 0)
		return rc;
	rc = store_claim_by_id(t, id, out);
	return rc == STORE_NOTFOUND ? STORE_CORRUPT : rc;   /* dangling */
}

int
store_claims_each(struct store_rtxn *t, int state, store_claim_cb cb,
    void *ctx)
{
	struct store_claim c;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (state < 0 || state > STORE_CLAIM_STATE_REJECTED)
		return STORE_INVALID;
	if (db_absent(t->s, DB_CLAIMS))
		return 0;
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_CLAIMS), &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &c)) != 0)
			break;
		if (state != 0 && c.state != state)
			continue;
		if ((rc = cb(ctx, &c)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- what a reviewer can check ------------------------------------------------ */

/* Labels of a domain that name no institution: generic second levels. */
static int
generic_label(struct sv l)
{
	static const char *const g[] = {
		"ac", "edu", "co", "com", "org", "net", "gov", "gob", "mil",
		"uni", "www", "mail", "email", "alumni", "student", "students",
	};

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (sv_eq_cstr(l, g[i]))
			return 1;
	return 0;
}

/* Words that carry no name: left out of initials and run-together words. */
static int
stop_word(struct sv w)
{
	static const char *const g[] = {
		"of", "the", "and", "for", "at", "in", "de", "la", "le", "di",
		"du", "des", "der", "und", "y", "e",
	};

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (sv_eq_cstr(w, g[i]))
			return 1;
	return 0;
}

/*
 * Whether one label of a domain names the institution: three letters or
 * more and not generic, and a word of it, its initials, or (four or more)
 * the start of its words run together.
 */
static int
label_names(struct sv l, const struct sv *words, size_t nw,
    const struct buf *initials, const struct buf *joined)
{
	if (l.n < 3 || generic_label(l))
		return 0;
	for (size_t k = 0; k < nw; k++)
		if (sv_eq(l, words[k]))
			return 1;
	if (initials->len >= 2 && sv_eq(l, (struct sv){ initials->p,
	    initials->len }))
		return 1;
	return l.n >= 4 && joined->len >= l.n && memcmp(joined->p, l.p, l.n) == 0;
}

int
store_domain_names(struct sv domain, struct sv institution)
{
	struct buf folded = BUF_INIT, initials = BUF_INIT, joined = BUF_INIT,
	    dom = BUF_INIT;
	struct sv words[32];
	size_t nw = 0, nl = 0, i, start;
	struct sv labels[16];
	int match = 0;

	/* The institution's words: folded (lower case, no accents), runs
	 * of [a-z0-9]. */
	store_fold_name(&folded, institution);
	for (i = 0; i < folded.len && nw < 32; ) {
		while (i < folded.len && !((folded.p[i] >= 'a' && folded.p[i] <= 'z') ||
		    (folded.p[i] >= '0' && folded.p[i] <= '9')))
			i++;
		start = i;
		while (i < folded.len && ((folded.p[i] >= 'a' && folded.p[i] <= 'z') ||
		    (folded.p[i] >= '0' && folded.p[i] <= '9')))
			i++;
		if (i > start) {
			words[nw] = (struct sv){ folded.p + start, i - start };
			if (!stop_word(words[nw])) {
				buf_putc(&initials, words[nw].p[0]);
				buf_put(&joined, words[nw].p, words[nw].n);
			}
			nw++;
		}
	}
	/* The domain's labels, lower case, less the top level. */
	for (i = 0; i < domain.n; i++) {
		char ch = domain.p[i];

		buf_putc(&dom, ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch);
	}
	for (i = 0, start = 0; i <= dom.len && nl < 16; i++)
		if (i == dom.len || dom.p[i] == '.') {
			if (i > start)
				labels[nl++] = (struct sv){ dom.p + start, i - start };
			start = i + 1;
		}
	/*
	 * Only the registrable label speaks for the institution (whoever
	 * holds evil.com names princeton.edu.evil.com): the one before the
	 * top level, or before a generic second level (ucl.ac.uk). Its
	 * hyphenated parts count too (uni-bonn), and it without hyphens
	 * (universite-paris-saclay).
	 */
	if (nl >= 2) {
		struct sv reg = labels[nl - 2], part;
		char flat[64];
		size_t nf = 0;

		if (nl >= 3 && generic_label(reg))
			reg = labels[nl - 3];
		for (i = 0, start = 0; i <= reg.n && !match; i++) {
			if (i < reg.n && reg.p[i] != '-') {
				if (nf < sizeof(flat))
					flat[nf++] = reg.p[i];
				continue;
			}
			part = (struct sv){ reg.p + start, i - start };
			start = i + 1;
			match = label_names(part, words, nw, &initials, &joined);
		}
		if (!match && nf < sizeof(flat))
			match = label_names((struct sv){ flat, nf }, words, nw,
			    &initials, &joined);
	}
	buf_free(&folded);
	buf_free(&initials);
	buf_free(&joined);
	buf_free(&dom);
	return match;
}

struct owner_find {
	struct sv researcher_id, found;
};

static int
owner_cb(void *ctx, const struct store_claim *c)
{
	struct owner_find *o = ctx;

	if (c->state != STORE_CLAIM_STATE_APPROVED ||
	    sv_eq(c->researcher_id, o->researcher_id))
		return 0;
	o->found = c->researcher_id;
	return 1;
}

int
store_claim_check(struct store_rtxn *t, const struct store_claim *c,
    struct store_claim_check *out)
{
	struct store_researcher r;
	struct owner_find o;
	const char *at;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_researcher_by_id(t, c->researcher_id, &r)) != 0)
		return rc;
	out->record_orcid = r.orcid;
	out->institution = r.institution;
	if (c->orcid.n && r.orcid.n)
		out->orcid = orcid_eq(c->orcid, r.orcid) ? STORE_CHECK_MATCH :
		    STORE_CHECK_MISMATCH;
	at = c->email.n ? memchr(c->email.p, '@', c->email.n) : NULL;
	if (at != NULL)
		out->domain = (struct sv){ at + 1,
		    c->email.n - (size_t)(at + 1 - c->email.p) };
	if (r.institution.n)
		out->email = store_domain_names(out->domain, r.institution) ?
		    STORE_CHECK_MATCH : STORE_CHECK_MISMATCH;
	memset(&o, 0, sizeof(o));
	o.researcher_id = c->researcher_id;
	/* owner_cb stops the walk with 1 (no LMDB or store code is 1). */
	if ((rc = store_claims_of_user(t, c->user, owner_cb, &o)) != 0 &&
	    rc != 1)
		return rc;
	out->owner_of = o.found;
	return 0;
}

int
store_claims_index_upto(MDB_txn *txn, const MDB_dbi *dbi, uint64_t upto)
{
	struct store_claim c;
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned char b[8], u[STORE_USER_MAX];
	uint64_t last, id;
	size_t n;
	int rc;

	if ((rc = meta_get(txn, dbi[DB_META], "claims_indexed", 8, &last)) != 0)
		return rc;
	if (last >= upto)
		return 0;
	if ((rc = mdb_cursor_open(txn, dbi[DB_CLAIMS], &cur)) != 0)
		return rc;
	k = be64_val(b, last + 1);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((rc = be64_get(k, &id)) != 0)
			break;
		if (id > upto)
			break;
		if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &c)) != 0)
			break;
		if (!store_user_valid(c.user)) {
			rc = STORE_CORRUPT;
			break;
		}
		/* Copied before the put, which may move pages. */
		n = c.user.n;
		memcpy(u, c.user.p, n);
		k = (MDB_val){ n, u };
		v = be64_val(b, id);
		rc = mdb_put(txn, dbi[DB_USERCLAIMS], &k, &v, MDB_NODUPDATA);
		if (rc != 0 && rc != MDB_KEYEXIST)
			break;
		rc = 0;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return meta_put(txn, dbi[DB_META], "claims_indexed", 8, upto);
}

/* The claim of a userclaims entry: there, and user's, else STORE_CORRUPT. */
static int
indexed_claim(struct store_rtxn *t, struct sv user, MDB_val v,
    struct store_claim *c)
{
	uint64_t id;
	int rc;

	if ((rc = be64_get(v, &id)) != 0)
		return rc;
	if ((rc = store_claim_by_id(t, id, c)) == STORE_NOTFOUND)
		return STORE_CORRUPT;          /* dangling */
	if (rc != 0)
		return rc;
	return sv_eq(c->user, user) ? 0 : STORE_CORRUPT;
}

int
store_claims_of_user(struct store_rtxn *t, struct sv user, store_claim_cb cb,
    void *ctx)
{
	struct store_claim c;
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t last, id;
	int rc;

	if (!store_user_valid(user) || db_absent(t->s, DB_CLAIMS))
		return 0;
	if ((rc = meta_get(t->utxn, rumeta(t), "claims_indexed", 8,
	    &last)) != 0)
		return rc;
	/* First the claims after the indexed ones, newest first: none but
	 * those a program of schema 4 filed after the migration. */
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_CLAIMS), &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_LAST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if ((rc = be64_get(k, &id)) != 0 || id <= last)
			break;
		if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &c)) != 0)
			break;
		if (sv_eq(c.user, user) && (rc = cb(ctx, &c)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (db_absent(t->s, DB_USERCLAIMS))
		return 0;
	/* Then the user's index, every id in it below those. */
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_USERCLAIMS), &cur)))
		return rc;
	k = sv_val(user);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST_DUP);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_PREV_DUP)) {
		if ((rc = indexed_claim(t, user, v, &c)) != 0)
			break;
		if ((rc = cb(ctx, &c)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_claims_verify(struct store_rtxn *t, uint64_t *bad)
{
	struct store_claim c;
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t last, id, max = 0;
	int rc;

	*bad = 0;
	if (db_absent(t->s, DB_CLAIMS) || db_absent(t->s, DB_USERCLAIMS))
		return 0;
	if ((rc = meta_get(t->utxn, rumeta(t), "claims_indexed", 8,
	    &last)) != 0 ||
	    (rc = meta_get(t->utxn, rumeta(t), "claim_last", 8,
	    &max)) != 0)
		return rc;
	if (last > max)
		(*bad)++;
	/* Every claim up to the last indexed one is in its user's list. */
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_CLAIMS), &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		MDB_cursor *uc;
		MDB_val uk, uv;
		unsigned char b[8];

		if (be64_get(k, &id) != 0 ||
		    rec_claim_decode(v.mv_data, v.mv_size, &c) != 0 ||
		    !store_user_valid(c.user)) {
			(*bad)++;
			continue;
		}
		if (id > max)
			(*bad)++;            /* an id never given out */
		if (id > last)
			continue;
		if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_USERCLAIMS),
		    &uc)) != 0)
			break;
		uk = sv_val(c.user);
		uv = be64_val(b, id);
		rc = mdb_cursor_get(uc, &uk, &uv, MDB_GET_BOTH);
		mdb_cursor_close(uc);
		if (rc == MDB_NOTFOUND)
			(*bad)++;
		else if (rc != 0)
			break;
		rc = 0;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* Every entry of the lists is a claim of that user. */
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_USERCLAIMS), &cur)))
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		rc = indexed_claim(t, val_sv(k), v, &c);
		if (rc == STORE_CORRUPT || (rc == 0 && (be64_get(v, &id) != 0 ||
		    id > last || c.id != id)))
			(*bad)++;
		else if (rc != 0)
			break;
		rc = 0;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return *bad ? STORE_CORRUPT : 0;
}

/* ---- sessions: sign-outs the server keeps ------------------------------------- */

static uint64_t
clock_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (uint64_t)time(NULL) * 1000;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Whether a not-before of nb_ms can still end a session at `now`. */
static int
notbefore_live(uint64_t nb_ms, uint64_t now)
{
	/* A session issued at or before nb_ms expired by nb_ms/1000 + the
	 * longest life; the web layer refuses it from then on by itself. */
	return nb_ms / 1000 + STORE_SESSION_TTL_MAX >= now;
}

/*
 * The bounded clean-up of every revocation write: deletes the signed-out
 * sessions whose expiry has passed, oldest first, at most
 * STORE_SESSION_PRUNE; then looks at up to STORE_SESSION_PRUNE not-before
 * entries, starting after user's and wrapping round to the first (never
 * user's own), and deletes those no session can be old enough for. So the
 * lists are cleaned as writes come, whoever writes. *pruned gets how many
 * went. 0, an LMDB error, or STORE_CORRUPT for an entry of the wrong size.
 */
static int
sessions_prune(MDB_txn *txn, const MDB_dbi *dbi, struct sv user,
    uint64_t now, size_t *pruned)
{
	MDB_cursor *c;
	MDB_val k, v, u = sv_val(user);
	size_t n;
	int rc, wrapped = 0;

	*pruned = 0;
	if ((rc = mdb_cursor_open(txn, dbi[DB_REVOKED], &c)) != 0)
		return rc;
	for (n = 0; n < STORE_SESSION_PRUNE; n++) {
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) != 0)
			break;
		if (k.mv_size != REVOKED_KEY_LEN) {
			rc = STORE_CORRUPT;
			break;
		}
		if (get_be64(k.mv_data) > now)
			break;          /* sorted by expiry: the rest is live */
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
		(*pruned)++;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;

	if ((rc = mdb_cursor_open(txn, dbi[DB_NOTBEFORE], &c)) != 0)
		return rc;
	k = sv_val(user);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0 && mdb_cmp(txn, dbi[DB_NOTBEFORE], &k, &u) == 0)
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	for (n = 0; n < STORE_SESSION_PRUNE; n++) {
		if (rc == MDB_NOTFOUND && !wrapped) {
			wrapped = 1;
			rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
		}
		if (rc != 0)
			break;
		/* Round again to where we began: every entry was seen. */
		if (wrapped && mdb_cmp(txn, dbi[DB_NOTBEFORE], &k, &u) >= 0)
			break;
		if (v.mv_size != 8) {
			rc = STORE_CORRUPT;
			break;
		}
		if (!notbefore_live(get_be64(v.mv_data), now)) {
			if ((rc = mdb_cursor_del(c, 0)) != 0)
				break;
			(*pruned)++;
		}
		/* After a delete the cursor already stands on the next entry,
		 * which MDB_NEXT then returns (LMDB's C_DEL). */
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* One revocation write: a session signed out, or a user's sessions ended. */
struct session_end {
	const MDB_dbi *dbi;
	struct sv user;                      /* the caller's, copied */
	unsigned char key[REVOKED_KEY_LEN];  /* revoke: expiry | id */
	uint64_t now, now_ms;
	int all;                             /* store_sessions_end */
	uint64_t nb;                         /* out: not-before in force */
};

static int
session_end_txn(MDB_txn *txn, void *ctx)
{
	struct session_end *e = ctx;
	MDB_val k, v;
	unsigned char b[8];
	size_t pruned;
	int rc;

	if (e->all) {
		k = sv_val(e->user);
		rc = mdb_get(txn, e->dbi[DB_NOTBEFORE], &k, &v);
		if (rc == 0 && (rc = be64_get(v, &e->nb)) != 0)
			return rc;
		if (rc == 0 && e->nb >= e->now_ms)
			return UNCHANGED;       /* ended as late already */
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	} else {
		k = (MDB_val){ REVOKED_KEY_LEN, e->key };
		rc = mdb_get(txn, e->dbi[DB_REVOKED], &k, &v);
		if (rc == 0)
			return UNCHANGED;       /* signed out already */
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	if ((rc = sessions_prune(txn, e->dbi, e->user, e->now, &pruned)) != 0)
		return rc;
	if (e->all) {
		k = sv_val(e->user);
		v = be64_val(b, e->now_ms);
		if ((rc = mdb_put(txn, e->dbi[DB_NOTBEFORE], &k, &v, 0)) != 0)
			return rc;
		e->nb = e->now_ms;
		return 0;
	}
	k = (MDB_val){ REVOKED_KEY_LEN, e->key };
	v = sv_val(e->user);
	return mdb_put(txn, e->dbi[DB_REVOKED], &k, &v, 0);
}

int
store_session_revoke(struct store *s, struct sv user, struct sv id,
    uint64_t expires, uint64_t now)
{
	struct session_end e;
	char u[STORE_USER_MAX];
	int rc;

	if (now == 0)
		now = (uint64_t)time(NULL);
	if (!store_user_valid(user) || id.n != STORE_SESSION_ID_LEN ||
	    expires > now + STORE_SESSION_TTL_MAX)
		return STORE_INVALID;
	if (expires <= now)
		return 0;       /* over by itself: refused without an entry */
	memset(&e, 0, sizeof(e));
	e.dbi = s->user->dbi;
	/* Copies: the arguments may point into the map, which may grow. */
	memcpy(u, user.p, user.n);
	e.user = (struct sv){ u, user.n };
	put_be64(e.key, expires);
	memcpy(e.key + 8, id.p, id.n);
	e.now = now;
	rc = store_write(s->user, session_end_txn, &e);
	return rc == UNCHANGED ? 0 : rc;
}

int
store_sessions_end(struct store *s, struct sv user, uint64_t now_ms,
    uint64_t *out_ms)
{
	struct session_end e;
	char u[STORE_USER_MAX];
	int rc;

	if (out_ms != NULL)
		*out_ms = 0;
	if (!store_user_valid(user))
		return STORE_INVALID;
	memset(&e, 0, sizeof(e));
	e.dbi = s->user->dbi;
	memcpy(u, user.p, user.n);
	e.user = (struct sv){ u, user.n };
	e.all = 1;
	e.now_ms = now_ms ? now_ms : clock_ms();
	e.now = e.now_ms / 1000;
	rc = store_write(s->user, session_end_txn, &e);
	if (rc == UNCHANGED)
		rc = 0;
	if (rc == 0 && out_ms != NULL)
		*out_ms = e.nb;
	return rc;
}

int
store_session_check(struct store_rtxn *t, struct sv user, struct sv id,
    uint64_t issued_ms, uint64_t expires)
{
	unsigned char key[REVOKED_KEY_LEN];
	MDB_val v;
	int rc;

	if (!store_user_valid(user) || id.n != STORE_SESSION_ID_LEN)
		return STORE_INVALID;
	put_be64(key, expires);
	memcpy(key + 8, id.p, id.n);
	rc = store_get(t, DB_REVOKED, (struct sv){ (const char *)key,
	    sizeof(key) }, &v);
	if (rc == 0)
		return STORE_REVOKED;
	if (rc != STORE_NOTFOUND)
		return rc;
	if ((rc = store_get(t, DB_NOTBEFORE, user, &v)) == STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	return issued_ms <= get_be64(v.mv_data) ? STORE_REVOKED : 0;
}

/* ---- a researcher merged into another (the importer) ---------------------- */

/*
 * (store_int.h) Moves every follow of `from` to `to`: a user who followed
 * both is counted once, and the owner of `to` (its approved claim's
 * user) loses a follow of `from` rather than following themselves. Then
 * both counts are the edges there are.
 */
int
store_follows_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    uint64_t from_num, struct sv to, uint64_t to_num)
{
	MDB_cursor *c;
	MDB_val k = sv_val(from), v, uk, rv;
	struct buf users = BUF_INIT;
	unsigned char b[8];
	size_t off, n = 0;
	int rc;

	/* Copied out first: the puts below may move the pages. */
	if ((rc = mdb_cursor_open(txn, dbi[DB_FOLLOWS], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		unsigned char len[4];

		put_le32(len, (uint32_t)v.mv_size);
		buf_put(&users, len, 4);
		buf_put(&users, v.mv_data, v.mv_size);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (off = 0; off + 4 <= users.len && rc == 0;) {
		size_t ulen = get_le32((const unsigned char *)users.p + off);

		uk = (MDB_val){ ulen, users.p + off + 4 };
		off += 4 + ulen;
		rv = be64_val(b, from_num);
		if ((rc = mdb_del(txn, dbi[DB_FOLLOWING], &uk, &rv)) != 0 &&
		    rc != MDB_NOTFOUND)
			break;
		/* The owner of `to` who followed `from` does not come to
		 * follow themselves: that follow ends with `from`. */
		if ((rc = owns(txn, dbi, to, val_sv(uk))) == 1) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		k = sv_val(to);
		if ((rc = mdb_put(txn, dbi[DB_FOLLOWS], &k, &uk,
		    MDB_NODUPDATA)) != 0 && rc != MDB_KEYEXIST)
			break;
		rv = be64_val(b, to_num);
		if ((rc = mdb_put(txn, dbi[DB_FOLLOWING], &uk, &rv,
		    MDB_NODUPDATA)) != 0 && rc != MDB_KEYEXIST)
			break;
		rc = 0;
	}
	if (rc != 0)
		goto out;
	k = sv_val(from);
	if ((rc = mdb_del(txn, dbi[DB_FOLLOWS], &k, NULL)) != 0 &&
	    rc != MDB_NOTFOUND)
		goto out;
	if ((rc = count_put(txn, dbi[DB_FOLLOWERS], from, 0)) != 0)
		goto out;
	if ((rc = mdb_cursor_open(txn, dbi[DB_FOLLOWS], &c)) != 0)
		goto out;
	k = sv_val(to);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET);
	if (rc == 0)
		rc = mdb_cursor_count(c, &n);
	else if (rc == MDB_NOTFOUND)
		rc = 0;
	mdb_cursor_close(c);
	if (rc == 0)
		rc = count_put(txn, dbi[DB_FOLLOWERS], to, n);
out:
	buf_free(&users);
	return rc;
}

/*
 * A pending claim disputing claim id, on `from` merged into `to`: closed
 * (rejected, with a note), its user free to file again on `to`.
 */
static int
dispute_close(MDB_txn *txn, const MDB_dbi *dbi, uint64_t id, struct sv from,
    struct sv to, uint64_t now)
{
	struct store_claim q;
	struct buf rec = BUF_INIT, note = BUF_INIT, user = BUF_INIT;
	unsigned char b[8];
	uint64_t qid;
	MDB_val k = be64_val(b, id), v;
	int rc;

	if ((rc = mdb_get(txn, dbi[DB_DISPUTES], &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = be64_get(v, &qid)) != 0)
		return rc;
	k = be64_val(b, qid);
	if ((rc = mdb_get(txn, dbi[DB_CLAIMS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_claim_decode(v.mv_data, v.mv_size, &q)) != 0 ||
	    q.state != STORE_CLAIM_STATE_PENDING)
		return rc;
	buf_put(&user, q.user.p, q.user.n);
	buf_puts(&note, "Researcher ");
	buf_put(&note, from.p, from.n);
	buf_puts(&note, " was merged into ");
	buf_put(&note, to.p, to.n);
	buf_puts(&note, " by the catalog: the dispute is closed.");
	q.state = STORE_CLAIM_STATE_REJECTED;
	q.identity_verified = 0;
	q.reviewer_note = buf_sv(&note);
	q.decided_at = now;
	rec_claim_encode(&rec, &q);
	k = be64_val(b, qid);
	v = (MDB_val){ rec.len, rec.p };
	if ((rc = mdb_put(txn, dbi[DB_CLAIMS], &k, &v, 0)) == 0)
		rc = unindex(txn, dbi[DB_UCLAIM], buf_sv(&user), qid);
	buf_free(&rec);
	buf_free(&note);
	buf_free(&user);
	return rc;
}

/*
 * (store_int.h) The current claim of `from` (merged into `to`) goes to
 * `to` as a pending claim, for a reviewer to decide again: a claim
 * approved for one record is not approved for the other. When `to` has a
 * claim of its own, or the user has another open claim, it is rejected
 * instead, with a note saying why. *to_claim is what `to`'s record claim
 * state becomes (unchanged when nothing moved).
 */
int
store_claim_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    struct sv to, uint8_t *to_claim, uint64_t now)
{
	struct store_claim cl;
	struct buf rec = BUF_INIT, note = BUF_INIT, user = BUF_INIT;
	MDB_val k = sv_val(from), v, ck, cv;
	unsigned char b[8], idb[8];
	uint64_t id, other;
	int rc, keep;

	if ((rc = mdb_get(txn, dbi[DB_RCLAIM], &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = be64_get(v, &id)) != 0)
		return rc;
	ck = be64_val(idb, id);
	if ((rc = mdb_get(txn, dbi[DB_CLAIMS], &ck, &cv)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_claim_decode(cv.mv_data, cv.mv_size, &cl)) != 0)
		return rc;
	buf_put(&user, cl.user.p, cl.user.n);
	/* Can it be pending on `to`? */
	k = sv_val(to);
	keep = *to_claim == STORE_CLAIM_NONE &&
	    (rc = mdb_get(txn, dbi[DB_RCLAIM], &k, &v)) == MDB_NOTFOUND;
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	k = sv_val(buf_sv(&user));
	if (keep && (rc = mdb_get(txn, dbi[DB_UCLAIM], &k, &v)) == 0) {
		if ((rc = be64_get(v, &other)) != 0)
			goto out;
		keep = other == id;
	} else if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	buf_puts(&note, "Researcher ");
	buf_put(&note, from.p, from.n);
	buf_puts(&note, " was merged into ");
	buf_put(&note, to.p, to.n);
	buf_puts(&note, keep ? " by the catalog: to be reviewed again." :
	    ", which has a claim of its own (or the user another open one): "
	    "closed.");
	cl.researcher_id = to;
	cl.reviewer_note = buf_sv(&note);
	cl.state = keep ? STORE_CLAIM_STATE_PENDING : STORE_CLAIM_STATE_REJECTED;
	cl.identity_verified = 0;
	cl.decided_at = keep ? 0 : now;
	rec_claim_encode(&rec, &cl);
	ck = be64_val(idb, id);
	v = (MDB_val){ rec.len, rec.p };
	if ((rc = mdb_put(txn, dbi[DB_CLAIMS], &ck, &v, 0)) != 0)
		goto out;
	k = sv_val(from);
	if ((rc = mdb_del(txn, dbi[DB_RCLAIM], &k, NULL)) != 0)
		goto out;
	k = sv_val(buf_sv(&user));
	v = be64_val(b, id);
	if (keep) {
		k = sv_val(to);
		if ((rc = mdb_put(txn, dbi[DB_RCLAIM], &k, &v, 0)) != 0)
			goto out;
		k = sv_val(buf_sv(&user));
		rc = mdb_put(txn, dbi[DB_UCLAIM], &k, &v, 0);
		*to_claim = STORE_CLAIM_PENDING;
	} else if ((rc = mdb_get(txn, dbi[DB_UCLAIM], &k, &cv)) == 0 &&
	    cv.mv_size == 8 && get_be64(cv.mv_data) == id)
		rc = mdb_del(txn, dbi[DB_UCLAIM], &k, NULL);
	else if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = dispute_close(txn, dbi, id, from, to, now);
out:
	buf_free(&rec);
	buf_free(&note);
	buf_free(&user);
	return rc;
}
