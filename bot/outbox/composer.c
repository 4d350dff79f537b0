/* composer.c — see composer.h. */
#include "outbox/composer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lib/log.h"

struct composer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* a job submitted or composed, or stop */
	struct compose_job **jobs;	/* since the last wait, in submission order */
	size_t cap, n_submitted, n_taken, n_done;
	/* who sleeps on changed: woken only then (a wake-up is a system call,
	 * and a backlog submits tens of thousands of jobs) */
	bool thread_idle, caller_waiting;
	bool stop;
};

static void compose(struct compose_job *j)
{
	j->err = (struct error){ 0 };
	j->rc = outbox_seal(j->cfg, j->ticket_ref, j->mail, j->message_id, j->now, &j->out, &j->err);
}

/* j composed on the caller's thread, outside any queue. */
static void compose_here(struct compose_job *j)
{
	compose(j);
	j->taken = j->done = true;
}

/* Takes the next job not taken yet, composes it and counts it done; with
 * c->lock held before and after.  false when there was none. */
static bool compose_next(struct composer *c)
{
	struct compose_job *j;

	if (c->n_taken == c->n_submitted)
		return false;
	j = c->jobs[c->n_taken++];
	j->taken = true;
	pthread_mutex_unlock(&c->lock);
	compose(j);
	pthread_mutex_lock(&c->lock);
	j->done = true;
	c->n_done++;
	if (c->caller_waiting)
		pthread_cond_broadcast(&c->changed);
	return true;
}

static void *composer_main(void *arg)
{
	struct composer *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stop)
		if (!compose_next(c)) {
			c->thread_idle = true;
			pthread_cond_wait(&c->changed, &c->lock);
			c->thread_idle = false;
		}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct composer *composer_start(void)
{
	struct composer *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	if (pthread_create(&c->thread, NULL, composer_main, c) != 0) {
		/* one thread does it all: slower, never wrong */
		log_warn("outbox", "no thread to compose on: composing on one");
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->changed);
		free(c);
		return NULL;
	}
	return c;
}

void composer_submit(struct composer *c, struct compose_job *j)
{
	j->taken = j->done = false;
	if (!c) {
		compose_here(j);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (c->n_submitted == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 128;
		struct compose_job **grown = realloc(c->jobs, cap * sizeof *grown);

		if (!grown) {
			/* no room to queue it: the caller composes it */
			pthread_mutex_unlock(&c->lock);
			compose_here(j);
			return;
		}
		c->jobs = grown;
		c->cap = cap;
	}
	c->jobs[c->n_submitted++] = j;
	if (c->thread_idle)
		pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

/* Sleeps until a job is composed; with c->lock held. */
static void wait_for_one(struct composer *c)
{
	c->caller_waiting = true;
	pthread_cond_wait(&c->changed, &c->lock);
	c->caller_waiting = false;
}

void composer_wait_for(struct composer *c, struct compose_job *j)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* jobs are taken in order: while j is not, the caller composes the
	 * first one not taken, which is j or one before it */
	while (!j->done)
		if (j->taken || !compose_next(c))
			wait_for_one(c);
	pthread_mutex_unlock(&c->lock);
}

void composer_wait(struct composer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* what the thread has not taken, the caller composes meanwhile */
	while (c->n_done < c->n_submitted)
		if (!compose_next(c))
			wait_for_one(c);
	c->n_submitted = c->n_taken = c->n_done = 0;
	pthread_mutex_unlock(&c->lock);
}

void composer_stop(struct composer *c)
{
	if (!c)
		return;
	composer_wait(c);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	free(c->jobs);
	free(c);
}
