/* graph.h: a researcher's neighbourhood as a graph (works, people, topics, institutions), its layout, its page and its JSON. */
#ifndef BZPEER_VIEW_GRAPH_H
#define BZPEER_VIEW_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"
#include "page.h"

/* Node kinds, in the order their nodes sit in graph.nodes. */
enum graph_kind {
	GK_RESEARCHER,    /* the researcher the graph is about: node 0 */
	GK_WORK,          /* one of the researcher's works, newest first */
	GK_CLOSE,         /* co-author sharing >= 2 works (close collaborator) */
	GK_COAUTHOR,      /* any other co-author */
	GK_TOPIC,         /* one of the researcher's topics, most works first */
	GK_INSTITUTION,   /* the researcher's or a shown co-author's institution */
	GK__COUNT
};

enum graph_edge_kind {
	GE_AUTHORED,      /* researcher or co-author -> work */
	GE_COLLABORATES,  /* researcher -> co-author; weight: shared works */
	GE_TOPIC,         /* work -> topic */
	GE_STUDIES,       /* researcher -> topic; weight: works on it */
	GE_AFFILIATED,    /* researcher or co-author -> institution */
	GE__COUNT
};

/* How much of the neighbourhood is shown (0: the defaults below). */
#define GRAPH_MAX_WORKS        40
#define GRAPH_MAX_PEOPLE       40
#define GRAPH_MAX_TOPICS       16
#define GRAPH_MAX_INSTITUTIONS 16

struct graph_limits {
	size_t works, people, topics, institutions;
};

/*
 * A node. Every sv points into the read transaction the graph was built
 * in, or into graph.strings (short labels): valid while both live.
 */
struct graph_node {
	uint8_t   kind;         /* enum graph_kind */
	struct sv id;           /* OpenAlex id ("A…", "W…", "T…"); empty for institutions */
	struct sv label;        /* name, title; full */
	struct sv slug;         /* people: profile slug */
	struct sv url;          /* works: DOI or landing page (http/https only), or empty */
	size_t    short_off, short_len;   /* label cut for the drawing, in strings */
	uint32_t  weight;       /* works: 1; people: shared works; topics: works; institutions: people */
	int       year;         /* works: publication year, 0 if unknown */
	int       inst;         /* people: index of their institution node, -1 if none */
	/* layout, in SVG user units (all >= 0) */
	unsigned  x, y, lx;     /* node centre; label anchor */
	uint8_t   label_end;    /* 1: label to the left of the node (text-anchor end) */
};

struct graph_edge {
	uint32_t  a, b;         /* node indices: from, to */
	uint8_t   kind;         /* enum graph_edge_kind */
	uint32_t  weight;
	unsigned  d[8];         /* layout: cubic Bezier x1 y1 c1x c1y c2x c2y x2 y2 */
};

struct graph {
	struct graph_node *nodes;
	size_t             nnodes, cap_nodes;
	struct graph_edge *edges;
	size_t             nedges, cap_edges;
	size_t             first[GK__COUNT], count[GK__COUNT];  /* node ranges by kind */
	uint64_t           total_works, total_people, total_topics;  /* in the catalog */
	struct buf         strings;
	unsigned           width, height;   /* of the drawing */
	unsigned           lower_y;         /* where topics and institutions start (0: none) */
};

/*
 * Builds r's neighbourhood from the store (t must stay open while g is
 * used) and lays it out. Deterministic: the same store gives the same
 * graph, byte for byte. Returns 0 or a store error; g is then the caller's
 * to release with graph_free() either way.
 */
int  graph_build(struct store_rtxn *t, const struct store_researcher *r,
    const struct graph_limits *lim, struct graph *g);
void graph_free(struct graph *g);

/* Node i's id as graph.json gives it: its OpenAlex id, or for an
 * institution "institution:" and a slug of its name. Appended to out. */
void graph_node_id(const struct graph *g, size_t i, struct buf *out);

/* Names of kinds as graph.json gives them ("work", "close_collaborator", ...). */
const char *graph_kind_name(enum graph_kind k);
const char *graph_edge_kind_name(enum graph_edge_kind k);

/* Appends g as graph.json (nodes and edges, every string through json_str). */
void graph_json(const struct graph *g, const struct store_researcher *r,
    struct buf *out);

/*
 * The explorer page: g drawn as inline SVG with a legend, and the same
 * content as lists, in the layout, into pg (status 200). Returns 0,
 * ENOENT when the templates are not loaded, or a store error.
 */
int  view_graph(struct store_rtxn *t, const struct store_researcher *r,
    struct page *pg);

#endif
