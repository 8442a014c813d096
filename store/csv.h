/* csv.h: the rows of the snapshot's small CSV files (merged and deleted ids), read line by line from any byte source. */
#ifndef BZPEER_CSV_H
#define BZPEER_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * The files are small rows of ids and dates: "merge_date,id,merge_into_id"
 * and "work_id,deleted_date" (a header, then one row a line, "\n" or
 * "\r\n"). A field is bare (no '"' or ',') or in double quotes (with
 * neither inside): there is nothing to escape in an id or a date, so
 * whatever else a line holds (a NUL, a stray quote, a fourth field, more
 * than CSV_LINE_MAX bytes) makes it a bad line, never a guess.
 *
 *	struct csv *c = xmalloc(sizeof(*c));
 *	csv_init(c, read, src);
 *	while ((r = csv_next(c)) != 0) ... r: 1 a row in c->f, 2 a bad line,
 *	                                   -1 the source's read failed
 */
#define CSV_LINE_MAX 1024
#define CSV_FIELDS   3

/* Up to cap bytes into buf: how many, 0 at the end, -1 on an error. */
typedef ssize_t (*csv_read_fn)(void *src, void *buf, size_t cap);

struct csv {
	csv_read_fn read;
	void *src;
	char buf[1 << 16];
	size_t beg, end;
	int eof;
	uint64_t lineno;              /* of the line just returned */
	char line[CSV_LINE_MAX + 1];  /* it, without "\r\n", NUL-terminated */
	size_t len;
	struct sv f[CSV_FIELDS];      /* its fields (in line), quotes off */
	unsigned char quoted[CSV_FIELDS];
	size_t nf;
};

void csv_init(struct csv *c, csv_read_fn read, void *src);
int  csv_next(struct csv *c);

/*
 * Splits line (n bytes) into at most CSV_FIELDS fields by the rule above:
 * 0, or -1 for a line that breaks it. csv_next() does this to each line.
 */
int  csv_split(const char *line, size_t n, struct sv *f,
    unsigned char *quoted, size_t *nf);

#endif
