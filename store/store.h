/* store.h: the BZPEER catalog and user-data store (LMDB), the only public door to it. */
#ifndef BZPEER_STORE_H
#define BZPEER_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/*
 * The schema version this code reads and writes. Each version, and the
 * migration step that brings a store of the version before it up to it
 * (store/migrate.c, `bzpeer-admin migrate`):
 *  1  the catalog and the user data (follows, claims, ended sessions);
 *  2  meta "program": the program (name and version, "bzpeer 0.2.0") that
 *     made the store or last raised its schema, so that an older program
 *     refusing the store can say which version it needs;
 *  3  names folded in every script (store_fold_name, libutf8proc); the
 *     search index of name words over display and alternative names
 *     (nameparts, rnames); slugs the old folding cut up ("nguy-n-van-an",
 *     "researcher" for a Cyrillic name) made again, the old ones kept as
 *     aliases that answer 301;
 *  4  fields at the end of works (publication date, citations, open-access
 *     link, retracted and paratext flags) and researchers (citations,
 *     h-index and i10-index from the catalog's works and from OpenAlex,
 *     institutions with years, counts by year). Records written before
 *     end without them and read as having none; the step changes no
 *     record: the figures appear once the catalog is imported again;
 *  5  each user's claims indexed (userclaims), made from the claims there
 *     are, so that a claimant's pages read their own claims, not all; a
 *     pending claim disputed by another user's claim (disputes);
 *  6  fields at the end of researchers: when the record or its works
 *     last changed (the Atom feed's updated) and the alternative names
 *     as written. Records of before read as having none; the step changes
 *     no record;
 *  7  catalog and user data in two LMDB environments, DIR/catalog and
 *     DIR/user, each with its own writer (store/README.md); claim states
 *     and the version bumps of claim decisions kept as user data
 *     (rstate); OpenAlex merges journaled in the catalog (mergelog) and
 *     applied to user data after. The step needs the store to itself.
 * A store of an older version is refused (STORE_OLDSCHEMA) until it is
 * migrated; of a newer one (STORE_BADSCHEMA), always. Either way a line
 * on stderr names both versions and what to do.
 */
#define STORE_SCHEMA_VERSION 7

enum {
	STORE_NOTFOUND = -30900,  /* no such key */
	STORE_BADSCHEMA,          /* the store has an unknown schema version */
	STORE_CORRUPT,            /* a record failed to decode */
	STORE_EMPTY,              /* no catalog imported yet */
	STORE_MAPFULL,            /* the map is full and could not grow */
	STORE_CONFLICT,           /* a competing write (e.g. claim) exists */
	STORE_EXISTS,             /* the user already has an open claim */
	STORE_INVALID,            /* a caller passed an invalid argument,
	                             or an import met a bad line under --strict */
	STORE_BUSY,               /* another writer held the store past the
	                             wait allowed (store_opts.write_wait_ms) */
	STORE_REVOKED,            /* the session was ended: signed out, or all
	                             of its user's sessions revoked */
	STORE_OLDSCHEMA,          /* the store's schema is older than this
	                             program's: `bzpeer-admin migrate` */
	STORE_INUSE,              /* another process has the store open */
	STORE_MISMATCH,           /* an input disagrees with its manifest */
};

const char *store_strerror(int err);

struct store;
struct store_rtxn;

#define STORE_RDONLY 0x1u   /* open for reading only; the user-data writers
                               (store_follow, store_claim_*) need a store
                               opened without it */
#define STORE_CREATE 0x2u   /* create the directory's environment if missing */
#define STORE_EMPTY_OK 0x4u /* with STORE_RDONLY: open an initialised store
                               even before its first import (admin tools) */
#define STORE_NORDAHEAD 0x8u /* no kernel readahead on the map (LMDB's
                               MDB_NORDAHEAD): a page fault reads the one
                               page, not a window around it; for a store
                               larger than memory (bench/results.md) */
#define STORE_CATALOG_ONLY 0x10u /* dir is a catalog's environment itself,
                               opened alone, without user data (a catalog
                               built beside the serving one: import only) */

/*
 * Opens the store in directory dir: its catalog in dir/catalog, its user
 * data in dir/user (schema 7 on; each an LMDB environment, data.mdb and
 * lock.mdb, with its own writer). With STORE_RDONLY
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
 * A catalog built beside the serving one (bzpeer-import --into-new): the
 * store in dir must exist; dir/catalog.new (what an interrupted build left
 * removed first) is made and opened STORE_CATALOG_ONLY, its generation
 * starting after the serving catalog's, so that no page cached from the
 * serving one is taken for one of the new. store_catalog_swap() then
 * exchanges it with dir/catalog in one atomic rename (RENAME_EXCHANGE) and
 * keeps the old one as dir/catalog.before-TIME (its path into old). User
 * data is not touched: no follow made meanwhile is lost. Processes that
 * have the old catalog open keep reading it until they open the store
 * again (bzpeer-fcgi: SIGHUP). 0 or an errno/LMDB/STORE_* code.
 *
 * From store_catalog_begin() to the swap, the serving catalog's writer
 * gate is held (in *hold; store_catalog_swap() gives it back, as does
 * store_catalog_release() when the build is abandoned): the owners' data,
 * copied into the new catalog at its start, cannot change meanwhile; an
 * owner's change waits its bounded wait and is refused (503, nothing
 * written). After the swap, a process still on the old catalog gets
 * STORE_BUSY for every catalog write until it opens the store again, so
 * nothing is written where the service no longer reads.
 */
struct store_opts;
int  store_catalog_begin(const char *dir, const struct store_opts *o,
    struct store **out, struct store **hold);
int  store_catalog_swap(const char *dir, struct buf *old, struct store *hold);
/* Gives back *hold of store_catalog_begin() without a swap (NULL: nothing). */
void store_catalog_release(struct store *hold);

/*
 * Applies to user data whatever merges of the catalog it has not applied
 * yet (an import does so after its commit; a catalog swapped in brings
 * its own journal). 0 or an error.
 */
int  store_merges_apply(struct store *s);

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
	long     write_wait_ms;   /* writers wait this long for another
	                             writer of this program (an import, say),
	                             then give STORE_BUSY with nothing
	                             written; 0: no limit */
	void   (*on_batch)(size_t items); /* or NULL: called by this process
	                             after each durable commit of follows
	                             it led, with how many it carried */
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
 * Redis follower counters, docs/ARCHITECTURE.md "Caching").
 */
uint64_t store_txn_id(struct store_rtxn *t);

/*
 * Claim states of a researcher record (its `claim` field). The tag is not
 * store_claim: that is the claim record below, and C has one tag namespace.
 */
enum store_researcher_claim {
	STORE_CLAIM_NONE = 0,     /* Unclaimed */
	STORE_CLAIM_PENDING = 1,  /* Claim pending */
	STORE_CLAIM_APPROVED = 2, /* Claimed */
};

