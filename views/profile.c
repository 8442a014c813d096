/* profile.c: the researcher profile page (seed 000) from profile.html, rendered once for every viewer. */
#include "profile.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "layout.h"
#include "registry.h"
#include "work.h"

#define MAX_WORKS       20   /* works listed on the page, newest first; the
                                rest on /researchers/{slug}/works (works.c) */
#define MAX_COAUTHORS  128   /* co-authors read for the graph slice and links */
#define MAX_OTHERS      12   /* other (not close) co-authors listed */
#define MAX_TOPICS      12   /* topics listed */
#define SLUG_HASH      256   /* open-addressing table over the co-authors' ids */
#define MAX_YEARS       20   /* years drawn, the latest */

/* The counts-by-year drawing, in SVG user units. */
#define CHART_W        600
#define CHART_SLOT      30   /* a year's width */
#define CHART_BAR       22
#define CITES_TOP       18   /* citations: bars from here ... */
#define CITES_BASE     108   /* ... down to here */
#define WORKS_TOP      130   /* works: the same */
#define WORKS_BASE     180
#define LABEL_Y        196
#define CHART_H        204

enum {
	/* the researcher */
	P_NAME, P_SLUG, P_ID, P_ORCID_URL, P_INSTITUTION, P_CANONICAL,
	P_TRUST, P_TRUST_BAND, P_TRUST_CLASS, P_LEVEL, P_CLAIM_LABEL, P_CLAIMED,
	P_TP_LEVEL, P_TP_WORKS, P_TP_CLOSE, P_TP_TOPICS, P_TP_CLAIMED,
	P_TP_PER_LEVEL, P_TP_WORKS_PER, P_TP_TOPICS_PER, P_TP_WORKS_MAX, P_TP_CLOSE_MAX, P_TP_TOPICS_MAX,
	P_TP_CLAIMED_MAX,
	P_WORKS, P_TOPICS, P_CLOSE_COLLABORATORS, P_WORKS_CAPPED, P_WORKS_SHOWN,
	P_ORCID, P_HAS_CITATIONS, P_CITED, P_H_INDEX, P_I10_INDEX, P_OA_STATS,
	P_OA_CITED, P_OA_H_INDEX, P_OA_I10_INDEX, P_OA_KNOWN,
	/* what the owner of a claimed profile says */
	P_BIO, P_OPEN, P_HOMEPAGE,
	/* institutions */
	P_MORE_CURRENT, P_N_HISTORY, P_HISTORY_ITEMS, P_I_NAME, P_I_YEARS,
	P_I_CURRENT,
	/* alternative names */
	P_N_ALTS, P_ALT_ITEMS, P_A_NAME, P_A_FIRST,
	/* counts by year */
	P_N_YEARS, P_YEAR_FIRST, P_YEAR_LAST, P_CHART_W, P_CHART_H,
	P_WORKS_HEAD_Y, P_LABEL_Y, P_CITE_BARS, P_WORK_BARS, P_YEAR_LABELS,
	P_YEAR_ROWS, P_B_X, P_B_Y, P_B_W, P_B_H, P_B_TX, P_B_YEAR, P_B_VALUE,
	P_B_CITES, P_B_WORKS,
	/* graph slice */
	P_N_CLOSE, P_CLOSE_ITEMS, P_N_OTHER, P_OTHER_ITEMS, P_MORE_COAUTHORS,
	P_C_NAME, P_C_SLUG, P_C_INSTITUTION, P_C_SHARED, P_C_ONE,
	P_TOPIC_ITEMS, P_T_NAME, P_T_WORKS, P_T_ONE,
	/* works: each one from work.html */
	P_WORK_ITEMS, P_WORK,
	/* what differs per viewer (holes.h) */
	P_HOLE_FOLLOWERS, P_HOLE_FOLLOW_FORM, P_HOLE_CLAIM,
	/* direct collaboration */
	P_INVITE_OPEN, P_HOLE_INVITE,
	P__COUNT
};

