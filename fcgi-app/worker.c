/* worker.c: the FastCGI accept loop of one worker process. */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "log.h"
#include "request.h"
#include "router.h"

/* Set by SIGTERM/SIGINT: finish the request in hand, then exit. */
static volatile sig_atomic_t worker_stop;

static void
on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/* The request's body hook: FastCGI stdin. */
static int
read_stdin(void *ctx, char *p, int n)
{
	return FCGX_GetStr(p, n, (FCGX_Stream *)ctx);
}

/*
 * Writes the response as FastCGI STDOUT records with one writev() on the
 * request's connection. libfcgi's stdout stream has a fixed 8 KB buffer
 * (FCGX_Accept_r creates it with NewWriter(..., 8192, ...); no call sizes
 * it), so FCGX_PutStr of a 30 KB page made four write()s, each waking
 * nginx. The stream itself stays empty, so FCGX_Finish_r still sends the
 * end of stdout and FCGI_END_REQUEST as before. ipcFd sits below the
 * "don't use" line of fcgiapp.h, but FCGX_Request is allocated by the
 * caller and its layout is libfcgi's ABI (2.4.x). Measured with bench/
 * (server CPU per request, nginx + app + Redis): cold profile GET about
 * 196 -> 160 us, signed-in Redis hit about 262 -> 205 us; nginx's share
 * falls most (fewer wake-ups). Returns 0, or -1 when the connection failed.
 */
#define FCGI_REC_MAX 65528u        /* content per record: 8-aligned, < 64 KiB */

static int
put_stdout(FCGX_Request *fr, const char *p, size_t n)
{
	unsigned char hdr[16][8];
	struct iovec iov[32];

	while (n > 0) {
		int niov = 0;

		for (int k = 0; k < 16 && n > 0; k++) {
			size_t c = n < FCGI_REC_MAX ? n : FCGI_REC_MAX;

			hdr[k][0] = 1;                          /* FCGI_VERSION_1 */
			hdr[k][1] = 6;                          /* FCGI_STDOUT */
			hdr[k][2] = (unsigned char)(fr->requestId >> 8);
			hdr[k][3] = (unsigned char)fr->requestId;
			hdr[k][4] = (unsigned char)(c >> 8);
			hdr[k][5] = (unsigned char)c;
			hdr[k][6] = 0;                          /* no padding */
			hdr[k][7] = 0;
			iov[niov++] = (struct iovec){ hdr[k], 8 };
			iov[niov++] = (struct iovec){ (void *)p, c };
			p += c;
			n -= c;
		}
		for (int i = 0; i < niov;) {
			ssize_t w = writev(fr->ipcFd, iov + i, niov - i);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			while (i < niov && (size_t)w >= iov[i].iov_len)
				w -= (ssize_t)iov[i++].iov_len;
			if (i < niov) {
				iov[i].iov_base = (char *)iov[i].iov_base + w;
				iov[i].iov_len -= (size_t)w;
			}
		}
	}
	return 0;
}

/*
 * Answers one request: parse, dispatch through the route table, serialise,
 * write. Only this function touches the FastCGI stream.
 */
static void
serve(struct request *r, FCGX_Request *fr, struct buf *out)
{
	r->read_body = read_stdin;
	r->read_ctx = fr->in;
	if (req_begin(r, fr->envp) != 0)
		resp_error(r, r->status, "Bad request",
		    "The address of this request is malformed.");
	else
		router_dispatch(r);
	buf_reset(out);
	resp_serialize(r, out);
	req_end(r);
	if (put_stdout(fr, out->p, out->len) != 0)
		log_info("client went away before the response was written");
	r->app->requests++;
}

/*
 * Reads what is left of the request's stdin (at most 1 MiB; nginx's
 * client_max_body_size is 64k) and, when its end record was seen, marks
 * the connection detached, so FCGX_Finish_r closes it at once. Otherwise
 * libfcgi shuts the socket down and waits in poll() until nginx closes its
 * end: a sleep and a wake-up of every worker on every request, meant to
 * keep a TCP stack from answering late request bytes with a reset. With
 * the whole request read there are no late bytes and the wait buys
 * nothing; a request not read to its end keeps the old close. Measured
 * with bench/ (server CPU per request): cold profile GET about 230 -> 196
 * us, signed-in Redis hit about 330 -> 262 us; 3 system calls fewer.
 */
static void
finish_input(FCGX_Request *fr)
{
	char tmp[4096];
	size_t total = 0;
	int n;

	while (total < (1u << 20) &&
	    (n = FCGX_GetStr(tmp, (int)sizeof(tmp), fr->in)) > 0)
		total += (size_t)n;
	if (FCGX_HasSeenEOF(fr->in) == EOF && FCGX_GetError(fr->in) == 0)
		FCGX_Detach(fr);
}

