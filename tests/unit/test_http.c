/* test_http.c: request parsing, declared fields, the route matcher, config. */
#include <sodium.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../fcgi-app/config.h"
#include "../../fcgi-app/form.h"
#include "../../fcgi-app/request.h"
#include "../../fcgi-app/router.h"
#include "../../fcgi-app/sesscache.h"
#include "../../fcgi-app/session.h"
#include "../../views/json.h"
#include "check.h"

static int
parse(struct form *f, const char *in, const struct field_decl *d, size_t n)
{
	struct buf err = BUF_INIT;
	int rc = form_parse(f, sv_cstr(in), d, n, &err);

	buf_free(&err);
	return rc;
}

static void
test_form(void)
{
	static const struct field_decl d[] = {
		{ "q", 10, valid_line, NULL },
		{ "page", 9, valid_uint, NULL },
		{ "note", 20, valid_text, "the note must be plain text" },
	};
	struct form f;
	struct buf err = BUF_INIT;

	form_init(&f);
	CHECK(parse(&f, "q=ab+c%20d&page=3", d, 3) == 0);
	CHECK(sv_eq_cstr(form_get(&f, 0), "ab c d"));
	CHECK(sv_eq_cstr(form_get(&f, 1), "3"));
	CHECK(!form_has(&f, 2));
	CHECK(parse(&f, "", d, 3) == 0 && !form_has(&f, 0));
	CHECK(parse(&f, "other=1&&q=x&submit", d, 3) == 0);
	CHECK(sv_eq_cstr(form_get(&f, 0), "x"));
	CHECK(parse(&f, "q=", d, 3) == 0 && form_has(&f, 0) && form_get(&f, 0).n == 0);
	/* rejected, never repaired */
	CHECK(parse(&f, "q=%zz", d, 3) < 0);
	CHECK(parse(&f, "q=%4", d, 3) < 0);
	CHECK(parse(&f, "q=%", d, 3) < 0);
	CHECK(parse(&f, "q=a%00b", d, 3) < 0);
	CHECK(parse(&f, "q=a&q=b", d, 3) < 0);
	CHECK(parse(&f, "q=01234567890", d, 3) < 0);
	CHECK(parse(&f, "q=0123456789", d, 3) == 0);
	CHECK(parse(&f, "page=x1", d, 3) < 0);
	CHECK(parse(&f, "page=1234567890", d, 3) < 0);
	CHECK(parse(&f, "q=%C3%28", d, 3) < 0);        /* invalid UTF-8 */
	CHECK(parse(&f, "q=%ED%A0%80", d, 3) < 0);     /* surrogate */
	CHECK(parse(&f, "q=%C0%AF", d, 3) < 0);        /* overlong */
	CHECK(parse(&f, "q=a%0Ab", d, 3) < 0);         /* line break in a line */
	CHECK(parse(&f, "note=a%0Ab", d, 3) == 0);     /* allowed in text */
	CHECK(parse(&f, "q=Gr%C3%A9goire", d, 3) == 0);
	CHECK(form_parse(&f, sv_cstr("q=a&q=b"), d, 3, &err) < 0 &&
	    strstr(err.p, "q") != NULL && strstr(err.p, "more than once") != NULL);
	/* a rejected input leaves nothing behind */
	CHECK(!form_has(&f, 0));
	/* limits are characters, as a browser's maxlength counts them */
	CHECK(parse(&f, "q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9",
	    d, 3) == 0 && form_get(&f, 0).n == 20);          /* 10 x "é" */
	CHECK(parse(&f, "q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9e",
	    d, 3) < 0);
	CHECK(parse(&f, "q=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"
	    "%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80", d, 3) == 0);
	/* a textarea's line break is one character, sent as CR LF */
	CHECK(parse(&f, "note=0123456789%0D%0A012345678", d, 3) == 0);
	CHECK(parse(&f, "note=0123456789%0D%0A0123456789", d, 3) < 0);
	buf_free(&err);
	form_free(&f);
}

