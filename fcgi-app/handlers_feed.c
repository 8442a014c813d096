/* handlers_feed.c: GET /me/feed/{token}.atom: the private feed of what a user follows, at a secret address that works without a cookie. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../views/export.h"
#include "app.h"
#include "handlers.h"
#include "../store/log.h"
#include "metrics.h"

/*
 * Feed readers poll, and a wrong address costs as much as a right one to
 * refuse: past this many requests a minute from one address, 429. The
 * addresses themselves cannot be guessed (128 bits); this bounds the
 * load, not the odds.
 */
#define FEED_RATE_ADDR 60

/*
 * What no cache may keep: the app's own Cache-Control, and X-Accel-Expires
 * for nginx, whose micro-cache ignores Cache-Control (site config) but not
 * this header. So an address that was just ended answers 404 at once,
 * through every cache, on every worker (the lookup is in this request's
 * read snapshot), and the secret address is written to no cache's disk.
 */
static void
not_kept(struct request *r)
{
	resp_header(r, "X-Accel-Expires", SV_LIT("0"));
	resp_header(r, "X-Robots-Tag", SV_LIT("noindex"));
}

/* Anything but a working address: the same 404, whatever was wrong. */
static void
no_feed(struct request *r)
{
	resp_error(r, 404, "Page not found", "There is no page at this address.");
	not_kept(r);
}

static int
feed_rate_ok(struct request *r)
{
	struct buf k = BUF_INIT;
	struct sv addr = req_addr(r), key;
	uint64_t n = 0;
	unsigned retry = 60;
	char tmp[16];

	buf_puts(&k, "feed:a:");
	buf_put(&k, addr.p, addr.n);
	key = (struct sv){ k.p, k.len };
	cache_rate(r->app->cache, &key, 1, 60, &n, &retry);
	buf_free(&k);
	if (n <= FEED_RATE_ADDR)
		return 1;
	metrics_rate_refused(MR_ADDRESS);
	resp_error(r, 429, "Too many requests",
	    "Too many requests in a short time. Please wait a minute and try again.");
	snprintf(tmp, sizeof(tmp), "%u", retry);
	resp_header(r, "Retry-After", sv_cstr(tmp));
	not_kept(r);
	return 0;
}

void
handle_me_feed(struct request *r)
{
	struct sv token = r->capture[0], user;
	struct buf path = BUF_INIT;
	uint64_t fallback;
	int rc;

	if (!feed_rate_ok(r))
		return;
	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		not_kept(r);
		return;
	}
	/* Malformed, unknown, ended, wrong: all STORE_NOTFOUND, all 404. */
	rc = store_feed_user(r->txn, token, &user, NULL);
	if (rc == STORE_NOTFOUND) {
		no_feed(r);
		return;
	}
	if (rc != 0) {
		store_failure(r, rc);
		not_kept(r);
		return;
	}
	resp_start(r, 200, "application/atom+xml; charset=utf-8");
	/* private, no-store: the feed is one user's, and its address is
	 * its key; a browser or proxy that kept it would keep serving an
	 * address after it was ended. Feed readers poll anyway. */
	resp_header(r, "Cache-Control", SV_LIT("private, no-store"));
	not_kept(r);
	fallback = store_generation_time(r->txn);
	if (fallback == 0)
		fallback = (uint64_t)time(NULL);
	buf_puts(&path, "/me/feed/");
	buf_put(&path, token.p, token.n);
	buf_puts(&path, ".atom");
	rc = export_atom_following(r->txn, user, sv_cstr(r->app->cfg->base_url),
	    (struct sv){ path.p, path.len }, fallback, &r->body);
	buf_free(&path);
	if (rc != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		not_kept(r);
	}
}
