/*
 * test_compose.c — compose.c against what a receiving mail program sees:
 * headers that unfold and decode back to the input, no line over 78, CRLF
 * only, no header smuggled in through a field, a body that decodes back.
 *
 * The decoders here (base64, RFC 2047 B words, unfolding, ISO-2022-JP
 * escapes) are deliberately small and independent of compose.c, so that a
 * bug there cannot cancel out.  The ISO-2022-JP mode (charset
 * "iso-2022-jp") is tested at the end.
 */
#include "outbox/compose.h"
#include "lib/digest.h"
#include "mime/mime.h"
#include "test.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- independent helpers -------------------------------------------------- */

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* Decodes base64 (skipping CR/LF) into a malloc'd string; NULL when invalid. */
static char *b64_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	unsigned acc = 0;
	int bits = 0, pad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int v;

		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = b64_val((unsigned char)s[i]);
		if (v < 0 || pad) {
			free(out);
			return NULL;
		}
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

/* Returns the value of header `name` (unfolded: CRLF removed), malloc'd. */
static char *header(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *v, *e;
	size_t nl = strlen(name);
	char *out, *o;

	while (p && p < end) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			v = p + nl + 1;
			e = v;
			/* The header ends at a CRLF not followed by WSP. */
			while (!(e[0] == '\r' && e[1] == '\n' && e[2] != ' ' &&
				 e[2] != '\t'))
				e++;
			out = o = malloc((size_t)(e - v) + 1);
			for (; v < e; v++)
				if (*v != '\r' && *v != '\n')
					*o++ = *v;
			*o = '\0';
			return out;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return NULL;
}

/* Decodes a header value made of =?UTF-8?B?...?= words and plain text. */
static char *decode_2047(const char *v)
{
	size_t cap = strlen(v) + 1;
	char *out = calloc(1, cap);
	const char *p = v;
	bool last_word = false;

	while (*p == ' ')
		p++;
	while (*p) {
		const char *sp = p + strspn(p, " \t");

		if (strncmp(sp, "=?UTF-8?B?", 10) == 0) {
			const char *start = sp + 10, *end = strstr(start, "?=");
			char *dec;

			/* Whitespace between two encoded words is dropped. */
			if (!last_word)
				strncat(out, p, (size_t)(sp - p));
			if (!end)
				break;
			dec = b64_decode(start, (size_t)(end - start));
			if (dec)
				strcat(out, dec);
			free(dec);
			p = end + 2;
			last_word = true;
		} else {
			size_t n = strcspn(sp, " \t");

			strncat(out, p, (size_t)(sp - p) + n);
			p = sp + n;
			last_word = false;
		}
	}
	return out;
}

/* Counts header lines (of the header section) that start with name + ':'. */
static int count_headers(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	size_t nl = strlen(name);
	int n = 0;

	while (p && p < end) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
			n++;
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return n;
}

/* Counts header fields (lines not starting with whitespace). */
static int count_fields(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	int n = 0;

	while (p && p <= end) {
		if (*p != ' ' && *p != '\t')
			n++;
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return n;
}

/* Every line ends CRLF (no bare CR or LF) and is at most max characters. */
static bool lines_ok(const char *msg, size_t len, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\r') {
			if (i + 1 >= len || msg[i + 1] != '\n')
				return false;
			i++;
			col = 0;
		} else if (msg[i] == '\n') {
			return false;
		} else if (++col > max) {
			return false;
		}
	}
	return len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n';
}

/* True when every encoded word is ≤ 75 and decodes to whole UTF-8 characters. */
static bool words_ok(const char *hv)
{
	const char *p = hv;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *end = strstr(p + 10, "?=");
		char *dec;
		const unsigned char *d;
		bool ok = true;

		if (!end || end + 2 - p > 75)
			return false;
		dec = b64_decode(p + 10, (size_t)(end - p - 10));
		if (!dec)
			return false;
		/* A word must not end inside a multi-byte character. */
		for (d = (const unsigned char *)dec; *d;) {
			int k = *d < 0x80 ? 1 : *d >= 0xf0 ? 4 : *d >= 0xe0 ? 3 : 2;
			int j;

			for (j = 1; j < k; j++)
				if ((d[j] & 0xc0) != 0x80)
					ok = false;
			if (!ok)
				break;
			d += k;
		}
		free(dec);
		if (!ok)
			return false;
		p = end + 2;
	}
	return true;
}

/* The decoded body (after the blank line), or NULL. */
static char *body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");

	return b ? b64_decode(b + 4, strlen(b + 4)) : NULL;
}

static struct outmsg base_msg(void)
{
	struct outmsg m = {
		.from_addr = "incident@example.com",
		.from_name = "Incident Desk",
		.to_addr = "alice@example.com",
		.to_name = NULL,
		.reply_to = NULL,
		.subject = "Hello",
		.message_id = "1@bot.example.com",
		.auto_submitted = "auto-replied",
		.body = "Hi\n",
		.date = 1795568400,	/* 2026-11-25 01:00:00 UTC */
		.utc_offset_min = 540,
	};
	return m;
}

/* --- tests ---------------------------------------------------------------- */

static void test_encode_word(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Hello", "Hello" },
		{ "", "" },
		{ "障害", "=?UTF-8?B?6Zqc5a6z?=" },
		{ "Grüße", "=?UTF-8?B?R3LDvMOfZQ==?=" },
		{ "a\r\nb", "a  b" },	/* CR and LF become spaces */
		{ "=?x", "=?UTF-8?B?PT94?=" },	/* would look like a word */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = compose_encode_word(cases[i].in);
		char what[96];

		snprintf(what, sizeof what, "encode_word case %zu", i);
		CHECK_STR(got, cases[i].want, what);
		free(got);
	}
}

static void test_encode_word_long(void)
{
	/* 40 × "障" (3 bytes each) = 120 bytes: more than one word. */
	char in[200] = "", *got, *dec;
	int i;

	for (i = 0; i < 40; i++)
		strcat(in, "障");
	got = compose_encode_word(in);
	CHECK(got && strchr(got, ' '), "long phrase: several words");
	CHECK(got && words_ok(got), "long phrase: words ≤ 75, whole characters");
	dec = got ? decode_2047(got) : NULL;
	CHECK_STR(dec, in, "long phrase decodes back");
	free(dec);
	free(got);
}

