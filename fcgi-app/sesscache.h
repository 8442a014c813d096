/* sesscache.h: a worker's memory of the session cookies it verified, so a signed-in page costs no HMAC. */
#ifndef BZPEER_SESSCACHE_H
#define BZPEER_SESSCACHE_H

#include <stdint.h>

#include "../store/buf.h"
#include "session.h"

/*
 * Verifying a cookie costs two HMAC-SHA-256 (the cookie's, then its CSRF
 * token's) and a BLAKE2b (its id): about a third of a signed-in page
 * served from the page cache. A browser sends the same cookie on every
 * request, so each worker keeps what it found for the cookies it verified
 * last: the cookie's bytes, whole, with its user, issue, expiry, id and
 * CSRF token (unmasked). A lookup hashes the value with a key of this
 * process's own (SipHash: an attacker cannot aim cookies at one slot) and
 * compares it with the slot's in constant time (the slot holds another
 * user's live cookie); only a value equal byte for byte is answered from
 * memory, so nothing that did not verify ever does. The expiry is checked
 * again at every use.
 *
 * What this does not keep is whether the session is still on: the caller
 * asks the store every time (store_session_check in the request's read
 * transaction), so a sign-out or a revoke holds on every worker from the
 * next request, cached or not.
 *
 * Fixed size (SESSCACHE_SLOTS entries, allocated once per worker), two
 * ways per set, the older one replaced; nothing is allocated per request.
 * Cookies longer than SESSCACHE_VALUE_MAX are verified every time.
 */
#define SESSCACHE_SLOTS     256
#define SESSCACHE_VALUE_MAX 256

struct sesscache;

/* A cache, keyed for this process; NULL when out of memory. */
struct sesscache *sesscache_new(void);
void sesscache_free(struct sesscache *c);

/*
 * session_verify(key, value, now, user, info), answered from c when it
 * holds value (c may be NULL: no cache), and csrf (may be NULL) filled
 * with the session's CSRF token, unmasked (session_csrf_token). Same
 * contract: 0 with user appended and *info filled, or -1 with user
 * unchanged.
 */
int  sesscache_verify(struct sesscache *c, const struct session_key *key,
    struct sv value, uint64_t now, struct buf *user, struct session_info *info,
    unsigned char csrf[SESSION_TOKEN_LEN]);

/* Lookups answered from memory and those that were not (for the tests). */
void sesscache_stats(const struct sesscache *c, uint64_t *hits,
    uint64_t *misses);

#endif
