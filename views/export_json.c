/* export_json.c: {slug}.json: a researcher's profile and works for programs (export_json). */
#include "export.h"

#include <string.h>

#include "html.h"
#include "json.h"
#include "profile.h"
#include "work.h"

static const char *
claim_name(int claim)
{
	switch (claim) {
	case STORE_CLAIM_PENDING:  return "pending";
	case STORE_CLAIM_APPROVED: return "claimed";
	}
	return "unclaimed";
}

struct jctx {
	struct store_rtxn             *t;
	const struct store_researcher *r;
	struct jw                      j;
	struct buf                     tmp;
	struct store_researcher        a_rec;
};

/* "openalex": the id as OpenAlex's URL for it. */
static void
json_openalex(struct jctx *c, struct sv id)
{
	buf_reset(&c->tmp);
	buf_puts(&c->tmp, "https://openalex.org/");
	buf_put(&c->tmp, id.p, id.n);
	jw_str(&c->j, "openalex", (struct sv){ c->tmp.p, c->tmp.len });
}

static int
json_work_cb(void *ctx, const struct store_work *w)
{
	struct jctx *c = ctx;
	struct jw *j = &c->j;
	struct store_author_ref a;
	struct store_topic_ref tp;
	size_t pos = 0;
	int rc;

	jw_obj_open(j, NULL);
	jw_str_or_null(j, "id", w->id);
	json_openalex(c, w->id);
	jw_str_or_null(j, "title", w->title);
	jw_str_or_null(j, "type", w->type);
	jw_int_or_null(j, "year", w->year);
	jw_str_or_null(j, "venue", w->venue);
	jw_str_or_null(j, "doi", w->doi);
	jw_str_or_null(j, "landing_url", w->landing_url);
	jw_str_or_null(j, "url", work_url(w));
	jw_str_or_null(j, "abstract", w->abstract);
	jw_str_or_null(j, "publication_date", w->date);
	jw_uint(j, "cited_by_count", w->cited);
	jw_str_or_null(j, "oa_url", w->oa_url);
	jw_bool(j, "is_retracted", (w->flags & STORE_WORK_RETRACTED) != 0);
	jw_arr_open(j, "authors");
	while ((rc = store_work_author_next(w, &pos, &a)) == 0) {
		struct sv slug = { "", 0 };

		if (sv_eq(a.id, c->r->id))
			slug = c->r->slug;
		else if (a.id.n) {
			rc = store_researcher_by_id(c->t, a.id, &c->a_rec);
			if (rc == 0)
				slug = c->a_rec.slug;
			else if (rc != STORE_NOTFOUND)
				return rc;
		}
		jw_obj_open(j, NULL);
		jw_str_or_null(j, "id", a.id);
		jw_str_or_null(j, "name", a.name);
		jw_str_or_null(j, "slug", slug);
		jw_obj_close(j);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	jw_arr_close(j);
	jw_arr_open(j, "topics");
	pos = 0;
	while ((rc = store_work_topic_next(w, &pos, &tp)) == 0) {
		jw_obj_open(j, NULL);
		jw_str_or_null(j, "id", tp.id);
		jw_str_or_null(j, "name", tp.name);
		jw_obj_close(j);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	jw_arr_close(j);
	jw_obj_close(j);
	return 0;
}

static int
json_coauthor_cb(void *ctx, const struct store_coauthor *co)
{
	struct jw *j = &((struct jctx *)ctx)->j;

	jw_obj_open(j, NULL);
	jw_str_or_null(j, "id", co->r.id);
	jw_str_or_null(j, "slug", co->r.slug);
	jw_str_or_null(j, "name", co->r.name);
	jw_str_or_null(j, "institution", co->r.institution);
	jw_uint(j, "shared_works", co->shared);
	jw_bool(j, "close", co->shared >= 2);
	jw_obj_close(j);
	return 0;
}

static int
json_topic_cb(void *ctx, const struct store_topic_count *tc)
{
	struct jw *j = &((struct jctx *)ctx)->j;

	jw_obj_open(j, NULL);
	jw_str_or_null(j, "id", tc->topic.id);
	jw_str_or_null(j, "name", tc->topic.name);
	jw_uint(j, "works", tc->works);
	jw_obj_close(j);
	return 0;
}

int
export_json(struct store_rtxn *t, const struct store_researcher *r,
    uint64_t followers, struct buf *out)
{
	struct jctx c;
	struct jw *j = &c.j;
	unsigned trust = store_trust(r);
	int rc;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.r = r;
	jw_init(j, out);
	jw_obj_open(j, NULL);
	jw_str_or_null(j, "id", r->id);
	json_openalex(&c, r->id);
	jw_str_or_null(j, "slug", r->slug);
	buf_reset(&c.tmp);
	buf_puts(&c.tmp, "/researchers/");
	url_arg(&c.tmp, r->slug);
	jw_str(j, "url", (struct sv){ c.tmp.p, c.tmp.len });
	jw_str_or_null(j, "name", r->name);
	jw_str_or_null(j, "orcid", r->orcid);
	jw_arr_open(j, "alternative_names");
	{
		struct sv alts[PROFILE_ALTS_MAX];
		size_t i, n = profile_alt_names(r, alts);

		for (i = 0; i < n; i++)
			jw_str(j, NULL, alts[i]);
	}
	jw_arr_close(j);
	jw_str_or_null(j, "institution", r->institution);
	jw_obj_open(j, "figures");
	jw_uint(j, "works", r->works);
	jw_uint(j, "followers", followers);
	jw_uint(j, "topics", r->topics);
	jw_uint(j, "close_collaborators", r->close_collaborators);
	jw_uint(j, "coauthors", r->coauthors);
	/* Over the catalog's works; OpenAlex's own below, when it gave them. */
	jw_uint(j, "citations", r->cited);
	jw_uint(j, "h_index", r->h_index);
	jw_uint(j, "i10_index", r->i10_index);
	jw_obj_close(j);
	if (r->oa_stats || r->oa_cited) {
		/* h and i10 only from summary_stats (author records of 2023 on) */
		jw_obj_open(j, "openalex_figures");
		jw_uint(j, "citations", r->oa_cited);
		if (r->oa_stats) {
			jw_uint(j, "h_index", r->oa_h_index);
			jw_uint(j, "i10_index", r->oa_i10_index);
		} else {
			jw_null(j, "h_index");
			jw_null(j, "i10_index");
		}
		jw_obj_close(j);
	} else
		jw_null(j, "openalex_figures");
	jw_arr_open(j, "institutions");
	{
		struct store_inst x;
		size_t pos = 0;

		while (store_researcher_inst_next(r, &pos, &x) == 0) {
			jw_obj_open(j, NULL);
			jw_str_or_null(j, "name", x.name);
			jw_bool(j, "current", x.current);
			jw_int_or_null(j, "first_year", x.first);
			jw_int_or_null(j, "last_year", x.last);
			jw_obj_close(j);
		}
	}
	jw_arr_close(j);
	jw_arr_open(j, "counts_by_year");
	{
		struct store_year y;
		size_t pos = 0;

		while (store_researcher_year_next(r, &pos, &y) == 0) {
			jw_obj_open(j, NULL);
			jw_int(j, "year", y.year);
			jw_uint(j, "works_count", y.works);
			jw_uint(j, "cited_by_count", y.cited);
			jw_obj_close(j);
		}
	}
	jw_arr_close(j);
	jw_obj_open(j, "trust");
	jw_uint(j, "score", trust);
	jw_str(j, "band", sv_cstr(store_trust_band(trust)));
	jw_obj_close(j);
	jw_uint(j, "verification_level", store_level(r));
	jw_str(j, "claim", sv_cstr(claim_name(r->claim)));
	/* What the owner of a claimed profile says of it; null otherwise. */
	{
		struct store_owner_settings o;

		if (r->claim != STORE_CLAIM_APPROVED)
			jw_null(j, "owner");
		else {
			rc = store_owner_settings_get(t, r->id, &o);
			if (rc != 0 && rc != STORE_NOTFOUND)
				goto out;
			jw_obj_open(j, "owner");
			jw_str_or_null(j, "bio", o.bio);
			jw_str_or_null(j, "homepage", o.homepage);
			jw_bool(j, "open_to_collaborate", o.open_to_collaborate);
			jw_obj_close(j);
		}
	}
	jw_int_or_null(j, "first_year", r->first_year);
	jw_int_or_null(j, "last_year", r->last_year);
	jw_arr_open(j, "works");
	if ((rc = store_researcher_works(t, r->id, 0, 0, json_work_cb, &c)) != 0)
		goto out;
	jw_arr_close(j);
	jw_arr_open(j, "coauthors");
	if ((rc = store_researcher_coauthors(t, r->id, 0, json_coauthor_cb, &c)) != 0)
		goto out;
	jw_arr_close(j);
	jw_arr_open(j, "topics");
	if ((rc = store_researcher_topics(t, r->id, 0, json_topic_cb, &c)) != 0)
		goto out;
	jw_arr_close(j);
	jw_obj_close(j);
	buf_putc(out, '\n');
out:
	buf_free(&c.tmp);
	return rc;
}
