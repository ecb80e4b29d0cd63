/* test_context.c: log level filtering, variables and secrets, and sinchfn_fail in the handler context. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

/* The lines a test sink received. */
typedef struct {
    int count;
    int level;
    const char *tag;
    const char *message;
} captured_log;

static sinchfn_ctx ctx;
static captured_log captured;

static void capture_sink(void *baton, int level, const char *tag, const char *message)
{
    captured_log *log = baton;

    log->count++;
    log->level = level;
    log->tag = apr_pstrdup(test_pool, tag);
    log->message = apr_pstrdup(test_pool, message);
}

static void create_context(void)
{
    test_pool_setup();
    memset(&ctx, 0, sizeof(ctx));
    memset(&captured, 0, sizeof(captured));
    ctx.pool = test_pool;
    ctx.function_name = "example";
    ctx.environment = "development";
    ctx.request_id = "req-1";
    ctx.process_start = apr_time_now();
    ctx.variables = apr_hash_make(test_pool);
    ctx.secrets = apr_hash_make(test_pool);
    ctx.log_level = SINCHFN_LOG_INFO;
    ctx.log_sink = capture_sink;
    ctx.log_baton = &captured;
}

/* ---- logging ---- */

START_TEST(log_below_level_dropped)
{
    sinchfn_log(&ctx, SINCHFN_LOG_DEBUG, "SFN0101", "detail %d", 1);
    ck_assert_int_eq(captured.count, 0);
}
END_TEST

START_TEST(log_at_level_sent)
{
    sinchfn_log(&ctx, SINCHFN_LOG_INFO, "SFN0101", "value=%d name=%s", 5, "x");
    ck_assert_int_eq(captured.count, 1);
    ck_assert_int_eq(captured.level, SINCHFN_LOG_INFO);
    ck_assert_str_eq(captured.tag, "SFN0101");
    ck_assert_str_eq(captured.message, "value=5 name=x");
}
END_TEST

START_TEST(log_more_severe_sent)
{
    sinchfn_log(&ctx, SINCHFN_LOG_WARN, "SFN0102", "w");
    sinchfn_log(&ctx, SINCHFN_LOG_ERROR, "SFN0103", "e");
    ck_assert_int_eq(captured.count, 2);
    ck_assert_int_eq(captured.level, SINCHFN_LOG_ERROR);
    ck_assert_str_eq(captured.tag, "SFN0103");
}
END_TEST

START_TEST(log_debug_level_sends_all)
{
    ctx.log_level = SINCHFN_LOG_DEBUG;
    sinchfn_log_debug(&ctx, "d");
    ck_assert_int_eq(captured.count, 1);
    ck_assert_int_eq(captured.level, SINCHFN_LOG_DEBUG);
}
END_TEST

START_TEST(log_error_level_drops_warn)
{
    ctx.log_level = SINCHFN_LOG_ERROR;
    sinchfn_log_warn(&ctx, "w");
    sinchfn_log_info(&ctx, "i");
    ck_assert_int_eq(captured.count, 0);
    sinchfn_log_error(&ctx, "e");
    ck_assert_int_eq(captured.count, 1);
}
END_TEST

START_TEST(log_without_sink_ignored)
{
    ctx.log_sink = NULL;
    sinchfn_log(&ctx, SINCHFN_LOG_ERROR, "SFN0101", "dropped");
    sinchfn_log_error(&ctx, "dropped");
    ck_assert_int_eq(captured.count, 0);
}
END_TEST

START_TEST(log_handler_levels_and_tag)
{
    ctx.log_level = SINCHFN_LOG_DEBUG;
    sinchfn_log_debug(&ctx, "d%d", 1);
    ck_assert_int_eq(captured.level, SINCHFN_LOG_DEBUG);
    ck_assert_str_eq(captured.tag, SINCHFN_TAG_HANDLER);
    ck_assert_str_eq(captured.message, "d1");
    sinchfn_log_info(&ctx, "i");
    ck_assert_int_eq(captured.level, SINCHFN_LOG_INFO);
    ck_assert_str_eq(captured.tag, SINCHFN_TAG_HANDLER);
    sinchfn_log_warn(&ctx, "w");
    ck_assert_int_eq(captured.level, SINCHFN_LOG_WARN);
    ck_assert_str_eq(captured.tag, SINCHFN_TAG_HANDLER);
    sinchfn_log_error(&ctx, "e");
    ck_assert_int_eq(captured.level, SINCHFN_LOG_ERROR);
    ck_assert_str_eq(captured.tag, SINCHFN_TAG_HANDLER);
    ck_assert_int_eq(captured.count, 4);
}
END_TEST

START_TEST(log_levels_match_syslog)
{
    ck_assert_int_eq(SINCHFN_LOG_ERROR, 3);
    ck_assert_int_eq(SINCHFN_LOG_WARN, 4);
    ck_assert_int_eq(SINCHFN_LOG_INFO, 6);
    ck_assert_int_eq(SINCHFN_LOG_DEBUG, 7);
}
END_TEST

START_TEST(fail_returns_error_and_logs)
{
    ck_assert_int_eq(sinchfn_fail(&ctx, "database returned %d", 7), SINCHFN_ERROR);
    ck_assert_int_eq(captured.count, 1);
    ck_assert_int_eq(captured.level, 3);
    ck_assert_str_eq(captured.tag, "SFN0400");
    ck_assert_str_eq(captured.message, "database returned 7");
}
END_TEST

START_TEST(fail_without_sink_returns_error)
{
    ctx.log_sink = NULL;
    ck_assert_int_eq(sinchfn_fail(&ctx, "x"), SINCHFN_ERROR);
}
END_TEST

