/* store_int.h: the store's insides (LMDB handles, databases, key layouts), for store/ only. */
#ifndef BZPEER_STORE_INT_H
#define BZPEER_STORE_INT_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "store.h"

/*
 * Modes of what the store creates: the directory, data.mdb and lock.mdb
 * (LMDB's mdb_env_open), write.queue (groupq.c). The store holds
 * claimants' emails and every user's follows: its owner (the bzpeer user
 * in production, whoever runs `make run` in dev) alone reads it; the
 * umask can only narrow these further.
 */
#define STORE_DIR_MODE  0700
#define STORE_FILE_MODE 0600

/*
 * The databases of one environment. Record values go through codec.h;
 * the rest are fixed layouts that sort by memcmp:
 *
 *  meta         "schema" -> u32 LE; "generation", "generation_time"
 *               (unix seconds of the import) -> u64 LE; "program" -> the
 *               text "bzpeer-import 0.2.0" of what made the store or last
 *               raised its schema (schema 2 on; store_program_note)
 *  researchers  "A123" -> researcher record
 *  slugs        slug -> "A123"
 *  names        folded name (<= NAME_FOLD_MAX bytes) NUL u64 BE id -> ""
 *               (display names, for the list of all researchers)
 *  nameparts    word (<= NAME_WORD_MAX bytes) NUL u64 BE id -> DUPSORT the
 *               names of that researcher holding the word, each in its
 *               words form (store_name_words, <= NAME_FOLD_MAX bytes):
 *               the search index, display name and alternative names
 *               (schema 3 on)
 *  rnames       "A123" -> DUPSORT kind byte ('d' display name, 'a' an
 *               alternative) | words form: what nameparts holds of A123,
 *               so that a new name replaces the old entries (schema 3 on)
 *  works        "W123" -> work record
 *  rworks       "A123" -> DUPFIXED u16 BE (0xFFFF - year) | u64 BE work
 *  coauthors    "A123" -> DUPFIXED u32 BE (~shared) | u64 BE co-author
 *  topics       "T123" -> topic record
 *  rtopics      "A123" -> DUPFIXED u32 BE (~works) | u64 BE topic
 *  followers    "A123" -> u64 LE count of the researcher's follows edges,
 *               written in the same transaction as the edges; no key at 0
 *
 * User data (userdata.c; the importer never writes these, so they survive
 * re-imports):
 *
 *  follows      "A123" -> DUPSORT user (the users following A123)
 *  following    user -> DUPSORT|DUPFIXED u64 BE researcher (what user follows)
 *  claims       u64 BE claim id -> claim record (codec.h, kind 'C')
 *  rclaim       "A123" -> u64 BE id of its current (pending or approved) claim
 *  uclaim       user -> u64 BE id of the user's open (pending) claim
 *  meta         "claim_last" -> u64 LE, the last claim id given out;
 *               "claims_indexed" -> u64 LE, the last one in userclaims
 *  revoked      u64 BE expiry (unix seconds) | session id (16 bytes) -> user:
 *               sessions signed out before their expiry, oldest expiry
 *               first (so pruning walks from the front)
 *  notbefore    user -> u64 BE unix milliseconds: the user's sessions
 *               issued at or before it are ended
 *
 * Catalog again, added after the user data (so, like it, absent from an
 * older store until its next writable open, and read as empty meanwhile):
 *
 *  merged       "A123" -> "A456": a researcher merged away by OpenAlex
 *               (merged_ids) and the one it was merged into, which may
 *               itself have been merged since (followed at read time)
 *
 * User data again (schema 5 on):
 *
 *  userclaims   user -> DUPSORT|DUPFIXED u64 BE claim id: every claim the
 *               user filed, in any state (the claimant's own list). Only
 *               filing a claim adds one, and no claim changes its user, so
 *               decisions and merge moves leave it as it is. It holds the
 *               claims 1 .. meta "claims_indexed"; claims after that (filed
 *               by a program of schema 4 still serving while the store was
 *               migrated) are walked from `claims` by the readers and
 *               indexed by the next claim filed (store_claims_index_upto).
 *  disputes     u64 BE claim id -> u64 BE claim id: a pending claim and the
 *               claim another user filed disputing it, both ways; kept
 *               after they are decided (what the reviewer saw together)
 *
 * Catalog again (no schema change: derived, rebuilt by the importer; a
 * store without it, or without a researcher's entry, reads the lists):
 *
 *  pviews       "A123" -> profile view record (codec 'P'): what the profile
 *               page reads of other records, in one value: the first
 *               PVIEW_COAUTHORS co-authors' shared count, id, name, slug
 *               and institution, and the first PVIEW_WORKS works' records
 *               as stored (each with its own CRC), so that a cold profile
 *               reads one value instead of one record per co-author and per
 *               work (bench/results.md, "Past memory"). Written by the
 *               importer for every researcher whose works changed and for
 *               the co-authors of every researcher whose name, slug or
 *               institution changed (import_pview.c); any other writer of
 *               those fields must do the same, or drop the entry.
 *
 * User data of a claimed profile's owner (ownerdata.c; no schema bump:
 * new databases, absent from an older store until its next writable open):
 *
 *  ownerset     "A123" -> owner settings record (codec.h, kind 'O'): the
 *               bio line, open to collaborate, homepage, who wrote them
 *  hidden       "A123" -> DUPSORT|DUPFIXED u64 BE work | u64 BE unix
 *               seconds: works the owner said are not theirs ("not my
 *               paper"), unlinked from the profile by every import
 *  mergereq     u64 BE request id -> merge request record (kind 'M'): an
 *               owner asking that a duplicate researcher be merged into
 *               theirs; meta "mergereq_last" the last id given out
 * User data again, added without a schema bump (only new databases):
 *
 *  feeds        8-byte selector of a private feed token -> BLAKE2b-256 of
 *               its 16-byte verifier | u64 BE made (unix seconds) | user
 *               (feeds.c: the token itself is never kept)
 *  userfeeds    user -> the 8-byte selector of the user's one token
 *
 * Invitations to collaborate (invite.c; no schema bump either: new
 * databases, absent from an older store until its next writable open, and
 * read as no invitations meanwhile):
 *
 *  invites      u64 BE invitation id -> invitation record (codec.h, 'I')
 *  invitekeys   its indexes, one database, a tag byte first, every name
 *               ended by a NUL (names hold none: store_text_valid):
 *               'o' "A123" NUL sender -> u64 BE id: the pair's open one
 *               'b' "A123" NUL sender -> u64 BE unix seconds: the owner of
 *                   A123 refuses that sender's invitations since then
 *               'r' "A123" NUL u64 BE id -> "": received by A123's owner
 *               's' sender NUL u64 BE id -> "": sent by sender
 *               (so each list is one range, newest last)
 *  meta         "invite_last" -> u64 LE, the last invitation id given out
 *
 * So a researcher's works come newest first (unknown year, 0, last), and
 * co-authors and topics largest count first, ties by numeric id.
 *
 * A store written before the user-data databases existed lacks them until
 * its next writable open (which creates them); a read-only open marks them
 * absent (db_absent()) and they read as empty.
 */
