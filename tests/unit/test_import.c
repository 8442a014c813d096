/* test_import.c: the OpenAlex line parsers and bzpeer-import end to end on tests/fixtures/import. */
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "../../fcgi-app/config.h"   /* BZPEER_VERSION */
#include "../../store/openalex.h"
#include "../../store/store.h"
#include "check.h"
#include "test_import_util.h"

#define STR(x) #x
#define XSTR(x) STR(x)

static char *scratch;

static const char *
fx(const char *name)
{
	return path_in(root_path("tests/fixtures/import"), name);
}

/* ---- the parsers, line by line ------------------------------------------ */

static int
work_ok(struct oa_work *w, const char *line)
{
	struct buf err = BUF_INIT;
	int rc = openalex_work_parse(line, strlen(line), w, &err);

	if (rc != 0)
		printf("# unexpected: %s\n", err.p);
	buf_free(&err);
	return rc == 0;
}

/* Whether the line is refused with a reason containing `why`. */
static int
work_bad(const char *line, size_t len, const char *why)
{
	struct oa_work w = OA_WORK_INIT;
	struct buf err = BUF_INIT;
	int ok = openalex_work_parse(line, len, &w, &err) == -1 &&
	    err.p != NULL && strstr(err.p, why) != NULL;

	if (!ok)
		printf("# reason: %s\n", err.p ? err.p : "(none)");
	openalex_work_free(&w);
	buf_free(&err);
	return ok;
}

#define BAD(lit, why) work_bad((lit), sizeof(lit) - 1, (why))

static void
parse_works(void)
{
	struct oa_work w = OA_WORK_INIT;
	struct buf big = BUF_INIT;
	int i;

	/* Full URLs and bare ids; ORCID URLs to bare iDs; the venue. */
	REQUIRE(work_ok(&w, "{\"id\":\"https://openalex.org/W2963403868\","
	    "\"title\":\"T\",\"publication_year\":2021,"
	    "\"primary_location\":{\"source\":{\"display_name\":\"arXiv\"},"
	    "\"landing_page_url\":\"https://arxiv.org/abs/1\"},"
	    "\"authorships\":[{\"author\":{\"id\":\"A5012345678\","
	    "\"display_name\":\"X\",\"orcid\":\"https://orcid.org/"
	    "0000-0002-1825-009X\"}}]}"));
	CHECK(sv_eq_cstr(w.id, "W2963403868") && w.num == 2963403868ULL);
	CHECK(w.year == 2021 && sv_eq_cstr(w.venue, "arXiv"));
	CHECK(sv_eq_cstr(w.landing_url, "https://arxiv.org/abs/1"));
	CHECK(w.n_authors == 1 && sv_eq_cstr(w.authors[0].id, "A5012345678"));
	CHECK(sv_eq_cstr(w.authors[0].orcid, "0000-0002-1825-009X"));

	/* Nulls everywhere: a work with nothing but its id. */
	REQUIRE(work_ok(&w, "{\"id\":\"W5\",\"doi\":null,\"title\":null,"
	    "\"display_name\":null,\"publication_year\":null,\"type\":null,"
	    "\"primary_location\":{\"source\":null,\"landing_page_url\":null},"
	    "\"authorships\":[null,{\"author\":null},{\"author\":{\"id\":null,"
	    "\"display_name\":null,\"orcid\":null}}],\"topics\":[null,"
	    "{\"id\":null}],\"abstract_inverted_index\":{\"a\":null,"
	    "\"b\":[null]}}"));
	CHECK(w.n_authors == 0 && w.n_topics == 0 && w.year == 0);
	CHECK(w.title.n == 0 && w.venue.n == 0 && w.abstract.len == 0);
	REQUIRE(work_ok(&w, "{\"id\":\"W5\",\"primary_location\":null,"
	    "\"authorships\":null,\"topics\":null,"
	    "\"abstract_inverted_index\":null}"));
	CHECK(w.n_authors == 0 && w.abstract.len == 0);

	/* Title falls back to display_name. */
	REQUIRE(work_ok(&w, "{\"id\":\"W5\",\"display_name\":\"D\"}"));
	CHECK(sv_eq_cstr(w.title, "D"));

	/* Abstracts: repeated positions, gaps, nulls, one space between. */
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"be\":[1,null,5],\"To\":[0],\"or\":[2],\"not\":[3],"
	    "\"to\":[4],\"x\":null,\"end.\":[40]}}"));
	CHECK(w.abstract.len == strlen("To be or not to be end.") &&
	    strcmp(w.abstract.p, "To be or not to be end.") == 0);
	/* Two words at one position: the same one whichever comes first. */
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"zebra\":[0],\"apple\":[0,2],\"mid\":[1]}}"));
	CHECK(strcmp(w.abstract.p, "apple mid apple") == 0);
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"apple\":[0,2],\"mid\":[1],\"zebra\":[0]}}"));
	CHECK(strcmp(w.abstract.p, "apple mid apple") == 0);
	/* The last position allowed, and the next line starts clean. */
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"last\":[19999]}}"));
	CHECK(strcmp(w.abstract.p, "last") == 0);
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"first\":[0]}}"));
	CHECK(strcmp(w.abstract.p, "first") == 0);

	/* Hostile strings are kept verbatim; checking is not repairing. */
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"title\":"
	    "\"<script>alert(1)</script> \\\"&'\",\"abstract_inverted_index\""
	    ":{\"<img src=x onerror=alert(1)>\":[0],\"&amp;\":[1]}}"));
	CHECK(sv_eq_cstr(w.title, "<script>alert(1)</script> \"&'"));
	CHECK(strcmp(w.abstract.p, "<img src=x onerror=alert(1)> &amp;") == 0);

	/* The same author or topic twice counts once, in first-seen order. */
	REQUIRE(work_ok(&w, "{\"id\":\"W1\",\"authorships\":["
	    "{\"author\":{\"id\":\"A2\"}},{\"author\":{\"id\":\"A1\"}},"
	    "{\"author\":{\"id\":\"https://openalex.org/A2\"}}],"
	    "\"topics\":[{\"id\":\"T1\"},{\"id\":\"T1\"}]}"));
	CHECK(w.n_authors == 2 && w.authors[0].num == 2 && w.authors[1].num == 1);
	CHECK(w.n_topics == 1);

	/* Refused lines, each with its reason. */
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":{\"w\":[20000]}}",
	    "position 20000 out of range"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"w\":[99999999999]}}", "out of range"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":{\"w\":[-1]}}",
	    "out of range"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":{\"w\":[1.5]}}",
	    "not an integer"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":{\"w\":3}}",
	    "not an array"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":[1]}",
	    "not an object"));
	CHECK(BAD("{\"id\":\"W1\",\"abstract_inverted_index\":"
	    "{\"a\\u0000b\":[0]}}", "NUL"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":\"a\\u0000b\"}", "embedded NUL"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":\"\xff\"}", "invalid JSON"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":\"\xc0\xaf\"}", "invalid JSON"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":\"\xed\xa0\x80\"}", "invalid JSON"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":\"a\nb\"}", "invalid JSON"));
	CHECK(work_bad("{\"id\":\"W1\"}\0", 13, "invalid JSON"));
	CHECK(BAD("{\"id\":\"W1\",\"title\":7}", "title: not a string"));
	CHECK(BAD("{\"id\":\"W1\",\"publication_year\":\"2020\"}",
	    "publication_year: not an integer"));
	CHECK(BAD("{\"id\":\"W1\",\"publication_year\":0}", "out of range"));
	CHECK(BAD("{\"id\":\"W1\",\"publication_year\":10000}", "out of range"));
	CHECK(BAD("{\"title\":\"no id\"}", "id: missing"));
	CHECK(BAD("{\"id\":null}", "id: missing"));
	CHECK(BAD("{\"id\":123}", "id: not a string"));
	CHECK(BAD("{\"id\":\"A1\"}", "not an OpenAlex work id"));
	CHECK(BAD("{\"id\":\"W01\"}", "not an OpenAlex work id"));
	CHECK(BAD("{\"id\":\"https://example.org/W1\"}", "not an OpenAlex"));
	CHECK(BAD("{\"id\":\"https://openalex.org/W1x\"}", "not an OpenAlex"));
	CHECK(BAD("{\"id\":\"W1\",\"authorships\":{}}", "not an array"));
	CHECK(BAD("{\"id\":\"W1\",\"authorships\":[7]}", "not an object"));
	CHECK(BAD("{\"id\":\"W1\",\"authorships\":[{\"author\":{\"id\":"
	    "\"W2\"}}]}", "authorships[0].author.id"));
	CHECK(BAD("{\"id\":\"W1\",\"authorships\":[{\"author\":{\"id\":\"A2\","
	    "\"orcid\":\"0000-0002-1825-00\"}}]}", "not an ORCID"));
	CHECK(BAD("{\"id\":\"W1\",\"topics\":[{\"id\":\"C12\"}]}",
	    "not an OpenAlex topic id"));
	CHECK(BAD("{\"id\":\"W1\",\"primary_location\":[]}", "not an object"));
	CHECK(BAD("{\"id\":\"W1\",\"primary_location\":{\"source\":{"
	    "\"display_name\":false}}}", "source.display_name"));
	CHECK(BAD("[1,2]", "not a JSON object"));
	CHECK(BAD("\"W1\"", "invalid JSON"));
	CHECK(BAD("{\"id\":\"W1\"} x", "invalid JSON"));
	CHECK(BAD("", "invalid JSON"));

	/* Overlong fields and lists. */
	buf_puts(&big, "{\"id\":\"W1\",\"title\":\"");
	for (i = 0; i < OA_TITLE_MAX + 1; i++)
		buf_putc(&big, 'x');
	buf_puts(&big, "\"}");
	CHECK(work_bad(big.p, big.len, "title: too long"));
	buf_reset(&big);
	buf_puts(&big, "{\"id\":\"W1\",\"authorships\":[");
	for (i = 0; i <= OA_AUTHORS_MAX; i++)
		buf_puts(&big, i ? ",null" : "null");
	buf_puts(&big, "]}");
	CHECK(work_bad(big.p, big.len, "authorships: too many"));
	/* Many words at many positions: the abstract is bounded too. */
	buf_reset(&big);
	buf_puts(&big, "{\"id\":\"W1\",\"abstract_inverted_index\":{\"");
	for (i = 0; i < 1000; i++)
		buf_putc(&big, 'w');
	buf_puts(&big, "\":[");
	for (i = 0; i < 19999; i++) {
		buf_putu64(&big, (uint64_t)i);
		buf_putc(&big, ',');
	}
	buf_puts(&big, "19999]}}");
	CHECK(work_bad(big.p, big.len, "abstract too long"));

	buf_free(&big);
	openalex_work_free(&w);
}

