/* fold.c: folding names for the search index and making URL slugs from them. */
#include "store.h"

#include <string.h>

#include "utf8.h"

/*
 * U+00C0..U+017F to a base letter. Upper-case letters map to the lower-case
 * base. Markers: '.' keep the code point as it is (× ÷), and capitals stand
 * for two letters: A "ae", T "th", S "ss", J "ij", O "oe".
 */
static const char latin[] =
	/* 00C0 */ "aaaaaaAceeeeiiii"
	/* 00D0 */ "dnooooo.ouuuuyTS"
	/* 00E0 */ "aaaaaaAceeeeiiii"
	/* 00F0 */ "dnooooo.ouuuuyTy"
	/* 0100 */ "aaaaaaccccccccdd"
	/* 0110 */ "ddeeeeeeeeeegggg"
	/* 0120 */ "gggghhhhiiiiiiii"
	/* 0130 */ "iiJJjjkkklllllll"
	/* 0140 */ "lllnnnnnnnnnoooo"
	/* 0150 */ "ooOOrrrrrrssssss"
	/* 0160 */ "ssttttttuuuuuuuu"
	/* 0170 */ "uuuuwwyyyzzzzzzs";
_Static_assert(sizeof(latin) - 1 == 0x180 - 0xC0, "latin table size");

static int
is_space(long cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == '\f' || cp == '\v' || cp == 0xA0;
}

/*
 * Appends the folding of one code point (not white space) to out. Returns
 * the number of bytes appended (0 for dropped code points).
 */
static size_t
fold_cp(struct buf *out, long cp, const unsigned char *src, size_t srclen)
{
	const char *two = NULL;
	char c;

	if (cp >= 'A' && cp <= 'Z') {
		buf_putc(out, (int)(cp - 'A' + 'a'));
		return 1;
	}
	if (cp < 0x80) {
		if (cp == 0)
			return 0;
		buf_putc(out, (int)cp);
		return 1;
	}
	if (cp >= 0x300 && cp <= 0x36F)
		return 0;                  /* combining accents (NFD input) */
	if (cp == 0x218 || cp == 0x219) {
		buf_putc(out, 's');        /* Ș ș */
		return 1;
	}
	if (cp == 0x21A || cp == 0x21B) {
		buf_putc(out, 't');        /* Ț ț */
		return 1;
	}
	if (cp < 0xC0 || cp >= 0x180 || latin[cp - 0xC0] == '.') {
		buf_put(out, src, srclen);
		return srclen;
	}
	switch ((c = latin[cp - 0xC0])) {
	case 'A': two = "ae"; break;
	case 'T': two = "th"; break;
	case 'S': two = "ss"; break;
	case 'J': two = "ij"; break;
	case 'O': two = "oe"; break;
	default:
		buf_putc(out, c);
		return 1;
	}
	buf_put(out, two, 2);
	return 2;
}

void
store_fold_name(struct buf *out, struct sv name)
{
	const unsigned char *s = (const unsigned char *)name.p;
	size_t i = 0, start = out->len;
	int pending_space = 0;

	buf_reserve(out, name.n);
	while (i < name.n) {
		size_t at = i;
		long cp = utf8_next(s, name.n, &i);

		if (cp < 0)
			continue;
		if (is_space(cp)) {
			pending_space = out->len > start;
			continue;
		}
		if (pending_space) {
			buf_putc(out, ' ');
			pending_space = 0;
		}
		/* A dropped code point (a combining accent) leaves nothing. */
		(void)fold_cp(out, cp, s + at, i - at);
	}
}

void
store_slugify(struct buf *out, struct sv name)
{
	struct buf f = BUF_INIT;
	size_t i, start = out->len, last_cut = 0;
	int sep = 0;

	store_fold_name(&f, name);
	for (i = 0; i < f.len; i++) {
		char c = f.p[i];
		int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!word) {
			sep = 1;
			continue;
		}
		if (sep && out->len > start) {
			if (out->len - start + 2 > STORE_SLUG_MAX)
				break;
			last_cut = out->len;
			buf_putc(out, '-');
		}
		sep = 0;
		if (out->len - start + 1 > STORE_SLUG_MAX) {
			/* A word runs past the limit: cut at the last '-' if
			 * there is one, else inside the word. */
			if (last_cut > start) {
				out->len = last_cut;
				out->p[out->len] = '\0';
			}
			break;
		}
		buf_putc(out, c);
	}
	if (out->len == start)
		buf_puts(out, "researcher");
	buf_free(&f);
}
