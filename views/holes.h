/* holes.h: who is looking, and the holes of a page filled for them from holes.html. */
#ifndef BZPEER_HOLES_H
#define BZPEER_HOLES_H

#include <stdint.h>

#include "../store/buf.h"
#include "page.h"

/* Who is looking, and the per-request figures that go into the holes. */
struct viewer {
	struct sv user;        /* signed-in user name, empty when signed out */
	struct sv csrf;        /* CSRF token for forms (masked: new on every
	                        * response), empty when signed out */
	struct sv session;     /* the session's id, empty when signed out */
	struct sv flash;       /* message to show once, or empty */
	uint64_t  followers;   /* current follower count of the profile */
	int       following;   /* the viewer follows this researcher */
	int       claim;       /* enum store_claim of the profile */
	int       own_claim;   /* the pending/approved claim is this viewer's */
	int       disputed;    /* the pending claim is disputed already */
	int       own_dispute; /* ... by this viewer's claim */
	/* Unclaimed, and this viewer's latest claim of it was rejected: when,
	 * and the reviewer's note (views into the request's read snapshot). */
	int       own_rejected;
	struct sv rejected_on, rejected_note;
	char      rejected_day[16];   /* rejected_on's bytes: YYYY-MM-DD */
	/*
	 * A refused claim form comes back with what was typed and, at each
	 * field, what is wrong with it (empty when nothing), all listed in
	 * the error summary, which gets the focus.
	 */
	int       claim_errors;   /* any of the four below */
	struct sv claim_orcid_error, claim_email_error, claim_url_error,
	          claim_note_error;
	struct sv claim_orcid, claim_email, claim_url, claim_note;
	/*
	 * Direct collaboration (a profile open to invitations): this viewer's
	 * invitation to it waiting for an answer, and when it was sent; a
	 * refused invitation form, as the claim form above.
	 */
	int       invite_pending;
	struct sv invite_sent_on;
	char      invite_day[16];     /* invite_sent_on's bytes */
	int       invite_errors;
	struct sv invite_subject_error, invite_message_error;
	struct sv invite_subject, invite_message;
};

/*
 * Appends the page to out with each hole filled for viewer v: the body is
 * written as it is (it was escaped when rendered), everything from v and
 * pg->slug is escaped. The fragments come from views/holes.html; when the
 * templates are not loaded the holes are left empty.
 */
void page_fill(const struct page *pg, const struct viewer *v, struct buf *out);

#endif
