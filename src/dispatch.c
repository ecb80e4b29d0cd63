/*
 * dispatch.c: runs one export for a routed request and turns what the handler did into
 * a complete response: custom endpoints keep their own response, voice handlers get
 * their SVAML serialized, and every fault becomes a JSON runtime error.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

static void internal_error(sinchfn_call *call)
{
    sinchfn_response_runtime_error(call->response, 500, "internal error", NULL, call->ctx->request_id);
}

static void run_endpoint(sinchfn_call *call)
{
    sinchfn_status status = call->export->endpoint(call->ctx, call->request, call->response);

    if (status != SINCHFN_OK) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR, "SFN0301", "handler '%s' returned an error", call->export->name);
        internal_error(call);
    }
}

static void send_svaml(sinchfn_call *call, sinchfn_svaml *svaml)
{
    call->response->status = 200;
    call->response->content_type = "application/json";
    call->response->body = sinchfn_svaml_write(svaml, &call->response->body_length);
}

/* Sends the fallback SVAML. Sinch's Voice API reference says an ICE without a response
 * makes Sinch play an error and disconnect the call, and a 500 gives the caller nothing
 * better. */
static void send_fallback(sinchfn_call *call, const char *callback)
{
    send_svaml(call, sinchfn_svaml_fallback(call->request->pool, callback, call->voice_fallback));
}

static void run_voice(sinchfn_call *call)
{
    const char *callback = call->route->name;
    const sinchfn_client_error *invalid;
    sinchfn_event *event = NULL;
    sinchfn_svaml *svaml;
    sinchfn_status status;
    int takes_svaml = sinchfn_callback_takes_svaml(callback);

    if ((invalid = sinchfn_event_create(call->request, callback, &event))) {
        sinchfn_log(call->ctx, SINCHFN_LOG_INFO, "SFN0302", "rejected '%s' callback: %s", callback, invalid->message);
        sinchfn_response_runtime_error(call->response, invalid->status, invalid->message, NULL,
                                       call->ctx->request_id);
        return;
    }

    svaml = sinchfn_svaml_create(call->request->pool, callback);
    status = call->export->voice(call->ctx, event, svaml);
    if (status != SINCHFN_OK || sinchfn_svaml_error(svaml)) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR, "SFN0303", "voice handler '%s' failed: %s%s", callback,
                    sinchfn_svaml_error(svaml) ? sinchfn_svaml_error(svaml) : "it returned an error",
                    takes_svaml ? "; sent the fallback SVAML" : "");
        if (takes_svaml)
            send_fallback(call, callback);
        else
            internal_error(call);
        return;
    }

    if (!takes_svaml) {
        sinchfn_response_status(call->response, 200);
        return;
    }
    if (!sinchfn_svaml_has_action(svaml)) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR, "SFN0304", "voice handler '%s' set no SVAML action; sent the "
                    "fallback SVAML; end the handler with an action such as hangup", callback);
        send_fallback(call, callback);
        return;
    }
    send_svaml(call, svaml);
}

/* Checks what a custom endpoint left in the response. A JSON body must be UTF-8
 * (RFC 8259), and neither json-c nor the pool object checks the strings it is given. */
static void check_response(sinchfn_call *call)
{
    const char *bad_header = sinchfn_response_invalid_header(call->response);
    const sinchfn_response *response = call->response;
    int status = response->status;
    apr_ssize_t invalid;

    if (bad_header) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR,
                    "SFN0305", "handler '%s' set header '%s' with an invalid name or a control character in its value; "
                    "the response was replaced by a 500", call->export->name, bad_header);
        internal_error(call);
        return;
    }
    if (status != 0 && (status < 200 || status > 599)) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR, "SFN0306", "handler '%s' set the status %d, outside 200-599",
                    call->export->name, status);
        internal_error(call);
        return;
    }
    if (response->body && response->content_type && !strcmp(response->content_type, "application/json") &&
        (invalid = sinchfn_utf8_invalid_offset(response->body, response->body_length)) >= 0) {
        sinchfn_log(call->ctx, SINCHFN_LOG_ERROR, "SFN0308", "handler '%s' sent a JSON body that is not valid UTF-8 "
                    "at byte %" APR_SSIZE_T_FMT "; the response was replaced by a 500; pass UTF-8 strings",
                    call->export->name, invalid);
        internal_error(call);
    }
}

void sinchfn_dispatch(sinchfn_call *call)
{
    call->request->route = call->export->name;
    if (call->export->kind == SINCHFN_KIND_VOICE) {
        run_voice(call);
        return;
    }
    run_endpoint(call);
    check_response(call);
}
