/* migrate.c: raising a store's schema version step by step, each step one write transaction. */
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/*
 * The steps, one per version. To change the schema: raise
 * STORE_SCHEMA_VERSION (store.h, with a line saying what the version
 * adds), add its step here, and add a fixture of the version before
 * (tests/fixtures/store-vN) that tests/e2e/80-upgrade.sh migrates.
 */
static const struct migrate_step steps[] = {
	/* Version 2's whole change is meta "program", which the runner
	 * writes for every step from version 2 on. */
	{ 1, "meta \"program\": the program that made or upgraded the store",
	  0, NULL },
};

int
store_migrate(const char *dir, const struct store_migrate_opts *o,
    uint32_t *from, uint32_t *to)
{
	_Static_assert(sizeof(steps) / sizeof(steps[0]) ==
	    STORE_SCHEMA_VERSION - 1, "one migration step per schema version");
	return migrate_run(dir, steps, sizeof(steps) / sizeof(steps[0]),
	    STORE_SCHEMA_VERSION, o, from, to);
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

	*fd = -1;
	if (snprintf(path, sizeof(path), "%s/lock.mdb", dir) >=
	    (int)sizeof(path))
		return ENAMETOOLONG;
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
	if ((rc = store_open(dir, STORE_RDONLY | STORE__RAW, &s)) != 0)
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
