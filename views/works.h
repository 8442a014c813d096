/* works.h: a researcher's published work, a page at a time, newest or oldest first. */
#ifndef BZPEER_VIEW_WORKS_H
#define BZPEER_VIEW_WORKS_H

#include <stddef.h>

#include "../store/store.h"
#include "page.h"

#define WORKS_PER_PAGE 20

enum works_sort {
	WORKS_NEWEST,   /* year descending, undated last (the store's order) */
	WORKS_OLDEST,   /* year ascending, undated last */
	WORKS_CITED,    /* most cited first (cited_by_count), then newest */
};

/*
 * Page page_no (1-based) of r's works in the given order, inside the
 * layout, into pg (status 200, also past the last page, which says so).
 * Each work links to its DOI or landing page when that is an http(s) URL.
 * Returns 0, ENOENT when the templates are not loaded, or a store error.
 */
int view_works(struct store_rtxn *t, const struct store_researcher *r,
    size_t page_no, enum works_sort sort, struct page *pg);

/*
 * The works of r in the given order, from position skip, at most limit
 * (0: all), through cb: the store's walk for WORKS_NEWEST, a sorted copy
 * of the work ids for the others. Shared by the page and the exports.
 */
int works_each(struct store_rtxn *t, const struct store_researcher *r,
    enum works_sort sort, size_t skip, size_t limit, store_work_cb cb,
    void *ctx);

#endif
