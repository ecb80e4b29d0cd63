/* test_request.c: query decoding and body parsing by media type in the request model. */
#include <stdint.h>
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_request *request;

/* Creates `request`, with a Content-Type header unless content_type is NULL. */
static void create_request(const char *content_type)
{
    apr_table_t *headers = apr_table_make(test_pool, 2);

    if (content_type)
        apr_table_set(headers, "Content-Type", content_type);
    request = sinchfn_request_create(test_pool, "POST", "/fn/status", headers);
}

static const sinchfn_client_error *parse_query(const char *query)
{
    create_request(NULL);
    return sinchfn_request_parse_query(request, query);
}

/* Parses length bytes of body, sent with content_type, into a new `request`. */
static const sinchfn_client_error *parse_body(const char *content_type, const char *body, apr_size_t length)
{
    create_request(content_type);
    return sinchfn_request_parse_body(request, body, length);
}

static const sinchfn_client_error *parse_json(const char *body)
{
    return parse_body("application/json", body, strlen(body));
}

static const sinchfn_param *param_at(const apr_array_header_t *params, int i)
{
    return &APR_ARRAY_IDX(params, i, sinchfn_param);
}

/* Returns depth nested JSON arrays: "[[...]]". */
static const char *nested_arrays(int depth)
{
    char *text = apr_palloc(test_pool, (apr_size_t)depth * 2 + 1);
    int i;

    for (i = 0; i < depth; i++) {
        text[i] = '[';
        text[depth + i] = ']';
    }
    text[depth * 2] = '\0';
    return text;
}

/* ---- accessors ---- */

START_TEST(request_accessors)
{
    create_request("application/json");
    ck_assert_str_eq(sinchfn_request_method(request), "POST");
    ck_assert_str_eq(sinchfn_request_path(request), "/fn/status");
    ck_assert_ptr_null(sinchfn_request_route(request));
    ck_assert_ptr_null(sinchfn_request_json(request));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 0);
    ck_assert_int_eq(sinchfn_request_form_params(request)->nelts, 0);
}
END_TEST

START_TEST(request_without_query_has_empty_params)
{
    ck_assert_ptr_null(parse_query(NULL));
    ck_assert_ptr_null(parse_query(""));
    ck_assert_ptr_nonnull(sinchfn_request_query_params(request));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 0);
    ck_assert_ptr_null(sinchfn_request_query(request, "a"));
    ck_assert_ptr_null(parse_query("a=1"));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 1);
    ck_assert_str_eq(sinchfn_request_query(request, "a"), "1");
}
END_TEST

START_TEST(request_header_case_insensitive)
{
    create_request("text/plain");
    ck_assert_str_eq(sinchfn_request_header(request, "content-type"), "text/plain");
    ck_assert_ptr_null(sinchfn_request_header(request, "X-Missing"));
}
END_TEST

START_TEST(request_without_headers_table)
{
    request = sinchfn_request_create(test_pool, "GET", "/", NULL);
    ck_assert_ptr_nonnull(sinchfn_request_headers(request));
    ck_assert_ptr_null(sinchfn_request_header(request, "Content-Type"));
}
END_TEST

/* ---- query ---- */

START_TEST(query_repeated_keys_in_order)
{
    const apr_array_header_t *params;

    ck_assert_ptr_null(parse_query("a=1&b=2&a=3"));
    params = sinchfn_request_query_params(request);
    ck_assert_int_eq(params->nelts, 3);
    ck_assert_str_eq(param_at(params, 0)->name, "a");
    ck_assert_str_eq(param_at(params, 0)->value, "1");
    ck_assert_str_eq(param_at(params, 1)->name, "b");
    ck_assert_str_eq(param_at(params, 1)->value, "2");
    ck_assert_str_eq(param_at(params, 2)->name, "a");
    ck_assert_str_eq(param_at(params, 2)->value, "3");
}
END_TEST

START_TEST(query_lookup_returns_first)
{
    ck_assert_ptr_null(parse_query("a=1&b=2&a=3"));
    ck_assert_str_eq(sinchfn_request_query(request, "a"), "1");
    ck_assert_str_eq(sinchfn_request_query(request, "b"), "2");
    ck_assert_ptr_null(sinchfn_request_query(request, "c"));
    ck_assert_ptr_null(sinchfn_request_query(request, "A"));
}
END_TEST

START_TEST(query_plus_is_space)
{
    ck_assert_ptr_null(parse_query("q=hello+big+world&a+b=1"));
    ck_assert_str_eq(sinchfn_request_query(request, "q"), "hello big world");
    ck_assert_str_eq(sinchfn_request_query(request, "a b"), "1");
}
END_TEST

START_TEST(query_percent_decoded)
{
    ck_assert_ptr_null(parse_query("q=%41%2fb%26c%3D%2B&%6Bey=v"));
    ck_assert_str_eq(sinchfn_request_query(request, "q"), "A/b&c=+");
    ck_assert_str_eq(sinchfn_request_query(request, "key"), "v");
}
END_TEST

