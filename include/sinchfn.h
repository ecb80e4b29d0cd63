/*
 * sinchfn.h: the API a Sinch function written in C is built against.
 *
 * A function file declares its handlers with SINCHFN_EXPORTS(). mod_sinchfn loads the
 * shared object built from it, routes each request to an export by name and hands the
 * handler a context, the request (or the voice callback event) and a response (or a
 * SVAML builder). Memory comes from APR pools and JSON values are json-c objects.
 * Nothing in this header depends on httpd.
 */
#ifndef SINCHFN_H
#define SINCHFN_H

#include <stdarg.h>

#include <apr_pools.h>
#include <apr_tables.h>
#include <json-c/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the export table layout below. mod_sinchfn refuses a function object
 * built against another version. */
#define SINCHFN_ABI_VERSION 2

/* Name of the exported symbol that holds a function's export table. */
#define SINCHFN_TABLE_SYMBOL "sinchfn_function_table"

#if defined(__GNUC__)
#define SINCHFN_PUBLIC __attribute__((visibility("default")))
/* Marks the API mod_sinchfn exports to function objects; the rest of the runtime is
 * compiled with hidden visibility. */
#define SINCHFN_API __attribute__((visibility("default")))
#define SINCHFN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SINCHFN_HIDDEN __attribute__((visibility("hidden")))
#define SINCHFN_WEAK_HIDDEN __attribute__((weak, visibility("hidden")))
#else
#define SINCHFN_PUBLIC
#define SINCHFN_API
#define SINCHFN_PRINTF(f, a)
#define SINCHFN_HIDDEN
#define SINCHFN_WEAK_HIDDEN
#endif

typedef enum {
    SINCHFN_OK = 0,
    SINCHFN_ERROR = 1
} sinchfn_status;

typedef enum {
    SINCHFN_KIND_ENDPOINT = 1, /* custom HTTP endpoint: request in, response out */
    SINCHFN_KIND_VOICE = 2     /* voice callback (ice, ace, pie, dice, notify): event in, SVAML out */
} sinchfn_kind;

typedef struct sinchfn_ctx sinchfn_ctx;
typedef struct sinchfn_request sinchfn_request;
typedef struct sinchfn_response sinchfn_response;
typedef struct sinchfn_event sinchfn_event;
typedef struct sinchfn_svaml sinchfn_svaml;

typedef sinchfn_status (*sinchfn_endpoint_handler)(sinchfn_ctx *ctx, const sinchfn_request *request,
                                                   sinchfn_response *response);
typedef sinchfn_status (*sinchfn_voice_handler)(sinchfn_ctx *ctx, const sinchfn_event *event,
                                                sinchfn_svaml *svaml);

/* One named export. Exactly one of the two handler pointers is set, the one that matches
 * the kind. */
typedef struct {
    const char *name;
    sinchfn_kind kind;
    sinchfn_endpoint_handler endpoint;
    sinchfn_voice_handler voice;
} sinchfn_export;

/* The table a function object exports under SINCHFN_TABLE_SYMBOL. The two name lists
 * are NULL-terminated, or NULL for none; "*" alone in protected_exports protects every
 * export that Basic auth may gate. mod_sinchfn rejects a name that is not an export. */
typedef struct {
    unsigned int abi_version;
    const sinchfn_export *exports;
    unsigned int export_count;
    const char *const *protected_exports; /* exports that require Basic auth */
    const char *const *signed_exports;    /* exports that require an application signature */
} sinchfn_function;

#define SINCHFN_VOICE(handler) { #handler, SINCHFN_KIND_VOICE, NULL, handler }
#define SINCHFN_ENDPOINT(handler) { #handler, SINCHFN_KIND_ENDPOINT, handler, NULL }
/* An endpoint whose route name differs from its C identifier, e.g. "conversationWebhook". */
#define SINCHFN_ENDPOINT_NAMED(route, handler) { route, SINCHFN_KIND_ENDPOINT, handler, NULL }

/* The lists SINCHFN_PROTECT() and SINCHFN_SIGNED() define. The declarations are weak,
 * so a function that uses neither macro links with NULL lists (GCC and Clang). */
