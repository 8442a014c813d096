/* work.c: one work in a list of works, from work.html, for profile.html and works.html alike; a work's link. */
#include "work.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "registry.h"

#define MAX_AUTHORS 12   /* authors listed per work, then "and N more" */

/* 1 when s starts with http:// or https:// (any case): safe to link to. */
static int
is_web_url(struct sv s)
{
	return (s.n > 8 && strncasecmp(s.p, "https://", 8) == 0) ||
	    (s.n > 7 && strncasecmp(s.p, "http://", 7) == 0);
}

struct sv
work_url(const struct store_work *w)
{
	if (is_web_url(w->doi))
		return w->doi;
	if (is_web_url(w->landing_url))
		return w->landing_url;
	return (struct sv){ "", 0 };
}

enum {
	W_TYPE, W_YEAR, W_VENUE, W_TITLE, W_URL, W_ABSTRACT, W_N_AUTHORS,
	W_AUTHOR_ITEMS, W_MORE_AUTHORS, W_A_FIRST, W_A_SELF, W_A_NAME, W_A_SLUG,
	W_RETRACTED, W_HAS_FIGURES, W_CITED, W_DATE, W_OA_URL,
	W__COUNT
};

static const struct tmpl_slot work_slots[W__COUNT] = {
	[W_TYPE] = { "w_type", TMPL_VAR, 0 },
	[W_YEAR] = { "w_year", TMPL_VAR, 0 },
	[W_VENUE] = { "w_venue", TMPL_VAR, 0 },
	[W_TITLE] = { "w_title", TMPL_VAR, 0 },
	[W_URL] = { "w_url", TMPL_VAR, 0 },
	[W_ABSTRACT] = { "w_abstract", TMPL_VAR, 0 },
	[W_N_AUTHORS] = { "w_n_authors", TMPL_VAR, 0 },
	[W_AUTHOR_ITEMS] = { "w_author_items", TMPL_SECTION, 0 },
	[W_MORE_AUTHORS] = { "w_more_authors", TMPL_VAR, 0 },
	[W_A_FIRST] = { "a_first", TMPL_VAR, 0 },
	[W_A_SELF] = { "a_self", TMPL_VAR, 0 },
	[W_A_NAME] = { "a_name", TMPL_VAR, 0 },
	[W_A_SLUG] = { "a_slug", TMPL_VAR, 0 },
	[W_RETRACTED] = { "w_retracted", TMPL_VAR, 0 },
	[W_HAS_FIGURES] = { "w_has_figures", TMPL_VAR, 0 },
	[W_CITED] = { "w_cited", TMPL_VAR, 0 },
	[W_DATE] = { "w_date", TMPL_VAR, 0 },
	[W_OA_URL] = { "w_oa_url", TMPL_VAR, 0 },
};

const struct tmpl_def work_def = {
	"work.html", work_slots, W__COUNT, TMPL_F_PARTIAL
};

/* The state of one work's render; every sv lives in the read transaction. */
struct wctx {
	const struct work_list  *l;
	const struct store_work *w;
	struct sv                url, oa_url;
	struct store_author_ref  a;        /* current author */
	struct sv                a_slug;
	uint32_t                 ai;
	struct store_researcher  a_rec;    /* looked-up author */
};

/*
 * The slug of researcher `id` for a link, *slug empty when the author has
 * no profile. Returns 0 or a store error other than STORE_NOTFOUND.
 */
static int
author_slug(struct wctx *c, struct sv id, struct sv *slug)
{
	int rc;

	*slug = (struct sv){ "", 0 };
	if (sv_eq(id, c->l->r->id)) {
		*slug = c->l->r->slug;
		return 0;
	}
	if (id.n == 0)
		return 0;
	if (c->l->known && c->l->known(c->l->known_ctx, id, slug))
		return 0;
	rc = store_researcher_by_id(c->l->t, id, &c->a_rec);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	*slug = c->a_rec.slug;
	return 0;
}

static int
work_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct wctx *c = ctx;
	const struct store_work *w = c->w;

	switch (slot) {
	case W_TYPE:      return tmpl_str(out, w->type);
	case W_YEAR:      return tmpl_num(out, w->year > 0 ? (uint64_t)w->year : 0);
	case W_VENUE:     return tmpl_str(out, w->venue);
	case W_TITLE:     return tmpl_str(out, w->title);
	case W_URL:       return tmpl_str(out, c->url);
	case W_ABSTRACT:  return tmpl_str(out, w->abstract);
	case W_N_AUTHORS: return tmpl_num(out, w->n_authors);
	case W_MORE_AUTHORS:
		return tmpl_num(out, w->n_authors > MAX_AUTHORS ?
		    w->n_authors - MAX_AUTHORS : 0);
	case W_A_FIRST:   return tmpl_num(out, c->ai == 0);
	case W_A_SELF:    return tmpl_num(out, sv_eq(c->a.id, c->l->r->id));
	case W_A_NAME:    return tmpl_str(out, c->a.name);
	case W_A_SLUG:    return tmpl_str(out, c->a_slug);
	case W_RETRACTED: return tmpl_num(out, (w->flags & STORE_WORK_RETRACTED) != 0);
	case W_HAS_FIGURES:
		return tmpl_num(out, w->cited > 0 || w->date.n > 0 ||
		    c->oa_url.n > 0);
	case W_CITED:     return tmpl_num(out, w->cited);
	case W_DATE:      return tmpl_str(out, w->date);
	case W_OA_URL:    return tmpl_str(out, c->oa_url);
	}
	return EINVAL;
}

static int
work_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct wctx *c = ctx;
	size_t pos = 0;
	int rc;

	if (slot != W_AUTHOR_ITEMS)
		return EINVAL;
	for (c->ai = 0; c->ai < MAX_AUTHORS; c->ai++) {
		rc = store_work_author_next(c->w, &pos, &c->a);
		if (rc == STORE_NOTFOUND)
			return 0;
		if (rc != 0)
			return rc;
		if ((rc = author_slug(c, c->a.id, &c->a_slug)) != 0)
			return rc;
		if ((rc = tmpl_sec_render(sec)) != 0)
			return rc;
	}
	return 0;
}

static const struct tmpl_ops work_ops = { work_var, work_section };

int
work_render(const struct work_list *l, const struct store_work *w,
    struct page *pg)
{
	const struct tmpl *t = views_tmpl(VT_WORK);
	struct wctx c;

	if (t == NULL)
		return ENOENT;
	memset(&c, 0, sizeof(c));
	c.l = l;
	c.w = w;
	c.url = work_url(w);
	c.oa_url = is_web_url(w->oa_url) ? w->oa_url : (struct sv){ "", 0 };
	return view_render(t, &work_ops, &c, pg);
}