enum store_db {
	DB_META,
	DB_RESEARCHERS,
	DB_SLUGS,
	DB_NAMES,
	DB_NAMEPARTS,
	DB_RNAMES,
	DB_WORKS,
	DB_RWORKS,
	DB_COAUTHORS,
	DB_TOPICS,
	DB_RTOPICS,
	DB_FOLLOWERS,
	DB_FOLLOWS,
	DB_FOLLOWING,
	DB_CLAIMS,
	DB_RCLAIM,
	DB_UCLAIM,
	DB_REVOKED,
	DB_NOTBEFORE,
	DB_MERGED,
	DB_USERCLAIMS,
	DB_DISPUTES,
	DB_PVIEWS,
	DB_OWNERSET,
	DB_HIDDEN,
	DB_MERGEREQ,
	DB_INVITES,      /* invitations (invite.c) */
	DB_INVITEKEYS,   /* their indexes: open pair, blocks, received, sent */
	DB_FEEDS,
	DB_USERFEEDS,
	DB_MERGELOG,
	DB_RSTATE,
	DB__COUNT
};

/* Named databases an environment may hold: room for those above. */
#define STORE_MAXDBS 64
_Static_assert(DB__COUNT <= STORE_MAXDBS && DB__COUNT <= 64,
    "STORE_MAXDBS and the absent mask hold every database");

