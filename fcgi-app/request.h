/* request.h: one HTTP request as FastCGI hands it over, and the response being built. */
#ifndef BZPEER_REQUEST_H
#define BZPEER_REQUEST_H

#include <stddef.h>

#include "../store/buf.h"
#include "../store/store.h"
#include "../views/holes.h"
#include "fcgi.h"
#include "form.h"
#include "session.h"

struct app;
struct route;

enum http_method {
	M_GET   = 1u << 0,
	M_HEAD  = 1u << 1,
	M_POST  = 1u << 2,
	M_OTHER = 1u << 3,
};

#define REQ_MAX_SEGMENTS 8

/*
 * The FastCGI parameters this program reads, declared once: req_begin()
 * finds each of them in one pass, and a request that carries one of them
 * twice is refused with 400, since which copy counts would be a guess.
 * (nginx appends a second REMOTE_USER when a site both includes Debian's
 * fastcgi_params, which sends $remote_user, filled from any client's Basic
 * header, and sets its own: taking the first would let a client choose its
 * identity.) Parameters not declared here are never looked at.
 */
enum req_param {
	RP_REQUEST_METHOD,
	RP_REQUEST_URI,
	RP_QUERY_STRING,
	RP_CONTENT_TYPE,
	RP_CONTENT_LENGTH,
	RP_REMOTE_USER,
	RP_REMOTE_ADDR,
	RP_HTTPS,
	RP_HTTP_COOKIE,
	RP_HTTP_ACCEPT,
	RP_HTTP_IF_NONE_MATCH,
	RP_COUNT
};

/*
 * All per-request state lives here, passed down to every handler; nothing
 * about a request is kept in globals. The worker owns one struct request and
 * resets it between requests, so its buffers are reused, not reallocated.
 */
struct request {
	struct app *app;            /* the process's long-lived state */
	const char *param[RP_COUNT];/* the declared parameters, or NULL */

	enum http_method method;
	struct sv   method_name;
	struct sv   raw_path;       /* REQUEST_URI up to '?' */
	struct sv   query;          /* QUERY_STRING */

	/* Decoded path segments, each NUL-terminated inside seg_arena. */
	struct buf  seg_arena;
	size_t      seg_off[REQ_MAX_SEGMENTS], seg_len[REQ_MAX_SEGMENTS];
	size_t      nseg;
	struct sv   capture[2];     /* route captures, views into seg_arena */

	struct form form;           /* the query or body fields, once parsed */
	struct store_rtxn *txn;     /* open read transaction, or NULL */
	struct page page;           /* a rendered page (reused) */

	/* Set by the dispatcher (router.h) before the handler runs. */
	const struct route *route;  /* the route matched */
	int         json;           /* errors are answered in JSON */
	int         cors;           /* ... readable by any origin */
	struct store_researcher res;/* ROUTE_RESEARCHER: views into txn */
	struct sv   res_id, res_slug; /* its id and slug, in res_copy */
	struct buf  res_copy;
	struct buf  back;           /* its profile's address ("" otherwise) */

	/* The body (FastCGI stdin) as it arrived: body_len bytes were sent,
	 * the first body_in.n of them kept (at most max_body). */
	struct sv   body_in;
	size_t      body_len;

	/* Who is asking: filled by req_session() from the session cookie. */
	int         session_checked;
	/* A proxy's header came with it (X-Forwarded-For, Forwarded,
	 * X-Real-IP): REMOTE_ADDR is then a hop, maybe a local one, not
	 * where the request began (req_from_loopback). */
	int         forwarded;
	struct sv   session;        /* the cookie value, when valid */
	struct session_info sinfo;  /* its issue, expiry and id, when valid */
	struct buf  user;           /* signed-in user, empty when signed out */
	struct buf  csrf;           /* that session's CSRF token, masked */

	/* The response. */
	int         status;
	struct buf  head;           /* extra header lines, "Name: value\r\n" */
	struct buf  body;
	/* The profile's cache keys and entity tag (serve_profile), kept here
	 * so that the hot path allocates nothing. */
	struct buf  page_key, counter_key, etag;
	struct buf  frame;          /* a page framed for the node's cache */
};

