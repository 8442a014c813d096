/* page.h: a rendered page with holes for what differs per viewer (DESIGN.md §4). */
#ifndef BZPEER_PAGE_H
#define BZPEER_PAGE_H

#include <stdint.h>

#include "../store/buf.h"

/*
 * A page is rendered once, for every viewer: what differs per viewer or
 * changes often is left as a hole, filled at serve time by page_fill(). The
 * same page is what the Redis cache stores (issue 3), so a follow never
 * invalidates a cached page.
 */
enum hole {
	HOLE_SESSION_BAR,  /* "Log in" link, or "Signed in as X" + log-out form */
	HOLE_FLASH,        /* one-time message after a POST (Post/Redirect/Get) */
	HOLE_FOLLOWERS,    /* the follower count, in the counters and the button */
	HOLE_FOLLOW_FORM,  /* the follow form: Follow / Following, CSRF token */
	HOLE_CLAIM,        /* "Log in to claim", the claim form, or claim state */
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

/* Who is looking, and the per-request figures that go into the holes. */
struct viewer {
	struct sv user;        /* signed-in user name, empty when signed out */
	struct sv csrf;        /* CSRF token for forms, empty when signed out */
	struct sv flash;       /* message to show once, or empty */
	uint64_t  followers;   /* current follower count of the profile */
	int       following;   /* the viewer follows this researcher */
	int       claim;       /* enum store_claim of the profile */
	int       own_claim;   /* the pending/approved claim is this viewer's */
	/* A refused claim form comes back with the reason and what was typed. */
	struct sv claim_error;
	struct sv claim_orcid, claim_email, claim_url, claim_note;
};

/*
 * Appends the page to out with each hole filled for viewer v: the body is
 * written as it is (it was escaped when rendered), everything from v and
 * pg->slug is escaped. The fragments come from views/holes.html; when the
 * templates are not loaded the holes are left empty.
 */
void page_fill(const struct page *pg, const struct viewer *v, struct buf *out);

#endif
