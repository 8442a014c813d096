/* openalex.c: OpenAlex works and authors, one JSON line each, checked and turned into structs. */
#include "openalex.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "jscan.h"

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
static int
fail(struct buf *err, const char *fmt, ...)
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
static int
orcid_bare(struct sv s, struct sv *out)
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
 * An optional string member: missing or null gives "", a string of at most
 * max bytes without NUL gives itself; anything else is an error naming
 * `what`. 0 or -1.
 */
static int
opt_str(json_t *obj, const char *key, size_t max, const char *what,
    struct sv *out, struct buf *err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s;
	size_t n;

	*out = (struct sv){ "", 0 };
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(err, "%s: not a string", what);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > max)
		return fail(err, "%s: too long (%zu bytes, at most %zu)", what,
		    n, max);
	if (memchr(s, '\0', n) != NULL)
		return fail(err, "%s: embedded NUL", what);
	out->p = s;
	out->n = n;
	return 0;
}

/* An optional member of type `type` (JSON_OBJECT/JSON_ARRAY): NULL if null or missing. */
static int
opt_of(json_t *obj, const char *key, json_type type, const char *what,
    json_t **out, struct buf *err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_typeof(v) != type)
		return fail(err, "%s: not an %s", what,
		    type == JSON_OBJECT ? "object" : "array");
	*out = v;
	return 0;
}

/* The required "id" member of kind letter. */
static int
req_id(json_t *root, char letter, struct sv *id, uint64_t *num,
    struct buf *err)
{
	json_t *v = json_object_get(root, "id");
	struct sv s;

	if (v == NULL || json_is_null(v))
		return fail(err, "id: missing");
	if (!json_is_string(v))
		return fail(err, "id: not a string");
	s.p = json_string_value(v);
	s.n = json_string_length(v);
	if (openalex_id(s, letter, id, num) != 0)
		return fail(err, "id: not an OpenAlex %s id",
		    letter == 'W' ? "work" : "author");
	return 0;
}

/* Parses the line into a fresh JSON object; 0 or -1. */
static int
load(const char *line, size_t len, json_t **root, struct buf *err)
{
	json_error_t je;

	*root = NULL;
	if (len > OA_LINE_MAX)
		return fail(err, "line too long (%zu bytes, at most %u)", len,
		    OA_LINE_MAX);
	/* NULs inside strings are let through to be named by opt_str();
	 * jansson still checks UTF-8 and control characters. */
	*root = json_loadb(line, len, JSON_ALLOW_NUL, &je);
	if (*root == NULL) {
		/* jansson quotes the input after " near '": the reason must
		 * not (it may hold a newline, and it goes into a log line). */
		char *near = strstr(je.text, " near '");

		if (near != NULL)
			*near = '\0';
		return fail(err, "invalid JSON: %s (column %d)", je.text,
		    je.column);
	}
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return fail(err, "not a JSON object");
	}
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

/* The author's fields from a parsed line (whole or projected). 0 or -1. */
static int
author_fields(json_t *root, struct oa_author *out, struct buf *err)
{
	json_t *insts, *inst = NULL;
	struct sv s;

	if (req_id(root, 'A', &out->a.id, &out->a.num, err) != 0 ||
	    opt_str(root, "display_name", OA_NAME_MAX, "display_name",
	    &out->a.name, err) != 0 ||
	    opt_str(root, "orcid", OA_URL_MAX, "orcid", &s, err) != 0)
		return -1;
	out->a.orcid = s;
	if (s.n && orcid_bare(s, &out->a.orcid) != 0)
		return fail(err, "orcid: not an ORCID iD");
	if (opt_of(root, "last_known_institutions", JSON_ARRAY,
	    "last_known_institutions", &insts, err) != 0)
		return -1;
	if (insts && json_array_size(insts) > 0) {
		inst = json_array_get(insts, 0);
		if (!json_is_object(inst) && !json_is_null(inst))
			return fail(err, "last_known_institutions[0]: not an "
			    "object");
	} else if (opt_of(root, "last_known_institution", JSON_OBJECT,
	    "last_known_institution", &inst, err) != 0)
		return -1;
	return opt_str(inst, "display_name", OA_NAME_MAX,
	    "last_known_institution.display_name", &out->institution, err);
}

