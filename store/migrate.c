/* migrate.c: raising a store's schema version step by step, each step one write transaction. */
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "log.h"
#include "store_int.h"
#include "utf8.h"

/*
 * The steps, one per version. To change the schema: raise
 * STORE_SCHEMA_VERSION (store.h, with a line saying what the version
 * adds), add its step here, and add a fixture of the version before
 * (tests/fixtures/store-vN) that tests/e2e/80-upgrade.sh migrates.
 */
static int step_names(MDB_txn *txn, const char *program);
static int step_claims(MDB_txn *txn, const char *program);

static const struct migrate_step steps[] = {
	/* Version 2's whole change is meta "program", which the runner
	 * writes for every step from version 2 on. */
	{ 1, "meta \"program\": the program that made or upgraded the store",
	  0, NULL },
	{ 2, "names folded in every script (libutf8proc), the search index "
	  "of name words, slugs of names the old folding cut up",
	  0, step_names },
	/* Version 4 adds fields at the end of works and researchers; the
	 * records of before read as having none, so nothing is rewritten. */
	{ 3, "citations, dates, open-access links, institutions with years: "
	  "shown once the catalog is imported again", 0, NULL },
	/* Not exclusive: it only adds, and a claim a program of schema 4
	 * files afterwards is read from the claims until the next one
	 * filed indexes it. */
	{ 4, "each user's claims indexed (userclaims); disputes of claims",
	  0, step_claims },
	/* Version 6 adds fields at the end of researchers, as 4 did. */
	{ 5, "researchers' change time and alternative names: shown once the "
	  "catalog is imported again", 0, NULL },
};

/* The last schema of one environment in the store's directory itself. */
#define SCHEMA_ONE_ENV 6

static int split_layout(const char *dir, const struct store_migrate_opts *o);

/* Whether dir holds the layout before schema 7 (dir/data.mdb). */
static int
legacy_layout(const char *dir)
{
	char path[4096];
	struct stat st;

	return path_join(path, sizeof(path), dir, "data.mdb") == 0 &&
	    stat(path, &st) == 0;
}

int
store_migrate(const char *dir, const struct store_migrate_opts *o,
    uint32_t *from, uint32_t *to)
{
	char cat[4096];
	uint32_t v;
	int rc;

	/* 1..6 step by step in the one environment, then the split (7). */
	_Static_assert(sizeof(steps) / sizeof(steps[0]) ==
	    SCHEMA_ONE_ENV - 1, "one migration step per schema version");
	_Static_assert(STORE_SCHEMA_VERSION == SCHEMA_ONE_ENV + 1,
	    "schema 7 is the split into two environments");
	*from = *to = 0;
	if (!legacy_layout(dir)) {
		if ((rc = path_join(cat, sizeof(cat), dir, STORE_CATALOG_DIR)) != 0)
			return rc;
		return migrate_run(cat, steps, 0, STORE_SCHEMA_VERSION, o,
		    from, to);
	}
	if ((rc = store_schema_of(dir, &v)) != 0)
		return rc;
	if (v <= SCHEMA_ONE_ENV) {
		rc = migrate_run(dir, steps, sizeof(steps) / sizeof(steps[0]),
		    SCHEMA_ONE_ENV, o, from, to);
		if (rc != 0)
			return rc;
	} else
		*from = *to = v;     /* a split that stopped half way */
	if ((rc = split_layout(dir, o)) != 0)
		return rc;
	if ((rc = store_schema_of(dir, &v)) != 0)
		return rc;
	*to = v;
	return 0;
}

struct note_ctx {
	const char *program;
	MDB_dbi meta;
};

static int
note_txn(MDB_txn *txn, void *ctx)
{
	struct note_ctx *c = ctx;
	MDB_val k = { 7, (void *)"program" }, v;
	int rc = mdb_get(txn, c->meta, &k, &v);

	if (rc == 0)
		return UNCHANGED;
	if (rc != MDB_NOTFOUND)
		return rc;
	return meta_put_str(txn, c->meta, "program", c->program);
}

