/* test_feeds.c: what following gives in the store: the followed researchers with their newest works and its bounds, private feed tokens (made, found, ended, kept hashed), and no follow of one's own profile. */
#include <stdio.h>
#include <string.h>

#include "../../store/store.h"
#include "../../store/store_int.h"
#include "check.h"
#include "test_import_util.h"
#include "store_fixture.h"

static int
follow(struct store *s, const char *rid, const char *user, int on)
{
	uint64_t count, txn;
	int changed;

	return store_follow(s, sv_cstr(rid), sv_cstr(user), on, &count, &txn,
	    &changed);
}

static uint64_t
followers(struct store *s, const char *rid)
{
	struct store_rtxn *t;
	uint64_t n = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_followers(t, sv_cstr(rid), &n) == 0);
	store_read_end(t);
	return n;
}

static int
following(struct store *s, const char *rid, const char *user)
{
	struct store_rtxn *t;
	int on = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_is_following(t, sv_cstr(rid), sv_cstr(user), &on) == 0);
	store_read_end(t);
	return on;
}

/* The user of token tok, copied into out; the store's answer. */
static int
feed_user(struct store *s, const char *tok, struct buf *out)
{
	struct store_rtxn *t;
	struct sv u;
	uint64_t made;
	int rc;

	buf_reset(out);
	buf_reserve(out, 1);
	REQUIRE(store_read_begin(s, &t) == 0);
	rc = store_feed_user(t, sv_cstr(tok), &u, &made);
	if (rc == 0) {
		buf_put(out, u.p, u.n);
		buf_reserve(out, 1);
	}
	store_read_end(t);
	return rc;
}

static int
feed_of(struct store *s, const char *user, uint64_t *made)
{
	struct store_rtxn *t;
	int rc;

	REQUIRE(store_read_begin(s, &t) == 0);
	rc = store_feed_of(t, sv_cstr(user), made);
	store_read_end(t);
	return rc;
}

/* ---- tokens ------------------------------------------------------------------ */

