/* followq.c: group commit of follows across processes (store_int.h followq_follow). */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
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

/*
 * Every follow is one small write, and a durable LMDB commit costs two
 * disk flushes under the one writer lock whatever it holds: alone, each
 * follow pays both. Here the follows of every process sharing the store
 * meet in a queue of slots in a small shared file beside the store
 * (follows.queue), and each commit carries every follow waiting:
 *
 *   1. the owner takes a FREE slot (compare-and-swap), writes its follow
 *      into it and publishes it PENDING;
 *   2. it waits for LMDB's writer lock (mdb_txn_begin), the wait every
 *      writer makes anyway;
 *   3. holding the lock, it finds its slot either done by an earlier
 *      holder (APPLIED by a committed batch, or FAILED): it takes the
 *      outcome and frees the slot; or still to do: it becomes the leader,
 *      applies every PENDING follow in one transaction, writes each
 *      outcome into its slot (APPLIED, with the batch's number) and
 *      commits. The commit is durable when LMDB releases the lock, so an
 *      owner that next takes the lock and finds its slot APPLIED by a
 *      committed batch may answer at once.
 *
 * Batches are numbered in the store itself (meta "follow_batch", written
 * by each batch's transaction), so "committed" is exact: LMDB transaction
 * ids would not do, as the id of a transaction that never committed is
 * given to the next writer, which may be a claim or an import.
 *
 * Apart from FREE -> FILLING -> PENDING, done by the owner alone, every
 * change to a slot is made by the holder of the writer lock, so slots need
 * no lock of their own and a leader that dies mid-batch leaves nothing
 * half done: its transaction never committed, and its slots, APPLIED by a
 * batch past the last committed one, are applied again by the next leader
 * (follows are idempotent). Slots of processes that died are
 * freed by the next leader that sees them (kill(pid, 0)). The file is
 * reset by the first process to open it (no other holds its flock), so
 * slots left by a crash or a reboot do not survive; each user keeps a
 * shared flock until store_close().
 */

#define FOLLOWQ_FILE    "follows.queue"
#define FOLLOWQ_MAGIC   0x51465a42u     /* "BZFQ" */
#define FOLLOWQ_VERSION 1
#define FOLLOWQ_SLOTS   256

enum slot_state {
	SLOT_FREE,
	SLOT_FILLING,   /* the owner is writing its follow */
	SLOT_PENDING,   /* waiting for a leader */
	SLOT_APPLIED,   /* outcome written by batch number `batch` */
	SLOT_FAILED,    /* the leader's transaction failed: rc */
};

struct slot {
	/* The state (low 32 bits) and the owner's pid (high 32), changed
	 * together so a claim and its owner are one atomic step. */
	_Atomic uint64_t word;
	/* The follow, written by the owner while FILLING. */
	uint8_t  follow, rid_len, user_len;
	char     rid[ID_BUF];
	char     user[STORE_USER_MAX];
	uint64_t rnum;
	/* The outcome, written by a leader. */
	uint64_t batch;
	uint64_t count, txn_id;
	int32_t  rc, changed;
};

struct followq {
	uint32_t magic, version, nslots, slot_size;
	struct slot slot[FOLLOWQ_SLOTS];
};

/* ---- the shared file ------------------------------------------------------- */

static int
header_ok(const struct followq *q)
{
	return q->magic == FOLLOWQ_MAGIC && q->version == FOLLOWQ_VERSION &&
	    q->nslots == FOLLOWQ_SLOTS && q->slot_size == sizeof(struct slot);
}

