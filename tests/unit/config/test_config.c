/* test_config.c — configuration loading, validation and secret files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-config-XXXXXX";

static const char smallest[] =
	"database  = \"state/incidents.db\"\n"
	"templates = \"templates\"\n"
	"language  = \"ja\"\n"
	"timezone  = \"Asia/Tokyo\"\n"
	"\n"
	"imap {\n"
	"  url              = \"imaps://127.0.0.1:10993/INBOX\"   # imap:// uses STARTTLS\n"
	"  user             = \"incident@example.com\"\n"
	"  password_file    = \"secrets/imap\"\n"
	"  ca_file          = \"certs/ca.pem\"\n"
	"  processed_folder = \"Processed\"\n"
	"  idle             = true\n"
	"  poll_interval    = 60\n"
	"}\n"
	"\n"
	"smtp {\n"
	"  url           = \"smtp://127.0.0.1:10025\"             # smtps:// for implicit TLS\n"
	"  starttls      = true\n"
	"  user          = \"incident@example.com\"                # optional\n"
	"  password_file = \"secrets/smtp\"                        # optional\n"
	"  ca_file       = \"certs/ca.pem\"\n"
	"  from          = \"incident@example.com\"\n"
	"  from_name     = \"セキュリティインシデント窓口\"\n"
	"}\n"
	"\n"
	"person \"sysadmin\"  { name = \"北垣 剛志\" email = \"tkita@example.com\" phone = \"070-0000-0000\" roles = {\"admin\"} }\n"
	"person \"ecadmin\"   { name = \"伊藤 佳彦\" email = \"y.ito@example.com\"  roles = {\"admin\"} }\n"
	"person \"president\" { name = \"渡部 正行\" email = \"ceo@example.com\"    roles = {\"management\"} }\n";

static char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Loads text as a config; returns rc and leaves the error in *err. */
static int load(const char *text, struct config *cfg, struct error *err)
{
	memset(err, 0, sizeof *err);
	return config_load(write_file("test.conf", text, 0644), cfg, err);
}

/* The smallest config with one line replaced (by its start) by another. */
static char *variant(const char *line_start, const char *replacement)
{
	static char buf[8192];
	const char *p = strstr(smallest, line_start), *eol;

	if (!p)
		return NULL;
	eol = strchr(p, '\n');
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - smallest), smallest, replacement, eol);
	return buf;
}

static void test_smallest(void)
{
	struct config cfg;
	struct error err;
	char want[600];
	const struct person *p;

	CHECK_INT(load(smallest, &cfg, &err), 0, "the smallest configuration of SPEC 8 loads");
	if (err.msg[0])
		printf("# %s\n", err.msg);
	CHECK_STR(cfg.imap.host, "127.0.0.1", "imap host from the URL");
	CHECK_INT(cfg.imap.port, 10993, "imap port from the URL");
	CHECK(cfg.imap.implicit_tls, "imaps:// is implicit TLS");
	CHECK_STR(cfg.imap.mailbox, "INBOX", "mailbox from the URL path");
	snprintf(want, sizeof want, "%s/state/incidents.db", dir);
	CHECK_STR(cfg.database, want, "relative paths are relative to the file");
	snprintf(want, sizeof want, "%s/secrets/imap", dir);
	CHECK_STR(cfg.imap.password_file, want, "password file resolved");
	CHECK_INT(cfg.n_persons, 3, "three persons");
	p = config_find_person(&cfg, "TKITA@example.com");
	CHECK(p && (p->roles & ROLE_ADMIN), "person lookup is case-insensitive, role admin");
	CHECK_STR(p ? p->phone : NULL, "070-0000-0000", "phone kept");
	p = config_find_person(&cfg, "ceo@example.com");
	CHECK(p && p->roles == ROLE_MANAGEMENT, "management role");
	CHECK_STR(config_mail_domain(&cfg), "example.com", "mail domain of smtp.from");
	CHECK_INT(cfg.imap.poll_interval, 60, "poll interval");
	CHECK_INT(cfg.fetch_batch, 200, "default fetch batch");
	CHECK_INT(cfg.limits.max_message_size, 26214400, "no limits section: max_message_size 25 MiB");
	CHECK_INT(cfg.limits.replies_per_hour, 5, "no limits section: 5 replies per mailbox and hour (issue 14)");
	CHECK_INT(cfg.limits.replies_per_domain, 20, "... 20 per outside domain");
	CHECK_INT(cfg.limits.replies_outside, 100, "... 100 to all outside senders");
	CHECK_STR(cfg.smtp.charset, "utf-8", "smtp.charset defaults to utf-8");
	config_release(&cfg);
}