int
store_program_note(struct store *s, const char *program)
{
	struct note_ctx c = { program, s->dbi[DB_META] };
	int rc = store_write(s, note_txn, &c);

	return rc == UNCHANGED ? 0 : rc;
}

/* ---- LMDB's lock on lock.mdb ---------------------------------------------- */

int
lock_open(const char *dir, int *fd)
{
	char path[4096];
	int rc;

	*fd = -1;
	if ((rc = path_join(path, sizeof(path), dir, "lock.mdb")) != 0)
		return rc;
	if ((*fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return errno;
	return 0;
}

int
lock_exclusive(int fd, int *pid)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1 };

	if (fcntl(fd, F_SETLK, &l) == 0)
		return 0;
	if (errno != EACCES && errno != EAGAIN)
		return errno;
	l.l_type = F_WRLCK;
	if (pid != NULL)
		*pid = fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ?
		    (int)l.l_pid : 0;
	return STORE_INUSE;
}

int
lock_shared(int fd)
{
	struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1 };

	return fcntl(fd, F_SETLK, &l) == 0 ? 0 : errno;
}

/* ---- the runner ------------------------------------------------------------- */

/* A step's write transaction: store_write() runs it, again after growing. */
struct step_ctx {
	const struct migrate_step *step;
	const char *program;
};

/* Another migration got there first: this step is not to be run. */
#define STEP_RACED (-30952)

static int
step_txn(MDB_txn *txn, void *ctx)
{
	const struct step_ctx *c = ctx;
	MDB_dbi meta;
	uint64_t v;
	int rc;

	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 ||
	    (rc = meta_get(txn, meta, "schema", 4, &v)) != 0)
		return rc;
	/* Read under the writer lock: the version this step starts from. */
	if (v != c->step->from)
		return STEP_RACED;
	if (c->step->apply != NULL && (rc = c->step->apply(txn, c->program)) != 0)
		return rc;
	if ((rc = meta_put(txn, meta, "schema", 4, c->step->from + 1)) != 0)
		return rc;
	if (c->step->from + 1 >= 2)
		rc = meta_put_str(txn, meta, "program", c->program);
	return rc;
}

