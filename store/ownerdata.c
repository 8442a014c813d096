/* ownerdata.c: what the owner of a claimed profile writes on it: settings (bio, open to collaborate, homepage), works that are not theirs, merge requests (store.h "a claimed profile's owner"). */
#include "store_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "import_int.h"
#include "utf8.h"

int
store_https_url_valid(struct sv v)
{
	size_t i = 8, host = 0;

	if (v.n < 9 || memcmp(v.p, "https://", 8) != 0)
		return 0;
	for (; i < v.n && v.p[i] != '/' && v.p[i] != ':' && v.p[i] != '?' &&
	    v.p[i] != '#'; i++, host++) {
		char c = v.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 0;
	}
	if (host == 0 || v.p[8] == '.' || v.p[8] == '-')
		return 0;
	if (i < v.n && v.p[i] == ':') {
		size_t d = 0;

		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			d++;
		if (d == 0 || d > 5)
			return 0;
	}
	for (; i < v.n; i++)
		if ((unsigned char)v.p[i] <= 0x20 || (unsigned char)v.p[i] >= 0x7F ||
		    v.p[i] == '"' || v.p[i] == '<' || v.p[i] == '>' || v.p[i] == '\\')
			return 0;
	return 1;
}

/* ---- who owns a researcher ------------------------------------------------ */

/* (store_int.h) */
int
approved_claim(MDB_txn *txn, const MDB_dbi *dbi, struct sv id,
    struct store_claim *claim)
{
	MDB_val k = sv_val(id), v;
	int rc;

