/*
 * token.h — the life of the reply tokens (issue 14).  A token (rules/auth.h)
 * is bound to a ticket, a person and a generation kept in the store; this
 * module decides when a generation ends: when its token shows up in mail
 * the bot receives from someone who may not command, or addressed to
 * anyone but the bot and the admins (the reporter on Cc of an admin's
 * reply, a forward); when the ticket closes (admin.c); after
 * commands.token_max_age (store_token_live); or when the person asks for a
 * new one with /token.  Everything runs inside the pipeline's transaction.
 */
#ifndef INCIDENT_TOKEN_H
#define INCIDENT_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "store/store.h"

/*
 * Revokes every live token that appears in the received mail m (raw: its
 * len bytes as received; m's decoded body is searched too) when m comes
 * from a sender who may not command or is addressed (To/Cc) to anybody
 * but the bot and the admins and management.  Each revocation is an event
 * on the token's ticket ("token-revoked", naming whose and why, never the
 * token) and a mail to the admins (token.txt), whose reply address carries
 * the fresh token of the person who lost one.  Returns how many it
 * revoked, or -1 on a store or memory error.
 */
int token_check_leaks(const struct config *cfg, struct store *st, const struct mail *m,
		      const char *raw, size_t len, time_t now, struct error *err);

/*
 * Whether addr is the bot's own address or one of its +tag reply
 * addresses (case-insensitive).
 */
bool token_is_bot_address(const struct config *cfg, const char *addr);

#endif