static void
feed_tokens(void)
{
	struct store *s = fixture_store("tokens", NULL);
	struct buf d = BUF_INIT, d2 = BUF_INIT, u = BUF_INIT;
	char tok[STORE_FEED_TOKEN_HEX + 1], tok2[STORE_FEED_TOKEN_HEX + 1],
	    other[STORE_FEED_TOKEN_HEX + 1], bad[STORE_FEED_TOKEN_HEX + 2];
	uint64_t made;
	int had;

	/* Nothing yet: nothing to find, nothing to end. */
	CHECK(feed_of(s, "alice", &made) == STORE_NOTFOUND);
	dump(s, &d);
	CHECK(store_feed_revoke(s, sv_cstr("alice"), &had) == 0 && had == 0);
	CHECK(store_feed_make(s, SV_LIT(""), 0, tok) == STORE_INVALID &&
	    tok[0] == '\0');
	CHECK(store_feed_make(s, SV_LIT("a\nb"), 0, tok) == STORE_INVALID);
	CHECK(store_feed_revoke(s, SV_LIT(""), &had) == STORE_INVALID);
	dump(s, &d2);
	CHECK(same(&d, &d2));

	/* Made: 48 lowercase hex digits, found again, its time kept. */
	REQUIRE(store_feed_make(s, sv_cstr("alice"), 1700000000, tok) == 0);
	CHECK(strlen(tok) == STORE_FEED_TOKEN_HEX);
	CHECK(strspn(tok, "0123456789abcdef") == STORE_FEED_TOKEN_HEX);
	CHECK(feed_user(s, tok, &u) == 0 && strcmp(u.p, "alice") == 0);
	CHECK(feed_of(s, "alice", &made) == 0 && made == 1700000000);
	/* Hashed at rest: the store holds neither the token nor its
	 * verifier, only the selector (its first 16 digits) as the key. */
	dump(s, &d);
	CHECK(!has(&d, tok));
	CHECK(!has(&d, tok + 2 * STORE_FEED_SELECTOR_LEN));
	{
		char sel[2 * STORE_FEED_SELECTOR_LEN + 1];

		memcpy(sel, tok, sizeof(sel) - 1);
		sel[sizeof(sel) - 1] = '\0';
		CHECK(has(&d, sel));
	}
	CHECK(has(&d, "feeds ") && has(&d, "userfeeds alice"));

	/* Anything else is not found, alike: a wrong verifier digit or
	 * selector digit, upper case, one digit short or over, not hex. */
	memcpy(bad, tok, sizeof(tok));
	bad[STORE_FEED_TOKEN_HEX - 1] = bad[STORE_FEED_TOKEN_HEX - 1] == '0' ?
	    '1' : '0';
	CHECK(feed_user(s, bad, &u) == STORE_NOTFOUND);
	memcpy(bad, tok, sizeof(tok));
	bad[0] = bad[0] == '0' ? '1' : '0';
	CHECK(feed_user(s, bad, &u) == STORE_NOTFOUND);
	memcpy(bad, tok, sizeof(tok));
	for (size_t i = 0; bad[i]; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	CHECK(strcmp(bad, tok) == 0 || feed_user(s, bad, &u) == STORE_NOTFOUND);
	memcpy(bad, tok, sizeof(tok));
	bad[STORE_FEED_TOKEN_HEX - 1] = '\0';
	CHECK(feed_user(s, bad, &u) == STORE_NOTFOUND);
	memcpy(bad, tok, sizeof(tok));
	bad[STORE_FEED_TOKEN_HEX] = '0';
	bad[STORE_FEED_TOKEN_HEX + 1] = '\0';
	CHECK(feed_user(s, bad, &u) == STORE_NOTFOUND);
	memcpy(bad, tok, sizeof(tok));
	bad[5] = 'g';
	CHECK(feed_user(s, bad, &u) == STORE_NOTFOUND);
	CHECK(feed_user(s, "", &u) == STORE_NOTFOUND);

	/* Another user's token is theirs. */
	REQUIRE(store_feed_make(s, sv_cstr("bob"), 0, other) == 0);
	CHECK(strcmp(other, tok) != 0);
	CHECK(feed_user(s, other, &u) == 0 && strcmp(u.p, "bob") == 0);

	/* A new token ends the old one in the same write. */
	REQUIRE(store_feed_make(s, sv_cstr("alice"), 1700000100, tok2) == 0);
	CHECK(strcmp(tok, tok2) != 0);
	CHECK(feed_user(s, tok, &u) == STORE_NOTFOUND);
	CHECK(feed_user(s, tok2, &u) == 0 && strcmp(u.p, "alice") == 0);
	CHECK(feed_of(s, "alice", &made) == 0 && made == 1700000100);

	/* Revoked: not found at once; revoking again writes nothing. */
	CHECK(store_feed_revoke(s, sv_cstr("alice"), &had) == 0 && had == 1);
	CHECK(feed_user(s, tok2, &u) == STORE_NOTFOUND);
	CHECK(feed_of(s, "alice", &made) == STORE_NOTFOUND);
	CHECK(feed_user(s, other, &u) == 0 && strcmp(u.p, "bob") == 0);
	dump(s, &d);
	CHECK(!has(&d, "userfeeds alice"));
	CHECK(store_feed_revoke(s, sv_cstr("alice"), &had) == 0 && had == 0);
	dump(s, &d2);
	CHECK(same(&d, &d2));

	buf_free(&d);
	buf_free(&d2);
	buf_free(&u);
	store_close(s);
}

/* ---- the followed researchers with their newest works -------------------------- */

/* A work line: id, date (or "" for a year only), year, authors. */
static void
work_line(FILE *f, unsigned id, const char *date, int year,
    const unsigned *authors, size_t n)
{
	fprintf(f, "{\"id\":\"https://openalex.org/W%u\",\"title\":\"Work %u\","
	    "\"publication_year\":%d,", id, id, year);
	if (date[0])
		fprintf(f, "\"publication_date\":\"%s\",", date);
	fprintf(f, "\"type\":\"article\",\"authorships\":[");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"author\":{\"id\":\"https://openalex.org/A%u\","
		    "\"display_name\":\"Person %u\"},\"institutions\":[]}",
		    i ? "," : "", authors[i], authors[i]);
	fprintf(f, "]}\n");
}

