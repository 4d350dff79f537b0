/* forward.c — see forward.h. */
#include "desk/forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "notify/notify.h"

size_t forward_recipients(const struct config *cfg, const char *owner, const char *sender,
			  const char **to, size_t max)
{
	size_t i, n = 0;

	if (owner && *owner) {	/* SPEC 4: the owner, or the admins while nobody owns it */
		if (max && !(sender && strcasecmp(owner, sender) == 0))
			to[n++] = owner;
		return n;
	}
	for (i = 0; i < cfg->n_persons && n < max; i++) {
		const struct person *p = &cfg->persons[i];

		if ((p->roles & ROLE_ADMIN) && !(sender && strcasecmp(p->email, sender) == 0))
			to[n++] = p->email;
	}
	return n;
}

/* Whether addr is among list[0..n), case ignored. */
static bool among(const char *const *list, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(list[i], addr) == 0)
			return true;
	return false;
}

/* What the pass forwards: the rows, their tickets, each row's recipients. */
struct batch {
	struct message_row *rows;
	size_t n;
	struct ticket *tickets;		/* per row; id 0 when about no ticket */
	const char **to;		/* per row, `per` slots each */
	size_t *n_to, per;
};

static void batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; b->tickets && i < b->n; i++)
		store_ticket_release(&b->tickets[i]);
	free(b->tickets);
	free(b->to);
	free(b->n_to);
	store_messages_free(b->rows, b->n);
}

static int batch_load(const struct config *cfg, struct store *st, struct batch *b,
		      struct error *err)
{
	size_t i;
	int rc;

	memset(b, 0, sizeof *b);
	if (store_message_to_forward(st, &b->rows, &b->n, err) < 0)
		return -1;
	b->per = cfg->n_persons + 1;
	if (b->n && (!(b->tickets = calloc(b->n, sizeof *b->tickets)) ||
		     !(b->to = calloc(b->n * b->per, sizeof *b->to)) ||
		     !(b->n_to = calloc(b->n, sizeof *b->n_to))))
		return error_set(err, ERR_TEMP, "forward: out of memory");
	for (i = 0; i < b->n; i++) {
		const struct message_row *r = &b->rows[i];

		if (r->ticket_id &&
		    (rc = store_ticket_get_by_id(st, r->ticket_id, &b->tickets[i], err)) < 0)
			return -1;
		b->n_to[i] = forward_recipients(cfg, b->tickets[i].id ? b->tickets[i].owner : NULL,
						r->from_addr, b->to + i * b->per, b->per);
	}
	return 0;
}

static struct words_item item_of(const struct batch *b, size_t i)
{
	const struct message_row *r = &b->rows[i];
	const struct ticket *t = &b->tickets[i];

	bool reporter = t->id && t->reporter_addr && r->from_addr &&
			strcasecmp(t->reporter_addr, r->from_addr) == 0;

	return (struct words_item){
		.ticket_ref = t->id ? t->ref : "", .ticket_subject = t->id ? t->subject : "",
		.from_addr = r->from_addr,
		/* a phone's reply often has no display name: the report had it */
		.from_name = r->from_name && *r->from_name ? r->from_name :
			     reporter ? t->reporter_name : NULL,
		.reporter = reporter,
		.what = r->forward, .subject = r->subject, .text = r->new_text,
		.message_id = r->message_id, .at = r->received_at,
	};
}

/* The one mail to `to`: every row it gets; the ticket when they share one. */
static int send_to(const struct config *cfg, struct store *st, const struct batch *b,
		   const char *to, time_t now, struct error *err)
{
	struct words_item *items = calloc(b->n, sizeof *items);
	const struct ticket *t = NULL;
	size_t i, k = 0;
	bool one = true;
	int rc;

	if (!items)
		return error_set(err, ERR_TEMP, "forward: out of memory");
	for (i = 0; i < b->n; i++) {
		if (!among(b->to + i * b->per, b->n_to[i], to))
			continue;
		if (k && (!t || t->id != b->tickets[i].id))
			one = false;
		if (!k)
			t = b->tickets[i].id ? &b->tickets[i] : NULL;
		items[k++] = item_of(b, i);
	}
	rc = notify_words(cfg, st, one ? t : NULL, to, items, k, now, err);
	free(items);
	return rc;
}

/* Marks row i forwarded, and says so on its ticket's timeline. */
static int mark(struct store *st, const struct batch *b, size_t i, time_t now, struct error *err)
{
	struct buf detail = { 0 };
	char head[160], *text;
	size_t k;
	int rc;

	snprintf(head, sizeof head, "words of message %lld forwarded to ", (long long)b->rows[i].id);
	buf_adds(&detail, head);
	for (k = 0; k < b->n_to[i]; k++) {
		buf_adds(&detail, k ? ", " : "");
		buf_adds(&detail, b->to[i * b->per + k]);
	}
	if (!b->n_to[i])
		buf_adds(&detail, "nobody (its writer is the one who would get it)");
	if (!(text = buf_take(&detail)))
		return error_set(err, ERR_TEMP, "forward: out of memory");
	rc = store_message_forwarded(st, b->rows[i].id, now, err) < 0 ||
	     store_event_add(st, b->rows[i].ticket_id, now, "bot", "forwarded", text, err) < 0 ?
		-1 : 0;
	free(text);
	return rc;
}

int forward_words(const struct config *cfg, struct store *st, time_t now, size_t *mails,
		  struct error *err)
{
	struct batch b;
	const char **seen = NULL;
	size_t i, k, n_seen = 0;
	int rc = -1;

	*mails = 0;
	if (store_begin(st, err) < 0)
		return -1;
	if (batch_load(cfg, st, &b, err) < 0)
		goto done;
	if (b.n && !(seen = calloc(b.n * b.per, sizeof *seen))) {
		error_set(err, ERR_TEMP, "forward: out of memory");
		goto done;
	}
	/* one mail per recipient, in the order their first words came */
	for (i = 0; i < b.n; i++)
		for (k = 0; k < b.n_to[i]; k++) {
			const char *to = b.to[i * b.per + k];

			if (among(seen, n_seen, to))
				continue;
			seen[n_seen++] = to;
			if (send_to(cfg, st, &b, to, now, err) < 0)
				goto done;
			(*mails)++;
		}
	for (i = 0; i < b.n; i++)
		if (mark(st, &b, i, now, err) < 0)
			goto done;
	rc = 0;
	if (b.n)
		log_info("forward", "%zu people's words forwarded in %zu mails", b.n, *mails);
done:
	free(seen);
	batch_release(&b);
	if (rc < 0) {
		error_prefix(err, "forward");
		store_rollback(st);
		*mails = 0;
		return -1;
	}
	return store_commit(st, err) < 0 ? (store_rollback(st), -1) : 0;
}
