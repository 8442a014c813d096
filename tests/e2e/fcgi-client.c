/* fcgi-client.c: a FastCGI client for the end-to-end tests: requests straight to bzpeer-fcgi's socket, past nginx, well-formed or not. */
/*
 * usage: fcgi-client [--get PATH] [--hold FILE] [--keep N] SOCKET [NAME=VALUE...] [< BODY]
 *        fcgi-client --raw [--conns N] [--linger S] [--wait MS] [--dribble MS] SOCKET < BYTES
 *
 * Sends one FastCGI request to the unix socket SOCKET and writes the
 * response (CGI headers and body) to stdout, the app's FCGI_STDERR to stderr.
 *
 * Without --get the request has exactly the parameters given (nothing is
 * added: no CONTENT_LENGTH unless given, so it may disagree with the body)
 * and stdin as its body: what nginx never lets through (a body shorter than
 * its Content-Length, HTTPS=on on a plain connection) reaches the app this
 * way (tests/e2e/70-hostile.sh).
 *
 * --get PATH: a GET of PATH with the parameters nginx sends (method, URI,
 * empty query, protocol, 127.0.0.1, Host: localhost), then the NAME=VALUE
 * pairs given; no body, stdin is not read.
 *
 * --hold FILE: the request is sent all but its last records (the end of the
 * parameters and the body), "held" is written to stderr, and the rest
 * follows only once FILE exists (60 s at most): the request is then in
 * flight in a worker that has accepted it, for as long as the test likes
 * (tests/e2e/40-process.sh).
 *
 * --keep N (with --get): N requests in turn on one connection, each with
 * FCGI_KEEP_CONN as nginx sends them; --hold FILE then holds the connection
 * idle after the first response instead, and the other requests follow once
 * FILE exists. The end of each request's stdin follows 10 ms after its
 * parameters, and the next request as soon as the answer is in: an app
 * that answers before reading stdin to its end would read the next
 * request's first records with it. After the last response the connection
 * must still be open (the app keeps it; checked for 200 ms), then it is
 * closed.
 *
 * --raw: stdin is sent as it is, bytes nginx would never send (records of
 * any length, half records, management records). Then every record that
 * comes back is described on stdout, one line each ("record TYPE ID
 * LENGTH", and for FCGI_END_REQUEST its protocol status: "end ID STATUS"),
 * until the app closes the connection ("closed") or MS milliseconds
 * (--wait, default 2000) pass without a byte ("open").
 * --dribble MS (with --raw): the bytes are sent one at a time, MS
 * milliseconds apart (stopping when the app closes), then described.
 * --conns N (with --raw): N connections, each sent the same bytes, none
 * read; all are held until the app has closed every one or --linger S
 * seconds (default 10) pass, then "held N closed K" says how many the app
 * had closed.
 *
 * Exits 0 when the response ended with FCGI_END_REQUEST (--raw: when the
 * bytes were sent), 1 when it did not or could not be written, 2 on a
 * usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define USAGE "usage: fcgi-client [--get PATH] [--hold FILE] [--keep N] SOCKET [NAME=VALUE...] [< BODY]\n" \
	"       fcgi-client --raw [--conns N] [--linger S] [--wait MS] [--dribble MS] SOCKET < BYTES\n"

enum { BEGIN = 1, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR = 7 };

/* The parameters as one FCGI_PARAMS record's content. */
static unsigned char params[60000];
static size_t plen;

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

/* Reads exactly n bytes; -1 on an error or at the end of the stream (errno 0). */
static int
get_all(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = 0;
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

/* Appends a name-value pair in FastCGI's length encoding; -1 when full. */
static int
pair(const char *name, size_t nn, const char *value, size_t vn)
{
	size_t lens[2] = { nn, vn };

	if (plen + nn + vn + 8 > sizeof(params))
		return -1;
	for (int i = 0; i < 2; i++) {
		if (lens[i] < 128)
			params[plen++] = (unsigned char)lens[i];
		else {
			params[plen++] = (unsigned char)(0x80 | (lens[i] >> 24));
			params[plen++] = (unsigned char)(lens[i] >> 16);
			params[plen++] = (unsigned char)(lens[i] >> 8);
			params[plen++] = (unsigned char)lens[i];
		}
	}
	memcpy(params + plen, name, nn);
	plen += nn;
	memcpy(params + plen, value, vn);
	plen += vn;
	return 0;
}

static int
pair_str(const char *name, const char *value)
{
	return pair(name, strlen(name), value, strlen(value));
}

/* Waits until path exists, for 60 s at most. */
static void
hold(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;

	fprintf(stderr, "held\n");
	for (int i = 0; i < 6000 && stat(path, &st) < 0; i++)
		nanosleep(&ts, NULL);
}

/* Sends stdin as FCGI_STDIN records, then the empty one that ends it. */
static int
send_body(int fd)
{
	static unsigned char body[65535];

	for (;;) {
		ssize_t n = read(0, body, sizeof(body));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || record(fd, STDIN, body, (size_t)n) < 0)
			return -1;
		if (n == 0)
			return 0;
	}
}

