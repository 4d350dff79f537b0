/*
 * test_templates.c — every template in templates/ rendered as its mail
 * would be (notify_sample_vars: the same variables the mail gets), for a
 * ticket with full data and for one with none (no flags, obligations,
 * type or report): no render error, Japanese before English, and in the
 * notice drafts the ticket tag, the deadline and what is still missing;
 * the nine items of APPI rules art. 8(1) in order in both PPC reports,
 * the five of art. 10 in the notice to individuals, the customary parts
 * of the website publication, the on-behalf reminder in the Amazon one.
 * A template with an error names its file and line.  Then the real path
 * against a temporary database: the drafts of the obligations a ticket
 * opens, to every admin, each an event; 第一報 → 第二報; the fallback to
 * draft.txt; the lessons-learned draft from the timeline; the digest's
 * list of resolved tickets without lessons.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desk/engine.h"
#include "lib/clock.h"
#include "notify/intent.h"
#include "mime/mime.h"
#include "notify/briefing.h"
#include "notify/notify.h"
#include "outbox/render.h"
#include "rules/policy.h"
#include "test.h"

#define CHECKF(cond, ...) do {						\
	char what_[400];						\
	snprintf(what_, sizeof what_, __VA_ARGS__);			\
	test_result(!!(cond), __FILE__, __LINE__, what_);		\
} while (0)

static char dir[] = "/tmp/ib-test-templates-XXXXXX";
static char templates[1024];
static struct config cfg;
static struct store *st;
static time_t now;

/* APPI enforcement rules art. 8(1) 1–9, in this order and wording. */
static const char *const ppc_items[] = {
	"概要",
	"漏えい等が発生し、又は発生したおそれがある個人データの項目",
	"漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
	"原因",
	"二次被害又はそのおそれの有無及びその内容",
	"本人への対応の実施状況",
	"公表の実施状況",
	"再発防止のための措置",
	"その他参考となる事項",
};

/* Art. 10: the items of art. 8(1) 1, 2, 4, 5 and 9 for the notice to the individuals. */
static const char *const art10_items[] = {
	"概要",
	"漏えい等が発生し、又は発生したおそれがある個人データの項目",
	"原因",
	"二次被害又はそのおそれの有無及びその内容",
	"その他参考となる事項",
};

/* The customary form of 「…に関するお詫びとお知らせ」. */
static const char *const publication_parts[] = {
	"お客様各位", "に関するお詫びとお知らせ", "経緯", "漏えい状況", "お客様へのお願い",
	"再発防止策", "お問い合わせ窓口", "以上",
};

/* Policy 8 (1)(2): what the lessons-learned document holds. */
static const char *const lessons_parts[] = {
	"インシデントの説明", "修復アクション", "関連する修正プロセス", "システムコントロール",
	"再発防止計画", "技術的側面", "組織的側面", "良かった点", "不備", "タイムライン",
};

static void load_config(void)
{
	char path[1200];
	struct error err = { 0 };
	FILE *f;

	snprintf(path, sizeof path, "%s/bot.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "database = \"incidents.db\"\n"
		"templates = \"%s\"\n"
		"imap { url = \"imaps://127.0.0.1:1/INBOX\" user = \"bot@example.com\""
		" password_file = \"imap\" }\n"
		"smtp { url = \"smtp://127.0.0.1:1\" from = \"bot@example.com\" }\n"
		"person \"sysadmin\" { name = \"北垣 剛志\" email = \"admin1@example.com\""
		" phone = \"070-0000-0000\" roles = {\"admin\"} }\n"
		"person \"ecadmin\" { name = \"伊藤 佳彦\" email = \"admin2@example.com\""
		" roles = {\"admin\"} }\n"
		"person \"president\" { name = \"渡部 正行\" email = \"ceo@example.com\""
		" roles = {\"management\"} }\n", templates);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, &err), 0, "the configuration loads (contacts: the policy's)");
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

/* tmpl rendered with v: a value read back as a template author reads it. */
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

/* Whether every item occurs in text after the one before it; *first_missing names the first that does not. */
static bool in_order(const char *text, const char *const *items, size_t n, const char **first_missing)
{
	const char *p = text;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *at = strstr(p, items[i]);

		if (!at) {
			*first_missing = items[i];
			return false;
		}
		p = at + strlen(items[i]);
	}
	*first_missing = NULL;
	return true;
}

