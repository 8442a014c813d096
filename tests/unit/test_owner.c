/* test_owner.c: what a claimed profile's owner writes in the store: settings (bio, open to collaborate, homepage), refusals that change nothing, re-imports. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../store/codec.h"
#include "../../store/store.h"
#include "check.h"
#include "test_import_util.h"
#include "store_fixture.h"

static uint32_t
version_of(struct store *s, const char *id)
{
	struct store_rtxn *t;
	struct store_researcher r;
	uint32_t v = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	if (store_researcher_by_id(t, sv_cstr(id), &r) == 0)
		v = r.version;
	store_read_end(t);
	return v;
}

/* Files and approves a claim of user on researcher: user owns it. The claim's id. */
static uint64_t
own(struct store *s, const char *researcher, const char *user)
{
	struct store_claim c;
	uint64_t id;

	memset(&c, 0, sizeof(c));
	c.researcher_id = sv_cstr(researcher);
	c.user = sv_cstr(user);
	c.orcid = SV_LIT("");
	c.email = SV_LIT("someone@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/me");
	c.note = SV_LIT("");
	REQUIRE(store_claim_file(s, &c, &id) == 0);
	REQUIRE(store_claim_decide(s, id, 1, 0, SV_LIT("")) == 0);
	return id;
}

/* The settings of id as copied text: "bio|homepage|open|user", rc returned. */
static int
settings(struct store *s, const char *id, struct buf *out)
{
	struct store_rtxn *t;
	struct store_owner_settings o;
	int rc;

	REQUIRE(store_read_begin(s, &t) == 0);
	rc = store_owner_settings_get(t, sv_cstr(id), &o);
	buf_reset(out);
	buf_put(out, o.bio.p, o.bio.n);
	buf_putc(out, '|');
	buf_put(out, o.homepage.p, o.homepage.n);
	buf_putc(out, '|');
	buf_putc(out, (char)('0' + o.open_to_collaborate));
	buf_putc(out, '|');
	buf_put(out, o.user.p, o.user.n);
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
	store_read_end(t);
	return rc;
}

static int
put(struct store *s, const char *id, const char *user, const char *bio,
    const char *homepage, int open, unsigned fields)
{
	struct store_owner_settings in;

	memset(&in, 0, sizeof(in));
	in.bio = sv_cstr(bio ? bio : "");
	in.homepage = sv_cstr(homepage ? homepage : "");
	in.open_to_collaborate = (uint8_t)open;
	return store_owner_settings_put(s, sv_cstr(id), sv_cstr(user), &in,
	    fields);
}