/* Subjects: each must decode back and keep all lines within 78. */
static void test_subjects(void)
{
	static const struct {
		const char *subject, *want;	/* want NULL: same as subject */
		bool encoded;
	} cases[] = {
		{ "Hello", NULL, false },
		{ "[INC-42] 障害報告: メールサーバーが応答しません", NULL, true },
		{ "Re: [INC-7] Disk full on db1", NULL, false },
		{ "ünïcödé", NULL, true },
		{ "絵文字 🚨🔥 も大丈夫", NULL, true },
		{ "an ascii subject that is really rather long and goes on and on "
		  "well past the seventy-eight column limit of RFC 5322", NULL, false },
		{ "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほ"
		  "まみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソ",
		  NULL, true },
		{ "averyveryveryveryveryveryveryveryveryveryveryveryveryveryvery"
		  "longwordwithoutanyspaceatall", NULL, true },
		{ "  padded  ", "padded", false },
		{ "bad \xff byte", "bad \xef\xbf\xbd byte", true },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = base_msg();
		const char *want = cases[i].want ? cases[i].want : cases[i].subject;
		char what[128], *msg, *hv, *dec;
		size_t len;

		m.subject = cases[i].subject;
		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "Subject") : NULL;
		dec = hv ? decode_2047(hv) : NULL;
		snprintf(what, sizeof what, "subject %zu decodes back", i);
		CHECK_STR(dec, want, what);
		snprintf(what, sizeof what, "subject %zu: lines ≤ 78, all CRLF", i);
		CHECK(msg && lines_ok(msg, len, 78), what);
		snprintf(what, sizeof what, "subject %zu: %s", i,
			 cases[i].encoded ? "encoded words ≤ 75, whole characters"
					  : "sent as plain text");
		CHECK(hv && (cases[i].encoded ? strstr(hv, "=?UTF-8?B?") && words_ok(hv)
					      : !strstr(hv, "=?")), what);
		free(dec);
		free(hv);
		free(msg);
	}
}

/* The long Japanese subject from the brief, checked for splitting in detail. */
static void test_long_subject_split(void)
{
	struct outmsg m = base_msg();
	char subject[400] = "", *msg, *hv;
	size_t len;
	int i, words = 0;
	const char *p;

	for (i = 0; i < 30; i++)
		strcat(subject, "障害");	/* 180 bytes */
	m.subject = subject;
	msg = compose_message(&m, &len);
	hv = msg ? header(msg, "Subject") : NULL;
	for (p = hv; p && (p = strstr(p, "=?UTF-8?B?")); p++)
		words++;
	CHECK(words >= 4, "180-byte subject: split into several words");
	CHECK(msg && strstr(msg, "\r\nSubject: =?UTF-8?B?") &&
	      strstr(msg, "?=\r\n =?UTF-8?B?"),
	      "180-byte subject: folded with CRLF SP between words");
	CHECK(hv && words_ok(hv), "180-byte subject: no word splits a character");
	free(hv);
	free(msg);
}

static void test_display_names(void)
{
	static const struct {
		const char *name, *want_raw;	/* want_raw: prefix of the From value */
	} cases[] = {
		{ "Incident Desk", " Incident Desk <incident@example.com>" },
		{ "Doe, John", " \"Doe, John\" <incident@example.com>" },
		{ "Say \"hi\" \\ bye", " \"Say \\\"hi\\\" \\\\ bye\" <incident@example.com>" },
		{ "障害窓口", " =?UTF-8?B?6Zqc5a6z56qT5Y+j?= <incident@example.com>" },
		{ NULL, " incident@example.com" },
		{ "", " incident@example.com" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = base_msg();
		char what[96], *msg, *hv;
		size_t len;

		m.from_name = cases[i].name;
		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "From") : NULL;
		snprintf(what, sizeof what, "From with name %zu", i);
		CHECK_STR(hv, cases[i].want_raw, what);
		free(hv);
		free(msg);
	}
}

/* Injection: whatever a field holds, no header line appears that we did not write. */
static void test_injection(void)
{
	static const struct {
		const char *what;
		struct outmsg m;
	} cases[] = {
		{ "subject with CRLF Bcc", { .subject = "x\r\nBcc: evil@example.com" } },
		{ "subject with LF Bcc", { .subject = "x\nBcc: evil@example.com" } },
		{ "subject with CR Bcc", { .subject = "x\rBcc: evil@example.com" } },
		{ "subject ending in CRLF CRLF", { .subject = "x\r\n\r\nBcc: evil@example.com" } },
		{ "name with CRLF", { .from_name = "Desk\r\nBcc: evil@example.com" } },
		{ "to name with CRLF", { .to_name = "Alice\r\nBcc: evil@example.com" } },
		{ "from address with CRLF", { .from_addr = "a@example.com\r\nBcc: evil@example.com" } },
		{ "to address with CRLF", { .to_addr = "alice@example.com\r\nBcc: evil@example.com" } },
		{ "to address with comma", { .to_addr = "alice@example.com, evil@example.com" } },
		{ "to address with brackets", { .to_addr = "alice@example.com> <evil@example.com" } },
		{ "reply-to with CRLF", { .reply_to = "r@example.com\r\nBcc: evil@example.com" } },
		{ "message id with CRLF", { .message_id = "1@x>\r\nBcc: <evil@example.com" } },
		{ "in-reply-to with CRLF", { .in_reply_to = "1@x\r\nBcc: evil@example.com" } },
		{ "references with CRLF", { .references = "1@x\r\nBcc: evil@example.com 2@x" } },
		{ "auto-submitted with CRLF", { .auto_submitted = "auto-replied\r\nBcc: evil@example.com" } },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = base_msg();
		const struct outmsg *o = &cases[i].m;
		char what[128], *msg, *v;
		size_t len;
		int want_fields;

		/* Overlay the case's non-NULL fields on the base message. */
		if (o->subject) m.subject = o->subject;
		if (o->from_name) m.from_name = o->from_name;
		if (o->to_name) m.to_name = o->to_name;
		if (o->from_addr) m.from_addr = o->from_addr;
		if (o->to_addr) m.to_addr = o->to_addr;
		if (o->reply_to) m.reply_to = o->reply_to;
		if (o->message_id) m.message_id = o->message_id;
		if (o->in_reply_to) m.in_reply_to = o->in_reply_to;
		if (o->references) m.references = o->references;
		if (o->auto_submitted) m.auto_submitted = o->auto_submitted;
		want_fields = 9 + !!m.reply_to + !!m.in_reply_to + !!m.references;

		msg = compose_message(&m, &len);
		snprintf(what, sizeof what, "%s: no Bcc header", cases[i].what);
		CHECK(msg && count_headers(msg, "Bcc") == 0, what);
		snprintf(what, sizeof what, "%s: exactly %d header fields",
			 cases[i].what, want_fields);
		CHECK_INT(msg ? count_fields(msg) : -1, want_fields, what);
		snprintf(what, sizeof what, "%s: lines CRLF, ≤ 78", cases[i].what);
		CHECK(msg && lines_ok(msg, len, 78), what);
		/* Addresses keep no separator: one angle pair, no comma. */
		v = msg ? header(msg, "To") : NULL;
		snprintf(what, sizeof what, "%s: To is one address", cases[i].what);
		CHECK(v && !strchr(v, ',') && strchr(v, '<') == strrchr(v, '<'), what);
		free(v);
		free(msg);
	}
}

