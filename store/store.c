/* store.c: opening the LMDB store, read transactions, lookups and walks, write retries. */
#include "store_int.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"

#define MAP_DEFAULT ((uint64_t)256 << 20)
#define MAP_MAX_DEFAULT ((uint64_t)1 << 40)
#define MAX_READERS 512

static const struct {
	const char *name;
	unsigned    flags;
} dbs[DB__COUNT] = {
	[DB_META]        = { "meta", 0 },
	[DB_RESEARCHERS] = { "researchers", 0 },
	[DB_SLUGS]       = { "slugs", 0 },
	[DB_NAMES]       = { "names", 0 },
	[DB_NAMEPARTS]   = { "nameparts", MDB_DUPSORT },
	[DB_RNAMES]      = { "rnames", MDB_DUPSORT },
	[DB_WORKS]       = { "works", 0 },
	[DB_RWORKS]      = { "rworks", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_COAUTHORS]   = { "coauthors", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_TOPICS]      = { "topics", 0 },
	[DB_RTOPICS]     = { "rtopics", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_FOLLOWERS]   = { "followers", 0 },
	[DB_FOLLOWS]     = { "follows", MDB_DUPSORT },
	[DB_FOLLOWING]   = { "following", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_CLAIMS]      = { "claims", 0 },
	[DB_RCLAIM]      = { "rclaim", 0 },
	[DB_UCLAIM]      = { "uclaim", 0 },
	[DB_REVOKED]     = { "revoked", 0 },
	[DB_NOTBEFORE]   = { "notbefore", 0 },
	[DB_MERGED]      = { "merged", 0 },
	[DB_USERCLAIMS]  = { "userclaims", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_DISPUTES]    = { "disputes", 0 },
	[DB_PVIEWS]      = { "pviews", 0 },
	[DB_OWNERSET]    = { "ownerset", 0 },
	[DB_HIDDEN]      = { "hidden", MDB_DUPSORT | MDB_DUPFIXED },
	[DB_MERGEREQ]    = { "mergereq", 0 },
	[DB_INVITES]     = { "invites", 0 },
	[DB_INVITEKEYS]  = { "invitekeys", 0 },
	[DB_FEEDS]       = { "feeds", 0 },
	[DB_USERFEEDS]   = { "userfeeds", 0 },
	[DB_MERGELOG]    = { "mergelog", 0 },
	[DB_RSTATE]      = { "rstate", 0 },
};

const char *
store_db_name(enum store_db db)
{
	return dbs[db].name;
}

unsigned
store_db_flags(enum store_db db)
{
	return dbs[db].flags;
}

const char *
store_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case STORE_NOTFOUND: return "not found";
	case STORE_BADSCHEMA: return "the store has an unknown schema version";
	case STORE_CORRUPT: return "a store record failed to decode (corrupt store)";
	case STORE_EMPTY: return "no catalog imported yet";
	case STORE_MAPFULL: return "the store is full and its map could not grow";
	case STORE_CONFLICT: return "a competing write exists";
	case STORE_EXISTS: return "the user already has an open claim";
	case STORE_INVALID: return "invalid argument or input";
	case STORE_BUSY: return "another writer holds the store (an import, say): nothing was written";
	case STORE_REVOKED: return "the session was signed out or revoked";
	case STORE_OLDSCHEMA: return "the store has an older schema version: "
	    "upgrade it with bzpeer-admin migrate";
	case STORE_INUSE: return "another process has the store open";
	case STORE_MISMATCH: return "an input file disagrees with its manifest";
	default: return mdb_strerror(err);  /* LMDB codes and errno values */
	}
}

/* ---- meta ------------------------------------------------------------- */

int
meta_get(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n, uint64_t *out)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key }, v;
	const unsigned char *p;
	uint64_t x = 0;
	int rc;

	*out = 0;
	if ((rc = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != n)
		return STORE_CORRUPT;
	p = v.mv_data;
	while (n--)
		x = x << 8 | p[n];
	*out = x;
	return 0;
}

int
meta_put(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n, uint64_t v)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key }, d;
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	d.mv_size = n;
	d.mv_data = b;
	return mdb_put(txn, dbi, &k, &d, 0);
}

int
meta_put_str(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *v)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key };
	MDB_val d = { strlen(v), (void *)(uintptr_t)v };

	return mdb_put(txn, dbi, &k, &d, 0);
}

/*
 * Snapshot partitions applied are meta keys "part ENTITY YYYY-MM-DD" (u64
 * LE: the records read from it). The last one of an entity is the key
 * before "part ENTITY ~" ('~' sorts after every digit). *last is "" when
 * none.
 */
