/*
 * config.c — reads the libconfuse file into struct config (see config.h).
 *
 * Values are checked while libconfuse parses, in validate callbacks, so that
 * every complaint carries the file and line of the offending key.
 * To add a key: add it to the option table below, give it a default, copy it
 * into struct config in fill_config(), and document it in
 * conf/incident-bot.conf.
 */
#include "config/config_internal.h"

#include "lib/digest.h"
#include "lib/secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* libconfuse's error callback has no user pointer: the first complaint of a
 * parse is kept here and copied into the caller's struct error. */
static char parse_error[512];

static void collect_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char what[400];

	if (parse_error[0])
		return;
	vsnprintf(what, sizeof what, fmt, ap);
	if (cfg && cfg->filename)
		snprintf(parse_error, sizeof parse_error, "%s:%d: %s",
			 cfg->filename, cfg->line, what);
	else
		snprintf(parse_error, sizeof parse_error, "%s", what);
}

/* ---- validators: run as each value is parsed ---- */

/* The URL must start with one of two schemes ("imap", "imaps") and "://". */
static int check_url(cfg_t *cfg, cfg_opt_t *opt, const char *plain, const char *tls)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	const char *schemes[] = { plain, tls };
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(schemes[i]);
		if (strncmp(v, schemes[i], n) == 0 && strncmp(v + n, "://", 3) == 0 && v[n + 3])
			return 0;
	}
	cfg_error(cfg, "%s.url: unsupported URL \"%s\" (use %s://host:port or %s://host:port)",
		  cfg->name, v, plain, tls);
	return -1;
}

static int validate_imap_url(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_url(cfg, opt, "imap", "imaps");
}

static int validate_smtp_url(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_url(cfg, opt, "smtp", "smtps");
}

static int validate_positive(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v <= 0 || v > 86400 * 7) {
		cfg_error(cfg, "%s: %ld is out of range (a positive number of seconds, at most a week)",
			  opt->name, v);
		return -1;
	}
	return 0;
}

static int validate_batch(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 1 || v > 10000) {
		cfg_error(cfg, "fetch_batch: %ld is out of range (1 to 10000)", v);
		return -1;
	}
	return 0;
}

static int validate_max_message_size(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 64L * 1024 || v > 1L << 30) {
		cfg_error(cfg, "limits.max_message_size: %ld is out of range "
			  "(bytes, from 65536 = 64 KiB to 1073741824 = 1 GiB)", v);
		return -1;
	}
	return 0;
}

static int validate_pending(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 10 || v > 100000) {
		cfg_error(cfg, "limits.%s: %ld is out of range (10 to 100000)", opt->name, v);
		return -1;
	}
	return 0;
}

static int validate_replies(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 1 || v > 1000) {
		cfg_error(cfg, "limits.%s: %ld is out of range (1 to 1000)", opt->name, v);
		return -1;
	}
	return 0;
}

static int validate_language(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "ja") != 0 && strcmp(v, "en") != 0) {
		cfg_error(cfg, "language: \"%s\" is not supported (use \"ja\" or \"en\")", v);
		return -1;
	}
	return 0;
}

static int validate_timezone(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	char path[PATH_MAX];

	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", v);
	if (strstr(v, "..") || access(path, R_OK) != 0) {
		cfg_error(cfg, "timezone: unknown zone \"%s\" (use a name like \"Asia/Tokyo\"; is tzdata installed?)", v);
		return -1;
	}
	return 0;
}

/*
 * The charset of outgoing mail, in any case ("ISO-2022-JP"); fill_config()
 * keeps it in lower case.  To add one: teach compose.c to write it, then
 * add it here and to conf/incident-bot.conf.
 */
static int validate_charset(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const known[] = { "utf-8", "iso-2022-jp" };
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcasecmp(v, known[i]) == 0)
			return 0;
	cfg_error(cfg, "smtp.charset: \"%s\" is not supported (use \"utf-8\", or "
		  "\"iso-2022-jp\" for old Japanese mail clients)", v);
	return -1;
}

static int validate_address(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *at = strchr(v, '@');

	if (!at || at == v || !at[1] || strchr(at + 1, '@') ||
	    strpbrk(v, " \t\r\n<>,;\"")) {
		cfg_error(cfg, "%s: \"%s\" is not a mail address (write local@domain)",
			  opt->name, v);
		return -1;
	}
	return 0;
}