static void test_date(void)
{
	static const struct {
		time_t t;
		int off;
		const char *want;
	} cases[] = {
		{ 1795568400, 540, " Wed, 25 Nov 2026 10:00:00 +0900" },
		{ 1795568400, 0, " Wed, 25 Nov 2026 01:00:00 +0000" },
		{ 1795568400, -300, " Tue, 24 Nov 2026 20:00:00 -0500" },
		{ 1795568400, 330, " Wed, 25 Nov 2026 06:30:00 +0530" },
		{ 1795568400, -570, " Tue, 24 Nov 2026 15:30:00 -0930" },
		{ 0, 0, " Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 1795568400, 100000, " Wed, 25 Nov 2026 01:00:00 +0000" },	/* absurd: UTC */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = base_msg();
		char what[64], *msg, *v;
		size_t len;

		m.date = cases[i].t;
		m.utc_offset_min = cases[i].off;
		msg = compose_message(&m, &len);
		v = msg ? header(msg, "Date") : NULL;
		snprintf(what, sizeof what, "Date case %zu", i);
		CHECK_STR(v, cases[i].want, what);
		free(v);
		free(msg);
	}
}

static void test_threading(void)
{
	struct outmsg m = base_msg();
	char refs[1024] = "", *msg, *v;
	size_t len;
	int i;

	for (i = 0; i < 12; i++)
		sprintf(refs + strlen(refs), "%s%d.abcdefgh@mail.example.com",
			i ? " " : "", i);
	m.message_id = "reply-1@bot.example.com";
	m.in_reply_to = "0.abcdefgh@mail.example.com";
	m.references = refs;
	m.reply_to = "incident+42@example.com";
	m.auto_submitted = "auto-replied";
	msg = compose_message(&m, &len);

	v = msg ? header(msg, "Message-ID") : NULL;
	CHECK_STR(v, " <reply-1@bot.example.com>", "Message-ID in brackets");
	free(v);
	v = msg ? header(msg, "In-Reply-To") : NULL;
	CHECK_STR(v, " <0.abcdefgh@mail.example.com>", "In-Reply-To in brackets");
	free(v);
	v = msg ? header(msg, "References") : NULL;
	CHECK(v && strncmp(v, " <0.abcdefgh@mail.example.com> <1.abc", 37) == 0 &&
	      strstr(v, "<11.abcdefgh@mail.example.com>"),
	      "References: every id in brackets, in order");
	free(v);
	CHECK(msg && strstr(msg, "@mail.example.com>\r\n <"),
	      "References folded between ids");
	CHECK(msg && lines_ok(msg, len, 78), "threading: lines ≤ 78, CRLF");
	v = msg ? header(msg, "Reply-To") : NULL;
	CHECK_STR(v, " incident+42@example.com", "Reply-To");
	free(v);
	v = msg ? header(msg, "Auto-Submitted") : NULL;
	CHECK_STR(v, " auto-replied", "Auto-Submitted");
	free(v);
	free(msg);

	/* Without threading fields: no empty headers. */
	m = base_msg();
	msg = compose_message(&m, &len);
	CHECK(msg && !count_headers(msg, "In-Reply-To") &&
	      !count_headers(msg, "References") && !count_headers(msg, "Reply-To"),
	      "absent threading fields: no header");
	free(msg);
}

static void test_fixed_headers(void)
{
	struct outmsg m = base_msg();
	char *msg, *v;
	size_t len;

	msg = compose_message(&m, &len);
	CHECK(msg && strlen(msg) == len, "len matches, NUL-terminated");
	CHECK(msg && strncmp(msg, "Date: ", 6) == 0, "starts with Date");
	v = msg ? header(msg, "MIME-Version") : NULL;
	CHECK_STR(v, " 1.0", "MIME-Version");
	free(v);
	v = msg ? header(msg, "Content-Type") : NULL;
	CHECK_STR(v, " text/plain; charset=UTF-8", "Content-Type");
	free(v);
	v = msg ? header(msg, "Content-Transfer-Encoding") : NULL;
	CHECK_STR(v, " base64", "Content-Transfer-Encoding");
	free(v);
	v = msg ? header(msg, "To") : NULL;
	CHECK_STR(v, " alice@example.com", "To without name");
	free(v);
	CHECK(msg && !count_headers(msg, "X-Incident-Bot"), "no X-Incident-Bot");
	CHECK_INT(msg ? count_fields(msg) : -1, 9, "nine header fields");
	free(msg);

	m.auto_submitted = NULL;
	msg = compose_message(&m, &len);
	v = msg ? header(msg, "Auto-Submitted") : NULL;
	CHECK_STR(v, " auto-generated", "Auto-Submitted defaults to auto-generated");
	free(v);
	free(msg);
}

static void test_bodies(void)
{
	static const struct {
		const char *body, *want;	/* want: decoded, CRLF */
	} cases[] = {
		{ "", "" },
		{ NULL, "" },
		{ "one line", "one line" },
		{ "a\nb\n", "a\r\nb\r\n" },
		{ "a\r\nb\r\n", "a\r\nb\r\n" },
		{ "mixed\r\nends\nhere\rtoo\n", "mixed\r\nends\r\nhere\r\ntoo\r\n" },
		{ ".\nFrom me\n", ".\r\nFrom me\r\n" },
		{ "お世話になっております。\n障害の件、対応中です。\n",
		  "お世話になっております。\r\n障害の件、対応中です。\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = base_msg();
		char what[64], *msg, *dec;
		size_t len;

		m.body = cases[i].body;
		msg = compose_message(&m, &len);
		dec = msg ? body_of(msg) : NULL;
		snprintf(what, sizeof what, "body %zu round-trips", i);
		CHECK_STR(dec, cases[i].want, what);
		snprintf(what, sizeof what, "body %zu: lines CRLF, ≤ 78", i);
		CHECK(msg && lines_ok(msg, len, 78), what);
		free(dec);
		free(msg);
	}
}

static void test_long_body(void)
{
	struct outmsg m = base_msg();
	char *big = malloc(5001), *msg, *dec, *p;
	size_t len, i;
	bool all76 = true;
	int lines = 0;

	for (i = 0; i < 5000; i++)
		big[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
	big[5000] = '\0';
	m.body = big;
	msg = compose_message(&m, &len);
	dec = msg ? body_of(msg) : NULL;
	CHECK(dec && strlen(dec) > 5000, "long body decodes (LF grew to CRLF)");
	/* Every base64 line but the last is exactly 76 characters. */
	p = msg ? strstr(msg, "\r\n\r\n") + 4 : NULL;
	while (p && *p) {
		char *e = strstr(p, "\r\n");

		lines++;
		if (e[2] && e - p != 76)
			all76 = false;
		p = e + 2;
	}
	CHECK(lines > 50 && all76, "base64 lines of 76 characters");
	free(dec);
	free(msg);
	free(big);
}

/* --- ISO-2022-JP ------------------------------------------------------------ */

/*
 * The decoders below are independent of compose.c: escapes are parsed here,
 * and the characters read with iconv's CP932 (Windows, NEC row 13 included)
 * or, to show that strict readers manage too, glibc's own ISO-2022-JP.
 */

/* n bytes from charset `from` as UTF-8 via iconv, malloc'd; NULL on error. */
static char *iconv_utf8(const char *from, const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = n * 4 + 16, left = cap - 1;
	char *out, *o, *in = (char *)s;

	if (cd == (iconv_t)-1)
		return NULL;
	out = o = malloc(cap);
	if (iconv(cd, &in, &n, &o, &left) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &o, &left) == (size_t)-1) {
		free(out);
		out = NULL;
	} else {
		*o = '\0';
	}
	iconv_close(cd);
	return out;
}

/*
 * ISO-2022-JP as Windows reads it, to UTF-8 (malloc'd): each JIS pair turned
 * into Shift_JIS and read as CP932.  NULL unless the bytes are well-formed on
 * their own: 7-bit, only ESC $ B and ESC ( B, whole pairs, ending in ASCII.
 */
static char *jis_decode(const char *s, size_t n)
{
	char *sjis = malloc(n + 1), *o = sjis, *out;
	bool kanji = false;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1b) {
			if (i + 2 < n && s[i + 1] == '$' && s[i + 2] == 'B')
				kanji = true;
			else if (i + 2 < n && s[i + 1] == '(' && s[i + 2] == 'B')
				kanji = false;
			else
				goto bad;
			i += 2;
		} else if (c >= 0x80 || c == 0x0e || c == 0x0f) {
			goto bad;
		} else if (!kanji) {
			*o++ = (char)c;
		} else {
			unsigned j1 = c, j2 = i + 1 < n ? (unsigned char)s[i + 1] : 0;

			if (j1 < 0x21 || j1 > 0x7e || j2 < 0x21 || j2 > 0x7e)
				goto bad;
			*o++ = (char)(((j1 + 1) >> 1) + (j1 <= 0x5e ? 0x70 : 0xb0));
			*o++ = (char)(j2 + (j1 & 1 ? (j2 < 0x60 ? 0x1f : 0x20) : 0x7e));
			i++;
		}
	}
	if (kanji)
		goto bad;
	out = iconv_utf8("CP932", sjis, (size_t)(o - sjis));
	free(sjis);
	return out;
bad:
	free(sjis);
	return NULL;
}

