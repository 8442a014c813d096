/* test_http.c: request parsing, declared fields, the route matcher, config. */
#include <string.h>

#include "../../fcgi-app/config.h"
#include "../../fcgi-app/form.h"
#include "../../fcgi-app/request.h"
#include "../../fcgi-app/router.h"
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
		{ "q", 10, valid_line },
		{ "page", 9, valid_uint },
		{ "note", 20, valid_text },
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
	buf_free(&err);
	form_free(&f);
}

static void
set_req(struct request *r, char **env)
{
	req_end(r);
	req_begin(r, env);
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
	req_free(&r);
}

static void
test_headers(void)
{
	struct request r;
	struct buf out = BUF_INIT;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", NULL };

	req_init(&r, NULL);
	req_begin(&r, env);
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
	CHECK(c.workers == 4 && c.socket_mode == 0660);
	CHECK(config_set(&c, "workers", "8", &err) == 0 && c.workers == 8);
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

int
main(void)
{
	test_form();
	test_request_and_routes();
	test_headers();
	test_config();
	CHECK_DONE();
}
