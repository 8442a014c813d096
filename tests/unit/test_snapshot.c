/* test_snapshot.c: snapshot folders read through their manifests (snapshot.c), refused for every way a manifest can disagree with the folder or mislead the importer (links out of it, counts past the limits, days that are not); the merged and deleted ids files (import_merge.c) through bzpeer-import, bad rows and headers, merges that loop. */
#include "check.h"
#include "test_import_util.h"

#include "../../store/snapshot.h"
#include "../../store/store.h"

static char *scratch;

/* Makes the parent directories of path (under scratch) and writes s. */
static void
put(const char *path, const char *s)
{
	char *d = xstrndup(path, strlen(path)), *p;

	for (p = d + strlen(scratch) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(d, 0700);
		*p = '/';
	}
	free(d);
	spits(path, s);
}

/* snapshot_scan() of dir: its return, and what it logged in log. */
static int
scan(const char *dir, struct snapshot *s, struct buf *log)
{
	const char *lp = path_in(scratch, "scan.log");
	FILE *f = fopen(lp, "w");
	int rc;

	REQUIRE(f != NULL);
	rc = snapshot_scan(dir, s, f);
	fclose(f);
	slurp(lp, log);
	buf_putc(log, '\0');
	return rc;
}

static void
refusals(void)
{
	const char *d = path_in(scratch, "bad");
	const char *part = path_in(d, "data/works/updated_date=2024-01-02/0000_part_00.gz");
	const char *man = path_in(d, "data/works/manifest");
	struct snapshot s;
	struct buf log = BUF_INIT;
	static const struct {
		const char *manifest, *says;
	} bad[] = {
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/..\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "not a file name" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/authors/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "not a part of this entity" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "not under updated_date=YYYY-MM-DD/" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3}}]}", "no url, content_length or record_count" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":4,\"record_count\":1}}]}", "3 bytes, the manifest says 4" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0001_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "0001_part_00.gz: missing" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}},"
		  "{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "listed twice" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}],"
		  "\"meta\":{\"content_length\":3,\"record_count\":2}}", "totals disagree" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/../../../../etc/passwd\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "not a file name" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/x\\nbzpeer-import: done\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "/x\\x0abzpeer-import: done: not a file name" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-02-30/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "(a date of the calendar)" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2023-02-29/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}]}", "(a date of the calendar)" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":-3,\"record_count\":1}}]}", "no url, content_length or record_count" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":2199023255552}}]}", "record_count (from 0 to 2^40)" },
		{ "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\","
		  "\"meta\":{\"content_length\":3,\"record_count\":1}}],"
		  "\"meta\":{\"content_length\":3,\"record_count\":-1}}", "totals disagree" },
		{ "{\"entries\":{}}", "no \"entries\" list" },
		{ "{\"entries\":[", "not a manifest" },
	};
	size_t i;

	CHECK(scan(d, &s, &log) == -1 &&
	    strstr(log.p, "not an OpenAlex snapshot folder") != NULL);
	put(part, "{}\n");
	CHECK(scan(d, &s, &log) == -1 && strstr(log.p, "manifest: missing") != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(man, bad[i].manifest);
		CHECK(scan(d, &s, &log) == -1 && strstr(log.p, bad[i].says) != NULL);
		if (strstr(log.p, bad[i].says) == NULL)
			fprintf(stderr, "# %zu: %s\n", i, log.p);
	}
	buf_free(&log);
}

