/* graph.c: the research graph's model: a researcher's neighbourhood read from the store into nodes and edges (graph_build), and the names and ids graph.json gives them. */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "graph_int.h"
#include "work.h"

/*
 * Appends a zeroed node of this kind and returns its index. The array may
 * move: a pointer into g->nodes taken before the call dangles after it, so
 * callers take one only from the returned index, after the call, and keep
 * none across another add_node().
 */
static size_t
add_node(struct graph *g, enum graph_kind kind)
{
	struct graph_node *n;

	if (g->nnodes == g->cap_nodes) {
		g->cap_nodes = g->cap_nodes ? g->cap_nodes * 2 : 64;
		g->nodes = xrealloc(g->nodes, g->cap_nodes * sizeof(*g->nodes));
	}
	n = &g->nodes[g->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->inst = -1;
	if (g->count[kind] == 0)
		g->first[kind] = g->nnodes;
	g->count[kind]++;
	return g->nnodes++;
}

/* Appends an edge between nodes a and b (indices; g->edges may move). */
static void
add_edge(struct graph *g, size_t a, size_t b, enum graph_edge_kind kind,
    uint32_t weight)
{
	struct graph_edge *e;

	if (g->nedges == g->cap_edges) {
		g->cap_edges = g->cap_edges ? g->cap_edges * 2 : 128;
		g->edges = xrealloc(g->edges, g->cap_edges * sizeof(*g->edges));
	}
	e = &g->edges[g->nedges++];
	memset(e, 0, sizeof(*e));
	e->a = (uint32_t)a;
	e->b = (uint32_t)b;
	e->kind = (uint8_t)kind;
	e->weight = weight;
}

struct build {
	struct graph                *g;
	const struct graph_limits   *lim;
	/* people by id: open addressing over node indices + 1 */
	uint32_t                    *people_hash;
	size_t                       hash_cap;
};

static int
work_cb(void *ctx, const struct store_work *w)
{
	struct build *b = ctx;
	/* Not &nodes[add_node()]: C lets nodes be read before the call moves it. */
	size_t i = add_node(b->g, GK_WORK);
	struct graph_node *n = &b->g->nodes[i];

	n->id = w->id;
	n->label = w->title.n ? w->title : SV_LIT("Untitled work");
	n->year = w->year > 0 ? w->year : 0;
	n->weight = 1;
	n->url = work_url(w);
	return 0;
}

static int
coauthor_cb(void *ctx, const struct store_coauthor *c)
{
	struct build *b = ctx;
	size_t i = add_node(b->g, c->shared >= 2 ? GK_CLOSE : GK_COAUTHOR);
	struct graph_node *n = &b->g->nodes[i];

	n->id = c->r.id;
	n->label = c->r.name;
	n->slug = c->r.slug;
	n->weight = c->shared;
	/* the institution's name rides in url until institutions are made */
	n->url = c->r.institution;
	return 0;
}

static int
topic_cb(void *ctx, const struct store_topic_count *tc)
{
	struct build *b = ctx;
	size_t i = add_node(b->g, GK_TOPIC);
	struct graph_node *n = &b->g->nodes[i];

	n->id = tc->topic.id;
	n->label = tc->topic.name.n ? tc->topic.name : tc->topic.id;
	n->weight = tc->works;
	return 0;
}

/* Node index of the shown person with this id, or SIZE_MAX. */
static size_t
person_of(const struct build *b, struct sv id)
{
	uint32_t h;

	if (b->hash_cap == 0 || id.n == 0)
		return SIZE_MAX;
	for (h = sv_hash(id) & (uint32_t)(b->hash_cap - 1); b->people_hash[h];
	    h = (h + 1) & (uint32_t)(b->hash_cap - 1))
		if (sv_eq(b->g->nodes[b->people_hash[h] - 1].id, id))
			return b->people_hash[h] - 1;
	return SIZE_MAX;
}

static void
index_people(struct build *b)
{
	const struct graph *g = b->g;
	size_t first = g->count[GK_CLOSE] ? g->first[GK_CLOSE] : g->first[GK_COAUTHOR];
	size_t n = g->count[GK_CLOSE] + g->count[GK_COAUTHOR], i;
	uint32_t h;

	if (n == 0)
		return;
	for (b->hash_cap = 16; b->hash_cap < 2 * n; b->hash_cap *= 2)
		;
	b->people_hash = xcalloc(b->hash_cap, sizeof(*b->people_hash));
	for (i = first; i < first + n; i++) {
		for (h = sv_hash(g->nodes[i].id) & (uint32_t)(b->hash_cap - 1);
		    b->people_hash[h]; h = (h + 1) & (uint32_t)(b->hash_cap - 1))
			;
		b->people_hash[h] = (uint32_t)(i + 1);
	}
}

/*
 * Institution nodes from the researcher's and the shown people's
 * institution names, in that order (the researcher's own first, then the
 * closest collaborators'), one node per distinct name. Nodes by index
 * only: adding one may move the array.
 */
static void
add_institutions(struct build *b)
{
	struct graph *g = b->g;
	size_t npeople = g->nnodes, i, k;

	for (i = 0; i < npeople; i++) {
		enum graph_kind kind = (enum graph_kind)g->nodes[i].kind;
		struct sv name;
		size_t at = SIZE_MAX;

		if (kind != GK_RESEARCHER && kind != GK_CLOSE &&
		    kind != GK_COAUTHOR)
			continue;
		name = g->nodes[i].url;
		g->nodes[i].url = (struct sv){ "", 0 };
		if (name.n == 0)
			continue;
		for (k = 0; k < g->count[GK_INSTITUTION]; k++)
			if (sv_eq(g->nodes[g->first[GK_INSTITUTION] + k].label, name)) {
				at = g->first[GK_INSTITUTION] + k;
				break;
			}
		if (at == SIZE_MAX) {
			if (g->count[GK_INSTITUTION] >= b->lim->institutions)
				continue;
			at = add_node(g, GK_INSTITUTION);
			g->nodes[at].label = name;
		}
		g->nodes[at].weight++;
		g->nodes[i].inst = (int)at;
	}
}

static void
add_edges(struct build *b)
{
	struct graph *g = b->g;
	size_t i;

	for (i = 0; i < g->count[GK_WORK]; i++)
		add_edge(g, 0, g->first[GK_WORK] + i, GE_AUTHORED, 1);
	for (i = 1; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		if (n->kind == GK_CLOSE || n->kind == GK_COAUTHOR)
			add_edge(g, 0, i, GE_COLLABORATES, n->weight);
		else if (n->kind == GK_TOPIC)
			add_edge(g, 0, i, GE_STUDIES, n->weight);
	}
	for (i = 0; i < g->nnodes; i++)
		if (g->nodes[i].inst >= 0)
			add_edge(g, i, (size_t)g->nodes[i].inst, GE_AFFILIATED, 1);
}

/*
 * Co-author -> work and work -> topic edges: each shown work's authors and
 * topics that are shown too. The works are read again by id: store_work
 * records are not kept between the walk's callbacks.
 */
static int
add_work_edges(struct build *b, struct store_rtxn *t)
{
	struct graph *g = b->g;
	size_t i, k, pos;
	struct store_work w;
	struct store_author_ref a;
	struct store_topic_ref tp;
	int rc;

	for (i = g->first[GK_WORK]; g->count[GK_WORK] &&
	    i < g->first[GK_WORK] + g->count[GK_WORK]; i++) {
		if ((rc = store_work_by_id(t, g->nodes[i].id, &w)) != 0)
			return rc;
		pos = 0;
		while ((rc = store_work_author_next(&w, &pos, &a)) == 0) {
			size_t p = person_of(b, a.id);

			if (p != SIZE_MAX)
				add_edge(g, p, i, GE_AUTHORED, 1);
		}
		if (rc != STORE_NOTFOUND)
			return rc;
		pos = 0;
		while ((rc = store_work_topic_next(&w, &pos, &tp)) == 0) {
			for (k = 0; k < g->count[GK_TOPIC]; k++)
				if (sv_eq(g->nodes[g->first[GK_TOPIC] + k].id, tp.id)) {
					add_edge(g, i, g->first[GK_TOPIC] + k,
					    GE_TOPIC, 1);
					break;
				}
		}
		if (rc != STORE_NOTFOUND)
			return rc;
	}
	return 0;
}

int
graph_build(struct store_rtxn *t, const struct store_researcher *r,
    const struct graph_limits *lim, struct graph *g)
{
	struct graph_limits dl = { GRAPH_MAX_WORKS, GRAPH_MAX_PEOPLE,
	    GRAPH_MAX_TOPICS, GRAPH_MAX_INSTITUTIONS };
	struct build b;
	size_t root;
	int rc;

	memset(g, 0, sizeof(*g));
	if (lim != NULL) {
		dl.works = lim->works ? lim->works : dl.works;
		dl.people = lim->people ? lim->people : dl.people;
		dl.topics = lim->topics ? lim->topics : dl.topics;
		dl.institutions = lim->institutions ? lim->institutions : dl.institutions;
	}
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.lim = &dl;
	g->total_works = r->works;
	g->total_people = r->coauthors;
	g->total_topics = r->topics;

	root = add_node(g, GK_RESEARCHER);
	g->nodes[root].id = r->id;
	g->nodes[root].label = r->name;
	g->nodes[root].slug = r->slug;
	g->nodes[root].weight = r->works;
	g->nodes[root].url = r->institution;   /* see add_institutions */

	if ((rc = store_researcher_works(t, r->id, 0, dl.works, work_cb, &b)) != 0)
		goto out;
	if ((rc = store_researcher_coauthors(t, r->id, dl.people, coauthor_cb,
	    &b)) != 0)
		goto out;
	if ((rc = store_researcher_topics(t, r->id, dl.topics, topic_cb, &b)) != 0)
		goto out;
	add_institutions(&b);
	index_people(&b);
	add_edges(&b);
	if ((rc = add_work_edges(&b, t)) != 0)
		goto out;
	graph_layout(g);
out:
	free(b.people_hash);
	return rc;
}

void
graph_free(struct graph *g)
{
	free(g->nodes);
	free(g->edges);
	buf_free(&g->strings);
	memset(g, 0, sizeof(*g));
}

const char *
graph_kind_name(enum graph_kind k)
{
	switch (k) {
	case GK_RESEARCHER:  return "researcher";
	case GK_WORK:        return "work";
	case GK_CLOSE:       return "close_collaborator";
	case GK_COAUTHOR:    return "coauthor";
	case GK_TOPIC:       return "topic";
	case GK_INSTITUTION: return "institution";
	case GK__COUNT:      break;
	}
	return "unknown";
}

const char *
graph_edge_kind_name(enum graph_edge_kind k)
{
	switch (k) {
	case GE_AUTHORED:     return "authored";
	case GE_COLLABORATES: return "collaborates";
	case GE_TOPIC:        return "topic";
	case GE_STUDIES:      return "studies";
	case GE_AFFILIATED:   return "affiliated";
	case GE__COUNT:       break;
	}
	return "unknown";
}

void
graph_node_id(const struct graph *g, size_t i, struct buf *out)
{
	const struct graph_node *n = &g->nodes[i];

	if (n->kind != GK_INSTITUTION) {
		buf_put(out, n->id.p, n->id.n);
		return;
	}
	/* Institutions come without ids in the store: the name's slug. */
	buf_puts(out, "institution:");
	store_slugify(out, n->label);
}
