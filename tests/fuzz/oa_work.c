/* oa_work.c (fuzz): one OpenAlex work line, parsed the fast way and by the jansson reference; both must agree. */
#include "oa_common.h"

static struct oa_work ow_fast = OA_WORK_INIT, ow_ref = OA_WORK_INIT;
static struct buf ow_ef = BUF_INIT, ow_er = BUF_INIT;

FUZZ_INIT(oa_work)
{
	return 0;
}

/*
 * The structs are reused from line to line, as the importer does. Both
 * ways accept or refuse alike, with the same reason, and accepted lines
 * give the same work: fields, authors, topics and the rebuilt abstract.
 */
FUZZ_ONE(oa_work)
{
	const char *line = (const char *)data;
	int rf = openalex_work_parse(line, size, &ow_fast, &ow_ef);
	int rr = openalex_work_parse_ref(line, size, &ow_ref, &ow_er);
	const struct oa_work *f = &ow_fast, *r = &ow_ref;

	FUZZ_CHECK(rf == 0 || rf == -1);
	FUZZ_CHECK(rf == rr);
	if (rr != 0) {
		FUZZ_CHECK(ow_ef.len > 0 && strcmp(ow_ef.p, ow_er.p) == 0);
		FUZZ_CHECK(memchr(ow_er.p, '\n', ow_er.len) == NULL);
		return 0;
	}
	FUZZ_CHECK(openalex_work_same(f, r));
	FUZZ_CHECK(r->id.n > 0 && r->n_authors <= OA_AUTHORS_MAX &&
	    r->n_topics <= OA_TOPICS_MAX);
	oa_check_str(r->title, OA_TITLE_MAX);
	oa_check_str(r->doi, OA_URL_MAX);
	oa_check_str(r->landing_url, OA_URL_MAX);
	oa_check_str(r->venue, OA_VENUE_MAX);
	oa_check_str(r->type, OA_TYPE_MAX);
	oa_check_str(r->date, OA_DATE_MAX);
	oa_check_str(r->oa_url, OA_URL_MAX);
	for (size_t i = 0; i < r->n_authors; i++) {
		oa_check_str(r->authors[i].name, OA_NAME_MAX);
		oa_check_str(r->authors[i].inst, OA_NAME_MAX);
		/* Kept without an id only with a name; ids once each. */
		FUZZ_CHECK(r->authors[i].id.n > 0 || r->authors[i].name.n > 0);
		FUZZ_CHECK(r->authors[i].id.n == 0 ||
		    !openalex_placeholder(r->authors[i].num,
		    r->authors[i].name));
	}
	return 0;
}