static void
parse_authors(void)
{
	struct oa_author a = OA_AUTHOR_INIT;
	struct buf err = BUF_INIT;
	const char *l;

	l = "{\"id\":\"https://openalex.org/A1\",\"display_name\":\"Ann\","
	    "\"orcid\":\"https://orcid.org/0000-0002-1825-0097\","
	    "\"last_known_institutions\":[{\"display_name\":\"Uni A\"},"
	    "{\"display_name\":\"Uni B\"}]}";
	REQUIRE(openalex_author_parse(l, strlen(l), &a, &err) == 0);
	CHECK(sv_eq_cstr(a.a.id, "A1") && a.a.num == 1);
	CHECK(sv_eq_cstr(a.a.orcid, "0000-0002-1825-0097"));
	CHECK(sv_eq_cstr(a.institution, "Uni A"));
	/* The older single field. */
	l = "{\"id\":\"A2\",\"last_known_institution\":{\"display_name\":\"Old\"}}";
	REQUIRE(openalex_author_parse(l, strlen(l), &a, &err) == 0);
	CHECK(sv_eq_cstr(a.institution, "Old") && a.a.name.n == 0);
	l = "{\"id\":\"A2\",\"last_known_institutions\":[],"
	    "\"last_known_institution\":{\"display_name\":\"Old\"}}";
	REQUIRE(openalex_author_parse(l, strlen(l), &a, &err) == 0);
	CHECK(sv_eq_cstr(a.institution, "Old"));
	l = "{\"id\":\"A2\",\"last_known_institutions\":[null]}";
	REQUIRE(openalex_author_parse(l, strlen(l), &a, &err) == 0);
	CHECK(a.institution.n == 0);
	l = "{\"id\":\"A2\",\"last_known_institutions\":[7]}";
	CHECK(openalex_author_parse(l, strlen(l), &a, &err) == -1 &&
	    strstr(err.p, "not an object") != NULL);
	l = "{\"id\":\"W2\"}";
	CHECK(openalex_author_parse(l, strlen(l), &a, &err) == -1 &&
	    strstr(err.p, "not an OpenAlex author id") != NULL);
	l = "{\"id\":\"A2\",\"orcid\":\"orcid\"}";
	CHECK(openalex_author_parse(l, strlen(l), &a, &err) == -1 &&
	    strstr(err.p, "orcid") != NULL);
	l = "{\"id\":\"A2\",\"display_name\":[\"x\"]}";
	CHECK(openalex_author_parse(l, strlen(l), &a, &err) == -1 &&
	    strstr(err.p, "display_name: not a string") != NULL);
	openalex_author_free(&a);
	buf_free(&err);
}

