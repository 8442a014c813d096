/* csv.c (fuzz): a merged or deleted ids file's bytes through the CSV row reader (store/csv.c), cut into reads of every size. */
/*
 * The first byte is the size of the reads the source hands over (1 to
 * 256; 0: all at once); the rest is the file.
 *
 * Beyond no crash, each line of the input (split at '\n' here) is
 * checked against what the reader made of it, in order, one for one: a
 * line over CSV_LINE_MAX bytes is a bad line; otherwise, without one
 * trailing '\r', it is a row exactly when it is 1 to CSV_FIELDS fields,
 * each bare or quoted whole, with no NUL, and then the fields
 * re-serialised (quoted where they were) are the line byte for byte, and
 * the same fields written bare parse back to the same fields. The line
 * number counts every line, rows and bad ones.
 */
#include <string.h>

#include "../../store/csv.h"
#include "fuzz.h"

struct src {
	const uint8_t *p;
	size_t n, off, step;
};

static ssize_t
src_read(void *s, void *buf, size_t cap)
{
	struct src *m = s;
	size_t k = m->n - m->off;

	if (k > cap)
		k = cap;
	if (m->step && k > m->step)
		k = m->step;
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

FUZZ_INIT(csv)
{
	return 0;
}

/* Whether line (n bytes, no '\n') is a row by the rule, said another way:
 * every field has no '"' or is '"' + something without '"' + '"'. */
static int
ref_row(const uint8_t *line, size_t n)
{
	size_t fields = 1, i, start = 0;

	if (memchr(line, '\0', n) != NULL)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && line[i] != ',')
			continue;
		{
			const uint8_t *f = line + start;
			size_t len = i - start, q = 0;

			for (size_t k = 0; k < len; k++)
				q += f[k] == '"';
			if (q != 0 && !(q == 2 && len >= 2 && f[0] == '"' &&
			    f[len - 1] == '"'))
				return 0;
		}
		if (i < n && ++fields > CSV_FIELDS)
			return 0;
		start = i + 1;
	}
	return 1;
}

static void
check_row(const struct csv *c, const uint8_t *line, size_t n)
{
	char out[CSV_LINE_MAX + 1];
	struct sv f[CSV_FIELDS];
	unsigned char q[CSV_FIELDS];
	size_t len = 0, nf;

	FUZZ_CHECK(c->nf >= 1 && c->nf <= CSV_FIELDS);
	FUZZ_CHECK(c->len == n && c->len <= CSV_LINE_MAX &&
	    memcmp(c->line, line, n) == 0 && c->line[n] == '\0');
	for (size_t i = 0; i < c->nf; i++) {
		struct sv v = c->f[i];

		FUZZ_CHECK(v.p >= c->line && v.p + v.n <= c->line + c->len);
		FUZZ_CHECK(memchr(v.p, ',', v.n) == NULL &&
		    memchr(v.p, '"', v.n) == NULL &&
		    memchr(v.p, '\0', v.n) == NULL &&
		    memchr(v.p, '\n', v.n) == NULL);
		if (i > 0)
			out[len++] = ',';
		if (c->quoted[i])
			out[len++] = '"';
		FUZZ_CHECK(len + v.n + 1 <= sizeof(out));
		memcpy(out + len, v.p, v.n);
		len += v.n;
		if (c->quoted[i])
			out[len++] = '"';
	}
	/* Re-serialised as read: the line itself. */
	FUZZ_CHECK(len == n && memcmp(out, line, n) == 0);
	/* Written bare: the same fields. */
	len = 0;
	for (size_t i = 0; i < c->nf; i++) {
		if (i > 0)
			out[len++] = ',';
		memcpy(out + len, c->f[i].p, c->f[i].n);
		len += c->f[i].n;
	}
	FUZZ_CHECK(csv_split(out, len, f, q, &nf) == 0 && nf == c->nf);
	for (size_t i = 0; i < nf; i++)
		FUZZ_CHECK(!q[i] && f[i].n == c->f[i].n &&
		    memcmp(f[i].p, c->f[i].p, f[i].n) == 0);
}

FUZZ_ONE(csv)
{
	static struct csv c;
	struct src s;
	const uint8_t *p, *end;
	uint64_t lines = 0;
	int r;

	if (size == 0)
		return 0;
	s = (struct src){ data + 1, size - 1, 0, data[0] };
	csv_init(&c, src_read, &s);
	p = data + 1;
	end = data + size;
	while ((r = csv_next(&c)) != 0) {
		const uint8_t *nl;
		size_t n, raw;

		FUZZ_CHECK(r == 1 || r == 2);
		FUZZ_CHECK(p < end);                /* a line the input has */
		nl = memchr(p, '\n', (size_t)(end - p));
		raw = n = (size_t)((nl ? nl : end) - p);
		FUZZ_CHECK(c.lineno == ++lines);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (raw > CSV_LINE_MAX || !ref_row(p, n))
			FUZZ_CHECK(r == 2);
		else {
			FUZZ_CHECK(r == 1);
			check_row(&c, p, n);
		}
		p = nl ? nl + 1 : end;
	}
	FUZZ_CHECK(p == end);                       /* every line was read */
	return 0;
}
