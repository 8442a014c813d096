/* migrate.h: the schema migration steps and their runner, for store/ and its tests only. */
#ifndef BZPEER_MIGRATE_H
#define BZPEER_MIGRATE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * One step raises a store from version `from` to from + 1. apply() runs
 * inside the step's one write transaction (it may be run again from the
 * start when the map has to grow) and opens the databases it needs
 * itself; the runner then writes the new schema version and, from version
 * 2 on, meta "program". A step that changes what a running program of the
 * version before reads (a layout rewritten in place, a database moved) is
 * `exclusive`: it runs only while no other process has the store open,
 * and keeps new ones out until it has committed. A step that only adds
 * (a key, a database older programs do not know) is not.
 */
struct migrate_step {
	uint32_t    from;
	const char *what;         /* one line for the log */
	int         exclusive;
	int       (*apply)(MDB_txn *txn, const char *program);  /* may be NULL */
};

/*
 * store_migrate() with the given steps (sorted by `from`, one per version)
 * up to version target: the real table in migrate.c, other tables in the
 * unit test. Same returns as store_migrate(); an error of a step's apply()
 * is returned as it is.
 */
int migrate_run(const char *dir, const struct migrate_step *steps,
    size_t n, uint32_t target, const struct store_migrate_opts *o,
    uint32_t *from, uint32_t *to);

/*
 * The lock LMDB takes on lock.mdb (byte 0 of it: shared while a process
 * has the environment open, exclusive while one process sets it up),
 * through a descriptor of this process's own (lock_open): lock_exclusive()
 * takes it exclusive without waiting, 0 or STORE_INUSE with one holder's
 * pid in *pid; lock_shared() gives it back to shared. Closing the
 * descriptor drops every lock this process has on the file, LMDB's too:
 * close it only after the environment.
 */
int lock_open(const char *dir, int *fd);
int lock_exclusive(int fd, int *pid);
int lock_shared(int fd);

#endif
