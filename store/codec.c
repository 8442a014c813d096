/* codec.c: encoding and decoding of the store's records (layout in codec.h). */
#include "codec.h"

#include <string.h>
#include <isa-l/crc.h>

/* ---- ids -------------------------------------- */

int
id_parse(struct sv s, char letter, uint64_t *num)
{
	uint64_t v = 0;
	size_t i;

	/* 19 digits always fit in 64 bits; no leading zero keeps the string
	 * and the number one-to-one. */
	if (s.n < 2 || s.n > ID_MAX || s.p[0] != letter || s.p[1] == '0')
		return -1;
	for (i = 1; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	*num = v;
	return 0;
}

size_t
id_format(char *out, char letter, uint64_t num)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + num % 10);
		num /= 10;
	} while (num);
	out[0] = letter;
	for (i = 0; i < n; i++)
		out[1 + i] = tmp[n - 1 - i];
	out[1 + n] = '\0';
	return 1 + n;
}

int
topic_id_parse(struct sv s, uint64_t *num)
{
	if (s.n > 0 && s.p[0] == 'C') {
		if (id_parse(s, 'C', num) != 0 || (*num & TOPIC_CONCEPT))
			return -1;
		*num |= TOPIC_CONCEPT;
		return 0;
	}
	return id_parse(s, 'T', num);
}

size_t
topic_id_format(char *out, uint64_t num)
{
	if (num & TOPIC_CONCEPT)
		return id_format(out, 'C', num & ~TOPIC_CONCEPT);
	return id_format(out, 'T', num);
}

/* ---- frame ------------------------------------------------------------- */

size_t
rec_begin(struct buf *b, enum rec_kind kind)
{
	size_t start = b->len;

	buf_putc(b, REC_FORMAT);
	buf_putc(b, (int)kind);
	return start;
}

void
rec_put_uint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	buf_put(b, tmp, n);
}

void
rec_put_str(struct buf *b, struct sv s)
{
	rec_put_uint(b, s.n);
	buf_put(b, s.p, s.n);
}

/*
 * The record checksum: CRC-32 (IEEE, reflected), the CRC of zlib's crc32()
 * and of gzip, computed by ISA-L (carry-less multiply where the CPU has
 * it, table code where not): the same value as zlib's, 5-10 times faster
 * on records of 100 B-10 KB. It was a fifth of a profile render's
 * instructions with zlib's (bench/results.md). test_codec checks it
 * against zlib on every length up to 5,000 bytes.
 */
uint32_t
rec_crc(const void *p, size_t len)
{
	return crc32_gzip_refl(0, p, len);
}

/* Appends the CRC of the record that rec_begin() started at `start`. */
void
rec_end(struct buf *b, size_t start)
{
	unsigned char c[4];
	uint32_t crc = rec_crc(b->p + start, b->len - start);

	put_le32(c, crc);
	buf_put(b, c, 4);
}

int
rec_open(struct rec_reader *r, const void *data, size_t len,
    enum rec_kind kind)
{
	const unsigned char *p = data;
	uint32_t want;

	r->p = r->end = p;
	r->err = STORE_CORRUPT;
	if (data == NULL || len < 6 || len > UINT32_MAX)
		return STORE_CORRUPT;
	want = get_le32(p + len - 4);
	if (rec_crc(p, len - 4) != want)
		return STORE_CORRUPT;
	/* The checksum holds, so a different format byte is no accident:
	 * the record was written by a newer (or older) program. */
	if (p[0] != REC_FORMAT)
		return r->err = STORE_BADSCHEMA;
	if (p[1] != (unsigned char)kind)
		return STORE_CORRUPT;
	r->p = p + 2;
	r->end = p + len - 4;
	r->err = 0;
	return 0;
}

uint64_t
rec_get_uint(struct rec_reader *r, uint64_t max)
{
	uint64_t v = 0;
	unsigned shift = 0;

	if (r->err)
		return 0;
	for (;;) {
		unsigned char c;

		if (r->p >= r->end || shift > 63)
			goto bad;
		c = *r->p++;
		if (shift == 63 && (c & 0x7e))
			goto bad;          /* more than 64 bits */
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
		shift += 7;
	}
	if (v > max)
		goto bad;
	return v;
bad:
	r->err = STORE_CORRUPT;
	return 0;
}