static void
layouts(void)
{
	const char *d = path_in(scratch, "cur");
	const char *w = path_in(d, "data/jsonl/works");
	struct snapshot s;
	struct buf log = BUF_INIT;

	put(path_in(w, "updated_date=2024-03-01/part_0000.gz"), "{}\n{}\n");
	put(path_in(w, "updated_date=2024-01-01/part_0001.gz"), "{}\n");
	put(path_in(w, "updated_date=2024-01-01/part_0000.gz"), "{}\n");
	/* Left behind by a sync without --delete: not in the manifest. */
	put(path_in(w, "updated_date=2023-01-01/part_0000.gz"), "stale\n");
	put(path_in(w, "manifest.json"), "{\"entries\":["
	    "{\"url\":\"s3://openalex/data/jsonl/works/updated_date=2024-03-01/part_0000.gz\","
	    "\"meta\":{\"content_length\":6,\"record_count\":2}},"
	    "{\"url\":\"s3://openalex/data/jsonl/works/updated_date=2024-01-01/part_0001.gz\","
	    "\"meta\":{\"content_length\":3,\"record_count\":1}},"
	    "{\"url\":\"s3://openalex/data/jsonl/works/updated_date=2024-01-01/part_0000.gz\","
	    "\"meta\":{\"content_length\":3,\"record_count\":1}}],"
	    "\"meta\":{\"content_length\":12,\"record_count\":4}}");
	put(path_in(w, "deleted_ids.csv"), "work_id,deleted_date\n");
	put(path_in(d, "legacy-data/merged_ids/authors/2023-02-01.csv.gz"), "x");
	put(path_in(d, "data/merged_ids/authors/2022-06-07.csv"), "x");
	put(path_in(d, "data/merged_ids/authors/README"), "not a merge file");
	REQUIRE(scan(d, &s, &log) == 0);
	CHECK(strcmp(s.layout, "current") == 0);
	CHECK(s.authors.n == 0 && s.works.n == 3 && s.bytes == 12);
	CHECK(strcmp(s.works.v[0].date, "2024-01-01") == 0 &&
	    strstr(s.works.v[0].path, "part_0000.gz") != NULL &&
	    strstr(s.works.v[1].path, "2024-01-01/part_0001.gz") != NULL &&
	    strcmp(s.works.v[2].date, "2024-03-01") == 0 &&
	    s.works.v[2].records == 2 && s.works.v[2].bytes == 6);
	CHECK(s.deleted.n == 1 && strstr(s.deleted.v[0].path, "deleted_ids.csv"));
	CHECK(s.merged_authors.n == 2 &&
	    strcmp(s.merged_authors.v[0].date, "2022-06-07") == 0 &&
	    strcmp(s.merged_authors.v[1].date, "2023-02-01") == 0 &&
	    s.merged_works.n == 0);
	snapshot_free(&s);

	/* Without its own manifest.json, the combined one of data/jsonl/. */
	rename(path_in(w, "manifest.json"), path_in(d, "data/jsonl/manifest.json"));
	put(path_in(d, "data/jsonl/manifest.json"), "{\"entries\":["
	    "{\"url\":\"s3://openalex/data/jsonl/sources/updated_date=2024-03-01/part_0000.gz\","
	    "\"meta\":{\"content_length\":6,\"record_count\":2}},"
	    "{\"url\":\"s3://openalex/data/jsonl/works/updated_date=2024-03-01/part_0000.gz\","
	    "\"meta\":{\"content_length\":6,\"record_count\":2}}],"
	    "\"meta\":{\"content_length\":12,\"record_count\":4}}");
	REQUIRE(scan(d, &s, &log) == 0);
	CHECK(s.works.n == 1 && s.works.v[0].records == 2 && s.bytes == 6);
	snapshot_free(&s);
	buf_free(&log);
}

/* A legacy snapshot of one work part, plus merged and deleted files. */
static const char *
legacy(const char *name, const char *merged, const char *deleted)
{
	const char *d = path_in(scratch, name);
	const char *line = "{\"id\":\"https://openalex.org/W1\",\"title\":\"T\","
	    "\"publication_year\":2020,\"authorships\":[{\"author\":{\"id\":"
	    "\"https://openalex.org/A1\",\"display_name\":\"Ada Lovelace\"}},"
	    "{\"author\":{\"id\":\"https://openalex.org/A2\",\"display_name\":"
	    "\"Ada Lovelace\"}}]}\n";

	put(path_in(d, "data/works/updated_date=2024-01-01/0000_part_00.gz"), line);
	{
		char m[512];

		snprintf(m, sizeof(m), "{\"entries\":[{\"url\":"
		    "\"s3://openalex/data/works/updated_date=2024-01-01/0000_part_00.gz\","
		    "\"meta\":{\"content_length\":%zu,\"record_count\":1}}]}",
		    strlen(line));
		put(path_in(d, "data/works/manifest"), m);
	}
	if (merged)
		put(path_in(d, "data/merged_ids/authors/2024-02-01.csv"), merged);
	if (deleted)
		put(path_in(d, "data/works/deleted_ids.csv"), deleted);
	return d;
}