START_TEST(query_utf8_decoded)
{
    ck_assert_ptr_null(parse_query("name=J%C3%B6rg"));
    ck_assert_str_eq(sinchfn_request_query(request, "name"), "J\xc3\xb6rg");
}
END_TEST

START_TEST(query_key_without_equals_empty_value)
{
    const apr_array_header_t *params;

    ck_assert_ptr_null(parse_query("flag&x=1"));
    params = sinchfn_request_query_params(request);
    ck_assert_int_eq(params->nelts, 2);
    ck_assert_str_eq(param_at(params, 0)->name, "flag");
    ck_assert_str_eq(param_at(params, 0)->value, "");
    ck_assert_str_eq(param_at(params, 1)->name, "x");
    ck_assert_str_eq(param_at(params, 1)->value, "1");
}
END_TEST

START_TEST(query_empty_value_kept)
{
    ck_assert_ptr_null(parse_query("a="));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 1);
    ck_assert_str_eq(sinchfn_request_query(request, "a"), "");
}
END_TEST

START_TEST(query_value_keeps_later_equals)
{
    ck_assert_ptr_null(parse_query("a=b=c"));
    ck_assert_str_eq(sinchfn_request_query(request, "a"), "b=c");
}
END_TEST

START_TEST(query_empty_pairs_skipped)
{
    const apr_array_header_t *params;

    ck_assert_ptr_null(parse_query("&&a=1&&b=2&"));
    params = sinchfn_request_query_params(request);
    ck_assert_int_eq(params->nelts, 2);
    ck_assert_str_eq(param_at(params, 0)->name, "a");
    ck_assert_str_eq(param_at(params, 1)->name, "b");
}
END_TEST

START_TEST(query_empty_string_no_params)
{
    ck_assert_ptr_null(parse_query(""));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 0);
}
END_TEST

START_TEST(query_null_no_params)
{
    ck_assert_ptr_null(parse_query(NULL));
    ck_assert_int_eq(sinchfn_request_query_params(request)->nelts, 0);
}
END_TEST

START_TEST(query_invalid_escape_400)
{
    const sinchfn_client_error *error = parse_query("ok=1&bad=%zz");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "query string"));
}
END_TEST

/* The '%' of "%zz" is byte 9 of the query string. */
START_TEST(query_invalid_escape_names_its_offset)
{
    const sinchfn_client_error *error = parse_query("ok=1&bad=%zz");

    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error->message, "byte 9") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(query_truncated_escape_400)
{
    const sinchfn_client_error *error = parse_query("a=%4");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(query_invalid_escape_in_name_400)
{
    const sinchfn_client_error *error = parse_query("%g1=x");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(query_encoded_nul_400)
{
    const sinchfn_client_error *error = parse_query("a=x%00y");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(query_invalid_utf8_400)
{
    const sinchfn_client_error *error = parse_query("ok=1&name=%FF");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_str_eq(error->message, "The query string is not valid UTF-8 after percent-decoding at byte 5; "
                                     "encode names and values as UTF-8.");
    ck_assert_ptr_null(parse_query("name=%C3%A9"));
}
END_TEST

START_TEST(form_invalid_utf8_400)
{
    const sinchfn_client_error *error = parse_body("application/x-www-form-urlencoded", "a%C0%AF=1", 9);

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_str_eq(error->message, "The form body is not valid UTF-8 after percent-decoding at byte 0; "
                                     "encode names and values as UTF-8.");
}
END_TEST

/* ---- JSON bodies ---- */

START_TEST(body_json_parsed)
{
    ck_assert_ptr_null(parse_json("{\"message\":\"hi\"}"));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_JSON);
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "hi");
}
END_TEST

START_TEST(body_json_tree_built_on_first_use)
{
    json_object *tree;

    ck_assert_ptr_null(parse_json("{\"message\":\"hi\"}"));
    ck_assert_ptr_null(request->json);
    tree = sinchfn_request_json(request);
    ck_assert_ptr_nonnull(tree);
    ck_assert_ptr_eq(sinchfn_request_json(request), tree);
    ck_assert_int_eq(json_object_object_length(tree), 1);
}
END_TEST

/* A body cut off inside a surrogate pair must not change the next parse on the thread:
 * json-c's reset keeps the half-read escape. */
START_TEST(json_cut_surrogate_does_not_leak)
{
    static const char *const cut[] = { "{\"\":\"\\ud83d\\u", "{\"\":\"\\ud83d\\ude", "[\"\\ud83d\\u" };
    const char *next = "{\"\":\"a\\u00e9\\ud83d\\ude00b\"}";
    apr_size_t i;

    for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        json_object *tree = NULL, *member;

        ck_assert_ptr_nonnull(sinchfn_parse_json(test_pool, cut[i], strlen(cut[i]), &tree));
        ck_assert_ptr_null(sinchfn_parse_json(test_pool, next, strlen(next), &tree));
        ck_assert(json_object_object_get_ex(tree, "", &member));
        ck_assert_int_eq(json_object_get_string_len(member), 8);
        ck_assert_mem_eq(json_object_get_string(member), "a\xc3\xa9\xf0\x9f\x98\x80" "b", 8);
    }
}
END_TEST

