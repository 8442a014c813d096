/* pcache.h: this node's page cache: shared memory every worker reads without a system call, in front of Redis. */
#ifndef BZPEER_PCACHE_H
#define BZPEER_PCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../store/buf.h"
#include "../views/page.h"

/*
 * One shared anonymous mapping, made by the master before it forks the
 * workers, so every worker of this node (every generation: a reload keeps
 * it) sees the same entries. It caches what Redis caches, under the same
 * keys (catalog generation, templates, record version), so an entry is
 * retired the way a Redis page is: a write that changes the page changes
 * its key. Redis stays the copy every web node shares.
 *
 * Entries live in a ring of `bytes`: new ones overwrite the oldest, so the
 * size is fixed from the start and eviction costs nothing. A lookup reads
 * a small index (per-bucket sequence counters) and the entry in place, with
 * no lock and no system call; the holes are filled straight from the
 * shared bytes, and pcache_valid() then says whether the ring overwrote
 * them meanwhile (then the caller fills again from elsewhere). Writers take
 * a process-shared robust mutex with trylock: a busy cache is skipped, a
 * worker killed while writing leaves nothing half visible.
 */
struct pcache;

/* Below this the cache is refused (a page must fit in a quarter of it). */
#define PCACHE_MIN_BYTES (256 * 1024)

/*
 * A cache of about `bytes` (index included). NULL when bytes is 0, or, with
 * errno set, when it is below PCACHE_MIN_BYTES (EINVAL) or cannot be mapped.
 */
struct pcache *pcache_new(size_t bytes);
void pcache_free(struct pcache *pc);

/*
 * Entries belong to an epoch: a process reads and writes those of the
 * epoch it took with pcache_attach() (a worker, once, after the fork) or
 * made with pcache_clear(). pcache_clear() starts a new one, so that every
 * entry is out of reach of the processes that attach from then on (the
 * master at SIGHUP: the new generation starts empty, whatever the old
 * one, still serving, writes meanwhile).
 */
void pcache_clear(struct pcache *pc);
void pcache_attach(struct pcache *pc);

/*
 * Stores pg under key for ttl seconds (scratch holds its frame while it
 * is written). Returns 0, or -1 when it was not stored: no cache, another
 * writer busy (EBUSY), or the page larger than a quarter of the cache
 * (EFBIG). A key already stored and not expired is left as it is.
 */
int  pcache_put(struct pcache *pc, struct sv key, const struct page *pg,
    unsigned ttl, struct buf *scratch);

/* Where a found entry sits, to check it later with pcache_valid(). */
struct pcache_ref {
	uint64_t pos;
};

/*
 * Looks key up. Returns 0 with *view pointing into the shared entry (see
 * page_view(): never page_reset or page_free it), or -1 for a miss (none,
 * expired, or being overwritten). What the view shows is right only if
 * pcache_valid() still says so after it was read.
 */
int  pcache_get(struct pcache *pc, struct sv key, struct page *view,
    struct pcache_ref *ref);
/* 1 when the entry of ref was not overwritten since pcache_get found it. */
int  pcache_valid(const struct pcache *pc, const struct pcache_ref *ref);

/*
 * The doorkeeper in front of both caches (page_cache_admit = 2): 1 when
 * key missed on this node lately, so that its page is worth keeping now;
 * else 0, after noting it (its next miss says 1). A page asked for once,
 * which is what a crawler asks for, is then rendered and not stored: it
 * neither pays for the copies into this cache and Redis nor pushes out a
 * page others ask for. About 16 keys a bucket are remembered (65,536 at
 * 64 MiB); a key's slot taken by another's forgets it. Without a cache
 * (NULL), 1.
 */
int  pcache_admit(struct pcache *pc, struct sv key);

/* The ring's size in bytes (the bound on what the entries take). */
size_t pcache_capacity(const struct pcache *pc);

#endif
