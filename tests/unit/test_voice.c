/* test_voice.c: voice callback events and the SVAML builder's document and per-callback rules. */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

/* An ICE callback for an inbound PSTN call, a Sinch SDK reference vector. */
#define ICE_VECTOR SINCHFN_SOURCE_DIR "/tests/vectors/callback-payloads/ice-node-pstn-did.json"

static sinchfn_request *request;
static sinchfn_event *event;

/* Creates `request` with body parsed as application/json. */
static void create_json_request(const char *body)
{
    apr_table_t *headers = apr_table_make(test_pool, 1);

    apr_table_set(headers, "Content-Type", "application/json");
    request = sinchfn_request_create(test_pool, "POST", "/fn/ice", headers);
    ck_assert_ptr_null(sinchfn_request_parse_body(request, body, strlen(body)));
}

/* Returns the raw_body text of the ICE reference vector, copied into the test pool. */
static const char *ice_vector_body(void)
{
    json_object *vector = json_object_from_file(ICE_VECTOR);
    json_object *raw;
    const char *body;

    ck_assert_msg(vector != NULL, "cannot read the ICE reference vector %s: %s", ICE_VECTOR,
                  json_util_get_last_err());
    ck_assert_msg(json_object_object_get_ex(vector, "raw_body", &raw) && json_object_is_type(raw, json_type_string),
                  "%s has no raw_body string", ICE_VECTOR);
    body = apr_pstrdup(test_pool, json_object_get_string(raw));
    json_object_put(vector);
    return body;
}

static const char *svaml_text(sinchfn_svaml *svaml)
{
    apr_size_t length;

    return sinchfn_json_serialize(test_pool, sinchfn_svaml_document(svaml), &length);
}

/* ---- events ---- */

START_TEST(event_ice_reference_vector_accepted)
{
    create_json_request(ice_vector_body());
    event = NULL;
    ck_assert_ptr_null(sinchfn_event_create(request, "ice", &event));
    ck_assert_ptr_nonnull(event);
    ck_assert_str_eq(sinchfn_event_name(event), "ice");
    ck_assert_str_eq(sinchfn_event_callid(event), "callId");
}
END_TEST

START_TEST(event_ice_reference_vector_members)
{
    json_object *to, *endpoint;

    create_json_request(ice_vector_body());
    ck_assert_ptr_null(sinchfn_event_create(request, "ice", &event));
    ck_assert_str_eq(sinchfn_event_string(event, "cli"), "1234567890");
    ck_assert_str_eq(sinchfn_event_string(event, "originationType"), "PSTN");
    ck_assert_str_eq(sinchfn_event_string(event, "rdnis"), "");
    ck_assert_ptr_null(sinchfn_event_string(event, "version"));
    ck_assert_ptr_null(sinchfn_event_string(event, "to"));
    ck_assert(json_object_object_get_ex(sinchfn_event_json(event), "to", &to));
    ck_assert(json_object_object_get_ex(to, "endpoint", &endpoint));
    ck_assert_str_eq(json_object_get_string(endpoint), "+1234567770");
    ck_assert_ptr_eq(sinchfn_event_request(event), request);
}
END_TEST

/* The typed members are read on first use and kept: a second call returns the same
 * value, also after the handler has asked for the json-c tree. */
START_TEST(event_typed_members_read_once)
{
    const sinchfn_destination *to;
    apr_time_t time;

    create_json_request("{\"event\":\"ice\",\"timestamp\":\"2026-11-30T14:05:12Z\","
                        "\"to\":{\"type\":\"number\",\"endpoint\":\"+46700000001\"}}");
    ck_assert_ptr_null(sinchfn_event_create(request, "ice", &event));
    to = sinchfn_event_to(event);
    time = sinchfn_event_time(event);
    ck_assert_ptr_nonnull(to);
    ck_assert_str_eq(to->type, "number");
    ck_assert_str_eq(to->endpoint, "+46700000001");
    ck_assert(time == apr_time_from_sec(1796047512));
    ck_assert_ptr_nonnull(sinchfn_event_json(event));
    ck_assert_ptr_eq(sinchfn_event_to(event), to);
    ck_assert(sinchfn_event_time(event) == time);
    ck_assert_ptr_null(sinchfn_event_user_rate(event));
    ck_assert_ptr_null(sinchfn_event_user_rate(event));
}
END_TEST

START_TEST(event_without_callid)
{
    create_json_request("{\"event\":\"notify\"}");
    ck_assert_ptr_null(sinchfn_event_create(request, "notify", &event));
    ck_assert_ptr_null(sinchfn_event_callid(event));
}
END_TEST

START_TEST(event_missing_400)
{
    const sinchfn_client_error *error;

    create_json_request("{\"callid\":\"c1\"}");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "event"));
}
END_TEST

START_TEST(event_not_string_400)
{
    const sinchfn_client_error *error;

    create_json_request("{\"event\":1}");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(event_route_mismatch_400)
{
    const sinchfn_client_error *error;

    create_json_request("{\"event\":\"ace\",\"callid\":\"c1\"}");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "'ace'"));
    ck_assert_ptr_nonnull(strstr(error->message, "'ice'"));
}
END_TEST

