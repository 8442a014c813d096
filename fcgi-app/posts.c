/* posts.c: sign-in at the edge, and the form posts: follow, claim, log out, the private feed's address; each starts from what its route declared (router.c). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../views/html.h"
#include "../views/json.h"
#include "app.h"
#include "handlers.h"
#include "../store/log.h"
#include "metrics.h"
#include "router.h"
#include "session.h"

#include <sodium.h>

/* ---- answers ------------------------------------------------------------- */

/* Post/Redirect/Get: 303 back to a local path, with a flash code. */
static void
post_done(struct request *r, struct sv location, const char *flash)
{
	resp_redirect(r, 303, location);
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	if (flash != NULL)
		resp_cookie(r, FLASH_COOKIE, sv_cstr(flash), 60);
}

/* A JSON answer of a post: status 200, not to be kept; jw_init'ed on the body. */
static void
json_answer(struct request *r, struct jw *j)
{
	resp_start(r, 200, "application/json");
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	jw_init(j, &r->body);
}

/* Maps a store write error to an answer. */
static void
write_failure(struct request *r, int rc)
{
	if (rc == STORE_MAPFULL) {
		log_err("store is full: %s", store_strerror(rc));
		resp_error(r, 503, "Store full",
		    "The store has no room for this change; nothing was changed. Please try again later.");
		resp_header(r, "Retry-After", SV_LIT("60"));
		return;
	}
	if (rc == STORE_BUSY) {
		/* Another writer (an import) held the store past our wait:
		 * logged at info, as it is an expected state of the site. */
		log_info("write: %s", store_strerror(rc));
		resp_error(r, 503, "Busy",
		    "The site is busy updating its catalog; nothing was changed. Please try again in a minute.");
		resp_header(r, "Retry-After", SV_LIT("30"));
		return;
	}
	log_err("write: %s", store_strerror(rc));
	resp_error(r, 503, "Not saved",
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
	{
		struct buf cookie = BUF_INIT, loc = BUF_INIT;
		struct timespec now;
		uint64_t ms;

		clock_gettime(CLOCK_REALTIME, &now);
		ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
		session_issue(&r->app->key, user, ms, (uint64_t)now.tv_sec +
		    (uint64_t)r->app->cfg->session_ttl, &cookie);
		/* resp_redirect resets the headers: the cookie after it. */
		buf_put(&loc, next.p, next.n);
		post_done(r, (struct sv){ loc.p, loc.len }, "signed_in");
		resp_cookie(r, SESSION_COOKIE, (struct sv){ cookie.p, cookie.len },
		    r->app->cfg->session_ttl);
		buf_free(&cookie);
		buf_free(&loc);
	}
}

/* ---- POST /logout ------------------------------------------------------------ */

static const struct field_decl logout_fields[] = {
	{ "csrf", 128, valid_line, NULL },
};
const struct form_spec logout_form = FORM_SPEC(logout_fields);

/*
 * Signs the session out on the server, durably, then asks the browser to
 * drop the cookie: 303 to / with a flash. Copies of the cookie are signed
 * out too, everywhere (req_session asks the store). When the sign-out
 * cannot be written (store full, a write error; without a store the route
 * answers so itself): 503 with Retry-After, and the cookie stays in the
 * browser, because the server still accepts it: the user must not be
 * shown "signed out" while a copy would still work, and can try again.
 */
void
handle_logout(struct request *r)
{
	int rc;

	/* The write may grow the map: no read snapshot may stay open. */
	req_end_txn(r);
	rc = store_session_revoke(r->app->store, (struct sv){ r->user.p,
	    r->user.len }, (struct sv){ (const char *)r->sinfo.id,
	    sizeof(r->sinfo.id) }, r->sinfo.expires, 0);
	if (rc != 0) {
		log_err("sign-out not recorded: %s", store_strerror(rc));
		resp_error(r, 503, "Not signed out", r->route->unavailable);
		resp_header(r, "Retry-After", rc == STORE_MAPFULL ? SV_LIT("60") :
		    SV_LIT("5"));
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
	[FOLLOW_CSRF] = { "csrf", 128, valid_line, NULL },
	[FOLLOW_ACTION] = { "action", 8, valid_action,
	    "must be follow or unfollow" },
};
const struct form_spec follow_form = FORM_SPEC(follow_fields);

/*
 * Follow or unfollow: edge and count in one LMDB write transaction, then the
 * Redis copy of the count, guarded by that transaction's id. 303 back to
 * the profile with a flash, or JSON {following, followers}.
 */
void
handle_follow(struct request *r)
{
	uint64_t count, txn_id;
	int follow, changed, rc;

	if (!form_has(&r->form, FOLLOW_ACTION)) {
		resp_error(r, 400, "Bad request", "action: must be follow or unfollow");
		return;
	}
	follow = sv_eq_cstr(form_get(&r->form, FOLLOW_ACTION), "follow");
	/* The read snapshot would hide our own write: end it first. */
	req_end_txn(r);
	rc = store_follow(r->app->store, r->res_id, (struct sv){ r->user.p,
	    r->user.len }, follow, &count, &txn_id, &changed);
	if (rc == STORE_CONFLICT) {
		/* The owner of the profile: checked in the write itself. */
		resp_error(r, 409, "This is your profile",
		    "You cannot follow your own profile; nothing was changed.");
		return;
	}
	if (rc != 0) {
		write_failure(r, rc);
		return;
	}
	buf_reset(&r->counter_key);
	cache_counter_key(r->app->cache, &r->counter_key, r->res_id);
	cache_put_counter(r->app->cache, (struct sv){ r->counter_key.p,
	    r->counter_key.len }, count, txn_id);
	if (r->json) {
		struct jw j;

		json_answer(r, &j);
		jw_obj_open(&j, NULL);
		jw_bool(&j, "following", follow);
		jw_uint(&j, "followers", count);
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
	} else
		post_done(r, (struct sv){ r->back.p, r->back.len },
		    follow ? "followed" : "unfollowed");
}

/* ---- POST /researchers/{slug}/claim ------------------------------------------- */

enum { CLAIM_CSRF, CLAIM_ORCID, CLAIM_EMAIL, CLAIM_URL, CLAIM_NOTE,
    CLAIM_ACTION };

/* A claim of an unclaimed profile (the default), or a dispute of its
 * pending claim by another user. */
static int
valid_claim_action(struct sv v)
{
	return sv_eq_cstr(v, "claim") || sv_eq_cstr(v, "dispute");
}

/*
 * The limits are the store's, in characters as the form's maxlength counts
 * them (views/holes.html writes the same numbers); what is wrong with a
 * field is said at the field (form_parse_fields, claim_problems).
 */
static const struct field_decl claim_fields[] = {
	[CLAIM_CSRF] = { "csrf", 128, valid_line, NULL },
	[CLAIM_ORCID] = { "orcid", STORE_ORCID_INPUT_MAX, valid_line, NULL },
	[CLAIM_EMAIL] = { "email", STORE_EMAIL_MAX, valid_email, NULL },
	[CLAIM_URL] = { "evidence_url", STORE_URL_MAX, valid_https_url, NULL },
	[CLAIM_NOTE] = { "note", STORE_CLAIM_NOTE_MAX, valid_text, NULL },
	[CLAIM_ACTION] = { "action", 8, valid_claim_action,
	    "must be claim or dispute" },
};
const struct form_spec claim_form = FORM_SPEC_FIELDS(claim_fields);

/* What a claim form's fields need, in words, at each field. */
struct claim_problems {
	char       orcid[20];    /* the iD normalised, when valid */
	struct buf words;        /* the messages, NUL-separated */
	size_t     off[CLAIM_NOTE + 1];
	int        any;
};

static void
problem(struct claim_problems *p, int field, const char *words)
{
	p->off[field] = p->words.len + 1;   /* 0: no problem */
	buf_puts(&p->words, words);
	buf_putc(&p->words, '\0');
	p->any = 1;
}

static struct sv
problem_of(const struct claim_problems *p, int field)
{
	return p->off[field] ? sv_cstr(p->words.p + p->off[field] - 1) :
	    SV_LIT("");
}

/*
 * Every problem of the claim's fields, each in words for its field. The
 * ORCID iD may be given as its URL; it is kept normalised (p->orcid).
 */
static void
claim_problems(const struct form *f, struct claim_problems *p)
{
	struct sv orcid = form_get(f, CLAIM_ORCID);
	char lim[64];

	memset(p, 0, sizeof(*p));
	/* Optional: left blank (spaces too), there is none. */
	while (orcid.n && (orcid.p[0] == ' ' || orcid.p[0] == '\t')) {
		orcid.p++;
		orcid.n--;
	}
	if (form_error(f, CLAIM_ORCID) != NULL ||
	    (orcid.n && !orcid_normalize(orcid, p->orcid)))
		problem(p, CLAIM_ORCID, "Enter an ORCID iD like 0000-0002-1825-0097 "
		    "(or its orcid.org address); its last character must be its "
		    "check digit.");
	if (form_too_long(f, CLAIM_EMAIL)) {
		snprintf(lim, sizeof(lim), "The email address can be at most %d characters.",
		    STORE_EMAIL_MAX);
		problem(p, CLAIM_EMAIL, lim);
	} else if (!form_has(f, CLAIM_EMAIL) || form_get(f, CLAIM_EMAIL).n == 0)
		problem(p, CLAIM_EMAIL, "Enter your institutional email "
		    "address, like name@university.edu.");
	if (form_too_long(f, CLAIM_URL)) {
		snprintf(lim, sizeof(lim), "The evidence URL can be at most %d characters.",
		    STORE_URL_MAX);
		problem(p, CLAIM_URL, lim);
	} else if (!form_has(f, CLAIM_URL) || form_get(f, CLAIM_URL).n == 0)
		problem(p, CLAIM_URL, "The evidence URL must be an https:// "
		    "address of a page that shows this is you.");
	if (form_error(f, CLAIM_NOTE) != NULL) {
		if (form_too_long(f, CLAIM_NOTE)) {
			snprintf(lim, sizeof(lim), "The note can be at most %d "
			    "characters; please shorten it.", STORE_CLAIM_NOTE_MAX);
			problem(p, CLAIM_NOTE, lim);
		} else
			problem(p, CLAIM_NOTE, "The note must be plain text, "
			    "without control characters.");
	}
}

/* Why a dispute was refused (STORE_CONFLICT): 409 in words. */
static void
dispute_refused(struct request *r, int why)
{
	switch (why) {
	case STORE_DISPUTE_NOTHING:
		resp_error(r, 409, "Nothing to dispute",
		    "This researcher has no claim waiting for review; you can claim the profile instead.");
		break;
	case STORE_DISPUTE_DECIDED:
		resp_error(r, 409, "Already claimed",
		    "This researcher's claim was approved; it can no longer be disputed here.");
		break;
	default:
		resp_error(r, 409, "Already disputed",
		    "This claim is already disputed; the reviewers have both claims.");
		break;
	}
}

/*
 * A claim request with its evidence, or (action=dispute) a dispute of the
 * researcher's pending claim by another user, with the same evidence.
 * Refused fields: the profile again (400) with every problem at its field
 * and in a summary, and what was typed; a competing claim, or nothing to
 * dispute: 409; filed: 303 back with a flash (or JSON).
 */
void
handle_claim(struct request *r)
{
	struct claim_problems p;
	struct store_claim cl;
	uint64_t id, disputed = 0;
	int rc, why = 0, dispute;

	if (form_error(&r->form, CLAIM_ACTION) != NULL) {
		resp_error(r, 400, "Bad request", "action: must be claim or dispute");
		return;
	}
	dispute = sv_eq_cstr(form_get(&r->form, CLAIM_ACTION), "dispute");
	claim_problems(&r->form, &p);
	if (p.any) {
		struct viewer v;

		if (r->json) {
			struct buf all = BUF_INIT;

			/* One message: every problem, in the fields' order. */
			for (int k = CLAIM_ORCID; k <= CLAIM_NOTE; k++) {
				struct sv w = problem_of(&p, k);

				if (w.n == 0)
					continue;
				if (all.len)
					buf_putc(&all, ' ');
				buf_put(&all, w.p, w.n);
			}
			resp_error(r, 400, "Bad request", all.p);
			buf_free(&all);
			buf_free(&p.words);
			return;
		}
		viewer_for(r, &v);
		v.claim_errors = 1;
		v.claim_orcid_error = problem_of(&p, CLAIM_ORCID);
		v.claim_email_error = problem_of(&p, CLAIM_EMAIL);
		v.claim_url_error = problem_of(&p, CLAIM_URL);
		v.claim_note_error = problem_of(&p, CLAIM_NOTE);
		v.claim_orcid = form_typed(&r->form, CLAIM_ORCID);
		v.claim_email = form_typed(&r->form, CLAIM_EMAIL);
		v.claim_url = form_typed(&r->form, CLAIM_URL);
		v.claim_note = form_typed(&r->form, CLAIM_NOTE);
		/* Signed in, so served private, no-cache: never shared. */
		serve_profile(r, &v, 400);
		buf_free(&p.words);
		return;
	}
	buf_free(&p.words);
	memset(&cl, 0, sizeof(cl));
	/* The strings live in the form arena and the request's copies, not
	 * the read snapshot, which ends before the write. */
	cl.researcher_id = r->res_id;
	cl.user = (struct sv){ r->user.p, r->user.len };
	cl.orcid = sv_cstr(p.orcid);
	cl.email = form_get(&r->form, CLAIM_EMAIL);
	cl.evidence_url = form_get(&r->form, CLAIM_URL);
	cl.note = form_get(&r->form, CLAIM_NOTE);
	req_end_txn(r);
	if (dispute)
		rc = store_claim_dispute(r->app->store, &cl, &id, &disputed,
		    &why);
	else
		rc = store_claim_file(r->app->store, &cl, &id);
	if (rc == STORE_CONFLICT && dispute) {
		dispute_refused(r, why);
		return;
	}
	if (rc == STORE_CONFLICT) {
		resp_error(r, 409, "Already claimed",
		    "This researcher already has a claim pending or approved.");
		return;
	}
	if (rc == STORE_EXISTS) {
		resp_error(r, 409, "Claim already open",
		    "You already have a claim waiting for review; only one at a time.");
		return;
	}
	if (rc != 0) {
		write_failure(r, rc);
		return;
	}
	if (dispute)
		log_info("claim %llu filed on %.*s, disputing claim %llu",
		    (unsigned long long)id, (int)cl.researcher_id.n,
		    cl.researcher_id.p, (unsigned long long)disputed);
	else
		log_info("claim %llu filed on %.*s", (unsigned long long)id,
		    (int)cl.researcher_id.n, cl.researcher_id.p);
	if (r->json) {
		struct jw j;

		json_answer(r, &j);
		jw_obj_open(&j, NULL);
		jw_uint(&j, "claim", id);
		jw_str(&j, "state", SV_LIT("pending"));
		if (dispute)
			jw_uint(&j, "disputes", disputed);
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
	} else
		post_done(r, (struct sv){ r->back.p, r->back.len },
		    dispute ? "disputed" : "claimed");
}

/* ---- POST /researchers/{slug}/invite ------------------------------------------- */

enum { INVITE_CSRF, INVITE_SUBJECT, INVITE_MESSAGE };

/*
 * Plain text: the subject a line, the message a note (store_text_valid),
 * the limits the store's, in characters as the form's maxlength counts
 * them (views/holes.html writes the same numbers).
 */
static const struct field_decl invite_fields[] = {
	[INVITE_CSRF] = { "csrf", 128, valid_line, NULL },
	[INVITE_SUBJECT] = { "subject", STORE_INVITE_SUBJECT_MAX, valid_line, NULL },
	[INVITE_MESSAGE] = { "message", STORE_INVITE_MESSAGE_MAX, valid_text, NULL },
};
const struct form_spec invite_form = FORM_SPEC_FIELDS(invite_fields);

/* Whether v holds something besides white space. */
static int
blank(struct sv v)
{
	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] != ' ' && v.p[i] != '\t' && v.p[i] != '\r' &&
		    v.p[i] != '\n')
			return 0;
	return 1;
}

