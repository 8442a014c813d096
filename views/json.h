/* json.h: the one JSON writer (kcgi's kcgijson): it owns the commas, the quotes and the nesting. */
#ifndef BZPEER_JSON_H
#define BZPEER_JSON_H

#include <stdint.h>

#include "../store/buf.h"

/*
 * Values are written in order into a struct buf; the writer places every
 * comma and colon, and keys and strings go through json_str() (html.h),
 * so no caller spells JSON punctuation. Inside an object each value takes
 * its key; inside an array (or at the top) key is NULL. A value of the
 * wrong kind for where it lands (a key in an array, none in an object, a
 * close that does not match, nesting past JSON_DEPTH) is a programming
 * error: jw_done() reports it (tests check every document they make).
 *
 *	struct jw j;
 *	jw_init(&j, out);
 *	jw_obj_open(&j, NULL);
 *	jw_str(&j, "id", id);
 *	jw_arr_open(&j, "works"); ... jw_arr_close(&j);
 *	jw_obj_close(&j);
 *	jw_done(&j);          // 0 when the document is whole
 */
#define JSON_DEPTH 16

struct jw {
	struct buf *out;
	unsigned    depth;
	uint32_t    in_obj;     /* bit d: the container at depth d is an object */
	uint32_t    has_value;  /* bit d: it holds a value already */
	int         bad;        /* a misuse was seen */
};

void jw_init(struct jw *j, struct buf *out);
void jw_obj_open(struct jw *j, const char *key);
void jw_obj_close(struct jw *j);
void jw_arr_open(struct jw *j, const char *key);
void jw_arr_close(struct jw *j);

void jw_str(struct jw *j, const char *key, struct sv v);
void jw_str_or_null(struct jw *j, const char *key, struct sv v); /* empty: null */
void jw_uint(struct jw *j, const char *key, uint64_t v);
void jw_int(struct jw *j, const char *key, int64_t v);
void jw_int_or_null(struct jw *j, const char *key, int64_t v);   /* <= 0: null */
void jw_bool(struct jw *j, const char *key, int v);
void jw_null(struct jw *j, const char *key);

/* 0 when every container was closed and nothing was misused, else -1. */
int  jw_done(struct jw *j);

#endif
