/* test_sessions.c: ended sessions in the store: one signed out, all of a user's before a time, pruning, refusals that change nothing, old stores, bzpeer-admin sessions. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"

#define STR(x) #x
#define XSTR(x) STR(x)

/*
 * The store's clock in milliseconds (CLOCK_REALTIME). Not time(NULL): that
 * reads the coarse clock, which can lag it by a tick, so a revoke made at
 * second T+1 could look later than "the second after time(NULL)".
 */
static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
txn_id(struct store *s)
{
	struct store_rtxn *t;
	uint64_t id = 0;

	if (store_read_begin(s, &t) == 0) {
		id = store_txn_id(t);
		store_read_end(t);
	}
	return id;
}

/* A session id numbered i (what the web layer would derive from a cookie). */
static struct sv
sid(unsigned char b[STORE_SESSION_ID_LEN], unsigned i)
{
	memset(b, 0xA5, STORE_SESSION_ID_LEN);
	b[0] = (unsigned char)(i >> 24);
	b[1] = (unsigned char)(i >> 16);
	b[2] = (unsigned char)(i >> 8);
	b[3] = (unsigned char)i;
	return (struct sv){ (const char *)b, STORE_SESSION_ID_LEN };
}

/* store_session_check in a fresh read transaction. */
static int
check(struct store *s, const char *user, struct sv id, uint64_t issued_ms,
    uint64_t expires)
{
	struct store_rtxn *t;
	int rc;

	if ((rc = store_read_begin(s, &t)) != 0)
		return rc;
	rc = store_session_check(t, sv_cstr(user), id, issued_ms, expires);
	store_read_end(t);
	return rc;
}

/* ---- one session signed out ------------------------------------------------ */

static void
revoke_one(void)
{
	struct store *s = fixture_store("one", NULL);
	struct buf d = BUF_INIT;
	unsigned char a[STORE_SESSION_ID_LEN], b[STORE_SESSION_ID_LEN];
	uint64_t now = (uint64_t)time(NULL), exp = now + 600, txn;
	uint64_t issued = now * 1000 - 5000;

	CHECK(check(s, "alice", sid(a, 1), issued, exp) == 0);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 1), exp, 0) == 0);
	CHECK(check(s, "alice", sid(a, 1), issued, exp) == STORE_REVOKED);
	/* Only that session: another of alice's, and bob's, stay on. */
	CHECK(check(s, "alice", sid(b, 2), issued, exp) == 0);
	CHECK(check(s, "bob", sid(b, 2), issued, exp) == 0);
	/* The key holds the expiry: the same id with another expiry is
	 * another cookie (it cannot exist; the id hashes the MAC). */
	CHECK(check(s, "alice", sid(a, 1), issued, exp + 1) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nrevoked ") == 1);
	{
		char want[128];

		snprintf(want, sizeof(want), "\nrevoked %llu 00000001a5a5a5a5"
		    "a5a5a5a5a5a5a5a5 \"alice\"\n", (unsigned long long)exp);
		CHECK(count_has(&d, want) == 1);
	}
	/* Twice: nothing more is written (no commit at all). */
	txn = txn_id(s);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 1), exp, 0) == 0);
	CHECK(txn_id(s) == txn);
	/* Over by itself already: no entry needed. */
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(b, 3), now, now) ==
	    0 && txn_id(s) == txn);
	/* A read-only store cannot sign anyone out. */
	store_close(s);
	REQUIRE(store_open(path_in(scratch, "one"), STORE_RDONLY, &s) == 0);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(b, 4), exp, 0) ==
	    EACCES);
	CHECK(store_sessions_end(s, SV_LIT("alice"), 0, NULL) == EACCES);
	CHECK(check(s, "alice", sid(a, 1), issued, exp) == STORE_REVOKED);
	store_close(s);
	buf_free(&d);
}

/* ---- every session of a user, up to a time ----------------------------------- */

