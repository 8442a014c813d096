/* test_views.c: the profile, home and error views over the imported sample catalog, against seed 000; render time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../store/codec.h"
#include "../../store/store.h"
#include "../../views/error.h"
#include "../../views/home.h"
#include "../../views/page.h"
#include "../../views/holes.h"
#include "../../views/profile.h"
#include "../../views/views.h"
#include "check.h"
#include "dirs.h"

/*
 * The visible text of HTML, as tests/e2e/lib.sh reads it: tags become a
 * space, runs of white space one space, the escapes the escapers write
 * decoded. Returns a malloc'd string.
 */
static char *
visible(const char *html, size_t n)
{
	struct buf t = BUF_INIT;
	size_t i = 0;
	char *s;

	while (i < n) {
		char c = html[i];

		if (c == '<') {
			const char *e = memchr(html + i, '>', n - i);

			i = e ? (size_t)(e - html) + 1 : n;
			c = ' ';
		} else if (c == '&') {
			static const struct { const char *e; char c; } ent[] = {
				{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
				{ "&#34;", '"' }, { "&#39;", '\'' }, { "&quot;", '"' },
			};
			size_t k;

			for (k = 0; k < 6; k++)
				if (strncmp(html + i, ent[k].e, strlen(ent[k].e)) == 0)
					break;
			if (k < 6) {
				c = ent[k].c;
				i += strlen(ent[k].e);
			} else
				i++;
		} else
			i++;
		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && t.len && t.p[t.len - 1] == ' ')
			continue;
		buf_putc(&t, c);
	}
	s = strndup(t.p ? t.p : "", t.len);
	buf_free(&t);
	return s;
}

/* Each needle after the previous one in text; prints the first miss. */
static int
in_order(const char *text, const char *const *needles, size_t n)
{
	const char *at = text;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *f = strstr(at, needles[i]);

		if (f == NULL) {
			printf("# missing or out of order: %.120s\n", needles[i]);
			return 0;
		}
		at = f + strlen(needles[i]);
	}
	return 1;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Seed 000's works as "type year venue", title, abstract triples. */
static size_t
seed_works(char ***out)
{
	char p0[700], line[16384], **v = NULL;
	size_t n = 0;
	FILE *f;
	int on = 0;

	snprintf(p0, sizeof(p0), "%s/docs/seeds/000-profile.txt", root);
	REQUIRE((f = fopen(p0, "r")) != NULL);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (!on) {
			on = strcmp(line, "13 published item(s)") == 0;
			continue;
		}
		if (len == 0)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		REQUIRE(v != NULL);
		if (n % 3 == 0) {
			/* "preprint2026arXiv" -> "preprint 2026 arXiv" */
			char meta[600];
			size_t a = 0;

			while (line[a] && (line[a] < '0' || line[a] > '9'))
				a++;
			snprintf(meta, sizeof(meta), "%.*s %.4s %s", (int)a, line,
			    line + a, len >= a + 4 ? line + a + 4 : "");
			v[n++] = strdup(meta);
		} else
			v[n++] = strdup(line);
	}
	fclose(f);
	*out = v;
	return n;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and 99th percentile of n timings of render (+ fill). */
static void
bench(struct store_rtxn *t, const struct store_researcher *r)
{
	enum { N = 3000 };
	static double dt[N], df[N];
	struct page pg;
	struct buf out = BUF_INIT;
	struct viewer v;
	int i, bad = 0;

	memset(&v, 0, sizeof(v));
	page_init(&pg);
	for (i = 0; i < N; i++) {
		double t0 = mono_now() * 1e6, t1;

		page_reset(&pg);
		if (view_profile(t, r, &pg) != 0)
			bad++;
		t1 = mono_now() * 1e6;
		buf_reset(&out);
		page_fill(&pg, &v, &out);
		dt[i] = t1 - t0;
		df[i] = mono_now() * 1e6 - t1;
	}
	qsort(dt, N, sizeof(dt[0]), cmp_double);
	qsort(df, N, sizeof(df[0]), cmp_double);
	printf("# profile render (store reads + template, %zu bytes, %u holes): "
	    "median %.1f us, p99 %.1f us; page_fill median %.1f us (%d runs)\n",
	    pg.body.len, pg.nholes, dt[N / 2], dt[N * 99 / 100], df[N / 2], N);
	CHECK(bad == 0);
	page_free(&pg);
	buf_free(&out);
}

