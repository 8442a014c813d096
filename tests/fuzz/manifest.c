/* manifest.c (fuzz): an OpenAlex snapshot manifest's text through snapshot_manifest_parse(), for each entity folder and both kinds of manifest. */
/*
 * The first byte says how the rest is read:
 *   low 2 bits  the entity's folder: jsonl/works/, jsonl/authors/,
 *               works/ or authors/ (current and legacy layouts)
 *   0x04        the combined manifest (data/jsonl/manifest.json: every
 *               entity's parts, no totals of this one)
 *
 * Beyond no crash: every problem is a logged line naming the manifest; an
 * accepted manifest lists every entry (but other entities' in a combined
 * one), its totals, when it states them, are the sums of its entries;
 * every part accepted is a file name (printable ASCII) under DIR/data/PREFIX
 * updated_date=DATE/ with DATE a date of the calendar, its counts within
 * SNAP_COUNT_MAX; the list is sorted and without duplicates, and parsing
 * again gives the same list.
 */
#include <jansson.h>
#include <string.h>

#include "../../store/snapshot.h"
#include "fuzz.h"

#define DIR   "/snap"
#define MPATH "/snap/data/works/manifest"

FUZZ_INIT(manifest)
{
	return 0;
}

static void
list_free(struct snap_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Every line of the log names the manifest, or a part under DIR: text
 * from the manifest never makes a line of its own. */
static void
check_log(const char *log, size_t n, int bad)
{
	const char *p = log, *end = log + n;
	int lines = 0;

	FUZZ_CHECK((bad == 0) == (n == 0));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		FUZZ_CHECK(nl != NULL);
		FUZZ_CHECK(strncmp(p, MPATH ": ", sizeof(MPATH) + 1) == 0 ||
		    strncmp(p, DIR "/data/", sizeof(DIR "/data/") - 1) == 0);
		lines++;
		p = nl + 1;
	}
	FUZZ_CHECK(lines == bad);
}

/* The totals a manifest states, checked against the list (independently
 * of the parser, through jansson here). */
static void
check_totals(const uint8_t *text, size_t len, const struct snap_list *l)
{
	json_t *root = json_loadb((const char *)text, len, 0, NULL), *meta, *v;
	uint64_t bytes = 0, recs = 0;

	FUZZ_CHECK(root != NULL);
	FUZZ_CHECK(json_array_size(json_object_get(root, "entries")) == l->n);
	for (size_t i = 0; i < l->n; i++) {
		bytes += l->v[i].bytes;
		recs += l->v[i].records;
	}
	meta = json_object_get(root, "meta");
	if (json_is_object(meta)) {
		if ((v = json_object_get(meta, "content_length")) != NULL)
			FUZZ_CHECK(json_is_integer(v) &&
			    (uint64_t)json_integer_value(v) == bytes);
		if ((v = json_object_get(meta, "record_count")) != NULL)
			FUZZ_CHECK(json_is_integer(v) &&
			    (uint64_t)json_integer_value(v) == recs);
	}
	json_decref(root);
}

static void
check_entry(const struct snap_file *f, const char *prefix)
{
	char want[64];
	const char *p = f->path, *name;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), DIR "/data/%supdated_date=", prefix);
	FUZZ_CHECK(strncmp(p, want, n) == 0);
	p += n;
	FUZZ_CHECK(snapshot_date_valid(f->date, strlen(f->date)));
	FUZZ_CHECK(strncmp(p, f->date, 10) == 0 && p[10] == '/');
	name = p + 11;
	FUZZ_CHECK(*name != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
	for (p = f->path; *p; p++)
		FUZZ_CHECK(*p > 0x20 && *p < 0x7f);
	FUZZ_CHECK(strstr(f->path, "/../") == NULL);
	FUZZ_CHECK(f->bytes <= SNAP_COUNT_MAX && f->records <= SNAP_COUNT_MAX);
}

FUZZ_ONE(manifest)
{
	static const char *const prefixes[4] = { "jsonl/works/",
	    "jsonl/authors/", "works/", "authors/" };
	struct snap_list l = { 0 }, again = { 0 };
	const char *prefix;
	char *log = NULL;
	size_t logn = 0;
	FILE *f;
	int combined, bad, bad2;

	if (size == 0)
		return 0;
	prefix = prefixes[data[0] & 3];
	combined = (data[0] & 4) != 0;
	if ((f = open_memstream(&log, &logn)) == NULL)
		abort();
	bad = snapshot_manifest_parse((const char *)data + 1, size - 1, DIR,
	    MPATH, prefix, combined, &l, f);
	fclose(f);
	check_log(log, logn, bad);
	free(log);
	FUZZ_CHECK(bad >= 0 && l.n <= SNAP_ENTRIES_MAX);

	if (bad == 0) {
		for (size_t i = 0; i < l.n; i++) {
			check_entry(&l.v[i], prefix);
			if (i > 0) {
				int c = strcmp(l.v[i - 1].date, l.v[i].date);

				FUZZ_CHECK(c < 0 || (c == 0 &&
				    strcmp(l.v[i - 1].path, l.v[i].path) < 0));
			}
		}
		if (!combined)
			check_totals(data + 1, size - 1, &l);
	}

	/* The same text, the same answer. */
	if ((f = fopen("/dev/null", "w")) == NULL)
		abort();
	bad2 = snapshot_manifest_parse((const char *)data + 1, size - 1, DIR,
	    MPATH, prefix, combined, &again, f);
	fclose(f);
	FUZZ_CHECK((bad == 0) == (bad2 == 0));
	if (bad == 0) {
		FUZZ_CHECK(again.n == l.n);
		for (size_t i = 0; i < l.n; i++)
			FUZZ_CHECK(strcmp(again.v[i].path, l.v[i].path) == 0 &&
			    again.v[i].bytes == l.v[i].bytes &&
			    again.v[i].records == l.v[i].records);
	}
	list_free(&l);
	list_free(&again);
	return 0;
}