/*
 * A researcher as read from the store. Derived figures are computed by the
 * importer (and kept current by writes); see docs/ARCHITECTURE.md "The store".
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
	uint8_t   claim;         /* enum store_researcher_claim */
	uint8_t   orcid_verified;/* approved claim's identity verified: its ORCID
	                            iD matched the record's, or a reviewed
	                            institutional email */
	int       first_year;    /* earliest publication year, 0 if none */
	int       last_year;     /* latest publication year, 0 if none */
	/* Schema 4 on (a record of before reads as zeros and empty lists): */
	uint64_t  cited;         /* citations of those works (cited_by_count) */
	uint32_t  h_index;       /* of those works: h of them cited >= h times */
	uint32_t  i10_index;     /* of those works: cited >= 10 times */
	uint8_t   oa_stats;      /* the author record had summary_stats: */
	uint32_t  oa_h_index, oa_i10_index;  /* OpenAlex's, over all its works */
	uint64_t  oa_cited;      /* the author record's cited_by_count */
	uint32_t  n_insts;       /* institutions, current first: */
	const void *raw_insts;   /* store_researcher_inst_next() */
	size_t    raw_insts_len;
	uint32_t  n_years;       /* counts_by_year of the author record: */
	const void *raw_years;   /* store_researcher_year_next() */
	size_t    raw_years_len;
	/* Schema 6 on (a record of before reads as 0 and no names): */
	uint64_t  changed;       /* unix seconds of the import that last
	                            changed this record or one of its works
	                            (a re-import of the same data does not) */
	uint64_t  works_hash;    /* of the works' records, in list order: a
	                            changed work changes the record */
	uint32_t  n_alts;        /* display_name_alternatives, as written: */
	const void *raw_alts;    /* store_researcher_alt_next() */
	size_t    raw_alts_len;
};

/* An institution of a researcher; years 0 when not known. */
struct store_inst {
	struct sv name;
	int       first, last;   /* years of the affiliation */
	int       current;       /* a last known institution */
};

/* Works and citations of a researcher in one year (OpenAlex's counts). */
struct store_year {
	int      year;
	uint64_t works, cited;
};

/*
 * Walk a researcher's institutions / counts by year: *pos starts at 0.
 * 0, or STORE_NOTFOUND after the last.
 */
int store_researcher_inst_next(const struct store_researcher *r, size_t *pos,
    struct store_inst *out);
int store_researcher_year_next(const struct store_researcher *r, size_t *pos,
    struct store_year *out);
int store_researcher_alt_next(const struct store_researcher *r, size_t *pos,
    struct sv *out);

/*
 * Verification level L0..L3 and trust score 0..100 (docs/ARCHITECTURE.md):
 * L1 imported record with >= 1 work, L2 claim approved, L3 approved and
 * orcid_verified. trust = 10*level + min(25, works/2) + min(15, close)
 * + min(5, topics/5) + (claim approved ? 25 : 0). Bands: 0-9 "New",
 * 10-29 "Emerging", 30-49 "Established", 50-69 "Trusted", 70-100
 * "Highly trusted" (a static string).
 */
unsigned store_level(const struct store_researcher *r);
unsigned store_trust(const struct store_researcher *r);

/*
 * The trust score in its parts, as store_trust() adds them up (it calls
 * this), so what a page shows as the parts always sums to what it shows
 * as the score. The caps of the parts, for saying them in words.
 */
#define STORE_TRUST_PER_LEVEL   10
#define STORE_TRUST_WORKS_PER    2   /* works a point */
#define STORE_TRUST_WORKS_MAX   25
#define STORE_TRUST_CLOSE_MAX   15   /* one point per close collaborator */
#define STORE_TRUST_TOPICS_PER   5   /* topics a point */
#define STORE_TRUST_TOPICS_MAX   5
#define STORE_TRUST_CLAIMED     25   /* an approved claim */
struct store_trust_parts {
	unsigned level, works, close, topics, claimed;
	unsigned total;                  /* their sum, at most 100 */
};
void store_trust_parts(const struct store_researcher *r,
    struct store_trust_parts *out);
const char *store_trust_band(unsigned trust);   /* "New" .. "Highly trusted" */

/*
 * Look a researcher up. STORE_NOTFOUND, or STORE_CORRUPT for a bad record.
 * A researcher OpenAlex merged into another is found as that other one
 * (out->id and out->slug are the survivor's), by its old id and by its
 * old slug: callers that compare out->slug with what they looked up know
 * to redirect.
 */
int store_researcher_by_slug(struct store_rtxn *t, struct sv slug,
    struct store_researcher *out);
int store_researcher_by_id(struct store_rtxn *t, struct sv id,
    struct store_researcher *out);

/*
 * The id of the last write transaction that moved follows from one
 * researcher to another (an import merging researchers); 0 when none. A
 * copy of a count written by an older transaction may be stale.
 */
uint64_t store_follows_moved(struct store_rtxn *t);

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

#define STORE_WORK_RETRACTED 0x1u
#define STORE_WORK_PARATEXT  0x2u   /* front matter, covers, indexes: kept,
                                       listed for nobody, counted nowhere */

struct store_work {
	struct sv id;            /* "W2963403868" */
	struct sv doi;           /* "https://doi.org/…" or empty */
	struct sv title;
	struct sv type;          /* "preprint", "article", … as in OpenAlex */
	struct sv venue;         /* primary_location.source.display_name */
	struct sv landing_url;   /* primary_location.landing_page_url or empty */
	struct sv abstract;      /* rebuilt from the inverted index, or empty */
	int       year;          /* publication_year, 0 if unknown */
	/* Schema 4 on (a record of before reads as empty and zero): */
	struct sv date;          /* publication_date, "2021-06-30", or empty */
	struct sv oa_url;        /* open-access copy: best_oa_location's PDF or
	                            page, else open_access.oa_url; or empty */
	uint64_t  cited;         /* cited_by_count */
	uint32_t  flags;         /* STORE_WORK_RETRACTED, STORE_WORK_PARATEXT */
	uint32_t  n_authors;     /* an author without an id (OpenAlex could not
	                            tell who) has an empty id: a name only */
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
 * The profile page's walks: store_researcher_coauthors() and
 * store_researcher_works() (from the first work) answered from the
 * researcher's one pviews record when the store has it and it holds what
 * the walk asks for (store_int.h), else by those two. A co-author's record
 * then holds only id, name, slug and institution (the rest zero): what
 * the profile shows of a co-author. Same order, same limits.
 */
int store_profile_coauthors(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_coauthor_cb cb, void *ctx);
int store_profile_works(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_work_cb cb, void *ctx);

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
 * Researchers by name. An empty query (nothing left once folded): every
 * researcher, in folded-name order (equal names by id, numerically).
 * Otherwise a search over the display names and alternative names
 * (display_name_alternatives), folded (store_fold_name) and cut into
 * words (store_name_words), so case, accents, dots and hyphens do not
 * matter: a name matches when every word of the query starts a different
 * word of it, in any order ("lee", "Kenneth J Livak", "livak kenneth",
 * "k livak" all find "Kenneth J. Livak"). Ranked: the whole name equal to
 * the query first, then names starting with it, then the others; in
 * each, most works first, then by id. The index entries under the
 * query's longest word are read, at most STORE_SEARCH_SCAN of them (a
 * one-letter query on a large catalog ranks what those hold). Skips
 * `skip`, at most `limit` (0: no limit); *total gets the number of
 * matches (may be NULL).
 */
