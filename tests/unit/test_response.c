/* test_response.c: response bodies and content types, the 204 rule, header checks and
 * runtime error bodies. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static sinchfn_response *response;

static void create_response(void)
{
    test_pool_setup();
    response = sinchfn_response_create(test_pool);
}

static const sinchfn_param *header_at(int i)
{
    return &APR_ARRAY_IDX(response->headers, i, sinchfn_param);
}

/* ---- bodies ---- */

START_TEST(response_starts_empty)
{
    ck_assert_int_eq(response->status, 0);
    ck_assert_ptr_null(response->body);
    ck_assert_ptr_null(response->content_type);
    ck_assert_ptr_null(response->headers);
}
END_TEST

START_TEST(respond_json_exact_bytes)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "status", json_object_new_string("ok"));
    json_object_object_add(body, "count", json_object_new_int(3));
    ck_assert_int_eq(sinchfn_respond_json(response, 201, body), SINCHFN_OK);
    ck_assert_int_eq(response->status, 201);
    ck_assert_str_eq(response->content_type, "application/json");
    ck_assert_str_eq(response->body, "{\"status\":\"ok\",\"count\":3}");
    ck_assert_uint_eq(response->body_length, strlen("{\"status\":\"ok\",\"count\":3}"));
}
END_TEST

START_TEST(respond_json_no_slash_escaping)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "path", json_object_new_string("a/b"));
    sinchfn_respond_json(response, 200, body);
    ck_assert_str_eq(response->body, "{\"path\":\"a/b\"}");
}
END_TEST

START_TEST(respond_json_int64_exact)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "n", json_object_new_int64(INT64_C(9007199254740993)));
    sinchfn_respond_json(response, 200, body);
    ck_assert_str_eq(response->body, "{\"n\":9007199254740993}");
}
END_TEST

START_TEST(respond_json_utf8_not_escaped)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "name", json_object_new_string("J\xc3\xb6rg"));
    sinchfn_respond_json(response, 200, body);
    ck_assert_str_eq(response->body, "{\"name\":\"J\xc3\xb6rg\"}");
}
END_TEST

START_TEST(respond_json_array)
{
    json_object *body = json_object_new_array();

    json_object_array_add(body, json_object_new_int(1));
    json_object_array_add(body, json_object_new_string("two"));
    sinchfn_respond_json(response, 200, body);
    ck_assert_str_eq(response->body, "[1,\"two\"]");
}
END_TEST

START_TEST(respond_text_content_type)
{
    ck_assert_int_eq(sinchfn_respond_text(response, 200, "ok"), SINCHFN_OK);
    ck_assert_int_eq(response->status, 200);
    ck_assert_str_eq(response->content_type, "text/plain; charset=utf-8");
    ck_assert_str_eq(response->body, "ok");
    ck_assert_uint_eq(response->body_length, 2);
}
END_TEST

START_TEST(respond_text_copies_text)
{
    char text[] = "first";

    sinchfn_respond_text(response, 200, text);
    text[0] = 'X';
    ck_assert_str_eq(response->body, "first");
}
END_TEST

START_TEST(respond_error_body_exact)
{
    ck_assert_int_eq(sinchfn_respond_error(response, 400, "Missing message"), SINCHFN_OK);
    ck_assert_int_eq(response->status, 400);
    ck_assert_str_eq(response->content_type, "application/json");
    ck_assert_str_eq(response->body, "{\"error\":\"Missing message\"}");
}
END_TEST

START_TEST(respond_error_escapes_quotes)
{
    sinchfn_respond_error(response, 422, "bad \"x\"");
    ck_assert_str_eq(response->body, "{\"error\":\"bad \\\"x\\\"\"}");
}
END_TEST

/* ---- object bodies ---- */

START_TEST(respond_object_members_in_order)
{
    sinchfn_response_set_string(response, "status", "healthy");
    sinchfn_response_set_int(response, "uptime", -42);
    sinchfn_response_set_bool(response, "ok", 1);
    sinchfn_response_set_bool(response, "late", 0);
    sinchfn_response_set_string(response, "missing", NULL);
    ck_assert_int_eq(sinchfn_respond_object(response, 201), SINCHFN_OK);
    ck_assert_int_eq(response->status, 201);
    ck_assert_str_eq(response->content_type, "application/json");
    ck_assert_str_eq(response->body,
                     "{\"status\":\"healthy\",\"uptime\":-42,\"ok\":true,\"late\":false,\"missing\":null}");
    ck_assert_uint_eq(response->body_length, strlen(response->body));
}
END_TEST

