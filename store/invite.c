/* invite.c: invitations to collaborate, sent to the owner of a claimed profile (store.h "invitations"). */
#include "store_int.h"

#include <string.h>
#include <time.h>

#include "codec.h"
#include "utf8.h"

/* Tags of invitekeys (store_int.h). */
#define K_OPEN     'o'
#define K_BLOCK    'b'
#define K_RECEIVED 'r'
#define K_SENT     's'

/* Text of this kind, 1..max characters (as a browser counts them). */
static int
field_ok(struct sv s, size_t max, enum store_text kind)
{
	return s.n > 0 && s.n <= max * 4 && store_text_valid(s, kind) &&
	    utf8_chars((const unsigned char *)s.p, s.n) <= max;
}

/* key := tag | a NUL | b (b may be empty), into k (reset). */
static struct sv
ikey(struct buf *k, char tag, struct sv a, struct sv b)
{
	buf_reset(k);
	buf_putc(k, tag);
	buf_put(k, a.p, a.n);
	buf_putc(k, '\0');
	buf_put(k, b.p, b.n);
	return (struct sv){ k->p, k->len };
}

/* A list key: tag | name | NUL | u64 BE id. */
static struct sv
ikey_id(struct buf *k, char tag, struct sv name, uint64_t id)
{
	unsigned char b[8];

	put_be64(b, id);
	return ikey(k, tag, name, (struct sv){ (const char *)b, 8 });
}

/*
 * Claimed, and the owner's settings (ownerdata.c) say open: an owner who
 * has said nothing is open (the settings' default), one who said no is
 * not. An unreadable setting reads as closed.
 */
int
store_invite_open_for(struct store_rtxn *t, const struct store_researcher *r)
{
	struct store_owner_settings o;
	int rc;

	if (r->claim != STORE_CLAIM_APPROVED)
		return 0;
	rc = store_owner_settings_get(t, r->id, &o);
	return (rc == 0 || rc == STORE_NOTFOUND) && o.open_to_collaborate == 1;
}

/* Puts key -> val (val NULL: empty) in invitekeys. */
static int
kput(MDB_txn *txn, const MDB_dbi *dbi, struct sv key, const unsigned char *val,
    size_t n)
{
	MDB_val k = sv_val(key), v = { n, (void *)(uintptr_t)(val ? val : (const unsigned char *)"") };

	return mdb_put(txn, dbi[DB_INVITEKEYS], &k, &v, 0);
}

