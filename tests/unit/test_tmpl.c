/* test_tmpl.c: the template engine (parse errors, sections, escapers, holes) and page_fill per viewer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../store/store.h"
#include "../../views/holes.h"
#include "../../views/page.h"
#include "../../views/registry.h"
#include "../../views/tmpl.h"
#include "../../views/views.h"
#include "check.h"

/* ---- a small view for the tests ----------------------------------------- */

/* The holes come last, so that a table without them is a prefix. */
enum {
	S_NAME, S_URL, S_N, S_FLAG, S_ITEMS, S_IT, S_EMPTY, S_PART,
	S_NOHOLES,
	S_SESSION_BAR = S_NOHOLES, S_FLASH, S_FOLLOWERS, S_FOLLOW_FORM, S_CLAIM,
	S__COUNT
};

static const struct tmpl_slot slots[S__COUNT] = {
	[S_NAME] = { "name", TMPL_VAR, 0 },
	[S_URL] = { "url", TMPL_VAR, 0 },
	[S_N] = { "n", TMPL_VAR, 0 },
	[S_FLAG] = { "flag", TMPL_VAR, 0 },
	[S_ITEMS] = { "items", TMPL_SECTION, 0 },
	[S_IT] = { "it", TMPL_VAR, 0 },
	[S_EMPTY] = { "empty", TMPL_SECTION, 0 },
	[S_PART] = { "part", TMPL_PARTIAL, 0 },
	[S_SESSION_BAR] = { "session_bar", TMPL_HOLE, HOLE_SESSION_BAR },
	[S_FLASH] = { "flash", TMPL_HOLE, HOLE_FLASH },
	[S_FOLLOWERS] = { "followers", TMPL_HOLE, HOLE_FOLLOWERS },
	[S_FOLLOW_FORM] = { "follow_form", TMPL_HOLE, HOLE_FOLLOW_FORM },
	[S_CLAIM] = { "claim", TMPL_HOLE, HOLE_CLAIM },
};

static const struct tmpl_def def = { "t.html", slots, S__COUNT, 0 };
/* A view that declares no holes. */
static const struct tmpl_def def_noholes = { "h.html", slots, S_NOHOLES, 0 };

struct tctx {
	const char *name;
	int         flag;
	int         nitems;
	int         item;
	int         calls;      /* items handed to tmpl_sec_render */
	const struct tmpl *part;   /* rendered at {{>part}} when set ... */
	struct page       *pg;     /* ... into this page */
};

static const struct tmpl_ops ops;   /* t_var and t_section, below */

static int
t_var(void *ctx, int slot, struct tmpl_val *out)
{
	struct tctx *c = ctx;
	static const char *const items[] = { "a<1>", "b&2", "c\"3" };

	switch (slot) {
	case S_NAME: return tmpl_str(out, sv_cstr(c->name));
	case S_URL:  return tmpl_str(out, SV_LIT("/x y?z"));
	case S_N:    return tmpl_num(out, 42);
	case S_FLAG: return tmpl_num(out, (uint64_t)c->flag);
	case S_IT:   return tmpl_str(out, sv_cstr(items[c->item % 3]));
	}
	return EINVAL;
}

static int
t_section(void *ctx, int slot, struct tmpl_sec *sec)
{
	struct tctx *c = ctx;
	int rc;

	switch (slot) {
	case S_ITEMS:
		for (c->item = 0; c->item < c->nitems; c->item++) {
			c->calls++;
			if ((rc = tmpl_sec_render(sec)) != 0)
				return rc;
		}
		return 0;
	case S_EMPTY:
		return 0;
	case S_PART:
		return c->part ? view_render(c->part, &ops, c, c->pg) : 0;
	}
	return EINVAL;
}

static const struct tmpl_ops ops = { t_var, t_section };

/* Parses src against def; returns the error text (static) or NULL. */
static const char *
parse_err(const struct tmpl_def *d, const char *src)
{
	static char msg[512];
	struct buf err = BUF_INIT;
	struct tmpl *t = NULL;
	int rc;

	rc = tmpl_parse(d->file, src, strlen(src), d, &t, &err);
	tmpl_free(t);
	if (rc == 0) {
		buf_free(&err);
		return NULL;
	}
	snprintf(msg, sizeof(msg), "%s", err.p ? err.p : "(no message)");
	printf("# %s\n", msg);
	buf_free(&err);
	return msg;
}

