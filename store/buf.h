/* buf.h: the growable byte buffer every layer writes into (records, pages, responses). */
#ifndef BZPEER_BUF_H
#define BZPEER_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A byte buffer. Always NUL-terminated past len when cap > 0, so p may be
 * handed to functions that want a C string (callers must still respect len:
 * the contents may hold NULs).
 *
 * Allocation failure policy: every allocation in this
 * program goes through xmalloc/xrealloc, which log and _exit(70) on failure.
 * In the FastCGI server that ends one worker; the master respawns it.
 */
struct buf {
	char   *p;
	size_t  len;
	size_t  cap;
};

#define BUF_INIT { NULL, 0, 0 }

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);

/* Seconds on CLOCK_MONOTONIC: for timeouts and backoffs, never dates. */
double mono_now(void);

void buf_free(struct buf *b);
void buf_reset(struct buf *b);                 /* len = 0, keeps memory */
void buf_reserve(struct buf *b, size_t extra); /* room for extra more bytes */
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_putu64(struct buf *b, uint64_t v);    /* decimal */
void buf_puti64(struct buf *b, int64_t v);     /* decimal, signed */

/* A string view: bytes that belong to someone else (often an LMDB page). */
struct sv {
	const char *p;
	size_t      n;
};

#define SV_LIT(s) ((struct sv){ (s), sizeof(s) - 1 })
struct sv sv_cstr(const char *s);
struct sv buf_sv(const struct buf *b);   /* b's bytes as a view, valid until b changes */
int sv_eq(struct sv a, struct sv b);
int sv_eq_cstr(struct sv a, const char *s);
/*
 * The one non-cryptographic hash (FNV-1a, 64 bits): for hash tables and
 * entity tags, never for security. hash64() continues h over p[0..n);
 * start from HASH64_SEED. sv_hash() folds it to 32 bits for tables.
 */
#define HASH64_SEED 14695981039346656037ULL   /* FNV-1a 64's offset basis */
uint64_t hash64(uint64_t h, const void *p, size_t n);
uint32_t sv_hash(struct sv s);

/*
 * The one byte-order codec: big-endian for keys that must sort by memcmp,
 * little-endian for the record checksum and the cached page's frame.
 */
void put_be16(unsigned char *p, uint16_t v);
void put_be32(unsigned char *p, uint32_t v);
void put_be64(unsigned char *p, uint64_t v);
uint16_t get_be16(const unsigned char *p);
uint32_t get_be32(const unsigned char *p);
uint64_t get_be64(const unsigned char *p);
void put_le32(unsigned char *p, uint32_t v);
uint32_t get_le32(const unsigned char *p);

#endif
