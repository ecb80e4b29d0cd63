/*
 * test_svaml_cases.c: every case of the Sinch SDK SVAML vectors drives the C builders
 * through the case's `calls`. The vector file is read when the suite is built.
 * Results are compared with `expected` as JSON values, and "exact string" cases also byte
 * for byte with `expected_json_text`.
 *
 * The `args` of a call are translated into the builders' C option structs key by key. A
 * key the translation does not know fails the case, so a new vector field cannot pass
 * unnoticed.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

#define CASES_FILE "svaml-cases.json"

static json_object *cases_file;
static json_object *cases;
static const char *load_problem;

/* The case a test runs, for failure messages. */
static const char *case_id;

/* ---- reading args ---- */

static json_object *member(json_object *object, const char *key)
{
    json_object *value = NULL;

    json_object_object_get_ex(object, key, &value);
    return value;
}

/* Fails the case when object has a key outside the space-separated list `known`. */
static void check_keys(const char *element, json_object *object, const char *known)
{
    json_object_object_foreach(object, key, value) {
        const char *padded = apr_pstrcat(test_pool, " ", known, " ", NULL);

        (void)value;
        ck_assert_msg(strstr(padded, apr_pstrcat(test_pool, " ", key, " ", NULL)) != NULL,
                      "case %s: the test does not translate the %s key '%s'", case_id, element, key);
    }
}

static const char *string_of(json_object *object, const char *key)
{
    json_object *value = member(object, key);

    if (!value)
        return NULL;
    ck_assert_msg(json_object_is_type(value, json_type_string), "case %s: '%s' is not a string", case_id, key);
    return apr_pstrdup(test_pool, json_object_get_string(value));
}

static sinchfn_bool bool_of(json_object *object, const char *key)
{
    json_object *value = member(object, key);

    if (!value)
        return SINCHFN_UNSET;
    ck_assert_msg(json_object_is_type(value, json_type_boolean), "case %s: '%s' is not a boolean", case_id, key);
    return json_object_get_boolean(value) ? SINCHFN_TRUE : SINCHFN_FALSE;
}

static sinchfn_int int_of(json_object *object, const char *key)
{
    json_object *value = member(object, key);
    sinchfn_int unset = { 0, 0 };

    if (!value)
        return unset;
    ck_assert_msg(json_object_is_type(value, json_type_int), "case %s: '%s' is not an integer", case_id, key);
    return SINCHFN_INT(json_object_get_int64(value));
}

static const char *arg_string(json_object *args, size_t index)
{
    json_object *value = args ? json_object_array_get_idx(args, index) : NULL;

    if (!value)
        return NULL;
    ck_assert_msg(json_object_is_type(value, json_type_string), "case %s: argument %zu is not a string", case_id,
                  index);
    return apr_pstrdup(test_pool, json_object_get_string(value));
}

static json_object *arg_object(json_object *args, size_t index)
{
    json_object *value = args ? json_object_array_get_idx(args, index) : NULL;

    ck_assert_msg(value && json_object_is_type(value, json_type_object), "case %s: argument %zu is not an object",
                  case_id, index);
    return value;
}

static sinchfn_destination destination_of(json_object *props)
{
    json_object *object = member(props, "destination");
    sinchfn_destination destination = { NULL, NULL };

    if (!object)
        return destination;
    check_keys("destination", object, "type endpoint");
    destination.type = string_of(object, "type");
    destination.endpoint = string_of(object, "endpoint");
    return destination;
}

static const sinchfn_call_header *call_headers_of(json_object *props, apr_size_t *count)
{
    json_object *list = member(props, "callHeaders");
    sinchfn_call_header *headers;
    size_t i;

    *count = list ? json_object_array_length(list) : 0;
    if (!list)
        return NULL;
    headers = apr_pcalloc(test_pool, sizeof(*headers) * (*count + 1));
    for (i = 0; i < *count; i++) {
        json_object *header = json_object_array_get_idx(list, i);

        check_keys("callHeaders entry", header, "key value");
        headers[i].key = string_of(header, "key");
        headers[i].value = string_of(header, "value");
    }
    return headers;
}

