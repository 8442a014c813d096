/* test_text.c: the one rule for text from users: the sign-in (/login), the form validators and the store agree on every code point and on bad encodings. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../../fcgi-app/app.h"
#include "../../fcgi-app/form.h"
#include "../../fcgi-app/handlers.h"
#include "../../fcgi-app/request.h"
#include "../../store/import.h"
#include "../../store/store.h"
#include "../../views/views.h"
#include "check.h"
#include "test_import_util.h"

/*
 * The rule as documented (store.h, store_text_valid), written out again
 * here on purpose: whether code point cp may stand in a line (note 0) or
 * a note (note 1).
 *  - C0 controls, DEL, C1 controls (U+0080..U+009F, U+0085 NEL among
 *    them): never; a note may hold tab, line feed and carriage return.
 *  - U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: not in a line
 *    (they end one), fine in a note (which may hold line feeds anyway).
 *  - Bidi controls (U+061C, U+200E/F, U+202A..E, U+2066..9): allowed;
 *    right-to-left names need the marks, and bzpeer-admin shows them
 *    escaped, so they cannot disguise what a reviewer reads.
 *  - Noncharacters (U+FDD0..U+FDEF, U+xxFFFE/F): allowed, as Unicode
 *    allows them in interchange; nothing here gives them a meaning.
 *  - Surrogates cannot be encoded in UTF-8: never.
 */
static int
allowed(uint32_t cp, int note)
{
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x20)
		return note && (cp == '\t' || cp == '\n' || cp == '\r');
	if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return 0;
	if (cp == 0x2028 || cp == 0x2029)
		return note;
	return 1;
}

/* cp as UTF-8 (surrogates too, as a CESU-style three bytes); the length. */
static size_t
enc(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* "u" + bytes + "x": the rule must hold inside a name, not only alone. */
static struct sv
framed(char *out, const void *bytes, size_t n)
{
	out[0] = 'u';
	memcpy(out + 1, bytes, n);
	out[n + 1] = 'x';
	out[n + 2] = '\0';
	return (struct sv){ out, n + 2 };
}

/* Every code point: the rule, the store's checks and the form validators. */
static void
every_code_point(void)
{
	unsigned char b[4];
	char buf[16];
	size_t bad[6] = { 0 };
	uint32_t cp;

	for (cp = 0; cp <= 0x10FFFF; cp++) {
		struct sv s = framed(buf, b, enc(cp, b));
		int line = allowed(cp, 0), note = allowed(cp, 1);

		bad[0] += store_text_valid(s, STORE_TEXT_LINE) != line;
		bad[1] += store_text_valid(s, STORE_TEXT_NOTE) != note;
		bad[2] += store_user_valid(s) != line;
		bad[3] += valid_line(s) != line;
		bad[4] += valid_text(s) != note;
		bad[5] += utf8_valid(s) != !(cp >= 0xD800 && cp <= 0xDFFF);
		if ((store_text_valid(s, STORE_TEXT_LINE) != line ||
		    valid_line(s) != line) && bad[0] + bad[3] < 8)
			printf("# U+%04X: rule %d, store %d, form %d\n",
			    (unsigned)cp, line,
			    store_text_valid(s, STORE_TEXT_LINE), valid_line(s));
	}
	CHECK(bad[0] == 0);   /* store_text_valid, lines */
	CHECK(bad[1] == 0);   /* store_text_valid, notes */
	CHECK(bad[2] == 0);   /* store_user_valid */
	CHECK(bad[3] == 0);   /* valid_line: query and form fields */
	CHECK(bad[4] == 0);   /* valid_text: the claim's note */
	CHECK(bad[5] == 0);   /* utf8_valid: path segments */
}

/* Byte strings no rule lets through: not UTF-8 at all. */
static const struct { const char *b; const char *what; } malformed[] = {
	{ "\xc0\x80", "overlong NUL" },
	{ "\xc0\xaf", "overlong /" },
	{ "\xc1\xbf", "overlong DEL" },
	{ "\xe0\x80\xaf", "overlong / in three bytes" },
	{ "\xe0\x9f\xbf", "overlong U+07FF" },
	{ "\xe0\x82\x85", "overlong NEL" },
	{ "\xf0\x80\x80\xaf", "overlong / in four bytes" },
	{ "\xf0\x8f\xbf\xbf", "overlong U+FFFF" },
	{ "\xed\xa0\x80", "surrogate U+D800" },
	{ "\xed\xbf\xbf", "surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", "surrogate pair (CESU-8)" },
	{ "\xf4\x90\x80\x80", "past U+10FFFF" },
	{ "\xf5\x80\x80\x80", "lead F5" },
	{ "\xf8\x88\x80\x80\x80", "five bytes" },
	{ "\x80", "stray continuation" },
	{ "\xbf\xbf", "stray continuations" },
	{ "\xc3", "cut short" },
	{ "\xe2\x80", "cut short in three" },
	{ "\xf0\x9f\x98", "cut short in four" },
	{ "\xc3\x28", "bad continuation" },
	{ "\xfe", "byte FE" },
	{ "\xff", "byte FF" },
};

static void
malformed_refused(void)
{
	char buf[16];
	size_t i, bad = 0;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct sv s = framed(buf, malformed[i].b, strlen(malformed[i].b));

		if (store_text_valid(s, STORE_TEXT_LINE) ||
		    store_text_valid(s, STORE_TEXT_NOTE) ||
		    store_user_valid(s) || valid_line(s) || valid_text(s) ||
		    utf8_valid(s)) {
			printf("# accepted: %s\n", malformed[i].what);
			bad++;
		}
	}
	CHECK(bad == 0);
}