extern const char *const sinchfn_protected_list_[] SINCHFN_WEAK_HIDDEN;
extern const char *const sinchfn_signed_list_[] SINCHFN_WEAK_HIDDEN;

/* Declares the function's export table. Use it once per function, at file scope. Every
 * other symbol of a function object stays hidden when it is built by `sinchfn build`. */
#define SINCHFN_EXPORTS(...)                                                              \
    static const sinchfn_export sinchfn_export_list_[] = { __VA_ARGS__ };                 \
    SINCHFN_PUBLIC const sinchfn_function sinchfn_function_table = {                      \
        SINCHFN_ABI_VERSION, sinchfn_export_list_,                                        \
        (unsigned int)(sizeof(sinchfn_export_list_) / sizeof(sinchfn_export_list_[0])),  \
        sinchfn_protected_list_, sinchfn_signed_list_ }

/* Requires Basic auth for the named exports, or for every export with "*". Use it once,
 * at file scope next to SINCHFN_EXPORTS(), e.g. SINCHFN_PROTECT("admin", "stats");
 * Voice callbacks, conversationWebhook and health are never gated by Basic auth. */
#define SINCHFN_PROTECT(...) \
    SINCHFN_HIDDEN const char *const sinchfn_protected_list_[] = { __VA_ARGS__, NULL }

/* Requires the application signature of voice callbacks on the named endpoints, e.g.
 * SINCHFN_SIGNED("verification") for Verification callbacks. Use it once, at file scope. */
#define SINCHFN_SIGNED(...) \
    SINCHFN_HIDDEN const char *const sinchfn_signed_list_[] = { __VA_ARGS__, NULL }

/* ---- context ---------------------------------------------------------------------- */

/* The function's name: `name` from sinch.json, else the function directory's name. */
SINCHFN_API const char *sinchfn_function_name(const sinchfn_ctx *ctx);
/* "development" or "production" (SinchEnvironment). */
SINCHFN_API const char *sinchfn_environment(const sinchfn_ctx *ctx);
/* A configuration value: SinchVariable, then sinch.json `variables`, then the env files.
 * NULL when the name is not set anywhere. */
SINCHFN_API const char *sinchfn_variable(const sinchfn_ctx *ctx, const char *name);
/* A value from the function's `.env` or SinchEnvFile only. Secrets are never logged. */
SINCHFN_API const char *sinchfn_secret(const sinchfn_ctx *ctx, const char *name);
/* The request id sent back in X-Request-Id (mod_unique_id's id when that module is loaded). */
SINCHFN_API const char *sinchfn_request_id(const sinchfn_ctx *ctx);
/* A pool that lives as long as the request. */
SINCHFN_API apr_pool_t *sinchfn_pool(const sinchfn_ctx *ctx);
/* Seconds since this server process started. */
SINCHFN_API apr_int64_t sinchfn_uptime(const sinchfn_ctx *ctx);

/* Log lines go to Apache's error log, tagged with the function name and request id, and
 * obey `LogLevel sinchfn:LEVEL`. */
SINCHFN_API void sinchfn_log_debug(const sinchfn_ctx *ctx, const char *fmt, ...) SINCHFN_PRINTF(2, 3);
SINCHFN_API void sinchfn_log_info(const sinchfn_ctx *ctx, const char *fmt, ...) SINCHFN_PRINTF(2, 3);
SINCHFN_API void sinchfn_log_warn(const sinchfn_ctx *ctx, const char *fmt, ...) SINCHFN_PRINTF(2, 3);
SINCHFN_API void sinchfn_log_error(const sinchfn_ctx *ctx, const char *fmt, ...) SINCHFN_PRINTF(2, 3);

/* Logs the detail at error level and returns SINCHFN_ERROR; the client then receives
 * 500 {"error":"internal error","requestId":...} without the detail. */
SINCHFN_API sinchfn_status sinchfn_fail(const sinchfn_ctx *ctx, const char *fmt, ...) SINCHFN_PRINTF(2, 3);

/* Builds a JSON object from NULL-terminated (key, json_object *) pairs. The object takes
 * ownership of the values, and the caller owns the object (sinchfn_respond_json takes it). */
SINCHFN_API json_object *sinchfn_json_object(const sinchfn_ctx *ctx, ...);