#define STORE_SEARCH_SCAN 50000
typedef int (*store_researcher_cb)(void *ctx, const struct store_researcher *r);
int store_researchers_by_name(struct store_rtxn *t, struct sv prefix,
    size_t skip, size_t limit, size_t *total,
    store_researcher_cb cb, void *ctx);

/*
 * Fold a name for the name index and for slugs, appending to out (fold.c
 * has the steps, with libutf8proc): compatibility decomposition and
 * Unicode case folding in every script ("Иван" and "иван", "ΕΛΕΝΗ" and
 * "ελενη" alike), the accents of Latin and Greek letters and the vowel
 * points of Hebrew and Arabic dropped (é->e, ễ->e, ǵ->g, ά->α; Cyrillic
 * keeps its letters' marks, й is not и, but ё is е),
 * the Latin letters without a decomposition to their base letters
 * (ß->ss, ø->o, Æ->ae, Œ->oe, Ł->l, Đ->d, Þ->th); every dash and hyphen
 * (U+2010, U+2011, ...) to '-', the apostrophes and single quotes
 * (U+2019, U+02BC, ...) to '\''; default-ignorable code points (soft
 * hyphens, joiners, bidi controls) dropped; what is left recomposed (NFC);
 * runs of white space to one space, none at either end; controls, NUL
 * and invalid UTF-8 bytes dropped.
 */
void store_fold_name(struct buf *out, struct sv name);

/*
 * Whether the UTF-8 sequence at p (n > 0 bytes) is a character of a name's
 * words: a letter, a digit or a combining mark of any script (Unicode
 * categories L, N, M); *len gets its length in bytes (1 for an invalid
 * byte, which is not one).
 */
int store_name_char(const char *p, size_t n, size_t *len);

/*
 * The words of the folded name (runs of store_name_char characters)
 * joined by one space, appended to out, at most max bytes (cut between
 * words where possible): "Kenneth J. Livak" and "kenneth j livak" both
 * give "kenneth j livak", "O’Brien" "o brien". The search index keeps
 * names in this form.
 */
void store_name_words(struct buf *out, struct sv name, size_t max);

/*
 * Make a URL slug from a display name, appending to out: the words of
 * the folded name joined by '-', at most STORE_SLUG_MAX bytes (cut at a
 * '-' where possible), never empty ("researcher" when nothing is left).
 * Letters of every script are kept as they are (UTF-8; in a URL they are
 * percent-encoded): "Grégoire Lé" -> "gregoire-le", "Nguyễn Văn An" ->
 * "nguyen-van-an", "Иван Петров" -> "иван-петров", "王小明" -> "王小明"
 * (docs/ARCHITECTURE.md, "Decisions").
 */
#define STORE_SLUG_MAX 80
void store_slugify(struct buf *out, struct sv name);

/* Counts for /healthz, /metrics and bzpeer-admin stats. */
struct store_stats {
	uint64_t researchers, works, generation;
	uint64_t map_size, map_used;   /* bytes, the catalog's */
	uint64_t user_map_size, user_map_used;   /* user data's */
	uint32_t schema;
	uint64_t topics;               /* distinct topics in the catalog */
	uint64_t merged;               /* researcher ids merged into others */
	char last_authors[11], last_works[11];  /* snapshot partitions applied
	                                           last, "" when none */
};
int store_stats(struct store_rtxn *t, struct store_stats *out);

/* ---- user data: follows, claims, sessions ended ------------------------------
 *
 * User data lives beside the catalog in the same environment and survives
 * re-imports (the importer keeps a record's claim state, orcid_verified and
 * never lowers its version). Users are the names the web server
 * authenticated (REMOTE_USER), 1..STORE_USER_MAX bytes of text lines
 * (store_text_valid); anything else is STORE_INVALID.
 *
 * The writers (store_follow, store_claim_file, store_claim_decide):
 *  - need a store opened without STORE_RDONLY (else EACCES); one struct
 *    store per process serves both reads and writes (LMDB forbids opening
 *    one environment twice in a process);
 *  - run one write transaction each: nothing is ever half-written. LMDB
 *    serialises writers across processes, and every check and count is
 *    made inside that transaction on the latest committed state;
 *  - copy their string arguments first, so these may point into the map;
 *  - may grow a full map (or give STORE_MAPFULL with nothing changed);
 *    growing remaps it, so no read transaction of this process may be in
 *    use during the call (end it first; views read in it die with it).
 * Every refused call (any non-zero return) leaves the store unchanged.
 */
#define STORE_USER_MAX 128

/*
 * The one rule for text from users, which the store enforces on every
 * string it keeps and the web layer checks its input against, so that
 * nothing it lets through is refused here:
 *  - well-formed UTF-8 (utf8.h: no overlong forms, surrogates, values past
 *    U+10FFFF, stray or missing continuation bytes);
 *  - no C0 control (NUL included), DEL or C1 control (U+0080..U+009F); a
 *    note (STORE_TEXT_NOTE) may hold tab, line feed and carriage return;
 *  - a line (STORE_TEXT_LINE) holds no U+2028 LINE SEPARATOR or U+2029
 *    PARAGRAPH SEPARATOR either: they break lines as surely as a line feed.
 * Everything else is text, bidi controls (U+200E, U+202E, ...) and
 * noncharacters (U+FFFE, ...) included: names in right-to-left scripts
 * need the marks, and what prints text for people escapes them
 * (bzpeer-admin). 1 when s is valid, else 0.
 */
enum store_text {
	STORE_TEXT_LINE,
	STORE_TEXT_NOTE
};
int store_text_valid(struct sv s, enum store_text kind);

/* Whether user is a name the store takes: a line of 1..STORE_USER_MAX bytes. */
int store_user_valid(struct sv user);

