/* test_store.c: opening the store (schema, empty, missing), read transactions, map growth and map full, damaged records. */
#include <errno.h>
#include <string.h>

#include "../../store/codec.h"
#include "../../store/store.h"
#include "check.h"
#include "test_import_util.h"

#define MDB_LOAD "/usr/bin/mdb_load"

static char *scratch;

static const char *
fx(const char *name)
{
	return path_in(root_path("tests/fixtures/import"), name);
}

#define STR(x) #x
#define XSTR(x) STR(x)

static int
import_fixture(const char *store)
{
	return run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--authors", fx("authors.jsonl"), "--works", fx("works.jsonl"),
	    NULL);
}

/*
 * Writes key/value pairs (mdb_load -T text) into database db of store: in
 * its catalog's environment, or its user data's for a database of user
 * data (followers).
 */
static int
mdb_load(const char *store, const char *db, const char *text)
{
	const char *in = path_in(scratch, "load.txt");
	const char *env = path_in(store, strcmp(db, "followers") == 0 ?
	    "user" : "catalog");

	spits(in, text);
	return run_stdin(in, NULL, NULL, MDB_LOAD, "-T", "-s", db, env, NULL);
}

static int
have_mdb_load(void)
{
	if (access(MDB_LOAD, X_OK) == 0)
		return 1;
	printf("ok - # SKIP %s missing (Debian package lmdb-utils)\n", MDB_LOAD);
	return 0;
}

