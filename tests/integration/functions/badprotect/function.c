/*
 * A function whose SINCHFN_PROTECT() names an export it does not have; mod_sinchfn must
 * reject it at start-up.
 */
#include <sinchfn.h>

static sinchfn_status status(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, NULL));
}

SINCHFN_PROTECT("status", "adminn");
SINCHFN_EXPORTS(SINCHFN_ENDPOINT(status));
