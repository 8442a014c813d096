/* html.h: output escaped for where it lands (cgit html.h, kcgi khtml). */
#ifndef BZPEER_HTML_H
#define BZPEER_HTML_H

#include "../store/buf.h"

/*
 * Every byte of data that reaches a page goes through one of these. Invalid
 * UTF-8 is written as U+FFFD; NUL bytes are dropped (html_*) or escaped
 * (json_str). None of them ever writes raw data.
 */
void html_txt(struct buf *b, struct sv s);   /* element text: & < > " ' */
void html_attr(struct buf *b, struct sv s);  /* quoted attribute value */
void url_arg(struct buf *b, struct sv s);    /* one path segment or query value, %XX */
void json_str(struct buf *b, struct sv s);   /* a JSON string with its quotes */

/*
 * XML 1.0 character data or a quoted attribute value (Atom feeds):
 * & < > " ' as entities; C0 controls other than tab, LF and CR, DEL,
 * U+FFFE, U+FFFF and invalid UTF-8 as U+FFFD (XML forbids them); NUL dropped.
 */
void xml_txt(struct buf *b, struct sv s);

/*
 * The text of a braced BibTeX field value (title = {...}): & % $ # _ as
 * \& \% \$ \# \_; { } ~ ^ \ as \textbraceleft{}, \textbraceright{},
 * \textasciitilde{}, \textasciicircum{}, \textbackslash{} (BibTeX counts
 * every brace, escaped or not, so braces from data never reach the output
 * and the field's braces always balance); line breaks, tabs and other
 * controls as one space; invalid UTF-8 as U+FFFD; NUL dropped. Other UTF-8
 * is kept (biber and bibtexu read it).
 */
void bib_txt(struct buf *b, struct sv s);

/*
 * A title for BibTeX: as bib_txt(), but the markup publishers put in
 * titles (Crossref's JATS and HTML: <i>, <em>, <b>, <strong>, <sup>,
 * <sub>, <sc>, <scp>, <u>) becomes \textit{}, \textbf{}, \textsuperscript{},
 * \textsubscript{}, \textsc{}, \underline{}; <span ...>, <br/>, <p>, <math>
 * and <mml:...> tags are dropped (their text kept), the entities &amp;
 * &lt; &gt; &quot; &#39; &apos; decoded. Anything else that looks like a
 * tag is text. The braces always balance: a closing tag that does not
 * close the innermost command is dropped, and every command still open
 * at the end is closed.
 */
void bib_title(struct buf *b, struct sv s);

/*
 * Writes bytes as they are. Only for trusted template text parsed from the
 * files in views/ and for markup the view code spells out literally; never
 * for data. Named so it stands out in review.
 */
void html_raw_trusted(struct buf *b, const char *s, size_t n);

#endif
