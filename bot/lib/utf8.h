/*
 * utf8.h — UTF-8 text as a terminal shows it (issue 13, point 9): one
 * character decoded, the columns a character or a text takes (Unicode's
 * East Asian Width: wide and full-width characters two columns,
 * combining marks none), and a text cut to a width on a character
 * boundary with "…"; and the cuts to a number of bytes or characters
 * that never split a character.  The one place that measures text for columns:
 * `show`, `tickets` and `outbox` line up their columns with it.
 * Pure: no I/O, no locale (the table is generated, utf8_table.h).
 */
#ifndef INCIDENT_UTF8_H
#define INCIDENT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/*
 * The valid UTF-8 character at s (n bytes left, n may be 0): returns its
 * length (1–4) and sets *cp to its code point; returns 0 when the bytes
 * there are no valid UTF-8 — a stray continuation byte, an overlong form,
 * a surrogate, a sequence cut short, a value above U+10FFFF — and leaves
 * *cp alone.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/*
 * The columns a terminal gives cp:
 *   2  East Asian Width W or F: CJK ideographs, kana, hangul syllables,
 *      full-width forms (ＡＢＣ), most emoji (😀, also outside the BMP);
 *   0  combining and enclosing marks (U+3099 ゛), format characters
 *      (U+200B, U+200D, U+FEFF) and controls (C0, DEL, C1: never printed
 *      as they are, see termsafe.h);
 *   1  everything else, half-width kana (ｱ) and the "ambiguous" ones
 *      (※ ○ … ①) included, as terminals set up for UTF-8 show them.
 */
int utf8_cp_width(uint32_t cp);

/* The columns of the n bytes at s; a byte that is no valid UTF-8 counts
 * one column (a terminal shows it as one replacement character). */
size_t utf8_width(const char *s, size_t n);

/*
 * The longest head of the n bytes at s that takes at most cols columns,
 * in bytes: it never ends inside a character nor between a character and
 * the zero-width marks that follow it (a dakuten stays with its kana).
 * Its width into *width (NULL: not wanted).
 */
size_t utf8_fit(const char *s, size_t n, size_t cols, size_t *width);

/*
 * Cuts for byte and character limits (a mail's size, a log line, a
 * subject echoed back): they count no columns, they only never end inside
 * a character.  A character here is a byte that is no continuation byte
 * (10xxxxxx) and the continuation bytes after it, so invalid bytes are cut
 * around like characters and nothing is ever lost but the tail.
 *
 * utf8_cut_bytes: the length of the longest head of the n bytes at s that
 * is at most max bytes and does not end inside a character (n when n <= max).
 */
size_t utf8_cut_bytes(const char *s, size_t n, size_t max);

/* utf8_cut_chars: the length in bytes of the first max characters of the
 * n bytes at s (n when there are no more than max). */
size_t utf8_cut_chars(const char *s, size_t n, size_t max);

/*
 * Appends the n bytes at s to out, cut to at most cols columns: when
 * wider, the head that fits in cols - 1 columns, without the spaces it
 * ends in, and "…" (U+2026, one column).  Returns the columns appended (<= cols; 0 when cols is 0).
 * out->oom tells of a failed allocation.
 */
size_t utf8_clip(const char *s, size_t n, size_t cols, struct buf *out);

#endif