void req_init(struct request *r, struct app *app);
void req_free(struct request *r);

/*
 * Loads r from a request's FastCGI parameters and body (which must outlive
 * the request: the worker's connection holds them). Returns 0, or an HTTP
 * status (400) when the request cannot be understood (no method or
 * target, a declared parameter sent twice, a malformed path); r->status is
 * set either way.
 */
int  req_begin(struct request *r, const struct fcgi_param *param,
    size_t nparam, struct sv body, size_t body_len);
void req_end(struct request *r);

/* A declared FastCGI parameter, or NULL when the request has none. */
const char *req_param(const struct request *r, enum req_param which);

/* Path segment i, decoded. */
struct sv req_segment(const struct request *r, size_t i);

/* Opens the request's read transaction (once). 0 or a store error. */
int  req_txn(struct request *r);
/* Ends it (before a write: every sv read in it dies). */
void req_end_txn(struct request *r);

/*
 * Adds a response header. The value must not hold CR or LF (it is refused
 * and logged: a header can never be injected). Returns 0 or -1.
 */
int  resp_header(struct request *r, const char *name, struct sv value);

/* Sets status and Content-Type, clears what the body held. */
void resp_start(struct request *r, int status, const char *content_type);

/*
 * An error, with status: a page in the site's layout (title, message), or
 * when r->json {"error": code, "message": message}, the one error shape of
 * every JSON answer, its code named by the status ("not_found", ...), and
 * CORS-readable when r->cors.
 */
void resp_error(struct request *r, int status, const char *title,
    const char *message);

/* The machine name of an error status ("bad_request", "not_found", ...). */
const char *http_error_code(int status);

/* A redirect (301, 302, 303) to a local path, which must start with '/'. */
void resp_redirect(struct request *r, int status, struct sv location);

/*
 * Reads and parses a POST body against declared fields: 415 unless it is
 * application/x-www-form-urlencoded, 413 over cfg->max_body, 400 when
 * truncated or when a field is refused (reason in err; a form of
 * spec->per_field keeps its fields' errors in r->form instead, see
 * form_parse_fields). Returns 0 or the status; nothing is changed by a
 * refused body.
 */
int  req_form_post(struct request *r, const struct form_spec *spec,
    struct buf *err);

/*
 * Checks the session cookie once: signed by our key, not expired, and
 * still on in the store (not signed out, not ended by the operator; this
 * opens the request's read transaction). r->user is empty when signed
 * out, and also when the store cannot say (fail closed).
 */
void req_session(struct request *r);

/* 1 when the client prefers a JSON answer (Accept: application/json). */
int  req_wants_json(const struct request *r);

/* The client's address (REMOTE_ADDR), "" if unknown. */
struct sv req_addr(const struct request *r);

/*
 * Sets a cookie: Path=/; HttpOnly; SameSite=Lax; Secure when the request
 * came over HTTPS. max_age 0 deletes it.
 */
void resp_cookie(struct request *r, const char *name, struct sv value,
    long max_age);

/*
 * The validators of a 200: Last-Modified (unix time; none when 0) and
 * ETag, and a 304 when If-None-Match names the ETag (weak comparison, or
 * "*"). Returns 1 when the answer became 304 (no body to write), else 0.
 */
int  resp_validators(struct request *r, struct sv etag, uint64_t last_modified);

/* The reason phrase of a status ("Not Found"). */
const char *http_reason(int status);

/*
 * Writes status line, headers and body as one CGI response into out: what
 * the worker sends to the FastCGI stream. HEAD gets headers only.
 */
void resp_serialize(const struct request *r, struct buf *out);
/*
 * The same in two pieces, which the worker sends as they lie (no copy of
 * the body): the status line and headers into out, and the body to send
 * ("" for HEAD and 304), a view into r->body.
 */
void resp_serialize_head(const struct request *r, struct buf *out);
struct sv resp_body(const struct request *r);

#endif