START_TEST(respond_object_empty_is_braces)
{
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{}");
    ck_assert_uint_eq(response->body_length, 2);
}
END_TEST

START_TEST(respond_object_name_set_again_keeps_place)
{
    sinchfn_response_set_string(response, "a", "first");
    sinchfn_response_set_int(response, "b", 2);
    sinchfn_response_set_bool(response, "a", 0);
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"a\":false,\"b\":2}");
}
END_TEST

START_TEST(respond_object_copies_strings)
{
    char name[8] = "key", value[8] = "value";

    sinchfn_response_set_string(response, name, value);
    strcpy(name, "other");
    strcpy(value, "changed");
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"key\":\"value\"}");
}
END_TEST

START_TEST(respond_object_escapes_like_json_c)
{
    json_object *expected = json_object_new_object();
    const char *text = "quote \" back \\ slash / tab \t bell \a \xc3\xa9";
    apr_size_t length;

    json_object_object_add(expected, "na\"me", json_object_new_string(text));
    json_object_object_add(expected, "n", json_object_new_int64(INT64_MIN));
    sinchfn_response_set_string(response, "na\"me", text);
    sinchfn_response_set_int(response, "n", INT64_MIN);
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, sinchfn_json_serialize(test_pool, expected, &length));
    json_object_put(expected);
}
END_TEST

START_TEST(respond_object_string_len_keeps_nul)
{
    sinchfn_response_set_string_len(response, "text", "a\0b", 3);
    sinchfn_response_set_string_len(response, "cut", "abcdef", 2);
    sinchfn_response_set_string_len(response, "none", NULL, 4);
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"text\":\"a\\u0000b\",\"cut\":\"ab\",\"none\":null}");
}
END_TEST

START_TEST(respond_object_nested_json)
{
    json_object *calls = json_object_new_array();

    json_object_array_add(calls, json_object_new_string("c/1"));
    json_object_array_add(calls, json_object_new_int(2));
    sinchfn_response_set_json(response, "calls", calls);
    sinchfn_response_set_int(response, "count", 2);
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"calls\":[\"c/1\",2],\"count\":2}");
}
END_TEST

START_TEST(respond_object_nested_replaced_by_scalar)
{
    sinchfn_response_set_json(response, "v", json_object_new_array());
    sinchfn_response_set_string(response, "v", "plain");
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"v\":\"plain\"}");
}
END_TEST

START_TEST(respond_object_null_name_is_empty)
{
    sinchfn_response_set_int(response, NULL, 1);
    sinchfn_respond_object(response, 200);
    ck_assert_str_eq(response->body, "{\"\":1}");
}
END_TEST

START_TEST(respond_error_drops_members)
{
    sinchfn_response_set_string(response, "partial", "yes");
    sinchfn_respond_error(response, 409, "conflict");
    ck_assert_int_eq(response->status, 409);
    ck_assert_str_eq(response->body, "{\"error\":\"conflict\"}");
}
END_TEST

START_TEST(respond_text_after_members_sends_text)
{
    sinchfn_response_set_string(response, "ignored", "yes");
    sinchfn_respond_text(response, 200, "plain");
    ck_assert_str_eq(response->content_type, "text/plain; charset=utf-8");
    ck_assert_str_eq(response->body, "plain");
}
END_TEST

/* ---- final status ---- */

START_TEST(final_status_unset_no_body_204)
{
    ck_assert_int_eq(sinchfn_response_final_status(response), 204);
}
END_TEST

START_TEST(final_status_unset_with_body_200)
{
    response->content_type = "text/plain; charset=utf-8";
    response->body = "ok";
    response->body_length = 2;
    ck_assert_int_eq(sinchfn_response_final_status(response), 200);
}
END_TEST

START_TEST(final_status_set_no_body_kept)
{
    sinchfn_response_status(response, 202);
    ck_assert_int_eq(sinchfn_response_final_status(response), 202);
}
END_TEST

START_TEST(final_status_set_200_no_body_kept)
{
    sinchfn_response_status(response, 200);
    ck_assert_int_eq(sinchfn_response_final_status(response), 200);
}
END_TEST

