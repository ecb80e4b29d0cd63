/* test_main.c: runs every Check suite of the runtime core and provides their pool fixture. */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "test_suites.h"

apr_pool_t *test_pool;

void test_pool_setup(void)
{
    ck_assert_int_eq(apr_pool_create(&test_pool, NULL), APR_SUCCESS);
}

void test_pool_teardown(void)
{
    apr_pool_destroy(test_pool);
    test_pool = NULL;
}

json_object *test_load_vector(const char *relative_path, const char **problem)
{
    /* Suites load vectors while they are built, before any test pool exists. */
    static apr_pool_t *pool;
    const char *path;
    json_object *value;

    if (!pool)
        apr_pool_create(&pool, NULL);
    path = apr_pstrcat(pool, PEER_CASES_DIR "/", relative_path, NULL);
    value = json_object_from_file(path);
    if (!value)
        *problem = apr_psprintf(pool, "cannot read the reference vector %s (%s); the tests expect the Sinch "
                                "SDK vectors in %s", path, json_util_get_last_err(), PEER_CASES_DIR);
    return value;
}

const char *test_payload_body(const char *relative_path)
{
    const char *problem = NULL;
    json_object *file = test_load_vector(relative_path, &problem);
    json_object *raw, *payload;
    const char *body;

    ck_assert_msg(file != NULL, "%s", problem);
    if (json_object_object_get_ex(file, "raw_body", &raw) && json_object_is_type(raw, json_type_string))
        body = apr_pstrdup(test_pool, json_object_get_string(raw));
    else if (json_object_object_get_ex(file, "payload", &payload))
        body = apr_pstrdup(test_pool, json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN));
    else
        body = NULL;
    json_object_put(file);
    ck_assert_msg(body != NULL, "%s has neither a raw_body string nor a payload", relative_path);
    return body;
}

int main(void)
{
    SRunner *runner;
    int failed;

    apr_initialize();
    runner = srunner_create(route_suite());
    srunner_add_suite(runner, request_suite());
    srunner_add_suite(runner, response_suite());
    srunner_add_suite(runner, voice_suite());
    srunner_add_suite(runner, function_suite());
    srunner_add_suite(runner, context_suite());
    srunner_add_suite(runner, dispatch_suite());
    srunner_add_suite(runner, cache_suite());
    srunner_add_suite(runner, auth_suite());
    srunner_add_suite(runner, signature_suite());
    srunner_add_suite(runner, event_suite());
    srunner_add_suite(runner, svaml_suite());
    srunner_add_suite(runner, svaml_cases_suite());
    srunner_add_suite(runner, menu_suite());
    srunner_add_suite(runner, conversation_suite());
    srunner_add_suite(runner, public_suite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
