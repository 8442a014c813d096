/* page.c: a page rendered once for every viewer, with holes, and its format in the Redis cache. */
#include "page.h"

#include <errno.h>
#include <string.h>


void
page_init(struct page *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->status = 200;
}

/* Empties the page for the next render, keeping its memory. */
void
page_reset(struct page *pg)
{
	buf_reset(&pg->body);
	buf_reset(&pg->slug);
	pg->nholes = 0;
	pg->status = 200;
}

void
page_free(struct page *pg)
{
	buf_free(&pg->body);
	buf_free(&pg->slug);
	pg->nholes = 0;
}

int
page_mark(void *pg, int hole)
{
	return page_hole(pg, (enum hole)hole);
}

int
page_hole(struct page *pg, enum hole kind)
{
	if (pg->nholes == PAGE_MAX_HOLES)
		return ENOSPC;
	if (pg->body.len > UINT32_MAX)
		return EFBIG;
	pg->holes[pg->nholes].off = (uint32_t)pg->body.len;
	pg->holes[pg->nholes].kind = (uint8_t)kind;
	pg->nholes++;
	return 0;
}

/* ---- the Redis cache's format -------------------------------------------------------- */

/*
 * "BZPG1" u32 status, u32 nholes, u32 slug length, nholes x (u32 off, u8
 * kind), slug, body. Little-endian; the cache is local to one machine type.
 */
#define PAGE_MAGIC "BZPG1"

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char c[4];

	put_le32(c, v);
	buf_put(b, c, 4);
}

void
page_encode(const struct page *pg, struct buf *out)
{
	buf_reserve(out, 32 + pg->nholes * 5 + pg->slug.len + pg->body.len);
	buf_put(out, PAGE_MAGIC, 5);
	put_u32(out, (uint32_t)pg->status);
	put_u32(out, pg->nholes);
	put_u32(out, (uint32_t)pg->slug.len);
	for (uint32_t i = 0; i < pg->nholes; i++) {
		put_u32(out, pg->holes[i].off);
		buf_putc(out, pg->holes[i].kind);
	}
	buf_put(out, pg->slug.p, pg->slug.len);
	buf_put(out, pg->body.p, pg->body.len);
}

/*
 * The frame's fixed part and holes, checked against n: 0 with status and
 * holes in pg and where slug and body sit, or -1.
 */
static int
frame_split(struct page *pg, const char *p, size_t n, size_t *slug_at,
    size_t *slug_len, size_t *body_at)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t status, nholes, slen, prev = 0;
	size_t pos, body_len;

	if (n < 17 || memcmp(p, PAGE_MAGIC, 5) != 0)
		return -1;
	status = get_le32(u + 5);
	nholes = get_le32(u + 9);
	slen = get_le32(u + 13);
	pos = 17;
	if (nholes > PAGE_MAX_HOLES || status < 100 || status > 599 ||
	    (size_t)nholes * 5 > n - pos || slen > n - pos - (size_t)nholes * 5)
		return -1;
	body_len = n - pos - (size_t)nholes * 5 - slen;
	for (uint32_t i = 0; i < nholes; i++, pos += 5) {
		pg->holes[i].off = get_le32(u + pos);
		pg->holes[i].kind = u[pos + 4];
		if (pg->holes[i].kind >= HOLE__COUNT ||
		    pg->holes[i].off > body_len || pg->holes[i].off < prev)
			return -1;
		prev = pg->holes[i].off;
	}
	pg->status = (int)status;
	pg->nholes = nholes;
	*slug_at = pos;
	*slug_len = slen;
	*body_at = pos + slen;
	return 0;
}

int
page_decode(struct page *pg, const char *p, size_t n)
{
	size_t slug_at, slug_len, body_at;

	page_reset(pg);
	if (frame_split(pg, p, n, &slug_at, &slug_len, &body_at) != 0) {
		page_reset(pg);
		return -1;
	}
	buf_put(&pg->slug, p + slug_at, slug_len);
	buf_put(&pg->body, p + body_at, n - body_at);
	return 0;
}

int
page_view(struct page *pg, const char *p, size_t n)
{
	size_t slug_at, slug_len, body_at;

	memset(pg, 0, sizeof(*pg));
	if (frame_split(pg, p, n, &slug_at, &slug_len, &body_at) != 0) {
		memset(pg, 0, sizeof(*pg));
		return -1;
	}
	/* cap 0: bytes that belong to someone else (buf.h). */
	pg->slug = (struct buf){ (char *)(uintptr_t)(p + slug_at), slug_len, 0 };
	pg->body = (struct buf){ (char *)(uintptr_t)(p + body_at), n - body_at, 0 };
	return 0;
}
