/* request.h: one HTTP request as FastCGI hands it over, and the response being built. */
#ifndef BZPEER_REQUEST_H
#define BZPEER_REQUEST_H

#include <stddef.h>

#include "../store/buf.h"
#include "../store/store.h"
#include "../views/page.h"
#include "form.h"

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

/* The reason phrase of a status ("Not Found"). */
const char *http_reason(int status);

/*
 * Writes status line, headers and body as one CGI response into out: what
 * the worker sends to the FastCGI stream. HEAD gets headers only.
 */
void resp_serialize(const struct request *r, struct buf *out);

#endif