struct sv
rec_get_str(struct rec_reader *r)
{
	struct sv s = { "", 0 };
	uint64_t n = rec_get_uint(r, UINT32_MAX);

	if (r->err)
		return s;
	if (n > (uint64_t)(r->end - r->p)) {
		r->err = STORE_CORRUPT;
		return s;
	}
	s.p = (const char *)r->p;
	s.n = (size_t)n;
	r->p += n;
	return s;
}

int
rec_close(struct rec_reader *r)
{
	if (!r->err && r->p != r->end)
		r->err = STORE_CORRUPT;    /* trailing bytes */
	return r->err;
}

/* ---- researcher --------------------------------------------------------
 * id, slug, name, orcid, institution, version, works, topics,
 * close_collaborators, coauthors, claim, orcid_verified, first_year,
 * last_year; from schema 4 on (a record ends before them or has them all):
 * cited, h_index, i10_index, oa_stats, oa_h_index, oa_i10_index, oa_cited,
 * n_insts, (name, first, last, current) * n_insts, n_years,
 * (year, works, cited) * n_years; from schema 6 on (the same way): changed,
 * works_hash, n_alts, name * n_alts.
 */

void
rec_inst_put(struct buf *b, const struct store_inst *x)
{
	rec_put_str(b, x->name);
	rec_put_uint(b, x->first > 0 ? (uint64_t)x->first : 0);
	rec_put_uint(b, x->last > 0 ? (uint64_t)x->last : 0);
	rec_put_uint(b, x->current ? 1 : 0);
}

void
rec_year_put(struct buf *b, const struct store_year *y)
{
	rec_put_uint(b, y->year > 0 ? (uint64_t)y->year : 0);
	rec_put_uint(b, y->works);
	rec_put_uint(b, y->cited);
}

static int
inst_get(struct rec_reader *r, struct store_inst *x)
{
	x->name = rec_get_str(r);
	x->first = (int)rec_get_uint(r, 9999);
	x->last = (int)rec_get_uint(r, 9999);
	x->current = (int)rec_get_uint(r, 1);
	return r->err;
}

static int
year_get(struct rec_reader *r, struct store_year *y)
{
	y->year = (int)rec_get_uint(r, 9999);
	y->works = rec_get_uint(r, UINT64_MAX);
	y->cited = rec_get_uint(r, UINT64_MAX);
	return r->err;
}

/* Checks n entries of a list (years: 0 institutions, 1 counts by year,
 * 2 strings); returns where they start. */
static const void *
get_list(struct rec_reader *r, uint32_t n, size_t *len, int years)
{
	const unsigned char *start = r->p;
	struct store_inst x;
	struct store_year y;
	uint32_t i;

	for (i = 0; i < n && !r->err; i++) {
		if (years == 2)
			(void)rec_get_str(r);
		else
			(void)(years ? year_get(r, &y) : inst_get(r, &x));
	}
	*len = r->err ? 0 : (size_t)(r->p - start);
	return start;
}

/* The entry at *pos of a checked list; 0 or STORE_NOTFOUND at the end. */
static int
list_next(const void *raw, size_t len, size_t *pos, struct store_inst *x,
    struct store_year *y)
{
	struct rec_reader r;

	if (raw == NULL || *pos >= len)
		return STORE_NOTFOUND;
	r.p = (const unsigned char *)raw + *pos;
	r.end = (const unsigned char *)raw + len;
	r.err = 0;
	if ((x ? inst_get(&r, x) : year_get(&r, y)) != 0)
		return STORE_CORRUPT;  /* cannot happen after decoding */
	*pos = (size_t)(r.p - (const unsigned char *)raw);
	return 0;
}

