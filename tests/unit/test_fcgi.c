/* test_fcgi.c: the FastCGI reader and the answer's records (fcgi-app/fcgi.c), on byte streams nginx would and would never send. */
#include <fastcgi.h>
#include <string.h>
#include <sys/uio.h>

#include "../../fcgi-app/fcgi.h"
#include "check.h"

static const struct fcgi_limits lim = { 1024, 100, 7 };

/* ---- streams ------------------------------------------------------------------ */

static void
rec(struct buf *b, int type, unsigned id, const void *p, size_t n, int pad)
{
	unsigned char h[8] = { 1, (unsigned char)type, (unsigned char)(id >> 8),
	    (unsigned char)id, (unsigned char)(n >> 8), (unsigned char)n,
	    (unsigned char)pad, 0 };

	buf_put(b, h, 8);
	buf_put(b, p, n);
	for (int i = 0; i < pad; i++)
		buf_putc(b, 'P');
}

static void
begin(struct buf *b, unsigned id, int role, int keep)
{
	unsigned char c[8] = { 0, (unsigned char)role, (unsigned char)keep };

	rec(b, FCGI_BEGIN_REQUEST, id, c, 8, 0);
}

static void
pair(struct buf *b, const char *n, const char *v)
{
	buf_putc(b, (int)strlen(n));
	buf_putc(b, (int)strlen(v));
	buf_puts(b, n);
	buf_puts(b, v);
}

/* A whole GET with the given extra pairs already in `pairs`. */
static void
request(struct buf *b, unsigned id, int keep, const struct buf *pairs,
    const char *body)
{
	begin(b, id, FCGI_RESPONDER, keep);
	rec(b, FCGI_PARAMS, id, pairs->p, pairs->len, 3);
	rec(b, FCGI_PARAMS, id, NULL, 0, 0);
	if (body && *body)
		rec(b, FCGI_STDIN, id, body, strlen(body), 0);
	rec(b, FCGI_STDIN, id, NULL, 0, 0);
}

/* Feeds the bytes of src to s, `step` bytes at a time; the last event. */
static enum fcgi_event
feed(struct fcgi_stream *s, const struct buf *src, size_t *off, size_t step)
{
	enum fcgi_event ev = FCGI_MORE;

	while (*off < src->len) {
		size_t n = src->len - *off < step ? src->len - *off : step;

		buf_put(&s->in, src->p + *off, n);
		*off += n;
		ev = fcgi_parse(s, &lim);
		if (ev != FCGI_MORE)
			return ev;
	}
	return ev;
}

static const char *
param(const struct fcgi_stream *s, const char *name)
{
	for (size_t i = 0; i < s->nparam; i++)
		if (sv_eq_cstr(s->param[i].name, name))
			return s->param[i].value.p;
	return NULL;
}

/* ---- tests ------------------------------------------------------------------------ */

static void
test_whole_requests(void)
{
	for (size_t step = 1; step <= 4096; step = step * 3 + 1) {
		struct fcgi_stream s;
		struct buf src = BUF_INIT, pairs = BUF_INIT;
		size_t off = 0;
		int ok;

		pair(&pairs, "REQUEST_METHOD", "POST");
		pair(&pairs, "REQUEST_URI", "/x?y");
		pair(&pairs, "EMPTY", "");
		request(&src, 1, 1, &pairs, "a=1&b=2");
		request(&src, 1, 0, &pairs, "");
		fcgi_stream_init(&s);
		ok = feed(&s, &src, &off, step) == FCGI_REQUEST &&
		    s.id == 1 && s.keep && s.nparam == 3 &&
		    strcmp(param(&s, "REQUEST_URI"), "/x?y") == 0 &&
		    strcmp(param(&s, "EMPTY"), "") == 0 &&
		    s.body.len == 7 && s.body_len == 7 &&
		    memcmp(s.body.p, "a=1&b=2", 7) == 0;
		CHECK(ok);
		/* Nothing behind the request is taken until it is done. */
		CHECK(fcgi_parse(&s, &lim) == FCGI_REQUEST);
		fcgi_request_done(&s);
		ok = feed(&s, &src, &off, step) == FCGI_REQUEST ||
		    fcgi_parse(&s, &lim) == FCGI_REQUEST;
		CHECK(ok && !s.keep && s.body_len == 0 && s.nparam == 3);
		fcgi_request_done(&s);
		CHECK(fcgi_parse(&s, &lim) == FCGI_MORE && !fcgi_partial(&s));
		CHECK(s.reply.len == 0);
		fcgi_stream_free(&s);
		buf_free(&src);
		buf_free(&pairs);
	}
}

