/* owner.c: a tool run as root acts as the owner of the store it works on. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

int
store_as_owner(const char *dir, unsigned *uid)
{
	char path[PATH_MAX];
	struct passwd *pw;
	struct stat st;
	char *slash;

	if (uid != NULL)
		*uid = 0;
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return ENAMETOOLONG;
	/* A store not made yet belongs to whoever owns where it will be. */
	while (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return errno;
		if ((slash = strrchr(path, '/')) == NULL)
			snprintf(path, sizeof(path), ".");
		else if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
	}
	if (uid != NULL)
		*uid = (unsigned)st.st_uid;
	if (geteuid() != 0 || st.st_uid == 0)
		return 0;
	errno = 0;
	if ((pw = getpwuid(st.st_uid)) != NULL) {
		if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
		    setgid(pw->pw_gid) != 0)
			return errno;
	} else if (setgroups(0, NULL) != 0 || setgid(st.st_gid) != 0) {
		return errno;
	}
	if (setuid(st.st_uid) != 0)
		return errno;
	/* No way back: what follows runs as that user alone. */
	if (setuid(0) == 0)
		return EPERM;
	return 0;
}