/* form_parse_fields: a field's problem is the field's, not the input's. */
static void
test_form_fields(void)
{
	static const struct field_decl d[] = {
		{ "csrf", 8, valid_line, NULL },
		{ "email", 12, valid_email, NULL },
		{ "note", 4, valid_text, "plain text" },
	};
	struct form f;
	struct buf err = BUF_INIT;

	form_init(&f);
	CHECK(form_parse_fields(&f, sv_cstr("csrf=t&email=a%40b.org&note=%C3%A9%C3%A9%C3%A9%C3%A9"),
	    d, 3, &err) == 0);
	CHECK(form_has(&f, 0) && form_has(&f, 1) && form_has(&f, 2));
	CHECK(form_error(&f, 0) == NULL && form_error(&f, 2) == NULL);
	/* too long and refused: absent, with the reason, what was typed kept */
	CHECK(form_parse_fields(&f, sv_cstr("csrf=t&email=nope&note=%C3%A9%C3%A9%C3%A9%C3%A9e"),
	    d, 3, &err) == 0);
	CHECK(form_has(&f, 0) && !form_has(&f, 1) && !form_has(&f, 2));
	CHECK(form_error(&f, 1) != NULL && form_error(&f, 2) != NULL &&
	    strcmp(form_error(&f, 2), "too long") == 0);
	CHECK(sv_eq_cstr(form_typed(&f, 1), "nope"));
	CHECK(sv_eq_cstr(form_typed(&f, 2), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "e"));
	/* what cannot be shown again is not kept: bad UTF-8, controls */
	CHECK(form_parse_fields(&f, sv_cstr("note=%FF%FE&email=a%07b"), d, 3, &err) == 0);
	CHECK(!form_has(&f, 2) && strcmp(form_error(&f, 2), "plain text") == 0);
	CHECK(form_typed(&f, 2).n == 0 && form_typed(&f, 1).n == 0);
	/* far past the limit: too long, nothing decoded */
	CHECK(form_parse_fields(&f, sv_cstr("note=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    d, 3, &err) == 0 && strcmp(form_error(&f, 2), "too long") == 0 &&
	    form_typed(&f, 2).n == 0);
	/* what no form sends still rejects the input */
	CHECK(form_parse_fields(&f, sv_cstr("note=a&note=b"), d, 3, &err) < 0);
	CHECK(form_parse_fields(&f, sv_cstr("note=a%00"), d, 3, &err) < 0);
	CHECK(form_parse_fields(&f, sv_cstr("note=%zz"), d, 3, &err) < 0);
	CHECK(form_parse_fields(&f, sv_cstr("email=x&email=y"), d, 3, &err) < 0);
	CHECK(!form_has(&f, 0) && form_error(&f, 1) == NULL);
	buf_free(&err);
	form_free(&f);
}

static void
test_orcid_normalize(void)
{
	static const char *const good[] = {
		"0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097",
		"http://orcid.org/0000-0002-1825-0097", "orcid.org/0000-0002-1825-0097",
		"HTTPS://ORCID.ORG/0000-0002-1825-0097", "https://www.orcid.org/0000-0002-1825-0097/",
		"  0000-0002-1825-0097 ", "0000000218250097",
	};
	static const char *const bad[] = {
		"", "https://orcid.org/0", "https://orcid.org/0000-0002-1825-0098",
		"0000-0002-1825-00970", "0000-0002-18250097", "000000021825009",
		"https://evil.org/0000-0002-1825-0097", "0000-0002-1825-0097?x",
		"0000-0002-1825-009x", "\xef\xbc\x90" "000-0002-1825-0097",
		"0000 0002 1825 0097",
	};
	char out[20];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(orcid_normalize(sv_cstr(good[i]), out) == 1 &&
		    strcmp(out, "0000-0002-1825-0097") == 0);
	/* the check digit X, typed in either case */
	CHECK(orcid_normalize(SV_LIT("https://orcid.org/0000-0002-1694-233x"), out) == 1 &&
	    strcmp(out, "0000-0002-1694-233X") == 0);
	CHECK(orcid_normalize(SV_LIT("000000021694233X"), out) == 1 &&
	    strcmp(out, "0000-0002-1694-233X") == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(orcid_normalize(sv_cstr(bad[i]), out) == 0 && out[0] == '\0');
}

/* "NAME=value" strings (NULL-ended) as a request's FastCGI parameters. */
static size_t
params_of(char **env, struct fcgi_param *out, size_t max)
{
	size_t n = 0;

	for (; *env != NULL && n < max; env++, n++) {
		const char *eq = strchr(*env, '=');

		out[n].name = (struct sv){ *env, (size_t)(eq - *env) };
		out[n].value = sv_cstr(eq + 1);
	}
	return n;
}

static int
begin_env(struct request *r, char **env)
{
	struct fcgi_param p[32];

	return req_begin(r, p, params_of(env, p, 32), (struct sv){ "", 0 }, 0);
}

static void
set_req(struct request *r, char **env)
{
	req_end(r);
	begin_env(r, env);
}

static void
test_request_and_routes(void)
{
	struct request r;
	char *env1[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/researchers/sanjeev-arora?x=1", "QUERY_STRING=x=1", NULL };
	char *env2[] = { "REQUEST_METHOD=HEAD",
	    "REQUEST_URI=/researchers/a%2Fb/graph.json", NULL };
	char *env3[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/researchers/%zz", NULL };
	char *env4[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/a//b", NULL };
	char *env5[] = { "REQUEST_METHOD=BREW", "REQUEST_URI=/", NULL };
	char *env6[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/researchers/", NULL };
	char *env7[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/x%00y", NULL };
	/* A parameter the app reads, twice: which one counts is a guess. */
	char *env8[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login",
	    "REMOTE_USER=", "X_OTHER=1", "REMOTE_USER=admin", NULL };
	char *env9[] = { "REQUEST_METHOD=GET", "QUERY_STRING=", NULL };
	char *env10[] = { "REQUEST_URI=/", NULL };
	char *env11[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login",
	    "X_OTHER=1", "X_OTHER=2", "REMOTE_USER=alice", NULL };

	req_init(&r, NULL);
	set_req(&r, env1);
	CHECK(r.status == 200 && r.method == M_GET && r.nseg == 2);
	CHECK(sv_eq_cstr(r.query, "x=1"));
	CHECK(route_match("/researchers/{id}", &r));
	CHECK(sv_eq_cstr(r.capture[0], "sanjeev-arora"));
	CHECK(!route_match("/researchers", &r));
	CHECK(!route_match("/researchers/{id}/graph", &r));
	CHECK(!route_match("/", &r));

	set_req(&r, env2);
	CHECK(r.method == M_HEAD && r.nseg == 3);
	CHECK(sv_eq_cstr(req_segment(&r, 1), "a/b"));
	CHECK(route_match("/researchers/{slug}/graph.json", &r));
	CHECK(sv_eq_cstr(r.capture[0], "a/b"));
	CHECK(!route_match("/researchers/{slug}/graph", &r));
	CHECK(!route_match("/researchers/{slug}", &r));

	set_req(&r, env3);
	CHECK(r.status == 400);
	set_req(&r, env4);
	CHECK(r.status == 400);
	set_req(&r, env5);
	CHECK(r.method == M_OTHER && r.nseg == 0 && route_match("/", &r));
	set_req(&r, env6);
	CHECK(r.status == 200 && r.nseg == 1 && route_match("/researchers", &r));
	set_req(&r, env7);
	CHECK(r.status == 400);
	set_req(&r, env8);
	CHECK(r.status == 400 && req_param(&r, RP_REMOTE_USER) == NULL);
	set_req(&r, env9);
	CHECK(r.status == 400);
	set_req(&r, env10);
	CHECK(r.status == 400);
	set_req(&r, env11);
	CHECK(r.status == 200 && strcmp(req_param(&r, RP_REMOTE_USER), "alice") == 0);
	req_free(&r);
}

static void
test_headers(void)
{
	struct request r;
	struct buf out = BUF_INIT;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", NULL };

	req_init(&r, NULL);
	begin_env(&r, env);
	resp_start(&r, 200, "text/plain");
	CHECK(resp_header(&r, "X-Ok", SV_LIT("fine")) == 0);
	CHECK(resp_header(&r, "X-Bad", SV_LIT("a\r\nSet-Cookie: x=1")) < 0);
	buf_puts(&r.body, "hello");
	resp_serialize(&r, &out);
	CHECK(strstr(out.p, "Status: 200 OK\r\n") == out.p);
	CHECK(strstr(out.p, "Content-Length: 5\r\n") != NULL);
	CHECK(strstr(out.p, "X-Ok: fine\r\n") != NULL);
	CHECK(strstr(out.p, "Set-Cookie") == NULL);
	CHECK(strstr(out.p, "\r\n\r\nhello") != NULL);
	buf_free(&out);
	req_free(&r);
}

static void
test_config(void)
{
	struct config c;
	struct buf err = BUF_INIT;

	config_defaults(&c);
	CHECK(c.workers == 8 && c.socket_mode == 0660);
	CHECK(config_set(&c, "workers", "3", &err) == 0 && c.workers == 3);
	CHECK(config_set(&c, "workers", "0", &err) < 0 && strstr(err.p, "workers") != NULL);
	buf_reset(&err);
	CHECK(config_set(&c, "workers", "8x", &err) < 0);
	buf_reset(&err);
	CHECK(config_set(&c, "socket_mode", "0666", &err) == 0 && c.socket_mode == 0666);
	CHECK(config_set(&c, "socket_mode", "999", &err) < 0);
	buf_reset(&err);
	CHECK(config_set(&c, "no_such_key", "1", &err) < 0 && strstr(err.p, "no_such_key") != NULL);
	buf_reset(&err);
	CHECK(config_set(&c, "log_level", "loud", &err) < 0 && strstr(err.p, "log_level") != NULL);
	buf_free(&err);
	config_free(&c);
}

static void
test_validators(void)
{
	CHECK(valid_orcid(SV_LIT("0000-0002-1825-0097")));
	CHECK(valid_orcid(SV_LIT("0000-0001-5109-3700")));
	CHECK(valid_orcid(SV_LIT("0000-0002-1694-233X")));
	CHECK(!valid_orcid(SV_LIT("0000-0002-1825-0098")));
	CHECK(!valid_orcid(SV_LIT("0000-0002-1694-2330")));
	CHECK(!valid_orcid(SV_LIT("0000000218250097")));
	CHECK(!valid_orcid(SV_LIT("0000-0002-1825-009")));
	CHECK(!valid_orcid(SV_LIT("000a-0002-1825-0097")));
	CHECK(valid_email(SV_LIT("arora@cs.princeton.edu")));
	CHECK(valid_email(SV_LIT("a.b+c@x-y.org")));
	CHECK(!valid_email(SV_LIT("arora@localhost")));
	CHECK(!valid_email(SV_LIT("@x.org")));
	CHECK(!valid_email(SV_LIT("a@@x.org")));
	CHECK(!valid_email(SV_LIT("a..b@x.org")));
	CHECK(!valid_email(SV_LIT("a b@x.org")));
	CHECK(!valid_email(SV_LIT("a@x..org")));
	CHECK(!valid_email(SV_LIT("a@-x.org")));
	CHECK(!valid_email(SV_LIT("a@x.org-")));
	CHECK(!valid_email(SV_LIT("<script>@x.org")));
	CHECK(valid_https_url(SV_LIT("https://www.cs.princeton.edu/~arora/")));
	CHECK(valid_https_url(SV_LIT("https://x.org:8443/a?b=c#d")));
	CHECK(!valid_https_url(SV_LIT("http://x.org/")));
	CHECK(!valid_https_url(SV_LIT("https://")));
	CHECK(!valid_https_url(SV_LIT("https:///path")));
	CHECK(!valid_https_url(SV_LIT("https://x.org/a b")));
	CHECK(!valid_https_url(SV_LIT("https://x.org/\"><script>")));
	CHECK(!valid_https_url(SV_LIT("javascript:alert(1)")));
	CHECK(!valid_https_url(SV_LIT("https://x.org:/")));
}

/*
 * A cookie value as a holder of key k would sign it: label, user, "|",
 * times ("issued.expiry", or anything), in the cookie's layout.
 */
static void
signed_cookie(const struct session_key *k, const char *label,
    const char *user, const char *times, struct buf *out)
{
	crypto_auth_hmacsha256_state st;
	unsigned char m[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, k->k, sizeof(k->k));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)user, strlen(user));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)times, strlen(times));
	crypto_auth_hmacsha256_final(&st, m);
	buf_reset(out);
	b64url_encode(out, (const unsigned char *)user, strlen(user));
	buf_putc(out, '.');
	buf_puts(out, times);
	buf_putc(out, '.');
	b64url_encode(out, m, sizeof(m));
}

/* Whether the cookie in b verifies with k at now. */
static int
verifies(const struct session_key *k, const struct buf *b, uint64_t now)
{
	struct buf u = BUF_INIT;
	int ok = session_verify(k, (struct sv){ b->p, b->len }, now, &u, NULL) == 0;

	ok = ok ? 1 : u.len == 0 ? 0 : -1;   /* -1: refused yet a user left */
	buf_free(&u);
	return ok;
}

static void
test_session(void)
{
	struct session_key k, k2;
	struct session_info si, si2;
	struct buf c = BUF_INIT, c2 = BUF_INIT, f = BUF_INIT, u = BUF_INIT,
	    t = BUF_INIT, enc = BUF_INIT, dec = BUF_INIT;
	struct sv v;
	char times[64];

	memset(k.k, 7, sizeof(k.k));
	memset(k2.k, 8, sizeof(k2.k));
	/* Issued at 1000.5 s, valid until 2000 s. */
	session_issue(&k, SV_LIT("demo"), 1000500, 2000, &c);
	v = (struct sv){ c.p, c.len };
	CHECK(strncmp(c.p, "ZGVtbw.1000500.2000.", 20) == 0);
	memset(&si, 0, sizeof(si));
	CHECK(session_verify(&k, v, 1999, &u, &si) == 0 && sv_eq_cstr((struct sv){ u.p, u.len }, "demo"));
	CHECK(si.issued_ms == 1000500 && si.expires == 2000);
	buf_reset(&u);
	CHECK(session_verify(&k, v, 2000, &u, NULL) < 0 && u.len == 0);      /* expired */
	CHECK(session_verify(&k2, v, 1000, &u, NULL) < 0 && u.len == 0);     /* other key */
	/* The layout is the documented one: signed by hand, it verifies. */
	signed_cookie(&k, "bzs2|", "demo", "1000500.2000", &f);
	CHECK(f.len == c.len && memcmp(f.p, c.p, c.len) == 0 && verifies(&k, &f, 1000) == 1);
	/* The id: the same for the same cookie, another for another. */
	CHECK(session_verify(&k, (struct sv){ f.p, f.len }, 1000, &u, &si2) == 0 &&
	    memcmp(si.id, si2.id, sizeof(si.id)) == 0);
	session_issue(&k, SV_LIT("demo"), 1000501, 2000, &c2);
	CHECK(session_verify(&k, (struct sv){ c2.p, c2.len }, 1000, &u, &si2) == 0 &&
	    memcmp(si.id, si2.id, sizeof(si.id)) != 0);
	buf_reset(&u);
	c.p[0] = c.p[0] == 'Z' ? 'Y' : 'Z';                            /* other user */
	CHECK(session_verify(&k, v, 1000, &u, NULL) < 0 && u.len == 0);
	c.p[0] = 'Z';
	{
		char *dot = memchr(c.p, '.', c.len);

		dot[5] = '9';                          /* later issue: 1000900 */
		CHECK(verifies(&k, &c, 1000) == 0);
		dot[5] = '5';
		dot = memchr(dot + 1, '.', c.len - (size_t)(dot + 1 - c.p));
		dot[1] = '9';                                          /* later expiry */
		CHECK(verifies(&k, &c, 1000) == 0);
		dot[1] = '2';
		CHECK(verifies(&k, &c, 1000) == 1);
	}
	/* Signed with the real key, yet refused: the old format (no issue
	 * time, label bzs1), numbers not written canonically, an expiry
	 * not after the issue, a life longer than any session's. */
	signed_cookie(&k, "bzs1|", "demo", "2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs1|", "demo", "1000500.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "01000500.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "1000500.02000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "0.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "+1000500.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "2000000.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "1999999.2000", &f);
	CHECK(verifies(&k, &f, 1000) == 1);
	snprintf(times, sizeof(times), "1000000.%d", 1000 + STORE_SESSION_TTL_MAX);
	signed_cookie(&k, "bzs2|", "demo", times, &f);
	CHECK(verifies(&k, &f, 1000) == 1);
	snprintf(times, sizeof(times), "1000999.%d", 1000 + STORE_SESSION_TTL_MAX + 1);
	signed_cookie(&k, "bzs2|", "demo", times, &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	signed_cookie(&k, "bzs2|", "demo", "1000500.2000.3", &f);
	CHECK(verifies(&k, &f, 1000) == 0);
	buf_reset(&f);
	buf_put(&f, c.p, c.len);
	buf_puts(&f, ".x");                                            /* a fifth part */
	CHECK(verifies(&k, &f, 1000) == 0);
	buf_reset(&c);
	session_issue(&k, SV_LIT("demo"), 1000500, 2000, &c);
	v = (struct sv){ c.p, c.len };
	CHECK(session_verify(&k, SV_LIT("x.y.z"), 1000, &u, NULL) < 0);
	CHECK(session_verify(&k, SV_LIT("x.1.2.z"), 1000, &u, NULL) < 0);
	CHECK(session_verify(&k, SV_LIT(""), 1000, &u, NULL) < 0);
	CHECK(session_verify(&k, SV_LIT("ZGVtbw.2000."), 1000, &u, NULL) < 0);
	CHECK(session_verify(&k, SV_LIT("ZGVtbw.1000500.2000."), 1000, &u, NULL) < 0);
	CHECK(u.len == 0);
	session_csrf(&k, v, &t);
	CHECK(session_csrf_ok(&k, v, (struct sv){ t.p, t.len }));
	CHECK(!session_csrf_ok(&k2, v, (struct sv){ t.p, t.len }));
	CHECK(!session_csrf_ok(&k, SV_LIT("other"), (struct sv){ t.p, t.len }));
	CHECK(!session_csrf_ok(&k, v, (struct sv){ t.p, t.len - 1 }));
	CHECK(!session_csrf_ok(&k, v, SV_LIT("")));
	/* Masked anew each time (BREACH): two tokens differ, both are
	 * accepted, and so is the bare MAC under them; a changed byte in the
	 * pad or in the masked half is refused. */
	{
		struct buf t2 = BUF_INIT, raw = BUF_INIT, md = BUF_INIT;

		session_csrf(&k, v, &t2);
		CHECK(t.len == SESSION_CSRF_MAX && t2.len == t.len);
		CHECK(memcmp(t.p, t2.p, t.len) != 0);
		CHECK(session_csrf_ok(&k, v, (struct sv){ t2.p, t2.len }));
		REQUIRE(b64url_decode(&md, (struct sv){ t.p, t.len }) == 0 && md.len == 64);
		for (size_t i = 0; i < 32; i++)
			md.p[32 + i] ^= md.p[i];
		b64url_encode(&raw, (const unsigned char *)md.p + 32, 32);
		CHECK(raw.len == 43);
		CHECK(session_csrf_ok(&k, v, (struct sv){ raw.p, raw.len }));
		CHECK(!session_csrf_ok(&k, SV_LIT("other"), (struct sv){ raw.p, raw.len }));
		for (size_t at = 0; at < t2.len; at += 7) {
			char keep = t2.p[at];

			t2.p[at] = keep == 'A' ? 'B' : 'A';
			CHECK(!session_csrf_ok(&k, v, (struct sv){ t2.p, t2.len }));
			t2.p[at] = keep;
		}
		buf_free(&t2); buf_free(&raw); buf_free(&md);
	}
	/* The pads are a stream of this process's: a forked child without
	 * session_pads_reseed() would mask exactly as its parent does next;
	 * with it (what every worker does), differently. */
	for (int reseed = 0; reseed < 2; reseed++) {
		struct buf mine = BUF_INIT;
		char theirs[SESSION_CSRF_MAX + 1] = "";
		int fds[2], st;
		pid_t pid;

		REQUIRE(pipe(fds) == 0);
		REQUIRE((pid = fork()) >= 0);
		if (pid == 0) {
			struct buf b = BUF_INIT;

			if (reseed)
				session_pads_reseed();
			session_csrf(&k, v, &b);
			_exit(write(fds[1], b.p, b.len) == (ssize_t)b.len ? 0 : 1);
		}
		close(fds[1]);
		session_csrf(&k, v, &mine);
		CHECK(read(fds[0], theirs, sizeof(theirs) - 1) == SESSION_CSRF_MAX);
		close(fds[0]);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK((memcmp(mine.p, theirs, SESSION_CSRF_MAX) == 0) == !reseed);
		buf_free(&mine);
	}
	/* cookies */
	CHECK(cookie_get("a=1; bzs=xyz; c=3", "bzs", &v) == 0 && sv_eq_cstr(v, "xyz"));
	CHECK(cookie_get("xbzs=1; bzs=2", "bzs", &v) == 0 && sv_eq_cstr(v, "2"));
	CHECK(cookie_get("bzs=1; bzs=2", "bzs", &v) == 0 && sv_eq_cstr(v, "1"));
	CHECK(cookie_get("bz=1", "bzs", &v) < 0);
	CHECK(cookie_get(NULL, "bzs", &v) < 0);
	/* base64url round trips and strictness */
	for (size_t n = 0; n < 8; n++) {
		buf_reset(&enc);
		buf_reset(&dec);
		b64url_encode(&enc, (const unsigned char *)"\xff\x00" "abc\x10\x80" "z", n);
		CHECK(b64url_decode(&dec, (struct sv){ enc.p, enc.len }) == 0 && dec.len == n);
	}
	CHECK(b64url_decode(&dec, SV_LIT("a")) < 0);
	CHECK(b64url_decode(&dec, SV_LIT("ab+/")) < 0);
	CHECK(b64url_decode(&dec, SV_LIT("YR")) < 0);   /* non-zero leftover bits */
	/* libsodium 1.0.18 reads 0x9f as '_': "YWF\x9f" must not pass as "YWF_". */
	CHECK(b64url_decode(&dec, SV_LIT("YWF_")) == 0);
	CHECK(b64url_decode(&dec, SV_LIT("YWF\x9f")) < 0);
	CHECK(b64url_decode(&dec, SV_LIT("YWF\x80")) < 0);
	CHECK(b64url_decode(&dec, SV_LIT("YWF\xff")) < 0);
	buf_free(&c); buf_free(&u); buf_free(&t); buf_free(&enc); buf_free(&dec);
	buf_free(&c2); buf_free(&f);
}

/* What the dispatcher relies on, for every route of the table. */
/* What sesscache_verify says of value at now, against session_verify. */
static int
same_as_verify(struct sesscache *c, const struct session_key *k, struct sv value,
    uint64_t now)
{
	struct session_info a, b;
	unsigned char ta[SESSION_TOKEN_LEN], tb[SESSION_TOKEN_LEN];
	struct buf ua = BUF_INIT, ub = BUF_INIT;
	int ra, rb, same;

	memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
	memset(ta, 1, sizeof(ta)); memset(tb, 1, sizeof(tb));
	buf_puts(&ua, "x"); buf_puts(&ub, "x");   /* appended to, not replaced */
	ra = sesscache_verify(c, k, value, now, &ua, &a, ta);
	rb = session_verify(k, value, now, &ub, &b);
	if (rb == 0)
		session_csrf_token(k, value, tb);
	same = ra == rb && ua.len == ub.len && memcmp(ua.p, ub.p, ua.len) == 0 &&
	    (rb < 0 || (memcmp(&a, &b, sizeof(a)) == 0 &&
	    memcmp(ta, tb, sizeof(ta)) == 0));
	buf_free(&ua); buf_free(&ub);
	return same;
}

static void
test_sesscache(void)
{
	struct session_key k, k2;
	struct sesscache *c = sesscache_new();
	struct buf v = BUF_INIT, w = BUF_INIT, t = BUF_INIT, u = BUF_INIT;
	uint64_t hits, misses, h0, m0;
	unsigned char tok[SESSION_TOKEN_LEN];
	char name[32];

	REQUIRE(c != NULL);
	memset(k.k, 7, sizeof(k.k));
	memset(k2.k, 8, sizeof(k2.k));
	session_issue(&k, SV_LIT("demo"), 1000500, 2000, &v);
	/* The first use verifies and keeps; the next ones are answered from
	 * memory, with what a full verification says. */
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len }, 1000));
	sesscache_stats(c, &hits, &misses);
	CHECK(hits == 0 && misses == 1);
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len }, 1500));
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len }, 1999));
	sesscache_stats(c, &hits, &misses);
	CHECK(hits == 2 && misses == 1);
	/* Its token is the session's: masked, session_csrf_ok takes it. */
	CHECK(sesscache_verify(c, &k, (struct sv){ v.p, v.len }, 1000, &u, NULL, tok) == 0);
	session_csrf_mask(tok, &t);
	CHECK(t.len == SESSION_CSRF_MAX &&
	    session_csrf_ok(&k, (struct sv){ v.p, v.len }, (struct sv){ t.p, t.len }));
	/* Expired since it was kept: refused, and no longer kept. */
	buf_reset(&u);
	CHECK(sesscache_verify(c, &k, (struct sv){ v.p, v.len }, 2000, &u, NULL, NULL) < 0 &&
	    u.len == 0);
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len }, 1000));
	sesscache_stats(c, &h0, &m0);
	CHECK(m0 == misses + 2);
	/* Any byte changed, a byte more or less: a lookup that misses and a
	 * verification that refuses, never the kept answer. */
	for (size_t i = 0; i < v.len; i++) {
		buf_reset(&w);
		buf_put(&w, v.p, v.len);
		w.p[i] ^= 0x01;
		CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
		CHECK(verifies(&k, &w, 1000) == 0);
	}
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len - 1 }, 1000));
	buf_reset(&w);
	buf_put(&w, v.p, v.len);
	buf_putc(&w, 'A');
	CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
	/* Kept under one key, the cookie does not pass under another, and
	 * what was kept under the first is gone. */
	CHECK(same_as_verify(c, &k2, (struct sv){ v.p, v.len }, 1000));
	CHECK(sesscache_verify(c, &k2, (struct sv){ v.p, v.len }, 1000, &u, NULL, NULL) < 0);
	sesscache_stats(c, &h0, &m0);
	CHECK(same_as_verify(c, &k, (struct sv){ v.p, v.len }, 1000));
	sesscache_stats(c, &hits, &misses);
	CHECK(hits == h0 && misses == m0 + 1);
	/* Bounded: many more sessions than slots all verify right, the
	 * first ones again after they were pushed out. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 3 * SESSCACHE_SLOTS; i++) {
			buf_reset(&w);
			snprintf(name, sizeof(name), "user%d", i);
			session_issue(&k, sv_cstr(name), 1000000 + (uint64_t)i, 3000, &w);
			CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
			CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
		}
	sesscache_stats(c, &hits, &misses);
	CHECK(hits >= h0 + 6 * SESSCACHE_SLOTS);
	/* The longest user name fits a slot (171 characters of b64url);
	 * a value longer than a slot holds is verified each time (no valid
	 * one is), without a lookup. */
	{
		char big[SESSION_USER_MAX + 1];

		memset(big, 'b', SESSION_USER_MAX);
		big[SESSION_USER_MAX] = '\0';
		buf_reset(&w);
		session_issue(&k, sv_cstr(big), 1000500, 2000, &w);
		CHECK(w.len <= SESSCACHE_VALUE_MAX);
		sesscache_stats(c, &h0, &m0);
		CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
		CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
		sesscache_stats(c, &hits, &misses);
		CHECK(hits == h0 + 1 && misses == m0 + 1);
		buf_puts(&w, ".");
		while (w.len <= SESSCACHE_VALUE_MAX)
			buf_putc(&w, 'A');
		CHECK(same_as_verify(c, &k, (struct sv){ w.p, w.len }, 1000));
		sesscache_stats(c, &h0, &m0);
		CHECK(hits == h0 && misses == m0);
	}
	/* No cache: the same answers. */
	CHECK(same_as_verify(NULL, &k, (struct sv){ v.p, v.len }, 1000));
	CHECK(same_as_verify(NULL, &k, (struct sv){ v.p, v.len }, 2000));
	sesscache_free(c);
	buf_free(&v); buf_free(&w); buf_free(&t); buf_free(&u);
}

