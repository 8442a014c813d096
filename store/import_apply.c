/* import_apply.c: one parsed author or work line into the store: records, the rworks edges, topics, the name index. */
#include <string.h>

#include "codec.h"
#include "import_int.h"

/* Works summarised for imp_derive() at most (beyond: read back from the store). */
#define SUMS_WORKS_MAX ((size_t)16 << 20)

/* ---- researchers ----------------------------------------------------------- */

int
imp_db_get(struct imp *m, enum store_db db, struct sv key, MDB_val *v)
{
	MDB_val k = sv_val(key);

	return mdb_get(m->txn, m->dbi[db], &k, v);
}

int
imp_db_put(struct imp *m, enum store_db db, struct sv key, struct sv val,
    unsigned flags)
{
	MDB_val k = sv_val(key), v = sv_val(val);

	return mdb_put(m->txn, m->dbi[db], &k, &v, flags);
}

/*
 * Puts a key known to be missing. While a file's keys for db come in
 * order it appends (fuller pages, no search); the first key out of order
 * turns that off for the rest of the file.
 */
static int
db_put_new(struct imp *m, enum store_db db, struct sv key, struct sv val)
{
	MDB_val k = sv_val(key), v = sv_val(val);
	int rc;

	if (m->append[db]) {
		rc = mdb_put(m->txn, m->dbi[db], &k, &v, MDB_APPEND);
		if (rc != MDB_KEYEXIST)
			return rc;
		m->append[db] = 0;
	}
	return mdb_put(m->txn, m->dbi[db], &k, &v, 0);
}


/* The hash of r's content: its record with version and change time 0. */
uint64_t
imp_content_hash(struct imp *m, const struct store_researcher *r)
{
	struct store_researcher c = *r;
	struct buf b = BUF_INIT;
	uint64_t h;

	c.version = 0;
	c.changed = 0;
	rec_researcher_encode(&b, &c);
	h = hash64(HASH64_SEED, b.p, b.len);
	buf_free(&b);
	(void)m;
	return h;
}

/*
 * A researcher this run wrote whose content it left as it was (the same
 * data imported again, a record read in an older version first and its
 * newer one after) gets back its change time and version: only a change
 * that stays moves them.
 */
