/* handlers.c: the route handlers: request in, store read, view rendered, response out. */
#include "handlers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../views/home.h"
#include "../views/me.h"
#include "../views/html.h"
#include "../views/profile.h"
#include "../views/views.h"
#include "app.h"
#include "../store/log.h"
#include "metrics.h"
#include "router.h"
#include "session.h"

/* ---- shared ------------------------------------------------------------ */

/*
 * Answers a store failure: 404 for an unknown record, 503 (with
 * Retry-After) when the store itself cannot be read. Never 500 for a
 * missing catalog: that is an operational state, said in words.
 */
void
store_failure(struct request *r, int err)
{
	if (err == STORE_NOTFOUND) {
		resp_error(r, 404, "Researcher not found",
		    "No researcher in the catalog has this address.");
		return;
	}
	log_err("%s", store_strerror(err));
	resp_error(r, 503, "Catalog unavailable",
	    "The researcher catalog cannot be read right now. Please try again shortly.");
	resp_header(r, "Retry-After", SV_LIT("5"));
}

/* One-time messages after a POST, by the code in the flash cookie. */
static const struct {
	const char *code, *text;
} flashes[] = {
	{ "followed",   "You now follow this researcher." },
	{ "unfollowed", "You no longer follow this researcher." },
	{ "claimed",    "Your claim was sent for review." },
	{ "disputed",   "Your dispute was sent for review, with the claim it disputes." },
	{ "invited",    "Your invitation was sent. Its answer will be on your page." },
	{ "invite_accepted", "Invitation accepted: you can now see each other's contact." },
	{ "invite_declined", "Invitation declined." },
	{ "invite_blocked", "Sender blocked: their invitations to this profile are refused from now on." },
	{ "invite_unblocked", "Sender unblocked: they may invite you again." },
	{ "signed_in",  "You are signed in." },
	{ "signed_out", "You are signed out." },
	{ "owner_saved", "Saved: your profile shows it now." },
	{ "owner_hidden", "Removed from your profile. You can put it back below." },
	{ "owner_shown", "Put back on your profile." },
	{ "owner_merge_asked", "Your request to merge the other profile was sent for review." },
	{ "feed_made",  "Your private feed has a new address; any earlier one no longer works." },
	{ "feed_ended", "Your private feed is off: its address no longer works." },
	{ "feed_none",  "You had no private feed to turn off." },
};

/*
 * Who is looking at a page: signed out, or the session's user with the CSRF
 * token for the page's forms and the one-time flash message (whose cookie
 * is cleared in this response). Strings point into r's buffers.
 */
void
viewer_for(struct request *r, struct viewer *v)
{
	struct sv code;

	memset(v, 0, sizeof(*v));
	req_session(r);
	v->user = (struct sv){ r->user.p, r->user.len };
	v->csrf = (struct sv){ r->csrf.p, r->csrf.len };
	if (v->user.n > 0)
		v->session = (struct sv){ (const char *)r->sinfo.id,
		    sizeof(r->sinfo.id) };
	if (cookie_get(req_param(r, RP_HTTP_COOKIE), FLASH_COOKIE, &code) == 0) {
		for (size_t i = 0; i < sizeof(flashes) / sizeof(flashes[0]); i++)
			if (sv_eq_cstr(code, flashes[i].code))
				v->flash = sv_cstr(flashes[i].text);
	}
}

/*
 * Response headers that depend on the viewer: a signed-in or flashed page
 * is private (nginx's micro-cache and shared caches must not keep it), and
 * the flash cookie is spent.
 */
void
viewer_headers(struct request *r, const struct viewer *v)
{
	if (v->user.n || v->flash.n)
		resp_header(r, "Cache-Control", SV_LIT("private, no-cache"));
	else
		resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	if (v->flash.n)
		resp_cookie(r, FLASH_COOKIE, SV_LIT(""), 0);
}

/* ---- the query string ---------------------------------------------------- */

/* The page number in field, declared with valid_uint; 1 when absent or 0. */
size_t
query_page(const struct form *f, size_t field)
{
	struct sv p = form_get(f, field);
	size_t page_no = 0;

	for (size_t i = 0; i < p.n; i++)
		page_no = page_no * 10 + (size_t)(p.p[i] - '0');
	return page_no ? page_no : 1;
}