int
meta_last_part(MDB_txn *txn, MDB_dbi meta, const char *entity, char last[11])
{
	MDB_cursor *c;
	MDB_val k, v;
	char key[64];
	size_t pre;
	int rc;

	last[0] = '\0';
	pre = (size_t)snprintf(key, sizeof(key), "part %s ", entity);
	k.mv_size = pre + 1;
	k.mv_data = key;
	key[pre] = '~';
	if ((rc = mdb_cursor_open(txn, meta, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	rc = mdb_cursor_get(c, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
	if (rc == 0 && k.mv_size == pre + 10 && memcmp(k.mv_data, key, pre) == 0) {
		memcpy(last, (const char *)k.mv_data + pre, 10);
		last[10] = '\0';
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- opening ---------------------------------------------------------- */

/*
 * Checks the schema version in an open meta database. 0 when it is ours,
 * STORE_EMPTY when there is none, STORE_OLDSCHEMA or STORE_BADSCHEMA
 * (a line on stderr naming both versions and what to do) otherwise.
 */
static int
check_schema(MDB_txn *txn, MDB_dbi meta, const char *dir)
{
	MDB_val k = { 7, (void *)"program" }, p;
	uint64_t v;
	int rc;

	if ((rc = meta_get(txn, meta, "schema", 4, &v)) != 0)
		return rc;
	if (v == 0)
		return STORE_EMPTY;
	if (v < STORE_SCHEMA_VERSION) {
		log_err("%s: schema version %llu is older than this "
		    "program's %d: upgrade the store with "
		    "`bzpeer-admin --store %s migrate` (it backs it up first); "
		    "not opened", dir, (unsigned long long)v,
		    STORE_SCHEMA_VERSION, dir);
		return STORE_OLDSCHEMA;
	}
	if (v != STORE_SCHEMA_VERSION) {
		/* Stores of version 2 on name the program that made them. */
		if (mdb_get(txn, meta, &k, &p) != 0 || p.mv_size > 64)
			p.mv_size = 0;
		log_err("%s: schema version %llu%s%.*s%s is newer than this "
		    "program's %d: upgrade bzpeer to the version that wrote it, "
		    "or restore a backup made before the store was upgraded "
		    "(bzpeer-admin restore); not opened",
		    dir, (unsigned long long)v, p.mv_size ? " (written by " : "",
		    (int)p.mv_size, (const char *)p.mv_data,
		    p.mv_size ? ")" : "", STORE_SCHEMA_VERSION);
		return STORE_BADSCHEMA;
	}
	return 0;
}

int
catalog_id_new(MDB_txn *txn, MDB_dbi meta)
{
	uint64_t id = 0;

	/* Only to tell one catalog from another: never 0 (none). */
	while (id == 0)
		if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
			id = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	return meta_put(txn, meta, "catalog_id", 8, id);
}

/*
 * Whether database i is opened in this half (user: the user data's); the
 * meta database is in both.
 */
static int
in_half(int i, int user)
{
	return i == DB_META || db_user((enum store_db)i) == (user != 0);
}

/*
 * Read-only: the databases must exist and (unless STORE_EMPTY_OK) a
 * catalog; user data has no generation of its own.
 */
static int
open_ro(struct store *s, const char *dir, unsigned flags, int user)
{
	MDB_txn *txn;
	uint64_t gen;
	int rc, i;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = mdb_dbi_open(txn, dbs[DB_META].name, 0, &s->dbi[DB_META]);
	if (rc == MDB_NOTFOUND)
		rc = STORE_EMPTY;
	if (rc != 0)
		goto abort;
	if ((rc = check_schema(txn, s->dbi[DB_META], dir)) != 0)
		goto abort;
	if ((rc = meta_get(txn, s->dbi[DB_META], "generation", 8, &gen)) != 0)
		goto abort;
	if (!user && gen == 0 && !(flags & STORE_EMPTY_OK)) {
		rc = STORE_EMPTY;
		goto abort;
	}
	for (i = DB_META + 1; i < DB__COUNT; i++) {
		if (!in_half(i, user))
			continue;
		rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags, &s->dbi[i]);
		/* One from before a database was added: it reads as empty. */
		if (rc == MDB_NOTFOUND && (user || i >= DB_USERDATA_FIRST)) {
			s->absent |= (uint64_t)1 << i;
			continue;
		}
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			rc = STORE_CORRUPT;
		if (rc != 0)
			goto abort;
	}
	/* A read-only txn's commit keeps the handles it opened. */
	return mdb_txn_commit(txn);
abort:
	mdb_txn_abort(txn);
	return rc;
}

/*
 * Every database of an initialised store opened in a read transaction
 * (whose commit keeps the handles): 0, or MDB_NOTFOUND when something is
 * missing (a new store, or one from before a database was added), or an
 * error. Opening a store this way takes no writer lock: a worker that
 * starts while an import holds the writer is not held up by it.
 */
static int
open_existing(struct store *s, const char *dir, int user)
{
	MDB_txn *txn;
	int rc, i;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = mdb_dbi_open(txn, dbs[DB_META].name, 0, &s->dbi[DB_META]);
	if (rc == 0 && (rc = check_schema(txn, s->dbi[DB_META], dir)) == STORE_EMPTY)
		rc = MDB_NOTFOUND;
	for (i = DB_META + 1; i < DB__COUNT && rc == 0; i++) {
		if (!in_half(i, user))
			continue;
		rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags, &s->dbi[i]);
		if (rc == MDB_INCOMPATIBLE)
			rc = STORE_CORRUPT;
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/* Writable: check the schema first, then create what is missing. */
static int
open_rw(struct store *s, const char *dir, int user)
{
	MDB_txn *txn;
	uint64_t v;
	int rc, i;

	if ((rc = open_existing(s, dir, user)) != MDB_NOTFOUND)
		return rc;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return rc;
	rc = mdb_dbi_open(txn, dbs[DB_META].name, MDB_CREATE, &s->dbi[DB_META]);
	if (rc != 0)
		goto abort;
	rc = check_schema(txn, s->dbi[DB_META], dir);
	if (rc == STORE_EMPTY && (rc = meta_put(txn, s->dbi[DB_META],
	    "schema", 4, STORE_SCHEMA_VERSION)) == 0 && !user)
		rc = catalog_id_new(txn, s->dbi[DB_META]);
	if (rc != 0)
		goto abort;
	if ((rc = meta_get(txn, s->dbi[DB_META], "generation", 8, &v)) != 0)
		goto abort;
	for (i = DB_META + 1; i < DB__COUNT; i++) {
		if (!in_half(i, user))
			continue;
		rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | MDB_CREATE,
		    &s->dbi[i]);
		if (rc == MDB_INCOMPATIBLE)
			rc = STORE_CORRUPT;
		if (rc != 0)
			goto abort;
	}
	return mdb_txn_commit(txn);
abort:
	mdb_txn_abort(txn);
	return rc;
}

/*
 * One environment, in dir: the store's layout before schema 7, a half
 * of it since (user: the user data's), or with STORE__RAW the
 * environment alone.
 */
static int
open_one(const char *dir, unsigned flags, const struct store_opts *o,
    int user, struct store **out)
{
	struct store *s;
	struct buf path = BUF_INIT;
	struct stat st;
	MDB_envinfo info;
	int rc, rdonly = (flags & STORE_RDONLY) != 0;

	*out = NULL;
	if ((flags & STORE_CREATE) && mkdir(dir, STORE_DIR_MODE) != 0 &&
	    errno != EEXIST)
		return errno;
	/* LMDB would create a missing data file: only with STORE_CREATE. */
	buf_puts(&path, dir);
	buf_puts(&path, "/data.mdb");
	rc = stat(path.p, &st) != 0 ? errno : 0;
	buf_free(&path);
	if (rc != 0 && !(rc == ENOENT && (flags & STORE_CREATE)))
		return rc;

	s = xcalloc(1, sizeof(*s));
	s->flags = flags;
	s->map_max = o && o->map_max ? o->map_max : MAP_MAX_DEFAULT;
	s->map_fixed = o && o->map_size;
	s->write_wait_ms = o ? o->write_wait_ms : 0;
	s->on_batch = o ? o->on_batch : NULL;
	atomic_init(&s->spare, NULL);
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto free;
	if ((rc = mdb_env_set_maxdbs(s->env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, MAX_READERS)) != 0)
		goto env_close;
	if (o && o->map_size &&
	    (rc = mdb_env_set_mapsize(s->env, (size_t)o->map_size)) != 0)
		goto env_close;
	rc = mdb_env_open(s->env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0) |
	    (flags & STORE_NORDAHEAD ? MDB_NORDAHEAD : 0), STORE_FILE_MODE);
	if (rc != 0)
		goto env_close;
	if (!rdonly && !(o && o->map_size)) {
		uint64_t want = MAP_DEFAULT < s->map_max ? MAP_DEFAULT :
		    s->map_max;

		if ((rc = mdb_env_info(s->env, &info)) != 0)
			goto env_close;
		if (info.me_mapsize < want &&
		    (rc = mdb_env_set_mapsize(s->env, (size_t)want)) != 0)
			goto env_close;
	}
	/* STORE__RAW: the environment alone (migrate.c opens its databases). */
	rc = (flags & STORE__RAW) ? 0 : rdonly ? open_ro(s, dir, flags, user) :
	    open_rw(s, dir, user);
	if (rc != 0)
		goto env_close;
	*out = s;
	return 0;
env_close:
	mdb_env_close(s->env);
free:
	free(s);
	return rc;
}

/* dir/name into b (reset first). */
static const char *
sub_path(struct buf *b, const char *dir, const char *name)
{
	buf_reset(b);
	buf_puts(b, dir);
	buf_putc(b, '/');
	buf_puts(b, name);
	return b->p;
}

/*
 * A store of the layout before schema 7 (one environment in dir itself):
 * refused, with what check_schema() says of its version (that it is to
 * be migrated), or STORE_CORRUPT if its version says it is newer.
 */
static int
legacy_refuse(const char *dir)
{
	struct store *s;
	MDB_txn *txn;
	MDB_dbi meta;
	int rc;

	if ((rc = open_one(dir, STORE_RDONLY | STORE__RAW, NULL, 0, &s)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) == 0) {
		rc = mdb_dbi_open(txn, dbs[DB_META].name, 0, &meta);
		if (rc == 0)
			rc = check_schema(txn, meta, dir);
		else if (rc == MDB_NOTFOUND)
			rc = STORE_EMPTY;
		mdb_txn_abort(txn);
	}
	store_close(s);
	/* A layout of before with a version of after was made by hand. */
	return rc == 0 ? STORE_CORRUPT : rc;
}

int
store_open_opts(const char *dir, unsigned flags, const struct store_opts *o,
    struct store **out)
{
	struct store *cat = NULL, *user = NULL;
	struct buf path = BUF_INIT;
	struct stat st;
	int rc;

	*out = NULL;
	if (dir == NULL || *dir == '\0' ||
	    ((flags & STORE_RDONLY) && (flags & STORE_CREATE)))
		return STORE_INVALID;
	if (flags & (STORE__RAW | STORE_CATALOG_ONLY))
		return open_one(dir, flags, o, 0, out);
	if ((flags & STORE_CREATE) && mkdir(dir, STORE_DIR_MODE) != 0 &&
	    errno != EEXIST)
		return errno;
	/* The layout of before: one environment in dir itself. */
	if (stat(sub_path(&path, dir, STORE_CATALOG_DIR), &st) != 0 &&
	    errno == ENOENT &&
	    stat(sub_path(&path, dir, "data.mdb"), &st) == 0) {
		buf_free(&path);
		return legacy_refuse(dir);
	}
	rc = open_one(sub_path(&path, dir, STORE_CATALOG_DIR), flags, o, 0,
	    &cat);
	if (rc == 0)
		rc = open_one(sub_path(&path, dir, STORE_USER_DIR),
		    flags & ~STORE_EMPTY_OK, o, 1, &user);
	buf_free(&path);
	if (rc != 0) {
		store_close(cat);
		return rc;
	}
	cat->user = user;
	user->cat = cat;
	*out = cat;
	return 0;
}

int
store_open(const char *dir, unsigned flags, struct store **out)
{
	return store_open_opts(dir, flags, NULL, out);
}

static void
close_one(struct store *s)
{
	struct store_rtxn *t;

	if ((t = atomic_exchange(&s->spare, NULL)) != NULL) {
		mdb_txn_abort(t->txn);
		if (t->utxn != NULL)
			mdb_txn_abort(t->utxn);
		free(t);
	}
	writer_gate_give(s);
	groupq_close(s);
	mdb_env_close(s->env);
	free(s);
}

void
store_close(struct store *s)
{
	struct store_rtxn *t;

	if (s == NULL)
		return;
	/* The spare read holds a transaction of each: before either goes. */
	if ((t = atomic_exchange(&s->spare, NULL)) != NULL) {
		mdb_txn_abort(t->txn);
		if (t->utxn != NULL)
			mdb_txn_abort(t->utxn);
		free(t);
	}
	if (s->user != NULL)
		close_one(s->user);
	close_one(s);
}

/* ---- read transactions ---------------------------------------------------- */

/* Begins (renews, if *txn is a reset one) a read of h's environment. */
static int
read_one(struct store *h, MDB_txn **txn)
{
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		if (*txn != NULL)
			rc = mdb_txn_renew(*txn);
		else if ((rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, txn)))
			*txn = NULL;    /* begin frees the txn */
		if (rc != MDB_MAP_RESIZED)
			break;
		/* Another process grew the map: adopt its size. */
		if ((rc = mdb_env_set_mapsize(h->env, 0)) != 0)
			break;
		rc = MDB_MAP_RESIZED;
	}
	return rc;
}

int
store_read_begin(struct store *s, struct store_rtxn **out)
{
	struct store_rtxn *t;
	int rc;

	*out = NULL;
	if ((t = atomic_exchange(&s->spare, NULL)) == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->s = s;
	}
	/* The catalog first: user data is then never older than it. */
	if ((rc = read_one(s, &t->txn)) != 0 ||
	    (s->user != NULL && (rc = read_one(s->user, &t->utxn)) != 0))
		goto fail;
	if ((rc = meta_get(t->txn, s->dbi[DB_META], "generation", 8,
	    &t->generation)) != 0 ||
	    (rc = meta_get(t->txn, s->dbi[DB_META], "generation_time", 8,
	    &t->generation_time)) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	if (t->txn != NULL)
		mdb_txn_abort(t->txn);
	if (t->utxn != NULL)
		mdb_txn_abort(t->utxn);
	free(t);
	return rc;
}

void
store_read_end(struct store_rtxn *t)
{
	struct store_rtxn *none = NULL;

	if (t == NULL)
		return;
	mdb_txn_reset(t->txn);
	if (t->utxn != NULL)
		mdb_txn_reset(t->utxn);
	if (!atomic_compare_exchange_strong(&t->s->spare, &none, t)) {
		mdb_txn_abort(t->txn);
		if (t->utxn != NULL)
			mdb_txn_abort(t->utxn);
		free(t);
	}
}

uint64_t
store_generation(struct store_rtxn *t)
{
	return t->generation;
}

uint64_t
store_generation_time(struct store_rtxn *t)
{
	return t->generation_time;
}

uint64_t
store_txn_id(struct store_rtxn *t)
{
	/* The follower counts are user data: their transaction ids. */
	return mdb_txn_id(t->utxn != NULL ? t->utxn : t->txn);
}

/* ---- write transactions ----------------------------------------------------- */

int
store_grow(struct store *s)
{
	MDB_envinfo info;
	uint64_t size;
	int rc;

	if ((rc = mdb_env_info(s->env, &info)) != 0)
		return rc;
	size = info.me_mapsize;
	if (size >= s->map_max)
		return STORE_MAPFULL;
	size = size > s->map_max / 2 ? s->map_max : size * 2;
	log_info("map full at %llu KiB, growing to %llu KiB and writing "
	    "again",
	    (unsigned long long)(info.me_mapsize >> 10),
	    (unsigned long long)(size >> 10));
	return mdb_env_set_mapsize(s->env, (size_t)size);
}

/*
 * How many merges of the catalog's journal a user-data writer applies
 * before its own write (store_merges_catch_up): the importer applies
 * them right after its commit, so a post finds at most a few.
 */
#define CATCH_UP_STEP 16

int
store_write_begin(struct store *s, MDB_txn **txn)
{
	int rc, left;

	if (s->flags & STORE_RDONLY)
		return EACCES;
	for (;;) {
		rc = writer_gate_take(s, s->write_wait_ms);
		if (rc != 0 && rc != GROUPQ_NONE)
			return rc;
		while ((rc = mdb_txn_begin(s->env, NULL, 0, txn)) ==
		    MDB_MAP_RESIZED)
			/* Another process grew the map: adopt its size. */
			if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0)
				break;
		if (rc != 0) {
			writer_gate_give(s);
			return rc;
		}
		/* User data: what merges moved comes first. */
		if (s->cat == NULL || (rc = store_merges_catch_up(s, *txn,
		    CATCH_UP_STEP, &left)) == 0)
			return 0;
		store_write_abort(s, *txn);
		if (rc != MDB_MAP_FULL || (rc = store_grow(s)) != 0)
			return rc;
	}
}

int
store_write_commit(struct store *s, MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);

	writer_gate_give(s);
	return rc;
}

void
store_write_abort(struct store *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	writer_gate_give(s);
}

int
store_write(struct store *s, store_write_fn fn, void *ctx)
{
	MDB_txn *txn;
	int rc;

	for (;;) {
		if ((rc = store_write_begin(s, &txn)) != 0)
			return rc;
		/*
		 * The commit is durable before it returns: LMDB flushes the
		 * data pages, then writes the meta page synchronously, all
		 * under the one writer lock. Follows, the one frequent write,
		 * share a commit among every waiting writer (groupq.c).
		 */
		if ((rc = fn(txn, ctx)) != 0)
			store_write_abort(s, txn);
		else
			rc = store_write_commit(s, txn);  /* frees txn */
		if (rc != MDB_MAP_FULL)
			return rc;
		/* Nothing was written: grow the map and run fn again. */
		if ((rc = store_grow(s)) != 0)
			return rc;
	}
}

int
store_reserve(struct store *s, uint64_t bytes)
{
	MDB_envinfo info;
	MDB_stat st;
	uint64_t want, page;
	int rc;

	if (s->map_fixed || (s->flags & STORE_RDONLY))
		return 0;
	if ((rc = mdb_env_info(s->env, &info)) != 0 ||
	    (rc = mdb_env_stat(s->env, &st)) != 0)
		return rc;
	page = st.ms_psize;
	want = (uint64_t)(info.me_last_pgno + 1) * page;
	want = bytes > s->map_max - want ? s->map_max : want + bytes;
	want = (want + page - 1) / page * page;
	if (want <= info.me_mapsize)
		return 0;
	return mdb_env_set_mapsize(s->env, (size_t)want);
}

/* ---- lookups ----------------------------------------------------------------- */

int
store_get(struct store_rtxn *t, enum store_db db, struct sv key, MDB_val *v)
{
	MDB_val k = sv_val(key);
	int rc;

	if (key.n == 0 || key.n > 511 || db_absent(t->s, db) ||
	    (db_user(db) && t->utxn == NULL))
		return STORE_NOTFOUND;
	rc = mdb_get(rtx(t, db), rdbi(t, db), &k, v);
	return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
}

/*
 * A researcher's claim state and version as user data has them (rstate):
 * claim decisions are user data, written without the catalog's writer,
 * and a page's version (its cache key, its ETag) counts them too.
 */
static int
overlay(struct store_rtxn *t, struct store_researcher *r)
{
	struct rstate st;
	int rc;

	if (t->utxn == NULL || db_absent(t->s, DB_RSTATE))
		return 0;
	if ((rc = rstate_get(t->utxn, rdbi(t, DB_RSTATE), r->id, &st)) != 0)
		return rc;
	rstate_apply(&st, r);
	return 0;
}

/*
 * How many merges a lookup follows: the importer rewrites the ids that led
 * to a survivor merged in its turn (imp_merged_flatten), so chains never
 * grow, and a longer one (or a loop) reads as corrupt.
 */
#define MERGE_HOPS 8

int
store_researcher_by_id(struct store_rtxn *t, struct sv id,
    struct store_researcher *out)
{
	MDB_val v;
	int rc, hops = 0;

	memset(out, 0, sizeof(*out));
	/* A researcher merged away answers as the one it went into. */
	while ((rc = store_get(t, DB_RESEARCHERS, id, &v)) == STORE_NOTFOUND &&
	    (rc = store_get(t, DB_MERGED, id, &v)) == 0) {
		if (++hops > MERGE_HOPS)
			return STORE_CORRUPT;
		id = val_sv(v);
	}
	if (rc != 0)
		return rc == STORE_NOTFOUND && hops > 0 ? STORE_CORRUPT : rc;
	if ((rc = rec_researcher_decode(v.mv_data, v.mv_size, out)) != 0)
		return rc;
	return overlay(t, out);
}

uint64_t
store_follows_moved(struct store_rtxn *t)
{
	uint64_t v;

	/* Unreadable reads as "moved now": the caller then reads the store. */
	if (t->utxn == NULL ||
	    meta_get(t->utxn, rumeta(t), "follows_moved", 8, &v) != 0)
		return UINT64_MAX;
	return v;
}

int
store_researcher_by_slug(struct store_rtxn *t, struct sv slug,
    struct store_researcher *out)
{
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_get(t, DB_SLUGS, slug, &v)) != 0)
		return rc;
	rc = store_researcher_by_id(t, val_sv(v), out);
	return rc == STORE_NOTFOUND ? STORE_CORRUPT : rc;  /* dangling slug */
}

