/* utf8.c — see utf8.h. */
#include "lib/utf8.h"

struct utf8_range {
	uint32_t lo, hi;
};

#include "lib/utf8_table.h"

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return *cp = p[0], 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

static int in_table(uint32_t cp, const struct utf8_range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int utf8_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)		/* Latin: the common case, no search */
		return 1;
	if (in_table(cp, utf8_zero, sizeof utf8_zero / sizeof *utf8_zero))
		return 0;
	if (in_table(cp, utf8_wide, sizeof utf8_wide / sizeof *utf8_wide))
		return 2;
	return 1;
}

/* The character at s as (its length, its columns); an invalid byte is one
 * byte of one column. */
static size_t next(const char *s, size_t n, int *cols)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	if (len == 0) {
		*cols = 1;
		return 1;
	}
	*cols = utf8_cp_width(cp);
	return len;
}

size_t utf8_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	int c;

	while (i < n) {
		i += next(s + i, n - i, &c);
		w += (size_t)c;
	}
	return w;
}

size_t utf8_fit(const char *s, size_t n, size_t cols, size_t *width)
{
	size_t i = 0, w = 0, len;
	int c;

	while (i < n) {
		len = next(s + i, n - i, &c);
		if (w + (size_t)c > cols)
			break;
		w += (size_t)c;
		i += len;
	}
	if (width)
		*width = w;
	return i;
}

static int continues(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t utf8_cut_bytes(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && continues(s[max]))
		max--;
	return max;
}

size_t utf8_cut_chars(const char *s, size_t n, size_t max)
{
	size_t i = 0, chars;

	for (chars = 0; i < n && chars < max; chars++)
		for (i++; i < n && continues(s[i]); i++)
			;
	return i;
}

size_t utf8_clip(const char *s, size_t n, size_t cols, struct buf *out)
{
	size_t w = utf8_width(s, n), head;

	if (w <= cols) {
		buf_add(out, s, n);
		return w;
	}
	if (cols == 0)
		return 0;
	head = utf8_fit(s, n, cols - 1, &w);
	/* "北垣…", not "北垣 …": the cut shows where the text goes on */
	while (head > 0 && s[head - 1] == ' ')
		head--, w--;
	buf_add(out, s, head);
	buf_adds(out, "…");
	return w + 1;
}
