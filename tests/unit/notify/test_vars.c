/*
 * test_vars.c — what a letter to an outsider is made of (issue 13): dates
 * and numbers as a Japanese (or English) letter writes them, one sentence
 * per detection source of policy 7-1 instead of a label glued to により,
 * the company who signs, the admins a high-priority reporter calls, and
 * what a follow-up publication (第二報) tells of what was done since the
 * first.  Values are read back by rendering one-line templates, as a
 * template author uses them; each letter text also fits ISO-2022-JP, so
 * that an old client gets the letter in JIS, not the UTF-8 fallback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "notify/vars.h"
#include "outbox/jis.h"
#include "rules/policy.h"
#include "test.h"

/* 2026-12-07 09:40:00 +09:00 */
#define T_0940 1796604000

static struct person persons[] = {
	{ "sysadmin", "北垣 剛志", "tkita@example.com", "070-0000-0000", ROLE_ADMIN },
	{ "ecadmin", "伊藤 佳彦", "y.ito@example.com", NULL, ROLE_ADMIN },
	{ "president", "渡部 正行", "ceo@example.com", "0852-00-0000", ROLE_MANAGEMENT },
};

static const char *r(const struct tvars *v, const char *tmpl)
{
	static char buf[4096];
	struct error err = { 0 };
	char *out;

	if (render_string(tmpl, "test", v, &out, &err) < 0) {
		snprintf(buf, sizeof buf, "ERROR: %s", err.msg);
		return buf;
	}
	snprintf(buf, sizeof buf, "%s", out);
	free(out);
	return buf;
}

