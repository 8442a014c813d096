/* dump.h: the whole store as deterministic text, for bzpeer-admin dump and tests. */
#ifndef BZPEER_DUMP_H
#define BZPEER_DUMP_H

#include <stdio.h>

#include "buf.h"
#include "store.h"

/*
 * Writes every database of the store, in a fixed order, one line per
 * record: "<database> <key> <value>", decoded where the layout is known,
 * hex ("!corrupt ...") where a record fails to decode. Strings are quoted
 * with \", \\ and \xNN for control bytes. The catalog generation and its
 * import time are on lines of their own ("meta generation N",
 * "meta generation_time T"), the only lines a re-import of the same files
 * changes. Returns 0 or a store error.
 */
int store_dump(struct store_rtxn *t, FILE *out);

/*
 * Appends s to b in double quotes, as the dump writes strings: \", \\ and
 * \xNN for control bytes (so text from users cannot steer a terminal);
 * other bytes, UTF-8 included, as they are.
 */
void dump_quote(struct buf *b, struct sv s);

#endif
