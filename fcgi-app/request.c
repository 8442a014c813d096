/* request.c: parsing the FastCGI request, building and serialising the response. */
#include "request.h"

#include <string.h>

#include "../views/error.h"
#include "../views/json.h"
#include "app.h"
#include "../store/log.h"
#include "session.h"

#include <stdlib.h>
#include <strings.h>
#include <time.h>

void
req_init(struct request *r, struct app *app)
{
	memset(r, 0, sizeof(*r));
	r->app = app;
	form_init(&r->form);
	page_init(&r->page);
}

void
req_free(struct request *r)
{
	req_end(r);
	buf_free(&r->seg_arena);
	buf_free(&r->head);
	buf_free(&r->body);
	buf_free(&r->page_key);
	buf_free(&r->counter_key);
	buf_free(&r->etag);
	buf_free(&r->frame);
	buf_free(&r->res_copy);
	buf_free(&r->back);
	buf_free(&r->user);
	buf_free(&r->csrf);
	form_free(&r->form);
	page_free(&r->page);
}

/* The names of enum req_param, in its order. */
static const char *const param_names[RP_COUNT] = {
	[RP_REQUEST_METHOD]     = "REQUEST_METHOD",
	[RP_REQUEST_URI]        = "REQUEST_URI",
	[RP_QUERY_STRING]       = "QUERY_STRING",
	[RP_CONTENT_TYPE]       = "CONTENT_TYPE",
	[RP_CONTENT_LENGTH]     = "CONTENT_LENGTH",
	[RP_REMOTE_USER]        = "REMOTE_USER",
	[RP_REMOTE_ADDR]        = "REMOTE_ADDR",
	[RP_HTTPS]              = "HTTPS",
	[RP_HTTP_COOKIE]        = "HTTP_COOKIE",
	[RP_HTTP_ACCEPT]        = "HTTP_ACCEPT",
	[RP_HTTP_IF_NONE_MATCH] = "HTTP_IF_NONE_MATCH",
};

const char *
req_param(const struct request *r, enum req_param which)
{
	return r->param[which];
}

/*
 * Finds the declared parameters among the request's. Returns -1 (logged)
 * when one of them comes twice.
 */
static int
index_params(struct request *r, const struct fcgi_param *param, size_t nparam)
{
	for (size_t i = 0; i < nparam; i++) {
		struct sv n = param[i].name;

		/* Every declared name is upper case and starts with H, R, Q
		 * or C: most of nginx's others are skipped by a byte. */
		if (n.n < 5 || !strchr("CHQR", n.p[0]))
			continue;
		/* Only whether they came: any number of them is fine. */
		if (sv_eq_cstr(n, "HTTP_X_FORWARDED_FOR") ||
		    sv_eq_cstr(n, "HTTP_FORWARDED") ||
		    sv_eq_cstr(n, "HTTP_X_REAL_IP")) {
			r->forwarded = 1;
			continue;
		}
		for (int k = 0; k < RP_COUNT; k++) {
			if (!sv_eq_cstr(n, param_names[k]))
				continue;
			if (r->param[k] != NULL) {
				log_warn("the web server sent %s twice: refused "
				    "(a site must set it once; see the README's "
				    "nginx notes)", param_names[k]);
				return -1;
			}
			r->param[k] = param[i].value.p;
			break;
		}
	}
	return 0;
}

struct sv
req_segment(const struct request *r, size_t i)
{
	if (i >= r->nseg)
		return (struct sv){ "", 0 };
	return (struct sv){ r->seg_arena.p + r->seg_off[i], r->seg_len[i] };
}

static enum http_method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	return M_OTHER;
}

/*
 * Splits the raw path into decoded segments ("/a/b%20c" -> "a", "b c").
 * "/" has no segments. Returns 0, or 400 on bad encoding, a NUL byte,
 * invalid UTF-8, too many segments or an empty segment ("//").
 */
