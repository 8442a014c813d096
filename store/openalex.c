/* openalex.c: OpenAlex works and authors, one JSON line each: the parse entry points, what both ways share (ids, ORCID iDs, the abstract from its words), jansson's arena. */
#include "openalex.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "openalex_int.h"

/* ---- an arena for jansson ---------------------------------------------------
 *
 * jansson mallocs every value and key of a line and frees them one by one
 * afterwards; on the reference way (lines the fast way gives up on). While a
 * line is parsed (and while its JSON is released) this thread's `current`
 * arena takes jansson's allocations; frees of arena memory are no-ops and
 * the arena is emptied before the next line.
 */
struct chunk {
	struct chunk *prev;
	size_t size, used;
	max_align_t data[];
};

struct arena {
	struct chunk *top;
};

#define CHUNK_MIN ((size_t)64 << 10)
#define CHUNK_KEEP ((size_t)8 << 20)   /* larger chunks go back at reset */

static _Thread_local struct arena *current;
static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->top;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (c == NULL || c->size - c->used < need) {
		size_t size = c && c->size * 2 > CHUNK_MIN ? c->size * 2 :
		    CHUNK_MIN;

		if (size < need)
			size = need;
		c = xmalloc(sizeof(*c) + size);
		c->prev = a->top;
		c->size = size;
		c->used = 0;
		a->top = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

static int
arena_owns(const struct arena *a, const void *p)
{
	const struct chunk *c;

	for (c = a->top; c; c = c->prev)
		if ((const char *)p >= (const char *)c->data &&
		    (const char *)p < (const char *)c->data + c->size)
			return 1;
	return 0;
}

/* Empties a: keeps the newest (largest) chunk unless it is huge. */
static void
arena_reset(struct arena *a)
{
	struct chunk *c = a->top, *prev;

	if (c == NULL)
		return;
	for (prev = c->prev; prev; prev = c->prev) {
		c->prev = prev->prev;
		free(prev);
	}
	if (c->size > CHUNK_KEEP) {
		free(c);
		a->top = NULL;
	} else
		c->used = 0;
}

static void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->top);
	free(a);
}

static void *
json_alloc(size_t n)
{
	return current ? arena_alloc(current, n) : malloc(n);
}

static void
json_release(void *p)
{
	if (p != NULL && !(current && arena_owns(current, p)))
		free(p);
}

static void
install_alloc(void)
{
	json_set_alloc_funcs(json_alloc, json_release);
	json_object_seed(0);     /* before any thread makes an object */
}

/*
 * Makes *ap (created if need be) this thread's arena, after releasing the
 * JSON of the last line parsed into it. Undone by leave().
 */
static void
enter(void **ap, void **json)
{
	(void)pthread_once(&alloc_once, install_alloc);
	if (*ap == NULL)
		*ap = xcalloc(1, sizeof(struct arena));
	current = *ap;
	json_decref(*json);
	*json = NULL;
	arena_reset(current);
}

static void
leave(void)
{
	current = NULL;
}

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
	current = a->arena;
	json_decref(a->json);
	leave();
	arena_free(a->arena);
	buf_free(&a->proj);
	memset(a, 0, sizeof(*a));
}

/* Forgets the last line's values (after enter()). */
static void
author_reset(struct oa_author *a)
{
	memset(&a->a, 0, sizeof(a->a));
	a->institution = (struct sv){ "", 0 };
}

/* Parses a line the reference way (fast = 0) or fast then reference. */
static int
author_parse(const char *line, size_t len, struct oa_author *out,
    struct buf *err, int fast)
{
	json_t *root;
	int rc = -1;

	enter(&out->arena, &out->json);
	author_reset(out);
	if (fast && len <= OA_LINE_MAX && oa_fast_author(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	json_decref(out->json);
	out->json = NULL;
	author_reset(out);
	if (oa_load(line, len, &root, err) != 0)
		goto out;
	out->json = root;
	rc = oa_author_fields(root, out, err);
out:
	leave();
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

	enter(&out->arena, &out->json);
	author_reset(out);
	rc = len <= OA_LINE_MAX ? oa_fast_author(line, len, out) : -1;
	leave();
	return rc;
}

/* ---- works --------------------------------------------------------------- */

void
openalex_work_free(struct oa_work *w)
{
	current = w->arena;
	json_decref(w->json);
	leave();
	arena_free(w->arena);
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
	json_t *root;
	int rc = -1;

	enter(&out->arena, &out->json);
	work_reset(out);
	if (fast && len <= OA_LINE_MAX && oa_fast_work(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	json_decref(out->json);
	out->json = NULL;
	work_reset(out);
	if (oa_load(line, len, &root, err) != 0)
		goto out;
	out->json = root;
	rc = oa_work_fields(root, out, err);
out:
	leave();
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

	enter(&out->arena, &out->json);
	work_reset(out);
	rc = len <= OA_LINE_MAX ? oa_fast_work(line, len, out) : -1;
	leave();
	return rc;
}