/* ---- the real uses: /login and the store's writers ----------------------------- */

static char *scratch;
static struct store *st;

/*
 * What /login answers for REMOTE_USER user (no NUL in it: it comes as a
 * C string): 403 "Sign-in refused" for a name it refuses; with no signing
 * key, 503 for a name it would sign in.
 */
static int
login_status(struct sv user)
{
	static struct app a;   /* have_key 0: nobody is signed in */
	char ru[300];
	struct fcgi_param p[4] = {
		{ SV_LIT("REQUEST_METHOD"), SV_LIT("GET") },
		{ SV_LIT("REQUEST_URI"), SV_LIT("/login") },
		{ SV_LIT("QUERY_STRING"), SV_LIT("next=/") },
		{ SV_LIT("REMOTE_USER"), { ru, 0 } },
	};
	struct request r;
	int status;

	if (user.n + 1 > sizeof(ru)) {
		printf("Bail out! a name of %zu bytes\n", user.n);
		exit(1);
	}
	/* As the FastCGI reader hands values over: NUL-terminated. */
	memcpy(ru, user.p, user.n);
	ru[user.n] = '\0';
	p[3].value.n = user.n;
	req_init(&r, &a);
	req_begin(&r, p, 4, (struct sv){ "", 0 }, 0);
	handle_login(&r);
	status = r.status;
	req_free(&r);
	return status;
}

/* The store's verdict on user as a follower: 1 taken, 0 STORE_INVALID, -1 else. */
static int
store_takes_user(struct sv user)
{
	uint64_t n, txn;
	int ch, rc = store_follow(st, SV_LIT("A101"), user, 1, &n, &txn, &ch);

	if (rc == 0)
		return 1;
	return rc == STORE_INVALID ? 0 : -1;
}

/* The store's verdict on a claim by user with this note: as store_takes_user. */
static int
store_takes_claim(struct sv user, struct sv note)
{
	struct store_claim c;
	uint64_t id;
	int rc;

	memset(&c, 0, sizeof(c));
	c.researcher_id = SV_LIT("A101");
	c.user = user;
	c.orcid = SV_LIT("");
	c.email = SV_LIT("someone@example.edu");
	c.evidence_url = SV_LIT("https://example.edu/~someone");
	c.note = note;
	rc = store_claim_file(st, &c, &id);
	/* One open claim per researcher: later ones conflict, unwritten. */
	if (rc == 0 || rc == STORE_CONFLICT || rc == STORE_EXISTS)
		return 1;
	return rc == STORE_INVALID ? 0 : -1;
}

/*
 * One sample (bytes, and the rule's verdicts for a line and a note): the
 * sign-in and the store's writers give the same answer, the rule's.
 */
