/* test_suites.h: the Check suites of the runtime core, one per source area, and the
 * per-test APR pool they share. */
#ifndef TEST_SUITES_H
#define TEST_SUITES_H

#include <check.h>

#include <apr_pools.h>
#include <json-c/json.h>

/* A fresh pool for each test, created by test_pool_setup and destroyed by
 * test_pool_teardown (add both with tcase_add_checked_fixture). */
extern apr_pool_t *test_pool;
void test_pool_setup(void);
void test_pool_teardown(void);

/* Directory of the Sinch SDK reference vectors in the source tree. */
#define PEER_CASES_DIR SINCHFN_SOURCE_DIR "/tests/vectors"

/* Reads the JSON file PEER_CASES_DIR/relative_path. Returns NULL and sets *problem to a
 * message naming the path when the file is absent or invalid. The caller owns the value. */
json_object *test_load_vector(const char *relative_path, const char **problem);
/* Returns the body text of a callback payload file: its raw_body when that is a string,
 * else its payload serialized. Fails the test when the file cannot be read. */
const char *test_payload_body(const char *relative_path);

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
Suite *event_suite(void);
Suite *svaml_suite(void);
Suite *svaml_cases_suite(void);
Suite *menu_suite(void);
Suite *conversation_suite(void);
Suite *public_suite(void);

#endif
