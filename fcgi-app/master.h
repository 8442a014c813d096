/* master.h: the master process: the socket, the workers, the signals. */
#ifndef BZPEER_MASTER_H
#define BZPEER_MASTER_H

#include "config.h"

/*
 * Opens the listening socket, or takes the one systemd passes (LISTEN_FDS).
 * Returns the descriptor, or -1 with the cause logged. *owned says whether
 * we made the socket file (and so remove it on exit).
 */
int master_listen(const struct config *cfg, int *owned);

/*
 * Forks cfg->workers workers and keeps them: respawns one that dies (with
 * backoff when it dies right away), on SIGHUP reloads the templates and
 * replaces every worker by a fresh one (which reopens the store) without
 * dropping a request, on SIGTERM/SIGINT stops accepting, lets in-flight
 * requests finish (at most shutdown_timeout seconds) and returns 0.
 */
int master_run(const struct config *cfg, const char *config_path, int listen_fd);

#endif