static void
settings_rules(void)
{
	struct store *s = fixture_store("settings", NULL);
	struct buf b = BUF_INIT, before = BUF_INIT, after = BUF_INIT,
	    big = BUF_INIT;
	struct store_rtxn *t;
	struct sv owner;
	uint32_t v;
	size_t i;

	/* Nothing said yet: the defaults, open to collaborate. */
	CHECK(settings(s, "A101", &b) == STORE_NOTFOUND);
	CHECK(strcmp(b.p, "||1|") == 0);

	/* Not claimed: nobody owns it, nothing written. */
	dump(s, &before);
	CHECK(put(s, "A101", "alice", "Hi", NULL, 1, STORE_OWNER_BIO) == EPERM);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_owner_of(t, SV_LIT("A101"), &owner) == STORE_NOTFOUND);
	store_read_end(t);
	own(s, "A101", "alice");
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_owner_of(t, SV_LIT("A101"), &owner) == 0 &&
	    sv_eq_cstr(owner, "alice"));
	store_read_end(t);

	/* A pending claim owns nothing. */
	{
		struct store_claim c;
		uint64_t id;

		memset(&c, 0, sizeof(c));
		c.researcher_id = SV_LIT("A102");
		c.user = SV_LIT("bob");
		c.email = SV_LIT("bob@example.edu");
		c.evidence_url = SV_LIT("https://example.edu/bob");
		REQUIRE(store_claim_file(s, &c, &id) == 0);
		CHECK(put(s, "A102", "bob", "x", NULL, 0, STORE_OWNER_BIO) ==
		    EPERM);
	}

	/* The owner writes; anyone else is refused, nothing changed. */
	dump(s, &before);
	CHECK(put(s, "A101", "mallory", "Not me", NULL, 0, STORE_OWNER_BIO |
	    STORE_OWNER_OPEN) == EPERM);
	CHECK(put(s, "A999", "alice", "x", NULL, 0, STORE_OWNER_BIO) ==
	    STORE_NOTFOUND);
	CHECK(put(s, "W1", "alice", "x", NULL, 0, STORE_OWNER_BIO) ==
	    STORE_NOTFOUND);
	/* Bad values: refused before anything is read. */
	CHECK(put(s, "A101", "alice", "line\nbreak", NULL, 0,
	    STORE_OWNER_BIO) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", "nul\x01", NULL, 0, STORE_OWNER_BIO) ==
	    STORE_INVALID);
	CHECK(put(s, "A101", "alice", "\xc2\x85next line", NULL, 0,
	    STORE_OWNER_BIO) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", "sep\xe2\x80\xa8", NULL, 0,
	    STORE_OWNER_BIO) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", "bad \xff utf-8", NULL, 0,
	    STORE_OWNER_BIO) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "javascript:alert(1)", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "http://example.org/", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "https://exa mple.org/", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "https://example.org/\"onx=1", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "https://", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, "https://ex\xc3\xa4mple.org/", 0,
	    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", NULL, NULL, 2, STORE_OWNER_OPEN) ==
	    STORE_INVALID);
	CHECK(put(s, "A101", "alice", "x", NULL, 0, 0) == STORE_INVALID);
	CHECK(put(s, "A101", "alice", "x", NULL, 0, 0x80) == STORE_INVALID);
	CHECK(put(s, "A101", "", "x", NULL, 0, STORE_OWNER_BIO) ==
	    STORE_INVALID);
	/* The limits are characters: 300 accented letters (600 bytes) fit,
	 * 301 do not; a homepage of 500 bytes fits, 501 not. */
	for (i = 0; i < STORE_BIO_MAX; i++)
		buf_puts(&big, "\xc3\xa9");
	buf_reserve(&big, 1);
	big.p[big.len] = '\0';
	{
		struct buf over = BUF_INIT, url = BUF_INIT, url2 = BUF_INIT;

		buf_put(&over, big.p, big.len);
		buf_puts(&over, "e");
		buf_reserve(&over, 1);
		over.p[over.len] = '\0';
		CHECK(put(s, "A101", "alice", over.p, NULL, 0,
		    STORE_OWNER_BIO) == STORE_INVALID);
		buf_puts(&url, "https://example.org/");
		while (url.len < STORE_HOMEPAGE_MAX)
			buf_putc(&url, 'a');
		buf_put(&url2, url.p, url.len);
		buf_putc(&url2, 'a');
		buf_reserve(&url, 1);
		url.p[url.len] = '\0';
		buf_reserve(&url2, 1);
		url2.p[url2.len] = '\0';
		CHECK(put(s, "A101", "alice", NULL, url2.p, 0,
		    STORE_OWNER_HOMEPAGE) == STORE_INVALID);
		dump(s, &after);
		CHECK(same(&before, &after));
		v = version_of(s, "A101");
		CHECK(put(s, "A101", "alice", NULL, url.p, 0,
		    STORE_OWNER_HOMEPAGE) == 0);
		CHECK(version_of(s, "A101") == v + 1);
		buf_free(&over);
		buf_free(&url);
		buf_free(&url2);
	}
	v = version_of(s, "A101");
	CHECK(put(s, "A101", "alice", big.p, NULL, 0, STORE_OWNER_BIO) == 0);
	CHECK(version_of(s, "A101") == v + 1);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(b.len > 600 && memcmp(b.p, big.p, big.len) == 0);

	/* Each field alone, the others kept. */
	CHECK(put(s, "A101", "alice", "Works on proofs.", NULL, 0,
	    STORE_OWNER_BIO) == 0);
	CHECK(put(s, "A101", "alice", NULL, "https://example.org/~alice", 0,
	    STORE_OWNER_HOMEPAGE) == 0);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(strcmp(b.p, "Works on proofs.|https://example.org/~alice|1|"
	    "alice") == 0);
	v = version_of(s, "A101");
	CHECK(put(s, "A101", "alice", NULL, NULL, 0, STORE_OWNER_OPEN) == 0);
	CHECK(version_of(s, "A101") == v + 1);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(strcmp(b.p, "Works on proofs.|https://example.org/~alice|0|"
	    "alice") == 0);
	/* Emptied: no homepage; a bio of nothing. */
	CHECK(put(s, "A101", "alice", "", "", 1, STORE_OWNER_BIO |
	    STORE_OWNER_HOMEPAGE | STORE_OWNER_OPEN) == 0);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(strcmp(b.p, "||1|alice") == 0);
	/* Another researcher's settings are its own. */
	CHECK(settings(s, "A103", &b) == STORE_NOTFOUND);

	/* Kept by re-imports, the same files and changed ones. */
	CHECK(put(s, "A101", "alice", "Bio \xe2\x80\x94 kept", "https://a.example/",
	    0, STORE_OWNER_BIO | STORE_OWNER_HOMEPAGE | STORE_OWNER_OPEN) == 0);
	v = version_of(s, "A101");
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(strcmp(b.p, "Bio \xe2\x80\x94 kept|https://a.example/|0|alice") == 0);
	CHECK(version_of(s, "A101") >= v);
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), fx("works-v2.jsonl")) ==
	    0);
	REQUIRE(settings(s, "A101", &b) == 0);
	CHECK(strcmp(b.p, "Bio \xe2\x80\x94 kept|https://a.example/|0|alice") == 0);
	CHECK(version_of(s, "A101") >= v);
	/* Shown in the dump (and so in backups' checks). */
	dump(s, &after);
	CHECK(count_has(&after, "ownerset A101 researcher=\"A101\" user=\"alice\"")
	    == 1);

	buf_free(&b);
	buf_free(&before);
	buf_free(&after);
	buf_free(&big);
	store_close(s);
}

