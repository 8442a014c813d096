/* openalex_ref.c: the reference way: a whole OpenAlex line through jansson (allocating from a per-line arena), which alone decides what is refused and says why. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * JSON of the last line parsed into it. Undone by oa_leave().
 */
void
oa_enter(void **ap, void **json)
{
	(void)pthread_once(&alloc_once, install_alloc);
	if (*ap == NULL)
		*ap = xcalloc(1, sizeof(struct arena));
	current = *ap;
	json_decref(*json);
	*json = NULL;
	arena_reset(current);
}

void
oa_leave(void)
{
	current = NULL;
}

/* Releases json (parsed into arena), then the arena. */
void
oa_json_free(void *arena, void *json)
{
	current = arena;
	json_decref(json);
	oa_leave();
	arena_free(arena);
}

/* ---- the line through jansson ------------------------------------------- */

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
		return oa_fail(err, "%s: not a string", what);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > max)
		return oa_fail(err, "%s: too long (%zu bytes, at most %zu)", what,
		    n, max);
	if (memchr(s, '\0', n) != NULL)
		return oa_fail(err, "%s: embedded NUL", what);
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
		return oa_fail(err, "%s: not an %s", what,
		    type == JSON_OBJECT ? "object" : "array");
	*out = v;
	return 0;
}

