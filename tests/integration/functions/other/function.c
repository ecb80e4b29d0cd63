/*
 * The second function of the integration tests, served from its own <Location>. It
 * returns its name and the configuration values its context returns, so the tests can
 * check that each function gets only its own configuration.
 */
#include <sinchfn.h>

static json_object *string_or_null(const char *text)
{
    return text ? json_object_new_string(text) : NULL;
}

static sinchfn_status whoami(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "functionName", json_object_new_string(sinchfn_function_name(ctx)),
                                                    "otherGreeting", string_or_null(sinchfn_variable(ctx, "OTHER_GREETING")),
                                                    "otherMode", string_or_null(sinchfn_variable(ctx, "OTHER_MODE")),
                                                    "greeting", string_or_null(sinchfn_variable(ctx, "GREETING")),
                                                    "probeMode", string_or_null(sinchfn_variable(ctx, "PROBE_MODE")),
                                                    "apiKeySecret", string_or_null(sinchfn_secret(ctx, "API_KEY")),
                                                    NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(whoami));