/* Copies the response to stdout and stderr until FCGI_END_REQUEST: 0, or -1. */
static int
read_response(int fd)
{
	static unsigned char body[65535 + 255];
	unsigned char h[8];
	size_t n;

	for (;;) {
		if (get_all(fd, h, 8) < 0)
			return -1;
		n = (size_t)h[4] << 8 | h[5];
		if (get_all(fd, body, n + h[6]) < 0)
			return -1;
		if (h[1] == STDOUT && n > 0 && fwrite(body, 1, n, stdout) != n)
			return -1;
		if (h[1] == STDERR && n > 0)
			fwrite(body, 1, n, stderr);
		if (h[1] == END)
			return fflush(stdout) == 0 ? 0 : -1;
	}
}

/* A connected socket to path, or -1 (said on stderr). */
static int
dial(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fcgi-client: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* All of stdin, at most max bytes, into p; the length, or -1. */
static ssize_t
slurp(unsigned char *p, size_t max)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(0, p + n, max - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || (n += (size_t)r) == max)
			return (ssize_t)n;
	}
}

/* Describes the records that come back (see --raw above). */
static void
describe(int fd, int wait_ms)
{
	static unsigned char in[1 << 20];
	size_t have = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, wait_ms) == 0) {
			puts("open");
			return;
		}
		r = read(fd, in + have, sizeof(in) - have);
		if (r <= 0) {
			puts("closed");
			return;
		}
		have += (size_t)r;
		while (have >= 8) {
			size_t clen = (size_t)in[4] << 8 | in[5], total = 8 + clen + in[6];
			unsigned id = (unsigned)in[2] << 8 | in[3];

			if (have < total)
				break;
			printf("record %u %u %zu\n", in[1], id, clen);
			if (in[1] == END && clen >= 5)
				printf("end %u %u\n", id, in[8 + 4]);
			memmove(in, in + total, have - total);
			have -= total;
		}
		fflush(stdout);
		if (have == sizeof(in))
			have = 0;    /* a flood: keep counting records */
	}
}

/* Sends n bytes one by one, ms apart; stops quietly when the app closes. */
static void
dribble(int fd, const unsigned char *p, size_t n, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < n; i++) {
		if (write(fd, p + i, 1) != 1)
			return;
		nanosleep(&ts, NULL);
	}
}

/* Waits until the app has closed each of the n connections (seen without
 * reading what it sent: POLLRDHUP or POLLHUP) or linger seconds pass. */
static void
wait_closed(const int *fd, int n, int linger)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	struct timespec now, end;
	int open = n;

	if (p == NULL)
		return;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ fd[i], POLLRDHUP, 0 };
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += linger;
	while (open > 0) {
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0 || poll(p, (nfds_t)n, (int)ms) < 0)
			break;
		for (int i = 0; i < n; i++)
			if (p[i].fd >= 0 && p[i].revents != 0) {
				p[i].fd = -1;    /* poll skips it from now on */
				open--;
			}
	}
	free(p);
}

