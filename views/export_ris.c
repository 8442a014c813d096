/* export_ris.c: works.ris: a researcher's works as RIS records for reference managers (export_ris). */
#include "export.h"

#include <string.h>
#include <strings.h>

#include "../store/utf8.h"
#include "work.h"
#include "works.h"

/*
 * RIS reference types for OpenAlex's work types, old and new vocabulary;
 * the venue goes into JO for a journal, T2 (the secondary title: the
 * proceedings', the book's, the server's) otherwise. Anything else is GEN.
 */
static const struct {
	const char *type, *ty;
} ris_types[] = {
	{ "article", "JOUR" },
	{ "journal-article", "JOUR" },
	{ "review", "JOUR" },
	{ "letter", "JOUR" },
	{ "editorial", "JOUR" },
	{ "erratum", "JOUR" },
	{ "retraction", "JOUR" },
	{ "proceedings-article", "CONF" },
	{ "conference-paper", "CONF" },
	{ "book", "BOOK" },
	{ "monograph", "BOOK" },
	{ "edited-book", "BOOK" },
	{ "reference-book", "BOOK" },
	{ "book-chapter", "CHAP" },
	{ "reference-entry", "CHAP" },
	{ "dissertation", "THES" },
	{ "report", "RPRT" },
	{ "dataset", "DATA" },
	{ "preprint", "ELEC" },
	{ "posted-content", "ELEC" },
};

static const char *
ris_type(struct sv type)
{
	size_t i;

	for (i = 0; i < sizeof(ris_types) / sizeof(ris_types[0]); i++)
		if (sv_eq_cstr(type, ris_types[i].type))
			return ris_types[i].ty;
	return "GEN";
}

/*
 * A value on its one line: CR, LF, tabs and other controls (C0, DEL, C1)
 * as one space, runs of spaces as one, no space at either end; invalid
 * UTF-8 as U+FFFD; everything else as it is (RIS is UTF-8 text).
 */
void
export_ris_txt(struct buf *o, struct sv v)
{
	const unsigned char *s = (const unsigned char *)v.p;
	size_t i = 0, start = o->len;
	int space = 0;

	while (i < v.n) {
		size_t at = i;
		long cp = utf8_next(s, v.n, &i);

		if (cp == 0)
			continue;
		if (cp == ' ' || (cp >= 0 && cp < 0x20) || (cp >= 0x7F && cp < 0xA0) ||
		    cp == 0x2028 || cp == 0x2029) {
			space = 1;
			continue;
		}
		if (space && o->len > start)
			buf_putc(o, ' ');
		space = 0;
		if (cp < 0)
			buf_puts(o, "\xEF\xBF\xBD");
		else
			buf_put(o, v.p + at, i - at);
	}
}

static void
ris_line(struct buf *o, const char *tag, struct sv v)
{
	size_t at = o->len;

	buf_puts(o, tag);
	buf_puts(o, "  - ");
	export_ris_txt(o, v);
	if (o->len == at + 6) {
		o->len = at;   /* empty, or nothing but controls: no line */
		return;
	}
	buf_puts(o, "\r\n");
}

struct rctx {
	struct store_rtxn *t;
	struct buf        *out;
};

static int
ris_work_cb(void *ctx, const struct store_work *w)
{
	struct rctx *c = ctx;
	struct buf *o = c->out;
	struct store_author_ref a;
	struct export_name x;
	const char *ty = ris_type(w->type);
	struct sv doi = { "", 0 };
	size_t pos = 0;
	int rc;

	buf_puts(o, "TY  - ");
	buf_puts(o, ty);
	buf_puts(o, "\r\n");
	ris_line(o, "ID", w->id);
	ris_line(o, "TI", w->title.n ? w->title : SV_LIT("Untitled work"));
	while ((rc = store_work_author_next(w, &pos, &a)) == 0) {
		struct buf n = BUF_INIT;

		export_author_split(c->t, &a, &x);
		if (x.whole)
			buf_put(&n, x.whole_name.p, x.whole_name.n);
		else {
			/* "Family, Given" or "Family, Given, Suffix" */
			buf_put(&n, x.family.p, x.family.n);
			buf_puts(&n, ", ");
			buf_put(&n, x.given.p, x.given.n);
			if (x.suffix.n) {
				buf_puts(&n, ", ");
				buf_put(&n, x.suffix.p, x.suffix.n);
			}
		}
		if (n.len)
			ris_line(o, "AU", (struct sv){ n.p, n.len });
		buf_free(&n);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	if (w->year > 0) {
		buf_puts(o, "PY  - ");
		buf_puti64(o, w->year);
		buf_puts(o, "\r\n");
	}
	/* DA is YYYY/MM/DD; the store keeps publication_date as YYYY-MM-DD */
	if (w->date.n == 10 && w->date.p[4] == '-' && w->date.p[7] == '-') {
		buf_puts(o, "DA  - ");
		buf_put(o, w->date.p, 4);
		buf_putc(o, '/');
		buf_put(o, w->date.p + 5, 2);
		buf_putc(o, '/');
		buf_put(o, w->date.p + 8, 2);
		buf_puts(o, "\r\n");
	}
	if (w->venue.n)
		ris_line(o, strcmp(ty, "JOUR") == 0 ? "JO" : "T2", w->venue);
	if (w->doi.n > 16 && strncasecmp(w->doi.p, "https://doi.org/", 16) == 0)
		doi = (struct sv){ w->doi.p + 16, w->doi.n - 16 };
	if (doi.n)
		ris_line(o, "DO", doi);
	ris_line(o, "UR", work_url(w));
	if (w->flags & STORE_WORK_RETRACTED)
		ris_line(o, "N1", SV_LIT("Retracted"));
	ris_line(o, "AB", w->abstract);
	buf_puts(o, "ER  - \r\n\r\n");
	return 0;
}

int
export_ris(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out)
{
	struct rctx c = { t, out };

	return works_each(t, r, WORKS_NEWEST, 0, 0, ris_work_cb, &c);
}
