/* tmpl.c: parses the {{tag}} templates of views/ once and renders them through escapers. */
#include "tmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"

/*
 * A parsed template is a flat array of nodes over one pool of trusted text.
 * A section node holds the index just past its closing tag, so rendering is a
 * loop over the array that jumps over a body it does not render; there is no
 * tree, no name lookup and no allocation at render time.
 */
enum op {
	N_TEXT,     /* a = offset in text pool, b = length */
	N_VAR,      /* slot, esc */
	N_IF,       /* {{#var}}: slot, a = end */
	N_UNLESS,   /* {{^var}}: slot, a = end */
	N_SEC,      /* {{#section}}: slot, a = end */
	N_INV,      /* {{^section}}: slot, a = end */
	N_PARTIAL,  /* {{>partial}}: slot */
	N_HOLE,     /* {{>hole}}: a = the slot's hole number */
};

enum esc { ESC_TXT, ESC_ATTR, ESC_URL, ESC_JSON };

struct node {
	uint8_t  op;
	uint8_t  esc;
	uint16_t slot;
	uint32_t a, b;
};

struct tmpl {
	char        *name;
	char        *text;     /* trusted template text, all nodes' bytes */
	struct node *nodes;
	uint32_t     nnodes;
	uint32_t     hash;     /* FNV-1a of the source file */
};

#define MAX_DEPTH 32
#define MAX_FILE  (1u << 20)

/* ---- parsing ------------------------------------------------------------- */

struct parser {
	const char            *name;
	const char            *src;
	size_t                 n;
	const struct tmpl_def *def;
	struct buf             text;
	struct node           *nodes;
	size_t                 nnodes, cap;
	struct buf            *err;
	size_t                 line_pos;   /* line counting: position reached */
	unsigned               line;       /* line number at line_pos */
	struct {
		uint32_t node;
		uint16_t slot;
		unsigned line;
	} stack[MAX_DEPTH];
	unsigned               depth;
	int                    merge;      /* last tag was a comment: text may join */
	int                    bol;        /* next text starts a line: drop indent */
};

/* Line number (1-based) of position pos; positions only grow. */
static unsigned
line_at(struct parser *ps, size_t pos)
{
	const char *p = ps->src + ps->line_pos, *end = ps->src + pos;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		ps->line++;
		p++;
	}
	ps->line_pos = pos;
	return ps->line;
}

/* Writes "name:line: cause" into ps->err; returns -1 for the caller to return. */
static int
fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_puts(ps->err, ps->name);
	buf_putc(ps->err, ':');
	buf_putu64(ps->err, line);
	buf_puts(ps->err, ": ");
	buf_puts(ps->err, msg);
	return -1;
}

