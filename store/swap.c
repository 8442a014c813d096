/* swap.c: a catalog built beside the serving one, then swapped in whole (bzpeer-import --into-new); user data stays where it is. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NEW_DIR STORE_CATALOG_DIR ".new"

/*
 * A new catalog's beginning, in its first write transaction: its
 * generation after the serving one's; and the owners' data, which lives
 * in the catalog's environment (store_int.h), copied from the serving
 * catalog so that the swap does not drop it.
 */
struct seed {
	struct store *s, *from;
	MDB_txn *rt;              /* a read of the serving catalog */
	uint64_t generation;
};

static int
copy_db(struct seed *c, MDB_txn *txn, enum store_db db)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (db_absent(c->from, db))
		return 0;
	if ((rc = mdb_cursor_open(c->rt, c->from->dbi[db], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if ((rc = mdb_put(txn, c->s->dbi[db], &k, &v, 0)) != 0)
			break;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
seed_txn(MDB_txn *txn, void *ctx)
{
	static const enum store_db owner[] = { DB_OWNERSET, DB_HIDDEN,
	    DB_MERGEREQ };
	struct seed *c = ctx;
	uint64_t have, last;
	size_t i;
	int rc;

	if ((rc = meta_get(txn, c->s->dbi[DB_META], "generation", 8,
	    &have)) != 0)
		return rc;
	if (have < c->generation && (rc = meta_put(txn, c->s->dbi[DB_META],
	    "generation", 8, c->generation)) != 0)
		return rc;
	for (i = 0; i < sizeof(owner) / sizeof(owner[0]); i++)
		if ((rc = copy_db(c, txn, owner[i])) != 0)
			return rc;
	if ((rc = meta_get(c->rt, c->from->dbi[DB_META], "mergereq_last", 8,
	    &last)) != 0)
		return rc;
	return last ? meta_put(txn, c->s->dbi[DB_META], "mergereq_last", 8,
	    last) : 0;
}

int
store_catalog_begin(const char *dir, const struct store_opts *o,
    struct store **out, struct store **hold)
{
	struct store *s = NULL, *from = NULL;
	struct store_rtxn *t;
	struct seed c;
	char path[4096];
	int rc;

	*out = NULL;
	*hold = NULL;
	memset(&c, 0, sizeof(c));
	/*
	 * The serving catalog, opened alone (this process must not open its
	 * environment twice), with its writer gate taken and kept until the
	 * swap: the owners' data copied now cannot change meanwhile (an
	 * owner's change waits and is refused with "busy", never written to
	 * the catalog about to be set aside), and after the swap the
	 * processes still on it find it moved (catalog_moved()).
	 */
	if ((rc = path_join(path, sizeof(path), dir, STORE_CATALOG_DIR)) != 0 ||
	    (rc = store_open_opts(path, STORE_CATALOG_ONLY, NULL, &from)) != 0)
		return rc;
	if ((rc = writer_gate_take(from, 0)) != 0 && rc != GROUPQ_NONE)
		goto out;
	if ((rc = store_read_begin(from, &t)) != 0)
		goto out;
	c.generation = store_generation(t);
	store_read_end(t);
	if ((rc = path_join(path, sizeof(path), dir, NEW_DIR)) != 0 ||
	    (rc = dir_remove(path)) != 0)
		goto out;
	if ((rc = store_open_opts(path, STORE_CREATE | STORE_CATALOG_ONLY, o,
	    &s)) != 0)
		goto out;
	if ((rc = mdb_txn_begin(from->env, NULL, MDB_RDONLY, &c.rt)) != 0)
		goto out;
	c.s = s;
	c.from = from;
	rc = store_write(s, seed_txn, &c);
	mdb_txn_abort(c.rt);
out:
	if (rc != 0) {
		store_catalog_release(from);
		store_close(s);
		return rc;
	}
	*out = s;
	*hold = from;
	return 0;
}

void
store_catalog_release(struct store *hold)
{
	if (hold == NULL)
		return;
	if (hold->gate_held)
		writer_gate_give(hold);
	store_close(hold);
}

int
store_catalog_swap(const char *dir, struct buf *old, struct store *hold)
{
	char nw[4096], cat[4096], when[32];
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	buf_reset(old);
	if ((rc = path_join(nw, sizeof(nw), dir, NEW_DIR)) != 0 ||
	    (rc = path_join(cat, sizeof(cat), dir, STORE_CATALOG_DIR)) != 0) {
		store_catalog_release(hold);
		return rc;
	}
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		store_catalog_release(hold);
		return EINVAL;
	}
	/*
	 * One atomic exchange of the two directories: a process opening
	 * DIR/catalog finds the old one or the new one, never neither.
	 * Processes that have the old one open keep reading it (their
	 * descriptors and maps), until SIGHUP retires them.
	 */
	rc = renameat2(AT_FDCWD, nw, AT_FDCWD, cat, RENAME_EXCHANGE) != 0 ?
	    errno : dir_sync(dir);
	store_catalog_release(hold);
	if (rc != 0)
		return rc;
	buf_puts(old, dir);
	buf_puts(old, "/" STORE_CATALOG_DIR ".before-");
	buf_puts(old, when);
	/* Kept, not deleted: the way back, until the operator removes it. */
	if (rename(nw, old->p) != 0) {
		rc = errno;
		buf_reset(old);
		buf_puts(old, nw);
		return rc;
	}
	return dir_sync(dir);
}
