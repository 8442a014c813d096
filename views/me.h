/* me.h: a signed-in user's own page (/me): the claims they filed, with their outcome, and their invitations. */
#ifndef BZPEER_VIEW_ME_H
#define BZPEER_VIEW_ME_H

#include "../store/store.h"
#include "page.h"

/*
 * The page of a->user (signed in): their claims, newest first, each with
 * its researcher, state, evidence and the reviewer's note; the
 * invitations sent to the profiles they own, with the forms to answer
 * them, and those they sent, each with its state and, once accepted, the
 * other side's contact; page a->page of the researchers they follow (20
 * a page), each with its newest works (3); their private feed: whether
 * they have one, and its address when it was just made (a->feed_url,
 * else empty); forms with a->csrf (the session's token). Inside the
 * layout, into pg (status 200). Rendered for this one user: never cached.
 */
struct me_args {
	struct sv user, csrf;
	struct sv feed_url;      /* a feed address made just now, or empty */
	size_t    page;          /* of the researchers followed, from 1 */
};
int view_me(struct store_rtxn *t, const struct me_args *a, struct page *pg);

#endif