static const struct tmpl_slot profile_slots[P__COUNT] = {
	[P_NAME] = { "name", TMPL_VAR, 0 },
	[P_SLUG] = { "slug", TMPL_VAR, 0 },
	[P_ID] = { "id", TMPL_VAR, 0 },
	[P_ORCID_URL] = { "orcid_url", TMPL_VAR, 0 },
	[P_INSTITUTION] = { "institution", TMPL_VAR, 0 },
	[P_CANONICAL] = { "canonical", TMPL_VAR, 0 },
	[P_TRUST] = { "trust", TMPL_VAR, 0 },
	[P_TRUST_BAND] = { "trust_band", TMPL_VAR, 0 },
	[P_TRUST_CLASS] = { "trust_class", TMPL_VAR, 0 },
	[P_LEVEL] = { "level", TMPL_VAR, 0 },
	[P_CLAIM_LABEL] = { "claim_label", TMPL_VAR, 0 },
	[P_CLAIMED] = { "claimed", TMPL_VAR, 0 },
	[P_TP_LEVEL] = { "tp_level", TMPL_VAR, 0 },
	[P_TP_WORKS] = { "tp_works", TMPL_VAR, 0 },
	[P_TP_CLOSE] = { "tp_close", TMPL_VAR, 0 },
	[P_TP_TOPICS] = { "tp_topics", TMPL_VAR, 0 },
	[P_TP_CLAIMED] = { "tp_claimed", TMPL_VAR, 0 },
	[P_TP_PER_LEVEL] = { "tp_per_level", TMPL_VAR, 0 },
	[P_TP_WORKS_MAX] = { "tp_works_max", TMPL_VAR, 0 },
	[P_TP_WORKS_PER] = { "tp_works_per", TMPL_VAR, 0 },
	[P_TP_TOPICS_PER] = { "tp_topics_per", TMPL_VAR, 0 },
	[P_TP_CLOSE_MAX] = { "tp_close_max", TMPL_VAR, 0 },
	[P_TP_TOPICS_MAX] = { "tp_topics_max", TMPL_VAR, 0 },
	[P_TP_CLAIMED_MAX] = { "tp_claimed_max", TMPL_VAR, 0 },
	[P_WORKS] = { "works", TMPL_VAR, 0 },
	[P_TOPICS] = { "topics", TMPL_VAR, 0 },
	[P_CLOSE_COLLABORATORS] = { "close_collaborators", TMPL_VAR, 0 },
	[P_WORKS_CAPPED] = { "works_capped", TMPL_VAR, 0 },
	[P_WORKS_SHOWN] = { "works_shown", TMPL_VAR, 0 },
	[P_ORCID] = { "orcid", TMPL_VAR, 0 },
	[P_HAS_CITATIONS] = { "has_citations", TMPL_VAR, 0 },
	[P_CITED] = { "cited", TMPL_VAR, 0 },
	[P_H_INDEX] = { "h_index", TMPL_VAR, 0 },
	[P_I10_INDEX] = { "i10_index", TMPL_VAR, 0 },
	[P_OA_STATS] = { "oa_stats", TMPL_VAR, 0 },
	[P_OA_CITED] = { "oa_cited", TMPL_VAR, 0 },
	[P_OA_KNOWN] = { "oa_known", TMPL_VAR, 0 },
	[P_OA_H_INDEX] = { "oa_h_index", TMPL_VAR, 0 },
	[P_OA_I10_INDEX] = { "oa_i10_index", TMPL_VAR, 0 },
	[P_BIO] = { "bio", TMPL_VAR, 0 },
	[P_OPEN] = { "open", TMPL_VAR, 0 },
	[P_HOMEPAGE] = { "homepage", TMPL_VAR, 0 },
	[P_MORE_CURRENT] = { "more_current", TMPL_SECTION, 0 },
	[P_N_HISTORY] = { "n_history", TMPL_VAR, 0 },
	[P_HISTORY_ITEMS] = { "history_items", TMPL_SECTION, 0 },
	[P_I_NAME] = { "i_name", TMPL_VAR, 0 },
	[P_I_YEARS] = { "i_years", TMPL_VAR, 0 },
	[P_I_CURRENT] = { "i_current", TMPL_VAR, 0 },
	[P_N_ALTS] = { "n_alts", TMPL_VAR, 0 },
	[P_ALT_ITEMS] = { "alt_items", TMPL_SECTION, 0 },
	[P_A_NAME] = { "a_name", TMPL_VAR, 0 },
	[P_A_FIRST] = { "a_first", TMPL_VAR, 0 },
	[P_N_YEARS] = { "n_years", TMPL_VAR, 0 },
	[P_YEAR_FIRST] = { "year_first", TMPL_VAR, 0 },
	[P_YEAR_LAST] = { "year_last", TMPL_VAR, 0 },
	[P_CHART_W] = { "chart_w", TMPL_VAR, 0 },
	[P_CHART_H] = { "chart_h", TMPL_VAR, 0 },
	[P_WORKS_HEAD_Y] = { "works_head_y", TMPL_VAR, 0 },
	[P_LABEL_Y] = { "label_y", TMPL_VAR, 0 },
	[P_CITE_BARS] = { "cite_bars", TMPL_SECTION, 0 },
	[P_WORK_BARS] = { "work_bars", TMPL_SECTION, 0 },
	[P_YEAR_LABELS] = { "year_labels", TMPL_SECTION, 0 },
	[P_YEAR_ROWS] = { "year_rows", TMPL_SECTION, 0 },
	[P_B_X] = { "b_x", TMPL_VAR, 0 },
	[P_B_Y] = { "b_y", TMPL_VAR, 0 },
	[P_B_W] = { "b_w", TMPL_VAR, 0 },
	[P_B_H] = { "b_h", TMPL_VAR, 0 },
	[P_B_TX] = { "b_tx", TMPL_VAR, 0 },
	[P_B_YEAR] = { "b_year", TMPL_VAR, 0 },
	[P_B_VALUE] = { "b_value", TMPL_VAR, 0 },
	[P_B_CITES] = { "b_cites", TMPL_VAR, 0 },
	[P_B_WORKS] = { "b_works", TMPL_VAR, 0 },
	[P_N_CLOSE] = { "n_close", TMPL_VAR, 0 },
	[P_CLOSE_ITEMS] = { "close_items", TMPL_SECTION, 0 },
	[P_N_OTHER] = { "n_other", TMPL_VAR, 0 },
	[P_OTHER_ITEMS] = { "other_items", TMPL_SECTION, 0 },
	[P_MORE_COAUTHORS] = { "more_coauthors", TMPL_VAR, 0 },
	[P_C_NAME] = { "c_name", TMPL_VAR, 0 },
	[P_C_SLUG] = { "c_slug", TMPL_VAR, 0 },
	[P_C_INSTITUTION] = { "c_institution", TMPL_VAR, 0 },
	[P_C_SHARED] = { "c_shared", TMPL_VAR, 0 },
	[P_C_ONE] = { "c_one", TMPL_VAR, 0 },
	[P_TOPIC_ITEMS] = { "topic_items", TMPL_SECTION, 0 },
	[P_T_NAME] = { "t_name", TMPL_VAR, 0 },
	[P_T_WORKS] = { "t_works", TMPL_VAR, 0 },
	[P_T_ONE] = { "t_one", TMPL_VAR, 0 },
	[P_WORK_ITEMS] = { "work_items", TMPL_SECTION, 0 },
	[P_WORK] = { "work", TMPL_PARTIAL, 0 },
	[P_HOLE_FOLLOWERS] = { "followers", TMPL_HOLE, HOLE_FOLLOWERS },
	[P_HOLE_FOLLOW_FORM] = { "follow_form", TMPL_HOLE, HOLE_FOLLOW_FORM },
	[P_HOLE_CLAIM] = { "claim", TMPL_HOLE, HOLE_CLAIM },
	[P_INVITE_OPEN] = { "invite_open", TMPL_VAR, 0 },
	[P_HOLE_INVITE] = { "invite", TMPL_HOLE, HOLE_INVITE },
};

