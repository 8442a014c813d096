/* graph_page.c: the research-graph explorer page: the graph drawn as SVG into graph.html, with the same content as lists (view_graph). */
#include "graph.h"

#include <errno.h>
#include <string.h>

#include "graph_int.h"
#include "html.h"
#include "layout.h"
#include "registry.h"

enum {
	G_NAME, G_SLUG, G_WIDTH_S, G_HEIGHT_S, G_ROOT_X, G_ROOT_Y_S, G_ROOT_LABEL_Y,
	G_TRUNK_Y, G_HEAD_Y_S, G_LEFT_HEAD_X, G_RIGHT_HEAD_X, G_LOWER_Y, G_HAS_LOWER,
	G_N_WORKS, G_TOTAL_WORKS, G_MORE_WORKS, G_N_PEOPLE, G_TOTAL_PEOPLE,
	G_MORE_PEOPLE, G_N_CLOSE, G_N_OTHER, G_N_TOPICS, G_TOTAL_TOPICS,
	G_MORE_TOPICS, G_N_INST, G_INSTITUTION,
	/* sections over nodes and edges */
	G_EDGES, G_WORKS, G_CLOSE, G_OTHERS, G_PEOPLE, G_TOPICS, G_INSTS,
	G_INST_PEOPLE,
	/* the current edge */
	G_E_KIND, G_E_W, G_E_X1, G_E_Y1, G_E_C1X, G_E_C1Y, G_E_C2X, G_E_C2Y,
	G_E_X2, G_E_Y2,
	/* the current node */
	G_E_ROOT, G_E_DRAW,
	G_N_X, G_N_Y, G_N_LX, G_N_LY, G_N_LABEL, G_N_SHORT,
	G_N_CUT, G_N_ANCHOR, G_N_KIND, G_N_SLUG, G_N_URL, G_N_YEAR, G_N_WEIGHT,
	G_N_ONE, G_N_INST_NAME, G_IP_FIRST,
	G__COUNT
};

