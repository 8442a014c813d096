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

/* A fresh directory under /tmp; the caller removes it with tdir_remove(). */
UTIL char *
tdir_make(void)
{
	char *d = xstrndup("/tmp/bzpeer-test-XXXXXX", 23);

	if (mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	return d;
}

UTIL int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

UTIL void
tdir_remove(char *d)
{
	if (d == NULL)
		return;
	if (getenv("BZPEER_TEST_KEEP") == NULL)
		(void)nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "kept %s\n", d);
	free(d);
}

/* dir + "/" + name, in a static rotating buffer (eight at a time). */
UTIL const char *
path_in(const char *dir, const char *name)
{
	static char bufs[8][512];
	static int i;
	char *p = bufs[i++ & 7];

	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

/* The built program `name`: $BUILD/name (BUILD from tests/run.sh) or build/name. */
UTIL const char *
bin(const char *name)
{
	const char *b = getenv("BUILD");
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ & 3];

	snprintf(p, 512, "%s/%s", b && *b ? b : "build", name);
	return p;
}

/* The repository root: $ROOT (from tests/run.sh) or ".". */
UTIL const char *
root_path(const char *rel)
{
	const char *r = getenv("ROOT");
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ & 3];

	snprintf(p, 512, "%s/%s", r && *r ? r : ".", rel);
	return p;
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
 * Runs argv (NULL-terminated after prog) with stdout and stderr into the
 * files out and err (or /dev/null when NULL). Returns the exit status, or
 * -1 when the program could not run or died of a signal.
 */
UTIL int
run(const char *out, const char *err, const char *prog, ...)
{
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	va_list ap;
	pid_t pid;
	int n = 0, st;

	argv[n++] = prog;
	va_start(ap, prog);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
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

/*
 * bzpeer-admin dump of store into b; with no_gen the "meta generation"
 * line is left out (re-imports differ there only). 0 or -1.
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

		if (!(no_gen && n >= 16 &&
		    memcmp(raw.p + i, "meta generation ", 16) == 0))
			buf_put(b, raw.p + i, n);
		i += n;
	}
	if (b->p == NULL)
		buf_reserve(b, 1);
	buf_free(&raw);
	return 0;
}

/* Whether the text in b contains s. */
UTIL int
has(const struct buf *b, const char *s)
{
	return b->p != NULL && memmem(b->p, b->len, s, strlen(s)) != NULL;
}

#endif
