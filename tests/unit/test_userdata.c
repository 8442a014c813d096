/* test_userdata.c: follows and claims in the store: rules, refusals that change nothing, re-imports, concurrent writers, map growth, bzpeer-admin. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../../store/codec.h"
#include "../../store/dump.h"
#include "../../store/import.h"
#include "../../store/store.h"
#include "../../store/store_int.h"
#include "../../store/utf8.h"
#include "check.h"
#include "test_import_util.h"
#include "store_fixture.h"

/* Removes the lines of d that begin with prefix. */
static void
drop_lines(struct buf *d, const char *prefix)
{
	size_t i = 0, o = 0, pl = strlen(prefix);

	while (i < d->len) {
		const char *nl = memchr(d->p + i, '\n', d->len - i);
		size_t n = nl ? (size_t)(nl - (d->p + i)) + 1 : d->len - i;

		if (!(n >= pl && memcmp(d->p + i, prefix, pl) == 0)) {
			memmove(d->p + o, d->p + i, n);
			o += n;
		}
		i += n;
	}
	d->len = o;
	buf_reserve(d, 1);
	d->p[o] = '\0';
}

/* Only the dump lines of database db (name and a space). */
static void
lines_of(const struct buf *all, const char *db, struct buf *out)
{
	size_t i = 0, dl = strlen(db);

	buf_reset(out);
	buf_reserve(out, 1);
	while (i < all->len) {
		const char *nl = memchr(all->p + i, '\n', all->len - i);
		size_t n = nl ? (size_t)(nl - (all->p + i)) + 1 : all->len - i;

		if (n > dl && memcmp(all->p + i, db, dl) == 0 &&
		    all->p[i + dl] == ' ')
			buf_put(out, all->p + i, n);
		i += n;
	}
}

static int
researcher(struct store *s, const char *id, struct store_researcher *r,
    struct buf *copy_slug)
{
	struct store_rtxn *t;
	int rc;

	if ((rc = store_read_begin(s, &t)) != 0)
		return rc;
	rc = store_researcher_by_id(t, sv_cstr(id), r);
	if (rc == 0 && copy_slug) {
		buf_reset(copy_slug);
		buf_put(copy_slug, r->slug.p, r->slug.n);
	}
	/* The figures are numbers: they outlive the txn; the views do not. */
	r->id = r->slug = r->name = r->orcid = r->institution = SV_LIT("");
	store_read_end(t);
	return rc;
}

static uint64_t
followers(struct store *s, const char *id)
{
	struct store_rtxn *t;
	uint64_t n = UINT64_MAX;

	if (store_read_begin(s, &t) == 0) {
		if (store_followers(t, sv_cstr(id), &n) != 0)
			n = UINT64_MAX;
		store_read_end(t);
	}
	return n;
}

static int
following(struct store *s, const char *id, const char *user)
{
	struct store_rtxn *t;
	int on = -1;

	if (store_read_begin(s, &t) == 0) {
		if (store_is_following(t, sv_cstr(id), sv_cstr(user), &on) != 0)
			on = -1;
		store_read_end(t);
	}
	return on;
}

static int
collect_user(void *ctx, struct sv user)
{
	struct buf *b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	buf_put(b, user.p, user.n);
	return 0;
}

/* ---- follows ------------------------------------------------------------ */

static int
fol(struct store *s, const char *id, struct sv user, int on, uint64_t *count,
    uint64_t *txn, int *changed)
{
	return store_follow(s, sv_cstr(id), user, on, count, txn, changed);
}

