/* import.h: loading OpenAlex JSON Lines into the store in one transaction (bzpeer-import). */
#ifndef BZPEER_IMPORT_H
#define BZPEER_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

struct import_opts {
	const char *const *authors;   /* author files, .jsonl or .jsonl.gz */
	size_t n_authors;
	const char *const *works;     /* work files */
	size_t n_works;
	/*
	 * Snapshot partitions (bzpeer-import --snapshot, snapshot.h), or all
	 * NULL for plain files: each file's updated_date ("YYYY-MM-DD") and
	 * the record count its manifest gives. With dates, a file whose date
	 * is not after the last partition of its entity the store applied is
	 * skipped, the partitions read are recorded in the store (meta
	 * "part ENTITY DATE"), and a file holding another number of records
	 * than its count fails the import, nothing written.
	 */
	const char *const *authors_date, *const *works_date;
	const uint64_t *authors_records, *works_records;
	/*
	 * Merged ids (merge_date,id,merge_into_id CSV, maybe gzipped), one
	 * file per merge date (the dates: merged_*_date, applied when newer
	 * than the last applied), and the deleted works
	 * (work_id,deleted_date, rows newer than the last applied).
	 */
	const char *const *merged_authors, *const *merged_authors_date;
	size_t n_merged_authors;
	const char *const *merged_works, *const *merged_works_date;
	size_t n_merged_works;
	const char *const *deleted_works;
	size_t n_deleted_works;
	uint64_t total_bytes;         /* of every file, for progress; 0 unknown */
	int progress;                 /* a progress line on log, redrawn */
	int strict;                   /* the first bad line fails the import */
	int threads;                  /* parser threads: 0 parse on the calling
	                                 thread, < 0 one per CPU (at most 8;
	                                 none for files under 1 MiB) */
	FILE *log;                    /* bad lines, errors (stderr); not NULL */
	/*
	 * An owner's change to apply in the same transaction, before the
	 * owners' data is applied again (import_owner.c), or NULL. With one,
	 * the run is an owner's, not the catalog's: the generation is left
	 * as it is (the records whose content changes get new versions).
	 * Only ownerdata.c makes these.
	 */
	const struct owner_change *owner;
};

struct import_report {
	uint64_t authors, works;      /* good lines read */
	uint64_t bad_lines;
	uint64_t placeholders;        /* author lines of OpenAlex placeholder
	                                 authors, not made researchers */
	uint64_t generation;          /* the catalog generation now */
	uint64_t researchers_written, works_written;  /* new or changed */
	uint64_t parts_read, parts_skipped;   /* snapshot files, by date */
	uint64_t merged, deleted;     /* researchers merged away, works deleted */
	/*
	 * Where the time went, in seconds: wall clock, and the CPU time of the
	 * calling thread (the one that writes the store), of the last run of
	 * the transaction: reading the files, derived figures and slugs, and
	 * everything from the end of derive to store_import()'s return
	 * (commit and flush).
	 */
	double read_s, read_cpu_s, derive_s, derive_cpu_s, commit_s,
	    commit_cpu_s;
};

/*
 * Imports the files into s in one write transaction: every author file,
 * then every work file, in the order given; then the derived figures,
 * slugs and name index of every researcher touched; then the generation
 * is bumped. Bad lines are logged as "file:line: reason" and skipped
 * (counted in rep->bad_lines); with o->strict the first one aborts.
 * Readers see the old catalog or the new one, never a mix; on any error
 * nothing is written. A full map is grown and the import run again.
 *
 * Returns 0; STORE_INVALID (strict, a bad line); an errno value for a file
 * that cannot be read (logged); STORE_MAPFULL; or another store error.
 */
int store_import(struct store *s, const struct import_opts *o,
    struct import_report *rep);

#endif
