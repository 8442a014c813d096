/*
 * bzpeer-admin.c: the operator's command for the store: stats, dump, claims
 * review, owners' removals and merge requests, invitations, follows, ending sessions, schema migrations, backups and
 * restores. Run as root, it acts as the store's owner (the service's
 * user), so no file it makes keeps the service out. Every string it prints (user text,
 * catalog text, ids, even the arguments it echoes) goes through
 * dump_escape(): a note holding a bidi override or a terminal escape is
 * shown as \u202e or \x1b, never acted on by the reviewer's terminal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../fcgi-app/config.h"   /* BZPEER_VERSION, every program's one version */
#include "codec.h"
#include "dump.h"
#include "log.h"
#include "store.h"
#include "utf8.h"

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* How a command opens the store. */
enum { OPEN_READ, OPEN_WRITE, OPEN_NONE };

/* A command line, parsed before the store is opened. */
struct args {
	const char *store;
	const char *what;        /* follows: a slug or an id; sessions: a user */
	const char *note;        /* claims reject: the reviewer's note */
	const char *dir;         /* backup, restore, migrate --backup: a directory */
	int no_backup;           /* migrate --no-backup */
	uint64_t id;             /* claims approve/reject */
	int state;               /* claims list: 0 all, else enum store_claim_state */
	int identity_verified;   /* claims approve */
	int override;            /* claims approve: despite what the checks found */
	int by_user;             /* invitations list: what is a user, not a researcher */
};

struct command {
	const char *name, *sub;  /* "claims" "list"; sub NULL for one word */
	const char *synopsis, *help;
	int open;                /* OPEN_READ, OPEN_WRITE, or OPEN_NONE: the
	                            command works on the directory itself */
	int (*parse)(struct args *a, int argc, char **argv);
	int (*run)(struct store *s, const struct args *a);
};

/* One line on stderr: "bzpeer-admin: " and the message. */
static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("bzpeer-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * s escaped (dump_escape) as a C string in b, for messages that echo what
 * the operator typed; valid until b changes.
 */
static const char *
esc(struct buf *b, const char *s)
{
	buf_reset(b);
	dump_escape(b, sv_cstr(s));
	buf_reserve(b, 1);
	return b->p;
}

/* Writes b to stdout; 0 or EIO. */
static int
out(const struct buf *b)
{
	return fwrite(b->p, 1, b->len, stdout) == b->len ? 0 : EIO;
}

static const char *
state_name(int state)
{
	switch (state) {
	case STORE_CLAIM_STATE_PENDING: return "pending";
	case STORE_CLAIM_STATE_APPROVED: return "approved";
	case STORE_CLAIM_STATE_REJECTED: return "rejected";
	default: return "?";
	}
}

/* Unix seconds as 2024-05-01T12:00:00Z, or "-" for 0. */
static void
put_time(struct buf *b, uint64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		buf_puts(b, t == 0 ? "-" : "?");
		return;
	}
	buf_puts(b, s);
}

/* "7" -> 7; 0 and anything but 1..19 digits are refused (-1). */
static int
parse_id(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '1' || *s > '9' || strlen(s) > 19)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* ---- parsing ------------------------------------------------------------ */

static int
parse_none(struct args *a, int argc, char **argv)
{
	(void)a; (void)argv;
	return argc == 0 ? 0 : -1;
}

static int
parse_list(struct args *a, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	if (argc != 2 || strcmp(argv[0], "--state") != 0)
		return -1;
	if (strcmp(argv[1], "pending") == 0)
		a->state = STORE_CLAIM_STATE_PENDING;
	else if (strcmp(argv[1], "approved") == 0)
		a->state = STORE_CLAIM_STATE_APPROVED;
	else if (strcmp(argv[1], "rejected") == 0)
		a->state = STORE_CLAIM_STATE_REJECTED;
	else
		return -1;
	return 0;
}

/* A reviewer's note: not empty, at most STORE_CLAIM_NOTE_MAX characters. */
static int
note_ok(const char *note)
{
	return note[0] != '\0' && utf8_chars((const unsigned char *)note,
	    strlen(note)) <= STORE_CLAIM_NOTE_MAX;
}

/* ID [--identity-verified] [--override] [--note TEXT]; --override needs a note. */
static int
parse_approve(struct args *a, int argc, char **argv)
{
	if (argc < 1 || parse_id(argv[0], &a->id) != 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--identity-verified") == 0 &&
		    !a->identity_verified)
			a->identity_verified = 1;
		else if (strcmp(argv[i], "--override") == 0 && !a->override)
			a->override = 1;
		else if (strcmp(argv[i], "--note") == 0 && a->note == NULL &&
		    i + 1 < argc && note_ok(argv[i + 1]))
			a->note = argv[++i];
		else
			return -1;
	}
	return a->override && a->note == NULL ? -1 : 0;
}

static int
parse_reject(struct args *a, int argc, char **argv)
{
	if (argc != 3 || parse_id(argv[0], &a->id) != 0 ||
	    strcmp(argv[1], "--note") != 0 || !note_ok(argv[2]))
		return -1;
	a->note = argv[2];
	return 0;
}

static int
parse_follows(struct args *a, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '\0')
		return -1;
	a->what = argv[0];
	return 0;
}

static int
parse_user(struct args *a, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '\0')
		return -1;
	a->what = argv[0];
	return 0;
}

static int
parse_dir(struct args *a, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '\0')
		return -1;
	a->dir = argv[0];
	return 0;
}

static int
parse_migrate(struct args *a, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	if (argc == 1 && strcmp(argv[0], "--no-backup") == 0) {
		a->no_backup = 1;
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "--backup") == 0 && argv[1][0]) {
		a->dir = argv[1];
		return 0;
	}
	return -1;
}

/* ---- read commands ---------------------------------------------------------- */