/*
 * An OpenAlex URL pasted after /researchers/ ("/researchers/https://
 * openalex.org/A123", which browsers send as it is) is one segment, as if
 * its slashes were %2F: the route answers it with a 301 like any form of
 * the id. s is the segment's start, *p its end (on a '/'); 1 with *p moved
 * to the end of the URL's id, else 0 and nothing moved.
 */
static int
oa_url_segment(const struct request *r, const char *s, const char **p,
    const char *end)
{
	static const char host[] = "//openalex.org/";
	size_t n = (size_t)(*p - s), h = sizeof(host) - 1;
	const char *q = *p;

	if (!sv_eq((struct sv){ r->seg_arena.p + r->seg_off[0], r->seg_len[0] },
	    SV_LIT("researchers")))
		return 0;
	if (!((n == 6 && strncasecmp(s, "https:", 6) == 0) ||
	    (n == 5 && strncasecmp(s, "http:", 5) == 0)))
		return 0;
	if ((size_t)(end - q) <= h || strncasecmp(q, host, h) != 0)
		return 0;
	for (q += h; q < end && *q != '/'; q++)
		;
	*p = q;
	return 1;
}

static int
split_path(struct request *r)
{
	const char *p = r->raw_path.p, *end = p + r->raw_path.n;

	if (r->raw_path.n == 0 || *p != '/')
		return 400;
	p++;
	while (p < end) {
		const char *s = p;
		struct sv seg;

		while (p < end && *p != '/')
			p++;
		seg = (struct sv){ s, (size_t)(p - s) };
		if (r->nseg == 1 && oa_url_segment(r, s, &p, end))
			seg = (struct sv){ s, (size_t)(p - s) };
		if (p < end)
			p++;                 /* past '/' */
		if (seg.n == 0) {
			if (p == end && s == end)
				break;       /* trailing slash: "/researchers/" */
			return 400;
		}
		if (r->nseg == REQ_MAX_SEGMENTS)
			return 404;
		r->seg_off[r->nseg] = r->seg_arena.len;
		if (url_decode_segment(&r->seg_arena, seg) < 0)
			return 400;
		r->seg_len[r->nseg] = r->seg_arena.len - r->seg_off[r->nseg];
		/* Not req_segment(r, r->nseg): that is "" until nseg counts it. */
		if (!utf8_valid((struct sv){ r->seg_arena.p + r->seg_off[r->nseg],
		    r->seg_len[r->nseg] }))
			return 400;
		buf_putc(&r->seg_arena, '\0');
		r->nseg++;
	}
	return 0;
}

/*
 * REMOTE_USER is read at /login alone, and the shipped site passes it
 * nowhere else. A web server that passes it elsewhere (a site that
 * includes Debian's fastcgi_params, whose $remote_user any client fills
 * with a Basic header) is misconfigured in a way that only luck keeps
 * harmless: said in the log, once a minute per worker.
 */
static void
identity_check(struct request *r)
{
	const char *ru = req_param(r, RP_REMOTE_USER);
	double now;

	if (ru == NULL || *ru == '\0' || sv_eq_cstr(r->raw_path, "/login") ||
	    r->app == NULL)
		return;
	now = mono_now();
	if (r->app->warned_identity != 0 && now - r->app->warned_identity < 60)
		return;
	r->app->warned_identity = now;
	log_warn("the web server passed REMOTE_USER to an address other than "
	    "/login, where it is never read (include bzpeer-fastcgi.conf, not "
	    "Debian's fastcgi_params, in the site's locations)");
}

int
req_begin(struct request *r, const struct fcgi_param *param, size_t nparam,
    struct sv body, size_t body_len)
{
	const char *m, *uri, *q;
	int rc;