/* ---- request ----------------------------------------------------------------------- */

/* One query or form parameter, in the order the client sent them. */
typedef struct {
    const char *name;
    const char *value;
} sinchfn_param;

SINCHFN_API const char *sinchfn_request_method(const sinchfn_request *request);
/* The path as the client sent it, without the query string. */
SINCHFN_API const char *sinchfn_request_path(const sinchfn_request *request);
/* The export name the request was routed to. */
SINCHFN_API const char *sinchfn_request_route(const sinchfn_request *request);
/* A request header, matched case-insensitively; NULL when absent. */
SINCHFN_API const char *sinchfn_request_header(const sinchfn_request *request, const char *name);
SINCHFN_API const apr_table_t *sinchfn_request_headers(const sinchfn_request *request);
/* The first value of a decoded query parameter; NULL when absent. */
SINCHFN_API const char *sinchfn_request_query(const sinchfn_request *request, const char *name);
/* Every decoded query parameter, repeated names kept, as an array of sinchfn_param. */
SINCHFN_API const apr_array_header_t *sinchfn_request_query_params(const sinchfn_request *request);
/* The raw body bytes exactly as received (NUL-terminated for convenience); NULL and a
 * length of 0 when there is no body. */
SINCHFN_API const char *sinchfn_request_body(const sinchfn_request *request, apr_size_t *length);
/* The parsed JSON body when the media type is JSON; NULL when there is no body. The
 * request owns the value. */
SINCHFN_API json_object *sinchfn_request_json(const sinchfn_request *request);
/* The string member `name` of a JSON object body; NULL when absent or not a string. */
SINCHFN_API const char *sinchfn_request_json_string(const sinchfn_request *request, const char *name);
/* The first value of a form field of an application/x-www-form-urlencoded body. */
SINCHFN_API const char *sinchfn_request_form(const sinchfn_request *request, const char *name);
SINCHFN_API const apr_array_header_t *sinchfn_request_form_params(const sinchfn_request *request);

/* ---- response ---------------------------------------------------------------------- */

/* Sets the status. A response whose status is never set and that has no body is 204. */
SINCHFN_API void sinchfn_response_status(sinchfn_response *response, int status);
/* Adds a header. A name that is not an HTTP token, or a value with a control character
 * other than tab (CR and LF included), is rejected when the response is sent, and the
 * client then receives a 500 JSON error. X-Request-Id is set by the runtime. */
SINCHFN_API void sinchfn_response_header(sinchfn_response *response, const char *name, const char *value);
/* Sends a JSON value as application/json. The response takes ownership of body. */
SINCHFN_API sinchfn_status sinchfn_respond_json(sinchfn_response *response, int status, json_object *body);
/* Sends text as text/plain; charset=utf-8. The text is copied. */
SINCHFN_API sinchfn_status sinchfn_respond_text(sinchfn_response *response, int status, const char *text);
/* Sends {"error": message}. */
SINCHFN_API sinchfn_status sinchfn_respond_error(sinchfn_response *response, int status, const char *message);

/* A JSON object body built member by member in the request pool, without json-c values:
 * the cheapest way to send a JSON response. Members are written in the order they were first
 * set; setting a name again replaces its value in place. Names and strings are copied,
 * and a NULL string is written as null; sinchfn_response_set_string_len takes length
 * bytes, NUL bytes included. sinchfn_response_set_json takes ownership of a
 * json-c value for a nested member. sinchfn_respond_object sends the object ({} when no
 * member was set); the other sinchfn_respond_* calls send their own body instead. */
SINCHFN_API void sinchfn_response_set_string(sinchfn_response *response, const char *name, const char *value);
SINCHFN_API void sinchfn_response_set_string_len(sinchfn_response *response, const char *name, const char *value,
                                                 apr_size_t length);
SINCHFN_API void sinchfn_response_set_int(sinchfn_response *response, const char *name, apr_int64_t value);
SINCHFN_API void sinchfn_response_set_bool(sinchfn_response *response, const char *name, int value);
SINCHFN_API void sinchfn_response_set_json(sinchfn_response *response, const char *name, json_object *value);
SINCHFN_API sinchfn_status sinchfn_respond_object(sinchfn_response *response, int status);

