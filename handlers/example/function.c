/*
 * The Sinch Functions documentation's example in C: a welcome message for inbound calls,
 * a status endpoint and a notification endpoint.
 */
#include <sinchfn.h>

static sinchfn_status ice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    sinchfn_log_info(ctx, "Incoming call %s", sinchfn_event_callid(event) ? sinchfn_event_callid(event) : "-");
    sinchfn_svaml_say(svaml, "Welcome!", NULL);
    return sinchfn_svaml_hangup(svaml);
}

static sinchfn_status status(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    json_object *body = sinchfn_json_object(ctx,
                                            "status", json_object_new_string("healthy"),
                                            "functionName", json_object_new_string(sinchfn_function_name(ctx)),
                                            "environment", json_object_new_string(sinchfn_environment(ctx)),
                                            "uptime", json_object_new_int64(sinchfn_uptime(ctx)),
                                            NULL);

    (void)request;
    return sinchfn_respond_json(response, 200, body);
}

static sinchfn_status inbound(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *message = sinchfn_request_json_string(request, "message");

    if (!message)
        return sinchfn_respond_error(response, 400, "Missing message");

    sinchfn_log_info(ctx, "Notification received: %s", message);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "received", json_object_new_boolean(1), NULL));
}

SINCHFN_EXPORTS(SINCHFN_VOICE(ice), SINCHFN_ENDPOINT(status), SINCHFN_ENDPOINT(inbound));
