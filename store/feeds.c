/* feeds.c: what following gives: the newest works of the researchers a user follows, and the secret addresses of their private feeds (store.h "following"). */
#include "store_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"

/* ---- the researchers a user follows, with their newest works ---------------- */

/*
 * A comparable day of a work: YYYYMMDD from its publication date, else
 * YYYY0000 from its year (a work of that year without a date sorts after
 * its dated ones), 0 when neither is known.
 */
static uint32_t
work_day(const struct store_work *w)
{
	const char *p = w->date.p;
	uint32_t d = 0;

	if (w->date.n == 10 && p[4] == '-' && p[7] == '-') {
		for (size_t i = 0; i < 10; i++) {
			if (i == 4 || i == 7)
				continue;
			if (p[i] < '0' || p[i] > '9')
				goto year;
			d = d * 10 + (uint32_t)(p[i] - '0');
		}
		return d;
	}
year:
	return w->year > 0 && w->year < 10000 ? (uint32_t)w->year * 10000 : 0;
}

/* One work read for a list: where it sorts, and the work itself (views into t). */
struct cand {
	uint32_t         day;
	uint64_t         num;        /* the work's number, for ties and repeats */
	size_t           by;         /* index of the researcher it came from */
	struct store_work w;
};

/* Newest first: day, then the higher work number (the newer id). */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->day != y->day)
		return x->day > y->day ? -1 : 1;
	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;
	return x->by < y->by ? -1 : x->by > y->by;
}

struct scan {
	struct cand *c;
	size_t       n, cap;
	size_t       by;
};

static int
scan_cb(void *ctx, const struct store_work *w)
{
	struct scan *s = ctx;
	struct cand *c;

	if (w->flags & STORE_WORK_PARATEXT)
		return 0;
	if (s->n == s->cap)
		return 0;
	c = &s->c[s->n++];
	c->day = work_day(w);
	if (id_parse(w->id, 'W', &c->num) != 0)
		c->num = 0;
	c->by = s->by;
	c->w = *w;
	return 0;
}

/*
 * The first STORE_FOLLOWING_SCAN entries of the researcher's works list
 * (newest year first), into s: the bound of what is read per researcher.
 */
static int
scan_works(struct store_rtxn *t, struct sv rid, struct scan *s)
{
	return store_researcher_works(t, rid, 0, STORE_FOLLOWING_SCAN,
	    scan_cb, s);
}

/*
 * Walks user's following list from entry `skip`, at most `limit` entries
 * (0: to the end), calling each(ctx, researcher) for those whose record
 * is there (a researcher gone from the catalog is passed over). *total
 * (may be NULL) gets the length of the list.
 */
typedef int (*followed_fn)(void *ctx, const struct store_researcher *r);

static int
walk_following(struct store_rtxn *t, struct sv user, size_t skip,
    size_t limit, followed_fn each, void *ctx, size_t *total)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t n = 0, i = 0;
	int rc;

	if (total != NULL)
		*total = 0;
	if (!store_user_valid(user) || db_absent(t->s, DB_FOLLOWING))
		return 0;
	if ((rc = mdb_cursor_open(t->utxn, rdbi(t, DB_FOLLOWING), &c)) != 0)
		return rc;
	k = sv_val(user);
	if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET)) != 0)
		goto out;
	if ((rc = mdb_cursor_count(c, &n)) != 0)
		goto out;
	if (total != NULL)
		*total = n;
	if (skip >= n)
		goto out;
	/* Skipping costs a step per entry of 8 bytes, on pages LMDB keeps
	 * together (DUPFIXED): cheap beside one researcher's record. */
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP), i++) {
		struct store_researcher r;
		char id[ID_BUF];
		size_t idn;

		if (i < skip)
			continue;
		if (limit && i - skip >= limit)
			break;
		if (v.mv_size != 8) {
			rc = STORE_CORRUPT;
			break;
		}
		idn = id_format(id, 'A', get_be64(v.mv_data));
		rc = store_researcher_by_id(t, (struct sv){ id, idn }, &r);
		if (rc == STORE_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0 || (rc = each(ctx, &r)) != 0)
			break;
	}
