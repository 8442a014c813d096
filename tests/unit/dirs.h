/* dirs.h: where a unit test finds the source tree (ROOT) and the built programs (BUILD); a store made by the real importer. */
#ifndef BZPEER_TEST_DIRS_H
#define BZPEER_TEST_DIRS_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../store/buf.h"
#include "../../views/views.h"
#include "check.h"

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


/*
 * Calls find_dirs(), makes the temporary directory dir (a mkdtemp()
 * template), imports into it with the real bzpeer-import the catalog args
 * names (bzpeer-import options, each file a path under root; NULL ends
 * them) and loads root's views. Bails out when any of it fails.
 */
static void
import_catalog(char *dir, const char *const *args)
{
	char cmd[6144], imp[1100];
	struct buf err = BUF_INIT;
	struct stat st;
	size_t n;
	int rc;

	find_dirs();
	snprintf(imp, sizeof(imp), "%s/bzpeer-import", build);
	if (stat(imp, &st) != 0) {
		printf("Bail out! %s not built\n", imp);
		exit(1);
	}
	REQUIRE(mkdtemp(dir) != NULL);
	n = (size_t)snprintf(cmd, sizeof(cmd), "'%s' --store '%s'", imp, dir);
	for (; args[0] && args[1] && n < sizeof(cmd); args += 2)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " %s '%s/%s'",
		    args[0], root, args[1]);
	REQUIRE(n + sizeof(" >/dev/null") <= sizeof(cmd));
	snprintf(cmd + n, sizeof(cmd) - n, " >/dev/null");
	REQUIRE(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/views", root);
	rc = views_load(cmd, &err);
	if (rc != 0)
		printf("# %s\n", err.p);
	REQUIRE(rc == 0);
	buf_free(&err);
}

#endif