START_TEST(final_status_from_respond_json)
{
    sinchfn_respond_json(response, 201, json_object_new_object());
    ck_assert_int_eq(sinchfn_response_final_status(response), 201);
}
END_TEST

/* ---- headers ---- */

START_TEST(header_kept_in_order)
{
    sinchfn_response_header(response, "Cache-Control", "no-store");
    sinchfn_response_header(response, "X-Trace", "a");
    sinchfn_response_header(response, "X-Trace", "b");
    ck_assert_int_eq(response->headers->nelts, 3);
    ck_assert_str_eq(header_at(0)->name, "Cache-Control");
    ck_assert_str_eq(header_at(0)->value, "no-store");
    ck_assert_str_eq(header_at(1)->value, "a");
    ck_assert_str_eq(header_at(2)->value, "b");
}
END_TEST

START_TEST(header_normal_accepted)
{
    sinchfn_response_header(response, "Cache-Control", "no-store, max-age=0");
    sinchfn_response_header(response, "X-Custom_Name.1", "value with spaces\tand tab");
    sinchfn_response_header(response, "X-Empty", "");
    ck_assert_ptr_null(sinchfn_response_invalid_header(response));
}
END_TEST

START_TEST(header_cr_in_value_rejected)
{
    sinchfn_response_header(response, "X-Bad", "a\rb");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "X-Bad");
}
END_TEST

START_TEST(header_lf_in_value_rejected)
{
    sinchfn_response_header(response, "X-Ok", "fine");
    sinchfn_response_header(response, "X-Bad", "a\nSet-Cookie: x=1");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "X-Bad");
}
END_TEST

START_TEST(header_space_in_name_rejected)
{
    sinchfn_response_header(response, "X Bad", "v");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "X Bad");
}
END_TEST

START_TEST(header_colon_in_name_rejected)
{
    sinchfn_response_header(response, "X-Bad:", "v");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "X-Bad:");
}
END_TEST

START_TEST(header_empty_name_rejected)
{
    sinchfn_response_header(response, "", "v");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "");
}
END_TEST

START_TEST(header_null_name_rejected)
{
    sinchfn_response_header(response, NULL, "v");
    ck_assert_ptr_nonnull(sinchfn_response_invalid_header(response));
}
END_TEST

START_TEST(header_crlf_in_name_rejected)
{
    sinchfn_response_header(response, "X-A\r\nX-B", "v");
    ck_assert_str_eq(sinchfn_response_invalid_header(response), "X-A\r\nX-B");
}
END_TEST

START_TEST(header_non_ascii_name_rejected)
{
    sinchfn_response_header(response, "X-\xc3\xb6", "v");
    ck_assert_ptr_nonnull(sinchfn_response_invalid_header(response));
}
END_TEST

/* ---- runtime errors ---- */

START_TEST(runtime_error_body_exact)
{
    sinchfn_response_runtime_error(response, 404, "x", "r", "id");
    ck_assert_int_eq(response->status, 404);
    ck_assert_str_eq(response->content_type, "application/json");
    ck_assert_str_eq(response->body, "{\"error\":\"x\",\"route\":\"r\",\"requestId\":\"id\"}");
    ck_assert_uint_eq(response->body_length, strlen("{\"error\":\"x\",\"route\":\"r\",\"requestId\":\"id\"}"));
}
END_TEST

START_TEST(runtime_error_without_route)
{
    sinchfn_response_runtime_error(response, 500, "internal error", NULL, "id");
    ck_assert_str_eq(response->body, "{\"error\":\"internal error\",\"requestId\":\"id\"}");
}
END_TEST

START_TEST(runtime_error_clears_headers)
{
    sinchfn_response_header(response, "X-Bad", "a\nb");
    sinchfn_response_header(response, "Cache-Control", "no-store");
    sinchfn_response_runtime_error(response, 500, "x", "r", "id");
    ck_assert_int_eq(response->headers->nelts, 0);
    ck_assert_ptr_null(sinchfn_response_invalid_header(response));
}
END_TEST

START_TEST(runtime_error_replaces_body)
{
    sinchfn_respond_text(response, 200, "handler text");
    sinchfn_response_runtime_error(response, 500, "x", "r", "id");
    ck_assert_int_eq(response->status, 500);
    ck_assert_str_eq(response->content_type, "application/json");
    ck_assert_str_eq(response->body, "{\"error\":\"x\",\"route\":\"r\",\"requestId\":\"id\"}");
}
END_TEST

