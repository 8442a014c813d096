/* handlers_pages.c: the research-graph explorer, the paged works list and the exports (JSON, Atom, BibTeX) of a researcher. */
#include "handlers_pages.h"

#include <string.h>
#include <time.h>

#include "../views/export.h"
#include "../views/graph.h"
#include "../views/html.h"
#include "../views/views.h"
#include "../views/works.h"
#include "app.h"
#include "handlers.h"
#include "log.h"

/* ---- shared ------------------------------------------------------------------- */

/* A JSON error body for the JSON endpoints (404, 503), CORS-readable. */
static void
json_error(struct request *r, int status, const char *code, const char *message)
{
	resp_start(r, status, "application/json");
	resp_header(r, "Access-Control-Allow-Origin", SV_LIT("*"));
	resp_header(r, "Cache-Control", SV_LIT("no-store"));
	if (status == 503)
		resp_header(r, "Retry-After", SV_LIT("5"));
	buf_puts(&r->body, "{\"error\":");
	json_str(&r->body, sv_cstr(code));
	buf_puts(&r->body, ",\"message\":");
	json_str(&r->body, sv_cstr(message));
	buf_puts(&r->body, "}\n");
}

/* Answers a store failure in JSON (see store_failure() for HTML). */
static void
json_store_failure(struct request *r, int err)
{
	if (err == STORE_NOTFOUND) {
		json_error(r, 404, "not_found",
		    "No researcher in the catalog has this address.");
		return;
	}
	log_err("%.*s: %s", (int)r->raw_path.n, r->raw_path.p,
	    store_strerror(err));
	json_error(r, 503, "unavailable",
	    "The researcher catalog cannot be read right now.");
}

static void
failure(struct request *r, int json, int err)
{
	if (json)
		json_store_failure(r, err);
	else
		store_failure(r, err);
}

/*
 * The researcher named by the route's capture, into *res. An OpenAlex id
 * answers 301 to the same address with the slug (suffix is what follows
 * the slug: ".json", "/graph", ...); an unknown one 404; a store that
 * cannot be read 503 (in JSON when json). Returns 0 when *res is filled,
 * -1 when the response is already made.
 */
static int
researcher_of(struct request *r, const char *suffix, int json,
    struct store_researcher *res)
{
	struct sv key = r->capture[0];
	int rc;

	if ((rc = req_txn(r)) != 0) {
		failure(r, json, rc);
		return -1;
	}
	if (is_openalex_author_id(key)) {
		if ((rc = store_researcher_by_id(r->txn, key, res)) != 0) {
			failure(r, json, rc);
			return -1;
		}
		buf_reset(&r->scratch);
		buf_puts(&r->scratch, "/researchers/");
		url_arg(&r->scratch, res->slug);
		buf_puts(&r->scratch, suffix);
		resp_redirect(r, 301, (struct sv){ r->scratch.p, r->scratch.len });
		resp_header(r, "Cache-Control", SV_LIT("public, max-age=3600"));
		return -1;
	}
	if ((rc = store_researcher_by_slug(r->txn, key, res)) != 0) {
		failure(r, json, rc);
		return -1;
	}
	return 0;
}

/*
 * Headers of an export (the same for every viewer): type, CORS, ETag from
 * what the document is made of, Last-Modified. Returns 1 when the client's
 * copy is current (304 set, nothing more to do).
 */
static int
export_head(struct request *r, const char *type, char tag,
    const struct store_researcher *res, uint64_t followers)
{
	resp_start(r, 200, type);
	resp_header(r, "Access-Control-Allow-Origin", SV_LIT("*"));
	resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	buf_reset(&r->scratch);
	buf_putc(&r->scratch, '"');
	buf_putc(&r->scratch, tag);
	buf_puts(&r->scratch, "-g");
	buf_putu64(&r->scratch, store_generation(r->txn));
	buf_puts(&r->scratch, "-v");
	buf_putu64(&r->scratch, res->version);
	buf_puts(&r->scratch, "-f");
	buf_putu64(&r->scratch, followers);
	buf_putc(&r->scratch, '"');
	return resp_validators(r, (struct sv){ r->scratch.p, r->scratch.len },
	    store_generation_time(r->txn));
}

/* ---- GET /researchers/{slug}.json ---------------------------------------------- */

