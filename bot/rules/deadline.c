/* deadline.c — see deadline.h. */
#include "rules/deadline.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rules/holidays.h"

/* time_t is a signed integer on every system we build on. */
#define TIME_T_MAX ((time_t)((1ULL << (sizeof(time_t) * CHAR_BIT - 1)) - 1))
#define TIME_T_MIN (-TIME_T_MAX - 1)

#define DAY 86400LL

/* Spans: the units configuration may use. */
enum span_field { F_SECONDS, F_DAYS, F_MONTHS };

static const struct {
	const char *name;
	enum span_field field;
	long mult;
} span_units[] = {
	{ "s", F_SECONDS, 1 },
	{ "m", F_SECONDS, 60 },
	{ "h", F_SECONDS, 3600 },
	{ "d", F_DAYS, 1 },
	{ "w", F_DAYS, 7 },
	{ "mo", F_MONTHS, 1 },
	{ "y", F_MONTHS, 12 },
};

int span_parse(const char *s, struct span *out)
{
	struct span sp = { 0 };
	unsigned long long n = 0;
	const char *p = s;
	size_t i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > INT_MAX)
			return -1;
	}
	if (n == 0)
		return -1;
	for (i = 0; i < sizeof span_units / sizeof span_units[0]; i++)
		if (strcmp(p, span_units[i].name) == 0)
			break;
	if (i == sizeof span_units / sizeof span_units[0])
		return -1;
	switch (span_units[i].field) {
	case F_SECONDS:
		if (n > (unsigned long long)(LONG_MAX / span_units[i].mult))
			return -1;
		sp.seconds = (long)n * span_units[i].mult;
		break;
	case F_DAYS:
		if (n > (unsigned long long)(INT_MAX / span_units[i].mult))
			return -1;
		sp.days = (int)n * (int)span_units[i].mult;
		break;
	case F_MONTHS:
		if (n > (unsigned long long)(INT_MAX / span_units[i].mult))
			return -1;
		sp.months = (int)n * (int)span_units[i].mult;
		break;
	}
	*out = sp;
	return 0;
}

char *span_format(const struct span *sp, char *buf, size_t len)
{
	size_t pos = 0;
	int n;

#define PUT(...) do {							\
	n = snprintf(buf + pos, len - pos, __VA_ARGS__);		\
	if (n > 0)							\
		pos = pos + (size_t)n < len ? pos + (size_t)n : len - 1; \
} while (0)

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (sp->months)
		PUT(sp->months % 12 ? "%dmo" : "%dy", sp->months % 12 ? sp->months : sp->months / 12);
	if (sp->days)
		PUT(sp->days % 7 ? "%dd" : "%dw", sp->days % 7 ? sp->days : sp->days / 7);
	if (sp->seconds) {
		if (sp->seconds % 3600 == 0)
			PUT("%ldh", sp->seconds / 3600);
		else if (sp->seconds % 60 == 0)
			PUT("%ldm", sp->seconds / 60);
		else
			PUT("%lds", sp->seconds);
	}
	if (!sp->months && !sp->days && !sp->seconds)
		PUT("0s");
#undef PUT
	return buf;
}

/*
 * Calendar arithmetic.  Moving by days or months is done on the local wall
 * clock (a proleptic Gregorian day number plus seconds of the day, "wall
 * seconds") and then resolved back to an instant with the zone's offsets,
 * taken from localtime_r().  Doing the resolution ourselves instead of
 * through mktime(tm_isdst = -1) pins down what happens in a DST gap or
 * overlap, which mktime leaves to the C library.
 */