static void
follows_basic(void)
{
	struct store *s = fixture_store("follows", NULL), *ro;
	struct store_rtxn *t;
	struct buf empty = BUF_INIT, d = BUF_INIT, d2 = BUF_INIT, b = BUF_INIT;
	uint64_t n = 9, txn = 0, txn1, txn2;
	int ch = 9, on = 0;
	char big[STORE_USER_MAX + 1];
	mode_t old_mask;

	dump(s, &empty);

	/* Following twice counts once. The first follow makes the queue
	 * beside the store (groupq.c), its owner's alone like the store. */
	old_mask = umask(022);
	CHECK(fol(s, "A101", SV_LIT("alice"), 1, &n, &txn1, &ch) == 0 &&
	    n == 1 && ch == 1 && txn1 > 0);
	umask(old_mask);
	CHECK(mode_of(path_in(scratch, "follows/user/write.queue")) == 0600);
	CHECK(fol(s, "A101", SV_LIT("alice"), 1, &n, &txn, &ch) == 0 &&
	    n == 1 && ch == 0);
	/* Nothing changed: the id of the snapshot read, the last commit's. */
	CHECK(txn == txn1);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_txn_id(t) == txn1);
	store_read_end(t);
	CHECK(followers(s, "A101") == 1 && following(s, "A101", "alice") == 1);
	CHECK(following(s, "A101", "bob") == 0);
	CHECK(following(s, "A102", "alice") == 0);

	CHECK(fol(s, "A101", SV_LIT("bob"), 1, &n, &txn2, &ch) == 0 &&
	    n == 2 && ch == 1 && txn2 > txn1);
	CHECK(fol(s, "A102", SV_LIT("bob"), 1, &n, &txn, &ch) == 0 &&
	    n == 1 && ch == 1 && txn > txn2);
	/* UTF-8 names and the longest name are fine. */
	memset(big, 'u', STORE_USER_MAX);
	CHECK(fol(s, "A101", (struct sv){ big, STORE_USER_MAX }, 1, &n, &txn,
	    &ch) == 0 && n == 3);
	CHECK(fol(s, "A101", SV_LIT("\xc3\xa9lodie"), 1, &n, &txn, &ch) == 0 &&
	    n == 4);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_researcher_followers(t, SV_LIT("A101"), collect_user, &b)
	    == 0 && b.len == 3 + 1 + 5 + 1 + STORE_USER_MAX + 1 + 7);
	CHECK(has(&b, "alice bob uuuu"));
	CHECK(store_researcher_followers(t, SV_LIT("A999"), collect_user, &b)
	    == 0);
	store_read_end(t);

	/* Unfollowing what is not followed changes nothing. */
	dump(s, &d);
	CHECK(fol(s, "A101", SV_LIT("carol"), 0, &n, &txn, &ch) == 0 &&
	    n == 4 && ch == 0);
	CHECK(fol(s, "A103", SV_LIT("carol"), 0, &n, &txn, &ch) == 0 &&
	    n == 0 && ch == 0);
	dump(s, &d2);
	CHECK(same(&d, &d2));

	/* Refused: unknown researcher, bad user names; nothing written. */
	CHECK(fol(s, "A999", SV_LIT("alice"), 1, &n, &txn, &ch) ==
	    STORE_NOTFOUND && n == 0 && txn == 0 && ch == 0);
	CHECK(fol(s, "W1", SV_LIT("alice"), 1, &n, &txn, &ch) ==
	    STORE_NOTFOUND);
	CHECK(fol(s, "", SV_LIT("alice"), 1, &n, &txn, &ch) == STORE_NOTFOUND);
	CHECK(fol(s, "A101", SV_LIT(""), 1, &n, &txn, &ch) == STORE_INVALID);
	memset(big, 'u', sizeof(big));
	CHECK(fol(s, "A101", (struct sv){ big, sizeof(big) }, 1, &n, &txn,
	    &ch) == STORE_INVALID);
	CHECK(fol(s, "A101", SV_LIT("a\nb"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);
	CHECK(fol(s, "A101", SV_LIT("a\tb"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);
	CHECK(fol(s, "A101", SV_LIT("a\x7f"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);
	CHECK(fol(s, "A101", SV_LIT("a\0b"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);
	CHECK(fol(s, "A101", SV_LIT("\xc3"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);                          /* cut short */
	CHECK(fol(s, "A101", SV_LIT("\xc0\xaf"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);                          /* overlong */
	CHECK(fol(s, "A101", SV_LIT("\xed\xa0\x80"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);                          /* surrogate */
	CHECK(fol(s, "A101", SV_LIT("\xc2\x85"), 1, &n, &txn, &ch) ==
	    STORE_INVALID);                          /* C1 control */
	CHECK(fol(s, "A102", SV_LIT("bob\xff"), 0, &n, &txn, &ch) ==
	    STORE_INVALID);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(following(s, "A101", "a\nb") == 0);

	/* Unfollow down to zero and never below. */
	CHECK(fol(s, "A101", SV_LIT("alice"), 0, &n, &txn, &ch) == 0 &&
	    n == 3 && ch == 1);
	CHECK(fol(s, "A101", SV_LIT("alice"), 0, &n, &txn, &ch) == 0 &&
	    n == 3 && ch == 0);
	CHECK(fol(s, "A101", SV_LIT("bob"), 0, &n, &txn, &ch) == 0 && n == 2);
	CHECK(fol(s, "A101", (struct sv){ big, STORE_USER_MAX }, 0, &n, &txn,
	    &ch) == 0 && n == 1);
	CHECK(fol(s, "A101", SV_LIT("\xc3\xa9lodie"), 0, &n, &txn, &ch) == 0 &&
	    n == 0 && ch == 1);
	CHECK(fol(s, "A101", SV_LIT("\xc3\xa9lodie"), 0, &n, &txn, &ch) == 0 &&
	    n == 0 && ch == 0);
	CHECK(followers(s, "A101") == 0);
	CHECK(fol(s, "A102", SV_LIT("bob"), 0, &n, &txn, &ch) == 0 && n == 0);
	/* Back to no follows at all: the same store as before the first,
	 * but for the count of follow commits (store/groupq.c). */
	dump(s, &d);
	CHECK(has(&d, "meta follow_batch "));
	drop_lines(&d, "meta follow_batch ");
	CHECK(same(&empty, &d));
	store_close(s);

	/* A read-only store cannot write. */
	REQUIRE(store_open(path_in(scratch, "follows"), STORE_RDONLY, &ro) == 0);
	CHECK(fol(ro, "A101", SV_LIT("alice"), 1, &n, &txn, &ch) == EACCES);
	REQUIRE(store_read_begin(ro, &t) == 0);
	CHECK(store_is_following(t, SV_LIT("A101"), SV_LIT("alice"), &on) == 0
	    && on == 0);
	store_read_end(t);
	store_close(ro);
	buf_free(&empty);
	buf_free(&d);
	buf_free(&d2);
	buf_free(&b);
}

/* ---- claims --------------------------------------------------------------- */

static struct store_claim
claim(const char *researcher, const char *user, const char *orcid)
{
	struct store_claim c;

	memset(&c, 0, sizeof(c));
	c.researcher_id = sv_cstr(researcher);
	c.user = sv_cstr(user);
	c.orcid = sv_cstr(orcid);
	c.email = SV_LIT("someone@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/~someone");
	c.note = SV_LIT("It is me.\nReally.");
	return c;
}

static int
file_claim(struct store *s, const char *researcher, const char *user,
    const char *orcid, uint64_t *id)
{
	struct store_claim c = claim(researcher, user, orcid);

	return store_claim_file(s, &c, id);
}

/* Claim id's state, reviewer note (copied into note) and identity flag. */
static int
claim_state(struct store *s, uint64_t id, struct buf *note, int *verified)
{
	struct store_rtxn *t;
	struct store_claim c;
	int rc;

	if ((rc = store_read_begin(s, &t)) != 0)
		return -1;
	rc = store_claim_by_id(t, id, &c);
	if (rc == 0 && note) {
		buf_reset(note);
		buf_put(note, c.reviewer_note.p, c.reviewer_note.n);
		buf_reserve(note, 1);
	}
	if (rc == 0 && verified)
		*verified = c.identity_verified;
	store_read_end(t);
	return rc == 0 ? c.state : -1;
}

/* The researcher's current claim id, 0 if none, -1 on error. */
static int64_t
current_claim(struct store *s, const char *researcher)
{
	struct store_rtxn *t;
	struct store_claim c;
	int64_t v = -1;
	int rc;

	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_claim_of_researcher(t, sv_cstr(researcher), &c);
	if (rc == 0)
		v = (int64_t)c.id;
	else if (rc == STORE_NOTFOUND)
		v = 0;
	store_read_end(t);
	return v;
}

struct tally {
	int n;
	uint64_t ids[16];
};

static int
tally_claim(void *ctx, const struct store_claim *c)
{
	struct tally *t = ctx;

	if (t->n < 16)
		t->ids[t->n] = c->id;
	t->n++;
	return 0;
}

static int
claims_in(struct store *s, int state, struct tally *out)
{
	struct store_rtxn *t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_claims_each(t, state, tally_claim, out);
	store_read_end(t);
	return rc;
}

static void
claims_rules(void)
{
	struct store *s = fixture_store("claims", NULL);
	struct store_researcher r;
	struct store_claim c;
	struct store_rtxn *t;
	struct buf d = BUF_INIT, d2 = BUF_INIT, note = BUF_INIT;
	struct tally tl;
	char big[STORE_URL_MAX + 2], acc[2 * (STORE_CLAIM_NOTE_MAX + 1)];
	uint64_t id = 0, id2 = 0;
	uint32_t v0;
	int verified = -1;

	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_NONE && store_level(&r) == 1 &&
	    store_trust(&r) == 14);
	v0 = r.version;

	/* Filing: the researcher goes pending, its version goes up. */
	REQUIRE(file_claim(s, "A101", "alice", "0000-0002-1825-0097", &id) == 0);
	CHECK(id == 1);
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_PENDING && r.version == v0 + 1);
	CHECK(store_level(&r) == 1 && store_trust(&r) == 14);
	CHECK(current_claim(s, "A101") == 1);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_claim_by_id(t, 1, &c) == 0);
	CHECK(c.id == 1 && sv_eq_cstr(c.researcher_id, "A101") &&
	    sv_eq_cstr(c.user, "alice") &&
	    sv_eq_cstr(c.orcid, "0000-0002-1825-0097") &&
	    sv_eq_cstr(c.email, "someone@example.edu") &&
	    sv_eq_cstr(c.evidence_url, "https://example.edu/~someone") &&
	    sv_eq_cstr(c.note, "It is me.\nReally.") && c.reviewer_note.n == 0 &&
	    c.state == STORE_CLAIM_STATE_PENDING && c.decided_at == 0 &&
	    c.filed_at + 600 > (uint64_t)time(NULL) && c.filed_at > 0);
	CHECK(store_claim_by_id(t, 2, &c) == STORE_NOTFOUND);
	CHECK(store_claim_by_id(t, 0, &c) == STORE_NOTFOUND);
	store_read_end(t);

	/* Refusals, each leaving the store as it was. */
	dump(s, &d);
	CHECK(file_claim(s, "A101", "bob", "", &id2) == STORE_CONFLICT &&
	    id2 == 0);                                  /* the 409 */
	CHECK(file_claim(s, "A102", "alice", "", &id2) == STORE_EXISTS);
	CHECK(file_claim(s, "A101", "alice", "", &id2) == STORE_EXISTS);
	CHECK(file_claim(s, "A999", "bob", "", &id2) == STORE_NOTFOUND);
	CHECK(file_claim(s, "T1", "bob", "", &id2) == STORE_NOTFOUND);
	CHECK(file_claim(s, "A102", "", "", &id2) == STORE_INVALID);
	CHECK(file_claim(s, "A102", "b\rob", "", &id2) == STORE_INVALID);
	CHECK(file_claim(s, "A102", "bob", "0000-0002-1825-00977", &id2) ==
	    STORE_INVALID);
	memset(big, 'x', sizeof(big));
	c = claim("A102", "bob", "");
	c.email = (struct sv){ big, STORE_EMAIL_MAX + 1 };
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	c = claim("A102", "bob", "");
	c.evidence_url = (struct sv){ big, STORE_URL_MAX + 1 };
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	c = claim("A102", "bob", "");
	c.note = (struct sv){ big, STORE_CLAIM_NOTE_MAX + 1 };
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	/* Characters, not bytes: 1001 x "é" is over, 1000 (2000 bytes) not. */
	for (size_t i = 0; i < 2 * (STORE_CLAIM_NOTE_MAX + 1); i += 2)
		memcpy(acc + i, "\xc3\xa9", 2);
	c = claim("A102", "bob", "");
	c.note = (struct sv){ acc, 2 * (STORE_CLAIM_NOTE_MAX + 1) };
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	CHECK(store_claim_decide(s, 1, 0, 0, c.note) == STORE_INVALID);
	c = claim("A102", "bob", "");
	c.evidence_url = SV_LIT("https://x/\n");
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	c = claim("A102", "bob", "");
	c.note = SV_LIT("bad \xff byte");
	CHECK(store_claim_file(s, &c, &id2) == STORE_INVALID);
	CHECK(store_claim_decide(s, 99, 1, 0, SV_LIT("")) == STORE_NOTFOUND);
	CHECK(store_claim_decide(s, 1, 0, 0,
	    (struct sv){ big, STORE_CLAIM_NOTE_MAX + 1 }) == STORE_INVALID);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	/* Longest fields are fine (on another researcher). */
	c = claim("A104", "carol", "");
	c.email = (struct sv){ big, STORE_EMAIL_MAX };
	c.evidence_url = (struct sv){ big, STORE_URL_MAX };
	c.note = (struct sv){ acc, 2 * STORE_CLAIM_NOTE_MAX };
	c.filed_at = 1700000000;
	CHECK(store_claim_file(s, &c, &id2) == 0 && id2 == 2);
	CHECK(claim_state(s, 2, NULL, NULL) == STORE_CLAIM_STATE_PENDING);

	/* Approve with the record's ORCID iD: claimed, identity verified: L3. */
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	v0 = r.version;
	CHECK(store_claim_decide(s, 1, 1, 0, SV_LIT("")) == 0);
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && r.orcid_verified == 1);
	CHECK(r.version == v0 + 1);
	CHECK(store_level(&r) == 3 && store_trust(&r) == 30 + 2 + 2 + 0 + 25);
	CHECK(strcmp(store_trust_band(store_trust(&r)), "Trusted") == 0);
	CHECK(claim_state(s, 1, &note, &verified) == STORE_CLAIM_STATE_APPROVED
	    && verified == 0);
	CHECK(current_claim(s, "A101") == 1);
	/* Decided once only; an approved researcher stays taken. */
	dump(s, &d);
	CHECK(store_claim_decide(s, 1, 0, 0, SV_LIT("no")) == STORE_CONFLICT);
	CHECK(store_claim_decide(s, 1, 1, 0, SV_LIT("")) == STORE_CONFLICT);
	CHECK(file_claim(s, "A101", "bob", "", &id2) == STORE_CONFLICT);
	CHECK(file_claim(s, "A101", "alice", "", &id2) == STORE_CONFLICT);
	dump(s, &d2);
	CHECK(same(&d, &d2));

	/* Alice's claim is decided: she may file again (one open at a time). */
	CHECK(file_claim(s, "A102", "alice", "0000-0001-5109-3700", &id) == 0 &&
	    id == 3);
	/* Approve without a matching ORCID iD (A102 has none): L2. */
	REQUIRE(researcher(s, "A102", &r, NULL) == 0);
	v0 = r.version;
	CHECK(store_claim_decide(s, 3, 1, 0, SV_LIT("looks right")) == 0);
	REQUIRE(researcher(s, "A102", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && r.orcid_verified == 0 &&
	    r.version == v0 + 1 && store_level(&r) == 2);
	CHECK(store_trust(&r) == 20 + r.works / 2 +
	    (r.close_collaborators < 15 ? r.close_collaborators : 15) +
	    r.topics / 5 + 25);
	CHECK(claim_state(s, 3, &note, NULL) == STORE_CLAIM_STATE_APPROVED &&
	    strcmp(note.p, "looks right") == 0);

	/* A different ORCID iD is no match; a reviewed email is: L3. */
	CHECK(store_claim_decide(s, 2, 1, 1, SV_LIT("email checked")) == 0);
	REQUIRE(researcher(s, "A104", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && r.orcid_verified == 1 &&
	    store_level(&r) == 3);
	CHECK(claim_state(s, 2, NULL, &verified) == STORE_CLAIM_STATE_APPROVED
	    && verified == 1);
	CHECK(file_claim(s, "A103", "dave", "0000-0002-1825-0097", &id) == 0 &&
	    id == 4);

	/* Reject: note kept, researcher unclaimed, free for a new claim. */
	REQUIRE(researcher(s, "A103", &r, NULL) == 0);
	v0 = r.version;
	CHECK(r.claim == STORE_CLAIM_PENDING);
	CHECK(store_claim_decide(s, 4, 0, 1, SV_LIT("ORCID iD is not theirs"))
	    == 0);
	REQUIRE(researcher(s, "A103", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_NONE && r.orcid_verified == 0 &&
	    r.version == v0 + 1 && store_level(&r) == 1);
	CHECK(claim_state(s, 4, &note, &verified) == STORE_CLAIM_STATE_REJECTED
	    && strcmp(note.p, "ORCID iD is not theirs") == 0 && verified == 0);
	CHECK(current_claim(s, "A103") == 0);
	dump(s, &d);
	CHECK(store_claim_decide(s, 4, 1, 0, SV_LIT("")) == STORE_CONFLICT);
	CHECK(store_claim_decide(s, 4, 0, 0, SV_LIT("again")) ==
	    STORE_CONFLICT);
	CHECK(file_claim(s, "A104", "dave", "", &id2) == STORE_CONFLICT);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(file_claim(s, "A103", "erin", "0000-0001-5109-3700", &id) == 0 &&
	    id == 5);
	CHECK(current_claim(s, "A103") == 5);
	CHECK(file_claim(s, "A105", "dave", "", &id) == 0 && id == 6);

	/* Listing by state. */
	CHECK(claims_in(s, 0, &tl) == 0 && tl.n == 6 && tl.ids[0] == 1 &&
	    tl.ids[5] == 6);
	CHECK(claims_in(s, STORE_CLAIM_STATE_PENDING, &tl) == 0 && tl.n == 2 &&
	    tl.ids[0] == 5 && tl.ids[1] == 6);
	CHECK(claims_in(s, STORE_CLAIM_STATE_APPROVED, &tl) == 0 && tl.n == 3);
	CHECK(claims_in(s, STORE_CLAIM_STATE_REJECTED, &tl) == 0 && tl.n == 1 &&
	    tl.ids[0] == 4);
	CHECK(claims_in(s, 7, &tl) == STORE_INVALID);

	/* The dump shows the user data. */
	dump(s, &d);
	CHECK(has(&d, "\nclaims 4 id=4 researcher=\"A103\" user=\"dave\" "
	    "state=3 orcid=\"0000-0002-1825-0097\""));
	CHECK(has(&d, "note=\"It is me.\\x0aReally.\" reviewer_note=\"ORCID iD "
	    "is not theirs\" identity_verified=0 filed_at="));
	CHECK(has(&d, "\nmeta claim_last 6\n"));
	CHECK(has(&d, "\nrclaim A101 1\n") && has(&d, "\nrclaim A103 5\n"));
	CHECK(!has(&d, "\nrclaim A103 4\n"));
	CHECK(has(&d, "\nuclaim erin 5\n") && has(&d, "\nuclaim dave 6\n"));
	CHECK(count_has(&d, "\nuclaim ") == 2);
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
	buf_free(&note);
}

/* ---- the users' index of claims ---------------------------------------------- */

/* The ids of user's claims, newest first; the walk's return. */
static int
claims_of(struct store *s, const char *user, struct tally *out)
{
	struct store_rtxn *t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_claims_of_user(t, sv_cstr(user), tally_claim, out);
	store_read_end(t);
	return rc;
}

/* store_claims_verify's answer, *bad its count. */
static int
index_verify(struct store *s, uint64_t *bad)
{
	struct store_rtxn *t;
	int rc;

	*bad = 12345;
	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_claims_verify(t, bad);
	store_read_end(t);
	return rc;
}

static int
index_agrees(struct store *s)
{
	uint64_t bad;

	return index_verify(s, &bad) == 0 && bad == 0;
}

/* tl is exactly the n ids given. */
static int
ids_are(const struct tally *tl, int n, const uint64_t *ids)
{
	if (tl->n != n)
		return 0;
	for (int i = 0; i < n && i < 16; i++)
		if (tl->ids[i] != ids[i])
			return 0;
	return 1;
}

struct move_ctx {
	const char *from, *to;
	uint8_t to_claim;
	struct store *s;
};

/* The importer's merge of one researcher into another, claim part. */
static int
move_txn(MDB_txn *txn, void *ctx)
{
	struct move_ctx *m = ctx;

	return store_claim_move(txn, m->s->user->dbi, sv_cstr(m->from),
	    sv_cstr(m->to), &m->to_claim, 1700000000);
}

/* What a program of schema 4 does to file a claim: the record and
 * claim_last, nothing in userclaims. */
static int
old_file_txn(MDB_txn *txn, void *ctx)
{
	struct store *s = ctx;
	struct store_claim c = claim("A105", "carol", "");
	struct buf rec = BUF_INIT;
	unsigned char b[8];
	uint64_t last;
	MDB_val k, v;
	int rc;

	if ((rc = meta_get(txn, s->user->dbi[DB_META], "claim_last", 8,
	    &last)))
		return rc;
	c.id = last + 1;
	c.state = STORE_CLAIM_STATE_PENDING;
	c.reviewer_note = SV_LIT("");
	rec_claim_encode(&rec, &c);
	put_be64(b, c.id);
	k = (MDB_val){ 8, b };
	v = (MDB_val){ rec.len, rec.p };
	rc = mdb_put(txn, s->user->dbi[DB_CLAIMS], &k, &v, 0);
	if (rc == 0)
		rc = meta_put(txn, s->user->dbi[DB_META], "claim_last", 8,
		    c.id);
	buf_free(&rec);
	return rc;
}

/* Removes (user, id) from userclaims, or adds it with add. */
struct unindex_ctx {
	struct store *s;
	const char *user;
	uint64_t id;
	int add;
};

static int
index_edit_txn(MDB_txn *txn, void *ctx)
{
	struct unindex_ctx *u = ctx;
	unsigned char b[8];
	MDB_val k = { strlen(u->user), (void *)u->user }, v = { 8, b };

	put_be64(b, u->id);
	if (u->add)
		return mdb_put(txn, u->s->user->dbi[DB_USERCLAIMS], &k, &v, 0);
	return mdb_del(txn, u->s->user->dbi[DB_USERCLAIMS], &k, &v);
}

/*
 * The users' index of claims after every kind of claim write (filed,
 * approved, rejected, filed again, moved by a merge, filed by a program
 * that kept no index), and what the check finds when it is wrong.
 */
static void
claims_index(void)
{
	struct store *s = fixture_store("claimsidx", NULL);
	struct move_ctx m;
	struct unindex_ctx u;
	struct tally tl;
	struct buf d = BUF_INIT;
	uint64_t id, bad;

	CHECK(index_agrees(s));
	CHECK(claims_of(s, "alice", &tl) == 0 && tl.n == 0);
	/* Filed. */
	CHECK(file_claim(s, "A101", "alice", "", &id) == 0 && id == 1);
	CHECK(file_claim(s, "A102", "bob", "", &id) == 0 && id == 2);
	CHECK(index_agrees(s));
	CHECK(claims_of(s, "alice", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 1 }));
	CHECK(claims_of(s, "bob", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 2 }));
	CHECK(claims_of(s, "carol", &tl) == 0 && tl.n == 0);
	CHECK(claims_of(s, "bo", &tl) == 0 && tl.n == 0);     /* a prefix */
	/* A refusal adds nothing. */
	CHECK(file_claim(s, "A101", "carol", "", &id) == STORE_CONFLICT);
	CHECK(claims_of(s, "carol", &tl) == 0 && tl.n == 0 && index_agrees(s));
	/* Approved, rejected: still listed, in the same place. */
	CHECK(store_claim_decide(s, 1, 1, 0, SV_LIT("")) == 0);
	CHECK(store_claim_decide(s, 2, 0, 0, SV_LIT("no")) == 0);
	CHECK(index_agrees(s));
	CHECK(claims_of(s, "alice", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 1 }));
	/* Filed again, after the rejection: newest first. */
	CHECK(file_claim(s, "A102", "bob", "", &id) == 0 && id == 3);
	CHECK(file_claim(s, "A104", "alice", "", &id) == 0 && id == 4);
	CHECK(index_agrees(s));
	CHECK(claims_of(s, "bob", &tl) == 0 && ids_are(&tl, 2, (uint64_t[]){ 3, 2 }));
	CHECK(claims_of(s, "alice", &tl) == 0 && ids_are(&tl, 2, (uint64_t[]){ 4, 1 }));
	/* Moved by a merge (A102 into A103): the same claim, the same user. */
	memset(&m, 0, sizeof(m));
	m.s = s;
	m.from = "A102";
	m.to = "A103";
	m.to_claim = STORE_CLAIM_NONE;
	CHECK(store_write(s->user, move_txn, &m) == 0 &&
	    m.to_claim == STORE_CLAIM_PENDING);
	CHECK(current_claim(s, "A103") == 3 && index_agrees(s));
	CHECK(claims_of(s, "bob", &tl) == 0 && ids_are(&tl, 2, (uint64_t[]){ 3, 2 }));
	/* Moved onto one with a claim of its own: closed, still bob's. */
	m.from = "A103";
	m.to = "A104";
	m.to_claim = STORE_CLAIM_PENDING;
	CHECK(store_write(s->user, move_txn, &m) == 0);
	CHECK(claim_state(s, 3, NULL, NULL) == STORE_CLAIM_STATE_REJECTED);
	CHECK(index_agrees(s));
	CHECK(claims_of(s, "bob", &tl) == 0 && ids_are(&tl, 2, (uint64_t[]){ 3, 2 }));

	/* A claim filed by a program of schema 4 (still serving while the
	 * store was migrated): read from the claims, then indexed by the
	 * next one filed. */
	CHECK(store_write(s->user, old_file_txn, s) == 0);
	CHECK(index_agrees(s));
	CHECK(claims_of(s, "carol", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 5 }));
	dump(s, &d);
	CHECK(has(&d, "\nmeta claims_indexed 4\n") &&
	    !has(&d, "\nuserclaims carol "));
	CHECK(file_claim(s, "A108", "dave", "", &id) == 0 && id == 6);
	dump(s, &d);
	CHECK(has(&d, "\nmeta claims_indexed 6\n") &&
	    has(&d, "\nuserclaims carol 5\n") &&
	    has(&d, "\nuserclaims dave 6\n") &&
	    has(&d, "\nuserclaims bob 2\nuserclaims bob 3\n"));
	CHECK(count_has(&d, "\nuserclaims ") == 6 && index_agrees(s));
	CHECK(claims_of(s, "carol", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 5 }));

	/* An index that disagrees: a claim missing from it, an entry of
	 * another user's claim, an entry of no claim. */
	u = (struct unindex_ctx){ s, "alice", 1, 0 };
	REQUIRE(store_write(s->user, index_edit_txn, &u) == 0);
	CHECK(index_verify(s, &bad) == STORE_CORRUPT && bad == 1);
	CHECK(claims_of(s, "alice", &tl) == 0 && ids_are(&tl, 1, (uint64_t[]){ 4 }));
	u.add = 1;
	REQUIRE(store_write(s->user, index_edit_txn, &u) == 0);
	CHECK(index_agrees(s));
	u = (struct unindex_ctx){ s, "erin", 2, 1 };
	REQUIRE(store_write(s->user, index_edit_txn, &u) == 0);
	CHECK(index_verify(s, &bad) == STORE_CORRUPT && bad == 1);
	CHECK(claims_of(s, "erin", &tl) == STORE_CORRUPT);
	u.add = 0;
	REQUIRE(store_write(s->user, index_edit_txn, &u) == 0);
	u = (struct unindex_ctx){ s, "erin", 99, 1 };
	REQUIRE(store_write(s->user, index_edit_txn, &u) == 0);
	CHECK(index_verify(s, &bad) == STORE_CORRUPT && bad == 1);
	CHECK(claims_of(s, "erin", &tl) == STORE_CORRUPT);
	store_close(s);
	buf_free(&d);
}

/* ---- disputes ---------------------------------------------------------------- */

static int
dispute(struct store *s, const char *researcher, const char *user,
    uint64_t *id, uint64_t *disputed, int *why)
{
	struct store_claim c = claim(researcher, user, "");

	return store_claim_dispute(s, &c, id, disputed, why);
}

/* The claim disputed with id, 0 when none, -1 on error. */
static int64_t
partner_of(struct store *s, uint64_t id)
{
	struct store_rtxn *t;
	uint64_t p;
	int rc;

	if (store_read_begin(s, &t) != 0)
		return -1;
	rc = store_claim_partner(t, id, &p);
	store_read_end(t);
	return rc == 0 ? (int64_t)p : rc == STORE_NOTFOUND ? 0 : -1;
}

/*
 * A pending claim disputed by another user: refusals that change nothing,
 * the pair decided together whichever is decided first, a merge closing
 * the dispute, the users' index agreeing throughout.
 */
static void
claims_dispute(void)
{
	struct store *s = fixture_store("dispute", NULL);
	struct store_researcher r;
	struct move_ctx m;
	struct buf d = BUF_INIT, d2 = BUF_INIT, note = BUF_INIT;
	uint64_t id, disp;
	int why, v0;

	REQUIRE(file_claim(s, "A101", "alice", "", &id) == 0 && id == 1);
	/* Nothing to dispute; one's own claim; a bad field. */
	dump(s, &d);
	CHECK(dispute(s, "A102", "bob", &id, &disp, &why) == STORE_CONFLICT &&
	    why == STORE_DISPUTE_NOTHING && id == 0);
	CHECK(dispute(s, "A101", "alice", &id, &disp, &why) == STORE_EXISTS);
	CHECK(dispute(s, "A999", "bob", &id, &disp, &why) == STORE_NOTFOUND);
	CHECK(dispute(s, "A101", "", &id, &disp, &why) == STORE_INVALID);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	/* Bob disputes alice's claim: both pending, alice's still current. */
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	v0 = (int)r.version;
	CHECK(dispute(s, "A101", "bob", &id, &disp, &why) == 0 && id == 2 &&
	    disp == 1);
	CHECK(claim_state(s, 1, NULL, NULL) == STORE_CLAIM_STATE_PENDING &&
	    claim_state(s, 2, NULL, NULL) == STORE_CLAIM_STATE_PENDING);
	CHECK(current_claim(s, "A101") == 1);
	CHECK(partner_of(s, 1) == 2 && partner_of(s, 2) == 1 &&
	    partner_of(s, 3) == 0);
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_PENDING && (int)r.version == v0 + 1);
	CHECK(index_agrees(s));
	/* Once only; bob has his open claim now. */
	dump(s, &d);
	CHECK(dispute(s, "A101", "carol", &id, &disp, &why) == STORE_CONFLICT &&
	    why == STORE_DISPUTE_TAKEN);
	CHECK(dispute(s, "A101", "bob", &id, &disp, &why) == STORE_EXISTS);
	CHECK(file_claim(s, "A101", "carol", "", &id) == STORE_CONFLICT);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	/* The disputer approved: the disputed claim is rejected with it. */
	CHECK(store_claim_decide(s, 2, 1, 0, SV_LIT("")) == 0);
	CHECK(claim_state(s, 2, NULL, NULL) == STORE_CLAIM_STATE_APPROVED);
	CHECK(claim_state(s, 1, &note, NULL) == STORE_CLAIM_STATE_REJECTED &&
	    strcmp(note.p, "Claim 2, disputed with this one, was approved.") == 0);
	CHECK(current_claim(s, "A101") == 2);
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED);
	CHECK(store_claim_decide(s, 1, 1, 0, SV_LIT("")) == STORE_CONFLICT);
	CHECK(dispute(s, "A101", "carol", &id, &disp, &why) == STORE_CONFLICT &&
	    why == STORE_DISPUTE_DECIDED);
	/* Alice is free to file again. */
	CHECK(file_claim(s, "A102", "alice", "", &id) == 0 && id == 3);

	/* The disputed one rejected: the disputer's stays pending and
	 * becomes current; rejected too, the researcher is free. */
	CHECK(dispute(s, "A102", "dave", &id, &disp, &why) == 0 && id == 4 &&
	    disp == 3);
	CHECK(store_claim_decide(s, 3, 0, 0, SV_LIT("no")) == 0);
	CHECK(claim_state(s, 4, NULL, NULL) == STORE_CLAIM_STATE_PENDING);
	CHECK(current_claim(s, "A102") == 4);
	REQUIRE(researcher(s, "A102", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_PENDING);
	CHECK(store_claim_decide(s, 4, 0, 0, SV_LIT("no")) == 0);
	CHECK(current_claim(s, "A102") == 0);
	REQUIRE(researcher(s, "A102", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_NONE);
	/* The disputed one approved: the disputer's is rejected. */
	CHECK(file_claim(s, "A103", "erin", "", &id) == 0 && id == 5);
	CHECK(dispute(s, "A103", "frank", &id, &disp, &why) == 0 && id == 6);
	CHECK(store_claim_decide(s, 5, 1, 0, SV_LIT("")) == 0);
	CHECK(claim_state(s, 6, &note, NULL) == STORE_CLAIM_STATE_REJECTED &&
	    strcmp(note.p, "Claim 5, disputed with this one, was approved.") == 0);
	CHECK(current_claim(s, "A103") == 5);
	CHECK(file_claim(s, "A104", "frank", "", &id) == 0 && id == 7);

	/* A merge moves the disputed claim and closes the dispute. */
	CHECK(file_claim(s, "A105", "gina", "", &id) == 0 && id == 8);
	CHECK(dispute(s, "A105", "hank", &id, &disp, &why) == 0 && id == 9);
	memset(&m, 0, sizeof(m));
	m.s = s;
	m.from = "A105";
	m.to = "A108";
	m.to_claim = STORE_CLAIM_NONE;
	CHECK(store_write(s->user, move_txn, &m) == 0 &&
	    m.to_claim == STORE_CLAIM_PENDING);
	CHECK(current_claim(s, "A108") == 8 &&
	    claim_state(s, 8, NULL, NULL) == STORE_CLAIM_STATE_PENDING);
	CHECK(claim_state(s, 9, &note, NULL) == STORE_CLAIM_STATE_REJECTED &&
	    strstr(note.p, "the dispute is closed") != NULL);
	CHECK(file_claim(s, "A102", "hank", "", &id) == 0 && id == 10);
	CHECK(index_agrees(s));
	dump(s, &d);
	CHECK(has(&d, "\ndisputes 1 2\ndisputes 2 1\n") &&
	    has(&d, "\ndisputes 8 9\ndisputes 9 8\n"));
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
	buf_free(&note);
}

/* ---- user data survives re-imports ------------------------------------------ */

static void
survives_reimport(void)
{
	struct store *s = fixture_store("reimport", NULL);
	struct store_researcher r, r3;
	struct buf before = BUF_INIT, after = BUF_INIT, a = BUF_INIT,
	    b = BUF_INIT;
	static const char *const dbs[] = { "follows", "following", "followers",
	    "claims", "rclaim", "uclaim" };
	uint64_t n, txn, id;
	uint32_t v101, v103;
	size_t i;
	int ch, ok;

	REQUIRE(fol(s, "A101", SV_LIT("alice"), 1, &n, &txn, &ch) == 0);
	REQUIRE(fol(s, "A101", SV_LIT("bob"), 1, &n, &txn, &ch) == 0);
	REQUIRE(fol(s, "A101", SV_LIT("carol"), 1, &n, &txn, &ch) == 0);
	REQUIRE(fol(s, "A102", SV_LIT("alice"), 1, &n, &txn, &ch) == 0);
	REQUIRE(file_claim(s, "A101", "alice", "0000-0002-1825-0097", &id) == 0);
	REQUIRE(store_claim_decide(s, id, 1, 0, SV_LIT("")) == 0);
	REQUIRE(file_claim(s, "A103", "bob", "", &id) == 0);
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(store_level(&r) == 3 && store_trust(&r) == 59);
	v101 = r.version;
	REQUIRE(researcher(s, "A103", &r3, NULL) == 0);
	v103 = r3.version;
	dump(s, &before);

	/* The same files: nothing but the generation changes. */
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	dump(s, &after);
	for (ok = 1, i = 0; i < before.len && i < after.len; i++)
		if (before.p[i] != after.p[i])
			break;
	/* The first difference is the generation line. */
	CHECK(i < after.len && i >= 16 &&
	    memcmp(after.p + i - 16, "meta generation ", 16) == 0);
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		lines_of(&before, dbs[i], &a);
		lines_of(&after, dbs[i], &b);
		if (!same(&a, &b))
			ok = 0;
	}
	CHECK(ok);
	lines_of(&before, "researchers", &a);
	lines_of(&after, "researchers", &b);
	CHECK(same(&a, &b));

	/* Changed works and a changed author: records rewritten, user data kept. */
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), fx("works-v2.jsonl")) ==
	    0);
	dump(s, &after);
	for (ok = 1, i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		lines_of(&before, dbs[i], &a);
		lines_of(&after, dbs[i], &b);
		if (!same(&a, &b))
			ok = 0;
	}
	CHECK(ok);
	CHECK(has(&after, "\nmeta claim_last 2\n"));
	REQUIRE(researcher(s, "A101", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && r.orcid_verified == 1);
	CHECK(r.version > v101);          /* changed: bumped, never lowered */
	CHECK(r.last_year == 2023);       /* works-v2 applied */
	CHECK(store_level(&r) == 3 && store_trust(&r) == 30 +
	    (r.works / 2 < 25 ? r.works / 2 : 25) +
	    (r.close_collaborators < 15 ? r.close_collaborators : 15) +
	    (r.topics / 5 < 5 ? r.topics / 5 : 5) + 25);
	REQUIRE(researcher(s, "A103", &r3, NULL) == 0);
	CHECK(r3.claim == STORE_CLAIM_PENDING && r3.version >= v103);
	/* alice's follow of A101 went when her claim of it was approved. */
	CHECK(followers(s, "A101") == 2 && followers(s, "A102") == 1);
	CHECK(following(s, "A101", "alice") == 0);
	CHECK(following(s, "A101", "carol") == 1);
	CHECK(current_claim(s, "A101") == 1 && current_claim(s, "A103") == 2);
	/* And the claims still work after the re-import. */
	CHECK(store_claim_decide(s, 2, 0, 0, SV_LIT("no")) == 0);
	REQUIRE(researcher(s, "A103", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_NONE && r.version == r3.version + 1);
	store_close(s);
	buf_free(&before);
	buf_free(&after);
	buf_free(&a);
	buf_free(&b);
}

/* ---- a store from before user data ------------------------------------------ */

/*
 * Copies the catalog databases only (mdb_dump | mdb_load) into dst, and
 * of user data its meta and the counts (what stores before user data had).
 */
static int
copy_catalog(const char *src, const char *dst)
{
	static const char *const cat[] = { "meta", "researchers", "slugs",
	    "names", "nameparts", "rnames", "works", "rworks", "coauthors",
	    "topics", "rtopics", "merged", "mergelog" };
	static const char *const user[] = { "meta", "followers" };
	const char *f = path_in(scratch, "db.txt");
	char from[4096], to[4096];
	size_t i;

	if (mkdir(dst, 0755) != 0 ||
	    mkdir(path_in(dst, "catalog"), 0755) != 0 ||
	    mkdir(path_in(dst, "user"), 0755) != 0)
		return -1;
	for (i = 0; i < sizeof(cat) / sizeof(cat[0]) + 2; i++) {
		int u = i >= sizeof(cat) / sizeof(cat[0]);
		const char *db = u ? user[i - sizeof(cat) / sizeof(cat[0])] :
		    cat[i];

		snprintf(from, sizeof(from), "%s", path_in(src, u ? "user" :
		    "catalog"));
		snprintf(to, sizeof(to), "%s", path_in(dst, u ? "user" :
		    "catalog"));
		if (run(f, NULL, "/usr/bin/mdb_dump", "-s", db, from,
		    NULL) != 0 || run_stdin(f, NULL, NULL, "/usr/bin/mdb_load",
		    "-s", db, to, NULL) != 0)
			return -1;
	}
	return 0;
}

static void
old_store(void)
{
	const char *src = path_in(scratch, "old-src");
	const char *dst = path_in(scratch, "old");
	struct store *s;
	struct store_rtxn *t;
	struct store_claim c;
	struct tally tl;
	struct buf d = BUF_INIT, b = BUF_INIT;
	uint64_t n, txn;
	int on = 1, ch;

	if (access("/usr/bin/mdb_load", X_OK) != 0 ||
	    access("/usr/bin/mdb_dump", X_OK) != 0) {
		printf("ok - # SKIP mdb_dump/mdb_load missing (lmdb-utils)\n");
		return;
	}
	REQUIRE(store_open(src, STORE_CREATE, &s) == 0);
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	store_close(s);
	REQUIRE(copy_catalog(src, dst) == 0);
	/* Read-only: the user data reads as empty. */
	REQUIRE(store_open(dst, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_is_following(t, SV_LIT("A101"), SV_LIT("alice"), &on) ==
	    0 && on == 0);
	CHECK(store_claim_of_researcher(t, SV_LIT("A101"), &c) ==
	    STORE_NOTFOUND);
	CHECK(store_claim_by_id(t, 1, &c) == STORE_NOTFOUND);
	CHECK(store_researcher_followers(t, SV_LIT("A101"), collect_user, &b)
	    == 0 && b.len == 0);
	store_read_end(t);
	CHECK(claims_in(s, 0, &tl) == 0 && tl.n == 0);
	dump(s, &d);
	CHECK(has(&d, "\nresearchers A101 ") && !has(&d, "\nclaims "));
	store_close(s);
	/* A writable open adds the databases. */
	REQUIRE(store_open(dst, 0, &s) == 0);
	CHECK(fol(s, "A101", SV_LIT("alice"), 1, &n, &txn, &ch) == 0 && n == 1);
	store_close(s);
	buf_free(&d);
	buf_free(&b);
}

/* ---- many writers at once --------------------------------------------------- */

#define PROCS 8
#define OPS 300
#define N_RES 4
#define N_USERS 6

static const char *const res_ids[N_RES] = { "A101", "A102", "A103", "A104" };
static const char *const users[N_USERS] = { "alice", "bob", "carol", "dave",
    "erin", "frank" };

/* What one operation saw, for the replay. */
struct op {
	uint64_t txn, count;
	uint8_t r, u, follow, changed;
};

static int
cmp_op(const void *a, const void *b)
{
	const struct op *x = a, *y = b;

	if (x->txn != y->txn)
		return x->txn < y->txn ? -1 : 1;
	/* A commit comes before the reads of its snapshot. */
	return (int)y->changed - (int)x->changed;
}

/*
 * What the store's on_batch hook reported, summed over the children in
 * memory they share: commits, the follows they carried, the largest batch.
 */
static _Atomic uint64_t *batches;

static void
count_batch(size_t items)
{
	uint64_t max = atomic_load(&batches[2]);

	atomic_fetch_add(&batches[0], 1);
	atomic_fetch_add(&batches[1], items);
	while (items > max &&
	    !atomic_compare_exchange_weak(&batches[2], &max, items))
		;
}

/* One child: OPS random follows/unfollows, each logged; exits 0 or 1. */
static void
child(const char *dir, int k, const char *log)
{
	const struct store_opts so = { 0, 0, 0, count_batch };
	struct store *s;
	struct op ops[OPS];
	unsigned seed = 7919u * (unsigned)(k + 1);
	uint64_t last_commit = 0;
	int i, ch, bad = 0;
	FILE *f;

	if (store_open_opts(dir, 0, &so, &s) != 0)
		_exit(1);
	for (i = 0; i < OPS; i++) {
		struct op *o = &ops[i];

		o->r = (uint8_t)(rand_r(&seed) % N_RES);
		o->u = (uint8_t)(rand_r(&seed) % N_USERS);
		o->follow = (uint8_t)(rand_r(&seed) % 2);
		if (store_follow(s, sv_cstr(res_ids[o->r]), sv_cstr(users[o->u]),
		    o->follow, &o->count, &o->txn, &ch) != 0)
			bad = 1;
		o->changed = (uint8_t)ch;
		/* This process's own commits come in order. */
		if (ch && o->txn <= last_commit)
			bad = 1;
		if (ch)
			last_commit = o->txn;
	}
	store_close(s);
	if ((f = fopen(log, "wb")) == NULL ||
	    fwrite(ops, sizeof(ops[0]), OPS, f) != OPS || fclose(f) != 0)
		bad = 1;
	_exit(bad);
}

/* Number of "following <user> <id>" lines in the dump for researcher id. */
static uint64_t
reverse_edges(const struct buf *d, const char *id)
{
	uint64_t n = 0;
	size_t u;
	char line[64];

	for (u = 0; u < N_USERS; u++) {
		snprintf(line, sizeof(line), "\nfollowing %s %s\n", users[u], id);
		n += count_has(d, line);
	}
	return n;
}

static void
concurrent(void)
{
	const char *dir = path_in(scratch, "race");
	struct store *s = fixture_store("race", NULL);
	static struct op all[PROCS * OPS];
	struct store_rtxn *t;
	struct buf d = BUF_INIT, b = BUF_INIT;
	pid_t pids[PROCS];
	int state[N_RES][N_USERS], k, st, ok_exit = 1, ok_replay = 1, ok_count = 1;
	uint64_t cnt[N_RES], edges, n;
	size_t i, j, k2, r, u, total = 0, changed = 0, commits = 0;

	store_close(s);     /* no environment across fork */
	batches = mmap(NULL, 3 * sizeof(*batches), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(batches != MAP_FAILED);
	fflush(stdout);
	for (k = 0; k < PROCS; k++) {
		char name[32];

		snprintf(name, sizeof(name), "ops.%d", k);
		pids[k] = fork();
		REQUIRE(pids[k] >= 0);
		if (pids[k] == 0)
			child(dir, k, path_in(scratch, name));
	}
	for (k = 0; k < PROCS; k++)
		if (waitpid(pids[k], &st, 0) != pids[k] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			ok_exit = 0;
	CHECK(ok_exit);

	/* Every count equals the edges, both ways. */
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	dump(s, &d);
	REQUIRE(store_read_begin(s, &t) == 0);
	for (r = 0; r < N_RES; r++) {
		buf_reset(&b);
		REQUIRE(store_followers(t, sv_cstr(res_ids[r]), &n) == 0);
		REQUIRE(store_researcher_followers(t, sv_cstr(res_ids[r]),
		    collect_user, &b) == 0);
		edges = b.len ? 1 + (uint64_t)count_has(&b, " ") : 0;
		if (n != edges || n != reverse_edges(&d, res_ids[r]))
			ok_count = 0;
		cnt[r] = n;
	}
	store_read_end(t);
	store_close(s);
	CHECK(ok_count);

	/*
	 * Replay every logged operation in transaction order from no follows:
	 * each commit flipped exactly its edge and reported the count of
	 * edges after it; each no-op saw its edge already so, and the count
	 * of its snapshot. That is: the writers were serialised.
	 */
	for (k = 0; k < PROCS; k++) {
		char name[32];
		struct buf raw = BUF_INIT;

		snprintf(name, sizeof(name), "ops.%d", k);
		REQUIRE(slurp(path_in(scratch, name), &raw) == 0);
		REQUIRE(raw.len == sizeof(struct op) * OPS);
		memcpy(all + total, raw.p, raw.len);
		total += OPS;
		buf_free(&raw);
	}
	qsort(all, total, sizeof(all[0]), cmp_op);
	memset(state, 0, sizeof(state));
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < total; i = j) {
		int flips[N_RES][N_USERS][2];

		/* One transaction id: the follows of one commit (in an order
		 * the log doesn't tell), then no-ops read in its snapshot. */
		for (j = i; j < total && all[j].txn == all[i].txn; j++)
			;
		memset(flips, 0, sizeof(flips));
		for (k2 = i; k2 < j; k2++)
			if (all[k2].changed)
				flips[all[k2].r][all[k2].u][all[k2].follow]++;
		if (all[i].changed)
			commits++;
		for (r = 0; r < N_RES; r++)
			for (u = 0; u < N_USERS; u++) {
				int pre = state[r][u], f = flips[r][u][1],
				    un = flips[r][u][0];
				/* Alternating from the state before. */
				int dd = pre ? un - f : f - un;

				if (dd != 0 && dd != 1)
					ok_replay = 0;
				changed += (size_t)(f + un);
				if (dd == 1) {
					state[r][u] = !pre;
					cnt[r] += pre ? (uint64_t)-1 : 1;
				}
			}
		for (k2 = i; k2 < j; k2++) {
			struct op *o = &all[k2];

			/* Every follow of a commit reports the counts after
			 * it; a no-op saw its edge already so: in the state
			 * after, or anywhere along a pair that changed. */
			if (o->count != cnt[o->r])
				ok_replay = 0;
			if (!o->changed && state[o->r][o->u] != o->follow &&
			    flips[o->r][o->u][0] + flips[o->r][o->u][1] == 0)
				ok_replay = 0;
		}
	}
	CHECK(ok_replay);
	/* The follow queue grouped them: fewer commits than follows. */
	CHECK(commits > 0 && commits < changed);
	printf("# %zu follows changed an edge in %zu commits\n", changed, commits);
	/* The hook saw every commit once, in the process that led it, with
	 * every follow it carried (no-ops that shared it included). */
	CHECK(atomic_load(&batches[0]) == commits);
	CHECK(atomic_load(&batches[1]) >= changed &&
	    atomic_load(&batches[1]) <= total);
	CHECK(atomic_load(&batches[2]) > 1);
	printf("# on_batch: %llu commits, %llu follows, at most %llu in one\n",
	    (unsigned long long)atomic_load(&batches[0]),
	    (unsigned long long)atomic_load(&batches[1]),
	    (unsigned long long)atomic_load(&batches[2]));
	munmap(batches, 3 * sizeof(*batches));
	CHECK(changed > total / 4 && changed < total);
	/* The replayed end state is the store's. */
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	for (ok_replay = 1, r = 0; r < N_RES; r++)
		for (u = 0; u < N_USERS; u++) {
			REQUIRE(store_read_begin(s, &t) == 0);
			REQUIRE(store_is_following(t, sv_cstr(res_ids[r]),
			    sv_cstr(users[u]), &st) == 0);
			if (st != state[r][u])
				ok_replay = 0;
			store_read_end(t);
		}
	store_close(s);
	CHECK(ok_replay);
	buf_free(&d);
	buf_free(&b);
}

/* ---- the follow queue survives its users dying -------------------------------- */

/* Follows and unfollows in a loop until killed (or 150 done; the alarm is
 * for a hang, not for a slow disk). */
static void
follow_forever(const char *dir, int k)
{
	struct store *s;
	uint64_t n, txn;
	int i, ch;

	alarm(600);
	if (store_open(dir, 0, &s) != 0)
		_exit(1);
	for (i = 0; i < 150; i++)
		if (store_follow(s, sv_cstr(res_ids[i % N_RES]),
		    sv_cstr(users[k % N_USERS]), (i / N_RES) % 2, &n, &txn,
		    &ch) != 0)
			_exit(1);
	store_close(s);
	_exit(0);
}

/*
 * A lost wake-up on the writer gate. When the holder gives the gate back,
 * the kernel wakes one waiter; if that one is killed before it takes the
 * gate, the others are asleep on the futex with nobody left to say they
 * are there, and an uncontended lock and unlock by anyone else never wakes
 * them (queue_deaths met it about once in 300 runs). Made here on purpose:
 * a waiter sleeps on the gate while this process holds it, the "waiters"
 * bit of glibc's mutex word is cleared (as the killed waiter leaves it), and
 * the gate is given back without a wake-up. The waiter must still get it.
 */
#define FUTEX_WAITERS_BIT 0x80000000u
#define GATE_OFFSET 16      /* struct groupq: four uint32_t, then the gate */

/* in_futex(pid): the process sleeps in futex(2), as /proc/PID/syscall
 * says of a process blocked in a system call ("running" otherwise). */
static int
in_futex(pid_t pid)
{
	char path[64], line[64];
	FILE *f;
	int in = 0;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL)
		in = strtol(line, NULL, 10) == SYS_futex && line[0] != 'r';
	fclose(f);
	return in;
}

static void
gate_lost_wakeup(void)
{
	const char *dir = path_in(scratch, "lostwake");
	struct store *s = fixture_store("lostwake", NULL);
	MDB_txn *txn;
	_Atomic uint32_t *word;
	void *map;
	uint32_t w;
	int fd, st = 0, i, done = 0;
	pid_t pid;

	REQUIRE(store_write_begin(s->user, &txn) == 0);   /* the gate is ours */
	REQUIRE((fd = open(path_in(scratch, "lostwake/user/write.queue"),
	    O_RDWR)) >= 0);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(map != MAP_FAILED);
	word = (_Atomic uint32_t *)((char *)map + GATE_OFFSET);
	/* The layout is what this test assumes: our tid holds the word. */
	REQUIRE((atomic_load(word) & 0x3fffffffu) == (uint32_t)getpid());
	fflush(stdout);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		struct store *c;
		uint64_t n, t;
		int ch;

		alarm(60);
		if (store_open(dir, 0, &c) != 0)
			_exit(2);
		_exit(store_follow(c, SV_LIT("A101"), SV_LIT("sleeper"), 1,
		    &n, &t, &ch) == 0 ? 0 : 1);
	}
	/* Until the child sleeps on the gate (it sets the bit first). */
	for (i = 0; i < 1000 && !(atomic_load(word) & FUTEX_WAITERS_BIT); i++)
		usleep(10000);
	REQUIRE(atomic_load(word) & FUTEX_WAITERS_BIT);
	/* From setting the bit to the futex wait. */
	for (i = 0; i < 1000 && !in_futex(pid); i++)
		usleep(1000);
	REQUIRE(in_futex(pid));
	do
		w = atomic_load(word);
	while (!atomic_compare_exchange_weak(word, &w, w & ~FUTEX_WAITERS_BIT));
	store_write_abort(s->user, txn);   /* gives the gate back: nobody is woken */
	for (i = 0; i < 1000 && !done; i++) {
		done = waitpid(pid, &st, WNOHANG) == pid;
		if (!done)
			usleep(10000);
	}
	CHECK(done);
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	munmap(map, 4096);
	close(fd);
	store_close(s);
}

static void
queue_deaths(void)
{
	const char *dir = path_in(scratch, "deaths");
	struct store *s = fixture_store("deaths", NULL);
	struct store_rtxn *t;
	pid_t pids[PROCS];
	uint64_t n, txn;
	int k, st, ch, ok_follow = 1, ok_count = 1, r, u;
	struct timespec pause = { 0, 30 * 1000 * 1000 };
	FILE *f;

	store_close(s);
	/* A queue file left by a crash (or another version): the first to
	 * open it finds nobody else holding it and starts it afresh. */
	REQUIRE((f = fopen(path_in(scratch, "deaths/user/write.queue"), "wb")) !=
	    NULL);
	REQUIRE(fputs("not a queue", f) >= 0 && fclose(f) == 0);

	fflush(stdout);
	for (k = 0; k < PROCS; k++) {
		REQUIRE((pids[k] = fork()) >= 0);
		if (pids[k] == 0)
			follow_forever(dir, k);
	}
	/* Half of them die mid-flight: waiting for the lock, leading a
	 * batch, or between the two, wherever SIGKILL finds them. */
	for (k = 0; k < PROCS; k += 2) {
		nanosleep(&pause, NULL);
		kill(pids[k], SIGKILL);
	}
	for (k = 0; k < PROCS; k += 2)
		REQUIRE(waitpid(pids[k], &st, 0) == pids[k]);
	/*
	 * The queue still works for a newcomer while the others go on (the
	 * dead's slots are freed as a dead owner's), and the survivors all
	 * finish: a waiter woken on the gate and killed before it took it
	 * loses that wake-up (gate_lost_wakeup), which the others' bounded
	 * sleeps make up for.
	 */
	REQUIRE(store_open(dir, 0, &s) == 0);
	for (k = 0; k < 300; k++)
		if (store_follow(s, sv_cstr(res_ids[k % N_RES]),
		    sv_cstr(users[k % N_USERS]), k % 3 != 0, &n, &txn, &ch) != 0)
			ok_follow = 0;
	CHECK(ok_follow);
	for (k = 1; k < PROCS; k += 2) {
		REQUIRE(waitpid(pids[k], &st, 0) == pids[k]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	{
		struct buf q = BUF_INIT;

		/* The garbage was replaced by a queue. */
		CHECK(slurp(path_in(scratch, "deaths/user/write.queue"), &q) == 0 &&
		    q.len > 4096 && memcmp(q.p, "not a queue", 11) != 0);
		buf_free(&q);
	}
	REQUIRE(store_read_begin(s, &t) == 0);
	for (r = 0; r < N_RES; r++) {
		uint64_t edges = 0;

		for (u = 0; u < N_USERS; u++) {
			int on = 0;

			REQUIRE(store_is_following(t, sv_cstr(res_ids[r]),
			    sv_cstr(users[u]), &on) == 0);
			edges += (uint64_t)on;
		}
		REQUIRE(store_followers(t, sv_cstr(res_ids[r]), &n) == 0);
		if (n != edges)
			ok_count = 0;
	}
	store_read_end(t);
	store_close(s);
	CHECK(ok_count);
}

/* ---- a full map grows; a capped one refuses whole ------------------------------ */

static uint64_t
map_stat(struct store *s, int used)
{
	struct store_rtxn *t;
	struct store_stats st;
	uint64_t v = 0;

	if (store_read_begin(s, &t) == 0) {
		/* User data's map: follows and claims are written there. */
		if (store_stats(t, &st) == 0)
			v = used ? st.user_map_used : st.user_map_size;
		store_read_end(t);
	}
	return v;
}

/* A 100-byte user name numbered i. */
static struct sv
long_user(char *b, int i)
{
	memset(b, 'x', 100);
	snprintf(b, 12, "user%06d", i);
	b[10] = '-';
	return (struct sv){ b, 100 };
}

static void
map_growth(void)
{
	const char *dir = path_in(scratch, "tiny");
	const char *errf = path_in(scratch, "stderr");
	struct store_opts o = { 256u << 10, 0, 0, NULL };
	struct store *s = fixture_store("tiny", &o);
	struct buf d = BUF_INIT, d2 = BUF_INIT, err = BUF_INIT;
	uint64_t used, n = 0, txn, id;
	char name[100];
	int i, ch, rc = 0, saved, ok = 1;

	used = map_stat(s, 1);
	store_close(s);

	/* A map just the size of the data: the follows must grow it. */
	o.map_size = used;
	REQUIRE(store_open_opts(dir, 0, &o, &s) == 0);
	CHECK(map_stat(s, 0) < (256u << 10));
	fflush(stderr);
	saved = dup(2);
	REQUIRE(saved >= 0 && freopen(errf, "w", stderr) != NULL);
	for (i = 0; i < 400 && ok; i++)
		if (store_follow(s, SV_LIT("A101"), long_user(name, i), 1, &n,
		    &txn, &ch) != 0 || n != (uint64_t)i + 1)
			ok = 0;
	rc = file_claim(s, "A101", "alice", "", &id);
	fflush(stderr);
	REQUIRE(dup2(saved, 2) == 2);
	close(saved);
	CHECK(ok && n == 400 && rc == 0);
	CHECK(map_stat(s, 0) > used);
	REQUIRE(slurp(errf, &err) == 0);
	CHECK(has(&err, "map full at") && has(&err, "writing again"));
	CHECK(followers(s, "A101") == 400);
	store_close(s);

	/* Capped where it is: a write that needs room fails whole. */
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	used = map_stat(s, 1);
	store_close(s);
	o.map_size = used;
	o.map_max = used;
	REQUIRE(store_open_opts(dir, 0, &o, &s) == 0);
	for (i = 400, rc = 0; i < 2000 && rc == 0; i++)
		rc = store_follow(s, SV_LIT("A102"), long_user(name, i), 1, &n,
		    &txn, &ch);
	CHECK(rc == STORE_MAPFULL);
	dump(s, &d);
	CHECK(store_follow(s, SV_LIT("A102"), long_user(name, i - 1), 1, &n,
	    &txn, &ch) == STORE_MAPFULL);
	dump(s, &d2);
	CHECK(same(&d, &d2));
	CHECK(followers(s, "A102") == (uint64_t)(i - 1 - 400));
	store_close(s);
	buf_free(&d);
	buf_free(&d2);
	buf_free(&err);
}

/* ---- bzpeer-admin ---------------------------------------------------------------- */

static int
admin(struct buf *out, struct buf *err, ...)
{
	const char *o = path_in(scratch, "admin.out");
	const char *e = path_in(scratch, "admin.err");
	const char *argv[12] = { NULL };
	va_list ap;
	int n = 0, rc;

	va_start(ap, err);
	while (n < 11 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rc = run(o, e, bin("bzpeer-admin"), argv[0], argv[1], argv[2], argv[3],
	    argv[4], argv[5], argv[6], argv[7], argv[8], argv[9], argv[10],
	    NULL);
	if (slurp(o, out) != 0 || slurp(e, err) != 0)
		return -1;
	return rc;
}

static void
admin_cli(void)
{
	const char *dir = path_in(scratch, "admin");
	struct store *s = fixture_store("admin", NULL);
	struct store_researcher r;
	struct buf o = BUF_INIT, e = BUF_INIT, d = BUF_INIT, d2 = BUF_INIT;
	uint64_t n, txn, id;
	int ch;

	/* amy, not alice: alice claims A101, and an approved claimant's
	 * follow of it goes (test_feeds). */
	REQUIRE(fol(s, "A101", SV_LIT("amy"), 1, &n, &txn, &ch) == 0);
	REQUIRE(fol(s, "A101", SV_LIT("b\"o b"), 1, &n, &txn, &ch) == 0);
	REQUIRE(file_claim(s, "A101", "alice", "0000-0002-1825-0097", &id) == 0);
	/* bob's iD is a valid one, but not the record's (0000-0001-5109-3700) */
	REQUIRE(file_claim(s, "A103", "bob", "0000-0002-1694-233X", &id) == 0);
	REQUIRE(file_claim(s, "A104", "carol", "", &id) == 0);
	store_close(s);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	dump(s, &d);
	store_close(s);

	CHECK(admin(&o, &e, "--help", NULL) == 0);
	CHECK(has(&o, "claims approve ID [--identity-verified] [--override --note TEXT]") &&
	    has(&o, "record version") && has(&o, "cache"));

	CHECK(admin(&o, &e, "--store", dir, "claims", "list", NULL) == 0);
	CHECK(count_has(&o, "\n") == 3);
	CHECK(has(&o, "1 pending A101 gregoire-le user=\"alice\" "
	    "orcid=\"0000-0002-1825-0097\" email=\"someone@example.edu\" "
	    "evidence_url=\"https://example.edu/~someone\" filed=20"));
	/* What the checks found: A101's iD is the claim's; its affiliation
	 * (Université Paris-Saclay) is not example.edu's. */
	CHECK(has(&o, "decided=- orcid_check=match email_check=mismatch "
	    "note=\"It is me.\\x0aReally.\" reviewer_note=\"\"\n"));
	CHECK(has(&o, "\n2 pending A103 john-smith user=\"bob\" "
	    "orcid=\"0000-0002-1694-233X\"") && has(&o, "orcid_check=mismatch email_check=none"));
	CHECK(has(&o, "\n3 pending A104 ") && has(&o, "orcid_check=none email_check=mismatch"));
	CHECK(has(&o, "\n2 pending A103 john-smith user=\"bob\""));

	/* Usage errors: 2, and nothing opened or written. */
	CHECK(admin(&o, &e, "--store", dir, "claims", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "maybe", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "x1", NULL) ==
	    2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "0", NULL) ==
	    2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "1", "--yes",
	    NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "2",
	    "--override", NULL) == 2);          /* an override says why */
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "2",
	    "--override", "--note", "", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "2",
	    "--note", "a", "--note", "b", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "claims", "reject", "2", NULL) ==
	    2 && has(&e, "--note TEXT"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "reject", "2", "--note",
	    "", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "follows", NULL) == 2);
	CHECK(admin(&o, &e, "--store", dir, "frobnicate", NULL) == 2);
	/* Failures: 1, in words, store unchanged. */
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "99", NULL) ==
	    1 && has(&e, "no claim 99"));
	CHECK(admin(&o, &e, "--store", dir, "follows", "nobody", NULL) == 1 &&
	    has(&e, "no researcher nobody"));
	CHECK(admin(&o, &e, "--store", path_in(scratch, "none"), "claims",
	    "approve", "1", NULL) == 1);
	/* Checked, not asserted: an iD that is not the record's is refused,
	 * with or without --identity-verified; so is --identity-verified
	 * with an email whose domain does not name the affiliation. */
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "2", NULL) ==
	    1 && has(&e, "claim 2: the claim's ORCID iD 0000-0002-1694-233X is "
	    "not the record's 0000-0001-5109-3700") && has(&e, "--override --note TEXT"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "2",
	    "--identity-verified", NULL) == 1);
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "3",
	    "--identity-verified", NULL) == 1 && has(&e, "the email's domain "
	    "example.edu does not name the record's affiliation \"\\\"&' Institute\""));
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "1",
	    "--identity-verified", NULL) == 1);   /* the domain, again */
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	dump(s, &d2);
	store_close(s);
	CHECK(same(&d, &d2));

	/* Decisions. */
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "1", NULL) ==
	    0 && has(&o, "claim 1 approved: A101 gregoire-le is claimed "
	    "(identity verified), level L3"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "1", NULL) ==
	    1 && has(&e, "claim 1 is not pending (it is approved)"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "reject", "2", "--note",
	    "Not enough \"evidence\"", NULL) == 0 &&
	    has(&o, "claim 2 rejected: A103 john-smith is unclaimed, level L1"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "3",
	    "--identity-verified", "--override", "--note",
	    "Called the institute: it is her.", NULL) == 0 && has(&o, "level L3") &&
	    has(&e, "--override"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "rejected", NULL) == 0 && count_has(&o, "\n") == 1 &&
	    has(&o, "2 rejected A103 john-smith") &&
	    has(&o, "reviewer_note=\"Not enough \\\"evidence\\\"\"\n"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "approved", NULL) == 0 && count_has(&o, "\n") == 2 &&
	    has(&o, " identity_verified ") &&
	    has(&o, "reviewer_note=\"Called the institute: it is her.\"\n"));
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "pending", NULL) == 0 && o.len == 0);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	REQUIRE(researcher(s, "A104", &r, NULL) == 0);
	CHECK(r.claim == STORE_CLAIM_APPROVED && store_level(&r) == 3);
	store_close(s);

	/* Follows, by slug or id. */
	CHECK(admin(&o, &e, "--store", dir, "follows", "gregoire-le", NULL) ==
	    0);
	CHECK(strcmp(o.p, "id: A101\nslug: gregoire-le\nfollower: amy\n"
	    "follower: b\\\"o b\ncount: 2\n") == 0);
	CHECK(admin(&o, &e, "--store", dir, "follows", "A102", NULL) == 0 &&
	    strcmp(o.p, "id: A102\nslug: john-smith-2\ncount: 0\n") == 0);

	/* The dump carries the user data. */
	CHECK(admin(&o, &e, "--store", dir, "dump", NULL) == 0);
	CHECK(has(&o, "\nfollows A101 \"amy\"\n"));
	CHECK(has(&o, "\nfollowing amy A101\n"));
	CHECK(has(&o, "\nfollowing \"b\\\"o b\" A101\n"));
	CHECK(has(&o, "\nfollowers A101 2\n"));
	CHECK(has(&o, "\nclaims 2 id=2 researcher=\"A103\" user=\"bob\" "
	    "state=3 "));
	CHECK(has(&o, "\nrclaim A101 1\n") && !has(&o, "\nuclaim "));

	/* A claimant who already owns a profile is flagged, not refused. */
	REQUIRE(store_open(dir, 0, &s) == 0);
	REQUIRE(file_claim(s, "A102", "alice", "", &id) == 0);
	store_close(s);
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "pending", NULL) == 0 && has(&o, " user=\"alice\" ") &&
	    has(&o, " owner_of=gregoire-le "));
	CHECK(admin(&o, &e, "--store", dir, "claims", "list", "--state",
	    "approved", NULL) == 0 && !has(&o, "owner_of="));
	CHECK(admin(&o, &e, "--store", dir, "claims", "approve", "4", NULL) ==
	    0 && has(&e, "\"alice\" already owns gregoire-le"));
	buf_free(&o);
	buf_free(&e);
	buf_free(&d);
	buf_free(&d2);
}

