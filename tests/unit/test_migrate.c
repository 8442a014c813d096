/* test_migrate.c: schema migrations (the real steps on the schema-1 fixture, the steps to 3 and 5 on stores made for them, and the runner with its failures), backups taken while another process writes, restores, tools run as root acting as the store's owner. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../store/codec.h"
#include "../../store/import.h"
#include "../../store/migrate.h"
#include "../../store/store_int.h"
#include "check.h"
#include "test_import_util.h"

#define MDB_LOAD "/usr/bin/mdb_load"

static char *scratch;

static const char *
fx(const char *name)
{
	return path_in(root_path("tests/fixtures/store-v1"), name);
}

/* The schema-1 fixture, loaded into a new store dir. 0 or -1. */
static int
load_v1(const char *dir)
{
	if (mkdir(dir, 0755) != 0)
		return -1;
	return run_stdin(fx("store.mdb.txt"), NULL, path_in(scratch, "load.err"),
	    MDB_LOAD, "-f", fx("store.mdb.txt"), dir, NULL) == 0 ? 0 : -1;
}

/* The dump text b without its lines starting with any of the prefixes. */
static void
drop_lines(struct buf *b, const char *const *prefixes)
{
	struct buf o = BUF_INIT;
	size_t i = 0, j;

	while (i < b->len) {
		const char *nl = memchr(b->p + i, '\n', b->len - i);
		size_t n = nl ? (size_t)(nl - (b->p + i)) + 1 : b->len - i;
		int drop = 0;

		for (j = 0; prefixes[j]; j++)
			if (n >= strlen(prefixes[j]) &&
			    memcmp(b->p + i, prefixes[j], strlen(prefixes[j])) == 0)
				drop = 1;
		if (!drop)
			buf_put(&o, b->p + i, n);
		i += n;
	}
	buf_reserve(&o, 1);
	buf_free(b);
	*b = o;
}

static uint32_t
schema_of(const char *dir)
{
	uint32_t v = 12345;

	return store_schema_of(dir, &v) == 0 ? v : 12345;
}

/* The real table: the schema-1 fixture comes up to the current version,
 * every follow, claim and ended session kept. */
static void
real_migration(void)
{
	const char *dir = path_in(scratch, "v1");
	const char *const meta[] = { "meta schema ", "meta program ", NULL };
	const char *const index3[] = { "nameparts ", "rnames ",
	    "userclaims ", "meta claims_indexed ", "meta catalog_id ",
	    "meta merge_", "rstate ", NULL };
	struct store_migrate_opts o = { "test 1.0", NULL };
	struct buf want = BUF_INIT, got = BUF_INIT;
	struct store *s = NULL;
	uint32_t from, to;

	REQUIRE(load_v1(dir) == 0);
	CHECK(schema_of(dir) == 1);
	CHECK(store_open(dir, STORE_RDONLY, &s) == STORE_OLDSCHEMA && !s);
	CHECK(store_migrate(dir, &o, &from, &to) == 0 && from == 1 &&
	    to == STORE_SCHEMA_VERSION);
	CHECK(schema_of(dir) == STORE_SCHEMA_VERSION);
	REQUIRE(slurp(fx("store.dump"), &want) == 0);
	REQUIRE(dump_store(dir, scratch, 0, &got) == 0);
	CHECK(has(&got, "\nmeta program \"test 1.0\"\n"));
	/* Version 3 adds the search index; the fixture's slugs all come
	 * out the same with the new folding, so they stay. */
	CHECK(has(&got, "\nnameparts \"smith\" A199 \"john smith\"\n") &&
	    has(&got, "\nnameparts \"zoe\" A106 \"zoe angstrom\"\n") &&
	    has(&got, "\nrnames A101 \"dgregoire le\"\n") &&
	    !has(&got, "\nrnames A105 "));
	/* Version 5 indexes each user's claims. */
	CHECK(has(&got, "\nuserclaims alice 1\nuserclaims bob 2\n"
	    "userclaims carol 3\n") && has(&got, "\nmeta claims_indexed 3\n"));
	/* Version 7: user data apart; the claim states kept as user data
	 * (approved A101, pending A103), the journal of merges begun. */
	CHECK(has(&got, "\nrstate A101 claim 2 verified ") &&
	    has(&got, "\nrstate A103 claim 1 verified 0 bumps 0\n") &&
	    !has(&got, "\nrstate A102 "));
	CHECK(has(&got, "\nmeta merge_seq 0\n") &&
	    has(&got, "\nmeta merge_applied 0\n") &&
	    strncmp(got.p, "meta catalog_id ", 16) == 0);
	CHECK(access(path_in(dir, "data.mdb"), F_OK) != 0 &&
	    access(path_in(dir, "catalog/data.mdb"), F_OK) == 0 &&
	    access(path_in(dir, "user/data.mdb"), F_OK) == 0);
	drop_lines(&want, meta);
	drop_lines(&got, meta);
	drop_lines(&got, index3);
	CHECK(want.len > 2000 && want.len == got.len &&
	    memcmp(want.p, got.p, want.len) == 0);
	CHECK(has(&got, "\nfollows A103 \"désirée\"\n") &&
	    has(&got, "\nclaims 2 id=2 ") && has(&got, "\nrevoked ") &&
	    has(&got, "\nnotbefore carol 1767225600123\n"));
	/* It opens for use, and a second run has nothing to do. */
	CHECK(store_open(dir, 0, &s) == 0 && s != NULL);
	store_close(s);
	CHECK(store_migrate(dir, &o, &from, &to) == 0 &&
	    from == STORE_SCHEMA_VERSION && to == STORE_SCHEMA_VERSION);
	buf_free(&want);
	buf_free(&got);
}

