/* page.c (fuzz): the page as the Redis cache keeps it (views/page.h): any bytes through page_decode(). */
/*
 * Redis holds copies the app wrote, but a cache is not to be trusted: an
 * entry cut short, written by another version, or damaged must be a miss,
 * never a crash or a hole outside its page. A decoded page has its holes
 * in order, within its body, of known kinds, and encodes back to exactly
 * the bytes it came from.
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
	uint32_t prev = 0;

	if (page_decode(&fuzz_pg, (const char *)data, size) != 0) {
		/* Refused: the page is left empty. */
		FUZZ_CHECK(fuzz_pg.nholes == 0 && fuzz_pg.body.len == 0 &&
		    fuzz_pg.slug.len == 0);
		return 0;
	}
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
