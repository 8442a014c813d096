/* works.c: /researchers/{slug}/works: a researcher's published work, 20 a page, newest or oldest first, from works.html. */
#include "works.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "layout.h"
#include "registry.h"
#include "work.h"

/* ---- order ------------------------------------------------------------------ */

struct work_key {
	struct sv id;   /* into the read transaction */
	int       year;
	uint64_t  cited;
};

struct collect {
	struct work_key *v;
	size_t           n, cap;
};

static int
collect_cb(void *ctx, const struct store_work *w)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].id = w->id;
	c->v[c->n].year = w->year > 0 ? w->year : 0;
	c->v[c->n].cited = w->cited;
	c->n++;
	return 0;
}

/* OpenAlex ids compare as numbers: "W99" before "W100". */
static int
cmp_id(struct sv a, struct sv b)
{
	if (a.n != b.n)
		return a.n < b.n ? -1 : 1;
	return memcmp(a.p, b.p, a.n);
}

/* Oldest first: dated works by year ascending, then undated; ties by id. */
static int
cmp_oldest(const void *pa, const void *pb)
{
	const struct work_key *a = pa, *b = pb;

	if (a->year != b->year) {
		if (a->year == 0 || b->year == 0)
			return a->year == 0 ? 1 : -1;
		return a->year < b->year ? -1 : 1;
	}
	return cmp_id(a->id, b->id);
}

/* Most cited first; ties newest first (the store's order), then by id. */
static int
cmp_cited(const void *pa, const void *pb)
{
	const struct work_key *a = pa, *b = pb;

	if (a->cited != b->cited)
		return a->cited > b->cited ? -1 : 1;
	if (a->year != b->year) {
		if (a->year == 0 || b->year == 0)
			return a->year == 0 ? 1 : -1;
		return a->year > b->year ? -1 : 1;
	}
	return cmp_id(a->id, b->id);
}

int
works_each(struct store_rtxn *t, const struct store_researcher *r,
    enum works_sort sort, size_t skip, size_t limit, store_work_cb cb,
    void *ctx)
{
	struct collect c = { NULL, 0, 0 };
	struct store_work w;
	size_t i, end;
	int rc;

	if (sort == WORKS_NEWEST)
		return store_researcher_works(t, r->id, skip, limit, cb, ctx);
	/* The store keeps one order; the other is a sort of the ids (a
	 * profile has hundreds of works, not millions). */
	if ((rc = store_researcher_works(t, r->id, 0, 0, collect_cb, &c)) != 0)
		goto out;
	qsort(c.v, c.n, sizeof(*c.v), sort == WORKS_CITED ? cmp_cited :
	    cmp_oldest);
	end = limit && skip + limit < c.n ? skip + limit : c.n;
	for (i = skip; i < end; i++) {
		if ((rc = store_work_by_id(t, c.v[i].id, &w)) != 0)
			goto out;
		if ((rc = cb(ctx, &w)) != 0)
			goto out;
	}
out:
	free(c.v);
	return rc;
}

/* ---- the page ----------------------------------------------------------------- */

enum {
	W_NAME, W_SLUG, W_TOTAL, W_N_ITEMS, W_FIRST, W_LAST, W_PAGE, W_PAGES,
	W_PAGED, W_PAST_END, W_HAS_PREV, W_PREV_PAGE, W_HAS_NEXT, W_NEXT_PAGE,
	W_OLDEST, W_SORT_ARG, W_NEWEST, W_CITED,
	W_ITEMS, W_WORK,
	W__COUNT
};

static const struct tmpl_slot works_slots[W__COUNT] = {
	[W_NAME] = { "name", TMPL_VAR, 0 },
	[W_SLUG] = { "slug", TMPL_VAR, 0 },
	[W_TOTAL] = { "total", TMPL_VAR, 0 },
	[W_N_ITEMS] = { "n_items", TMPL_VAR, 0 },
	[W_FIRST] = { "first", TMPL_VAR, 0 },
	[W_LAST] = { "last", TMPL_VAR, 0 },
	[W_PAGE] = { "page", TMPL_VAR, 0 },
	[W_PAGES] = { "pages", TMPL_VAR, 0 },
	[W_PAGED] = { "paged", TMPL_VAR, 0 },
	[W_PAST_END] = { "past_end", TMPL_VAR, 0 },
	[W_HAS_PREV] = { "has_prev", TMPL_VAR, 0 },
	[W_PREV_PAGE] = { "prev_page", TMPL_VAR, 0 },
	[W_HAS_NEXT] = { "has_next", TMPL_VAR, 0 },
	[W_NEXT_PAGE] = { "next_page", TMPL_VAR, 0 },
	[W_OLDEST] = { "oldest", TMPL_VAR, 0 },
	[W_SORT_ARG] = { "sort_arg", TMPL_VAR, 0 },
	[W_NEWEST] = { "newest", TMPL_VAR, 0 },
	[W_CITED] = { "cited", TMPL_VAR, 0 },
	[W_ITEMS] = { "work_items", TMPL_SECTION, 0 },
	[W_WORK] = { "work", TMPL_PARTIAL, 0 },
};

const struct tmpl_def works_def = { "works.html", works_slots, W__COUNT, 0 };

