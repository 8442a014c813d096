/* snapshot.c: an OpenAlex snapshot folder read through its manifests (snapshot.h). */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *
join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0) {
		perror("asprintf");
		abort();
	}
	return p;
}

static struct snap_file *
add(struct snap_list *l, char *path, const char *date)
{
	struct snap_file *f;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	snprintf(f->date, sizeof(f->date), "%s", date);
	return f;
}

static int
cmp_file(const void *a, const void *b)
{
	const struct snap_file *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c ? c : strcmp(x->path, y->path);
}

int
snapshot_date_valid(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-dd";
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int i, y, mo, d;

	if (n != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (shape[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != '-')
			return 0;
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
	    (p[3] - '0');
	mo = (p[5] - '0') * 10 + (p[6] - '0');
	d = (p[8] - '0') * 10 + (p[9] - '0');
	/* Dates are compared as text to know what was applied: one that is
	 * no date ("2024-99-99") would sort after every real one to come. */
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return 0;
	return !(mo == 2 && d == 29 &&
	    (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* A date at p, which has at least 10 bytes before its NUL. */
static int
date_at(const char *p)
{
	return snapshot_date_valid(p, 10);
}

/*
 * A manifest entry's url as a path under DIR/data: "s3://openalex/data/"
 * and then `prefix` (the entity's folder under data/, "jsonl/works/" or
 * "works/"), "updated_date=YYYY-MM-DD/" and a file name. NULL (why in
 * *why) for anything else, ".." or an empty name included.
 */
static char *
entry_path(const char *dir, const char *url, const char *prefix, char date[11],
    const char **why)
{
	static const char upd[] = "updated_date=";
	const char *p = strstr(url, "/data/"), *name, *rest;
	char *path;

	*why = "not a part of this entity";
	if (strncmp(url, "s3://", 5) != 0 || p == NULL)
		return NULL;
	rest = p += 6;
	if (strncmp(p, prefix, strlen(prefix)) != 0)
		return NULL;
	p += strlen(prefix);
	if (strncmp(p, upd, sizeof(upd) - 1) != 0 ||
	    strlen(p) < sizeof(upd) - 1 + 11 ||
	    !date_at(p + sizeof(upd) - 1) ||
	    p[sizeof(upd) - 1 + 10] != '/') {
		*why = "not under updated_date=YYYY-MM-DD/ (a date of the calendar)";
		return NULL;
	}
	memcpy(date, p + sizeof(upd) - 1, 10);
	date[10] = '\0';
	name = p + sizeof(upd) - 1 + 11;
	/* Parts are part_0000.gz or 0000_part_00.gz: a name of letters,
	 * digits, '.', '_' and '-', so no path it makes holds a control
	 * character or leaves its folder. */
	if (*name == '\0' || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(name) ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		*why = "not a file name";
		return NULL;
	}
	if (asprintf(&path, "%s/data/%s", dir, rest) < 0)
		abort();
	return path;
}

/*
 * Text from a manifest on the log: printable ASCII, anything else as
 * \xNN, at most 200 bytes, so a url holding a newline cannot forge a
 * line of its own (nor a terminal escape reach the operator's screen).
 */
static void
put_text(FILE *log, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 200; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, log);
		else
			fprintf(log, "\\x%02x", ch);
	}
	if (s[i] != '\0')
		fputs("...", log);
}

/* A JSON member that is an integer from 0 to SNAP_COUNT_MAX, or -1. */
static json_int_t
count_of(json_t *meta, const char *name)
{
	json_t *v = json_object_get(meta, name);

	return json_is_integer(v) && json_integer_value(v) >= 0 &&
	    (uint64_t)json_integer_value(v) <= SNAP_COUNT_MAX ?
	    json_integer_value(v) : -1;
}

int
snapshot_manifest_parse(const char *text, size_t len, const char *dir,
    const char *mpath, const char *prefix, int combined, struct snap_list *l,
    FILE *log)
{
	json_error_t jerr;
	json_t *root, *entries, *e;
	size_t i, n0 = l->n;
	int bad = 0;
	uint64_t sum_len = 0, sum_rec = 0;
	json_int_t tl, tr;

	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		fprintf(log, "%s: not a manifest: ", mpath);
		put_text(log, jerr.text);
		fprintf(log, " (line %d)\n", jerr.line);
		return 1;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries)) {
		fprintf(log, "%s: no \"entries\" list\n", mpath);
		json_decref(root);
		return 1;
	}
	if (json_array_size(entries) > SNAP_ENTRIES_MAX) {
		fprintf(log, "%s: %zu entries, more than a manifest holds (%u)\n",
		    mpath, json_array_size(entries), SNAP_ENTRIES_MAX);
		json_decref(root);
		return 1;
	}
	json_array_foreach(entries, i, e) {
		json_t *url = json_object_get(e, "url");
		json_t *meta = json_object_get(e, "meta");
		json_int_t clen = count_of(meta, "content_length");
		json_int_t rec = count_of(meta, "record_count");
		const char *why;
		char date[11], *path;
		struct snap_file *f;

		if (!json_is_string(url) || clen < 0 || rec < 0) {
			fprintf(log, "%s: entry %zu: no url, content_length or "
			    "record_count (from 0 to 2^40)\n", mpath, i + 1);
			bad++;
			continue;
		}
		if (strlen(json_string_value(url)) != json_string_length(url)) {
			fprintf(log, "%s: entry %zu: a url with a NUL\n", mpath,
			    i + 1);
			bad++;
			continue;
		}
		if ((path = entry_path(dir, json_string_value(url), prefix, date,
		    &why)) == NULL) {
			if (combined && strcmp(why, "not a part of this "
			    "entity") == 0)
				continue;
			fprintf(log, "%s: entry %zu: ", mpath, i + 1);
			put_text(log, json_string_value(url));
			fprintf(log, ": %s\n", why);
			bad++;
			continue;
		}
		f = add(l, path, date);
		f->records = (uint64_t)rec;
		f->bytes = (uint64_t)clen;
		sum_len += (uint64_t)clen;
		sum_rec += (uint64_t)rec;
	}
	/* The manifest's own totals, when it gives them, must add up (a
	 * total that is there but no count is as wrong as a wrong one). */
	e = json_object_get(root, "meta");
	if (bad == 0 && !combined && json_is_object(e)) {
		tl = count_of(e, "content_length");
		tr = count_of(e, "record_count");
		if ((json_object_get(e, "content_length") != NULL &&
		    (tl < 0 || (uint64_t)tl != sum_len)) ||
		    (json_object_get(e, "record_count") != NULL &&
		    (tr < 0 || (uint64_t)tr != sum_rec))) {
			fprintf(log, "%s: its totals disagree with its entries\n",
			    mpath);
			bad++;
		}
	}
	json_decref(root);
	if (l->n - n0 > 1)
		qsort(l->v + n0, l->n - n0, sizeof(*l->v), cmp_file);
	for (i = n0 + 1; i < l->n && bad == 0; i++)
		if (strcmp(l->v[i - 1].path, l->v[i].path) == 0) {
			fprintf(log, "%s: listed twice in %s\n", l->v[i].path,
			    mpath);
			bad++;
		}
	return bad;
}

/*
 * Whether path, once every symbolic link is followed, is inside root (a
 * real path): a link in the folder must not make the importer read, or
 * report on, a file elsewhere on the machine.
 */
static int
inside(const char *root, const char *path)
{
	char *r = realpath(path, NULL);
	size_t n = strlen(root);
	int ok;

	if (r == NULL)
		return 0;
	ok = strncmp(r, root, n) == 0 && (r[n] == '/' || strcmp(root, "/") == 0);
	free(r);
	return ok;
}

/*
 * One entity's manifest into l, every part checked on disk. Returns the
 * number of problems logged (0: all good).
 */
static int
read_manifest(const char *dir, const char *root, const char *mpath,
    const char *prefix, int combined, struct snap_list *l, uint64_t *bytes,
    FILE *log)
{
	struct buf text = BUF_INIT;
	struct stat st;
	size_t i, n0 = l->n;
	FILE *f;
	int bad;

	if (!inside(root, mpath)) {
		fprintf(log, "%s: a link to outside %s\n", mpath, dir);
		return 1;
	}
	if ((f = fopen(mpath, "r")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(log, "%s: cannot open: %s\n", mpath, strerror(errno));
		if (f != NULL)
			fclose(f);
		return 1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SNAP_MANIFEST_MAX) {
		fprintf(log, "%s: not a manifest: %s\n", mpath,
		    S_ISREG(st.st_mode) ? "larger than 64 MiB" : "not a file");
		fclose(f);
		return 1;
	}
	buf_reserve(&text, (size_t)st.st_size + 1);
	text.len = fread(text.p, 1, (size_t)st.st_size, f);
	if (ferror(f) || text.len != (size_t)st.st_size) {
		fprintf(log, "%s: read error\n", mpath);
		fclose(f);
		buf_free(&text);
		return 1;
	}
	fclose(f);
	bad = snapshot_manifest_parse(text.p, text.len, dir, mpath, prefix,
	    combined, l, log);
	buf_free(&text);
	for (i = n0; i < l->n; i++) {
		const char *path = l->v[i].path;

		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			fprintf(log, "%s: missing (listed in %s)\n", path, mpath);
			bad++;
		} else if (!inside(root, path)) {
			fprintf(log, "%s: a link to outside %s (listed in %s)\n",
			    path, dir, mpath);
			bad++;
		} else if ((uint64_t)st.st_size != l->v[i].bytes) {
			fprintf(log, "%s: %llu bytes, the manifest says %llu "
			    "(truncated, or not downloaded whole)\n", path,
			    (unsigned long long)st.st_size,
			    (unsigned long long)l->v[i].bytes);
			bad++;
		} else
			*bytes += l->v[i].bytes;
	}
	return bad;
}

/*
 * Files named YYYY-MM-DD*.csv or .csv.gz in dir, dated by their name.
 * Returns the number of problems logged (a file that links outside root).
 */
static int
merged_dir(const char *top, const char *root, const char *dir,
    struct snap_list *l, FILE *log)
{
	DIR *d;
	struct dirent *de;
	int bad = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char date[11], *path;

		if (n < 14 || strspn(de->d_name, "0123456789") != 4 ||
		    de->d_name[4] != '-' || de->d_name[7] != '-' ||
		    !(strcmp(de->d_name + n - 4, ".csv") == 0 ||
		    (n >= 17 && strcmp(de->d_name + n - 7, ".csv.gz") == 0)))
			continue;
		path = join(dir, de->d_name);
		if (!date_at(de->d_name)) {
			/* Skipped, its merges would be lost without a word. */
			fprintf(log, "%s: named for a day that is not one\n",
			    path);
			free(path);
			bad++;
			continue;
		}
		memcpy(date, de->d_name, 10);
		date[10] = '\0';
		if (!inside(root, path)) {
			fprintf(log, "%s: a link to outside %s\n", path, top);
			free(path);
			bad++;
			continue;
		}
		add(l, path, date);
	}
	closedir(d);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_file);
	return bad;
}

