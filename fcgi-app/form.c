/* form.c: decoding and validating urlencoded fields and path segments. */
#include "form.h"

#include <string.h>

#include "../store/store.h"
#include "../store/utf8.h"

/* The one reason a field is too long (form_too_long compares it). */
static const char TOO_LONG[] = "too long";

void
form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
}

void
form_free(struct form *f)
{
	buf_free(&f->arena);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes in (plus_is_space for form encoding) onto the end of out.
 * Returns 0, or -1 on a bad %XX or a NUL byte.
 */
static int
decode(struct buf *out, struct sv in, int plus_is_space)
{
	buf_reserve(out, in.n);
	for (size_t i = 0; i < in.n; i++) {
		int c = (unsigned char)in.p[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= in.n)
				return -1;
			h = hexval((unsigned char)in.p[i + 1]);
			l = hexval((unsigned char)in.p[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == 0)
			return -1;
		out->p[out->len++] = (char)c;
	}
	out->p[out->len] = '\0';
	return 0;
}

int
url_decode_segment(struct buf *out, struct sv in)
{
	return decode(out, in, 0);
}

int
utf8_valid(struct sv s)
{
	size_t i = 0;

	while (i < s.n)
		if (utf8_next((const unsigned char *)s.p, s.n, &i) < 0)
			return 0;
	return 1;
}

int
valid_uint(struct sv v)
{
	if (v.n == 0 || v.n > 9)
		return 0;
	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return 1;
}

/* The store's rule (store_text_valid): what passes here, the store keeps. */
int
valid_text(struct sv v)
{
	return store_text_valid(v, STORE_TEXT_NOTE);
}

int
valid_line(struct sv v)
{
	return store_text_valid(v, STORE_TEXT_LINE);
}

/*
 * ORCID iD: four groups of four, the last character a digit or X, the check
 * digit by ISO 7064 MOD 11-2 over the first 15 digits.
 */
int
valid_orcid(struct sv v)
{
	unsigned total = 0, check;
	int digits = 0;

	if (v.n != 19)
		return 0;
	for (size_t i = 0; i < 19; i++) {
		char c = v.p[i];

		if (i == 4 || i == 9 || i == 14) {
			if (c != '-')
				return 0;
			continue;
		}
		if (i == 18)
			break;
		if (c < '0' || c > '9')
			return 0;
		total = (total + (unsigned)(c - '0')) * 2;
		digits++;
	}
	check = (12 - total % 11) % 11;
	return digits == 15 &&
	    v.p[18] == (check == 10 ? 'X' : (char)('0' + check));
}

/* Whether s starts with the ASCII prefix p, letters in either case. */
static int
prefix_ci(struct sv s, const char *p)
{
	size_t n = strlen(p);

	if (s.n < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != p[i])
			return 0;
	}
	return 1;
}

int
orcid_normalize(struct sv in, char out[20])
{
	static const char *const prefixes[] = {
		"https://orcid.org/", "http://orcid.org/", "https://www.orcid.org/",
		"http://www.orcid.org/", "www.orcid.org/", "orcid.org/",
	};
	char id[19];
	size_t n = 0;

	out[0] = '\0';
	while (in.n && (in.p[0] == ' ' || in.p[0] == '\t')) {
		in.p++;
		in.n--;
	}
	while (in.n && (in.p[in.n - 1] == ' ' || in.p[in.n - 1] == '\t' ||
	    in.p[in.n - 1] == '/'))
		in.n--;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (prefix_ci(in, prefixes[i])) {
			in.p += strlen(prefixes[i]);
			in.n -= strlen(prefixes[i]);
			break;
		}
	/* 16 characters, with the three hyphens or none. */
	if (in.n != 16 && in.n != 19)
		return 0;
	for (size_t i = 0; i < in.n; i++) {
		char c = in.p[i];

		if (in.n == 19 && (i == 4 || i == 9 || i == 14)) {
			if (c != '-')
				return 0;
			continue;
		}
		if (c == 'x')
			c = 'X';
		if (n == 4 || n == 9 || n == 14)
			id[n++] = '-';
		id[n++] = c;
	}
	if (!valid_orcid((struct sv){ id, n }))
		return 0;
	memcpy(out, id, n);
	out[n] = '\0';
	return 1;
}

/*
 * A conservative address check: one '@'; a local part of letters, digits
 * and .!#$%&'*+/=?^_`{|}~- (no leading, trailing or double dot); a domain
 * of at least two dot-separated labels of letters, digits and '-'.
 */
int
valid_email(struct sv v)
{
	const char *at = memchr(v.p, '@', v.n);
	size_t local, labels = 0, lablen = 0;

	if (at == NULL || v.n > 254 || memchr(at + 1, '@', v.n - (size_t)(at - v.p) - 1))
		return 0;
	local = (size_t)(at - v.p);
	if (local == 0 || local > 64 || v.p[0] == '.' || v.p[local - 1] == '.')
		return 0;
	for (size_t i = 0; i < local; i++) {
		char c = v.p[i];

		if (c == '.' && v.p[i + 1] == '.')
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL)))
			return 0;
	}
	for (const char *p = at + 1; p < v.p + v.n; p++) {
		char c = *p;

		if (c == '.') {
			if (lablen == 0 || p[-1] == '-')
				return 0;
			labels++;
			lablen = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && lablen > 0)))
			return 0;
		if (++lablen > 63)
			return 0;
	}
	return lablen > 0 && labels >= 1 && v.p[v.n - 1] != '-';
}

