/* vars.c — see vars.h. To add a variable: set it here, document it in
 * templates/README.md, use it in a template. */
#include "notify/vars.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/utf8.h"
#include "outbox/outbox.h"
#include "rules/policy.h"
#include "rules/when.h"

/* Issue 14 (V7, point 10): at most this many bytes of the report in an
 * excerpt — a one-line 20 MB report was copied whole into every alarm. */
#define EXCERPT_BYTES 8192

/* The report's text as quoted in the alarm: at most max_lines lines and
 * EXCERPT_BYTES bytes (cut on a UTF-8 boundary), "(…)" when cut. */
static char *excerpt(const char *body, int max_lines)
{
	size_t len = strnlen(body, EXCERPT_BYTES + 1), end = len < EXCERPT_BYTES ? len : EXCERPT_BYTES;
	size_t keep = 0;
	const char *nl;
	char *out;
	int lines;

	/* max_lines line ends within the first `end` bytes */
	for (lines = 0; lines < max_lines && (nl = memchr(body + keep, '\n', end - keep)); lines++)
		keep = (size_t)(nl - body) + 1;
	if (lines == max_lines && body[keep]) {
		/* cut after the last of them */
	} else if (len <= EXCERPT_BYTES) {
		return strdup(body);
	} else {
		keep = utf8_cut_bytes(body, len, EXCERPT_BYTES);
	}
	if (asprintf(&out, "%.*s(…)\n", (int)keep, body) < 0)
		return NULL;
	return out;
}

static int add_people(struct tvars *v, const struct config *cfg)
{
	size_t i;

	if (tvars_set_list(v, "admins") < 0 || tvars_set_list(v, "management") < 0 ||
	    tvars_set_list(v, "admin_phones") < 0)
		return -1;
	for (i = 0; i < cfg->n_persons; i++) {
		const struct person *p = &cfg->persons[i];
		struct tvars *item;

		if (p->roles & ROLE_ADMIN) {	/* policy 7-1: whom to report to */
			if (!(item = tvars_add_item(v, "admins")))
				return -1;
		} else if (p->roles & ROLE_MANAGEMENT) {
			if (!(item = tvars_add_item(v, "management")))
				return -1;
		} else {
			continue;
		}
		if (tvars_set(item, "name", p->name) < 0 || tvars_set(item, "email", p->email) < 0 ||
		    tvars_set(item, "phone", p->phone) < 0)
			return -1;
		/* issue 13: whom a high-priority reporter calls now (policy 7-1) */
		if ((p->roles & ROLE_ADMIN) && p->phone && *p->phone &&
		    (!(item = tvars_add_item(v, "admin_phones")) ||
		     tvars_set(item, "name", p->name) < 0 || tvars_set(item, "phone", p->phone) < 0))
			return -1;
	}
	return 0;
}

static int add_report(struct tvars *v, const struct mail *m)
{
	char *text = excerpt(m && m->body ? m->body : "", 40);
	size_t i;
	int rc;

	if (!text)
		return -1;
	rc = tvars_set(v, "report_excerpt", text);
	free(text);
	/* issue 12: the earliest time the report writes, proposed for /aware */
	if (rc == 0) {	/* set even when empty: a template may name it */
		time_t noticed = m && m->date > 0 ? when_noticed(m->body, m->date, NULL, NULL) : 0;
		char shown[40];

		/* in the form /aware reads back in the configured zone */
		if (noticed)
			clock_format_short(noticed, shown, sizeof shown);
		rc = tvars_set(v, "noticed", noticed ? shown : NULL);
	}
	if (rc < 0 || tvars_set(v, "report_message_id", m ? m->message_id : NULL) < 0 ||
	    tvars_set(v, "report_date", m ? m->date_raw : NULL) < 0 ||
	    tvars_set_list(v, "attachments") < 0)
		return -1;
	for (i = 0; m && i < m->n_attachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		struct tvars *item = tvars_add_item(v, "attachments");

		if (!item || tvars_set(item, "filename", a->filename ? a->filename : "(名前なし)") < 0 ||
		    tvars_set(item, "content_type", a->content_type) < 0 ||
		    tvars_setf(item, "size", "%zu", a->size) < 0 ||
		    tvars_set(item, "sha256", a->sha256) < 0)
			return -1;
	}
	return 0;
}

