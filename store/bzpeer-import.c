/* bzpeer-import.c: the command that loads OpenAlex snapshot files (JSON Lines, maybe gzipped) into the store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fcgi-app/config.h"   /* BZPEER_VERSION, every program's one version */
#include "import.h"
#include "log.h"
#include "snapshot.h"
#include "store.h"

/*
 * LMDB keeps every page an import writes in its own malloc() block until
 * the commit: a gigabyte or more of fresh heap, first touched 4 KiB at a
 * time. On these virtual machines a page fault (a page-table update through
 * the hypervisor) cost about a third of the thread that writes the store
 * (perf, 1 M works). glibc's malloc can ask for transparent huge pages
 * (2 MiB per fault) for its heap, but reads that setting only when a
 * program starts (GLIBC_TUNABLES), so the importer runs itself again once
 * with it added. BZPEER_IMPORT_EXEC set in the environment (to anything)
 * skips this, e.g. under valgrind; if the exec fails the import runs as it
 * is. The store is the same either way.
 */
static void
exec_with_hugepages(char **argv)
{
	static const char want[] = "glibc.malloc.hugetlb=1";
	const char *old = getenv("GLIBC_TUNABLES");
	char *t;
	size_t n;

	if (getenv("BZPEER_IMPORT_EXEC") != NULL ||
	    (old != NULL && strstr(old, "glibc.malloc.hugetlb") != NULL))
		return;
	n = sizeof(want) + (old ? strlen(old) + 1 : 0);
	if ((t = malloc(n)) == NULL)
		return;
	snprintf(t, n, "%s%s%s", want, old ? ":" : "", old ? old : "");
	if (setenv("BZPEER_IMPORT_EXEC", "1", 1) == 0 &&
	    setenv("GLIBC_TUNABLES", t, 1) == 0)
		(void)execv("/proc/self/exe", argv);
	/* Still here: run without. */
	if (old != NULL)
		(void)setenv("GLIBC_TUNABLES", old, 1);
	else
		(void)unsetenv("GLIBC_TUNABLES");
	free(t);
}

static void
usage(FILE *f)
{
	fputs("usage: bzpeer-import --store DIR [--authors FILE]... "
	    "[--works FILE]... [--strict]\n"
	    "                     [--threads N] [--map-size BYTES] "
	    "[--map-max BYTES] [--timings]\n"
	    "       bzpeer-import --store DIR --snapshot SNAPSHOT [options]\n"
	    "       bzpeer-import --store DIR --into-new (--snapshot S | FILEs) "
	    "[options]\n"
	    "  FILE is OpenAlex JSON Lines, .jsonl or .jsonl.gz; each flag "
	    "may repeat.\n"
	    "  --snapshot the folder `aws s3 sync s3://openalex SNAPSHOT` "
	    "made (either\n"
	    "             layout): its manifests checked, then the partitions "
	    "newer than\n"
	    "             those the store applied, merged ids, deleted works\n"
	    "  --into-new a new catalog beside the serving one (DIR/catalog.new),"
	    "\n"
	    "             then swapped in atomically; user data untouched. "
	    "Then reload\n"
	    "             the service (SIGHUP) to serve it; the old catalog is "
	    "kept\n"
	    "             as DIR/catalog.before-TIME\n"
	    "  --strict   the first bad line fails the import (exit 1), "
	    "nothing written\n"
	    "  --threads  JSON parser threads, beside one reader thread "
	    "(default: one per\n"
	    "             CPU; 0: none, all on one thread)\n"
	    "  --map-size the map size to open with; --map-max how far it "
	    "may grow\n"
	    "  --timings  one more line: where the time went (read, derive, "
	    "commit)\n"
	    "exit: 0 imported, 1 bad line under --strict or an error, "
	    "2 usage\n", f);
}

/* "123", "64K", "256M", "1G" to bytes; -1 if not that. */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: return -1;
	}
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Appends s to a growing array of strings (the argv strings themselves). */
static void
push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* The snapshot's lists as import_opts' arrays. */
struct snap_arrays {
	const char **path[5], **date[5];
	uint64_t *records[2];
};

