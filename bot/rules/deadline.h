/*
 * deadline.h — time arithmetic for the policy engine's clocks: spans and
 * reminder points as written in configuration, deadlines, daily times, and
 * the timer stages that make a missed timer fire once instead of never or
 * over and over.
 *
 * Pure: no I/O, no allocation, no state.  Local time is the configured zone
 * (clock_set_zone() in clock.h), which must be installed before these run.
 * Nothing here returns memory; text goes into the caller's buffer.
 */
#ifndef INCIDENT_DEADLINE_H
#define INCIDENT_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "rules/policy.h"

/*
 * A span as written in configuration: "30m", "24h", "5d", "2w", "6mo", "1y"
 * (a positive integer and one lower-case unit; also "90s" for tests).
 * span_parse() sets exactly one field; all fields are >= 0.
 */
struct span {
	long seconds;	/* s, m, h: exact seconds */
	int days;	/* d, w: calendar days in the configured zone (w = 7 d) */
	int months;	/* mo, y: calendar months (y = 12 mo) */
};

/*
 * Returns 0 and sets *out, or -1 for anything else ("", "0h", "-1d", "5",
 * "5x", "1.5h", "5D", spaces, a number above 2147483647, or a w/y count whose
 * days/months overflow an int).  *out is untouched on -1.
 */
int span_parse(const char *s, struct span *out);

/*
 * The span as text, in the largest unit that divides it ("24h" stays "24h";
 * 7200 s is "2h", 14 d "2w", 12 mo "1y"), into buf; returns buf.  buf >= 16
 * bytes holds any span span_parse() returns; longer text is truncated.  The
 * zero span is "0s"; a hand-built span with several fields prints them
 * largest first ("1mo2d"), which span_parse() does not read back.
 */
char *span_format(const struct span *sp, char *buf, size_t len);

/*
 * t plus the span in the configured zone: months first, then days, then
 * seconds.  Seconds are exact.  Days keep the local wall-clock time (across
 * a DST change a day is 23 or 25 h; Asia/Tokyo has none).  Months and years
 * keep the wall time and the day of month, clamped to the month's last day
 * (Jan 31 + 1mo = Feb 28, or 29 in a leap year; Feb 29 2028 + 1y =
 * Feb 28 2029; Aug 31 + 6mo = Feb 28/29).  A wall time that does not exist
 * after the move (DST gap) moves forward by the gap (02:30 → 03:30); one
 * that occurs twice (fall back) is the earlier.  A result the calendar or
 * time_t cannot hold saturates at the largest time_t.
 */
time_t span_add(time_t t, const struct span *sp);

/*
 * The span's length in seconds at t: span_add(t, sp) - t (saturating).  For
 * comparing spans ("is this a 24 h deadline"): 1d is 86400 in Tokyo but
 * 82800 on a spring-forward day in New York; 1mo from Feb 1 is 28 days.
 */
long span_seconds_at(time_t t, const struct span *sp);

/*
 * A reminder point of an obligation, as written in configuration: "50%" of
 * the time from start to due (1–99), "-2h" a span before due, "3d" a span
 * after start.
 */
struct remind_point {
	enum { REMIND_PERCENT, REMIND_BEFORE_DUE, REMIND_AFTER_START } kind;
	int percent;		/* REMIND_PERCENT */
	struct span span;	/* REMIND_BEFORE_DUE, REMIND_AFTER_START */
};

/* Returns 0 and sets *out, or -1 ("0%", "100%", "50", "+3d", "--2h", ""). */
int remind_parse(const char *s, struct remind_point *out);

/*
 * When the point falls for an obligation running from start to due: a
 * percentage rounds down to the second; "-1mo" before Mar 31 is Feb 28 (the
 * calendar rules of span_add(), backwards).  Points outside the open
 * interval (start, due) — "-2h" of a 1 h deadline, "3d" of a 2- or 3-day
 * one, any point when due <= start — return 0 (no reminder).
 */
time_t remind_at(const struct remind_point *r, time_t start, time_t due);

/*
 * "09:00" → minutes after local midnight (0–1439).  Returns 0 and sets
 * *minutes, or -1: the hour is one or two digits (0–23), the minutes
 * exactly two (00–59); "9:00" ok, "24:00", "09:60", "9", "9:0", "" refused.
 */
int daytime_parse(const char *s, int *minutes);

/*
 * The latest instant <= now at which the local clock showed `minutes` after
 * midnight: today's, or yesterday's when now is earlier in the day (in the
 * configured zone).  Exactly one instant per local day, with span_add()'s
 * DST rules: a time skipped by a gap counts moved forward (02:30 → 03:30),
 * one shown twice counts at its first showing, so a daily job runs once.
 */
time_t daily_last(time_t now, int minutes);

/* The local date of t as "2026-11-26" into buf (>= 11 bytes); returns buf. */
char *local_date(time_t t, char *buf, size_t len);

/*
 * Timer stages.  A timer fires when its stage grows past the stage recorded
 * when it last fired (and then records the new one); so a timer missed while
 * the bot was down fires once at the next pass (at the current stage,
 * skipping the ones in between), and a clock that jumps back gives a lower
 * or equal stage and fires nothing again.  All saturate at INT_MAX.
 */

