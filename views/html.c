/* html.c: escapers for HTML text, attributes, URL components and JSON strings (see html.h). */
#include "html.h"

#include "../store/utf8.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * Each escaper walks the input once: it measures a run of bytes that need no
 * change (printable ASCII outside the escaper's special set, and valid UTF-8
 * sequences) and copies the run with one buf_put, then writes the escape for
 * the byte that ended the run. Long abstracts are therefore copied mostly in
 * a few large memcpy calls.
 */

static const char REPLACEMENT[] = "\xEF\xBF\xBD";   /* U+FFFD in UTF-8 */

/* ---- HTML text and attributes ------------------------------------------ */

/*
 * 1: the ASCII byte may be copied into HTML text or a double- or single-
 * quoted attribute value as it is. Control characters other than tab, LF
 * and CR are not allowed in HTML documents; they are replaced (NUL dropped).
 */
static const unsigned char html_safe[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['['] = 1, ['\\'] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

/*
 * Index of the first byte in p[i, end) that html_safe does not pass (or
 * end). With SSE2, 16 bytes are tested per step for anything below 0x20,
 * 0x7F, 0x80 and up, & < > " '; a hit that the table passes (tab, LF, CR)
 * resumes the fast scan after it.
 */
static size_t
html_run(const unsigned char *p, size_t i, size_t end)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F),
	    amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'),
	    gt = _mm_set1_epi8('>'), dq = _mm_set1_epi8('"'),
	    sq = _mm_set1_epi8('\'');

	while (i + 16 <= end) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_or_si128(
		    _mm_or_si128(_mm_cmplt_epi8(x, sp), _mm_cmpeq_epi8(x, del)),
		    _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt)),
			_mm_or_si128(_mm_cmpeq_epi8(x, gt),
			    _mm_or_si128(_mm_cmpeq_epi8(x, dq),
				_mm_cmpeq_epi8(x, sq)))));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask == 0) {
			i += 16;
			continue;
		}
		i += (size_t)__builtin_ctz(mask);
		if (!html_safe[p[i]])
			return i;
		i++;
	}
#endif
	while (i < end && html_safe[p[i]])
		i++;
	return i;
}

/*
 * Writes s escaped for HTML text and quoted attribute values alike:
 * & < > " ' become entities, invalid UTF-8 and control characters become
 * U+FFFD, NUL is dropped. Works in chunks: room for the worst case of a
 * chunk (6 output bytes per input byte) is reserved once, then runs and
 * escapes are stored straight into the buffer.
 */
static void
html_escape(struct buf *b, struct sv s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, n = s.n;

	while (i < n) {
		size_t end = n - i < 4096 ? n : i + 4096;
		char *o;

		buf_reserve(b, 6 * (end - i) + 24);
		o = b->p + b->len;
		while (i < end) {
			size_t r = i;
			unsigned char c;
			int k;

			for (;;) {   /* the run: safe ASCII and valid UTF-8 */
				i = html_run(p, i, end);
				if (i < end && p[i] >= 0x80 &&
				    (k = utf8_seq(p + i, n - i)) > 0) {
					i += (size_t)k;
					continue;
				}
				break;
			}
			memcpy(o, p + r, i - r);
			o += i - r;
			if (i >= end)
				break;
			switch ((c = p[i++])) {
			case '&':  memcpy(o, "&amp;", 5); o += 5; break;
			case '<':  memcpy(o, "&lt;", 4); o += 4; break;
			case '>':  memcpy(o, "&gt;", 4); o += 4; break;
			case '"':  memcpy(o, "&#34;", 5); o += 5; break;
			case '\'':  memcpy(o, "&#39;", 5); o += 5; break;
			case '\0': break;
			default:
				if (c >= 0x80)
					i += (size_t)-utf8_seq(p + i - 1, n - i + 1) - 1;
				memcpy(o, REPLACEMENT, 3);
				o += 3;
				break;
			}
		}
		b->len = (size_t)(o - b->p);
		b->p[b->len] = '\0';
	}
}

void
html_txt(struct buf *b, struct sv s)
{
	html_escape(b, s);
}

void
html_attr(struct buf *b, struct sv s)
{
	/* The templates always quote attribute values, so the text escapes
	 * (which include both quotes) are enough. */
	html_escape(b, s);
}

/* ---- URL components ------------------------------------------------------ */

/* 1: RFC 3986 unreserved, copied as is; everything else is %XX. */
static const unsigned char url_safe[128] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static const char HEX[] = "0123456789ABCDEF";

static void
pct(struct buf *b, const unsigned char *p, size_t n)
{
	char tmp[12];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		tmp[o++] = '%';
		tmp[o++] = HEX[p[i] >> 4];
		tmp[o++] = HEX[p[i] & 15];
	}
	buf_put(b, tmp, o);
}

/*
 * Writes s as one URL path segment or query value: unreserved bytes as they
 * are, every other byte of valid UTF-8 as %XX, invalid UTF-8 as the %XX of
 * U+FFFD, NUL dropped. The result is also safe in an HTML attribute.
 */
