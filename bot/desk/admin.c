/* admin.c — see admin.h. */
#include "desk/admin.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "desk/engine.h"
#include "mime/quote.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "notify/notify.h"
#include "rules/auth.h"
#include "rules/command.h"
#include "rules/deadline.h"
#include "rules/policy.h"

/* ---- who and whether authentic ---- */

static bool may_command(const struct config *cfg, const char *addr)
{
	const struct person *p = config_find_person(cfg, addr);

	/* SPEC 6: configured admins and management, nobody else */
	return p && (p->roles & (ROLE_ADMIN | ROLE_MANAGEMENT));
}

/* Issue 13: people by their configured names; an address nobody configured as itself. */
static const char *who(const struct config *cfg, const char *addr)
{
	const struct person *p = addr ? config_find_person(cfg, addr) : NULL;

	return p && p->name && *p->name ? p->name : addr ? addr : "";
}

/*
 * The token check: a reply address of t's ticket whose token is the
 * sender's live generation (issue 14: not revoked, not older than
 * commands.token_max_age, the ticket not closed since).  1, 0, or -1 on a
 * store error.
 */
static int token_ok(const struct config *cfg, struct store *st, const struct mail *m,
		    const struct ticket *t, time_t now, char *why, size_t why_len,
		    struct error *err)
{
	char ref[24], token[AUTH_TOKEN_LEN + 1];
	bool other_ticket = false;
	unsigned long gen;
	size_t i;
	int live;

	if (!cfg->token_secret) {
		snprintf(why, why_len, "token: no secret loaded");
		return 0;
	}
	for (i = 0; i < m->n_to + m->n_cc; i++) {
		const char *a = i < m->n_to ? m->to[i].addr : m->cc[i - m->n_to].addr;

		if (!a || !auth_address_token(a, cfg->smtp.from, ref, token))
			continue;
		if (strcmp(ref, t->ref) != 0) {
			other_ticket = true;
			continue;
		}
		live = store_token_live(st, t->id, m->from.addr, now, cfg->commands.token_max_age,
					&gen, NULL, err);
		if (live < 0)
			return -1;
		if (live && auth_token_ok(cfg->token_secret, ref, m->from.addr, gen, token)) {
			snprintf(why, why_len, "token of %s for %s (generation %lu): ok", ref,
				 m->from.addr, gen);
			return 1;
		}
		/* one reason for all three: a revoked, expired or foreign token
		 * all mean "ask for a fresh one", and the sender is never told */
		snprintf(why, why_len, "token of %s is not the live one of %s (revoked, expired, "
			 "closed ticket or another person's: /token mails a fresh one)", ref,
			 m->from.addr);
		return 0;
	}
	snprintf(why, why_len, other_ticket ? "token: the reply address is of another ticket" :
		 "token: not sent to a reply address with a token");
	return 0;
}

int admin_authentic(const struct config *cfg, struct store *st, const struct mail *m,
		    const struct ticket *t, time_t now, char *why, size_t why_len,
		    struct error *err)
{
	char tok[300] = "", dkim[300] = "";
	int ok = 1;

	if (cfg->commands.auth & AUTH_TOKEN)
		ok = token_ok(cfg, st, m, t, now, tok, sizeof tok, err);
	if (ok < 0)
		return -1;
	if (cfg->commands.auth & AUTH_DKIM) {
		struct auth_border b = {
			.authserv_id = cfg->commands.authserv_id,
			.internal_hosts = (const char *const *)cfg->commands.internal_hosts,
			.n_internal = cfg->commands.n_internal_hosts,
			.subdomains = cfg->commands.align_subdomains,
		};

		ok = auth_trace_ok(m->trace, m->n_trace, &b, m->from.addr, dkim, sizeof dkim) && ok;
	}
	snprintf(why, why_len, "%s%s%s", tok, *tok && *dkim ? "; " : "", dkim);
	return ok;
}

/* ---- running the commands ----
 *
 * This file parses, dispatches and reports; every change of the ticket's
 * state is an engine_* call (engine.h), which writes the store and the
 * event, re-syncs the obligations and reads the ticket again. */

