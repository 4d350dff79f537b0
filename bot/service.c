/* service.c — see service.h. */
#include "service.h"

#include "timers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"

int service_init(struct service *sv, const struct config *cfg, struct store *store,
		 struct error *err)
{
	struct smtp_options so = { 0 };

	memset(sv, 0, sizeof *sv);
	sv->cfg = cfg;
	sv->store = store;
	if (config_read_secret(cfg->imap.password_file, &sv->imap_password, err) < 0)
		return error_prefix(err, "imap.password_file");
	if (cfg->smtp.password_file &&
	    config_read_secret(cfg->smtp.password_file, &sv->smtp_password, err) < 0) {
		service_release(sv);
		return error_prefix(err, "smtp.password_file");
	}
	so.url = cfg->smtp.url;
	so.starttls = cfg->smtp.starttls;
	so.user = cfg->smtp.user;
	so.password = sv->smtp_password;
	so.ca_file = cfg->smtp.ca_file;
	so.timeout = cfg->smtp.timeout;
	if (!(sv->smtp = smtp_new(&so))) {
		service_release(sv);
		return error_set(err, ERR_FATAL, "smtp: cannot start the client");
	}
	return 0;
}

void service_release(struct service *sv)
{
	service_disconnect(sv);
	if (sv->store)
		outbox_flusher_release(sv->store, &sv->flusher);
	smtp_free(sv->smtp);
	if (sv->imap_password)
		explicit_bzero(sv->imap_password, strlen(sv->imap_password));
	if (sv->smtp_password)
		explicit_bzero(sv->smtp_password, strlen(sv->smtp_password));
	free(sv->imap_password);
	free(sv->smtp_password);
	memset(sv, 0, sizeof *sv);
}

int service_connect(struct service *sv, struct error *err)
{
	const struct imap_config *ic = &sv->cfg->imap;
	struct imap_options o = {
		.host = ic->host,
		.port = ic->port,
		.implicit_tls = ic->implicit_tls,
		.mailbox = ic->mailbox,
		.user = ic->user,
		.password = sv->imap_password,
		.ca_file = ic->ca_file,
		.timeout = ic->timeout,
	};
	char uv[16], *old = NULL;

	if (sv->imap)
		return 0;
	if (imap_open(&o, &sv->imap, err) < 0)
		return -1;
	imap_set_max_size(sv->imap, sv->cfg->limits.max_message_size);
	/* A new UIDVALIDITY means the UIDs we saw mean nothing now; the
	 * duplicate check by Message-ID and SHA-256 still holds. */
	snprintf(uv, sizeof uv, "%u", imap_uidvalidity(sv->imap));
	if (store_state_get(sv->store, "imap.uidvalidity", &old, err) < 0)
		return -1;
	if (old && strcmp(old, uv) != 0)
		log_warn("imap", "%s: UIDVALIDITY changed from %s to %s", ic->mailbox, old, uv);
	if (!old || strcmp(old, uv) != 0)
		if (store_state_set(sv->store, "imap.uidvalidity", uv, err) < 0) {
			free(old);
			return -1;
		}
	free(old);
	return 0;
}

void service_disconnect(struct service *sv)
{
	imap_close(sv->imap);
	sv->imap = NULL;
}

/* Fetches, processes and moves one batch of UIDs. */
static int intake_batch(struct service *sv, const uint32_t *uids, size_t n, struct error *err)
{
	struct imap_message *msgs = NULL;
	struct pipeline_stats st = { 0 };
	uint32_t *done;
	size_t got = 0, i;
	int rc;

	if (imap_fetch(sv->imap, uids, n, &msgs, &got, err) < 0)
		return -1;
	rc = pipeline_process(sv->cfg, sv->store, msgs, got, imap_uidvalidity(sv->imap),
			      clock_now(), &st, err);
	if (rc == 0 && got > 0) {
		/* Committed: now, and only now, the messages may leave the INBOX. */
		done = malloc(got * sizeof *done);
		if (!done) {
			rc = error_set(err, ERR_TEMP, "out of memory");
		} else {
			for (i = 0; i < got; i++)
				done[i] = msgs[i].uid;
			rc = imap_move(sv->imap, done, got, sv->cfg->imap.processed_folder, err);
			free(done);
		}
	}
	imap_messages_free(msgs, got);
	if (rc == 0) {
		sv->totals.new_tickets += st.new_tickets;
		sv->totals.follow_ups += st.follow_ups;
		sv->totals.duplicates += st.duplicates;
		sv->totals.automatic += st.automatic;
		sv->totals.unparseable += st.unparseable;
	}
	return rc;
}

int service_intake(struct service *sv, struct error *err)
{
	uint32_t *uids = NULL;
	size_t n = 0, i, chunk;

	if (service_connect(sv, err) < 0)
		return -1;
	if (imap_list_uids(sv->imap, &uids, &n, err) < 0) {
		service_disconnect(sv);
		return -1;
	}
	for (i = 0; i < n; i += chunk) {
		chunk = n - i < (size_t)sv->cfg->fetch_batch ? n - i : (size_t)sv->cfg->fetch_batch;
		if (intake_batch(sv, uids + i, chunk, err) < 0) {
			free(uids);
			/* A half-known IMAP state is not worth keeping. */
			service_disconnect(sv);
			return -1;
		}
	}
	free(uids);
	return 0;
}

int service_timers(struct service *sv, struct error *err)
{
	struct timer_stats ts = { 0 };

	if (timers_run(sv->cfg, sv->store, clock_now(), &ts, err) < 0)
		return -1;
	if (ts.escalations + ts.reminders + ts.overdue + ts.digests + ts.reviews)
		log_info("timers", "%zu escalations, %zu reminders, %zu overdue, %zu digests, %zu reviews",
			 ts.escalations, ts.reminders, ts.overdue, ts.digests, ts.reviews);
	return 0;
}

/*
 * The admins hear of a mail that failed for good by mail to themselves
 * (another route than the one that failed) — unless what failed was such a
 * notice, which would loop.  Mail about no ticket (the digest) has no
 * ticket to note it on: its failure is in the log and the outbox.
 */
static int tell_failed(void *ctx, const struct outbox_entry *e, const char *reason,
		       time_t now, struct error *err)
{
	struct service *sv = ctx;
	char *detail = NULL;
	int rc = 0;

	if (e->ticket_id) {
		if (asprintf(&detail, "%s to %s failed: %s", e->kind, e->rcpt, reason) < 0)
			return error_set(err, ERR_TEMP, "outbox: out of memory");
		rc = store_event_add(sv->store, e->ticket_id, now, "bot", "bounce", detail, err);
		free(detail);
	}
	if (rc == 0 && strcmp(e->kind, "bounce") != 0)
		rc = notify_bounce(sv->cfg, sv->store, e, reason, now, err);
	return rc;
}

int service_flush(struct service *sv, struct error *err)
{
	struct outbox_stats st;

	/* Set here, not in service_init: a service struct may be copied. */
	sv->flusher.on_failed = tell_failed;
	sv->flusher.ctx = sv;
	return outbox_flush(sv->store, sv->smtp, &sv->flusher, clock_now(), &st, err);
}
