/* test_deadline.c — spans, reminder points, daily times and timer stages in
 * Asia/Tokyo and (for DST) America/New_York; all pure. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "rules/deadline.h"
#include "test.h"

#define TIME_T_MAX ((time_t)((1ULL << (sizeof(time_t) * 8 - 1)) - 1))
#define TIME_T_MIN (-TIME_T_MAX - 1)

/* An RFC 3339 time (the tests' own strings; a typo fails the test). */
static time_t at(const char *s)
{
	time_t t = 0;

	if (clock_parse(s, &t) < 0) {
		CHECK(0, s);
		return 0;
	}
	return t;
}

static const char *fmt(time_t t)
{
	static char buf[4][40];
	static int i;

	i = (i + 1) % 4;
	if (t == 0)
		return "0";
	return clock_format_rfc3339(t, buf[i], sizeof buf[i]);
}

static struct span sp(const char *s)
{
	struct span r = { 0 };

	if (span_parse(s, &r) < 0)
		CHECK(0, s);
	return r;
}

static void test_span_parse(void)
{
	static const struct { const char *s; long seconds; int days, months; } ok[] = {
		{ "30m", 1800, 0, 0 },
		{ "24h", 86400, 0, 0 },
		{ "5d", 0, 5, 0 },
		{ "2w", 0, 14, 0 },
		{ "6mo", 0, 0, 6 },
		{ "1y", 0, 0, 12 },
		{ "90s", 90, 0, 0 },
		{ "2147483647s", 2147483647L, 0, 0 },
		{ "306783378w", 0, 2147483646, 0 },
		{ "178956970y", 0, 0, 2147483640 },
	};
	static const char *bad[] = {
		"", "0h", "-1d", "5", "5x", "1.5h", " 5d", "5d ", "5 d", "+5d", "h", "mo",
		"5D", "5M", "5min", "5dd", "5mo1d", "1h30m", "2147483648s",
		"99999999999999999999h", "306783379w", "178956971y", "5d\t",
	};
	char what[80];
	struct span r;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		memset(&r, 0x55, sizeof r);
		snprintf(what, sizeof what, "span \"%s\" accepted", ok[i].s);
		CHECK(span_parse(ok[i].s, &r) == 0 && r.seconds == ok[i].seconds &&
		      r.days == ok[i].days && r.months == ok[i].months, what);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = (struct span){ 7, 7, 7 };
		snprintf(what, sizeof what, "span \"%s\" refused, out untouched", bad[i]);
		CHECK(span_parse(bad[i], &r) == -1 && r.seconds == 7 && r.days == 7 && r.months == 7,
		      what);
	}
}

static void test_span_format(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "24h", "24h" }, { "5d", "5d" }, { "6mo", "6mo" }, { "1y", "1y" }, { "2w", "2w" },
		{ "30m", "30m" }, { "90s", "90s" }, { "120m", "2h" }, { "14d", "2w" },
		{ "12mo", "1y" }, { "18mo", "18mo" }, { "3600s", "1h" }, { "2147483647h", "2147483647h" },
	};
	struct span z = { 0 }, mixed = { 3600, 2, 1 };
	char buf[16], what[80];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct span a = sp(t[i].in), b = { 0 };

		snprintf(what, sizeof what, "span \"%s\" prints \"%s\"", t[i].in, t[i].out);
		CHECK_STR(span_format(&a, buf, sizeof buf), t[i].out, what);
		snprintf(what, sizeof what, "span \"%s\" reads back", t[i].out);
		CHECK(span_parse(buf, &b) == 0 && b.seconds == a.seconds && b.days == a.days &&
		      b.months == a.months, what);
	}
	CHECK_STR(span_format(&z, buf, sizeof buf), "0s", "the zero span prints 0s");
	CHECK_STR(span_format(&mixed, buf, sizeof buf), "1mo2d1h", "a mixed span prints largest first");
	CHECK_STR(span_format(&mixed, buf, 4), "1mo", "a short buffer truncates");
}

