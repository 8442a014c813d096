/* test_sample.c: bzpeer-import on store/sample gives the seed profile's figures (store/sample/README.md). */
#include <string.h>

#include "../../store/store.h"
#include "check.h"
#include "test_import_util.h"

struct walk {
	struct store_rtxn *t;
	int n, ok;
	int last_year;
	struct buf ids;
};

static int
each_coauthor(void *ctx, const struct store_coauthor *c)
{
	struct walk *w = ctx;
	struct store_researcher back;

	/* Every co-author has a profile of their own, reachable by slug. */
	if (c->r.slug.n == 0 ||
	    store_researcher_by_slug(w->t, c->r.slug, &back) != 0 ||
	    !sv_eq(back.id, c->r.id) || c->r.works == 0 || c->shared == 0)
		w->ok = 0;
	if (w->n < 5) {
		if (w->ids.len)
			buf_putc(&w->ids, ' ');
		buf_put(&w->ids, c->r.id.p, c->r.id.n);
		buf_putc(&w->ids, ':');
		buf_putu64(&w->ids, c->shared);
	}
	w->n++;
	return 0;
}

static int
each_work(void *ctx, const struct store_work *wk)
{
	struct walk *w = ctx;

	if (w->n > 0 && wk->year > w->last_year)
		w->ok = 0;          /* newest first */
	w->last_year = wk->year;
	if (w->n == 0 && !sv_eq_cstr(wk->title, "When Errors Can Be Beneficial: "
	    "A Categorization of Imperfect Rewards for Policy Gradient"))
		w->ok = 0;
	if (w->n == 6 && (!sv_eq_cstr(wk->id, "W9000000007") ||
	    memmem(wk->abstract.p, wk->abstract.n, "to some some efficient "
	    "attacks", 29) == NULL))
		w->ok = 0;
	if (!sv_eq_cstr(wk->type, "preprint") || !sv_eq_cstr(wk->venue, "arXiv"))
		w->ok = 0;
	w->n++;
	return 0;
}

static int
each_topic(void *ctx, const struct store_topic_count *tc)
{
	struct walk *w = ctx;

	if (w->ids.len)
		buf_putc(&w->ids, ' ');
	buf_put(&w->ids, tc->topic.id.p, tc->topic.id.n);
	buf_putc(&w->ids, ':');
	buf_putu64(&w->ids, tc->works);
	w->n++;
	return 0;
}

static int
each_name(void *ctx, const struct store_researcher *r)
{
	struct walk *w = ctx;

	if (w->ids.len)
		buf_putc(&w->ids, ' ');
	buf_put(&w->ids, r->slug.p, r->slug.n);
	return 0;
}

/* A search's slugs, in order, start with want; total, unless < 0. */
static int
names_found(struct store_rtxn *t, struct walk *w, const char *q,
    const char *want, long total)
{
	size_t n = 0;
	int ok;

	buf_reset(&w->ids);
	ok = store_researchers_by_name(t, sv_cstr(q), 0, 0, &n, each_name,
	    w) == 0 && w->ids.len >= strlen(want) &&
	    (*want == '\0' || memcmp(w->ids.p, want, strlen(want)) == 0) &&
	    (total < 0 || n == (size_t)total);
	if (!ok)
		printf("# search \"%s\": %zu \"%.*s\"\n", q, n, (int)w->ids.len,
		    w->ids.p ? w->ids.p : "");
	return ok;
}

/* One row of store/sample/README.md's "Other profiles" table. */
static int
profile(struct store_rtxn *t, const char *slug, uint32_t works,
    uint32_t topics, uint32_t close, unsigned trust)
{
	struct store_researcher r;
	int ok = store_researcher_by_slug(t, sv_cstr(slug), &r) == 0 &&
	    r.works == works && r.topics == topics &&
	    r.close_collaborators == close && store_level(&r) == 1 &&
	    store_trust(&r) == trust &&
	    strcmp(store_trust_band(trust), "Emerging") == 0;

	if (!ok)
		printf("# %s: works %u topics %u close %u trust %u\n", slug,
		    r.works, r.topics, r.close_collaborators, store_trust(&r));
	return ok;
}

