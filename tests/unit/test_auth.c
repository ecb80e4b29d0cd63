/* test_auth.c: Basic auth, bearer tokens, access tokens in query strings, constant-time
 * comparison and the protected and signed lists of an export table. */
#include <string.h>

#include <apr_base64.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_ctx *make_ctx(void)
{
    sinchfn_ctx *ctx = apr_pcalloc(test_pool, sizeof(*ctx));

    ctx->pool = test_pool;
    ctx->variables = apr_hash_make(test_pool);
    ctx->secrets = apr_hash_make(test_pool);
    return ctx;
}

static void set_variable(sinchfn_ctx *ctx, const char *name, const char *value)
{
    apr_hash_set(ctx->variables, name, APR_HASH_KEY_STRING, value);
}

static const char *basic(const char *credentials)
{
    char *encoded = apr_palloc(test_pool, (apr_size_t)apr_base64_encode_len((int)strlen(credentials)));

    apr_base64_encode(encoded, credentials, (int)strlen(credentials));
    return apr_pstrcat(test_pool, "Basic ", encoded, NULL);
}

/* ---- constant-time comparison ---- */

START_TEST(secure_equals_cases)
{
    ck_assert(sinchfn_secure_equals("secret", "secret"));
    ck_assert(sinchfn_secure_equals("", ""));
    ck_assert(!sinchfn_secure_equals("secret", "secreT"));
    ck_assert(!sinchfn_secure_equals("secret", "secret2"));
    ck_assert(!sinchfn_secure_equals("secret", ""));
    ck_assert(!sinchfn_secure_equals(NULL, "secret"));
    ck_assert(!sinchfn_secure_equals("secret", NULL));
}
END_TEST

START_TEST(public_length_equals_cases)
{
    ck_assert(sinchfn_public_length_equals("c2lnbmF0dXJl", "c2lnbmF0dXJl"));
    ck_assert(sinchfn_public_length_equals("", ""));
    ck_assert(!sinchfn_public_length_equals("c2lnbmF0dXJl", "c2lnbmF0dXJL"));
    ck_assert(!sinchfn_public_length_equals("c2lnbmF0dXJl", "c2lnbmF0dXJlAA"));
    ck_assert(!sinchfn_public_length_equals("c2lnbmF0dXJl", ""));
    ck_assert(!sinchfn_public_length_equals(NULL, "c2lnbmF0dXJl"));
    ck_assert(!sinchfn_public_length_equals("c2lnbmF0dXJl", NULL));
}
END_TEST

/* ---- Basic auth ---- */

START_TEST(parse_basic_valid)
{
    const char *user = NULL, *password = NULL;

    ck_assert_ptr_null(sinchfn_parse_basic(test_pool, basic("admin:pa:ss"), &user, &password));
    ck_assert_str_eq(user, "admin");
    ck_assert_str_eq(password, "pa:ss");
    ck_assert_ptr_null(sinchfn_parse_basic(test_pool, "bAsIc YWRtaW46", &user, &password));
    ck_assert_str_eq(user, "admin");
    ck_assert_str_eq(password, "");
}
END_TEST

START_TEST(parse_basic_invalid)
{
    const char *user, *password;

    ck_assert_str_eq(sinchfn_parse_basic(test_pool, "Bearer abc", &user, &password),
                     "the Authorization scheme is not Basic");
    ck_assert_str_eq(sinchfn_parse_basic(test_pool, "Basic admin:secret", &user, &password),
                     "the Basic credentials are not padded base64");
    ck_assert_str_eq(sinchfn_parse_basic(test_pool, "Basic  YWRtaW46", &user, &password),
                     "the Basic credentials are not padded base64");
    ck_assert_str_eq(sinchfn_parse_basic(test_pool, "Basic YWRtaW4=", &user, &password),
                     "the Basic credentials are not USER:PASSWORD");
    ck_assert_str_eq(sinchfn_parse_basic(test_pool, "Basic YQBiOmM=", &user, &password),
                     "the Basic credentials contain a NUL byte");
}
END_TEST

