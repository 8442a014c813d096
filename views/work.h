/* work.h: one work in a list of works (work.html), shared by the profile and the works pages; a work's link. */
#ifndef BZPEER_VIEW_WORK_H
#define BZPEER_VIEW_WORK_H

#include "../store/store.h"
#include "page.h"

/*
 * The work's link: its DOI, else its landing page, when that is an http(s)
 * URL (any case); else empty. Points into w.
 */
struct sv work_url(const struct store_work *w);

/*
 * What the works of one list share. r is the researcher whose list it is:
 * r's own name is in bold, not a link. Every other author with a profile is
 * linked to it: known, when set, is asked first (a page that has read the
 * co-authors already; it returns 1 with *slug set, or 0), then the store
 * through t.
 */
struct work_list {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	int                          (*known)(void *ctx, struct sv id, struct sv *slug);
	void                          *known_ctx;
};

/*
 * Appends work.html for w to pg: type, year and venue, the title linked to
 * work_url(w), the first authors linked to their profiles, the abstract.
 * Returns 0, ENOENT when the templates are not loaded, or a store error.
 */
int work_render(const struct work_list *l, const struct store_work *w,
    struct page *pg);

#endif