/* The stream is refused, with this reason, and stays refused. */
static int
refused(const struct buf *src, const char *why)
{
	struct fcgi_stream s;
	size_t off = 0;
	int ok;

	fcgi_stream_init(&s);
	ok = feed(&s, src, &off, src->len) == FCGI_CLOSE && s.close &&
	    s.error != NULL && strstr(s.error, why) != NULL &&
	    fcgi_parse(&s, &lim) == FCGI_CLOSE;
	if (!ok)
		printf("# %s: got %s\n", why, s.error ? s.error : "(accepted)");
	fcgi_stream_free(&s);
	return ok;
}

static void
test_refused(void)
{
	struct buf b = BUF_INIT;
	unsigned char cve[] = { 0x10, 0xff, 0xff, 0xff, 0xf0, 'A', 'A', 'A', 'A',
	    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'x' };
	unsigned char big[600];

	/* The integer-overflow pattern: 16-byte name, 0x7ffffff0-byte value. */
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, cve, sizeof(cve), 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	CHECK(refused(&b, "runs past the record"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	b.p[0] = 2;
	CHECK(refused(&b, "version"));

	buf_reset(&b);
	rec(&b, FCGI_BEGIN_REQUEST, 1, "\0\1\1", 3, 0);
	CHECK(refused(&b, "wrong size"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, "\x85\x00", 2, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	CHECK(refused(&b, "cut short"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, "\x03\x01" "A=Bx", 6, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	CHECK(refused(&b, "'=' or NUL"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, "\x01\x03" "Aa\0b", 6, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	CHECK(refused(&b, "value holds NUL"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, "\x00\x01x", 3, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	CHECK(refused(&b, "empty name"));

	/* Over params_max (1024 here) in two records of 600. */
	buf_reset(&b);
	memset(big, 'a', sizeof(big));
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, big, sizeof(big), 0);
	rec(&b, FCGI_PARAMS, 1, big, sizeof(big), 0);
	CHECK(refused(&b, "larger than this server takes"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_STDIN, 1, "x", 1, 0);
	CHECK(refused(&b, "STDIN before"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	rec(&b, FCGI_PARAMS, 1, "\x01\x01" "ab", 4, 0);
	CHECK(refused(&b, "PARAMS after"));

	buf_reset(&b);
	begin(&b, 1, FCGI_RESPONDER, 1);
	begin(&b, 1, FCGI_RESPONDER, 1);
	CHECK(refused(&b, "BEGIN_REQUEST twice"));
	buf_free(&b);
}

/* The records of s->reply: "type id len [status]" words, into out. */
static void
replies(const struct fcgi_stream *s, char *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s->reply.p;
	size_t n = s->reply.len, o = 0;

	out[0] = '\0';
	while (n >= 8 && o + 32 < max) {
		size_t len = (size_t)p[4] << 8 | p[5], total = 8 + len + p[6];

		o += (size_t)snprintf(out + o, max - o, "%s%u/%u/%zu", o ? " " : "",
		    p[1], (unsigned)p[2] << 8 | p[3], len);
		if (p[1] == FCGI_END_REQUEST)
			o += (size_t)snprintf(out + o, max - o, "/%u", p[12]);
		if (total > n)
			break;
		p += total;
		n -= total;
	}
}

static void
test_answered(void)
{
	struct fcgi_stream s;
	struct buf b = BUF_INIT, q = BUF_INIT, pairs = BUF_INIT;
	char got[256];
	size_t off = 0;

	/* GET_VALUES: what this server knows, once each; others not named. */
	pair(&q, "FCGI_MAX_CONNS", "");
	pair(&q, "FCGI_MPXS_CONNS", "");
	pair(&q, "FCGI_MAX_CONNS", "");
	pair(&q, "OTHER", "");
	rec(&b, FCGI_GET_VALUES, 0, q.p, q.len, 0);
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, b.len) == FCGI_MORE && !s.close);
	CHECK(s.reply.len == 8 + 2 + 14 + 1 + 2 + 15 + 1 &&
	    (unsigned char)s.reply.p[1] == FCGI_GET_VALUES_RESULT);
	CHECK(memmem(s.reply.p, s.reply.len, "\x0e\x01" "FCGI_MAX_CONNS7", 17) != NULL);
	CHECK(memmem(s.reply.p, s.reply.len, "\x0f\x01" "FCGI_MPXS_CONNS0", 18) != NULL);
	CHECK(memmem(s.reply.p, s.reply.len, "OTHER", 5) == NULL);
	fcgi_stream_free(&s);

	/* An unknown management type: FCGI_UNKNOWN_TYPE naming it. */
	buf_reset(&b);
	off = 0;
	rec(&b, 42, 0, "zz", 2, 0);
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, b.len) == FCGI_MORE);
	CHECK(s.reply.len == 16 && (unsigned char)s.reply.p[1] == FCGI_UNKNOWN_TYPE &&
	    (unsigned char)s.reply.p[8] == 42);
	fcgi_stream_free(&s);

	/* A second id while one is read: CANT_MPX_CONN; the first goes on. */
	buf_reset(&b);
	off = 0;
	pair(&pairs, "REQUEST_METHOD", "GET");
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, pairs.p, pairs.len, 0);
	begin(&b, 2, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 2, "\x01\x01" "ab", 4, 0);   /* ignored: not ours */
	rec(&b, FCGI_PARAMS, 1, NULL, 0, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0, 0);
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, 5) == FCGI_REQUEST && s.id == 1 && s.nparam == 1);
	replies(&s, got, sizeof(got));
	CHECK(strcmp(got, "3/2/8/1") == 0);
	fcgi_stream_free(&s);

	/* Other roles: UNKNOWN_ROLE; without KEEP_CONN the connection ends. */
	buf_reset(&b);
	off = 0;
	begin(&b, 5, FCGI_AUTHORIZER, 1);
	begin(&b, 6, FCGI_FILTER, 0);
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, b.len) == FCGI_CLOSE);
	replies(&s, got, sizeof(got));
	CHECK(strcmp(got, "3/5/8/3 3/6/8/3") == 0);
	fcgi_stream_free(&s);

	/* ABORT before the request is whole: ended, the next one read. */
	buf_reset(&b);
	off = 0;
	begin(&b, 1, FCGI_RESPONDER, 1);
	rec(&b, FCGI_PARAMS, 1, pairs.p, pairs.len, 0);
	rec(&b, FCGI_ABORT_REQUEST, 1, NULL, 0, 0);
	request(&b, 9, 1, &pairs, "");
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, b.len) == FCGI_REQUEST && s.id == 9);
	replies(&s, got, sizeof(got));
	CHECK(strcmp(got, "3/1/8/0") == 0);
	fcgi_stream_free(&s);

	/* A body over stdin_max is counted, not kept. */
	buf_reset(&b);
	off = 0;
	{
		char body[301];

		memset(body, 'x', 300);
		body[300] = '\0';
		request(&b, 1, 1, &pairs, body);
	}
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, 64) == FCGI_REQUEST && s.body.len == 100 &&
	    s.body_len == 300);
	fcgi_stream_free(&s);

	/* Half a header is a partial request; records of other ids are not. */
	buf_reset(&b);
	off = 0;
	rec(&b, FCGI_STDIN, 7, "zz", 2, 0);
	buf_put(&b, "\x01\x01", 2);
	fcgi_stream_init(&s);
	CHECK(feed(&s, &b, &off, b.len) == FCGI_MORE && fcgi_partial(&s));
	fcgi_stream_free(&s);
	buf_free(&b);
	buf_free(&q);
	buf_free(&pairs);
}