static void test_charset(void)
{
	static const struct {
		const char *value, *want;
	} ok[] = {
		{ "utf-8", "utf-8" },
		{ "iso-2022-jp", "iso-2022-jp" },
		{ "ISO-2022-JP", "iso-2022-jp" },
		{ "UTF-8", "utf-8" },
	};
	/* the charset line replaces from_name, line 23 of the file */
	static const char *const bad[] = { "shift_jis", "iso-2022-jp-2", "utf8", "", "iso-2022-jp " };
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct config cfg;
		struct error err;
		char line[100], what[200];

		snprintf(line, sizeof line, "  charset = \"%s\"", ok[i].value);
		snprintf(what, sizeof what, "smtp.charset \"%s\" loads", ok[i].value);
		CHECK_INT(load(variant("  from_name", line), &cfg, &err), 0, what);
		if (err.msg[0])
			printf("#   %s\n", err.msg);
		snprintf(what, sizeof what, "  kept as \"%s\"", ok[i].want);
		CHECK_STR(cfg.smtp.charset, ok[i].want, what);
		config_release(&cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config cfg;
		struct error err;
		char line[100], what[200];
		const char *want = "test.conf:23: smtp.charset: \"";
		int rc;

		snprintf(line, sizeof line, "  charset = \"%s\"", bad[i]);
		rc = load(variant("  from_name", line), &cfg, &err);
		snprintf(what, sizeof what, "smtp.charset \"%s\" refused", bad[i]);
		CHECK(rc < 0 && err.cls == ERR_FATAL, what);
		CHECK(strstr(err.msg, want) && strstr(err.msg, "iso-2022-jp\" for old Japanese"),
		      "  the message names file, line and key, and says what to use");
		if (!strstr(err.msg, want))
			printf("#   got: %s\n", err.msg);
		if (rc == 0)
			config_release(&cfg);
	}
}

/* The smallest config with text inserted before the first person line. */
static char *with_limits(const char *section)
{
	static char buf[8192];
	const char *p = strstr(smallest, "person ");

	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - smallest), smallest, section, p);
	return buf;
}

