/* test_invite.c: invitations in the store: who may send, one open per pair, the owner's answers and blocks, contacts only after acceptance, refusals that change nothing, re-imports. */
#include <string.h>
#include <time.h>

#include "../../store/codec.h"
#include "../../store/store.h"
#include "../../store/store_int.h"
#include "check.h"
#include "test_import_util.h"
#include "store_fixture.h"

static struct store_claim
claim_of(const char *researcher, const char *user, const char *email)
{
	struct store_claim c;

	memset(&c, 0, sizeof(c));
	c.researcher_id = sv_cstr(researcher);
	c.user = sv_cstr(user);
	c.orcid = SV_LIT("");
	c.email = sv_cstr(email);
	c.evidence_url = SV_LIT("https://www.example.edu/people/x");
	c.note = SV_LIT("");
	return c;
}

/* researcher claimed by user (approved), with email as the claim's. */
static void
own(struct store *s, const char *researcher, const char *user,
    const char *email)
{
	struct store_claim c = claim_of(researcher, user, email);
	uint64_t id;

	REQUIRE(store_claim_file(s, &c, &id) == 0);
	REQUIRE(store_claim_decide(s, id, 1, 0, SV_LIT("")) == 0);
}

/* Invitation id as read now: its state and both contacts, copied. */
struct seen {
	int  found, state;
	char sender_contact[200], owner_contact[300], owner[200];
};

static struct seen
seen(struct store *s, uint64_t id)
{
	struct store_rtxn *t;
	struct store_invite c;
	struct seen out;

	memset(&out, 0, sizeof(out));
	REQUIRE(store_read_begin(s, &t) == 0);
	if (store_invite_by_id(t, id, &c) == 0) {
		out.found = 1;
		out.state = c.state;
		snprintf(out.sender_contact, sizeof(out.sender_contact), "%.*s",
		    (int)c.sender_contact.n, c.sender_contact.p);
		snprintf(out.owner_contact, sizeof(out.owner_contact), "%.*s",
		    (int)c.owner_contact.n, c.owner_contact.p);
		snprintf(out.owner, sizeof(out.owner), "%.*s", (int)c.owner.n,
		    c.owner.p);
	}
	store_read_end(t);
	return out;
}

static int
open_of(struct store *s, const char *researcher, const char *sender,
    uint64_t *id)
{
	struct store_rtxn *t;
	int rc;

	REQUIRE(store_read_begin(s, &t) == 0);
	rc = store_invite_open_of(t, sv_cstr(researcher), sv_cstr(sender), id);
	store_read_end(t);
	return rc;
}