int
store_researcher_inst_next(const struct store_researcher *r, size_t *pos,
    struct store_inst *out)
{
	return list_next(r->raw_insts, r->raw_insts_len, pos, out, NULL);
}

int
store_researcher_year_next(const struct store_researcher *r, size_t *pos,
    struct store_year *out)
{
	return list_next(r->raw_years, r->raw_years_len, pos, NULL, out);
}

int
store_researcher_alt_next(const struct store_researcher *r, size_t *pos,
    struct sv *out)
{
	struct rec_reader rd;

	if (r->raw_alts == NULL || *pos >= r->raw_alts_len)
		return STORE_NOTFOUND;
	rd.p = (const unsigned char *)r->raw_alts + *pos;
	rd.end = (const unsigned char *)r->raw_alts + r->raw_alts_len;
	rd.err = 0;
	*out = rec_get_str(&rd);
	if (rd.err)
		return STORE_CORRUPT;  /* cannot happen after decoding */
	*pos = (size_t)(rd.p - (const unsigned char *)r->raw_alts);
	return 0;
}

void
rec_researcher_encode(struct buf *out, const struct store_researcher *r)
{
	size_t start = rec_begin(out, REC_RESEARCHER);

	rec_put_str(out, r->id);
	rec_put_str(out, r->slug);
	rec_put_str(out, r->name);
	rec_put_str(out, r->orcid);
	rec_put_str(out, r->institution);
	rec_put_uint(out, r->version);
	rec_put_uint(out, r->works);
	rec_put_uint(out, r->topics);
	rec_put_uint(out, r->close_collaborators);
	rec_put_uint(out, r->coauthors);
	rec_put_uint(out, r->claim);
	rec_put_uint(out, r->orcid_verified);
	rec_put_uint(out, r->first_year > 0 ? (uint64_t)r->first_year : 0);
	rec_put_uint(out, r->last_year > 0 ? (uint64_t)r->last_year : 0);
	rec_put_uint(out, r->cited);
	rec_put_uint(out, r->h_index);
	rec_put_uint(out, r->i10_index);
	rec_put_uint(out, r->oa_stats ? 1 : 0);
	rec_put_uint(out, r->oa_h_index);
	rec_put_uint(out, r->oa_i10_index);
	rec_put_uint(out, r->oa_cited);
	rec_put_uint(out, r->n_insts);
	if (r->n_insts)
		buf_put(out, r->raw_insts, r->raw_insts_len);
	rec_put_uint(out, r->n_years);
	if (r->n_years)
		buf_put(out, r->raw_years, r->raw_years_len);
	rec_put_uint(out, r->changed);
	rec_put_uint(out, r->works_hash);
	rec_put_uint(out, r->n_alts);
	if (r->n_alts)
		buf_put(out, r->raw_alts, r->raw_alts_len);
	rec_end(out, start);
}