START_TEST(basic_auth_project_key)
{
    sinchfn_ctx *ctx = make_ctx();

    set_variable(ctx, "PROJECT_ID_API_KEY", "key-1");
    set_variable(ctx, "PROJECT_ID_API_SECRET", "secret-1");
    ck_assert_ptr_null(sinchfn_basic_missing_variables(test_pool, ctx));
    ck_assert_ptr_null(sinchfn_basic_auth_check(test_pool, ctx, basic("key-1:secret-1")));
    ck_assert_str_eq(sinchfn_basic_auth_check(test_pool, ctx, basic("key-1:secret-2")), "the user or password is wrong");
    ck_assert_str_eq(sinchfn_basic_auth_check(test_pool, ctx, basic("key-2:secret-1")), "the user or password is wrong");
    ck_assert_str_eq(sinchfn_basic_auth_check(test_pool, ctx, NULL), "the Authorization header is missing");
}
END_TEST

START_TEST(basic_auth_admin_pair_from_secrets)
{
    sinchfn_ctx *ctx = make_ctx();

    apr_hash_set(ctx->secrets, "ADMIN_USER", APR_HASH_KEY_STRING, "admin");
    apr_hash_set(ctx->secrets, "ADMIN_PASSWORD", APR_HASH_KEY_STRING, "hunter2");
    ck_assert_ptr_null(sinchfn_basic_auth_check(test_pool, ctx, basic("admin:hunter2")));
    ck_assert_ptr_nonnull(sinchfn_basic_auth_check(test_pool, ctx, basic("admin:hunter3")));
}
END_TEST

START_TEST(basic_auth_either_pair)
{
    sinchfn_ctx *ctx = make_ctx();

    set_variable(ctx, "PROJECT_ID_API_KEY", "key-1");
    set_variable(ctx, "PROJECT_ID_API_SECRET", "secret-1");
    set_variable(ctx, "ADMIN_USER", "admin");
    set_variable(ctx, "ADMIN_PASSWORD", "hunter2");
    ck_assert_ptr_null(sinchfn_basic_auth_check(test_pool, ctx, basic("key-1:secret-1")));
    ck_assert_ptr_null(sinchfn_basic_auth_check(test_pool, ctx, basic("admin:hunter2")));
    ck_assert_ptr_nonnull(sinchfn_basic_auth_check(test_pool, ctx, basic("admin:secret-1")));
}
END_TEST

START_TEST(basic_missing_variables_named)
{
    sinchfn_ctx *ctx = make_ctx();
    const char *missing;

    set_variable(ctx, "PROJECT_ID_API_KEY", "key-1");
    set_variable(ctx, "ADMIN_PASSWORD", "");
    missing = sinchfn_basic_missing_variables(test_pool, ctx);
    ck_assert_ptr_nonnull(missing);
    ck_assert_ptr_nonnull(strstr(missing, "(missing or empty: PROJECT_ID_API_SECRET, ADMIN_USER, ADMIN_PASSWORD)"));
    ck_assert_ptr_nonnull(sinchfn_basic_auth_check(test_pool, ctx, basic("key-1:")));
}
END_TEST

/* ---- bearer tokens and query strings ---- */

START_TEST(bearer_token_read)
{
    sinchfn_request *request = sinchfn_request_create(test_pool, "GET", "/", apr_table_make(test_pool, 1));

    ck_assert_ptr_null(sinchfn_request_bearer_token(request));
    apr_table_set(request->headers, "Authorization", "Bearer abc.DEF-123_~+/==");
    ck_assert_str_eq(sinchfn_request_bearer_token(request), "abc.DEF-123_~+/==");
    apr_table_set(request->headers, "Authorization", "bearer tok");
    ck_assert_str_eq(sinchfn_request_bearer_token(request), "tok");
    apr_table_set(request->headers, "Authorization", "Bearer  tok");
    ck_assert_ptr_null(sinchfn_request_bearer_token(request));
    apr_table_set(request->headers, "Authorization", "Bearer a=b");
    ck_assert_ptr_null(sinchfn_request_bearer_token(request));
    apr_table_set(request->headers, "Authorization", "Basic YWRtaW46");
    ck_assert_ptr_null(sinchfn_request_bearer_token(request));
}
END_TEST

