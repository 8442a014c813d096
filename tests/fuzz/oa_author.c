/* oa_author.c (fuzz): one OpenAlex author line, parsed the fast way and by the jansson reference; both must agree. */
#include "oa_common.h"

static struct oa_author oa_fast = OA_AUTHOR_INIT, oa_ref = OA_AUTHOR_INIT;
static struct buf oa_ef = BUF_INIT, oa_er = BUF_INIT;

FUZZ_INIT(oa_author)
{
	return 0;
}

/*
 * The structs are reused from line to line, as the importer does. Both
 * ways accept or refuse alike, with the same reason, and accepted lines
 * give the same author.
 */
FUZZ_ONE(oa_author)
{
	const char *line = (const char *)data;
	int rf = openalex_author_parse(line, size, &oa_fast, &oa_ef);
	int rr = openalex_author_parse_ref(line, size, &oa_ref, &oa_er);

	FUZZ_CHECK(rf == 0 || rf == -1);
	FUZZ_CHECK(rf == rr);
	if (rr != 0) {
		FUZZ_CHECK(oa_ef.len > 0 && strcmp(oa_ef.p, oa_er.p) == 0);
		FUZZ_CHECK(memchr(oa_er.p, '\n', oa_er.len) == NULL);
		return 0;
	}
	FUZZ_CHECK(openalex_author_same(&oa_fast, &oa_ref));
	FUZZ_CHECK(oa_ref.n_insts <= OA_INSTS_MAX + OA_INSTS_MAX);
	for (size_t i = 0; i < oa_ref.n_insts; i++)
		oa_check_str(oa_ref.insts[i].name, OA_NAME_MAX);
	FUZZ_CHECK(oa_ref.a.id.n > 0);
	oa_check_str(oa_ref.a.name, OA_NAME_MAX);
	oa_check_str(oa_ref.institution, OA_NAME_MAX);
	FUZZ_CHECK(oa_fast.n_alts == oa_ref.n_alts && oa_ref.n_alts <= OA_ALTS_MAX);
	for (size_t i = 0; i < oa_ref.n_alts; i++) {
		FUZZ_CHECK(sv_eq(oa_fast.alts[i], oa_ref.alts[i]));
		oa_check_str(oa_ref.alts[i], OA_NAME_MAX);
	}
	return 0;
}
