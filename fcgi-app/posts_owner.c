/* posts_owner.c: the owner of a claimed profile edits it: the edit page, and its posts (settings, a work that is not theirs, a duplicate to merge). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../views/html.h"
#include "../views/json.h"
#include "../views/owner.h"
#include "app.h"
#include "handlers.h"
#include "../store/log.h"
#include "../store/utf8.h"
#include "router.h"

/* ---- who may ---------------------------------------------------------------- */

/*
 * Whether the signed-in user owns r->res (its approved claim is theirs),
 * in the request's read snapshot. 0, else the answer is made: 403 for
 * anyone else, 503 when the store cannot say.
 */
static int
need_owner(struct request *r)
{
	struct sv owner;
	int rc;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return -1;
	}
	rc = store_owner_of(r->txn, r->res_id, &owner);
	if (rc == 0 && sv_eq(owner, (struct sv){ r->user.p, r->user.len }))
		return 0;
	if (rc != 0 && rc != STORE_NOTFOUND) {
		store_failure(r, rc);
		return -1;
	}
	resp_error(r, 403, "Not your profile",
	    "Only the researcher whose claim of this profile was approved can change it.");
	return -1;
}

/* The edit page's address, for Post/Redirect/Get. */
static void
edit_path(struct request *r, struct buf *out)
{
	buf_reset(out);
	buf_put(out, r->back.p, r->back.len);
	buf_puts(out, "/edit");
}

static void
done(struct request *r, const char *flash)
{
	struct buf loc = BUF_INIT;

	edit_path(r, &loc);
	resp_redirect(r, 303, (struct sv){ loc.p, loc.len });
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	resp_cookie(r, FLASH_COOKIE, sv_cstr(flash), 60);
	buf_free(&loc);
}

static void
json_open(struct request *r, struct jw *j)
{
	resp_start(r, 200, "application/json");
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	jw_init(j, &r->body);
	jw_obj_open(j, NULL);
}

static void
json_close(struct request *r, struct jw *j)
{
	jw_obj_close(j);
	buf_putc(&r->body, '\n');
}

static void
owner_write_failure(struct request *r, int rc)
{
	if (rc == STORE_BUSY) {
		resp_error(r, 503, "Busy",
		    "The site is busy updating its catalog; nothing was changed. Please try again in a minute.");
		resp_header(r, "Retry-After", SV_LIT("30"));
		return;
	}
	log_err("owner write: %s", store_strerror(rc));
	resp_error(r, 503, "Not saved",
	    "The change could not be saved; nothing was changed. Please try again.");
	resp_header(r, "Retry-After", rc == STORE_MAPFULL ? SV_LIT("60") :
	    SV_LIT("5"));
}

/*
 * The edit page for its owner, with status and f (what a refused post
 * typed, and its errors): never cached, private.
 */