START_TEST(body_json_second_parse_replaces_tree)
{
    json_object *member;

    ck_assert_ptr_null(parse_json("{\"message\":\"first\"}"));
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
    ck_assert_ptr_null(sinchfn_request_parse_body(request, "{\"message\":\"second\"}", 20));
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "second");
    ck_assert(json_object_object_get_ex(sinchfn_request_json(request), "message", &member));
    ck_assert_str_eq(json_object_get_string(member), "second");
}
END_TEST

START_TEST(body_json_duplicate_key_last_wins)
{
    json_object *member;

    ck_assert_ptr_null(parse_json("{\"message\":\"first\",\"message\":\"last\"}"));
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "last");
    ck_assert(json_object_object_get_ex(sinchfn_request_json(request), "message", &member));
    ck_assert_str_eq(json_object_get_string(member), "last");
}
END_TEST

START_TEST(body_json_member_types)
{
    const sinchfn_json_members *members;
    const sinchfn_json_member *inner;

    ck_assert_ptr_null(parse_json("{\"i\":-0,\"d\":1.5,\"b\":true,\"n\":null,\"o\":{\"s\":\"x\\u00e9\"},\"a\":[1]}"));
    members = &request->json_members;
    ck_assert_int_eq(request->json_root, json_type_object);
    ck_assert_int_eq(sinchfn_json_member_get(members, "i")->type, json_type_int);
    ck_assert_int_eq(sinchfn_json_member_get(members, "i")->integer, 0);
    ck_assert_int_eq(sinchfn_json_member_get(members, "d")->type, json_type_double);
    ck_assert_double_eq(sinchfn_json_member_get(members, "d")->number, 1.5);
    ck_assert_int_eq(sinchfn_json_member_get(members, "b")->type, json_type_boolean);
    ck_assert_int_eq(sinchfn_json_member_get(members, "b")->boolean, 1);
    ck_assert_int_eq(sinchfn_json_member_get(members, "n")->type, json_type_null);
    ck_assert_int_eq(sinchfn_json_member_get(members, "a")->type, json_type_array);
    inner = sinchfn_json_member_get(&sinchfn_json_member_get(members, "o")->object, "s");
    ck_assert_str_eq(inner->string, "x\xc3\xa9");
    ck_assert_uint_eq(inner->string_length, 3);
    ck_assert_ptr_null(sinchfn_json_member_get(members, "missing"));
}
END_TEST

START_TEST(body_json_over_index_max_parsed)
{
    apr_size_t padding = SINCHFN_JSON_INDEX_MAX;
    char *body = apr_palloc(test_pool, padding + 64);
    char *at = body;

    at += sprintf(at, "{\"pad\":\"");
    memset(at, 'x', padding);
    at += padding;
    strcpy(at, "\",\"message\":\"hi\"}");
    ck_assert_ptr_null(parse_json(body));
    ck_assert_ptr_nonnull(request->json);
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "hi");
}
END_TEST

START_TEST(body_json_errors_match_json_c_path)
{
    static const char *const bodies[] = {
        "{\"a\":01}", "{\"a\":\"\\ud800\"}", "[1,]", "{\"a\":1e999}", "{\"a\":18446744073709551615}",
        "{\"a\":tru}", "{\"a\":[9223372036854775808]}", "[18446744073709551615]",
        "[{\"a\":[1,{\"b\":9223372036854775808}]}]", "{\"a\":{\"b\":[[18446744073709551615]]}}",
    };
    json_object *tree;
    apr_size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        const sinchfn_client_error *error = parse_json(bodies[i]);
        const sinchfn_client_error *expected = sinchfn_parse_json(test_pool, bodies[i], strlen(bodies[i]), &tree);

        ck_assert_msg(error && expected, "%s was accepted", bodies[i]);
        ck_assert_str_eq(error->message, expected->message);
    }
}
END_TEST

START_TEST(body_json_charset_parameter)
{
    const char body[] = "{\"message\":\"hi\"}";

    ck_assert_ptr_null(parse_body("application/json; charset=utf-8", body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_JSON);
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "hi");
}
END_TEST

START_TEST(body_json_suffix_media_type)
{
    const char body[] = "{\"message\":\"hi\"}";

    ck_assert_ptr_null(parse_body("application/vnd.api+json", body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_JSON);
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "hi");
}
END_TEST