/* ---- configuration ---- */

START_TEST(variable_from_variables)
{
    apr_hash_set(ctx.variables, "GREETING", APR_HASH_KEY_STRING, "Hello");
    ck_assert_str_eq(sinchfn_variable(&ctx, "GREETING"), "Hello");
}
END_TEST

START_TEST(variable_falls_back_to_secrets)
{
    apr_hash_set(ctx.secrets, "API_KEY", APR_HASH_KEY_STRING, "k1");
    ck_assert_str_eq(sinchfn_variable(&ctx, "API_KEY"), "k1");
}
END_TEST

START_TEST(variable_wins_over_secret)
{
    apr_hash_set(ctx.variables, "NAME", APR_HASH_KEY_STRING, "from-variables");
    apr_hash_set(ctx.secrets, "NAME", APR_HASH_KEY_STRING, "from-env");
    ck_assert_str_eq(sinchfn_variable(&ctx, "NAME"), "from-variables");
}
END_TEST

START_TEST(variable_case_sensitive)
{
    apr_hash_set(ctx.variables, "NAME", APR_HASH_KEY_STRING, "v");
    ck_assert_ptr_null(sinchfn_variable(&ctx, "name"));
}
END_TEST

START_TEST(variable_missing_null)
{
    ck_assert_ptr_null(sinchfn_variable(&ctx, "MISSING"));
}
END_TEST

START_TEST(variable_without_tables_null)
{
    ctx.variables = NULL;
    ctx.secrets = NULL;
    ck_assert_ptr_null(sinchfn_variable(&ctx, "MISSING"));
    ck_assert_ptr_null(sinchfn_secret(&ctx, "MISSING"));
}
END_TEST

START_TEST(secret_ignores_variables)
{
    apr_hash_set(ctx.variables, "NAME", APR_HASH_KEY_STRING, "v");
    apr_hash_set(ctx.secrets, "TOKEN", APR_HASH_KEY_STRING, "t");
    ck_assert_ptr_null(sinchfn_secret(&ctx, "NAME"));
    ck_assert_str_eq(sinchfn_secret(&ctx, "TOKEN"), "t");
}
END_TEST

START_TEST(context_accessors)
{
    ck_assert_str_eq(sinchfn_function_name(&ctx), "example");
    ck_assert_str_eq(sinchfn_environment(&ctx), "development");
    ck_assert_str_eq(sinchfn_request_id(&ctx), "req-1");
    ck_assert_ptr_eq(sinchfn_pool(&ctx), test_pool);
}
END_TEST

START_TEST(uptime_whole_seconds)
{
    ctx.process_start = apr_time_now() - apr_time_from_sec(5) - apr_time_from_msec(100);
    ck_assert_int_ge(sinchfn_uptime(&ctx), 5);
    ck_assert_int_le(sinchfn_uptime(&ctx), 6);
}
END_TEST

START_TEST(uptime_future_start_zero)
{
    ctx.process_start = apr_time_now() + apr_time_from_sec(60);
    ck_assert_int_eq(sinchfn_uptime(&ctx), 0);
}
END_TEST

START_TEST(json_object_from_pairs)
{
    json_object *object = sinchfn_json_object(&ctx, "a", json_object_new_int(1), "b",
                                              json_object_new_string("x/y"), (const char *)NULL);
    apr_size_t length;

    ck_assert_str_eq(sinchfn_json_serialize(test_pool, object, &length), "{\"a\":1,\"b\":\"x/y\"}");
    json_object_put(object);
}
END_TEST

START_TEST(json_object_empty)
{
    json_object *object = sinchfn_json_object(&ctx, (const char *)NULL);
    apr_size_t length;

    ck_assert_str_eq(sinchfn_json_serialize(test_pool, object, &length), "{}");
    json_object_put(object);
}
END_TEST

Suite *context_suite(void)
{
    Suite *suite = suite_create("context");
    TCase *logging = tcase_create("logging");
    TCase *config = tcase_create("configuration");

    tcase_add_checked_fixture(logging, create_context, test_pool_teardown);
    tcase_add_test(logging, log_below_level_dropped);
    tcase_add_test(logging, log_at_level_sent);
    tcase_add_test(logging, log_more_severe_sent);
    tcase_add_test(logging, log_debug_level_sends_all);
    tcase_add_test(logging, log_error_level_drops_warn);
    tcase_add_test(logging, log_without_sink_ignored);
    tcase_add_test(logging, log_handler_levels_and_tag);
    tcase_add_test(logging, log_levels_match_syslog);
    tcase_add_test(logging, fail_returns_error_and_logs);
    tcase_add_test(logging, fail_without_sink_returns_error);
    suite_add_tcase(suite, logging);

    tcase_add_checked_fixture(config, create_context, test_pool_teardown);
    tcase_add_test(config, variable_from_variables);
    tcase_add_test(config, variable_falls_back_to_secrets);
    tcase_add_test(config, variable_wins_over_secret);
    tcase_add_test(config, variable_case_sensitive);
    tcase_add_test(config, variable_missing_null);
    tcase_add_test(config, variable_without_tables_null);
    tcase_add_test(config, secret_ignores_variables);
    tcase_add_test(config, context_accessors);
    tcase_add_test(config, uptime_whole_seconds);
    tcase_add_test(config, uptime_future_start_zero);
    tcase_add_test(config, json_object_from_pairs);
    tcase_add_test(config, json_object_empty);
    suite_add_tcase(suite, config);
    return suite;
}
