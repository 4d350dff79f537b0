/*
 * show_text.h — `show` for people (issue 13, point 9): the compact view
 * an admin reads at a glance (the fields, the obligations with their time
 * left and kind, the checklist, the notes, each message's own words) and
 * the full one (every message whole, every mail, the timeline), in
 * columns aligned by display width (cli/table.h).  cmd_show.c loads the
 * ticket and writes the JSON.
 */
#ifndef INCIDENT_SHOW_TEXT_H
#define INCIDENT_SHOW_TEXT_H

#include <stdbool.h>
#include <time.h>

#include "config/config.h"
#include "store/store.h"

/* One ticket and everything recorded about it, as cmd_show.c loads it. */
struct ticket_view {
	struct ticket t;
	struct message_row *msgs;
	size_t n_msgs;
	struct event *events;
	size_t n_events;
	struct outbox_entry *mails;
	size_t n_mails;
	struct checklist_item *items;
	size_t n_items;
	struct obligation *obl;
	size_t n_obl;
	time_t now;
};

/* Prints v to stdout: the compact view, or everything when full.  cfg
 * names people (config_find_person); v and cfg are borrowed. */
void show_text_print(const struct ticket_view *v, const struct config *cfg, bool full);

#endif