/*
 * Pauses about 100 ms after an accept error that a retry at once would only
 * repeat (no descriptors or memory left), with SIGTERM deliverable.
 */
static void
accept_pause(const sigset_t *waitmask)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	if (ppoll(NULL, 0, &ts, waitmask) < 0 && errno != EINTR)
		log_warn("ppoll: %s", strerror(errno));
}

/*
 * Waits until the listening socket is readable. SIGTERM and SIGINT are
 * deliverable only inside this wait. Returns 1 when a connection may be
 * waiting, 0 when a signal came (the caller looks at worker_stop), -1 when
 * the socket can no longer be used (logged).
 */
static int
wait_readable(int fd, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
		if (errno == EINTR)
			return 0;
		log_err("ppoll on the listening socket: %s", strerror(errno));
		return -1;
	}
	if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		log_err("listening socket: %s", (pfd.revents & POLLNVAL) ?
		    "not an open descriptor" : "error or hang-up");
		return -1;
	}
	return 1;
}

int
worker_run(const struct config *cfg, int listen_fd, pid_t master, int ready_fd)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	FCGX_Request fr;
	struct request req;
	struct buf out = BUF_INIT;
	struct app app;
	pid_t self = getpid();
	time_t last_complaint = 0;
	int status = 0;

	/* The master going away (even by kill -9) ends its workers. The pid
	 * comes from the master: getppid() here could already be init's. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		log_warn("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	if (getppid() != master) {
		log_warn("the master (%ld) went away before this worker started",
		    (long)master);
		return 0;
	}

	/* The master forks with SIGTERM, SIGINT and SIGHUP blocked, so one
	 * sent now waits for our handler instead of killing us half made. */
	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) {
		log_err("sigaction: %s", strerror(errno));
		return 1;
	}
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0) {
		log_err("sigaction: %s", strerror(errno));
		return 1;
	}
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) < 0) {
		log_err("sigaction: %s", strerror(errno));
		return 1;
	}

	/* SIGTERM is held while a request is being served and delivered only
	 * inside ppoll(): no request is cut short, and none is lost between
	 * checking the flag and waiting. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigemptyset(&waitmask);
	if (sigprocmask(SIG_SETMASK, &block, NULL) < 0) {
		log_err("sigprocmask: %s", strerror(errno));
		return 1;
	}

	/* A store that does not open is not a reason to exit: the master
	 * would only start another worker that fails the same way. Pages
	 * answer 503 until a reload brings a good store. */
	app_open(&app, cfg);
	req_init(&req, &app);
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("FCGX_InitRequest failed");
		status = 1;
		goto app_close;
	}

	/* Tell the master this worker accepts (it says READY=1 to systemd and
	 * retires an older generation once every new worker has). */
	if (ready_fd >= 0) {
		if (write(ready_fd, &self, sizeof(self)) != (ssize_t)sizeof(self))
			log_warn("telling the master we are ready: %s",
			    strerror(errno));
		close(ready_fd);
	}

	while (!worker_stop) {
		int rc = wait_readable(listen_fd, &waitmask);

		if (rc < 0) {
			status = 1;
			break;
		}
		if (rc == 0 || worker_stop)
			continue;
		/* The listening socket is non-blocking: another worker may have
		 * taken the connection; then accept answers EAGAIN. */
		rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			switch (-rc) {
			case EAGAIN:
			case EINTR:
			case ECONNABORTED:
				break;
			case EBADF:
			case EINVAL:
			case ENOTSOCK:
			case EOPNOTSUPP:
				log_err("accept: %s", strerror(-rc));
				status = 1;
				goto request_free;
			default:
				/* EMFILE, ENFILE, ENOBUFS, ENOMEM...: retrying at
				 * once would spin; say so once a second at most. */
				if (time(NULL) != last_complaint) {
					last_complaint = time(NULL);
					log_warn("accept: %s", rc == -9999 ?
					    "failed" : strerror(-rc));
				}
				accept_pause(&waitmask);
				break;
			}
			continue;
		}
		serve(&req, &fr, &out);
		finish_input(&fr);
		FCGX_Finish_r(&fr);
	}
request_free:
	FCGX_Free(&fr, 1);
app_close:
	req_free(&req);
	buf_free(&out);
	app_close(&app);
	log_debug("worker exits after %llu requests",
	    (unsigned long long)app.requests);
	return status;
}
