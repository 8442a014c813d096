/* views.c: loads every template of views/ at start and on SIGHUP, keeping the old set on failure. */
#include "views.h"

#include <stddef.h>

#include "registry.h"

static const struct tmpl_def *const defs[VT__COUNT] = {
	[VT_LAYOUT] = &layout_def,
	[VT_PROFILE] = &profile_def,
	[VT_HOME] = &home_def,
	[VT_ERROR] = &error_def,
	[VT_HOLES] = &holes_def,
	[VT_GRAPH] = &graph_def,
	[VT_WORKS] = &works_def,
	[VT_WORK] = &work_def,
};

/* The set in use: read-only process-wide state, replaced whole by views_load. */
static struct tmpl *loaded[VT__COUNT];

/*
 * Parses every template into a new set; only when all parse does the new
 * set replace the old one (freed). Returns 0, or -1 with "file:line: cause"
 * in err and the old set still in use. Not async-signal-safe: call it from
 * the main loop (after a SIGHUP flag), never from a signal handler.
 */
int
views_load(const char *dir, struct buf *err)
{
	struct tmpl *next[VT__COUNT] = { NULL };
	int i;

	for (i = 0; i < VT__COUNT; i++) {
		if (tmpl_load(dir, defs[i], &next[i], err) != 0) {
			while (i-- > 0)
				tmpl_free(next[i]);
			return -1;
		}
	}
	for (i = 0; i < VT__COUNT; i++) {
		tmpl_free(loaded[i]);
		loaded[i] = next[i];
	}
	return 0;
}

void
views_unload(void)
{
	int i;

	for (i = 0; i < VT__COUNT; i++) {
		tmpl_free(loaded[i]);
		loaded[i] = NULL;
	}
}

uint32_t
views_version(void)
{
	uint32_t h = 0;
	int i;

	if (loaded[0] == NULL)
		return 0;
	for (i = 0; i < VT__COUNT; i++)
		h = h * 31u + tmpl_hash(loaded[i]);
	return h ? h : 1;
}

const struct tmpl *
views_tmpl(enum view_tmpl id)
{
	return id < VT__COUNT ? loaded[id] : NULL;
}