	memset(r->param, 0, sizeof(r->param));
	r->status = 200;
	r->nseg = 0;
	r->capture[0] = r->capture[1] = (struct sv){ "", 0 };
	buf_reset(&r->seg_arena);
	buf_reset(&r->head);
	buf_reset(&r->body);
	buf_reset(&r->back);
	r->route = NULL;
	r->json = r->cors = 0;
	r->res_id = r->res_slug = (struct sv){ "", 0 };
	buf_reset(&r->user);
	buf_reset(&r->csrf);
	r->session_checked = 0;
	r->forwarded = 0;
	r->session = (struct sv){ "", 0 };
	r->body_in = body;
	r->body_len = body_len;
	r->method_name = SV_LIT("GET");
	r->method = M_GET;
	r->raw_path = SV_LIT("/");
	r->query = (struct sv){ "", 0 };

	if (index_params(r, param, nparam) < 0) {
		memset(r->param, 0, sizeof(r->param));   /* none is believed */
		return r->status = 400;
	}
	m = req_param(r, RP_REQUEST_METHOD);
	uri = req_param(r, RP_REQUEST_URI);
	if (m == NULL || uri == NULL)
		return r->status = 400;
	r->method_name = sv_cstr(m);
	r->method = method_of(m);

	/* REQUEST_URI is the raw target, so each segment is decoded once,
	 * here, and "%2F" stays inside its segment. */
	q = strchr(uri, '?');
	r->raw_path = (struct sv){ uri, q ? (size_t)(q - uri) : strlen(uri) };
	r->query = sv_cstr(req_param(r, RP_QUERY_STRING));
	if (r->query.p == NULL)
		r->query = (struct sv){ "", 0 };

	rc = split_path(r);
	if (rc != 0)
		r->status = rc;
	identity_check(r);
	return rc;
}

void
req_end_txn(struct request *r)
{
	if (r->txn != NULL) {
		store_read_end(r->txn);
		r->txn = NULL;
	}
}

void
req_end(struct request *r)
{
	req_end_txn(r);
	memset(r->param, 0, sizeof(r->param));
	r->body_in = (struct sv){ "", 0 };
	r->body_len = 0;
}

int
req_txn(struct request *r)
{
	int rc;

	if (r->txn != NULL)
		return 0;
	if (r->app->store == NULL)
		return r->app->store_err ? r->app->store_err : STORE_EMPTY;
	rc = store_read_begin(r->app->store, &r->txn);
	if (rc != 0) {
		log_err("read transaction: %s", store_strerror(rc));
		r->txn = NULL;
	}
	return rc;
}

int
resp_header(struct request *r, const char *name, struct sv value)
{
	for (size_t i = 0; i < value.n; i++)
		if (value.p[i] == '\r' || value.p[i] == '\n' || value.p[i] == '\0') {
			log_warn("header %s refused: it holds a line break", name);
			return -1;
		}
	buf_puts(&r->head, name);
	buf_put(&r->head, ": ", 2);
	buf_put(&r->head, value.p, value.n);
	buf_put(&r->head, "\r\n", 2);
	return 0;
}

void
resp_start(struct request *r, int status, const char *content_type)
{
	r->status = status;
	buf_reset(&r->head);
	buf_reset(&r->body);
	resp_header(r, "Content-Type", sv_cstr(content_type));
}

const char *
http_error_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "sign_in_required";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 429: return "too_many_requests";
	case 503: return "unavailable";
	default:  return "error";
	}
}

void
resp_error(struct request *r, int status, const char *title,
    const char *message)
{
	if (r->json) {
		struct jw j;

		resp_start(r, status, "application/json");
		if (r->cors)
			resp_header(r, "Access-Control-Allow-Origin", SV_LIT("*"));
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		jw_init(&j, &r->body);
		jw_obj_open(&j, NULL);
		jw_str(&j, "error", sv_cstr(http_error_code(status)));
		jw_str(&j, "message", sv_cstr(message));
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
		return;
	}
	{
		struct viewer v;

		resp_start(r, status, "text/html; charset=utf-8");
		page_reset(&r->page);
		view_error(status, title, message,
		    (struct sv){ r->back.p ? r->back.p : "", r->back.len }, &r->page);
		memset(&v, 0, sizeof(v));
		/* A session already checked (a 403 or 409 of a post) shows as
		 * signed in; none is looked up here, for an error page. */
		if (r->session_checked && r->user.len) {
			v.user = (struct sv){ r->user.p, r->user.len };
			v.csrf = (struct sv){ r->csrf.p, r->csrf.len };
		}
		page_fill(&r->page, &v, &r->body);
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
	}
}

