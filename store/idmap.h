/* idmap.h: a map from numeric ids to counters, for the importer's tallies. */
#ifndef BZPEER_IDMAP_H
#define BZPEER_IDMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Entries live in insertion order in v[0..n); the open-addressed index
 * points into it. idmap_clear() costs O(n), not O(capacity), so one map can
 * be reused for many small tallies after one big one. Memory is the map's
 * (xmalloc policy, buf.h); idmap_free() releases it.
 */
struct idmap_entry {
	uint64_t id;
	uint32_t n;       /* a count, or flags: the caller's */
	uint32_t slot;    /* where the index points at this entry */
};

struct idmap {
	uint32_t *slots;  /* entry index + 1; 0 = empty */
	size_t    mask;   /* slots - 1, a power of two minus one */
	struct idmap_entry *v;
	size_t    n, cap;
};

#define IDMAP_INIT { NULL, 0, NULL, 0, 0 }

/* The entry for id, or NULL. */
struct idmap_entry *idmap_get(const struct idmap *m, uint64_t id);
/* The entry for id, added with n = 0 if missing. Valid until the next add. */
struct idmap_entry *idmap_add(struct idmap *m, uint64_t id);
void idmap_clear(struct idmap *m);
void idmap_free(struct idmap *m);

#endif