START_TEST(body_json_media_type_case_insensitive)
{
    const char body[] = "{\"message\":\"hi\"}";

    ck_assert_ptr_null(parse_body(" Application/JSON ;charset=UTF-8", body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_JSON);
    ck_assert_str_eq(sinchfn_request_json_string(request, "message"), "hi");
}
END_TEST

START_TEST(body_json_raw_body_kept)
{
    const char body[] = "{\"message\":\"hi\"}";
    apr_size_t length = 0;

    ck_assert_ptr_null(parse_json(body));
    ck_assert_str_eq(sinchfn_request_body(request, &length), body);
    ck_assert_uint_eq(length, strlen(body));
}
END_TEST

START_TEST(body_json_trailing_data_400)
{
    const sinchfn_client_error *error = parse_json("{\"message\":\"hi\"}}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "byte 16") != NULL, "message: %s", error->message);
    ck_assert_ptr_null(sinchfn_request_json(request));
}
END_TEST

START_TEST(body_json_second_value_400)
{
    const sinchfn_client_error *error = parse_json("{} {}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "byte 3") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_trailing_comma_400)
{
    const sinchfn_client_error *error = parse_json("{\"message\":\"hi\",}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "byte 16") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_single_quoted_key_400)
{
    const sinchfn_client_error *error = parse_json("{'a':1}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_single_quoted_value_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":'x'}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_nan_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":NaN}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_infinity_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":-Infinity}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_fraction_without_digits_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":1.}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_leading_zero_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":01}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

/* json-c reads 1e999 as infinity, which JSON cannot carry back out. */
START_TEST(body_json_non_finite_400)
{
    static const char *const bodies[] = { "{\"n\":1e999}", "[-1e999]", "{\"a\":{\"b\":[1.5,2e400]}}" };
    apr_size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        const sinchfn_client_error *error = parse_json(bodies[i]);

        ck_assert_msg(error != NULL, "accepted: %s", bodies[i]);
        ck_assert_int_eq(error->status, 400);
        ck_assert_str_eq(error->message, "The JSON body contains a number beyond the range of a double; send it "
                                         "as a string.");
    }
    ck_assert_ptr_null(parse_json("{\"n\":1.7e308,\"m\":1e-400,\"k\":-2.5}"));
}
END_TEST

/* json-c turns an unpaired UTF-16 surrogate escape into U+FFFD; a pair is one code point. */
START_TEST(body_json_unpaired_surrogate_400)
{
    static const struct {
        const char *body;
        const char *message;
    } cases[] = {
        { "{\"a\":\"\\ud800\"}", "The JSON body is invalid at byte 6: an unpaired UTF-16 surrogate escape; send "
                                   "valid Unicode." },
        { "[\"x\\udc00\"]", "The JSON body is invalid at byte 3: an unpaired UTF-16 surrogate escape; send valid "
                            "Unicode." },
        { "[\"\\ud83d\\u0041\"]", "The JSON body is invalid at byte 2: an unpaired UTF-16 surrogate escape; send "
                                  "valid Unicode." },
        { "[\"\\uDBFF\"]", "The JSON body is invalid at byte 2: an unpaired UTF-16 surrogate escape; send valid "
                           "Unicode." },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sinchfn_client_error *error = parse_json(cases[i].body);

        ck_assert_msg(error != NULL, "accepted: %s", cases[i].body);
        ck_assert_int_eq(error->status, 400);
        ck_assert_str_eq(error->message, cases[i].message);
    }
    ck_assert_ptr_null(parse_json("[\"\\ud83d\\ude00 \\u00e9 \\\\ud800\"]"));
    ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(sinchfn_request_json(request), 0)),
                     "\xf0\x9f\x98\x80 \xc3\xa9 \\ud800");
}
END_TEST

/* json-c 0.16 in strict mode rejects a leading zero only in a positive integer such as
 * 01, so these forms reach the RFC 8259 scan. */
START_TEST(body_json_leading_zero_variants_400)
{
    static const struct {
        const char *body;
        const char *position; /* as the error message names it */
    } cases[] = {
        { "{\"a\":-01}", "byte 6:" },
        { "{\"a\":00}", "byte 5:" },
        { "{\"a\":012.5}", "byte 5:" },
        { "{\"a\":00.5}", "byte 5:" },
        { "{\"a\":-007}", "byte 6:" },
        { "{\"a\":00e5}", "byte 5:" },
        { "[1,-01e2]", "byte 4:" },
        { "-00", "byte 1:" },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sinchfn_client_error *error = parse_json(cases[i].body);

        ck_assert_msg(error != NULL, "%s was accepted", cases[i].body);
        ck_assert_int_eq(error->status, 400);
        ck_assert_msg(strstr(error->message, cases[i].position) != NULL, "%s: message: %s", cases[i].body,
                      error->message);
        ck_assert_msg(strstr(error->message, "leading zero") != NULL, "%s: message: %s", cases[i].body,
                      error->message);
    }
}
END_TEST

START_TEST(body_json_zero_forms_accepted)
{
    static const char *const bodies[] = { "0", "-0", "0.5", "-0.5", "0e5", "-0E-2", "[0,0.0,10,100.01]",
                                          "{\"a\":1e05}", "{\"a\":1.05}", "{\"a\":\"007\"}" };
    apr_size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        const sinchfn_client_error *error = parse_json(bodies[i]);

        ck_assert_msg(error == NULL, "%s: message: %s", bodies[i], error ? error->message : "");
    }
}
END_TEST

/* JSON requires the control characters U+0000 to U+001F to be escaped inside strings. */
START_TEST(body_json_raw_control_character_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":\"x\x01y\"}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_top_level_string)
{
    ck_assert_ptr_null(parse_json("\"hi\""));
    ck_assert_str_eq(json_object_get_string(sinchfn_request_json(request)), "hi");
}
END_TEST

START_TEST(body_json_top_level_number)
{
    const sinchfn_client_error *error = parse_json("42");

    ck_assert_msg(error == NULL, "message: %s", error ? error->message : "");
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
    ck_assert_int_eq(json_object_get_int64(sinchfn_request_json(request)), 42);
}
END_TEST

START_TEST(body_json_top_level_true)
{
    const sinchfn_client_error *error = parse_json("true");

    ck_assert_msg(error == NULL, "message: %s", error ? error->message : "");
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
    ck_assert(json_object_is_type(sinchfn_request_json(request), json_type_boolean));
}
END_TEST

START_TEST(body_json_number_then_space)
{
    ck_assert_ptr_null(parse_json("42 "));
    ck_assert_int_eq(json_object_get_int64(sinchfn_request_json(request)), 42);
}
END_TEST

START_TEST(body_json_surrounding_whitespace_ok)
{
    ck_assert_ptr_null(parse_json(" \r\n{\"a\":1} \t\r\n "));
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
}
END_TEST

START_TEST(body_json_nul_after_value_400)
{
    const sinchfn_client_error *error = parse_body("application/json", "{\"a\":1}\0", 8);

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "byte 7") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_nul_inside_string_400)
{
    const sinchfn_client_error *error = parse_body("application/json", "{\"a\":\"x\0y\"}", 11);

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_empty_is_no_body)
{
    apr_size_t length = 99;

    ck_assert_ptr_null(parse_body("application/json", "", 0));
    ck_assert_ptr_null(sinchfn_request_json(request));
    ck_assert_ptr_null(sinchfn_request_body(request, &length));
    ck_assert_uint_eq(length, 0);
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_NONE);
}
END_TEST

