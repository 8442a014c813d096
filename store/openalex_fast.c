/* openalex_fast.c: the fast way: an OpenAlex line checked by jscan.c and its members used decoded as they are met, no JSON tree. */
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "openalex_int.h"

/* ---- the fast path: straight from the scanner ------------------------------
 *
 * jscan checks every byte of the line as jansson would (or more strictly)
 * and the members used are decoded as they are met, into the struct's own
 * buffer: no JSON tree is built. Only the happy shape is taken: a member
 * used that is given twice (jansson keeps the last), of a type the
 * reference would refuse or not look at, an escaped key, a value past its
 * limit, or anything else unusual gives up, and the line goes the
 * reference way (which alone words the reasons). So a line taken here
 * gives exactly what the reference gives; the tests compare the two.
 */
struct fast {
	struct jscan s;
	struct buf *str;          /* decoded strings; reserved, never moves */
	const char *base;         /* str->p when reserved (checked at the end) */
	struct oa_work *w;        /* where an abstract goes */
};

static int decode_abstract(struct fast *f);
static int fast_abstract(struct fast *f);

/* Opens the object or array at the scanner (on its bracket). */
static int
open_container(struct jscan *s)
{
	if (++s->depth > JSCAN_MAX_DEPTH)
		return -1;
	s->p++;
	return 0;
}

/*
 * The next member of the object being walked: 1 with its key (raw bytes
 * between the quotes; escaped keys give up) and the scanner on its value,
 * 0 past the closing brace, -1 refused. *first is 1 before the first call.
 */
static int
next_member(struct jscan *s, int *first, const unsigned char **key,
    size_t *keylen)
{
	int c = jscan_ws(s), escaped;
	const unsigned char *k;

	if (!*first) {
		if (c == '}')
			goto close;
		if (c != ',')
			return -1;
		s->p++;
		if ((c = jscan_ws(s)) != '"')
			return -1;         /* a trailing comma, or worse */
	} else if (c == '}')
		goto close;
	*first = 0;
	k = s->p;
	if (c != '"' || jscan_string(s, NULL, &escaped, NULL) != 0 || escaped)
		return -1;
	*key = k + 1;
	*keylen = (size_t)(s->p - k) - 2;
	if (jscan_ws(s) != ':')
		return -1;
	s->p++;
	return jscan_ws(s) < 0 ? -1 : 1;
close:
	s->p++;
	s->depth--;
	return 0;
}

/* The next element of the array being walked: 1 on it, 0 past ']', -1. */
static int
next_element(struct jscan *s, int *first)
{
	int c = jscan_ws(s);

	if (c < 0)
		return -1;
	if (!*first) {
		if (c == ']')
			goto close;
		if (c != ',')
			return -1;
		s->p++;
		if ((c = jscan_ws(s)) == ']' || c < 0)
			return -1;
	} else if (c == ']')
		goto close;
	*first = 0;
	return 1;
close:
	s->p++;
	s->depth--;
	return 0;
}

/*
 * Which of names[] key is (its index), or -1; gives up (-2) on a name met
 * before in this object (*seen holds one bit per name).
 */
static int
member_index(const char *const *names, const unsigned char *key, size_t n,
    unsigned *seen)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], key, n) == 0) {
			if (*seen & (1u << i))
				return -2;
			*seen |= 1u << i;
			return i;
		}
	return -1;
}

/*
 * A string member as opt_str() (openalex_ref.c) takes it: null gives "",
 * a string without NUL of at most max bytes gives itself (decoded into
 * f->str); anything else gives up.
 */
static int
fast_str(struct fast *f, size_t max, struct sv *out)
{
	size_t off = f->str->len;
	int nul;

	*out = (struct sv){ "", 0 };
	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (jscan_string(&f->s, f->str, NULL, &nul) != 0 || nul ||
	    f->str->len - off > max)
		return -1;
	out->p = f->str->p + off;
	out->n = f->str->len - off;
	return 0;
}

