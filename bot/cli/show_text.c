/* show_text.c — see show_text.h. */
#include "cli/show_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "cli/ticket_text.h"
#include "lib/clock.h"
#include "rules/policy.h"

/* Whether the obligation kind named is in the set (1u << kind). */
static bool in_set(unsigned set, const char *kind)
{
	int k = obligation_from_name(kind);

	return k >= 0 && (set & (1u << k));
}

/* Adapters: the *_label functions take their enum. */
static const char *status_name_i(int x) { return status_name(x); }
static const char *status_label_i(int x) { return status_label(x); }
static const char *priority_name_i(int x) { return priority_name(x); }
static const char *priority_label_i(int x) { return priority_label(x); }
static const char *type_name_i(int x) { return type_name(x); }
static const char *type_label_i(int x) { return type_label(x); }
static const char *source_name_i(int x) { return source_name(x); }
static const char *source_label_i(int x) { return source_label(x); }

/* One field's line: the value's name and Japanese label; "-" and "未確認" when unset. */
static void print_enum(const char *field, int v, const char *(*name)(int),
		       const char *(*label)(int))
{
	printf("  %-9s %s (%s)\n", field, v >= 0 ? name(v) : "-", v >= 0 ? label(v) : "未確認");
}

/* How many lines a compact view prints of one message's own words. */
enum { COMPACT_LINES = 40 };

/*
 * The kinds of timeline events the compact view lists as notes: what an
 * admin wrote (/note) and what the bot had to say about the record (a
 * mail cut, text it could not decode, a clash, a held or suppressed
 * mail).  Add a kind here when a new event says something an operator
 * must not miss.
 */
static const char *const note_kinds[] = {
	"note", "cut", "undecodable", "message-id-clash", "mail-held", "ack-suppressed",
};

static bool is_note(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof note_kinds / sizeof *note_kinds; i++)
		if (strcmp(kind, note_kinds[i]) == 0)
			return true;
	return false;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s == '\n' && s[1])
			n++;
	return n + 1;
}

/* Prints the table (or says memory ran out) and frees it. */
static void table_out(struct table *tb, size_t cols)
{
	if (tb)
		table_print(tb, stdout, "  ", cols);
	else
		printf("  (out of memory)\n");
	table_free(tb);
}

static void print_fields(const struct ticket_view *v, const struct config *cfg)
{
	const struct ticket *t = &v->t;
	char a[40], b[40], who[320];
	int f;

	printf("%s  %s\n", t->ref, t->subject);
	print_enum("status", t->status, status_name_i, status_label_i);
	print_enum("priority", t->priority, priority_name_i, priority_label_i);
	print_enum("type", t->type, type_name_i, type_label_i);
	print_enum("source", t->source, source_name_i, source_label_i);
	printf("  flags    ");
	for (f = 0; f < FLAG_COUNT; f++)
		if (t->flags & FLAG_BIT(f))
			printf(" %s", flag_name(f));
	printf("%s\n", t->flags ? "" : " -");
	if (t->affected >= 0)
		printf("  affected  %ld%s\n", t->affected, t->affected_over ? "+" : "");
	printf("  owner     %s\n", ticket_text_person(cfg, t->owner, true, who, sizeof who));
	printf("  reporter  %s%s%s%s\n", t->reporter_name ? t->reporter_name : "",
	       t->reporter_name ? " <" : "", t->reporter_addr ? t->reporter_addr : "-",
	       t->reporter_name ? ">" : "");
	printf("  created   %s\n", clock_format_short(t->created_at, a, sizeof a));
	printf("  aware     %s\n", clock_format_short(t->aware_at, b, sizeof b));
	if (t->acked_at)
		printf("  acked     %s\n", clock_format_short(t->acked_at, a, sizeof a));
	if (t->classify_why)
		printf("  guessed   %s\n", t->classify_why);
}

/* Obligations: kind, state, due, time left or late, deadline kind (statutory,
 * contractual, internal: SPEC 5), what it is. */