/* Renders src with ctx into a fresh page; returns the body (caller frees). */
static char *
render(const char *src, struct tctx *c, struct page *pg, int *rc)
{
	struct buf err = BUF_INIT;
	struct tmpl *t = NULL;
	char *out;

	page_init(pg);
	*rc = tmpl_parse("t.html", src, strlen(src), &def, &t, &err);
	if (*rc != 0) {
		printf("# parse: %s\n", err.p);
		buf_free(&err);
		return strdup("");
	}
	*rc = view_render(t, &ops, c, pg);
	out = strndup(pg->body.p ? pg->body.p : "", pg->body.len);
	tmpl_free(t);
	buf_free(&err);
	return out;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static void
test_parse_errors(void)
{
	const char *e;

	CHECK(parse_err(&def, "<p>{{name}}</p>\n{{#items}}{{it}}{{/items}}") == NULL);
	e = parse_err(&def, "line1\nline2\n<p>{{nmae}}</p>");
	CHECK(e && has(e, "t.html:3:") && has(e, "unknown name \"nmae\""));
	e = parse_err(&def, "a\n{{#items}}\nb\n");
	CHECK(e && has(e, "t.html:2:") && has(e, "never closed"));
	e = parse_err(&def, "{{#items}}{{#flag}}x{{/items}}{{/flag}}");
	CHECK(e && has(e, "t.html:1:") && has(e, "closes {{#flag}}"));
	e = parse_err(&def, "a\n\n\n{{/items}}");
	CHECK(e && has(e, "t.html:4:") && has(e, "closes no section"));
	e = parse_err(&def, "a\nb {{name\n c");
	CHECK(e && has(e, "t.html:2:") && has(e, "unterminated"));
	e = parse_err(&def, "{{name|raw}}");
	CHECK(e && has(e, "unknown escaper"));
	e = parse_err(&def, "{{items}}");
	CHECK(e && has(e, "is a section"));
	e = parse_err(&def, "{{>name}}");
	CHECK(e && has(e, "not a partial"));
	e = parse_err(&def, "{{part}}");
	CHECK(e && has(e, "is a partial"));
	e = parse_err(&def, "{{>nohole}}");
	CHECK(e && has(e, "not a slot"));
	e = parse_err(&def, "{{followers}}");
	CHECK(e && has(e, "is a hole"));
	e = parse_err(&def, "{{#claim}}{{/claim}}");
	CHECK(e && has(e, "is a hole"));
	e = parse_err(&def, "{{{name}}}");
	CHECK(e && has(e, "bad tag"));
	e = parse_err(&def, "{{}}");
	CHECK(e && has(e, "bad tag"));
	e = parse_err(&def, "{{name extra}}");
	CHECK(e && has(e, "bad tag"));
	e = parse_err(&def, "{{#name|attr}}{{/name}}");
	CHECK(e && has(e, "bad tag"));
	e = parse_err(&def_noholes, "x\n{{>followers}}");
	CHECK(e && has(e, "h.html:2:") && has(e, "not a slot"));
	CHECK(parse_err(&def, "{{>followers}}{{>claim}}{{>part}}") == NULL);
	CHECK(parse_err(&def, "{{! a comment with {{ braces }}") == NULL);
	CHECK(parse_err(&def, "{{ name }}{{#flag}}{{/ flag }}") == NULL);
	CHECK(parse_err(&def, "") == NULL);
	CHECK(parse_err(&def, "no tags at all } { }}") == NULL);
}

static void
test_render(void)
{
	struct tctx c = { "<script>alert(1)</script>", 1, 3, 0, 0, NULL, NULL };
	struct page pg;
	char *out;
	int rc;

	/* every escaper; nothing of the hostile value comes through raw */
	out = render("<p>{{name}}</p><a title=\"{{name|attr}}\" "
	    "href=\"/q?x={{name|url}}\">{{n}}</a>"
	    "<script type=\"application/ld+json\">{{name|json}}</script>",
	    &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(has(out, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"));
	CHECK(has(out, "title=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
	CHECK(has(out, "href=\"/q?x=%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""));
	CHECK(has(out, ">42</a>"));
	CHECK(has(out, "\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""));
	CHECK(!has(out, "<script>alert"));
	free(out);
	page_free(&pg);

	/* loop, with escaped items, and nested conditions */
	out = render("<ul>{{#items}}<li>{{it}}{{#flag}}!{{/flag}}</li>{{/items}}</ul>",
	    &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "<ul><li>a&lt;1&gt;!</li><li>b&amp;2!</li>"
	    "<li>c&#34;3!</li></ul>") == 0);
	free(out);
	page_free(&pg);

	/* inverted sections: on a loop with items only one item is asked for */
	c.calls = 0;
	out = render("{{^items}}none{{/items}}|{{^empty}}empty{{/empty}}|"
	    "{{^flag}}off{{/flag}}{{#flag}}on{{/flag}}", &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "|empty|on") == 0);
	CHECK(c.calls == 1);
	free(out);
	page_free(&pg);

	c.nitems = 0;
	c.flag = 0;
	out = render("{{#items}}x{{/items}}{{^items}}none{{/items}}"
	    "{{#flag}}on{{/flag}}{{^flag}}off{{/flag}}{{#name}}named{{/name}}",
	    &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "noneoffnamed") == 0);
	free(out);
	page_free(&pg);

	/* standalone tag lines vanish; white space with a newline shrinks */
	c.nitems = 2;
	out = render("<ul>\n  {{#items}}\n    <li>{{it}}</li>\n  {{/items}}\n"
	    "</ul>\n{{! gone }}\n<p>a  b</p>", &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "<ul>\n<li>a&lt;1&gt;</li>\n<li>b&amp;2</li>\n</ul>\n"
	    "<p>a  b</p>") == 0);
	printf("# [%s]\n", out);
	free(out);
	page_free(&pg);
}

/* A partial's file (TMPL_F_PARTIAL) at {{>part}} alone on a line: one line break. */
static void
test_partial(void)
{
	static const struct tmpl_def def_part = { "p.html", slots, S_NOHOLES,
	    TMPL_F_PARTIAL };
	static const char item[] = "{{! one item }}\n<li>{{it}}</li>\n";
	struct tctx c = { "n", 1, 2, 0, 0, NULL, NULL };
	struct buf err = BUF_INIT;
	struct tmpl *part = NULL, *plain = NULL;
	struct page pg;
	char *out;
	int rc;

	REQUIRE(tmpl_parse("p.html", item, strlen(item), &def_part, &part, &err) == 0);
	REQUIRE(tmpl_parse("q.html", item, strlen(item), &def_noholes, &plain, &err) == 0);
	c.pg = &pg;
	c.part = part;
	out = render("<ol>\n{{#items}}\n{{>part}}\n{{/items}}\n</ol>\n", &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "<ol>\n<li>a&lt;1&gt;</li>\n<li>b&amp;2</li>\n</ol>\n") == 0);
	free(out);
	page_free(&pg);
	/* without the flag the file's own line break doubles each one */
	c.part = plain;
	out = render("<ol>\n{{#items}}\n{{>part}}\n{{/items}}\n</ol>\n", &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "<ol>\n<li>a&lt;1&gt;</li>\n\n<li>b&amp;2</li>\n\n</ol>\n") == 0);
	free(out);
	page_free(&pg);
	tmpl_free(part);
	tmpl_free(plain);
	buf_free(&err);
}

static void
test_holes(void)
{
	struct tctx c = { "n", 1, 0, 0, 0, NULL, NULL };
	struct page pg;
	char *out;
	int rc, i;

	out = render("<b>{{>followers}}</b><div>{{>follow_form}}</div>{{>claim}}",
	    &c, &pg, &rc);
	CHECK(rc == 0);
	CHECK(strcmp(out, "<b></b><div></div>") == 0);
	CHECK(pg.nholes == 3);
	CHECK(pg.holes[0].off == 3 && pg.holes[0].kind == HOLE_FOLLOWERS);
	CHECK(pg.holes[1].off == 12 && pg.holes[1].kind == HOLE_FOLLOW_FORM);
	CHECK(pg.holes[2].off == 18 && pg.holes[2].kind == HOLE_CLAIM);
	free(out);
	page_free(&pg);

	/* more holes than a page can hold: a render error, not a crash */
	page_init(&pg);
	for (i = 0; i < PAGE_MAX_HOLES; i++)
		CHECK(page_hole(&pg, HOLE_FLASH) == 0);
	CHECK(page_hole(&pg, HOLE_FLASH) == ENOSPC);
	page_free(&pg);
}

/* ---- page_fill with the real holes.html ---------------------------------- */

static const char *views_dir;

static void
find_views(void)
{
	static const char *const cand[] = { "views", "../views", "../../views",
	    "../../../views" };
	char path[600];
	size_t i;
	struct stat st;

	static char root_views[512];
	const char *root = getenv("ROOT");   /* set by tests/run.sh */

	views_dir = getenv("BZPEER_VIEWS");
	if (views_dir)
		return;
	if (root) {
		snprintf(root_views, sizeof(root_views), "%s/views", root);
		snprintf(path, sizeof(path), "%s/holes.html", root_views);
		if (stat(path, &st) == 0) {
			views_dir = root_views;
			return;
		}
	}
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		snprintf(path, sizeof(path), "%s/holes.html", cand[i]);
		if (stat(path, &st) == 0) {
			views_dir = cand[i];
			return;
		}
	}
	views_dir = "views";
}

static char *
fill(const struct page *pg, const struct viewer *v)
{
	struct buf out = BUF_INIT;
	char *s;

	page_fill(pg, v, &out);
	s = strndup(out.p ? out.p : "", out.len);
	buf_free(&out);
	return s;
}

static void
test_fill(void)
{
	struct buf err = BUF_INIT;
	struct tctx c = { "n", 1, 0, 0, 0, NULL, NULL };
	struct viewer v;
	struct page pg;
	char *body, *out;
	int rc;

	rc = views_load(views_dir, &err);
	if (rc != 0)
		printf("# views_load(%s): %s\n", views_dir, err.p);
	REQUIRE(rc == 0);
	REQUIRE(views_tmpl(VT_HOLES) != NULL);

	body = render("<nav>{{>session_bar}}</nav>{{>flash}}<main>"
	    "<i>{{>followers}}</i>{{>follow_form}}<div>{{>claim}}</div></main>",
	    &c, &pg, &rc);
	REQUIRE(rc == 0);
	buf_puts(&pg.slug, "sanjeev-arora");

	/* signed out, unclaimed, no flash */
	memset(&v, 0, sizeof(v));
	v.followers = 0;
	out = fill(&pg, &v);
	CHECK(has(out, "href=\"/login?next=%2Fresearchers%2Fsanjeev-arora\">Log in</a>"));
	CHECK(has(out, ">Log in to claim</a>"));
	CHECK(!has(out, "Signed in as"));
	CHECK(!has(out, "role=\"status\""));
	CHECK(has(out, "<i>0</i>"));
	CHECK(has(out, "action=\"/researchers/sanjeev-arora/follow\""));
	CHECK(has(out, "name=\"action\" value=\"follow\""));
	CHECK(has(out, ">Follow researcher</button>"));
	CHECK(!has(out, "name=\"csrf\""));
	CHECK(!has(out, "/claim\""));
	CHECK(has(out, "<nav><a ") && has(out, "</a></nav>"));   /* trimmed */
	printf("# signed out: %s\n", out);
	free(out);

	/* signed in with hostile values; following; flash */
	v.user = SV_LIT("<b>eve</b>\"");
	v.csrf = SV_LIT("tok\"><script>x</script>");
	v.flash = SV_LIT("Now following <Sanjeev> & co");
	v.followers = 7;
	v.following = 1;
	out = fill(&pg, &v);
	CHECK(has(out, "Signed in as <strong>&lt;b&gt;eve&lt;/b&gt;&#34;</strong>"));
	CHECK(has(out, "action=\"/logout\""));
	CHECK(has(out, "name=\"csrf\" value=\"tok&#34;&gt;&lt;script&gt;x&lt;/script&gt;\""));
	CHECK(has(out, "role=\"status\"") &&
	    has(out, "Now following &lt;Sanjeev&gt; &amp; co"));
	CHECK(has(out, "<i>7</i>"));
	CHECK(has(out, "name=\"action\" value=\"unfollow\"") &&
	    has(out, ">Following</button>"));
	CHECK(has(out, "action=\"/researchers/sanjeev-arora/claim\""));
	CHECK(has(out, "name=\"orcid\"") && has(out, "name=\"email\"") &&
	    has(out, "name=\"evidence_url\"") && has(out, "name=\"note\""));
	CHECK(!has(out, "<b>eve") && !has(out, "<script>") && !has(out, "<Sanjeev>"));
	CHECK(!has(out, "Log in"));
	free(out);

	/* claim states: another user's pending claim may be disputed, with
	 * the claim form and action=dispute; not one's own, nor one that is
	 * disputed already (by this viewer: they are told it waits) */
	v.claim = STORE_CLAIM_PENDING;
	out = fill(&pg, &v);
	CHECK(has(out, "Claim pending") && has(out, "/claim\"") &&
	    has(out, "name=\"action\" value=\"dispute\"") &&
	    has(out, ">Dispute this claim</button>"));
	free(out);
	v.own_claim = 1;
	out = fill(&pg, &v);
	CHECK(has(out, "Your claim is waiting for review.") &&
	    !has(out, "/claim\"") && !has(out, "Dispute"));
	free(out);
	v.own_claim = 0;
	v.disputed = 1;
	v.own_dispute = 1;
	out = fill(&pg, &v);
	CHECK(has(out, "Your dispute of this claim is waiting for review") &&
	    !has(out, "/claim\""));
	free(out);
	v.own_dispute = 0;
	out = fill(&pg, &v);
	CHECK(has(out, "Claim pending") && !has(out, "/claim\"") &&
	    !has(out, "waiting for review"));
	free(out);
	v.disputed = 0;
	v.claim = STORE_CLAIM_APPROVED;
	v.own_claim = 1;
	out = fill(&pg, &v);
	CHECK(has(out, ">Claimed<") && !has(out, "Claim pending"));
	free(out);
	memset(&v, 0, sizeof(v));
	v.claim = STORE_CLAIM_APPROVED;
	out = fill(&pg, &v);
	CHECK(has(out, ">Claimed<") && !has(out, "Log in to claim"));
	free(out);

	/* no slug (home, error pages): log-in comes back to / */
	buf_reset(&pg.slug);
	out = fill(&pg, &v);
	CHECK(has(out, "href=\"/login?next=%2F\">Log in</a>"));
	free(out);

	/* a hole offset past the body (a bad cached copy) is not followed */
	pg.holes[1].off = (uint32_t)pg.body.len + 100;
	out = fill(&pg, &v);
	CHECK(strlen(out) >= pg.body.len);
	free(out);

	free(body);
	page_free(&pg);
	buf_free(&err);
}

/* A broken template leaves the loaded set in use; the message names file:line. */
static void
test_reload(void)
{
	char dir[] = "/tmp/bzpeer-views-XXXXXX", cmd[2048], path[600];
	const struct tmpl *before = views_tmpl(VT_PROFILE);
	struct buf err = BUF_INIT;
	uint32_t v0;
	FILE *f;
	int rc;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "cp %s/*.html %s/", views_dir, dir);
	REQUIRE(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/profile.html", dir);
	REQUIRE((f = fopen(path, "a")) != NULL);
	fputs("\n<p>{{no_such_slot}}</p>\n", f);
	REQUIRE(fclose(f) == 0);
	rc = views_load(dir, &err);
	CHECK(rc == -1);
	CHECK(err.p && has(err.p, "profile.html:") &&
	    has(err.p, "unknown name \"no_such_slot\""));
	printf("# %s\n", err.p ? err.p : "");
	CHECK(views_tmpl(VT_PROFILE) == before && before != NULL);

	buf_reset(&err);
	rc = views_load("/nonexistent-dir", &err);
	CHECK(rc == -1 && err.p && has(err.p, "/nonexistent-dir/"));
	CHECK(views_tmpl(VT_PROFILE) == before);

	/* a good change reloads, and changes the version cache keys carry */
	v0 = views_version();
	CHECK(v0 != 0);
	snprintf(cmd, sizeof(cmd), "cp %s/profile.html %s/ && echo '{{! v2 }}' "
	    ">> %s/profile.html", views_dir, dir, dir);
	REQUIRE(system(cmd) == 0);
	buf_reset(&err);
	CHECK(views_load(dir, &err) == 0);
	CHECK(views_version() != v0 && views_version() != 0);
	CHECK(views_load(views_dir, &err) == 0);
	CHECK(views_version() == v0);

	/* The static files: fingerprinted by their content. Without them, the
	 * plain name; a changed file, a new address and a new version. */
	{
		char url0[VIEWS_STATIC_URL_MAX], url1[VIEWS_STATIC_URL_MAX];
		size_t n;

		snprintf(url0, sizeof(url0), "%s", views_static_url(VS_CSS));
		n = strlen(url0);
		CHECK(n == strlen("/static/bzpeer.0123456789abcdef.css") &&
		    strncmp(url0, "/static/bzpeer.", 15) == 0 &&
		    strspn(url0 + 15, "0123456789abcdef") == 16 &&
		    strcmp(url0 + n - 4, ".css") == 0);
		CHECK(strncmp(views_static_url(VS_JS), "/static/bzpeer.", 15) == 0 &&
		    strcmp(views_static_url(VS_JS) +
		    strlen(views_static_url(VS_JS)) - 3, ".js") == 0);
		buf_reset(&err);
		CHECK(views_load(dir, &err) == 0);    /* no static/ in dir */
		CHECK(strcmp(views_static_url(VS_CSS), "/static/bzpeer.css") == 0);
		snprintf(cmd, sizeof(cmd), "cp %s/*.html %s/ && mkdir %s/static && "
		    "cp %s/static/* %s/static/", views_dir, dir, dir, views_dir, dir);
		REQUIRE(system(cmd) == 0);
		CHECK(views_load(dir, &err) == 0);
		CHECK(strcmp(views_static_url(VS_CSS), url0) == 0);
		CHECK(views_version() == v0);
		snprintf(cmd, sizeof(cmd), "echo '/* v2 */' >> %s/static/bzpeer.css",
		    dir);
		REQUIRE(system(cmd) == 0);
		CHECK(views_load(dir, &err) == 0);
		snprintf(url1, sizeof(url1), "%s", views_static_url(VS_CSS));
		CHECK(strcmp(url1, url0) != 0 && strlen(url1) == n);
		CHECK(views_version() != v0);
		CHECK(views_load(views_dir, &err) == 0);
		CHECK(strcmp(views_static_url(VS_CSS), url0) == 0);
		/* FNV-1a 64's published vectors: "" and "a". */
		views_static_name(url1, "x.css", "", 0);
		CHECK(strcmp(url1, "/static/x.cbf29ce484222325.css") == 0);
		views_static_name(url1, "x.js", "a", 1);
		CHECK(strcmp(url1, "/static/x.af63dc4c8601ec8c.js") == 0);
	}

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	buf_free(&err);
}

/* Mutated real templates: the parser never crashes or leaks (ASan build). */
static void
test_mutations(void)
{
	static const char *const bits[] = { "{{", "}}", "{{#", "{{/", "{{^",
	    "{{>", "{{!", "|", "\n", "name", "items", "}", "{" };
	struct buf src = BUF_INIT, m = BUF_INIT, err = BUF_INIT, path = BUF_INIT;
	unsigned seed = 7, round, ok = 0, failed = 0;
	FILE *f;
	char chunk[4096];
	size_t got;

	buf_puts(&path, views_dir);
	buf_puts(&path, "/profile.html");
	REQUIRE((f = fopen(path.p, "rb")) != NULL);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&src, chunk, got);
	fclose(f);
	for (round = 0; round < 3000; round++) {
		struct tmpl *t = NULL;
		size_t pos, cut;
		unsigned j;

		buf_reset(&m);
		buf_put(&m, src.p, src.len);
		for (j = 0; j < 1 + round % 4; j++) {
			seed = seed * 1103515245u + 12345u;
			pos = (seed >> 8) % (m.len + 1);
			cut = (seed >> 4) % 4;
			if (pos + cut > m.len)
				cut = m.len - pos;
			memmove(m.p + pos, m.p + pos + cut, m.len - pos - cut);
			m.len -= cut;
			if (seed & 1) {
				const char *b = bits[(seed >> 12) % 13];
				size_t bl = strlen(b);

				buf_reserve(&m, bl);
				memmove(m.p + pos + bl, m.p + pos, m.len - pos);
				memcpy(m.p + pos, b, bl);
				m.len += bl;
			}
		}
		buf_reset(&err);
		if (tmpl_parse("m.html", m.p, m.len, &profile_def, &t, &err) == 0)
			ok++;
		else if (err.len > 0 && strncmp(err.p, "m.html:", 7) == 0)
			failed++;
		tmpl_free(t);
	}
	printf("# mutations: %u parsed, %u rejected with file:line\n", ok, failed);
	CHECK(ok + failed == 3000);
	CHECK(failed > 0);
	buf_free(&src);
	buf_free(&m);
	buf_free(&err);
	buf_free(&path);
}

int
main(void)
{
	find_views();
	test_parse_errors();
	test_render();
	test_partial();
	test_holes();
	test_fill();
	test_reload();
	test_mutations();
	views_unload();
	CHECK_DONE();
}