const struct tmpl_def profile_def = {
	"profile.html", profile_slots, P__COUNT, 0
};

/*
 * The view's state while one profile renders. Every sv points into the
 * caller's read transaction or into `scratch`, both alive for the render.
 */
struct pctx {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	struct page                   *pg;
	struct buf                     scratch;
	struct sv                      canonical, orcid_url;
	unsigned                       trust;   /* tp.total */
	struct store_trust_parts       tp;      /* what it is made of */
	/* The owner's settings (claimed profiles only; else the defaults:
	 * the page keeps the seed's words). */
	struct store_owner_settings    own;

	/* co-authors, most shared works first; the first n_close are close */
	size_t                         nco, n_close, n_other;
	uint64_t                       more_coauthors;
	uint8_t                        co_hash[SLUG_HASH];   /* index + 1 */
	const struct store_coauthor   *c;                   /* current */

	const struct store_topic_count *tc;                 /* current */
	struct tmpl_sec                *sec;                /* walk in progress */

	const struct store_work        *w;                  /* current work */
	struct store_inst               inst;               /* current one */
	char                            inst_span[32];      /* its years */
	size_t                          n_history;
	struct sv                       alts[PROFILE_ALTS_MAX];
	size_t                          n_alts, ai;         /* ai: current */
	struct store_year               years[MAX_YEARS];   /* oldest first */
	size_t                          n_years, yi;        /* yi: current */
	uint64_t                        max_cites, max_works;
	int                             bar_works;          /* which bars */
	struct work_list                wl;