/* Runs fn in one read transaction of s. */
static int
in_read(struct store *s, const struct args *a,
    int (*fn)(struct store_rtxn *t, const struct args *a))
{
	struct store_rtxn *t;
	int rc;

	if ((rc = store_read_begin(s, &t)) != 0) {
		errmsg("read: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	rc = fn(t, a);
	store_read_end(t);
	return rc;
}

static int
stats_txn(struct store_rtxn *t, const struct args *a)
{
	struct store_stats st;
	int rc;

	(void)a;
	if ((rc = store_stats(t, &st)) != 0) {
		errmsg("stats: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	printf("schema %u\ngeneration %llu\nresearchers %llu\nworks %llu\n"
	    "topics %llu\nmap_size %llu\nmap_used %llu\n", st.schema,
	    (unsigned long long)st.generation,
	    (unsigned long long)st.researchers, (unsigned long long)st.works,
	    (unsigned long long)st.topics, (unsigned long long)st.map_size,
	    (unsigned long long)st.map_used);
	printf("user_map_size %llu\nuser_map_used %llu\n",
	    (unsigned long long)st.user_map_size,
	    (unsigned long long)st.user_map_used);
	printf("merged %llu\nsnapshot_authors %s\nsnapshot_works %s\n",
	    (unsigned long long)st.merged,
	    st.last_authors[0] ? st.last_authors : "-",
	    st.last_works[0] ? st.last_works : "-");
	return EXIT_OK;
}

static int
cmd_stats(struct store *s, const struct args *a)
{
	return in_read(s, a, stats_txn);
}

static int
dump_txn(struct store_rtxn *t, const struct args *a)
{
	int rc;

	(void)a;
	if ((rc = store_dump(t, stdout)) != 0) {
		errmsg("dump: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
cmd_dump(struct store *s, const struct args *a)
{
	return in_read(s, a, dump_txn);
}

struct list_ctx {
	struct store_rtxn *t;
	struct buf line;
};

static const char *
check_name(int check)
{
	return check == STORE_CHECK_MATCH ? "match" :
	    check == STORE_CHECK_MISMATCH ? "mismatch" : "none";
}

/* One line per claim; text from users quoted (dump_quote), the rest escaped. */
static int
list_one(void *ctx, const struct store_claim *c)
{
	struct list_ctx *l = ctx;
	struct store_claim_check ck;
	struct store_researcher r;
	uint64_t partner;
	int rc;

	buf_reset(&l->line);
	buf_putu64(&l->line, c->id);
	buf_putc(&l->line, ' ');
	buf_puts(&l->line, state_name(c->state));
	buf_putc(&l->line, ' ');
	dump_escape(&l->line, c->researcher_id);
	buf_putc(&l->line, ' ');
	rc = store_researcher_by_id(l->t, c->researcher_id, &r);
	if (rc == 0)
		dump_escape(&l->line, r.slug);
	else
		buf_puts(&l->line, "-");
	buf_puts(&l->line, " user=");
	dump_quote(&l->line, c->user);
	buf_puts(&l->line, " orcid=");
	dump_quote(&l->line, c->orcid);
	buf_puts(&l->line, " email=");
	dump_quote(&l->line, c->email);
	buf_puts(&l->line, " evidence_url=");
	dump_quote(&l->line, c->evidence_url);
	buf_puts(&l->line, " filed=");
	put_time(&l->line, c->filed_at);
	buf_puts(&l->line, " decided=");
	put_time(&l->line, c->decided_at);
	if (c->identity_verified)
		buf_puts(&l->line, " identity_verified");
	/* Two users claim the same profile: the reviewer decides both. */
	if (store_claim_partner(l->t, c->id, &partner) == 0) {
		buf_puts(&l->line, " disputed_with=");
		buf_putu64(&l->line, partner);
	}
	if (store_claim_check(l->t, c, &ck) == 0) {
		buf_puts(&l->line, " orcid_check=");
		buf_puts(&l->line, check_name(ck.orcid));
		buf_puts(&l->line, " email_check=");
		buf_puts(&l->line, check_name(ck.email));
		if (ck.owner_of.n) {
			struct store_researcher o;

			/* The claimant already owns another profile. */
			buf_puts(&l->line, " owner_of=");
			if (store_researcher_by_id(l->t, ck.owner_of, &o) == 0)
				dump_escape(&l->line, o.slug);
			else
				dump_escape(&l->line, ck.owner_of);
		}
	}
	buf_puts(&l->line, " note=");
	dump_quote(&l->line, c->note);
	buf_puts(&l->line, " reviewer_note=");
	dump_quote(&l->line, c->reviewer_note);
	buf_putc(&l->line, '\n');
	return out(&l->line);
}

static int
list_txn(struct store_rtxn *t, const struct args *a)
{
	struct list_ctx l = { t, BUF_INIT };
	int rc = store_claims_each(t, a->state, list_one, &l);

	buf_free(&l.line);
	if (rc != 0) {
		errmsg("claims list: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
cmd_claims_list(struct store *s, const struct args *a)
{
	return in_read(s, a, list_txn);
}

static int
verify_txn(struct store_rtxn *t, const struct args *a)
{
	uint64_t bad = 0;
	int rc = store_claims_verify(t, &bad);

	(void)a;
	if (rc == STORE_CORRUPT) {
		errmsg("claims verify: %llu disagreements between the claims "
		    "and the users' index of them", (unsigned long long)bad);
		return EXIT_FAIL;
	}
	if (rc != 0) {
		errmsg("claims verify: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	printf("claims verify: the users' index agrees with the claims\n");
	return EXIT_OK;
}

static int
cmd_claims_verify(struct store *s, const struct args *a)
{
	return in_read(s, a, verify_txn);
}

struct follows_ctx {
	struct buf line;
	uint64_t n;
};

static int
follows_one(void *ctx, struct sv user)
{
	struct follows_ctx *f = ctx;

	f->n++;
	buf_reset(&f->line);
	buf_puts(&f->line, "follower: ");
	dump_escape(&f->line, user);
	buf_putc(&f->line, '\n');
	return out(&f->line);
}

/* The researcher an id or slug names now; 0, or an error said on stderr. */
static int
researcher_arg(struct store_rtxn *t, const char *cmd, const char *what,
    struct store_researcher *r)
{
	struct buf e = BUF_INIT;
	uint64_t num;
	int rc;

	if (id_parse(sv_cstr(what), 'A', &num) == 0)
		rc = store_researcher_by_id(t, sv_cstr(what), r);
	else
		rc = store_researcher_by_slug(t, sv_cstr(what), r);
	if (rc == STORE_NOTFOUND)
		errmsg("no researcher %s", esc(&e, what));
	else if (rc != 0)
		errmsg("%s: %s", cmd, store_strerror(rc));
	buf_free(&e);
	return rc;
}

static int
follows_txn(struct store_rtxn *t, const struct args *a)
{
	struct store_researcher r;
	struct follows_ctx f = { BUF_INIT, 0 };
	uint64_t count;
	int rc, status = EXIT_FAIL;

	if (researcher_arg(t, "follows", a->what, &r) != 0)
		return EXIT_FAIL;
	if ((rc = store_followers(t, r.id, &count)) != 0) {
		errmsg("follows: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	buf_puts(&f.line, "id: ");
	dump_escape(&f.line, r.id);
	buf_puts(&f.line, "\nslug: ");
	dump_escape(&f.line, r.slug);
	buf_putc(&f.line, '\n');
	if ((rc = out(&f.line)) != 0 ||
	    (rc = store_researcher_followers(t, r.id, follows_one, &f)) != 0) {
		errmsg("follows: %s", store_strerror(rc));
		goto free;
	}
	printf("count: %llu\n", (unsigned long long)count);
	if (count != f.n) {
		fprintf(stderr, "bzpeer-admin: follows: the count says %llu "
		    "but there are %llu follow edges\n",
		    (unsigned long long)count, (unsigned long long)f.n);
		goto free;
	}
	status = EXIT_OK;
free:
	buf_free(&f.line);
	return status;
}

static int
cmd_follows(struct store *s, const struct args *a)
{
	return in_read(s, a, follows_txn);
}

/* ---- claim decisions --------------------------------------------------------- */

/* After a decision: what the claim and the researcher's record say now. */
static int
decided_txn(struct store_rtxn *t, const struct args *a)
{
	struct store_claim c;
	struct store_researcher r;
	struct buf line = BUF_INIT;
	int rc;

	if ((rc = store_claim_by_id(t, a->id, &c)) != 0 ||
	    (rc = store_researcher_by_id(t, c.researcher_id, &r)) != 0) {
		errmsg("claims: decided, but reading it back: %s",
		    store_strerror(rc));
		return EXIT_FAIL;
	}
	buf_puts(&line, "claim ");
	buf_putu64(&line, c.id);
	buf_putc(&line, ' ');
	buf_puts(&line, state_name(c.state));
	buf_puts(&line, ": ");
	dump_escape(&line, r.id);
	buf_putc(&line, ' ');
	dump_escape(&line, r.slug);
	buf_puts(&line, " is ");
	buf_puts(&line, r.claim == STORE_CLAIM_APPROVED ? (r.orcid_verified ?
	    "claimed (identity verified)" : "claimed") : "unclaimed");
	buf_puts(&line, ", level L");
	buf_putu64(&line, store_level(&r));
	buf_puts(&line, ", trust ");
	buf_putu64(&line, store_trust(&r));
	buf_puts(&line, ", record version ");
	buf_putu64(&line, r.version);
	buf_putc(&line, '\n');
	rc = out(&line);
	buf_free(&line);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* Why a decision was refused, in words. */
static int
decide_failed(struct store *s, const struct args *a, int rc)
{
	struct store_rtxn *t;
	struct store_claim c;
	unsigned long long id = (unsigned long long)a->id;

	if (rc == STORE_NOTFOUND) {
		errmsg("no claim %llu", id);
		return EXIT_FAIL;
	}
	if (rc == STORE_CONFLICT && store_read_begin(s, &t) == 0) {
		if (store_claim_by_id(t, a->id, &c) == 0)
			errmsg("claim %llu is not pending (it is %s)", id,
			    state_name(c.state));
		else
			errmsg("claim %llu is not pending", id);
		store_read_end(t);
		return EXIT_FAIL;
	}
	if (rc == STORE_INVALID) {
		errmsg("claim %llu: the note must be UTF-8 text without "
		    "control characters", id);
		return EXIT_FAIL;
	}
	errmsg("claim %llu: %s", id, store_strerror(rc));
	return EXIT_FAIL;
}

/*
 * Before an approval: what the claim's evidence says against the record.
 * Refused (EXIT_FAIL, each reason on stderr) unless --override: an ORCID
 * iD that is not the record's; and with --identity-verified, an email
 * whose domain does not name the record's affiliation, or nothing that
 * checks the identity at all (no ORCID iD on both sides, no affiliation).
 * A claimant who already owns another profile is said, not refused (one
 * person may have two records). Checked in a read snapshot before the
 * write: a claim's evidence never changes, and a re-import that changed
 * the record's ORCID iD meanwhile is caught by the store's own comparison
 * (orcid_verified is set in the write from the record it writes).
 */
static int
approve_checks_txn(struct store_rtxn *t, const struct args *a)
{
	struct store_claim_check ck;
	struct store_claim c;
	unsigned long long id = (unsigned long long)a->id;
	int rc, problems = 0;

	if ((rc = store_claim_by_id(t, a->id, &c)) != 0 ||
	    c.state != STORE_CLAIM_STATE_PENDING)
		return EXIT_OK;        /* the decision says why */
	if ((rc = store_claim_check(t, &c, &ck)) != 0) {
		errmsg("claim %llu: %s", id, store_strerror(rc));
		return EXIT_FAIL;
	}
	if (ck.orcid == STORE_CHECK_MISMATCH) {
		errmsg("claim %llu: the claim's ORCID iD %.*s is not the record's %.*s",
		    id, (int)c.orcid.n, c.orcid.p, (int)ck.record_orcid.n,
		    ck.record_orcid.p);
		problems++;
	}
	if (a->identity_verified && ck.email == STORE_CHECK_MISMATCH) {
		struct buf q = BUF_INIT;

		dump_quote(&q, ck.institution);
		errmsg("claim %llu: the email's domain %.*s does not name the "
		    "record's affiliation %.*s", id, (int)ck.domain.n,
		    ck.domain.p, (int)q.len, q.p);
		buf_free(&q);
		problems++;
	}
	if (a->identity_verified && ck.orcid != STORE_CHECK_MATCH &&
	    ck.email != STORE_CHECK_MATCH && problems == 0) {
		errmsg("claim %llu: nothing checks the identity: %s, and %s", id,
		    ck.orcid == STORE_CHECK_NONE ? "no ORCID iD on both the claim "
		    "and the record" : "the ORCID iDs differ",
		    ck.email == STORE_CHECK_NONE ? "the record has no affiliation "
		    "to compare the email's domain with" : "the email's domain "
		    "does not name the affiliation");
		problems++;
	}
	if (ck.owner_of.n) {
		struct store_researcher o;
		struct buf q = BUF_INIT;

		dump_quote(&q, c.user);
		if (store_researcher_by_id(t, ck.owner_of, &o) != 0)
			o.slug = ck.owner_of;
		errmsg("claim %llu: note: %.*s already owns %.*s", id,
		    (int)q.len, q.p, (int)o.slug.n, o.slug.p);
		buf_free(&q);
	}
	if (problems == 0)
		return EXIT_OK;
	if (a->override) {
		errmsg("claim %llu: approved despite this (--override), the "
		    "note says why", id);
		return EXIT_OK;
	}
	errmsg("claim %llu not approved: check the evidence; to approve it "
	    "anyway, say why: --override --note TEXT", id);
	return EXIT_FAIL;
}

static int
cmd_claims_approve(struct store *s, const struct args *a)
{
	int rc;

	if ((rc = in_read(s, a, approve_checks_txn)) != EXIT_OK)
		return rc;
	rc = store_claim_decide(s, a->id, 1, a->identity_verified,
	    a->note ? sv_cstr(a->note) : SV_LIT(""));
	if (rc != 0)
		return decide_failed(s, a, rc);
	return in_read(s, a, decided_txn);
}

static int
cmd_claims_reject(struct store *s, const struct args *a)
{
	int rc = store_claim_decide(s, a->id, 0, 0, sv_cstr(a->note));

	if (rc != 0)
		return decide_failed(s, a, rc);
	return in_read(s, a, decided_txn);
}

/* ---- owners: works removed, merge requests ------------------------------------- */

/* One line per work an owner removed from their profile. */
static int
curation_one(void *ctx, struct sv researcher, struct sv work, uint64_t at)
{
	struct list_ctx *l = ctx;
	struct store_researcher r;
	struct store_work w;
	struct sv owner;

	buf_reset(&l->line);
	buf_puts(&l->line, "hidden ");
	dump_escape(&l->line, researcher);
	buf_putc(&l->line, ' ');
	if (store_researcher_by_id(l->t, researcher, &r) == 0)
		dump_escape(&l->line, r.slug);
	else
		buf_puts(&l->line, "-");
	buf_putc(&l->line, ' ');
	dump_escape(&l->line, work);
	buf_puts(&l->line, " owner=");
	if (store_owner_of(l->t, researcher, &owner) == 0)
		dump_quote(&l->line, owner);
	else
		buf_puts(&l->line, "-");
	buf_puts(&l->line, " at=");
	put_time(&l->line, at);
	buf_puts(&l->line, " title=");
	if (store_work_by_id(l->t, work, &w) == 0)
		dump_quote(&l->line, w.title);
	else
		buf_puts(&l->line, "-");
	buf_putc(&l->line, '\n');
	return out(&l->line);
}

static int
curation_txn(struct store_rtxn *t, const struct args *a)
{
	struct list_ctx l = { t, BUF_INIT };
	int rc = store_hidden_each(t, a->what ? sv_cstr(a->what) :
	    SV_LIT(""), curation_one, &l);

	buf_free(&l.line);
	if (rc != 0) {
		errmsg("curation list: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
cmd_curation_list(struct store *s, const struct args *a)
{
	return in_read(s, a, curation_txn);
}

static int
parse_curation(struct args *a, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	if (argc != 2 || strcmp(argv[0], "--researcher") != 0 ||
	    argv[1][0] == '\0')
		return -1;
	a->what = argv[1];
	return 0;
}

/* The researcher id and slug as they answer now ("-" when gone). */
static void
put_researcher(struct list_ctx *l, const char *label, struct sv id)
{
	struct store_researcher r;

	buf_puts(&l->line, label);
	dump_escape(&l->line, id);
	buf_putc(&l->line, '/');
	if (store_researcher_by_id(l->t, id, &r) == 0)
		dump_escape(&l->line, r.slug);
	else
		buf_puts(&l->line, "-");
}

static int
merges_one(void *ctx, const struct store_merge_req *q)
{
	struct list_ctx *l = ctx;
	struct store_claim cl;
	struct sv owner;

	buf_reset(&l->line);
	buf_putu64(&l->line, q->id);
	buf_putc(&l->line, ' ');
	buf_puts(&l->line, state_name(q->state));
	put_researcher(l, " from=", q->from);
	put_researcher(l, " into=", q->into);
	buf_puts(&l->line, " user=");
	dump_quote(&l->line, q->user);
	/* What the approval would meet: the duplicate's claim, the owner. */
	if (q->state == STORE_CLAIM_STATE_PENDING) {
		if (store_claim_of_researcher(l->t, q->from, &cl) == 0) {
			buf_puts(&l->line, " from_claim=");
			buf_puts(&l->line, state_name(cl.state));
			buf_puts(&l->line, sv_eq(cl.user, q->user) ?
			    ":same_user" : ":other_user");
		}
		if (store_owner_of(l->t, q->into, &owner) != 0 ||
		    !sv_eq(owner, q->user))
			buf_puts(&l->line, " not_owner_now");
	}
	buf_puts(&l->line, " filed=");
	put_time(&l->line, q->filed_at);
	buf_puts(&l->line, " decided=");
	put_time(&l->line, q->decided_at);
	buf_puts(&l->line, " note=");
	dump_quote(&l->line, q->note);
	buf_puts(&l->line, " reviewer_note=");
	dump_quote(&l->line, q->reviewer_note);
	buf_putc(&l->line, '\n');
	return out(&l->line);
}

static int
merges_txn(struct store_rtxn *t, const struct args *a)
{
	struct list_ctx l = { t, BUF_INIT };
	int rc = store_merge_requests_each(t, a->state, merges_one, &l);

	buf_free(&l.line);
	if (rc != 0) {
		errmsg("merges list: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
cmd_merges_list(struct store *s, const struct args *a)
{
	return in_read(s, a, merges_txn);
}

/* ID [--note TEXT] */
static int
parse_merge_approve(struct args *a, int argc, char **argv)
{
	if (argc < 1 || parse_id(argv[0], &a->id) != 0)
		return -1;
	if (argc == 1)
		return 0;
	if (argc != 3 || strcmp(argv[1], "--note") != 0 || !note_ok(argv[2]))
		return -1;
	a->note = argv[2];
	return 0;
}

static int
merge_decided(struct store *s, const struct args *a, int approve)
{
	unsigned long long id = (unsigned long long)a->id;
	int why = 0, rc;

	rc = store_merge_decide(s, a->id, approve, a->note ? sv_cstr(a->note) :
	    SV_LIT(""), &why);
	if (rc == 0) {
		printf("merge request %llu %s\n", id, approve ? "approved: "
		    "the duplicate now answers as the owner's profile" :
		    "rejected");
		return EXIT_OK;
	}
	if (rc == STORE_NOTFOUND)
		errmsg("merge request %llu: no such request (or its profile is "
		    "gone)", id);
	else if (rc == STORE_CONFLICT)
		errmsg("merge request %llu: %s", id,
		    why == STORE_MERGE_DECIDED ? "not pending" :
		    why == STORE_MERGE_MERGED ? "the duplicate was merged into "
		    "another since" :
		    why == STORE_MERGE_CLAIMED ? "the duplicate is claimed by "
		    "someone else" :
		    why == STORE_MERGE_LOOP ? "the owner's profile was merged "
		    "into the duplicate since (a loop)" : "refused");
	else if (rc == EPERM)
		errmsg("merge request %llu: its user no longer owns the profile",
		    id);
	else
		errmsg("merge request %llu: %s", id, store_strerror(rc));
	return EXIT_FAIL;
}

static int
cmd_merges_approve(struct store *s, const struct args *a)
{
	return merge_decided(s, a, 1);
}

static int
cmd_merges_reject(struct store *s, const struct args *a)
{
	return merge_decided(s, a, 0);
}

/* ---- invitations ------------------------------------------------------------- */

static const char *
invite_state_name(int state)
{
	return state == STORE_INVITE_OPEN ? "open" :
	    state == STORE_INVITE_ACCEPTED ? "accepted" :
	    state == STORE_INVITE_DECLINED ? "declined" : "?";
}

/* One line per invitation: what a complaint about one needs (not the contacts). */
static int
invites_one(void *ctx, const struct store_invite *in)
{
	struct list_ctx *l = ctx;
	int blocked, rc;

	if ((rc = store_invite_blocked(l->t, in->researcher_id, in->sender,
	    &blocked)) != 0)
		return rc;
	buf_reset(&l->line);
	buf_putu64(&l->line, in->id);
	buf_putc(&l->line, ' ');
	buf_puts(&l->line, invite_state_name(in->state));
	put_researcher(l, " to=", in->researcher_id);
	buf_puts(&l->line, " from=");
	dump_quote(&l->line, in->sender);
	buf_puts(&l->line, " owner=");
	dump_quote(&l->line, in->owner);
	if (blocked)
		buf_puts(&l->line, " sender_blocked");
	buf_puts(&l->line, " sent=");
	put_time(&l->line, in->sent_at);
	buf_puts(&l->line, " decided=");
	put_time(&l->line, in->decided_at);
	buf_puts(&l->line, " subject=");
	dump_quote(&l->line, in->subject);
	buf_puts(&l->line, " message=");
	dump_quote(&l->line, in->message);
	buf_putc(&l->line, '\n');
	return out(&l->line);
}

static int
invites_txn(struct store_rtxn *t, const struct args *a)
{
	struct list_ctx l = { t, BUF_INIT };
	struct store_researcher r;
	int rc;

	if (a->by_user && !store_user_valid(sv_cstr(a->what))) {
		errmsg("invitations list: not a user name the site signs in "
		    "(1 to %d bytes of UTF-8 text without control characters)",
		    STORE_USER_MAX);
		return EXIT_FAIL;
	}
	if (!a->by_user && researcher_arg(t, "invitations list", a->what,
	    &r) != 0)
		return EXIT_FAIL;
	rc = a->by_user ?
	    store_invites_from(t, sv_cstr(a->what), invites_one, &l) :
	    store_invites_to(t, r.id, invites_one, &l);
	buf_free(&l.line);
	if (rc != 0) {
		errmsg("invitations list: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
cmd_invites_list(struct store *s, const struct args *a)
{
	return in_read(s, a, invites_txn);
}

static int
parse_invites(struct args *a, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '\0')
		return -1;
	if (strcmp(argv[0], "--user") == 0)
		a->by_user = 1;
	else if (strcmp(argv[0], "--researcher") != 0)
		return -1;
	a->what = argv[1];
	return 0;
}

/* ---- sessions ---------------------------------------------------------------- */

/* Unix milliseconds as 2024-05-01T12:00:00.123Z. */
static void
put_time_ms(struct buf *b, uint64_t ms)
{
	char s[40];
	time_t tt = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		buf_puts(b, "?");
		return;
	}
	buf_puts(b, s);
	snprintf(s, sizeof(s), ".%03uZ", (unsigned)(ms % 1000));
	buf_puts(b, s);
}

static int
cmd_sessions_revoke(struct store *s, const struct args *a)
{
	struct buf line = BUF_INIT;
	uint64_t nb;
	int rc = store_sessions_end(s, sv_cstr(a->what), 0, &nb);

	if (rc == STORE_INVALID) {
		errmsg("sessions revoke: not a user name the site signs in "
		    "(1 to %d bytes of UTF-8 text without control characters)",
		    STORE_USER_MAX);
		return EXIT_FAIL;
	}
	if (rc != 0) {
		errmsg("sessions revoke: %s", store_strerror(rc));
		return EXIT_FAIL;
	}
	buf_puts(&line, "sessions of ");
	dump_quote(&line, sv_cstr(a->what));
	buf_puts(&line, " issued up to ");
	put_time_ms(&line, nb);
	buf_puts(&line, " are ended; a new sign-in works\n");
	rc = out(&line);
	buf_free(&line);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- backups, restores, migrations ---------------------------------------------- */

/* A store error on a path, in words, with the path escaped. */
static int
path_failed(const char *what, const char *path, int rc)
{
	struct buf e = BUF_INIT;

	errmsg("%s %s: %s", what, esc(&e, path), rc == EEXIST ?
	    "the directory exists and is not empty (a backup never "
	    "overwrites one)" : store_strerror(rc));
	buf_free(&e);
	return EXIT_FAIL;
}

static void
put_backup(struct buf *b, const struct store_backup_info *i)
{
	buf_puts(b, "schema ");
	buf_putu64(b, i->schema);
	buf_puts(b, ", generation ");
	buf_putu64(b, i->generation);
	buf_puts(b, ", ");
	buf_putu64(b, i->bytes);
	buf_puts(b, " bytes, taken ");
	put_time(b, i->taken);
}

/* Backs the store up into dir; prints one line. */
static int
backup_to(const char *store, const char *dir)
{
	struct store_backup_info i;
	struct buf line = BUF_INIT;
	int rc = store_backup(store, dir, "bzpeer-admin " BZPEER_VERSION, &i);

	if (rc != 0)
		return path_failed("backup into", dir, rc);
	buf_puts(&line, "backup of ");
	dump_escape(&line, sv_cstr(store));
	buf_puts(&line, " in ");
	dump_escape(&line, sv_cstr(dir));
	buf_puts(&line, ": ");
	put_backup(&line, &i);
	buf_putc(&line, '\n');
	rc = out(&line);
	buf_free(&line);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static int
cmd_backup(struct store *s, const struct args *a)
{
	(void)s;
	return backup_to(a->store, a->dir);
}

static int
cmd_restore(struct store *s, const struct args *a)
{
	struct store_backup_info i;
	struct buf moved = BUF_INIT, line = BUF_INIT;
	int rc, pid = 0, status = EXIT_FAIL;

	(void)s;
	if ((rc = store_backup_check(a->dir, &i)) != 0) {
		path_failed("restore: backup", a->dir, rc);
		errmsg("restore: a backup is a directory made by "
		    "`bzpeer-admin backup`: data.mdb and its manifest BACKUP");
		goto free;
	}
	if ((rc = store_restore(a->dir, a->store, &moved, &pid)) != 0) {
		if (rc == STORE_INUSE)
			errmsg("restore: process %d has the store open (the "
			    "service, an import): stop it first, e.g. "
			    "`systemctl stop bzpeer-fcgi.socket "
			    "bzpeer-fcgi.service`; nothing was changed", pid);
		else
			path_failed("restore into", a->store, rc);
		goto free;
	}
	buf_puts(&line, "restored ");
	dump_escape(&line, sv_cstr(a->store));
	buf_puts(&line, " from ");
	dump_escape(&line, sv_cstr(a->dir));
	buf_puts(&line, " (");
	put_backup(&line, &i);
	buf_puts(&line, ")\n");
	if (moved.len > 0) {
		buf_puts(&line, "the store it replaced is kept as ");
		dump_escape(&line, sv_cstr(moved.p));
		buf_putc(&line, '\n');
	}
	if (i.schema < STORE_SCHEMA_VERSION) {
		buf_puts(&line, "its schema is older than this program's: run `"
		    "bzpeer-admin --store ");
		dump_escape(&line, sv_cstr(a->store));
		buf_puts(&line, " migrate` before starting the service\n");
	}
	buf_puts(&line, "next: empty the page cache (systemctl restart "
	    "redis-server@bzpeer), then start the service\n");
	status = out(&line) == 0 ? EXIT_OK : EXIT_FAIL;
free:
	buf_free(&moved);
	buf_free(&line);
	return status;
}

/* Where migrate backs the store up unless told: DIR/../backups/NAME-schemaN-TIME. */
static int
default_backup(const char *store, uint32_t schema, struct buf *out_dir)
{
	const char *slash;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t n = strlen(store);

	while (n > 1 && store[n - 1] == '/')
		n--;
	slash = memrchr(store, '/', n);
	buf_reset(out_dir);
	if (slash == NULL)
		buf_puts(out_dir, ".");
	else
		buf_put(out_dir, store, (size_t)(slash - store));
	buf_puts(out_dir, "/backups");
	buf_reserve(out_dir, 1);
	out_dir->p[out_dir->len] = '\0';
	if (mkdir(out_dir->p, 0700) != 0 && errno != EEXIST)
		return errno;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return EINVAL;
	buf_putc(out_dir, '/');
	buf_put(out_dir, slash ? slash + 1 : store,
	    (size_t)(store + n - (slash ? slash + 1 : store)));
	buf_puts(out_dir, "-schema");
	buf_putu64(out_dir, schema);
	buf_putc(out_dir, '-');
	buf_puts(out_dir, when);
	buf_reserve(out_dir, 1);
	out_dir->p[out_dir->len] = '\0';
	return 0;
}

static int
cmd_migrate(struct store *s, const struct args *a)
{
	struct store_migrate_opts o = { "bzpeer-admin " BZPEER_VERSION, stdout };
	struct buf dir = BUF_INIT;
	uint32_t v, from, to;
	int rc, status = EXIT_FAIL;

	(void)s;
	if ((rc = store_schema_of(a->store, &v)) != 0) {
		path_failed("migrate", a->store, rc);
		goto free;
	}
	if (v == STORE_SCHEMA_VERSION) {
		printf("schema %u: the store is current, nothing to do\n", v);
		status = EXIT_OK;
		goto free;
	}
	/* Older: a backup first (a newer one is refused by the migration). */
	if (v < STORE_SCHEMA_VERSION && !a->no_backup) {
		if (a->dir == NULL && (rc = default_backup(a->store, v, &dir)) != 0) {
			path_failed("migrate: backup directory for", a->store, rc);
			goto free;
		}
		if (backup_to(a->store, a->dir ? a->dir : dir.p) != EXIT_OK) {
			errmsg("migrate: no backup, so nothing migrated "
			    "(--no-backup to migrate without one)");
			goto free;
		}
	}
	rc = store_migrate(a->store, &o, &from, &to);
	if (rc != 0) {
		path_failed("migrate", a->store, rc);
		if (to != from)
			errmsg("migrate: the store is at schema %u now", to);
		goto free;
	}
	printf("schema %u -> %u: done\n", from, to);
	status = EXIT_OK;
free:
	buf_free(&dir);
	return status;
}

static const struct command commands[] = {
	{ "stats", NULL, "stats",
	  "counts, catalog generation, schema, map size and use",
	  OPEN_READ, parse_none, cmd_stats },
	{ "dump", NULL, "dump",
	  "every database as text, one line per record (user data too)",
	  OPEN_READ, parse_none, cmd_dump },
	{ "claims", "list", "claims list [--state pending|approved|rejected]",
	  "one line per claim, in filing order: id, state, researcher id and\n"
	  "      slug, user, orcid, email, evidence url, filed and decided\n"
	  "      times (UTC), what the checks found (orcid_check, email_check:\n"
	  "      match, mismatch or none; owner_of: a profile the claimant\n"
	  "      already owns; disputed_with: the claim disputed with this\n"
	  "      one, by another user, decided with it), the claimant's and\n"
	  "      the reviewer's notes",
	  OPEN_READ, parse_list, cmd_claims_list },
	{ "claims", "verify", "claims verify",
	  "check each user's index of claims against the claims; exit 1 if\n"
	  "      they disagree",
	  OPEN_READ, parse_none, cmd_claims_verify },
	{ "claims", "approve",
	  "claims approve ID [--identity-verified] [--override --note TEXT]",
	  "approve a pending claim: the researcher becomes claimed, level L2;\n"
	  "      L3 when the claim's ORCID iD matches the record's, or with\n"
	  "      --identity-verified (you reviewed an institutional email whose\n"
	  "      domain names the record's affiliation). Refused when the ORCID\n"
	  "      iDs differ, or with --identity-verified when the domain does not\n"
	  "      name the affiliation or nothing can be compared, unless\n"
	  "      --override --note TEXT (kept as the reviewer's note) says why",
	  OPEN_WRITE, parse_approve, cmd_claims_approve },
	{ "claims", "reject", "claims reject ID --note TEXT",
	  "reject a pending claim; the note (required, at most 1000 characters)\n"
	  "      is kept on the claim; the researcher is unclaimed again",
	  OPEN_WRITE, parse_reject, cmd_claims_reject },
	{ "curation", "list", "curation list [--researcher ID]",
	  "one line per work an owner removed from their claimed profile (\"not\n"
	  "      my paper\"): researcher id and slug, work, owner, when, title;\n"
	  "      the owner can undo it, every import keeps it",
	  OPEN_READ, parse_curation, cmd_curation_list },
	{ "merges", "list", "merges list [--state pending|approved|rejected]",
	  "one line per request of an owner to merge a duplicate profile into\n"
	  "      theirs: id, state, from= and into= (id/slug), user, what an\n"
	  "      approval would meet (from_claim=, not_owner_now), times, notes",
	  OPEN_READ, parse_list, cmd_merges_list },
	{ "merges", "approve", "merges approve ID [--note TEXT]",
	  "merge the duplicate into the owner's profile: its works and\n"
	  "      followers join (counted once), its id and slug answer 301, its\n"
	  "      claim is closed with a note; refused when the duplicate was\n"
	  "      merged or claimed by someone else since, or for a loop",
	  OPEN_WRITE, parse_merge_approve, cmd_merges_approve },
	{ "merges", "reject", "merges reject ID --note TEXT",
	  "reject a pending merge request; the note is kept on it",
	  OPEN_WRITE, parse_reject, cmd_merges_reject },
	{ "invitations", "list",
	  "invitations list (--researcher RESEARCHER | --user USER)",
	  "one line per invitation sent to the researcher's owners, or by the\n"
	  "      user, newest first: id, state (open, accepted, declined), to=\n"
	  "      (id/slug), from= (the sender), owner=, sender_blocked when the\n"
	  "      owner blocked the sender, sent and decided times, subject= and\n"
	  "      message= (the contacts are not shown)",
	  OPEN_READ, parse_invites, cmd_invites_list },
	{ "follows", NULL, "follows RESEARCHER",
	  "the researcher (id:, slug:), the users following (follower:, one\n"
	  "      a line) and the stored count (count:); exit 1 if the count\n"
	  "      and the follow edges disagree",
	  OPEN_READ, parse_follows, cmd_follows },
	{ "sessions", "revoke", "sessions revoke USER",
	  "end every session of USER issued until now, on every server using\n"
	  "      this store (copied cookies too); USER's next sign-in works",
	  OPEN_WRITE, parse_user, cmd_sessions_revoke },
	{ "backup", NULL, "backup DIR",
	  "copy the store, as one consistent snapshot, compacted, into DIR\n"
	  "      (made if missing; a non-empty DIR is refused): data.mdb and the\n"
	  "      manifest BACKUP, mode 0600; the service may run and write meanwhile",
	  OPEN_NONE, parse_dir, cmd_backup },
	{ "restore", NULL, "restore DIR",
	  "replace the store with the backup in DIR; refused while any process\n"
	  "      has the store open (stop the service first); the replaced store\n"
	  "      is kept beside it as STORE.before-restore-TIME",
	  OPEN_NONE, parse_dir, cmd_restore },
	{ "migrate", NULL, "migrate [--backup DIR | --no-backup]",
	  "raise the store's schema to this program's, one step (one\n"
	  "      transaction) at a time, after a backup (default: beside the\n"
	  "      store, in backups/NAME-schemaN-TIME); nothing to do is success",
	  OPEN_NONE, parse_migrate, cmd_migrate },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: bzpeer-admin --store DIR COMMAND [ARGS]\n"
	    "       bzpeer-admin --version\n", f);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n      %s\n", commands[i].synopsis,
		    commands[i].help);
	fputs("A claim decision bumps the researcher's record version. The web\n"
	    "layer keys cached pages by (catalog generation, record version),\n"
	    "so pages cached before the decision are never served again: no\n"
	    "cache purge is needed. Running servers see the decision at once.\n"
	    "Run as root, bzpeer-admin acts as the owner of DIR (or of its\n"
	    "nearest existing parent): the files it makes belong to the service.\n"
	    "exit: 0 done, 1 error (e.g. \"claim 7 is not pending\"), 2 usage\n",
	    f);
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct args a;
	struct store *s;
	size_t i;
	int rc, status, nargs;

	log_setup("bzpeer-admin", LOGL_INFO);
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		puts("bzpeer-admin " BZPEER_VERSION);
		return EXIT_OK;
	}
	if (argc < 4 || strcmp(argv[1], "--store") != 0 || argv[2][0] == '\0') {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < N_COMMANDS && cmd == NULL; i++) {
		if (strcmp(argv[3], commands[i].name) != 0)
			continue;
		if (commands[i].sub == NULL ||
		    (argc > 4 && strcmp(argv[4], commands[i].sub) == 0))
			cmd = &commands[i];
	}
	if (cmd == NULL) {
		if (strcmp(argv[3], "claims") == 0)
			errmsg("claims: list, approve or reject?");
		else if (strcmp(argv[3], "sessions") == 0)
			errmsg("sessions: revoke?");
		else if (strcmp(argv[3], "merges") == 0)
			errmsg("merges: list, approve or reject?");
		else if (strcmp(argv[3], "curation") == 0)
			errmsg("curation: list?");
		else {
			struct buf e = BUF_INIT;

			errmsg("unknown command: %s", esc(&e, argv[3]));
			buf_free(&e);
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&a, 0, sizeof(a));
	a.store = argv[2];
	nargs = argc - (cmd->sub ? 5 : 4);
	if (cmd->parse(&a, nargs, argv + argc - nargs) != 0) {
		errmsg("usage: bzpeer-admin --store DIR %s", cmd->synopsis);
		return EXIT_USAGE;
	}
	/*
	 * Run as root: as the store's owner from here on. LMDB makes its lock
	 * file at the first open, a backup its files, a restore a directory:
	 * made by root, they would keep the service (its own user) out.
	 */
	if ((rc = store_as_owner(a.store, NULL)) != 0) {
		struct buf e = BUF_INIT;

		errmsg("cannot act as the owner of %s (%s); run it as that user "
		    "(sudo -u bzpeer)", esc(&e, a.store), strerror(rc));
		buf_free(&e);
		return EXIT_FAIL;
	}
	if (cmd->open == OPEN_NONE) {
		status = cmd->run(NULL, &a);
		goto flush;
	}
	/* Writers open the store writable (and never create it). */
	rc = store_open(a.store, cmd->open == OPEN_WRITE ? 0 :
	    STORE_RDONLY | STORE_EMPTY_OK, &s);
	if (rc != 0) {
		struct buf e = BUF_INIT;

		errmsg("%s: %s", esc(&e, a.store), store_strerror(rc));
		buf_free(&e);
		return EXIT_FAIL;
	}
	status = cmd->run(s, &a);
	store_close(s);
flush:
	if (fflush(stdout) != 0 && status == EXIT_OK) {
		errmsg("stdout: %s", strerror(errno));
		status = EXIT_FAIL;
	}
	return status;
}
