/* test_owner.c: what a claimed profile's owner writes in the store: settings (bio, open to collaborate, homepage), refusals that change nothing, re-imports. */
#include <errno.h>
#include <string.h>
#include <time.h>

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

/* Files and approves a claim of user on researcher: user owns it. */
static void
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

int
main(void)
{
	scratch = tdir_make();
	settings_codec();
	settings_rules();
	tdir_remove(scratch);
	CHECK_DONE();
}
