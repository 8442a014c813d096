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
 * afterwards; for the importer that is about a fifth of its time. While a
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

/* ---- the fast path: projection -------------------------------------------
 *
 * What a line keeps, member by member; everything else is checked by
 * jscan and left out. F_OBJECT and F_LIST values are projected in turn when
 * they are an object / an array (anything else is kept as it is, for
 * jansson to judge). Keys with escapes send the line the reference way.
 */
enum fkind { F_KEEP, F_OBJECT, F_LIST, F_ABSTRACT };

struct field {
	const char *key;
	enum fkind kind;
	const struct field *sub;   /* F_OBJECT, F_LIST: members kept */
};

static const struct field source_f[] = {
	{ "display_name", F_KEEP, NULL }, { NULL, F_KEEP, NULL },
};
static const struct field location_f[] = {
	{ "source", F_OBJECT, source_f },
	{ "landing_page_url", F_KEEP, NULL }, { NULL, F_KEEP, NULL },
};
static const struct field authorship_f[] = {
	{ "author", F_KEEP, NULL }, { NULL, F_KEEP, NULL },
};
static const struct field topic_f[] = {
	{ "id", F_KEEP, NULL }, { "display_name", F_KEEP, NULL },
	{ NULL, F_KEEP, NULL },
};
static const struct field work_f[] = {
	{ "id", F_KEEP, NULL }, { "doi", F_KEEP, NULL },
	{ "title", F_KEEP, NULL }, { "display_name", F_KEEP, NULL },
	{ "publication_year", F_KEEP, NULL }, { "type", F_KEEP, NULL },
	{ "primary_location", F_OBJECT, location_f },
	{ "authorships", F_LIST, authorship_f },
	{ "topics", F_LIST, topic_f },
	{ "abstract_inverted_index", F_ABSTRACT, NULL },
	{ NULL, F_KEEP, NULL },
};
static const struct field institution_f[] = {
	{ "display_name", F_KEEP, NULL }, { NULL, F_KEEP, NULL },
};
static const struct field author_f[] = {
	{ "id", F_KEEP, NULL }, { "display_name", F_KEEP, NULL },
	{ "orcid", F_KEEP, NULL },
	{ "last_known_institutions", F_LIST, institution_f },
	{ "last_known_institution", F_OBJECT, institution_f },
	{ NULL, F_KEEP, NULL },
};

struct proj {
	struct jscan s;
	struct buf *out;
	struct oa_work *w;        /* where an abstract goes; NULL: none */
	int abstracts;            /* abstract members met */
};

static int project_value(struct proj *pr, const struct field *f);
static int decode_abstract(struct proj *pr);

static const struct field *
find_field(const struct field *f, const unsigned char *k, size_t n)
{
	for (; f->key != NULL; f++)
		if (strlen(f->key) == n && memcmp(f->key, k, n) == 0)
			return f;
	return NULL;
}

/* Copies the value at the scanner to the output as it is, once checked. */
static int
copy_value(struct proj *pr)
{
	const unsigned char *v = pr->s.p;

	if (jscan_value(&pr->s) != 0)
		return -1;
	buf_put(pr->out, v, (size_t)(pr->s.p - v));
	return 0;
}

