/*
 * jis.h — UTF-8 to ISO-2022-JP (RFC 1468) as Windows reads it, for mail to
 * old Japanese clients: JIS X 0208 with NEC row 13 (①, ㈱, Ⅰ, ㍻) through
 * glibc's EUC-JP-MS table (Microsoft's CP50221 reading); half-width
 * katakana (ﾞ and ﾟ joined: ｶﾞ → ガ), ¥ and ‾ go full-width.  A character
 * it lacks — emoji, accented Latin, IBM extension kanji (髙, 﨑), the
 * user-defined area, the ESC, SO and SI controls — is a failure, never a
 * '?': the caller then sends UTF-8.  Pure but for iconv; no I/O.
 *
 * Text goes through an "EUC form": ASCII bytes as they are, each JIS X
 * 0208 character as its two bytes with the high bit set (0xA1–0xFE, as
 * in EUC-JP).  Character boundaries are obvious there (a byte >= 0x80
 * starts a two-byte character), so a caller can cut it between
 * characters, and jis_put() writes any stretch of it as ISO-2022-JP that
 * starts and ends in ASCII: each encoded word and each body line decodes
 * on its own.  Strict decoders (glibc's and Python's ISO-2022-JP) cannot
 * read row 13; Windows mail programs and Thunderbird do.
 */
#ifndef INCIDENT_JIS_H
#define INCIDENT_JIS_H

#include <stddef.h>

#include "lib/buf.h"

#define JIS_BODY_LINE_MAX 998	/* RFC 5322 2.1.1: a line MUST be no more than 998 */

/* A converter (an iconv descriptor for EUC-JP-MS); opaque. */
struct jis;

/*
 * A new converter, or NULL when the C library has no EUC-JP-MS or memory
 * ran out: either way ISO-2022-JP cannot be written and the caller sends
 * UTF-8.  The caller frees it with jis_free().  Not for two threads at once.
 */
struct jis *jis_new(void);

/* Frees j; NULL is fine. */
void jis_free(struct jis *j);

/*
 * Appends NUL-terminated UTF-8 text in to out in EUC form.  Returns 0, or
 * -1 when a byte is not UTF-8 or some character has no place in
 * ISO-2022-JP (out then holds the part before it).  Memory running out
 * sets out->oom (buf.h) and is not an error here: the caller checks it.
 */
int jis_from_utf8(struct jis *j, const char *in, struct buf *out);

/*
 * Writes the n bytes of EUC-form text at s (whole characters) as
 * ISO-2022-JP to b: ESC $ B before each run of JIS X 0208, ESC ( B after
 * it, so that the result starts and ends in ASCII.  b NULL writes nothing
 * and only measures.  Returns the length written (or that would be).
 */
size_t jis_put(struct buf *b, const char *s, size_t n);

/*
 * How many bytes of the NUL-terminated EUC-form text s (whole
 * characters) fit into one RFC 2047 encoded word "=?ISO-2022-JP?B?…?=" of
 * at most room characters (never more than 75), its escapes and base64
 * counted.  0 when not even one character does.
 */
size_t jis_word_fit(const char *s, size_t room);

/*
 * The UTF-8 text (NULL: empty) as ISO-2022-JP lines appended to out,
 * 7bit: each line starts and ends in ASCII and ends in CRLF, the last one
 * too.  text's lines end in CRLF already (the last may lack it; a lone
 * CR or LF is not a line end here); a line is never folded, as that
 * would change the text.  Returns 0, or -1 when
 * a character has no place in ISO-2022-JP or a line would pass
 * JIS_BODY_LINE_MAX bytes (out then holds a part); memory running out
 * sets out->oom.
 */
int jis_body(struct jis *j, const char *text, struct buf *out);

/*
 * Length of the valid UTF-8 sequence at NUL-terminated s (1..4), or 0 when
 * the bytes there are not valid UTF-8 (stray continuation, overlong form,
 * surrogate, > U+10FFFF, truncated).  Shared with compose.c.
 */
size_t jis_utf8_len(const unsigned char *s);

#endif
