/* test_function.c: export table checks, dotenv parsing and sinch.json loading. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_status endpoint_stub(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    (void)response;
    return SINCHFN_OK;
}

static sinchfn_status voice_stub(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)ctx;
    (void)event;
    (void)svaml;
    return SINCHFN_OK;
}

/* Checks count exports as a table of the current ABI version and returns the problem, or NULL. */
static const char *check_exports(const sinchfn_export *exports, unsigned int count, apr_hash_t **hash)
{
    sinchfn_function table;

    memset(&table, 0, sizeof(table));
    table.abi_version = SINCHFN_ABI_VERSION;
    table.exports = exports;
    table.export_count = count;
    return sinchfn_function_check(test_pool, &table, hash);
}

#define COUNT(array) ((unsigned int)(sizeof(array) / sizeof((array)[0])))

/* ---- export tables ---- */

START_TEST(function_check_valid_table)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
        { "ice", SINCHFN_KIND_VOICE, NULL, voice_stub },
        { "conversationWebhook", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_null(check_exports(exports, COUNT(exports), &hash));
    ck_assert_ptr_nonnull(hash);
    ck_assert_uint_eq(apr_hash_count(hash), 3);
    ck_assert_ptr_eq(apr_hash_get(hash, "status", APR_HASH_KEY_STRING), &exports[0]);
    ck_assert_ptr_eq(apr_hash_get(hash, "ice", APR_HASH_KEY_STRING), &exports[1]);
    ck_assert_ptr_eq(apr_hash_get(hash, "conversationWebhook", APR_HASH_KEY_STRING), &exports[2]);
}
END_TEST

START_TEST(function_check_all_voice_names)
{
    static const sinchfn_export exports[] = {
        { "ice", SINCHFN_KIND_VOICE, NULL, voice_stub },
        { "ace", SINCHFN_KIND_VOICE, NULL, voice_stub },
        { "pie", SINCHFN_KIND_VOICE, NULL, voice_stub },
        { "dice", SINCHFN_KIND_VOICE, NULL, voice_stub },
        { "notify", SINCHFN_KIND_VOICE, NULL, voice_stub },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_null(check_exports(exports, COUNT(exports), &hash));
    ck_assert_uint_eq(apr_hash_count(hash), 5);
}
END_TEST

START_TEST(function_find_by_name)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
        { "ice", SINCHFN_KIND_VOICE, NULL, voice_stub },
    };
    sinchfn_function table = { SINCHFN_ABI_VERSION, exports, COUNT(exports), NULL, NULL };
    sinchfn_loaded loaded = { "function.so", &table, NULL, { 0, NULL, NULL } };

    ck_assert_ptr_null(sinchfn_function_check(test_pool, &table, &loaded.exports));
    ck_assert_ptr_eq(sinchfn_function_find(&loaded, "ice"), &exports[1]);
    ck_assert_ptr_eq(sinchfn_function_find(&loaded, "status"), &exports[0]);
    ck_assert_ptr_null(sinchfn_function_find(&loaded, "Status"));
}
END_TEST

START_TEST(function_check_wrong_abi_version)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    sinchfn_function table = { SINCHFN_ABI_VERSION + 1, exports, COUNT(exports), NULL, NULL };
    apr_hash_t *hash = NULL;
    const char *problem = sinchfn_function_check(test_pool, &table, &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_msg(strstr(problem, apr_psprintf(test_pool, "version %d", SINCHFN_ABI_VERSION + 1)) != NULL,
                  "message: %s", problem);
}
END_TEST

START_TEST(function_check_duplicate_name)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
        { "other", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_msg(strstr(problem, "declared twice") != NULL, "message: %s", problem);
    ck_assert_ptr_nonnull(strstr(problem, "'status'"));
}
END_TEST

START_TEST(function_check_endpoint_named_ice)
{
    static const sinchfn_export exports[] = {
        { "ice", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'ice'"));
}
END_TEST

START_TEST(function_check_voice_named_status)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_VOICE, NULL, voice_stub },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'status'"));
}
END_TEST

START_TEST(function_check_null_endpoint_handler)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, NULL, NULL },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "no handler"));
}
END_TEST

