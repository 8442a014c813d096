/* openalex.c: OpenAlex works and authors, one JSON line each: the parse entry points, what both ways share (ids, ORCID iDs, the abstract from its words) */
#include "openalex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "openalex_int.h"

/* Puts a formatted reason into err (unless NULL) and returns -1. */
__attribute__((format(printf, 2, 3)))
int
oa_fail(struct buf *err, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_reset(err);
	buf_puts(err, tmp);
	return -1;
}

/* Drops "https://<host>/" or "http://<host>/" from the front of *s. */
static void
strip_url(struct sv *s, const char *host)
{
	static const char *const schemes[] = { "https://", "http://" };
	size_t i, n, h = strlen(host);

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if (s->n > n + h + 1 && memcmp(s->p, schemes[i], n) == 0 &&
		    memcmp(s->p + n, host, h) == 0 && s->p[n + h] == '/') {
			s->p += n + h + 1;
			s->n -= n + h + 1;
			return;
		}
	}
}

int
openalex_id(struct sv s, char letter, struct sv *bare, uint64_t *num)
{
	strip_url(&s, "openalex.org");
	if (id_parse(s, letter, num) != 0)
		return -1;
	*bare = s;
	return 0;
}

/* An ORCID iD, bare or as an orcid.org URL, to its bare form; -1 if malformed. */
int
oa_orcid_bare(struct sv s, struct sv *out)
{
	size_t i;

	strip_url(&s, "orcid.org");
	if (s.n != 19)
		return -1;
	for (i = 0; i < 19; i++) {
		char c = s.p[i];

		if (i % 5 == 4) {
			if (c != '-')
				return -1;
		} else if (!(c >= '0' && c <= '9') && !(i == 18 && c == 'X'))
			return -1;
	}
	*out = s;
	return 0;
}

/*
 * OpenAlex's placeholder authors: ids it gives where it lost the person
 * ("Deleted Author", works_count 0), and author records whose name names
 * nobody ("Anonymous", "Unknown author", "et al."): one such id gathers
 * the works of unrelated people, so it is no researcher's profile. Only
 * A5317838346 is known by its id; the others are told by their names,
 * compared without case, surrounding brackets or a final dot.
 */
static const uint64_t placeholders[] = { 5317838346ULL };

static const char *const nobody[] = {
	"deleted author", "anonymous", "anonymous author", "anonymous authors",
	"anon", "unknown", "unknown author", "unknown authors", "author unknown",
	"no author", "none", "n/a", "et al", "and others", "various",
	"various authors",
};

int
openalex_placeholder(uint64_t num, struct sv name)
{
	size_t i;

	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (num == placeholders[i])
			return 1;
	while (name.n && (*name.p == ' ' || *name.p == '[' || *name.p == '(')) {
		name.p++;
		name.n--;
	}
	while (name.n && (name.p[name.n - 1] == ' ' ||
	    name.p[name.n - 1] == ']' || name.p[name.n - 1] == ')' ||
	    name.p[name.n - 1] == '.'))
		name.n--;
	for (i = 0; i < sizeof(nobody) / sizeof(nobody[0]); i++)
		if (strlen(nobody[i]) == name.n &&
		    strncasecmp(nobody[i], name.p, name.n) == 0)
			return 1;
	return 0;
}

int
oa_topic_id(struct sv s, char letter, struct sv *bare, uint64_t *num)
{
	strip_url(&s, "openalex.org");
	if (s.n == 0 || s.p[0] != letter || topic_id_parse(s, num) != 0)
		return -1;
	*bare = s;
	return 0;
}