static void test_span_add_tokyo(void)
{
	static const struct { const char *from, *span, *want; } t[] = {
		/* month ends: the day of month is clamped */
		{ "2026-01-31T10:00+09:00", "1mo", "2026-02-28T10:00:00+09:00" },
		{ "2028-01-31T10:00+09:00", "1mo", "2028-02-29T10:00:00+09:00" },
		{ "2026-03-31T10:00+09:00", "1mo", "2026-04-30T10:00:00+09:00" },
		{ "2026-08-31T10:00+09:00", "6mo", "2027-02-28T10:00:00+09:00" },
		{ "2027-08-31T10:00+09:00", "6mo", "2028-02-29T10:00:00+09:00" },
		{ "2026-12-31T23:59+09:00", "1mo", "2027-01-31T23:59:00+09:00" },
		{ "2026-11-30T08:00+09:00", "3mo", "2027-02-28T08:00:00+09:00" },
		{ "2026-01-15T08:00+09:00", "25mo", "2028-02-15T08:00:00+09:00" },
		/* leap years */
		{ "2028-02-29T09:00+09:00", "1y", "2029-02-28T09:00:00+09:00" },
		{ "2028-02-29T09:00+09:00", "4y", "2032-02-29T09:00:00+09:00" },
		{ "2028-02-29T09:00+09:00", "12mo", "2029-02-28T09:00:00+09:00" },
		{ "2024-02-28T09:00+09:00", "1d", "2024-02-29T09:00:00+09:00" },
		{ "2100-02-28T09:00+09:00", "1d", "2100-03-01T09:00:00+09:00" },
		{ "2100-01-31T09:00+09:00", "1mo", "2100-02-28T09:00:00+09:00" },
		{ "2000-02-28T09:00+09:00", "1d", "2000-02-29T09:00:00+09:00" },
		{ "2096-02-29T09:00+09:00", "4y", "2100-02-28T09:00:00+09:00" },
		/* Tokyo wall time, not UTC: these cross a UTC date while JST does not, or the reverse */
		{ "2026-11-25T23:30+09:00", "24h", "2026-11-26T23:30:00+09:00" },
		{ "2026-11-25T23:30+09:00", "30m", "2026-11-26T00:00:00+09:00" },
		{ "2026-11-28T18:00+09:00", "5d", "2026-12-03T18:00:00+09:00" },
		{ "2026-11-28T08:00+09:00", "5d", "2026-12-03T08:00:00+09:00" },
		{ "2026-12-25T09:00+09:00", "1w", "2027-01-01T09:00:00+09:00" },
		{ "2026-11-25T00:30+09:00", "1mo", "2026-12-25T00:30:00+09:00" },
		{ "2026-11-25T09:30:45+09:00", "90s", "2026-11-25T09:32:15+09:00" },
	};
	char what[120];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct span s = sp(t[i].span);

		snprintf(what, sizeof what, "%s + %s = %s", t[i].from, t[i].span, t[i].want);
		CHECK_STR(fmt(span_add(at(t[i].from), &s)), t[i].want, what);
	}
}

static void test_span_seconds(void)
{
	struct span d5 = sp("5d"), h24 = sp("24h"), d1 = sp("1d"), mo1 = sp("1mo"), y1 = sp("1y");
	struct span huge = { LONG_MAX, 0, 0 }, far = { 0, 0, INT_MAX };

	CHECK_INT(span_seconds_at(at("2026-11-28T18:00+09:00"), &d5), 5 * 86400,
		  "5d in Tokyo is 5 × 24 h");
	CHECK_INT(span_seconds_at(at("2026-11-28T18:00+09:00"), &h24), 86400, "24h is 86400 s");
	CHECK(span_seconds_at(0, &h24) == span_seconds_at(0, &d1),
	      "in Tokyo a 24h and a 1d deadline are the same length");
	CHECK_INT(span_seconds_at(at("2026-02-01T00:00+09:00"), &mo1), 28 * 86400,
		  "1mo from Feb 1 2026 is 28 days");
	CHECK_INT(span_seconds_at(at("2028-02-01T00:00+09:00"), &mo1), 29 * 86400,
		  "1mo from Feb 1 2028 is 29 days");
	CHECK_INT(span_seconds_at(at("2028-03-01T00:00+09:00"), &y1), 365 * 86400,
		  "1y from Mar 1 2028 is 365 days");
	CHECK(span_add(at("2026-11-25T09:00+09:00"), &huge) == TIME_T_MAX,
	      "seconds past time_t saturate");
	CHECK(span_add(TIME_T_MAX - 10, &d1) == TIME_T_MAX, "days past the calendar saturate");
	CHECK(span_add(at("2026-11-25T09:00+09:00"), &far) > at("9999-12-31T00:00Z"),
	      "INT_MAX months lands far ahead, not in the past");
	CHECK(span_seconds_at(TIME_T_MIN + 5, &huge) == LONG_MAX, "span_seconds_at saturates");
}

