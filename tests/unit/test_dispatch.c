/* test_dispatch.c: sinchfn_dispatch turning handler results into complete responses. */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_ctx ctx;
static sinchfn_call call;
static sinchfn_route route;
static sinchfn_export export;
static int handler_calls;
static const char *last_tag;
static const char *last_message;

static void capture_sink(void *baton, int level, const char *tag, const char *message)
{
    (void)baton;
    (void)level;
    last_tag = apr_pstrdup(test_pool, tag);
    last_message = apr_pstrdup(test_pool, message);
}

static void create_call(void)
{
    test_pool_setup();
    memset(&ctx, 0, sizeof(ctx));
    memset(&call, 0, sizeof(call));
    handler_calls = 0;
    last_tag = NULL;
    last_message = NULL;
    ctx.pool = test_pool;
    ctx.request_id = "req-1";
    ctx.log_level = SINCHFN_LOG_DEBUG;
    ctx.log_sink = capture_sink;
    call.ctx = &ctx;
    call.response = sinchfn_response_create(test_pool);
    call.export = &export;
    call.route = &route;
}

/* Prepares an endpoint call of handler under name, with a GET request without body. */
static void prepare_endpoint(const char *name, sinchfn_endpoint_handler handler)
{
    export.name = name;
    export.kind = SINCHFN_KIND_ENDPOINT;
    export.endpoint = handler;
    export.voice = NULL;
    route.kind = SINCHFN_ROUTE_EXPORT;
    route.name = name;
    call.request = sinchfn_request_create(test_pool, "GET", apr_pstrcat(test_pool, "/", name, NULL), NULL);
}

/* Prepares a voice call of handler for callback, with body posted as application/json. */
static void prepare_voice(const char *callback, sinchfn_voice_handler handler, const char *body)
{
    apr_table_t *headers = apr_table_make(test_pool, 1);

    export.name = callback;
    export.kind = SINCHFN_KIND_VOICE;
    export.endpoint = NULL;
    export.voice = handler;
    route.kind = SINCHFN_ROUTE_VOICE;
    route.name = callback;
    apr_table_set(headers, "Content-Type", "application/json");
    call.request = sinchfn_request_create(test_pool, "POST", apr_pstrcat(test_pool, "/", callback, NULL), headers);
    ck_assert_ptr_null(sinchfn_request_parse_body(call.request, body, strlen(body)));
}

/* ---- endpoint handlers ---- */

static sinchfn_status text_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                   sinchfn_response *response)
{
    (void)handler_ctx;
    handler_calls++;
    sinchfn_response_header(response, "Cache-Control", "no-store");
    return sinchfn_respond_text(response, 200, sinchfn_request_route(request));
}

static sinchfn_status failing_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                      sinchfn_response *response)
{
    (void)request;
    sinchfn_response_header(response, "X-Partial", "1");
    sinchfn_respond_text(response, 200, "partial");
    return sinchfn_fail(handler_ctx, "database returned %s", "secret-detail");
}

static sinchfn_status bad_header_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                         sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    sinchfn_response_header(response, "X-Injected", "a\r\nSet-Cookie: x=1");
    return sinchfn_respond_text(response, 200, "ok");
}

static sinchfn_status status_99_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                        sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    sinchfn_response_status(response, 99);
    return SINCHFN_OK;
}

static sinchfn_status status_600_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                         sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    sinchfn_response_status(response, 600);
    return SINCHFN_OK;
}

static sinchfn_status latin1_object_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                            sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    sinchfn_response_set_string(response, "name", "caf\xe9");
    return sinchfn_respond_object(response, 200);
}

static sinchfn_status latin1_json_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                          sinchfn_response *response)
{
    json_object *body = json_object_new_object();

    (void)handler_ctx;
    (void)request;
    json_object_object_add(body, "n\xff", json_object_new_int(1));
    return sinchfn_respond_json(response, 201, body);
}

static sinchfn_status utf8_object_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                          sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    sinchfn_response_set_string(response, "name", "caf\xc3\xa9 \xf0\x9f\x93\x9e");
    return sinchfn_respond_object(response, 200);
}

static sinchfn_status latin1_text_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                          sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    return sinchfn_respond_text(response, 200, "caf\xe9");
}

static sinchfn_status empty_handler(sinchfn_ctx *handler_ctx, const sinchfn_request *request,
                                    sinchfn_response *response)
{
    (void)handler_ctx;
    (void)request;
    (void)response;
    return SINCHFN_OK;
}

START_TEST(dispatch_endpoint_response_kept)
{
    prepare_endpoint("status", text_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(handler_calls, 1);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "status");
    ck_assert_int_eq(call.response->headers->nelts, 1);
}
END_TEST

START_TEST(dispatch_sets_request_route)
{
    prepare_endpoint("conversationWebhook", text_handler);
    sinchfn_dispatch(&call);
    ck_assert_str_eq(sinchfn_request_route(call.request), "conversationWebhook");
}
END_TEST

