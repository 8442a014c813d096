/* worker.h: one worker process: answer FastCGI requests on the connections it accepts and keeps. */
#ifndef BZPEER_WORKER_H
#define BZPEER_WORKER_H

#include <sys/types.h>

#include "config.h"
#include "pcache.h"

/*
 * Runs a worker on the listening socket until SIGTERM or SIGINT (finishing
 * the request in hand, then answering on the connections nginx keeps open
 * until nginx closes them, bounded by shutdown_timeout) or until the master
 * goes away. Called in the child right after fork(), with SIGTERM, SIGINT
 * and SIGHUP still blocked; master is the pid of the process that forked
 * it. Opens the store and the
 * Redis cache after the fork (pc, the node's page cache, comes from the
 * master: NULL when off), then writes its pid to ready_fd (when >= 0)
 * and closes it: from then on it accepts. Returns the process exit status:
 * 0 after a requested stop, 1 when the socket or libfcgi failed (logged).
 */
int worker_run(const struct config *cfg, struct pcache *pc, int listen_fd,
    pid_t master, int ready_fd);

#endif
