/* me.h: a signed-in user's own page (/me): the claims they filed, with their outcome, and their invitations. */
#ifndef BZPEER_VIEW_ME_H
#define BZPEER_VIEW_ME_H

#include "../store/store.h"
#include "page.h"

/*
 * The page of user (signed in): their claims, newest first, each with its
 * researcher, state, evidence and the reviewer's note; the invitations sent
 * to the profiles they own, with the forms to answer them (csrf: the
 * session's token), and those they sent, each with its state and, once
 * accepted, the other side's contact; inside the layout, into pg (status
 * 200). Rendered for this one user: never cached.
 */
int view_me(struct store_rtxn *t, struct sv user, struct sv csrf,
    struct page *pg);

#endif