/*
 * The record of id letter+num in db. Lists point at it, so a missing one
 * is corruption, not "not found".
 */
static int
get_by_num(struct store_rtxn *t, enum store_db db, char letter, uint64_t num,
    MDB_val *v)
{
	char id[ID_BUF];
	MDB_val k = { id_format(id, letter, num), id };
	int rc = mdb_get(t->txn, t->s->dbi[db], &k, v);

	return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
}

/* A researcher by numeric id, from a list that names them. */
static int
researcher_by_num(struct store_rtxn *t, uint64_t num,
    struct store_researcher *out)
{
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = get_by_num(t, DB_RESEARCHERS, 'A', num, &v)) != 0 ||
	    (rc = rec_researcher_decode(v.mv_data, v.mv_size, out)) != 0)
		return rc;
	return overlay(t, out);
}

int
store_followers(struct store_rtxn *t, struct sv researcher_id, uint64_t *out)
{
	const unsigned char *p;
	MDB_val v;
	uint64_t x = 0;
	int rc, i;

	*out = 0;
	if ((rc = store_get(t, DB_FOLLOWERS, researcher_id, &v)) != 0)
		return rc == STORE_NOTFOUND ? 0 : rc;
	if (v.mv_size != 8)
		return STORE_CORRUPT;
	p = v.mv_data;
	for (i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	*out = x;
	return 0;
}

int
store_work_by_id(struct store_rtxn *t, struct sv id, struct store_work *out)
{
	MDB_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_get(t, DB_WORKS, id, &v)) != 0)
		return rc;
	return rec_work_decode(v.mv_data, v.mv_size, out);
}