static size_t non_ascii(const char *s, const char *end)
{
	size_t n = 0;

	for (; s < end; s++)
		n += (unsigned char)*s >= 0x80;
	return n;
}

/* Japanese first, English second: the part after the "----" line starts in English. */
static void check_languages(const char *name, const char *what, const char *body)
{
	const char *sep = strstr(body, "\n----\n"), *line, *eol;
	bool english = false;

	CHECKF(sep && non_ascii(body, sep) > 60, "%s (%s): Japanese text before the \"----\" line",
	       name, what);
	if (!sep)
		return;
	line = sep + 6;
	eol = strchr(line, '\n');
	if (!eol)
		eol = line + strlen(line);
	/* the line opens with the template's own English words (values may be Japanese) */
	english = eol - line >= 4 && ((*line >= 'A' && *line <= 'Z') || (*line >= 'a' && *line <= 'z')) &&
		  non_ascii(line, line + 4) == 0;
	CHECKF(english, "%s (%s): then the English part", name, what);
	if (!english)
		printf("#   first line after ----: %.*s\n", (int)(eol - line), line);
}

static bool has(const char *text, const char *what)
{
	return text && strstr(text, what) != NULL;
}

/*
 * Issue 13: the part of a draft that goes out as it stands (between its
 * ======== lines) reads like a letter: no policy section number, none of
 * the sample's checklist, note or lessons text, no English label; for the
 * letters to customers, the public, partners and marketplaces also no ISO
 * date and no count without its separator (the PPC reports may keep the
 * obligations' states, as the admins read them).
 */
static void check_letter(const char *name, const char *what, const char *body)
{
	static const char *const internal[] = {
		"規程", "policy 7", "unknown", "被害の詳細と稼働状況を確認する", "漏洩経路を封じ込める",
		"受注管理画面への不正ログインを確認", "パスワードの使い回し", "[translate]",
	};
	const char *from = body ? strstr(body, "（ここから）") : NULL;
	const char *to = from ? strstr(from, "（ここまで）") : NULL;
	bool ppc = strncmp(name, "draft-ppc-", 10) == 0;
	char *letter;
	size_t i;

	if (strcmp(name, "draft.txt") == 0 || strcmp(name, "draft-ppc-assess.txt") == 0)
		return;		/* material and a memo for the admins, no letter */
	if (strcmp(name, "draft-circulation.txt") == 0)
		return;		/* to the employees: the plan and the policy are the point (8(3)) */
	CHECKF(from && to, "%s (%s): the letter is between its ======== lines", name, what);
	if (!from || !to || !(letter = strndup(from, (size_t)(to - from))))
		return;
	for (i = 0; i < sizeof internal / sizeof *internal; i++)
		CHECKF(!has(letter, internal[i]), "%s (%s): the letter has no 「%s」", name, what,
		       internal[i]);
	if (!ppc) {
		bool iso = false, bare = has(letter, "1200");

		for (const char *p = letter; *p && !iso; p++)
			iso = strspn(p, "0123456789") == 4 && p[4] == '-' &&
			      strspn(p + 5, "0123456789") == 2 && p[7] == '-';
		CHECKF(!iso, "%s (%s): the letter has no ISO date", name, what);
		CHECKF(!bare, "%s (%s): the letter writes 1,200, not 1200", name, what);
	}
	free(letter);
}

