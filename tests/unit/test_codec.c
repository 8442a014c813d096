/* test_codec.c: the record codec (round trips, truncation, corruption, unknown format), ids, name folding, slugs, trust. */
#include <string.h>
#include <zlib.h>

#include "../../store/codec.h"
#include "../../store/store.h"
#include "check.h"

static int
sv_is(struct sv s, const char *want)
{
	return sv_eq_cstr(s, want);
}

static void
researcher_round_trip(void)
{
	struct store_researcher r, d;
	struct buf b = BUF_INIT, b2 = BUF_INIT, al = BUF_INIT;

	memset(&r, 0, sizeof(r));
	r.id = SV_LIT("A5012345678");
	r.slug = SV_LIT("gregoire-le-2");
	r.name = SV_LIT("Grégoire \"<script>alert(1)</script>\" &'");
	r.orcid = SV_LIT("0000-0002-1825-0097");
	r.institution = (struct sv){ "", 0 };
	r.version = UINT32_MAX;
	r.works = 13;
	r.topics = 6;
	r.close_collaborators = 4;
	r.coauthors = 300000;
	r.claim = STORE_CLAIM_APPROVED;
	r.orcid_verified = 1;
	r.first_year = 1901;
	r.last_year = 2026;
	r.changed = 1764892800;
	rec_put_str(&al, SV_LIT("G. Lé"));
	rec_put_str(&al, SV_LIT("Grégoire <Lé>"));
	r.n_alts = 2;
	r.raw_alts = al.p;
	r.raw_alts_len = al.len;
	rec_researcher_encode(&b, &r);
	REQUIRE(rec_researcher_decode(b.p, b.len, &d) == 0);
	{
		struct sv alt;
		size_t pos = 0;

		CHECK(d.changed == 1764892800 && d.n_alts == 2);
		CHECK(store_researcher_alt_next(&d, &pos, &alt) == 0 &&
		    sv_is(alt, "G. Lé"));
		CHECK(store_researcher_alt_next(&d, &pos, &alt) == 0 &&
		    sv_is(alt, "Grégoire <Lé>"));
		CHECK(store_researcher_alt_next(&d, &pos, &alt) == STORE_NOTFOUND);
	}
	CHECK(sv_is(d.id, "A5012345678"));
	CHECK(sv_is(d.slug, "gregoire-le-2"));
	CHECK(sv_is(d.name, "Grégoire \"<script>alert(1)</script>\" &'"));
	CHECK(sv_is(d.orcid, "0000-0002-1825-0097"));
	CHECK(d.institution.n == 0);
	CHECK(d.version == UINT32_MAX && d.works == 13 && d.topics == 6);
	CHECK(d.close_collaborators == 4 && d.coauthors == 300000);
	CHECK(d.claim == STORE_CLAIM_APPROVED && d.orcid_verified == 1);
	CHECK(d.first_year == 1901 && d.last_year == 2026);
	/* Canonical: decoding and encoding again gives the same bytes. */
	rec_researcher_encode(&b2, &d);
	CHECK(b2.len == b.len && memcmp(b2.p, b.p, b.len) == 0);
	/* Strings are views into the record, NULs and all. */
	buf_reset(&b);
	r.name = (struct sv){ "a\0b", 3 };
	rec_researcher_encode(&b, &r);
	CHECK(rec_researcher_decode(b.p, b.len, &d) == 0 && d.name.n == 3 &&
	    memcmp(d.name.p, "a\0b", 3) == 0);
	buf_free(&b);
	buf_free(&b2);
	buf_free(&al);
}

#define S(lit) { (lit), sizeof(lit) - 1 }
static struct store_author_ref authors[] = {
	{ S("A1"), S("Zoë Ångström") },
	{ S("A22"), S("") },
	{ S("A333"), S("<b>&amp;</b>") },
};
static struct store_topic_ref topics[] = {
	{ S("T10320"), S("Neural Networks") },
};