/* The codec: a record round-trips; a damaged one or a bad flag is refused. */
static void
settings_codec(void)
{
	struct store_owner_settings o, d;
	struct buf b = BUF_INIT;

	memset(&o, 0, sizeof(o));
	o.researcher_id = SV_LIT("A1");
	o.user = SV_LIT("u");
	o.bio = SV_LIT("b");
	o.homepage = SV_LIT("https://h/");
	o.open_to_collaborate = 1;
	o.updated_at = 1700000000;
	rec_owner_encode(&b, &o);
	CHECK(rec_owner_decode(b.p, b.len, &d) == 0 &&
	    sv_eq_cstr(d.bio, "b") && sv_eq_cstr(d.homepage, "https://h/") &&
	    d.open_to_collaborate == 1 && d.updated_at == 1700000000);
	b.p[4] ^= 1;
	CHECK(rec_owner_decode(b.p, b.len, &d) == STORE_CORRUPT);
	buf_reset(&b);
	o.open_to_collaborate = 2;
	rec_owner_encode(&b, &o);
	CHECK(rec_owner_decode(b.p, b.len, &d) == STORE_CORRUPT);
	buf_free(&b);
}

/* What the profile of id counts, read back: works, and whether work w is listed. */
struct seen {
	uint32_t works, coauthors, close, version;
	uint64_t cited;
	int listed;
	uint64_t gen;
	char slug[96];
};

static int
listed_cb(void *ctx, const struct store_work *w)
{
	const char *want = ctx;

	return sv_eq_cstr(w->id, want) ? 1 : 0;
}

static int
seen(struct store *s, const char *id, const char *work, struct seen *out)
{
	struct store_rtxn *t;
	struct store_researcher r;
	int rc;

	memset(out, 0, sizeof(*out));
	REQUIRE(store_read_begin(s, &t) == 0);
	out->gen = store_generation(t);
	if ((rc = store_researcher_by_id(t, sv_cstr(id), &r)) == 0) {
		out->works = r.works;
		out->coauthors = r.coauthors;
		out->close = r.close_collaborators;
		out->version = r.version;
		out->cited = r.cited;
		snprintf(out->slug, sizeof(out->slug), "%.*s", (int)r.slug.n,
		    r.slug.p);
		if (work != NULL)
			out->listed = store_researcher_works(t, r.id, 0, 0,
			    listed_cb, (void *)(uintptr_t)work) == 1;
	}
	store_read_end(t);
	return rc;
}

static int
hidden_count_cb(void *ctx, struct sv rid, struct sv wid, uint64_t at)
{
	(*(size_t *)ctx)++;
	return at > 0 ? 0 : 1;
}

static size_t
hidden_count(struct store *s, const char *id)
{
	struct store_rtxn *t;
	size_t n = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_hidden_each(t, sv_cstr(id), hidden_count_cb, &n) == 0);
	store_read_end(t);
	return n;
}

struct shared_q {
	const char *who;
	uint32_t shared;
};

static int
shared_cb(void *ctx, const struct store_coauthor *c)
{
	struct shared_q *q = ctx;

	if (sv_eq_cstr(c->r.id, q->who))
		q->shared = c->shared;
	return 0;
}

/* How many works researcher a shares with b, as a's co-author list says. */
static uint32_t
shared_with(struct store *s, const char *a, const char *b)
{
	struct store_rtxn *t;
	struct shared_q q = { b, 0 };

	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_coauthors(t, sv_cstr(a), 0, shared_cb, &q) == 0);
	store_read_end(t);
	return q.shared;
}

