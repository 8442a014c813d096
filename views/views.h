/* views.h: loading the templates in views/ once, at start and on SIGHUP. */
#ifndef BZPEER_VIEWS_H
#define BZPEER_VIEWS_H

#include <stdint.h>

#include "../store/buf.h"

/*
 * Loads and parses every template under dir (views/NAME.html). Returns 0, or -1
 * with a message naming the file, line and cause in err. A template that
 * names an unknown slot is an error here, not at render time. On failure the
 * previously loaded templates stay in use.
 */
int  views_load(const char *dir, struct buf *err);
void views_unload(void);

/*
 * A fingerprint of the loaded templates' source (0 when none are loaded):
 * the same on every worker and node that loaded the same files, different
 * after a reload that changed any. Part of the page cache key, so pages
 * rendered with old templates are not served after a SIGHUP.
 */
uint32_t views_version(void);

#endif