static void
csv_files(void)
{
	const char *store = path_in(scratch, "store");
	const char *out = path_in(scratch, "out"), *err = path_in(scratch, "err");
	const char *d;
	struct buf b = BUF_INIT;

	mkdir(store, 0700);
	d = legacy("h", "merge_id,id\n", NULL);
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 1);
	slurp(err, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "2024-02-01.csv:1: not the header \"merge_date,id,merge_into_id\""));
	CHECK(strstr(b.p, "the store is unchanged"));

	d = legacy("r", "merge_date,id,merge_into_id\n2024-02-01,A1\n"
	    "2024-02-01,A1,W2\nbad-date,A1,A2\n\"2024-02-01\",\"A1\",\"https://openalex.org/A2\"\n",
	    "work_id,deleted_date\nW1,yesterday\n");
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, "--strict", NULL) == 1);
	slurp(err, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "2024-02-01.csv:2: not merge_date,id,merge_into_id"));
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	slurp(err, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "2024-02-01.csv:3: not merge_date") &&
	    strstr(b.p, "2024-02-01.csv:4: not merge_date") &&
	    strstr(b.p, "deleted_ids.csv:2: not work_id,deleted_date"));
	slurp(out, &b);
	buf_putc(&b, '\0');
	/* The quoted row merged A1 into A2 before either had a slug: A2 gets
	 * the first one, and nobody is left on "-2". */
	CHECK(strstr(b.p, "1 researchers merged, 0 works deleted") &&
	    strstr(b.p, "4 bad lines"));
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nmerged A1 \"A2\"\n") &&
	    strstr(b.p, "\nslugs ada-lovelace A2\n") &&
	    strstr(b.p, "\nslugs ada-lovelace-2 ") == NULL &&
	    strstr(b.p, "\nresearchers A1 ") == NULL &&
	    strstr(b.p, "slug=\"ada-lovelace\" name=\"Ada Lovelace\""));

	/* Later, A2 is merged into A3, which the store has never seen: A3 is
	 * A2's record under the new id, and A1 leads to it through A2. */
	put(path_in(d, "data/merged_ids/authors/2024-03-01.csv"),
	    "merge_date,id,merge_into_id\n2024-03-01,A2,A3\n");
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "0 partition files read, 1 applied before; "
	    "1 researchers merged") != NULL);
	{
		struct store *st;
		struct store_rtxn *t;
		struct store_researcher r;

		REQUIRE(store_open(store, STORE_RDONLY, &st) == 0);
		REQUIRE(store_read_begin(st, &t) == 0);
		CHECK(store_researcher_by_id(t, SV_LIT("A1"), &r) == 0 &&
		    sv_eq_cstr(r.id, "A3") && sv_eq_cstr(r.slug, "ada-lovelace") &&
		    r.works == 1);
		CHECK(store_researcher_by_id(t, SV_LIT("A2"), &r) == 0 &&
		    sv_eq_cstr(r.id, "A3"));
		CHECK(store_researcher_by_slug(t, SV_LIT("ada-lovelace"), &r) == 0 &&
		    sv_eq_cstr(r.id, "A3"));
		CHECK(store_researcher_by_id(t, SV_LIT("A4"), &r) ==
		    STORE_NOTFOUND);
		store_read_end(t);
		store_close(st);
	}

	/* A later record of a merged id does not bring it back. */
	{
		const char *al = "{\"id\":\"https://openalex.org/A1\","
		    "\"display_name\":\"Ada L.\"}\n";
		char m[512];

		put(path_in(d, "data/authors/updated_date=2024-03-15/0000_part_00.gz"),
		    al);
		snprintf(m, sizeof(m), "{\"entries\":[{\"url\":\"s3://openalex/"
		    "data/authors/updated_date=2024-03-15/0000_part_00.gz\","
		    "\"meta\":{\"content_length\":%zu,\"record_count\":1}}]}",
		    strlen(al));
		put(path_in(d, "data/authors/manifest"), m);
	}
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "1 authors, 0 works") && strstr(b.p, "1 partition files read"));
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nresearchers A1 ") == NULL &&
	    strstr(b.p, "Ada L.") == NULL);
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "stats",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nmerged 2\nsnapshot_authors 2024-03-15\n"
	    "snapshot_works 2024-01-01\n") != NULL);

	/* A work merged into another is gone: its authors lose it. */
	put(path_in(d, "data/merged_ids/works/2024-04-01.csv.gz"),
	    "merge_date,id,merge_into_id\n2024-04-01,W1,W2\n");
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "0 researchers merged, 1 works deleted") != NULL);
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nworks W1 ") == NULL && strstr(b.p, "\nrworks ") == NULL &&
	    strstr(b.p, "\nresearchers A3 ") != NULL && strstr(b.p, " works=0 "));
	buf_free(&b);
}