	/* last: not cleared, only co[0..nco) is ever read */
	struct store_coauthor           co[MAX_COAUTHORS];
};

static int
coauthor_cb(void *ctx, const struct store_coauthor *c)
{
	struct pctx *p = ctx;
	uint32_t h;

	if (p->nco == MAX_COAUTHORS)
		return TMPL_STOP;
	p->co[p->nco] = *c;
	for (h = sv_hash(c->r.id) % SLUG_HASH; p->co_hash[h]; h = (h + 1) % SLUG_HASH)
		;
	p->co_hash[h] = (uint8_t)(p->nco + 1);
	p->nco++;
	return 0;
}

/*
 * work_list.known: the slug of researcher `id` from the co-authors read up
 * front, so that most author links cost no store read. Returns 1 with
 * *slug set, or 0 when id is not one of them.
 */
static int
coauthor_slug(void *ctx, struct sv id, struct sv *slug)
{
	struct pctx *p = ctx;
	uint32_t h;

	for (h = sv_hash(id) % SLUG_HASH; p->co_hash[h]; h = (h + 1) % SLUG_HASH) {
		const struct store_coauthor *c = &p->co[p->co_hash[h] - 1];

		if (sv_eq(c->r.id, id)) {
			*slug = c->r.slug;
			return 1;
		}
	}
	return 0;
}

static const char *
claim_label(int claim)
{
	switch (claim) {
	case STORE_CLAIM_PENDING:  return "Claim pending";
	case STORE_CLAIM_APPROVED: return "Claimed author";
	}
	return "Unclaimed author";
}

/* Where the current year's slot starts: the latest year at the right. */
static uint64_t
year_x(const struct pctx *p)
{
	return (uint64_t)(CHART_W - (p->n_years - p->yi) * CHART_SLOT);
}

/* The current bar's height, in proportion to the largest of its kind. */
static uint64_t
bar_h(const struct pctx *p)
{
	uint64_t v = p->bar_works ? p->years[p->yi].works :
	    p->years[p->yi].cited;
	uint64_t max = p->bar_works ? p->max_works : p->max_cites;
	uint64_t span = p->bar_works ? WORKS_BASE - WORKS_TOP :
	    CITES_BASE - CITES_TOP;

	if (max == 0 || v == 0)
		return 0;
	/* a year with any at all shows at least a sliver */
	return v >= max ? span : v * span / max ? v * span / max : 1;
}

/* Reads up to MAX_YEARS of the latest counts by year, oldest first. */
static void
read_years(struct pctx *p)
{
	struct store_year y;
	size_t pos = 0, i, j;

	while (store_researcher_year_next(p->r, &pos, &y) == 0) {
		if (y.year <= 0)
			continue;
		/* keep the latest MAX_YEARS, sorted by year, oldest first */
		for (i = 0; i < p->n_years && p->years[i].year < y.year; i++)
			;
		if (i < p->n_years && p->years[i].year == y.year)
			continue;          /* a year given twice: the first */
		if (p->n_years == MAX_YEARS) {
			if (i == 0)
				continue;      /* older than all kept */
			memmove(p->years, p->years + 1, (i - 1) * sizeof(y));
			i--;
		} else {
			memmove(p->years + i + 1, p->years + i,
			    (p->n_years - i) * sizeof(y));
			p->n_years++;
		}
		p->years[i] = y;
	}
	for (j = 0; j < p->n_years; j++) {
		if (p->years[j].cited > p->max_cites)
			p->max_cites = p->years[j].cited;
		if (p->years[j].works > p->max_works)
			p->max_works = p->years[j].works;
	}
}

