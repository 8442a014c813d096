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
 * Writes the whole response with one writev() on the request's connection:
 * the page as FastCGI STDOUT records, the empty record that ends stdout
 * and FCGI_END_REQUEST. libfcgi's stdout stream has a fixed 8 KB buffer
 * (FCGX_Accept_r creates it with NewWriter(..., 8192, ...); no call sizes
 * it), so FCGX_PutStr of a 30 KB page made four write()s, each waking
 * nginx, and FCGX_Finish_r wrote the two end records with a fifth: nginx
 * woke once for the page and again for the end. The stream is then marked
 * closed so that FCGX_Finish_r sends nothing more. ipcFd, requestId and
 * the stream's wasFCloseCalled belong to libfcgi's structures, which the
 * caller allocates (FCGX_Request) or fcgiapp.h declares (FCGX_Stream): its
 * 2.4.x ABI. Measured with bench/ (server CPU per request, nginx + app +
 * Redis): the one writev for the page, cold profile GET about 196 -> 160
 * us, signed-in Redis hit about 262 -> 205 us. Returns 0, or -1 when the
 * connection failed (then it is not kept).
 */
#define FCGI_REC_MAX 65528u        /* content per record: 8-aligned, < 64 KiB */
#define FCGI_BATCH   16            /* STDOUT records per writev() */

static void
fcgi_header(unsigned char h[8], int type, int id, size_t len)
{
	h[0] = 1;                          /* FCGI_VERSION_1 */
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = 0;                          /* no padding */
	h[7] = 0;
}

