/* posts.c: sign-in at the edge, and the form posts: follow, claim, log out (DESIGN.md §5, §6). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../views/html.h"
#include "app.h"
#include "handlers.h"
#include "log.h"
#include "session.h"

/* ---- answers ------------------------------------------------------------- */

/* An error as the client wants it: JSON {"error": ...} or a page. */
static void
post_fail(struct request *r, int status, const char *title, const char *msg)
{
	if (req_wants_json(r)) {
		resp_start(r, status, "application/json");
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		buf_puts(&r->body, "{\"error\":");
		json_str(&r->body, sv_cstr(msg));
		buf_puts(&r->body, "}\n");
		return;
	}
	resp_error(r, status, title, msg);
}

/* Post/Redirect/Get: 303 back to a local path, with a flash code. */
static void
post_done(struct request *r, struct sv location, const char *flash)
{
	resp_redirect(r, 303, location);
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	if (flash != NULL)
		resp_cookie(r, FLASH_COOKIE, sv_cstr(flash), 60);
}

/* "/researchers/" + slug, url-escaped, into out. */
static void
profile_path(struct buf *out, struct sv slug)
{
	buf_puts(out, "/researchers/");
	url_arg(out, slug);
}

/*
 * What every form post goes through, in the order of DESIGN.md §6: the
 * body (415, 413, 400), a session (else 303 to /login?next=back), the CSRF
 * token bound to it (403), the rate limits per session and per address (429
 * with Retry-After). `back` is where the user returns after signing in.
 * Returns 0 when the handler may act, else the response is made.
 */
static int
post_begin(struct request *r, const struct field_decl *decl, size_t ndecl,
    size_t csrf_field, struct sv back)
{
	struct buf err = BUF_INIT;
	unsigned retry;
	uint64_t n[2];
	int status;

	status = req_form_post(r, decl, ndecl, &err);
	if (status != 0) {
		post_fail(r, status, status == 413 ? "Form too large" :
		    status == 415 ? "Unsupported form encoding" : "Bad request",
		    err.p);
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	req_session(r);
	if (r->user.len == 0) {
		if (req_wants_json(r)) {
			post_fail(r, 401, "Sign in first", "Sign in to do this.");
			return -1;
		}
		buf_reset(&r->scratch2);
		buf_puts(&r->scratch2, "/login?next=");
		url_arg(&r->scratch2, back);
		resp_redirect(r, 303, (struct sv){ r->scratch2.p, r->scratch2.len });
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		return -1;
	}
	if (!form_has(&r->form, csrf_field) ||
	    !session_csrf_ok(&r->app->key, r->session, form_get(&r->form, csrf_field))) {
		post_fail(r, 403, "Form expired",
		    "This form is out of date or was not sent from this site. Reload the page and try again.");
		return -1;
	}
	/* Per user and per address, both counted in one round trip. */
	{
		struct sv addr = req_addr(r), keys[2];
		size_t ulen;

		buf_reset(&r->scratch2);
		buf_puts(&r->scratch2, "u:");
		buf_put(&r->scratch2, r->user.p, r->user.len);
		ulen = r->scratch2.len;
		buf_puts(&r->scratch2, "a:");
		buf_put(&r->scratch2, addr.p, addr.n);
		keys[0] = (struct sv){ r->scratch2.p, ulen };
		keys[1] = (struct sv){ r->scratch2.p + ulen,
		    r->scratch2.len - ulen };
		cache_rate(r->app->cache, keys, 2, 60, n, &retry);
	}
	if (n[0] > (uint64_t)r->app->cfg->post_rate ||
	    n[1] > (uint64_t)r->app->cfg->post_rate_addr) {
		char tmp[16];

		post_fail(r, 429, "Too many requests",
		    "Too many changes in a short time. Please wait a minute and try again.");
		snprintf(tmp, sizeof(tmp), "%u", retry);
		resp_header(r, "Retry-After", sv_cstr(tmp));
		return -1;
	}
	return 0;
}

/* The researcher the post is about, by the slug in the path; 404 if none. */
static int
post_researcher(struct request *r, struct store_researcher *res)
{
	int rc;

	if ((rc = req_txn(r)) != 0 ||
	    (rc = store_researcher_by_slug(r->txn, r->capture[0], res)) != 0) {
		if (req_wants_json(r) && rc == STORE_NOTFOUND)
			post_fail(r, 404, "Researcher not found",
			    "No researcher in the catalog has this address.");
		else
			store_failure(r, rc);
		return -1;
	}
	return 0;
}

/* Maps a store write error to an answer. */
static void
write_failure(struct request *r, int rc)
{
	if (rc == STORE_MAPFULL) {
		log_err("store is full: %s", store_strerror(rc));
		post_fail(r, 503, "Store full",
		    "The store has no room for this change; nothing was changed. Please try again later.");
		resp_header(r, "Retry-After", SV_LIT("60"));
		return;
	}
	if (rc == STORE_BUSY) {
		/* Another writer (an import) held the store past our wait:
		 * logged at info, as it is an expected state of the site. */
		log_info("write: %s", store_strerror(rc));
		post_fail(r, 503, "Busy",
		    "The site is busy updating its catalog; nothing was changed. Please try again in a minute.");
		resp_header(r, "Retry-After", SV_LIT("30"));
		return;
	}
	log_err("write: %s", store_strerror(rc));
	post_fail(r, 503, "Not saved",
	    "The change could not be saved; nothing was changed. Please try again.");
	resp_header(r, "Retry-After", SV_LIT("5"));
}

/* ---- GET /login?next= ------------------------------------------------------ */

/*
 * A local path to come back to: "/" followed by anything but a second '/'
 * or '\' (no scheme-relative or backslash tricks), only the characters a
 * URI may hold (RFC 3986: no space, quote, '<', '>', '\', '^', '`', '{',
 * '|', '}', nothing outside printable ASCII; '%' only as %XX), not too
 * long. Anything else becomes "/": never an open redirect, and nothing
 * the client sent comes back raw in the Location header.
 */
static struct sv
safe_next(struct sv next)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._~!$&'()*+,;=:@/?#%";

	if (next.n == 0 || next.n > 1000 || next.p[0] != '/' ||
	    (next.n > 1 && (next.p[1] == '/' || next.p[1] == '\\')))
		return SV_LIT("/");
	for (size_t i = 0; i < next.n; i++) {
		char c = next.p[i];

		if (c == '\0' || strchr(ok, c) == NULL)
			return SV_LIT("/");
		if (c == '%' && (i + 2 >= next.n ||
		    !isxdigit((unsigned char)next.p[i + 1]) ||
		    !isxdigit((unsigned char)next.p[i + 2])))
			return SV_LIT("/");
	}
	return next;
}

