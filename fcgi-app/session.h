/* session.h: signed session cookies, CSRF tokens bound to them, the secret they hang on. */
#ifndef BZPEER_SESSION_H
#define BZPEER_SESSION_H

#include <stdint.h>

#include "../store/buf.h"

/*
 * Identity comes from the web server (REMOTE_USER at /login); the app keeps
 * it in a cookie it signs: "bzs=" b64url(user) "." expiry "." b64url(mac),
 * mac = HMAC-SHA-256(secret, "bzs1|" user "|" expiry). Nothing is stored
 * server-side; a cookie is valid until its expiry (DESIGN.md §5).
 *
 * The CSRF token of a session is b64url(HMAC-SHA-256(secret, "csrf1|"
 * cookie value)): bound to the session, so a token from another session or
 * a forged one is refused, and it needs no storage either.
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

/* Appends the cookie value for user, valid until `expires` (unix seconds). */
void session_issue(const struct session_key *key, struct sv user,
    uint64_t expires, struct buf *out);

/*
 * Checks a cookie value: well-formed, the MAC right (constant time), not
 * expired at `now`. Appends the user name to user. 0 or -1.
 */
int  session_verify(const struct session_key *key, struct sv value,
    uint64_t now, struct buf *user);

/* Appends the CSRF token of the session whose cookie value is `value`. */
void session_csrf(const struct session_key *key, struct sv value,
    struct buf *out);

/* 1 if token is the session's CSRF token (constant time). */
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
