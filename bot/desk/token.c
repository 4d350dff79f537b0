/* token.c — see token.h. */
#include "desk/token.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "notify/notify.h"
#include "rules/auth.h"

/* The most distinct tokens one mail is searched for: past this a mail
 * is hostile, and the ones found already are revoked. */
#define LEAKS_MAX 32

bool token_is_bot_address(const struct config *cfg, const char *addr)
{
	const char *bot = cfg->smtp.from, *at = bot ? strchr(bot, '@') : NULL, *aat;
	size_t local;

	if (!addr || !at)
		return false;
	if (strcasecmp(addr, bot) == 0)
		return true;
	local = (size_t)(at - bot);
	aat = strrchr(addr, '@');
	return aat && strncasecmp(addr, bot, local) == 0 && addr[local] == '+' &&
	       strcasecmp(aat, at) == 0;
}

static bool may_command(const struct config *cfg, const char *addr)
{
	const struct person *p = addr ? config_find_person(cfg, addr) : NULL;

	return p && (p->roles & (ROLE_ADMIN | ROLE_MANAGEMENT));
}

/*
 * Why a token in m has leaked, or false: issue 14 — a mail from someone
 * who may not command, or one that went to somebody beside the bot and
 * the admins (who then holds the token), makes the token known outside.
 */
static bool leaked(const struct config *cfg, const struct mail *m, char *why, size_t why_len)
{
	size_t i;

	if (!may_command(cfg, m->from.addr)) {
		snprintf(why, why_len, "it came in a mail from %s, who is not an admin or management",
			 m->from.addr ? m->from.addr : "(no sender)");
		return true;
	}
	for (i = 0; i < m->n_to + m->n_cc; i++) {
		const char *a = i < m->n_to ? m->to[i].addr : m->cc[i - m->n_to].addr;

		if (a && !token_is_bot_address(cfg, a) && !may_command(cfg, a)) {
			snprintf(why, why_len, "the mail of %s carrying it was also sent to %s",
				 m->from.addr, a);
			return true;
		}
	}
	return false;
}

/* Revokes the live token of t that equals token, if any: 1, 0 or -1. */
static int revoke_match(const struct config *cfg, struct store *st, struct ticket *t,
			const char *token, const char *why, time_t now, struct error *err)
{
	struct token_row *rows;
	size_t n, i;
	char *detail = NULL;
	int rc = 0;

	if (store_token_list_live(st, t->id, now, cfg->commands.token_max_age, &rows, &n, err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (!auth_token_ok(cfg->token_secret, t->ref, rows[i].addr, rows[i].generation, token))
			continue;
		rc = 1;
		log_warn("token", "%s: reply token of %s (generation %lu) revoked: %s", t->ref,
			 rows[i].addr, rows[i].generation, why);
		if (asprintf(&detail, "reply token of %s (generation %lu) revoked: %s", rows[i].addr,
			     rows[i].generation, why) < 0) {
			rc = error_set(err, ERR_TEMP, "token: out of memory");
			break;
		}
		if (store_token_revoke(st, t->id, rows[i].addr, rows[i].generation, why, now, err) < 0 ||
		    store_event_add(st, t->id, now, "bot", "token-revoked", detail, err) < 0 ||
		    notify_token(cfg, st, t, rows[i].addr, why, true, now, err) < 0)
			rc = -1;
		free(detail);
	}
	store_token_rows_free(rows, n);
	return rc;
}

int token_check_leaks(const struct config *cfg, struct store *st, const struct mail *m,
		      const char *raw, size_t len, time_t now, struct error *err)
{
	char ref[AUTH_REF_MAX], token[AUTH_TOKEN_LEN + 1], why[400];
	char seen[LEAKS_MAX][AUTH_REF_MAX + AUTH_TOKEN_LEN + 1];
	const char *texts[2] = { raw, m->body };
	size_t lens[2] = { len, m->body ? strlen(m->body) : 0 };
	size_t n_seen = 0, k, i, pos;
	int revoked = 0, rc;

	if (!cfg->token_secret || !leaked(cfg, m, why, sizeof why))
		return 0;
	for (k = 0; k < 2; k++)
		for (pos = 0; texts[k] && auth_find_token(texts[k], lens[k], &pos, ref, token);) {
			struct ticket t = { 0 };
			char key[sizeof seen[0]];

			snprintf(key, sizeof key, "%s%s", ref, token);
			for (i = 0; i < n_seen && strcmp(seen[i], key) != 0; i++)
				;
			if (i < n_seen)
				continue;
			if (n_seen == LEAKS_MAX)
				goto done;
			memcpy(seen[n_seen++], key, sizeof key);
			if ((rc = store_ticket_get(st, ref, &t, err)) == 1)
				rc = revoke_match(cfg, st, &t, token, why, now, err);
			store_ticket_release(&t);
			if (rc < 0) {
				revoked = -1;
				goto done;
			}
			revoked += rc;
		}
done:
	explicit_bzero(token, sizeof token);
	explicit_bzero(seen, sizeof seen);
	return revoked;
}