/* The databases a read-only open tolerates missing (see above). */
#define DB_USERDATA_FIRST DB_FOLLOWS

/*
 * The two environments (schema 7 on): the catalog in DIR/catalog, what
 * the importer writes; user data in DIR/user, what posts write. Each has
 * its own `meta` (DB_META: schema both; generation, merge journal counters
 * in the catalog's; claim ids, follow batches, merges applied in the
 * user data's) and its own writer, so an import never holds the writer
 * a follow or a claim waits for.
 */
#define DB_USER_MASK ((UINT64_C(1) << DB_FOLLOWERS) | (UINT64_C(1) << DB_FOLLOWS) | \
	(UINT64_C(1) << DB_FOLLOWING) | (UINT64_C(1) << DB_CLAIMS) | (UINT64_C(1) << DB_RCLAIM) | \
	(UINT64_C(1) << DB_UCLAIM) | (UINT64_C(1) << DB_REVOKED) | (UINT64_C(1) << DB_NOTBEFORE) | \
	(UINT64_C(1) << DB_USERCLAIMS) | (UINT64_C(1) << DB_DISPUTES) | (UINT64_C(1) << DB_INVITES) | \
	(UINT64_C(1) << DB_INVITEKEYS) | (UINT64_C(1) << DB_FEEDS) | (UINT64_C(1) << DB_USERFEEDS) | \
	(UINT64_C(1) << DB_RSTATE))

/* Whether db lives in the user-data environment (DB_META: in both). */
static inline int
db_user(enum store_db db)
{
	return (DB_USER_MASK >> db) & 1u;
}

#define STORE_CATALOG_DIR "catalog"
#define STORE_USER_DIR    "user"

#define RWORK_LEN 10
#define PVIEW_COAUTHORS 128   /* co-authors kept in a pviews record */
#define PVIEW_WORKS 20        /* works kept in a pviews record */
#define REVOKED_KEY_LEN (8 + STORE_SESSION_ID_LEN)   /* revoked */
#define COUNT_LEN 12          /* coauthors, rtopics */
#define NAME_FOLD_MAX 400     /* a key is at most 511 bytes */
#define NAME_WORD_MAX 100     /* a word's bytes in a nameparts key */
#define NAME_ALTS_MAX 32      /* alternative names indexed per researcher */

struct store {
	MDB_env  *env;
	MDB_dbi   dbi[DB__COUNT];
	unsigned  flags;          /* STORE_RDONLY, ... */
	uint64_t  absent;         /* bit db: database db is missing (read-only) */
	uint64_t  map_max;        /* bytes a writer may grow the map to */
	int       map_fixed;      /* the caller chose the map size */
	_Atomic(struct store_rtxn *) spare;   /* a reset read txn to renew */
	long      write_wait_ms;  /* how long a writer waits for the gate; 0 no limit */
	void    (*on_batch)(size_t items);   /* store_opts.on_batch */
	int       gate_held;      /* this process holds the writer gate */
	struct groupq *fq;        /* the shared queue file (groupq.c), once open */
	int       fq_fd;          /* its file, flocked shared while open */
	time_t    fq_retry;       /* when to try opening it again */
	/*
	 * A store opened by store_open() is its catalog's half, with the
	 * user data's half in `user`; that one points back through `cat`.
	 * Both NULL in a raw open (one environment, migrate.c, backup.c).
	 */
	struct store *user, *cat;
};

/*
 * An open flag for store/ only: the environment is opened and nothing in
 * it is checked or opened (no schema check, no database handles); for
 * migrate.c, which opens what each step needs, inside store_write().
 */