/* The answer's records carry exactly the response, then its end. */
static void
test_answer(void)
{
	static const size_t sizes[] = { 0, 1, 8, 65527, 65528, 65529, 200000 };
	static char body[200000];

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)(i * 7 + 3);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], niov, got = 0;
		unsigned char *hdr = xmalloc(fcgi_answer_hdr_size(n));
		struct iovec *iov = xmalloc(fcgi_answer_iov_max(n) * sizeof(*iov));
		struct buf out = BUF_INIT;
		const unsigned char *p;
		int ended = 0, ok = 1;

		niov = fcgi_answer_iov(300, body, n, hdr, iov);
		CHECK(niov <= fcgi_answer_iov_max(n));
		for (size_t i = 0; i < niov; i++)
			buf_put(&out, iov[i].iov_base, iov[i].iov_len);
		p = (const unsigned char *)out.p;
		while (p < (const unsigned char *)out.p + out.len && ok) {
			size_t len = (size_t)p[4] << 8 | p[5];

			ok = p[0] == 1 && ((unsigned)p[2] << 8 | p[3]) == 300 &&
			    p[6] == 0 && !ended;
			if (p[1] == FCGI_STDOUT && len > 0) {
				/* Full records, then what is left. */
				ok = ok && (len == 65528 || got + len == n) &&
				    memcmp(p + 8, body + got, len) == 0;
				got += len;
			} else if (p[1] == FCGI_STDOUT)
				ok = ok && got == n;
			else if (p[1] == FCGI_END_REQUEST) {
				ok = ok && len == 8 && memcmp(p + 8, "\0\0\0\0\0\0\0\0", 8) == 0;
				ended = 1;
			} else
				ok = 0;
			p += 8 + len;
		}
		CHECK(ok && ended && got == n);
		free(hdr);
		free(iov);
		buf_free(&out);
	}
}