static void
encode_work(struct buf *b)
{
	struct store_work w;

	memset(&w, 0, sizeof(w));
	w.id = SV_LIT("W2963403868");
	w.doi = SV_LIT("https://doi.org/10.1/x");
	w.title = SV_LIT("A \"title\" <i>with</i> & marks");
	w.type = SV_LIT("preprint");
	w.venue = SV_LIT("arXiv");
	w.landing_url = SV_LIT("https://arxiv.org/abs/1");
	w.abstract = SV_LIT("To be or not to be");
	w.year = 2022;
	rec_work_encode(b, &w, authors, 3, topics, 1);
}

static void
work_round_trip(void)
{
	struct store_work w;
	struct store_author_ref a;
	struct store_topic_ref t;
	struct buf b = BUF_INIT;
	size_t pos = 0;
	int n = 0;

	encode_work(&b);
	REQUIRE(rec_work_decode(b.p, b.len, &w) == 0);
	CHECK(sv_is(w.id, "W2963403868"));
	CHECK(sv_is(w.doi, "https://doi.org/10.1/x"));
	CHECK(sv_is(w.title, "A \"title\" <i>with</i> & marks"));
	CHECK(sv_is(w.type, "preprint") && sv_is(w.venue, "arXiv"));
	CHECK(sv_is(w.landing_url, "https://arxiv.org/abs/1"));
	CHECK(sv_is(w.abstract, "To be or not to be"));
	CHECK(w.year == 2022 && w.n_authors == 3 && w.n_topics == 1);
	CHECK(store_work_author(&w, 0, &a) == 0 && sv_is(a.id, "A1") &&
	    sv_is(a.name, "Zoë Ångström"));
	CHECK(store_work_author(&w, 2, &a) == 0 && sv_is(a.id, "A333") &&
	    sv_is(a.name, "<b>&amp;</b>"));
	CHECK(store_work_author(&w, 3, &a) == STORE_NOTFOUND);
	CHECK(store_work_topic(&w, 0, &t) == 0 && sv_is(t.id, "T10320") &&
	    sv_is(t.name, "Neural Networks"));
	CHECK(store_work_topic(&w, 1, &t) == STORE_NOTFOUND);
	while (store_work_author_next(&w, &pos, &a) == 0)
		n++;
	CHECK(n == 3);
	CHECK(store_work_author_next(&w, &pos, &a) == STORE_NOTFOUND);

	/* A work without authors or topics. */
	buf_reset(&b);
	memset(&w, 0, sizeof(w));
	w.id = SV_LIT("W1");
	rec_work_encode(&b, &w, NULL, 0, NULL, 0);
	REQUIRE(rec_work_decode(b.p, b.len, &w) == 0);
	pos = 0;
	CHECK(w.n_authors == 0 && w.year == 0 && w.title.n == 0);
	CHECK(store_work_author_next(&w, &pos, &a) == STORE_NOTFOUND);
	CHECK(store_work_topic(&w, 0, &t) == STORE_NOTFOUND);
	buf_free(&b);
}

static void
topic_round_trip(void)
{
	struct store_topic_ref t = { SV_LIT("T1"), SV_LIT("Topic & <one>") }, d;
	struct buf b = BUF_INIT;

	rec_topic_encode(&b, &t);
	CHECK(rec_topic_decode(b.p, b.len, &d) == 0 && sv_is(d.id, "T1") &&
	    sv_is(d.name, "Topic & <one>"));
	/* A record of one kind is not read as another. */
	CHECK(rec_researcher_decode(b.p, b.len, &(struct store_researcher){ 0 })
	    == STORE_CORRUPT);
	buf_free(&b);
}

/* Every shorter prefix and every one-byte change of a record is refused. */
static void
truncated_and_corrupted(void)
{
	struct buf b = BUF_INIT;
	struct store_work w;
	size_t i;
	int all_refused = 1, flips_refused = 1;

	encode_work(&b);
	for (i = 0; i < b.len; i++)
		if (rec_work_decode(b.p, i, &w) != STORE_CORRUPT)
			all_refused = 0;
	CHECK(all_refused);
	CHECK(rec_work_decode(NULL, 0, &w) == STORE_CORRUPT);
	for (i = 0; i < b.len; i++) {
		int bit;

		for (bit = 0; bit < 8; bit++) {
			b.p[i] ^= (char)(1 << bit);
			if (rec_work_decode(b.p, b.len, &w) != STORE_CORRUPT)
				flips_refused = 0;
			b.p[i] ^= (char)(1 << bit);
		}
	}
	CHECK(flips_refused);
	CHECK(rec_work_decode(b.p, b.len, &w) == 0);
	/* A refused record leaves nothing half-filled. */
	b.p[5] ^= 1;
	CHECK(rec_work_decode(b.p, b.len, &w) == STORE_CORRUPT &&
	    w.id.n == 0 && w.n_authors == 0 && w.raw_authors == NULL);
	buf_free(&b);
}

