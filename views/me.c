/* me.c: a signed-in user's own page (/me) from me.html: their claims and what became of them. */
#include "me.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "registry.h"

/* A user has one open claim at a time; older ones past this are summed up. */
#define ME_CLAIMS_MAX 50

enum {
	M_USER, M_N_CLAIMS, M_MORE, M_CLAIMS,
	M_C_NAME, M_C_SLUG, M_C_PENDING, M_C_APPROVED, M_C_REJECTED,
	M_C_VERIFIED, M_C_FILED, M_C_DECIDED, M_C_ORCID, M_C_EMAIL, M_C_URL,
	M_C_NOTE, M_C_REVIEWER_NOTE, M_C_ID,
	M__COUNT
};

static const struct tmpl_slot me_slots[M__COUNT] = {
	[M_USER] = { "user", TMPL_VAR, 0 },
	[M_N_CLAIMS] = { "n_claims", TMPL_VAR, 0 },
	[M_MORE] = { "more", TMPL_VAR, 0 },
	[M_CLAIMS] = { "claims", TMPL_SECTION, 0 },
	[M_C_NAME] = { "c_name", TMPL_VAR, 0 },
	[M_C_SLUG] = { "c_slug", TMPL_VAR, 0 },
	[M_C_PENDING] = { "c_pending", TMPL_VAR, 0 },
	[M_C_APPROVED] = { "c_approved", TMPL_VAR, 0 },
	[M_C_REJECTED] = { "c_rejected", TMPL_VAR, 0 },
	[M_C_VERIFIED] = { "c_verified", TMPL_VAR, 0 },
	[M_C_FILED] = { "c_filed", TMPL_VAR, 0 },
	[M_C_DECIDED] = { "c_decided", TMPL_VAR, 0 },
	[M_C_ORCID] = { "c_orcid", TMPL_VAR, 0 },
	[M_C_EMAIL] = { "c_email", TMPL_VAR, 0 },
	[M_C_URL] = { "c_url", TMPL_VAR, 0 },
	[M_C_NOTE] = { "c_note", TMPL_VAR, 0 },
	[M_C_REVIEWER_NOTE] = { "c_reviewer_note", TMPL_VAR, 0 },
	[M_C_ID] = { "c_id", TMPL_VAR, 0 },
};

const struct tmpl_def me_def = { "me.html", me_slots, M__COUNT, 0 };

struct mrow {
	struct store_claim      c;
	struct store_researcher r;     /* id only when the record is gone */
	int                     known; /* r was found */
};

/* State of one render; the strings live in the caller's read transaction. */
struct mctx {
	struct store_rtxn *t;
	struct sv          user;
	struct mrow        rows[ME_CLAIMS_MAX];
	size_t             n, more;
	const struct mrow *cur;
	char               date[16];
};

static int
claim_cb(void *ctx, const struct store_claim *c)
{
	struct mctx *m = ctx;
	struct mrow *row;
	int rc;

	if (m->n == ME_CLAIMS_MAX) {
		m->more++;
		return 0;
	}
	row = &m->rows[m->n];
	row->c = *c;
	rc = store_researcher_by_id(m->t, c->researcher_id, &row->r);
	if (rc != 0 && rc != STORE_NOTFOUND)
		return rc;
	row->known = rc == 0;
	m->n++;
	return 0;
}

/* YYYY-MM-DD of unix seconds t, UTC, into m->date. */
static struct sv
day(struct mctx *m, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return (struct sv){ "", 0 };
	n = strftime(m->date, sizeof(m->date), "%Y-%m-%d", &tm);
	return (struct sv){ m->date, n };
}

static int
me_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct mctx *m = ctx;
	const struct mrow *w = m->cur;

	switch (slot) {
	case M_USER:     return tmpl_str(out, m->user);
	case M_N_CLAIMS: return tmpl_num(out, m->n);
	case M_MORE:     return tmpl_num(out, m->more);
	}
	if (w == NULL)
		return EINVAL;
	switch (slot) {
	case M_C_NAME:
		return tmpl_str(out, w->known ? w->r.name : w->c.researcher_id);
	case M_C_SLUG:     return tmpl_str(out, w->known ? w->r.slug : SV_LIT(""));
	case M_C_PENDING:  return tmpl_num(out, w->c.state == STORE_CLAIM_STATE_PENDING);
	case M_C_APPROVED: return tmpl_num(out, w->c.state == STORE_CLAIM_STATE_APPROVED);
	case M_C_REJECTED: return tmpl_num(out, w->c.state == STORE_CLAIM_STATE_REJECTED);
	case M_C_VERIFIED:
		/* L3: the record says so (an ORCID match or a reviewed email). */
		return tmpl_num(out, w->c.state == STORE_CLAIM_STATE_APPROVED &&
		    w->known && w->r.orcid_verified);
	case M_C_FILED:    return tmpl_str(out, day(m, w->c.filed_at));
	case M_C_DECIDED:  return tmpl_str(out, day(m, w->c.decided_at));
	case M_C_ORCID:    return tmpl_str(out, w->c.orcid);
	case M_C_EMAIL:    return tmpl_str(out, w->c.email);
	case M_C_URL:      return tmpl_str(out, w->c.evidence_url);
	case M_C_NOTE:     return tmpl_str(out, w->c.note);
	case M_C_REVIEWER_NOTE: return tmpl_str(out, w->c.reviewer_note);
	case M_C_ID:       return tmpl_num(out, w->c.id);
	}
	return EINVAL;
}

static int
me_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct mctx *m = ctx;
	int rc = 0;

	if (slot != M_CLAIMS)
		return EINVAL;
	for (size_t i = 0; i < m->n && rc == 0; i++) {
		m->cur = &m->rows[i];
		rc = tmpl_sec_render(sec);
	}
	m->cur = NULL;
	return rc;
}

static const struct tmpl_ops me_ops = { me_var, me_section };

int
view_me(struct store_rtxn *t, struct sv user, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_ME);
	struct layout l;
	struct mctx *m;
	int rc;

	if (content == NULL)
		return ENOENT;
	m = xcalloc(1, sizeof(*m));   /* ~20 KiB: not on the stack */
	m->t = t;
	m->user = user;
	if ((rc = store_claims_of_user(t, user, claim_cb, m)) != 0)
		goto out;
	memset(&l, 0, sizeof(l));
	l.title = SV_LIT("Your claims");
	l.kind = SV_LIT("me");
	l.content = content;
	l.ops = &me_ops;
	l.ctx = m;
	pg->status = 200;
	buf_reset(&pg->slug);
	rc = layout_render(&l, pg);
out:
	free(m);
	return rc;
}
