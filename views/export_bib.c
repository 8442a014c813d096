/* export_bib.c: works.bib: a researcher's works as BibTeX for reference managers, with clash-free keys (export_bib). */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "work.h"
#include "works.h"

/* Title words that do not make a key ("arora2022implicit", not "arora2022on"). */
static int
stop_word(const char *w, size_t n)
{
	static const char *const stop[] = {
		"a", "an", "the", "on", "of", "in", "for", "to", "and", "or",
		"with", "via", "by", "at", "from", "is", "are", "be", "as",
		"when", "what", "how", "why", "do", "does", "can", "its", "into",
		"towards", "toward", "beyond", "through", "using", "about",
	};
	size_t i;

	for (i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strlen(stop[i]) == n && memcmp(stop[i], w, n) == 0)
			return 1;
	return 0;
}

/* The [a-z0-9] runs of a folded string, each as (offset, length). */
static int
next_word(const char *s, size_t n, size_t *pos, size_t *off, size_t *len)
{
	size_t i = *pos;

	while (i < n && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i == n)
		return 0;
	*off = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	*len = i - *off;
	*pos = i;
	return 1;
}

void
export_bib_key(const struct store_work *w, struct buf *out)
{
	struct store_author_ref a;
	struct buf f = BUF_INIT;
	size_t pos = 0, off = 0, len = 0, last_off = 0, last_len = 0;
	size_t start = out->len;

	/* family name: the last word of the first author's folded name */
	if (store_work_author(w, 0, &a) == 0) {
		store_fold_name(&f, a.name);
		while (next_word(f.p, f.len, &pos, &off, &len)) {
			size_t i;

			for (i = 0; i < len; i++)
				if (f.p[off + i] >= 'a')
					break;
			if (i == len)
				continue;   /* "3", "2nd" would do, "1999" not */
			last_off = off;
			last_len = len;
		}
		buf_put(out, f.p + last_off, last_len);
	}
	if (out->len == start)
		buf_puts(out, "anon");
	if (w->year > 0)
		buf_puti64(out, w->year);
	else
		buf_puts(out, "nd");
	buf_reset(&f);
	store_fold_name(&f, w->title);
	pos = 0;
	while (next_word(f.p, f.len, &pos, &off, &len))
		if (!stop_word(f.p + off, len) && !(len == 1 && f.p[off] >= '0' && f.p[off] <= '9')) {
			buf_put(out, f.p + off, len > 20 ? 20 : len);
			break;
		}
	buf_free(&f);
}

struct bib_key {
	size_t    off, len;   /* in keys */
	struct sv id;         /* work id, for ordering clashes */
	size_t    idx;        /* position in the walk */
	char      suffix[8];  /* "", "-a", "-b", ... */
};

struct bctx {
	struct store_rtxn             *t;
	struct buf                    *out;
	struct buf                     keys;
	struct bib_key                *k;
	size_t                         n, cap, at;
};

static int
bib_key_cb(void *ctx, const struct store_work *w)
{
	struct bctx *c = ctx;
	struct bib_key *k;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->k = xrealloc(c->k, c->cap * sizeof(*c->k));
	}
	k = &c->k[c->n];
	memset(k, 0, sizeof(*k));
	k->off = c->keys.len;
	export_bib_key(w, &c->keys);
	k->len = c->keys.len - k->off;
	k->id = w->id;
	k->idx = c->n++;
	return 0;
}

static const char *bib_keys_base;

/* By key, then by work id (numerically): clashes in id order. */
static int
cmp_key(const void *pa, const void *pb)
{
	const struct bib_key *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(bib_keys_base + a->off, bib_keys_base + b->off, n);

	if (d)
		return d;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->id.n != b->id.n)
		return a->id.n < b->id.n ? -1 : 1;
	return memcmp(a->id.p, b->id.p, a->id.n);
}

