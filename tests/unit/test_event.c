/*
 * test_event.c: voice callback events: every realistic body of the Sinch SDK vectors
 * parses, the bodies the SDK rejects are rejected, and the typed accessors return what
 * Sinch sent.
 */
#include <string.h>

#include <apr_file_info.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

#define PAYLOADS "callback-payloads"
#define INVALID_PAYLOADS PAYLOADS "/invalid-node-unknown-events.json"
#define MAX_PAYLOAD_FILES 64

/* Names of the valid payload files, found when the suite is built. */
static const char *payload_files[MAX_PAYLOAD_FILES];
static int payload_file_count;

static sinchfn_request *request;
static sinchfn_event *event;

/* Parses body as application/json into `request`. */
static void create_json_request(const char *body)
{
    apr_table_t *headers = apr_table_make(test_pool, 1);

    apr_table_set(headers, "Content-Type", "application/json");
    request = sinchfn_request_create(test_pool, "POST", "/fn/callback", headers);
    ck_assert_ptr_null(sinchfn_request_parse_body(request, body, strlen(body)));
}

/* Creates `event` from body posted to route; fails the test when it is rejected. */
static void create_event(const char *body, const char *route)
{
    const sinchfn_client_error *error;

    create_json_request(body);
    event = NULL;
    error = sinchfn_event_create(request, route, &event);
    ck_assert_msg(error == NULL, "the '%s' body was rejected: %s", route, error ? error->message : "");
    ck_assert_ptr_nonnull(event);
}

static void create_payload_event(const char *file, const char *route)
{
    create_event(test_payload_body(apr_pstrcat(test_pool, PAYLOADS "/", file, NULL)), route);
}

/* ---- the SDK vectors ---- */

START_TEST(event_payload_vector_parses)
{
    const char *file = payload_files[_i];
    const char *problem = NULL;
    json_object *vector = test_load_vector(apr_pstrcat(test_pool, PAYLOADS "/", file, NULL), &problem);
    json_object *name;
    const char *route;

    ck_assert_msg(vector != NULL, "%s", problem);
    ck_assert_msg(json_object_object_get_ex(vector, "event", &name) && json_object_is_type(name, json_type_string),
                  "%s has no event name", file);
    route = apr_pstrdup(test_pool, json_object_get_string(name));
    json_object_put(vector);

    create_payload_event(file, route);
    ck_assert_str_eq(sinchfn_event_name(event), route);
    ck_assert_int_eq(sinchfn_event_callback(event), sinchfn_callback_from_name(route));
    ck_assert_msg(sinchfn_event_callid(event) != NULL, "%s: no callid", file);
    ck_assert_int_eq(sinchfn_event_version(event), 1);
}
END_TEST

START_TEST(event_payload_vectors_found)
{
    ck_assert_msg(payload_file_count >= 12, "found %d callback payload files in %s/" PAYLOADS ", expected 12",
                  payload_file_count, PEER_CASES_DIR);
}
END_TEST

START_TEST(event_invalid_vectors_rejected)
{
    const char *problem = NULL;
    json_object *vector = test_load_vector(INVALID_PAYLOADS, &problem);
    json_object *invalid_cases;
    size_t i;

    ck_assert_msg(vector != NULL, "%s", problem);
    sinchfn_json_pool_own(test_pool, vector);
    ck_assert(json_object_object_get_ex(vector, "cases", &invalid_cases));
    ck_assert_int_eq(json_object_array_length(invalid_cases), 2);
    for (i = 0; i < json_object_array_length(invalid_cases); i++) {
        json_object *payload, *event_name;
        const sinchfn_client_error *error;
        const char *expected;

        ck_assert(json_object_object_get_ex(json_object_array_get_idx(invalid_cases, i), "payload", &payload));
        create_json_request(json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN));
        error = sinchfn_event_create(request, "ice", &event);
        ck_assert_msg(error != NULL, "invalid case %zu was accepted", i);
        ck_assert_int_eq(error->status, 400);
        expected = json_object_object_get_ex(payload, "event", &event_name)
                       ? "Unknown voice event type 'unknown'; the event must be ice, ace, pie, dice or notify."
                       : "The callback body has no 'event' string; Sinch voice callbacks carry one.";
        ck_assert_str_eq(error->message, expected);
    }
}
END_TEST

