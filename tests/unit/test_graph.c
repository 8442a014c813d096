/* test_graph.c: the research graph over the imported sample catalog (nodes, edges, weights, limits, a deterministic layout, escaping in the page and the JSON) and over generated neighbourhoods of random sizes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../store/import.h"
#include "../../store/store.h"
#include "../../views/graph.h"
#include "../../views/page.h"
#include "../../views/holes.h"
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
		{
			char tag[160];

			snprintf(tag, sizeof(tag), "<script src=\"%s\" defer></script>",
			    views_static_url(VS_JS));
			CHECK(has(out.p, tag) && has(tag, "/static/bzpeer."));
		}
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

/* ---- generated neighbourhoods -------------------------------------------------
 *
 * Researchers ("hubs") whose neighbourhoods range from a few nodes to
 * thousands, from a fixed seed, imported by the real importer; each graph
 * is checked against what was generated. The node array grows as the
 * graph is built (first at 64 nodes), so these sizes cross every growth.
 */

#define RG_AUTHOR_BASE 7100000000ULL
#define RG_WORK_BASE   7100000000ULL
#define RG_TOPIC_BASE  7100000ULL
#define RG_WORK_AUTHORS 8    /* the hub and up to 7 co-authors a work */
#define RG_WORK_TOPICS  4

static uint64_t rg_state = 0x2545F4914F6CDD1DULL;

static unsigned
rg_pick(unsigned n)
{
	rg_state ^= rg_state << 13;
	rg_state ^= rg_state >> 7;
	rg_state ^= rg_state << 17;
	return n ? (unsigned)(rg_state % n) : 0;
}

struct rg_work {
	unsigned people[RG_WORK_AUTHORS - 1], npeople;   /* co-authors (indices) */
	unsigned topics[RG_WORK_TOPICS], ntopics;        /* topics (indices) */
	int      year;                                   /* 0: none */
};

struct rg_hub {
	unsigned        works, people, topics, insts;    /* as generated */
	uint64_t        author0, work0, topic0;          /* hub's id number; first ids */
	int             inst;                            /* hub's institution, -1 none */
	struct rg_work *w;
	unsigned       *shared;    /* per person: works on which they appear */
	int            *pinst;     /* per person: institution, -1 none */
	unsigned       *tworks;    /* per topic: works on it */
};

/* Adds x to the n-long list l (capacity cap) unless there or full. */
static void
rg_add(unsigned *l, unsigned *n, unsigned cap, unsigned x)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (l[i] == x)
			return;
	if (*n < cap)
		l[(*n)++] = x;
}

/*
 * A hub of about `nodes` nodes in all (itself, works, co-authors, topics,
 * institutions), ids from *a, *w, *t on. Every co-author is on at least
 * one work, every topic on at least one work, every institution someone's.
 */
static void
rg_make(struct rg_hub *h, unsigned nodes, uint64_t *a, uint64_t *w,
    uint64_t *t)
{
	unsigned rest = nodes > 1 ? nodes - 1 : 0, i, k;

	memset(h, 0, sizeof(*h));
	h->works = rest * (35 + rg_pick(20)) / 100;
	if (h->works == 0)
		h->works = 1;
	if (h->works < rest)
		h->people = (rest - h->works) * (45 + rg_pick(20)) / 100;
	if (h->works + h->people < rest)
		h->topics = (rest - h->works - h->people) * (50 + rg_pick(30)) / 100;
	if (h->topics > h->works)
		h->topics = h->works;
	if (h->works + h->people + h->topics < rest)
		h->insts = rest - h->works - h->people - h->topics;
	if (h->insts > h->people)
		h->insts = h->people;
	h->author0 = *a;
	h->work0 = *w;
	h->topic0 = *t;
	*a += 1 + h->people;
	*w += h->works;
	*t += h->topics;
	h->w = xcalloc(h->works, sizeof(*h->w));
	h->shared = xcalloc(h->people + 1, sizeof(*h->shared));
	h->pinst = xcalloc(h->people + 1, sizeof(*h->pinst));
	h->tworks = xcalloc(h->topics + 1, sizeof(*h->tworks));
	h->inst = h->insts && rg_pick(2) ? (int)rg_pick(h->insts) : -1;
	for (i = 0; i < h->works; i++)
		h->w[i].year = rg_pick(8) ? 1990 + (int)rg_pick(36) : 0;
	for (i = 0; i < h->people; i++) {
		struct rg_work *x = &h->w[i % h->works];

		rg_add(x->people, &x->npeople, RG_WORK_AUTHORS - 1, i);
		h->pinst[i] = i < h->insts ? (int)i :
		    h->insts && rg_pick(4) ? (int)rg_pick(h->insts) : -1;
	}
	for (i = 0; i < h->topics; i++)
		rg_add(h->w[i % h->works].topics, &h->w[i % h->works].ntopics,
		    RG_WORK_TOPICS, i);
	for (i = 0; i < h->works; i++) {
		struct rg_work *x = &h->w[i];

		for (k = rg_pick(4); h->people && k > 0; k--)
			rg_add(x->people, &x->npeople, RG_WORK_AUTHORS - 1,
			    rg_pick(h->people));
		for (k = rg_pick(3); h->topics && k > 0; k--)
			rg_add(x->topics, &x->ntopics, RG_WORK_TOPICS,
			    rg_pick(h->topics));
		for (k = 0; k < x->npeople; k++)
			h->shared[x->people[k]]++;
		for (k = 0; k < x->ntopics; k++)
			h->tworks[x->topics[k]]++;
	}
}

