/* config.c: the table of settings, and parsing them from a file or flags. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "../store/store.h"
#include "../store/log.h"

enum key_type { K_STR, K_LONG, K_OCTAL, K_LEVEL };

struct key {
	const char   *name;
	enum key_type type;
	size_t        off;
	long          min, max;
	const char   *def;
	const char   *doc;
};

#define F(field) offsetof(struct config, field)

static const struct key keys[] = {
	{ "listen", K_STR, F(listen), 0, 0, "var/run/bzpeer-fcgi.sock",
	  "unix socket the FastCGI server listens on (unused when systemd passes LISTEN_FDS)" },
	{ "socket_mode", K_OCTAL, F(socket_mode), 0, 0777, "0660",
	  "octal permissions of the socket file bzpeer-fcgi makes, owned by its user and group; nginx's user needs read and write, no one else should have them (whoever can connect can hand the app any REMOTE_USER): 0660 with nginx's user in the server's group, 0600 when both run as one user. Under systemd bzpeer-fcgi.socket makes the socket, root:www-data 0660" },
	{ "workers", K_LONG, F(workers), 1, 256, "8",
	  "worker processes, each serving one request at a time (more than the CPUs pays: a worker waiting for the disk or Redis uses no CPU, and the follows of waiting workers share one disk commit)" },
	{ "store", K_STR, F(store), 0, 0, "var/store",
	  "directory of the LMDB store made by bzpeer-import; its files are made 0600 and the directory 0700 (they hold claimants' emails)" },
	{ "views", K_STR, F(views), 0, 0, "views",
	  "directory of the HTML templates (views/*.html)" },
	{ "log_level", K_LEVEL, F(log_level), 0, 0, "info",
	  "lowest level of the lines written to stderr (journald keeps them under systemd)" },
	{ "shutdown_timeout", K_LONG, F(shutdown_timeout), 1, 3600, "10",
	  "seconds in-flight requests get to finish on SIGTERM before workers are killed; half of it (3 s at most) bounds the wait for nginx to close kept connections" },
	{ "max_body", K_LONG, F(max_body), 1024, 1048576, "16384",
	  "largest request body accepted, in bytes; larger ones get 413" },
	{ "redis", K_STR, F(redis), 0, 0, "off",
	  "Redis for the page and counter cache: a unix socket path, host:port, or off" },
	{ "redis_timeout_ms", K_LONG, F(redis_timeout_ms), 1, 10000, "50",
	  "Redis connect and command timeout in milliseconds; past it pages come from the store" },
	{ "redis_prefix", K_STR, F(redis_prefix), 0, 0, "bzpeer:",
	  "prefix of every Redis key (several sites can share one Redis)" },
	{ "page_ttl", K_LONG, F(page_ttl), 1, 30 * 86400, "86400",
	  "seconds a cached page may live in Redis and in this machine's page cache (eviction may drop it sooner)" },
	{ "page_cache_mb", K_LONG, F(page_cache_mb), 0, 65536, "64",
	  "MiB of shared memory for this machine's page cache, in front of Redis: every worker reads it without a system call (0: off); the oldest pages make room for new ones" },
	{ "page_cache_admit", K_LONG, F(page_cache_admit), 1, 2, "2",
	  "misses of a page on this machine before its page is cached (here and in Redis): 1 caches every page rendered, 2 only one asked for again lately (a crawler's one-off visits then push out nothing; needs page_cache_mb)" },
	{ "secret_file", K_STR, F(secret_file), 0, 0, "var/run/secret",
	  "file holding the 32-byte key that signs session cookies and CSRF tokens; made (mode 0600) at first start" },
	{ "session_ttl", K_LONG, F(session_ttl), 60, STORE_SESSION_TTL_MAX, "604800",
	  "seconds a sign-in lasts before /login is needed again" },
	{ "post_rate", K_LONG, F(post_rate), 1, 100000, "30",
	  "follow/claim/logout POSTs allowed per minute per session; more get 429 (needs Redis)" },
	{ "post_rate_addr", K_LONG, F(post_rate_addr), 1, 1000000, "120",
	  "POSTs allowed per minute per client address; more get 429 (needs Redis)" },
	{ "invite_rate", K_LONG, F(invite_rate), 1, 100000, "10",
	  "collaboration invitations a signed-in user may send per hour, on top of post_rate; more get 429 (needs Redis)" },
	{ "store_map_max", K_LONG, F(store_map_max), 0, 1L << 40, "0",
	  "largest size in bytes of the store's memory map, fixed from the start (0: as imported, grown on demand up to 1 TiB); a follow or claim that needs more answers 503 and writes nothing" },
	{ "base_url", K_STR, F(base_url), 0, 0, "http://localhost",
	  "the site's canonical origin, scheme://host[:port] without a path: absolute links (the Atom feeds') are made from it, never from a request's Host header" },
	{ "read_timeout_ms", K_LONG, F(read_timeout_ms), 10, 60000, "500",
	  "milliseconds a FastCGI request has to arrive whole (parameters and body) from its first byte; a connection that stalls past it is closed (nginx sends a request at once, after reading the client's body)" },
	{ "idle_timeout", K_LONG, F(idle_timeout), 1, 3600, "5",
	  "seconds a worker keeps a FastCGI connection that carries no request; keep it above nginx's upstream keepalive_timeout (1 s in the shipped site), so that nginx closes idle connections first" },
	{ "write_timeout", K_LONG, F(write_timeout), 1, 3600, "10",
	  "seconds an answer may wait for a FastCGI client that does not read it; then its connection is closed (others are served meanwhile)" },
	{ "worker_connections", K_LONG, F(worker_connections), 4, 4096, "256",
	  "FastCGI connections one worker holds at most; when all are taken, a new one replaces the connection idle the longest" },
	{ "store_write_wait_ms", K_LONG, F(store_write_wait_ms), 1, 60000, "2000",
	  "milliseconds a POST waits for the writer of user data (another process may hold it: an admin command, an import applying its merges); past it the POST answers 503 with Retry-After and writes nothing" },
	{ "store_readahead", K_LONG, F(store_readahead), 0, 1, "1",
	  "1: a page of the store read from disk brings the kernel's readahead window around it; 0: that page alone, for a store larger than memory, where the window is mostly pages no request wants that push out pages others do (bench/results.md, \"Past memory\")" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *
key_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_long(const char *s, int base, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
config_set(struct config *c, const char *name, const char *value,
    struct buf *err)
{
	const struct key *k = key_find(name);
	char *field;
	long v;

	if (k == NULL) {
		buf_puts(err, "unknown key \"");
		buf_puts(err, name);
		buf_puts(err, "\"");
		return -1;
	}
	field = (char *)c + k->off;
	switch (k->type) {
	case K_STR:
		if (*value == '\0') {
			buf_puts(err, k->name);
			buf_puts(err, ": must not be empty");
			return -1;
		}
		free(*(char **)(void *)field);
		*(char **)(void *)field = xstrndup(value, strlen(value));
		return 0;
	case K_LONG:
	case K_OCTAL:
		if (parse_long(value, k->type == K_OCTAL ? 8 : 10, &v) < 0 ||
		    v < k->min || v > k->max) {
			buf_puts(err, k->name);
			buf_puts(err, ": \"");
			buf_puts(err, value);
			buf_puts(err, "\" is not ");
			if (k->type == K_OCTAL)
				buf_puts(err, "an octal mode");
			else {
				buf_puts(err, "a whole number from ");
				buf_puti64(err, k->min);
				buf_puts(err, " to ");
				buf_puti64(err, k->max);
			}
			return -1;
		}
		*(long *)(void *)field = v;
		return 0;
	case K_LEVEL: {
		enum log_level lv;

		if (log_level_parse(value, &lv) < 0) {
			buf_puts(err, k->name);
			buf_puts(err, ": \"");
			buf_puts(err, value);
			buf_puts(err, "\" is not one of error, warning, info, debug");
			return -1;
		}
		*(long *)(void *)field = (long)lv;
		return 0;
	}
	}
	return -1;
}

void
config_defaults(struct config *c)
{
	struct buf err = BUF_INIT;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (config_set(c, keys[i].name, keys[i].def, &err) < 0) {
			/* A bad default is a programming error. */
			fprintf(stderr, "bzpeer: default of %s: %s\n",
			    keys[i].name, err.p);
			abort();
		}
	buf_free(&err);
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == K_STR) {
			char **p = (char **)(void *)((char *)c + keys[i].off);
			free(*p);
			*p = NULL;
		}
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
config_load_file(struct config *c, const char *path, struct buf *err)
{
	char line[4096];
	FILE *f;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		buf_puts(err, path);
		buf_puts(err, ": ");
		buf_puts(err, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *hash;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_puts(err, path);
			buf_putc(err, ':');
			buf_putu64(err, (uint64_t)lineno);
			buf_puts(err, ": line too long");
			rc = -1;
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			buf_puts(err, path);
			buf_putc(err, ':');
			buf_putu64(err, (uint64_t)lineno);
			buf_puts(err, ": expected \"key = value\"");
			rc = -1;
			break;
		}
		*eq = '\0';
		{
			struct buf e2 = BUF_INIT;
			char *k = trim(s), *v = trim(eq + 1);

			if (config_set(c, k, v, &e2) < 0) {
				buf_puts(err, path);
				buf_putc(err, ':');
				buf_putu64(err, (uint64_t)lineno);
				buf_puts(err, ": ");
				buf_put(err, e2.p, e2.len);
				buf_free(&e2);
				rc = -1;
				break;
			}
			buf_free(&e2);
		}
	}
	if (rc == 0 && ferror(f)) {
		buf_puts(err, path);
		buf_puts(err, ": read error");
		rc = -1;
	}
	fclose(f);
	return rc;
}

