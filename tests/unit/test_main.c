/* test_main.c: runs every Check suite of the runtime core and provides their pool fixture. */
#include <stdlib.h>

#include <apr_general.h>

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
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