/* ---- GET / and /researchers?q=&page= ----------------------------------- */

enum { HOME_Q, HOME_PAGE };
static const struct field_decl home_fields[] = {
	[HOME_Q]    = { "q", 200, valid_line, NULL },
	[HOME_PAGE] = { "page", 9, valid_uint, NULL },
};
const struct form_spec home_form = FORM_SPEC(home_fields);

void
handle_home(struct request *r)
{
	struct viewer v;
	int rc;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return;
	}
	page_reset(&r->page);
	rc = view_home(r->txn, form_get(&r->form, HOME_Q),
	    query_page(&r->form, HOME_PAGE), &r->page);
	if (rc != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	viewer_for(r, &v);
	viewer_headers(r, &v);
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /researchers/{slug} and /researchers/{openalex-id} ------------ */

/*
 * The entity tag of a profile as one viewer gets it: everything the filled
 * page is made of (catalog generation, templates, record version, follower
 * count, and for a signed-in viewer what the holes show them).
 */
static void
profile_etag(struct buf *out, uint64_t gen, const struct store_researcher *res,
    const struct viewer *v)
{
	buf_puts(out, "\"g");
	buf_putu64(out, gen);
	buf_puts(out, "-t");
	buf_putu64(out, views_version());
	buf_puts(out, "-v");
	buf_putu64(out, res->version);
	buf_puts(out, "-f");
	buf_putu64(out, v->followers);
	if (v->user.n == 0)
		buf_puts(out, "-a\"");
	else {
		/* A hash of what differs per signed-in viewer. */
		unsigned char bits = (unsigned char)(v->following | v->claim << 1 |
		    v->own_claim << 3 | v->own_rejected << 4 |
		    v->disputed << 5 | v->own_dispute << 6 |
		    v->invite_pending << 7);
		uint64_t h = HASH64_SEED;

		h = hash64(h, v->user.p, v->user.n);
		/* The session, not its token: the token is masked anew in
		 * every response, and any of its maskings is accepted. */
		h = hash64(h, v->session.p, v->session.n);
		h = hash64(h, v->flash.p, v->flash.n);
		h = hash64(h, &bits, 1);
		h = hash64(h, v->invite_sent_on.p, v->invite_sent_on.n);
		buf_puts(out, "-s");
		buf_putu64(out, h);
		buf_putc(out, '"');
	}
}

struct latest_claim {
	struct sv          researcher_id;
	struct store_claim c;
};

static int
latest_cb(void *ctx, const struct store_claim *c)
{
	struct latest_claim *l = ctx;

	if (!sv_eq(c->researcher_id, l->researcher_id))
		return 0;
	l->c = *c;
	return 1;            /* the newest: stop */
}

/*
 * An unclaimed profile: was the viewer's latest claim of it rejected? Then
 * they are told so on it, with the reviewer's note. A store error here
 * only leaves that out (the page is still right without it).
 */
static void
own_rejection(struct request *r, const struct store_researcher *res,
    struct viewer *v)
{
	struct latest_claim l;
	time_t t;
	struct tm tm;

	memset(&l, 0, sizeof(l));
	l.researcher_id = res->id;
	if (store_claims_of_user(r->txn, v->user, latest_cb, &l) != 1 ||
	    l.c.state != STORE_CLAIM_STATE_REJECTED)
		return;
	v->own_rejected = 1;
	v->rejected_note = l.c.reviewer_note;
	t = (time_t)l.c.decided_at;
	if (gmtime_r(&t, &tm) != NULL)
		v->rejected_on = (struct sv){ v->rejected_day, strftime(
		    v->rejected_day, sizeof(v->rejected_day), "%Y-%m-%d", &tm) };
}

/*
 * A profile open to invitations: has the viewer one waiting for an answer
 * there? Then they are told so, with its day, instead of the form. A store
 * error here only leaves that out (the store refuses a second one anyway).
 */
static void
own_invitation(struct request *r, const struct store_researcher *res,
    struct viewer *v)
{
	struct store_invite c;
	uint64_t id;
	time_t t;
	struct tm tm;

	if (store_invite_open_of(r->txn, res->id, v->user, &id) != 0 ||
	    store_invite_by_id(r->txn, id, &c) != 0)
		return;
	v->invite_pending = 1;
	t = (time_t)c.sent_at;
	if (gmtime_r(&t, &tm) != NULL)
		v->invite_sent_on = (struct sv){ v->invite_day, strftime(
		    v->invite_day, sizeof(v->invite_day), "%Y-%m-%d", &tm) };
}

/*
 * The profile of r->res for viewer v (see viewer_for) with status. The
 * page comes from this node's cache when it is there (shared memory, no
 * system call: its holes are filled straight from it), else from Redis
 * (one round trip), else it is rendered from the store; a page from
 * Redis or the store goes into the node's cache, a rendered one into
 * Redis too. The follower count is the store's, read in this request's
 * snapshot: always as new as the last follow answered. Redis failing
 * changes nothing but speed. A 200 carries an ETag and answers a matching
 * If-None-Match with 304. X-Bzpeer-Cache says where the page came from:
 * hit (this node), redis, miss (rendered; Redis up), off (rendered; Redis
 * down or not configured).
 */
void
serve_profile(struct request *r, struct viewer *v, int status)
{
	const struct store_researcher *res = &r->res;
	struct app *a = r->app;
	struct cache_hit hit;
	uint64_t gen = store_generation(r->txn);
	struct sv pkey, ckey, how;
	struct page view;
	struct pcache_ref ref;
	const struct page *pg;
	enum metrics_cache mc;
	int rc, cached, local, try_local = 1, admit = 1;

	v->claim = res->claim;
	if (v->user.n) {
		struct store_claim cl;

		if ((rc = store_is_following(r->txn, res->id, v->user,
		    &v->following)) != 0 && rc != STORE_NOTFOUND) {
			store_failure(r, rc);
			return;
		}
		if (store_claim_of_researcher(r->txn, res->id, &cl) == 0) {
			uint64_t pid;

			if (sv_eq(cl.user, v->user))
				v->own_claim = 1;
			else if (store_claim_partner(r->txn, cl.id, &pid) == 0) {
				/* Disputed already: by this viewer? */
				v->disputed = 1;
				if (store_claim_by_id(r->txn, pid, &cl) == 0 &&
				    sv_eq(cl.user, v->user))
					v->own_dispute = 1;
			}
		}
		if (res->claim == STORE_CLAIM_NONE)
			own_rejection(r, res, v);
		if (store_invite_open_for(r->txn, res))
			own_invitation(r, res, v);
	}
	rc = store_followers(r->txn, res->id, &v->followers);
	if (rc != 0 && rc != STORE_NOTFOUND) {
		store_failure(r, rc);
		return;
	}

	buf_reset(&r->page_key);
	cache_page_key(a->cache, &r->page_key, gen, views_version(), res->id,
	    res->version);
	pkey = (struct sv){ r->page_key.p, r->page_key.len };

again:
	local = try_local && pcache_get(a->pcache, pkey, &view, &ref) == 0;
	if (local) {
		pg = &view;
		how = SV_LIT("hit");
		mc = MC_HIT;
	} else {
		buf_reset(&r->counter_key);
		cache_counter_key(a->cache, &r->counter_key, res->id);
		ckey = (struct sv){ r->counter_key.p, r->counter_key.len };
		cached = cache_enabled(a->cache) ?
		    cache_fetch(a->cache, pkey, ckey, &r->page, &hit) : -1;
		if (cached < 0)
			memset(&hit, 0, sizeof(hit));
		if (!hit.page) {
			page_reset(&r->page);
			if ((rc = view_profile(r->txn, res, &r->page)) != 0) {
				store_failure(r, rc == STORE_NOTFOUND ?
				    STORE_CORRUPT : rc);
				return;
			}
			/* Kept only when it is asked for again (a crawler's
			 * one-off visits cost a render, and nothing else). */
			admit = a->cfg->page_cache_admit < 2 ||
			    pcache_admit(a->pcache, pkey);
			if (cached == 0 && admit)
				cache_put_page(a->cache, pkey, &r->page,
				    (unsigned)a->cfg->page_ttl);
		}
		/* Redis's copy of the count, for the nodes that share it:
		 * refilled when missing or other than this snapshot's (one
		 * from before an import moved follows, a merge, included),
		 * guarded by its transaction id: a newer count is never
		 * overwritten. */
		if (cached == 0 && (!hit.counter || hit.followers != v->followers))
			cache_put_counter(a->cache, ckey, v->followers,
			    store_txn_id(r->txn));
		if (admit)
			(void)pcache_put(a->pcache, pkey, &r->page,
			    (unsigned)a->cfg->page_ttl, &r->frame);
		pg = &r->page;
		how = cached < 0 ? SV_LIT("off") : hit.page ? SV_LIT("redis") :
		    SV_LIT("miss");
		mc = cached < 0 ? MC_OFF : hit.page ? MC_REDIS : MC_MISS;
	}

	resp_start(r, status, "text/html; charset=utf-8");
	viewer_headers(r, v);
	resp_header(r, "X-Bzpeer-Cache", how);
	metrics_page_cache(mc);
	if (status == 200 && v->flash.n == 0) {
		buf_reset(&r->etag);
		profile_etag(&r->etag, gen, res, v);
		if (resp_validators(r, (struct sv){ r->etag.p, r->etag.len },
		    store_generation_time(r->txn)))
			return;
	}
	page_fill(pg, v, &r->body);
	/* The ring overwrote the entry while it was being copied (a node
	 * writing pages faster than one is read): do it again without it. */
	if (local && !pcache_valid(a->pcache, &ref)) {
		try_local = 0;
		goto again;
	}
}

/* The profile; an OpenAlex id got its 301 from the dispatcher. */
void
handle_researcher(struct request *r)
{
	struct viewer v;

	viewer_for(r, &v);
	serve_profile(r, &v, 200);
}

/* ---- GET /me ------------------------------------------------------------- */

/*
 * A signed-in user's own page: their claims and what became of them.
 * Signed out: 303 to sign in, and back here. Rendered for this user only,
 * so never put in Redis, and served private.
 */
enum { ME_PAGE };
static const struct field_decl me_fields[] = {
	[ME_PAGE] = { "page", 9, valid_uint, "must be a page number" },
};
const struct form_spec me_form = FORM_SPEC(me_fields);

/*
 * GET /me: the signed-in user's claims, a page of the researchers they
 * follow, their private feed (its address once, after it was made).
 */
void
handle_me(struct request *r)
{
	struct viewer v;
	struct me_args a;
	struct buf url = BUF_INIT;
	struct sv tok;
	int rc, fresh = 0;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return;
	}
	viewer_for(r, &v);
	if (v.user.n == 0) {
		resp_redirect(r, 303, SV_LIT("/login?next=%2Fme"));
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		return;
	}
	memset(&a, 0, sizeof(a));
	a.user = v.user;
	a.csrf = v.csrf;
	a.page = query_page(&r->form, ME_PAGE);
	/* A feed address made by the post before this page: shown once, if
	 * it is this user's and still works. */
	if (cookie_get(req_param(r, RP_HTTP_COOKIE), FEED_COOKIE, &tok) == 0 &&
	    tok.n) {
		struct sv owner;

		fresh = 1;
		if (store_feed_user(r->txn, tok, &owner, NULL) == 0 &&
		    sv_eq(owner, v.user)) {
			buf_puts(&url, r->app->cfg->base_url);
			buf_puts(&url, "/me/feed/");
			buf_put(&url, tok.p, tok.n);
			buf_puts(&url, ".atom");
			a.feed_url = (struct sv){ url.p, url.len };
		}
	}
	page_reset(&r->page);
	if ((rc = view_me(r->txn, &a, &r->page)) != 0) {
		buf_free(&url);
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	buf_free(&url);
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	if (fresh) {
		const char *https = req_param(r, RP_HTTPS);
		char c[128];

		/* The cookie is spent, and a page that may show the secret
		 * is kept by no cache, the browser's included. */
		resp_header(r, "Cache-Control", SV_LIT("private, no-store"));
		if (v.flash.n)
			resp_cookie(r, FLASH_COOKIE, SV_LIT(""), 0);
		snprintf(c, sizeof(c), "%s=; Path=/me; Max-Age=0; HttpOnly; "
		    "SameSite=Strict%s", FEED_COOKIE, https != NULL &&
		    strcmp(https, "on") == 0 ? "; Secure" : "");
		resp_header(r, "Set-Cookie", sv_cstr(c));
	} else
		viewer_headers(r, &v);
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /me?page= -------------------------------------------------------- */

/* ---- GET /healthz -------------------------------------------------------- */

/*
 * Whether the client (REMOTE_ADDR) is this machine: 127.0.0.0/8, ::1, or
 * an IPv4 loopback address mapped into IPv6. Anything else, an empty or
 * malformed address included, is not; nor is a request that carries a
 * proxy's header (X-Forwarded-For, Forwarded, X-Real-IP): it came through
 * a proxy, and a proxy on this machine (a TLS terminator in front of a
 * site without real_ip) would make every client of it look local. A
 * scraper or probe on the machine sends none.
 */
static int
from_loopback(const struct request *r)
{
	struct sv a = req_addr(r);
	char s[INET6_ADDRSTRLEN];
	struct in_addr v4;
	struct in6_addr v6;

	if (r->forwarded || a.n == 0 || a.n >= sizeof(s))
		return 0;
	memcpy(s, a.p, a.n);
	s[a.n] = '\0';
	if (inet_pton(AF_INET, s, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, s, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		    (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
	return 0;
}

/*
 * GET /healthz: 200 "ok" when the store can be read, 503 "unavailable"
 * when it cannot. The details (the catalog's generation and counts, the
 * store's error, Redis's state) go only to loopback clients, the probes
 * and operators on the machine: the world learns whether the site is up,
 * not what it holds or why it fails.
 */
void
handle_healthz(struct request *r)
{
	struct store_stats st;
	int rc = req_txn(r);

	if (rc == 0)
		rc = store_stats(r->txn, &st);
	resp_start(r, rc == 0 ? 200 : 503, "text/plain; charset=utf-8");
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	/* Redis is a cache: its state is reported, never a reason for 503.
	 * The probe makes a down Redis get retried (after its backoff). */
	cache_probe(r->app->cache);
	if (!from_loopback(r)) {
		buf_puts(&r->body, rc == 0 ? "ok\n" : "unavailable\n");
		return;
	}
	if (rc == 0) {
		buf_puts(&r->body, "ok\nstore: ok\ngeneration: ");
		buf_putu64(&r->body, st.generation);
		buf_puts(&r->body, "\nresearchers: ");
		buf_putu64(&r->body, st.researchers);
		buf_puts(&r->body, "\nworks: ");
		buf_putu64(&r->body, st.works);
		buf_putc(&r->body, '\n');
	} else {
		buf_puts(&r->body, "unavailable\nstore: ");
		buf_puts(&r->body, store_strerror(rc));
		buf_putc(&r->body, '\n');
	}
	buf_puts(&r->body, !cache_enabled(r->app->cache) ? "redis: off\n" :
	    cache_is_up(r->app->cache) ? "redis: up\n" : "redis: down\n");
}

/* ---- GET /metrics --------------------------------------------------------- */

/*
 * GET /metrics: the figures of every worker (metrics.h) in Prometheus's
 * text format, with the store's and Redis's state read now. For this
 * machine only, as /healthz's details: nginx allows loopback alone, and a
 * site that forgot to is still refused here (403).
 */
void
handle_metrics(struct request *r)
{
	static const struct metrics_shm none;
	const struct metrics_shm *m = metrics_get();
	struct metrics_gauges g;
	struct store_stats st;
	const struct route *routes;
	struct stat fst;
	char path[4096];
	size_t n;

	if (!from_loopback(r)) {
		resp_error(r, 403, "Forbidden",
		    "The service's figures are for its own machine only.");
		return;
	}
	memset(&g, 0, sizeof(g));
	if (req_txn(r) == 0 && store_stats(r->txn, &st) == 0) {
		g.store_ok = 1;
		g.generation = st.generation;
		g.researchers = st.researchers;
		g.works = st.works;
		g.map_size = st.map_size;
		g.map_used = st.map_used;
		if ((size_t)snprintf(path, sizeof(path), "%s/catalog/data.mdb",
		    r->app->cfg->store) < sizeof(path) &&
		    stat(path, &fst) == 0)
			g.file_size = (uint64_t)fst.st_size;
	}
	req_end_txn(r);
	cache_probe(r->app->cache);
	g.redis_configured = cache_enabled(r->app->cache);
	g.redis_up = cache_is_up(r->app->cache);
	routes = router_routes(&n);
	resp_start(r, 200, METRICS_CONTENT_TYPE);
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	metrics_format(&r->body, m != NULL ? m : &none, routes, n, &g);
}
