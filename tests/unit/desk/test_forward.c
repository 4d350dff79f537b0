/*
 * test_forward.c — people's words reach people (desk/forward.h, issue 13):
 * who gets them (the pure forward_recipients), then over a temporary
 * database through the pipeline: follow-ups of one pass in one mail per
 * recipient, nothing twice, the owner alone once there is one, never the
 * writer, no command mail, a machine's mail never, management's question
 * about no ticket to the admins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk/forward.h"
#include "desk/pipeline.h"
#include "lib/clock.h"
#include "notify/notify.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-forward-XXXXXX";
static struct store *st;
static struct config cfg;
static struct person persons[] = {
	{ "sysadmin", "北垣 剛志", "tkita@example.com", "070-0000-0000", ROLE_ADMIN },
	{ "ecadmin", "伊藤 佳彦", "y.ito@example.com", NULL, ROLE_ADMIN },
	{ "president", "渡部 正行", "ceo@example.com", NULL, ROLE_MANAGEMENT },
};

static time_t now = 1795651200;	/* 2026-11-26T09:00:00+09:00 */
static uint32_t uid = 100;

/* One pass over raws: the pipeline, then the forwarding; returns the mails forwarded. */
static size_t pass(const char *const *raws, size_t n)
{
	struct mail_raw msgs[8] = { 0 };
	struct pipeline_stats stats = { 0 };
	struct error err = { 0 };
	size_t i, mails = 0;

	for (i = 0; i < n; i++) {
		msgs[i].uid = uid++;
		msgs[i].raw = (char *)raws[i];
		msgs[i].len = strlen(raws[i]);
	}
	if (n && pipeline_process(&cfg, st, msgs, n, 42, now, &stats, &err) < 0)
		printf("# pipeline_process: %s\n", err.msg);
	if (forward_words(&cfg, st, now, &mails, &err) < 0)
		printf("# forward_words: %s\n", err.msg);
	now += 60;
	return mails;
}

/* The forwarded mails queued since row `after`: how many, and to whom (", "-joined). */
static size_t forwarded(int64_t *after, char *to, size_t len)
{
	struct outbox_entry *e;
	struct error err;
	size_t n, i, k = 0;

	to[0] = '\0';
	if (store_outbox_list(st, 0, false, &e, &n, &err) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (e[i].id <= *after)
			continue;
		*after = e[i].id;
		if (strcmp(e[i].kind, "followup") != 0)
			continue;
		snprintf(to + strlen(to), len - strlen(to), "%s%s", k++ ? ", " : "", e[i].rcpt);
	}
	store_outbox_free(e, n);
	return k;
}

static void recipients(const char *owner, const char *sender, const char *want)
{
	const char *to[4];
	char got[200] = "", what[200];
	size_t i, n = forward_recipients(&cfg, owner, sender, to, 4);

	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? ", " : "", to[i]);
	snprintf(what, sizeof what, "words of %s, owner %s → %s", sender ? sender : "(nobody)",
		 owner ? owner : "none", want);
	CHECK_STR(got, want, what);
}

#define HEAD(from, subject, id) \
	"From: " from "\r\nTo: incident@example.com\r\nSubject: " subject "\r\n" \
	"Date: Thu, 26 Nov 2026 09:00:00 +0900\r\nMessage-ID: <" id ">\r\n" \
	"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" \
	"Content-Transfer-Encoding: 8bit\r\n"