void
handle_researcher_json(struct request *r)
{
	struct store_researcher res;
	uint64_t followers = 0;
	int rc;

	if (researcher_of(r, ".json", 1, &res) != 0)
		return;
	rc = store_followers(r->txn, res.id, &followers);
	if (rc != 0 && rc != STORE_NOTFOUND) {
		json_store_failure(r, rc);
		return;
	}
	if (export_head(r, "application/json", 'j', &res, followers))
		return;
	if ((rc = export_json(r->txn, &res, followers, &r->body)) != 0)
		json_store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}

/* ---- GET /researchers/{slug}/graph and graph.json ---------------------------------- */

/* A page for a viewer: holes filled, private when signed in or flashed. */
static void
send_page(struct request *r)
{
	struct viewer v;

	viewer_for(r, &v);
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	if (v.user.n || v.flash.n)
		resp_header(r, "Cache-Control", SV_LIT("private, no-cache"));
	else
		resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	if (v.flash.n)
		resp_cookie(r, FLASH_COOKIE, SV_LIT(""), 0);
	page_fill(&r->page, &v, &r->body);
}

void
handle_graph(struct request *r)
{
	struct store_researcher res;
	int rc;

	if (researcher_of(r, "/graph", 0, &res) != 0)
		return;
	page_reset(&r->page);
	if ((rc = view_graph(r->txn, &res, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	send_page(r);
}

void
handle_graph_json(struct request *r)
{
	struct store_researcher res;
	struct graph g;
	int rc;

	if (researcher_of(r, "/graph.json", 1, &res) != 0)
		return;
	if ((rc = graph_build(r->txn, &res, NULL, &g)) != 0) {
		graph_free(&g);
		json_store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	if (!export_head(r, "application/json", 'g', &res, 0))
		graph_json(&g, &res, &r->body);
	graph_free(&g);
}

/* ---- GET /researchers/{slug}/works?page=&sort= ----------------------------------- */

static int
valid_sort(struct sv v)
{
	return sv_eq_cstr(v, "newest") || sv_eq_cstr(v, "oldest");
}

enum { WORKS_F_PAGE, WORKS_F_SORT };
static const struct field_decl works_fields[] = {
	[WORKS_F_PAGE] = { "page", 9, valid_uint, "must be a page number" },
	[WORKS_F_SORT] = { "sort", 6, valid_sort, "must be newest or oldest" },
};

void
handle_works(struct request *r)
{
	struct store_researcher res;
	enum works_sort sort = WORKS_NEWEST;
	size_t page_no;
	int rc;

	if (query_parse(r, works_fields,
	    sizeof(works_fields) / sizeof(works_fields[0])) != 0)
		return;
	page_no = query_page(&r->form, WORKS_F_PAGE);
	if (sv_eq_cstr(form_get(&r->form, WORKS_F_SORT), "oldest"))
		sort = WORKS_OLDEST;
	if (researcher_of(r, "/works", 0, &res) != 0)
		return;
	page_reset(&r->page);
	if ((rc = view_works(r->txn, &res, page_no, sort, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	send_page(r);
}

/* ---- GET /researchers/{slug}/works.atom and works.bib ------------------------------ */

void
handle_works_atom(struct request *r)
{
	struct store_researcher res;
	uint64_t updated;
	int rc;

	if (researcher_of(r, "/works.atom", 0, &res) != 0)
		return;
	if (export_head(r, "application/atom+xml; charset=utf-8", 'a', &res, 0))
		return;
	updated = store_generation_time(r->txn);
	if (updated == 0)
		updated = (uint64_t)time(NULL);
	/* Absolute links from the configured origin, never from the
	 * request's Host: a feed a cache keeps must not carry a link that
	 * one client chose. */
	rc = export_atom(r->txn, &res, sv_cstr(r->app->cfg->base_url),
	    updated, &r->body);
	if (rc != 0)
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}

void
handle_works_bib(struct request *r)
{
	struct store_researcher res;
	int rc;

	if (researcher_of(r, "/works.bib", 0, &res) != 0)
		return;
	if (export_head(r, "application/x-bibtex; charset=utf-8", 'b', &res, 0))
		return;
	buf_reset(&r->scratch);
	buf_puts(&r->scratch, "inline; filename=\"");
	url_arg(&r->scratch, res.slug);
	buf_puts(&r->scratch, ".bib\"");
	resp_header(r, "Content-Disposition", (struct sv){ r->scratch.p, r->scratch.len });
	if ((rc = export_bib(r->txn, &res, &r->body)) != 0)
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}