static int
cmp_idx(const void *pa, const void *pb)
{
	const struct bib_key *a = pa, *b = pb;

	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* -a .. -z, then -aa, -ab, ... */
static void
clash_suffix(char *s, size_t i)
{
	if (i < 26)
		snprintf(s, 8, "-%c", (char)('a' + i));
	else
		snprintf(s, 8, "-%c%c", (char)('a' + (i / 26 - 1) % 26),
		    (char)('a' + i % 26));
}

static void
assign_suffixes(struct bctx *c)
{
	size_t i = 0, j, m;

	if (c->n == 0)
		return;
	bib_keys_base = c->keys.p;
	qsort(c->k, c->n, sizeof(*c->k), cmp_key);
	while (i < c->n) {
		for (j = i + 1; j < c->n && c->k[j].len == c->k[i].len &&
		    memcmp(c->keys.p + c->k[j].off, c->keys.p + c->k[i].off,
		    c->k[i].len) == 0; j++)
			;
		if (j - i > 1)
			for (m = i; m < j; m++)
				clash_suffix(c->k[m].suffix, m - i);
		i = j;
	}
	qsort(c->k, c->n, sizeof(*c->k), cmp_idx);
	bib_keys_base = NULL;
}

/* A URL or DOI kept verbatim (BibTeX url/doi fields are not TeX text):
 * only printable ASCII without braces, backslash, quotes or spaces. */
static int
verbatim_ok(struct sv s)
{
	size_t i;

	if (s.n == 0 || s.n > 2000)
		return 0;
	for (i = 0; i < s.n; i++) {
		unsigned char ch = (unsigned char)s.p[i];

		if (ch <= 0x20 || ch >= 0x7F || ch == '{' || ch == '}' ||
		    ch == '\\' || ch == '"')
			return 0;
	}
	return 1;
}

/* Lower-case words that belong to the family name that follows them. */
static int
particle(const char *w, size_t n)
{
	static const char *const p[] = {
		"van", "von", "der", "den", "de", "del", "della", "degli", "di",
		"da", "das", "dos", "do", "du", "des", "la", "le", "lo", "ten",
		"ter", "te", "zu", "zur", "bin", "ibn", "al", "el", "af", "av",
	};
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strlen(p[i]) == n && memcmp(p[i], w, n) == 0)
			return 1;
	return 0;
}

/* Generational suffixes, written after the family name. */
static int
suffix(const char *w, size_t n)
{
	static const char *const s[] = { "Jr.", "Jr", "Sr.", "Sr", "II", "III",
	    "IV" };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strlen(s[i]) == n && memcmp(s[i], w, n) == 0)
			return 1;
	return 0;
}

#define NAME_WORDS 32

void
export_name_split(struct sv name, struct export_name *x)
{
	const char *p = name.p;
	size_t n = name.n, i, nw = 0, fam, last;
	size_t ws[NAME_WORDS], we[NAME_WORDS];
	int whole = 0;

	memset(x, 0, sizeof(*x));
	while (n && p[n - 1] == ' ')
		n--;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	x->whole_name = (struct sv){ p, n };
	if (n == 0) {
		x->whole = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == ',')
			whole = 1;
		/* East Asian names (U+3000..U+DFFF: kana, CJK, Hangul) come
		 * family name first: kept whole, as written */
		if ((unsigned char)p[i] >= 0xE3 && (unsigned char)p[i] <= 0xED)
			whole = 1;
		if ((i == 0 || p[i - 1] == ' ') && i + 3 <= n &&
		    strncasecmp(p + i, "and", 3) == 0 && (i + 3 == n || p[i + 3] == ' '))
			whole = 1;
		if (p[i] != ' ' && (i == 0 || p[i - 1] == ' ')) {
			if (nw == NAME_WORDS) {
				whole = 1;
				break;
			}
			ws[nw] = i;
		}
		if (p[i] != ' ' && (i + 1 == n || p[i + 1] == ' '))
			we[nw++] = i + 1;
	}
	if (whole || nw < 2) {
		x->whole = 1;
		return;
	}
	/* the family name: the last word (before a suffix), with the
	 * particles before it, one given name at least left in front */
	last = nw - 1;
	if (nw >= 3 && suffix(p + ws[last], we[last] - ws[last]))
		last--;
	for (fam = last; fam > 1 && particle(p + ws[fam - 1],
	    we[fam - 1] - ws[fam - 1]); fam--)
		;
	x->family = (struct sv){ p + ws[fam], we[last] - ws[fam] };
	if (last != nw - 1)
		x->suffix = (struct sv){ p + ws[nw - 1], we[nw - 1] - ws[nw - 1] };
	x->given = (struct sv){ p, we[fam - 1] };
}

/* The words of s: their starts and ends; at most NAME_WORDS. */
static size_t
words_of(struct sv s, size_t *ws, size_t *we)
{
	size_t i, nw = 0;

	for (i = 0; i < s.n; i++) {
		if (s.p[i] == ' ')
			continue;
		if (nw == NAME_WORDS)
			return nw;
		ws[nw] = i;
		while (i < s.n && s.p[i] != ' ')
			i++;
		we[nw++] = i;
	}
	return nw;
}

