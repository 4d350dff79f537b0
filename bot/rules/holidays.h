/*
 * holidays.h — Japan's public holidays as data: the days on which a
 * deadline falls outside business hours, so its reminder comes on the last
 * business day before it (issue 12 point 9; rules/deadline.h).
 *
 * The table holds 国民の祝日, 振替休日 and 国民の休日 as the Cabinet Office
 * publishes them (内閣府「国民の祝日について」) for the years it covers;
 * later years and the company's own days off (年末年始, 夏季休業) come from
 * the configuration's calendar { holidays = {…} }.  Extend the table when
 * the Cabinet Office announces a year (each February for the next year).
 */
#ifndef INCIDENT_HOLIDAYS_H
#define INCIDENT_HOLIDAYS_H

#include <stdbool.h>

/* The first and last year the table covers. */
#define HOLIDAYS_JP_FIRST_YEAR	2026
#define HOLIDAYS_JP_LAST_YEAR	2027

/* Whether y-m-d is a Japanese public holiday in the table. */
bool holiday_jp(int y, int m, int d);

#endif
