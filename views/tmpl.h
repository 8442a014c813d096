/* tmpl.h: the template engine: HTML files with {{tags}}, parsed once, rendered into a page. */
#ifndef BZPEER_TMPL_H
#define BZPEER_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "../store/buf.h"

/*
 * Template syntax (the .html files in views/):
 *
 *   {{name}}            value of slot `name`, escaped as HTML text
 *   {{name|attr}}       ... escaped for a quoted attribute value
 *   {{name|url}}        ... percent-encoded as one URL path segment or query value
 *   {{name|json}}       ... as a JSON string with its quotes (numbers bare)
 *   {{#name}}...{{/name}}  section: a SECTION slot's handler renders the body
 *                       zero or more times (loop or condition); on a VAR slot
 *                       the body is rendered once when the value is non-empty
 *                       (string) or non-zero (number)
 *   {{^name}}...{{/name}}  inverted: the body is rendered when the section
 *                       would render nothing
 *   {{>name}}           a PARTIAL slot: the view renders something there
 *                       (the layout puts the page's content there); or a
 *                       HOLE slot: the render's hole callback is told
 *                       (the page marks what is filled per viewer there)
 *   {{! comment }}      dropped
 *
 * Names are resolved against the view's slot table when the file is parsed:
 * an unknown name, a name used as the wrong kind, an unknown escaper, an
 * unbalanced section or an unterminated tag is a parse error naming the file
 * and line. Template text is trusted; every value goes through an escaper.
 *
 * Whitespace: a line holding only a section, inverted, closing or comment tag
 * is dropped whole; a run of white space that contains a newline becomes a
 * single newline (so do not rely on it inside <pre> or <textarea>).
 */

enum tmpl_kind {
	TMPL_VAR = 1,      /* a value: {{name}}, or a condition {{#name}} */
	TMPL_SECTION,      /* {{#name}} / {{^name}}, rendered by ops->section */
	TMPL_PARTIAL,      /* {{>name}}, rendered by ops->section, empty body */
	TMPL_HOLE,         /* {{>name}}: the render's tmpl_holes callback */
};

/*
 * A view's slot table: slot id = index; entries with name NULL are unused.
 * hole: for a TMPL_HOLE slot, the number handed to the hole callback (the
 * engine gives it no meaning).
 */
struct tmpl_slot {
	const char    *name;
	enum tmpl_kind kind;
	int            hole;
};

/* What a template file is. */
#define TMPL_F_PARTIAL 0x2u   /* a file rendered at another's {{>name}}: its
                                 last newline is dropped, so that {{>name}}
                                 alone on a line renders one line break */
struct tmpl_def {
	const char             *file;   /* "profile.html", relative to the views dir */
	const struct tmpl_slot *slots;
	size_t                  nslots;
	unsigned                flags;
};

/* A value handed back by ops->var. The engine escapes it. */
enum tmpl_vtype { TMPL_V_STR, TMPL_V_NUM };
struct tmpl_val {
	enum tmpl_vtype type;
	struct sv       s;     /* TMPL_V_STR: the view's bytes; read at once */
	uint64_t        u;     /* TMPL_V_NUM */
};

static inline int
tmpl_str(struct tmpl_val *v, struct sv s)
{
	v->type = TMPL_V_STR;
	v->s = s;
	return 0;
}

static inline int
tmpl_num(struct tmpl_val *v, uint64_t u)
{
	v->type = TMPL_V_NUM;
	v->u = u;
	return 0;
}

/* A section being rendered; opaque to views. */
struct tmpl_sec;

/*
 * How a template asks its view for data. ctx is the view's own state: a
 * loop's handler sets "the current item" in ctx, then calls
 * tmpl_sec_render(), so vars inside the body read that item.
 *
 * var: fill *out for slot (tmpl_str / tmpl_num); return 0 or an error code
 *      (which stops rendering and is returned by tmpl_render).
 * section: for a SECTION or PARTIAL slot, call tmpl_sec_render(sec) once per
 *      item (or once, or never) and return 0; return the result of
 *      tmpl_sec_render() as soon as it is non-zero (propagating it through
 *      a store walk's callback is fine: that is how a walk stops early).
 */
struct tmpl_ops {
	int (*var)(void *ctx, int slot, struct tmpl_val *out);
	int (*section)(void *ctx, int slot, struct tmpl_sec *sec);
};

/*
 * Not an error: tmpl_sec_render() asks the caller to stop iterating (an
 * inverted section only needs to know whether there is at least one item).
 * Distinct from errno values, STORE_* codes and LMDB's MDB_* codes.
 */
#define TMPL_STOP (-30700)

/* Renders the section's body once more. Returns 0, TMPL_STOP or an error. */
int tmpl_sec_render(struct tmpl_sec *sec);

struct tmpl;

/*
 * Parses text (n bytes; name is used in messages, e.g. "views/profile.html")
 * against def's slots and flags. Returns 0 and a template in *out that the
 * caller frees with tmpl_free(); or -1 with "name:line: cause" in err.
 */
int tmpl_parse(const char *name, const char *text, size_t n,
    const struct tmpl_def *def, struct tmpl **out, struct buf *err);

/* Reads dir/def->file and parses it. Same results as tmpl_parse. */
int tmpl_load(const char *dir, const struct tmpl_def *def, struct tmpl **out,
    struct buf *err);

void tmpl_free(struct tmpl *t);

/* A hash of the template's source bytes (FNV-1a; 0 for NULL). */
uint32_t tmpl_hash(const struct tmpl *t);

/*
 * Where holes go: mark(ctx, hole) is called where a TMPL_HOLE slot stands,
 * with the slot's number, when out holds everything before it.
 */
struct tmpl_holes {
	int  (*mark)(void *ctx, int hole);
	void  *ctx;
};

/*
 * Appends t rendered with ops and ctx to out. Returns 0, the first error
 * a handler or holes->mark returned (out then holds a partial result:
 * reset it), or EINVAL for a hole when holes is NULL.
 */
int tmpl_render(const struct tmpl *t, const struct tmpl_ops *ops, void *ctx,
    struct buf *out, const struct tmpl_holes *holes);

#endif