static int
profile_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct pctx *p = ctx;
	const struct store_researcher *r = p->r;

	switch (slot) {
	case P_NAME:        return tmpl_str(out, r->name);
	case P_SLUG:        return tmpl_str(out, r->slug);
	case P_ID:          return tmpl_str(out, r->id);
	case P_ORCID_URL:   return tmpl_str(out, p->orcid_url);
	case P_INSTITUTION: return tmpl_str(out, r->institution);
	case P_CANONICAL:   return tmpl_str(out, p->canonical);
	case P_TRUST:       return tmpl_num(out, p->trust);
	case P_TRUST_BAND:  return tmpl_str(out, sv_cstr(store_trust_band(p->trust)));
	case P_TRUST_CLASS:
		return tmpl_str(out, p->trust >= 50 ? SV_LIT("high") :
		    p->trust >= 30 ? SV_LIT("mid") : SV_LIT("low"));
	case P_LEVEL:       return tmpl_num(out, store_level(r));
	case P_CLAIM_LABEL: return tmpl_str(out, sv_cstr(claim_label(r->claim)));
	case P_CLAIMED:     return tmpl_num(out, r->claim == STORE_CLAIM_APPROVED);
	case P_BIO:         return tmpl_str(out, p->own.bio);
	case P_OPEN:        return tmpl_num(out, p->own.open_to_collaborate);
	case P_HOMEPAGE:    return tmpl_str(out, p->own.homepage);
	/* Claimed and open to collaborate: the invitation form (a hole). */
	case P_INVITE_OPEN: return tmpl_num(out, store_invite_open_for(p->t, r));
	/* The score's parts, from the function that adds them up. */
	case P_TP_LEVEL:    return tmpl_num(out, p->tp.level);
	case P_TP_WORKS:    return tmpl_num(out, p->tp.works);
	case P_TP_CLOSE:    return tmpl_num(out, p->tp.close);
	case P_TP_TOPICS:   return tmpl_num(out, p->tp.topics);
	case P_TP_CLAIMED:  return tmpl_num(out, p->tp.claimed);
	case P_TP_PER_LEVEL: return tmpl_num(out, STORE_TRUST_PER_LEVEL);
	case P_TP_WORKS_MAX: return tmpl_num(out, STORE_TRUST_WORKS_MAX);
	case P_TP_WORKS_PER: return tmpl_num(out, STORE_TRUST_WORKS_PER);
	case P_TP_TOPICS_PER: return tmpl_num(out, STORE_TRUST_TOPICS_PER);
	case P_TP_CLOSE_MAX: return tmpl_num(out, STORE_TRUST_CLOSE_MAX);
	case P_TP_TOPICS_MAX: return tmpl_num(out, STORE_TRUST_TOPICS_MAX);
	case P_TP_CLAIMED_MAX: return tmpl_num(out, STORE_TRUST_CLAIMED);
	case P_WORKS:       return tmpl_num(out, r->works);
	case P_TOPICS:      return tmpl_num(out, r->topics);
	case P_CLOSE_COLLABORATORS: return tmpl_num(out, r->close_collaborators);
	case P_WORKS_CAPPED: return tmpl_num(out, r->works > MAX_WORKS);
	case P_WORKS_SHOWN: return tmpl_num(out, MAX_WORKS);
	case P_ORCID:       return tmpl_str(out, r->orcid);
	case P_HAS_CITATIONS:
		return tmpl_num(out, r->cited > 0 || r->oa_stats || r->oa_cited > 0);
	case P_OA_KNOWN:    return tmpl_num(out, r->oa_stats || r->oa_cited > 0);
	case P_CITED:       return tmpl_num(out, r->cited);
	case P_H_INDEX:     return tmpl_num(out, r->h_index);
	case P_I10_INDEX:   return tmpl_num(out, r->i10_index);
	case P_OA_STATS:    return tmpl_num(out, r->oa_stats);
	case P_OA_CITED:    return tmpl_num(out, r->oa_cited);
	case P_OA_H_INDEX:  return tmpl_num(out, r->oa_h_index);
	case P_OA_I10_INDEX: return tmpl_num(out, r->oa_i10_index);
	case P_N_HISTORY:   return tmpl_num(out, p->n_history);
	case P_I_NAME:      return tmpl_str(out, p->inst.name);
	case P_I_YEARS:     return tmpl_str(out, sv_cstr(p->inst_span));
	case P_I_CURRENT:   return tmpl_num(out, p->inst.current);
	case P_N_ALTS:      return tmpl_num(out, p->n_alts);
	case P_A_NAME:      return tmpl_str(out, p->alts[p->ai]);
	case P_A_FIRST:     return tmpl_num(out, p->ai == 0);
	case P_N_YEARS:     return tmpl_num(out, p->n_years);
	case P_YEAR_FIRST:  return tmpl_num(out, (uint64_t)p->years[0].year);
	case P_YEAR_LAST:
		return tmpl_num(out, (uint64_t)p->years[p->n_years - 1].year);
	case P_CHART_W:     return tmpl_num(out, CHART_W);
	case P_CHART_H:     return tmpl_num(out, CHART_H);
	case P_WORKS_HEAD_Y: return tmpl_num(out, WORKS_TOP - 6);
	case P_LABEL_Y:     return tmpl_num(out, LABEL_Y);
	case P_B_X:
		return tmpl_num(out, year_x(p) + (CHART_SLOT - CHART_BAR) / 2);
	case P_B_TX:        return tmpl_num(out, year_x(p) + CHART_SLOT / 2);
	case P_B_W:         return tmpl_num(out, CHART_BAR);
	case P_B_H:         return tmpl_num(out, bar_h(p));
	case P_B_Y:
		return tmpl_num(out, (p->bar_works ? WORKS_BASE : CITES_BASE) -
		    bar_h(p));
	case P_B_YEAR:      return tmpl_num(out, (uint64_t)p->years[p->yi].year);
	case P_B_VALUE:
		return tmpl_num(out, p->bar_works ? p->years[p->yi].works :
		    p->years[p->yi].cited);
	case P_B_CITES:     return tmpl_num(out, p->years[p->yi].cited);
	case P_B_WORKS:     return tmpl_num(out, p->years[p->yi].works);
	case P_N_CLOSE:     return tmpl_num(out, p->n_close);
	case P_N_OTHER:     return tmpl_num(out, p->n_other);
	case P_MORE_COAUTHORS: return tmpl_num(out, p->more_coauthors);
	case P_C_NAME:      return tmpl_str(out, p->c->r.name);
	case P_C_SLUG:      return tmpl_str(out, p->c->r.slug);
	case P_C_INSTITUTION: return tmpl_str(out, p->c->r.institution);
	case P_C_SHARED:    return tmpl_num(out, p->c->shared);
	case P_C_ONE:       return tmpl_num(out, p->c->shared == 1);
	case P_T_NAME:      return tmpl_str(out, p->tc->topic.name);
	case P_T_WORKS:     return tmpl_num(out, p->tc->works);
	case P_T_ONE:       return tmpl_num(out, p->tc->works == 1);
	}
	return EINVAL;
}

