/*
 * fuzz_mail.c — libFuzzer target over the parse and route stages: any
 * bytes through mime_parse(), then every pure routing decision over what
 * came out.  Built and run by tests/fuzz/run (make fuzz, make check).
 *
 * A finding is a sanitizer report (ASan, UBSan, a leak) or an abort()
 * here: the parse broke a promise of mime.h or mail.h that the later
 * stages rely on.  What is checked, and why:
 *   - failure is ERR_MESSAGE with nothing to free: ERR_TEMP means "out of
 *     memory, retry", and the fuzzer's malloc never fails, so an ERR_TEMP
 *     would have the bot retry a bad mail for ever;
 *   - the body is never NULL, valid UTF-8 with LF line ends (render and
 *     the JSON output copy it as is);
 *   - every string member is valid UTF-8, and a header field has no CR or
 *     LF (the bot writes subjects and ids back into headers: a line end
 *     would inject a header line) nor any other control character (an
 *     ESC would reach a terminal through `show`);
 *   - msg-ids are not empty and have no brackets or white space (an
 *     empty one matched every other such mail), and mail_thread() is
 *     exactly them joined by single spaces (the References of an answer,
 *     and what the pipeline looks tickets up by);
 *   - an attachment has a lower-case "type/subtype" of printable ASCII
 *     and 64 hex digits of SHA-256;
 *   - a ticket reference found by route_* is canonical "INC-YYYY-NNNN".
 *
 * Memory stays bounded by the run's options (-max_len, -rss_limit_mb),
 * not here.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk/route.h"
#include "rules/classify.h"
#include "rules/machine.h"
#include "rules/policy.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "mime/mime.h"

#define BOT_ADDR "incident@example.com"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports which promise broke, so the crash log says more than "abort". */
static void fail(const char *what, const char *value)
{
	fprintf(stderr, "fuzz_mail: %s", what);
	if (value)
		fprintf(stderr, ": \"%.200s\"", value);
	fputc('\n', stderr);
	abort();
}

/* Strict UTF-8 (RFC 3629): no overlongs, surrogates or code points above U+10FFFF. */
static int utf8_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i;

	while (*s) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			len = 2;
		else if (*s >= 0xe0 && *s <= 0xef)
			len = 3;
		else if (*s >= 0xf0 && *s <= 0xf4)
			len = 4;
		else
			return 0;
		for (i = 1; i < len; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;	/* also stops at the NUL */
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
		    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		s += len;
	}
	return 1;
}

/*
 * A header-derived member: NULL, or one line of valid UTF-8 without
 * control characters (header.h: header_clean makes them spaces).
 */
static void check_field(const char *what, const char *s)
{
	const char *p;

	if (!s)
		return;
	if (!utf8_ok(s))
		fail(what, "(not valid UTF-8)");
	if (strpbrk(s, "\r\n"))
		fail(what, s);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail(what, "(control character)");
}

/* A msg-id as mail.h keeps it: non-empty, no brackets, no white space. */
static void check_msgid(const char *what, const char *id)
{
	if (!id)
		fail(what, "(NULL)");
	check_field(what, id);
	if (!*id || strpbrk(id, "<> \t"))
		fail(what, id);
}

static void check_ref(const char *what, bool found, const char ref[ROUTE_REF_MAX])
{
	size_t i, n;

	if (!found)
		return;
	/* "INC-" 4 digits "-" 4 to 8 digits */
	n = strnlen(ref, ROUTE_REF_MAX);
	if (n < 13 || n > 17 || strncmp(ref, "INC-", 4) != 0 || ref[8] != '-')
		fail(what, n < ROUTE_REF_MAX ? ref : "(not terminated)");
	for (i = 4; i < n; i++)
		if (i != 8 && (ref[i] < '0' || ref[i] > '9'))
			fail(what, ref);
}

static void check_address(const char *what, const struct mail_address *a)
{
	char ref[ROUTE_REF_MAX] = "";

	check_field(what, a->name);
	check_field(what, a->addr);
	check_ref(what, route_address_tag(a->addr, BOT_ADDR, ref), ref);
}

