/* export.h: a researcher's profile and works in machine-readable forms: JSON, Atom, BibTeX (export_json.c, export_atom.c, export_bib.c). */
#ifndef BZPEER_VIEW_EXPORT_H
#define BZPEER_VIEW_EXPORT_H

#include <stdint.h>

#include "../store/store.h"

/*
 * Each appends one complete document to out, every string from the store
 * through the escaper for where it lands (json_str, xml_txt, bib_txt).
 * t must be the transaction r was read in. Return 0 or a store error (out
 * then holds a partial document: discard it).
 */

/*
 * {slug}.json: the profile: ids, name, ORCID, institution, figures
 * (followers passed in), trust and band, verification level, claim state,
 * every work with its fields, authors and topics, co-authors and topics.
 */
int export_json(struct store_rtxn *t, const struct store_researcher *r,
    uint64_t followers, struct buf *out);

/*
 * works.atom: an Atom 1.0 feed of the newest EXPORT_ATOM_MAX works. origin
 * is "https://host" (no trailing slash) for the feed's own links and id;
 * updated is the feed's time (unix seconds; the catalog generation's).
 * Entry ids are the works' OpenAlex URLs.
 */
#define EXPORT_ATOM_MAX 50
int export_atom(struct store_rtxn *t, const struct store_researcher *r,
    struct sv origin, uint64_t updated, struct buf *out);

/*
 * works.bib: every work as a BibTeX entry, newest first, with keys like
 * arora2022implicit (first author's family name, year, first significant
 * title word; ASCII); keys that clash get -a, -b, ... in work-id order.
 */
int export_bib(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out);

/* The key stem of one work (no clash suffix), appended to out. For tests. */
void export_bib_key(const struct store_work *w, struct buf *out);

/*
 * One author's name as BibTeX reads it, appended to out (escaped):
 * "Family, Given", the family name with the particles before it ("van
 * Beethoven, Ludwig", "de la Tour, Hervé") and a suffix after it ("King,
 * Jr., Martin Luther"); a one-word name, one holding a comma or the word
 * "and", or one in an East Asian script (family name first) braced whole. Two family names without a hyphen cannot be
 * told from a middle name: only the last word is the family name.
 */
void export_bib_name(struct buf *out, struct sv name);

#endif
