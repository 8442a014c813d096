/* cache.c: the Redis page and counter cache, with reconnect and backoff. */
#include "cache.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../store/log.h"
#include "metrics.h"

struct cache {
	redisContext *ctx;
	char    *addr;          /* "/path/redis.sock" or "host:port"; "" = off */
	char    *prefix;
	struct timeval timeout;
	int      up;            /* last exchange worked */
	double   retry_at;      /* when down: next connection attempt */
	double   backoff;
	struct buf scratch;
	char     rbuf[64 * 1024];  /* one read of replies (feed) */
};

struct cache *
cache_new(const struct config *cfg)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	/* "off" disables the cache: the empty address. */
	c->addr = strcmp(cfg->redis, "off") == 0 ? xstrndup("", 0) :
	    xstrndup(cfg->redis, strlen(cfg->redis));
	c->prefix = xstrndup(cfg->redis_prefix, strlen(cfg->redis_prefix));
	c->timeout.tv_sec = cfg->redis_timeout_ms / 1000;
	c->timeout.tv_usec = (cfg->redis_timeout_ms % 1000) * 1000;
	c->up = 1;
	c->backoff = 0.1;
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	free(c->addr);
	free(c->prefix);
	buf_free(&c->scratch);
	free(c);
}

int
cache_is_up(const struct cache *c)
{
	return c->addr[0] != '\0' && c->up;
}

int
cache_enabled(const struct cache *c)
{
	return c->addr[0] != '\0';
}

/*
 * Drops the connection after a failure; says so once per outage. The
 * first failure of a connection that worked is tried again at the next
 * request (a Redis that restarted while this worker was idle leaves it a
 * dead connection: one request goes without the cache, not every request
 * of a backoff); failures after that wait, 0.1 s doubling to 5 s.
 */
static void
cache_down(struct cache *c, const char *why)
{
	int was_up = c->up;

	metrics_redis_error();
	if (c->up)
		log_warn("redis: down (%s); serving from the store", why);
	c->up = 0;
	if (c->ctx != NULL) {
		/* A hiredis context is never reused after an error. */
		redisFree(c->ctx);
		c->ctx = NULL;
	}
	if (was_up) {
		c->retry_at = 0;
		return;
	}
	c->retry_at = mono_now() + c->backoff;
	c->backoff = c->backoff * 2 > 5.0 ? 5.0 : c->backoff * 2;
}

/* A usable connection, or NULL (down, or backing off). */
static redisContext *
cache_conn(struct cache *c)
{
	redisContext *ctx;
	const char *colon;

	if (c->addr[0] == '\0')
		return NULL;
	if (c->ctx != NULL)
		return c->ctx;
	if (!c->up && mono_now() < c->retry_at)
		return NULL;
	if (c->addr[0] == '/')
		ctx = redisConnectUnixWithTimeout(c->addr, c->timeout);
	else if ((colon = strrchr(c->addr, ':')) != NULL) {
		char host[256];
		size_t n = (size_t)(colon - c->addr);

		if (n >= sizeof(host))
			n = sizeof(host) - 1;
		memcpy(host, c->addr, n);
		host[n] = '\0';
		ctx = redisConnectWithTimeout(host, atoi(colon + 1), c->timeout);
	} else
		ctx = NULL;
	if (ctx == NULL || ctx->err) {
		char why[160];

		snprintf(why, sizeof(why), "connect %s: %s", c->addr,
		    ctx ? ctx->errstr : "bad address");
		if (ctx)
			redisFree(ctx);
		cache_down(c, why);
		return NULL;
	}
	if (redisSetTimeout(ctx, c->timeout) != REDIS_OK) {
		redisFree(ctx);
		cache_down(c, "cannot set timeout");
		return NULL;
	}
	if (!c->up)
		log_info("redis: up again at %s", c->addr);
	c->ctx = ctx;
	c->up = 1;
	c->backoff = 0.1;
	return ctx;
}

/*
 * Reads what Redis has sent into hiredis's reader: one read() of up to 64
 * KB, where redisBufferRead reads 16 KB at a time (a cached page is ~30
 * KB: two reads and two waits). Returns NULL, or why the connection failed.
 */
