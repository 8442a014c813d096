/* bzpeer-fcgi.c: the FastCGI server's entry point: settings, templates, socket, master. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	    "       bzpeer-fcgi --check-config [...]   check settings, templates, store\n"
	    "       bzpeer-fcgi --help-config          every config key, documented\n"
	    "       bzpeer-fcgi --version\n", f);
}

/*
 * Checks what start-up needs beyond the settings themselves: the templates
 * parse and the store opens with a known schema. Returns 0 or -1 (logged).
 */
static int
check_runtime(const struct config *cfg)
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
	/* Made here, once, before any worker exists to race for it. */
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
	int check_only = 0, c, fd, owned, rc;

	log_setup("bzpeer-fcgi", LOGL_INFO);
	config_defaults(&cfg);

	/* First pass: find --config, so flags override the file. Every way
	 * out goes through `out:`, so LeakSanitizer finds nothing at exit. */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'C': check_only = 1; break;
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
	if (check_runtime(&cfg) < 0)
		goto out;
	if (check_only) {
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
	buf_free(&err);
	views_unload();
	config_free(&cfg);
	return rc;
}
