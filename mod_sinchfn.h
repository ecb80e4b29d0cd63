/*
 * mod_sinchfn.h: what the glue files of mod_sinchfn share: the per-directory
 * configuration and the steps mod_sinchfn_protect.c and mod_sinchfn_public.c add to
 * the handler. Nothing here
 * leaves the module: only sinchfn_* symbols are exported.
 */
#ifndef MOD_SINCHFN_H
#define MOD_SINCHFN_H

#include <apr_network_io.h>

#include <httpd.h>
#include <http_config.h>

#include "sinchfn_core.h"

extern module AP_MODULE_DECLARE_DATA sinchfn_module;

/* Values of SinchWebhookProtection and of the WEBHOOK_PROTECTION variable. */
typedef enum {
    PROTECTION_UNSET = -1,
    PROTECTION_NEVER = 0,
    PROTECTION_DEPLOY, /* enforced when SinchEnvironment is production */
    PROTECTION_ALWAYS
} webhook_protection;

/* Set once per function Location and process, so each missing-credential warning is
 * logged once per process instead of once per request. */
typedef struct {
    apr_uint32_t basic;
    apr_uint32_t voice;
    apr_uint32_t webhook;
} warning_flags;

typedef struct {
    const char *location;        /* Location path SinchFunction was declared in */
    const apr_array_header_t *location_prefix; /* its decoded segments; NULL if undecodable */
    const sinchfn_loaded *function;
    const char *function_name;
    const char *environment;     /* NULL while unset */
    apr_hash_t *variables;       /* SinchVariable over sinch.json variables */
    apr_hash_t *directive_variables; /* names set by SinchVariable, which win over sinch.json */
    apr_hash_t *secrets;         /* SinchEnvFile files over the function's .env */
    apr_hash_t *envfile_secrets; /* names set by SinchEnvFile, which win over .env */
    apr_off_t max_body;          /* -1 while unset */
    webhook_protection protection; /* PROTECTION_UNSET while unset */
    apr_int64_t max_skew;        /* seconds; -1 while unset */
    int auth_challenge;          /* -1 while unset */
    int private_only;            /* SinchPrivate; -1 while unset */
    apr_array_header_t *private_allow; /* of apr_ipsubnet_t *; NULL while unset */
    const char *voice_key;       /* SinchVoiceApplication; NULL while unset */
    const char *voice_secret;
    warning_flags *warnings;     /* belongs to the function, like its variables */
    const char *function_dir;    /* directory of sinch.json, storage/, assets/ */
    const char *function_storage_dir; /* storage/ in function_dir, built with it */
    const char *function_assets_dir;  /* assets/ in function_dir, built with it */
    const char *storage_dir;     /* SinchStorage; NULL selects storage/ in function_dir */
    const sinchfn_voice_fallback *voice_fallback; /* NULL while unset */
    int storage_in_db;           /* SinchStorage dbd; -1 while unset */
    struct mod_sinchfn_database *database; /* SinchDatabase, SinchDatabaseStatement */
} dir_config;

/* Log tag of requests rejected for a client mistake, logged at info. */
#define TAG_CLIENT_ERROR "SFN0201"

/* Writes a complete runtime response with the X-Request-Id header. Returns OK for httpd. */
int send_response(request_rec *r, const sinchfn_response *response, const char *request_id);
/* Disposes of a request body no handler will read, reading at most SinchMaxBodySize
 * bytes; a larger or unknown-length body closes the connection after the response. */
void skip_body(request_rec *r, const dir_config *conf);
/* Writes a runtime JSON error and logs it at info with tag. Returns OK for httpd. */
int send_runtime_error(request_rec *r, sinchfn_ctx *ctx, int status, const char *tag, const char *message,
                       const char *route);

/* ---- mod_sinchfn_public.c ---- */

/* Serves the file of the function's public/ directory that a route without an export
 * names. Returns DECLINED when no file matches, so the request goes on to the 404 of a
 * missing export; otherwise the response has been sent and the result is what the
 * handler returns to httpd. */
