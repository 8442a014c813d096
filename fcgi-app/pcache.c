/* pcache.c: this node's page cache: a ring of entries in shared memory, an index with sequence counters, robust writers. */
#include "pcache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PC_MAGIC "BZPC0001"
#define PC_WAYS  4
#define PC_ALIGN 64

/*
 * Positions are absolute byte counts since the ring was made (64 bits:
 * they never wrap); an entry at position pos sits at arena[pos % A] and
 * never straddles the ring's end (the writer skips to the start instead).
 */
struct pc_way {
	_Atomic uint64_t tag;     /* hash of epoch and key, odd; 0: empty */
	_Atomic uint64_t pos;
	_Atomic uint32_t len;     /* the entry's bytes, header included */
	uint32_t pad;
};

/* seq is odd while a writer changes the ways: readers then look again. */
struct pc_bucket {
	_Atomic uint32_t seq;
	uint32_t pad;
	struct pc_way way[PC_WAYS];
};

struct pc_head {
	char     magic[8];
	uint64_t arena;           /* A: the ring's size */
	uint64_t nbuckets;        /* a power of two */
	_Atomic uint64_t epoch;   /* pcache_clear() moves it: new tags */
	/*
	 * The end of the furthest entry written or being written: an entry at
	 * pos is whole while reserve <= pos + A. Raised before the bytes are
	 * written, so a reader that checks it after reading an entry knows
	 * whether a writer may have been inside it.
	 */
	_Atomic uint64_t reserve;
	uint64_t head;            /* where the next entry goes (writers only) */
	pthread_mutex_t lock;     /* writers; process-shared, robust */
};

/* An entry's header, then the key, then the page's frame (page_encode). */
struct pc_entry {
	uint64_t tag;
	uint32_t keylen;
	uint32_t framelen;
	double   expires;         /* mono_now() seconds: CLOCK_MONOTONIC is one clock for every process */
};

/*
 * The doorkeeper (pcache_admit): a table of key hashes, one 32-bit word a
 * slot, PC_SEEN_PER_BUCKET slots for every bucket: the pages that missed
 * here lately, each kept until another one's hash takes its slot.
 */
#define PC_SEEN_PER_BUCKET 16

struct pcache {
	struct pc_head   *h;
	struct pc_bucket *b;
	_Atomic uint32_t *seen;   /* nbuckets * PC_SEEN_PER_BUCKET */
	unsigned char    *arena;
	size_t            map_len;
	uint64_t          epoch;  /* this process's: taken by pcache_attach() */
};

static size_t
align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

