/*
 * sinchfn_core.h: the runtime core shared by the Apache glue and the unit tests.
 * Everything declared here uses APR and json-c only, never httpd headers.
 */
#ifndef SINCHFN_CORE_H
#define SINCHFN_CORE_H

#include <apr_dbd.h>
#include <apr_dso.h>
#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_time.h>

#include "sinchfn.h"
#include "json_index.h"

/* Log levels, numbered like syslog and httpd's APLOG_* so the glue passes them through. */
#define SINCHFN_LOG_ERROR 3
#define SINCHFN_LOG_WARN 4
#define SINCHFN_LOG_INFO 6
#define SINCHFN_LOG_DEBUG 7

/* Default cap of a request body in bytes (SinchMaxBodySize). */
#define SINCHFN_DEFAULT_MAX_BODY (1024 * 1024)

/* Receives each enabled log line; tag is the stable message number, e.g. "SFN0301". */
typedef void (*sinchfn_log_sink)(void *baton, int level, const char *tag, const char *message);

struct sinchfn_ctx {
    apr_pool_t *pool;
    const char *function_name;
    const char *environment;
    apr_hash_t *variables; /* name -> value, case-sensitive */
    apr_hash_t *secrets;   /* name -> value, from env files only */
    const char *request_id;
    apr_time_t process_start;
    apr_int64_t signature_max_skew; /* seconds; 0 turns the timestamp checks off */
    int log_level; /* highest SINCHFN_LOG_* level that reaches the sink */
    sinchfn_log_sink log_sink;
    void *log_baton;
    const char *client_ip;
    const struct sinchfn_cache_backend *cache; /* NULL when the process has no cache */
    const char *error;   /* message of the last failed state call */
    int error_not_found; /* whether that failure was a missing storage key or asset */
    const char *storage_dir; /* NULL when the function has no storage */
    const char *assets_dir;  /* the function's assets/ directory, which may not exist */
    const struct sinchfn_db_source *db; /* NULL when the function has no database */
    void *db_baton;                     /* passed to db->acquire: the glue's request */
    struct sinchfn_db_connection *db_connection; /* acquired on first use, NULL before */
    int error_unavailable; /* whether the last failure was an unreachable database */
    int storage_in_db;     /* SinchStorage dbd: storage calls use the function's database */
};

typedef enum {
    SINCHFN_BODY_NONE = 0,
    SINCHFN_BODY_JSON,
    SINCHFN_BODY_FORM,
    SINCHFN_BODY_TEXT
} sinchfn_body_kind;

struct sinchfn_request {
    apr_pool_t *pool;
    const char *method;
    const char *path;
    const char *route;
    apr_table_t *headers;
    apr_array_header_t *query; /* of sinchfn_param */
    const char *body;          /* NULL when no body; else NUL-terminated after body_length bytes */
    apr_size_t body_length;
    apr_size_t body_capacity;  /* bytes readable at body, at least body_length + 1 */
    sinchfn_body_kind body_kind;
    /* A JSON body's value: its type and, for an object, its members, set when the body
     * is accepted. The json-c tree is built on first use by sinchfn_request_tree. */
    json_type json_root;
    sinchfn_json_members json_members;
    json_object *json;
    apr_array_header_t *form; /* of sinchfn_param; empty unless the body is a form */
};

struct sinchfn_response {
    apr_pool_t *pool;
    int status;                 /* 0 while unset */
    apr_array_header_t *headers; /* of sinchfn_param in the order they were set, or NULL before the first */
    const char *content_type;   /* NULL when there is no body */
    const char *body;
    apr_size_t body_length;
    struct sinchfn_node *object; /* members set with sinchfn_response_set_*, or NULL */
};

/* ---- routing ---- */

typedef enum {
    SINCHFN_ROUTE_EXPORT = 0, /* name is the export to run */
    SINCHFN_ROUTE_VOICE,      /* name is one of the five voice callbacks */
    SINCHFN_ROUTE_ROOT        /* the Location itself: `default` or `home` */
} sinchfn_route_kind;

