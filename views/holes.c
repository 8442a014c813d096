/* holes.c: the holes of a page filled for one viewer, from the fragments of holes.html. */
#include "holes.h"

#include <errno.h>
#include <string.h>

#include "../store/store.h"
#include "html.h"
#include "registry.h"

enum {
	H_IS_SESSION_BAR, H_IS_FLASH, H_IS_FOLLOWERS, H_IS_FOLLOW_FORM,
	H_IS_CLAIM,
	H_OWN_PROFILE, H_SIGNED_IN, H_USER, H_CSRF, H_FLASH, H_FOLLOWERS, H_FOLLOWING,
	H_SLUG, H_NEXT, H_CLAIM_NONE, H_CLAIM_PENDING,
	H_CLAIM_APPROVED, H_OWN_CLAIM, H_OWN_DISPUTE, H_CLAIM_FORM,
	H_OWN_REJECTED, H_REJECTED_ON,
	H_REJECTED_NOTE,
	H_CLAIM_ERRORS, H_E_ORCID, H_E_EMAIL, H_E_URL, H_E_NOTE,
	H_C_ORCID, H_C_EMAIL, H_C_URL, H_C_NOTE,
	H_ORCID_MAX, H_EMAIL_MAX, H_URL_MAX, H_NOTE_MAX,
	H_IS_INVITE, H_INVITE_OWNER, H_INVITE_PENDING, H_INVITE_SENT_ON,
	H_INVITE_FORM, H_INVITE_ERRORS, H_E_SUBJECT, H_E_MESSAGE,
	H_I_SUBJECT, H_I_MESSAGE, H_SUBJECT_MAX, H_MESSAGE_MAX,
	H__COUNT
};

static const struct tmpl_slot holes_slots[H__COUNT] = {
	[H_IS_SESSION_BAR] = { "hole_session_bar", TMPL_VAR, 0 },
	[H_IS_FLASH] = { "hole_flash", TMPL_VAR, 0 },
	[H_OWN_PROFILE] = { "own_profile", TMPL_VAR, 0 },
	[H_IS_FOLLOWERS] = { "hole_followers", TMPL_VAR, 0 },
	[H_IS_FOLLOW_FORM] = { "hole_follow_form", TMPL_VAR, 0 },
	[H_IS_CLAIM] = { "hole_claim", TMPL_VAR, 0 },
	[H_SIGNED_IN] = { "signed_in", TMPL_VAR, 0 },
	[H_USER] = { "user", TMPL_VAR, 0 },
	[H_CSRF] = { "csrf", TMPL_VAR, 0 },
	[H_FLASH] = { "flash", TMPL_VAR, 0 },
	[H_FOLLOWERS] = { "followers", TMPL_VAR, 0 },
	[H_FOLLOWING] = { "following", TMPL_VAR, 0 },
	[H_SLUG] = { "slug", TMPL_VAR, 0 },
	[H_NEXT] = { "next", TMPL_VAR, 0 },
	[H_CLAIM_NONE] = { "claim_none", TMPL_VAR, 0 },
	[H_CLAIM_PENDING] = { "claim_pending", TMPL_VAR, 0 },
	[H_CLAIM_APPROVED] = { "claim_approved", TMPL_VAR, 0 },
	[H_OWN_CLAIM] = { "own_claim", TMPL_VAR, 0 },
	[H_OWN_DISPUTE] = { "own_dispute", TMPL_VAR, 0 },
	[H_CLAIM_FORM] = { "claim_form", TMPL_VAR, 0 },
	[H_OWN_REJECTED] = { "own_rejected", TMPL_VAR, 0 },
	[H_REJECTED_ON] = { "rejected_on", TMPL_VAR, 0 },
	[H_REJECTED_NOTE] = { "rejected_note", TMPL_VAR, 0 },
	[H_CLAIM_ERRORS] = { "claim_errors", TMPL_VAR, 0 },
	[H_E_ORCID] = { "e_orcid", TMPL_VAR, 0 },
	[H_E_EMAIL] = { "e_email", TMPL_VAR, 0 },
	[H_E_URL] = { "e_url", TMPL_VAR, 0 },
	[H_E_NOTE] = { "e_note", TMPL_VAR, 0 },
	[H_ORCID_MAX] = { "orcid_max", TMPL_VAR, 0 },
	[H_EMAIL_MAX] = { "email_max", TMPL_VAR, 0 },
	[H_URL_MAX] = { "url_max", TMPL_VAR, 0 },
	[H_NOTE_MAX] = { "note_max", TMPL_VAR, 0 },
	[H_C_ORCID] = { "c_orcid", TMPL_VAR, 0 },
	[H_C_EMAIL] = { "c_email", TMPL_VAR, 0 },
	[H_C_URL] = { "c_url", TMPL_VAR, 0 },
	[H_C_NOTE] = { "c_note", TMPL_VAR, 0 },
	[H_IS_INVITE] = { "hole_invite", TMPL_VAR, 0 },
	[H_INVITE_OWNER] = { "invite_owner", TMPL_VAR, 0 },
	[H_INVITE_PENDING] = { "invite_pending", TMPL_VAR, 0 },
	[H_INVITE_SENT_ON] = { "invite_sent_on", TMPL_VAR, 0 },
	[H_INVITE_FORM] = { "invite_form", TMPL_VAR, 0 },
	[H_INVITE_ERRORS] = { "invite_errors", TMPL_VAR, 0 },
	[H_E_SUBJECT] = { "e_subject", TMPL_VAR, 0 },
	[H_E_MESSAGE] = { "e_message", TMPL_VAR, 0 },
	[H_I_SUBJECT] = { "i_subject", TMPL_VAR, 0 },
	[H_I_MESSAGE] = { "i_message", TMPL_VAR, 0 },
	[H_SUBJECT_MAX] = { "subject_max", TMPL_VAR, 0 },
	[H_MESSAGE_MAX] = { "message_max", TMPL_VAR, 0 },
};

