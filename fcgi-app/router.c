/* router.c: the route table, and the dispatcher that does what each route needs before its handler runs. */
#include "router.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../views/html.h"
#include "app.h"
#include "handlers.h"
#include "handlers_pages.h"
#include "../store/log.h"
#include "metrics.h"
#include "session.h"

#define POSTED (ROUTE_RESEARCHER | ROUTE_SESSION | ROUTE_CSRF | ROUTE_RATE)

static const struct route routes[] = {
	{ M_GET, "/",                      handle_home, 0, &home_form, NULL },
	{ M_GET, "/researchers",           handle_home, 0, &home_form, NULL },
	{ M_GET, "/researchers/{slug}.json", handle_researcher_json,
	  ROUTE_JSON | ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}/graph", handle_graph, ROUTE_RESEARCHER,
	  NULL, NULL },
	{ M_GET, "/researchers/{slug}/graph.json", handle_graph_json,
	  ROUTE_JSON | ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}/works", handle_works, ROUTE_RESEARCHER,
	  &works_form, NULL },
	{ M_GET, "/researchers/{slug}/works.atom", handle_works_atom,
	  ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}/works.bib", handle_works_bib,
	  ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}/works.ris", handle_works_ris,
	  ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}/works.csl.json", handle_works_csl,
	  ROUTE_JSON | ROUTE_RESEARCHER, NULL, NULL },
	{ M_GET, "/researchers/{slug}",    handle_researcher, ROUTE_RESEARCHER,
	  NULL, NULL },
	{ M_GET, "/healthz",               handle_healthz, 0, NULL, NULL },
	{ M_GET, "/metrics",               handle_metrics, 0, NULL, NULL },
	{ M_GET, "/me",                    handle_me, 0, &me_form, NULL },
	{ M_GET, "/me/feed/{token}.atom",  handle_me_feed, 0, NULL, NULL },
	{ M_GET, "/login",                 handle_login, 0, NULL, NULL },
	{ M_POST, "/logout",               handle_logout,
	  ROUTE_SESSION | ROUTE_CSRF | ROUTE_RATE, &logout_form,
	  "You are still signed in: the sign-out could not be recorded. Please try again in a minute." },
	{ M_POST, "/researchers/{slug}/follow", handle_follow, POSTED,
	  &follow_form, "The store cannot be written right now; nothing was changed. Please try again shortly." },
	{ M_POST, "/researchers/{slug}/claim", handle_claim, POSTED,
	  &claim_form, "The store cannot be written right now; nothing was changed. Please try again shortly." },
	/* The owner of a claimed profile (posts_owner.c). */
	{ M_GET, "/researchers/{slug}/edit", handle_owner_edit,
	  ROUTE_RESEARCHER, NULL, NULL },
	{ M_POST, "/researchers/{slug}/settings", handle_owner_settings, POSTED,
	  &owner_settings_form, "The store cannot be written right now; nothing was changed. Please try again shortly." },
	{ M_POST, "/researchers/{slug}/hide", handle_owner_hide, POSTED,
	  &owner_hide_form, "The store cannot be written right now; nothing was changed. Please try again shortly." },
	{ M_POST, "/researchers/{slug}/merge", handle_owner_merge, POSTED,
	  &owner_merge_form, "The store cannot be written right now; nothing was changed. Please try again shortly." },
	{ M_POST, "/researchers/{slug}/invite", handle_invite, POSTED,
	  &invite_form, "The store cannot be written right now; your invitation was not sent. Please try again shortly." },
	{ M_POST, "/me/invitations",       handle_invite_answer,
	  ROUTE_SESSION | ROUTE_CSRF | ROUTE_RATE, &invite_answer_form,
	  "The store cannot be written right now; nothing was changed. Please try again shortly." },
	{ M_POST, "/me/feed",              handle_feed,
	  ROUTE_SESSION | ROUTE_CSRF | ROUTE_RATE, &feed_form,
	  "The store cannot be written right now; nothing was changed. Please try again shortly." },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Every route has its slot in the shared counters (slot 0: no route). */
_Static_assert(NROUTES + 1 <= METRICS_ROUTES, "METRICS_ROUTES is too small");

const struct route *
router_routes(size_t *n)
{
	*n = NROUTES;
	return routes;
}

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

size_t
openalex_author_id(struct sv s, char out[AUTHOR_ID_BUF])
{
	static const char *const prefixes[] = {
		"https://openalex.org/", "http://openalex.org/", "openalex.org/",
	};
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(prefixes[i]);

		if (s.n > k && strncasecmp(s.p, prefixes[i], k) == 0) {
			s.p += k;
			s.n -= k;
			break;
		}
	}
	/* A letter and 1..19 digits, without a leading zero: store.h. */
	if (s.n < 2 || s.n > 20 || (s.p[0] != 'A' && s.p[0] != 'a') ||
	    s.p[1] == '0')
		return 0;
	for (n = 1; n < s.n; n++)
		if (s.p[n] < '0' || s.p[n] > '9')
			return 0;
	out[0] = 'A';
	memcpy(out + 1, s.p + 1, s.n - 1);
	out[s.n] = '\0';
	return s.n;
}

