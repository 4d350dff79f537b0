/*
 * ticket_text.h — a ticket's parts as `show` and `tickets` write them for
 * people (issue 13, point 9): a person by name, an obligation's time
 * left or lateness, a ticket's next deadline.  Text goes into the
 * caller's buffer; nothing here allocates or prints.
 */
#ifndef INCIDENT_TICKET_TEXT_H
#define INCIDENT_TICKET_TEXT_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "store/store.h"

/*
 * addr as people know it: the configured person's name ("北垣 剛志"),
 * with " <addr>" too when with_addr; the address alone for someone not
 * configured; "-" for NULL.  Into buf; returns buf.
 */
const char *ticket_text_person(const struct config *cfg, const char *addr, bool with_addr,
			       char *buf, size_t len);

/*
 * How an obligation stands at now: open ones "残り2日3時間" before their
 * due time and "超過1時間5分" at or after it; "済 12-09 10:00" when done,
 * "不要" when not needed, "取消" when cancelled.  Into buf (>= 48
 * bytes); returns buf.
 */
const char *ticket_text_left(const struct obligation *o, time_t now, char *buf, size_t len);

/*
 * The ticket's next deadline among the n obligations o (of any tickets:
 * those of ticket_id only count): the open one due first, or NULL when
 * it has none open.
 */
const struct obligation *ticket_text_next(const struct obligation *o, size_t n,
					  int64_t ticket_id);

#endif
