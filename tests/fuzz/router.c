/* router.c (fuzz): req_begin's path splitting and decoding, route_match over the real route table, and researcher_ref_parse (a researcher named in a form field). */
/*
 * The table is static in fcgi-app/router.c; including the file here fuzzes
 * the real patterns without exporting them. (The archive's router.o is then
 * not linked: this file defines route_match and router_dispatch.)
 */
#include "../../fcgi-app/router.c"

#include "../../fcgi-app/form.h"
#include "fuzz.h"

static struct request router_req;

FUZZ_INIT(router)
{
	req_init(&router_req, NULL);
	return 0;
}

/* The segment a capture must have come from: the capture plus the suffix. */
static void
check_match(const char *pattern, struct request *r)
{
	const char *p = pattern + 1;
	size_t seg = 0, ncap = 0;

	while (*p != '\0') {
		const char *e = strchr(p, '/');
		size_t plen = e ? (size_t)(e - p) : strlen(p);
		struct sv s = req_segment(r, seg);

		FUZZ_CHECK(seg < r->nseg);
		if (p[0] == '{') {
			const char *close = memchr(p, '}', plen);
			size_t suffix = plen - (size_t)(close + 1 - p);
			struct sv c = r->capture[ncap++];

			FUZZ_CHECK(c.n > 0 && c.p == s.p && c.n + suffix == s.n);
			FUZZ_CHECK(memcmp(s.p + c.n, close + 1, suffix) == 0);
		} else
			FUZZ_CHECK(s.n == plen && memcmp(s.p, p, plen) == 0);
		seg++;
		p += plen + (*(p + plen) == '/');
	}
	FUZZ_CHECK(seg == r->nseg);
}

/*
 * researcher_ref_parse on the same bytes: an id is canonical ("A" and
 * digits, no leading zero), a slug a line of at most STORE_SLUG_MAX * 4
 * bytes without '/', '?', '#', space or backslash; either parses back to
 * itself; a refusal leaves nothing.
 */
static void
check_ref(struct sv in)
{
	struct researcher_ref ref, again;
	struct buf out = BUF_INIT, out2 = BUF_INIT;

	if (researcher_ref_parse(in, &out, &ref) != 0) {
		FUZZ_CHECK(out.len == 0);
		buf_free(&out);
		return;
	}
	FUZZ_CHECK(out.len > 0);
	if (ref.is_id) {
		FUZZ_CHECK(out.len >= 2 && out.len <= 20 && out.p[0] == 'A' &&
		    out.p[1] != '0');
		for (size_t i = 1; i < out.len; i++)
			FUZZ_CHECK(out.p[i] >= '0' && out.p[i] <= '9');
	} else {
		FUZZ_CHECK(out.len <= STORE_SLUG_MAX * 4 &&
		    store_text_valid(buf_sv(&out), STORE_TEXT_LINE));
		for (size_t i = 0; i < out.len; i++)
			FUZZ_CHECK(strchr("/?# \\", out.p[i]) == NULL);
	}
	FUZZ_CHECK(researcher_ref_parse(buf_sv(&out), &out2, &again) == 0);
	FUZZ_CHECK(again.is_id == ref.is_id && out2.len == out.len &&
	    memcmp(out2.p, out.p, out.len) == 0);
	buf_free(&out);
	buf_free(&out2);
}

FUZZ_ONE(router)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "OPTIONS", "BREW", "get" };
	struct fcgi_param param[2];
	struct buf e = BUF_INIT;
	struct request *r = &router_req;
	const char *nul;
	int rc, matched = 0;

	if (size == 0)
		return 0;
	/* A C string: stops at a NUL, as the FastCGI reader makes values. */
	buf_put(&e, data + 1, size - 1);
	nul = memchr(e.p, '\0', e.len);
	param[0].name = SV_LIT("REQUEST_METHOD");
	param[0].value = sv_cstr(methods[data[0] & 7]);
	param[1].name = SV_LIT("REQUEST_URI");
	param[1].value = (struct sv){ e.p, nul ? (size_t)(nul - e.p) : e.len };

	check_ref((struct sv){ (const char *)data + 1, size - 1 });
	rc = req_begin(r, param, 2, (struct sv){ "", 0 }, 0);
	FUZZ_CHECK(rc == 0 || rc == 400 || rc == 404);
	FUZZ_CHECK(r->status == (rc ? rc : 200));
	FUZZ_CHECK(r->nseg <= REQ_MAX_SEGMENTS);
	for (size_t i = 0; i < r->nseg; i++) {
		struct sv s = req_segment(r, i);

		FUZZ_CHECK(s.n > 0 && memchr(s.p, '\0', s.n) == NULL);
		FUZZ_CHECK(utf8_valid(s) && s.p[s.n] == '\0');
	}
	if (rc == 0) {
		for (size_t i = 0; i < NROUTES; i++) {
			r->capture[0] = r->capture[1] = (struct sv){ "", 0 };
			if (!route_match(routes[i].pattern, r))
				continue;
			check_match(routes[i].pattern, r);
			matched++;
		}
		/* Nothing outside /researchers... matches more than one pattern. */
		FUZZ_CHECK(matched <= 1 || (r->nseg >= 2 &&
		    sv_eq_cstr(req_segment(r, 0), "researchers")));
	}
	req_end(r);
	buf_free(&e);
	return 0;
}