static int
raw_mode(const char *path, int conns, int linger, int wait_ms, int drip_ms)
{
	static unsigned char bytes[1 << 20];
	ssize_t n = slurp(bytes, sizeof(bytes));
	int *fd, closed = 0;

	if (n < 0) {
		perror("fcgi-client: stdin");
		return 1;
	}
	if (conns == 0) {
		int one = dial(path);

		if (one < 0)
			return 1;
		if (drip_ms > 0)
			dribble(one, bytes, (size_t)n, drip_ms);
		else if (put_all(one, bytes, (size_t)n) < 0)
			return 1;
		describe(one, wait_ms);
		close(one);
		return 0;
	}
	if ((fd = calloc((size_t)conns, sizeof(*fd))) == NULL)
		return 1;
	for (int i = 0; i < conns; i++)
		if ((fd[i] = dial(path)) < 0 || put_all(fd[i], bytes, (size_t)n) < 0)
			return 1;
	fprintf(stderr, "held\n");
	wait_closed(fd, conns, linger);
	for (int i = 0; i < conns; i++) {
		static char sink[65536];
		ssize_t r;

		/* Closed by the app: what it sent, read now, then the end. */
		while ((r = recv(fd[i], sink, sizeof(sink), MSG_DONTWAIT)) > 0)
			;
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			closed++;
		close(fd[i]);
	}
	printf("held %d closed %d\n", conns, closed);
	free(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "get", required_argument, NULL, 'g' },
		{ "hold", required_argument, NULL, 'h' },
		{ "keep", required_argument, NULL, 'k' },
		{ "raw", no_argument, NULL, 'r' },
		{ "conns", required_argument, NULL, 'c' },
		{ "linger", required_argument, NULL, 'l' },
		{ "wait", required_argument, NULL, 'w' },
		{ "dribble", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int raw = 0, conns = 0, linger = 10, wait_ms = 2000, drip_ms = 0;
	/* Role responder; flags 0 (close after the answer) or FCGI_KEEP_CONN. */
	unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	const char *get = NULL, *hold_file = NULL;
	struct sockaddr_un sa;
	int c, fd, rc = 1, keep = 0;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'g': get = optarg; break;
		case 'h': hold_file = optarg; break;
		case 'k': keep = atoi(optarg); break;
		case 'r': raw = 1; break;
		case 'c': conns = atoi(optarg); break;
		case 'l': linger = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'd': drip_ms = atoi(optarg); break;
		default:  fputs(USAGE, stderr); return 2;
		}
	}
	if (raw) {
		if (get || keep || hold_file || optind + 1 != argc || conns < 0 ||
		    conns > 4096 || linger < 0 || wait_ms < 0 || drip_ms < 0 ||
		    (drip_ms && conns) ||
		    strlen(argv[optind]) >= sizeof(sa.sun_path)) {
			fputs(USAGE, stderr);
			return 2;
		}
		return raw_mode(argv[optind], conns, linger, wait_ms, drip_ms);
	}
	if (keep < 0 || keep > 1000 || (keep && !get) || optind >= argc ||
	    strlen(argv[optind]) >= sizeof(sa.sun_path)) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (get && (pair_str("REQUEST_METHOD", "GET") < 0 ||
	    pair_str("REQUEST_URI", get) < 0 ||
	    pair_str("DOCUMENT_URI", get) < 0 ||
	    pair_str("QUERY_STRING", "") < 0 ||
	    pair_str("SERVER_PROTOCOL", "HTTP/1.1") < 0 ||
	    pair_str("REMOTE_ADDR", "127.0.0.1") < 0 ||
	    pair_str("HTTP_HOST", "localhost") < 0)) {
		fprintf(stderr, "fcgi-client: %s: path too long\n", get);
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (eq == NULL) {
			fprintf(stderr, "fcgi-client: %s: not NAME=VALUE\n", argv[i]);
			return 2;
		}
		if (pair(argv[i], (size_t)(eq - argv[i]), eq + 1, strlen(eq + 1)) < 0) {
			fprintf(stderr, "fcgi-client: too many parameters\n");
			return 2;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, argv[optind], strlen(argv[optind]) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fcgi-client: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (keep) {
		begin[2] = 1;                     /* FCGI_KEEP_CONN */
		for (int i = 0; i < keep; i++) {
			if (i == 1 && hold_file)
				hold(hold_file);
			struct timespec late = { 0, 10 * 1000 * 1000 };

			if (record(fd, BEGIN, begin, 8) < 0 ||
			    record(fd, PARAMS, params, plen) < 0 ||
			    record(fd, PARAMS, NULL, 0) < 0)
				goto broken;
			nanosleep(&late, NULL);
			if (record(fd, STDIN, NULL, 0) < 0 || read_response(fd) < 0)
				goto broken;
		}
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 200) != 0) {
			fprintf(stderr, "fcgi-client: the app closed a kept "
			    "connection\n");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (record(fd, BEGIN, begin, 8) < 0 || record(fd, PARAMS, params, plen) < 0)
		goto broken;
	if (hold_file)
		hold(hold_file);
	if (record(fd, PARAMS, NULL, 0) < 0)
		goto broken;
	if (get ? record(fd, STDIN, NULL, 0) : send_body(fd))
		goto broken;
	if (read_response(fd) < 0)
		goto broken;
	rc = 0;
	goto out;
broken:
	fprintf(stderr, "fcgi-client: connection ended early: %s\n",
	    errno ? strerror(errno) : "end of file");
out:
	close(fd);
	return rc;
}
