/* home.h: the front page and /researchers?q=: finding a researcher by name. */
#ifndef BZPEER_VIEW_HOME_H
#define BZPEER_VIEW_HOME_H

#include <stddef.h>

#include "../store/store.h"
#include "page.h"

/*
 * Lists researchers whose name starts with q (all when q is empty), page
 * page_no (1-based), inside the layout, into pg (status 200).
 */
int view_home(struct store_rtxn *t, struct sv q, size_t page_no,
    struct page *pg);

#endif
