/*
 * claims.c: what a claimant's own claims cost the signed-in pages, by the
 * number of claims in the store: the read every signed-in view of an
 * unclaimed profile makes (store_claims_of_user, the whole walk when the
 * viewer has no claim of that profile) and the whole /me page (view_me).
 *
 *   claims --store DIR --authors FILE [--researcher ID] [--views DIR]
 *          [--claims N] [--iterations I] [--quiet]
 *
 * Makes a store in DIR (which must not exist) with the catalog of FILE
 * (OpenAlex author lines), then files N + 1 claims of researcher ID
 * (default A101), each rejected so that the next may be filed: the viewer's
 * first, then N of other users. Prints the median and mean of I timed
 * walks and I timed /me renders (CLOCK_MONOTONIC, after 100 untimed).
 * Under valgrind --tool=callgrind run it twice with different I and
 * divide the difference of the instruction counts by the difference of
 * I: the cost of one walk and one /me render, without the set-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../store/import.h"
#include "../store/store.h"
#include "../views/page.h"
#include "../views/me.h"
#include "../views/views.h"

#define VIEWER "viewer"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
count_cb(void *ctx, const struct store_claim *c)
{
	(void)c;
	(*(size_t *)ctx)++;
	return 0;
}

/* Files and rejects one claim of researcher rid by user. */
static int
file_rejected(struct store *s, struct sv rid, const char *user)
{
	struct store_claim c;
	uint64_t id;
	int rc;

	memset(&c, 0, sizeof(c));
	c.researcher_id = rid;
	c.user = (struct sv){ user, strlen(user) };
	if ((rc = store_claim_file(s, &c, &id)) != 0)
		return rc;
	return store_claim_decide(s, id, 0, 0, (struct sv){ "no", 2 });
}

static void
report(const char *what, double *t, long n, int quiet)
{
	double sum = 0;

	if (quiet)
		return;
	for (long i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("%s: median %.2f µs, mean %.2f µs\n", what, t[n / 2], sum / n);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *authors = NULL, *views_dir = "views";
	const char *researcher = "A101";
	long claims = 2000, iterations = 2000;
	int quiet = 0, rc;
	struct buf err = BUF_INIT;
	struct import_opts o;
	struct import_report rep;
	struct store *s;
	struct store_rtxn *t;
	struct page pg;
	struct sv rid;
	double *tw, *tm;
	char user[32];
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--authors") == 0 && i + 1 < argc)
			authors = argv[++i];
		else if (strcmp(argv[i], "--researcher") == 0 && i + 1 < argc)
			researcher = argv[++i];
		else if (strcmp(argv[i], "--views") == 0 && i + 1 < argc)
			views_dir = argv[++i];
		else if (strcmp(argv[i], "--claims") == 0 && i + 1 < argc)
			claims = atol(argv[++i]);
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iterations = atol(argv[++i]);
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else {
			fprintf(stderr, "usage: claims --store DIR --authors FILE "
			    "[--researcher ID] [--views DIR] [--claims N] "
			    "[--iterations I] [--quiet]\n");
			return 2;
		}
	}
	if (dir == NULL || authors == NULL || claims < 0 || iterations < 1) {
		fprintf(stderr, "claims: --store DIR and --authors FILE are "
		    "needed, --claims >= 0, --iterations >= 1\n");
		return 2;
	}
	if (views_load(views_dir, &err) < 0) {
		fprintf(stderr, "claims: views: %s\n", err.p);
		return 1;
	}
	if ((rc = store_open(dir, STORE_CREATE, &s)) != 0)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.authors = &authors;
	o.n_authors = 1;
	o.log = stderr;
	if ((rc = store_import(s, &o, &rep)) != 0)
		goto fail;
	rid = (struct sv){ researcher, strlen(researcher) };
	if ((rc = file_rejected(s, rid, VIEWER)) != 0)
		goto fail;
	for (long i = 0; i < claims; i++) {
		snprintf(user, sizeof(user), "user%06ld", i);
		if ((rc = file_rejected(s, rid, user)) != 0)
			goto fail;
	}

	tw = calloc((size_t)iterations, sizeof(*tw));
	tm = calloc((size_t)iterations, sizeof(*tm));
	if (tw == NULL || tm == NULL)
		return 1;
	page_init(&pg);
	for (long i = -100; i < iterations; i++) {
		double t0, t1, t2;

		if ((rc = store_read_begin(s, &t)) != 0)
			goto fail;
		n = 0;
		t0 = now_us();
		rc = store_claims_of_user(t, (struct sv){ VIEWER,
		    sizeof(VIEWER) - 1 }, count_cb, &n);
		t1 = now_us();
		if (rc == 0) {
			struct me_args a = { .user = { VIEWER, sizeof(VIEWER) - 1 },
			    .page = 1 };

			page_reset(&pg);
			rc = view_me(t, &a, &pg);
		}
		t2 = now_us();
		store_read_end(t);
		if (rc != 0)
			goto fail;
		if (n != 1) {
			fprintf(stderr, "claims: the viewer has %zu claims, not 1\n", n);
			return 1;
		}
		if (i >= 0) {
			tw[i] = t1 - t0;
			tm[i] = t2 - t1;
		}
	}
	if (!quiet)
		printf("%ld claims in the store, the viewer's one the oldest\n",
		    claims + 1);
	report("the viewer's claims (store_claims_of_user)", tw, iterations,
	    quiet);
	report("the /me page (view_me)", tm, iterations, quiet);
	page_free(&pg);
	free(tw);
	free(tm);
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "claims: %s\n", store_strerror(rc));
	return 1;
}