START_TEST(body_null_is_no_body)
{
    apr_size_t length = 99;

    ck_assert_ptr_null(parse_body("application/json", NULL, 0));
    ck_assert_ptr_null(sinchfn_request_json(request));
    ck_assert_ptr_null(sinchfn_request_body(request, &length));
    ck_assert_uint_eq(length, 0);
}
END_TEST

START_TEST(body_json_whitespace_only_400)
{
    const sinchfn_client_error *error = parse_json("  ");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_json_invalid_utf8_400)
{
    const sinchfn_client_error *error = parse_json("{\"m\":\"a\xff" "b\"}");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "UTF-8") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_valid_utf8_kept)
{
    ck_assert_ptr_null(parse_json("{\"m\":\"J\xc3\xb6rg \xe2\x82\xac\"}"));
    ck_assert_str_eq(sinchfn_request_json_string(request, "m"), "J\xc3\xb6rg \xe2\x82\xac");
}
END_TEST

/* Byte sequences for the UTF-8 checks: valid ones, overlong forms, surrogates, code
 * points above U+10FFFF, stray continuation bytes and sequences cut short by ASCII. */
static const struct {
    const char *bytes;
    apr_size_t length;
    int valid;
} utf8_sequences[] = {
    { "\xc3\xa9", 2, 1 },         { "\xe2\x82\xac", 3, 1 },     { "\xf0\x9f\x98\x80", 4, 1 },
    { "\xf4\x8f\xbf\xbf", 4, 1 }, { "\xed\x9f\xbf", 3, 1 },     { "\xee\x80\x80", 3, 1 },
    { "\xc2\x80", 2, 1 },         { "\xc0\xaf", 2, 0 },         { "\xc1\xbf", 2, 0 },
    { "\xe0\x80\xaf", 3, 0 },     { "\xe0\x9f\xbf", 3, 0 },     { "\xf0\x8f\xbf\xbf", 4, 0 },
    { "\xed\xa0\x80", 3, 0 },     { "\xed\xbf\xbf", 3, 0 },     { "\xf4\x90\x80\x80", 4, 0 },
    { "\xf5\x80\x80\x80", 4, 0 }, { "\x80", 1, 0 },             { "\xff", 1, 0 },
    { "\xe2\x82", 2, 0 },         { "\xf0\x9f\x98", 3, 0 },
};

/* The check skips 8 ASCII bytes at a time, so each sequence is placed at every offset
 * across three 8-byte words, with ASCII after it or at the end of the input. */
START_TEST(utf8_check_at_word_boundaries)
{
    char text[32];
    apr_size_t i, prefix, suffix;

    for (i = 0; i < sizeof(utf8_sequences) / sizeof(utf8_sequences[0]); i++) {
        for (prefix = 0; prefix <= 17; prefix++) {
            for (suffix = 0; suffix <= 9; suffix++) {
                apr_size_t length = prefix + utf8_sequences[i].length + suffix;
                apr_ssize_t expected = utf8_sequences[i].valid ? -1 : (apr_ssize_t)prefix;

                memset(text, 'a', prefix);
                memcpy(text + prefix, utf8_sequences[i].bytes, utf8_sequences[i].length);
                memset(text + prefix + utf8_sequences[i].length, 'b', suffix);
                ck_assert_msg(sinchfn_utf8_invalid_offset(text, length) == expected,
                              "sequence %u after %u ASCII bytes and before %u: expected %d, got %d",
                              (unsigned)i, (unsigned)prefix, (unsigned)suffix, (int)expected,
                              (int)sinchfn_utf8_invalid_offset(text, length));
            }
        }
    }
}
END_TEST

