/*
 * The function of the crash test: `crash` dereferences NULL, `hold` keeps its request in
 * flight until the file named by the HOLD_FILE variable exists (at most 10 s), and `ok`
 * returns 200.
 */
#include <unistd.h>

#include <sinchfn.h>

#define HOLD_MAX_POLLS 1000 /* of 10 ms each */

static sinchfn_status crash(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    volatile int *volatile nowhere = NULL;

    (void)ctx;
    (void)request;
    *nowhere = 1;
    return sinchfn_respond_text(response, 200, "not reached");
}

static sinchfn_status hold(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *release = sinchfn_variable(ctx, "HOLD_FILE");
    int polls;

    (void)request;
    sinchfn_log_info(ctx, "hold started");
    for (polls = 0; release && polls < HOLD_MAX_POLLS; polls++) {
        if (access(release, F_OK) == 0)
            return sinchfn_respond_text(response, 200, "released");
        usleep(10000);
    }
    return sinchfn_respond_text(response, 200, "not released");
}

static sinchfn_status ok(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    return sinchfn_respond_text(response, 200, "ok");
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(crash), SINCHFN_ENDPOINT(hold), SINCHFN_ENDPOINT(ok));