typedef struct {
    sinchfn_route_kind kind;
    const char *name;
    /* The percent-decoded path segments below the Location, of const char *, after
     * dot-segment removal. A segment may contain '/' decoded from %2F. */
    const apr_array_header_t *segments;
} sinchfn_route;

/* A client error found before a handler runs: the HTTP status and the message sent in
 * the JSON body's `error` field. */
typedef struct {
    int status;
    const char *message;
} sinchfn_client_error;

int sinchfn_is_voice_name(const char *name);

/* Resolves the route of a request from the path as the client sent it (undecoded, no
 * query) and the Location path the function is configured at. Returns NULL on success,
 * else the client error. */
const sinchfn_client_error *sinchfn_route_resolve(apr_pool_t *pool, const char *raw_path,
                                                  const char *location, sinchfn_route *route);

/* Splits and decodes a Location path into the segments sinchfn_route_resolve_in
 * compares with, or returns NULL when the path cannot be decoded (every request to it is
 * then outside the Location). */
const apr_array_header_t *sinchfn_route_prefix(apr_pool_t *pool, const char *location);

/* sinchfn_route_resolve with the Location split beforehand by sinchfn_route_prefix. */
const sinchfn_client_error *sinchfn_route_resolve_in(apr_pool_t *pool, const char *raw_path,
                                                     const apr_array_header_t *prefix, sinchfn_route *route);

/* ---- public/ static files ---- */

/* An open file of a function's public/ directory. */
typedef struct {
    apr_file_t *file;      /* open for reading, closed when the pool is destroyed */
    apr_finfo_t info;      /* APR_FINFO_NORM of the open file */
    int is_directory_index; /* whether the path named a directory and file is its index.html */
} sinchfn_public_file;

/* Joins route segments into a path relative to public/ ("" for the Location itself).
 * Returns NULL when a segment can name no public file: it contains '/' (decoded from
 * %2F) or a backslash, or starts with '.', so dotfiles and dot directories are never served. */
const char *sinchfn_public_relative_path(apr_pool_t *pool, const apr_array_header_t *segments);
/* Opens public_dir/relative, or the index.html of the directory it names, without
 * following a symbolic link below public_dir. Returns APR_ENOENT when nothing servable
 * is there: the path is missing, is or passes through a symbolic link, is a FIFO, a
 * device or a socket, or is a directory without index.html. Any other failure to open
 * returns its own status. */
apr_status_t sinchfn_public_open(apr_pool_t *pool, const char *public_dir, const char *relative,
                                 sinchfn_public_file *out);
/* Returns the Content-Type of a file name from its extension (case-insensitive), with
 * charset=utf-8 for text types; application/octet-stream for an unknown extension. */
const char *sinchfn_public_content_type(const char *name);

/* ---- request ---- */

sinchfn_request *sinchfn_request_create(apr_pool_t *pool, const char *method, const char *path,
                                        apr_table_t *headers);
/* Decodes a query string (without `?`) into request->query. */
const sinchfn_client_error *sinchfn_request_parse_query(sinchfn_request *request, const char *query);
/* Stores the raw body and parses it by the Content-Type header's media type. */
const sinchfn_client_error *sinchfn_request_parse_body(sinchfn_request *request, const char *body,
                                                       apr_size_t length);
/* Decodes application/x-www-form-urlencoded text into an array of sinchfn_param. */
const sinchfn_client_error *sinchfn_parse_urlencoded(apr_pool_t *pool, const char *text,
                                                     const char *what, apr_array_header_t **params);
/* Parses JSON strictly: one value, optional surrounding whitespace, valid UTF-8, at most
 * SINCHFN_JSON_MAX_DEPTH levels. The value is released with the pool. */
const sinchfn_client_error *sinchfn_parse_json(apr_pool_t *pool, const char *text, apr_size_t length,
                                               json_object **value);
/* The same for a file read at start-up. It uses a tokener of its own: the per-thread
 * tokener of sinchfn_parse_json would be lost when httpd unloads the module between
 * its two configuration passes. */