/*
 * A header value of =?ISO-2022-JP?B?...?= words and plain text, each word
 * decoded on its own (so a word that needs its neighbour fails); strict:
 * with glibc's ISO-2022-JP.  NULL when a word does not decode.
 */
static char *decode_jis_header(const char *v, bool strict)
{
	static const char pfx[] = "=?ISO-2022-JP?B?";
	size_t cap = strlen(v) * 2 + 1;
	char *out = calloc(1, cap);
	const char *p = v;
	bool last_word = false;

	while (*p == ' ')
		p++;
	while (*p) {
		const char *sp = p + strspn(p, " \t");

		if (strncmp(sp, pfx, sizeof pfx - 1) == 0) {
			const char *start = sp + sizeof pfx - 1, *end = strstr(start, "?=");
			char *raw, *dec;

			if (!last_word)
				strncat(out, p, (size_t)(sp - p));
			raw = end ? b64_decode(start, (size_t)(end - start)) : NULL;
			dec = !raw ? NULL : strict ? iconv_utf8("ISO-2022-JP", raw, strlen(raw))
						   : jis_decode(raw, strlen(raw));
			free(raw);
			if (!dec) {
				free(out);
				return NULL;
			}
			strcat(out, dec);
			free(dec);
			p = end + 2;
			last_word = true;
		} else {
			size_t n = strcspn(sp, " \t");

			strncat(out, p, (size_t)(sp - p) + n);
			p = sp + n;
			last_word = false;
		}
	}
	return out;
}

/*
 * True when every ISO-2022-JP word in hv is ≤ 75 characters and balanced on
 * its own: it decodes alone (whole characters, ending in ASCII), and in one
 * that switches to JIS X 0208 the last escape is ESC ( B (ASCII may
 * follow it).  *words counts them.
 */
static bool jis_words_ok(const char *hv, int *words)
{
	const char *p = hv;

	*words = 0;
	while ((p = strstr(p, "=?ISO-2022-JP?B?")) != NULL) {
		const char *end = strstr(p + 16, "?=");
		char *raw, *dec, *last;
		bool ok;

		if (!end || end + 2 - p > 75)
			return false;
		raw = b64_decode(p + 16, (size_t)(end - p - 16));
		dec = raw ? jis_decode(raw, strlen(raw)) : NULL;
		last = raw ? strrchr(raw, '\x1b') : NULL;
		ok = dec && (!last || strncmp(last, "\x1b(B", 3) == 0);
		free(raw);
		free(dec);
		if (!ok)
			return false;
		(*words)++;
		p = end + 2;
	}
	return true;
}

/* Every byte 7-bit and not NUL. */
static bool all_7bit(const char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (msg[i] == '\0' || (unsigned char)msg[i] >= 0x80)
			return false;
	return true;
}

/*
 * The body of an ISO-2022-JP message decoded line by line, each line on its
 * own (so each must start and end in ASCII), CRLF kept.  NULL when a line
 * does not decode alone.
 */
static char *jis_body_of(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	size_t cap;
	char *out;

	if (!p)
		return NULL;
	p += 4;
	cap = strlen(p) * 2 + 1;
	out = calloc(1, cap);
	while (*p) {
		const char *e = strstr(p, "\r\n");
		char *dec;

		if (!e) {
			free(out);
			return NULL;
		}
		dec = jis_decode(p, (size_t)(e - p));
		if (!dec) {
			free(out);
			return NULL;
		}
		strcat(out, dec);
		strcat(out, "\r\n");
		free(dec);
		p = e + 2;
	}
	return out;
}

static struct outmsg jis_msg(void)
{
	struct outmsg m = base_msg();

	m.charset = "iso-2022-jp";
	m.from_name = "セキュリティインシデント窓口";
	m.to_name = "山田 太郎";
	m.subject = "[INC-2026-0042] 障害報告";
	m.body = "お世話になっております。\n障害の件、対応中です。\n";
	return m;
}

static bool is_jis(const char *msg)
{
	char *v = msg ? header(msg, "Content-Type") : NULL;
	bool yes = v && strcmp(v, " text/plain; charset=ISO-2022-JP") == 0;

	free(v);
	return yes;
}

