/*
 * storage.c: the storage API of include/sinchfn.h: files under the function's storage
 * directory, named by checked relative keys and replaced atomically (temporary file,
 * fsync, rename). Private assets are read with the same checks. With SinchStorage dbd
 * the calls go to db_storage.c instead.
 */
#include <stdlib.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

#define REJECTED SINCHFN_LOG_INFO, SINCHFN_TAG_STATE_REJECTED
#define FAILED SINCHFN_LOG_ERROR, SINCHFN_TAG_STATE_FAILED

/* Directories created for keys with `/`, and temporary files (mkstemp creates 0600). */
#define DIRECTORY_PERMISSIONS (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_UEXECUTE | \
                               APR_FPROT_GREAD | APR_FPROT_GEXECUTE)

/* Longest file name segment (NAME_MAX of Linux file systems), in bytes. */
#define SEGMENT_MAX 255

static const char *check_segment(apr_pool_t *pool, const char *what, const char *path, const char *segment,
                                 apr_size_t length)
{
    if (length == 0)
        return apr_psprintf(pool, "the %s '%s' has an empty segment (a leading, doubled or trailing '/')", what,
                            path);
    if (length > SEGMENT_MAX)
        return apr_psprintf(pool, "the %s '%s' has a segment of %" APR_SIZE_T_FMT " bytes, more than the "
                            "file system's maximum of %d", what, path, length, SEGMENT_MAX);
    if ((length == 1 && segment[0] == '.') || (length == 2 && segment[0] == '.' && segment[1] == '.'))
        return apr_psprintf(pool, "the %s '%s' contains a '.' or '..' segment", what, path);
    if (length >= sizeof(SINCHFN_STORAGE_TEMP_PREFIX) - 1 &&
        !strncmp(segment, SINCHFN_STORAGE_TEMP_PREFIX, sizeof(SINCHFN_STORAGE_TEMP_PREFIX) - 1))
        return apr_psprintf(pool, "the %s '%s' uses the reserved prefix " SINCHFN_STORAGE_TEMP_PREFIX, what, path);
    return NULL;
}

const char *sinchfn_relative_path_check(apr_pool_t *pool, const char *what, const char *path, int is_prefix)
{
    const char *segment, *c;
    apr_size_t length;

    if (!path)
        return apr_psprintf(pool, "the %s is missing", what);
    length = strlen(path);
    if (length == 0 && !is_prefix)
        return apr_psprintf(pool, "the %s is empty", what);
    if (length > SINCHFN_STORAGE_MAX_KEY)
        return apr_psprintf(pool, "the %s is %" APR_SIZE_T_FMT " bytes long, more than the maximum of %d", what,
                            length, SINCHFN_STORAGE_MAX_KEY);
    if (path[0] == '/')
        return apr_psprintf(pool, "the %s '%s' is an absolute path; use a relative one", what, path);
    for (c = path; *c; c++) {
        if (*c == '\\')
            return apr_psprintf(pool, "the %s '%s' contains a backslash; use '/' between segments", what, path);
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return apr_psprintf(pool, "the %s contains the control character 0x%02x at byte %" APR_SIZE_T_FMT,
                                what, (unsigned char)*c, (apr_size_t)(c - path));
    }

    for (segment = path;;) {
        const char *slash = strchr(segment, '/');
        apr_size_t segment_length = slash ? (apr_size_t)(slash - segment) : strlen(segment);
        const char *problem;

        /* A prefix may end right after a '/' or inside a segment, but not in "." or "..". */
        if (is_prefix && !slash) {
            if (segment_length > 0 && segment_length <= 2 && strspn(segment, ".") == segment_length)
                return apr_psprintf(pool, "the %s '%s' ends in a '.' or '..' segment", what, path);
            return NULL;
        }
        if ((problem = check_segment(pool, what, path, segment, segment_length)))
            return problem;
        if (!slash)
            return NULL;
        segment = slash + 1;
    }
}

/* Checks the context and the key, and returns the file path, or NULL after recording
 * the error. */