/* The checks of one notice draft rendered with v. */
static void check_draft(const char *name, bool full, const struct tvars *v, const char *subject,
			const char *body)
{
	const char *what = full ? "full data" : "empty data", *missing = NULL;
	char due[64];

	snprintf(due, sizeof due, "%s", r(v, "{{draft_due}}"));
	check_letter(name, what, body);
	CHECKF(has(subject, "[INC-2026-0001]"), "%s (%s): the subject carries the ticket tag", name,
	       what);
	CHECKF(has(body, "INC-2026-0001"), "%s (%s): so does the body", name, what);
	CHECKF(strlen(due) == 16 && has(body, due) && has(body, "期限"),
	       "%s (%s): the deadline %s is in the body", name, what, due);
	/* the circulation (policy 8(3)) announces a written plan: nothing is
	 * left to find out about the incident by then */
	if (!full && strcmp(name, "draft-circulation.txt") != 0)
		CHECKF(has(body, "まだ分からないこと") && has(body, "/affected") && has(body, "/type"),
		       "%s (%s): it lists what is still missing (type, affected, …)", name, what);
	if (strcmp(name, "draft-ppc-preliminary.txt") == 0 ||
	    strcmp(name, "draft-ppc-final.txt") == 0) {
		const char *body_start = strstr(body, "本文（ここから）");

		CHECKF(body_start && in_order(body_start, ppc_items, 9, &missing),
		       "%s (%s): the nine items of APPI rules art. 8(1) in order", name, what);
		if (body_start && missing)
			printf("#   missing or out of order: %s\n", missing);
		CHECKF(has(body, "漏えい等報告フォーム") && has(body, "Word") &&
		       has(body, "報告には使えません"),
		       "%s (%s): names the online report form, not the Word form", name, what);
		CHECKF(has(body, "TEL 03-6457-9685"), "%s (%s): the PPC's phone from contacts.ppc_phone",
		       name, what);
		CHECKF(full ? has(body, "1200 人") : has(body, "本人の数\n   未確認"),
		       "%s (%s): the number of people %s", name, what,
		       full ? "from affected" : "is 「未確認」");
		CHECKF(full ? has(body, "本人への通知: 未実施") || has(body, "本人への通知: 実施済み") ||
			      has(body, "本人への通知: 不要") || has(body, "本人への通知: 対象外")
			    : has(body, "本人への通知: 未確認"),
		       "%s (%s): 本人への対応 from the individuals obligation", name, what);
		if (strstr(name, "preliminary"))
			CHECKF(has(body, "報告時点で把握している内容"),
			       "%s (%s): says it holds what is known at the time", name, what);
	}
	if (strcmp(name, "draft-individuals.txt") == 0) {
		const char *body_start = strstr(body, "本文（ここから）");

		CHECKF(body_start && in_order(body_start, art10_items, 5, &missing),
		       "%s (%s): the five items of APPI rules art. 10 in order", name, what);
	}
	if (strcmp(name, "draft-publication.txt") == 0) {
		CHECKF(in_order(body, publication_parts, 8, &missing),
		       "%s (%s): お客様各位, 経緯, 漏えい状況, お願い, 再発防止策, 窓口, 以上", name, what);
		if (missing)
			printf("#   missing or out of order: %s\n", missing);
		CHECKF(has(subject, "第一報") && has(body, "（第一報）"), "%s (%s): 第一報", name, what);
	}
	if (strcmp(name, "draft-amazon.txt") == 0) {
		CHECKF(has(body, "Amazon の書面による依頼がない限り、Amazon に代わって規制当局") &&
		       has(body, "on Amazon's behalf") && has(body, "確認（審査・承認）"),
		       "%s (%s): the on-behalf reminder (policy 7-4), and that Amazon may review",
		       name, what);
		CHECKF(has(body, "3p-security@amazon.com"), "%s (%s): the address from contacts.amazon",
		       name, what);
	}
	if (strcmp(name, "draft-aws.txt") == 0)
		CHECKF(has(body, "宛先:     未設定"), "%s (%s): contacts.aws is empty: 未設定", name,
		       what);
	if (strcmp(name, "draft-rakuten.txt") == 0)
		CHECKF(has(body, "050-5533-1899"), "%s (%s): the number from contacts.rakuten_phone",
		       name, what);
	if (strcmp(name, "draft-yahoo.txt") == 0)
		CHECKF(has(body, "https://support.yahoo-net.jp/form/s/PccDeveloper"),
		       "%s (%s): the form from contacts.yahoo_form", name, what);
	if (strcmp(name, "draft-ppc-assess.txt") == 0)
		CHECKF(has(body, "7 条 1 号") && has(body, "7 条 2 号") && has(body, "7 条 3 号") &&
		       has(body, "7 条 4 号") &&
		       (full ? has(body, "該当（1200 人）") : has(body, "未確認（人数が分かれば")),
		       "%s (%s): the four cases of art. 7 with what the ticket shows", name, what);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.txt and *.html in the folder, for a ticket with full and with empty data. */
static void test_every_template(void)
{
	DIR *d = opendir(templates);
	struct dirent *de;
	char *names[200];
	size_t n = 0, i;
	int drafts = 0, rendered = 0, k;

	CHECK(d != NULL, "the templates folder opens");
	if (!d)
		return;
	while ((de = readdir(d)) && n < 200)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		const char *name = names[i];
		size_t len = strlen(name);
		bool html = len > 5 && strcmp(name + len - 5, ".html") == 0;
		/* a notice draft; drafts.txt is the mail that carries them */
		bool draft = strncmp(name, "draft-", 6) == 0 || strcmp(name, "draft.txt") == 0;
		int full;

		if (!html && !(len > 4 && strcmp(name + len - 4, ".txt") == 0))
			continue;
		if (strncmp(name, "digest.", 7) == 0)
			continue;	/* its own variables: test_digest */
		CHECKF(notify_template_used(name), "%s: a mail uses it", name);
		drafts += draft;
		for (full = 1; full >= 0; full--) {
			const char *what = full ? "full data" : "empty data";
			struct tvars *v = notify_sample_vars(&cfg, name, full, now);
			struct error err = { 0 };
			char *subject = NULL, *body = NULL;
			int rc;

			rc = !v ? -1 : html ? render_html(templates, name, v, &body, &err)
					    : render_mail(templates, name, v, &subject, &body, &err);
			CHECKF(rc == 0, "%s renders for a ticket with %s", name, what);
			if (rc < 0)
				printf("#   %s\n", err.msg);
			if (rc == 0 && !html) {
				rendered++;
				check_languages(name, what, body);
				if (draft)
					check_draft(name, full, v, subject, body);
				if (strcmp(name, "lessons.txt") == 0 && full) {
					const char *missing;

					CHECKF(in_order(body, lessons_parts, 10, &missing),
					       "lessons.txt: the sections of policy 8 in order");
					CHECK(has(body, "状態の変更") && has(body, "メモ") &&
					      has(body, "対応の記録") && has(body, "パスワードを変更した"),
					      "lessons.txt: the timeline lists status changes, notes, obligations done");
					CHECK(has(body, "期限内に実施") && has(body, "過ぎて実施"),
					      "lessons.txt: what went well and badly, from the due and done times");
				}
				if (getenv("IB_DUMP") && strstr(name, getenv("IB_DUMP")))
					printf("# ---- %s (%s)\nSubject: %s\n\n%s\n", name, what, subject,
					       body);
			}
			free(subject);
			free(body);
			tvars_free(v);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	CHECKF(rendered >= 2 * 20, "every mail template rendered twice (%d)", rendered);
	CHECKF(drafts >= OBL_COUNT - 1, "a draft template per notice (%d)", drafts);
	for (k = 0; k < OBL_COUNT; k++) {
		char path[1200];

		if (!obligation_is_notice(k))
			continue;	/* the recovery target (policy 6(3)) is nobody's notice */
		snprintf(path, sizeof path, "%s/draft-%s.txt", templates, obligation_name(k));
		CHECKF(access(path, R_OK) == 0, "draft-%s.txt exists (notify_draft picks it)",
		       obligation_name(k));
	}
}

/* A template with an unknown variable or a broken block names its file and line. */
static void test_errors(void)
{
	char bad[1100];
	struct tvars *v = notify_sample_vars(&cfg, "draft-amazon.txt", true, now);
	struct error err = { 0 };
	char *subject = NULL, *body = NULL;

	snprintf(bad, sizeof bad, "%s/bad", dir);
	mkdir(bad, 0700);
	test_write_file(bad, "draft-amazon.txt", "{{! a comment }}\nSubject: [{{ticket_id}}]\n\n"
		   "受付番号 {{ticket_id}}\n期限 {{draft_duee}}\n");
	CHECK(render_mail(bad, "draft-amazon.txt", v, &subject, &body, &err) < 0,
	      "an unknown variable is an error");
	CHECK_STR(err.msg, "template draft-amazon.txt:5: unknown variable \"draft_duee\"",
		  "... naming the file and the line");
	memset(&err, 0, sizeof err);
	test_write_file(bad, "draft-aws.txt", "Subject: x\n\n{{#if has_aws}}\nAWS\n{{/each}}\n");
	CHECK(render_mail(bad, "draft-aws.txt", v, &subject, &body, &err) < 0,
	      "a block closed by the wrong tag is an error");
	CHECK(has(err.msg, "draft-aws.txt:5:") && has(err.msg, "/each"),
	      "... naming the file and the line");
	memset(&err, 0, sizeof err);
	test_write_file(bad, "draft-yahoo.txt", "Subject: x\n\n{{#if has_yahoo}}\nYahoo\n");
	CHECK(render_mail(bad, "draft-yahoo.txt", v, &subject, &body, &err) < 0 &&
	      has(err.msg, "draft-yahoo.txt:") && has(err.msg, "missing {{/if}}"),
	      "an {{#if}} never closed: file, line and what is missing");
	tvars_free(v);
}

/* ---- the real path: a ticket in a temporary database ---- */

static int64_t open_ticket(unsigned flags, long affected, unsigned *kinds)
{
	struct ticket t = { 0 };
	struct error err = { 0 };
	int64_t id;
	int rc;

	store_ticket_create(st, 2026, now - 3600, "ECサイトの顧客情報が流出", "r@example.com",
			    "報告者", &t, &err);
	id = t.id;
	store_ticket_set_class(st, id, TYPE_DATA_LEAK, PRIORITY_HIGH, SOURCE_EXTERNAL_NOTICE, flags, affected,
			       NULL, &err);
	store_ticket_release(&t);
	store_ticket_get_by_id(st, id, &t, &err);
	rc = engine_sync_obligations(&cfg, st, &t, "bot", now - 3600, &err);
	*kinds = rc < 0 ? 0 : (unsigned)rc;
	store_ticket_release(&t);
	if (err.msg[0])
		printf("# %s\n", err.msg);
	return id;
}

/* The configuration the sender stage renders with (a test's own folder). */
static const struct config *render_cfg = &cfg;

/* The outbox entries of ticket id queued since `from` (an index into its list). */
static size_t outbox(int64_t id, struct outbox_entry **e)
{
	struct error err = { 0 };
	size_t n = 0;

	*e = NULL;
	/* issue 16: the intents as the sender stage renders them after the
	 * intake's commit (the test's transaction goes on afterwards) */
	store_commit(st, &err);
	if (notify_render_pending(render_cfg, st, now, NULL, &err) < 0)
		printf("# notify_render_pending: %s\n", err.msg);
	store_begin(st, &err);
	store_outbox_list(st, id, true, e, &n, &err);
	return n;
}

static size_t count_events(int64_t id, const char *kind)
{
	struct error err = { 0 };
	struct event *ev;
	size_t n, i, c = 0;

	store_event_list(st, id, &ev, &n, &err);
	for (i = 0; i < n; i++)
		c += strcmp(ev[i].kind, kind) == 0;
	store_events_free(ev, n);
	return c;
}

/* The text body of a queued mail, as a mail client shows it. */
static char *body_of(const struct outbox_entry *e)
{
	struct mail m = { 0 };
	struct error err = { 0 };
	char *body = NULL;

	if (mime_parse(e->data, e->len, &m, &err) == 0 && m.body)
		body = strdup(m.body);
	mail_release(&m);
	return body;
}

static void test_store_drafts(void)
{
	struct error err = { 0 };
	struct ticket t = { 0 };
	struct outbox_entry *e;
	unsigned kinds;
	size_t n, i, drafts = 0, to_admins = 0, prelim = 0;
	int64_t id;
	char *body = NULL;

	store_begin(st, &err);
	id = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA) | FLAG_BIT(FLAG_FINANCIAL) |
			 FLAG_BIT(FLAG_AMAZON), 1200, &kinds);
	CHECK(kinds == ((1u << OBL_PPC_PRELIMINARY) | (1u << OBL_PPC_FINAL) | (1u << OBL_INDIVIDUALS) |
			(1u << OBL_CONSULTATION_DESK) | (1u << OBL_PUBLICATION) | (1u << OBL_AMAZON)),
	      "engine_sync_obligations reports the kinds it created as a bit set");
	store_ticket_get_by_id(st, id, &t, &err);
	CHECK_INT(notify_drafts(&cfg, st, &t, NULL, kinds, NULL, now, &err), 0,
		  "notify_drafts queues the drafts of the obligations created");
	n = outbox(id, &e);
	for (i = 0; i < n; i++) {
		struct mail m = { 0 };

		if (strcmp(e[i].kind, "drafts") != 0)
			continue;
		drafts++;
		to_admins += strcmp(e[i].rcpt, "admin1@example.com") == 0 ||
			     strcmp(e[i].rcpt, "admin2@example.com") == 0;
		/* issue 13: the six drafts attached to the one mail, by name */
		if (drafts == 1 && mime_parse(e[i].data, e[i].len, &m, &err) == 0) {
			size_t a;

			prelim = m.n_attachments;
			for (a = 0; a < m.n_attachments; a++)
				if (has(m.attachments[a].filename,
					"INC-2026-0001_個人情報保護委員会への速報.txt"))
					prelim += 100;
			body = m.body ? strdup(m.body) : NULL;
		}
		mail_release(&m);
	}
	CHECK_INT(drafts, 2, "one drafts mail to each admin (issue 13), not one per draft");
	CHECK_INT(to_admins, 2, "... only to the admins (never to an authority or a customer)");
	CHECK_INT(prelim, 106, "... six drafts attached, the PPC report's named for it");
	CHECK(n && has(e[n - 1].subject, "[INC-2026-0001] 通知文の下書き 6 件"),
	      "... with the tag and the count in the subject");
	CHECK(has(body, "個人情報保護委員会への速報") && has(body, "宛先: 個人情報保護委員会") &&
	      has(body, "期限: ") && has(body, "Amazon への通知"),
	      "... and a summary: which notice, for whom, due when");
	free(body);
	body = NULL;
	store_outbox_free(e, n);

	/* /draft NOTICE: the one draft as a mail of its own */
	notify_draft(&cfg, st, &t, OBL_PPC_PRELIMINARY, "admin1@example.com", now, &err);
	n = outbox(id, &e);
	if (n && strcmp(e[n - 1].kind, "draft-ppc-preliminary") == 0)
		body = body_of(&e[n - 1]);
	CHECK(n && has(e[n - 1].subject, "[INC-2026-0001] 下書き: "), "/draft: its own mail, tagged");
	{
		const char *missing;

		CHECK(body && in_order(body, ppc_items, 9, &missing) && has(body, "1200 人") &&
		      has(body, "本人への通知: 未実施（期限 "),
		      "the PPC preliminary draft has the nine items, the people, the notice state");
	}
	free(body);
	store_outbox_free(e, n);
	CHECK_INT(count_events(id, "draft"), 7, "each draft is an event on the timeline");

	/* 第一報 until the first publication is recorded, then 第二報, 第三報 */
	notify_draft(&cfg, st, &t, OBL_PUBLICATION, "admin1@example.com", now, &err);
	store_obligation_close(st, id, "publication", OBLIGATION_DONE, "掲載", "admin1@example.com",
			       now + 60, &err);
	notify_draft(&cfg, st, &t, OBL_PUBLICATION, "admin1@example.com", now + 120, &err);
	notify_draft(&cfg, st, &t, OBL_PUBLICATION, "admin1@example.com", now + 180, &err);
	n = outbox(id, &e);
	CHECK(n >= 3 && has(e[n - 3].subject, "第一報") && has(e[n - 2].subject, "第二報") &&
	      has(e[n - 1].subject, "第三報"),
	      "/draft publication: 第一報, then 第二報 and 第三報 once the first is published");
	CHECK(n >= 1 && strcmp(e[n - 1].rcpt, "admin1@example.com") == 0,
	      "/draft goes to the one who asked");
	store_outbox_free(e, n);

	/* Policy 8: the lessons-learned draft to the owner, from the timeline */
	store_ticket_set_owner(st, id, "admin2@example.com", &err);
	store_event_add(st, id, now + 200, "admin2@example.com", "note",
			"WAF のルールを追加した", &err);
	store_obligation_close(st, id, "amazon", OBLIGATION_DONE, "送付", "admin2@example.com",
			       now + 300, &err);
	store_ticket_release(&t);
	store_ticket_get_by_id(st, id, &t, &err);
	engine_set_status(st, &t, STATUS_RESOLVED, "admin2@example.com", now + 400, &err);
	CHECK_INT(notify_lessons(&cfg, st, &t, now + 400, &err), 0, "notify_lessons queues");
	n = outbox(id, &e);
	body = n ? body_of(&e[n - 1]) : NULL;
	CHECK(n && strcmp(e[n - 1].kind, "lessons-draft") == 0 &&
	      strcmp(e[n - 1].rcpt, "admin2@example.com") == 0,
	      "the lessons-learned draft goes to the owner");
	CHECK(has(body, "WAF のルールを追加した") && has(body, "状態の変更") &&
	      has(body, "→ resolved") && has(body, "Amazon への通知 (24 時間以内): 実施済み"),
	      "... with the notes, the status changes and the obligations done, from the timeline");
	CHECK(has(body, "Amazon への通知 (24 時間以内): 期限内に実施"),
	      "... and what went well (an obligation done in time)");
	free(body);
	store_outbox_free(e, n);
	store_ticket_release(&t);
	store_commit(st, &err);
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

/* Counts t's outbox entries of kind to rcpt (NULL: anybody); urgent: those marked so. */
static int queued(struct outbox_entry *e, size_t n, const char *kind, const char *rcpt,
		  int *urgent)
{
	size_t i;
	int c = 0;

	for (i = 0; i < n; i++)
		if (strcmp(e[i].kind, kind) == 0 && (!rcpt || strcmp(e[i].rcpt, rcpt) == 0)) {
			c++;
			if (urgent)
				*urgent += e[i].data && strstr(e[i].data, "\r\nImportance: high\r\n") &&
					   strstr(e[i].data, "\r\nX-Priority: 1\r\n");
		}
	return c;
}

/*
 * Issue 13: the obligations of one timer pass go out as one mail per
 * person — reminders to the owner, overdue ones to management and every
 * admin — nearest first, the overdue mail urgent.
 */
static void test_store_due(void)
{
	struct error err = { 0 };
	struct ticket t = { 0 };
	struct obligation *obl = NULL;
	struct outbox_entry *e;
	struct due_item items[3];
	size_t n_obl = 0, n;
	unsigned kinds;
	int64_t id;
	int urgent = 0;
	char *body;

	store_begin(st, &err);
	id = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA), 100, &kinds);
	store_ticket_set_owner(st, id, "admin1@example.com", &err);
	store_ticket_get_by_id(st, id, &t, &err);
	store_obligation_list(st, id, &obl, &n_obl, &err);
	CHECK(n_obl >= 3, "the ticket has three obligations or more");
	if (n_obl < 3)
		goto done;
	items[0] = (struct due_item){ &obl[0], 0 };
	items[1] = (struct due_item){ &obl[1], 0 };
	items[2] = (struct due_item){ &obl[2], 0 };
	CHECK_INT(notify_due(&cfg, st, &t, items, 3, now, &err), 0, "notify_due: three reminders");
	n = outbox(id, &e);
	CHECK_INT(queued(e, n, "reminder", NULL, NULL), 1, "... one mail in all");
	CHECK_INT(queued(e, n, "reminder", "admin1@example.com", &urgent), 1, "... to the owner");
	CHECK_INT(urgent, 0, "... not marked urgent");
	body = n ? body_of(&e[n - 1]) : NULL;
	CHECK(n && has(e[n - 1].subject, "【残り") && has(e[n - 1].subject, "ほか 2 件"),
	      "... its subject: the time left, and two more");
	CHECK(has(body, obligation_label(obligation_from_name(obl[2].kind))),
	      "... its body lists the last one too");
	free(body);
	store_outbox_free(e, n);

	items[1].overdue_stage = 2;
	CHECK_INT(notify_due(&cfg, st, &t, items, 3, now, &err), 0,
		  "notify_due: one overdue, two reminders");
	n = outbox(id, &e);
	urgent = 0;
	CHECK_INT(queued(e, n, "overdue", "admin1@example.com", &urgent) +
		  10 * queued(e, n, "overdue", "admin2@example.com", &urgent) +
		  100 * queued(e, n, "overdue", "ceo@example.com", &urgent), 111,
		  "... one overdue mail each to the owner, the other admin and management");
	CHECK_INT(urgent, 3, "... each with Importance: high and X-Priority: 1");
	CHECK_INT(queued(e, n, "reminder", NULL, NULL), 1,
		  "... the owner's reminders ride in the overdue mail (no second mail)");
	store_outbox_free(e, n);
