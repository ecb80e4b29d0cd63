/* test_main.c: runs every Check suite of the runtime core. */
#include <stdlib.h>

#include <apr_general.h>

#include "test_suites.h"

int main(void)
{
    SRunner *runner;
    int failed;

    apr_initialize();
    runner = srunner_create(route_suite());
    srunner_add_suite(runner, request_suite());
    srunner_add_suite(runner, response_suite());
    srunner_add_suite(runner, function_suite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