int
snapshot_scan(const char *dir, struct snapshot *s, FILE *log)
{
	static const char *const ent[2] = { "authors", "works" };
	struct snap_list *lists[2] = { &s->authors, &s->works };
	char *base, *p, *q, *root;
	int current, bad = 0, found = 0, i, j;

	memset(s, 0, sizeof(*s));
	if ((root = realpath(dir, NULL)) == NULL) {
		fprintf(log, "%s: %s: not an OpenAlex snapshot folder\n", dir,
		    strerror(errno));
		return -1;
	}
	p = join(dir, "data/jsonl");
	current = is_dir(p);
	free(p);
	s->layout = current ? "current" : "legacy";
	base = join(dir, current ? "data/jsonl" : "data");
	for (i = 0; i < 2; i++) {
		char prefix[32], *edir = join(base, ent[i]);

		snprintf(prefix, sizeof(prefix), "%s%s/", current ? "jsonl/" : "",
		    ent[i]);
		if (!is_dir(edir)) {
			free(edir);
			continue;
		}
		found++;
		p = join(edir, current ? "manifest.json" : "manifest");
		q = current ? join(base, "manifest.json") : NULL;
		if (access(p, F_OK) == 0)
			bad += read_manifest(dir, root, p, prefix, 0, lists[i],
			    &s->bytes, log);
		else if (q != NULL && access(q, F_OK) == 0)
			/* The one manifest of every entity, beside them. */
			bad += read_manifest(dir, root, q, prefix, 1, lists[i],
			    &s->bytes, log);
		else {
			fprintf(log, "%s: missing: OpenAlex removes it while a "
			    "partition is written; sync the snapshot again\n", p);
			bad++;
		}
		free(p);
		free(q);
		if (i == 1) {
			/* Deleted works, beside the partitions. */
			static const char *const del[2] = { "deleted_ids.csv",
			    "deleted_ids.csv.gz" };

			for (j = 0; j < 2; j++) {
				p = join(edir, del[j]);
				if (access(p, R_OK) != 0)
					free(p);
				else if (!inside(root, p)) {
					fprintf(log, "%s: a link to outside "
					    "%s\n", p, dir);
					free(p);
					bad++;
				} else
					add(&s->deleted, p, "");
			}
		}
		free(edir);
	}
	if (found == 0) {
		fprintf(log, "%s: neither data/jsonl/{authors,works}/ nor "
		    "data/{authors,works}/: not an OpenAlex snapshot folder\n",
		    dir);
		bad++;
	}
	/* Merged ids: where each layout keeps them (the current one moved the
	 * old files to legacy-data/). */
	{
		static const char *const where[3] = { "data/merged_ids",
		    "data/jsonl/merged_ids", "legacy-data/merged_ids" };

		for (j = 0; j < 3; j++) {
			q = join(dir, where[j]);
			p = join(q, "authors");
			bad += merged_dir(dir, root, p, &s->merged_authors, log);
			free(p);
			p = join(q, "works");
			bad += merged_dir(dir, root, p, &s->merged_works, log);
			free(p);
			free(q);
		}
		if (s->merged_authors.n > 1)
			qsort(s->merged_authors.v, s->merged_authors.n,
			    sizeof(struct snap_file), cmp_file);
		if (s->merged_works.n > 1)
			qsort(s->merged_works.v, s->merged_works.n,
			    sizeof(struct snap_file), cmp_file);
	}
	free(base);
	free(root);
	if (bad) {
		snapshot_free(s);
		return -1;
	}
	return 0;
}

static void
list_free(struct snap_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
snapshot_free(struct snapshot *s)
{
	list_free(&s->authors);
	list_free(&s->works);
	list_free(&s->merged_authors);
	list_free(&s->merged_works);
	list_free(&s->deleted);
}