/* Whether the store's dump is still `was` (the store unchanged). */
static int
unchanged(const char *store, const struct buf *was)
{
	struct buf now = BUF_INIT;
	int same;

	same = dump_store(store, scratch, 0, &now) == 0 && now.len == was->len &&
	    memcmp(now.p, was->p, now.len) == 0;
	buf_free(&now);
	return same;
}

/* stderr of the last run, NUL-terminated, in b. */
static const char *
err_of(const char *err, struct buf *b)
{
	slurp(err, b);
	buf_putc(b, '\0');
	return b->p;
}

/* A folder made to mislead the importer: links out of it, a part far
 * larger than its manifest says, merges that loop or go nowhere. */
static void
hostile(void)
{
	const char *store = path_in(scratch, "hstore");
	const char *out = path_in(scratch, "hout"), *err = path_in(scratch, "herr");
	const char *d = legacy("ln", NULL, NULL);
	const char *part = path_in(d, "data/works/updated_date=2024-01-01/0000_part_00.gz");
	const char *man = path_in(d, "data/works/manifest");
	const char *csv = path_in(d, "data/merged_ids/authors/2024-02-01.csv");
	const char *del = path_in(d, "data/works/deleted_ids.csv");
	const char *away = path_in(scratch, "elsewhere");
	struct snapshot s;
	struct buf log = BUF_INIT, b = BUF_INIT, was = BUF_INIT;
	char *line;

	/* A link inside the folder to a file inside it is fine. */
	slurp(part, &b);
	line = xstrndup(b.p, b.len);
	put(path_in(d, "data/works/real.gz"), line);
	REQUIRE(unlink(part) == 0 && symlink("../real.gz", part) == 0);
	CHECK(scan(d, &s, &log) == 0);
	snapshot_free(&s);
	/* To a file outside, the same bytes: refused, naming the link. */
	spits(away, line);
	REQUIRE(unlink(part) == 0 && symlink(away, part) == 0);
	CHECK(scan(d, &s, &log) == -1 &&
	    strstr(log.p, "0000_part_00.gz: a link to outside ") != NULL);
	REQUIRE(unlink(part) == 0);
	put(part, line);
	REQUIRE(scan(d, &s, &log) == 0);
	snapshot_free(&s);
	/* The manifest, a merged ids file, the deleted ids. */
	slurp(man, &b);
	buf_putc(&b, '\0');
	spits(path_in(scratch, "manifest-away"), b.p);
	REQUIRE(unlink(man) == 0 &&
	    symlink(path_in(scratch, "manifest-away"), man) == 0);
	CHECK(scan(d, &s, &log) == -1 &&
	    strstr(log.p, "data/works/manifest: a link to outside ") != NULL);
	REQUIRE(unlink(man) == 0);
	put(man, b.p);
	put(path_in(d, "data/merged_ids/authors/x"), "");
	REQUIRE(symlink(away, csv) == 0);
	CHECK(scan(d, &s, &log) == -1 &&
	    strstr(log.p, "2024-02-01.csv: a link to outside ") != NULL);
	REQUIRE(unlink(csv) == 0);
	put(path_in(d, "data/merged_ids/authors/2024-02-30.csv"), "");
	CHECK(scan(d, &s, &log) == -1 && strstr(log.p,
	    "2024-02-30.csv: named for a day that is not one") != NULL);
	REQUIRE(unlink(path_in(d, "data/merged_ids/authors/2024-02-30.csv")) == 0);
	REQUIRE(symlink(away, del) == 0);
	CHECK(scan(d, &s, &log) == -1 &&
	    strstr(log.p, "deleted_ids.csv: a link to outside ") != NULL);
	REQUIRE(unlink(del) == 0);

	/* A first import, to have something that must not change. */
	mkdir(store, 0700);
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	REQUIRE(dump_store(store, scratch, 0, &was) == 0);

	/* A part holding far more than its manifest's one record (a gzip
	 * bomb would): stopped at the first batch over it, nothing kept. */
	{
		const char *big = path_in(d, "data/works/updated_date=2024-05-01/0000_part_00.gz");
		struct buf lines = BUF_INIT;
		char m[1024];
		int i;

		for (i = 0; i < 5000; i++)
			buf_puts(&lines, line);
		buf_putc(&lines, '\0');
		put(big, lines.p);
		snprintf(m, sizeof(m), "{\"entries\":[{\"url\":"
		    "\"s3://openalex/data/works/updated_date=2024-01-01/0000_part_00.gz\","
		    "\"meta\":{\"content_length\":%zu,\"record_count\":1}},{\"url\":"
		    "\"s3://openalex/data/works/updated_date=2024-05-01/0000_part_00.gz\","
		    "\"meta\":{\"content_length\":%zu,\"record_count\":1}}]}",
		    strlen(line), lines.len - 1);
		put(man, m);
		CHECK(run(out, err, bin("bzpeer-import"), "--store", store,
		    "--snapshot", d, NULL) == 1);
		CHECK(strstr(err_of(err, &b), "updated_date=2024-05-01/0000_part_00.gz: "
		    "more than the 1 records its manifest says; not read further") &&
		    strstr(b.p, "the store is unchanged"));
		CHECK(unchanged(store, &was));
		unlink(big);
		buf_free(&lines);
	}
	{
		char m[512];

		snprintf(m, sizeof(m), "{\"entries\":[{\"url\":"
		    "\"s3://openalex/data/works/updated_date=2024-01-01/0000_part_00.gz\","
		    "\"meta\":{\"content_length\":%zu,\"record_count\":1}}]}",
		    strlen(line));
		put(man, m);
	}

	/* Merges: into itself, a loop, a day that is not one. Strict: the
	 * first fails the import, nothing changed. */
	put(csv, "merge_date,id,merge_into_id\n2024-02-01,A1,A1\n"
	    "2024-02-01,A1,A2\n2024-02-01,A2,A1\n2024-02-30,A2,A3\n");
	put(path_in(d, "data/merged_ids/works/2024-02-01.csv"),
	    "merge_date,id,merge_into_id\n2024-02-01,W1,W1\n2024-02-01,W7,W8\n"
	    "2024-02-01,W8,W7\n");
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, "--strict", NULL) == 1);
	CHECK(strstr(err_of(err, &b), "2024-02-01.csv:2: a merge into itself"));
	CHECK(unchanged(store, &was));
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	err_of(err, &b);
	CHECK(strstr(b.p, "authors/2024-02-01.csv:2: a merge into itself") &&
	    strstr(b.p, "authors/2024-02-01.csv:4: a merge into one merged into "
	    "it (a loop): not applied") &&
	    strstr(b.p, "authors/2024-02-01.csv:5: not merge_date,id,merge_into_id") &&
	    strstr(b.p, "works/2024-02-01.csv:2: a merge into itself") &&
	    strstr(b.p, "works/2024-02-01.csv:4: a merge into one merged into"));
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "1 researchers merged, 0 works deleted") != NULL);
	CHECK(dump_store(store, scratch, 0, &b) == 0);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nmerged A1 \"A2\"\n") && !strstr(b.p, "\nmerged A2 ") &&
	    strstr(b.p, "\nresearchers A2 ") && strstr(b.p, "\nworks W1 "));
	free(line);
	buf_free(&log);
	buf_free(&b);
	buf_free(&was);
}

