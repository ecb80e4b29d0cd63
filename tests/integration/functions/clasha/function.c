/*
 * A function with a non-static helper named like the one of its twin function. The test
 * suite builds it without hidden visibility to check that each function still calls
 * its own helper.
 */
#include <sinchfn.h>

const char *greeting(void);

const char *greeting(void)
{
    return "I am A";
}

static sinchfn_status who(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    return sinchfn_respond_text(response, 200, greeting());
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(who));
