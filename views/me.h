/* me.h: a signed-in user's own page (/me): the claims they filed, with their outcome. */
#ifndef BZPEER_VIEW_ME_H
#define BZPEER_VIEW_ME_H

#include "../store/store.h"
#include "page.h"

/*
 * The page of user (signed in): their claims, newest first, each with its
 * researcher, state, evidence and the reviewer's note, inside the layout,
 * into pg (status 200). Rendered for this one user: never cached.
 */
int view_me(struct store_rtxn *t, struct sv user, struct page *pg);

#endif
