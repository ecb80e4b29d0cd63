/*
 * test_svaml.c: the SVAML instructions and actions beyond say/answer/hangup/continue:
 * unset options left out, false and 0 kept, field order, argument checks, and which
 * callback accepts which call.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"
#include "svaml_internal.h"

static const sinchfn_call_header two_headers[] = { { "foo", "bar" }, { "baz", "qux" } };

static const char *text_of(sinchfn_svaml *svaml)
{
    const char *text = sinchfn_svaml_serialize(svaml);

    ck_assert_msg(text != NULL, "no SVAML: %s", sinchfn_svaml_error(svaml) ? sinchfn_svaml_error(svaml) : "no action");
    return text;
}

static void assert_error_contains(sinchfn_svaml *svaml, const char *fragment)
{
    const char *error = sinchfn_svaml_error(svaml);

    ck_assert_msg(error != NULL, "no builder error, expected one with '%s'", fragment);
    ck_assert_msg(strstr(error, fragment) != NULL, "builder error '%s' lacks '%s'", error, fragment);
    ck_assert_ptr_null(sinchfn_svaml_serialize(svaml));
}

/* ---- builders and serialization ---- */

START_TEST(svaml_public_constructors_per_callback)
{
    ck_assert_int_eq(sinchfn_svaml_continue(sinchfn_svaml_create_ice(test_pool)), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_svaml_continue(sinchfn_svaml_create_ace(test_pool)), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_continue(sinchfn_svaml_create_pie(test_pool)), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_park(sinchfn_svaml_create_pie(test_pool), NULL), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_svaml_park(sinchfn_svaml_create_ice(test_pool), NULL), SINCHFN_OK);
}
END_TEST

START_TEST(svaml_serialize_without_action_null)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    sinchfn_svaml_say(svaml, "Hello", NULL);
    ck_assert_ptr_null(sinchfn_svaml_serialize(svaml));
    ck_assert_ptr_null(sinchfn_svaml_error(svaml));
}
END_TEST

START_TEST(svaml_serialize_after_error_null)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ace(test_pool);

    ck_assert_int_eq(sinchfn_svaml_send_dtmf(svaml, "1"), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
    assert_error_contains(svaml, "the 'ace' callback does not accept the instruction 'sendDtmf'");
}
END_TEST

START_TEST(svaml_serialize_no_slash_escape)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    const char *ids[] = { "https://example.com/a.mp3", NULL };

    sinchfn_svaml_play_files(svaml, ids, NULL);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"playFiles\","
                                     "\"ids\":[\"https://example.com/a.mp3\"]}]}");
}
END_TEST

/* ---- instructions ---- */

START_TEST(svaml_invalid_utf8_rejected)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_pstn pstn = { .number = "+46708000000", .cli = "caf\xe9" };

    ck_assert_int_eq(sinchfn_svaml_say(svaml, "caf\xc3", NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "'say' has a string that is not valid UTF-8");
    ck_assert_ptr_null(sinchfn_svaml_serialize(svaml));

    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_say(svaml, "caf\xc3\xa9", NULL), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &pstn), SINCHFN_ERROR);
    assert_error_contains(svaml, "'connectPstn' has a string that is not valid UTF-8");
    ck_assert(!sinchfn_svaml_has_action(svaml));
}
END_TEST

START_TEST(svaml_invalid_utf8_in_nested_member_rejected)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_node *instruction = sinchfn_svaml_element(test_pool, "say");
    sinchfn_node *options = sinchfn_node_new(test_pool, json_type_object);

    sinchfn_node_put_string(instruction, "text", "ok");
    sinchfn_node_put_string(options, "locale", "en-US\xff");
    sinchfn_node_add(instruction, "options", options);
    ck_assert_int_eq(sinchfn_svaml_add_instruction(svaml, instruction), SINCHFN_ERROR);
    assert_error_contains(svaml, "'say' has a string that is not valid UTF-8");
}
END_TEST

START_TEST(svaml_play_files_order_locale)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_pie(test_pool);
    const char *ids[] = { "#tts[Hello]", "[Welcome]", NULL };

    ck_assert_int_eq(sinchfn_svaml_play_files(svaml, ids, "sv-SE"), SINCHFN_OK);
    sinchfn_svaml_continue(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"continue\"},\"instructions\":[{\"name\":\"playFiles\","
                                     "\"ids\":[\"#tts[Hello]\",\"[Welcome]\"],\"locale\":\"sv-SE\"}]}");
}
END_TEST

