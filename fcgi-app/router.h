/* router.h: the route table: method, pattern, handler, and what the route needs (kcgi's dispatch flags, cgit cmd.c). */
#ifndef BZPEER_ROUTER_H
#define BZPEER_ROUTER_H

#include "form.h"
#include "request.h"

typedef void (*route_handler)(struct request *r);

/*
 * What a route needs, acted on by router_dispatch() before the handler
 * runs, in this order; whatever fails is answered there (in JSON for a
 * ROUTE_JSON route, and for a POST whose client asked for JSON), so a
 * handler starts from valid input:
 *
 *  ROUTE_JSON        the route answers JSON: errors too, CORS-readable.
 *  ROUTE_RESEARCHER  capture 0 names a researcher: r->res is it (valid in
 *                    r->txn), r->res_id and r->res_slug its id and slug
 *                    copied (valid after the transaction ends), r->back
 *                    its profile's address. Unknown: 404; store
 *                    unreadable: 503. On a GET, an OpenAlex id (A123, a123,
 *                    https://openalex.org/A123) answers 301 to the same
 *                    address by slug, query kept.
 *  (form)            the route's declared fields: its query for a GET,
 *                    its body for a POST (415 not a form, 413 too large,
 *                    400 a field refused, in words).
 *  ROUTE_SESSION     signed in: else 303 to /login?next= r->back (401 in
 *                    JSON); 503 with `unavailable` when the store cannot
 *                    be read (no session can be checked).
 *  ROUTE_CSRF        the form's field 0, "csrf", is the session's token
 *                    (403 otherwise).
 *  ROUTE_RATE        post_rate per session and post_rate_addr per address
 *                    (429 with Retry-After past them).
 */
enum route_flags {
	ROUTE_JSON       = 1u << 0,
	ROUTE_RESEARCHER = 1u << 1,
	ROUTE_SESSION    = 1u << 2,
	ROUTE_CSRF       = 1u << 3,
	ROUTE_RATE       = 1u << 4,
};

/*
 * A pattern is a path of segments; "{x}" captures one segment, and may be
 * followed by a literal suffix in the same segment ("{slug}.json"). At most
 * two captures.
 */
struct route {
	unsigned                methods;   /* M_GET | M_POST ...; HEAD goes with GET */
	const char             *pattern;
	route_handler           handler;
	unsigned                flags;     /* enum route_flags */
	const struct form_spec *form;      /* declared fields, or NULL */
	const char             *unavailable; /* ROUTE_SESSION: the 503's words */
};

/*
 * Finds the route for r, does what its flags ask and runs its handler.
 * Unknown path: 404. Known path, method not allowed: 405 with Allow.
 * Neither runs any handler.
 */
void router_dispatch(struct request *r);

/* Exposed for tests: match one pattern against r's segments. */
int  route_match(const char *pattern, struct request *r);

/* Exposed for tests: the table, and how many routes it has. */
const struct route *router_routes(size_t *n);

/*
 * An OpenAlex author id in any form a visitor may type or paste ("A123",
 * "a123", "https://openalex.org/A123", "openalex.org/a123") as its bare
 * form ("A123") into out. Returns its length, or 0 when s
 * is no such id.
 */
#define AUTHOR_ID_BUF 24
size_t openalex_author_id(struct sv s, char out[AUTHOR_ID_BUF]);

/*
 * A researcher as people name one in a form field: its OpenAlex id (as
 * openalex_author_id takes it), its address on this site (a URL whose
 * path is /researchers/{slug or id}[/...], or that path alone), or its
 * slug, with spaces around. 0 with the id (is_id) or the decoded slug in
 * out; -1 when it is none of these (a slug holds no '/', '?', '#', space
 * or control, is valid UTF-8 and at most STORE_SLUG_MAX * 4 bytes).
 */
struct researcher_ref {
	int is_id;
};
int researcher_ref_parse(struct sv in, struct buf *out,
    struct researcher_ref *ref);

#endif
