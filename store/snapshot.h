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

#endif
