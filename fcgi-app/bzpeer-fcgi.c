/* bzpeer-fcgi.c: the FastCGI server's entry point: settings, templates, socket, master. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "../views/views.h"
#include "config.h"
#include "../store/log.h"
#include "master.h"
#include "session.h"

static void
usage(FILE *f)
{
	fputs("usage: bzpeer-fcgi [--config FILE] [--listen PATH] [--store DIR]\n"
	    "                   [--views DIR] [--workers N] [--log-level LEVEL]\n"
	    "                   [--fail-wait SECONDS]\n"
	    "       bzpeer-fcgi --check-config [...]   check settings, templates, store\n"
	    "       bzpeer-fcgi --check-reload [...]   check what a reload (SIGHUP) loads\n"
	    "       bzpeer-fcgi --help-config          every config key, documented\n"
	    "       bzpeer-fcgi --version\n", f);
}

/* What the run is for: serving, or one of the checks (which make nothing). */
enum mode { MODE_SERVE, MODE_CHECK_CONFIG, MODE_CHECK_RELOAD };

/*
 * --fail-wait SECONDS: a start that fails waits this long before it exits.
 * The unit passes 5, so that under Restart= a broken configuration is
 * tried again every few seconds instead of every RestartSec (200 ms):
 * systemd's start limit (StartLimitBurst in StartLimitIntervalSec) is
 * then never reached, and the socket unit, which systemd stops when its
 * service hits that limit, keeps listening. Once the cause is fixed, the
 * next try serves what waited in the socket. A worker or master that
 * dies after starting is restarted at once, as before.
 */
#define FAIL_WAIT_MAX 600

/*
 * The secret for the checks, which make nothing: one that exists is read
 * and checked; a missing one is reported as made at the first start,
 * provided its directory lets this user make it. Returns 0 or -1 (logged).
 */
static int
check_secret(const char *path)
{
	struct session_key key;
	struct buf err = BUF_INIT;
	char *copy;
	int rc = 0;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		copy = xmalloc(strlen(path) + 1);
		strcpy(copy, path);
		if (access(dirname(copy), W_OK | X_OK) != 0) {
			log_err("secret_file: %s is missing, and %s cannot be "
			    "written to make it: %s", path, copy, strerror(errno));
			rc = -1;
		} else {
			log_info("secret_file: %s does not exist yet: it will be "
			    "made at the first start", path);
		}
		free(copy);
		return rc;
	}
	/* It exists: loading it only reads it. */
	if (session_key_load(path, &key, &err) < 0) {
		log_err("secret_file: %s", err.p);
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

/*
 * Checks what start-up needs beyond the settings themselves: the templates
 * parse and the store opens with a known schema; the secret is made here
 * when serving (once, before any worker exists to race for it), only
 * checked otherwise. A reload check needs no secret (a reload keeps it).
 * Returns 0 or -1 (logged).
 */
static int
check_runtime(const struct config *cfg, enum mode mode)
{
	struct buf err = BUF_INIT;
	struct store *s;
	int rc;

	if (views_load(cfg->views, &err) < 0) {
		log_err("views: %s", err.p);
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	if ((rc = store_open(cfg->store, STORE_RDONLY, &s)) != 0) {
		log_err("store: %s: %s", cfg->store, store_strerror(rc));
		return -1;
	}
	store_close(s);
	if (mode == MODE_CHECK_RELOAD)
		return 0;
	if (mode == MODE_CHECK_CONFIG)
		return check_secret(cfg->secret_file);
	{
		struct session_key key;

		if (session_key_load(cfg->secret_file, &key, &err) < 0) {
			log_err("secret_file: %s", err.p);
			buf_free(&err);
			return -1;
		}
		buf_free(&err);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "views", required_argument, NULL, 'v' },
		{ "workers", required_argument, NULL, 'w' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "check-reload", no_argument, NULL, 'R' },
		{ "fail-wait", required_argument, NULL, 'F' },
		{ "help-config", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keyof[128] = {
		['l'] = "listen", ['s'] = "store", ['v'] = "views",
		['w'] = "workers", ['L'] = "log_level",
	};
	struct config cfg;
	struct buf err = BUF_INIT;
	const char *config_path = NULL;
	enum mode mode = MODE_SERVE;
	long fail_wait = 0;
	char *end;
	int c, fd, owned, rc;

	log_setup("bzpeer-fcgi", LOGL_INFO);
	config_defaults(&cfg);

	/* First pass: find --config, so flags override the file. Every way
	 * out goes through `out:`, so LeakSanitizer finds nothing at exit. */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'C': mode = MODE_CHECK_CONFIG; break;
		case 'R': mode = MODE_CHECK_RELOAD; break;
		case 'F':
			errno = 0;
			fail_wait = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || fail_wait < 0 ||
			    fail_wait > FAIL_WAIT_MAX) {
				log_err("--fail-wait: \"%s\" is not a whole number "
				    "of seconds from 0 to %d", optarg, FAIL_WAIT_MAX);
				fail_wait = 0;
				rc = 2;
				goto out;
			}
			break;
		case 'V': puts("bzpeer-fcgi " BZPEER_VERSION); rc = 0; goto out;
		case 'h': usage(stdout); rc = 0; goto out;
		case 'H': config_help(&err); fputs(err.p, stdout); rc = 0; goto out;
		case '?': usage(stderr); rc = 2; goto out;
		default:  break;
		}
	}
	rc = 1;
	if (optind < argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	if (config_path != NULL && config_load_file(&cfg, config_path, &err) < 0) {
		log_err("%s", err.p);
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c > 0 && c < 128 && keyof[c] != NULL &&
		    config_set(&cfg, keyof[c], optarg, &err) < 0) {
			log_err("command line: %s", err.p);
			goto out;
		}
	}
	log_setup("bzpeer-fcgi", (enum log_level)cfg.log_level);
	if (config_check(&cfg, &err) < 0) {
		log_err("%s", err.p);
		goto out;
	}
	/*
	 * A check run as root looks as the store's owner (the service's
	 * user) would, so whatever LMDB makes to read the store (its lock
	 * file) is not left behind owned by root, and what the service
	 * could not read fails here too.
	 */
	if (mode != MODE_SERVE && (c = store_as_owner(cfg.store, NULL)) != 0) {
		log_err("cannot check as the owner of %s: %s", cfg.store,
		    strerror(c));
		goto out;
	}
	if (check_runtime(&cfg, mode) < 0)
		goto out;
	if (mode == MODE_CHECK_RELOAD) {
		log_info("reload check: templates in %s and store %s are good",
		    cfg.views, cfg.store);
		rc = 0;
		goto out;
	}
	if (mode == MODE_CHECK_CONFIG) {
		buf_reset(&err);
		config_dump(&cfg, &err);
		fputs(err.p, stdout);
		puts("# configuration ok");
		rc = 0;
		goto out;
	}
	buf_free(&err);

	if ((fd = master_listen(&cfg, &owned)) < 0)
		goto out;
	/* The master removes a socket file it made when it stops. */
	rc = master_run(&cfg, fd, owned);
	if (rc != 0 && owned)
		unlink(cfg.listen);
	close(fd);
out:
	/* A start that failed before serving (the configuration, the
	 * templates, the store, the socket): see FAIL_WAIT_MAX. */
	if (rc == 1 && mode == MODE_SERVE && fail_wait > 0) {
		struct timespec ts = { fail_wait, 0 };

		log_err("start failed; exiting in %ld s (--fail-wait)", fail_wait);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	buf_free(&err);
	views_unload();
	config_free(&cfg);
	return rc;
}