/* ---- walks over duplicate lists ------------------------------------------------- */

/*
 * Positions cursor c at the first of key's duplicates in db and skips
 * `skip` of them. *v gets the current value. 0, or STORE_NOTFOUND when
 * there is nothing (left).
 */
static int
dup_first(MDB_cursor *c, struct sv key, size_t skip, MDB_val *v)
{
	MDB_val k = sv_val(key);
	int rc;

	if (key.n == 0 || key.n > 511)
		return STORE_NOTFOUND;
	rc = mdb_cursor_get(c, &k, v, MDB_SET_KEY);
	while (rc == 0 && skip--)
		rc = mdb_cursor_get(c, &k, v, MDB_NEXT_DUP);
	return rc == MDB_NOTFOUND ? STORE_NOTFOUND : rc;
}

/*
 * Calls each(t, value, arg) for key's duplicates in db, skipping `skip`,
 * at most `limit` (0: no limit); a value not len bytes long is corruption.
 * A missing key is an empty list. 0, each's first non-zero answer as it
 * is, or a store error.
 */
typedef int (*dup_fn)(struct store_rtxn *t, const unsigned char *v,
    void *arg);

static int
walk_dups(struct store_rtxn *t, enum store_db db, struct sv key, size_t len,
    size_t skip, size_t limit, dup_fn each, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t n = 0;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c)) != 0)
		return rc;
	for (rc = dup_first(c, key, skip, &v); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (limit && n++ == limit)
			break;
		if (v.mv_size != len) {
			rc = STORE_CORRUPT;
			goto close;
		}
		if ((rc = each(t, v.mv_data, arg)) != 0)
			goto close;
	}
	if (rc == MDB_NOTFOUND || rc == STORE_NOTFOUND)
		rc = 0;                /* the end of the list */