struct oa_inst *
oa_inst_add(struct oa_inst **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* ---- authors ----------------------------------------------------------- */

/* Whether two institutions are one: the same id, or without ids the same name. */
static int
same_inst(const struct oa_inst *x, const struct oa_inst *y)
{
	if (x->id.n && y->id.n)
		return sv_eq(x->id, y->id);
	return x->name.n && sv_eq(x->name, y->name);
}

/*
 * The institutions: the current ones (every last_known_institutions[], or
 * the older single last_known_institution), then affiliations[] in their
 * order (OpenAlex lists the latest first); an affiliation of a current
 * institution gives it its years instead. Unnamed ones are left out.
 */
void
oa_author_finish(struct oa_author *a)
{
	struct oa_inst one = { .id = a->lki_id, .name = a->lki_name };
	const struct oa_inst *cur = a->n_raw ? a->raw_insts : &one;
	size_t n_cur = a->n_raw ? a->n_raw : 1, i, j;

	a->n_insts = 0;
	for (i = 0; i < n_cur; i++) {
		struct oa_inst *x;

		if (cur[i].name.n == 0)
			continue;
		for (j = 0; j < a->n_insts && !same_inst(&a->insts[j], &cur[i]);)
			j++;
		if (j < a->n_insts)
			continue;
		x = oa_inst_add(&a->insts, &a->n_insts, &a->cap_insts);
		*x = cur[i];
		x->current = 1;
	}
	for (i = 0; i < a->n_affs; i++) {
		struct oa_inst *x;

		if (a->affs[i].name.n == 0)
			continue;
		for (j = 0; j < a->n_insts && !same_inst(&a->insts[j],
		    &a->affs[i]);)
			j++;
		if (j < a->n_insts) {
			if (a->insts[j].first == 0) {
				a->insts[j].first = a->affs[i].first;
				a->insts[j].last = a->affs[i].last;
			}
			continue;
		}
		if (a->n_insts >= OA_INSTS_MAX)
			break;
		x = oa_inst_add(&a->insts, &a->n_insts, &a->cap_insts);
		*x = a->affs[i];
		x->current = 0;
	}
	a->institution = a->n_insts ? a->insts[0].name : (struct sv){ "", 0 };
}

int
openalex_author_same(const struct oa_author *a, const struct oa_author *b)
{
	size_t i;

	if (!sv_eq(a->a.id, b->a.id) || a->a.num != b->a.num ||
	    !sv_eq(a->a.name, b->a.name) || !sv_eq(a->a.orcid, b->a.orcid) ||
	    !sv_eq(a->institution, b->institution) || a->cited != b->cited ||
	    a->has_stats != b->has_stats || a->h_index != b->h_index ||
	    a->i10_index != b->i10_index || a->n_insts != b->n_insts ||
	    a->n_years != b->n_years)
		return 0;
	for (i = 0; i < a->n_insts; i++)
		if (!sv_eq(a->insts[i].name, b->insts[i].name) ||
		    !sv_eq(a->insts[i].id, b->insts[i].id) ||
		    a->insts[i].first != b->insts[i].first ||
		    a->insts[i].last != b->insts[i].last ||
		    a->insts[i].current != b->insts[i].current)
			return 0;
	if (a->n_alts != b->n_alts)
		return 0;
	for (i = 0; i < a->n_alts; i++)
		if (!sv_eq(a->alts[i], b->alts[i]))
			return 0;
	for (i = 0; i < a->n_years; i++)
		if (a->years[i].year != b->years[i].year ||
		    a->years[i].works != b->years[i].works ||
		    a->years[i].cited != b->years[i].cited)
			return 0;
	return 1;
}

void
openalex_author_free(struct oa_author *a)
{
	oa_json_free(a->arena, a->json);
	free(a->insts);
	free(a->raw_insts);
	free(a->affs);
	free(a->years);
	buf_free(&a->proj);
	memset(a, 0, sizeof(*a));
}

/* Forgets the last line's values (after oa_enter()). */
static void
author_reset(struct oa_author *a)
{
	memset(&a->a, 0, sizeof(a->a));
	a->a.name = a->a.orcid = a->a.inst = (struct sv){ "", 0 };
	a->institution = a->lki_name = a->lki_id = (struct sv){ "", 0 };
	a->n_insts = a->n_raw = a->n_affs = a->n_years = 0;
	a->cited = a->h_index = a->i10_index = 0;
	a->has_stats = 0;
	a->n_alts = 0;
}

/* Parses a line the reference way (fast = 0) or fast then reference. */
static int
author_parse(const char *line, size_t len, struct oa_author *out,
    struct buf *err, int fast)
{
	int rc;

	oa_enter(&out->arena, &out->json);
	author_reset(out);
	if (fast && len <= OA_LINE_MAX && oa_fast_author(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	author_reset(out);
	rc = oa_author_ref(line, len, out, err);
out:
	if (rc == 0)
		oa_author_finish(out);
	oa_leave();
	return rc;
}

int
openalex_author_parse(const char *line, size_t len, struct oa_author *out,
    struct buf *err)
{
	return author_parse(line, len, out, err, 1);
}

int
openalex_author_parse_ref(const char *line, size_t len,
    struct oa_author *out, struct buf *err)
{
	return author_parse(line, len, out, err, 0);
}

int
openalex_author_parse_fast(const char *line, size_t len,
    struct oa_author *out)
{
	int rc;

	oa_enter(&out->arena, &out->json);
	author_reset(out);
	rc = len <= OA_LINE_MAX ? oa_fast_author(line, len, out) : -1;
	if (rc == 0)
		oa_author_finish(out);
	oa_leave();
	return rc;
}

/* ---- works --------------------------------------------------------------- */

void
openalex_work_free(struct oa_work *w)
{
	oa_json_free(w->arena, w->json);
	free(w->authors);
	free(w->topics);
	free(w->concepts);
	free(w->words);
	free(w->krefs);
	free(w->ktab);
	buf_free(&w->abstract);
	buf_free(&w->proj);
	buf_free(&w->keys);
	memset(w, 0, sizeof(*w));
}

/* Appends a zeroed ref to an array that grows; returns it. */
struct oa_ref *
oa_ref_add(struct oa_ref **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* Whether v[0..n) already holds num. Linear: lists are short and capped. */
int
oa_ref_seen(const struct oa_ref *v, size_t n, uint64_t num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].num == num)
			return 1;
	return 0;
}

void
oa_author_add(struct oa_work *w, struct oa_ref r)
{
	if (r.id.n && openalex_placeholder(r.num, r.name)) {
		r.id = (struct sv){ "", 0 };
		r.num = 0;
		r.orcid = (struct sv){ "", 0 };
	}
	if (r.id.n == 0 && r.name.n == 0)
		return;                /* nobody to show */
	if (r.id.n && oa_ref_seen(w->authors, w->n_authors, r.num))
		return;                /* the same author twice counts once */
	*oa_ref_add(&w->authors, &w->n_authors, &w->cap_authors) = r;
}

/*
 * Venue: the primary location's source, else the MAG-era host_venue. The
 * open-access link: the best location's PDF, its page, else the
 * open_access summary's. Topics: concepts[] stand in for topics[] on
 * works that have none (records before 2024).
 */
void
oa_work_finish(struct oa_work *w)
{
	size_t i;

	if (w->venue.n == 0)
		w->venue = w->host_venue;
	w->oa_url = w->best_pdf.n ? w->best_pdf : w->best_landing.n ?
	    w->best_landing : w->oa_oa_url;
	if (w->n_topics == 0)
		for (i = 0; i < w->n_concepts; i++)
			*oa_ref_add(&w->topics, &w->n_topics, &w->cap_topics) =
			    w->concepts[i];
}

static int
same_list(const struct oa_ref *a, const struct oa_ref *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i].num != b[i].num || !sv_eq(a[i].id, b[i].id) ||
		    !sv_eq(a[i].name, b[i].name) ||
		    !sv_eq(a[i].orcid, b[i].orcid) ||
		    !sv_eq(a[i].inst, b[i].inst))
			return 0;
	return 1;
}

