/*
 * mod_sinchfn_storage.c: creates each function's storage directory at start-up and
 * gives it to the Apache User, because children run as that User and the function
 * directory usually belongs to root.
 */
#include <errno.h>
#include <unistd.h>

#include <apr_strings.h>

#include "mod_sinchfn_glue.h"

#include <http_core.h>
#include <http_log.h>
#include <unixd.h>

APLOG_USE_MODULE(sinchfn);

#define STORAGE_PERMISSIONS (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_UEXECUTE | \
                             APR_FPROT_GREAD | APR_FPROT_GEXECUTE)

typedef struct {
    const char *const *function_dir;
    const char *const *storage_dir;
} storage_location;

/* Locations seen in this configuration pass; pre_config starts a new list. */
static apr_array_header_t *locations;

void mod_sinchfn_storage_register(apr_pool_t *pool, const char *const *function_dir, const char *const *storage_dir)
{
    storage_location *location;

    if (!locations)
        locations = apr_array_make(pool, 4, sizeof(storage_location));
    location = apr_array_push(locations);
    location->function_dir = function_dir;
    location->storage_dir = storage_dir;
}

const char *mod_sinchfn_storage_dir(apr_pool_t *pool, const char *function_dir, const char *storage_dir)
{
    if (storage_dir)
        return storage_dir;
    return function_dir ? apr_pstrcat(pool, function_dir, "/storage", NULL) : NULL;
}

static int storage_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    locations = NULL;
    return OK;
}

/* Creates one storage directory. A directory this call creates is given to the User;
 * an existing one keeps its owner, with a warning when the User does not own it. */
static int prepare_directory(apr_pool_t *ptemp, server_rec *s, const char *directory)
{
    apr_finfo_t info;
    apr_status_t status;

    if (apr_stat(&info, directory, APR_FINFO_TYPE | APR_FINFO_OWNER, ptemp) == APR_SUCCESS) {
        if (info.filetype != APR_DIR) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0620: the storage path %s is not a directory; "
                         "remove it or set SinchStorage to a directory", directory);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (geteuid() == 0 && info.user != ap_unixd_config.user_id)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "SFN0621: the storage directory %s does not belong to "
                         "the Apache User %s, so storage writes may fail; chown it to that User", directory,
                         ap_unixd_config.user_name);
        return OK;
    }

    if ((status = apr_dir_make_recursive(directory, STORAGE_PERMISSIONS, ptemp)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0622: creating the storage directory %s failed; "
                     "create it or set SinchStorage to a writable directory", directory);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (geteuid() == 0 && chown(directory, ap_unixd_config.user_id, ap_unixd_config.group_id) != 0) {
        status = APR_FROM_OS_ERROR(errno);
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0623: giving the storage directory %s to the Apache "
                     "User %s failed", directory, ap_unixd_config.user_name);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int storage_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int i, status;

    (void)pconf;
    (void)plog;
    /* The first pass only checks the configuration: no directory is created. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG || !locations)
        return OK;
    for (i = 0; i < locations->nelts; i++) {
        const storage_location *location = &APR_ARRAY_IDX(locations, i, storage_location);
        const char *directory = mod_sinchfn_storage_dir(ptemp, *location->function_dir, *location->storage_dir);

        /* A nested Location may set SinchStorage for its parent's function. */
        if (directory && (status = prepare_directory(ptemp, s, directory)) != OK)
            return status;
    }
    return OK;
}

void mod_sinchfn_storage_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_pre_config(storage_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(storage_post_config, NULL, NULL, APR_HOOK_MIDDLE);
}