/*
 * Whether s is an origin: "http://" or "https://", then a host (letters,
 * digits, '.', '-', or an IPv6 literal in brackets) and an optional
 * ":port". Nothing else can reach the pages through it.
 */
static int
base_url_ok(const char *s)
{
	const char *h;
	size_t n;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return 0;
	if (*h == '[') {
		n = strspn(h + 1, "0123456789abcdefABCDEF:.");
		if (n == 0 || h[1 + n] != ']')
			return 0;
		h += n + 2;
	} else {
		n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-");
		if (n == 0 || n > 253)
			return 0;
		h += n;
	}
	if (*h == ':') {
		n = strspn(h + 1, "0123456789");
		if (n == 0 || n > 5)
			return 0;
		h += n + 1;
	}
	return *h == '\0';
}

int
config_check(const struct config *c, struct buf *err)
{
	struct stat st;

	if (stat(c->store, &st) < 0 || !S_ISDIR(st.st_mode)) {
		buf_puts(err, "store: \"");
		buf_puts(err, c->store);
		buf_puts(err, "\" is not a directory (make one with bzpeer-import)");
		return -1;
	}
	if (stat(c->views, &st) < 0 || !S_ISDIR(st.st_mode)) {
		buf_puts(err, "views: \"");
		buf_puts(err, c->views);
		buf_puts(err, "\" is not a directory");
		return -1;
	}
	if (!base_url_ok(c->base_url)) {
		buf_puts(err, "base_url: \"");
		buf_puts(err, c->base_url);
		buf_puts(err, "\" is not http:// or https:// and a host name "
		    "(with a port if need be), without a path");
		return -1;
	}
	if (strlen(c->listen) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		buf_puts(err, "listen: \"");
		buf_puts(err, c->listen);
		buf_puts(err, "\" is longer than a unix socket path may be (107 bytes)");
		return -1;
	}
	return 0;
}

