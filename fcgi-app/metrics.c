/* metrics.c: counters in a mapping shared across the workers, and their Prometheus text form. */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "config.h"
#include "router.h"

/* Lock-free 64-bit atomics are address-free: they work in shared memory. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");

const double metrics_lat_bounds[METRICS_LAT_BOUNDS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
const unsigned metrics_batch_bounds[METRICS_BATCH_BOUNDS] = {
	1, 2, 4, 8, 16, 32, 64,
};

/* Process-wide, set once before the first fork, never request data. */
static struct metrics_shm *shm;

int
metrics_init(void)
{
	void *p;

	if (shm != NULL)
		return 0;
	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	shm = p;    /* zero-filled by the kernel */
	return 0;
}

struct metrics_shm *
metrics_get(void)
{
	return shm;
}

static void
add(metric_t *m, uint64_t n)
{
	atomic_fetch_add_explicit(m, n, memory_order_relaxed);
}

static uint64_t
get(const metric_t *m)
{
	return atomic_load_explicit((metric_t *)m, memory_order_relaxed);
}

/* The slot of a route: 0 for none, 1 + its index in the table. */
static size_t
route_slot(const struct route *rt)
{
	size_t n;
	const struct route *base = router_routes(&n);

	if (rt == NULL || rt < base || rt >= base + n ||
	    (size_t)(rt - base) + 1 >= METRICS_ROUTES)
		return 0;
	return (size_t)(rt - base) + 1;
}

void
metrics_request(const struct route *rt, int status, double seconds)
{
	size_t slot, b;
	uint64_t us;

	if (shm == NULL)
		return;
	slot = route_slot(rt);
	if (status < METRICS_STATUS_MIN ||
	    status >= METRICS_STATUS_MIN + METRICS_STATUSES)
		status = METRICS_STATUS_MIN + METRICS_STATUSES - 1;
	add(&shm->requests[slot][status - METRICS_STATUS_MIN], 1);
	if (seconds < 0)
		seconds = 0;
	for (b = 0; b < METRICS_LAT_BOUNDS; b++)
		if (seconds <= metrics_lat_bounds[b])
			break;
	add(&shm->latency[slot][b], 1);
	us = seconds > 1e9 ? (uint64_t)1e15 : (uint64_t)(seconds * 1e6 + 0.5);
	add(&shm->latency_us[slot], us);
}

void
metrics_page_cache(enum metrics_cache result)
{
	if (shm != NULL && result < MC__COUNT)
		add(&shm->page_cache[result], 1);
}

void
metrics_redis_error(void)
{
	if (shm != NULL)
		add(&shm->redis_errors, 1);
}

void
metrics_follow_batch(size_t items)
{
	size_t b;

	if (shm == NULL)
		return;
	for (b = 0; b < METRICS_BATCH_BOUNDS; b++)
		if (items <= metrics_batch_bounds[b])
			break;
	add(&shm->follow_commits, 1);
	add(&shm->batch[b], 1);
	add(&shm->batch_items, items);
}

void
metrics_rate_refused(enum metrics_rate scope)
{
	if (shm != NULL && scope < MR__COUNT)
		add(&shm->rate_refused[scope], 1);
}

void
metrics_worker_restart(void)
{
	if (shm != NULL)
		add(&shm->worker_restarts, 1);
}

void
metrics_reload(void)
{
	if (shm != NULL)
		add(&shm->reloads, 1);
}

void
metrics_workers(size_t live)
{
	if (shm != NULL)
		atomic_store_explicit(&shm->workers, live, memory_order_relaxed);
}

/* ---- the text form -------------------------------------------------------- */

void
metrics_label(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '"')
			buf_puts(out, "\\\"");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

static void
meta(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_puts(out, "# HELP ");
	buf_puts(out, name);
	buf_putc(out, ' ');
	buf_puts(out, help);
	buf_puts(out, "\n# TYPE ");
	buf_puts(out, name);
	buf_putc(out, ' ');
	buf_puts(out, type);
	buf_putc(out, '\n');
}

