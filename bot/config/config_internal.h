/*
 * config_internal.h — what config.c and config_policy.c share: the
 * libconfuse option tables of the policy's sections and the file parser.
 * Only these two files include it (and so confuse.h).
 */
#ifndef INCIDENT_CONFIG_INTERNAL_H
#define INCIDENT_CONFIG_INTERNAL_H

#include <confuse.h>

#include "config/config.h"

/*
 * Parses path with opts; validators (may be NULL) installs the validate
 * callbacks.  Comments are blanked first (libconfuse 3.3 miscounts lines
 * after them).  Returns the tree (cfg_free it) or NULL with err set to a
 * message naming file and line.
 */
cfg_t *config_parse_file(const char *path, cfg_opt_t *opts, void (*validators)(cfg_t *),
			 struct error *err);

/* config_policy.c: the sections it adds to the root, their validators and copying. */
extern cfg_opt_t config_escalation_opts[], config_deadline_opts[], config_digest_opts[],
	config_reviews_opts[], config_contacts_opts[], config_company_opts[],
	config_commands_opts[], config_calendar_opts[], config_system_opts[];
void config_policy_validators(cfg_t *root);
void config_policy_fill(cfg_t *root, struct policy_config *p);
void config_contacts_fill(cfg_t *root, struct contacts_config *k);
/* After config_contacts_fill: an empty contacts.website becomes company.website. */
void config_company_fill(cfg_t *root, struct company_config *co, struct contacts_config *k);
/* The system sections into cfg->systems: 0, or -1 out of memory. */
int config_systems_fill(cfg_t *root, struct config *cfg, struct error *err);
/* database: the resolved database path (the secret's default folder). */
int config_commands_fill(cfg_t *root, const char *database, struct commands_config *k,
			 struct error *err);
/* p resolved against the folder of the file root was read from (malloc'd). */
char *config_resolve(cfg_t *root, const char *p);
/* Reads the classification keywords file into cfg->rules. */
int config_keywords_load(const char *path, struct config *cfg, struct error *err);
/* Frees what the three above filled. */
void config_policy_release(struct config *cfg);

#endif