/* A lead byte as the last byte of an 8-byte word, with its continuation bytes in the next. */
START_TEST(utf8_check_sequence_across_words)
{
    ck_assert_int_eq(sinchfn_utf8_invalid_offset("aaaaaaa\xf0\x9f\x98\x80" "bbbbbbbb", 19), -1);
    ck_assert_int_eq(sinchfn_utf8_invalid_offset("aaaaaa\xe2\x82\xac" "bbbbbbbb", 17), -1);
    ck_assert_int_eq(sinchfn_utf8_invalid_offset("aaaaaaa\xed\xa0\x80" "bbbbbbbb", 18), 7);
    ck_assert_int_eq(sinchfn_utf8_invalid_offset("aaaaaaaabbbbbbb\xc3", 16), 15);
    ck_assert_int_eq(sinchfn_utf8_invalid_offset("aaaa\0aaa\xc3\xa9", 10), -1);
}
END_TEST

/* The 400 message names the offset of the first invalid byte of a JSON body. */
START_TEST(body_json_invalid_utf8_names_byte)
{
    apr_size_t prefix;

    for (prefix = 0; prefix <= 17; prefix++) {
        const char *body = apr_psprintf(test_pool, "\"%.*s\xed\xa0\x80\"", (int)prefix, "aaaaaaaaaaaaaaaaa");
        const char *expected = apr_psprintf(test_pool, "invalid UTF-8 at byte %u;", (unsigned)prefix + 1);
        const sinchfn_client_error *error = parse_json(body);

        ck_assert_ptr_nonnull(error);
        ck_assert_int_eq(error->status, 400);
        ck_assert_msg(strstr(error->message, expected) != NULL, "prefix %u: message: %s", (unsigned)prefix,
                      error->message);
    }
}
END_TEST

/* The RFC 8259 scan skips string bytes in bulk up to a quote, backslash or control
 * character. In each case an escaped quote or backslash must end or continue the string
 * as RFC 8259 defines, so the scan checks the tokens after the string and not its text. */
START_TEST(body_json_scan_after_escapes_400)
{
    static const struct {
        const char *body;
        const char *message;
    } cases[] = {
        { "[\"\\\\\",NaN]", "invalid at byte 6: NaN" },
        { "[\"\\\"\",NaN]", "invalid at byte 6: NaN" },
        { "[\"\\\\\\\\\\\\\",Infinity]", "invalid at byte 10: NaN" },
        { "[\"x\\\"y\\\\\",-01]", "invalid at byte 11: a number with a leading zero" },
        { "[\"\\u0022\",NaN]", "invalid at byte 10: NaN" },
        { "[\"aaaaaaaaaaaaaaaaaaaa\\\\\",NaN]", "invalid at byte 26: NaN" },
        { "\"aaaaaaaaaaaaaaaaaaaa\x01\"", "invalid at byte 21: a raw control character" },
        { "\"\\\\\x01\"", "invalid at byte 3: a raw control character" },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sinchfn_client_error *error = parse_json(cases[i].body);

        ck_assert_msg(error != NULL, "%s was accepted", cases[i].body);
        ck_assert_int_eq(error->status, 400);
        ck_assert_msg(strstr(error->message, cases[i].message) != NULL, "%s: message: %s", cases[i].body,
                      error->message);
    }
}
END_TEST

START_TEST(body_json_scan_ignores_string_text)
{
    static const char *const bodies[] = {
        "[\"\\\\NaN\"]", "[\"\\\"NaN\\\"\",\"\\\"Infinity'.5-01\"]", "{\"\\\\'\":\"\\\\\"}", "[\"\\u0022NaN\"]",
        "[\"\\\\\\\\\",\"'\"]", "\"aaaaaaaaaaaaaaaa\\\"-01 .5 Infinity\"",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        const sinchfn_client_error *error = parse_json(bodies[i]);

        ck_assert_msg(error == NULL, "%s: message: %s", bodies[i], error ? error->message : "");
    }
}
END_TEST

START_TEST(body_json_depth_64_ok)
{
    ck_assert_int_eq(SINCHFN_JSON_MAX_DEPTH, 64);
    ck_assert_ptr_null(parse_json(nested_arrays(64)));
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
}
END_TEST

START_TEST(body_json_depth_65_400)
{
    const sinchfn_client_error *error = parse_json(nested_arrays(65));

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "deeper") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_truncated_400)
{
    const sinchfn_client_error *error = parse_json("{\"a\":");

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_msg(strstr(error->message, "ends early") != NULL, "message: %s", error->message);
}
END_TEST

START_TEST(body_json_int64_exact)
{
    json_object *member;

    ck_assert_ptr_null(parse_json("{\"n\":1595441285858}"));
    ck_assert(json_object_object_get_ex(sinchfn_request_json(request), "n", &member));
    ck_assert(json_object_is_type(member, json_type_int));
    ck_assert_int_eq(json_object_get_int64(member), INT64_C(1595441285858));
}
END_TEST