int
rec_researcher_decode(const void *data, size_t len,
    struct store_researcher *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_RESEARCHER)) != 0)
		return rc;
	out->id = rec_get_str(&r);
	out->slug = rec_get_str(&r);
	out->name = rec_get_str(&r);
	out->orcid = rec_get_str(&r);
	out->institution = rec_get_str(&r);
	out->version = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->works = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->topics = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->close_collaborators = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->coauthors = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->claim = (uint8_t)rec_get_uint(&r, STORE_CLAIM_APPROVED);
	out->orcid_verified = (uint8_t)rec_get_uint(&r, 1);
	out->first_year = (int)rec_get_uint(&r, 9999);
	out->last_year = (int)rec_get_uint(&r, 9999);
	if (!r.err && r.p < r.end) {   /* schema 4's fields */
		out->cited = rec_get_uint(&r, UINT64_MAX);
		out->h_index = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->i10_index = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->oa_stats = (uint8_t)rec_get_uint(&r, 1);
		out->oa_h_index = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->oa_i10_index = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->oa_cited = rec_get_uint(&r, UINT64_MAX);
		out->n_insts = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->raw_insts = get_list(&r, out->n_insts,
		    &out->raw_insts_len, 0);
		out->n_years = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->raw_years = get_list(&r, out->n_years,
		    &out->raw_years_len, 1);
	}
	if (!r.err && r.p < r.end) {   /* schema 6's fields */
		out->changed = rec_get_uint(&r, UINT64_MAX);
		out->works_hash = rec_get_uint(&r, UINT64_MAX);
		out->n_alts = (uint32_t)rec_get_uint(&r, UINT32_MAX);
		out->raw_alts = get_list(&r, out->n_alts, &out->raw_alts_len, 2);
	}
	if ((rc = rec_close(&r)) != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- work ----------------------------------------------------------------
 * id, doi, title, type, venue, landing_url, abstract, year,
 * n_authors, (author id, author name) * n_authors,
 * n_topics, (topic id, topic name) * n_topics; from schema 4 on (a record
 * ends before them or has them all): date, oa_url, cited, flags.
 */

void
rec_work_encode(struct buf *out, const struct store_work *w,
    const struct store_author_ref *authors, size_t n_authors,
    const struct store_topic_ref *topics, size_t n_topics)
{
	size_t i, start;

	start = rec_begin(out, REC_WORK);
	rec_put_str(out, w->id);
	rec_put_str(out, w->doi);
	rec_put_str(out, w->title);
	rec_put_str(out, w->type);
	rec_put_str(out, w->venue);
	rec_put_str(out, w->landing_url);
	rec_put_str(out, w->abstract);
	rec_put_uint(out, w->year > 0 ? (uint64_t)w->year : 0);
	rec_put_uint(out, n_authors);
	for (i = 0; i < n_authors; i++) {
		rec_put_str(out, authors[i].id);
		rec_put_str(out, authors[i].name);
	}
	rec_put_uint(out, n_topics);
	for (i = 0; i < n_topics; i++) {
		rec_put_str(out, topics[i].id);
		rec_put_str(out, topics[i].name);
	}
	rec_put_str(out, w->date);
	rec_put_str(out, w->oa_url);
	rec_put_uint(out, w->cited);
	rec_put_uint(out, w->flags);
	rec_end(out, start);
}

/*
 * Reads n pairs of strings and returns where they start; *len gets their
 * byte length. Checked here once, so store_work_author() and friends can
 * walk the list without failing.
 */
static const void *
get_pairs(struct rec_reader *r, uint32_t n, size_t *len)
{
	const unsigned char *start = r->p;
	uint32_t i;

	for (i = 0; i < n && !r->err; i++) {
		(void)rec_get_str(r);
		(void)rec_get_str(r);
	}
	*len = r->err ? 0 : (size_t)(r->p - start);
	return start;
}

int
rec_work_decode(const void *data, size_t len, struct store_work *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_WORK)) != 0)
		return rc;
	out->id = rec_get_str(&r);
	out->doi = rec_get_str(&r);
	out->title = rec_get_str(&r);
	out->type = rec_get_str(&r);
	out->venue = rec_get_str(&r);
	out->landing_url = rec_get_str(&r);
	out->abstract = rec_get_str(&r);
	out->year = (int)rec_get_uint(&r, 9999);
	out->n_authors = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->raw_authors = get_pairs(&r, out->n_authors, &out->raw_authors_len);
	out->n_topics = (uint32_t)rec_get_uint(&r, UINT32_MAX);
	out->raw_topics = get_pairs(&r, out->n_topics, &out->raw_topics_len);
	if (!r.err && r.p < r.end) {   /* schema 4's fields */
		out->date = rec_get_str(&r);
		out->oa_url = rec_get_str(&r);
		out->cited = rec_get_uint(&r, UINT64_MAX);
		out->flags = (uint32_t)rec_get_uint(&r, STORE_WORK_RETRACTED |
		    STORE_WORK_PARATEXT);
	}
	if ((rc = rec_close(&r)) != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- topic: id, name ---------------------------------------------------- */

void
rec_topic_encode(struct buf *out, const struct store_topic_ref *t)
{
	size_t start = rec_begin(out, REC_TOPIC);

	rec_put_str(out, t->id);
	rec_put_str(out, t->name);
	rec_end(out, start);
}

int
rec_topic_decode(const void *data, size_t len, struct store_topic_ref *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_TOPIC)) != 0)
		return rc;
	out->id = rec_get_str(&r);
	out->name = rec_get_str(&r);
	if ((rc = rec_close(&r)) != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- claim ----------------------------------------------------------------
 * id, researcher_id, user, orcid, email, evidence_url, note, reviewer_note,
 * state, identity_verified, filed_at, decided_at.
 */

void
rec_claim_encode(struct buf *out, const struct store_claim *c)
{
	size_t start = rec_begin(out, REC_CLAIM);

	rec_put_uint(out, c->id);
	rec_put_str(out, c->researcher_id);
	rec_put_str(out, c->user);
	rec_put_str(out, c->orcid);
	rec_put_str(out, c->email);
	rec_put_str(out, c->evidence_url);
	rec_put_str(out, c->note);
	rec_put_str(out, c->reviewer_note);
	rec_put_uint(out, c->state);
	rec_put_uint(out, c->identity_verified);
	rec_put_uint(out, c->filed_at);
	rec_put_uint(out, c->decided_at);
	rec_end(out, start);
}

int
rec_claim_decode(const void *data, size_t len, struct store_claim *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_CLAIM)) != 0)
		return rc;
	out->id = rec_get_uint(&r, UINT64_MAX);
	out->researcher_id = rec_get_str(&r);
	out->user = rec_get_str(&r);
	out->orcid = rec_get_str(&r);
	out->email = rec_get_str(&r);
	out->evidence_url = rec_get_str(&r);
	out->note = rec_get_str(&r);
	out->reviewer_note = rec_get_str(&r);
	out->state = (uint8_t)rec_get_uint(&r, STORE_CLAIM_STATE_REJECTED);
	out->identity_verified = (uint8_t)rec_get_uint(&r, 1);
	out->filed_at = rec_get_uint(&r, UINT64_MAX);
	out->decided_at = rec_get_uint(&r, UINT64_MAX);
	if ((rc = rec_close(&r)) == 0 && out->state == 0)
		rc = STORE_CORRUPT;    /* no such state */
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
rec_owner_encode(struct buf *out, const struct store_owner_settings *o)
{
	size_t start = rec_begin(out, REC_OWNER);

	rec_put_str(out, o->researcher_id);
	rec_put_str(out, o->user);
	rec_put_str(out, o->bio);
	rec_put_str(out, o->homepage);
	rec_put_uint(out, o->open_to_collaborate);
	rec_put_uint(out, o->updated_at);
	rec_end(out, start);
}

