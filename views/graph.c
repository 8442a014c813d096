/* graph.c: the research-graph explorer: a researcher's neighbourhood read from the store, laid out, drawn as SVG (graph.html) and given as JSON. */
#include "graph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "json.h"
#include "layout.h"
#include "registry.h"
#include "work.h"

/* ---- the model -------------------------------------------------------------- */

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

/* ---- layout ----------------------------------------------------------------- */

/*
 * The drawing is a tree on a spine, so that no line ever crosses a label:
 * the researcher at the top centre; below, works in a column on the left
 * (labels to their left) and people on the right (labels to their right);
 * below those, topics on the left and institutions on the right. Lines
 * run in the channel between the two columns: the trunk from the
 * researcher, S-curves from co-authors to shared works, arcs from works to
 * topics and from people to institutions. Rows are evenly spaced, so
 * labels never overlap either.
 */
#define G_WIDTH    1000
#define G_CX       560     /* the trunk: long titles get the wider side */
#define G_LEFT     480     /* works and topics */
#define G_RIGHT    640     /* people and institutions */
#define G_ROOT_Y   104     /* the researcher's node */
#define G_HEAD_Y   156     /* column headings */
#define G_ROW0     188     /* first row */
#define G_ROW      26      /* row spacing */
#define G_NODE_R   7       /* half a node's size */
#define G_LABEL_CP_LEFT  58   /* code points of a label in the drawing */
#define G_LABEL_CP_RIGHT 40

/* Appends a copy of s cut to at most max code points at a word break, with "…". */
static void
short_label(struct graph *g, struct graph_node *n)
{
	const unsigned char *p = (const unsigned char *)n->label.p;
	size_t i = 0, cps = 0, cut = 0, last_space = 0;
	size_t max = n->label_end ? G_LABEL_CP_LEFT : G_LABEL_CP_RIGHT;

	while (i < n->label.n && cps < max) {
		if (p[i] == ' ')
			last_space = i;
		i++;
		while (i < n->label.n && (p[i] & 0xC0) == 0x80)
			i++;
		cps++;
	}
	n->short_off = g->strings.len;
	if (i >= n->label.n) {
		n->short_len = 0;   /* fits: the drawing uses the label */
		return;
	}
	cut = last_space > i / 2 ? last_space : i;
	while (cut > 0 && (p[cut - 1] == ' ' || p[cut - 1] == ',' ||
	    p[cut - 1] == ':' || p[cut - 1] == '-'))
		cut--;
	buf_put(&g->strings, n->label.p, cut);
	buf_puts(&g->strings, "…");
	n->short_len = g->strings.len - n->short_off;
}

static void
curve(struct graph_edge *e, unsigned x1, unsigned y1, unsigned c1x,
    unsigned c1y, unsigned c2x, unsigned c2y, unsigned x2, unsigned y2)
{
	e->d[0] = x1; e->d[1] = y1; e->d[2] = c1x; e->d[3] = c1y;
	e->d[4] = c2x; e->d[5] = c2y; e->d[6] = x2; e->d[7] = y2;
}

/* How far an arc between two nodes of one column bulges into the channel. */
static unsigned
bulge(unsigned y1, unsigned y2)
{
	unsigned dy = y1 > y2 ? y1 - y2 : y2 - y1;
	unsigned b = 12 + dy / 6;

	return b > 66 ? 66 : b;
}

/*
 * Puts count nodes from index first one row apart from y down: in the left
 * column, labels before the node, or in the right one, labels after it.
 */
static void
place_column(struct graph *g, size_t first, size_t count, int right,
    unsigned y)
{
	size_t i;

	for (i = 0; i < count; i++) {
		struct graph_node *n = &g->nodes[first + i];

		n->x = right ? G_RIGHT : G_LEFT;
		n->y = y + (unsigned)i * G_ROW;
		n->lx = right ? G_RIGHT + G_NODE_R + 8 : G_LEFT - G_NODE_R - 8;
		n->label_end = !right;
	}
}

static void
graph_layout(struct graph *g)
{
	size_t i, rows, rows2, people, first_people;
	unsigned y;

	g->width = G_WIDTH;
	g->nodes[0].x = G_CX;
	g->nodes[0].y = G_ROOT_Y;
	g->nodes[0].lx = G_CX;

	people = g->count[GK_CLOSE] + g->count[GK_COAUTHOR];
	first_people = g->count[GK_CLOSE] ? g->first[GK_CLOSE] : g->first[GK_COAUTHOR];
	rows = g->count[GK_WORK] > people ? g->count[GK_WORK] : people;
	place_column(g, g->first[GK_WORK], g->count[GK_WORK], 0, G_ROW0);
	place_column(g, first_people, people, 1, G_ROW0);
	y = G_ROW0 + (unsigned)(rows ? rows : 1) * G_ROW;
	rows2 = g->count[GK_TOPIC] > g->count[GK_INSTITUTION] ?
	    g->count[GK_TOPIC] : g->count[GK_INSTITUTION];
	g->lower_y = 0;
	if (rows2) {
		g->lower_y = y + 20;   /* the lower headings */
		y = g->lower_y + (G_ROW0 - G_HEAD_Y);
		place_column(g, g->first[GK_TOPIC], g->count[GK_TOPIC], 0, y);
		place_column(g, g->first[GK_INSTITUTION],
		    g->count[GK_INSTITUTION], 1, y);
		y += (unsigned)rows2 * G_ROW;
	}
	g->height = y + 8;

	for (i = 0; i < g->nnodes; i++)
		if (g->nodes[i].kind == GK_WORK || g->nodes[i].kind == GK_TOPIC ||
		    g->nodes[i].kind == GK_INSTITUTION ||
		    g->nodes[i].kind == GK_CLOSE || g->nodes[i].kind == GK_COAUTHOR)
			short_label(g, &g->nodes[i]);

	for (i = 0; i < g->nedges; i++) {
		struct graph_edge *e = &g->edges[i];
		const struct graph_node *a = &g->nodes[e->a], *b = &g->nodes[e->b];
		unsigned top = G_ROOT_Y + 12;

		if (e->a == 0 && b->x == G_LEFT)          /* trunk to the left */
			curve(e, G_CX, top, G_CX, b->y, G_CX - 30, b->y,
			    G_LEFT + G_NODE_R, b->y);
		else if (e->a == 0)                       /* trunk to the right */
			curve(e, G_CX, top, G_CX, b->y, G_CX + 30, b->y,
			    G_RIGHT - G_NODE_R, b->y);
		else if (a->x != b->x) {                  /* person <-> work */
			unsigned l = a->x < b->x ? a->y : b->y;
			unsigned r = a->x < b->x ? b->y : a->y;

			curve(e, G_LEFT + G_NODE_R, l, G_CX, l, G_CX, r,
			    G_RIGHT - G_NODE_R, r);
		} else if (a->x == G_LEFT)                /* work -> topic */
			curve(e, G_LEFT + G_NODE_R, a->y,
			    G_LEFT + G_NODE_R + bulge(a->y, b->y), a->y,
			    G_LEFT + G_NODE_R + bulge(a->y, b->y), b->y,
			    G_LEFT + G_NODE_R, b->y);
		else                                      /* person -> institution */
			curve(e, G_RIGHT - G_NODE_R, a->y,
			    G_RIGHT - G_NODE_R - bulge(a->y, b->y), a->y,
			    G_RIGHT - G_NODE_R - bulge(a->y, b->y), b->y,
			    G_RIGHT - G_NODE_R, b->y);
	}
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

/* ---- graph.json --------------------------------------------------------------- */

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

/* ---- the page: graph.html ------------------------------------------------------- */

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
