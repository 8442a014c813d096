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
 * (dump_quote). The catalog generation and its
 * import time are on lines of their own ("meta generation N",
 * "meta generation_time T"), the only lines a re-import of the same files
 * changes. Returns 0 or a store error.
 */
int store_dump(struct store_rtxn *t, FILE *out);

/*
 * Appends s to b escaped for people reading a terminal or a line-oriented
 * file, so that text from users can neither steer the terminal, split a
 * line nor reorder what is shown: \\ and \" for a backslash and a quote;
 * \xNN for each C0 control byte (tab and line feed too), DEL and each
 * byte that is not part of valid UTF-8; \uNNNN (lower-case hex) for C1
 * controls (U+0080..U+009F), bidi controls (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) and U+2028/U+2029. Everything else,
 * UTF-8 included, as it is. Unambiguous: every backslash in the output
 * starts an escape, so the original bytes can be read back. Every string
 * bzpeer-admin prints goes through it.
 */
void dump_escape(struct buf *b, struct sv s);

/* Appends s to b in double quotes, escaped (dump_escape): how the dump
 * and `claims list` write strings. */
void dump_quote(struct buf *b, struct sv s);

#endif