static void test_local_date(void)
{
	char buf[11];

	CHECK_STR(local_date(at("2026-11-25T15:30Z"), buf, sizeof buf), "2026-11-26",
		  "15:30Z is already the next day in Tokyo");
	CHECK_STR(local_date(at("2026-11-25T14:59:59Z"), buf, sizeof buf), "2026-11-25",
		  "14:59:59Z is 23:59:59 JST");
	CHECK_STR(local_date(at("2026-11-25T15:00Z"), buf, sizeof buf), "2026-11-26",
		  "15:00Z is JST midnight");
	CHECK_STR(local_date(at("2026-12-31T15:00Z"), buf, sizeof buf), "2027-01-01",
		  "JST new year while UTC is still in 2026");
}

static void test_dst(void)
{
	static const struct { const char *from, *span, *want; } t[] = {
		/* 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST */
		{ "2026-03-07T09:00-05:00", "1d", "2026-03-08T09:00:00-04:00" },
		{ "2026-03-07T09:00-05:00", "24h", "2026-03-08T10:00:00-04:00" },
		{ "2026-10-31T09:00-04:00", "1d", "2026-11-01T09:00:00-05:00" },
		{ "2026-02-08T09:00-05:00", "1mo", "2026-03-08T09:00:00-04:00" },
		{ "2026-03-01T09:00-05:00", "1w", "2026-03-08T09:00:00-04:00" },
		{ "2026-03-07T02:30-05:00", "1d", "2026-03-08T03:30:00-04:00" },	/* gap: forward */
		{ "2026-10-31T01:30-04:00", "1d", "2026-11-01T01:30:00-04:00" },	/* twice: earlier */
		{ "2026-11-01T01:30-05:00", "1d", "2026-11-02T01:30:00-05:00" },
	};
	struct span d1 = sp("1d");
	struct remind_point r;
	char what[120];
	size_t i;

	clock_set_zone("America/New_York");
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct span s = sp(t[i].span);

		snprintf(what, sizeof what, "New York: %s + %s = %s", t[i].from, t[i].span, t[i].want);
		CHECK_STR(fmt(span_add(at(t[i].from), &s)), t[i].want, what);
	}
	CHECK_INT(span_seconds_at(at("2026-03-07T09:00-05:00"), &d1), 23 * 3600,
		  "New York: the spring-forward day is 23 h");
	CHECK_INT(span_seconds_at(at("2026-10-31T09:00-04:00"), &d1), 25 * 3600,
		  "New York: the fall-back day is 25 h");
	CHECK(remind_parse("-1d", &r) == 0, "\"-1d\" parses");
	CHECK_STR(fmt(remind_at(&r, at("2026-03-01T09:00-05:00"), at("2026-03-09T09:00-04:00"))),
		  "2026-03-08T09:00:00-04:00", "New York: -1d keeps the wall time backwards over DST");
	CHECK_STR(fmt(daily_last(at("2026-03-08T04:00-04:00"), 150)), "2026-03-08T03:30:00-04:00",
		  "New York: 02:30 daily on the gap day counts at 03:30");
	CHECK_STR(fmt(daily_last(at("2026-03-08T03:10-04:00"), 150)), "2026-03-07T02:30:00-05:00",
		  "New York: before that it is yesterday's");
	CHECK_STR(fmt(daily_last(at("2026-11-01T01:10-05:00"), 90)), "2026-11-01T01:30:00-04:00",
		  "New York: 01:30 shown twice counts once, at the first showing");
	CHECK_STR(fmt(daily_last(at("2026-11-01T09:00-05:00"), 540)), "2026-11-01T09:00:00-05:00",
		  "New York: 09:00 after fall back");
	clock_set_zone("Asia/Tokyo");
	CHECK_INT(clock_utc_offset_min(at("2026-07-01T00:00Z")), 540, "back in Tokyo, no DST");
}

