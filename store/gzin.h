/* gzin.h: reading an input file that may be gzip-compressed, with ISA-L's inflate. */
#ifndef BZPEER_GZIN_H
#define BZPEER_GZIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What zlib's gzread() gave the importer, at about 2.5 times its inflate
 * speed (bench/results.md): a file that starts with the gzip magic is
 * inflated, member after member (concatenated .gz files are one stream);
 * any other file is read as it is. Stricter than gzread in one way: bytes
 * after the last member that are not another member are an error, not
 * silently dropped.
 *
 *	struct gzin *g;
 *	if ((rc = gzin_open(path, &g)) != 0) ... (an errno value)
 *	while ((n = gzin_read(g, buf, cap)) > 0) ...
 *	if (n < 0) ... gzin_error(g) says why
 *	gzin_close(g);
 */
struct gzin;

int         gzin_open(const char *path, struct gzin **out);
/* Up to cap (> 0) bytes into buf: how many (> 0), 0 at the end, -1 on an
 * error (and on every read after it). */
ssize_t     gzin_read(struct gzin *g, void *buf, size_t cap);
/* How many bytes of the file were read so far (a progress figure; any
 * thread may ask while another reads). */
uint64_t    gzin_in_bytes(struct gzin *g);
/* The error in words ("truncated gzip data (unexpected end of file)",
 * "Input/output error", ...). */
const char *gzin_error(const struct gzin *g);
void        gzin_close(struct gzin *g);

#endif