/* ---- typed accessors ---- */

START_TEST(event_ice_members)
{
    const sinchfn_destination *to;

    create_payload_event("ice-node-pstn-did.json", "ice");
    ck_assert_int_eq(sinchfn_event_callback(event), SINCHFN_CALLBACK_ICE);
    ck_assert_str_eq(sinchfn_event_callid(event), "callId");
    ck_assert_str_eq(sinchfn_event_call_resource_url(event),
                     "https://calling-use1.api.sinch.com/calling/v1/calls/id/callId");
    ck_assert_str_eq(sinchfn_event_timestamp(event), "2023-12-29T15:07:22Z");
    ck_assert(sinchfn_event_time(event) == apr_time_from_sec(1703862442));
    ck_assert_int_eq(sinchfn_event_version(event), 1);
    ck_assert_str_eq(sinchfn_event_cli(event), "1234567890");
    ck_assert_str_eq(sinchfn_event_domain(event), "pstn");
    ck_assert_str_eq(sinchfn_event_application_key(event), "appKey");
    ck_assert_str_eq(sinchfn_event_origination_type(event), "PSTN");
    to = sinchfn_event_to(event);
    ck_assert_ptr_nonnull(to);
    ck_assert_str_eq(to->type, "did");
    ck_assert_str_eq(to->endpoint, "+1234567770");
}
END_TEST

START_TEST(event_ice_absent_members)
{
    create_payload_event("ice-node-pstn-did.json", "ice");
    ck_assert_ptr_null(sinchfn_event_custom(event));
    ck_assert_ptr_null(sinchfn_event_user_rate(event));
    ck_assert_ptr_null(sinchfn_event_menu_result(event));
    ck_assert_ptr_null(sinchfn_event_amd(event));
    ck_assert_ptr_null(sinchfn_event_debit(event));
    ck_assert_ptr_null(sinchfn_event_conference_id(event));
    ck_assert_int_eq(sinchfn_event_duration(event), -1);
    ck_assert_str_eq(sinchfn_event_string(event, "rdnis"), "");
}
END_TEST

START_TEST(event_ice_user_rate_integer_amount)
{
    const sinchfn_money *rate;

    create_payload_event("ice-e2e-pstn.json", "ice");
    rate = sinchfn_event_user_rate(event);
    ck_assert_ptr_nonnull(rate);
    ck_assert_str_eq(rate->currency_id, "USD");
    ck_assert_double_eq(rate->amount, 0.0);
    ck_assert_str_eq(sinchfn_event_to(event)->type, "did");
}
END_TEST

START_TEST(event_dice_members)
{
    const sinchfn_money *debit, *rate;

    create_payload_event("dice-node.json", "dice");
    ck_assert_int_eq(sinchfn_event_callback(event), SINCHFN_CALLBACK_DICE);
    ck_assert_str_eq(sinchfn_event_result(event), "ANSWERED");
    ck_assert_str_eq(sinchfn_event_reason(event), "MANAGERHANGUP");
    ck_assert_int_eq(sinchfn_event_duration(event), 16);
    ck_assert_str_eq(sinchfn_event_from(event), "1234567890");
    debit = sinchfn_event_debit(event);
    rate = sinchfn_event_user_rate(event);
    ck_assert_ptr_nonnull(debit);
    ck_assert_ptr_nonnull(rate);
    ck_assert_str_eq(debit->currency_id, "EUR");
    ck_assert_double_eq_tol(debit->amount, 0.1758, 1e-9);
    ck_assert_double_eq_tol(rate->amount, 0.1758, 1e-9);
    ck_assert_str_eq(sinchfn_event_to(event)->type, "number");
    ck_assert_str_eq(sinchfn_event_to(event)->endpoint, "1234567770");
}
END_TEST

START_TEST(event_pie_return_result)
{
    const sinchfn_menu_result *result;

    create_payload_event("pie-e2e-return.json", "pie");
    result = sinchfn_event_menu_result(event);
    ck_assert_ptr_nonnull(result);
    ck_assert_int_eq(result->kind, SINCHFN_MENU_RESULT_RETURN);
    ck_assert_str_eq(result->type, "return");
    ck_assert_str_eq(result->value, "cancel");
    ck_assert_str_eq(result->menu_id, "main");
    ck_assert_str_eq(result->input_method, "dtmf");
    ck_assert_str_eq(sinchfn_event_custom(event), "Custom text");
    ck_assert(sinchfn_event_time(event) == apr_time_from_sec(1717695301));
}
END_TEST

