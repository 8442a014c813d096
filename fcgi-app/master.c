/* master.c: prefork master: listening socket, worker supervision, signals, sd_notify. */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "../views/views.h"
#include "../store/log.h"
#include "metrics.h"
#include "worker.h"

/* Two generations of the largest pool (256) during a reload, and spare. */
#define MAX_CHILDREN 1024
#define BACKOFF_MIN  0.1
#define BACKOFF_MAX  5.0

struct child {
	pid_t    pid;        /* 0: a free slot */
	unsigned gen;        /* workers of an older generation are retiring */
	double   started;
	int      ready;      /* it said it accepts */
	int      termed;     /* we sent it SIGTERM */
	double   kill_at;    /* termed: SIGKILL if still alive then */
	int      killed;     /* we sent it SIGKILL */
};

struct master {
	const struct config *cfg;
	int      listen_fd;
	int      owned;          /* remove cfg->listen when stopping */
	int      sig_fd;         /* signalfd: SIGCHLD, SIGTERM, SIGINT, SIGHUP */
	int      ready_rd;       /* workers write their pid here once they accept */
	int      ready_wr;
	unsigned gen;            /* the generation that should be serving */
	size_t   want;           /* workers per generation */
	size_t   pending;        /* workers of gen still to start */
	double   respawn_at;     /* not before this time */
	double   backoff;        /* next wait when workers die at start */
	double   backed_off_at;  /* when the last wait was decided */
	int      stopping;
	double   deadline;       /* when stopping: kill who is still busy */
	int      said_ready;     /* READY=1 sent */
	int      retiring;       /* an older generation still serves */
	struct pcache *pcache;   /* the node's page cache, shared by every worker */
	struct child children[MAX_CHILDREN];
};

/* Where cfg->listen was when we made it, so that we remove only our own. */
static struct stat sock_st;

/* ---- the socket ---------------------------------------------------------- */

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * Takes fd 3 from systemd. Returns it, or -1 (logged) when it is not a
 * listening stream socket.
 */
static int
take_systemd_socket(long nfds)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(int);
	int fd = 3, type = 0, acc = 0;

	if (nfds > 1)
		log_warn("LISTEN_FDS=%ld: serving on the first socket only", nfds);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM) {
		log_err("LISTEN_FDS: fd 3 is not a stream socket");
		return -1;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 || !acc) {
		log_err("LISTEN_FDS: fd 3 is not listening");
		return -1;
	}
	if (set_nonblock(fd) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		log_err("LISTEN_FDS: fd 3: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	len = sizeof(sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    sun.sun_family == AF_UNIX && sun.sun_path[0] != '\0')
		log_info("listening on %s, passed by systemd", sun.sun_path);
	else
		log_info("listening on the socket passed by systemd");
	return fd;
}

/*
 * Whether a server answers on the unix socket at path: 1 yes, 0 no (stale
 * file), -1 cannot tell (logged).
 */
static int
socket_in_use(const struct sockaddr_un *sun)
{
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0)
		rc = 1;
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = 0;
	else {
		log_err("listen: probing %s: %s", sun->sun_path, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int
master_listen(const struct config *cfg, int *owned)
{
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	*owned = 0;
	if (lp != NULL && lf != NULL && atol(lp) == (long)getpid()) {
		long n = atol(lf);

		/* Ours: the workers must not see it (they never exec, but a
		 * child of theirs could). */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (n < 1) {
			log_err("LISTEN_FDS=\"%s\": no socket passed", lf);
			return -1;
		}
		return take_systemd_socket(n);
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(cfg->listen) >= sizeof(sun.sun_path)) {
		log_err("listen: \"%s\" is too long for a unix socket path",
		    cfg->listen);
		return -1;
	}
	strcpy(sun.sun_path, cfg->listen);
	/* A socket file left by a crash is replaced; one that a live server
	 * answers on, or anything else, is not. */
	if (lstat(cfg->listen, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("listen: %s exists and is not a socket", cfg->listen);
			return -1;
		}
		switch (socket_in_use(&sun)) {
		case 1:
			log_err("listen: another server answers on %s", cfg->listen);
			return -1;
		case 0:
			break;
		default:
			return -1;
		}
		if (unlink(cfg->listen) < 0 && errno != ENOENT) {
			log_err("listen: removing the stale %s: %s", cfg->listen,
			    strerror(errno));
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		log_err("listen: bind %s: %s", cfg->listen, strerror(errno));
		goto fail;
	}
	if (chmod(cfg->listen, (mode_t)cfg->socket_mode) < 0) {
		log_err("socket_mode: chmod %s: %s", cfg->listen, strerror(errno));
		goto unlink;
	}
	if (lstat(cfg->listen, &sock_st) < 0) {
		log_err("listen: %s: %s", cfg->listen, strerror(errno));
		goto unlink;
	}
	if (listen(fd, 1024) < 0 || set_nonblock(fd) < 0) {
		log_err("listen %s: %s", cfg->listen, strerror(errno));
		goto unlink;
	}
	*owned = 1;
	log_info("listening on %s", cfg->listen);
	return fd;
unlink:
	unlink(cfg->listen);
fail:
	close(fd);
	return -1;
}

/* Removes our socket file, unless another server has put its own there. */
static void
remove_socket(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (st.st_dev != sock_st.st_dev || st.st_ino != sock_st.st_ino) {
		log_info("%s is no longer our socket; left alone", path);
		return;
	}
	if (unlink(path) < 0)
		log_warn("removing %s: %s", path, strerror(errno));
}

/* ---- systemd notification ------------------------------------------------ */

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';   /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("sd_notify: socket: %s", strerror(errno));
		return;
	}
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) < 0)
		log_warn("sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---- workers -------------------------------------------------------------- */

/*
 * Forks one worker of the current generation. Returns 0, or -1 (logged)
 * when the table is full or fork() failed; the caller tries again later.
 */
static int
spawn(struct master *m)
{
	struct child *c = NULL;
	pid_t pid, self = getpid();

	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid == 0) {
			c = &m->children[i];
			break;
		}
	if (c == NULL) {
		log_err("%d workers already: not starting another", MAX_CHILDREN);
		return -1;
	}
	if ((pid = fork()) < 0) {
		log_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The child keeps the blocked signals until worker_run() has
		 * its handlers; the master's descriptors are not its own. */
		close(m->sig_fd);
		close(m->ready_rd);
		_exit(worker_run(m->cfg, m->pcache, m->listen_fd, self,
		    m->ready_wr));
	}
	*c = (struct child){ .pid = pid, .gen = m->gen, .started = mono_now() };
	log_debug("worker %ld started (generation %u)", (long)pid, m->gen);
	return 0;
}

static struct child *
child_of(struct master *m, pid_t pid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid == pid)
			return &m->children[i];
	return NULL;
}

