/* owner.c: the owner of a claimed profile edits it (owner.html): settings, works that are not theirs, a duplicate to merge. */
#include "owner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "registry.h"

enum {
	O_NAME, O_SLUG, O_CSRF,
	O_S_ERRORS, O_BIO, O_OPEN, O_HOMEPAGE, O_E_BIO, O_E_OPEN, O_E_HOMEPAGE,
	O_BIO_MAX, O_HOMEPAGE_MAX,
	O_N_HIDDEN, O_HIDDEN_ITEMS, O_N_WORKS, O_WORKS_MORE, O_WORKS_TOTAL,
	O_WORK_ITEMS, O_W_TITLE, O_W_ID, O_W_YEAR, O_W_AT, O_WORK_MAX,
	O_M_ERRORS, O_DUPLICATE, O_MNOTE, O_E_DUPLICATE, O_E_MNOTE,
	O_DUPLICATE_MAX, O_NOTE_MAX,
	O_N_MERGES, O_MERGE_ITEMS, O_Q_FROM, O_Q_PENDING, O_Q_APPROVED,
	O_Q_REJECTED, O_Q_FILED, O_Q_NOTE,
	O__COUNT
};

static const struct tmpl_slot owner_slots[O__COUNT] = {
	[O_NAME] = { "name", TMPL_VAR, 0 },
	[O_SLUG] = { "slug", TMPL_VAR, 0 },
	[O_CSRF] = { "csrf", TMPL_VAR, 0 },
	[O_S_ERRORS] = { "s_errors", TMPL_VAR, 0 },
	[O_BIO] = { "bio", TMPL_VAR, 0 },
	[O_OPEN] = { "open", TMPL_VAR, 0 },
	[O_HOMEPAGE] = { "homepage", TMPL_VAR, 0 },
	[O_E_BIO] = { "e_bio", TMPL_VAR, 0 },
	[O_E_OPEN] = { "e_open", TMPL_VAR, 0 },
	[O_E_HOMEPAGE] = { "e_homepage", TMPL_VAR, 0 },
	[O_BIO_MAX] = { "bio_max", TMPL_VAR, 0 },
	[O_HOMEPAGE_MAX] = { "homepage_max", TMPL_VAR, 0 },
	[O_N_HIDDEN] = { "n_hidden", TMPL_VAR, 0 },
	[O_HIDDEN_ITEMS] = { "hidden_items", TMPL_SECTION, 0 },
	[O_N_WORKS] = { "n_works", TMPL_VAR, 0 },
	[O_WORKS_MORE] = { "works_more", TMPL_VAR, 0 },
	[O_WORKS_TOTAL] = { "works_total", TMPL_VAR, 0 },
	[O_WORK_ITEMS] = { "work_items", TMPL_SECTION, 0 },
	[O_W_TITLE] = { "w_title", TMPL_VAR, 0 },
	[O_W_ID] = { "w_id", TMPL_VAR, 0 },
	[O_W_YEAR] = { "w_year", TMPL_VAR, 0 },
	[O_W_AT] = { "w_at", TMPL_VAR, 0 },
	[O_WORK_MAX] = { "work_max", TMPL_VAR, 0 },
	[O_M_ERRORS] = { "m_errors", TMPL_VAR, 0 },
	[O_DUPLICATE] = { "duplicate", TMPL_VAR, 0 },
	[O_MNOTE] = { "mnote", TMPL_VAR, 0 },
	[O_E_DUPLICATE] = { "e_duplicate", TMPL_VAR, 0 },
	[O_E_MNOTE] = { "e_mnote", TMPL_VAR, 0 },
	[O_DUPLICATE_MAX] = { "duplicate_max", TMPL_VAR, 0 },
	[O_NOTE_MAX] = { "note_max", TMPL_VAR, 0 },
	[O_N_MERGES] = { "n_merges", TMPL_VAR, 0 },
	[O_MERGE_ITEMS] = { "merge_items", TMPL_SECTION, 0 },
	[O_Q_FROM] = { "q_from", TMPL_VAR, 0 },
	[O_Q_PENDING] = { "q_pending", TMPL_VAR, 0 },
	[O_Q_APPROVED] = { "q_approved", TMPL_VAR, 0 },
	[O_Q_REJECTED] = { "q_rejected", TMPL_VAR, 0 },
	[O_Q_FILED] = { "q_filed", TMPL_VAR, 0 },
	[O_Q_NOTE] = { "q_note", TMPL_VAR, 0 },
};

