/*
 * forward.h — people's words reach people (issue 13, SPEC 2 "A person's
 * words that join a ticket reach a person").  The pipeline marks the
 * words (a reporter's follow-up, a colleague's addition, management's
 * reply, management's question about no ticket; never an admin's command
 * mail, whose sender already gets a result); once a pass has taken in all
 * its mail, forward_words() sends them: to the ticket's owner, or to every
 * admin while nobody owns it or when it names no ticket — never to the
 * one who wrote them, and at most one mail per recipient and pass.
 */
#ifndef INCIDENT_FORWARD_H
#define INCIDENT_FORWARD_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "store/store.h"

/*
 * Who gets the words of sender about a ticket owned by owner (NULL or "":
 * nobody owns it, or the words are about no ticket): the owner, else every
 * admin; the sender never (case ignored).  Fills to[0..max) with borrowed
 * addresses (owner's, or the configuration's) and returns how many.  Pure.
 */
size_t forward_recipients(const struct config *cfg, const char *owner, const char *sender,
			  const char **to, size_t max);

/*
 * Forwards every person's words not forwarded yet (followup.txt), in one
 * transaction: one mail per recipient with all of its words, each marked
 * forwarded and noted on its ticket's timeline.  *mails: how many were
 * queued.  0, or -1 (err: ERR_TEMP retry later, ERR_FATAL a template).
 */
int forward_words(const struct config *cfg, struct store *st, time_t now, size_t *mails,
		  struct error *err);

#endif
