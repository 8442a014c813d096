/* groupq.c: the shared file beside the store: the writer gate, with its bounded wait, and the group commit of small writes across processes (store_int.h). */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "log.h"

/*
 * A small write (a follow) is one durable LMDB commit, and a commit costs
 * two disk flushes under the one writer lock whatever it holds: alone,
 * each pays both. Here the small writes of every process sharing the
 * store meet in a queue of slots in a small shared file beside the store
 * (write.queue), and each commit carries every item waiting:
 *
 *   1. the owner takes a FREE slot (compare-and-swap), writes its item
 *      into it and publishes it PENDING;
 *   2. it waits for the writer (the gate below, then LMDB's lock), the
 *      wait every writer makes anyway;
 *   3. holding it, it finds its slot either done by an earlier holder
 *      (APPLIED by a committed batch, or FAILED): it takes the outcome and
 *      frees the slot; or still to do: it becomes the leader, takes every
 *      PENDING slot (PENDING -> TAKEN), applies each item in one
 *      transaction through the caller's groupq_ops, writes each outcome
 *      into its slot (APPLIED, with the batch's number) and commits. The
 *      commit is durable when the writer is given back, so an owner that
 *      next takes it and finds its slot APPLIED by a committed batch may
 *      answer at once.
 *
 * The queue knows nothing of what an item means: its owner's ops apply
 * it, and every item in the queue is applied with the leader's ops (one
 * kind of work shares the queue: follows, userdata.c).
 *
 * Batches are numbered in the store itself (meta "follow_batch", written
 * by each batch's transaction), so "committed" is exact: LMDB transaction
 * ids would not do, as the id of a transaction that never committed is
 * given to the next writer, which may be a claim or an import.
 *
 * Apart from FREE -> FILLING -> PENDING and taking a PENDING slot back
 * (PENDING -> FREE, when the owner's wait for the writer ran out), done
 * by the owner alone, every change to a slot is made by the holder of the
 * writer, so slots need no lock of their own, and a leader that dies
 * mid-batch leaves nothing half done: its transaction never committed, and
 * its slots, TAKEN or APPLIED by a batch past the last committed one, are
 * done again by the next leader (items must be idempotent). Slots of
 * processes that died are freed by the next leader that sees them
 * (kill(pid, 0)). The file is reset by the first process to open it (no
 * other holds its flock), so slots left by a crash or a reboot do not
 * survive; each user keeps a shared flock until store_close().
 */

/*
 * The writer gate. Every writer of this program (workers, the importer, the
 * admin tool) takes a robust, process-shared mutex in this file before
 * LMDB's own writer lock, and gives it back after its commit. LMDB's lock
 * cannot be waited for with a limit; the gate can
 * (pthread_mutex_clocklock), so a POST waits for the writer at most
 * store_opts.write_wait_ms and then answers 503 with nothing written,
 * while an import holds the writer for minutes. LMDB's lock is then only
 * ever contended by writers that do not take the gate (LMDB's own tools):
 * those are waited for without a limit. A holder that dies leaves the
 * gate to the next taker (EOWNERDEAD), as LMDB does with its own lock; a
 * waiter never sleeps on it longer than GATE_SLICE_MS at a time, so a
 * wake-up lost with a killed waiter is made up (writer_gate_take).
 */
#define GROUPQ_FILE     "write.queue"
#define GROUPQ_MAGIC    0x51575a42u     /* "BZWQ" */
#define GROUPQ_VERSION  1
#define GROUPQ_SLOTS    256
#define GATE_SLICE_MS   200     /* the longest one sleep on the gate */

enum slot_state {
	SLOT_FREE,
	SLOT_FILLING,   /* the owner is writing its item */
	SLOT_PENDING,   /* waiting for a leader (or taken back by its owner) */
	SLOT_APPLIED,   /* outcome written by batch number `batch` */
	SLOT_FAILED,    /* the leader's transaction failed: rc */
	SLOT_TAKEN,     /* a leader is applying it (not yet committed) */
};

