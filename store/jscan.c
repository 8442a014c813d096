/* jscan.c: checking JSON the way jansson does (or more strictly), without building anything. */
#include "jscan.h"

#include <string.h>

#include "utf8.h"

int
jscan_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
	return s->p < s->end ? *s->p : -1;
}

static int
hex4(const unsigned char *p, long *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		unsigned char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static void
put_utf8(struct buf *out, long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_put(out, b, n);
}

/*
 * One escape after the backslash at s->p (which is past it already):
 * checked as jansson does, decoded into out when given.
 */
static int
escape(struct jscan *s, struct buf *out, int *nul)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	long v, v2;

	if (s->p >= s->end)
		return -1;
	if (*s->p != 'u') {
		if (*s->p == '\0' || (k = strchr(from, *s->p)) == NULL)
			return -1;
		if (out)
			buf_putc(out, to[k - from]);
		s->p++;
		return 0;
	}
	if (s->end - s->p < 5 || hex4(s->p + 1, &v) != 0)
		return -1;
	s->p += 5;
	if (v >= 0xD800 && v <= 0xDBFF) {
		/* A high surrogate must be followed by a low one. */
		if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
		    hex4(s->p + 2, &v2) != 0 || v2 < 0xDC00 || v2 > 0xDFFF)
			return -1;
		s->p += 6;
		v = ((v - 0xD800) << 10) + (v2 - 0xDC00) + 0x10000;
	} else if (v >= 0xDC00 && v <= 0xDFFF)
		return -1;
	if (v == 0 && nul)
		*nul = 1;
	if (out)
		put_utf8(out, v);
	return 0;
}

/* Bytes a string cannot pass over blindly: controls, quote, backslash, non-ASCII. */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

int
jscan_string(struct jscan *s, struct buf *out, int *escaped, int *nul)
{
	const unsigned char *run;
	int dummy_e = 0, dummy_n = 0;

	if (escaped == NULL)
		escaped = &dummy_e;
	if (nul == NULL)
		nul = &dummy_n;
	*escaped = *nul = 0;
	if (s->p >= s->end || *s->p != '"')
		return -1;
	run = ++s->p;
	while (s->p < s->end) {
		unsigned char c = *s->p;

		if (!special[c]) {
			s->p++;
			continue;
		}
		if (c == '"') {
			if (out)
				buf_put(out, run, (size_t)(s->p - run));
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;             /* control character */
		if (c == '\\') {
			if (out)
				buf_put(out, run, (size_t)(s->p - run));
			s->p++;
			*escaped = 1;
			if (escape(s, out, nul) != 0)
				return -1;
			run = s->p;
			continue;
		}
		if (c >= 0x80) {
			size_t i = 0;

			if (utf8_next(s->p, (size_t)(s->end - s->p), &i) < 0)
				return -1;
			s->p += i;
			continue;
		}
	}
	return -1;                     /* no closing quote */
}

/* A number as jansson lexes it; refused where it might overflow. */
static int
number(struct jscan *s)
{
	size_t digits = 0, exp_digits = 0;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end)
		return -1;
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return -1;
		digits = 1;
	} else {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			s->p++;
			digits++;
		}
		if (digits == 0)
			return -1;
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return -1;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
		digits = 0;                /* a real: no integer overflow */
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			s->p++;
			exp_digits++;
		}
		/* jansson refuses reals past DBL_MAX: stay far below it. */
		if (exp_digits == 0 || exp_digits > 2)
			return -1;
		digits = 0;
	}
	/* An integer past 18 digits might not fit a long long. */
	return digits > 18 ? -1 : 0;
}

static int
literal(struct jscan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	/* jansson lexes a run of letters as one word: "nullx" is refused. */
	if (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') ||
	    (*s->p >= 'A' && *s->p <= 'Z')))
		return -1;
	return 0;
}

int
jscan_null(struct jscan *s)
{
	return literal(s, "null", 4);
}

static int
container(struct jscan *s, int object)
{
	int c, nul;

	if (++s->depth > JSCAN_MAX_DEPTH)
		return -1;
	s->p++;
	c = jscan_ws(s);
	if (c == (object ? '}' : ']')) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (c != '"' || jscan_string(s, NULL, NULL, &nul) != 0 ||
			    nul || jscan_ws(s) != ':')
				return -1;     /* jansson refuses NUL in keys */
			s->p++;
			(void)jscan_ws(s);
		}
		if (jscan_value(s) != 0)
			return -1;
		c = jscan_ws(s);
		if (c == ',') {
			s->p++;
			c = jscan_ws(s);
			continue;
		}
		if (c != (object ? '}' : ']'))
			return -1;
		s->p++;
		s->depth--;
		return 0;
	}
}

int
jscan_value(struct jscan *s)
{
	switch (jscan_ws(s)) {
	case '{':
		return container(s, 1);
	case '[':
		return container(s, 0);
	case '"':
		return jscan_string(s, NULL, NULL, NULL);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number(s);
	default:
		return -1;
	}
}

int
jscan_uint(struct jscan *s, uint64_t *v)
{
	const unsigned char *start = s->p;

	*v = 0;
	if (number(s) != 0 || *start == '-')
		return -1;
	for (; start < s->p; start++) {
		if (*start < '0' || *start > '9')
			return -1;             /* a fraction or an exponent */
		*v = *v * 10 + (uint64_t)(*start - '0');
	}
	return 0;
}