struct tvars *vars_for_ticket(const struct config *cfg, const struct ticket *t,
			      const struct mail *m)
{
	const struct person *owner = t->owner ? config_find_person(cfg, t->owner) : NULL;
	struct tvars *v = tvars_new();
	char created[40], aware[40], aware_ja[48], aware_en[48], *reply = NULL;

	if (!v)
		return NULL;
	reply = outbox_reply_address(cfg, t->ref);
	clock_format_short(t->created_at, created, sizeof created);
	clock_format_short(t->aware_at, aware, sizeof aware);
	vars_time_ja(t->aware_at, aware_ja, sizeof aware_ja);
	vars_time_en(t->aware_at, aware_en, sizeof aware_en);
	if (!reply ||
	    tvars_set(v, "ticket_id", t->ref) < 0 ||
	    tvars_set(v, "ticket_subject", t->subject) < 0 ||
	    tvars_set(v, "ticket_status", t->status >= 0 ? status_name(t->status) : "") < 0 ||
	    tvars_set(v, "ticket_created", created) < 0 ||
	    tvars_set(v, "ticket_aware", aware) < 0 ||
	    /* issue 13: a letter's dates, and who signs it */
	    tvars_set(v, "letter_aware", aware_ja) < 0 ||
	    tvars_set(v, "letter_aware_en", aware_en) < 0 ||
	    tvars_set(v, "company_name", cfg->company.name) < 0 ||
	    tvars_set(v, "company_shop", cfg->company.shop) < 0 ||
	    tvars_set(v, "company_website", cfg->company.website) < 0 ||
	    tvars_set(v, "reporter_name", t->reporter_name && *t->reporter_name ?
		      t->reporter_name : t->reporter_addr) < 0 ||
	    tvars_set(v, "reporter_addr", t->reporter_addr) < 0 ||
	    /* issue 14 (V5): an outside reporter's acknowledgement echoes
	     * none of their own words but 80 characters of the subject */
	    tvars_set(v, "outside", t->reporter_addr &&
		      !config_is_company_address(cfg, t->reporter_addr) ? "1" : "") < 0 ||
	    tvars_set(v, "bot_addr", cfg->smtp.from) < 0 ||
	    tvars_set(v, "bot_name", cfg->smtp.from_name) < 0 ||
	    tvars_set(v, "reply_addr", reply) < 0 ||
	    tvars_set(v, "owner_name", owner ? owner->name : t->owner) < 0 ||
	    tvars_set(v, "owner_phone", owner ? owner->phone : NULL) < 0 ||
	    tvars_set(v, "lessons", t->lessons) < 0 ||
	    add_people(v, cfg) < 0 || add_report(v, m) < 0) {
		free(reply);
		tvars_free(v);
		return NULL;
	}
	free(reply);
	return v;
}

/* The three forms of a duration in one language: days and hours, hours
 * and minutes, minutes alone. */
struct duration_units {
	const char *days_hours, *hours_minutes, *minutes;
};

static void duration(long seconds, const struct duration_units *u, char *buf, size_t len)
{
	long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;

	if (d > 0)
		snprintf(buf, len, u->days_hours, d, h);
	else if (h > 0)
		snprintf(buf, len, u->hours_minutes, h, m);
	else
		snprintf(buf, len, u->minutes, m);
}

void vars_duration(long seconds, char *buf, size_t len)
{
	static const struct duration_units ja = { "%ld日%ld時間", "%ld時間%ld分", "%ld分" };

	duration(seconds, &ja, buf, len);
}

void vars_duration_en(long seconds, char *buf, size_t len)
{
	static const struct duration_units en = { "%ld d %ld h", "%ld h %ld min", "%ld min" };

	duration(seconds, &en, buf, len);
}

/* ---- dates and numbers as a letter writes them (issue 13) ---- */