/* Skips the value at the scanner (a member nobody reads). */
static int
skip(struct fast *f)
{
	return jscan_value(&f->s);
}

/* {"display_name": ...} of a source or institution; the rest skipped. */
static int
fast_named(struct fast *f, size_t max, struct sv *name)
{
	static const char *const names[] = { "display_name", NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, r;

	*name = (struct sv){ "", 0 };
	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	while ((r = next_member(&f->s, &first, &k, &kn)) == 1)
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			if (fast_str(f, max, name) != 0)
				return -1;
			break;
		case -1:
			if (skip(f) != 0)
				return -1;
			break;
		default:
			return -1;
		}
	return r;
}

static int
fast_location(struct fast *f, struct oa_work *w)
{
	static const char *const names[] = { "source", "landing_page_url",
	    NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, r;

	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	while ((r = next_member(&f->s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			r = fast_named(f, OA_VENUE_MAX, &w->venue);
			break;
		case 1:
			r = fast_str(f, OA_URL_MAX, &w->landing_url);
			break;
		case -1:
			r = skip(f);
			break;
		default:
			return -1;
		}
		if (r != 0)
			return -1;
	}
	return r;
}

/* A non-negative integer or null (0), as opt_uint() takes it. */
static int
fast_uint(struct fast *f, uint64_t *v)
{
	*v = 0;
	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	return jscan_uint(&f->s, v);
}

/* true, false or null (0), as opt_bool() takes it. */
static int
fast_bool(struct fast *f, int *v)
{
	int c = *f->s.p;

	*v = c == 't';
	if (c != 't' && c != 'f' && c != 'n')
		return -1;
	return jscan_value(&f->s);
}

/*
 * An object of string members, as opt_str() takes each: names[i] into
 * out[i] (max[i] bytes at most); null gives all empty, the rest skipped.
 */
static int
fast_strs(struct fast *f, const char *const *names, const size_t *max,
    struct sv *out)
{
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, r, i;

	for (i = 0; names[i] != NULL; i++)
		out[i] = (struct sv){ "", 0 };
	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	while ((r = next_member(&f->s, &first, &k, &kn)) == 1) {
		i = member_index(names, k, kn, &seen);
		if (i == -2)
			return -1;
		if ((i >= 0 ? fast_str(f, max[i], &out[i]) : skip(f)) != 0)
			return -1;
	}
	return r;
}

/* {"id": ..., "display_name": ...} of an institution, or null. */
static int
fast_inst(struct fast *f, struct oa_inst *x)
{
	static const char *const names[] = { "id", "display_name", NULL };
	static const size_t max[] = { OA_URL_MAX, OA_NAME_MAX };
	struct sv v[2];

	if (fast_strs(f, names, max, v) != 0)
		return -1;
	x->id = v[0];
	x->name = v[1];
	return 0;
}

/*
 * An array at the scanner (or null): each element, null ones skipped,
 * handed to each() with ctx; more than max elements gives up.
 */
static int
fast_array(struct fast *f, size_t max, int (*each)(struct fast *, void *),
    void *ctx)
{
	size_t count = 0;
	int first = 1, rc;

	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '[' || open_container(&f->s) != 0)
		return -1;
	while ((rc = next_element(&f->s, &first)) == 1) {
		if (++count > max)
			return -1;
		if (*f->s.p == 'n') {
			if (jscan_null(&f->s) != 0)
				return -1;
			continue;
		}
		if (each(f, ctx) != 0)
			return -1;
	}
	return rc;
}

/* An element of authorships[].institutions: keeps the first name. */
static int
each_work_inst(struct fast *f, void *ctx)
{
	struct oa_ref *r = ctx;
	struct oa_inst x;

	if (*f->s.p != '{' || fast_inst(f, &x) != 0)
		return -1;
	if (r->inst.n == 0)
		r->inst = x.name;
	return 0;
}

/*
 * One author object (of an authorship, letter 'A'), topic ('T') or
 * concept ('C'), the scanner on its brace: the id, name and, for authors,
 * ORCID. An entry without an id comes back with an empty id.
 */
static int
fast_ref(struct fast *f, char letter, struct oa_ref *r)
{
	static const char *const names[] = { "id", "display_name", "orcid",
	    NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	struct sv id = { "", 0 }, orcid = { "", 0 };
	int first = 1, rc, i;

	r->id = r->name = r->orcid = (struct sv){ "", 0 };
	r->num = 0;
	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		i = member_index(names, k, kn, &seen);
		if (i == 2 && letter != 'A')
			i = -1;            /* topics have no ORCID */
		switch (i) {
		case 0:
			rc = fast_str(f, OA_URL_MAX, &id);
			break;
		case 1:
			rc = fast_str(f, OA_NAME_MAX, &r->name);
			break;
		case 2:
			rc = fast_str(f, OA_URL_MAX, &orcid);
			break;
		case -1:
			rc = skip(f);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	if (rc != 0)
		return rc;
	if (letter == 'A') {
		if (id.n && openalex_id(id, 'A', &r->id, &r->num) != 0)
			return -1;
		if (orcid.n && oa_orcid_bare(orcid, &r->orcid) != 0)
			return -1;
	} else if (id.n && oa_topic_id(id, letter, &r->id, &r->num) != 0)
		return -1;
	return 0;
}

/* {"author": {...}, "raw_author_name": ..., "institutions": [...]}. */
static int
fast_authorship(struct fast *f, struct oa_ref *r)
{
	static const char *const names[] = { "author", "raw_author_name",
	    "institutions", NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	struct sv raw = { "", 0 };
	int first = 1, rc;

	memset(r, 0, sizeof(*r));
	r->id = r->name = r->orcid = r->inst = (struct sv){ "", 0 };
	if (open_container(&f->s) != 0)
		return -1;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			if (*f->s.p == 'n')
				rc = jscan_null(&f->s);
			else
				rc = fast_ref(f, 'A', r);
			break;
		case 1:
			rc = fast_str(f, OA_NAME_MAX, &raw);
			break;
		case 2:
			rc = fast_array(f, (size_t)-1, each_work_inst, r);
			break;
		case -1:
			rc = skip(f);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	if (rc == 0 && r->name.n == 0)
		r->name = raw;
	return rc;
}

/* An element of authorships[]. */
static int
each_authorship(struct fast *f, void *ctx)
{
	struct oa_ref r;

	(void)ctx;
	if (*f->s.p != '{' || fast_authorship(f, &r) != 0)
		return -1;
	oa_author_add(f->w, r);
	return 0;
}

/* Where the elements of topics[] or concepts[] go. */
struct topic_list {
	char letter;
	struct oa_ref **v;
	size_t *n, *cap;
};

static int
each_topic(struct fast *f, void *ctx)
{
	struct topic_list *l = ctx;
	struct oa_ref r = { .inst = { "", 0 } };

	if (*f->s.p != '{' || fast_ref(f, l->letter, &r) != 0)
		return -1;
	if (r.id.n && !oa_ref_seen(*l->v, *l->n, r.num))
		*oa_ref_add(l->v, l->n, l->cap) = r;
	return 0;
}

/* Starts a fast parse of line into str (emptied, room for every string). */
static int
fast_begin(struct fast *f, const char *line, size_t len, struct buf *str)
{
	memset(f, 0, sizeof(*f));
	f->s.p = (const unsigned char *)line;
	f->s.end = f->s.p + len;
	f->str = str;
	buf_reset(str);
	/* Decoded strings are never longer than the line: they stay put. */
	buf_reserve(str, len + 1);
	f->base = str->p;
	if (jscan_ws(&f->s) != '{')
		return -1;
	return open_container(&f->s);
}

/*
 * The end of a fast parse (r: the last next_member()): the object closed,
 * nothing but white space after it, and the strings never moved.
 */
static int
fast_end(struct fast *f, int r)
{
	return r == 0 && f->s.depth == 0 && jscan_ws(&f->s) == -1 &&
	    f->str->p == f->base ? 0 : -1;
}

/* Parses a work line straight from the scanner; -1 sends it the reference way. */
int
oa_fast_work(const char *line, size_t len, struct oa_work *w)
{
	enum { ID, DOI, TITLE, DNAME, YEAR, TYPE, LOC, AUTHORS, TOPICS, ABSTRACT,
	    HOST, BEST, OPEN, DATE, CITED, RETRACTED, PARATEXT, CONCEPTS };
	static const char *const names[] = { "id", "doi", "title",
	    "display_name", "publication_year", "type", "primary_location",
	    "authorships", "topics", "abstract_inverted_index", "host_venue",
	    "best_oa_location", "open_access", "publication_date",
	    "cited_by_count", "is_retracted", "is_paratext", "concepts", NULL };
	static const char *const best[] = { "pdf_url", "landing_page_url",
	    NULL };
	static const char *const open[] = { "oa_url", NULL };
	static const size_t urls[] = { OA_URL_MAX, OA_URL_MAX };
	struct topic_list topics = { 'T', &w->topics, &w->n_topics,
	    &w->cap_topics };
	struct topic_list concepts = { 'C', &w->concepts, &w->n_concepts,
	    &w->cap_concepts };
	struct sv two[2];
	int flag;
	struct fast f;
	const unsigned char *k, *dname = NULL;
	struct sv id = { "", 0 };
	uint64_t year;
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc = 0, r;

	if (fast_begin(&f, line, len, &w->proj) != 0)
		return -1;
	f.w = w;
	while ((r = next_member(&f.s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case ID:
			if (*f.s.p != '"' || fast_str(&f, len, &id) != 0 ||
			    openalex_id(id, 'W', &w->id, &w->num) != 0)
				return -1;
			break;
		case DOI:
			rc = fast_str(&f, OA_URL_MAX, &w->doi);
			break;
		case TITLE:
			rc = fast_str(&f, OA_TITLE_MAX, &w->title);
			break;
		case DNAME:
			dname = f.s.p;     /* read only if the title is empty */
			rc = skip(&f);
			break;
		case YEAR:
			if (*f.s.p == 'n')
				rc = jscan_null(&f.s);
			else if (jscan_uint(&f.s, &year) != 0 || year < 1 ||
			    year > 9999)
				return -1;
			else
				w->year = (int)year;
			break;
		case TYPE:
			rc = fast_str(&f, OA_TYPE_MAX, &w->type);
			break;
		case LOC:
			rc = fast_location(&f, w);
			break;
		case AUTHORS:
			rc = fast_array(&f, OA_AUTHORS_MAX, each_authorship,
			    NULL);
			break;
		case TOPICS:
			rc = fast_array(&f, OA_TOPICS_MAX, each_topic, &topics);
			break;
		case CONCEPTS:
			rc = fast_array(&f, OA_TOPICS_MAX, each_topic,
			    &concepts);
			break;
		case HOST:
			rc = fast_named(&f, OA_VENUE_MAX, &w->host_venue);
			break;
		case BEST:
			rc = fast_strs(&f, best, urls, two);
			w->best_pdf = two[0];
			w->best_landing = two[1];
			break;
		case OPEN:
			rc = fast_strs(&f, open, urls, two);
			w->oa_oa_url = two[0];
			break;
		case DATE:
			rc = fast_str(&f, OA_DATE_MAX, &w->date);
			break;
		case CITED:
			rc = fast_uint(&f, &w->cited);
			break;
		case RETRACTED:
			if ((rc = fast_bool(&f, &flag)) == 0 && flag)
				w->flags |= OA_RETRACTED;
			break;
		case PARATEXT:
			if ((rc = fast_bool(&f, &flag)) == 0 && flag)
				w->flags |= OA_PARATEXT;
			break;
		case ABSTRACT:
			if (*f.s.p == 'n')
				rc = jscan_null(&f.s);
			else if (*f.s.p != '{')
				return -1;
			else
				rc = fast_abstract(&f);
			break;
		case -1:
			rc = skip(&f);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	if (fast_end(&f, r) != 0 || id.n == 0)
		return -1;
	if (w->title.n == 0 && dname != NULL) {
		f.s.p = dname;
		if (fast_str(&f, OA_TITLE_MAX, &w->title) != 0)
			return -1;
	}
	return 0;
}

/* An element of last_known_institutions[]. */
static int
each_lki(struct fast *f, void *ctx)
{
	struct oa_author *a = ctx;

	if (*f->s.p != '{')
		return -1;
	return fast_inst(f, oa_inst_add(&a->raw_insts, &a->n_raw,
	    &a->cap_raw));
}

/* An element of affiliations[].years: lowest and highest. */
static int
each_year(struct fast *f, void *ctx)
{
	struct oa_inst *x = ctx;
	uint64_t y;

	if (jscan_uint(&f->s, &y) != 0 || y < 1 || y > 9999)
		return -1;
	if (x->first == 0 || (int)y < x->first)
		x->first = (int)y;
	if ((int)y > x->last)
		x->last = (int)y;
	return 0;
}

/* An element of affiliations[]: {"institution": {...}, "years": [...]}. */
static int
each_aff(struct fast *f, void *ctx)
{
	static const char *const names[] = { "institution", "years", NULL };
	struct oa_author *a = ctx;
	struct oa_inst *x = oa_inst_add(&a->affs, &a->n_affs, &a->cap_affs);
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc;

	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			rc = fast_inst(f, x);
			break;
		case 1:
			rc = fast_array(f, OA_YEARS_MAX, each_year, x);
			break;
		case -1:
			rc = skip(f);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	return rc;
}

/* An element of counts_by_year[]. */
static int
each_count(struct fast *f, void *ctx)
{
	static const char *const names[] = { "year", "works_count",
	    "cited_by_count", NULL };
	struct oa_author *a = ctx;
	struct oa_year *y;
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	uint64_t year = 0;
	int first = 1, rc, i;

	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	if (a->n_years == a->cap_years) {
		a->cap_years = a->cap_years ? a->cap_years * 2 : 16;
		a->years = xrealloc(a->years, a->cap_years * sizeof(*a->years));
	}
	y = &a->years[a->n_years];
	y->works = y->cited = 0;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		i = member_index(names, k, kn, &seen);
		if (i == -2)
			return -1;
		rc = i == 0 ? fast_uint(f, &year) : i == 1 ?
		    fast_uint(f, &y->works) : i == 2 ? fast_uint(f, &y->cited) :
		    skip(f);
		if (rc != 0)
			return -1;
	}
	if (rc != 0 || year < 1 || year > 9999)
		return -1;
	y->year = (int)year;
	a->n_years++;
	return 0;
}

/* summary_stats: h_index and i10_index, the rest skipped. */
static int
fast_stats(struct fast *f, struct oa_author *a)
{
	static const char *const names[] = { "h_index", "i10_index", NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc, i;

	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '{' || open_container(&f->s) != 0)
		return -1;
	a->has_stats = 1;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		i = member_index(names, k, kn, &seen);
		if (i == -2)
			return -1;
		rc = i == 0 ? fast_uint(f, &a->h_index) : i == 1 ?
		    fast_uint(f, &a->i10_index) : skip(f);
		if (rc != 0)
			return -1;
	}
	return rc;
}

/* Parses an author line straight from the scanner; -1: the reference way. */
int
oa_fast_author(const char *line, size_t len, struct oa_author *a)
{
	enum { ID, DNAME, ORCID, INSTS, INST, AFFS, CITED, STATS, COUNTS, ALTS };
	static const char *const names[] = { "id", "display_name", "orcid",
	    "last_known_institutions", "last_known_institution",
	    "affiliations", "cited_by_count", "summary_stats",
	    "counts_by_year", "display_name_alternatives", NULL };
	struct fast f;
	const unsigned char *k;
	struct sv id = { "", 0 }, orcid = { "", 0 };
	struct oa_inst lki = { .id = { "", 0 } };
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc = 0, el, r;

	if (fast_begin(&f, line, len, &a->proj) != 0)
		return -1;
	a->a.name = (struct sv){ "", 0 };
	lki.name = (struct sv){ "", 0 };
	while ((r = next_member(&f.s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case ID:
			if (*f.s.p != '"' || fast_str(&f, len, &id) != 0 ||
			    openalex_id(id, 'A', &a->a.id, &a->a.num) != 0)
				return -1;
			break;
		case DNAME:
			rc = fast_str(&f, OA_NAME_MAX, &a->a.name);
			break;
		case ORCID:
			rc = fast_str(&f, OA_URL_MAX, &orcid);
			break;
		case INSTS:
			rc = fast_array(&f, OA_INSTS_MAX, each_lki, a);
			break;
		case INST:
			rc = fast_inst(&f, &lki);
			break;
		case AFFS:
			rc = fast_array(&f, OA_INSTS_MAX, each_aff, a);
			break;
		case CITED:
			rc = fast_uint(&f, &a->cited);
			break;
		case STATS:
			rc = fast_stats(&f, a);
			break;
		case COUNTS:
			rc = fast_array(&f, OA_YEARS_MAX, each_count, a);
			break;
		case ALTS:
			/* Strings only (the reference leaves others out). */
			if (*f.s.p != '[') {
				rc = skip(&f);
				break;
			}
			if (open_container(&f.s) != 0)
				return -1;
			el = 1;
			while ((rc = next_element(&f.s, &el)) == 1) {
				struct sv alt;

				if (a->n_alts == OA_ALTS_MAX) {
					rc = skip(&f);
				} else if (*f.s.p == '"') {
					rc = fast_str(&f, OA_NAME_MAX, &alt);
					a->alts[a->n_alts++] = alt;
				} else
					return -1;
				if (rc != 0)
					return -1;
			}
			break;
		case -1:
			rc = skip(&f);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	if (fast_end(&f, r) != 0 || id.n == 0)
		return -1;
	a->a.orcid = (struct sv){ "", 0 };
	if (orcid.n && oa_orcid_bare(orcid, &a->a.orcid) != 0)
		return -1;
	a->lki_id = lki.id;
	a->lki_name = lki.name;
	return 0;
}

/* A word of the abstract index, to find a key given twice. */
struct kref {
	uint32_t hash;
	uint32_t len;
	const char *p;
};

/* Whether w's nk words hold one twice (open addressing over their hashes). */
static int
has_duplicate(struct oa_work *w, size_t nk)
{
	const struct kref *k = w->krefs;
	size_t size = 16, i, h;

	while (size < 2 * nk)
		size *= 2;
	if (size > w->cap_ktab) {
		free(w->ktab);
		w->ktab = xmalloc(size * sizeof(*w->ktab));
		w->cap_ktab = size;
	}
	memset(w->ktab, 0, size * sizeof(*w->ktab));
	for (i = 0; i < nk; i++) {
		for (h = k[i].hash & (size - 1); w->ktab[h];
		    h = (h + 1) & (size - 1)) {
			const struct kref *o = &k[w->ktab[h] - 1];

			if (o->hash == k[i].hash && o->len == k[i].len &&
			    memcmp(o->p, k[i].p, o->len) == 0)
				return 1;
		}
		w->ktab[h] = (uint32_t)(i + 1);
	}
	return 0;
}

/*
 * The abstract index at the scanner, straight into words: the same rules
 * as parse_abstract() (openalex_ref.c). Anything parse_abstract() would
 * refuse, and a word given twice (jansson keeps the last), gives up.
 */
static int
decode_abstract(struct fast *f)
{
	struct jscan *s = &f->s;
	struct oa_work *w = f->w;
	struct kref *k;
	size_t top = 0, nk = 0, off;
	uint64_t pos;
	int c, nul;
	struct sv word;

	if (open_container(s) != 0)
		return -1;
	/* Decoded words are never longer than the line: they stay put. */
	buf_reset(&w->keys);
	buf_reserve(&w->keys, (size_t)(s->end - s->p) + 1);
	c = jscan_ws(s);
	while (c != '}') {
		off = w->keys.len;
		if (c != '"' || jscan_string(s, &w->keys, NULL, &nul) != 0 ||
		    nul || w->keys.len - off > OA_WORD_MAX ||
		    jscan_ws(s) != ':')
			goto fail;
		word.p = w->keys.p + off;
		word.n = w->keys.len - off;
		if (nk == w->cap_krefs) {
			w->cap_krefs = w->cap_krefs ? w->cap_krefs * 2 : 256;
			w->krefs = xrealloc(w->krefs,
			    w->cap_krefs * sizeof(struct kref));
		}
		k = (struct kref *)w->krefs + nk++;
		k->p = word.p;
		k->len = (uint32_t)word.n;
		k->hash = sv_hash(word);
		s->p++;
		c = jscan_ws(s);
		if (c == 'n') {
			if (jscan_null(s) != 0)
				goto fail;
		} else if (c == '[') {
			s->p++;
			c = jscan_ws(s);
			while (c != ']') {
				if (c == 'n') {
					if (jscan_null(s) != 0)
						goto fail;
				} else if (jscan_uint(s, &pos) != 0 ||
				    pos >= OA_ABSTRACT_POS)
					goto fail;
				else
					oa_place_word(w, word, (size_t)pos, &top);
				c = jscan_ws(s);
				if (c == ',') {
					s->p++;
					if ((c = jscan_ws(s)) == ']')
						goto fail;
				} else if (c != ']')
					goto fail;
			}
			s->p++;
		} else
			goto fail;
		c = jscan_ws(s);
		if (c == ',') {
			s->p++;
			if ((c = jscan_ws(s)) == '}')
				goto fail;
		} else if (c != '}')
			goto fail;
	}
	s->p++;
	s->depth--;
	if (nk > 1 && has_duplicate(w, nk))
		goto fail;
	return oa_join_words(w, top, NULL);
fail:
	oa_clear_words(w, top);
	return -1;
}

/*
 * The abstract index at the scanner (on its brace), plain or in the form
 * of 2021's snapshots, {"IndexLength": N, "InvertedIndex": {...}}: the
 * wrapper is taken when its first member is one of those two names with
 * a value that no plain index has (neither positions nor null), as
 * parse_abstract() (openalex_ref.c) takes it; any other shape of it gives
 * up.
 */
static int
fast_abstract(struct fast *f)
{
	static const char *const names[] = { "IndexLength", "InvertedIndex",
	    NULL };
	struct jscan *s = &f->s, at = f->s;
	const unsigned char *k;
	size_t kn;
	uint64_t n;
	unsigned seen = 0;
	int first = 1, r, wrapped = 0;

	if (open_container(s) != 0)
		return -1;
	if ((r = next_member(s, &first, &k, &kn)) == 1 &&
	    member_index(names, k, kn, &seen) >= 0 && *s->p != '[' &&
	    *s->p != 'n')
		wrapped = 1;
	if (!wrapped) {
		*s = at;               /* back on the brace: a plain index */
		return decode_abstract(f);
	}
	seen = 0;
	*s = at;
	first = 1;
	if (open_container(s) != 0)
		return -1;
	while ((r = next_member(s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			r = jscan_uint(s, &n);
			break;
		case 1:
			r = *s->p == '{' ? decode_abstract(f) : -1;
			break;
		default:
			return -1;
		}
		if (r != 0)
			return -1;
	}
	return r == 0 && seen == 3 ? 0 : -1;
}