/* What is wrong with field k, in words for its field, into w; "" if nothing. */
static const char *
invite_problem(const struct form *f, int k, char *w, size_t n)
{
	const char *what = k == INVITE_SUBJECT ? "subject" : "message";
	const char *err = form_error(f, (size_t)k);

	if (form_too_long(f, (size_t)k))
		snprintf(w, n, "The %s can be at most %d characters; please "
		    "shorten it.", what, k == INVITE_SUBJECT ?
		    STORE_INVITE_SUBJECT_MAX : STORE_INVITE_MESSAGE_MAX);
	else if (err != NULL)
		snprintf(w, n, k == INVITE_SUBJECT ? "The subject must be one "
		    "line of plain text, without control characters." :
		    "The message must be plain text, without control "
		    "characters.");
	else if (blank(form_get(f, (size_t)k)))
		snprintf(w, n, k == INVITE_SUBJECT ? "Enter a subject: what the "
		    "invitation is about, in one line." : "Enter a message: "
		    "what you propose.");
	else
		w[0] = '\0';
	return w;
}

/* Invitations per user per hour (invite_rate), beside post_rate. */
static int
invite_rate_ok(struct request *r)
{
	struct buf k = BUF_INIT;
	struct sv key;
	uint64_t n;
	unsigned retry;
	char tmp[16];

	buf_puts(&k, "i:");
	buf_put(&k, r->user.p, r->user.len);
	key = (struct sv){ k.p, k.len };
	cache_rate(r->app->cache, &key, 1, 3600, &n, &retry);
	buf_free(&k);
	if (n <= (uint64_t)r->app->cfg->invite_rate)
		return 1;
	metrics_rate_refused(MR_SESSION);
	resp_error(r, 429, "Too many invitations",
	    "You have sent as many invitations as this site allows in an hour; nothing was sent. Please try again later.");
	snprintf(tmp, sizeof(tmp), "%u", retry);
	resp_header(r, "Retry-After", sv_cstr(tmp));
	return 0;
}