/* ---- the fast path against the reference ---------------------------------------- */

/* Parses line both ways; 1 when the results (or the reasons) agree. */
static int
same_work(const char *line, size_t len, int *accepted)
{
	static struct oa_work f = OA_WORK_INIT, r = OA_WORK_INIT;
	static struct buf ef = BUF_INIT, er = BUF_INIT;
	int rf = openalex_work_parse(line, len, &f, &ef);
	int rr = openalex_work_parse_ref(line, len, &r, &er);

	if (line == NULL) {           /* release */
		openalex_work_free(&f);
		openalex_work_free(&r);
		buf_free(&ef);
		buf_free(&er);
		return 1;
	}
	*accepted = rr == 0;
	if (rf != rr)
		return 0;
	if (rr != 0)
		return strcmp(ef.p, er.p) == 0;
	return openalex_work_same(&f, &r);
}

static int
same_author(const char *line, size_t len, int *accepted)
{
	static struct oa_author f = OA_AUTHOR_INIT, r = OA_AUTHOR_INIT;
	static struct buf ef = BUF_INIT, er = BUF_INIT;
	int rf, rr;

	if (line == NULL) {
		openalex_author_free(&f);
		openalex_author_free(&r);
		buf_free(&ef);
		buf_free(&er);
		return 1;
	}
	rf = openalex_author_parse(line, len, &f, &ef);
	rr = openalex_author_parse_ref(line, len, &r, &er);
	*accepted = rr == 0;
	if (rf != rr)
		return 0;
	if (rr != 0)
		return strcmp(ef.p, er.p) == 0;
	return openalex_author_same(&f, &r);
}

/* Splits the file's lines into b (NUL-separated) and returns how many. */
static size_t
lines_of(const char *path, struct buf *b, const char ***v)
{
	size_t n = 0, i;
	char *p;

	REQUIRE(slurp(path, b) == 0);
	*v = NULL;
	for (p = b->p, i = 0; i < b->len; i++)
		if (b->p[i] == '\n') {
			b->p[i] = '\0';
			*v = xrealloc(*v, (n + 1) * sizeof(**v));
			(*v)[n++] = p;
			p = b->p + i + 1;
		}
	return n;
}

/*
 * Every fixture and sample line, and thousands of mutations of them
 * (bytes that matter to JSON, escapes, UTF-8 pieces, cuts), give the same
 * struct or the same reason both ways.
 */
static void
fast_equals_reference(void)
{
	static const char *const bits[] = {
		"\"", "\\", "{", "}", "[", "]", ",", ":", "0", "-", "1e400",
		"99999999999999999999", "null", "nul", "true", "\\u0000",
		"\\ud800", "\\udc00x", "\\ud83d\\ude00", "\\u00e9", "\\x",
		"\x01", "\x7f", "\xc3", "\xc3\xa9", "\xed\xa0\x80", "\xff",
		"\xf4\x90\x80\x80", " ", "\t", "1.5", "-1", "20000", "\"a\":1",
		"\"abstract_inverted_index\":{\"x\":[0]}", "\"id\":\"W9\"",
		"\"author\":null", "{\"w\":[1]}",
	};
	static const char *const files[] = {
		"tests/fixtures/import/works.jsonl",
		"tests/fixtures/import/works-v2.jsonl",
		"store/sample/works.jsonl",
		"tests/fixtures/openalex/works-2021.jsonl",
		"tests/fixtures/openalex/works-2022.jsonl",
		"tests/fixtures/openalex/works-2023.jsonl",
		"tests/fixtures/openalex/works-2025.jsonl",
		"tests/fixtures/openalex/works-2026.jsonl",
		"tests/fixtures/import/authors.jsonl",
		"tests/fixtures/import/authors-v2.jsonl",
		"store/sample/authors.jsonl",
		"tests/fixtures/names/authors.jsonl",
		"tests/fixtures/openalex/authors-2022.jsonl",
		"tests/fixtures/openalex/authors-2023.jsonl",
		"tests/fixtures/openalex/authors-2025.jsonl",
		"tests/fixtures/openalex/authors-2026.jsonl",
	};
	struct buf all = BUF_INIT, m = BUF_INIT;
	struct oa_work fw = OA_WORK_INIT;
	struct oa_author fa = OA_AUTHOR_INIT;
	const char **v;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t f, n, i, k, agree = 0, total = 0, accepted = 0, sample = 0;
	size_t sample_fast = 0;
	int acc;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		int works = f < 8;

		n = lines_of(root_path(files[f]), &all, &v);
		for (i = 0; i < n; i++) {
			/* The sample's lines (the common shape) take the fast way. */
			if (strstr(files[f], "sample/") != NULL) {
				sample++;
				sample_fast += (works ?
				    openalex_work_parse_fast(v[i], strlen(v[i]),
				    &fw) : openalex_author_parse_fast(v[i],
				    strlen(v[i]), &fa)) == 0;
			}
			total++;
			if ((works ? same_work : same_author)(v[i], strlen(v[i]),
			    &acc))
				agree++;
			else
				printf("# differs: %s line %zu\n", files[f], i + 1);
		}
		/* Mutations: 1 to 3 edits of a random line each. */
		for (k = 0; n > 0 && k < (works ? 3000u : 800u); k++) {
			const char *src;
			size_t len, e, edits;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			src = v[(seed >> 33) % n];
			len = strlen(src);
			buf_reset(&m);
			buf_put(&m, src, len);
			edits = 1 + (seed >> 20) % 3;
			for (e = 0; e < edits && m.len > 0; e++) {
				size_t at, cut;
				const char *b;

				seed = seed * 6364136223846793005ULL +
				    1442695040888963407ULL;
				at = (seed >> 33) % m.len;
				b = bits[(seed >> 13) %
				    (sizeof(bits) / sizeof(bits[0]))];
				switch ((seed >> 8) % 4) {
				case 0:        /* replace one byte */
					cut = 1;
					break;
				case 1:        /* insert */
					cut = 0;
					break;
				case 2:        /* delete a few bytes */
					cut = 1 + (seed >> 40) % 8;
					b = "";
					break;
				default:       /* cut the line short */
					cut = m.len - at;
					b = "";
					break;
				}
				if (at + cut > m.len)
					cut = m.len - at;
				{
					struct buf t = BUF_INIT;

					buf_put(&t, m.p, at);
					buf_puts(&t, b);
					buf_put(&t, m.p + at + cut, m.len - at - cut);
					buf_reset(&m);
					buf_put(&m, t.p, t.len);
					buf_free(&t);
				}
			}
			total++;
			if ((works ? same_work : same_author)(m.p, m.len, &acc)) {
				agree++;
				accepted += acc;
			} else
				printf("# differs: mutation of %s: %.*s\n",
				    files[f], (int)(m.len > 300 ? 300 : m.len), m.p);
		}
		free(v);
	}
	printf("# %zu lines, %zu of the mutations still accepted\n", total,
	    accepted);
	CHECK(agree == total && total > 7000);
	CHECK(accepted > 100);          /* the mutations reach the fast path */
	printf("# %zu of %zu sample lines taken the fast way\n", sample_fast,
	    sample);
	CHECK(sample > 20 && sample_fast == sample);
	openalex_work_free(&fw);
	openalex_author_free(&fa);
	(void)same_work(NULL, 0, &acc);
	(void)same_author(NULL, 0, &acc);
	buf_free(&all);
	buf_free(&m);
}