/*
 * An answer in two pieces (headers, then the body where it lies): the
 * STDOUT stream carries the one after the other, in records of at most
 * 65528 bytes, none empty before the end, within the sizes the header
 * promises.
 */
static void
test_answer2(void)
{
	static const size_t sizes[] = { 0, 1, 700, 65528, 65529, 200000 };
	static char head[70000], body[200000];

	for (size_t i = 0; i < sizeof(head); i++)
		head[i] = (char)(i * 5 + 1);
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)(i * 7 + 3);
	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++)
		for (size_t b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++) {
			size_t n = sizes[a] < sizeof(head) ? sizes[a] : sizeof(head);
			size_t m = sizes[b], niov, hlen = 0;
			unsigned char *hdr = xmalloc(fcgi_answer_hdr_size(n + m) + 8);
			struct iovec *iov = xmalloc((fcgi_answer_iov_max(n + m) + 2) * sizeof(*iov));
			struct buf out = BUF_INIT, data = BUF_INIT;
			const unsigned char *p;
			int ended = 0, ok = 1;

			niov = fcgi_answer_iov2(7, head, n, body, m, hdr, iov);
			CHECK(niov <= fcgi_answer_iov_max(n + m) + 2);
			for (size_t i = 0; i < niov; i++) {
				buf_put(&out, iov[i].iov_base, iov[i].iov_len);
				/* The record headers lie in hdr, within its size. */
				if ((unsigned char *)iov[i].iov_base >= hdr &&
				    (unsigned char *)iov[i].iov_base < hdr + fcgi_answer_hdr_size(n + m) + 8)
					hlen += iov[i].iov_len;
			}
			CHECK(hlen <= fcgi_answer_hdr_size(n + m) + 8);
			p = (const unsigned char *)out.p;
			while (p < (const unsigned char *)out.p + out.len && ok) {
				size_t len = (size_t)p[4] << 8 | p[5];

				ok = p[0] == 1 && ((unsigned)p[2] << 8 | p[3]) == 7 &&
				    p[6] == 0 && !ended && len <= 65528;
				if (p[1] == FCGI_STDOUT && len > 0)
					buf_put(&data, p + 8, len);
				else if (p[1] == FCGI_STDOUT)
					ok = ok && data.len == n + m;
				else if (p[1] == FCGI_END_REQUEST && len == 8)
					ended = 1;
				else
					ok = 0;
				p += 8 + len;
			}
			CHECK(ok && ended && data.len == n + m &&
			    (n == 0 || memcmp(data.p, head, n) == 0) &&
			    (m == 0 || memcmp(data.p + n, body, m) == 0));
			free(hdr);
			free(iov);
			buf_free(&out);
			buf_free(&data);
		}
}

int
main(void)
{
	test_whole_requests();
	test_refused();
	test_answered();
	test_answer();
	test_answer2();
	return check_failed;
}
