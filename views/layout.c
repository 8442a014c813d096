/* layout.c: renders layout.html, the shared chrome, around a view's template. */
#include "layout.h"

#include <errno.h>

#include "registry.h"
#include "views.h"

enum {
	L_TITLE, L_DESCRIPTION, L_CANONICAL, L_Q, L_KIND, L_CONTENT,
	L_OG_TYPE, L_FEED, L_JSON, L_SESSION_BAR, L_FLASH, L_CSS, L_JS,
	L__COUNT
};

static const struct tmpl_slot layout_slots[L__COUNT] = {
	[L_TITLE] = { "title", TMPL_VAR, 0 },
	[L_DESCRIPTION] = { "description", TMPL_VAR, 0 },
	[L_CANONICAL] = { "canonical", TMPL_VAR, 0 },
	[L_Q] = { "q", TMPL_VAR, 0 },
	[L_KIND] = { "kind", TMPL_VAR, 0 },
	[L_CONTENT] = { "content", TMPL_PARTIAL, 0 },
	[L_OG_TYPE] = { "og_type", TMPL_VAR, 0 },
	[L_FEED] = { "feed", TMPL_VAR, 0 },
	[L_JSON] = { "json", TMPL_VAR, 0 },
	[L_SESSION_BAR] = { "session_bar", TMPL_HOLE, HOLE_SESSION_BAR },
	[L_FLASH] = { "flash", TMPL_HOLE, HOLE_FLASH },
	[L_CSS] = { "css", TMPL_VAR, 0 },
	[L_JS] = { "js", TMPL_VAR, 0 },
};

const struct tmpl_def layout_def = {
	"layout.html", layout_slots, L__COUNT, 0
};

struct lctx {
	const struct layout *l;
	struct page         *pg;
};

static int
layout_var(void *ctx, int slot, struct tmpl_val *out)
{
	const struct layout *l = ((struct lctx *)ctx)->l;

	switch (slot) {
	case L_TITLE:       return tmpl_str(out, l->title);
	case L_DESCRIPTION: return tmpl_str(out, l->description);
	case L_CANONICAL:   return tmpl_str(out, l->canonical);
	case L_Q:           return tmpl_str(out, l->q);
	case L_KIND:        return tmpl_str(out, l->kind);
	case L_OG_TYPE:     return tmpl_str(out, l->og_type);
	case L_FEED:        return tmpl_str(out, l->feed);
	case L_JSON:        return tmpl_str(out, l->json);
	case L_CSS:         return tmpl_str(out, sv_cstr(views_static_url(VS_CSS)));
	case L_JS:          return tmpl_str(out, sv_cstr(views_static_url(VS_JS)));
	}
	return EINVAL;
}

static int
layout_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct lctx *c = ctx;

	if (slot != L_CONTENT)
		return EINVAL;
	return view_render(c->l->content, c->l->ops, c->l->ctx, c->pg);
}

static const struct tmpl_ops layout_ops = { layout_var, layout_section };

int
layout_render(const struct layout *l, struct page *pg)
{
	const struct tmpl *t = views_tmpl(VT_LAYOUT);
	struct lctx c = { l, pg };

	if (t == NULL || l->content == NULL)
		return ENOENT;
	return view_render(t, &layout_ops, &c, pg);
}