START_TEST(function_check_null_voice_handler)
{
    static const sinchfn_export exports[] = {
        { "ice", SINCHFN_KIND_VOICE, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "no handler"));
}
END_TEST

START_TEST(function_check_unknown_kind)
{
    static const sinchfn_export exports[] = {
        { "status", (sinchfn_kind)7, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;
    const char *problem = check_exports(exports, COUNT(exports), &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "kind 7"));
}
END_TEST

START_TEST(function_check_empty_name)
{
    static const sinchfn_export exports[] = {
        { "", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_nonnull(check_exports(exports, COUNT(exports), &hash));
}
END_TEST

START_TEST(function_check_null_name)
{
    static const sinchfn_export exports[] = {
        { NULL, SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_nonnull(check_exports(exports, COUNT(exports), &hash));
}
END_TEST

START_TEST(function_check_name_with_slash)
{
    static const sinchfn_export exports[] = {
        { "a/status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_nonnull(check_exports(exports, COUNT(exports), &hash));
}
END_TEST

START_TEST(function_check_empty_table)
{
    static const sinchfn_export exports[] = {
        { "status", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_nonnull(check_exports(exports, 0, &hash));
}
END_TEST

START_TEST(function_check_null_exports)
{
    apr_hash_t *hash = NULL;

    ck_assert_ptr_nonnull(check_exports(NULL, 1, &hash));
}
END_TEST

START_TEST(function_exports_macro_table)
{
    static const sinchfn_export exports[] = {
        SINCHFN_VOICE(voice_stub),
        SINCHFN_ENDPOINT(endpoint_stub),
        SINCHFN_ENDPOINT_NAMED("conversationWebhook", endpoint_stub),
    };

    ck_assert_str_eq(exports[0].name, "voice_stub");
    ck_assert_int_eq(exports[0].kind, SINCHFN_KIND_VOICE);
    ck_assert_ptr_null(exports[0].endpoint);
    ck_assert_str_eq(exports[1].name, "endpoint_stub");
    ck_assert_int_eq(exports[1].kind, SINCHFN_KIND_ENDPOINT);
    ck_assert_ptr_null(exports[1].voice);
    ck_assert_str_eq(exports[2].name, "conversationWebhook");
}
END_TEST

/* ---- dotenv ---- */

static apr_hash_t *env;

/* Parses text into a new `env` hash and returns the problem, or NULL. */
static const char *parse_env(const char *text)
{
    env = apr_hash_make(test_pool);
    return sinchfn_dotenv_parse(test_pool, text, strlen(text), "test.env", env);
}

static const char *env_get(const char *name)
{
    return apr_hash_get(env, name, APR_HASH_KEY_STRING);
}

START_TEST(dotenv_key_value)
{
    ck_assert_ptr_null(parse_env("KEY=VALUE\nOTHER_2=two\n"));
    ck_assert_uint_eq(apr_hash_count(env), 2);
    ck_assert_str_eq(env_get("KEY"), "VALUE");
    ck_assert_str_eq(env_get("OTHER_2"), "two");
}
END_TEST

START_TEST(dotenv_last_line_without_newline)
{
    ck_assert_ptr_null(parse_env("A=1\nB=2"));
    ck_assert_str_eq(env_get("B"), "2");
}
END_TEST

START_TEST(dotenv_value_keeps_equals)
{
    ck_assert_ptr_null(parse_env("URL=https://x.test/?a=b\n"));
    ck_assert_str_eq(env_get("URL"), "https://x.test/?a=b");
}
END_TEST

START_TEST(dotenv_empty_value)
{
    ck_assert_ptr_null(parse_env("EMPTY=\n"));
    ck_assert_str_eq(env_get("EMPTY"), "");
}
END_TEST

START_TEST(dotenv_spaces_around_equals)
{
    ck_assert_ptr_null(parse_env("  KEY = value  \n"));
    ck_assert_str_eq(env_get("KEY"), "value");
}
END_TEST

START_TEST(dotenv_export_prefix)
{
    ck_assert_ptr_null(parse_env("export KEY=v\n"));
    ck_assert_uint_eq(apr_hash_count(env), 1);
    ck_assert_str_eq(env_get("KEY"), "v");
}
END_TEST

START_TEST(dotenv_comments_and_blank_lines)
{
    ck_assert_ptr_null(parse_env("# comment\n\n   \n  # indented comment\nA=1\n\n"));
    ck_assert_uint_eq(apr_hash_count(env), 1);
    ck_assert_str_eq(env_get("A"), "1");
}
END_TEST

START_TEST(dotenv_crlf_line_endings)
{
    ck_assert_ptr_null(parse_env("A=1\r\nB=\"2\"\r\n"));
    ck_assert_str_eq(env_get("A"), "1");
    ck_assert_str_eq(env_get("B"), "2");
}
END_TEST

START_TEST(dotenv_double_quotes_escapes)
{
    ck_assert_ptr_null(parse_env("Q=\"line1\\nline2\\t\\\"q\\\" \\\\ # kept\"\n"));
    ck_assert_str_eq(env_get("Q"), "line1\nline2\t\"q\" \\ # kept");
}
END_TEST

START_TEST(dotenv_single_quotes_literal)
{
    ck_assert_ptr_null(parse_env("S='a\\nb \"c\" # kept'\n"));
    ck_assert_str_eq(env_get("S"), "a\\nb \"c\" # kept");
}
END_TEST

START_TEST(dotenv_unquoted_comment_stripped)
{
    ck_assert_ptr_null(parse_env("U=value # comment\n"));
    ck_assert_str_eq(env_get("U"), "value");
}
END_TEST

START_TEST(dotenv_unquoted_hash_inside_value_kept)
{
    ck_assert_ptr_null(parse_env("H=a#b\n"));
    ck_assert_str_eq(env_get("H"), "a#b");
}
END_TEST

START_TEST(dotenv_later_line_wins)
{
    ck_assert_ptr_null(parse_env("A=1\nA=2\n"));
    ck_assert_str_eq(env_get("A"), "2");
}
END_TEST

START_TEST(dotenv_line_without_equals_names_line)
{
    const char *problem = parse_env("A=1\n\nhunter2secret\n");

    ck_assert_ptr_nonnull(problem);
    ck_assert_msg(strstr(problem, "line 3") != NULL, "message: %s", problem);
    ck_assert_ptr_nonnull(strstr(problem, "test.env"));
    ck_assert_ptr_null(strstr(problem, "hunter2secret"));
}
END_TEST

START_TEST(dotenv_invalid_name_hides_value)
{
    const char *problem = parse_env("MY-KEY=hunter2secret\n");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "line 1"));
    ck_assert_ptr_null(strstr(problem, "hunter2secret"));
}
END_TEST

START_TEST(dotenv_name_starting_with_digit_error)
{
    ck_assert_ptr_nonnull(parse_env("1KEY=v\n"));
}
END_TEST

START_TEST(dotenv_unterminated_double_quote)
{
    const char *problem = parse_env("A=1\nQ=\"hunter2secret\n");

    ck_assert_ptr_nonnull(problem);
    ck_assert_msg(strstr(problem, "line 2") != NULL, "message: %s", problem);
    ck_assert_ptr_null(strstr(problem, "hunter2secret"));
}
END_TEST

START_TEST(dotenv_escaped_closing_quote_unterminated)
{
    ck_assert_ptr_nonnull(parse_env("Q=\"abc\\\"\n"));
}
END_TEST

START_TEST(dotenv_unterminated_single_quote)
{
    const char *problem = parse_env("S='hunter2secret\n");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "line 1"));
    ck_assert_ptr_null(strstr(problem, "hunter2secret"));
}
END_TEST

/* ---- sinch.json ---- */

/* Writes text to a new file under /tmp that is removed when the test pool is destroyed,
 * and returns its path. */
static const char *write_temp(const char *text)
{
    char *path = apr_pstrdup(test_pool, "/tmp/sinchfn-unit-XXXXXX");
    apr_file_t *file;
    apr_size_t written;

    ck_assert_int_eq(apr_file_mktemp(&file, path, 0, test_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(file, text, strlen(text), &written), APR_SUCCESS);
    ck_assert_int_eq(apr_file_flush(file), APR_SUCCESS);
    return path;
}

static const char *project_name;
static apr_hash_t *variables;

static const char *load_project(const char *text)
{
    project_name = NULL;
    variables = apr_hash_make(test_pool);
    return sinchfn_project_load(test_pool, write_temp(text), &project_name, variables);
}

static const char *variable(const char *name)
{
    return apr_hash_get(variables, name, APR_HASH_KEY_STRING);
}

START_TEST(project_name_and_variables)
{
    ck_assert_ptr_null(load_project("{\"name\":\"demo\",\"variables\":{\"GREETING\":\"Hello\",\"N\":42,"
                                    "\"NEG\":-3,\"BIG\":9007199254740993,\"D\":1.5,\"ON\":true,\"OFF\":false}}"));
    ck_assert_str_eq(project_name, "demo");
    ck_assert_uint_eq(apr_hash_count(variables), 7);
    ck_assert_str_eq(variable("GREETING"), "Hello");
    ck_assert_str_eq(variable("N"), "42");
    ck_assert_str_eq(variable("NEG"), "-3");
    ck_assert_str_eq(variable("BIG"), "9007199254740993");
    ck_assert_str_eq(variable("D"), "1.5");
    ck_assert_str_eq(variable("ON"), "true");
    ck_assert_str_eq(variable("OFF"), "false");
}
END_TEST

START_TEST(project_without_name)
{
    ck_assert_ptr_null(load_project("{\"variables\":{\"A\":\"1\"}}"));
    ck_assert_ptr_null(project_name);
    ck_assert_str_eq(variable("A"), "1");
}
END_TEST

START_TEST(project_without_variables)
{
    ck_assert_ptr_null(load_project("{\"name\":\"demo\"}"));
    ck_assert_str_eq(project_name, "demo");
    ck_assert_uint_eq(apr_hash_count(variables), 0);
}
END_TEST

START_TEST(project_other_members_ignored)
{
    ck_assert_ptr_null(load_project("{\"name\":\"demo\",\"runtime\":{\"x\":[1]}}"));
    ck_assert_str_eq(project_name, "demo");
}
END_TEST

START_TEST(project_variables_not_object_error)
{
    const char *problem = load_project("{\"variables\":[\"A\"]}");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'variables'"));
}
END_TEST

START_TEST(project_variable_null_error)
{
    const char *problem = load_project("{\"variables\":{\"A\":null}}");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'A'"));
}
END_TEST

START_TEST(project_variable_object_error)
{
    const char *problem = load_project("{\"variables\":{\"A\":{\"b\":1}}}");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'A'"));
}
END_TEST

START_TEST(project_name_not_string_error)
{
    const char *problem = load_project("{\"name\":5}");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "'name'"));
}
END_TEST

START_TEST(project_empty_name_error)
{
    ck_assert_ptr_nonnull(load_project("{\"name\":\"\"}"));
}
END_TEST

START_TEST(project_invalid_json_error)
{
    const char *problem = load_project("{\"name\":\"demo\",}");

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "JSON is invalid at byte 15"));
    ck_assert_ptr_null(strstr(problem, "body"));
}
END_TEST

START_TEST(project_not_object_error)
{
    ck_assert_ptr_nonnull(load_project("[\"demo\"]"));
}
END_TEST

START_TEST(project_empty_file_error)
{
    ck_assert_ptr_nonnull(load_project(""));
}
END_TEST

START_TEST(project_missing_file_error)
{
    const char *path = "/tmp/sinchfn-unit-missing/sinch.json";
    const char *problem;

    variables = apr_hash_make(test_pool);
    problem = sinchfn_project_load(test_pool, path, &project_name, variables);
    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, path));
}
END_TEST