static const struct tmpl_slot graph_slots[G__COUNT] = {
	[G_NAME] = { "name", TMPL_VAR, 0 },
	[G_SLUG] = { "slug", TMPL_VAR, 0 },
	[G_WIDTH_S] = { "width", TMPL_VAR, 0 },
	[G_HEIGHT_S] = { "height", TMPL_VAR, 0 },
	[G_ROOT_X] = { "root_x", TMPL_VAR, 0 },
	[G_ROOT_Y_S] = { "root_y", TMPL_VAR, 0 },
	[G_ROOT_LABEL_Y] = { "root_label_y", TMPL_VAR, 0 },
	[G_TRUNK_Y] = { "trunk_y", TMPL_VAR, 0 },
	[G_HEAD_Y_S] = { "head_y", TMPL_VAR, 0 },
	[G_LEFT_HEAD_X] = { "left_head_x", TMPL_VAR, 0 },
	[G_RIGHT_HEAD_X] = { "right_head_x", TMPL_VAR, 0 },
	[G_LOWER_Y] = { "lower_y", TMPL_VAR, 0 },
	[G_HAS_LOWER] = { "has_lower", TMPL_VAR, 0 },
	[G_N_WORKS] = { "n_works", TMPL_VAR, 0 },
	[G_TOTAL_WORKS] = { "total_works", TMPL_VAR, 0 },
	[G_MORE_WORKS] = { "more_works", TMPL_VAR, 0 },
	[G_N_PEOPLE] = { "n_people", TMPL_VAR, 0 },
	[G_TOTAL_PEOPLE] = { "total_people", TMPL_VAR, 0 },
	[G_MORE_PEOPLE] = { "more_people", TMPL_VAR, 0 },
	[G_N_CLOSE] = { "n_close", TMPL_VAR, 0 },
	[G_N_OTHER] = { "n_other", TMPL_VAR, 0 },
	[G_N_TOPICS] = { "n_topics", TMPL_VAR, 0 },
	[G_TOTAL_TOPICS] = { "total_topics", TMPL_VAR, 0 },
	[G_MORE_TOPICS] = { "more_topics", TMPL_VAR, 0 },
	[G_N_INST] = { "n_institutions", TMPL_VAR, 0 },
	[G_INSTITUTION] = { "institution", TMPL_VAR, 0 },
	[G_EDGES] = { "edges", TMPL_SECTION, 0 },
	[G_WORKS] = { "works", TMPL_SECTION, 0 },
	[G_CLOSE] = { "close", TMPL_SECTION, 0 },
	[G_OTHERS] = { "others", TMPL_SECTION, 0 },
	[G_PEOPLE] = { "people", TMPL_SECTION, 0 },
	[G_TOPICS] = { "topics", TMPL_SECTION, 0 },
	[G_INSTS] = { "institutions", TMPL_SECTION, 0 },
	[G_INST_PEOPLE] = { "inst_people", TMPL_SECTION, 0 },
	[G_E_KIND] = { "e_kind", TMPL_VAR, 0 },
	[G_E_W] = { "e_w", TMPL_VAR, 0 },
	[G_E_X1] = { "e_x1", TMPL_VAR, 0 },
	[G_E_Y1] = { "e_y1", TMPL_VAR, 0 },
	[G_E_C1X] = { "e_c1x", TMPL_VAR, 0 },
	[G_E_C1Y] = { "e_c1y", TMPL_VAR, 0 },
	[G_E_C2X] = { "e_c2x", TMPL_VAR, 0 },
	[G_E_C2Y] = { "e_c2y", TMPL_VAR, 0 },
	[G_E_X2] = { "e_x2", TMPL_VAR, 0 },
	[G_E_Y2] = { "e_y2", TMPL_VAR, 0 },
	[G_E_ROOT] = { "e_root", TMPL_VAR, 0 },
	[G_E_DRAW] = { "e_draw", TMPL_VAR, 0 },
	[G_N_X] = { "n_x", TMPL_VAR, 0 },
	[G_N_Y] = { "n_y", TMPL_VAR, 0 },
	[G_N_LX] = { "n_lx", TMPL_VAR, 0 },
	[G_N_LY] = { "n_ly", TMPL_VAR, 0 },
	[G_N_LABEL] = { "n_label", TMPL_VAR, 0 },
	[G_N_SHORT] = { "n_short", TMPL_VAR, 0 },
	[G_N_CUT] = { "n_cut", TMPL_VAR, 0 },
	[G_N_ANCHOR] = { "n_anchor", TMPL_VAR, 0 },
	[G_N_KIND] = { "n_kind", TMPL_VAR, 0 },
	[G_N_SLUG] = { "n_slug", TMPL_VAR, 0 },
	[G_N_URL] = { "n_url", TMPL_VAR, 0 },
	[G_N_YEAR] = { "n_year", TMPL_VAR, 0 },
	[G_N_WEIGHT] = { "n_weight", TMPL_VAR, 0 },
	[G_N_ONE] = { "n_one", TMPL_VAR, 0 },
	[G_N_INST_NAME] = { "n_inst_name", TMPL_VAR, 0 },
	[G_IP_FIRST] = { "ip_first", TMPL_VAR, 0 },
};

const struct tmpl_def graph_def = { "graph.html", graph_slots, G__COUNT, 0 };

struct gctx {
	const struct store_researcher *r;
	struct graph                  *g;
	const struct graph_node       *n;     /* current node */
	const struct graph_edge       *e;     /* current edge */
	size_t                         ip;    /* index in inst_people */
};

static const char *
kind_class(enum graph_kind k)
{
	switch (k) {
	case GK_RESEARCHER:  return "researcher";
	case GK_WORK:        return "work";
	case GK_CLOSE:       return "close";
	case GK_COAUTHOR:    return "coauthor";
	case GK_TOPIC:       return "topic";
	case GK_INSTITUTION: return "institution";
	case GK__COUNT:      break;
	}
	return "node";
}