/* ---- reading the imported store --------------------------------------------- */

static int
collect_work(void *ctx, const struct store_work *w)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, w->id.p, w->id.n);
	return 0;
}

static int
collect_coauthor(void *ctx, const struct store_coauthor *c)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, c->r.id.p, c->r.id.n);
	buf_putc(b, ':');
	buf_putu64(b, c->shared);
	return 0;
}

static int
collect_topic(void *ctx, const struct store_topic_count *tc)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, tc->topic.id.p, tc->topic.id.n);
	buf_putc(b, ':');
	buf_putu64(b, tc->works);
	return 0;
}

static int
collect_researcher(void *ctx, const struct store_researcher *r)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, r->id.p, r->id.n);
	return 0;
}

static int
stop_at_first(void *ctx, const struct store_work *w)
{
	(void)w;
	++*(int *)ctx;
	return 42;
}

/* A walker's answer comes back as it is, even one that looks like "the end". */
static int
answer_notfound(void *ctx, const struct store_coauthor *c)
{
	(void)ctx;
	(void)c;
	return STORE_NOTFOUND;
}

static int
is(const struct buf *b, const char *want)
{
	int ok = sv_eq((struct sv){ b->p, b->len }, sv_cstr(want));

	if (!ok)
		printf("# got \"%.*s\", want \"%s\"\n", (int)b->len,
		    b->p ? b->p : "", want);
	return ok;
}

/* Runs a name search and returns the ids found and the total. */
static int
search(struct store_rtxn *t, const char *q, size_t skip, size_t limit,
    const char *want, size_t want_total)
{
	struct buf b = BUF_INIT;
	size_t total = 99;
	int ok;

	ok = store_researchers_by_name(t, sv_cstr(q), skip, limit, &total,
	    collect_researcher, &b) == 0 && is(&b, want) && total == want_total;
	if (!ok)
		printf("# search \"%s\": total %zu\n", q, total);
	buf_free(&b);
	return ok;
}

