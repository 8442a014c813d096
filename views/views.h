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

/*
 * The static files the pages link (dir/static/NAME, served by nginx) and
 * their addresses as the templates write them: "/static/bzpeer.HASH.css",
 * HASH 16 hex digits of the file's content, read by views_load. A new
 * file is a new address, so nginx can tell browsers to keep one for a year
 * (immutable); its fingerprint is part of views_version(), so no cached
 * page links an old one. A file that cannot be read is linked by its
 * plain name ("/static/bzpeer.css"), kept for an hour only.
 */
enum views_static { VS_CSS, VS_JS, VS__COUNT };
const char *views_static_url(enum views_static f);

/* Exposed for tests: the address of name (the file's bytes p, n). */
#define VIEWS_STATIC_URL_MAX 80
void views_static_name(char out[VIEWS_STATIC_URL_MAX], const char *name,
    const void *p, size_t n);

#endif
