/* layout.h: the chrome every page shares (layout.html), around a view's own template. */
#ifndef BZPEER_VIEW_LAYOUT_H
#define BZPEER_VIEW_LAYOUT_H

#include "page.h"
#include "tmpl.h"

/*
 * What a view tells the layout. Strings are the view's (they must outlive
 * layout_render); they are data and are escaped where they land.
 */
struct layout {
	struct sv              title;        /* "<title> · BZPEER" */
	struct sv              description;  /* meta description, or empty */
	struct sv              canonical;    /* canonical path, or empty */
	struct sv              q;            /* the search box's value */
	struct sv              kind;         /* body class: "profile", "home", "error" */
	struct sv              og_type;      /* OpenGraph og:type ("profile"), or empty: no OpenGraph tags */
	struct sv              feed;         /* path of the page's Atom feed, or empty */
	struct sv              json;         /* path of the page's JSON form, or empty */
	const struct tmpl     *content;      /* the view's template, rendered in <main> */
	const struct tmpl_ops *ops;          /* ... with these handlers */
	void                  *ctx;          /* ... and this state */
};

/*
 * Appends layout.html with the view's template at {{>content}} to pg->body.
 * Returns 0, ENOENT when the templates are not loaded, or the first render
 * error (pg then holds a partial page: reset it).
 */
int layout_render(const struct layout *l, struct page *pg);

#endif
