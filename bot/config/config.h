/*
 * config.h — the bot's configuration, read with libconfuse (the only file
 * that includes it) into plain structs.  conf/incident-bot.conf documents
 * every key.
 *
 * Relative paths in the file are made absolute against the file's folder.
 * Secrets are never in the file itself: *_password_file names a file that
 * must not be readable by group or others (config_read_secret).
 */
#ifndef INCIDENT_CONFIG_H
#define INCIDENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/oauth2.h"
#include "rules/classify.h"
#include "rules/deadline.h"
#include "rules/policy.h"
#include "rules/systems.h"

enum role {
	ROLE_ADMIN = 1 << 0,		/* policy 7-1: system admin, EC admin */
	ROLE_MANAGEMENT = 1 << 1,	/* policy 7-1: the president */
};

struct person {
	char *id;		/* the section title: "sysadmin" */
	char *name;
	char *email;
	char *phone;		/* may be NULL */
	unsigned roles;		/* enum role bits */
};

/* How the bot logs in to a server (imap.auth, smtp.auth). */
enum login_auth {
	LOGIN_PASSWORD = 0,	/* "password": LOGIN / AUTH PLAIN with password_file */
	LOGIN_XOAUTH2,		/* "xoauth2": SASL XOAUTH2 with a token (issue 17) */
};

struct imap_config {
	char *url;		/* as written, for messages */
	char *host;
	int port;
	bool implicit_tls;	/* imaps:// */
	char *mailbox;		/* from the URL path, default INBOX */
	char *user;
	enum login_auth auth;
	char *password_file;	/* NULL with auth = xoauth2 */
	char *ca_file;
	char *processed_folder;
	bool idle;
	int poll_interval;	/* seconds */
	int timeout;		/* seconds per network operation */
};

struct smtp_config {
	char *url;
	bool starttls;
	char *user;		/* NULL: no AUTH */
	enum login_auth auth;
	char *password_file;	/* NULL: no AUTH, or auth = xoauth2 */
	char *ca_file;
	char *from;
	char *from_name;
	int timeout;
	char *charset;		/* "utf-8" (default) or "iso-2022-jp", lower case */
};

/*
 * The oauth2 section (issue 17): where tokens for XOAUTH2 come from.
 * token_url NULL: no section.  The secrets stay in their files (read at
 * every token request, lib/oauth2.h).
 */
struct oauth2_config {
	char *token_url;		/* https:// */
	char *client_id;
	char *client_secret_file;	/* client_credentials grant (and Google's refresh) */
	char *refresh_token_file;	/* set: refresh_token grant */
	char *scope;			/* NULL: none */
	char *ca_file;			/* NULL: the system store */
	int timeout;
};

/* The limits section: each has a default, so the section is optional. */
struct limits_config {
	size_t max_message_size;	/* bytes; a larger mail is cut to this (64 KiB–1 GiB) */
	int replies_per_hour;		/* automatic answers to one mailbox per hour (1–1000) */
	int replies_per_domain;		/* ... to one outside domain per hour (issue 14) */
	int replies_outside;		/* ... to all outside senders together per hour */
	int pending_per_recipient;	/* mail waiting in the outbox for one address (issue 14) */
};

#define LIMITS_MAX_MESSAGE_SIZE_DEFAULT	((size_t)25 << 20)	/* 25 MiB */
#define LIMITS_REPLIES_PER_HOUR_DEFAULT	5	/* issue 14 (V5) */
#define LIMITS_REPLIES_PER_DOMAIN_DEFAULT	20
#define LIMITS_REPLIES_OUTSIDE_DEFAULT	100
#define LIMITS_PENDING_DEFAULT	200


/* Policy 7-4: who the company reports to; "" when not configured. */
struct contacts_config {
	char *ppc_phone;
	char *amazon;		/* e-mail */
	char *aws;		/* e-mail */
	char *rakuten_phone;
	char *yahoo_form;	/* URL */
	char *website;		/* where the company publishes (URL); "": company.website */
	char *staff;		/* the all-employees address (policy 5(1), 8(3)); "" none */
	char **outage;		/* equipment trouble, disaster: the needed contacts */
	size_t n_outage;
};

