/* tmpl.c (fuzz): the template parser, tmpl_parse(), against the real slot tables of every view, and rendering what it accepts. */
#include <errno.h>
#include <string.h>

#include "../../views/page.h"
#include "../../views/registry.h"
#include "../../views/tmpl.h"
#include "fuzz.h"

static const struct tmpl_def *const tmpl_defs[] = {
	&layout_def, &profile_def, &home_def, &error_def, &holes_def,
	&graph_def, &works_def, &work_def, &me_def, &owner_def,
};
#define NDEFS (sizeof(tmpl_defs) / sizeof(tmpl_defs[0]))

/* A value every escaper must change: it must never come out as it went in. */
#define TMPL_VALUE "Q<q\"q'q&q>"

struct tmpl_ctx {
	const struct tmpl_def *def;
	unsigned budget;        /* sections rendered: nesting must not explode */
};

static int
tmpl_var(void *vctx, int slot, struct tmpl_val *out)
{
	struct tmpl_ctx *c = vctx;

	FUZZ_CHECK(slot >= 0 && (size_t)slot < c->def->nslots);
	FUZZ_CHECK(c->def->slots[slot].kind == TMPL_VAR);
	if (slot % 3 == 0)
		return tmpl_num(out, (uint64_t)slot);
	return tmpl_str(out, SV_LIT(TMPL_VALUE));
}

static int
tmpl_section(void *vctx, int slot, struct tmpl_sec *sec)
{
	struct tmpl_ctx *c = vctx;
	int rc;

	FUZZ_CHECK(slot >= 0 && (size_t)slot < c->def->nslots);
	FUZZ_CHECK(c->def->slots[slot].kind == TMPL_SECTION ||
	    c->def->slots[slot].kind == TMPL_PARTIAL);
	for (int i = 0; i < slot % 3; i++) {
		if (c->budget == 0)
			return 0;
		c->budget--;
		if ((rc = tmpl_sec_render(sec)) != 0)
			return rc;
	}
	return 0;
}

static const struct tmpl_ops tmpl_fuzz_ops = { tmpl_var, tmpl_section };

/* Whether p[0..n) holds byte c (p may be NULL when n is 0). */
static int
hasc(const char *p, size_t n, char c)
{
	return n > 0 && memchr(p, c, n) != NULL;
}

FUZZ_INIT(tmpl)
{
	return 0;
}

FUZZ_ONE(tmpl)
{
	const struct tmpl_def *def;
	struct tmpl *t = NULL;
	struct buf err = BUF_INIT;
	struct page pg;
	const char *text;
	size_t n;
	int rc;

	if (size == 0)
		return 0;
	def = tmpl_defs[data[0] % NDEFS];
	text = (const char *)data + 1;
	n = size - 1;
	rc = tmpl_parse("fuzz.html", text, n, def, &t, &err);
	if (rc != 0) {
		/* Refused: with a "name:line: cause" and no template. */
		FUZZ_CHECK(t == NULL && err.len > 0 &&
		    strncmp(err.p, "fuzz.html:", 10) == 0);
		buf_free(&err);
		return 0;
	}
	FUZZ_CHECK(t != NULL && err.len == 0);
	page_init(&pg);
	{
		struct tmpl_ctx c = { def, 256 };

		rc = view_render(t, &tmpl_fuzz_ops, &c, &pg);
	}
	FUZZ_CHECK(rc == 0 || rc == ENOSPC);
	if (rc == 0) {
		/* Values only ever come out escaped: a byte the template text
		 * does not hold, and every escaper rewrites, never appears. */
		if (!hasc(text, n, '<'))
			FUZZ_CHECK(!hasc(pg.body.p, pg.body.len, '<'));
		if (!hasc(text, n, '>'))
			FUZZ_CHECK(!hasc(pg.body.p, pg.body.len, '>'));
		if (!hasc(text, n, '\''))
			FUZZ_CHECK(!hasc(pg.body.p, pg.body.len, '\''));
		for (uint32_t i = 0; i < pg.nholes; i++)
			FUZZ_CHECK(pg.holes[i].off <= pg.body.len &&
			    pg.holes[i].kind < HOLE__COUNT);
	}
	page_free(&pg);
	tmpl_free(t);
	buf_free(&err);
	return 0;
}
