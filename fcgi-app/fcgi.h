/* fcgi.h: FastCGI as a responder speaks it: a connection's bytes read into whole requests, and the records of an answer. */
#ifndef BZPEER_FCGI_H
#define BZPEER_FCGI_H

#include <stddef.h>

#include "../store/buf.h"

/*
 * The reading side is a state machine over bytes, with no I/O of its own:
 * the worker reads what a connection sends into `in` and calls
 * fcgi_parse(), which takes whole records and says when a request has
 * arrived whole (its parameters and its body). So a client that sends half
 * a record holds nothing but its own buffer, lengths are checked before
 * anything is allocated for them, and bytes that come behind a request (the
 * next request on a kept connection) wait in `in` for their turn instead of
 * being lost. libfcgi's reader blocks in read() on a partial record, aborts
 * the process on a parameter length that overflows its int arithmetic, and
 * drops whatever it read ahead when a request ends: the reasons this
 * program reads the protocol itself (docs/ARCHITECTURE.md).
 *
 * One request at a time per connection: a BEGIN_REQUEST for another id
 * while one is being read or answered is refused with FCGI_CANT_MPX_CONN
 * (as nginx never multiplexes); management records (request id 0) are
 * answered at once: FCGI_GET_VALUES with what this server does, anything
 * else with FCGI_UNKNOWN_TYPE.
 */

/* A parameter of the request, NUL-terminated, inside fcgi_stream.env. */
struct fcgi_param {
	struct sv name;
	struct sv value;
};

struct fcgi_limits {
	size_t params_max;   /* bytes of the PARAMS stream of one request */
	size_t stdin_max;    /* bytes of the body kept; more is counted only */
	unsigned max_conns;  /* FCGI_MAX_CONNS and FCGI_MAX_REQS answered */
};

enum fcgi_phase {
	FCGI_IDLE,           /* between requests */
	FCGI_IN_PARAMS,      /* BEGIN_REQUEST seen, parameters coming */
	FCGI_IN_STDIN,       /* parameters whole, body coming */
	FCGI_READY,          /* whole: being answered */
};

struct fcgi_stream {
	struct buf in;          /* bytes received; in_off of them taken */
	size_t     in_off;
	enum fcgi_phase phase;
	unsigned   id;          /* the request's id (1..65535) */
	int        keep;        /* FCGI_KEEP_CONN: the connection outlives it */
	int        close;       /* close once `reply` is sent (error says why) */
	const char *error;      /* why the connection is to be closed */

	struct buf params;      /* the PARAMS stream */
	struct buf env;         /* its pairs, each name and value NUL-ended */
	struct fcgi_param *param;
	size_t     nparam, param_cap;
	struct buf body;        /* the body, at most stdin_max bytes of it */
	size_t     body_len;    /* bytes of body received (may exceed body.len) */

	struct buf reply;       /* records the reader answers with itself */
};

enum fcgi_event {
	FCGI_MORE,     /* nothing to do until more bytes come (or reply is sent) */
	FCGI_REQUEST,  /* a request is whole: param, nparam, body, body_len */
	FCGI_CLOSE,    /* send reply, then close: error says why */
};

void fcgi_stream_init(struct fcgi_stream *s);
void fcgi_stream_free(struct fcgi_stream *s);

/*
 * Takes whole records from s->in (from s->in_off). Answers to management
 * records and refused BEGIN_REQUESTs are appended to s->reply, which the
 * caller sends. Returns FCGI_REQUEST once the request being read is whole
 * (no record after it is taken until fcgi_request_done()), FCGI_CLOSE on a
 * stream that breaks the protocol (a bad version, a record that does not
 * fit its type, a PARAMS stream over the limit or whose lengths do not add
 * up, a parameter name holding '=' or NUL, a value holding NUL), else
 * FCGI_MORE. After FCGI_CLOSE nothing more is parsed.
 */
enum fcgi_event fcgi_parse(struct fcgi_stream *s, const struct fcgi_limits *lim);

/* The request was answered: the stream is ready for the next one. */
void fcgi_request_done(struct fcgi_stream *s);

/* 1 while a request has begun but has not arrived whole. */
int  fcgi_partial(const struct fcgi_stream *s);

/*
 * Drops what was taken from s->in and what is no longer needed, keeping
 * at most `keep` bytes of allocation in each buffer: for a connection
 * going idle.
 */
void fcgi_stream_trim(struct fcgi_stream *s, size_t keep);

/*
 * The records of an answer to request id: the response as STDOUT records
 * (each at most 65528 bytes: 8-aligned, so no padding is needed), the
 * empty STDOUT record that ends the stream and FCGI_END_REQUEST
 * (FCGI_REQUEST_COMPLETE, application status 0). fcgi_answer_iov() points
 * iov entries at p and at headers written into hdr (which must hold
 * fcgi_answer_hdr_size(n) bytes); it returns the number of entries, at
 * most fcgi_answer_iov_max(n).
 */
size_t fcgi_answer_hdr_size(size_t n);
size_t fcgi_answer_iov_max(size_t n);
struct iovec;
size_t fcgi_answer_iov(unsigned id, const char *p, size_t n,
    unsigned char *hdr, struct iovec *iov);
/*
 * The same for a response in two pieces, p[0..n) then q[0..m) (the
 * headers, then the body where it already lies: no copy to join them).
 * hdr must hold fcgi_answer_hdr_size(n + m) + 8 bytes (a record header); at
 * most fcgi_answer_iov_max(n + m) + 2 entries.
 */
size_t fcgi_answer_iov2(unsigned id, const char *p, size_t n, const char *q,
    size_t m, unsigned char *hdr, struct iovec *iov);

/* FCGI_END_REQUEST for id with protocol_status (FCGI_CANT_MPX_CONN, ...). */
void fcgi_put_end(struct buf *out, unsigned id, int protocol_status);

#endif