static void
revoke_all(void)
{
	struct store *s = fixture_store("all", NULL);
	unsigned char a[STORE_SESSION_ID_LEN];
	uint64_t now = (uint64_t)time(NULL), exp = now + 600;
	uint64_t t = now * 1000, out = 0, txn;
	struct buf d = BUF_INIT;
	char want[96];

	CHECK(store_sessions_end(s, SV_LIT("alice"), t, &out) == 0 && out == t);
	CHECK(check(s, "alice", sid(a, 1), t - 1, exp) == STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 2), t, exp) == STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 3), t + 1, exp) == 0);  /* a later sign-in */
	CHECK(check(s, "bob", sid(a, 4), t - 1, exp) == 0);
	dump(s, &d);
	snprintf(want, sizeof(want), "\nnotbefore alice %llu\n",
	    (unsigned long long)t);
	CHECK(count_has(&d, want) == 1);
	/* Never back: an earlier time keeps the later one, writing nothing. */
	txn = txn_id(s);
	CHECK(store_sessions_end(s, SV_LIT("alice"), t - 100000, &out) == 0 &&
	    out == t && txn_id(s) == txn);
	CHECK(check(s, "alice", sid(a, 1), t - 1, exp) == STORE_REVOKED);
	/* Later again: the sign-in of a moment ago ends too. */
	CHECK(store_sessions_end(s, SV_LIT("alice"), t + 5, &out) == 0 &&
	    out == t + 5);
	CHECK(check(s, "alice", sid(a, 3), t + 1, exp) == STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 3), t + 6, exp) == 0);
	/* The clock's time when none is given. */
	CHECK(store_sessions_end(s, SV_LIT("bob"), 0, &out) == 0 &&
	    out >= t && out <= now_ms());
	CHECK(check(s, "bob", sid(a, 4), t - 1, exp) == STORE_REVOKED);
	/* Both kinds at once: one lookup each, either ends the session. */
	CHECK(store_session_revoke(s, SV_LIT("carol"), sid(a, 9), exp, 0) == 0);
	CHECK(check(s, "carol", sid(a, 9), t + 10, exp) == STORE_REVOKED);
	store_close(s);
	buf_free(&d);
}

/* ---- pruning: entries go once their sessions would have expired ----------------- */

