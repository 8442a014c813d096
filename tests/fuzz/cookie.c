/* cookie.c (fuzz): the Cookie header parser, cookie_get(), and what req_session() does with its answer. */
#include <string.h>

#include "../../fcgi-app/session.h"
#include "fuzz.h"

static struct session_key cookie_key;

FUZZ_INIT(cookie)
{
	memset(cookie_key.k, 0x5a, sizeof(cookie_key.k));
	return 0;
}

/*
 * What cookie_get() promises for a found cookie: the value lies inside the
 * header, right after "name=", at the start of the header or of a pair
 * (after ' ', ';' or TAB), holds no ';' and ends on no blank; and it is the
 * first such pair.
 */
static void
check_found(const char *h, const char *name, struct sv v)
{
	size_t hn = strlen(h), nn = strlen(name), at;

	FUZZ_CHECK(v.p >= h + nn + 1 && v.p + v.n <= h + hn);
	at = (size_t)(v.p - h) - nn - 1;
	FUZZ_CHECK(memcmp(h + at, name, nn) == 0 && h[at + nn] == '=');
	FUZZ_CHECK(at == 0 || h[at - 1] == ' ' || h[at - 1] == ';' ||
	    h[at - 1] == '\t');
	FUZZ_CHECK(memchr(v.p, ';', v.n) == NULL);
	FUZZ_CHECK(v.n == 0 || (v.p[v.n - 1] != ' ' && v.p[v.n - 1] != '\t'));
}

FUZZ_ONE(cookie)
{
	static const char *const names[] = { SESSION_COOKIE, "bzf", "a", "" };
	char *h = fuzz_cstr(data, size);
	struct buf user = BUF_INIT, csrf = BUF_INIT;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sv v = { NULL, 0 };

		if (cookie_get(h, names[i], &v) == 0) {
			check_found(h, names[i], v);
			if (i == 0 && session_verify(&cookie_key, v, 1700000000u,
			    &user, NULL) == 0) {
				/* Only the key could have signed it. */
				FUZZ_CHECK(0 && "a forged session verified");
			}
			FUZZ_CHECK(user.len == 0);
			session_csrf(&cookie_key, v, &csrf);
			FUZZ_CHECK(session_csrf_ok(&cookie_key, v,
			    (struct sv){ csrf.p, csrf.len }));
			buf_reset(&csrf);
		}
	}
	FUZZ_CHECK(cookie_get(NULL, SESSION_COOKIE, &(struct sv){ NULL, 0 }) < 0);
	buf_free(&user);
	buf_free(&csrf);
	free(h);
	return 0;
}
