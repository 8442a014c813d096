/* error.c: error pages (404, 405, 500, 503, ...) from error.html, inside the layout. */
#include "error.h"

#include <errno.h>

#include "html.h"
#include "layout.h"
#include "registry.h"

enum { E_STATUS, E_TITLE, E_MESSAGE, E_BACK, E__COUNT };

static const struct tmpl_slot error_slots[E__COUNT] = {
	[E_STATUS] = { "status", TMPL_VAR, 0 },
	[E_TITLE] = { "title", TMPL_VAR, 0 },
	[E_MESSAGE] = { "message", TMPL_VAR, 0 },
	[E_BACK] = { "back", TMPL_VAR, 0 },
};

const struct tmpl_def error_def = { "error.html", error_slots, E__COUNT, 0 };

struct ectx {
	int       status;
	struct sv title, message, back;
};

static int
error_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct ectx *e = ctx;

	switch (slot) {
	case E_STATUS:  return tmpl_num(out, (uint64_t)e->status);
	case E_TITLE:   return tmpl_str(out, e->title);
	case E_MESSAGE: return tmpl_str(out, e->message);
	case E_BACK:    return tmpl_str(out, e->back);
	}
	return EINVAL;
}

static int
error_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	return EINVAL;   /* error.html has no sections */
}

static const struct tmpl_ops error_ops = { error_var, error_section };

/*
 * The page when the templates cannot be used (not loaded, or the render
 * failed): literal markup, the title and message escaped. No holes.
 */
static void
fallback(const struct ectx *e, struct page *pg)
{
	static const char head[] = "<!doctype html>\n<html lang=\"en\">\n"
	    "<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>";
	static const char mid[] = " · BZPEER</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/bzpeer.css\"></head>\n<body><main class=\"wrap\">"
	    "<h1>";
	static const char tail[] = "</p><p><a href=\"/\">Go to the BZPEER "
	    "home page</a></p></main></body></html>\n";

	page_reset(pg);
	pg->status = e->status;
	html_raw_trusted(&pg->body, head, sizeof(head) - 1);
	html_txt(&pg->body, e->title);
	html_raw_trusted(&pg->body, mid, sizeof(mid) - 1);
	html_txt(&pg->body, e->title);
	html_raw_trusted(&pg->body, "</h1><p>", 8);
	html_txt(&pg->body, e->message);
	html_raw_trusted(&pg->body, tail, sizeof(tail) - 1);
}

void
view_error(int status, const char *title, const char *message,
    struct sv back, struct page *pg)
{
	struct ectx e = { status, sv_cstr(title), sv_cstr(message), back };
	struct layout l = {
		.title = e.title,
		.kind = SV_LIT("error"),
		.content = views_tmpl(VT_ERROR),
		.ops = &error_ops,
		.ctx = &e,
	};

	page_reset(pg);
	pg->status = status;
	if (layout_render(&l, pg) != 0)
		fallback(&e, pg);
}
