/* bzpeer-admin.c: the operator's command for the store: stats and dump (claims review comes later). */
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "store.h"

/* A command runs inside one read transaction (writers will get their own). */
struct command {
	const char *name;
	const char *help;
	int (*run)(struct store_rtxn *t);
};

static int
cmd_stats(struct store_rtxn *t)
{
	struct store_stats st;
	int rc;

	if ((rc = store_stats(t, &st)) != 0)
		return rc;
	printf("schema %u\ngeneration %llu\nresearchers %llu\nworks %llu\n"
	    "topics %llu\nmap_size %llu\nmap_used %llu\n", st.schema,
	    (unsigned long long)st.generation,
	    (unsigned long long)st.researchers, (unsigned long long)st.works,
	    (unsigned long long)st.topics, (unsigned long long)st.map_size,
	    (unsigned long long)st.map_used);
	return 0;
}

static int
cmd_dump(struct store_rtxn *t)
{
	return store_dump(t, stdout);
}

static const struct command commands[] = {
	{ "stats", "counts, catalog generation, schema, map size and use",
	  cmd_stats },
	{ "dump", "every database as text, one line per record", cmd_dump },
};

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: bzpeer-admin --store DIR COMMAND\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fputs("exit: 0 done, 1 error, 2 usage\n", f);
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct store *s;
	struct store_rtxn *t;
	size_t i;
	int rc, status = 1;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "--store") != 0) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[3], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "bzpeer-admin: unknown command: %s\n", argv[3]);
		usage(stderr);
		return 2;
	}
	if ((rc = store_open(argv[2], STORE_RDONLY | STORE_EMPTY_OK, &s))) {
		fprintf(stderr, "bzpeer-admin: %s: %s\n", argv[2],
		    store_strerror(rc));
		return 1;
	}
	if ((rc = store_read_begin(s, &t)) != 0) {
		fprintf(stderr, "bzpeer-admin: read: %s\n", store_strerror(rc));
		goto close;
	}
	rc = cmd->run(t);
	store_read_end(t);
	if (rc != 0) {
		fprintf(stderr, "bzpeer-admin: %s: %s\n", cmd->name,
		    store_strerror(rc));
		goto close;
	}
	status = fflush(stdout) == 0 ? 0 : 1;
close:
	store_close(s);
	return status;
}