static void
rg_free(struct rg_hub *h)
{
	free(h->w);
	free(h->shared);
	free(h->pinst);
	free(h->tworks);
}

static void
rg_inst_name(char *out, size_t n, unsigned hub, int inst)
{
	snprintf(out, n, "Institute %d of hub %u", inst, hub);
}

/* One author line: the hub (person UINT_MAX) or one of its co-authors. */
static void
rg_author_line(FILE *f, const struct rg_hub *h, unsigned hub, unsigned person)
{
	int inst = person == UINT_MAX ? h->inst : h->pinst[person];
	char name[64];

	fprintf(f, "{\"id\":\"https://openalex.org/A%llu\",\"display_name\":",
	    (unsigned long long)(h->author0 + (person == UINT_MAX ? 0 : person + 1)));
	if (person == UINT_MAX)
		fprintf(f, "\"Hub %u\"", hub);
	else
		fprintf(f, "\"Person %u of hub %u\"", person, hub);
	fputs(",\"orcid\":null,\"last_known_institutions\":[", f);
	if (inst >= 0) {
		rg_inst_name(name, sizeof(name), hub, inst);
		fprintf(f, "{\"id\":\"https://openalex.org/I%llu\",\"display_name\":"
		    "\"%s\",\"country_code\":\"US\",\"type\":\"education\"}",
		    (unsigned long long)(RG_AUTHOR_BASE + hub * 1000ULL + (unsigned)inst),
		    name);
	}
	fputs("],\"cited_by_count\":0,\"display_name_alternatives\":[]}\n", f);
}

static void
rg_work_line(FILE *f, const struct rg_hub *h, unsigned hub, unsigned i)
{
	const struct rg_work *x = &h->w[i];
	unsigned k;

	fprintf(f, "{\"id\":\"https://openalex.org/W%llu\",\"doi\":null,"
	    "\"title\":\"Work %u of hub %u\",\"publication_year\":",
	    (unsigned long long)(h->work0 + i), i, hub);
	if (x->year)
		fprintf(f, "%d", x->year);
	else
		fputs("null", f);
	fprintf(f, ",\"type\":\"article\",\"primary_location\":{\"source\":"
	    "{\"display_name\":\"Journal\"},\"landing_page_url\":null},"
	    "\"authorships\":[{\"author_position\":\"first\",\"author\":"
	    "{\"id\":\"https://openalex.org/A%llu\",\"display_name\":\"Hub %u\","
	    "\"orcid\":null},\"institutions\":[]}",
	    (unsigned long long)h->author0, hub);
	for (k = 0; k < x->npeople; k++)
		fprintf(f, ",{\"author_position\":\"middle\",\"author\":"
		    "{\"id\":\"https://openalex.org/A%llu\",\"display_name\":"
		    "\"Person %u of hub %u\",\"orcid\":null},\"institutions\":[]}",
		    (unsigned long long)(h->author0 + 1 + x->people[k]),
		    x->people[k], hub);
	fputs("],\"topics\":[", f);
	for (k = 0; k < x->ntopics; k++)
		fprintf(f, "%s{\"id\":\"https://openalex.org/T%llu\","
		    "\"display_name\":\"Topic %u of hub %u\",\"score\":0.9}",
		    k ? "," : "", (unsigned long long)(h->topic0 + x->topics[k]),
		    x->topics[k], hub);
	fputs("],\"abstract_inverted_index\":null}\n", f);
}

