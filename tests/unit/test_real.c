/* test_real.c: the real OpenAlex records of tests/fixtures/openalex, parsed and imported, against what tests/fixtures/openalex/expect.py computes from their JSON alone. */
#include <jansson.h>
#include <string.h>

#include "../../store/openalex.h"
#include "../../store/store.h"
#include "../../views/holes.h"
#include "../../views/page.h"
#include "../../views/profile.h"
#include "../../views/views.h"
#include "check.h"
#include "test_import_util.h"

static char *scratch;

static const char *const work_files[] = {
	"works-2021.jsonl", "works-2022.jsonl", "works-2023.jsonl",
	"works-2025.jsonl", "works-2026.jsonl",
};
static const char *const author_files[] = {
	"authors-2022.jsonl", "authors-2023.jsonl", "authors-2025.jsonl",
	"authors-2026.jsonl",
};
#define N_WORK_FILES (sizeof(work_files) / sizeof(work_files[0]))
#define N_AUTHOR_FILES (sizeof(author_files) / sizeof(author_files[0]))

static const char *
fx(const char *name)
{
	return path_in(root_path("tests/fixtures/openalex"), name);
}

/*
 * The rows expect.py prints for COMMAND over the files given (NULL: all
 * of them, in its order), as one JSON object keyed by the short id.
 */