close:
	mdb_cursor_close(c);
	return rc;
}

struct work_walk {
	store_work_cb cb;
	void *ctx;
};

static int
each_work(struct store_rtxn *t, const unsigned char *v, void *arg)
{
	struct work_walk *a = arg;
	struct store_work w;
	MDB_val wv;
	int rc;

	if ((rc = get_by_num(t, DB_WORKS, 'W', get_be64(v + 2), &wv)) != 0 ||
	    (rc = rec_work_decode(wv.mv_data, wv.mv_size, &w)) != 0)
		return rc;
	return a->cb(a->ctx, &w);
}

int
store_researcher_works(struct store_rtxn *t, struct sv researcher_id,
    size_t skip, size_t limit, store_work_cb cb, void *ctx)
{
	struct work_walk a = { cb, ctx };

	return walk_dups(t, DB_RWORKS, researcher_id, RWORK_LEN, skip, limit,
	    each_work, &a);
}

struct coauthor_walk {
	store_coauthor_cb cb;
	void *ctx;
};

static int
each_coauthor(struct store_rtxn *t, const unsigned char *v, void *arg)
{
	struct coauthor_walk *a = arg;
	struct store_coauthor co;
	int rc;

	co.shared = UINT32_MAX - get_be32(v);
	if ((rc = researcher_by_num(t, get_be64(v + 4), &co.r)) != 0)
		return rc;
	return a->cb(a->ctx, &co);
}

