/* import_int.h: what the importer's files share (struct imp and the steps of a run), for store/import*.c only. */
#ifndef BZPEER_IMPORT_INT_H
#define BZPEER_IMPORT_INT_H

#include "idmap.h"
#include "import.h"
#include "openalex.h"
#include "store_int.h"

/* Flags of a researcher touched by this import (idmap_entry.n). */
enum {
	T_AFFECTED = 1,   /* a work of theirs was added or changed */
	T_BUMPED = 2,     /* record version already bumped in this import */
	T_EXISTS = 4,     /* its record is in the store */
	T_GONE = 8,       /* merged into another in this import: no record */
	T_NOINST = 16,    /* ... and names no institution (yet) */
	T_CARD = 32,      /* name, slug or institution written anew: what its
	                     co-authors' pviews records hold of it */
};

struct figures {
	uint32_t works, topics, close, coauthors;
	int first, last;
	uint64_t cited;          /* over the works: */
	uint32_t h_index, i10_index;
	uint64_t works_hash;     /* of the works' records, in list order */
};

/* A new researcher waiting for a slug. */
struct pending {
	uint64_t num;
	size_t base, base_len;   /* the slug base, in imp.bases */
	const char *basep;       /* the same, once imp.bases stops moving */
	int has_fig;
	struct figures fig;
};

/*
 * One import. Everything but `reported` starts afresh each time the
 * transaction runs (store_write() runs it again after growing the map).
 */
struct imp {
	struct store *s;         /* the store (owner_check reads its user data) */
	const struct import_opts *o;
	struct import_report rep;
	MDB_txn *txn;
	const MDB_dbi *dbi;
	uint64_t reported;       /* bad lines logged so far, across runs */
	uint64_t bad_seen;       /* bad lines met in this run */
	struct idmap touched;    /* researcher -> T_* flags */
	struct idmap co, tp;     /* per-researcher tallies */
	int threads;             /* parser threads (0: parse in place) */
	int auto_threads;        /* chosen by us: none for small files */
	struct buf rec, key, key2, bases, vals;
	int any_merged;          /* the merged database is not empty */
	struct idmap hidw;       /* works an owner hid from their profile
	                            (import_owner.c): their other authors'
	                            co-author tallies leave the owner out */
	struct buf ids;          /* ids remapped in the work line at hand */
	struct buf mrec, mcopy, mcopy2;   /* merging: records, copies */
	struct buf insts, years, alts;  /* an author line's lists, encoded */
	uint64_t now;             /* unix seconds this run started: what a
	                             researcher changed in it records */
	uint64_t *cites;         /* a researcher's works' citations */
	size_t cap_cites;
	int append[DB__COUNT];    /* keys came in order so far: MDB_APPEND */
	/*
	 * What imp_derive() needs of every work written in this run (so it does
	 * not read and decode them back): wsum maps the work's number to an
	 * offset in sums, where year, number of authors, number of topics,
	 * citations and then the author numbers (0: no id) and topic numbers
	 * follow.
	 */
	struct idmap wsum;
	uint64_t *sums;
	size_t n_sums, cap_sums;
	/* Topic names as written in this run (tname: topic -> offset + 1 in tnames). */
	struct idmap tname;
	/* Researchers as they were before this run first wrote them: the
	 * hash of their content (version and change time aside), their
	 * change time and version, restored at the end when the run left
	 * the content as it was (imp_restore_unchanged). */
	struct idmap orig;       /* researcher -> index in origs */
	struct orig_rec { uint64_t hash, changed; uint32_t version; } *origs;
	size_t n_origs, cap_origs;
	struct buf tnames;
	uint64_t *old;           /* a changed work's previous authors */
	size_t cap_old;
	struct pending *pend;
	size_t n_pend, cap_pend;
	double t_derived, c_derived;   /* now(0), now(1) when imp_derive() ended */
	/* Progress: lines read (good, bad) and file bytes of the files done. */
	uint64_t records, bytes_done, total_bytes, total0;
	double t_start, t_shown;
};

/* ---- import.c ---- */

/*
 * Redraws the progress line (at most twice a second, or now with final):
 * records, bytes of the input read (bytes_done plus `in_file` of the file
 * being read), the rate and the time left.
 */
void imp_progress(struct imp *m, uint64_t in_file, int final);

/* Before a message on the log: clears the progress line, if one is shown. */
void imp_log_line(struct imp *m);

/* ---- import_files.c ---- */

/*
 * Reads one file of author (works = 0) or work lines into the store;
 * *records (may be NULL) the lines it held that were not blank, good or bad.
 * A file found to hold more than `most` such lines (its manifest's count;
 * UINT64_MAX for none) is read no further: STORE_MISMATCH, logged, so a
 * part that inflates far beyond what its manifest says costs no more than
 * what the manifest says.
 */
