/* backup.c: online, consistent backups of a store (one LMDB snapshot, compacted), their check, and restoring one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate.h"
#include "store_int.h"

#define MANIFEST "BACKUP"
#define MANIFEST_MAGIC "bzpeer store backup 1"

/* The directory holding path (path's last component removed) into out. */
static void
parent_of(char *out, size_t n, const char *path)
{
	const char *slash;
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	slash = memrchr(path, '/', len);
	if (slash == NULL)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

/* dst exists as an empty directory, or is made (0700). EEXIST otherwise. */
static int
empty_dir(const char *dst)
{
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (mkdir(dst, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return errno;
	if ((d = opendir(dst)) == NULL)
		return errno == ENOTDIR ? EEXIST : errno;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			rc = EEXIST;
			break;
		}
	closedir(d);
	return rc;
}

/*
 * What a data file holds, read with its environment opened read-only and
 * without a lock file (nobody else may use a backup): schema, generation
 * and meta "program" (into program, may be NULL). 0 or an LMDB error.
 */
static int
data_info(const char *file, struct store_backup_info *info, char *program,
    size_t n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	MDB_val k = { 7, (void *)"program" }, v;
	uint64_t x;
	int rc;

	if (program != NULL)
		program[0] = '\0';
	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	if ((rc = mdb_env_set_maxdbs(env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_open(env, file, MDB_RDONLY | MDB_NOLOCK |
	    MDB_NOSUBDIR | MDB_NOTLS, 0600)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
		goto close;
	if ((rc = mdb_dbi_open(txn, "meta", 0, &meta)) == 0 &&
	    (rc = meta_get(txn, meta, "schema", 4, &x)) == 0) {
		info->schema = (uint32_t)x;
		rc = meta_get(txn, meta, "generation", 8, &info->generation);
		if (rc == 0 && program != NULL &&
		    mdb_get(txn, meta, &k, &v) == 0 && v.mv_size < n) {
			memcpy(program, v.mv_data, v.mv_size);
			program[v.mv_size] = '\0';
		}
	}
	if (rc == MDB_NOTFOUND)
		rc = STORE_CORRUPT;
	mdb_txn_abort(txn);
close:
	mdb_env_close(env);
	return rc;
}

/* Writes text to dir/name through a flushed temporary file and a rename. */
static int
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096], tmp[4096];
	size_t len = strlen(text);
	int fd, rc = 0;

	if ((rc = path_join(path, sizeof(path), dir, name)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return rc ? rc : ENAMETOOLONG;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		rc = errno ? errno : EIO;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = errno;
	if (rc != 0)
		unlink(tmp);
	return rc ? rc : dir_sync(dir);
}

/*
 * Copies the environment in envdir into file (new), compacted, as one
 * committed state (LMDB's read transaction inside the copy: writers go on
 * meanwhile), flushed; *bytes its size. A map grown by another process
 * since the open is adopted and the copy begun again.
 */
static int
copy_env(const char *envdir, const char *file, uint64_t *bytes)
{
	struct store *s;
	struct stat st;
	int fd, rc, tries;

	if ((rc = store_open(envdir, STORE_RDONLY | STORE__RAW, &s)) != 0)
		return rc;
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		store_close(s);
		return rc;
	}
	for (tries = 0; tries < 4; tries++) {
		rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
		if (rc != MDB_MAP_RESIZED)
			break;
		if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0 ||
		    ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			break;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	if (rc == 0 && fstat(fd, &st) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	store_close(s);
	if (rc != 0)
		unlink(file);
	else
		*bytes = (uint64_t)st.st_size;
	return rc;
}

/* Whether dir holds the layout before schema 7 (one environment, dir itself). */
static int
one_env(const char *dir)
{
	char path[4096];
	struct stat st;

	return path_join(path, sizeof(path), dir, "data.mdb") == 0 &&
	    stat(path, &st) == 0;
}

int
store_backup(const char *dir, const char *dst, const char *program,
    struct store_backup_info *info)
{
	struct store_backup_info in;
	struct stat st;
	char path[4096], upath[4096], src[4096], usrc[4096], stored[80];
	char when[32], text[768], extra[64] = "";
	struct tm tm;
	time_t now;
	uint64_t ubytes = 0;
	int rc, split = !one_env(dir);

	memset(&in, 0, sizeof(in));
	if ((rc = path_join(path, sizeof(path), dst, "data.mdb")) != 0 ||
	    (rc = path_join(upath, sizeof(upath), dst, "user.mdb")) != 0)
		return rc;
	if (split) {
		if ((rc = path_join(src, sizeof(src), dir, STORE_CATALOG_DIR)) != 0 ||
		    (rc = path_join(usrc, sizeof(usrc), dir, STORE_USER_DIR)) != 0)
			return rc;
	} else
		snprintf(src, sizeof(src), "%s", dir);
	/* The source first: nothing is made for a store that is not there. */
	if ((rc = path_join(text, sizeof(text), src, "data.mdb")) != 0)
		return rc;
	if (stat(text, &st) != 0)
		return errno;
	if (split && ((rc = path_join(text, sizeof(text), usrc, "data.mdb")) != 0 ||
	    stat(text, &st) != 0))
		return rc ? rc : errno;
	if ((rc = empty_dir(dst)) != 0)
		return rc;
	/*
	 * User data first, then the catalog: user data then never points at
	 * a researcher the catalog copy lacks (a researcher merged away
	 * meanwhile has its move in the catalog's journal, applied by the
	 * first writer after a restore).
	 */
	if (split && (rc = copy_env(usrc, upath, &ubytes)) != 0)
		return rc;
	if ((rc = copy_env(src, path, &in.bytes)) != 0)
		goto unlink;
	/* What the manifest says is read from the copy itself. */
	if ((rc = data_info(path, &in, stored, sizeof(stored))) != 0)
		goto unlink;
	now = time(NULL);
	in.taken = (uint64_t)now;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	if (split)
		snprintf(extra, sizeof(extra), "user_bytes %" PRIu64 "\n",
		    ubytes);
	snprintf(text, sizeof(text), MANIFEST_MAGIC "\n"
	    "schema %" PRIu32 "\ngeneration %" PRIu64 "\ntaken %" PRIu64
	    "\ntaken_utc %s\nbytes %" PRIu64 "\n%sby %s\nstore_program %s\n",
	    in.schema, in.generation, in.taken, when, in.bytes, extra,
	    program ? program : "unknown", stored[0] ? stored : "unknown");
	if ((rc = write_file(dst, MANIFEST, text)) != 0)
		goto unlink;
	in.user_bytes = ubytes;
	if (info != NULL)
		*info = in;
	return 0;
unlink:
	/* A failed backup leaves dst as empty as it was. */
	unlink(path);
	unlink(upath);
	return rc;
}

/* Reads "key value" number lines of the manifest. */
static int
manifest_read(const char *src, struct store_backup_info *info)
{
	char path[4096], line[256];
	int rc, magic = 0, seen = 0;
	FILE *f;

	if ((rc = path_join(path, sizeof(path), src, MANIFEST)) != 0)
		return rc;
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? STORE_CORRUPT : errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long x;

		if (strcmp(line, MANIFEST_MAGIC "\n") == 0)
			magic = 1;
		else if (sscanf(line, "schema %llu", &x) == 1)
			info->schema = (uint32_t)x, seen |= 1;
		else if (sscanf(line, "generation %llu", &x) == 1)
			info->generation = x, seen |= 2;
		else if (sscanf(line, "taken %llu", &x) == 1)
			info->taken = x, seen |= 4;
		else if (sscanf(line, "bytes %llu", &x) == 1)
			info->bytes = x, seen |= 8;
		else if (sscanf(line, "user_bytes %llu", &x) == 1)
			info->user_bytes = x;
	}
	fclose(f);
	return magic && seen == 15 ? 0 : STORE_CORRUPT;
}

int
store_backup_check(const char *src, struct store_backup_info *info)
{
	struct store_backup_info m, d;
	char path[4096];
	struct stat st;
	int rc;

	memset(&m, 0, sizeof(m));
	memset(&d, 0, sizeof(d));
	if ((rc = manifest_read(src, &m)) != 0)
		return rc;
	if ((rc = path_join(path, sizeof(path), src, "data.mdb")) != 0)
		return rc;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? STORE_CORRUPT : errno;
	if ((uint64_t)st.st_size != m.bytes)
		return STORE_CORRUPT;
	if ((rc = data_info(path, &d, NULL, 0)) != 0)
		return rc;
	if (d.schema != m.schema || d.generation != m.generation)
		return STORE_CORRUPT;
	/* Schema 7 on: user data beside it, of the same schema. */
	if (m.user_bytes != 0 || m.schema >= STORE_SCHEMA_VERSION) {
		memset(&d, 0, sizeof(d));
		if ((rc = path_join(path, sizeof(path), src, "user.mdb")) != 0)
			return rc;
		if (stat(path, &st) != 0)
			return errno == ENOENT ? STORE_CORRUPT : errno;
		if ((uint64_t)st.st_size != m.user_bytes)
			return STORE_CORRUPT;
		if ((rc = data_info(path, &d, NULL, 0)) != 0)
			return rc;
		if (d.schema != m.schema)
			return STORE_CORRUPT;
	}
	if (info != NULL)
		*info = m;
	return 0;
}

/* Whether a process has the environment in dir open (store_in_use). */
static int
env_in_use(const char *dir, int *pid)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1 };
	char path[4096];
	int fd, rc = 0;

	if ((rc = path_join(path, sizeof(path), dir, "lock.mdb")) != 0)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	if (fcntl(fd, F_GETLK, &l) != 0)
		rc = errno;
	else if (l.l_type != F_UNLCK) {
		rc = STORE_INUSE;
		if (pid != NULL)
			*pid = (int)l.l_pid;
	}
	close(fd);
	return rc;
}

int
store_in_use(const char *dir, int *pid)
{
	static const char *const sub[] = { NULL, STORE_CATALOG_DIR,
	    STORE_USER_DIR };
	char path[4096];
	size_t i;
	int rc, any = 0;

	if (pid != NULL)
		*pid = 0;
	/* The layout of before, then each environment of schema 7's. */
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (sub[i] == NULL)
			snprintf(path, sizeof(path), "%s", dir);
		else if ((rc = path_join(path, sizeof(path), dir, sub[i])) != 0)
			return rc;
		rc = env_in_use(path, pid);
		if (rc == ENOENT)
			continue;
		if (rc != 0)
			return rc;
		any = 1;
	}
	return any ? 0 : ENOENT;
}

/* Copies file src to dst (new, mode 0600), flushed. */
static int
copy_file(const char *src, const char *dst)
{
	char b[1 << 16];
	ssize_t n;
	int in, out, rc = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		close(in);
		return rc;
	}
	while ((n = read(in, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, b, (size_t)n) != n) {
			rc = errno ? errno : EIO;
			break;
		}
	}
	if (rc == 0 && fsync(out) != 0)
		rc = errno;
	if (close(out) != 0 && rc == 0)
		rc = errno;
	close(in);
	return rc;
}

int
store_restore(const char *src, const char *dir, struct buf *moved, int *pid)
{
	char tmp[4096], from[4096], to[4096], parent[4096], when[32];
	char sub[4096];
	struct store_backup_info info;
	struct stat st;
	struct tm tm;
	time_t now;
	int rc, have;

	buf_reset(moved);
	if ((rc = store_backup_check(src, &info)) != 0)
		return rc;
	have = stat(dir, &st) == 0;
	if (!have && errno != ENOENT)
		return errno;
	if (have && (rc = store_in_use(dir, pid)) != 0 && rc != ENOENT)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.restoring", dir) >= (int)sizeof(tmp) ||
	    (rc = path_join(from, sizeof(from), src, "data.mdb")) != 0)
		return rc ? rc : ENAMETOOLONG;
	/* An interrupted restore's copy is ours: begin again. */
	if ((rc = dir_remove(tmp)) != 0)
		return rc;
	if (mkdir(tmp, 0750) != 0)
		return errno;
	if (info.user_bytes == 0) {
		/* A backup of one environment (schema 6 or before). */
		if ((rc = path_join(to, sizeof(to), tmp, "data.mdb")) != 0 ||
		    (rc = copy_file(from, to)) != 0)
			goto remove;
	} else {
		/* The catalog and user data, each into its directory. */
		if ((rc = path_join(sub, sizeof(sub), tmp, STORE_CATALOG_DIR)) != 0 ||
		    (mkdir(sub, 0700) != 0 && (rc = errno) != 0) ||
		    (rc = path_join(to, sizeof(to), sub, "data.mdb")) != 0 ||
		    (rc = copy_file(from, to)) != 0 ||
		    (rc = dir_sync(sub)) != 0 ||
		    (rc = path_join(from, sizeof(from), src, "user.mdb")) != 0 ||
		    (rc = path_join(sub, sizeof(sub), tmp, STORE_USER_DIR)) != 0 ||
		    (mkdir(sub, 0700) != 0 && (rc = errno) != 0) ||
		    (rc = path_join(to, sizeof(to), sub, "data.mdb")) != 0 ||
		    (rc = copy_file(from, to)) != 0 ||
		    (rc = dir_sync(sub)) != 0)
			goto remove;
	}
	if ((rc = dir_sync(tmp)) != 0)
		goto remove;
	parent_of(parent, sizeof(parent), dir);
	if (have) {
		now = time(NULL);
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0) {
			rc = EINVAL;
			goto remove;
		}
		buf_puts(moved, dir);
		buf_puts(moved, ".before-restore-");
		buf_puts(moved, when);
		/* Checked again just before: the window is this rename. */
		if ((rc = store_in_use(dir, pid)) != 0 && rc != ENOENT)
			goto remove;
		if (rename(dir, moved->p) != 0) {
			rc = errno;
			buf_reset(moved);
			goto remove;
		}
	}
	if (rename(tmp, dir) != 0) {
		rc = errno;
		/* Put the store back where it was. */
		if (have && rename(moved->p, dir) == 0)
			buf_reset(moved);
		goto remove;
	}
	return dir_sync(parent);
remove:
	dir_remove(tmp);
	return rc;
}
