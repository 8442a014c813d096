/* openalex_int.h: what the OpenAlex line parser's files share (openalex.c, openalex_ref.c, openalex_fast.c), for them only. */
#ifndef BZPEER_OPENALEX_INT_H
#define BZPEER_OPENALEX_INT_H

#include "openalex.h"

/* ---- both ways (openalex.c) ---- */

/* Puts a formatted reason into err (unless NULL) and returns -1. */
__attribute__((format(printf, 2, 3)))
int oa_fail(struct buf *err, const char *fmt, ...);

/* An ORCID iD, bare or as an orcid.org URL, to its bare form; -1 if malformed. */
int oa_orcid_bare(struct sv s, struct sv *out);

/* Appends a zeroed ref to an array that grows; returns it. */
struct oa_ref *oa_ref_add(struct oa_ref **v, size_t *n, size_t *cap);

/* Whether v[0..n) already holds num. */
int oa_ref_seen(const struct oa_ref *v, size_t n, uint64_t num);

/*
 * An authorship's author (r->id empty when it has none) onto w's list: a
 * placeholder author loses its id; one without an id is kept when it has
 * a name; an id already on the list is not added again.
 */
void oa_author_add(struct oa_work *w, struct oa_ref r);

/* A topic (letter 'T') or concept ('C') id to its bare form and topic
 * number (codec.h); -1 if malformed, or a concept past the topic numbers. */
int oa_topic_id(struct sv s, char letter, struct sv *bare, uint64_t *num);

/* Appends a zeroed institution to an array that grows; returns it. */
struct oa_inst *oa_inst_add(struct oa_inst **v, size_t *n, size_t *cap);

/*
 * After either way parsed a line, the same resolution of what was met:
 * venue, open-access link, topics from concepts (work); the institutions
 * merged (author). Never fails.
 */
void oa_work_finish(struct oa_work *w);
void oa_author_finish(struct oa_author *a);

/*
 * The abstract from its words: oa_place_word() puts each at its positions
 * (the byte-wise smaller of two at one position stays; *top is one past the
 * highest used), oa_join_words() joins them into w->abstract (0, or -1 past
 * its limit, the reason in err) and oa_clear_words() empties the scratch
 * when a parse gives up before joining.
 */
void oa_place_word(struct oa_work *w, struct sv word, size_t pos, size_t *top);
int  oa_join_words(struct oa_work *w, size_t top, struct buf *err);
void oa_clear_words(struct oa_work *w, size_t top);

/* ---- the reference way and jansson's arena (openalex_ref.c) ---- */

/*
 * Makes *arena (created if need be) this thread's arena for jansson, after
 * releasing *json, the last line's JSON parsed into it (then NULL). Every
 * parse runs between oa_enter() and oa_leave().
 */
void oa_enter(void **arena, void **json);
void oa_leave(void);

/* Releases json, parsed into arena, and the arena (either may be NULL). */
void oa_json_free(void *arena, void *json);

/*
 * The whole line through jansson, after oa_enter() and with *out reset:
 * its JSON goes into out->json. 0, or -1 with the reason in err.
 */
int oa_author_ref(const char *line, size_t len, struct oa_author *out,
    struct buf *err);
int oa_work_ref(const char *line, size_t len, struct oa_work *out,
    struct buf *err);

/* ---- the fast way (openalex_fast.c) ---- */

/* Parses a line straight from the scanner; -1 sends it the reference way. */
int oa_fast_author(const char *line, size_t len, struct oa_author *out);
int oa_fast_work(const char *line, size_t len, struct oa_work *out);

#endif
