/*
 * The probe function of the integration tests: each endpoint exercises one part of the
 * API in include/sinchfn.h and reports what the handler received, so the tests can
 * check what mod_sinchfn passed through.
 */
#include <stdlib.h>
#include <string.h>

#include <sinchfn.h>

static json_object *string_or_null(const char *text)
{
    return text ? json_object_new_string(text) : NULL;
}

/* Returns the params as an array of [name, value] pairs, in the order received. */
static json_object *param_pairs(const apr_array_header_t *params)
{
    json_object *pairs = json_object_new_array();
    int i;

    for (i = 0; i < params->nelts; i++) {
        const sinchfn_param *param = &APR_ARRAY_IDX(params, i, sinchfn_param);
        json_object *pair = json_object_new_array();

        json_object_array_add(pair, json_object_new_string(param->name));
        json_object_array_add(pair, json_object_new_string(param->value));
        json_object_array_add(pairs, pair);
    }
    return pairs;
}

/* Returns the JSON body's member "n" as an int64, or NULL when it is absent or not an
 * integer. */
static json_object *json_n(const sinchfn_request *request)
{
    json_object *body = sinchfn_request_json(request);
    json_object *n;

    if (!body || !json_object_is_type(body, json_type_object) || !json_object_object_get_ex(body, "n", &n) ||
        !json_object_is_type(n, json_type_int))
        return NULL;
    return json_object_new_int64(json_object_get_int64(n));
}

/* Logs the `marker` query parameter, so a test can tell from the error log whether this
 * handler ran for its request. */
static sinchfn_status echo(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *marker = sinchfn_request_query(request, "marker");
    apr_size_t body_length = 0;

    if (marker)
        sinchfn_log_info(ctx, "echo ran for marker %s", marker);
    sinchfn_request_body(request, &body_length);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "method", json_object_new_string(sinchfn_request_method(request)),
                                                    "path", json_object_new_string(sinchfn_request_path(request)),
                                                    "route", json_object_new_string(sinchfn_request_route(request)),
                                                    "query", param_pairs(sinchfn_request_query_params(request)),
                                                    "xTest", string_or_null(sinchfn_request_header(request, "X-Test")),
                                                    "bodyLength", json_object_new_int64((apr_int64_t)body_length),
                                                    "n", json_n(request),
                                                    "formA", string_or_null(sinchfn_request_form(request, "a")),
                                                    "form", param_pairs(sinchfn_request_form_params(request)),
                                                    "requestId", json_object_new_string(sinchfn_request_id(ctx)),
                                                    NULL));
}

static sinchfn_status badheader(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    sinchfn_response_header(response, "X-Echo", "a\r\nSet-Cookie: x=1");
    sinchfn_response_status(response, 200);
    return SINCHFN_OK;
}

/* Sets X-Control to "a", a control character given by ?byte= in hex, then "b". */
static sinchfn_status controlheader(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *byte = sinchfn_request_query(request, "byte");
    char value[4] = { 'a', (char)strtol(byte ? byte : "01", NULL, 16), 'b', '\0' };

    (void)ctx;
    sinchfn_response_header(response, "X-Control", value);
    return sinchfn_respond_text(response, 200, "sent");
}

static sinchfn_status spoofid(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    sinchfn_response_header(response, "X-Request-Id", "spoofed");
    return sinchfn_respond_text(response, 200, "sent");
}

static sinchfn_status fail(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    (void)response;
    return sinchfn_fail(ctx, "secret detail");
}

static sinchfn_status nothing(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    (void)response;
    return SINCHFN_OK;
}

static sinchfn_status created(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    sinchfn_response_header(response, "Location", "/probe/items/1");
    sinchfn_response_status(response, 201);
    return SINCHFN_OK;
}

/* Sets the status given in the `code` query parameter and sends no body. */
static sinchfn_status setstatus(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *code = sinchfn_request_query(request, "code");

    (void)ctx;
    sinchfn_response_status(response, code ? atoi(code) : 200);
    return SINCHFN_OK;
}