static void
pruning(void)
{
	struct store *s = fixture_store("prune", NULL);
	unsigned char a[STORE_SESSION_ID_LEN];
	const uint64_t now = 1900000000, day = 86400;
	struct buf d = BUF_INIT;
	char user[32];
	unsigned i;
	int ok;

	/* Three signed out at `now`, expiring in 10 s, 20 s and a day. */
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 1), now + 10,
	    now) == 0);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 2), now + 20,
	    now) == 0);
	CHECK(store_session_revoke(s, SV_LIT("bob"), sid(a, 3), now + day,
	    now) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nrevoked ") == 3);
	/* A write at now + 20: both expired ones go (the one at exactly its
	 * expiry too: the cookie is refused from that second), the day stays. */
	CHECK(store_session_revoke(s, SV_LIT("carol"), sid(a, 4), now + day,
	    now + 20) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nrevoked ") == 2);
	CHECK(count_has(&d, " \"alice\"\n") == 0 &&
	    count_has(&d, " \"bob\"\n") == 1 && count_has(&d, " \"carol\"\n") == 1);
	CHECK(check(s, "bob", sid(a, 3), now * 1000, now + day) ==
	    STORE_REVOKED);

	/* Bounded work: 200 expired, and a write prunes 64 of them, oldest
	 * first; the writes after it take the rest. */
	for (ok = 1, i = 0; i < 200; i++)
		if (store_session_revoke(s, SV_LIT("dave"), sid(a, 100 + i),
		    now + 100 + i, now + 50) != 0)
			ok = 0;
	CHECK(ok);
	dump(s, &d);
	CHECK(count_has(&d, "\nrevoked ") == 202);
	CHECK(store_session_revoke(s, SV_LIT("erin"), sid(a, 1000),
	    now + 2 * day, now + 1000) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nrevoked ") == 202 + 1 - STORE_SESSION_PRUNE);
	{
		char first[64];

		/* The 64 with the earliest expiry went. */
		snprintf(first, sizeof(first), "\nrevoked %llu ",
		    (unsigned long long)(now + 100 + STORE_SESSION_PRUNE));
		CHECK(count_has(&d, first) == 1);
		snprintf(first, sizeof(first), "\nrevoked %llu ",
		    (unsigned long long)(now + 100 + STORE_SESSION_PRUNE - 1));
		CHECK(count_has(&d, first) == 0);
	}
	for (i = 0; i < 3; i++)
		CHECK(store_session_revoke(s, SV_LIT("erin"), sid(a, 1001 + i),
		    now + 2 * day, now + 1000) == 0);
	dump(s, &d);
	CHECK(count_has(&d, " \"dave\"\n") == 0);
	CHECK(count_has(&d, "\nrevoked ") == 2 + 4);   /* bob, carol, erin's */

	/* Not-before entries last as long as a session can: gone from the
	 * first write after STORE_SESSION_TTL_MAX, whoever writes. */
	CHECK(store_sessions_end(s, SV_LIT("old"), now * 1000, NULL) == 0);
	CHECK(store_sessions_end(s, SV_LIT("young"), (now + day) * 1000,
	    NULL) == 0);
	CHECK(store_session_revoke(s, SV_LIT("zed"), sid(a, 2000),
	    now + STORE_SESSION_TTL_MAX + 10, now + STORE_SESSION_TTL_MAX) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nnotbefore old ") == 1);   /* the last second */
	CHECK(store_session_revoke(s, SV_LIT("zed"), sid(a, 2001),
	    now + STORE_SESSION_TTL_MAX + 10, now + STORE_SESSION_TTL_MAX + 1) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nnotbefore old ") == 0);
	CHECK(count_has(&d, "\nnotbefore young ") == 1);
	/* The walk starts after the writer's own name and wraps round. */
	CHECK(store_sessions_end(s, SV_LIT("aaron"), now * 1000, NULL) == 0);
	CHECK(store_sessions_end(s, SV_LIT("zz-last"), now * 1000, NULL) == 0);
	CHECK(store_sessions_end(s, SV_LIT("young"), (now + 2 * day) * 1000 +
	    (uint64_t)STORE_SESSION_TTL_MAX * 1000, NULL) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nnotbefore aaron ") == 0 &&
	    count_has(&d, "\nnotbefore zz-last ") == 0 &&
	    count_has(&d, "\nnotbefore young ") == 1);
	/* Bounded there too: 100 stale, a write looks at 64 of them. */
	for (ok = 1, i = 0; i < 100; i++) {
		snprintf(user, sizeof(user), "u%03u", i);
		if (store_sessions_end(s, sv_cstr(user), now * 1000, NULL) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(store_sessions_end(s, SV_LIT("a"), (now + STORE_SESSION_TTL_MAX +
	    10) * 1000, NULL) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nnotbefore u") == 100 - STORE_SESSION_PRUNE);
	CHECK(store_sessions_end(s, SV_LIT("a"), (now + STORE_SESSION_TTL_MAX +
	    11) * 1000, NULL) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nnotbefore u") == 0);
	store_close(s);
	buf_free(&d);
}

/* ---- refusals change nothing -------------------------------------------------- */

static void
refusals(void)
{
	struct store *s = fixture_store("bad", NULL);
	unsigned char a[STORE_SESSION_ID_LEN + 1];
	uint64_t now = (uint64_t)time(NULL), exp = now + 600, txn;
	struct buf d = BUF_INIT, d2 = BUF_INIT;
	char long_name[STORE_USER_MAX + 2];
	struct sv id = sid(a, 1);
	static const char *const bad_users[] = { "", "a\tb", "a\nb", "\x7f",
	    "\xc3\x28", "caf\xc3", "\xc2\x85" };
	size_t i;
	int ok_rv = 1, ok_end = 1, ok_chk = 1;

	REQUIRE(store_session_revoke(s, SV_LIT("alice"), id, exp, 0) == 0);
	REQUIRE(store_sessions_end(s, SV_LIT("alice"), now * 1000 - 5, NULL) == 0);
	dump(s, &d);
	txn = txn_id(s);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]) + 1; i++) {
		const char *u = i < sizeof(bad_users) / sizeof(bad_users[0]) ?
		    bad_users[i] : long_name;

		if (store_session_revoke(s, sv_cstr(u), sid(a, 7), exp, 0) !=
		    STORE_INVALID)
			ok_rv = 0;
		if (store_sessions_end(s, sv_cstr(u), 0, NULL) != STORE_INVALID)
			ok_end = 0;
		if (check(s, u, id, now * 1000, exp) != STORE_INVALID)
			ok_chk = 0;
	}
	CHECK(ok_rv);
	CHECK(ok_end);
	CHECK(ok_chk);
	/* Ids of another length. */
	CHECK(store_session_revoke(s, SV_LIT("alice"), (struct sv){ id.p,
	    STORE_SESSION_ID_LEN - 1 }, exp, 0) == STORE_INVALID);
	CHECK(store_session_revoke(s, SV_LIT("alice"), (struct sv){ id.p,
	    STORE_SESSION_ID_LEN + 1 }, exp, 0) == STORE_INVALID);
	CHECK(store_session_revoke(s, SV_LIT("alice"), SV_LIT(""), exp, 0) ==
	    STORE_INVALID);
	CHECK(check(s, "alice", (struct sv){ id.p, STORE_SESSION_ID_LEN - 1 },
	    now * 1000, exp) == STORE_INVALID);
	/* An expiry no session can have: past the longest life from now. */
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 8),
	    now + STORE_SESSION_TTL_MAX + 10, now) == STORE_INVALID);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 8), UINT64_MAX,
	    now) == STORE_INVALID);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(txn_id(s) == txn);
	/* The longest life itself is accepted. */
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 8),
	    now + STORE_SESSION_TTL_MAX, now) == 0);
	/* What was there still works as before. */
	CHECK(check(s, "alice", sid(a, 1), now * 1000 + 1000, exp) ==
	    STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 2), now * 1000 - 5, exp) ==
	    STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 2), now * 1000 - 4, exp) == 0);
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
}