/* One mail's run: the ticket as it changes, and the report of what did. */
struct run {
	const struct config *cfg;
	struct store *st;
	struct ticket *t;
	const char *actor;
	time_t now;
	struct buf changes;	/* one line per command, for the result mail */
	bool help;
	unsigned opened;	/* obligations the commands created: their drafts follow */
	bool resolved;		/* the commands moved the ticket to resolved */
};

static void note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run *r, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_adds(&r->changes, "・");
	buf_adds(&r->changes, line);
	buf_addc(&r->changes, '\n');
}

/* The obligations a change created or reopened: their drafts follow once all commands ran. */
static int opened(struct run *r, int created)
{
	if (created < 0)
		return -1;
	r->opened |= (unsigned)created;
	return 0;
}

static int move(struct run *r, enum status to, struct error *err)
{
	if (engine_set_status(r->st, r->t, to, r->actor, r->now, err) < 0)
		return -1;
	r->resolved |= to == STATUS_RESOLVED;
	return 0;
}

static int ack(struct run *r, struct error *err)
{
	if (engine_take(r->st, r->t, r->actor, r->now, err) < 0)
		return -1;
	note(r, "受付: 担当 %s / acknowledged, owner %s", who(r->cfg, r->t->owner),
	     who(r->cfg, r->t->owner));
	return 0;
}

static int close_ticket(struct run *r, const struct command *c, struct error *err)
{
	if (engine_close(r->st, r->t, c->force, c->text, r->actor, r->now, err) < 0)
		return -1;
	/* Closing either has the lessons or waives them with a reason: no
	 * lessons-learned draft (policy 8) for a ticket closed by this mail. */
	r->resolved = false;
	note(r, "クローズ%s / closed%s", c->force ? "（教訓なし）" : "",
	     c->force ? " without lessons" : "");
	return 0;
}

static int obligation_end(struct run *r, const struct command *c, enum obligation_state state,
			  struct error *err)
{
	char detail[700], when[40] = "";
	int rc = engine_end_obligation(r->st, r->t, c->value, state, c->time, c->text, r->actor,
				       r->now, detail, sizeof detail, err);

	if (rc < 0)
		return -1;
	if (rc == 2) {
		note(r, "%s: 既に対象外です（フラグ・種別の変更で不要に）。記録のみ / already not owed: %s",
		     obligation_label(c->value), detail);
		return 0;
	}
	if (c->time)
		clock_format_short(c->time, when, sizeof when);
	note(r, "%s: %s%s%s%s / %s", obligation_label(c->value),
	     state == OBLIGATION_DONE ? "完了" : "不要", *when ? "（実施 " : "",
	     when, *when ? "）" : "", detail);
	return 0;
}

static int set_flag(struct run *r, int flag, bool on, struct error *err)
{
	note(r, "%s: %s / flag %s %s", flag_label(flag), on ? "あり" : "なし", flag_name(flag),
	     on ? "on" : "off");
	return opened(r, engine_set_flag(r->cfg, r->st, r->t, flag, on, r->actor, r->now, err));
}

static int set_type(struct run *r, int type, struct error *err)
{
	note(r, "種別: %s / type %s (チェックリストを更新 / checklist updated)", type_label(type),
	     type_name(type));
	return opened(r, engine_set_type(r->cfg, r->st, r->t, type, r->actor, r->now, err));
}

static int check_item(struct run *r, const struct command *c, struct error *err)
{
	int rc = engine_check_item(r->st, r->t, c->number, r->actor, r->now, err);

	if (rc < 0)
		return -1;
	note(r, "チェックリスト %ld%s / checklist item %ld ticked", c->number,
	     rc == 2 ? "（既に完了）" : " 完了", c->number);
	return 0;
}

static int aware(struct run *r, const struct command *c, struct error *err)
{
	char when[40];

	if (opened(r, engine_set_aware(r->cfg, r->st, r->t, c->time, r->actor, r->now, err)) < 0)
		return -1;
	clock_format_short(c->time, when, sizeof when);
	note(r, "認知日時: %s（期限を再計算 / deadlines recomputed）", when);
	return 0;
}

