/* graph_json.c: the research graph as graph.json: nodes and edges for programs (graph_json). */
#include "graph.h"

#include "html.h"
#include "json.h"

void
graph_json(const struct graph *g, const struct store_researcher *r,
    struct buf *out)
{
	struct buf id = BUF_INIT;
	struct jw j;
	size_t i;

	jw_init(&j, out);
	jw_obj_open(&j, NULL);
	jw_obj_open(&j, "researcher");
	jw_str(&j, "id", r->id);
	jw_str(&j, "slug", r->slug);
	jw_str(&j, "name", r->name);
	jw_obj_close(&j);
	jw_obj_open(&j, "totals");
	jw_uint(&j, "works", g->total_works);
	jw_uint(&j, "coauthors", g->total_people);
	jw_uint(&j, "topics", g->total_topics);
	jw_obj_close(&j);
	jw_arr_open(&j, "nodes");
	for (i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		jw_obj_open(&j, NULL);
		buf_reset(&id);
		graph_node_id(g, i, &id);
		jw_str(&j, "id", (struct sv){ id.p, id.len });
		jw_str(&j, "kind", sv_cstr(graph_kind_name((enum graph_kind)n->kind)));
		jw_str(&j, "label", n->label);
		jw_uint(&j, "weight", n->weight);
		if (n->kind == GK_WORK)
			jw_int_or_null(&j, "year", n->year);
		if (n->slug.n) {
			jw_str(&j, "slug", n->slug);
			buf_reset(&id);
			buf_puts(&id, "/researchers/");
			url_arg(&id, n->slug);
			jw_str(&j, "url", (struct sv){ id.p, id.len });
		} else if (n->url.n)
			jw_str(&j, "url", n->url);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	jw_arr_open(&j, "edges");
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];

		jw_obj_open(&j, NULL);
		buf_reset(&id);
		graph_node_id(g, e->a, &id);
		jw_str(&j, "source", (struct sv){ id.p, id.len });
		buf_reset(&id);
		graph_node_id(g, e->b, &id);
		jw_str(&j, "target", (struct sv){ id.p, id.len });
		jw_str(&j, "kind",
		    sv_cstr(graph_edge_kind_name((enum graph_edge_kind)e->kind)));
		jw_uint(&j, "weight", e->weight);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	jw_obj_close(&j);
	buf_putc(out, '\n');
	buf_free(&id);
}
