/*
 * termsafe.h — text from mail made safe for a terminal (issue 14, V9).
 * A report can carry ESC sequences (OSC 8 links, CSI cursor moves, OSC 52
 * clipboard writes, a title change) that `show`, `tickets`, `outbox`,
 * `digest` or a log line would otherwise hand to the operator's terminal.
 * Pure: no I/O.
 */
#ifndef INCIDENT_TERMSAFE_H
#define INCIDENT_TERMSAFE_H

#include <stddef.h>

#include "lib/buf.h"

/*
 * Appends the len bytes at in to out with every control made visible:
 * C0 controls but '\n' and '\t' (keep_lines true; false escapes those
 * too, for one-line logs), ESC and DEL as "\x1b"-style escapes; C1
 * controls written in UTF-8 (U+0080..U+009F) and the bidirectional
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069: text that reads
 * in another order than it runs) as "\u0085"; bytes that are no valid
 * UTF-8 (a lone 0x9b is CSI on 8-bit terminals) as "\x9b".  Everything
 * else is copied.  out->oom tells of a failed allocation.
 */
void termsafe_escape(const char *in, size_t len, int keep_lines, struct buf *out);

#endif