START_TEST(query_access_token_found)
{
    ck_assert(sinchfn_query_has_access_token(test_pool, "access_token=abc"));
    ck_assert(sinchfn_query_has_access_token(test_pool, "a=1&access_token=abc&b=2"));
    ck_assert(sinchfn_query_has_access_token(test_pool, "access%5Ftoken=abc"));
    ck_assert(sinchfn_query_has_access_token(test_pool, "access_token"));
    ck_assert(!sinchfn_query_has_access_token(test_pool, "x_access_token=abc"));
    ck_assert(!sinchfn_query_has_access_token(test_pool, "token=abc"));
    ck_assert(!sinchfn_query_has_access_token(test_pool, ""));
    ck_assert(!sinchfn_query_has_access_token(test_pool, NULL));
}
END_TEST

START_TEST(query_access_token_redacted)
{
    ck_assert_str_eq(sinchfn_redact_access_token(test_pool, "a=1&access_token=abc&b=2"),
                     "a=1&access_token=REDACTED&b=2");
    ck_assert_str_eq(sinchfn_redact_access_token(test_pool, "access%5Ftoken=abc&access_token=def"),
                     "access%5Ftoken=REDACTED&access_token=REDACTED");
    ck_assert_str_eq(sinchfn_redact_access_token(test_pool, "a=1"), "a=1");
}
END_TEST

/* ---- declared protection ---- */

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