int
store_researcher_coauthors(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_coauthor_cb cb, void *ctx)
{
	struct coauthor_walk a = { cb, ctx };

	return walk_dups(t, DB_COAUTHORS, researcher_id, COUNT_LEN, 0, limit,
	    each_coauthor, &a);
}

struct topic_walk {
	store_topic_cb cb;
	void *ctx;
};

static int
each_topic(struct store_rtxn *t, const unsigned char *v, void *arg)
{
	struct topic_walk *a = arg;
	struct store_topic_count tc;
	char tid[ID_BUF];
	MDB_val k = { topic_id_format(tid, get_be64(v + 4)), tid }, tv;
	int rc;

	tc.works = UINT32_MAX - get_be32(v);
	if ((rc = mdb_get(t->txn, t->s->dbi[DB_TOPICS], &k, &tv)) != 0)
		return rc == MDB_NOTFOUND ? STORE_CORRUPT : rc;
	if ((rc = rec_topic_decode(tv.mv_data, tv.mv_size, &tc.topic)) != 0)
		return rc;
	return a->cb(a->ctx, &tc);
}

int
store_researcher_topics(struct store_rtxn *t, struct sv researcher_id,
    size_t limit, store_topic_cb cb, void *ctx)
{
	struct topic_walk a = { cb, ctx };

	return walk_dups(t, DB_RTOPICS, researcher_id, COUNT_LEN, 0, limit,
	    each_topic, &a);
}

/* ---- the name index --------------------------------------------------------------- */

/* Cuts a folded name to at most max bytes without splitting a UTF-8 sequence. */
static size_t
fold_cut(const char *p, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
		n--;
	return n;
}

void
name_key(struct buf *out, struct sv name, uint64_t id)
{
	size_t start = out->len;
	unsigned char b[8];

	store_fold_name(out, name);
	out->len = start + fold_cut(out->p + start, out->len - start,
	    NAME_FOLD_MAX);
	buf_putc(out, '\0');
	put_be64(b, id);
	buf_put(out, b, 8);
}

/* ---- the search index ------------------------------------------------------------ */

/* A set of names in words form, each with its kind byte first. */
struct nset {
	struct buf b;
	struct { size_t off, n; } *e;
	size_t n, cap;
};

static void
nset_add(struct nset *s, int kind, const char *p, size_t n)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
	}
	s->e[s->n].off = s->b.len;
	s->e[s->n].n = n + (kind != 0);
	if (kind)
		buf_putc(&s->b, kind);
	buf_put(&s->b, p, n);
	s->n++;
}

static struct sv
nset_get(const struct nset *s, size_t i)
{
	return (struct sv){ s->b.p + s->e[i].off, s->e[i].n };
}

