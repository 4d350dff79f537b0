/*
 * html.h — HTML → readable plain text, for mails that carry no text/plain
 * part, and the charset an HTML part declares in its <meta>.  Crude on
 * purpose and kept apart so it can be replaced whole: no DOM, no CSS, one
 * pass over the bytes.  No libetpan, no state.
 */
#ifndef INCIDENT_HTML_H
#define INCIDENT_HTML_H

#include <stddef.h>

/*
 * n bytes of HTML, already in UTF-8 (charset.h), as text:
 *   - tags (from '<' to the next '>') are dropped; br, p, div, tr, li,
 *     h1-h6, table, ul, ol, blockquote, pre and hr, opening or closing,
 *     start a new line: at most one empty line in a row, none at the start;
 *   - script, style, head, title and template are dropped with their
 *     contents, and so are comments (to the end of the text when never
 *     closed), and every element a person does not see (issue 14, V11):
 *     the hidden attribute, or a style with display:none,
 *     visibility:hidden or collapse, font-size:0, opacity:0, height:0
 *     or max-height:0 (to its end tag, nested ones of its name counted);
 *   - the lines inside a blockquote (a quoted original) start with "> ",
 *     one per line, as a plain-text client quotes;
 *   - a run of white space (space, tab, CR, LF) is one space between
 *     words, and nothing at either end of a line or of the text;
 *   - &amp; &lt; &gt; &quot; &apos; &nbsp; (any case) and numeric
 *     entities of up to 8 digits (&#9312; &#x2460;) are decoded; a code
 *     point that cannot be (0, a surrogate, above U+10FFFF) becomes
 *     U+FFFD; anything else after '&' stays as written;
 *   - a '<' with no '>' after it stays as text.
 * s need not be NUL-terminated; NUL bytes pass through, so use *len.
 * Returns a malloc'd NUL-terminated string the caller frees (length in
 * *len when len is not NULL), or NULL when memory ran out.
 */
char *html_to_text(const char *s, size_t n, size_t *len);

/*
 * The charset label a <meta> declares in the first 1024 bytes of HTML (n
 * bytes at s, still in their charset), found as the HTML standard's
 * prescan finds it: <meta charset="..."> or <meta http-equiv="Content-Type"
 * content="text/html; charset=...">, outside comments, the first that
 * names one.  Copies the label, quotes and surrounding spaces taken off,
 * into label (size bytes with its NUL) and returns 0; -1 when there is
 * none, it does not fit, or it says UTF-16 or UTF-32 (a byte scan could
 * not have read such a <meta>).  The label is as written: charset.h reads it.
 */
int html_meta_charset(const char *s, size_t n, char *label, size_t size);

#endif