static void
hide_rules(void)
{
	struct store *s = fixture_store("hide", NULL);
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct seen a0, a1, a2, b0, b1;

	own(s, "A101", "alice");
	REQUIRE(seen(s, "A101", "W2", &a0) == 0);
	REQUIRE(seen(s, "A102", NULL, &b0) == 0);
	CHECK(a0.listed && a0.works >= 2);

	/* Refused, nothing written. */
	dump(s, &before);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("mallory"),
	    SV_LIT("W2"), 1) == EPERM);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W999"), 1) == STORE_NOTFOUND);
	CHECK(store_work_hide(s, SV_LIT("A103"), SV_LIT("alice"),
	    SV_LIT("W2"), 1) == EPERM);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A2"), 1) == STORE_INVALID);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W2'--"), 1) == STORE_INVALID);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT(""),
	    SV_LIT("W2"), 1) == STORE_INVALID);
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W2"), 0) == STORE_NOTFOUND);
	dump(s, &after);
	CHECK(same(&before, &after));

	/* "Not my paper": gone from the list and the figures. */
	REQUIRE(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W2"), 1) == 0);
	REQUIRE(seen(s, "A101", "W2", &a1) == 0);
	REQUIRE(seen(s, "A102", NULL, &b1) == 0);
	CHECK(!a1.listed && a1.works == a0.works - 1);
	CHECK(a1.version > a0.version);
	CHECK(a1.gen == a0.gen);            /* not a new catalog */
	CHECK(hidden_count(s, "A101") == 1 && hidden_count(s, "") == 1);
	/* A102 shared W1 and W2 with A101: only W1 counts now, both ways. */
	CHECK(shared_with(s, "A101", "A102") == 1);
	CHECK(shared_with(s, "A102", "A101") == 1);
	CHECK(b0.close >= 1 && b1.close == b0.close - 1);
	/* Twice: nothing more. */
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W2"), 1) == 0);
	REQUIRE(seen(s, "A101", "W2", &a2) == 0);
	CHECK(a2.works == a1.works && a2.version == a1.version);

	/* Re-imports bring the work back in the files: unlinked again. */
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	REQUIRE(seen(s, "A101", "W2", &a2) == 0);
	CHECK(!a2.listed && a2.works == a1.works && a2.version == a1.version);
	CHECK(a2.gen == a1.gen + 1);
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), fx("works-v2.jsonl")) ==
	    0);
	REQUIRE(seen(s, "A101", "W2", &a2) == 0);
	CHECK(!a2.listed);
	CHECK(hidden_count(s, "A101") == 1);
	/* W1 of v2 is not A102's: with W2 hidden, nothing is shared. */
	CHECK(shared_with(s, "A102", "A101") == 0);

	/* Undone by the owner: listed and counted again. */
	CHECK(store_work_hide(s, SV_LIT("A101"), SV_LIT("bob"),
	    SV_LIT("W2"), 0) == EPERM);
	REQUIRE(store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("W2"), 0) == 0);
	REQUIRE(seen(s, "A101", "W2", &a2) == 0);
	CHECK(a2.listed && a2.works == a0.works);
	CHECK(hidden_count(s, "A101") == 0);
	CHECK(shared_with(s, "A102", "A101") == 1 &&
	    shared_with(s, "A101", "A102") == 1);
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	CHECK(shared_with(s, "A102", "A101") == 2 &&
	    shared_with(s, "A101", "A102") == 2);
	REQUIRE(seen(s, "A101", "W2", &a2) == 0);
	CHECK(a2.listed && a2.works == a0.works);
	buf_free(&before);
	buf_free(&after);
	store_close(s);
}

static uint64_t
followers_of(struct store *s, const char *id)
{
	struct store_rtxn *t;
	uint64_t n = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	(void)store_followers(t, sv_cstr(id), &n);
	store_read_end(t);
	return n;
}

static int
merge_state(struct store *s, uint64_t id, struct buf *note)
{
	struct store_rtxn *t;
	struct store_merge_req q;
	int st = -1;

	REQUIRE(store_read_begin(s, &t) == 0);
	if (store_merge_request_by_id(t, id, &q) == 0) {
		st = q.state;
		if (note != NULL) {
			buf_reset(note);
			buf_put(note, q.reviewer_note.p, q.reviewer_note.n);
			buf_reserve(note, 1);
			note->p[note->len] = '\0';
		}
	}
	store_read_end(t);
	return st;
}