const sinchfn_client_error *sinchfn_parse_json_file(apr_pool_t *pool, const char *text, apr_size_t length,
                                                    json_object **value);
/* Returns the json-c tree of a JSON body, parsing it on first use, or NULL when the body
 * is not JSON. */
json_object *sinchfn_request_tree(const sinchfn_request *request);
/* Returns the offset of the first byte that is not strict UTF-8 (RFC 3629), or -1. */
apr_ssize_t sinchfn_utf8_invalid_offset(const char *text, apr_size_t length);
/* Ties a json-c value to a pool so it is released with it. */
json_object *sinchfn_json_pool_own(apr_pool_t *pool, json_object *value);

/* Writes value in base 10 or 16 (lower case) into the bytes just before end and returns
 * the first digit. 20 bytes hold any value. Makes no call, so a signal handler may use it. */
char *sinchfn_format_unsigned(char *end, apr_uint64_t value, unsigned base);
/* Writes value in base 10, with a '-' when negative, the same way; 21 bytes hold any value. */
char *sinchfn_format_signed(char *end, apr_int64_t value);

/* Calls visit on value and then on every value nested in it, passing each object member's
 * key (NULL for value itself and for array items). visit returns 1 to stop the walk, 0 to
 * go on into the value's members or items, or -1 to go on without them. Returns 1 when a
 * visit stopped the walk, else 0. */
int sinchfn_json_find(json_object *value, const char *key, int (*visit)(json_object *value, const char *key));

/* ---- response ---- */

sinchfn_response *sinchfn_response_create(apr_pool_t *pool);
/* Replaces whatever the handler set by a runtime error:
 * {"error": message, ["route": route,] "requestId": request_id}. */
void sinchfn_response_runtime_error(sinchfn_response *response, int status, const char *message,
                                    const char *route, const char *request_id);
/* Returns the name of the first header whose name or value is unsafe to send, or NULL. */
const char *sinchfn_response_invalid_header(const sinchfn_response *response);
/* Applies the 204 rule: no status and no body becomes 204, a status with no body stays. */
int sinchfn_response_final_status(const sinchfn_response *response);
/* Serializes a JSON value without slash escaping into pool memory. */
const char *sinchfn_json_serialize(apr_pool_t *pool, json_object *value, apr_size_t *length);

/* A JSON value kept in a pool: SVAML documents are small trees that are built once and
 * written once, and json-c would allocate a hash table for each object and release each
 * value on its own. Strings are copied into the pool. */
typedef struct sinchfn_node sinchfn_node;
struct sinchfn_node {
    apr_pool_t *pool;
    json_type type;     /* object, array, string, int, boolean or null */
    const char *key;    /* the member name, inside an object */
    const char *string; /* json_type_string */
    apr_size_t length;  /* of string */
    apr_int64_t integer; /* json_type_int; 0 or 1 for json_type_boolean */
    int count;          /* members or items */
    sinchfn_node *first, *last, *next;
    const char *raw;    /* JSON text written unchanged, whatever the type, or NULL */
    apr_size_t raw_length;
};

sinchfn_node *sinchfn_node_new(apr_pool_t *pool, json_type type);
sinchfn_node *sinchfn_node_string(apr_pool_t *pool, const char *text);
/* A string node that refers to text without a copy, for text that outlives the pool. */
sinchfn_node *sinchfn_node_literal(apr_pool_t *pool, const char *text);
/* Appends value to an object under key, or to an array with key NULL; returns value. */
sinchfn_node *sinchfn_node_add(sinchfn_node *parent, const char *key, sinchfn_node *value);
/* Serializes a node as sinchfn_json_serialize would serialize the same json-c value. */
const char *sinchfn_node_serialize(apr_pool_t *pool, const sinchfn_node *node, apr_size_t *length);

/* ---- voice ---- */

/* Returns the callback a name stands for ("ice" ...), or 0 for any other name. */
sinchfn_callback sinchfn_callback_from_name(const char *name);
/* Builds the event of a voice callback from the parsed JSON body. */
const sinchfn_client_error *sinchfn_event_create(sinchfn_request *request, const char *route,
                                                 sinchfn_event **event);