/* The email-domain rule of store_claim_check. */
static void
domain_names(void)
{
	static const char *const yes[][2] = {
		{ "cs.princeton.edu", "Princeton University" },
		{ "princeton.edu", "Princeton University" },
		{ "mit.edu", "Massachusetts Institute of Technology" },
		{ "ethz.ch", "ETH Zurich" },
		{ "CS.Stanford.EDU", "Stanford University" },
		{ "universite-paris-saclay.fr", "Université Paris-Saclay" },
		{ "math.uni-bonn.de", "University of Bonn" },
		{ "ucl.ac.uk", "University College London" },
		{ "berkeley.edu", "University of California, Berkeley" },
	};
	static const char *const no[][2] = {
		{ "gmail.com", "Princeton University" },
		{ "example.edu", "\"&' Institute" },
		{ "yale.edu", "Princeton University" },
		{ "edu", "Edu University" },                /* the top level */
		{ "ac.uk", "Academy of Cambridge" },        /* generic labels */
		{ "uni.edu", "Uni Institute" },
		{ "princeton.edu.evil.com", "Princeton University" },
		{ "pr.edu", "Princeton University" },       /* too short */
		{ "", "Princeton University" },
		{ "princeton.edu", "" },
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(store_domain_names(sv_cstr(yes[i][0]), sv_cstr(yes[i][1])) == 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(store_domain_names(sv_cstr(no[i][0]), sv_cstr(no[i][1])) == 0);
}

/*
 * The first raw control, bidi control or non-UTF-8 byte in b (line feeds
 * end lines and are allowed), as "offset: what", or NULL: what a
 * terminal could act on or reorder.
 */
static const char *
raw_control(const struct buf *b)
{
	static char why[64];
	const unsigned char *p = (const unsigned char *)b->p;
	size_t i = 0, at;
	long c;

	while (i < b->len) {
		at = i;
		c = utf8_next(p, b->len, &i);
		if (c == '\n')
			continue;
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
		    c == 0x061C || c == 0x200E || c == 0x200F ||
		    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
		    c == 0x2028 || c == 0x2029) {
			snprintf(why, sizeof(why), "%zu: %s %lx", at,
			    c < 0 ? "byte" : "code point", c < 0 ? (long)p[at] : c);
			return why;
		}
	}
	return NULL;
}

/*
 * Reads back the quoted string that follows `field="` on the line of b
 * holding `line_has`, undoing dump_escape() into out: 0, or -1 when it is
 * not there or an escape is not one dump_escape() writes.
 */
static int
unescape_field(const struct buf *b, const char *line_has, const char *field,
    struct buf *out)
{
	const char *l = memmem(b->p, b->len, line_has, strlen(line_has));
	const char *end, *p;
	char pat[64];

	buf_reset(out);
	buf_reserve(out, 1);
	snprintf(pat, sizeof(pat), " %s=\"", field);
	if (l == NULL)
		return -1;
	end = memchr(l, '\n', (size_t)(b->p + b->len - l));
	if (end == NULL || (p = memmem(l, (size_t)(end - l), pat,
	    strlen(pat))) == NULL)
		return -1;
	for (p += strlen(pat); p < end && *p != '"'; p++) {
		unsigned v;
		char hex[5] = { 0 };

		if (*p != '\\') {
			buf_putc(out, *p);
			continue;
		}
		if (++p >= end)
			return -1;
		if (*p == '\\' || *p == '"')
			buf_putc(out, *p);
		else if (*p == 'x' && end - p > 2) {
			memcpy(hex, p + 1, 2);
			if (sscanf(hex, "%2x", &v) != 1)
				return -1;
			buf_putc(out, (int)v);
			p += 2;
		} else if (*p == 'u' && end - p > 4) {
			memcpy(hex, p + 1, 4);
			if (sscanf(hex, "%4x", &v) != 1)
				return -1;
			/* two or three bytes: all dump_escape() writes as \u */
			if (v < 0x800) {
				buf_putc(out, (int)(0xC0 | v >> 6));
			} else {
				buf_putc(out, (int)(0xE0 | v >> 12));
				buf_putc(out, (int)(0x80 | (v >> 6 & 0x3F)));
			}
			buf_putc(out, (int)(0x80 | (v & 0x3F)));
			p += 4;
		} else
			return -1;
	}
	return p < end ? 0 : -1;
}

/* Whether out holds exactly s. */
static int
is(const struct buf *out, const char *s, size_t n)
{
	return out->len == n && memcmp(out->p, s, n) == 0;
}

/*
 * Text from users and from the catalog never reaches the reviewer's
 * terminal raw: bidi controls (a U+202E note can show "txt.exe" as
 * "exe.txt"), terminal escapes (ESC [ ... can clear the screen, recolour,
 * retitle), C1 controls, tabs and line breaks inside a field. Each is
 * shown as an escape that reads back to the bytes stored.
 */
static void
admin_escapes(void)
{
	/* What the store takes: bidi controls in a line, tab and line
	 * breaks in a note; and a literal backslash sequence. */
	static const char note[] = "Looks fine \xe2\x80\xae" "exe.txt\tand\n"
	    "more\r \xe2\x81\xa6iso\xe2\x81\xa9 \"q\" a\\x1b literal";
	static const char user[] = "rtl\xe2\x80\x8fuser";
	/* What only an older or damaged store holds: the store refuses C0,
	 * DEL and C1 controls, so this claim is written as a raw record. */
	static const char evil[] = "\x1b[2J\x1b]0;approved\x07 \xc2\x9b" "31m "
	    "\xe2\x80\xae" "deliver\x7f \xff end";
	static const char evil_user[] = "mallory\x1b[8m";
	const char *dir = path_in(scratch, "escapes");
	struct store *s = fixture_store("escapes", NULL);
	struct store_claim c = claim("A103", user, "");
	struct buf o = BUF_INIT, e = BUF_INIT, rec = BUF_INIT, text = BUF_INIT,
	    back = BUF_INIT;
	unsigned char key[8];
	uint64_t id, n, txn;
	int ch;

	c.note = (struct sv){ note, sizeof(note) - 1 };
	c.evidence_url = SV_LIT("https://example.edu/\xe2\x80\xae" "fdp.exe");
	REQUIRE(store_claim_file(s, &c, &id) == 0 && id == 1);
	REQUIRE(fol(s, "A103", SV_LIT("rtl\xe2\x80\xaeuser"), 1, &n, &txn,
	    &ch) == 0);
	store_close(s);

	memset(&c, 0, sizeof(c));
	c.id = 7;
	c.researcher_id = SV_LIT("A104");
	c.user = SV_LIT(evil_user);
	c.orcid = SV_LIT("");
	c.email = SV_LIT("a\x1b@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/\x1b[0m");
	c.note = (struct sv){ evil, sizeof(evil) - 1 };
	c.reviewer_note = SV_LIT("\xc2\x85" "ok\xe2\x80\xa8" "done");
	c.state = STORE_CLAIM_STATE_REJECTED;
	c.filed_at = 1700000000;
	c.decided_at = 1700000100;
	if (access("/usr/bin/mdb_load", X_OK) != 0) {
		printf("ok - # SKIP mdb_load missing (lmdb-utils)\n");
		goto out;
	}
	rec_claim_encode(&rec, &c);
	put_be64(key, 7);
	load_hex(&text, key, 8);
	load_hex(&text, rec.p, rec.len);
	spits(path_in(scratch, "escapes.load"), text.p);
	REQUIRE(run_stdin(path_in(scratch, "escapes.load"), NULL, NULL,
	    "/usr/bin/mdb_load", "-T", "-s", "claims", path_in(dir, "user"),
	    NULL) == 0);

	CHECK(admin(&o, &e, "--store", dir, "claims", "list", NULL) == 0);
	CHECK(count_has(&o, "\n") == 2);
	CHECK(raw_control(&o) == NULL);
	if (raw_control(&o) != NULL)
		printf("# raw at %s\n", raw_control(&o));
	CHECK(has(&o, "1 pending A103 john-smith user=\"rtl\\u200fuser\" "));
	CHECK(has(&o, " evidence_url=\"https://example.edu/\\u202efdp.exe\" "));
	CHECK(has(&o, " note=\"Looks fine \\u202eexe.txt\\x09and\\x0amore\\x0d "
	    "\\u2066iso\\u2069 \\\"q\\\" a\\\\x1b literal\" "));
	CHECK(has(&o, "\n7 rejected A104 "));
	CHECK(has(&o, " user=\"mallory\\x1b[8m\" "));
	CHECK(has(&o, " email=\"a\\x1b@example.edu\" "));
	CHECK(has(&o, " note=\"\\x1b[2J\\x1b]0;approved\\x07 \\u009b31m "
	    "\\u202edeliver\\x7f \\xff end\" "));
	CHECK(has(&o, " reviewer_note=\"\\u0085ok\\u2028done\"\n"));
	/* unambiguous: each field reads back to the bytes stored */
	CHECK(unescape_field(&o, "1 pending", "note", &back) == 0 &&
	    is(&back, note, sizeof(note) - 1));
	CHECK(unescape_field(&o, "7 rejected", "note", &back) == 0 &&
	    is(&back, evil, sizeof(evil) - 1));
	CHECK(unescape_field(&o, "7 rejected", "user", &back) == 0 &&
	    is(&back, evil_user, sizeof(evil_user) - 1));

	CHECK(admin(&o, &e, "--store", dir, "follows", "A103", NULL) == 0 &&
	    has(&o, "\nfollower: rtl\\u202euser\n") && raw_control(&o) == NULL);
	CHECK(admin(&o, &e, "--store", dir, "follows",
	    "no\xe2\x80\xae" "body\x1b[2J", NULL) == 1 &&
	    has(&e, "no researcher no\\u202ebody\\x1b[2J") &&
	    raw_control(&e) == NULL);

	/* the dump too: every string escaped the same way */
	CHECK(admin(&o, &e, "--store", dir, "dump", NULL) == 0);
	CHECK(raw_control(&o) == NULL);
	CHECK(has(&o, "\nclaims 7 id=7 researcher=\"A104\" "
	    "user=\"mallory\\x1b[8m\" state=3 "));
	CHECK(has(&o, "\nfollows A103 \"rtl\\u202euser\"\n"));
	CHECK(has(&o, "\nfollowing \"rtl\\u202euser\" A103\n"));
	/* and it stays what tests compare: the same store, the same bytes */
	CHECK(admin(&e, &text, "--store", dir, "dump", NULL) == 0 &&
	    e.len == o.len && memcmp(e.p, o.p, o.len) == 0);
out:
	buf_free(&o);
	buf_free(&e);
	buf_free(&rec);
	buf_free(&text);
	buf_free(&back);
}

/* Runs one part and notes its time ("# name 0.12 s", ignored by run.sh). */
static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Whether the writer of h (a half of a store) is held elsewhere. */
static int
writer_held(struct store *h)
{
	MDB_txn *txn;
	int rc = store_write_begin(h, &txn);

	if (rc == 0)
		store_write_abort(h, txn);
	return rc == STORE_BUSY;
}

/*
 * An import holds the catalog's writer for as long as it likes (its works
 * come through a pipe that stays open, in another process): follows and
 * claims, user data, are written meanwhile, at once, and reads go on.
 * A writer that holds user data's writer makes writers with a bounded
 * wait give STORE_BUSY, having written nothing.
 */
static void
busy_writer(void)
{
	struct store_opts o = { 0, 0, 300, NULL };
	const char *dir = path_in(scratch, "busy"), *fifo = path_in(scratch, "busy.fifo");
	struct store *s = fixture_store("busy", NULL), *w;
	struct store_researcher r;
	struct store_rtxn *t;
	struct store_claim cl;
	uint64_t count, txn_id, id;
	int changed, st, fd, held = 0, i, p2[2], q2[2];
	double t0, waited;
	pid_t pid, pid2;
	char c = 0;

	/* A writer that waits without a limit would never get here: the
	 * import waits for this process to feed its pipe. */
	alarm(30);
	store_close(s);
	REQUIRE(mkfifo(fifo, 0600) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		struct store *cs = NULL;

		if (store_open(dir, 0, &cs) != 0)
			_exit(2);
		_exit(import_into(cs, NULL, fifo) == 0 ? 0 : 1);
	}
	/* The import holds the catalog's writer once it reads the pipe. */
	REQUIRE((fd = open(fifo, O_WRONLY)) >= 0);
	REQUIRE(store_open_opts(dir, 0, &o, &w) == 0);
	for (i = 0; i < 50 && !(held = writer_held(w)); i++)
		usleep(20000);
	CHECK(held);
	t0 = now_s();
	CHECK(store_follow(w, SV_LIT("A101"), SV_LIT("waiter"), 1,
	    &count, &txn_id, &changed) == 0 && changed == 1);
	memset(&cl, 0, sizeof(cl));
	cl.researcher_id = SV_LIT("A102");
	cl.user = SV_LIT("waiter");
	cl.email = SV_LIT("w@example.edu");
	cl.evidence_url = SV_LIT("https://example.edu/w");
	CHECK(store_claim_file(w, &cl, &id) == 0);
	waited = now_s() - t0;
	/* Well under the 300 ms a writer would wait for a held gate. */
	CHECK(waited < 0.25);
	CHECK(writer_held(w));        /* the import was there all along */
	REQUIRE(store_read_begin(w, &t) == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A102"), &r) == 0 &&
	    r.claim == STORE_CLAIM_PENDING);
	store_read_end(t);

	/* Another process holds user data's writer: bounded, then BUSY. */
	REQUIRE(pipe(p2) == 0 && pipe(q2) == 0);
	REQUIRE((pid2 = fork()) >= 0);
	if (pid2 == 0) {
		struct store *cs = NULL;
		MDB_txn *txn;

		if (store_open(dir, 0, &cs) != 0 ||
		    store_write_begin(cs->user, &txn) != 0)
			_exit(2);
		if (write(p2[1], "x", 1) != 1 || read(q2[0], &c, 1) != 1)
			_exit(3);
		store_write_abort(cs->user, txn);
		_exit(0);
	}
	REQUIRE(read(p2[0], &c, 1) == 1);
	t0 = now_s();
	CHECK(store_follow(w, SV_LIT("A101"), SV_LIT("refused"), 1,
	    &count, &txn_id, &changed) == STORE_BUSY);
	waited = now_s() - t0;
	CHECK(waited >= 0.29 && waited < 2.0);
	cl.researcher_id = SV_LIT("A103");
	cl.user = SV_LIT("refused");
	CHECK(store_claim_file(w, &cl, &id) == STORE_BUSY);
	REQUIRE(write(q2[1], "x", 1) == 1);
	REQUIRE(waitpid(pid2, &st, 0) == pid2);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p2[0]);
	close(p2[1]);
	close(q2[0]);
	close(q2[1]);

	/* The import ends; what was answered is there, what was refused not. */
	{
		FILE *f = fopen(fx("works.jsonl"), "rb");
		char chunk[4096];
		size_t n;

		REQUIRE(f != NULL);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			REQUIRE(write(fd, chunk, n) == (ssize_t)n);
		fclose(f);
	}
	close(fd);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	{
		struct store_rtxn *t2;
		int following = 0;

		REQUIRE(store_read_begin(w, &t2) == 0);
		CHECK(store_generation(t2) == 2);
		CHECK(store_is_following(t2, SV_LIT("A101"), SV_LIT("waiter"),
		    &following) == 0 && following == 1);
		CHECK(store_is_following(t2, SV_LIT("A101"), SV_LIT("refused"),
		    &following) == 0 && following == 0);
		CHECK(store_claim_of_researcher(t2, SV_LIT("A102"), &cl) == 0);
		CHECK(store_claim_of_researcher(t2, SV_LIT("A103"), &cl) ==
		    STORE_NOTFOUND);
		store_read_end(t2);
	}
	store_close(w);
	alarm(0);
}

