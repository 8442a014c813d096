/* sesscache.c: a worker's memory of the session cookies it verified (see sesscache.h). */
#include "sesscache.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 2
#define SETS (SESSCACHE_SLOTS / WAYS)

_Static_assert(SETS > 0 && (SETS & (SETS - 1)) == 0, "sets: a power of two");

struct slot {
	uint64_t      expires;      /* the cookie's (unix seconds); 0: empty */
	uint64_t      issued_ms;
	uint64_t      used;         /* the cache's clock at the last use */
	uint16_t      vlen, ulen;
	unsigned char id[STORE_SESSION_ID_LEN];
	unsigned char csrf[SESSION_TOKEN_LEN];
	char          value[SESSCACHE_VALUE_MAX];
	char          user[SESSION_USER_MAX];
};

struct sesscache {
	struct session_key key;     /* what the kept cookies verified under */
	int           keyed;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	uint64_t      clock;
	uint64_t      hits, misses;
	struct slot   slot[SETS][WAYS];
};

_Static_assert(SESSCACHE_VALUE_MAX <= UINT16_MAX && SESSION_USER_MAX <= UINT16_MAX,
    "lengths fit a slot's");

struct sesscache *
sesscache_new(void)
{
	struct sesscache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	/* Made after the fork (app_open): every worker draws its own. */
	randombytes_buf(c->hkey, sizeof(c->hkey));
	return c;
}

void
sesscache_free(struct sesscache *c)
{
	if (c == NULL)
		return;
	sodium_memzero(c, sizeof(*c));   /* live cookies and their tokens */
	free(c);
}

void
sesscache_stats(const struct sesscache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
}

static struct slot *
set_of(struct sesscache *c, struct sv value)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t x;

	crypto_shorthash(h, (const unsigned char *)value.p, value.n, c->hkey);
	memcpy(&x, h, sizeof(x));
	return c->slot[x & (SETS - 1)];
}

/*
 * The slot holding exactly value, or NULL. Every way of the set is
 * compared, each in constant time (a slot's value is someone's live
 * cookie): how long a lookup takes says nothing about what they hold.
 */
static struct slot *
find(struct slot *set, struct sv value)
{
	struct slot *found = NULL;

	for (int w = 0; w < WAYS; w++) {
		struct slot *s = &set[w];
		int same = s->expires != 0 && s->vlen == value.n &&
		    sodium_memcmp(s->value, value.p, value.n) == 0;

		if (same)
			found = s;
	}
	return found;
}

int
sesscache_verify(struct sesscache *c, const struct session_key *key,
    struct sv value, uint64_t now, struct buf *user, struct session_info *info,
    unsigned char csrf[SESSION_TOKEN_LEN])
{
	struct session_info si;
	struct slot *set, *s;
	size_t ulen0 = user->len;

	if (c == NULL || value.n == 0 || value.n > SESSCACHE_VALUE_MAX) {
		if (session_verify(key, value, now, user, info) < 0)
			return -1;
		if (csrf != NULL)
			session_csrf_token(key, value, csrf);
		return 0;
	}
	/* Kept under another key (none in a worker's life, which has one):
	 * nothing kept counts. */
	if (!c->keyed || sodium_memcmp(c->key.k, key->k, sizeof(key->k)) != 0) {
		sodium_memzero(c->slot, sizeof(c->slot));
		c->key = *key;
		c->keyed = 1;
	}
	set = set_of(c, value);
	s = find(set, value);
	c->clock++;
	if (s != NULL) {
		/* Verified before; only time has moved since. */
		if (s->expires <= now) {
			memset(s, 0, sizeof(*s));
			c->misses++;
			return -1;
		}
		c->hits++;
		s->used = c->clock;
		buf_put(user, s->user, s->ulen);
		if (info != NULL) {
			info->issued_ms = s->issued_ms;
			info->expires = s->expires;
			memcpy(info->id, s->id, sizeof(info->id));
		}
		if (csrf != NULL)
			memcpy(csrf, s->csrf, SESSION_TOKEN_LEN);
		return 0;
	}
	c->misses++;
	if (session_verify(key, value, now, user, &si) < 0)
		return -1;
	if (info != NULL)
		*info = si;
	/* Into the way used the longest ago (an empty one first). */
	s = &set[0];
	for (int w = 1; w < WAYS; w++)
		if (set[w].used < s->used)
			s = &set[w];
	s->expires = si.expires;
	s->issued_ms = si.issued_ms;
	s->used = c->clock;
	memcpy(s->id, si.id, sizeof(s->id));
	session_csrf_token(key, value, s->csrf);
	if (csrf != NULL)
		memcpy(csrf, s->csrf, SESSION_TOKEN_LEN);
	s->vlen = (uint16_t)value.n;
	memcpy(s->value, value.p, value.n);
	/* session_verify caps the user at SESSION_USER_MAX. */
	s->ulen = (uint16_t)(user->len - ulen0);
	memcpy(s->user, user->p + ulen0, s->ulen);
	return 0;
}
