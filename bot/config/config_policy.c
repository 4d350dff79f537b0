/*
 * config_policy.c — the policy engine's part of the configuration: the
 * escalation limits, the deadlines table of SPEC 5, the digest schedule,
 * the policy's periodic reviews, the external contacts of policy 7-4, and
 * the classification keywords file.  config.c hands over the parsed root
 * section; like config.c, this file is a libconfuse adapter and nothing
 * else includes confuse.h.
 *
 * Every value has a default — the policy's clocks are rules/deadline.c's
 * policy_config_defaults(), the rest the option tables' — so the smallest
 * configuration of SPEC 8 works; conf/incident-bot.conf documents them.
 */
#include "config/config_internal.h"

#include "rules/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validators ---- */

static int validate_span(cfg_t *cfg, cfg_opt_t *opt)
{
	struct span sp;
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++)
		if (span_parse(cfg_opt_getnstr(opt, i), &sp) < 0) {
			cfg_error(cfg, "%s: \"%s\" is not a time span (write e.g. \"30m\", \"24h\", "
				  "\"5d\", \"2w\", \"6mo\", \"1y\")", opt->name, cfg_opt_getnstr(opt, i));
			return -1;
		}
	return 0;
}

static int validate_remind(cfg_t *cfg, cfg_opt_t *opt)
{
	struct remind_point r;
	unsigned i;

	if (cfg_opt_size(opt) > REMIND_MAX) {
		cfg_error(cfg, "remind: at most %d reminders", REMIND_MAX);
		return -1;
	}
	for (i = 0; i < cfg_opt_size(opt); i++)
		if (remind_parse(cfg_opt_getnstr(opt, i), &r) < 0) {
			cfg_error(cfg, "remind: \"%s\" is not a reminder (write \"50%%\" of the time, "
				  "\"-2h\" before the due time, or \"3d\" after the start)",
				  cfg_opt_getnstr(opt, i));
			return -1;
		}
	return 0;
}

static int validate_daytime(cfg_t *cfg, cfg_opt_t *opt)
{
	int minutes;

	if (daytime_parse(cfg_opt_getnstr(opt, 0), &minutes) < 0) {
		cfg_error(cfg, "%s: \"%s\" is not a time of day (write \"09:00\")", opt->name,
			  cfg_opt_getnstr(opt, 0));
		return -1;
	}
	return 0;
}

static int validate_deadline(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *d = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (obligation_from_name(cfg_title(d)) < 0) {
		cfg_error(cfg, "deadline \"%s\": unknown obligation (use ppc-preliminary, ppc-final, "
			  "amazon, aws, ... as listed in conf/incident-bot.conf)", cfg_title(d));
		return -1;
	}
	/* APPI rules art. 8(2): the 60-day span is the final report's alone */
	if (cfg_getstr(d, "due_malicious") && obligation_from_name(cfg_title(d)) != OBL_PPC_FINAL) {
		cfg_error(cfg, "deadline \"%s\": due_malicious belongs to deadline \"ppc-final\" "
			  "only (APPI rules art. 8(2))", cfg_title(d));
		return -1;
	}
	return 0;
}

/* ---- the option tables config.c includes in its root ---- */

