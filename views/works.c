/* works.c: /researchers/{slug}/works: a researcher's published work, 20 a page, newest or oldest first, from works.html. */
#include "works.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "layout.h"
#include "registry.h"

#define MAX_AUTHORS 12   /* authors listed per work, then "and N more" */

/* ---- order ------------------------------------------------------------------ */

struct work_key {
	struct sv id;   /* into the read transaction */
	int       year;
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
	qsort(c.v, c.n, sizeof(*c.v), cmp_oldest);
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
	W_OLDEST, W_SORT_ARG,
	W_ITEMS, W_TYPE, W_YEAR, W_VENUE, W_TITLE, W_URL, W_ABSTRACT,
	W_N_AUTHORS, W_AUTHOR_ITEMS, W_MORE_AUTHORS, W_A_FIRST, W_A_SELF,
	W_A_NAME, W_A_SLUG,
	W__COUNT
};

static const struct tmpl_slot works_slots[W__COUNT] = {
	[W_NAME] = { "name", TMPL_VAR },
	[W_SLUG] = { "slug", TMPL_VAR },
	[W_TOTAL] = { "total", TMPL_VAR },
	[W_N_ITEMS] = { "n_items", TMPL_VAR },
	[W_FIRST] = { "first", TMPL_VAR },
	[W_LAST] = { "last", TMPL_VAR },
	[W_PAGE] = { "page", TMPL_VAR },
	[W_PAGES] = { "pages", TMPL_VAR },
	[W_PAGED] = { "paged", TMPL_VAR },
	[W_PAST_END] = { "past_end", TMPL_VAR },
	[W_HAS_PREV] = { "has_prev", TMPL_VAR },
	[W_PREV_PAGE] = { "prev_page", TMPL_VAR },
	[W_HAS_NEXT] = { "has_next", TMPL_VAR },
	[W_NEXT_PAGE] = { "next_page", TMPL_VAR },
	[W_OLDEST] = { "oldest", TMPL_VAR },
	[W_SORT_ARG] = { "sort_arg", TMPL_VAR },
	[W_ITEMS] = { "work_items", TMPL_SECTION },
	[W_TYPE] = { "w_type", TMPL_VAR },
	[W_YEAR] = { "w_year", TMPL_VAR },
	[W_VENUE] = { "w_venue", TMPL_VAR },
	[W_TITLE] = { "w_title", TMPL_VAR },
	[W_URL] = { "w_url", TMPL_VAR },
	[W_ABSTRACT] = { "w_abstract", TMPL_VAR },
	[W_N_AUTHORS] = { "w_n_authors", TMPL_VAR },
	[W_AUTHOR_ITEMS] = { "w_author_items", TMPL_SECTION },
	[W_MORE_AUTHORS] = { "w_more_authors", TMPL_VAR },
	[W_A_FIRST] = { "a_first", TMPL_VAR },
	[W_A_SELF] = { "a_self", TMPL_VAR },
	[W_A_NAME] = { "a_name", TMPL_VAR },
	[W_A_SLUG] = { "a_slug", TMPL_VAR },
};

const struct tmpl_def works_def = { "works.html", works_slots, W__COUNT, 0 };

/* The state of one render; every sv lives in the caller's read transaction. */
struct wctx {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	enum works_sort                sort;
	size_t                         page, pages, skip, n;
	struct tmpl_sec               *sec;
	const struct store_work       *w;
	struct sv                      w_url;
	struct store_author_ref        a;
	struct sv                      a_slug;
	uint32_t                       ai;
	struct store_researcher        a_rec;
};

/* 1 when s starts with http:// or https:// (any case): safe to link to. */
static int
is_web_url(struct sv s)
{
	return (s.n > 8 && strncasecmp(s.p, "https://", 8) == 0) ||
	    (s.n > 7 && strncasecmp(s.p, "http://", 7) == 0);
}

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
		    SV_LIT("sort=oldest&") : (struct sv){ "", 0 });
	case W_TYPE:      return tmpl_str(out, c->w->type);
	case W_YEAR:      return tmpl_num(out, c->w->year > 0 ? (uint64_t)c->w->year : 0);
	case W_VENUE:     return tmpl_str(out, c->w->venue);
	case W_TITLE:     return tmpl_str(out, c->w->title);
	case W_URL:       return tmpl_str(out, c->w_url);
	case W_ABSTRACT:  return tmpl_str(out, c->w->abstract);
	case W_N_AUTHORS: return tmpl_num(out, c->w->n_authors);
	case W_MORE_AUTHORS:
		return tmpl_num(out, c->w->n_authors > MAX_AUTHORS ?
		    c->w->n_authors - MAX_AUTHORS : 0);
	case W_A_FIRST:   return tmpl_num(out, c->ai == 0);
	case W_A_SELF:    return tmpl_num(out, sv_eq(c->a.id, c->r->id));
	case W_A_NAME:    return tmpl_str(out, c->a.name);
	case W_A_SLUG:    return tmpl_str(out, c->a_slug);
	}
	return EINVAL;
}

static int
item_cb(void *ctx, const struct store_work *w)
{
	struct wctx *c = ctx;

	c->w = w;
	if (is_web_url(w->doi))
		c->w_url = w->doi;
	else if (is_web_url(w->landing_url))
		c->w_url = w->landing_url;
	else
		c->w_url = (struct sv){ "", 0 };
	return tmpl_sec_render(c->sec);
}

static int
works_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct wctx *c = ctx;
	struct tmpl_sec *outer = c->sec;
	size_t pos = 0;
	int rc;

	switch (slot) {
	case W_ITEMS:
		c->sec = sec;
		rc = works_each(c->t, c->r, c->sort, c->skip, WORKS_PER_PAGE,
		    item_cb, c);
		c->sec = outer;
		return rc;
	case W_AUTHOR_ITEMS:
		for (c->ai = 0; c->ai < MAX_AUTHORS; c->ai++) {
			rc = store_work_author_next(c->w, &pos, &c->a);
			if (rc == STORE_NOTFOUND)
				return 0;
			if (rc != 0)
				return rc;
			c->a_slug = (struct sv){ "", 0 };
			if (sv_eq(c->a.id, c->r->id))
				c->a_slug = c->r->slug;
			else if (c->a.id.n) {
				rc = store_researcher_by_id(c->t, c->a.id, &c->a_rec);
				if (rc == 0)
					c->a_slug = c->a_rec.slug;
				else if (rc != STORE_NOTFOUND)
					return rc;
			}
			if ((rc = tmpl_sec_render(sec)) != 0)
				return rc;
		}
		return 0;
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
	buf_puts(&s, sort == WORKS_OLDEST ? "oldest" : "newest");
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