/* Whether word a and word b fold to the same (store_fold_name). */
static int
same_word(struct sv a, struct sv b, struct buf *fa, struct buf *fb)
{
	buf_reset(fa);
	buf_reset(fb);
	store_fold_name(fa, a);
	store_fold_name(fb, b);
	return fa->len && fa->len == fb->len && memcmp(fa->p, fb->p, fa->len) == 0;
}

/*
 * Whether alt, an alternative name written "Family, Given[...]", names a
 * family name of more than fam_words words that the name's last words
 * spell (folded, word by word) with a given name left in front; if so,
 * how many of the name's words it takes.
 */
static size_t
alt_family_words(struct sv name, const size_t *ws, const size_t *we,
    size_t nw, size_t fam_words, struct sv alt, struct buf *fa,
    struct buf *fb)
{
	size_t aws[NAME_WORDS], awe[NAME_WORDS], k, i;
	const char *comma = memchr(alt.p, ',', alt.n);
	struct sv fam;

	if (comma == NULL)
		return 0;
	fam = (struct sv){ alt.p, (size_t)(comma - alt.p) };
	k = words_of(fam, aws, awe);
	if (k <= fam_words || k >= nw || k == NAME_WORDS)
		return 0;
	for (i = 0; i < k; i++)
		if (!same_word((struct sv){ name.p + ws[nw - k + i],
		    we[nw - k + i] - ws[nw - k + i] },
		    (struct sv){ fam.p + aws[i], awe[i] - aws[i] }, fa, fb))
			return 0;
	return k;
}

void
export_author_split(struct store_rtxn *t, const struct store_author_ref *a,
    struct export_name *x)
{
	struct store_researcher r;
	struct buf fa = BUF_INIT, fb = BUF_INIT;
	size_t ws[NAME_WORDS], we[NAME_WORDS], fws[NAME_WORDS], fwe[NAME_WORDS];
	size_t nw, fam_words, k = 0, pos = 0;
	struct sv name, alt;

	export_name_split(a->name, x);
	if (x->whole || x->suffix.n || t == NULL || a->id.n == 0)
		return;
	name = x->whole_name;
	nw = words_of(name, ws, we);
	fam_words = words_of(x->family, fws, fwe);
	if (nw < 3 || nw == NAME_WORDS || fam_words + 1 >= nw ||
	    store_researcher_by_id(t, a->id, &r) != 0)
		return;
	while (k == 0 && store_researcher_alt_next(&r, &pos, &alt) == 0)
		k = alt_family_words(name, ws, we, nw, fam_words, alt, &fa, &fb);
	buf_free(&fa);
	buf_free(&fb);
	if (k == 0)
		return;
	x->family = (struct sv){ name.p + ws[nw - k], we[nw - 1] - ws[nw - k] };
	x->given = (struct sv){ name.p, we[nw - k - 1] };
}

/* One split name as BibTeX reads it (export_bib_name). */
static void
bib_name(struct buf *o, const struct export_name *x)
{
	if (x->whole) {
		if (x->whole_name.n == 0) {
			buf_puts(o, "{Unknown}");
			return;
		}
		buf_putc(o, '{');
		bib_txt(o, x->whole_name);
		buf_putc(o, '}');
		return;
	}
	bib_txt(o, x->family);
	if (x->suffix.n) {
		buf_puts(o, ", ");
		bib_txt(o, x->suffix);
	}
	buf_puts(o, ", ");
	bib_txt(o, x->given);
}

void
export_bib_name(struct buf *o, struct sv name)
{
	struct export_name x;

	export_name_split(name, &x);
	bib_name(o, &x);
}

static void
bib_field(struct buf *o, const char *name, struct sv v, int protect)
{
	if (v.n == 0)
		return;
	buf_puts(o, ",\n  ");
	buf_puts(o, name);
	buf_puts(o, " = {");
	if (protect)
		buf_putc(o, '{');
	bib_txt(o, v);
	if (protect)
		buf_putc(o, '}');
	buf_putc(o, '}');
}

/*
 * BibTeX entry types for OpenAlex's work types, old and new vocabulary
 * (Crossref's "journal-article", "proceedings-article", "posted-content"
 * until 2023; "article", "conference-paper", "preprint" after), and the
 * field the venue goes into. Anything else is @misc.
 */