sinchfn_svaml *sinchfn_svaml_create(apr_pool_t *pool, const char *callback);
int sinchfn_svaml_has_action(const sinchfn_svaml *svaml);
/* The SVAML document, `action` first and `instructions` only when there are any. The
 * value is owned by the builder's pool. */
/* Returns the document as a json-c tree owned by the builder's pool. */
json_object *sinchfn_svaml_document(sinchfn_svaml *svaml);
/* Writes the document sinchfn_svaml_document would build, without building it. */
const char *sinchfn_svaml_write(sinchfn_svaml *svaml, apr_size_t *length);
/* Whether the callback kind is answered with SVAML (ice, ace, pie) or with an empty 200. */
int sinchfn_callback_takes_svaml(const char *callback);

/* The SVAML sent when a voice handler fails (SinchVoiceFallback). */
typedef struct {
    const char *text;   /* spoken before the hangup; "" hangs up without a message */
    const char *locale; /* NULL sends no locale */
} sinchfn_voice_fallback;

/* Text and locale of the fallback when SinchVoiceFallback is not set. */
#define SINCHFN_FALLBACK_TEXT "Sorry, we cannot take your call right now. Please try again later."
#define SINCHFN_FALLBACK_LOCALE "en-US"

/* Builds the fallback SVAML of a callback that takes SVAML: for ice and pie the fallback
 * text (when not empty) and hangup, for ace continue. fallback may be NULL for the
 * default. */
sinchfn_svaml *sinchfn_svaml_fallback(apr_pool_t *pool, const char *callback, const sinchfn_voice_fallback *fallback);

/* Checks runMenu options and builds the action object. Returns NULL on success, else a
 * message naming the menu and the value. */
const char *sinchfn_run_menu_action(apr_pool_t *pool, const sinchfn_run_menu *options, sinchfn_node **action);

/* ---- function objects ---- */

/* The protection a function's export table declares. */
typedef struct {
    int protect_all;               /* SINCHFN_PROTECT("*") */
    apr_hash_t *protected_exports; /* names gated by Basic auth */
    apr_hash_t *signed_exports;    /* endpoints that require the application signature */
} sinchfn_protection;

typedef struct {
    const char *path;          /* the shared object */
    const sinchfn_function *table;
    apr_hash_t *exports;       /* name -> const sinchfn_export * */
    sinchfn_protection protection;
} sinchfn_loaded;

/* Loads a function object and checks its export table. On failure returns a message
 * that names the file and the problem. */
const char *sinchfn_function_load(apr_pool_t *pool, const char *path, sinchfn_loaded **loaded);
/* Checks an export table: ABI version, kinds, handlers, reserved names, duplicates. */
const char *sinchfn_function_check(apr_pool_t *pool, const sinchfn_function *table, apr_hash_t **exports);
const sinchfn_export *sinchfn_function_find(const sinchfn_loaded *loaded, const char *name);
/* Checks the protected and signed name lists of an export table already checked by
 * sinchfn_function_check, and fills protection. */
const char *sinchfn_function_check_protection(apr_pool_t *pool, const sinchfn_function *table,
                                              apr_hash_t *exports, sinchfn_protection *protection);

/* Parses dotenv text into names -> values. On failure returns a message naming the line
 * (never a value). */
const char *sinchfn_dotenv_parse(apr_pool_t *pool, const char *text, apr_size_t length,
                                 const char *origin, apr_hash_t *into);
const char *sinchfn_dotenv_load(apr_pool_t *pool, const char *path, apr_hash_t *into);

/* Reads sinch.json: `name` (may stay NULL) and `variables` (strings, numbers, booleans). */
const char *sinchfn_project_load(apr_pool_t *pool, const char *path, const char **name,
                                 apr_hash_t *variables);

/* ---- dispatch ---- */

typedef struct {
    const sinchfn_loaded *function;
    sinchfn_ctx *ctx;
    sinchfn_request *request;
    sinchfn_response *response;
    const sinchfn_export *export;
    const sinchfn_route *route;
    const sinchfn_voice_fallback *voice_fallback; /* NULL for the default fallback */
} sinchfn_call;