static int
topic_cb(void *ctx, const struct store_topic_count *tc)
{
	struct pctx *p = ctx;

	p->tc = tc;
	return tmpl_sec_render(p->sec);
}

static int
work_cb(void *ctx, const struct store_work *w)
{
	struct pctx *p = ctx;

	p->w = w;
	return tmpl_sec_render(p->sec);
}

/* "2019–2023", "2020", or "" into p->inst_span. */
static void
inst_years(struct pctx *p)
{
	const struct store_inst *x = &p->inst;

	p->inst_span[0] = '\0';
	if (x->first > 0 && x->last > x->first)
		snprintf(p->inst_span, sizeof(p->inst_span), "%d\u2013%d",
		    x->first, x->last);
	else if (x->first > 0)
		snprintf(p->inst_span, sizeof(p->inst_span), "%d", x->first);
}

/*
 * The institutions: the current ones after the first (current = 1: the
 * first is the record's institution, shown by itself), or all of them
 * with their years.
 */
static int
inst_items(struct pctx *p, struct tmpl_sec *sec, int current)
{
	size_t pos = 0, i = 0;
	int rc = 0;

	while (rc == 0 && store_researcher_inst_next(p->r, &pos, &p->inst) == 0) {
		if (current && (!p->inst.current || i++ == 0 ||
		    sv_eq(p->inst.name, p->r->institution)))
			continue;
		inst_years(p);
		rc = tmpl_sec_render(sec);
	}
	return rc;
}

