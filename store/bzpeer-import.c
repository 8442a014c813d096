/* bzpeer-import.c: the command that loads OpenAlex snapshot files (JSON Lines, maybe gzipped) into the store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"
#include "store.h"

static void
usage(FILE *f)
{
	fputs("usage: bzpeer-import --store DIR [--authors FILE]... "
	    "[--works FILE]... [--strict]\n"
	    "                     [--threads N] [--map-size BYTES] "
	    "[--map-max BYTES]\n"
	    "  FILE is OpenAlex JSON Lines, .jsonl or .jsonl.gz; each flag "
	    "may repeat.\n"
	    "  --strict   the first bad line fails the import (exit 1), "
	    "nothing written\n"
	    "  --threads  JSON parser threads (default: one per CPU; 0: "
	    "none)\n"
	    "  --map-size the map size to open with; --map-max how far it "
	    "may grow\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts o;
	struct import_report rep;
	struct store_opts so = { 0, 0 };
	struct store *s;
	struct timespec t0, t1;
	const char *dir = NULL;
	const char **authors = NULL, **works = NULL;
	int c, rc, status = 1;

	memset(&o, 0, sizeof(o));
	o.threads = -1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'a': push(&authors, &o.n_authors, optarg); break;
		case 'w': push(&works, &o.n_works, optarg); break;
		case 'S': o.strict = 1; break;
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
	if (optind != argc || dir == NULL || o.n_authors + o.n_works == 0) {
		usage(stderr);
		status = 2;
		goto free;
	}
	o.authors = authors;
	o.works = works;
	o.log = stderr;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = store_open_opts(dir, STORE_CREATE, &so, &s)) != 0) {
		fprintf(stderr, "bzpeer-import: %s: %s\n", dir,
		    store_strerror(rc));
		goto free;
	}
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
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("bzpeer-import: %llu authors, %llu works, %llu bad lines, "
	    "generation %llu (%.2f s)\n", (unsigned long long)rep.authors,
	    (unsigned long long)rep.works, (unsigned long long)rep.bad_lines,
	    (unsigned long long)rep.generation,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	status = fflush(stdout) == 0 ? 0 : 1;
free:
	free(authors);
	free(works);
	return status;
}