/* Subjects in ISO-2022-JP: decode back word by word, words and lines fit. */
static void test_jis_subjects(void)
{
	static const char halfwidth[] =
		"｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ";
	static const char fullwidth[] =
		"。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノ"
		"ハヒフヘホマミムメモヤユヨラリルレロワン゛゜";
	static const struct {
		const char *subject, *want;	/* want NULL: same as subject */
		bool strict;	/* glibc's strict ISO-2022-JP reads it too */
		const char *win;	/* what Windows reads, when not want */
	} cases[] = {
		{ "[INC-2026-0042] 障害報告: メールサーバーが応答しません", NULL, true, NULL },
		{ "障害障害障害障害障害障害障害障害障害障害障害障害障害障害障害障害障害障害"
		  "障害障害障害障害障害障害障害障害障害障害障害障害", NULL, true, NULL },
		{ "Re: [INC-7] ディスク full on db1 (至急)", NULL, true, NULL },
		{ "機種依存文字①②㈱㍻Ⅰ∑", NULL, false, NULL },
		{ halfwidth, fullwidth, true, NULL },
		{ "ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟｳﾞ ｯﾞﾜﾞｱﾟ",
		  "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ ッ゛ワ゛ア゜", true, NULL },
		{ "ｲﾝｼﾃﾞﾝﾄ ﾊﾟｽﾜｰﾄﾞ", "インシデント パスワード", true, NULL },
		/* one JIS code each, read as the JIS or the Microsoft form */
		{ "波ダッシュ〜と全角マイナス−", NULL, true, "波ダッシュ～と全角マイナス－" },
		{ "波ダッシュ～と全角マイナス－", "波ダッシュ〜と全角マイナス−", true,
		  "波ダッシュ～と全角マイナス－" },
		{ "¥1,000の請求", "￥1,000の請求", true, NULL },
		{ "=?not a word?= 障害", NULL, true, NULL },
		{ "ascii =?looks like a word?=", NULL, true, NULL },
		{ "ＡＢＣ全角　スペース", NULL, true, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = jis_msg();
		const char *want = cases[i].want ? cases[i].want : cases[i].subject;
		char what[128], *msg, *hv, *dec;
		size_t len;
		int words = 0;

		m.subject = cases[i].subject;
		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "Subject") : NULL;
		snprintf(what, sizeof what, "jis subject %zu: sent as ISO-2022-JP", i);
		CHECK(is_jis(msg), what);
		dec = hv ? decode_jis_header(hv, false) : NULL;
		snprintf(what, sizeof what, "jis subject %zu decodes back, word by word", i);
		CHECK_STR(dec, cases[i].win ? cases[i].win : want, what);
		free(dec);
		if (cases[i].strict) {
			dec = hv ? decode_jis_header(hv, true) : NULL;
			snprintf(what, sizeof what, "jis subject %zu: glibc's strict ISO-2022-JP reads it", i);
			CHECK_STR(dec, want, what);
			free(dec);
		}
		snprintf(what, sizeof what, "jis subject %zu: words ≤ 75, balanced, whole characters", i);
		CHECK(hv && jis_words_ok(hv, &words) && words > 0 && !strstr(hv, "=?UTF-8?"), what);
		snprintf(what, sizeof what, "jis subject %zu: lines ≤ 78, CRLF, 7-bit", i);
		CHECK(msg && lines_ok(msg, len, 78) && all_7bit(msg, len), what);
		if (i == 1) {
			CHECK(words >= 4 && strstr(msg, "?=\r\n =?ISO-2022-JP?B?"),
			      "jis: a long subject folds into several words");
		}
		free(hv);
		free(msg);
	}

	/* Plain ASCII stays plain, as in UTF-8. */
	{
		struct outmsg m = jis_msg();
		char *msg, *hv;
		size_t len;

		m.subject = "Re: [INC-7] Disk full on db1";
		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "Subject") : NULL;
		CHECK_STR(hv, " Re: [INC-7] Disk full on db1", "jis: an ASCII subject is not encoded");
		CHECK(is_jis(msg), "jis: ... and the mail is still ISO-2022-JP");
		free(hv);
		free(msg);
	}
}

/* The exact bytes of one word, so that the format itself is pinned down. */
static void test_jis_word_bytes(void)
{
	struct outmsg m = jis_msg();
	char *msg, *hv, *raw;
	const char *p, *e;
	size_t len;

	m.subject = "障害 A";
	msg = compose_message(&m, &len);
	hv = msg ? header(msg, "Subject") : NULL;
	p = hv ? strstr(hv, "=?ISO-2022-JP?B?") : NULL;
	e = p ? strstr(p + 16, "?=") : NULL;
	raw = e ? b64_decode(p + 16, (size_t)(e - p - 16)) : NULL;
	CHECK_STR(raw, "\x1b$B>c32\x1b(B A", "jis word: ESC $ B, JIS X 0208, ESC ( B, then ASCII");
	free(raw);
	free(hv);
	free(msg);
}

static void test_jis_names(void)
{
	static const struct {
		const char *name, *want;	/* want: decoded From value, unindented */
	} cases[] = {
		{ "セキュリティインシデント窓口", "セキュリティインシデント窓口 <incident@example.com>" },
		{ "株式会社サンプル　情報システム部　セキュリティインシデント対応窓口（24時間受付）",
		  "株式会社サンプル　情報システム部　セキュリティインシデント対応窓口（24時間受付） <incident@example.com>" },
		{ "㈱ｻﾝﾌﾟﾙ 窓口", "㈱サンプル 窓口 <incident@example.com>" },
		{ "Doe, John", "\"Doe, John\" <incident@example.com>" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = jis_msg();
		char what[128], *msg, *hv, *dec;
		size_t len;
		int words;

		m.from_name = cases[i].name;
		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "From") : NULL;
		dec = hv ? decode_jis_header(hv, false) : NULL;
		snprintf(what, sizeof what, "jis From name %zu decodes back", i);
		CHECK_STR(dec, cases[i].want, what);
		snprintf(what, sizeof what, "jis From name %zu: words balanced ≤ 75, lines ≤ 78, 7-bit", i);
		CHECK(hv && jis_words_ok(hv, &words) && is_jis(msg) &&
		      lines_ok(msg, len, 78) && all_7bit(msg, len), what);
		free(dec);
		free(hv);
		free(msg);
	}

	{
		struct outmsg m = jis_msg();
		char *msg, *hv, *dec;
		size_t len;

		msg = compose_message(&m, &len);
		hv = msg ? header(msg, "To") : NULL;
		dec = hv ? decode_jis_header(hv, true) : NULL;
		CHECK_STR(dec, "山田 太郎 <alice@example.com>", "jis To name decodes back");
		free(dec);
		free(hv);
		free(msg);
	}
}