static void test_daytime(void)
{
	static const struct { const char *s; int want; } t[] = {
		{ "09:00", 540 }, { "9:00", 540 }, { "00:00", 0 }, { "0:00", 0 },
		{ "23:59", 1439 }, { "17:30", 1050 },
		{ "24:00", -1 }, { "09:60", -1 }, { "9", -1 }, { "", -1 }, { "9:0", -1 },
		{ "09:000", -1 }, { "009:00", -1 }, { "-1:00", -1 }, { " 9:00", -1 },
		{ "09:00 ", -1 }, { "9h", -1 }, { "0900", -1 }, { "ab:cd", -1 }, { ":30", -1 },
	};
	char what[80];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int m = -7, rc = daytime_parse(t[i].s, &m);

		snprintf(what, sizeof what, "daytime \"%s\" → %d", t[i].s, t[i].want);
		if (t[i].want < 0)
			CHECK(rc == -1 && m == -7, what);
		else
			CHECK(rc == 0 && m == t[i].want, what);
	}
}

static void test_daily_last(void)
{
	static const struct { const char *now; int minutes; const char *want; } t[] = {
		{ "2026-11-26T09:00:00+09:00", 540, "2026-11-26T09:00:00+09:00" },	/* exactly */
		{ "2026-11-26T08:59:59+09:00", 540, "2026-11-25T09:00:00+09:00" },
		{ "2026-11-26T23:59:59+09:00", 540, "2026-11-26T09:00:00+09:00" },
		{ "2026-11-26T00:00:00+09:00", 0, "2026-11-26T00:00:00+09:00" },	/* midnight */
		{ "2026-11-25T23:59:59+09:00", 0, "2026-11-25T00:00:00+09:00" },
		{ "2026-11-26T00:00:30+09:00", 1439, "2026-11-25T23:59:00+09:00" },
		{ "2026-11-25T23:59:00+09:00", 1439, "2026-11-25T23:59:00+09:00" },
		{ "2026-12-01T00:10+09:00", 1439, "2026-11-30T23:59:00+09:00" },
		{ "2027-01-01T00:00+09:00", 1439, "2026-12-31T23:59:00+09:00" },
		{ "2028-03-01T08:00+09:00", 540, "2028-02-29T09:00:00+09:00" },
		/* 14:59Z and 15:01Z straddle JST midnight, not UTC's */
		{ "2026-11-25T14:59Z", 30, "2026-11-25T00:30:00+09:00" },
		{ "2026-11-25T15:31Z", 30, "2026-11-26T00:30:00+09:00" },
	};
	char what[120];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(what, sizeof what, "daily %02d:%02d at %s → %s", t[i].minutes / 60,
			 t[i].minutes % 60, t[i].now, t[i].want);
		CHECK_STR(fmt(daily_last(at(t[i].now), t[i].minutes)), t[i].want, what);
	}
}

