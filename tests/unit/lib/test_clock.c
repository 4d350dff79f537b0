/* test_clock.c — time parsing and formatting in the configured zone, JSON
 * output, and the outbox's retry schedule (all pure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/json.h"
#include "outbox/outbox.h"
#include "test.h"

static void parse(const char *s, long long want, const char *what)
{
	time_t t = 0;
	int rc = clock_parse(s, &t);

	if (want < 0)
		CHECK_INT(rc, -1, what);
	else
		CHECK(rc == 0 && t == want, what);
}

static char *json_of(void (*write)(struct json *))
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct json j;

	json_init(&j, f);
	write(&j);
	fclose(f);
	return buf;
}

static void write_sample(struct json *j)
{
	json_object_begin(j);
	json_kv_string(j, "s", "日本語 \"q\" \\ \n\t\x01");
	json_kv_string(j, "bad", "a\xff" "b");
	json_kv_string(j, "null", NULL);
	json_key(j, "list");
	json_array_begin(j);
	json_int(j, 1);
	json_bool(j, true);
	json_array_end(j);
	json_kv_time(j, "t", 1795651200);
	json_kv_time(j, "none", 0);
	json_object_end(j);
}

int main(void)
{
	char buf[64];
	long d;
	int i, monotone = 1;

	clock_set_zone("Asia/Tokyo");
	parse("2026-11-25T09:30+09:00", 1795566600, "RFC 3339 with offset");
	parse("2026-11-25T00:30:00Z", 1795566600, "UTC with seconds");
	parse("2026-11-25T09:30:00.250+09:00", 1795566600, "fractions ignored");
	parse("2026-11-25 09:30", 1795566600, "no zone: the configured zone");
	parse("2026-11-25", 1795532400, "a date alone is its midnight");
	parse("2026-13-01T00:00Z", -1, "month 13 refused");
	parse("yesterday", -1, "words refused");
	parse("2026-11-25T09:30+0900", -1, "offset without colon refused");
	parse("2026-11-25T09:30+09:00junk", -1, "trailing junk refused");

	CHECK_STR(clock_format_rfc3339(1795566600, buf, sizeof buf), "2026-11-25T09:30:00+09:00",
		  "RFC 3339 in JST");
	CHECK_STR(clock_format_short(1795566600, buf, sizeof buf), "2026-11-25 09:30", "short form");
	CHECK_INT(clock_utc_offset_min(1795566600), 540, "JST is +540 minutes");
	CHECK_INT(clock_year(1798729199), 2026, "2026-12-31 23:59:59 JST is 2026");
	CHECK_INT(clock_year(1798729200), 2027, "2027-01-01 00:00 JST is 2027 (UTC still 2026)");
	clock_fix(12345);
	CHECK_INT(clock_now(), 12345, "--now fixes the clock");
	clock_fix(0);
	CHECK(clock_now() > 1700000000, "and unfixes it");

	CHECK_STR(json_of(write_sample),
		  "{\"s\":\"日本語 \\\"q\\\" \\\\ \\n\\t\\u0001\",\"bad\":\"a\xef\xbf\xbd" "b\","
		  "\"null\":null,\"list\":[1,true],\"t\":\"2026-11-26T09:00:00+09:00\",\"none\":null}\n",
		  "JSON: escapes, invalid UTF-8 → U+FFFD, commas, times");

	for (i = 1; i < 20; i++)
		if (outbox_backoff(i + 1, 0) < outbox_backoff(i, 0))
			monotone = 0;
	CHECK(monotone, "backoff never shrinks with more attempts");
	d = outbox_backoff(1, 12345);
	CHECK(d >= 24 && d <= 36, "first retry after 30 s ± 20 %");
	d = outbox_backoff(50, 777);
	CHECK(d >= 2880 && d <= 4320, "capped at an hour ± 20 %");
	CHECK(outbox_backoff(3, 1) != outbox_backoff(3, 2), "jitter spreads retries");
	return test_done();
}
