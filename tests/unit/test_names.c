/* test_names.c: names in every script over the real OpenAlex fixtures: slugs, the search index (any word of a name or an alternative, ranked), its upkeep across re-imports. */
#include <stdio.h>
#include <string.h>

#include "../../store/openalex.h"
#include "../../views/export.h"
#include "store_fixture.h"

static const char *
oa(const char *name)
{
	return path_in(root_path("tests/fixtures/openalex"), name);
}

static int
collect(void *ctx, const struct store_researcher *r)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, '|');
	buf_put(b, r->name.p, r->name.n);
	return 0;
}

/*
 * The names a search finds, '|'-separated, in order: whether they start
 * with want (the best matches) and, with total >= 0, how many there are.
 */
static int
finds(struct store_rtxn *t, const char *q, const char *want, long total)
{
	struct buf b = BUF_INIT;
	size_t n = 0;
	int ok;

	ok = store_researchers_by_name(t, sv_cstr(q), 0, 0, &n, collect,
	    &b) == 0 && b.len >= strlen(want) &&
	    (*want == '\0' || memcmp(b.p, want, strlen(want)) == 0) &&
	    (total < 0 || n == (size_t)total);
	if (!ok)
		printf("# search \"%s\": %zu: \"%.*s\", want \"%s\" (%ld)\n", q,
		    n, (int)b.len, b.p ? b.p : "", want, total);
	buf_free(&b);
	return ok;
}

static int
slug_of(struct store_rtxn *t, const char *id, const char *want)
{
	struct store_researcher r;
	int ok = store_researcher_by_id(t, sv_cstr(id), &r) == 0 &&
	    sv_eq_cstr(r.slug, want);

	if (!ok)
		printf("# slug of %s: \"%.*s\", want \"%s\"\n", id, (int)r.slug.n,
		    r.slug.p ? r.slug.p : "", want);
	return ok;
}

/* Imports the lines into s (authors or works). */
static int
import_lines(struct store *s, const char *name, const char *lines, int works)
{
	const char *path = path_in(scratch, name);

	spits(path, lines);
	return works ? import_into(s, NULL, path) : import_into(s, path, NULL);
}

