/*
 * test_briefing.c — the management digest against a temporary database:
 * open tickets by priority and status, the unacknowledged ones, overdue and
 * next-48-h obligations split exactly at their boundaries, the 14-day line,
 * closed since the last digest, median times (odd, even, none), reviews due
 * and not, drills apart, the mail queued to management (multipart, about
 * no ticket), and HTML escaping of a ticket's subject; issue 13: each open
 * incident by name, deadlines by kind, the subject's warning, what was
 * done or became late since the last digest, no "前回" for a review nobody did.
 *
 * Values are read back by rendering one-line templates with the variables,
 * as a template author would use them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "notify/briefing.h"
#include "rules/policy.h"
#include "test.h"
#include "lib/digest.h"

/* The SHA-256 (hex) the outbox stores with data (a static buffer). */
static const char *sha_of(const char *data, size_t len)
{
	static char hex[65];

	digest_sha256_hex(data, len, hex);
	return hex;
}

#define H 3600
#define D (24 * H)

static char dir[] = "/tmp/ib-test-briefing-XXXXXX";
static struct store *st;
static struct config cfg;
static struct person persons[] = {
	{ "sysadmin", "北垣 剛志", "tkita@example.com", "070-0000-0000", ROLE_ADMIN },
	{ "president", "渡部 正行", "ceo@example.com", NULL, ROLE_MANAGEMENT },
	{ "ecadmin", "伊藤 佳彦", "y.ito@example.com", NULL, ROLE_ADMIN | ROLE_MANAGEMENT },
};

static const time_t now = 1795651200;	/* 2026-11-26T09:00:00+09:00, a Thursday */

/* ---- building the database ---- */

struct spec {
	const char *subject;
	time_t created;
	const char *priority;		/* NULL: not classified */
	unsigned flags;
	const char *const *path;	/* statuses in order, NULL-terminated */
	const time_t *at;		/* when each was reached */
};

static int64_t ticket(const struct spec *s)
{
	struct error err = { 0 };
	struct ticket t;
	int64_t id;
	int i;

	store_ticket_create(st, 2026, s->created, s->subject, "r@example.com", "R", &t, &err);
	id = t.id;
	store_ticket_release(&t);
	if (s->priority || s->flags)
		store_ticket_set_class(st, id, TYPE_OTHER, priority_from_name(s->priority),
				       SOURCE_UNSET, s->flags, -1, NULL, &err);
	for (i = 0; s->path && s->path[i]; i++)
		store_ticket_set_status(st, id, status_from_name(s->path[i]), s->at[i], &err);
	if (err.cls != ERR_NONE)
		printf("# ticket %s: %s\n", s->subject, err.msg);
	return id;
}

static void obligation(int64_t id, enum obligation_kind k, time_t due)
{
	struct error err = { 0 };

	if (store_obligation_require(st, id, obligation_name(k), due - D, due, now - 10 * D,
				     &err) < 0)
		printf("# obligation: %s\n", err.msg);
}

/* ---- reading variables back ---- */

/* tmpl rendered with v; a static buffer ("ERROR: …" when it fails). */
static const char *r(const struct tvars *v, const char *tmpl)
{
	static char buf[8192];
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

static struct tvars *vars_at(time_t at, time_t since)
{
	struct error err = { 0 };
	struct tvars *v = NULL;

	if (briefing_vars(&cfg, st, at, since, &v, &err) < 0)
		printf("# briefing_vars: %s\n", err.msg);
	return v;
}

/* ---- an independent base64 decoder for the mail's parts ---- */

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* The part after the header line `type` up to the next "--": decoded, malloc'd. */
static char *part(const char *msg, const char *type)
{
	const char *p = strstr(msg, type), *end;
	char *out, *o;
	unsigned acc = 0;
	int bits = 0, v;

	if (!p || !(p = strstr(p, "\r\n\r\n")) || !(end = strstr(p + 4, "\r\n--")))
		return NULL;
	out = o = malloc((size_t)(end - p) + 1);
	for (p += 4; p < end; p++) {
		if ((v = b64_val((unsigned char)*p)) < 0)
			continue;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)(acc >> bits & 0xff);
		}
	}
	*o = '\0';
	return out;
}

