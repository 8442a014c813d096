/* fcgi.c: FastCGI records read into whole requests, and the records of an answer (fcgi.h). */
#include "fcgi.h"

#include <fastcgi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* Content of one STDOUT record: 8-aligned, under 64 KiB. */
#define REC_MAX 65528u

void
fcgi_stream_init(struct fcgi_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->phase = FCGI_IDLE;
}

void
fcgi_stream_free(struct fcgi_stream *s)
{
	buf_free(&s->in);
	buf_free(&s->params);
	buf_free(&s->env);
	buf_free(&s->body);
	buf_free(&s->reply);
	free(s->param);
	fcgi_stream_init(s);
}

int
fcgi_partial(const struct fcgi_stream *s)
{
	return s->phase == FCGI_IN_PARAMS || s->phase == FCGI_IN_STDIN ||
	    (s->phase == FCGI_IDLE && s->in.len > s->in_off);
}

static void
put_header(unsigned char h[FCGI_HEADER_LEN], int type, unsigned id, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = 0;                          /* no padding */
	h[7] = 0;
}

static void
put_record(struct buf *out, int type, unsigned id, const void *p, size_t n)
{
	unsigned char h[FCGI_HEADER_LEN];

	put_header(h, type, id, n);
	buf_put(out, h, sizeof(h));
	buf_put(out, p, n);
}

void
fcgi_put_end(struct buf *out, unsigned id, int protocol_status)
{
	unsigned char b[8] = { 0, 0, 0, 0, (unsigned char)protocol_status, 0, 0, 0 };

	put_record(out, FCGI_END_REQUEST, id, b, sizeof(b));
}

/* ---- name-value pairs ------------------------------------------------------- */

/*
 * A length of a name-value pair at *p (one byte under 128, else four with
 * the top bit set), advancing *p; -1 when the bytes end first.
 */
static long
pair_len(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *q = *p;

	if (q >= end)
		return -1;
	if (!(q[0] & 0x80)) {
		*p = q + 1;
		return q[0];
	}
	if (end - q < 4)
		return -1;
	*p = q + 4;
	return (long)((unsigned long)(q[0] & 0x7f) << 24 |
	    (unsigned long)q[1] << 16 | (unsigned long)q[2] << 8 | q[3]);
}

/*
 * Splits the bytes [p, end) into pairs. Each length is checked against the
 * bytes that are left before anything is copied (a 31-bit length can never
 * make an allocation of its own: the stream's size, capped, bounds every
 * pair). cb gets each pair; returns NULL, or why the pairs are refused.
 */
typedef void (*pair_cb)(void *ctx, const unsigned char *name, size_t nn,
    const unsigned char *value, size_t vn);

static const char *
pairs_each(const unsigned char *p, const unsigned char *end, int check,
    pair_cb cb, void *ctx)
{
	while (p < end) {
		long nn = pair_len(&p, end), vn;

		if (nn < 0 || (vn = pair_len(&p, end)) < 0)
			return "a name-value pair is cut short";
		if ((size_t)nn > (size_t)(end - p) ||
		    (size_t)vn > (size_t)(end - p) - (size_t)nn)
			return "a name-value length runs past the record";
		if (check) {
			if (nn == 0)
				return "a parameter has an empty name";
			if (memchr(p, '=', (size_t)nn) != NULL ||
			    memchr(p, '\0', (size_t)nn) != NULL)
				return "a parameter name holds '=' or NUL";
			if (memchr(p + nn, '\0', (size_t)vn) != NULL)
				return "a parameter value holds NUL";
		}
		cb(ctx, p, (size_t)nn, p + nn, (size_t)vn);
		p += nn + vn;
	}
	return NULL;
}

static void
count_pair(void *ctx, const unsigned char *name, size_t nn,
    const unsigned char *value, size_t vn)
{
	(void)name; (void)nn; (void)value; (void)vn;
	(*(size_t *)ctx)++;
}

