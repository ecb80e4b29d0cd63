/*
 * fuzz_event.c: voice callback event parsing. Input: the route ("ice", "ace", "pie",
 * "dice", "notify" or anything else), '\n', the JSON body. Every accessor runs on an
 * accepted event.
 */
#include "fuzz_common.h"

static void read_event(const sinchfn_event *event)
{
    FUZZ_ASSERT(sinchfn_event_name(event) && sinchfn_event_callback(event));
    sinchfn_event_json(event);
    sinchfn_event_request(event);
    sinchfn_event_string(event, "custom");
    sinchfn_event_int(event, "version", -1);
    sinchfn_event_callid(event);
    sinchfn_event_call_resource_url(event);
    sinchfn_event_timestamp(event);
    sinchfn_event_time(event);
    sinchfn_event_version(event);
    sinchfn_event_custom(event);
    sinchfn_event_application_key(event);
    sinchfn_event_cli(event);
    sinchfn_event_to(event);
    sinchfn_event_domain(event);
    sinchfn_event_origination_type(event);
    sinchfn_event_conference_id(event);
    sinchfn_event_user_rate(event);
    sinchfn_event_menu_result(event);
    sinchfn_event_result(event);
    sinchfn_event_reason(event);
    sinchfn_event_duration(event);
    sinchfn_event_from(event);
    sinchfn_event_debit(event);
    sinchfn_event_amd(event);
    sinchfn_event_notification_type(event);
    sinchfn_event_destination(event);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_table_t *headers = apr_table_make(pool, 1);
    const char *fields[2];
    apr_size_t lengths[2];
    sinchfn_request *request;
    sinchfn_event *event = NULL;
    const sinchfn_client_error *error;

    fuzz_split(pool, data, size, 2, fields, lengths);
    apr_table_set(headers, "Content-Type", "application/json; charset=utf-8");
    request = sinchfn_request_create(pool, "POST", "/fn/ice", headers);
    if (!fields[0] || sinchfn_request_parse_body(request, fields[1], lengths[1])) {
        apr_pool_destroy(pool);
        return 0;
    }

    if ((error = sinchfn_event_create(request, fields[0], &event)))
        FUZZ_ASSERT(error->status == 400 && error->message && *error->message);
    else
        read_event(event);
    apr_pool_destroy(pool);
    return 0;
}
