/* service.c — see service.h. */
#include "service/service.h"

#include "desk/forward.h"
#include "desk/pipeline.h"
#include "desk/timers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "notify/intent.h"
#include "notify/notify.h"
#include "store/store.h"
#include "outbox/outbox.h"
#include "service/intake.h"

/* A backlog in the journal: one progress line this often (progress.h). */
#define INTAKE_PROGRESS_INTERVAL 10.0
/* issue 17: the admins hear of a stopped intake at most this often */
#define INTAKE_DOWN_NOTICE_EVERY 3600

int service_init(struct service *sv, const struct config *cfg, struct store *store,
		 struct error *err)
{
	struct smtp_options so = { 0 };
	struct error cerr = { 0 };

	memset(sv, 0, sizeof *sv);
	sv->cfg = cfg;
	sv->store = store;
	/* until store_close; without it SQLite checkpoints inside the commits */
	if (store_checkpoint_in_background(store, &cerr) < 0)
		log_warn("store", "%s: checkpoints stay in the commits", cerr.msg);
	if (cfg->imap.auth == LOGIN_PASSWORD &&
	    config_read_secret(cfg->imap.password_file, &sv->imap_password, err) < 0)
		return error_prefix(err, "imap.password_file");
	if (cfg->smtp.auth == LOGIN_PASSWORD && cfg->smtp.password_file &&
	    config_read_secret(cfg->smtp.password_file, &sv->smtp_password, err) < 0) {
		service_release(sv);
		return error_prefix(err, "smtp.password_file");
	}
	if (config_uses_oauth2(cfg)) {
		struct oauth2_options oo = config_oauth2_options(cfg);

		if (!(sv->oauth2 = oauth2_new(&oo))) {
			service_release(sv);
			return error_set(err, ERR_FATAL, "oauth2: cannot start the token client "
					 "(token_url must be https://)");
		}
	}
	so.url = cfg->smtp.url;
	so.starttls = cfg->smtp.starttls;
	so.user = cfg->smtp.user;
	so.password = sv->smtp_password;
	so.oauth2 = cfg->smtp.auth == LOGIN_XOAUTH2 ? sv->oauth2 : NULL;
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
	smtp_free(sv->smtp);	/* before the token source it borrows */
	oauth2_free(sv->oauth2);
	if (sv->imap_password)
		explicit_bzero(sv->imap_password, strlen(sv->imap_password));
	if (sv->smtp_password)
		explicit_bzero(sv->smtp_password, strlen(sv->smtp_password));
	free(sv->imap_password);
	free(sv->smtp_password);
	memset(sv, 0, sizeof *sv);
}

static struct imap_options imap_options_of(const struct service *sv)
{
	const struct imap_config *ic = &sv->cfg->imap;

	return (struct imap_options){
		.host = ic->host,
		.port = ic->port,
		.implicit_tls = ic->implicit_tls,
		.mailbox = ic->mailbox,
		.user = ic->user,
		.password = sv->imap_password,
		.oauth2 = ic->auth == LOGIN_XOAUTH2 ? sv->oauth2 : NULL,
		.ca_file = ic->ca_file,
		.timeout = ic->timeout,
	};
}