/*
 * An invitation to collaborate, to the owner of a profile open to them
 * (store_invite_open_for). Refused fields: the profile again (400) with
 * each problem at its field and in a summary, and what was typed; a
 * profile not open, the viewer's own, an invitation of theirs already
 * open: 409; a sender the owner blocked: 403, in neutral words (the
 * sender is not told why); sent: 303 back with a flash (or JSON).
 */
void
handle_invite(struct request *r)
{
	struct store_invite in;
	struct store_claim cl;
	char ws[160], wm[160];
	uint64_t id;
	int rc, why;

	/* The snapshot's view first, so a refused form is not shown again
	 * where it is not offered; the store checks all of it again. */
	if (!store_invite_open_for(r->txn, &r->res)) {
		resp_error(r, 409, "Not taking invitations",
		    "This researcher does not take direct invitations here; nothing was sent.");
		return;
	}
	if (store_claim_of_researcher(r->txn, r->res_id, &cl) == 0 &&
	    sv_eq(cl.user, (struct sv){ r->user.p, r->user.len })) {
		resp_error(r, 409, "Your own profile",
		    "This is your profile: you cannot send yourself an invitation.");
		return;
	}
	invite_problem(&r->form, INVITE_SUBJECT, ws, sizeof(ws));
	invite_problem(&r->form, INVITE_MESSAGE, wm, sizeof(wm));
	if (ws[0] || wm[0]) {
		struct viewer v;

		if (r->json) {
			char all[330];

			snprintf(all, sizeof(all), "%s%s%s", ws, ws[0] && wm[0] ?
			    " " : "", wm);
			resp_error(r, 400, "Bad request", all);
			return;
		}
		viewer_for(r, &v);
		v.invite_errors = 1;
		v.invite_subject_error = sv_cstr(ws);
		v.invite_message_error = sv_cstr(wm);
		v.invite_subject = form_typed(&r->form, INVITE_SUBJECT);
		v.invite_message = form_typed(&r->form, INVITE_MESSAGE);
		/* Signed in, so served private, no-cache: never shared. */
		serve_profile(r, &v, 400);
		return;
	}
	if (!invite_rate_ok(r))
		return;
	memset(&in, 0, sizeof(in));
	in.researcher_id = r->res_id;
	in.sender = (struct sv){ r->user.p, r->user.len };
	in.subject = form_get(&r->form, INVITE_SUBJECT);
	in.message = form_get(&r->form, INVITE_MESSAGE);
	req_end_txn(r);
	rc = store_invite_send(r->app->store, &in, &id, &why);
	if (rc == STORE_CONFLICT && why == STORE_INVITE_BLOCKED) {
		resp_error(r, 403, "Invitation not sent",
		    "This researcher is not taking invitations from this account; nothing was sent.");
		return;
	}
	if (rc == STORE_CONFLICT && why == STORE_INVITE_OWN) {
		resp_error(r, 409, "Your own profile",
		    "This is your profile: you cannot send yourself an invitation.");
		return;
	}
	if (rc == STORE_CONFLICT) {
		resp_error(r, 409, "Not taking invitations",
		    "This researcher does not take direct invitations here; nothing was sent.");
		return;
	}
	if (rc == STORE_EXISTS) {
		resp_error(r, 409, "Invitation already open",
		    "Your invitation to this researcher is still waiting for an answer; you can send another once it is answered.");
		return;
	}
	if (rc == STORE_INVALID) {
		resp_error(r, 400, "Bad request",
		    "The invitation must have a subject and a message, in plain text.");
		return;
	}
	if (rc != 0) {
		write_failure(r, rc);
		return;
	}
	log_info("invitation %llu sent to %.*s", (unsigned long long)id,
	    (int)in.researcher_id.n, in.researcher_id.p);
	if (r->json) {
		struct jw j;

		json_answer(r, &j);
		jw_obj_open(&j, NULL);
		jw_uint(&j, "invitation", id);
		jw_str(&j, "state", SV_LIT("open"));
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
	} else
		post_done(r, (struct sv){ r->back.p, r->back.len }, "invited");
}