/* Whether a lookup of id finds a researcher (itself, or its survivor). */
static int
researcher_exists(struct store *s, const char *id)
{
	struct store_researcher r;

	return researcher(s, id, &r, NULL) == 0;
}

/* The researchers merged away the catalog has (bzpeer-admin stats merged). */
static uint64_t
merged_count(struct store *s)
{
	struct store_rtxn *t;
	struct store_stats st;
	uint64_t v = UINT64_MAX;

	if (store_read_begin(s, &t) == 0) {
		if (store_stats(t, &st) == 0)
			v = st.merged;
		store_read_end(t);
	}
	return v;
}

/* The follows, followers and claims lines of the store's dump. */
static void
user_lines(struct store *s, struct buf *out)
{
	static const char *const dbs[] = { "follows", "following",
	    "followers", "claims", "rclaim", "uclaim", "rstate" };
	struct buf all = BUF_INIT, one = BUF_INIT;
	size_t i;

	dump(s, &all);
	buf_reset(out);
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		lines_of(&all, dbs[i], &one);
		buf_put(out, one.p, one.len);
	}
	buf_reserve(out, 1);
	buf_free(&all);
	buf_free(&one);
}

static int
rewind_txn(MDB_txn *txn, void *ctx)
{
	struct store *s = ctx;

	return meta_put(txn, s->user->dbi[DB_META], "merge_applied", 8, 0);
}

