/* replay.c: runs every seed and crash regression of every fuzz target through its harness, without libFuzzer (a unit program of `make test`). */
/*
 * usage: test_fuzz_replay [TARGET [FILE...]]
 *
 * Without arguments: for each target, every file of tests/fuzz/TARGET/corpus
 * and tests/fuzz/TARGET/regressions (under $BZPEER_ROOT or $ROOT) goes
 * through the harness once; one "ok - ..." line per target and directory.
 * A harness check that fails, or a sanitizer report in a sanitized build,
 * ends the program with a message naming the file, so tests/run.sh counts a
 * failure. With TARGET and FILEs: just those files (to reproduce a crash).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define TARGET(n) { #n, fuzz_##n##_init, fuzz_##n##_one }
static const struct target {
	const char *name;
	int (*init)(int *argc, char ***argv);
	int (*one)(const uint8_t *data, size_t size);
} targets[] = {
	TARGET(form),
	TARGET(cookie),
	TARGET(router),
	TARGET(session),
	TARGET(oa_author),
	TARGET(oa_work),
	TARGET(tmpl),
	TARGET(fcgi),
	TARGET(page),
	TARGET(fold),
	TARGET(manifest),
	TARGET(csv),
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static int failed;

/* Reads the whole file; NULL (and a "not ok" line) if it cannot. */
static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t cap = 0, len = 0;

	if (f == NULL) {
		printf("not ok - %s: %s\n", path, strerror(errno));
		failed = 1;
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(p, cap)) == NULL)
				abort();
		}
		got = fread(p + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		printf("not ok - %s: read error\n", path);
		failed = 1;
		free(p);
		p = NULL;
	}
	fclose(f);
	*n = len;
	return p;
}

static void
run_file(const struct target *t, const char *path)
{
	size_t n;
	uint8_t *data = slurp(path, &n);

	if (data == NULL)
		return;
	fuzz_current_input = path;
	t->one(data, n);
	fuzz_current_input = NULL;
	free(data);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order. Returns how many ran. */
static size_t
run_dir(const struct target *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				abort();
		}
		if ((names[n++] = strdup(e->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		run_file(t, path);
		free(names[i]);
	}
	free(names);
	return n;
}

int
main(int argc, char **argv)
{
	const char *root = fuzz_root();

	for (size_t i = 0; i < NTARGETS; i++) {
		const struct target *t = &targets[i];
		char dir[4096];
		size_t seeds, regs;

		if (argc > 1 && strcmp(argv[1], t->name) != 0)
			continue;
		if (t->init(&argc, &argv) != 0) {
			printf("not ok - fuzz %s: its set-up failed\n", t->name);
			failed = 1;
			continue;
		}
		if (argc > 2) {
			for (int k = 2; k < argc; k++)
				run_file(t, argv[k]);
			printf("ok - fuzz %s: %d given inputs replayed\n", t->name,
			    argc - 2);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s/corpus", root, t->name);
		seeds = run_dir(t, dir);
		if (seeds == 0) {
			printf("not ok - fuzz %s: no seeds in %s\n", t->name, dir);
			failed = 1;
		} else
			printf("ok - fuzz %s: %zu seeds replayed\n", t->name, seeds);
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s/regressions", root, t->name);
		regs = run_dir(t, dir);
		printf("ok - fuzz %s: %zu crash regressions replayed\n", t->name, regs);
		fflush(stdout);
	}
	return failed;
}
