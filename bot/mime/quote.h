/*
 * quote.h — the part of a reply its sender wrote: the quoted original,
 * attribution lines and the signature taken away, so timelines (and later
 * the admin commands) see only the new text.  Pure: no I/O, libc only.
 */
#ifndef INCIDENT_QUOTE_H
#define INCIDENT_QUOTE_H

/*
 * body is a decoded UTF-8 text body with LF line ends (a stray CR before
 * the LF does no harm).  Going down it line by line:
 *
 *   - a line that starts a quoted original cuts the body there: it and
 *     everything below are dropped (top posting);
 *   - a line starting with ">" or "＞" (U+FF1E) in its first column is
 *     quoted and dropped, but the lines between quoted blocks stay
 *     (inline and bottom posting); a dropped block and the empty lines
 *     around it become one empty line;
 *   - an attribution line ("On … wrote:") that is followed by quoted lines
 *     is dropped with them; a strong one (see the table) that is followed
 *     by anything else starts an unquoted original — HTML mails converted
 *     by html.c lose their ">" — and cuts;
 *   - a signature delimiter, a line that is exactly "-- " or "--", cuts;
 *   - a forward marker keeps the marker and everything below it as it is:
 *     a forwarded mail is usually the report itself;
 *   - then a mobile signature on the last line is dropped (not below a
 *     forward marker).
 *
 * Recognised forms ("…" is anything; colons may be ASCII ":" or "："; the
 * lines are compared with white space, including U+3000, trimmed):
 *
 *   form                                  client                   action
 *   ------------------------------------  -----------------------  -------
 *   -----Original Message-----            Outlook                  cut
 *   ----- Original Message -----          Outlook Express, Yahoo   cut
 *   -------- Original Message --------    Thunderbird              cut
 *   -----元のメッセージ-----              Outlook (ja)             cut
 *     (any run of 2+ dashes either side, any case, any spaces)
 *   From:/差出人:/送信者: line with, in   Outlook, Outlook for     cut
 *   the next 10 lines, a Sent:/Date:/     Mac, Outlook.com (en,
 *   送信日時:/日時: line and a To:/       ja)
 *   Subject:/宛先:/件名: line
 *   10+ underscores, then within 3 lines  Outlook                  cut
 *   a From:/差出人:/送信者: line
 *   On <…time…> wrote:                    Gmail, Apple Mail,       strong
 *     (or its first part on one line,     Thunderbird, iPhone
 *     "… wrote:" on the next)
 *   (2026/11/25 10:00), 山田 太郎 wrote:  Thunderbird (ja, old)    strong
 *   2026/11/25 10:00, … wrote:            Thunderbird (ja)         strong
 *   2026年11月25日(水) 10:00 山田 <a@b>:  Gmail (ja), also wrapped strong
 *   … さんは書きました:                    Thunderbird, Evolution,  strong
 *                                         old Gmail (ja)
 *   2026/11/25 10:00、山田 <a@b>のメール: iPhone (ja)              strong
 *   2026/11/25 10:00 <a@b> のメッセージ:  Yahoo! Mail (ja)         strong
 *   … wrote:  (up to 200 bytes)           old Thunderbird, Eudora  weak
 *   -- / "-- "                            signature delimiter      cut
 *   ---------- Forwarded message -------  Gmail, Thunderbird       forward
 *   ---------- 転送メッセージ ----------  Gmail (ja)               forward
 *   Begin forwarded message:              Apple Mail               forward
 *   転送されたメッセージ:                 Apple Mail (ja)          forward
 *   Sent from my …, Sent from Outlook,    phones (last line only)  dropped
 *   Get Outlook for …, <Device>から送信
 *
 * strong: dropped when quoted lines follow, else cuts; weak: dropped when
 * quoted lines follow, else kept as text.  As the endings alone are
 * common in prose, "wrote:" is strong only after "On " with a time
 * ("10:00") in the line, or after a year (2026/, 2026-, 2026., 2026年,
 * optionally after "(") with a comma; ">:", "のメール:" and "のメッセージ:"
 * only after either lead and with an '@'.  So report lines such as
 * "2026/11/25 10:00 cron wrote:" or "2026/11/25 10:00 エラーのメッセージ:"
 * stay text.
 *
 * To add a client's form: put its words in the matching table in quote.c
 * (framed[] for a dashed separator, markers[] for a line of its own,
 * header_keys[] for a header-block field name, tails[] for an attribution
 * ending, mobile_prefixes[] or mobile_suffixes[] for a phone's last
 * line), then add a case to tests/unit/test_quote.c written the way that
 * client writes it, and one of prose it must leave alone.
 *
 * Then empty and white-space-only lines: none at the start, none at the
 * end, at most two in a row, and white-space-only lines become empty; no
 * trailing white space and no final newline.  If nothing is left (a mail
 * that is only quoted text, only an Outlook forward, only a signature),
 * the whole body is returned, normalised the same way: a report is never
 * lost.
 * So a body with nothing to take away comes back unchanged up to that
 * normalisation: a caller comparing lengths to see whether something was
 * cut should know that trimming alone also shortens.
 *
 * Runs in time linear in the body.  body must not be NULL.  Returns a
 * malloc'd string the caller frees, or NULL when memory ran out.
 */
char *quote_new_text(const char *body);

#endif