static void formatters(void)
{
	static const struct {
		long n;
		const char *want;
	} counts[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { 1200, "1,200" },
		{ 12000, "12,000" }, { 123456, "123,456" }, { 1234567, "1,234,567" },
		{ -1234, "-1,234" }, { 1000000000L, "1,000,000,000" },
	};
	char buf[48], small[6], what[64];
	size_t i;

	for (i = 0; i < sizeof counts / sizeof *counts; i++) {
		vars_count(counts[i].n, buf, sizeof buf);
		snprintf(what, sizeof what, "count %ld is %s", counts[i].n, counts[i].want);
		CHECK_STR(buf, counts[i].want, what);
	}
	vars_count(1234567, small, sizeof small);
	CHECK_STR(small, "1,234", "a short buffer cuts, NUL-terminated");

	vars_duration(4 * 3600, buf, sizeof buf);
	CHECK_STR(buf, "4時間0分", "duration: hours and minutes");
	vars_duration_en(4 * 3600, buf, sizeof buf);
	CHECK_STR(buf, "4 h 0 min", "... in English for the English part (no 時間 there)");
	vars_duration_en(2 * 86400 + 5 * 3600 + 59, buf, sizeof buf);
	CHECK_STR(buf, "2 d 5 h", "... days and hours");
	vars_duration_en(59 * 60, buf, sizeof buf);
	CHECK_STR(buf, "59 min", "... minutes alone");

	vars_time_ja(T_0940, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月7日 9時40分", "Japanese time: no zero padding, 時 and 分");
	vars_time_ja(T_0940 + 25 * 60, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月7日 10時5分", "... 10:05 is 10時5分");
	vars_time_ja(T_0940 + 20 * 60, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月7日 10時", "... on the hour, no 分");
	vars_time_ja(T_0940 + 14 * 3600 + 20 * 60, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月8日 0時", "... midnight is 0時 of the next day in the zone");
	vars_date_ja(T_0940, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月7日", "Japanese date");
	vars_time_en(T_0940, buf, sizeof buf);
	CHECK_STR(buf, "7 December 2026, 9:40 (UTC+09:00)", "English time with the zone's offset");
	clock_set_zone("America/New_York");
	vars_time_en(T_0940, buf, sizeof buf);
	CHECK_STR(buf, "6 December 2026, 19:40 (UTC-05:00)", "... in another zone, behind UTC");
	vars_time_ja(T_0940, buf, sizeof buf);
	CHECK_STR(buf, "2026年12月6日 19時40分", "... and the Japanese form follows the zone too");
	clock_set_zone("Asia/Tokyo");
}

static struct tvars *ticket_vars(const struct config *cfg, struct ticket *t)
{
	struct tvars *v = vars_for_ticket(cfg, t, NULL);

	if (v && vars_add_policy(v, t, NULL, 0, NULL, 0, T_0940) < 0) {
		tvars_free(v);
		v = NULL;
	}
	return v;
}

static void letters(void)
{
	struct config cfg = { 0 };
	struct ticket t = { 0 };
	struct tvars *v;

	cfg.smtp.from = "incident@example.com";
	cfg.persons = persons;
	cfg.n_persons = sizeof persons / sizeof *persons;
	cfg.company = (struct company_config){ "株式会社テスト靴", "テスト靴オンライン",
					       "https://www.shoes-i.net/" };
	snprintf(t.ref, sizeof t.ref, "INC-2026-0001");
	t.subject = "カード情報の流出";
	t.status = STATUS_NEW;
	t.reporter_addr = "someone@outside.example";
	t.aware_at = t.created_at = T_0940 + 25 * 60;
	t.affected = 12000;
	t.records = -1;
	t.source = SOURCE_EXTERNAL_NOTICE;
	t.type = TYPE_DATA_LEAK;
	t.priority = PRIORITY_HIGH;

	if (!(v = ticket_vars(&cfg, &t))) {
		CHECK(0, "variables of a ticket");
		return;
	}
	CHECK_STR(r(v, "{{letter_aware}}頃、{{letter_detected}}"),
		  "2026年12月7日 10時5分頃、外部からのご連絡により判明いたしました。",
		  "a letter's sentence: Japanese date, the way of policy 7-1 as a sentence");
	CHECK_STR(r(v, "{{ticket_aware}}"), "2026-12-07 10:05", "the admins' form stays as it was");
	CHECK_STR(r(v, "{{letter_aware_en}} / {{letter_detected_en}} / {{letter_type_en}}"),
		  "7 December 2026, 10:05 (UTC+09:00) / An outside party notified us. / data leak",
		  "the English letter's date, sentence and type");
	CHECK_STR(r(v, "{{affected_count}}名 ({{affected}})"), "12,000名 (12000)",
		  "affected_count has the thousands separator; affected stays a number");
	CHECK_STR(r(v, "{{company_name}}|{{company_shop}}|{{company_website}}"),
		  "株式会社テスト靴|テスト靴オンライン|https://www.shoes-i.net/", "the company who signs");
	CHECK_STR(r(v, "{{#if priority_high}}high{{/if}}"), "high", "priority_high for a high ticket");
	CHECK_STR(r(v, "{{#each admin_phones}}{{name}} {{phone}};{{/each}}"), "北垣 剛志 070-0000-0000;",
		  "admin_phones: the admins with a phone, not management, not the phoneless");
	tvars_free(v);

	/* nothing recorded: no English label, no empty slot glued to により */
	t.source = SOURCE_UNSET;
	t.type = TYPE_UNSET;
	t.priority = PRIORITY_UNSET;
	t.affected = -1;
	cfg.company = (struct company_config){ "", "", "" };
	if (!(v = ticket_vars(&cfg, &t))) {
		CHECK(0, "variables of an unclassified ticket");
		return;
	}
	CHECK_STR(r(v, "{{letter_detected}}"), "当社において判明いたしました。",
		  "an unknown source is still a sentence");
	CHECK_STR(r(v, "[{{letter_type}}][{{letter_type_en}}][{{affected_count}}][{{priority_high}}]"),
		  "[][][][]", "unknown type and count are empty, so a template can test them");
	CHECK_STR(r(v, "{{#if company_name}}{{company_name}}{{else}}【会社名】{{/if}}"), "【会社名】",
		  "no company name: the template keeps its placeholder");
	tvars_free(v);

	/* every 7-1 source has a sentence of its own, none of them a label */
	struct jis *j = jis_new();

	for (int s = 0; s < SOURCE_COUNT; s++) {
		struct buf euc = { 0 };
		char what[120];

		t.source = (enum source)s;
		t.type = (enum incident_type)(s % TYPE_COUNT);
		if (!(v = ticket_vars(&cfg, &t)))
			break;
		snprintf(what, sizeof what, "source %s: a sentence ending in 。, not its label",
			 source_name(t.source));
		const char *got = r(v, "{{letter_detected}}|{{letter_detected_en}}");
		CHECK(strstr(got, "。|") && !strstr(got, source_label(s)) && got[strlen(got) - 1] == '.',
		      what);
		snprintf(what, sizeof what, "source %s: the letter's words fit ISO-2022-JP",
			 source_name(t.source));
		CHECK(j && jis_from_utf8(j, r(v, "{{letter_aware}}頃、{{letter_detected}}{{letter_type}}"),
					 &euc) == 0, what);
		buf_release(&euc);
		tvars_free(v);
	}
	jis_free(j);
}

static void since_first(void)
{
	struct obligation obl[] = {
		{ .kind = "publication", .state = OBLIGATION_DONE, .closed_at = T_0940 + 86400 },
		{ .kind = "ppc-preliminary", .state = OBLIGATION_DONE, .closed_at = T_0940 + 2 * 86400 },
		{ .kind = "individuals", .state = OBLIGATION_DONE, .closed_at = T_0940 + 3600 },	/* before */
		{ .kind = "amazon", .state = OBLIGATION_DONE, .closed_at = T_0940 + 2 * 86400 },
		{ .kind = "consultation-desk", .state = OBLIGATION_OPEN },
	};
	struct event ev[] = {
		{ .at = T_0940, .actor = "a@example.com", .kind = "note", .detail = "前のメモ" },
		{ .at = T_0940 + 2 * 86400, .actor = "a@example.com", .kind = "note",
		  .detail = "WAF を入れた" },
		{ .at = T_0940 + 2 * 86400, .actor = "a@example.com", .kind = "status",
		  .detail = "x" },
	};
	struct tvars *v = tvars_new();

	CHECK_INT(vars_add_since_first(v, obl, 5, ev, 3, 0), 0, "a first publication");
	CHECK_STR(r(v, "[{{publication_first}}]{{#each since_first}}x{{/each}}"), "[]",
		  "... has no first and nothing since");
	tvars_free(v);
	v = tvars_new();
	CHECK_INT(vars_add_since_first(v, obl, 5, ev, 3, T_0940 + 86400), 0, "a second one");
	CHECK_STR(r(v, "{{publication_first}}"), "2026年12月8日", "... names the first's date");
	CHECK_STR(r(v, "{{#each since_first}}{{at}} {{text}}|{{/each}}"),
		  "2026年12月9日 個人情報保護委員会へ報告いたしました。|",
		  "... tells the public what was done since, nothing before, nothing for Amazon");
	CHECK_STR(r(v, "{{#each since_first_notes}}{{text}}|{{/each}}"), "WAF を入れた|",
		  "... and gives the admins their notes since");
	tvars_free(v);
}

int main(void)
{
	clock_set_zone("Asia/Tokyo");
	formatters();
	letters();
	since_first();
	return test_done();
}
