#include "test_suites.h"
#include "sinchfn_core.h"

START_TEST(placeholder_request) { ck_assert_int_eq(1, 1); }
END_TEST

Suite *request_suite(void)
{
    Suite *suite = suite_create("request");
    TCase *tcase = tcase_create("request");

    tcase_add_test(tcase, placeholder_request);
    suite_add_tcase(suite, tcase);
    return suite;
}
