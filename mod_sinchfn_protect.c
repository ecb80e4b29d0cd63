/*
 * mod_sinchfn_protect.c: the protection step of the handler and its directives.
 * A request reaches user code only when it comes from an allowed network (for a
 * private function) and carries no access token in its URL. A callback must also
 * carry a valid Sinch signature, and a protected export valid Basic credentials.
 * The checks themselves live in src/auth.c and src/signature.c.
 */
#include <apr_atomic.h>
#include <apr_strings.h>

#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_sinchfn.h"

APLOG_USE_MODULE(sinchfn);

#define MAX_SKEW_LIMIT 86400

#define TAG_PRIVATE "SFN0501"
#define TAG_BASIC "SFN0502"
#define TAG_BASIC_UNCONFIGURED "SFN0503"
#define TAG_SIGNATURE "SFN0504"
#define TAG_SIGNATURE_UNCONFIGURED "SFN0505"
#define TAG_QUERY_TOKEN "SFN0506"

/* SinchPrivateAllow when none is configured: the loopback networks. Rebuilt from the
 * configuration pool in every post_config, read-only afterwards. */
static apr_array_header_t *default_private_allow;

/* ---- configuration ---- */

void protect_config_init(dir_config *conf)
{
    conf->protection = PROTECTION_UNSET;
    conf->max_skew = -1;
    conf->auth_challenge = -1;
    conf->private_only = -1;
}

void protect_config_merge(apr_pool_t *pool, dir_config *conf, const dir_config *base, const dir_config *add)
{
    (void)pool;
    conf->protection = add->protection != PROTECTION_UNSET ? add->protection : base->protection;
    conf->max_skew = add->max_skew >= 0 ? add->max_skew : base->max_skew;
    conf->auth_challenge = add->auth_challenge >= 0 ? add->auth_challenge : base->auth_challenge;
    conf->private_only = add->private_only >= 0 ? add->private_only : base->private_only;
    conf->private_allow = add->private_allow ? add->private_allow : base->private_allow;
    /* The key and the secret are set together and stay together. */
    conf->voice_key = add->voice_key ? add->voice_key : base->voice_key;
    conf->voice_secret = add->voice_key ? add->voice_secret : base->voice_secret;
    conf->warnings = add->function ? add->warnings : base->warnings;
}

static webhook_protection parse_protection(const char *value)
{
    if (!strcmp(value, "never"))
        return PROTECTION_NEVER;
    if (!strcmp(value, "deploy"))
        return PROTECTION_DEPLOY;
    if (!strcmp(value, "always"))
        return PROTECTION_ALWAYS;
    return PROTECTION_UNSET;
}

const char *protect_check_variables(apr_pool_t *pool, apr_hash_t *variables, const char *origin)
{
    const char *value = variables ? apr_hash_get(variables, "WEBHOOK_PROTECTION", APR_HASH_KEY_STRING) : NULL;

    if (value && parse_protection(value) == PROTECTION_UNSET)
        return apr_psprintf(pool, "%s: WEBHOOK_PROTECTION '%s' is not valid; use never, deploy or always", origin,
                            value);
    return NULL;
}

const char *set_webhook_protection(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;

    if ((conf->protection = parse_protection(arg)) == PROTECTION_UNSET)
        return apr_psprintf(cmd->pool, "SinchWebhookProtection: '%s' is not valid; use never, deploy or always",
                            arg);
    return NULL;
}

const char *set_signature_max_skew(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    char *end = NULL;
    apr_int64_t seconds = apr_strtoi64(arg, &end, 10);

    if (!*arg || *end || seconds < 0 || seconds > MAX_SKEW_LIMIT)
        return apr_psprintf(cmd->pool, "SinchSignatureMaxSkew: '%s' is not valid; give seconds from 0 (no "
                            "timestamp check) to %d", arg, MAX_SKEW_LIMIT);
    conf->max_skew = seconds;
    return NULL;
}

const char *set_auth_challenge(cmd_parms *cmd, void *mconfig, int on)
{
    dir_config *conf = mconfig;

    (void)cmd;
    conf->auth_challenge = on;
    return NULL;
}

const char *set_private(cmd_parms *cmd, void *mconfig, int on)
{
    dir_config *conf = mconfig;

    (void)cmd;
    conf->private_only = on;
    return NULL;
}

/* Parses "ADDRESS" or "ADDRESS/BITS" (IPv4 or IPv6) into a subnet. */
static apr_status_t parse_network(apr_pool_t *pool, const char *text, apr_ipsubnet_t **subnet)
{
    const char *slash = strchr(text, '/');

    if (!slash)
        return apr_ipsubnet_create(subnet, text, NULL, pool);
    if (!slash[1])
        return APR_EBADMASK;
    return apr_ipsubnet_create(subnet, apr_pstrmemdup(pool, text, (apr_size_t)(slash - text)), slash + 1, pool);
}

