/*
 * mod_sinchfn_glue.h: declarations shared by the Apache glue files of mod_sinchfn.
 * Names start with mod_sinchfn_ so that the module's export list (^sinchfn_) keeps
 * them out of reach of function objects.
 */
#ifndef MOD_SINCHFN_GLUE_H
#define MOD_SINCHFN_GLUE_H

#include <httpd.h>
#include <http_config.h>

#include "sinchfn_core.h"

extern module AP_MODULE_DECLARE_DATA sinchfn_module;

/* ---- cache (mod_sinchfn_cache.c) ---- */

const char *mod_sinchfn_set_cache(cmd_parms *cmd, void *mconfig, const char *arg);
const char *mod_sinchfn_set_cache_max_value(cmd_parms *cmd, void *mconfig, const char *arg);
const char *mod_sinchfn_set_cache_timeout(cmd_parms *cmd, void *mconfig, const char *arg);

#define MOD_SINCHFN_CACHE_DIRECTIVES                                                                  \
    AP_INIT_TAKE1("SinchCache", mod_sinchfn_set_cache, NULL, RSRC_CONF,                                 \
                  "Server-wide cache of every function: shmcb[:SIZE] (SIZE in bytes, default 2097152) " \
                  "or redis:HOST:PORT"),                                                              \
    AP_INIT_TAKE1("SinchCacheMaxValueSize", mod_sinchfn_set_cache_max_value, NULL, RSRC_CONF,           \
                  "Largest cache value in bytes of JSON text (default 16384)"),                         \
    AP_INIT_TAKE1("SinchCacheTimeout", mod_sinchfn_set_cache_timeout, NULL, RSRC_CONF,                  \
                  "Connect and command timeout of each Redis cache call, in milliseconds (default 2000)")

void mod_sinchfn_cache_register_hooks(apr_pool_t *pool);
/* The cache of this process, or NULL when it could not be set up. */
const sinchfn_cache_backend *mod_sinchfn_cache(void);

/* ---- Redis (mod_sinchfn_redis.c) ---- */

/* Builds the Redis backend of one child process; connections are opened on demand, and
 * each connect and command gives up after timeout_ms. Returns NULL on success, else a
 * message. */
const char *mod_sinchfn_redis_create(apr_pool_t *pool, server_rec *s, const char *host, int port,
                                     apr_size_t max_value, int timeout_ms, sinchfn_cache_backend **backend);

/* ---- storage (mod_sinchfn_storage.c) ---- */

/* Records a Location's function and storage directory fields, read in post_config once
 * every directive of the block has run, to create the storage directory. */
void mod_sinchfn_storage_register(apr_pool_t *pool, const char *const *function_dir, const char *const *storage_dir);
/* The storage directory: storage_dir when set, else storage/ in function_dir. */
const char *mod_sinchfn_storage_dir(apr_pool_t *pool, const char *function_dir, const char *storage_dir);
void mod_sinchfn_storage_register_hooks(apr_pool_t *pool);

/* ---- database (mod_sinchfn_db.c) ---- */

typedef struct mod_sinchfn_database mod_sinchfn_database;

/* Returns the database of a Location, creating and recording it on first use, so that
 * post_config sets it up once every directive of the block has run. */
mod_sinchfn_database *mod_sinchfn_db_declare(cmd_parms *cmd, mod_sinchfn_database **database,
                                             const char *const *function_dir);
/* The database a request's context uses; NULL when the function has none. */
const sinchfn_db_source *mod_sinchfn_db_source(const mod_sinchfn_database *database);
const char *mod_sinchfn_set_database(cmd_parms *cmd, void *mconfig, const char *arg);
const char *mod_sinchfn_set_database_statement(cmd_parms *cmd, void *mconfig, const char *label, const char *sql);
void mod_sinchfn_db_register_hooks(apr_pool_t *pool);

#define MOD_SINCHFN_DB_DIRECTIVES                                                                        \
    AP_INIT_TAKE1("SinchDatabase", mod_sinchfn_set_database, NULL, ACCESS_CONF,                            \
                  "The function's database: sqlite3 (default: database/function.sqlite3 in the function "  \
                  "directory), sqlite3:FILE, dbd (mod_dbd's DBDriver and DBDParams) or none"),             \
    AP_INIT_TAKE2("SinchDatabaseStatement", mod_sinchfn_set_database_statement, NULL, ACCESS_CONF,        \
                  "LABEL SQL: a statement the function runs by label; %s and %d are its placeholders")

/* ---- crash notes (mod_sinchfn_crash.c) ---- */

/* Prepares the error log line written when a fatal signal kills the child while this
 * thread runs the request's handler, until mod_sinchfn_crash_leave(). */
void mod_sinchfn_crash_enter(request_rec *r, const sinchfn_ctx *ctx, const char *export, const char *route);
void mod_sinchfn_crash_leave(void);
void mod_sinchfn_crash_register_hooks(apr_pool_t *pool);

#endif
