/* openalex.c: OpenAlex works and authors, one JSON line each: the parse entry points, what both ways share (ids, ORCID iDs, the abstract from its words) */
#include "openalex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- authors ----------------------------------------------------------- */

void
openalex_author_free(struct oa_author *a)
{
	oa_json_free(a->arena, a->json);
	buf_free(&a->proj);
	memset(a, 0, sizeof(*a));
}

/* Forgets the last line's values (after oa_enter()). */
static void
author_reset(struct oa_author *a)
{
	memset(&a->a, 0, sizeof(a->a));
	a->institution = (struct sv){ "", 0 };
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
	w->venue = w->landing_url = (struct sv){ "", 0 };
	w->num = 0;
	w->year = 0;
	w->n_authors = w->n_topics = 0;
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
	oa_leave();
	return rc;
}