struct pcache *
pcache_new(size_t bytes)
{
	struct pcache *pc;
	pthread_mutexattr_t ma;
	size_t nb = 16, index, arena;
	void *m;

	if (bytes == 0)
		return NULL;
	if (bytes < PCACHE_MIN_BYTES) {
		errno = EINVAL;
		return NULL;
	}
	/* A bucket (four entries) for every 8 KB of ring: pages are ~30 KB,
	 * so the index fills up long after the ring does. */
	while (nb * 2 * (8192 + sizeof(struct pc_bucket)) <= bytes)
		nb *= 2;
	index = align_up(sizeof(struct pc_head), PC_ALIGN) +
	    align_up(nb * sizeof(struct pc_bucket), PC_ALIGN) +
	    align_up(nb * PC_SEEN_PER_BUCKET * sizeof(uint32_t), PC_ALIGN);
	arena = (bytes - index) / PC_ALIGN * PC_ALIGN;
	m = mmap(NULL, index + arena, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	pc = xcalloc(1, sizeof(*pc));
	pc->map_len = index + arena;
	pc->h = m;
	pc->b = (struct pc_bucket *)((char *)m +
	    align_up(sizeof(struct pc_head), PC_ALIGN));
	pc->seen = (_Atomic uint32_t *)((char *)pc->b +
	    align_up(nb * sizeof(struct pc_bucket), PC_ALIGN));
	pc->arena = (unsigned char *)m + index;
	/* The mapping comes zeroed: every way empty, every seq even. */
	memcpy(pc->h->magic, PC_MAGIC, 8);
	pc->h->arena = arena;
	pc->h->nbuckets = nb;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutex_init(&pc->h->lock, &ma) != 0) {
		pthread_mutexattr_destroy(&ma);
		munmap(m, pc->map_len);
		free(pc);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutexattr_destroy(&ma);
	return pc;
}

void
pcache_free(struct pcache *pc)
{
	if (pc == NULL)
		return;
	munmap(pc->h, pc->map_len);
	free(pc);
}

int
pcache_admit(struct pcache *pc, struct sv key)
{
	uint64_t h;
	uint32_t tag;
	_Atomic uint32_t *slot;

	if (pc == NULL)
		return 1;
	h = hash64(HASH64_SEED, key.p, key.n);
	tag = (uint32_t)(h >> 32) | 1;      /* 0 is an empty slot */
	slot = &pc->seen[h & (pc->h->nbuckets * PC_SEEN_PER_BUCKET - 1)];
	/* Relaxed: two workers missing the same page at once may both say
	 * "first", or a slot may be taken meanwhile; either costs a render. */
	if (atomic_load_explicit(slot, memory_order_relaxed) == tag)
		return 1;
	atomic_store_explicit(slot, tag, memory_order_relaxed);
	return 0;
}

size_t
pcache_capacity(const struct pcache *pc)
{
	return pc ? (size_t)pc->h->arena : 0;
}

void
pcache_clear(struct pcache *pc)
{
	if (pc != NULL)
		pc->epoch = atomic_fetch_add(&pc->h->epoch, 1) + 1;
}

void
pcache_attach(struct pcache *pc)
{
	if (pc != NULL)
		pc->epoch = atomic_load(&pc->h->epoch);
}

static uint64_t
tag_of(uint64_t epoch, struct sv key)
{
	uint64_t t = hash64(HASH64_SEED, &epoch, sizeof(epoch));

	return hash64(t, key.p, key.n) | 1;
}

static struct pc_bucket *
bucket_of(const struct pcache *pc, uint64_t tag)
{
	return &pc->b[(tag ^ tag >> 31) & (pc->h->nbuckets - 1)];
}

/* The entry at pos has not been overwritten (its bytes are what was written). */
static int
whole(const struct pcache *pc, uint64_t pos)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&pc->h->reserve, memory_order_relaxed) <=
	    pos + pc->h->arena;
}

/*
 * The way holding tag, read consistently: 0 with *pos and *len, or -1. A
 * bucket being written is looked at again a few times, then is a miss.
 */
static int
find(const struct pc_bucket *b, uint64_t tag, uint64_t *pos, uint32_t *len)
{
	for (int tries = 0; tries < 8; tries++) {
		uint32_t s1 = atomic_load_explicit(&b->seq, memory_order_acquire);
		int found = 0;

		if (s1 & 1)
			continue;
		for (int w = 0; w < PC_WAYS && !found; w++)
			if (atomic_load_explicit(&b->way[w].tag,
			    memory_order_relaxed) == tag) {
				*pos = atomic_load_explicit(&b->way[w].pos,
				    memory_order_relaxed);
				*len = atomic_load_explicit(&b->way[w].len,
				    memory_order_relaxed);
				found = 1;
			}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&b->seq, memory_order_relaxed) == s1)
			return found ? 0 : -1;
	}
	return -1;
}

int
pcache_get(struct pcache *pc, struct sv key, struct page *view,
    struct pcache_ref *ref)
{
	struct pc_entry e;
	const unsigned char *p;
	uint64_t tag, pos, A;
	uint32_t len;

	if (pc == NULL)
		return -1;
	A = pc->h->arena;
	tag = tag_of(pc->epoch, key);
	if (find(bucket_of(pc, tag), tag, &pos, &len) != 0)
		return -1;
	/* Every read below stays inside the ring, whatever the bytes say. */
	if (len < sizeof(e) || pos % A + len > A || !whole(pc, pos))
		return -1;
	p = pc->arena + pos % A;
	memcpy(&e, p, sizeof(e));
	if (e.tag != tag || e.keylen != key.n ||
	    (uint64_t)e.keylen + e.framelen > len - sizeof(e) ||
	    memcmp(p + sizeof(e), key.p, key.n) != 0 || !(mono_now() < e.expires))
		return -1;
	if (page_view(view, (const char *)p + sizeof(e) + e.keylen,
	    e.framelen) != 0)
		return -1;
	ref->pos = pos;
	/* The header and the holes just read were whole. */
	return whole(pc, pos) ? 0 : -1;
}