/*
 * Follows (follow = 1) or unfollows (follow = 0) researcher_id for user: the
 * edges (researcher->user and user->researcher) and the researcher's count
 * change in one write transaction. Idempotent: following twice counts once;
 * unfollowing what is not followed changes nothing, and the count never goes
 * below zero. Follows of several processes waiting at once share one
 * write transaction and commit (store/groupq.c). *count gets the count
 * after that commit; *txn_id the id of the write transaction that
 * committed it, or, when none of the follows sharing it changed anything,
 * the id of the snapshot the count was read in (both order Redis copies,
 * "Caching"); *changed whether this follow added or removed an edge. The count stored is the
 * number of edges, counted in the committing transaction. The researcher's
 * record and its version are left alone: a follow never makes cached pages
 * stale (the count is a hole). STORE_INVALID for a bad user name,
 * STORE_NOTFOUND for an unknown researcher (checked in that order);
 * STORE_CONFLICT for a follow of the researcher by its owner (the user
 * of its approved claim): nobody follows themselves, and nothing is
 * written (an unfollow is always taken). Approving a claim removes the
 * claimant's follow of that researcher in the approval's transaction
 * (store_claim_decide).
 */
int store_follow(struct store *s, struct sv researcher_id, struct sv user,
    int follow, uint64_t *count, uint64_t *txn_id, int *changed);

/* Whether user follows researcher_id (*out 0 or 1; 0 for a bad user name). */
int store_is_following(struct store_rtxn *t, struct sv researcher_id,
    struct sv user, int *out);

/*
 * Calls cb for each user following researcher_id, in byte order of the
 * names (views into the map). cb returns 0 to go on, anything else stops
 * the walk and is returned. An unknown researcher has no followers.
 */
typedef int (*store_user_cb)(void *ctx, struct sv user);
int store_researcher_followers(struct store_rtxn *t, struct sv researcher_id,
    store_user_cb cb, void *ctx);

/* ---- following: what it gives (feeds.c) --------------------------------------
 *
 * A user's followed researchers with their newest works (/me), and the
 * newest works over all of them (the private feed). The reads are
 * bounded whatever the user follows: at most STORE_FOLLOWING_SCAN entries
 * of each researcher's works list (newest year first; among those read,
 * newest publication date first, then the newer work id), at most
 * STORE_FOLLOWING_PAGE_MAX researchers a call on /me and the first
 * STORE_FEED_RESEARCHERS of the list for the feed. The list is in the
 * order of the following index (the researchers' OpenAlex numbers).
 * Paratext is left out; a researcher gone from the catalog is passed over.
 */
#define STORE_FOLLOWING_SCAN 8
#define STORE_FOLLOWING_PAGE_MAX 50
#define STORE_FEED_RESEARCHERS 100

/*
 * Calls cb for the researchers user follows from list entry `skip`, at
 * most `limit` (0 or more than STORE_FOLLOWING_PAGE_MAX: that many), each
 * with its follower count and its newest works, at most `per` (at most
 * STORE_FOLLOWING_SCAN), newest first. *total (may be NULL) gets how many
 * the user follows. Views into t; cb returns 0 to go on.
 */
/* How many researchers user follows (one lookup and a count). */
int store_following_count(struct store_rtxn *t, struct sv user, size_t *n);

typedef int (*store_followed_cb)(void *ctx, const struct store_researcher *r,
    uint64_t followers, const struct store_work *works, size_t n);
int store_following_works(struct store_rtxn *t, struct sv user, size_t skip,
    size_t limit, size_t per, store_followed_cb cb, void *ctx, size_t *total);

/*
 * The newest works by the researchers user follows (the first
 * STORE_FEED_RESEARCHERS of them), newest first, at most `limit`, a work
 * of several of them once (under the first in the list). cb gets each
 * with the researcher it is listed for. *followed (may be NULL) gets how
 * many the user follows.
 */
typedef int (*store_newest_cb)(void *ctx, const struct store_work *w,
    const struct store_researcher *by);
int store_following_newest(struct store_rtxn *t, struct sv user, size_t limit,
    store_newest_cb cb, void *ctx, size_t *followed);

/*
 * Private feeds: one secret address per user, made with 24 bytes of
 * randombytes_buf() and written as STORE_FEED_TOKEN_HEX lowercase hex
 * digits: a selector (the key it is found by) and a 128-bit verifier,
 * kept only as a hash (BLAKE2b-256) and compared in constant time, so a
 * copy of the store gives no working address. Writers as the user-data
 * writers above.
 *
 * store_feed_make: a new token for user, the old one (if any) ended in
 * the same transaction; token gets it, the one time it can be had.
 * now 0: the clock's (its time of making). STORE_INVALID for a bad user.
 * store_feed_revoke: ends user's token (*had 1), or nothing to end (0,
 * nothing written). STORE_INVALID for a bad user.
 * store_feed_user: the user whose token this is (a view into t) and when
 * it was made; STORE_NOTFOUND for anything else: malformed (not exactly
 * the hex digits), unknown, ended, a wrong verifier, all alike.
 * store_feed_of: whether user has a token (0 with when it was made, or
 * STORE_NOTFOUND).
 */
#define STORE_FEED_SELECTOR_LEN 8
#define STORE_FEED_VERIFIER_LEN 16
#define STORE_FEED_TOKEN_LEN (STORE_FEED_SELECTOR_LEN + STORE_FEED_VERIFIER_LEN)
#define STORE_FEED_TOKEN_HEX (2 * STORE_FEED_TOKEN_LEN)
int store_feed_make(struct store *s, struct sv user, uint64_t now,
    char token[STORE_FEED_TOKEN_HEX + 1]);
int store_feed_revoke(struct store *s, struct sv user, int *had);
int store_feed_user(struct store_rtxn *t, struct sv token, struct sv *user,
    uint64_t *created);
int store_feed_of(struct store_rtxn *t, struct sv user, uint64_t *created);

/* Claim records. Pending -> approved or rejected (the note is kept). */
enum store_claim_state {
	STORE_CLAIM_STATE_PENDING = 1,
	STORE_CLAIM_STATE_APPROVED = 2,
	STORE_CLAIM_STATE_REJECTED = 3,
};

/*
 * Limits of a claim's fields in characters, counted as the browser counts
 * a form field's maxlength (utf8_chars in utf8.h), so that the form's
 * maxlength, the web layer's check and the store's agree. The email and
 * evidence URL are ASCII (their validators), so bytes there too.
 */
#define STORE_CLAIM_NOTE_MAX 1000   /* the claimant's and the reviewer's notes */
#define STORE_ORCID_MAX 19          /* "0000-0002-1825-0097", as kept */
#define STORE_ORCID_INPUT_MAX 64    /* as typed: its URL too (orcid_normalize) */
#define STORE_EMAIL_MAX 254
#define STORE_URL_MAX 2000          /* evidence_url */

struct store_claim {
	uint64_t  id;            /* 1, 2, ... in filing order */
	struct sv researcher_id;
	struct sv user;
	struct sv orcid;         /* as given, checked by the caller; may be empty */
	struct sv email;
	struct sv evidence_url;
	struct sv note;
	struct sv reviewer_note; /* empty until decided */
	uint8_t   state;         /* enum store_claim_state */
	uint8_t   identity_verified; /* approved with a reviewed institutional email */
	uint64_t  filed_at;      /* unix seconds */
	uint64_t  decided_at;    /* unix seconds, 0 while pending */
};