START_TEST(svaml_play_files_empty_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    const char *none[] = { NULL };
    const char *blank[] = { "a", "", NULL };

    ck_assert_int_eq(sinchfn_svaml_play_files(svaml, none, NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "playFiles needs at least one id");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_play_files(svaml, NULL, NULL), SINCHFN_ERROR);
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_play_files(svaml, blank, NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "playFiles id 1 is empty");
}
END_TEST

START_TEST(svaml_set_cookie_empty_value_kept)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ace(test_pool);

    ck_assert_int_eq(sinchfn_svaml_set_cookie(svaml, "step", ""), SINCHFN_OK);
    sinchfn_svaml_continue(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"continue\"},\"instructions\":[{\"name\":\"setCookie\","
                                     "\"key\":\"step\",\"value\":\"\"}]}");
}
END_TEST

START_TEST(svaml_set_cookie_invalid_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_svaml_set_cookie(svaml, "", "x"), SINCHFN_ERROR);
    assert_error_contains(svaml, "setCookie needs a non-empty key");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_set_cookie(svaml, "k", NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "setCookie 'k' needs a value");
}
END_TEST

START_TEST(svaml_send_dtmf_valid_characters)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_svaml_send_dtmf(svaml, "ww1234#w*0"), SINCHFN_OK);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":\"sendDtmf\","
                                     "\"value\":\"ww1234#w*0\"}]}");
}
END_TEST

START_TEST(svaml_send_dtmf_invalid_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_svaml_send_dtmf(svaml, "12A"), SINCHFN_ERROR);
    assert_error_contains(svaml, "sendDtmf value '12A' has the invalid character 'A'");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_send_dtmf(svaml, ""), SINCHFN_ERROR);
    assert_error_contains(svaml, "sendDtmf needs digits");
}
END_TEST

START_TEST(svaml_start_recording_without_options)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_recording_options unset;

    memset(&unset, 0, sizeof(unset));
    ck_assert_int_eq(sinchfn_svaml_start_recording(svaml, NULL), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_start_recording(svaml, &unset), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_stop_recording(svaml), SINCHFN_OK);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":"
                                     "\"startRecording\"},{\"name\":\"startRecording\"},{\"name\":\"stopRecording\"}]}");
}
END_TEST

START_TEST(svaml_start_recording_false_kept)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_recording_options options = { .format = "wav", .notification_events = SINCHFN_FALSE,
                                          .transcription = { .enabled = SINCHFN_FALSE } };

    ck_assert_int_eq(sinchfn_svaml_start_recording(svaml, &options), SINCHFN_OK);
    sinchfn_svaml_hangup(svaml);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"hangup\"},\"instructions\":[{\"name\":"
                                     "\"startRecording\",\"options\":{\"format\":\"wav\",\"notificationEvents\":false,"
                                     "\"transcriptionOptions\":{\"enabled\":false}}}]}");
}
END_TEST

START_TEST(svaml_start_recording_invalid_bool_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_recording_options options = { .notification_events = (sinchfn_bool)1234 };

    ck_assert_int_eq(sinchfn_svaml_start_recording(svaml, &options), SINCHFN_ERROR);
    assert_error_contains(svaml, "not SINCHFN_UNSET, SINCHFN_FALSE or SINCHFN_TRUE");
}
END_TEST

/* ---- actions ---- */

START_TEST(svaml_connect_pstn_field_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_pstn options = {
        .number = "+461234567890", .locale = "en-US", .max_duration = SINCHFN_INT(3000),
        .dial_timeout = SINCHFN_INT(10), .cli = "+460987654321", .suppress_callbacks = SINCHFN_FALSE,
        .dtmf = "ww1234#w#", .indications = "se", .amd = { SINCHFN_TRUE, SINCHFN_FALSE },
    };

    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectPstn\",\"number\":\"+461234567890\","
                                     "\"locale\":\"en-US\",\"maxDuration\":3000,\"dialTimeout\":10,"
                                     "\"cli\":\"+460987654321\",\"suppressCallbacks\":false,\"dtmf\":\"ww1234#w#\","
                                     "\"indications\":\"se\",\"amd\":{\"enabled\":true,\"async\":false}}}");
}
END_TEST

