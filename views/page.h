/* page.h: a rendered page with holes for what differs per viewer, and its format in the Redis cache. */
#ifndef BZPEER_PAGE_H
#define BZPEER_PAGE_H

#include <stdint.h>

#include "../store/buf.h"

/*
 * A page is rendered once, for every viewer: what differs per viewer or
 * changes often is left as a hole, filled at serve time by page_fill()
 * (holes.h). The same page is what the Redis cache stores, so a follow
 * never invalidates a cached page.
 */
enum hole {
	HOLE_SESSION_BAR,  /* "Log in" link, or "Signed in as X" + log-out form */
	HOLE_FLASH,        /* one-time message after a POST (Post/Redirect/Get) */
	HOLE_FOLLOWERS,    /* the follower count, in the counters and the button */
	HOLE_FOLLOW_FORM,  /* the follow form: Follow / Following, CSRF token */
	HOLE_CLAIM,        /* "Log in to claim", the claim form, or claim state */
	HOLE_INVITE,       /* the invitation form, or why there is none for this viewer */
	HOLE__COUNT
};

#define PAGE_MAX_HOLES 32

struct page_hole {
	uint32_t off;      /* byte offset into body where the hole sits */
	uint8_t  kind;     /* enum hole */
};

struct page {
	struct buf body;   /* the page with holes cut out */
	struct page_hole holes[PAGE_MAX_HOLES];
	uint32_t nholes;
	int status;        /* HTTP status the page is served with */
	struct buf slug;   /* the researcher's slug, for forms in holes ("" if none) */
};

void page_init(struct page *pg);
void page_reset(struct page *pg);
void page_free(struct page *pg);

/*
 * Marks a hole of `kind` at the current end of pg->body. Returns 0, or
 * ENOSPC when the page already has PAGE_MAX_HOLES holes (or EFBIG past
 * 4 GiB); the template engine turns that into a render error.
 */
int page_hole(struct page *pg, enum hole kind);

/* page_hole() as the template engine's hole callback (tmpl_holes): pg is a struct page. */
int page_mark(void *pg, int hole);

/*
 * The page as Redis keeps it: "BZPG1", u32 status, u32 nholes, u32 slug
 * length, nholes x (u32 offset, u8 kind), slug, body (little-endian).
 * page_decode() checks every length, the holes' order and kinds, and the
 * status, and returns 0, or -1 with pg empty: a damaged entry is a miss.
 */
void page_encode(const struct page *pg, struct buf *out);
int  page_decode(struct page *pg, const char *p, size_t n);

/*
 * page_decode() without the copies: pg's slug and body point into p (cap
 * 0), which must outlive it; pg must then never be reset, written or
 * freed. The same checks; -1 with pg empty.
 */
int  page_view(struct page *pg, const char *p, size_t n);

#endif