static void
merge_rules(void)
{
	struct store *s = fixture_store("merge", NULL);
	struct buf before = BUF_INIT, after = BUF_INIT, note = BUF_INIT;
	struct seen a0, a1, x;
	struct store_claim c;
	uint64_t id, id2, cid, n, txn;
	int why, ch;
	char slug103[96];

	own(s, "A101", "alice");
	REQUIRE(store_follow(s, SV_LIT("A101"), SV_LIT("bob"), 1, &n, &txn,
	    &ch) == 0);
	REQUIRE(store_follow(s, SV_LIT("A103"), SV_LIT("bob"), 1, &n, &txn,
	    &ch) == 0);
	REQUIRE(store_follow(s, SV_LIT("A103"), SV_LIT("carol"), 1, &n, &txn,
	    &ch) == 0);
	REQUIRE(seen(s, "A103", NULL, &x) == 0);
	snprintf(slug103, sizeof(slug103), "%s", x.slug);
	REQUIRE(seen(s, "A101", "W3", &a0) == 0);
	/* Alice's own pending claim on the duplicate: closed by the merge. */
	memset(&c, 0, sizeof(c));
	c.researcher_id = SV_LIT("A103");
	c.user = SV_LIT("alice");
	c.email = SV_LIT("alice@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/alice");
	REQUIRE(store_claim_file(s, &c, &cid) == 0);
	/* Dana's pending claim on A102: not Alice's to merge. */
	c.researcher_id = SV_LIT("A102");
	c.user = SV_LIT("dana");
	REQUIRE(store_claim_file(s, &c, &id) == 0);

	/* Refusals, nothing written. */
	dump(s, &before);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("mallory"),
	    SV_LIT("A103"), SV_LIT(""), &id, &why) == EPERM);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A101"), SV_LIT(""), &id, &why) == STORE_CONFLICT &&
	    why == STORE_MERGE_SELF);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A102"), SV_LIT(""), &id, &why) == STORE_CONFLICT &&
	    why == STORE_MERGE_CLAIMED);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A99999"), SV_LIT(""), &id, &why) == STORE_NOTFOUND);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("slug-not-id"), SV_LIT(""), &id, &why) == STORE_NOTFOUND);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A103"), SV_LIT("bad\x01note"), &id, &why) ==
	    STORE_INVALID);
	CHECK(store_merge_request(s, SV_LIT("A103"), SV_LIT("alice"),
	    SV_LIT("A101"), SV_LIT(""), &id, &why) == EPERM);
	dump(s, &after);
	CHECK(same(&before, &after));

	/* Filed: pending, once. */
	REQUIRE(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A103"), SV_LIT("Both are me."), &id, &why) == 0);
	CHECK(id == 1 && merge_state(s, id, NULL) == STORE_CLAIM_STATE_PENDING);
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A103"), SV_LIT(""), &id2, &why) == STORE_CONFLICT &&
	    why == STORE_MERGE_ASKED);
	/* Rejected with a note; asked again; approved. */
	CHECK(store_merge_decide(s, 99, 1, SV_LIT(""), &why) ==
	    STORE_NOTFOUND);
	REQUIRE(store_merge_decide(s, id, 0, SV_LIT("Not the same person?"),
	    &why) == 0);
	CHECK(merge_state(s, id, &note) == STORE_CLAIM_STATE_REJECTED &&
	    strcmp(note.p, "Not the same person?") == 0);
	CHECK(store_merge_decide(s, id, 1, SV_LIT(""), &why) ==
	    STORE_CONFLICT && why == STORE_MERGE_DECIDED);
	REQUIRE(seen(s, "A103", NULL, &x) == 0 && strcmp(x.slug, slug103) == 0);
	REQUIRE(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A103"), SV_LIT(""), &id2, &why) == 0);
	REQUIRE(store_merge_decide(s, id2, 1, SV_LIT("Same ORCID."), &why) ==
	    0);
	CHECK(merge_state(s, id2, NULL) == STORE_CLAIM_STATE_APPROVED);

	/* The duplicate answers as the owner's researcher, by id and slug. */
	REQUIRE(seen(s, "A103", NULL, &x) == 0);
	CHECK(strcmp(x.slug, a0.slug) == 0);
	{
		struct store_rtxn *t;
		struct store_researcher r;

		REQUIRE(store_read_begin(s, &t) == 0);
		CHECK(store_researcher_by_slug(t, sv_cstr(slug103), &r) == 0 &&
		    sv_eq_cstr(r.id, "A101"));
		store_read_end(t);
	}
	/* Followers joined, bob once. */
	CHECK(followers_of(s, "A101") == 2);
	CHECK(followers_of(s, "A103") == 0);
	/* Alice's pending claim on the duplicate is closed with a note. */
	{
		struct store_rtxn *t;
		struct store_claim cl;

		REQUIRE(store_read_begin(s, &t) == 0);
		REQUIRE(store_claim_by_id(t, cid, &cl) == 0);
		CHECK(cl.state == STORE_CLAIM_STATE_REJECTED &&
		    cl.reviewer_note.n > 0);
		store_read_end(t);
	}
	/* Works joined: A103's W6 and W7 are A101's now; W3 was both's,
	 * and counts once. */
	REQUIRE(seen(s, "A101", "W3", &a1) == 0);
	CHECK(a1.listed && a1.works == a0.works + 2 && a1.version > a0.version);
	REQUIRE(seen(s, "A101", "W6", &a1) == 0);
	CHECK(a1.listed);
	/* Already merged; merged into itself. */
	CHECK(store_merge_request(s, SV_LIT("A101"), SV_LIT("alice"),
	    SV_LIT("A103"), SV_LIT(""), &id, &why) == STORE_CONFLICT &&
	    why == STORE_MERGE_SELF);

	/* A re-import names A103 again, with its works: still merged. */
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	REQUIRE(seen(s, "A103", NULL, &x) == 0);
	CHECK(strcmp(x.slug, a0.slug) == 0);
	CHECK(followers_of(s, "A101") == 2);
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), fx("works-v2.jsonl")) ==
	    0);
	REQUIRE(seen(s, "A103", NULL, &x) == 0);
	CHECK(strcmp(x.slug, a0.slug) == 0);
	/* The approved request is kept as it was decided. */
	{
		struct store_rtxn *t;
		struct store_merge_req q;

		REQUIRE(store_read_begin(s, &t) == 0);
		REQUIRE(store_merge_request_by_id(t, id2, &q) == 0);
		CHECK(sv_eq_cstr(q.from, "A103") && sv_eq_cstr(q.into, "A101") &&
		    sv_eq_cstr(q.user, "alice") && sv_eq_cstr(q.reviewer_note,
		    "Same ORCID."));
		store_read_end(t);
	}

	/* A loop: B asks for A into B while A's request for B is pending. */
	own(s, "A106", "erin");
	REQUIRE(store_merge_request(s, SV_LIT("A106"), SV_LIT("erin"),
	    SV_LIT("A108"), SV_LIT(""), &id, &why) == 0);
	own(s, "A108", "frank");
	CHECK(store_merge_request(s, SV_LIT("A108"), SV_LIT("frank"),
	    SV_LIT("A106"), SV_LIT(""), &id2, &why) == STORE_CONFLICT &&
	    (why == STORE_MERGE_LOOP || why == STORE_MERGE_CLAIMED));
	/* Approving erin's now: A108 is frank's. */
	CHECK(store_merge_decide(s, id, 1, SV_LIT(""), &why) ==
	    STORE_CONFLICT && why == STORE_MERGE_CLAIMED);
	CHECK(merge_state(s, id, NULL) == STORE_CLAIM_STATE_PENDING);

	buf_free(&before);
	buf_free(&after);
	buf_free(&note);
	store_close(s);
}

