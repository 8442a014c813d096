/* swap.c: a catalog built beside the serving one, then swapped in whole (bzpeer-import --into-new); user data stays where it is. */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NEW_DIR STORE_CATALOG_DIR ".new"

/* dir/name into out; ENAMETOOLONG when it does not fit. */
static int
join(char *out, size_t n, const char *dir, const char *name)
{
	return snprintf(out, n, "%s/%s", dir, name) >= (int)n ? ENAMETOOLONG : 0;
}

/* Removes what an interrupted build left: the directory and its files. */
static int
remove_build(const char *path)
{
	char f[4096];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : errno;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((rc = join(f, sizeof(f), path, e->d_name)) != 0)
			break;
		if (unlink(f) != 0) {
			rc = errno;
			break;
		}
	}
	closedir(d);
	return rc == 0 && rmdir(path) != 0 ? errno : rc;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0)
		rc = errno;
	close(fd);
	return rc;
}

/* A new catalog's generation starts after the serving one's. */
static int
seed_txn(MDB_txn *txn, void *ctx)
{
	struct store *s = ((void **)ctx)[0];
	uint64_t want = *(uint64_t *)((void **)ctx)[1], have;
	int rc;

	if ((rc = meta_get(txn, s->dbi[DB_META], "generation", 8, &have)) != 0)
		return rc;
	if (have >= want)
		return UNCHANGED;
	return meta_put(txn, s->dbi[DB_META], "generation", 8, want);
}

int
store_catalog_begin(const char *dir, const struct store_opts *o,
    struct store **out)
{
	struct store *s = NULL;
	struct store_rtxn *t;
	char path[4096];
	uint64_t gen;
	void *ctx[2];
	int rc;

	*out = NULL;
	/* The serving store: its generation, and that it is one. */
	if ((rc = store_open(dir, STORE_RDONLY | STORE_EMPTY_OK, &s)) != 0)
		return rc;
	if ((rc = store_read_begin(s, &t)) == 0) {
		gen = store_generation(t);
		store_read_end(t);
	}
	store_close(s);
	s = NULL;
	if (rc != 0)
		return rc;
	if ((rc = join(path, sizeof(path), dir, NEW_DIR)) != 0 ||
	    (rc = remove_build(path)) != 0)
		return rc;
	if ((rc = store_open_opts(path, STORE_CREATE | STORE_CATALOG_ONLY, o,
	    &s)) != 0)
		return rc;
	ctx[0] = s;
	ctx[1] = &gen;
	if ((rc = store_write(s, seed_txn, ctx)) != 0 && rc != UNCHANGED) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
store_catalog_swap(const char *dir, struct buf *old)
{
	char nw[4096], cat[4096], when[32];
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	buf_reset(old);
	if ((rc = join(nw, sizeof(nw), dir, NEW_DIR)) != 0 ||
	    (rc = join(cat, sizeof(cat), dir, STORE_CATALOG_DIR)) != 0)
		return rc;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return EINVAL;
	/*
	 * One atomic exchange of the two directories: a process opening
	 * DIR/catalog finds the old one or the new one, never neither.
	 * Processes that have the old one open keep reading it (their
	 * descriptors and maps), until SIGHUP retires them.
	 */
	if (renameat2(AT_FDCWD, nw, AT_FDCWD, cat, RENAME_EXCHANGE) != 0)
		return errno;
	if ((rc = sync_dir(dir)) != 0)
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
	return sync_dir(dir);
}