enum { LOGIN_NEXT };
static const struct field_decl login_fields[] = {
	[LOGIN_NEXT] = { "next", 1000, valid_line, NULL },
};

/*
 * nginx authenticates /login (auth_basic in dev, auth_request to an SSO in
 * production) and passes REMOTE_USER; the app turns it into its signed
 * session cookie and sends the browser back to `next`.
 */
void
handle_login(struct request *r)
{
	const char *ru = req_param(r, RP_REMOTE_USER);
	struct buf err = BUF_INIT;
	struct sv user, next;

	if (form_parse(&r->form, r->query, login_fields, 1, &err) < 0) {
		buf_free(&err);
		next = SV_LIT("/");
	} else {
		buf_free(&err);
		next = safe_next(form_get(&r->form, LOGIN_NEXT));
	}
	user = sv_cstr(ru);
	/* Only the exact address nginx authenticates may sign anyone in. */
	if (!sv_eq_cstr(r->raw_path, "/login") || ru == NULL || user.n == 0) {
		log_warn("/login reached without REMOTE_USER: is it behind the web server's authentication?");
		resp_error(r, 403, "Sign-in not available",
		    "Sign-in is not set up on this server.");
		return;
	}
	/* The store's own rule: no session for a name it would refuse. */
	if (user.n > SESSION_USER_MAX || !store_user_valid(user)) {
		resp_error(r, 403, "Sign-in refused",
		    "This account name cannot be used here.");
		return;
	}
	if (!r->app->have_key) {
		resp_error(r, 503, "Sign-in not available",
		    "Sign-in is not available right now.");
		return;
	}
	buf_reset(&r->scratch2);
	{
		struct timespec now;
		uint64_t ms;

		clock_gettime(CLOCK_REALTIME, &now);
		ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
		session_issue(&r->app->key, user, ms, (uint64_t)now.tv_sec +
		    (uint64_t)r->app->cfg->session_ttl, &r->scratch2);
	}
	{
		/* resp_redirect resets the headers: cookie after it. */
		struct buf cookie = BUF_INIT;

		buf_put(&cookie, r->scratch2.p, r->scratch2.len);
		buf_reset(&r->scratch2);
		buf_put(&r->scratch2, next.p, next.n);
		post_done(r, (struct sv){ r->scratch2.p, r->scratch2.len }, "signed_in");
		resp_cookie(r, SESSION_COOKIE, (struct sv){ cookie.p, cookie.len },
		    r->app->cfg->session_ttl);
		buf_free(&cookie);
	}
}

/* ---- POST /logout ------------------------------------------------------------ */