/* ---- protection -------------------------------------------------------------------- */

/* Outcome of a signature check. */
typedef enum {
    SINCHFN_SIGNATURE_VALID = 0,
    SINCHFN_SIGNATURE_MISSING,     /* a header the check needs is absent */
    SINCHFN_SIGNATURE_MALFORMED,   /* a header cannot be parsed */
    SINCHFN_SIGNATURE_MISMATCH,    /* the key or the signature differs */
    SINCHFN_SIGNATURE_EXPIRED,     /* the timestamp is outside the allowed skew */
    SINCHFN_SIGNATURE_UNSUPPORTED, /* a scheme or algorithm the check rejects */
    SINCHFN_SIGNATURE_NO_SECRET    /* the secret is NULL, empty or not valid base64 */
} sinchfn_signature_status;

/* A short English description of a status, e.g. "signature mismatch". */
SINCHFN_API const char *sinchfn_signature_status_text(sinchfn_signature_status status);

/* Compares two strings in constant time (their lengths included); 1 when equal. */
SINCHFN_API int sinchfn_secure_equals(const char *a, const char *b);

/* The token of an `Authorization: Bearer TOKEN` header; NULL when absent or malformed.
 * mod_sinchfn rejects every request with an access_token query parameter, so a token
 * never arrives in a URL. */
SINCHFN_API const char *sinchfn_request_bearer_token(const sinchfn_request *request);

/* Checks the Sinch application signature (`Authorization: Application KEY:SIGNATURE`,
 * x-timestamp, Content-MD5 of the raw body) with an application key and its base64
 * secret. x-timestamp must be within SinchSignatureMaxSkew of now. */
SINCHFN_API sinchfn_signature_status sinchfn_verify_application_signature(const sinchfn_ctx *ctx,
                                                                          const sinchfn_request *request,
                                                                          const char *key, const char *secret);
/* Checks the Conversation and SMS webhook signature (x-sinch-webhook-signature, -nonce,
 * -timestamp, -algorithm) with the webhook secret, and the timestamp against
 * SinchSignatureMaxSkew. */
SINCHFN_API sinchfn_signature_status sinchfn_verify_webhook_signature(const sinchfn_ctx *ctx,
                                                                      const sinchfn_request *request,
                                                                      const char *secret);
/* Checks a Numbers callback: X-Sinch-Signature is the hex HMAC-SHA1 of the raw body. */
SINCHFN_API sinchfn_signature_status sinchfn_verify_numbers_signature(const sinchfn_request *request,
                                                                      const char *secret);
/* Checks a Stripe-style header `t=UNIX_SECONDS,v1=HEX[,v1=HEX...]`: a v1 value must be
 * the hex HMAC-SHA256 of "t.RAW_BODY" keyed with the UTF-8 secret, and t within
 * tolerance seconds of now (0 skips the time check). */
SINCHFN_API sinchfn_signature_status sinchfn_verify_timestamped_hmac(const sinchfn_request *request,
                                                                     const char *header, const char *secret,
                                                                     apr_int64_t tolerance);

/* Returns the Authorization value "Application KEY:SIGNATURE" of an outgoing request
 * signed like Sinch's callbacks; send x_timestamp in the x-timestamp header and
 * content_type in Content-Type. body may be NULL when length is 0. Returns NULL when the
 * secret is not valid base64. */
SINCHFN_API const char *sinchfn_sign_application_request(apr_pool_t *pool, const char *key, const char *secret,
                                                         const char *method, const char *path,
                                                         const char *content_type, const char *x_timestamp,
                                                         const char *body, apr_size_t length);
/* The current time as an x-timestamp value, e.g. "2024-01-19T09:19:28.937Z". */
SINCHFN_API const char *sinchfn_signature_timestamp(apr_pool_t *pool);

/* ---- voice callbacks ------------------------------------------------------------------ */

/* Callback events, SVAML builders and menus. */
#include "sinchfn/voice.h"
#include "sinchfn/menu.h"

/* ---- messaging ----------------------------------------------------------------------- */

/* Conversation API webhooks. */
#include "sinchfn/conversation.h"

/* ---- state: errors ------------------------------------------------------------------- */