static int
put_response(FCGX_Request *fr, const char *p, size_t n)
{
	unsigned char hdr[FCGI_BATCH][8];
	/* The empty STDOUT record, then FCGI_END_REQUEST: app status 0,
	 * FCGI_REQUEST_COMPLETE. */
	unsigned char end[24] = { 0 };
	struct iovec iov[2 * FCGI_BATCH + 1];
	int last = 0;

	fcgi_header(end, 6, fr->requestId, 0);
	fcgi_header(end + 8, 3, fr->requestId, 8);
	fr->out->wasFCloseCalled = 1;
	while (!last) {
		int niov = 0;

		for (int k = 0; k < FCGI_BATCH && n > 0; k++) {
			size_t c = n < FCGI_REC_MAX ? n : FCGI_REC_MAX;

			fcgi_header(hdr[k], 6, fr->requestId, c);
			iov[niov++] = (struct iovec){ hdr[k], 8 };
			iov[niov++] = (struct iovec){ (void *)p, c };
			p += c;
			n -= c;
		}
		if (n == 0) {
			iov[niov++] = (struct iovec){ end, sizeof(end) };
			last = 1;
		}
		for (int i = 0; i < niov;) {
			ssize_t w = writev(fr->ipcFd, iov + i, niov - i);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				fr->keepConnection = 0;
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
 * Reads what is left of the request's stdin (at most 1 MiB; nginx's
 * client_max_body_size is 64k). When its end record was seen, the
 * connection is marked detached, so closing it later is a plain close().
 * Otherwise it must not be kept for another request (the rest of this
 * body would be read as the next one), and libfcgi closes it the old way:
 * shutdown() and a wait until nginx closes its end, so that late request
 * bytes do not turn into a reset. Measured with bench/ before connections
 * were kept (server CPU per request): cold profile GET about 230 -> 196
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
	else {
		fr->keepConnection = 0;
		fr->detached = 0;     /* an earlier request's mark */
	}
}

/*
 * Answers one request: parse, dispatch through the route table, serialise,
 * read what is left of stdin, write. Only this function touches the
 * FastCGI stream. Stdin is read to its end before the answer goes out:
 * once nginx has FCGI_END_REQUEST it may send the next request on the
 * connection, and a read of stdin after that could take the next request's
 * first records into this request's buffer, which FCGX_Finish_r frees.
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
	finish_input(fr);
	if (put_response(fr, out->p, out->len) != 0)
		log_info("client went away before the response was written");
	r->app->requests++;
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
 * Says what an accept error means. Returns -1 when the listening socket
 * cannot be used any more (logged), else 0.
 */
static int
accept_failed(int err, const sigset_t *waitmask, time_t *last_complaint)
{
	switch (err) {
	case EAGAIN:              /* another worker took the connection */
	case EINTR:
	case ECONNABORTED:
		return 0;
	case EBADF:
	case EINVAL:
	case ENOTSOCK:
	case EOPNOTSUPP:
		log_err("accept: %s", strerror(err));
		return -1;
	default:
		/* EMFILE, ENFILE, ENOBUFS, ENOMEM...: retrying at once would
		 * spin; say so once a second at most. */
		if (time(NULL) != *last_complaint) {
			*last_complaint = time(NULL);
			log_warn("accept: %s", err == 9999 ? "failed" :
			    strerror(err));
		}
		accept_pause(waitmask);
		return 0;
	}
}

/*
 * The FastCGI connections of one worker. nginx keeps connections open
 * between requests (fastcgi_keep_conn and upstream keepalive in
 * nginx/bzpeer-site.conf.in): a request on a kept connection costs no
 * socket(), connect(), accept() or close(), and wakes the worker once,
 * when the request is there. Measured with bench/ on a 30 KB answer from
 * memory: 165 -> 114 us of server CPU per request.
 *
 * libfcgi alone reads the next request of a kept connection with a
 * blocking read: the worker would belong to one nginx connection until
 * nginx dropped it, and new connections would wait for workers that never
 * come free (MACHINE-NOTES: p99 ~1 s). Here a worker holds up to
 * WORKER_CONNS connections, one FCGX_Request each, waits on all of them
 * and on the listening socket in one ppoll(), and answers whichever has a
 * request, one request at a time. A worker whose slots are all taken
 * leaves new connections to the others.
 *
 * Stopping (SIGTERM): the worker accepts no more, answers what arrives on
 * the connections it holds, and exits when nginx has closed them all:
 * nginx closes an idle kept connection after the upstream's
 * keepalive_timeout and any connection after keepalive_requests. A worker
 * that closed a kept connection itself could cross a request nginx is just
 * sending on it; nginx retries a GET on another worker but answers a POST
 * with 502. So the worker closes one only after DRAIN_IDLE_S of silence
 * (an nginx configured without those limits) or once the stop has lasted
 * DRAIN_MAX_S (at most half the shutdown_timeout).
 */
#define WORKER_CONNS   64
#define DRAIN_IDLE_S   2.0
#define DRAIN_MAX_S    3.0

struct conns {
	FCGX_Request fr[WORKER_CONNS];
	double   last_s[WORKER_CONNS];   /* stopping: when it was last busy */
	int      listen_fd;
};

/* Closes a held connection between two requests. */
static void
conn_close(FCGX_Request *fr)
{
	FCGX_Detach(fr);          /* nothing is left to read: a plain close */
	FCGX_Free(fr, 1);
}

/*
 * Reads the next request on slot i (on a new connection from the
 * listening socket when the slot holds none), answers it and finishes it;
 * nginx's flag on the request says whether the connection stays open.
 * Returns 0, or the error of FCGX_Accept_r when no request came (the slot
 * then holds no connection).
 */
static int
answer(struct conns *cs, int i, struct request *req, struct buf *out)
{
	FCGX_Request *fr = &cs->fr[i];
	int rc;

	/* On a held connection that fails, libfcgi closes it and accepts on
	 * listen_sock: never from here, where the listening socket was not
	 * seen readable (and a stopping worker must not accept). */
	fr->listen_sock = fr->ipcFd >= 0 ? -1 : cs->listen_fd;
	rc = FCGX_Accept_r(fr);
	if (rc < 0)
		return rc == -9999 ? 9999 : -rc;
	serve(req, fr, out);
	FCGX_Finish_r(fr);
	if (worker_stop)          /* only a stop's idle rule reads it */
		cs->last_s[i] = mono_now();
	return 0;
}

/*
 * Waits on the held connections and the listening socket and answers
 * requests until a stop has drained every connection (see struct conns).
 * Returns the worker's exit status.
 */
static int
serve_loop(struct conns *cs, struct request *req, struct buf *out,
    double drain_s, const sigset_t *waitmask)
{
	time_t last_complaint = 0;
	double stop_at = 0;     /* when the stop began; 0 = not stopping */

	for (;;) {
		struct pollfd pfd[WORKER_CONNS + 1];
		int slot[WORKER_CONNS + 1];
		int n = 0, free_slot = -1, timeout = -1;
		double now = 0;

		if (worker_stop && stop_at == 0) {
			stop_at = mono_now();
			for (int i = 0; i < WORKER_CONNS; i++)
				cs->last_s[i] = stop_at;
		}
		if (stop_at != 0)
			now = mono_now();
		for (int i = 0; i < WORKER_CONNS; i++) {
			if (cs->fr[i].ipcFd < 0) {
				if (free_slot < 0)
					free_slot = i;
				continue;
			}
			if (stop_at != 0) {
				double end = cs->last_s[i] + DRAIN_IDLE_S;

				if (end > stop_at + drain_s)
					end = stop_at + drain_s;
				if (now >= end) {
					conn_close(&cs->fr[i]);
					if (free_slot < 0)
						free_slot = i;
					continue;
				}
				if (timeout < 0 || (end - now) * 1e3 < timeout)
					timeout = (int)((end - now) * 1e3) + 1;
			}
			pfd[n] = (struct pollfd){ cs->fr[i].ipcFd,
			    POLLIN | POLLRDHUP, 0 };
			slot[n++] = i;
		}
		if (stop_at == 0 && free_slot >= 0) {
			pfd[n] = (struct pollfd){ cs->listen_fd, POLLIN, 0 };
			slot[n++] = -1;
		}
		if (n == 0)
			return 0;             /* stopped, every connection closed */

		struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

		if (ppoll(pfd, (nfds_t)n, timeout < 0 ? NULL : &ts, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			log_err("ppoll: %s", strerror(errno));
			return 1;
		}
		for (int k = 0; k < n; k++) {
			int i = slot[k], err;

			if (pfd[k].revents == 0)
				continue;
			if (i < 0) {
				if (pfd[k].revents & (POLLERR | POLLHUP | POLLNVAL)) {
					log_err("listening socket: %s",
					    (pfd[k].revents & POLLNVAL) ?
					    "not an open descriptor" :
					    "error or hang-up");
					return 1;
				}
				/* Non-blocking: another worker may have taken
				 * the connection; then accept answers EAGAIN. */
				err = answer(cs, free_slot, req, out);
				if (err != 0 && accept_failed(err, waitmask,
				    &last_complaint) < 0)
					return 1;
			} else if (pfd[k].revents & (POLLRDHUP | POLLHUP |
			    POLLERR | POLLNVAL)) {
				/* nginx closed it (nginx never half-closes a
				 * connection it means to send on). */
				conn_close(&cs->fr[i]);
			} else if ((err = answer(cs, i, req, out)) != 0)
				log_debug("a kept connection ended without a "
				    "request (%s)", strerror(err));
		}
	}
}

int
worker_run(const struct config *cfg, int listen_fd, pid_t master, int ready_fd)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	struct conns cs;
	struct request req;
	struct buf out = BUF_INIT;
	struct app app;
	pid_t self = getpid();
	double drain_s;
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
	cs.listen_fd = listen_fd;
	for (int i = 0; i < WORKER_CONNS; i++) {
		if (FCGX_InitRequest(&cs.fr[i], listen_fd,
		    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
			log_err("FCGX_InitRequest failed");
			status = 1;
			goto app_close;
		}
	}
	drain_s = (double)cfg->shutdown_timeout / 2;
	if (drain_s > DRAIN_MAX_S)
		drain_s = DRAIN_MAX_S;

	/* Tell the master this worker accepts (it says READY=1 to systemd and
	 * retires an older generation once every new worker has). */
	if (ready_fd >= 0) {
		if (write(ready_fd, &self, sizeof(self)) != (ssize_t)sizeof(self))
			log_warn("telling the master we are ready: %s",
			    strerror(errno));
		close(ready_fd);
	}

	status = serve_loop(&cs, &req, &out, drain_s, &waitmask);
	for (int i = 0; i < WORKER_CONNS; i++) {
		if (cs.fr[i].ipcFd >= 0)
			conn_close(&cs.fr[i]);
		FCGX_Free(&cs.fr[i], 0);
	}
app_close:
	req_free(&req);
	buf_free(&out);
	app_close(&app);
	log_debug("worker exits after %llu requests",
	    (unsigned long long)app.requests);
	return status;
}