int public_serve(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_route *route,
                 const char *raw_path, int body_consumed);

/* ---- mod_sinchfn_protect.c ---- */

/* Sets the unset protection fields of a new configuration. */
void protect_config_init(dir_config *conf);
/* Merges the protection fields, each on its own. */
void protect_config_merge(apr_pool_t *pool, dir_config *conf, const dir_config *base, const dir_config *add);
/* Rejects a WEBHOOK_PROTECTION value other than never, deploy or always; origin names
 * the directive or file in the message. */
const char *protect_check_variables(apr_pool_t *pool, apr_hash_t *variables, const char *origin);
/* Builds the default SinchPrivateAllow networks (loopback) for this configuration cycle. */
apr_status_t protect_post_config(apr_pool_t *pconf);
apr_int64_t protect_max_skew(const dir_config *conf);

/* Each step returns DECLINED when the request may go on; otherwise it has sent the
 * rejection and returns what the handler returns to httpd. */
int protect_network(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx);
/* Replaces the value of an access_token query parameter by REDACTED in every copy of
 * the request line and records it in a note. Returns whether a token was found. Runs
 * before httpd's access checks. */
int protect_redact_query(request_rec *r);
int protect_query(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx);
/* Whether the route needs a signature check, so the body must be read first. */
int protect_needs_signature(const dir_config *conf, const sinchfn_ctx *ctx, const sinchfn_route *route);
/* The signature check of a route that needs one, in two steps. The first runs before the
 * body is read and rejects what the headers decide: a missing header, and for the
 * application scheme the credentials, the key and x-timestamp. It skips the body of a
 * request it rejects. The second checks the signature over the body read after it. */
int protect_signature_headers(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                              const sinchfn_request *request, const sinchfn_route *route,
                              sinchfn_application_check *check);
int protect_signature(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_request *request,
                      const sinchfn_route *route, const sinchfn_application_check *check);
int protect_basic(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_route *route);

const char *set_webhook_protection(cmd_parms *cmd, void *mconfig, const char *arg);
const char *set_signature_max_skew(cmd_parms *cmd, void *mconfig, const char *arg);
const char *set_auth_challenge(cmd_parms *cmd, void *mconfig, int on);
const char *set_private(cmd_parms *cmd, void *mconfig, int on);
const char *set_private_allow(cmd_parms *cmd, void *mconfig, const char *arg);
const char *set_voice_application(cmd_parms *cmd, void *mconfig, const char *key, const char *secret);

#define PROTECT_DIRECTIVES                                                                                   \
    AP_INIT_TAKE1("SinchWebhookProtection", set_webhook_protection, NULL, ACCESS_CONF,                       \
                  "never, deploy or always: when callback signatures are checked (default deploy: when "     \
                  "SinchEnvironment is production)"),                                                        \
    AP_INIT_TAKE1("SinchSignatureMaxSkew", set_signature_max_skew, NULL, ACCESS_CONF,                         \
                  "Maximum age or lead of a signed request's timestamp in seconds (default 600; 0 turns "    \
                  "the check off)"),                                                                         \
    AP_INIT_FLAG("SinchAuthChallenge", set_auth_challenge, NULL, ACCESS_CONF,                                \
                 "On to send WWW-Authenticate: Basic with a 401 of a protected export (default off)"),       \
    AP_INIT_FLAG("SinchPrivate", set_private, NULL, ACCESS_CONF,                                             \
                 "On to serve the function to SinchPrivateAllow networks only (default off)"),               \
    AP_INIT_ITERATE("SinchPrivateAllow", set_private_allow, NULL, ACCESS_CONF,                               \
                    "IP addresses or CIDR networks a private function accepts (default 127.0.0.0/8 ::1)"),   \
    AP_INIT_TAKE2("SinchVoiceApplication", set_voice_application, NULL, ACCESS_CONF,                         \
                  "KEY SECRET: the voice application that signs callbacks; wins over "                       \
                  "VOICE_APPLICATION_KEY and VOICE_APPLICATION_SECRET")

#endif /* MOD_SINCHFN_H */