/* The object at the scanner, with only the members spec names. */
static int
project_object(struct proj *pr, const struct field *spec)
{
	struct jscan *s = &pr->s;
	const struct field *f;
	const unsigned char *key;
	int c, escaped, first = 1;
	size_t keylen;

	if (++s->depth > JSCAN_MAX_DEPTH)
		return -1;
	s->p++;
	buf_putc(pr->out, '{');
	c = jscan_ws(s);
	while (c != '}') {
		key = s->p;
		if (c != '"' || jscan_string(s, NULL, &escaped, NULL) != 0 ||
		    escaped || jscan_ws(s) != ':')
			return -1;
		keylen = (size_t)(s->p - key);
		while (key[keylen - 1] != '"')
			keylen--;          /* back over white space */
		f = find_field(spec, key + 1, keylen - 2);
		s->p++;
		c = jscan_ws(s);
		if (f != NULL && f->kind == F_ABSTRACT && pr->abstracts++ > 0)
			return -1;         /* twice: jansson keeps the last */
		if (f == NULL) {
			if (jscan_value(s) != 0)
				return -1;
		} else if (f->kind == F_ABSTRACT && c == '{' && pr->w) {
			if (decode_abstract(pr) != 0)
				return -1;
		} else {
			if (!first)
				buf_putc(pr->out, ',');
			first = 0;
			buf_put(pr->out, key, keylen);
			buf_putc(pr->out, ':');
			if (project_value(pr, f) != 0)
				return -1;
		}
		c = jscan_ws(s);
		if (c == ',') {
			s->p++;
			if ((c = jscan_ws(s)) == '}')
				return -1;     /* a trailing comma */
		} else if (c != '}')
			return -1;
	}
	s->p++;
	s->depth--;
	buf_putc(pr->out, '}');
	return 0;
}

/* The array at the scanner, objects in it projected with spec. */
static int
project_list(struct proj *pr, const struct field *spec)
{
	struct jscan *s = &pr->s;
	int c, first = 1;

	if (++s->depth > JSCAN_MAX_DEPTH)
		return -1;
	s->p++;
	buf_putc(pr->out, '[');
	c = jscan_ws(s);
	while (c != ']') {
		if (!first)
			buf_putc(pr->out, ',');
		first = 0;
		if (c == '{' ? project_object(pr, spec) : copy_value(pr))
			return -1;
		c = jscan_ws(s);
		if (c == ',') {
			s->p++;
			if ((c = jscan_ws(s)) == ']')
				return -1;
		} else if (c != ']')
			return -1;
	}
	s->p++;
	s->depth--;
	buf_putc(pr->out, ']');
	return 0;
}

static int
project_value(struct proj *pr, const struct field *f)
{
	int c = jscan_ws(&pr->s);

	if (f->kind == F_OBJECT && c == '{')
		return project_object(pr, f->sub);
	if (f->kind == F_LIST && c == '[')
		return project_list(pr, f->sub);
	return copy_value(pr);
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
decode_abstract(struct proj *pr)
{
	struct jscan *s = &pr->s;
	struct oa_work *w = pr->w;
	struct kref *k;
	size_t top = 0, nk = 0, i, off;
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
		k->hash = 2166136261u;
		for (i = 0; i < word.n; i++)
			k->hash = (k->hash ^ (unsigned char)word.p[i]) *
			    16777619u;
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

/* Parses a line by projection; -1 sends it the reference way. */
static int
fast_work(const char *line, size_t len, struct oa_work *w)
{
	struct proj pr;
	json_t *root;

	memset(&pr, 0, sizeof(pr));
	pr.s.p = (const unsigned char *)line;
	pr.s.end = pr.s.p + len;
	pr.out = &w->proj;
	pr.w = w;
	buf_reset(&w->proj);
	if (jscan_ws(&pr.s) != '{' || project_object(&pr, work_f) != 0 ||
	    jscan_ws(&pr.s) != -1)
		return -1;
	if ((root = json_loadb(w->proj.p, w->proj.len, JSON_ALLOW_NUL,
	    NULL)) == NULL)
		return -1;
	w->json = root;
	return work_fields(root, w, NULL);
}

static int
fast_author(const char *line, size_t len, struct oa_author *a)
{
	struct proj pr;
	json_t *root;

	memset(&pr, 0, sizeof(pr));
	pr.s.p = (const unsigned char *)line;
	pr.s.end = pr.s.p + len;
	pr.out = &a->proj;
	buf_reset(&a->proj);
	if (jscan_ws(&pr.s) != '{' || project_object(&pr, author_f) != 0 ||
	    jscan_ws(&pr.s) != -1)
		return -1;
	if ((root = json_loadb(a->proj.p, a->proj.len, JSON_ALLOW_NUL,
	    NULL)) == NULL)
		return -1;
	a->json = root;
	return author_fields(root, a, NULL);
}