static int validate_roles(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *r = cfg_opt_getnstr(opt, i);
		if (strcmp(r, "admin") != 0 && strcmp(r, "management") != 0) {
			cfg_error(cfg, "roles: unknown role \"%s\" (use \"admin\" or \"management\")", r);
			return -1;
		}
	}
	return 0;
}

static int validate_person(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *p = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (!cfg_getstr(p, "email")) {
		cfg_error(cfg, "person \"%s\": email is missing", cfg_title(p));
		return -1;
	}
	if (!cfg_getstr(p, "name")) {
		cfg_error(cfg, "person \"%s\": name is missing", cfg_title(p));
		return -1;
	}
	return 0;
}

/* imap.auth, smtp.auth: how the bot logs in.  To add a way: an enum
 * login_auth value, a word here, and its use in imap.c and smtp.c. */
static int validate_auth(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "password") != 0 && strcmp(v, "xoauth2") != 0) {
		cfg_error(cfg, "%s.auth: \"%s\" is not a way to log in (use \"password\", or "
			  "\"xoauth2\" with an oauth2 section for Microsoft 365 / Google)",
			  cfg->name, v);
		return -1;
	}
	return 0;
}

static int validate_token_url(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strncmp(v, "https://", 8) != 0 || !v[8] || strpbrk(v, " \t\r\n")) {
		cfg_error(cfg, "oauth2.token_url: \"%s\" is not an https:// URL (e.g. "
			  "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token or "
			  "https://oauth2.googleapis.com/token)", v);
		return -1;
	}
	return 0;
}