int
pcache_valid(const struct pcache *pc, const struct pcache_ref *ref)
{
	return pc != NULL && whole(pc, ref->pos);
}

/* A dead writer's half-changed buckets: emptied, their seq even again. */
static void
repair(struct pcache *pc)
{
	uint64_t r = atomic_load(&pc->h->reserve);

	for (uint64_t i = 0; i < pc->h->nbuckets; i++) {
		struct pc_bucket *b = &pc->b[i];
		uint32_t s = atomic_load(&b->seq);

		if ((s & 1) == 0)
			continue;
		for (int w = 0; w < PC_WAYS; w++)
			atomic_store(&b->way[w].tag, 0);
		atomic_store(&b->seq, s + 1);
	}
	if (pc->h->head < r)
		pc->h->head = r;
}

int
pcache_put(struct pcache *pc, struct sv key, const struct page *pg,
    unsigned ttl, struct buf *scratch)
{
	struct pc_entry e;
	struct pc_bucket *b;
	uint64_t A, pos, old, r;
	uint32_t len, s;
	size_t need;
	int rc, w, pick;

	if (pc == NULL)
		return -1;
	A = pc->h->arena;
	buf_reset(scratch);
	page_encode(pg, scratch);
	need = align_up(sizeof(e) + key.n + scratch->len, PC_ALIGN);
	if (need > A / 4 || key.n > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	/* Never wait: a page not cached now is cached by the next miss. */
	rc = pthread_mutex_trylock(&pc->h->lock);
	if (rc == EOWNERDEAD) {
		repair(pc);
		pthread_mutex_consistent(&pc->h->lock);
	} else if (rc != 0) {
		errno = EBUSY;
		return -1;
	}
	e.tag = tag_of(pc->epoch, key);
	b = bucket_of(pc, e.tag);
	if (find(b, e.tag, &pos, &len) == 0 && whole(pc, pos) &&
	    pos % A + len <= A && len >= sizeof(e)) {
		struct pc_entry cur;

		memcpy(&cur, pc->arena + pos % A, sizeof(cur));
		if (cur.tag == e.tag && mono_now() < cur.expires) {
			pthread_mutex_unlock(&pc->h->lock);
			return 0;
		}
	}

	/* The bytes: room reserved first, then written. */
	pos = pc->h->head;
	if (pos % A + need > A)
		pos += A - pos % A;
	atomic_store(&pc->h->reserve, pos + need);
	atomic_thread_fence(memory_order_seq_cst);
	e.keylen = (uint32_t)key.n;
	e.framelen = (uint32_t)scratch->len;
	e.expires = mono_now() + ttl;
	memcpy(pc->arena + pos % A, &e, sizeof(e));
	memcpy(pc->arena + pos % A + sizeof(e), key.p, key.n);
	memcpy(pc->arena + pos % A + sizeof(e) + key.n, scratch->p,
	    scratch->len);
	pc->h->head = pos + need;

	/* The index: the same tag's way, an empty or overwritten one, or the
	 * oldest. */
	r = pos + need;
	pick = -1;
	old = UINT64_MAX;
	for (w = 0; w < PC_WAYS && pick < 0; w++) {
		uint64_t t = atomic_load_explicit(&b->way[w].tag,
		    memory_order_relaxed);
		uint64_t p = atomic_load_explicit(&b->way[w].pos,
		    memory_order_relaxed);

		if (t == e.tag || t == 0 || r > p + A)
			pick = w;
	}
	for (w = 0; w < PC_WAYS && pick < 0; w++)
		if (atomic_load_explicit(&b->way[w].pos,
		    memory_order_relaxed) < old) {
			old = atomic_load_explicit(&b->way[w].pos,
			    memory_order_relaxed);
			pick = w;
		}
	s = atomic_load_explicit(&b->seq, memory_order_relaxed);
	atomic_store_explicit(&b->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&b->way[pick].tag, e.tag, memory_order_relaxed);
	atomic_store_explicit(&b->way[pick].pos, pos, memory_order_relaxed);
	atomic_store_explicit(&b->way[pick].len, (uint32_t)need,
	    memory_order_relaxed);
	atomic_store_explicit(&b->seq, s + 2, memory_order_release);
	pthread_mutex_unlock(&pc->h->lock);
	return 0;
}
