/* fcgi.c (fuzz): raw FastCGI byte streams through the worker's reading path: fcgi_parse() as the bytes come, then req_begin() on each whole request. */
/*
 * The first byte picks how the rest is cut into reads (1 to 256 bytes at a
 * time, as a client may send); the stream is then parsed again in one read,
 * and both must see the same requests and the same answers to management
 * records, in the same order, and end the same way. Beyond that:
 *  - every parameter has a non-empty name without '=' or NUL and a value
 *    without NUL, and the parameters fit within params_max;
 *  - the body kept is at most stdin_max, the body counted at least that;
 *  - what the reader answers by itself is well-formed records of the
 *    three kinds it may send (END_REQUEST, GET_VALUES_RESULT, UNKNOWN_TYPE);
 *  - a refused stream stays refused;
 *  - req_begin() answers 0, 400 or 404 and never trusts a parameter it was
 *    sent twice.
 */
#include <fastcgi.h>
#include <string.h>

#include "../../fcgi-app/fcgi.h"
#include "../../fcgi-app/request.h"
#include "fuzz.h"

static const struct fcgi_limits fcgi_lim = { 4096, 512, 16 };
static struct request fcgi_req;

FUZZ_INIT(fcgi)
{
	req_init(&fcgi_req, NULL);
	return 0;
}

/* What one parse of a stream saw, as text, for the comparison. */
static void
note_request(struct buf *log, const struct fcgi_stream *s)
{
	size_t total = 0;

	buf_puts(log, "R");
	buf_putu64(log, s->id);
	buf_putc(log, s->keep ? 'k' : 'c');
	for (size_t i = 0; i < s->nparam; i++) {
		const struct fcgi_param *p = &s->param[i];

		FUZZ_CHECK(p->name.n > 0);
		FUZZ_CHECK(memchr(p->name.p, '=', p->name.n) == NULL);
		FUZZ_CHECK(memchr(p->name.p, '\0', p->name.n) == NULL);
		FUZZ_CHECK(memchr(p->value.p, '\0', p->value.n) == NULL);
		FUZZ_CHECK(p->name.p[p->name.n] == '\0' && p->value.p[p->value.n] == '\0');
		total += p->name.n + p->value.n;
		buf_putc(log, ' ');
		buf_put(log, p->name.p, p->name.n);
		buf_putc(log, '=');
		buf_put(log, p->value.p, p->value.n);
	}
	FUZZ_CHECK(total <= fcgi_lim.params_max);
	FUZZ_CHECK(s->body.len <= fcgi_lim.stdin_max && s->body.len <= s->body_len);
	buf_puts(log, " body ");
	buf_putu64(log, s->body_len);
	buf_putc(log, ':');
	buf_put(log, s->body.p, s->body.len);
	buf_putc(log, '\n');
}

/* The reader's own answers: records of the kinds it sends, taken out. */
static void
note_reply(struct buf *log, struct fcgi_stream *s)
{
	const unsigned char *p = (const unsigned char *)s->reply.p;
	size_t n = s->reply.len;

	while (n > 0) {
		size_t len;

		FUZZ_CHECK(n >= 8 && p[0] == FCGI_VERSION_1 && p[6] == 0);
		len = (size_t)p[4] << 8 | p[5];
		FUZZ_CHECK(n >= 8 + len);
		FUZZ_CHECK((p[1] == FCGI_END_REQUEST && len == 8) ||
		    (p[1] == FCGI_UNKNOWN_TYPE && len == 8) ||
		    p[1] == FCGI_GET_VALUES_RESULT);
		/* A line per record: how many records one parse call made
		 * depends on how the bytes came, the records do not. */
		buf_puts(log, "A");
		buf_put(log, p, 8 + len);
		buf_putc(log, '\n');
		p += 8 + len;
		n -= 8 + len;
	}
	buf_reset(&s->reply);
}

/* Parses data in reads of `step` bytes (0: all at once) into log. */
static void
parse_all(const uint8_t *data, size_t size, size_t step, struct buf *log)
{
	struct fcgi_stream s;
	size_t off = 0;

	fcgi_stream_init(&s);
	for (;;) {
		enum fcgi_event ev = fcgi_parse(&s, &fcgi_lim);

		if (s.reply.len)
			note_reply(log, &s);
		if (ev == FCGI_CLOSE) {
			FUZZ_CHECK(s.error != NULL && s.close);
			FUZZ_CHECK(fcgi_parse(&s, &fcgi_lim) == FCGI_CLOSE);
			buf_puts(log, "closed: ");
			buf_puts(log, s.error);
			buf_putc(log, '\n');
			/* What was read after the refused record depends on
			 * how the bytes came: nothing more is compared. */
			fcgi_stream_free(&s);
			return;
		}
		if (ev == FCGI_REQUEST) {
			int rc;

			note_request(log, &s);
			rc = req_begin(&fcgi_req, s.param, s.nparam,
			    (struct sv){ s.body.p, s.body.len }, s.body_len);
			FUZZ_CHECK(rc == 0 || rc == 400 || rc == 404);
			FUZZ_CHECK(fcgi_req.status == (rc ? rc : 200));
			req_end(&fcgi_req);
			fcgi_request_done(&s);
			continue;
		}
		if (off == size)
			break;
		{
			size_t n = step == 0 || size - off < step ? size - off : step;

			buf_put(&s.in, data + off, n);
			off += n;
		}
	}
	buf_puts(log, fcgi_partial(&s) ? "partial\n" : "end\n");
	fcgi_stream_free(&s);
}

FUZZ_ONE(fcgi)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (size == 0)
		return 0;
	parse_all(data + 1, size - 1, (size_t)data[0] + 1, &a);
	parse_all(data + 1, size - 1, 0, &b);
	FUZZ_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