/*
 * Files a claim by in->user on in->researcher_id (fields already validated
 * by the caller; the store checks again the user name, the lengths above
 * and that every field is valid UTF-8 without NUL). in->id, state,
 * reviewer_note, identity_verified and decided_at are ignored; filed_at 0
 * means now. Checked in this order: STORE_INVALID for a bad field;
 * STORE_NOTFOUND for an unknown researcher; STORE_EXISTS when the user
 * already has an open (pending) claim on any researcher, this one
 * included; STORE_CONFLICT when the researcher already has a pending or
 * approved claim (HTTP 409). On success the researcher's claim state
 * becomes pending and its record version is bumped (so cached pages are
 * left behind). *id gets the claim id.
 */
int store_claim_file(struct store *s, const struct store_claim *in,
    uint64_t *id);

/*
 * Disputes the researcher's pending claim: files in as a claim of its
 * own (checked as store_claim_file checks, the same STORE_INVALID,
 * STORE_NOTFOUND, STORE_EXISTS), pending beside the disputed one, which
 * stays the researcher's current claim; both go to the reviewer together
 * (store_claim_partner). STORE_CONFLICT with *why when the researcher's
 * claim cannot be disputed: none pending (STORE_DISPUTE_NOTHING),
 * approved (DECIDED), disputed already (TAKEN). *id gets the new claim's
 * id, *disputed the disputed one's. The record version is bumped.
 */
enum store_dispute_why {
	STORE_DISPUTE_NOTHING = 1,
	STORE_DISPUTE_DECIDED,
	STORE_DISPUTE_TAKEN,
};
int store_claim_dispute(struct store *s, const struct store_claim *in,
    uint64_t *id, uint64_t *disputed, int *why);

/* The claim disputed with claim id (either way), or STORE_NOTFOUND. */
int store_claim_partner(struct store_rtxn *t, uint64_t id, uint64_t *partner);

/*
 * Decides a pending claim, now (decided_at). Approve: the researcher
 * becomes claimed (STORE_CLAIM_APPROVED), orcid_verified is set when the
 * claim's ORCID iD equals the record's (both non-empty; the check digit
 * 'X' in either case) or identity_verified is given (a reviewed
 * institutional email, kept on the claim), record version bumped, and
 * the claimant's follow of the researcher, if any, removed (the count one
 * less: an owner does not follow themselves, store_follow). Reject:
 * the claim keeps the reviewer's note, the researcher goes back to
 * unclaimed (orcid_verified 0) and may be claimed again, version bumped.
 * Either way the user may file a new claim. The reviewer's note (may be
 * empty) is kept on the claim. A claim disputed with another that is still
 * pending is decided with it: approved, the other is rejected with a note
 * naming this one; rejected, the other stays pending and becomes the
 * researcher's current claim (the researcher stays pending, version
 * bumped). STORE_INVALID for a note over
 * STORE_CLAIM_NOTE_MAX or not UTF-8; STORE_NOTFOUND for an unknown id;
 * STORE_CONFLICT when not pending.
 */
int store_claim_decide(struct store *s, uint64_t id, int approve,
    int identity_verified, struct sv reviewer_note);

/*
 * Reading claims: the strings of *out are views into the map, valid until t
 * ends. STORE_NOTFOUND, or STORE_CORRUPT for a bad record.
 */
/* A claim by id. */
int store_claim_by_id(struct store_rtxn *t, uint64_t id, struct store_claim *out);

/* The researcher's current (pending or approved) claim; STORE_NOTFOUND if none. */
int store_claim_of_researcher(struct store_rtxn *t, struct sv researcher_id,
    struct store_claim *out);

/*
 * Claims in id order; state 0 for all, else only that state (another value
 * gives STORE_INVALID). cb returns 0 to go on, anything else stops the
 * walk and is returned.
 */
typedef int (*store_claim_cb)(void *ctx, const struct store_claim *c);
int store_claims_each(struct store_rtxn *t, int state, store_claim_cb cb,
    void *ctx);

/*
 * What a reviewer can check of a claim against the record it claims,
 * computed from the claim, the record and the claimant's other claims:
 *  - orcid: the claim's ORCID iD and the record's are the same iD
 *    (STORE_CHECK_MATCH), differ (MISMATCH), or one is missing (NONE);
 *  - email: the email's domain names the record's affiliation (MATCH:
 *    its registrable label, the one before the top level or before a
 *    generic second level such as "ac" or "edu", or a hyphenated part of
 *    it, of three letters or more and not itself generic, is a word of
 *    the folded institution name, the initials of its words, or (four or
 *    more) the start of its words run together: cs.princeton.edu for
 *    Princeton University, mit.edu for Massachusetts Institute of
 *    Technology, ethz.ch for ETH Zurich, uni-bonn.de for University of
 *    Bonn; never princeton.edu.evil.com), does not (MISMATCH), or the
 *    record has no affiliation (NONE). A hint for the reviewer, who
 *    decides: a mismatch is refused only without --override;
 *  - owner_of: a researcher the claimant already owns (an approved claim
 *    of theirs on another record), or empty.
 * Strings are views into t. STORE_NOTFOUND when the record is gone.
 */
enum store_check {
	STORE_CHECK_NONE = 0,
	STORE_CHECK_MATCH = 1,
	STORE_CHECK_MISMATCH = 2,
};
struct store_claim_check {
	int       orcid, email;          /* enum store_check */
	struct sv record_orcid, institution, domain;
	struct sv owner_of;              /* researcher id, or empty */
};
int store_claim_check(struct store_rtxn *t, const struct store_claim *c,
    struct store_claim_check *out);
/* The email-domain rule above, on its own (for tests): 1 or 0. */
int store_domain_names(struct sv domain, struct sv institution);

/*
 * The claims filed by user, newest first (what a claimant's page lists);
 * cb as above. From the user's index of claims (userclaims, schema 5):
 * the cost is the user's claims, not the store's. A bad user name has no
 * claims; an index entry without its claim is STORE_CORRUPT.
 */
int store_claims_of_user(struct store_rtxn *t, struct sv user,
    store_claim_cb cb, void *ctx);

/*
 * Checks the users' index of claims against the claims: every claim up to
 * the last indexed is listed under its user, every entry is a claim of
 * that user, no id after the last given out. 0 when they agree, else
 * STORE_CORRUPT with *bad the number of disagreements; or an LMDB error.
 */
int store_claims_verify(struct store_rtxn *t, uint64_t *bad);

/* ---- a claimed profile's owner: settings, works removed, merges --------------
 *
 * The owner of a researcher is the user whose claim on it was approved
 * (store_claim_of_researcher: state STORE_CLAIM_STATE_APPROVED). What the
 * owner writes is user data (ownerdata.c): kept by every re-import, and
 * refused with EPERM for anyone else (nothing written). The writers follow
 * the rules of the user-data writers above; each bumps the researcher's
 * record version, so its cached pages (both tiers) are left behind.
 */