int
openalex_work_same(const struct oa_work *a, const struct oa_work *b)
{
	return a->num == b->num && a->year == b->year && sv_eq(a->id, b->id) &&
	    sv_eq(a->doi, b->doi) && sv_eq(a->title, b->title) &&
	    sv_eq(a->type, b->type) && sv_eq(a->venue, b->venue) &&
	    sv_eq(a->landing_url, b->landing_url) && sv_eq(a->date, b->date) &&
	    sv_eq(a->oa_url, b->oa_url) && a->cited == b->cited &&
	    a->flags == b->flags && a->abstract.len == b->abstract.len &&
	    (a->abstract.len == 0 ||
	    memcmp(a->abstract.p, b->abstract.p, a->abstract.len) == 0) &&
	    a->n_authors == b->n_authors && a->n_topics == b->n_topics &&
	    same_list(a->authors, b->authors, a->n_authors) &&
	    same_list(a->topics, b->topics, a->n_topics);
}

#define OA_ABSTRACT_MAX (256u << 10)   /* bytes of rebuilt abstract */

/* Empties the words scratch up to top, for the next line. */
void
oa_clear_words(struct oa_work *w, size_t top)
{
	if (top > 0)
		memset(w->words, 0, top * sizeof(*w->words));
}

/* Byte-wise order, a prefix first (strcmp's order for NUL-free words). */
static int
word_cmp(struct sv a, struct sv b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	return c ? c : (a.n > b.n) - (a.n < b.n);
}