/* name{labels} value; labels may be NULL. */
static void
sample(struct buf *out, const char *name, const char *labels, uint64_t v)
{
	buf_puts(out, name);
	if (labels != NULL) {
		buf_putc(out, '{');
		buf_puts(out, labels);
		buf_putc(out, '}');
	}
	buf_putc(out, ' ');
	buf_putu64(out, v);
	buf_putc(out, '\n');
}

/* A metric of one sample. */
static void
single(struct buf *out, const char *name, const char *type, const char *help,
    uint64_t v)
{
	meta(out, name, type, help);
	sample(out, name, NULL, v);
}

static void
put_double(struct buf *out, double v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%.6g", v);
	buf_puts(out, tmp);
}

static void
route_label(struct buf *out, const struct route *routes, size_t slot)
{
	buf_puts(out, "route=\"");
	metrics_label(out, slot == 0 ? "none" : routes[slot - 1].pattern);
	buf_putc(out, '"');
}

static void
format_requests(struct buf *out, const struct metrics_shm *m,
    const struct route *routes, size_t nslots)
{
	meta(out, "bzpeer_http_requests_total", "counter",
	    "Requests answered, by route pattern (none: no route matched) and status.");
	for (size_t s = 0; s < nslots; s++)
		for (size_t i = 0; i < METRICS_STATUSES; i++) {
			uint64_t v = get(&m->requests[s][i]);

			if (v == 0)
				continue;
			buf_puts(out, "bzpeer_http_requests_total{");
			route_label(out, routes, s);
			buf_puts(out, ",status=\"");
			buf_putu64(out, METRICS_STATUS_MIN + i);
			buf_puts(out, "\"} ");
			buf_putu64(out, v);
			buf_putc(out, '\n');
		}

	meta(out, "bzpeer_http_request_duration_seconds", "histogram",
	    "Time from a whole request to its answer handed to the socket, by route.");
	for (size_t s = 0; s < nslots; s++) {
		uint64_t cum = 0, b[METRICS_LAT_BOUNDS + 1];

		for (size_t i = 0; i <= METRICS_LAT_BOUNDS; i++)
			cum += b[i] = get(&m->latency[s][i]);
		if (cum == 0)
			continue;
		cum = 0;
		for (size_t i = 0; i <= METRICS_LAT_BOUNDS; i++) {
			cum += b[i];
			buf_puts(out, "bzpeer_http_request_duration_seconds_bucket{");
			route_label(out, routes, s);
			buf_puts(out, ",le=\"");
			if (i < METRICS_LAT_BOUNDS)
				put_double(out, metrics_lat_bounds[i]);
			else
				buf_puts(out, "+Inf");
			buf_puts(out, "\"} ");
			buf_putu64(out, cum);
			buf_putc(out, '\n');
		}
		buf_puts(out, "bzpeer_http_request_duration_seconds_sum{");
		route_label(out, routes, s);
		buf_puts(out, "} ");
		put_double(out, (double)get(&m->latency_us[s]) / 1e6);
		buf_puts(out, "\nbzpeer_http_request_duration_seconds_count{");
		route_label(out, routes, s);
		buf_puts(out, "} ");
		buf_putu64(out, cum);
		buf_putc(out, '\n');
	}
}

static void
format_batches(struct buf *out, const struct metrics_shm *m)
{
	uint64_t cum = 0;

	single(out, "bzpeer_follow_commits_total", "counter",
	    "Durable write transactions that committed follows (group commits).",
	    get(&m->follow_commits));
	meta(out, "bzpeer_follow_batch_size", "histogram",
	    "Follows carried by one group commit.");
	for (size_t i = 0; i <= METRICS_BATCH_BOUNDS; i++) {
		cum += get(&m->batch[i]);
		buf_puts(out, "bzpeer_follow_batch_size_bucket{le=\"");
		if (i < METRICS_BATCH_BOUNDS)
			buf_putu64(out, metrics_batch_bounds[i]);
		else
			buf_puts(out, "+Inf");
		buf_puts(out, "\"} ");
		buf_putu64(out, cum);
		buf_putc(out, '\n');
	}
	sample(out, "bzpeer_follow_batch_size_sum", NULL, get(&m->batch_items));
	sample(out, "bzpeer_follow_batch_size_count", NULL, cum);
}

