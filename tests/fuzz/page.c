/* page.c (fuzz): the page as the caches keep it (views/page.h): any bytes through page_decode() and page_view(). */
/*
 * Redis and this machine's page cache hold copies the app wrote, but a
 * cache is not to be trusted: an entry cut short, written by another
 * version, or damaged must be a miss, never a crash or a hole outside its
 * page. A decoded page has its holes in order, within its body, of known
 * kinds, and encodes back to exactly the bytes it came from; page_view()
 * (the same frame read in place, as the machine's cache does) accepts
 * exactly what page_decode() accepts and shows the same page, its body and
 * slug inside the bytes given.
 */
#include <string.h>

#include "../../views/page.h"
#include "fuzz.h"

static struct page fuzz_pg;

FUZZ_INIT(page)
{
	page_init(&fuzz_pg);
	return 0;
}

FUZZ_ONE(page)
{
	struct buf again = BUF_INIT;
	struct page view;
	uint32_t prev = 0;
	int vr = page_view(&view, (const char *)data, size);

	if (page_decode(&fuzz_pg, (const char *)data, size) != 0) {
		/* Refused: the page is left empty, and so is the view. */
		FUZZ_CHECK(fuzz_pg.nholes == 0 && fuzz_pg.body.len == 0 &&
		    fuzz_pg.slug.len == 0);
		FUZZ_CHECK(vr == -1 && view.nholes == 0 && view.body.len == 0 &&
		    view.slug.len == 0);
		return 0;
	}
	FUZZ_CHECK(vr == 0);
	FUZZ_CHECK(view.status == fuzz_pg.status && view.nholes == fuzz_pg.nholes);
	FUZZ_CHECK(view.body.cap == 0 && view.slug.cap == 0);
	FUZZ_CHECK(view.body.len == fuzz_pg.body.len &&
	    view.slug.len == fuzz_pg.slug.len);
	FUZZ_CHECK(view.body.p >= (const char *)data &&
	    view.body.p + view.body.len == (const char *)data + size);
	FUZZ_CHECK(view.slug.p >= (const char *)data &&
	    view.slug.p + view.slug.len <= view.body.p);
	FUZZ_CHECK(memcmp(view.body.p, fuzz_pg.body.p, view.body.len) == 0);
	FUZZ_CHECK(view.slug.len == 0 ||
	    memcmp(view.slug.p, fuzz_pg.slug.p, view.slug.len) == 0);
	for (uint32_t i = 0; i < view.nholes; i++)
		FUZZ_CHECK(view.holes[i].off == fuzz_pg.holes[i].off &&
		    view.holes[i].kind == fuzz_pg.holes[i].kind);
	FUZZ_CHECK(fuzz_pg.nholes <= PAGE_MAX_HOLES);
	FUZZ_CHECK(fuzz_pg.status >= 100 && fuzz_pg.status <= 599);
	for (uint32_t i = 0; i < fuzz_pg.nholes; i++) {
		FUZZ_CHECK(fuzz_pg.holes[i].kind < HOLE__COUNT);
		FUZZ_CHECK(fuzz_pg.holes[i].off >= prev &&
		    fuzz_pg.holes[i].off <= fuzz_pg.body.len);
		prev = fuzz_pg.holes[i].off;
	}
	page_encode(&fuzz_pg, &again);
	FUZZ_CHECK(again.len == size && memcmp(again.p, data, size) == 0);
	buf_free(&again);
	return 0;
}
