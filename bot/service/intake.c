/*
 * intake.c — see intake.h.
 *
 * One slot between the two threads: the reader fetches and reads batch
 * i+1 while batch i waits in the slot and batch i-1 is being stored, so at
 * most three batches are in memory.  The reader stops at its first error
 * and leaves it in the slot; the service gets it after the batches before.
 */
#include "service/intake.h"

#include "lib/clock.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct intake_reader {
	pthread_t thread;
	struct imap_session *imap;	/* the reader's own */
	const uint32_t *uids;		/* borrowed: the caller's list outlives us */
	size_t n, batch;

	pthread_mutex_t lock;
	pthread_cond_t changed;		/* slot filled or emptied, or stop */
	bool slot_full;
	struct intake_batch slot;
	bool done;			/* the reader has nothing more to give */
	bool failed;			/* ... because of `error` */
	struct error error;
	bool stop;			/* the service wants no more */
};

void intake_batch_release(struct intake_batch *b)
{
	pipeline_mails_free(b->mails, b->n);
	mail_raws_free(b->msgs, b->n);
	memset(b, 0, sizeof *b);
}

int intake_read(struct imap_session *imap, const uint32_t *uids, size_t n,
		struct intake_batch *b, struct error *err)
{
	memset(b, 0, sizeof *b);
	if (imap_fetch(imap, uids, n, &b->msgs, &b->n, err) < 0)
		return -1;
	if (pipeline_read(b->msgs, b->n, &b->mails, err) < 0) {
		mail_raws_free(b->msgs, b->n);
		memset(b, 0, sizeof *b);
		return -1;
	}
	return 0;
}

static void *reader_main(void *arg)
{
	struct intake_reader *r = arg;
	struct intake_batch b;
	struct error err = { 0 };
	size_t i, chunk;
	bool failed = false;

	for (i = 0; i < r->n; i += chunk) {
		chunk = r->n - i < r->batch ? r->n - i : r->batch;
		pthread_mutex_lock(&r->lock);
		if (r->stop) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		pthread_mutex_unlock(&r->lock);

		if (intake_read(r->imap, r->uids + i, chunk, &b, &err) < 0) {
			failed = true;
			break;
		}
		pthread_mutex_lock(&r->lock);
		while (r->slot_full && !r->stop)
			pthread_cond_wait(&r->changed, &r->lock);
		if (r->stop) {
			pthread_mutex_unlock(&r->lock);
			intake_batch_release(&b);
			break;
		}
		r->slot = b;
		r->slot_full = true;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	r->done = true;
	r->failed = failed;
	r->error = err;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int intake_reader_start(const struct imap_options *opt, size_t max_message_size,
			uint32_t uidvalidity, const uint32_t *uids, size_t n, size_t batch,
			struct intake_reader **out, struct error *err)
{
	struct intake_reader *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return error_set(err, ERR_TEMP, "intake: out of memory");
	if (imap_open(opt, &r->imap, err) < 0) {
		free(r);
		return -1;
	}
	if (imap_uidvalidity(r->imap) != uidvalidity) {
		imap_close(r->imap);
		free(r);
		return error_set(err, ERR_TEMP, "intake: UIDVALIDITY changed while reading ahead");
	}
	imap_set_max_size(r->imap, max_message_size);
	r->uids = uids;
	r->n = n;
	r->batch = batch ? batch : 1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->changed);
		imap_close(r->imap);
		free(r);
		return error_set(err, ERR_TEMP, "intake: cannot start the reader thread");
	}
	*out = r;
	return 0;
}

int intake_reader_next(struct intake_reader *r, struct intake_batch *b, double *waited,
		       struct error *err)
{
	double t0 = clock_monotonic();
	int rc;

	memset(b, 0, sizeof *b);
	pthread_mutex_lock(&r->lock);
	while (!r->slot_full && !r->done)
		pthread_cond_wait(&r->changed, &r->lock);
	if (r->slot_full) {
		*b = r->slot;
		memset(&r->slot, 0, sizeof r->slot);
		r->slot_full = false;
		pthread_cond_broadcast(&r->changed);
		rc = 1;
	} else if (r->failed) {
		*err = r->error;
		rc = -1;
	} else {
		rc = 0;
	}
	pthread_mutex_unlock(&r->lock);
	if (waited)
		*waited = clock_monotonic() - t0;
	return rc;
}

void intake_reader_stop(struct intake_reader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	if (r->slot_full)
		intake_batch_release(&r->slot);
	imap_close(r->imap);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->changed);
	free(r);
}