/* The References thread: the ids, oldest first, own id last, one space apart. */
static void check_thread(const struct mail *m, bool with_self)
{
	char *t = mail_thread(m, with_self), *p;
	size_t i, n;

	if (!t)
		fail("mail_thread: NULL without an out-of-memory", NULL);
	p = t;
	for (i = 0; i < m->n_references; i++) {
		n = strlen(m->references[i]);
		if (strncmp(p, m->references[i], n) != 0)
			fail("mail_thread: references not in order", t);
		p += n;
		if (*p == ' ')
			p++;
	}
	if (with_self && m->message_id) {
		n = strlen(m->message_id);
		if (strncmp(p, m->message_id, n) != 0)
			fail("mail_thread: own Message-ID not last", t);
		p += n;
	}
	if (*p)
		fail("mail_thread: trailing text", t);
	free(t);
}

static void check_mail(const struct mail *m)
{
	const char *why = NULL;
	char ref[ROUTE_REF_MAX] = "";
	size_t i, k;

	if (!m->body)
		fail("body: NULL after a successful parse", NULL);
	if (!utf8_ok(m->body))
		fail("body: not valid UTF-8", NULL);
	if (strchr(m->body, '\r'))
		fail("body: CR in the text (LF line ends promised)", NULL);

	check_address("from", &m->from);
	for (i = 0; i < m->n_to; i++)
		check_address("to", &m->to[i]);
	for (i = 0; i < m->n_cc; i++)
		check_address("cc", &m->cc[i]);
	check_field("subject", m->subject);
	check_field("date_raw", m->date_raw);
	check_field("auto_submitted", m->auto_submitted);
	check_field("precedence", m->precedence);
	check_field("list_id", m->list_id);
	check_field("return_path", m->return_path);
	check_field("x_autoreply", m->x_autoreply);
	if (m->message_id)
		check_msgid("message_id", m->message_id);
	if (m->in_reply_to)
		check_msgid("in_reply_to", m->in_reply_to);
	for (i = 0; i < m->n_references; i++)
		check_msgid("references", m->references[i]);

	for (i = 0; i < m->n_attachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];

		check_field("attachment filename", a->filename);
		if (!a->content_type)
			fail("attachment content_type: NULL", NULL);
		check_field("attachment content_type", a->content_type);
		if (!strchr(a->content_type, '/'))
			fail("attachment content_type: no type/subtype", a->content_type);
		for (k = 0; a->content_type[k]; k++) {
			unsigned char c = (unsigned char)a->content_type[k];

			if (c >= 'A' && c <= 'Z')
				fail("attachment content_type: not lower case", a->content_type);
			if (c <= ' ' || c >= 0x7f)
				fail("attachment content_type: not a token", a->content_type);
		}
		for (k = 0; k < 64; k++)
			if (!((a->sha256[k] >= '0' && a->sha256[k] <= '9') ||
			      (a->sha256[k] >= 'a' && a->sha256[k] <= 'f')))
				fail("attachment sha256: not 64 hex digits", NULL);
		if (a->sha256[64] != '\0')
			fail("attachment sha256: not terminated", NULL);
	}

	check_ref("route_subject_tag", route_subject_tag(m->subject, ref), ref);
	if (machine_kind(m, BOT_ADDR, &why) != MACHINE_NONE && (!why || !*why))
		fail("machine_kind: a machine without a reason", NULL);
	if (!machine_answerable(m, &why) && (!why || !*why))
		fail("machine_answerable: no answer without a reason", NULL);
	check_thread(m, false);
	check_thread(m, true);
}

/*
 * The classifier (issue 12) over what the mail holds: a table with every
 * kind of word — Japanese, ASCII on boundaries, prefixes, exceptions, a
 * sender — built once and never written, so each input must get what a
 * fresh classifier gives it, in linear time, with a why that is UTF-8.
 */
