/*
 * charset.h — text in whatever charset a mail carries, to UTF-8.
 *
 * A label goes through an alias table (what mail clients write → what
 * glibc's iconv(3) knows), the bytes through iconv, and every byte that
 * does not decode becomes U+FFFD and marks the text lossy.  Text with no
 * usable label, or with one it contradicts, is detected: ISO-2022-JP,
 * UTF-8, CP932 or EUC-JP, else Windows-1252 / Latin-1.  No libetpan, no
 * state kept between calls.
 *
 * Input is n bytes at s: need not be NUL-terminated, may hold NUL bytes
 * (they pass through; the caller decides what NUL means in its text).
 * Every result string is malloc'd, NUL-terminated, owned by the caller;
 * NULL means out of memory and nothing else.  *lossy is set to 1 when a
 * byte had to be replaced, and never cleared, so one flag can collect a
 * whole message.
 */
#ifndef INCIDENT_CHARSET_H
#define INCIDENT_CHARSET_H

#include <stddef.h>

#define CHARSET_NAME_MAX 64

/*
 * The iconv name for a charset label, case-insensitive.  NULL when the
 * label is no real label and the text must be detected: NULL, "",
 * "us-ascii" (8-bit text under it is common), "unknown-8bit" and the like.
 * Otherwise a static name from the alias table ("shift_jis" → "CP932"),
 * the label itself when it is not in the table, or, for an unknown label
 * with "_" ("koi8_r"), the same with "-" written into tmp.  The result is
 * valid while label and tmp are.  Whether iconv knows the name is not
 * checked: charset_to_utf8 detects when it does not.
 */
const char *charset_iconv_name(const char *label, char tmp[CHARSET_NAME_MAX]);

/*
 * n bytes labelled `label` (NULL: no label) as UTF-8.  The label is
 * trusted unless the text contradicts it:
 *   - 8-bit text that is valid UTF-8 is UTF-8 whatever the label says
 *     (legacy charsets almost never form it by chance, and clients that
 *     re-encode a forwarded text keep the old label);
 *   - a UTF-8 label only repairs: each byte that is not part of
 *     well-formed UTF-8 (RFC 3629) becomes U+FFFD;
 *   - ISO-2022-JP is read with the Windows extensions (①, ㈱, half-width
 *     kana) when the strict table fails, and detected instead when 8-bit
 *     bytes show the label is wrong;
 *   - no label, or one iconv does not know: detected, as
 *     charset_guess_to_utf8 with no hint.
 * Returns the text (length in *len when len is not NULL), or NULL.
 */
char *charset_to_utf8(const char *label, const char *s, size_t n,
		      size_t *len, int *lossy);

/*
 * n bytes whose label is at best a hint: raw 8-bit bytes in a header,
 * against RFC 5322, mostly written in the body's charset.  Text that is
 * 7-bit or valid UTF-8 is detected as such; otherwise the hint is tried
 * when it decodes every byte (a UTF-8 or ISO-2022-JP hint never does),
 * then detection: ISO-2022-JP by its escapes, UTF-8, CP932 or EUC-JP when
 * the result reads as Japanese (kana, or 8-bit bytes only in pairs),
 * Windows-1252 where it decodes, else Latin-1.  hint may be NULL.
 * Returns the text (length in *len when len is not NULL), or NULL.
 */
char *charset_guess_to_utf8(const char *hint, const char *s, size_t n,
			    size_t *len, int *lossy);

#endif