/*
 * A survivor merged in its turn, again and again: every old id and slug
 * still leads to the end of the chain, however long, in one hop.
 */
/* The researchers of chains(): A1..A12, and A20. */
static int
chain_author(int k)
{
	return (k >= 1 && k <= 12) || k == 20;
}

static void
chains(void)
{
	const char *d = path_in(scratch, "chain");
	const char *store = path_in(scratch, "chain-store");
	const char *out = path_in(scratch, "out"), *err = path_in(scratch, "err");
	struct buf lines = BUF_INIT, b = BUF_INIT;
	char m[512], name[128], text[128];
	int k;

	/* A1..A12 and A20, a work each, all "Ada Lovelace". */
	for (k = 1; k <= 20; k++) {
		if (!chain_author(k))
			continue;
		snprintf(m, sizeof(m), "{\"id\":\"https://openalex.org/W%d\",\"title\":"
		    "\"T%d\",\"publication_year\":2020,\"authorships\":[{\"author\":"
		    "{\"id\":\"https://openalex.org/A%d\",\"display_name\":\"Ada "
		    "Lovelace\"}}]}\n", k, k, k);
		buf_puts(&lines, m);
	}
	buf_putc(&lines, '\0');
	put(path_in(d, "data/works/updated_date=2024-01-01/0000_part_00.gz"), lines.p);
	snprintf(m, sizeof(m), "{\"entries\":[{\"url\":"
	    "\"s3://openalex/data/works/updated_date=2024-01-01/0000_part_00.gz\","
	    "\"meta\":{\"content_length\":%zu,\"record_count\":13}}]}",
	    lines.len - 1);
	put(path_in(d, "data/works/manifest"), m);
	/* A1 into A2 on Feb 1, A2 into A3 on Feb 2, ... A11 into A12; then
	 * A20 into A1, which is A12 by then. */
	for (k = 1; k <= 12; k++) {
		snprintf(name, sizeof(name), "data/merged_ids/authors/2024-02-%02d.csv", k);
		snprintf(text, sizeof(text), "merge_date,id,merge_into_id\n"
		    "2024-02-%02d,A%d,A%d\n", k, k < 12 ? k : 20, k < 12 ? k + 1 : 1);
		put(path_in(d, name), text);
	}
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "12 researchers merged") != NULL);
	{
		struct store *st;
		struct store_rtxn *t;
		struct store_researcher r;
		char id[16];
		int all = 1;

		REQUIRE(store_open(store, STORE_RDONLY, &st) == 0);
		REQUIRE(store_read_begin(st, &t) == 0);
		for (k = 1; k <= 20; k++) {
			if (!chain_author(k))
				continue;
			snprintf(id, sizeof(id), "A%d", k);
			if (store_researcher_by_id(t, sv_cstr(id), &r) != 0 ||
			    !sv_eq_cstr(r.id, "A12") || r.works != 13) {
				fprintf(stderr, "# %s: not A12 with 13 works\n", id);
				all = 0;
			}
		}
		CHECK(all);
		CHECK(store_researcher_by_slug(t, SV_LIT("ada-lovelace"), &r) == 0 &&
		    sv_eq_cstr(r.id, "A12"));
		store_read_end(t);
		store_close(st);
	}
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	CHECK(strstr(b.p, "\nmerged A1 \"A12\"\n") &&
	    strstr(b.p, "\nmerged A11 \"A12\"\n") &&
	    strstr(b.p, "\nmerged A20 \"A12\"\n") &&
	    strstr(b.p, "\nresearchers A12 ") && !strstr(b.p, "\nresearchers A1 "));

	/* Later, the end of the chain goes into one the store has not seen. */
	put(path_in(d, "data/merged_ids/authors/2024-03-01.csv"),
	    "merge_date,id,merge_into_id\n2024-03-01,A12,A13\n");
	CHECK(run(out, err, bin("bzpeer-import"), "--store", store, "--snapshot",
	    d, NULL) == 0);
	CHECK(run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 0);
	slurp(out, &b);
	buf_putc(&b, '\0');
	{
		int all = 1;

		for (k = 1; k <= 20; k++) {
			if (!chain_author(k))
				continue;
			snprintf(text, sizeof(text), "\nmerged A%d \"A13\"\n", k);
			if (strstr(b.p, text) == NULL) {
				fprintf(stderr, "# A%d: not straight to A13\n", k);
				all = 0;
			}
		}
		CHECK(all && strstr(b.p, "\nresearchers A13 ") &&
		    !strstr(b.p, "\nresearchers A12 "));
	}
	buf_free(&lines);
	buf_free(&b);
}

static void
usage(void)
{
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", scratch,
	    "--snapshot", scratch, "--works", "x", NULL) == 2);
	CHECK(run(NULL, NULL, bin("bzpeer-import"), "--store", scratch,
	    "--snapshot", NULL) == 2);
}

int
main(void)
{
	scratch = tdir_make();
	refusals();
	layouts();
	csv_files();
	hostile();
	chains();
	usage();
	tdir_remove(scratch);
	CHECK_DONE();
}