/*
 * Limits of the owner's settings, in characters as a form field's
 * maxlength counts them (utf8_chars). The homepage is an https URL
 * (store_https_url_valid): ASCII, so bytes too.
 */
#define STORE_BIO_MAX 300
#define STORE_HOMEPAGE_MAX 500

/* Which fields store_owner_settings_put() writes. */
#define STORE_OWNER_BIO      0x1u
#define STORE_OWNER_OPEN     0x2u
#define STORE_OWNER_HOMEPAGE 0x4u

struct store_owner_settings {
	struct sv researcher_id;
	struct sv user;            /* the owner who wrote them last */
	struct sv bio;             /* one line (STORE_TEXT_LINE), or empty: the
	                              page keeps its own words */
	struct sv homepage;        /* an https URL, or empty: none */
	uint8_t   open_to_collaborate;  /* 1 open to collaboration
	                              invitations, 0 not */
	uint64_t  updated_at;      /* unix seconds; 0 never written */
};

/*
 * The owner's settings of researcher_id: 0 with what was written, or
 * STORE_NOTFOUND with the defaults in *out (no bio, no homepage,
 * open_to_collaborate 1: an owner who has said nothing keeps the
 * profile's words, "accepts direct collaboration invitations");
 * STORE_CORRUPT for a bad record. Strings are views into t. What was
 * written is read only while its writer owns the profile (an approved
 * claim of theirs): a profile unclaimed, or claimed by someone else since,
 * reads the defaults. A researcher merged into another gives the survivor
 * its settings, unless the survivor has its own (the next import or
 * owner's change after the merge moves them).
 */
int store_owner_settings_get(struct store_rtxn *t, struct sv researcher_id,
    struct store_owner_settings *out);

/*
 * Writes the fields of *in named by `fields` (STORE_OWNER_*) on
 * researcher_id for user, keeping the others as they were. Checked in
 * this order: STORE_INVALID for a bad user name, a bio over STORE_BIO_MAX
 * characters or not a line, a homepage not empty and not an https URL of
 * at most STORE_HOMEPAGE_MAX bytes, open_to_collaborate not 0 or 1, or no
 * field named; STORE_NOTFOUND for an unknown researcher; EPERM when user
 * is not its owner. in->researcher_id, user and updated_at are ignored.
 * The record version is bumped, even when the values are the same.
 */
int store_owner_settings_put(struct store *s, struct sv researcher_id,
    struct sv user, const struct store_owner_settings *in, unsigned fields);

/*
 * The owner of researcher_id: the user of its approved claim (a view
 * into t) in *user; STORE_NOTFOUND when it has none.
 */
int store_owner_of(struct store_rtxn *t, struct sv researcher_id,
    struct sv *user);

/*
 * "Not my paper": the owner unlinks work_id from researcher_id (hide 1),
 * or links it again (hide 0). Kept in `hidden` (user data, keyed by
 * researcher and work) and applied to the catalog in the same write
 * transaction, as an import of no files applies it (store_import): the
 * researcher's works list loses the edge, and its figures (works,
 * citations, h- and i10-index, first and last year), topics and co-authors
 * are derived again without it, and so are its other authors' co-authors
 * (the owner is not one through it); every later import unlinks it again
 * after reading its files. The work's own record keeps its authors (it is
 * listed on the other authors' profiles with the owner's name), and what
 * the author record of OpenAlex says (its counts by year, its own
 * figures) is not ours to change. Checked in this order: STORE_INVALID for a bad user name or work
 * id; STORE_NOTFOUND for an unknown researcher or work, a work the
 * researcher is not an author of (hide), or one not hidden (unhide);
 * EPERM when user is not the owner. Hiding a hidden work changes nothing
 * (0). The record version is bumped when the figures or list change.
 */
int store_work_hide(struct store *s, struct sv researcher_id, struct sv user,
    struct sv work_id, int hide);

/*
 * The works hidden from researcher_id (empty: from every researcher), in
 * researcher, then work order: cb(ctx, researcher, work, unix seconds).
 * cb returns 0 to go on, anything else stops the walk and is returned.
 */
typedef int (*store_hidden_cb)(void *ctx, struct sv researcher_id,
    struct sv work_id, uint64_t at);
int store_hidden_each(struct store_rtxn *t, struct sv researcher_id,
    store_hidden_cb cb, void *ctx);

/*
 * Merge requests: the owner of `into` says researcher `from` is a
 * duplicate of theirs. A reviewer approves (bzpeer-admin merges approve):
 * `from` is merged into `into` as the importer merges what OpenAlex
 * merged (its works and followers join, a user following both counted
 * once; its slug and id answer 301 to `into`'s; its current claim closed
 * with a note), and the approved request is applied again by every later
 * import, so no import undoes it. Or rejects, with a note.
 */
struct store_merge_req {
	uint64_t  id;            /* 1, 2, ... in filing order */
	struct sv from;          /* the duplicate */
	struct sv into;          /* the owner's researcher */
	struct sv user;          /* the owner who asked */
	struct sv note;          /* theirs, may be empty */
	struct sv reviewer_note;
	uint8_t   state;         /* enum store_claim_state */
	uint64_t  filed_at, decided_at;
};

/* Why a merge request was refused (STORE_CONFLICT). */
enum store_merge_why {
	STORE_MERGE_SELF = 1,    /* from is into (or leads to it) */
	STORE_MERGE_MERGED,      /* from was merged into another already */
	STORE_MERGE_CLAIMED,     /* from is claimed, or claim pending, by
	                            someone else */
	STORE_MERGE_ASKED,       /* a request for from is pending already */
	STORE_MERGE_LOOP,        /* into has been merged into from since */
	STORE_MERGE_DECIDED,     /* (deciding) the request is not pending */
};

/*
 * Files a request by user (the owner of into) to merge from into into.
 * Checked in this order: STORE_INVALID for a bad user name, or a note over
 * STORE_CLAIM_NOTE_MAX characters or not text; STORE_NOTFOUND for an
 * unknown into or from (an id never seen); EPERM when user does not own
 * into; STORE_CONFLICT with *why. *id gets the request's id. The record
 * version of into is bumped (the owner's page shows the request).
 */
int store_merge_request(struct store *s, struct sv into, struct sv user,
    struct sv from, struct sv note, uint64_t *id, int *why);

/*
 * Decides pending request id, now. Approve: the rules are checked again
 * (STORE_CONFLICT with *why: a request not pending, from merged or claimed
 * by someone else since, a loop), then the merge is applied in the same
 * write transaction. Reject: the note is kept. STORE_NOTFOUND for an
 * unknown id; STORE_INVALID for a bad note.
 */
