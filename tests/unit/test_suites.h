/* test_suites.h: the Check suites of the runtime core, one per source area, and the
 * per-test APR pool they share. */
#ifndef TEST_SUITES_H
#define TEST_SUITES_H

#include <check.h>

#include <apr_pools.h>

/* A fresh pool for each test, created by test_pool_setup and destroyed by
 * test_pool_teardown (add both with tcase_add_checked_fixture). */
extern apr_pool_t *test_pool;
void test_pool_setup(void);
void test_pool_teardown(void);

Suite *route_suite(void);
Suite *request_suite(void);
Suite *response_suite(void);
Suite *voice_suite(void);
Suite *function_suite(void);
Suite *context_suite(void);
Suite *dispatch_suite(void);
Suite *cache_suite(void);
Suite *auth_suite(void);
Suite *signature_suite(void);

#endif
