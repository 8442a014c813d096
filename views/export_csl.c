/* export_csl.c: works.csl.json: a researcher's works as CSL-JSON items, the citation style language's input (export_csl). */
#include "export.h"

#include <string.h>
#include <strings.h>

#include "json.h"
#include "work.h"
#include "works.h"

/*
 * CSL item types (CSL 1.0.2) for OpenAlex's work types, old and new
 * vocabulary. CSL has no preprint type: preprints, like anything else not
 * listed, are "article" (what Zotero and citeproc-js use for them).
 */
static const struct {
	const char *type, *csl;
} csl_types[] = {
	{ "article", "article-journal" },
	{ "journal-article", "article-journal" },
	{ "review", "article-journal" },
	{ "letter", "article-journal" },
	{ "editorial", "article-journal" },
	{ "erratum", "article-journal" },
	{ "retraction", "article-journal" },
	{ "proceedings-article", "paper-conference" },
	{ "conference-paper", "paper-conference" },
	{ "book", "book" },
	{ "monograph", "book" },
	{ "edited-book", "book" },
	{ "reference-book", "book" },
	{ "book-chapter", "chapter" },
	{ "reference-entry", "entry" },
	{ "dissertation", "thesis" },
	{ "report", "report" },
	{ "dataset", "dataset" },
};

static const char *
csl_type(struct sv type)
{
	size_t i;

	for (i = 0; i < sizeof(csl_types) / sizeof(csl_types[0]); i++)
		if (sv_eq_cstr(type, csl_types[i].type))
			return csl_types[i].csl;
	return "article";
}

/* Digits only, n of them. */
static int
digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

struct cctx {
	struct store_rtxn *t;
	struct jw          j;
};

static int
csl_work_cb(void *ctx, const struct store_work *w)
{
	struct cctx *c = ctx;
	struct jw *j = &c->j;
	struct store_author_ref a;
	struct export_name x;
	struct sv doi = { "", 0 }, url = work_url(w);
	size_t pos = 0;
	int rc;

	jw_obj_open(j, NULL);
	jw_str(j, "id", w->id);
	jw_str(j, "type", sv_cstr(csl_type(w->type)));
	/* CSL's rich text is the HTML subset titles carry (<i>, <b>, <sup>,
	 * <sub>): the title goes as the record has it */
	jw_str(j, "title", w->title.n ? w->title : SV_LIT("Untitled work"));
	jw_arr_open(j, "author");
	while ((rc = store_work_author_next(w, &pos, &a)) == 0) {
		export_author_split(c->t, &a, &x);
		if (x.whole && x.whole_name.n == 0)
			continue;
		jw_obj_open(j, NULL);
		if (x.whole)
			jw_str(j, "literal", x.whole_name);
		else {
			jw_str(j, "family", x.family);
			jw_str(j, "given", x.given);
			if (x.suffix.n)
				jw_str(j, "suffix", x.suffix);
		}
		jw_obj_close(j);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	jw_arr_close(j);
	/* issued: the publication date's parts, else the year alone */
	if (w->date.n == 10 && w->date.p[4] == '-' && w->date.p[7] == '-' &&
	    digits(w->date.p, 4) && digits(w->date.p + 5, 2) &&
	    digits(w->date.p + 8, 2)) {
		const char *d = w->date.p;

		jw_obj_open(j, "issued");
		jw_arr_open(j, "date-parts");
		jw_arr_open(j, NULL);
		jw_int(j, NULL, (d[0] - '0') * 1000 + (d[1] - '0') * 100 +
		    (d[2] - '0') * 10 + (d[3] - '0'));
		jw_int(j, NULL, (d[5] - '0') * 10 + (d[6] - '0'));
		jw_int(j, NULL, (d[8] - '0') * 10 + (d[9] - '0'));
		jw_arr_close(j);
		jw_arr_close(j);
		jw_obj_close(j);
	} else if (w->year > 0) {
		jw_obj_open(j, "issued");
		jw_arr_open(j, "date-parts");
		jw_arr_open(j, NULL);
		jw_int(j, NULL, w->year);
		jw_arr_close(j);
		jw_arr_close(j);
		jw_obj_close(j);
	}
	if (w->venue.n)
		jw_str(j, "container-title", w->venue);
	if (w->doi.n > 16 && strncasecmp(w->doi.p, "https://doi.org/", 16) == 0)
		doi = (struct sv){ w->doi.p + 16, w->doi.n - 16 };
	if (doi.n)
		jw_str(j, "DOI", doi);
	if (url.n)
		jw_str(j, "URL", url);
	if (w->abstract.n)
		jw_str(j, "abstract", w->abstract);
	if (w->flags & STORE_WORK_RETRACTED)
		jw_str(j, "status", SV_LIT("retracted"));
	jw_obj_close(j);
	return 0;
}

int
export_csl(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out)
{
	struct cctx c;
	int rc;

	c.t = t;
	jw_init(&c.j, out);
	jw_arr_open(&c.j, NULL);
	if ((rc = works_each(t, r, WORKS_NEWEST, 0, 0, csl_work_cb, &c)) != 0)
		return rc;
	jw_arr_close(&c.j);
	buf_putc(out, '\n');
	return jw_done(&c.j) == 0 ? 0 : STORE_CORRUPT;
}