int
rec_owner_decode(const void *data, size_t len, struct store_owner_settings *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_OWNER)) != 0)
		return rc;
	out->researcher_id = rec_get_str(&r);
	out->user = rec_get_str(&r);
	out->bio = rec_get_str(&r);
	out->homepage = rec_get_str(&r);
	out->open_to_collaborate = (uint8_t)rec_get_uint(&r, 1);
	out->updated_at = rec_get_uint(&r, UINT64_MAX);
	if ((rc = rec_close(&r)) != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
rec_mergereq_encode(struct buf *out, const struct store_merge_req *m)
{
	size_t start = rec_begin(out, REC_MERGEREQ);

	rec_put_uint(out, m->id);
	rec_put_str(out, m->from);
	rec_put_str(out, m->into);
	rec_put_str(out, m->user);
	rec_put_str(out, m->note);
	rec_put_str(out, m->reviewer_note);
	rec_put_uint(out, m->state);
	rec_put_uint(out, m->filed_at);
	rec_put_uint(out, m->decided_at);
	rec_end(out, start);
}

int
rec_mergereq_decode(const void *data, size_t len, struct store_merge_req *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_MERGEREQ)) != 0)
		return rc;
	out->id = rec_get_uint(&r, UINT64_MAX);
	out->from = rec_get_str(&r);
	out->into = rec_get_str(&r);
	out->user = rec_get_str(&r);
	out->note = rec_get_str(&r);
	out->reviewer_note = rec_get_str(&r);
	out->state = (uint8_t)rec_get_uint(&r, STORE_CLAIM_STATE_REJECTED);
	out->filed_at = rec_get_uint(&r, UINT64_MAX);
	out->decided_at = rec_get_uint(&r, UINT64_MAX);
	if ((rc = rec_close(&r)) == 0 && out->state == 0)
		rc = STORE_CORRUPT;
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
rec_invite_encode(struct buf *out, const struct store_invite *c)
{
	size_t start = rec_begin(out, REC_INVITE);

	rec_put_uint(out, c->id);
	rec_put_str(out, c->researcher_id);
	rec_put_str(out, c->sender);
	rec_put_str(out, c->owner);
	rec_put_str(out, c->subject);
	rec_put_str(out, c->message);
	rec_put_str(out, c->sender_contact);
	rec_put_str(out, c->owner_contact);
	rec_put_uint(out, c->state);
	rec_put_uint(out, c->sent_at);
	rec_put_uint(out, c->decided_at);
	rec_end(out, start);
}