#define STORE__RAW 0x100u

/*
 * A request's read: one snapshot of each environment, the catalog's
 * taken first (txn), then the user data's (utxn): user data is never
 * older than the catalog it is read with, so what a merge moved is seen
 * moved once the catalog shows it merged... unless the move is still to
 * be applied (store_merges_catch_up), a window of one commit.
 */
struct store_rtxn {
	struct store *s;
	MDB_txn      *txn, *utxn;
	uint64_t      generation, generation_time;
};

/* Whether database db is missing from a read-only store (reads as empty). */
static inline int
db_absent(const struct store *s, enum store_db db)
{
	if (db_user(db) && s->user != NULL)
		s = s->user;
	return (s->absent >> db) & 1u;
}

/* The transaction and handle of db in a read (the environment it is in). */
static inline MDB_txn *
rtx(const struct store_rtxn *t, enum store_db db)
{
	return db_user(db) ? t->utxn : t->txn;
}

static inline MDB_dbi
rdbi(const struct store_rtxn *t, enum store_db db)
{
	return db_user(db) ? t->s->user->dbi[db] : t->s->dbi[db];
}

/* The user data's meta in a read. */
static inline MDB_dbi
rumeta(const struct store_rtxn *t)
{
	return t->s->user->dbi[DB_META];
}

/*
 * The raw record of researcher id in the catalog as it is now (a read
 * transaction of its own), copied into out: for user-data writers, which
 * check what they point at. 0, STORE_NOTFOUND or an LMDB error.
 */
int cat_researcher(struct store *cat, struct sv id, struct buf *out);

/* A new catalog's meta "catalog_id" (random, never 0). */
int catalog_id_new(MDB_txn *txn, MDB_dbi meta);

/*
 * The claim state user data holds of a researcher (rstate, schema 7 on):
 * what the record's claim and orcid_verified read as, and how many times
 * user data bumped its version. found 0 when it has none (the catalog
 * record's own fields hold).
 */
struct rstate {
	int      found;
	uint8_t  claim, verified;
	uint32_t bump;
};
#define RSTATE_LEN 6
int  rstate_get(MDB_txn *txn, MDB_dbi dbi, struct sv id, struct rstate *out);
int  rstate_put(MDB_txn *txn, MDB_dbi dbi, struct sv id, const struct rstate *r);
/* r's claim state and version as user data has them. */
void rstate_apply(const struct rstate *st, struct store_researcher *r);

/*
 * Applies up to `limit` merges of the catalog's journal (mergelog) that
 * user data has not applied yet, in the user data's write transaction
 * txn of u (the user half): follows and claims move as
 * store_follows_move() and store_claim_move() say, and user meta
 * "merge_applied" records how far, in the same commit. *left: whether
 * more are waiting. Every user-data writer runs it with a small limit
 * (store_write_begin); the importer after its commit until none is left.
 */
int store_merges_catch_up(struct store *u, MDB_txn *txn, size_t limit,
    int *left);

/* store_merges_apply() (store.h) commits a few hundred merges at a time,
 * holding the user data's writer for one commit at a time. */

/* Name and MDB_* flags of a database, for opening and for dumps. */
const char *store_db_name(enum store_db db);
unsigned    store_db_flags(enum store_db db);

/*
 * Runs fn(txn, ctx) inside one write transaction and commits. When the map
 * is full (in fn or at commit) the transaction is aborted, the map doubled
 * (up to map_max) and fn run again from the start, so fn must begin from
 * scratch each time; past map_max: STORE_MAPFULL. Nothing is committed
 * unless fn returns 0. Returns 0, fn's non-zero return, STORE_MAPFULL or
 * an LMDB/errno code.
 */
typedef int (*store_write_fn)(MDB_txn *txn, void *ctx);
int store_write(struct store *s, store_write_fn fn, void *ctx);

/*
 * Begins a write transaction: takes the writer gate (groupq.c; waiting
 * at most the store's write_wait_ms, else STORE_BUSY with nothing held),
 * then LMDB's writer lock, adopting a map another process grew. EACCES on
 * a read-only store. The transaction ends with store_write_commit() or
 * store_write_abort(), which give the gate back.
 */