void
config_dump(const struct config *c, struct buf *out)
{
	static const char *const levels[] = { "error", "warning", "info", "debug" };

	for (size_t i = 0; i < NKEYS; i++) {
		const char *field = (const char *)c + keys[i].off;
		long v;

		buf_puts(out, keys[i].name);
		buf_puts(out, " = ");
		switch (keys[i].type) {
		case K_STR:
			buf_puts(out, *(char *const *)(const void *)field);
			break;
		case K_LONG:
			buf_puti64(out, *(const long *)(const void *)field);
			break;
		case K_OCTAL: {
			char tmp[16];

			v = *(const long *)(const void *)field;
			snprintf(tmp, sizeof(tmp), "%04lo", (unsigned long)v);
			buf_puts(out, tmp);
			break;
		}
		case K_LEVEL:
			v = *(const long *)(const void *)field;
			buf_puts(out, levels[v]);
			break;
		}
		buf_putc(out, '\n');
	}
}

/* Puts s into a Markdown table cell: a '|' would end the cell. */
static void
md_cell(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
}

/*
 * Writes docs/CONFIG.md: every key with its default, the values it takes
 * and what it means, from the table above. A test compares the file with
 * this output, so the documentation cannot fall behind the code.
 */
void
config_help(struct buf *out)
{
	buf_puts(out,
	    "# bzpeer-fcgi settings\n"
	    "\n"
	    "This page is the output of `bzpeer-fcgi --help-config`, made from the table\n"
	    "of keys in `fcgi-app/config.c`; a test fails when the two differ. After a\n"
	    "change to the table: `build/bzpeer-fcgi --help-config >docs/CONFIG.md`.\n"
	    "\n"
	    "`bzpeer-fcgi --config FILE` reads `key = value` lines; `#` starts a comment\n"
	    "and blank lines are skipped. Installed, the file is `/etc/bzpeer/bzpeer.conf`.\n"
	    "The flags `--listen`, `--store`, `--views`, `--workers` and `--log-level`\n"
	    "override the file. An unknown key or a bad value stops start-up with a\n"
	    "message naming the key (and the file's line). `bzpeer-fcgi --check-config`\n"
	    "checks the settings, the templates and the store without starting, and\n"
	    "prints the settings in force. Relative paths are taken from the working\n"
	    "directory. Settings are read at start: SIGHUP reloads the templates and\n"
	    "reopens the store, but a changed setting needs a restart.\n"
	    "\n"
	    "| key | default | value | meaning |\n"
	    "|---|---|---|---|\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		buf_puts(out, "| `");
		buf_puts(out, k->name);
		buf_puts(out, "` | `");
		buf_puts(out, k->def);
		buf_puts(out, "` | ");
		switch (k->type) {
		case K_STR:
			buf_puts(out, "text, not empty");
			break;
		case K_LONG:
			buf_puts(out, "whole number, ");
			buf_puti64(out, k->min);
			buf_puts(out, " to ");
			buf_puti64(out, k->max);
			break;
		case K_OCTAL:
			buf_puts(out, "octal mode, 0 to 0777");
			break;
		case K_LEVEL:
			buf_puts(out, "error, warning, info or debug");
			break;
		}
		buf_puts(out, " | ");
		md_cell(out, k->doc);
		buf_puts(out, " |\n");
	}
}
