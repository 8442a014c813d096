/* test_import_util.h: helpers for the store's unit tests: temp dirs, files, running the real binaries. */
#ifndef BZPEER_TEST_IMPORT_UTIL_H
#define BZPEER_TEST_IMPORT_UTIL_H

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../store/buf.h"

extern char **environ;

/* Not every test uses every helper. */
#define UTIL static __attribute__((unused))

/*
 * Strings made by the helpers below stay valid until tdir_remove(), which
 * frees them all (a test makes a few dozen).
 */
static char **kept;
static size_t n_kept;

static const char *
keep(const char *fmt, const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, fmt, a, b) < 0) {
		perror("asprintf");
		exit(1);
	}
	kept = xrealloc(kept, (n_kept + 1) * sizeof(*kept));
	kept[n_kept++] = p;
	return p;
}

UTIL int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static char *tdir_current;

/* A test that bails out (REQUIRE) still leaves no directory behind. */
static void
tdir_atexit(void)
{
	if (tdir_current != NULL && getenv("BZPEER_TEST_KEEP") == NULL)
		(void)nftw(tdir_current, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under /tmp; the caller removes it with tdir_remove(). */
UTIL char *
tdir_make(void)
{
	char *d = xstrndup("/tmp/bzpeer-test-XXXXXX", 23);

	if (mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	tdir_current = d;
	atexit(tdir_atexit);
	return d;
}

/* Removes d and everything in it (unless BZPEER_TEST_KEEP is set). */
UTIL void
tdir_remove(char *d)
{
	if (d != NULL && getenv("BZPEER_TEST_KEEP") == NULL)
		(void)nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else if (d != NULL)
		fprintf(stderr, "kept %s\n", d);
	if (d == tdir_current)
		tdir_current = NULL;
	free(d);
	while (n_kept > 0)
		free(kept[--n_kept]);
	free(kept);
	kept = NULL;
}

/* dir + "/" + name. */
UTIL const char *
path_in(const char *dir, const char *name)
{
	return keep("%s/%s", dir, name);
}

/* The permission bits of path (lstat), or -1 if it cannot be read. */
UTIL int
mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* The built program `name`: $BUILD/name (BUILD from tests/run.sh) or build/name. */
UTIL const char *
bin(const char *name)
{
	const char *b = getenv("BUILD");

	return keep("%s/%s", b && *b ? b : "build", name);
}

/* A path in the repository: $ROOT/rel (ROOT from tests/run.sh) or ./rel. */
UTIL const char *
root_path(const char *rel)
{
	const char *r = getenv("ROOT");

	return keep("%s/%s", r && *r ? r : ".", rel);
}

UTIL void
spit(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

UTIL void
spits(const char *path, const char *s)
{
	spit(path, s, strlen(s));
}

/* Reads a whole file into b (reset first); -1 if it cannot be read. */
UTIL int
slurp(const char *path, struct buf *b)
{
	char tmp[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	buf_reset(b);
	if (f == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_put(b, tmp, n);
	fclose(f);
	if (b->p == NULL)
		buf_reserve(b, 1);
	return 0;
}

/*
 * Runs argv (NULL-terminated after prog) with stdin from the file in (or
 * /dev/null), stdout and stderr into the files out and err (or /dev/null).
 * Returns the exit status, or -1 when the program could not run or died
 * of a signal.
 */
UTIL int
vrun(const char *in, const char *out, const char *err, const char *prog,
    va_list ap)
{
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int n = 0, st;

	argv[n++] = prog;
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err ? err : "/dev/null",
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (posix_spawn(&pid, prog, &fa, NULL, (char *const *)argv,
	    environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		perror(prog);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

UTIL int
run(const char *out, const char *err, const char *prog, ...)
{
	va_list ap;
	int rc;

	va_start(ap, prog);
	rc = vrun(NULL, out, err, prog, ap);
	va_end(ap);
	return rc;
}

UTIL int
run_stdin(const char *in, const char *out, const char *err,
    const char *prog, ...)
{
	va_list ap;
	int rc;

	va_start(ap, prog);
	rc = vrun(in, out, err, prog, ap);
	va_end(ap);
	return rc;
}

/*
 * bzpeer-admin dump of store into b; with no_gen the "meta generation*"
 * lines are left out (re-imports differ there only), and the ones that
 * differ between two stores made alike (the catalog's random id, and where
 * user data's merges stand by it). 0 or -1.
 */
UTIL int
dump_store(const char *store, const char *scratch, int no_gen, struct buf *b)
{
	const char *out = path_in(scratch, "dump.out");
	struct buf raw = BUF_INIT;
	size_t i = 0;

	buf_reset(b);
	if (run(out, NULL, bin("bzpeer-admin"), "--store", store, "dump",
	    NULL) != 0 || slurp(out, &raw) != 0) {
		buf_free(&raw);
		return -1;
	}
	while (i < raw.len) {
		const char *nl = memchr(raw.p + i, '\n', raw.len - i);
		size_t n = nl ? (size_t)(nl - (raw.p + i)) + 1 : raw.len - i;

		if (!(no_gen && ((n >= 15 &&
		    memcmp(raw.p + i, "meta generation", 15) == 0) ||
		    (n >= 16 && memcmp(raw.p + i, "meta catalog_id", 15) == 0) ||
		    (n >= 16 && memcmp(raw.p + i, "meta merge_", 11) == 0))))
			buf_put(b, raw.p + i, n);
		i += n;
	}
	if (b->p == NULL)
		buf_reserve(b, 1);
	buf_free(&raw);
	return 0;
}

/* Appends bytes as mdb_load -T text: every byte as \xx, then a newline. */
UTIL void
load_hex(struct buf *b, const void *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_putc(b, '\\');
		buf_putc(b, hex[p[i] >> 4]);
		buf_putc(b, hex[p[i] & 15]);
	}
	buf_putc(b, '\n');
}

/* Whether the text in b contains s. */
UTIL int
has(const struct buf *b, const char *s)
{
	return b->p != NULL && memmem(b->p, b->len, s, strlen(s)) != NULL;
}

#endif