	if (id.n == 0 || id.n > 511)
		return STORE_NOTFOUND;
	if ((rc = mdb_get(txn, dbi[DB_RCLAIM], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	k = v;
	if ((rc = mdb_get(txn, dbi[DB_CLAIMS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_claim_decode(v.mv_data, v.mv_size, claim)) != 0)
		return rc;
	return claim->state == STORE_CLAIM_STATE_APPROVED ? 0 : STORE_NOTFOUND;
}

int
store_owner_of(struct store_rtxn *t, struct sv researcher_id, struct sv *user)
{
	struct store_claim c;
	int rc;

	*user = (struct sv){ "", 0 };
	if (db_absent(t->s, DB_RCLAIM) || db_absent(t->s, DB_CLAIMS))
		return STORE_NOTFOUND;
	/* Claims are user data. */
	if ((rc = approved_claim(t->utxn, t->s->user->dbi, researcher_id,
	    &c)) == 0)
		*user = c.user;
	return rc;
}

/*
 * (store_int.h) Whether user owns researcher id, in a write transaction:
 * 0, EPERM when not (unclaimed, pending, or someone else's), or an error.
 */
int
owner_check(struct store *s, struct sv id, struct sv user)
{
	struct store_claim c;
	MDB_txn *ut;
	int rc;

	/* Claims are user data, in the other environment: a read of it. A
	 * catalog opened alone (--into-new) knows no owner. */
	if (s->user == NULL)
		return EPERM;
	if ((rc = mdb_txn_begin(s->user->env, NULL, MDB_RDONLY, &ut)) != 0)
		return rc;
	rc = approved_claim(ut, s->user->dbi, id, &c);
	if (rc == STORE_NOTFOUND)
		rc = EPERM;
	else if (rc == 0)
		rc = sv_eq(c.user, user) ? 0 : EPERM;
	mdb_txn_abort(ut);
	return rc;
}

/*
 * The user of researcher id's current claim (pending or approved), copied
 * into user: 0, STORE_NOTFOUND when it has none, or an error. Read in a
 * read transaction of user data.
 */
int
claim_user(struct store *s, struct sv id, struct buf *user)
{
	struct store_claim cl;
	MDB_txn *ut;
	MDB_val k = sv_val(id), v;
	int rc;

	buf_reset(user);
	if (s->user == NULL || id.n == 0 || id.n > 511)
		return STORE_NOTFOUND;
	if ((rc = mdb_txn_begin(s->user->env, NULL, MDB_RDONLY, &ut)) != 0)
		return rc;
	if ((rc = mdb_get(ut, s->user->dbi[DB_RCLAIM], &k, &v)) != 0)
		rc = rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	else if (v.mv_size != 8)
		rc = STORE_CORRUPT;
	else {
		k = v;
		if ((rc = mdb_get(ut, s->user->dbi[DB_CLAIMS], &k, &v)) != 0)
			rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
		else if ((rc = rec_claim_decode(v.mv_data, v.mv_size,
		    &cl)) == 0)
			buf_put(user, cl.user.p, cl.user.n);
	}
	mdb_txn_abort(ut);
	return rc;
}

/*
 * (store_int.h) Bumps the version of researcher id's record, inside a
 * write transaction: its cached pages are keyed by it. STORE_NOTFOUND
 * without a record; STORE_CONFLICT at the last version (never wraps).
 */
int
researcher_bump(MDB_txn *txn, const MDB_dbi *dbi, struct sv id)
{
	struct store_researcher r;
	struct buf rec = BUF_INIT;
	MDB_val k = sv_val(id), v;
	int rc;

	if ((rc = mdb_get(txn, dbi[DB_RESEARCHERS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = rec_researcher_decode(v.mv_data, v.mv_size, &r)) != 0)
		return rc;
	if (r.version == UINT32_MAX)
		return STORE_CONFLICT;
	r.version++;
	/* Encoded before the put: r points into the page it replaces. */
	rec_researcher_encode(&rec, &r);
	v = (MDB_val){ rec.len, rec.p };
	rc = mdb_put(txn, dbi[DB_RESEARCHERS], &k, &v, 0);
	buf_free(&rec);
	return rc;
}

/* ---- settings -------------------------------------------------------------- */

static void
settings_defaults(struct store_owner_settings *o, struct sv id)
{
	memset(o, 0, sizeof(*o));
	o->researcher_id = id;
	o->user = o->bio = o->homepage = (struct sv){ "", 0 };
	o->open_to_collaborate = 1;
}

int
store_owner_settings_get(struct store_rtxn *t, struct sv researcher_id,
    struct store_owner_settings *out)
{
	struct sv owner;
	MDB_val v;
	int rc;

	settings_defaults(out, researcher_id);
	if ((rc = store_get(t, DB_OWNERSET, researcher_id, &v)) != 0)
		return rc;
	if ((rc = rec_owner_decode(v.mv_data, v.mv_size, out)) != 0) {
		settings_defaults(out, researcher_id);
		return rc;
	}
	/*
	 * What an owner wrote is theirs: a profile that changed hands (a
	 * claim revoked and another approved, settings moved by a merge)
	 * shows the defaults to its new owner.
	 */
	if ((rc = store_owner_of(t, researcher_id, &owner)) == STORE_NOTFOUND ||
	    (rc == 0 && !sv_eq(owner, out->user))) {
		settings_defaults(out, researcher_id);
		return STORE_NOTFOUND;
	}
	return rc;
}

struct settings_put {
	struct store *s;
	const MDB_dbi *dbi;
	struct sv id, user;
	const struct store_owner_settings *in;
	unsigned fields;
	uint64_t now;
	struct buf rec;
};

static int
settings_put_txn(MDB_txn *txn, void *ctx)
{
	struct settings_put *p = ctx;
	struct store_owner_settings o;
	MDB_val k = sv_val(p->id), v;
	int rc;

	if ((rc = mdb_get(txn, p->dbi[DB_RESEARCHERS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = owner_check(p->s, p->id, p->user)) != 0)
		return rc;
	settings_defaults(&o, p->id);
	if ((rc = mdb_get(txn, p->dbi[DB_OWNERSET], &k, &v)) == 0) {
		if ((rc = rec_owner_decode(v.mv_data, v.mv_size, &o)) != 0)
			return rc;
		/* A former owner's words are not kept for the new one. */
		if (!sv_eq(o.user, p->user))
			settings_defaults(&o, p->id);
	} else if (rc != MDB_NOTFOUND)
		return rc;
	o.researcher_id = p->id;
	o.user = p->user;
	o.updated_at = p->now;
	if (p->fields & STORE_OWNER_BIO)
		o.bio = p->in->bio;
	if (p->fields & STORE_OWNER_OPEN)
		o.open_to_collaborate = p->in->open_to_collaborate;
	if (p->fields & STORE_OWNER_HOMEPAGE)
		o.homepage = p->in->homepage;
	/* Encoded before any put: o may point into the map. */
	buf_reset(&p->rec);
	rec_owner_encode(&p->rec, &o);
	k = sv_val(p->id);
	v = (MDB_val){ p->rec.len, p->rec.p };
	if ((rc = mdb_put(txn, p->dbi[DB_OWNERSET], &k, &v, 0)) != 0)
		return rc;
	return researcher_bump(txn, p->dbi, p->id);
}

int
store_owner_settings_put(struct store *s, struct sv researcher_id,
    struct sv user, const struct store_owner_settings *in, unsigned fields)
{
	struct settings_put p;
	struct store_owner_settings copy;
	struct buf arena = BUF_INIT;
	uint64_t num;
	int rc;

	if (!store_user_valid(user) || fields == 0 ||
	    (fields & ~(STORE_OWNER_BIO | STORE_OWNER_OPEN |
	    STORE_OWNER_HOMEPAGE)) != 0)
		return STORE_INVALID;
	if ((fields & STORE_OWNER_BIO) && (in->bio.n > STORE_BIO_MAX * 4 ||
	    !store_text_valid(in->bio, STORE_TEXT_LINE) ||
	    utf8_chars((const unsigned char *)in->bio.p, in->bio.n) >
	    STORE_BIO_MAX))
		return STORE_INVALID;
	if ((fields & STORE_OWNER_HOMEPAGE) && in->homepage.n != 0 &&
	    (in->homepage.n > STORE_HOMEPAGE_MAX ||
	    !store_https_url_valid(in->homepage)))
		return STORE_INVALID;
	if ((fields & STORE_OWNER_OPEN) && in->open_to_collaborate > 1)
		return STORE_INVALID;
	if (id_parse(researcher_id, 'A', &num) != 0)
		return STORE_NOTFOUND;

	/* Copies: the arguments may point into the map, which may grow. */
	memset(&copy, 0, sizeof(copy));
	buf_put(&arena, researcher_id.p, researcher_id.n);
	buf_put(&arena, user.p, user.n);
	if (fields & STORE_OWNER_BIO)
		buf_put(&arena, in->bio.p, in->bio.n);
	if (fields & STORE_OWNER_HOMEPAGE)
		buf_put(&arena, in->homepage.p, in->homepage.n);
	buf_reserve(&arena, 1);
	{
		size_t at = 0;

		memset(&p, 0, sizeof(p));
		p.id = (struct sv){ arena.p + at, researcher_id.n };
		at += researcher_id.n;
		p.user = (struct sv){ arena.p + at, user.n };
		at += user.n;
		copy.bio = (struct sv){ "", 0 };
		copy.homepage = (struct sv){ "", 0 };
		if (fields & STORE_OWNER_BIO) {
			copy.bio = (struct sv){ arena.p + at, in->bio.n };
			at += in->bio.n;
		}
		if (fields & STORE_OWNER_HOMEPAGE)
			copy.homepage = (struct sv){ arena.p + at,
			    in->homepage.n };
	}
	copy.open_to_collaborate = in->open_to_collaborate;
	p.s = s;
	p.dbi = s->dbi;
	p.in = &copy;
	p.fields = fields;
	p.now = (uint64_t)time(NULL);
	rc = store_write(s, settings_put_txn, &p);
	buf_free(&p.rec);
	buf_free(&arena);
	return rc;
}

/* ---- works the owner says are not theirs ---------------------------------- */

/*
 * Runs an owner's change as an import of no files (import_owner.c): the
 * change, the owners' data applied again, and the figures derived again,
 * in one write transaction.
 */
static int
owner_run(struct store *s, struct owner_change *c)
{
	struct import_opts o;
	struct import_report rep;

	memset(&o, 0, sizeof(o));
	o.log = stderr;          /* no files: nothing is logged */
	o.owner = c;
	return store_import(s, &o, &rep);
}

int
store_work_hide(struct store *s, struct sv researcher_id, struct sv user,
    struct sv work_id, int hide)
{
	struct owner_change c;
	struct buf arena = BUF_INIT;
	uint64_t num;
	int rc;

	if (!store_user_valid(user) || id_parse(work_id, 'W', &num) != 0)
		return STORE_INVALID;
	if (id_parse(researcher_id, 'A', &num) != 0)
		return STORE_NOTFOUND;
	/* Copies: the arguments may point into the map, which may grow. */
	buf_put(&arena, researcher_id.p, researcher_id.n);
	buf_put(&arena, user.p, user.n);
	buf_put(&arena, work_id.p, work_id.n);
	memset(&c, 0, sizeof(c));
	c.kind = hide ? OWNER_HIDE : OWNER_UNHIDE;
	c.researcher = (struct sv){ arena.p, researcher_id.n };
	c.user = (struct sv){ arena.p + researcher_id.n, user.n };
	c.work = (struct sv){ arena.p + researcher_id.n + user.n, work_id.n };
	rc = owner_run(s, &c);
	buf_free(&arena);
	return rc;
}

int
store_hidden_each(struct store_rtxn *t, struct sv researcher_id,
    store_hidden_cb cb, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	char wid[ID_BUF];
	int rc, op;

	if (db_absent(t->s, DB_HIDDEN))
		return 0;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_HIDDEN], &c)) != 0)
		return rc;
	if (researcher_id.n) {
		if (researcher_id.n > 511) {
			mdb_cursor_close(c);
			return 0;
		}
		k = sv_val(researcher_id);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
		op = MDB_NEXT_DUP;
	} else {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
		op = MDB_NEXT;
	}
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, op)) {
		struct sv w;

		if (v.mv_size != 16) {
			rc = STORE_CORRUPT;
			break;
		}
		w = (struct sv){ wid, id_format(wid, 'W',
		    get_be64(v.mv_data)) };
		if ((rc = cb(ctx, val_sv(k), w,
		    get_be64((const unsigned char *)v.mv_data + 8))) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- merge requests ---------------------------------------------------------- */

/* A note of a request or a decision: text of at most 1000 characters. */
static int
note_ok(struct sv s)
{
	return s.n <= STORE_CLAIM_NOTE_MAX * 4 &&
	    store_text_valid(s, STORE_TEXT_NOTE) &&
	    utf8_chars((const unsigned char *)s.p, s.n) <= STORE_CLAIM_NOTE_MAX;
}

struct merge_file {
	struct store *s;
	const MDB_dbi *dbi;
	struct buf cuser;        /* the duplicate's claimant, copied */
	struct store_merge_req q;
	struct buf rec;
	uint64_t id;
	int why;
};

/* Whether a pending request names from (as its duplicate), or the reverse
 * of (from, into): STORE_CONFLICT with f->why, 0, or an error. */
static int
pending_requests(MDB_txn *txn, struct merge_file *f)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, f->dbi[DB_MERGEREQ], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct store_merge_req q;

		if ((rc = rec_mergereq_decode(v.mv_data, v.mv_size, &q)) != 0)
			break;
		if (q.state != STORE_CLAIM_STATE_PENDING)
			continue;
		if (sv_eq(q.from, f->q.from)) {
			f->why = STORE_MERGE_ASKED;
			rc = STORE_CONFLICT;
			break;
		}
		if (sv_eq(q.from, f->q.into) && sv_eq(q.into, f->q.from)) {
			f->why = STORE_MERGE_LOOP;
			rc = STORE_CONFLICT;
			break;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
merge_file_txn(MDB_txn *txn, void *ctx)
{
	struct merge_file *f = ctx;
	MDB_val k = sv_val(f->q.into), v;
	unsigned char b[8];
	uint64_t last;
	int rc, hops;

	if ((rc = mdb_get(txn, f->dbi[DB_RESEARCHERS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = owner_check(f->s, f->q.into, f->q.user)) != 0)
		return rc;
	if (sv_eq(f->q.from, f->q.into)) {
		f->why = STORE_MERGE_SELF;
		return STORE_CONFLICT;
	}
	k = sv_val(f->q.from);
	if ((rc = mdb_get(txn, f->dbi[DB_RESEARCHERS], &k, &v)) ==
	    MDB_NOTFOUND) {
		/* Merged away already: into this one, or another. */
		struct sv at = f->q.from;

		for (hops = 0; hops < 8; hops++) {
			k = sv_val(at);
			if ((rc = mdb_get(txn, f->dbi[DB_MERGED], &k, &v)) != 0)
				break;
			at = val_sv(v);
			if (sv_eq(at, f->q.into)) {
				f->why = STORE_MERGE_SELF;
				return STORE_CONFLICT;
			}
		}
		if (hops == 0)
			return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		f->why = STORE_MERGE_MERGED;
		return STORE_CONFLICT;
	}
	if (rc != 0)
		return rc;
	/* Someone else's claim, pending or approved, on the duplicate. */
	if ((rc = claim_user(f->s, f->q.from, &f->cuser)) == 0) {
		if (!sv_eq(buf_sv(&f->cuser), f->q.user)) {
			f->why = STORE_MERGE_CLAIMED;
			return STORE_CONFLICT;
		}
	} else if (rc != STORE_NOTFOUND)
		return rc;
	if ((rc = pending_requests(txn, f)) != 0)
		return rc;
	if ((rc = meta_get(txn, f->dbi[DB_META], "mergereq_last", 8, &last)))
		return rc;
	if (last == UINT64_MAX)
		return STORE_CONFLICT;
	f->q.id = last + 1;
	buf_reset(&f->rec);
	rec_mergereq_encode(&f->rec, &f->q);
	if ((rc = meta_put(txn, f->dbi[DB_META], "mergereq_last", 8,
	    f->q.id)) != 0)
		return rc;
	put_be64(b, f->q.id);
	k = (MDB_val){ 8, b };
	v = (MDB_val){ f->rec.len, f->rec.p };
	if ((rc = mdb_put(txn, f->dbi[DB_MERGEREQ], &k, &v, 0)) != 0)
		return rc;
	f->id = f->q.id;
	return researcher_bump(txn, f->dbi, f->q.into);
}

int
store_merge_request(struct store *s, struct sv into, struct sv user,
    struct sv from, struct sv note, uint64_t *id, int *why)
{
	struct merge_file f;
	struct buf arena = BUF_INIT;
	uint64_t num;
	size_t at = 0;
	int rc;

	*id = 0;
	*why = 0;
	if (!store_user_valid(user) || !note_ok(note))
		return STORE_INVALID;
	if (id_parse(into, 'A', &num) != 0 || id_parse(from, 'A', &num) != 0)
		return STORE_NOTFOUND;
	memset(&f, 0, sizeof(f));
	buf_put(&arena, into.p, into.n);
	buf_put(&arena, user.p, user.n);
	buf_put(&arena, from.p, from.n);
	buf_put(&arena, note.p, note.n);
	buf_reserve(&arena, 1);
	f.s = s;
	f.dbi = s->dbi;
	f.q.into = (struct sv){ arena.p + at, into.n };
	at += into.n;
	f.q.user = (struct sv){ arena.p + at, user.n };
	at += user.n;
	f.q.from = (struct sv){ arena.p + at, from.n };
	at += from.n;
	f.q.note = (struct sv){ note.n ? arena.p + at : "", note.n };
	f.q.reviewer_note = (struct sv){ "", 0 };
	f.q.state = STORE_CLAIM_STATE_PENDING;
	f.q.filed_at = (uint64_t)time(NULL);
	rc = store_write(s, merge_file_txn, &f);
	if (rc == 0)
		*id = f.id;
	else if (rc == STORE_CONFLICT)
		*why = f.why;
	buf_free(&f.rec);
	buf_free(&f.cuser);
	buf_free(&arena);
	return rc;
}

struct merge_reject {
	const MDB_dbi *dbi;
	uint64_t id;
	struct sv note;
	int why;
};

static int
merge_reject_txn(MDB_txn *txn, void *ctx)
{
	struct merge_reject *x = ctx;
	struct store_merge_req q;
	struct buf rec = BUF_INIT, copy = BUF_INIT;
	unsigned char b[8];
	MDB_val k = { 8, b }, v;
	int rc;

	put_be64(b, x->id);
	if ((rc = mdb_get(txn, x->dbi[DB_MERGEREQ], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	buf_put(&copy, v.mv_data, v.mv_size);
	if ((rc = rec_mergereq_decode(copy.p, copy.len, &q)) != 0)
		goto out;
	if (q.state != STORE_CLAIM_STATE_PENDING) {
		x->why = STORE_MERGE_DECIDED;
		rc = STORE_CONFLICT;
		goto out;
	}
	q.state = STORE_CLAIM_STATE_REJECTED;
	q.reviewer_note = x->note;
	q.decided_at = (uint64_t)time(NULL);
	rec_mergereq_encode(&rec, &q);
	v = (MDB_val){ rec.len, rec.p };
	if ((rc = mdb_put(txn, x->dbi[DB_MERGEREQ], &k, &v, 0)) == 0)
		rc = researcher_bump(txn, x->dbi, q.into);
	if (rc == STORE_NOTFOUND)
		rc = 0;      /* the owner's record merged away since */
out:
	buf_free(&rec);
	buf_free(&copy);
	return rc;
}

int
store_merge_decide(struct store *s, uint64_t id, int approve,
    struct sv reviewer_note, int *why)
{
	struct buf arena = BUF_INIT;
	struct sv note;
	int rc;

	*why = 0;
	if (!note_ok(reviewer_note))
		return STORE_INVALID;
	buf_put(&arena, reviewer_note.p, reviewer_note.n);
	buf_reserve(&arena, 1);
	note = (struct sv){ arena.p, reviewer_note.n };
	if (approve) {
		struct owner_change c;

		memset(&c, 0, sizeof(c));
		c.kind = OWNER_MERGE_APPROVE;
		c.merge_id = id;
		c.note = note;
		rc = owner_run(s, &c);
		*why = c.why;
	} else {
		struct merge_reject x = { s->dbi, id, note, 0 };

		rc = store_write(s, merge_reject_txn, &x);
		*why = x.why;
	}
	buf_free(&arena);
	return rc;
}

int
store_merge_request_by_id(struct store_rtxn *t, uint64_t id,
    struct store_merge_req *out)
{
	unsigned char b[8];
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	put_be64(b, id);
	if ((rc = store_get(t, DB_MERGEREQ, (struct sv){ (char *)b, 8 }, &v)))
		return rc;
	return rec_mergereq_decode(v.mv_data, v.mv_size, out);
}

int
store_merge_requests_each(struct store_rtxn *t, int state, store_merge_cb cb,
    void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if (state < 0 || state > STORE_CLAIM_STATE_REJECTED)
		return STORE_INVALID;
	if (db_absent(t->s, DB_MERGEREQ))
		return 0;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_MERGEREQ], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct store_merge_req q;

		if ((rc = rec_mergereq_decode(v.mv_data, v.mv_size, &q)) != 0)
			break;
		if (state && q.state != state)
			continue;
		if ((rc = cb(ctx, &q)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
