/* views.h: loading the templates in views/ once, at start and on SIGHUP. */
#ifndef BZPEER_VIEWS_H
#define BZPEER_VIEWS_H

#include "../store/buf.h"

/*
 * Loads and parses every template under dir (views/NAME.html). Returns 0, or -1
 * with a message naming the file, line and cause in err. A template that
 * names an unknown slot is an error here, not at render time. On failure the
 * previously loaded templates stay in use.
 */
int  views_load(const char *dir, struct buf *err);
void views_unload(void);

#endif