/* https:// then a host of letters, digits, '.', '-' (and an optional
 * :port), then an optional path; printable ASCII only, no spaces: the
 * store's rule (store_https_url_valid), at most 2000 bytes. */
int
valid_https_url(struct sv v)
{
	return v.n <= 2000 && store_https_url_valid(v);
}

static void
reject(struct buf *err, const char *field, const char *why)
{
	buf_puts(err, field);
	buf_puts(err, ": ");
	buf_puts(err, why);
}

/*
 * The one parser of form_parse and form_parse_fields: per_field makes a
 * value's length or validity an error of its field instead of the input's.
 */
static int
parse(struct form *f, struct sv in, const struct field_decl *decl,
    size_t ndecl, struct buf *err, int per_field)
{
	struct buf name = BUF_INIT;
	size_t i = 0;
	int rc = -1;

	buf_reset(&f->arena);
	memset(f->present, 0, sizeof(f->present));
	memset(f->typed, 0, sizeof(f->typed));
	memset(f->error, 0, sizeof(f->error));
	if (ndecl > FORM_MAX_FIELDS) {
		buf_puts(err, "too many declared fields");
		return -1;
	}
	while (i < in.n) {
		size_t start = i, eq = (size_t)-1, k;
		struct sv rawname, rawval;

		while (i < in.n && in.p[i] != '&') {
			if (in.p[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (i == start) {       /* "a=1&&b=2": tolerate empty pairs */
			i++;
			continue;
		}
		rawname = (struct sv){ in.p + start,
		    (eq == (size_t)-1 ? i : eq) - start };
		rawval = eq == (size_t)-1 ? (struct sv){ in.p + i, 0 } :
		    (struct sv){ in.p + eq + 1, i - eq - 1 };
		i++;                    /* past '&' */

		buf_reset(&name);
		if (rawname.n > 64 || decode(&name, rawname, 1) < 0) {
			buf_puts(err, "a field name is malformed");
			goto out;
		}
		for (k = 0; k < ndecl; k++)
			if (strcmp(decl[k].name, name.p) == 0 &&
			    strlen(decl[k].name) == name.len)
				break;
		if (k == ndecl)
			continue;       /* undeclared: ignored */
		if (f->present[k] || f->typed[k]) {
			reject(err, decl[k].name, "given more than once");
			goto out;
		}
		/*
		 * A character is at most 4 bytes and percent-encoding triples
		 * a byte: a cheap early bound, before anything is decoded. In
		 * a form people fill in, a value past it is still only too
		 * long: nothing of it is kept.
		 */
		if (rawval.n > decl[k].max * 12) {
			if (!per_field) {
				reject(err, decl[k].name, TOO_LONG);
				goto out;
			}
			f->typed[k] = 1;
			f->off[k] = f->arena.len;
			f->len[k] = 0;
			buf_putc(&f->arena, '\0');
			f->error[k] = TOO_LONG;
			continue;
		}
		f->off[k] = f->arena.len;
		if (decode(&f->arena, rawval, 1) < 0) {
			reject(err, decl[k].name, "bad percent-encoding or a NUL byte");
			goto out;
		}
		f->len[k] = f->arena.len - f->off[k];
		buf_putc(&f->arena, '\0');
		f->typed[k] = 1;
		{
			struct sv v = { f->arena.p + f->off[k], f->len[k] };
			const char *why = NULL;

			if (utf8_chars((const unsigned char *)v.p, v.n) >
			    decl[k].max)
				why = TOO_LONG;
			else if (!(decl[k].valid ? decl[k].valid(v) :
			    valid_line(v)))
				why = decl[k].invalid ? decl[k].invalid :
				    "not a valid value";
			if (why != NULL && !per_field) {
				reject(err, decl[k].name, why);
				goto out;
			}
			f->error[k] = why;
		}
		f->present[k] = f->error[k] == NULL;
	}
	rc = 0;
out:
	buf_free(&name);
	if (rc < 0) {
		memset(f->present, 0, sizeof(f->present));
		memset(f->typed, 0, sizeof(f->typed));
		memset(f->error, 0, sizeof(f->error));
	}
	return rc;
}

int
form_parse(struct form *f, struct sv in, const struct field_decl *decl,
    size_t ndecl, struct buf *err)
{
	return parse(f, in, decl, ndecl, err, 0);
}

int
form_parse_fields(struct form *f, struct sv in, const struct field_decl *decl,
    size_t ndecl, struct buf *err)
{
	return parse(f, in, decl, ndecl, err, 1);
}

const char *
form_error(const struct form *f, size_t i)
{
	return i < FORM_MAX_FIELDS ? f->error[i] : NULL;
}

int
form_too_long(const struct form *f, size_t i)
{
	return form_error(f, i) == TOO_LONG;
}

struct sv
form_typed(const struct form *f, size_t i)
{
	struct sv v;

	if (i >= FORM_MAX_FIELDS || !f->typed[i])
		return (struct sv){ "", 0 };
	v = (struct sv){ f->arena.p + f->off[i], f->len[i] };
	return store_text_valid(v, STORE_TEXT_NOTE) ? v : (struct sv){ "", 0 };
}

struct sv
form_get(const struct form *f, size_t i)
{
	if (i >= FORM_MAX_FIELDS || !f->present[i])
		return (struct sv){ "", 0 };
	return (struct sv){ f->arena.p + f->off[i], f->len[i] };
}

int
form_has(const struct form *f, size_t i)
{
	return i < FORM_MAX_FIELDS && f->present[i];
}