static void
keep_pair(void *ctx, const unsigned char *name, size_t nn,
    const unsigned char *value, size_t vn)
{
	struct fcgi_stream *s = ctx;
	struct fcgi_param *pp = &s->param[s->nparam++];

	/* env was reserved for every pair: its p does not move here. */
	pp->name = (struct sv){ s->env.p + s->env.len, nn };
	buf_put(&s->env, name, nn);
	buf_putc(&s->env, '\0');
	pp->value = (struct sv){ s->env.p + s->env.len, vn };
	buf_put(&s->env, value, vn);
	buf_putc(&s->env, '\0');
}

/* The PARAMS stream is whole: its pairs into param/env. NULL or why not. */
static const char *
params_take(struct fcgi_stream *s)
{
	/* No PARAMS bytes at all: the buffer may hold no memory yet. */
	const unsigned char *p = (const unsigned char *)(s->params.p ? s->params.p : "");
	const unsigned char *end = p + s->params.len;
	const char *why;
	size_t n = 0;

	if ((why = pairs_each(p, end, 1, count_pair, &n)) != NULL)
		return why;
	if (n > s->param_cap) {
		s->param = xrealloc(s->param, n * sizeof(*s->param));
		s->param_cap = n;
	}
	buf_reset(&s->env);
	/* Each pair adds its bytes and two NULs: reserved once, so the views
	 * kept into env stay where they point. */
	buf_reserve(&s->env, s->params.len + 2 * n);
	s->nparam = 0;
	pairs_each(p, end, 1, keep_pair, s);
	return NULL;
}

/* ---- management records ------------------------------------------------------ */

struct values_ctx {
	const struct fcgi_limits *lim;
	struct buf *out;
	unsigned seen;          /* each name answered once */
};

static void
put_pair(struct buf *out, const char *name, const char *value)
{
	size_t nn = strlen(name), vn = strlen(value);

	/* Both short: the one-byte length form. */
	buf_putc(out, (int)nn);
	buf_putc(out, (int)vn);
	buf_put(out, name, nn);
	buf_put(out, value, vn);
}

static void
value_of(void *ctx, const unsigned char *name, size_t nn,
    const unsigned char *value, size_t vn)
{
	static const char *const names[] = {
		FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS,
	};
	struct values_ctx *vc = ctx;
	char num[24];

	(void)value; (void)vn;
	for (unsigned i = 0; i < 3; i++) {
		if (nn != strlen(names[i]) || memcmp(name, names[i], nn) != 0 ||
		    (vc->seen & 1u << i))
			continue;
		vc->seen |= 1u << i;
		snprintf(num, sizeof(num), "%u", i == 2 ? 0 : vc->lim->max_conns);
		put_pair(vc->out, names[i], num);
	}
}

/* FCGI_GET_VALUES: the values asked for that this server knows. */
static void
get_values(struct fcgi_stream *s, const unsigned char *p, size_t n,
    const struct fcgi_limits *lim)
{
	struct buf res = BUF_INIT;
	struct values_ctx vc = { lim, &res, 0 };

	/* A malformed query gets what could be read of it. */
	(void)pairs_each(p, p + n, 0, value_of, &vc);
	put_record(&s->reply, FCGI_GET_VALUES_RESULT, FCGI_NULL_REQUEST_ID,
	    res.p, res.len);
	buf_free(&res);
}

/* ---- records ------------------------------------------------------------------------ */

static enum fcgi_event
broken(struct fcgi_stream *s, const char *why)
{
	s->error = why;
	s->close = 1;
	return FCGI_CLOSE;
}

/*
 * One record: header h, content c of n bytes. Returns FCGI_MORE to go on,
 * FCGI_REQUEST when the request is whole, FCGI_CLOSE.
 */