void vars_date_ja(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(buf, len, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void vars_time_ja(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	if (tm.tm_min)
		snprintf(buf, len, "%d年%d月%d日 %d時%d分", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, len, "%d年%d月%d日 %d時", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour);
}

void vars_time_en(time_t t, char *buf, size_t len)
{
	static const char *const months[] = { "January", "February", "March", "April", "May",
					       "June", "July", "August", "September", "October",
					       "November", "December" };
	int off = clock_utc_offset_min(t);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(buf, len, "%d %s %d, %d:%02d (UTC%c%02d:%02d)", tm.tm_mday,
		 months[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
}

void vars_count(long n, char *buf, size_t len)
{
	char digits[32], out[48];
	unsigned long u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
	size_t d, i, o = 0;

	d = (size_t)snprintf(digits, sizeof digits, "%lu", u);
	if (n < 0)
		out[o++] = '-';
	for (i = 0; i < d; i++) {
		if (i > 0 && (d - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

/* A copy of text on one line, at most max bytes (cut on a UTF-8 boundary, "…" added). */
static char *one_line(const char *text, size_t max)
{
	size_t len = strlen(text), cut = utf8_cut_bytes(text, len, max), i, o = 0;
	char *out;

	if (!(out = malloc(cut * 3 + 8)))
		return NULL;
	for (i = 0; i < cut; i++) {
		if (text[i] == '\r')
			continue;
		if (text[i] == '\n') {
			if (i + 1 < cut && o > 0) {
				memcpy(out + o, " / ", 3);
				o += 3;
			}
			continue;
		}
		out[o++] = text[i];
	}
	if (cut < len) {
		memcpy(out + o, "…", strlen("…"));
		o += strlen("…");
	}
	out[o] = '\0';
	return out;
}

/* Sets key to text built by printf; -1 on out-of-memory. */
static int set_text(struct tvars *v, const char *key, char *text)
{
	int rc = text ? tvars_set(v, key, text) : -1;

	free(text);
	return rc;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *out;
	int rc;

	va_start(ap, f);
	rc = vasprintf(&out, f, ap);
	va_end(ap);
	return rc < 0 ? NULL : out;
}

/* name and label of one enumeration value ("high", "高"); unset (-1): "" and "未確認". */
static int set_enum(struct tvars *v, const char *key, int val, const char *(*name_of)(int),
		    const char *(*label_of)(int))
{
	char label_key[64];

	snprintf(label_key, sizeof label_key, "%s_label", key);
	return tvars_set(v, key, val >= 0 ? name_of(val) : "") < 0 ||
	       tvars_set(v, label_key, val >= 0 ? label_of(val) : "未確認 / unknown") < 0 ? -1 : 0;
}

/* Adapters: the *_name and *_label functions take their enum, set_enum an int. */
static const char *type_name_i(int x) { return type_name(x); }
static const char *type_label_i(int x) { return type_label(x); }
static const char *priority_name_i(int x) { return priority_name(x); }
static const char *priority_label_i(int x) { return priority_label(x); }
static const char *source_name_i(int x) { return source_name(x); }
static const char *source_label_i(int x) { return source_label(x); }
static const char *status_name_i(int x) { return status_name(x); }
static const char *status_label_i(int x) { return status_label(x); }

/* "has_" + "personal-data" → "has_personal_data": template names have no "-". */
static void var_name(const char *prefix, const char *name, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s%s", prefix, name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '-')
			buf[i] = '_';
}

static bool is_open(const struct obligation *o)
{
	return o->state == OBLIGATION_OPEN;
}

/* What a notice says of an obligation: 「未実施（期限 …）」, 「実施済み（…）」, … */
static char *obligation_status(const struct obligation *o, time_t now)
{
	const char *why = o->reason && *o->reason ? o->reason : NULL;
	char due[40], closed[40];

	clock_format_short(o->due_at, due, sizeof due);
	clock_format_short(o->closed_at, closed, sizeof closed);
	if (is_open(o))
		return fmt("未実施%s（期限 %s）", o->due_at < now ? "・期限切れ" : "", due);
	if (o->state == OBLIGATION_DONE)
		return fmt("実施済み（%s 記録%s%s）", closed, why ? "、" : "", why ? why : "");
	if (o->state == OBLIGATION_NOT_NEEDED)
		return fmt("不要と判断（%s 記録%s%s）", closed, why ? "、理由: " : "", why ? why : "");
	return fmt("対象外（%s）", why ? why : obligation_state_name(o->state));
}

/*
 * skippable: the internal-only flag lets an admin skip it (policy 7-4
 * 省略可能); it stays open, marked, until one does (/skip NAME REASON).
 */
static int add_obligation(struct tvars *v, const struct obligation *o, bool skippable,
			  enum deadline_kind dk, time_t now)
{
	struct tvars *item = tvars_add_item(v, "obligations");
	int kind = obligation_from_name(o->kind);
	char due[40], closed[40] = "", left[80];
	bool open = is_open(o), done = o->state == OBLIGATION_DONE;

	if (!item)
		return -1;
	clock_format_short(o->due_at, due, sizeof due);
	if (o->closed_at)
		clock_format_short(o->closed_at, closed, sizeof closed);
	if (!open)
		snprintf(left, sizeof left, "%s", obligation_state_name(o->state));
	else if (o->due_at >= now)
		vars_duration((long)(o->due_at - now), left, sizeof left);
	else {
		char late[32];

		vars_duration((long)(now - o->due_at), late, sizeof late);
		snprintf(left, sizeof left, "期限切れ %s / overdue", late);
	}
	return tvars_set(item, "kind", o->kind) < 0 ||
	       tvars_set(item, "label", kind >= 0 ? obligation_label(kind) : o->kind) < 0 ||
	       tvars_set(item, "state", obligation_state_name(o->state)) < 0 ||
	       tvars_set(item, "open", open ? "1" : "") < 0 ||
	       tvars_set(item, "overdue", open && o->due_at < now ? "1" : "") < 0 ||
	       tvars_set(item, "due", due) < 0 ||
	       tvars_set(item, "left", left) < 0 ||
	       tvars_set(item, "reason", o->reason) < 0 ||
	       tvars_set(item, "closed", closed) < 0 ||
	       tvars_set(item, "closed_by", o->closed_by) < 0 ||
	       tvars_set(item, "done", done ? "1" : "") < 0 ||
	       tvars_set(item, "done_late", done && o->closed_at > o->due_at ? "1" : "") < 0 ||
	       tvars_set(item, "skippable", open && skippable ? "1" : "") < 0 ||
	       tvars_set(item, "deadline", deadline_kind_label(dk)) < 0 ||
	       tvars_set(item, "deadline_kind", deadline_kind_name(dk)) < 0 ||
	       set_text(item, "status", obligation_status(o, now)) < 0 ? -1 : 0;
}

/* What a notice cannot say yet because nobody recorded it (SPEC 4: "what is still missing"). */
static int add_missing(struct tvars *v, const struct ticket *t)
{
	static const char *const what[] = {
		"種別（/type で記録）/ incident type",
		"優先度（/priority）/ priority",
		"検知経路（/source）/ how it was detected",
		"影響を受けた本人の数（/affected 人数）/ number of people affected",
		"担当者（/ack または /assign）/ owner",
	};
	bool unknown[] = { t->type < 0, t->priority < 0, t->source < 0, t->affected < 0,
			   !t->owner || !*t->owner };
	size_t i;

	if (tvars_set_list(v, "missing") < 0)
		return -1;
	for (i = 0; i < sizeof what / sizeof *what; i++) {
		struct tvars *item;

		if (unknown[i] && (!(item = tvars_add_item(v, "missing")) ||
				   tvars_set(item, "what", what[i]) < 0))
			return -1;
	}
	return 0;
}

static int add_checklist(struct tvars *v, const struct checklist_item *items, size_t n)
{
	size_t i;

	if (tvars_set_list(v, "checklist") < 0 || tvars_set_list(v, "checklist_done") < 0 ||
	    tvars_set_list(v, "checklist_open") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *lists[] = { "checklist", items[i].done_at ? "checklist_done" :
					"checklist_open" };
		char at[40] = "";
		size_t k;

		if (items[i].done_at)
			clock_format_short(items[i].done_at, at, sizeof at);
		for (k = 0; k < 2; k++) {
			struct tvars *item = tvars_add_item(v, lists[k]);

			if (!item || tvars_setf(item, "pos", "%d", items[i].pos) < 0 ||
			    tvars_set(item, "text", items[i].text) < 0 ||
			    tvars_set(item, "done", items[i].done_at ? "1" : "") < 0 ||
			    tvars_set(item, "done_at", at) < 0 ||
			    tvars_set(item, "done_by", items[i].done_by) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Issue 13: how a letter to an outsider says the company learned of it,
 * one sentence per way of policy 7-1, never a label glued to により
 * (「未確認 / unknown により」).  Indexed by enum source; the last line is
 * for a source nobody recorded.  A new source: a line here.
 */
static const struct {
	const char *ja, *en;
} detected[SOURCE_COUNT + 1] = {
	[SOURCE_SUSPECTED_ACCESS] = { "当社システムへの不正アクセスの兆候を確認したことにより判明いたしました。",
				      "We found signs of unauthorized access to our systems." },
	[SOURCE_CONFIRMED_LEAK] = { "当社の調査により、情報が外部に流出した事実を確認いたしました。",
				    "Our own investigation confirmed that information had leaked." },
	[SOURCE_UTM_VENDOR] = { "当社のネットワークを監視するセキュリティ会社からの連絡により判明いたしました。",
				"The security company that monitors our network notified us." },
	[SOURCE_EXTERNAL_NOTICE] = { "外部からのご連絡により判明いたしました。",
				     "An outside party notified us." },
	[SOURCE_SYSTEM_ALERT] = { "当社システムの監視で異常を検知したことにより判明いたしました。",
				  "Our system monitoring detected an anomaly." },
	[SOURCE_MALFUNCTION] = { "当社システムが正常に動作しなくなったことにより判明いたしました。",
				 "Our systems stopped working normally." },
	[SOURCE_EQUIPMENT] = { "当社の機器の不具合により判明いたしました。",
			       "A fault in our equipment revealed it." },
	[SOURCE_COUNT] = { "当社において判明いたしました。", "We became aware of it ourselves." },
};

/* The incident type in an English letter (Amazon, AWS); "" when unknown. */
static const char *const type_en[TYPE_COUNT] = {
	[TYPE_DATABASE_HACKING] = "unauthorized access to a database",
	[TYPE_UNAUTHORIZED_ACCESS] = "unauthorized access",
	[TYPE_DATA_LEAK] = "data leak",
	[TYPE_INSIDER_LEAK] = "data leak by an insider",
	[TYPE_MALWARE] = "malware infection",
	[TYPE_DOS] = "denial-of-service attack",
	[TYPE_LOST_DEVICE] = "lost storage media or device",
	[TYPE_POWER] = "power failure",
	[TYPE_OVERHEATING] = "equipment overheating",
	[TYPE_DISASTER] = "equipment damaged by a natural disaster",
	[TYPE_OTHER] = "other security incident",
};

/* The letter variables of t (issue 13): detection sentence, type, people. */
static int add_letter(struct tvars *v, const struct ticket *t)
{
	int src = t->source, type = t->type;
	char people[48];

	if (src < 0)
		src = SOURCE_COUNT;
	if (t->affected >= 0)
		vars_count(t->affected, people, sizeof people);
	return tvars_set(v, "letter_detected", detected[src].ja) < 0 ||
	       tvars_set(v, "letter_detected_en", detected[src].en) < 0 ||
	       tvars_set(v, "letter_type", type >= 0 ? type_label(type) : "") < 0 ||
	       tvars_set(v, "letter_type_en", type >= 0 && type_en[type] ? type_en[type] : "") < 0 ||
	       tvars_set(v, "affected_count", t->affected >= 0 ? people : "") < 0 ||
	       tvars_set(v, "priority_high",
			 t->priority == PRIORITY_HIGH ? "1" : "") < 0 ? -1 : 0;
}

int vars_add_policy(struct tvars *v, const struct ticket *t, const struct checklist_item *items,
		    size_t n_items, const struct obligation *obl, size_t n_obl, time_t now)
{
	struct policy_facts facts = store_ticket_facts(t);
	unsigned skippable = policy_waivable(&facts);
	char key[64];
	size_t i;
	int f, k;

	if (set_enum(v, "ticket_type", t->type, type_name_i, type_label_i) < 0 ||
	    set_enum(v, "ticket_priority", t->priority, priority_name_i, priority_label_i) < 0 ||
	    set_enum(v, "ticket_source", t->source, source_name_i, source_label_i) < 0 ||
	    set_enum(v, "ticket_status", t->status, status_name_i, status_label_i) < 0 ||
	    tvars_set(v, "classify_why", t->classify_why) < 0 ||
	    tvars_set(v, "drill", (t->flags & FLAG_BIT(FLAG_DRILL)) ? "1" : "") < 0 ||
	    tvars_set(v, "owner", t->owner) < 0 ||
	    (t->affected >= 0 ? tvars_setf(v, "affected", "%ld", t->affected)
			      : tvars_set(v, "affected", NULL)) < 0 ||
	    /* APPI rules art. 7(4): more than 1,000 people */
	    tvars_set(v, "affected_over_1000",
		      t->affected > 1000 || (t->affected == 1000 && t->affected_over) ? "1" : "") < 0 ||
	    /* issue 12: 「1,000人超」 is more than its number; records are not people */
	    tvars_set(v, "affected_more", t->affected >= 0 && t->affected_over ? "1" : "") < 0 ||
	    (t->records >= 0 ? tvars_setf(v, "records", "%ld", t->records)
			     : tvars_set(v, "records", NULL)) < 0 ||
	    tvars_set(v, "ppc_reportable", policy_ppc_reportable(&facts) ? "1" : "") < 0 ||
	    tvars_set_list(v, "flags") < 0 || tvars_set_list(v, "obligations") < 0 ||
	    add_checklist(v, items, n_items) < 0 || add_missing(v, t) < 0 ||
	    add_letter(v, t) < 0)
		return -1;
	for (f = 0; f < FLAG_COUNT; f++) {
		bool on = t->flags & FLAG_BIT(f);
		struct tvars *item;

		var_name("has_", flag_name(f), key, sizeof key);
		if (tvars_set(v, key, on ? "1" : "") < 0)
			return -1;
		if (on && (!(item = tvars_add_item(v, "flags")) ||
			   tvars_set(item, "name", flag_name(f)) < 0 ||
			   tvars_set(item, "label", flag_label(f)) < 0))
			return -1;
	}
	for (k = 0; k < OBL_COUNT; k++) {
		var_name("obl_", obligation_name(k), key, sizeof key);
		if (tvars_set(v, key, "") < 0)
			return -1;
		var_name("done_", obligation_name(k), key, sizeof key);
		if (tvars_set(v, key, "") < 0)
			return -1;
	}
	for (i = 0; i < n_obl; i++) {
		k = obligation_from_name(obl[i].kind);
		if (add_obligation(v, &obl[i], k >= 0 && (skippable & (1u << k)),
				   policy_deadline_kind(k >= 0 ? k : OBL_COUNT, &facts), now) < 0)
			return -1;
		var_name("obl_", obl[i].kind, key, sizeof key);
		if (obligation_from_name(obl[i].kind) >= 0 &&
		    set_text(v, key, obligation_status(&obl[i], now)) < 0)
			return -1;
		/* issue 13: a letter says 「報告いたしました」 only of what was done */
		var_name("done_", obl[i].kind, key, sizeof key);
		if (obligation_from_name(obl[i].kind) >= 0 &&
		    tvars_set(v, key,
			      obl[i].state == OBLIGATION_DONE ? "1" : "") < 0)
			return -1;
	}
	return 0;
}

int vars_add_obligation(struct tvars *v, const struct obligation *o, const struct ticket *t,
			time_t now)
{
	int kind = obligation_from_name(o->kind);
	struct policy_facts facts = t ? store_ticket_facts(t) : (struct policy_facts){ 0 };
	enum deadline_kind dk = policy_deadline_kind(kind >= 0 ? kind : OBL_COUNT,
						     t ? &facts : NULL);
	char due[40], span[40], span_en[40];
	long apart = (long)(o->due_at > now ? o->due_at - now : now - o->due_at);

	clock_format_short(o->due_at, due, sizeof due);
	vars_duration(apart, span, sizeof span);
	vars_duration_en(apart, span_en, sizeof span_en);
	return tvars_set(v, "obligation_kind", o->kind) < 0 ||
	       tvars_set(v, "obligation_label", kind >= 0 ? obligation_label(kind) : o->kind) < 0 ||
	       tvars_set(v, "obligation_due", due) < 0 ||
	       tvars_set(v, "obligation_deadline", deadline_kind_label(dk)) < 0 ||
	       tvars_set(v, "obligation_deadline_kind", deadline_kind_name(dk)) < 0 ||
	       tvars_set(v, "obligation_left", o->due_at > now ? span : "") < 0 ||
	       tvars_set(v, "obligation_late", o->due_at > now ? "" : span) < 0 ||
	       tvars_set(v, "obligation_left_en", o->due_at > now ? span_en : "") < 0 ||
	       tvars_set(v, "obligation_late_en", o->due_at > now ? "" : span_en) < 0 ? -1 : 0;
}

/* ---- the timeline (policy 8) ---- */

/*
 * The events a person reads on the timeline, in Japanese; the others
 * (every queued mail, suppressed acknowledgements) are bookkeeping.
 * To show a new kind of event: add it here.
 */
static const struct {
	const char *kind, *label;
} event_labels[] = {
	{ "opened", "報告受付" },
	{ "classified", "自動分類" },
	{ "drill", "訓練" },
	{ "follow-up", "追加の連絡" },
	{ "status", "状態の変更" },
	{ "note", "メモ" },
	{ "command", "管理者のコマンド" },
	{ "command-refused", "コマンドの拒否" },
	{ "obligation-opened", "対応義務の発生" },
	{ "obligation-closed", "対応の記録" },
	{ "obligation-cancelled", "対応義務の取消" },
	{ "draft", "下書きの送付" },
	{ "escalated", "エスカレーション" },
	{ "bounce", "配信失敗" },
	{ "cut", "大きすぎるメール" },
	{ "lessons", "教訓の登録" },
	{ "close-reason", "クローズの理由" },
	{ "closed-without-lessons", "教訓なしでクローズ" },
};

static const char *event_label(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof event_labels / sizeof *event_labels; i++)
		if (strcmp(kind, event_labels[i].kind) == 0)
			return event_labels[i].label;
	return NULL;
}

/* The event's detail as the timeline shows it: an audit record's commands without
 * its first line (the mail's hash and authentication). */
static char *event_text(const struct event *e)
{
	const char *d = e->detail ? e->detail : "", *nl;

	if (e->kind && strncmp(e->kind, "command", 7) == 0 && (nl = strchr(d, '\n')) && nl[1])
		d = nl + 1;
	return one_line(d, strcmp(e->kind, "lessons") == 0 ? 120 : 300);
}

/* Appends {text} to list; takes text (NULL: out of memory). */
static int add_fact(struct tvars *v, const char *list, char *text)
{
	struct tvars *item;
	int rc = -1;

	if (text && (item = tvars_add_item(v, list)))
		rc = tvars_set(item, "text", text);
	free(text);
	return rc;
}

/* key: how long from `from` to `to`, or none when `to` is 0. */
static int set_took(struct tvars *v, const char *key, time_t from, time_t to, const char *none)
{
	char span[40];

	if (!to)
		return tvars_set(v, key, none);
	vars_duration((long)(to > from ? to - from : 0), span, sizeof span);
	return tvars_set(v, key, span);
}

/* What the record says went well and badly (policy 8(2): 対応手順の不備、または良かった点). */
static int add_judgement(struct tvars *v, const struct ticket *t, const struct obligation *obl,
			 size_t n_obl, int refused, time_t now)
{
	char span[40], due[40];
	size_t i;

	if (tvars_set_list(v, "went_well") < 0 || tvars_set_list(v, "went_badly") < 0)
		return -1;
	/* policy 7-1: report at once; the legal clocks run from the awareness time */
	if (t->aware_at && t->created_at > t->aware_at + 3600) {
		vars_duration((long)(t->created_at - t->aware_at), span, sizeof span);
		if (add_fact(v, "went_badly", fmt("認知から窓口への報告まで %s（規程 7-1: 速やかに報告）",
						   span)) < 0)
			return -1;
	}
	if (t->acked_at) {
		vars_duration((long)(t->acked_at - t->created_at), span, sizeof span);
		if (add_fact(v, t->escalation_stage ? "went_badly" : "went_well",
			     t->escalation_stage ?
			     fmt("受付まで %s、その間にエスカレーション %d 回（規程 7-2）", span,
				 t->escalation_stage) :
			     fmt("受付まで %s、エスカレーションなし（規程 7-2）", span)) < 0)
			return -1;
	} else if (add_fact(v, "went_badly", fmt("受付（/ack）の記録なし")) < 0) {
		return -1;
	}
	for (i = 0; i < n_obl; i++) {
		const struct obligation *o = &obl[i];
		int kind = obligation_from_name(o->kind);
		const char *label = kind >= 0 ? obligation_label(kind) : o->kind;
		int rc = 0;

		clock_format_short(o->due_at, due, sizeof due);
		if (o->state == OBLIGATION_DONE && o->closed_at <= o->due_at) {
			rc = add_fact(v, "went_well", fmt("%s: 期限内に実施（期限 %s）", label, due));
		} else if (o->state == OBLIGATION_DONE) {
			vars_duration((long)(o->closed_at - o->due_at), span, sizeof span);
			rc = add_fact(v, "went_badly", fmt("%s: 期限（%s）を %s 過ぎて実施", label, due,
							    span));
		} else if (is_open(o) && o->due_at < now) {
			rc = add_fact(v, "went_badly", fmt("%s: 未実施のまま期限切れ（期限 %s）", label,
							    due));
		} else if (is_open(o)) {
			rc = add_fact(v, "went_badly", fmt("%s: 未実施（期限 %s）", label, due));
		}
		if (rc < 0)
			return -1;
	}
	if (refused > 0 &&
	    add_fact(v, "went_badly", fmt("認証できないコマンドのメールが %d 通（なりすましの有無を確認）",
					  refused)) < 0)
		return -1;
	return 0;
}

int vars_add_timeline(struct tvars *v, const struct ticket *t, const struct event *ev,
		      size_t n_ev, const struct obligation *obl, size_t n_obl, time_t now)
{
	char at[40];
	size_t i, shown = 0;
	int refused = 0;

	if (tvars_set_list(v, "timeline") < 0 || tvars_set_list(v, "notes") < 0)
		return -1;
	for (i = 0; i < n_ev; i++) {
		const char *label = event_label(ev[i].kind);
		struct tvars *item;
		char *text;

		if (!label)
			continue;
		refused += strcmp(ev[i].kind, "command-refused") == 0;
		clock_format_short(ev[i].at, at, sizeof at);
		if (!(text = event_text(&ev[i])))
			return -1;
		if (!(item = tvars_add_item(v, "timeline")) || tvars_set(item, "at", at) < 0 ||
		    tvars_set(item, "actor", ev[i].actor) < 0 ||
		    tvars_set(item, "kind", ev[i].kind) < 0 || tvars_set(item, "label", label) < 0 ||
		    tvars_set(item, "detail", text) < 0 ||
		    (strcmp(ev[i].kind, "note") == 0 &&
		     (!(item = tvars_add_item(v, "notes")) || tvars_set(item, "at", at) < 0 ||
		      tvars_set(item, "actor", ev[i].actor) < 0 ||
		      tvars_set(item, "text", ev[i].detail) < 0))) {
			free(text);
			return -1;
		}
		free(text);
		shown++;
	}
	return tvars_setf(v, "timeline_count", "%zu", shown) < 0 ||
	       set_took(v, "took_ack", t->created_at, t->acked_at, "未受付") < 0 ||
	       set_took(v, "took_contain", t->created_at, t->contained_at, "未到達") < 0 ||
	       set_took(v, "took_resolve", t->created_at, t->resolved_at, "未解決") < 0 ||
	       add_judgement(v, t, obl, n_obl, refused, now) < 0 ? -1 : 0;
}

/* ---- one notice's draft ---- */

int vars_add_draft(struct tvars *v, const struct config *cfg, int kind,
		   const struct obligation *o, time_t due, int number, time_t now)
{
	static const char *const kanji[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九",
					     "十" };
	const struct contacts_config *c = &cfg->contacts;
	char when[40], today[48];
	size_t i;

	clock_format_short(due, when, sizeof when);
	vars_date_ja(now, today, sizeof today);
	if (tvars_set(v, "draft_date", today) < 0 ||
	    tvars_set(v, "draft_kind", obligation_name(kind)) < 0 ||
	    tvars_set(v, "draft_label", obligation_label(kind)) < 0 ||
	    tvars_set(v, "draft_due", when) < 0 ||
	    (o ? set_text(v, "draft_status", obligation_status(o, now))
	       : tvars_set(v, "draft_status", "この案件の対応義務ではありません（参考の下書き）")) < 0 ||
	    /* policy 7-4: the contacts, from the configuration ("" when not set) */
	    tvars_set(v, "contact_ppc_phone", c->ppc_phone) < 0 ||
	    tvars_set(v, "contact_amazon", c->amazon) < 0 ||
	    tvars_set(v, "contact_aws", c->aws) < 0 ||
	    tvars_set(v, "contact_rakuten_phone", c->rakuten_phone) < 0 ||
	    tvars_set(v, "contact_yahoo_form", c->yahoo_form) < 0 ||
	    tvars_set(v, "contact_website", c->website) < 0 ||
	    tvars_set(v, "contact_staff", c->staff) < 0 ||
	    tvars_set_list(v, "contacts_outage") < 0 ||
	    tvars_setf(v, "publication_seq", "%d", number) < 0 ||
	    (number >= 1 && number <= 10 ? tvars_set(v, "publication_no", kanji[number - 1])
					 : tvars_setf(v, "publication_no", "%d", number)) < 0)
		return -1;
	for (i = 0; i < c->n_outage; i++) {
		struct tvars *item = tvars_add_item(v, "contacts_outage");

		if (!item || tvars_set(item, "contact", c->outage[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- a publication's next report (第二報, …) ---- */

/*
 * Issue 13: what a follow-up publication may tell the public of what was
 * done since the first, one sentence per obligation the public cares
 * about (policy 7-4, 7-5); the others (marketplaces, partners) are not
 * the public's business.  A new kind the public should hear of: a line.
 */
static const struct {
	enum obligation_kind kind;
	const char *said;
} told_public[] = {
	{ OBL_PPC_PRELIMINARY, "個人情報保護委員会へ報告いたしました。" },
	{ OBL_PPC_FINAL, "個人情報保護委員会へ調査の結果を報告いたしました。" },
	{ OBL_INDIVIDUALS, "対象のお客様へ、個別にご連絡いたしました。" },
	{ OBL_CONSULTATION_DESK, "専用のお問い合わせ窓口を開設いたしました。" },
};

int vars_add_since_first(struct tvars *v, const struct obligation *obl, size_t n_obl,
			 const struct event *ev, size_t n_ev, time_t first)
{
	char day[48] = "", at[40];
	size_t i, k;

	if (first)
		vars_date_ja(first, day, sizeof day);
	if (tvars_set(v, "publication_first", day) < 0 || tvars_set_list(v, "since_first") < 0 ||
	    tvars_set_list(v, "since_first_notes") < 0)
		return -1;
	if (!first)
		return 0;
	for (i = 0; i < n_obl; i++) {
		const struct obligation *o = &obl[i];
		struct tvars *item;

		if (o->state != OBLIGATION_DONE || o->closed_at < first)
			continue;
		for (k = 0; k < sizeof told_public / sizeof *told_public; k++) {
			if (strcmp(o->kind, obligation_name(told_public[k].kind)) != 0)
				continue;
			vars_date_ja(o->closed_at, day, sizeof day);
			if (!(item = tvars_add_item(v, "since_first")) || tvars_set(item, "at", day) < 0 ||
			    tvars_set(item, "text", told_public[k].said) < 0)
				return -1;
		}
	}
	/* the admins write the progress from their own notes: never quoted to the public */
	for (i = 0; i < n_ev; i++) {
		struct tvars *item;

		if (!ev[i].kind || strcmp(ev[i].kind, "note") != 0 || ev[i].at < first)
			continue;
		clock_format_short(ev[i].at, at, sizeof at);
		if (!(item = tvars_add_item(v, "since_first_notes")) || tvars_set(item, "at", at) < 0 ||
		    tvars_set(item, "actor", ev[i].actor) < 0 ||
		    tvars_set(item, "text", ev[i].detail) < 0)
			return -1;
	}
	return 0;
}