static int
graph_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct gctx *c = ctx;
	const struct graph *g = c->g;
	const struct graph_node *n = c->n;
	const struct graph_edge *e = c->e;
	size_t people = g->count[GK_CLOSE] + g->count[GK_COAUTHOR];

	switch (slot) {
	case G_NAME:        return tmpl_str(out, c->r->name);
	case G_SLUG:        return tmpl_str(out, c->r->slug);
	case G_WIDTH_S:     return tmpl_num(out, g->width);
	case G_HEIGHT_S:    return tmpl_num(out, g->height);
	case G_ROOT_X:      return tmpl_num(out, g->nodes[0].x);
	case G_ROOT_Y_S:    return tmpl_num(out, g->nodes[0].y);
	case G_ROOT_LABEL_Y: return tmpl_num(out, g->nodes[0].y - 22);
	case G_TRUNK_Y:     return tmpl_num(out, g->nodes[0].y + 12);
	case G_HEAD_Y_S:    return tmpl_num(out, G_HEAD_Y);
	case G_LEFT_HEAD_X: return tmpl_num(out, G_LEFT + G_NODE_R);
	case G_RIGHT_HEAD_X: return tmpl_num(out, G_RIGHT - G_NODE_R);
	case G_LOWER_Y:     return tmpl_num(out, g->lower_y);
	case G_HAS_LOWER:   return tmpl_num(out, g->lower_y != 0);
	case G_N_WORKS:     return tmpl_num(out, g->count[GK_WORK]);
	case G_TOTAL_WORKS: return tmpl_num(out, g->total_works);
	case G_MORE_WORKS:
		return tmpl_num(out, g->total_works > g->count[GK_WORK] ?
		    g->total_works - g->count[GK_WORK] : 0);
	case G_N_PEOPLE:    return tmpl_num(out, people);
	case G_TOTAL_PEOPLE: return tmpl_num(out, g->total_people);
	case G_MORE_PEOPLE:
		return tmpl_num(out, g->total_people > people ?
		    g->total_people - people : 0);
	case G_N_CLOSE:     return tmpl_num(out, g->count[GK_CLOSE]);
	case G_N_OTHER:     return tmpl_num(out, g->count[GK_COAUTHOR]);
	case G_N_TOPICS:    return tmpl_num(out, g->count[GK_TOPIC]);
	case G_TOTAL_TOPICS: return tmpl_num(out, g->total_topics);
	case G_MORE_TOPICS:
		return tmpl_num(out, g->total_topics > g->count[GK_TOPIC] ?
		    g->total_topics - g->count[GK_TOPIC] : 0);
	case G_N_INST:      return tmpl_num(out, g->count[GK_INSTITUTION]);
	case G_INSTITUTION: return tmpl_str(out, c->r->institution);

	case G_E_KIND:
		return tmpl_str(out, sv_cstr(graph_edge_kind_name(
		    (enum graph_edge_kind)e->kind)));
	case G_E_W:
		return tmpl_num(out, e->kind == GE_COLLABORATES ?
		    (e->weight >= 3 ? 3 : e->weight >= 2 ? 2 : 1) : 1);
	case G_E_X1: case G_E_Y1: case G_E_C1X: case G_E_C1Y:
	case G_E_C2X: case G_E_C2Y: case G_E_X2: case G_E_Y2:
		return tmpl_num(out, e->d[slot - G_E_X1]);

	case G_E_ROOT:   return tmpl_num(out, e->a == 0);
	/* researcher -> topic is implied by the works' topic arcs: not drawn */
	case G_E_DRAW:   return tmpl_num(out, e->kind != GE_STUDIES);
	case G_N_X:      return tmpl_num(out, n->x);
	case G_N_Y:      return tmpl_num(out, n->y);
	case G_N_LX:     return tmpl_num(out, n->lx);
	case G_N_LY:     return tmpl_num(out, n->y + 4);
	case G_N_LABEL:  return tmpl_str(out, n->label);
	case G_N_SHORT:
		return tmpl_str(out, n->short_len ? (struct sv){
		    g->strings.p + n->short_off, n->short_len } : n->label);
	case G_N_CUT:    return tmpl_num(out, n->short_len != 0);
	case G_N_ANCHOR: return tmpl_str(out, n->label_end ? SV_LIT("end") : SV_LIT("start"));
	case G_N_KIND:   return tmpl_str(out, sv_cstr(kind_class((enum graph_kind)n->kind)));
	case G_N_SLUG:   return tmpl_str(out, n->slug);
	case G_N_URL:    return tmpl_str(out, n->url);
	case G_N_YEAR:   return tmpl_num(out, n->year > 0 ? (uint64_t)n->year : 0);
	case G_N_WEIGHT: return tmpl_num(out, n->weight);
	case G_N_ONE:    return tmpl_num(out, n->weight == 1);
	case G_N_INST_NAME:
		return tmpl_str(out, n->inst >= 0 ? g->nodes[n->inst].label :
		    (struct sv){ "", 0 });
	case G_IP_FIRST: return tmpl_num(out, c->ip == 0);
	}
	return EINVAL;
}