/*
 * A900: 13 works (one shared with A901), in years and dates whose order
 * is not their ids'; A901: two; A902 .. A1002: one each, the newest of
 * all by A1002, which is the 101st researcher of the list.
 */
static const char *
follows_fixture(void)
{
	static const struct { unsigned id; const char *date; int year; } a900[] = {
		{ 9001, "2024-01-05", 2024 }, { 9002, "2024-12-30", 2024 },
		{ 9003, "2024-06-01", 2024 }, { 9004, "", 2024 },
		{ 9005, "2024-12-31", 2024 }, { 9006, "2023-03-03", 2023 },
		{ 9007, "2023-11-11", 2023 }, { 9008, "2023-01-01", 2023 },
		{ 9009, "2023-02-02", 2023 }, { 9010, "2020-05-05", 2020 },
		{ 9011, "2020-06-06", 2020 }, { 9012, "2020-07-07", 2020 },
	};
	const char *path = path_in(scratch, "follows.jsonl");
	FILE *f = fopen(path, "w");
	unsigned a = 900, both[2] = { 900, 901 };

	REQUIRE(f != NULL);
	for (size_t i = 0; i < sizeof(a900) / sizeof(a900[0]); i++)
		work_line(f, a900[i].id, a900[i].date, a900[i].year, &a, 1);
	work_line(f, 9100, "2025-02-01", 2025, both, 2);
	a = 901;
	work_line(f, 9101, "2025-01-15", 2025, &a, 1);
	for (a = 902; a <= 1002; a++)
		work_line(f, 10000 + a, a == 1002 ? "2026-01-01" : "2019-01-01",
		    a == 1002 ? 2026 : 2019, &a, 1);
	REQUIRE(fclose(f) == 0);
	return path;
}

struct seen {
	char   ids[64][16];      /* researcher, then its works, one line each */
	size_t n;
	size_t works_of[8];
	size_t nres;
	uint64_t followers[8];
};

static int
seen_cb(void *ctx, const struct store_researcher *r, uint64_t nf,
    const struct store_work *w, size_t n)
{
	struct seen *s = ctx;

	if (s->nres < 8) {
		s->works_of[s->nres] = n;
		s->followers[s->nres] = nf;
	}
	s->nres++;
	snprintf(s->ids[s->n++], 16, "%.*s", (int)r->id.n, r->id.p);
	for (size_t i = 0; i < n && s->n < 64; i++)
		snprintf(s->ids[s->n++], 16, "%.*s", (int)w[i].id.n, w[i].id.p);
	return 0;
}

static int
newest_cb(void *ctx, const struct store_work *w, const struct store_researcher *by)
{
	struct seen *s = ctx;

	if (s->n < 64)
		snprintf(s->ids[s->n++], 16, "%.*s", (int)w->id.n, w->id.p);
	return 0;
}

