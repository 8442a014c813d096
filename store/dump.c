/* dump.c: writing every database of the store as text, one line per record. */
#include "dump.h"

#include <errno.h>
#include <string.h>

#include "codec.h"
#include "store_int.h"
#include "utf8.h"

/* Code points shown escaped although they are valid text: C1 controls, bidi
 * controls (they reorder what follows them on the line), line separators. */
static int
shown_escaped(long cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C ||
	    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

void
dump_escape(struct buf *b, struct sv s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, at;
	long cp;

	while (i < s.n) {
		at = i;
		cp = utf8_next(p, s.n, &i);
		if (cp == '"' || cp == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (int)cp);
		} else if (cp < 0x20 || cp == 0x7F) {
			/* a control byte, or (-1) a byte that is not UTF-8 */
			buf_puts(b, "\\x");
			buf_putc(b, hex[p[at] >> 4]);
			buf_putc(b, hex[p[at] & 15]);
		} else if (shown_escaped(cp)) {
			buf_puts(b, "\\u");
			buf_putc(b, hex[cp >> 12 & 15]);
			buf_putc(b, hex[cp >> 8 & 15]);
			buf_putc(b, hex[cp >> 4 & 15]);
			buf_putc(b, hex[cp & 15]);
		} else
			buf_put(b, p + at, i - at);
	}
}

void
dump_quote(struct buf *b, struct sv s)
{
	buf_putc(b, '"');
	dump_escape(b, s);
	buf_putc(b, '"');
}

static void
hexdump(struct buf *b, MDB_val v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = v.mv_data;
	size_t i;

	for (i = 0; i < v.mv_size; i++) {
		buf_putc(b, hex[p[i] >> 4]);
		buf_putc(b, hex[p[i] & 15]);
	}
}