static void test_remind(void)
{
	static const struct { const char *s; int kind, percent; const char *span; } ok[] = {
		{ "50%", REMIND_PERCENT, 50, NULL },
		{ "1%", REMIND_PERCENT, 1, NULL },
		{ "99%", REMIND_PERCENT, 99, NULL },
		{ "-2h", REMIND_BEFORE_DUE, 0, "2h" },
		{ "-1w", REMIND_BEFORE_DUE, 0, "1w" },
		{ "3d", REMIND_AFTER_START, 0, "3d" },
		{ "90s", REMIND_AFTER_START, 0, "90s" },
	};
	static const char *bad[] = {
		"", "-", "%", "0%", "100%", "150%", "50", "-50%", "--2h", "+3d", "50 %", " 50%",
		"1.5%", "-0h", "3x", "50%%", "-2h%",
	};
	static const struct { const char *point, *start, *due, *want; } at_t[] = {
		{ "50%", "2026-11-25T09:00+09:00", "2026-11-26T09:00+09:00", "2026-11-25T21:00:00+09:00" },
		{ "80%", "2026-11-25T09:00+09:00", "2026-11-26T09:00+09:00", "2026-11-26T04:12:00+09:00" },
		{ "-2h", "2026-11-25T09:00+09:00", "2026-11-26T09:00+09:00", "2026-11-26T07:00:00+09:00" },
		{ "3d", "2026-11-25T09:00+09:00", "2026-11-30T09:00+09:00", "2026-11-28T09:00:00+09:00" },
		{ "-1d", "2026-11-25T09:00+09:00", "2026-12-25T09:00+09:00", "2026-12-24T09:00:00+09:00" },
		{ "-1mo", "2026-01-01T09:00+09:00", "2026-03-31T09:00+09:00", "2026-02-28T09:00:00+09:00" },
		{ "50%", "2026-11-25T09:00:00+09:00", "2026-11-25T09:00:03+09:00",
		  "2026-11-25T09:00:01+09:00" },	/* 1.5 s rounds down */
		/* outside (start, due): no reminder */
		{ "-2h", "2026-11-25T09:00+09:00", "2026-11-25T10:00+09:00", "0" },
		{ "-1h", "2026-11-25T09:00+09:00", "2026-11-25T10:00+09:00", "0" },
		{ "3d", "2026-11-25T09:00+09:00", "2026-11-27T09:00+09:00", "0" },
		{ "3d", "2026-11-25T09:00+09:00", "2026-11-28T09:00+09:00", "0" },
		{ "1%", "2026-11-25T09:00:00+09:00", "2026-11-25T09:00:50+09:00", "0" },
		{ "50%", "2026-11-26T09:00+09:00", "2026-11-25T09:00+09:00", "0" },
		{ "50%", "2026-11-25T09:00+09:00", "2026-11-25T09:00+09:00", "0" },
	};
	struct remind_point r;
	char what[160], buf[16];
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(what, sizeof what, "reminder \"%s\" accepted", ok[i].s);
		CHECK(remind_parse(ok[i].s, &r) == 0 && (int)r.kind == ok[i].kind &&
		      r.percent == ok[i].percent &&
		      (ok[i].span == NULL || strcmp(span_format(&r.span, buf, sizeof buf), ok[i].span) == 0),
		      what);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r.percent = 7;
		snprintf(what, sizeof what, "reminder \"%s\" refused", bad[i]);
		CHECK(remind_parse(bad[i], &r) == -1 && r.percent == 7, what);
	}
	for (i = 0; i < sizeof at_t / sizeof at_t[0]; i++) {
		if (remind_parse(at_t[i].point, &r) < 0) {
			CHECK(0, at_t[i].point);
			continue;
		}
		snprintf(what, sizeof what, "%s of %s → %s: %s", at_t[i].point, at_t[i].start,
			 at_t[i].due, at_t[i].want);
		CHECK_STR(fmt(remind_at(&r, at(at_t[i].start), at(at_t[i].due))), at_t[i].want, what);
	}
	remind_parse("50%", &r);
	CHECK_INT(remind_at(&r, TIME_T_MIN, TIME_T_MAX), -1,
		  "50% of all of time_t is exact (the middle is -1 s)");
}

/*
 * The caller's rule, as timers.c applies it: fire when the stage grows past
 * the one recorded at the last firing, then record it.
 */
static int pass(int stage, int *recorded)
{
	if (stage <= *recorded)
		return 0;
	*recorded = stage;
	return 1;
}