/* ---- POST /me/invitations ------------------------------------------------------------ */

enum { ANSWER_CSRF, ANSWER_ID, ANSWER_ACTION };

static const struct {
	const char *action, *state, *flash;
	int         code;
} answers[] = {
	{ "accept", "accepted", "invite_accepted", STORE_INVITE_ACCEPT },
	{ "decline", "declined", "invite_declined", STORE_INVITE_DECLINE },
	{ "block", NULL, "invite_blocked", STORE_INVITE_BLOCK },
	{ "unblock", NULL, "invite_unblocked", STORE_INVITE_UNBLOCK },
};

static int
valid_answer(struct sv v)
{
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (sv_eq_cstr(v, answers[i].action))
			return 1;
	return 0;
}

/* An invitation's number: 1 to 19 digits, so it fits in 64 bits. */
static int
valid_invite_id(struct sv v)
{
	if (v.n == 0 || v.n > 19)
		return 0;
	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return 1;
}

static const struct field_decl answer_fields[] = {
	[ANSWER_CSRF] = { "csrf", 128, valid_line, NULL },
	[ANSWER_ID] = { "invitation", 19, valid_invite_id, "must be an invitation's number" },
	[ANSWER_ACTION] = { "action", 8, valid_answer,
	    "must be accept, decline, block or unblock" },
};
const struct form_spec invite_answer_form = FORM_SPEC(answer_fields);