out:
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
count_none(void *ctx, const struct store_researcher *r)
{
	return 0;
}

int
store_following_count(struct store_rtxn *t, struct sv user, size_t *n)
{
	/* Past the end: the count from the list's head, nothing walked. */
	return walk_following(t, user, SIZE_MAX, 1, count_none, NULL, n);
}

struct fw {
	struct store_rtxn  *t;
	size_t              per;
	store_followed_cb   cb;
	void               *ctx;
	struct cand         c[STORE_FOLLOWING_SCAN];
};

static int
fw_each(void *ctx, const struct store_researcher *r)
{
	struct fw *f = ctx;
	struct store_work w[STORE_FOLLOWING_SCAN];
	struct scan s = { f->c, 0, STORE_FOLLOWING_SCAN, 0 };
	uint64_t followers;
	size_t n;
	int rc;

	if ((rc = store_followers(f->t, r->id, &followers)) != 0 &&
	    rc != STORE_NOTFOUND)
		return rc;
	if ((rc = scan_works(f->t, r->id, &s)) != 0)
		return rc;
	qsort(s.c, s.n, sizeof(s.c[0]), cand_cmp);
	n = s.n < f->per ? s.n : f->per;
	for (size_t i = 0; i < n; i++)
		w[i] = s.c[i].w;
	return f->cb(f->ctx, r, followers, w, n);
}

int
store_following_works(struct store_rtxn *t, struct sv user, size_t skip,
    size_t limit, size_t per, store_followed_cb cb, void *ctx, size_t *total)
{
	struct fw *f;
	int rc;

	if (limit == 0 || limit > STORE_FOLLOWING_PAGE_MAX)
		limit = STORE_FOLLOWING_PAGE_MAX;
	if (per > STORE_FOLLOWING_SCAN)
		per = STORE_FOLLOWING_SCAN;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return ENOMEM;
	f->t = t;
	f->per = per;
	f->cb = cb;
	f->ctx = ctx;
	rc = walk_following(t, user, skip, limit, fw_each, f, total);
	free(f);
	return rc;
}

/* The newest works over the followed researchers, for the feed. */
struct fn {
	struct store_rtxn       *t;
	struct store_researcher *res;   /* the researchers read, in order */
	size_t                   nres;
	struct scan              s;
};

static int
fn_each(void *ctx, const struct store_researcher *r)
{
	struct fn *f = ctx;

	f->res[f->nres] = *r;
	f->s.by = f->nres++;
	return scan_works(f->t, r->id, &f->s);
}

int
store_following_newest(struct store_rtxn *t, struct sv user, size_t limit,
    store_newest_cb cb, void *ctx, size_t *followed)
{
	struct fn f;
	uint64_t last = 0;
	size_t sent = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	f.t = t;
	f.res = calloc(STORE_FEED_RESEARCHERS, sizeof(f.res[0]));
	f.s.cap = STORE_FEED_RESEARCHERS * STORE_FOLLOWING_SCAN;
	f.s.c = calloc(f.s.cap, sizeof(f.s.c[0]));
	if (f.res == NULL || f.s.c == NULL) {
		rc = ENOMEM;
		goto out;
	}
	rc = walk_following(t, user, 0, STORE_FEED_RESEARCHERS, fn_each, &f,
	    followed);
	if (rc != 0)
		goto out;
	qsort(f.s.c, f.s.n, sizeof(f.s.c[0]), cand_cmp);
	for (size_t i = 0; i < f.s.n && sent < limit; i++) {
		const struct cand *c = &f.s.c[i];

		/* A work of two followed researchers: once, under the first. */
		if (i > 0 && c->num == last && c->num != 0)
			continue;
		last = c->num;
		if ((rc = cb(ctx, &c->w, &f.res[c->by])) != 0)
			break;
		sent++;
	}
out:
	free(f.res);
	free(f.s.c);
	return rc;
}

/* ---- private feeds: secret addresses, kept hashed ----------------------------- */