int
main(void)
{
	static const char *const catalog[] = {
		"--authors", "store/sample/authors.jsonl",
		"--works", "store/sample/works.jsonl",
		"--works", "tests/fixtures/hostile-works.jsonl",
		NULL
	};
	char dir[] = "/tmp/bzpeer-test-views-XXXXXX", cmd[4096];
	struct buf out = BUF_INIT;
	struct store *s = NULL;
	struct store_rtxn *t = NULL;
	struct store_researcher r, z;
	struct page pg;
	struct viewer v;
	char *text, **works = NULL;
	size_t nworks, i;
	int rc;

	import_catalog(dir, catalog);
	rc = store_open(dir, STORE_RDONLY, &s);
	REQUIRE(rc == 0);
	REQUIRE(store_read_begin(s, &t) == 0);
	REQUIRE(store_researcher_by_slug(t, SV_LIT("sanjeev-arora"), &r) == 0);

	/* ---- the sample profile, signed out, against seed 000 ---- */
	page_init(&pg);
	rc = view_profile(t, &r, &pg);
	CHECK(rc == 0);
	CHECK(pg.status == 200);
	CHECK(pg.slug.len == 13 && memcmp(pg.slug.p, "sanjeev-arora", 13) == 0);
	CHECK(pg.nholes == 5);
	memset(&v, 0, sizeof(v));
	page_fill(&pg, &v, &out);
	text = visible(out.p, out.len);
	{
		static const char *const seed[] = {
			"Researcher profile", "Sanjeev Arora",
			"Sanjeev Arora contributes to research discovery and scholarly infrastructure.",
			"Researcher", "Affiliation not imported", "Open to collaborate",
			"Trust snapshot", "Quick read", "Trust 21 - Emerging",
			"Verification L1", "Unclaimed author",
			"13 works", "0 followers", "6 topics", "4 close collaborators",
			"Actions", "Decide how to stay connected", "Follow researcher 0",
			"Identity and collaboration", "How to connect with this researcher",
			"Claiming links this public author record to a researcher profile and unlocks direct collaboration workflows.",
			"Log in to claim",
			"Direct collaboration", "Open a focused conversation when the fit is right",
			"Claim this author entity first to unlock direct invitations.",
			"Research graph", "See the researcher in context", "Open full explorer",
			"Inspect adjacent work, topics, institutions and collaborators without jumping out to a separate graph page.",
			"Close collaborators", "Topics",
			"Published work", "13 published item(s)",
		};
		CHECK(in_order(text, seed, sizeof(seed) / sizeof(seed[0])));
	}
	nworks = seed_works(&works);
	CHECK(nworks == 39);
	CHECK(nworks > 0 && in_order(text, (const char *const *)works, nworks));
	CHECK(has(text, "$\\mathcal{O}(1)$") && has(text, "{\\em very overparametrized}"));

	/* markup the page must carry */
	CHECK(has(out.p, "<!doctype html>") && has(out.p, "<html lang=\"en\">"));
	CHECK(has(out.p, "<meta charset=\"utf-8\">"));
	CHECK(has(out.p, "name=\"viewport\""));
	CHECK(has(out.p, "<title>Sanjeev Arora · Researcher profile · BZPEER</title>"));
	CHECK(has(out.p, "<link rel=\"canonical\" href=\"/researchers/sanjeev-arora\">"));
	CHECK(has(out.p, "<meta name=\"description\" content=\"Sanjeev Arora: "));
	{
		char link[160];

		snprintf(link, sizeof(link), "<link rel=\"stylesheet\" href=\"%s\">",
		    views_static_url(VS_CSS));
		CHECK(has(out.p, link) && has(link, "/static/bzpeer."));
	}
	CHECK(has(out.p, "action=\"/researchers\"") && has(out.p, "name=\"q\""));
	CHECK(has(out.p, "href=\"/researchers/sanjeev-arora/graph\""));
	CHECK(has(out.p, "action=\"/researchers/sanjeev-arora/follow\""));
	CHECK(has(out.p, "href=\"/login?next=%2Fresearchers%2Fsanjeev-arora\""));
	CHECK(has(out.p, "href=\"/researchers/zhiyuan-li\""));
	CHECK(has(out.p, "\"name\":\"Sanjeev Arora\""));
	CHECK(!has(out.p, "style=") && !has(out.p, "<style") &&
	    !has(out.p, "<script>") && !has(out.p, "http://") &&
	    !has(out.p, "src=\"http"));
	CHECK(!has(out.p, "{{"));
	free(text);

	/* signed in: the session bar, csrf in both forms, the claim form */
	buf_reset(&out);
	v.user = SV_LIT("eve");
	v.csrf = SV_LIT("c5rf");
	v.followers = 3;
	page_fill(&pg, &v, &out);
	text = visible(out.p, out.len);
	{
		static const char *const in[] = { "Signed in as eve", "3 followers",
		    "Follow researcher 3", "Claim this profile" };
		CHECK(in_order(text, in, 4));
	}
	CHECK(has(out.p, "action=\"/researchers/sanjeev-arora/claim\""));
	free(text);

	/* ---- hostile data is escaped everywhere ---- */
	rc = store_researcher_by_slug(t, SV_LIT("gregoire-levy"), &z);
	CHECK(rc == 0);
	if (rc == 0) {
		page_reset(&pg);
		buf_reset(&out);
		memset(&v, 0, sizeof(v));
		CHECK(view_profile(t, &z, &pg) == 0);
		page_fill(&pg, &v, &out);
		CHECK(has(out.p, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		CHECK(!has(out.p, "<script>alert") && !has(out.p, "<img src=x") &&
		    !has(out.p, "<iframe") && !has(out.p, "javascript:") &&
		    !has(out.p, "\"><img") && !has(out.p, "</li><script>"));
		text = visible(out.p, out.len);
		CHECK(has(text, "<script>alert(1)</script> & \"quotes\""));
		free(text);
	}

	/* ---- home: all, a prefix, nothing, past the end ---- */
	page_reset(&pg);
	buf_reset(&out);
	CHECK(view_home(t, SV_LIT(""), 1, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/researchers/sanjeev-arora\""));
	CHECK(!has(out.p, "<img src=x"));
	/* 50 a page in name order: more than 50 researchers make a page 2 */
	CHECK(has(out.p, "href=\"/researchers?page=2\""));
	page_reset(&pg);
	buf_reset(&out);
	CHECK(view_home(t, SV_LIT(""), 2, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/researchers/zhiyuan-li\"") &&
	    has(out.p, "href=\"/researchers?page=1\"") &&
	    !has(out.p, "href=\"/researchers/sanjeev-arora\""));
	page_reset(&pg);
	buf_reset(&out);
	CHECK(view_home(t, SV_LIT("sanj"), 1, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/researchers/sanjeev-arora\"") &&
	    !has(out.p, "href=\"/researchers/zhiyuan-li\""));
	CHECK(has(out.p, "value=\"sanj\""));
	page_reset(&pg);
	buf_reset(&out);
	CHECK(view_home(t, SV_LIT("zz\"<b>&"), 1, &pg) == 0);
	page_fill(&pg, &v, &out);
	text = visible(out.p, out.len);
	CHECK(has(text, "No researcher matches “zz\"<b>&”"));
	CHECK(!has(out.p, "<b>&"));
	free(text);
	page_reset(&pg);
	buf_reset(&out);
	CHECK(view_home(t, SV_LIT("sanj"), 7, &pg) == 0);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/researchers?q=sanj&amp;page=1\""));

	/* ---- error page in the layout ---- */
	page_reset(&pg);
	buf_reset(&out);
	view_error(404, "Researcher not found", "No researcher <here>.",
	    SV_LIT(""), &pg);
	CHECK(pg.status == 404);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/static/bzpeer.") &&
	    has(out.p, "Researcher not found") && has(out.p, "No researcher &lt;here&gt;."));
	CHECK(has(out.p, "href=\"/login?next=%2F\""));
	CHECK(!has(out.p, "Back to the profile"));
	/* An error about a profile leads back to it. */
	page_reset(&pg);
	buf_reset(&out);
	view_error(403, "Form expired", "Reload.", SV_LIT("/researchers/a\"b"), &pg);
	page_fill(&pg, &v, &out);
	CHECK(has(out.p, "href=\"/researchers/a&quot;b\">Back to the profile</a>") ||
	    has(out.p, "href=\"/researchers/a&#34;b\">Back to the profile</a>"));

	/* ---- alternative names: escaped, the display name and repeats
	 * left out, at most PROFILE_ALTS_MAX ---- */
	{
		struct store_researcher a = r;
		struct buf al = BUF_INIT;
		struct sv names[PROFILE_ALTS_MAX];
		int k;

		rec_put_str(&al, SV_LIT("S. <b>Arora</b>"));
		rec_put_str(&al, SV_LIT("Sanjeev Arora"));
		rec_put_str(&al, SV_LIT("  "));
		rec_put_str(&al, SV_LIT("S. <b>Arora</b>"));
		rec_put_str(&al, SV_LIT("</script><script>x()</script>"));
		for (k = 0; k < 12; k++)
			rec_put_str(&al, (struct sv){ "ABCDEFGHIJKL" + k, 1 });
		a.n_alts = 17;
		a.raw_alts = al.p;
		a.raw_alts_len = al.len;
		CHECK(profile_alt_names(&a, names) == PROFILE_ALTS_MAX);
		CHECK(sv_eq_cstr(names[0], "S. <b>Arora</b>") &&
		    sv_eq_cstr(names[1], "</script><script>x()</script>") &&
		    sv_eq_cstr(names[2], "A") && sv_eq_cstr(names[9], "H"));
		page_reset(&pg);
		buf_reset(&out);
		CHECK(view_profile(t, &a, &pg) == 0);
		page_fill(&pg, &v, &out);
		CHECK(has(out.p, "Also published as <span class=\"alt-name\">"
		    "S. &lt;b&gt;Arora&lt;/b&gt;</span>; <span class=\"alt-name\">"
		    "&lt;/script&gt;"));
		CHECK(has(out.p, "\"alternateName\":[\"S. \\u003cb\\u003eArora"));
		CHECK(has(out.p, "<span class=\"alt-name\">H</span></p>") &&
		    !has(out.p, ">I</span>"));
		CHECK(!has(out.p, "<script>x()"));
		buf_free(&al);
	}

	/* ---- time ---- */
	bench(t, &r);

	for (i = 0; i < nworks; i++)
		free(works[i]);
	free(works);
	page_free(&pg);
	buf_free(&out);
	store_read_end(t);
	store_close(s);
	views_unload();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	CHECK_DONE();
}