#define N_(...) (sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *))
#define WORDS(...) .words = (char *[]){ __VA_ARGS__ }, .n_words = N_(__VA_ARGS__)
static struct keyword_rule fuzz_rules[] = {
	{ .field = KW_SOURCE, .value = SOURCE_SUSPECTED_ACCESS, WORDS("不正アクセスの可能性", "suspicious login*") },
	{ .field = KW_SOURCE, .value = SOURCE_UTM_VENDOR, WORDS("UTM"),
	  .senders = (char *[]){ "@utm.example" }, .n_senders = 1 },
	{ .field = KW_TYPE, .value = TYPE_DATA_LEAK, WORDS("漏洩", "流出", "leak*", "-流出はありません") },
	{ .field = KW_TYPE, .value = TYPE_MALWARE, WORDS("ウイルス", "ransomware") },
	{ .field = KW_TYPE, .value = TYPE_DOS, WORDS("DoS", "DDoS") },
	{ .field = KW_PRIORITY, .value = PRIORITY_HIGH, WORDS("サーバ", "顧客", "server*") },
	{ .field = KW_FLAG, .value = FLAG_PERSONAL_DATA, WORDS("個人情報", "電話番号", "personal data") },
	{ .field = KW_FLAG, .value = FLAG_AMAZON, WORDS("Amazon", "-Amazon Web Services") },
	{ .field = KW_FLAG, .value = FLAG_MALICIOUS, WORDS("攻撃", "attack*") },
	{ .field = KW_FLAG, .value = FLAG_DRILL, WORDS("訓練") },
};
static struct classifier *fuzz_classifier;

static void check_classify(const char *subject, const char *body, const char *sender)
{
	struct classification a, b;

	if (!fuzz_classifier &&
	    !(fuzz_classifier = classifier_new(fuzz_rules, sizeof fuzz_rules / sizeof *fuzz_rules)))
		return;
	classify_with(fuzz_classifier, subject, body, sender, false, &a);
	classify(fuzz_rules, sizeof fuzz_rules / sizeof *fuzz_rules, subject, body, sender, false, &b);
	if (a.source != b.source || a.type != b.type || a.priority != b.priority ||
	    a.flags != b.flags || a.affected != b.affected || a.records != b.records ||
	    a.affected_over != b.affected_over || strcmp(a.why, b.why) != 0)
		fail("classify: one classifier and a fresh one disagree", a.why);
	if (!memchr(a.why, '\0', sizeof a.why) || !utf8_ok(a.why))
		fail("classify: why is not NUL-terminated UTF-8", NULL);
	if (a.type < 0 || a.type >= TYPE_COUNT || a.priority < 0 || a.priority >= PRIORITY_COUNT ||
	    a.source < -1 || a.source >= SOURCE_COUNT || (a.flags >> FLAG_COUNT) != 0)
		fail("classify: a value out of range", a.why);
	if (a.affected < -1 || a.records < -1 || (a.affected_over && a.affected < 0))
		fail("classify: a count out of range", a.why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail m, zero;
	struct error err = { 0 };
	char ref[ROUTE_REF_MAX] = "", *subject;

	/* memset, not "= { 0 }": the padding too, for the memcmp below */
	memset(&m, 0, sizeof m);
	memset(&zero, 0, sizeof zero);
	if (mime_parse((const char *)data, size, &m, &err) == 0) {
		check_mail(&m);
		check_classify(m.subject, m.body, m.from.addr);
	} else {
		if (err.cls != ERR_MESSAGE)
			fail("mime_parse: failed with a class other than ERR_MESSAGE", err.msg);
		if (memcmp(&m, &zero, sizeof m) != 0)
			fail("mime_parse: failed and left something in *out", err.msg);
	}
	mail_release(&m);

	/* The raw bytes as a subject: route_subject_tag reads any string. */
	if ((subject = malloc(size + 1))) {
		memcpy(subject, data, size);
		subject[size] = '\0';
		check_ref("route_subject_tag (raw)", route_subject_tag(subject, ref), ref);
		check_classify(NULL, subject, NULL);	/* any bytes: invalid UTF-8 too */
		free(subject);
	}
	return 0;
}