/*
 * An OpenAlex merge moves follows and a claim, which are user data, in
 * the other environment: the import commits the catalog (the merge in its
 * journal), then applies it to user data. Killed between the two commits,
 * nothing is lost: the next user-data writer applies it, follows counted
 * once, the claim pending again on the survivor. Applied again (the
 * journal replayed from its start), nothing changes.
 */
static void
merge_killed(void)
{
	const char *dir = path_in(scratch, "mkill");
	const char *csv = path_in(scratch, "mkill.csv");
	struct store *s = fixture_store("mkill", NULL);
	struct store_researcher r;
	struct buf before = BUF_INIT, after = BUF_INIT;
	MDB_txn *txn;
	uint64_t n, t, id;
	int ch, st, i;
	int64_t cid;
	pid_t pid;

	alarm(30);
	REQUIRE(fol(s, "A102", SV_LIT("alice"), 1, &n, &t, &ch) == 0);
	REQUIRE(fol(s, "A102", SV_LIT("bob"), 1, &n, &t, &ch) == 0);
	REQUIRE(fol(s, "A101", SV_LIT("bob"), 1, &n, &t, &ch) == 0);
	REQUIRE(file_claim(s, "A102", "carol", "", &id) == 0);
	cid = (int64_t)id;
	spits(csv, "merge_date,id,merge_into_id\n2024-01-01,A102,A101\n");

	/* This process holds user data's writer: the import, once its
	 * catalog is committed, waits for it, and is killed there. */
	REQUIRE(store_write_begin(s->user, &txn) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		const char *m[1] = { csv }, *md[1] = { "2024-01-01" };
		struct import_opts o;
		struct import_report rep;
		struct store *c = NULL;

		memset(&o, 0, sizeof(o));
		o.merged_authors = m;
		o.merged_authors_date = md;
		o.n_merged_authors = 1;
		o.log = fopen("/dev/null", "w");
		if (store_open(dir, 0, &c) != 0)
			_exit(2);
		_exit(store_import(c, &o, &rep) == 0 ? 0 : 1);
	}
	for (i = 0; i < 500 && merged_count(s) != 1; i++)
		usleep(10000);
	CHECK(merged_count(s) == 1);       /* the catalog's commit */
	usleep(50000);
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st));
	store_write_abort(s->user, txn);

	/* Between the commits: the catalog merged, user data not yet. */
	CHECK(researcher(s, "A102", &r, NULL) == 0 && r.claim ==
	    STORE_CLAIM_NONE);   /* A101 answers, unclaimed yet */
	CHECK(followers(s, "A102") == 2 && followers(s, "A101") == 1);
	CHECK(following(s, "A101", "alice") == 0);
	/* The next write of user data, any: the merge first. */
	CHECK(fol(s, "A103", SV_LIT("dave"), 1, &n, &t, &ch) == 0 && n == 1);
	CHECK(followers(s, "A101") == 2 && followers(s, "A102") == 0);
	CHECK(following(s, "A101", "alice") == 1 &&
	    following(s, "A101", "bob") == 1);
	CHECK(current_claim(s, "A101") == cid && current_claim(s, "A102") == 0);
	CHECK(claim_state(s, (uint64_t)cid, NULL, NULL) ==
	    STORE_CLAIM_STATE_PENDING);
	CHECK(researcher(s, "A101", &r, NULL) == 0 &&
	    r.claim == STORE_CLAIM_PENDING);
	CHECK(index_agrees(s));

	/* Applied again from the journal's start: the same user data. */
	user_lines(s, &before);
	REQUIRE(store_write(s->user, rewind_txn, s) == 0);
	CHECK(store_merges_apply(s) == 0);
	user_lines(s, &after);
	CHECK(before.len > 100 && same(&before, &after));
	CHECK(followers(s, "A101") == 2);
	store_close(s);
	buf_free(&before);
	buf_free(&after);
	alarm(0);
}

