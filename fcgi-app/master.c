/* master.c: prefork master: listening socket, worker supervision, signals, sd_notify. */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../views/views.h"
#include "log.h"
#include "worker.h"

#define MAX_WORKERS 512

struct child {
	pid_t    pid;
	unsigned gen;          /* workers of an older generation are retiring */
	double   started;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the socket ---------------------------------------------------------- */

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
master_listen(const struct config *cfg, int *owned)
{
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	*owned = 0;
	if (lp != NULL && lf != NULL && atol(lp) == (long)getpid() &&
	    atoi(lf) >= 1) {
		/* systemd socket activation: fd 3 is ours, already listening. */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		fd = 3;
		if (set_nonblock(fd) < 0) {
			log_err("LISTEN_FDS: fd 3: %s", strerror(errno));
			return -1;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		log_info("listening on the socket passed by systemd");
		return fd;
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(cfg->listen) >= sizeof(sun.sun_path)) {
		log_err("listen: \"%s\" is too long for a unix socket path",
		    cfg->listen);
		return -1;
	}
	strcpy(sun.sun_path, cfg->listen);
	/* A socket file left by a crash is replaced; anything else is not. */
	if (lstat(cfg->listen, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("listen: %s exists and is not a socket", cfg->listen);
			return -1;
		}
		unlink(cfg->listen);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		log_err("bind %s: %s", cfg->listen, strerror(errno));
		goto fail;
	}
	if (chmod(cfg->listen, (mode_t)cfg->socket_mode) < 0) {
		log_err("chmod %s: %s", cfg->listen, strerror(errno));
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
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) < 0)
		log_warn("sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---- workers -------------------------------------------------------------- */

static struct child children[MAX_WORKERS];

static pid_t
spawn(const struct config *cfg, int listen_fd, unsigned gen, const sigset_t *orig)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sigprocmask(SIG_SETMASK, orig, NULL);
		_exit(worker_run(cfg, listen_fd));
	}
	for (size_t i = 0; i < MAX_WORKERS; i++)
		if (children[i].pid == 0) {
			children[i] = (struct child){ pid, gen, now_s() };
			break;
		}
	return pid;
}

static size_t
count(unsigned gen, int only_gen)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_WORKERS; i++)
		if (children[i].pid && (!only_gen || children[i].gen == gen))
			n++;
	return n;
}

static void
signal_gen(unsigned gen, int older_than, int sig)
{
	for (size_t i = 0; i < MAX_WORKERS; i++)
		if (children[i].pid &&
		    (older_than ? children[i].gen < gen : children[i].gen == gen))
			kill(children[i].pid, sig);
}

/*
 * Reaps exited workers. Returns how many of generation `gen` died, and in
 * *quick whether one died within a second of starting (a crash loop).
 */
static size_t
reap(unsigned gen, int stopping, int *quick)
{
	size_t died = 0;
	int status;
	pid_t pid;

	*quick = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < MAX_WORKERS; i++) {
			if (children[i].pid != pid)
				continue;
			if (children[i].gen == gen && !stopping) {
				if (WIFSIGNALED(status))
					log_warn("worker %ld killed by signal %d",
					    (long)pid, WTERMSIG(status));
				else
					log_warn("worker %ld exited with status %d",
					    (long)pid, WEXITSTATUS(status));
				died++;
				if (now_s() - children[i].started < 1.0)
					*quick = 1;
			}
			children[i].pid = 0;
			break;
		}
	}
	return died;
}

int
master_run(const struct config *cfg, const char *config_path, int listen_fd)
{
	sigset_t mask, orig;
	unsigned gen = 1;
	size_t want = (size_t)cfg->workers, pending = 0;
	double backoff = 0.1, respawn_at = 0;
	int stopping = 0;
	double deadline = 0;
	struct buf err = BUF_INIT;

	(void)config_path;
	/* Signals are taken synchronously with sigtimedwait(): no handler
	 * races, no work in signal context. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &orig);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}

	for (size_t i = 0; i < want; i++)
		spawn(cfg, listen_fd, gen, &orig);
	log_info("started %zu workers", want);
	notify("READY=1\nSTATUS=serving");

	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		siginfo_t si;
		int quick, sig = sigtimedwait(&mask, &si, &ts);
		size_t died;

		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("stopping: letting in-flight requests finish");
				notify("STOPPING=1");
				stopping = 1;
				deadline = now_s() + (double)cfg->shutdown_timeout;
				signal_gen(gen + 1, 1, SIGTERM);
			}
		} else if (sig == SIGHUP && !stopping) {
			/* New templates are checked before any worker changes:
			 * a broken template keeps the old workers serving. */
			buf_reset(&err);
			if (views_load(cfg->views, &err) < 0) {
				log_err("reload refused: %s", err.p);
			} else {
				log_info("reloading: new workers, old ones finish");
				gen++;
				for (size_t i = 0; i < want; i++)
					spawn(cfg, listen_fd, gen, &orig);
				signal_gen(gen, 1, SIGTERM);
			}
		}

		died = reap(gen, stopping, &quick);
		if (stopping) {
			if (count(0, 0) == 0)
				break;
			if (now_s() > deadline) {
				log_warn("shutdown timeout: killing %zu workers",
				    count(0, 0));
				signal_gen(gen + 1, 1, SIGKILL);
				deadline = now_s() + 3600;
			}
			continue;
		}
		if (died) {
			pending += died;
			if (quick) {
				respawn_at = now_s() + backoff;
				log_warn("workers die at start: next try in %.1f s",
				    backoff);
				backoff = backoff * 2 > 5 ? 5 : backoff * 2;
			} else {
				backoff = 0.1;
				respawn_at = 0;
			}
		}
		if (pending && now_s() >= respawn_at) {
			for (; pending; pending--)
				spawn(cfg, listen_fd, gen, &orig);
		}
	}
	buf_free(&err);
	log_info("stopped");
	return 0;
}
