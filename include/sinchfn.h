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
#define SINCHFN_ABI_VERSION 1

/* Name of the exported symbol that holds a function's export table. */
#define SINCHFN_TABLE_SYMBOL "sinchfn_function_table"

#if defined(__GNUC__)
#define SINCHFN_PUBLIC __attribute__((visibility("default")))
/* Marks the API mod_sinchfn exports to function objects; the rest of the runtime is
 * compiled with hidden visibility. */
#define SINCHFN_API __attribute__((visibility("default")))
#define SINCHFN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SINCHFN_PUBLIC
#define SINCHFN_API
#define SINCHFN_PRINTF(f, a)
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

/* The table a function object exports under SINCHFN_TABLE_SYMBOL. */
typedef struct {
    unsigned int abi_version;
    const sinchfn_export *exports;
    unsigned int export_count;
} sinchfn_function;

#define SINCHFN_VOICE(handler) { #handler, SINCHFN_KIND_VOICE, NULL, handler }
#define SINCHFN_ENDPOINT(handler) { #handler, SINCHFN_KIND_ENDPOINT, handler, NULL }
/* An endpoint whose route name differs from its C identifier, e.g. "conversationWebhook". */
#define SINCHFN_ENDPOINT_NAMED(route, handler) { route, SINCHFN_KIND_ENDPOINT, handler, NULL }

/* Declares the function's export table. Use it once per function, at file scope. Every
 * other symbol of a function object stays hidden when it is built by `sinchfn build`. */
#define SINCHFN_EXPORTS(...)                                                              \
    static const sinchfn_export sinchfn_export_list_[] = { __VA_ARGS__ };                 \
    SINCHFN_PUBLIC const sinchfn_function sinchfn_function_table = {                      \
        SINCHFN_ABI_VERSION, sinchfn_export_list_,                                        \
        (unsigned int)(sizeof(sinchfn_export_list_) / sizeof(sinchfn_export_list_[0])) }

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
/* Adds a header. Names and values containing CR, LF or NUL are rejected when the
 * response is sent: the client then receives a 500 JSON error instead. */
SINCHFN_API void sinchfn_response_header(sinchfn_response *response, const char *name, const char *value);
/* Sends a JSON value as application/json. The response takes ownership of body. */
SINCHFN_API sinchfn_status sinchfn_respond_json(sinchfn_response *response, int status, json_object *body);
/* Sends text as text/plain; charset=utf-8. The text is copied. */
SINCHFN_API sinchfn_status sinchfn_respond_text(sinchfn_response *response, int status, const char *text);
/* Sends {"error": message}. */
SINCHFN_API sinchfn_status sinchfn_respond_error(sinchfn_response *response, int status, const char *message);

/* ---- voice callbacks ------------------------------------------------------------------ */

/* Callback events, SVAML builders and menus. */
#include "sinchfn/voice.h"
#include "sinchfn/menu.h"

/* ---- messaging ----------------------------------------------------------------------- */

/* Conversation API webhooks. */
#include "sinchfn/conversation.h"

#ifdef __cplusplus
}
#endif

#endif /* SINCHFN_H */