/* Who may send, and the limits: every refusal leaves the dump as it was. */
static void
sending(void)
{
	struct store *s = fixture_store("send", NULL);
	struct buf before = BUF_INIT, after = BUF_INIT, big = BUF_INIT;
	uint64_t id, id2;
	int why;

	/* Unclaimed, then pending: closed. */
	dump(s, &before);
	CHECK(send_text(s, "A101", "bob", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_CLOSED);
	{
		struct store_claim c = claim_of("A101", "alice", "alice@u-psud.fr");

		REQUIRE(store_claim_file(s, &c, &id) == 0);
		dump(s, &before);
		CHECK(send_text(s, "A101", "bob", &id2, &why) == STORE_CONFLICT &&
		    why == STORE_INVITE_CLOSED);
		REQUIRE(store_claim_decide(s, id, 1, 0, SV_LIT("")) == 0);
	}
	dump(s, &before);
	CHECK(send_text(s, "A999", "bob", &id, &why) == STORE_NOTFOUND);
	CHECK(send_text(s, "A101", "alice", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_OWN);
	/* Bad input: empty, too long (characters, not bytes), not text. */
	CHECK(send_one(s, "A101", "bob", SV_LIT(""), SV_LIT("m"), &id, &why) ==
	    STORE_INVALID);
	CHECK(send_one(s, "A101", "bob", SV_LIT("s"), SV_LIT(""), &id, &why) ==
	    STORE_INVALID);
	CHECK(send_one(s, "A101", "bob", SV_LIT("a\nb"), SV_LIT("m"), &id,
	    &why) == STORE_INVALID);
	CHECK(send_one(s, "A101", "bob", SV_LIT("s"), SV_LIT("nul\0x"), &id,
	    &why) == STORE_INVALID);
	CHECK(send_one(s, "A101", "bob", SV_LIT("s"), SV_LIT("bad \xC3("), &id,
	    &why) == STORE_INVALID);
	CHECK(send_one(s, "A101", "bob", SV_LIT("s"), SV_LIT("esc \x1b[2J"),
	    &id, &why) == STORE_INVALID);
	CHECK(send_one(s, "A101", "bob\n", SV_LIT("s"), SV_LIT("m"), &id,
	    &why) == STORE_INVALID);
	for (int i = 0; i < STORE_INVITE_SUBJECT_MAX + 1; i++)
		buf_puts(&big, "é");
	CHECK(send_one(s, "A101", "bob", buf_sv(&big), SV_LIT("m"), &id,
	    &why) == STORE_INVALID);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) == 0);
	/* At the limit, in characters: 150 é are 300 bytes, and fine. */
	big.len -= 2;
	CHECK(send_one(s, "A101", "bob", buf_sv(&big), SV_LIT("m"), &id,
	    &why) == 0 && id == 1);
	/* One open invitation per pair. */
	dump(s, &before);
	CHECK(send_text(s, "A101", "bob", &id2, &why) == STORE_EXISTS &&
	    id2 == 1);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) == 0);
	CHECK(open_of(s, "A101", "bob", &id2) == 0 && id2 == 1);
	CHECK(open_of(s, "A101", "carol", &id2) == STORE_NOTFOUND);
	/* Another sender is another pair. */
	CHECK(send_text(s, "A101", "carol", &id, &why) == 0 && id == 2);
	{
		struct seen w = seen(s, 1);

		CHECK(w.found && w.state == STORE_INVITE_OPEN &&
		    strcmp(w.owner, "alice") == 0);
		/* No contact before the answer. */
		CHECK(w.sender_contact[0] == '\0' && w.owner_contact[0] == '\0');
	}
	{
		struct ids to = listed(s, 1, "A101"), from = listed(s, 0, "bob");

		CHECK(to.n == 2 && to.id[0] == 2 && to.id[1] == 1);
		CHECK(from.n == 1 && from.id[0] == 1);
		CHECK(listed(s, 1, "A102").n == 0 &&
		    listed(s, 0, "alice").n == 0);
	}
	store_close(s);
	buf_free(&before);
	buf_free(&after);
	buf_free(&big);
}