START_TEST(dotenv_load_file)
{
    env = apr_hash_make(test_pool);
    ck_assert_ptr_null(sinchfn_dotenv_load(test_pool, write_temp("A=1\nexport B='two'\n"), env));
    ck_assert_str_eq(env_get("A"), "1");
    ck_assert_str_eq(env_get("B"), "two");
}
END_TEST

START_TEST(dotenv_load_error_names_file)
{
    const char *path;
    const char *problem;

    env = apr_hash_make(test_pool);
    path = write_temp("A=1\nbroken\n");
    problem = sinchfn_dotenv_load(test_pool, path, env);
    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, path));
    ck_assert_ptr_nonnull(strstr(problem, "line 2"));
}
END_TEST

Suite *function_suite(void)
{
    Suite *suite = suite_create("function");
    TCase *table = tcase_create("export_table");
    TCase *dotenv = tcase_create("dotenv");
    TCase *project = tcase_create("project");

    tcase_add_checked_fixture(table, test_pool_setup, test_pool_teardown);
    tcase_add_test(table, function_check_valid_table);
    tcase_add_test(table, function_check_all_voice_names);
    tcase_add_test(table, function_find_by_name);
    tcase_add_test(table, function_check_wrong_abi_version);
    tcase_add_test(table, function_check_duplicate_name);
    tcase_add_test(table, function_check_endpoint_named_ice);
    tcase_add_test(table, function_check_voice_named_status);
    tcase_add_test(table, function_check_null_endpoint_handler);
    tcase_add_test(table, function_check_null_voice_handler);
    tcase_add_test(table, function_check_unknown_kind);
    tcase_add_test(table, function_check_empty_name);
    tcase_add_test(table, function_check_null_name);
    tcase_add_test(table, function_check_name_with_slash);
    tcase_add_test(table, function_check_empty_table);
    tcase_add_test(table, function_check_null_exports);
    tcase_add_test(table, function_exports_macro_table);
    suite_add_tcase(suite, table);

    tcase_add_checked_fixture(dotenv, test_pool_setup, test_pool_teardown);
    tcase_add_test(dotenv, dotenv_key_value);
    tcase_add_test(dotenv, dotenv_last_line_without_newline);
    tcase_add_test(dotenv, dotenv_value_keeps_equals);
    tcase_add_test(dotenv, dotenv_empty_value);
    tcase_add_test(dotenv, dotenv_spaces_around_equals);
    tcase_add_test(dotenv, dotenv_export_prefix);
    tcase_add_test(dotenv, dotenv_comments_and_blank_lines);
    tcase_add_test(dotenv, dotenv_crlf_line_endings);
    tcase_add_test(dotenv, dotenv_double_quotes_escapes);
    tcase_add_test(dotenv, dotenv_single_quotes_literal);
    tcase_add_test(dotenv, dotenv_unquoted_comment_stripped);
    tcase_add_test(dotenv, dotenv_unquoted_hash_inside_value_kept);
    tcase_add_test(dotenv, dotenv_later_line_wins);
    tcase_add_test(dotenv, dotenv_line_without_equals_names_line);
    tcase_add_test(dotenv, dotenv_invalid_name_hides_value);
    tcase_add_test(dotenv, dotenv_name_starting_with_digit_error);
    tcase_add_test(dotenv, dotenv_unterminated_double_quote);
    tcase_add_test(dotenv, dotenv_escaped_closing_quote_unterminated);
    tcase_add_test(dotenv, dotenv_unterminated_single_quote);
    tcase_add_test(dotenv, dotenv_load_file);
    tcase_add_test(dotenv, dotenv_load_error_names_file);
    suite_add_tcase(suite, dotenv);

    tcase_add_checked_fixture(project, test_pool_setup, test_pool_teardown);
    tcase_add_test(project, project_name_and_variables);
    tcase_add_test(project, project_without_name);
    tcase_add_test(project, project_without_variables);
    tcase_add_test(project, project_other_members_ignored);
    tcase_add_test(project, project_variables_not_object_error);
    tcase_add_test(project, project_variable_null_error);
    tcase_add_test(project, project_variable_object_error);
    tcase_add_test(project, project_name_not_string_error);
    tcase_add_test(project, project_empty_name_error);
    tcase_add_test(project, project_invalid_json_error);
    tcase_add_test(project, project_not_object_error);
    tcase_add_test(project, project_empty_file_error);
    tcase_add_test(project, project_missing_file_error);
    suite_add_tcase(suite, project);
    return suite;
}
