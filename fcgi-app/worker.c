/* worker.c: one worker process: the FastCGI connections it holds, read, answered and timed out in one poll loop. */
#include "worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "fcgi.h"
#include "../store/log.h"
#include "metrics.h"
#include "request.h"
#include "router.h"

/*
 * A worker holds up to worker_connections FastCGI connections and waits on
 * all of them and on the listening socket in one ppoll(). nginx keeps its
 * connections open between requests (fastcgi_keep_conn, upstream
 * keepalive): a request on a kept connection costs no socket(), connect(),
 * accept() or close(), and wakes the worker once, when the request is
 * there (bench/results.md: 165 -> 114 us of server CPU for a 30 KB answer).
 *
 * Nothing a client does holds the worker: a connection's bytes are read as
 * they come (non-blocking) and parsed by fcgi.c, and a request is answered
 * only once it has arrived whole. Each connection has a deadline:
 *  - a request must arrive whole within read_timeout_ms of its first byte
 *    (a stalled or dribbled record costs its sender the connection);
 *  - an answer the client does not read is kept for it, and the connection
 *    closed after write_timeout, while the worker serves the others;
 *  - a connection that carries no request is kept idle_timeout (more than
 *    nginx's upstream keepalive_timeout, so that nginx, which knows when it
 *    is about to send, closes idle connections first).
 * When every slot is taken, a new connection replaces the one idle the
 * longest (then the partial request that began first): whoever holds
 * connections without using them cannot keep nginx's out.
 *
 * Stopping (SIGTERM): the worker accepts no more, answers what arrives on
 * the connections it holds, and exits when they are all closed. A worker
 * that closed one itself could cross a request nginx is just sending on
 * it, which nginx retries for a GET but answers with 502 for a POST. So
 * while stopping, an idle connection is closed only after DRAIN_IDLE_S of
 * silence, or once the stop has lasted drain_s (at most DRAIN_MAX_S, half
 * the shutdown_timeout), and nginx closes first: idle ones after its
 * upstream keepalive_timeout (1 s), busy ones at the end of the first
 * request after keepalive_time (1 s). A connection still in use when the
 * drain ends is logged as a warning.
 */
#define DRAIN_IDLE_S  2.0
#define DRAIN_MAX_S   3.0
#define READ_CHUNK    65536         /* bytes read per read() */
#define READ_ROUND    (4 * READ_CHUNK) /* per connection per wake-up */
#define TRIM_KEEP     65536         /* buffer kept by an idle connection */

/* Set by SIGTERM/SIGINT: finish what is in hand, then exit. */
static volatile sig_atomic_t worker_stop;

static void
on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

struct conn {
	int      fd;            /* -1: a free slot */
	struct fcgi_stream in;
	struct buf out;         /* answer bytes the socket has not taken */
	size_t   out_off;
	double   began;         /* first byte of the request being read; 0 */
	double   out_since;     /* when out began to wait for the client; 0 */
	double   last;          /* last time anything moved on it */
	int      close_after;   /* close once out is sent */
	int      eof;           /* the client closed its end */
};

struct worker {
	const struct config *cfg;
	struct fcgi_limits lim;
	struct conn   *conn;
	size_t         nconn;
	int            listen_fd;
	struct request req;
	struct buf     answer;  /* the response being serialised */
	struct buf     hdr;     /* its record headers */
	struct iovec  *iov;
	size_t         iov_cap;
	struct pollfd *pfd;
	int           *slot;
	double read_timeout, idle_timeout, write_timeout, drain_s;
	double stop_at;         /* when the stop began; 0 = not stopping */
	time_t last_complaint;  /* accept errors, full slots: once a second */
};

/* ---- connections ------------------------------------------------------------ */

static void
conn_close(struct worker *w, struct conn *c, const char *why)
{
	if (why != NULL)
		log_info("closed a FastCGI connection: %s", why);
	close(c->fd);
	fcgi_stream_free(&c->in);
	buf_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	(void)w;
}

static int
conn_idle(const struct conn *c)
{
	return !fcgi_partial(&c->in) && c->out.len == c->out_off &&
	    c->in.phase != FCGI_READY;
}

