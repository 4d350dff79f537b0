/* mail.c — see mail.h: freeing a struct mail, and its thread. */
#include "mime/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void addresses_free(struct mail_address *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].addr);
	}
	free(a);
}

void mail_release(struct mail *m)
{
	size_t i;

	if (!m)
		return;
	free(m->from.name);
	free(m->from.addr);
	addresses_free(m->to, m->n_to);
	addresses_free(m->cc, m->n_cc);
	free(m->subject);
	free(m->date_raw);
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->n_references; i++)
		free(m->references[i]);
	free(m->references);
	free(m->body);
	for (i = 0; i < m->n_attachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
	}
	free(m->attachments);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->list_id);
	free(m->list_unsubscribe);
	free(m->return_path);
	free(m->x_autoreply);
	for (i = 0; i < m->n_trace; i++)
		free(m->trace[i].value);
	free(m->trace);
	memset(m, 0, sizeof *m);
}

char *mail_thread(const struct mail *m, bool with_self)
{
	size_t i, len = 1;
	char *out, *p;

	for (i = 0; i < m->n_references; i++)
		len += strlen(m->references[i]) + 1;
	if (with_self && m->message_id)
		len += strlen(m->message_id) + 1;
	if (!(p = out = malloc(len)))
		return NULL;
	*p = '\0';
	for (i = 0; i < m->n_references; i++)
		p += sprintf(p, "%s%s", p == out ? "" : " ", m->references[i]);
	if (with_self && m->message_id)
		sprintf(p, "%s%s", p == out ? "" : " ", m->message_id);
	return out;
}

void mail_raws_free(struct mail_raw *msgs, size_t n)
{
	if (!msgs)
		return;
	for (size_t i = 0; i < n; i++)
		free(msgs[i].raw);
	free(msgs);
}
