/*
 * public.c: the static files of a function's public/ directory: the relative path a
 * request names, opening that file without following symbolic links, and its media
 * type. mod_sinchfn_public.c sends the file over HTTP.
 */
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_lib.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

#define DIRECTORY_INDEX "index.html"

const char *sinchfn_public_relative_path(apr_pool_t *pool, const apr_array_header_t *segments)
{
    const char *path = "";
    int i;

    for (i = 0; segments && i < segments->nelts; i++) {
        const char *segment = APR_ARRAY_IDX(segments, i, const char *);

        if (!*segment || *segment == '.' || strchr(segment, '/') || strchr(segment, '\\'))
            return NULL;
        path = *path ? apr_pstrcat(pool, path, "/", segment, NULL) : segment;
    }
    return path;
}

/* Maps the errors of a lookup that found nothing servable to APR_ENOENT: ELOOP is
 * what O_NOFOLLOW reports for a symbolic link. */
static apr_status_t lookup_status(int error)
{
    if (error == ENOENT || error == ENOTDIR || error == ELOOP || error == ENAMETOOLONG)
        return APR_ENOENT;
    return APR_FROM_OS_ERROR(error);
}

/* Opens the entry name of directory dir_fd when it is a regular file or a directory,
 * never following a symbolic link. The type is checked with fstatat before the open,
 * so a FIFO or a device is never opened, and compared after it, so an entry swapped in
 * between is rejected as well. */
static apr_status_t open_entry(int dir_fd, const char *name, int *fd, struct stat *opened)
{
    struct stat before;
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;

    if (fstatat(dir_fd, name, &before, AT_SYMLINK_NOFOLLOW) != 0)
        return lookup_status(errno);
    if (!S_ISREG(before.st_mode) && !S_ISDIR(before.st_mode))
        return APR_ENOENT;
    if (S_ISDIR(before.st_mode))
        flags |= O_DIRECTORY;
    if ((*fd = openat(dir_fd, name, flags)) < 0)
        return lookup_status(errno);
    if (fstat(*fd, opened) != 0) {
        int error = errno;

        close(*fd);
        return APR_FROM_OS_ERROR(error);
    }
    if (opened->st_dev != before.st_dev || opened->st_ino != before.st_ino ||
        (opened->st_mode & S_IFMT) != (before.st_mode & S_IFMT)) {
        close(*fd);
        return APR_ENOENT;
    }
    return APR_SUCCESS;
}

/* Walks relative from dir_fd one segment at a time and returns the descriptor of the
 * last entry, a regular file or a directory. dir_fd stays open. */
static apr_status_t open_path(apr_pool_t *pool, int dir_fd, const char *relative, int *fd, struct stat *opened)
{
    char *copy = apr_pstrdup(pool, relative);
    char *state = NULL;
    char *segment;
    int current = dir_fd;

    if (fstat(dir_fd, opened) != 0)
        return APR_FROM_OS_ERROR(errno);
    for (segment = apr_strtok(copy, "/", &state); segment; segment = apr_strtok(NULL, "/", &state)) {
        int next;
        apr_status_t status;

        if (!S_ISDIR(opened->st_mode))
            status = APR_ENOENT;
        else
            status = open_entry(current, segment, &next, opened);
        if (current != dir_fd)
            close(current);
        if (status != APR_SUCCESS)
            return status;
        current = next;
    }
    if (current == dir_fd && (current = dup(dir_fd)) < 0)
        return APR_FROM_OS_ERROR(errno);
    *fd = current;
    return APR_SUCCESS;
}

static apr_status_t close_file(void *file)
{
    return apr_file_close(file);
}

apr_status_t sinchfn_public_open(apr_pool_t *pool, const char *public_dir, const char *relative,
                                 sinchfn_public_file *out)
{
    struct stat opened;
    apr_os_file_t fd;
    apr_status_t status;
    int dir_fd;

    memset(out, 0, sizeof(*out));
    /* public/ itself may be a symbolic link, since the deployment places it, not a client. */
    if ((dir_fd = open(public_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return lookup_status(errno);
    status = open_path(pool, dir_fd, relative, &fd, &opened);
    close(dir_fd);
    if (status != APR_SUCCESS)
        return status;

    if (S_ISDIR(opened.st_mode)) {
        int index_fd;

        status = open_entry(fd, DIRECTORY_INDEX, &index_fd, &opened);
        close(fd);
        if (status != APR_SUCCESS)
            return status;
        if (!S_ISREG(opened.st_mode)) {
            close(index_fd);
            return APR_ENOENT;
        }
        fd = index_fd;
        out->is_directory_index = 1;
    }

    /* apr_os_file_put registers no cleanup, so the pool gets one that closes the file. */
    if ((status = apr_os_file_put(&out->file, &fd, APR_FOPEN_READ | APR_FOPEN_BINARY, pool)) != APR_SUCCESS) {
        close(fd);
        return status;
    }
    apr_pool_cleanup_register(pool, out->file, close_file, apr_pool_cleanup_null);
    /* APR_INCOMPLETE means a field beyond fstat's is missing, while size and mtime are set. */
    status = apr_file_info_get(&out->info, APR_FINFO_NORM, out->file);
    return status == APR_INCOMPLETE ? APR_SUCCESS : status;
}

typedef struct {
    const char *extension;
    const char *content_type;
} media_type;

/* Common web types, as IANA registers them (text/javascript per RFC 9239). Text types
 * carry charset=utf-8, which assumes the files are UTF-8, as Sinch's Node runtime does. */
static const media_type media_types[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "css", "text/css; charset=utf-8" },
    { "js", "text/javascript; charset=utf-8" },
    { "mjs", "text/javascript; charset=utf-8" },
    { "json", "application/json; charset=utf-8" },
    { "map", "application/json; charset=utf-8" },
    { "webmanifest", "application/manifest+json; charset=utf-8" },
    { "txt", "text/plain; charset=utf-8" },
    { "md", "text/markdown; charset=utf-8" },
    { "csv", "text/csv; charset=utf-8" },
    { "xml", "application/xml; charset=utf-8" },
    { "svg", "image/svg+xml; charset=utf-8" },
    { "png", "image/png" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "gif", "image/gif" },
    { "webp", "image/webp" },
    { "avif", "image/avif" },
    { "ico", "image/vnd.microsoft.icon" },
    { "woff", "font/woff" },
    { "woff2", "font/woff2" },
    { "ttf", "font/ttf" },
    { "otf", "font/otf" },
    { "wasm", "application/wasm" },
    { "pdf", "application/pdf" },
    { "mp3", "audio/mpeg" },
    { "wav", "audio/wav" },
    { "ogg", "audio/ogg" },
    { "mp4", "video/mp4" },
    { "webm", "video/webm" },
};

const char *sinchfn_public_content_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    apr_size_t i;

    if (dot) {
        for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++) {
            if (!strcasecmp(dot + 1, media_types[i].extension))
                return media_types[i].content_type;
        }
    }
    return "application/octet-stream";
}
