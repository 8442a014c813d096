/* fcgi-get.c: a FastCGI client for the process tests: one GET straight to bzpeer-fcgi's socket. */
/*
 * usage: fcgi-get SOCKET PATH [HOLD_FILE]
 *
 * Sends a FastCGI GET for PATH to the unix socket SOCKET and writes the
 * response (CGI headers and body) to stdout. With HOLD_FILE, the request is
 * sent all but its last record, "held" is written to stderr, and the rest
 * follows only once HOLD_FILE exists: the request is then in flight in a
 * worker that has accepted it, for as long as the test likes.
 * Exits 0 when the response ended with FCGI_END_REQUEST, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
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

static int
record(int fd, int type, const unsigned char *body, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1,
		(unsigned char)(n >> 8), (unsigned char)n, 0, 0 };

	if (put_all(fd, h, 8) < 0)
		return -1;
	return n ? put_all(fd, body, n) : 0;
}

static size_t
param(unsigned char *p, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	/* Short lengths only: everything here is under 128 bytes. */
	p[0] = (unsigned char)nl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, name, nl);
	memcpy(p + 2 + nl, value, vl);
	return 2 + nl + vl;
}

int
main(int argc, char **argv)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	unsigned char params[1024], h[8], body[65536 + 256];
	struct sockaddr_un sun;
	size_t n = 0;
	int fd;

	if (argc < 3 || argc > 4 || strlen(argv[1]) >= sizeof(sun.sun_path) ||
	    strlen(argv[2]) > 100) {
		fprintf(stderr, "usage: fcgi-get SOCKET PATH [HOLD_FILE]\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "fcgi-get: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	n += param(params + n, "REQUEST_METHOD", "GET");
	n += param(params + n, "REQUEST_URI", argv[2]);
	n += param(params + n, "DOCUMENT_URI", argv[2]);
	n += param(params + n, "QUERY_STRING", "");
	n += param(params + n, "SERVER_PROTOCOL", "HTTP/1.1");
	n += param(params + n, "REMOTE_ADDR", "127.0.0.1");
	n += param(params + n, "HTTP_HOST", "localhost");
	if (record(fd, BEGIN, begin, 8) < 0 || record(fd, PARAMS, params, n) < 0)
		goto io;
	if (argc == 4) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		struct stat st;

		fprintf(stderr, "held\n");
		for (int i = 0; i < 6000 && stat(argv[3], &st) < 0; i++)
			nanosleep(&ts, NULL);
	}
	if (record(fd, PARAMS, NULL, 0) < 0 || record(fd, STDIN, NULL, 0) < 0)
		goto io;
	for (;;) {
		size_t len;

		if (get_all(fd, h, 8) < 0)
			goto io;
		len = ((size_t)h[4] << 8 | h[5]) + h[6];
		if (get_all(fd, body, len) < 0)
			goto io;
		len -= h[6];
		if (h[1] == STDOUT && len > 0 &&
		    fwrite(body, 1, len, stdout) != len)
			return 1;
		if (h[1] == STDERR && len > 0)
			fwrite(body, 1, len, stderr);
		if (h[1] == END)
			return fflush(stdout) == 0 ? 0 : 1;
	}
io:
	fprintf(stderr, "fcgi-get: connection ended early: %s\n",
	    errno ? strerror(errno) : "end of file");
	return 1;
}