static void
test_route_table(void)
{
	size_t n;
	const struct route *rt = router_routes(&n);
	char id[AUTHOR_ID_BUF];

	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		unsigned f = rt[i].flags;

		/* CSRF is the form's field 0, checked against a session. */
		if (f & ROUTE_CSRF)
			CHECK(rt[i].form != NULL && rt[i].form->n > 0 &&
			    strcmp(rt[i].form->fields[0].name, "csrf") == 0 &&
			    (f & ROUTE_SESSION));
		if (f & ROUTE_SESSION)
			CHECK(rt[i].unavailable != NULL && (rt[i].methods & M_POST));
		/* A researcher route captures it first, as {slug}. */
		if (f & ROUTE_RESEARCHER)
			CHECK(strstr(rt[i].pattern, "{slug}") != NULL);
		/* Every post is a declared form, rate-limited. */
		if (rt[i].methods & M_POST)
			CHECK(rt[i].form != NULL && (f & ROUTE_RATE));
	}
	CHECK(openalex_author_id(SV_LIT("A5023888391"), id) == 11 && strcmp(id, "A5023888391") == 0);
	CHECK(openalex_author_id(SV_LIT("a5023888391"), id) == 11 && strcmp(id, "A5023888391") == 0);
	CHECK(openalex_author_id(SV_LIT("https://openalex.org/A5023888391"), id) == 11 &&
	    strcmp(id, "A5023888391") == 0);
	CHECK(openalex_author_id(SV_LIT("HTTPS://OpenAlex.org/a1"), id) == 2 && strcmp(id, "A1") == 0);
	CHECK(openalex_author_id(SV_LIT("A0123"), id) == 0);
	CHECK(openalex_author_id(SV_LIT("A"), id) == 0);
	CHECK(openalex_author_id(SV_LIT("W123"), id) == 0);
	CHECK(openalex_author_id(SV_LIT("A12x"), id) == 0);
	CHECK(openalex_author_id(SV_LIT("A12345678901234567890"), id) == 0);
	CHECK(openalex_author_id(SV_LIT("sanjeev-arora"), id) == 0);
}

