/*
 * A function object that declares the voice callback name "ice" as a custom endpoint;
 * mod_sinchfn must reject it at start-up.
 */
#include <sinchfn.h>

static sinchfn_status not_a_voice_handler(sinchfn_ctx *ctx, const sinchfn_request *request,
                                          sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT_NAMED("ice", not_a_voice_handler));
