/* worker.h: one worker process: accept a FastCGI request, answer it, repeat. */
#ifndef BZPEER_WORKER_H
#define BZPEER_WORKER_H

#include "config.h"

/*
 * Runs a worker on the listening socket until SIGTERM (finishing the request
 * in hand first) or until the master goes away. Opens the store after the
 * fork. Returns the process exit status.
 */
int worker_run(const struct config *cfg, int listen_fd);

#endif