static struct node *
add_node(struct parser *ps, enum op op)
{
	struct node *nd;

	if (ps->nnodes == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->nodes = xrealloc(ps->nodes, ps->cap * sizeof(*ps->nodes));
	}
	nd = &ps->nodes[ps->nnodes++];
	memset(nd, 0, sizeof(*nd));
	nd->op = (uint8_t)op;
	return nd;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Appends src[from, to) to the text pool as a text node, a run of white
 * space that holds a newline shrunk to one newline; merges with a text node
 * just before it.
 */
static void
add_text(struct parser *ps, size_t from, size_t to)
{
	size_t start = ps->text.len, i = from;
	struct node *last;

	if (ps->bol)   /* indentation after a dropped standalone line */
		while (i < to && (ps->src[i] == ' ' || ps->src[i] == '\t'))
			i++;
	while (i < to) {
		size_t j = i;

		if (!is_space(ps->src[i])) {
			while (j < to && !is_space(ps->src[j]))
				j++;
			buf_put(&ps->text, ps->src + i, j - i);
		} else {
			while (j < to && is_space(ps->src[j]))
				j++;
			if (memchr(ps->src + i, '\n', j - i) != NULL)
				buf_putc(&ps->text, '\n');
			else
				buf_put(&ps->text, ps->src + i, j - i);
		}
		i = j;
	}
	if (ps->text.len == start)
		return;
	last = ps->nnodes ? &ps->nodes[ps->nnodes - 1] : NULL;
	if (ps->merge && last && last->op == N_TEXT &&
	    last->a + last->b == start) {
		last->b += (uint32_t)(ps->text.len - start);
		return;
	}
	last = add_node(ps, N_TEXT);
	last->a = (uint32_t)start;
	last->b = (uint32_t)(ps->text.len - start);
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Index of the slot called name[0..len) in the view's table, or -1. */
static int
find_slot(const struct tmpl_def *def, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < def->nslots; i++) {
		const char *s = def->slots[i].name;

		if (s && strlen(s) == len && memcmp(s, name, len) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
kind_name(enum tmpl_kind k)
{
	switch (k) {
	case TMPL_VAR:     return "a value";
	case TMPL_SECTION: return "a section";
	case TMPL_PARTIAL: return "a partial";
	case TMPL_HOLE:    return "a hole";
	}
	return "?";
}

/*
 * Compiles one tag, tag[0..len) being what stands between "{{" and "}}".
 * Returns 0 or -1 with the message in ps->err.
 */
static int
compile_tag(struct parser *ps, const char *tag, size_t len, unsigned line)
{
	char sigil = len ? tag[0] : '\0';
	const char *name, *esc = NULL, *p, *end = tag + len;
	size_t nlen, elen = 0;
	struct node *nd;
	int slot;

	if (sigil == '!')
		return 0;
	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>')
		tag++;
	else
		sigil = '\0';
	for (p = tag; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	name = p;
	while (p < end && is_name_char(*p))
		p++;
	nlen = (size_t)(p - name);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '|' && sigil == '\0') {
		for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
			;
		esc = p;
		while (p < end && is_name_char(*p))
			p++;
		elen = (size_t)(p - esc);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	if (nlen == 0 || p != end)
		return fail(ps, line, "bad tag {{%.*s}}: want {{name}}, "
		    "{{name|attr}}, {{#name}}, {{^name}}, {{/name}}, {{>name}} or "
		    "{{!comment}}", (int)(len > 60 ? 60 : len),
		    sigil ? tag - 1 : tag);

	slot = find_slot(ps->def, name, nlen);
	if (slot < 0)
		return fail(ps, line, "unknown name \"%.*s\" (not a slot of "
		    "this view)", (int)nlen, name);
	if (ps->def->slots[slot].kind == TMPL_HOLE) {
		if (sigil != '>')
			return fail(ps, line, "\"%.*s\" is a hole: write {{>%.*s}}",
			    (int)nlen, name, (int)nlen, name);
		nd = add_node(ps, N_HOLE);
		nd->a = (uint32_t)ps->def->slots[slot].hole;
		return 0;
	}
	if (sigil == '/') {
		if (ps->depth == 0)
			return fail(ps, line, "{{/%.*s}} closes no section",
			    (int)nlen, name);
		if (ps->stack[ps->depth - 1].slot != slot)
			return fail(ps, line, "{{/%.*s}} closes {{#%s}} opened at "
			    "line %u", (int)nlen, name,
			    ps->def->slots[ps->stack[ps->depth - 1].slot].name,
			    ps->stack[ps->depth - 1].line);
		ps->depth--;
		ps->nodes[ps->stack[ps->depth].node].a = (uint32_t)ps->nnodes;
		return 0;
	}

	switch (ps->def->slots[slot].kind) {
	case TMPL_VAR:
		if (sigil == '>')
			return fail(ps, line, "\"%.*s\" is a value, not a partial: "
			    "{{%.*s}}", (int)nlen, name, (int)nlen, name);
		if (sigil == '\0') {
			nd = add_node(ps, N_VAR);
			nd->slot = (uint16_t)slot;
			if (esc == NULL || (elen == 4 && !memcmp(esc, "html", 4)))
				nd->esc = ESC_TXT;
			else if (elen == 4 && !memcmp(esc, "attr", 4))
				nd->esc = ESC_ATTR;
			else if (elen == 3 && !memcmp(esc, "url", 3))
				nd->esc = ESC_URL;
			else if (elen == 4 && !memcmp(esc, "json", 4))
				nd->esc = ESC_JSON;
			else
				return fail(ps, line, "unknown escaper \"%.*s\" "
				    "(html, attr, url or json)", (int)elen, esc);
			return 0;
		}
		nd = add_node(ps, sigil == '#' ? N_IF : N_UNLESS);
		break;
	case TMPL_SECTION:
		if (sigil != '#' && sigil != '^')
			return fail(ps, line, "\"%.*s\" is a section: use "
			    "{{#%.*s}}...{{/%.*s}}", (int)nlen, name, (int)nlen,
			    name, (int)nlen, name);
		nd = add_node(ps, sigil == '#' ? N_SEC : N_INV);
		break;
	case TMPL_PARTIAL:
		if (sigil != '>')
			return fail(ps, line, "\"%.*s\" is a partial: use {{>%.*s}}",
			    (int)nlen, name, (int)nlen, name);
		nd = add_node(ps, N_PARTIAL);
		nd->slot = (uint16_t)slot;
		return 0;
	default:
		return fail(ps, line, "slot \"%.*s\" is %s", (int)nlen, name,
		    kind_name(ps->def->slots[slot].kind));
	}
	/* an opening tag */
	nd->slot = (uint16_t)slot;
	if (ps->depth == MAX_DEPTH)
		return fail(ps, line, "sections nested deeper than %d",
		    MAX_DEPTH);
	ps->stack[ps->depth].node = (uint32_t)(ps->nnodes - 1);
	ps->stack[ps->depth].slot = (uint16_t)slot;
	ps->stack[ps->depth].line = line;
	ps->depth++;
	return 0;
}

int
tmpl_parse(const char *name, const char *text, size_t n,
    const struct tmpl_def *def, struct tmpl **out, struct buf *err)
{
	struct parser ps;
	struct tmpl *t;
	size_t pos = 0, pend = 0;
	const char *open;

	*out = NULL;
	if ((def->flags & TMPL_F_PARTIAL) && n > 0 && text[n - 1] == '\n')
		n--;   /* the line break is the including line's */
	memset(&ps, 0, sizeof(ps));
	ps.name = name;
	ps.src = text;
	ps.n = n;
	ps.def = def;
	ps.err = err;
	ps.line = 1;
	if (n > MAX_FILE || def->nslots > UINT16_MAX) {
		fail(&ps, 1, "template too large");
		goto fail;
	}

	while (pos < n && (open = memmem(text + pos, n - pos, "{{", 2)) != NULL) {
		size_t o = (size_t)(open - text), c, next, text_end = o;
		const char *close;
		unsigned line = line_at(&ps, o);
		char sigil;

		close = memmem(open + 2, n - o - 2, "}}", 2);
		if (close == NULL) {
			fail(&ps, line, "unterminated tag: \"{{\" without \"}}\"");
			goto fail;
		}
		c = (size_t)(close - text);
		next = c + 2;
		sigil = c > o + 2 ? text[o + 2] : '\0';
		if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!') {
			/* A tag alone on its line takes the line with it. */
			size_t b = o, f = next;

			while (b > pend && (text[b - 1] == ' ' || text[b - 1] == '\t'))
				b--;
			while (f < n && (text[f] == ' ' || text[f] == '\t' ||
			    text[f] == '\r'))
				f++;
			if ((b == 0 || text[b - 1] == '\n') &&
			    (f == n || text[f] == '\n')) {
				text_end = b;
				next = f < n ? f + 1 : n;
			}
		}
		add_text(&ps, pend, text_end);
		if (compile_tag(&ps, open + 2, c - o - 2, line) != 0)
			goto fail;
		ps.merge = sigil == '!';
		ps.bol = next > 0 && text[next - 1] == '\n';
		pos = pend = next;
	}
	add_text(&ps, pend, n);
	if (ps.depth > 0) {
		fail(&ps, ps.stack[ps.depth - 1].line, "{{#%s}} is never closed",
		    def->slots[ps.stack[ps.depth - 1].slot].name);
		goto fail;
	}

	t = xcalloc(1, sizeof(*t));
	t->name = xstrndup(name, strlen(name));
	t->text = ps.text.p ? ps.text.p : xcalloc(1, 1);
	t->nodes = ps.nodes;
	t->nnodes = (uint32_t)ps.nnodes;
	t->hash = sv_hash((struct sv){ text, n });
	*out = t;
	return 0;
fail:
	buf_free(&ps.text);
	free(ps.nodes);
	return -1;
}

int
tmpl_load(const char *dir, const struct tmpl_def *def, struct tmpl **out,
    struct buf *err)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	struct stat st;
	FILE *f;
	size_t got;
	int rc = -1;

	*out = NULL;
	buf_puts(&path, dir);
	buf_putc(&path, '/');
	buf_puts(&path, def->file);
	if ((f = fopen(path.p, "rb")) == NULL) {
		buf_puts(err, path.p);
		buf_puts(err, ": ");
		buf_puts(err, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) != 0) {
		buf_puts(err, path.p);
		buf_puts(err, ": ");
		buf_puts(err, strerror(errno));
		goto close;
	}
	if (st.st_size > (off_t)MAX_FILE) {
		buf_puts(err, path.p);
		buf_puts(err, ": larger than 1 MiB");
		goto close;
	}
	buf_reserve(&data, (size_t)st.st_size + 1);
	got = fread(data.p, 1, (size_t)st.st_size + 1, f);
	if (ferror(f) || got > (size_t)st.st_size) {
		buf_puts(err, path.p);
		buf_puts(err, ": read error or file changed while read");
		goto close;
	}
	data.len = got;
	rc = tmpl_parse(path.p, data.p, data.len, def, out, err);
close:
	fclose(f);
out:
	buf_free(&data);
	buf_free(&path);
	return rc;
}

uint32_t
tmpl_hash(const struct tmpl *t)
{
	return t ? t->hash : 0;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->text);
	free(t->nodes);
	free(t);
}

/* ---- rendering ----------------------------------------------------------- */

struct rstate {
	const struct tmpl     *t;
	const struct tmpl_ops *ops;
	void                  *ctx;
	struct buf            *out;
	const struct tmpl_holes *holes;   /* NULL: a hole is an error */
};

struct tmpl_sec {
	const struct rstate *st;
	uint32_t             begin, end;
	int                  inverted;
	unsigned             count;
};

static void
put_val(struct buf *out, enum esc esc, const struct tmpl_val *v)
{
	if (v->type == TMPL_V_NUM) {
		buf_putu64(out, v->u);   /* digits are safe in every context */
		return;
	}
	switch (esc) {
	case ESC_TXT:  html_txt(out, v->s); break;
	case ESC_ATTR: html_attr(out, v->s); break;
	case ESC_URL:  url_arg(out, v->s); break;
	case ESC_JSON: json_str(out, v->s); break;
	}
}

static int
truthy(const struct tmpl_val *v)
{
	return v->type == TMPL_V_NUM ? v->u != 0 : v->s.n != 0;
}

/* Renders nodes [i, end). Returns 0 or the first error. */
static int
run(const struct rstate *st, uint32_t i, uint32_t end)
{
	const struct node *nodes = st->t->nodes;
	struct tmpl_val v;
	struct tmpl_sec sec;
	int rc;

	while (i < end) {
		const struct node *nd = &nodes[i];

		switch (nd->op) {
		case N_TEXT:
			html_raw_trusted(st->out, st->t->text + nd->a, nd->b);
			i++;
			break;
		case N_VAR:
			v.type = TMPL_V_STR;
			v.s = (struct sv){ "", 0 };
			if ((rc = st->ops->var(st->ctx, nd->slot, &v)) != 0)
				return rc;
			put_val(st->out, (enum esc)nd->esc, &v);
			i++;
			break;
		case N_IF:
		case N_UNLESS:
			v.type = TMPL_V_STR;
			v.s = (struct sv){ "", 0 };
			if ((rc = st->ops->var(st->ctx, nd->slot, &v)) != 0)
				return rc;
			if (truthy(&v) == (nd->op == N_IF) &&
			    (rc = run(st, i + 1, nd->a)) != 0)
				return rc;
			i = nd->a;
			break;
		case N_SEC:
		case N_INV:
		case N_PARTIAL:
			sec.st = st;
			sec.begin = i + 1;
			sec.end = nd->op == N_PARTIAL ? i + 1 : nd->a;
			sec.inverted = nd->op == N_INV;
			sec.count = 0;
			rc = st->ops->section(st->ctx, nd->slot, &sec);
			if (rc != 0 && rc != TMPL_STOP)
				return rc;
			if (nd->op == N_INV && sec.count == 0 &&
			    (rc = run(st, sec.begin, sec.end)) != 0)
				return rc;
			i = sec.end;
			break;
		case N_HOLE:
			if (st->holes == NULL)
				return EINVAL;
			if ((rc = st->holes->mark(st->holes->ctx, (int)nd->a)) != 0)
				return rc;
			i++;
			break;
		default:
			return EINVAL;
		}
	}
	return 0;
}

int
tmpl_sec_render(struct tmpl_sec *sec)
{
	sec->count++;
	if (sec->inverted)
		return TMPL_STOP;   /* one item is enough to skip the body */
	return run(sec->st, sec->begin, sec->end);
}

int
tmpl_render(const struct tmpl *t, const struct tmpl_ops *ops, void *ctx,
    struct buf *out, const struct tmpl_holes *holes)
{
	struct rstate st = { t, ops, ctx, out, holes };

	return run(&st, 0, t->nnodes);
}
