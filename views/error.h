/* error.h: error pages (404, 405, 500, 503, ...) in the site's layout. */
#ifndef BZPEER_VIEW_ERROR_H
#define BZPEER_VIEW_ERROR_H

#include "page.h"

/*
 * Renders an error page with `status`, a short title and a sentence; with a
 * way back to `back` (a local path: the profile the request was about) when
 * it is not empty, and always to the home page, so no error is a dead end.
 */
void view_error(int status, const char *title, const char *message,
    struct sv back, struct page *pg);

#endif