static void test_jis_bodies(void)
{
	static const struct {
		const char *body, *want;	/* want: decoded, CRLF, last line ended */
	} cases[] = {
		{ "お世話になっております。\n障害の件、対応中です。\n",
		  "お世話になっております。\r\n障害の件、対応中です。\r\n" },
		{ "①サーバー停止\r\n②㈱サンプルへ連絡\r\n", "①サーバー停止\r\n②㈱サンプルへ連絡\r\n" },
		{ "ｲﾝｼﾃﾞﾝﾄ番号: INC-2026-0042\n\n以上", "インシデント番号: INC-2026-0042\r\n\r\n以上\r\n" },
		{ "mixed\r\nends\nhere\rtoo\n", "mixed\r\nends\r\nhere\r\ntoo\r\n" },
		{ ".\nFrom me\n", ".\r\nFrom me\r\n" },
		{ "", "" },
		{ NULL, "" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = jis_msg();
		char what[96], *msg, *v, *dec;
		size_t len;

		m.body = cases[i].body;
		msg = compose_message(&m, &len);
		dec = msg ? jis_body_of(msg) : NULL;
		snprintf(what, sizeof what, "jis body %zu decodes back, line by line", i);
		CHECK_STR(dec, cases[i].want, what);
		snprintf(what, sizeof what, "jis body %zu: lines ≤ 78, CRLF, 7-bit", i);
		CHECK(msg && lines_ok(msg, len, 78) && all_7bit(msg, len), what);
		free(dec);
		free(msg);
		if (i == 0) {
			msg = compose_message(&m, &len);
			v = msg ? header(msg, "Content-Transfer-Encoding") : NULL;
			CHECK_STR(v, " 7bit", "jis: Content-Transfer-Encoding 7bit");
			CHECK(is_jis(msg), "jis: Content-Type text/plain; charset=ISO-2022-JP");
			CHECK_INT(msg ? count_fields(msg) : -1, 9, "jis: nine header fields");
			/* glibc's strict reader, on the raw body as a whole */
			dec = msg ? iconv_utf8("ISO-2022-JP", strstr(msg, "\r\n\r\n") + 4,
					       strlen(strstr(msg, "\r\n\r\n") + 4)) : NULL;
			CHECK_STR(dec, cases[0].want, "jis body: glibc's strict ISO-2022-JP reads it");
			free(dec);
			free(v);
			free(msg);
		}
	}

	/* A 400-character line is 806 bytes: sent as is, not folded. */
	{
		struct outmsg m = jis_msg();
		static char big[400 * 3 + 3];
		char *msg, *dec;
		size_t len;
		int k;

		for (k = 0; k < 400; k++)
			strcat(big, "障");
		m.body = big;
		msg = compose_message(&m, &len);
		dec = msg ? jis_body_of(msg) : NULL;
		strcat(big, "\r\n");	/* what comes back: the line ended */
		CHECK(is_jis(msg), "jis: an 806-byte line stays ISO-2022-JP");
		CHECK_STR(dec, big, "jis: ... unfolded");
		CHECK(msg && lines_ok(msg, len, 998) && all_7bit(msg, len), "jis: ... within 998");
		free(dec);
		free(msg);
	}
}

/*
 * What ISO-2022-JP cannot hold sends the whole message as UTF-8, byte for
 * byte what charset NULL gives: nothing is replaced by '?'.
 */
static void test_jis_fallback(void)
{
	static const struct {
		const char *what, *subject, *from_name, *to_name, *body;
	} cases[] = {
		{ "emoji in the subject", "障害 🚨 発生", NULL, NULL, NULL },
		{ "emoji in the body", NULL, NULL, NULL, "対応します 🙇\n" },
		{ "emoji in the from name", NULL, "窓口 🔥", NULL, NULL },
		{ "emoji in the to name", NULL, NULL, "山田 😀", NULL },
		{ "accented Latin", "Grüße aus Tokyo", NULL, NULL, NULL },
		{ "Korean", NULL, NULL, NULL, "안녕하세요\n" },
		{ "an IBM extension kanji", NULL, NULL, "髙橋 様", NULL },
		{ "a user-defined character", NULL, NULL, NULL, "外字\xee\x80\x80\n" },
		{ "invalid UTF-8 in the body", NULL, NULL, NULL, "bad \xff byte\n" },
		{ "invalid UTF-8 in the subject", "bad \xff byte", NULL, NULL, NULL },
		{ "ESC in the body", NULL, NULL, NULL, "\x1b$B;d\x1b(B\n" },
		{ "ESC in the subject", "a\x1b(Jb", NULL, NULL, NULL },
		{ "SO in the body", NULL, NULL, NULL, "a\x0e b\n" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = jis_msg();
		char what[128], *jis, *utf8;
		size_t jlen, ulen;

		if (cases[i].subject) m.subject = cases[i].subject;
		if (cases[i].from_name) m.from_name = cases[i].from_name;
		if (cases[i].to_name) m.to_name = cases[i].to_name;
		if (cases[i].body) m.body = cases[i].body;
		jis = compose_message(&m, &jlen);
		m.charset = NULL;
		utf8 = compose_message(&m, &ulen);
		snprintf(what, sizeof what, "jis fallback, %s: the whole mail is the UTF-8 one", cases[i].what);
		CHECK(jis && utf8 && jlen == ulen && memcmp(jis, utf8, jlen) == 0, what);
		snprintf(what, sizeof what, "jis fallback, %s: no ISO-2022-JP anywhere", cases[i].what);
		CHECK(jis && !strstr(jis, "ISO-2022-JP") && strstr(jis, "charset=UTF-8"), what);
		free(jis);
		free(utf8);
	}

	/* A line over 998 bytes cannot go 7bit: UTF-8 base64 instead. */
	{
		struct outmsg m = jis_msg();
		static char big[500 * 3 + 1];
		char *msg, *dec;
		size_t len;
		int k;

		for (k = 0; k < 500; k++)
			strcat(big, "障");	/* 1006 bytes in ISO-2022-JP */
		m.body = big;
		msg = compose_message(&m, &len);
		dec = msg ? body_of(msg) : NULL;
		CHECK(msg && !is_jis(msg) && strstr(msg, "charset=UTF-8"),
		      "jis fallback, a 1006-byte line: UTF-8");
		CHECK_STR(dec, big, "jis fallback, a 1006-byte line: the body decodes back");
		free(dec);
		free(msg);
	}
}

/* Header injection stays inert in ISO-2022-JP, with Japanese around it. */
static void test_jis_injection(void)
{
	static const struct {
		const char *what, *subject, *from_name, *to_name;
	} cases[] = {
		{ "subject CRLF Bcc", "障害\r\nBcc: evil@example.com", NULL, NULL },
		{ "subject LF Bcc", "障害\nBcc: evil@example.com", NULL, NULL },
		{ "subject CR Bcc", "障害\rBcc: evil@example.com", NULL, NULL },
		{ "subject CRLF CRLF", "障害\r\n\r\nBcc: evil@example.com\r\n\r\n本文", NULL, NULL },
		{ "half-width subject CRLF", "ｼｮｳｶﾞｲ\r\nBcc: evil@example.com", NULL, NULL },
		{ "from name CRLF", NULL, "窓口\r\nBcc: evil@example.com", NULL },
		{ "to name CRLF", NULL, NULL, "山田\r\nBcc: evil@example.com" },
		{ "to name with quote and CRLF", NULL, NULL, "\"山田\"\r\nBcc: evil@example.com" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outmsg m = jis_msg();
		char what[128], *msg, *v;
		size_t len;
		int words;

		if (cases[i].subject) m.subject = cases[i].subject;
		if (cases[i].from_name) m.from_name = cases[i].from_name;
		if (cases[i].to_name) m.to_name = cases[i].to_name;
		msg = compose_message(&m, &len);
		snprintf(what, sizeof what, "jis injection, %s: ISO-2022-JP, no Bcc, nine fields", cases[i].what);
		CHECK(msg && is_jis(msg) && count_headers(msg, "Bcc") == 0 &&
		      count_fields(msg) == 9, what);
		snprintf(what, sizeof what, "jis injection, %s: lines CRLF ≤ 78, 7-bit, words ok", cases[i].what);
		v = msg ? header(msg, cases[i].subject ? "Subject" : cases[i].from_name ? "From" : "To") : NULL;
		CHECK(msg && lines_ok(msg, len, 78) && all_7bit(msg, len) && v &&
		      jis_words_ok(v, &words) && words > 0, what);
		free(v);
		free(msg);
	}
}

/* charset NULL, "utf-8", "UTF-8" and unknown names: the same UTF-8 mail. */
static void test_default_unchanged(void)
{
	static const char *const charsets[] = { "utf-8", "UTF-8", "", "latin1", "iso-2022-jp-2" };
	struct outmsg m = jis_msg();
	char *want, *got, what[96];
	size_t wlen, glen, i;

	m.charset = NULL;
	m.body = "お世話になっております。\n①㈱ ｶﾞ\n";
	want = compose_message(&m, &wlen);
	CHECK(want && strstr(want, "charset=UTF-8") && strstr(want, "=?UTF-8?B?"),
	      "charset NULL: UTF-8");
	for (i = 0; i < sizeof charsets / sizeof charsets[0]; i++) {
		m.charset = charsets[i];
		got = compose_message(&m, &glen);
		snprintf(what, sizeof what, "charset \"%s\": byte for byte the NULL output", charsets[i]);
		CHECK(want && got && glen == wlen && memcmp(got, want, wlen) == 0, what);
		free(got);
	}
	m.charset = "ISO-2022-JP";
	got = compose_message(&m, &glen);
	CHECK(is_jis(got), "charset \"ISO-2022-JP\" in capitals: ISO-2022-JP");
	free(got);
	free(want);
}

/* --- multipart/alternative ------------------------------------------------ */

/* The boundary parameter of the Content-Type header, malloc'd, or NULL. */
static char *boundary_of(const char *msg)
{
	char *v = header(msg, "Content-Type"), *b, *e, *out = NULL;

	if (v && (b = strstr(v, "boundary=\"")) && (e = strchr(b + 10, '"')))
		out = strndup(b + 10, (size_t)(e - b - 10));
	free(v);
	return out;
}

struct mime_part {
	char *headers;	/* up to the blank line */
	char *body;	/* decoded base64 */
};

/*
 * Splits the body of msg at the delimiter lines of boundary (RFC 2046
 * 5.1.1: CRLF "--" boundary, the last one followed by "--").  Returns the
 * number of parts (at most max), or -1 when the structure is wrong: no
 * closing delimiter, text after it, or a delimiter not on a line of its own.
 */
static int split_parts(const char *msg, const char *boundary, struct mime_part *parts, int max)
{
	const char *p = strstr(msg, "\r\n\r\n"), *next;
	char delim[128];
	size_t dl;
	int n = 0;

	snprintf(delim, sizeof delim, "\r\n--%s", boundary);
	dl = strlen(delim);
	if (!p || !(p = strstr(p, delim)))
		return -1;
	for (;;) {
		p += dl;
		if (strcmp(p, "--\r\n") == 0)
			return n;		/* the close delimiter ends the message */
		if (strncmp(p, "\r\n", 2) != 0 || n == max)
			return -1;
		p += 2;
		if (!(next = strstr(p, delim)))
			return -1;
		{
			const char *hb = strstr(p, "\r\n\r\n");

			if (!hb || hb > next)
				return -1;
			parts[n].headers = strndup(p, (size_t)(hb - p));
			parts[n].body = b64_decode(hb + 4, (size_t)(next + 2 - hb - 4));
			n++;
		}
		p = next;
	}
}

static void free_parts(struct mime_part *parts, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(parts[i].headers);
		free(parts[i].body);
	}
}

/* Occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static void test_alternative(void)
{
	struct outmsg m = base_msg();
	struct mime_part parts[4] = { 0 };
	char *msg, *again, *other, *b, *b2, *v;
	size_t len, len2;
	int n;

	m.subject = "日次ダイジェスト";
	m.body = "本文です。\nline 2\n";
	m.html = "<p>本文です。</p>\n<table><tr><td bgcolor=\"#c62828\">&nbsp;</td></tr></table>\n";
	msg = compose_message(&m, &len);
	CHECK(msg != NULL, "alternative: composed");
	if (!msg)
		return;
	CHECK(lines_ok(msg, len, 78), "alternative: CRLF only, lines within 78");
	v = header(msg, "Content-Type");
	CHECK(v && strncmp(v, " multipart/alternative; boundary=\"", 34) == 0,
	      "alternative: Content-Type multipart/alternative with a quoted boundary");
	free(v);
	CHECK_INT(count_headers(msg, "MIME-Version"), 1, "alternative: one MIME-Version");
	CHECK_INT(count_headers(msg, "Content-Type"), 1, "alternative: one Content-Type header");
	CHECK_INT(count_headers(msg, "Content-Transfer-Encoding"), 0,
		  "alternative: no transfer encoding for the multipart itself");
	b = boundary_of(msg);
	CHECK(b && strncmp(b, "=_", 2) == 0 && strlen(b) <= 70,
	      "alternative: a boundary starting \"=_\" (never in base64), at most 70 (RFC 2046)");
	n = b ? split_parts(msg, b, parts, 4) : -1;
	CHECK_INT(n, 2, "alternative: two parts, then the close delimiter ends the message");
	if (n == 2) {
		CHECK_STR(parts[0].headers,
			  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64",
			  "alternative: text/plain first, UTF-8 base64");
		CHECK_STR(parts[0].body, "本文です。\r\nline 2\r\n", "alternative: the text decodes back (CRLF)");
		CHECK_STR(parts[1].headers,
			  "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64",
			  "alternative: text/html second, UTF-8 base64");
		CHECK_STR(parts[1].body,
			  "<p>本文です。</p>\r\n<table><tr><td bgcolor=\"#c62828\">&nbsp;</td></tr></table>\r\n",
			  "alternative: the HTML decodes back (CRLF)");
	}
	free_parts(parts, n > 0 ? n : 0);
	CHECK_INT(b ? count_of(msg, b) : 0, 4,
		  "alternative: the boundary occurs only in the header and the three delimiters");

	again = compose_message(&m, &len2);
	CHECK(again && len2 == len && memcmp(again, msg, len) == 0,
	      "alternative: the same fields give the same bytes (no randomness)");
	free(again);
	m.message_id = "2@bot.example.com";
	other = compose_message(&m, &len2);
	b2 = other ? boundary_of(other) : NULL;
	CHECK(b && b2 && strcmp(b, b2) != 0, "alternative: another message, another boundary");
	free(b2);
	free(other);
	free(msg);

	/* A text that holds a delimiter of our own cannot end its part. */
	m.message_id = "1@bot.example.com";
	m.html = "x";
	msg = compose_message(&m, &len);
	m.body = msg ? strstr(msg, "\r\n--=_") + 2 : "";	/* "--=_…" lines as body text */
	other = compose_message(&m, &len2);
	b2 = other ? boundary_of(other) : NULL;
	n = b2 ? split_parts(other, b2, parts, 4) : -1;
	CHECK_INT(n, 2, "alternative: delimiter lines in the text stay inside its part");
	if (n == 2)
		CHECK(strstr(parts[0].body, "--=_incident-bot_") != NULL, "... and decode back");
	free_parts(parts, n > 0 ? n : 0);
	free(b2);
	free(other);
	free(msg);
	free(b);

	/* ISO-2022-JP is for text-only mail; an HTML mail is UTF-8. */
	m = jis_msg();
	m.html = "<p>ご連絡</p>";
	msg = compose_message(&m, &len);
	CHECK(msg && !strstr(msg, "ISO-2022-JP") && strstr(msg, "=?UTF-8?B?") &&
	      strstr(msg, "multipart/alternative"),
	      "alternative: charset iso-2022-jp still gives UTF-8 with an HTML part");
	free(msg);
	m.html = NULL;
	msg = compose_message(&m, &len);
	CHECK(is_jis(msg), "... and ISO-2022-JP without one");
	free(msg);
}

/*
 * Issue 13: the notice drafts go as attachments of one mail — text/plain
 * UTF-8, their Japanese names in RFC 2231 form that our own parser (and
 * every client) decodes back; urgent mail carries Importance and
 * X-Priority, the rest neither.
 */
static void test_attachments(void)
{
	static const char long_name[] =
		"INC-2026-0001_個人情報保護委員会への速報（規則8条1項）の下書き.txt";
	struct outpart att[3] = {
		{ long_name, "速報の下書き\n一 概要\n" },
		{ "amazon.txt", "Dear Amazon,\nline 2\n" },
		{ "evil\r\nBcc: victim@example.net/../x.txt", "x" },
	};
	struct outmsg m = base_msg();
	struct mime_part parts[6] = { 0 };
	struct mail parsed = { 0 };
	struct error err = { 0 };
	char *msg, *b, *v, sha[65];
	size_t len;
	int n;

	m.subject = "下書き 3 件";
	m.body = "下書きを添付します。\n";
	m.attachments = att;
	m.n_attachments = 3;
	msg = compose_message(&m, &len);
	CHECK(msg != NULL, "attachments: composed");
	if (!msg)
		return;
	CHECK(lines_ok(msg, len, 78), "attachments: CRLF only, lines within 78 (RFC 2231 continuations)");
	v = header(msg, "Content-Type");
	CHECK(v && strncmp(v, " multipart/mixed; boundary=\"", 28) == 0,
	      "attachments: Content-Type multipart/mixed");
	free(v);
	CHECK_INT(count_headers(msg, "MIME-Version"), 1, "attachments: one MIME-Version");
	CHECK_INT(count_headers(msg, "Bcc"), 0, "attachments: a file name adds no header");
	CHECK(strstr(msg, "filename*0*=UTF-8''") && strstr(msg, "filename*1*="),
	      "attachments: a long Japanese name is split into RFC 2231 segments");
	CHECK(strstr(msg, "filename=\"amazon.txt\""), "attachments: an ASCII name goes quoted");
	b = boundary_of(msg);
	n = b ? split_parts(msg, b, parts, 6) : -1;
	CHECK_INT(n, 4, "attachments: the text and three files");
	if (n == 4) {
		CHECK_STR(parts[0].headers,
			  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64",
			  "attachments: the text first, UTF-8 base64");
		CHECK_STR(parts[0].body, "下書きを添付します。\r\n", "attachments: the text decodes back");
		CHECK(strncmp(parts[1].headers, "Content-Type: text/plain; charset=UTF-8;", 40) == 0 &&
		      strstr(parts[1].headers, "Content-Disposition: attachment;"),
		      "attachments: a file is text/plain UTF-8, disposition attachment");
		CHECK_STR(parts[1].body, "速報の下書き\r\n一 概要\r\n", "attachments: a file decodes back (CRLF)");
		CHECK_STR(parts[2].body, "Dear Amazon,\r\nline 2\r\n", "attachments: so does the second");
	}
	free_parts(parts, n > 0 ? n : 0);
	free(b);

	CHECK_INT(mime_parse(msg, len, &parsed, &err), 0, "attachments: our parser reads the mail");
	CHECK_INT(parsed.n_attachments, 3, "... and finds three attachments");
	if (parsed.n_attachments == 3) {
		CHECK_STR(parsed.attachments[0].filename, long_name,
			  "... the Japanese name decoded from its RFC 2231 segments");
		CHECK_STR(parsed.attachments[1].filename, "amazon.txt", "... the ASCII name");
		CHECK_STR(parsed.attachments[2].filename, "evil Bcc: victim@example.net_.._x.txt",
			  "... the hostile name on one line, without a path");
		digest_sha256_hex("速報の下書き\r\n一 概要\r\n", strlen("速報の下書き\r\n一 概要\r\n"), sha);
		CHECK_STR(parsed.attachments[0].sha256, sha, "... and the file's bytes");
	}
	mail_release(&parsed);
	CHECK_INT(count_headers(msg, "Importance") + count_headers(msg, "X-Priority"), 0,
		  "urgent: not set, no Importance nor X-Priority");
	free(msg);

	m.urgent = true;
	m.n_attachments = 0;
	msg = compose_message(&m, &len);
	v = msg ? header(msg, "Importance") : NULL;
	CHECK_STR(v, " high", "urgent: Importance: high");
	free(v);
	v = msg ? header(msg, "X-Priority") : NULL;
	CHECK_STR(v, " 1", "urgent: X-Priority: 1");
	free(v);
	CHECK(msg && count_headers(msg, "Importance") == 1, "urgent: once");
	free(msg);

	/* ISO-2022-JP: the text stays so, the files are UTF-8 */
	m = jis_msg();
	m.attachments = att;
	m.n_attachments = 2;
	msg = compose_message(&m, &len);
	CHECK(msg && strstr(msg, "multipart/mixed") &&
	      strstr(msg, "Content-Type: text/plain; charset=ISO-2022-JP\r\n") &&
	      strstr(msg, "Content-Type: text/plain; charset=UTF-8;\r\n name*"),
	      "attachments: charset iso-2022-jp keeps the text ISO-2022-JP, the files UTF-8");
	free(msg);
}

int main(void)
{
	test_encode_word();
	test_encode_word_long();
	test_subjects();
	test_long_subject_split();
	test_display_names();
	test_injection();
	test_date();
	test_threading();
	test_fixed_headers();
	test_bodies();
	test_long_body();
	test_jis_subjects();
	test_jis_word_bytes();
	test_jis_names();
	test_jis_bodies();
	test_jis_fallback();
	test_jis_injection();
	test_default_unchanged();
	test_alternative();
	test_attachments();
	return test_done();
}
