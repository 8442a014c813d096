/* export_atom.c: works.atom: a researcher's newest works as an Atom feed for feed readers (export_atom). */
#include "export.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "work.h"

/* RFC 3339 UTC time of unix seconds t ("2026-01-31T12:00:00Z"). */
static void
rfc3339(struct buf *out, uint64_t t)
{
	char tmp[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		buf_puts(out, "1970-01-01T00:00:00Z");
		return;
	}
	buf_puts(out, tmp);
}

struct actx {
	struct buf *out;
	uint64_t    updated;
};

/* Whether s is a date YYYY-MM-DD (digits and dashes there; month 01-12,
 * day 01-31): safe in an RFC 3339 time, which a feed reader parses. */
static int
is_date(struct sv s)
{
	size_t i;

	if (s.n != 10 || s.p[4] != '-' || s.p[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s.p[i] < '0' || s.p[i] > '9'))
			return 0;
	return memcmp(s.p + 5, "01", 2) >= 0 && memcmp(s.p + 5, "12", 2) <= 0 &&
	    memcmp(s.p + 8, "01", 2) >= 0 && memcmp(s.p + 8, "31", 2) <= 0;
}

/* One work as an Atom entry, updated at unix seconds `updated`. */
static int
atom_entry(struct buf *o, const struct store_work *w, uint64_t updated)
{
	struct store_author_ref a;
	struct store_topic_ref tp;
	struct sv url = work_url(w);
	size_t pos = 0, k = 0;
	int rc;

	buf_puts(o, "<entry>\n<id>https://openalex.org/");
	xml_txt(o, w->id);
	buf_puts(o, "</id>\n<title type=\"text\">");
	xml_txt(o, w->title.n ? w->title : SV_LIT("Untitled work"));
	buf_puts(o, "</title>\n<updated>");
	rfc3339(o, updated);
	buf_puts(o, "</updated>\n");
	if (is_date(w->date)) {
		/* publication_date, when it is one (OpenAlex: YYYY-MM-DD) */
		buf_puts(o, "<published>");
		buf_put(o, w->date.p, w->date.n);
		buf_puts(o, "T00:00:00Z</published>\n");
	} else if (w->year > 0 && w->year < 10000) {
		char y[8];

		buf_puts(o, "<published>");
		snprintf(y, sizeof(y), "%04d", w->year);
		buf_puts(o, y);
		buf_puts(o, "-01-01T00:00:00Z</published>\n");
	}
	while ((rc = store_work_author_next(w, &pos, &a)) == 0) {
		if (k++ >= 100)
			continue;   /* enough for a feed reader */
		buf_puts(o, "<author><name>");
		xml_txt(o, a.name.n ? a.name : SV_LIT("Unknown author"));
		buf_puts(o, "</name>");
		if (a.id.n) {
			buf_puts(o, "<uri>https://openalex.org/");
			xml_txt(o, a.id);
			buf_puts(o, "</uri>");
		}
		buf_puts(o, "</author>\n");
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	buf_puts(o, "<link rel=\"alternate\" type=\"text/html\" href=\"");
	if (url.n)
		xml_txt(o, url);
	else {
		buf_puts(o, "https://openalex.org/");
		xml_txt(o, w->id);
	}
	buf_puts(o, "\"/>\n");
	pos = 0;
	while ((rc = store_work_topic_next(w, &pos, &tp)) == 0) {
		buf_puts(o, "<category term=\"");
		xml_txt(o, tp.id);
		buf_puts(o, "\" label=\"");
		xml_txt(o, tp.name);
		buf_puts(o, "\"/>\n");
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	if (w->venue.n || w->type.n) {
		buf_puts(o, "<content type=\"text\">");
		xml_txt(o, w->type);
		if (w->type.n && w->venue.n)
			buf_puts(o, ", ");
		xml_txt(o, w->venue);
		buf_puts(o, "</content>\n");
	}
	if (w->abstract.n) {
		buf_puts(o, "<summary type=\"text\">");
		xml_txt(o, w->abstract);
		buf_puts(o, "</summary>\n");
	}
	buf_puts(o, "</entry>\n");
	return 0;
}

static int
atom_entry_cb(void *ctx, const struct store_work *w)
{
	struct actx *c = ctx;

	return atom_entry(c->out, w, c->updated);
}

int
export_atom(struct store_rtxn *t, const struct store_researcher *r,
    struct sv origin, uint64_t updated, struct buf *out)
{
	struct actx c = { out, updated };
	struct buf path = BUF_INIT;

	buf_puts(&path, "/researchers/");
	url_arg(&path, r->slug);
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<id>");
	xml_txt(out, origin);
	xml_txt(out, (struct sv){ path.p, path.len });
	buf_puts(out, "/works.atom</id>\n<title type=\"text\">");
	xml_txt(out, r->name);
	buf_puts(out, ": published work · BZPEER</title>\n<subtitle type=\"text\">"
	    "New works of ");
	xml_txt(out, r->name);
	buf_puts(out, " in the BZPEER catalog, newest first.</subtitle>\n<updated>");
	rfc3339(out, updated);
	buf_puts(out, "</updated>\n<author><name>");
	xml_txt(out, r->name);
	buf_puts(out, "</name><uri>https://openalex.org/");
	xml_txt(out, r->id);
	buf_puts(out, "</uri></author>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml_txt(out, origin);
	xml_txt(out, (struct sv){ path.p, path.len });
	buf_puts(out, "/works.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml_txt(out, origin);
	xml_txt(out, (struct sv){ path.p, path.len });
	buf_puts(out, "\"/>\n<generator>BZPEER</generator>\n");
	buf_free(&path);
	{
		int rc = store_researcher_works(t, r->id, 0, EXPORT_ATOM_MAX,
		    atom_entry_cb, &c);

		if (rc != 0)
			return rc;
	}
	buf_puts(out, "</feed>\n");
	return 0;
}

/* ---- the private feed of the researchers a user follows -------------------- */

struct fctx {
	struct buf *entries;
	uint64_t    fallback;    /* the catalog's time, for a record without one */
	uint64_t    updated;     /* out: the newest entry's */
};

static int
following_entry_cb(void *ctx, const struct store_work *w,
    const struct store_researcher *by)
{
	struct fctx *c = ctx;
	/* When the researcher's record or works last changed: a re-import
	 * of the same data leaves it, so a reader sees no entry change
	 * that did not. */
	uint64_t updated = by->changed ? by->changed : c->fallback;

	if (updated > c->updated)
		c->updated = updated;
	return atom_entry(c->entries, w, updated);
}

int
export_atom_following(struct store_rtxn *t, struct sv user, struct sv origin,
    struct sv self_path, uint64_t fallback, struct buf *out)
{
	struct buf entries = BUF_INIT;
	struct fctx c = { &entries, fallback, 0 };
	int rc;

	rc = store_following_newest(t, user, EXPORT_ATOM_MAX,
	    following_entry_cb, &c, NULL);
	if (rc != 0) {
		buf_free(&entries);
		return rc;
	}
	if (c.updated == 0)
		c.updated = fallback;
	/* The feed's id is its address: only its holder ever reads it. */
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<id>");
	xml_txt(out, origin);
	xml_txt(out, self_path);
	buf_puts(out, "</id>\n<title type=\"text\">Researchers you follow · BZPEER"
	    "</title>\n<subtitle type=\"text\">New works of the researchers ");
	xml_txt(out, user);
	buf_puts(out, " follows in the BZPEER catalog, newest first.</subtitle>\n"
	    "<updated>");
	rfc3339(out, c.updated);
	buf_puts(out, "</updated>\n<author><name>BZPEER</name></author>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml_txt(out, origin);
	xml_txt(out, self_path);
	buf_puts(out, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml_txt(out, origin);
	buf_puts(out, "/me\"/>\n<generator>BZPEER</generator>\n");
	buf_put(out, entries.p, entries.len);
	buf_puts(out, "</feed>\n");
	buf_free(&entries);
	return 0;
}
