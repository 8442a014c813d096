/* snapshot.h: an OpenAlex snapshot folder as published (both layouts), its manifests checked, as the importer's list of files. */
#ifndef BZPEER_SNAPSHOT_H
#define BZPEER_SNAPSHOT_H

#include <stdint.h>
#include <stdio.h>

/*
 * What `aws s3 sync s3://openalex DIR` leaves, in one of two layouts:
 *
 *  current  DIR/data/jsonl/{authors,works}/manifest.json and
 *           .../updated_date=YYYY-MM-DD/part_NNNN.gz
 *  legacy   DIR/data/{authors,works}/manifest and
 *           .../updated_date=YYYY-MM-DD/NNNN_part_00.gz
 *
 * A manifest (Redshift's format, both layouts) lists every part as
 * {"url": "s3://openalex/data/.../part_0000.gz", "meta": {"content_length":
 * bytes, "record_count": records}}. Only the parts it lists are read:
 * anything else in the folders (a part a sync without --delete left behind)
 * is not. Beside them, merged ids, DIR/data/merged_ids/{authors,works}/
 * YYYY-MM-DD.csv.gz (also under data/jsonl/ and legacy-data/), and the
 * deleted works, deleted_ids.csv(.gz) in the works folder.
 */
struct snap_file {
	char    *path;
	char     date[11];        /* YYYY-MM-DD: the partition or merge date */
	uint64_t records, bytes;  /* from the manifest (parts only) */
};

struct snap_list {
	struct snap_file *v;
	size_t n, cap;
};

struct snapshot {
	const char *layout;       /* "current" or "legacy" */
	struct snap_list authors, works, merged_authors, merged_works, deleted;
	uint64_t bytes;           /* of every part */
};

/*
 * Reads and checks DIR's manifests: every part listed must be there with
 * the size given, each list in date order. 0, or -1 with every problem
 * logged, one line each naming the file.
 */
int  snapshot_scan(const char *dir, struct snapshot *out, FILE *log);
void snapshot_free(struct snapshot *s);

/*
 * What a manifest may declare: more entries, or a count above this in
 * one entry (a part of a terabyte, or of a trillion records), is not a
 * manifest OpenAlex writes, and the sums of what is accepted cannot
 * overflow. A manifest file larger than SNAP_MANIFEST_MAX is not read.
 */
#define SNAP_ENTRIES_MAX   (1u << 20)
#define SNAP_COUNT_MAX     ((uint64_t)1 << 40)
#define SNAP_MANIFEST_MAX  ((size_t)64 << 20)

/*
 * The text of one manifest (named mpath in messages), its entries of the
 * entity whose folder under data/ is prefix ("jsonl/works/", "authors/")
 * appended to l as paths under dir, sorted by date and path; no file is
 * looked at. With combined (the manifest of every entity) entries of
 * other entities are passed over and the totals are not this entity's;
 * otherwise totals given in "meta" must be the sums of the entries.
 * Returns the number of problems logged, one line each naming mpath.
 */
int  snapshot_manifest_parse(const char *text, size_t len, const char *dir,
    const char *mpath, const char *prefix, int combined, struct snap_list *l,
    FILE *log);

/* Whether p (n bytes) is a date of the calendar as YYYY-MM-DD. */
int  snapshot_date_valid(const char *p, size_t n);

#endif
