/* session.c (fuzz): session cookie verification, issue/verify round trips with issue time and id, tampering, base64url and CSRF tokens. */
#include <string.h>

#include "../../fcgi-app/session.h"
#include "fuzz.h"

static struct session_key session_k;

#define NOW 1700000000u

FUZZ_INIT(session)
{
	for (size_t i = 0; i < sizeof(session_k.k); i++)
		session_k.k[i] = (unsigned char)(i * 7 + 1);
	return 0;
}

/*
 * The input as a cookie value must not verify (nobody but the key signs);
 * the first bytes as a user name must round-trip through issue and verify
 * (user, issue time, expiry; the id the same on every check and another
 * for a cookie issued a millisecond later), expire at their expiry, and
 * any one byte changed must be refused; the input must round-trip through
 * base64url and is never a CSRF token.
 */
FUZZ_ONE(session)
{
	struct sv in = { (const char *)data, size };
	struct buf user = BUF_INIT, cookie = BUF_INIT, b = BUF_INIT, d = BUF_INIT;
	struct buf csrf = BUF_INIT, other = BUF_INIT;
	struct session_info si, si2;
	uint64_t exp, issued;
	size_t un;

	FUZZ_CHECK(session_verify(&session_k, in, NOW, &user, NULL) < 0);
	FUZZ_CHECK(user.len == 0);
	FUZZ_CHECK(!session_csrf_ok(&session_k, in, SV_LIT("")));

	/* base64url: encode then decode gives the input back; decoding the
	 * input, when it succeeds, encodes back to the same text. */
	b64url_encode(&b, data, size);
	FUZZ_CHECK(b64url_decode(&d, (struct sv){ b.p, b.len }) == 0);
	FUZZ_CHECK(d.len == size && (size == 0 || memcmp(d.p, data, size) == 0));
	buf_reset(&b);
	buf_reset(&d);
	if (b64url_decode(&d, in) == 0) {
		b64url_encode(&b, (const unsigned char *)d.p, d.len);
		FUZZ_CHECK(b.len == size && (size == 0 || memcmp(b.p, data, size) == 0));
	}

	/* A session for the first bytes of the input, issued and checked. */
	un = size > SESSION_USER_MAX ? SESSION_USER_MAX : size;
	exp = NOW + (size ? data[size - 1] : 0) + 1;
	issued = (uint64_t)NOW * 1000 - (size > 2 ? data[2] : 0) * 997u;
	if (un > 0) {
		struct sv u = { (const char *)data, un };

		session_issue(&session_k, u, issued, exp, &cookie);
		buf_reset(&user);
		FUZZ_CHECK(session_verify(&session_k, (struct sv){ cookie.p,
		    cookie.len }, NOW, &user, &si) == 0);
		FUZZ_CHECK(user.len == un && memcmp(user.p, data, un) == 0);
		FUZZ_CHECK(si.issued_ms == issued && si.expires == exp);
		buf_reset(&user);
		FUZZ_CHECK(session_verify(&session_k, (struct sv){ cookie.p,
		    cookie.len }, NOW, &user, &si2) == 0);
		FUZZ_CHECK(memcmp(si.id, si2.id, sizeof(si.id)) == 0);
		session_issue(&session_k, u, issued + 1, exp, &other);
		buf_reset(&user);
		FUZZ_CHECK(session_verify(&session_k, (struct sv){ other.p,
		    other.len }, NOW, &user, &si2) == 0);
		FUZZ_CHECK(memcmp(si.id, si2.id, sizeof(si.id)) != 0);
		buf_reset(&user);
		FUZZ_CHECK(session_verify(&session_k, (struct sv){ cookie.p,
		    cookie.len }, exp, &user, NULL) < 0);
		FUZZ_CHECK(user.len == 0);
		/* The CSRF token of this session is accepted, masked anew
		 * each time; the other session's token is not, and the input
		 * (which nobody signed) never is. */
		session_csrf(&session_k, (struct sv){ cookie.p, cookie.len }, &csrf);
		FUZZ_CHECK(csrf.len == SESSION_CSRF_MAX);
		FUZZ_CHECK(session_csrf_ok(&session_k, (struct sv){ cookie.p,
		    cookie.len }, (struct sv){ csrf.p, csrf.len }));
		FUZZ_CHECK(!session_csrf_ok(&session_k, (struct sv){ other.p,
		    other.len }, (struct sv){ csrf.p, csrf.len }));
		FUZZ_CHECK(!session_csrf_ok(&session_k, (struct sv){ cookie.p,
		    cookie.len }, in));
		/* Tampering: one byte changed anywhere is refused. */
		if (cookie.len <= 512) {
			size_t at = (size_t)data[0] % cookie.len;
			unsigned char x = size > 1 ? data[1] : 1;

			if (x == 0)
				x = 1;
			cookie.p[at] = (char)((unsigned char)cookie.p[at] ^ x);
			buf_reset(&user);
			FUZZ_CHECK(session_verify(&session_k, (struct sv){ cookie.p,
			    cookie.len }, NOW, &user, NULL) < 0);
			FUZZ_CHECK(user.len == 0);
		}
	}
	buf_free(&user);
	buf_free(&cookie);
	buf_free(&b);
	buf_free(&d);
	buf_free(&csrf);
	buf_free(&other);
	return 0;
}