/*
 * Who writes the letters to outsiders (issue 13: the notice drafts said
 * 【会社名】 everywhere): the company's name, the shop customers know,
 * and its website.  "" when not configured; website defaults to the
 * one policy 7-4 names (ホームページにて公表).
 */
struct company_config {
	char *name;		/* 株式会社… */
	char *shop;		/* the shop or site name customers know */
	char *website;		/* URL */
};

#define COMPANY_WEBSITE_DEFAULT "https://www.shoes-i.net/"	/* policy 7-4 */

/* Issue 5: how an admin's command mail is authenticated (SPEC 6). */
enum command_auth { AUTH_TOKEN = 1 << 0, AUTH_DKIM = 1 << 1 };

struct commands_config {
	unsigned auth;			/* AUTH_* bits: every one set must pass */
	char *token_secret_file;	/* the HMAC key of the reply tokens */
	char *authserv_id;		/* the company server's Authentication-Results id */
	long token_max_age;		/* seconds a reply token lives (issue 14; 30 days) */
	char **internal_hosts;		/* hosts of our own mail system (Received from-hosts) */
	size_t n_internal_hosts;
	bool align_subdomains;		/* a subdomain's DKIM counts for the From domain */
};

struct config {
	char *path;		/* the file read */
	char *database;
	char *templates;
	char *language;
	char *timezone;
	struct imap_config imap;
	struct smtp_config smtp;
	struct oauth2_config oauth2;
	struct person *persons;
	size_t n_persons;
	int fetch_batch;	/* messages per IMAP fetch and per transaction */
	struct limits_config limits;
	char *classification;		/* the keywords file read */
	struct keyword_rule *rules;
	size_t n_rules;
	struct classifier *classifier;	/* the rules' keyword table, built once (classify.h) */
	struct policy_config policy;
	struct contacts_config contacts;
	struct system_config *systems;	/* policy 6(3): system "NAME" { … } */
	size_t n_systems;
	struct company_config company;
	struct commands_config commands;
	char *token_secret;	/* read by config_token_secret(); NULL until then */
};

/*
 * Reads and validates path into *cfg (zeroed by the caller).  Unknown keys
 * and bad values fail with ERR_FATAL and a message naming file and line.
 * On failure *cfg holds nothing to release.
 */
int config_load(const char *path, struct config *cfg, struct error *err);

/* Frees every member; safe on a zeroed struct. */
void config_release(struct config *cfg);

/*
 * Reads a secret (first line, without the line end) from path into a
 * malloc'd string.  Refuses (ERR_FATAL) a file readable or writable by
 * group or others, or one that is not a regular file.
 */
int config_read_secret(const char *path, char **secret, struct error *err);

/*
 * Reads commands.token_secret_file into cfg->token_secret; when the file
 * does not exist yet, first creates it (mode 600) with 256 random bits, so
 * that a fresh installation has a secret nobody chose.  ERR_FATAL when the
 * file is unsafe (config_read_secret) or cannot be made.
 */
int config_token_secret(struct config *cfg, struct error *err);

/* Whether imap or smtp logs in with XOAUTH2 (and so needs the oauth2 section). */
bool config_uses_oauth2(const struct config *cfg);

/* The oauth2 section as lib/oauth2.h's options (pointers into cfg). */
struct oauth2_options config_oauth2_options(const struct config *cfg);

/* The person whose address is addr (case-insensitive), or NULL. */
const struct person *config_find_person(const struct config *cfg, const char *addr);

/* The configured domain of smtp.from ("example.com"). */
const char *config_mail_domain(const struct config *cfg);

/*
 * Whether addr is of the company: its domain is config_mail_domain() or a
 * subdomain of it, ignoring case (issue 14: who is an outside sender, who
 * may be assigned a ticket).
 */
bool config_is_company_address(const struct config *cfg, const char *addr);

#endif
