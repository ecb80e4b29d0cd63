/*
 * A function object that declares the export name "status" twice; mod_sinchfn must
 * reject it at start-up.
 */
#include <sinchfn.h>

static sinchfn_status status(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, NULL));
}

static sinchfn_status status_again(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    return status(ctx, request, response);
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(status), SINCHFN_ENDPOINT_NAMED("status", status_again));
