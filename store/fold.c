/* fold.c: folding names for the search index and making URL slugs from them (libutf8proc). */
#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "utf8.h"

/*
 * The folding (store.h, store_fold_name) is one pass of libutf8proc's
 * decomposition, then our own steps:
 *
 *  1. invalid UTF-8, NUL and other control characters (but white space)
 *     dropped (utf8proc refuses invalid input);
 *  2. utf8proc_decompose: compatibility decomposition (NFKD: "ﬁ" is "fi",
 *     full-width letters are ASCII), Unicode case folding (Cyrillic,
 *     Greek, Armenian, ... as well as Latin; "ß" is "ss"), default
 *     ignorable code points removed (soft hyphen, joiners, bidi controls),
 *     and "lumping": every dash and hyphen (U+2010..U+2015, U+2212) is
 *     '-', the quotes and primes U+2018, U+2019, U+201B, U+2032 are '\'';
 *  3. diacritics dropped: the combining marks that mark accents on
 *     Latin and Greek letters and the optional vowel points of Hebrew and
 *     Arabic (is_diacritic()), and no others: the vowel signs of Indic
 *     scripts, Thai, the kana voicing marks are letters' parts (removing
 *     them would turn one name into another), and so are the marks of
 *     Cyrillic letters (й is not и), but for ё, which is е;
 *  4. the Latin letters that have no decomposition to their base: ø o,
 *     đ ð d, ł l, ħ h, ŧ t, ı i, ĸ k, ŋ n, æ ae, œ oe, þ th (folded before, so
 *     only lower case here), and U+02BC (modifier apostrophe) to '\'';
 *  5. recomposition (NFC) of what is left, so a name typed precomposed
 *     and one typed decomposed fold alike;
 *  6. white space (and line and paragraph separators) to one space, none
 *     at either end;
 *  7. NFC again over the result: what steps 3 and 6 dropped between two
 *     marks can leave them out of canonical order.
 * ASCII names take a shortcut with the same result.
 */

#define DECOMPOSE_OPTS (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | \
    UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP)

