/*
 * render.c: the in-process benchmark of the render path (`make bench`):
 * what a cold profile GET costs inside a worker, without nginx, FastCGI or
 * Redis: a read transaction, the slug lookup, the profile view rendered
 * into a page with holes, and the holes filled for an anonymous viewer.
 *
 *   render --store DIR --views DIR [--slug SLUG] [--iterations N]
 *          [--slugs FILE] [--quiet]
 *
 * Prints the page size, then the median, p90, p99 and mean of N timed
 * renders (CLOCK_MONOTONIC, after 200 untimed warm-up renders). With
 * --slugs FILE (one slug a line) each iteration renders the next slug of the
 * file in turn: the scale benchmark uses it to visit many researchers, so
 * the B-tree pages are not all hot in the CPU cache. Under
 * valgrind --tool=callgrind run it twice with different N and divide the
 * difference of the instruction counts by the difference of N: the cost of
 * one render without start-up (bench/bench.sh does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../store/store.h"
#include "../views/page.h"
#include "../views/holes.h"
#include "../views/profile.h"
#include "../views/views.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One render of slug: 0, or a store error (printed). */
static int
render_one(struct store *s, struct sv slug, struct page *pg, struct buf *out)
{
	struct store_rtxn *t;
	struct store_researcher res;
	struct viewer v;
	int rc;

	if ((rc = store_read_begin(s, &t)) != 0)
		goto fail;
	if ((rc = store_researcher_by_slug(t, slug, &res)) != 0)
		goto end;
	page_reset(pg);
	if ((rc = view_profile(t, &res, pg)) != 0)
		goto end;
	memset(&v, 0, sizeof(v));
	v.claim = res.claim;
	if ((rc = store_followers(t, res.id, &v.followers)) == STORE_NOTFOUND)
		rc = 0;
	buf_reset(out);
	page_fill(pg, &v, out);
end:
	store_read_end(t);
	if (rc == 0)
		return 0;
fail:
	fprintf(stderr, "render: %.*s: %s\n", (int)slug.n, slug.p,
	    store_strerror(rc));
	return rc;
}

int
main(int argc, char **argv)
{
	const char *store_dir = NULL, *views_dir = "views", *slug = "sanjeev-arora";
	const char *slugs_file = NULL;
	long iterations = 20000;
	int quiet = 0;
	struct buf err = BUF_INIT, out = BUF_INIT, slugbuf = BUF_INIT;
	struct sv *slugs = NULL;
	size_t nslugs = 0;
	struct store *s;
	struct page pg;
	double *t, sum = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store_dir = argv[++i];
		else if (strcmp(argv[i], "--views") == 0 && i + 1 < argc)
			views_dir = argv[++i];
		else if (strcmp(argv[i], "--slug") == 0 && i + 1 < argc)
			slug = argv[++i];
		else if (strcmp(argv[i], "--slugs") == 0 && i + 1 < argc)
			slugs_file = argv[++i];
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iterations = atol(argv[++i]);
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else {
			fprintf(stderr, "usage: render --store DIR --views DIR "
			    "[--slug SLUG] [--slugs FILE] [--iterations N] [--quiet]\n");
			return 2;
		}
	}
	if (store_dir == NULL || iterations < 1) {
		fprintf(stderr, "render: --store DIR is needed, --iterations >= 1\n");
		return 2;
	}
	if (views_load(views_dir, &err) < 0) {
		fprintf(stderr, "render: views: %s\n", err.p);
		return 1;
	}
	if ((rc = store_open(store_dir, STORE_RDONLY, &s)) != 0) {
		fprintf(stderr, "render: store %s: %s\n", store_dir, store_strerror(rc));
		return 1;
	}
	if (slugs_file != NULL) {
		FILE *f = fopen(slugs_file, "r");
		char line[512];
		size_t cap = 0;

		if (f == NULL) {
			perror(slugs_file);
			return 1;
		}
		while (fgets(line, sizeof(line), f) != NULL) {
			size_t n = strcspn(line, "\r\n");

			if (n == 0)
				continue;
			buf_put(&slugbuf, line, n);
			if (nslugs == cap) {
				cap = cap ? cap * 2 : 1024;
				slugs = realloc(slugs, cap * sizeof(*slugs));
				if (slugs == NULL)
					return 1;
			}
			/* Offsets for now: the buffer may still move. */
			slugs[nslugs++] = (struct sv){ (const char *)(uintptr_t)(slugbuf.len - n), n };
		}
		fclose(f);
		for (size_t i = 0; i < nslugs; i++)
			slugs[i].p = slugbuf.p + (uintptr_t)slugs[i].p;
		if (nslugs == 0) {
			fprintf(stderr, "render: %s holds no slug\n", slugs_file);
			return 1;
		}
	}
	page_init(&pg);
	t = malloc((size_t)iterations * sizeof(*t));
	if (t == NULL)
		return 1;

	for (long i = 0; i < 200 && i < iterations; i++)
		if (render_one(s, nslugs ? slugs[(size_t)i % nslugs] : sv_cstr(slug),
		    &pg, &out) != 0)
			return 1;
	for (long i = 0; i < iterations; i++) {
		struct sv sl = nslugs ? slugs[(size_t)i % nslugs] : sv_cstr(slug);
		double t0 = mono_now() * 1e6;

		if (render_one(s, sl, &pg, &out) != 0)
			return 1;
		t[i] = mono_now() * 1e6 - t0;
		sum += t[i];
	}
	if (!quiet) {
		qsort(t, (size_t)iterations, sizeof(*t), cmp_double);
		printf("render: %s, %ld renders, last page %zu bytes, %u holes\n",
		    nslugs ? "slugs in turn" : slug, iterations, out.len, pg.nholes);
		printf("render_us median %.2f p90 %.2f p99 %.2f mean %.2f\n",
		    t[iterations / 2], t[iterations * 90 / 100],
		    t[iterations * 99 / 100], sum / (double)iterations);
	}
	free(t);
	free(slugs);
	page_free(&pg);
	buf_free(&out);
	buf_free(&slugbuf);
	buf_free(&err);
	store_close(s);
	views_unload();
	return 0;
}
