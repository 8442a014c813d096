/* store.h: the BZPEER catalog and user-data store (LMDB), the only public door to it. */
#ifndef BZPEER_STORE_H
#define BZPEER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Conventions, in the style of lmdb.h:
 *  - every function returns int: 0 on success, an errno value, or a STORE_*
 *    code below; store_strerror() names any of them;
 *  - outputs come back through the last parameters;
 *  - records read inside a read transaction hold struct sv views that point
 *    into LMDB's map: they are valid until that transaction ends and must be
 *    copied to outlive it. Nothing read is ever written through.
 *
 * One struct store per process, opened after fork (LMDB forbids sharing an
 * environment across fork). Read transactions are cheap (reset/renew).
 * A struct store may be used from several threads (the environment is opened
 * with MDB_NOTLS); each struct store_rtxn belongs to one thread at a time.
 *
 * Memory: struct store and struct store_rtxn are owned by the store and
 * released by store_close() / store_read_end(). Every struct sv filled in
 * by a function taking a struct store_rtxn points into the map. Functions
 * taking a struct buf append to it; the caller owns the buffer.
 *
 * Ids are OpenAlex's bare ids: one capital letter and 1..19 digits without
 * a leading zero ("A5012345678", "W2963403868", "T10320").
 */

#define STORE_SCHEMA_VERSION 1

enum {
	STORE_NOTFOUND = -30900,  /* no such key */
	STORE_BADSCHEMA,          /* the store has an unknown schema version */
	STORE_CORRUPT,            /* a record failed to decode */
	STORE_EMPTY,              /* no catalog imported yet */
	STORE_MAPFULL,            /* the map is full and could not grow */
	STORE_CONFLICT,           /* a competing write (e.g. claim) exists */
	STORE_INVALID,            /* a caller passed an invalid argument,
	                             or an import met a bad line under --strict */
};

const char *store_strerror(int err);

struct store;
struct store_rtxn;

#define STORE_RDONLY 0x1u   /* open for reading only (the FastCGI workers) */
#define STORE_CREATE 0x2u   /* create the directory's environment if missing */
#define STORE_EMPTY_OK 0x4u /* with STORE_RDONLY: open an initialised store
                               even before its first import (admin tools) */

/*
 * Opens the store in directory dir (data.mdb, lock.mdb). With STORE_RDONLY
 * the environment is opened read-only; a store without an imported catalog
 * gives STORE_EMPTY (unless STORE_EMPTY_OK and it was initialised), a
 * missing one ENOENT. Without it the store
 * is initialised if new (schema version, empty databases). A store written
 * with another schema version gives STORE_BADSCHEMA (and a line on stderr
 * naming both versions); nothing is read from it or written to it.
 * *out is the caller's until store_close().
 */
int  store_open(const char *dir, unsigned flags, struct store **out);

/*
 * Map sizing for writers (0 = default). map_size: the map size to open
 * with; LMDB never goes below the space already used. Without it a new or
 * small map is raised to 256 MiB (or map_max if less). map_max: how far a
 * writer may double the map when it is full (default 1 TiB); past it a
 * write gives STORE_MAPFULL.
 */
struct store_opts {
	uint64_t map_size;
	uint64_t map_max;
};
int  store_open_opts(const char *dir, unsigned flags,
    const struct store_opts *opts, struct store **out);
void store_close(struct store *s);

/*
 * Begin/end a read transaction. Ending it invalidates every sv read in it.
 * A map grown by another process is adopted here (MDB_MAP_RESIZED).
 */
int  store_read_begin(struct store *s, struct store_rtxn **out);
void store_read_end(struct store_rtxn *t);

/* Catalog generation: bumped by every import; part of cache keys. */
uint64_t store_generation(struct store_rtxn *t);

/* Unix time (seconds) the current generation was imported; 0 if unknown. */
uint64_t store_generation_time(struct store_rtxn *t);