/* ---- the scenario ---- */

static const char *const st_new[] = { NULL };
static const char *const st_inv[] = { "investigating", NULL };
static const char *const st_ack[] = { "acknowledged", NULL };
static const char *const st_rec[] = { "acknowledged", "recovering", NULL };
static const char *const st_closed[] = { "acknowledged", "recovering", "resolved", "closed", NULL };
static const char *const st_resolved[] = { "resolved", NULL };
static const char *const st_closed2[] = { "resolved", "closed", NULL };

static void build(void)
{
	struct error err = { 0 };
	const unsigned drill = FLAG_BIT(FLAG_DRILL);
	int64_t t2, t3, t4, t9;

	store_begin(st, &err);
	/* 0001: high, new for 2 h */
	ticket(&(struct spec){ "受注サーバー停止", now - 2 * H, "high", 0, st_new, NULL });
	/* 0002: high, investigating; acknowledged after 1 h */
	t2 = ticket(&(struct spec){ "<script>alert(1)</script> & 流出", now - 3 * D, "high", 0,
				    st_inv, (time_t[]){ now - 3 * D + 1 * H } });
	/* 0003: medium, recovering; acknowledged after 3 h, contained after 1 day */
	t3 = ticket(&(struct spec){ "管理画面の不具合", now - 5 * D, "medium", 0, st_rec,
				    (time_t[]){ now - 5 * D + 3 * H, now - 4 * D } });
	/* 0004: low, acknowledged after 5 h */
	t4 = ticket(&(struct spec){ "プリンタ故障", now - 10 * D, "low", 0, st_ack,
				    (time_t[]){ now - 10 * D + 5 * H } });
	/* 0005: not classified, new for 30 min */
	ticket(&(struct spec){ "よく分からない通知", now - 30 * 60, NULL, 0, st_new, NULL });
	/* 0006: medium, closed 2 h ago: acknowledged after 2 h, contained after 4 h */
	ticket(&(struct spec){ "フィッシングメール", now - 2 * D, "medium", 0, st_closed,
			       (time_t[]){ now - 2 * D + 2 * H, now - 2 * D + 4 * H, now - D,
					   now - 2 * H } });
	/* 0007: closed long ago, created 40 days ago */
	ticket(&(struct spec){ "古い件", now - 40 * D, "low", 0, st_closed2,
			       (time_t[]){ now - 36 * D, now - 35 * D } });
	/* 0008: closed exactly at the last digest (since = now - 1 day): not "since" */
	ticket(&(struct spec){ "前回ちょうど", now - 31 * D, "low", 0, st_closed2,
			       (time_t[]){ now - D - 1, now - D } });
	/* 0009: a drill, new, with an overdue obligation */
	t9 = ticket(&(struct spec){ "訓練: 不正アクセス", now - H, "high", drill, st_new, NULL });
	/* 0010: a drill closed an hour ago */
	ticket(&(struct spec){ "訓練: 終わった", now - 2 * D, "high", drill, st_closed2,
			       (time_t[]){ now - 3 * H, now - H } });
	/* 0011: resolved, awaiting close (created 40 days ago: no median) */
	ticket(&(struct spec){ "解決済み", now - 40 * D, "low", 0, st_resolved,
			       (time_t[]){ now - 20 * D } });

	obligation(t2, OBL_AMAZON, now - H);			/* overdue by 1 h */
	obligation(t2, OBL_PPC_PRELIMINARY, now);		/* due now: overdue */
	obligation(t2, OBL_PUBLICATION, now + 1);		/* in 1 s: upcoming */
	obligation(t2, OBL_PPC_FINAL, now + 48 * H);		/* at 48 h: upcoming */
	obligation(t2, OBL_INDIVIDUALS, now + 48 * H + 1);	/* just past 48 h */
	obligation(t3, OBL_CONSULTATION_DESK, 1796828400 - 1);	/* 12/09 23:59:59: day 14 */
	obligation(t4, OBL_PARTNERS, 1796828400);		/* 12/10 00:00: past the line */
	obligation(t9, OBL_AMAZON, now - 2 * H);		/* a drill's: left out */

	/* since the last digest: an admin moved 0002 on, and 0004's Rakuten call
	 * was done 1 d 21 h after its due time (issue 13: what was done or late) */
	store_event_add(st, t2, now - 5 * H, "tkita@example.com", "status",
			"acknowledged → investigating", &err);
	obligation(t4, OBL_RAKUTEN, now - 2 * D);
	store_obligation_close(st, t4, "rakuten", OBLIGATION_DONE, "電話済み", "tkita@example.com",
			       now - 3 * H, &err);
	/* 6(2): only the bot's first pass started its clock (done_by NULL) */
	store_review_done(st, "drill", now - 10 * D, NULL, &err);

	/* policy 5(1): done a year ago to the second, so due now; 5(2) 100 days ago */
	store_review_done(st, "risk", 1764115200, "ceo@example.com", &err);	/* 2025-11-26 09:00 */
	store_review_done(st, "plan", now - 100 * D, "ceo@example.com", &err);
	if (store_commit(st, &err) < 0)
		printf("# commit: %s\n", err.msg);
}