done:
	store_obligations_free(obl, n_obl);
	store_ticket_release(&t);
	store_commit(st, &err);
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

/* A notice without its own template falls back to draft.txt. */
static void test_fallback(void)
{
	char only[1100], src[1200], *text;
	struct config c = cfg;
	struct error err = { 0 };
	struct ticket t = { 0 };
	struct outbox_entry *e;
	unsigned kinds;
	size_t n, len;
	int64_t id;
	FILE *f;

	snprintf(only, sizeof only, "%s/only", dir);
	mkdir(only, 0700);
	snprintf(src, sizeof src, "%s/draft.txt", templates);
	f = fopen(src, "r");
	text = calloc(1, 65536);
	len = f ? fread(text, 1, 65535, f) : 0;
	if (f)
		fclose(f);
	CHECK(len > 0, "draft.txt exists: the fallback of a notice without its own template");
	test_write_file(only, "draft.txt", text);
	free(text);
	c.templates = only;
	render_cfg = &c;
	store_begin(st, &err);
	id = open_ticket(FLAG_BIT(FLAG_AWS), -1, &kinds);
	store_ticket_get_by_id(st, id, &t, &err);
	CHECK_INT(notify_draft(&c, st, &t, OBL_AWS, "admin1@example.com", now, &err), 0,
		  "a draft with only draft.txt in the folder");
	n = outbox(id, &e);
	CHECK(n && has(e[n - 1].subject, "下書き: AWS への通知") &&
	      has(e[n - 1].subject, "Draft: aws"), "... is rendered from draft.txt");
	store_outbox_free(e, n);
	store_ticket_release(&t);
	store_commit(st, &err);
	render_cfg = &cfg;
}