/* Records whose checksum holds but whose structure does not. */
static void
structure_checked(void)
{
	struct buf b = BUF_INIT;
	struct store_researcher r;
	struct rec_reader rd;
	size_t s;
	int i;

	/* A string longer than what is left. */
	s = rec_begin(&b, REC_TOPIC);
	rec_put_str(&b, SV_LIT("T1"));
	rec_put_uint(&b, 1000);
	buf_puts(&b, "short");
	rec_end(&b, s);
	CHECK(rec_topic_decode(b.p, b.len, &(struct store_topic_ref){ 0 }) ==
	    STORE_CORRUPT);

	/* Trailing bytes. */
	buf_reset(&b);
	s = rec_begin(&b, REC_TOPIC);
	rec_put_str(&b, SV_LIT("T1"));
	rec_put_str(&b, SV_LIT("x"));
	rec_put_uint(&b, 7);
	rec_end(&b, s);
	CHECK(rec_topic_decode(b.p, b.len, &(struct store_topic_ref){ 0 }) ==
	    STORE_CORRUPT);

	/* A varint of more than 64 bits. */
	buf_reset(&b);
	s = rec_begin(&b, REC_TOPIC);
	for (i = 0; i < 10; i++)
		buf_putc(&b, 0xff);
	buf_putc(&b, 0x01);
	rec_end(&b, s);
	rd.err = 0;
	CHECK(rec_open(&rd, b.p, b.len, REC_TOPIC) == 0);
	CHECK(rec_get_uint(&rd, UINT64_MAX) == 0 && rd.err == STORE_CORRUPT);
	CHECK(rec_close(&rd) == STORE_CORRUPT);

	/* A claim state that does not exist; a year past 9999. */
	memset(&r, 0, sizeof(r));
	r.id = SV_LIT("A1");
	r.claim = 3;
	buf_reset(&b);
	rec_researcher_encode(&b, &r);
	CHECK(rec_researcher_decode(b.p, b.len, &r) == STORE_CORRUPT);
	memset(&r, 0, sizeof(r));
	r.last_year = 10000;
	buf_reset(&b);
	rec_researcher_encode(&b, &r);
	CHECK(rec_researcher_decode(b.p, b.len, &r) == STORE_CORRUPT);

	/* A work claiming more authors than its bytes hold. */
	buf_reset(&b);
	s = rec_begin(&b, REC_WORK);
	for (i = 0; i < 7; i++)
		rec_put_str(&b, SV_LIT(""));
	rec_put_uint(&b, 0);            /* year */
	rec_put_uint(&b, 4000000000u);  /* n_authors */
	rec_put_str(&b, SV_LIT("A1"));
	rec_put_str(&b, SV_LIT("x"));
	rec_put_uint(&b, 0);
	rec_end(&b, s);
	CHECK(rec_work_decode(b.p, b.len, &(struct store_work){ 0 }) ==
	    STORE_CORRUPT);
	buf_free(&b);
}

/* A record from another format version is refused as such, not misread. */
static void
unknown_format(void)
{
	struct buf b = BUF_INIT;
	struct store_researcher r;
	size_t s;

	memset(&r, 0, sizeof(r));
	r.id = SV_LIT("A1");
	s = rec_begin(&b, REC_RESEARCHER);
	b.p[s] = REC_FORMAT + 1;
	rec_put_str(&b, r.id);
	rec_end(&b, s);
	CHECK(rec_researcher_decode(b.p, b.len, &r) == STORE_BADSCHEMA);
	CHECK(r.id.n == 0);
	CHECK(strstr(store_strerror(STORE_BADSCHEMA), "schema") != NULL);
	CHECK(strstr(store_strerror(STORE_CORRUPT), "decode") != NULL);
	buf_free(&b);
}

