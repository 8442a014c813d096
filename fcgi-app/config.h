/* config.h: bzpeer-fcgi's settings: defaults, the config file, the command line. */
#ifndef BZPEER_CONFIG_H
#define BZPEER_CONFIG_H

#include "../store/buf.h"

#define BZPEER_VERSION "0.2.0"

/*
 * Every key is declared once in the table in config.c, with its type, bounds
 * and one line of documentation; `bzpeer-fcgi --help-config` prints them and
 * docs/CONFIG.md is that output. A bad value stops start-up with a message
 * naming the key.
 */
struct config {
	char *listen;            /* unix socket path; ignored under LISTEN_FDS */
	long  socket_mode;       /* octal mode of the socket file */
	long  workers;           /* worker processes */
	char *store;             /* LMDB store directory */
	char *views;             /* templates directory */
	long  log_level;         /* enum log_level */
	long  shutdown_timeout;  /* seconds to let in-flight requests finish */
	long  max_body;          /* request body limit in bytes (413 above) */
	char *redis;             /* Redis unix socket or host:port; "off" = none */
	long  redis_timeout_ms;  /* connect and command timeout */
	char *redis_prefix;      /* prefix of every key */
	long  page_ttl;          /* seconds a cached page lives at most */
	long  page_cache_mb;     /* this node's shared page cache; 0 = off */
	long  page_cache_admit;  /* misses before a page is cached: 1 or 2 */
	char *secret_file;       /* HMAC key for sessions and CSRF (made if missing) */
	long  session_ttl;       /* seconds a sign-in lasts */
	long  post_rate;         /* POSTs per minute per session */
	long  post_rate_addr;    /* POSTs per minute per client address */
	long  invite_rate;       /* invitations per hour per user */
	long  store_map_max;     /* bytes; 0 = grow on demand (store_opts) */
	char *base_url;          /* canonical origin for absolute links */
	long  read_timeout_ms;   /* a FastCGI request arrives whole within it */
	long  idle_timeout;      /* seconds a connection without a request is kept */
	long  write_timeout;     /* seconds an answer waits for a client to read */
	long  worker_connections;/* FastCGI connections per worker */
	long  store_write_wait_ms; /* a POST's wait for the store's writer */
	long  store_readahead;   /* 0: open the store with STORE_NORDAHEAD */
};

void config_defaults(struct config *c);
void config_free(struct config *c);

/* Sets key to value. Returns 0, or -1 with a message naming the key in err. */
int  config_set(struct config *c, const char *key, const char *value,
    struct buf *err);

/*
 * Reads "key = value" lines ('#' starts a comment). Returns 0, or -1 with
 * "file:line: message" in err.
 */
int  config_load_file(struct config *c, const char *path, struct buf *err);

/* Checks the settings together (e.g. the store directory exists). */
int  config_check(const struct config *c, struct buf *err);

/* Writes "key = value" for every key (for --check-config) or the docs. */
void config_dump(const struct config *c, struct buf *out);
void config_help(struct buf *out);

#endif