size_t
profile_alt_names(const struct store_researcher *r,
    struct sv out[PROFILE_ALTS_MAX])
{
	struct sv a;
	size_t pos = 0, n = 0, i, k;

	while (n < PROFILE_ALTS_MAX && store_researcher_alt_next(r, &pos, &a) == 0) {
		while (a.n && a.p[a.n - 1] == ' ')
			a.n--;
		for (k = 0; k < a.n && a.p[k] == ' '; k++)
			;
		a.p += k;
		a.n -= k;
		if (a.n == 0 || sv_eq(a, r->name))
			continue;
		for (i = 0; i < n && !sv_eq(out[i], a); i++)
			;
		if (i == n)
			out[n++] = a;
	}
	return n;
}

static int
profile_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct pctx *p = ctx;
	struct tmpl_sec *outer = p->sec;
	size_t i, from, to;
	int rc = 0;

	switch (slot) {
	case P_CLOSE_ITEMS:
	case P_OTHER_ITEMS:
		from = slot == P_CLOSE_ITEMS ? 0 : p->n_close;
		to = slot == P_CLOSE_ITEMS ? p->n_close : p->n_close + p->n_other;
		for (i = from; i < to && rc == 0; i++) {
			p->c = &p->co[i];
			rc = tmpl_sec_render(sec);
		}
		return rc;
	case P_TOPIC_ITEMS:
		p->sec = sec;
		rc = store_researcher_topics(p->t, p->r->id, MAX_TOPICS,
		    topic_cb, p);
		p->sec = outer;
		return rc;
	case P_WORK_ITEMS:
		p->sec = sec;
		rc = store_profile_works(p->t, p->r->id, MAX_WORKS,
		    work_cb, p);
		p->sec = outer;
		return rc;
	case P_WORK:
		return work_render(&p->wl, p->w, p->pg);
	case P_MORE_CURRENT:
	case P_HISTORY_ITEMS:
		return inst_items(p, sec, slot == P_MORE_CURRENT);
	case P_ALT_ITEMS:
		for (p->ai = 0; p->ai < p->n_alts && rc == 0; p->ai++)
			rc = tmpl_sec_render(sec);
		p->ai = 0;
		return rc;
	case P_CITE_BARS:
	case P_WORK_BARS:
	case P_YEAR_LABELS:
	case P_YEAR_ROWS:
		p->bar_works = slot == P_WORK_BARS;
		for (p->yi = 0; p->yi < p->n_years && rc == 0; p->yi++)
			rc = tmpl_sec_render(sec);
		return rc;
	}
	return EINVAL;
}

static const struct tmpl_ops profile_ops = { profile_var, profile_section };

/*
 * Reads the co-authors (most shared works first) into p: the close ones
 * (two or more shared works) and up to MAX_OTHERS others for the slice,
 * all of them for author links. Returns 0 or a store error.
 */
static int
read_coauthors(struct pctx *p)
{
	int rc;
	size_t i;

	rc = store_profile_coauthors(p->t, p->r->id, MAX_COAUTHORS,
	    coauthor_cb, p);
	if (rc != 0 && rc != TMPL_STOP)
		return rc;
	for (i = 0; i < p->nco && p->co[i].shared >= 2; i++)
		;
	p->n_close = i;
	p->n_other = p->nco - i < MAX_OTHERS ? p->nco - i : MAX_OTHERS;
	if (p->r->coauthors > p->n_close + p->n_other)
		p->more_coauthors = p->r->coauthors - p->n_close - p->n_other;
	return 0;
}

int
view_profile(struct store_rtxn *t, const struct store_researcher *r,
    struct page *pg)
{
	const struct tmpl *content = views_tmpl(VT_PROFILE);
	struct pctx *p;
	struct layout l;
	size_t title_len, desc_off, desc_len, canon_off, orcid_off, feed_off,
	    json_off;
	int rc;