/* /token in an authentic mail: a fresh generation, mailed to the person's
 * configured address (the result mail carries it too). */
static int renew(struct run *r, struct error *err)
{
	const struct person *p = config_find_person(r->cfg, r->actor);
	unsigned long gen;

	note(r, "新しい返信用アドレスを %s さんに送付 / fresh reply address sent to %s", who(r->cfg, p->email),
	     p->email);
	return store_token_issue(r->st, r->t->id, p->email, r->now, &gen, err) < 0 ||
	       notify_token(r->cfg, r->st, r->t, p->email, "requested with /token", false, r->now,
			    err) < 0 ? -1 : 0;
}

/*
 * Issue 14 (V10): the owner gets every reminder and the lessons draft
 * with the whole record — only a configured person or an address of the
 * company's mail domain (smtp.from's, or a subdomain of it) may be one.
 */
static bool assignable(const struct config *cfg, const char *addr)
{
	const char *dom = config_mail_domain(cfg), *at = addr ? strrchr(addr, '@') : NULL;
	size_t n, d;

	if (!addr)
		return false;
	if (config_find_person(cfg, addr))
		return true;
	if (!at || !dom || !*dom)
		return false;
	at++;
	n = strlen(at);
	d = strlen(dom);
	return strcasecmp(at, dom) == 0 ||
	       (n > d + 1 && at[n - d - 1] == '.' && strcasecmp(at + n - d, dom) == 0);
}

/* Whether a and b are equal but for spaces (ASCII and U+3000): 「北垣剛志」 is 「北垣 剛志」. */
static bool same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || strncmp(a, "\xe3\x80\x80", 3) == 0)
			a += *a == ' ' ? 1 : 3;
		while (*b == ' ' || strncmp(b, "\xe3\x80\x80", 3) == 0)
			b += *b == ' ' ? 1 : 3;
		if (!*a || !*b)
			return *a == *b;
		if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
			return false;
	}
}

/* /assign NAME (issue 13): a configured person by name or id; the owner is their address. */
static int assign_name(struct run *r, const char *name, struct error *err)
{
	const struct person *p = NULL;
	char known[400] = "";
	size_t i, used = 0;

	for (i = 0; i < r->cfg->n_persons && !p; i++)
		if (same_name(r->cfg->persons[i].name ? r->cfg->persons[i].name : "", name) ||
		    same_name(r->cfg->persons[i].id ? r->cfg->persons[i].id : "", name))
			p = &r->cfg->persons[i];
	if (!p) {
		for (i = 0; i < r->cfg->n_persons && used < sizeof known - 1; i++) {
			int n = snprintf(known + used, sizeof known - used, "%s%s", i ? "、" : "",
					 r->cfg->persons[i].name ? r->cfg->persons[i].name : "");

			used += n > 0 ? (size_t)n : 0;
		}
		return error_set(err, ERR_MESSAGE, "「%s」は設定された人の名前ではありません（%s）。"
				 "名前かメールアドレスで指定してください / \"%s\" is no configured "
				 "person's name: give a name or an address", name, known, name);
	}
	note(r, "担当: %s / assigned to %s", who(r->cfg, p->email), p->email);
	return engine_set_owner(r->st, r->t, p->email, err);
}