/* Maps the queue beside the store; NULL (and why, on stderr) if it can't. */
static struct followq *
queue_map(struct store *s, int *fdp)
{
	const char *dir;
	char path[4096];
	struct followq *q = MAP_FAILED;
	struct stat st;
	int fd, first;

	if (mdb_env_get_path(s->env, &dir) != 0 ||
	    snprintf(path, sizeof(path), "%s/%s", dir, FOLLOWQ_FILE) >=
	    (int)sizeof(path))
		return NULL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
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
		q->nslots = FOLLOWQ_SLOTS;
		q->slot_size = sizeof(struct slot);
		q->version = FOLLOWQ_VERSION;
		atomic_thread_fence(memory_order_release);
		q->magic = FOLLOWQ_MAGIC;
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
	fprintf(stderr, "store: %s: %s; follows commit one at a time\n", path,
	    strerror(errno));
	if (q != MAP_FAILED)
		munmap(q, sizeof(*q));
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The queue, mapped at first use; after a failure (a full disk, say),
 * tried again a minute later. */
static struct followq *
queue(struct store *s)
{
	time_t now;

	if (s->fq == NULL && (now = time(NULL)) >= s->fq_retry) {
		s->fq = queue_map(s, &s->fq_fd);
		s->fq_retry = now + 60;
	}
	return s->fq;
}

void
followq_close(struct store *s)
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
slot_take(struct followq *q, pid_t me)
{
	uint32_t i, start = (uint32_t)me % FOLLOWQ_SLOTS;

	for (i = 0; i < FOLLOWQ_SLOTS; i++) {
		struct slot *sl = &q->slot[(start + i) % FOLLOWQ_SLOTS];
		uint64_t want = 0;

		if (atomic_load_explicit(&sl->word, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong(&sl->word, &want,
		    (uint64_t)(uint32_t)me << 32 | SLOT_FILLING))
			return sl;
	}
	return NULL;
}

#define BATCH_KEY "follow_batch"

/*
 * The leader, holding the writer lock in txn (`done` is the last committed
 * batch): applies every follow to do as batch done + 1, writes each
 * outcome and marks its slot APPLIED. *any whether an edge changed (else
 * there is nothing to commit and the outcomes are the snapshot's, batch
 * `done`). On an error other than a full map every slot taken is FAILED
 * with it; on a full map they are left to be done again.
 */
static int
lead(struct store *s, struct followq *q, MDB_txn *txn, uint64_t done,
    const struct slot *mine, int *any)
{
	uint16_t taken[FOLLOWQ_SLOTS];
	uint64_t txn_id;
	size_t i, n = 0;
	int rc = 0, one;

	*any = 0;
	for (i = 0; i < FOLLOWQ_SLOTS; i++) {
		struct slot *sl = &q->slot[i];
		uint64_t w = slot_word(sl);
		uint32_t st = state_of(w);

		if (st == SLOT_FREE)
			continue;
		if (sl != mine && !alive(pid_of(w))) {
			/* Nobody waits for it: an unanswered follow is
			 * dropped (unless its word changed meanwhile). */
			atomic_compare_exchange_strong(&sl->word, &w, 0);
			continue;
		}
		if (st != SLOT_PENDING && !(st == SLOT_APPLIED && sl->batch > done))
			continue;
		taken[n++] = (uint16_t)i;
		one = follow_apply(txn, s->dbi,
		    (struct sv){ sl->rid, sl->rid_len }, sl->rnum,
		    (struct sv){ sl->user, sl->user_len }, sl->follow);
		if (one != 0 && one != UNCHANGED && one != STORE_NOTFOUND) {
			rc = one;
			break;
		}
		sl->rc = one == STORE_NOTFOUND ? STORE_NOTFOUND : 0;
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
			rc = follow_count(txn, s->dbi,
			    (struct sv){ sl->rid, sl->rid_len }, &sl->count);
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

int
followq_follow(struct store *s, struct sv rid, uint64_t rnum, struct sv user,
    int follow, uint64_t *count, uint64_t *txn_id, int *changed)
{
	struct followq *q;
	struct slot *me;
	MDB_txn *txn;
	uint64_t done;
	uint32_t st;
	int rc, any, fin = 0;

	if (s->flags & STORE_RDONLY)
		return EACCES;
	if ((q = queue(s)) == NULL || (me = slot_take(q, getpid())) == NULL)
		return FOLLOWQ_NONE;
	me->follow = (uint8_t)(follow != 0);
	me->rid_len = (uint8_t)rid.n;
	me->user_len = (uint8_t)user.n;
	memcpy(me->rid, rid.p, rid.n);
	memcpy(me->user, user.p, user.n);
	me->rnum = rnum;
	slot_set(me, SLOT_PENDING);

	for (;;) {
		if ((rc = store_write_begin(s, &txn)) != 0)
			break;
		rc = meta_get(txn, s->dbi[DB_META], BATCH_KEY, 8, &done);
		if (rc == 0 && (fin = slot_final(me, done)) != 0) {
			mdb_txn_abort(txn);
			break;
		}
		if (rc == 0)
			rc = lead(s, q, txn, done, me, &any);
		if (rc == 0 && any)
			rc = mdb_txn_commit(txn);   /* durable; frees txn */
		else
			mdb_txn_abort(txn);
		if (rc == 0) {
			fin = 1;    /* our slot is APPLIED by a committed batch */
			break;
		}
		if (rc == MDB_MAP_FULL && (rc = store_grow(s)) == 0)
			continue;
		/*
		 * The commit failed (its slots are APPLIED by a batch that
		 * never committed, for the next leader to do again), or the
		 * map can't grow: our own follow fails with it, under the
		 * lock, so no leader is reading the slot.
		 */
		if (store_write_begin(s, &txn) == 0) {
			if (meta_get(txn, s->dbi[DB_META], BATCH_KEY, 8,
			    &done) == 0) {
				if (!slot_final(me, done)) {
					me->rc = rc;
					slot_set(me, SLOT_FAILED);
				}
				fin = 1;
			}
			mdb_txn_abort(txn);
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
		*count = me->count;
		*txn_id = me->txn_id;
		*changed = me->changed;
	}
	slot_set(me, SLOT_FREE);
	return rc;
}
