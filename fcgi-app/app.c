/* app.c: opening and closing what a worker keeps between requests. */
#include "app.h"

#include <string.h>

#include "../store/log.h"
#include "metrics.h"

int
app_open(struct app *a, const struct config *cfg, struct pcache *pc)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	/* Read-write: follows and claims are written by the workers (LMDB
	 * serialises writers across processes). A capped map is set to its
	 * cap at once (never below what the store uses) and never grows:
	 * a write that needs more answers 503. A write waits for another
	 * writer (an import) at most store_write_wait_ms, then answers 503
	 * with nothing written. */
	{
		struct store_opts so = { 0, 0, cfg->store_write_wait_ms,
		    metrics_follow_batch };

		if (cfg->store_map_max > 0)
			so.map_size = so.map_max = (uint64_t)cfg->store_map_max;
		rc = store_open_opts(cfg->store,
		    cfg->store_readahead ? 0 : STORE_NORDAHEAD, &so, &a->store);
	}
	if (rc != 0) {
		/* Pages answer 503 with the reason; /healthz says it too. */
		log_err("store %s: %s", cfg->store, store_strerror(rc));
		a->store = NULL;
		a->store_err = rc;
	}
	a->cache = cache_new(cfg);
	a->pcache = pc;
	pcache_attach(pc);   /* the epoch of this generation */
	{
		struct buf err = BUF_INIT;

		if (session_key_load(cfg->secret_file, &a->key, &err) == 0)
			a->have_key = 1;
		else
			log_err("sign-in disabled: %s", err.p);
		buf_free(&err);
	}
	/* Out of memory: every cookie is verified in full instead. */
	a->sessions = sesscache_new();
	return rc;
}

void
app_close(struct app *a)
{
	if (a->store != NULL)
		store_close(a->store);
	a->store = NULL;
	cache_free(a->cache);
	a->cache = NULL;
	sesscache_free(a->sessions);
	a->sessions = NULL;
}