/* A slug as typed or decoded: see researcher_ref_parse. */
static int
slug_like(struct sv s)
{
	if (s.n == 0 || s.n > STORE_SLUG_MAX * 4 ||
	    !store_text_valid(s, STORE_TEXT_LINE))
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == '/' || s.p[i] == '?' || s.p[i] == '#' ||
		    s.p[i] == ' ' || s.p[i] == '\\')
			return 0;
	return 1;
}

int
researcher_ref_parse(struct sv in, struct buf *out, struct researcher_ref *ref)
{
	static const char path[] = "/researchers/";
	char id[AUTHOR_ID_BUF];
	struct sv seg;
	size_t n, i;

	buf_reset(out);
	ref->is_id = 0;
	while (in.n && (in.p[0] == ' ' || in.p[0] == '\t')) {
		in.p++;
		in.n--;
	}
	while (in.n && (in.p[in.n - 1] == ' ' || in.p[in.n - 1] == '\t'))
		in.n--;
	if ((n = openalex_author_id(in, id)) != 0) {
		buf_put(out, id, n);
		ref->is_id = 1;
		return 0;
	}
	/* An address: scheme and host skipped, the path must be ours. */
	if (in.n > 8 && (strncasecmp(in.p, "https://", 8) == 0 ||
	    strncasecmp(in.p, "http://", 7) == 0)) {
		i = in.p[4] == ':' ? 7 : 8;
		while (i < in.n && in.p[i] != '/')
			i++;
		in.p += i;
		in.n -= i;
	}
	if (in.n > sizeof(path) - 1 &&
	    memcmp(in.p, path, sizeof(path) - 1) == 0) {
		seg.p = in.p + sizeof(path) - 1;
		for (seg.n = 0; seg.n < in.n - (sizeof(path) - 1) &&
		    seg.p[seg.n] != '/' && seg.p[seg.n] != '?' &&
		    seg.p[seg.n] != '#'; seg.n++)
			;
		if (url_decode_segment(out, seg) != 0)
			goto bad;
		if ((n = openalex_author_id(buf_sv(out), id)) != 0) {
			buf_reset(out);
			buf_put(out, id, n);
			ref->is_id = 1;
			return 0;
		}
		if (!slug_like(buf_sv(out)))
			goto bad;
		return 0;
	}
	if (!slug_like(in))
		goto bad;
	buf_put(out, in.p, in.n);
	return 0;
bad:
	buf_reset(out);
	return -1;
}

/* ---- what routes need -------------------------------------------------------- */

/* 301 to the same route of r->res's slug, the query string kept. */
static void
moved(struct request *r, const struct route *rt)
{
	struct buf loc = BUF_INIT;

	buf_puts(&loc, "/researchers/");
	url_arg(&loc, r->res.slug);
	buf_puts(&loc, strchr(rt->pattern, '}') + 1);
	if (r->query.n) {
		buf_putc(&loc, '?');
		buf_put(&loc, r->query.p, r->query.n);
	}
	resp_redirect(r, 301, (struct sv){ loc.p, loc.len });
	resp_header(r, "Cache-Control", SV_LIT("public, max-age=3600"));
	buf_free(&loc);
}

/*
 * ROUTE_RESEARCHER. Returns 0 with r->res filled, else -1 with the answer
 * made (301, 404, 503).
 */
static int
need_researcher(struct request *r, const struct route *rt)
{
	struct sv key = r->capture[0];
	char id[AUTHOR_ID_BUF];
	size_t idn;
	int rc;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return -1;
	}
	/* "a123" may be a slug as well as an id (a name "A123" slugs to
	 * it): a slug that exists wins. */
	if (r->method != M_POST && (idn = openalex_author_id(key, id)) != 0 &&
	    (key.p[0] != 'a' || (rc = store_researcher_by_slug(r->txn, key,
	    &r->res)) == STORE_NOTFOUND)) {
		if ((rc = store_researcher_by_id(r->txn, (struct sv){ id, idn },
		    &r->res)) != 0) {
			store_failure(r, rc);
			return -1;
		}
		moved(r, rt);
		return -1;
	}
	if ((rc = store_researcher_by_slug(r->txn, key, &r->res)) != 0) {
		store_failure(r, rc);
		return -1;
	}
	/* The slug of a researcher merged into another, or a slug the
	 * researcher had before (schema 3 kept the ones the old folding
	 * made): a GET goes to the researcher's address for good; a post
	 * applies to the researcher. */
	if (r->method != M_POST && !sv_eq(r->res.slug, key)) {
		moved(r, rt);
		return -1;
	}
	/* Copies that outlive the read transaction (a post ends it first). */
	buf_reset(&r->res_copy);
	buf_put(&r->res_copy, r->res.id.p, r->res.id.n);
	buf_putc(&r->res_copy, '\0');
	buf_put(&r->res_copy, r->res.slug.p, r->res.slug.n);
	r->res_id = (struct sv){ r->res_copy.p, r->res.id.n };
	r->res_slug = (struct sv){ r->res_copy.p + r->res.id.n + 1, r->res.slug.n };
	buf_reset(&r->back);
	buf_puts(&r->back, "/researchers/");
	url_arg(&r->back, r->res_slug);
	return 0;
}