/* Runs the export's handler and leaves a complete response in call->response, runtime
 * errors included. Logs handler faults through the context. */
void sinchfn_dispatch(sinchfn_call *call);

/* Formats and sends one log line through the context's sink when the level is enabled. */
void sinchfn_log(const sinchfn_ctx *ctx, int level, const char *tag, const char *fmt, ...)
    SINCHFN_PRINTF(4, 5);

/* ---- protection: Basic auth and bearer tokens (auth.c) ---- */

/* Default of SinchSignatureMaxSkew, in seconds. */
#define SINCHFN_DEFAULT_MAX_SKEW 600

/* Whether Basic auth never gates a route: voice callbacks, conversationWebhook and
 * health, which Sinch calls and signatures protect instead. */
int sinchfn_basic_auth_exempt(const char *name);
/* Whether the declared protection gates the route name with Basic auth. */
int sinchfn_route_is_protected(const sinchfn_protection *protection, const char *name);
int sinchfn_route_is_signed(const sinchfn_protection *protection, const char *name);
/* Returns NULL when PROJECT_ID_API_KEY and PROJECT_ID_API_SECRET, or ADMIN_USER and
 * ADMIN_PASSWORD, are set to non-empty values; else a message naming what is missing. */
const char *sinchfn_basic_missing_variables(apr_pool_t *pool, const sinchfn_ctx *ctx);
/* Checks an Authorization header value against the configured credential pairs.
 * Returns NULL when accepted, else which check failed (never a credential). */
const char *sinchfn_basic_auth_check(apr_pool_t *pool, const sinchfn_ctx *ctx, const char *authorization);
/* Splits `Basic BASE64` (RFC 7617: scheme in any case, one space, padded standard
 * base64 of "user:password"). Returns NULL on success, else what is wrong. */
const char *sinchfn_parse_basic(apr_pool_t *pool, const char *authorization, const char **user,
                                const char **password);
/* Whether a raw query string carries an access_token parameter (RFC 6750 section 2.3). */
int sinchfn_query_has_access_token(apr_pool_t *pool, const char *query);
/* Copies a raw query string with the value of every access_token parameter replaced by
 * "REDACTED". */
const char *sinchfn_redact_access_token(apr_pool_t *pool, const char *query);

/* Compares two strings whose length is not secret (MACs of a fixed size, key ids) in time
 * that does not depend on where they differ, and returns 1 when they are equal. sinchfn_secure_equals also
 * hides the lengths, at the cost of a SHA-256 digest of each string. */
int sinchfn_public_length_equals(const char *a, const char *b);

/* ---- protection: signatures (signature.c) ---- */

/* Decodes a base64 secret the way Sinch's SDKs accept it: standard or URL-safe
 * alphabet, padding optional, leftover bits dropped. Returns 0 when the text is empty
 * or has another character. */
int sinchfn_decode_secret(apr_pool_t *pool, const char *text, const unsigned char **bytes, apr_size_t *length);
/* Decodes padded standard base64 (RFC 4648 section 4) strictly. Returns 0 when invalid. */
int sinchfn_decode_base64_strict(apr_pool_t *pool, const char *text, const unsigned char **bytes,
                                 apr_size_t *length);
/* Parses an RFC 3339 time such as 2023-12-01T15:01:20.0406449Z, the ISO 8601 form of
 * x-timestamp and of voice events' timestamp. It takes any number of fraction digits (kept
 * to the microsecond), Z or a +HH:MM offset, and 'T' and 'Z' in either case, from 1970 on. */
apr_status_t sinchfn_parse_iso8601(const char *text, apr_time_t *time);
/* The application-signed string to sign: METHOD, Content-MD5, Content-Type,
 * "x-timestamp:" + value, path, joined by "\n". */
const char *sinchfn_application_string_to_sign(apr_pool_t *pool, const char *method, const char *path,
                                               const char *content_type, const char *x_timestamp,
                                               const char *body, apr_size_t length);

