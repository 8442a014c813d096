/* me.c: a signed-in user's own page (/me) from me.html: their claims and what became of them, the invitations they received and sent. */
#include "me.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "registry.h"

/* A user has one open claim at a time; older ones past this are summed up. */
#define ME_CLAIMS_MAX 50
/* Invitations listed each way, newest first; older ones are summed up. */
#define ME_INVITES_MAX 50

enum {
	M_USER, M_N_CLAIMS, M_MORE, M_CLAIMS,
	M_C_NAME, M_C_SLUG, M_C_PENDING, M_C_APPROVED, M_C_REJECTED,
	M_C_VERIFIED, M_C_FILED, M_C_DECIDED, M_C_ORCID, M_C_EMAIL, M_C_URL,
	M_C_NOTE, M_C_REVIEWER_NOTE, M_C_ID,
	M_CSRF, M_OWNER, M_N_RECEIVED, M_MORE_RECEIVED, M_RECEIVED, M_N_SENT,
	M_MORE_SENT, M_SENT, M_V_ID, M_V_SUBJECT, M_V_MESSAGE, M_V_OPEN,
	M_V_ACCEPTED, M_V_DECLINED, M_V_BLOCKED, M_V_NAME, M_V_SLUG,
	M_V_SENT, M_V_DECIDED, M_V_SENDER_CONTACT, M_V_OWNER_CONTACT,
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
	[M_CSRF] = { "csrf", TMPL_VAR, 0 },
	[M_OWNER] = { "owner", TMPL_VAR, 0 },
	[M_N_RECEIVED] = { "n_received", TMPL_VAR, 0 },
	[M_MORE_RECEIVED] = { "more_received", TMPL_VAR, 0 },
	[M_RECEIVED] = { "received", TMPL_SECTION, 0 },
	[M_N_SENT] = { "n_sent", TMPL_VAR, 0 },
	[M_MORE_SENT] = { "more_sent", TMPL_VAR, 0 },
	[M_SENT] = { "sent", TMPL_SECTION, 0 },
	[M_V_ID] = { "v_id", TMPL_VAR, 0 },
	[M_V_SUBJECT] = { "v_subject", TMPL_VAR, 0 },
	[M_V_MESSAGE] = { "v_message", TMPL_VAR, 0 },
	[M_V_OPEN] = { "v_open", TMPL_VAR, 0 },
	[M_V_ACCEPTED] = { "v_accepted", TMPL_VAR, 0 },
	[M_V_DECLINED] = { "v_declined", TMPL_VAR, 0 },
	[M_V_BLOCKED] = { "v_blocked", TMPL_VAR, 0 },
	[M_V_NAME] = { "v_name", TMPL_VAR, 0 },
	[M_V_SLUG] = { "v_slug", TMPL_VAR, 0 },
	[M_V_SENT] = { "v_sent", TMPL_VAR, 0 },
	[M_V_DECIDED] = { "v_decided", TMPL_VAR, 0 },
	[M_V_SENDER_CONTACT] = { "v_sender_contact", TMPL_VAR, 0 },
	[M_V_OWNER_CONTACT] = { "v_owner_contact", TMPL_VAR, 0 },
};

const struct tmpl_def me_def = { "me.html", me_slots, M__COUNT, 0 };

struct mrow {
	struct store_claim      c;
	struct store_researcher r;     /* id only when the record is gone */
	int                     known; /* r was found */
};

/* An invitation, with its profile (id only when the record is gone). */
struct vrow {
	struct store_invite     c;
	struct store_researcher r;
	int                     known;
	int                     blocked;   /* received: its sender is blocked */
};