void
resp_redirect(struct request *r, int status, struct sv location)
{
	resp_start(r, status, "text/html; charset=utf-8");
	if (location.n == 0 || location.p[0] != '/' ||
	    (location.n > 1 && (location.p[1] == '/' || location.p[1] == '\\')) ||
	    resp_header(r, "Location", location) < 0) {
		resp_error(r, 500, "Internal error", "A redirect was refused.");
		return;
	}
	buf_puts(&r->body, "<!doctype html><title>Moved</title>\n");
}

int
req_form_post(struct request *r, const struct form_spec *spec, struct buf *err)
{
	const char *ct = req_param(r, RP_CONTENT_TYPE);
	const char *cl = req_param(r, RP_CONTENT_LENGTH);
	const char *semi;
	size_t ctlen, want = 0, max = (size_t)r->app->cfg->max_body;

	if (ct == NULL) {
		buf_puts(err, "the form must be sent as application/x-www-form-urlencoded");
		return 415;
	}
	semi = strchr(ct, ';');
	ctlen = semi ? (size_t)(semi - ct) : strlen(ct);
	while (ctlen && ct[ctlen - 1] == ' ')
		ctlen--;
	if (ctlen != 33 || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		buf_puts(err, "the form must be sent as application/x-www-form-urlencoded");
		return 415;
	}
	if (cl != NULL && *cl != '\0') {
		for (const char *p = cl; *p; p++) {
			if (*p < '0' || *p > '9' || p - cl > 12) {
				buf_puts(err, "bad Content-Length");
				return 400;
			}
			want = want * 10 + (size_t)(*p - '0');
		}
	}
	if (want > max || r->body_len > max) {
		buf_puts(err, "the form is larger than this site accepts");
		return 413;
	}
	if (r->body_len != want) {
		buf_puts(err, r->body_len < want ? "the form arrived incomplete" :
		    "the form is longer than its Content-Length");
		return 400;
	}
	if ((spec->per_field ? form_parse_fields : form_parse)(&r->form,
	    r->body_in, spec->fields, spec->n, err) < 0)
		return 400;
	return 0;
}

void
req_session(struct request *r)
{
	unsigned char token[SESSION_TOKEN_LEN];
	struct sv v;
	int rc;

	if (r->session_checked)
		return;
	r->session_checked = 1;
	if (!r->app->have_key ||
	    cookie_get(req_param(r, RP_HTTP_COOKIE), SESSION_COOKIE, &v) < 0)
		return;
	/* A cookie this worker verified before costs no HMAC (sesscache.h);
	 * whether its session is still on is asked below every time. */
	if (sesscache_verify(r->app->sessions, &r->app->key, v,
	    (uint64_t)time(NULL), &r->user, &r->sinfo, token) < 0) {
		buf_reset(&r->user);
		return;
	}
	/* Signed out (POST /logout, bzpeer-admin sessions revoke), or a
	 * store that cannot say: signed out. Two lookups in the snapshot the
	 * handler reads anyway, on every request: nothing about a session
	 * being on is kept between requests. */
	if ((rc = req_txn(r)) != 0 ||
	    (rc = store_session_check(r->txn, (struct sv){ r->user.p,
	    r->user.len }, (struct sv){ (const char *)r->sinfo.id,
	    sizeof(r->sinfo.id) }, r->sinfo.issued_ms, r->sinfo.expires)) != 0) {
		if (rc != STORE_REVOKED && r->txn != NULL)
			log_err("session check: %s", store_strerror(rc));
		buf_reset(&r->user);
		return;
	}
	r->session = v;
	session_csrf_mask(token, &r->csrf);
}