const struct tmpl_def holes_def = {
	"holes.html", holes_slots, H__COUNT, 0
};

struct fill {
	const struct viewer *v;
	struct sv            slug;
	struct sv            next;   /* where "Log in" comes back to: the page */
	enum hole            kind;   /* the hole being filled */
};

static int
fill_var(void *ctx, int slot, struct tmpl_val *out)
{
	const struct fill *f = ctx;
	const struct viewer *v = f->v;

	switch (slot) {
	case H_IS_SESSION_BAR: return tmpl_num(out, f->kind == HOLE_SESSION_BAR);
	case H_IS_FLASH:       return tmpl_num(out, f->kind == HOLE_FLASH);
	case H_IS_FOLLOWERS:   return tmpl_num(out, f->kind == HOLE_FOLLOWERS);
	case H_IS_FOLLOW_FORM: return tmpl_num(out, f->kind == HOLE_FOLLOW_FORM);
	case H_IS_CLAIM:       return tmpl_num(out, f->kind == HOLE_CLAIM);
	/* The viewer owns this profile (their claim of it was approved):
	 * no follow button, as the store refuses the follow. */
	case H_OWN_PROFILE:
		return tmpl_num(out, v->user.n != 0 && v->own_claim &&
		    v->claim == STORE_CLAIM_APPROVED);
	case H_SIGNED_IN:      return tmpl_num(out, v->user.n != 0);
	case H_USER:           return tmpl_str(out, v->user);
	case H_CSRF:           return tmpl_str(out, v->csrf);
	case H_FLASH:          return tmpl_str(out, v->flash);
	case H_FOLLOWERS:      return tmpl_num(out, v->followers);
	case H_FOLLOWING:      return tmpl_num(out, v->following != 0);
	case H_SLUG:           return tmpl_str(out, f->slug);
	case H_NEXT:           return tmpl_str(out, f->next);
	case H_CLAIM_NONE:
		return tmpl_num(out, v->claim != STORE_CLAIM_PENDING &&
		    v->claim != STORE_CLAIM_APPROVED);
	case H_CLAIM_PENDING:  return tmpl_num(out, v->claim == STORE_CLAIM_PENDING);
	case H_CLAIM_APPROVED: return tmpl_num(out, v->claim == STORE_CLAIM_APPROVED);
	case H_OWN_CLAIM:      return tmpl_num(out, v->own_claim != 0);
	case H_OWN_DISPUTE:    return tmpl_num(out, v->own_dispute != 0);
	/* The form: to claim an unclaimed profile, or to dispute another
	 * user's pending claim that nobody disputes yet. */
	case H_CLAIM_FORM:
		return tmpl_num(out, v->user.n != 0 &&
		    (v->claim == STORE_CLAIM_PENDING ? !v->own_claim &&
		    !v->disputed : v->claim != STORE_CLAIM_APPROVED));
	case H_OWN_REJECTED:   return tmpl_num(out, v->own_rejected != 0);
	case H_REJECTED_ON:    return tmpl_str(out, v->rejected_on);
	case H_REJECTED_NOTE:  return tmpl_str(out, v->rejected_note);
	case H_CLAIM_ERRORS:   return tmpl_num(out, v->claim_errors != 0);
	case H_E_ORCID:        return tmpl_str(out, v->claim_orcid_error);
	case H_E_EMAIL:        return tmpl_str(out, v->claim_email_error);
	case H_E_URL:          return tmpl_str(out, v->claim_url_error);
	case H_E_NOTE:         return tmpl_str(out, v->claim_note_error);
	/* The limits the server checks (fcgi-app/posts.c), in the same unit. */
	case H_ORCID_MAX:      return tmpl_num(out, STORE_ORCID_INPUT_MAX);
	case H_EMAIL_MAX:      return tmpl_num(out, STORE_EMAIL_MAX);
	case H_URL_MAX:        return tmpl_num(out, STORE_URL_MAX);
	case H_NOTE_MAX:       return tmpl_num(out, STORE_CLAIM_NOTE_MAX);
	case H_C_ORCID:        return tmpl_str(out, v->claim_orcid);
	case H_C_EMAIL:        return tmpl_str(out, v->claim_email);
	case H_C_URL:          return tmpl_str(out, v->claim_url);
	case H_C_NOTE:         return tmpl_str(out, v->claim_note);
	/* The invitation hole sits in a profile open to invitations only
	 * (profile.html); its owner gets none, nor a viewer whose
	 * invitation waits for an answer. */
	case H_IS_INVITE:      return tmpl_num(out, f->kind == HOLE_INVITE);
	case H_INVITE_OWNER:
		return tmpl_num(out, v->claim == STORE_CLAIM_APPROVED &&
		    v->own_claim);
	case H_INVITE_PENDING:
		return tmpl_num(out, v->invite_pending && !(v->claim ==
		    STORE_CLAIM_APPROVED && v->own_claim));
	case H_INVITE_SENT_ON: return tmpl_str(out, v->invite_sent_on);
	case H_INVITE_FORM:
		return tmpl_num(out, v->user.n != 0 && !v->invite_pending &&
		    !(v->claim == STORE_CLAIM_APPROVED && v->own_claim));
	case H_INVITE_ERRORS:  return tmpl_num(out, v->invite_errors != 0);
	case H_E_SUBJECT:      return tmpl_str(out, v->invite_subject_error);
	case H_E_MESSAGE:      return tmpl_str(out, v->invite_message_error);
	case H_I_SUBJECT:      return tmpl_str(out, v->invite_subject);
	case H_I_MESSAGE:      return tmpl_str(out, v->invite_message);
	case H_SUBJECT_MAX:    return tmpl_num(out, STORE_INVITE_SUBJECT_MAX);
	case H_MESSAGE_MAX:    return tmpl_num(out, STORE_INVITE_MESSAGE_MAX);
	}
	return EINVAL;
}