static void test_counts(const struct tvars *v)
{
	CHECK_STR(r(v, "{{open_count}}"), "5", "open: five tickets (drills and resolved apart)");
	CHECK_STR(r(v, "{{#each by_priority}}{{label}}={{count}} {{/each}}"),
		  "高=2 中=1 低=1 未分類=1 ", "open by priority, unclassified last");
	CHECK_STR(r(v, "{{#each by_priority}}{{name}}:{{bar_px}}+{{rest_px}} {{/each}}"),
		  "high:180+0 medium:90+90 low:90+90 unclassified:90+90 ",
		  "bars proportional to the largest count");
	CHECK_STR(r(v, "{{#each by_status}}{{name}}={{count}} {{/each}}"),
		  "new=2 acknowledged=1 investigating=1 containing=0 reporting=0 recovering=1 ",
		  "open by status");
	CHECK_STR(r(v, "{{resolved_count}}"), "1", "resolved, awaiting close");
}

static void test_unacked(const struct tvars *v)
{
	CHECK_STR(r(v, "{{unacked_count}}"), "2", "two unacknowledged (the drill is not one)");
	CHECK_STR(r(v, "{{#each unacked}}{{ticket_id}} {{priority}} {{age}} {{age_en}} / {{/each}}"),
		  "INC-2026-0001 高 2時間 2 h / INC-2026-0005 未分類 30分 30 min / ",
		  "oldest first, with priority and age");
	CHECK_STR(r(v, "{{#each unacked}}{{created}}|{{/each}}"),
		  "2026-11-26 07:00|2026-11-26 08:30|", "when each came in, local time");
}

static void test_obligations(const struct tvars *v)
{
	char want[512];

	CHECK_STR(r(v, "{{overdue_count}} {{upcoming_count}} {{later_count}}"), "2 2 1",
		  "2 overdue, 2 within 48 h, 1 beyond the 14 days (drill's left out)");
	snprintf(want, sizeof want, "INC-2026-0002 amazon %s 2026-11-26 08:00 1時間 1 h|"
		 "INC-2026-0002 ppc-preliminary %s 2026-11-26 09:00 1分未満 < 1 min|",
		 obligation_label(OBL_AMAZON), obligation_label(OBL_PPC_PRELIMINARY));
	CHECK_STR(r(v, "{{#each overdue}}{{ticket_id}} {{kind}} {{label}} {{due}} {{late}} {{late_en}}|{{/each}}"),
		  want, "overdue: due before now, and due exactly now");
	CHECK_STR(r(v, "{{#each upcoming}}{{kind}} {{due}} {{left}} {{left_en}}|{{/each}}"),
		  "publication 2026-11-26 09:00 1分未満 < 1 min|ppc-final 2026-11-28 09:00 2日 2 d|",
		  "upcoming: from 1 s to exactly 48 h; 48 h + 1 s is not");
	CHECK_STR(r(v, "{{#each overdue}}{{subject}}|{{/each}}"),
		  "<script>alert(1)</script> & 流出|<script>alert(1)</script> & 流出|",
		  "the text version is not escaped");
	CHECK_STR(r(v, "{{#each days}}{{head}}={{count}} {{/each}}"),
		  "期限切れ=2 11/26(木)=1 11/27(金)=0 11/28(土)=2 11/29(日)=0 11/30(月)=0 "
		  "12/1(火)=0 12/2(水)=0 12/3(木)=0 12/4(金)=0 12/5(土)=0 12/6(日)=0 12/7(月)=0 "
		  "12/8(火)=0 12/9(水)=1 ",
		  "the 14-day line: overdue first, then one column per local day");
	CHECK_STR(r(v, "{{#each days}}{{bg}} {{/each}}"),
		  "#c62828 #ef6c00 #f5f5f5 #f9a825 #f5f5f5 #f5f5f5 #f5f5f5 #f5f5f5 #f5f5f5 #f5f5f5 "
		  "#f5f5f5 #f5f5f5 #f5f5f5 #f5f5f5 #90caf9 ",
		  "coloured by urgency, grey when empty");
}

