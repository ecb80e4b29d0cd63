/*
 * The Sinch Functions documentation's example in C: a welcome message for inbound calls,
 * a status endpoint, a notification endpoint with a shared counter, a greeting read from
 * storage and a rate-limited endpoint.
 */
#include <apr_lib.h>
#include <apr_strings.h>

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

/* The notification counter lives NOTIFICATION_COUNTER_TTL seconds from the first
 * notification, then counts again from 1. */
#define NOTIFICATION_COUNTER_KEY "notifications"
#define NOTIFICATION_COUNTER_TTL 86400

static sinchfn_status inbound(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *message = sinchfn_request_json_string(request, "message");
    apr_int64_t count;

    if (!message)
        return sinchfn_respond_error(response, 400, "Missing message");

    /* A failed counter must not make Sinch resend the notification, so the response
     * stays 200. The runtime has already logged the cache error. */
    if (sinchfn_cache_increment(ctx, NOTIFICATION_COUNTER_KEY, 1, NOTIFICATION_COUNTER_TTL, &count) == SINCHFN_OK)
        sinchfn_log_info(ctx, "Notification received: %s (notification %" APR_INT64_T_FMT ")", message, count);
    else
        sinchfn_log_info(ctx, "Notification received: %s (notification count unavailable)", message);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "received", json_object_new_boolean(1), NULL));
}

#define GREETING_KEY "greeting.txt"

/* Sends {"greeting": TEXT} with the text of the storage key greeting.txt, without
 * trailing whitespace, or with the GREETING variable of sinch.json while nothing is
 * stored. */
static sinchfn_status greeting(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *text;
    apr_size_t length;

    (void)request;
    if (sinchfn_storage_read(ctx, GREETING_KEY, &text, &length) != SINCHFN_OK) {
        if (!sinchfn_last_error_is_not_found(ctx))
            return sinchfn_fail(ctx, "reading the greeting failed: %s", sinchfn_last_error(ctx));
        if (!(text = sinchfn_variable(ctx, "GREETING")))
            return sinchfn_respond_error(response, 404, "No greeting is stored and GREETING is not set; write the "
                                         "storage key " GREETING_KEY " or set the GREETING variable");
        length = strlen(text);
    }
    while (length > 0 && apr_isspace(text[length - 1]))
        length--;

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "greeting", json_object_new_string_len(text, (int)length),
                                                    NULL));
}

/* The documentation's rate limiter: 10 requests per fixed 60 s window per client
 * address. The counter is incremented atomically, so concurrent requests cannot slip
 * past the limit within a window. */
#define RATE_LIMIT 10
#define RATE_WINDOW_SECONDS 60

static sinchfn_status limited(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *key = apr_pstrcat(sinchfn_pool(ctx), "ratelimit:", sinchfn_client_ip(ctx), NULL);
    apr_int64_t count;

    (void)request;
    if (sinchfn_cache_increment(ctx, key, 1, RATE_WINDOW_SECONDS, &count) != SINCHFN_OK)
        return sinchfn_fail(ctx, "rate limit counter failed: %s", sinchfn_last_error(ctx));
    if (count > RATE_LIMIT)
        return sinchfn_respond_error(response, 429, "rate limited");

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "allowed", json_object_new_boolean(1),
                                                    "remaining", json_object_new_int64(RATE_LIMIT - count), NULL));
}

SINCHFN_EXPORTS(SINCHFN_VOICE(ice), SINCHFN_ENDPOINT(status), SINCHFN_ENDPOINT(inbound), SINCHFN_ENDPOINT(greeting),
                SINCHFN_ENDPOINT(limited));