START_TEST(body_json_int64_beyond_double)
{
    json_object *member;

    ck_assert_ptr_null(parse_json("{\"n\":9007199254740993}"));
    ck_assert(json_object_object_get_ex(sinchfn_request_json(request), "n", &member));
    ck_assert_int_eq(json_object_get_int64(member), INT64_C(9007199254740993));
}
END_TEST

START_TEST(body_json_string_non_string_null)
{
    ck_assert_ptr_null(parse_json("{\"n\":1,\"b\":true,\"o\":{},\"z\":null,\"s\":\"x\"}"));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "n"));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "b"));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "o"));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "z"));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "missing"));
    ck_assert_str_eq(sinchfn_request_json_string(request, "s"), "x");
}
END_TEST

START_TEST(body_json_string_array_body_null)
{
    ck_assert_ptr_null(parse_json("[\"message\"]"));
    ck_assert_ptr_nonnull(sinchfn_request_json(request));
    ck_assert_ptr_null(sinchfn_request_json_string(request, "message"));
}
END_TEST

/* ---- form and text bodies ---- */

START_TEST(body_form_params_in_order)
{
    const char body[] = "a=1&b=x+y&a=2";
    const apr_array_header_t *params;

    ck_assert_ptr_null(parse_body("application/x-www-form-urlencoded", body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_FORM);
    params = sinchfn_request_form_params(request);
    ck_assert_int_eq(params->nelts, 3);
    ck_assert_str_eq(param_at(params, 0)->name, "a");
    ck_assert_str_eq(param_at(params, 0)->value, "1");
    ck_assert_str_eq(param_at(params, 1)->name, "b");
    ck_assert_str_eq(param_at(params, 1)->value, "x y");
    ck_assert_str_eq(param_at(params, 2)->name, "a");
    ck_assert_str_eq(param_at(params, 2)->value, "2");
}
END_TEST

START_TEST(body_form_lookup_returns_first)
{
    const char body[] = "a=1&b=x+y&a=2";

    ck_assert_ptr_null(parse_body("application/x-www-form-urlencoded; charset=utf-8", body, strlen(body)));
    ck_assert_str_eq(sinchfn_request_form(request, "a"), "1");
    ck_assert_str_eq(sinchfn_request_form(request, "b"), "x y");
    ck_assert_ptr_null(sinchfn_request_form(request, "c"));
    ck_assert_ptr_null(sinchfn_request_json(request));
}
END_TEST

START_TEST(body_form_invalid_escape_400)
{
    const char body[] = "a=%zz";
    const sinchfn_client_error *error = parse_body("application/x-www-form-urlencoded", body, strlen(body));

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
    ck_assert_ptr_nonnull(strstr(error->message, "form body"));
}
END_TEST

START_TEST(body_form_nul_byte_400)
{
    const sinchfn_client_error *error = parse_body("application/x-www-form-urlencoded", "a=1\0b=2", 7);

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(error->status, 400);
}
END_TEST

START_TEST(body_text_kept_raw)
{
    const char body[] = "hello {not json}";
    const char *raw;
    apr_size_t length = 0;

    ck_assert_ptr_null(parse_body("text/plain", body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_TEXT);
    raw = sinchfn_request_body(request, &length);
    ck_assert_uint_eq(length, strlen(body));
    ck_assert_str_eq(raw, body);
    ck_assert_ptr_null(sinchfn_request_json(request));
    ck_assert_int_eq(sinchfn_request_form_params(request)->nelts, 0);
}
END_TEST

START_TEST(body_text_nul_bytes_kept)
{
    const char *raw;
    apr_size_t length = 0;

    ck_assert_ptr_null(parse_body("application/octet-stream", "a\0b\0", 4));
    raw = sinchfn_request_body(request, &length);
    ck_assert_uint_eq(length, 4);
    ck_assert_mem_eq(raw, "a\0b\0", 4);
}
END_TEST

START_TEST(body_without_content_type_is_text)
{
    const char body[] = "{\"a\":1}";

    ck_assert_ptr_null(parse_body(NULL, body, strlen(body)));
    ck_assert_int_eq(request->body_kind, SINCHFN_BODY_TEXT);
    ck_assert_ptr_null(sinchfn_request_json(request));
}
END_TEST

START_TEST(body_length_null_accepted)
{
    const char body[] = "text";

    ck_assert_ptr_null(parse_body("text/plain", body, strlen(body)));
    ck_assert_str_eq(sinchfn_request_body(request, NULL), "text");
}
END_TEST

Suite *request_suite(void)
{
    Suite *suite = suite_create("request");
    TCase *accessors = tcase_create("accessors");
    TCase *query = tcase_create("query");
    TCase *json = tcase_create("json");
    TCase *other = tcase_create("form_text");

    tcase_add_checked_fixture(accessors, test_pool_setup, test_pool_teardown);
    tcase_add_test(accessors, request_accessors);
    tcase_add_test(accessors, request_without_query_has_empty_params);
    tcase_add_test(accessors, request_header_case_insensitive);
    tcase_add_test(accessors, request_without_headers_table);
    suite_add_tcase(suite, accessors);

    tcase_add_checked_fixture(query, test_pool_setup, test_pool_teardown);
    tcase_add_test(query, query_repeated_keys_in_order);
    tcase_add_test(query, query_lookup_returns_first);
    tcase_add_test(query, query_plus_is_space);
    tcase_add_test(query, query_percent_decoded);
    tcase_add_test(query, query_utf8_decoded);
    tcase_add_test(query, query_key_without_equals_empty_value);
    tcase_add_test(query, query_empty_value_kept);
    tcase_add_test(query, query_value_keeps_later_equals);
    tcase_add_test(query, query_empty_pairs_skipped);
    tcase_add_test(query, query_empty_string_no_params);
    tcase_add_test(query, query_null_no_params);
    tcase_add_test(query, query_invalid_escape_400);
    tcase_add_test(query, query_invalid_escape_names_its_offset);
    tcase_add_test(query, query_truncated_escape_400);
    tcase_add_test(query, query_invalid_escape_in_name_400);
    tcase_add_test(query, query_encoded_nul_400);
    tcase_add_test(query, query_invalid_utf8_400);
    tcase_add_test(query, form_invalid_utf8_400);
    suite_add_tcase(suite, query);

    tcase_add_checked_fixture(json, test_pool_setup, test_pool_teardown);
    tcase_add_test(json, body_json_parsed);
    tcase_add_test(json, body_json_tree_built_on_first_use);
    tcase_add_test(json, body_json_second_parse_replaces_tree);
    tcase_add_test(json, json_cut_surrogate_does_not_leak);
    tcase_add_test(json, body_json_duplicate_key_last_wins);
    tcase_add_test(json, body_json_member_types);
    tcase_add_test(json, body_json_over_index_max_parsed);
    tcase_add_test(json, body_json_errors_match_json_c_path);
    tcase_add_test(json, body_json_charset_parameter);
    tcase_add_test(json, body_json_suffix_media_type);
    tcase_add_test(json, body_json_media_type_case_insensitive);
    tcase_add_test(json, body_json_raw_body_kept);
    tcase_add_test(json, body_json_trailing_data_400);
    tcase_add_test(json, body_json_second_value_400);
    tcase_add_test(json, body_json_trailing_comma_400);
    tcase_add_test(json, body_json_single_quoted_key_400);
    tcase_add_test(json, body_json_single_quoted_value_400);
    tcase_add_test(json, body_json_nan_400);
    tcase_add_test(json, body_json_infinity_400);
    tcase_add_test(json, body_json_fraction_without_digits_400);
    tcase_add_test(json, body_json_leading_zero_400);
    tcase_add_test(json, body_json_leading_zero_variants_400);
    tcase_add_test(json, body_json_non_finite_400);
    tcase_add_test(json, body_json_unpaired_surrogate_400);
    tcase_add_test(json, body_json_zero_forms_accepted);
    tcase_add_test(json, body_json_raw_control_character_400);
    tcase_add_test(json, body_json_top_level_string);
    tcase_add_test(json, body_json_top_level_number);
    tcase_add_test(json, body_json_top_level_true);
    tcase_add_test(json, body_json_number_then_space);
    tcase_add_test(json, body_json_surrounding_whitespace_ok);
    tcase_add_test(json, body_json_nul_after_value_400);
    tcase_add_test(json, body_json_nul_inside_string_400);
    tcase_add_test(json, body_json_empty_is_no_body);
    tcase_add_test(json, body_null_is_no_body);
    tcase_add_test(json, body_json_whitespace_only_400);
    tcase_add_test(json, body_json_invalid_utf8_400);
    tcase_add_test(json, body_json_valid_utf8_kept);
    tcase_add_test(json, utf8_check_at_word_boundaries);
    tcase_add_test(json, utf8_check_sequence_across_words);
    tcase_add_test(json, body_json_invalid_utf8_names_byte);
    tcase_add_test(json, body_json_scan_after_escapes_400);
    tcase_add_test(json, body_json_scan_ignores_string_text);
    tcase_add_test(json, body_json_depth_64_ok);
    tcase_add_test(json, body_json_depth_65_400);
    tcase_add_test(json, body_json_truncated_400);
    tcase_add_test(json, body_json_int64_exact);
    tcase_add_test(json, body_json_int64_beyond_double);
    tcase_add_test(json, body_json_string_non_string_null);
    tcase_add_test(json, body_json_string_array_body_null);
    suite_add_tcase(suite, json);

    tcase_add_checked_fixture(other, test_pool_setup, test_pool_teardown);
    tcase_add_test(other, body_form_params_in_order);
    tcase_add_test(other, body_form_lookup_returns_first);
    tcase_add_test(other, body_form_invalid_escape_400);
    tcase_add_test(other, body_form_nul_byte_400);
    tcase_add_test(other, body_text_kept_raw);
    tcase_add_test(other, body_text_nul_bytes_kept);
    tcase_add_test(other, body_without_content_type_is_text);
    tcase_add_test(other, body_length_null_accepted);
    suite_add_tcase(suite, other);
    return suite;
}
