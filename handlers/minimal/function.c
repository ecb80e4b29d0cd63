/*
 * A minimal function: one custom endpoint, /hello, that greets the name given in the
 * query string and reads its greeting from the GREETING variable in sinch.json.
 */
#include <sinchfn.h>

static sinchfn_status hello(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *name = sinchfn_request_query(request, "name");
    const char *greeting = sinchfn_variable(ctx, "GREETING");

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "greeting", json_object_new_string(greeting ? greeting : "Hello"),
                                                    "name", json_object_new_string(name ? name : "world"),
                                                    NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(hello));
