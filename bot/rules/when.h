/*
 * when.h — the moment a report says the reporter noticed the incident
 * (「本日9時40分ごろ」, 「昨夜23時頃」, 「12月7日 9:40」, "at 9:40 this
 * morning"), so the alarm can propose it as the awareness time (SPEC 3,
 * policy 7-4; issue 12).  The bot never sets it by itself: the admin
 * confirms with /aware.  Pure: no I/O, no allocation; local time is the
 * configured zone (clock_set_zone), as for rules/deadline.h.
 */
#ifndef INCIDENT_WHEN_H
#define INCIDENT_WHEN_H

#include <stddef.h>
#include <time.h>

/*
 * The earliest time of day the text writes, with its day: 本日/今日/今朝
 * (the mail's day), 昨日/昨夜/昨晩 (the day before), 一昨日/おととい, M月D日,
 * YYYY/M/D, M/D, or none (the mail's day); and its time: H時M分, H時半, H時,
 * H:MM, with 午前/午後/朝/夜/am/pm.  Only moments at most 7 days before
 * `written` (the mail's Date) and not after it count.  Returns the moment,
 * or 0 when the text names none; *from and *to (if not NULL) get the
 * phrase's bytes in text.  text: UTF-8 (full-width digits are read too);
 * NULL is no text.
 */
time_t when_noticed(const char *text, time_t written, size_t *from, size_t *to);

#endif