static void
real_names(void)
{
	static const char *const authors[] = { "authors-2022.jsonl",
	    "authors-2023.jsonl", "authors-2025.jsonl", "authors-2026.jsonl" };
	static const char *const works[] = { "works-2021.jsonl",
	    "works-2022.jsonl", "works-2023.jsonl", "works-2025.jsonl",
	    "works-2026.jsonl" };
	const char *a[4], *w[5];
	struct import_opts o;
	struct import_report rep;
	struct store *s;
	struct store_rtxn *t;
	FILE *log = fopen("/dev/null", "w");
	size_t i;

	for (i = 0; i < 4; i++)
		a[i] = oa(authors[i]);
	for (i = 0; i < 5; i++)
		w[i] = oa(works[i]);
	memset(&o, 0, sizeof(o));
	o.authors = a;
	o.n_authors = 4;
	o.works = w;
	o.n_works = 5;
	o.log = log;
	REQUIRE(log != NULL);
	REQUIRE(store_open(path_in(scratch, "real"), STORE_CREATE, &s) == 0);
	REQUIRE(store_import(s, &o, &rep) == 0);
	fclose(log);
	REQUIRE(store_read_begin(s, &t) == 0);

	/* Any word of the name, as people type it. */
	/* (OpenAlex has two ids named Jason Priem in these records.) */
	CHECK(finds(t, "Priem", "Jason Priem|Jason Priem", 2));
	CHECK(finds(t, "priem jason", "Jason Priem|Jason Priem", 2));
	CHECK(finds(t, "jas pri", "Jason Priem|Jason Priem", 2));
	CHECK(finds(t, "Piwowar", "Heather A. Piwowar|Heather Piwowar", 2));
	CHECK(finds(t, "Heather A Piwowar", "Heather A. Piwowar", 1));
	/* Equal matches: most works first. */
	CHECK(finds(t, "heather piwowar", "Heather Piwowar|Heather A. Piwowar", 2));
	CHECK(finds(t, "h a piwowar", "Heather A. Piwowar", 1));
	CHECK(finds(t, "Lariviere", "Vincent Larivière|Vincent Larivière", 2));
	CHECK(finds(t, "LARIVIÈRE VINCENT", "Vincent Larivière", 2));
	CHECK(finds(t, "andre simard", "Marc-André Simard", 1));
	CHECK(finds(t, "Marc André", "Marc-André Simard", 1));
	CHECK(finds(t, "alperin", "Juan Pablo Alperin|Juan Pablo Alperín|Juan Pablo Alperín", 3));
	CHECK(finds(t, "ito keisuke", "Keisuke Itō", 1));
	/* "Martı́n": a dotless i with a combining acute. */
	CHECK(finds(t, "Martin Farach-Colton", "Martı́n Farach-Colton", 1));
	CHECK(finds(t, "farach colton", "Martı́n Farach-Colton", 1));
	/* Cyrillic and CJK, case-folded. */
	CHECK(finds(t, "беспалов", "Беспалов Дмитрий Николаевич", 1));
	CHECK(finds(t, "ДМИТРИЙ БЕСПАЛОВ", "Беспалов Дмитрий Николаевич", 1));
	CHECK(slug_of(t, "A5061498750", "беспалов-дмитрий-николаевич"));
	CHECK(slug_of(t, "A5087023890", "martin-farach-colton"));
	CHECK(slug_of(t, "A2979095578", "keisuke-ito"));
	/* display_name_alternatives. */
	CHECK(finds(t, "Chuck Parker", "Charles Thomas Parker", 1));
	CHECK(finds(t, "Jorge Cortes Nunez", "Jorge E. Cortes", 1));
	CHECK(finds(t, "wolf luis", "W. Luis Mochán", 1));
	CHECK(finds(t, "Mochan, W. L.", "W. Luis Mochán", 1));
	CHECK(finds(t, "alejandro german frank", "Alejandro Germán Frank", 1));
	CHECK(finds(t, "Peter B Jones", "Peter G. Jones", 1));
	/* Ranking: "Jason Priem" equal beats "Jason Lee"... by works. */
	CHECK(finds(t, "jason", "", -1));
	CHECK(finds(t, "nobody-here", "", 0));
	CHECK(finds(t, "...", "", 0));
	/* Slugs of real names in other scripts and with marks. */
	CHECK(slug_of(t, "A5083646281", "w-luis-mochan"));
	store_read_end(t);
	store_close(s);
}

/*
 * display_name_alternatives as parsed: the strings, in order, the first
 * OA_ALTS_MAX; other elements left out; the fast way takes the usual shape.
 */
static void
alternatives(void)
{
	struct oa_author a = OA_AUTHOR_INIT;
	struct buf err = BUF_INIT, l = BUF_INIT;
	const char *line;
	size_t i;

	line = "{\"id\":\"A1\",\"display_name\":\"Miguel Alcubierre\","
	    "\"display_name_alternatives\":[\"Alcubierre, M.\",\"M Alcubierre\"]}";
	CHECK(openalex_author_parse_fast(line, strlen(line), &a) == 0 &&
	    a.n_alts == 2 && sv_eq_cstr(a.alts[0], "Alcubierre, M.") &&
	    sv_eq_cstr(a.alts[1], "M Alcubierre"));
	line = "{\"id\":\"A1\",\"display_name_alternatives\":[\"x\",7,null,"
	    "{\"a\":1},\"y\\u00e9\",\"z\\u0000\"]}";
	CHECK(openalex_author_parse_fast(line, strlen(line), &a) == -1);
	CHECK(openalex_author_parse(line, strlen(line), &a, &err) == 0 &&
	    a.n_alts == 2 && sv_eq_cstr(a.alts[0], "x") &&
	    sv_eq_cstr(a.alts[1], "yé"));
	line = "{\"id\":\"A1\",\"display_name_alternatives\":\"x\"}";
	CHECK(openalex_author_parse(line, strlen(line), &a, &err) == 0 &&
	    a.n_alts == 0);
	buf_puts(&l, "{\"id\":\"A1\",\"display_name_alternatives\":[");
	for (i = 0; i < OA_ALTS_MAX + 5; i++) {
		if (i)
			buf_putc(&l, ',');
		buf_puts(&l, "\"n\"");
	}
	buf_puts(&l, "]}");
	CHECK(openalex_author_parse_fast(l.p, l.len, &a) == 0 &&
	    a.n_alts == OA_ALTS_MAX);
	CHECK(openalex_author_parse_ref(l.p, l.len, &a, &err) == 0 &&
	    a.n_alts == OA_ALTS_MAX);
	openalex_author_free(&a);
	buf_free(&err);
	buf_free(&l);
}

