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
    (void)request;
    sinchfn_response_set_string(response, "status", "healthy");
    sinchfn_response_set_string(response, "functionName", sinchfn_function_name(ctx));
    sinchfn_response_set_string(response, "environment", sinchfn_environment(ctx));
    sinchfn_response_set_int(response, "uptime", sinchfn_uptime(ctx));
    return sinchfn_respond_object(response, 200);
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
    sinchfn_response_set_bool(response, "received", 1);
    return sinchfn_respond_object(response, 200);
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

    sinchfn_response_set_string_len(response, "greeting", text, length);
    return sinchfn_respond_object(response, 200);
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

    sinchfn_response_set_bool(response, "allowed", 1);
    sinchfn_response_set_int(response, "remaining", RATE_LIMIT - count);
    return sinchfn_respond_object(response, 200);
}

SINCHFN_EXPORTS(SINCHFN_VOICE(ice), SINCHFN_ENDPOINT(status), SINCHFN_ENDPOINT(inbound), SINCHFN_ENDPOINT(greeting),
                SINCHFN_ENDPOINT(limited));
