/*
 * clock.h — the bot's notion of "now" and of local time.
 *
 * The configured zone (default Asia/Tokyo) is installed once with
 * clock_set_zone(); after that every local time the bot shows, and every
 * ticket year, is in that zone.  `--now` fixes the clock for one run
 * (drills, demos, tests): clock_now() then returns it.
 */
#ifndef INCIDENT_CLOCK_H
#define INCIDENT_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Sets the zone (an IANA name) for every local-time function below. */
void clock_set_zone(const char *zone);

/* Fixes now (0: use the real clock again). */
void clock_fix(time_t t);
time_t clock_now(void);
/* Seconds on the monotonic clock (never --now): for measuring how long
 * something took (progress, -v timings). */
double clock_monotonic(void);

/*
 * Parses an RFC 3339 / ISO 8601 time: "2026-11-25T09:30+09:00",
 * "2026-11-25T09:30:00Z", "2026-11-25 09:30:00" (no zone: the configured
 * zone).  Returns 0 and sets *t, or -1.
 */
int clock_parse(const char *s, time_t *t);

/* "2026-11-25T09:30:00+09:00" in the configured zone; buf >= 32 bytes. */
char *clock_format_rfc3339(time_t t, char *buf, size_t len);

/* "2026-11-25 09:30" in the configured zone, for people; buf >= 32 bytes. */
char *clock_format_short(time_t t, char *buf, size_t len);

/* The configured zone's offset from UTC at t, in minutes (540 for JST). */
int clock_utc_offset_min(time_t t);

/* The year of t in the configured zone. */
int clock_year(time_t t);

#endif