/*
 * Puts word at pos (< OA_ABSTRACT_POS); of two words at one position the
 * byte-wise smaller stays, whatever the order of the keys. *top is one past
 * the highest position used.
 */
void
oa_place_word(struct oa_work *w, struct sv word, size_t pos, size_t *top)
{
	if (pos >= w->cap_words) {
		size_t cap = w->cap_words ? w->cap_words : 512;

		while (cap <= pos)
			cap *= 2;
		w->words = xrealloc(w->words, cap * sizeof(*w->words));
		memset(w->words + w->cap_words, 0,
		    (cap - w->cap_words) * sizeof(*w->words));
		w->cap_words = cap;
	}
	if (w->words[pos].p == NULL || word_cmp(word, w->words[pos]) < 0)
		w->words[pos] = word;
	if (pos + 1 > *top)
		*top = pos + 1;
}

/* Joins the placed words with single spaces into w->abstract; clears them. */
int
oa_join_words(struct oa_work *w, size_t top, struct buf *err)
{
	size_t i;

	for (i = 0; i < top; i++) {
		if (w->words[i].n == 0)
			continue;
		if (w->abstract.len)
			buf_putc(&w->abstract, ' ');
		buf_put(&w->abstract, w->words[i].p, w->words[i].n);
		if (w->abstract.len > OA_ABSTRACT_MAX) {
			buf_reset(&w->abstract);
			oa_clear_words(w, top);
			return oa_fail(err, "abstract_inverted_index: abstract "
			    "too long (at most %u bytes)", OA_ABSTRACT_MAX);
		}
	}
	oa_clear_words(w, top);
	return 0;
}

/* Forgets the last line's values, keeping the arrays and buffers. */
static void
work_reset(struct oa_work *w)
{
	w->id = w->doi = w->title = w->type = (struct sv){ "", 0 };
	w->venue = w->landing_url = w->date = w->oa_url = (struct sv){ "", 0 };
	w->host_venue = w->best_pdf = w->best_landing = w->oa_oa_url =
	    (struct sv){ "", 0 };
	w->num = w->cited = 0;
	w->flags = 0;
	w->year = 0;
	w->n_authors = w->n_topics = w->n_concepts = 0;
	buf_reset(&w->abstract);
}

/* Parses a line the reference way (fast = 0) or fast then reference. */
static int
work_parse(const char *line, size_t len, struct oa_work *out,
    struct buf *err, int fast)
{
	int rc;

	oa_enter(&out->arena, &out->json);
	work_reset(out);
	if (fast && len <= OA_LINE_MAX && oa_fast_work(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	work_reset(out);
	rc = oa_work_ref(line, len, out, err);
out:
	if (rc == 0)
		oa_work_finish(out);
	oa_leave();
	return rc;
}

int
openalex_work_parse(const char *line, size_t len, struct oa_work *out,
    struct buf *err)
{
	return work_parse(line, len, out, err, 1);
}

int
openalex_work_parse_ref(const char *line, size_t len, struct oa_work *out,
    struct buf *err)
{
	return work_parse(line, len, out, err, 0);
}

int
openalex_work_parse_fast(const char *line, size_t len, struct oa_work *out)
{
	int rc;

	oa_enter(&out->arena, &out->json);
	work_reset(out);
	rc = len <= OA_LINE_MAX ? oa_fast_work(line, len, out) : -1;
	if (rc == 0)
		oa_work_finish(out);
	oa_leave();
	return rc;
}