/*
 * Sends what c->out holds, as far as the socket takes it. Returns 0, or
 * -1 when the connection failed (the caller closes it).
 */
static int
flush_out(struct conn *c, double now)
{
	while (c->out_off < c->out.len) {
		ssize_t n = write(c->fd, c->out.p + c->out_off,
		    c->out.len - c->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (c->out_since == 0)
					c->out_since = now;
				return 0;
			}
			return -1;
		}
		c->out_off += (size_t)n;
		c->last = now;
	}
	buf_reset(&c->out);
	if (c->out.cap > TRIM_KEEP)
		buf_free(&c->out);
	c->out_off = 0;
	c->out_since = 0;
	return 0;
}

/*
 * Writes the answer's records with one writev(), straight from where its
 * two pieces lie: the headers (p, n) and the body (q, m: the response's
 * own buffer, so a page is copied once, when it is filled, not again to
 * join it to its headers). A 30 KB page is two STDOUT records, their end
 * and END_REQUEST: nginx wakes once. What the socket does not take is
 * copied into c->out for later. Returns 0 or -1 (connection failed).
 */
static int
send_answer(struct worker *w, struct conn *c, const char *p, size_t n,
    const char *q, size_t m, double now)
{
	size_t niov, i = 0, want = fcgi_answer_iov_max(n + m) + 2;
	ssize_t k;

	buf_reset(&w->hdr);
	buf_reserve(&w->hdr, fcgi_answer_hdr_size(n + m) + 8);
	if (want > w->iov_cap) {
		w->iov = xrealloc(w->iov, want * sizeof(*w->iov));
		w->iov_cap = want;
	}
	niov = fcgi_answer_iov2(c->in.id, p, n, q, m, (unsigned char *)w->hdr.p,
	    w->iov);
	/* Earlier bytes still waiting go first: keep the order. */
	if (c->out.len == c->out_off) {
		while (i < niov) {
			k = writev(c->fd, w->iov + i, (int)(niov - i > 1024 ? 1024 : niov - i));
			if (k < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				return -1;
			}
			c->last = now;
			while (i < niov && (size_t)k >= w->iov[i].iov_len)
				k -= (ssize_t)w->iov[i++].iov_len;
			if (i < niov) {
				w->iov[i].iov_base = (char *)w->iov[i].iov_base + k;
				w->iov[i].iov_len -= (size_t)k;
			}
		}
	}
	for (; i < niov; i++)
		buf_put(&c->out, w->iov[i].iov_base, w->iov[i].iov_len);
	if (c->out.len > c->out_off && c->out_since == 0)
		c->out_since = now;
	return 0;
}

/* Queues the records the reader made itself (management answers). */
static void
queue_reply(struct conn *c, double now)
{
	if (c->in.reply.len == 0)
		return;
	buf_put(&c->out, c->in.reply.p, c->in.reply.len);
	buf_reset(&c->in.reply);
	if (c->out_since == 0)
		c->out_since = now;
}

/*
 * Answers one request that arrived whole: parse, dispatch through the
 * route table, serialise, send.
 */
static int
serve(struct worker *w, struct conn *c, double now)
{
	struct request *r = &w->req;
	struct fcgi_stream *s = &c->in;
	double start = mono_now();
	struct sv body;
	int rc;

	if (req_begin(r, s->param, s->nparam, (struct sv){ s->body.p, s->body.len },
	    s->body_len) != 0) {
		/* Past REQ_MAX_SEGMENTS no route can match: 404, not 400. */
		if (r->status == 404)
			resp_error(r, 404, "Page not found",
			    "There is no page at this address.");
		else
			resp_error(r, r->status, "Bad request",
			    "This request is malformed.");
	}
	else
		router_dispatch(r);
	buf_reset(&w->answer);
	resp_serialize_head(r, &w->answer);
	body = resp_body(r);
	req_end(r);
	/* The body stays in r->body until the next request resets it. */
	rc = send_answer(w, c, w->answer.p, w->answer.len, body.p, body.n, now);
	if (w->answer.cap > (1u << 22)) /* one huge answer: not kept */
		buf_free(&w->answer);
	r->app->requests++;
	metrics_request(r->route, r->status, mono_now() - start);
	return rc;
}