/* Keys that are ids or slugs print bare when they are plain ASCII words. */
static void
key_text(struct buf *b, MDB_val k)
{
	const unsigned char *p = k.mv_data;
	size_t i;

	for (i = 0; i < k.mv_size; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\')
			break;
	if (k.mv_size > 0 && i == k.mv_size)
		buf_put(b, p, k.mv_size);
	else
		dump_quote(b, val_sv(k));
}

static void
id_text(struct buf *b, char letter, const unsigned char *p)
{
	char id[ID_BUF];

	buf_put(b, id, id_format(id, letter, get_be64(p)));
}

static void
field_str(struct buf *b, const char *name, struct sv s)
{
	buf_putc(b, ' ');
	buf_puts(b, name);
	buf_putc(b, '=');
	dump_quote(b, s);
}

static void
field_num(struct buf *b, const char *name, uint64_t v)
{
	buf_putc(b, ' ');
	buf_puts(b, name);
	buf_putc(b, '=');
	buf_putu64(b, v);
}

static int
researcher_text(struct buf *b, MDB_val v)
{
	struct store_researcher r;
	int rc = rec_researcher_decode(v.mv_data, v.mv_size, &r);

	if (rc != 0)
		return rc;
	field_str(b, "id", r.id);
	field_str(b, "slug", r.slug);
	field_str(b, "name", r.name);
	field_str(b, "orcid", r.orcid);
	field_str(b, "institution", r.institution);
	field_num(b, "version", r.version);
	field_num(b, "works", r.works);
	field_num(b, "topics", r.topics);
	field_num(b, "close", r.close_collaborators);
	field_num(b, "coauthors", r.coauthors);
	field_num(b, "claim", r.claim);
	field_num(b, "orcid_verified", r.orcid_verified);
	field_num(b, "first_year", (uint64_t)r.first_year);
	field_num(b, "last_year", (uint64_t)r.last_year);
	/* Schema 4's fields, where there is something (a record of before
	 * dumps as it did). */
	if (r.cited)
		field_num(b, "cited", r.cited);
	if (r.h_index)
		field_num(b, "h_index", r.h_index);
	if (r.i10_index)
		field_num(b, "i10_index", r.i10_index);
	if (r.oa_stats) {
		field_num(b, "oa_h_index", r.oa_h_index);
		field_num(b, "oa_i10_index", r.oa_i10_index);
	}
	if (r.oa_cited)
		field_num(b, "oa_cited", r.oa_cited);
	if (r.n_insts) {
		struct store_inst x;
		size_t pos = 0;
		const char *sep = "";

		buf_puts(b, " institutions=[");
		for (; store_researcher_inst_next(&r, &pos, &x) == 0; sep = " ") {
			buf_puts(b, sep);
			dump_quote(b, x.name);
			buf_putc(b, ':');
			buf_putu64(b, (uint64_t)x.first);
			buf_putc(b, '-');
			buf_putu64(b, (uint64_t)x.last);
			if (x.current)
				buf_puts(b, ":current");
		}
		buf_putc(b, ']');
	}
	if (r.n_years) {
		struct store_year y;
		size_t pos = 0;
		const char *sep = "";

		buf_puts(b, " counts_by_year=[");
		for (; store_researcher_year_next(&r, &pos, &y) == 0; sep = " ") {
			buf_puts(b, sep);
			buf_putu64(b, (uint64_t)y.year);
			buf_putc(b, ':');
			buf_putu64(b, y.works);
			buf_putc(b, ':');
			buf_putu64(b, y.cited);
		}
		buf_putc(b, ']');
	}
	return 0;
}

static int
work_text(struct buf *b, MDB_val v)
{
	struct store_work w;
	struct store_author_ref a;
	struct store_topic_ref t;
	size_t pos;
	const char *sep = "";
	int rc = rec_work_decode(v.mv_data, v.mv_size, &w);

	if (rc != 0)
		return rc;
	field_str(b, "id", w.id);
	field_str(b, "doi", w.doi);
	field_str(b, "title", w.title);
	field_str(b, "type", w.type);
	field_str(b, "venue", w.venue);
	field_str(b, "landing_url", w.landing_url);
	field_num(b, "year", (uint64_t)w.year);
	buf_puts(b, " authors=[");
	for (pos = 0; store_work_author_next(&w, &pos, &a) == 0; sep = " ") {
		buf_puts(b, sep);
		dump_escape(b, a.id);
		buf_putc(b, ':');
		dump_quote(b, a.name);
	}
	buf_puts(b, "] topics=[");
	sep = "";
	for (pos = 0; store_work_topic_next(&w, &pos, &t) == 0; sep = " ") {
		buf_puts(b, sep);
		dump_escape(b, t.id);
		buf_putc(b, ':');
		dump_quote(b, t.name);
	}
	buf_putc(b, ']');
	field_str(b, "abstract", w.abstract);
	if (w.date.n)
		field_str(b, "date", w.date);
	if (w.oa_url.n)
		field_str(b, "oa_url", w.oa_url);
	if (w.cited)
		field_num(b, "cited", w.cited);
	if (w.flags & STORE_WORK_RETRACTED)
		buf_puts(b, " retracted");
	if (w.flags & STORE_WORK_PARATEXT)
		buf_puts(b, " paratext");
	return 0;
}

static int
topic_text(struct buf *b, MDB_val v)
{
	struct store_topic_ref t;
	int rc = rec_topic_decode(v.mv_data, v.mv_size, &t);

	if (rc != 0)
		return rc;
	field_str(b, "id", t.id);
	field_str(b, "name", t.name);
	return 0;
}

static int
claim_text(struct buf *b, MDB_val v)
{
	struct store_claim c;
	int rc = rec_claim_decode(v.mv_data, v.mv_size, &c);

	if (rc != 0)
		return rc;
	field_num(b, "id", c.id);
	field_str(b, "researcher", c.researcher_id);
	field_str(b, "user", c.user);
	field_num(b, "state", c.state);
	field_str(b, "orcid", c.orcid);
	field_str(b, "email", c.email);
	field_str(b, "evidence_url", c.evidence_url);
	field_str(b, "note", c.note);
	field_str(b, "reviewer_note", c.reviewer_note);
	field_num(b, "identity_verified", c.identity_verified);
	field_num(b, "filed_at", c.filed_at);
	field_num(b, "decided_at", c.decided_at);
	return 0;
}

static int
owner_text(struct buf *b, MDB_val v)
{
	struct store_owner_settings o;
	int rc = rec_owner_decode(v.mv_data, v.mv_size, &o);

	if (rc != 0)
		return rc;
	field_str(b, "researcher", o.researcher_id);
	field_str(b, "user", o.user);
	field_str(b, "bio", o.bio);
	field_str(b, "homepage", o.homepage);
	field_num(b, "open", o.open_to_collaborate);
	field_num(b, "updated_at", o.updated_at);
	return 0;
}

static int
invite_text(struct buf *b, MDB_val v)
{
	struct store_invite c;
	int rc = rec_invite_decode(v.mv_data, v.mv_size, &c);

	if (rc != 0)
		return rc;
	field_num(b, "id", c.id);
	field_str(b, "researcher", c.researcher_id);
	field_str(b, "sender", c.sender);
	field_str(b, "owner", c.owner);
	field_num(b, "state", c.state);
	field_str(b, "subject", c.subject);
	field_str(b, "message", c.message);
	field_str(b, "sender_contact", c.sender_contact);
	field_str(b, "owner_contact", c.owner_contact);
	field_num(b, "sent_at", c.sent_at);
	field_num(b, "decided_at", c.decided_at);
	return 0;
}

/* A u64 BE of 8 bytes as a decimal number after a space; -1 otherwise. */
static int
be64_text(struct buf *b, MDB_val v)
{
	if (v.mv_size != 8)
		return -1;
	buf_putc(b, ' ');
	buf_putu64(b, get_be64(v.mv_data));
	return 0;
}

/* Little-endian unsigned of 4 or 8 bytes; -1 for another size. */
static int
le_text(struct buf *b, MDB_val v)
{
	const unsigned char *p = v.mv_data;
	uint64_t x = 0;
	size_t i;

	if (v.mv_size != 4 && v.mv_size != 8)
		return -1;
	for (i = v.mv_size; i-- > 0;)
		x = x << 8 | p[i];
	buf_putc(b, ' ');
	buf_putu64(b, x);
	return 0;
}

/* The value of one record of db as text after a space; non-zero if undecodable. */
static int
value_text(struct buf *b, enum store_db db, MDB_val k, MDB_val v)
{
	const unsigned char *p = v.mv_data;

	switch (db) {
	case DB_META:
		/* Text values (schema 2 on: "program"), the rest numbers. */
		if (k.mv_size == 7 && memcmp(k.mv_data, "program", 7) == 0) {
			buf_putc(b, ' ');
			dump_quote(b, val_sv(v));
			return 0;
		}
		return le_text(b, v);
	case DB_FOLLOWERS:
		return le_text(b, v);
	case DB_RESEARCHERS:
		return researcher_text(b, v);
	case DB_WORKS:
		return work_text(b, v);
	case DB_TOPICS:
		return topic_text(b, v);
	case DB_SLUGS:
		buf_putc(b, ' ');
		key_text(b, v);
		return 0;
	case DB_NAMES:
		/* the key is the record; the value is empty */
		return v.mv_size != 0;
	case DB_NAMEPARTS:
	case DB_RNAMES:
		buf_putc(b, ' ');
		dump_quote(b, val_sv(v));
		return 0;
	case DB_RWORKS:
		if (v.mv_size != RWORK_LEN)
			return -1;
		buf_putc(b, ' ');
		buf_putu64(b, 0xFFFF - get_be16(p));
		buf_putc(b, ' ');
		id_text(b, 'W', p + 2);
		return 0;
	case DB_COAUTHORS:
	case DB_RTOPICS:
		if (v.mv_size != COUNT_LEN)
			return -1;
		buf_putc(b, ' ');
		buf_putu64(b, UINT32_MAX - get_be32(p));
		buf_putc(b, ' ');
		if (db == DB_COAUTHORS)
			id_text(b, 'A', p + 4);
		else {
			char id[ID_BUF];

			buf_put(b, id, topic_id_format(id, get_be64(p + 4)));
		}
		return 0;
	case DB_FOLLOWS:
		buf_putc(b, ' ');
		dump_quote(b, val_sv(v));
		return 0;
	case DB_FOLLOWING:
		if (v.mv_size != 8)
			return -1;
		buf_putc(b, ' ');
		id_text(b, 'A', p);
		return 0;
	case DB_CLAIMS:
		return claim_text(b, v);
	case DB_OWNERSET:
		return owner_text(b, v);
	case DB_HIDDEN:
		if (v.mv_size != 16)
			return -1;
		buf_putc(b, ' ');
		id_text(b, 'W', p);
		buf_putc(b, ' ');
		buf_putu64(b, get_be64(p + 8));
		return 0;
	case DB_MERGEREQ:
		buf_putc(b, ' ');
		hexdump(b, v);
		return 0;
	case DB_RCLAIM:
	case DB_UCLAIM:
	case DB_USERCLAIMS:
	case DB_DISPUTES:
	case DB_NOTBEFORE:
		return be64_text(b, v);
	case DB_FEEDS:
		/* made, the user, then the verifier's hash */
		if (v.mv_size < 32 + 8 + 1)
			return -1;
		buf_putc(b, ' ');
		buf_putu64(b, get_be64(p + 32));
		buf_putc(b, ' ');
		dump_quote(b, (struct sv){ (const char *)p + 40, v.mv_size - 40 });
		buf_putc(b, ' ');
		hexdump(b, (MDB_val){ 32, (void *)(uintptr_t)p });
		return 0;
	case DB_USERFEEDS:
		if (v.mv_size != 8)
			return -1;
		buf_putc(b, ' ');
		hexdump(b, v);
		return 0;
	case DB_REVOKED:
	case DB_MERGED:
		buf_putc(b, ' ');
		dump_quote(b, val_sv(v));
		return 0;
	case DB_INVITES:
		return invite_text(b, v);
	case DB_INVITEKEYS:
		/* A u64 BE (an id, a time), or the empty value of a list. */
		if (v.mv_size == 0)
			return 0;
		return be64_text(b, v);
	case DB_MERGELOG:
		/* the one merged away, the one it went into */
		if (v.mv_size != 16)
			return -1;
		buf_putc(b, ' ');
		id_text(b, 'A', v.mv_data);
		buf_putc(b, ' ');
		id_text(b, 'A', (const unsigned char *)v.mv_data + 8);
		return 0;
	case DB_RSTATE: {
		const unsigned char *q = v.mv_data;

		/* claim state, orcid verified, version bumps */
		if (v.mv_size != RSTATE_LEN)
			return -1;
		buf_puts(b, " claim ");
		buf_putu64(b, q[0]);
		buf_puts(b, " verified ");
		buf_putu64(b, q[1]);
		buf_puts(b, " bumps ");
		buf_putu64(b, get_le32(q + 2));
		return 0;
	}
	case DB_PVIEWS:           /* not dumped (store_dump) */
	case DB__COUNT:
		break;
	}
	return -1;
}

/* A names key: "folded name" A123. */
static int
names_key_text(struct buf *b, MDB_val k)
{
	const char *p = k.mv_data;

	if (k.mv_size < 9 || p[k.mv_size - 9] != '\0')
		return -1;
	dump_quote(b, (struct sv){ p, k.mv_size - 9 });
	buf_putc(b, ' ');
	id_text(b, 'A', (const unsigned char *)p + k.mv_size - 8);
	return 0;
}

/* One record of db as a line into line (reset first). */
static void
dump_line(struct buf *line, int db, MDB_val k, MDB_val v)
{
	size_t mark;

	buf_reset(line);
	buf_puts(line, store_db_name((enum store_db)db));
	buf_putc(line, ' ');
	if ((db == DB_CLAIMS || db == DB_DISPUTES || db == DB_MERGELOG ||
	    db == DB_INVITES) && k.mv_size == 8)
		buf_putu64(line, get_be64(k.mv_data));
	else if (db == DB_REVOKED && k.mv_size == REVOKED_KEY_LEN) {
		/* expiry, then the session id in hex */
		buf_putu64(line, get_be64(k.mv_data));
		buf_putc(line, ' ');
		hexdump(line, (MDB_val){ STORE_SESSION_ID_LEN,
		    (unsigned char *)k.mv_data + 8 });
	} else if (db == DB_FEEDS)
		hexdump(line, k);   /* a selector: no secret */
	else if ((db != DB_NAMES && db != DB_NAMEPARTS) ||
	    names_key_text(line, k) != 0)
		key_text(line, k);
	mark = line->len;
	if (value_text(line, (enum store_db)db, k, v) != 0) {
		line->len = mark;
		buf_puts(line, " !corrupt ");
		hexdump(line, v);
	}
	buf_putc(line, '\n');
}

/* memcmp order of two keys, the shorter first on a tie. */
static int
key_cmp(MDB_val a, MDB_val b)
{
	size_t n = a.mv_size < b.mv_size ? a.mv_size : b.mv_size;
	int c = memcmp(a.mv_data, b.mv_data, n);

	if (c != 0)
		return c;
	return (a.mv_size > b.mv_size) - (a.mv_size < b.mv_size);
}

int
store_dump(struct store_rtxn *t, FILE *out)
{
	struct buf line = BUF_INIT;
	MDB_cursor *c, *u = NULL;
	MDB_val k, v, uk, uv;
	int rc = 0, urc = MDB_NOTFOUND, db;

	for (db = 0; db < DB__COUNT; db++) {
		if (db_absent(t->s, (enum store_db)db) ||
		    (db_user((enum store_db)db) && t->utxn == NULL))
			continue;     /* an old store: no user data yet */
		if (db == DB_PVIEWS)
			continue;     /* copies of what is dumped above */
		if ((rc = mdb_cursor_open(rtx(t, (enum store_db)db),
		    rdbi(t, (enum store_db)db), &c)) != 0)
			break;
		/* Both environments' meta, as one list in key order. */
		if (db == DB_META && t->utxn != NULL) {
			if ((rc = mdb_cursor_open(t->utxn, rumeta(t), &u)) != 0) {
				mdb_cursor_close(c);
				break;
			}
			urc = mdb_cursor_get(u, &uk, &uv, MDB_FIRST);
		}
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
		    rc == 0 || urc == 0;) {
			int cat = rc == 0 && (urc != 0 || key_cmp(k, uk) <= 0);

			if (cat)
				dump_line(&line, db, k, v);
			else
				dump_line(&line, db, uk, uv);
			if (fwrite(line.p, 1, line.len, out) != line.len) {
				rc = EIO;
				break;
			}
			if (cat)
				rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			else
				urc = mdb_cursor_get(u, &uk, &uv, MDB_NEXT);
		}
		mdb_cursor_close(c);
		if (u != NULL) {
			mdb_cursor_close(u);
			u = NULL;
			if (urc != MDB_NOTFOUND && rc == MDB_NOTFOUND)
				rc = urc;
			urc = MDB_NOTFOUND;
		}
		if (rc == MDB_NOTFOUND)
			rc = 0;
		if (rc != 0)
			break;
	}
	buf_free(&line);
	return rc;
}
