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
 *
 * A form people fill in (FORM_SPEC_FIELDS) is parsed by form_parse_fields()
 * instead: a value that is too long or that its validator refuses is not
 * a reason to reject the input but an error of that field (form_error),
 * so the handler can show the form again with every error at its field
 * and what was typed (form_typed). Only what no form sends (bad
 * encoding, a NUL, a malformed name, a field given twice) rejects it.
 *
 * Lengths are characters as the browser counts them against a field's
 * maxlength (utf8_chars in store/utf8.h), so the form's maxlength and the
 * declaration can be the same number.
 */
typedef int (*field_valid_fn)(struct sv v);

struct field_decl {
	const char     *name;
	size_t          max;      /* characters (utf8_chars) */
	field_valid_fn  valid;    /* NULL: valid_line */
	const char     *invalid;  /* what to tell the user when valid() refuses,
	                             in words; NULL: "not a valid value" */
};

#define FORM_MAX_FIELDS 16

/* A form's declared fields, as a route names them (router.h). */
struct form_spec {
	const struct field_decl *fields;
	size_t                   n;
	int                      per_field;  /* form_parse_fields */
};
#define FORM_SPEC(decl) { decl, sizeof(decl) / sizeof((decl)[0]), 0 }
#define FORM_SPEC_FIELDS(decl) { decl, sizeof(decl) / sizeof((decl)[0]), 1 }

struct form {
	struct buf arena;                   /* decoded values, NUL-separated */
	size_t     off[FORM_MAX_FIELDS];
	size_t     len[FORM_MAX_FIELDS];
	unsigned char present[FORM_MAX_FIELDS];
	unsigned char typed[FORM_MAX_FIELDS];   /* decoded, maybe refused */
	const char *error[FORM_MAX_FIELDS];     /* form_parse_fields: why refused */
};

void form_init(struct form *f);
void form_free(struct form *f);

int  form_parse(struct form *f, struct sv input,
    const struct field_decl *decl, size_t ndecl, struct buf *err);

/*
 * As form_parse, but a field that is too long or refused by its validator
 * is left absent with its reason in form_error (static words: "too long",
 * or the declaration's `invalid`); 0 then too. -1 only for input no form
 * sends, as form_parse.
 */
int  form_parse_fields(struct form *f, struct sv input,
    const struct field_decl *decl, size_t ndecl, struct buf *err);

/* The value of declared field i (empty when absent). Valid until the next parse. */
struct sv form_get(const struct form *f, size_t i);
int  form_has(const struct form *f, size_t i);
/* Why field i was refused by form_parse_fields, or NULL. */
const char *form_error(const struct form *f, size_t i);
/* Whether field i was refused for its length: more characters than declared. */
int form_too_long(const struct form *f, size_t i);
/*
 * What was sent for field i, refused or not, when it is text the page can
 * show again (store_text_valid of a note: never a NUL, bad UTF-8 or a
 * control); else empty.
 */
struct sv form_typed(const struct form *f, size_t i);

/* Validators. */
int valid_uint(struct sv v);        /* 1..9 digits */
/* The store's text rule (store_text_valid in store.h), so that a field
 * these pass is never refused by the store: UTF-8 without C0 controls,
 * DEL or C1 controls; a line also without U+2028/U+2029, a text may hold
 * TAB, CR and LF. */
int valid_text(struct sv v);        /* STORE_TEXT_NOTE */
int valid_line(struct sv v);        /* STORE_TEXT_LINE */
int valid_orcid(struct sv v);       /* 0000-0002-1825-0097, ISO 7064 11,2 check digit */
/*
 * An ORCID iD as people type or paste it: "0000-0002-1825-0097", the
 * same with a lower-case x, without the hyphens, or as its URL
 * ("https://orcid.org/0000-0002-1825-0097", http, www., no scheme), with
 * spaces around. Writes the canonical 19 characters and a NUL to out and
 * returns 1 when the result is a valid iD (valid_orcid), else 0.
 */
int orcid_normalize(struct sv in, char out[20]);
int valid_email(struct sv v);       /* local@domain.tld, conservative syntax */
int valid_https_url(struct sv v);   /* https://host[:port][/...], no spaces or controls */

/* Percent-decodes one path segment into out; -1 on bad encoding or NUL. */
int url_decode_segment(struct buf *out, struct sv in);

/* 1 if s is well-formed UTF-8 (no overlongs, no surrogates; store/utf8.h). */
int utf8_valid(struct sv s);

#endif