/* ---- a full map refuses whole ------------------------------------------------------ */

static void
map_full(void)
{
	const char *dir = path_in(scratch, "full");
	struct store_opts o = { 0, 0, 0, NULL };
	struct store *s = fixture_store("full", NULL);
	struct store_rtxn *t;
	struct store_stats st;
	unsigned char a[STORE_SESSION_ID_LEN];
	uint64_t exp = (uint64_t)time(NULL) + 600;
	struct buf d = BUF_INIT, d2 = BUF_INIT;
	char name[101];
	int i, rc = 0;

	store_close(s);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0 && store_stats(t, &st) == 0);
	store_read_end(t);
	store_close(s);
	/* Capped a few pages above what it holds: the sign-outs fill it. */
	o.map_size = o.map_max = st.map_used + 8 * 4096;
	REQUIRE(store_open_opts(dir, 0, &o, &s) == 0);
	memset(name, 'm', 100);
	name[100] = '\0';
	for (i = 0; i < 20000 && rc == 0; i++) {
		snprintf(name, 12, "user%07d", i);
		name[11] = '-';
		rc = store_session_revoke(s, sv_cstr(name), sid(a, (unsigned)i),
		    exp, 0);
	}
	CHECK(rc == STORE_MAPFULL && i > 10);
	dump(s, &d);
	CHECK(store_session_revoke(s, sv_cstr(name), sid(a, (unsigned)i - 1),
	    exp, 0) == STORE_MAPFULL);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(check(s, name, sid(a, (unsigned)i - 1), 1, exp) == 0);
	/* What went in before it is kept. */
	snprintf(name, 12, "user%07d", 0);
	name[11] = '-';
	CHECK(check(s, name, sid(a, 0), 1, exp) == STORE_REVOKED);
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
}