static void
check_fixture_store(const char *store)
{
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct store_work w;
	struct buf b = BUF_INIT;
	uint64_t n;
	int calls = 0;

	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 1);
	CHECK(store_generation_time(t) <= (uint64_t)time(NULL) &&
	    store_generation_time(t) + 600 > (uint64_t)time(NULL));
	CHECK(store_txn_id(t) >= 2);    /* creation, then the import */

	/* A101: 4 works, 3 co-authors of whom 2 close, 3 topics. */
	REQUIRE(store_researcher_by_slug(t, SV_LIT("gregoire-le"), &r) == 0);
	CHECK(sv_eq_cstr(r.id, "A101") && sv_eq_cstr(r.name, "Grégoire Lé"));
	CHECK(sv_eq_cstr(r.orcid, "0000-0002-1825-0097"));
	CHECK(sv_eq_cstr(r.institution, "Université Paris-Saclay"));
	CHECK(r.works == 4 && r.coauthors == 3 && r.close_collaborators == 2);
	CHECK(r.topics == 3 && r.first_year == 2020 && r.last_year == 2022);
	CHECK(r.version == 1 && r.claim == STORE_CLAIM_NONE);
	CHECK(store_level(&r) == 1 && store_trust(&r) == 10 + 2 + 2 + 0);
	/* Works newest first; a work without a year comes last. */
	CHECK(store_researcher_works(t, r.id, 0, 0, collect_work, &b) == 0 &&
	    is(&b, "W2 W3 W1 W4"));
	buf_reset(&b);
	CHECK(store_researcher_works(t, r.id, 1, 2, collect_work, &b) == 0 &&
	    is(&b, "W3 W1"));
	buf_reset(&b);
	CHECK(store_researcher_works(t, r.id, 9, 0, collect_work, &b) == 0 &&
	    b.len == 0);
	CHECK(store_researcher_works(t, r.id, 0, 0, stop_at_first, &calls) ==
	    42 && calls == 1);
	CHECK(store_researcher_coauthors(t, r.id, 0, answer_notfound, NULL) ==
	    STORE_NOTFOUND);
	CHECK(store_researcher_works(t, SV_LIT("A999999"), 0, 0, stop_at_first,
	    &calls) == 0 && calls == 1);
	buf_reset(&b);
	CHECK(store_researcher_coauthors(t, r.id, 0, collect_coauthor, &b) ==
	    0 && is(&b, "A102:2 A106:2 A103:1"));
	buf_reset(&b);
	CHECK(store_researcher_coauthors(t, r.id, 1, collect_coauthor, &b) ==
	    0 && is(&b, "A102:2"));
	buf_reset(&b);
	CHECK(store_researcher_topics(t, r.id, 0, collect_topic, &b) == 0 &&
	    is(&b, "T1:2 T2:1 T3:1"));
	CHECK(store_followers(t, r.id, &n) == 0 && n == 0);

	/* Same names: most works first, then lowest id. */
	CHECK(store_researcher_by_slug(t, SV_LIT("john-smith"), &r) == 0 &&
	    sv_eq_cstr(r.id, "A103") && r.works == 3);
	CHECK(store_researcher_by_slug(t, SV_LIT("john-smith-2"), &r) == 0 &&
	    sv_eq_cstr(r.id, "A102") && r.works == 2);
	CHECK(sv_eq_cstr(r.institution, "Old University"));
	CHECK(store_researcher_by_slug(t, SV_LIT("john-smith-3"), &r) == 0 &&
	    sv_eq_cstr(r.id, "A199") && r.works == 1);
	/* Created from an authorship alone, with its name as written. */
	CHECK(sv_eq_cstr(r.name, "JOHN SMITH") && r.institution.n == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A106"), &r) == 0 &&
	    sv_eq_cstr(r.name, "Zoë Ångström") &&
	    sv_eq_cstr(r.slug, "zoe-angstrom") &&
	    sv_eq_cstr(r.orcid, "0000-0003-1415-9269") && r.works == 2 &&
	    r.close_collaborators == 1);
	/* Duplicated authorship and topic count once. */
	CHECK(store_researcher_by_id(t, SV_LIT("A103"), &r) == 0 &&
	    r.topics == 1 && r.coauthors == 3);
	/* Hostile strings verbatim. */
	CHECK(store_researcher_by_id(t, SV_LIT("A104"), &r) == 0 &&
	    sv_eq_cstr(r.name, "<script>alert(1)</script>") &&
	    sv_eq_cstr(r.institution, "\"&' Institute") &&
	    sv_eq_cstr(r.slug, "script-alert-1-script"));
	CHECK(store_work_by_id(t, SV_LIT("W2"), &w) == 0 &&
	    sv_eq_cstr(w.title, "Second \"&' <b>work</b>"));
	/* Abstracts rebuilt; one word per position, the same either order. */
	CHECK(store_work_by_id(t, SV_LIT("W1"), &w) == 0 &&
	    sv_eq_cstr(w.abstract, "To be or not to be") &&
	    sv_eq_cstr(w.venue, "Journal of Tests") && w.n_authors == 3);
	CHECK(store_work_by_id(t, SV_LIT("W3"), &w) == 0 &&
	    sv_eq_cstr(w.abstract, "apple end"));
	CHECK(store_work_by_id(t, SV_LIT("W8"), &w) == 0 &&
	    sv_eq_cstr(w.abstract, "apple"));
	CHECK(store_work_by_id(t, SV_LIT("W5"), &w) == 0 &&
	    sv_eq_cstr(w.title, "Display Title Fallback") && w.n_authors == 0);
	CHECK(store_work_by_id(t, SV_LIT("W20"), &w) == 0 &&
	    sv_eq_cstr(w.title, "Carriage return line") && w.year == 2024);
	/* No name: the fallback slug; no works: L0, "New". */
	CHECK(store_researcher_by_slug(t, SV_LIT("researcher"), &r) == 0 &&
	    sv_eq_cstr(r.id, "A105") && r.name.n == 0);
	CHECK(store_researcher_by_slug(t, SV_LIT("orsted-aebelo"), &r) == 0 &&
	    store_level(&r) == 0 &&
	    strcmp(store_trust_band(store_trust(&r)), "New") == 0);
	/* Bad lines left nothing behind. */
	CHECK(store_work_by_id(t, SV_LIT("W9"), &w) == STORE_NOTFOUND);
	CHECK(store_work_by_id(t, SV_LIT("W12"), &w) == STORE_NOTFOUND);
	CHECK(store_researcher_by_id(t, SV_LIT("A1"), &r) == STORE_NOTFOUND);
	CHECK(store_researcher_by_slug(t, SV_LIT("nobody"), &r) ==
	    STORE_NOTFOUND);
	CHECK(store_researcher_by_id(t, SV_LIT(""), &r) == STORE_NOTFOUND);

	/* Name search: prefix, accent- and case-insensitive; equal matches
	 * most works first (A103 3, A102 2, A199 1). */
	CHECK(search(t, "gregoire", 0, 0, "A101", 1));
	CHECK(search(t, "GRÉG", 0, 10, "A101", 1));
	CHECK(search(t, "  Grégoire   l", 0, 10, "A101", 1));
	CHECK(search(t, "john", 0, 0, "A103 A102 A199", 3));
	CHECK(search(t, "john smith", 1, 1, "A102", 3));
	CHECK(search(t, "smith", 0, 0, "A103 A102 A199", 3));
	CHECK(search(t, "SMITH j", 0, 0, "A103 A102 A199", 3));
	CHECK(search(t, "smith john john", 0, 0, "", 0));
	CHECK(search(t, "zoe", 0, 0, "A106", 1));
	CHECK(search(t, "ØRS", 0, 0, "A108", 1));
	CHECK(search(t, "<script", 0, 0, "A104", 1));
	CHECK(search(t, "nomatch", 0, 0, "", 0));
	CHECK(search(t, "", 0, 3, "A105 A104 A101", 8));
	CHECK(search(t, "", 7, 0, "A106", 8));
	buf_reset(&b);
	CHECK(store_researchers_by_name(t, SV_LIT("j"), 0, 2, NULL,
	    collect_researcher, &b) == 0 && is(&b, "A103 A102"));

	store_read_end(t);
	store_close(s);
	buf_free(&b);
}

/* ---- end to end ----------------------------------------------------------------- */