static int
fill_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	return EINVAL;   /* holes.html has no section slots */
}

/* No hole callback: holes.html declares no holes. */
static const struct tmpl_ops fill_ops = { fill_var, fill_section };

/* Drops the white space around out[start..]: the layout of holes.html. */
static void
trim(struct buf *out, size_t start)
{
	size_t b = start;

	while (out->len > start && (out->p[out->len - 1] == '\n' ||
	    out->p[out->len - 1] == ' ' || out->p[out->len - 1] == '\t'))
		out->len--;
	while (b < out->len && (out->p[b] == '\n' || out->p[b] == ' ' ||
	    out->p[b] == '\t'))
		b++;
	if (b > start) {
		memmove(out->p + start, out->p + b, out->len - b);
		out->len -= b - start;
	}
	if (out->cap)
		out->p[out->len] = '\0';
}

/*
 * Appends pg to out, each hole filled for v (see page.h). Owns nothing it
 * is given; out grows as needed.
 */
void
page_fill(const struct page *pg, const struct viewer *v, struct buf *out)
{
	const struct tmpl *holes = views_tmpl(VT_HOLES);
	struct buf next = BUF_INIT;
	struct fill f;
	uint32_t i, off = 0;
	size_t start;

	memset(&f, 0, sizeof(f));
	f.v = v;
	f.slug = (struct sv){ pg->slug.p ? pg->slug.p : "", pg->slug.len };
	if (f.slug.n) {
		buf_puts(&next, "/researchers/");
		buf_put(&next, f.slug.p, f.slug.n);
		f.next = (struct sv){ next.p, next.len };
	} else
		f.next = SV_LIT("/");

	buf_reserve(out, pg->body.len + 2048);
	for (i = 0; i < pg->nholes; i++) {
		const struct page_hole *h = &pg->holes[i];

		if (h->off < off || h->off > pg->body.len)
			break;   /* a corrupt page (e.g. from a cache): stop at the body */
		/* The body was escaped when it was rendered. */
		html_raw_trusted(out, pg->body.p + off, h->off - off);
		off = h->off;
		if (holes == NULL)
			continue;
		f.kind = (enum hole)h->kind;
		start = out->len;
		/* fill_var never fails and holes.html has no holes or sections
		 * to fail on, so the result can only be 0. */
		(void)tmpl_render(holes, &fill_ops, &f, out, NULL);
		trim(out, start);
	}
	if (pg->body.len > off)
		html_raw_trusted(out, pg->body.p + off, pg->body.len - off);
	buf_free(&next);
}