static void
following_works(void)
{
	struct store *s = NULL;
	struct store_rtxn *t;
	struct seen sn;
	size_t total, followed;

	REQUIRE(store_open(path_in(scratch, "fw"), STORE_CREATE, &s) == 0);
	REQUIRE(import_into(s, NULL, follows_fixture()) == 0);
	REQUIRE(follow(s, "A901", "alice", 1) == 0);
	REQUIRE(follow(s, "A900", "alice", 1) == 0);
	REQUIRE(follow(s, "A900", "bob", 1) == 0);

	/* In the index's order (A900, A901), each with its newest by date
	 * among the works read, its follower count. */
	REQUIRE(store_read_begin(s, &t) == 0);
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("alice"), 0, 0, 4, seen_cb, &sn,
	    &total) == 0);
	CHECK(total == 2 && sn.nres == 2);
	CHECK(sn.n == 1 + 4 + 1 + 2);
	CHECK(strcmp(sn.ids[0], "A900") == 0 && sn.followers[0] == 2);
	CHECK(strcmp(sn.ids[1], "W9100") == 0);
	CHECK(strcmp(sn.ids[2], "W9005") == 0);     /* 2024-12-31 */
	CHECK(strcmp(sn.ids[3], "W9002") == 0);     /* 2024-12-30 */
	CHECK(strcmp(sn.ids[4], "W9003") == 0);     /* 2024-06-01 */
	CHECK(strcmp(sn.ids[5], "A901") == 0 && sn.followers[1] == 1);
	CHECK(strcmp(sn.ids[6], "W9100") == 0 && strcmp(sn.ids[7], "W9101") == 0);

	/* The bound: never more than STORE_FOLLOWING_SCAN works read of
	 * one researcher (A900 has 13), whatever is asked. */
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("alice"), 0, 1, 100, seen_cb,
	    &sn, &total) == 0);
	CHECK(sn.nres == 1 && sn.works_of[0] == STORE_FOLLOWING_SCAN);
	/* Pages: skip and limit over the list. */
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("alice"), 1, 1, 1, seen_cb, &sn,
	    &total) == 0);
	CHECK(total == 2 && sn.nres == 1 && strcmp(sn.ids[0], "A901") == 0 &&
	    strcmp(sn.ids[1], "W9100") == 0);
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("alice"), 2, 10, 1, seen_cb,
	    &sn, &total) == 0 && sn.nres == 0 && total == 2);
	/* Nobody followed, a bad name: nothing. */
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("carol"), 0, 0, 3, seen_cb, &sn,
	    &total) == 0 && sn.nres == 0 && total == 0);
	CHECK(store_following_works(t, SV_LIT(""), 0, 0, 3, seen_cb, &sn,
	    &total) == 0 && sn.nres == 0);

	/* The feed: newest first over both, the shared work once. */
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_newest(t, sv_cstr("alice"), 5, newest_cb, &sn,
	    &followed) == 0);
	CHECK(followed == 2 && sn.n == 5);
	CHECK(strcmp(sn.ids[0], "W9100") == 0 && strcmp(sn.ids[1], "W9101") == 0 &&
	    strcmp(sn.ids[2], "W9005") == 0 && strcmp(sn.ids[3], "W9002") == 0 &&
	    strcmp(sn.ids[4], "W9003") == 0);
	store_read_end(t);

	/* The feed reads the first STORE_FEED_RESEARCHERS of the list: the
	 * 101st (A1002, whose work is the newest of all) is left out. */
	for (unsigned a = 902; a <= 1002; a++) {
		char id[16];

		snprintf(id, sizeof(id), "A%u", a);
		REQUIRE(follow(s, id, "dora", 1) == 0);
	}
	REQUIRE(store_read_begin(s, &t) == 0);
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_newest(t, sv_cstr("dora"), 50, newest_cb, &sn,
	    &followed) == 0);
	CHECK(followed == 101 && sn.n == 50);
	for (size_t i = 0; i < sn.n; i++)
		CHECK(strcmp(sn.ids[i], "W11002") != 0);
	memset(&sn, 0, sizeof(sn));
	CHECK(store_following_works(t, sv_cstr("dora"), 100, 0, 1, seen_cb,
	    &sn, &total) == 0 && total == 101 && sn.nres == 1 &&
	    strcmp(sn.ids[0], "A1002") == 0);
	store_read_end(t);
	store_close(s);
}

/* ---- nobody follows themselves -------------------------------------------------- */