START_TEST(event_pie_sequence_result)
{
    const sinchfn_menu_result *result;

    create_payload_event("pie-node-sequence.json", "pie");
    result = sinchfn_event_menu_result(event);
    ck_assert_ptr_nonnull(result);
    ck_assert_int_eq(result->kind, SINCHFN_MENU_RESULT_SEQUENCE);
    ck_assert_str_eq(result->value, "6789");
    ck_assert_str_eq(result->menu_id, "confirm");
}
END_TEST

START_TEST(event_ace_members)
{
    create_payload_event("ace-e2e.json", "ace");
    ck_assert_int_eq(sinchfn_event_callback(event), SINCHFN_CALLBACK_ACE);
    ck_assert_str_eq(sinchfn_event_custom(event), "Custom text");
    ck_assert_str_eq(sinchfn_event_application_key(event), "f00dcafe-abba-c0de-1dea-dabb1ed4caf3");
    ck_assert_ptr_null(sinchfn_event_amd(event));
}
END_TEST

START_TEST(event_ace_amd_result)
{
    const sinchfn_amd_result *amd;

    create_event("{\"event\":\"ace\",\"callid\":\"c1\",\"amd\":{\"status\":\"machine\",\"reason\":\"longgreeting\","
                 "\"duration\":3}}", "ace");
    amd = sinchfn_event_amd(event);
    ck_assert_ptr_nonnull(amd);
    ck_assert_str_eq(amd->status, "machine");
    ck_assert_str_eq(amd->reason, "longgreeting");
    ck_assert_int_eq(amd->duration, 3);
}
END_TEST

START_TEST(event_amd_without_duration)
{
    create_event("{\"event\":\"notify\",\"amd\":{\"status\":\"human\"}}", "notify");
    ck_assert_str_eq(sinchfn_event_amd(event)->status, "human");
    ck_assert_ptr_null(sinchfn_event_amd(event)->reason);
    ck_assert_int_eq(sinchfn_event_amd(event)->duration, -1);
}
END_TEST

START_TEST(event_notify_recording_members)
{
    create_payload_event("notify-e2e-recording-available.json", "notify");
    ck_assert_int_eq(sinchfn_event_callback(event), SINCHFN_CALLBACK_NOTIFY);
    ck_assert_str_eq(sinchfn_event_notification_type(event), "recording_available");
    ck_assert_str_eq(sinchfn_event_destination(event), "azure://sinchsdk/voice-recordings/my-recording.mp3");
    ck_assert_ptr_null(sinchfn_event_timestamp(event));
    ck_assert(sinchfn_event_time(event) == 0);
    ck_assert_ptr_null(sinchfn_event_application_key(event));
}
END_TEST

START_TEST(event_notify_without_destination)
{
    create_payload_event("notify-node-recording-finished.json", "notify");
    ck_assert_str_eq(sinchfn_event_notification_type(event), "recording_finished");
    ck_assert_ptr_null(sinchfn_event_destination(event));
}
END_TEST

START_TEST(event_menu_result_type_any_case)
{
    static const struct {
        const char *type;
        sinchfn_menu_result_type kind;
    } types[] = {
        { "Return", SINCHFN_MENU_RESULT_RETURN },     { "SEQUENCE", SINCHFN_MENU_RESULT_SEQUENCE },
        { "timeout", SINCHFN_MENU_RESULT_TIMEOUT },   { "Hangup", SINCHFN_MENU_RESULT_HANGUP },
        { "InvalidInput", SINCHFN_MENU_RESULT_INVALID_INPUT }, { "error", SINCHFN_MENU_RESULT_ERROR },
        { "something", SINCHFN_MENU_RESULT_OTHER },
    };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        create_event(apr_psprintf(test_pool, "{\"event\":\"pie\",\"menuResult\":{\"type\":\"%s\"}}", types[i].type),
                     "pie");
        ck_assert_msg(sinchfn_event_menu_result(event)->kind == types[i].kind, "type %s", types[i].type);
        ck_assert_str_eq(sinchfn_event_menu_result(event)->type, types[i].type);
    }
}
END_TEST

