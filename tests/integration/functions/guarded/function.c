/*
 * The guarded function of the protection tests: Basic-protected exports, a signed
 * export, callbacks checked by signature, and endpoints that call the public signature
 * and bearer-token helpers, each reporting the outcome as JSON.
 */
#include <string.h>

#include <sinchfn.h>

static sinchfn_status reply(sinchfn_ctx *ctx, sinchfn_response *response, const char *export)
{
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "export", json_object_new_string(export), NULL));
}

static sinchfn_status admin(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "admin");
}

static sinchfn_status stats(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "stats");
}

static sinchfn_status open_endpoint(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "open");
}

/* Sinch signs Verification callbacks like voice callbacks; SINCHFN_SIGNED() below. */
static sinchfn_status verification(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "verification");
}

static sinchfn_status conversation(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "conversationWebhook");
}

/* Returns the bearer token and whether it equals the API_TOKEN variable. */
static sinchfn_status bearer(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *token = sinchfn_request_bearer_token(request);

    if (!token)
        return sinchfn_respond_error(response, 401, "Send a bearer token.");
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "matches",
                                                    json_object_new_boolean(sinchfn_secure_equals(
                                                        token, sinchfn_variable(ctx, "API_TOKEN"))),
                                                    NULL));
}

static sinchfn_status verdict(sinchfn_ctx *ctx, sinchfn_response *response, sinchfn_signature_status status)
{
    return sinchfn_respond_json(response, status == SINCHFN_SIGNATURE_VALID ? 200 : 401,
                                sinchfn_json_object(ctx, "status",
                                                    json_object_new_string(sinchfn_signature_status_text(status)),
                                                    NULL));
}

/* An external webhook signed Stripe-style in the Stripe-Signature header. */
static sinchfn_status stripe(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    return verdict(ctx, response,
                   sinchfn_verify_timestamped_hmac(request, "Stripe-Signature", sinchfn_secret(ctx, "STRIPE_SECRET"),
                                                   300));
}

static sinchfn_status numbers(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    return verdict(ctx, response, sinchfn_verify_numbers_signature(request, sinchfn_secret(ctx, "NUMBERS_SECRET")));
}

/* An SMS webhook at another route, checked by the handler with the webhook helper. */
static sinchfn_status sms(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    return verdict(ctx, response, sinchfn_verify_webhook_signature(ctx, request, sinchfn_secret(ctx, "SMS_SECRET")));
}

/* Signs the request's own body as an outgoing request to the path in the `path` query
 * parameter, and returns the headers to send. */
static sinchfn_status sign(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    apr_size_t length = 0;
    const char *body = sinchfn_request_body(request, &length);
    const char *timestamp = sinchfn_request_query(request, "timestamp");
    const char *authorization;

    if (!timestamp)
        timestamp = sinchfn_signature_timestamp(sinchfn_pool(ctx));
    authorization = sinchfn_sign_application_request(sinchfn_pool(ctx), sinchfn_variable(ctx, "VOICE_APPLICATION_KEY"),
                                                     sinchfn_variable(ctx, "VOICE_APPLICATION_SECRET"), "POST",
                                                     sinchfn_request_query(request, "path"), "application/json",
                                                     timestamp, body, length);
    if (!authorization)
        return sinchfn_fail(ctx, "signing failed");
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "authorization", json_object_new_string(authorization),
                                                    "timestamp", json_object_new_string(timestamp), NULL));
}

static sinchfn_status ice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    sinchfn_svaml_say(svaml, "Signed", NULL);
    return sinchfn_svaml_hangup(svaml);
}

static sinchfn_status dice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    (void)svaml;
    return SINCHFN_OK;
}

SINCHFN_PROTECT("admin", "stats");
SINCHFN_SIGNED("verification");
SINCHFN_EXPORTS(SINCHFN_ENDPOINT(admin), SINCHFN_ENDPOINT(stats), SINCHFN_ENDPOINT_NAMED("open", open_endpoint),
                SINCHFN_ENDPOINT(verification), SINCHFN_ENDPOINT_NAMED("conversationWebhook", conversation),
                SINCHFN_ENDPOINT(bearer), SINCHFN_ENDPOINT(stripe), SINCHFN_ENDPOINT(numbers), SINCHFN_ENDPOINT(sms),
                SINCHFN_ENDPOINT(sign), SINCHFN_VOICE(ice), SINCHFN_VOICE(dice));