static void print_obligations(const struct ticket_view *v, size_t cols)
{
	static const struct table_col head[] = {
		{ "KIND", 0 }, { "STATE", 0 }, { "DUE", 0 }, { "LEFT", 0 },
		{ "DEADLINE", 0 }, { "WHAT", 0 },
	};
	struct policy_facts facts = store_ticket_facts(&v->t);
	unsigned skippable = policy_waivable(&facts);
	struct table *tb;
	size_t i;

	if (!v->n_obl)
		return;
	printf("\n--- obligations (due from the awareness time)\n");
	tb = table_new(head, sizeof head / sizeof *head);
	for (i = 0; tb && i < v->n_obl; i++) {
		const struct obligation *o = &v->obl[i];
		int k = obligation_from_name(o->kind);
		bool open = o->state == OBLIGATION_OPEN;
		char due[40], left[64], kind[40], what[600];
		const char *cells[6];

		snprintf(kind, sizeof kind, "[%s]",
			 deadline_kind_label(policy_deadline_kind(k >= 0 ? k : OBL_COUNT, &facts)));
		snprintf(what, sizeof what, "%s%s%s%s", k >= 0 ? obligation_label(k) : "",
			 o->reason ? " — " : "", o->reason ? o->reason : "",
			 open && in_set(skippable, o->kind) ?
				 "  [省略可: 社内で完結 (7-4) — /skip で理由を記録]" : "");
		cells[0] = o->kind;
		cells[1] = open && o->due_at <= v->now ? "OVERDUE" : obligation_state_name(o->state);
		cells[2] = clock_format_short(o->due_at, due, sizeof due);
		cells[3] = ticket_text_left(o, v->now, left, sizeof left);
		cells[4] = kind;
		cells[5] = what;
		if (table_row(tb, cells) < 0) {
			table_free(tb);
			tb = NULL;
		}
	}
	table_out(tb, cols);
}

static void print_checklist(const struct ticket_view *v)
{
	size_t i;

	if (!v->n_items)
		return;
	printf("\n--- checklist\n");
	for (i = 0; i < v->n_items; i++)
		printf("  %2d. [%c] %s\n", v->items[i].pos, v->items[i].done_at ? 'x' : ' ',
		       v->items[i].text);
}

/* The compact view's notes: the events note_kinds[] names. */
static void print_notes(const struct ticket_view *v, const struct config *cfg, size_t cols)
{
	static const struct table_col head[] = { { NULL, 0 }, { NULL, 24 }, { NULL, 0 } };
	struct table *tb = NULL;
	size_t i;

	for (i = 0; i < v->n_events; i++) {
		const struct event *e = &v->events[i];
		char at[40], who[320];
		const char *cells[3];

		if (!is_note(e->kind))
			continue;
		if (!tb) {
			printf("\n--- notes\n");
			if (!(tb = table_new(head, 3)))
				break;
		}
		cells[0] = clock_format_short(e->at, at, sizeof at);
		cells[1] = strcmp(e->actor, "bot") == 0 ? "bot"
			 : ticket_text_person(cfg, e->actor, false, who, sizeof who);
		cells[2] = e->detail ? e->detail : e->kind;
		if (table_row(tb, cells) < 0)
			break;
	}
	if (tb)
		table_out(tb, cols);
}

/* One received message: its header line, subject, text (all of it with
 * full, else its sender's own words up to COMPACT_LINES), attachments. */
static void print_message(const struct message_row *m, const struct config *cfg, size_t nr,
			  bool full)
{
	char a[40], who[320];
	const char *text = m->body ? m->body : "";
	size_t k, lines, shown = 0, left_out = 0;

	/* the name the mail gave, else the configured person's (admins'
	 * clients often send none) */
	if (m->from_name && *m->from_name)
		snprintf(who, sizeof who, "%s <%s>", m->from_name, m->from_addr ? m->from_addr : "?");
	else
		ticket_text_person(cfg, m->from_addr ? m->from_addr : "?", true, who, sizeof who);
	printf("\n--- message %zu (%s) from %s, %s\n", nr, m->kind, who,
	       clock_format_short(m->received_at, a, sizeof a));
	printf("Subject: %s\n\n", m->subject ? m->subject : "");
	if (!full) {
		/* what the person wrote: the intake stores it beside the
		 * body (quote_new_text(), mime/quote.h; a report's is its
		 * body, as a forwarded mail in it is the report) */
		if (m->new_text)
			text = m->new_text;
		lines = count_lines(m->body);
		if (lines > count_lines(text))
			left_out = lines - count_lines(text);
	}
	if (full) {
		fputs(text, stdout);
		if (*text && text[strlen(text) - 1] != '\n')
			putchar('\n');
	} else {
		const char *p = text;

		while (*p && shown < COMPACT_LINES) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			printf("%.*s\n", (int)len, p);
			shown++;
			p += len + (nl ? 1 : 0);
		}
		if (*p)
			printf("[… %zu more lines: show --full]\n", count_lines(p));
		if (left_out)
			printf("[quoted text and signature: %zu lines left out — show --full]\n",
			       left_out);
	}
	for (k = 0; k < m->n_attachments; k++) {
		if (full)
			printf("[attachment] %s (%s, %zu bytes, sha256 %s)\n",
			       m->attachments[k].filename ? m->attachments[k].filename : "(no name)",
			       m->attachments[k].content_type, m->attachments[k].size,
			       m->attachments[k].sha256);
		else
			printf("[attachment] %s (%s, %zu bytes)\n",
			       m->attachments[k].filename ? m->attachments[k].filename : "(no name)",
			       m->attachments[k].content_type, m->attachments[k].size);
	}
}