START_TEST(svaml_connect_pstn_unset_omitted)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_pie(test_pool);
    sinchfn_connect_pstn options = { .number = "+15550100" };

    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectPstn\",\"number\":\"+15550100\"}}");
}
END_TEST

START_TEST(svaml_connect_pstn_zero_kept)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_pstn options = { .max_duration = SINCHFN_INT(0), .amd = { .async = SINCHFN_TRUE } };

    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectPstn\",\"maxDuration\":0,"
                                     "\"amd\":{\"async\":true}}}");
}
END_TEST

START_TEST(svaml_connect_pstn_null_options)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, NULL), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectPstn\"}}");
}
END_TEST

START_TEST(svaml_connect_pstn_invalid_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_pstn bad_dtmf = { .dtmf = "1x" };
    sinchfn_connect_pstn negative = { .max_duration = SINCHFN_INT(-1) };
    sinchfn_connect_pstn empty_number = { .number = "" };

    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &bad_dtmf), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectPstn dtmf '1x' has the invalid character 'x'");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &negative), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectPstn maxDuration is -1; it cannot be negative");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_connect_pstn(svaml, &empty_number), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectPstn number is empty");
}
END_TEST

START_TEST(svaml_connect_mxp_call_headers_spelling)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_mxp options = { .destination = { "username", "johndoe" }, .call_headers = two_headers,
                                    .call_header_count = 2 };

    ck_assert_int_eq(sinchfn_svaml_connect_mxp(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectMxp\",\"destination\":{\"type\":\"username\","
                                     "\"endpoint\":\"johndoe\"},\"callHeaders\":[{\"key\":\"foo\",\"value\":\"bar\"},"
                                     "{\"key\":\"baz\",\"value\":\"qux\"}]}}");
}
END_TEST