/* ---- stores from before these lists; re-imports ------------------------------------ */

/* Copies every database but the two session lists (mdb_dump | mdb_load). */
static int
copy_without_sessions(const char *src, const char *dst)
{
	/* The catalog's, then user data's (each in its environment). */
	static const char *const dbs[] = { "meta", "researchers", "slugs",
	    "names", "nameparts", "rnames", "works", "rworks", "coauthors",
	    "topics", "rtopics", "merged", "mergelog", NULL,
	    "meta", "followers", "follows", "following", "claims", "rclaim",
	    "uclaim" };
	const char *f = path_in(scratch, "db.txt");
	char from[4096], to[4096];
	size_t i;
	int u = 0;

	if (mkdir(dst, 0755) != 0 ||
	    mkdir(path_in(dst, "catalog"), 0755) != 0 ||
	    mkdir(path_in(dst, "user"), 0755) != 0)
		return -1;
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (dbs[i] == NULL) {
			u = 1;
			continue;
		}
		snprintf(from, sizeof(from), "%s", path_in(src, u ? "user" :
		    "catalog"));
		snprintf(to, sizeof(to), "%s", path_in(dst, u ? "user" :
		    "catalog"));
		if (run(f, NULL, "/usr/bin/mdb_dump", "-s", dbs[i], from,
		    NULL) != 0 || run_stdin(f, NULL, NULL, "/usr/bin/mdb_load",
		    "-s", dbs[i], to, NULL) != 0)
			return -1;
	}
	return 0;
}

static void
old_store(void)
{
	const char *src = path_in(scratch, "fresh");
	const char *dst = path_in(scratch, "older");
	struct store *s = fixture_store("fresh", NULL);
	unsigned char a[STORE_SESSION_ID_LEN];
	uint64_t now = (uint64_t)time(NULL);
	struct buf d = BUF_INIT, d2 = BUF_INIT;

	store_close(s);
	if (access("/usr/bin/mdb_load", X_OK) != 0 ||
	    access("/usr/bin/mdb_dump", X_OK) != 0) {
		printf("ok - # SKIP mdb_dump/mdb_load missing (lmdb-utils)\n");
		return;
	}
	REQUIRE(copy_without_sessions(src, dst) == 0);
	/* Read-only: nobody signed out, nothing to read, the dump works. */
	REQUIRE(store_open(dst, STORE_RDONLY, &s) == 0);
	CHECK(check(s, "alice", sid(a, 1), now * 1000, now + 60) == 0);
	dump(s, &d);
	CHECK(count_has(&d, "\nresearchers A101 ") == 1 &&
	    count_has(&d, "\nrevoked ") == 0);
	store_close(s);
	/* A writable open (every worker's) adds them; the schema stays. */
	REQUIRE(store_open(dst, 0, &s) == 0);
	CHECK(store_session_revoke(s, SV_LIT("alice"), sid(a, 1), now + 60,
	    0) == 0);
	CHECK(store_sessions_end(s, SV_LIT("bob"), 0, NULL) == 0);
	CHECK(check(s, "alice", sid(a, 1), now * 1000, now + 60) ==
	    STORE_REVOKED);
	dump(s, &d);
	/* The catalog's and user data's. */
	CHECK(count_has(&d, "meta schema " XSTR(STORE_SCHEMA_VERSION) "\n") == 2);
	/* A re-import keeps them, as every other user datum. */
	{
		const char *au[1] = { fx("authors.jsonl") }, *wo[1] = {
		    fx("works.jsonl") };
		struct import_opts o;
		struct import_report rep;
		FILE *log = fopen("/dev/null", "w");

		REQUIRE(log != NULL);
		memset(&o, 0, sizeof(o));
		o.authors = au;
		o.n_authors = 1;
		o.works = wo;
		o.n_works = 1;
		o.log = log;
		CHECK(store_import(s, &o, &rep) == 0);
		fclose(log);
	}
	dump(s, &d2);
	CHECK(count_has(&d2, "\nrevoked ") == 1 &&
	    count_has(&d2, "\nnotbefore bob ") == 1);
	CHECK(check(s, "alice", sid(a, 1), now * 1000, now + 60) ==
	    STORE_REVOKED);
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
}

