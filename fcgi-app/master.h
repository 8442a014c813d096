/* master.h: the master process: the socket, the workers, the signals. */
#ifndef BZPEER_MASTER_H
#define BZPEER_MASTER_H

#include "config.h"

/*
 * Opens the listening socket, or takes the one systemd passes (LISTEN_FDS,
 * LISTEN_PID; it must be a listening stream socket). Returns the descriptor,
 * non-blocking, or -1 with the cause logged. *owned says whether we made the
 * socket file (and so remove it when stopping). A socket file that another
 * live server answers on is refused; a stale one is replaced.
 */
int master_listen(const struct config *cfg, int *owned);

/*
 * Forks cfg->workers workers and keeps them; returns 0 after SIGTERM or
 * SIGINT, 1 when it could not set itself up (logged).
 *
 * - Sends READY=1 to systemd (sd_notify) once every worker accepts.
 * - Respawns a worker that dies; when workers die at start (before they
 *   accept, or within a second) the next try waits 0.1 s, doubling to 5 s.
 * - SIGHUP: checks the templates and the store; if either is broken the
 *   reload is refused and the running workers keep serving. Otherwise a new
 *   generation of workers starts (they reopen the store and have the new
 *   templates); the old generation is told to stop only once every new
 *   worker accepts, and finishes the requests in hand. No request is dropped.
 * - SIGTERM/SIGINT: removes the socket file when owned (new connections are
 *   refused at once), tells every worker to stop: each finishes the request
 *   in hand; those still busy after cfg->shutdown_timeout are killed.
 */
int master_run(const struct config *cfg, int listen_fd, int owned);

#endif