const struct tmpl_def owner_def = { "owner.html", owner_slots, O__COUNT, 0 };

/* State of one render; strings live in the caller's read transaction. */
struct octx {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	const struct owner_form       *f;
	struct store_owner_settings    set;
	size_t                         n_hidden, n_works, n_merges;
	const struct store_work       *w;        /* the current work */
	struct sv                      w_id;     /* its id */
	uint64_t                       w_at;     /* removed when */
	const struct store_merge_req  *q;        /* the current request */
	struct store_researcher        qr;       /* its duplicate, if known */
	int                            qr_known;
	struct tmpl_sec               *sec;
	char                           date[16];
	int                            err;      /* a store error in a walk */
};

static struct sv
day(struct octx *o, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return (struct sv){ "", 0 };
	n = strftime(o->date, sizeof(o->date), "%Y-%m-%d", &tm);
	return (struct sv){ o->date, n };
}

static int
owner_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct octx *o = ctx;
	const struct owner_form *f = o->f;

	switch (slot) {
	case O_NAME:      return tmpl_str(out, o->r->name);
	case O_SLUG:      return tmpl_str(out, o->r->slug);
	case O_CSRF:      return tmpl_str(out, f->csrf);
	case O_S_ERRORS:  return tmpl_num(out, f->s_errors != 0);
	/* What was typed on a refused post, else what is stored. */
	case O_BIO:       return tmpl_str(out, f->s_errors ? f->bio : o->set.bio);
	case O_OPEN:
		return tmpl_num(out, f->s_errors ? f->open :
		    o->set.open_to_collaborate);
	case O_HOMEPAGE:
		return tmpl_str(out, f->s_errors ? f->homepage : o->set.homepage);
	case O_E_BIO:     return tmpl_str(out, f->e_bio);
	case O_E_OPEN:    return tmpl_str(out, f->e_open);
	case O_E_HOMEPAGE: return tmpl_str(out, f->e_homepage);
	/* The limits the server checks (posts_owner.c), in the same unit. */
	case O_BIO_MAX:   return tmpl_num(out, STORE_BIO_MAX);
	case O_HOMEPAGE_MAX: return tmpl_num(out, STORE_HOMEPAGE_MAX);
	case O_WORK_MAX:  return tmpl_num(out, OWNER_WORK_INPUT_MAX);
	case O_DUPLICATE_MAX: return tmpl_num(out, OWNER_DUPLICATE_MAX);
	case O_NOTE_MAX:  return tmpl_num(out, STORE_CLAIM_NOTE_MAX);
	case O_N_HIDDEN:  return tmpl_num(out, o->n_hidden);
	case O_N_WORKS:   return tmpl_num(out, o->n_works);
	case O_WORKS_MORE: return tmpl_num(out, o->r->works > o->n_works);
	case O_WORKS_TOTAL: return tmpl_num(out, o->r->works);
	case O_M_ERRORS:  return tmpl_num(out, f->m_errors != 0);
	case O_DUPLICATE: return tmpl_str(out, f->duplicate);
	case O_MNOTE:     return tmpl_str(out, f->mnote);
	case O_E_DUPLICATE: return tmpl_str(out, f->e_duplicate);
	case O_E_MNOTE:   return tmpl_str(out, f->e_mnote);
	case O_N_MERGES:  return tmpl_num(out, o->n_merges);
	}
	switch (slot) {
	case O_W_TITLE:
		return tmpl_str(out, o->w && o->w->title.n ? o->w->title :
		    SV_LIT("(untitled)"));
	case O_W_ID:   return tmpl_str(out, o->w_id);
	case O_W_YEAR:
		return tmpl_num(out, o->w && o->w->year > 0 ?
		    (uint64_t)o->w->year : 0);
	case O_W_AT:   return tmpl_str(out, day(o, o->w_at));
	}
	if (o->q == NULL)
		return EINVAL;
	switch (slot) {
	case O_Q_FROM:
		return tmpl_str(out, o->qr_known ? o->qr.name : o->q->from);
	case O_Q_PENDING:  return tmpl_num(out, o->q->state == STORE_CLAIM_STATE_PENDING);
	case O_Q_APPROVED: return tmpl_num(out, o->q->state == STORE_CLAIM_STATE_APPROVED);
	case O_Q_REJECTED: return tmpl_num(out, o->q->state == STORE_CLAIM_STATE_REJECTED);
	case O_Q_FILED:    return tmpl_str(out, day(o, o->q->filed_at));
	case O_Q_NOTE:     return tmpl_str(out, o->q->reviewer_note);
	}
	return EINVAL;
}

