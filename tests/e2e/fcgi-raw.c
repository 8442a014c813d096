/* fcgi-raw.c: a FastCGI client for the hostile tests: any parameters and body straight to bzpeer-fcgi's socket. */
/*
 * usage: fcgi-raw SOCKET NAME=VALUE... < BODY
 *
 * Sends one FastCGI request with exactly the parameters given (nothing is
 * added: no CONTENT_LENGTH unless given, so it may disagree with the body)
 * and stdin as the body, then writes the response (CGI headers and body)
 * to stdout. What nginx never lets through (a body shorter than its
 * Content-Length, HTTPS=on on a plain connection) reaches the app this way.
 * Exits 0 when the response ended with FCGI_END_REQUEST, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { BEGIN = 1, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR = 7 };

static int
put_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
get_all(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One record of up to 65535 bytes, request id 1, no padding. */
static int
record(int fd, int type, const unsigned char *body, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };

	return put_all(fd, h, 8) < 0 || (n && put_all(fd, body, n) < 0) ? -1 : 0;
}

/* Appends a name-value pair in FastCGI's length encoding. */
static size_t
pair(unsigned char *out, const char *name, size_t nn, const char *value, size_t vn)
{
	size_t o = 0;
	size_t lens[2] = { nn, vn };

	for (int i = 0; i < 2; i++) {
		if (lens[i] < 128)
			out[o++] = (unsigned char)lens[i];
		else {
			out[o++] = (unsigned char)(0x80 | (lens[i] >> 24));
			out[o++] = (unsigned char)(lens[i] >> 16);
			out[o++] = (unsigned char)(lens[i] >> 8);
			out[o++] = (unsigned char)lens[i];
		}
	}
	memcpy(out + o, name, nn);
	o += nn;
	memcpy(out + o, value, vn);
	return o + vn;
}

int
main(int argc, char **argv)
{
	static unsigned char params[60000], body[65535];
	const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };  /* responder, close */
	struct sockaddr_un sa;
	size_t plen = 0;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: fcgi-raw SOCKET NAME=VALUE... < BODY\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t nn, vn;

		if (eq == NULL) {
			fprintf(stderr, "fcgi-raw: %s: not NAME=VALUE\n", argv[i]);
			return 2;
		}
		nn = (size_t)(eq - argv[i]);
		vn = strlen(eq + 1);
		if (plen + nn + vn + 8 > sizeof(params)) {
			fprintf(stderr, "fcgi-raw: too many parameters\n");
			return 2;
		}
		plen += pair(params + plen, argv[i], nn, eq + 1, vn);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fcgi-raw: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (record(fd, BEGIN, begin, 8) < 0 || record(fd, PARAMS, params, plen) < 0 ||
	    record(fd, PARAMS, NULL, 0) < 0)
		goto broken;
	for (;;) {
		ssize_t n = read(0, body, sizeof(body));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto broken;
		if (record(fd, STDIN, body, (size_t)n) < 0)
			goto broken;
		if (n == 0)
			break;
	}
	for (;;) {
		unsigned char h[8];
		size_t n, pad;

		if (get_all(fd, h, 8) < 0)
			goto broken;
		n = (size_t)h[4] << 8 | h[5];
		pad = h[6];
		if (get_all(fd, body, n + pad) < 0)
			goto broken;
		if (h[1] == STDOUT && n > 0 && fwrite(body, 1, n, stdout) != n)
			goto broken;
		if (h[1] == STDERR)
			fwrite(body, 1, n, stderr);
		if (h[1] == END) {
			close(fd);
			return 0;
		}
	}
broken:
	fprintf(stderr, "fcgi-raw: connection ended early: %s\n", strerror(errno));
	close(fd);
	return 1;
}
