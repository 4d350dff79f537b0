/*
 * json.h — a small streaming JSON writer for the CLI's --json output.
 *
 * Commas are placed by the writer; strings are escaped and any invalid
 * UTF-8 becomes U+FFFD, so the output is always valid JSON.
 */
#ifndef INCIDENT_JSON_H
#define INCIDENT_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* An RFC 3339 time in the configured zone, or null for 0. */
void json_time(struct json *j, time_t t);

/* Shorthands for "key": value. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_time(struct json *j, const char *key, time_t t);

#endif