int
main(void)
{
	char *scratch = tdir_make();
	const char *store = path_in(scratch, "sample");
	const char *out = path_in(scratch, "out");
	struct store *s;
	struct store_rtxn *t;
	struct store_researcher r;
	struct walk w;
	struct buf b = BUF_INIT;
	uint64_t followers = 1;
	size_t total = 0;

	REQUIRE(run(out, NULL, bin("bzpeer-import"), "--store", store,
	    "--authors", root_path("store/sample/authors.jsonl"),
	    "--works", root_path("store/sample/works.jsonl"), NULL) == 0);
	REQUIRE(slurp(out, &b) == 0);
	CHECK(has(&b, ": 7 authors, 29 works, 0 bad lines, generation 1 ("));

	REQUIRE(store_open(store, STORE_RDONLY, &s) == 0);
	REQUIRE(store_read_begin(s, &t) == 0);

	/* The seed profile: 13 works, 6 topics, 4 close, Trust 21 Emerging, L1. */
	REQUIRE(store_researcher_by_slug(t, SV_LIT("sanjeev-arora"), &r) == 0);
	CHECK(sv_eq_cstr(r.id, "A5000000001"));
	CHECK(sv_eq_cstr(r.name, "Sanjeev Arora"));
	CHECK(r.works == 13);
	CHECK(r.topics == 6);
	CHECK(r.close_collaborators == 4);
	CHECK(r.coauthors == 22);
	CHECK(store_level(&r) == 1);
	CHECK(store_trust(&r) == 21);
	CHECK(strcmp(store_trust_band(store_trust(&r)), "Emerging") == 0);
	CHECK(r.claim == STORE_CLAIM_NONE && r.institution.n == 0);
	CHECK(r.first_year == 2020 && r.last_year == 2026);
	CHECK(store_followers(t, r.id, &followers) == 0 && followers == 0);
	CHECK(store_researcher_by_id(t, SV_LIT("A5000000001"), &r) == 0 &&
	    sv_eq_cstr(r.slug, "sanjeev-arora"));

	memset(&w, 0, sizeof(w));
	w.t = t;
	w.ok = 1;
	CHECK(store_researcher_coauthors(t, r.id, 0, each_coauthor, &w) == 0);
	CHECK(w.ok && w.n == 22);
	CHECK(sv_eq_cstr((struct sv){ w.ids.p, w.ids.len }, "A5000000005:3 "
	    "A5000000002:2 A5000000006:2 A5000000007:2 A5000000003:1"));

	buf_reset(&w.ids);
	w.n = 0;
	w.ok = 1;
	CHECK(store_researcher_works(t, r.id, 0, 0, each_work, &w) == 0);
	CHECK(w.ok && w.n == 13 && w.last_year == 2020);

	buf_reset(&w.ids);
	w.n = 0;
	CHECK(store_researcher_topics(t, r.id, 0, each_topic, &w) == 0);
	CHECK(w.n == 6 && sv_eq_cstr((struct sv){ w.ids.p, w.ids.len },
	    "T90001:7 T90002:6 T90003:3 T90004:2 T90005:2 T90006:1"));

	/* The other profiles of the sample README. */
	CHECK(profile(t, "zhiyuan-li", 7, 4, 3, 16));
	CHECK(profile(t, "tianhao-wang", 5, 2, 4, 16));
	CHECK(profile(t, "jason-lee", 9, 5, 2, 17));
	CHECK(profile(t, "nikunj-umesh-saunshi", 3, 4, 2, 13));
	CHECK(profile(t, "sham-kakade", 5, 3, 4, 16));
	CHECK(profile(t, "yi-zhang", 2, 3, 1, 12));
	CHECK(profile(t, "tengyu-ma", 3, 3, 1, 12));
	CHECK(profile(t, "quanquan-gu", 3, 2, 3, 14));
	CHECK(profile(t, "qi-lei", 4, 5, 1, 14));

	/* Finding him by name. */
	buf_reset(&w.ids);
	CHECK(store_researchers_by_name(t, SV_LIT("SANJ"), 0, 10, &total,
	    each_name, &w) == 0 && total == 2 &&
	    sv_eq_cstr((struct sv){ w.ids.p, w.ids.len },
	    "sanjeev-arora sanjiv-kumar"));
	/* Any part of a name: a last name alone, initials, any order. */
	CHECK(names_found(t, &w, "arora", "sanjeev-arora", 1));
	CHECK(names_found(t, &w, "kakade", "sham-kakade", 1));
	CHECK(names_found(t, &w, "lee", "jason-lee holden-lee", 2));  /* 9 works, then 1 */
	CHECK(names_found(t, &w, "Lee, Jason", "jason-lee", 1));
	CHECK(names_found(t, &w, "S. Arora", "sanjeev-arora", 1));
	/* Names starting with it first, then the others by works. */
	CHECK(names_found(t, &w, "ma", "manzil-zaheer tengyu-ma", 5));

	store_read_end(t);
	store_close(s);
	buf_free(&w.ids);
	buf_free(&b);
	tdir_remove(scratch);
	CHECK_DONE();
}