static int fast_author(const char *line, size_t len, struct oa_author *out);

/* Parses a line the reference way (fast = 0) or fast then reference. */
static int
author_parse(const char *line, size_t len, struct oa_author *out,
    struct buf *err, int fast)
{
	json_t *root;
	int rc = -1;

	enter(&out->arena, &out->json);
	author_reset(out);
	if (fast && len <= OA_LINE_MAX && fast_author(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	json_decref(out->json);
	out->json = NULL;
	author_reset(out);
	if (load(line, len, &root, err) != 0)
		goto out;
	out->json = root;
	rc = author_fields(root, out, err);
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
	rc = len <= OA_LINE_MAX ? fast_author(line, len, out) : -1;
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
static struct oa_ref *
ref_add(struct oa_ref **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* Whether v[0..n) already holds num. Linear: lists are short and capped. */
static int
ref_seen(const struct oa_ref *v, size_t n, uint64_t num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].num == num)
			return 1;
	return 0;
}

static int
parse_authorships(json_t *root, struct oa_work *w, struct buf *err)
{
	json_t *arr, *as, *au;
	struct oa_ref r;
	struct sv s;
	size_t i;
	char what[64];

	if (opt_of(root, "authorships", JSON_ARRAY, "authorships", &arr, err))
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_AUTHORS_MAX)
		return fail(err, "authorships: too many (%zu, at most %d)",
		    json_array_size(arr), OA_AUTHORS_MAX);
	json_array_foreach(arr, i, as) {
		if (json_is_null(as))
			continue;
		if (!json_is_object(as))
			return fail(err, "authorships[%zu]: not an object", i);
		snprintf(what, sizeof(what), "authorships[%zu].author", i);
		if (opt_of(as, "author", JSON_OBJECT, what, &au, err) != 0)
			return -1;
		memset(&r, 0, sizeof(r));
		snprintf(what, sizeof(what), "authorships[%zu].author.id", i);
		if (opt_str(au, "id", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		if (s.n == 0)
			continue;          /* an author OpenAlex could not name */
		if (openalex_id(s, 'A', &r.id, &r.num) != 0)
			return fail(err, "%s: not an OpenAlex author id", what);
		snprintf(what, sizeof(what),
		    "authorships[%zu].author.display_name", i);
		if (opt_str(au, "display_name", OA_NAME_MAX, what, &r.name,
		    err) != 0)
			return -1;
		snprintf(what, sizeof(what), "authorships[%zu].author.orcid", i);
		if (opt_str(au, "orcid", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		if (s.n && orcid_bare(s, &r.orcid) != 0)
			return fail(err, "%s: not an ORCID iD", what);
		/* The same author twice on one work counts once. */
		if (w->n_authors > 0 && ref_seen(w->authors, w->n_authors, r.num))
			continue;
		*ref_add(&w->authors, &w->n_authors, &w->cap_authors) = r;
	}
	return 0;
}

static int
parse_topics(json_t *root, struct oa_work *w, struct buf *err)
{
	json_t *arr, *t;
	struct oa_ref r;
	struct sv s;
	size_t i;
	char what[64];

	if (opt_of(root, "topics", JSON_ARRAY, "topics", &arr, err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_TOPICS_MAX)
		return fail(err, "topics: too many (%zu, at most %d)",
		    json_array_size(arr), OA_TOPICS_MAX);
	json_array_foreach(arr, i, t) {
		if (json_is_null(t))
			continue;
		if (!json_is_object(t))
			return fail(err, "topics[%zu]: not an object", i);
		memset(&r, 0, sizeof(r));
		snprintf(what, sizeof(what), "topics[%zu].id", i);
		if (opt_str(t, "id", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		if (s.n == 0)
			continue;
		if (openalex_id(s, 'T', &r.id, &r.num) != 0)
			return fail(err, "%s: not an OpenAlex topic id", what);
		snprintf(what, sizeof(what), "topics[%zu].display_name", i);
		if (opt_str(t, "display_name", OA_NAME_MAX, what, &r.name,
		    err) != 0)
			return -1;
		if (ref_seen(w->topics, w->n_topics, r.num))
			continue;
		*ref_add(&w->topics, &w->n_topics, &w->cap_topics) = r;
	}
	return 0;
}

#define OA_ABSTRACT_MAX (256u << 10)   /* bytes of rebuilt abstract */

/* Empties the words scratch up to top, for the next line. */
static void
clear_words(struct oa_work *w, size_t top)
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
static void
place_word(struct oa_work *w, struct sv word, size_t pos, size_t *top)
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
static int
join_words(struct oa_work *w, size_t top, struct buf *err)
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
			clear_words(w, top);
			return fail(err, "abstract_inverted_index: abstract "
			    "too long (at most %u bytes)", OA_ABSTRACT_MAX);
		}
	}
	clear_words(w, top);
	return 0;
}

/*
 * Rebuilds the abstract from {"word": [positions], ...} in a parsed line:
 * each word goes to its positions, words are joined with one space;
 * missing positions and nulls are skipped.
 */
static int
parse_abstract(json_t *root, struct oa_work *w, struct buf *err)
{
	json_t *idx, *positions, *p;
	struct sv word;
	size_t i, top = 0;
	void *iter;

	if (opt_of(root, "abstract_inverted_index", JSON_OBJECT,
	    "abstract_inverted_index", &idx, err) != 0)
		return -1;
	if (idx == NULL || json_object_size(idx) == 0)
		return 0;
	for (iter = json_object_iter(idx); iter;
	    iter = json_object_iter_next(idx, iter)) {
		word.p = json_object_iter_key(iter);
		word.n = json_object_iter_key_len(iter);
		positions = json_object_iter_value(iter);
		if (word.n > OA_WORD_MAX) {
			fail(err, "abstract_inverted_index: word too long (at "
			    "most %d bytes)", OA_WORD_MAX);
			goto clear;
		}
		if (strlen(word.p) != word.n) {
			fail(err, "abstract_inverted_index: embedded NUL");
			goto clear;
		}
		if (json_is_null(positions))
			continue;
		if (!json_is_array(positions)) {
			fail(err, "abstract_inverted_index: positions not an array");
			goto clear;
		}
		json_array_foreach(positions, i, p) {
			json_int_t pos;

			if (json_is_null(p))
				continue;
			if (!json_is_integer(p)) {
				fail(err, "abstract_inverted_index: position "
				    "not an integer");
				goto clear;
			}
			pos = json_integer_value(p);
			if (pos < 0 || pos >= OA_ABSTRACT_POS) {
				fail(err, "abstract_inverted_index: position "
				    "%lld out of range (0..%d)", (long long)pos,
				    OA_ABSTRACT_POS - 1);
				goto clear;
			}
			place_word(w, word, (size_t)pos, &top);
		}
	}
	return join_words(w, top, err);
clear:
	clear_words(w, top);
	return -1;
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

/*
 * The work's fields from a parsed line (whole or projected; the fast path
 * has rebuilt the abstract already and left it out). 0 or -1.
 */
static int
work_fields(json_t *root, struct oa_work *out, struct buf *err)
{
	json_t *v, *loc, *src;

	if (req_id(root, 'W', &out->id, &out->num, err) != 0 ||
	    opt_str(root, "doi", OA_URL_MAX, "doi", &out->doi, err) != 0 ||
	    opt_str(root, "title", OA_TITLE_MAX, "title", &out->title, err))
		return -1;
	if (out->title.n == 0 && opt_str(root, "display_name", OA_TITLE_MAX,
	    "display_name", &out->title, err) != 0)
		return -1;
	v = json_object_get(root, "publication_year");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return fail(err, "publication_year: not an integer");
		if (json_integer_value(v) < 1 || json_integer_value(v) > 9999)
			return fail(err, "publication_year: out of range "
			    "(1..9999)");
		out->year = (int)json_integer_value(v);
	}
	if (opt_str(root, "type", OA_TYPE_MAX, "type", &out->type, err) ||
	    opt_of(root, "primary_location", JSON_OBJECT, "primary_location",
	    &loc, err) != 0 ||
	    opt_of(loc, "source", JSON_OBJECT, "primary_location.source",
	    &src, err) != 0 ||
	    opt_str(src, "display_name", OA_VENUE_MAX,
	    "primary_location.source.display_name", &out->venue, err) ||
	    opt_str(loc, "landing_page_url", OA_URL_MAX,
	    "primary_location.landing_page_url", &out->landing_url, err) ||
	    parse_authorships(root, out, err) != 0 ||
	    parse_topics(root, out, err) != 0 ||
	    parse_abstract(root, out, err) != 0)
		return -1;
	return 0;
}

static int fast_work(const char *line, size_t len, struct oa_work *out);

/* Parses a line the reference way (fast = 0) or fast then reference. */
static int
work_parse(const char *line, size_t len, struct oa_work *out,
    struct buf *err, int fast)
{
	json_t *root;
	int rc = -1;

	enter(&out->arena, &out->json);
	work_reset(out);
	if (fast && len <= OA_LINE_MAX && fast_work(line, len, out) == 0) {
		rc = 0;
		goto out;
	}
	json_decref(out->json);
	out->json = NULL;
	work_reset(out);
	if (load(line, len, &root, err) != 0)
		goto out;
	out->json = root;
	rc = work_fields(root, out, err);
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
	rc = len <= OA_LINE_MAX ? fast_work(line, len, out) : -1;
	leave();
	return rc;
}

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
 * A string member as opt_str() takes it: null gives "", a string without
 * NUL of at most max bytes gives itself (decoded into f->str); anything
 * else gives up.
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

/*
 * One authorship object or topic object: the id (with letter), name and,
 * for authors, ORCID. *r->id.p == 0 ... see callers. Authors sit one level
 * down, in "author".
 */
static int
fast_ref(struct fast *f, char letter, struct oa_ref *r, int *has_id)
{
	static const char *const names[] = { "id", "display_name", "orcid",
	    NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	struct sv id = { "", 0 }, orcid = { "", 0 };
	int first = 1, rc, i;

	memset(r, 0, sizeof(*r));
	r->name = r->orcid = (struct sv){ "", 0 };
	*has_id = 0;
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
	if (rc != 0 || id.n == 0)
		return rc;             /* no id: the entry is skipped */
	if (openalex_id(id, letter, &r->id, &r->num) != 0)
		return -1;
	if (orcid.n && orcid_bare(orcid, &r->orcid) != 0)
		return -1;
	*has_id = 1;
	return 0;
}

/* {"author": {...}, ...}: the author, the rest skipped. */
static int
fast_authorship(struct fast *f, struct oa_ref *r, int *has_id)
{
	static const char *const names[] = { "author", NULL };
	const unsigned char *k;
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc;

	*has_id = 0;
	if (open_container(&f->s) != 0)
		return -1;
	while ((rc = next_member(&f->s, &first, &k, &kn)) == 1) {
		switch (member_index(names, k, kn, &seen)) {
		case 0:
			if (*f->s.p == 'n')
				rc = jscan_null(&f->s);
			else
				rc = fast_ref(f, 'A', r, has_id);
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

/*
 * "authorships" (topics = 0) or "topics" (1): null, or an array of
 * objects and nulls; entries without an id are skipped, one id counts
 * once, in order.
 */
static int
fast_list(struct fast *f, int topics)
{
	struct oa_work *w = f->w;
	struct oa_ref r;
	size_t count = 0;
	int first = 1, rc, has_id;

	if (*f->s.p == 'n')
		return jscan_null(&f->s);
	if (*f->s.p != '[' || open_container(&f->s) != 0)
		return -1;
	while ((rc = next_element(&f->s, &first)) == 1) {
		if (++count > (topics ? OA_TOPICS_MAX : OA_AUTHORS_MAX))
			return -1;
		if (*f->s.p == 'n') {
			if (jscan_null(&f->s) != 0)
				return -1;
			continue;
		}
		if (*f->s.p != '{')
			return -1;
		if ((topics ? fast_ref(f, 'T', &r, &has_id) :
		    fast_authorship(f, &r, &has_id)) != 0)
			return -1;
		if (!has_id)
			continue;
		if (topics) {
			if (!ref_seen(w->topics, w->n_topics, r.num))
				*ref_add(&w->topics, &w->n_topics,
				    &w->cap_topics) = r;
		} else if (!ref_seen(w->authors, w->n_authors, r.num))
			*ref_add(&w->authors, &w->n_authors,
			    &w->cap_authors) = r;
	}
	return rc;
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
static int
fast_work(const char *line, size_t len, struct oa_work *w)
{
	enum { ID, DOI, TITLE, DNAME, YEAR, TYPE, LOC, AUTHORS, TOPICS, ABSTRACT };
	static const char *const names[] = { "id", "doi", "title",
	    "display_name", "publication_year", "type", "primary_location",
	    "authorships", "topics", "abstract_inverted_index", NULL };
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
			rc = fast_list(&f, 0);
			break;
		case TOPICS:
			rc = fast_list(&f, 1);
			break;
		case ABSTRACT:
			if (*f.s.p == 'n')
				rc = jscan_null(&f.s);
			else if (*f.s.p != '{')
				return -1;
			else
				rc = decode_abstract(&f);
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

/* Parses an author line straight from the scanner; -1: the reference way. */
static int
fast_author(const char *line, size_t len, struct oa_author *a)
{
	enum { ID, DNAME, ORCID, INSTS, INST };
	static const char *const names[] = { "id", "display_name", "orcid",
	    "last_known_institutions", "last_known_institution", NULL };
	struct fast f;
	const unsigned char *k;
	struct sv id = { "", 0 }, orcid = { "", 0 }, first_inst = { "", 0 },
	    inst = { "", 0 };
	size_t kn;
	unsigned seen = 0;
	int first = 1, rc = 0, n_insts = 0, el, r;

	if (fast_begin(&f, line, len, &a->proj) != 0)
		return -1;
	a->a.name = (struct sv){ "", 0 };
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
			/* Only the first institution is read. */
			if (*f.s.p == 'n') {
				rc = jscan_null(&f.s);
				break;
			}
			if (*f.s.p != '[' || open_container(&f.s) != 0)
				return -1;
			el = 1;
			while ((rc = next_element(&f.s, &el)) == 1) {
				rc = n_insts++ == 0 ?
				    fast_named(&f, OA_NAME_MAX, &first_inst) :
				    skip(&f);
				if (rc != 0)
					return -1;
			}
			break;
		case INST:
			rc = fast_named(&f, OA_NAME_MAX, &inst);
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
	if (orcid.n && orcid_bare(orcid, &a->a.orcid) != 0)
		return -1;
	a->institution = n_insts > 0 ? first_inst : inst;
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
 * as parse_abstract(). Anything parse_abstract() would refuse, and a word
 * given twice (jansson keeps the last), gives up.
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

	if (++s->depth > JSCAN_MAX_DEPTH)
		return -1;
	s->p++;
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
					place_word(w, word, (size_t)pos, &top);
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
	return join_words(w, top, NULL);
fail:
	clear_words(w, top);
	return -1;
}