static int
kdel(MDB_txn *txn, const MDB_dbi *dbi, struct sv key)
{
	MDB_val k = sv_val(key);
	int rc = mdb_del(txn, dbi[DB_INVITEKEYS], &k, NULL);

	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Deletes the open-pair key when it names invitation id (no other). */
static int
kdel_open(MDB_txn *txn, const MDB_dbi *dbi, struct sv key, uint64_t id)
{
	MDB_val k = sv_val(key), v;
	int rc;

	if ((rc = mdb_get(txn, dbi[DB_INVITEKEYS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if (v.mv_size != 8 || get_be64(v.mv_data) != id)
		return 0;
	return kdel(txn, dbi, key);
}

/* ---- a merge: the invitations of the merged researcher go to the survivor ---- */

/*
 * Every key tag|from NUL..., as (suffix, value) pairs appended to out:
 * u32 suffix length, suffix, u32 value length, value.
 */
static int
keys_of(MDB_txn *txn, const MDB_dbi *dbi, char tag, struct sv from,
    struct buf *prefix, struct buf *out)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	ikey(prefix, tag, from, (struct sv){ "", 0 });
	if ((rc = mdb_cursor_open(txn, dbi[DB_INVITEKEYS], &c)) != 0)
		return rc;
	k = sv_val(buf_sv(prefix));
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint32_t n;

		if (k.mv_size < prefix->len ||
		    memcmp(k.mv_data, prefix->p, prefix->len) != 0)
			break;
		n = (uint32_t)(k.mv_size - prefix->len);
		buf_put(out, &n, 4);
		buf_put(out, (const char *)k.mv_data + prefix->len, n);
		n = (uint32_t)v.mv_size;
		buf_put(out, &n, 4);
		buf_put(out, v.mv_data, n);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The next (suffix, value) of keys_of()'s list at *at: 1, or 0 at its end. */
static int
keys_next(const struct buf *l, size_t *at, struct sv *suffix, struct sv *val)
{
	uint32_t n;

	if (*at + 4 > l->len)
		return 0;
	memcpy(&n, l->p + *at, 4);
	*suffix = (struct sv){ l->p + *at + 4, n };
	*at += 4 + n;
	memcpy(&n, l->p + *at, 4);
	*val = (struct sv){ l->p + *at + 4, n };
	*at += 4 + n;
	return 1;
}

int
invites_merge_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    struct sv to)
{
	static const char tags[] = { K_RECEIVED, K_OPEN, K_BLOCK };
	struct buf key = BUF_INIT, list = BUF_INIT, rec = BUF_INIT;
	int rc = 0;

	for (size_t t = 0; t < sizeof(tags) && rc == 0; t++) {
		struct sv suf, val;
		size_t at = 0;

		buf_reset(&list);
		if ((rc = keys_of(txn, dbi, tags[t], from, &key, &list)) != 0)
			break;
		while (rc == 0 && keys_next(&list, &at, &suf, &val)) {
			MDB_val k, v;

			if (tags[t] == K_RECEIVED) {
				/* The invitation names the survivor now. */
				struct store_invite c;

				if (suf.n != 8) {
					rc = STORE_CORRUPT;
					break;
				}
				k = (MDB_val){ 8, (void *)(uintptr_t)suf.p };
				if ((rc = mdb_get(txn, dbi[DB_INVITES], &k,
				    &v)) != 0) {
					rc = rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
					break;
				}
				if ((rc = rec_invite_decode(v.mv_data, v.mv_size,
				    &c)) != 0)
					break;
				c.researcher_id = to;
				buf_reset(&rec);
				rec_invite_encode(&rec, &c);
				v = sv_val(buf_sv(&rec));
				if ((rc = mdb_put(txn, dbi[DB_INVITES], &k, &v,
				    0)) != 0)
					break;
			}
			/* An open pair or a block the survivor has already
			 * stands; the merged one's goes. Two invitations
			 * from one sender may then both be open: answering
			 * one leaves the other's pair key alone (kdel_open). */
			k = sv_val(ikey(&key, tags[t], to, suf));
			if ((rc = mdb_get(txn, dbi[DB_INVITEKEYS], &k,
			    &v)) == MDB_NOTFOUND)
				rc = kput(txn, dbi, buf_sv(&key),
				    (const unsigned char *)val.p, val.n);
			if (rc != 0 ||
			    (rc = kdel(txn, dbi, ikey(&key, tags[t], from,
			    suf))) != 0)
				break;
		}
	}
	buf_free(&key);
	buf_free(&list);
	buf_free(&rec);
	return rc;
}

/* ---- sending ---------------------------------------------------------------- */

struct invite_send {
	struct store *s;
	struct store_invite c;   /* strings point into arena */
	struct buf arena, key, rec, owner;
	uint64_t id;             /* out: the new or the open one */
	int why;                 /* out: enum store_invite_why */
};

static int
send_in(MDB_txn *txn, struct invite_send *f, MDB_txn *ct)
{
	const MDB_dbi *dbi = f->s->user->dbi;    /* user data's */
	/* The catalog (the record, its owner's settings) in ct, a read of
	 * its own; invitations and claims, user data, in txn. */
	struct store_rtxn here = { f->s, ct, txn, 0, 0 };
	struct store_researcher r;
	struct store_claim cl;
	unsigned char b[8];
	MDB_val k, v;
	uint64_t last;
	int rc;

	f->id = 0;
	f->why = 0;
	k = sv_val(f->c.researcher_id);
	if ((rc = mdb_get(ct, f->s->dbi[DB_RESEARCHERS], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = rec_researcher_decode(v.mv_data, v.mv_size, &r)) != 0)
		return rc;
	{
		/* Its claim state is user data's (rstate). */
		struct rstate st;

		if ((rc = rstate_get(txn, dbi[DB_RSTATE], f->c.researcher_id,
		    &st)) != 0)
			return rc;
		rstate_apply(&st, &r);
	}
	/* Open is read in this transaction: never offered past a change. */
	if (!store_invite_open_for(&here, &r)) {
		f->why = STORE_INVITE_CLOSED;
		return STORE_CONFLICT;
	}
	if ((rc = approved_claim(txn, dbi, f->c.researcher_id, &cl)) != 0) {
		if (rc != STORE_NOTFOUND)
			return rc;
		f->why = STORE_INVITE_CLOSED;
		return STORE_CONFLICT;
	}
	if (sv_eq(cl.user, f->c.sender)) {
		f->why = STORE_INVITE_OWN;
		return STORE_CONFLICT;
	}
	buf_reset(&f->owner);
	buf_put(&f->owner, cl.user.p, cl.user.n);
	f->c.owner = buf_sv(&f->owner);

	k = sv_val(ikey(&f->key, K_BLOCK, f->c.researcher_id, f->c.sender));
	if ((rc = mdb_get(txn, dbi[DB_INVITEKEYS], &k, &v)) == 0) {
		f->why = STORE_INVITE_BLOCKED;
		return STORE_CONFLICT;
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	k = sv_val(ikey(&f->key, K_OPEN, f->c.researcher_id, f->c.sender));
	if ((rc = mdb_get(txn, dbi[DB_INVITEKEYS], &k, &v)) == 0) {
		if (v.mv_size != 8)
			return STORE_CORRUPT;
		f->id = get_be64(v.mv_data);
		return STORE_EXISTS;
	}
	if (rc != MDB_NOTFOUND)
		return rc;

	if ((rc = meta_get(txn, dbi[DB_META], "invite_last", 8, &last)) != 0)
		return rc;
	if (last == UINT64_MAX)
		return STORE_CONFLICT;
	f->c.id = last + 1;
	buf_reset(&f->rec);
	rec_invite_encode(&f->rec, &f->c);
	if ((rc = meta_put(txn, dbi[DB_META], "invite_last", 8, f->c.id)) != 0)
		return rc;
	put_be64(b, f->c.id);
	k = (MDB_val){ 8, b };
	v = sv_val(buf_sv(&f->rec));
	if ((rc = mdb_put(txn, dbi[DB_INVITES], &k, &v, 0)) != 0)
		return rc;
	if ((rc = kput(txn, dbi, ikey(&f->key, K_OPEN, f->c.researcher_id,
	    f->c.sender), b, 8)) != 0 ||
	    (rc = kput(txn, dbi, ikey_id(&f->key, K_RECEIVED,
	    f->c.researcher_id, f->c.id), NULL, 0)) != 0 ||
	    (rc = kput(txn, dbi, ikey_id(&f->key, K_SENT, f->c.sender,
	    f->c.id), NULL, 0)) != 0)
		return rc;
	f->id = f->c.id;
	return 0;
}

static int
invite_send_txn(MDB_txn *txn, void *ctx)
{
	struct invite_send *f = ctx;
	MDB_txn *ct;
	int rc;

	if ((rc = mdb_txn_begin(f->s->env, NULL, MDB_RDONLY, &ct)) != 0)
		return rc;
	rc = send_in(txn, f, ct);
	mdb_txn_abort(ct);
	return rc;
}

int
store_invite_send(struct store *s, const struct store_invite *in,
    uint64_t *id, int *why)
{
	struct invite_send f;
	size_t o_rid, o_sender, o_subject, o_message;
	uint64_t num;
	int rc;

	*id = 0;
	*why = 0;
	if (!store_user_valid(in->sender) ||
	    !field_ok(in->subject, STORE_INVITE_SUBJECT_MAX, STORE_TEXT_LINE) ||
	    !field_ok(in->message, STORE_INVITE_MESSAGE_MAX, STORE_TEXT_NOTE))
		return STORE_INVALID;
	if (id_parse(in->researcher_id, 'A', &num) != 0)
		return STORE_NOTFOUND;
	memset(&f, 0, sizeof(f));
	f.s = s;
	/* Copies: the arguments may point into the map, which may grow. */
	o_rid = f.arena.len;
	buf_put(&f.arena, in->researcher_id.p, in->researcher_id.n);
	o_sender = f.arena.len;
	buf_put(&f.arena, in->sender.p, in->sender.n);
	o_subject = f.arena.len;
	buf_put(&f.arena, in->subject.p, in->subject.n);
	o_message = f.arena.len;
	buf_put(&f.arena, in->message.p, in->message.n);
	f.c.researcher_id = (struct sv){ f.arena.p + o_rid, in->researcher_id.n };
	f.c.sender = (struct sv){ f.arena.p + o_sender, in->sender.n };
	f.c.subject = (struct sv){ f.arena.p + o_subject, in->subject.n };
	f.c.message = (struct sv){ f.arena.p + o_message, in->message.n };
	f.c.sender_contact = f.c.owner_contact = SV_LIT("");
	f.c.state = STORE_INVITE_OPEN;
	f.c.sent_at = in->sent_at ? in->sent_at : (uint64_t)time(NULL);
	rc = store_write(s->user, invite_send_txn, &f);
	if (rc == 0 || rc == STORE_EXISTS)
		*id = f.id;
	if (rc == STORE_CONFLICT)
		*why = f.why;
	buf_free(&f.arena);
	buf_free(&f.key);
	buf_free(&f.rec);
	buf_free(&f.owner);
	return rc;
}

/* ---- answering ---------------------------------------------------------------- */

struct invite_decide {
	const MDB_dbi *dbi;
	uint64_t id, now;
	struct sv user;          /* copied */
	int action;
	struct buf keep, key, rec;
};

static int
invite_decide_txn(MDB_txn *txn, void *ctx)
{
	struct invite_decide *d = ctx;
	struct store_invite c;
	struct store_claim cl;
	unsigned char b[8];
	MDB_val k, v;
	size_t o_email;
	int rc, open;

	put_be64(b, d->id);
	k = (MDB_val){ 8, b };
	if ((rc = mdb_get(txn, d->dbi[DB_INVITES], &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
	if ((rc = rec_invite_decode(v.mv_data, v.mv_size, &c)) != 0)
		return rc;
	/* Only its owner, and only while they own the profile. */
	if (!sv_eq(c.owner, d->user))
		return STORE_NOTFOUND;
	if ((rc = approved_claim(txn, d->dbi, c.researcher_id, &cl)) != 0)
		return rc;
	if (!sv_eq(cl.user, d->user))
		return STORE_NOTFOUND;
	/* Copies of what the puts below would move. */
	buf_reset(&d->keep);
	o_email = d->keep.len;
	buf_put(&d->keep, cl.email.p, cl.email.n);
	{
		size_t o_rid = d->keep.len, o_sender, o_owner, o_subj, o_msg;

		buf_put(&d->keep, c.researcher_id.p, c.researcher_id.n);
		o_sender = d->keep.len;
		buf_put(&d->keep, c.sender.p, c.sender.n);
		o_owner = d->keep.len;
		buf_put(&d->keep, c.owner.p, c.owner.n);
		o_subj = d->keep.len;
		buf_put(&d->keep, c.subject.p, c.subject.n);
		o_msg = d->keep.len;
		buf_put(&d->keep, c.message.p, c.message.n);
		c.researcher_id = (struct sv){ d->keep.p + o_rid, c.researcher_id.n };
		c.sender = (struct sv){ d->keep.p + o_sender, c.sender.n };
		c.owner = (struct sv){ d->keep.p + o_owner, c.owner.n };
		c.subject = (struct sv){ d->keep.p + o_subj, c.subject.n };
		c.message = (struct sv){ d->keep.p + o_msg, c.message.n };
		/* Rewritten below only while open: no contacts yet. */
		c.sender_contact = c.owner_contact = SV_LIT("");
	}
	open = c.state == STORE_INVITE_OPEN;
	switch (d->action) {
	case STORE_INVITE_ACCEPT:
	case STORE_INVITE_DECLINE:
		if (!open)
			return STORE_CONFLICT;
		break;
	case STORE_INVITE_BLOCK:
		put_be64(b, d->now);
		if ((rc = kput(txn, d->dbi, ikey(&d->key, K_BLOCK,
		    c.researcher_id, c.sender), b, 8)) != 0)
			return rc;
		if (!open)
			return 0;
		break;
	case STORE_INVITE_UNBLOCK:
		return kdel(txn, d->dbi, ikey(&d->key, K_BLOCK,
		    c.researcher_id, c.sender));
	default:
		return STORE_INVALID;
	}
	c.decided_at = d->now;
	if (d->action == STORE_INVITE_ACCEPT) {
		c.state = STORE_INVITE_ACCEPTED;
		c.owner_contact = (struct sv){ d->keep.p + o_email, cl.email.n };
		c.sender_contact = c.sender;
	} else
		c.state = STORE_INVITE_DECLINED;
	buf_reset(&d->rec);
	rec_invite_encode(&d->rec, &c);
	put_be64(b, d->id);
	k = (MDB_val){ 8, b };
	v = sv_val(buf_sv(&d->rec));
	if ((rc = mdb_put(txn, d->dbi[DB_INVITES], &k, &v, 0)) != 0)
		return rc;
	return kdel_open(txn, d->dbi, ikey(&d->key, K_OPEN, c.researcher_id,
	    c.sender), d->id);
}

int
store_invite_decide(struct store *s, uint64_t id, struct sv user, int action,
    uint64_t now)
{
	struct invite_decide d;
	struct buf u = BUF_INIT;
	int rc;

	if (!store_user_valid(user) || action < STORE_INVITE_ACCEPT ||
	    action > STORE_INVITE_UNBLOCK)
		return STORE_INVALID;
	memset(&d, 0, sizeof(d));
	d.dbi = s->user->dbi;
	d.id = id;
	d.action = action;
	d.now = now ? now : (uint64_t)time(NULL);
	buf_put(&u, user.p, user.n);
	d.user = buf_sv(&u);
	rc = store_write(s->user, invite_decide_txn, &d);
	buf_free(&u);
	buf_free(&d.keep);
	buf_free(&d.key);
	buf_free(&d.rec);
	return rc;
}

/* ---- reading -------------------------------------------------------------------- */

int
store_invite_by_id(struct store_rtxn *t, uint64_t id, struct store_invite *out)
{
	unsigned char b[8];
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_absent(t->s, DB_INVITES))
		return STORE_NOTFOUND;
	put_be64(b, id);
	if ((rc = store_get(t, DB_INVITES, (struct sv){ (const char *)b, 8 },
	    &v)) != 0)
		return rc;
	return rec_invite_decode(v.mv_data, v.mv_size, out);
}

int
store_invite_open_of(struct store_rtxn *t, struct sv researcher_id,
    struct sv sender, uint64_t *id)
{
	struct buf k = BUF_INIT;
	MDB_val v;
	int rc;

	*id = 0;
	if (db_absent(t->s, DB_INVITEKEYS) || !store_user_valid(sender))
		return STORE_NOTFOUND;
	rc = store_get(t, DB_INVITEKEYS, ikey(&k, K_OPEN, researcher_id,
	    sender), &v);
	buf_free(&k);
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	*id = get_be64(v.mv_data);
	return 0;
}

int
store_invite_blocked(struct store_rtxn *t, struct sv researcher_id,
    struct sv sender, int *out)
{
	struct buf k = BUF_INIT;
	MDB_val v;
	int rc;

	*out = 0;
	if (db_absent(t->s, DB_INVITEKEYS) || !store_user_valid(sender))
		return 0;
	rc = store_get(t, DB_INVITEKEYS, ikey(&k, K_BLOCK, researcher_id,
	    sender), &v);
	buf_free(&k);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc == 0)
		*out = 1;
	return rc;
}

/*
 * The list tag|name NUL id..., newest (largest id) first: from the key
 * after the range's last one back to its start.
 */
static int
invites_list(struct store_rtxn *t, char tag, struct sv name,
    store_invite_cb cb, void *ctx)
{
	struct store_invite c;
	struct buf k = BUF_INIT;
	MDB_cursor *cur;
	MDB_val key, v;
	size_t plen;
	int rc;

	if (db_absent(t->s, DB_INVITEKEYS) || name.n == 0 || name.n > 200)
		return 0;
	ikey_id(&k, tag, name, UINT64_MAX);
	plen = k.len - 8;
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_INVITEKEYS), &cur)) != 0)
		goto out;
	key = sv_val(buf_sv(&k));
	rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &key, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &key, &v, MDB_LAST);
	/* A key equal to the bound (an id of UINT64_MAX) is never given out. */
	for (; rc == 0; rc = mdb_cursor_get(cur, &key, &v, MDB_PREV)) {
		if (key.mv_size != plen + 8 || memcmp(key.mv_data, k.p, plen) != 0)
			break;
		rc = store_invite_by_id(t, get_be64((const unsigned char *)
		    key.mv_data + plen), &c);
		if (rc == STORE_NOTFOUND)
			rc = STORE_CORRUPT;          /* dangling */
		if (rc != 0 || (rc = cb(ctx, &c)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	buf_free(&k);
	return rc;
}

int
store_invites_to(struct store_rtxn *t, struct sv researcher_id,
    store_invite_cb cb, void *ctx)
{
	return invites_list(t, K_RECEIVED, researcher_id, cb, ctx);
}

int
store_invites_from(struct store_rtxn *t, struct sv sender,
    store_invite_cb cb, void *ctx)
{
	if (!store_user_valid(sender))
		return 0;
	return invites_list(t, K_SENT, sender, cb, ctx);
}