const char *set_private_allow(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    apr_ipsubnet_t *subnet;
    apr_status_t status;

    if ((status = parse_network(cmd->pool, arg, &subnet)) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "SinchPrivateAllow: '%s' is not an IP address or CIDR network (%pm); "
                            "write e.g. 10.0.0.0/8 or fd00::/8", arg, &status);
    if (!conf->private_allow)
        conf->private_allow = apr_array_make(cmd->pool, 2, sizeof(apr_ipsubnet_t *));
    APR_ARRAY_PUSH(conf->private_allow, apr_ipsubnet_t *) = subnet;
    return NULL;
}

const char *set_voice_application(cmd_parms *cmd, void *mconfig, const char *key, const char *secret)
{
    dir_config *conf = mconfig;
    const unsigned char *bytes;
    apr_size_t length;

    if (!*key)
        return "SinchVoiceApplication: the application key is empty; give KEY SECRET from the Sinch dashboard";
    if (!sinchfn_decode_secret(cmd->temp_pool, secret, &bytes, &length))
        return "SinchVoiceApplication: the application secret is not valid base64; copy it from the Sinch "
               "dashboard (the value is not shown here)";
    conf->voice_key = key;
    conf->voice_secret = secret;
    return NULL;
}

apr_status_t protect_post_config(apr_pool_t *pconf)
{
    static const char *const loopback[] = { "127.0.0.0/8", "::1" };
    apr_array_header_t *networks = apr_array_make(pconf, 2, sizeof(apr_ipsubnet_t *));
    apr_size_t i;

    for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
        apr_ipsubnet_t *subnet;
        apr_status_t status = parse_network(pconf, loopback[i], &subnet);

        if (status != APR_SUCCESS)
            return status;
        APR_ARRAY_PUSH(networks, apr_ipsubnet_t *) = subnet;
    }
    default_private_allow = networks;
    return APR_SUCCESS;
}

apr_int64_t protect_max_skew(const dir_config *conf)
{
    return conf->max_skew >= 0 ? conf->max_skew : SINCHFN_DEFAULT_MAX_SKEW;
}

/* ---- private functions ---- */

static int address_allowed(const apr_array_header_t *networks, apr_sockaddr_t *address)
{
    int i;

    for (i = 0; networks && i < networks->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(networks, i, apr_ipsubnet_t *), address))
            return 1;
    }
    return 0;
}

int protect_network(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx)
{
    const apr_array_header_t *networks = conf->private_allow ? conf->private_allow : default_private_allow;

    if (conf->private_only != 1)
        return DECLINED;
    /* useragent_addr is the connection's peer, or the client mod_remoteip found behind a
     * trusted proxy; a header the client sends itself never decides. */
    if (r->useragent_addr && address_allowed(networks, r->useragent_addr))
        return DECLINED;

    skip_body(r, conf);
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_PRIVATE, "%s %s from %s rejected: the function is private and the "
                "address is outside SinchPrivateAllow", r->method, r->uri, r->useragent_ip);
    return send_runtime_error(r, ctx, HTTP_FORBIDDEN, NULL, "This function is private and does not accept "
                              "requests from your network.", NULL);
}

/* ---- access tokens in URLs ---- */

/* Replaces the query part of a request line or URI, from '?' to the first space or the
 * end, by the redacted query. */
static char *replace_query(apr_pool_t *pool, char *text, const char *query)
{
    const char *start = text ? strchr(text, '?') : NULL;
    const char *end;

    if (!start)
        return text;
    end = start + strcspn(start, " #");
    return apr_pstrcat(pool, apr_pstrmemdup(pool, text, (apr_size_t)(start - text + 1)), query, end, NULL);
}

#define NOTE_ACCESS_TOKEN "sinchfn-access-token"

int protect_redact_query(request_rec *r)
{
    const char *redacted;

    if (!r->args || !sinchfn_query_has_access_token(r->pool, r->args))
        return 0;

    /* The access log writes the request line after the request, and httpd's own access
     * checks may reject it before the handler runs; all of them see the redacted copy. */
    redacted = sinchfn_redact_access_token(r->pool, r->args);
    r->the_request = replace_query(r->pool, r->the_request, redacted);
    r->unparsed_uri = replace_query(r->pool, r->unparsed_uri, redacted);
    r->parsed_uri.query = apr_pstrdup(r->pool, redacted);
    r->args = apr_pstrdup(r->pool, redacted);
    apr_table_setn(r->notes, NOTE_ACCESS_TOKEN, "1");
    return 1;
}