/* strcmp would stop at the NUL and match "ice". Bodies over the JSON index limit take
 * the json-c path, which must reject it too. */
START_TEST(event_name_with_nul_400)
{
    const char *padding = apr_psprintf(test_pool, "%0*d", 20000, 0);
    const char *bodies[2];
    int i;

    bodies[0] = "{\"event\":\"ice\\u0000x\",\"callid\":\"c1\"}";
    bodies[1] = apr_pstrcat(test_pool, "{\"event\":\"ice\\u0000x\",\"custom\":\"", padding, "\"}", NULL);
    for (i = 0; i < 2; i++) {
        const sinchfn_client_error *error;

        create_json_request(bodies[i]);
        error = sinchfn_event_create(request, "ice", &event);
        ck_assert_ptr_nonnull(error);
        ck_assert_int_eq(error->status, 400);
        ck_assert_str_eq(error->message, "The callback 'event' contains a NUL byte; send the event name alone.");
    }
}
END_TEST

START_TEST(event_name_case_sensitive_400)
{
    const sinchfn_client_error *error;

    create_json_request("{\"event\":\"ICE\"}");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(event_array_body_400)
{
    const sinchfn_client_error *error;

    create_json_request("[{\"event\":\"ice\"}]");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(event_string_body_400)
{
    const sinchfn_client_error *error;

    create_json_request("\"ice\"");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(event_text_body_400)
{
    apr_table_t *headers = apr_table_make(test_pool, 1);
    const sinchfn_client_error *error;
    const char body[] = "{\"event\":\"ice\"}";

    apr_table_set(headers, "Content-Type", "text/plain");
    request = sinchfn_request_create(test_pool, "POST", "/ice", headers);
    ck_assert_ptr_null(sinchfn_request_parse_body(request, body, strlen(body)));
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "application/json"));
}
END_TEST

START_TEST(event_no_body_400)
{
    const sinchfn_client_error *error;

    request = sinchfn_request_create(test_pool, "POST", "/ice", NULL);
    ck_assert_ptr_null(sinchfn_request_parse_body(request, NULL, 0));
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

/* ---- SVAML documents ---- */

START_TEST(svaml_say_hangup_exact)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_say(svaml, "Welcome!", NULL), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
    ck_assert_ptr_null(sinchfn_svaml_error(svaml));
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"say\",\"text\":\"Welcome!\"}]}");
}
END_TEST

START_TEST(svaml_instruction_after_action_kept)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    sinchfn_svaml_hangup(svaml);
    sinchfn_svaml_say(svaml, "Bye", NULL);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"say\",\"text\":\"Bye\"}]}");
}
END_TEST

START_TEST(svaml_no_instructions_key_when_empty)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
    ck_assert_str_eq(svaml_text(svaml), "{\"action\":{\"name\":\"hangup\"}}");
}
END_TEST

START_TEST(svaml_say_locale_member_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_say(svaml, "Hej", "sv-SE"), SINCHFN_OK);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"hangup\"},"
                     "\"instructions\":[{\"name\":\"say\",\"text\":\"Hej\",\"locale\":\"sv-SE\"}]}");
}
END_TEST

START_TEST(svaml_instructions_keep_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_answer(svaml), SINCHFN_OK);
    sinchfn_svaml_say(svaml, "one", NULL);
    sinchfn_svaml_say(svaml, "two/three", NULL);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"answer\"},"
                     "{\"name\":\"say\",\"text\":\"one\"},{\"name\":\"say\",\"text\":\"two/three\"}]}");
}
END_TEST

START_TEST(svaml_continue_on_ace)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ace");

    ck_assert_int_eq(sinchfn_svaml_continue(svaml), SINCHFN_OK);
    ck_assert_ptr_null(sinchfn_svaml_error(svaml));
    ck_assert_str_eq(svaml_text(svaml), "{\"action\":{\"name\":\"continue\"}}");
}
END_TEST

START_TEST(svaml_has_action)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "pie");

    ck_assert_int_eq(sinchfn_svaml_has_action(svaml), 0);
    sinchfn_svaml_say(svaml, "x", NULL);
    ck_assert_int_eq(sinchfn_svaml_has_action(svaml), 0);
    sinchfn_svaml_continue(svaml);
    ck_assert_int_eq(sinchfn_svaml_has_action(svaml), 1);
}
END_TEST

/* ---- builder rules ---- */

START_TEST(svaml_second_action_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ace");

    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_continue(svaml), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_second_action_keeps_first)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    sinchfn_svaml_hangup(svaml);
    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_ERROR);
    ck_assert_str_eq(svaml_text(svaml), "{\"action\":{\"name\":\"hangup\"}}");
}
END_TEST

START_TEST(svaml_continue_on_ice_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_continue(svaml), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
    ck_assert_int_eq(sinchfn_svaml_has_action(svaml), 0);
}
END_TEST