static void test_closed(const struct tvars *v, const struct tvars *never)
{
	CHECK_STR(r(v, "{{closed_count}} {{#each closed}}{{ticket_id}} {{closed_at}} {{took}}{{/each}}"),
		  "1 INC-2026-0006 2026-11-26 07:00 1日22時間",
		  "closed since the last digest; one closed exactly then is not");
	CHECK_STR(r(v, "{{#if since_known}}yes {{since}}{{/if}}"), "yes 2026-11-25 09:00",
		  "the last digest's time is shown");
	CHECK_STR(r(never, "{{closed_count}} {{#if since_known}}yes{{else}}no{{/if}} {{since}}"),
		  "1 no 2026-11-25 09:00", "no digest before: the last 24 hours");
}

static void test_medians(const struct tvars *v)
{
	struct tvars *later, *empty;

	/* 0002 1 h, 0003 3 h, 0004 5 h, 0006 2 h: even, (2 + 3) / 2 */
	CHECK_STR(r(v, "{{recent_count}} {{ack_count}} {{ack_median}} {{ack_median_en}}"),
		  "6 4 2時間30分 2 h 30 min",
		  "median time to acknowledge, even count (two of six never acknowledged)");
	/* 0003 1 day, 0006 4 h */
	CHECK_STR(r(v, "{{recover_count}} {{recover_median}}"), "2 14時間",
		  "median time to recovery (status recovering), even count");
	/* 20 days on, 0004 (created 10 days ago) has left the 30 days: 1, 2, 3 h */
	later = vars_at(now + 20 * D + H, now);
	CHECK_STR(r(later, "{{recent_count}} {{ack_count}} {{ack_median}}"), "5 3 2時間",
		  "median, odd count");
	tvars_free(later);
	empty = vars_at(now + 60 * D, now);
	CHECK_STR(r(empty, "{{recent_count}} {{ack_median}} {{recover_median}} {{ack_median_en}}"),
		  "0 データなし データなし no data", "no tickets in 30 days: no data");
	tvars_free(empty);
}

static void test_reviews(const struct tvars *v)
{
	struct tvars *before;

	CHECK_STR(r(v, "{{reviews_due_count}} {{#each reviews_due}}{{name}} {{section}}{{/each}}"),
		  "1 risk 5(1)", "the yearly risk review is due exactly a year on");
	CHECK_STR(r(v, "{{#each reviews}}{{name}}:{{#if due}}due{{else}}ok{{/if}}:{{last_done}}:{{next_due}}:{{every}} {{/each}}"),
		  "risk:due:2025-11-26:2026-11-26:1年 plan:ok:2026-08-18:2027-02-18:6か月 "
		  "drill:ok:記録なし:2027-05-16:6か月 ",
		  "each review: last done, next due; the bot's first pass is no review "
		  "(issue 13: 前回 is 記録なし, not the day the bot started)");
	CHECK_STR(r(v, "{{#each reviews}}{{name}}:{{#if ever_done}}done{{else}}never{{/if}} {{/each}}"),
		  "risk:done plan:done drill:never ", "ever_done tells them apart");
	before = vars_at(now - 1, now - D);
	CHECK_STR(r(before, "{{reviews_due_count}}"), "0", "a second before, nothing is due");
	tvars_free(before);
}

