/* cache.h: Redis as a cache of rendered pages and follower counters; LMDB stays the truth. */
#ifndef BZPEER_CACHE_H
#define BZPEER_CACHE_H

#include <stdint.h>

#include "../store/buf.h"
#include "../views/page.h"
#include "config.h"

/*
 * One connection per worker, made after the fork. Redis only ever holds
 * copies that can be rebuilt from the store, so every failure here is
 * absorbed: the caller goes on without the cache, nothing answers 500.
 *
 * A failed call marks Redis down, logs that once (not per request) and
 * retries the connection after a backoff (100 ms doubling to 5 s).
 * Timeouts are milliseconds (config: redis_timeout_ms).
 */
struct cache;

struct cache *cache_new(const struct config *cfg);   /* never NULL */
void cache_free(struct cache *c);

/* 1 when the last exchange with Redis worked (or none was tried yet). */
int  cache_is_up(const struct cache *c);
/* Checks the connection now (PING, or a reconnect when the backoff allows). */
void cache_probe(struct cache *c);

/* 1 when a Redis address is configured. */
int  cache_enabled(const struct cache *c);

/* Keys: prefix + kind + parts. */
void cache_page_key(const struct cache *c, struct buf *out, uint64_t generation,
    unsigned views_gen, struct sv researcher_id, uint32_t version);
void cache_counter_key(const struct cache *c, struct buf *out,
    struct sv researcher_id);

struct cache_hit {
	int      page;          /* the page was found and decoded into pg */
	int      counter;       /* the counter was found */
	uint64_t followers;     /* its value */
	uint64_t counter_txn;   /* the LMDB transaction that wrote it */
};

/*
 * One pipelined round trip: GET page_key and GET counter_key. Returns 0
 * when Redis answered (hit says what was found; a page that does not decode
 * is a miss), -1 when Redis is down or failed (hit is all misses).
 */
int  cache_fetch(struct cache *c, struct sv page_key, struct sv counter_key,
    struct page *pg, struct cache_hit *hit);

/* Stores the page (expires after ttl seconds; LRU evicts before that). */
void cache_put_page(struct cache *c, struct sv page_key, const struct page *pg,
    unsigned ttl);

/*
 * Sets the counter to count, written by the LMDB transaction txn_id, unless
 * Redis already holds a value from a newer transaction: a late, older write
 * never overwrites a newer one. Counters expire after 5 minutes, so one
 * whose update was lost while Redis was unreachable is refilled from the
 * store by then.
 */
void cache_put_counter(struct cache *c, struct sv counter_key, uint64_t count,
    uint64_t txn_id);

/*
 * Counts one event for each of the n keys in a fixed window of `window`
 * seconds (INCR and EXPIRE each, all in one round trip) and puts the count
 * so far in this window of key i in counts[i], with the seconds left in
 * the window in *retry_after. Counts are 0 when Redis is down: rate limits
 * are then not enforced (documented in README).
 */
void cache_rate(struct cache *c, const struct sv *keys, size_t n,
    unsigned window, uint64_t *counts, unsigned *retry_after);


#endif