/* what, with its line ends as spaces: one TAP line per check */
static const char *one_line(char *what)
{
	for (char *p = what; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return what;
}

static void test_limits(void)
{
	static const struct {
		const char *section;
		long size, replies;
	} ok[] = {
		{ "limits {\n  max_message_size = 1048576\n  replies_per_sender_per_hour = 3\n}\n",
		  1048576, 3 },
		{ "limits {\n  max_message_size = 65536  # the smallest\n}\n", 65536, 5 },
		{ "limits {\n  replies_per_sender_per_hour = 1000\n}\n", 26214400, 1000 },
		{ "limits { max_message_size = 1073741824 replies_per_sender_per_hour = 1 }\n",
		  1073741824, 1 },
		{ "limits {\n}\n", 26214400, 5 },
	};
	/* the section starts on line 26 of the file (before the first person) */
	static const struct {
		const char *section, *want;
	} bad[] = {
		{ "limits {\n  max_message_size = 65535\n}\n", "test.conf:27: limits.max_message_size: 65535 is out of range" },
		{ "limits {\n  max_message_size = 1073741825\n}\n", "test.conf:27: limits.max_message_size: 1073741825" },
		{ "limits {\n  max_message_size = -1\n}\n", "test.conf:27: limits.max_message_size: -1" },
		{ "limits {\n\n  replies_per_sender_per_hour = 0\n}\n", "test.conf:28: limits.replies_per_sender_per_hour: 0 is out of range (1 to 1000)" },
		{ "limits {\n  replies_per_sender_per_hour = 1001\n}\n", "test.conf:27: limits.replies_per_sender_per_hour: 1001" },
		{ "limits {\n  max_message_size = \"big\"\n}\n", "test.conf:27:" },
		{ "limits {\n  max_size = 100000\n}\n", "test.conf:27:" },
		/* lines after the section are still counted right */
		{ "limits {\n  max_message_size = 65536\n}\nfetch_batch = 0\n", "test.conf:29: fetch_batch" },
		{ "limits { replies_per_sender_per_hour = 5 }\nperson \"x\" { name = \"x\" }\n", "test.conf:27: person \"x\": email is missing" },
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct config cfg;
		struct error err;
		char what[300];

		snprintf(what, sizeof what, "limits loads: %s", ok[i].section);
		CHECK_INT(load(with_limits(ok[i].section), &cfg, &err), 0, one_line(what));
		if (err.msg[0])
			printf("#   %s\n", err.msg);
		snprintf(what, sizeof what, "  max_message_size %ld", ok[i].size);
		CHECK_INT(cfg.limits.max_message_size, ok[i].size, what);
		snprintf(what, sizeof what, "  replies_per_hour %ld", ok[i].replies);
		CHECK_INT(cfg.limits.replies_per_hour, ok[i].replies, what);
		config_release(&cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config cfg;
		struct error err;
		char what[300];
		int rc = load(with_limits(bad[i].section), &cfg, &err);

		snprintf(what, sizeof what, "limits refused: %s", bad[i].section);
		CHECK(rc < 0 && err.cls == ERR_FATAL, one_line(what));
		snprintf(what, sizeof what, "  message names \"%s\"", bad[i].want);
		CHECK(strstr(err.msg, bad[i].want) != NULL, what);
		if (!strstr(err.msg, bad[i].want))
			printf("#   got: %s\n", err.msg);
		if (rc == 0)
			config_release(&cfg);
	}
}

/* Issue 12 point 9: the business calendar's days off and reminder time. */
static void test_calendar(void)
{
	struct config cfg;
	struct error err;

	CHECK_INT(load(with_limits("calendar {\n  holidays = {\"2026-12-29\", \"2028-02-29\"}\n"
				   "  reminder_time = \"09:30\"\n}\n"), &cfg, &err), 0,
		  "calendar loads");
	CHECK_INT(cfg.policy.calendar.n_days_off, 2, "  two days off");
	CHECK_INT(cfg.policy.calendar.days_off[1], 20280229, "  a leap day is a date");
	CHECK_INT(cfg.policy.calendar.reminder_minutes, 570, "  reminded at 09:30");
	config_release(&cfg);
	CHECK_INT(load(with_limits("system \"受注管理\" { keywords = {\"ＯＭＳ\", \"受注管理\"} "
				   "priority = \"high\" max_downtime = \"2d\" }\n"), &cfg, &err), 0,
		  "a system section loads");
	CHECK_INT(cfg.n_systems, 1, "  one system");
	CHECK_STR(cfg.systems[0].keywords[0], "oms", "  its keywords normalised");
	CHECK_INT(cfg.systems[0].max_downtime, 2 * 86400, "  max_downtime 2d in seconds");
	CHECK_INT(cfg.systems[0].priority, PRIORITY_HIGH, "  priority high");
	config_release(&cfg);
	CHECK_INT(load(with_limits(""), &cfg, &err), 0, "no calendar section loads");
	CHECK_INT(cfg.policy.calendar.n_days_off, 0, "  no days off");
	CHECK_INT(cfg.policy.calendar.reminder_minutes, 600, "  reminded at 10:00 by default");
	config_release(&cfg);
}

static void test_errors(void)
{
	static const struct {
		const char *line, *replacement, *want;	/* want: a part of the message */
	} cases[] = {
		{ "language", "language = \"ja\"\nfrobnicate = 1", "test.conf:4:" },
		{ "  idle", "  idel = true", "test.conf:12:" },
		{ "  url              = \"imaps", "  url = \"imapx://host\"", "imap.url: unsupported URL" },
		{ "  url           = \"smtp", "  url = \"http://x\"", "test.conf:17:" },
		{ "  poll_interval", "  poll_interval = -5", "poll_interval" },
		{ "  poll_interval", "  poll_interval = \"often\"", "test.conf:13:" },
		{ "language", "language = \"fr\"", "language" },
		{ "timezone", "timezone = \"Mars/Olympus\"", "unknown zone" },
		{ "  from          =", "  from = \"not an address\"", "not a mail address" },
		{ "person \"ecadmin\"", "person \"ecadmin\" { name = \"x\" email = \"y@example.com\" roles = {\"boss\"} }", "unknown role" },
		{ "person \"ecadmin\"", "person \"ecadmin\" { name = \"x\" }", "email is missing" },
		{ "  user          =", "  # no user", "go together" },
		{ "language", "language = \"ja\"\ndeadline \"amazon\" { due_malicious = \"60d\" }",
		  "due_malicious belongs to deadline \"ppc-final\" only" },
		{ "language", "language = \"ja\"\naware_window = \"soon\"", "aware_window" },
		{ "language", "language = \"ja\"\ncalendar { holidays = {\"2026-02-30\"} }",
		  "calendar.holidays: \"2026-02-30\" is not a date" },
		{ "language", "language = \"ja\"\ncalendar { holidays = {\"12/29\"} }",
		  "calendar.holidays" },
		{ "language", "language = \"ja\"\ncalendar { reminder_time = \"25:00\" }",
		  "reminder_time" },
		{ "language", "language = \"ja\"\nsystem \"OMS\" { priority = \"high\" }",
		  "system \"OMS\": keywords is missing" },
		{ "language", "language = \"ja\"\nsystem \"OMS\" { keywords = {\"oms\"} priority = \"urgent\" }",
		  "priority \"urgent\"" },
		{ "language", "language = \"ja\"\nsystem \"OMS\" { keywords = {\"oms\"} max_downtime = \"1mo\" }",
		  "max_downtime \"1mo\"" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config cfg;
		struct error err;
		char what[200];
		int rc = load(variant(cases[i].line, cases[i].replacement), &cfg, &err);

		snprintf(what, sizeof what, "refused: %s", cases[i].replacement);
		CHECK(rc < 0 && err.cls == ERR_FATAL, what);
		snprintf(what, sizeof what, "message names \"%s\"", cases[i].want);
		CHECK(strstr(err.msg, cases[i].want) != NULL, what);
		if (!strstr(err.msg, cases[i].want))
			printf("#   got: %s\n", err.msg);
		if (rc == 0)
			config_release(&cfg);
	}
}

static void test_secrets(void)
{
	struct error err = { 0 };
	char *secret = NULL, *path;

	path = write_file("secret-ok", "s3cret\n", 0600);
	CHECK_INT(config_read_secret(path, &secret, &err), 0, "a 0600 secret file is read");
	CHECK_STR(secret, "s3cret", "secret without its line end");
	free(secret);

	path = write_file("secret-open", "s3cret\n", 0644);
	CHECK_INT(config_read_secret(path, &secret, &err), -1, "a 0644 secret file is refused");
	CHECK(strstr(err.msg, "chmod 600") != NULL, "the refusal says what to do");
	CHECK(strstr(err.msg, "s3cret") == NULL, "the refusal does not show the secret");
	CHECK(secret == NULL, "no secret returned");

	path = write_file("secret-group", "s3cret\n", 0640);
	CHECK_INT(config_read_secret(path, &secret, &err), -1, "a group-readable secret file is refused");

	CHECK_INT(config_read_secret("/nonexistent/secret", &secret, &err), -1,
		  "a missing secret file is an error");
}

/* Issue 17: imap/smtp auth = "xoauth2" and the oauth2 section. */
static const char oauth2_section[] =
	"oauth2 {\n"
	"  token_url          = \"https://login.microsoftonline.com/TENANT/oauth2/v2.0/token\"\n"
	"  client_id          = \"00000000-1111-2222-3333-444444444444\"\n"
	"  client_secret_file = \"secrets/oauth\"\n"
	"  scope              = \"https://outlook.office365.com/.default\"\n"
	"}\n";

/* smallest with both logins over XOAUTH2 (no password files), plus extra. */
static char *oauth2_conf(const char *extra)
{
	static char buf[8192];
	char *p;

	snprintf(buf, sizeof buf, "%s%s", smallest, extra);
	while ((p = strstr(buf, "  password_file")) != NULL) {
		char *eol = strchr(p, '\n');
		static const char repl[] = "  auth = \"xoauth2\"";

		memmove(p + sizeof repl - 1, eol, strlen(eol) + 1);
		memcpy(p, repl, sizeof repl - 1);
	}
	return buf;
}

static void test_oauth2(void)
{
	static const struct {
		const char *extra, *want;	/* want: a part of the message */
	} bad[] = {
		{ "", "needs an oauth2 section" },
		{ "oauth2 {\n  token_url = \"http://login.example.com/token\"\n  client_id = \"x\"\n"
		  "  client_secret_file = \"s\"\n}\n", "is not an https:// URL" },
		{ "oauth2 {\n  token_url = \"https://login.example.com/token\"\n"
		  "  client_secret_file = \"s\"\n}\n", "oauth2 needs token_url and client_id" },
		{ "oauth2 {\n  token_url = \"https://login.example.com/token\"\n  client_id = \"x\"\n}\n",
		  "client_secret_file (client_credentials" },
		{ "oauth2 {\n  token_url = \"https://login.example.com/token\"\n  client_id = \"x\"\n"
		  "  client_secret_file = \"s\"\n  secret = \"inline\"\n}\n", "test.conf:" },
	};
	struct config cfg;
	struct error err;
	char want[600];
	size_t i;

	CHECK_INT(load(oauth2_conf(oauth2_section), &cfg, &err), 0,
		  "auth = xoauth2 on both, with an oauth2 section and no password files");
	CHECK_INT(cfg.imap.auth, LOGIN_XOAUTH2, "imap.auth is xoauth2");
	CHECK_INT(cfg.smtp.auth, LOGIN_XOAUTH2, "smtp.auth is xoauth2");
	CHECK(cfg.imap.password_file == NULL, "no imap password file");
	CHECK(config_uses_oauth2(&cfg), "config_uses_oauth2");
	CHECK_STR(cfg.oauth2.token_url, "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token",
		  "oauth2.token_url");
	snprintf(want, sizeof want, "%s/secrets/oauth", dir);
	CHECK_STR(cfg.oauth2.client_secret_file, want, "client_secret_file is relative to the file");
	CHECK(cfg.oauth2.refresh_token_file == NULL, "no refresh_token_file");
	CHECK_INT(cfg.oauth2.timeout, 30, "oauth2.timeout defaults to 30 s");
	{
		struct oauth2_options o = config_oauth2_options(&cfg);

		CHECK_INT(oauth2_grant_of(&o), OAUTH2_CLIENT_CREDENTIALS,
			  "a client secret alone: the client_credentials grant");
		CHECK_STR(o.scope, "https://outlook.office365.com/.default", "the scope is passed on");
	}
	config_release(&cfg);

	CHECK_INT(load(smallest, &cfg, &err), 0, "the smallest config still loads");
	CHECK_INT(cfg.imap.auth, LOGIN_PASSWORD, "auth defaults to password");
	CHECK(!config_uses_oauth2(&cfg), "... and needs no oauth2 section");
	config_release(&cfg);

	CHECK_INT(load(oauth2_conf("oauth2 {\n  token_url = \"https://oauth2.googleapis.com/token\"\n"
				   "  client_id = \"x.apps.googleusercontent.com\"\n"
				   "  client_secret_file = \"secrets/oauth\"\n"
				   "  refresh_token_file = \"secrets/refresh\"\n"
				   "  scope = \"https://mail.google.com/\"\n}\n"), &cfg, &err),
		  0, "Google: a refresh token file and a client secret");
	{
		struct oauth2_options o = config_oauth2_options(&cfg);

		CHECK_INT(oauth2_grant_of(&o), OAUTH2_REFRESH_TOKEN,
			  "a refresh token file: the refresh_token grant");
	}
	config_release(&cfg);

	CHECK_INT(load(variant("  url           = \"smtp", "  auth = \"password\"\n"
			       "  url = \"smtp://127.0.0.1:10025\""), &cfg, &err), 0,
		  "auth = \"password\" is today's way");
	config_release(&cfg);
	CHECK_INT(load(variant("  idle", "  auth = \"oauth\""), &cfg, &err), -1,
		  "an unknown auth is refused");
	CHECK(strstr(err.msg, "imap.auth: \"oauth\" is not a way to log in") != NULL &&
	      strstr(err.msg, "test.conf:12:") != NULL, "... naming key, value, file and line");

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = load(oauth2_conf(bad[i].extra), &cfg, &err);

		snprintf(want, sizeof want, "refused, naming \"%s\"", bad[i].want);
		CHECK(rc < 0 && err.cls == ERR_FATAL && strstr(err.msg, bad[i].want), want);
		if (!strstr(err.msg, bad[i].want))
			printf("#   got: %s\n", err.msg);
		if (rc == 0)
			config_release(&cfg);
	}
}

/* Issue 13: who signs the letters; the website policy 7-4 names by default. */
static void test_company(void)
{
	struct config cfg;
	struct error err;

	CHECK_INT(load(smallest, &cfg, &err), 0, "no company section");
	CHECK_STR(cfg.company.name, "", "... no company name: the drafts keep 【会社名】");
	CHECK_STR(cfg.company.website, "https://www.shoes-i.net/", "... the website of policy 7-4");
	CHECK_STR(cfg.contacts.website, "https://www.shoes-i.net/",
		  "... is also where notices are published");
	config_release(&cfg);
	CHECK_INT(load(with_limits("company { name = \"株式会社テスト\" shop = \"テスト靴\" "
				   "website = \"https://shop.example.jp/\" }\n"), &cfg, &err),
		  0, "a company section");
	CHECK_STR(cfg.company.name, "株式会社テスト", "... its name");
	CHECK_STR(cfg.company.shop, "テスト靴", "... its shop");
	CHECK_STR(cfg.contacts.website, "https://shop.example.jp/",
		  "... contacts.website unset: the company's website");
	config_release(&cfg);
	CHECK_INT(load(with_limits("company { website = \"https://shop.example.jp/\" }\n"
				   "contacts { website = \"https://news.example.jp/\" }\n"), &cfg, &err),
		  0, "both websites");
	CHECK_STR(cfg.contacts.website, "https://news.example.jp/", "... contacts.website set: kept");
	config_release(&cfg);
	CHECK_INT(load(with_limits("company { nmae = \"x\" }\n"), &cfg, &err), -1,
		  "an unknown key of company is refused");
	CHECK(strstr(err.msg, "nmae") != NULL, "... naming it");
}

static void test_hash_in_string(void)
{
	struct config cfg;
	struct error err;

	CHECK_INT(load(variant("  from_name", "  from_name = \"窓口 #1 // 24h\" # comment"), &cfg, &err),
		  0, "a # inside a quoted value is not a comment");
	CHECK_STR(cfg.smtp.from_name, "窓口 #1 // 24h", "the value keeps its # and //");
	config_release(&cfg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_smallest();
	test_charset();
	test_errors();
	test_calendar();
	test_limits();
	test_secrets();
	test_hash_in_string();
	test_company();
	test_oauth2();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	return test_done();
}