static void test_stages(void)
{
	time_t t0 = at("2026-11-25T09:00+09:00");
	static const struct { long since, now, limit; int want; } every[] = {
		{ 0, 0, 3600, 0 }, { 0, 3599, 3600, 0 }, { 0, 3600, 3600, 1 }, { 0, 7199, 3600, 1 },
		{ 0, 7200, 3600, 2 }, { 0, 86400 * 3, 3600, 72 }, { 0, 7200, 0, 0 },
		{ 0, 7200, -5, 0 }, { 3600, 0, 60, 0 },
	};
	static const struct { long step; int stage, fires; } walk[] = {
		{ 30 * 60, 0, 0 },		/* not yet an hour */
		{ 3600, 1, 1 },			/* an hour: fire */
		{ 3660, 1, 0 },			/* next pass: nothing new */
		{ 3 * 86400 + 3600, 73, 1 },	/* bot was down 3 days: fires once, at 73 */
		{ 3 * 86400 + 3900, 73, 0 },
		{ 7200, 2, 0 },			/* clock jumps back: lower stage, nothing */
		{ 3 * 86400 + 3600, 73, 0 },	/* and forward again to where it was: nothing */
		{ 3 * 86400 + 7200, 74, 1 },	/* the next limit: fires */
	};
	time_t pts[] = { t0 + 12 * 3600, 0, t0 + 6 * 3600, t0 + 20 * 3600 };
	char what[120];
	int rec = 0, s_before, s_after;
	size_t i;

	for (i = 0; i < sizeof every / sizeof every[0]; i++) {
		snprintf(what, sizeof what, "stage_every(%ld, %ld, %ld) = %d", every[i].since,
			 every[i].now, every[i].limit, every[i].want);
		CHECK_INT(stage_every(t0 + every[i].since, t0 + every[i].now, every[i].limit),
			  every[i].want, what);
	}
	CHECK_INT(stage_every(TIME_T_MIN, TIME_T_MAX, 1), INT_MAX, "stage_every: whole range saturates");
	CHECK_INT(stage_every(TIME_T_MIN, TIME_T_MAX, LONG_MAX), 2,
		  "stage_every: 2^64 - 1 s hold two limits of 2^63 - 1");
	CHECK_INT(stage_every(TIME_T_MAX, TIME_T_MIN, 1), 0, "stage_every: now far before since");
	CHECK_INT(stage_every(TIME_T_MAX - 10, TIME_T_MAX, 3600), 0,
		  "stage_every: since + limit past time_t is not yet reached");
	for (i = 0; i < sizeof walk / sizeof walk[0]; i++) {
		int st = stage_every(t0, t0 + walk[i].step, 3600);

		snprintf(what, sizeof what, "escalation pass %zu at +%lds: stage %d, fires %d", i + 1,
			 walk[i].step, walk[i].stage, walk[i].fires);
		CHECK(st == walk[i].stage && pass(st, &rec) == walk[i].fires, what);
	}

	CHECK_INT(stage_reached(pts, 4, t0 + 5 * 3600), 0, "reminders: none before the first");
	CHECK_INT(stage_reached(pts, 4, t0 + 6 * 3600), 1, "reminders: one exactly at it");
	CHECK_INT(stage_reached(pts, 4, t0 + 13 * 3600), 2, "reminders: unordered points counted");
	CHECK_INT(stage_reached(pts, 4, t0 + 21 * 3600), 3, "reminders: all, the 0 entry ignored");
	CHECK_INT(stage_reached(NULL, 0, t0), 0, "reminders: none configured");
	rec = 0;
	CHECK(pass(stage_reached(pts, 4, t0 + 5 * 3600), &rec) == 0, "reminders: nothing at 5 h");
	CHECK(pass(stage_reached(pts, 4, t0 + 21 * 3600), &rec) == 1 && rec == 3,
	      "reminders: down from 5 h to 21 h, one reminder at stage 3");
	s_before = rec;
	s_after = stage_reached(pts, 4, t0 + 7 * 3600);
	CHECK(s_after < s_before && pass(s_after, &rec) == 0,
	      "reminders: clock back to 7 h, stage 1 < 3, nothing again");

	CHECK_INT(stage_overdue(t0, t0 - 1, 86400), 0, "overdue: 0 before due");
	CHECK_INT(stage_overdue(t0, t0, 86400), 1, "overdue: 1 at due");
	CHECK_INT(stage_overdue(t0, t0 + 86399, 86400), 1, "overdue: 1 until the first repeat");
	CHECK_INT(stage_overdue(t0, t0 + 86400, 86400), 2, "overdue: 2 a repeat after due");
	CHECK_INT(stage_overdue(t0, t0 + 10 * 86400, 86400), 11, "overdue: 11 ten days after");
	CHECK_INT(stage_overdue(t0, t0 + 10 * 86400, 0), 1, "overdue: repeat 0 stays 1");
	CHECK_INT(stage_overdue(t0, t0 + 10 * 86400, -1), 1, "overdue: negative repeat stays 1");
	CHECK_INT(stage_overdue(TIME_T_MIN, TIME_T_MAX, 1), INT_MAX, "overdue: saturates");
	CHECK_INT(stage_overdue(TIME_T_MAX, TIME_T_MIN, 1), 0, "overdue: now far before due");
	rec = 0;
	CHECK(pass(stage_overdue(t0, t0 + 3600, 86400), &rec) == 1, "overdue: fires at due + 1 h");
	CHECK(pass(stage_overdue(t0, t0 + 5 * 86400 + 3600, 86400), &rec) == 1 && rec == 6,
	      "overdue: clock jumps 5 days, fires once at stage 6");
	CHECK(pass(stage_overdue(t0, t0 + 5 * 86400 + 7200, 86400), &rec) == 0,
	      "overdue: next pass, nothing");
	CHECK(pass(stage_overdue(t0, t0 - 60, 86400), &rec) == 0,
	      "overdue: clock jumps back before due, nothing");
}