static void
serve_edit(struct request *r, struct owner_form *f, int status)
{
	struct viewer v;
	int rc;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return;
	}
	viewer_for(r, &v);
	f->csrf = v.csrf;
	/* r->res is the snapshot's record: re-read after a post's write. */
	if ((rc = store_researcher_by_id(r->txn, r->res_id, &r->res)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	page_reset(&r->page);
	if ((rc = view_owner(r->txn, &r->res, f, status, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	/* Signed in: private, as /me (viewer_headers). */
	viewer_headers(r, &v);
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /researchers/{slug}/edit ---------------------------------------------- */

void
handle_owner_edit(struct request *r)
{
	struct owner_form f;
	struct buf loc = BUF_INIT, next = BUF_INIT;

	req_session(r);
	if (r->user.len == 0) {
		buf_puts(&loc, "/login?next=");
		edit_path(r, &next);
		url_arg(&loc, buf_sv(&next));
		resp_redirect(r, 303, (struct sv){ loc.p, loc.len });
		resp_header(r, "Cache-Control", SV_LIT("no-store"));
		buf_free(&loc);
		buf_free(&next);
		return;
	}
	if (need_owner(r) < 0)
		return;
	memset(&f, 0, sizeof(f));
	serve_edit(r, &f, 200);
}

/* ---- POST /researchers/{slug}/settings ----------------------------------------- */

static int
valid_open(struct sv v)
{
	return sv_eq_cstr(v, "yes") || sv_eq_cstr(v, "no");
}

static int
valid_homepage(struct sv v)
{
	return v.n == 0 || store_https_url_valid(v);
}

enum { SET_CSRF, SET_BIO, SET_OPEN, SET_HOMEPAGE };
static const struct field_decl settings_fields[] = {
	[SET_CSRF] = { "csrf", 128, valid_line, NULL },
	[SET_BIO] = { "bio", STORE_BIO_MAX, valid_line, NULL },
	[SET_OPEN] = { "open", 3, valid_open, NULL },
	[SET_HOMEPAGE] = { "homepage", STORE_HOMEPAGE_MAX, valid_homepage, NULL },
};
const struct form_spec owner_settings_form = FORM_SPEC_FIELDS(settings_fields);

/* Leading and trailing spaces of a line typed into a field go. */
static struct sv
trimmed(struct sv v)
{
	while (v.n && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.n--;
	}
	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	return v;
}

/*
 * The bio line, collaboration and homepage: all three written together
 * (a field left out keeps its value). Refused fields: the edit page again
 * (400) with each problem at its field, nothing written; saved: 303 to the
 * edit page with a flash, or JSON with what is stored now.
 */
void
handle_owner_settings(struct request *r)
{
	struct store_owner_settings in;
	struct owner_form f;
	char lim[96];
	unsigned fields = 0;
	int rc;

	if (need_owner(r) < 0)
		return;
	memset(&f, 0, sizeof(f));
	if (form_error(&r->form, SET_BIO) != NULL) {
		if (form_too_long(&r->form, SET_BIO)) {
			snprintf(lim, sizeof(lim), "The bio line can be at most "
			    "%d characters; please shorten it.", STORE_BIO_MAX);
			f.e_bio = sv_cstr(lim);
		} else
			f.e_bio = SV_LIT("The bio line must be one line of plain "
			    "text, without control characters or line breaks.");
	}
	if (form_error(&r->form, SET_OPEN) != NULL)
		f.e_open = SV_LIT("Choose whether you are open to collaborate.");
	if (form_error(&r->form, SET_HOMEPAGE) != NULL)
		f.e_homepage = form_too_long(&r->form, SET_HOMEPAGE) ?
		    SV_LIT("The homepage address is too long "
		    "(at most 500 characters).") : SV_LIT("The homepage must be "
		    "an https:// address, like https://example.org/~you.");
	if (f.e_bio.n || f.e_open.n || f.e_homepage.n) {
		if (r->json) {
			struct buf all = BUF_INIT;
			struct sv e[3] = { f.e_bio, f.e_open, f.e_homepage };

			for (int i = 0; i < 3; i++) {
				if (e[i].n == 0)
					continue;
				if (all.len)
					buf_putc(&all, ' ');
				buf_put(&all, e[i].p, e[i].n);
			}
			resp_error(r, 400, "Bad request", all.p);
			buf_free(&all);
			return;
		}
		f.s_errors = 1;
		f.bio = form_typed(&r->form, SET_BIO);
		f.homepage = form_typed(&r->form, SET_HOMEPAGE);
		f.open = !sv_eq_cstr(form_get(&r->form, SET_OPEN), "no");
		serve_edit(r, &f, 400);
		return;
	}
	memset(&in, 0, sizeof(in));
	if (form_has(&r->form, SET_BIO)) {
		in.bio = trimmed(form_get(&r->form, SET_BIO));
		fields |= STORE_OWNER_BIO;
	}
	if (form_has(&r->form, SET_OPEN)) {
		in.open_to_collaborate = sv_eq_cstr(form_get(&r->form, SET_OPEN),
		    "yes");
		fields |= STORE_OWNER_OPEN;
	}
	if (form_has(&r->form, SET_HOMEPAGE)) {
		in.homepage = trimmed(form_get(&r->form, SET_HOMEPAGE));
		if (in.homepage.n && !store_https_url_valid(in.homepage)) {
			resp_error(r, 400, "Bad request", "homepage: must be an "
			    "https:// address");
			return;
		}
		fields |= STORE_OWNER_HOMEPAGE;
	}
	if (fields == 0) {
		resp_error(r, 400, "Bad request",
		    "Nothing to change: send bio, open or homepage.");
		return;
	}
	/* The values live in the form's arena, not the snapshot. */
	req_end_txn(r);
	rc = store_owner_settings_put(r->app->store, r->res_id,
	    (struct sv){ r->user.p, r->user.len }, &in, fields);
	if (rc == EPERM) {
		resp_error(r, 403, "Not your profile",
		    "Only the researcher whose claim of this profile was approved can change it.");
		return;
	}
	if (rc != 0) {
		owner_write_failure(r, rc);
		return;
	}
	log_info("owner settings of %.*s changed", (int)r->res_id.n,
	    r->res_id.p);
	if (r->json) {
		struct store_owner_settings o;
		struct jw j;

		if ((rc = req_txn(r)) != 0) {
			store_failure(r, rc);
			return;
		}
		rc = store_owner_settings_get(r->txn, r->res_id, &o);
		if (rc != 0 && rc != STORE_NOTFOUND) {
			store_failure(r, rc);
			return;
		}
		json_open(r, &j);
		jw_str(&j, "bio", o.bio);
		jw_bool(&j, "open_to_collaborate", o.open_to_collaborate);
		jw_str(&j, "homepage", o.homepage);
		json_close(r, &j);
		return;
	}
	done(r, "owner_saved");
}

/* ---- POST /researchers/{slug}/hide ------------------------------------------------ */

static int
valid_hide_action(struct sv v)
{
	return sv_eq_cstr(v, "hide") || sv_eq_cstr(v, "show");
}

enum { HIDE_CSRF, HIDE_WORK, HIDE_ACTION };
static const struct field_decl hide_fields[] = {
	[HIDE_CSRF] = { "csrf", 128, valid_line, NULL },
	[HIDE_WORK] = { "work", OWNER_WORK_INPUT_MAX, valid_line, NULL },
	[HIDE_ACTION] = { "action", 4, valid_hide_action,
	    "must be hide or show" },
};
const struct form_spec owner_hide_form = FORM_SPEC(hide_fields);

/*
 * "W123", "w123" or its openalex.org address, with spaces around: the
 * canonical id into out (ID_BUF bytes). 1, or 0 when it is none.
 */
static int
work_id(struct sv s, char out[24])
{
	static const char *const pre[] = { "https://openalex.org/",
	    "http://openalex.org/", "openalex.org/" };

	s = trimmed(s);
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(pre[i]);

		if (s.n > k && strncasecmp(s.p, pre[i], k) == 0) {
			s.p += k;
			s.n -= k;
			break;
		}
	}
	if (s.n < 2 || s.n > 20 || (s.p[0] != 'W' && s.p[0] != 'w') ||
	    s.p[1] == '0')
		return 0;
	for (size_t i = 1; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	out[0] = 'W';
	memcpy(out + 1, s.p + 1, s.n - 1);
	out[s.n] = '\0';
	return 1;
}

/*
 * "Not my paper" (action=hide) or put back (action=show): 303 to the edit
 * page with a flash, or JSON {work, hidden}; a work that is not the
 * researcher's (or not removed) is 404, nothing written.
 */
void
handle_owner_hide(struct request *r)
{
	char id[24];
	int hide, rc;

	if (need_owner(r) < 0)
		return;
	if (!form_has(&r->form, HIDE_ACTION)) {
		resp_error(r, 400, "Bad request", "action: must be hide or show");
		return;
	}
	if (!work_id(form_get(&r->form, HIDE_WORK), id)) {
		resp_error(r, 400, "Bad request",
		    "work: give a work id like W2963403868, or its openalex.org address.");
		return;
	}
	hide = sv_eq_cstr(form_get(&r->form, HIDE_ACTION), "hide");
	req_end_txn(r);
	rc = store_work_hide(r->app->store, r->res_id, (struct sv){ r->user.p,
	    r->user.len }, sv_cstr(id), hide);
	if (rc == STORE_NOTFOUND) {
		resp_error(r, 404, hide ? "Not on your profile" : "Not removed",
		    hide ? "This work is not one of the works listed on your profile." :
		    "This work was not removed from your profile.");
		return;
	}
	if (rc == EPERM) {
		resp_error(r, 403, "Not your profile",
		    "Only the researcher whose claim of this profile was approved can change it.");
		return;
	}
	if (rc != 0) {
		owner_write_failure(r, rc);
		return;
	}
	log_info("work %s %s on %.*s by its owner", id, hide ? "hidden" :
	    "shown", (int)r->res_id.n, r->res_id.p);
	if (r->json) {
		struct jw j;

		json_open(r, &j);
		jw_str(&j, "work", sv_cstr(id));
		jw_bool(&j, "hidden", hide);
		json_close(r, &j);
		return;
	}
	done(r, hide ? "owner_hidden" : "owner_shown");
}

/* ---- POST /researchers/{slug}/merge ------------------------------------------------ */

enum { MERGE_CSRF, MERGE_DUPLICATE, MERGE_NOTE };
static const struct field_decl merge_fields[] = {
	[MERGE_CSRF] = { "csrf", 128, valid_line, NULL },
	[MERGE_DUPLICATE] = { "duplicate", OWNER_DUPLICATE_MAX, valid_line, NULL },
	[MERGE_NOTE] = { "note", STORE_CLAIM_NOTE_MAX, valid_text, NULL },
};
const struct form_spec owner_merge_form = FORM_SPEC_FIELDS(merge_fields);

/* The edit page again with the merge form's errors (or one JSON error). */
static void
merge_refused(struct request *r, int status, struct sv e_dup, struct sv e_note)
{
	struct owner_form f;

	if (r->json) {
		struct buf all = BUF_INIT;

		buf_put(&all, e_dup.p, e_dup.n);
		if (all.len && e_note.n)
			buf_putc(&all, ' ');
		buf_put(&all, e_note.p, e_note.n);
		buf_reserve(&all, 1);
		resp_error(r, status, status == 409 ? "Cannot merge" :
		    "Bad request", all.p);
		buf_free(&all);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.m_errors = 1;
	f.e_duplicate = e_dup;
	f.e_mnote = e_note;
	f.duplicate = form_typed(&r->form, MERGE_DUPLICATE);
	f.mnote = form_typed(&r->form, MERGE_NOTE);
	serve_edit(r, &f, status);
}

/*
 * An owner names a duplicate of their profile: a request for a reviewer
 * (bzpeer-admin merges). 303 to the edit page with a flash, or JSON
 * {request, state}; a duplicate that cannot be merged: the edit page again
 * with the reason at the field (400 for what is not a profile here, 409
 * for one the rules refuse), nothing written.
 */
void
handle_owner_merge(struct request *r)
{
	struct researcher_ref ref;
	struct store_researcher d;
	struct buf key = BUF_INIT;
	char idb[AUTHOR_ID_BUF], lim[96];
	struct sv from;
	uint64_t id;
	int rc, why;

	if (need_owner(r) < 0)
		return;
	if (form_error(&r->form, MERGE_NOTE) != NULL) {
		snprintf(lim, sizeof(lim), "The note can be at most %d characters "
		    "of plain text.", STORE_CLAIM_NOTE_MAX);
		merge_refused(r, 400, SV_LIT(""), sv_cstr(lim));
		return;
	}
	if (form_error(&r->form, MERGE_DUPLICATE) != NULL ||
	    researcher_ref_parse(form_get(&r->form, MERGE_DUPLICATE), &key,
	    &ref) != 0) {
		merge_refused(r, 400, SV_LIT("Give the other profile's address "
		    "on this site, its OpenAlex id (like A5012345678) or its "
		    "name in the address (like jane-doe-2)."), SV_LIT(""));
		buf_free(&key);
		return;
	}
	/* A slug names the researcher it answers for now; an id is given to
	 * the store as it is, which knows an id merged away. */
	if (ref.is_id) {
		memcpy(idb, key.p, key.len);
		from = (struct sv){ idb, key.len };
	} else {
		rc = store_researcher_by_slug(r->txn, buf_sv(&key), &d);
		if (rc != 0 && rc != STORE_NOTFOUND) {
			buf_free(&key);
			store_failure(r, rc);
			return;
		}
		if (rc == STORE_NOTFOUND || d.id.n >= sizeof(idb)) {
			buf_free(&key);
			merge_refused(r, 400, SV_LIT("There is no profile at that "
			    "address here."), SV_LIT(""));
			return;
		}
		memcpy(idb, d.id.p, d.id.n);
		from = (struct sv){ idb, d.id.n };
	}
	buf_free(&key);
	req_end_txn(r);
	rc = store_merge_request(r->app->store, r->res_id, (struct sv){
	    r->user.p, r->user.len }, from, form_get(&r->form, MERGE_NOTE),
	    &id, &why);
	if (rc == STORE_NOTFOUND) {
		merge_refused(r, 400, SV_LIT("There is no profile with that id "
		    "here."), SV_LIT(""));
		return;
	}
	if (rc == STORE_CONFLICT) {
		merge_refused(r, 409, why == STORE_MERGE_SELF ?
		    SV_LIT("That is this profile itself (or already merged into it).") :
		    why == STORE_MERGE_MERGED ?
		    SV_LIT("That profile was already merged into another one.") :
		    why == STORE_MERGE_CLAIMED ?
		    SV_LIT("That profile is claimed by someone else, or their claim of it is waiting for review: it cannot be merged into yours.") :
		    why == STORE_MERGE_ASKED ?
		    SV_LIT("A request to merge that profile is waiting for review already.") :
		    SV_LIT("That profile has asked to merge yours into it: the reviewers decide that request first."),
		    SV_LIT(""));
		return;
	}
	if (rc == EPERM) {
		resp_error(r, 403, "Not your profile",
		    "Only the researcher whose claim of this profile was approved can change it.");
		return;
	}
	if (rc == STORE_INVALID) {
		merge_refused(r, 400, SV_LIT(""), SV_LIT("The note must be plain "
		    "text, without control characters."));
		return;
	}
	if (rc != 0) {
		owner_write_failure(r, rc);
		return;
	}
	log_info("merge request %llu: %.*s into %.*s", (unsigned long long)id,
	    (int)from.n, from.p, (int)r->res_id.n, r->res_id.p);
	if (r->json) {
		struct jw j;

		json_open(r, &j);
		jw_uint(&j, "request", id);
		jw_str(&j, "state", SV_LIT("pending"));
		json_close(r, &j);
		return;
	}
	done(r, "owner_merge_asked");
}
