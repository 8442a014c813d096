/* export.h: a researcher's profile and works in machine-readable forms: JSON, Atom, BibTeX, RIS, CSL-JSON (export_json.c, export_atom.c, export_bib.c, export_ris.c, export_csl.c). */
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
 * updated is the feed's time (unix seconds: when the researcher's record
 * or works last changed).
 * Entry ids are the works' OpenAlex URLs.
 */
#define EXPORT_ATOM_MAX 50
int export_atom(struct store_rtxn *t, const struct store_researcher *r,
    struct sv origin, uint64_t updated, struct buf *out);

/*
 * The private feed of what user follows (/me/feed/TOKEN.atom): an Atom
 * 1.0 feed of the newest EXPORT_ATOM_MAX works by the researchers user
 * follows (store_following_newest: its bounds), newest first, each entry
 * as in works.atom (id: the work's OpenAlex URL), updated when its
 * researcher's record or works last changed (fallback, the catalog's
 * time, for a record that does not say). self_path is the feed's own
 * path ("/me/feed/TOKEN.atom"): its id and rel=self link.
 */
int export_atom_following(struct store_rtxn *t, struct sv user,
    struct sv origin, struct sv self_path, uint64_t fallback,
    struct buf *out);

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
 * told from a middle name by the words alone: only the last word is the
 * family name (export_author_split asks the catalog).
 */
void export_bib_name(struct buf *out, struct sv name);

/*
 * The same split, for RIS and CSL-JSON: family (with its particles),
 * suffix (or empty) and given name, pointing into name; or whole set when
 * the name is kept as written (whole_name, trimmed; empty when blank).
 */
struct export_name {
	struct sv family, suffix, given, whole_name;
	int       whole;
};
void export_name_split(struct sv name, struct export_name *x);

/*
 * An author of a work split as export_name_split does, then told by the
 * catalog where the words cannot tell: when the author's researcher
 * record (by a->id, in t) has an alternative name written "Family,
 * Given" whose family name is longer than the split's and is what the
 * name's last words spell (folded, word by word; a given name left in
 * front), that is the family name: "Gabriel García Márquez" with the
 * alternative "García Márquez, Gabriel" is "García Márquez", "Gabriel".
 * Names kept whole, with a suffix, or of an author with no record are
 * split by the words alone.
 */
void export_author_split(struct store_rtxn *t, const struct store_author_ref *a,
    struct export_name *x);

/*
 * works.ris: every work as a RIS record (TY .. ER), newest first, lines
 * ended by CR LF, every value on one line: TY, ID (the work id), TI, AU
 * ("Family, Given[, Suffix]", as export_name_split splits), PY, DA
 * (YYYY/MM/DD), JO (a journal) or T2 (any other venue), DO, UR, N1
 * ("Retracted"), AB.
 */
int export_ris(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out);

/* One RIS value: controls and line breaks as one space, spaces squeezed
 * and trimmed, invalid UTF-8 as U+FFFD; appended to out. */
void export_ris_txt(struct buf *out, struct sv v);

/*
 * works.csl.json: every work as a CSL-JSON item (the citation style
 * language's input: Zotero, Pandoc, citeproc), newest first, in one array.
 */
int export_csl(struct store_rtxn *t, const struct store_researcher *r,
    struct buf *out);

#endif