/* Renders sec once per node of kind k (with the current node set). */
static int
each_node(struct gctx *c, enum graph_kind k, struct tmpl_sec *sec)
{
	size_t i;
	int rc;

	for (i = 0; i < c->g->count[k]; i++) {
		c->n = &c->g->nodes[c->g->first[k] + i];
		if ((rc = tmpl_sec_render(sec)) != 0)
			return rc;
	}
	return 0;
}

static int
graph_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct gctx *c = ctx;
	const struct graph *g = c->g;
	const struct graph_node *inst;
	size_t i;
	int rc = 0;

	switch (slot) {
	case G_EDGES:
		for (i = 0; i < g->nedges && rc == 0; i++) {
			c->e = &g->edges[i];
			rc = tmpl_sec_render(sec);
		}
		return rc;
	case G_WORKS:   return each_node(c, GK_WORK, sec);
	case G_CLOSE:   return each_node(c, GK_CLOSE, sec);
	case G_OTHERS:  return each_node(c, GK_COAUTHOR, sec);
	case G_PEOPLE:
		if ((rc = each_node(c, GK_CLOSE, sec)) != 0)
			return rc;
		return each_node(c, GK_COAUTHOR, sec);
	case G_TOPICS:  return each_node(c, GK_TOPIC, sec);
	case G_INSTS:   return each_node(c, GK_INSTITUTION, sec);
	case G_INST_PEOPLE:
		/* inside institutions: the people (and researcher) there */
		inst = c->n;
		c->ip = 0;
		for (i = 0; i < g->nnodes && rc == 0; i++) {
			if (g->nodes[i].inst < 0 || &g->nodes[g->nodes[i].inst] != inst)
				continue;
			c->n = &g->nodes[i];
			rc = tmpl_sec_render(sec);
			c->ip++;
		}
		c->n = inst;
		return rc;
	}
	return EINVAL;
}

static const struct tmpl_ops graph_ops = { graph_var, graph_section };

int
view_graph(struct store_rtxn *t, const struct store_researcher *r,
    struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_GRAPH);
	struct graph g;
	struct gctx c;
	struct layout l;
	struct buf s = BUF_INIT;
	size_t title_len, desc_off, canon_off;
	int rc;

	if (content == NULL)
		return ENOENT;
	if ((rc = graph_build(t, r, NULL, &g)) != 0)
		goto out;

	buf_put(&s, r->name.p, r->name.n);
	buf_puts(&s, " · Research graph");
	title_len = s.len;
	desc_off = s.len;
	buf_puts(&s, "The research neighbourhood of ");
	buf_put(&s, r->name.p, r->name.n);
	buf_puts(&s, " on BZPEER: works, collaborators, topics and institutions.");
	canon_off = s.len;
	buf_puts(&s, "/researchers/");
	url_arg(&s, r->slug);
	buf_puts(&s, "/graph");

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.g = &g;
	c.n = &g.nodes[0];
	memset(&l, 0, sizeof(l));
	l.title = (struct sv){ s.p, title_len };
	l.description = (struct sv){ s.p + desc_off, canon_off - desc_off };
	l.canonical = (struct sv){ s.p + canon_off, s.len - canon_off };
	l.kind = SV_LIT("graph");
	l.content = content;
	l.ops = &graph_ops;
	l.ctx = &c;
	pg->status = 200;
	buf_reset(&pg->slug);
	buf_put(&pg->slug, r->slug.p, r->slug.n);
	rc = layout_render(&l, pg);
out:
	buf_free(&s);
	graph_free(&g);
	return rc;
}
