/*
 * when.c — see when.h.  One pass over the text: at each digit or day word
 * a phrase is tried; its day comes from a day word or date just before
 * the time (within the same line), else from the mail's day.
 *
 * To add a form: a day word in `days`, or a time marker in read_time().
 */
#include "rules/when.h"

#include <stdbool.h>
#include <string.h>

#define WINDOW (7 * 86400L)	/* a report tells of the last days, not of last month */

struct phrase_day {
	const char *word;
	int offset;		/* days before the mail's day */
	bool night;		/* 夜/晩: a time below 12 is in the evening */
};

/* Day words, longest first where one starts another. */
static const struct phrase_day days[] = {
	{ "一昨日", 2, false }, { "おととい", 2, false }, { "昨夜", 1, true },
	{ "昨晩", 1, true }, { "昨日の夜", 1, true }, { "昨日", 1, false }, { "きのう", 1, false },
	{ "今朝", 0, false }, { "本日", 0, false }, { "今日", 0, false }, { "今夜", 0, true },
	{ "yesterday", 1, false }, { "today", 0, false }, { "this morning", 0, false },
	{ "last night", 1, true }, { "tonight", 0, true },
};

/* Full-width digits (U+FF10–FF19) read as digits: the value, and the bytes. */
static int digit_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		*len = 1;
		return s[i] - '0';
	}
	if (i + 2 < n && s[i] == 0xef && s[i + 1] == 0xbc && s[i + 2] >= 0x90 && s[i + 2] <= 0x99) {
		*len = 3;
		return s[i + 2] - 0x90;
	}
	return -1;
}

/* A number of 1–4 digits at s[*i]; -1 when none. */
static int number_at(const unsigned char *s, size_t n, size_t *i)
{
	size_t j = *i, l;
	int v = 0, d, k = 0;

	while (k < 4 && (d = digit_at(s, n, j, &l)) >= 0) {
		v = v * 10 + d;
		j += l;
		k++;
	}
	if (!k || digit_at(s, n, j, &l) >= 0)
		return -1;
	*i = j;
	return v;
}

static bool word_at(const unsigned char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return l <= n - i && memcmp(s + i, w, l) == 0;
}

static bool ascii_word_at(const unsigned char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w), k;

	if (l > n - i)
		return false;
	for (k = 0; k < l; k++) {
		unsigned char c = s[i + k];

		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)w[k])
			return false;
	}
	return true;
}

/* Skips spaces (ASCII and U+3000) at s[*i]. */
static void skip_space(const unsigned char *s, size_t n, size_t *i)
{
	while (*i < n) {
		if (s[*i] == ' ' || s[*i] == '\t')
			(*i)++;
		else if (word_at(s, n, *i, "\xe3\x80\x80"))
			*i += 3;
		else
			break;
	}
}

/*
 * A time at s[*i]: "9時40分", "9時半", "9時", "9:40" (also "９：４０"),
 * with a following "am"/"pm".  Sets *h, *m and advances *i; false if none.
 */
static bool read_time(const unsigned char *s, size_t n, size_t *i, int *h, int *m)
{
	size_t j = *i;
	int hh = number_at(s, n, &j), mm = 0;

	if (hh < 0 || hh > 24)
		return false;
	if (word_at(s, n, j, "時")) {
		j += strlen("時");
		if (word_at(s, n, j, "半")) {
			mm = 30;
			j += strlen("半");
		} else {
			size_t k = j;
			int v = number_at(s, n, &k);

			if (v >= 0 && v < 60 && word_at(s, n, k, "分")) {
				mm = v;
				j = k + strlen("分");
			}
		}
	} else if (j < n && (s[j] == ':' || word_at(s, n, j, "："))) {
		j += s[j] == ':' ? 1 : strlen("：");
		mm = number_at(s, n, &j);
		if (mm < 0 || mm > 59)
			return false;
	} else {
		return false;
	}
	skip_space(s, n, &j);
	if (ascii_word_at(s, n, j, "pm") || ascii_word_at(s, n, j, "p.m.")) {
		if (hh < 12)
			hh += 12;
	} else if ((ascii_word_at(s, n, j, "am") || ascii_word_at(s, n, j, "a.m.")) && hh == 12) {
		hh = 0;
	}
	*h = hh;
	*m = mm;
	*i = j;
	return true;
}