/* Issue 13: each open incident by name, most urgent first. */
static void test_incidents(const struct tvars *v)
{
	CHECK_STR(r(v, "{{#each incidents}}{{ticket_id}} {{/each}}"),
		  "INC-2026-0002 INC-2026-0001 INC-2026-0003 INC-2026-0004 INC-2026-0005 ",
		  "open incidents: a statutory or contractual deadline first, then by priority");
	CHECK_STR(r(v, "{{#each incidents}}{{#if statutory}}{{priority}}|{{affected}}|{{personal}}|"
		       "{{status}}|{{owner}}|{{statutory_label}} {{statutory_due}} {{statutory_when}}|"
		       "{{contractual_short}} {{contractual_when}}{{/if}}{{/each}}"),
		  "高|人数不明|個人情報なし|調査中|未定|個人情報保護委員会への速報 "
		  "2026-11-26 09:00 期限切れ 1分未満|Amazon通知 期限切れ 1時間",
		  "its line: priority, people, personal data, status, owner, next statutory and "
		  "contractual deadlines with the time left or late");
	CHECK_STR(r(v, "{{#each incidents}}{{#if internal}}{{ticket_id}} {{internal_short}} "
		       "{{internal_when}}|{{/if}}{{/each}}"),
		  "INC-2026-0002 HP公表 残り 1分未満|INC-2026-0003 相談窓口 残り 13日14時間|"
		  "INC-2026-0004 取引先報告 残り 13日15時間|",
		  "internal targets are kept apart from the statutory ones");
	CHECK_STR(r(v, "{{#each deadline_groups}}{{label}}:{{#each overdue}}{{kind}} {{/each}}/"
		       "{{#each upcoming}}{{kind}} {{/each}}/{{later_count}} {{/each}}"),
		  "法定期限:ppc-preliminary /ppc-final /0 契約上の期限:amazon //0 "
		  "社内目標:/publication /3 ",
		  "deadlines apart: statutory, contractual, internal (the drill's left out)");
}

static void test_alert(const struct tvars *v)
{
	struct tvars *later = vars_at(now - 2 * D, now - 3 * D);

	CHECK_STR(r(v, "{{alert}}"), "Amazon通知 期限切れ 1時間 ほか2件",
		  "the subject's warning: the longest overdue, and how many more");
	/* two days earlier: Amazon due in 47 h; PPC 速報 in 48 h; 確報 in 96 h */
	CHECK_STR(r(later, "{{alert}}"), "Amazon通知 期限まで1日23時間 ほか1件",
		  "... else the nearest within 48 h");
	tvars_free(later);
	later = vars_at(now - 4 * D, now - 5 * D);
	CHECK_STR(r(later, "[{{alert}}]"), "[]", "nothing within 48 h: no warning");
	tvars_free(later);
}

static void test_activity(const struct tvars *v)
{
	char want[1024];

	snprintf(want, sizeof want,
		 "2026-11-26 04:00 INC-2026-0002 状態: 受付済み → 調査中（北垣 剛志）|"
		 "2026-11-26 06:00 INC-2026-0004 完了（期限後 1日21時間）: %s（社内目標） — 北垣 剛志 bad|"
		 "2026-11-26 07:00 INC-2026-0001 新規受付（優先度 高）|"
		 "2026-11-26 08:00 INC-2026-0002 期限切れになった: %s（契約上の期限） bad|"
		 "2026-11-26 08:30 INC-2026-0005 新規受付（優先度 未分類）|"
		 "2026-11-26 09:00 INC-2026-0002 期限切れになった: %s（法定期限） bad|",
		 obligation_label(OBL_RAKUTEN), obligation_label(OBL_AMAZON),
		 obligation_label(OBL_PPC_PRELIMINARY));
	CHECK_STR(r(v, "{{#each activity}}{{at}} {{ticket_id}} {{what}}{{#if bad}} bad{{/if}}|{{/each}}"),
		  want, "since the last digest: status changes, done (late), new, became late");
	CHECK_STR(r(v, "{{activity_count}} {{activity_bad_count}}"), "6 3", "... counted");
}