int  store_write_begin(struct store *s, MDB_txn **txn);
int  store_write_commit(struct store *s, MDB_txn *txn);
void store_write_abort(struct store *s, MDB_txn *txn);

/*
 * The writer gate (groupq.c). writer_gate_take() waits at most wait_ms
 * (0: no limit): 0 when held (or already held by this process), STORE_BUSY
 * when the wait ran out, GROUPQ_NONE when there is no gate to take (its
 * file could not be mapped: writers then meet at LMDB's lock alone), else
 * an errno value. writer_gate_give() gives back a held gate.
 */
int  writer_gate_take(struct store *s, long wait_ms);
void writer_gate_give(struct store *s);

/*
 * After MDB_MAP_FULL, with no transaction open in this process: doubles
 * the map (up to map_max, logging it). 0, STORE_MAPFULL past map_max, or
 * an LMDB error.
 */
int store_grow(struct store *s);

/*
 * A write function's private answer "nothing to change": store_write()
 * aborts the transaction on any non-zero return, so an idempotent no-op
 * commits nothing and leaves the transaction id alone. Distinct from every
 * STORE_* (-30900..) and LMDB (-30799..-30780) code.
 */
#define UNCHANGED (-30950)

/* ---- group commit of small writes (groupq.c) ---- */

/*
 * A kind of small, idempotent write that shares commits across processes.
 * apply: inside the leader's write transaction, applies one item: 0 when
 *        it changed the store, UNCHANGED when it was already so, or
 *        STORE_NOTFOUND or STORE_CONFLICT, which fail that item alone;
 *        anything else fails the whole batch.
 * result: once every item of the batch is applied, the figure its owner
 *        gets back (a follow: the researcher's count after the batch).
 * Items must not point anywhere: they are copied into shared memory and
 * read by another process.
 */
#define GROUPQ_ITEM_MAX 160
struct groupq_ops {
	int (*apply)(struct store *s, MDB_txn *txn, const void *item,
	    size_t len);
	int (*result)(struct store *s, MDB_txn *txn, const void *item,
	    size_t len, uint64_t *out);
};

/*
 * Runs item (len bytes) through the queue: whichever process holds the
 * writer next applies every item waiting, in one transaction and one
 * durable commit. Returns what ops->apply said of it (0 or STORE_NOTFOUND)
 * with *result, *txn_id (the commit's id, or the snapshot's when the batch
 * changed nothing) and *changed; STORE_BUSY when the writer could not be
 * had in time and the item was taken back unwritten; an error of the
 * batch; or GROUPQ_NONE when there is no queue to use (it could not be
 * opened, or every slot is taken): the caller writes alone.
 */
#define GROUPQ_NONE (-30951)
int groupq_run(struct store *s, const struct groupq_ops *ops, const void *item,
    size_t len, uint64_t *result, uint64_t *txn_id, int *changed);

/* Unmaps and closes the queue, if open. */
void groupq_close(struct store *s);

/*
 * Raises the map, before a big write, to the space used plus `bytes` (at
 * most map_max), so the write need not be run again after growing. A map
 * size the caller chose (store_opts.map_size) is left alone. Call with no
 * transaction open in this process. 0 or an LMDB error.
 */
int store_reserve(struct store *s, uint64_t bytes);

/*
 * Gets key from db in t; STORE_NOTFOUND for a missing or impossible key
 * (empty, longer than LMDB's 511 bytes) or an absent database.
 */
int store_get(struct store_rtxn *t, enum store_db db, struct sv key,
    MDB_val *v);

/* Reads an unsigned LE meta value of n bytes (4 or 8); 0 when missing. */
int meta_get(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n,
    uint64_t *out);
int meta_put(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n,
    uint64_t v);
/*
 * The last snapshot partition of entity ("authors", "works", ...) applied:
 * meta "part ENTITY YYYY-MM-DD"; "" when none. 0 or an LMDB error.
 */