static void
fixture_import(void)
{
	const char *store = path_in(scratch, "fixture");
	const char *out = path_in(scratch, "out"), *err = path_in(scratch, "err");
	struct buf b = BUF_INIT;

	REQUIRE(run(out, err, bin("bzpeer-import"), "--store", store,
	    "--authors", fx("authors.jsonl"), "--works", fx("works.jsonl"),
	    NULL) == 0);
	REQUIRE(slurp(out, &b) == 0);
	CHECK(b.len > 0 && strstr(b.p, "bzpeer-import: 6 authors, 9 works, "
	    "13 bad lines, generation 1 (") == b.p);
	CHECK(b.len > 0 && b.p[b.len - 1] == '\n' &&
	    memchr(b.p, '\n', b.len) == b.p + b.len - 1);
	REQUIRE(slurp(err, &b) == 0);
	/* Every bad line named as file:line: reason. */
	CHECK(has(&b, "authors.jsonl:6: invalid JSON"));
	CHECK(has(&b, "authors.jsonl:7: id: not an OpenAlex author id"));
	CHECK(has(&b, "works.jsonl:9: abstract_inverted_index: position 20000 "
	    "out of range"));
	CHECK(has(&b, "works.jsonl:10: publication_year: not an integer"));
	CHECK(has(&b, "works.jsonl:11: id: missing"));
	CHECK(has(&b, "works.jsonl:12: title: embedded NUL"));
	CHECK(has(&b, "works.jsonl:13: invalid JSON"));
	CHECK(has(&b, "works.jsonl:14: authorships: not an array"));
	CHECK(has(&b, "works.jsonl:15: authorships[0].author.id"));
	CHECK(has(&b, "works.jsonl:16: not a JSON object"));
	CHECK(has(&b, "works.jsonl:17: invalid JSON"));
	CHECK(has(&b, "works.jsonl:18: abstract_inverted_index: position -1"));
	CHECK(has(&b, "works.jsonl:19: authorships[0].author.orcid"));
	CHECK(!has(&b, "works.jsonl:20:") && !has(&b, "authors.jsonl:8:"));
	/* Nothing of the input is echoed raw. */
	CHECK(memchr(b.p, 0xff, b.len) == NULL);
	check_fixture_store(store);
	buf_free(&b);
}

/* When researcher id last changed (its record's time), or 0. */
static uint64_t
changed_of(const char *store, const char *id)
{
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	uint64_t c = 0;

	if (store_open(store, STORE_RDONLY, &s) != 0)
		return 0;
	if (store_read_begin(s, &t) == 0) {
		if (store_researcher_by_id(t, sv_cstr(id), &r) == 0)
			c = r.changed;
		store_read_end(t);
	}
	store_close(s);
	return c;
}

static uint64_t changed_a101, changed_a199;

/* The same files again: the same store, one generation on; a second
 * later, so that a change time that moved would show. */
static void
reimport(void)
{
	const char *a = path_in(scratch, "fixture"), *out = path_in(scratch, "out");
	struct buf before = BUF_INIT, after = BUF_INIT, b = BUF_INIT;

	changed_a101 = changed_of(a, "A101");
	changed_a199 = changed_of(a, "A199");
	CHECK(changed_a101 > 0 && changed_a199 > 0);
	sleep(1);
	REQUIRE(dump_store(a, scratch, 1, &before) == 0);
	CHECK(has(&before, "\nresearchers A101 ") &&
	    has(&before, "\nrworks A101 2022 W2\n"));
	REQUIRE(run(out, NULL, bin("bzpeer-import"), "--store", a, "--authors",
	    fx("authors.jsonl"), "--works", fx("works.jsonl"), NULL) == 0);
	REQUIRE(slurp(out, &b) == 0);
	CHECK(has(&b, "generation 2 ("));
	REQUIRE(dump_store(a, scratch, 1, &after) == 0);
	CHECK(before.len > 1000 && before.len == after.len &&
	    memcmp(before.p, after.p, before.len) == 0);
	REQUIRE(dump_store(a, scratch, 0, &after) == 0);
	CHECK(has(&after, "meta generation 2\n"));
	CHECK(changed_of(a, "A101") == changed_a101);
	CHECK(changed_of(a, "A199") == changed_a199);
	buf_free(&before);
	buf_free(&after);
	buf_free(&b);
}

/*
 * A re-imported work that lost an author takes the edge with it; a work
 * that gained a year moves to the top; figures and versions follow;
 * slugs stay. A renamed author moves in the name index, keeps the slug.
 */
static void
changes(void)
{
	const char *store = path_in(scratch, "fixture");
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct buf b = BUF_INIT, d = BUF_INIT;

	sleep(1);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--works", fx("works-v2.jsonl"), NULL) == 0);
	/* Their works changed: the time moves; an untouched one's stays. */
	CHECK(changed_of(store, "A101") > changed_a101);
	CHECK(changed_of(store, "A199") == changed_a199);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 3);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A102"), &r) == 0);
	CHECK(r.works == 1 && r.close_collaborators == 0 && r.coauthors == 1);
	CHECK(r.version == 2 && sv_eq_cstr(r.slug, "john-smith-2"));
	CHECK(store_researcher_works(t, r.id, 0, 0, collect_work, &b) == 0 &&
	    is(&b, "W2"));
	REQUIRE(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0);
	CHECK(r.works == 4 && r.close_collaborators == 1 && r.version == 2);
	CHECK(r.first_year == 2020 && r.last_year == 2023);
	buf_reset(&b);
	CHECK(store_researcher_works(t, r.id, 0, 0, collect_work, &b) == 0 &&
	    is(&b, "W4 W2 W3 W1"));
	buf_reset(&b);
	CHECK(store_researcher_coauthors(t, r.id, 0, collect_coauthor, &b) ==
	    0 && is(&b, "A106:2 A102:1 A103:1"));
	/* Untouched researchers keep their version. */
	CHECK(store_researcher_by_id(t, SV_LIT("A199"), &r) == 0 &&
	    r.version == 1);
	store_read_end(t);
	store_close(s);
	REQUIRE(dump_store(store, scratch, 1, &d) == 0);
	CHECK(!has(&d, "rworks A102 2020 W1"));
	CHECK(!has(&d, "rworks A101 0 W4") && has(&d, "rworks A101 2023 W4"));

	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--authors", fx("authors-v2.jsonl"), NULL) == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(search(t, "zoe angstrom-", 0, 0, "A106", 1));
	CHECK(search(t, "zoe angstrom", 0, 0, "A106", 1));
	REQUIRE(store_researcher_by_slug(t, SV_LIT("zoe-angstrom"), &r) == 0);
	CHECK(sv_eq_cstr(r.name, "Zoe Angstrom-Berg") && r.works == 2);
	store_read_end(t);
	store_close(s);
	REQUIRE(dump_store(store, scratch, 1, &d) == 0);
	CHECK(!has(&d, "names \"zoe angstrom\" A106"));
	CHECK(has(&d, "names \"zoe angstrom-berg\" A106"));
	buf_free(&b);
	buf_free(&d);
}

