/* home.c: the front page and /researchers?q=: researchers by name, 50 a page, from home.html. */
#include "home.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "registry.h"

#define PER_PAGE 50

enum {
	H_Q, H_TOTAL, H_N_ITEMS, H_FIRST, H_LAST, H_PAGE, H_PAGES, H_PAGED,
	H_PAST_END, H_HAS_PREV, H_PREV_PAGE, H_HAS_NEXT, H_NEXT_PAGE,
	H_ITEMS, H_R_NAME, H_R_SLUG, H_R_INSTITUTION, H_R_WORKS, H_R_ONE,
	H__COUNT
};

static const struct tmpl_slot home_slots[H__COUNT] = {
	[H_Q] = { "q", TMPL_VAR, 0 },
	[H_TOTAL] = { "total", TMPL_VAR, 0 },
	[H_N_ITEMS] = { "n_items", TMPL_VAR, 0 },
	[H_FIRST] = { "first", TMPL_VAR, 0 },
	[H_LAST] = { "last", TMPL_VAR, 0 },
	[H_PAGE] = { "page", TMPL_VAR, 0 },
	[H_PAGES] = { "pages", TMPL_VAR, 0 },
	[H_PAGED] = { "paged", TMPL_VAR, 0 },
	[H_PAST_END] = { "past_end", TMPL_VAR, 0 },
	[H_HAS_PREV] = { "has_prev", TMPL_VAR, 0 },
	[H_PREV_PAGE] = { "prev_page", TMPL_VAR, 0 },
	[H_HAS_NEXT] = { "has_next", TMPL_VAR, 0 },
	[H_NEXT_PAGE] = { "next_page", TMPL_VAR, 0 },
	[H_ITEMS] = { "items", TMPL_SECTION, 0 },
	[H_R_NAME] = { "r_name", TMPL_VAR, 0 },
	[H_R_SLUG] = { "r_slug", TMPL_VAR, 0 },
	[H_R_INSTITUTION] = { "r_institution", TMPL_VAR, 0 },
	[H_R_WORKS] = { "r_works", TMPL_VAR, 0 },
	[H_R_ONE] = { "r_one", TMPL_VAR, 0 },
};

const struct tmpl_def home_def = { "home.html", home_slots, H__COUNT, 0 };

/* State of one render; the researchers' svs live in the caller's txn. */
struct hctx {
	struct sv               q;
	size_t                  page, pages, total, skip;
	struct store_researcher rows[PER_PAGE];
	size_t                  n;
	const struct store_researcher *cur;
};

static int
row_cb(void *ctx, const struct store_researcher *r)
{
	struct hctx *h = ctx;

	if (h->n == PER_PAGE)
		return TMPL_STOP;
	h->rows[h->n++] = *r;
	return 0;
}

static int
home_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct hctx *h = ctx;

	switch (slot) {
	case H_Q:         return tmpl_str(out, h->q);
	case H_TOTAL:     return tmpl_num(out, h->total);
	case H_N_ITEMS:   return tmpl_num(out, h->n);
	case H_FIRST:     return tmpl_num(out, h->skip + 1);
	case H_LAST:      return tmpl_num(out, h->skip + h->n);
	case H_PAGE:      return tmpl_num(out, h->page);
	case H_PAGES:     return tmpl_num(out, h->pages);
	case H_PAGED:     return tmpl_num(out, h->pages > 1 || h->page > 1);
	case H_PAST_END:  return tmpl_num(out, h->n == 0 && h->page > 1);
	case H_HAS_PREV:  return tmpl_num(out, h->page > 1);
	case H_PREV_PAGE:
		/* past the end, "previous" leads back to the last page */
		return tmpl_num(out, h->page > h->pages && h->pages ?
		    h->pages : h->page - 1);
	case H_HAS_NEXT:  return tmpl_num(out, h->page < h->pages);
	case H_NEXT_PAGE: return tmpl_num(out, h->page + 1);
	case H_R_NAME:    return tmpl_str(out, h->cur->name);
	case H_R_SLUG:    return tmpl_str(out, h->cur->slug);
	case H_R_INSTITUTION: return tmpl_str(out, h->cur->institution);
	case H_R_WORKS:   return tmpl_num(out, h->cur->works);
	case H_R_ONE:     return tmpl_num(out, h->cur->works == 1);
	}
	return EINVAL;
}

static int
home_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct hctx *h = ctx;
	size_t i;
	int rc;

	if (slot != H_ITEMS)
		return EINVAL;
	for (i = 0; i < h->n; i++) {
		h->cur = &h->rows[i];
		if ((rc = tmpl_sec_render(sec)) != 0)
			return rc;
	}
	return 0;
}

static const struct tmpl_ops home_ops = { home_var, home_section };

int
view_home(struct store_rtxn *t, struct sv q, size_t page_no, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_HOME);
	struct hctx *h;
	struct layout l;
	size_t total = 0;
	int rc;

	if (content == NULL)
		return ENOENT;
	h = xcalloc(1, sizeof(*h));   /* ~7 KiB: not on the stack */
	h->q = q;
	h->page = page_no ? page_no : 1;
	if (h->page > SIZE_MAX / PER_PAGE)
		h->page = SIZE_MAX / PER_PAGE;
	h->skip = (h->page - 1) * PER_PAGE;
	rc = store_researchers_by_name(t, q, h->skip, PER_PAGE, &total,
	    row_cb, h);
	if (rc != 0 && rc != TMPL_STOP)
		goto out;
	h->total = total;
	h->pages = (total + PER_PAGE - 1) / PER_PAGE;

	memset(&l, 0, sizeof(l));
	l.title = q.n ? SV_LIT("Find a researcher") : SV_LIT("Researchers");
	l.description = SV_LIT("Find researchers on BZPEER by name: public "
	    "author records with their works, topics and collaborators.");
	l.canonical = q.n || h->page > 1 ? (struct sv){ "", 0 } : SV_LIT("/");
	l.q = q;
	l.kind = SV_LIT("home");
	l.content = content;
	l.ops = &home_ops;
	l.ctx = h;
	pg->status = 200;
	buf_reset(&pg->slug);
	rc = layout_render(&l, pg);
out:
	free(h);
	return rc;
}