/* State of one render; the strings live in the caller's read transaction. */
struct mctx {
	struct store_rtxn *t;
	struct sv          user, csrf;
	struct mrow        rows[ME_CLAIMS_MAX];
	size_t             n, more;
	const struct mrow *cur;
	char               date[16];
	struct vrow        received[ME_INVITES_MAX], sent[ME_INVITES_MAX];
	size_t             n_received, more_received, n_sent, more_sent;
	int                owner;     /* an approved claim of theirs */
	const struct mrow *own;       /* the one whose invitations are read */
	const struct vrow *vcur;
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

/* An invitation to the profile m->own, kept when it was sent to this user. */
static int
received_cb(void *ctx, const struct store_invite *c)
{
	struct mctx *m = ctx;
	struct vrow *row;

	if (!sv_eq(c->owner, m->user))
		return 0;        /* sent to an owner before them */
	if (m->n_received == ME_INVITES_MAX) {
		m->more_received++;
		return 0;
	}
	row = &m->received[m->n_received++];
	row->c = *c;
	row->r = m->own->r;
	row->known = m->own->known;
	return store_invite_blocked(m->t, c->researcher_id, c->sender,
	    &row->blocked);
}

static int
sent_cb(void *ctx, const struct store_invite *c)
{
	struct mctx *m = ctx;
	struct vrow *row;
	int rc;

	if (m->n_sent == ME_INVITES_MAX) {
		m->more_sent++;
		return 0;
	}
	row = &m->sent[m->n_sent];
	row->c = *c;
	rc = store_researcher_by_id(m->t, c->researcher_id, &row->r);
	if (rc != 0 && rc != STORE_NOTFOUND)
		return rc;
	row->known = rc == 0;
	m->n_sent++;
	return 0;
}

/*
 * The invitations this user received (at each profile they own, those
 * sent to them) and sent, newest first each way (received: profile by
 * profile, as a user rarely owns more than one).
 */
static int
read_invites(struct mctx *m)
{
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		if (m->rows[i].c.state != STORE_CLAIM_STATE_APPROVED)
			continue;
		m->owner = 1;
		m->own = &m->rows[i];
		if ((rc = store_invites_to(m->t, m->rows[i].c.researcher_id,
		    received_cb, m)) != 0)
			return rc;
	}
	return store_invites_from(m->t, m->user, sent_cb, m);
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
	case M_CSRF:     return tmpl_str(out, m->csrf);
	case M_OWNER:    return tmpl_num(out, m->owner);
	case M_N_RECEIVED:    return tmpl_num(out, m->n_received);
	case M_MORE_RECEIVED: return tmpl_num(out, m->more_received);
	case M_N_SENT:        return tmpl_num(out, m->n_sent);
	case M_MORE_SENT:     return tmpl_num(out, m->more_sent);
	}
	if (slot >= M_V_ID) {
		const struct vrow *x = m->vcur;

		if (x == NULL)
			return EINVAL;
		switch (slot) {
		case M_V_ID:       return tmpl_num(out, x->c.id);
		case M_V_SUBJECT:  return tmpl_str(out, x->c.subject);
		case M_V_MESSAGE:  return tmpl_str(out, x->c.message);
		case M_V_OPEN:     return tmpl_num(out, x->c.state == STORE_INVITE_OPEN);
		case M_V_ACCEPTED: return tmpl_num(out, x->c.state == STORE_INVITE_ACCEPTED);
		case M_V_DECLINED: return tmpl_num(out, x->c.state == STORE_INVITE_DECLINED);
		case M_V_BLOCKED:  return tmpl_num(out, x->blocked);
		case M_V_NAME:
			return tmpl_str(out, x->known ? x->r.name : x->c.researcher_id);
		case M_V_SLUG:     return tmpl_str(out, x->known ? x->r.slug : SV_LIT(""));
		case M_V_SENT:     return tmpl_str(out, day(m, x->c.sent_at));
		case M_V_DECIDED:  return tmpl_str(out, day(m, x->c.decided_at));
		/* Contacts only once accepted (the store writes them then). */
		case M_V_SENDER_CONTACT:
			return tmpl_str(out, x->c.state == STORE_INVITE_ACCEPTED ?
			    x->c.sender_contact : SV_LIT(""));
		case M_V_OWNER_CONTACT:
			return tmpl_str(out, x->c.state == STORE_INVITE_ACCEPTED ?
			    x->c.owner_contact : SV_LIT(""));
		}
		return EINVAL;
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

	if (slot == M_RECEIVED || slot == M_SENT) {
		const struct vrow *rows = slot == M_SENT ? m->sent : m->received;
		size_t n = slot == M_SENT ? m->n_sent : m->n_received;

		for (size_t i = 0; i < n && rc == 0; i++) {
			m->vcur = &rows[i];
			rc = tmpl_sec_render(sec);
		}
		m->vcur = NULL;
		return rc;
	}
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
view_me(struct store_rtxn *t, struct sv user, struct sv csrf, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_ME);
	struct layout l;
	struct mctx *m;
	int rc;

	if (content == NULL)
		return ENOENT;
	m = xcalloc(1, sizeof(*m));   /* ~60 KiB: not on the stack */
	m->t = t;
	m->user = user;
	m->csrf = csrf;
	if ((rc = store_claims_of_user(t, user, claim_cb, m)) != 0 ||
	    (rc = read_invites(m)) != 0)
		goto out;
	memset(&l, 0, sizeof(l));
	l.title = SV_LIT("Your claims and invitations");
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