static int is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long long y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a Gregorian date (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The Gregorian date of a day since 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* The zone's offset from UTC at t, in seconds; -1 if the calendar cannot hold t. */
static int offset_at(long long t, long *off)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((long long)tt != t || !localtime_r(&tt, &tm))
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

/*
 * The instant at which the local clock shows wall seconds w.  Offsets are
 * sampled a day either side (farther than any zone's offset), so a single
 * transition near w is seen as a change from `before` to `after`.  Twice
 * shown (fall back): the earlier.  Never shown (gap): w read with the
 * offset from before the gap, which lands after it, moved forward by the
 * gap's length.
 */
static int resolve(long long w, time_t *out)
{
	long before, after, o;
	long long tb, ta;
	int vb, va;

	if (offset_at(w - DAY, &before) < 0 || offset_at(w + DAY, &after) < 0)
		return -1;
	tb = w - before;
	ta = w - after;
	vb = offset_at(tb, &o) == 0 && o == before;
	va = offset_at(ta, &o) == 0 && o == after;
	if (vb && va)
		*out = (time_t)(tb < ta ? tb : ta);
	else if (va)
		*out = (time_t)ta;
	else
		*out = (time_t)tb;
	return 0;
}

/* t moved by the span forwards (sign 1) or backwards (sign -1), saturating. */
static time_t span_move(time_t t, const struct span *sp, int sign)
{
	time_t limit = sign > 0 ? TIME_T_MAX : TIME_T_MIN, r = t;
	long long y, m, day, w;
	struct tm tm;
	int mon, mday;

	if (sp->months || sp->days) {
		if (!localtime_r(&t, &tm))
			return limit;
		m = (tm.tm_year + 1900LL) * 12 + tm.tm_mon + (long long)sign * sp->months;
		y = m >= 0 ? m / 12 : -((-m + 11) / 12);
		mon = (int)(m - y * 12) + 1;
		mday = tm.tm_mday;
		if (mday > month_days(y, mon))
			mday = month_days(y, mon);
		day = days_from_civil(y, mon, mday) + (long long)sign * sp->days;
		w = day * DAY + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
		if (resolve(w, &r) < 0)
			return limit;
	}
	if (sign > 0 ? __builtin_add_overflow(r, sp->seconds, &r)
		     : __builtin_sub_overflow(r, sp->seconds, &r))
		return limit;
	return r;
}

time_t span_add(time_t t, const struct span *sp)
{
	return span_move(t, sp, 1);
}

long span_seconds_at(time_t t, const struct span *sp)
{
	long d;

	if (__builtin_sub_overflow(span_add(t, sp), t, &d))
		return LONG_MAX;
	return d;
}

/* Reminder points. */

int remind_parse(const char *s, struct remind_point *out)
{
	struct remind_point r = { 0 };
	const char *p = s;
	int n = 0;

	if (*s == '-') {
		if (span_parse(s + 1, &r.span) < 0)
			return -1;
		r.kind = REMIND_BEFORE_DUE;
	} else if (*s && s[strlen(s) - 1] == '%') {
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if ((n = n * 10 + (*p - '0')) > 99)
				return -1;
		if (strcmp(p, "%") != 0 || n < 1)
			return -1;
		r.kind = REMIND_PERCENT;
		r.percent = n;
	} else {
		if (span_parse(s, &r.span) < 0)
			return -1;
		r.kind = REMIND_AFTER_START;
	}
	*out = r;
	return 0;
}

time_t remind_at(const struct remind_point *r, time_t start, time_t due)
{
	unsigned long long d, part;
	time_t t;

	if (due <= start)
		return 0;
	switch (r->kind) {
	case REMIND_PERCENT:
		if (r->percent < 1 || r->percent > 99)
			return 0;
		/* exact for any start and due: d may need all 64 bits */
		d = (unsigned long long)due - (unsigned long long)start;
		part = d / 100 * (unsigned)r->percent + d % 100 * (unsigned)r->percent / 100;
		if (__builtin_add_overflow(start, part, &t))
			return 0;
		break;
	case REMIND_BEFORE_DUE:
		t = span_move(due, &r->span, -1);
		break;
	case REMIND_AFTER_START:
		t = span_add(start, &r->span);
		break;
	default:
		return 0;
	}
	return t > start && t < due ? t : 0;
}

/* Daily times. */

int daytime_parse(const char *s, int *minutes)
{
	const char *p = s;
	int h = 0, m;

	if (*p < '0' || *p > '9')
		return -1;
	h = *p++ - '0';
	if (*p >= '0' && *p <= '9')
		h = h * 10 + (*p++ - '0');
	if (*p++ != ':')
		return -1;
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] != '\0')
		return -1;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

time_t daily_last(time_t now, int minutes)
{
	long long day;
	struct tm tm;
	time_t r;
	int i;

	if (!localtime_r(&now, &tm))
		return now;
	day = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
	/* today's, else yesterday's; farther only where a zone skipped a
	 * whole date (Samoa, 2011-12-30) */
	for (i = 0; i < 4; i++, day--)
		if (resolve(day * DAY + minutes * 60LL, &r) == 0 && r <= now)
			return r;
	return now;
}