static int
cmp_sv(struct sv a, struct sv b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int
cmp_nent(const void *x, const void *y, void *ctx)
{
	const struct nset *s = ctx;
	size_t i = (size_t)((const char *)x - (const char *)s->e) / sizeof(*s->e);
	size_t j = (size_t)((const char *)y - (const char *)s->e) / sizeof(*s->e);

	return cmp_sv(nset_get(s, i), nset_get(s, j));
}

/* Sorts the set and drops entries given twice. */
static void
nset_sort(struct nset *s)
{
	size_t i, m = 0;

	if (s->n > 1)
		qsort_r(s->e, s->n, sizeof(*s->e), cmp_nent, s);
	for (i = 0; i < s->n; i++)
		if (m == 0 || cmp_sv(nset_get(s, m - 1), nset_get(s, i)) != 0)
			s->e[m++] = s->e[i];
	s->n = m;
}

static void
nset_free(struct nset *s)
{
	buf_free(&s->b);
	free(s->e);
}

/* The words of a words form (separated by one space), at most max. */
static size_t
split_words(struct sv s, struct sv *out, size_t max)
{
	size_t i = 0, n = 0;

	while (i < s.n && n < max) {
		const char *sp = memchr(s.p + i, ' ', s.n - i);
		size_t e = sp ? (size_t)(sp - s.p) : s.n;

		if (e > i)
			out[n++] = (struct sv){ s.p + i, e - i };
		i = e + 1;
	}
	return n;
}

/* The nameparts key of word (cut to NAME_WORD_MAX) and researcher num. */
static MDB_val
part_key(struct buf *k, struct sv word, uint64_t num)
{
	unsigned char b[8];

	buf_reset(k);
	buf_put(k, word.p, fold_cut(word.p, word.n, NAME_WORD_MAX));
	buf_putc(k, '\0');
	put_be64(b, num);
	buf_put(k, b, 8);
	return (MDB_val){ k->len, k->p };
}

#define VARIANT_WORDS_MAX 64

/* Puts (put = 1) or deletes the nameparts entries of one names entry. */
static int
part_entries(MDB_txn *txn, MDB_dbi dbi, struct sv ent, uint64_t num,
    int put, struct buf *k)
{
	struct sv words[VARIANT_WORDS_MAX];
	struct sv form = { ent.p + 1, ent.n - 1 };
	size_t i, n = split_words(form, words, VARIANT_WORDS_MAX);
	int rc;

	for (i = 0; i < n; i++) {
		MDB_val key = part_key(k, words[i], num), v = sv_val(form);

		rc = put ? mdb_put(txn, dbi, &key, &v, 0) :
		    mdb_del(txn, dbi, &key, NULL);
		if (rc == MDB_NOTFOUND || rc == MDB_KEYEXIST)
			rc = 0;     /* a word given twice in a name */
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
names_reindex(MDB_txn *txn, const MDB_dbi *dbi, uint64_t num,
    struct sv name, const struct sv *alts, size_t n_alts, int keep_alts)
{
	struct nset old = { BUF_INIT, NULL, 0, 0 }, neu = { BUF_INIT, NULL, 0, 0 };
	struct buf w = BUF_INIT, k = BUF_INIT;
	char id[ID_BUF];
	MDB_val key = { 0, id }, v;
	MDB_cursor *c;
	size_t i, dn;
	int rc;

	key.mv_size = id_format(id, 'A', num);
	if ((rc = mdb_cursor_open(txn, dbi[DB_RNAMES], &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET); rc == 0;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT_DUP))
		if (v.mv_size >= 2)
			nset_add(&old, 0, v.mv_data, v.mv_size);
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		goto out;
	key = (MDB_val){ id_format(id, 'A', num), id };
	store_name_words(&w, name, NAME_FOLD_MAX);
	dn = w.len;
	if (dn)
		nset_add(&neu, 'd', w.p, w.len);
	if (keep_alts) {
		for (i = 0; i < old.n; i++) {
			struct sv e = nset_get(&old, i);

			if (e.p[0] == 'a' && !(e.n - 1 == dn &&
			    memcmp(e.p + 1, w.p, dn) == 0))
				nset_add(&neu, 0, e.p, e.n);
		}
	} else {
		for (i = 0; i < n_alts && i < NAME_ALTS_MAX; i++) {
			w.len = dn;
			store_name_words(&w, alts[i], NAME_FOLD_MAX);
			if (w.len > dn && !(w.len - dn == dn &&
			    memcmp(w.p + dn, w.p, dn) == 0))
				nset_add(&neu, 'a', w.p + dn, w.len - dn);
		}
	}
	nset_sort(&old);
	nset_sort(&neu);
	if (old.n == neu.n) {
		for (i = 0; i < old.n; i++)
			if (cmp_sv(nset_get(&old, i), nset_get(&neu, i)) != 0)
				break;
		if (i == old.n) {
			rc = 0;
			goto out;
		}
	}
	for (i = 0; i < old.n; i++)
		if ((rc = part_entries(txn, dbi[DB_NAMEPARTS],
		    nset_get(&old, i), num, 0, &k)) != 0)
			goto out;
	if (old.n && (rc = mdb_del(txn, dbi[DB_RNAMES], &key, NULL)) != 0 &&
	    rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	for (i = 0; i < neu.n && rc == 0; i++) {
		v = sv_val(nset_get(&neu, i));
		if ((rc = mdb_put(txn, dbi[DB_RNAMES], &key, &v, 0)) == 0)
			rc = part_entries(txn, dbi[DB_NAMEPARTS],
			    nset_get(&neu, i), num, 1, &k);
	}
out:
	nset_free(&old);
	nset_free(&neu);
	buf_free(&w);
	buf_free(&k);
	return rc;
}

/* Whether every query word starts a different one of the name's words. */
static int
words_match(const struct sv *q, size_t nq, const struct sv *vw, size_t nv,
    uint64_t used)
{
	size_t j;

	if (nq == 0)
		return 1;
	for (j = 0; j < nv; j++) {
		if ((used >> j & 1) || vw[j].n < q[0].n ||
		    memcmp(vw[j].p, q[0].p, q[0].n) != 0)
			continue;
		if (words_match(q + 1, nq - 1, vw, nv, used | (uint64_t)1 << j))
			return 1;
	}
	return 0;
}

/* How a name (words form) matches the query: 0 exact, 1 prefix, 2 its
 * words, -1 not. */
static int
classify(struct sv qs, const struct sv *q, size_t nq, struct sv name)
{
	struct sv vw[VARIANT_WORDS_MAX];

	if (name.n == qs.n && memcmp(name.p, qs.p, qs.n) == 0)
		return 0;
	if (name.n > qs.n && memcmp(name.p, qs.p, qs.n) == 0)
		return 1;
	return words_match(q, nq, vw, split_words(name, vw, VARIANT_WORDS_MAX),
	    0) ? 2 : -1;
}

struct hit {
	uint64_t num;
	uint32_t works;
	int      cls;
};

static int
cmp_hit_num(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->cls > y->cls) - (x->cls < y->cls);
}

static int
cmp_hit_rank(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->works != y->works)
		return x->works > y->works ? -1 : 1;
	return (x->num > y->num) - (x->num < y->num);
}

#define QUERY_WORDS_MAX 16

static int
search(struct store_rtxn *t, struct sv query, size_t skip, size_t limit,
    size_t *total, store_researcher_cb cb, void *ctx)
{
	struct buf qs = BUF_INIT;
	struct sv q[QUERY_WORDS_MAX], sk;
	struct store_researcher r;
	struct hit *h = NULL;
	size_t nq, i, best = 0, n = 0, cap = 0, m = 0, scanned = 0;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	store_name_words(&qs, query, NAME_FOLD_MAX);
	nq = split_words(buf_sv(&qs), q, QUERY_WORDS_MAX);
	if (nq == 0) {
		rc = 0;
		goto out;
	}
	/* The longest word picks the fewest candidates, as a rule. */
	for (i = 1; i < nq; i++)
		if (q[i].n > q[best].n)
			best = i;
	sk = (struct sv){ q[best].p, fold_cut(q[best].p, q[best].n,
	    NAME_WORD_MAX) };
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_NAMEPARTS], &c)) != 0)
		goto out;
	k = sv_val(sk);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *kp = k.mv_data;
		int cls;

		if (k.mv_size < 9 || kp[k.mv_size - 9] != '\0') {
			rc = STORE_CORRUPT;
			break;
		}
		if (k.mv_size - 9 < sk.n || memcmp(kp, sk.p, sk.n) != 0)
			break;
		if (++scanned > STORE_SEARCH_SCAN)
			break;
		cls = classify(buf_sv(&qs), q, nq, val_sv(v));
		if (cls < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			h = xrealloc(h, cap * sizeof(*h));
		}
		h[n].num = get_be64((const unsigned char *)kp + k.mv_size - 8);
		h[n].cls = cls;
		h[n++].works = 0;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	/* One hit per researcher, its best match; then the ranking. */
	if (n > 1)
		qsort(h, n, sizeof(*h), cmp_hit_num);
	for (i = 0; i < n; i++)
		if (m == 0 || h[m - 1].num != h[i].num)
			h[m++] = h[i];
	for (i = 0; i < m; i++) {
		if ((rc = researcher_by_num(t, h[i].num, &r)) != 0)
			goto out;
		h[i].works = r.works;
	}
	if (m > 1)
		qsort(h, m, sizeof(*h), cmp_hit_rank);
	if (total)
		*total = m;
	rc = 0;
	for (i = skip; i < m && (limit == 0 || i - skip < limit); i++)
		if ((rc = researcher_by_num(t, h[i].num, &r)) != 0 ||
		    (rc = cb(ctx, &r)) != 0)
			break;