	if (content == NULL)
		return ENOENT;
	/* ~20 KiB of state: on the heap, not the worker's stack; all but
	 * the co-author array (filled before it is read) starts zeroed */
	p = xmalloc(sizeof(*p));
	memset(p, 0, offsetof(struct pctx, co));
	p->t = t;
	p->r = r;
	p->pg = pg;
	store_trust_parts(r, &p->tp);
	p->trust = p->tp.total;
	/* What the owner said shows while the profile is theirs. */
	if (r->claim == STORE_CLAIM_APPROVED) {
		rc = store_owner_settings_get(t, r->id, &p->own);
		if (rc != 0 && rc != STORE_NOTFOUND)
			goto out;
	} else {
		memset(&p->own, 0, sizeof(p->own));
		p->own.open_to_collaborate = 1;   /* the seed's words */
	}
	p->wl = (struct work_list){ t, r, coauthor_slug, p };
	/* The list with years is worth showing once it says more than the
	 * badges: a past institution, or years. */
	{
		size_t pos = 0;
		int more = 0;

		while (store_researcher_inst_next(r, &pos, &p->inst) == 0) {
			p->n_history++;
			more |= !p->inst.current || p->inst.first > 0;
		}
		if (!more)
			p->n_history = 0;
	}
	read_years(p);
	p->n_alts = profile_alt_names(r, p->alts);
	if ((rc = read_coauthors(p)) != 0)
		goto out;

	/* Strings for the layout and the page, all in one scratch buffer;
	 * the svs are taken once it stops growing. Data only: escaped
	 * where the templates put it. */
	buf_put(&p->scratch, r->name.p, r->name.n);
	buf_puts(&p->scratch, " · Researcher profile");
	title_len = p->scratch.len;
	desc_off = p->scratch.len;
	buf_put(&p->scratch, r->name.p, r->name.n);
	buf_puts(&p->scratch, ": researcher profile on BZPEER with ");
	buf_putu64(&p->scratch, r->works);
	buf_puts(&p->scratch, " works, ");
	buf_putu64(&p->scratch, r->topics);
	buf_puts(&p->scratch, " topics and ");
	buf_putu64(&p->scratch, r->close_collaborators);
	buf_puts(&p->scratch, " close collaborators.");
	desc_len = p->scratch.len - desc_off;
	canon_off = p->scratch.len;
	buf_puts(&p->scratch, "/researchers/");
	url_arg(&p->scratch, r->slug);
	orcid_off = p->scratch.len;
	if (r->orcid.n) {
		buf_puts(&p->scratch, "https://orcid.org/");
		buf_put(&p->scratch, r->orcid.p, r->orcid.n);
	}
	feed_off = p->scratch.len;
	buf_puts(&p->scratch, "/researchers/");
	url_arg(&p->scratch, r->slug);
	buf_puts(&p->scratch, "/works.atom");
	json_off = p->scratch.len;
	buf_puts(&p->scratch, "/researchers/");
	url_arg(&p->scratch, r->slug);
	buf_puts(&p->scratch, ".json");
	p->canonical = (struct sv){ p->scratch.p + canon_off, orcid_off - canon_off };
	p->orcid_url = (struct sv){ p->scratch.p + orcid_off,
	    feed_off - orcid_off };

	memset(&l, 0, sizeof(l));
	l.title = (struct sv){ p->scratch.p, title_len };
	l.description = (struct sv){ p->scratch.p + desc_off, desc_len };
	l.canonical = p->canonical;
	l.kind = SV_LIT("profile");
	l.og_type = SV_LIT("profile");
	l.feed = (struct sv){ p->scratch.p + feed_off, json_off - feed_off };
	l.json = (struct sv){ p->scratch.p + json_off, p->scratch.len - json_off };
	l.content = content;
	l.ops = &profile_ops;
	l.ctx = p;

	pg->status = 200;
	buf_reset(&pg->slug);
	buf_put(&pg->slug, r->slug.p, r->slug.n);
	rc = layout_render(&l, pg);
out:
	buf_free(&p->scratch);
	free(p);
	return rc;
}