void
url_arg(struct buf *b, struct sv s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, run = 0, n = s.n;

	while (i < n) {
		unsigned char c = p[i];
		int k = 0;

		if (c < 0x80 && url_safe[c]) {
			i++;
			continue;
		}
		if (i > run)
			buf_put(b, p + run, i - run);
		if (c == 0)
			i++;
		else if (c < 0x80)
			pct(b, p + i++, 1);
		else if ((k = utf8_seq(p + i, n - i)) > 0) {
			pct(b, p + i, (size_t)k);
			i += (size_t)k;
		} else {
			pct(b, (const unsigned char *)REPLACEMENT, 3);
			i += (size_t)-k;
		}
		run = i;
	}
	if (i > run)
		buf_put(b, p + run, i - run);
}

/* ---- JSON strings -------------------------------------------------------- */

/*
 * 1: the ASCII byte may stand in a JSON string as it is. < > & ' are escaped
 * too so the string is safe inside <script type="application/ld+json">
 * and inside an HTML attribute.
 */
static const unsigned char json_safe[256] = {
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1, [0x7F] = 1,
};

/* Writes \u00XX for the ASCII byte c. */
static void
json_u(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	buf_put(b, tmp, sizeof(tmp));
}

/*
 * Writes s as a JSON string with its quotes: " \ and control characters
 * escaped (NUL as \u0000), < > & ' as \u003c \u003e \u0026 \u0027,
 * U+2028/U+2029 as \u2028/\u2029, invalid UTF-8 as U+FFFD.
 */
void
json_str(struct buf *b, struct sv s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, run = 0, n = s.n;

	buf_reserve(b, n + 2);
	buf_putc(b, '"');
	while (i < n) {
		unsigned char c;
		int k = 0;

		while (i < n && json_safe[p[i]])   /* the hot loop */
			i++;
		if (i == n)
			break;
		if ((c = p[i]) >= 0x80 && (k = utf8_seq(p + i, n - i)) > 0) {
			/* U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR */
			if (!(k == 3 && c == 0xE2 && p[i + 1] == 0x80 &&
			    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))) {
				i += (size_t)k;
				continue;
			}
		}
		if (i > run)
			buf_put(b, p + run, i - run);
		switch (c) {
		case '"':  buf_put(b, "\\\"", 2); i++; break;
		case '\\': buf_put(b, "\\\\", 2); i++; break;
		case '\n': buf_put(b, "\\n", 2); i++; break;
		case '\r': buf_put(b, "\\r", 2); i++; break;
		case '\t': buf_put(b, "\\t", 2); i++; break;
		case 0xE2:
			if (k > 0) {
				buf_put(b, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
				i += 3;
				break;
			}
			/* FALLTHROUGH */
		default:
			if (c < 0x80) {
				json_u(b, c);
				i++;
			} else {
				buf_put(b, REPLACEMENT, 3);
				i += (size_t)-utf8_seq(p + i, n - i);
			}
			break;
		}
		run = i;
	}
	if (i > run)
		buf_put(b, p + run, i - run);
	buf_putc(b, '"');
}

/* ---- XML (Atom) ----------------------------------------------------------- */

/*
 * Writes s for XML 1.0 text or a quoted attribute value. Like html_escape
 * but with XML's predefined entities and its stricter character set:
 * U+FFFE and U+FFFF are not XML characters either.
 */