static int run_one(struct run *r, const struct command *c, struct error *err)
{
	const struct ticket *t = r->t;

	switch (c->verb) {
	case CMD_ACK:
		return ack(r, err);
	case CMD_ASSIGN:
		if (c->value == 1)
			return assign_name(r, c->text, err);
		if (!assignable(r->cfg, c->text))
			return error_set(err, ERR_MESSAGE, "%s は担当者にできません。設定された担当者か "
					 "@%s のアドレスを指定してください / %s cannot be assigned: "
					 "give a configured person or an address at %s", c->text,
					 config_mail_domain(r->cfg), c->text,
					 config_mail_domain(r->cfg));
		note(r, "担当: %s / assigned to %s", who(r->cfg, c->text), c->text);
		return engine_set_owner(r->st, r->t, c->text, err);
	case CMD_TYPE:
		return set_type(r, c->value, err);
	case CMD_PRIORITY:
		note(r, "優先度: %s / priority %s", priority_label(c->value), priority_name(c->value));
		return opened(r, engine_set_priority(r->cfg, r->st, r->t, c->value, r->actor,
						     r->now, err));
	case CMD_SOURCE:
		note(r, "検知経路: %s / source %s", source_label(c->value), source_name(c->value));
		return opened(r, engine_set_source(r->cfg, r->st, r->t, c->value, r->actor, r->now,
						   err));
	case CMD_STATUS:
		note(r, "状態: %s / status %s", status_label(c->value), status_name(c->value));
		return move(r, c->value, err);
	case CMD_AWARE:
		return aware(r, c, err);
	case CMD_FLAG:
		return set_flag(r, c->value, !c->off, err);
	case CMD_DRILL:
		return set_flag(r, FLAG_DRILL, true, err);
	case CMD_AFFECTED:
		note(r, "影響人数: %ld / affected %ld", c->number, c->number);
		return opened(r, engine_set_affected(r->cfg, r->st, r->t, c->number, r->actor,
						     r->now, err));
	case CMD_NOTE:
		note(r, "メモ / note: %s", c->text);
		return store_event_add(r->st, t->id, r->now, r->actor, "note", c->text, err);
	case CMD_DRAFT:
		note(r, "下書きを送付 / draft sent: %s", obligation_label(c->value));
		return notify_draft(r->cfg, r->st, t, c->value, r->actor, r->now, err);
	case CMD_DONE:
		return obligation_end(r, c, OBLIGATION_DONE, err);
	case CMD_SKIP:
		return obligation_end(r, c, OBLIGATION_NOT_NEEDED, err);
	case CMD_LESSONS:
		note(r, "教訓（規程 8）を登録 / lessons-learned document stored (%zu bytes)",
		     strlen(c->text));
		return opened(r, engine_set_lessons(r->cfg, r->st, r->t, c->text, r->actor, r->now,
						    err));
	case CMD_CLOSE:
		return close_ticket(r, c, err);
	case CMD_REOPEN:
		note(r, "再開 / reopened");
		return move(r, STATUS_INVESTIGATING, err);
	case CMD_HELP:
		r->help = true;
		return 0;
	case CMD_CHECK:
		return check_item(r, c, err);
	case CMD_TOKEN:
		return renew(r, err);
	case CMD_COUNT:
		break;
	}
	return error_set(err, ERR_FATAL, "admin: unknown command %d", (int)c->verb);
}

/*
 * The order a mail's commands run in (issue 13): a /lessons document
 * first, so a /close anywhere in the mail finds it; then every change of
 * state as written; then /draft and /help, so a draft shows the mail's
 * own /affected or /flag.  Fills order with indexes into l.
 */
static int phase(enum cmd_verb v)
{
	return v == CMD_LESSONS ? 0 : v == CMD_DRAFT || v == CMD_HELP ? 2 : 1;
}

static void run_order(const struct command_list *l, size_t *order)
{
	size_t k = 0;

	for (int ph = 0; ph < 3; ph++)
		for (size_t i = 0; i < l->n; i++)
			if (phase(l->cmds[i].verb) == ph)
				order[k++] = i;
}

/*
 * What the mail's commands ask to be sent once they all ran (SPEC 4): the
 * draft of every notice an obligation they created requires, to every
 * admin — only those still open, so a /flag followed by /done in the same
 * mail sends nothing — and, when they resolved the ticket and no
 * lessons-learned document is stored, the policy 8 draft to the owner.
 * A /close passing through resolved sends none: it either has the
 * lessons or waives them with "force" and a reason.
 */
