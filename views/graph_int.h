/* graph_int.h: what the graph's files share (its geometry, the layout step), for views/graph*.c only. */
#ifndef BZPEER_VIEW_GRAPH_INT_H
#define BZPEER_VIEW_GRAPH_INT_H

#include "graph.h"

/*
 * The drawing's geometry, in SVG user units: graph_layout.c places the
 * nodes and lines by it (and says why it is so), graph_page.c the column
 * headings.
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

/* Lays out g, built: node and label positions, edge curves, the size. */
void graph_layout(struct graph *g);

#endif
