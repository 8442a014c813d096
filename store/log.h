/* log.h: one line per event on stderr, with level and cause (journald picks it up). */
#ifndef BZPEER_LOG_H
#define BZPEER_LOG_H

/* LOGL_: <syslog.h> has LOG_ERR, LOG_INFO, LOG_DEBUG with other values. */
enum log_level { LOGL_ERR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

/* Sets the level below which lines are dropped, and the program name. */
void log_setup(const char *prog, enum log_level level);
int  log_level_parse(const char *s, enum log_level *out);

/*
 * "bzpeer-fcgi[pid]: <level>: <func>: <message>"; into journald (stderr is
 * its stream) "<priority>[pid] <level>: <func>: <message>".
 */
void log_at(enum log_level level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)   log_at(LOGL_ERR, __func__, __VA_ARGS__)
#define log_warn(...)  log_at(LOGL_WARN, __func__, __VA_ARGS__)
#define log_info(...)  log_at(LOGL_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_at(LOGL_DEBUG, __func__, __VA_ARGS__)

#endif
