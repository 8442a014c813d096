/* fold.c (fuzz): name folding, the words the search index keeps and slugs (store/fold.c), on any bytes. */
#include <string.h>

#include "../../store/store.h"
#include "../../store/utf8.h"
#include "fuzz.h"

FUZZ_INIT(fold)
{
	return 0;
}

/* Valid UTF-8 without NUL. */
static int
valid(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->p;
	size_t i = 0;

	while (i < b->len) {
		if (p[i] == 0)
			return 0;
		if (utf8_next(p, b->len, &i) < 0)
			return 0;
	}
	return 1;
}

static int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* Runs of name characters joined by exactly one sep, none at either end. */
static int
joined(const struct buf *b, char sep)
{
	size_t i = 0, k;
	int after_sep = 1;

	while (i < b->len) {
		if (b->p[i] == sep) {
			if (after_sep)
				return 0;
			after_sep = 1;
			i++;
			continue;
		}
		if (!store_name_char(b->p + i, b->len - i, &k))
			return 0;
		after_sep = 0;
		i += k;
	}
	return b->len == 0 || !after_sep;
}

FUZZ_ONE(fold)
{
	struct sv in = { (const char *)data, size };
	struct buf f = BUF_INIT, f2 = BUF_INIT, w = BUF_INIT, w2 = BUF_INIT,
	    s = BUF_INIT, s2 = BUF_INIT, up = BUF_INIT;
	size_t i;

	store_fold_name(&f, in);
	FUZZ_CHECK(valid(&f));
	/* White space: single spaces inside, none at the ends; no controls,
	 * no ASCII capitals. */
	for (i = 0; i < f.len; i++) {
		unsigned char c = (unsigned char)f.p[i];

		FUZZ_CHECK(c >= 0x20 && c != 0x7F && !(c >= 'A' && c <= 'Z'));
		FUZZ_CHECK(!(c == ' ' && (i == 0 || i + 1 == f.len ||
		    f.p[i + 1] == ' ')));
	}
	/* Folding what is folded changes nothing. */
	store_fold_name(&f2, buf_sv(&f));
	FUZZ_CHECK(same(&f, &f2));
	/* ASCII case does not matter. */
	buf_put(&up, data, size);
	for (i = 0; i < up.len; i++)
		if (up.p[i] >= 'a' && up.p[i] <= 'z')
			up.p[i] = (char)(up.p[i] - 'a' + 'A');
	buf_reset(&f2);
	store_fold_name(&f2, buf_sv(&up));
	FUZZ_CHECK(same(&f, &f2));

	/* The words: name characters joined by one space, within the limit,
	 * the same from the folded name. */
	store_name_words(&w, in, 400);
	FUZZ_CHECK(valid(&w) && w.len <= 400 && joined(&w, ' '));
	store_name_words(&w2, buf_sv(&f), 400);
	FUZZ_CHECK(same(&w, &w2));
	buf_reset(&w2);
	store_name_words(&w2, buf_sv(&w), 400);
	FUZZ_CHECK(same(&w, &w2));

	/* The slug: never empty, at most STORE_SLUG_MAX, words joined by '-'
	 * (the same words, when they fit), the same from the folded name. */
	store_slugify(&s, in);
	FUZZ_CHECK(valid(&s) && s.len > 0 && s.len <= STORE_SLUG_MAX &&
	    joined(&s, '-'));
	store_slugify(&s2, buf_sv(&f));
	FUZZ_CHECK(same(&s, &s2));
	if (w.len > 0 && w.len <= STORE_SLUG_MAX) {
		for (i = 0; i < w.len; i++)
			if (w.p[i] == ' ')
				w.p[i] = '-';
		FUZZ_CHECK(same(&s, &w));
	} else if (w.len == 0)
		FUZZ_CHECK(s.len == 10 && memcmp(s.p, "researcher", 10) == 0);

	buf_free(&f);
	buf_free(&f2);
	buf_free(&w);
	buf_free(&w2);
	buf_free(&s);
	buf_free(&s2);
	buf_free(&up);
	return 0;
}