/* ---- one call per builder function ---- */

static sinchfn_status call_start_recording(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_recording_options options;
    json_object *transcription = member(props, "transcriptionOptions");

    memset(&options, 0, sizeof(options));
    check_keys("startRecording", props, "destinationUrl credentials format notificationEvents transcriptionOptions");
    options.destination_url = string_of(props, "destinationUrl");
    options.credentials = string_of(props, "credentials");
    options.format = string_of(props, "format");
    options.notification_events = bool_of(props, "notificationEvents");
    if (transcription) {
        check_keys("transcriptionOptions", transcription, "enabled locale");
        options.transcription.enabled = bool_of(transcription, "enabled");
        options.transcription.locale = string_of(transcription, "locale");
    }
    return sinchfn_svaml_start_recording(svaml, &options);
}

static sinchfn_status call_play_files(sinchfn_svaml *svaml, json_object *args)
{
    json_object *list = json_object_array_get_idx(args, 0);
    const char **ids;
    size_t i, count;

    ck_assert_msg(list && json_object_is_type(list, json_type_array), "case %s: playFiles ids is not an array",
                  case_id);
    count = json_object_array_length(list);
    ids = apr_pcalloc(test_pool, sizeof(*ids) * (count + 1));
    for (i = 0; i < count; i++)
        ids[i] = apr_pstrdup(test_pool, json_object_get_string(json_object_array_get_idx(list, i)));
    return sinchfn_svaml_play_files(svaml, ids, arg_string(args, 1));
}

static sinchfn_status call_connect_pstn(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_connect_pstn options;
    json_object *amd = member(props, "amd");

    memset(&options, 0, sizeof(options));
    check_keys("connectPstn", props,
               "number locale maxDuration dialTimeout cli suppressCallbacks dtmf indications amd");
    options.number = string_of(props, "number");
    options.locale = string_of(props, "locale");
    options.max_duration = int_of(props, "maxDuration");
    options.dial_timeout = int_of(props, "dialTimeout");
    options.cli = string_of(props, "cli");
    options.suppress_callbacks = bool_of(props, "suppressCallbacks");
    options.dtmf = string_of(props, "dtmf");
    options.indications = string_of(props, "indications");
    if (amd) {
        check_keys("amd", amd, "enabled async");
        options.amd.enabled = bool_of(amd, "enabled");
        options.amd.async = bool_of(amd, "async");
    }
    return sinchfn_svaml_connect_pstn(svaml, &options);
}

static sinchfn_status call_connect_mxp(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_connect_mxp options;

    memset(&options, 0, sizeof(options));
    check_keys("connectMxp", props, "destination callHeaders");
    options.destination = destination_of(props);
    options.call_headers = call_headers_of(props, &options.call_header_count);
    return sinchfn_svaml_connect_mxp(svaml, &options);
}

static sinchfn_status call_connect_conf(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_connect_conf options;
    json_object *dtmf = member(props, "conferenceDtmfOptions");

    memset(&options, 0, sizeof(options));
    check_keys("connectConf", props, "conferenceId conferenceDtmfOptions moh");
    options.conference_id = string_of(props, "conferenceId");
    options.moh = string_of(props, "moh");
    if (dtmf) {
        check_keys("conferenceDtmfOptions", dtmf, "mode maxDigits timeoutMills");
        options.dtmf_options.mode = string_of(dtmf, "mode");
        options.dtmf_options.max_digits = int_of(dtmf, "maxDigits");
        options.dtmf_options.timeout_mills = int_of(dtmf, "timeoutMills");
    }
    return sinchfn_svaml_connect_conf(svaml, &options);
}

