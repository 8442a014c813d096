/* codec.h: the one record codec of the store: versioned, length-prefixed, checksummed. */
#ifndef BZPEER_CODEC_H
#define BZPEER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/*
 * Every record value in the store (researcher, work, topic, claim) is
 *
 *	u8 format (REC_FORMAT) | u8 kind | field ... | u32 CRC-32, little endian
 *
 * where a field is an unsigned LEB128 varint (numbers) or a varint length
 * followed by that many bytes (strings), in an order fixed per kind (see
 * codec.c). The CRC covers every byte before it. Decoding checks, in order:
 * length, CRC (STORE_CORRUPT), format (STORE_BADSCHEMA: a newer writer),
 * kind, every length against the bytes left, number ranges, and that
 * nothing is left over (all STORE_CORRUPT). Encoding is canonical, so equal
 * records are equal bytes (re-imports compare bytes).
 */
#define REC_FORMAT 1

enum rec_kind {
	REC_RESEARCHER = 'R',
	REC_WORK = 'W',
	REC_TOPIC = 'T',
	REC_CLAIM = 'C',
	REC_PVIEW = 'P',     /* pviews: a profile's reads in one (store_int.h) */
	REC_OWNER = 'O',
	REC_MERGEREQ = 'M',
	REC_INVITE = 'I',
};

/*
 * Low level: writing appends to b. rec_begin() returns where the record
 * starts; rec_end() appends the checksum of b->p[start .. len).
 */
size_t rec_begin(struct buf *b, enum rec_kind kind);
void rec_put_uint(struct buf *b, uint64_t v);
void rec_put_str(struct buf *b, struct sv s);
void rec_end(struct buf *b, size_t start);

/* The records' CRC-32 of p[0 .. len) (zlib's and gzip's CRC; codec.c). */
uint32_t rec_crc(const void *p, size_t len);

/*
 * Reading: rec_open() checks the frame; the getters stop at the first
 * error (later ones return 0 / empty) and rec_close() reports it.
 * Strings read are views into the record's bytes.
 */
struct rec_reader {
	const unsigned char *p, *end;
	int err;
};
int rec_open(struct rec_reader *r, const void *data, size_t len,
    enum rec_kind kind);
uint64_t rec_get_uint(struct rec_reader *r, uint64_t max);
struct sv rec_get_str(struct rec_reader *r);
int rec_close(struct rec_reader *r);

/*
 * Records. Encoders append one whole record to out. Decoders fill *out
 * with views into data (valid while data is) and return 0, STORE_CORRUPT
 * or STORE_BADSCHEMA; on error *out is zeroed.
 */
/*
 * A researcher's lists are encoded apart (rec_inst_put(), rec_year_put()
 * append one entry to a buffer) and handed over in raw_insts/raw_years
 * with their counts; decoding checks every entry.
 */
void rec_inst_put(struct buf *b, const struct store_inst *x);
void rec_year_put(struct buf *b, const struct store_year *y);
void rec_researcher_encode(struct buf *out, const struct store_researcher *r);
int  rec_researcher_decode(const void *data, size_t len,
    struct store_researcher *out);

/* The work's authors and topics come as arrays; raw_* in w are ignored. */
void rec_work_encode(struct buf *out, const struct store_work *w,
    const struct store_author_ref *authors, size_t n_authors,
    const struct store_topic_ref *topics, size_t n_topics);
int  rec_work_decode(const void *data, size_t len, struct store_work *out);

void rec_topic_encode(struct buf *out, const struct store_topic_ref *t);
int  rec_topic_decode(const void *data, size_t len,
    struct store_topic_ref *out);

/*
 * Claims. Decoding checks the state (1..3) and identity_verified (0..1);
 * the lengths are the writer's to check (store_claim_file()).
 */
void rec_claim_encode(struct buf *out, const struct store_claim *c);
int  rec_claim_decode(const void *data, size_t len, struct store_claim *out);
/* An invitation (invite.c checks the lengths before it encodes). */
void rec_invite_encode(struct buf *out, const struct store_invite *c);
int  rec_invite_decode(const void *data, size_t len, struct store_invite *out);

/*
 * A claimed profile's owner settings; decoding checks open_to_collaborate
 * (0..1); the lengths are the writer's to check.
 */
void rec_owner_encode(struct buf *out, const struct store_owner_settings *o);
int  rec_owner_decode(const void *data, size_t len,
    struct store_owner_settings *out);

/* A merge request; decoding checks the state (1..3). */
void rec_mergereq_encode(struct buf *out, const struct store_merge_req *m);
int  rec_mergereq_decode(const void *data, size_t len,
    struct store_merge_req *out);

/*
 * OpenAlex ids: letter + 1..19 digits, no leading zero. id_parse() gives
 * the number, 0 on success or -1 if s is not an id of that letter; id_format()
 * writes any number's id into out (ID_BUF bytes: a number read from a
 * damaged list may have 20 digits) and returns its length.
 */
#define ID_MAX 20                 /* bytes of a valid id */

/*
 * Topics are OpenAlex topics ("T10320", number 10320) or, on MAG-era works
 * that have none, its concepts ("C41008148", number 41008148 |
 * TOPIC_CONCEPT): one number space for the lists that hold numbers
 * (rtopics). A concept number of 2^63 or more has no topic number.
 */
#define TOPIC_CONCEPT (UINT64_C(1) << 63)
int    topic_id_parse(struct sv s, uint64_t *num);
size_t topic_id_format(char *out, uint64_t num);
#define ID_BUF 22                 /* letter, up to 20 digits, NUL */
int    id_parse(struct sv s, char letter, uint64_t *num);
size_t id_format(char *out, char letter, uint64_t num);

#endif
