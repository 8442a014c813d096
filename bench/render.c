/*
 * render.c: the in-process benchmark of the render path (`make bench`):
 * what a cold profile GET costs inside a worker, without nginx, FastCGI or
 * Redis: a read transaction, the slug lookup, the profile view rendered
 * into a page with holes, and the holes filled for an anonymous viewer.
 *
 *   render --store DIR --views DIR [--slug SLUG] [--iterations N]
 *          [--slugs FILE] [--quiet]
 *   render --store DIR --views DIR --cold [--slugs FILE | --gencat N]
 *          [--iterations N]
 *   render --store DIR --gencat N --iterations K --print-slugs
 *
 * --print-slugs writes the slugs of K random researchers of a gencat
 * catalog of N, one a line, and renders nothing: the addresses the
 * through-nginx scale run visits (bench/scale.sh, bench/zipf.lua).
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/*
 * The share of path's pages in the page cache (mincore over a read-only
 * map of it), or -1 with a message.
 */
static double
resident(const char *path)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct stat st;
	unsigned char *vec;
	size_t npages, in = 0;
	void *map;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	npages = ((size_t)st.st_size + (size_t)pg - 1) / (size_t)pg;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED || (vec = malloc(npages)) == NULL) {
		perror("render: mmap");
		return -1;
	}
	if (mincore(map, (size_t)st.st_size, vec) < 0) {
		perror("render: mincore");
		return -1;
	}
	for (size_t i = 0; i < npages; i++)
		in += vec[i] & 1;
	free(vec);
	munmap(map, (size_t)st.st_size);
	return (double)in / (double)npages;
}

/* Drops path's clean pages from the page cache: 0, or -1 with a message. */
static int
evict(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		perror(path);
		return -1;
	}
	(void)fdatasync(fd);
	rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (rc != 0) {
		fprintf(stderr, "render: posix_fadvise: %s\n", strerror(rc));
		return -1;
	}
	return 0;
}

static long
majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

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
	int quiet = 0, cold = 0, print_slugs = 0;
	unsigned oflags = STORE_RDONLY;
	long warm = 0;
	unsigned long gencat_n = 0;
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
		else if (strcmp(argv[i], "--cold") == 0)
			cold = 1;
		else if (strcmp(argv[i], "--nordahead") == 0)
			oflags |= STORE_NORDAHEAD;
		else if (strcmp(argv[i], "--warm") == 0 && i + 1 < argc)
			warm = atol(argv[++i]);
		else if (strcmp(argv[i], "--gencat") == 0 && i + 1 < argc)
			gencat_n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--print-slugs") == 0)
			print_slugs = 1;
		else {
			fprintf(stderr, "usage: render --store DIR --views DIR "
			    "[--slug SLUG] [--slugs FILE] [--iterations N] [--quiet]\n"
			    "       render --store DIR --views DIR --cold "
			    "[--slugs FILE | --gencat N] [--iterations N] [--warm M] [--nordahead]\n"
			    "       render --store DIR --gencat N --iterations K --print-slugs\n");
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
	if ((rc = store_open(store_dir, oflags, &s)) != 0) {
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
	if (gencat_n > 0) {
		struct store_rtxn *rt;
		char idb[32];
		uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
		size_t *off;

		/* Offsets into slugbuf first, as for --slugs. */
		nslugs = (size_t)iterations + (size_t)(warm > 0 ? warm : 0);
		slugs = calloc(nslugs, sizeof(*slugs));
		off = calloc(nslugs, sizeof(*off));
		if (slugs == NULL || off == NULL || store_read_begin(s, &rt) != 0)
			return 1;
		for (size_t i = 0; i < nslugs; i++) {
			struct store_researcher r;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			snprintf(idb, sizeof(idb), "A6%09lu",
			    (unsigned long)(x % gencat_n));
			if ((rc = store_researcher_by_id(rt, sv_cstr(idb), &r)) != 0) {
				fprintf(stderr, "render: %s: %s\n", idb,
				    store_strerror(rc));
				return 1;
			}
			off[i] = slugbuf.len;
			slugs[i].n = r.slug.n;
			buf_put(&slugbuf, r.slug.p, r.slug.n);
		}
		store_read_end(rt);
		for (size_t i = 0; i < nslugs; i++)
			slugs[i].p = slugbuf.p + off[i];
		free(off);
	}
	if (print_slugs) {
		if (gencat_n == 0) {
			fprintf(stderr, "render: --print-slugs needs --gencat N\n");
			return 2;
		}
		for (size_t i = 0; i < nslugs; i++)
			printf("%.*s\n", (int)slugs[i].n, slugs[i].p);
		store_close(s);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	page_init(&pg);
	t = malloc((size_t)iterations * sizeof(*t));
	if (t == NULL)
		return 1;
	if (cold) {
		char path[4096];
		double before, after, end;
		long *f, fsum = 0;

		if (nslugs == 0) {
			fprintf(stderr, "render: --cold needs --slugs or --gencat\n");
			return 2;
		}
		if ((size_t)iterations > nslugs)
			iterations = (long)nslugs;
		snprintf(path, sizeof(path), "%s/catalog/data.mdb", store_dir);
		store_close(s);
		before = resident(path);
		if (before < 0 || evict(path) < 0 || (after = resident(path)) < 0)
			return 1;
		if ((rc = store_open(store_dir, oflags, &s)) != 0) {
			fprintf(stderr, "render: store %s: %s\n", store_dir,
			    store_strerror(rc));
			return 1;
		}
		/* Renders not counted: the tree tops and small tables come
		 * back into memory as they would on a site that has been up
		 * a while; what is counted is what a visit to a researcher
		 * nobody asked for lately costs. */
		if (warm > (long)nslugs - iterations)
			warm = (long)nslugs - iterations;
		for (long i = 0; i < warm; i++)
			if (render_one(s, slugs[iterations + i], &pg, &out) != 0)
				return 1;
		if ((f = malloc((size_t)iterations * sizeof(*f))) == NULL)
			return 1;
		for (long i = 0; i < iterations; i++) {
			long f0 = majflt();
			double t0 = mono_now() * 1e6;

			if (render_one(s, slugs[i], &pg, &out) != 0)
				return 1;
			t[i] = mono_now() * 1e6 - t0;
			f[i] = majflt() - f0;
			sum += t[i];
			fsum += f[i];
		}
		end = resident(path);
		qsort(t, (size_t)iterations, sizeof(*t), cmp_double);
		qsort(f, (size_t)iterations, sizeof(*f), cmp_long);
		printf("render: cold%s, %ld renders of different researchers "
		    "after %ld not counted, last page %zu bytes\n",
		    oflags & STORE_NORDAHEAD ? " (no readahead)" : "",
		    iterations, warm, out.len);
		printf("resident before %.4f evicted %.4f after %.4f\n", before,
		    after, end);
		printf("majflt median %ld p90 %ld p99 %ld mean %.2f\n",
		    f[iterations / 2], f[iterations * 90 / 100],
		    f[iterations * 99 / 100], (double)fsum / (double)iterations);
		printf("render_us median %.2f p90 %.2f p99 %.2f mean %.2f\n",
		    t[iterations / 2], t[iterations * 90 / 100],
		    t[iterations * 99 / 100], sum / (double)iterations);
		free(f);
		goto done;
	}

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
done:
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