/* Each check below returns the status and sets *reason to which check failed, in words
 * that never contain a secret or an expected signature. now and max_skew (seconds, 0 for
 * no time check) are parameters so that tests can replay old vectors. */
sinchfn_signature_status sinchfn_check_application(apr_pool_t *pool, const sinchfn_request *request,
                                                   const char *key, const char *secret, apr_time_t now,
                                                   apr_int64_t max_skew, const char **reason);

/* What the header step of an application signature check found, for the body step. */
typedef struct {
    int basic;             /* set when Basic credentials matched, which leaves nothing to check */
    const char *signature; /* the Base64 signature after KEY: */
    const char *x_timestamp;
    const unsigned char *secret; /* decoded */
    apr_size_t secret_length;
} sinchfn_application_check;

/* sinchfn_check_application in two steps, so that a request can be rejected before its
 * body is read. The header step checks the configuration, the Authorization value (Basic
 * credentials in full), the key, and x-timestamp with its skew. After it returns VALID,
 * the body step checks the signature over the request and its body. */
sinchfn_signature_status sinchfn_check_application_headers(apr_pool_t *pool, const sinchfn_request *request,
                                                           const char *key, const char *secret, apr_time_t now,
                                                           apr_int64_t max_skew, sinchfn_application_check *check,
                                                           const char **reason);
sinchfn_signature_status sinchfn_check_application_body(apr_pool_t *pool, const sinchfn_request *request,
                                                        const sinchfn_application_check *check, const char **reason);
sinchfn_signature_status sinchfn_check_webhook(apr_pool_t *pool, const sinchfn_request *request,
                                               const char *secret, apr_time_t now, apr_int64_t max_skew,
                                               const char **reason);
sinchfn_signature_status sinchfn_check_numbers(apr_pool_t *pool, const sinchfn_request *request,
                                               const char *secret, const char **reason);
sinchfn_signature_status sinchfn_check_timestamped_hmac(apr_pool_t *pool, const sinchfn_request *request,
                                                        const char *header, const char *secret, apr_time_t now,
                                                        apr_int64_t tolerance, const char **reason);

/* Tag of the lines a handler logs through sinchfn_log_*(). */
#define SINCHFN_TAG_HANDLER "SFN0400"

/* ---- state services ---- */

/* Records a failed state call for sinchfn_last_error() and logs it at the given level
 * under tag. Returns SINCHFN_ERROR. */
sinchfn_status sinchfn_state_fail(sinchfn_ctx *ctx, int level, const char *tag, const char *fmt, ...)
    SINCHFN_PRINTF(4, 5);

/* A cache store the glue provides (shmcb through socache, or Redis). Keys passed to it
 * are complete: namespaced, at least 4 bytes. Each operation returns NULL on success,
 * else a message that names the failure without the value. */
typedef struct sinchfn_cache_backend sinchfn_cache_backend;
struct sinchfn_cache_backend {
    const char *name;       /* "shmcb" or "redis" */
    apr_size_t max_value;   /* largest serialized value in bytes */
    void *baton;
    /* *value is NULL on a miss. */
    const char *(*get)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                       const char **value, apr_size_t *length);
    const char *(*set)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                       const char *value, apr_size_t length, apr_int64_t ttl);
    const char *(*remove)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key, int *removed);
    const char *(*extend)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                          apr_int64_t seconds, int *extended);
    /* Appends every live key starting with prefix (complete keys, as const char *). */
    const char *(*list)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *prefix,
                        apr_array_header_t *keys);
    const char *(*increment)(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                             apr_int64_t by, apr_int64_t ttl, apr_int64_t *value);
};

/* Largest TTL or extension accepted, in seconds (ten years). */
#define SINCHFN_CACHE_MAX_TTL (10 * 365 * 24 * 3600LL)

/* The prefix of every cache key of a function: "sinchfn:<name length>:<name>:", so no
 * two function names share a prefix. */
const char *sinchfn_cache_namespace(apr_pool_t *pool, const char *function_name);
/* Whether text matches a pattern in which `*` matches any run of bytes. */
int sinchfn_glob_match(const char *pattern, const char *text);