static void test_drills(const struct tvars *v)
{
	CHECK_STR(r(v, "{{#if drills}}{{drills_open}} {{drills_closed}}{{/if}}"), "1 1",
		  "drills counted apart: one running, one closed");
}

static void test_mail(void)
{
	struct error err = { 0 };
	struct outbox_entry *e = NULL;
	size_t n = 0, i, digests = 0;
	char *text = NULL, *html = NULL;
	time_t since;
	int queued;

	store_begin(st, &err);
	queued = briefing_queue(&cfg, st, now, now - D, &err);
	CHECK_INT(queued, 2, "queued to the two people with role management");
	CHECK_INT(briefing_mark(st, now, &err), 0, "recorded as the last digest");
	CHECK_INT(store_commit(st, &err), 0, "in one transaction");
	CHECK_INT(briefing_since(st, &since, &err), 0, "the last digest's time reads back");
	CHECK_INT(since, now, "... as it was written");

	store_outbox_list(st, 0, true, &e, &n, &err);
	for (i = 0; i < n; i++) {
		if (strcmp(e[i].kind, "digest") != 0)
			continue;
		digests++;
		if (digests > 1)
			continue;
		CHECK_STR(e[i].rcpt, "ceo@example.com", "the first to the president");
		CHECK_INT(e[i].ticket_id, 0, "about no ticket");
		CHECK_STR(e[i].subject,
			  "【Amazon通知 期限切れ 1時間 ほか2件】[incident-bot] 日次ダイジェスト "
			  "2026-11-26 / Daily digest: 対応中 5, 未受付 2, 期限切れ 2",
			  "the subject names the longest overdue statutory or contractual deadline "
			  "(issue 13), then the counts");
		CHECK(strstr(e[i].data, "Message-ID: <digest.1795651200.") != NULL,
		      "a Message-ID without a ticket reference");
		CHECK(strstr(e[i].data, "Reply-To: incident@example.com\r\n") != NULL,
		      "replies go to the desk itself");
		CHECK(strstr(e[i].data, "Content-Type: multipart/alternative;") != NULL,
		      "text and HTML alternatives");
		text = part(e[i].data, "Content-Type: text/plain");
		html = part(e[i].data, "Content-Type: text/html");
		CHECK(text && strstr(text, "■ 未受付") && strstr(text, "INC-2026-0001"),
		      "the text part lists the unacknowledged");
		CHECK(text && strstr(text, "<script>alert(1)</script> & 流出"),
		      "... with the subject as written");
		CHECK(html && strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 流出"),
		      "the HTML part escapes a ticket's subject");
		CHECK(html && !strstr(html, "<script"), "... so no script tag gets in");
		CHECK(html && strstr(html, "bgcolor=\"#c62828\"") && strstr(html, "width=\"180\""),
		      "the bar chart is table cells with bgcolor and width");
		CHECK(html && strstr(html, "11/26<br>(木)"), "the 14-day line's headers");
		CHECK(html && !strstr(html, "<img") && !strstr(html, "<style") &&
		      !strstr(html, "display:flex"), "no images, no style sheet, no flexbox");
		free(text);
		free(html);
	}
	CHECK_INT(digests, 2, "two digest mails in the outbox");
	store_outbox_free(e, n);
}

static void test_print(void)
{
	struct error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(briefing_print(&cfg, st, now, now - D, false, f, &err), 0, "the text version prints");
	fclose(f);
	CHECK(buf && strncmp(buf, "Subject: 【Amazon通知 期限切れ 1時間", 39) == 0 &&
	      strstr(buf, "[incident-bot] 日次ダイジェスト 2026-11-26"),
	      "... starting with its subject");
	CHECK(buf && strstr(buf, "■ 訓練（規程 6(2)）: 実施中 1 件"), "... and a drills line");
	CHECK(buf && strstr(buf, "Unacknowledged: 2"), "... and the English part");
	if (getenv("IB_SHOW_DIGEST"))
		fputs(buf, stdout);
	free(buf);
	CHECK_INT(briefing_check(&cfg, now, &err), 0, "check-config's render of both templates");
	if (err.cls)
		printf("# %s\n", err.msg);
}