static enum fcgi_event
take_record(struct fcgi_stream *s, const unsigned char *h,
    const unsigned char *c, size_t n, const struct fcgi_limits *lim)
{
	unsigned type = h[1], id = (unsigned)h[2] << 8 | h[3];

	if (h[0] != FCGI_VERSION_1)
		return broken(s, "not FastCGI version 1");
	if (id == FCGI_NULL_REQUEST_ID) {
		if (type == FCGI_GET_VALUES)
			get_values(s, c, n, lim);
		else {
			unsigned char b[8] = { (unsigned char)type };

			put_record(&s->reply, FCGI_UNKNOWN_TYPE,
			    FCGI_NULL_REQUEST_ID, b, sizeof(b));
		}
		return FCGI_MORE;
	}
	if (type == FCGI_BEGIN_REQUEST) {
		unsigned role;

		if (n != 8)
			return broken(s, "a BEGIN_REQUEST record of the wrong size");
		if (s->phase != FCGI_IDLE) {
			if (id == s->id)
				return broken(s, "BEGIN_REQUEST twice for one request");
			/* One request at a time on a connection. */
			fcgi_put_end(&s->reply, id, FCGI_CANT_MPX_CONN);
			return FCGI_MORE;
		}
		role = (unsigned)c[0] << 8 | c[1];
		if (role != FCGI_RESPONDER) {
			fcgi_put_end(&s->reply, id, FCGI_UNKNOWN_ROLE);
			if (!(c[2] & FCGI_KEEP_CONN)) {
				s->error = "a role other than responder";
				s->close = 1;
				return FCGI_CLOSE;
			}
			return FCGI_MORE;
		}
		s->id = id;
		s->keep = (c[2] & FCGI_KEEP_CONN) != 0;
		s->phase = FCGI_IN_PARAMS;
		buf_reset(&s->params);
		buf_reset(&s->body);
		s->body_len = 0;
		s->nparam = 0;
		return FCGI_MORE;
	}
	/* Records of no request being read are ignored (the protocol says so:
	 * an aborted request's late records, say). */
	if (s->phase == FCGI_IDLE || s->phase == FCGI_READY || id != s->id)
		return FCGI_MORE;
	switch (type) {
	case FCGI_ABORT_REQUEST:
		/* Not yet answered: it ends here, with nothing done. */
		fcgi_put_end(&s->reply, id, FCGI_REQUEST_COMPLETE);
		s->phase = FCGI_IDLE;
		if (!s->keep) {
			s->error = "the request was aborted";
			s->close = 1;
			return FCGI_CLOSE;
		}
		return FCGI_MORE;
	case FCGI_PARAMS:
		if (s->phase != FCGI_IN_PARAMS)
			return broken(s, "PARAMS after the end of the parameters");
		if (n == 0) {
			const char *why = params_take(s);

			if (why != NULL)
				return broken(s, why);
			s->phase = FCGI_IN_STDIN;
			return FCGI_MORE;
		}
		if (n > lim->params_max - s->params.len)
			return broken(s, "the parameters are larger than this server takes");
		buf_put(&s->params, c, n);
		return FCGI_MORE;
	case FCGI_STDIN:
		if (s->phase != FCGI_IN_STDIN)
			return broken(s, "STDIN before the end of the parameters");
		if (n == 0) {
			s->phase = FCGI_READY;
			return FCGI_REQUEST;
		}
		/* Past the limit the body is counted, not kept: the request
		 * still gets its answer (413), and the connection its end. */
		if (s->body.len < lim->stdin_max) {
			size_t room = lim->stdin_max - s->body.len;

			buf_put(&s->body, c, n < room ? n : room);
		}
		s->body_len += n;
		return FCGI_MORE;
	default:
		/* FCGI_DATA (the filter role's) and types a newer peer sends. */
		return FCGI_MORE;
	}
}