int
imp_restore_unchanged(struct imp *m)
{
	struct store_researcher r;
	MDB_val v;
	size_t i;
	int rc;

	for (i = 0; i < m->orig.n; i++) {
		const struct orig_rec *o = &m->origs[m->orig.v[i].n];
		uint64_t num = m->orig.v[i].id;
		char id[ID_BUF];
		struct sv ids = { id, id_format(id, 'A', num) };

		if ((rc = imp_get_researcher(m, num, &r, &v)) == MDB_NOTFOUND)
			continue;      /* merged away */
		if (rc != 0)
			return rc;
		if ((r.changed == o->changed && r.version == o->version) ||
		    imp_content_hash(m, &r) != o->hash)
			continue;
		r.changed = o->changed;
		r.version = o->version;
		buf_reset(&m->rec);
		rec_researcher_encode(&m->rec, &r);
		if ((rc = imp_db_put(m, DB_RESEARCHERS, ids, buf_sv(&m->rec),
		    0)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Writes researcher r (number num) if it differs from old (the record as
 * it is now, raw bytes in oldval; both NULL when new), bumping its version
 * once per import and setting its change time to this import's (put back
 * at the end if the run leaves the content as it was:
 * imp_restore_unchanged()); and keeps the name index in step. r may point
 * into old's memory: everything is copied before the first write.
 */
int
imp_put_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    const struct store_researcher *old, const MDB_val *oldval)
{
	struct idmap_entry *e = idmap_add(&m->touched, num);
	char id[ID_BUF];
	struct sv ids = { id, id_format(id, 'A', num) };
	int rc, renamed = old == NULL || !sv_eq(old->name, r->name);

	if (old && idmap_get(&m->orig, num) == NULL) {
		/* the first write of this run: remember the record as it was */
		if (m->n_origs == m->cap_origs) {
			m->cap_origs = m->cap_origs ? m->cap_origs * 2 : 64;
			m->origs = xrealloc(m->origs,
			    m->cap_origs * sizeof(*m->origs));
		}
		m->origs[m->n_origs].hash = imp_content_hash(m, old);
		m->origs[m->n_origs].changed = old->changed;
		m->origs[m->n_origs].version = old->version;
		idmap_add(&m->orig, num)->n = (uint32_t)m->n_origs++;
	}
	buf_reset(&m->rec);
	r->version = old ? old->version : 1;
	r->changed = old ? old->changed : m->now;
	rec_researcher_encode(&m->rec, r);
	if (old) {
		e->n |= T_EXISTS;
		if (oldval->mv_size == m->rec.len &&
		    memcmp(oldval->mv_data, m->rec.p, m->rec.len) == 0)
			return 0;
		if (!(e->n & T_BUMPED))
			r->version = old->version + 1;
		r->changed = m->now;
		buf_reset(&m->rec);
		rec_researcher_encode(&m->rec, r);
	}
	e->n |= T_BUMPED | T_EXISTS;
	if (old == NULL || !sv_eq(old->name, r->name) ||
	    !sv_eq(old->slug, r->slug) ||
	    !sv_eq(old->institution, r->institution))
		e->n |= T_CARD;
	buf_reset(&m->key);
	buf_reset(&m->key2);
	if (renamed) {
		name_key(&m->key, r->name, num);
		if (old)
			name_key(&m->key2, old->name, num);
	}
	/* From here on old and r may point at moved bytes. */
	rc = old ? imp_db_put(m, DB_RESEARCHERS, ids, buf_sv(&m->rec), 0) :
	    db_put_new(m, DB_RESEARCHERS, ids, buf_sv(&m->rec));
	if (rc != 0)
		return rc;
	m->rep.researchers_written++;
	if (!renamed)
		return 0;
	if (m->key2.len) {
		MDB_val k = sv_val(buf_sv(&m->key2));

		rc = mdb_del(m->txn, m->dbi[DB_NAMES], &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	if ((rc = imp_db_put(m, DB_NAMES, buf_sv(&m->key), SV_LIT(""), 0)) != 0)
		return rc;
	/* The search index: the new name, the alternatives as they were
	 * (an author line then sets those, imp_do_author()). The record
	 * was written, so read the name back from it, not from r. */
	{
		struct store_researcher now;
		MDB_val v;

		if ((rc = imp_get_researcher(m, num, &now, &v)) != 0)
			return rc;
		return names_reindex(m->txn, m->dbi, num, now.name, NULL, 0, 1);
	}
}

/* Reads researcher num; 0, MDB_NOTFOUND, STORE_CORRUPT or an LMDB error. */
int
imp_get_researcher(struct imp *m, uint64_t num, struct store_researcher *r,
    MDB_val *v)
{
	char id[ID_BUF];
	struct sv ids = { id, id_format(id, 'A', num) };
	int rc;

	if ((rc = imp_db_get(m, DB_RESEARCHERS, ids, v)) != 0)
		return rc;
	return rec_researcher_decode(v->mv_data, v->mv_size, r);
}

/* One author line: the authors file is the authority on these fields. */
int
imp_do_author(struct imp *m, const struct oa_author *a)
{
	struct store_researcher r, old;
	struct idmap_entry *e;
	MDB_val v;
	size_t i;
	int rc;

	if (openalex_placeholder(a->a.num, a->a.name)) {
		m->rep.placeholders++;    /* nobody's profile */
		return 0;
	}
	rc = imp_get_researcher(m, a->a.num, &old, &v);
	/* The record of an id merged into another: that one stands for it. */
	if (rc == MDB_NOTFOUND && m->any_merged &&
	    (rc = imp_db_get(m, DB_MERGED, a->a.id, &v)) != MDB_NOTFOUND) {
		if (rc == 0)
			m->rep.authors++;
		return rc;
	}
	if (rc == MDB_NOTFOUND) {
		memset(&r, 0, sizeof(r));
		r.id = a->a.id;
	} else if (rc == 0)
		r = old;
	else
		return rc;
	if (a->a.name.n)
		r.name = a->a.name;
	r.orcid = a->a.orcid;
	r.institution = a->institution;
	buf_reset(&m->insts);
	for (i = 0; i < a->n_insts; i++) {
		struct store_inst x = { a->insts[i].name, a->insts[i].first,
		    a->insts[i].last, a->insts[i].current };

		rec_inst_put(&m->insts, &x);
	}
	r.n_insts = (uint32_t)a->n_insts;
	r.raw_insts = m->insts.p;
	r.raw_insts_len = m->insts.len;
	buf_reset(&m->years);
	for (i = 0; i < a->n_years; i++) {
		struct store_year y = { a->years[i].year, a->years[i].works,
		    a->years[i].cited };

		rec_year_put(&m->years, &y);
	}
	r.n_years = (uint32_t)a->n_years;
	r.raw_years = m->years.p;
	r.raw_years_len = m->years.len;
	buf_reset(&m->alts);
	for (i = 0; i < a->n_alts; i++)
		rec_put_str(&m->alts, a->alts[i]);
	r.n_alts = (uint32_t)a->n_alts;
	r.raw_alts = m->alts.p;
	r.raw_alts_len = m->alts.len;
	r.oa_stats = (uint8_t)(a->has_stats != 0);
	r.oa_h_index = a->h_index > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)a->h_index;
	r.oa_i10_index = a->i10_index > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)a->i10_index;
	r.oa_cited = a->cited;
	if ((rc = imp_put_researcher(m, a->a.num, &r, rc ? NULL : &old,
	    rc ? NULL : &v)) != 0)
		return rc;
	if ((rc = imp_get_researcher(m, a->a.num, &old, &v)) != 0 ||
	    (rc = names_reindex(m->txn, m->dbi, a->a.num, old.name, a->alts,
	    a->n_alts, 0)) != 0)
		return rc;
	e = idmap_add(&m->touched, a->a.num);
	e->n = a->institution.n ? e->n & ~(uint32_t)T_NOINST : e->n | T_NOINST;
	m->rep.authors++;
	return 0;
}

/*
 * An author met on a work: created from the authorship if unknown. A
 * researcher whose record names no institution (its author line named
 * none, or it has none) takes the first one an authorship of theirs
 * names, in file order.
 */
static int
ensure_researcher(struct imp *m, const struct oa_ref *a)
{
	struct store_researcher r, old;
	struct idmap_entry *e = idmap_get(&m->touched, a->num);
	MDB_val v;
	int rc;

	if (e != NULL && (e->n & T_EXISTS) &&
	    !((e->n & T_NOINST) && a->inst.n))
		return 0;              /* written or found in this run */
	rc = imp_get_researcher(m, a->num, &old, &v);
	if (rc == 0) {
		/* Found: imp_do_work() marks it touched right after. */
		e = idmap_add(&m->touched, a->num);
		e->n |= T_EXISTS;
		if (old.institution.n || a->inst.n == 0) {
			e->n = old.institution.n ? e->n & ~(uint32_t)T_NOINST :
			    e->n | T_NOINST;
			return 0;
		}
		r = old;
		r.institution = a->inst;
		e->n &= ~(uint32_t)T_NOINST;
		return imp_put_researcher(m, a->num, &r, &old, &v);
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	memset(&r, 0, sizeof(r));
	r.id = a->id;
	r.name = a->name;
	r.orcid = a->orcid;
	r.institution = a->inst;
	if ((rc = imp_put_researcher(m, a->num, &r, NULL, NULL)) != 0)
		return rc;
	if (a->inst.n == 0)
		idmap_add(&m->touched, a->num)->n |= T_NOINST;
	return 0;
}

/* ---- works -------------------------------------------------------------------- */

/* The rworks value of a work: newest first, then by work number. */
static MDB_val
rwork_val(unsigned char b[RWORK_LEN], int year, uint64_t work)
{
	MDB_val v = { RWORK_LEN, b };

	put_be16(b, (uint16_t)(0xFFFF - year));
	put_be64(b + 2, work);
	return v;
}

/* Adds (del = 0) or removes the edge researcher -> work. */
int
imp_edge(struct imp *m, uint64_t researcher, int year, uint64_t work, int del)
{
	char id[ID_BUF];
	unsigned char b[RWORK_LEN];
	MDB_val k = { id_format(id, 'A', researcher), id };
	MDB_val v = rwork_val(b, year, work);
	int rc;

	if (del) {
		rc = mdb_del(m->txn, m->dbi[DB_RWORKS], &k, &v);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	rc = mdb_put(m->txn, m->dbi[DB_RWORKS], &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : rc;
}

void
imp_affect(struct imp *m, uint64_t researcher)
{
	idmap_add(&m->touched, researcher)->n |= T_AFFECTED;
}

/* Notes t's name as the one the store now holds. */
static void
remember_topic(struct imp *m, const struct oa_ref *t)
{
	uint32_t n = (uint32_t)t->name.n;
	unsigned char len[4];

	if (m->tnames.len + 4 + n >= UINT32_MAX)
		return;                /* not worth a cache entry */
	idmap_add(&m->tname, t->num)->n = (uint32_t)m->tnames.len + 1;
	put_le32(len, n);
	buf_put(&m->tnames, len, 4);
	buf_put(&m->tnames, t->name.p, n);
}

/*
 * Keeps what imp_derive() needs of work w, just written; past the budget only
 * notes that an earlier summary of w is stale (UINT32_MAX).
 */
static void
remember_work(struct imp *m, const struct oa_work *w)
{
	size_t need = 4 + w->n_authors + w->n_topics, i;
	struct idmap_entry *e;
	uint64_t *p;

	if (m->wsum.n >= SUMS_WORKS_MAX ||
	    m->n_sums + need >= UINT32_MAX) {
		if ((e = idmap_get(&m->wsum, w->num)) != NULL)
			e->n = UINT32_MAX;
		return;
	}
	if (m->n_sums + need > m->cap_sums) {
		m->cap_sums = m->cap_sums ? m->cap_sums * 2 : 1u << 16;
		while (m->cap_sums < m->n_sums + need)
			m->cap_sums *= 2;
		m->sums = xrealloc(m->sums, m->cap_sums * sizeof(*m->sums));
	}
	idmap_add(&m->wsum, w->num)->n = (uint32_t)m->n_sums;
	p = m->sums + m->n_sums;
	p[0] = (uint64_t)w->year;
	p[1] = w->n_authors;
	p[2] = w->n_topics;
	p[3] = w->cited;
	for (i = 0; i < w->n_authors; i++)
		p[4 + i] = w->authors[i].num;   /* 0: no id (ids start at 1) */
	for (i = 0; i < w->n_topics; i++)
		p[4 + w->n_authors + i] = w->topics[i].num;
	m->n_sums += need;
}

/* Topic names: the last line naming a topic wins; null never erases one. */
static int
upsert_topic(struct imp *m, const struct oa_ref *t)
{
	struct store_topic_ref old, nt = { t->id, t->name };
	struct idmap_entry *e = idmap_get(&m->tname, t->num);
	MDB_val v;
	int rc;

	/* The name this run wrote last (the store holds just that). */
	if (e != NULL && (t->name.n == 0 ||
	    (get_le32((const unsigned char *)m->tnames.p + e->n - 1) == t->name.n &&
	    memcmp(m->tnames.p + e->n - 1 + 4, t->name.p, t->name.n) == 0)))
		return 0;
	if ((rc = imp_db_get(m, DB_TOPICS, t->id, &v)) == 0) {
		if ((rc = rec_topic_decode(v.mv_data, v.mv_size, &old)) != 0)
			return rc;
		if (sv_eq(old.name, t->name))
			remember_topic(m, t);
		if (t->name.n == 0 || sv_eq(old.name, t->name))
			return 0;
	} else if (rc != MDB_NOTFOUND)
		return rc;
	buf_reset(&m->rec);
	rec_topic_encode(&m->rec, &nt);
	if ((rc = imp_db_put(m, DB_TOPICS, t->id, buf_sv(&m->rec), 0)) != 0)
		return rc;
	remember_topic(m, t);
	return 0;
}

static int
new_has_author(const struct oa_work *w, uint64_t num)
{
	size_t i;

	for (i = 0; i < w->n_authors; i++)
		if (w->authors[i].id.n && w->authors[i].num == num)
			return 1;
	return 0;
}

/*
 * One work line, rec its record (encoded by the parser thread). A new or
 * changed work is written with its edges; a changed one first loses the
 * edges its new version no longer has. Every author of the old and new
 * versions is marked for new figures.
 */
int
imp_do_work(struct imp *m, struct oa_work *w, struct buf *rec)
{
	struct store_work old;
	struct store_author_ref a;
	MDB_val v;
	size_t i, n_old = 0, pos = 0;
	int rc, old_year = 0, listed;

	/* An author merged away is credited to the one it went into. */
	if (m->any_merged && (rc = imp_remap_work(m, w, rec)) != 0)
		return rc;
	rc = imp_db_get(m, DB_WORKS, w->id, &v);
	if (rc == 0 && v.mv_size == rec->len &&
	    memcmp(v.mv_data, rec->p, rec->len) == 0)
		goto topics;               /* unchanged: edges are in place */
	if (rc == 0) {
		if ((rc = rec_work_decode(v.mv_data, v.mv_size, &old)) != 0)
			return rc;
		old_year = old.year;
		if (old.n_authors > m->cap_old) {
			m->cap_old = old.n_authors;
			m->old = xrealloc(m->old, m->cap_old * sizeof(*m->old));
		}
		while (store_work_author_next(&old, &pos, &a) == 0) {
			if (a.id.n == 0)
				continue;      /* a name without a profile */
			if (id_parse(a.id, 'A', &m->old[n_old]) != 0)
				return STORE_CORRUPT;
			n_old++;
		}
	} else if (rc != MDB_NOTFOUND)
		return rc;

	rc = rc == 0 ? imp_db_put(m, DB_WORKS, w->id, buf_sv(rec), 0) :
	    db_put_new(m, DB_WORKS, w->id, buf_sv(rec));
	if (rc != 0)
		return rc;
	remember_work(m, w);
	m->rep.works_written++;
	/* Paratext (covers, front matter, indexes) is kept but listed for
	 * nobody: no edges, no profiles from its authorships, no figures. */
	listed = !(w->flags & OA_PARATEXT);
	for (i = 0; i < n_old; i++) {
		if ((old_year != w->year || !listed ||
		    !new_has_author(w, m->old[i])) &&
		    (rc = imp_edge(m, m->old[i], old_year, w->num, 1)) != 0)
			return rc;
		imp_affect(m, m->old[i]);
	}
	for (i = 0; listed && i < w->n_authors; i++) {
		if (w->authors[i].id.n == 0)
			continue;
		if ((rc = imp_edge(m, w->authors[i].num, w->year, w->num, 0)) != 0 ||
		    (rc = ensure_researcher(m, &w->authors[i])) != 0)
			return rc;
		imp_affect(m, w->authors[i].num);
	}
topics:
	for (i = 0; i < w->n_topics; i++)
		if ((rc = upsert_topic(m, &w->topics[i])) != 0)
			return rc;
	m->rep.works++;
	return 0;
}