int store_merge_decide(struct store *s, uint64_t id, int approve,
    struct sv reviewer_note, int *why);

/* Merge requests in id order; state 0 for all, else that state only. */
typedef int (*store_merge_cb)(void *ctx, const struct store_merge_req *m);
int store_merge_requests_each(struct store_rtxn *t, int state,
    store_merge_cb cb, void *ctx);
int store_merge_request_by_id(struct store_rtxn *t, uint64_t id,
    struct store_merge_req *out);

/*
 * An https URL as a link on a page may hold one: "https://", a host of
 * letters, digits, '.' and '-' (not starting with either), an optional
 * port of 1..5 digits, then printable ASCII without space, '"', '<', '>'
 * or '\\'. No length limit here (the callers have theirs). 1 or 0.
 */
int store_https_url_valid(struct sv v);

/* ---- invitations: direct collaboration (invite.c) ---------------------------
 *
 * A signed-in user (the sender) invites the owner of a claimed researcher
 * profile (the user whose claim of it was approved) to collaborate: a
 * subject line and a message, plain text (store_text_valid: a line, a
 * note). An invitation is open until the owner accepts or declines it;
 * a sender has at most one open invitation per researcher. The owner may
 * block a sender: that declines the sender's open invitation and refuses
 * their new ones for this researcher until unblocked. Contacts are given
 * only on acceptance, and then both ways: the owner's is the institutional
 * email of their approved claim, the sender's their account name (the
 * identity the sign-in vouched for, often an email address); both are
 * written into the invitation when it is accepted, so they stay what was
 * shown however the claim changes later. Invitations are user data: the
 * importer never writes them, so they survive re-imports. The writers
 * follow the rules of the user-data writers above.
 */
enum store_invite_state {
	STORE_INVITE_OPEN = 1,
	STORE_INVITE_ACCEPTED = 2,
	STORE_INVITE_DECLINED = 3,
};

/* Limits in characters, as a form's maxlength counts them (utf8_chars). */
#define STORE_INVITE_SUBJECT_MAX 150
#define STORE_INVITE_MESSAGE_MAX 2000

struct store_invite {
	uint64_t  id;             /* 1, 2, ... in sending order */
	struct sv researcher_id;
	struct sv sender;         /* the user who sent it */
	struct sv owner;          /* the researcher's owner when it was sent */
	struct sv subject;        /* a line */
	struct sv message;        /* a note */
	struct sv sender_contact; /* both empty until accepted */
	struct sv owner_contact;
	uint8_t   state;          /* enum store_invite_state */
	uint64_t  sent_at;        /* unix seconds */
	uint64_t  decided_at;     /* unix seconds, 0 while open */
};

/*
 * Whether researcher r takes invitations: claimed (an approved claim) and
 * its owner says they are open to collaborate. Read in t. 1 or 0 (a
 * store error reads as 0: nothing is offered that could not be sent).
 */
int store_invite_open_for(struct store_rtxn *t, const struct store_researcher *r);

/*
 * Sends in->subject and in->message from in->sender to the owner of
 * in->researcher_id (in->id, owner, contacts, state and decided_at are
 * ignored; sent_at 0 means now). Checked in this order, inside the write
 * transaction: STORE_INVALID for a bad user name or a field past its limit
 * or not text (an empty subject or message included); STORE_NOTFOUND for an
 * unknown researcher; STORE_CONFLICT with *why: the researcher takes no
 * invitations (STORE_INVITE_CLOSED: store_invite_open_for), the sender is
 * its owner (STORE_INVITE_OWN), the owner blocked the sender
 * (STORE_INVITE_BLOCKED); STORE_EXISTS when the sender already has an open
 * invitation to this researcher (*id gets that one). *id gets the new id.
 */
enum store_invite_why {
	STORE_INVITE_CLOSED = 1,
	STORE_INVITE_OWN,
	STORE_INVITE_BLOCKED,
};
int store_invite_send(struct store *s, const struct store_invite *in,
    uint64_t *id, int *why);

/*
 * The owner's answer to invitation id, by user (now: unix seconds, 0 the
 * clock's). Accept or decline an open one (else STORE_CONFLICT): its
 * state, decided_at, and on acceptance both contacts. Block: the sender's
 * invitations to this researcher are refused from now on, and this one,
 * when open, is declined; blocking again changes nothing. Unblock: the
 * block goes (none: nothing changes). STORE_NOTFOUND for an unknown id
 * and for one user may not answer: sent to someone else, or to a profile
 * user no longer owns (a stranger learns nothing of it); STORE_INVALID
 * for a bad user name or action.
 */
enum store_invite_action {
	STORE_INVITE_ACCEPT = 1,
	STORE_INVITE_DECLINE,
	STORE_INVITE_BLOCK,
	STORE_INVITE_UNBLOCK,
};
int store_invite_decide(struct store *s, uint64_t id, struct sv user,
    int action, uint64_t now);

/* Reading: strings are views into t. STORE_NOTFOUND, or STORE_CORRUPT. */
int store_invite_by_id(struct store_rtxn *t, uint64_t id,
    struct store_invite *out);
/* The sender's open invitation to researcher_id: its id, or STORE_NOTFOUND. */
int store_invite_open_of(struct store_rtxn *t, struct sv researcher_id,
    struct sv sender, uint64_t *id);
/* Whether the owner of researcher_id blocked sender (*out 0 or 1). */
int store_invite_blocked(struct store_rtxn *t, struct sv researcher_id,
    struct sv sender, int *out);
/*
 * The invitations sent to researcher_id's owners (every owner's: a caller
 * showing them to one owner keeps those with that owner), and those sent
 * by sender, newest first; cb as store_claims_each's (0 goes on). An
 * index entry without its invitation is STORE_CORRUPT.
 */
typedef int (*store_invite_cb)(void *ctx, const struct store_invite *c);
int store_invites_to(struct store_rtxn *t, struct sv researcher_id,
    store_invite_cb cb, void *ctx);
int store_invites_from(struct store_rtxn *t, struct sv sender,
    store_invite_cb cb, void *ctx);

/* ---- sessions: sign-outs the server keeps ----------------------------------
 *
 * Session cookies are signed and stateless (fcgi-app/session.h); what the
 * store keeps is the sessions that ended before their expiry, so a copied
 * cookie stops working everywhere once its session is over:
 *  - one session signed out (POST /logout): its id (STORE_SESSION_ID_LEN
 *    opaque bytes the web layer derives from the cookie) with its expiry;
 *  - every session of a user issued up to a time (bzpeer-admin sessions
 *    revoke USER): the user's "not before", in milliseconds.
 * Entries only matter until the sessions they end would have expired
 * anyway, so the writers prune: each revocation write deletes up to
 * STORE_SESSION_PRUNE signed-out sessions whose expiry has passed (oldest
 * first) and looks at up to STORE_SESSION_PRUNE not-before entries (the
 * ones after the user's), deleting those older than STORE_SESSION_TTL_MAX:
 * bounded work per write, and the lists hold little more than the live
 * sessions they end. A session lives at most STORE_SESSION_TTL_MAX seconds
 * from its issue (the web layer refuses a cookie claiming more).
 *
 * The writers follow the rules of the user-data writers above (store
 * opened without STORE_RDONLY, one durable write transaction, no read
 * transaction of this process open during the call, nothing changed by a
 * refused call). `now` arguments are unix seconds (milliseconds where
 * named _ms); 0 means the clock's.
 */