/* The JSON writer places every comma and says when it was misused. */
static void
test_json_writer(void)
{
	struct buf b = BUF_INIT;
	struct jw j;

	jw_init(&j, &b);
	jw_obj_open(&j, NULL);
	jw_str(&j, "a", SV_LIT("x\"y"));
	jw_arr_open(&j, "l");
	jw_uint(&j, NULL, 1);
	jw_int(&j, NULL, -2);
	jw_obj_open(&j, NULL);
	jw_obj_close(&j);
	jw_null(&j, NULL);
	jw_arr_close(&j);
	jw_str_or_null(&j, "e", SV_LIT(""));
	jw_int_or_null(&j, "y", 0);
	jw_bool(&j, "t", 1);
	jw_obj_close(&j);
	CHECK(jw_done(&j) == 0);
	CHECK(strcmp(b.p, "{\"a\":\"x\\\"y\",\"l\":[1,-2,{},null],\"e\":null,\"y\":null,\"t\":true}") == 0);
	buf_reset(&b);
	jw_init(&j, &b);
	jw_obj_open(&j, NULL);
	jw_uint(&j, NULL, 1);          /* a value without its key */
	jw_obj_close(&j);
	CHECK(jw_done(&j) < 0);
	jw_init(&j, &b);
	jw_arr_open(&j, NULL);
	jw_uint(&j, "k", 1);           /* a key in an array */
	jw_obj_close(&j);              /* and the wrong close */
	CHECK(jw_done(&j) < 0);
	jw_init(&j, &b);
	jw_obj_open(&j, NULL);         /* never closed */
	CHECK(jw_done(&j) < 0);
	jw_init(&j, &b);
	for (int i = 0; i < JSON_DEPTH + 1; i++)
		jw_arr_open(&j, NULL);
	CHECK(jw_done(&j) < 0);
	buf_free(&b);
}

int
main(void)
{
	test_form();
	test_form_fields();
	test_orcid_normalize();
	test_request_and_routes();
	test_headers();
	test_config();
	test_validators();
	test_session();
	test_sesscache();
	test_route_table();
	test_json_writer();
	CHECK_DONE();
}