static cfg_opt_t oauth2_opts[] = {
	CFG_STR("token_url", NULL, CFGF_NODEFAULT),
	CFG_STR("client_id", NULL, CFGF_NODEFAULT),
	CFG_STR("client_secret_file", NULL, CFGF_NODEFAULT),
	CFG_STR("refresh_token_file", NULL, CFGF_NODEFAULT),
	CFG_STR("scope", NULL, CFGF_NODEFAULT),
	CFG_STR("ca_file", NULL, CFGF_NODEFAULT),
	CFG_INT("timeout", 30, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t imap_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_STR("user", NULL, CFGF_NODEFAULT),
	CFG_STR("auth", "password", CFGF_NONE),
	CFG_STR("password_file", NULL, CFGF_NODEFAULT),
	CFG_STR("ca_file", NULL, CFGF_NONE),
	CFG_STR("processed_folder", "Processed", CFGF_NONE),
	CFG_BOOL("idle", cfg_true, CFGF_NONE),
	CFG_INT("poll_interval", 60, CFGF_NONE),
	CFG_INT("timeout", 60, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t smtp_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_BOOL("starttls", cfg_true, CFGF_NONE),
	CFG_STR("user", NULL, CFGF_NONE),
	CFG_STR("auth", "password", CFGF_NONE),
	CFG_STR("password_file", NULL, CFGF_NONE),
	CFG_STR("ca_file", NULL, CFGF_NONE),
	CFG_STR("from", NULL, CFGF_NODEFAULT),
	CFG_STR("from_name", "", CFGF_NONE),
	CFG_INT("timeout", 60, CFGF_NONE),
	CFG_STR("charset", "utf-8", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t limits_opts[] = {
	CFG_INT("max_message_size", (long)LIMITS_MAX_MESSAGE_SIZE_DEFAULT, CFGF_NONE),
	CFG_INT("replies_per_sender_per_hour", LIMITS_REPLIES_PER_HOUR_DEFAULT, CFGF_NONE),
	CFG_INT("replies_per_domain_per_hour", LIMITS_REPLIES_PER_DOMAIN_DEFAULT, CFGF_NONE),
	CFG_INT("replies_outside_per_hour", LIMITS_REPLIES_OUTSIDE_DEFAULT, CFGF_NONE),
	CFG_INT("pending_per_recipient", LIMITS_PENDING_DEFAULT, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t person_opts[] = {
	CFG_STR("name", NULL, CFGF_NONE),
	CFG_STR("email", NULL, CFGF_NONE),
	CFG_STR("phone", NULL, CFGF_NONE),
	CFG_STR_LIST("roles", "{}", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_STR("database", "state/incidents.db", CFGF_NONE),
	CFG_STR("templates", NULL, CFGF_NONE),
	CFG_STR("language", "ja", CFGF_NONE),
	CFG_STR("timezone", "Asia/Tokyo", CFGF_NONE),
	/* SPEC 3: a report's Date may set its awareness time when at most this
	 * much earlier than its arrival in the mailbox (rules/deadline.h) */
	CFG_STR("aware_window", "24h", CFGF_NONE),
	CFG_INT("fetch_batch", 200, CFGF_NONE),
	CFG_SEC("imap", imap_opts, CFGF_NODEFAULT),
	CFG_SEC("smtp", smtp_opts, CFGF_NODEFAULT),
	CFG_SEC("oauth2", oauth2_opts, CFGF_NODEFAULT),
	/* NODEFAULT although optional: the default section cfg_init would make
	 * is reused by the parser but has no file name (set later, on the
	 * root only), so errors inside it would name neither file nor line.
	 * Absent, fill_config() uses the same defaults as limits_opts. */
	CFG_SEC("limits", limits_opts, CFGF_NODEFAULT),
	CFG_SEC("person", person_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	/* the policy engine's sections: config_policy.c */
	CFG_STR("classification", NULL, CFGF_NONE),
	CFG_SEC("escalation", config_escalation_opts, CFGF_NODEFAULT),
	CFG_SEC("deadline", config_deadline_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("digest", config_digest_opts, CFGF_NODEFAULT),
	CFG_SEC("reviews", config_reviews_opts, CFGF_NODEFAULT),
	CFG_SEC("calendar", config_calendar_opts, CFGF_NODEFAULT),
	CFG_SEC("system", config_system_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("contacts", config_contacts_opts, CFGF_NODEFAULT),
	CFG_SEC("company", config_company_opts, CFGF_NODEFAULT),
	CFG_SEC("commands", config_commands_opts, CFGF_NODEFAULT),
	CFG_END()
};

static void install_validators(cfg_t *cfg)
{
	cfg_set_validate_func(cfg, "imap|url", validate_imap_url);
	cfg_set_validate_func(cfg, "imap|poll_interval", validate_positive);
	cfg_set_validate_func(cfg, "imap|timeout", validate_positive);
	cfg_set_validate_func(cfg, "imap|user", validate_address);
	cfg_set_validate_func(cfg, "imap|auth", validate_auth);
	cfg_set_validate_func(cfg, "smtp|auth", validate_auth);
	cfg_set_validate_func(cfg, "oauth2|token_url", validate_token_url);
	cfg_set_validate_func(cfg, "oauth2|timeout", validate_positive);
	cfg_set_validate_func(cfg, "smtp|url", validate_smtp_url);
	cfg_set_validate_func(cfg, "smtp|timeout", validate_positive);
	cfg_set_validate_func(cfg, "smtp|from", validate_address);
	cfg_set_validate_func(cfg, "smtp|charset", validate_charset);
	cfg_set_validate_func(cfg, "person|email", validate_address);
	cfg_set_validate_func(cfg, "person|roles", validate_roles);
	cfg_set_validate_func(cfg, "person", validate_person);
	cfg_set_validate_func(cfg, "language", validate_language);
	cfg_set_validate_func(cfg, "timezone", validate_timezone);
	cfg_set_validate_func(cfg, "fetch_batch", validate_batch);
	cfg_set_validate_func(cfg, "limits|max_message_size", validate_max_message_size);
	cfg_set_validate_func(cfg, "limits|replies_per_sender_per_hour", validate_replies);
	cfg_set_validate_func(cfg, "limits|replies_per_domain_per_hour", validate_replies);
	cfg_set_validate_func(cfg, "limits|replies_outside_per_hour", validate_replies);
	cfg_set_validate_func(cfg, "limits|pending_per_recipient", validate_pending);
	config_policy_validators(cfg);
}

/* ---- copying out of libconfuse ---- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Absolute path of p, relative to dir when p is relative; NULL stays NULL. */
static char *resolve_path(const char *dir, const char *p)
{
	char *out;

	if (!p)
		return NULL;
	if (p[0] == '/')
		return strdup(p);
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		return NULL;
	return out;
}

char *config_resolve(cfg_t *root, const char *p)
{
	char *copy = strdup(root->filename ? root->filename : "."), *out;

	if (!copy)
		return NULL;
	out = resolve_path(dirname(copy), p);
	free(copy);
	return out;
}

/* Splits "imaps://host:port/MAILBOX" into its parts. */
static int parse_imap_url(struct imap_config *im, struct error *err)
{
	const char *p = im->url, *host, *colon, *slash;

	im->implicit_tls = strncmp(p, "imaps://", 8) == 0;
	host = p + (im->implicit_tls ? 8 : 7);
	slash = strchr(host, '/');
	colon = memchr(host, ':', slash ? (size_t)(slash - host) : strlen(host));
	im->host = strndup(host, colon ? (size_t)(colon - host) :
				 slash ? (size_t)(slash - host) : strlen(host));
	im->port = im->implicit_tls ? 993 : 143;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (port <= 0 || port > 65535 || (*end && *end != '/'))
			return error_set(err, ERR_FATAL,
					 "config: imap.url: bad port in \"%s\"", im->url);
		im->port = (int)port;
	}
	im->mailbox = strdup(slash && slash[1] ? slash + 1 : "INBOX");
	if (!im->host || !*im->host)
		return error_set(err, ERR_FATAL, "config: imap.url: no host in \"%s\"", im->url);
	return 0;
}

/* The oauth2 section and what needs it: one grant's files, an https URL. */
static int fill_oauth2(cfg_t *c, const char *dir, struct config *cfg, struct error *err)
{
	cfg_t *oa = cfg_getsec(c, "oauth2");
	struct oauth2_config *o = &cfg->oauth2;

	if (!oa) {
		if (config_uses_oauth2(cfg))
			return error_set(err, ERR_FATAL,
					 "config: %s: %s.auth = \"xoauth2\" needs an oauth2 section "
					 "(token_url, client_id, client_secret_file or refresh_token_file)",
					 cfg->path, cfg->imap.auth == LOGIN_XOAUTH2 ? "imap" : "smtp");
		return 0;
	}
	o->token_url = dup_or_null(cfg_getstr(oa, "token_url"));
	o->client_id = dup_or_null(cfg_getstr(oa, "client_id"));
	o->client_secret_file = resolve_path(dir, cfg_getstr(oa, "client_secret_file"));
	o->refresh_token_file = resolve_path(dir, cfg_getstr(oa, "refresh_token_file"));
	o->scope = dup_or_null(cfg_getstr(oa, "scope"));
	o->ca_file = resolve_path(dir, cfg_getstr(oa, "ca_file"));
	o->timeout = (int)cfg_getint(oa, "timeout");
	if (!o->token_url || !o->client_id)
		return error_set(err, ERR_FATAL, "config: %s: oauth2 needs token_url and client_id",
				 cfg->path);
	if (!o->client_secret_file && !o->refresh_token_file)
		return error_set(err, ERR_FATAL,
				 "config: %s: oauth2 needs client_secret_file (client_credentials "
				 "grant: Microsoft 365) or refresh_token_file (refresh_token grant: "
				 "Google)", cfg->path);
	return 0;
}

static int fill_config(cfg_t *c, const char *dir, struct config *cfg, struct error *err)
{
	cfg_t *im = cfg_getsec(c, "imap"), *sm = cfg_getsec(c, "smtp");
	cfg_t *lim = cfg_getsec(c, "limits");
	unsigned i, j;

	if (!im || !sm)
		return error_set(err, ERR_FATAL, "config: %s: the %s section is missing",
				 cfg->path, im ? "smtp" : "imap");

	cfg->database = resolve_path(dir, cfg_getstr(c, "database"));
	cfg->templates = cfg_getstr(c, "templates") ?
		resolve_path(dir, cfg_getstr(c, "templates")) :
		strdup(INCIDENT_TEMPLATES_DIR);
	cfg->language = strdup(cfg_getstr(c, "language"));
	cfg->timezone = strdup(cfg_getstr(c, "timezone"));
	cfg->fetch_batch = (int)cfg_getint(c, "fetch_batch");

	/* an absent limits section: the defaults of limits_opts */
	cfg->limits.max_message_size = lim ? (size_t)cfg_getint(lim, "max_message_size")
					   : LIMITS_MAX_MESSAGE_SIZE_DEFAULT;
	cfg->limits.replies_per_hour = lim ? (int)cfg_getint(lim, "replies_per_sender_per_hour")
					   : LIMITS_REPLIES_PER_HOUR_DEFAULT;
	cfg->limits.replies_per_domain = lim ? (int)cfg_getint(lim, "replies_per_domain_per_hour")
					     : LIMITS_REPLIES_PER_DOMAIN_DEFAULT;
	cfg->limits.replies_outside = lim ? (int)cfg_getint(lim, "replies_outside_per_hour")
					  : LIMITS_REPLIES_OUTSIDE_DEFAULT;
	cfg->limits.pending_per_recipient = lim ? (int)cfg_getint(lim, "pending_per_recipient")
						: LIMITS_PENDING_DEFAULT;

	cfg->imap.url = dup_or_null(cfg_getstr(im, "url"));
	cfg->imap.user = dup_or_null(cfg_getstr(im, "user"));
	cfg->imap.auth = strcmp(cfg_getstr(im, "auth"), "xoauth2") == 0 ? LOGIN_XOAUTH2 : LOGIN_PASSWORD;
	cfg->imap.password_file = resolve_path(dir, cfg_getstr(im, "password_file"));
	cfg->imap.ca_file = resolve_path(dir, cfg_getstr(im, "ca_file"));
	cfg->imap.processed_folder = strdup(cfg_getstr(im, "processed_folder"));
	cfg->imap.idle = cfg_getbool(im, "idle");
	cfg->imap.poll_interval = (int)cfg_getint(im, "poll_interval");
	cfg->imap.timeout = (int)cfg_getint(im, "timeout");
	if (!cfg->imap.url || !cfg->imap.user ||
	    (cfg->imap.auth == LOGIN_PASSWORD && !cfg->imap.password_file))
		return error_set(err, ERR_FATAL,
				 "config: %s: imap needs url, user and password_file "
				 "(or auth = \"xoauth2\" and an oauth2 section)", cfg->path);
	if (parse_imap_url(&cfg->imap, err) < 0)
		return -1;

	cfg->smtp.url = dup_or_null(cfg_getstr(sm, "url"));
	cfg->smtp.starttls = cfg_getbool(sm, "starttls");
	cfg->smtp.user = dup_or_null(cfg_getstr(sm, "user"));
	cfg->smtp.auth = strcmp(cfg_getstr(sm, "auth"), "xoauth2") == 0 ? LOGIN_XOAUTH2 : LOGIN_PASSWORD;
	cfg->smtp.password_file = resolve_path(dir, cfg_getstr(sm, "password_file"));
	cfg->smtp.ca_file = resolve_path(dir, cfg_getstr(sm, "ca_file"));
	cfg->smtp.from = dup_or_null(cfg_getstr(sm, "from"));
	cfg->smtp.from_name = strdup(cfg_getstr(sm, "from_name"));
	cfg->smtp.timeout = (int)cfg_getint(sm, "timeout");
	cfg->smtp.charset = strdup(cfg_getstr(sm, "charset"));
	for (char *p = cfg->smtp.charset; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);	/* one spelling downstream */
	if (!cfg->smtp.url || !cfg->smtp.from)
		return error_set(err, ERR_FATAL, "config: %s: smtp needs url and from", cfg->path);
	if (cfg->smtp.auth == LOGIN_PASSWORD && !cfg->smtp.user != !cfg->smtp.password_file)
		return error_set(err, ERR_FATAL,
				 "config: %s: smtp.user and smtp.password_file go together (set both or neither)",
				 cfg->path);
	if (cfg->smtp.auth == LOGIN_XOAUTH2 && !cfg->smtp.user)
		return error_set(err, ERR_FATAL,
				 "config: %s: smtp.auth = \"xoauth2\" needs smtp.user (the mailbox "
				 "the token is for)", cfg->path);
	if (fill_oauth2(c, dir, cfg, err) < 0)
		return -1;

	cfg->n_persons = cfg_size(c, "person");
	cfg->persons = calloc(cfg->n_persons ? cfg->n_persons : 1, sizeof *cfg->persons);
	if (!cfg->persons)
		return error_set(err, ERR_TEMP, "config: out of memory");
	for (i = 0; i < cfg->n_persons; i++) {
		cfg_t *p = cfg_getnsec(c, "person", i);
		struct person *ps = &cfg->persons[i];

		ps->id = strdup(cfg_title(p));
		ps->name = strdup(cfg_getstr(p, "name"));
		ps->email = strdup(cfg_getstr(p, "email"));
		ps->phone = dup_or_null(cfg_getstr(p, "phone"));
		for (j = 0; j < cfg_size(p, "roles"); j++)
			ps->roles |= strcmp(cfg_getnstr(p, "roles", j), "admin") == 0 ?
				ROLE_ADMIN : ROLE_MANAGEMENT;
	}

	config_policy_fill(c, &cfg->policy);
	config_contacts_fill(c, &cfg->contacts);
	config_company_fill(c, &cfg->company, &cfg->contacts);
	if (config_commands_fill(c, cfg->database, &cfg->commands, err) < 0 ||
	    config_systems_fill(c, cfg, err) < 0)
		return -1;
	cfg->classification = cfg_getstr(c, "classification") ?
		resolve_path(dir, cfg_getstr(c, "classification")) :
		strdup(INCIDENT_KEYWORDS_FILE);
	if (!cfg->classification)
		return error_set(err, ERR_TEMP, "config: out of memory");
	return config_keywords_load(cfg->classification, cfg, err);
}

/*
 * Blanks out comments (hash, double-slash and slash-star ones) outside quoted strings,
 * keeping every line end.  libconfuse 3.3's lexer counts the line end of a
 * comment twice, so that its error messages name the wrong line; without
 * comments its count is right.
 */
static void blank_comments(char *p)
{
	char quote = 0;

	for (; *p; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				*p++ = ' ';
			if (!*p)
				break;
		} else if (p[0] == '/' && p[1] == '*') {
			for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p != '\n')
					*p = ' ';
			if (!*p)
				break;
			p[0] = p[1] = ' ';
			p++;
		}
	}
}

/* Reads the whole file (a configuration is small: at most 1 MiB). */
static char *slurp(const char *path, struct error *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f) {
		error_set(err, ERR_FATAL, "config: %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(1 << 20);
	n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (buf && !feof(f)) {
		free(buf);
		buf = NULL;
		error_set(err, ERR_FATAL, "config: %s: larger than 1 MiB", path);
	} else if (buf) {
		buf[n] = '\0';
	} else {
		error_set(err, ERR_TEMP, "config: out of memory");
	}
	fclose(f);
	return buf;
}

cfg_t *config_parse_file(const char *path, cfg_opt_t *opts, void (*validators)(cfg_t *),
			 struct error *err)
{
	cfg_t *c = cfg_init(opts, CFGF_NONE);
	char *text;
	FILE *fp;
	int rc;

	if (!c) {
		error_set(err, ERR_TEMP, "config: out of memory");
		return NULL;
	}
	parse_error[0] = '\0';
	cfg_set_error_function(c, collect_error);
	if (validators)
		validators(c);
	if (!(text = slurp(path, err))) {
		cfg_free(c);
		return NULL;
	}
	blank_comments(text);
	free(c->filename);
	c->filename = strdup(path);
	fp = fmemopen(text, strlen(text), "r");
	rc = fp ? cfg_parse_fp(c, fp) : CFG_FILE_ERROR;
	if (fp)
		fclose(fp);
	free(text);
	if (rc != CFG_SUCCESS) {
		error_set(err, ERR_FATAL, "config: %s", parse_error[0] ? parse_error :
			  "cannot read the file");
		cfg_free(c);
		return NULL;
	}
	return c;
}

int config_load(const char *path, struct config *cfg, struct error *err)
{
	char absdir[PATH_MAX], *copy;
	cfg_t *c;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if (!realpath(path, absdir))
		return error_set(err, ERR_FATAL, "config: %s: %s (give the file with -c FILE)",
				 path, strerror(errno));
	cfg->path = strdup(absdir);
	copy = strdup(absdir);
	snprintf(absdir, sizeof absdir, "%s", dirname(copy));
	free(copy);

	if (!(c = config_parse_file(cfg->path, root_opts, install_validators, err))) {
		config_release(cfg);
		return -1;
	}
	rc = fill_config(c, absdir, cfg, err);
	cfg_free(c);
	if (rc < 0)
		config_release(cfg);
	return rc;
}

void config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_persons; i++) {
		free(cfg->persons[i].id);
		free(cfg->persons[i].name);
		free(cfg->persons[i].email);
		free(cfg->persons[i].phone);
	}
	free(cfg->persons);
	free(cfg->path);
	free(cfg->database);
	free(cfg->templates);
	free(cfg->language);
	free(cfg->timezone);
	free(cfg->imap.url);
	free(cfg->imap.host);
	free(cfg->imap.mailbox);
	free(cfg->imap.user);
	free(cfg->imap.password_file);
	free(cfg->imap.ca_file);
	free(cfg->imap.processed_folder);
	free(cfg->smtp.url);
	free(cfg->smtp.user);
	free(cfg->smtp.password_file);
	free(cfg->smtp.ca_file);
	free(cfg->smtp.from);
	free(cfg->smtp.from_name);
	free(cfg->smtp.charset);
	free(cfg->oauth2.token_url);
	free(cfg->oauth2.client_id);
	free(cfg->oauth2.client_secret_file);
	free(cfg->oauth2.refresh_token_file);
	free(cfg->oauth2.scope);
	free(cfg->oauth2.ca_file);
	config_policy_release(cfg);
	memset(cfg, 0, sizeof *cfg);
}

int config_read_secret(const char *path, char **secret, struct error *err)
{
	/* the rule itself is secret.c's, shared with the OAuth2 files */
	if (secret_read(path, secret, err) < 0)
		return error_prefix(err, "config");
	return 0;
}

int config_token_secret(struct config *cfg, struct error *err)
{
	const char *path = cfg->commands.token_secret_file;
	unsigned char rnd[32];
	char hex[65];
	int fd;

	if (cfg->token_secret)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* first start: a secret nobody chose (256 bits) */
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
			close(fd);
			unlink(path);
			return error_set(err, ERR_FATAL, "config: no random bytes for %s", path);
		}
		digest_hex(rnd, sizeof rnd, hex);
		hex[64] = '\n';
		if (write(fd, hex, 65) != 65) {
			close(fd);
			unlink(path);
			return error_set(err, ERR_FATAL, "config: cannot write %s: %s", path,
					 strerror(errno));
		}
		close(fd);
		explicit_bzero(rnd, sizeof rnd);
		explicit_bzero(hex, sizeof hex);
	} else if (errno != EEXIST) {
		return error_set(err, ERR_FATAL, "config: commands.token_secret_file %s: %s", path,
				 strerror(errno));
	}
	return config_read_secret(path, &cfg->token_secret, err);
}

bool config_uses_oauth2(const struct config *cfg)
{
	return cfg->imap.auth == LOGIN_XOAUTH2 || cfg->smtp.auth == LOGIN_XOAUTH2;
}

struct oauth2_options config_oauth2_options(const struct config *cfg)
{
	const struct oauth2_config *o = &cfg->oauth2;

	return (struct oauth2_options){
		.token_url = o->token_url, .client_id = o->client_id,
		.client_secret_file = o->client_secret_file,
		.refresh_token_file = o->refresh_token_file,
		.scope = o->scope, .ca_file = o->ca_file, .timeout = o->timeout,
	};
}

const struct person *config_find_person(const struct config *cfg, const char *addr)
{
	size_t i;

	if (!addr)
		return NULL;
	for (i = 0; i < cfg->n_persons; i++)
		if (strcasecmp(cfg->persons[i].email, addr) == 0)
			return &cfg->persons[i];
	return NULL;
}

const char *config_mail_domain(const struct config *cfg)
{
	const char *at = strchr(cfg->smtp.from, '@');
	return at ? at + 1 : cfg->smtp.from;
}

bool config_is_company_address(const struct config *cfg, const char *addr)
{
	const char *dom = config_mail_domain(cfg), *at = addr ? strrchr(addr, '@') : NULL;
	size_t n, d;

	if (!at || !*dom)
		return false;
	at++;
	n = strlen(at);
	d = strlen(dom);
	return strcasecmp(at, dom) == 0 ||
	       (n > d + 1 && at[n - d - 1] == '.' && strcasecmp(at + n - d, dom) == 0);
}