/* Live workers: all of them, or those of generation gen only. */
static size_t
count(const struct master *m, int only_gen, unsigned gen, int only_ready)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		const struct child *c = &m->children[i];

		if (c->pid && (!only_gen || c->gen == gen) &&
		    (!only_ready || c->ready))
			n++;
	}
	return n;
}

/* Sends sig to every worker older than generation gen (all: gen + 1). */
static void
signal_older(struct master *m, unsigned gen, int sig)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &m->children[i];

		if (c->pid == 0 || c->gen >= gen)
			continue;
		if (sig == SIGTERM && c->termed)
			continue;
		if (kill(c->pid, sig) < 0 && errno != ESRCH)
			log_warn("kill %ld: %s", (long)c->pid, strerror(errno));
		if (sig == SIGTERM) {
			c->termed = 1;
			c->kill_at = mono_now() + (double)m->cfg->shutdown_timeout;
		} else if (sig == SIGKILL)
			c->killed = 1;
	}
}

/*
 * Workers told to stop that are still alive shutdown_timeout later (a
 * request that never ends, say) are killed: a retiring generation is
 * never left behind holding connections and memory.
 */
static void
kill_overdue(struct master *m)
{
	double now = mono_now();

	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &m->children[i];

		if (c->pid == 0 || !c->termed || c->killed || now < c->kill_at)
			continue;
		log_warn("worker %ld still busy %ld s after it was told to stop: "
		    "killed (shutdown_timeout)", (long)c->pid,
		    m->cfg->shutdown_timeout);
		if (kill(c->pid, SIGKILL) < 0 && errno != ESRCH)
			log_warn("kill %ld: %s", (long)c->pid, strerror(errno));
		c->killed = 1;
	}
}

/* The earliest kill_at of a worker told to stop, or -1. */
static double
next_kill(const struct master *m)
{
	double t = -1;

	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		const struct child *c = &m->children[i];

		if (c->pid && c->termed && !c->killed && (t < 0 || c->kill_at < t))
			t = c->kill_at;
	}
	return t;
}

static void
backoff_more(struct master *m)
{
	m->backed_off_at = mono_now();
	m->respawn_at = m->backed_off_at + m->backoff;
	m->backoff = m->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : m->backoff * 2;
}

/*
 * Reaps exited workers, logs each unexpected death with its cause, and
 * counts the dead of the current generation for a respawn. The wait before
 * the respawn doubles when a worker started after the last wait died at
 * start again: one step per failed attempt, however many workers it had.
 */