static const struct {
	const char *type, *entry, *venue, *note;
} bib_types[] = {
	{ "article", "article", "journal", NULL },
	{ "journal-article", "article", "journal", NULL },
	{ "review", "article", "journal", NULL },
	{ "letter", "article", "journal", NULL },
	{ "editorial", "article", "journal", NULL },
	{ "erratum", "article", "journal", "Erratum" },
	{ "retraction", "article", "journal", "Retraction notice" },
	{ "book-chapter", "incollection", "booktitle", NULL },
	{ "reference-entry", "incollection", "booktitle", NULL },
	{ "proceedings-article", "inproceedings", "booktitle", NULL },
	{ "conference-paper", "inproceedings", "booktitle", NULL },
	{ "book", "book", "publisher", NULL },
	{ "monograph", "book", "publisher", NULL },
	{ "edited-book", "book", "publisher", NULL },
	{ "reference-book", "book", "publisher", NULL },
	{ "dissertation", "phdthesis", "school", NULL },
	{ "report", "techreport", "institution", NULL },
	{ "preprint", "misc", "howpublished", "Preprint" },
	{ "posted-content", "misc", "howpublished", "Preprint" },
	{ "dataset", "misc", "howpublished", "Dataset" },
};

static int
bib_entry_cb(void *ctx, const struct store_work *w)
{
	struct bctx *c = ctx;
	struct buf *o = c->out;
	const struct bib_key *k = &c->k[c->at++];
	struct store_author_ref a;
	struct export_name x;
	const char *type = "misc", *venue_field = "howpublished", *note = NULL;
	struct sv url = work_url(w), doi = { "", 0 };
	size_t pos = 0, na = 0, i;
	int rc;

	for (i = 0; i < sizeof(bib_types) / sizeof(bib_types[0]); i++)
		if (sv_eq_cstr(w->type, bib_types[i].type)) {
			type = bib_types[i].entry;
			venue_field = bib_types[i].venue;
			note = bib_types[i].note;
			break;
		}
	buf_putc(o, '@');
	buf_puts(o, type);
	buf_putc(o, '{');
	buf_put(o, c->keys.p + k->off, k->len);
	buf_puts(o, k->suffix);
	buf_puts(o, ",\n  author = {");
	while ((rc = store_work_author_next(w, &pos, &a)) == 0) {
		if (na == 100) {
			buf_puts(o, " and others");
			na++;
		}
		if (na > 100)
			continue;
		if (na++)
			buf_puts(o, " and ");
		export_author_split(c->t, &a, &x);
		bib_name(o, &x);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	if (na == 0)
		buf_puts(o, "{Unknown}");
	buf_putc(o, '}');
	/* the title's markup (<i>, <sup>, ...) as TeX; doubly braced, so
	 * that styles keep its capitals */
	buf_puts(o, ",\n  title = {{");
	if (w->title.n)
		bib_title(o, w->title);
	else
		buf_puts(o, "Untitled work");
	buf_puts(o, "}}");
	if (w->year > 0) {
		buf_puts(o, ",\n  year = {");
		buf_puti64(o, w->year);
		buf_putc(o, '}');
	}
	bib_field(o, venue_field, w->venue, 0);
	if (w->flags & STORE_WORK_RETRACTED)
		bib_field(o, "note", SV_LIT("Retracted"), 0);
	else if (note != NULL)
		bib_field(o, "note", sv_cstr(note), 0);
	if (w->doi.n > 16 && strncasecmp(w->doi.p, "https://doi.org/", 16) == 0)
		doi = (struct sv){ w->doi.p + 16, w->doi.n - 16 };
	if (verbatim_ok(doi)) {
		buf_puts(o, ",\n  doi = {");
		buf_put(o, doi.p, doi.n);
		buf_putc(o, '}');
	}
	if (verbatim_ok(url)) {
		buf_puts(o, ",\n  url = {");
		buf_put(o, url.p, url.n);
		buf_putc(o, '}');
	}
	bib_field(o, "abstract", w->abstract, 0);
	buf_puts(o, "\n}\n\n");
	return 0;
}

int
export_bib(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out)
{
	struct bctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.out = out;
	/* First the keys of every work, so clashes are known; then the entries
	 * in the same (newest first) order. */
	if ((rc = works_each(t, r, WORKS_NEWEST, 0, 0, bib_key_cb, &c)) != 0)
		goto out;
	assign_suffixes(&c);
	buf_puts(out, "% BibTeX of the published work of ");
	bib_txt(out, r->slug);   /* [a-z0-9-] (store_slugify): stays as it is */
	buf_puts(out, " on BZPEER, newest first.\n\n");
	c.at = 0;
	if (c.n == 0)
		goto out;
	rc = works_each(t, r, WORKS_NEWEST, 0, c.n, bib_entry_cb, &c);
	if (rc == 0 && c.at != c.n)
		rc = STORE_CORRUPT;   /* the two walks disagreed */
out:
	free(c.k);
	buf_free(&c.keys);
	return rc;
}
