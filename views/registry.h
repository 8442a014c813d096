/* registry.h: the templates of views/ as loaded by views_load(), for the view code only. */
#ifndef BZPEER_VIEW_REGISTRY_H
#define BZPEER_VIEW_REGISTRY_H

#include "page.h"
#include "tmpl.h"

/* Every template file views_load() reads, one per page or fragment set. */
enum view_tmpl {
	VT_LAYOUT,    /* layout.html: the chrome around every page */
	VT_PROFILE,   /* profile.html */
	VT_HOME,      /* home.html: front page and search */
	VT_ERROR,     /* error.html */
	VT_HOLES,     /* holes.html: the per-viewer fragments page_fill writes */
	VT_GRAPH,     /* graph.html: the research-graph explorer */
	VT_WORKS,     /* works.html: a researcher's published work, paged */
	VT_WORK,      /* work.html: one work of a list (profile, works) */
	VT_ME,        /* me.html: a signed-in user's own page */
	VT_OWNER,     /* owner.html: the owner edits a claimed profile */
	VT__COUNT
};

/* Each view's file and slot table, defined next to the view's code. */
extern const struct tmpl_def layout_def;
extern const struct tmpl_def profile_def;
extern const struct tmpl_def home_def;
extern const struct tmpl_def error_def;
extern const struct tmpl_def holes_def;
extern const struct tmpl_def graph_def;
extern const struct tmpl_def works_def;
extern const struct tmpl_def work_def;
extern const struct tmpl_def me_def;
extern const struct tmpl_def owner_def;

/*
 * The loaded template for id, or NULL when views_load() has not succeeded
 * yet. Process-wide, read-only between loads; valid until the next
 * views_load() or views_unload(), which the server calls between requests.
 */
const struct tmpl *views_tmpl(enum view_tmpl id);

/*
 * Renders t into pg's body, its holes marked in pg: how every view
 * renders a page (the engine itself knows no pages).
 */
static inline int
view_render(const struct tmpl *t, const struct tmpl_ops *ops, void *ctx,
    struct page *pg)
{
	const struct tmpl_holes h = { page_mark, pg };

	return tmpl_render(t, ops, ctx, &pg->body, &h);
}

#endif
