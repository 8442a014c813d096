/* fsutil.c: the store's file-system steps: a path joined, a directory flushed, a directory removed with what it holds (backup, restore, the split, a catalog built beside). */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
path_join(char *out, size_t n, const char *dir, const char *name)
{
	return snprintf(out, n, "%s/%s", dir, name) >= (int)n ? ENAMETOOLONG : 0;
}

int
dir_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0)
		rc = errno;
	close(fd);
	return rc;
}

int
dir_remove(const char *dir)
{
	struct dirent *e;
	char path[4096];
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : errno;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((rc = path_join(path, sizeof(path), dir, e->d_name)) != 0)
			break;
		/* A store's environments are directories, one deeper. */
		if (unlink(path) != 0 && (rc = errno) != 0 &&
		    ((rc != EISDIR && rc != EPERM) ||
		    (rc = dir_remove(path)) != 0))
			break;
	}
	closedir(d);
	if (rc == 0 && rmdir(dir) != 0)
		rc = errno;
	return rc;
}
