/* import.c: OpenAlex JSON Lines into the store in one write transaction (store_import): the files, then the derived figures, then the generation. */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import_int.h"
#include "log.h"

/* Wall clock (thread = 0) or this thread's CPU time, in seconds. */
static double
now(int thread)
{
	struct timespec t;

	if (clock_gettime(thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC,
	    &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
last_applied(struct imp *m, const char *entity, char last[11])
{
	return meta_last_part(m->txn, m->dbi[DB_META], entity, last);
}

/* Adds n records to partition (entity, date). */
static int
note_applied(struct imp *m, const char *entity, const char *date, uint64_t n)
{
	char key[64];
	uint64_t had;
	int rc;

	snprintf(key, sizeof(key), "part %s %.10s", entity, date);
	if ((rc = meta_get(m->txn, m->dbi[DB_META], key, 8, &had)) != 0)
		return rc;
	return meta_put(m->txn, m->dbi[DB_META], key, 8, had + n);
}

/*
 * One entity's files. With dates (a snapshot), those of a partition not
 * after the last applied are skipped, the others checked against their
 * record counts and noted as applied.
 */
static int
read_files(struct imp *m, const char *entity, const char *const *paths,
    const char *const *dates, const uint64_t *counts, size_t n, int works)
{
	char last[11];
	uint64_t got;
	size_t i;
	int rc;

	if (dates != NULL && (rc = last_applied(m, entity, last)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct stat st;

		if (dates != NULL && strcmp(dates[i], last) <= 0) {
			/* Not read: not part of what progress counts either. */
			m->rep.parts_skipped++;
			if (stat(paths[i], &st) == 0 &&
			    m->total_bytes >= (uint64_t)st.st_size)
				m->total_bytes -= (uint64_t)st.st_size;
			continue;
		}
		if ((rc = imp_read_file(m, paths[i], works,
		    dates != NULL && counts != NULL ? counts[i] : UINT64_MAX,
		    &got)) != 0)
			return rc;
		if (stat(paths[i], &st) == 0)
			m->bytes_done += (uint64_t)st.st_size;
		if (dates == NULL)
			continue;
		if (counts != NULL && counts[i] != got) {
			imp_log_line(m);
			fprintf(m->o->log, "%s: %llu records, the manifest says "
			    "%llu\n", paths[i], (unsigned long long)got,
			    (unsigned long long)counts[i]);
			return STORE_MISMATCH;
		}
		m->rep.parts_read++;
		if ((rc = note_applied(m, entity, dates[i], got)) != 0)
			return rc;
	}
	return 0;
}

/* Merged ids files newer than the last applied, in order. */
static int
merged_files(struct imp *m, const char *entity, const char *const *paths,
    const char *const *dates, size_t n, int works)
{
	char last[11];
	size_t i;
	int rc;

	if ((rc = last_applied(m, entity, last)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (strcmp(dates[i], last) <= 0)
			continue;
		if ((rc = imp_merged_file(m, paths[i], works)) != 0 ||
		    (rc = note_applied(m, entity, dates[i], 1)) != 0)
			return rc;
	}
	return 0;
}

static int
import_txn(MDB_txn *txn, void *ctx)
{
	struct imp *m = ctx;
	const struct import_opts *o = m->o;
	MDB_stat ms;
	uint64_t gen;
	size_t i;
	double w0, c0, w1, c1;
	int rc;

	memset(&m->rep, 0, sizeof(m->rep));
	m->bad_seen = 0;
	m->txn = txn;
	m->records = m->bytes_done = 0;
	m->total_bytes = m->total0;
	m->t_start = m->t_shown = now(0);
	m->now = (uint64_t)time(NULL);
	idmap_clear(&m->touched);
	idmap_clear(&m->wsum);
	idmap_clear(&m->tname);
	idmap_clear(&m->orig);
	idmap_clear(&m->hidw);
	m->n_origs = 0;
	m->n_sums = 0;
	buf_reset(&m->tnames);
	if ((rc = meta_get(txn, m->dbi[DB_META], "generation", 8, &gen)) != 0)
		return rc;
	if ((rc = mdb_stat(txn, m->dbi[DB_MERGED], &ms)) != 0)
		return rc;
	m->any_merged = ms.ms_entries > 0;
	/* An owner's change first: the rest of the run derives from it. */
	if (o->owner != NULL &&
	    (rc = imp_owner_change(m, (struct owner_change *)o->owner)) != 0)
		return rc;
	w0 = now(0);
	c0 = now(1);
	if ((rc = read_files(m, "authors", o->authors, o->authors_date,
	    o->authors_records, o->n_authors, 0)) != 0 ||
	    (rc = read_files(m, "works", o->works, o->works_date,
	    o->works_records, o->n_works, 1)) != 0)
		return rc;
	if (o->progress)
		imp_progress(m, 0, 1);
	/* What the records do not say: merges, then deletions. */
	if ((rc = merged_files(m, "merged_authors", o->merged_authors,
	    o->merged_authors_date, o->n_merged_authors, 0)) != 0 ||
	    (rc = merged_files(m, "merged_works", o->merged_works,
	    o->merged_works_date, o->n_merged_works, 1)) != 0)
		return rc;
	for (i = 0; i < o->n_deleted_works; i++) {
		char last[11], latest[11];

		if ((rc = last_applied(m, "deleted_works", last)) != 0)
			return rc;
		memcpy(latest, last, sizeof(latest));
		if ((rc = imp_deleted_file(m, o->deleted_works[i], last,
		    latest)) != 0)
			return rc;
		if (strcmp(latest, last) > 0 &&
		    (rc = note_applied(m, "deleted_works", latest, 1)) != 0)
			return rc;
	}
	/* What owners changed, over whatever the files brought back. */
	if ((rc = imp_owner_data(m)) != 0)
		return rc;
	if (m->rep.merged > 0 && (rc = imp_merged_flatten(m)) != 0)
		return rc;
	w1 = now(0);
	c1 = now(1);
	m->rep.read_s = w1 - w0;
	m->rep.read_cpu_s = c1 - c0;
	if ((rc = imp_derive(m)) != 0)
		return rc;
	m->t_derived = now(0);
	m->c_derived = now(1);
	m->rep.derive_s = m->t_derived - w1;
	m->rep.derive_cpu_s = m->c_derived - c1;
	if (o->owner != NULL) {
		/* Not a new catalog: the records changed have new versions. */
		m->rep.generation = gen;
		return 0;
	}
	m->rep.generation = gen + 1;
	if ((rc = meta_put(txn, m->dbi[DB_META], "generation_time", 8,
	    (uint64_t)time(NULL))) != 0)
		return rc;
	return meta_put(txn, m->dbi[DB_META], "generation", 8, gen + 1);
}

/* "1.2 GB", "340 MB", "12 KB" */
static void
fmt_bytes(char *out, size_t n, uint64_t b)
{
	if (b >= (uint64_t)1 << 30)
		snprintf(out, n, "%.1f GB", (double)b / (1 << 30));
	else if (b >= (uint64_t)1 << 20)
		snprintf(out, n, "%.0f MB", (double)b / (1 << 20));
	else
		snprintf(out, n, "%.0f KB", (double)b / (1 << 10));
}

void
imp_log_line(struct imp *m)
{
	if (m->o->progress && m->t_shown > m->t_start)
		fputs("\r\033[K", m->o->log);
}

void
imp_progress(struct imp *m, uint64_t in_file, int final)
{
	double t = now(0), el = t - m->t_start, left;
	uint64_t done = m->bytes_done + in_file, total = m->total_bytes;
	char d[32], tot[32], eta[32] = "";

	if (!final && t - m->t_shown < 0.5)
		return;
	m->t_shown = t;
	fmt_bytes(d, sizeof(d), done);
	fmt_bytes(tot, sizeof(tot), total);
	if (total > done && done > 0 && el > 0) {
		left = el * (double)(total - done) / (double)done;
		snprintf(eta, sizeof(eta), ", %dh%02dm left", (int)(left / 3600),
		    (int)(left / 60) % 60);
	}
	fprintf(m->o->log, "\rbzpeer-import: %llu records, %s of %s, "
	    "%.0f records/s%s\033[K%s", (unsigned long long)m->records, d, tot,
	    el > 0 ? (double)m->records / el : 0.0, eta, final ? "\n" : "");
	fflush(m->o->log);
}

/* The files' sizes on disk, for progress. */
static uint64_t
input_bytes(const struct import_opts *o)
{
	struct stat st;
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < o->n_authors; i++)
		if (stat(o->authors[i], &st) == 0)
			total += (uint64_t)st.st_size;
	for (i = 0; i < o->n_works; i++)
		if (stat(o->works[i], &st) == 0)
			total += (uint64_t)st.st_size;
	return total;
}

/*
 * How many bytes of map to reserve for the files: up to 4 times their JSON
 * (a .gz file holds some 5 times its size in JSON). A work's record is
 * under its line, but the profiles' pviews keep each shown work once more
 * per author: a store takes 1.1 to 2.7 times its JSON (full lines of 6.8 KB
 * to lean ones of 0.9). The map is address space, not disk (the file grows
 * as pages are written), and a full map costs the whole import again (one
 * transaction, aborted, then written again in a map twice the size): an
 * estimate on the large side is free, one too small doubles the time.
 */
static uint64_t
estimate(struct store *s, const struct import_opts *o)
{
	const char *const *lists[2] = { o->authors, o->works };
	const char *const *dates[2] = { o->authors_date, o->works_date };
	static const char *const ent[2] = { "authors", "works" };
	size_t counts[2] = { o->n_authors, o->n_works }, i, l, n;
	char last[2][11] = { "", "" };
	struct stat st;
	uint64_t total = 0;
	MDB_txn *txn;

	/* A snapshot's partitions applied before will be skipped: not counted. */
	if ((o->authors_date || o->works_date) &&
	    mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) == 0) {
		for (l = 0; l < 2; l++)
			if (meta_last_part(txn, s->dbi[DB_META], ent[l], last[l]) != 0)
				last[l][0] = '\0';
		mdb_txn_abort(txn);
	}
	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++) {
			if (dates[l] != NULL && strcmp(dates[l][i], last[l]) <= 0)
				continue;
			if (stat(lists[l][i], &st) != 0)
				continue;        /* imp_read_file() will say why */
			n = strlen(lists[l][i]);
			total += (uint64_t)st.st_size * 4 *
			    (n > 3 && strcmp(lists[l][i] + n - 3, ".gz") == 0 ?
			    5 : 1);
		}
	return total;
}

int
store_import(struct store *s, const struct import_opts *o,
    struct import_report *rep)
{
	struct imp m;
	int rc, rc2;

	memset(rep, 0, sizeof(*rep));
	if ((rc = store_reserve(s, estimate(s, o))) != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.o = o;
	m.total0 = o->total_bytes ? o->total_bytes : input_bytes(o);
	m.s = s;
	m.dbi = s->dbi;
	m.threads = o->threads;
	if (m.threads < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		m.threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
		m.auto_threads = 1;
	}
	rc = store_write(s, import_txn, &m);
	/*
	 * The catalog is committed; the merges it journaled are applied to
	 * user data now, in small commits of the user data's own writer.
	 * Should this fail or the process die, the next user-data writer
	 * goes on from where user data says it got to.
	 */
	if (rc == 0 && s->user != NULL &&
	    (rc2 = store_merges_apply(s)) != 0)
		log_warn("%s: the merges' follows and claims are not all moved "
		    "yet (%s): the next post or import moves the rest",
		    "import", store_strerror(rc2));
	*rep = m.rep;
	/* From derive's end: the rest of the transaction, commit and flush. */
	rep->commit_s = now(0) - m.t_derived;
	rep->commit_cpu_s = now(1) - m.c_derived;
	idmap_free(&m.touched);
	idmap_free(&m.wsum);
	idmap_free(&m.tname);
	idmap_free(&m.orig);
	idmap_free(&m.hidw);
	free(m.origs);
	free(m.sums);
	buf_free(&m.tnames);
	idmap_free(&m.co);
	idmap_free(&m.tp);
	buf_free(&m.rec);
	buf_free(&m.key);
	buf_free(&m.key2);
	buf_free(&m.bases);
	buf_free(&m.vals);
	buf_free(&m.ids);
	buf_free(&m.mrec);
	buf_free(&m.mcopy);
	buf_free(&m.mcopy2);
	buf_free(&m.insts);
	buf_free(&m.alts);
	buf_free(&m.years);
	free(m.cites);
	free(m.old);
	free(m.pend);
	return rc;
}
