/* test_graph.c: the research graph over the imported sample catalog: nodes, edges, weights, limits, a deterministic layout, escaping in the page and the JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../store/store.h"
#include "../../views/graph.h"
#include "../../views/page.h"
#include "../../views/views.h"
#include "check.h"
#include "dirs.h"

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static size_t
edges_of(const struct graph *g, enum graph_edge_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < g->nedges; i++)
		n += g->edges[i].kind == k;
	return n;
}

/* The node with this label, or NULL. */
static const struct graph_node *
node_named(const struct graph *g, const char *label)
{
	size_t i;

	for (i = 0; i < g->nnodes; i++)
		if (sv_eq_cstr(g->nodes[i].label, label))
			return &g->nodes[i];
	return NULL;
}

/* Code points in s. */
static size_t
cps(struct sv s)
{
	size_t i, n = 0;

	for (i = 0; i < s.n; i++)
		n += ((unsigned char)s.p[i] & 0xC0) != 0x80;
	return n;
}

/* Figures of the sample profile (store/sample/README.md). */
static void
test_sample(struct store_rtxn *t)
{
	struct store_researcher r;
	struct graph g, g2;
	struct buf j1 = BUF_INIT, j2 = BUF_INIT;
	const struct graph_node *n;
	size_t i, k, drawn;
	int ok;

	REQUIRE(store_researcher_by_slug(t, SV_LIT("sanjeev-arora"), &r) == 0);
	REQUIRE(graph_build(t, &r, NULL, &g) == 0);
	CHECK(g.nnodes >= 1 && g.nodes[0].kind == GK_RESEARCHER &&
	    sv_eq_cstr(g.nodes[0].label, "Sanjeev Arora"));
	CHECK(g.count[GK_RESEARCHER] == 1);
	CHECK(g.count[GK_WORK] == 13);
	CHECK(g.count[GK_CLOSE] == 4);
	CHECK(g.count[GK_COAUTHOR] == 18);
	CHECK(g.count[GK_TOPIC] == 6);
	CHECK(g.count[GK_INSTITUTION] == 2);
	CHECK(g.total_works == 13 && g.total_people == 22 && g.total_topics == 6);
	CHECK(g.nnodes == 1 + 13 + 4 + 18 + 6 + 2);

	/* kinds sit in contiguous ranges, in the documented order */
	ok = 1;
	for (i = 1; i < g.nnodes; i++)
		if (g.nodes[i].kind < g.nodes[i - 1].kind)
			ok = 0;
	CHECK(ok);

	/* works newest first, the store's order */
	CHECK(g.nodes[g.first[GK_WORK]].year == 2026);
	CHECK(g.nodes[g.first[GK_WORK] + 12].year == 2020);
	ok = 1;
	for (i = 1; i < g.count[GK_WORK]; i++)
		if (g.nodes[g.first[GK_WORK] + i].year > g.nodes[g.first[GK_WORK] + i - 1].year)
			ok = 0;
	CHECK(ok);

	/* close collaborators first, by shared works: Saunshi 3, then the 2s */
	n = &g.nodes[g.first[GK_CLOSE]];
	CHECK(sv_eq_cstr(n->label, "Nikunj Umesh Saunshi") && n->weight == 3);
	for (i = 0, ok = 1; i < g.count[GK_CLOSE]; i++)
		if (g.nodes[g.first[GK_CLOSE] + i].weight < 2)
			ok = 0;
	CHECK(ok);
	for (i = 0, ok = 1; i < g.count[GK_COAUTHOR]; i++)
		if (g.nodes[g.first[GK_COAUTHOR] + i].weight != 1 ||
		    g.nodes[g.first[GK_COAUTHOR] + i].slug.n == 0)
			ok = 0;
	CHECK(ok);

	/* topics by works: T90001 on 7 of his works; T90007/8 are not his */
	n = &g.nodes[g.first[GK_TOPIC]];
	CHECK(sv_eq_cstr(n->id, "T90001") && n->weight == 7);
	CHECK(node_named(&g, "Transformer Language Models and Reasoning") == NULL);

	/* institutions: Princeton (Zhiyuan Li, Jason Lee), Yale (Tianhao Wang) */
	n = node_named(&g, "Princeton University");
	CHECK(n != NULL && n->kind == GK_INSTITUTION && n->weight == 2);
	n = node_named(&g, "Yale University");
	CHECK(n != NULL && n->kind == GK_INSTITUTION && n->weight == 1);
	n = node_named(&g, "Zhiyuan Li");
	CHECK(n != NULL && n->inst >= 0 &&
	    sv_eq_cstr(g.nodes[n->inst].label, "Princeton University"));
	CHECK(g.nodes[0].inst == -1);   /* "Affiliation not imported" */

	/* edges (README "Where each item comes from"): 13 authored by him,
	 * 27 co-author authorships on his works, 22 collaborations, 6
	 * studies, 21 work-topic pairs, 3 affiliations */
	CHECK(edges_of(&g, GE_AUTHORED) == 13 + 27);
	CHECK(edges_of(&g, GE_COLLABORATES) == 22);
	CHECK(edges_of(&g, GE_STUDIES) == 6);
	CHECK(edges_of(&g, GE_TOPIC) == 21);
	CHECK(edges_of(&g, GE_AFFILIATED) == 3);
	CHECK(g.nedges == 92);
	for (i = 0, ok = 1; i < g.nedges; i++)
		if (g.edges[i].a >= g.nnodes || g.edges[i].b >= g.nnodes ||
		    g.edges[i].a == g.edges[i].b)
			ok = 0;
	CHECK(ok);
	/* Saunshi: collaboration of weight 3 and three authored works */
	n = node_named(&g, "Nikunj Umesh Saunshi");
	for (i = 0, k = 0, ok = 0; n && i < g.nedges; i++) {
		if (&g.nodes[g.edges[i].a] == n && g.edges[i].kind == GE_AUTHORED)
			k++;
		if (&g.nodes[g.edges[i].b] == n && g.edges[i].kind == GE_COLLABORATES)
			ok = g.edges[i].weight == 3;
	}
	CHECK(ok && k == 3);

	/* layout: inside the drawing, one node per row and column, rows
	 * spaced enough for a label, labels away from the lines */
	ok = 1;
	for (i = 0; i < g.nnodes; i++) {
		const struct graph_node *a = &g.nodes[i];

		if (a->x == 0 || a->x >= g.width || a->y == 0 || a->y >= g.height)
			ok = 0;
		for (k = i + 1; k < g.nnodes; k++) {
			const struct graph_node *b = &g.nodes[k];

			if (a->x == b->x && (a->y > b->y ? a->y - b->y : b->y - a->y) < 20)
				ok = 0;
		}
		if (i && a->label_end != (a->x < g.nodes[0].x))
			ok = 0;
		if (i && a->label_end && a->lx >= a->x)
			ok = 0;
		if (i && !a->label_end && a->lx <= a->x)
			ok = 0;
	}
	CHECK(ok);
	for (i = 0, ok = 1; i < g.nedges; i++)
		for (k = 0; k < 8; k++)
			if ((k % 2 == 0 && g.edges[i].d[k] > g.width) ||
			    (k % 2 == 1 && g.edges[i].d[k] > g.height))
				ok = 0;
	CHECK(ok);
	/* every line stays in the channel between the two columns */
	{
		unsigned lo = g.width, hi = 0;

		for (i = 0; i < g.nnodes; i++) {
			if (g.nodes[i].label_end && g.nodes[i].x < lo)
				lo = g.nodes[i].x;
			if (i && !g.nodes[i].label_end && g.nodes[i].x > hi)
				hi = g.nodes[i].x;
		}
		for (i = 0, ok = 1; i < g.nedges; i++)
			for (k = 0; k < 8; k += 2)
				if (g.edges[i].d[k] < lo || g.edges[i].d[k] > hi)
					ok = 0;
		CHECK(ok);
	}
	/* short labels: at most 58 code points and the ellipsis */
	for (i = 0, ok = 1, k = 0; i < g.nnodes; i++)
		if (g.nodes[i].short_len) {
			struct sv s = { g.strings.p + g.nodes[i].short_off,
			    g.nodes[i].short_len };

			k++;
			if (cps(s) > 59 || s.n < 3 ||
			    memcmp(s.p + s.n - 3, "…", 3) != 0 ||
			    memcmp(s.p, g.nodes[i].label.p, s.n - 3) != 0)
				ok = 0;
		}
	CHECK(ok && k > 0);

	/* deterministic: a second build gives the same JSON, byte for byte */
	graph_json(&g, &r, &j1);
	REQUIRE(graph_build(t, &r, NULL, &g2) == 0);
	graph_json(&g2, &r, &j2);
	CHECK(j1.len > 0 && j1.len == j2.len && memcmp(j1.p, j2.p, j1.len) == 0);
	for (i = 0, ok = 1; i < g.nnodes; i++)
		if (g.nodes[i].x != g2.nodes[i].x || g.nodes[i].y != g2.nodes[i].y)
			ok = 0;
	CHECK(ok && g.width == g2.width && g.height == g2.height);
	CHECK(has(j1.p, "{\"researcher\":{\"id\":\"A5000000001\",\"slug\":\"sanjeev-arora\",\"name\":\"Sanjeev Arora\"}"));
	CHECK(count(j1.p, "\"kind\":\"close_collaborator\"") == 4);
	CHECK(count(j1.p, "\"kind\":\"work\"") == 13);
	CHECK(count(j1.p, "\"source\":") == 92);
	CHECK(has(j1.p, "{\"id\":\"institution:princeton-university\",\"kind\":\"institution\",\"label\":\"Princeton University\",\"weight\":2}"));
	CHECK(has(j1.p, "\"url\":\"/researchers/zhiyuan-li\""));
	CHECK(has(j1.p, "{\"source\":\"A5000000001\",\"target\":\"A5000000005\",\"kind\":\"collaborates\",\"weight\":3}"));

	/* drawn: every edge but the implied researcher -> topic ones */
	{
		struct page pg;
		struct buf out = BUF_INIT;
		struct viewer v;

		memset(&v, 0, sizeof(v));
		page_init(&pg);
		CHECK(view_graph(t, &r, &pg) == 0);
		CHECK(pg.status == 200);
		page_fill(&pg, &v, &out);
		drawn = count(out.p, "<path class=\"edge edge-");
		CHECK(drawn == 92 - 6 + 5);   /* + the legend's five swatches */
		CHECK(has(out.p, "<svg class=\"graph-svg\""));
		CHECK(has(out.p, "role=\"img\""));
		CHECK(count(out.p, "class=\"node node-work\"") == 13 + 1);
		CHECK(count(out.p, "class=\"node node-close\"") == 4 + 1);
		CHECK(has(out.p, "<link rel=\"canonical\" href=\"/researchers/sanjeev-arora/graph\">"));
		CHECK(has(out.p, "href=\"/researchers/sanjeev-arora/graph.json\""));
		CHECK(has(out.p, "href=\"/researchers/zhiyuan-li\""));
		CHECK(!has(out.p, "style=") && !has(out.p, "<style") &&
		    count(out.p, "<script") == 1 && !has(out.p, " onerror") &&
		    !has(out.p, " onclick"));
		CHECK(!has(out.p, "{{"));
		/* the one script is the site's own file (CSP script-src 'self') */
		CHECK(has(out.p, "<script src=\"/static/bzpeer.js\" defer></script>"));
		buf_free(&out);
		page_free(&pg);
	}

	graph_free(&g);
	graph_free(&g2);
	buf_free(&j1);
	buf_free(&j2);
}

