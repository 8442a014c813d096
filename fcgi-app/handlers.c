/* handlers.c: the route handlers: request in, store read, view rendered, response out. */
#include "handlers.h"

#include <string.h>

#include "../views/home.h"
#include "../views/html.h"
#include "../views/profile.h"
#include "app.h"
#include "log.h"

/* ---- shared ------------------------------------------------------------ */

/*
 * Answers a store failure: 404 for an unknown record, 503 (with
 * Retry-After) when the store itself cannot be read. Never 500 for a
 * missing catalog: that is an operational state, said in words.
 */
static void
store_failure(struct request *r, int err)
{
	if (err == STORE_NOTFOUND) {
		resp_error(r, 404, "Researcher not found",
		    "No researcher in the catalog has this address.");
		return;
	}
	log_err("%.*s: %s", (int)r->raw_path.n, r->raw_path.p,
	    store_strerror(err));
	resp_error(r, 503, "Catalog unavailable",
	    "The researcher catalog cannot be read right now. Please try again shortly.");
	resp_header(r, "Retry-After", SV_LIT("5"));
}

/* The viewer of a page. Signed-in viewers come with sessions (issue 4). */
static void
viewer_anonymous(struct viewer *v)
{
	memset(v, 0, sizeof(*v));
}

/* ---- GET / and /researchers?q=&page= ----------------------------------- */

enum { HOME_Q, HOME_PAGE };
static const struct field_decl home_fields[] = {
	[HOME_Q]    = { "q", 200, valid_line },
	[HOME_PAGE] = { "page", 9, valid_uint },
};

void
handle_home(struct request *r)
{
	struct buf err = BUF_INIT;
	struct viewer v;
	size_t page_no = 1;
	int rc;

	if (form_parse(&r->form, r->query, home_fields,
	    sizeof(home_fields) / sizeof(home_fields[0]), &err) < 0) {
		resp_error(r, 400, "Bad request", err.p);
		buf_free(&err);
		return;
	}
	buf_free(&err);
	if (form_has(&r->form, HOME_PAGE)) {
		struct sv p = form_get(&r->form, HOME_PAGE);

		page_no = 0;
		for (size_t i = 0; i < p.n; i++)
			page_no = page_no * 10 + (size_t)(p.p[i] - '0');
		if (page_no == 0)
			page_no = 1;
	}
	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return;
	}
	page_reset(&r->page);
	rc = view_home(r->txn, form_get(&r->form, HOME_Q), page_no, &r->page);
	if (rc != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	viewer_anonymous(&v);
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /researchers/{slug} and /researchers/{openalex-id} ------------ */

/* "A5012345678": an OpenAlex author id, which redirects to the slug. */
static int
is_openalex_author_id(struct sv s)
{
	if (s.n < 2 || s.n > 20 || s.p[0] != 'A')
		return 0;
	for (size_t i = 1; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

void
handle_researcher(struct request *r)
{
	struct store_researcher res;
	struct viewer v;
	struct sv key = r->capture[0];
	int rc;

	if ((rc = req_txn(r)) != 0) {
		store_failure(r, rc);
		return;
	}
	if (is_openalex_author_id(key)) {
		rc = store_researcher_by_id(r->txn, key, &res);
		if (rc != 0) {
			store_failure(r, rc);
			return;
		}
		buf_reset(&r->scratch);
		buf_puts(&r->scratch, "/researchers/");
		url_arg(&r->scratch, res.slug);
		resp_redirect(r, 301, (struct sv){ r->scratch.p, r->scratch.len });
		resp_header(r, "Cache-Control", SV_LIT("public, max-age=3600"));
		return;
	}
	rc = store_researcher_by_slug(r->txn, key, &res);
	if (rc != 0) {
		store_failure(r, rc);
		return;
	}
	viewer_anonymous(&v);
	v.claim = res.claim;
	if ((rc = store_followers(r->txn, res.id, &v.followers)) != 0 &&
	    rc != STORE_NOTFOUND) {
		store_failure(r, rc);
		return;
	}
	page_reset(&r->page);
	if ((rc = view_profile(r->txn, &res, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /healthz -------------------------------------------------------- */

void
handle_healthz(struct request *r)
{
	struct store_stats st;
	int rc = req_txn(r);

	if (rc == 0)
		rc = store_stats(r->txn, &st);
	resp_start(r, rc == 0 ? 200 : 503, "text/plain; charset=utf-8");
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
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
}
