/* utf8.h: the one UTF-8 decoder, strict: name folding, JSON checking, the text rule (store_text_valid), path and form validation. */
#ifndef BZPEER_UTF8_H
#define BZPEER_UTF8_H

#include <stddef.h>

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
	size_t len, k;
	long cp, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else
		goto bad;
	if (n - *i < len)
		goto bad;
	for (k = 1; k < len; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			goto bad;
		cp = cp << 6 | (s[*i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*i += len;
	return cp;
bad:
	(*i)++;
	return -1;
}

#endif