/*
 * The owner's answer to an invitation sent to them: accept, decline,
 * block the sender (declines it when open), unblock. 303 back to /me at
 * the invitation with a flash, or JSON {invitation, state (accepted or
 * declined, for those two), blocked}. An
 * invitation that is not theirs to answer is 404, as an unknown one.
 */
void
handle_invite_answer(struct request *r)
{
	struct buf loc = BUF_INIT;
	struct sv a = form_get(&r->form, ANSWER_ACTION), n;
	uint64_t id = 0;
	size_t k;
	int rc;

	if (!form_has(&r->form, ANSWER_ID) || !form_has(&r->form,
	    ANSWER_ACTION)) {
		resp_error(r, 400, "Bad request",
		    "invitation and action are needed: accept, decline, block or unblock.");
		return;
	}
	n = form_get(&r->form, ANSWER_ID);
	for (size_t i = 0; i < n.n; i++)
		id = id * 10 + (uint64_t)(n.p[i] - '0');
	for (k = 0; !sv_eq_cstr(a, answers[k].action); k++)
		;
	req_end_txn(r);
	rc = store_invite_decide(r->app->store, id, (struct sv){ r->user.p,
	    r->user.len }, answers[k].code, 0);
	if (rc == STORE_NOTFOUND) {
		resp_error(r, 404, "Invitation not found",
		    "There is no invitation to you with this number.");
		return;
	}
	if (rc == STORE_CONFLICT) {
		resp_error(r, 409, "Already answered",
		    "This invitation was already answered; its answer stands.");
		return;
	}
	if (rc != 0) {
		write_failure(r, rc);
		return;
	}
	log_info("invitation %llu: %s", (unsigned long long)id,
	    answers[k].action);
	if (r->json) {
		struct jw j;

		json_answer(r, &j);
		jw_obj_open(&j, NULL);
		jw_uint(&j, "invitation", id);
		if (answers[k].state != NULL)
			jw_str(&j, "state", sv_cstr(answers[k].state));
		if (answers[k].state == NULL)
			jw_bool(&j, "blocked", answers[k].code ==
			    STORE_INVITE_BLOCK);
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
		return;
	}
	buf_puts(&loc, "/me#invitation-");
	buf_putu64(&loc, id);
	post_done(r, (struct sv){ loc.p, loc.len }, answers[k].flash);
	buf_free(&loc);
}