static void
ids(void)
{
	uint64_t n = 0;
	char out[ID_BUF];

	CHECK(id_parse(SV_LIT("A5012345678"), 'A', &n) == 0 &&
	    n == 5012345678ULL);
	CHECK(id_parse(SV_LIT("W9999999999999999999"), 'W', &n) == 0 &&
	    n == 9999999999999999999ULL);
	CHECK(id_parse(SV_LIT("W10000000000000000000"), 'W', &n) == -1);
	CHECK(id_parse(SV_LIT("A0123"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("A0"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("A"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("W123"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("a123"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("A12x"), 'A', &n) == -1);
	CHECK(id_parse(SV_LIT("A 12"), 'A', &n) == -1);
	CHECK(id_format(out, 'T', 10320) == 6 && strcmp(out, "T10320") == 0);
	CHECK(id_format(out, 'W', UINT64_MAX) == 21 &&
	    strcmp(out, "W18446744073709551615") == 0);
}

static int
folds_to(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	int ok;

	store_fold_name(&b, sv_cstr(in));
	ok = b.len == strlen(want) && memcmp(b.p, want, b.len) == 0;
	if (!ok)
		printf("# fold(%s) = \"%.*s\", want \"%s\"\n", in, (int)b.len,
		    b.p ? b.p : "", want);
	buf_free(&b);
	return ok;
}

static int
slug_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	int ok;

	store_slugify(&b, sv_cstr(in));
	ok = b.len == strlen(want) && memcmp(b.p, want, b.len) == 0;
	if (!ok)
		printf("# slugify(%s) = \"%.*s\", want \"%s\"\n", in,
		    (int)b.len, b.p ? b.p : "", want);
	buf_free(&b);
	return ok;
}

static void
folding(void)
{
	struct buf b = BUF_INIT;
	int i, bad = 0;

	CHECK(folds_to("Grégoire", "gregoire"));
	CHECK(folds_to("GRÉGOIRE LÉ", "gregoire le"));
	CHECK(folds_to("Straße", "strasse"));
	CHECK(folds_to("Øystein Ærø", "oystein aero"));
	CHECK(folds_to("Łukasz Ściółka", "lukasz sciolka"));
	CHECK(folds_to("Œuvre Þór Ĳssel", "oeuvre thor ijssel"));
	CHECK(folds_to("Ștefan Țuțea", "stefan tutea"));
	CHECK(folds_to("Dvořák Ñúñez Çağlar", "dvorak nunez caglar"));
	CHECK(folds_to("e\xcc\x81toile", "etoile"));          /* NFD é */
	CHECK(folds_to("  Ana \t\n  María  ", "ana maria"));
	CHECK(folds_to("王 小明", "王 小明"));
	CHECK(folds_to("Ωmega × ÷", "ωmega × ÷"));
	/* Every script: case folding, accents, compatibility forms. */
	CHECK(folds_to("Nguyễn Văn An", "nguyen van an"));       /* Vietnamese */
	CHECK(folds_to("Đặng Thái Sơn", "dang thai son"));
	CHECK(folds_to("NGUYỄN THỊ MINH KHAI", "nguyen thi minh khai"));
	CHECK(folds_to("Hervé Jeǵou", "herve jegou"));
	CHECK(folds_to("Иван Петров", "иван петров"));           /* Cyrillic */
	CHECK(folds_to("ИВАН", "иван"));
	CHECK(folds_to("Алёна Йосипенко", "алена йосипенко"));   /* ё is е, й stays */
	CHECK(folds_to("Ї Ў Ќ", "ї ў ќ"));
	CHECK(folds_to("и\xcc\x86", "й"));                       /* NFD й */
	CHECK(folds_to("Ελένη Παπαδοπούλου", "ελενη παπαδοπουλου")); /* Greek */
	CHECK(folds_to("ΕΛΈΝΗ ΟΔΥΣΣΕΥΣ", "ελενη οδυσσευσ"));    /* final sigma */
	CHECK(folds_to("Ὀδυσσεύς", "οδυσσευσ"));                /* polytonic */
	CHECK(folds_to("王小明", "王小明"));                       /* CJK */
	CHECK(folds_to("田中　太郎", "田中 太郎"));               /* ideographic space */
	CHECK(folds_to("ガウス ｶﾞｳｽ", "ガウス ガウス"));          /* half-width kana */
	CHECK(folds_to("김민준", "김민준"));                       /* Hangul, recomposed */
	CHECK(folds_to("مُحَمَّد عَلِيّ", "محمد علي"));               /* Arabic harakat */
	CHECK(folds_to("שָׁלוֹם", "שלום"));                         /* Hebrew points */
	CHECK(folds_to("अमित शर्मा", "अमित शर्मा"));                 /* matras kept */
	CHECK(folds_to("สมชาย", "สมชาย"));                        /* Thai kept */
	CHECK(folds_to("Ｊｏｈｎ Ｓｍｉｔｈ", "john smith"));         /* full width */
	CHECK(folds_to("ﬁona", "fiona"));                         /* ligature */
	CHECK(folds_to("Məmmədov Əli", "məmmədov əli"));          /* schwa kept */
	CHECK(folds_to("İlker Işık", "ilker isik"));               /* Turkish */
	CHECK(folds_to("n\xcc\x83o\xcc\x88\xcc\x81", "no"));      /* stacked marks */
	/* Hyphens, dashes and apostrophes match their ASCII forms. */
	CHECK(folds_to("Jean\xe2\x80\x90Pierre", "jean-pierre"));  /* U+2010 */
	CHECK(folds_to("Jean\xe2\x80\x91Pierre", "jean-pierre"));  /* U+2011 */
	CHECK(folds_to("Jean\xe2\x80\x93Pierre", "jean-pierre"));  /* U+2013 */
	CHECK(folds_to("O\xe2\x80\x99" "Brien", "o'brien"));          /* U+2019 */
	CHECK(folds_to("O\xca\xbc" "Brien", "o'brien"));               /* U+02BC */
	/* Invisible and control characters. */
	CHECK(folds_to("Ann\xc2\xad" "ette", "annette"));              /* soft hyphen */
	CHECK(folds_to("\xe2\x80\x8f" "Ali\xe2\x80\x8e \xe2\x80\xaeX", "ali x")); /* bidi */
	CHECK(folds_to("a\xc2\x85" "b\xe2\x80\xa8" "c", "a b c"));       /* NEL, LS */
	CHECK(folds_to("a\x01" "b\x7f" "c\xc2\x9f", "abc"));
	CHECK(folds_to("a\xff" "b\xc3" "c", "abc"));           /* invalid UTF-8 */
	CHECK(folds_to("\xc0\xaf" "x", "x"));                   /* overlong */
	CHECK(folds_to("", ""));
	/* ASCII folds alike whether or not the name has other characters
	 * (ASCII names take a shortcut past libutf8proc). */
	for (i = 1, bad = 0; i < 0x80; i++) {
		char in[8] = { 'x', (char)i, 'y', 0 }, mixed[8] = { 'x', (char)i,
		    'y', (char)0xC3, (char)0xA9, 0 };
		struct buf m = BUF_INIT;

		buf_reset(&b);
		store_fold_name(&b, sv_cstr(in));
		store_fold_name(&m, sv_cstr(mixed));
		if (m.len != b.len + 1 || memcmp(m.p, b.p, b.len) != 0 ||
		    m.p[b.len] != 'e')
			bad++;
		buf_free(&m);
	}
	CHECK(bad == 0);
	bad = 0;
	/* Every Latin-1/Extended-A letter folds to ASCII. */
	for (i = 0xC0; i < 0x180; i++) {
		char in[3] = { (char)(0xC0 | (i >> 6)), (char)(0x80 | (i & 0x3F)),
		    0 };
		size_t k;

		if (i == 0xD7 || i == 0xF7)
			continue;           /* × ÷ are not letters */
		buf_reset(&b);
		store_fold_name(&b, sv_cstr(in));
		for (k = 0; k < b.len; k++)
			if (b.p[k] < 'a' || b.p[k] > 'z')
				bad++;
		if (b.len == 0)
			bad++;
	}
	CHECK(bad == 0);
	buf_free(&b);
}

static int
words_are(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	int ok;

	store_name_words(&b, sv_cstr(in), 400);
	ok = b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want, b.len) == 0);
	if (!ok)
		printf("# words(%s) = \"%.*s\", want \"%s\"\n", in,
		    (int)b.len, b.p ? b.p : "", want);
	buf_free(&b);
	return ok;
}

/* The words form the search index keeps. */
static void
name_words(void)
{
	struct buf b = BUF_INIT;

	CHECK(words_are("Kenneth J. Livak", "kenneth j livak"));
	CHECK(words_are("Kenneth J Livak", "kenneth j livak"));
	CHECK(words_are("Livak, Kenneth J.", "livak kenneth j"));
	CHECK(words_are("W.L. Mochán", "w l mochan"));
	CHECK(words_are("Jean\xe2\x80\x90Pierre O\xe2\x80\x99" "Brien",
	    "jean pierre o brien"));
	CHECK(words_are("  ---  ", ""));
	CHECK(words_are("Иван  Петров", "иван петров"));
	CHECK(words_are("王 小明", "王 小明"));
	store_name_words(&b, sv_cstr("abc defgh ijk"), 9);
	CHECK(b.len == 9 && memcmp(b.p, "abc defgh", 9) == 0);
	buf_reset(&b);
	store_name_words(&b, sv_cstr("abcdefghijk"), 4);
	CHECK(b.len == 4 && memcmp(b.p, "abcd", 4) == 0);
	buf_free(&b);
}

static void
slugs(void)
{
	struct buf b = BUF_INIT;
	char longname[400];
	int i;

	CHECK(slug_is("Grégoire Lé", "gregoire-le"));
	CHECK(slug_is("Sanjeev Arora", "sanjeev-arora"));
	CHECK(slug_is("  --Jean-Pierre  O'Brien--  ", "jean-pierre-o-brien"));
	CHECK(slug_is("<script>alert(1)</script>", "script-alert-1-script"));
	CHECK(slug_is("", "researcher"));
	CHECK(slug_is("---", "researcher"));
	CHECK(slug_is("王小明", "王小明"));
	CHECK(slug_is("Zoë 王 Ångström", "zoe-王-angstrom"));
	CHECK(slug_is("Nguyễn Văn An", "nguyen-van-an"));
	CHECK(slug_is("Hervé Jeǵou", "herve-jegou"));
	CHECK(slug_is("Иван Петров", "иван-петров"));
	CHECK(slug_is("Ελένη Παπαδοπούλου", "ελενη-παπαδοπουλου"));
	CHECK(slug_is("محمد علي", "محمد-علي"));
	CHECK(slug_is("अमित शर्मा", "अमित-शर्मा"));
	CHECK(slug_is("Jean\xe2\x80\x91Pierre O\xe2\x80\x99" "Brien",
	    "jean-pierre-o-brien"));
	CHECK(slug_is("Kenneth J. Livak", "kenneth-j-livak"));
	CHECK(slug_is("№ ½ ²", "no-1-2-2"));
	/* A long non-ASCII name is cut between code points, never inside one. */
	longname[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(longname, "Жж");
	store_slugify(&b, sv_cstr(longname));
	CHECK(b.len == STORE_SLUG_MAX && (unsigned char)b.p[0] == 0xD0);
	buf_reset(&b);
	longname[0] = '\0';
	for (i = 0; i < 27; i++)
		strcat(longname, "王");
	store_slugify(&b, sv_cstr(longname));
	CHECK(b.len == 78);              /* 26 of 3 bytes fit in 80 */
	buf_reset(&b);
	/* Long names: at most STORE_SLUG_MAX, cut at a word, no '-' at the end. */
	longname[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(longname, "abcdefghi ");
	store_slugify(&b, sv_cstr(longname));
	CHECK(b.len <= STORE_SLUG_MAX && b.len >= STORE_SLUG_MAX - 10);
	CHECK(b.p[b.len - 1] != '-' && b.p[0] != '-');
	CHECK(b.len % 10 == 9);         /* whole words only */
	memset(longname, 'x', 300);
	longname[300] = '\0';
	buf_reset(&b);
	store_slugify(&b, sv_cstr(longname));
	CHECK(b.len == STORE_SLUG_MAX);
	buf_free(&b);
}

static void
trust(void)
{
	struct store_researcher r;

	memset(&r, 0, sizeof(r));
	CHECK(store_level(&r) == 0 && store_trust(&r) == 0);
	CHECK(strcmp(store_trust_band(0), "New") == 0);
	/* The seed profile: L1, 13 works, 4 close, 6 topics, unclaimed. */
	r.works = 13;
	r.close_collaborators = 4;
	r.topics = 6;
	CHECK(store_level(&r) == 1);
	CHECK(store_trust(&r) == 21);
	CHECK(strcmp(store_trust_band(store_trust(&r)), "Emerging") == 0);
	{
		struct store_trust_parts tp;

		store_trust_parts(&r, &tp);
		CHECK(tp.level == 10 && tp.works == 6 && tp.close == 4 &&
		    tp.topics == 1 && tp.claimed == 0 && tp.total == 21);
		/* The parts always add up to the score the page shows. */
		for (unsigned w = 0; w < 60; w += 7)
			for (unsigned c = 0; c < 3; c++) {
				struct store_researcher x = r;

				x.works = w;
				x.topics = w / 2;
				x.close_collaborators = w / 3;
				x.claim = (uint8_t)c;
				x.orcid_verified = (uint8_t)(c == 2 && w % 2);
				store_trust_parts(&x, &tp);
				CHECK(tp.level + tp.works + tp.close + tp.topics +
				    tp.claimed == tp.total &&
				    tp.total == store_trust(&x));
			}
	}
	r.claim = STORE_CLAIM_PENDING;
	CHECK(store_level(&r) == 1 && store_trust(&r) == 21);
	r.claim = STORE_CLAIM_APPROVED;
	CHECK(store_level(&r) == 2 && store_trust(&r) == 20 + 6 + 4 + 1 + 25);
	r.orcid_verified = 1;
	CHECK(store_level(&r) == 3 && store_trust(&r) == 30 + 6 + 4 + 1 + 25);
	r.works = 1000;
	r.close_collaborators = 1000;
	r.topics = 1000;
	CHECK(store_trust(&r) == 100);
	CHECK(strcmp(store_trust_band(100), "Highly trusted") == 0);
	CHECK(strcmp(store_trust_band(9), "New") == 0);
	CHECK(strcmp(store_trust_band(10), "Emerging") == 0);
	CHECK(strcmp(store_trust_band(29), "Emerging") == 0);
	CHECK(strcmp(store_trust_band(30), "Established") == 0);
	CHECK(strcmp(store_trust_band(49), "Established") == 0);
	CHECK(strcmp(store_trust_band(50), "Trusted") == 0);
	CHECK(strcmp(store_trust_band(69), "Trusted") == 0);
	CHECK(strcmp(store_trust_band(70), "Highly trusted") == 0);
}

/*
 * The records' checksum is zlib's CRC-32 (stores written when zlib computed
 * it must keep reading): the same value on every length up to 5,000 bytes
 * at every alignment, and the standard check value.
 */
static void
crc_is_zlibs(void)
{
	static unsigned char b[5000 + 16];
	uint32_t x = 2463534242u;
	size_t len, off, bad = 0;

	for (len = 0; len < sizeof(b); len++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[len] = (unsigned char)x;
	}
	for (len = 0; len <= 5000; len++)
		for (off = 0; off < 16; off++)
			if (rec_crc(b + off, len) !=
			    (uint32_t)crc32(0L, b + off, (uInt)len))
				bad++;
	CHECK(bad == 0);
	CHECK(rec_crc("123456789", 9) == 0xCBF43926u);
}

int
main(void)
{
	crc_is_zlibs();
	researcher_round_trip();
	work_round_trip();
	topic_round_trip();
	truncated_and_corrupted();
	structure_checked();
	unknown_format();
	ids();
	folding();
	name_words();
	slugs();
	trust();
	CHECK_DONE();
}
