/* test_public.c: the public/ path checks, the opening of files without following
 * symbolic links, and the media type table of src/public.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

/* Returns the relative path of the given segments, or NULL. */
static const char *relative_of(int count, ...)
{
    apr_array_header_t *segments = apr_array_make(test_pool, count + 1, sizeof(const char *));
    va_list args;
    int i;

    va_start(args, count);
    for (i = 0; i < count; i++)
        APR_ARRAY_PUSH(segments, const char *) = va_arg(args, const char *);
    va_end(args);
    return sinchfn_public_relative_path(test_pool, segments);
}

START_TEST(public_path_joins_segments)
{
    ck_assert_str_eq(relative_of(2, "css", "site.css"), "css/site.css");
    ck_assert_str_eq(relative_of(1, "index.html"), "index.html");
    ck_assert_str_eq(relative_of(0), "");
}
END_TEST

START_TEST(public_path_rejects_unservable_segments)
{
    ck_assert_ptr_null(relative_of(1, ".env"));
    ck_assert_ptr_null(relative_of(2, ".well-known", "x"));
    ck_assert_ptr_null(relative_of(1, ".."));
    ck_assert_ptr_null(relative_of(1, "../function.c"));
    ck_assert_ptr_null(relative_of(1, "docs/guide.txt"));
    ck_assert_ptr_null(relative_of(1, "docs\\guide.txt"));
    ck_assert_ptr_null(relative_of(1, ""));
}
END_TEST

START_TEST(public_path_from_route)
{
    sinchfn_route route;

    ck_assert_ptr_null(sinchfn_route_resolve(test_pool, "/fn/css/./site.css", "/fn", &route));
    ck_assert_str_eq(sinchfn_public_relative_path(test_pool, route.segments), "css/site.css");
    ck_assert_ptr_null(sinchfn_route_resolve(test_pool, "/fn/a%2Fb", "/fn", &route));
    ck_assert_ptr_null(sinchfn_public_relative_path(test_pool, route.segments));
    ck_assert_ptr_null(sinchfn_route_resolve(test_pool, "/fn/", "/fn", &route));
    ck_assert_str_eq(sinchfn_public_relative_path(test_pool, route.segments), "");
}
END_TEST

START_TEST(public_content_types)
{
    ck_assert_str_eq(sinchfn_public_content_type("index.html"), "text/html; charset=utf-8");
    ck_assert_str_eq(sinchfn_public_content_type("a/b/app.js"), "text/javascript; charset=utf-8");
    ck_assert_str_eq(sinchfn_public_content_type("LOGO.PNG"), "image/png");
    ck_assert_str_eq(sinchfn_public_content_type("font.woff2"), "font/woff2");
    ck_assert_str_eq(sinchfn_public_content_type("module.wasm"), "application/wasm");
    ck_assert_str_eq(sinchfn_public_content_type("archive.tar.gz"), "application/octet-stream");
    ck_assert_str_eq(sinchfn_public_content_type("README"), "application/octet-stream");
    ck_assert_str_eq(sinchfn_public_content_type("v1.2/README"), "application/octet-stream");
}
END_TEST

/* ---- opening files ---- */

static char public_root[64];

static void write_file(const char *relative, const char *text)
{
    FILE *file = fopen(apr_pstrcat(test_pool, public_root, "/", relative, NULL), "w");

    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    fclose(file);
}

/* Builds root/outside.txt and root/public with a file, a directory with and without
 * index.html, symbolic links and a FIFO. */
static void public_tree_setup(void)
{
    test_pool_setup();
    strcpy(public_root, "/tmp/sinchfn-public-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(public_root));
    write_file("outside.txt", "outside");
    ck_assert_int_eq(mkdir(apr_pstrcat(test_pool, public_root, "/public", NULL), 0755), 0);
    ck_assert_int_eq(mkdir(apr_pstrcat(test_pool, public_root, "/public/docs", NULL), 0755), 0);
    ck_assert_int_eq(mkdir(apr_pstrcat(test_pool, public_root, "/public/empty", NULL), 0755), 0);
    write_file("public/index.html", "root index");
    write_file("public/notes.txt", "notes");
    write_file("public/docs/index.html", "docs index");
    ck_assert_int_eq(symlink("../outside.txt", apr_pstrcat(test_pool, public_root, "/public/out", NULL)), 0);
    ck_assert_int_eq(symlink("..", apr_pstrcat(test_pool, public_root, "/public/up", NULL)), 0);
    ck_assert_int_eq(mkfifo(apr_pstrcat(test_pool, public_root, "/public/pipe", NULL), 0644), 0);
}

static void public_tree_teardown(void)
{
    char command[128];

    snprintf(command, sizeof(command), "rm -rf '%s'", public_root);
    ck_assert_int_eq(system(command), 0);
    test_pool_teardown();
}

static apr_status_t open_public(const char *relative, sinchfn_public_file *file)
{
    return sinchfn_public_open(test_pool, apr_pstrcat(test_pool, public_root, "/public", NULL), relative, file);
}

static const char *read_all(sinchfn_public_file *file)
{
    char *buffer = apr_pcalloc(test_pool, (apr_size_t)file->info.size + 1);
    apr_size_t length;

    ck_assert_int_eq(apr_file_read_full(file->file, buffer, (apr_size_t)file->info.size, &length), APR_SUCCESS);
    return buffer;
}

START_TEST(public_open_regular_file)
{
    sinchfn_public_file file;

    ck_assert_int_eq(open_public("notes.txt", &file), APR_SUCCESS);
    ck_assert_int_eq(file.is_directory_index, 0);
    ck_assert_int_eq(file.info.size, 5);
    ck_assert_str_eq(read_all(&file), "notes");
}
END_TEST

START_TEST(public_open_directory_index)
{
    sinchfn_public_file file;

    ck_assert_int_eq(open_public("", &file), APR_SUCCESS);
    ck_assert_int_eq(file.is_directory_index, 1);
    ck_assert_str_eq(read_all(&file), "root index");
    ck_assert_int_eq(open_public("docs", &file), APR_SUCCESS);
    ck_assert_str_eq(read_all(&file), "docs index");
}
END_TEST

START_TEST(public_open_not_found)
{
    sinchfn_public_file file;

    ck_assert_int_eq(open_public("nosuch", &file), APR_ENOENT);
    ck_assert_int_eq(open_public("empty", &file), APR_ENOENT);
    ck_assert_int_eq(open_public("notes.txt/x", &file), APR_ENOENT);
    ck_assert_int_eq(open_public("out", &file), APR_ENOENT);
    ck_assert_int_eq(open_public("up/outside.txt", &file), APR_ENOENT);
    ck_assert_int_eq(open_public("pipe", &file), APR_ENOENT);
}
END_TEST

Suite *public_suite(void)
{
    Suite *suite = suite_create("public");
    TCase *paths = tcase_create("paths");
    TCase *files = tcase_create("files");

    tcase_add_checked_fixture(paths, test_pool_setup, test_pool_teardown);
    tcase_add_test(paths, public_path_joins_segments);
    tcase_add_test(paths, public_path_rejects_unservable_segments);
    tcase_add_test(paths, public_path_from_route);
    tcase_add_test(paths, public_content_types);
    suite_add_tcase(suite, paths);

    tcase_add_checked_fixture(files, public_tree_setup, public_tree_teardown);
    tcase_add_test(files, public_open_regular_file);
    tcase_add_test(files, public_open_directory_index);
    tcase_add_test(files, public_open_not_found);
    suite_add_tcase(suite, files);
    return suite;
}
