/* openalex.h: parsing one line of an OpenAlex snapshot (JSON Lines) into a struct, for the importer and fuzzers. */
#ifndef BZPEER_OPENALEX_H
#define BZPEER_OPENALEX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Limits: a line past any of them is a bad line, never truncated. */
#define OA_LINE_MAX        (16u << 20)  /* bytes in one line */
#define OA_NAME_MAX        512          /* display names, institution */
#define OA_TITLE_MAX       4096
#define OA_URL_MAX         2048         /* doi, landing_page_url */
#define OA_VENUE_MAX       1024
#define OA_TYPE_MAX        64
#define OA_AUTHORS_MAX     5000         /* authorships of one work */
#define OA_TOPICS_MAX      100
#define OA_ABSTRACT_POS    20000        /* positions 0 .. OA_ABSTRACT_POS-1 */
#define OA_WORD_MAX        1024         /* bytes in one abstract word */
#define OA_ALTS_MAX        32           /* display_name_alternatives kept */
#define OA_DATE_MAX        32           /* publication_date */
#define OA_INSTS_MAX       100          /* institutions of one author */
#define OA_YEARS_MAX       200          /* affiliation years, counts_by_year */

/*
 * Every sv below points into memory the struct owns (the parsed JSON and
 * the rebuilt abstract); ids and ORCID iDs are in their bare form.
 * Strings are UTF-8 without NUL (JSON parsing checked both); empty means
 * null or missing.
 */
struct oa_ref {
	struct sv id;             /* "A123" / "T123" / "C123"; authors: empty
	                             for one OpenAlex could not name */
	uint64_t  num;            /* the id's number (topics: oa_topic_num());
	                             0 without an id */
	struct sv name;           /* display_name (authorships: else
	                             raw_author_name) */
	struct sv orcid;          /* authors only: "0000-0002-1825-0097" */
	struct sv inst;           /* authorships only: the first of
	                             institutions[].display_name */
};

/* An institution of an author: current (last known) or of the past. */
struct oa_inst {
	struct sv id;             /* "I123" as given (a URL), to match them */
	struct sv name;
	int       first, last;    /* affiliations[].years: lowest, highest; 0 */
	int       current;        /* one of the last known institutions */
};

/* counts_by_year[]: works and citations of one year. */
struct oa_year {
	int      year;
	uint64_t works, cited;
};

struct oa_author {
	struct oa_ref a;          /* id, display_name, orcid */
	struct sv institution;    /* the first current institution, else the
	                             first of affiliations[] */
	struct oa_inst *insts;    /* every institution, current ones first:
	                             last_known_institutions (or the older
	                             last_known_institution), then the other
	                             affiliations[] in their order */
	size_t    n_insts, cap_insts;
	uint64_t  cited;          /* cited_by_count */
	int       has_stats;      /* summary_stats is there: */
	uint64_t  h_index, i10_index;
	struct oa_year *years;    /* counts_by_year, in the record's order */
	size_t    n_years, cap_years;
	/* display_name_alternatives: the strings of the array (others, and
	 * those past OA_NAME_MAX, left out), the first OA_ALTS_MAX */
	struct sv alts[OA_ALTS_MAX];
	size_t    n_alts;
	/* scratch, owned: */
	struct oa_inst *raw_insts;/* as met: last_known_institutions */
	size_t    n_raw, cap_raw;
	struct oa_inst *affs;     /* as met: affiliations[] */
	size_t    n_affs, cap_affs;
	struct sv lki_name, lki_id; /* last_known_institution */
	struct buf proj;          /* the fast way's decoded strings */
	void *json;               /* the parsed line (the reference way) */
	void *arena;              /* where the parsed line lives */
};

/* work flags */
#define OA_RETRACTED 0x1u
#define OA_PARATEXT  0x2u