static void
reap(struct master *m)
{
	int status, quick = 0, died = 0, again = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = child_of(m, pid);
		char cause[64];

		if (c == NULL)
			continue;
		if (WIFSIGNALED(status))
			snprintf(cause, sizeof(cause), "was killed by signal %d (%s)",
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			snprintf(cause, sizeof(cause), "exited with status %d",
			    WEXITSTATUS(status));
		if (c->termed || m->stopping) {
			if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
				log_warn("worker %ld %s while stopping", (long)pid,
				    cause);
			else
				log_debug("worker %ld stopped", (long)pid);
		} else if (c->gen != m->gen) {
			log_warn("worker %ld (generation %u, retiring) %s",
			    (long)pid, c->gen, cause);
		} else {
			log_warn("worker %ld %s; starting another", (long)pid, cause);
			metrics_worker_restart();
			died++;
			/* A worker that accepted requests and then died was
			 * killed by one of them, or by someone: its
			 * replacement starts at once. Only a worker that
			 * never got as far as accepting failed to start. */
			if (!c->ready) {
				quick = 1;
				if (c->started >= m->backed_off_at)
					again = 1;
			}
		}
		c->pid = 0;
	}
	if (pid < 0 && errno != ECHILD)
		log_warn("waitpid: %s", strerror(errno));
	/* After every wake-up: the workers started before the poll, and
	 * those reaped now. */
	metrics_workers(count(m, 0, 0, 0));
	if (died == 0)
		return;
	m->pending += (size_t)died;
	if (again) {
		log_warn("workers die at start: next try in %.1f s", m->backoff);
		backoff_more(m);
	} else if (!quick && mono_now() >= m->respawn_at) {
		/* Workers lived: the next crash starts from the shortest wait. */
		m->backoff = BACKOFF_MIN;
	}
}

/* Starts the workers still to start, when their time has come. */
static void
start_pending(struct master *m)
{
	while (m->pending > 0 && !m->stopping && mono_now() >= m->respawn_at) {
		if (spawn(m) < 0) {
			backoff_more(m);
			return;
		}
		m->pending--;
	}
}

/* Reads the pids workers write once they accept. */
static void
read_ready(struct master *m)
{
	pid_t pids[64];
	ssize_t n;

	while ((n = read(m->ready_rd, pids, sizeof(pids))) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof(pid_t); i++) {
			struct child *c = child_of(m, pids[i]);

			if (c != NULL)
				c->ready = 1;
		}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		log_warn("reading from workers: %s", strerror(errno));
}

/*
 * SIGHUP: a new generation, if the templates and the store are good.
 * Returns 0 when a reload started, -1 when refused (logged).
 */