enum { LOGOUT_CSRF };
static const struct field_decl logout_fields[] = {
	[LOGOUT_CSRF] = { "csrf", 64, valid_line, NULL },
};

/* 503 for a sign-out that was not recorded, the cookie left alone. */
static void
logout_failed(struct request *r, int rc)
{
	log_err("sign-out not recorded: %s", store_strerror(rc));
	post_fail(r, 503, "Not signed out",
	    "You are still signed in: the sign-out could not be recorded. Please try again in a minute.");
	resp_header(r, "Retry-After", rc == STORE_MAPFULL ? SV_LIT("60") :
	    SV_LIT("5"));
}

/*
 * Signs the session out on the server, durably, then asks the browser to
 * drop the cookie: 303 to / with a flash. Copies of the cookie are signed
 * out too, everywhere (req_session asks the store). When the sign-out
 * cannot be written (store full, a write error, no store): 503 with
 * Retry-After, and the cookie stays in the browser, because the server
 * still accepts it: the user must not be shown "signed out" while a copy
 * would still work, and can try again.
 */
void
handle_logout(struct request *r)
{
	int rc;

	/* Without a store no session can be checked nor ended: rather than
	 * the sign-in page (no session seen), say it was not done. */
	if (r->app->store == NULL) {
		logout_failed(r, r->app->store_err ? r->app->store_err : STORE_EMPTY);
		return;
	}
	if (post_begin(r, logout_fields, 1, LOGOUT_CSRF, SV_LIT("/")) < 0)
		return;
	/* The write may grow the map: no read snapshot may stay open. */
	req_end_txn(r);
	rc = store_session_revoke(r->app->store, (struct sv){ r->user.p,
	    r->user.len }, (struct sv){ (const char *)r->sinfo.id,
	    sizeof(r->sinfo.id) }, r->sinfo.expires, 0);
	if (rc != 0) {
		logout_failed(r, rc);
		return;
	}
	post_done(r, SV_LIT("/"), "signed_out");
	resp_cookie(r, SESSION_COOKIE, SV_LIT(""), 0);
}

/* ---- POST /researchers/{slug}/follow ----------------------------------------- */

static int
valid_action(struct sv v)
{
	return sv_eq_cstr(v, "follow") || sv_eq_cstr(v, "unfollow");
}

enum { FOLLOW_CSRF, FOLLOW_ACTION };
static const struct field_decl follow_fields[] = {
	[FOLLOW_CSRF] = { "csrf", 64, valid_line, NULL },
	[FOLLOW_ACTION] = { "action", 8, valid_action,
	    "must be follow or unfollow" },
};

/*
 * Follow or unfollow: edge and count in one LMDB write transaction, then the
 * Redis copy of the count, guarded by that transaction's id. 303 back to
 * the profile with a flash, or JSON {following, followers}.
 */
void
handle_follow(struct request *r)
{
	struct store_researcher res;
	struct buf back = BUF_INIT, id = BUF_INIT;
	uint64_t count, txn_id;
	int follow, changed, rc;

	if (post_researcher(r, &res) < 0)
		return;
	profile_path(&back, res.slug);
	/* res points into the read snapshot, which ends before the write. */
	buf_put(&id, res.id.p, res.id.n);
	if (post_begin(r, follow_fields, 2, FOLLOW_CSRF,
	    (struct sv){ back.p, back.len }) < 0)
		goto out;
	if (!form_has(&r->form, FOLLOW_ACTION)) {
		post_fail(r, 400, "Bad request", "action: must be follow or unfollow");
		goto out;
	}
	follow = sv_eq_cstr(form_get(&r->form, FOLLOW_ACTION), "follow");
	/* The read snapshot would hide our own write: end it first. */
	req_end_txn(r);
	rc = store_follow(r->app->store, (struct sv){ id.p, id.len },
	    (struct sv){ r->user.p, r->user.len }, follow, &count, &txn_id, &changed);
	if (rc != 0) {
		write_failure(r, rc);
		goto out;
	}
	buf_reset(&r->scratch);
	cache_counter_key(r->app->cache, &r->scratch, (struct sv){ id.p, id.len });
	cache_put_counter(r->app->cache, (struct sv){ r->scratch.p, r->scratch.len },
	    count, txn_id);
	if (req_wants_json(r)) {
		resp_start(r, 200, "application/json");
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		buf_puts(&r->body, follow ? "{\"following\":true,\"followers\":" :
		    "{\"following\":false,\"followers\":");
		buf_putu64(&r->body, count);
		buf_puts(&r->body, "}\n");
	} else
		post_done(r, (struct sv){ back.p, back.len },
		    follow ? "followed" : "unfollowed");
out:
	buf_free(&back);
	buf_free(&id);
}

