/*
 * intent.h — the sender stage of the outbox (issue 16): the intake
 * records what must be sent (outbox_intent, through notify_queue_to); this
 * stage, run before every flush, renders each intent from the ticket as
 * it is now and stores the exact bytes and their SHA-256 in the
 * transaction that marks it rendered.  Only then can outbox_flush send it,
 * and a resend after a crash sends those bytes again, never a re-render.
 *
 * It lives in notify/ because rebuilding a mail's variables is notify's
 * job (the registry in intent.c: kind → the function of the mail's own
 * file that rebuilds them); outbox/ sits below and cannot call up here.
 */
#ifndef INCIDENT_INTENT_H
#define INCIDENT_INTENT_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "store/store.h"

/*
 * Renders every pending intent, oldest first, in transactions of up to
 * NOTIFY_RENDER_BATCH.  An intent that cannot be rendered for good (a
 * template error, its ticket gone, a kind nobody renders) is marked failed
 * with the reason, and logged; the others go on.  *rendered (may be NULL)
 * counts what was stored.  0, or -1 on a database error (ERR_TEMP /
 * ERR_FATAL): what was committed before stays rendered.
 */
#define NOTIFY_RENDER_BATCH 100
int notify_render_pending(const struct config *cfg, struct store *st, time_t now,
			  size_t *rendered, struct error *err);

/*
 * A kind's parameters as an intent stores them: "key=value" lines, a
 * backslash and a line break in a value written as \\ and \n.  Small and
 * readable with sqlite3 by an operator who wonders what a row will say.
 */
#define NOTIFY_PARAMS_MAX 16
struct notify_params {
	char *buf;			/* owned: the decoded keys and values */
	size_t n;
	const char *key[NOTIFY_PARAMS_MAX];
	const char *val[NOTIFY_PARAMS_MAX];
};

/* Appends key=value (value NULL: empty) to *text (malloc'd, NULL at
 * first; the caller frees it).  0, or -1 when out of memory. */
int notify_params_add(char **text, const char *key, const char *value);
int notify_params_addf(char **text, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Decodes text (NULL: none) into *p (notify_params_release).  0, or -1
 * when out of memory or text holds more than NOTIFY_PARAMS_MAX lines. */
int notify_params_parse(struct notify_params *p, const char *text);
/* The value of key, or "" when p has none (a row from an older bot). */
const char *notify_params_get(const struct notify_params *p, const char *key);
long notify_params_long(const struct notify_params *p, const char *key, long dflt);
void notify_params_release(struct notify_params *p);

#endif