START_TEST(event_menu_result_without_type)
{
    create_event("{\"event\":\"pie\",\"menuResult\":{\"value\":\"1\"}}", "pie");
    ck_assert_int_eq(sinchfn_event_menu_result(event)->kind, SINCHFN_MENU_RESULT_OTHER);
    ck_assert_ptr_null(sinchfn_event_menu_result(event)->type);
    ck_assert_str_eq(sinchfn_event_menu_result(event)->value, "1");
}
END_TEST

START_TEST(event_wrong_member_types_absent)
{
    create_event("{\"event\":\"ice\",\"callid\":5,\"to\":\"46700000000\",\"version\":\"1\",\"userRate\":[1],"
                 "\"menuResult\":null,\"timestamp\":20231229}", "ice");
    ck_assert_ptr_null(sinchfn_event_callid(event));
    ck_assert_ptr_null(sinchfn_event_to(event));
    ck_assert_int_eq(sinchfn_event_version(event), -1);
    ck_assert_ptr_null(sinchfn_event_user_rate(event));
    ck_assert_ptr_null(sinchfn_event_menu_result(event));
    ck_assert_ptr_null(sinchfn_event_timestamp(event));
    ck_assert(sinchfn_event_time(event) == 0);
}
END_TEST

START_TEST(event_int_member)
{
    create_event("{\"event\":\"dice\",\"duration\":0,\"custom\":\"x\"}", "dice");
    ck_assert_int_eq(sinchfn_event_duration(event), 0);
    ck_assert_int_eq(sinchfn_event_int(event, "duration", -7), 0);
    ck_assert_int_eq(sinchfn_event_int(event, "missing", -7), -7);
    ck_assert_int_eq(sinchfn_event_int(event, "custom", -7), -7);
}
END_TEST

/* ---- timestamps ---- */

static apr_time_t time_of(const char *timestamp)
{
    create_event(apr_psprintf(test_pool, "{\"event\":\"ice\",\"timestamp\":\"%s\"}", timestamp), "ice");
    return sinchfn_event_time(event);
}

START_TEST(event_time_fraction_kept)
{
    ck_assert(time_of("2023-12-01T15:01:20.0406449Z") == apr_time_from_sec(1701442880) + 40644);
    ck_assert(time_of("2023-12-01T15:01:20.5Z") == apr_time_from_sec(1701442880) + 500000);
}
END_TEST

START_TEST(event_time_offset_applied)
{
    ck_assert(time_of("2023-12-01T17:01:20+02:00") == apr_time_from_sec(1701442880));
    ck_assert(time_of("2023-12-01T14:31:20-00:30") == apr_time_from_sec(1701442880));
    ck_assert(time_of("2023-12-01t15:01:20z") == apr_time_from_sec(1701442880));
}
END_TEST

START_TEST(event_time_leap_day_accepted)
{
    ck_assert(time_of("2024-02-29T00:00:00Z") == apr_time_from_sec(1709164800));
}
END_TEST

START_TEST(event_time_invalid_zero)
{
    static const char *const invalid[] = {
        "2023-12-01T15:01:20",      "2023-12-01 15:01:20Z",  "2023-13-01T15:01:20Z", "2023-12-01T24:00:00Z",
        "2023-12-01T15:01:20.Z",    "2023-12-01T15:01:20Zx", "23-12-01T15:01:20Z",   "2023-12-01T15:01:20+0200",
        "2023-02-29T00:00:00Z",     "2023-04-31T00:00:00Z",  "2023-12-01T15:01:20+24:00",
        "2023-12-01T15:01:20+02:60", "",
    };
    size_t i;

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        ck_assert_msg(time_of(invalid[i]) == 0, "'%s' was accepted", invalid[i]);
}
END_TEST

/* ---- rejected bodies ---- */

START_TEST(event_unknown_type_400)
{
    const sinchfn_client_error *error;

    create_json_request("{\"event\":\"hangup\",\"callid\":\"c1\"}");
    error = sinchfn_event_create(request, "ice", &event);
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_str_eq(error->message,
                     "Unknown voice event type 'hangup'; the event must be ice, ace, pie, dice or notify.");
}
END_TEST