int meta_last_part(MDB_txn *txn, MDB_dbi meta, const char *entity,
    char last[11]);
/* Puts a text meta value (no NUL kept). */
int meta_put_str(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *v);

/*
 * Owner data (ownerdata.c): whether user owns researcher id (0, or EPERM;
 * the claims read in a read transaction of user data of their own, since
 * owner data is in the catalog's environment); a bump of its record
 * version, inside a catalog write transaction.
 */
int owner_check(struct store *s, struct sv id, struct sv user);
/*
 * The approved claim of researcher id in txn, a transaction of user data
 * (dbi its handles): 0 with *claim (views into the map), STORE_NOTFOUND
 * when it has none (or only a pending or rejected one).
 */
int approved_claim(MDB_txn *txn, const MDB_dbi *dbi, struct sv id,
    struct store_claim *claim);
/* The user of researcher id's current claim, copied into user; 0 or
 * STORE_NOTFOUND (ownerdata.c, a read transaction of user data). */
int claim_user(struct store *s, struct sv id, struct buf *user);
int researcher_bump(MDB_txn *txn, const MDB_dbi *dbi, struct sv id);

/* ---- fsutil.c ---- */

/* dir/name into out (n bytes); ENAMETOOLONG when it does not fit. */
int path_join(char *out, size_t n, const char *dir, const char *name);
/* Flushes a directory's entries (a file made, renamed or removed in it). */
int dir_sync(const char *dir);
/* Removes directory dir and everything in it; 0 when it is not there. */
int dir_remove(const char *dir);

/*
 * A researcher merged into another, inside the importer's transaction
 * (userdata.c): every follow of `from` moves to `to`, a user who followed
 * both counted once; `from`'s current claim becomes a pending claim on
 * `to` (or a rejected one, with a note, when `to` has a claim or the user
 * another open one), *to_claim the claim state `to`'s record takes.
 */
int store_follows_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    uint64_t from_num, struct sv to, uint64_t to_num);

/*
 * (invite.c) A researcher merged into another, in a user-data write
 * transaction: the invitations sent to `from` name `to` and are listed
 * there; `from`'s open pairs and blocks become `to`'s, where `to` has none
 * of its own for that sender. An invitation stays its recipient's (its
 * owner), answerable once the moved claim on `to` is theirs.
 */
int invites_merge_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    struct sv to);

/*
 * (userdata.c) Indexes every claim after meta "claims_indexed" up to id
 * `upto` in userclaims, then records upto as the last one indexed: the
 * claim writer after each claim it files, and the migration to schema 5
 * (from 0) for the claims there are. Needs dbi[DB_META], [DB_CLAIMS] and
 * [DB_USERCLAIMS]. 0, an LMDB error or STORE_CORRUPT.
 */
int store_claims_index_upto(MDB_txn *txn, const MDB_dbi *dbi, uint64_t upto);
int store_claim_move(MDB_txn *txn, const MDB_dbi *dbi, struct sv from,
    struct sv to, uint8_t *to_claim, uint64_t now);

/* Appends the names-index key of a researcher to out. */
void name_key(struct buf *out, struct sv name, uint64_t id);

/*
 * Makes the search index (nameparts, rnames) hold researcher num's
 * display name and its alternatives (n_alts of them, at most
 * NAME_ALTS_MAX used; with keep_alts, the ones indexed already instead),
 * in txn; dbi is indexed by enum store_db. Writes nothing when the index
 * holds these names already. 0 or an LMDB error.
 */
int names_reindex(MDB_txn *txn, const MDB_dbi *dbi, uint64_t num,
    struct sv name, const struct sv *alts, size_t n_alts, int keep_alts);

/* MDB_val <-> struct sv. */
static inline MDB_val
sv_val(struct sv s)
{
	MDB_val v = { s.n, (void *)(uintptr_t)s.p };

	return v;
}

static inline struct sv
val_sv(MDB_val v)
{
	struct sv s = { v.mv_data, v.mv_size };

	return s;
}

#endif