/* The digest lists the resolved tickets without their lessons-learned document (policy 8). */
static void test_digest(void)
{
	struct error err = { 0 };
	struct tvars *v = NULL;
	unsigned kinds;
	int64_t with;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	store_begin(st, &err);
	with = open_ticket(0, -1, &kinds);
	store_ticket_set_status(st, with, STATUS_RESOLVED, now, &err);
	store_ticket_set_lessons(st, with, "対策済み", &err);
	store_commit(st, &err);
	CHECK_INT(briefing_vars(&cfg, st, now + 3600, 0, &v, &err), 0, "the digest's variables");
	if (v) {
		CHECK_STR(r(v, "{{#each no_lessons}}{{ticket_id}} {{/each}}"), "INC-2026-0001 ",
			  "no_lessons: the resolved ticket without lessons, not the one with");
		CHECK_STR(r(v, "{{no_lessons_count}}/{{resolved_count}}"), "1/2",
			  "... counted apart from all resolved ones");
	}
	tvars_free(v);
	f = open_memstream(&text, &len);
	CHECK_INT(briefing_print(&cfg, st, now + 3600, 0, false, f, &err), 0, "digest.txt renders");
	fclose(f);
	CHECK(has(text, "再発防止文書（規程 8）が未登録: 1 件") && has(text, "INC-2026-0001"),
	      "... listing the resolved ticket without lessons");
	free(text);
	CHECK_INT(briefing_check(&cfg, now, &err), 0, "digest.txt and digest.html render in check-config");
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

int main(void)
{
	char db[1200], cwd[512];
	struct error err = { 0 };

	if (!mkdtemp(dir) || !getcwd(cwd, sizeof cwd))
		return 1;
	clock_set_zone("Asia/Tokyo");
	clock_parse("2026-11-28T10:00:00+09:00", &now);
	{
		const char *tdir = getenv("IB_TEMPLATES") ? getenv("IB_TEMPLATES") : "templates";

		snprintf(templates, sizeof templates, "%s%s%.400s", tdir[0] == '/' ? "" : cwd,
			 tdir[0] == '/' ? "" : "/", tdir);
	}
	load_config();
	snprintf(db, sizeof db, "%s/incidents.db", dir);
	if (store_open(db, &st, &err) < 0) {
		printf("# %s\n", err.msg);
		return 1;
	}
	test_every_template();
	test_errors();
	test_store_drafts();
	test_store_due();
	test_fallback();
	test_digest();
	store_close(st);
	config_release(&cfg);
	{
		char cmd[1200];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return test_done();
}