static void
test_limits(struct store_rtxn *t)
{
	struct store_researcher r;
	struct graph g;
	struct graph_limits lim = { 5, 3, 2, 1 };

	REQUIRE(store_researcher_by_slug(t, SV_LIT("sanjeev-arora"), &r) == 0);
	REQUIRE(graph_build(t, &r, &lim, &g) == 0);
	CHECK(g.count[GK_WORK] == 5);
	CHECK(g.count[GK_CLOSE] + g.count[GK_COAUTHOR] == 3);
	CHECK(g.count[GK_CLOSE] == 3);   /* the closest come first */
	CHECK(g.count[GK_TOPIC] == 2);
	CHECK(g.count[GK_INSTITUTION] == 1);
	CHECK(g.total_works == 13 && g.total_people == 22);
	CHECK(edges_of(&g, GE_AUTHORED) >= 5);
	graph_free(&g);
}

/* Hostile names and titles: escaped in the drawing and the lists, in JSON. */
static void
test_hostile(struct store_rtxn *t)
{
	struct store_researcher r;
	struct graph g;
	struct page pg;
	struct buf out = BUF_INIT, j = BUF_INIT;
	struct viewer v;

	REQUIRE(store_researcher_by_slug(t, SV_LIT("gregoire-levy"), &r) == 0);
	REQUIRE(graph_build(t, &r, NULL, &g) == 0);
	CHECK(g.count[GK_WORK] == 2 && g.count[GK_CLOSE] == 1 && g.count[GK_TOPIC] == 1);
	graph_json(&g, &r, &j);
	CHECK(!has(j.p, "<") && !has(j.p, ">") && !has(j.p, "'"));
	CHECK(has(j.p, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 \\\"quotes\\\""));
	CHECK(has(j.p, "\"name\":\"Gr\xc3\xa9goire L\xc3\xa9vy\""));

	memset(&v, 0, sizeof(v));
	page_init(&pg);
	CHECK(view_graph(t, &r, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(!has(out.p, "<script>alert") && !has(out.p, "<img src=x") &&
	    !has(out.p, "</li><script>") && !has(out.p, "\"><img"));
	CHECK(has(out.p, "&lt;/li&gt;&lt;script&gt;alert(4)&lt;/script&gt;"));
	buf_free(&out);
	buf_free(&j);
	page_free(&pg);
	graph_free(&g);
}

/* The fixture researcher: links only to http(s), an escaped institution. */
static void
test_links(struct store_rtxn *t)
{
	struct store_researcher r;
	struct graph g;
	struct buf j = BUF_INIT;
	const struct graph_node *n;

	if (store_researcher_by_slug(t, SV_LIT("ada-prolific"), &r) != 0) {
		CHECK(!"fixture researcher ada-prolific imported");
		return;
	}
	REQUIRE(graph_build(t, &r, NULL, &g) == 0);
	CHECK(g.count[GK_WORK] == GRAPH_MAX_WORKS && g.total_works == 45);
	graph_free(&g);
	REQUIRE(graph_build(t, &r, &(struct graph_limits){ 50, 0, 0, 0 }, &g) == 0);
	CHECK(g.count[GK_WORK] == 45);
	n = node_named(&g, "Linked by DOI: a study");
	CHECK(n && sv_eq_cstr(n->url, "https://doi.org/10.1234/abc_def"));
	n = node_named(&g, "Linked by landing page");
	CHECK(n && sv_eq_cstr(n->url, "http://example.org/paper?id=1&x=2"));
	n = node_named(&g, "Never a javascript link");
	CHECK(n && n->url.n == 0);
	n = node_named(&g, "Never a data link");
	CHECK(n && n->url.n == 0);
	n = node_named(&g, "Landing page when the DOI is not a web address");
	CHECK(n && sv_eq_cstr(n->url, "https://example.org/landing"));
	CHECK(g.nodes[0].inst >= 0);
	graph_json(&g, &r, &j);
	CHECK(has(j.p, "\"id\":\"institution:institute-of-hostile-quoted-studies\""));
	CHECK(has(j.p, "\"label\":\"Institute of \\u003cHostile\\u003e \\u0026 \\\"Quoted\\\" Studies\""));
	CHECK(has(j.p, "\"year\":null"));   /* undated works */
	buf_free(&j);
	graph_free(&g);
}

/* A researcher with nothing around them: one node, no lines, a page. */
static void
test_empty(struct store_rtxn *t)
{
	struct store_researcher r;
	struct graph g;
	struct page pg;
	struct buf out = BUF_INIT, j = BUF_INIT;
	struct viewer v;

	memset(&r, 0, sizeof(r));
	r.id = SV_LIT("A1");
	r.slug = SV_LIT("nobody");
	r.name = SV_LIT("No Body");
	REQUIRE(graph_build(t, &r, NULL, &g) == 0);
	CHECK(g.nnodes == 1 && g.nedges == 0 && g.lower_y == 0);
	CHECK(g.height > g.nodes[0].y && g.width > 0);
	graph_json(&g, &r, &j);
	CHECK(has(j.p, "\"edges\":[]}"));
	graph_free(&g);
	memset(&v, 0, sizeof(v));
	page_init(&pg);
	CHECK(view_graph(t, &r, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "No works imported.") &&
	    has(out.p, "No other co-authors in the catalog.") &&
	    has(out.p, "No topics imported."));
	buf_free(&out);
	buf_free(&j);
	page_free(&pg);
}

int
main(void)
{
	static const char *const catalog[] = {
		"--authors", "store/sample/authors.jsonl",
		"--authors", "tests/fixtures/pages/authors.jsonl",
		"--works", "store/sample/works.jsonl",
		"--works", "tests/fixtures/hostile-works.jsonl",
		"--works", "tests/fixtures/pages/works.jsonl",
		NULL
	};
	char dir[] = "/tmp/bzpeer-test-graph-XXXXXX", cmd[600];
	struct store *s = NULL;
	struct store_rtxn *t = NULL;

	import_catalog(dir, catalog);
	REQUIRE(store_open(dir, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);

	test_sample(t);
	test_limits(t);
	test_hostile(t);
	test_links(t);
	test_empty(t);

	store_read_end(t);
	store_close(s);
	views_unload();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	CHECK_DONE();
}