out:
	free(h);
	buf_free(&qs);
	return rc;
}

int
store_researchers_by_name(struct store_rtxn *t, struct sv query,
    size_t skip, size_t limit, size_t *total,
    store_researcher_cb cb, void *ctx)
{
	struct buf f = BUF_INIT;
	struct store_researcher r;
	MDB_cursor *c;
	MDB_val k, v;
	size_t matches = 0, shown = 0;
	int rc, done = 0;

	if (total)
		*total = 0;
	store_fold_name(&f, query);
	if (f.len != 0) {
		buf_free(&f);
		return search(t, query, skip, limit, total, cb, ctx);
	}
	/* No query: everyone, in folded-name order. */
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_NAMES], &c)) != 0)
		goto free;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *kp = k.mv_data;

		if (k.mv_size < 9 || kp[k.mv_size - 9] != '\0') {
			rc = STORE_CORRUPT;
			break;
		}
		matches++;
		if (done || matches <= skip)
			continue;
		if (limit && shown == limit) {
			if (total == NULL)
				break;
			done = 1;
			continue;
		}
		shown++;
		rc = researcher_by_num(t,
		    get_be64((const unsigned char *)kp + k.mv_size - 8), &r);
		if (rc != 0 || (rc = cb(ctx, &r)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0 && total)
		*total = matches;
free:
	buf_free(&f);
	return rc;
}

/* ---- figures -------------------------------------------------------------------------- */

unsigned
store_level(const struct store_researcher *r)
{
	if (r->claim == STORE_CLAIM_APPROVED)
		return r->orcid_verified ? 3 : 2;
	return r->works >= 1 ? 1 : 0;
}

static unsigned
min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

void
store_trust_parts(const struct store_researcher *r,
    struct store_trust_parts *out)
{
	out->level = STORE_TRUST_PER_LEVEL * store_level(r);
	out->works = min_u(STORE_TRUST_WORKS_MAX, r->works / STORE_TRUST_WORKS_PER);
	out->close = min_u(STORE_TRUST_CLOSE_MAX, r->close_collaborators);
	out->topics = min_u(STORE_TRUST_TOPICS_MAX, r->topics / STORE_TRUST_TOPICS_PER);
	out->claimed = r->claim == STORE_CLAIM_APPROVED ? STORE_TRUST_CLAIMED : 0;
	/* The caps add up to 100 with L3: the min only guards edits. */
	out->total = min_u(out->level + out->works + out->close + out->topics +
	    out->claimed, 100);
}

unsigned
store_trust(const struct store_researcher *r)
{
	struct store_trust_parts p;

	store_trust_parts(r, &p);
	return p.total;
}

const char *
store_trust_band(unsigned trust)
{
	if (trust < 10)
		return "New";
	if (trust < 30)
		return "Emerging";
	if (trust < 50)
		return "Established";
	if (trust < 70)
		return "Trusted";
	return "Highly trusted";
}

int
store_stats(struct store_rtxn *t, struct store_stats *out)
{
	MDB_stat st;
	MDB_envinfo info;
	uint64_t schema;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mdb_stat(t->txn, t->s->dbi[DB_RESEARCHERS], &st)) != 0)
		return rc;
	out->researchers = st.ms_entries;
	if ((rc = mdb_stat(t->txn, t->s->dbi[DB_WORKS], &st)) != 0)
		return rc;
	out->works = st.ms_entries;
	if ((rc = mdb_stat(t->txn, t->s->dbi[DB_TOPICS], &st)) != 0)
		return rc;
	out->topics = st.ms_entries;
	if ((rc = meta_get(t->txn, t->s->dbi[DB_META], "schema", 4, &schema)))
		return rc;
	out->schema = (uint32_t)schema;
	out->generation = t->generation;
	if (!db_absent(t->s, DB_MERGED)) {
		if ((rc = mdb_stat(t->txn, t->s->dbi[DB_MERGED], &st)) != 0)
			return rc;
		out->merged = st.ms_entries;
	}
	if ((rc = meta_last_part(t->txn, t->s->dbi[DB_META], "authors",
	    out->last_authors)) != 0 ||
	    (rc = meta_last_part(t->txn, t->s->dbi[DB_META], "works",
	    out->last_works)) != 0)
		return rc;
	if ((rc = mdb_env_info(t->s->env, &info)) != 0 ||
	    (rc = mdb_env_stat(t->s->env, &st)) != 0)
		return rc;
	out->map_size = info.me_mapsize;
	out->map_used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	if (t->s->user != NULL) {
		if ((rc = mdb_env_info(t->s->user->env, &info)) != 0 ||
		    (rc = mdb_env_stat(t->s->user->env, &st)) != 0)
			return rc;
		out->user_map_size = info.me_mapsize;
		out->user_map_used = (uint64_t)(info.me_last_pgno + 1) *
		    st.ms_psize;
	}
	return 0;
}