/*
 * The LMDB transaction id of t's snapshot (mdb_txn_id): grows with every
 * committed write, so it orders copies of store data kept elsewhere (the
 * Redis follower counters, DESIGN.md §4).
 */
uint64_t store_txn_id(struct store_rtxn *t);

/* Claim states of a researcher record. */
enum store_claim {
	STORE_CLAIM_NONE = 0,     /* Unclaimed */
	STORE_CLAIM_PENDING = 1,  /* Claim pending */
	STORE_CLAIM_APPROVED = 2, /* Claimed */
};

/*
 * A researcher as read from the store. Derived figures are computed by the
 * importer (and kept current by writes); see DESIGN.md §3.
 */
struct store_researcher {
	struct sv id;            /* OpenAlex id, "A5012345678" */
	struct sv slug;          /* "sanjeev-arora", "sanjeev-arora-2" on clashes */
	struct sv name;          /* display name */
	struct sv orcid;         /* "0000-0002-1825-0097" or empty */
	struct sv institution;   /* last known institution's name, or empty */
	uint32_t  version;       /* record version: bumped when the record changes */
	uint32_t  works;         /* works in the catalog with this author */
	uint32_t  topics;        /* distinct topics over those works */
	uint32_t  close_collaborators; /* co-authors sharing >= 2 works */
	uint32_t  coauthors;     /* all distinct co-authors */
	uint8_t   claim;         /* enum store_claim */
	uint8_t   orcid_verified;/* an approved claim's ORCID iD matched the record's */
	int       first_year;    /* earliest publication year, 0 if none */
	int       last_year;     /* latest publication year, 0 if none */
};

/*
 * Verification level L0..L3 and trust score 0..100, DESIGN.md §3:
 * L1 imported record with >= 1 work, L2 claim approved, L3 approved and
 * orcid_verified. trust = 10*level + min(25, works/2) + min(15, close)
 * + min(5, topics/5) + (claim approved ? 25 : 0). Bands: 0-9 "New",
 * 10-29 "Emerging", 30-49 "Established", 50-69 "Trusted", 70-100
 * "Highly trusted" (a static string).
 */
unsigned store_level(const struct store_researcher *r);
unsigned store_trust(const struct store_researcher *r);
const char *store_trust_band(unsigned trust);   /* "New" .. "Highly trusted" */

/* Look a researcher up. STORE_NOTFOUND, or STORE_CORRUPT for a bad record. */
int store_researcher_by_slug(struct store_rtxn *t, struct sv slug,
    struct store_researcher *out);
int store_researcher_by_id(struct store_rtxn *t, struct sv id,
    struct store_researcher *out);

/* Current follower count (0 when never followed; STORE_CORRUPT if bad). */
int store_followers(struct store_rtxn *t, struct sv researcher_id,
    uint64_t *out);

struct store_author_ref {
	struct sv id;            /* researcher id */
	struct sv name;          /* display name as written on the work */
};

struct store_topic_ref {
	struct sv id;            /* "T10320" */
	struct sv name;          /* "Neural Networks and Applications" */
};

struct store_work {
	struct sv id;            /* "W2963403868" */
	struct sv doi;           /* "https://doi.org/…" or empty */
	struct sv title;
	struct sv type;          /* "preprint", "article", … as in OpenAlex */
	struct sv venue;         /* primary_location.source.display_name */
	struct sv landing_url;   /* primary_location.landing_page_url or empty */
	struct sv abstract;      /* rebuilt from the inverted index, or empty */
	int       year;          /* publication_year, 0 if unknown */
	uint32_t  n_authors;
	uint32_t  n_topics;
	const void *raw_authors; /* decode with store_work_author() */
	const void *raw_topics;  /* decode with store_work_topic() */
	size_t    raw_authors_len, raw_topics_len;
};

/*
 * i-th author / topic of a work (0-based), in the work's order; walks the
 * list from the start (O(i)). STORE_NOTFOUND past the end.
 */
int store_work_author(const struct store_work *w, uint32_t i,
    struct store_author_ref *out);