/* ---- the walks: each item rendered as it is read ---------------------------- */

static int
count_hidden(void *ctx, struct sv rid, struct sv wid, uint64_t at)
{
	((struct octx *)ctx)->n_hidden++;
	return 0;
}

static int
hidden_item(void *ctx, struct sv rid, struct sv wid, uint64_t at)
{
	struct octx *o = ctx;
	struct store_work w;
	int rc;

	rc = store_work_by_id(o->t, wid, &w);
	if (rc != 0 && rc != STORE_NOTFOUND)
		return rc;
	o->w = rc == 0 ? &w : NULL;
	o->w_id = wid;
	o->w_at = at;
	rc = tmpl_sec_render(o->sec);
	o->w = NULL;
	return rc;
}

static int
work_item(void *ctx, const struct store_work *w)
{
	struct octx *o = ctx;

	o->w = w;
	o->w_id = w->id;
	return tmpl_sec_render(o->sec);
}

static int
count_works(void *ctx, const struct store_work *w)
{
	((struct octx *)ctx)->n_works++;
	return 0;
}

static int
merge_item(void *ctx, const struct store_merge_req *q)
{
	struct octx *o = ctx;
	int rc;

	if (!sv_eq(q->into, o->r->id))
		return 0;
	if (o->sec == NULL) {
		o->n_merges++;
		return 0;
	}
	o->q = q;
	/* The duplicate's name while it has a record of its own. */
	o->qr_known = store_researcher_by_id(o->t, q->from, &o->qr) == 0 &&
	    sv_eq(o->qr.id, q->from);
	rc = tmpl_sec_render(o->sec);
	o->q = NULL;
	return rc;
}

static int
owner_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct octx *o = ctx;
	int rc;

	o->sec = sec;
	switch (slot) {
	case O_HIDDEN_ITEMS:
		rc = store_hidden_each(o->t, o->r->id, hidden_item, o);
		break;
	case O_WORK_ITEMS:
		rc = store_researcher_works(o->t, o->r->id, 0, OWNER_WORKS_MAX,
		    work_item, o);
		break;
	case O_MERGE_ITEMS:
		rc = store_merge_requests_each(o->t, 0, merge_item, o);
		break;
	default:
		rc = EINVAL;
	}
	o->sec = NULL;
	return rc;
}

static const struct tmpl_ops owner_ops = { owner_var, owner_section };

int
view_owner(struct store_rtxn *t, const struct store_researcher *r,
    const struct owner_form *f, int status, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_OWNER);
	struct layout l;
	struct octx *o;
	int rc;

	if (content == NULL)
		return ENOENT;
	o = xcalloc(1, sizeof(*o));
	o->t = t;
	o->r = r;
	o->f = f;
	rc = store_owner_settings_get(t, r->id, &o->set);
	if (rc != 0 && rc != STORE_NOTFOUND)
		goto out;
	if ((rc = store_hidden_each(t, r->id, count_hidden, o)) != 0 ||
	    (rc = store_researcher_works(t, r->id, 0, OWNER_WORKS_MAX,
	    count_works, o)) != 0 ||
	    (rc = store_merge_requests_each(t, 0, merge_item, o)) != 0)
		goto out;
	memset(&l, 0, sizeof(l));
	l.title = SV_LIT("Edit your profile");
	l.kind = SV_LIT("owner");
	l.content = content;
	l.ops = &owner_ops;
	l.ctx = o;
	pg->status = status;
	buf_reset(&pg->slug);
	buf_put(&pg->slug, r->slug.p, r->slug.n);
	rc = layout_render(&l, pg);
out:
	free(o);
	return rc;
}
