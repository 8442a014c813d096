/* test_gzin.c: the importer's input reader (store/gzin.c) against zlib: plain files, gzip members, and every way a .gz can be broken. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../store/buf.h"
#include "../../store/gzin.h"
#include "check.h"

static char dir[] = "/tmp/bzpeer-test-gzin-XXXXXX";

static const char *
path(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void
spit(const char *file, const void *p, size_t n)
{
	FILE *f = fopen(file, "wb");

	REQUIRE(f != NULL);
	REQUIRE(fwrite(p, 1, n, f) == n);
	REQUIRE(fclose(f) == 0);
}

/* p[0 .. n) as one gzip member, appended to out (zlib, level `level`). */
static void
gzip_member(struct buf *out, const void *p, size_t n, int level)
{
	z_stream z;
	size_t at;

	memset(&z, 0, sizeof(z));
	REQUIRE(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK);
	at = out->len;
	buf_reserve(out, deflateBound(&z, n) + 64);
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p + at;
	z.avail_out = (uInt)(out->cap - at - 1);
	REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
	out->len = at + z.total_out;
	deflateEnd(&z);
}

/*
 * Reads file whole through gzin, `cap` bytes at a time. Returns 0 with the
 * bytes in out, or -1 with the error's words in out.
 */
static int
read_all(const char *file, size_t cap, struct buf *out)
{
	struct gzin *g;
	char *chunk = xmalloc(cap);
	ssize_t n;

	buf_reset(out);
	REQUIRE(gzin_open(file, &g) == 0);
	while ((n = gzin_read(g, chunk, cap)) > 0)
		buf_put(out, chunk, (size_t)n);
	if (n < 0) {
		buf_reset(out);
		buf_puts(out, gzin_error(g));
		/* An error stays: the next read says it again. */
		CHECK(gzin_read(g, chunk, cap) == -1);
	}
	gzin_close(g);
	free(chunk);
	return n < 0 ? -1 : 0;
}

static int
same(const struct buf *b, const void *p, size_t n)
{
	return b->len == n && memcmp(b->p, p, n) == 0;
}

static int
says(const struct buf *b, const char *words)
{
	return strstr(b->p ? b->p : "", words) != NULL;
}

int
main(void)
{
	static unsigned char data[600000];
	static const size_t caps[] = { 1, 7, 4096, 65536, 1u << 20 };
	struct buf gz = BUF_INIT, got = BUF_INIT, bad = BUF_INIT;
	struct gzin *g;
	uint32_t x = 88172645u;
	size_t i;

	REQUIRE(mkdtemp(dir) != NULL);
	/* Text-like bytes (lines of a few words), some runs and some noise. */
	for (i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = i % 97 == 96 ? '\n' : (x >> 24) < 40 ? ' ' :
		    (unsigned char)('a' + (x >> 8) % 26);
	}

	/* A missing file, or one that cannot be read: the open says why. */
	CHECK(gzin_open(path("missing"), &g) == ENOENT);
	CHECK(gzin_open(dir, &g) == EISDIR);

	/* A plain file is read as it is, at any read size; so is an empty
	 * one and one that starts with half the gzip magic. */
	spit(path("plain"), data, sizeof(data));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK(read_all(path("plain"), caps[i], &got) == 0 &&
		    same(&got, data, sizeof(data)));
	spit(path("empty"), "", 0);
	CHECK(read_all(path("empty"), 4096, &got) == 0 && got.len == 0);
	spit(path("half"), "\x1f" "abc", 4);
	CHECK(read_all(path("half"), 4096, &got) == 0 &&
	    same(&got, "\x1f" "abc", 4));

	/* One member, at every read size and two levels (stored blocks
	 * included), and members back to back as one stream. */
	gzip_member(&gz, data, sizeof(data), 6);
	spit(path("one.gz"), gz.p, gz.len);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK(read_all(path("one.gz"), caps[i], &got) == 0 &&
		    same(&got, data, sizeof(data)));
	buf_reset(&gz);
	gzip_member(&gz, data, 1000, 0);
	gzip_member(&gz, data + 1000, 0, 6);           /* an empty member */
	gzip_member(&gz, data + 1000, sizeof(data) - 1000, 9);
	spit(path("three.gz"), gz.p, gz.len);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK(read_all(path("three.gz"), caps[i], &got) == 0 &&
		    same(&got, data, sizeof(data)));

	/* Broken: cut anywhere (in the header, the data, the trailer). */
	buf_reset(&gz);
	gzip_member(&gz, data, sizeof(data), 6);
	{
		size_t cuts[] = { 2, 5, 11, 100, gz.len / 2, gz.len - 8,
		    gz.len - 5, gz.len - 1 };
		int all = 1;

		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			spit(path("cut.gz"), gz.p, cuts[i]);
			if (read_all(path("cut.gz"), 65536, &got) != -1 ||
			    !says(&got, "truncated gzip data"))
				all = 0;
		}
		CHECK(all);
	}
	/* A wrong CRC or length in the trailer. */
	buf_reset(&bad);
	buf_put(&bad, gz.p, gz.len);
	bad.p[bad.len - 8] ^= 1;
	spit(path("crc.gz"), bad.p, bad.len);
	CHECK(read_all(path("crc.gz"), 65536, &got) == -1 &&
	    says(&got, "mismatch"));
	bad.p[bad.len - 8] ^= 1;
	bad.p[bad.len - 1] ^= 1;
	spit(path("len.gz"), bad.p, bad.len);
	CHECK(read_all(path("len.gz"), 65536, &got) == -1 &&
	    says(&got, "mismatch"));
	/* Damage inside the deflate data: whatever it decodes to, it is an
	 * error (bad symbols, or the CRC then fails), never a clean end. */
	{
		int all = 1;

		for (i = 20; i < gz.len - 8; i += gz.len / 37) {
			buf_reset(&bad);
			buf_put(&bad, gz.p, gz.len);
			bad.p[i] ^= 0x5a;
			spit(path("flip.gz"), bad.p, bad.len);
			if (read_all(path("flip.gz"), 65536, &got) != -1)
				all = 0;
		}
		CHECK(all);
	}
	/* A header that is not one: wrong method. */
	buf_reset(&bad);
	buf_put(&bad, gz.p, gz.len);
	bad.p[2] = 7;
	spit(path("method.gz"), bad.p, bad.len);
	CHECK(read_all(path("method.gz"), 65536, &got) == -1);
	/* Bytes after the last member that are not a member. */
	buf_reset(&bad);
	buf_put(&bad, gz.p, gz.len);
	buf_puts(&bad, "trailing words\n");
	spit(path("tail.gz"), bad.p, bad.len);
	CHECK(read_all(path("tail.gz"), 65536, &got) == -1 &&
	    says(&got, "not gzip"));

	buf_free(&gz);
	buf_free(&got);
	buf_free(&bad);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0);
	}
	CHECK_DONE();
}