static void
snap_list_arrays(const struct snap_list *l, struct snap_arrays *a, int k)
{
	size_t i, n = l->n ? l->n : 1;

	a->path[k] = xcalloc(n, sizeof(char *));
	a->date[k] = xcalloc(n, sizeof(char *));
	if (k < 2)
		a->records[k] = xcalloc(n, sizeof(uint64_t));
	for (i = 0; i < l->n; i++) {
		a->path[k][i] = l->v[i].path;
		a->date[k][i] = l->v[i].date;
		if (k < 2)
			a->records[k][i] = l->v[i].records;
	}
}

static void
snap_opts(const struct snapshot *s, struct snap_arrays *a,
    struct import_opts *o)
{
	const struct snap_list *l[5] = { &s->authors, &s->works,
	    &s->merged_authors, &s->merged_works, &s->deleted };
	int k;

	for (k = 0; k < 5; k++)
		snap_list_arrays(l[k], a, k);
	o->authors = a->path[0];
	o->authors_date = a->date[0];
	o->authors_records = a->records[0];
	o->n_authors = s->authors.n;
	o->works = a->path[1];
	o->works_date = a->date[1];
	o->works_records = a->records[1];
	o->n_works = s->works.n;
	o->merged_authors = a->path[2];
	o->merged_authors_date = a->date[2];
	o->n_merged_authors = s->merged_authors.n;
	o->merged_works = a->path[3];
	o->merged_works_date = a->date[3];
	o->n_merged_works = s->merged_works.n;
	o->deleted_works = a->path[4];
	o->n_deleted_works = s->deleted.n;
	o->total_bytes = s->bytes;
}