int service_connect(struct service *sv, struct error *err)
{
	const struct imap_config *ic = &sv->cfg->imap;
	struct imap_options o = imap_options_of(sv);
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

/*
 * Stores a fetched and read batch in one transaction, then — committed,
 * and only then — moves its messages out of the INBOX.
 */
static int store_batch(struct service *sv, struct intake_batch *b, double fetched,
		       struct error *err)
{
	struct pipeline_stats st = { 0 };
	double t0 = clock_monotonic(), t1;
	uint32_t *done;
	size_t i;
	int rc;

	rc = pipeline_store(sv->cfg, sv->store, b->mails, b->n, imap_uidvalidity(sv->imap),
			    clock_now(), &st, err);
	t1 = clock_monotonic();
	if (rc == 0 && b->n > 0) {
		done = malloc(b->n * sizeof *done);
		if (!done) {
			rc = error_set(err, ERR_TEMP, "out of memory");
		} else {
			for (i = 0; i < b->n; i++)
				done[i] = b->msgs[i].uid;
			rc = imap_move(sv->imap, done, b->n, sv->cfg->imap.processed_folder, err);
			free(done);
		}
	}
	log_debug("intake", "batch of %zu: fetch %.3f s, store %.3f s, move %.3f s", b->n,
		  fetched, t1 - t0, clock_monotonic() - t1);
	if (rc == 0) {
		sv->totals.new_tickets += st.new_tickets;
		sv->totals.follow_ups += st.follow_ups;
		sv->totals.duplicates += st.duplicates;
		sv->totals.automatic += st.automatic;
		sv->totals.unparseable += st.unparseable;
	}
	return rc;
}

/* Fetches, reads, stores and moves one batch of UIDs, all on this thread. */
static int intake_batch(struct service *sv, const uint32_t *uids, size_t n, struct error *err)
{
	struct intake_batch b;
	double t0 = clock_monotonic();
	int rc;

	if (intake_read(sv->imap, uids, n, &b, err) < 0)
		return -1;
	rc = store_batch(sv, &b, clock_monotonic() - t0, err);
	intake_batch_release(&b);
	return rc;
}

/* SIGTERM during a backlog: the batch in hand is finished, not the backlog. */
static bool stopping(const struct service *sv)
{
	return sv->stop && *sv->stop;
}

/*
 * A backlog: a reader thread fetches and reads ahead (intake.h) while this
 * thread stores.  *handled: the UIDs dealt with (0 when the reader could
 * not start: the caller goes on alone).  -1 on failure.
 */
static int intake_ahead(struct service *sv, const uint32_t *uids, size_t n,
			struct progress *progress, size_t *handled, struct error *err)
{
	struct imap_options o = imap_options_of(sv);
	size_t batch = (size_t)sv->cfg->fetch_batch;
	struct intake_reader *r;
	struct intake_batch b;
	struct error rerr = { 0 };
	double waited;
	int got, rc = 0;

	*handled = 0;
	if (intake_reader_start(&o, sv->cfg->limits.max_message_size, imap_uidvalidity(sv->imap),
				uids, n, batch, &r, &rerr) < 0) {
		log_warn("intake", "cannot read ahead on a second session (%s): one at a time",
			 rerr.msg);
		return 0;
	}
	while ((got = intake_reader_next(r, &b, &waited, err)) == 1) {
		int stored = store_batch(sv, &b, waited, err);

		/* one batch per chunk of UIDs, in order (some may have vanished) */
		*handled += n - *handled < batch ? n - *handled : batch;
		intake_batch_release(&b);
		if (stored < 0) {
			rc = -1;
			break;
		}
		progress_update(progress, *handled, clock_monotonic());
		if (stopping(sv))
			break;
	}
	if (got < 0)
		rc = -1;
	intake_reader_stop(r);
	return rc;
}

int service_intake(struct service *sv, struct error *err)
{
	uint32_t *uids = NULL;
	size_t n = 0, i = 0, chunk, batch = (size_t)sv->cfg->fetch_batch;
	struct progress progress;
	int rc = 0;

	if (service_connect(sv, err) < 0)
		return -1;
	if (imap_list_uids(sv->imap, &uids, &n, err) < 0) {
		service_disconnect(sv);
		return -1;
	}
	progress_start(&progress, &(struct progress_config){
		.out = stderr, .mode = progress_mode_for_stderr(), .module = "intake",
		.batch = batch, .interval = INTAKE_PROGRESS_INTERVAL }, n, clock_monotonic());
	/* More than one batch: worth a second session and a thread. */
	if (n > batch)
		rc = intake_ahead(sv, uids, n, &progress, &i, err);
	/* what the reader did not take (it could not start), one batch at a time */
	for (; rc == 0 && i < n && !stopping(sv); i += chunk) {
		chunk = n - i < batch ? n - i : batch;
		rc = intake_batch(sv, uids + i, chunk, err);
		if (rc == 0)
			progress_update(&progress, i + chunk, clock_monotonic());
	}
	progress_finish(&progress, clock_monotonic());
	free(uids);
	if (rc < 0) {
		/* A half-known IMAP state is not worth keeping. */
		service_disconnect(sv);
		return -1;
	}
	if (sv->down_since)
		log_info("intake", "logged in again: intake works since %ld s of refusals",
			 (long)(clock_now() - sv->down_since));
	sv->down_since = 0;
	return 0;
}

int service_intake_down(struct service *sv, const struct error *why, struct error *err)
{
	time_t now = clock_now();
	char *last = NULL, stamp[32];
	int rc;

	if (!sv->down_since)
		sv->down_since = now;
	if (store_state_get(sv->store, "notice.intake_down", &last, err) < 0)
		return -1;
	rc = last && now - strtoll(last, NULL, 10) < INTAKE_DOWN_NOTICE_EVERY &&
	     now >= strtoll(last, NULL, 10);
	free(last);
	if (rc)
		return 0;	/* told within the hour */
	snprintf(stamp, sizeof stamp, "%lld", (long long)now);
	/* the notice and its time in one transaction: told once, never twice */
	if (store_begin(sv->store, err) < 0)
		return -1;
	if (notify_intake_down(sv->cfg, sv->store, why->msg, sv->down_since, now, err) < 0 ||
	    store_state_set(sv->store, "notice.intake_down", stamp, err) < 0 ||
	    store_commit(sv->store, err) < 0) {
		store_rollback(sv->store);
		return -1;
	}
	log_info("intake", "the admins are told that intake stopped (again in an hour at "
		 "the soonest)");
	return 0;
}

int service_timers(struct service *sv, struct error *err)
{
	struct timer_stats ts = { 0 };
	struct error ferr = { 0 };
	size_t forwards;
	int forwarded;

	/* issue 13: the words this pass took in reach people, one mail per
	 * person (forward.h); its failure (a template missing) stops no
	 * escalation: the timers run anyway, and the words wait */
	forwarded = forward_words(sv->cfg, sv->store, clock_now(), &forwards, &ferr);
	if (timers_run(sv->cfg, sv->store, clock_now(), &ts, err) < 0)
		return -1;
	if (ts.escalations + ts.reminders + ts.overdue + ts.digests + ts.reviews)
		log_info("timers", "%zu escalations, %zu reminders, %zu overdue, %zu digests, %zu reviews",
			 ts.escalations, ts.reminders, ts.overdue, ts.digests, ts.reviews);
	if (forwarded < 0)
		*err = ferr;
	return forwarded < 0 ? -1 : 0;
}

/* A mail the relay refused for good: told as a bounce is (pipeline_tell_failed). */
static int tell_failed(void *ctx, const struct outbox_entry *e, const char *reason,
		       time_t now, struct error *err)
{
	struct service *sv = ctx;

	return pipeline_tell_failed(sv->cfg, sv->store, e, "failed", reason, now, err);
}

static int tell_outbox_cap(struct service *sv, struct error *err);

int service_flush(struct service *sv, struct error *err)
{
	struct outbox_stats st;

	if (tell_outbox_cap(sv, err) < 0)
		return -1;
	/* Issue 16: the sender stage first — every intent recorded so far is
	 * rendered from its ticket as it is now and its bytes stored; only
	 * stored bytes are sent (a recipient's later mail waits behind an
	 * intent not rendered yet: store_outbox_due). */
	if (notify_render_pending(sv->cfg, sv->store, clock_now(), NULL, err) < 0)
		return -1;
	/* Set here, not in service_init: a service struct may be copied. */
	sv->flusher.on_failed = tell_failed;
	sv->flusher.ctx = sv;
	return outbox_flush(sv->store, sv->smtp, &sv->flusher, clock_now(), &st, err);
}

#define TROUBLE_GAP 3600	/* issue 14: the admins hear of it once an hour */

int service_trouble(struct service *sv, const char *key, const char *label, const char *what,
		    const char *todo, struct error *err)
{
	time_t now = clock_now();
	char state_key[120], stamp[32], *last = NULL;
	int rc;

	snprintf(state_key, sizeof state_key, "trouble %s", key);
	if (store_begin(sv->store, err) < 0)
		return -1;
	rc = store_state_get(sv->store, state_key, &last, err);
	if (rc == 1 && now - strtoll(last, NULL, 10) < TROUBLE_GAP)
		rc = 0;
	else if (rc >= 0) {
		snprintf(stamp, sizeof stamp, "%lld", (long long)now);
		rc = store_state_set(sv->store, state_key, stamp, err) < 0 ||
		     notify_trouble(sv->cfg, sv->store, label, what, todo, now, err) < 0 ? -1 : 1;
	}
	free(last);
	if (rc < 0 || store_commit(sv->store, err) < 0) {
		store_rollback(sv->store);
		return -1;
	}
	if (rc == 1)
		log_info("service", "%s: the admins are told", key);
	return 0;
}

/* Issue 14 (point 11): outbox_queue() held mail back at the cap: the
 * admins hear of it, once an hour, then the mark is cleared. */
static int tell_outbox_cap(struct service *sv, struct error *err)
{
	char *rcpt = NULL, what[400];
	int rc = store_state_get(sv->store, OUTBOX_CAP_STATE, &rcpt, err);

	if (rc == 1 && *rcpt) {
		snprintf(what, sizeof what, "mail to %s is not queued any more: %d mails already wait "
			 "for that address (limits.pending_per_recipient); each one held is an event "
			 "'mail-held' on its ticket", rcpt, sv->cfg->limits.pending_per_recipient);
		rc = service_trouble(sv, "outbox-cap", "送信待ちのメールが上限に達しました / outbox "
				     "cap reached", what, "そのアドレスに届かない理由（メールボックス、"
				     "中継サーバー）を確認してください。incident-bot outbox で送信待ちが"
				     "見られます / find out why mail to that address does not leave "
				     "(incident-bot outbox).", err) < 0 ||
		     store_state_set(sv->store, OUTBOX_CAP_STATE, "", err) < 0 ? -1 : 0;
	}
	free(rcpt);
	return rc < 0 ? -1 : 0;
}