int imp_read_file(struct imp *m, const char *path, int works,
    uint64_t most, uint64_t *records);

/*
 * Counts a bad line and logs it as "file:line: reason" (once, even when
 * the transaction runs again). STORE_INVALID under --strict, else 0.
 */
int imp_bad_line(struct imp *m, const char *path, uint64_t lineno,
    const char *why);

/* ---- import_apply.c ---- */

/* mdb_get() and mdb_put() of key in db, in the import's transaction. */
int imp_db_get(struct imp *m, enum store_db db, struct sv key, MDB_val *v);
uint64_t imp_content_hash(struct imp *m, const struct store_researcher *r);
int imp_restore_unchanged(struct imp *m);
int imp_db_put(struct imp *m, enum store_db db, struct sv key, struct sv val,
    unsigned flags);

/* Writes researcher r if it differs from old (NULL: new); see the definition. */
int imp_put_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    const struct store_researcher *old, const MDB_val *oldval);

/* Reads researcher num; 0, MDB_NOTFOUND, STORE_CORRUPT or an LMDB error. */
int imp_get_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    MDB_val *v);

/*
 * The pviews records (store_int.h) of every researcher whose works changed
 * and of the co-authors of every one whose card changed (T_CARD); a merged
 * researcher's goes. After imp_derive(), in the same transaction.
 */
int imp_pviews(struct imp *m);

/* One author line: the authors file is the authority on these fields. */
int imp_do_author(struct imp *m, const struct oa_author *a);

/* One work line, rec its record (encoded by the parser thread). */
int imp_do_work(struct imp *m, struct oa_work *w, struct buf *rec);

/* Adds (del = 0) or removes the rworks edge researcher -> work. */
int imp_edge(struct imp *m, uint64_t researcher, int year, uint64_t work,
    int del);

/* Marks a researcher for new figures. */
void imp_affect(struct imp *m, uint64_t researcher);

/* ---- import_merge.c ---- */

/* A merged_ids file of authors (works = 0) or works, applied. */
int imp_merged_file(struct imp *m, const char *path, int works);

/*
 * A deleted works file (work_id,deleted_date): rows dated after `after`
 * ("" for all) applied; the latest date met goes to latest (11 bytes,
 * left alone when no row is later than it).
 */
int imp_deleted_file(struct imp *m, const char *path, const char *after,
    char latest[11]);

/*
 * Before a work line is applied: authors merged away become the ones they
 * went into (w's authorships and its record rec); a no-op when none is.
 */
int imp_remap_work(struct imp *m, struct oa_work *w, struct buf *rec);

/*
 * Researcher xn merged into yn (its works, follows, claim, slug and id
 * go to yn's). 0, IMP_MERGE_LOOP (nothing written) when yn is xn or leads
 * back to it, or an error.
 */
#define IMP_MERGE_LOOP (-1)
int imp_merge_author(struct imp *m, uint64_t xn, uint64_t yn);

/* The researcher num was merged into, through later merges (store_int.h). */
int imp_survivor(struct imp *m, uint64_t num, uint64_t *out);
/* The merged ids that named one this run merged away, to the end of the chain. */
int imp_merged_flatten(struct imp *m);

/* ---- import_owner.c ---- */

/* What an owner changes (ownerdata.c makes it; import.h `owner`). */
enum owner_change_kind {
	OWNER_HIDE = 1,          /* researcher, user, work */
	OWNER_UNHIDE,            /* researcher, user, work */
	OWNER_MERGE_APPROVE,     /* merge request id, reviewer note */
};
struct owner_change {
	enum owner_change_kind kind;
	struct sv researcher, user, work;
	uint64_t  merge_id;
	struct sv note;
	int       why;           /* out: enum store_merge_why of a refusal */
};

/* Applies o->owner: 0, or a refusal (nothing of the run is kept). */
int imp_owner_change(struct imp *m, struct owner_change *c);

/*
 * After the files: every approved merge request applied again (a no-op for
 * a duplicate already merged), and every hidden work unlinked again from
 * its researcher, whose figures are derived again.
 */
int imp_owner_data(struct imp *m);

/*
 * Whether the owner researcher `author` hid work `work` (both numbers):
 * then the work's other authors do not count them as a co-author. 1 or 0
 * (a store error reads as 0: the tally then counts the pair, as before).
 */
int imp_pair_hidden(struct imp *m, uint64_t author, uint64_t work);

/* ---- import_derive.c ---- */

/* Figures, lists and slugs of every researcher this import touched. */
int imp_derive(struct imp *m);

#endif