/* The route's form: the query of a GET, the body of a POST. */
static int
need_form(struct request *r, const struct route *rt)
{
	struct buf err = BUF_INIT;
	int status;

	if (r->method == M_POST)
		status = req_form_post(r, rt->form, &err);
	else
		status = form_parse(&r->form, r->query, rt->form->fields,
		    rt->form->n, &err) < 0 ? 400 : 0;
	if (status != 0)
		resp_error(r, status, status == 413 ? "Form too large" :
		    status == 415 ? "Unsupported form encoding" : "Bad request",
		    err.p);
	buf_free(&err);
	return status ? -1 : 0;
}

static int
need_session(struct request *r, const struct route *rt)
{
	struct buf loc = BUF_INIT;

	if (r->app->store == NULL) {
		/* No session can be checked, nor any change written. */
		resp_error(r, 503, "Not available", rt->unavailable);
		resp_header(r, "Retry-After", SV_LIT("5"));
		return -1;
	}
	req_session(r);
	if (r->user.len != 0)
		return 0;
	if (r->json) {
		resp_error(r, 401, "Sign in first", "Sign in to do this.");
		return -1;
	}
	/* back to the page the form was on: the profile, or /me for its
	 * own forms */
	buf_puts(&loc, "/login?next=");
	url_arg(&loc, r->back.len ? (struct sv){ r->back.p, r->back.len } :
	    strncmp(rt->pattern, "/me/", 4) == 0 ? SV_LIT("/me") : SV_LIT("/"));
	resp_redirect(r, 303, (struct sv){ loc.p, loc.len });
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	buf_free(&loc);
	return -1;
}

/* The form's field 0 is "csrf" on every route with ROUTE_CSRF (test_http). */
static int
need_csrf(struct request *r)
{
	if (form_has(&r->form, 0) &&
	    session_csrf_ok(&r->app->key, r->session, form_get(&r->form, 0)))
		return 0;
	resp_error(r, 403, "Form expired",
	    "This form is out of date or was not sent from this site. Reload the page and try again.");
	return -1;
}

/* Per user and per address, both counted in one Redis round trip. */
static int
need_rate(struct request *r)
{
	struct buf k = BUF_INIT;
	struct sv addr = req_addr(r), keys[2];
	uint64_t n[2];
	unsigned retry;
	size_t ulen;
	char tmp[16];

	buf_puts(&k, "u:");
	buf_put(&k, r->user.p, r->user.len);
	ulen = k.len;
	buf_puts(&k, "a:");
	buf_put(&k, addr.p, addr.n);
	keys[0] = (struct sv){ k.p, ulen };
	keys[1] = (struct sv){ k.p + ulen, k.len - ulen };
	cache_rate(r->app->cache, keys, 2, 60, n, &retry);
	buf_free(&k);
	if (n[0] <= (uint64_t)r->app->cfg->post_rate &&
	    n[1] <= (uint64_t)r->app->cfg->post_rate_addr)
		return 0;
	metrics_rate_refused(n[0] > (uint64_t)r->app->cfg->post_rate ?
	    MR_SESSION : MR_ADDRESS);
	resp_error(r, 429, "Too many requests",
	    "Too many changes in a short time. Please wait a minute and try again.");
	snprintf(tmp, sizeof(tmp), "%u", retry);
	resp_header(r, "Retry-After", sv_cstr(tmp));
	return -1;
}

/* ---- dispatch ----------------------------------------------------------------- */

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

/* Does what rt needs, then runs its handler. */
static void
run(struct request *r, const struct route *rt)
{
	unsigned f = rt->flags;

	r->route = rt;
	r->cors = (f & ROUTE_JSON) != 0;
	r->json = r->cors || (r->method == M_POST && req_wants_json(r));
	if ((f & ROUTE_RESEARCHER) && need_researcher(r, rt) < 0)
		return;
	if (rt->form != NULL && need_form(r, rt) < 0)
		return;
	if ((f & ROUTE_SESSION) && need_session(r, rt) < 0)
		return;
	if ((f & ROUTE_CSRF) && need_csrf(r) < 0)
		return;
	if ((f & ROUTE_RATE) && need_rate(r) < 0)
		return;
	rt->handler(r);
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
			run(r, &routes[i]);
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