/* --strict: the first bad line fails the import and writes nothing. */
static void
strict(void)
{
	const char *store = path_in(scratch, "fixture");
	const char *fresh = path_in(scratch, "strict-fresh");
	const char *err = path_in(scratch, "err");
	struct buf before = BUF_INIT, after = BUF_INIT, b = BUF_INIT;
	struct store *s;

	REQUIRE(dump_store(store, scratch, 0, &before) == 0);
	CHECK(run(NULL, err, bin("bzpeer-import"), "--store", store,
	    "--strict", "--authors", fx("authors-v2.jsonl"), "--authors",
	    fx("authors.jsonl"), "--works", fx("works.jsonl"), NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "authors.jsonl:6: invalid JSON"));
	CHECK(!has(&b, "authors.jsonl:7:"));
	CHECK(has(&b, "--strict"));
	REQUIRE(dump_store(store, scratch, 0, &after) == 0);
	CHECK(before.len == after.len &&
	    memcmp(before.p, after.p, before.len) == 0);

	/* A first import that fails leaves no catalog at all. */
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", fresh,
	    "--strict", "--works", fx("works.jsonl"), NULL) == 1);
	CHECK(store_open(fresh, STORE_RDONLY, &s) == STORE_EMPTY);
	REQUIRE(dump_store(fresh, scratch, 1, &after) == 0);
	/* The schema twice: the catalog's, then user data's. */
	CHECK(is(&after, "meta program \"bzpeer-import " BZPEER_VERSION "\"\n"
	    "meta schema " XSTR(STORE_SCHEMA_VERSION) "\n"
	    "meta schema " XSTR(STORE_SCHEMA_VERSION) "\n"));
	/* Good files pass --strict. */
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", fresh,
	    "--strict", "--works", fx("works-v2.jsonl"), NULL) == 0);
	buf_free(&before);
	buf_free(&after);
	buf_free(&b);
}

/* Writes src gzipped to dst; with cut, only the first cut bytes of it. */
static void
gzip_file(const char *src, const char *dst, size_t cut)
{
	struct buf b = BUF_INIT;
	gzFile z;

	REQUIRE(slurp(src, &b) == 0);
	REQUIRE((z = gzopen(dst, "wb")) != NULL);
	REQUIRE(gzwrite(z, b.p, (unsigned)b.len) == (int)b.len);
	REQUIRE(gzclose(z) == Z_OK);
	if (cut) {
		REQUIRE(slurp(dst, &b) == 0);
		REQUIRE(b.len > cut);
		spit(dst, b.p, cut);
	}
	buf_free(&b);
}

static void
gz_input(void)
{
	const char *plain = path_in(scratch, "gz-plain");
	const char *gz = path_in(scratch, "gz-store");
	const char *wgz = path_in(scratch, "works.jsonl.gz");
	const char *agz = path_in(scratch, "authors.jsonl.gz");
	const char *cut = path_in(scratch, "cut.jsonl.gz");
	const char *err = path_in(scratch, "err");
	struct buf a = BUF_INIT, b = BUF_INIT;

	gzip_file(fx("works.jsonl"), wgz, 0);
	gzip_file(fx("authors.jsonl"), agz, 0);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", plain,
	    "--authors", fx("authors.jsonl"), "--works", fx("works.jsonl"),
	    NULL) == 0);
	REQUIRE(run(NULL, err, bin("bzpeer-import"), "--store", gz,
	    "--authors", agz, "--works", wgz, NULL) == 0);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "works.jsonl.gz:9: abstract_inverted_index"));
	REQUIRE(dump_store(plain, scratch, 1, &a) == 0);
	REQUIRE(dump_store(gz, scratch, 1, &b) == 0);
	CHECK(a.len > 1000 && a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	REQUIRE(dump_store(gz, scratch, 0, &b) == 0);

	/* A truncated .gz is an error, not a short file: nothing written. */
	gzip_file(fx("works.jsonl"), cut, 300);
	CHECK(run(NULL, err, bin("bzpeer-import"), "--store", gz, "--works",
	    cut, NULL) == 1);
	REQUIRE(slurp(err, &a) == 0);
	CHECK(has(&a, "cut.jsonl.gz: read error"));
	CHECK(has(&a, "store is unchanged"));
	REQUIRE(dump_store(gz, scratch, 0, &a) == 0);
	CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	buf_free(&a);
	buf_free(&b);
}

/* A line past 16 MiB is one bad line; the next line reads fine. */
static void
long_line(void)
{
	const char *file = path_in(scratch, "long.jsonl");
	const char *store = path_in(scratch, "long-store");
	const char *out = path_in(scratch, "out"), *err = path_in(scratch, "err");
	struct buf b = BUF_INIT;
	size_t n = OA_LINE_MAX + 100;

	buf_puts(&b, "{\"id\":\"W1\",\"title\":\"");
	buf_reserve(&b, n);
	memset(b.p + b.len, 'x', n);
	b.len += n;
	buf_puts(&b, "\"}\n{\"id\":\"W2\",\"title\":\"after\"}\n");
	spit(file, b.p, b.len);
	REQUIRE(run(out, err, bin("bzpeer-import"), "--store", store,
	    "--works", file, NULL) == 0);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "long.jsonl:1: line too long"));
	REQUIRE(slurp(out, &b) == 0);
	CHECK(has(&b, " 1 works, 1 bad lines,"));
	REQUIRE(dump_store(store, scratch, 0, &b) == 0);
	CHECK(has(&b, "works W2 ") && !has(&b, "works W1 "));
	(void)remove(file);
	buf_free(&b);
}

/*
 * Parser threads change nothing: the same store, the same messages in the
 * same order, with none, one or many (batches of 64 lines; 300 lines here).
 */
