/* graph_layout.c: where the research graph's nodes, labels and lines go in the drawing (graph_layout). */
#include "graph_int.h"

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

void
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