START_TEST(json_serialize_length)
{
    json_object *value = json_object_new_string("a/b");
    apr_size_t length = 0;
    const char *text = sinchfn_json_serialize(test_pool, value, &length);

    ck_assert_str_eq(text, "\"a/b\"");
    ck_assert_uint_eq(length, 5);
    json_object_put(value);
}
END_TEST

/* sinchfn_json_serialize writes what json-c's plain serializer without slash escaping
 * writes, byte for byte. */
static void assert_serializes_as_json_c(json_object *value)
{
    apr_size_t length = 0;
    size_t expected_length = 0;
    const char *expected = json_object_to_json_string_length(
        value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &expected_length);
    const char *text = sinchfn_json_serialize(test_pool, value, &length);

    ck_assert_uint_eq(length, expected_length);
    ck_assert_mem_eq(text, expected, length);
    ck_assert_int_eq(text[length], '\0');
}

START_TEST(json_serialize_matches_json_c)
{
    static const char *const documents[] = {
        "{}", "[]", "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808",
        "18446744073709551615", "0.1", "1e300", "-0.0", "1.50", "\"\"",
        "\"quote \\\" backslash \\\\ slash / controls \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f\"",
        "\"nul \\u0000 inside\"", "\"caf\u00e9 \u2603 \U0001F600\"",
        "{\"a\":[1,2,{\"b\":null,\"c\":[[],{}]}],\"d\\n\":\"e\",\"f\":{\"g\":true,\"h\":2.5}}",
        "[null,\"x\",1,-2.25,false,[null]]",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(documents) / sizeof(documents[0]); i++) {
        json_object *value = json_tokener_parse(documents[i]);

        ck_assert_msg(value || !strcmp(documents[i], "null"), "document %u does not parse", (unsigned)i);
        assert_serializes_as_json_c(value);
        json_object_put(value);
    }
}
END_TEST

START_TEST(json_serialize_built_values_match_json_c)
{
    json_object *object = json_object_new_object();
    json_object *array = json_object_new_array();
    char long_text[1000];

    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    json_object_array_add(array, json_object_new_double(0.1));
    json_object_array_add(array, json_object_new_double(3.0));
    json_object_array_add(array, json_object_new_uint64(UINT64_C(18446744073709551615)));
    json_object_array_add(array, json_object_new_int64(INT64_MAX));
    json_object_array_add(array, json_object_new_string_len("a\0b", 3));
    json_object_array_add(array, NULL);
    json_object_object_add(object, "values", array);
    json_object_object_add(object, "long", json_object_new_string(long_text));
    json_object_object_add(object, "key \"\x01", json_object_new_boolean(0));
    assert_serializes_as_json_c(object);
    json_object_put(object);
}
END_TEST

static int write_custom(json_object *value, struct printbuf *buffer, int level, int flags)
{
    (void)level;
    (void)flags;
    return printbuf_memappend(buffer, json_object_get_userdata(value), (int)strlen(json_object_get_userdata(value)));
}

START_TEST(json_serialize_custom_serializer_used)
{
    json_object *object = json_object_new_object();
    json_object *custom = json_object_new_object();
    apr_size_t length = 0;

    json_object_set_serializer(custom, write_custom, (void *)"\"custom\"", NULL);
    json_object_object_add(object, "a", custom);
    ck_assert_str_eq(sinchfn_json_serialize(test_pool, object, &length), "{\"a\":\"custom\"}");
    assert_serializes_as_json_c(object);
    json_object_put(object);
}
END_TEST

/* Every byte value in a string and every nonzero byte value in a key. Bytes at and above
 * 0x7f are copied as they are, whether or not they form UTF-8. */
START_TEST(json_serialize_every_byte_matches_json_c)
{
    json_object *object = json_object_new_object();
    char all_bytes[256], key[256];
    int i;

    for (i = 0; i < 256; i++)
        all_bytes[i] = (char)i;
    for (i = 1; i < 256; i++)
        key[i - 1] = (char)i;
    key[255] = '\0';
    json_object_object_add(object, key, json_object_new_string_len(all_bytes, 256));
    json_object_object_add(object, "", json_object_new_string(""));
    assert_serializes_as_json_c(object);
    json_object_put(object);
}
END_TEST

/* Each byte that needs escaping, and a byte that does not, at every offset of strings of
 * 1 to 40 bytes, so both the sixteen-byte scan and the byte-by-byte tail meet it. */