/* The day word or date ending just before `at` in the same line (up to 40 bytes back). */
static void day_before(const unsigned char *s, size_t at, int *offset, bool *night,
		       int *month, int *mday)
{
	size_t b = at > 40 ? at - 40 : 0, i;

	for (i = b; i < at; i++) {
		size_t j = i;
		int a, c;

		if (s[i] == '\n') {
			*offset = 0;
			*night = false;
			*month = *mday = 0;
			continue;
		}
		for (size_t d = 0; d < sizeof days / sizeof days[0]; d++)
			if (ascii_word_at(s, at, i, days[d].word)) {
				*offset = days[d].offset;
				*night = days[d].night;
				*month = *mday = 0;
				break;
			}
		if ((i > b && s[i - 1] >= '0' && s[i - 1] <= '9') || (a = number_at(s, at, &j)) < 0)
			continue;	/* only at the start of a number */
		if (word_at(s, at, j, "月")) {			/* M月D日 */
			j += strlen("月");
			if ((c = number_at(s, at, &j)) > 0 && word_at(s, at, j, "日") && a >= 1 &&
			    a <= 12 && c <= 31) {
				*month = a;
				*mday = c;
			}
		} else if (j < at && (s[j] == '/' || s[j] == '-') && a > 31) {	/* YYYY/M/D */
			unsigned char sep = s[j++];

			if ((c = number_at(s, at, &j)) >= 1 && c <= 12 && j < at && s[j] == sep) {
				int d2;

				j++;
				if ((d2 = number_at(s, at, &j)) >= 1 && d2 <= 31) {
					*month = c;
					*mday = d2;
				}
			}
		} else if (j < at && s[j] == '/' && a >= 1 && a <= 12) {		/* M/D */
			j++;
			if ((c = number_at(s, at, &j)) >= 1 && c <= 31) {
				*month = a;
				*mday = c;
			}
		}
	}
}

time_t when_noticed(const char *text, time_t written, size_t *from, size_t *to)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = text ? strlen(text) : 0, i;
	time_t best = 0;
	struct tm base;

	if (!text || written <= 0 || !localtime_r(&written, &base))
		return 0;
	for (i = 0; i < n; i++) {
		size_t j = i, l;
		int h, m, offset = 0, month = 0, mday = 0;
		bool night = false;
		struct tm tm;
		time_t t;

		if (digit_at(s, n, i, &l) < 0 || (i > 0 && digit_at(s, n, i - 1, &l) >= 0) ||
		    (i >= 3 && digit_at(s, n, i - 3, &l) >= 0 && l == 3))
			continue;	/* not at the start of a number */
		if (i > 0 && (s[i - 1] == '/' || s[i - 1] == '-' || s[i - 1] == '.' ||
			      (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;	/* part of a date, a version, a word */
		if (!read_time(s, n, &j, &h, &m))
			continue;
		day_before(s, i, &offset, &night, &month, &mday);
		/* 午前/午後/朝/夜 right before the time */
		if (i >= 6 && word_at(s, n, i - 6, "午後") && h < 12)
			h += 12;
		else if (i >= 3 && (word_at(s, n, i - 3, "夜") || word_at(s, n, i - 3, "晩")) && h < 12)
			h += 12;
		else if (night && h < 12 && h >= 6)
			h += 12;
		if (h == 24)
			h = 0;
		tm = base;
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if (month) {
			tm.tm_mon = month - 1;
			tm.tm_mday = mday;
			if (month > base.tm_mon + 1)	/* 12月 written in January */
				tm.tm_year--;
		} else {
			tm.tm_mday -= offset;
		}
		if ((t = mktime(&tm)) == (time_t)-1 || t > written + 300 || t < written - WINDOW)
			continue;
		if (!best || t < best) {
			best = t;
			if (from)
				*from = i;
			if (to)
				*to = j;
		}
		i = j - 1;
	}
	return best;
}