/*
 * Parses what c has received and answers each request that is whole, in
 * order, as long as the socket takes the answers. Returns 0, or -1 when c
 * is to be closed now.
 */
static int
conn_process(struct worker *w, struct conn *c, double now)
{
	for (;;) {
		enum fcgi_event ev;

		if (c->out.len > c->out_off)
			return 0;     /* the next answer waits for this one */
		ev = fcgi_parse(&c->in, &w->lim);
		queue_reply(c, now);
		if (ev == FCGI_CLOSE) {
			log_info("FastCGI connection refused: %s", c->in.error);
			c->close_after = 1;
			break;
		}
		if (ev == FCGI_MORE)
			break;
		if (serve(w, c, now) < 0)
			return -1;
		if (!c->in.keep)
			c->close_after = 1;
		fcgi_request_done(&c->in);
		if (c->close_after)
			break;
	}
	if (fcgi_partial(&c->in)) {
		if (c->began == 0)
			c->began = now;
	} else
		c->began = 0;
	if (flush_out(c, now) < 0)
		return -1;
	if (c->close_after && c->out.len == c->out_off)
		return -1;
	if (conn_idle(c))
		fcgi_stream_trim(&c->in, TRIM_KEEP);
	return 0;
}

/*
 * Reads what c has sent (bounded per wake-up, so one client cannot keep
 * the worker to itself) and acts on it. A read shorter than asked for
 * took everything the socket held: the next is left to the next wake-up
 * (ppoll is level-triggered, so nothing that comes meanwhile, an end of
 * stream included, is missed), which saves a read that would only say
 * EAGAIN on every request. Returns 0, or -1 to close c.
 */
