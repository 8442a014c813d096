/* log.c: stderr logging, one write(2) per line so workers' lines never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *log_prog = "bzpeer";
static enum log_level log_max = LOGL_INFO;
static int log_journal;     /* stderr is journald's stream */

static const char *const level_names[] = { "error", "warning", "info", "debug" };
/* syslog priorities: err, warning, info, debug */
static const char level_prio[] = { '3', '4', '6', '7' };

/*
 * Whether stderr is the stream journald gave us (JOURNAL_STREAM names its
 * device and inode): then lines start with "<priority>", which journald
 * takes as the entry's level, and it adds the program name itself.
 */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%lu:%lu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long)st.st_dev == dev && (unsigned long)st.st_ino == ino;
}

void
log_setup(const char *prog, enum log_level level)
{
	log_prog = prog;
	log_max = level;
	log_journal = stderr_is_journal();
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_at(enum log_level level, const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (level > log_max)
		return;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%c>[%ld] %s: %s: ",
		    level_prio[level], (long)getpid(), level_names[level], func);
	else
		n = snprintf(line, sizeof(line), "%s[%ld]: %s: %s: ", log_prog,
		    (long)getpid(), level_names[level], func);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Best effort: nowhere to report a failed write of the log itself. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
