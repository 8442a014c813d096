/* me.c: a signed-in user's own page (/me) from me.html: their claims and what became of them, the invitations they received and sent, the researchers they follow with their newest works, their private feed. */
#include "me.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "registry.h"
#include "work.h"

/* A user has one open claim at a time; older ones past this are summed up. */
#define ME_CLAIMS_MAX 50
/* Invitations listed each way, newest first; older ones are summed up. */
#define ME_INVITES_MAX 50
/* Researchers a page of /me lists, and works shown for each. */
#define ME_FOLLOWS_PAGE 20
#define ME_FOLLOW_WORKS 3

enum {
	M_USER, M_N_CLAIMS, M_MORE, M_CLAIMS,
	M_C_NAME, M_C_SLUG, M_C_PENDING, M_C_APPROVED, M_C_REJECTED,
	M_C_VERIFIED, M_C_FILED, M_C_DECIDED, M_C_ORCID, M_C_EMAIL, M_C_URL,
	M_C_NOTE, M_C_REVIEWER_NOTE, M_C_ID,
	M_CSRF, M_N_FOLLOWS, M_FOLLOWS, M_F_NAME, M_F_SLUG, M_F_WORKS,
	M_F_FOLLOWERS, M_F_INST, M_F_N_WORKS, M_F_WORK_LIST, M_W_TITLE, M_W_URL,
	M_W_DATE, M_W_VENUE, M_PAGE, M_PAGES, M_PREV, M_NEXT, M_FIRST, M_LAST,
	M_FEED_ON, M_FEED_MADE, M_FEED_NEW, M_FEED_URL, M_F_ONE, M_ONE_FOLLOW,
	M_OWNER, M_N_RECEIVED, M_MORE_RECEIVED, M_RECEIVED, M_N_SENT,
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
	[M_N_FOLLOWS] = { "n_follows", TMPL_VAR, 0 },
	[M_FOLLOWS] = { "follows", TMPL_SECTION, 0 },
	[M_F_NAME] = { "f_name", TMPL_VAR, 0 },
	[M_F_SLUG] = { "f_slug", TMPL_VAR, 0 },
	[M_F_WORKS] = { "f_works", TMPL_VAR, 0 },
	[M_F_FOLLOWERS] = { "f_followers", TMPL_VAR, 0 },
	[M_F_INST] = { "f_inst", TMPL_VAR, 0 },
	[M_F_N_WORKS] = { "f_n_works", TMPL_VAR, 0 },
	[M_F_WORK_LIST] = { "f_work_list", TMPL_SECTION, 0 },
	[M_W_TITLE] = { "w_title", TMPL_VAR, 0 },
	[M_W_URL] = { "w_url", TMPL_VAR, 0 },
	[M_W_DATE] = { "w_date", TMPL_VAR, 0 },
	[M_W_VENUE] = { "w_venue", TMPL_VAR, 0 },
	[M_PAGE] = { "page", TMPL_VAR, 0 },
	[M_PAGES] = { "pages", TMPL_VAR, 0 },
	[M_PREV] = { "prev", TMPL_VAR, 0 },
	[M_NEXT] = { "next", TMPL_VAR, 0 },
	[M_FIRST] = { "first", TMPL_VAR, 0 },
	[M_LAST] = { "last", TMPL_VAR, 0 },
	[M_FEED_ON] = { "feed_on", TMPL_VAR, 0 },
	[M_FEED_MADE] = { "feed_made", TMPL_VAR, 0 },
	[M_FEED_NEW] = { "feed_new", TMPL_VAR, 0 },
	[M_FEED_URL] = { "feed_url", TMPL_VAR, 0 },
	[M_F_ONE] = { "f_one", TMPL_VAR, 0 },
	[M_ONE_FOLLOW] = { "one_follow", TMPL_VAR, 0 },
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

/* A followed researcher with its newest works (views into the transaction). */
struct frow {
	struct store_researcher r;
	uint64_t                followers;
	struct store_work       w[ME_FOLLOW_WORKS];
	size_t                  nw;
};

/* State of one render; the strings live in the caller's read transaction. */
struct mctx {
	struct store_rtxn *t;
	const struct me_args *a;
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
	struct frow        fol[ME_FOLLOWS_PAGE];
	size_t             nfol, follows, page, pages;
	const struct frow *fcur;
	const struct store_work *wcur;
	int                feed_on;
	uint64_t           feed_made;
	char               made[16];
};

static int
followed_cb(void *ctx, const struct store_researcher *r, uint64_t followers,
    const struct store_work *w, size_t n)
{
	struct mctx *m = ctx;
	struct frow *f;

	if (m->nfol == ME_FOLLOWS_PAGE)
		return 0;
	f = &m->fol[m->nfol++];
	f->r = *r;
	f->followers = followers;
	f->nw = n < ME_FOLLOW_WORKS ? n : ME_FOLLOW_WORKS;
	for (size_t i = 0; i < f->nw; i++)
		f->w[i] = w[i];
	return 0;
}

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
	case M_N_FOLLOWS: return tmpl_num(out, m->follows);
	case M_ONE_FOLLOW: return tmpl_num(out, m->follows == 1);
	case M_PAGE:     return tmpl_num(out, m->page);
	/* Shown only when there is more than one page. */
	case M_PAGES:    return tmpl_num(out, m->pages > 1 ? m->pages : 0);
	case M_PREV:     return tmpl_num(out, m->page > 1 ? m->page - 1 : 0);
	case M_NEXT:     return tmpl_num(out, m->page < m->pages ? m->page + 1 : 0);
	case M_FIRST:
		return tmpl_num(out, m->nfol ? (m->page - 1) * ME_FOLLOWS_PAGE + 1 : 0);
	case M_LAST:
		return tmpl_num(out, (m->page - 1) * ME_FOLLOWS_PAGE + m->nfol);
	case M_FEED_ON:  return tmpl_num(out, m->feed_on);
	case M_FEED_MADE:
		if (m->feed_made == 0)
			return tmpl_str(out, SV_LIT(""));
		{
			time_t tt = (time_t)m->feed_made;
			struct tm tm;
			size_t n = 0;

			if (gmtime_r(&tt, &tm) != NULL)
				n = strftime(m->made, sizeof(m->made), "%Y-%m-%d", &tm);
			return tmpl_str(out, (struct sv){ m->made, n });
		}
	case M_FEED_NEW: return tmpl_num(out, m->a->feed_url.n != 0);
	case M_FEED_URL: return tmpl_str(out, m->a->feed_url);
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
	if (m->wcur != NULL) {
		const struct store_work *x = m->wcur;

		switch (slot) {
		case M_W_TITLE:
			return tmpl_str(out, x->title.n ? x->title : SV_LIT("Untitled work"));
		case M_W_URL:   return tmpl_str(out, work_url(x));
		case M_W_DATE:
			if (x->date.n)
				return tmpl_str(out, x->date);
			if (x->year > 0)
				return tmpl_num(out, (uint64_t)x->year);
			return tmpl_str(out, SV_LIT(""));
		case M_W_VENUE: return tmpl_str(out, x->venue);
		}
	}
	if (m->fcur != NULL) {
		const struct frow *f = m->fcur;

		switch (slot) {
		case M_F_NAME:      return tmpl_str(out, f->r.name.n ? f->r.name : f->r.id);
		case M_F_SLUG:      return tmpl_str(out, f->r.slug);
		case M_F_WORKS:     return tmpl_num(out, f->r.works);
		case M_F_FOLLOWERS: return tmpl_num(out, f->followers);
		case M_F_ONE:       return tmpl_num(out, f->followers == 1);
		case M_F_INST:      return tmpl_str(out, f->r.institution);
		case M_F_N_WORKS:   return tmpl_num(out, f->nw);
		}
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
	if (slot == M_FOLLOWS) {
		for (size_t i = 0; i < m->nfol && rc == 0; i++) {
			m->fcur = &m->fol[i];
			rc = tmpl_sec_render(sec);
		}
		m->fcur = NULL;
		return rc;
	}
	if (slot == M_F_WORK_LIST) {
		if (m->fcur == NULL)
			return EINVAL;
		for (size_t i = 0; i < m->fcur->nw && rc == 0; i++) {
			m->wcur = &m->fcur->w[i];
			rc = tmpl_sec_render(sec);
		}
		m->wcur = NULL;
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
view_me(struct store_rtxn *t, const struct me_args *a, struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_ME);
	struct layout l;
	struct mctx *m;
	int rc;

	if (content == NULL)
		return ENOENT;
	m = xcalloc(1, sizeof(*m));   /* ~100 KiB: not on the stack */
	m->t = t;
	m->a = a;
	m->user = a->user;
	m->csrf = a->csrf;
	if ((rc = store_claims_of_user(t, a->user, claim_cb, m)) != 0 ||
	    (rc = read_invites(m)) != 0)
		goto out;
	/* One page of the researchers followed: a bounded read however
	 * many they are (store_following_works). A page past the last
	 * shows the last. */
	m->page = a->page ? a->page : 1;
	rc = store_following_count(t, a->user, &m->follows);
	if (rc != 0)
		goto out;
	m->pages = (m->follows + ME_FOLLOWS_PAGE - 1) / ME_FOLLOWS_PAGE;
	if (m->pages && m->page > m->pages)
		m->page = m->pages;
	if (m->follows && (rc = store_following_works(t, a->user,
	    (m->page - 1) * ME_FOLLOWS_PAGE, ME_FOLLOWS_PAGE, ME_FOLLOW_WORKS,
	    followed_cb, m, &m->follows)) != 0)
		goto out;
	rc = store_feed_of(t, a->user, &m->feed_made);
	if (rc != 0 && rc != STORE_NOTFOUND)
		goto out;
	m->feed_on = rc == 0;
	memset(&l, 0, sizeof(l));
	l.title = SV_LIT("Your account");
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