/* Occurrences of needle in b; by length (ASan's strstr rescans the rest of a long text). */
static size_t
count_buf(const struct buf *b, const char *needle)
{
	size_t n = 0, nl = strlen(needle), at = 0;
	const char *p;

	while (at < b->len &&
	    (p = memmem(b->p + at, b->len - at, needle, nl)) != NULL) {
		n++;
		at = (size_t)(p - b->p) + nl;
	}
	return n;
}

/* Node n's id as an index from base (letter, then digits), or -1 outside [0, nitems). */
static long
rg_index(const struct graph_node *n, char letter, uint64_t base, unsigned nitems)
{
	char num[32];
	unsigned long long v;

	if (n->id.n < 2 || n->id.n >= sizeof(num) || n->id.p[0] != letter)
		return -1;
	memcpy(num, n->id.p + 1, n->id.n - 1);
	num[n->id.n - 1] = '\0';
	v = strtoull(num, NULL, 10);
	if (v < base || v - base >= nitems)
		return -1;
	return (long)(v - base);
}

/* Whether x is among the n values of l. */
static int
rg_in(const unsigned *l, unsigned n, unsigned x)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (l[i] == x)
			return 1;
	return 0;
}

/* Works sort newest first, undated last. */
static int
rg_newer(int a, int b)
{
	return (a ? a : -1) > (b ? b : -1);
}

/*
 * Every invariant of g against hub h (number hub) shown with limits lim:
 * kinds in contiguous ranges in the documented order; counts as generated
 * (or the limit); each node one generated item, never twice; the shown
 * ones the first in the store's orders; weights; institutions; every edge
 * between existing nodes of the right kinds, each one true, and as many
 * of each kind as the generated data gives. Returns the number of failed
 * checks (each reported as "not ok").
 */
