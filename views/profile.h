/* profile.h: the researcher profile page (seed 000). */
#ifndef BZPEER_VIEW_PROFILE_H
#define BZPEER_VIEW_PROFILE_H

#include "../store/store.h"
#include "page.h"

/*
 * Renders the profile of r, inside the layout, into pg (status 200), with
 * holes for the viewer-specific parts. Reads works, co-authors and topics
 * inside the caller's read transaction t. Returns 0 or a store error.
 */
int view_profile(struct store_rtxn *t, const struct store_researcher *r,
    struct page *pg);

/*
 * The alternative names a page and the exports show: those of the record
 * that are not blank, not the display name and not one shown already, in
 * the record's order, at most PROFILE_ALTS_MAX; into out (pointing into
 * r). Returns how many.
 */
#define PROFILE_ALTS_MAX 10
size_t profile_alt_names(const struct store_researcher *r,
    struct sv out[PROFILE_ALTS_MAX]);

#endif