START_TEST(json_serialize_escape_at_every_offset_matches_json_c)
{
    static const char specials[] = { '"', '\\', '\n', 0x01, 0x1f, 0x00, 0x20, (char)0x80, (char)0xff, '/' };
    char text[40];
    apr_size_t length, offset, k;

    for (length = 1; length <= sizeof(text); length++) {
        for (offset = 0; offset < length; offset++) {
            for (k = 0; k < sizeof(specials); k++) {
                json_object *string;

                memset(text, 'a', sizeof(text));
                text[offset] = specials[k];
                text[length - 1] = k % 2 ? '"' : 'z';
                string = json_object_new_string_len(text, (int)length);
                assert_serializes_as_json_c(string);
                json_object_put(string);
            }
        }
    }
}
END_TEST

START_TEST(json_serialize_number_edges_match_json_c)
{
    json_object *array = json_object_new_array();

    json_object_array_add(array, json_object_new_int64(INT64_MIN));
    json_object_array_add(array, json_object_new_int64(INT64_MAX - 1));
    json_object_array_add(array, json_object_new_uint64((uint64_t)INT64_MAX + 1));
    json_object_array_add(array, json_object_new_uint64((uint64_t)INT64_MAX));
    json_object_array_add(array, json_object_new_uint64(0));
    json_object_array_add(array, json_object_new_int(INT32_MIN));
    json_object_array_add(array, json_object_new_double(-0.0));
    json_object_array_add(array, json_object_new_double(5e-324));
    json_object_array_add(array, json_object_new_double(1e21));
    json_object_array_add(array, json_object_new_double(1.0 / 3.0));
    json_object_array_add(array, json_object_new_double_s(1.5, "1.50"));
    assert_serializes_as_json_c(array);
    json_object_put(array);
}
END_TEST

/* JSON has no NaN or Infinity; json-c would write them as such, the writer writes null,
 * as JSON.stringify does. */
START_TEST(json_serialize_non_finite_as_null)
{
    json_object *array = json_object_new_array();
    apr_size_t length = 0;

    json_object_array_add(array, json_object_new_double(NAN));
    json_object_array_add(array, json_object_new_double(INFINITY));
    json_object_array_add(array, json_object_new_double(-INFINITY));
    json_object_array_add(array, json_object_new_double(1.5));
    ck_assert_str_eq(sinchfn_json_serialize(test_pool, array, &length), "[null,null,null,1.5]");
    ck_assert_uint_eq(length, 20);
    json_object_put(array);
}
END_TEST

/* xorshift64: a fixed sequence, so a failure repeats. */
static uint64_t random_state;

static unsigned random_below(unsigned bound)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (unsigned)(random_state % bound);
}

/* Returns a byte that is printable ASCII half of the time, else any byte value. */
static char random_byte(void)
{
    return (char)(random_below(2) ? 0x20 + random_below(0x5f) : random_below(256));
}

/* Builds a random value: NULL, a boolean, a number of any json-c integer or double kind,
 * a string of any bytes, or an array or object of such values. */
static json_object *random_value(int depth)
{
    char text[64];
    apr_size_t length, i;
    json_object *container;

    switch (random_below(depth < 5 ? 9 : 7)) {
    case 0:
        return NULL;
    case 1:
        return json_object_new_boolean((json_bool)random_below(2));
    case 2:
        return json_object_new_int64((int64_t)(((uint64_t)random_below(UINT32_MAX) << 32) | random_below(UINT32_MAX)));
    case 3:
        return json_object_new_uint64(UINT64_MAX - random_below(1000));
    case 4:
        return json_object_new_double((double)random_below(UINT32_MAX) / (1 + random_below(1000)) -
                                      random_below(UINT32_MAX));
    case 5:
    case 6:
        length = random_below(sizeof(text));
        for (i = 0; i < length; i++)
            text[i] = random_byte();
        return json_object_new_string_len(text, (int)length);
    case 7:
        container = json_object_new_array();
        for (i = random_below(5); i > 0; i--)
            json_object_array_add(container, random_value(depth + 1));
        return container;
    default:
        container = json_object_new_object();
        for (i = random_below(5); i > 0; i--) {
            apr_size_t k;

            length = random_below(16);
            for (k = 0; k < length; k++)
                text[k] = (char)(1 + random_below(255));
            text[length] = '\0';
            json_object_object_add(container, text, random_value(depth + 1));
        }
        return container;
    }
}