static sinchfn_status call_connect_sip(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_connect_sip options;

    memset(&options, 0, sizeof(options));
    check_keys("connectSip", props, "destination maxDuration cli transport suppressCallbacks callHeaders moh");
    options.destination = destination_of(props);
    options.max_duration = int_of(props, "maxDuration");
    options.cli = string_of(props, "cli");
    options.transport = string_of(props, "transport");
    options.suppress_callbacks = bool_of(props, "suppressCallbacks");
    options.call_headers = call_headers_of(props, &options.call_header_count);
    options.moh = string_of(props, "moh");
    return sinchfn_svaml_connect_sip(svaml, &options);
}

static sinchfn_status call_connect_stream(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_connect_stream options;
    json_object *streaming = member(props, "streamingOptions");

    memset(&options, 0, sizeof(options));
    check_keys("connectStream", props, "destination streamingOptions maxDuration callHeaders");
    options.destination = destination_of(props);
    options.max_duration = int_of(props, "maxDuration");
    options.call_headers = call_headers_of(props, &options.call_header_count);
    if (streaming) {
        check_keys("streamingOptions", streaming, "version sampleRate");
        options.streaming_options.version = int_of(streaming, "version");
        options.streaming_options.sample_rate = int_of(streaming, "sampleRate");
    }
    return sinchfn_svaml_connect_stream(svaml, &options);
}

static sinchfn_status call_park(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_park options;

    memset(&options, 0, sizeof(options));
    check_keys("park", props, "locale introPrompt holdPrompt maxDuration");
    options.locale = string_of(props, "locale");
    options.intro_prompt = string_of(props, "introPrompt");
    options.hold_prompt = string_of(props, "holdPrompt");
    options.max_duration = int_of(props, "maxDuration");
    return sinchfn_svaml_park(svaml, &options);
}

static void menu_of(json_object *object, sinchfn_menu *menu)
{
    json_object *list = member(object, "options");
    sinchfn_menu_option *options;
    size_t i;

    check_keys("menus entry", object,
               "id mainPrompt repeatPrompt repeats maxDigits timeoutMills maxTimeoutMills options");
    memset(menu, 0, sizeof(*menu));
    menu->id = string_of(object, "id");
    menu->main_prompt = string_of(object, "mainPrompt");
    menu->repeat_prompt = string_of(object, "repeatPrompt");
    menu->repeats = int_of(object, "repeats");
    menu->max_digits = int_of(object, "maxDigits");
    menu->timeout_mills = int_of(object, "timeoutMills");
    menu->max_timeout_mills = int_of(object, "maxTimeoutMills");
    if (!list)
        return;
    menu->option_count = json_object_array_length(list);
    options = apr_pcalloc(test_pool, sizeof(*options) * (menu->option_count + 1));
    for (i = 0; i < menu->option_count; i++) {
        json_object *option = json_object_array_get_idx(list, i);

        check_keys("options entry", option, "dtmf action");
        options[i].dtmf = string_of(option, "dtmf");
        options[i].action = string_of(option, "action");
    }
    menu->options = options;
}

static sinchfn_status call_run_menu(sinchfn_svaml *svaml, json_object *props)
{
    sinchfn_run_menu options;
    json_object *list = member(props, "menus");
    sinchfn_menu *menus;
    size_t i;

    memset(&options, 0, sizeof(options));
    check_keys("runMenu", props, "barge locale mainMenu enableVoice menus");
    options.barge = bool_of(props, "barge");
    options.locale = string_of(props, "locale");
    options.main_menu = string_of(props, "mainMenu");
    options.enable_voice = bool_of(props, "enableVoice");
    options.menu_count = list ? json_object_array_length(list) : 0;
    menus = apr_pcalloc(test_pool, sizeof(*menus) * (options.menu_count + 1));
    for (i = 0; i < options.menu_count; i++)
        menu_of(json_object_array_get_idx(list, i), &menus[i]);
    options.menus = menus;
    return sinchfn_svaml_run_menu(svaml, &options);
}