int protect_query(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx)
{
    /* translate_name redacts the query first, unless another module translated the
     * request (mod_rewrite, for one); then the redaction happens here. A request without
     * a query has nothing to redact, and most callbacks have none. */
    if (!r->args)
        return DECLINED;
    if (!apr_table_get(r->notes, NOTE_ACCESS_TOKEN) && !protect_redact_query(r))
        return DECLINED;

    skip_body(r, conf);
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_QUERY_TOKEN, "%s %s rejected: an access_token query parameter "
                "(its value is not logged)", r->method, r->uri);
    return send_runtime_error(r, ctx, HTTP_BAD_REQUEST, NULL, "A token in the query string is rejected because "
                              "URLs end up in logs; send it in an Authorization: Bearer header.", NULL);
}

/* ---- signatures ---- */

typedef enum {
    SCHEME_NONE = 0,
    SCHEME_APPLICATION, /* voice callbacks and SINCHFN_SIGNED() exports */
    SCHEME_WEBHOOK      /* conversationWebhook */
} signature_scheme;

static int signatures_enforced(const dir_config *conf, const sinchfn_ctx *ctx)
{
    webhook_protection mode = conf->protection;
    const char *variable;

    if (mode == PROTECTION_UNSET && (variable = sinchfn_variable(ctx, "WEBHOOK_PROTECTION")))
        mode = parse_protection(variable);
    if (mode == PROTECTION_UNSET)
        mode = PROTECTION_DEPLOY;
    return mode == PROTECTION_ALWAYS || (mode == PROTECTION_DEPLOY && !strcmp(ctx->environment, "production"));
}

static signature_scheme route_scheme(const dir_config *conf, const sinchfn_route *route)
{
    if (route->kind == SINCHFN_ROUTE_VOICE || sinchfn_route_is_signed(&conf->function->protection, route->name))
        return SCHEME_APPLICATION;
    if (!strcmp(route->name, "conversationWebhook"))
        return SCHEME_WEBHOOK;
    return SCHEME_NONE;
}

int protect_needs_signature(const dir_config *conf, const sinchfn_ctx *ctx, const sinchfn_route *route)
{
    return route_scheme(conf, route) != SCHEME_NONE && signatures_enforced(conf, ctx);
}

/* Logs a missing or invalid secret once per process and Location: it is a fault of the
 * configuration, not of the client, and would otherwise repeat on every callback. */
static void warn_unconfigured(const dir_config *conf, sinchfn_ctx *ctx, apr_uint32_t *flag, const char *problem)
{
    if (apr_atomic_cas32(flag, 1, 0) != 0)
        return;
    sinchfn_log(ctx, SINCHFN_LOG_WARN, TAG_SIGNATURE_UNCONFIGURED, "callback signatures are enforced for function "
                "'%s' at %s, but %s; every signed request is rejected with 401 until it is fixed (this warning "
                "is logged once per process)", conf->function_name, conf->location, problem);
}

static sinchfn_signature_status check_application_headers(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                                                          const sinchfn_request *request,
                                                          sinchfn_application_check *check, const char **reason)
{
    const char *key = conf->voice_key ? conf->voice_key : sinchfn_variable(ctx, "VOICE_APPLICATION_KEY");
    const char *secret = conf->voice_key ? conf->voice_secret : sinchfn_variable(ctx, "VOICE_APPLICATION_SECRET");
    sinchfn_signature_status status = sinchfn_check_application_headers(r->pool, request, key, secret, apr_time_now(),
                                                                        ctx->signature_max_skew, check, reason);

    if (status == SINCHFN_SIGNATURE_NO_SECRET)
        warn_unconfigured(conf, ctx, &conf->warnings->voice,
                          apr_psprintf(r->pool, "%s; set SinchVoiceApplication, or VOICE_APPLICATION_KEY and "
                                       "VOICE_APPLICATION_SECRET", *reason));
    return status;
}

static sinchfn_signature_status check_webhook(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                                              const sinchfn_request *request, const char **reason)
{
    sinchfn_signature_status status = sinchfn_check_webhook(r->pool, request,
                                                            sinchfn_variable(ctx, "CONVERSATION_WEBHOOK_SECRET"),
                                                            apr_time_now(), ctx->signature_max_skew, reason);

    if (status == SINCHFN_SIGNATURE_NO_SECRET)
        warn_unconfigured(conf, ctx, &conf->warnings->webhook,
                          "CONVERSATION_WEBHOOK_SECRET is not set; set it to the secret of the Conversation "
                          "API webhook");
    return status;
}