void
metrics_format(struct buf *out, const struct metrics_shm *m,
    const struct route *routes, size_t nroutes, const struct metrics_gauges *g)
{
	size_t nslots = nroutes + 1 < METRICS_ROUTES ? nroutes + 1 : METRICS_ROUTES;

	meta(out, "bzpeer_build_info", "gauge",
	    "Always 1; the version is the label.");
	buf_puts(out, "bzpeer_build_info{version=\"");
	metrics_label(out, BZPEER_VERSION);
	buf_puts(out, "\"} 1\n");

	format_requests(out, m, routes, nslots);

	meta(out, "bzpeer_page_cache_requests_total", "counter",
	    "Profile pages by where they came from: hit (this machine's page cache), redis, miss (rendered, Redis up), or off (rendered, Redis down or not configured).");
	sample(out, "bzpeer_page_cache_requests_total", "result=\"hit\"",
	    get(&m->page_cache[MC_HIT]));
	sample(out, "bzpeer_page_cache_requests_total", "result=\"redis\"",
	    get(&m->page_cache[MC_REDIS]));
	sample(out, "bzpeer_page_cache_requests_total", "result=\"miss\"",
	    get(&m->page_cache[MC_MISS]));
	sample(out, "bzpeer_page_cache_requests_total", "result=\"off\"",
	    get(&m->page_cache[MC_OFF]));

	single(out, "bzpeer_redis_configured", "gauge",
	    "1 when a Redis address is configured.", (uint64_t)g->redis_configured);
	single(out, "bzpeer_redis_up", "gauge",
	    "1 when the answering worker's last exchange with Redis worked.",
	    (uint64_t)(g->redis_configured && g->redis_up));
	single(out, "bzpeer_redis_errors_total", "counter",
	    "Failed exchanges with Redis (each drops the connection).",
	    get(&m->redis_errors));

	single(out, "bzpeer_store_up", "gauge",
	    "1 when the store can be read.", (uint64_t)g->store_ok);
	if (g->store_ok) {
		single(out, "bzpeer_catalog_generation", "gauge",
		    "The catalog's generation, bumped by every import.",
		    g->generation);
		single(out, "bzpeer_catalog_researchers", "gauge",
		    "Researchers in the catalog.", g->researchers);
		single(out, "bzpeer_catalog_works", "gauge",
		    "Works in the catalog.", g->works);
		single(out, "bzpeer_store_map_size_bytes", "gauge",
		    "The size of the store's LMDB map.", g->map_size);
		single(out, "bzpeer_store_map_used_bytes", "gauge",
		    "The part of the map in use (up to the last page written).",
		    g->map_used);
		single(out, "bzpeer_store_file_bytes", "gauge",
		    "The size of the catalog's data file on disk.", g->file_size);
	}

	format_batches(out, m);

	meta(out, "bzpeer_rate_limited_total", "counter",
	    "Posts refused with 429 by the app's rate limits, by the limit passed.");
	sample(out, "bzpeer_rate_limited_total", "scope=\"session\"",
	    get(&m->rate_refused[MR_SESSION]));
	sample(out, "bzpeer_rate_limited_total", "scope=\"address\"",
	    get(&m->rate_refused[MR_ADDRESS]));

	single(out, "bzpeer_workers", "gauge",
	    "Worker processes alive (during a reload, both generations).",
	    get(&m->workers));
	single(out, "bzpeer_worker_restarts_total", "counter",
	    "Workers that died unasked and were replaced.",
	    get(&m->worker_restarts));
	single(out, "bzpeer_reloads_total", "counter",
	    "Reloads (SIGHUP) that started a new generation of workers.",
	    get(&m->reloads));
}