#define STORE_SESSION_ID_LEN 16
#define STORE_SESSION_TTL_MAX (90 * 86400)
#define STORE_SESSION_PRUNE 64

/*
 * Signs out one session of user: its id and expiry (unix seconds).
 * STORE_INVALID for a bad user name, an id not STORE_SESSION_ID_LEN bytes
 * long, or an expiry more than STORE_SESSION_TTL_MAX after now (no cookie
 * lives that long). A session already signed out, or already expired at
 * `now`, needs no entry: 0, nothing written.
 */
int store_session_revoke(struct store *s, struct sv user, struct sv id,
    uint64_t expires, uint64_t now);

/*
 * Ends every session of user issued at or before now_ms (unix
 * milliseconds; 0: the clock's): sessions issued later, a new sign-in,
 * work. A not-before already later is kept (it never goes back). *out_ms
 * (may be NULL) gets the not-before in force after the call.
 * STORE_INVALID for a bad user name.
 */
int store_sessions_end(struct store *s, struct sv user, uint64_t now_ms,
    uint64_t *out_ms);

/*
 * Whether the session of user with this id, issued at issued_ms (unix
 * milliseconds) and expiring at `expires`, is still on: 0, STORE_REVOKED
 * when it was signed out or ended, STORE_INVALID for a bad user name or
 * id length, STORE_CORRUPT for a bad entry. Two lookups in t; a store
 * from before these lists (read-only) has none. A caller that gets
 * anything but 0 treats the session as signed out.
 */
int store_session_check(struct store_rtxn *t, struct sv user, struct sv id,
    uint64_t issued_ms, uint64_t expires);

/* ---- upgrades, backups, restores (migrate.c, backup.c, owner.c) -----------
 *
 * These work on a store directory, not on an open struct store: a store
 * of an older schema cannot be opened for use, and a restore replaces the
 * directory. They are for the operator's tools (bzpeer-admin), never for
 * a process that has the store open itself.
 */

/*
 * The schema version of the store in dir, read without checking it (0 for
 * a store without one: never written). 0, ENOENT without a store, or an
 * LMDB error.
 */
int store_schema_of(const char *dir, uint32_t *version);

/*
 * Records program ("bzpeer-import 0.2.0") in meta "program" of a store
 * that names none yet (a new one): the importer calls it after making a
 * store. One write transaction; 0 or an error, nothing changed then.
 */
int store_program_note(struct store *s, const char *program);

/*
 * Raises the store in dir to STORE_SCHEMA_VERSION one step at a time (1 to
 * 2, 2 to 3, ...). Each step is one write transaction that also records
 * its new version (and meta "program"), taken like every writer of this
 * program (the writer gate, then LMDB's lock): a step that fails leaves
 * the store at the version of the step before it, whole, and other
 * processes keep reading and writing between steps. A step that changes
 * what running programs read needs the store to itself: it is refused
 * with STORE_INUSE (nothing done) while another process has it open.
 * *from and *to get the versions before and after (equal when there was
 * nothing to do). STORE_BADSCHEMA for a store newer than this program,
 * STORE_EMPTY for one without a schema. One line per step to log.
 */
struct store_migrate_opts {
	const char *program;      /* recorded in meta "program"; not NULL */
	FILE       *log;          /* one line per step; may be NULL */
};
int store_migrate(const char *dir, const struct store_migrate_opts *o,
    uint32_t *from, uint32_t *to);

/*
 * Copies the store in dir into the directory dst as one consistent
 * snapshot (one read transaction: the service may read and write
 * meanwhile), compacted: dst/data.mdb, then dst/BACKUP, a text manifest
 * (schema, transaction id, generation, time, program), both mode 0600 and
 * flushed to disk; the manifest is written last, so a backup without it
 * is incomplete. dst is made (mode 0700) when missing; an existing dst
 * that is not empty gives EEXIST, untouched. *info (may be NULL) gets
 * what the manifest says. Any schema version is copied as it is.
 */
struct store_backup_info {
	uint32_t schema;
	uint64_t txn_id;          /* the snapshot's LMDB transaction id */
	uint64_t generation;      /* the catalog generation */
	uint64_t taken;           /* unix seconds */
	uint64_t bytes;           /* of data.mdb (schema 7 on: the catalog) */
	uint64_t user_bytes;      /* of user.mdb, user data (schema 7 on);
				   * 0 in a backup of one environment */
};
int store_backup(const char *dir, const char *dst, const char *program,
    struct store_backup_info *info);

/*
 * Reads and checks a backup made by store_backup(): the manifest, and its
 * data file opens (read-only, without a lock file) with the schema the
 * manifest names. STORE_CORRUPT for a missing or inconsistent manifest.
 */
int store_backup_check(const char *src, struct store_backup_info *info);

/*
 * Replaces the store in dir with the backup in src: refused with
 * STORE_INUSE (and *pid, may be NULL, gets one process that has it open)
 * while any process has the store open, since a running process would
 * keep writing into the replaced one. The backup is checked, copied
 * beside dir (dir.restoring, flushed), then the current store is renamed
 * to dir.before-restore-TIME (its name into moved, a buffer the caller
 * owns; nothing is deleted) and the copy renamed to dir. The files get
 * mode 0600. Sessions signed out after the backup was taken are valid
 * again, and cached pages may be newer than the store: see
 * docs/INSTALL.md ("Restore").
 */
int store_restore(const char *src, const char *dir, struct buf *moved,
    int *pid);

/*
 * Whether a process other than this one has the store in dir open (LMDB
 * holds a shared lock on its lock file for as long as a process has the
 * environment open): 0 when none, STORE_INUSE with one such pid in *pid
 * (may be NULL), ENOENT when there is no lock file (so nobody has it
 * open). Call it only with the store closed in this process (closing a
 * descriptor of the lock file drops this process's locks on it).
 */
int store_in_use(const char *dir, int *pid);

/*
 * For a tool run as root: from then on acts as the owner of dir (or of
 * its nearest existing parent), with that user's groups, so that what it
 * makes (LMDB's lock file, a backup, a new store) belongs to the service
 * that uses the store. Does nothing when not root, or when that owner is
 * root. 0, or an errno value (*uid, may be NULL, gets the owner either
 * way).
 */
int store_as_owner(const char *dir, unsigned *uid);

#endif
