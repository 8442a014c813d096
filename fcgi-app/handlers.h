/* handlers.h: the route handlers: request in, store read, view rendered, response out. */
#ifndef BZPEER_HANDLERS_H
#define BZPEER_HANDLERS_H

#include "request.h"

void handle_home(struct request *r);         /* GET / and /researchers?q= */
void handle_researcher(struct request *r);   /* GET /researchers/{slug or id} */
void handle_healthz(struct request *r);      /* GET /healthz */

/* Sign-in and the form posts (posts.c). */
void handle_login(struct request *r);        /* GET /login?next= */
void handle_logout(struct request *r);       /* POST /logout */
void handle_follow(struct request *r);       /* POST /researchers/{slug}/follow */
void handle_claim(struct request *r);        /* POST /researchers/{slug}/claim */

/* Shared by the handlers. */
#define FLASH_COOKIE "bzf"
void viewer_for(struct request *r, struct viewer *v);
void serve_profile(struct request *r, const struct store_researcher *res,
    struct viewer *v, int status);
void store_failure(struct request *r, int err);
int  query_parse(struct request *r, const struct field_decl *decl, size_t ndecl);
size_t query_page(const struct form *f, size_t field);
int  is_openalex_author_id(struct sv s);

#endif