int store_work_topic(const struct store_work *w, uint32_t i,
    struct store_topic_ref *out);

/*
 * Walk a work's authors / topics in order: *pos starts at 0 and is advanced
 * past each one. 0, or STORE_NOTFOUND after the last.
 *	size_t pos = 0; while (store_work_author_next(w, &pos, &a) == 0) ...
 */
int store_work_author_next(const struct store_work *w, size_t *pos,
    struct store_author_ref *out);
int store_work_topic_next(const struct store_work *w, size_t *pos,
    struct store_topic_ref *out);

/* A work by id. STORE_NOTFOUND, or STORE_CORRUPT for a bad record. */
int store_work_by_id(struct store_rtxn *t, struct sv id,
    struct store_work *out);

/*
 * Call cb for a researcher's works, newest first (year descending, works
 * without a year last, ties by work id ascending, numerically), skipping
 * the first `skip`, at most `limit` (0: no limit).
 * cb returns 0 to go on, anything else stops the walk and is returned.
 * An unknown researcher has no works (0, cb never called).
 */
typedef int (*store_work_cb)(void *ctx, const struct store_work *w);
int store_researcher_works(struct store_rtxn *t, struct sv researcher_id,
    size_t skip, size_t limit, store_work_cb cb, void *ctx);

/*
 * A researcher's co-authors, most shared works first (then by id,
 * numerically), at most `limit` (0: no limit). `shared` is the number of
 * works in common; close collaborators are those with shared >= 2.
 */
struct store_coauthor {
	struct store_researcher r;
	uint32_t shared;
};
typedef int (*store_coauthor_cb)(void *ctx, const struct store_coauthor *c);
int store_researcher_coauthors(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_coauthor_cb cb, void *ctx);

/*
 * A researcher's distinct topics, most works first (then by topic id,
 * numerically), at most `limit` (0: no limit).
 */
struct store_topic_count {
	struct store_topic_ref topic;
	uint32_t works;
};
typedef int (*store_topic_cb)(void *ctx, const struct store_topic_count *tc);
int store_researcher_topics(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_topic_cb cb, void *ctx);

/*
 * Researchers by name, in folded-name order (lower case, accents removed;
 * equal names by id, numerically), those whose folded name starts with the
 * folded `prefix` (empty: all), skipping `skip`, at most `limit` (0: no
 * limit). *total gets the number of matches (may be NULL; counting walks
 * the matching index keys, so a short prefix on a big catalog costs).
 */
typedef int (*store_researcher_cb)(void *ctx, const struct store_researcher *r);
int store_researchers_by_name(struct store_rtxn *t, struct sv prefix,
    size_t skip, size_t limit, size_t *total,
    store_researcher_cb cb, void *ctx);

/*
 * Fold a name for the name index, appending to out: ASCII upper case to
 * lower case; Latin-1 Supplement and Latin Extended-A letters (and Romanian
 * s/t with comma) to their base letters (é->e, ß->ss, ø->o, Æ->ae, Œ->oe,
 * Ł->l); combining accents (U+0300..U+036F) dropped; runs of white space
 * to one space, none at either end; NUL and invalid UTF-8 bytes dropped;
 * every other code point kept as it is.
 */
void store_fold_name(struct buf *out, struct sv name);

/*
 * Make a URL slug from a display name, appending to out: the folded name's
 * runs of [a-z0-9] joined by '-', at most STORE_SLUG_MAX bytes (cut at a
 * '-' where possible), never empty ("researcher" when nothing is left).
 * "Grégoire Lé" -> "gregoire-le".
 */
#define STORE_SLUG_MAX 80
void store_slugify(struct buf *out, struct sv name);

/* Counts for /healthz, /metrics and bzpeer-admin stats. */
struct store_stats {
	uint64_t researchers, works, generation;
	uint64_t map_size, map_used;   /* bytes */
	uint32_t schema;
	uint64_t topics;               /* distinct topics in the catalog */
};
int store_stats(struct store_rtxn *t, struct store_stats *out);

#endif
