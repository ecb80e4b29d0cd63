/* test_route.c: sinchfn_route_resolve, from raw request path and Location to route. */
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_route route;

/* Resolves path below location into `route` and returns the client error, or NULL. */
static const sinchfn_client_error *resolve(const char *path, const char *location)
{
    route.kind = (sinchfn_route_kind)-1;
    route.name = NULL;
    return sinchfn_route_resolve(test_pool, path, location, &route);
}

/* ---- last segment below the Location ---- */

START_TEST(route_last_segment)
{
    ck_assert_ptr_null(resolve("/status", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_trailing_slash_ignored)
{
    ck_assert_ptr_null(resolve("/status/", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_deep_path_uses_last_segment)
{
    ck_assert_ptr_null(resolve("/x/y/status", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_empty_segments_dropped)
{
    ck_assert_ptr_null(resolve("//x//status//", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_below_location)
{
    ck_assert_ptr_null(resolve("/fn/status", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_deep_below_location)
{
    ck_assert_ptr_null(resolve("/fn/x/y/status/", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_location_with_trailing_slash)
{
    ck_assert_ptr_null(resolve("/fn/status", "/fn/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

/* ---- voice callbacks ---- */

START_TEST(route_voice_last_segment)
{
    ck_assert_ptr_null(resolve("/sinch/callback/ace", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_VOICE);
    ck_assert_str_eq(route.name, "ace");
}
END_TEST

START_TEST(route_voice_anywhere)
{
    ck_assert_ptr_null(resolve("/ice/status", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_VOICE);
    ck_assert_str_eq(route.name, "ice");
}
END_TEST

START_TEST(route_voice_below_location)
{
    ck_assert_ptr_null(resolve("/fn/pie/x", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_VOICE);
    ck_assert_str_eq(route.name, "pie");
}
END_TEST

START_TEST(route_voice_all_five_names)
{
    static const char *const names[] = { "ice", "ace", "pie", "dice", "notify" };
    unsigned int i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ck_assert_ptr_null(resolve(apr_pstrcat(test_pool, "/cb/", names[i], "/x", NULL), "/"));
        ck_assert_int_eq(route.kind, SINCHFN_ROUTE_VOICE);
        ck_assert_str_eq(route.name, names[i]);
    }
}
END_TEST

START_TEST(route_voice_case_sensitive)
{
    ck_assert_ptr_null(resolve("/ICE", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "ICE");
}
END_TEST

START_TEST(route_voice_whole_segment_only)
{
    ck_assert_ptr_null(resolve("/notice", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "notice");
}
END_TEST

START_TEST(route_is_voice_name)
{
    ck_assert_int_eq(sinchfn_is_voice_name("ice"), 1);
    ck_assert_int_eq(sinchfn_is_voice_name("ace"), 1);
    ck_assert_int_eq(sinchfn_is_voice_name("pie"), 1);
    ck_assert_int_eq(sinchfn_is_voice_name("dice"), 1);
    ck_assert_int_eq(sinchfn_is_voice_name("notify"), 1);
    ck_assert_int_eq(sinchfn_is_voice_name("Ice"), 0);
    ck_assert_int_eq(sinchfn_is_voice_name("status"), 0);
    ck_assert_int_eq(sinchfn_is_voice_name(""), 0);
}
END_TEST

/* ---- webhooks ---- */

START_TEST(route_webhook_service)
{
    ck_assert_ptr_null(resolve("/webhook/conversation", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "conversationWebhook");
}
END_TEST

START_TEST(route_webhook_dashed_service_camel_case)
{
    ck_assert_ptr_null(resolve("/webhook/sms-inbound", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "smsInboundWebhook");
}
END_TEST

START_TEST(route_webhook_below_location)
{
    ck_assert_ptr_null(resolve("/fn/webhook/conversation", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "conversationWebhook");
}
END_TEST

START_TEST(route_webhook_alone_is_export)
{
    ck_assert_ptr_null(resolve("/fn/webhook", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "webhook");
}
END_TEST

/* ---- the Location itself ---- */

START_TEST(route_root_location_slash)
{
    ck_assert_ptr_null(resolve("/", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_ROOT);
    ck_assert_str_eq(route.name, "default");
}
END_TEST

START_TEST(route_root_location_fn)
{
    ck_assert_ptr_null(resolve("/fn", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_ROOT);
    ck_assert_str_eq(route.name, "default");
}
END_TEST

START_TEST(route_root_location_fn_trailing_slash)
{
    ck_assert_ptr_null(resolve("/fn/", "/fn"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_ROOT);
    ck_assert_str_eq(route.name, "default");
}
END_TEST

START_TEST(route_root_location_declared_with_slash)
{
    ck_assert_ptr_null(resolve("/fn", "/fn/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_ROOT);
    ck_assert_str_eq(route.name, "default");
}
END_TEST

/* ---- case and percent-decoding ---- */

START_TEST(route_case_sensitive)
{
    ck_assert_ptr_null(resolve("/Status", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "Status");
}
END_TEST

START_TEST(route_encoded_slash_stays_in_segment)
{
    ck_assert_ptr_null(resolve("/a%2Fstatus", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "a/status");
}
END_TEST

START_TEST(route_encoded_slash_lower_case_hex)
{
    ck_assert_ptr_null(resolve("/a%2fstatus", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "a/status");
}
END_TEST

START_TEST(route_percent_decoded)
{
    ck_assert_ptr_null(resolve("/st%61tus", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_encoded_voice_name_is_voice)
{
    ck_assert_ptr_null(resolve("/%69ce", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_VOICE);
    ck_assert_str_eq(route.name, "ice");
}
END_TEST

START_TEST(route_plus_not_space)
{
    ck_assert_ptr_null(resolve("/a+b", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "a+b");
}
END_TEST

START_TEST(route_invalid_escape_400)
{
    const sinchfn_client_error *error = resolve("/a%zz", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "percent-encoding"));
}
END_TEST

START_TEST(route_truncated_escape_400)
{
    const sinchfn_client_error *error = resolve("/status%2", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

/* ---- dot segments and NUL ---- */

START_TEST(route_dot_dot_removes_segment)
{
    ck_assert_ptr_null(resolve("/a/../status", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_dot_dropped)
{
    ck_assert_ptr_null(resolve("/./status/.", "/"));
    ck_assert_int_eq(route.kind, SINCHFN_ROUTE_EXPORT);
    ck_assert_str_eq(route.name, "status");
}
END_TEST

START_TEST(route_dot_dot_above_root_400)
{
    const sinchfn_client_error *error = resolve("/..", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(route_second_dot_dot_400)
{
    const sinchfn_client_error *error = resolve("/a/../../status", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(route_encoded_dot_dot_400)
{
    const sinchfn_client_error *error = resolve("/%2e%2e", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(route_encoded_dot_400)
{
    const sinchfn_client_error *error = resolve("/a/%2E/status", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(route_encoded_nul_400)
{
    const sinchfn_client_error *error = resolve("/a%00b", "/");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(route_dot_dot_cannot_leave_location)
{
    const sinchfn_client_error *error = resolve("/fn/../status", "/fn");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 404);
}
END_TEST

/* ---- outside the Location ---- */

START_TEST(route_other_prefix_404)
{
    const sinchfn_client_error *error = resolve("/other/status", "/fn");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 404);
}
END_TEST

START_TEST(route_prefix_match_is_by_segment_404)
{
    const sinchfn_client_error *error = resolve("/fnord/status", "/fn");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 404);
}
END_TEST

START_TEST(route_shorter_than_location_404)
{
    const sinchfn_client_error *error = resolve("/", "/fn");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 404);
}
END_TEST

START_TEST(route_voice_above_location_404)
{
    const sinchfn_client_error *error = resolve("/ice/status", "/fn");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 404);
}
END_TEST

Suite *route_suite(void)
{
    Suite *suite = suite_create("route");
    TCase *segments = tcase_create("segments");
    TCase *voice = tcase_create("voice");
    TCase *webhook = tcase_create("webhook");
    TCase *root = tcase_create("root");
    TCase *decoding = tcase_create("decoding");
    TCase *dots = tcase_create("dots");
    TCase *outside = tcase_create("outside");

    tcase_add_checked_fixture(segments, test_pool_setup, test_pool_teardown);
    tcase_add_test(segments, route_last_segment);
    tcase_add_test(segments, route_trailing_slash_ignored);
    tcase_add_test(segments, route_deep_path_uses_last_segment);
    tcase_add_test(segments, route_empty_segments_dropped);
    tcase_add_test(segments, route_below_location);
    tcase_add_test(segments, route_deep_below_location);
    tcase_add_test(segments, route_location_with_trailing_slash);
    suite_add_tcase(suite, segments);

    tcase_add_checked_fixture(voice, test_pool_setup, test_pool_teardown);
    tcase_add_test(voice, route_voice_last_segment);
    tcase_add_test(voice, route_voice_anywhere);
    tcase_add_test(voice, route_voice_below_location);
    tcase_add_test(voice, route_voice_all_five_names);
    tcase_add_test(voice, route_voice_case_sensitive);
    tcase_add_test(voice, route_voice_whole_segment_only);
    tcase_add_test(voice, route_is_voice_name);
    suite_add_tcase(suite, voice);

    tcase_add_checked_fixture(webhook, test_pool_setup, test_pool_teardown);
    tcase_add_test(webhook, route_webhook_service);
    tcase_add_test(webhook, route_webhook_dashed_service_camel_case);
    tcase_add_test(webhook, route_webhook_below_location);
    tcase_add_test(webhook, route_webhook_alone_is_export);
    suite_add_tcase(suite, webhook);

    tcase_add_checked_fixture(root, test_pool_setup, test_pool_teardown);
    tcase_add_test(root, route_root_location_slash);
    tcase_add_test(root, route_root_location_fn);
    tcase_add_test(root, route_root_location_fn_trailing_slash);
    tcase_add_test(root, route_root_location_declared_with_slash);
    suite_add_tcase(suite, root);

    tcase_add_checked_fixture(decoding, test_pool_setup, test_pool_teardown);
    tcase_add_test(decoding, route_case_sensitive);
    tcase_add_test(decoding, route_encoded_slash_stays_in_segment);
    tcase_add_test(decoding, route_encoded_slash_lower_case_hex);
    tcase_add_test(decoding, route_percent_decoded);
    tcase_add_test(decoding, route_encoded_voice_name_is_voice);
    tcase_add_test(decoding, route_plus_not_space);
    tcase_add_test(decoding, route_invalid_escape_400);
    tcase_add_test(decoding, route_truncated_escape_400);
    suite_add_tcase(suite, decoding);

    tcase_add_checked_fixture(dots, test_pool_setup, test_pool_teardown);
    tcase_add_test(dots, route_dot_dot_removes_segment);
    tcase_add_test(dots, route_dot_dropped);
    tcase_add_test(dots, route_dot_dot_above_root_400);
    tcase_add_test(dots, route_second_dot_dot_400);
    tcase_add_test(dots, route_encoded_dot_dot_400);
    tcase_add_test(dots, route_encoded_dot_400);
    tcase_add_test(dots, route_encoded_nul_400);
    tcase_add_test(dots, route_dot_dot_cannot_leave_location);
    suite_add_tcase(suite, dots);

    tcase_add_checked_fixture(outside, test_pool_setup, test_pool_teardown);
    tcase_add_test(outside, route_other_prefix_404);
    tcase_add_test(outside, route_prefix_match_is_by_segment_404);
    tcase_add_test(outside, route_shorter_than_location_404);
    tcase_add_test(outside, route_voice_above_location_404);
    suite_add_tcase(suite, outside);
    return suite;
}
