/* jscan.h: a validating JSON scanner that walks a line without building it, for the importer's fast path. */
#ifndef BZPEER_JSCAN_H
#define BZPEER_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * It accepts a subset of what jansson accepts (json_loadb with
 * JSON_ALLOW_NUL): whatever it is unsure of (a number jansson might find
 * too big, deep nesting, NUL in a key) it refuses. So a caller that falls
 * back to jansson on any refusal never accepts a line jansson would not.
 * Every function returns 0, or -1 for "refused" (the reason does not
 * matter: jansson will tell).
 */
struct jscan {
	const unsigned char *p, *end;
	int depth;
};

#define JSCAN_MAX_DEPTH 256

/* Skips white space; returns the next byte, or -1 at the end. */
int jscan_ws(struct jscan *s);

/*
 * The string at s->p (on its opening quote): checked, and when out is not
 * NULL its decoded bytes appended to out. *escaped tells whether it held
 * escapes, *nul whether one was \u0000 (either may be NULL).
 */
int jscan_string(struct jscan *s, struct buf *out, int *escaped, int *nul);

/* Any value at s->p, checked and skipped. */
int jscan_value(struct jscan *s);

/* A non-negative integer of at most 18 digits (no fraction, no exponent). */
int jscan_uint(struct jscan *s, uint64_t *v);

/* The literal `null` at s->p; 0 and skipped if it is one. */
int jscan_null(struct jscan *s);

#endif
