/* import.c: OpenAlex JSON Lines into the store in one write transaction (store_import): the files, then the derived figures, then the generation. */
#include "import.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import_int.h"

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
import_txn(MDB_txn *txn, void *ctx)
{
	struct imp *m = ctx;
	uint64_t gen;
	size_t i;
	double w0, c0, w1, c1;
	int rc;

	memset(&m->rep, 0, sizeof(m->rep));
	m->bad_seen = 0;
	m->txn = txn;
	idmap_clear(&m->touched);
	idmap_clear(&m->wsum);
	idmap_clear(&m->tname);
	m->n_sums = 0;
	buf_reset(&m->tnames);
	if ((rc = meta_get(txn, m->dbi[DB_META], "generation", 8, &gen)) != 0)
		return rc;
	w0 = now(0);
	c0 = now(1);
	for (i = 0; i < m->o->n_authors; i++)
		if ((rc = imp_read_file(m, m->o->authors[i], 0)) != 0)
			return rc;
	for (i = 0; i < m->o->n_works; i++)
		if ((rc = imp_read_file(m, m->o->works[i], 1)) != 0)
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
	m->rep.generation = gen + 1;
	if ((rc = meta_put(txn, m->dbi[DB_META], "generation_time", 8,
	    (uint64_t)time(NULL))) != 0)
		return rc;
	return meta_put(txn, m->dbi[DB_META], "generation", 8, gen + 1);
}

/*
 * About how many bytes the files will add to the store: what a record keeps
 * of a JSON line is well under its size; a .gz file holds some 5 times its
 * size in JSON. An estimate only: a full map still grows.
 */
static uint64_t
estimate(const struct import_opts *o)
{
	const char *const *lists[2] = { o->authors, o->works };
	size_t counts[2] = { o->n_authors, o->n_works }, i, l, n;
	struct stat st;
	uint64_t total = 0;

	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++) {
			if (stat(lists[l][i], &st) != 0)
				continue;        /* imp_read_file() will say why */
			n = strlen(lists[l][i]);
			total += (uint64_t)st.st_size *
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
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = store_reserve(s, estimate(o))) != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.o = o;
	m.dbi = s->dbi;
	m.threads = o->threads;
	if (m.threads < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		m.threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
		m.auto_threads = 1;
	}
	rc = store_write(s, import_txn, &m);
	*rep = m.rep;
	/* From derive's end: the rest of the transaction, commit and flush. */
	rep->commit_s = now(0) - m.t_derived;
	rep->commit_cpu_s = now(1) - m.c_derived;
	idmap_free(&m.touched);
	idmap_free(&m.wsum);
	idmap_free(&m.tname);
	free(m.sums);
	buf_free(&m.tnames);
	idmap_free(&m.co);
	idmap_free(&m.tp);
	buf_free(&m.rec);
	buf_free(&m.key);
	buf_free(&m.key2);
	buf_free(&m.bases);
	buf_free(&m.vals);
	free(m.old);
	free(m.pend);
	return rc;
}