static int follow_up(struct run *r, unsigned *drafts, bool *lessons, struct error *err)
{
	struct obligation *obl;
	size_t i, n;
	enum status st = r->t->status;

	*drafts = 0;
	if (r->opened) {
		if (store_obligation_list(r->st, r->t->id, &obl, &n, err) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			int k = obligation_from_name(obl[i].kind);

			if (k >= 0 && (r->opened & (1u << k)) && obl[i].state == OBLIGATION_OPEN)
				*drafts |= 1u << k;
		}
		store_obligations_free(obl, n);
	}
	*lessons = r->resolved && st == STATUS_RESOLVED && !(r->t->lessons && *r->t->lessons);
	for (i = 0; i < OBL_COUNT; i++)
		if (*drafts & (1u << i))
			note(r, "下書きを管理者全員に送付 / draft sent to every admin: %s",
			     obligation_label(i));
	if (*lessons)
		note(r, "教訓（規程 8）の下書きを %s に送付 / lessons-learned draft sent to %s",
		     r->t->owner && *r->t->owner ? who(r->cfg, r->t->owner) : "管理者全員",
		     r->t->owner && *r->t->owner ? who(r->cfg, r->t->owner) : "every admin");
	return 0;
}

/* ---- the audit trail and the answers ---- */

/* Every command line of the mail, good or bad, one per line in the mail's order, for the events. */
static char *command_lines(const struct command_list *l)
{
	struct buf b = { 0 };
	size_t i = 0, j = 0;

	while (i < l->n || j < l->n_flaws) {
		bool flaw = j < l->n_flaws && (i == l->n || l->flaws[j].line < l->cmds[i].line);

		buf_adds(&b, flaw ? l->flaws[j++].raw : l->cmds[i++].raw);
		buf_addc(&b, '\n');
	}
	return buf_take(&b);
}

/*
 * When the unacknowledged escalation of t goes out if nobody takes it:
 * "10:30", or 「次の巡回ですぐ」 when it is already due (timers.c decides the same way).
 */
static void escalation_when(const struct config *cfg, const struct ticket *t, time_t now,
			    char *out, size_t len)
{
	long limit = deadline_escalation_limit(&cfg->policy, t->created_at, t->priority);
	int stage = stage_every(t->created_at, now, limit);
	time_t next = t->created_at + (time_t)(stage + 1) * limit;
	char when[40], today[40];

	if (limit <= 0) {
		snprintf(out, len, "予定どおり / as planned");
		return;
	}
	if (stage > t->escalation_stage) {
		snprintf(out, len, "次の巡回ですぐ / at the next pass");
		return;
	}
	clock_format_short(next, when, sizeof when);
	clock_format_short(now, today, sizeof today);
	/* "10:30" today, "2026-12-08 02:00" another day */
	snprintf(out, len, "%s", strncmp(today, when, 10) == 0 ? when + 11 : when);
}

/* Appends printf-formatted text to b (any length: a raw line may be long). */
static void addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct buf *b, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		buf_adds(b, text);
		free(text);
	} else {
		b->oom = 1;
	}
}

/*
 * Issue 13: a mail that was not applied says so of every line — the bad
 * ones with their reason and the corrected line to copy, the good ones as
 * not applied — and what a held-back /ack means for the escalation.
 * why[i]: the execution's refusal of cmds[i], or NULL.
 */
