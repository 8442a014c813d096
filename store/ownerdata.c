/* ownerdata.c: what the owner of a claimed profile writes on it: settings (bio, open to collaborate, homepage) (store.h "a claimed profile's owner"). */
#include "store_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "codec.h"
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

/*
 * The approved claim of researcher id, read with get (a read or a write
 * transaction): 0 with *claim, STORE_NOTFOUND when there is none.
 */
static int
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
	if ((rc = approved_claim(t->txn, t->s->dbi, researcher_id, &c)) == 0)
		*user = c.user;
	return rc;
}

/*
 * (store_int.h) Whether user owns researcher id, in a write transaction:
 * 0, EPERM when not (unclaimed, pending, or someone else's), or an error.
 */
int
owner_check(MDB_txn *txn, const MDB_dbi *dbi, struct sv id, struct sv user)
{
	struct store_claim c;
	int rc = approved_claim(txn, dbi, id, &c);

	if (rc == STORE_NOTFOUND)
		return EPERM;
	if (rc != 0)
		return rc;
	return sv_eq(c.user, user) ? 0 : EPERM;
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
	MDB_val v;
	int rc;

	settings_defaults(out, researcher_id);
	if ((rc = store_get(t, DB_OWNERSET, researcher_id, &v)) != 0)
		return rc;
	if ((rc = rec_owner_decode(v.mv_data, v.mv_size, out)) != 0) {
		settings_defaults(out, researcher_id);
		return rc;
	}
	return 0;
}

struct settings_put {
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
	if ((rc = owner_check(txn, p->dbi, p->id, p->user)) != 0)
		return rc;
	settings_defaults(&o, p->id);
	if ((rc = mdb_get(txn, p->dbi[DB_OWNERSET], &k, &v)) == 0) {
		if ((rc = rec_owner_decode(v.mv_data, v.mv_size, &o)) != 0)
			return rc;
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
	p.dbi = s->dbi;
	p.in = &copy;
	p.fields = fields;
	p.now = (uint64_t)time(NULL);
	rc = store_write(s, settings_put_txn, &p);
	buf_free(&p.rec);
	buf_free(&arena);
	return rc;
}