/* An optional non-negative integer member: missing or null gives 0. */
static int
opt_uint(json_t *obj, const char *key, const char *what, uint64_t *out,
    struct buf *err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return oa_fail(err, "%s: not a non-negative integer", what);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* An optional boolean member: missing, null or false give 0. */
static int
opt_bool(json_t *obj, const char *key, const char *what, int *out,
    struct buf *err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return oa_fail(err, "%s: not a boolean", what);
	*out = json_is_true(v);
	return 0;
}

/* {"id": ..., "display_name": ...} of an institution (obj may be NULL). */
static int
inst_fields(json_t *obj, const char *what, struct oa_inst *x,
    struct buf *err)
{
	char w[96];

	snprintf(w, sizeof(w), "%s.id", what);
	if (opt_str(obj, "id", OA_URL_MAX, w, &x->id, err) != 0)
		return -1;
	snprintf(w, sizeof(w), "%s.display_name", what);
	return opt_str(obj, "display_name", OA_NAME_MAX, w, &x->name, err);
}

/* The required "id" member of kind letter. */
static int
req_id(json_t *root, char letter, struct sv *id, uint64_t *num,
    struct buf *err)
{
	json_t *v = json_object_get(root, "id");
	struct sv s;

	if (v == NULL || json_is_null(v))
		return oa_fail(err, "id: missing");
	if (!json_is_string(v))
		return oa_fail(err, "id: not a string");
	s.p = json_string_value(v);
	s.n = json_string_length(v);
	if (openalex_id(s, letter, id, num) != 0)
		return oa_fail(err, "id: not an OpenAlex %s id",
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
		return oa_fail(err, "line too long (%zu bytes, at most %u)", len,
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
		return oa_fail(err, "invalid JSON: %s (column %d)", je.text,
		    je.column);
	}
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return oa_fail(err, "not a JSON object");
	}
	return 0;
}

/* last_known_institutions[] (an array of objects and nulls). */
static int
author_insts(json_t *root, struct oa_author *out, struct buf *err)
{
	json_t *arr, *v;
	size_t i;
	char what[64];

	if (opt_of(root, "last_known_institutions", JSON_ARRAY,
	    "last_known_institutions", &arr, err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_INSTS_MAX)
		return oa_fail(err, "last_known_institutions: too many (%zu, at "
		    "most %d)", json_array_size(arr), OA_INSTS_MAX);
	json_array_foreach(arr, i, v) {
		if (json_is_null(v))
			continue;
		snprintf(what, sizeof(what), "last_known_institutions[%zu]", i);
		if (!json_is_object(v))
			return oa_fail(err, "%s: not an object", what);
		if (inst_fields(v, what, oa_inst_add(&out->raw_insts,
		    &out->n_raw, &out->cap_raw), err) != 0)
			return -1;
	}
	return 0;
}

/* affiliations[]: {"institution": {...}, "years": [2023, 2021, ...]}. */
static int
author_affs(json_t *root, struct oa_author *out, struct buf *err)
{
	json_t *arr, *v, *inst, *years, *y;
	struct oa_inst *x;
	size_t i, j;
	char what[64];

	if (opt_of(root, "affiliations", JSON_ARRAY, "affiliations", &arr,
	    err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_INSTS_MAX)
		return oa_fail(err, "affiliations: too many (%zu, at most %d)",
		    json_array_size(arr), OA_INSTS_MAX);
	json_array_foreach(arr, i, v) {
		if (json_is_null(v))
			continue;
		snprintf(what, sizeof(what), "affiliations[%zu]", i);
		if (!json_is_object(v))
			return oa_fail(err, "%s: not an object", what);
		x = oa_inst_add(&out->affs, &out->n_affs, &out->cap_affs);
		snprintf(what, sizeof(what), "affiliations[%zu].institution", i);
		if (opt_of(v, "institution", JSON_OBJECT, what, &inst, err) ||
		    inst_fields(inst, what, x, err) != 0)
			return -1;
		snprintf(what, sizeof(what), "affiliations[%zu].years", i);
		if (opt_of(v, "years", JSON_ARRAY, what, &years, err) != 0)
			return -1;
		if (years && json_array_size(years) > OA_YEARS_MAX)
			return oa_fail(err, "%s: too many", what);
		json_array_foreach(years, j, y) {
			json_int_t n;

			if (json_is_null(y))
				continue;
			if (!json_is_integer(y) || (n = json_integer_value(y)) < 1 ||
			    n > 9999)
				return oa_fail(err, "%s: not a year", what);
			if (x->first == 0 || n < x->first)
				x->first = (int)n;
			if (n > x->last)
				x->last = (int)n;
		}
	}
	return 0;
}

/* summary_stats and counts_by_year. */
static int
author_figures(json_t *root, struct oa_author *out, struct buf *err)
{
	json_t *stats, *arr, *v;
	struct oa_year *y;
	uint64_t year;
	size_t i;
	char what[64];

	if (opt_uint(root, "cited_by_count", "cited_by_count", &out->cited,
	    err) != 0 ||
	    opt_of(root, "summary_stats", JSON_OBJECT, "summary_stats", &stats,
	    err) != 0 ||
	    opt_uint(stats, "h_index", "summary_stats.h_index", &out->h_index,
	    err) != 0 ||
	    opt_uint(stats, "i10_index", "summary_stats.i10_index",
	    &out->i10_index, err) != 0 ||
	    opt_of(root, "counts_by_year", JSON_ARRAY, "counts_by_year", &arr,
	    err) != 0)
		return -1;
	out->has_stats = stats != NULL;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_YEARS_MAX)
		return oa_fail(err, "counts_by_year: too many (%zu, at most %d)",
		    json_array_size(arr), OA_YEARS_MAX);
	json_array_foreach(arr, i, v) {
		if (json_is_null(v))
			continue;
		snprintf(what, sizeof(what), "counts_by_year[%zu]", i);
		if (!json_is_object(v))
			return oa_fail(err, "%s: not an object", what);
		if (out->n_years == out->cap_years) {
			out->cap_years = out->cap_years ? out->cap_years * 2 : 16;
			out->years = xrealloc(out->years,
			    out->cap_years * sizeof(*out->years));
		}
		y = &out->years[out->n_years];
		if (opt_uint(v, "year", "counts_by_year[].year", &year, err) ||
		    opt_uint(v, "works_count", "counts_by_year[].works_count",
		    &y->works, err) != 0 ||
		    opt_uint(v, "cited_by_count",
		    "counts_by_year[].cited_by_count", &y->cited, err) != 0)
			return -1;
		if (year < 1 || year > 9999)
			return oa_fail(err, "%s.year: not a year", what);
		y->year = (int)year;
		out->n_years++;
	}
	return 0;
}

/* The author's fields from a parsed line. 0 or -1. */
static int
author_fields(json_t *root, struct oa_author *out, struct buf *err)
{
	json_t *inst, *alts, *e;
	struct oa_inst one = { .id = { "", 0 } };
	struct sv s;
	size_t i;

	if (req_id(root, 'A', &out->a.id, &out->a.num, err) != 0 ||
	    opt_str(root, "display_name", OA_NAME_MAX, "display_name",
	    &out->a.name, err) != 0 ||
	    opt_str(root, "orcid", OA_URL_MAX, "orcid", &s, err) != 0)
		return -1;
	out->a.orcid = s;
	if (s.n && oa_orcid_bare(s, &out->a.orcid) != 0)
		return oa_fail(err, "orcid: not an ORCID iD");
	/* Alternative names only help the search: whatever is not a name
	 * in them is left out, never a reason to refuse the author. */
	alts = json_object_get(root, "display_name_alternatives");
	out->n_alts = 0;
	json_array_foreach(json_is_array(alts) ? alts : NULL, i, e) {
		if (out->n_alts == OA_ALTS_MAX)
			break;
		if (!json_is_string(e) || json_string_length(e) > OA_NAME_MAX ||
		    memchr(json_string_value(e), '\0',
		    json_string_length(e)) != NULL)
			continue;
		out->alts[out->n_alts++] = (struct sv){ json_string_value(e),
		    json_string_length(e) };
	}
	if (author_insts(root, out, err) != 0 ||
	    opt_of(root, "last_known_institution", JSON_OBJECT,
	    "last_known_institution", &inst, err) != 0 ||
	    inst_fields(inst, "last_known_institution", &one, err) != 0 ||
	    author_affs(root, out, err) != 0)
		return -1;
	out->lki_id = one.id;
	out->lki_name = one.name;
	return author_figures(root, out, err);
}

static int
parse_authorships(json_t *root, struct oa_work *w, struct buf *err)
{
	json_t *arr, *as, *au, *insts, *inst;
	struct oa_inst x;
	struct oa_ref r;
	struct sv s;
	size_t i, j;
	char what[80];

	if (opt_of(root, "authorships", JSON_ARRAY, "authorships", &arr, err))
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_AUTHORS_MAX)
		return oa_fail(err, "authorships: too many (%zu, at most %d)",
		    json_array_size(arr), OA_AUTHORS_MAX);
	json_array_foreach(arr, i, as) {
		if (json_is_null(as))
			continue;
		if (!json_is_object(as))
			return oa_fail(err, "authorships[%zu]: not an object", i);
		snprintf(what, sizeof(what), "authorships[%zu].author", i);
		if (opt_of(as, "author", JSON_OBJECT, what, &au, err) != 0)
			return -1;
		memset(&r, 0, sizeof(r));
		snprintf(what, sizeof(what), "authorships[%zu].author.id", i);
		if (opt_str(au, "id", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		/* Without an id (an author OpenAlex could not tell apart)
		 * the name is kept, no profile made. */
		if (s.n && openalex_id(s, 'A', &r.id, &r.num) != 0)
			return oa_fail(err, "%s: not an OpenAlex author id", what);
		snprintf(what, sizeof(what),
		    "authorships[%zu].author.display_name", i);
		if (opt_str(au, "display_name", OA_NAME_MAX, what, &r.name,
		    err) != 0)
			return -1;
		snprintf(what, sizeof(what), "authorships[%zu].author.orcid", i);
		if (opt_str(au, "orcid", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		if (s.n && oa_orcid_bare(s, &r.orcid) != 0)
			return oa_fail(err, "%s: not an ORCID iD", what);
		snprintf(what, sizeof(what), "authorships[%zu].raw_author_name",
		    i);
		if (opt_str(as, "raw_author_name", OA_NAME_MAX, what, &s,
		    err) != 0)
			return -1;
		if (r.name.n == 0)
			r.name = s;
		snprintf(what, sizeof(what), "authorships[%zu].institutions", i);
		if (opt_of(as, "institutions", JSON_ARRAY, what, &insts,
		    err) != 0)
			return -1;
		json_array_foreach(insts, j, inst) {
			if (json_is_null(inst))
				continue;
			snprintf(what, sizeof(what),
			    "authorships[%zu].institutions[%zu]", i, j);
			if (!json_is_object(inst))
				return oa_fail(err, "%s: not an object", what);
			if (inst_fields(inst, what, &x, err) != 0)
				return -1;
			if (r.inst.n == 0)
				r.inst = x.name;
		}
		oa_author_add(w, r);
	}
	return 0;
}

/* "topics" (letter 'T') or "concepts" ('C') into v. */
static int
parse_topics(json_t *root, const char *key, char letter, struct oa_ref **v,
    size_t *nv, size_t *cap, struct buf *err)
{
	json_t *arr, *t;
	struct oa_ref r;
	struct sv s;
	size_t i;
	char what[64];

	if (opt_of(root, key, JSON_ARRAY, key, &arr, err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	if (json_array_size(arr) > OA_TOPICS_MAX)
		return oa_fail(err, "%s: too many (%zu, at most %d)", key,
		    json_array_size(arr), OA_TOPICS_MAX);
	json_array_foreach(arr, i, t) {
		if (json_is_null(t))
			continue;
		if (!json_is_object(t))
			return oa_fail(err, "%s[%zu]: not an object", key, i);
		memset(&r, 0, sizeof(r));
		snprintf(what, sizeof(what), "%s[%zu].id", key, i);
		if (opt_str(t, "id", OA_URL_MAX, what, &s, err) != 0)
			return -1;
		if (s.n == 0)
			continue;
		if (oa_topic_id(s, letter, &r.id, &r.num) != 0)
			return oa_fail(err, "%s: not an OpenAlex %s id", what,
			    letter == 'T' ? "topic" : "concept");
		snprintf(what, sizeof(what), "%s[%zu].display_name", key, i);
		if (opt_str(t, "display_name", OA_NAME_MAX, what, &r.name,
		    err) != 0)
			return -1;
		if (oa_ref_seen(*v, *nv, r.num))
			continue;
		*oa_ref_add(v, nv, cap) = r;
	}
	return 0;
}

/*
 * Rebuilds the abstract from {"word": [positions], ...} in a parsed line
 * (or from that object wrapped as {"IndexLength": N, "InvertedIndex": ...}):
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
	if (idx != NULL && json_object_size(idx) == 2) {
		/* The MAG-era form of 2021's snapshots wraps the index:
		 * {"IndexLength": N, "InvertedIndex": {word: [positions]}}.
		 * A plain index cannot look like it (its values are arrays). */
		json_t *n = json_object_get(idx, "IndexLength"),
		    *inner = json_object_get(idx, "InvertedIndex");

		if (inner != NULL && json_is_object(inner) && n != NULL &&
		    json_is_integer(n) && json_integer_value(n) >= 0)
			idx = inner;
	}
	if (idx == NULL || json_object_size(idx) == 0)
		return 0;
	for (iter = json_object_iter(idx); iter;
	    iter = json_object_iter_next(idx, iter)) {
		word.p = json_object_iter_key(iter);
		word.n = json_object_iter_key_len(iter);
		positions = json_object_iter_value(iter);
		if (word.n > OA_WORD_MAX) {
			oa_fail(err, "abstract_inverted_index: word too long (at "
			    "most %d bytes)", OA_WORD_MAX);
			goto clear;
		}
		if (strlen(word.p) != word.n) {
			oa_fail(err, "abstract_inverted_index: embedded NUL");
			goto clear;
		}
		if (json_is_null(positions))
			continue;
		if (!json_is_array(positions)) {
			oa_fail(err, "abstract_inverted_index: positions not an array");
			goto clear;
		}
		json_array_foreach(positions, i, p) {
			json_int_t pos;

			if (json_is_null(p))
				continue;
			if (!json_is_integer(p)) {
				oa_fail(err, "abstract_inverted_index: position "
				    "not an integer");
				goto clear;
			}
			pos = json_integer_value(p);
			if (pos < 0 || pos >= OA_ABSTRACT_POS) {
				oa_fail(err, "abstract_inverted_index: position "
				    "%lld out of range (0..%d)", (long long)pos,
				    OA_ABSTRACT_POS - 1);
				goto clear;
			}
			oa_place_word(w, word, (size_t)pos, &top);
		}
	}
	return oa_join_words(w, top, err);
clear:
	oa_clear_words(w, top);
	return -1;
}

/*
 * The work's fields from a parsed line (whole or projected; the fast path
 * has rebuilt the abstract already and left it out). 0 or -1.
 */
static int
work_fields(json_t *root, struct oa_work *out, struct buf *err)
{
	json_t *v, *loc, *src;
	int retracted, paratext;

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
			return oa_fail(err, "publication_year: not an integer");
		if (json_integer_value(v) < 1 || json_integer_value(v) > 9999)
			return oa_fail(err, "publication_year: out of range "
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
	    opt_of(root, "host_venue", JSON_OBJECT, "host_venue", &src,
	    err) != 0 ||
	    opt_str(src, "display_name", OA_VENUE_MAX,
	    "host_venue.display_name", &out->host_venue, err) ||
	    opt_of(root, "best_oa_location", JSON_OBJECT, "best_oa_location",
	    &loc, err) != 0 ||
	    opt_str(loc, "pdf_url", OA_URL_MAX, "best_oa_location.pdf_url",
	    &out->best_pdf, err) ||
	    opt_str(loc, "landing_page_url", OA_URL_MAX,
	    "best_oa_location.landing_page_url", &out->best_landing, err) ||
	    opt_of(root, "open_access", JSON_OBJECT, "open_access", &loc,
	    err) != 0 ||
	    opt_str(loc, "oa_url", OA_URL_MAX, "open_access.oa_url",
	    &out->oa_oa_url, err) ||
	    opt_str(root, "publication_date", OA_DATE_MAX, "publication_date",
	    &out->date, err) ||
	    opt_uint(root, "cited_by_count", "cited_by_count", &out->cited,
	    err) != 0 ||
	    opt_bool(root, "is_retracted", "is_retracted", &retracted, err) ||
	    opt_bool(root, "is_paratext", "is_paratext", &paratext, err) ||
	    parse_authorships(root, out, err) != 0 ||
	    parse_topics(root, "topics", 'T', &out->topics, &out->n_topics,
	    &out->cap_topics, err) != 0 ||
	    parse_topics(root, "concepts", 'C', &out->concepts,
	    &out->n_concepts, &out->cap_concepts, err) != 0 ||
	    parse_abstract(root, out, err) != 0)
		return -1;
	out->flags = (retracted ? OA_RETRACTED : 0) |
	    (paratext ? OA_PARATEXT : 0);
	return 0;
}

int
oa_author_ref(const char *line, size_t len, struct oa_author *out,
    struct buf *err)
{
	json_t *root;

	if (load(line, len, &root, err) != 0)
		return -1;
	out->json = root;
	return author_fields(root, out, err);
}

int
oa_work_ref(const char *line, size_t len, struct oa_work *out,
    struct buf *err)
{
	json_t *root;

	if (load(line, len, &root, err) != 0)
		return -1;
	out->json = root;
	return work_fields(root, out, err);
}