static int
reload(struct master *m)
{
	struct buf err = BUF_INIT;
	struct store *s;
	int rc;

	if (m->stopping) {
		log_info("reload ignored: stopping");
		return -1;
	}
	/* Both are checked before any worker changes: whatever is broken,
	 * the running workers keep serving. On failure views_load() keeps
	 * the previous templates. */
	if (views_load(m->cfg->views, &err) < 0) {
		log_err("reload refused, workers unchanged: templates: %s", err.p);
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	if ((rc = store_open(m->cfg->store, STORE_RDONLY, &s)) != 0) {
		log_err("reload refused, workers unchanged: store %s: %s",
		    m->cfg->store, store_strerror(rc));
		return -1;
	}
	store_close(s);
	/* The new generation starts with an empty page cache of this node
	 * (what the old one writes until it retires is out of its reach): a
	 * catalog swapped in under the same generation number, or an
	 * operator's FLUSHALL, and the pages come from Redis or the store
	 * again. */
	pcache_clear(m->pcache);
	m->gen++;
	m->pending = m->want;
	m->respawn_at = 0;
	m->backoff = BACKOFF_MIN;
	m->retiring = 1;
	metrics_reload();
	log_info("reloading: generation %u starts; the running workers serve "
	    "until it accepts", m->gen);
	notify("STATUS=reloading");
	return 0;
}

/* SIGTERM/SIGINT: stop accepting, let in-flight requests finish. */
static void
begin_stop(struct master *m, int sig)
{
	if (m->stopping) {
		log_info("%s again: still waiting for %zu workers", strsignal(sig),
		    count(m, 0, 0, 0));
		return;
	}
	m->stopping = 1;
	m->pending = 0;
	m->deadline = mono_now() + (double)m->cfg->shutdown_timeout;
	log_info("stopping on %s: %zu workers finish the requests in hand "
	    "(at most %ld s)", strsignal(sig), count(m, 0, 0, 0),
	    m->cfg->shutdown_timeout);
	notify("STOPPING=1");
	/* New connections now fail at once instead of waiting in a backlog
	 * that nobody will accept from. Under systemd the socket is its. */
	if (m->owned)
		remove_socket(m->cfg->listen);
	signal_older(m, m->gen + 1, SIGTERM);
}

/* Takes every signal waiting on the signalfd. Returns -1 on a read error. */
static int
read_signals(struct master *m)
{
	struct signalfd_siginfo si;
	ssize_t n;

	while ((n = read(m->sig_fd, &si, sizeof(si))) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			begin_stop(m, (int)si.ssi_signo);
			break;
		case SIGHUP:
			(void)reload(m);
			break;
		default:   /* SIGCHLD: reap() runs after every wake-up */
			break;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		log_err("signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* After every wake-up: READY=1, the end of a reload. */
static void
update_state(struct master *m)
{
	size_t ready;

	if (m->stopping)
		return;
	ready = count(m, 1, m->gen, 1);
	if (ready < m->want)
		return;
	if (!m->said_ready) {
		m->said_ready = 1;
		log_info("serving: %zu workers accept", ready);
		notify("READY=1\nSTATUS=serving");
	}
	if (m->retiring) {
		m->retiring = 0;
		log_info("reloaded: generation %u serves; the older workers finish "
		    "the requests in hand", m->gen);
		signal_older(m, m->gen, SIGTERM);
		notify("STATUS=serving");
	}
}

/*
 * Milliseconds poll() may sleep: until a respawn, the stop deadline or a
 * retiring worker's kill_at.
 */
static int
poll_timeout(const struct master *m)
{
	double until = -1, t, k = next_kill(m);

	if (m->stopping)
		until = m->deadline;
	else if (m->pending > 0)
		until = m->respawn_at;
	if (k >= 0 && (until < 0 || k < until))
		until = k;
	if (until < 0)
		return -1;
	t = (until - mono_now()) * 1000.0 + 1;
	return t <= 0 ? 0 : t > INT_MAX ? INT_MAX : (int)t;
}

int
master_run(const struct config *cfg, int listen_fd, int owned)
{
	static struct master m;
	struct sigaction sa;
	sigset_t mask;
	int pipefd[2], status = 1;

	m = (struct master){
		.cfg = cfg, .listen_fd = listen_fd, .owned = owned,
		.sig_fd = -1, .ready_rd = -1, .ready_wr = -1, .gen = 1,
		.want = (size_t)cfg->workers, .pending = (size_t)cfg->workers,
		.backoff = BACKOFF_MIN,
	};
	/* Signals are read from a signalfd: no handlers, no races, no work in
	 * signal context. The workers inherit the blocked mask and set their
	 * own once their handlers are in place. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_err("sigprocmask: %s", strerror(errno));
		return 1;
	}
	if ((m.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0) {
		log_err("sigaction: %s", strerror(errno));
		goto close_sig;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		log_err("pipe: %s", strerror(errno));
		goto close_sig;
	}
	m.ready_rd = pipefd[0];
	m.ready_wr = pipefd[1];
	if (set_nonblock(m.ready_rd) < 0) {
		log_err("pipe: %s", strerror(errno));
		goto close_pipe;
	}

	/* The figures every worker adds to (GET /metrics): made before the
	 * first fork, kept across reloads and worker restarts. */
	if (metrics_init() < 0)
		log_warn("metrics: mmap: %s; /metrics reports no counts",
		    strerror(errno));
	/* Made before the first fork, so that every worker maps the same
	 * memory; no file, so nothing to clean up or to secure. */
	if (cfg->page_cache_mb > 0) {
		m.pcache = pcache_new((size_t)cfg->page_cache_mb << 20);
		if (m.pcache == NULL)
			log_warn("page cache of %ld MiB: %s; pages come from Redis "
			    "or the store", cfg->page_cache_mb, strerror(errno));
	}
	log_info("bzpeer-fcgi " BZPEER_VERSION ": starting %zu workers", m.want);
	notify("STATUS=starting workers");
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = m.sig_fd, .events = POLLIN },
			{ .fd = m.ready_rd, .events = POLLIN },
		};

		start_pending(&m);
		if (poll(pfd, 2, poll_timeout(&m)) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			/* Without signals the master cannot be stopped cleanly:
			 * stop as for SIGTERM. */
			begin_stop(&m, SIGTERM);
			sleep(1);
		}
		if (read_signals(&m) < 0 && !m.stopping)
			begin_stop(&m, SIGTERM);
		read_ready(&m);
		reap(&m);
		kill_overdue(&m);
		if (m.stopping) {
			size_t left = count(&m, 0, 0, 0);

			if (left == 0)
				break;
			if (mono_now() >= m.deadline) {
				log_warn("shutdown_timeout (%ld s) passed: killing %zu "
				    "workers still busy", cfg->shutdown_timeout, left);
				signal_older(&m, m.gen + 1, SIGKILL);
				m.deadline = mono_now() + 3600;
			}
			continue;
		}
		update_state(&m);
	}
	log_info("stopped");
	status = 0;
	pcache_free(m.pcache);
	m.pcache = NULL;
close_pipe:
	close(m.ready_rd);
	close(m.ready_wr);
close_sig:
	close(m.sig_fd);
	return status;
}