static char *refusal_lines(const struct config *cfg, const struct ticket *t,
			   const struct command_list *l, char *const *why, time_t now)
{
	struct buf b = { 0 };
	size_t i = 0, j = 0;
	bool ack = false;

	buf_adds(&b, "行ごとの結果 / line by line:\n");
	while (i < l->n || j < l->n_flaws) {
		bool flaw = j < l->n_flaws && (i == l->n || l->flaws[j].line < l->cmds[i].line);
		const char *reason = flaw ? l->flaws[j].why : why[i];
		int line = flaw ? l->flaws[j].line : l->cmds[i].line;

		addf(&b, "%s %d 行目 / line %d:  %s\n", reason ? "✗" : "○", line, line,
			   flaw ? l->flaws[j].raw : l->cmds[i].raw);
		if (reason) {
			/* the line is said above: the parser's reason alone */
			addf(&b, "    誤り / wrong: %s\n", flaw ? l->flaws[j].reason : reason);
		} else {
			buf_adds(&b, "    正しい行ですが、適用していません / valid, but not applied\n");
		}
		if (flaw && l->flaws[j].fix)
			addf(&b, "    正しくは / did you mean:\n    %s\n", l->flaws[j].fix);
		ack |= !flaw && l->cmds[i].verb == CMD_ACK;
		if (flaw)
			j++;
		else
			i++;
	}
	if (ack && t->status == STATUS_NEW) {
		char when[64];

		escalation_when(cfg, t, now, when, sizeof when);
		addf(&b, "\n/ack は適用されていません。エスカレーションは予定どおり %s に行われます。\n"
			   "/ack was not applied: the escalation goes out as planned (%s).\n", when, when);
	}
	if (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';	/* the template's line ends it */
	return buf_take(&b);
}

static int audit(struct store *st, const struct ticket *t, const char *actor, time_t now,
		 const char *kind, const char *sha256, const char *auth, const char *what,
		 const char *reason, struct error *err)
{
	char *detail = NULL;
	int rc;

	/* issue 5: who (the actor), what, the mail's SHA-256, the authentication */
	if (asprintf(&detail, "sha256 %s; auth: %s%s%s\n%s", sha256, auth, reason ? "; " : "",
		     reason ? reason : "", what ? what : "") < 0)
		return error_set(err, ERR_TEMP, "admin: out of memory");
	rc = store_event_add(st, t->id, now, actor, kind, detail, err);
	free(detail);
	return rc;
}

/*
 * Issue 14 (V11), SPEC 6: commands are the lines at the top of what the
 * person wrote — the body down to its first quoted line (">" or "＞" in
 * the first column, which html.c writes for a blockquote too), then what
 * quote.c leaves of that (no attribution, no signature).  Nothing below
 * a quote commands, even when quote_new_text() would keep it (inline
 * replies).  Malloc'd; NULL on out-of-memory.
 */
static char *command_text(const char *body)
{
	const char *p = body;
	char *top, *said;

	while (*p && !(*p == '>' || strncmp(p, "\xef\xbc\x9e", 3) == 0)) {
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!(top = strndup(body, (size_t)(p - body))))
		return NULL;
	said = quote_new_text(top);
	free(top);
	return said;
}

/*
 * Issue 14 (V6): at most one refused-command notice per sender and ticket
 * per REFUSED_GAP — a forger's flood must not become one to every admin.
 * The next notice counts the refusals held back since the last one (the
 * audit events keep each).  The time of the last notice per ticket and
 * sender is kept in the state table.
 */
#define REFUSED_GAP 600
static int tell_refused(const struct config *cfg, struct store *st, const struct ticket *t,
			const struct mail *m, const char *sender, const char *why,
			const char *what, time_t now, struct error *err)
{
	char key[400], stamp[32], why_more[800], *last = NULL;
	long long since = 0;
	int held, rc;

	snprintf(key, sizeof key, "refused-notice %lld %s", (long long)t->id, sender);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((rc = store_state_get(st, key, &last, err)) < 0)
		return -1;
	if (rc == 1)
		since = strtoll(last, NULL, 10);
	free(last);
	if (rc == 1 && now - since < REFUSED_GAP) {
		log_info("admin", "%s: refusal notice for %s held: one went out %lld s ago", t->ref,
			 sender, (long long)(now - since));
		return 0;
	}
	/* the refusals from the last notice's on: that one, the held ones
	 * (some in the same second) and this one */
	if (store_event_count(st, t->id, sender, "command-refused", since, &held, err) < 0)
		return -1;
	held -= rc == 1 ? 2 : 1;
	if (held > 0)
		snprintf(why_more, sizeof why_more, "%s（前回の通知以降ほかに %d 件を拒否 / and %d "
			 "more refused since the last notice）", why, held, held);
	else
		snprintf(why_more, sizeof why_more, "%s", why);
	snprintf(stamp, sizeof stamp, "%lld", (long long)now);
	return store_state_set(st, key, stamp, err) < 0 ||
	       notify_refused(cfg, st, t, m, why_more, what, now, err) < 0 ? -1 : 0;
}

/* Whether every command of l is /token. */
static bool only_token(const struct command_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->cmds[i].verb != CMD_TOKEN)
			return false;
	return l->n > 0;
}