/* Tags of state log lines. */
#define SINCHFN_TAG_STATE_REJECTED "SFN0601"
#define SINCHFN_TAG_STATE_FAILED "SFN0602"

/* Checks a storage key or asset name (what: "storage key" or "asset name"). Returns NULL
 * when it is a safe relative path, else the reason. A prefix may be empty and may end
 * with `/`. */
const char *sinchfn_relative_path_check(apr_pool_t *pool, const char *what, const char *path, int is_prefix);

/* Prefix of the temporary files of atomic writes; keys may not use it. */
#define SINCHFN_STORAGE_TEMP_PREFIX ".sinchfn-tmp-"

/* ---- database (db.c, db_storage.c) ---- */

/* A connection the glue acquired for one request: an apr_dbd handle and the statements
 * already prepared on it, which live as long as the connection. */
typedef struct sinchfn_db_connection {
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_hash_t *prepared; /* key -> apr_dbd_prepared_t *, allocated from pool */
    apr_pool_t *pool;     /* the connection's pool, which outlives the request */
} sinchfn_db_connection;

/* A statement declared with SinchDatabaseStatement. */
typedef struct {
    const char *label;    /* the name the handler passes */
    const char *sql;      /* with %s and %d placeholders */
    const char *prepared; /* the driver label, unique in the process, e.g. "sinchfn_s3" */
} sinchfn_db_statement;

/* The database of one function, which the glue provides: its own SQLite connections or
 * mod_dbd's. */
typedef struct sinchfn_db_source sinchfn_db_source;
struct sinchfn_db_source {
    const char *description; /* e.g. "sqlite3 /srv/fn/database/function.sqlite3", for messages */
    apr_hash_t *statements;  /* label -> const sinchfn_db_statement * */
    void *baton;
    /* Acquires the connection of a request (request_baton is ctx->db_baton); the glue
     * releases it when the request pool is destroyed. Returns NULL on success, else a
     * message. */
    const char *(*acquire)(const sinchfn_db_source *db, void *request_baton, apr_pool_t *pool,
                           sinchfn_db_connection **connection);
};

/* Tags of database log lines. */
#define SINCHFN_TAG_DB_REJECTED "SFN0631"
#define SINCHFN_TAG_DB_FAILED "SFN0632"
#define SINCHFN_TAG_DB_UNAVAILABLE "SFN0633"

/* Counts the placeholders of SQL (a `%` followed by a letter, as apr_dbd's drivers do)
 * and checks that each is %s or %d. Returns NULL when valid, else the reason. */
const char *sinchfn_db_check_sql(apr_pool_t *pool, const char *sql, int *placeholders);
/* Acquires the request's connection once. Returns NULL after recording the error. */
sinchfn_db_connection *sinchfn_db_connect(sinchfn_ctx *ctx, const char *operation);
/* Runs SQL (prepared once per connection under key, with label for the driver, NULL for
 * an unnamed statement) and returns the rows, or the affected count when rows is NULL. */
sinchfn_status sinchfn_db_run(sinchfn_ctx *ctx, sinchfn_db_connection *connection, const char *operation,
                              const char *key, const char *label, const char *sql, const char *const *args,
                              int count, json_object **rows, int *affected);

/* Storage in the function's database (SinchStorage dbd); the same contract as the file
 * backend of storage.c. */
sinchfn_status sinchfn_db_storage_write(sinchfn_ctx *ctx, const char *key, const void *data, apr_size_t length);
sinchfn_status sinchfn_db_storage_read(sinchfn_ctx *ctx, const char *key, const char **data, apr_size_t *length);
sinchfn_status sinchfn_db_storage_exists(sinchfn_ctx *ctx, const char *key, int *exists);
sinchfn_status sinchfn_db_storage_delete(sinchfn_ctx *ctx, const char *key, int *deleted);
sinchfn_status sinchfn_db_storage_list(sinchfn_ctx *ctx, const char *prefix, apr_array_header_t *keys);

#endif /* SINCHFN_CORE_H */