START_TEST(dispatch_endpoint_no_response_204)
{
    prepare_endpoint("status", empty_handler);
    sinchfn_dispatch(&call);
    ck_assert_ptr_null(call.response->body);
    ck_assert_int_eq(sinchfn_response_final_status(call.response), 204);
}
END_TEST

START_TEST(dispatch_endpoint_error_500_without_detail)
{
    prepare_endpoint("status", failing_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(call.response->body, "{\"error\":\"internal error\",\"requestId\":\"req-1\"}");
    ck_assert_int_eq(call.response->headers->nelts, 0);
    ck_assert_str_eq(last_tag, "SFN0301");
}
END_TEST

START_TEST(dispatch_bad_header_500)
{
    prepare_endpoint("status", bad_header_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(call.response->body, "{\"error\":\"internal error\",\"requestId\":\"req-1\"}");
    ck_assert_int_eq(call.response->headers->nelts, 0);
    ck_assert_str_eq(last_tag, "SFN0305");
}
END_TEST

START_TEST(dispatch_status_below_200_500)
{
    prepare_endpoint("status", status_99_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(last_tag, "SFN0306");
}
END_TEST

START_TEST(dispatch_status_above_599_500)
{
    prepare_endpoint("status", status_600_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(last_tag, "SFN0306");
}
END_TEST

START_TEST(dispatch_invalid_utf8_object_500)
{
    prepare_endpoint("status", latin1_object_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(call.response->body, "{\"error\":\"internal error\",\"requestId\":\"req-1\"}");
    ck_assert_str_eq(last_tag, "SFN0308");
}
END_TEST

START_TEST(dispatch_invalid_utf8_json_c_500)
{
    prepare_endpoint("status", latin1_json_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(last_tag, "SFN0308");
}
END_TEST

START_TEST(dispatch_utf8_object_kept)
{
    prepare_endpoint("status", utf8_object_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "{\"name\":\"caf\xc3\xa9 \xf0\x9f\x93\x9e\"}");
}
END_TEST

/* Only JSON bodies are checked: text is sent as the handler wrote it. */
START_TEST(dispatch_text_body_not_checked)
{
    prepare_endpoint("status", latin1_text_handler);
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "caf\xe9");
}
END_TEST

/* ---- voice handlers ---- */

static sinchfn_status welcome_voice(sinchfn_ctx *handler_ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)handler_ctx;
    handler_calls++;
    ck_assert_str_eq(sinchfn_event_callid(event), "c1");
    sinchfn_svaml_say(svaml, "Welcome!", NULL);
    return sinchfn_svaml_hangup(svaml);
}

static sinchfn_status no_action_voice(sinchfn_ctx *handler_ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)handler_ctx;
    (void)event;
    return sinchfn_svaml_say(svaml, "no action", NULL);
}

/* Ignores the builder's error to show that dispatch checks it anyway. */
static sinchfn_status continue_voice(sinchfn_ctx *handler_ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)handler_ctx;
    (void)event;
    sinchfn_svaml_continue(svaml);
    sinchfn_svaml_hangup(svaml);
    return SINCHFN_OK;
}

static sinchfn_status failing_voice(sinchfn_ctx *handler_ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)event;
    sinchfn_svaml_hangup(svaml);
    return sinchfn_fail(handler_ctx, "lookup failed");
}

static sinchfn_status counting_voice(sinchfn_ctx *handler_ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)handler_ctx;
    (void)event;
    (void)svaml;
    handler_calls++;
    return SINCHFN_OK;
}