static json_t *
expect(const char *command, const char *file)
{
	const char *out = path_in(scratch, "expect.out");
	const char *errf = path_in(scratch, "expect.err");
	struct buf b = BUF_INIT;
	json_t *all = json_object(), *row;
	json_error_t je;
	char *line, *save = NULL;
	int rc;

	if (file != NULL)
		rc = run(out, errf, "/usr/bin/python3", fx("expect.py"),
		    command, "--files", file, NULL);
	else
		rc = run(out, errf, "/usr/bin/python3", fx("expect.py"),
		    command, NULL);
	if (rc != 0 && slurp(errf, &b) == 0)
		printf("# expect.py: %s\n", b.p);
	REQUIRE(rc == 0);
	REQUIRE(slurp(out, &b) == 0);
	for (line = strtok_r(b.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *id;

		row = json_loads(line, 0, &je);
		REQUIRE(row != NULL);
		id = json_string_value(json_object_get(row, "id"));
		REQUIRE(id != NULL && strrchr(id, '/') != NULL);
		json_object_set_new(all, strrchr(id, '/') + 1, row);
	}
	buf_free(&b);
	return all;
}

/* The row's string member key, "" for null or missing. */
static const char *
str_of(json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

static uint64_t
num_of(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static int
sv_is(struct sv s, const char *want)
{
	int ok = sv_eq_cstr(s, want);

	if (!ok)
		printf("# got \"%.*s\", want \"%s\"\n", (int)s.n, s.p, want);
	return ok;
}

/* The id's short form ("A123"), or "" for null. */
static const char *
short_id(json_t *v)
{
	const char *s = json_string_value(v);

	return s && strrchr(s, '/') ? strrchr(s, '/') + 1 : s ? s : "";
}

/*
 * The authors a work shows, from expect.py's authorships in order: a
 * name without an id is kept, an id once, a placeholder author (the
 * "Deleted Author") as its name alone, nobody at all left out. Filled
 * into ids[] and names[] (pointers into row); returns how many.
 */
static size_t
shown_authors(json_t *row, const char **ids, const char **names, size_t max)
{
	json_t *a;
	size_t i, j, n = 0;

	json_array_foreach(json_object_get(row, "authors"), i, a) {
		const char *id = short_id(json_object_get(a, "id"));
		const char *name = str_of(a, "name");

		if (strcmp(id, "A5317838346") == 0 ||
		    strcmp(name, "Deleted Author") == 0)
			id = "";
		if (*id == '\0' && *name == '\0')
			continue;
		for (j = 0; *id && j < n && strcmp(ids[j], id) != 0; j++)
			;
		if (*id && j < n)
			continue;
		REQUIRE(n < max);
		ids[n] = id;
		names[n++] = name;
	}
	return n;
}

/* ---- every line parses, both ways alike, as expect.py reads it ------------------ */

static void
parse_real(void)
{
	struct oa_work f = OA_WORK_INIT, r = OA_WORK_INIT;
	struct oa_author fa = OA_AUTHOR_INIT, ra = OA_AUTHOR_INIT;
	struct buf all = BUF_INIT, err = BUF_INIT;
	size_t i, k, lines = 0, fast = 0, mag = 0, nameonly = 0;

	for (k = 0; k < N_WORK_FILES; k++) {
		json_t *want = expect("works", fx(work_files[k]));
		char *line, *save = NULL;

		REQUIRE(slurp(fx(work_files[k]), &all) == 0);
		for (line = strtok_r(all.p, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			const char *ids[64], *names[64];
			json_t *row, *raw;
			char id[32];
			size_t n;
			int ok;

			lines++;
			ok = openalex_work_parse(line, strlen(line), &f, &err) == 0;
			if (!ok)
				printf("# %s: %s\n", work_files[k], err.p);
			CHECK(ok);
			REQUIRE(openalex_work_parse_ref(line, strlen(line), &r,
			    &err) == 0);
			CHECK(openalex_work_same(&f, &r));
			fast += openalex_work_parse_fast(line, strlen(line),
			    &f) == 0;
			snprintf(id, sizeof(id), "%.*s", (int)r.id.n, r.id.p);
			REQUIRE((row = json_object_get(want, id)) != NULL);
			if (strcmp(str_of(row, "abstract_form"),
			    "IndexLength") == 0)
				mag++;
			/* Title, else display_name: what Atom and the pages say. */
			CHECK(sv_is(r.title, *str_of(row, "title") ?
			    str_of(row, "title") : str_of(row, "display_name")));
			CHECK(sv_is(buf_sv(&r.abstract), str_of(row, "abstract")));
			CHECK(sv_is(r.venue, str_of(row, "venue")));
			CHECK(sv_is(r.doi, str_of(row, "doi")));
			CHECK(sv_is(r.date, str_of(row, "publication_date")));
			CHECK(sv_is(r.oa_url, str_of(row, "oa_url")));
			CHECK(r.year == (int)num_of(row, "publication_year"));
			CHECK(r.cited == num_of(row, "cited_by_count"));
			CHECK(!!(r.flags & OA_RETRACTED) ==
			    json_is_true(json_object_get(row, "is_retracted")));
			CHECK(!!(r.flags & OA_PARATEXT) ==
			    json_is_true(json_object_get(row, "is_paratext")));
			n = shown_authors(row, ids, names, 64);
			CHECK(r.n_authors == n);
			for (i = 0; i < n && i < r.n_authors; i++) {
				CHECK(sv_is(r.authors[i].id, ids[i]));
				CHECK(sv_is(r.authors[i].name, names[i]));
				nameonly += *ids[i] == '\0';
			}
			/* MAG-era works without topics[] take their concepts. */
			raw = json_loads(line, 0, NULL);
			REQUIRE(raw != NULL);
			if (json_array_size(json_object_get(raw, "topics")) == 0) {
				CHECK(r.n_topics > 0 || json_array_size(
				    json_object_get(raw, "concepts")) == 0);
				for (i = 0; i < r.n_topics; i++)
					CHECK(r.topics[i].id.p[0] == 'C');
			}
			json_decref(raw);
		}
		json_decref(want);
	}
	printf("# %zu work lines, %zu taken the fast way, %zu MAG-form "
	    "abstracts, %zu authors without an id\n", lines, fast, mag,
	    nameonly);
	CHECK(lines == 117 && mag == 19 && nameonly > 0);
	CHECK(fast == lines);            /* real records take the fast way */

	for (k = 0; k < N_AUTHOR_FILES; k++) {
		json_t *want = expect("authors", fx(author_files[k]));
		char *line, *save = NULL;

		REQUIRE(slurp(fx(author_files[k]), &all) == 0);
		for (line = strtok_r(all.p, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			json_t *row, *x, *stats;
			char id[32];
			size_t n_cur = 0, n = 0;

			REQUIRE(openalex_author_parse(line, strlen(line), &fa,
			    &err) == 0);
			REQUIRE(openalex_author_parse_ref(line, strlen(line),
			    &ra, &err) == 0);
			CHECK(openalex_author_same(&fa, &ra));
			CHECK(openalex_author_parse_fast(line, strlen(line),
			    &fa) == 0);
			snprintf(id, sizeof(id), "%.*s", (int)ra.a.id.n,
			    ra.a.id.p);
			REQUIRE((row = json_object_get(want, id)) != NULL);
			CHECK(sv_is(ra.a.orcid, str_of(row, "orcid")));
			CHECK(ra.cited == num_of(row, "cited_by_count"));
			stats = json_object_get(row, "summary_stats");
			CHECK(ra.has_stats == json_is_object(stats));
			CHECK(ra.h_index == num_of(stats, "h_index"));
			CHECK(ra.i10_index == num_of(stats, "i10_index"));
			CHECK(ra.n_years == json_array_size(json_object_get(row,
			    "counts_by_year")));
			/* Every institution named is kept: each current one,
			 * each affiliation (with its years) once. */
			json_array_foreach(json_object_get(row, "institutions"),
			    i, x) {
				const char *from = str_of(x, "from");
				size_t j;
				int found = 0;

				if (!*str_of(x, "display_name"))
					continue;
				n++;
				if (strcmp(from, "affiliations") != 0)
					n_cur++;
				for (j = 0; j < ra.n_insts; j++)
					if (sv_eq_cstr(ra.insts[j].name,
					    str_of(x, "display_name")))
						found = 1;
				CHECK(found);
			}
			CHECK(ra.n_insts <= n && (n == 0 || ra.n_insts > 0));
			if (n_cur > 0)
				CHECK(ra.insts[0].current &&
				    sv_eq(ra.institution, ra.insts[0].name));
		}
		json_decref(want);
	}
	openalex_work_free(&f);
	openalex_work_free(&r);
	openalex_author_free(&fa);
	openalex_author_free(&ra);
	buf_free(&all);
	buf_free(&err);
}

/* ---- imported: the store's researchers and works ------------------------------- */

struct listed {
	json_t *works;            /* expect.py's works of the researcher */
	size_t n, missing;
};

static int
each_listed(void *ctx, const struct store_work *w)
{
	struct listed *l = ctx;
	json_t *x;
	size_t i;
	int found = 0;

	l->n++;
	json_array_foreach(l->works, i, x)
		if (sv_eq_cstr(w->id, short_id(json_object_get(x, "id"))))
			found = 1;
	l->missing += !found;
	return 0;
}

static void
import_real(void)
{
	const char *store = path_in(scratch, "store");
	const char *out = path_in(scratch, "import.out");
	json_t *aw, *works, *authors, *row;
	struct store *s;
	struct store_rtxn *t;
	struct buf b = BUF_INIT;
	const char *key;
	size_t checked = 0, nameonly = 0, from_works = 0;

	REQUIRE(run(out, NULL, bin("bzpeer-import"), "--store", store,
	    "--authors", fx(author_files[0]), "--authors", fx(author_files[1]),
	    "--authors", fx(author_files[2]), "--authors", fx(author_files[3]),
	    "--works", fx(work_files[0]), "--works", fx(work_files[1]),
	    "--works", fx(work_files[2]), "--works", fx(work_files[3]),
	    "--works", fx(work_files[4]), NULL) == 0);
	REQUIRE(slurp(out, &b) == 0);
	/* No wrong rejection; the placeholder author gets no profile. */
	CHECK(has(&b, ": 58 authors, 117 works, 0 bad lines,"));
	CHECK(has(&b, "1 placeholder authors"));
	authors = expect("authors", NULL);
	aw = expect("author-works", NULL);
	works = expect("works", NULL);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);

	/* Every author named on a work, with the figures of its works. */
	json_object_foreach(aw, key, row) {
		struct store_researcher r;
		struct listed l = { json_object_get(row, "works"), 0, 0 };
		struct sv id = { key, strlen(key) };
		int rc = store_researcher_by_id(t, id, &r);

		if (strcmp(key, "A5317838346") == 0) {
			CHECK(rc == STORE_NOTFOUND);
			continue;
		}
		REQUIRE(rc == 0);
		checked++;
		CHECK(r.works == num_of(row, "works_in_fixture"));
		CHECK(r.cited == num_of(row, "citations"));
		CHECK(r.h_index == num_of(row, "h_index"));
		CHECK(r.i10_index == num_of(row, "i10_index"));
		CHECK(store_researcher_works(t, id, 0, 0, each_listed, &l) == 0);
		CHECK(l.n == r.works && l.missing == 0);
		/* Without an institution of its own record, one of those its
		 * authorships name (none: none). */
		if (!json_object_get(authors, key) ||
		    json_array_size(json_object_get(json_object_get(authors,
		    key), "institutions")) == 0) {
			json_t *on = json_object_get(row, "institutions_on_works"), *x;
			size_t i;
			int found = 0;

			json_array_foreach(on, i, x)
				found |= sv_eq_cstr(r.institution,
				    json_string_value(x));
			if (!(json_array_size(on) ? found : r.institution.n == 0))
				printf("# %s: institution \"%.*s\"\n", key,
				    (int)r.institution.n, r.institution.p);
			CHECK(json_array_size(on) ? found : r.institution.n == 0);
			from_works += json_array_size(on) > 0;
		}
	}
	CHECK(checked == 165);
	printf("# %zu researchers named an institution by their works only\n",
	    from_works);
	CHECK(from_works > 0);
	/* The placeholder's author line made nobody either. */
	{
		struct store_researcher r;

		CHECK(store_researcher_by_id(t, SV_LIT("A5317838346"), &r) ==
		    STORE_NOTFOUND);
	}

	/* Author records: ORCID, OpenAlex's own figures, institutions. */
	json_object_foreach(authors, key, row) {
		struct store_researcher r;
		struct store_inst x;
		json_t *stats = json_object_get(row, "summary_stats");
		size_t pos = 0, n = 0;

		if (strcmp(key, "A5317838346") == 0)
			continue;
		REQUIRE(store_researcher_by_id(t, (struct sv){ key,
		    strlen(key) }, &r) == 0);
		CHECK(sv_is(r.orcid, str_of(row, "orcid")));
		CHECK(r.oa_cited == num_of(row, "cited_by_count"));
		CHECK(r.oa_stats == json_is_object(stats));
		CHECK(r.oa_h_index == num_of(stats, "h_index"));
		CHECK(r.oa_i10_index == num_of(stats, "i10_index"));
		CHECK(r.n_years == json_array_size(json_object_get(row,
		    "counts_by_year")));
		while (store_researcher_inst_next(&r, &pos, &x) == 0)
			n++;
		CHECK(n == r.n_insts);
		/* Named anywhere: never "Affiliation not imported". */
		if (json_array_size(json_object_get(row, "institutions")) > 0)
			CHECK(r.institution.n > 0 && r.n_insts > 0);
	}

	/* Works as the newest version of each has them. */
	json_object_foreach(works, key, row) {
		struct store_work w;
		struct store_author_ref a;
		const char *ids[64], *names[64];
		size_t n, i = 0, pos = 0;

		REQUIRE(store_work_by_id(t, (struct sv){ key, strlen(key) },
		    &w) == 0);
		CHECK(sv_is(w.date, str_of(row, "publication_date")));
		CHECK(sv_is(w.oa_url, str_of(row, "oa_url")));
		CHECK(sv_is(w.venue, str_of(row, "venue")));
		CHECK(sv_is(w.abstract, str_of(row, "abstract")));
		CHECK(w.cited == num_of(row, "cited_by_count"));
		CHECK(!!(w.flags & STORE_WORK_PARATEXT) ==
		    json_is_true(json_object_get(row, "is_paratext")));
		n = shown_authors(row, ids, names, 64);
		CHECK(w.n_authors == n);
		while (i < n && store_work_author_next(&w, &pos, &a) == 0) {
			CHECK(sv_is(a.id, ids[i]) && sv_is(a.name, names[i]));
			nameonly += a.id.n == 0;
			i++;
		}
	}
	CHECK(nameonly > 0);
	store_read_end(t);
	store_close(s);
	json_decref(aw);
	json_decref(works);
	json_decref(authors);
	buf_free(&b);
}

/* ---- shown: what no real record here has, made from one that is real ---------- */

/*
 * Jason Priem's 2025 work, as recorded, and two copies of it under other
 * ids: one retracted, one without a title (as 16 of 2023's grants are,
 * which have no authors to show them on). His profile shows them so.
 */
static void
view_real(void)
{
	const char *store = path_in(scratch, "vstore");
	const char *works = path_in(scratch, "vworks.jsonl");
	struct buf all = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	json_t *w = NULL, *row;
	char *line, *save = NULL, *a, *b, *c;
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct page pg;
	struct viewer v;
	FILE *f;

	REQUIRE(slurp(fx("works-2025.jsonl"), &all) == 0);
	for (line = strtok_r(all.p, "\n", &save); line != NULL && w == NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "A5023888391") != NULL &&
		    strstr(line, "\"best_oa_location\":{") != NULL)
			w = json_loads(line, 0, NULL);
	REQUIRE(w != NULL);
	a = json_dumps(w, JSON_COMPACT);
	row = json_deep_copy(w);
	json_object_set_new(row, "id", json_string("https://openalex.org/W9999999901"));
	json_object_set_new(row, "is_retracted", json_true());
	b = json_dumps(row, JSON_COMPACT);
	json_decref(row);
	row = json_deep_copy(w);
	json_object_set_new(row, "id", json_string("https://openalex.org/W9999999902"));
	json_object_set_new(row, "title", json_null());
	json_object_set_new(row, "display_name", json_null());
	c = json_dumps(row, JSON_COMPACT);
	json_decref(row);
	REQUIRE((f = fopen(works, "w")) != NULL);
	fprintf(f, "%s\n%s\n%s\n", a, b, c);
	REQUIRE(fclose(f) == 0);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--authors", fx("authors-2025.jsonl"), "--works", works, NULL) == 0);
	REQUIRE(views_load(root_path("views"), &err) == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A5023888391"), &r) == 0);
	page_init(&pg);
	CHECK(view_profile(t, &r, &pg) == 0);
	memset(&v, 0, sizeof(v));
	page_fill(&pg, &v, &out);
	buf_putc(&out, '\0');
	CHECK(has(&out, "<span class=\"tag tag-retracted\">Retracted</span>"));
	CHECK(has(&out, "<li class=\"work work-retracted\">"));
	CHECK(has(&out, "<span class=\"untitled\">Untitled work</span>"));
	CHECK(has(&out, "Cited by "));
	CHECK(has(&out, "class=\"work-oa\" href=\"https://"));
	CHECK(has(&out, "Published <time datetime=\""));
	/* OpenAlex's figures beside the catalog's, said to be theirs. */
	CHECK(has(&out, "<td class=\"fig-oa-h\">17</td>"));
	CHECK(has(&out, "OpenAlex: the author record's own figures"));
	CHECK(has(&out, "<td class=\"fig-cited\">"));
	page_free(&pg);
	store_read_end(t);
	store_close(s);
	views_unload();
	json_decref(w);
	free(a);
	free(b);
	free(c);
	buf_free(&all);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	scratch = tdir_make();
	parse_real();
	import_real();
	view_real();
	tdir_remove(scratch);
	CHECK_DONE();
}