cfg_opt_t config_escalation_opts[] = {
	CFG_STR("high", NULL, CFGF_NONE),
	CFG_STR("medium", NULL, CFGF_NONE),
	CFG_STR("low", NULL, CFGF_NONE),
	CFG_STR("overdue_repeat", "1d", CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_deadline_opts[] = {
	CFG_STR("due", NULL, CFGF_NONE),
	CFG_STR("due_malicious", NULL, CFGF_NONE),	/* ppc-final only */
	CFG_STR_LIST("remind", NULL, CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_digest_opts[] = {
	CFG_BOOL("enabled", cfg_true, CFGF_NONE),
	CFG_STR("time", "09:00", CFGF_NONE),
	CFG_END()
};

/* Issue 12 point 9: the days besides weekends and Japan's public holidays
 * (rules/holidays.c) on which nobody works, and when the reminder of a
 * deadline falling on such a day comes on the business day before it. */
cfg_opt_t config_calendar_opts[] = {
	CFG_STR_LIST("holidays", "{}", CFGF_NONE),
	CFG_STR("reminder_time", "10:00", CFGF_NONE),
	CFG_END()
};

/* Policy 6(3): each system's recovery priority and how long its business
 * may stop (rules/systems.h). */
cfg_opt_t config_system_opts[] = {
	CFG_STR_LIST("keywords", "{}", CFGF_NONE),
	CFG_STR("priority", "medium", CFGF_NONE),
	CFG_STR("max_downtime", NULL, CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_reviews_opts[] = {
	CFG_STR("risk", NULL, CFGF_NONE),
	CFG_STR("plan", NULL, CFGF_NONE),
	CFG_STR("drill", NULL, CFGF_NONE),
	CFG_STR("change", "30d", CFGF_NONE),	/* 5(2): verification after a change */
	CFG_STR("repeat", "7d", CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_commands_opts[] = {
	CFG_STR("auth", "token", CFGF_NONE),
	CFG_STR("token_secret_file", NULL, CFGF_NONE),
	CFG_STR("authserv_id", "", CFGF_NONE),
	CFG_STR("token_max_age", "30d", CFGF_NONE),	/* issue 14 */
	CFG_STR_LIST("internal_hosts", "{}", CFGF_NONE),
	CFG_BOOL("align_subdomains", cfg_false, CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_contacts_opts[] = {
	CFG_STR("ppc_phone", "03-6457-9685", CFGF_NONE),	/* policy 7-4 */
	CFG_STR("amazon", "3p-security@amazon.com", CFGF_NONE),	/* policy 7-4 */
	CFG_STR("aws", "", CFGF_NONE),
	CFG_STR("rakuten_phone", "050-5533-1899", CFGF_NONE),	/* policy 7-4 */
	CFG_STR("yahoo_form", "https://support.yahoo-net.jp/form/s/PccDeveloper", CFGF_NONE),
	CFG_STR("website", "", CFGF_NONE),
	CFG_STR("staff", "", CFGF_NONE),	/* policy 5(1), 8(3): all employees */
	CFG_STR_LIST("outage", "{}", CFGF_NONE),
	CFG_END()
};

/* Issue 13: the letters' sender; website: policy 7-4 names it. */
cfg_opt_t config_company_opts[] = {
	CFG_STR("name", "", CFGF_NONE),
	CFG_STR("shop", "", CFGF_NONE),
	CFG_STR("website", COMPANY_WEBSITE_DEFAULT, CFGF_NONE),
	CFG_END()
};

/* "2026-12-29" as YYYYMMDD, or -1 unless a real date. */
static int date_key(const char *s)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[n] ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	{
		static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		if (d > days[m - 1] || (m == 2 && d == 29 && !leap))
			return -1;
	}
	return y * 10000 + m * 100 + d;
}

static int validate_holidays(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned i;

	if (cfg_opt_size(opt) > CALENDAR_DAYS_OFF_MAX) {
		cfg_error(cfg, "calendar.holidays: %u days, at most %d", cfg_opt_size(opt),
			  CALENDAR_DAYS_OFF_MAX);
		return -1;
	}
	for (i = 0; i < cfg_opt_size(opt); i++)
		if (date_key(cfg_opt_getnstr(opt, i)) < 0) {
			cfg_error(cfg, "calendar.holidays: \"%s\" is not a date (write \"2026-12-29\")",
				  cfg_opt_getnstr(opt, i));
			return -1;
		}
	return 0;
}

/* A span as exact seconds ("4h", "2d"; months are not a downtime), or -1. */
static long downtime_seconds(const char *s)
{
	struct span sp = { 0 };

	if (!s || span_parse(s, &sp) < 0 || sp.months || sp.days > 3650)
		return -1;
	return sp.seconds + sp.days * 86400L;
}

static int validate_system(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sys = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *dt = cfg_getstr(sys, "max_downtime");
	unsigned i;

	if (cfg_size(sys, "keywords") == 0) {
		cfg_error(cfg, "system \"%s\": keywords is missing (the words that name it in a "
			  "report)", cfg_title(sys));
		return -1;
	}
	for (i = 0; i < cfg_size(sys, "keywords"); i++)
		if (!cfg_getnstr(sys, "keywords", i)[0]) {
			cfg_error(cfg, "system \"%s\": an empty keyword", cfg_title(sys));
			return -1;
		}
	if (priority_from_name(cfg_getstr(sys, "priority")) < 0) {
		cfg_error(cfg, "system \"%s\": priority \"%s\" (use high, medium or low)",
			  cfg_title(sys), cfg_getstr(sys, "priority"));
		return -1;
	}
	if (dt && downtime_seconds(dt) <= 0) {
		cfg_error(cfg, "system \"%s\": max_downtime \"%s\" (write \"30m\", \"4h\" or "
			  "\"2d\")", cfg_title(sys), dt);
		return -1;
	}
	return 0;
}

static int validate_auth(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "token") != 0 && strcmp(v, "dkim") != 0 && strcmp(v, "token+dkim") != 0) {
		cfg_error(cfg, "commands.auth: \"%s\" is not a mode (use \"token\", \"dkim\" or "
			  "\"token+dkim\")", v);
		return -1;
	}
	return 0;
}

void config_policy_validators(cfg_t *c)
{
	static const char *const spans[] = {
		"escalation|high", "escalation|medium", "escalation|low",
		"escalation|overdue_repeat", "deadline|due", "deadline|due_malicious",
		"reviews|risk", "reviews|plan", "reviews|drill", "reviews|change", "reviews|repeat",
		"aware_window", "commands|token_max_age",
	};
	size_t i;

	for (i = 0; i < sizeof spans / sizeof spans[0]; i++)
		cfg_set_validate_func(c, spans[i], validate_span);
	cfg_set_validate_func(c, "deadline|remind", validate_remind);
	cfg_set_validate_func(c, "deadline", validate_deadline);
	cfg_set_validate_func(c, "digest|time", validate_daytime);
	cfg_set_validate_func(c, "calendar|reminder_time", validate_daytime);
	cfg_set_validate_func(c, "calendar|holidays", validate_holidays);
	cfg_set_validate_func(c, "system", validate_system);
	cfg_set_validate_func(c, "commands|auth", validate_auth);
}

/* ---- copying out ---- */

/* s (validated, or a default of this file) as a span. */
static struct span span_of(const char *s)
{
	struct span sp = { 0 };

	span_parse(s, &sp);
	return sp;
}

void config_policy_fill(cfg_t *c, struct policy_config *p)
{
	cfg_t *esc = cfg_getsec(c, "escalation"), *dg = cfg_getsec(c, "digest");
	cfg_t *rv = cfg_getsec(c, "reviews"), *cal = cfg_getsec(c, "calendar");
	const char *v;
	size_t i, j;

	/* the policy's clocks (rules/deadline.c), then what the file changes */
	policy_config_defaults(p);
	for (i = 0; i < PRIORITY_COUNT; i++)
		if (esc && (v = cfg_getstr(esc, priority_name(i))))
			p->escalate[i] = span_of(v);
	p->overdue_repeat = span_of(esc ? cfg_getstr(esc, "overdue_repeat") : "1d");

	for (i = 0; i < cfg_size(c, "deadline"); i++) {
		cfg_t *d = cfg_getnsec(c, "deadline", i);
		struct deadline_config *dc = &p->deadline[obligation_from_name(cfg_title(d))];
		cfg_opt_t *ro = cfg_getopt(d, "remind");
		const char *remind[REMIND_MAX] = { 0 };

		if ((v = cfg_getstr(d, "due")))
			dc->due = span_of(v);
		if ((v = cfg_getstr(d, "due_malicious")))
			p->ppc_final_malicious = span_of(v);
		/* a remind list written, even "{}", replaces the default one */
		if (ro && ((ro->flags & CFGF_MODIFIED) || cfg_opt_size(ro) > 0)) {
			for (j = 0; j < cfg_opt_size(ro) && j < REMIND_MAX; j++)
				remind[j] = cfg_opt_getnstr(ro, j);
			deadline_set_reminders(dc, remind, j);
		}
	}

	p->digest_enabled = dg ? cfg_getbool(dg, "enabled") : true;
	daytime_parse(dg ? cfg_getstr(dg, "time") : "09:00", &p->digest_minutes);

	for (i = 0; i < REVIEW_COUNT; i++)
		if (rv && (v = cfg_getstr(rv, review_name(i))))
			p->review_every[i] = span_of(v);
	p->review_repeat = span_of(rv ? cfg_getstr(rv, "repeat") : "7d");
	p->review_change = span_of(rv ? cfg_getstr(rv, "change") : "30d");
	p->aware_window = span_of(cfg_getstr(c, "aware_window"));

	daytime_parse(cal ? cfg_getstr(cal, "reminder_time") : "10:00",
		      &p->calendar.reminder_minutes);
	p->calendar.n_days_off = 0;
	for (i = 0; cal && i < cfg_size(cal, "holidays") && i < CALENDAR_DAYS_OFF_MAX; i++)
		p->calendar.days_off[p->calendar.n_days_off++] =
			date_key(cfg_getnstr(cal, "holidays", i));
}

void config_contacts_fill(cfg_t *c, struct contacts_config *k)
{
	cfg_t *ct = cfg_getsec(c, "contacts");
	unsigned i;

	/* an absent section: the defaults of config_contacts_opts, from policy 7-4 */
#define CONTACT(key, dflt) strdup(ct ? cfg_getstr(ct, key) : dflt)
	k->ppc_phone = CONTACT("ppc_phone", "03-6457-9685");
	k->amazon = CONTACT("amazon", "3p-security@amazon.com");
	k->aws = CONTACT("aws", "");
	k->rakuten_phone = CONTACT("rakuten_phone", "050-5533-1899");
	k->yahoo_form = CONTACT("yahoo_form", "https://support.yahoo-net.jp/form/s/PccDeveloper");
	k->website = CONTACT("website", "");
	k->staff = CONTACT("staff", "");
#undef CONTACT
	k->n_outage = ct ? cfg_size(ct, "outage") : 0;
	k->outage = calloc(k->n_outage + 1, sizeof *k->outage);
	for (i = 0; k->outage && i < k->n_outage; i++)
		k->outage[i] = strdup(cfg_getnstr(ct, "outage", i));
}

void config_company_fill(cfg_t *c, struct company_config *co, struct contacts_config *k)
{
	cfg_t *sec = cfg_getsec(c, "company");

	co->name = strdup(sec ? cfg_getstr(sec, "name") : "");
	co->shop = strdup(sec ? cfg_getstr(sec, "shop") : "");
	co->website = strdup(sec ? cfg_getstr(sec, "website") : COMPANY_WEBSITE_DEFAULT);
	/* one website unless the operator publishes elsewhere (policy 7-4) */
	if (k->website && !*k->website && co->website) {
		free(k->website);
		k->website = strdup(co->website);
	}
}

int config_commands_fill(cfg_t *c, const char *database, struct commands_config *k,
			 struct error *err)
{
	cfg_t *cm = cfg_getsec(c, "commands");
	const char *mode = cm ? cfg_getstr(cm, "auth") : "token";
	const char *file = cm ? cfg_getstr(cm, "token_secret_file") : NULL;
	char *dir;

	struct span age = span_of(cm ? cfg_getstr(cm, "token_max_age") : "30d");

	k->auth = (strstr(mode, "token") ? AUTH_TOKEN : 0) | (strstr(mode, "dkim") ? AUTH_DKIM : 0);
	/* issue 14: a token that leaked unseen stops working after this;
	 * calendar units counted as 30-day months, which is all this needs */
	k->token_max_age = age.seconds + 86400L * age.days + 30L * 86400L * age.months;
	/* issue 14 (V2): the Received from-hosts of our own system; the first
	 * hop from any other host is the border, and only the
	 * Authentication-Results above it are our border's */
	k->n_internal_hosts = cm ? cfg_size(cm, "internal_hosts") : 0;
	k->internal_hosts = calloc(k->n_internal_hosts + 1, sizeof *k->internal_hosts);
	for (size_t i = 0; k->internal_hosts && i < k->n_internal_hosts; i++)
		if (!(k->internal_hosts[i] = strdup(cfg_getnstr(cm, "internal_hosts", i))))
			return error_set(err, ERR_TEMP, "config: out of memory");
	if (!k->internal_hosts)
		return error_set(err, ERR_TEMP, "config: out of memory");
	k->align_subdomains = cm && cfg_getbool(cm, "align_subdomains");
	k->authserv_id = strdup(cm ? cfg_getstr(cm, "authserv_id") : "");
	if (file)
		k->token_secret_file = config_resolve(c, file);
	else if ((dir = strdup(database))) {
		/* beside the database, which is as private as the secret */
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		if (asprintf(&k->token_secret_file, "%s/command-token", slash ? dir : ".") < 0)
			k->token_secret_file = NULL;
		free(dir);
	}
	if (!k->authserv_id || !k->token_secret_file)
		return error_set(err, ERR_TEMP, "config: out of memory");
	if ((k->auth & AUTH_DKIM) && !*k->authserv_id)
		return error_set(err, ERR_FATAL, "config: commands.auth = \"%s\" needs commands.authserv_id: "
				 "the id your mail server writes first in Authentication-Results "
				 "(e.g. \"mx.example.com\")", mode);
	return 0;
}

/* ---- the keywords file ---- */

static cfg_opt_t rule_opts[] = {
	CFG_STR_LIST("words", "{}", CFGF_NONE),
	CFG_STR_LIST("senders", "{}", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t keywords_opts[] = {
	CFG_SEC("source", rule_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("type", rule_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("priority", rule_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("flag", rule_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END()
};

static const struct {
	const char *section;
	enum keyword_field field;
	int (*from_name)(const char *);
	const char *known;
} rule_kinds[] = {
	{ "source", KW_SOURCE, source_from_name, "policy 7-1: suspected-access, confirmed-leak, "
	  "utm-vendor, external-notice, system-alert, malfunction, equipment" },
	{ "type", KW_TYPE, type_from_name, "policy 1, 7-6: database-hacking, unauthorized-access, "
	  "data-leak, insider-leak, malware, dos, lost-device, power, overheating, disaster, other" },
	{ "priority", KW_PRIORITY, priority_from_name, "policy 7-2: high, medium, low" },
	{ "flag", KW_FLAG, flag_from_name, "personal-data, partner-data, amazon, aws, rakuten, "
	  "yahoo, external-reporter, internal-only, malicious, sensitive, financial, encrypted, "
	  "processor (drill comes from the subject)" },
};

static int validate_rule(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *r = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	size_t i;

	for (i = 0; i < sizeof rule_kinds / sizeof rule_kinds[0]; i++)
		if (strcmp(opt->name, rule_kinds[i].section) == 0 &&
		    rule_kinds[i].from_name(cfg_title(r)) < 0) {
			cfg_error(cfg, "%s \"%s\": unknown value (use %s)", opt->name,
				  cfg_title(r), rule_kinds[i].known);
			return -1;
		}
	return 0;
}

static void keywords_validators(cfg_t *c)
{
	size_t i;

	for (i = 0; i < sizeof rule_kinds / sizeof rule_kinds[0]; i++)
		cfg_set_validate_func(c, rule_kinds[i].section, validate_rule);
}

static char **strings_copy(cfg_t *sec, const char *name, size_t *n)
{
	char **out;
	size_t i;

	*n = cfg_size(sec, name);
	if (!(out = calloc(*n + 1, sizeof *out)))
		return NULL;
	for (i = 0; i < *n; i++)
		if (!(out[i] = strdup(cfg_getnstr(sec, name, i))))
			return out;	/* config_policy_release frees what was made */
	return out;
}

int config_systems_fill(cfg_t *c, struct config *cfg, struct error *err)
{
	size_t i, j, n = cfg_size(c, "system");

	cfg->n_systems = 0;
	if (n == 0)
		return 0;
	if (!(cfg->systems = calloc(n, sizeof *cfg->systems)))
		return error_set(err, ERR_TEMP, "config: out of memory");
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(c, "system", i);
		struct system_config *sys = &cfg->systems[cfg->n_systems++];
		const char *dt = cfg_getstr(s, "max_downtime");

		sys->priority = (enum priority)priority_from_name(cfg_getstr(s, "priority"));
		sys->max_downtime = dt ? downtime_seconds(dt) : 0;
		sys->n_keywords = cfg_size(s, "keywords");
		if (!(sys->name = strdup(cfg_title(s))) ||
		    !(sys->keywords = calloc(sys->n_keywords + 1, sizeof *sys->keywords)))
			return error_set(err, ERR_TEMP, "config: out of memory");
		for (j = 0; j < sys->n_keywords; j++)
			if (!(sys->keywords[j] = systems_normalise(cfg_getnstr(s, "keywords", j))))
				return error_set(err, ERR_TEMP, "config: out of memory");
	}
	return 0;
}

int config_keywords_load(const char *path, struct config *cfg, struct error *err)
{
	cfg_t *c = config_parse_file(path, keywords_opts, keywords_validators, err);
	size_t i, j, n = 0;

	if (!c)
		return -1;
	for (i = 0; i < sizeof rule_kinds / sizeof rule_kinds[0]; i++)
		n += cfg_size(c, rule_kinds[i].section);
	cfg->rules = calloc(n + 1, sizeof *cfg->rules);
	if (!cfg->rules) {
		cfg_free(c);
		return error_set(err, ERR_TEMP, "config: out of memory");
	}
	for (i = 0; i < sizeof rule_kinds / sizeof rule_kinds[0]; i++)
		for (j = 0; j < cfg_size(c, rule_kinds[i].section); j++) {
			cfg_t *r = cfg_getnsec(c, rule_kinds[i].section, j);
			struct keyword_rule *kr = &cfg->rules[cfg->n_rules++];

			kr->field = rule_kinds[i].field;
			kr->value = rule_kinds[i].from_name(cfg_title(r));
			kr->words = strings_copy(r, "words", &kr->n_words);
			kr->senders = strings_copy(r, "senders", &kr->n_senders);
		}
	cfg_free(c);
	if (!(cfg->classifier = classifier_new(cfg->rules, cfg->n_rules)))
		return error_set(err, ERR_TEMP, "config: out of memory");
	return 0;
}

static void strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void config_policy_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_rules; i++) {
		strings_free(cfg->rules[i].words, cfg->rules[i].n_words);
		strings_free(cfg->rules[i].senders, cfg->rules[i].n_senders);
	}
	classifier_free(cfg->classifier);
	free(cfg->rules);
	for (i = 0; i < cfg->n_systems; i++) {
		free(cfg->systems[i].name);
		strings_free(cfg->systems[i].keywords, cfg->systems[i].n_keywords);
	}
	free(cfg->systems);
	free(cfg->classification);
	free(cfg->contacts.ppc_phone);
	free(cfg->contacts.amazon);
	free(cfg->contacts.aws);
	free(cfg->contacts.rakuten_phone);
	free(cfg->contacts.yahoo_form);
	free(cfg->contacts.website);
	free(cfg->contacts.staff);
	free(cfg->company.name);
	free(cfg->company.shop);
	free(cfg->company.website);
	strings_free(cfg->contacts.outage, cfg->contacts.n_outage);
	free(cfg->commands.token_secret_file);
	for (size_t i = 0; cfg->commands.internal_hosts && i < cfg->commands.n_internal_hosts; i++)
		free(cfg->commands.internal_hosts[i]);
	free(cfg->commands.internal_hosts);
	free(cfg->commands.authserv_id);
	if (cfg->token_secret)
		explicit_bzero(cfg->token_secret, strlen(cfg->token_secret));
	free(cfg->token_secret);
}
