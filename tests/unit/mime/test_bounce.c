/* test_bounce.c — reading delivery status notifications (RFC 3464). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime/bounce.h"
#include "test.h"

static const char dsn[] =
	"Return-Path: <>\r\n"
	"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
	"To: incident@example.com\r\n"
	"Subject: Undelivered Mail Returned to Sender\r\n"
	"Message-ID: <dsn-own-id@mx.example.net>\r\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
	"\r\n"
	"--B\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"I'm sorry to have to inform you that your message could not be delivered.\r\n"
	"--B\r\n"
	"Content-Type: message/delivery-status\r\n"
	"\r\n"
	"Reporting-MTA: dns; mx.example.net\r\n"
	"\r\n"
	"Final-Recipient: rfc822; nobody@example.net\r\n"
	"Original-Recipient: rfc822;nobody@example.net\r\n"
	"Action: failed\r\n"
	"Status: 5.1.1\r\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address\r\n"
	"    rejected: User unknown\r\n"
	"\r\n"
	"--B\r\n"
	"Content-Type: text/rfc822-headers\r\n"
	"\r\n"
	"From: incident@example.com\r\n"
	"To: nobody@example.net\r\n"
	"Subject: [INC-2026-0001] ack\r\n"
	"Message-ID: <INC-2026-0001.ack.1.abc@example.com>\r\n"
	"\r\n"
	"--B--\r\n";

static const char delayed[] =
	"From: MAILER-DAEMON@mx.example.net\n"
	"Subject: Delayed\n"
	"\n"
	"Final-Recipient: rfc822; slow@example.net\n"
	"Action: delayed\n"
	"Status: 4.4.1\n"
	"\n"
	"Message-Id: <INC-2026-0002.alarm.1.def@example.com>\n";

/* Every corpus notification with an Action field is read without a crash. */
static void corpus_sweep(void)
{
	const char *dir = getenv("IB_CORPUS") ? getenv("IB_CORPUS") : "../shared/corpus/mail";
	int files = 0, with_action = 0, with_id = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		printf("ok %d - # SKIP no corpus at %s\n", ++test_count, dir);
		return;
	}
	while ((de = readdir(d))) {
		char path[1024], *buf;
		struct bounce b;
		size_t n;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		buf = malloc(1 << 22);
		n = fread(buf, 1, 1 << 22, f);
		fclose(f);
		if (bounce_parse(buf, n, &b) == 0) {
			files++;
			with_action += b.action[0] != '\0';
			with_id += b.n_ids > 0;
			bounce_release(&b);
		}
		free(buf);
	}
	closedir(d);
	printf("# corpus: %d files, %d with an Action, %d with a returned Message-ID\n",
	       files, with_action, with_id);
	CHECK(files > 100 && with_action >= 20, "corpus notifications are read");
}

int main(void)
{
	struct bounce b;
	char reason[600];

	CHECK_INT(bounce_parse(dsn, strlen(dsn), &b), 0, "a DSN parses");
	CHECK(b.failed, "Action: failed");
	CHECK_STR(b.status, "5.1.1", "status code");
	CHECK_STR(b.recipient, "nobody@example.net", "final recipient");
	CHECK_STR(b.diagnostic, "smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown",
		  "diagnostic, unfolded");
	CHECK_INT(b.n_ids, 1, "one returned Message-ID (the notification's own is not one)");
	CHECK_STR(b.n_ids ? b.ids[0] : NULL, "INC-2026-0001.ack.1.abc@example.com", "the returned message's ID");
	bounce_reason(&b, reason, sizeof reason);
	CHECK(strstr(reason, "5.1.1 nobody@example.net (smtp; 550") == reason, "a reason for people");
	bounce_release(&b);

	CHECK_INT(bounce_parse(delayed, strlen(delayed), &b), 0, "a delay notice parses");
	CHECK(!b.failed, "Action: delayed is not a failure");
	CHECK_STR(b.action, "delayed", "its action");
	CHECK_STR(b.n_ids ? b.ids[0] : NULL, "INC-2026-0002.alarm.1.def@example.com", "Message-Id in any case");
	bounce_release(&b);

	CHECK_INT(bounce_parse("", 0, &b), 0, "empty input");
	CHECK(!b.failed && b.n_ids == 0, "... finds nothing");
	bounce_release(&b);
	CHECK_INT(bounce_parse("Action: failed", 14, &b), 0, "a header-only text");
	CHECK(!b.failed, "... has no report part");
	bounce_release(&b);
	corpus_sweep();
	return test_done();
}