/* ---- OpenAlex merges an owned profile into another ---------------------------- */

/*
 * An import of one merged_ids row: from merged into into (OpenAlex's), in
 * a file of a day after the last one's (an older one is applied already).
 */
static void
oa_merge(struct store *s, const char *from, const char *into)
{
	static int day;
	const char *csv = path_in(scratch, "merged.csv");
	char date[32], text[128];
	const char *m[1] = { csv }, *md[1] = { date };
	struct import_opts o;
	struct import_report rep;

	snprintf(date, sizeof(date), "2025-01-%02d", ++day);
	snprintf(text, sizeof(text), "merge_date,id,merge_into_id\n"
	    "%s,%s,%s\n", date, from, into);
	spits(csv, text);
	memset(&o, 0, sizeof(o));
	o.merged_authors = m;
	o.merged_authors_date = md;
	o.n_merged_authors = 1;
	o.log = fopen("/dev/null", "w");
	REQUIRE(o.log != NULL);
	REQUIRE(store_import(s, &o, &rep) == 0);
	fclose(o.log);
}

/*
 * What the owner of a profile OpenAlex merges into another wrote on it goes
 * with their claim to the survivor: settings, works hidden, invitations
 * received with their open pairs and blocks. It shows there once the
 * moved claim is approved, to them only: a survivor claimed by another
 * keeps its own, and a new owner never reads a former owner's words.
 */