/* Applies one `calls` entry to the builder. */
static sinchfn_status apply_call(sinchfn_svaml *svaml, json_object *call)
{
    const char *name = string_of(call, "call");
    json_object *args = member(call, "args");

    ck_assert_msg(name != NULL, "case %s: a call has no name", case_id);
    if (!strcmp(name, "hangup"))
        return sinchfn_svaml_hangup(svaml);
    if (!strcmp(name, "continue"))
        return sinchfn_svaml_continue(svaml);
    if (!strcmp(name, "answer"))
        return sinchfn_svaml_answer(svaml);
    if (!strcmp(name, "stopRecording"))
        return sinchfn_svaml_stop_recording(svaml);
    if (!strcmp(name, "say"))
        return sinchfn_svaml_say(svaml, arg_string(args, 0), arg_string(args, 1));
    if (!strcmp(name, "playFiles"))
        return call_play_files(svaml, args);
    if (!strcmp(name, "setCookie"))
        return sinchfn_svaml_set_cookie(svaml, arg_string(args, 0), arg_string(args, 1));
    if (!strcmp(name, "sendDtmf"))
        return sinchfn_svaml_send_dtmf(svaml, arg_string(args, 0));
    if (!strcmp(name, "startRecording"))
        return call_start_recording(svaml, arg_object(args, 0));
    if (!strcmp(name, "connectPstn"))
        return call_connect_pstn(svaml, arg_object(args, 0));
    if (!strcmp(name, "connectMxp"))
        return call_connect_mxp(svaml, arg_object(args, 0));
    if (!strcmp(name, "connectConf"))
        return call_connect_conf(svaml, arg_object(args, 0));
    if (!strcmp(name, "connectSip"))
        return call_connect_sip(svaml, arg_object(args, 0));
    if (!strcmp(name, "connectStream"))
        return call_connect_stream(svaml, arg_object(args, 0));
    if (!strcmp(name, "park"))
        return call_park(svaml, arg_object(args, 0));
    if (!strcmp(name, "runMenu"))
        return call_run_menu(svaml, arg_object(args, 0));
    ck_abort_msg("case %s: the test does not translate the call '%s'", case_id, name);
    return SINCHFN_ERROR;
}

static void apply_calls(sinchfn_svaml *svaml, json_object *calls)
{
    size_t i;

    for (i = 0; i < json_object_array_length(calls); i++) {
        sinchfn_status status = apply_call(svaml, json_object_array_get_idx(calls, i));

        ck_assert_msg(status == SINCHFN_OK, "case %s: call %zu failed: %s", case_id, i,
                      sinchfn_svaml_error(svaml) ? sinchfn_svaml_error(svaml) : "(no message)");
    }
}

/* ---- comparison ---- */

static void assert_json_equal(json_object *actual, json_object *expected)
{
    int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

    ck_assert_msg(json_object_equal(actual, expected), "case %s: got %s, expected %s", case_id,
                  json_object_to_json_string_ext(actual, flags), json_object_to_json_string_ext(expected, flags));
}

/* Builds a single action or instruction on the first callback that accepts it, ending an
 * instruction with hangup, and returns the element. */
static json_object *single_element(json_object *calls, int is_action)
{
    static const char *const callbacks[] = { "ice", "ace", "pie" };
    size_t i;

    for (i = 0; i < sizeof(callbacks) / sizeof(callbacks[0]); i++) {
        sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, callbacks[i]);
        json_object *document, *element;

        if (apply_call(svaml, json_object_array_get_idx(calls, 0)) != SINCHFN_OK) {
            ck_assert_msg(strstr(sinchfn_svaml_error(svaml), "does not accept") != NULL,
                          "case %s on %s: %s", case_id, callbacks[i], sinchfn_svaml_error(svaml));
            continue;
        }
        if (!is_action)
            ck_assert_int_eq(sinchfn_svaml_hangup(svaml), SINCHFN_OK);
        document = sinchfn_svaml_document(svaml);
        if (is_action) {
            ck_assert(json_object_object_get_ex(document, "action", &element));
            ck_assert_msg(!json_object_object_get_ex(document, "instructions", NULL),
                          "case %s: an action alone produced instructions", case_id);
            return element;
        }
        ck_assert(json_object_object_get_ex(document, "instructions", &element));
        ck_assert_int_eq(json_object_array_length(element), 1);
        return json_object_array_get_idx(element, 0);
    }
    ck_abort_msg("case %s: no callback accepts the call", case_id);
    return NULL;
}

