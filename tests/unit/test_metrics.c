/* test_metrics.c: the shared counters across processes, and their Prometheus text form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../fcgi-app/config.h"
#include "../../fcgi-app/metrics.h"
#include "../../fcgi-app/router.h"
#include "check.h"

static struct buf out;

/* The text of the last format, NUL-terminated. */
static const char *
text(void)
{
	buf_putc(&out, '\0');
	out.len--;
	return out.p;
}

static int
has_line(const char *line)
{
	const char *t = text();
	size_t n = strlen(line);

	for (const char *p = t; (p = strstr(p, line)) != NULL; p++)
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void
format(const struct metrics_shm *m, const struct metrics_gauges *g)
{
	const struct route *routes;
	size_t n;

	routes = router_routes(&n);
	buf_reset(&out);
	metrics_format(&out, m, routes, n, g);
}

/* The slot of the route with this pattern and method. */
static const struct route *
route_of(const char *pattern)
{
	const struct route *routes;
	size_t n;

	routes = router_routes(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(routes[i].pattern, pattern) == 0)
			return &routes[i];
	return NULL;
}

/*
 * What Prometheus's parser insists on: every sample line is
 * `name{labels} value` or `name value` with a name declared by a TYPE line
 * before it (a histogram's _bucket, _sum and _count by its own), no name
 * declared twice, and the text ends with a newline.
 */
static int
well_formed(void)
{
	char types[64][80];
	size_t ntypes = 0;
	const char *p = text();

	if (out.len == 0 || p[out.len - 1] != '\n')
		return 0;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = (size_t)(e - p), k;
		char name[80];
		int found = 0;

		if (n >= 7 && memcmp(p, "# TYPE ", 7) == 0) {
			k = strcspn(p + 7, " ");
			if (k >= sizeof(types[0]) || ntypes == 64)
				return 0;
			for (size_t i = 0; i < ntypes; i++)
				if (strlen(types[i]) == k &&
				    memcmp(types[i], p + 7, k) == 0)
					return 0;
			memcpy(types[ntypes], p + 7, k);
			types[ntypes++][k] = '\0';
		} else if (n >= 7 && memcmp(p, "# HELP ", 7) == 0) {
			;
		} else {
			const char *sp;

			k = strcspn(p, "{ ");
			if (k == 0 || k >= sizeof(name))
				return 0;
			memcpy(name, p, k);
			name[k] = '\0';
			if (p[k] == '{' && memchr(p, '}', n) == NULL)
				return 0;
			sp = memrchr(p, ' ', n);
			if (sp == NULL || sp + 1 == e ||
			    strspn(sp + 1, "0123456789.e+-") != (size_t)(e - sp - 1))
				return 0;
			for (size_t i = 0; i < ntypes && !found; i++) {
				size_t t = strlen(types[i]);

				found = strcmp(types[i], name) == 0 ||
				    (strncmp(types[i], name, t) == 0 &&
				    (strcmp(name + t, "_bucket") == 0 ||
				    strcmp(name + t, "_sum") == 0 ||
				    strcmp(name + t, "_count") == 0));
			}
			if (!found)
				return 0;
		}
		p = e + 1;
	}
	return 1;
}

static void
test_noop_before_init(void)
{
	CHECK(metrics_get() == NULL);
	/* Nothing to count into: nothing happens, nothing crashes. */
	metrics_request(NULL, 200, 0.001);
	metrics_follow_batch(3);
	metrics_page_cache(MC_HIT);
	CHECK(metrics_get() == NULL);
}

static void
test_format_empty(void)
{
	static const struct metrics_shm zero;
	struct metrics_gauges g = { 0 };

	format(&zero, &g);
	CHECK(well_formed());
	CHECK(has_line("# TYPE bzpeer_http_requests_total counter"));
	CHECK(has_line("bzpeer_build_info{version=\"" BZPEER_VERSION "\"} 1"));
	/* No request yet: no series, no histogram lines. */
	CHECK(strstr(text(), "bzpeer_http_requests_total{") == NULL);
	CHECK(strstr(text(), "duration_seconds_bucket") == NULL);
	CHECK(has_line("bzpeer_store_up 0"));
	/* A store that cannot be read says nothing about its figures. */
	CHECK(strstr(text(), "bzpeer_catalog_generation") == NULL);
	CHECK(has_line("bzpeer_redis_up 0"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"+Inf\"} 0"));
	CHECK(has_line("bzpeer_follow_batch_size_count 0"));
}

