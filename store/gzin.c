/* gzin.c: reading an input file that may be gzip-compressed, with ISA-L's inflate (gzin.h). */
#include "gzin.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define GZIN_BUF ((size_t)1 << 17)   /* compressed bytes read at a time */

struct gzin {
	int      fd;
	int      gzip;          /* the file started with the gzip magic */
	int      eof;           /* read() said end of file */
	int      done;          /* the stream ended cleanly */
	int      member;        /* inside a member (its header may be read) */
	int      errnum;        /* read()'s errno, when that was the error */
	_Atomic uint64_t in_bytes;   /* read from the file so far */
	unsigned char *in;      /* GZIN_BUF bytes; in[0 .. st.avail_in) unread */
	struct inflate_state st;
	char     err[160];
};

static int
fail(struct gzin *g, const char *why)
{
	snprintf(g->err, sizeof(g->err), "%s", why);
	return -1;
}

/* Tops the input buffer up. 0 (check g->eof), or -1 on a read error. */
static int
fill(struct gzin *g)
{
	size_t have = g->st.avail_in;
	ssize_t n;

	if (g->eof)
		return 0;
	if (have > 0 && g->st.next_in != g->in)
		memmove(g->in, g->st.next_in, have);
	do
		n = read(g->fd, g->in + have, GZIN_BUF - have);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		g->errnum = errno;
		return fail(g, strerror(g->errnum));
	}
	if (n == 0)
		g->eof = 1;
	atomic_fetch_add_explicit(&g->in_bytes, (uint64_t)n,
	    memory_order_relaxed);
	g->st.next_in = g->in;
	g->st.avail_in = (uint32_t)(have + (size_t)n);
	return 0;
}

static void
member_start(struct gzin *g)
{
	uint8_t *next = g->st.next_in;
	uint32_t avail = g->st.avail_in;

	isal_inflate_reset(&g->st);
	g->st.crc_flag = ISAL_GZIP;    /* header parsed, CRC and size checked */
	g->st.next_in = next;
	g->st.avail_in = avail;
	g->member = 1;
}

int
gzin_open(const char *path, struct gzin **out)
{
	struct gzin *g;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	g = xcalloc(1, sizeof(*g));
	g->fd = fd;
	g->in = xmalloc(GZIN_BUF);
	isal_inflate_init(&g->st);
	g->st.next_in = g->in;
	if (fill(g) != 0) {
		int e = g->errnum;

		gzin_close(g);
		return e;
	}
	/* Without the two-byte gzip magic the file is read as it is, as gzread
	 * does (a one-byte file, or "\x1f" and then anything else, too). */
	if (g->st.avail_in >= 2 && g->in[0] == 0x1f && g->in[1] == 0x8b) {
		g->gzip = 1;
		member_start(g);
	}
	*out = g;
	return 0;
}

static const char *
inflate_error(int rc)
{
	switch (rc) {
	case ISAL_INVALID_WRAPPER:    return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "gzip member not compressed with deflate";
	case ISAL_INCORRECT_CHECKSUM: return "gzip checksum or length mismatch (corrupt data)";
	}
	return "invalid compressed data";
}

ssize_t
gzin_read(struct gzin *g, void *buf, size_t cap)
{
	if (g->err[0])
		return -1;
	if (cap == 0)             /* 0 would say "the end" */
		return fail(g, "a read of 0 bytes");
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (!g->gzip) {
		size_t n;

		if (g->st.avail_in == 0 && fill(g) != 0)
			return -1;
		n = g->st.avail_in < cap ? g->st.avail_in : cap;
		memcpy(buf, g->st.next_in, n);
		g->st.next_in += n;
		g->st.avail_in -= (uint32_t)n;
		return (ssize_t)n;
	}
	while (!g->done) {
		int rc;

		if (!g->member) {
			/* Between members: another one, or the end. */
			if (g->st.avail_in < 2 && !g->eof && fill(g) != 0)
				return -1;
			if (g->st.avail_in == 0 && g->eof) {
				g->done = 1;
				break;
			}
			if (g->st.avail_in < 2 || g->st.next_in[0] != 0x1f ||
			    g->st.next_in[1] != 0x8b)
				return fail(g, "data after the gzip stream that is not gzip");
			member_start(g);
		}
		if (g->st.avail_in == 0 && !g->eof && fill(g) != 0)
			return -1;
		g->st.next_out = buf;
		g->st.avail_out = (uint32_t)cap;
		rc = isal_inflate(&g->st);
		if (rc != ISAL_DECOMP_OK)
			return fail(g, inflate_error(rc));
		if (g->st.block_state == ISAL_BLOCK_FINISH)
			g->member = 0;
		if (g->st.avail_out < cap)
			return (ssize_t)(cap - g->st.avail_out);
		if (g->member && g->st.avail_in == 0 && g->eof)
			return fail(g, "truncated gzip data (unexpected end of file)");
	}
	return 0;
}

uint64_t
gzin_in_bytes(struct gzin *g)
{
	return atomic_load_explicit(&g->in_bytes, memory_order_relaxed);
}

const char *
gzin_error(const struct gzin *g)
{
	return g->err[0] ? g->err : "no error";
}

void
gzin_close(struct gzin *g)
{
	if (g == NULL)
		return;
	close(g->fd);
	free(g->in);
	free(g);
}
