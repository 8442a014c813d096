/* error.h: error pages (404, 405, 500, 503, ...) in the site's layout. */
#ifndef BZPEER_VIEW_ERROR_H
#define BZPEER_VIEW_ERROR_H

#include "page.h"

/* Renders an error page with `status`, a short title and a sentence. */
void view_error(int status, const char *title, const char *message,
    struct page *pg);

#endif
