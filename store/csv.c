/* csv.c: CSV rows of ids and dates, line by line (csv.h). */
#include "csv.h"

#include <string.h>

void
csv_init(struct csv *c, csv_read_fn read, void *src)
{
	memset(c, 0, sizeof(*c));
	c->read = read;
	c->src = src;
}

int
csv_split(const char *line, size_t n, struct sv *f, unsigned char *quoted,
    size_t *nf)
{
	const char *p = line, *end = line + n;

	*nf = 0;
	if (memchr(line, '\0', n) != NULL)
		return -1;
	for (;;) {
		const char *e = memchr(p, ',', (size_t)(end - p));
		size_t len = (size_t)((e ? e : end) - p);
		int q = len >= 2 && p[0] == '"' && p[len - 1] == '"';

		if (*nf == CSV_FIELDS)
			return -1;
		if (memchr(p + q, '"', len - 2 * (size_t)q) != NULL)
			return -1;      /* a quote that is not the field's */
		quoted[*nf] = (unsigned char)q;
		f[(*nf)++] = (struct sv){ p + q, len - 2 * (size_t)q };
		if (e == NULL)
			return 0;
		p = e + 1;
	}
}

int
csv_next(struct csv *c)
{
	size_t n = 0;
	int over = 0;

	for (;;) {
		char *nl;
		ssize_t r;

		if (c->beg < c->end &&
		    (nl = memchr(c->buf + c->beg, '\n', c->end - c->beg)) != NULL) {
			size_t k = (size_t)(nl - (c->buf + c->beg));

			if (over || n + k > CSV_LINE_MAX)
				over = 1;
			else
				memcpy(c->line + n, c->buf + c->beg, k);
			n += k;
			c->beg += k + 1;
			break;
		}
		if (c->eof) {
			if (n == 0 && c->beg == c->end)
				return 0;
			break;
		}
		if (c->beg < c->end) {
			size_t k = c->end - c->beg;

			if (over || n + k > CSV_LINE_MAX)
				over = 1;
			else
				memcpy(c->line + n, c->buf + c->beg, k);
			n += k;
		}
		c->beg = c->end = 0;
		if ((r = c->read(c->src, c->buf, sizeof(c->buf))) < 0)
			return -1;
		if (r == 0) {
			/* The last line had no newline: it ends here. */
			c->eof = 1;
			if (n == 0)
				return 0;
			break;
		}
		c->end = (size_t)r;
	}
	c->lineno++;
	c->nf = 0;
	if (over) {
		c->len = 0;
		c->line[0] = '\0';
		return 2;
	}
	if (n > 0 && c->line[n - 1] == '\r')
		n--;
	c->line[n] = '\0';
	c->len = n;
	return csv_split(c->line, n, c->f, c->quoted, &c->nf) == 0 ? 1 : 2;
}