START_TEST(dispatch_voice_svaml_body)
{
    prepare_voice("ice", welcome_voice, "{\"event\":\"ice\",\"callid\":\"c1\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(handler_calls, 1);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->content_type, "application/json");
    ck_assert_str_eq(call.response->body,
                     "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"say\",\"text\":\"Welcome!\"}]}");
    ck_assert_uint_eq(call.response->body_length, strlen(call.response->body));
}
END_TEST

/* The default fallback of ice and pie: an apology, then hangup. */
#define DEFAULT_FALLBACK_BODY                                                                       \
    "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"say\",\"text\":\"Sorry, we " \
    "cannot take your call right now. Please try again later.\",\"locale\":\"en-US\"}]}"

START_TEST(dispatch_voice_no_action_fallback)
{
    prepare_voice("ice", no_action_voice, "{\"event\":\"ice\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->content_type, "application/json");
    ck_assert_str_eq(call.response->body, DEFAULT_FALLBACK_BODY);
    ck_assert_str_eq(last_tag, "SFN0304");
    ck_assert_ptr_nonnull(strstr(last_message, "sent the fallback SVAML"));
}
END_TEST

START_TEST(dispatch_voice_builder_error_fallback)
{
    prepare_voice("ice", continue_voice, "{\"event\":\"ice\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, DEFAULT_FALLBACK_BODY);
    ck_assert_str_eq(last_tag, "SFN0303");
    ck_assert_ptr_nonnull(strstr(last_message, "does not accept the action 'continue'"));
}
END_TEST

START_TEST(dispatch_voice_handler_error_ace_continues)
{
    prepare_voice("ace", failing_voice, "{\"event\":\"ace\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "{\"action\":{\"name\":\"continue\"}}");
    ck_assert_str_eq(last_tag, "SFN0303");
    ck_assert_ptr_nonnull(strstr(last_message, "it returned an error"));
}
END_TEST

START_TEST(dispatch_voice_pie_configured_fallback)
{
    static const sinchfn_voice_fallback fallback = { "Försök igen senare.", "sv-SE" };

    prepare_voice("pie", failing_voice, "{\"event\":\"pie\"}");
    call.voice_fallback = &fallback;
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":"
                     "\"say\",\"text\":\"Försök igen senare.\",\"locale\":\"sv-SE\"}]}");
}
END_TEST

START_TEST(dispatch_voice_empty_fallback_hangs_up)
{
    static const sinchfn_voice_fallback fallback = { "", NULL };

    prepare_voice("ice", no_action_voice, "{\"event\":\"ice\"}");
    call.voice_fallback = &fallback;
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_str_eq(call.response->body, "{\"action\":{\"name\":\"hangup\"}}");
}
END_TEST

START_TEST(dispatch_voice_fallback_without_locale)
{
    static const sinchfn_voice_fallback fallback = { "Goodbye", NULL };

    prepare_voice("ice", no_action_voice, "{\"event\":\"ice\"}");
    call.voice_fallback = &fallback;
    sinchfn_dispatch(&call);
    ck_assert_str_eq(call.response->body, "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":"
                     "\"say\",\"text\":\"Goodbye\"}]}");
}
END_TEST

START_TEST(dispatch_voice_dice_handler_error_500)
{
    prepare_voice("dice", failing_voice, "{\"event\":\"dice\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(call.response->status, 500);
    ck_assert_str_eq(call.response->body, "{\"error\":\"internal error\",\"requestId\":\"req-1\"}");
    ck_assert_str_eq(last_tag, "SFN0303");
    ck_assert_ptr_null(strstr(last_message, "fallback"));
}
END_TEST

START_TEST(dispatch_voice_dice_empty_200)
{
    prepare_voice("dice", counting_voice, "{\"event\":\"dice\",\"callid\":\"c1\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(handler_calls, 1);
    ck_assert_int_eq(call.response->status, 200);
    ck_assert_ptr_null(call.response->body);
    ck_assert_int_eq(sinchfn_response_final_status(call.response), 200);
}
END_TEST

START_TEST(dispatch_voice_event_mismatch_400)
{
    prepare_voice("ice", counting_voice, "{\"event\":\"ace\"}");
    sinchfn_dispatch(&call);
    ck_assert_int_eq(handler_calls, 0);
    ck_assert_int_eq(call.response->status, 400);
    ck_assert_ptr_nonnull(strstr(call.response->body, "\"requestId\":\"req-1\""));
    ck_assert_str_eq(last_tag, "SFN0302");
}
END_TEST

Suite *dispatch_suite(void)
{
    Suite *suite = suite_create("dispatch");
    TCase *endpoint = tcase_create("endpoint");
    TCase *voice = tcase_create("voice");

    tcase_add_checked_fixture(endpoint, create_call, test_pool_teardown);
    tcase_add_test(endpoint, dispatch_endpoint_response_kept);
    tcase_add_test(endpoint, dispatch_sets_request_route);
    tcase_add_test(endpoint, dispatch_endpoint_no_response_204);
    tcase_add_test(endpoint, dispatch_endpoint_error_500_without_detail);
    tcase_add_test(endpoint, dispatch_bad_header_500);
    tcase_add_test(endpoint, dispatch_status_below_200_500);
    tcase_add_test(endpoint, dispatch_status_above_599_500);
    tcase_add_test(endpoint, dispatch_invalid_utf8_object_500);
    tcase_add_test(endpoint, dispatch_invalid_utf8_json_c_500);
    tcase_add_test(endpoint, dispatch_utf8_object_kept);
    tcase_add_test(endpoint, dispatch_text_body_not_checked);
    suite_add_tcase(suite, endpoint);

    tcase_add_checked_fixture(voice, create_call, test_pool_teardown);
    tcase_add_test(voice, dispatch_voice_svaml_body);
    tcase_add_test(voice, dispatch_voice_no_action_fallback);
    tcase_add_test(voice, dispatch_voice_builder_error_fallback);
    tcase_add_test(voice, dispatch_voice_handler_error_ace_continues);
    tcase_add_test(voice, dispatch_voice_pie_configured_fallback);
    tcase_add_test(voice, dispatch_voice_empty_fallback_hangs_up);
    tcase_add_test(voice, dispatch_voice_fallback_without_locale);
    tcase_add_test(voice, dispatch_voice_dice_handler_error_500);
    tcase_add_test(voice, dispatch_voice_dice_empty_200);
    tcase_add_test(voice, dispatch_voice_event_mismatch_400);
    suite_add_tcase(suite, voice);
    return suite;
}