START_TEST(svaml_connect_mxp_invalid_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_mxp no_endpoint = { .destination = { "username", NULL } };
    sinchfn_connect_mxp missing_headers = { .destination = { NULL, "u" }, .call_header_count = 1 };

    ck_assert_int_eq(sinchfn_svaml_connect_mxp(svaml, NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectMxp needs options with a destination");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_connect_mxp(svaml, &no_endpoint), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectMxp needs a destination endpoint");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_connect_mxp(svaml, &missing_headers), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectMxp has call_header_count 1 but no call_headers");
}
END_TEST

START_TEST(svaml_connect_conf_field_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ace(test_pool);
    sinchfn_connect_conf options = { .conference_id = "room-1",
                                     .dtmf_options = { "forward", SINCHFN_INT(0), SINCHFN_INT(5000) },
                                     .moh = "music3" };

    ck_assert_int_eq(sinchfn_svaml_connect_conf(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectConf\",\"conferenceId\":\"room-1\","
                                     "\"conferenceDtmfOptions\":{\"mode\":\"forward\",\"maxDigits\":0,"
                                     "\"timeoutMills\":5000},\"moh\":\"music3\"}}");
}
END_TEST

START_TEST(svaml_connect_conf_minimal)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_pie(test_pool);
    sinchfn_connect_conf options = { .conference_id = "room-1" };

    ck_assert_int_eq(sinchfn_svaml_connect_conf(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectConf\",\"conferenceId\":\"room-1\"}}");
}
END_TEST

START_TEST(svaml_connect_conf_without_id_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_conf options = { .moh = "music1" };

    ck_assert_int_eq(sinchfn_svaml_connect_conf(svaml, &options), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectConf needs a conference_id");
}
END_TEST

START_TEST(svaml_connect_sip_field_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_pie(test_pool);
    sinchfn_connect_sip options = {
        .destination = { "Sip", "46708000000@sip.foo.com" }, .max_duration = SINCHFN_INT(3000), .cli = "private",
        .transport = "tls", .suppress_callbacks = SINCHFN_TRUE, .call_headers = two_headers,
        .call_header_count = 1, .moh = "music2",
    };

    ck_assert_int_eq(sinchfn_svaml_connect_sip(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectSip\",\"destination\":{\"type\":\"Sip\","
                                     "\"endpoint\":\"46708000000@sip.foo.com\"},\"maxDuration\":3000,\"cli\":"
                                     "\"private\",\"transport\":\"tls\",\"suppressCallbacks\":true,\"callHeaders\":"
                                     "[{\"key\":\"foo\",\"value\":\"bar\"}],\"moh\":\"music2\"}}");
}
END_TEST

START_TEST(svaml_connect_sip_invalid_header_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_call_header headers[] = { { "", "x" } };
    sinchfn_call_header no_value[] = { { "X-Id", NULL } };
    sinchfn_connect_sip options = { .destination = { "sip", "a@b" }, .call_headers = headers,
                                    .call_header_count = 1 };

    ck_assert_int_eq(sinchfn_svaml_connect_sip(svaml, &options), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectSip call header 0 has no key");
    svaml = sinchfn_svaml_create_ice(test_pool);
    options.call_headers = no_value;
    ck_assert_int_eq(sinchfn_svaml_connect_sip(svaml, &options), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectSip call header 'X-Id' has no value");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_connect_sip(svaml, NULL), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectSip needs options with a destination");
}
END_TEST

START_TEST(svaml_connect_stream_field_order)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_stream options = { .destination = { "Websocket", "wss://example.com/stream" },
                                       .streaming_options = { SINCHFN_INT(2), SINCHFN_INT(16000) },
                                       .max_duration = SINCHFN_INT(600) };

    ck_assert_int_eq(sinchfn_svaml_connect_stream(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"connectStream\",\"destination\":{\"type\":"
                                     "\"Websocket\",\"endpoint\":\"wss://example.com/stream\"},\"streamingOptions\":"
                                     "{\"version\":2,\"sampleRate\":16000},\"maxDuration\":600}}");
}
END_TEST

START_TEST(svaml_connect_stream_without_destination_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_connect_stream options = { .max_duration = SINCHFN_INT(10) };

    ck_assert_int_eq(sinchfn_svaml_connect_stream(svaml, &options), SINCHFN_ERROR);
    assert_error_contains(svaml, "connectStream needs a destination endpoint");
}
END_TEST

START_TEST(svaml_park_null_and_options)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_park options = { .hold_prompt = "#tts[Please hold]", .max_duration = SINCHFN_INT(0) };

    ck_assert_int_eq(sinchfn_svaml_park(svaml, NULL), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"park\"}}");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_park(svaml, &options), SINCHFN_OK);
    ck_assert_str_eq(text_of(svaml), "{\"action\":{\"name\":\"park\",\"holdPrompt\":\"#tts[Please hold]\","
                                     "\"maxDuration\":0}}");
}
END_TEST

/* ---- per-callback sets ---- */

typedef sinchfn_status (*builder_call)(sinchfn_svaml *svaml);

static sinchfn_status call_say(sinchfn_svaml *svaml) { return sinchfn_svaml_say(svaml, "x", NULL); }
static sinchfn_status call_play_files(sinchfn_svaml *svaml)
{
    static const char *const ids[] = { "[Welcome]", NULL };

    return sinchfn_svaml_play_files(svaml, ids, NULL);
}
static sinchfn_status call_set_cookie(sinchfn_svaml *svaml) { return sinchfn_svaml_set_cookie(svaml, "k", "v"); }
static sinchfn_status call_send_dtmf(sinchfn_svaml *svaml) { return sinchfn_svaml_send_dtmf(svaml, "1"); }
static sinchfn_status call_start_recording(sinchfn_svaml *svaml) { return sinchfn_svaml_start_recording(svaml, NULL); }
static sinchfn_status call_connect_pstn(sinchfn_svaml *svaml) { return sinchfn_svaml_connect_pstn(svaml, NULL); }
static sinchfn_status call_connect_mxp(sinchfn_svaml *svaml)
{
    sinchfn_connect_mxp options = { .destination = { "username", "u" } };

    return sinchfn_svaml_connect_mxp(svaml, &options);
}
static sinchfn_status call_connect_conf(sinchfn_svaml *svaml)
{
    sinchfn_connect_conf options = { .conference_id = "c" };

    return sinchfn_svaml_connect_conf(svaml, &options);
}
static sinchfn_status call_connect_sip(sinchfn_svaml *svaml)
{
    sinchfn_connect_sip options = { .destination = { "sip", "a@b" } };

    return sinchfn_svaml_connect_sip(svaml, &options);
}
static sinchfn_status call_connect_stream(sinchfn_svaml *svaml)
{
    sinchfn_connect_stream options = { .destination = { "Websocket", "wss://h" } };

    return sinchfn_svaml_connect_stream(svaml, &options);
}
static sinchfn_status call_park(sinchfn_svaml *svaml) { return sinchfn_svaml_park(svaml, NULL); }
static sinchfn_status call_run_menu(sinchfn_svaml *svaml)
{
    static const sinchfn_menu menu = { .id = "main", .main_prompt = "#tts[Hi]" };
    sinchfn_run_menu options = { .menus = &menu, .menu_count = 1 };

    return sinchfn_svaml_run_menu(svaml, &options);
}

/* Each call, whether it is an action, and whether ice, ace and pie accept it (Sinch's
 * per-callback sets). */
static const struct {
    const char *name;
    builder_call call;
    int action;
    int ice, ace, pie;
} callback_sets[] = {
    { "say", call_say, 0, 1, 1, 1 },
    { "playFiles", call_play_files, 0, 1, 1, 1 },
    { "setCookie", call_set_cookie, 0, 1, 1, 1 },
    { "startRecording", call_start_recording, 0, 1, 1, 1 },
    { "sendDtmf", call_send_dtmf, 0, 1, 0, 1 },
    { "stopRecording", sinchfn_svaml_stop_recording, 0, 1, 0, 1 },
    { "answer", sinchfn_svaml_answer, 0, 1, 0, 0 },
    { "hangup", sinchfn_svaml_hangup, 1, 1, 1, 1 },
    { "continue", sinchfn_svaml_continue, 1, 0, 1, 1 },
    { "connectPstn", call_connect_pstn, 1, 1, 0, 1 },
    { "connectMxp", call_connect_mxp, 1, 1, 0, 0 },
    { "connectConf", call_connect_conf, 1, 1, 1, 1 },
    { "connectSip", call_connect_sip, 1, 1, 0, 1 },
    { "connectStream", call_connect_stream, 1, 1, 0, 0 },
    { "runMenu", call_run_menu, 1, 1, 1, 1 },
    { "park", call_park, 1, 1, 0, 0 },
};

static void assert_accepts(const char *callback, size_t index, int accepts)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, callback);
    sinchfn_status status = callback_sets[index].call(svaml);

    if (accepts) {
        ck_assert_msg(status == SINCHFN_OK, "%s rejected %s: %s", callback, callback_sets[index].name,
                      sinchfn_svaml_error(svaml));
        return;
    }
    ck_assert_msg(status == SINCHFN_ERROR, "%s accepted %s", callback, callback_sets[index].name);
    ck_assert_ptr_nonnull(strstr(sinchfn_svaml_error(svaml), "does not accept"));
    ck_assert_ptr_nonnull(strstr(sinchfn_svaml_error(svaml), callback_sets[index].name));
}

START_TEST(svaml_callback_sets)
{
    assert_accepts("ice", (size_t)_i, callback_sets[_i].ice);
    assert_accepts("ace", (size_t)_i, callback_sets[_i].ace);
    assert_accepts("pie", (size_t)_i, callback_sets[_i].pie);
}
END_TEST

START_TEST(svaml_dice_notify_take_nothing)
{
    sinchfn_svaml *dice = sinchfn_svaml_create(test_pool, "dice");
    sinchfn_svaml *notify = sinchfn_svaml_create(test_pool, "notify");

    ck_assert_int_eq(callback_sets[_i].call(dice), SINCHFN_ERROR);
    ck_assert_int_eq(callback_sets[_i].call(notify), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(strstr(sinchfn_svaml_error(dice), "the 'dice' callback takes no SVAML"));
    ck_assert_ptr_nonnull(strstr(sinchfn_svaml_error(notify), "the 'notify' callback takes no SVAML"));
}
END_TEST

START_TEST(svaml_second_action_any_kind)
{
    apr_size_t length;
    sinchfn_svaml *svaml;
    size_t i;

    for (i = 0; i < sizeof(callback_sets) / sizeof(callback_sets[0]); i++) {
        if (!callback_sets[i].action || !callback_sets[i].ice)
            continue;
        svaml = sinchfn_svaml_create_ice(test_pool);
        ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
        ck_assert_msg(callback_sets[i].call(svaml) == SINCHFN_ERROR, "%s became a second action",
                      callback_sets[i].name);
        ck_assert_ptr_nonnull(strstr(sinchfn_svaml_error(svaml), "would be a second"));
        ck_assert_str_eq(sinchfn_json_serialize(test_pool, sinchfn_svaml_document(svaml), &length),
                         "{\"action\":{\"name\":\"hangup\"}}");
    }
}
END_TEST

Suite *svaml_suite(void)
{
    Suite *suite = suite_create("svaml");
    TCase *builders = tcase_create("builders");
    TCase *instructions = tcase_create("instructions");
    TCase *actions = tcase_create("actions");
    TCase *sets = tcase_create("callback_sets");
    int calls = (int)(sizeof(callback_sets) / sizeof(callback_sets[0]));

    tcase_add_checked_fixture(builders, test_pool_setup, test_pool_teardown);
    tcase_add_test(builders, svaml_public_constructors_per_callback);
    tcase_add_test(builders, svaml_serialize_without_action_null);
    tcase_add_test(builders, svaml_serialize_after_error_null);
    tcase_add_test(builders, svaml_serialize_no_slash_escape);
    tcase_add_test(builders, svaml_invalid_utf8_rejected);
    tcase_add_test(builders, svaml_invalid_utf8_in_nested_member_rejected);
    suite_add_tcase(suite, builders);

    tcase_add_checked_fixture(instructions, test_pool_setup, test_pool_teardown);
    tcase_add_test(instructions, svaml_play_files_order_locale);
    tcase_add_test(instructions, svaml_play_files_empty_error);
    tcase_add_test(instructions, svaml_set_cookie_empty_value_kept);
    tcase_add_test(instructions, svaml_set_cookie_invalid_error);
    tcase_add_test(instructions, svaml_send_dtmf_valid_characters);
    tcase_add_test(instructions, svaml_send_dtmf_invalid_error);
    tcase_add_test(instructions, svaml_start_recording_without_options);
    tcase_add_test(instructions, svaml_start_recording_false_kept);
    tcase_add_test(instructions, svaml_start_recording_invalid_bool_error);
    suite_add_tcase(suite, instructions);

    tcase_add_checked_fixture(actions, test_pool_setup, test_pool_teardown);
    tcase_add_test(actions, svaml_connect_pstn_field_order);
    tcase_add_test(actions, svaml_connect_pstn_unset_omitted);
    tcase_add_test(actions, svaml_connect_pstn_zero_kept);
    tcase_add_test(actions, svaml_connect_pstn_null_options);
    tcase_add_test(actions, svaml_connect_pstn_invalid_error);
    tcase_add_test(actions, svaml_connect_mxp_call_headers_spelling);
    tcase_add_test(actions, svaml_connect_mxp_invalid_error);
    tcase_add_test(actions, svaml_connect_conf_field_order);
    tcase_add_test(actions, svaml_connect_conf_minimal);
    tcase_add_test(actions, svaml_connect_conf_without_id_error);
    tcase_add_test(actions, svaml_connect_sip_field_order);
    tcase_add_test(actions, svaml_connect_sip_invalid_header_error);
    tcase_add_test(actions, svaml_connect_stream_field_order);
    tcase_add_test(actions, svaml_connect_stream_without_destination_error);
    tcase_add_test(actions, svaml_park_null_and_options);
    suite_add_tcase(suite, actions);

    tcase_add_checked_fixture(sets, test_pool_setup, test_pool_teardown);
    tcase_add_loop_test(sets, svaml_callback_sets, 0, calls);
    tcase_add_loop_test(sets, svaml_dice_notify_take_nothing, 0, calls);
    tcase_add_test(sets, svaml_second_action_any_kind);
    suite_add_tcase(suite, sets);
    return suite;
}