static const char *
feed(struct cache *c)
{
	ssize_t n;

	do
		n = read(c->ctx->fd, c->rbuf, sizeof(c->rbuf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return strerror(errno);
	if (n == 0)
		return "connection closed by Redis";
	if (redisReaderFeed(c->ctx->reader, c->rbuf, (size_t)n) != REDIS_OK)
		return c->ctx->reader->errstr;
	return NULL;
}

/*
 * Sends what is queued and reads one reply; on failure marks Redis down and
 * returns NULL. The wait for the reply is a poll() for input, not hiredis's
 * blocking read(): a task asleep in read() on a unix socket is woken by
 * every change on that socket, including Redis taking our command off it
 * (the kernel's write-space wake-up), so each round trip woke the worker
 * twice; poll() sleeps until the reply is there. The timeout applies to
 * each wait, as SO_RCVTIMEO did.
 */
static redisReply *
reply(struct cache *c)
{
	redisContext *ctx = c->ctx;
	int ms = (int)(c->timeout.tv_sec * 1000 + c->timeout.tv_usec / 1000);
	void *r = NULL;
	int done = 0;
	const char *why = NULL;

	while (!done && why == NULL)
		if (redisBufferWrite(ctx, &done) != REDIS_OK)
			why = ctx->errstr;
	while (why == NULL) {
		struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN };
		int n;

		if (redisGetReplyFromReader(ctx, &r) != REDIS_OK) {
			why = ctx->errstr;
			break;
		}
		if (r != NULL)
			return r;
		if ((n = poll(&pfd, 1, ms)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			why = n == 0 ? "timed out" : strerror(errno);
		else
			why = feed(c);
	}
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "%s", why[0] ? why : "no reply");
		cache_down(c, msg);
	}
	return NULL;
}

void
cache_probe(struct cache *c)
{
	redisContext *ctx = cache_conn(c);
	redisReply *r;

	if (ctx == NULL)
		return;
	if (redisAppendCommand(ctx, "PING") != REDIS_OK) {
		cache_down(c, "append failed");
		return;
	}
	if ((r = reply(c)) != NULL)
		freeReplyObject(r);
}

/* ---- keys -------------------------------------------------------------- */

void
cache_page_key(const struct cache *c, struct buf *out, uint64_t generation,
    unsigned views_gen, struct sv researcher_id, uint32_t version)
{
	buf_puts(out, c->prefix);
	buf_puts(out, "page:g");
	buf_putu64(out, generation);
	buf_puts(out, ":t");
	buf_putu64(out, views_gen);
	buf_putc(out, ':');
	buf_put(out, researcher_id.p, researcher_id.n);
	buf_puts(out, ":v");
	buf_putu64(out, version);
}

void
cache_counter_key(const struct cache *c, struct buf *out,
    struct sv researcher_id)
{
	buf_puts(out, c->prefix);
	buf_puts(out, "followers:");
	buf_put(out, researcher_id.p, researcher_id.n);
}

/* ---- operations ------------------------------------------------------------ */

/* Digits [s, e) -> *v; -1 if none, another byte or too large. */
static int
parse_u64(const char *s, const char *e, uint64_t *v)
{
	*v = 0;
	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || *v > UINT64_MAX / 10 - 9)
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return 0;
}

/* "txnid:count" -> txn id and count; -1 if malformed. */
static int
parse_counter(const char *s, size_t n, uint64_t *txn, uint64_t *count)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL || parse_u64(s, colon, txn) != 0)
		return -1;
	return parse_u64(colon + 1, s + n, count);
}

int
cache_fetch(struct cache *c, struct sv page_key, struct sv counter_key,
    struct page *pg, struct cache_hit *hit)
{
	redisContext *ctx = cache_conn(c);
	redisReply *r1, *r2;

	memset(hit, 0, sizeof(*hit));
	if (ctx == NULL)
		return -1;
	/* Both commands go out in one write; both replies come back in one
	 * read: one round trip. */
	if (redisAppendCommand(ctx, "GET %b", page_key.p, page_key.n) != REDIS_OK ||
	    redisAppendCommand(ctx, "GET %b", counter_key.p, counter_key.n) != REDIS_OK) {
		cache_down(c, "append failed");
		return -1;
	}
	if ((r1 = reply(c)) == NULL)
		return -1;
	if ((r2 = reply(c)) == NULL) {
		freeReplyObject(r1);
		return -1;
	}
	if (r1->type == REDIS_REPLY_STRING &&
	    page_decode(pg, r1->str, (size_t)r1->len) == 0)
		hit->page = 1;
	if (r2->type == REDIS_REPLY_STRING &&
	    parse_counter(r2->str, (size_t)r2->len, &hit->counter_txn,
	    &hit->followers) == 0)
		hit->counter = 1;
	freeReplyObject(r1);
	freeReplyObject(r2);
	return 0;
}