/* The message of the last cache, storage or asset call of this context that returned
 * SINCHFN_ERROR, e.g. "cache key is empty"; NULL when none failed. The text never holds
 * a stored value. */
SINCHFN_API const char *sinchfn_last_error(const sinchfn_ctx *ctx);
/* Whether that last failure was a missing storage key or asset file. */
SINCHFN_API int sinchfn_last_error_is_not_found(const sinchfn_ctx *ctx);
/* The client address Apache determined for the request (mod_remoteip's value when a
 * trusted proxy is configured), never a raw header. */
SINCHFN_API const char *sinchfn_client_ip(const sinchfn_ctx *ctx);

/* ---- state: cache --------------------------------------------------------------------- */

/* TTL of an entry, in seconds, when a call passes a TTL of 0. */
#define SINCHFN_CACHE_DEFAULT_TTL 3600
/* Maximum length of a cache key in bytes. */
#define SINCHFN_CACHE_MAX_KEY 250

/* The cache is shared by every process of the server (SinchCache shmcb) or by every
 * server using the same Redis (SinchCache redis:HOST:PORT). Keys are namespaced by the
 * function name, so functions with different names never see each other's entries.
 * Values are JSON. Each call returns SINCHFN_OK, or SINCHFN_ERROR with the reason in
 * sinchfn_last_error(); a missing key is never an error. */

/* Reads a key. *value is NULL when the key is absent or expired; otherwise the request
 * pool owns the value. */
SINCHFN_API sinchfn_status sinchfn_cache_get(sinchfn_ctx *ctx, const char *key, json_object **value);
/* Stores a value for ttl seconds (0: SINCHFN_CACHE_DEFAULT_TTL). The value is copied;
 * the caller keeps ownership. A value whose JSON text exceeds SinchCacheMaxValueSize
 * bytes is rejected. */
SINCHFN_API sinchfn_status sinchfn_cache_set(sinchfn_ctx *ctx, const char *key, json_object *value,
                                             apr_int64_t ttl);
/* Sets *found to whether the key is present. */
SINCHFN_API sinchfn_status sinchfn_cache_has(sinchfn_ctx *ctx, const char *key, int *found);
/* Removes a key. *deleted (may be NULL) is set to whether the key was present. */
SINCHFN_API sinchfn_status sinchfn_cache_delete(sinchfn_ctx *ctx, const char *key, int *deleted);
/* Adds seconds to the remaining lifetime of a key. *extended is 0 when the key is absent. */
SINCHFN_API sinchfn_status sinchfn_cache_extend(sinchfn_ctx *ctx, const char *key, apr_int64_t seconds,
                                                int *extended);
/* Lists the function's keys matching pattern, where `*` matches any run of characters
 * and every other character matches itself. *keys is a sorted array of const char *. */
SINCHFN_API sinchfn_status sinchfn_cache_keys(sinchfn_ctx *ctx, const char *pattern, apr_array_header_t **keys);
/* Reads several keys at once. *values is a JSON object of key -> value holding only the
 * keys that are present; the request pool owns it. */
SINCHFN_API sinchfn_status sinchfn_cache_get_many(sinchfn_ctx *ctx, const char *const *keys, int count,
                                                  json_object **values);
/* Adds `by` to the integer stored under key and sets *value to the result, atomically
 * across every process (and server, with Redis). A missing key counts from 0 and gets
 * ttl seconds (0: SINCHFN_CACHE_DEFAULT_TTL); an existing key keeps its lifetime. */
SINCHFN_API sinchfn_status sinchfn_cache_increment(sinchfn_ctx *ctx, const char *key, apr_int64_t by,
                                                   apr_int64_t ttl, apr_int64_t *value);

/* ---- state: storage ------------------------------------------------------------------- */

/* Maximum length of a storage key or asset name in bytes. */
#define SINCHFN_STORAGE_MAX_KEY 1024

/* Files kept in the function's storage directory (SinchStorage, default storage/ in the
 * function directory). A key is a relative path: `/` separates directories, and an empty
 * segment, `.`, `..`, a leading `/`, a backslash or a control character is rejected. A
 * key is a C string, so check a key taken from JSON for an embedded NUL (compare
 * json_object_get_string_len with strlen) before passing it. */