/*
 * A mail of an admin or management person with nothing but /token (issue
 * 14): honoured without a token — the one that person had may be the
 * revoked one — because the fresh token goes only to the address the
 * configuration names, never to the mail's From or Reply-To, so a forger
 * learns nothing.  At most one per person and ticket per
 * TOKEN_RENEW_GAP, so that forged requests cannot flood the admin.
 */
#define TOKEN_RENEW_GAP 600
static int renew_alone(const struct config *cfg, struct store *st, struct ticket *t,
		       const struct mail *m, const char *sha256, time_t now, struct error *err)
{
	const struct person *p = config_find_person(cfg, m->from.addr);
	unsigned long gen;
	time_t issued = 0;
	int live = store_token_live(st, t->id, p->email, now, cfg->commands.token_max_age, &gen,
				    &issued, err);
	char why[400];

	if (live < 0)
		return -1;
	if (live && now - issued < TOKEN_RENEW_GAP) {
		log_info("admin", "%s: /token of %s ignored: one was issued %lld s ago", t->ref,
			 p->email, (long long)(now - issued));
		return audit(st, t, m->from.addr, now, "token-ignored", sha256, "not needed",
			     "/token", "a token was issued less than 10 minutes ago", err);
	}
	snprintf(why, sizeof why, "not needed: the token goes only to %s, as configured", p->email);
	log_info("admin", "%s: fresh reply token for %s on request", t->ref, p->email);
	return store_token_issue(st, t->id, p->email, now, &gen, err) < 0 ||
	       audit(st, t, m->from.addr, now, "token-renewed", sha256, why, "/token", NULL,
		     err) < 0 ||
	       notify_token(cfg, st, t, p->email, "requested with /token", false, now, err) < 0 ?
		-1 : 0;
}

/* Whether the mail's only command is /help: then the help is the answer, under its own subject. */
static bool only_help(const struct command_list *l)
{
	return l->n == 1 && l->n_flaws == 0 && l->cmds[0].verb == CMD_HELP;
}

/*
 * Runs every command of cmds on r's ticket inside a savepoint, in
 * run_order(); why[i] gets the refusal of cmds[i] (ERR_MESSAGE: a change
 * not allowed), NULL when it ran.  A refused one does not stop the rest
 * (issue 13: the reply tells every line's fate), but it, or a bad line
 * of the mail (flaws), rolls all back: a mail's commands apply together
 * or not at all (SPEC 6), so a held-back /ack still lets the escalation
 * go out — the reply says when.  Returns 1 when all ran and were kept,
 * 0 when rolled back, -1 on a store or memory error (err).
 */
static int run_all(struct run *r, const struct command_list *cmds, char **why, struct error *err)
{
	size_t *order = calloc(cmds->n ? cmds->n : 1, sizeof *order), i;
	bool refused = cmds->n_flaws > 0;

	if (!order)
		return error_set(err, ERR_TEMP, "admin: out of memory");
	run_order(cmds, order);
	if (store_savepoint(r->st, err) < 0)
		goto fail;
	for (i = 0; i < cmds->n; i++) {
		const struct command *c = &cmds->cmds[order[i]];
		struct error xerr = { 0 };

		if (run_one(r, c, &xerr) == 0)
			continue;
		if (xerr.cls != ERR_MESSAGE) {
			*err = xerr;
			store_savepoint_end(r->st, false, &xerr);
			goto fail;
		}
		refused = true;
		if (!(why[order[i]] = strdup(xerr.msg)) || engine_reload(r->st, r->t, err) < 0) {
			store_savepoint_end(r->st, false, &xerr);
			if (!why[order[i]])
				error_set(err, ERR_TEMP, "admin: out of memory");
			goto fail;
		}
	}
	free(order);
	if (store_savepoint_end(r->st, !refused, err) < 0)
		return -1;
	return refused ? 0 : 1;
fail:
	free(order);
	return -1;
}

