/* test_html.c: the escapers of views/html.c against hostile strings. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../store/buf.h"
#include "../../views/export.h"
#include "../../views/html.h"
#include "check.h"

typedef void (*escaper)(struct buf *, struct sv);

/* out == want, both as byte strings (want may hold no NUL). */
static int
esc_is(escaper f, const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT;
	int ok;

	f(&b, (struct sv){ in, n });
	ok = b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want, b.len) == 0);
	if (!ok)
		printf("# got [%.*s] want [%s]\n", (int)b.len, b.p ? b.p : "", want);
	buf_free(&b);
	return ok;
}

#define IS(f, lit, want) esc_is(f, lit, sizeof(lit) - 1, want)

/* 1 when no byte of s[0..n) is one of bad. */
static int
none_of(const char *s, size_t n, const char *bad)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(bad, s[i]) && s[i] != '\0')
			return 0;
	return 1;
}

static void
test_html_txt(void)
{
	CHECK(IS(html_txt, "", ""));
	CHECK(IS(html_txt, "plain text, 42.", "plain text, 42."));
	CHECK(IS(html_txt, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(IS(html_txt, "a & b", "a &amp; b"));
	CHECK(IS(html_txt, "\"q\" 'r'", "&#34;q&#34; &#39;r&#39;"));
	CHECK(IS(html_txt, "&amp;", "&amp;amp;"));
	CHECK(IS(html_txt, "{\\em x} $\\mathcal{O}(1)$ ~\\citep{a}",
	    "{\\em x} $\\mathcal{O}(1)$ ~\\citep{a}"));
	/* valid UTF-8 goes through, including U+2028 (fine in HTML) */
	CHECK(IS(html_txt, "Gr\xc3\xa9goire \xce\xb7 \xf0\x9f\x98\x80 \xe2\x80\xa8",
	    "Gr\xc3\xa9goire \xce\xb7 \xf0\x9f\x98\x80 \xe2\x80\xa8"));
	/* NUL dropped */
	CHECK(IS(html_txt, "a\0b", "ab"));
	/* invalid UTF-8: stray continuation, truncated, overlong, surrogate,
	 * above U+10FFFF, lone 0xFF */
	CHECK(IS(html_txt, "a\x80z", "a\xef\xbf\xbdz"));
	CHECK(IS(html_txt, "a\xc3", "a\xef\xbf\xbd"));
	CHECK(IS(html_txt, "\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd"));
	CHECK(IS(html_txt, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
	CHECK(IS(html_txt, "\xf4\x90\x80\x80x",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"));
	CHECK(IS(html_txt, "\xe2\x80<", "\xef\xbf\xbd&lt;"));   /* maximal subpart */
	CHECK(IS(html_txt, "\xff", "\xef\xbf\xbd"));
	/* control characters other than tab/LF/CR */
	CHECK(IS(html_txt, "a\x01\tb\x7f", "a\xef\xbf\xbd\tb\xef\xbf\xbd"));
}

static void
test_html_attr(void)
{
	CHECK(IS(html_attr, "\" onmouseover=\"alert(1)",
	    "&#34; onmouseover=&#34;alert(1)"));
	CHECK(IS(html_attr, "' onfocus='x", "&#39; onfocus=&#39;x"));
	CHECK(IS(html_attr, "<a href=x>&", "&lt;a href=x&gt;&amp;"));
	CHECK(IS(html_attr, "x\0y", "xy"));
}

static void
test_url_arg(void)
{
	CHECK(IS(url_arg, "sanjeev-arora", "sanjeev-arora"));
	CHECK(IS(url_arg, "/researchers/sanjeev-arora",
	    "%2Fresearchers%2Fsanjeev-arora"));
	CHECK(IS(url_arg, "a b&c=d?e#f", "a%20b%26c%3Dd%3Fe%23f"));
	CHECK(IS(url_arg, "\"><script>", "%22%3E%3Cscript%3E"));
	CHECK(IS(url_arg, "javascript:alert(1)", "javascript%3Aalert%281%29"));
	CHECK(IS(url_arg, "Gr\xc3\xa9", "Gr%C3%A9"));
	CHECK(IS(url_arg, "a\x80", "a%EF%BF%BD"));
	CHECK(IS(url_arg, "a\0b", "ab"));
	CHECK(IS(url_arg, "~._-", "~._-"));
}

static void
test_json_str(void)
{
	CHECK(IS(json_str, "", "\"\""));
	CHECK(IS(json_str, "Sanjeev Arora", "\"Sanjeev Arora\""));
	CHECK(IS(json_str, "</script><script>alert(1)</script>",
	    "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""));
	CHECK(IS(json_str, "a\"b\\c", "\"a\\\"b\\\\c\""));
	CHECK(IS(json_str, "&'", "\"\\u0026\\u0027\""));
	CHECK(IS(json_str, "l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\""));
	CHECK(IS(json_str, "a\0b\x01", "\"a\\u0000b\\u0001\""));
	CHECK(IS(json_str, "x\xe2\x80\xa8y\xe2\x80\xa9z", "\"x\\u2028y\\u2029z\""));
	CHECK(IS(json_str, "\xe2\x80\xa6", "\"\xe2\x80\xa6\""));   /* … stays */
	CHECK(IS(json_str, "\xe2\x80", "\"\xef\xbf\xbd\""));
	CHECK(IS(json_str, "bad\xfe", "\"bad\xef\xbf\xbd\""));
	CHECK(IS(json_str, "\xce\xb7^{-2}", "\"\xce\xb7^{-2}\""));
}

/* Every escaper on every 1..3-byte string: no raw markup byte escapes. */
static void
test_exhaustive(void)
{
	struct buf b = BUF_INIT;
	unsigned char in[3];
	unsigned bad_html = 0, bad_url = 0, bad_json = 0, x;

	for (x = 0; x < (1u << 24); x += 7) {
		size_t n = 1 + x % 3;

		in[0] = (unsigned char)(x >> 16);
		in[1] = (unsigned char)(x >> 8);
		in[2] = (unsigned char)x;
		buf_reset(&b);
		html_txt(&b, (struct sv){ (char *)in, n });
		if (!none_of(b.p, b.len, "<>\"'") || memchr(b.p, 0, b.len))
			bad_html++;
		buf_reset(&b);
		url_arg(&b, (struct sv){ (char *)in, n });
		if (!none_of(b.p, b.len, "<>\"'& /?#=") || memchr(b.p, 0, b.len))
			bad_url++;
		buf_reset(&b);
		json_str(&b, (struct sv){ (char *)in, n });
		if (!none_of(b.p + 1, b.len - 2, "<>&'\n\r") ||
		    memchr(b.p, 0, b.len) || memmem(b.p, b.len, "\xe2\x80\xa8", 3))
			bad_json++;
	}
	buf_free(&b);
	CHECK(bad_html == 0);
	CHECK(bad_url == 0);
	CHECK(bad_json == 0);
}

/*
 * Long random strings built from tokens whose escapes do not interact:
 * the escaper's output must be the tokens' escapes in order. Exercises the
 * 16-byte fast scan, its resumption after tab/LF, and chunk borders.
 */
static void
test_tokens(void)
{
	static const struct { const char *in, *html, *json; } tok[] = {
		{ "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz",
		  "abcdefghijklmnopqrstuvwxyz" },
		{ "The quick brown fox, 42. ", "The quick brown fox, 42. ",
		  "The quick brown fox, 42. " },
		{ "<", "&lt;", "\\u003c" }, { ">", "&gt;", "\\u003e" },
		{ "&", "&amp;", "\\u0026" }, { "\"", "&#34;", "\\\"" },
		{ "'", "&#39;", "\\u0027" }, { "\n", "\n", "\\n" },
		{ "\t", "\t", "\\t" }, { "\\", "\\", "\\\\" },
		{ "\xc3\xa9", "\xc3\xa9", "\xc3\xa9" },
		{ "\xe2\x80\xa8", "\xe2\x80\xa8", "\\u2028" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xff", "\xef\xbf\xbd", "\xef\xbf\xbd" },
		{ "\xe2\x80", "\xef\xbf\xbd", "\xef\xbf\xbd" },
		{ "\x01", "\xef\xbf\xbd", "\\u0001" },
		{ "\x7f", "\xef\xbf\xbd", "\x7f" },
	};
	const size_t ntok = sizeof(tok) / sizeof(tok[0]);
	struct buf in = BUF_INIT, want = BUF_INIT, wantj = BUF_INIT,
	    got = BUF_INIT;
	unsigned seed = 12345, round, bad = 0, badj = 0;

	for (round = 0; round < 300; round++) {
		size_t len = round < 250 ? 1 + round : 3000 + round * 7, j;

		buf_reset(&in);
		buf_reset(&want);
		buf_reset(&wantj);
		buf_putc(&wantj, '"');
		for (j = 0; j < len; j++) {
			size_t k;

			seed = seed * 1103515245u + 12345u;
			/* mostly plain text, like an abstract */
			k = (seed >> 16) % 8 < 6 ? (seed >> 20) % 2 :
			    (seed >> 16) % ntok;
			buf_puts(&in, tok[k].in);
			buf_puts(&want, tok[k].html);
			buf_puts(&wantj, tok[k].json);
		}
		buf_putc(&wantj, '"');
		buf_reset(&got);
		html_txt(&got, (struct sv){ in.p, in.len });
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0)
			bad++;
		buf_reset(&got);
		json_str(&got, (struct sv){ in.p, in.len });
		if (got.len != wantj.len || memcmp(got.p, wantj.p, got.len) != 0)
			badj++;
	}
	CHECK(bad == 0);
	CHECK(badj == 0);
	buf_free(&in);
	buf_free(&want);
	buf_free(&wantj);
	buf_free(&got);
}

/* A rough speed figure for a 1 KiB abstract (printed, not asserted). */
static void
bench(void)
{
	static const char para[] = "Normalization layers (e.g., Batch "
	    "Normalization, Layer Normalization) were introduced to help with "
	    "optimization difficulties in very deep nets, but they clearly also "
	    "help generalization & \"sharpness\" of $L$ with $\\eta^{-2}$. ";
	struct buf src = BUF_INIT, out = BUF_INIT;
	double t0;
	int i;

	for (i = 0; i < 5; i++)
		buf_put(&src, para, sizeof(para) - 1);
	t0 = mono_now();
	for (i = 0; i < 100000; i++) {
		buf_reset(&out);
		html_txt(&out, (struct sv){ src.p, src.len });
	}
	printf("# html_txt: %zu bytes in %.0f ns\n", src.len,
	    (mono_now() - t0) / 100000 * 1e9);
	CHECK(out.len > src.len);
	buf_free(&src);
	buf_free(&out);
}

/* ---- xml_txt and bib_txt -------------------------------------------------- */

static void
test_xml_txt(void)
{
	CHECK(IS(xml_txt, "", ""));
	CHECK(IS(xml_txt, "plain, 42.", "plain, 42."));
	CHECK(IS(xml_txt, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(IS(xml_txt, "a & \"b\" 'c'", "a &amp; &quot;b&quot; &apos;c&apos;"));
	CHECK(IS(xml_txt, "]]>", "]]&gt;"));
	CHECK(IS(xml_txt, "&amp;", "&amp;amp;"));
	CHECK(IS(xml_txt, "Gr\xc3\xa9goire \xce\xb7 \xf0\x9f\x98\x80",
	    "Gr\xc3\xa9goire \xce\xb7 \xf0\x9f\x98\x80"));
	CHECK(IS(xml_txt, "a\tb\nc\rd", "a\tb\nc\rd"));
	/* not XML characters: NUL (dropped), other C0, DEL, U+FFFE, U+FFFF */
	CHECK(IS(xml_txt, "a\0b", "ab"));
	CHECK(IS(xml_txt, "a\x01\x1f\x7f" "b", "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b"));
	CHECK(IS(xml_txt, "\xef\xbf\xbe\xef\xbf\xbf", "\xef\xbf\xbd\xef\xbf\xbd"));
	CHECK(IS(xml_txt, "\xef\xbf\xbd", "\xef\xbf\xbd"));   /* U+FFFD itself is fine */
	/* invalid UTF-8 */
	CHECK(IS(xml_txt, "a\x80z", "a\xef\xbf\xbdz"));
	CHECK(IS(xml_txt, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
	CHECK(IS(xml_txt, "\xe2\x80<", "\xef\xbf\xbd&lt;"));
	CHECK(IS(xml_txt, "\xc3", "\xef\xbf\xbd"));
}

/* Braces in s[0..n) balance: never below zero, zero at the end. */
static int
braces_balanced(const char *s, size_t n)
{
	long d = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		d += s[i] == '{';
		d -= s[i] == '}';
		if (d < 0)
			return 0;
	}
	return d == 0;
}

/*
 * 1 when every special character in s[0..n) stands escaped: & % $ # _ are
 * preceded by a backslash that starts a command, ~ and ^ never appear raw.
 */
static int
bib_specials_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': case '%': case '$': case '#': case '_':
			if (i == 0 || s[i - 1] != '\\')
				return 0;
			break;
		case '~': case '^':
			return 0;
		}
	}
	return 1;
}

/* Names for BibTeX: particles and suffixes stay with the family name. */
static void
test_bib_name(void)
{
	CHECK(IS(export_bib_name, "Sanjeev Arora", "Arora, Sanjeev"));
	CHECK(IS(export_bib_name, "  Juan Pablo  Alperin ", "Alperin, Juan Pablo"));
	CHECK(IS(export_bib_name, "Ludwig van Beethoven", "van Beethoven, Ludwig"));
	CHECK(IS(export_bib_name, "Hervé de la Tour", "de la Tour, Hervé"));
	CHECK(IS(export_bib_name, "Johannes Diderik van der Waals",
	    "van der Waals, Johannes Diderik"));
	CHECK(IS(export_bib_name, "Martin Luther King Jr.",
	    "King, Jr., Martin Luther"));
	CHECK(IS(export_bib_name, "María José García-Pérez",
	    "García-Pérez, María José"));
	/* a particle as the first word is a given name then */
	CHECK(IS(export_bib_name, "van Dyke", "Dyke, van"));
	CHECK(IS(export_bib_name, "Jr. Smith", "Smith, Jr."));
	/* braced whole: one word, a comma, the word "and" */
	CHECK(IS(export_bib_name, "Plato", "{Plato}"));
	CHECK(IS(export_bib_name, "Li, Wei", "{Li, Wei}"));
	CHECK(IS(export_bib_name, "Smith and Jones Lab", "{Smith and Jones Lab}"));
	CHECK(IS(export_bib_name, "宮地 元彦", "{宮地 元彦}"));
	CHECK(IS(export_bib_name, "김 민준", "{김 민준}"));
	CHECK(IS(export_bib_name, "", "{Unknown}"));
	CHECK(IS(export_bib_name, "A {B} C_1", "C\\_1, A \\textbraceleft{}B\\textbraceright{}"));
}

/* The name split RIS and CSL-JSON take the parts from. */
static int
split_is(const char *name, const char *family, const char *given,
    const char *sfx)
{
	struct export_name x;

	export_name_split(sv_cstr(name), &x);
	if (family == NULL)
		return x.whole;
	return !x.whole && sv_eq_cstr(x.family, family) &&
	    sv_eq_cstr(x.given, given) && sv_eq_cstr(x.suffix, sfx);
}

static void
test_name_split(void)
{
	struct export_name x;

	CHECK(split_is("Sanjeev Arora", "Arora", "Sanjeev", ""));
	CHECK(split_is("Johannes Diderik van der Waals", "van der Waals",
	    "Johannes Diderik", ""));
	CHECK(split_is("Martin Luther King Jr.", "King", "Martin Luther", "Jr."));
	CHECK(split_is(" Juan Pablo  Alperin ", "Alperin", "Juan Pablo", ""));
	CHECK(split_is("Plato", NULL, NULL, NULL));
	CHECK(split_is("宮地 元彦", NULL, NULL, NULL));
	CHECK(split_is("Li, Wei", NULL, NULL, NULL));
	export_name_split(sv_cstr("  Plato "), &x);
	CHECK(x.whole && sv_eq_cstr(x.whole_name, "Plato"));
	export_name_split(sv_cstr("   "), &x);
	CHECK(x.whole && x.whole_name.n == 0);
}

/* RIS values: one line, whatever the record held. */
static void
test_ris_txt(void)
{
	CHECK(IS(export_ris_txt, "Deep\r\nlearning", "Deep learning"));
	CHECK(IS(export_ris_txt, "  a\t\tb \n", "a b"));
	CHECK(IS(export_ris_txt, "x\xc2\x85y\xe2\x80\xa8z", "x y z"));  /* NEL, LS */
	CHECK(IS(export_ris_txt, "bad \xff byte", "bad \xef\xbf\xbd byte"));
	CHECK(IS(export_ris_txt, "nul\0here", "nulhere"));
	CHECK(IS(export_ris_txt, "Gómez <i>et al</i>", "Gómez <i>et al</i>"));
	CHECK(IS(export_ris_txt, "\r\n", ""));
}

/* Titles: publishers' markup to TeX, entities decoded, braces balanced. */
static void
test_bib_title(void)
{
	CHECK(IS(bib_title, "Plain & simple", "Plain \\& simple"));
	CHECK(IS(bib_title, "The <i>E. coli</i> genome",
	    "The \\textit{E. coli} genome"));
	CHECK(IS(bib_title, "H<sub>2</sub>O at 10<sup>5</sup> K",
	    "H\\textsubscript{2}O at 10\\textsuperscript{5} K"));
	CHECK(IS(bib_title, "<I>Caps</I> <b>bold <em>both</em></b>",
	    "\\textit{Caps} \\textbf{bold \\textit{both}}"));
	CHECK(IS(bib_title, "<scp>Bert</scp>: x", "\\textsc{Bert}: x"));
	/* dropped tags keep their text; entities decoded, then escaped */
	CHECK(IS(bib_title, "<span class=\"a\">x</span><br/>y", "xy"));
	CHECK(IS(bib_title, "<mml:math><mml:mi>x</mml:mi></mml:math> &amp; y",
	    "x \\& y"));
	CHECK(IS(bib_title, "a &lt; b &gt; c &quot;d&quot; &#39;e&apos;",
	    "a < b > c \"d\" 'e'"));
	/* not tags: text, escaped */
	CHECK(IS(bib_title, "a < b and c > d", "a < b and c > d"));
	CHECK(IS(bib_title, "<script>x</script>", "<script>x</script>"));
	CHECK(IS(bib_title, "<i class=x>y</i>", "<i class=x>y"));
	CHECK(IS(bib_title, "&amp", "\\&amp"));
	/* unbalanced markup never unbalances the braces */
	CHECK(IS(bib_title, "<i>open", "\\textit{open}"));
	CHECK(IS(bib_title, "close</i> <b>x</i>y</b>",
	    "close \\textbf{xy}"));
	CHECK(IS(bib_title, "<i><i><i><i><i><i><i><i><i>deep",
	    "\\textit{\\textit{\\textit{\\textit{\\textit{\\textit{\\textit{"
	    "\\textit{deep}}}}}}}}"));
	CHECK(IS(bib_title, "<i>{x}</i>",
	    "\\textit{\\textbraceleft{}x\\textbraceright{}}"));
}

static void
test_bib_txt(void)
{
	static const char *const hostile[] = {
		"}", "{", "}}}{", "\\", "\\}", "x}, title = {evil", "@misc{x,",
		"{\\em very overparametrized} $\\mathcal{O}(1)$ \\citep{a,b}",
		"50% of $5 & #1_a ~b ^c", "\\end{document}", "a\nb\r\nc\td",
		"\xff\xfe{", "Gr\xc3\xa9goire L\xc3\xa9vy",
	};
	struct buf b = BUF_INIT;
	size_t i;
	int ok = 1;

	CHECK(IS(bib_txt, "", ""));
	CHECK(IS(bib_txt, "Implicit Bias of Gradient Descent",
	    "Implicit Bias of Gradient Descent"));
	CHECK(IS(bib_txt, "& % $ # _", "\\& \\% \\$ \\# \\_"));
	CHECK(IS(bib_txt, "{x}", "\\textbraceleft{}x\\textbraceright{}"));
	CHECK(IS(bib_txt, "~^", "\\textasciitilde{}\\textasciicircum{}"));
	CHECK(IS(bib_txt, "a\\b", "a\\textbackslash{}b"));
	CHECK(IS(bib_txt, "{\\em x}",
	    "\\textbraceleft{}\\textbackslash{}em x\\textbraceright{}"));
	CHECK(IS(bib_txt, "a\nb\tc\x01" "d", "a b c d"));
	CHECK(IS(bib_txt, "a\0b", "ab"));
	CHECK(IS(bib_txt, "Gr\xc3\xa9goire \"L\xc3\xa9vy\" @ <b>",
	    "Gr\xc3\xa9goire \"L\xc3\xa9vy\" @ <b>"));
	CHECK(IS(bib_txt, "a\x80z", "a\xef\xbf\xbdz"));
	/* whatever comes in, a field built from it closes where it should */
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		buf_reset(&b);
		buf_puts(&b, "title = {");
		bib_txt(&b, sv_cstr(hostile[i]));
		buf_puts(&b, "}");
		if (!braces_balanced(b.p, b.len) ||
		    !bib_specials_escaped(b.p, b.len) ||
		    memchr(b.p, '\n', b.len) != NULL) {
			printf("# bad: %s\n", b.p);
			ok = 0;
		}
	}
	CHECK(ok);
	buf_free(&b);
}

int
main(void)
{
	test_html_txt();
	test_html_attr();
	test_url_arg();
	test_json_str();
	test_exhaustive();
	test_tokens();
	test_xml_txt();
	test_bib_txt();
	test_bib_title();
	test_bib_name();
	test_name_split();
	test_ris_txt();
	bench();
	CHECK_DONE();
}