int main(void)
{
	struct error err = { 0 };
	struct ticket t;
	char path[256], to[400];
	int64_t seen = 0;
	const char *report[] = {
		HEAD("山田 花子 <yamada@example.com>", "DB sabaa ni fusei access", "r1@example.com")
		"\r\n本日9時ごろ、受注DBサーバーに不正アクセスの疑いがあります。\r\n",
	};
	const char *two[] = {
		HEAD("yamada@example.com", "Re: [INC-2026-0001] x", "f1@example.com")
		"\r\n楽天・Yahoo の注文も同じ DB にあります\r\n\r\n> 引用された元の報告\r\n",
		HEAD("yamada@example.com", "Re: [INC-2026-0001] x", "f2@example.com")
		"\r\n8:55 に管理者ログイン成功\r\n",
	};
	const char *command[] = {
		HEAD("tkita@example.com", "Re: [INC-2026-0001] x", "c1@example.com")
		"\r\n/note 調査中\r\n",
	};
	const char *colleague[] = {
		HEAD("suzuki@example.com", "Re: [INC-2026-0001] x", "k1@example.com")
		"\r\n私の端末でも同じ警告が出ました\r\n",
	};
	const char *owner_writes[] = {
		HEAD("y.ito@example.com", "Re: [INC-2026-0001] x", "o1@example.com")
		"\r\n了解、対応します\r\n",
	};
	const char *autoreply[] = {
		HEAD("yamada@example.com", "Re: [INC-2026-0001] x", "a1@example.com")
		"Auto-Submitted: auto-replied\r\n\r\n不在です\r\n",
	};

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
	cfg.limits.replies_per_hour = 5;
	cfg.limits.replies_per_domain = 20;
	cfg.limits.replies_outside = 100;

	recipients(NULL, "yamada@example.com", "tkita@example.com, y.ito@example.com");
	recipients("", "ceo@example.com", "tkita@example.com, y.ito@example.com");
	recipients(NULL, "TKITA@example.com", "y.ito@example.com");
	recipients("y.ito@example.com", "yamada@example.com", "y.ito@example.com");
	recipients("y.ito@example.com", "Y.Ito@example.com", "");
	recipients("outside-owner@example.net", NULL, "outside-owner@example.net");

	CHECK_INT(pass(report, 1), 0, "a new report is no forwarded words (it has its alarm)");
	forwarded(&seen, to, sizeof to);
	CHECK_INT(pass(two, 2), 2, "two follow-ups in one pass: one mail for each of the two admins");
	CHECK_INT(forwarded(&seen, to, sizeof to), 2, "... two forwarded mails queued");
	CHECK_STR(to, "tkita@example.com, y.ito@example.com", "... to the admins (nobody owns it)");
	CHECK_INT(pass(NULL, 0), 0, "the next pass forwards nothing again");

	CHECK_INT(pass(command, 1), 0, "an admin's command mail is not forwarded (it gets a result)");
	forwarded(&seen, to, sizeof to);

	if (store_ticket_get(st, "INC-2026-0001", &t, &err) == 1) {
		store_ticket_set_owner(st, t.id, "y.ito@example.com", &err);
		store_ticket_release(&t);
	}
	CHECK_INT(pass(colleague, 1), 1, "a colleague's addition: one mail");
	CHECK_INT(forwarded(&seen, to, sizeof to), 1, "... queued once");
	CHECK_STR(to, "y.ito@example.com", "... to the owner alone");
	CHECK_INT(pass(owner_writes, 1), 0, "the owner's own words go to nobody");
	CHECK_INT(pass(autoreply, 1), 0, "an out-of-office reply is never forwarded");

	/* management answers a mail about no ticket (here a periodic reminder) */
	{
		struct outbox_entry *e;
		size_t n, i;
		char raw[600];
		const char *one[1] = { raw };
		const char *msgid = NULL;

		if (store_begin(st, &err) == 0 &&
		    notify_review(&cfg, st, "risk", "リスク評価", NULL, now - 400 * 86400, now, now,
				  &err) == 0)
			store_commit(st, &err);
		store_outbox_list(st, 0, false, &e, &n, &err);
		for (i = 0; i < n; i++)
			if (strcmp(e[i].kind, "review") == 0)
				msgid = e[i].message_id;
		snprintf(raw, sizeof raw, HEAD("ceo@example.com", "Re: review", "q1@example.com")
			 "In-Reply-To: <%s>\r\n\r\n先週の件はどうなっていますか\r\n", msgid ? msgid : "");
		forwarded(&seen, to, sizeof to);
		CHECK_INT(pass(one, 1), 2, "management's reply about no ticket: a question to each admin");
		CHECK_INT(forwarded(&seen, to, sizeof to), 2, "... two mails");
		CHECK_STR(to, "tkita@example.com, y.ito@example.com", "... to the admins");
		store_outbox_free(e, n);
	}

	store_close(st);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return test_done();
}
