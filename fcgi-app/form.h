/* form.h: declared query and form fields, validated and rejected, never repaired (kcgi kvalid). */
#ifndef BZPEER_FORM_H
#define BZPEER_FORM_H

#include <stddef.h>

#include "../store/buf.h"

/*
 * A field is declared once: its name, its largest decoded length, and a
 * validator. form_parse() decodes application/x-www-form-urlencoded input
 * (a query string or a POST body) against the declarations:
 *  - bad percent-encoding, a NUL byte, invalid UTF-8, an overlong value, a
 *    declared field given twice, or a value its validator refuses: the whole
 *    input is rejected (-1) with the field and reason in err, in words;
 *  - undeclared fields are ignored (browsers add submit buttons and such).
 * Handlers only ever see values that passed.
 */
typedef int (*field_valid_fn)(struct sv v);

struct field_decl {
	const char     *name;
	size_t          max;      /* decoded bytes */
	field_valid_fn  valid;    /* NULL: valid_line */
	const char     *invalid;  /* what to tell the user when valid() refuses,
	                             in words; NULL: "not a valid value" */
};

#define FORM_MAX_FIELDS 16

/* A form's declared fields, as a route names them (router.h). */
struct form_spec {
	const struct field_decl *fields;
	size_t                   n;
};
#define FORM_SPEC(decl) { decl, sizeof(decl) / sizeof((decl)[0]) }

struct form {
	struct buf arena;                   /* decoded values, NUL-separated */
	size_t     off[FORM_MAX_FIELDS];
	size_t     len[FORM_MAX_FIELDS];
	unsigned char present[FORM_MAX_FIELDS];
};

void form_init(struct form *f);
void form_free(struct form *f);

int  form_parse(struct form *f, struct sv input,
    const struct field_decl *decl, size_t ndecl, struct buf *err);

/* The value of declared field i (empty when absent). Valid until the next parse. */
struct sv form_get(const struct form *f, size_t i);
int  form_has(const struct form *f, size_t i);

/* Validators. */
int valid_uint(struct sv v);        /* 1..9 digits */
/* The store's text rule (store_text_valid in store.h), so that a field
 * these pass is never refused by the store: UTF-8 without C0 controls,
 * DEL or C1 controls; a line also without U+2028/U+2029, a text may hold
 * TAB, CR and LF. */
int valid_text(struct sv v);        /* STORE_TEXT_NOTE */
int valid_line(struct sv v);        /* STORE_TEXT_LINE */
int valid_orcid(struct sv v);       /* 0000-0002-1825-0097, ISO 7064 11,2 check digit */
int valid_email(struct sv v);       /* local@domain.tld, conservative syntax */
int valid_https_url(struct sv v);   /* https://host[:port][/...], no spaces or controls */

/* Percent-decodes one path segment into out; -1 on bad encoding or NUL. */
int url_decode_segment(struct buf *out, struct sv in);

/* 1 if s is well-formed UTF-8 (no overlongs, no surrogates; store/utf8.h). */
int utf8_valid(struct sv s);

#endif