/* meta key of user data, from the dump (0 when missing). */
static uint64_t
umeta(struct store *s, const char *key)
{
	struct buf d = BUF_INIT;
	char want[64];
	const char *p;
	uint64_t v = 0;

	dump(s, &d);
	snprintf(want, sizeof(want), "\nmeta %s ", key);
	if ((p = strstr(d.p, want)) != NULL)
		v = strtoull(p + strlen(want), NULL, 10);
	buf_free(&d);
	return v;
}

/*
 * A catalog built beside the serving one and swapped in: its generation
 * follows the serving one's; its journal's merges are applied to user
 * data (follows move); a process still on the old catalog (a worker the
 * reload has not retired yet) reads the old one and writes follows
 * without moving user data's position in the journals back to the old
 * catalog's. (LMDB wants one open of an environment per process: the
 * process on the old catalog is a child.)
 */
static void
catalog_swap(void)
{
	const char *dir = path_in(scratch, "swap");
	const char *csv = path_in(scratch, "swap.csv");
	const char *m[1] = { csv }, *md[1] = { "2024-01-01" };
	const char *au[1] = { fx("authors.jsonl") }, *wo[1] = { fx("works.jsonl") };
	struct store *s = fixture_store("swap", NULL), *nw, *c, *hold;
	struct store_rtxn *t;
	struct import_opts o;
	struct import_report rep;
	struct buf moved = BUF_INIT;
	uint64_t n, txn, cat_old, gen = 0;
	int ch, st, go[2], ready[2];
	char x;
	pid_t pid;

	alarm(30);
	REQUIRE(fol(s, "A102", SV_LIT("alice"), 1, &n, &txn, &ch) == 0);
	cat_old = umeta(s, "merge_catalog");
	CHECK(cat_old != 0 && umeta(s, "merge_applied") == 0);
	store_close(s);
	REQUIRE(pipe(go) == 0 && pipe(ready) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		struct store *old = NULL;

		/* Open before the swap, as a serving worker is. */
		if (store_open(dir, 0, &old) != 0 ||
		    write(ready[1], "r", 1) != 1 || read(go[0], &x, 1) != 1)
			_exit(2);
		/* Its catalog is the old one: A102 is there, not merged. */
		if (!researcher_exists(old, "A102") ||
		    fol(old, "A102", SV_LIT("bob"), 1, &n, &txn, &ch) != 0)
			_exit(3);
		/* A catalog write (an owner's change) is refused: it would
		 * go to the catalog set aside. */
		memset(&o, 0, sizeof(o));
		o.log = fopen("/dev/null", "w");
		if (store_import(old, &o, &rep) != STORE_BUSY)
			_exit(4);
		store_close(old);
		_exit(0);
	}
	REQUIRE(read(ready[0], &x, 1) == 1);
	spits(csv, "merge_date,id,merge_into_id\n2024-01-01,A102,A101\n");
	REQUIRE(store_catalog_begin(dir, NULL, &c, &hold) == 0);
	memset(&o, 0, sizeof(o));
	o.authors = au;
	o.n_authors = 1;
	o.works = wo;
	o.n_works = 1;
	o.merged_authors = m;
	o.merged_authors_date = md;
	o.n_merged_authors = 1;
	o.log = fopen("/dev/null", "w");
	REQUIRE(store_import(c, &o, &rep) == 0);
	fclose(o.log);
	store_close(c);
	REQUIRE(store_catalog_swap(dir, &moved, hold) == 0);
	CHECK(access(moved.p, F_OK) == 0 &&
	    access(path_in(dir, "catalog.new"), F_OK) != 0);
	REQUIRE(store_open(dir, 0, &nw) == 0);
	if (store_read_begin(nw, &t) == 0) {
		gen = store_generation(t);
		store_read_end(t);
	}
	CHECK(gen == 2);
	CHECK(store_merges_apply(nw) == 0);
	CHECK(following(nw, "A101", "alice") == 1 && followers(nw, "A101") == 1);
	CHECK(umeta(nw, "merge_catalog") != cat_old &&
	    umeta(nw, "merge_applied") == 1);
	/* The old catalog's writer: its follow is kept, the position too. */
	REQUIRE(write(go[1], "g", 1) == 1);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(umeta(nw, "merge_catalog") != cat_old &&
	    umeta(nw, "merge_applied") == 1);
	/* Kept, on the id it was posted to (the old catalog's): a merge
	 * applied before it does not move it (store/README.md). */
	CHECK(following(nw, "A102", "bob") == 1);
	store_close(nw);
	buf_free(&moved);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	alarm(0);
}

static void
part(const char *name, void (*fn)(void))
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	fn();
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# %s %.2f s\n", name, (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

int
main(void)
{
	scratch = tdir_make();
	part("follows_basic", follows_basic);
	part("claims_rules", claims_rules);
	part("claims_index", claims_index);
	part("claims_dispute", claims_dispute);
	part("survives_reimport", survives_reimport);
	part("old_store", old_store);
	part("concurrent", concurrent);
	part("gate_lost_wakeup", gate_lost_wakeup);
	part("queue_deaths", queue_deaths);
	part("map_growth", map_growth);
	part("admin_cli", admin_cli);
	part("domain_names", domain_names);
	part("busy_writer", busy_writer);
	part("merge_killed", merge_killed);
	part("catalog_swap", catalog_swap);
	part("admin_escapes", admin_escapes);
	tdir_remove(scratch);
	CHECK_DONE();
}