int admin_handle(const struct config *cfg, struct store *st, struct ticket *t,
		 const struct mail *m, const char *new_text, const char *sha256, time_t now,
		 struct error *err)
{
	const char *sender = m->from.addr ? m->from.addr : "(no sender)";
	struct command_list cmds = { 0 };
	struct run r = { .cfg = cfg, .st = st, .t = t, .actor = sender, .now = now };
	struct error perr = { 0 };
	char why[600], *what = NULL, *top, **refusals = NULL, *listing = NULL;
	bool parsed, allowed, lessons;
	unsigned drafts;
	size_t i;
	int rc = 0, auth, ran;

	if (!(top = command_text(m->body ? m->body : new_text ? new_text : "")))
		return error_set(err, ERR_TEMP, "admin: out of memory");
	parsed = command_parse(top, now, &cmds, &perr) == 0;
	free(top);
	if (!parsed && perr.cls != ERR_MESSAGE)
		return error_set(err, ERR_TEMP, "admin: out of memory");
	if (cmds.n == 0 && cmds.n_flaws == 0)
		return 0;	/* a plain follow-up */
	if (!(what = command_lines(&cmds)))
		goto oom;

	allowed = may_command(cfg, m->from.addr);
	if (allowed && parsed && only_token(&cmds)) {
		rc = renew_alone(cfg, st, t, m, sha256, now, err);
		goto done;
	}
	if (!allowed)
		snprintf(why, sizeof why, "%s is not an admin or management", sender);
	else if ((auth = admin_authentic(cfg, st, m, t, now, why, sizeof why, err)) < 0)
		goto fail;
	else
		allowed = auth == 1;
	if (!allowed) {
		/* never the sender: no oracle for whoever forges */
		log_warn("admin", "%s: commands from %s refused: %s", t->ref, sender, why);
		rc = audit(st, t, sender, now, "command-refused", sha256, why, what,
			   "not authenticated", err) < 0 ||
		     tell_refused(cfg, st, t, m, sender, why, what, now, err) < 0 ? -1 : 0;
		goto done;
	}

	if (!(refusals = calloc(cmds.n ? cmds.n : 1, sizeof *refusals)))
		goto oom;
	if ((ran = run_all(&r, &cmds, refusals, err)) < 0)
		goto fail;
	if (ran == 0) {
		const char *first = parsed ? NULL : perr.msg;

		for (i = 0; !first && i < cmds.n; i++)
			first = refusals[i];
		log_info("admin", "%s: commands of %s not applied: %s", t->ref, sender,
			 first ? first : "?");
		if (engine_reload(st, t, err) < 0)
			goto fail;
		if (!(listing = refusal_lines(cfg, t, &cmds, refusals, now)))
			goto oom;
		rc = audit(st, t, sender, now, "command-refused", sha256, why, what,
			   first ? first : "?", err) < 0 ||
		     notify_command_error(cfg, st, t, m, listing, now, err) < 0 ? -1 : 0;
		goto done;
	}
	if (audit(st, t, sender, now, "command", sha256, why, what, NULL, err) < 0 ||
	    follow_up(&r, &drafts, &lessons, err) < 0)
		goto fail;
	if (r.changes.len > 0 && r.changes.p[r.changes.len - 1] == '\n')
		r.changes.p[--r.changes.len] = '\0';	/* the template's line ends it */
	if ((only_help(&cmds) ? notify_help(cfg, st, t, m, now, err) :
	     notify_result(cfg, st, t, m, r.changes.p ? r.changes.p : "", r.help, now, err)) < 0 ||
	    notify_drafts(cfg, st, t, NULL, drafts, NULL, now, err) < 0 ||
	    (lessons && notify_lessons(cfg, st, t, now, err) < 0))
		goto fail;
	log_info("admin", "%s: %zu commands of %s done", t->ref, cmds.n, sender);
	goto done;
oom:
	error_set(err, ERR_TEMP, "admin: out of memory");
fail:
	rc = -1;
done:
	if (refusals)
		for (i = 0; i < cmds.n; i++)
			free(refusals[i]);
	free(refusals);
	free(listing);
	buf_release(&r.changes);
	command_list_release(&cmds);
	free(what);
	return rc < 0 ? -1 : 1;	/* a command mail, whatever came of it */
}