/* ---- the runner, with tables of its own ---------------------------------- */

static int
put_key(MDB_txn *txn, const char *key)
{
	MDB_dbi meta;
	int rc = mdb_dbi_open(txn, "meta", 0, &meta);

	return rc ? rc : meta_put(txn, meta, key, 8, 7);
}

/* Whether meta key of the store in dir holds the n bytes v (NULL: is missing). */
static int
meta_is(const char *dir, const char *key, const char *v, size_t n)
{
	struct store *s;
	MDB_txn *txn;
	MDB_dbi meta;
	MDB_val k = { strlen(key), (void *)key }, d;
	int rc, ok = 0;

	if (store_open(dir, STORE_RDONLY | STORE__RAW, &s) != 0)
		return 0;
	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) == 0) {
		if (mdb_dbi_open(txn, "meta", 0, &meta) == 0) {
			rc = mdb_get(txn, meta, &k, &d);
			ok = v == NULL ? rc == MDB_NOTFOUND : rc == 0 &&
			    d.mv_size == n && memcmp(d.mv_data, v, n) == 0;
		}
		mdb_txn_abort(txn);
	}
	store_close(s);
	return ok;
}

static int step_a(MDB_txn *txn, const char *p) { (void)p; return put_key(txn, "step_a"); }
static int step_b_fails(MDB_txn *txn, const char *p)
{
	(void)p;
	/* Written, then the step fails: nothing of it may remain. */
	return put_key(txn, "step_b") ? -1 : STORE_INVALID;
}
static int step_b(MDB_txn *txn, const char *p) { (void)p; return put_key(txn, "step_b"); }

/* fork_ready(&say): fork; the child gets 0 and writes a byte to say once
 * it is ready; the parent gets the child's pid once it has. */
static pid_t
fork_ready(int *say)
{
	int p[2];
	char c;
	pid_t pid;

	REQUIRE(pipe(p) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		close(p[0]);
		*say = p[1];
		return 0;
	}
	close(p[1]);
	REQUIRE(read(p[0], &c, 1) == 1);
	close(p[0]);
	return pid;
}

