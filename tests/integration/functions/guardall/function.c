/*
 * A function that protects every export with SINCHFN_PROTECT("*"); its voice callback,
 * conversationWebhook and health must stay reachable without Basic credentials.
 */
#include <sinchfn.h>

static sinchfn_status reply(sinchfn_ctx *ctx, sinchfn_response *response, const char *export)
{
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "export", json_object_new_string(export), NULL));
}

static sinchfn_status report(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "report");
}

static sinchfn_status home(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "home");
}

static sinchfn_status health(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "health");
}

static sinchfn_status conversation(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return reply(ctx, response, "conversationWebhook");
}

static sinchfn_status ice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    return sinchfn_svaml_hangup(svaml);
}

SINCHFN_PROTECT("*");
SINCHFN_EXPORTS(SINCHFN_ENDPOINT(report), SINCHFN_ENDPOINT(home), SINCHFN_ENDPOINT(health),
                SINCHFN_ENDPOINT_NAMED("conversationWebhook", conversation), SINCHFN_VOICE(ice));