static void
snap_arrays_free(struct snap_arrays *a)
{
	int k;

	for (k = 0; k < 5; k++) {
		free(a->path[k]);
		free(a->date[k]);
	}
	free(a->records[0]);
	free(a->records[1]);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "authors", required_argument, NULL, 'a' },
		{ "works", required_argument, NULL, 'w' },
		{ "strict", no_argument, NULL, 'S' },
		{ "map-size", required_argument, NULL, 'm' },
		{ "map-max", required_argument, NULL, 'M' },
		{ "threads", required_argument, NULL, 't' },
		{ "timings", no_argument, NULL, 'T' },
		{ "snapshot", required_argument, NULL, 'D' },
		{ "into-new", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts o;
	struct import_report rep;
	struct store_opts so = { 0, 0, 0, NULL };   /* waits for other writers */
	struct store *s, *hold = NULL;
	struct timespec t0, t1;
	const char *dir = NULL, *snapdir = NULL;
	const char **authors = NULL, **works = NULL;
	struct snapshot snap;
	struct snap_arrays sa;
	int c, rc, status = 1, timings = 0, have_snap = 0, into_new = 0;
	struct buf old = BUF_INIT;

	/* The store's own lines (a map that grows, say) in the log's format. */
	log_setup("bzpeer-import", LOGL_INFO);

	exec_with_hugepages(argv);
	memset(&o, 0, sizeof(o));
	o.threads = -1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'a': push(&authors, &o.n_authors, optarg); break;
		case 'w': push(&works, &o.n_works, optarg); break;
		case 'S': o.strict = 1; break;
		case 'T': timings = 1; break;
		case 'D': snapdir = optarg; break;
		case 'N': into_new = 1; break;
		case 'm':
		case 'M':
			if (parse_size(optarg, c == 'm' ? &so.map_size :
			    &so.map_max) != 0) {
				fprintf(stderr, "bzpeer-import: bad size: %s\n",
				    optarg);
				status = 2;
				goto free;
			}
			break;
		case 't': {
			char *end;
			long n;

			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 0 || n > 64) {
				fprintf(stderr, "bzpeer-import: bad thread "
				    "count: %s\n", optarg);
				status = 2;
				goto free;
			}
			o.threads = (int)n;
			break;
		}
		case 'h':
			usage(stdout);
			status = 0;
			goto free;
		default:
			usage(stderr);
			status = 2;
			goto free;
		}
	}
	if (optind != argc || dir == NULL ||
	    (snapdir == NULL) == (o.n_authors + o.n_works == 0)) {
		usage(stderr);
		status = 2;
		goto free;
	}
	o.authors = authors;
	o.works = works;
	o.log = stderr;
	o.progress = isatty(STDERR_FILENO);
	memset(&sa, 0, sizeof(sa));
	if (snapdir != NULL) {
		/* Every manifest checked before the store is opened. */
		if (snapshot_scan(snapdir, &snap, stderr) != 0) {
			fprintf(stderr, "bzpeer-import: %s: the snapshot does "
			    "not match its manifests; the store is unchanged\n",
			    snapdir);
			goto free;
		}
		have_snap = 1;
		snap_opts(&snap, &sa, &o);
	}

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Run as root, it imports as the store's owner: the files it makes
	 * (a new store, LMDB's lock file) belong to the service. */
	if ((rc = store_as_owner(dir, NULL)) != 0) {
		fprintf(stderr, "bzpeer-import: cannot act as the owner of %s: "
		    "%s\n", dir, strerror(rc));
		goto free;
	}
	rc = into_new ? store_catalog_begin(dir, &so, &s, &hold) :
	    store_open_opts(dir, STORE_CREATE, &so, &s);
	if (rc != 0) {
		fprintf(stderr, "bzpeer-import: %s: %s\n", dir,
		    store_strerror(rc));
		goto free;
	}
	if ((rc = store_program_note(s, "bzpeer-import " BZPEER_VERSION)) == 0)
		rc = store_import(s, &o, &rep);
	store_close(s);
	if (rc == STORE_INVALID) {
		fprintf(stderr, "bzpeer-import: stopped at the first bad line "
		    "(--strict); the store is unchanged\n");
		goto free;
	}
	if (rc != 0) {
		fprintf(stderr, "bzpeer-import: import failed: %s; the store "
		    "is unchanged\n", store_strerror(rc));
		goto free;
	}
	if (into_new) {
		rc = store_catalog_swap(dir, &old, hold);
		hold = NULL;
		if (rc != 0) {
			fprintf(stderr, "bzpeer-import: %s: the new catalog is "
			    "built, but not swapped in: %s; the serving one is "
			    "unchanged\n", dir, store_strerror(rc));
			goto free;
		}
		/* Its merges, applied to user data (a post would do it too). */
		if ((rc = store_open_opts(dir, 0, &so, &s)) == 0) {
			rc = store_merges_apply(s);
			store_close(s);
		}
		if (rc != 0)
			fprintf(stderr, "bzpeer-import: %s: the merges are not "
			    "all applied to user data yet (%s): the next post "
			    "applies the rest\n", dir, store_strerror(rc));
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	/* One summary line, whatever the input. */
	printf("bzpeer-import: %llu authors, %llu works, %llu bad lines, "
	    "generation %llu (%.2f s)", (unsigned long long)rep.authors,
	    (unsigned long long)rep.works, (unsigned long long)rep.bad_lines,
	    (unsigned long long)rep.generation,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (have_snap)
		printf("; snapshot (%s layout): %llu partition files read, %llu "
		    "applied before; %llu researchers merged, %llu works "
		    "deleted", snap.layout, (unsigned long long)rep.parts_read,
		    (unsigned long long)rep.parts_skipped,
		    (unsigned long long)rep.merged,
		    (unsigned long long)rep.deleted);
	putchar('\n');
	if (into_new)
		printf("bzpeer-import: new catalog swapped in; the old one is "
		    "%s; reload the service to serve the new one\n", old.p);
	if (rep.placeholders)
		printf("bzpeer-import: %llu placeholder authors (OpenAlex's "
		    "\"Deleted Author\" and the like) given no profile\n",
		    (unsigned long long)rep.placeholders);
	if (timings)
		printf("bzpeer-import: seconds wall (CPU of the writing thread): "
		    "read %.2f (%.2f), derive %.2f (%.2f), commit %.2f "
		    "(%.2f)\n", rep.read_s, rep.read_cpu_s, rep.derive_s,
		    rep.derive_cpu_s, rep.commit_s, rep.commit_cpu_s);
	status = fflush(stdout) == 0 ? 0 : 1;
free:
	store_catalog_release(hold);   /* a build abandoned: the gate back */
	if (have_snap) {
		snap_arrays_free(&sa);
		snapshot_free(&snap);
	}
	free(authors);
	free(works);
	buf_free(&old);
	return status;
}
