/* handlers.h: the route handlers: request in, store read, view rendered, response out. */
#ifndef BZPEER_HANDLERS_H
#define BZPEER_HANDLERS_H

#include "request.h"

void handle_home(struct request *r);         /* GET / and /researchers?q= */
void handle_researcher(struct request *r);   /* GET /researchers/{slug or id} */
void handle_healthz(struct request *r);      /* GET /healthz */

#endif