START_TEST(svaml_answer_on_ace_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ace");

    ck_assert_int_eq(sinchfn_svaml_answer(svaml), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_answer_on_pie_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "pie");

    ck_assert_int_eq(sinchfn_svaml_answer(svaml), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_say_on_dice_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "dice");

    ck_assert_int_eq(sinchfn_svaml_say(svaml, "x", NULL), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_hangup_on_notify_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "notify");

    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_say_without_text_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_say(svaml, NULL, NULL), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_say_empty_text_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");

    ck_assert_int_eq(sinchfn_svaml_say(svaml, "", NULL), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_svaml_error(svaml), "say needs a non-empty text");
}
END_TEST

START_TEST(svaml_error_keeps_first)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "ice");
    const char *first;

    sinchfn_svaml_continue(svaml);
    first = sinchfn_svaml_error(svaml);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(strstr(first, "continue"));
    sinchfn_svaml_say(svaml, NULL, NULL);
    ck_assert_ptr_eq(sinchfn_svaml_error(svaml), first);
}
END_TEST

START_TEST(svaml_allowed_calls_no_error)
{
    sinchfn_svaml *ice = sinchfn_svaml_create(test_pool, "ice");
    sinchfn_svaml *ace = sinchfn_svaml_create(test_pool, "ace");
    sinchfn_svaml *pie = sinchfn_svaml_create(test_pool, "pie");

    ck_assert_int_eq(sinchfn_svaml_answer(ice), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_say(ace, "x", NULL), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_hangup(ace), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_say(pie, "x", "en-US"), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_hangup(pie), SINCHFN_OK);
    ck_assert_ptr_null(sinchfn_svaml_error(ice));
    ck_assert_ptr_null(sinchfn_svaml_error(ace));
    ck_assert_ptr_null(sinchfn_svaml_error(pie));
}
END_TEST

START_TEST(callback_takes_svaml_five_names)
{
    ck_assert_int_eq(sinchfn_callback_takes_svaml("ice"), 1);
    ck_assert_int_eq(sinchfn_callback_takes_svaml("ace"), 1);
    ck_assert_int_eq(sinchfn_callback_takes_svaml("pie"), 1);
    ck_assert_int_eq(sinchfn_callback_takes_svaml("dice"), 0);
    ck_assert_int_eq(sinchfn_callback_takes_svaml("notify"), 0);
    ck_assert_int_eq(sinchfn_callback_takes_svaml("status"), 0);
}
END_TEST

Suite *voice_suite(void)
{
    Suite *suite = suite_create("voice");
    TCase *events = tcase_create("events");
    TCase *documents = tcase_create("svaml_documents");
    TCase *rules = tcase_create("svaml_rules");

    tcase_add_checked_fixture(events, test_pool_setup, test_pool_teardown);
    tcase_add_test(events, event_ice_reference_vector_accepted);
    tcase_add_test(events, event_ice_reference_vector_members);
    tcase_add_test(events, event_typed_members_read_once);
    tcase_add_test(events, event_without_callid);
    tcase_add_test(events, event_missing_400);
    tcase_add_test(events, event_not_string_400);
    tcase_add_test(events, event_route_mismatch_400);
    tcase_add_test(events, event_name_case_sensitive_400);
    tcase_add_test(events, event_name_with_nul_400);
    tcase_add_test(events, event_array_body_400);
    tcase_add_test(events, event_string_body_400);
    tcase_add_test(events, event_text_body_400);
    tcase_add_test(events, event_no_body_400);
    suite_add_tcase(suite, events);

    tcase_add_checked_fixture(documents, test_pool_setup, test_pool_teardown);
    tcase_add_test(documents, svaml_say_hangup_exact);
    tcase_add_test(documents, svaml_instruction_after_action_kept);
    tcase_add_test(documents, svaml_no_instructions_key_when_empty);
    tcase_add_test(documents, svaml_say_locale_member_order);
    tcase_add_test(documents, svaml_instructions_keep_order);
    tcase_add_test(documents, svaml_continue_on_ace);
    tcase_add_test(documents, svaml_has_action);
    suite_add_tcase(suite, documents);

    tcase_add_checked_fixture(rules, test_pool_setup, test_pool_teardown);
    tcase_add_test(rules, svaml_second_action_error);
    tcase_add_test(rules, svaml_second_action_keeps_first);
    tcase_add_test(rules, svaml_continue_on_ice_error);
    tcase_add_test(rules, svaml_answer_on_ace_error);
    tcase_add_test(rules, svaml_answer_on_pie_error);
    tcase_add_test(rules, svaml_say_on_dice_error);
    tcase_add_test(rules, svaml_hangup_on_notify_error);
    tcase_add_test(rules, svaml_say_without_text_error);
    tcase_add_test(rules, svaml_say_empty_text_error);
    tcase_add_test(rules, svaml_error_keeps_first);
    tcase_add_test(rules, svaml_allowed_calls_no_error);
    tcase_add_test(rules, callback_takes_svaml_five_names);
    suite_add_tcase(suite, rules);
    return suite;
}