/* ---- POST /researchers/{slug}/claim ------------------------------------------- */

enum { CLAIM_CSRF, CLAIM_ORCID, CLAIM_EMAIL, CLAIM_URL, CLAIM_NOTE };
static const struct field_decl claim_fields[] = {
	[CLAIM_CSRF] = { "csrf", 64, valid_line, NULL },
	[CLAIM_ORCID] = { "orcid", 19, NULL, NULL },
	[CLAIM_EMAIL] = { "email", 254, NULL, NULL },
	[CLAIM_URL] = { "evidence_url", 2000, NULL, NULL },
	[CLAIM_NOTE] = { "note", STORE_CLAIM_NOTE_MAX, valid_text,
	    "the note must be plain text" },
};

/*
 * The claim's fields in words: NULL when they are right, else what is
 * wrong, for the form shown again (400).
 */
static const char *
claim_problem(const struct form *f)
{
	struct sv orcid = form_get(f, CLAIM_ORCID);

	if (orcid.n && !valid_orcid(orcid))
		return "The ORCID iD must look like 0000-0002-1825-0097 and its last character must be its check digit.";
	if (!valid_email(form_get(f, CLAIM_EMAIL)))
		return "Please give your institutional email address, like name@university.edu.";
	if (!valid_https_url(form_get(f, CLAIM_URL)))
		return "The evidence URL must be an https:// address of a page that shows this is you.";
	return NULL;
}

/*
 * A claim request with its evidence. Refused fields: the profile again
 * (400) with the reason and what was typed; a competing claim: 409; filed:
 * 303 back with a flash (or JSON).
 */
void
handle_claim(struct request *r)
{
	struct store_researcher res;
	struct store_claim cl;
	struct buf back = BUF_INIT;
	const char *problem;
	uint64_t id;
	int rc;

	if (post_researcher(r, &res) < 0)
		return;
	profile_path(&back, res.slug);
	if (post_begin(r, claim_fields, sizeof(claim_fields) / sizeof(claim_fields[0]),
	    CLAIM_CSRF, (struct sv){ back.p, back.len }) < 0)
		goto out;
	if ((problem = claim_problem(&r->form)) != NULL) {
		struct viewer v;

		if (req_wants_json(r)) {
			post_fail(r, 400, "Bad request", problem);
			goto out;
		}
		viewer_for(r, &v);
		v.claim_error = sv_cstr(problem);
		v.claim_orcid = form_get(&r->form, CLAIM_ORCID);
		v.claim_email = form_get(&r->form, CLAIM_EMAIL);
		v.claim_url = form_get(&r->form, CLAIM_URL);
		v.claim_note = form_get(&r->form, CLAIM_NOTE);
		/* Signed in, so served private, no-cache: never shared. */
		serve_profile(r, &res, &v, 400);
		goto out;
	}
	memset(&cl, 0, sizeof(cl));
	cl.researcher_id = res.id;
	cl.user = (struct sv){ r->user.p, r->user.len };
	cl.orcid = form_get(&r->form, CLAIM_ORCID);
	cl.email = form_get(&r->form, CLAIM_EMAIL);
	cl.evidence_url = form_get(&r->form, CLAIM_URL);
	cl.note = form_get(&r->form, CLAIM_NOTE);
	/* The strings above live in the form arena and the store's read
	 * snapshot; copy the researcher id out of the snapshot first. */
	buf_reset(&r->scratch);
	buf_put(&r->scratch, res.id.p, res.id.n);
	cl.researcher_id = (struct sv){ r->scratch.p, r->scratch.len };
	req_end_txn(r);
	rc = store_claim_file(r->app->store, &cl, &id);
	if (rc == STORE_CONFLICT) {
		post_fail(r, 409, "Already claimed",
		    "This researcher already has a claim pending or approved.");
		goto out;
	}
	if (rc == STORE_EXISTS) {
		post_fail(r, 409, "Claim already open",
		    "You already have a claim waiting for review; only one at a time.");
		goto out;
	}
	if (rc != 0) {
		write_failure(r, rc);
		goto out;
	}
	log_info("claim %llu filed on %.*s", (unsigned long long)id,
	    (int)cl.researcher_id.n, cl.researcher_id.p);
	if (req_wants_json(r)) {
		resp_start(r, 200, "application/json");
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		buf_puts(&r->body, "{\"claim\":");
		buf_putu64(&r->body, id);
		buf_puts(&r->body, ",\"state\":\"pending\"}\n");
	} else
		post_done(r, (struct sv){ back.p, back.len }, "claimed");
out:
	buf_free(&back);
}
