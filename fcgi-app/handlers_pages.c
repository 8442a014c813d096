/* handlers_pages.c: the research-graph explorer, the paged works list and the exports (JSON, Atom, BibTeX, RIS, CSL-JSON) of a researcher. */
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
#include "../store/log.h"

/* ---- shared ------------------------------------------------------------------- */

/*
 * Headers of an export (the same for every viewer): type, CORS, ETag from
 * what the document is made of, Last-Modified. Returns 1 when the client's
 * copy is current (304 set, nothing more to do).
 */
static int
export_head(struct request *r, const char *type, char tag, uint64_t followers)
{
	resp_start(r, 200, type);
	resp_header(r, "Access-Control-Allow-Origin", SV_LIT("*"));
	resp_header(r, "Cache-Control", SV_LIT("no-cache"));
	buf_reset(&r->etag);
	buf_putc(&r->etag, '"');
	buf_putc(&r->etag, tag);
	buf_puts(&r->etag, "-g");
	buf_putu64(&r->etag, store_generation(r->txn));
	buf_puts(&r->etag, "-v");
	buf_putu64(&r->etag, r->res.version);
	buf_puts(&r->etag, "-f");
	buf_putu64(&r->etag, followers);
	buf_putc(&r->etag, '"');
	return resp_validators(r, (struct sv){ r->etag.p, r->etag.len },
	    store_generation_time(r->txn));
}

/* A page for a viewer: holes filled, private when signed in or flashed. */
static void
send_page(struct request *r)
{
	struct viewer v;

	viewer_for(r, &v);
	resp_start(r, r->page.status, "text/html; charset=utf-8");
	viewer_headers(r, &v);
	page_fill(&r->page, &v, &r->body);
}

/* ---- GET /researchers/{slug}.json ---------------------------------------------- */

void
handle_researcher_json(struct request *r)
{
	uint64_t followers = 0;
	int rc;

	rc = store_followers(r->txn, r->res.id, &followers);
	if (rc != 0 && rc != STORE_NOTFOUND) {
		store_failure(r, rc);
		return;
	}
	if (export_head(r, "application/json", 'j', followers))
		return;
	if ((rc = export_json(r->txn, &r->res, followers, &r->body)) != 0)
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}

/* ---- GET /researchers/{slug}/graph and graph.json ---------------------------------- */


void
handle_graph(struct request *r)
{
	int rc;

	page_reset(&r->page);
	if ((rc = view_graph(r->txn, &r->res, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	send_page(r);
}

void
handle_graph_json(struct request *r)
{
	struct graph g;
	int rc;

	if ((rc = graph_build(r->txn, &r->res, NULL, &g)) != 0) {
		graph_free(&g);
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	if (!export_head(r, "application/json", 'g', 0))
		graph_json(&g, &r->res, &r->body);
	graph_free(&g);
}

/* ---- GET /researchers/{slug}/works?page=&sort= ----------------------------------- */

static int
valid_sort(struct sv v)
{
	return sv_eq_cstr(v, "newest") || sv_eq_cstr(v, "oldest") ||
	    sv_eq_cstr(v, "cited");
}

enum { WORKS_F_PAGE, WORKS_F_SORT };
static const struct field_decl works_fields[] = {
	[WORKS_F_PAGE] = { "page", 9, valid_uint, "must be a page number" },
	[WORKS_F_SORT] = { "sort", 6, valid_sort, "must be newest, oldest or cited" },
};
const struct form_spec works_form = FORM_SPEC(works_fields);

void
handle_works(struct request *r)
{
	enum works_sort sort = WORKS_NEWEST;
	int rc;

	if (sv_eq_cstr(form_get(&r->form, WORKS_F_SORT), "oldest"))
		sort = WORKS_OLDEST;
	else if (sv_eq_cstr(form_get(&r->form, WORKS_F_SORT), "cited"))
		sort = WORKS_CITED;
	page_reset(&r->page);
	if ((rc = view_works(r->txn, &r->res, query_page(&r->form, WORKS_F_PAGE),
	    sort, &r->page)) != 0) {
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
		return;
	}
	send_page(r);
}

/* ---- GET /researchers/{slug}/works.atom, .bib, .ris, .csl.json ----------------------- */

void
handle_works_atom(struct request *r)
{
	uint64_t updated;
	int rc;

	if (export_head(r, "application/atom+xml; charset=utf-8", 'a', 0))
		return;
	/* When this researcher's record or works last changed: a re-import
	 * of the same data leaves it. A record of before schema 6 has no
	 * such time: the catalog generation's, as then. */
	updated = r->res.changed;
	if (updated == 0)
		updated = store_generation_time(r->txn);
	if (updated == 0)
		updated = (uint64_t)time(NULL);
	/* Absolute links from the configured origin, never from the
	 * request's Host: a feed a cache keeps must not carry a link that
	 * one client chose. */
	rc = export_atom(r->txn, &r->res, sv_cstr(r->app->cfg->base_url),
	    updated, &r->body);
	if (rc != 0)
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}

/* A works export for reference managers, named {slug}{ext} when saved. */
static void
works_file(struct request *r, const char *type, char tag, const char *ext,
    int (*fn)(struct store_rtxn *, const struct store_researcher *,
    struct buf *))
{
	struct buf disp = BUF_INIT;
	int rc;

	if (export_head(r, type, tag, 0))
		return;
	buf_puts(&disp, "inline; filename=\"");
	url_arg(&disp, r->res.slug);
	buf_puts(&disp, ext);
	buf_putc(&disp, '"');
	resp_header(r, "Content-Disposition", (struct sv){ disp.p, disp.len });
	buf_free(&disp);
	if ((rc = fn(r->txn, &r->res, &r->body)) != 0)
		store_failure(r, rc == STORE_NOTFOUND ? STORE_CORRUPT : rc);
}

void
handle_works_bib(struct request *r)
{
	works_file(r, "application/x-bibtex; charset=utf-8", 'b', ".bib",
	    export_bib);
}

void
handle_works_ris(struct request *r)
{
	works_file(r, "application/x-research-info-systems; charset=utf-8",
	    'r', ".ris", export_ris);
}

void
handle_works_csl(struct request *r)
{
	works_file(r, "application/vnd.citationstyles.csl+json", 'c',
	    ".csl.json", export_csl);
}
