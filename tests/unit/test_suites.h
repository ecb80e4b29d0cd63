/* test_suites.h: the Check suites of the runtime core, one per source area. */
#ifndef TEST_SUITES_H
#define TEST_SUITES_H

#include <check.h>

Suite *route_suite(void);
Suite *request_suite(void);
Suite *response_suite(void);
Suite *function_suite(void);

#endif