int
rec_invite_decode(const void *data, size_t len, struct store_invite *out)
{
	struct rec_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rec_open(&r, data, len, REC_INVITE)) != 0)
		return rc;
	out->id = rec_get_uint(&r, UINT64_MAX);
	out->researcher_id = rec_get_str(&r);
	out->sender = rec_get_str(&r);
	out->owner = rec_get_str(&r);
	out->subject = rec_get_str(&r);
	out->message = rec_get_str(&r);
	out->sender_contact = rec_get_str(&r);
	out->owner_contact = rec_get_str(&r);
	out->state = (uint8_t)rec_get_uint(&r, STORE_INVITE_DECLINED);
	out->sent_at = rec_get_uint(&r, UINT64_MAX);
	out->decided_at = rec_get_uint(&r, UINT64_MAX);
	if ((rc = rec_close(&r)) == 0 && out->state == 0)
		rc = STORE_CORRUPT;    /* no such state */
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- walking a work's pairs (public, store.h) ----------------------------- */

/* Reads the pair at *pos in [raw, raw+len); 0 or STORE_NOTFOUND at the end. */
static int
pair_next(const void *raw, size_t len, size_t *pos, struct sv *a, struct sv *b)
{
	struct rec_reader r;

	if (raw == NULL || *pos >= len)
		return STORE_NOTFOUND;
	r.p = (const unsigned char *)raw + *pos;
	r.end = (const unsigned char *)raw + len;
	r.err = 0;
	*a = rec_get_str(&r);
	*b = rec_get_str(&r);
	if (r.err)
		return STORE_CORRUPT;  /* cannot happen after rec_work_decode */
	*pos = (size_t)(r.p - (const unsigned char *)raw);
	return 0;
}

int
store_work_author_next(const struct store_work *w, size_t *pos,
    struct store_author_ref *out)
{
	return pair_next(w->raw_authors, w->raw_authors_len, pos, &out->id,
	    &out->name);
}

int
store_work_topic_next(const struct store_work *w, size_t *pos,
    struct store_topic_ref *out)
{
	return pair_next(w->raw_topics, w->raw_topics_len, pos, &out->id,
	    &out->name);
}

int
store_work_author(const struct store_work *w, uint32_t i,
    struct store_author_ref *out)
{
	size_t pos = 0;
	int rc;

	if (i >= w->n_authors)
		return STORE_NOTFOUND;
	do {
		if ((rc = store_work_author_next(w, &pos, out)) != 0)
			return rc;
	} while (i--);
	return 0;
}

int
store_work_topic(const struct store_work *w, uint32_t i,
    struct store_topic_ref *out)
{
	size_t pos = 0;
	int rc;

	if (i >= w->n_topics)
		return STORE_NOTFOUND;
	do {
		if ((rc = store_work_topic_next(w, &pos, out)) != 0)
			return rc;
	} while (i--);
	return 0;
}