enum fcgi_event
fcgi_parse(struct fcgi_stream *s, const struct fcgi_limits *lim)
{
	if (s->close)
		return FCGI_CLOSE;
	if (s->phase == FCGI_READY)
		return FCGI_REQUEST;
	/* Answers to management records wait for the caller to send them
	 * once they pass 64 KiB: a client asking without reading gets no
	 * more parsed. */
	while (s->phase != FCGI_READY && s->reply.len < 65536) {
		size_t have = s->in.len - s->in_off, clen, total;
		const unsigned char *h;
		enum fcgi_event ev;

		if (have < FCGI_HEADER_LEN)
			break;
		h = (const unsigned char *)s->in.p + s->in_off;
		clen = (size_t)h[4] << 8 | h[5];
		total = FCGI_HEADER_LEN + clen + h[6];
		if (have < total)
			break;
		s->in_off += total;
		ev = take_record(s, h, h + FCGI_HEADER_LEN, clen, lim);
		if (ev != FCGI_MORE)
			return ev;
	}
	/* Taken bytes are dropped once nothing is left behind them, or when
	 * they are most of the buffer; views into in never outlive a call. */
	if (s->in_off == s->in.len)
		s->in.len = s->in_off = 0;
	else if (s->in_off > 65536 && s->in_off * 2 > s->in.len) {
		memmove(s->in.p, s->in.p + s->in_off, s->in.len - s->in_off);
		s->in.len -= s->in_off;
		s->in_off = 0;
	}
	return FCGI_MORE;
}

void
fcgi_request_done(struct fcgi_stream *s)
{
	s->phase = FCGI_IDLE;
	s->nparam = 0;
	buf_reset(&s->params);
	buf_reset(&s->body);
	s->body_len = 0;
}

static void
trim_buf(struct buf *b, size_t keep)
{
	if (b->cap > keep && b->len == 0)
		buf_free(b);
}

void
fcgi_stream_trim(struct fcgi_stream *s, size_t keep)
{
	if (s->in_off == s->in.len)
		s->in.len = s->in_off = 0;
	trim_buf(&s->in, keep);
	if (s->phase == FCGI_IDLE) {
		buf_reset(&s->params);
		buf_reset(&s->env);
		buf_reset(&s->body);
		trim_buf(&s->params, keep);
		trim_buf(&s->env, keep);
		trim_buf(&s->body, keep);
		if (s->param_cap > 256) {
			free(s->param);
			s->param = NULL;
			s->param_cap = 0;
		}
	}
	trim_buf(&s->reply, keep);
}

/* ---- answers ------------------------------------------------------------------ */

static size_t
nrecords(size_t n)
{
	return (n + REC_MAX - 1) / REC_MAX;
}

size_t
fcgi_answer_hdr_size(size_t n)
{
	/* A header per STDOUT record, the empty STDOUT, END_REQUEST's 16. */
	return (nrecords(n) + 1) * FCGI_HEADER_LEN + 16;
}

size_t
fcgi_answer_iov_max(size_t n)
{
	return 2 * nrecords(n) + 1;
}

/* STDOUT records of p[0..n) into iov from *niov, headers from *hdr on. */
static void
stdout_records(unsigned id, const char *p, size_t n, unsigned char **hdr,
    struct iovec *iov, size_t *niov)
{
	while (n > 0) {
		size_t c = n < REC_MAX ? n : REC_MAX;

		put_header(*hdr, FCGI_STDOUT, id, c);
		iov[(*niov)++] = (struct iovec){ *hdr, FCGI_HEADER_LEN };
		iov[(*niov)++] = (struct iovec){ (void *)p, c };
		*hdr += FCGI_HEADER_LEN;
		p += c;
		n -= c;
	}
}

size_t
fcgi_answer_iov(unsigned id, const char *p, size_t n, unsigned char *hdr,
    struct iovec *iov)
{
	return fcgi_answer_iov2(id, p, n, NULL, 0, hdr, iov);
}

size_t
fcgi_answer_iov2(unsigned id, const char *p, size_t n, const char *q,
    size_t m, unsigned char *hdr, struct iovec *iov)
{
	size_t niov = 0;

	stdout_records(id, p, n, &hdr, iov, &niov);
	stdout_records(id, q, m, &hdr, iov, &niov);
	/* The empty STDOUT record, then FCGI_END_REQUEST: one entry. */
	put_header(hdr, FCGI_STDOUT, id, 0);
	put_header(hdr + 8, FCGI_END_REQUEST, id, 8);
	memset(hdr + 16, 0, 8);                 /* app status 0, COMPLETE */
	iov[niov++] = (struct iovec){ hdr, 24 };
	return niov;
}