/* SPEC 3: the awareness time is the arrival, or a slightly earlier Date. */
static void test_awareness(void)
{
	const struct span day = { .seconds = 86400 };
	const time_t arrived = 1796608800;	/* 2026-12-07 10:00 +09:00 */
	const time_t later = arrived + 6 * 3600;	/* processed six hours later */

	CHECK_INT(deadline_awareness(arrived, 0, later, &day), arrived,
		  "awareness: the arrival, not the processing time");
	CHECK_INT(deadline_awareness(0, 0, later, &day), later,
		  "awareness: no arrival known: the processing time");
	CHECK_INT(deadline_awareness(arrived, arrived - 1200, later, &day), arrived - 1200,
		  "awareness: a Date 20 minutes before arrival (a queue) is taken");
	CHECK_INT(deadline_awareness(arrived, arrived - 86400, later, &day), arrived - 86400,
		  "awareness: a Date exactly the window before arrival is taken");
	CHECK_INT(deadline_awareness(arrived, arrived - 86401, later, &day), arrived,
		  "awareness: a Date more than the window before arrival is not trusted");
	CHECK_INT(deadline_awareness(arrived, arrived + 600, later, &day), arrived,
		  "awareness: a Date after arrival (a clock ahead) is not taken");
	CHECK_INT(deadline_awareness(later + 3600, 0, later, &day), later,
		  "awareness: an arrival after now (server clock ahead) counts as now");
}

/* Issue 12: spans longer than the law's or the contract's are named. */
static void test_limits(void)
{
	struct policy_config p = { 0 };
	struct deadline_warning w[8];
	const time_t at = 1796608800;

	p.deadline[OBL_PPC_PRELIMINARY].due = (struct span){ .days = 5 };
	p.deadline[OBL_PPC_FINAL].due = (struct span){ .days = 30 };
	p.ppc_final_malicious = (struct span){ .days = 60 };
	p.deadline[OBL_AMAZON].due = (struct span){ .seconds = 86400 };
	p.deadline[OBL_AWS].due = (struct span){ .days = 1 };
	CHECK_INT(deadline_check_limits(&p, at, w, 8), 0, "limits: the defaults are within the law");
	p.deadline[OBL_PPC_FINAL].due = (struct span){ .days = 45 };
	p.deadline[OBL_AMAZON].due = (struct span){ .seconds = 2 * 86400 };
	p.deadline[OBL_PPC_PRELIMINARY].due = (struct span){ .days = 4 };
	CHECK_INT(deadline_check_limits(&p, at, w, 8), 2, "limits: a 45-day final report and a 48 h "
		  "Amazon notice are named, a shorter preliminary report is not");
	CHECK(strstr(w[0].text, "ppc-final") && strstr(w[0].text, "45d") && strstr(w[0].text, "30d"),
	      "limits: the line names the kind, what is configured and the limit");
	CHECK_INT(deadline_check_limits(&p, at, w, 1), 1, "limits: at most max lines");
}

