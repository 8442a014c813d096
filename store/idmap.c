/* idmap.c: a map from numeric ids to counters (open addressing, linear probing). */
#include "idmap.h"

#include <stdlib.h>

#include "buf.h"

static size_t
hash(uint64_t id)
{
	/* splitmix64's finaliser: ids are dense and sequential. */
	id ^= id >> 30;
	id *= 0xbf58476d1ce4e5b9ULL;
	id ^= id >> 27;
	id *= 0x94d049bb133111ebULL;
	id ^= id >> 31;
	return (size_t)id;
}

struct idmap_entry *
idmap_get(const struct idmap *m, uint64_t id)
{
	size_t h;

	if (m->slots == NULL)
		return NULL;
	for (h = hash(id) & m->mask; m->slots[h]; h = (h + 1) & m->mask)
		if (m->v[m->slots[h] - 1].id == id)
			return &m->v[m->slots[h] - 1];
	return NULL;
}

/* Rebuilds the index with twice the slots. */
static void
grow(struct idmap *m)
{
	size_t nslots = m->slots ? (m->mask + 1) * 2 : 64, i, h;

	free(m->slots);
	m->slots = xcalloc(nslots, sizeof(*m->slots));
	m->mask = nslots - 1;
	for (i = 0; i < m->n; i++) {
		for (h = hash(m->v[i].id) & m->mask; m->slots[h];
		    h = (h + 1) & m->mask)
			;
		m->slots[h] = (uint32_t)(i + 1);
		m->v[i].slot = (uint32_t)h;
	}
}

struct idmap_entry *
idmap_add(struct idmap *m, uint64_t id)
{
	struct idmap_entry *e;
	size_t h;

	if ((e = idmap_get(m, id)) != NULL)
		return e;
	if (m->slots == NULL || (m->n + 1) * 2 > m->mask + 1)
		grow(m);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	for (h = hash(id) & m->mask; m->slots[h]; h = (h + 1) & m->mask)
		;
	e = &m->v[m->n];
	e->id = id;
	e->n = 0;
	e->slot = (uint32_t)h;
	m->slots[h] = (uint32_t)++m->n;
	return e;
}

void
idmap_clear(struct idmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		m->slots[m->v[i].slot] = 0;
	m->n = 0;
}

void
idmap_free(struct idmap *m)
{
	free(m->slots);
	free(m->v);
	*m = (struct idmap)IDMAP_INIT;
}
