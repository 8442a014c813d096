/* test_migrate.c: schema migrations (the real step 1 -> 2 on the schema-1 fixture, and the runner with its failures), backups taken while another process writes, restores, tools run as root acting as the store's owner. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	const char *const index3[] = { "nameparts ", "rnames ", NULL };
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
	CHECK(stat(path_in(dir, "data.mdb"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600);
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

int
main(void)
{
	scratch = tdir_make();
	if (access(MDB_LOAD, X_OK) != 0) {
		printf("ok - # SKIP %s missing (lmdb-utils)\n", MDB_LOAD);
		return 0;
	}
	real_migration();
	runner();
	backups();
	as_owner();
	tdir_remove(scratch);
	CHECK_DONE();
}
