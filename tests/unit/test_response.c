#include "test_suites.h"
#include "sinchfn_core.h"

START_TEST(placeholder_response) { ck_assert_int_eq(1, 1); }
END_TEST

Suite *response_suite(void)
{
    Suite *suite = suite_create("response");
    TCase *tcase = tcase_create("response");

    tcase_add_test(tcase, placeholder_response);
    suite_add_tcase(suite, tcase);
    return suite;
}