/* Replaces the value of key atomically: the bytes go to a temporary file that is synced
 * and then renamed over the key, so a reader or a crash sees the old or the new value,
 * never a mix. Concurrent writers of one key: the last rename wins. */
SINCHFN_API sinchfn_status sinchfn_storage_write(sinchfn_ctx *ctx, const char *key, const void *data,
                                                 apr_size_t length);
SINCHFN_API sinchfn_status sinchfn_storage_write_text(sinchfn_ctx *ctx, const char *key, const char *text);
/* Reads a key into request pool memory, NUL-terminated after *length bytes. A missing
 * key is an error for which sinchfn_last_error_is_not_found() returns 1. */
SINCHFN_API sinchfn_status sinchfn_storage_read(sinchfn_ctx *ctx, const char *key, const char **data,
                                                apr_size_t *length);
SINCHFN_API sinchfn_status sinchfn_storage_exists(sinchfn_ctx *ctx, const char *key, int *exists);
/* Removes a key. *deleted (may be NULL) is set to whether it existed. */
SINCHFN_API sinchfn_status sinchfn_storage_delete(sinchfn_ctx *ctx, const char *key, int *deleted);
/* Lists the keys that start with prefix ("" for every key) as a sorted array of
 * const char *. */
SINCHFN_API sinchfn_status sinchfn_storage_list(sinchfn_ctx *ctx, const char *prefix, apr_array_header_t **keys);

/* ---- state: assets ---------------------------------------------------------------------- */

/* Reads a private file from the function's assets/ directory into request pool memory,
 * NUL-terminated after *length bytes. Names follow the rules of storage keys. A missing
 * file is an error for which sinchfn_last_error_is_not_found() returns 1. */
SINCHFN_API sinchfn_status sinchfn_asset_read(sinchfn_ctx *ctx, const char *name, const char **data,
                                              apr_size_t *length);

/* ---- state: database ------------------------------------------------------------------ */

/* The function's database: an SQLite file of its own (SinchDatabase sqlite3, the
 * default) or the connection mod_dbd keeps for the server (SinchDatabase dbd, e.g.
 * PostgreSQL). The request acquires one connection on its first call and keeps it until
 * it ends. SQL uses apr_dbd placeholders: %s for a text value, %d for an integer value,
 * each given as a string in args (NULL binds SQL NULL). count must equal the number of
 * placeholders. Each call returns SINCHFN_OK, or SINCHFN_ERROR with the reason in
 * sinchfn_last_error(); sinchfn_last_error_is_unavailable() tells an unreachable
 * database from an invalid statement. */

/* Runs the statement declared as label by SinchDatabaseStatement and sets *rows to a
 * JSON array of objects, one per row, column name -> string value or null. The request
 * pool owns the array. */
SINCHFN_API sinchfn_status sinchfn_db_select(sinchfn_ctx *ctx, const char *label, const char *const *args, int count,
                                             json_object **rows);
/* Runs the statement declared as label and sets *affected (may be NULL) to the number of
 * rows it changed. */
SINCHFN_API sinchfn_status sinchfn_db_execute(sinchfn_ctx *ctx, const char *label, const char *const *args,
                                              int count, int *affected);
/* The same for SQL text given by the handler. Each distinct text is prepared once per
 * connection and kept with it, so pass values as arguments, never inside the text. */
SINCHFN_API sinchfn_status sinchfn_db_select_sql(sinchfn_ctx *ctx, const char *sql, const char *const *args,
                                                 int count, json_object **rows);
SINCHFN_API sinchfn_status sinchfn_db_execute_sql(sinchfn_ctx *ctx, const char *sql, const char *const *args,
                                                  int count, int *affected);
/* The apr_dbd driver of the function's database, "sqlite3" or "pgsql"; NULL when the
 * function has no database or it is unreachable. */
SINCHFN_API const char *sinchfn_db_driver(sinchfn_ctx *ctx);
/* Whether the last failure was a database that could not be reached (answer 503),
 * rather than a rejected or failed statement (answer 500). */
SINCHFN_API int sinchfn_last_error_is_unavailable(const sinchfn_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SINCHFN_H */