static const sinchfn_export exports[] = {
    { "admin", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    { "stats", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    { "verification", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    { "conversationWebhook", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    { "health", SINCHFN_KIND_ENDPOINT, endpoint_stub, NULL },
    { "ice", SINCHFN_KIND_VOICE, NULL, voice_stub },
};

/* Checks the table of the exports above with the two lists; returns the problem or NULL. */
static const char *check_lists(const char *const *protected_names, const char *const *signed_names,
                               sinchfn_protection *protection)
{
    sinchfn_function table = { SINCHFN_ABI_VERSION, exports, sizeof(exports) / sizeof(exports[0]), protected_names,
                               signed_names };
    apr_hash_t *hash = NULL;

    ck_assert_ptr_null(sinchfn_function_check(test_pool, &table, &hash));
    return sinchfn_function_check_protection(test_pool, &table, hash, protection);
}

START_TEST(protection_lists_valid)
{
    static const char *const protected_names[] = { "admin", "stats", NULL };
    static const char *const signed_names[] = { "verification", NULL };
    sinchfn_protection protection;

    ck_assert_ptr_null(check_lists(protected_names, signed_names, &protection));
    ck_assert(sinchfn_route_is_protected(&protection, "admin"));
    ck_assert(sinchfn_route_is_protected(&protection, "stats"));
    ck_assert(!sinchfn_route_is_protected(&protection, "verification"));
    ck_assert(!sinchfn_route_is_protected(&protection, "nosuch"));
    ck_assert(sinchfn_route_is_signed(&protection, "verification"));
    ck_assert(!sinchfn_route_is_signed(&protection, "admin"));
}
END_TEST

START_TEST(protection_lists_absent)
{
    sinchfn_protection protection;

    ck_assert_ptr_null(check_lists(NULL, NULL, &protection));
    ck_assert(!sinchfn_route_is_protected(&protection, "admin"));
    ck_assert(!sinchfn_route_is_signed(&protection, "verification"));
}
END_TEST

START_TEST(protection_star_exempts_callbacks)
{
    static const char *const all[] = { "*", NULL };
    sinchfn_protection protection;

    ck_assert_ptr_null(check_lists(all, NULL, &protection));
    ck_assert(sinchfn_route_is_protected(&protection, "admin"));
    ck_assert(sinchfn_route_is_protected(&protection, "nosuch"));
    ck_assert(sinchfn_route_is_protected(&protection, "default"));
    ck_assert(!sinchfn_route_is_protected(&protection, "ice"));
    ck_assert(!sinchfn_route_is_protected(&protection, "notify"));
    ck_assert(!sinchfn_route_is_protected(&protection, "conversationWebhook"));
    ck_assert(!sinchfn_route_is_protected(&protection, "health"));
}
END_TEST

START_TEST(protection_lists_rejected)
{
    static const char *const star_and_name[] = { "*", "admin", NULL };
    static const char *const not_export[] = { "admin", "nosuch", NULL };
    static const char *const twice[] = { "admin", "admin", NULL };
    static const char *const voice[] = { "ice", NULL };
    static const char *const webhook[] = { "conversationWebhook", NULL };
    static const char *const health[] = { "health", NULL };
    static const char *const star[] = { "*", NULL };
    sinchfn_protection protection;

    ck_assert_ptr_nonnull(strstr(check_lists(star_and_name, NULL, &protection), "give \"*\" alone"));
    ck_assert_ptr_nonnull(strstr(check_lists(not_export, NULL, &protection),
                                 "SINCHFN_PROTECT() names 'nosuch', which is not an export"));
    ck_assert_ptr_nonnull(strstr(check_lists(twice, NULL, &protection), "names 'admin' twice"));
    ck_assert_ptr_nonnull(strstr(check_lists(voice, NULL, &protection), "names 'ice', which Basic auth never gates"));
    ck_assert_ptr_nonnull(strstr(check_lists(webhook, NULL, &protection), "'conversationWebhook', which Basic auth"));
    ck_assert_ptr_nonnull(strstr(check_lists(health, NULL, &protection), "'health', which Basic auth"));
    ck_assert_ptr_nonnull(strstr(check_lists(NULL, not_export, &protection),
                                 "SINCHFN_SIGNED() names 'nosuch', which is not an export"));
    ck_assert_ptr_nonnull(strstr(check_lists(NULL, voice, &protection), "'ice', whose signature is always checked"));
    ck_assert_ptr_nonnull(strstr(check_lists(NULL, webhook, &protection), "'conversationWebhook', whose signature"));
    ck_assert_ptr_nonnull(strstr(check_lists(NULL, star, &protection), "names '*', which is not an export"));
}
END_TEST

START_TEST(protection_wrong_abi_rejected_first)
{
    static const char *const not_export[] = { "nosuch", NULL };
    sinchfn_function table = { 1, exports, 1, not_export, NULL };
    apr_hash_t *hash = NULL;
    const char *problem = sinchfn_function_check(test_pool, &table, &hash);

    ck_assert_ptr_nonnull(problem);
    ck_assert_ptr_nonnull(strstr(problem, "built for ABI version 1 but this mod_sinchfn loads version 2"));
}
END_TEST

Suite *auth_suite(void)
{
    Suite *suite = suite_create("auth");
    TCase *credentials = tcase_create("credentials");
    TCase *declared = tcase_create("declared protection");

    tcase_add_checked_fixture(credentials, test_pool_setup, test_pool_teardown);
    tcase_add_test(credentials, secure_equals_cases);
    tcase_add_test(credentials, public_length_equals_cases);
    tcase_add_test(credentials, parse_basic_valid);
    tcase_add_test(credentials, parse_basic_invalid);
    tcase_add_test(credentials, basic_auth_project_key);
    tcase_add_test(credentials, basic_auth_admin_pair_from_secrets);
    tcase_add_test(credentials, basic_auth_either_pair);
    tcase_add_test(credentials, basic_missing_variables_named);
    tcase_add_test(credentials, bearer_token_read);
    tcase_add_test(credentials, query_access_token_found);
    tcase_add_test(credentials, query_access_token_redacted);
    suite_add_tcase(suite, credentials);

    tcase_add_checked_fixture(declared, test_pool_setup, test_pool_teardown);
    tcase_add_test(declared, protection_lists_valid);
    tcase_add_test(declared, protection_lists_absent);
    tcase_add_test(declared, protection_star_exempts_callbacks);
    tcase_add_test(declared, protection_lists_rejected);
    tcase_add_test(declared, protection_wrong_abi_rejected_first);
    suite_add_tcase(suite, declared);
    return suite;
}
