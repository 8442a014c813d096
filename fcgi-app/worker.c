/* worker.c: the FastCGI accept loop of one worker process. */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
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
	if (FCGX_PutStr(out->p, (int)out->len, fr->out) != (int)out->len)
		log_info("client went away before the response was written");
	r->app->requests++;
}

int
worker_run(const struct config *cfg, int listen_fd)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	FCGX_Request fr;
	struct request req;
	struct buf out = BUF_INIT;
	struct app app;
	pid_t master = getppid();

	/* The master going away (even by kill -9) ends its workers. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		log_warn("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	if (getppid() != master)
		return 0;

	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* SIGTERM is held while a request is being served and delivered only
	 * inside ppoll(): no request is cut short, and none is lost between
	 * checking the flag and waiting. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	app_open(&app, cfg);
	req_init(&req, &app);
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("FCGX_InitRequest failed");
		return 1;
	}

	while (!worker_stop) {
		struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
		int rc = ppoll(&pfd, 1, NULL, &waitmask);

		if (rc < 0) {
			if (errno != EINTR) {
				log_err("poll: %s", strerror(errno));
				break;
			}
			continue;
		}
		/* The listening socket is non-blocking: another worker may have
		 * taken the connection; then accept answers EAGAIN. */
		rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR)
				log_warn("accept: %s", strerror(-rc));
			continue;
		}
		serve(&req, &fr, &out);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 0);
	req_free(&req);
	buf_free(&out);
	app_close(&app);
	return 0;
}