/* ---- POST /me/feed ------------------------------------------------------------ */

static int
valid_feed_action(struct sv v)
{
	return sv_eq_cstr(v, "make") || sv_eq_cstr(v, "revoke");
}

enum { FEED_CSRF, FEED_ACTION };
static const struct field_decl feed_fields[] = {
	[FEED_CSRF] = { "csrf", 128, valid_line, NULL },
	[FEED_ACTION] = { "action", 8, valid_feed_action,
	    "must be make or revoke" },
};
const struct form_spec feed_form = FORM_SPEC(feed_fields);

/*
 * The private feed's address: make (a new one, the old one ended in the
 * same write) or revoke (ended, none made). Either way the old address
 * answers 404 from the next request on, on every worker. A new address is
 * shown once: in the JSON answer, or on /me after the redirect, carried
 * there by a cookie of a few minutes scoped to /me (the store keeps only
 * its hash, so it cannot be shown again later).
 */
void
handle_feed(struct request *r)
{
	char tok[STORE_FEED_TOKEN_HEX + 1];
	struct sv user = { r->user.p, r->user.len };
	int rc, had = 0, make;

	if (!form_has(&r->form, FEED_ACTION)) {
		resp_error(r, 400, "Bad request", "action: must be make or revoke");
		return;
	}
	make = sv_eq_cstr(form_get(&r->form, FEED_ACTION), "make");
	/* The write may grow the map: no read snapshot may stay open. */
	req_end_txn(r);
	if (make)
		rc = store_feed_make(r->app->store, user, 0, tok);
	else
		rc = store_feed_revoke(r->app->store, user, &had);
	if (rc != 0) {
		write_failure(r, rc);
		return;
	}
	if (r->json) {
		struct buf url = BUF_INIT;
		struct jw j;

		json_answer(r, &j);
		jw_obj_open(&j, NULL);
		if (make) {
			buf_puts(&url, r->app->cfg->base_url);
			buf_puts(&url, "/me/feed/");
			buf_puts(&url, tok);
			buf_puts(&url, ".atom");
			jw_str(&j, "feed", (struct sv){ url.p, url.len });
		} else
			jw_bool(&j, "revoked", had);
		jw_obj_close(&j);
		buf_putc(&r->body, '\n');
		buf_free(&url);
	} else if (make) {
		const char *https = req_param(r, RP_HTTPS);
		struct buf c = BUF_INIT;

		post_done(r, SV_LIT("/me#feed-h"), "feed_made");
		buf_puts(&c, FEED_COOKIE "=");
		buf_puts(&c, tok);
		buf_puts(&c, "; Path=/me; Max-Age=");
		buf_putu64(&c, FEED_COOKIE_TTL);
		buf_puts(&c, "; HttpOnly; SameSite=Strict");
		if (https != NULL && strcmp(https, "on") == 0)
			buf_puts(&c, "; Secure");
		resp_header(r, "Set-Cookie", (struct sv){ c.p, c.len });
		buf_free(&c);
	} else
		post_done(r, SV_LIT("/me#feed-h"), had ? "feed_ended" : "feed_none");
	sodium_memzero(tok, sizeof(tok));
}
