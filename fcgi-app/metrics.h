/* metrics.h: counters shared by the master and every worker, and their Prometheus text form (GET /metrics). */
#ifndef BZPEER_METRICS_H
#define BZPEER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/buf.h"

struct route;

/*
 * The counters live in one anonymous shared mapping that the master makes
 * before it forks the first worker (metrics_init), so every worker of
 * every generation adds to the same figures and a scrape answered by any
 * worker sees them all. Adds are relaxed atomic adds on lock-free 64-bit
 * words (address-free, so they work across processes): no lock on the
 * request path, and a worker killed mid-request leaves nothing held. A
 * scrape reads each word once; figures read a moment apart may be a
 * request apart, which Prometheus's counters tolerate. The figures start
 * from zero when the master starts (a counter reset to Prometheus).
 *
 * Before metrics_init (the unit tests, the admin tools) every count is a
 * no-op.
 */

/* Route slots: 0 for requests no route took (bad requests, unknown paths,
 * wrong methods), 1 + the route's index in the route table after it. */
#define METRICS_ROUTES      32
/* Status codes 100..599, counted one by one (a status outside: 599). */
#define METRICS_STATUS_MIN  100
#define METRICS_STATUSES    500
/* Latency bucket bounds (seconds); the last bucket is +Inf. */
#define METRICS_LAT_BOUNDS  12
/* Group-commit batch size bucket bounds (items); the last is +Inf. */
#define METRICS_BATCH_BOUNDS 7

/* Where a profile page came from (X-Bzpeer-Cache): this machine's page
 * cache, Redis, rendered with Redis up, rendered without it. */
enum metrics_cache { MC_HIT, MC_MISS, MC_OFF, MC_REDIS, MC__COUNT };
enum metrics_rate { MR_SESSION, MR_ADDRESS, MR__COUNT };

typedef _Atomic uint64_t metric_t;

struct metrics_shm {
	metric_t requests[METRICS_ROUTES][METRICS_STATUSES];
	/* Per bucket (not cumulative: the text form sums them). */
	metric_t latency[METRICS_ROUTES][METRICS_LAT_BOUNDS + 1];
	metric_t latency_us[METRICS_ROUTES];  /* sum, microseconds */
	metric_t page_cache[MC__COUNT];
	metric_t redis_errors;
	metric_t follow_commits;
	metric_t batch[METRICS_BATCH_BOUNDS + 1];
	metric_t batch_items;                 /* sum of batch sizes */
	metric_t rate_refused[MR__COUNT];
	metric_t worker_restarts;
	metric_t reloads;
	metric_t workers;                     /* a gauge: set by the master */
};

/* The bounds, exposed for the tests. */
extern const double   metrics_lat_bounds[METRICS_LAT_BOUNDS];
extern const unsigned metrics_batch_bounds[METRICS_BATCH_BOUNDS];

/*
 * Makes the shared mapping (in the master, before any fork). Returns 0, or
 * -1 with errno (mmap's): the server then runs without figures.
 */
int  metrics_init(void);

/* The mapping in use, or NULL. */
struct metrics_shm *metrics_get(void);

/* Counting; each a no-op without metrics_init. */
void metrics_request(const struct route *rt, int status, double seconds);
void metrics_page_cache(enum metrics_cache result);
void metrics_redis_error(void);
void metrics_follow_batch(size_t items);     /* one durable group commit */
void metrics_rate_refused(enum metrics_rate scope);
void metrics_worker_restart(void);
void metrics_reload(void);
void metrics_workers(size_t live);

/* What a scrape reads at the time it is answered, beside the counters. */
struct metrics_gauges {
	int      store_ok;          /* the store could be read */
	uint64_t generation;        /* catalog generation */
	uint64_t researchers, works;
	uint64_t map_size, map_used;   /* bytes */
	uint64_t file_size;         /* bytes of the store's data file */
	int      redis_configured;
	int      redis_up;
};

/*
 * Appends the Prometheus text exposition (version 0.0.4) of m and g to
 * out: routes is the route table (labels are its patterns). Request
 * counters are written for the series that counted something; histograms
 * for every route that served a request, each with cumulative buckets,
 * _sum and _count.
 */
void metrics_format(struct buf *out, const struct metrics_shm *m,
    const struct route *routes, size_t nroutes, const struct metrics_gauges *g);

/* A label value escaped as the text format asks: \\, \" and \n. */
void metrics_label(struct buf *out, const char *s);

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