int
store_schema_of(const char *dir, uint32_t *version)
{
	struct store *s;
	MDB_txn *txn;
	MDB_dbi meta;
	uint64_t v = 0;
	int rc;

	*version = 0;
	if (!legacy_layout(dir)) {
		char cat[4096];

		/* Schema 7 on: the catalog's says (user data's is the same). */
		if ((rc = path_join(cat, sizeof(cat), dir, STORE_CATALOG_DIR)) != 0)
			return rc;
		if ((rc = store_open(cat, STORE_RDONLY | STORE__RAW, &s)) != 0)
			return rc;
	} else if ((rc = store_open(dir, STORE_RDONLY | STORE__RAW, &s)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		goto close;
	rc = mdb_dbi_open(txn, "meta", 0, &meta);
	if (rc == 0)
		rc = meta_get(txn, meta, "schema", 4, &v);
	else if (rc == MDB_NOTFOUND)
		rc = 0;
	mdb_txn_abort(txn);
	*version = (uint32_t)v;
close:
	store_close(s);
	return rc;
}

int
migrate_run(const char *dir, const struct migrate_step *tab, size_t n,
    uint32_t target, const struct store_migrate_opts *o, uint32_t *from,
    uint32_t *to)
{
	struct store *s = NULL;
	struct step_ctx c;
	uint32_t v;
	size_t i;
	int rc, lfd = -1, pid = 0;

	*from = *to = 0;
	if ((rc = store_schema_of(dir, &v)) != 0)
		return rc;
	*from = *to = v;
	if (v == 0)
		return STORE_EMPTY;
	if (v > target) {
		log_err("%s: schema version %u is newer "
		    "than this program's %u: it cannot be migrated back; run "
		    "bzpeer of that version or later, or restore a backup made "
		    "before the upgrade", dir, v, target);
		return STORE_BADSCHEMA;
	}
	if (v == target)
		return 0;
	if ((rc = store_open(dir, STORE__RAW, &s)) != 0)
		return rc;
	/* Our own descriptor of the lock file, closed after the environment. */
	if ((rc = lock_open(dir, &lfd)) != 0)
		goto close;
	for (; v < target; v++) {
		for (i = 0; i < n && tab[i].from != v; i++)
			;
		if (i == n) {
			log_err("%s: no step from "
			    "schema version %u", dir, v);
			rc = STORE_BADSCHEMA;
			break;
		}
		if (tab[i].exclusive && (rc = lock_exclusive(lfd, &pid)) != 0) {
			if (rc == STORE_INUSE)
				log_err("%s: the step to "
				    "version %u needs the store to itself, and "
				    "process %d has it open: stop the service "
				    "(and any import) first", dir, v + 1, pid);
			break;
		}
		c.step = &tab[i];
		c.program = o->program;
		rc = store_write(s, step_txn, &c);
		if (tab[i].exclusive) {
			int rc2 = lock_shared(lfd);

			if (rc == 0)
				rc = rc2;
		}
		if (rc == STEP_RACED) {
			/* Another migration ran this step meanwhile. */
			rc = 0;
		} else if (rc != 0) {
			log_err("%s: step %u to %u "
			    "(%s): %s; the store stays at version %u", dir,
			    v, v + 1, tab[i].what, store_strerror(rc), v);
			break;
		} else if (o->log != NULL) {
			fprintf(o->log, "schema %u -> %u: %s\n", v, v + 1,
			    tab[i].what);
		}
		*to = v + 1;
	}
close:
	store_close(s);
	if (lfd >= 0)
		close(lfd);
	return rc;
}

/* ---- 2 -> 3: names ------------------------------------------------------------ */

/*
 * The slugs the schema-2 code made (its fold.c): Latin-1 and Latin
 * Extended-A letters to ASCII, every other non-ASCII code point a
 * separator. Only to tell which slugs that rule made: those whose name
 * now slugs otherwise get the new slug; the rest (slugs of researchers
 * renamed since, say) stay as they are.
 */
static const char legacy_latin[] =
	/* 00C0 */ "aaaaaaAceeeeiiii"
	/* 00D0 */ "dnooooo.ouuuuyTS"
	/* 00E0 */ "aaaaaaAceeeeiiii"
	/* 00F0 */ "dnooooo.ouuuuyTy"
	/* 0100 */ "aaaaaaccccccccdd"
	/* 0110 */ "ddeeeeeeeeeegggg"
	/* 0120 */ "gggghhhhiiiiiiii"
	/* 0130 */ "iiJJjjkkklllllll"
	/* 0140 */ "lllnnnnnnnnnoooo"
	/* 0150 */ "ooOOrrrrrrssssss"
	/* 0160 */ "ssttttttuuuuuuuu"
	/* 0170 */ "uuuuwwyyyzzzzzzs";
_Static_assert(sizeof(legacy_latin) - 1 == 0x180 - 0xC0, "legacy table size");

static void
legacy_slugify(struct buf *out, struct sv name)
{
	struct buf f = BUF_INIT;
	const unsigned char *p = (const unsigned char *)name.p;
	size_t i = 0, start = out->len, last_cut = 0;
	int sep = 0;

	/* The schema-2 folding, reduced to what a slug keeps. */
	while (i < name.n) {
		long cp = utf8_next(p, name.n, &i);
		const char *two = NULL;
		char c;

		if (cp <= 0 || (cp >= 0x300 && cp <= 0x36F))
			continue;
		if (cp >= 'A' && cp <= 'Z')
			c = (char)(cp - 'A' + 'a');
		else if (cp < 0x80)
			c = (char)cp;
		else if (cp == 0x218 || cp == 0x219)
			c = 's';
		else if (cp == 0x21A || cp == 0x21B)
			c = 't';
		else if (cp < 0xC0 || cp >= 0x180 || legacy_latin[cp - 0xC0] == '.')
			c = ' ';
		else
			c = legacy_latin[cp - 0xC0];
		switch (c) {
		case 'A': two = "ae"; break;
		case 'T': two = "th"; break;
		case 'S': two = "ss"; break;
		case 'J': two = "ij"; break;
		case 'O': two = "oe"; break;
		}
		if (two)
			buf_put(&f, two, 2);
		else
			buf_putc(&f, c);
	}
	for (i = 0; i < f.len; i++) {
		char c = f.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			sep = 1;
			continue;
		}
		if (sep && out->len > start) {
			if (out->len - start + 2 > STORE_SLUG_MAX)
				break;
			last_cut = out->len;
			buf_putc(out, '-');
		}
		sep = 0;
		if (out->len - start + 1 > STORE_SLUG_MAX) {
			if (last_cut > start) {
				out->len = last_cut;
				out->p[out->len] = '\0';
			}
			break;
		}
		buf_putc(out, c);
	}
	if (out->len == start)
		buf_puts(out, "researcher");
	buf_free(&f);
}

/* Whether slug is base or base-N (N >= 2, no leading zero). */
static int
slug_of_base(struct sv slug, const char *base, size_t n)
{
	size_t i;

	if (slug.n < n || memcmp(slug.p, base, n) != 0)
		return 0;
	if (slug.n == n)
		return 1;
	if (slug.n < n + 2 || slug.p[n] != '-' || slug.p[n + 1] == '0')
		return 0;
	for (i = n + 1; i < slug.n; i++)
		if (slug.p[i] < '0' || slug.p[i] > '9')
			return 0;
	return !(slug.n == n + 2 && slug.p[n + 1] == '1');
}

struct reslug {
	uint64_t num;
	uint32_t works;
	size_t   base, base_len;     /* in the bases buffer */
};

static const char *reslug_bases;

static int
cmp_reslug(const void *a, const void *b)
{
	const struct reslug *x = a, *y = b;
	size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;
	int c = memcmp(reslug_bases + x->base, reslug_bases + y->base, n);

	if (c != 0)
		return c;
	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	if (x->works != y->works)
		return x->works > y->works ? -1 : 1;
	return (x->num > y->num) - (x->num < y->num);
}

/*
 * Researchers the schema-2 rule gave a slug that the new one makes
 * otherwise get the new slug (base, base-2, ... the first free one, most
 * works first, as the importer gives them), their record version bumped
 * (cached pages link the old one); the old slug stays in `slugs`, pointing
 * at them, so that its URLs answer 301 to the new one.
 */
static int
reslug(MDB_txn *txn, const MDB_dbi *dbi, struct reslug *rs, size_t n,
    const struct buf *bases)
{
	struct buf slug = BUF_INIT, rec = BUF_INIT;
	struct store_researcher r;
	char id[ID_BUF];
	MDB_val k, v;
	size_t i, kk = 1;
	int rc = 0;

	reslug_bases = bases->p;
	if (n > 1)
		qsort(rs, n, sizeof(*rs), cmp_reslug);
	for (i = 0; i < n; i++) {
		const char *base = bases->p + rs[i].base;

		if (i == 0 || rs[i - 1].base_len != rs[i].base_len ||
		    memcmp(bases->p + rs[i - 1].base, base, rs[i].base_len) != 0)
			kk = 1;
		for (;; kk++) {
			buf_reset(&slug);
			buf_put(&slug, base, rs[i].base_len);
			if (kk > 1) {
				buf_putc(&slug, '-');
				buf_putu64(&slug, kk);
			}
			k = sv_val(buf_sv(&slug));
			if ((rc = mdb_get(txn, dbi[DB_SLUGS], &k, &v)) ==
			    MDB_NOTFOUND)
				break;
			if (rc != 0)
				goto out;
		}
		kk++;
		k = (MDB_val){ id_format(id, 'A', rs[i].num), id };
		if ((rc = mdb_get(txn, dbi[DB_RESEARCHERS], &k, &v)) != 0 ||
		    (rc = rec_researcher_decode(v.mv_data, v.mv_size, &r)) != 0)
			goto out;
		r.slug = buf_sv(&slug);
		r.version++;
		buf_reset(&rec);
		rec_researcher_encode(&rec, &r);
		v = sv_val(buf_sv(&rec));
		if ((rc = mdb_put(txn, dbi[DB_RESEARCHERS], &k, &v, 0)) != 0)
			goto out;
		k = sv_val(buf_sv(&slug));
		v = (MDB_val){ id_format(id, 'A', rs[i].num), id };
		if ((rc = mdb_put(txn, dbi[DB_SLUGS], &k, &v, 0)) != 0)
			goto out;
	}
out:
	buf_free(&slug);
	buf_free(&rec);
	return rc;
}

/*
 * Version 3: the names index folded the new way, the search index
 * (nameparts, rnames) made from every display name, and new slugs where
 * the old folding cut a name up (reslug()).
 */
static int
step_names(MDB_txn *txn, const char *program)
{
	static const enum store_db need[] = { DB_RESEARCHERS, DB_SLUGS,
	    DB_NAMES, DB_NAMEPARTS, DB_RNAMES };
	MDB_dbi dbi[DB__COUNT];
	struct buf key = BUF_INIT, bases = BUF_INIT, legacy = BUF_INIT;
	struct reslug *rs = NULL;
	size_t n = 0, cap = 0, i;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc;

	(void)program;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((rc = mdb_dbi_open(txn, store_db_name(need[i]),
		    store_db_flags(need[i]) | MDB_CREATE, &dbi[need[i]])) != 0)
			return rc;
	if ((rc = mdb_drop(txn, dbi[DB_NAMES], 0)) != 0 ||
	    (rc = mdb_drop(txn, dbi[DB_NAMEPARTS], 0)) != 0 ||
	    (rc = mdb_drop(txn, dbi[DB_RNAMES], 0)) != 0 ||
	    (rc = mdb_cursor_open(txn, dbi[DB_RESEARCHERS], &c)) != 0)
		goto out;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct store_researcher r;
		uint64_t num;
		size_t at;

		if (id_parse(val_sv(k), 'A', &num) != 0 ||
		    rec_researcher_decode(v.mv_data, v.mv_size, &r) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		/* Only other databases are written in this loop, so r's
		 * views into the map stay valid. */
		buf_reset(&key);
		name_key(&key, r.name, num);
		k = sv_val(buf_sv(&key));
		v = (MDB_val){ 0, "" };
		if ((rc = mdb_put(txn, dbi[DB_NAMES], &k, &v, 0)) != 0 ||
		    (rc = names_reindex(txn, dbi, num, r.name, NULL, 0, 0)) != 0)
			break;
		buf_reset(&legacy);
		legacy_slugify(&legacy, r.name);
		at = bases.len;
		store_slugify(&bases, r.name);
		if (!slug_of_base(r.slug, legacy.p, legacy.len) ||
		    slug_of_base(r.slug, bases.p + at, bases.len - at)) {
			bases.len = at;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rs = xrealloc(rs, cap * sizeof(*rs));
		}
		rs[n++] = (struct reslug){ num, r.works, at, bases.len - at };
	}
	mdb_cursor_close(c);
	c = NULL;
	if (rc == MDB_NOTFOUND)
		rc = reslug(txn, dbi, rs, n, &bases);
out:
	if (c)
		mdb_cursor_close(c);
	free(rs);
	buf_free(&key);
	buf_free(&bases);
	buf_free(&legacy);
	return rc;
}

/* ---- 4 -> 5: the users' claims -------------------------------------------- */

/*
 * Version 5: userclaims made from every claim there is (made again from
 * nothing, should a step before have left any), up to the last id given
 * out; disputes, empty (no claim was disputed before it).
 */
static int
step_claims(MDB_txn *txn, const char *program)
{
	static const enum store_db need[] = { DB_META, DB_CLAIMS,
	    DB_USERCLAIMS, DB_DISPUTES };
	MDB_dbi dbi[DB__COUNT];
	uint64_t last;
	size_t i;
	int rc;

	(void)program;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((rc = mdb_dbi_open(txn, store_db_name(need[i]),
		    store_db_flags(need[i]) | MDB_CREATE, &dbi[need[i]])) != 0)
			return rc;
	if ((rc = mdb_drop(txn, dbi[DB_USERCLAIMS], 0)) != 0 ||
	    (rc = meta_put(txn, dbi[DB_META], "claims_indexed", 8, 0)) != 0 ||
	    (rc = meta_get(txn, dbi[DB_META], "claim_last", 8, &last)) != 0)
		return rc;
	return store_claims_index_upto(txn, dbi, last);
}

/* ---- 6 -> 7: catalog and user data in two environments ------------------------ */

/* The user data of a schema-6 store, and the meta keys that are user data. */
static const enum store_db user_dbs[] = { DB_FOLLOWERS, DB_FOLLOWS,
    DB_FOLLOWING, DB_CLAIMS, DB_RCLAIM, DB_UCLAIM, DB_REVOKED, DB_NOTBEFORE,
    DB_USERCLAIMS, DB_DISPUTES, DB_INVITES, DB_INVITEKEYS, DB_FEEDS,
    DB_USERFEEDS };
static const char *const user_meta[] = { "claim_last", "claims_indexed",
    "follow_batch", "follows_moved", "invite_last" };

struct split_ctx {
	MDB_txn *from;            /* the schema-6 environment, read */
	MDB_dbi  fdbi[DB__COUNT];
	uint64_t fabsent;         /* bit db: not in it */
	uint64_t catalog_id, generation;
	const char *program;
};

/* Copies every record of database db from c->from into txn. */
static int
copy_db(struct split_ctx *c, MDB_txn *txn, enum store_db db, MDB_dbi to)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((c->fabsent >> db) & 1u)
		return 0;
	if ((rc = mdb_cursor_open(c->from, c->fdbi[db], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if ((rc = mdb_put(txn, to, &k, &v, 0)) != 0)
			break;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * The new user-data environment's one transaction: its databases, every
 * record of user data, the claim state of every claimed or verified
 * researcher (rstate: the catalog record's own fields stop counting once
 * a catalog is imported anew), where its merges stand, schema 7.
 */
static int
split_user_txn(MDB_txn *txn, void *ctx)
{
	struct split_ctx *c = ctx;
	MDB_dbi dbi[DB__COUNT];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t i;
	int rc;

	for (i = 0; i < DB__COUNT; i++)
		if ((i == DB_META || db_user((enum store_db)i)) &&
		    (rc = mdb_dbi_open(txn, store_db_name((enum store_db)i),
		    store_db_flags((enum store_db)i) | MDB_CREATE, &dbi[i])) != 0)
			return rc;
	for (i = 0; i < sizeof(user_dbs) / sizeof(user_dbs[0]); i++)
		if ((rc = copy_db(c, txn, user_dbs[i], dbi[user_dbs[i]])) != 0)
			return rc;
	for (i = 0; i < sizeof(user_meta) / sizeof(user_meta[0]); i++) {
		k = (MDB_val){ strlen(user_meta[i]), (void *)user_meta[i] };
		if ((rc = mdb_get(c->from, c->fdbi[DB_META], &k, &v)) ==
		    MDB_NOTFOUND)
			continue;
		if (rc != 0 || (rc = mdb_put(txn, dbi[DB_META], &k, &v, 0)))
			return rc;
	}
	if ((rc = mdb_cursor_open(c->from, c->fdbi[DB_RESEARCHERS], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct store_researcher r;
		struct rstate st = { 1, 0, 0, 0 };

		if (rec_researcher_decode(v.mv_data, v.mv_size, &r) != 0) {
			rc = STORE_CORRUPT;
			break;
		}
		if (r.claim == STORE_CLAIM_NONE && !r.orcid_verified)
			continue;
		st.claim = r.claim;
		st.verified = r.orcid_verified;
		if ((rc = rstate_put(txn, dbi[DB_RSTATE], val_sv(k), &st)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = meta_put(txn, dbi[DB_META], "merge_catalog", 8,
	    c->catalog_id)) != 0 ||
	    (rc = meta_put(txn, dbi[DB_META], "merge_generation", 8,
	    c->generation)) != 0 ||
	    (rc = meta_put(txn, dbi[DB_META], "merge_applied", 8, 0)) != 0 ||
	    (rc = meta_put_str(txn, dbi[DB_META], "program", c->program)) != 0)
		return rc;
	return meta_put(txn, dbi[DB_META], "schema", 4, STORE_SCHEMA_VERSION);
}

/*
 * The schema-6 environment's own step: user data dropped (it is in the
 * user-data environment, committed before), the catalog's id and its
 * journal of merges begun, schema 7.
 */
static int
split_catalog_txn(MDB_txn *txn, void *ctx)
{
	struct split_ctx *c = ctx;
	MDB_dbi meta, d;
	MDB_val k;
	size_t i;
	uint64_t v;
	int rc;

	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 ||
	    (rc = meta_get(txn, meta, "schema", 4, &v)) != 0)
		return rc;
	if (v != SCHEMA_ONE_ENV)
		return v == STORE_SCHEMA_VERSION ? UNCHANGED : STORE_BADSCHEMA;
	for (i = 0; i < sizeof(user_dbs) / sizeof(user_dbs[0]); i++) {
		rc = mdb_dbi_open(txn, store_db_name(user_dbs[i]), 0, &d);
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc != 0 || (rc = mdb_drop(txn, d, 1)) != 0)
			return rc;
	}
	for (i = 0; i < sizeof(user_meta) / sizeof(user_meta[0]); i++) {
		k = (MDB_val){ strlen(user_meta[i]), (void *)user_meta[i] };
		if ((rc = mdb_del(txn, meta, &k, NULL)) != 0 &&
		    rc != MDB_NOTFOUND)
			return rc;
	}
	if ((rc = mdb_dbi_open(txn, store_db_name(DB_MERGELOG), MDB_CREATE,
	    &d)) != 0 ||
	    (rc = meta_put(txn, meta, "catalog_id", 8, c->catalog_id)) != 0 ||
	    (rc = meta_put(txn, meta, "merge_seq", 8, 0)) != 0 ||
	    (rc = meta_put_str(txn, meta, "program", c->program)) != 0)
		return rc;
	return meta_put(txn, meta, "schema", 4, STORE_SCHEMA_VERSION);
}

/*
 * The split, with the store to itself (every process changing it would
 * lose what it writes to the old environment). Made to be run again after
 * a crash at any point: while the old environment is at schema 6 it is
 * the store, and the user-data environment is made anew from it; once it
 * is at 7 (user data committed beside it first), only the moves of its
 * files into DIR/catalog are left.
 */
static int
split_layout(const char *dir, const struct store_migrate_opts *o)
{
	char unew[4096], user[4096], cat[4096], from[4096], to[4096];
	struct split_ctx c;
	struct store *s = NULL, *u = NULL;
	MDB_txn *rt = NULL;
	uint64_t v;
	size_t i;
	int rc, lfd = -1, pid = 0;

	memset(&c, 0, sizeof(c));
	c.program = o->program;
	if (snprintf(unew, sizeof(unew), "%s/%s.new", dir, STORE_USER_DIR) >=
	    (int)sizeof(unew) ||
	    path_join(user, sizeof(user), dir, STORE_USER_DIR) != 0 ||
	    path_join(cat, sizeof(cat), dir, STORE_CATALOG_DIR) != 0)
		return ENAMETOOLONG;
	if ((rc = store_open(dir, STORE__RAW, &s)) != 0)
		return rc;
	if ((rc = lock_open(dir, &lfd)) != 0)
		goto out;
	if ((rc = lock_exclusive(lfd, &pid)) != 0) {
		if (rc == STORE_INUSE)
			log_err("%s: the step to version %d moves user data into "
			    "an environment of its own and needs the store to "
			    "itself, and process %d has it open: stop the "
			    "service (and any import) first", dir,
			    STORE_SCHEMA_VERSION, pid);
		goto out;
	}
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &rt)) != 0 ||
	    (rc = mdb_dbi_open(rt, "meta", 0, &c.fdbi[DB_META])) != 0 ||
	    (rc = meta_get(rt, c.fdbi[DB_META], "schema", 4, &v)) != 0 ||
	    (rc = meta_get(rt, c.fdbi[DB_META], "generation", 8,
	    &c.generation)) != 0)
		goto out;
	if (v == SCHEMA_ONE_ENV) {
		for (i = 0; i < DB__COUNT; i++) {
			if (i == DB_META)
				continue;
			rc = mdb_dbi_open(rt, store_db_name((enum store_db)i),
			    store_db_flags((enum store_db)i), &c.fdbi[i]);
			if (rc == MDB_NOTFOUND) {
				c.fabsent |= (uint64_t)1 << i;
				rc = 0;
			} else if (rc != 0)
				goto out;
		}
		if ((c.fabsent >> DB_RESEARCHERS) & 1u) {
			rc = STORE_CORRUPT;
			goto out;
		}
		while (c.catalog_id == 0)
			if (getentropy(&c.catalog_id, sizeof(c.catalog_id)) != 0)
				c.catalog_id = (uint64_t)time(NULL);
		/* Made anew from the old environment, which is the store. */
		if ((rc = dir_remove(unew)) != 0 || (rc = dir_remove(user)) != 0)
			goto out;
		c.from = rt;
		if ((rc = store_open(unew, STORE_CREATE | STORE__RAW, &u)) != 0)
			goto out;
		rc = store_write(u, split_user_txn, &c);
		store_close(u);
		u = NULL;
		if (rc != 0)
			goto out;
		if (snprintf(from, sizeof(from), "%s/write.queue", unew) <
		    (int)sizeof(from))
			unlink(from);
		if (rename(unew, user) != 0 || (rc = dir_sync(dir)) != 0) {
			rc = rc ? rc : errno;
			goto out;
		}
		mdb_txn_abort(rt);
		rt = NULL;
		if ((rc = store_write(s, split_catalog_txn, &c)) != 0 &&
		    rc != UNCHANGED)
			goto out;
		rc = 0;
	} else if (v != STORE_SCHEMA_VERSION) {
		rc = STORE_BADSCHEMA;
		goto out;
	} else {
		struct stat st;

		/* Committed at 7: user data must be beside it already. */
		if (stat(user, &st) != 0) {
			rc = STORE_CORRUPT;
			goto out;
		}
	}
	if (rt != NULL) {
		mdb_txn_abort(rt);
		rt = NULL;
	}
	store_close(s);
	s = NULL;
	/* The catalog's files into DIR/catalog; the old lock files go. */
	if (mkdir(cat, STORE_DIR_MODE) != 0 && errno != EEXIST) {
		rc = errno;
		goto out;
	}
	if ((rc = path_join(from, sizeof(from), dir, "data.mdb")) != 0 ||
	    (rc = path_join(to, sizeof(to), cat, "data.mdb")) != 0)
		goto out;
	if (rename(from, to) != 0) {
		rc = errno;
		goto out;
	}
	snprintf(from, sizeof(from), "%s/write.queue", dir);
	unlink(from);
	snprintf(from, sizeof(from), "%s/lock.mdb", dir);
	unlink(from);
	if ((rc = dir_sync(cat)) == 0)
		rc = dir_sync(dir);
	if (rc == 0 && o->log != NULL)
		fprintf(o->log, "schema %d -> %d: user data (follows, claims, "
		    "sessions) in an environment of its own, %s/, the catalog "
		    "in %s/\n", SCHEMA_ONE_ENV, STORE_SCHEMA_VERSION, user, cat);
out:
	if (rt != NULL)
		mdb_txn_abort(rt);
	store_close(s);
	if (lfd >= 0)
		close(lfd);
	return rc;
}