static void run_response_case(json_object *vector)
{
    const char *callback = string_of(vector, "callback");
    const char *comparison = string_of(vector, "comparison");
    const char *exact = string_of(vector, "expected_json_text");
    sinchfn_svaml *svaml;
    const char *text;
    json_object *parsed;

    ck_assert_msg(callback != NULL, "case %s: a response case needs a callback", case_id);
    svaml = sinchfn_svaml_create(test_pool, callback);
    apply_calls(svaml, member(vector, "calls"));
    text = sinchfn_svaml_serialize(svaml);
    ck_assert_msg(text != NULL, "case %s: the builder produced no SVAML: %s", case_id,
                  sinchfn_svaml_error(svaml) ? sinchfn_svaml_error(svaml) : "no action");

    parsed = sinchfn_json_pool_own(test_pool, json_tokener_parse(text));
    assert_json_equal(parsed, member(vector, "expected"));
    if (comparison && !strncmp(comparison, "exact string", strlen("exact string"))) {
        ck_assert_msg(exact != NULL, "case %s: an exact string case has no expected_json_text", case_id);
        ck_assert_msg(!strcmp(text, exact), "case %s: got\n%s\nexpected\n%s", case_id, text, exact);
    }
}

START_TEST(svaml_case_matches)
{
    json_object *vector = json_object_array_get_idx(cases, (size_t)_i);
    const char *scope = string_of(vector, "scope");
    json_object *calls = member(vector, "calls");

    case_id = string_of(vector, "id");
    ck_assert_msg(calls && json_object_array_length(calls) > 0, "case %s has no calls", case_id);
    if (!strcmp(scope, "response")) {
        run_response_case(vector);
        return;
    }
    ck_assert_msg(!strcmp(scope, "action") || !strcmp(scope, "instruction"), "case %s: unknown scope '%s'",
                  case_id, scope);
    ck_assert_int_eq(json_object_array_length(calls), 1);
    assert_json_equal(single_element(calls, !strcmp(scope, "action")), member(vector, "expected"));
}
END_TEST

START_TEST(svaml_cases_file_readable)
{
    ck_assert_msg(cases != NULL, "%s", load_problem ? load_problem : CASES_FILE " has no cases array");
    ck_assert_int_gt(json_object_array_length(cases), 0);
}
END_TEST

static void release_cases(void)
{
    json_object_put(cases_file);
    cases_file = NULL;
    cases = NULL;
}

Suite *svaml_cases_suite(void)
{
    Suite *suite = suite_create("svaml_cases");
    TCase *vectors = tcase_create("sdk_vectors");

    /* The file stays loaded until the test case has run; forked tests read their copy. */
    cases_file = test_load_vector(CASES_FILE, &load_problem);
    if (cases_file && (!json_object_object_get_ex(cases_file, "cases", &cases) ||
                       !json_object_is_type(cases, json_type_array)))
        cases = NULL;

    tcase_add_unchecked_fixture(vectors, NULL, release_cases);
    tcase_add_checked_fixture(vectors, test_pool_setup, test_pool_teardown);
    tcase_add_test(vectors, svaml_cases_file_readable);
    if (cases)
        tcase_add_loop_test(vectors, svaml_case_matches, 0, (int)json_object_array_length(cases));
    suite_add_tcase(suite, vectors);
    return suite;
}