static int
rg_check(const struct graph *g, const struct rg_hub *h, unsigned hub,
    const struct graph_limits *lim)
{
	long *wnode = xcalloc(h->works + 1, sizeof(long));   /* work -> node + 1 */
	long *pnode = xcalloc(h->people + 1, sizeof(long));
	long *tnode = xcalloc(h->topics + 1, sizeof(long));
	unsigned char *iseen = xcalloc(h->insts + 1, 1);
	uint32_t *members = xcalloc(g->nnodes + 1, sizeof(uint32_t));   /* per institution node */
	size_t i, k, sum = 0, nk[GE__COUNT] = { 0 }, want[GE__COUNT] = { 0 };
	size_t people = g->count[GK_CLOSE] + g->count[GK_COAUTHOR];
	size_t distinct = 0, affiliated = 0, close = 0;
	int fails = 0, oldest = 1 << 30, last_year = 1 << 30;
	unsigned least_shared = UINT_MAX, least_tworks = UINT_MAX;
	char name[64];

	/* quiet when it holds: thousands of items are checked */
#define RG_E(expr) do { \
	if (!(expr)) { \
		check_one(0, #expr, __FILE__, __LINE__); \
		fails++; \
	} } while (0)
	/* nodes */
	for (i = 0; i < g->nnodes; i++)
		if (g->nodes[i].inst >= 0 && (size_t)g->nodes[i].inst < g->nnodes)
			members[g->nodes[i].inst]++;
	for (k = 0; k < GK__COUNT; k++)
		sum += g->count[k];
	RG_E(g->nnodes == sum && g->nnodes <= g->cap_nodes);
	RG_E(g->nedges <= g->cap_edges);
	RG_E(g->nnodes >= 1 && g->nodes[0].kind == GK_RESEARCHER &&
	    g->count[GK_RESEARCHER] == 1 && g->first[GK_RESEARCHER] == 0);
	for (k = 0, i = 0; k < GK__COUNT; k++) {
		size_t j;
		int ok = 1;

		if (g->count[k] == 0)
			continue;
		RG_E(g->first[k] == i);
		for (j = i; j < i + g->count[k] && j < g->nnodes; j++)
			if (g->nodes[j].kind != k)
				ok = 0;
		RG_E(ok);
		i += g->count[k];
	}
	RG_E(g->count[GK_WORK] == (h->works < lim->works ? h->works : lim->works));
	RG_E(people == (h->people < lim->people ? h->people : lim->people));
	RG_E(g->count[GK_TOPIC] ==
	    (h->topics < lim->topics ? h->topics : lim->topics));
	RG_E(g->total_works == h->works && g->total_people == h->people &&
	    g->total_topics == h->topics);
	for (i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];
		long x;

		RG_E(n->inst == -1 || (n->inst >= 0 &&
		    (size_t)n->inst < g->nnodes &&
		    g->nodes[n->inst].kind == GK_INSTITUTION));
		switch (n->kind) {
		case GK_RESEARCHER:
			RG_E(i == 0 && rg_index(n, 'A', h->author0, 1) == 0);
			break;
		case GK_WORK:
			x = rg_index(n, 'W', h->work0, h->works);
			RG_E(x >= 0 && wnode[x] == 0 && n->weight == 1 &&
			    n->inst == -1);
			if (x < 0)
				break;
			wnode[x] = (long)i + 1;
			RG_E(n->year == h->w[x].year);
			RG_E(!rg_newer(n->year, last_year));
			last_year = n->year;
			if (rg_newer(oldest, n->year))
				oldest = n->year;
			break;
		case GK_CLOSE:
		case GK_COAUTHOR:
			x = rg_index(n, 'A', h->author0 + 1, h->people);
			RG_E(x >= 0 && pnode[x] == 0);
			if (x < 0)
				break;
			pnode[x] = (long)i + 1;
			RG_E(n->weight == h->shared[x]);
			RG_E((n->kind == GK_CLOSE) == (h->shared[x] >= 2));
			RG_E(n->weight <= least_shared);
			least_shared = n->weight;
			close += n->kind == GK_CLOSE;
			break;
		case GK_TOPIC:
			x = rg_index(n, 'T', h->topic0, h->topics);
			RG_E(x >= 0 && tnode[x] == 0 && n->inst == -1);
			if (x < 0)
				break;
			tnode[x] = (long)i + 1;
			RG_E(n->weight == h->tworks[x]);
			RG_E(n->weight <= least_tworks);
			least_tworks = n->weight;
			break;
		case GK_INSTITUTION:
			RG_E(n->id.n == 0 && n->inst == -1);
			RG_E(n->weight == members[i] && members[i] > 0);
			break;
		default:
			RG_E(!"a node of a known kind");
		}
	}
	RG_E(close == g->count[GK_CLOSE]);
	/* the shown ones come first in the store's orders */
	for (i = 0; i < h->works; i++)
		if (!wnode[i])
			RG_E(!rg_newer(h->w[i].year, oldest));
	for (i = 0; i < h->people; i++)
		if (!pnode[i])
			RG_E(h->shared[i] <= least_shared);
	for (i = 0; i < h->topics; i++)
		if (!tnode[i])
			RG_E(h->tworks[i] <= least_tworks);
	/* institutions: each shown person's own, one node per name */
	for (i = 0; i <= h->people; i++) {
		long node = i == 0 ? 1 : pnode[i - 1];
		int inst = i == 0 ? h->inst : h->pinst[i - 1];
		const struct graph_node *n;

		if (node == 0)
			continue;
		n = &g->nodes[node - 1];
		if (inst < 0) {
			RG_E(n->inst == -1);
			continue;
		}
		if (!iseen[inst]) {
			iseen[inst] = 1;
			distinct++;
		}
		rg_inst_name(name, sizeof(name), hub, inst);
		if (n->inst >= 0) {
			RG_E(sv_eq_cstr(g->nodes[n->inst].label, name));
			affiliated++;
		} else
			RG_E(node_named(g, name) == NULL);
	}
	RG_E(g->count[GK_INSTITUTION] == (distinct < lim->institutions ?
	    distinct : lim->institutions));
	for (i = 0; i < g->count[GK_INSTITUTION]; i++)
		for (k = i + 1; k < g->count[GK_INSTITUTION]; k++)
			RG_E(!sv_eq(g->nodes[g->first[GK_INSTITUTION] + i].label,
			    g->nodes[g->first[GK_INSTITUTION] + k].label));

	/* edges: between existing nodes, of the right kinds, each true */
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];
		const struct graph_node *a, *b;
		long x, y;
		int ok = 1;

		if (e->a >= g->nnodes || e->b >= g->nnodes || e->a == e->b ||
		    e->kind >= GE__COUNT) {
			RG_E(!"an edge between two existing nodes");
			continue;
		}
		a = &g->nodes[e->a];
		b = &g->nodes[e->b];
		nk[e->kind]++;
		switch (e->kind) {
		case GE_AUTHORED:
			x = rg_index(b, 'W', h->work0, h->works);
			y = rg_index(a, 'A', h->author0 + 1, h->people);
			ok = x >= 0 && e->weight == 1 && (e->a == 0 ||
			    (y >= 0 && rg_in(h->w[x].people, h->w[x].npeople,
			    (unsigned)y)));
			break;
		case GE_COLLABORATES:
			ok = e->a == 0 && (b->kind == GK_CLOSE ||
			    b->kind == GK_COAUTHOR) && e->weight == b->weight;
			break;
		case GE_TOPIC:
			x = rg_index(a, 'W', h->work0, h->works);
			y = rg_index(b, 'T', h->topic0, h->topics);
			ok = x >= 0 && y >= 0 && rg_in(h->w[x].topics,
			    h->w[x].ntopics, (unsigned)y);
			break;
		case GE_STUDIES:
			ok = e->a == 0 && b->kind == GK_TOPIC &&
			    e->weight == b->weight;
			break;
		case GE_AFFILIATED:
			ok = b->kind == GK_INSTITUTION && a->inst == (int)e->b;
			break;
		}
		if (!ok)
			RG_E(!"an edge true to the generated data");
	}
	/* as many edges of each kind as the shown nodes give */
	want[GE_AUTHORED] = g->count[GK_WORK];
	for (i = 0; i < h->works; i++) {
		if (!wnode[i])
			continue;
		for (k = 0; k < h->w[i].npeople; k++)
			want[GE_AUTHORED] += pnode[h->w[i].people[k]] != 0;
		for (k = 0; k < h->w[i].ntopics; k++)
			want[GE_TOPIC] += tnode[h->w[i].topics[k]] != 0;
	}
	want[GE_COLLABORATES] = people;
	want[GE_STUDIES] = g->count[GK_TOPIC];
	want[GE_AFFILIATED] = affiliated;
	for (k = 0, sum = 0; k < GE__COUNT; k++) {
		RG_E(nk[k] == want[k]);
		sum += want[k];
	}
	RG_E(g->nedges == sum);

	/* the layout stays inside the drawing */
	for (i = 0, k = 1; i < g->nnodes; i++)
		if (g->nodes[i].x == 0 || g->nodes[i].x >= g->width ||
		    g->nodes[i].y == 0 || g->nodes[i].y >= g->height)
			k = 0;
	RG_E(k);
	for (i = 0, k = 1; i < g->nedges; i++) {
		size_t j;

		for (j = 0; j < 8; j++)
			if (g->edges[i].d[j] > (j % 2 ? g->height : g->width))
				k = 0;
	}
	RG_E(k);
