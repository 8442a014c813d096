/* router.h: the route table: method, pattern, handler, needs (kcgi sample.c, cgit cmd.c). */
#ifndef BZPEER_ROUTER_H
#define BZPEER_ROUTER_H

#include "request.h"

typedef void (*route_handler)(struct request *r);

/* What a route needs, checked before its handler runs. */
enum route_flags {
	ROUTE_CACHEABLE = 1u << 0,  /* anonymous GETs may be cached by nginx */
};

/*
 * A pattern is a path of segments; "{x}" captures one segment, and may be
 * followed by a literal suffix in the same segment ("{slug}.json"). At most
 * two captures.
 */
struct route {
	unsigned       methods;     /* M_GET | M_POST ...; HEAD goes with GET */
	const char    *pattern;
	route_handler  handler;
	unsigned       flags;
};

/*
 * Finds the route for r and runs its handler. Unknown path: 404. Known
 * path, method not allowed: 405 with Allow. Neither runs any handler.
 */
void router_dispatch(struct request *r);

/* Exposed for tests: match one pattern against r's segments. */
int  route_match(const char *pattern, struct request *r);

#endif