/* Rank: exact, then prefix, then other words; works within each. */
static void
ranking(void)
{
	struct store *s;
	struct store_rtxn *t;
	struct buf b = BUF_INIT;
	size_t total = 0;

	REQUIRE(store_open(path_in(scratch, "rank"), STORE_CREATE, &s) == 0);
	REQUIRE(import_lines(s, "rank-works.jsonl",
	    "{\"id\":\"W1\",\"authorships\":[{\"author\":{\"id\":\"A1\",\"display_name\":\"Lee\"}},"
	    "{\"author\":{\"id\":\"A2\",\"display_name\":\"Lee Smith\"}},"
	    "{\"author\":{\"id\":\"A3\",\"display_name\":\"Ann Lee\"}},"
	    "{\"author\":{\"id\":\"A4\",\"display_name\":\"Leeds Ko\"}},"
	    "{\"author\":{\"id\":\"A5\",\"display_name\":\"Bo Leer\"}},"
	    "{\"author\":{\"id\":\"A6\",\"display_name\":\"Kalee Wu\"}}]}\n"
	    "{\"id\":\"W2\",\"authorships\":[{\"author\":{\"id\":\"A3\"}},{\"author\":{\"id\":\"A4\"}},{\"author\":{\"id\":\"A5\"}}]}\n"
	    "{\"id\":\"W3\",\"authorships\":[{\"author\":{\"id\":\"A3\"}},{\"author\":{\"id\":\"A5\"}}]}\n"
	    "{\"id\":\"W4\",\"authorships\":[{\"author\":{\"id\":\"A3\"}}]}\n",
	    1) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	/* A1 exact (1 work); A4 (2), A2 (1) start with it; A3 (4), A5 (3)
	 * have a word that does; A6 none. */
	CHECK(finds(t, "lee", "Lee|Leeds Ko|Lee Smith|Ann Lee|Bo Leer", 5));
	CHECK(finds(t, "LEE", "Lee|Leeds Ko|Lee Smith|Ann Lee|Bo Leer", 5));
	CHECK(finds(t, "lee smith", "Lee Smith", 1));
	CHECK(finds(t, "smith lee", "Lee Smith", 1));
	CHECK(finds(t, "lee lee", "", 0));      /* two words, one Lee */
	/* Paging over the ranked list. */
	CHECK(store_researchers_by_name(t, SV_LIT("lee"), 1, 2, &total, collect,
	    &b) == 0 && total == 5 && sv_eq_cstr(buf_sv(&b), "Leeds Ko|Lee Smith"));
	buf_reset(&b);
	CHECK(store_researchers_by_name(t, SV_LIT("lee"), 5, 2, &total, collect,
	    &b) == 0 && total == 5 && b.len == 0);
	store_read_end(t);
	store_close(s);
	buf_free(&b);
}

/* Renames and new alternatives replace what the index held. */
static void
upkeep(void)
{
	struct store *s;
	struct store_rtxn *t;
	struct buf d1 = BUF_INIT, d2 = BUF_INIT;
	const char *v1 = "{\"id\":\"A7\",\"display_name\":\"Hervé Jeǵou\","
	    "\"display_name_alternatives\":[\"H. Jegou\",\"Jégou, Hervé\","
	    "7,null,\"Herve Jegou\"]}\n";

	REQUIRE(store_open(path_in(scratch, "keep"), STORE_CREATE, &s) == 0);
	REQUIRE(import_lines(s, "keep1.jsonl", v1, 0) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(finds(t, "Herve Jegou", "Hervé Jeǵou", 1));
	CHECK(finds(t, "jegou", "Hervé Jeǵou", 1));
	CHECK(finds(t, "h jegou", "Hervé Jeǵou", 1));
	CHECK(slug_of(t, "A7", "herve-jegou"));
	store_read_end(t);
	dump(s, &d1);
	CHECK(count_has(&d1, "\nrnames A7 ") == 3);    /* 2 alternatives fold alike */
	/* The same line again changes nothing. */
	REQUIRE(import_lines(s, "keep1.jsonl", v1, 0) == 0);
	dump(s, &d2);
	CHECK(count_has(&d2, "\nnameparts ") == count_has(&d1, "\nnameparts ") &&
	    count_has(&d2, "\nrnames ") == count_has(&d1, "\nrnames "));
	/* A work naming the author otherwise leaves the author line's name. */
	REQUIRE(import_lines(s, "keep-w.jsonl", "{\"id\":\"W1\",\"authorships\":"
	    "[{\"author\":{\"id\":\"A7\",\"display_name\":\"X Y\"}}]}\n", 1) == 0);
	/* A new name and new alternatives: the old ones are gone. */
	REQUIRE(import_lines(s, "keep2.jsonl", "{\"id\":\"A7\",\"display_name\":"
	    "\"Нгуен Ван Ан\",\"display_name_alternatives\":[\"Nguyễn Văn An\"]}\n",
	    0) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(finds(t, "jegou", "", 0));
	CHECK(finds(t, "h jegou", "", 0));
	CHECK(finds(t, "нгуен", "Нгуен Ван Ан", 1));
	CHECK(finds(t, "nguyen van an", "Нгуен Ван Ан", 1));
	CHECK(slug_of(t, "A7", "herve-jegou"));        /* a slug never changes */
	store_read_end(t);
	dump(s, &d2);
	CHECK(count_has(&d2, "\nnameparts \"jegou\"") == 0 &&
	    count_has(&d2, "\nrnames A7 ") == 2);
	/* Without alternatives in the line: none are left. */
	REQUIRE(import_lines(s, "keep3.jsonl", "{\"id\":\"A7\",\"display_name\":"
	    "\"Нгуен Ван Ан\"}\n", 0) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(finds(t, "nguyen", "", 0));
	CHECK(finds(t, "ван", "Нгуен Ван Ан", 1));
	store_read_end(t);
	store_close(s);
	buf_free(&d1);
	buf_free(&d2);
}

/* New researchers' slugs in every script. */
static void
new_slugs(void)
{
	struct store *s;
	struct store_rtxn *t;

	REQUIRE(store_open(path_in(scratch, "slugs"), STORE_CREATE, &s) == 0);
	REQUIRE(import_lines(s, "slugs.jsonl",
	    "{\"id\":\"A1\",\"display_name\":\"Nguyễn Văn An\"}\n"
	    "{\"id\":\"A2\",\"display_name\":\"Иван Петров\"}\n"
	    "{\"id\":\"A3\",\"display_name\":\"ИВАН ПЕТРОВ\"}\n"
	    "{\"id\":\"A4\",\"display_name\":\"王小明\"}\n"
	    "{\"id\":\"A5\",\"display_name\":\"Ελένη Παπαδοπούλου\"}\n"
	    "{\"id\":\"A6\",\"display_name\":\"محمد علي\"}\n"
	    "{\"id\":\"A7\",\"display_name\":\"Jean‐Pierre O’Brien\"}\n"
	    "{\"id\":\"A8\",\"display_name\":\"Jean-Pierre O'Brien\"}\n", 0) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(slug_of(t, "A1", "nguyen-van-an"));
	CHECK(slug_of(t, "A2", "иван-петров"));
	CHECK(slug_of(t, "A3", "иван-петров-2"));
	CHECK(slug_of(t, "A4", "王小明"));
	CHECK(slug_of(t, "A5", "ελενη-παπαδοπουλου"));
	CHECK(slug_of(t, "A6", "محمد-علي"));
	CHECK(slug_of(t, "A7", "jean-pierre-o-brien"));
	CHECK(slug_of(t, "A8", "jean-pierre-o-brien-2"));
	CHECK(finds(t, "иван", "Иван Петров|ИВАН ПЕТРОВ", 2));
	CHECK(finds(t, "Jean-Pierre O'Brien", "Jean‐Pierre O’Brien|Jean-Pierre O'Brien", 2));
	CHECK(finds(t, "o’brien", "Jean‐Pierre O’Brien|Jean-Pierre O'Brien", 2));
	CHECK(finds(t, "ελενη", "Ελένη Παπαδοπούλου", 1));
	CHECK(finds(t, "ΕΛΈΝΗ", "Ελένη Παπαδοπούλου", 1));
	CHECK(finds(t, "علي", "محمد علي", 1));
	CHECK(finds(t, "小明", "", 0));       /* a word is a run of letters */
	CHECK(finds(t, "王小", "王小明", 1));
	store_read_end(t);
	store_close(s);
}

/* Whether the export of researcher id holds want. */
static int
exports(struct store_rtxn *t, const char *id,
    int (*fn)(struct store_rtxn *, const struct store_researcher *,
    struct buf *), const char *want)
{
	struct store_researcher r;
	struct buf b = BUF_INIT;
	int ok;

	ok = store_researcher_by_id(t, sv_cstr(id), &r) == 0 &&
	    fn(t, &r, &b) == 0 && b.len && memmem(b.p, b.len, want,
	    strlen(want)) != NULL;
	if (!ok)
		printf("# export of %s lacks \"%s\":\n%.*s\n", id, want,
		    (int)b.len, b.p ? b.p : "");
	buf_free(&b);
	return ok;
}

/*
 * Two family names without a hyphen: the words cannot tell them from a
 * middle name, the researcher's alternative names ("García Márquez,
 * Gabriel") can; an alternative that does not end the name, or that
 * would leave no given name, is not taken.
 */
static void
double_surnames(void)
{
	struct store *s;
	struct store_rtxn *t;

	REQUIRE(store_open(path_in(scratch, "surnames"), STORE_CREATE, &s) == 0);
	REQUIRE(import_lines(s, "surnames-authors.jsonl",
	    "{\"id\":\"A1\",\"display_name\":\"Gabriel García Márquez\","
	    "\"display_name_alternatives\":[\"G. García Márquez\",\"García Márquez, Gabriel\"]}\n"
	    "{\"id\":\"A2\",\"display_name\":\"Ana María Gómez\"}\n"
	    "{\"id\":\"A3\",\"display_name\":\"María Elena Walsh\","
	    "\"display_name_alternatives\":[\"Elena Smith, María\",\"Walsh, M. E.\"]}\n"
	    "{\"id\":\"A4\",\"display_name\":\"Ana Lucía Torres\","
	    "\"display_name_alternatives\":[\"Ana Lucía Torres, A.\"]}\n",
	    0) == 0);
	REQUIRE(import_lines(s, "surnames-works.jsonl",
	    "{\"id\":\"W1\",\"title\":\"T1\",\"publication_year\":2001,\"authorships\":["
	    "{\"author\":{\"id\":\"A1\",\"display_name\":\"Gabriel García Márquez\"}},"
	    "{\"author\":{\"id\":\"A2\",\"display_name\":\"Ana María Gómez\"}},"
	    "{\"author\":{\"id\":\"A3\",\"display_name\":\"María Elena Walsh\"}},"
	    "{\"author\":{\"id\":\"A4\",\"display_name\":\"Ana Lucía Torres\"}},"
	    "{\"author\":{\"id\":null,\"display_name\":\"Pedro Páramo Rulfo\"}}]}\n"
	    "{\"id\":\"W2\",\"title\":\"T2\",\"publication_year\":2002,\"authorships\":["
	    "{\"author\":{\"id\":\"A1\",\"display_name\":\"Gabriel Garcia Marquez\"}}]}\n",
	    1) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(exports(t, "A1", export_bib, "García Márquez, Gabriel and "
	    "Gómez, Ana María and Walsh, María Elena and Torres, Ana Lucía and "
	    "Rulfo, Pedro Páramo}"));
	CHECK(exports(t, "A1", export_bib, "author = {Garcia Marquez, Gabriel}"));
	CHECK(exports(t, "A1", export_ris, "AU  - García Márquez, Gabriel\r\n"
	    "AU  - Gómez, Ana María\r\n"));
	CHECK(exports(t, "A1", export_csl, "{\"family\":\"García Márquez\","
	    "\"given\":\"Gabriel\"}"));
	CHECK(exports(t, "A2", export_csl, "{\"family\":\"Walsh\","
	    "\"given\":\"María Elena\"}"));
	store_read_end(t);
	store_close(s);
}

/*
 * Placeholder authors: the known id, and names that name nobody, get no
 * profile and stay names on their works; a person who only shares a
 * word with such a name keeps theirs.
 */
static void
placeholders(void)
{
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct store_work w;
	struct store_author_ref a;
	size_t pos = 0, n = 0;

	CHECK(openalex_placeholder(5317838346ULL, SV_LIT("Someone")));
	CHECK(openalex_placeholder(1, SV_LIT("Deleted Author")));
	CHECK(openalex_placeholder(1, SV_LIT(" [Anonymous] ")));
	CHECK(openalex_placeholder(1, SV_LIT("UNKNOWN AUTHOR")));
	CHECK(openalex_placeholder(1, SV_LIT("et al.")));
	CHECK(!openalex_placeholder(1, SV_LIT("Anonymous Smith")));
	CHECK(!openalex_placeholder(1, SV_LIT("Na")));
	CHECK(!openalex_placeholder(1, SV_LIT("")));
	REQUIRE(store_open(path_in(scratch, "nobody"), STORE_CREATE, &s) == 0);
	REQUIRE(import_lines(s, "nobody-authors.jsonl",
	    "{\"id\":\"A7\",\"display_name\":\"Anonymous\",\"works_count\":90000}\n"
	    "{\"id\":\"A8\",\"display_name\":\"Ann Onymous\"}\n", 0) == 0);
	REQUIRE(import_lines(s, "nobody-works.jsonl",
	    "{\"id\":\"W1\",\"title\":\"T\",\"authorships\":["
	    "{\"author\":{\"id\":\"A7\",\"display_name\":\"Anonymous\"}},"
	    "{\"author\":{\"id\":\"A8\",\"display_name\":\"Ann Onymous\"}},"
	    "{\"author\":{\"id\":\"A9\",\"display_name\":\"Unknown\"}}]}\n",
	    1) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A7"), &r) == STORE_NOTFOUND);
	CHECK(store_researcher_by_id(t, SV_LIT("A9"), &r) == STORE_NOTFOUND);
	CHECK(store_researcher_by_id(t, SV_LIT("A8"), &r) == 0 && r.works == 1);
	REQUIRE(store_work_by_id(t, SV_LIT("W1"), &w) == 0);
	while (store_work_author_next(&w, &pos, &a) == 0) {
		CHECK(n != 0 || (sv_eq_cstr(a.name, "Anonymous") && a.id.n == 0));
		CHECK(n != 2 || (sv_eq_cstr(a.name, "Unknown") && a.id.n == 0));
		n++;
	}
	CHECK(n == 3);
	store_read_end(t);
	store_close(s);
}

int
main(void)
{
	scratch = tdir_make();
	alternatives();
	real_names();
	ranking();
	upkeep();
	new_slugs();
	double_surnames();
	placeholders();
	tdir_remove(scratch);
	CHECK_DONE();
}
