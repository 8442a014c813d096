/* handlers.h: the route handlers: request in, store read, view rendered, response out. */
#ifndef BZPEER_HANDLERS_H
#define BZPEER_HANDLERS_H

#include "request.h"

void handle_home(struct request *r);         /* GET / and /researchers?q= */
void handle_researcher(struct request *r);   /* GET /researchers/{slug or id} */
void handle_healthz(struct request *r);      /* GET /healthz */
void handle_metrics(struct request *r);      /* GET /metrics (metrics.h) */
void handle_me(struct request *r);           /* GET /me: your claims, follows, feed */
void handle_me_feed(struct request *r);      /* GET /me/feed/{token}.atom (handlers_feed.c) */

/* Sign-in and the form posts (posts.c). */
void handle_login(struct request *r);        /* GET /login?next= */
void handle_logout(struct request *r);       /* POST /logout */
void handle_follow(struct request *r);       /* POST /researchers/{slug}/follow */
void handle_claim(struct request *r);        /* POST /researchers/{slug}/claim */
void handle_invite(struct request *r);       /* POST /researchers/{slug}/invite */
void handle_invite_answer(struct request *r); /* POST /me/invitations */
void handle_feed(struct request *r);         /* POST /me/feed: make or end the feed's address */

/* The owner of a claimed profile (posts_owner.c). */
void handle_owner_edit(struct request *r);     /* GET .../edit */
void handle_owner_settings(struct request *r); /* POST .../settings */
void handle_owner_hide(struct request *r);     /* POST .../hide */
void handle_owner_merge(struct request *r);    /* POST .../merge */

/* The forms the routes declare (router.c), each beside its handler. */
extern const struct form_spec home_form, works_form, logout_form,
    follow_form, claim_form, owner_settings_form, owner_hide_form,
    owner_merge_form, invite_form, invite_answer_form, me_form, feed_form;

/* Shared by the handlers. */
#define FLASH_COOKIE "bzf"
/* A feed address just made, for the page after the post to show once
 * (Path=/me, a few minutes); checked against the store before shown. */
#define FEED_COOKIE "bzt"
#define FEED_COOKIE_TTL 300
void viewer_for(struct request *r, struct viewer *v);
void viewer_headers(struct request *r, const struct viewer *v);
void serve_profile(struct request *r, struct viewer *v, int status);
void store_failure(struct request *r, int err);
size_t query_page(const struct form *f, size_t field);

#endif