bool business_day(const struct business_calendar *c, int y, int m, int d)
{
	long long day = days_from_civil(y, m, d);
	int weekday = (int)(((day % 7) + 11) % 7);	/* 1970-01-01 was a Thursday: 0 = Sunday */
	int key = y * 10000 + m * 100 + d;
	size_t i;

	if (weekday == 0 || weekday == 6 || holiday_jp(y, m, d))
		return false;
	for (i = 0; c && i < c->n_days_off; i++)
		if (c->days_off[i] == key)
			return false;
	return true;
}

time_t business_day_reminder(const struct business_calendar *c, time_t start, time_t due)
{
	long long day, y;
	int m, d, i;
	struct tm tm;
	time_t r;

	if (!localtime_r(&due, &tm) ||
	    business_day(c, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday))
		return 0;
	day = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
	/* bounded: 年末年始 and Golden Week are about ten days, a configured
	 * summer closure a few more */
	for (i = 1; i <= 60; i++) {
		civil_from_days(day - i, &y, &m, &d);
		if (!business_day(c, (int)y, m, d))
			continue;
		if (resolve((day - i) * DAY + (c ? c->reminder_minutes : 0) * 60LL, &r) < 0)
			return 0;
		return r > start && r < due ? r : 0;
	}
	return 0;
}