static void
threads(void)
{
	const char *many = path_in(scratch, "many.jsonl");
	const char *err0 = path_in(scratch, "err0"), *err5 = path_in(scratch, "err5");
	struct buf b = BUF_INIT, a0 = BUF_INIT, a5 = BUF_INIT;
	int i;

	REQUIRE(slurp(fx("works.jsonl"), &a0) == 0);
	for (i = 0; i < 16; i++)
		buf_put(&b, a0.p, a0.len);     /* 320 lines, 176 of them bad */
	spit(many, b.p, b.len);
	REQUIRE(run(NULL, err0, bin("bzpeer-import"), "--store",
	    path_in(scratch, "t0"), "--threads", "0", "--authors",
	    fx("authors.jsonl"), "--works", many, NULL) == 0);
	REQUIRE(run(NULL, err5, bin("bzpeer-import"), "--store",
	    path_in(scratch, "t5"), "--threads", "5", "--authors",
	    fx("authors.jsonl"), "--works", many, NULL) == 0);
	REQUIRE(slurp(err0, &a0) == 0 && slurp(err5, &a5) == 0);
	CHECK(has(&a0, "many.jsonl:309: abstract_inverted_index"));
	CHECK(a0.len > 0 && a0.len == a5.len && memcmp(a0.p, a5.p, a0.len) == 0);
	REQUIRE(dump_store(path_in(scratch, "t0"), scratch, 1, &a0) == 0);
	REQUIRE(dump_store(path_in(scratch, "t5"), scratch, 1, &a5) == 0);
	CHECK(a0.len > 1000 && a0.len == a5.len &&
	    memcmp(a0.p, a5.p, a0.len) == 0);
	/* --strict stops at the same first bad line. */
	CHECK(run(NULL, err5, bin("bzpeer-import"), "--store",
	    path_in(scratch, "t5"), "--threads", "5", "--strict", "--works",
	    many, NULL) == 1);
	REQUIRE(slurp(err5, &a5) == 0);
	CHECK(has(&a5, "many.jsonl:9: ") && !has(&a5, "many.jsonl:10: "));
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store",
	    path_in(scratch, "t5"), "--threads", "x", "--works", many, NULL)
	    == 2);
	buf_free(&b);
	buf_free(&a0);
	buf_free(&a5);
}

/*
 * The reader thread and any number of parser threads give the store that
 * parsing in place gives, from .gz input too, over many batches; keys that
 * come in order (appended) and then out of order (a plain put) both land.
 */
static void
threads_gz_and_order(void)
{
	const char *plain = path_in(scratch, "order.jsonl");
	const char *gz = path_in(scratch, "order.jsonl.gz");
	const char *err1 = path_in(scratch, "order-err1");
	const char *err3 = path_in(scratch, "order-err3");
	struct buf b = BUF_INIT, d0 = BUF_INIT, d = BUF_INIT, e = BUF_INIT;
	static const char *const threads_n[] = { "1", "2", "3" };
	char line[512];
	size_t i;
	int n;

	/* 600 works in id order (W1000.. and authors A2000..), one bad line,
	 * then works given again out of order, one with a new title. */
	for (i = 0; i < 600; i++) {
		n = snprintf(line, sizeof(line), "{\"id\":\"https://openalex.org/"
		    "W%zu\",\"title\":\"Work %zu\",\"publication_year\":%zu,"
		    "\"authorships\":[{\"author\":{\"id\":\"https://openalex.org/"
		    "A%zu\",\"display_name\":\"Author %zu\"}},{\"author\":{\"id\":"
		    "\"A%zu\",\"display_name\":\"Author %zu\"}}],\"topics\":[{\"id\":"
		    "\"T%zu\",\"display_name\":\"Topic %zu\"}],"
		    "\"abstract_inverted_index\":{\"b\":[1],\"a\":[0,2]}}\n",
		    1000 + i, i, 1990 + i % 30, 2000 + i / 3, i / 3,
		    2000 + (i * 7) % 200, (i * 7) % 200, 30 + i % 11, i % 11);
		buf_put(&b, line, (size_t)n);
		if (i == 300)
			buf_puts(&b, "{\"id\":\"W1\",\"title\":}\n");
	}
	buf_puts(&b, "{\"id\":\"W1500\",\"title\":\"Changed\",\"authorships\":"
	    "[{\"author\":{\"id\":\"A2001\"}}]}\n");
	buf_puts(&b, "{\"id\":\"W999\",\"title\":\"Before all\"}\n");
	buf_puts(&b, "{\"id\":\"W1200\",\"title\":\"Work 200\",\"publication_year\":2000}\n");
	spit(plain, b.p, b.len);
	gzip_file(plain, gz, 0);

	REQUIRE(run(NULL, err1, bin("bzpeer-import"), "--store",
	    path_in(scratch, "o0"), "--threads", "0", "--works", plain, NULL)
	    == 0);
	REQUIRE(dump_store(path_in(scratch, "o0"), scratch, 1, &d0) == 0);
	CHECK(has(&d0, "works W1500 ") && has(&d0, "Changed") &&
	    has(&d0, "works W999 ") && has(&d0, "works W1599 "));
	REQUIRE(slurp(err1, &e) == 0);
	CHECK(has(&e, "order.jsonl:302: "));
	for (i = 0; i < sizeof(threads_n) / sizeof(threads_n[0]); i++) {
		char store[16];

		snprintf(store, sizeof(store), "o%s", threads_n[i]);
		REQUIRE(run(NULL, err3, bin("bzpeer-import"), "--store",
		    path_in(scratch, store), "--threads", threads_n[i],
		    "--works", gz, NULL) == 0);
		REQUIRE(dump_store(path_in(scratch, store), scratch, 1, &d) == 0);
		CHECK(d0.len > 10000 && d.len == d0.len &&
		    memcmp(d.p, d0.p, d0.len) == 0);
		REQUIRE(slurp(err3, &d) == 0);
		CHECK(has(&d, "order.jsonl.gz:302: ") &&
		    d.len == e.len + 3);   /* the same line, in the .gz */
	}
	(void)remove(plain);
	(void)remove(gz);
	buf_free(&b);
	buf_free(&d0);
	buf_free(&d);
	buf_free(&e);
}

static void
usage_and_errors(void)
{
	const char *store = path_in(scratch, "usage");
	const char *err = path_in(scratch, "err");
	struct buf b = BUF_INIT;

	CHECK(run(NULL, NULL, bin("bzpeer-import"), NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", store, NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--works", "x", NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--works", "x", "extra", NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--bogus", NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--map-size", "12Q", "--works", "x", NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--help", NULL) == 0);
	CHECK(run(NULL, err, bin("bzpeer-import"), "--store", store,
	    "--works", path_in(scratch, "missing.jsonl"), NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "missing.jsonl: cannot open: No such file"));
	CHECK(run(NULL, NULL, bin("bzpeer-admin"), NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-admin"), "--store", store, "frob",
	    NULL) == 2);
	CHECK(run(NULL, err, bin("bzpeer-admin"), "--store",
	    path_in(scratch, "nothing-here"), "stats", NULL) == 1);
	buf_free(&b);
}

int
main(void)
{
	scratch = tdir_make();
	parse_works();
	parse_authors();
	fast_equals_reference();
	fixture_import();
	reimport();
	changes();
	strict();
	gz_input();
	long_line();
	threads();
	threads_gz_and_order();
	usage_and_errors();
	tdir_remove(scratch);
	CHECK_DONE();
}