static int
is_diacritic(int32_t c)
{
	return (c >= 0x300 && c <= 0x36F) ||     /* combining diacritical marks */
	    (c >= 0x483 && c <= 0x489) ||        /* Cyrillic titlo, ... */
	    (c >= 0x591 && c <= 0x5BD) || c == 0x5BF || c == 0x5C1 ||
	    c == 0x5C2 || c == 0x5C4 || c == 0x5C5 || c == 0x5C7 || /* Hebrew points */
	    (c >= 0x610 && c <= 0x61A) || (c >= 0x64B && c <= 0x65F) ||
	    c == 0x670 || (c >= 0x6D6 && c <= 0x6DC) ||
	    (c >= 0x6DF && c <= 0x6E4) || c == 0x6E7 || c == 0x6E8 ||
	    (c >= 0x6EA && c <= 0x6ED) ||        /* Arabic harakat, ... */
	    (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
	    (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

/*
 * Cyrillic letters keep their marks: й, ї, ў, ќ are letters of their
 * alphabets, not accented ones (only ё is written е as often as not).
 */
static int
is_cyrillic(int32_t c)
{
	return (c >= 0x400 && c <= 0x52F) || (c >= 0x1C80 && c <= 0x1C8F) ||
	    (c >= 0x2DE0 && c <= 0x2DFF) || (c >= 0xA640 && c <= 0xA69F);
}

/* Step 4: the replacement of c (NULL: none). */
static const char *
latin_base(int32_t c)
{
	switch (c) {
	case 0xF8:  return "o";
	case 0x111: case 0xF0: return "d";
	case 0x142: return "l";
	case 0x127: return "h";
	case 0x167: return "t";
	case 0x131: return "i";
	case 0x138: return "k";
	case 0x14B: return "n";
	case 0xE6:  return "ae";
	case 0x153: return "oe";
	case 0xFE:  return "th";
	case 0x2BC: return "'";
	default:    return NULL;
	}
}

/*
 * Before decomposition: ŀ and ŉ would decompose to "l·" and "ʼn"; as
 * letters of a name they are l and n.
 */
static utf8proc_int32_t
premap(utf8proc_int32_t c, void *data)
{
	(void)data;
	if (c == 0x13F || c == 0x140)
		return 'l';
	if (c == 0x149)
		return 'n';
	return c;
}

static int
is_space_cp(int32_t c)
{
	utf8proc_category_t k;

	if (c == ' ' || (c >= 0x9 && c <= 0xD) || c == 0x85)
		return 1;
	if (c < 0x80)
		return 0;
	k = utf8proc_category(c);
	return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL ||
	    k == UTF8PROC_CATEGORY_ZP;
}

/* Appends c, collapsing white space, dropping controls (step 6). */
static void
emit(struct buf *out, size_t start, int32_t c, int *pending_space)
{
	unsigned char u[4];
	utf8proc_ssize_t k;

	if (is_space_cp(c)) {
		*pending_space = out->len > start;
		return;
	}
	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
		return;
	if (*pending_space) {
		buf_putc(out, ' ');
		*pending_space = 0;
	}
	if (c < 0x80) {
		buf_putc(out, (int)c);
		return;
	}
	if ((k = utf8proc_encode_char(c, u)) > 0)
		buf_put(out, u, (size_t)k);
}

static int
all_ascii(struct sv s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] >= 0x80)
			return 0;
	return 1;
}

void
store_fold_name(struct buf *out, struct sv name)
{
	const unsigned char *s = (const unsigned char *)name.p;
	struct buf clean = BUF_INIT;
	utf8proc_int32_t *cp = NULL;
	utf8proc_ssize_t n, need;
	size_t i, start = out->len, k;
	int pending_space = 0;

	buf_reserve(out, name.n);
	if (all_ascii(name)) {
		for (i = 0; i < name.n; i++) {
			int32_t c = s[i];

			emit(out, start, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' :
			    c, &pending_space);
		}
		return;
	}
	/* Step 1: valid UTF-8 only. */
	buf_reserve(&clean, name.n);
	for (i = 0; i < name.n;) {
		size_t at = i;
		long c = utf8_next(s, name.n, &i);

		/* Controls go now: left in, they would keep apart what NFC
		 * joins once they are gone (a second folding would differ). */
		if (c <= 0 || (c < 0x20 && !is_space_cp(c)) || c == 0x7F ||
		    (c >= 0x80 && c < 0xA0 && c != 0x85))
			continue;
		buf_put(&clean, s + at, i - at);
	}
	if (clean.len == 0)
		goto out;
	/* Step 2. */
	need = utf8proc_decompose_custom((const utf8proc_uint8_t *)clean.p,
	    (utf8proc_ssize_t)clean.len, NULL, 0, DECOMPOSE_OPTS, premap, NULL);
	if (need <= 0)
		goto out;
	cp = xmalloc((size_t)need * sizeof(*cp));
	n = utf8proc_decompose_custom((const utf8proc_uint8_t *)clean.p,
	    (utf8proc_ssize_t)clean.len, cp, need, DECOMPOSE_OPTS, premap, NULL);
	if (n <= 0 || n > need)
		goto out;
	/* Steps 3 and 4 in place: a replacement is never longer than two,
	 * and the two-letter ones replace one code point, so a second
	 * array is needed only for those. */
	{
		utf8proc_int32_t *w = xmalloc((size_t)n * 2 * sizeof(*w));
		size_t m = 0;

		int32_t base = 0;

		for (k = 0; k < (size_t)n; k++) {
			const char *r;

			if (is_diacritic(cp[k]) && !(is_cyrillic(base) &&
			    cp[k] <= 0x36F && !(base == 0x435 &&
			    cp[k] == 0x308)))
				continue;
			if (utf8proc_category(cp[k]) < UTF8PROC_CATEGORY_MN ||
			    utf8proc_category(cp[k]) > UTF8PROC_CATEGORY_ME)
				base = cp[k];
			if ((r = latin_base(cp[k])) != NULL) {
				while (*r)
					w[m++] = (unsigned char)*r++;
				continue;
			}
			w[m++] = cp[k];
		}
		free(cp);
		cp = w;
		n = (utf8proc_ssize_t)m;
	}
	/* Step 5. */
	if (n > 0 && (n = utf8proc_normalize_utf32(cp, n, UTF8PROC_COMPOSE)) < 0)
		goto out;
	/* Step 6. */
	for (k = 0; k < (size_t)n; k++)
		emit(out, start, cp[k], &pending_space);
	/*
	 * Step 7. Dropping what stood between two marks (steps 3 and 6) can
	 * leave them out of canonical order (U+0F80 then U+094D), which the
	 * next fold would reorder: NFC once more over what was written, so
	 * the fold of a fold is the fold.
	 */
	if (out->len > start) {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t r = utf8proc_map(
		    (const utf8proc_uint8_t *)out->p + start,
		    (utf8proc_ssize_t)(out->len - start), &nfc,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE);

		if (r >= 0) {
			out->len = start;
			buf_put(out, (const char *)nfc, (size_t)r);
		}
		free(nfc);
	}
out:
	free(cp);
	buf_free(&clean);
}

int
store_name_char(const char *p, size_t n, size_t *len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	long c = utf8_next(s, n, &i);

	*len = i;
	if (c < 0)
		return 0;
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z');
	switch (utf8proc_category((utf8proc_int32_t)c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/*
 * Appends the words of the folded name f to out, joined by sep, at most
 * max bytes (cut at a word where possible, else inside one at a code
 * point). Returns the number of words.
 */
static size_t
join_words(struct buf *out, const char *f, size_t fn, int sep, size_t max)
{
	size_t i = 0, start = out->len, last_cut = 0, words = 0;
	int in_sep = 0;

	while (i < fn) {
		size_t k;
		int fresh;

		if (!store_name_char(f + i, fn - i, &k)) {
			in_sep = 1;
			i += k;
			continue;
		}
		fresh = in_sep || out->len == start;
		if (fresh && out->len > start) {
			if (out->len - start + 1 + k > max)
				break;
			last_cut = out->len;
			buf_putc(out, sep);
		}
		words += fresh;
		in_sep = 0;
		if (out->len - start + k > max) {
			/* A word runs past the limit: cut at the last
			 * separator if there is one, else inside the word. */
			if (last_cut > start) {
				out->len = last_cut;
				out->p[out->len] = '\0';
			}
			break;
		}
		buf_put(out, f + i, k);
		i += k;
	}
	return words;
}

void
store_name_words(struct buf *out, struct sv name, size_t max)
{
	struct buf f = BUF_INIT;

	store_fold_name(&f, name);
	(void)join_words(out, f.p ? f.p : "", f.len, ' ', max);
	buf_free(&f);
}

void
store_slugify(struct buf *out, struct sv name)
{
	struct buf f = BUF_INIT;
	size_t start = out->len;

	store_fold_name(&f, name);
	(void)join_words(out, f.p ? f.p : "", f.len, '-', STORE_SLUG_MAX);
	if (out->len == start)
		buf_puts(out, "researcher");
	buf_free(&f);
}
