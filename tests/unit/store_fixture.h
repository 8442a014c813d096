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

/* ---- invitations ---- */

/* Sends an invitation from sender to researcher's owner (store_invite_send). */
UTIL int
send_one(struct store *s, const char *researcher, const char *sender,
    struct sv subject, struct sv message, uint64_t *id, int *why)
{
	struct store_invite in;

	memset(&in, 0, sizeof(in));
	in.researcher_id = sv_cstr(researcher);
	in.sender = sv_cstr(sender);
	in.subject = subject;
	in.message = message;
	return store_invite_send(s, &in, id, why);
}

UTIL int
send_text(struct store *s, const char *researcher, const char *sender,
    uint64_t *id, int *why)
{
	return send_one(s, researcher, sender, SV_LIT("A joint workshop"),
	    SV_LIT("Dear colleague,\nshall we?"), id, why);
}

/* Invitations listed: their ids and researchers, the first 16. */
struct ids {
	uint64_t id[16];
	char     researcher[16][32];
	size_t   n;
};

UTIL int
ids_cb(void *ctx, const struct store_invite *c)
{
	struct ids *l = ctx;

	if (l->n < 16) {
		snprintf(l->researcher[l->n], sizeof(l->researcher[0]), "%.*s",
		    (int)c->researcher_id.n, c->researcher_id.p);
		l->id[l->n++] = c->id;
	}
	return 0;
}

/* The invitations sent to (to) or by (!to) name, newest first. */
UTIL struct ids
listed(struct store *s, int to, const char *name)
{
	struct store_rtxn *t;
	struct ids l;

	memset(&l, 0, sizeof(l));
	REQUIRE(store_read_begin(s, &t) == 0);
	if (to)
		CHECK(store_invites_to(t, sv_cstr(name), ids_cb, &l) == 0);
	else
		CHECK(store_invites_from(t, sv_cstr(name), ids_cb, &l) == 0);
	store_read_end(t);
	return l;
}

/* Whether researcher's owner blocked sender: 1, 0, or -1 unread. */
UTIL int
blocked(struct store *s, const char *researcher, const char *sender)
{
	struct store_rtxn *t;
	int b = -1;

	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_invite_blocked(t, sv_cstr(researcher), sv_cstr(sender),
	    &b) == 0);
	store_read_end(t);
	return b;
}

#endif
