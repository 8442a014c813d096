/* check.h: the unit tests' one assertion macro, in the style of LMDB's mtest.c. */
#ifndef BZPEER_CHECK_H
#define BZPEER_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/*
 * Each check prints one line, "ok - <expr>" or "not ok - file:line: <expr>",
 * which tests/run.sh counts; a unit program exits 1 if any check failed.
 * CHECK keeps going after a failure; REQUIRE stops the program (use it where
 * carrying on would only crash).
 */
static int check_failed;
static int check_quiet = 1;   /* set BZPEER_TEST_VERBOSE=1 to list passes */

#define CHECK(expr) check_one(!!(expr), #expr, __FILE__, __LINE__)
#define REQUIRE(expr) do { \
	if (!check_one(!!(expr), #expr, __FILE__, __LINE__)) { \
		printf("Bail out! %s:%d\n", __FILE__, __LINE__); \
		exit(1); \
	} } while (0)

static int
check_one(int ok, const char *expr, const char *file, int line)
{
	static int init;

	if (!init) {
		const char *v = getenv("BZPEER_TEST_VERBOSE");
		check_quiet = !(v && *v == '1');
		init = 1;
	}
	if (ok) {
		printf("ok - %s\n", expr);
	} else {
		printf("not ok - %s:%d: %s\n", file, line, expr);
		check_failed = 1;
	}
	fflush(stdout);
	return ok;
}

#define CHECK_DONE() return check_failed ? 1 : 0

#endif