/* A child that has the store open until it is killed; its pid. */
static pid_t
hold_open(const char *dir)
{
	int say;
	pid_t pid;

	if ((pid = fork_ready(&say)) == 0) {
		struct store *s;

		/* Raw: a store at a version between is refused for use. */
		if (store_open(dir, STORE_RDONLY | STORE__RAW, &s) != 0)
			_exit(1);
		if (write(say, "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void
runner(void)
{
	const char *dir = path_in(scratch, "runner");
	struct store_migrate_opts o = { "test 1.0", NULL };
	const struct migrate_step failing[] = {
		{ 1, "adds step_a", 0, step_a },
		{ 2, "adds step_b, then fails", 0, step_b_fails },
	};
	const struct migrate_step exclusive[] = {
		{ 1, "adds step_a", 0, step_a },
		{ 2, "adds step_b, alone", 1, step_b },
	};
	struct buf d = BUF_INIT;
	uint32_t from, to;
	pid_t holder;

	REQUIRE(load_v1(dir) == 0);
	/* A step that fails: the store stays at the step before, whole. */
	CHECK(migrate_run(dir, failing, 2, 3, &o, &from, &to) ==
	    STORE_INVALID && from == 1 && to == 2);
	CHECK(schema_of(dir) == 2);
	/* (Read raw: version 2 is older than the programs, which refuse it.) */
	CHECK(meta_is(dir, "step_a", "\x07\0\0\0\0\0\0\0", 8) &&
	    meta_is(dir, "step_b", NULL, 0));
	CHECK(meta_is(dir, "program", "test 1.0", 8));
	/* A step that needs the store to itself waits for nobody: refused
	 * while another process has it open, nothing changed. */
	holder = hold_open(dir);
	CHECK(migrate_run(dir, exclusive, 2, 3, &o, &from, &to) ==
	    STORE_INUSE && from == 2 && to == 2);
	CHECK(schema_of(dir) == 2);
	reap(holder);
	CHECK(migrate_run(dir, exclusive, 2, 3, &o, &from, &to) == 0 &&
	    from == 2 && to == 3);
	CHECK(schema_of(dir) == 3);
	/* Newer than the program: refused, untouched. */
	CHECK(migrate_run(dir, exclusive, 2, 2, &o, &from, &to) ==
	    STORE_BADSCHEMA && from == 3 && to == 3);
	/* Past this program's version (no-op steps up to one past it): the
	 * programs refuse it. */
	{
		struct migrate_step up[STORE_SCHEMA_VERSION];
		size_t i, n = 0;

		for (i = 3; i <= STORE_SCHEMA_VERSION; i++)
			up[n++] = (struct migrate_step){ (uint32_t)i, "no-op", 0,
			    NULL };
		CHECK(migrate_run(dir, up, n, STORE_SCHEMA_VERSION + 1, &o,
		    &from, &to) == 0 && to == STORE_SCHEMA_VERSION + 1);
	}
	CHECK(store_open(dir, STORE_RDONLY, &(struct store *){ NULL }) ==
	    STORE_BADSCHEMA);
	/* A gap in the table is refused, not skipped. */
	{
		const char *gap = path_in(scratch, "gap");
		const struct migrate_step only2[] = { { 2, "b", 0, step_b } };

		REQUIRE(load_v1(gap) == 0);
		CHECK(migrate_run(gap, only2, 1, 3, &o, &from, &to) ==
		    STORE_BADSCHEMA && to == 1 && schema_of(gap) == 1);
	}
	buf_free(&d);
}

/* ---- backups and restores ---------------------------------------------------- */

/* A child following and unfollowing without pause until killed; its pid,
 * once its first follow is written. */
static pid_t
writer(const char *dir)
{
	int say;
	pid_t pid;

	if ((pid = fork_ready(&say)) == 0) {
		struct store *s;
		uint64_t n, txn;
		int ch, i;

		if (store_open(dir, 0, &s) != 0)
			_exit(1);
		for (i = 0;; i++) {
			store_follow(s, SV_LIT("A106"), SV_LIT("writer"), i & 1,
			    &n, &txn, &ch);
			if (i == 0 && (write(say, "w", 1) != 1 || close(say) != 0))
				_exit(1);
		}
	}
	return pid;
}

static void
backups(void)
{
	const char *dir = path_in(scratch, "live");
	const char *b1 = path_in(scratch, "b1"), *b2 = path_in(scratch, "b2");
	const char *const vary[] = { "follows A106 ", "following writer ",
	    "followers A106 ", "meta follow_batch ", NULL };
	struct store_backup_info i;
	struct store_migrate_opts o = { "test 1.0", NULL };
	struct buf src = BUF_INIT, got = BUF_INIT, moved = BUF_INIT;
	struct stat st;
	uint32_t from, to;
	pid_t w;
	int pid, k;

	REQUIRE(load_v1(dir) == 0);
	REQUIRE(store_migrate(dir, &o, &from, &to) == 0);
	REQUIRE(dump_store(dir, scratch, 0, &src) == 0);
	/* Taken while another process writes: consistent, complete. */
	w = writer(dir);
	for (k = 0; k < 20; k++) {
		char name[32];

		snprintf(name, sizeof(name), "bl%d", k);
		CHECK(store_backup(dir, path_in(scratch, name), "t", &i) == 0);
		CHECK(store_backup_check(path_in(scratch, name), NULL) == 0);
	}
	CHECK(store_backup(dir, b1, "t", &i) == 0 &&
	    i.schema == STORE_SCHEMA_VERSION && i.generation == 1 &&
	    i.bytes > 0);
	CHECK(stat(path_in(b1, "data.mdb"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600 && (uint64_t)st.st_size == i.bytes);
	CHECK(stat(path_in(b1, "user.mdb"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600 && (uint64_t)st.st_size == i.user_bytes &&
	    i.user_bytes > 0);
	CHECK(stat(path_in(b1, "BACKUP"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600);
	CHECK(stat(b1, &st) == 0 && (st.st_mode & 0777) == 0700);
	/* Never over another backup, nor into a file. */
	CHECK(store_backup(dir, b1, "t", NULL) == EEXIST);
	CHECK(store_backup(dir, path_in(b1, "BACKUP"), "t", NULL) == EEXIST);
	/* An empty directory is taken. */
	REQUIRE(mkdir(b2, 0700) == 0);
	CHECK(store_backup(dir, b2, "t", NULL) == 0);
	/* Restoring under a process that has the store open: refused. */
	CHECK(store_restore(b1, dir, &moved, &pid) == STORE_INUSE &&
	    pid == w && moved.len == 0);
	reap(w);
	CHECK(store_in_use(dir, &pid) == 0);
	CHECK(store_restore(b1, dir, &moved, &pid) == 0 && moved.len > 0);
	CHECK(stat(moved.p, &st) == 0 && S_ISDIR(st.st_mode));
	/* Both environments, each in its directory. */
	CHECK(stat(path_in(dir, "catalog/data.mdb"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600);
	CHECK(stat(path_in(dir, "user/data.mdb"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600);
	CHECK(access(path_in(dir, "data.mdb"), F_OK) != 0);
	REQUIRE(dump_store(dir, scratch, 0, &got) == 0);
	/* What the writer was doing differs; everything else is the store. */
	drop_lines(&src, vary);
	drop_lines(&got, vary);
	CHECK(src.len > 2000 && src.len == got.len &&
	    memcmp(src.p, got.p, src.len) == 0);
	/* A damaged backup is refused before anything moves. */
	spits(path_in(b2, "BACKUP"), "bzpeer store backup 1\nschema 2\n");
	CHECK(store_restore(b2, dir, &moved, &pid) == STORE_CORRUPT);
	CHECK(store_backup_check(path_in(scratch, "nothing"), NULL) ==
	    STORE_CORRUPT);
	buf_free(&src);
	buf_free(&got);
	buf_free(&moved);
}

/* Run as root, a tool acts as the owner of the store (or of the nearest
 * existing parent of a store still to be made). */
static void
as_owner(void)
{
	const char *dir = path_in(scratch, "owned");
	struct passwd *pw = getpwnam("nobody");
	unsigned uid = 0;
	int st;
	pid_t pid;

	if (geteuid() != 0 || pw == NULL) {
		printf("ok - # SKIP not root, or no user nobody\n");
		return;
	}
	REQUIRE(chmod(scratch, 0755) == 0);
	REQUIRE(mkdir(dir, 0755) == 0 && chown(dir, pw->pw_uid, pw->pw_gid) == 0);
	if ((pid = fork()) == 0) {
		if (store_as_owner(path_in(dir, "store/not/yet"), &uid) != 0 ||
		    uid != pw->pw_uid || geteuid() != pw->pw_uid ||
		    getuid() != pw->pw_uid || getegid() != pw->pw_gid)
			_exit(1);
		/* What it makes is the owner's. */
		if (mkdir(path_in(dir, "store"), 0700) != 0)
			_exit(2);
		_exit(setuid(0) == 0 ? 3 : 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	{
		struct stat s;

		CHECK(stat(path_in(dir, "store"), &s) == 0 &&
		    s.st_uid == pw->pw_uid);
	}
	/* A root-owned directory: root stays root. */
	CHECK(store_as_owner(scratch, &uid) == 0 && uid == 0 && geteuid() == 0);
}

/* ---- 2 -> 3: names ------------------------------------------------------------- */

struct aged {
	const char *id, *old_slug;
};

/* Gives researcher id the slug old (the record and the slugs key). */
static int
set_slug(MDB_txn *txn, MDB_dbi res, MDB_dbi slugs, const char *id,
    const char *old)
{
	struct store_researcher r;
	struct buf rec = BUF_INIT;
	MDB_val k = { strlen(id), (void *)id }, v, sk;
	int rc;

	if ((rc = mdb_get(txn, res, &k, &v)) != 0 ||
	    (rc = rec_researcher_decode(v.mv_data, v.mv_size, &r)) != 0)
		return rc;
	sk = (MDB_val){ r.slug.n, (void *)r.slug.p };
	if ((rc = mdb_del(txn, slugs, &sk, NULL)) != 0)
		return rc;
	r.slug = sv_cstr(old);
	rec_researcher_encode(&rec, &r);
	v = (MDB_val){ rec.len, rec.p };
	if ((rc = mdb_put(txn, res, &k, &v, 0)) == 0) {
		sk = (MDB_val){ strlen(old), (void *)old };
		v = k;
		rc = mdb_put(txn, slugs, &sk, &v, 0);
	}
	buf_free(&rec);
	return rc;
}

/* Copies every record of database name from rt into wt (absent: nothing). */
static int
copy_named(MDB_txn *rt, MDB_txn *wt, enum store_db db)
{
	MDB_dbi from, to;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	rc = mdb_dbi_open(rt, store_db_name(db), store_db_flags(db), &from);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = mdb_dbi_open(wt, store_db_name(db),
	    store_db_flags(db) | MDB_CREATE, &to)) != 0 ||
	    (rc = mdb_cursor_open(rt, from, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		/* The catalog's schema and program stay. */
		if (db == DB_META && ((k.mv_size == 6 &&
		    memcmp(k.mv_data, "schema", 6) == 0) || (k.mv_size == 7 &&
		    memcmp(k.mv_data, "program", 7) == 0)))
			continue;
		if ((rc = mdb_put(wt, to, &k, &v, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Each researcher's claim state as user data had it, into its record. */
static int
fold_rstate(MDB_txn *rt, MDB_txn *wt)
{
	MDB_dbi rs, res;
	MDB_cursor *c;
	MDB_val k, v, rv;
	struct buf rec = BUF_INIT;
	int rc;

	if ((rc = mdb_dbi_open(rt, "rstate", 0, &rs)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0 || (rc = mdb_dbi_open(wt, "researchers", 0, &res)) != 0 ||
	    (rc = mdb_cursor_open(rt, rs, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct store_researcher r;
		const unsigned char *p = v.mv_data;

		if ((rc = mdb_get(wt, res, &k, &rv)) == MDB_NOTFOUND)
			continue;
		if (rc != 0 || v.mv_size != 6 ||
		    (rc = rec_researcher_decode(rv.mv_data, rv.mv_size, &r)))
			break;
		r.claim = p[0];
		r.orcid_verified = p[1];
		r.version += get_le32(p + 2);
		buf_reset(&rec);
		rec_researcher_encode(&rec, &r);
		rv = (MDB_val){ rec.len, rec.p };
		if ((rc = mdb_put(wt, res, &k, &rv, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	buf_free(&rec);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Makes a store of schema 7 (catalog and user data apart) one environment
 * in dir again, as the code of schema 6 and before kept it: user data
 * copied into the catalog's, the claim states into the records, the
 * catalog's files moved up. For the tests that age a store to an older
 * version. Nothing to do for a store of one environment.
 */
static int
unsplit(const char *dir)
{
	char cat[2048], user[2048], from[4200], to[4200];
	struct store *c = NULL, *u = NULL;
	MDB_txn *rt = NULL, *wt = NULL;
	int rc, i;

	if (snprintf(cat, sizeof(cat), "%s/catalog", dir) >= (int)sizeof(cat) ||
	    snprintf(user, sizeof(user), "%s/user", dir) >= (int)sizeof(user))
		return ENAMETOOLONG;
	if (access(cat, F_OK) != 0)
		return 0;
	if ((rc = store_open(cat, STORE__RAW, &c)) != 0 ||
	    (rc = store_open(user, STORE_RDONLY | STORE__RAW, &u)) != 0 ||
	    (rc = mdb_txn_begin(u->env, NULL, MDB_RDONLY, &rt)) != 0 ||
	    (rc = mdb_txn_begin(c->env, NULL, 0, &wt)) != 0)
		goto out;
	for (i = 0; i < DB__COUNT && rc == 0; i++)
		if ((i == DB_META || db_user((enum store_db)i)) &&
		    i != DB_RSTATE)
			rc = copy_named(rt, wt, (enum store_db)i);
	if (rc == 0)
		rc = fold_rstate(rt, wt);
	if (rc == 0) {
		rc = mdb_txn_commit(wt);
		wt = NULL;
	}
out:
	if (wt != NULL)
		mdb_txn_abort(wt);
	if (rt != NULL)
		mdb_txn_abort(rt);
	store_close(u);
	store_close(c);
	if (rc != 0)
		return rc;
	snprintf(from, sizeof(from), "%s/data.mdb", cat);
	snprintf(to, sizeof(to), "%s/data.mdb", dir);
	if (rename(from, to) != 0)
		return errno;
	snprintf(from, sizeof(from), "rm -rf '%.2000s' '%.2000s'", cat, user);
	return system(from) == 0 ? 0 : -1;
}

/*
 * Makes the store in dir look as the schema-2 code left it: the slugs
 * its folding gave, no search index, schema 2.
 */
static int
age_to_v2(const char *dir, const struct aged *a, size_t n)
{
	struct store *s;
	MDB_txn *txn;
	MDB_dbi meta, res, slugs, parts, rnames;
	size_t i;
	int rc;

	if ((rc = unsplit(dir)) != 0 ||
	    (rc = store_open(dir, STORE__RAW, &s)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto close;
	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "researchers", 0, &res)) != 0 ||
	    (rc = mdb_dbi_open(txn, "slugs", 0, &slugs)) != 0 ||
	    (rc = mdb_dbi_open(txn, "nameparts", MDB_DUPSORT, &parts)) != 0 ||
	    (rc = mdb_dbi_open(txn, "rnames", MDB_DUPSORT, &rnames)) != 0 ||
	    (rc = mdb_drop(txn, parts, 1)) != 0 ||
	    (rc = mdb_drop(txn, rnames, 1)) != 0 ||
	    (rc = meta_put(txn, meta, "schema", 4, 2)) != 0)
		goto abort;
	for (i = 0; i < n; i++)
		if ((rc = set_slug(txn, res, slugs, a[i].id, a[i].old_slug)) != 0)
			goto abort;
	rc = mdb_txn_commit(txn);
	goto close;
abort:
	mdb_txn_abort(txn);
close:
	store_close(s);
	return rc;
}

static int
researcher_is(struct store_rtxn *t, const char *slug, const char *id,
    const char *canonical, uint64_t version)
{
	struct store_researcher r;
	int ok = store_researcher_by_slug(t, sv_cstr(slug), &r) == 0 &&
	    sv_eq_cstr(r.id, id) && sv_eq_cstr(r.slug, canonical) &&
	    r.version == version;

	if (!ok)
		printf("# slug %s: %.*s \"%.*s\" v%llu, want %s \"%s\" v%llu\n",
		    slug, (int)r.id.n, r.id.p ? r.id.p : "", (int)r.slug.n,
		    r.slug.p ? r.slug.p : "", (unsigned long long)r.version, id,
		    canonical, (unsigned long long)version);
	return ok;
}

static int
first_found(void *ctx, const struct store_researcher *r)
{
	struct buf *b = ctx;

	buf_put(b, r->id.p, r->id.n);
	return 1;
}

/*
 * The step to version 3 on a store whose slugs the schema-2 folding made:
 * those it cut up get the new slug, keeping the old one as an alias; the
 * others (a slug of a researcher renamed since, one the new rule gives
 * too) stay, their records untouched; the search index is made.
 */
static void
names_step(void)
{
	const char *dir = path_in(scratch, "v2names");
	const char *authors = path_in(scratch, "v2names.jsonl");
	const char *a[1] = { authors };
	const struct aged old[] = {
		{ "A8", "researcher-3" },     /* first: it has "researcher" now */
		{ "A1", "nguy-n-van-an" },
		{ "A2", "researcher" },
		{ "A3", "researcher-2" },
		{ "A4", "j-smith" },          /* renamed since: not the rule's */
		{ "A6", "zoe-angstrom" },
		{ "A7", "herve-je-ou" },
	};
	struct store_migrate_opts mo = { "test 1.0", NULL };
	struct import_opts o;
	struct import_report rep;
	struct store *s;
	struct store_rtxn *t;
	struct buf b = BUF_INIT;
	FILE *log = fopen("/dev/null", "w");
	uint32_t from, to;

	spits(authors,
	    "{\"id\":\"A1\",\"display_name\":\"Nguyễn Văn An\"}\n"
	    "{\"id\":\"A2\",\"display_name\":\"Иван Петров\"}\n"
	    "{\"id\":\"A3\",\"display_name\":\"王小明\"}\n"
	    "{\"id\":\"A4\",\"display_name\":\"John Smith\"}\n"
	    "{\"id\":\"A5\",\"display_name\":\"Sanjeev Arora\"}\n"
	    "{\"id\":\"A6\",\"display_name\":\"Zoë 王 Ångström\"}\n"
	    "{\"id\":\"A7\",\"display_name\":\"Hervé Jeǵou\"}\n"
	    "{\"id\":\"A8\",\"display_name\":\"\"}\n");
	memset(&o, 0, sizeof(o));
	o.authors = a;
	o.n_authors = 1;
	o.log = log;
	REQUIRE(log != NULL);
	REQUIRE(store_open(dir, STORE_CREATE, &s) == 0);
	REQUIRE(store_import(s, &o, &rep) == 0);
	store_close(s);
	REQUIRE(age_to_v2(dir, old, sizeof(old) / sizeof(old[0])) == 0);
	CHECK(schema_of(dir) == 2);
	CHECK(store_open(dir, STORE_RDONLY, &s) == STORE_OLDSCHEMA);

	CHECK(store_migrate(dir, &mo, &from, &to) == 0 && from == 2 &&
	    to == STORE_SCHEMA_VERSION);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(researcher_is(t, "nguyen-van-an", "A1", "nguyen-van-an", 2));
	CHECK(researcher_is(t, "nguy-n-van-an", "A1", "nguyen-van-an", 2));
	CHECK(researcher_is(t, "иван-петров", "A2", "иван-петров", 2));
	CHECK(researcher_is(t, "researcher", "A2", "иван-петров", 2));
	CHECK(researcher_is(t, "王小明", "A3", "王小明", 2));
	CHECK(researcher_is(t, "researcher-2", "A3", "王小明", 2));
	CHECK(researcher_is(t, "j-smith", "A4", "j-smith", 1));
	CHECK(store_researcher_by_slug(t, SV_LIT("john-smith"),
	    &(struct store_researcher){ 0 }) == STORE_NOTFOUND);
	CHECK(researcher_is(t, "sanjeev-arora", "A5", "sanjeev-arora", 1));
	CHECK(researcher_is(t, "zoe-王-angstrom", "A6", "zoe-王-angstrom", 2));
	CHECK(researcher_is(t, "zoe-angstrom", "A6", "zoe-王-angstrom", 2));
	CHECK(researcher_is(t, "herve-jegou", "A7", "herve-jegou", 2));
	CHECK(researcher_is(t, "herve-je-ou", "A7", "herve-jegou", 2));
	/* A8 (no name): "researcher-3" is the rule's, old and new. */
	CHECK(researcher_is(t, "researcher-3", "A8", "researcher-3", 1));
	/* The search index was made. */
	CHECK(store_researchers_by_name(t, SV_LIT("иван"), 0, 0, NULL,
	    first_found, &b) == 1 && sv_eq_cstr(buf_sv(&b), "A2"));
	buf_reset(&b);
	CHECK(store_researchers_by_name(t, SV_LIT("Herve Jegou"), 0, 0, NULL,
	    first_found, &b) == 1 && sv_eq_cstr(buf_sv(&b), "A7"));
	store_read_end(t);
	store_close(s);
	/* An old slug is never given again. */
	REQUIRE(store_open(dir, 0, &s) == 0);
	spits(authors, "{\"id\":\"A9\",\"display_name\":\"Hervé Je Ou\"}\n");
	REQUIRE(store_import(s, &o, &rep) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(researcher_is(t, "herve-je-ou-2", "A9", "herve-je-ou-2", 1));
	store_read_end(t);
	store_close(s);
	fclose(log);
	buf_free(&b);
}

/* ---- 4 -> 5: the users' claims ------------------------------------------------ */

/*
 * Makes the store in dir look as the schema-4 code left it: no
 * userclaims (or, with garbage, one holding an entry of no claim), no
 * meta claims_indexed, schema 4.
 */
static int
age_to_v4(const char *dir, int garbage)
{
	struct store *s;
	MDB_txn *txn;
	MDB_dbi meta, uc;
	MDB_val k = { 14, (void *)"claims_indexed" }, v;
	unsigned char b[8];
	int rc;

	if ((rc = unsplit(dir)) != 0 ||
	    (rc = store_open(dir, STORE__RAW, &s)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto close;
	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "userclaims", MDB_DUPSORT | MDB_DUPFIXED,
	    &uc)) != 0 ||
	    (rc = mdb_drop(txn, uc, garbage ? 0 : 1)) != 0 ||
	    (rc = mdb_del(txn, meta, &k, NULL)) != 0 ||
	    (rc = meta_put(txn, meta, "schema", 4, 4)) != 0)
		goto abort;
	if (garbage) {
		put_be64(b, 99);
		k = (MDB_val){ 5, (void *)"alice" };
		v = (MDB_val){ 8, b };
		if ((rc = mdb_put(txn, uc, &k, &v, 0)) != 0)
			goto abort;
	}
	rc = mdb_txn_commit(txn);
	goto close;
abort:
	mdb_txn_abort(txn);
close:
	store_close(s);
	return rc;
}

struct ids {
	int n;
	uint64_t id[8];
};

static int
add_id(void *ctx, const struct store_claim *c)
{
	struct ids *x = ctx;

	if (x->n < 8)
		x->id[x->n] = c->id;
	x->n++;
	return 0;
}

/* The ids of user's claims (newest first) and whether the index agrees. */
static int
claims_of(const char *dir, const char *user, struct ids *out)
{
	struct store *s;
	struct store_rtxn *t;
	uint64_t bad = 1;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_open(dir, STORE_RDONLY, &s)) != 0)
		return rc;
	if ((rc = store_read_begin(s, &t)) == 0) {
		rc = store_claims_of_user(t, sv_cstr(user), add_id, out);
		if (rc == 0 && (rc = store_claims_verify(t, &bad)) == 0 &&
		    bad != 0)
			rc = -1;
		store_read_end(t);
	}
	store_close(s);
	return rc;
}

/*
 * The step to version 4 on a store of claims in every state, some users
 * with several: each user's claims indexed, newest first, the index
 * agreeing with the claims; made again from nothing where something was
 * left in its place.
 */
static void
claims_step(void)
{
	const char *dir = path_in(scratch, "v4claims");
	struct store_migrate_opts mo = { "test 1.0", NULL };
	struct buf d = BUF_INIT;
	struct store_claim c;
	struct store *s;
	struct ids x;
	uint64_t id;
	uint32_t from, to;
	int garbage;

	REQUIRE(load_v1(dir) == 0);
	REQUIRE(store_migrate(dir, &mo, &from, &to) == 0);
	/* More claims: bob (whose claim 2 was rejected) again, alice on
	 * another record, dave. */
	REQUIRE(store_open(dir, 0, &s) == 0);
	memset(&c, 0, sizeof(c));
	c.researcher_id = SV_LIT("A104");
	c.user = SV_LIT("bob");
	REQUIRE(store_claim_file(s, &c, &id) == 0 && id == 4);
	REQUIRE(store_claim_decide(s, 4, 0, 0, SV_LIT("no")) == 0);
	c.researcher_id = SV_LIT("A105");
	REQUIRE(store_claim_file(s, &c, &id) == 0 && id == 5);
	c.researcher_id = SV_LIT("A106");
	c.user = SV_LIT("dave");
	REQUIRE(store_claim_file(s, &c, &id) == 0 && id == 6);
	store_close(s);

	for (garbage = 0; garbage < 2; garbage++) {
		REQUIRE(age_to_v4(dir, garbage) == 0);
		CHECK(schema_of(dir) == 4);
		CHECK(store_open(dir, STORE_RDONLY, &s) == STORE_OLDSCHEMA);
		CHECK(store_migrate(dir, &mo, &from, &to) == 0 && from == 4 &&
		    to == STORE_SCHEMA_VERSION);
		CHECK(claims_of(dir, "bob", &x) == 0 && x.n == 3 &&
		    x.id[0] == 5 && x.id[1] == 4 && x.id[2] == 2);
		CHECK(claims_of(dir, "alice", &x) == 0 && x.n == 1 &&
		    x.id[0] == 1);
		CHECK(claims_of(dir, "dave", &x) == 0 && x.n == 1 &&
		    x.id[0] == 6);
		CHECK(claims_of(dir, "erin", &x) == 0 && x.n == 0);
		/* Indexed, not read from the claims' tail. */
		REQUIRE(dump_store(dir, scratch, 0, &d) == 0);
		CHECK(has(&d, "\nmeta claims_indexed 6\n") &&
		    has(&d, "\nuserclaims bob 2\nuserclaims bob 4\n"
		    "userclaims bob 5\n") && !has(&d, " 99\n"));
	}
	/* The next claim filed is indexed as it is filed. */
	REQUIRE(store_open(dir, 0, &s) == 0);
	c.researcher_id = SV_LIT("A108");
	c.user = SV_LIT("erin");
	CHECK(store_claim_file(s, &c, &id) == 0 && id == 7);
	store_close(s);
	CHECK(claims_of(dir, "erin", &x) == 0 && x.n == 1 && x.id[0] == 7);
	buf_free(&d);
}

int
main(void)
{
	scratch = tdir_make();
	if (access(MDB_LOAD, X_OK) != 0) {
		printf("ok - # SKIP %s missing (lmdb-utils)\n", MDB_LOAD);
		return 0;
	}
	real_migration();
	names_step();
	claims_step();
	runner();
	backups();
	as_owner();
	tdir_remove(scratch);
	CHECK_DONE();
}