/*
 * A feed token is 24 random bytes (randombytes_buf), written as 48
 * lowercase hex digits: an 8-byte selector, which is the key it is found
 * by, then a 16-byte verifier, of which the store keeps only a hash
 * (BLAKE2b-256). The lookup by selector may take longer for some
 * selectors than others, which tells nothing about the verifier; the
 * verifier's hash is compared in constant time (sodium_memcmp). So a copy
 * of the store gives no working address: 128 bits stand between its
 * hashes and one.
 */
#define FEED_HASH_LEN 32
#define FEED_REC_MIN (FEED_HASH_LEN + 8 + 1)   /* hash | created | user */

static void
feed_hash(unsigned char out[FEED_HASH_LEN], const unsigned char *verifier)
{
	static const unsigned char label[] = "bzpeer feed token v1";

	crypto_generichash(out, FEED_HASH_LEN, verifier, STORE_FEED_VERIFIER_LEN,
	    label, sizeof(label) - 1);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The token's bytes from exactly 48 lowercase hex digits; -1 otherwise. */
static int
token_parse(struct sv tok, unsigned char out[STORE_FEED_TOKEN_LEN])
{
	if (tok.n != STORE_FEED_TOKEN_HEX || tok.p == NULL)
		return -1;
	for (size_t i = 0; i < STORE_FEED_TOKEN_LEN; i++) {
		int hi = hexval(tok.p[2 * i]), lo = hexval(tok.p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

struct feed_write {
	const MDB_dbi *dbi;
	struct sv      user;          /* the caller's, copied */
	int            make;          /* a new token after the old one goes */
	uint64_t       now;
	unsigned char  token[STORE_FEED_TOKEN_LEN];   /* out, when made */
	int            had;           /* out: there was a token to end */
};

static int
feed_write_txn(MDB_txn *txn, void *ctx)
{
	struct feed_write *f = ctx;
	unsigned char sel[STORE_FEED_SELECTOR_LEN], rec[FEED_REC_MIN - 1 +
	    STORE_USER_MAX];
	MDB_val k, v;
	int rc, tries = 0;

	f->had = 0;
	/* The old token, if any: gone in the same transaction. */
	k = sv_val(f->user);
	rc = mdb_get(txn, f->dbi[DB_USERFEEDS], &k, &v);
	if (rc == 0) {
		if (v.mv_size != STORE_FEED_SELECTOR_LEN)
			return STORE_CORRUPT;
		memcpy(sel, v.mv_data, sizeof(sel));
		k = (MDB_val){ sizeof(sel), sel };
		if ((rc = mdb_del(txn, f->dbi[DB_FEEDS], &k, NULL)) != 0 &&
		    rc != MDB_NOTFOUND)
			return rc;
		k = sv_val(f->user);
		if ((rc = mdb_del(txn, f->dbi[DB_USERFEEDS], &k, NULL)) != 0)
			return rc;
		f->had = 1;
	} else if (rc != MDB_NOTFOUND)
		return rc;
	if (!f->make)
		return f->had ? 0 : UNCHANGED;
	/* A selector already given (one chance in 2^64 a token): draw again. */
	do {
		if (++tries > 4)
			return STORE_CONFLICT;
		randombytes_buf(f->token, sizeof(f->token));
		k = (MDB_val){ STORE_FEED_SELECTOR_LEN, f->token };
		rc = mdb_get(txn, f->dbi[DB_FEEDS], &k, &v);
	} while (rc == 0);
	if (rc != MDB_NOTFOUND)
		return rc;
	feed_hash(rec, f->token + STORE_FEED_SELECTOR_LEN);
	put_be64(rec + FEED_HASH_LEN, f->now);
	memcpy(rec + FEED_HASH_LEN + 8, f->user.p, f->user.n);
	k = (MDB_val){ STORE_FEED_SELECTOR_LEN, f->token };
	v = (MDB_val){ FEED_HASH_LEN + 8 + f->user.n, rec };
	if ((rc = mdb_put(txn, f->dbi[DB_FEEDS], &k, &v, 0)) != 0)
		return rc;
	k = sv_val(f->user);
	v = (MDB_val){ STORE_FEED_SELECTOR_LEN, f->token };
	rc = mdb_put(txn, f->dbi[DB_USERFEEDS], &k, &v, 0);
	sodium_memzero(rec, FEED_HASH_LEN);
	return rc;
}

static int
feed_write(struct store *s, struct sv user, int make, uint64_t now,
    struct feed_write *f)
{
	char copy[STORE_USER_MAX];
	int rc;

	if (!store_user_valid(user))
		return STORE_INVALID;
	if (sodium_init() < 0)
		return EIO;
	memset(f, 0, sizeof(*f));
	f->dbi = s->user->dbi;     /* feeds are user data */
	f->make = make;
	f->now = now ? now : (uint64_t)time(NULL);
	/* A copy: the argument may point into the map, which may grow. */
	memcpy(copy, user.p, user.n);
	f->user = (struct sv){ copy, user.n };
	rc = store_write(s->user, feed_write_txn, f);
	f->user = SV_LIT("");
	return rc;
}

int
store_feed_make(struct store *s, struct sv user, uint64_t now,
    char token[STORE_FEED_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct feed_write f;
	int rc;

	token[0] = '\0';
	if ((rc = feed_write(s, user, 1, now, &f)) != 0)
		return rc;
	for (size_t i = 0; i < STORE_FEED_TOKEN_LEN; i++) {
		token[2 * i] = hex[f.token[i] >> 4];
		token[2 * i + 1] = hex[f.token[i] & 15];
	}
	token[STORE_FEED_TOKEN_HEX] = '\0';
	sodium_memzero(f.token, sizeof(f.token));
	return 0;
}

int
store_feed_revoke(struct store *s, struct sv user, int *had)
{
	struct feed_write f;
	int rc;

	*had = 0;
	rc = feed_write(s, user, 0, 0, &f);
	if (rc == UNCHANGED)
		return 0;
	if (rc == 0)
		*had = 1;
	return rc;
}

int
store_feed_user(struct store_rtxn *t, struct sv token, struct sv *user,
    uint64_t *created)
{
	unsigned char b[STORE_FEED_TOKEN_LEN], h[FEED_HASH_LEN];
	MDB_val v;
	int rc, same;

	*user = SV_LIT("");
	if (created != NULL)
		*created = 0;
	if (token_parse(token, b) != 0)
		return STORE_NOTFOUND;
	rc = store_get(t, DB_FEEDS, (struct sv){ (const char *)b,
	    STORE_FEED_SELECTOR_LEN }, &v);
	if (rc != 0)
		goto out;
	if (v.mv_size < FEED_REC_MIN ||
	    v.mv_size > FEED_REC_MIN - 1 + STORE_USER_MAX) {
		rc = STORE_CORRUPT;
		goto out;
	}
	feed_hash(h, b + STORE_FEED_SELECTOR_LEN);
	same = sodium_memcmp(h, v.mv_data, FEED_HASH_LEN) == 0;
	if (!same) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	*user = (struct sv){ (const char *)v.mv_data + FEED_HASH_LEN + 8,
	    v.mv_size - FEED_HASH_LEN - 8 };
	if (created != NULL)
		*created = get_be64((const unsigned char *)v.mv_data +
		    FEED_HASH_LEN);
out:
	sodium_memzero(b, sizeof(b));
	return rc;
}

int
store_feed_of(struct store_rtxn *t, struct sv user, uint64_t *created)
{
	MDB_val v;
	int rc;

	*created = 0;
	if (!store_user_valid(user))
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_USERFEEDS, user, &v)) != 0)
		return rc;
	if (v.mv_size != STORE_FEED_SELECTOR_LEN)
		return STORE_CORRUPT;
	if ((rc = store_get(t, DB_FEEDS, (struct sv){ v.mv_data,
	    STORE_FEED_SELECTOR_LEN }, &v)) != 0)
		return rc == STORE_NOTFOUND ? STORE_CORRUPT : rc;
	if (v.mv_size < FEED_REC_MIN)
		return STORE_CORRUPT;
	*created = get_be64((const unsigned char *)v.mv_data + FEED_HASH_LEN);
	return 0;
}
