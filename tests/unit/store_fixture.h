/* store_fixture.h: the store unit tests' fixture catalog, in a fresh store, and the store as dump text. */
#ifndef BZPEER_STORE_FIXTURE_H
#define BZPEER_STORE_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../store/dump.h"
#include "../../store/import.h"
#include "../../store/store.h"
#include "check.h"
#include "test_import_util.h"

/* The test's scratch directory (tdir_make() in main). */
static char *scratch;

UTIL const char *
fx(const char *name)
{
	return path_in(root_path("tests/fixtures/import"), name);
}

/* Imports the fixture files (or `works` alone) into s in-process. */
UTIL int
import_into(struct store *s, const char *authors, const char *works)
{
	const char *a[1] = { authors }, *w[1] = { works };
	struct import_opts o;
	struct import_report rep;
	FILE *log = fopen("/dev/null", "w");
	int rc;

	if (log == NULL)
		return errno;
	memset(&o, 0, sizeof(o));
	o.authors = a;
	o.n_authors = authors != NULL;
	o.works = w;
	o.n_works = works != NULL;
	o.log = log;
	rc = store_import(s, &o, &rep);
	fclose(log);
	return rc;
}

/* A fresh store in scratch/name with the fixture catalog, open for writing. */
UTIL struct store *
fixture_store(const char *name, const struct store_opts *opts)
{
	struct store *s = NULL;

	REQUIRE(store_open_opts(path_in(scratch, name), STORE_CREATE, opts,
	    &s) == 0);
	REQUIRE(import_into(s, fx("authors.jsonl"), fx("works.jsonl")) == 0);
	return s;
}

/* The whole store as dump text (bzpeer-admin dump), in-process. */
UTIL void
dump(struct store *s, struct buf *out)
{
	struct store_rtxn *t;
	char *p = NULL;
	size_t n = 0;
	FILE *f;

	buf_reset(out);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE((f = open_memstream(&p, &n)) != NULL);
	REQUIRE(store_dump(t, f) == 0);
	REQUIRE(fclose(f) == 0);
	store_read_end(t);
	buf_put(out, p, n);
	buf_reserve(out, 1);
	free(p);
}

UTIL int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Number of dump lines holding s. */
UTIL size_t
count_has(const struct buf *b, const char *s)
{
	const char *p = b->p, *end = b->p + b->len;
	size_t n = 0, sl = strlen(s);

	while (p < end && (p = memmem(p, (size_t)(end - p), s, sl)) != NULL) {
		n++;
		p += sl;
	}
	return n;
}

#endif