/* A store written with another schema version is refused, and left alone. */
static void
bad_schema(void)
{
	const char *store = path_in(scratch, "schema");
	const char *err = path_in(scratch, "err");
	struct buf before = BUF_INIT, after = BUF_INIT, b = BUF_INIT;
	struct store *s = NULL;

	if (!have_mdb_load())
		return;
	REQUIRE(import_fixture(store) == 0);
	REQUIRE(dump_store(store, scratch, 0, &before) == 0);
	REQUIRE(mdb_load(store, "meta", "schema\nc\\00\\00\\00\n") == 0);
	CHECK(store_open(store, STORE_RDONLY, &s) == STORE_BADSCHEMA && !s);
	CHECK(store_open(store, 0, &s) == STORE_BADSCHEMA && s == NULL);
	CHECK(store_open(store, STORE_RDONLY | STORE_EMPTY_OK, &s) ==
	    STORE_BADSCHEMA);
	CHECK(run(NULL, err, bin("bzpeer-import"), "--store", store,
	    "--works", fx("works-v2.jsonl"), NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	/* The refusal names both versions, the program that wrote the
	 * store (schema 2 on) and what to do. */
	CHECK(has(&b, "schema version 99 (written by bzpeer-import "));
	CHECK(has(&b, " is newer than this program's " XSTR(STORE_SCHEMA_VERSION)
	    ": upgrade bzpeer to the version that wrote it, or restore a "
	    "backup"));
	CHECK(has(&b, "unknown schema version"));
	CHECK(run(NULL, err, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "unknown schema version"));
	/* An older version is refused too, naming the command that upgrades it. */
	REQUIRE(mdb_load(store, "meta", "schema\n\\01\\00\\00\\00\n") == 0);
	CHECK(store_open(store, STORE_RDONLY, &s) == STORE_OLDSCHEMA && !s);
	CHECK(store_open(store, 0, &s) == STORE_OLDSCHEMA && !s);
	CHECK(run(NULL, err, bin("bzpeer-admin"), "--store", store, "stats",
	    NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "schema version 1 is older than this program's "
	    XSTR(STORE_SCHEMA_VERSION) ": upgrade the store with `bzpeer-admin "
	    "--store "));
	CHECK(has(&b, " migrate` (it backs it up first)"));
	/* Nothing was written meanwhile: put the version back and compare. */
	REQUIRE(mdb_load(store, "meta", "schema\n\\0" XSTR(STORE_SCHEMA_VERSION)
	    "\\00\\00\\00\n") == 0);
	REQUIRE(dump_store(store, scratch, 0, &after) == 0);
	CHECK(before.len == after.len &&
	    memcmp(before.p, after.p, before.len) == 0);
	/* A schema value of the wrong size is corruption. */
	REQUIRE(mdb_load(store, "meta", "schema\n\\01\\00\n") == 0);
	CHECK(store_open(store, STORE_RDONLY, &s) == STORE_CORRUPT);
	buf_free(&before);
	buf_free(&after);
	buf_free(&b);
}

static void
empty_and_missing(void)
{
	const char *nodir = path_in(scratch, "no-such-dir");
	const char *fresh = path_in(scratch, "fresh");
	struct store *s = NULL;
	struct store_rtxn *t;
	struct store_stats st;
	struct store_researcher r;
	mode_t old_mask;

	CHECK(store_open(nodir, STORE_RDONLY, &s) == ENOENT && s == NULL);
	CHECK(store_open(nodir, 0, &s) == ENOENT);
	CHECK(store_open(fresh, STORE_RDONLY | STORE_CREATE, &s) ==
	    STORE_INVALID);
	CHECK(store_open("", 0, &s) == STORE_INVALID);
	/* Under the usual umask the store is still its owner's alone: it
	 * holds claimants' emails and everyone's follows. */
	old_mask = umask(022);
	REQUIRE(store_open(fresh, STORE_CREATE, &s) == 0);
	umask(old_mask);
	store_close(s);
	CHECK(mode_of(fresh) == 0700);
	CHECK(mode_of(path_in(fresh, "catalog")) == 0700);
	CHECK(mode_of(path_in(fresh, "user")) == 0700);
	CHECK(mode_of(path_in(fresh, "catalog/data.mdb")) == 0600);
	CHECK(mode_of(path_in(fresh, "catalog/lock.mdb")) == 0600);
	CHECK(mode_of(path_in(fresh, "user/data.mdb")) == 0600);
	CHECK(mode_of(path_in(fresh, "user/lock.mdb")) == 0600);
	CHECK(store_open(fresh, STORE_RDONLY, &s) == STORE_EMPTY);
	REQUIRE(store_open(fresh, STORE_RDONLY | STORE_EMPTY_OK, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 0);
	CHECK(store_stats(t, &st) == 0 && st.schema == STORE_SCHEMA_VERSION &&
	    st.researchers == 0 && st.works == 0 && st.map_size > 0);
	CHECK(store_researcher_by_slug(t, SV_LIT("x"), &r) == STORE_NOTFOUND);
	store_read_end(t);
	store_close(s);
	CHECK(strcmp(store_strerror(STORE_EMPTY), "no catalog imported yet")
	    == 0);
	CHECK(strstr(store_strerror(ENOENT), "No such file") != NULL);
}

static int
count_work(void *ctx, const struct store_work *w)
{
	(void)w;
	++*(size_t *)ctx;
	return 0;
}

/* Read transactions: many in turn (renewed), two at once. */
static void
read_txns(void)
{
	const char *store = path_in(scratch, "reads");
	struct store *s;
	struct store_rtxn *t1, *t2;
	struct store_researcher r1, r2;
	int i, ok = 1;
	size_t n = 0;

	REQUIRE(import_fixture(store) == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	for (i = 0; i < 2000; i++) {
		if (store_read_begin(s, &t1) != 0 ||
		    store_researcher_by_slug(t1, SV_LIT("gregoire-le"), &r1) != 0 ||
		    r1.works != 4)
			ok = 0;
		store_read_end(t1);
	}
	CHECK(ok);
	REQUIRE(store_read_begin(s, &t1) == 0);
	REQUIRE(store_read_begin(s, &t2) == 0);
	CHECK(t1 != t2);
	CHECK(store_researcher_by_id(t1, SV_LIT("A101"), &r1) == 0);
	CHECK(store_researcher_by_id(t2, SV_LIT("A102"), &r2) == 0);
	CHECK(sv_eq_cstr(r1.name, "Grégoire Lé") && sv_eq_cstr(r2.name,
	    "John Smith"));
	CHECK(store_researcher_works(t2, r1.id, 0, 0, count_work, &n) == 0 &&
	    n == 4);
	store_read_end(t2);
	store_read_end(t1);
	store_read_end(NULL);
	store_close(s);
}

/* Damaged values written behind the store's back read as STORE_CORRUPT. */
static void
damaged(void)
{
	const char *store = path_in(scratch, "damaged");
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct buf b = BUF_INIT;
	uint64_t n = 0;

	if (!have_mdb_load())
		return;
	REQUIRE(import_fixture(store) == 0);
	REQUIRE(mdb_load(store, "followers",
	    "A101\n\\07\\00\\00\\00\\00\\00\\00\\00\nA102\n\\07\\00\\00\n") == 0);
	REQUIRE(mdb_load(store, "researchers", "A103\ngarbage\n") == 0);
	REQUIRE(mdb_load(store, "slugs", "ghost\nA999\n") == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_followers(t, SV_LIT("A101"), &n) == 0 && n == 7);
	CHECK(store_followers(t, SV_LIT("A102"), &n) == STORE_CORRUPT);
	CHECK(store_followers(t, SV_LIT("A104"), &n) == 0 && n == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A103"), &r) == STORE_CORRUPT);
	CHECK(store_researcher_by_slug(t, SV_LIT("john-smith"), &r) ==
	    STORE_CORRUPT);
	CHECK(store_researcher_by_slug(t, SV_LIT("ghost"), &r) ==
	    STORE_CORRUPT);
	/* A101's co-author list holds the damaged A103: the walk says so. */
	CHECK(store_researcher_coauthors(t, SV_LIT("A101"), 0,
	    (store_coauthor_cb)count_work, &n) == STORE_CORRUPT);
	store_read_end(t);
	store_close(s);
	REQUIRE(dump_store(store, scratch, 0, &b) == 0);
	CHECK(has(&b, "\nresearchers A103 !corrupt 67617262616765\n"));
	CHECK(has(&b, "\nfollowers A101 7\n"));
	CHECK(has(&b, "\nfollowers A102 !corrupt 070000\n"));
	buf_free(&b);
}

/*
 * Follower counts and claim states are user data: a re-import keeps them,
 * whether or not the researcher's catalog data changed.
 */
static void
user_data_survives(void)
{
	const char *store = path_in(scratch, "userdata");
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct buf rec = BUF_INIT, text = BUF_INIT;
	uint64_t n = 0;

	if (!have_mdb_load())
		return;
	REQUIRE(import_fixture(store) == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0);
	r.claim = STORE_CLAIM_APPROVED;
	r.orcid_verified = 1;
	r.version++;
	rec_researcher_encode(&rec, &r);
	store_read_end(t);
	store_close(s);
	buf_puts(&text, "A101\n");
	load_hex(&text, rec.p, rec.len);
	REQUIRE(mdb_load(store, "researchers", text.p) == 0);
	REQUIRE(mdb_load(store, "followers",
	    "A101\n\\07\\00\\00\\00\\00\\00\\00\\00\n"
	    "A102\n\\03\\00\\00\\00\\00\\00\\00\\00\n") == 0);

	/* The same files, then a change to A101's and A102's works. */
	REQUIRE(import_fixture(store) == 0);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", store,
	    "--works", fx("works-v2.jsonl"), NULL) == 0);
	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 3);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && r.orcid_verified == 1);
	CHECK(store_level(&r) == 3 && r.version == 3);
	CHECK(r.works == 4 && r.last_year == 2023);   /* works-v2 applied */
	CHECK(store_followers(t, SV_LIT("A101"), &n) == 0 && n == 7);
	CHECK(store_followers(t, SV_LIT("A102"), &n) == 0 && n == 3);
	store_read_end(t);
	store_close(s);
	buf_free(&rec);
	buf_free(&text);
}

/* A works file big enough to need a few MiB of map. */
static void
make_big(const char *path, int works)
{
	struct buf b = BUF_INIT;
	int i, k;

	for (i = 1; i <= works; i++) {
		buf_puts(&b, "{\"id\":\"https://openalex.org/W");
		buf_putu64(&b, 1000000 + (uint64_t)i);
		buf_puts(&b, "\",\"title\":\"Synthetic work ");
		buf_putu64(&b, (uint64_t)i);
		buf_puts(&b, "\",\"publication_year\":");
		buf_putu64(&b, 1990 + (uint64_t)(i % 35));
		buf_puts(&b, ",\"authorships\":[");
		for (k = 0; k < 3; k++) {
			buf_puts(&b, k ? ",{\"author\":{\"id\":\"A" :
			    "{\"author\":{\"id\":\"A");
			buf_putu64(&b, 7000 + (uint64_t)((i * 7 + k * 13) % 400));
			buf_puts(&b, "\",\"display_name\":\"Author ");
			buf_putu64(&b, (uint64_t)((i * 7 + k * 13) % 400));
			buf_puts(&b, "\"}}");
		}
		buf_puts(&b, "],\"topics\":[{\"id\":\"T");
		buf_putu64(&b, 1 + (uint64_t)(i % 20));
		buf_puts(&b, "\",\"display_name\":\"Topic\"}],"
		    "\"abstract_inverted_index\":{");
		for (k = 0; k < 60; k++) {
			buf_puts(&b, k ? ",\"word" : "\"word");
			buf_putu64(&b, (uint64_t)(k * 31 + i));
			buf_puts(&b, "\":[");
			buf_putu64(&b, (uint64_t)k);
			buf_putc(&b, ']');
		}
		buf_puts(&b, "}}\n");
	}
	spit(path, b.p, b.len);
	buf_free(&b);
}

static uint64_t
stat_value(const char *store, const char *name)
{
	const char *out = path_in(scratch, "stats.out");
	struct buf b = BUF_INIT;
	const char *p;
	uint64_t v = 0;

	if (run(out, NULL, bin("bzpeer-admin"), "--store", store, "stats",
	    NULL) == 0 && slurp(out, &b) == 0 && (p = strstr(b.p, name)) != NULL)
		v = strtoull(p + strlen(name) + 1, NULL, 10);
	buf_free(&b);
	return v;
}

/*
 * A tiny map grows while importing, and gives the same store as a big
 * one; a map that may not grow far enough fails the import whole; a
 * reader opened before the growth adopts the new size.
 */
static void
map_growth(void)
{
	const char *big = path_in(scratch, "big.jsonl");
	const char *roomy = path_in(scratch, "roomy");
	const char *tiny = path_in(scratch, "tiny");
	const char *capped = path_in(scratch, "capped");
	const char *err = path_in(scratch, "err");
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct store_work w;
	uint64_t txn;

	make_big(big, 3000);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", roomy,
	    "--works", big, NULL) == 0);
	REQUIRE(run(NULL, err, bin("bzpeer-import"), "--store", tiny,
	    "--map-size", "256K", "--works", big, NULL) == 0);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "map full at 256 KiB, growing to 512 KiB"));
	CHECK(stat_value(tiny, "map_size") >= 4u << 20);
	CHECK(stat_value(tiny, "map_used") > 2u << 20);
	CHECK(stat_value(tiny, "works") == 3000);
	REQUIRE(dump_store(roomy, scratch, 1, &a) == 0);
	REQUIRE(dump_store(tiny, scratch, 1, &b) == 0);
	CHECK(a.len > 100000 && a.len == b.len && memcmp(a.p, b.p, a.len) == 0);

	/* Capped at 256 KiB: the small catalog fits, the big one cannot. */
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", capped,
	    "--map-size", "256K", "--map-max", "256K", "--authors",
	    fx("authors.jsonl"), "--works", fx("works.jsonl"), NULL) == 0);
	REQUIRE(dump_store(capped, scratch, 0, &a) == 0);
	CHECK(run(NULL, err, bin("bzpeer-import"), "--store", capped,
	    "--map-max", "256K", "--works", big, NULL) == 1);
	REQUIRE(slurp(err, &b) == 0);
	CHECK(has(&b, "the store is full and its map could not grow"));
	CHECK(has(&b, "store is unchanged"));
	REQUIRE(dump_store(capped, scratch, 0, &b) == 0);
	CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	CHECK(stat_value(capped, "map_size") == 256u << 10);

	/* A reader with the 256 KiB map; a writer grows it to hold `big`. */
	REQUIRE(store_open(capped, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 1);
	txn = store_txn_id(t);
	store_read_end(t);
	REQUIRE(run(NULL, NULL, bin("bzpeer-import"), "--store", capped,
	    "--works", big, NULL) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_generation(t) == 2);
	/* The transaction id is user data's (the follower counts'): an
	 * import writes the catalog alone. */
	CHECK(store_txn_id(t) == txn);
	CHECK(store_work_by_id(t, SV_LIT("W1003000"), &w) == 0 &&
	    sv_eq_cstr(w.title, "Synthetic work 3000"));
	CHECK(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0 &&
	    r.works == 4);
	store_read_end(t);
	store_close(s);
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	scratch = tdir_make();
	bad_schema();
	empty_and_missing();
	read_txns();
	damaged();
	user_data_survives();
	map_growth();
	tdir_remove(scratch);
	CHECK_DONE();
}