#undef RG_E
	free(wnode);
	free(pnode);
	free(tnode);
	free(iseen);
	free(members);
	return fails;
}

static void
test_random(void)
{
	/* nodes per hub: a few, around the first growths, thousands */
	static const unsigned sizes[] = { 2, 5, 17, 63, 64, 65, 66, 127, 129,
	    300, 1000, 4000 };
	enum { NHUBS = sizeof(sizes) / sizeof(sizes[0]) };
	const struct graph_limits all = { 1u << 20, 1u << 20, 1u << 20, 1u << 20 };
	struct rg_hub hubs[NHUBS];
	char dir[] = "/tmp/bzpeer-test-graph-rand-XXXXXX", path[2][100], id[32];
	const char *authors[1] = { path[0] }, *works[1] = { path[1] };
	uint64_t a = RG_AUTHOR_BASE, w = RG_WORK_BASE, t = RG_TOPIC_BASE;
	struct import_opts o;
	struct import_report rep;
	struct store *s = NULL;
	struct store_rtxn *txn = NULL;
	FILE *fa, *fw, *log;
	unsigned h, i;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path[0], sizeof(path[0]), "%s/authors.jsonl", dir);
	snprintf(path[1], sizeof(path[1]), "%s/works.jsonl", dir);
	REQUIRE((fa = fopen(path[0], "w")) != NULL);
	REQUIRE((fw = fopen(path[1], "w")) != NULL);
	for (h = 0; h < NHUBS; h++) {
		rg_make(&hubs[h], sizes[h], &a, &w, &t);
		rg_author_line(fa, &hubs[h], h, UINT_MAX);
		for (i = 0; i < hubs[h].people; i++)
			rg_author_line(fa, &hubs[h], h, i);
		for (i = 0; i < hubs[h].works; i++)
			rg_work_line(fw, &hubs[h], h, i);
	}
	REQUIRE(fclose(fa) == 0 && fclose(fw) == 0);

	REQUIRE((log = fopen("/dev/null", "w")) != NULL);
	memset(&o, 0, sizeof(o));
	o.authors = authors;
	o.n_authors = 1;
	o.works = works;
	o.n_works = 1;
	o.strict = 1;
	o.log = log;
	{
		char sdir[120];

		snprintf(sdir, sizeof(sdir), "%s/store", dir);
		REQUIRE(store_open(sdir, STORE_CREATE, &s) == 0);
		REQUIRE(store_import(s, &o, &rep) == 0);
	}
	fclose(log);
	REQUIRE(store_read_begin(s, &txn) == 0);

	for (h = 0; h < NHUBS; h++) {
		const struct rg_hub *x = &hubs[h];
		const struct graph_limits some = { x->works / 2 + 1,
		    x->people / 3 + 1, x->topics / 2 + 1, x->insts / 2 + 1 };
		const struct graph_limits dflt = { GRAPH_MAX_WORKS,
		    GRAPH_MAX_PEOPLE, GRAPH_MAX_TOPICS, GRAPH_MAX_INSTITUTIONS };
		struct store_researcher r;
		struct graph g;
		struct buf j = BUF_INIT;
		struct page pg;

		printf("# hub %u: %u works, %u co-authors, %u topics, %u "
		    "institutions\n", h, x->works, x->people, x->topics, x->insts);
		snprintf(id, sizeof(id), "A%llu", (unsigned long long)x->author0);
		REQUIRE(store_researcher_by_id(txn, sv_cstr(id), &r) == 0);

		/* everything */
		REQUIRE(graph_build(txn, &r, &all, &g) == 0);
		CHECK(rg_check(&g, x, h, &all) == 0);
		CHECK(g.nnodes == 1 + x->works + x->people + x->topics + x->insts);
		graph_json(&g, &r, &j);
		CHECK(count_buf(&j, "\"source\":") == g.nedges &&
		    count_buf(&j, "\"kind\":\"work\"") == x->works);
		buf_free(&j);
		graph_free(&g);
		/* part of it, and what the page shows */
		REQUIRE(graph_build(txn, &r, &some, &g) == 0);
		CHECK(rg_check(&g, x, h, &some) == 0);
		graph_free(&g);
		REQUIRE(graph_build(txn, &r, NULL, &g) == 0);
		CHECK(rg_check(&g, x, h, &dflt) == 0);
		graph_free(&g);
		page_init(&pg);
		CHECK(view_graph(txn, &r, &pg) == 0 && pg.status == 200);
		page_free(&pg);
		if (check_failed) {
			printf("Bail out! hub %u\n", h);
			exit(1);
		}
	}

	store_read_end(txn);
	store_close(s);
	for (h = 0; h < NHUBS; h++)
		rg_free(&hubs[h]);
	snprintf(path[0], sizeof(path[0]), "rm -rf '%s'", dir);
	if (system(path[0]) != 0)
		printf("# could not remove %s\n", dir);
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
	test_random();

	store_read_end(t);
	store_close(s);
	views_unload();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	CHECK_DONE();
}
