/* dirs.h: where a unit test finds the source tree (ROOT) and the built programs (BUILD). */
#ifndef BZPEER_TEST_DIRS_H
#define BZPEER_TEST_DIRS_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Filled by find_dirs(). */
static char root[512], build[1024];

/*
 * root: $ROOT (tests/run.sh sets it) or the first of . .. ../.. ../../..
 * holding views/layout.html, so that a test also runs by hand from the
 * tree or the build directory. build: $BUILD when absolute, else
 * root/$BUILD, else root/build.
 */
static void
find_dirs(void)
{
	static const char *const cand[] = { ".", "..", "../..", "../../.." };
	const char *r = getenv("ROOT"), *b = getenv("BUILD");
	char path[700];
	struct stat st;
	size_t i;

	if (r)
		snprintf(root, sizeof(root), "%s", r);
	else
		for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
			snprintf(path, sizeof(path), "%s/views/layout.html", cand[i]);
			if (stat(path, &st) == 0) {
				snprintf(root, sizeof(root), "%s", cand[i]);
				break;
			}
		}
	if (b && b[0] == '/')
		snprintf(build, sizeof(build), "%s", b);
	else
		snprintf(build, sizeof(build), "%s/%s", root, b ? b : "build");
}

#endif