/* Mail failed for good since the last digest: listed, the newest 30, the rest counted. */
static void test_failed_mail(void)
{
	struct error err = { 0 };
	struct tvars *v;
	const char *listed;
	char *buf = NULL, mid[64];
	size_t len = 0;
	FILE *f;
	int i, failed = 0;

	for (i = 0; i < 34; i++) {
		struct outbox_entry *e;
		size_t n;

		snprintf(mid, sizeof mid, "<failed-%d@example.com>", i);
		if (store_outbox_add(st, 0, "ack", mid, "incident@example.com",
				     "ghost@example.com", "受付 / Received", "x", 1, sha_of("x", 1),
				     now - 3 * D, &err) < 0 ||
		    store_outbox_list(st, 0, false, &e, &n, &err) < 0)
			break;
		/* the first one failed before the last digest: not listed */
		failed += store_outbox_mark_failed(st, e[n - 1].id, 1, "550 5.1.1 no such user",
						   i == 0 ? now - 2 * D : now - H, &err) == 0;
		store_outbox_free(e, n);
	}
	CHECK_INT(failed, 34, "34 mails failed (one of them before the last digest)");
	v = vars_at(now, now - D);
	CHECK_STR(r(v, "{{failed_mail_count}}/{{failed_mail_more}}"), "33/3",
		  "the digest counts the 33 failed since the last one");
	listed = r(v, "{{#each failed_mail}}{{to}} {{reason}}|{{/each}}");
	for (i = 0, len = 0; listed[i]; i++)
		len += listed[i] == '|';
	CHECK_INT((int)len, 30, "... lists the newest 30");
	CHECK(strncmp(listed, "ghost@example.com 550 5.1.1 no such user|", 41) == 0,
	      "... each with its address and the server's answer");
	tvars_free(v);
	len = 0;
	f = open_memstream(&buf, &len);
	CHECK_INT(briefing_print(&cfg, st, now, now - D, false, f, &err), 0, "... and prints them");
	fclose(f);
	CHECK(buf && strstr(buf, "■ 送信できなかったメール（前回以降）: 33 件"), "... under their heading");
	CHECK(buf && strstr(buf, "……ほか 3 件"), "... with the rest counted");
	CHECK(buf && strstr(buf, "Mail not delivered since the last digest: 33"), "... in English too");
	free(buf);
}

int main(void)
{
	struct error err = { 0 };
	struct tvars *v, *never;
	char path[256], cmd[300];

	if (!mkdtemp(dir))
		return 1;
	clock_set_zone("Asia/Tokyo");
	snprintf(path, sizeof path, "%s/incidents.db", dir);
	if (store_open(path, &st, &err) < 0) {
		printf("# %s\n", err.msg);
		return 1;
	}
	cfg.templates = getenv("IB_TEMPLATES") ? getenv("IB_TEMPLATES") : "templates";
	cfg.smtp.from = "incident@example.com";
	cfg.smtp.from_name = "セキュリティインシデント窓口";
	cfg.persons = persons;
	cfg.n_persons = 3;
	cfg.policy.review_every[REVIEW_RISK].months = 12;
	cfg.policy.review_every[REVIEW_PLAN].months = 6;
	cfg.policy.review_every[REVIEW_DRILL].months = 6;

	build();
	v = vars_at(now, now - D);
	never = vars_at(now, 0);
	CHECK(v && never, "the digest's variables");
	if (v && never) {
		test_counts(v);
		test_unacked(v);
		test_obligations(v);
		test_closed(v, never);
		test_medians(v);
		test_reviews(v);
		test_incidents(v);
		test_alert(v);
		test_activity(v);
		test_drills(v);
	}
	tvars_free(v);
	tvars_free(never);
	test_print();
	test_mail();
	test_failed_mail();

	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return test_done();
}