/* Logs a failed signature check and sends its 401. */
static int reject_signature(request_rec *r, sinchfn_ctx *ctx, signature_scheme scheme, sinchfn_signature_status status,
                            const char *reason, const sinchfn_route *route)
{
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_SIGNATURE, "%s %s rejected: %s check failed: %s", r->method, r->uri,
                scheme == SCHEME_APPLICATION ? "application signature" : "webhook signature", reason);
    if (status == SINCHFN_SIGNATURE_NO_SECRET)
        reason = "the server has no secret to check it with";
    return send_runtime_error(r, ctx, HTTP_UNAUTHORIZED, NULL,
                              apr_psprintf(r->pool, "The request signature is not valid: %s.", reason), route->name);
}

int protect_signature_headers(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                              const sinchfn_request *request, const sinchfn_route *route,
                              sinchfn_application_check *check)
{
    signature_scheme scheme = route_scheme(conf, route);
    sinchfn_signature_status status;
    const char *reason = NULL;

    memset(check, 0, sizeof(*check));
    if (scheme == SCHEME_APPLICATION) {
        if ((status = check_application_headers(r, conf, ctx, request, check, &reason)) == SINCHFN_SIGNATURE_VALID)
            return DECLINED;
    }
    else {
        /* Without its header the webhook check fails whatever the body, so only then does
         * it run before the body is read. */
        if (apr_table_get(r->headers_in, "x-sinch-webhook-signature"))
            return DECLINED;
        status = check_webhook(r, conf, ctx, request, &reason);
    }
    skip_body(r, conf);
    return reject_signature(r, ctx, scheme, status, reason, route);
}

int protect_signature(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_request *request,
                      const sinchfn_route *route, const sinchfn_application_check *check)
{
    signature_scheme scheme = route_scheme(conf, route);
    sinchfn_signature_status status;
    const char *reason = NULL;

    if (scheme == SCHEME_APPLICATION)
        status = sinchfn_check_application_body(r->pool, request, check, &reason);
    else
        status = check_webhook(r, conf, ctx, request, &reason);
    if (status == SINCHFN_SIGNATURE_VALID)
        return DECLINED;
    return reject_signature(r, ctx, scheme, status, reason, route);
}

/* ---- Basic auth ---- */

/* A quoted-string for the realm: the function name with '"' and '\' escaped. */
static const char *quoted(apr_pool_t *pool, const char *text)
{
    char *out = apr_palloc(pool, strlen(text) * 2 + 3);
    char *c = out;

    *c++ = '"';
    for (; *text; text++) {
        if (*text == '"' || *text == '\\')
            *c++ = '\\';
        *c++ = *text;
    }
    *c++ = '"';
    *c = '\0';
    return out;
}

static int send_unauthorized(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const char *message,
                             const sinchfn_route *route)
{
    if (conf->auth_challenge == 1)
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       apr_pstrcat(r->pool, "Basic realm=", quoted(r->pool, conf->function_name),
                                   ", charset=\"UTF-8\"", NULL));
    return send_runtime_error(r, ctx, HTTP_UNAUTHORIZED, NULL, message, route->name);
}

int protect_basic(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_route *route)
{
    const char *authorization, *missing, *problem;

    if (!sinchfn_route_is_protected(&conf->function->protection, route->name))
        return DECLINED;
    authorization = apr_table_get(r->headers_in, "Authorization");

    if ((missing = sinchfn_basic_missing_variables(r->pool, ctx))) {
        if (apr_atomic_cas32(&conf->warnings->basic, 1, 0) == 0)
            sinchfn_log(ctx, SINCHFN_LOG_WARN, TAG_BASIC_UNCONFIGURED, "export '%s' of function '%s' is protected, "
                        "but no credentials are configured: %s; every request to a protected export is rejected "
                        "with 401 (this warning is logged once per process)", route->name, conf->function_name,
                        missing);
        sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_BASIC, "%s %s rejected: Basic auth check failed: no credentials "
                    "are configured", r->method, r->uri);
        skip_body(r, conf);
        return send_unauthorized(r, conf, ctx, authorization ? "Invalid credentials." :
                                 "Authentication required: send Basic credentials in the Authorization header.",
                                 route);
    }

    if (!(problem = sinchfn_basic_auth_check(r->pool, ctx, authorization)))
        return DECLINED;
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_BASIC, "%s %s rejected: Basic auth check failed: %s", r->method, r->uri,
                problem);
    skip_body(r, conf);
    return send_unauthorized(r, conf, ctx, authorization ? "Invalid credentials." :
                             "Authentication required: send Basic credentials in the Authorization header.", route);
}