int
req_wants_json(const struct request *r)
{
	const char *a = req_param(r, RP_HTTP_ACCEPT);

	return a != NULL && strstr(a, "application/json") != NULL;
}

struct sv
req_addr(const struct request *r)
{
	const char *a = req_param(r, RP_REMOTE_ADDR);

	return a ? sv_cstr(a) : (struct sv){ "", 0 };
}

void
resp_cookie(struct request *r, const char *name, struct sv value, long max_age)
{
	const char *https = req_param(r, RP_HTTPS);

	/* The value is the app's own (a signed session, a flash code); like
	 * every header value, it never carries a line break. */
	for (size_t i = 0; i < value.n; i++)
		if (value.p[i] == '\r' || value.p[i] == '\n' ||
		    value.p[i] == '\0' || value.p[i] == ';') {
			log_warn("cookie %s refused: its value holds a separator", name);
			return;
		}
	buf_puts(&r->head, "Set-Cookie: ");
	buf_puts(&r->head, name);
	buf_putc(&r->head, '=');
	buf_put(&r->head, value.p, value.n);
	buf_puts(&r->head, "; Path=/; Max-Age=");
	buf_puti64(&r->head, max_age);
	buf_puts(&r->head, "; HttpOnly; SameSite=Lax");
	if (https != NULL && strcmp(https, "on") == 0)
		buf_puts(&r->head, "; Secure");
	buf_puts(&r->head, "\r\n");
}

/* 1 if the If-None-Match header names etag (weak comparison) or is "*". */
static int
etag_matches(const char *inm, struct sv etag)
{
	const char *p = inm;

	while (p != NULL && *p != '\0') {
		const char *e;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == etag.n && memcmp(p, etag.p, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

int
resp_validators(struct request *r, struct sv etag, uint64_t last_modified)
{
	const char *inm = req_param(r, RP_HTTP_IF_NONE_MATCH);
	time_t tt = (time_t)last_modified;
	struct tm tm;
	char date[64];

	/* 0: a store imported before import times were kept. */
	if (last_modified != 0 && gmtime_r(&tt, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) != 0)
		resp_header(r, "Last-Modified", sv_cstr(date));
	resp_header(r, "ETag", etag);
	if (inm != NULL && etag_matches(inm, etag)) {
		r->status = 304;
		return 1;
	}
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}

/* Sent with every response the app makes (nginx adds the same to its own). */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'none'; style-src 'self'; "
	"img-src 'self' data:; script-src 'self'; connect-src 'self'; "
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: strict-origin-when-cross-origin\r\n";

void
resp_serialize(const struct request *r, struct buf *out)
{
	struct sv body = resp_body(r);

	buf_reserve(out, 256 + r->head.len + body.n);
	resp_serialize_head(r, out);
	buf_put(out, body.p, body.n);
}

struct sv
resp_body(const struct request *r)
{
	if (r->method == M_HEAD || r->status == 304 || r->body.len == 0)
		return (struct sv){ "", 0 };
	return (struct sv){ r->body.p, r->body.len };
}

void
resp_serialize_head(const struct request *r, struct buf *out)
{
	buf_reserve(out, 256 + r->head.len);
	buf_puts(out, "Status: ");
	buf_putu64(out, (uint64_t)r->status);
	buf_putc(out, ' ');
	buf_puts(out, http_reason(r->status));
	buf_puts(out, "\r\n");
	buf_put(out, r->head.p, r->head.len);
	buf_put(out, security_headers, sizeof(security_headers) - 1);
	if (r->status != 304) {
		buf_puts(out, "Content-Length: ");
		buf_putu64(out, (uint64_t)r->body.len);
		buf_puts(out, "\r\n");
	}
	buf_puts(out, "\r\n");
}