START_TEST(json_serialize_random_values_match_json_c)
{
    int i;

    random_state = UINT64_C(0x9e3779b97f4a7c15);
    for (i = 0; i < 5000; i++) {
        json_object *value = random_value(0);

        assert_serializes_as_json_c(value);
        json_object_put(value);
    }
}
END_TEST

Suite *response_suite(void)
{
    Suite *suite = suite_create("response");
    TCase *bodies = tcase_create("bodies");
    TCase *status = tcase_create("final_status");
    TCase *headers = tcase_create("headers");
    TCase *errors = tcase_create("runtime_error");

    tcase_add_checked_fixture(bodies, create_response, test_pool_teardown);
    tcase_add_test(bodies, response_starts_empty);
    tcase_add_test(bodies, respond_json_exact_bytes);
    tcase_add_test(bodies, respond_json_no_slash_escaping);
    tcase_add_test(bodies, respond_json_int64_exact);
    tcase_add_test(bodies, respond_json_utf8_not_escaped);
    tcase_add_test(bodies, respond_json_array);
    tcase_add_test(bodies, respond_text_content_type);
    tcase_add_test(bodies, respond_text_copies_text);
    tcase_add_test(bodies, respond_error_body_exact);
    tcase_add_test(bodies, respond_error_escapes_quotes);
    tcase_add_test(bodies, respond_object_members_in_order);
    tcase_add_test(bodies, respond_object_empty_is_braces);
    tcase_add_test(bodies, respond_object_name_set_again_keeps_place);
    tcase_add_test(bodies, respond_object_copies_strings);
    tcase_add_test(bodies, respond_object_escapes_like_json_c);
    tcase_add_test(bodies, respond_object_string_len_keeps_nul);
    tcase_add_test(bodies, respond_object_nested_json);
    tcase_add_test(bodies, respond_object_nested_replaced_by_scalar);
    tcase_add_test(bodies, respond_object_null_name_is_empty);
    tcase_add_test(bodies, respond_error_drops_members);
    tcase_add_test(bodies, respond_text_after_members_sends_text);
    tcase_add_test(bodies, json_serialize_length);
    tcase_add_test(bodies, json_serialize_matches_json_c);
    tcase_add_test(bodies, json_serialize_built_values_match_json_c);
    tcase_add_test(bodies, json_serialize_every_byte_matches_json_c);
    tcase_add_test(bodies, json_serialize_custom_serializer_used);
    tcase_add_test(bodies, json_serialize_escape_at_every_offset_matches_json_c);
    tcase_add_test(bodies, json_serialize_number_edges_match_json_c);
    tcase_add_test(bodies, json_serialize_non_finite_as_null);
    tcase_add_test(bodies, json_serialize_random_values_match_json_c);
    suite_add_tcase(suite, bodies);

    tcase_add_checked_fixture(status, create_response, test_pool_teardown);
    tcase_add_test(status, final_status_unset_no_body_204);
    tcase_add_test(status, final_status_unset_with_body_200);
    tcase_add_test(status, final_status_set_no_body_kept);
    tcase_add_test(status, final_status_set_200_no_body_kept);
    tcase_add_test(status, final_status_from_respond_json);
    suite_add_tcase(suite, status);

    tcase_add_checked_fixture(headers, create_response, test_pool_teardown);
    tcase_add_test(headers, header_kept_in_order);
    tcase_add_test(headers, header_normal_accepted);
    tcase_add_test(headers, header_cr_in_value_rejected);
    tcase_add_test(headers, header_lf_in_value_rejected);
    tcase_add_test(headers, header_space_in_name_rejected);
    tcase_add_test(headers, header_colon_in_name_rejected);
    tcase_add_test(headers, header_empty_name_rejected);
    tcase_add_test(headers, header_null_name_rejected);
    tcase_add_test(headers, header_crlf_in_name_rejected);
    tcase_add_test(headers, header_non_ascii_name_rejected);
    suite_add_tcase(suite, headers);

    tcase_add_checked_fixture(errors, create_response, test_pool_teardown);
    tcase_add_test(errors, runtime_error_body_exact);
    tcase_add_test(errors, runtime_error_without_route);
    tcase_add_test(errors, runtime_error_clears_headers);
    tcase_add_test(errors, runtime_error_replaces_body);
    suite_add_tcase(suite, errors);
    return suite;
}
