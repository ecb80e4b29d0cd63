/*
 * sinchfn_core.h: the runtime core shared by the Apache glue and the unit tests.
 * Everything declared here uses APR and json-c only, never httpd headers.
 */
#ifndef SINCHFN_CORE_H
#define SINCHFN_CORE_H

#include <apr_dso.h>
#include <apr_hash.h>
#include <apr_time.h>

#include "sinchfn.h"

/* Log levels, numbered like syslog and httpd's APLOG_* so the glue passes them through. */
#define SINCHFN_LOG_ERROR 3
#define SINCHFN_LOG_WARN 4
#define SINCHFN_LOG_INFO 6
#define SINCHFN_LOG_DEBUG 7

/* Maximum nesting of arrays and objects in a JSON body; deeper bodies are rejected
 * with 400 before a handler runs. */
#define SINCHFN_JSON_MAX_DEPTH 64

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
    int log_level; /* highest SINCHFN_LOG_* level that reaches the sink */
    sinchfn_log_sink log_sink;
    void *log_baton;
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
    sinchfn_body_kind body_kind;
    json_object *json;
    apr_array_header_t *form; /* of sinchfn_param; empty unless the body is a form */
};

struct sinchfn_response {
    apr_pool_t *pool;
    int status;                 /* 0 while unset */
    apr_array_header_t *headers; /* of sinchfn_param, in the order they were set */
    const char *content_type;   /* NULL when there is no body */
    const char *body;
    apr_size_t body_length;
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
/* Ties a json-c value to a pool so it is released with it. */
json_object *sinchfn_json_pool_own(apr_pool_t *pool, json_object *value);

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
json_object *sinchfn_svaml_document(sinchfn_svaml *svaml);
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
const char *sinchfn_run_menu_action(apr_pool_t *pool, const sinchfn_run_menu *options, json_object **action);

/* ---- function objects ---- */

typedef struct {
    const char *path;          /* the shared object */
    const sinchfn_function *table;
    apr_hash_t *exports;       /* name -> const sinchfn_export * */
} sinchfn_loaded;

/* Loads a function object and checks its export table. On failure returns a message
 * that names the file and the problem. */
const char *sinchfn_function_load(apr_pool_t *pool, const char *path, sinchfn_loaded **loaded);
/* Checks an export table: ABI version, kinds, handlers, reserved names, duplicates. */
const char *sinchfn_function_check(apr_pool_t *pool, const sinchfn_function *table, apr_hash_t **exports);
const sinchfn_export *sinchfn_function_find(const sinchfn_loaded *loaded, const char *name);

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

/* Tag of the lines a handler logs through sinchfn_log_*(). */
#define SINCHFN_TAG_HANDLER "SFN0400"

#endif /* SINCHFN_CORE_H */