/* Issue 12 point 9: business days and the reminder before a deadline on a
 * weekend, a public holiday or a configured day off. */
static void test_business_days(void)
{
	struct business_calendar cal = { .reminder_minutes = 600 };
	time_t start = at("2026-12-07T09:00:00+09:00");	/* a Monday */

	CHECK(business_day(&cal, 2026, 12, 11), "business day: a Friday");
	CHECK(!business_day(&cal, 2026, 12, 12), "business day: not a Saturday");
	CHECK(!business_day(&cal, 2026, 12, 13), "business day: not a Sunday");
	CHECK(!business_day(&cal, 2026, 11, 23), "business day: not 勤労感謝の日 (a Monday)");
	CHECK(!business_day(&cal, 2026, 9, 22), "business day: not the 国民の休日 of 2026");
	CHECK(!business_day(&cal, 2027, 3, 22), "business day: not the 振替休日 after 春分 2027");
	CHECK(business_day(&cal, 2026, 12, 29), "business day: 12-29 unless configured");
	cal.days_off[cal.n_days_off++] = 20261229;
	CHECK(!business_day(&cal, 2026, 12, 29), "business day: a configured day off is not one");
	CHECK(business_day(NULL, 2026, 12, 29), "business day: no calendar: weekdays and holidays only");

	CHECK_STR(fmt(business_day_reminder(&cal, start, at("2026-12-12T09:35:00+09:00"))),
		  "2026-12-11T10:00:00+09:00",
		  "reminder: due Saturday 09:35: Friday 10:00");
	CHECK_STR(fmt(business_day_reminder(&cal, start, at("2026-12-13T23:00:00+09:00"))),
		  "2026-12-11T10:00:00+09:00",
		  "reminder: due Sunday: Friday 10:00 too");
	CHECK_STR(fmt(business_day_reminder(&cal, start, at("2026-12-10T18:00:00+09:00"))), "0",
		  "reminder: due on a business day: none");
	CHECK_STR(fmt(business_day_reminder(&cal, at("2026-11-20T12:00:00+09:00"),
					    at("2026-11-23T12:00:00+09:00"))),
		  "0", "reminder: Friday 10:00 is before the start (Friday noon): none");
	CHECK_STR(fmt(business_day_reminder(&cal, at("2026-11-19T12:00:00+09:00"),
					    at("2026-11-23T12:00:00+09:00"))),
		  "2026-11-20T10:00:00+09:00",
		  "reminder: due on 勤労感謝の日 (Monday): the Friday before");
	CHECK_STR(fmt(business_day_reminder(&cal, at("2026-04-20T12:00:00+09:00"),
					    at("2026-05-06T12:00:00+09:00"))),
		  "2026-05-01T10:00:00+09:00",
		  "reminder: due in Golden Week (振替休日 5-6): Friday 5-1");
	CHECK_STR(fmt(business_day_reminder(&cal, at("2026-12-20T12:00:00+09:00"),
					    at("2026-12-29T12:00:00+09:00"))),
		  "2026-12-28T10:00:00+09:00",
		  "reminder: due on a configured day off: the day before");
	CHECK_STR(fmt(business_day_reminder(&cal, at("2026-12-12T08:00:00+09:00"),
					    at("2026-12-12T12:00:00+09:00"))),
		  "0", "reminder: opened and due on the same Saturday: none");
}

int main(void)
{
	clock_set_zone("Asia/Tokyo");
	test_span_parse();
	test_span_format();
	test_span_add_tokyo();
	test_span_seconds();
	test_local_date();
	test_daytime();
	test_daily_last();
	test_remind();
	test_stages();
	test_dst();
	test_awareness();
	test_limits();
	test_business_days();
	return test_done();
}