START_TEST(event_callback_names)
{
    ck_assert_int_eq(sinchfn_callback_from_name("ice"), SINCHFN_CALLBACK_ICE);
    ck_assert_int_eq(sinchfn_callback_from_name("ace"), SINCHFN_CALLBACK_ACE);
    ck_assert_int_eq(sinchfn_callback_from_name("pie"), SINCHFN_CALLBACK_PIE);
    ck_assert_int_eq(sinchfn_callback_from_name("dice"), SINCHFN_CALLBACK_DICE);
    ck_assert_int_eq(sinchfn_callback_from_name("notify"), SINCHFN_CALLBACK_NOTIFY);
    ck_assert_int_eq(sinchfn_callback_from_name("ICE"), 0);
    ck_assert_int_eq(sinchfn_callback_from_name(""), 0);
}
END_TEST

/* Lists the valid payload files, skipping the invalid-* ones, in a stable order. */
static void find_payload_files(void)
{
    apr_pool_t *pool;
    apr_dir_t *dir;
    apr_finfo_t entry;
    int i, j;

    apr_pool_create(&pool, NULL);
    if (apr_dir_open(&dir, PEER_CASES_DIR "/" PAYLOADS, pool) != APR_SUCCESS)
        return;
    while (payload_file_count < MAX_PAYLOAD_FILES && apr_dir_read(&entry, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        apr_size_t length = strlen(entry.name);

        if (length < 5 || strcmp(entry.name + length - 5, ".json") || !strncmp(entry.name, "invalid-", 8))
            continue;
        payload_files[payload_file_count++] = strdup(entry.name);
    }
    apr_dir_close(dir);
    apr_pool_destroy(pool);
    for (i = 1; i < payload_file_count; i++) {
        for (j = i; j > 0 && strcmp(payload_files[j - 1], payload_files[j]) > 0; j--) {
            const char *swap = payload_files[j];

            payload_files[j] = payload_files[j - 1];
            payload_files[j - 1] = swap;
        }
    }
}

Suite *event_suite(void)
{
    Suite *suite = suite_create("event");
    TCase *vectors = tcase_create("sdk_vectors");
    TCase *members = tcase_create("members");
    TCase *times = tcase_create("timestamps");

    find_payload_files();
    tcase_add_checked_fixture(vectors, test_pool_setup, test_pool_teardown);
    tcase_add_test(vectors, event_payload_vectors_found);
    if (payload_file_count > 0)
        tcase_add_loop_test(vectors, event_payload_vector_parses, 0, payload_file_count);
    tcase_add_test(vectors, event_invalid_vectors_rejected);
    suite_add_tcase(suite, vectors);

    tcase_add_checked_fixture(members, test_pool_setup, test_pool_teardown);
    tcase_add_test(members, event_ice_members);
    tcase_add_test(members, event_ice_absent_members);
    tcase_add_test(members, event_ice_user_rate_integer_amount);
    tcase_add_test(members, event_dice_members);
    tcase_add_test(members, event_pie_return_result);
    tcase_add_test(members, event_pie_sequence_result);
    tcase_add_test(members, event_ace_members);
    tcase_add_test(members, event_ace_amd_result);
    tcase_add_test(members, event_amd_without_duration);
    tcase_add_test(members, event_notify_recording_members);
    tcase_add_test(members, event_notify_without_destination);
    tcase_add_test(members, event_menu_result_type_any_case);
    tcase_add_test(members, event_menu_result_without_type);
    tcase_add_test(members, event_wrong_member_types_absent);
    tcase_add_test(members, event_int_member);
    tcase_add_test(members, event_unknown_type_400);
    tcase_add_test(members, event_callback_names);
    suite_add_tcase(suite, members);

    tcase_add_checked_fixture(times, test_pool_setup, test_pool_teardown);
    tcase_add_test(times, event_time_fraction_kept);
    tcase_add_test(times, event_time_offset_applied);
    tcase_add_test(times, event_time_leap_day_accepted);
    tcase_add_test(times, event_time_invalid_zero);
    suite_add_tcase(suite, times);
    return suite;
}