/* Accept, decline, block, unblock; who may answer; contacts after accept. */
static void
answering(void)
{
	struct store *s = fixture_store("answer", NULL);
	struct buf before = BUF_INIT, after = BUF_INIT;
	uint64_t a, b, c, id;
	int why;

	own(s, "A101", "alice", "alice@u-psud.fr");
	REQUIRE(send_text(s, "A101", "bob", &a, &why) == 0);
	REQUIRE(send_text(s, "A101", "carol", &b, &why) == 0);
	REQUIRE(send_text(s, "A101", "dave", &c, &why) == 0);

	/* Strangers, the sender, unknown ids and actions: nothing changes. */
	dump(s, &before);
	CHECK(store_invite_decide(s, a, SV_LIT("mallory"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);
	CHECK(store_invite_decide(s, a, SV_LIT("bob"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);
	CHECK(store_invite_decide(s, 99, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);
	CHECK(store_invite_decide(s, a, SV_LIT("alice"), 9, 0) ==
	    STORE_INVALID);
	CHECK(store_invite_decide(s, a, SV_LIT(""), STORE_INVITE_ACCEPT, 0) ==
	    STORE_INVALID);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) == 0);

	/* Accept: both contacts, then, and only then. */
	CHECK(store_invite_decide(s, a, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == 0);
	{
		struct seen w = seen(s, a);

		CHECK(w.state == STORE_INVITE_ACCEPTED);
		CHECK(strcmp(w.owner_contact, "alice@u-psud.fr") == 0);
		CHECK(strcmp(w.sender_contact, "bob") == 0);
	}
	/* Answered: no second answer; the pair may send again. */
	dump(s, &before);
	CHECK(store_invite_decide(s, a, SV_LIT("alice"), STORE_INVITE_DECLINE,
	    0) == STORE_CONFLICT);
	CHECK(store_invite_decide(s, a, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == STORE_CONFLICT);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) == 0);
	CHECK(open_of(s, "A101", "bob", &id) == STORE_NOTFOUND);

	/* Decline: no contacts. */
	CHECK(store_invite_decide(s, b, SV_LIT("alice"), STORE_INVITE_DECLINE,
	    0) == 0);
	{
		struct seen w = seen(s, b);

		CHECK(w.state == STORE_INVITE_DECLINED &&
		    w.owner_contact[0] == '\0' && w.sender_contact[0] == '\0');
	}
	CHECK(send_text(s, "A101", "carol", &id, &why) == 0 && id == c + 1);

	/* Block: declines the open one, refuses new ones, twice is once. */
	CHECK(store_invite_decide(s, c, SV_LIT("alice"), STORE_INVITE_BLOCK,
	    0) == 0);
	CHECK(seen(s, c).state == STORE_INVITE_DECLINED);
	CHECK(seen(s, c).owner_contact[0] == '\0');
	CHECK(blocked(s, "A101", "dave") == 1 && blocked(s, "A101", "bob") == 0);
	dump(s, &before);
	CHECK(send_text(s, "A101", "dave", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_BLOCKED);
	CHECK(store_invite_decide(s, c, SV_LIT("alice"), STORE_INVITE_BLOCK,
	    7) == 0);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) != 0);   /* the block's time only */
	CHECK(blocked(s, "A101", "dave") == 1);
	/* Blocking a sender whose invitation was accepted keeps it so. */
	CHECK(store_invite_decide(s, a, SV_LIT("alice"), STORE_INVITE_BLOCK,
	    0) == 0);
	CHECK(seen(s, a).state == STORE_INVITE_ACCEPTED);
	CHECK(send_text(s, "A101", "bob", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_BLOCKED);
	/* Unblock: they may send again. */
	CHECK(store_invite_decide(s, c, SV_LIT("alice"), STORE_INVITE_UNBLOCK,
	    0) == 0);
	CHECK(blocked(s, "A101", "dave") == 0);
	CHECK(store_invite_decide(s, c, SV_LIT("alice"), STORE_INVITE_UNBLOCK,
	    0) == 0);
	CHECK(send_text(s, "A101", "dave", &id, &why) == 0);
	/* A block is the profile's: dave may still invite someone else. */
	own(s, "A102", "erin", "erin@old.edu");
	CHECK(send_text(s, "A102", "bob", &id, &why) == 0);
	/* ... and alice cannot answer erin's invitations. */
	CHECK(store_invite_decide(s, id, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);
	CHECK(store_invite_decide(s, id, SV_LIT("erin"), STORE_INVITE_ACCEPT,
	    0) == 0);
	CHECK(strcmp(seen(s, id).owner_contact, "erin@old.edu") == 0);
	store_close(s);
	buf_free(&before);
	buf_free(&after);
}

/* An owner who no longer owns the profile cannot answer what was sent to them. */
static void
owner_gone(void)
{
	struct store *s = fixture_store("gone", NULL);
	struct store_rtxn *t;
	struct store_claim cl;
	uint64_t id;
	int why;

	own(s, "A101", "alice", "alice@u-psud.fr");
	REQUIRE(send_text(s, "A101", "bob", &id, &why) == 0);
	/* Make the approved claim rejected, as a reviewer undoing it would
	 * leave it (no command does yet: straight into the record). */
	{
		MDB_txn *txn;
		struct buf rec = BUF_INIT;
		unsigned char b[8];
		MDB_val k = { 8, b }, v;

		REQUIRE(store_read_begin(s, &t) == 0);
		REQUIRE(store_claim_of_researcher(t, SV_LIT("A101"), &cl) == 0);
		cl.state = STORE_CLAIM_STATE_REJECTED;
		rec_claim_encode(&rec, &cl);
		put_be64(b, cl.id);
		store_read_end(t);
		/* Claims are user data, in its own environment. */
		REQUIRE(store_write_begin(s->user, &txn) == 0);
		v = (MDB_val){ rec.len, rec.p };
		REQUIRE(mdb_put(txn, s->user->dbi[DB_CLAIMS], &k, &v, 0) == 0);
		REQUIRE(store_write_commit(s->user, txn) == 0);
		buf_free(&rec);
	}
	CHECK(store_invite_decide(s, id, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == STORE_NOTFOUND);
	CHECK(seen(s, id).state == STORE_INVITE_OPEN);
	store_close(s);
}

/* The owner's "open to collaborate": closed, nothing is sent; open again, it is. */
static void
owner_flag(void)
{
	struct store *s = fixture_store("flag", NULL);
	struct store_owner_settings set;
	struct store_researcher r;
	struct store_rtxn *t;
	struct buf before = BUF_INIT, after = BUF_INIT;
	uint64_t id;
	int why;

	own(s, "A101", "alice", "alice@u-psud.fr");
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0);
	CHECK(store_invite_open_for(t, &r) == 1);   /* said nothing: open */
	store_read_end(t);
	memset(&set, 0, sizeof(set));
	set.open_to_collaborate = 0;
	REQUIRE(store_owner_settings_put(s, SV_LIT("A101"), SV_LIT("alice"),
	    &set, STORE_OWNER_OPEN) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_by_id(t, SV_LIT("A101"), &r) == 0);
	CHECK(store_invite_open_for(t, &r) == 0);
	store_read_end(t);
	dump(s, &before);
	CHECK(send_text(s, "A101", "bob", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_CLOSED);
	dump(s, &after);
	CHECK(strcmp(before.p, after.p) == 0);
	set.open_to_collaborate = 1;
	REQUIRE(store_owner_settings_put(s, SV_LIT("A101"), SV_LIT("alice"),
	    &set, STORE_OWNER_OPEN) == 0);
	CHECK(send_text(s, "A101", "bob", &id, &why) == 0);
	store_close(s);
	buf_free(&before);
	buf_free(&after);
}

/* Re-imports keep every invitation, block and index. */
static void
survives_reimport(void)
{
	struct store *s = fixture_store("reimport", NULL);
	struct buf before = BUF_INIT, after = BUF_INIT, a = BUF_INIT,
	    b = BUF_INIT;
	uint64_t i1, i2, id;
	int why;

	own(s, "A101", "alice", "alice@u-psud.fr");
	REQUIRE(send_text(s, "A101", "bob", &i1, &why) == 0);
	REQUIRE(send_text(s, "A101", "carol", &i2, &why) == 0);
	REQUIRE(store_invite_decide(s, i1, SV_LIT("alice"), STORE_INVITE_ACCEPT,
	    0) == 0);
	REQUIRE(store_invite_decide(s, i2, SV_LIT("alice"), STORE_INVITE_BLOCK,
	    0) == 0);
	dump(s, &before);
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), fx("works-v2.jsonl")) ==
	    0);
	dump(s, &after);
	/* Dump lines of both databases, as they were. */
	{
		static const char *const dbs[] = { "invites ", "invitekeys ",
		    "meta invite_last " };

		for (size_t d = 0; d < 3; d++) {
			buf_reset(&a);
			buf_reset(&b);
			for (const char *p = before.p; (p = strstr(p, dbs[d])); p++)
				if (p == before.p || p[-1] == '\n')
					buf_put(&a, p, strcspn(p, "\n"));
			for (const char *p = after.p; (p = strstr(p, dbs[d])); p++)
				if (p == after.p || p[-1] == '\n')
					buf_put(&b, p, strcspn(p, "\n"));
			CHECK(a.len > 0 && a.len == b.len &&
			    memcmp(a.p, b.p, a.len) == 0);
		}
	}
	CHECK(strcmp(seen(s, i1).owner_contact, "alice@u-psud.fr") == 0);
	CHECK(send_text(s, "A101", "carol", &id, &why) == STORE_CONFLICT &&
	    why == STORE_INVITE_BLOCKED);
	CHECK(send_text(s, "A101", "bob", &id, &why) == 0 && id == i2 + 1);
	store_close(s);
	buf_free(&before);
	buf_free(&after);
	buf_free(&a);
	buf_free(&b);
}

/* The record's codec: round trip, and a damaged record is refused. */
static void
codec(void)
{
	struct store_invite c, d;
	struct store_claim cl;
	struct buf rec = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.id = 7;
	c.researcher_id = SV_LIT("A101");
	c.sender = SV_LIT("bob");
	c.owner = SV_LIT("alice");
	c.subject = SV_LIT("<b>hi</b>");
	c.message = SV_LIT("line\nline");
	c.sender_contact = SV_LIT("bob");
	c.owner_contact = SV_LIT("a@b.edu");
	c.state = STORE_INVITE_ACCEPTED;
	c.sent_at = 1700000000;
	c.decided_at = 1700000100;
	rec_invite_encode(&rec, &c);
	CHECK(rec_invite_decode(rec.p, rec.len, &d) == 0 && d.id == 7 &&
	    sv_eq(d.subject, c.subject) && sv_eq(d.owner_contact,
	    c.owner_contact) && d.state == STORE_INVITE_ACCEPTED &&
	    d.decided_at == 1700000100);
	/* Not a claim, whatever its checksum says. */
	CHECK(rec_claim_decode(rec.p, rec.len, &cl) == STORE_CORRUPT);
	rec.p[5] ^= 1;
	CHECK(rec_invite_decode(rec.p, rec.len, &d) == STORE_CORRUPT);
	buf_free(&rec);
}

int
main(void)
{
	scratch = tdir_make();
	sending();
	answering();
	owner_gone();
	owner_flag();
	survives_reimport();
	codec();
	tdir_remove(scratch);
	CHECK_DONE();
}
