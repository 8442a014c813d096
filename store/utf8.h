/* utf8.h: the one UTF-8 decoder, strict: the escapers, name folding, JSON checking, the text rule (store_text_valid), path and form validation. */
#ifndef BZPEER_UTF8_H
#define BZPEER_UTF8_H

#include <stddef.h>

/*
 * Length of the UTF-8 sequence starting at p (n > 0 bytes available, p[0] >=
 * 0x80): k > 0 when p[0..k) is one valid, shortest-form scalar value (no
 * surrogates, at most U+10FFFF); -k when it is invalid, k being the maximal
 * subpart to replace by one U+FFFD (Unicode's "maximal subpart" practice, as
 * the WHATWG decoder does: the HTML and JSON escapers of views/html.c).
 */
static inline int
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int need, i;

	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;        /* shorter forms of U+0800.. */
		else if (c == 0xED)
			hi = 0x9F;        /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;        /* shorter forms of U+10000.. */
		else if (c == 0xF4)
			hi = 0x8F;        /* past U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n || p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

/*
 * Decodes one code point from s[*i..n) (*i < n). Returns it and advances
 * *i, or returns -1 and advances *i by one byte for an invalid sequence:
 * a stray continuation byte, C0/C1 and F5..FF leads, a truncated sequence,
 * overlong forms, surrogates, values past U+10FFFF.
 */
static inline long
utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	long cp;
	int k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((k = utf8_seq(s + *i, n - *i)) < 0) {
		(*i)++;
		return -1;
	}
	cp = c & (0x7F >> k);
	for (int j = 1; j < k; j++)
		cp = cp << 6 | (s[*i + j] & 0x3F);
	*i += (size_t)k;
	return cp;
}

/*
 * Characters in s[0..n) as a browser counts a form field against its
 * maxlength: code points, a CR LF pair one (a textarea's line break is one
 * character in the browser and CR LF on the wire), an invalid byte one.
 * Browsers count UTF-16 units, so a character past U+FFFF is two there and
 * one here: whatever the browser lets through, this counts within the limit.
 */
static inline size_t
utf8_chars(const unsigned char *s, size_t n)
{
	size_t i = 0, chars = 0;

	while (i < n) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		(void)utf8_next(s, n, &i);
		chars++;
	}
	return chars;
}

#endif
