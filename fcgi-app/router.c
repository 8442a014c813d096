/* router.c: the route table and the dispatcher. */
#include "router.h"

#include <string.h>

#include "handlers.h"
#include "handlers_pages.h"

static const struct route routes[] = {
	{ M_GET, "/",                      handle_home,       ROUTE_CACHEABLE },
	{ M_GET, "/researchers",           handle_home,       ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}.json",       handle_researcher_json, ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}/graph",      handle_graph,      ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}/graph.json", handle_graph_json, ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}/works",      handle_works,      ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}/works.atom", handle_works_atom, ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{slug}/works.bib",  handle_works_bib,  ROUTE_CACHEABLE },
	{ M_GET, "/researchers/{id}",      handle_researcher, ROUTE_CACHEABLE },
	{ M_GET, "/healthz",               handle_healthz,    0 },
	{ M_GET, "/login",                 handle_login,      0 },
	{ M_POST, "/logout",               handle_logout,     0 },
	{ M_POST, "/researchers/{slug}/follow", handle_follow, 0 },
	{ M_POST, "/researchers/{slug}/claim",  handle_claim,  0 },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

int
route_match(const char *pattern, struct request *r)
{
	const char *p = pattern;
	size_t seg = 0, ncap = 0;
	struct sv caps[2];

	if (*p != '/')
		return 0;
	p++;
	while (*p != '\0') {
		const char *e = strchr(p, '/');
		size_t plen = e ? (size_t)(e - p) : strlen(p);
		struct sv s;

		if (seg >= r->nseg)
			return 0;
		s = req_segment(r, seg);
		if (p[0] == '{') {
			const char *close = memchr(p, '}', plen);
			size_t suffix;

			if (close == NULL || ncap == 2)
				return 0;
			suffix = plen - (size_t)(close + 1 - p);
			if (s.n <= suffix ||
			    memcmp(s.p + s.n - suffix, close + 1, suffix) != 0)
				return 0;
			caps[ncap++] = (struct sv){ s.p, s.n - suffix };
		} else if (s.n != plen || memcmp(s.p, p, plen) != 0)
			return 0;
		seg++;
		p += plen;
		if (*p == '/')
			p++;
	}
	if (seg != r->nseg)
		return 0;
	for (size_t i = 0; i < ncap; i++)
		r->capture[i] = caps[i];
	return 1;
}

static void
method_not_allowed(struct request *r, unsigned allowed)
{
	struct buf allow = BUF_INIT;

	if (allowed & M_GET)
		buf_puts(&allow, "GET, HEAD");
	if (allowed & M_POST) {
		if (allow.len)
			buf_puts(&allow, ", ");
		buf_puts(&allow, "POST");
	}
	resp_error(r, 405, "Method not allowed",
	    "This address does not accept that method.");
	resp_header(r, "Allow", (struct sv){ allow.p, allow.len });
	buf_free(&allow);
}

void
router_dispatch(struct request *r)
{
	unsigned allowed = 0;
	unsigned m = r->method == M_HEAD ? M_GET : r->method;

	for (size_t i = 0; i < NROUTES; i++) {
		if (!route_match(routes[i].pattern, r))
			continue;
		if (routes[i].methods & m) {
			routes[i].handler(r);
			return;
		}
		allowed |= routes[i].methods;
	}
	if (allowed)
		method_not_allowed(r, allowed);
	else
		resp_error(r, 404, "Page not found",
		    "There is no page at this address.");
}