static void
merged_owner(void)
{
	struct store *s = fixture_store("mowner", NULL);
	struct buf b = BUF_INIT, d = BUF_INIT;
	struct ids v;
	struct seen x;
	uint64_t cid, bob, bob2, mal, id;
	int why;

	/* Alice owns A103: her words, W7 hidden, bob's and mallory's
	 * invitations, mallory blocked. */
	cid = own(s, "A103", "alice");
	REQUIRE(put(s, "A103", "alice", "Alice's words", "https://alice.example",
	    0, STORE_OWNER_BIO | STORE_OWNER_HOMEPAGE) == 0);
	REQUIRE(store_work_hide(s, SV_LIT("A103"), SV_LIT("alice"),
	    SV_LIT("W7"), 1) == 0);
	REQUIRE(send_text(s, "A103", "bob", &bob, &why) == 0);
	REQUIRE(send_text(s, "A103", "mallory", &mal, &why) == 0);
	REQUIRE(store_invite_decide(s, mal, SV_LIT("alice"), STORE_INVITE_BLOCK,
	    0) == 0);
	/* Bob writes to A104 too (nobody's yet: refused). */
	CHECK(send_text(s, "A104", "bob", &id, &why) == STORE_CONFLICT);

	oa_merge(s, "A103", "A104");
	/* Moved: nothing left under A103. */
	CHECK(settings(s, "A103", &b) == STORE_NOTFOUND);
	CHECK(hidden_count(s, "A103") == 0);
	CHECK(listed(s, 1, "A103").n == 0);
	CHECK(blocked(s, "A103", "mallory") == 0);
	dump(s, &d);
	CHECK(strstr(d.p, "ownerset A103") == NULL);
	/* On A104, pending review: hidden stays hidden, her words wait. */
	CHECK(hidden_count(s, "A104") == 1);
	REQUIRE(seen(s, "A104", "W7", &x) == 0);
	CHECK(!x.listed);
	REQUIRE(seen(s, "A104", "W6", &x) == 0);
	CHECK(x.listed);
	CHECK(settings(s, "A104", &b) == STORE_NOTFOUND &&
	    strcmp(b.p, "||1|") == 0);
	v = listed(s, 1, "A104");
	CHECK(v.n == 2 && v.id[0] == mal && v.id[1] == bob &&
	    strcmp(v.researcher[1], "A104") == 0);
	CHECK(blocked(s, "A104", "mallory") == 1);
	CHECK(store_invite_decide(s, bob, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);

	/* Approved: all hers on A104. */
	REQUIRE(store_claim_decide(s, cid, 1, 0, SV_LIT("")) == 0);
	CHECK(settings(s, "A104", &b) == 0 &&
	    strcmp(b.p, "Alice's words|https://alice.example|1|alice") == 0);
	/* Bob's open pair moved with it: sending again finds it. */
	CHECK(put(s, "A104", "alice", NULL, NULL, 1, STORE_OWNER_OPEN) == 0);
	CHECK(send_text(s, "A104", "bob", &bob2, &why) == STORE_EXISTS && bob2 == bob);
	CHECK(send_text(s, "A104", "mallory", &id, &why) == STORE_CONFLICT);
	CHECK(store_invite_decide(s, bob, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == 0);
	CHECK(store_work_hide(s, SV_LIT("A104"), SV_LIT("alice"), SV_LIT("W7"),
	    0) == 0);
	REQUIRE(seen(s, "A104", "W7", &x) == 0);
	CHECK(x.listed && hidden_count(s, "A104") == 0);
	/* A re-import of the files keeps all of it. */
	REQUIRE(store_work_hide(s, SV_LIT("A104"), SV_LIT("alice"),
	    SV_LIT("W7"), 1) == 0);
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	CHECK(settings(s, "A104", &b) == 0 &&
	    strncmp(b.p, "Alice's words|", 14) == 0);
	CHECK(hidden_count(s, "A104") == 1 && hidden_count(s, "A103") == 0);
	REQUIRE(seen(s, "A104", "W7", &x) == 0);
	CHECK(!x.listed);

	/* Dave owns A102 and writes; OpenAlex merges it into A101 (nobody's):
	 * his claim is rejected there, erin's approved; dave's words are not
	 * erin's, and writing one field does not bring them back. */
	id = own(s, "A102", "dave");
	REQUIRE(put(s, "A102", "dave", "Dave's words", NULL, 1,
	    STORE_OWNER_BIO) == 0);
	oa_merge(s, "A102", "A101");
	REQUIRE(store_claim_decide(s, id, 0, 0, SV_LIT("Not the same.")) == 0);
	own(s, "A101", "erin");
	CHECK(settings(s, "A101", &b) == STORE_NOTFOUND &&
	    strcmp(b.p, "||1|") == 0);
	REQUIRE(put(s, "A101", "erin", NULL, NULL, 0, STORE_OWNER_OPEN) == 0);
	CHECK(settings(s, "A101", &b) == 0 && strcmp(b.p, "||0|erin") == 0);

	/* A survivor with an owner of its own keeps its settings: carol's
	 * A106 takes erin's A101, whose words go. */
	own(s, "A106", "carol");
	REQUIRE(put(s, "A106", "carol", "Carol's words", NULL, 1,
	    STORE_OWNER_BIO) == 0);
	oa_merge(s, "A101", "A106");
	CHECK(settings(s, "A106", &b) == 0 &&
	    strcmp(b.p, "Carol's words||1|carol") == 0);
	dump(s, &d);
	CHECK(strstr(d.p, "ownerset A101") == NULL &&
	    strstr(d.p, "ownerset A102") == NULL);

	buf_free(&b);
	buf_free(&d);
	store_close(s);
}

/* ---- writers at once: follows, removals, settings and a merge -------------------- */

#define C_PROCS 4
#define C_ROUNDS 12

static int
count_user(void *ctx, struct sv user)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

/* One writer: follows of both profiles, its own removal toggles, settings. */
static void
c_child(const char *dir, int k)
{
	struct store *s;
	static const char *const works[] = { "W1", "W2", "W4" };
	char user[16];
	uint64_t n, txn;
	int ch, i, bad = 0;

	snprintf(user, sizeof(user), "fan%d", k);
	if (store_open(dir, 0, &s) != 0)
		_exit(2);
	for (i = 0; i < C_ROUNDS; i++) {
		int rc;

		/* Ends following A101 (and A103 before it was merged). */
		if (store_follow(s, SV_LIT("A101"), sv_cstr(user), i % 3 != 2 ||
		    i == C_ROUNDS - 1, &n, &txn, &ch) != 0)
			bad++;
		/* The owner's own writes, from every process at once. */
		rc = store_work_hide(s, SV_LIT("A101"), SV_LIT("alice"),
		    sv_cstr(works[(k + i) % 3]), (i + k) % 2);
		if (rc != 0 && rc != STORE_NOTFOUND)
			bad++;
		{
			struct store_owner_settings in;

			memset(&in, 0, sizeof(in));
			in.bio = sv_cstr(user);
			in.open_to_collaborate = (uint8_t)(i & 1);
			if (store_owner_settings_put(s, SV_LIT("A101"),
			    SV_LIT("alice"), &in, STORE_OWNER_BIO |
			    STORE_OWNER_OPEN) != 0)
				bad++;
		}
		if (k == 0 && i == C_ROUNDS / 2) {
			uint64_t id;
			int why;

			if (store_merge_request(s, SV_LIT("A101"),
			    SV_LIT("alice"), SV_LIT("A103"), SV_LIT(""), &id,
			    &why) != 0 || store_merge_decide(s, id, 1,
			    SV_LIT(""), &why) != 0)
				bad++;
		}
	}
	store_close(s);
	_exit(bad ? 1 : 0);
}

static int
in_rworks(void *ctx, const struct store_work *w)
{
	struct buf *b = ctx;

	buf_put(b, w->id.p, w->id.n);
	buf_putc(b, ' ');
	return 0;
}

struct hid {
	struct buf *listed;
	int bad, n;
};

static int
hidden_not_listed(void *ctx, struct sv rid, struct sv wid, uint64_t at)
{
	struct hid *h = ctx;
	char needle[32];

	snprintf(needle, sizeof(needle), "%.*s ", (int)wid.n, wid.p);
	h->n++;
	if (count_has(h->listed, needle) != 0)
		h->bad++;
	return 0;
}

static void
concurrent_owner(void)
{
	const char *dir = path_in(scratch, "owner-race");
	struct store *s = fixture_store("owner-race", NULL);
	struct store_rtxn *t;
	struct store_researcher r;
	struct buf listed = BUF_INIT, bio = BUF_INIT;
	struct hid h;
	pid_t pids[C_PROCS];
	uint64_t n = 0, edges = 0;
	int k, st, ok = 1;

	own(s, "A101", "alice");
	for (k = 0; k < C_PROCS; k++) {
		char user[16];
		uint64_t txn;
		int ch;

		snprintf(user, sizeof(user), "fan%d", k);
		REQUIRE(store_follow(s, SV_LIT("A103"), sv_cstr(user), 1, &n,
		    &txn, &ch) == 0);
	}
	store_close(s);      /* no environment across fork */
	fflush(stdout);
	for (k = 0; k < C_PROCS; k++) {
		pids[k] = fork();
		REQUIRE(pids[k] >= 0);
		if (pids[k] == 0)
			c_child(dir, k);
	}
	for (k = 0; k < C_PROCS; k++)
		if (waitpid(pids[k], &st, 0) != pids[k] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			ok = 0;
	CHECK(ok);
	REQUIRE(store_open(dir, 0, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	/* Merged once: A103 answers as A101, its count gone to A101's. */
	CHECK(store_researcher_by_id(t, SV_LIT("A103"), &r) == 0 &&
	    sv_eq_cstr(r.id, "A101"));
	/* Each fan followed A103 and ends following A101: once each. */
	CHECK(store_followers(t, SV_LIT("A101"), &n) == 0);
	CHECK(store_researcher_followers(t, SV_LIT("A101"), count_user,
	    &edges) == 0);
	CHECK(n == edges && n == C_PROCS);
	/* No hidden work is listed; the works count is the list's. */
	CHECK(store_researcher_works(t, SV_LIT("A101"), 0, 0, in_rworks,
	    &listed) == 0);
	h = (struct hid){ &listed, 0, 0 };
	CHECK(store_hidden_each(t, SV_LIT("A101"), hidden_not_listed, &h) == 0);
	CHECK(h.bad == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0 &&
	    r.works == (uint32_t)count_has(&listed, " "));
	store_read_end(t);
	CHECK(settings(s, "A101", &bio) == 0 && strncmp(bio.p, "fan", 3) == 0);
	/* A re-import agrees with what the writers left. */
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	buf_reset(&listed);
	CHECK(store_researcher_works(t, SV_LIT("A101"), 0, 0, in_rworks,
	    &listed) == 0);
	h = (struct hid){ &listed, 0, 0 };
	CHECK(store_hidden_each(t, SV_LIT("A101"), hidden_not_listed, &h) == 0);
	CHECK(h.bad == 0);
	CHECK(store_followers(t, SV_LIT("A101"), &n) == 0 && n == C_PROCS);
	store_read_end(t);
	buf_free(&listed);
	buf_free(&bio);
	store_close(s);
}

int
main(void)
{
	scratch = tdir_make();
	settings_codec();
	settings_rules();
	hide_rules();
	merge_rules();
	merged_owner();
	concurrent_owner();
	tdir_remove(scratch);
	CHECK_DONE();
}