static const char *key_path(sinchfn_ctx *ctx, const char *operation, const char *key)
{
    const char *problem;

    if (!ctx->storage_dir) {
        sinchfn_state_fail(ctx, FAILED, "storage %s failed: the function has no storage directory", operation);
        return NULL;
    }
    if ((problem = sinchfn_relative_path_check(ctx->pool, "storage key", key, 0))) {
        sinchfn_state_fail(ctx, REJECTED, "storage %s rejected: %s", operation, problem);
        return NULL;
    }
    return apr_pstrcat(ctx->pool, ctx->storage_dir, "/", key, NULL);
}

/* Returns the type of the entry at base/relative without following a symbolic link in
 * any segment: APR_LNK when one segment is a link, APR_NOFILE when a segment is missing,
 * else the type of the last segment. Storage and asset reads never leave their
 * directory through a link that something else placed there. */
static apr_filetype_e entry_type(apr_pool_t *pool, const char *base, const char *relative)
{
    const char *segment = relative;
    apr_finfo_t info;

    for (;;) {
        const char *end = strchr(segment, '/');
        const char *path = apr_pstrcat(pool, base, "/", end ? apr_pstrmemdup(pool, relative,
                                                                               (apr_size_t)(end - relative))
                                                            : relative, NULL);

        if (apr_stat(&info, path, APR_FINFO_LINK | APR_FINFO_TYPE, pool) != APR_SUCCESS)
            return APR_NOFILE;
        if (info.filetype == APR_LNK)
            return APR_LNK;
        if (!end)
            return info.filetype;
        if (info.filetype != APR_DIR)
            return APR_NOFILE;
        segment = end + 1;
    }
}

/* Rejects a key whose existing directories include a symbolic link. */
static int parent_has_link(apr_pool_t *pool, const char *base, const char *key)
{
    const char *slash = strrchr(key, '/');

    return slash && entry_type(pool, base, apr_pstrmemdup(pool, key, (apr_size_t)(slash - key))) == APR_LNK;
}

static sinchfn_status io_failed(sinchfn_ctx *ctx, const char *operation, const char *key, const char *step,
                                apr_status_t status)
{
    return sinchfn_state_fail(ctx, FAILED, "storage %s of key '%s' failed: %s: %pm; check that the Apache User "
                              "can write %s", operation, key, step, &status, ctx->storage_dir);
}

sinchfn_status sinchfn_storage_write(sinchfn_ctx *ctx, const char *key, const void *data, apr_size_t length)
{
    const char *path;
    apr_file_t *file;
    apr_size_t written;
    apr_status_t status;
    char *directory, *temporary;

    if (ctx->storage_in_db)
        return sinchfn_db_storage_write(ctx, key, data, length);
    path = key_path(ctx, "write", key);
    if (!path)
        return SINCHFN_ERROR;
    if (parent_has_link(ctx->pool, ctx->storage_dir, key))
        return sinchfn_state_fail(ctx, REJECTED, "storage write of key '%s' rejected: a directory of the key is "
                                  "a symbolic link", key);
    directory = apr_pstrdup(ctx->pool, path);
    *strrchr(directory, '/') = '\0';
    if ((status = apr_dir_make_recursive(directory, DIRECTORY_PERMISSIONS, ctx->pool)) != APR_SUCCESS)
        return io_failed(ctx, "write", key, "creating its directory", status);

    /* The temporary file sits next to the key, so the rename stays in one file system. */
    temporary = apr_pstrcat(ctx->pool, directory, "/" SINCHFN_STORAGE_TEMP_PREFIX "XXXXXX", NULL);
    if ((status = apr_file_mktemp(&file, temporary, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_EXCL |
                                  APR_FOPEN_BINARY, ctx->pool)) != APR_SUCCESS)
        return io_failed(ctx, "write", key, "creating a temporary file", status);
    status = apr_file_write_full(file, data, length, &written);
    if (status == APR_SUCCESS)
        status = apr_file_sync(file);
    apr_file_close(file);
    if (status == APR_SUCCESS)
        status = apr_file_rename(temporary, path, ctx->pool);
    if (status != APR_SUCCESS) {
        apr_file_remove(temporary, ctx->pool);
        return io_failed(ctx, "write", key, "writing the temporary file", status);
    }
    return SINCHFN_OK;
}

