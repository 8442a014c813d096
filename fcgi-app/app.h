/* app.h: what one worker process keeps between requests. */
#ifndef BZPEER_APP_H
#define BZPEER_APP_H

#include <stdint.h>

#include "../store/store.h"
#include "cache.h"
#include "pcache.h"
#include "config.h"
#include "sesscache.h"
#include "session.h"

/*
 * Long-lived, per-process state: opened after fork (LMDB environments and
 * network connections must not cross a fork). Never holds request data.
 */
struct app {
	const struct config *cfg;
	struct store *store;        /* NULL when the store could not be opened */
	int           store_err;    /* why, when store is NULL */
	struct cache *cache;        /* Redis; absorbs its own failures */
	struct pcache *pcache;      /* this node's page cache (the master's); NULL: off */
	struct session_key key;     /* signs sessions and CSRF tokens */
	int           have_key;     /* 0: nobody can sign in (logged) */
	struct sesscache *sessions; /* cookies verified here; NULL: none kept */
	uint64_t      requests;     /* served by this worker */
	double        warned_identity; /* last warning of REMOTE_USER off /login */
};

/*
 * Opens the store (logging once on failure) and makes the cache (which
 * connects lazily); pc is the node's page cache, made by the master before
 * the fork (NULL: none), and stays the master's. Returns 0 or a store error.
 */
int  app_open(struct app *a, const struct config *cfg, struct pcache *pc);
void app_close(struct app *a);

#endif