/* The state of one render; every sv lives in the caller's read transaction. */
struct wctx {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	struct page                   *pg;
	enum works_sort                sort;
	size_t                         page, pages, skip, n;
	struct tmpl_sec               *sec;
	const struct store_work       *w;       /* current work */
	struct work_list               wl;
};

static int
works_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct wctx *c = ctx;

	switch (slot) {
	case W_NAME:      return tmpl_str(out, c->r->name);
	case W_SLUG:      return tmpl_str(out, c->r->slug);
	case W_TOTAL:     return tmpl_num(out, c->r->works);
	case W_N_ITEMS:   return tmpl_num(out, c->n);
	case W_FIRST:     return tmpl_num(out, c->skip + 1);
	case W_LAST:      return tmpl_num(out, c->skip + c->n);
	case W_PAGE:      return tmpl_num(out, c->page);
	case W_PAGES:     return tmpl_num(out, c->pages);
	case W_PAGED:     return tmpl_num(out, c->pages > 1 || c->page > 1);
	case W_PAST_END:  return tmpl_num(out, c->n == 0 && c->page > 1);
	case W_HAS_PREV:  return tmpl_num(out, c->page > 1);
	case W_PREV_PAGE:
		return tmpl_num(out, c->page > c->pages && c->pages ?
		    c->pages : c->page - 1);
	case W_HAS_NEXT:  return tmpl_num(out, c->page < c->pages);
	case W_NEXT_PAGE: return tmpl_num(out, c->page + 1);
	case W_OLDEST:    return tmpl_num(out, c->sort == WORKS_OLDEST);
	case W_SORT_ARG:
		return tmpl_str(out, c->sort == WORKS_OLDEST ?
		    SV_LIT("sort=oldest&") : c->sort == WORKS_CITED ?
		    SV_LIT("sort=cited&") : (struct sv){ "", 0 });
	case W_NEWEST:    return tmpl_num(out, c->sort == WORKS_NEWEST);
	case W_CITED:     return tmpl_num(out, c->sort == WORKS_CITED);
	}
	return EINVAL;
}

static int
item_cb(void *ctx, const struct store_work *w)
{
	struct wctx *c = ctx;

	c->w = w;
	return tmpl_sec_render(c->sec);
}

static int
works_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct wctx *c = ctx;
	struct tmpl_sec *outer = c->sec;
	int rc;

	switch (slot) {
	case W_ITEMS:
		c->sec = sec;
		rc = works_each(c->t, c->r, c->sort, c->skip, WORKS_PER_PAGE,
		    item_cb, c);
		c->sec = outer;
		return rc;
	case W_WORK:
		return work_render(&c->wl, c->w, c->pg);
	}
	return EINVAL;
}

static const struct tmpl_ops works_ops = { works_var, works_section };

int
view_works(struct store_rtxn *t, const struct store_researcher *r,
    size_t page_no, enum works_sort sort, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_WORKS);
	struct wctx *c;
	struct layout l;
	struct buf s = BUF_INIT;
	size_t title_len, desc_off, canon_off;
	int rc;

	if (content == NULL)
		return ENOENT;
	c = xcalloc(1, sizeof(*c));
	c->t = t;
	c->r = r;
	c->pg = pg;
	c->wl = (struct work_list){ t, r, NULL, NULL };
	c->sort = sort;
	c->page = page_no ? page_no : 1;
	if (c->page > SIZE_MAX / WORKS_PER_PAGE)
		c->page = SIZE_MAX / WORKS_PER_PAGE;
	c->skip = (c->page - 1) * WORKS_PER_PAGE;
	c->pages = (r->works + WORKS_PER_PAGE - 1) / WORKS_PER_PAGE;
	/* How many this page holds: the count, not a second walk. */
	c->n = c->skip < r->works ? r->works - c->skip : 0;
	if (c->n > WORKS_PER_PAGE)
		c->n = WORKS_PER_PAGE;

	buf_put(&s, r->name.p, r->name.n);
	buf_puts(&s, " · Published work");
	title_len = s.len;
	desc_off = s.len;
	buf_puts(&s, "Published work of ");
	buf_put(&s, r->name.p, r->name.n);
	buf_puts(&s, " on BZPEER, ");
	buf_puts(&s, sort == WORKS_OLDEST ? "oldest" : sort == WORKS_CITED ?
	    "most cited" : "newest");
	buf_puts(&s, " first.");
	canon_off = s.len;
	buf_puts(&s, "/researchers/");
	url_arg(&s, r->slug);
	buf_puts(&s, "/works");

	memset(&l, 0, sizeof(l));
	l.title = (struct sv){ s.p, title_len };
	l.description = (struct sv){ s.p + desc_off, canon_off - desc_off };
	/* only the first page, newest first, names itself canonical */
	if (c->page == 1 && sort == WORKS_NEWEST)
		l.canonical = (struct sv){ s.p + canon_off, s.len - canon_off };
	l.kind = SV_LIT("works");
	l.content = content;
	l.ops = &works_ops;
	l.ctx = c;
	pg->status = 200;
	buf_reset(&pg->slug);
	buf_put(&pg->slug, r->slug.p, r->slug.n);
	rc = layout_render(&l, pg);
	buf_free(&s);
	free(c);
	return rc;
}