sinchfn_status sinchfn_storage_write_text(sinchfn_ctx *ctx, const char *key, const char *text)
{
    if (!text)
        return sinchfn_state_fail(ctx, REJECTED, "storage write of key '%s' rejected: the text is NULL",
                                  key ? key : "");
    return sinchfn_storage_write(ctx, key, text, strlen(text));
}

/* Reads the regular file base/key for a storage key or an asset (what names which). A
 * symbolic link, a directory, a FIFO or a device reads as not found, so no read leaves
 * base or blocks on a special file. */
static sinchfn_status read_file(sinchfn_ctx *ctx, const char *what, const char *base, const char *key,
                                const char **data, apr_size_t *length)
{
    const char *path = apr_pstrcat(ctx->pool, base, "/", key, NULL);
    apr_filetype_e type = entry_type(ctx->pool, base, key);
    apr_file_t *file;
    apr_finfo_t info;
    apr_status_t status;
    char *buffer;

    if (type != APR_REG) {
        sinchfn_state_fail(ctx, SINCHFN_LOG_DEBUG, SINCHFN_TAG_STATE_REJECTED, "%s '%s' not found%s", what, key,
                           type == APR_NOFILE ? "" : " (it is not a regular file, or a path segment is a "
                           "symbolic link)");
        ctx->error_not_found = 1;
        return SINCHFN_ERROR;
    }
    status = apr_file_open(&file, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, ctx->pool);
    if (APR_STATUS_IS_ENOENT(status) || APR_STATUS_IS_ENOTDIR(status)) {
        sinchfn_state_fail(ctx, SINCHFN_LOG_DEBUG, SINCHFN_TAG_STATE_REJECTED, "%s '%s' not found", what, key);
        ctx->error_not_found = 1;
        return SINCHFN_ERROR;
    }
    if (status == APR_SUCCESS)
        status = apr_file_info_get(&info, APR_FINFO_SIZE | APR_FINFO_TYPE, file);
    if (status != APR_SUCCESS)
        return sinchfn_state_fail(ctx, FAILED, "reading %s '%s' failed: %pm", what, key, &status);
    if (info.filetype != APR_REG) {
        apr_file_close(file);
        sinchfn_state_fail(ctx, SINCHFN_LOG_DEBUG, SINCHFN_TAG_STATE_REJECTED, "%s '%s' not found (it is a "
                           "directory)", what, key);
        ctx->error_not_found = 1;
        return SINCHFN_ERROR;
    }

    buffer = apr_palloc(ctx->pool, (apr_size_t)info.size + 1);
    status = apr_file_read_full(file, buffer, (apr_size_t)info.size, length);
    apr_file_close(file);
    if (status != APR_SUCCESS && status != APR_EOF)
        return sinchfn_state_fail(ctx, FAILED, "reading %s '%s' failed: %pm", what, key, &status);
    buffer[*length] = '\0';
    *data = buffer;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_storage_read(sinchfn_ctx *ctx, const char *key, const char **data, apr_size_t *length)
{
    const char *path;

    if (ctx->storage_in_db)
        return sinchfn_db_storage_read(ctx, key, data, length);
    path = key_path(ctx, "read", key);
    *data = NULL;
    *length = 0;
    if (!path)
        return SINCHFN_ERROR;
    return read_file(ctx, "storage key", ctx->storage_dir, key, data, length);
}

sinchfn_status sinchfn_asset_read(sinchfn_ctx *ctx, const char *name, const char **data, apr_size_t *length)
{
    const char *problem;

    *data = NULL;
    *length = 0;
    if (!ctx->assets_dir)
        return sinchfn_state_fail(ctx, FAILED, "asset read failed: the function has no directory");
    if ((problem = sinchfn_relative_path_check(ctx->pool, "asset name", name, 0)))
        return sinchfn_state_fail(ctx, REJECTED, "asset read rejected: %s", problem);
    return read_file(ctx, "asset", ctx->assets_dir, name, data, length);
}

sinchfn_status sinchfn_storage_exists(sinchfn_ctx *ctx, const char *key, int *exists)
{
    const char *path;

    if (ctx->storage_in_db)
        return sinchfn_db_storage_exists(ctx, key, exists);
    path = key_path(ctx, "exists", key);
    *exists = 0;
    if (!path)
        return SINCHFN_ERROR;
    *exists = entry_type(ctx->pool, ctx->storage_dir, key) == APR_REG;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_storage_delete(sinchfn_ctx *ctx, const char *key, int *deleted)
{
    const char *path;
    apr_status_t status;

    if (ctx->storage_in_db)
        return sinchfn_db_storage_delete(ctx, key, deleted);
    path = key_path(ctx, "delete", key);
    if (deleted)
        *deleted = 0;
    if (!path)
        return SINCHFN_ERROR;
    if (entry_type(ctx->pool, ctx->storage_dir, key) != APR_REG)
        return SINCHFN_OK;
    status = apr_file_remove(path, ctx->pool);
    if (APR_STATUS_IS_ENOENT(status))
        return SINCHFN_OK;
    if (status != APR_SUCCESS)
        return io_failed(ctx, "delete", key, "removing the file", status);
    if (deleted)
        *deleted = 1;
    return SINCHFN_OK;
}

/* Appends the keys of regular files below directory (relative to it, as relative) that
 * start with prefix. Temporary files of writes in progress are skipped. */
static apr_status_t collect_keys(apr_pool_t *pool, const char *directory, const char *relative, const char *prefix,
                                 apr_array_header_t *keys)
{
    apr_dir_t *dir;
    apr_finfo_t entry;
    apr_status_t status = apr_dir_open(&dir, directory, pool);

    if (APR_STATUS_IS_ENOENT(status))
        return APR_SUCCESS;
    if (status != APR_SUCCESS)
        return status;
    while (apr_dir_read(&entry, APR_FINFO_NAME | APR_FINFO_TYPE, dir) == APR_SUCCESS) {
        const char *key;

        if (entry.name[0] == '.' && (!entry.name[1] || !strcmp(entry.name, "..") ||
                                     !strncmp(entry.name, SINCHFN_STORAGE_TEMP_PREFIX,
                                              sizeof(SINCHFN_STORAGE_TEMP_PREFIX) - 1)))
            continue;
        key = *relative ? apr_pstrcat(pool, relative, "/", entry.name, NULL) : apr_pstrdup(pool, entry.name);
        if (entry.filetype == APR_DIR) {
            /* Descend only where a key below can still match the prefix. */
            apr_size_t length = strlen(key);

            if (strncmp(key, prefix, length < strlen(prefix) ? length : strlen(prefix)) == 0 &&
                (status = collect_keys(pool, apr_pstrcat(pool, directory, "/", entry.name, NULL), key, prefix,
                                       keys)) != APR_SUCCESS)
                break;
        }
        else if (entry.filetype == APR_REG && !strncmp(key, prefix, strlen(prefix))) {
            APR_ARRAY_PUSH(keys, const char *) = key;
        }
    }
    apr_dir_close(dir);
    return status;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

sinchfn_status sinchfn_storage_list(sinchfn_ctx *ctx, const char *prefix, apr_array_header_t **keys)
{
    const char *problem;
    apr_status_t status;

    *keys = apr_array_make(ctx->pool, 16, sizeof(const char *));
    if (ctx->storage_in_db) {
        if ((problem = sinchfn_relative_path_check(ctx->pool, "storage prefix", prefix, 1)))
            return sinchfn_state_fail(ctx, REJECTED, "storage list rejected: %s", problem);
        return sinchfn_db_storage_list(ctx, prefix, *keys);
    }
    if (!ctx->storage_dir)
        return sinchfn_state_fail(ctx, FAILED, "storage list failed: the function has no storage directory");
    if ((problem = sinchfn_relative_path_check(ctx->pool, "storage prefix", prefix, 1)))
        return sinchfn_state_fail(ctx, REJECTED, "storage list rejected: %s", problem);
    if ((status = collect_keys(ctx->pool, ctx->storage_dir, "", prefix, *keys)) != APR_SUCCESS)
        return sinchfn_state_fail(ctx, FAILED, "storage list of prefix '%s' failed: %pm", prefix, &status);
    qsort((*keys)->elts, (size_t)(*keys)->nelts, sizeof(const char *), compare_keys);
    return SINCHFN_OK;
}
