/* handlers_pages.h: the explorer, the paged works list and the machine-readable exports of a researcher. */
#ifndef BZPEER_HANDLERS_PAGES_H
#define BZPEER_HANDLERS_PAGES_H

#include "request.h"

void handle_researcher_json(struct request *r); /* GET /researchers/{slug}.json */
void handle_graph(struct request *r);           /* GET /researchers/{slug}/graph */
void handle_graph_json(struct request *r);      /* GET /researchers/{slug}/graph.json */
void handle_works(struct request *r);           /* GET /researchers/{slug}/works?page=&sort= */
void handle_works_atom(struct request *r);      /* GET /researchers/{slug}/works.atom */
void handle_works_bib(struct request *r);       /* GET /researchers/{slug}/works.bib */
void handle_works_ris(struct request *r);       /* GET /researchers/{slug}/works.ris */
void handle_works_csl(struct request *r);       /* GET /researchers/{slug}/works.csl.json */

#endif
