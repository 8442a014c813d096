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
 */

#define STORE_SCHEMA_VERSION 1

enum {
	STORE_NOTFOUND = -30900,  /* no such key */
	STORE_BADSCHEMA,          /* the store has an unknown schema version */
	STORE_CORRUPT,            /* a record failed to decode */
	STORE_EMPTY,              /* no catalog imported yet */
	STORE_MAPFULL,            /* the map is full and could not grow */
	STORE_CONFLICT,           /* a competing write (e.g. claim) exists */
	STORE_INVALID,            /* a caller passed an invalid argument */
};

const char *store_strerror(int err);

struct store;
struct store_rtxn;

#define STORE_RDONLY 0x1u   /* open for reading only (the FastCGI workers) */
#define STORE_CREATE 0x2u   /* create the directory's environment if missing */

int  store_open(const char *dir, unsigned flags, struct store **out);
void store_close(struct store *s);

/* Begin/end a read transaction. Ending it invalidates every sv read in it. */
int  store_read_begin(struct store *s, struct store_rtxn **out);
void store_read_end(struct store_rtxn *t);

/* Catalog generation: bumped by every import; part of cache keys. */
uint64_t store_generation(struct store_rtxn *t);

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

/* Verification level L0..L3 and trust score 0..100, DESIGN.md §3. */
unsigned store_level(const struct store_researcher *r);
unsigned store_trust(const struct store_researcher *r);
const char *store_trust_band(unsigned trust);   /* "New" .. "Highly trusted" */

int store_researcher_by_slug(struct store_rtxn *t, struct sv slug,
    struct store_researcher *out);
int store_researcher_by_id(struct store_rtxn *t, struct sv id,
    struct store_researcher *out);

/* Current follower count (0 when never followed). */
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

/* i-th author / topic of a work (0-based). STORE_NOTFOUND past the end. */
int store_work_author(const struct store_work *w, uint32_t i,
    struct store_author_ref *out);
int store_work_topic(const struct store_work *w, uint32_t i,
    struct store_topic_ref *out);

/*
 * Call cb for a researcher's works, newest first (year descending, then
 * title), skipping the first `skip`, at most `limit` (0: no limit).
 * cb returns 0 to go on, anything else stops the walk and is returned.
 */
typedef int (*store_work_cb)(void *ctx, const struct store_work *w);
int store_researcher_works(struct store_rtxn *t, struct sv researcher_id,
    size_t skip, size_t limit, store_work_cb cb, void *ctx);

/*
 * A researcher's co-authors, most shared works first (then by name).
 * `shared` is the number of works in common.
 */
struct store_coauthor {
	struct store_researcher r;
	uint32_t shared;
};
typedef int (*store_coauthor_cb)(void *ctx, const struct store_coauthor *c);
int store_researcher_coauthors(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_coauthor_cb cb, void *ctx);

/* A researcher's distinct topics, most works first. */
struct store_topic_count {
	struct store_topic_ref topic;
	uint32_t works;
};
typedef int (*store_topic_cb)(void *ctx, const struct store_topic_count *tc);
int store_researcher_topics(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_topic_cb cb, void *ctx);

/*
 * Researchers by name, in folded-name order (lower case, accents removed),
 * those whose folded name starts with the folded `prefix` (empty: all),
 * skipping `skip`, at most `limit`. *total gets the number of matches
 * (may be NULL).
 */
typedef int (*store_researcher_cb)(void *ctx, const struct store_researcher *r);
int store_researchers_by_name(struct store_rtxn *t, struct sv prefix,
    size_t skip, size_t limit, size_t *total,
    store_researcher_cb cb, void *ctx);

/* Fold a name for the name index: UTF-8 in, lower-case ASCII-ish out. */
void store_fold_name(struct buf *out, struct sv name);

/* Make a URL slug from a display name ("Grégoire Lé" -> "gregoire-le"). */
void store_slugify(struct buf *out, struct sv name);

/* Counts for /healthz, /metrics and bzpeer-admin stats. */
struct store_stats {
	uint64_t researchers, works, generation;
	uint64_t map_size, map_used;   /* bytes */
	uint32_t schema;
};
int store_stats(struct store_rtxn *t, struct store_stats *out);

#endif
