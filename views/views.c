/* views.c: loads every template of views/ at start and on SIGHUP, keeping the old set on failure. */
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	[VT_ME] = &me_def,
	[VT_OWNER] = &owner_def,
};

/* The set in use: read-only process-wide state, replaced whole by views_load. */
static struct tmpl *loaded[VT__COUNT];

/* The static files' addresses, replaced with the set. */
static const char *const static_files[VS__COUNT] = {
	[VS_CSS] = "bzpeer.css", [VS_JS] = "bzpeer.js",
};
static char static_urls[VS__COUNT][VIEWS_STATIC_URL_MAX];
static uint32_t static_fp;


void
views_static_name(char out[VIEWS_STATIC_URL_MAX], const char *name,
    const void *p, size_t n)
{
	const char *dot = strrchr(name, '.');
	int len = dot ? (int)(dot - name) : (int)strlen(name);

	if (p == NULL)
		snprintf(out, VIEWS_STATIC_URL_MAX, "/static/%s", name);
	else
		snprintf(out, VIEWS_STATIC_URL_MAX, "/static/%.*s.%016llx%s",
		    len, name, (unsigned long long)hash64(HASH64_SEED, p, n), dot ? dot : "");
}

/* The address of dir/static/name into out, read whole (at most 4 MiB). */
static void
static_url(const char *dir, const char *name, char out[VIEWS_STATIC_URL_MAX])
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	struct stat st;
	int fd;

	buf_puts(&path, dir);
	buf_puts(&path, "/static/");
	buf_puts(&path, name);
	buf_putc(&path, '\0');
	fd = open(path.p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= (4 << 20)) {
		ssize_t k = 0;

		buf_reserve(&data, (size_t)st.st_size + 1);
		while (data.len < (size_t)st.st_size &&
		    ((k = read(fd, data.p + data.len,
		    (size_t)st.st_size - data.len)) > 0 || (k < 0 && errno == EINTR)))
			if (k > 0)
				data.len += (size_t)k;
		views_static_name(out, name, data.len == (size_t)st.st_size ?
		    (data.p ? data.p : "") : NULL, data.len);
	} else
		views_static_name(out, name, NULL, 0);
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&data);
}

const char *
views_static_url(enum views_static f)
{
	if (f >= VS__COUNT)
		return "";
	if (static_urls[f][0] == '\0')   /* nothing loaded yet */
		views_static_name(static_urls[f], static_files[f], NULL, 0);
	return static_urls[f];
}

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
	static_fp = 0;
	for (i = 0; i < VS__COUNT; i++) {
		static_url(dir, static_files[i], static_urls[i]);
		static_fp = static_fp * 31u + (uint32_t)hash64(HASH64_SEED,
		    (const unsigned char *)static_urls[i], strlen(static_urls[i]));
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
	h = h * 31u + static_fp;
	return h ? h : 1;
}

const struct tmpl *
views_tmpl(enum view_tmpl id)
{
	return id < VT__COUNT ? loaded[id] : NULL;
}