struct oa_work {
	struct sv id;             /* "W123" */
	uint64_t  num;
	struct sv doi, title, type, venue, landing_url;
	struct sv date;           /* publication_date, "2021-06-30", or empty */
	struct sv oa_url;         /* best_oa_location.pdf_url, else its
	                             landing_page_url, else open_access.oa_url */
	uint64_t  cited;          /* cited_by_count */
	unsigned  flags;          /* OA_RETRACTED, OA_PARATEXT */
	int       year;           /* 0 when null */
	struct oa_ref *authors;   /* authorships in order: those with an
	                             author id once each, those without one
	                             (but with a name) each; placeholder
	                             authors (openalex_placeholder()) lose
	                             their id */
	size_t    n_authors, cap_authors;
	struct oa_ref *topics;    /* deduplicated; concepts[] when the work
	                             has no topics[] (MAG-era records) */
	size_t    n_topics, cap_topics;
	struct buf abstract;      /* rebuilt from abstract_inverted_index */
	/* scratch, owned: */
	struct oa_ref *concepts;  /* as met, for the fallback */
	size_t    n_concepts, cap_concepts;
	struct sv host_venue, best_pdf, best_landing, oa_oa_url; /* as met */
	struct sv *words;         /* a word per position */
	size_t    cap_words;
	struct buf proj, keys;    /* fast way: decoded strings; words */
	void     *krefs;          /* words seen, to find duplicates */
	size_t    cap_krefs;
	uint32_t *ktab;           /* their hash table */
	size_t    cap_ktab;
	void *json;               /* the parsed line (the reference way) */
	void *arena;              /* where the parsed line lives */
};

#define OA_WORK_INIT { .abstract = BUF_INIT }
#define OA_AUTHOR_INIT { .json = NULL }

/*
 * Parse one line (len bytes, no newline; NULs allowed and rejected) into
 * *out, which may be reused from line to line: the previous line's data is
 * released first. Returns 0, or -1 with a one-line reason (no newline) put
 * into err (reset first). The reason never quotes the input.
 *
 * Two ways, one result. The fast way checks the whole line with jscan.c
 * and decodes the members used as it meets them (no JSON tree, no
 * jansson). On anything it is not sure of it gives up and the line goes to
 * jansson whole (the *_ref functions), which alone accepts, refuses and
 * words reasons. Tests and fuzzers compare the two.
 *
 * The parsed JSON lives in an arena of *out's, emptied at the next parse:
 * the first parse installs jansson allocation functions for the whole
 * process that use the arena of the struct being parsed on this thread
 * and malloc/free otherwise. Different structs may be parsed on different
 * threads at once; one struct on one thread at a time.
 */
int  openalex_work_parse(const char *line, size_t len, struct oa_work *out,
    struct buf *err);
void openalex_work_free(struct oa_work *w);

int  openalex_author_parse(const char *line, size_t len,
    struct oa_author *out, struct buf *err);
void openalex_author_free(struct oa_author *a);

/* The reference: the whole line through jansson, no fast path. */
int  openalex_work_parse_ref(const char *line, size_t len,
    struct oa_work *out, struct buf *err);
int  openalex_author_parse_ref(const char *line, size_t len,
    struct oa_author *out, struct buf *err);

/*
 * The fast way alone: 0 when it took the line (*out as the reference would
 * give it), -1 when it gave up (no reason given). For tests.
 */
int  openalex_work_parse_fast(const char *line, size_t len,
    struct oa_work *out);
int  openalex_author_parse_fast(const char *line, size_t len,
    struct oa_author *out);

/* The bare form of an OpenAlex id of kind letter; -1 if malformed. */
int  openalex_id(struct sv s, char letter, struct sv *bare, uint64_t *num);

/*
 * Whether author number num is one of OpenAlex's placeholders (the
 * "Deleted Author" A5317838346, or any author of that name): a name
 * OpenAlex puts where it lost the person, never a researcher. No profile is made for one;
 * on a work it is a name without an id.
 */
int  openalex_placeholder(uint64_t num, struct sv name);

/*
 * Whether two parses of a line gave the same struct, every field the
 * importer uses (tests and fuzzers compare the two ways with them).
 */
int  openalex_work_same(const struct oa_work *a, const struct oa_work *b);
int  openalex_author_same(const struct oa_author *a,
    const struct oa_author *b);

#endif
