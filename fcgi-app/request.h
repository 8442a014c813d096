/* request.h: one HTTP request as FastCGI hands it over, and the response being built. */
#ifndef BZPEER_REQUEST_H
#define BZPEER_REQUEST_H

#include <stddef.h>

#include "../store/buf.h"
#include "../store/store.h"
#include "../views/page.h"
#include "form.h"
#include "session.h"

struct app;

enum http_method {
	M_GET   = 1u << 0,
	M_HEAD  = 1u << 1,
	M_POST  = 1u << 2,
	M_OTHER = 1u << 3,
};

#define REQ_MAX_SEGMENTS 8

/*
 * All per-request state lives here, passed down to every handler; nothing
 * about a request is kept in globals. The worker owns one struct request and
 * resets it between requests, so its buffers are reused, not reallocated.
 */
struct request {
	struct app *app;            /* the process's long-lived state */
	char      **envp;           /* FastCGI parameters, NAME=value */

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

	/* The body (FastCGI stdin), read on demand through the worker's hook. */
	int       (*read_body)(void *ctx, char *p, int n);
	void       *read_ctx;
	struct buf  bodyin;

	/* Who is asking: filled by req_session() from the session cookie. */
	int         session_checked;
	struct sv   session;        /* the cookie value, when valid */
	struct session_info sinfo;  /* its issue, expiry and id, when valid */
	struct buf  user;           /* signed-in user, empty when signed out */
	struct buf  csrf;           /* that session's CSRF token */

	/* The response. */
	int         status;
	struct buf  head;           /* extra header lines, "Name: value\r\n" */
	struct buf  body;
	struct buf  scratch;        /* short-lived per-request scratch space */
	struct buf  scratch2;
};

void req_init(struct request *r, struct app *app);
void req_free(struct request *r);

/*
 * Loads r from FastCGI parameters. Returns 0, or an HTTP status (400) when
 * the request line cannot be understood; r->status is set either way.
 */
int  req_begin(struct request *r, char **envp);
void req_end(struct request *r);

/* A FastCGI parameter ("HTTP_COOKIE", "REMOTE_USER", ...) or NULL. */
const char *req_param(const struct request *r, const char *name);

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

/* An error page in the site's layout, with status. */
void resp_error(struct request *r, int status, const char *title,
    const char *message);

/* A redirect (301, 302, 303) to a local path, which must start with '/'. */
void resp_redirect(struct request *r, int status, struct sv location);

/*
 * Reads and parses a POST body against declared fields: 415 unless it is
 * application/x-www-form-urlencoded, 413 over cfg->max_body, 400 when
 * truncated or when a field is refused (reason in err). Returns 0 or the
 * status; nothing is changed by a refused body.
 */
int  req_form_post(struct request *r, const struct field_decl *decl,
    size_t ndecl, struct buf *err);

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

#endif
