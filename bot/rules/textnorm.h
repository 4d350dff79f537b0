/*
 * textnorm.h — Japanese and English mail text made comparable byte for
 * byte: full-width ASCII (U+FF01–FF5E) as ASCII, half-width katakana
 * (U+FF61–FF9F) as full-width with a following (han)dakuten joined
 * (ｶﾞ → ガ, and カ + U+3099 → ガ), ASCII lower-cased, white space runs
 * one space, and no space where a line break falls between two Japanese
 * characters (mail wraps 顧客\n情報).  The classifier normalises text and
 * keywords with it so that a keyword is one byte string to find.
 * Pure: no I/O, no allocation, no locale; libc only.
 */
#ifndef INCIDENT_TEXTNORM_H
#define INCIDENT_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * A normalisation under way.  The caller owns the output buffer o and
 * gives it room for every byte of text passed in (normalising never
 * lengthens: each character keeps or shrinks its length, and a space is
 * written only for white space or an invalid byte that was there), plus
 * whatever it appends itself.  The output is never NUL-terminated.
 *
 * o, n: the caller's, read and written: n is the bytes written so far.
 * A caller may append its own bytes at o + n (and advance n) between
 * pieces, then call textnorm_start() before the next piece.
 * last, last_cp, space: textnorm's own.
 */
struct textnorm {
	unsigned char *o;
	size_t n;
	size_t last;		/* offset of the last character written */
	uint32_t last_cp;	/* 0: none yet in this piece */
	int space;		/* pending: 0 none, 1 space, 2 a line break */
};

/*
 * Starts a piece: no character before it and no white space owed, so
 * leading white space is dropped and a (han)dakuten at its start is kept
 * as a character.  Leaves o and n alone.  Call it before the first piece.
 */
void textnorm_start(struct textnorm *st);

/*
 * Appends s..s+n (UTF-8; need not be NUL-terminated) normalised to the
 * piece, at st->o + st->n, and advances st->n.  The output is valid UTF-8.
 *
 *   - full-width ASCII U+FF01–FF5E becomes ASCII, then ASCII A–Z a–z;
 *   - half-width katakana and punctuation U+FF61–FF9F become full-width
 *     (｡ → 。, ｰ → ー, ｱ → ア); a dakuten or handakuten (half-width
 *     U+FF9E/FF9F or combining U+3099/309A) right after a kana that takes
 *     it is joined to it (ﾊﾟ → パ, は + U+3099 → ば, ｳﾞ → ヴ); otherwise it
 *     stays a character of its own (half-width ones as ゛ ゜);
 *   - a run of white space (space, tab, FF, VT, CR, LF, U+00A0, U+3000)
 *     and invalid UTF-8 bytes becomes one space, none at the start or
 *     end of a piece; a run containing a line break and falling between
 *     two characters at or above U+3000 becomes nothing;
 *   - everything else is copied as it is.
 *
 * Trailing white space is held back, not written: it becomes a space only
 * if more text follows in the same piece, so a piece may be passed in
 * several calls.
 */
void textnorm_text(struct textnorm *st, const char *s, size_t n);

/*
 * The code point at s (n > 0 bytes) in *cp and its length, or 0 when s
 * does not start well-formed UTF-8 (RFC 3629: no overlongs, surrogates,
 * beyond U+10FFFF, or cut short); *cp is then unchanged.
 */
size_t textnorm_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes cp (at most U+10FFFF, not a surrogate) as UTF-8 at o (room for 4); its length. */
size_t textnorm_utf8_put(uint32_t cp, unsigned char *o);

#endif
