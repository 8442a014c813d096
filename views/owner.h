/* owner.h: the page where the owner of a claimed profile edits it (/researchers/{slug}/edit). */
#ifndef BZPEER_VIEW_OWNER_H
#define BZPEER_VIEW_OWNER_H

#include "../store/store.h"
#include "page.h"

/* Largest work id or address the removal form takes, and a duplicate's. */
#define OWNER_WORK_INPUT_MAX 100
#define OWNER_DUPLICATE_MAX 300

/*
 * What the page shows besides the store: the forms' CSRF token and, on a
 * refused post, what was typed and what is wrong with each field (empty
 * when nothing). Strings are the caller's, alive for the render.
 */
struct owner_form {
	struct sv csrf;
	int       s_errors;          /* the settings form was refused */
	struct sv bio, homepage;     /* as typed (s_errors) */
	int       open;
	struct sv e_bio, e_open, e_homepage;
	int       m_errors;          /* the merge form was refused */
	struct sv duplicate, mnote;  /* as typed (m_errors) */
	struct sv e_duplicate, e_mnote;
};

/*
 * The page of researcher r for its owner: the settings form (the stored
 * values, or what was typed), the works listed with a "Not mine" form
 * each (the newest OWNER_WORKS_MAX), the works removed with a "Put back"
 * form each, the merge form and the owner's merge requests for r, inside
 * the layout, into pg with status. Rendered for one user: never cached.
 */
#define OWNER_WORKS_MAX 200
int view_owner(struct store_rtxn *t, const struct store_researcher *r,
    const struct owner_form *f, int status, struct page *pg);

#endif