static int
conn_read(struct worker *w, struct conn *c, double now)
{
	size_t got = 0;

	while (got < READ_ROUND) {
		ssize_t n;

		buf_reserve(&c->in.in, READ_CHUNK);
		n = read(c->fd, c->in.in.p + c->in.in.len, READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		if (n == 0) {
			c->eof = 1;
			break;
		}
		c->in.in.len += (size_t)n;
		c->in.in.p[c->in.in.len] = '\0';
		got += (size_t)n;
		c->last = now;
		/* No request needs more than this in flight: the rest is a
		 * client sending faster than it is answered. */
		if (c->in.in.len - c->in.in_off > w->lim.params_max +
		    w->lim.stdin_max + 4 * 65544)
			break;
		if ((size_t)n < READ_CHUNK)
			break;
	}
	if (conn_process(w, c, now) < 0)
		return -1;
	if (c->eof && c->out.len == c->out_off)
		return -1;            /* nothing left to answer */
	return 0;
}

/* ---- accepting ----------------------------------------------------------------- */

/* A slot for a new connection: a free one, else the one to give up. */
static struct conn *
slot_for_new(struct worker *w)
{
	struct conn *idle = NULL, *partial = NULL;

	for (size_t i = 0; i < w->nconn; i++) {
		struct conn *c = &w->conn[i];

		if (c->fd < 0)
			return c;
		if (conn_idle(c)) {
			if (idle == NULL || c->last < idle->last)
				idle = c;
		} else if (fcgi_partial(&c->in) && c->out.len == c->out_off) {
			if (partial == NULL || c->began < partial->began)
				partial = c;
		}
	}
	if (idle == NULL)
		idle = partial;
	if (idle != NULL) {
		if (time(NULL) != w->last_complaint) {
			w->last_complaint = time(NULL);
			log_warn("all %zu connections of this worker are taken: "
			    "a new one replaces the one unused the longest "
			    "(worker_connections)", w->nconn);
		}
		conn_close(w, idle, NULL);
	}
	return idle;
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
 * Accepts one waiting connection: every idle worker is woken by a new
 * connection, and one that took several would serve them in turn while
 * the others idle (the socket stays readable, so a worker comes back for
 * the next at once). Returns -1 when the listening socket cannot be used
 * any more (logged), else 0.
 */
static int
accept_new(struct worker *w, const sigset_t *waitmask, double now)
{
	int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c;

	if (fd < 0) {
		switch (errno) {
		case EAGAIN:      /* another worker took it */
		case EINTR:
		case ECONNABORTED:
			return 0;
		case EBADF:
		case EINVAL:
		case ENOTSOCK:
		case EOPNOTSUPP:
			log_err("accept: %s", strerror(errno));
			return -1;
		default:
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM...: retrying at once
			 * would spin; say so once a second. */
			if (time(NULL) != w->last_complaint) {
				w->last_complaint = time(NULL);
				log_warn("accept: %s", strerror(errno));
			}
			accept_pause(waitmask);
			return 0;
		}
	}
	if ((c = slot_for_new(w)) == NULL) {
		close(fd);            /* every slot is answering: rare */
		return 0;
	}
	c->fd = fd;
	fcgi_stream_init(&c->in);
	c->last = now;
	return 0;
}

/* ---- the loop ------------------------------------------------------------------ */

/* The moment c is to be closed. */
static double
deadline_of(const struct worker *w, const struct conn *c)
{
	if (c->out.len > c->out_off)
		return c->out_since + w->write_timeout;
	if (fcgi_partial(&c->in))
		return c->began + w->read_timeout;
	if (w->stop_at != 0) {
		double end = c->last + DRAIN_IDLE_S;

		if (end > w->stop_at + w->drain_s)
			end = w->stop_at + w->drain_s;
		return end;
	}
	return c->last + w->idle_timeout;
}

/* What is logged when c reaches its deadline: idle ones go silently. */
static const char *
deadline_why(const struct conn *c)
{
	if (c->out.len > c->out_off)
		return "the client did not read its answer (write_timeout)";
	if (fcgi_partial(&c->in))
		return "a request did not arrive whole in time (read_timeout_ms)";
	return NULL;
}

/*
 * Waits on the connections and the listening socket and answers requests
 * until a stop has drained every connection. Returns the exit status.
 */
static int
serve_loop(struct worker *w, const sigset_t *waitmask)
{
	for (;;) {
		double now = mono_now(), next = 0;
		size_t n = 0;
		int timeout;

		if (worker_stop && w->stop_at == 0) {
			w->stop_at = now;
			/* Every idle connection's silence counts from here. */
			for (size_t i = 0; i < w->nconn; i++)
				if (w->conn[i].fd >= 0)
					w->conn[i].last = now;
		}
		for (size_t i = 0; i < w->nconn; i++) {
			struct conn *c = &w->conn[i];
			double end;

			if (c->fd < 0)
				continue;
			end = deadline_of(w, c);
			if (now >= end) {
				const char *why = deadline_why(c);

				if (w->stop_at != 0 && c->last > w->stop_at &&
				    now < c->last + DRAIN_IDLE_S && why == NULL)
					log_warn("stopping: closed a FastCGI connection the "
					    "front end used %.1f s ago, at the end of the "
					    "drain (a request it sends on it now fails; "
					    "nginx's upstream keepalive_time must be "
					    "shorter than %.0f s)", now - c->last, w->drain_s);
				conn_close(w, c, why);
				continue;
			}
			if (next == 0 || end < next)
				next = end;
			w->pfd[n] = (struct pollfd){ c->fd,
			    (short)(c->out.len > c->out_off ? POLLOUT : POLLIN | POLLRDHUP), 0 };
			w->slot[n++] = (int)i;
		}
		/* Last: connections are served before new ones take a slot
		 * (which may close one of them). */
		if (w->stop_at == 0) {
			w->pfd[n] = (struct pollfd){ w->listen_fd, POLLIN, 0 };
			w->slot[n++] = -1;
		}
		if (n == 0)
			return 0;             /* stopped, every connection closed */
		timeout = next == 0 ? -1 : (int)((next - now) * 1e3) + 1;

		struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

		if (ppoll(w->pfd, (nfds_t)n, timeout < 0 ? NULL : &ts, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			log_err("ppoll: %s", strerror(errno));
			return 1;
		}
		now = mono_now();
		for (size_t k = 0; k < n; k++) {
			short re = w->pfd[k].revents;
			struct conn *c;

			if (re == 0)
				continue;
			if (w->slot[k] < 0) {
				if (re & (POLLERR | POLLHUP | POLLNVAL)) {
					log_err("listening socket: %s",
					    (re & POLLNVAL) ? "not an open descriptor" :
					    "error or hang-up");
					return 1;
				}
				if (accept_new(w, waitmask, now) < 0)
					return 1;
				continue;
			}
			c = &w->conn[w->slot[k]];
			if (c->fd < 0)
				continue;     /* given up for a new one meanwhile */
			if (re & POLLNVAL) {
				conn_close(w, c, NULL);
				continue;
			}
			if (re & POLLOUT) {
				if (flush_out(c, now) < 0 ||
				    conn_process(w, c, now) < 0)
					conn_close(w, c, NULL);
				continue;
			}
			if (conn_read(w, c, now) < 0)
				conn_close(w, c, NULL);
		}
	}
}

/*
 * Descriptors for every connection: raises the soft limit when it is too
 * low, else holds fewer connections (logged).
 */
static size_t
fit_descriptors(size_t want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return want;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return want;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur <= 64 + 4)
		return 4;
	log_warn("worker_connections %zu: only %llu descriptors allowed; "
	    "holding %llu connections", want, (unsigned long long)rl.rlim_cur,
	    (unsigned long long)(rl.rlim_cur - 64));
	return (size_t)(rl.rlim_cur - 64);
}

int
worker_run(const struct config *cfg, struct pcache *pc, int listen_fd,
    pid_t master, int ready_fd)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	struct worker w;
	struct app app;
	pid_t self = getpid();
	int status;

	/* Its own CSRF pads: the master's stream, if it had one, is shared
	 * by every worker it forked. */
	session_pads_reseed();

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
	app_open(&app, cfg, pc);
	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.listen_fd = listen_fd;
	w.nconn = fit_descriptors((size_t)cfg->worker_connections);
	/* nginx's own limits are 8 KB of headers in a buffer and 64 KB of
	 * body; a cookie-heavy request stays far below these. */
	w.lim = (struct fcgi_limits){ .params_max = 65536,
	    .stdin_max = (size_t)cfg->max_body, .max_conns = (unsigned)w.nconn };
	w.read_timeout = (double)cfg->read_timeout_ms / 1e3;
	w.idle_timeout = (double)cfg->idle_timeout;
	w.write_timeout = (double)cfg->write_timeout;
	w.drain_s = (double)cfg->shutdown_timeout / 2;
	if (w.drain_s > DRAIN_MAX_S)
		w.drain_s = DRAIN_MAX_S;
	w.conn = xcalloc(w.nconn, sizeof(*w.conn));
	for (size_t i = 0; i < w.nconn; i++)
		w.conn[i].fd = -1;
	w.pfd = xcalloc(w.nconn + 1, sizeof(*w.pfd));
	w.slot = xcalloc(w.nconn + 1, sizeof(*w.slot));
	req_init(&w.req, &app);

	/* Tell the master this worker accepts (it says READY=1 to systemd and
	 * retires an older generation once every new worker has). */
	if (ready_fd >= 0) {
		if (write(ready_fd, &self, sizeof(self)) != (ssize_t)sizeof(self))
			log_warn("telling the master we are ready: %s",
			    strerror(errno));
		close(ready_fd);
	}

	status = serve_loop(&w, &waitmask);
	for (size_t i = 0; i < w.nconn; i++)
		if (w.conn[i].fd >= 0)
			conn_close(&w, &w.conn[i], NULL);
	free(w.conn);
	free(w.pfd);
	free(w.slot);
	free(w.iov);
	buf_free(&w.answer);
	buf_free(&w.hdr);
	req_free(&w.req);
	app_close(&app);
	log_debug("worker exits after %llu requests",
	    (unsigned long long)app.requests);
	return status;
}