static void
test_counts_and_format(void)
{
	struct metrics_shm *m;
	struct metrics_gauges g = {
		.store_ok = 1, .generation = 7, .researchers = 3, .works = 40,
		.map_size = 268435456, .map_used = 1048576, .file_size = 999424,
		.redis_configured = 1, .redis_up = 1,
	};
	const struct route *prof = route_of("/researchers/{slug}");
	const struct route *health = route_of("/healthz");

	REQUIRE(prof != NULL && health != NULL);
	REQUIRE(metrics_init() == 0);
	REQUIRE((m = metrics_get()) != NULL);
	CHECK(metrics_init() == 0 && metrics_get() == m);   /* once */

	metrics_request(prof, 200, 0.0005);    /* on the first bound: in it */
	metrics_request(prof, 200, 0.00051);   /* just past: the next */
	metrics_request(prof, 304, 0.003);
	metrics_request(prof, 404, 7.0);       /* past the last bound: +Inf */
	metrics_request(health, 200, 0.0001);
	metrics_request(NULL, 400, 0.0001);    /* no route */
	metrics_request(NULL, 42, 0.0001);     /* no such status: 599 */
	metrics_page_cache(MC_HIT);
	metrics_page_cache(MC_HIT);
	metrics_page_cache(MC_MISS);
	metrics_redis_error();
	metrics_follow_batch(1);
	metrics_follow_batch(3);
	metrics_follow_batch(100);
	metrics_rate_refused(MR_ADDRESS);
	metrics_worker_restart();
	metrics_workers(4);
	metrics_workers(3);                    /* a gauge: set, not added */

	format(m, &g);
	CHECK(well_formed());
	CHECK(has_line("bzpeer_http_requests_total{route=\"/researchers/{slug}\",status=\"200\"} 2"));
	CHECK(has_line("bzpeer_http_requests_total{route=\"/researchers/{slug}\",status=\"304\"} 1"));
	CHECK(has_line("bzpeer_http_requests_total{route=\"/researchers/{slug}\",status=\"404\"} 1"));
	CHECK(has_line("bzpeer_http_requests_total{route=\"/healthz\",status=\"200\"} 1"));
	CHECK(has_line("bzpeer_http_requests_total{route=\"none\",status=\"400\"} 1"));
	CHECK(has_line("bzpeer_http_requests_total{route=\"none\",status=\"599\"} 1"));
	/* Cumulative buckets, +Inf equal to _count. */
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"0.0005\"} 1"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"0.001\"} 2"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"0.0025\"} 2"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"0.005\"} 3"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"2.5\"} 3"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_bucket{route=\"/researchers/{slug}\",le=\"+Inf\"} 4"));
	CHECK(has_line("bzpeer_http_request_duration_seconds_count{route=\"/researchers/{slug}\"} 4"));
	/* 0.5 + 0.51 + 3 + 7000 ms, kept in microseconds. */
	CHECK(has_line("bzpeer_http_request_duration_seconds_sum{route=\"/researchers/{slug}\"} 7.00401"));
	/* A route that served nothing has no histogram. */
	CHECK(strstr(text(), "route=\"/login\"") == NULL);
	CHECK(has_line("bzpeer_page_cache_requests_total{result=\"hit\"} 2"));
	CHECK(has_line("bzpeer_page_cache_requests_total{result=\"miss\"} 1"));
	CHECK(has_line("bzpeer_page_cache_requests_total{result=\"off\"} 0"));
	CHECK(has_line("bzpeer_redis_errors_total 1"));
	CHECK(has_line("bzpeer_redis_up 1"));
	CHECK(has_line("bzpeer_store_up 1"));
	CHECK(has_line("bzpeer_catalog_generation 7"));
	CHECK(has_line("bzpeer_catalog_works 40"));
	CHECK(has_line("bzpeer_store_map_size_bytes 268435456"));
	CHECK(has_line("bzpeer_store_map_used_bytes 1048576"));
	CHECK(has_line("bzpeer_store_file_bytes 999424"));
	CHECK(has_line("bzpeer_follow_commits_total 3"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"1\"} 1"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"2\"} 1"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"4\"} 2"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"64\"} 2"));
	CHECK(has_line("bzpeer_follow_batch_size_bucket{le=\"+Inf\"} 3"));
	CHECK(has_line("bzpeer_follow_batch_size_sum 104"));
	CHECK(has_line("bzpeer_follow_batch_size_count 3"));
	CHECK(has_line("bzpeer_rate_limited_total{scope=\"session\"} 0"));
	CHECK(has_line("bzpeer_rate_limited_total{scope=\"address\"} 1"));
	CHECK(has_line("bzpeer_worker_restarts_total 1"));
	CHECK(has_line("bzpeer_workers 3"));

	/* Redis configured but down; not configured: never "up". */
	g.redis_up = 0;
	format(m, &g);
	CHECK(has_line("bzpeer_redis_up 0"));
	g.redis_configured = 0;
	g.redis_up = 1;
	format(m, &g);
	CHECK(has_line("bzpeer_redis_up 0") && has_line("bzpeer_redis_configured 0"));
}

/* Children add to the same words: the mapping is shared, the adds atomic. */
static void
test_shared_across_fork(void)
{
	const struct route *prof = route_of("/researchers/{slug}");
	struct metrics_shm *m = metrics_get();
	enum { KIDS = 4, EACH = 20000 };
	uint64_t before;
	int ok = 1;

	REQUIRE(m != NULL && prof != NULL);
	before = m->requests[1 + (size_t)(prof - route_of("/"))][200 - METRICS_STATUS_MIN];
	for (int k = 0; k < KIDS; k++) {
		pid_t pid = fork();

		REQUIRE(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < EACH; i++) {
				metrics_request(prof, 200, 0.001);
				metrics_follow_batch(2);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(m->requests[1 + (size_t)(prof - route_of("/"))][200 - METRICS_STATUS_MIN] ==
	    before + KIDS * EACH);
	CHECK(m->follow_commits == 3 + KIDS * EACH);
	CHECK(m->batch_items == 104 + 2 * KIDS * EACH);
}

static void
test_label_escaping(void)
{
	buf_reset(&out);
	metrics_label(&out, "a\\b\"c\nd{e}");
	CHECK(strcmp(text(), "a\\\\b\\\"c\\nd{e}") == 0);
}

int
main(void)
{
	test_noop_before_init();
	test_format_empty();
	test_counts_and_format();
	test_shared_across_fork();
	test_label_escaping();
	buf_free(&out);
	CHECK_DONE();
}