/* Sets framing headers that contradict the body; the module must send its own. */
static sinchfn_status framing(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    sinchfn_response_header(response, "Content-Length", "5");
    sinchfn_response_header(response, "Transfer-Encoding", "chunked");
    sinchfn_response_header(response, "Content-Type", "application/problem+json");
    sinchfn_response_header(response, "X-Framing", "kept");
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "framing", json_object_new_string("ignored"), NULL));
}

static sinchfn_status text(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    return sinchfn_respond_text(response, 200, "plain text from probe");
}

/* Returns configuration values. The secret values go to the client here only so that a
 * test can check they arrived; the handler logs their names, never their values. */
static sinchfn_status vars(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    sinchfn_log_debug(ctx, "vars read GREETING, PROBE_MODE, OVERRIDDEN, API_KEY, ENV_FILE_TOKEN and SHARED_TOKEN");
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "functionName", json_object_new_string(sinchfn_function_name(ctx)),
                                                    "environment", json_object_new_string(sinchfn_environment(ctx)),
                                                    "greeting", string_or_null(sinchfn_variable(ctx, "GREETING")),
                                                    "probeMode", string_or_null(sinchfn_variable(ctx, "PROBE_MODE")),
                                                    "overridden", string_or_null(sinchfn_variable(ctx, "OVERRIDDEN")),
                                                    "apiKeySecret", string_or_null(sinchfn_secret(ctx, "API_KEY")),
                                                    "envFileSecret", string_or_null(sinchfn_secret(ctx, "ENV_FILE_TOKEN")),
                                                    "envFileVariable", string_or_null(sinchfn_variable(ctx, "ENV_FILE_TOKEN")),
                                                    "sharedSecret", string_or_null(sinchfn_secret(ctx, "SHARED_TOKEN")),
                                                    "greetingSecret", string_or_null(sinchfn_secret(ctx, "GREETING")),
                                                    NULL));
}

static sinchfn_status probe_default(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "export", json_object_new_string("default"),
                                                    "route", json_object_new_string(sinchfn_request_route(request)),
                                                    NULL));
}

/* A voice callback that takes no SVAML: the client receives an empty 200. */
static sinchfn_status dice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    (void)svaml;
    return SINCHFN_OK;
}

/* An answered-call callback. With "custom": "answer" it adds the instruction answer,
 * which the ace callback does not accept. Otherwise it builds valid SVAML. */
static sinchfn_status ace(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    const char *custom = sinchfn_event_string(event, "custom");

    (void)ctx;
    if (custom && !strcmp(custom, "answer"))
        return sinchfn_svaml_answer(svaml);
    sinchfn_svaml_say(svaml, "Hello", "en-US");
    return sinchfn_svaml_continue(svaml);
}

/* A prompt-input callback that sets no SVAML action. */
static sinchfn_status pie(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    return sinchfn_svaml_say(svaml, "No action follows", NULL);
}

static sinchfn_status notify(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    const char *type = sinchfn_event_string(event, "type");

    (void)svaml;
    sinchfn_log_info(ctx, "notify event %s type %s", sinchfn_event_name(event), type ? type : "-");
    return SINCHFN_OK;
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(echo), SINCHFN_ENDPOINT(badheader), SINCHFN_ENDPOINT(fail),
                SINCHFN_ENDPOINT(controlheader), SINCHFN_ENDPOINT(spoofid),
                SINCHFN_ENDPOINT(nothing), SINCHFN_ENDPOINT(created), SINCHFN_ENDPOINT(setstatus),
                SINCHFN_ENDPOINT(framing), SINCHFN_ENDPOINT(text),
                SINCHFN_ENDPOINT(vars), SINCHFN_ENDPOINT_NAMED("default", probe_default),
                SINCHFN_VOICE(dice), SINCHFN_VOICE(notify), SINCHFN_VOICE(ace), SINCHFN_VOICE(pie));