static int
agree(const void *bytes, size_t n, int line, int note, const char *what)
{
	char buf[16];
	struct sv s = framed(buf, bytes, n);
	int login = -1, follow = store_takes_user(s),
	    claim_user = store_takes_claim(s, SV_LIT("It is me.")),
	    claim_note = store_takes_claim(SV_LIT("claimant"), s);

	if (memchr(s.p, '\0', s.n) == NULL) {
		int status = login_status(s);

		login = status == 403 ? 0 : status == 503 ? 1 : -1;
	} else
		login = line;   /* a NUL cannot reach REMOTE_USER */
	if (login == line && follow == line && claim_user == line &&
	    claim_note == note && valid_text(s) == note)
		return 1;
	printf("# %s: rule line %d note %d; /login %d, follow %d, claim user "
	    "%d, claim note %d, valid_text %d\n", what, line, note, login,
	    follow, claim_user, claim_note, valid_text(s));
	return 0;
}

static const uint32_t samples[] = {
	0x09, 0x0A, 0x0D, 0x1B, 0x7F,
	0x85,                                    /* NEL, the name that got in */
	0xA0, 0xAD, 0xE9, 0x4E2D, 0x1F600,
	0x2028, 0x2029,                          /* line and paragraph separators */
	0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
	0x2066, 0x2067, 0x2068, 0x2069,          /* bidi controls */
	0x200B, 0x2060, 0xFEFF,                  /* invisible, allowed */
	0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFE, 0x10FFFF,  /* noncharacters */
};

static void
uses_agree(void)
{
	unsigned char b[4];
	char big[STORE_USER_MAX + 2];
	size_t i, bad = 0;
	uint32_t cp;

	for (i = 0; i < 0xA0 + sizeof(samples) / sizeof(samples[0]); i++) {
		char what[16];

		/* every C0, DEL and C1 control, then the samples */
		cp = i < 0xA0 ? (uint32_t)i : samples[i - 0xA0];
		snprintf(what, sizeof(what), "U+%04X", (unsigned)cp);
		bad += !agree(b, enc(cp, b), allowed(cp, 0), allowed(cp, 1),
		    what);
	}
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		bad += !agree(malformed[i].b, strlen(malformed[i].b), 0, 0,
		    malformed[i].what);
	CHECK(bad == 0);

	/* U+0085 NEL by name: refused at the door, refused by the store */
	CHECK(login_status(SV_LIT("bad\xc2\x85name")) == 403);
	CHECK(store_takes_user(SV_LIT("bad\xc2\x85name")) == 0);
	CHECK(login_status(SV_LIT("gr\xc3\xa9goire")) == 503);   /* would sign in */

	/* the lengths agree too: 128 bytes taken, 129 refused */
	memset(big, 'n', sizeof(big));
	CHECK(login_status((struct sv){ big, STORE_USER_MAX }) == 503 &&
	    store_takes_user((struct sv){ big, STORE_USER_MAX }) == 1);
	CHECK(login_status((struct sv){ big, STORE_USER_MAX + 1 }) == 403 &&
	    store_takes_user((struct sv){ big, STORE_USER_MAX + 1 }) == 0);
}

int
main(void)
{
	const char *authors[1], *works[1];
	struct import_opts o;
	struct import_report rep;
	struct buf err = BUF_INIT;
	FILE *log;

	every_code_point();
	malformed_refused();

	scratch = tdir_make();
	authors[0] = root_path("tests/fixtures/import/authors.jsonl");
	works[0] = root_path("tests/fixtures/import/works.jsonl");
	REQUIRE(store_open(path_in(scratch, "store"), STORE_CREATE, &st) == 0);
	REQUIRE((log = fopen("/dev/null", "w")) != NULL);
	memset(&o, 0, sizeof(o));
	o.authors = authors;
	o.n_authors = 1;
	o.works = works;
	o.n_works = 1;
	o.log = log;
	REQUIRE(store_import(st, &o, &rep) == 0);
	fclose(log);
	REQUIRE(views_load(root_path("views"), &err) == 0);
	buf_free(&err);

	uses_agree();

	views_unload();
	store_close(st);
	tdir_remove(scratch);
	CHECK_DONE();
}