static int
claim_and_decide(struct store *s, const char *rid, const char *user,
    int approve)
{
	struct store_claim c;
	uint64_t id;
	int rc;

	memset(&c, 0, sizeof(c));
	c.researcher_id = sv_cstr(rid);
	c.user = sv_cstr(user);
	c.orcid = SV_LIT("");
	c.email = SV_LIT("me@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/me");
	c.note = SV_LIT("");
	if ((rc = store_claim_file(s, &c, &id)) != 0)
		return rc;
	return store_claim_decide(s, id, approve, 0, SV_LIT(""));
}

static void
self_follow(void)
{
	struct store *s = fixture_store("self", NULL);
	struct buf d = BUF_INIT, d2 = BUF_INIT;

	/* Carol follows A102, then her claim of it is approved: her follow
	 * goes in the approval, the count one less; bob's stays. */
	REQUIRE(follow(s, "A102", "carol", 1) == 0);
	REQUIRE(follow(s, "A102", "bob", 1) == 0);
	CHECK(followers(s, "A102") == 2);
	REQUIRE(claim_and_decide(s, "A102", "carol", 1) == 0);
	CHECK(!following(s, "A102", "carol") && following(s, "A102", "bob"));
	CHECK(followers(s, "A102") == 1);
	dump(s, &d);
	CHECK(!has(&d, "following carol"));

	/* The owner's follow is refused and changes nothing; unfollowing is
	 * taken (nothing to do); others follow as ever. */
	CHECK(follow(s, "A102", "carol", 1) == STORE_CONFLICT);
	CHECK(follow(s, "A102", "carol", 0) == 0);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(follow(s, "A102", "dave", 1) == 0 && followers(s, "A102") == 2);
	/* She may follow others. */
	CHECK(follow(s, "A101", "carol", 1) == 0 && following(s, "A101", "carol"));

	/* A rejected claim owns nothing: the claimant's follow stays and
	 * may be made. */
	REQUIRE(follow(s, "A103", "erin", 1) == 0);
	REQUIRE(claim_and_decide(s, "A103", "erin", 0) == 0);
	CHECK(following(s, "A103", "erin") && followers(s, "A103") == 1);
	CHECK(follow(s, "A103", "erin", 0) == 0 && follow(s, "A103", "erin", 1) == 0);
	/* A pending claim owns nothing yet either. */
	{
		struct store_claim c;
		uint64_t id;

		memset(&c, 0, sizeof(c));
		c.researcher_id = SV_LIT("A104");
		c.user = SV_LIT("fred");
		c.email = SV_LIT("f@example.edu");
		c.evidence_url = SV_LIT("https://example.edu/f");
		REQUIRE(store_claim_file(s, &c, &id) == 0);
		CHECK(follow(s, "A104", "fred", 1) == 0);
	}
	buf_free(&d);
	buf_free(&d2);
	store_close(s);
}

/* A merge of A102 into A103, as the importer runs it (store_follows_move). */
static int
merge_txn(MDB_txn *txn, void *ctx)
{
	struct store *s = ctx;

	/* Follows are user data: its transaction, its handles. */
	return store_follows_move(txn, s->user->dbi, SV_LIT("A102"), 102,
	    SV_LIT("A103"), 103);
}

/* A duplicate merged into an owner's profile: the owner's follow of the
 * duplicate ends with it, and nobody else's is lost. */
static void
merge_owner(void)
{
	struct store *s = fixture_store("merge", NULL);

	REQUIRE(follow(s, "A102", "carol", 1) == 0);
	REQUIRE(follow(s, "A102", "bob", 1) == 0);
	REQUIRE(claim_and_decide(s, "A103", "carol", 1) == 0);
	REQUIRE(store_write(s->user, merge_txn, s) == 0);
	CHECK(!following(s, "A103", "carol") && !following(s, "A102", "carol"));
	CHECK(following(s, "A103", "bob"));
	CHECK(followers(s, "A103") == 1 && followers(s, "A102") == 0);
	store_close(s);
}

int
main(void)
{
	scratch = tdir_make();
	feed_tokens();
	following_works();
	self_follow();
	merge_owner();
	tdir_remove(scratch);
	CHECK_DONE();
}
