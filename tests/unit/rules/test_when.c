/*
 * test_when.c — rules/when.c: the time a report says the incident was
 * noticed, in the forms Japanese and English reports write it.
 */
#include "lib/clock.h"
#include "rules/when.h"
#include "test.h"

int main(void)
{
	static const struct {
		const char *text, *want;	/* want: RFC 3339, or NULL for none */
	} cases[] = {
		{ "本日9時40分ごろ、管理画面で気づきました", "2026-12-07T09:40:00+09:00" },
		{ "今朝８時半に出社して気づきました", "2026-12-07T08:30:00+09:00" },
		{ "昨夜23時頃にアラートが来ていました", "2026-12-06T23:00:00+09:00" },
		{ "昨夜11時ごろ", "2026-12-06T23:00:00+09:00" },
		{ "昨日の午後3時に連絡がありました", "2026-12-06T15:00:00+09:00" },
		{ "12月5日 14:20 に発覚", "2026-12-05T14:20:00+09:00" },
		{ "2026/12/06 7:05 のログ", "2026-12-06T07:05:00+09:00" },
		{ "Since around 9:40 this morning", "2026-12-07T09:40:00+09:00" },
		{ "yesterday at 11:15 pm", "2026-12-06T23:15:00+09:00" },
		{ "10時に会議、その後9時の記録を確認", "2026-12-07T09:00:00+09:00" },	/* the earliest */
		{ "明日の15時に打ち合わせ", NULL },	/* after the mail: no */
		{ "11月1日 10:00 の件", NULL },		/* more than 7 days before: no */
		{ "電話 03-1234-5678、注文番号 2026120701", NULL },
		{ "バージョン v1.2:3", NULL },
		{ "", NULL },
	};
	const time_t written = 1796609100;	/* 2026-12-07 10:05 +09:00 */
	char what[200], got[40];

	clock_set_zone("Asia/Tokyo");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		time_t t = when_noticed(cases[i].text, written, NULL, NULL);

		snprintf(what, sizeof what, "noticed: \"%s\"", cases[i].text);
		CHECK_STR(t ? clock_format_rfc3339(t, got, sizeof got) : NULL, cases[i].want, what);
	}
	CHECK_INT(when_noticed(NULL, written, NULL, NULL), 0, "noticed: NULL text: none");
	CHECK_INT(when_noticed("本日9時", 0, NULL, NULL), 0, "noticed: no Date: none");
	return test_done();
}