void
cache_put_page(struct cache *c, struct sv page_key, const struct page *pg,
    unsigned ttl)
{
	redisContext *ctx = cache_conn(c);
	redisReply *r;

	if (ctx == NULL)
		return;
	buf_reset(&c->scratch);
	page_encode(pg, &c->scratch);
	if (redisAppendCommand(ctx, "SET %b %b EX %u", page_key.p, page_key.n,
	    c->scratch.p, c->scratch.len, ttl) != REDIS_OK) {
		cache_down(c, "append failed");
		return;
	}
	if ((r = reply(c)) != NULL)
		freeReplyObject(r);
}

/*
 * Counters live at most this long: a count whose update never reached
 * Redis (down at that moment) is stale for at most this long, then it is
 * refilled from the store.
 */
#define CACHE_COUNTER_TTL 300

/* Sets KEYS[1] to "ARGV[1]:ARGV[2]" (expiring after ARGV[3] seconds)
 * unless it holds a newer transaction's. */
static const char counter_script[] =
	"local cur = redis.call('GET', KEYS[1]) "
	"if cur then "
	"  local t = tonumber(string.match(cur, '^(%d+):')) "
	"  if t and t > tonumber(ARGV[1]) then return 0 end "
	"end "
	"redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3]) "
	"return 1";

void
cache_put_counter(struct cache *c, struct sv counter_key, uint64_t count,
    uint64_t txn_id)
{
	redisContext *ctx = cache_conn(c);
	redisReply *r;
	char txn[24], cnt[24];

	if (ctx == NULL)
		return;
	snprintf(txn, sizeof(txn), "%llu", (unsigned long long)txn_id);
	snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)count);
	if (redisAppendCommand(ctx, "EVAL %s 1 %b %s %s %u", counter_script,
	    counter_key.p, counter_key.n, txn, cnt, CACHE_COUNTER_TTL) != REDIS_OK) {
		cache_down(c, "append failed");
		return;
	}
	if ((r = reply(c)) != NULL) {
		if (r->type == REDIS_REPLY_ERROR)
			log_warn("redis: counter script: %s", r->str);
		freeReplyObject(r);
	}
}

void
cache_rate(struct cache *c, const struct sv *keys, size_t n, unsigned window,
    uint64_t *counts, unsigned *retry_after)
{
	redisContext *ctx = cache_conn(c);
	redisReply *r;
	time_t now = time(NULL);
	unsigned long slot = (unsigned long)now / window;
	size_t i, got;
	int ok = 1;

	*retry_after = window - (unsigned)((unsigned long)now % window);
	for (i = 0; i < n; i++)
		counts[i] = 0;
	if (ctx == NULL)
		return;
	for (i = 0; i < n && ok; i++) {
		buf_reset(&c->scratch);
		buf_puts(&c->scratch, c->prefix);
		buf_puts(&c->scratch, "rate:");
		buf_put(&c->scratch, keys[i].p, keys[i].n);
		buf_putc(&c->scratch, ':');
		buf_putu64(&c->scratch, slot);
		ok = redisAppendCommand(ctx, "INCR %b", c->scratch.p,
		    c->scratch.len) == REDIS_OK && redisAppendCommand(ctx,
		    "EXPIRE %b %u", c->scratch.p, c->scratch.len, window * 2) ==
		    REDIS_OK;
	}
	if (!ok) {
		cache_down(c, "append failed");
		return;
	}
	/* Every key in one round trip: INCR, EXPIRE, INCR, EXPIRE... */
	for (got = 0; got < 2 * n; got++) {
		if ((r = reply(c)) == NULL)
			return;     /* the connection is dropped: nothing left */
		if (got % 2 == 0 && r->type == REDIS_REPLY_INTEGER &&
		    r->integer > 0)
			counts[got / 2] = (uint64_t)r->integer;
		freeReplyObject(r);
	}
}
