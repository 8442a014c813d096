/* oa_common.h (fuzz): comparing the importer's fast OpenAlex parse with its jansson reference. */
#ifndef BZPEER_FUZZ_OA_COMMON_H
#define BZPEER_FUZZ_OA_COMMON_H

#include <string.h>

#include "../../store/openalex.h"
#include "fuzz.h"

/* What every accepted string must be: no NUL, within the limits. */
static inline void
oa_check_str(struct sv s, size_t max)
{
	FUZZ_CHECK(s.n <= max);
	FUZZ_CHECK(s.n == 0 || memchr(s.p, '\0', s.n) == NULL);
}

#endif