char *local_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (len == 0)
		return buf;
	if (!localtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

/*
 * Timer stages.  Differences are taken in unsigned arithmetic, where
 * now - since is exact whenever now > since, for any two time_t values.
 */

static int clamp_int(unsigned long long n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

int stage_every(time_t since, time_t now, long limit_seconds)
{
	if (limit_seconds <= 0 || now <= since)
		return 0;
	return clamp_int(((unsigned long long)now - (unsigned long long)since) /
			 (unsigned long long)limit_seconds);
}

int stage_reached(const time_t *points, size_t n, time_t now)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (points[i] != 0 && points[i] <= now)
			count++;
	return clamp_int(count);
}

int stage_overdue(time_t due, time_t now, long repeat_seconds)
{
	unsigned long long n;

	if (now < due)
		return 0;
	if (repeat_seconds <= 0)
		return 1;
	n = ((unsigned long long)now - (unsigned long long)due) /
	    (unsigned long long)repeat_seconds;
	return n >= INT_MAX ? INT_MAX : (int)n + 1;
}

/*
 * "Promptly" (速やかに) has no number in the law; the PPC guideline reads
 * it as roughly 3–5 days after the company became aware, so the
 * preliminary report is reminded at 3 days and due at 5.  The other
 * "promptly" duties get 3 days: each of them is quicker to do than a
 * report to the regulator.
 */
static const struct {
	const char *due;
	const char *remind[REMIND_MAX];
} deadline_defaults[] = {
	[OBL_PPC_ASSESS]	= { "3d",  { "50%" } },
	[OBL_PPC_PRELIMINARY]	= { "5d",  { "3d" } },			/* APPI rules art. 8(1) */
	[OBL_PPC_FINAL]		= { "30d", { "50%", "80%" } },		/* art. 8(2); 60d: below */
	[OBL_INDIVIDUALS]	= { "3d",  { "50%", "80%" } },		/* APPI art. 26(2) */
	[OBL_CONSULTATION_DESK]	= { "3d",  { "50%", "80%" } },		/* policy 7-5 */
	[OBL_PUBLICATION]	= { "3d",  { "50%", "80%" } },		/* policy 7-4 */
	[OBL_AMAZON]		= { "24h", { "50%", "80%", "-2h" } },	/* policy 7-4 */
	[OBL_AWS]		= { "24h", { "50%", "80%", "-2h" } },	/* policy 7-6 d */
	[OBL_RAKUTEN]		= { "3d",  { "50%", "80%" } },
	[OBL_YAHOO]		= { "3d",  { "50%", "80%" } },
	[OBL_PARTNERS]		= { "3d",  { "50%", "80%" } },		/* policy 7-2 */
	[OBL_OUTAGE_CONTACTS]	= { "1d",  { "50%" } },			/* policy 7-4 */
	[OBL_PRINCIPAL]		= { "3d",  { "50%", "80%" } },		/* APPI art. 26(1) ただし書 */
	/* policy 6(3): due after the named system's max_downtime, not this span */
	[OBL_RECOVERY]		= { "4h",  { "50%", "80%" } },
	/* policy 8(3): no span in the policy; a week is the company's target */
	[OBL_CIRCULATION]	= { "7d",  { "50%", "80%" } },
};
_Static_assert(sizeof deadline_defaults / sizeof deadline_defaults[0] == OBL_COUNT,
	       "every obligation kind has a default deadline");

/* SPEC 5: unacknowledged high, medium, low; policy 5(1), 5(2), 6(2). */
static const char *const escalate_defaults[PRIORITY_COUNT] = { "30m", "2h", "8h" };
static const char *const review_defaults[REVIEW_COUNT] = { "1y", "6mo", "6mo" };

void deadline_set_reminders(struct deadline_config *d, const char *const *remind, size_t n)
{
	size_t i;

	d->n_remind = 0;
	for (i = 0; i < n && i < REMIND_MAX && remind[i]; i++)
		if (remind_parse(remind[i], &d->remind[d->n_remind]) == 0)
			d->n_remind++;
}

void policy_config_defaults(struct policy_config *p)
{
	size_t k;

	for (k = 0; k < OBL_COUNT; k++) {
		struct deadline_config *d = &p->deadline[k];

		span_parse(deadline_defaults[k].due, &d->due);
		deadline_set_reminders(d, deadline_defaults[k].remind, REMIND_MAX);
	}
	span_parse("60d", &p->ppc_final_malicious);	/* APPI rules art. 8(2) */
	for (k = 0; k < PRIORITY_COUNT; k++)
		span_parse(escalate_defaults[k], &p->escalate[k]);
	for (k = 0; k < REVIEW_COUNT; k++)
		span_parse(review_defaults[k], &p->review_every[k]);
}

time_t deadline_due(const struct policy_config *p, time_t aware_at, unsigned flags,
		    enum obligation_kind kind)
{
	const struct span *due = &p->deadline[kind].due;

	/* APPI rules art. 8(2): 60 days instead of 30 when the leak may come
	 * from an act with an unauthorized purpose (art. 7(3)). */
	if (kind == OBL_PPC_FINAL && (flags & FLAG_BIT(FLAG_MALICIOUS)))
		due = &p->ppc_final_malicious;
	return span_add(aware_at, due);
}

time_t deadline_awareness(time_t arrived, time_t written, time_t now, const struct span *window)
{
	time_t base = arrived > 0 && arrived < now ? arrived : now;

	if (written > 0 && written < base && span_add(written, window) >= base)
		return written;
	return base;
}

/* The spans the law or a contract fixes; to add one: a line here. */
static const struct {
	int kind;		/* enum obligation_kind; -1: the malicious final report */
	struct span limit;
	const char *source;
} legal_limits[] = {
	{ OBL_PPC_PRELIMINARY, { .days = 5 },
	  "APPI rules art. 8(1) 「速やかに」 (PPC guideline: about 3-5 days)" },
	{ OBL_PPC_FINAL, { .days = 30 }, "APPI rules art. 8(2): 30 days" },
	{ -1, { .days = 60 }, "APPI rules art. 8(2): 60 days in the art. 7(3) case" },
	{ OBL_AMAZON, { .seconds = 24 * 3600 }, "policy 7-4 and the Amazon agreement: 24 hours" },
	{ OBL_AWS, { .seconds = 24 * 3600 }, "policy 7-6 d: 24 hours" },
};

size_t deadline_check_limits(const struct policy_config *p, time_t at,
			     struct deadline_warning *w, size_t max)
{
	size_t i, n = 0;
	char have[16], limit[16];

	for (i = 0; i < sizeof legal_limits / sizeof legal_limits[0] && n < max; i++) {
		const struct span *sp = legal_limits[i].kind < 0 ? &p->ppc_final_malicious :
					&p->deadline[legal_limits[i].kind].due;

		if (span_seconds_at(at, sp) <= span_seconds_at(at, &legal_limits[i].limit))
			continue;
		snprintf(w[n++].text, sizeof w->text,
			 "deadline \"%s\": %s = \"%s\" is longer than the law or contract allows "
			 "(%s; %s) — the duty would fall due too late",
			 legal_limits[i].kind < 0 ? "ppc-final" : obligation_name(legal_limits[i].kind),
			 legal_limits[i].kind < 0 ? "due_malicious" : "due",
			 span_format(sp, have, sizeof have), span_format(&legal_limits[i].limit, limit,
									  sizeof limit),
			 legal_limits[i].source);
	}
	return n;
}

long deadline_escalation_limit(const struct policy_config *p, time_t created, int priority)
{
	/* policy 7-2 decides how urgent; a ticket nobody classified waits as low */
	return span_seconds_at(created, &p->escalate[priority >= 0 && priority < PRIORITY_COUNT ?
						     priority : PRIORITY_LOW]);
}