void
xml_txt(struct buf *b, struct sv s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, run = 0, n = s.n;

	buf_reserve(b, n);
	while (i < n) {
		unsigned char c = p[i];
		const char *e = NULL;
		int k;

		if (c >= 0x80) {
			k = utf8_seq(p + i, n - i);
			if (k == 3 && c == 0xEF && p[i + 1] == 0xBF &&
			    (p[i + 2] == 0xBE || p[i + 2] == 0xBF))
				k = -3;
			if (k > 0) {
				i += (size_t)k;
				continue;
			}
			if (i > run)
				buf_put(b, p + run, i - run);
			buf_put(b, REPLACEMENT, 3);
			i += (size_t)-k;
			run = i;
			continue;
		}
		if (c >= 0x20 && c != 0x7F && c != '&' && c != '<' && c != '>' &&
		    c != '"' && c != '\'') {
			i++;
			continue;
		}
		if (c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (i > run)
			buf_put(b, p + run, i - run);
		switch (c) {
		case '&':  e = "&amp;"; break;
		case '<':  e = "&lt;"; break;
		case '>':  e = "&gt;"; break;
		case '"':  e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		case '\0': e = ""; break;
		default:   e = REPLACEMENT; break;
		}
		buf_puts(b, e);
		run = ++i;
	}
	if (i > run)
		buf_put(b, p + run, i - run);
}

/* ---- BibTeX ------------------------------------------------------------------ */

/*
 * Writes s as the text of a braced BibTeX field (see html.h). No brace of
 * the data reaches the output: the only braces written are the empty
 * groups after the \text... commands, which are balanced by construction.
 */
void
bib_txt(struct buf *b, struct sv s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, run = 0, n = s.n;

	buf_reserve(b, n);
	while (i < n) {
		unsigned char c = p[i];
		const char *e;
		int k;

		if (c >= 0x80) {
			if ((k = utf8_seq(p + i, n - i)) > 0) {
				i += (size_t)k;
				continue;
			}
			if (i > run)
				buf_put(b, p + run, i - run);
			buf_put(b, REPLACEMENT, 3);
			i += (size_t)-k;
			run = i;
			continue;
		}
		switch (c) {
		case '&':  e = "\\&"; break;
		case '%':  e = "\\%"; break;
		case '$':  e = "\\$"; break;
		case '#':  e = "\\#"; break;
		case '_':  e = "\\_"; break;
		case '{':  e = "\\textbraceleft{}"; break;
		case '}':  e = "\\textbraceright{}"; break;
		case '~':  e = "\\textasciitilde{}"; break;
		case '^':  e = "\\textasciicircum{}"; break;
		case '\\': e = "\\textbackslash{}"; break;
		case '\0': e = ""; break;
		default:
			if (c >= 0x20 && c != 0x7F) {
				i++;
				continue;
			}
			e = " ";   /* line breaks, tabs, other controls */
			break;
		}
		if (i > run)
			buf_put(b, p + run, i - run);
		buf_puts(b, e);
		run = ++i;
	}
	if (i > run)
		buf_put(b, p + run, i - run);
}

/* The tags of titles bib_title() turns into commands (cmd) or drops (NULL). */
static const struct {
	const char *name, *cmd;
} title_tags[] = {
	{ "i", "\\textit{" }, { "em", "\\textit{" }, { "b", "\\textbf{" },
	{ "strong", "\\textbf{" }, { "sup", "\\textsuperscript{" },
	{ "sub", "\\textsubscript{" }, { "sc", "\\textsc{" },
	{ "scp", "\\textsc{" }, { "u", "\\underline{" },
	{ "span", NULL }, { "br", NULL }, { "p", NULL }, { "math", NULL },
};

#define TITLE_DEPTH 8

/*
 * The tag at s[0..n) (on its '<'): its length, or 0 when it is not one of
 * title_tags (or an <mml:...> tag); *idx the entry (-1 for mml), *closing.
 */
static size_t
title_tag(const char *s, size_t n, int *idx, int *closing)
{
	size_t i = 1, name, end, k;

	*closing = 0;
	if (i < n && s[i] == '/') {
		*closing = 1;
		i++;
	}
	name = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
	    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == ':'))
		i++;
	end = i;
	/* attributes (span, mml) or a self-closing slash, up to '>' */
	while (i < n && s[i] != '>' && s[i] != '<')
		i++;
	if (i == n || s[i] != '>' || end == name)
		return 0;
	if (end - name > 4 && strncasecmp(s + name, "mml:", 4) == 0) {
		*idx = -1;
		return i + 1;
	}
	for (k = 0; k < sizeof(title_tags) / sizeof(title_tags[0]); k++)
		if (strlen(title_tags[k].name) == end - name &&
		    strncasecmp(s + name, title_tags[k].name, end - name) == 0) {
			/* only span, mml and br may carry anything after the name */
			if (end != i && title_tags[k].cmd != NULL &&
			    !(i == end + 1 && s[end] == '/'))
				return 0;
			*idx = (int)k;
			return i + 1;
		}
	return 0;
}

void
bib_title(struct buf *b, struct sv s)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&apos;", "'" },
	};
	int open[TITLE_DEPTH];
	size_t depth = 0, i = 0, run = 0, k, len;
	int idx, closing;

	while (i < s.n) {
		if (s.p[i] == '&') {
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				len = strlen(ents[k].ent);
				if (s.n - i >= len && memcmp(s.p + i, ents[k].ent,
				    len) == 0)
					break;
			}
			if (k == sizeof(ents) / sizeof(ents[0])) {
				i++;
				continue;
			}
			bib_txt(b, (struct sv){ s.p + run, i - run });
			bib_txt(b, sv_cstr(ents[k].ch));
			run = i += len;
			continue;
		}
		if (s.p[i] != '<' || (len = title_tag(s.p + i, s.n - i, &idx,
		    &closing)) == 0) {
			i++;
			continue;
		}
		bib_txt(b, (struct sv){ s.p + run, i - run });
		run = i += len;
		if (idx < 0 || title_tags[idx].cmd == NULL)
			continue;              /* dropped, its text kept */
		if (!closing && s.p[i - 2] == '/')
			continue;              /* <i/>: nothing to wrap */
		if (!closing) {
			if (depth == TITLE_DEPTH)
				continue;
			open[depth++] = idx;
			buf_puts(b, title_tags[idx].cmd);
		} else if (depth > 0 && strcmp(title_tags[open[depth - 1]].cmd,
		    title_tags[idx].cmd) == 0) {
			depth--;
			buf_putc(b, '}');
		}
	}
	bib_txt(b, (struct sv){ s.p + run, s.n - run });
	while (depth-- > 0)
		buf_putc(b, '}');
}

/* ---- trusted template text ----------------------------------------------- */

void
html_raw_trusted(struct buf *b, const char *s, size_t n)
{
	buf_put(b, s, n);
}