/* ---- bzpeer-admin sessions revoke --------------------------------------------------- */

static int
admin(struct buf *out, struct buf *err, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6)
{
	const char *o = path_in(scratch, "admin.out");
	const char *e = path_in(scratch, "admin.err");
	int rc = run(o, e, bin("bzpeer-admin"), a1, a2, a3, a4, a5, a6, NULL);

	if (slurp(o, out) != 0 || slurp(e, err) != 0)
		return -1;
	return rc;
}

static void
admin_cli(void)
{
	const char *dir = path_in(scratch, "admin");
	struct store *s = fixture_store("admin", NULL);
	unsigned char a[STORE_SESSION_ID_LEN];
	uint64_t before = ((uint64_t)time(NULL) - 1) * 1000;
	uint64_t exp = (uint64_t)time(NULL) + 600, after;
	struct buf o = BUF_INIT, e = BUF_INIT, d = BUF_INIT, d2 = BUF_INIT;

	store_close(s);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	dump(s, &d);
	store_close(s);
	CHECK(admin(&o, &e, "--help", NULL, NULL, NULL, NULL, NULL) == 0 &&
	    has(&o, "sessions revoke USER"));
	/* Usage: 2; a name the site never signs in: 1; nothing written. */
	CHECK(admin(&o, &e, "--store", dir, "sessions", NULL, NULL, NULL) == 2 &&
	    has(&e, "sessions: revoke?"));
	CHECK(admin(&o, &e, "--store", dir, "sessions", "revoke", NULL, NULL) ==
	    2);
	CHECK(admin(&o, &e, "--store", dir, "sessions", "revoke", "", NULL) ==
	    2);
	CHECK(admin(&o, &e, "--store", dir, "sessions", "revoke", "a", "b") ==
	    2);
	CHECK(admin(&o, &e, "--store", dir, "sessions", "revoke", "a\tb",
	    NULL) == 1 && has(&e, "not a user name"));
	CHECK(admin(&o, &e, "--store", path_in(scratch, "none"), "sessions",
	    "revoke", "alice", NULL) == 1);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	store_close(s);

	CHECK(admin(&o, &e, "--store", dir, "sessions", "revoke", "alice",
	    NULL) == 0);
	CHECK(strncmp(o.p, "sessions of \"alice\" issued up to 20", 35) == 0 &&
	    has(&o, "Z are ended; a new sign-in works\n"));
	after = now_ms() + 1;   /* the revoke came before this */
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	CHECK(check(s, "alice", sid(a, 1), before, exp) == STORE_REVOKED);
	CHECK(check(s, "alice", sid(a, 1), after, exp) == 0);
	CHECK(check(s, "bob", sid(a, 1), before, exp) == 0);
	store_close(s);
	buf_free(&o);
	buf_free(&e);
	buf_free(&d);
	buf_free(&d2);
}

int
main(void)
{
	scratch = tdir_make();
	revoke_one();
	revoke_all();
	pruning();
	refusals();
	map_full();
	old_store();
	admin_cli();
	tdir_remove(scratch);
	CHECK_DONE();
}