struct slot {
	/* The state (low 32 bits) and the owner's pid (high 32), changed
	 * together so a claim and its owner are one atomic step. */
	_Atomic uint64_t word;
	/* The item, written by the owner while FILLING. */
	uint32_t len;
	unsigned char item[GROUPQ_ITEM_MAX];
	/* The outcome, written by a leader. */
	uint64_t batch;
	uint64_t result, txn_id;
	int32_t  rc, changed;
};

struct groupq {
	uint32_t magic, version, nslots, slot_size;
	pthread_mutex_t gate;           /* the writer gate */
	struct slot slot[GROUPQ_SLOTS];
};

/* ---- the shared file ------------------------------------------------------- */

static int
header_ok(const struct groupq *q)
{
	return q->magic == GROUPQ_MAGIC && q->version == GROUPQ_VERSION &&
	    q->nslots == GROUPQ_SLOTS && q->slot_size == sizeof(struct slot);
}

/* Maps the queue beside the store; NULL (and why, on stderr) if it can't. */
static struct groupq *
queue_map(struct store *s, int *fdp)
{
	const char *dir;
	char path[4096];
	struct groupq *q = MAP_FAILED;
	struct stat st;
	int fd, first;

	if (mdb_env_get_path(s->env, &dir) != 0 ||
	    snprintf(path, sizeof(path), "%s/%s", dir, GROUPQ_FILE) >=
	    (int)sizeof(path))
		return NULL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
	    STORE_FILE_MODE)) < 0)
		goto fail;
	/*
	 * Nobody else has it open: whatever it holds is stale. Its blocks
	 * are allocated now, not when the map is first written: on a full
	 * disk a write to a sparse page of a shared map is a SIGBUS.
	 */
	first = flock(fd, LOCK_EX | LOCK_NB) == 0;
	if (first && (ftruncate(fd, 0) != 0 ||
	    (errno = posix_fallocate(fd, 0, (off_t)sizeof(*q))) != 0))
		goto fail;
	/* Others wait here until the first has written the header. */
	if (!first && flock(fd, LOCK_SH) != 0)
		goto fail;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (st.st_size != (off_t)sizeof(*q)) {
		errno = EINVAL;
		goto fail;
	}
	q = mmap(NULL, sizeof(*q), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (q == MAP_FAILED)
		goto fail;
	if (first) {
		pthread_mutexattr_t ma;

		if ((errno = pthread_mutexattr_init(&ma)) != 0 ||
		    (errno = pthread_mutexattr_setpshared(&ma,
		    PTHREAD_PROCESS_SHARED)) != 0 ||
		    (errno = pthread_mutexattr_setrobust(&ma,
		    PTHREAD_MUTEX_ROBUST)) != 0 ||
		    (errno = pthread_mutex_init(&q->gate, &ma)) != 0)
			goto fail;
		pthread_mutexattr_destroy(&ma);
		q->nslots = GROUPQ_SLOTS;
		q->slot_size = sizeof(struct slot);
		q->version = GROUPQ_VERSION;
		atomic_thread_fence(memory_order_release);
		q->magic = GROUPQ_MAGIC;
		/* From exclusive to shared: the header is written. */
		if (flock(fd, LOCK_SH) != 0)
			goto fail;
	} else if (!header_ok(q)) {
		errno = EINVAL;     /* another version's queue is in use */
		goto fail;
	}
	*fdp = fd;
	return q;
fail:
	log_warn("%s: %s; small writes commit one at a time, and posts wait "
	    "for the writer without a limit", path, strerror(errno));
	if (q != MAP_FAILED)
		munmap(q, sizeof(*q));
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The queue, mapped at first use; after a failure (a full disk, say),
 * tried again a minute later. */
static struct groupq *
queue(struct store *s)
{
	time_t now;

	if (s->fq == NULL && (now = time(NULL)) >= s->fq_retry) {
		s->fq = queue_map(s, &s->fq_fd);
		s->fq_retry = now + 60;
	}
	return s->fq;
}

/* ---- the writer gate -------------------------------------------------------- */

/* t + ms on CLOCK_MONOTONIC. */
static struct timespec
ts_after(struct timespec t, long ms)
{
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static int
ts_before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec ||
	    (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/*
 * Whether s, the catalog half of a store, is no longer the catalog the
 * store's directory holds: a catalog built beside it was swapped in
 * (store_catalog_swap) and this process has not opened the store again
 * yet (bzpeer-fcgi: until SIGHUP retires it). What it wrote there now
 * would be written to the catalog kept aside, and lost to the service;
 * so its writers are told the store is busy (503, try again), as during
 * an import. One stat() per catalog write, which are rare (imports, an
 * owner's changes); none for user data.
 */
static int
catalog_moved(struct store *s)
{
	const char *dir;
	char path[4096];
	mdb_filehandle_t fd;
	struct stat a, b;

	if (s->user == NULL || mdb_env_get_path(s->env, &dir) != 0 ||
	    mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &a) != 0 ||
	    snprintf(path, sizeof(path), "%s/data.mdb", dir) >=
	    (int)sizeof(path))
		return 0;
	if (stat(path, &b) != 0)
		return 1;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

int
writer_gate_take(struct store *s, long wait_ms)
{
	struct groupq *q;
	struct timespec now, until, slice;
	int rc;

	if (s->gate_held)
		return 0;
	if ((q = queue(s)) == NULL)
		return GROUPQ_NONE;
	clock_gettime(CLOCK_MONOTONIC, &now);
	until = ts_after(now, wait_ms);
	/*
	 * Never one unbounded sleep on the futex: a waiter woken by an
	 * unlock that is killed before it takes the mutex takes the wake-up
	 * with it, and the waiters behind it then sleep however often the
	 * mutex is taken and given back by others, as long as nobody else
	 * contends (an unlock wakes someone only when a waiter says it is
	 * there). A waiter that wakes at the end of its slice looks again,
	 * so a lost wake-up costs at most GATE_SLICE_MS.
	 */
	for (;;) {
		slice = ts_after(now, GATE_SLICE_MS);
		if (wait_ms > 0 && ts_before(until, slice))
			slice = until;
		rc = pthread_mutex_clocklock(&q->gate, CLOCK_MONOTONIC, &slice);
		if (rc != ETIMEDOUT)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (wait_ms > 0 && !ts_before(now, until))
			return STORE_BUSY;
	}
	if (rc == EOWNERDEAD) {
		/* Its holder died: whatever it was writing was never
		 * committed (LMDB aborts a dead writer's transaction). */
		rc = pthread_mutex_consistent(&q->gate);
	}
	if (rc != 0)
		return rc;
	s->gate_held = 1;
	if (catalog_moved(s)) {
		writer_gate_give(s);
		return STORE_BUSY;
	}
	return 0;
}

void
writer_gate_give(struct store *s)
{
	if (!s->gate_held)
		return;
	s->gate_held = 0;
	pthread_mutex_unlock(&s->fq->gate);
}

void
groupq_close(struct store *s)
{
	if (s->fq != NULL) {
		munmap(s->fq, sizeof(*s->fq));
		close(s->fq_fd);    /* and with it the flock */
	}
	s->fq = NULL;
	s->fq_retry = 0;
}

/* ---- slots ----------------------------------------------------------------- */

static int
alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

static uint64_t
slot_word(struct slot *sl)
{
	return atomic_load_explicit(&sl->word, memory_order_acquire);
}

static uint32_t
state_of(uint64_t w)
{
	return (uint32_t)w;
}

static pid_t
pid_of(uint64_t w)
{
	return (pid_t)(w >> 32);
}

static uint32_t
slot_state(struct slot *sl)
{
	return state_of(slot_word(sl));
}

/* Sets the state, keeping the owner; FREE has none. */
static void
slot_set(struct slot *sl, enum slot_state st)
{
	uint64_t w = st == SLOT_FREE ? 0 :
	    (slot_word(sl) & ~(uint64_t)UINT32_MAX) | st;

	atomic_store_explicit(&sl->word, w, memory_order_release);
}

/* A FREE slot, now FILLING and ours; NULL when all are taken. */
static struct slot *
slot_take(struct groupq *q, pid_t me)
{
	uint32_t i, start = (uint32_t)me % GROUPQ_SLOTS;

	for (i = 0; i < GROUPQ_SLOTS; i++) {
		struct slot *sl = &q->slot[(start + i) % GROUPQ_SLOTS];
		uint64_t want = 0;

		if (atomic_load_explicit(&sl->word, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong(&sl->word, &want,
		    (uint64_t)(uint32_t)me << 32 | SLOT_FILLING))
			return sl;
	}
	return NULL;
}

/* The batch counter's key (named when follows were the queue's one use). */
#define BATCH_KEY "follow_batch"

/*
 * The leader, holding the writer lock in txn (`done` is the last committed
 * batch): applies every item to do as batch done + 1 with ops, writes each
 * outcome and marks its slot APPLIED. *any whether an edge changed (else
 * there is nothing to commit and the outcomes are the snapshot's, batch
 * `done`). On an error other than a full map every slot taken is FAILED
 * with it; on a full map they are left to be done again.
 */
static int
lead(struct store *s, struct groupq *q, const struct groupq_ops *ops,
    MDB_txn *txn, uint64_t done, const struct slot *mine, int *any,
    size_t *items)
{
	uint16_t taken[GROUPQ_SLOTS];
	uint64_t txn_id;
	size_t i, n = 0;
	int rc = 0, one;

	*any = 0;
	for (i = 0; i < GROUPQ_SLOTS; i++) {
		struct slot *sl = &q->slot[i];
		uint64_t w = slot_word(sl);
		uint32_t st = state_of(w);

		if (st == SLOT_FREE)
			continue;
		if (sl != mine && !alive(pid_of(w))) {
			/* Nobody waits for it: an unanswered item is
			 * dropped (unless its word changed meanwhile). */
			atomic_compare_exchange_strong(&sl->word, &w, 0);
			continue;
		}
		if (st == SLOT_PENDING) {
			/* Taken from under its owner's hand: an owner whose
			 * wait for the writer ran out takes a PENDING slot
			 * back (PENDING -> FREE), and only one of the two
			 * compare-and-swaps can win. */
			uint64_t t = (w & ~(uint64_t)UINT32_MAX) | SLOT_TAKEN;

			if (!atomic_compare_exchange_strong(&sl->word, &w, t))
				continue;
		} else if (st != SLOT_TAKEN &&
		    !(st == SLOT_APPLIED && sl->batch > done))
			continue;
		/* TAKEN or APPLIED past the last committed batch: left by a
		 * leader whose transaction never committed (nobody else can
		 * be leading: we hold the writer), done again here. */
		taken[n++] = (uint16_t)i;
		one = ops->apply(s, txn, sl->item, sl->len);
		if (one != 0 && one != UNCHANGED && one != STORE_NOTFOUND &&
		    one != STORE_CONFLICT) {
			rc = one;
			break;
		}
		/* Refused for this item alone: not found, or an owner's follow. */
		sl->rc = one == STORE_NOTFOUND || one == STORE_CONFLICT ? one : 0;
		sl->changed = one == 0;
		*any |= one == 0;
	}
	if (rc == 0 && *any)
		rc = meta_put(txn, s->dbi[DB_META], BATCH_KEY, 8, done + 1);
	/* Counts as of the whole batch: the Redis copies of one commit agree
	 * whatever order they are written in. */
	for (i = 0; i < n && rc == 0; i++) {
		struct slot *sl = &q->slot[taken[i]];

		if (sl->rc == 0)
			rc = ops->result(s, txn, sl->item, sl->len,
			    &sl->result);
	}
	txn_id = *any ? mdb_txn_id(txn) : mdb_txn_id(txn) - 1;
	for (i = 0; i < n && rc != MDB_MAP_FULL; i++) {
		struct slot *sl = &q->slot[taken[i]];

		if (rc != 0) {
			sl->rc = rc;
			slot_set(sl, SLOT_FAILED);
			continue;
		}
		sl->batch = *any ? done + 1 : done;
		sl->txn_id = txn_id;
		slot_set(sl, SLOT_APPLIED);
	}
	*items = n;
	return rc;
}

/* Whether the slot's outcome is final: FAILED, or APPLIED by a committed
 * batch (`done` is the last). */
static int
slot_final(struct slot *sl, uint64_t done)
{
	uint32_t st = slot_state(sl);

	return st == SLOT_FAILED || (st == SLOT_APPLIED && sl->batch <= done);
}

/*
 * Takes back our slot after the wait for the writer ran out, if no leader
 * has taken it: 1 when it is ours again (nothing of it will be written),
 * 0 when a leader has it (its outcome is coming).
 */
static int
slot_take_back(struct slot *sl)
{
	uint64_t w = slot_word(sl);

	return state_of(w) == SLOT_PENDING &&
	    atomic_compare_exchange_strong(&sl->word, &w, 0);
}

int
groupq_run(struct store *s, const struct groupq_ops *ops, const void *item,
    size_t len, uint64_t *result, uint64_t *txn_id, int *changed)
{
	struct groupq *q;
	struct slot *me;
	MDB_txn *txn;
	uint64_t done;
	uint32_t st;
	size_t items = 0;
	int rc, any, fin = 0;

	if (s->flags & STORE_RDONLY)
		return EACCES;
	if (len > GROUPQ_ITEM_MAX || (q = queue(s)) == NULL ||
	    (me = slot_take(q, getpid())) == NULL)
		return GROUPQ_NONE;
	me->len = (uint32_t)len;
	memcpy(me->item, item, len);
	slot_set(me, SLOT_PENDING);

	for (;;) {
		rc = store_write_begin(s, &txn);
		if (rc == STORE_BUSY) {
			if (slot_take_back(me))
				return STORE_BUSY;     /* nothing written */
			/* A leader holds the writer and our item: its
			 * commit is the wait now, without a limit. */
			if ((rc = writer_gate_take(s, 0)) != 0 &&
			    rc != GROUPQ_NONE)
				break;
			continue;
		}
		if (rc != 0)
			break;
		rc = meta_get(txn, s->dbi[DB_META], BATCH_KEY, 8, &done);
		if (rc == 0 && (fin = slot_final(me, done)) != 0) {
			store_write_abort(s, txn);
			break;
		}
		if (rc == 0)
			rc = lead(s, q, ops, txn, done, me, &any, &items);
		if (rc == 0 && any) {
			rc = store_write_commit(s, txn);   /* durable */
			if (rc == 0 && s->on_batch != NULL)
				s->on_batch(items);
		} else
			store_write_abort(s, txn);
		if (rc == 0) {
			fin = 1;    /* our slot is APPLIED by a committed batch */
			break;
		}
		if (rc == MDB_MAP_FULL && (rc = store_grow(s)) == 0)
			continue;
		/*
		 * The commit failed (its slots are TAKEN or APPLIED by a
		 * batch that never committed, for the next leader to do
		 * again), or the map can't grow: our own item fails with
		 * it, under the lock, so no leader is reading the slot.
		 */
		if (writer_gate_take(s, 0) != STORE_BUSY &&
		    store_write_begin(s, &txn) == 0) {
			if (meta_get(txn, s->dbi[DB_META], BATCH_KEY, 8,
			    &done) == 0) {
				if (!slot_final(me, done)) {
					me->rc = rc;
					slot_set(me, SLOT_FAILED);
				}
				fin = 1;
			}
			store_write_abort(s, txn);
		}
		break;
	}
	if (!fin)
		/* The writer lock could not be had: the slot stays pending,
		 * for a leader to do (unacknowledged), then taken until this
		 * process ends. */
		return rc != 0 ? rc : EIO;
	/* A final slot is changed by nobody but its owner. */
	st = slot_state(me);
	rc = me->rc;
	if (st == SLOT_APPLIED && rc == 0) {
		*result = me->result;
		*txn_id = me->txn_id;
		*changed = me->changed;
	}
	slot_set(me, SLOT_FREE);
	return rc;
}
