/* test_pview.c: the profile's one record per researcher (pviews) answers as the lists do, and follows renames of co-authors. */
#include <string.h>

#include "../../store/store.h"
#include "check.h"
#include "store_fixture.h"

/* Every researcher the fixture catalog has, and ids it has not. */
static const char *const ids[] = { "A1", "A0123", "A101", "A102", "A103",
	"A104", "A106", "A108", "A199", "A999" };

#define MAXN 64

struct got {
	size_t n;
	struct {
		char id[32], name[160], slug[160], inst[160];
		uint32_t shared, works;
	} c[MAXN];
	struct {
		char id[32], title[200];
		uint64_t cited;
		uint32_t n_authors;
	} w[MAXN];
};

static void
cpy(char *dst, size_t n, struct sv s)
{
	snprintf(dst, n, "%.*s", (int)s.n, s.p);
}

static int
co_cb(void *ctx, const struct store_coauthor *c)
{
	struct got *g = ctx;

	REQUIRE(g->n < MAXN);
	cpy(g->c[g->n].id, 32, c->r.id);
	cpy(g->c[g->n].name, 160, c->r.name);
	cpy(g->c[g->n].slug, 160, c->r.slug);
	cpy(g->c[g->n].inst, 160, c->r.institution);
	g->c[g->n].shared = c->shared;
	g->c[g->n].works = c->r.works;
	g->n++;
	return 0;
}

static int
work_cb(void *ctx, const struct store_work *w)
{
	struct got *g = ctx;

	REQUIRE(g->n < MAXN);
	cpy(g->w[g->n].id, 32, w->id);
	cpy(g->w[g->n].title, 200, w->title);
	g->w[g->n].cited = w->cited;
	g->w[g->n].n_authors = w->n_authors;
	g->n++;
	return 0;
}

/*
 * The profile walks give what the list walks give, for every researcher,
 * at the profile's limits and at smaller ones; returns how many co-authors
 * came from a pviews record (their figures are not in it: works 0).
 */
static size_t
same_as_lists(struct store *s)
{
	static struct got a, b;
	static const size_t limits[] = { 0, 1, 2, 20, 128 };
	struct store_rtxn *t;
	size_t i, j, k, from_record = 0;

	REQUIRE(store_read_begin(s, &t) == 0);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct sv id = sv_cstr(ids[i]);

		for (k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			CHECK(store_researcher_coauthors(t, id, limits[k], co_cb, &a) == 0);
			CHECK(store_profile_coauthors(t, id, limits[k], co_cb, &b) == 0);
			CHECK(a.n == b.n);
			for (j = 0; j < a.n && j < b.n; j++) {
				CHECK(strcmp(a.c[j].id, b.c[j].id) == 0);
				CHECK(strcmp(a.c[j].name, b.c[j].name) == 0);
				CHECK(strcmp(a.c[j].slug, b.c[j].slug) == 0);
				CHECK(strcmp(a.c[j].inst, b.c[j].inst) == 0);
				CHECK(a.c[j].shared == b.c[j].shared);
				from_record += b.c[j].works == 0 && a.c[j].works > 0;
			}
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			CHECK(store_researcher_works(t, id, 0, limits[k], work_cb, &a) == 0);
			CHECK(store_profile_works(t, id, limits[k], work_cb, &b) == 0);
			CHECK(a.n == b.n);
			for (j = 0; j < a.n && j < b.n; j++) {
				CHECK(strcmp(a.w[j].id, b.w[j].id) == 0);
				CHECK(strcmp(a.w[j].title, b.w[j].title) == 0);
				CHECK(a.w[j].cited == b.w[j].cited);
				CHECK(a.w[j].n_authors == b.w[j].n_authors);
			}
		}
	}
	store_read_end(t);
	return from_record;
}

/* The name A101's profile shows for co-author A106. */
static void
coauthor_name(struct store *s, const char *who, const char *co, char *out,
    size_t n)
{
	static struct got g;
	struct store_rtxn *t;

	memset(&g, 0, sizeof(g));
	out[0] = '\0';
	REQUIRE(store_read_begin(s, &t) == 0);
	CHECK(store_profile_coauthors(t, sv_cstr(who), 128, co_cb, &g) == 0);
	store_read_end(t);
	for (size_t j = 0; j < g.n; j++)
		if (strcmp(g.c[j].id, co) == 0)
			snprintf(out, n, "%s", g.c[j].name);
}

int
main(void)
{
	struct store *s;
	char before[160], after[160];

	scratch = tdir_make();
	s = fixture_store("pv", NULL);
	/* the records are there and used */
	CHECK(same_as_lists(s) > 0);
	/* A106 (a co-author of A101) renamed by an author line alone: no work
	 * of A101 changed, yet its record shows the new name */
	coauthor_name(s, "A101", "A106", before, sizeof(before));
	CHECK(before[0] != '\0');
	REQUIRE(import_into(s, fx("authors-v2.jsonl"), NULL) == 0);
	coauthor_name(s, "A101", "A106", after, sizeof(after));
	CHECK(strcmp(after, "Zoe Angstrom-Berg") == 0);
	CHECK(strcmp(before, after) != 0);
	CHECK(same_as_lists(s) > 0);
	/* works changed: the records follow */
	REQUIRE(import_into(s, NULL, fx("works-v2.jsonl")) == 0);
	CHECK(same_as_lists(s) > 0);
	store_close(s);
	tdir_remove(scratch);
	CHECK_DONE();
}
