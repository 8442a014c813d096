/* session.h: signed session cookies, CSRF tokens bound to them, the secret they hang on. */
#ifndef BZPEER_SESSION_H
#define BZPEER_SESSION_H

#include <stdint.h>

#include "../store/buf.h"
#include "../store/store.h"

/*
 * Identity comes from the web server (REMOTE_USER at /login); the app keeps
 * it in a cookie it signs:
 *   "bzs=" b64url(user) "." issued "." expiry "." b64url(mac)
 * issued in unix milliseconds, expiry in unix seconds, both plain decimal
 * without leading zeros, and mac = HMAC-SHA-256(secret, "bzs2|" user "|"
 * issued "." expiry). A cookie lives at most STORE_SESSION_TTL_MAX seconds
 * from its issue. The cookie alone proves nothing more than that the key
 * signed it: whether its session is still on (not signed out, not ended by
 * the operator) is the store's to say (store_session_check, with the id
 * and times below). Cookies of the earlier format ("bzs1|", no issue time)
 * no longer verify: their users sign in again.
 *
 * The CSRF token of a session is b64url(HMAC-SHA-256(secret, "csrf1|"
 * cookie value)): bound to the session, so a token from another session or
 * a forged one is refused, and it needs no storage either; a session
 * signed out takes its token with it. Pages carry it masked (see
 * session_csrf below).
 */
#define SESSION_COOKIE "bzs"
#define SESSION_KEY_LEN 32
#define SESSION_USER_MAX 128

struct session_key {
	unsigned char k[SESSION_KEY_LEN];
};

/*
 * Reads the secret from path, making it first (32 random bytes, mode 0600)
 * when it does not exist. Returns 0, or -1 with the cause in err.
 */
int  session_key_load(const char *path, struct session_key *key, struct buf *err);

/* What a verified cookie says besides the user. */
struct session_info {
	uint64_t issued_ms;     /* unix milliseconds */
	uint64_t expires;       /* unix seconds */
	/* The session's id for the store: a hash of the cookie's MAC, so it
	 * names exactly this cookie and the store holds nothing that signs. */
	unsigned char id[STORE_SESSION_ID_LEN];
};

/*
 * Appends the cookie value for user, issued at issued_ms (unix
 * milliseconds), valid until `expires` (unix seconds), which must come
 * after the issue and at most STORE_SESSION_TTL_MAX seconds after it.
 */
void session_issue(const struct session_key *key, struct sv user,
    uint64_t issued_ms, uint64_t expires, struct buf *out);

/*
 * Checks a cookie value: well-formed, canonical numbers, the MAC right
 * (constant time), a lifetime within STORE_SESSION_TTL_MAX, not expired at
 * `now` (unix seconds). Appends the user name to user and fills *info (may
 * be NULL). 0 or -1 (user unchanged). Says nothing about sign-outs: see
 * store_session_check().
 */
int  session_verify(const struct session_key *key, struct sv value,
    uint64_t now, struct buf *user, struct session_info *info);

/*
 * Appends the CSRF token of the session whose cookie value is `value`, as
 * a page carries it: masked with a fresh random pad, b64url(pad || token
 * XOR pad), 86 characters. No two responses hold the same bytes, so a page
 * compressed over TLS next to text an attacker chose cannot give the token
 * away a byte at a time (BREACH).
 */
void session_csrf(const struct session_key *key, struct sv value,
    struct buf *out);

/* The same in two steps: the session's token, unmasked (its MAC), and a
 * masking of it with a fresh pad. session_csrf() is both. */
#define SESSION_TOKEN_LEN 32
void session_csrf_token(const struct session_key *key, struct sv value,
    unsigned char token[SESSION_TOKEN_LEN]);
void session_csrf_mask(const unsigned char token[SESSION_TOKEN_LEN],
    struct buf *out);

/*
 * Draws this process's pad key anew (the pads are a ChaCha20 stream, not
 * a getrandom(2) per page): each worker calls it once after the fork.
 */
void session_pads_reseed(void);

/* The longest token a form field must hold: a masked one. */
#define SESSION_CSRF_MAX 86

/*
 * 1 if token is the session's CSRF token, masked (any pad) or bare
 * (b64url of the 32-byte MAC); constant time in the token's bytes.
 */
int  session_csrf_ok(const struct session_key *key, struct sv value,
    struct sv token);

/*
 * The value of cookie `name` in a Cookie header ("a=1; b=2"), the first if
 * given twice. 0, or -1 when absent.
 */
int  cookie_get(const char *header, const char *name, struct sv *out);

/* A URL-safe base64 without padding. */
void b64url_encode(struct buf *out, const unsigned char *p, size_t n);
int  b64url_decode(struct buf *out, struct sv in);

#endif