/* The bot's mail: every one with full; else a count, and the ones not
 * sent (pending or failed: what an operator may have to act on). */
static void print_mails(const struct ticket_view *v, const struct config *cfg, bool full,
			size_t cols)
{
	static const struct table_col head[] = {
		{ NULL, 0 }, { NULL, 0 }, { NULL, 32 }, { NULL, 0 },
	};
	size_t i, sent = 0, pending = 0, failed = 0;
	struct table *tb;

	if (!v->n_mails)
		return;
	for (i = 0; i < v->n_mails; i++) {
		enum outbox_state st = v->mails[i].state;

		sent += st == OUTBOX_SENT;
		pending += st == OUTBOX_PENDING;
		failed += st == OUTBOX_FAILED;
	}
	if (full)
		printf("\n--- mail sent by the bot\n");
	else
		printf("\n--- mail sent by the bot: %zu (%zu sent, %zu pending, %zu failed)\n",
		       v->n_mails, sent, pending, failed);
	if (!full && !pending && !failed)
		return;
	tb = table_new(head, 4);
	for (i = 0; tb && i < v->n_mails; i++) {
		const struct outbox_entry *e = &v->mails[i];
		char who[320];
		const char *cells[4];

		if (!full && e->state == OUTBOX_SENT)
			continue;
		cells[0] = e->kind;
		cells[1] = outbox_state_name(e->state);
		cells[2] = ticket_text_person(cfg, e->rcpt, false, who, sizeof who);
		cells[3] = e->subject ? e->subject : "";
		if (table_row(tb, cells) < 0) {
			table_free(tb);
			tb = NULL;
		}
	}
	table_out(tb, cols);
}

static void print_timeline(const struct ticket_view *v, size_t cols)
{
	static const struct table_col head[] = {
		{ NULL, 0 }, { NULL, 0 }, { NULL, 32 }, { NULL, 0 },
	};
	struct table *tb = table_new(head, 4);
	size_t i;

	printf("\n--- timeline\n");
	for (i = 0; tb && i < v->n_events; i++) {
		char at[40];
		const char *cells[4] = {
			clock_format_short(v->events[i].at, at, sizeof at), v->events[i].kind,
			v->events[i].actor, v->events[i].detail ? v->events[i].detail : "",
		};

		if (table_row(tb, cells) < 0) {
			table_free(tb);
			tb = NULL;
		}
	}
	table_out(tb, cols);
}

/*
 * Issue 13, point 9: the compact view (the default) is what an admin
 * reads at a glance — the fields, the obligations with their time left,
 * the checklist, the notes, and each message's own words, not the
 * quoted history every reply carries (a two-month ticket was 2,018
 * lines).  full: every message whole, every mail, the timeline.
 */
void show_text_print(const struct ticket_view *v, const struct config *cfg, bool full)
{
	/* compact: the obligations' and mails' last column cut to the
	 * terminal; --full cuts nothing, and nobody's note is cut */
	size_t cols = full ? 0 : cli_columns(), i;

	print_fields(v, cfg);
	print_obligations(v, cols);
	print_checklist(v);
	if (v->t.lessons && *v->t.lessons) {
		/* policy 8: the lessons-learned document (on the timeline too,
		 * where a table would put it on one line) */
		if (full)
			printf("\n--- lessons learned (policy 8)\n%s%s", v->t.lessons,
			       v->t.lessons[strlen(v->t.lessons) - 1] == '\n' ? "" : "\n");
		else
			printf("\n--- lessons learned (policy 8): %zu lines, show %s --full\n",
			       count_lines(v->t.lessons), v->t.ref);
	}
	if (!full)
		print_notes(v, cfg, 0);
	for (i = 0; i < v->n_msgs; i++)
		print_message(&v->msgs[i], cfg, i + 1, full);
	print_mails(v, cfg, full, cols);
	if (full)
		print_timeline(v, cols);
	else
		printf("\n--- timeline: %zu events, the mail in full: show %s --full\n", v->n_events,
		       v->t.ref);
}
