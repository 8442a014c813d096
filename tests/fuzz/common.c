/* common.c: helpers shared by the fuzz harnesses and the replay driver. */
#include "fuzz.h"

#include <string.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

const char *fuzz_current_input;

const char *
fuzz_root(void)
{
	const char *r = getenv("BZPEER_ROOT");

	if (r == NULL || *r == '\0')
		r = getenv("ROOT");
	if (r == NULL || *r == '\0')
		r = FUZZ_ROOT;
	return r;
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