/*
 * Unacknowledged-ticket escalation: how many whole limits have passed since
 * `since` (0 when now < since + limit, or limit <= 0).  Overflow-safe for
 * any time_t values.
 */
int stage_every(time_t since, time_t now, long limit_seconds);

/*
 * Reminders: how many of the n reminder instants (any order; 0 entries = no
 * reminder, ignored) are <= now.  points may be NULL when n is 0.
 */
int stage_reached(const time_t *points, size_t n, time_t now);

/*
 * Overdue: 0 before due; 1 at due; then +1 for every `repeat` after it
 * (repeat <= 0: stays 1).  Overflow-safe for any time_t values.
 */
int stage_overdue(time_t due, time_t now, long repeat_seconds);

/*
 * Business days (issue 12 point 9): Monday to Friday except Japan's public
 * holidays (rules/holidays.h) and the company's configured days off.  A
 * deadline that falls on another day gets one more reminder, at
 * reminder_minutes local time on the last business day before it: a PPC
 * report due on Saturday is reminded on Friday, while people are at work.
 */
#define CALENDAR_DAYS_OFF_MAX 64
struct business_calendar {
	int days_off[CALENDAR_DAYS_OFF_MAX];	/* YYYYMMDD: calendar { holidays } */
	size_t n_days_off;
	int reminder_minutes;			/* local time of day: 10:00 = 600 */
};

/* Whether y-m-d (a valid date) is a business day. */
bool business_day(const struct business_calendar *c, int y, int m, int d);

/*
 * The extra reminder of a deadline due on a day that is not a business
 * day: reminder_minutes on the last business day before due's local date,
 * when that instant lies in (start, due); else 0 (due on a business day,
 * the business day before the start, or none within 60 days).
 */
time_t business_day_reminder(const struct business_calendar *c, time_t start, time_t due);

/* SPEC 5: one obligation kind's due time and reminders. */
#define REMIND_MAX 6
struct deadline_config {
	struct span due;			/* from the awareness time */
	struct remind_point remind[REMIND_MAX];
	size_t n_remind;
};

/* The engine's clocks (SPEC 4–5); every one has a default. */
struct policy_config {
	struct span escalate[PRIORITY_COUNT];	/* unacknowledged: high 30m, medium 2h, low 8h */
	struct span overdue_repeat;		/* overdue escalation repeats: 1d */
	struct deadline_config deadline[OBL_COUNT];
	struct span ppc_final_malicious;	/* rules art. 8(2): 60d */
	bool digest_enabled;
	int digest_minutes;			/* local time of day: 09:00 = 540 */
	struct span review_every[REVIEW_COUNT];	/* risk 1y, plan 6mo, drill 6mo */
	struct span review_repeat;		/* a due review is re-reminded: 7d */
	struct span review_change;		/* 5(2) after a major change: due in 30d */
	struct span aware_window;		/* how far a Date header may precede arrival: 24h */
	struct business_calendar calendar;	/* weekends, holidays, days off */
};

/*
 * SPEC 3, policy 7-4: when the company became aware of a report, where
 * every legal clock starts — the earliest trustworthy moment it had the
 * mail, never the moment the bot got round to it (after an outage or a
 * backlog that would start every clock late).
 *   arrived: the mailbox's INTERNALDATE, 0 when unknown (then now);
 *            a time after now (a server clock ahead) counts as now;
 *   written: the Date header, 0 when none: taken instead when it is
 *            earlier than the arrival by at most `window` (a sender's
 *            clock far behind, or a forged date, is not trusted);
 *   now:     the processing time.
 */
time_t deadline_awareness(time_t arrived, time_t written, time_t now, const struct span *window);

/*
 * The policy's clocks as the policy and the law set them (SPEC 5, issue 4):
 * every obligation kind's due time and reminders, the escalation limits,
 * the periodic reviews, the 60-day final report.  The configuration
 * starts from these and changes what it names; a kind without a default
 * does not compile (a _Static_assert against OBL_COUNT).
 */
void policy_config_defaults(struct policy_config *p);

/* d's reminders: the first n of remind (stopping at a NULL), those
 * remind_parse() reads; at most REMIND_MAX. */
void deadline_set_reminders(struct deadline_config *d, const char *const *remind, size_t n);

/*
 * When an obligation of kind falls due for a ticket the company became
 * aware of at aware_at with flags (FLAG_BIT()s): the kind's span from
 * the awareness time; the PPC final report's longer span when the
 * malicious flag is set (APPI rules art. 8(2)).
 */
time_t deadline_due(const struct policy_config *p, time_t aware_at, unsigned flags,
		    enum obligation_kind kind);

/*
 * SPEC 4 "escalation": how long a ticket created at `created` with
 * priority (enum priority; unknown, < 0: low) may stay unacknowledged
 * before management is told — and again after each further such span.
 */
long deadline_escalation_limit(const struct policy_config *p, time_t created, int priority);

/*
 * Issue 12: a configured span longer than the law's or the contract's
 * ("ppc-final" due = "45d") would let a duty fall due after the date that
 * binds the company.  Writes one line per such span into w[0..max) and
 * returns how many (at most max): what, as configured, the limit and its
 * source.  at: the moment the spans are measured from (months vary).
 */
struct deadline_warning {
	char text[240];
};
size_t deadline_check_limits(const struct policy_config *p, time_t at,
			     struct deadline_warning *w, size_t max);

#endif
