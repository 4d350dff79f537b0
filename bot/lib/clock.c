/* clock.c — see clock.h. */
#include "lib/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static time_t fixed_now;

void clock_set_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

void clock_fix(time_t t)
{
	fixed_now = t;
}

time_t clock_now(void)
{
	return fixed_now ? fixed_now : time(NULL);
}

int clock_parse(const char *s, time_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	struct tm tm = { 0 };
	const char *rest;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	rest = s + n;
	if (*rest == 'T' || *rest == ' ') {
		if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		rest += 1 + n;
		if (*rest == ':') {
			if (sscanf(rest + 1, "%2d%n", &sec, &n) != 1)
				return -1;
			rest += 1 + n;
			if (*rest == '.')	/* fractions of a second: ignored */
				for (rest++; *rest >= '0' && *rest <= '9'; rest++)
					;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*rest == '\0') {			/* no zone: the configured one */
		tm.tm_isdst = -1;
		*t = mktime(&tm);
		return *t == (time_t)-1 ? -1 : 0;
	}
	if (strcmp(rest, "Z") == 0 || strcmp(rest, "z") == 0) {
		*t = timegm(&tm);
		return 0;
	}
	if ((rest[0] == '+' || rest[0] == '-') &&
	    sscanf(rest + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && rest[1 + n] == '\0' &&
	    oh <= 23 && om <= 59) {
		long off = (oh * 60L + om) * 60;
		*t = timegm(&tm) - (rest[0] == '+' ? off : -off);
		return 0;
	}
	return -1;
}

char *clock_format_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return buf;
}

char *clock_format_short(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

int clock_utc_offset_min(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return (int)(tm.tm_gmtoff / 60);
}

int clock_year(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

double clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
