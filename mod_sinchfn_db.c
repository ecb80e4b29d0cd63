/*
 * mod_sinchfn_db.c: the database of each function. By default a function has an SQLite
 * file of its own, opened through apr_dbd in a pool of connections per child process;
 * `SinchDatabase dbd` uses the connection mod_dbd keeps for the server instead (DBDriver
 * and DBDParams, e.g. PostgreSQL). Either way the runtime in src/db.c sees one apr_dbd
 * connection per request.
 */
#include <errno.h>
#include <unistd.h>

#include <apr_lib.h>
#include <apr_optional.h>
#include <apr_reslist.h>
#include <apr_strings.h>

#include "mod_sinchfn.h"
#include "mod_sinchfn_glue.h"

#include <ap_mpm.h>
#include <http_core.h>
#include <http_log.h>
#include <mod_dbd.h>
#include <unixd.h>

APLOG_USE_MODULE(sinchfn);

#define DEFAULT_DIRECTORY "database"
#define DEFAULT_FILE "function.sqlite3"
/* How long an SQLite statement waits for another process's lock before it fails with
 * "database is locked", in milliseconds. */
#define SQLITE_BUSY_TIMEOUT_MS 10000

#define DIRECTORY_PERMISSIONS (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_UEXECUTE | \
                               APR_FPROT_GREAD | APR_FPROT_GEXECUTE)
#define FILE_PERMISSIONS (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD)

typedef enum {
    DATABASE_SQLITE = 0, /* the default */
    DATABASE_DBD,
    DATABASE_NONE
} database_kind;

struct mod_sinchfn_database {
    const char *directive_file;      /* sqlite3:FILE, NULL for the default file */
    database_kind kind;
    int kind_set;                    /* whether SinchDatabase was given */
    apr_hash_t *statements;          /* label -> sinchfn_db_statement */
    const char *const *function_dir; /* the function directory field of the Location */
    const char *file;                /* the SQLite file, set in post_config */
    sinchfn_db_source source;
    const apr_dbd_driver_t *driver;  /* sqlite3, loaded in post_config */
    apr_reslist_t *connections;      /* SQLite connections of this child */
    server_rec *server;
};

/* Databases declared in this configuration pass; pre_config starts a new list. */
static apr_array_header_t *databases;
/* Numbers the declared statements, so their driver labels are unique in the process. */
static unsigned int statement_sequence;
static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

mod_sinchfn_database *mod_sinchfn_db_declare(cmd_parms *cmd, mod_sinchfn_database **database,
                                             const char *const *function_dir)
{
    if (*database)
        return *database;
    *database = apr_pcalloc(cmd->pool, sizeof(**database));
    (*database)->function_dir = function_dir;
    (*database)->server = cmd->server;
    if (!databases)
        databases = apr_array_make(cmd->pool, 4, sizeof(mod_sinchfn_database *));
    APR_ARRAY_PUSH(databases, mod_sinchfn_database *) = *database;
    return *database;
}

const char *mod_sinchfn_set_database(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    mod_sinchfn_database *database = mod_sinchfn_db_declare(cmd, &conf->database, &conf->function_dir);

    if (database->kind_set)
        return "SinchDatabase: the <Location> already sets a database; use one SinchDatabase per <Location>";
    if (!strcmp(arg, "sqlite3")) {
        database->kind = DATABASE_SQLITE;
    }
    else if (!strncmp(arg, "sqlite3:", 8) && arg[8]) {
        database->kind = DATABASE_SQLITE;
        if (!(database->directive_file = ap_server_root_relative(cmd->pool, arg + 8)))
            return apr_psprintf(cmd->pool, "SinchDatabase: invalid path '%s'", arg + 8);
    }
    else if (!strcmp(arg, "dbd")) {
        database->kind = DATABASE_DBD;
    }
    else if (!strcmp(arg, "none")) {
        database->kind = DATABASE_NONE;
    }
    else {
        return apr_psprintf(cmd->pool, "SinchDatabase: '%s' is not valid; use sqlite3, sqlite3:FILE, dbd or none",
                            arg);
    }
    database->kind_set = 1;
    return NULL;
}

const char *mod_sinchfn_set_database_statement(cmd_parms *cmd, void *mconfig, const char *label, const char *sql)
{
    dir_config *conf = mconfig;
    mod_sinchfn_database *database = mod_sinchfn_db_declare(cmd, &conf->database, &conf->function_dir);
    sinchfn_db_statement *statement;
    const char *c, *problem;
    int placeholders;

    for (c = label; *c; c++) {
        if (!(apr_isalnum(*c) || *c == '_' || *c == '-' || *c == '.'))
            break;
    }
    if (!*label || *c)
        return apr_psprintf(cmd->pool, "SinchDatabaseStatement: '%s' is not a valid label; use letters, digits, "
                            "'_', '-' and '.'", label);
    if ((problem = sinchfn_db_check_sql(cmd->pool, sql, &placeholders)))
        return apr_psprintf(cmd->pool, "SinchDatabaseStatement %s: %s", label, problem);
    if (!database->statements)
        database->statements = apr_hash_make(cmd->pool);
    if (apr_hash_get(database->statements, label, APR_HASH_KEY_STRING))
        return apr_psprintf(cmd->pool, "SinchDatabaseStatement: the label '%s' is declared twice in this "
                            "<Location>", label);
    statement = apr_pcalloc(cmd->pool, sizeof(*statement));
    statement->label = label;
    statement->sql = sql;
    statement->prepared = apr_psprintf(cmd->pool, "sinchfn_s%u", ++statement_sequence);
    apr_hash_set(database->statements, label, APR_HASH_KEY_STRING, statement);
    return NULL;
}

const sinchfn_db_source *mod_sinchfn_db_source(const mod_sinchfn_database *database)
{
    return database && database->source.acquire ? &database->source : NULL;
}

/* ---- acquiring a connection for a request ---- */

typedef struct {
    apr_reslist_t *connections;
    sinchfn_db_connection *connection;
} pooled_connection;

static apr_status_t release_connection(void *data)
{
    pooled_connection *pooled = data;

    apr_reslist_release(pooled->connections, pooled->connection);
    return APR_SUCCESS;
}

static const char *acquire_sqlite(const sinchfn_db_source *source, void *request_baton, apr_pool_t *pool,
                                  sinchfn_db_connection **connection)
{
    const mod_sinchfn_database *database = source->baton;
    pooled_connection *pooled;
    void *resource;
    apr_status_t status;

    (void)request_baton;
    if (!database->connections)
        return apr_psprintf(pool, "the SQLite database %s is not set up in this process; see the error log at "
                            "start-up", database->file);
    if ((status = apr_reslist_acquire(database->connections, &resource)) != APR_SUCCESS)
        return apr_psprintf(pool, "opening the SQLite database %s failed (%pm); check that the Apache User can "
                            "write the file and its directory", database->file, &status);
    pooled = apr_palloc(pool, sizeof(*pooled));
    pooled->connections = database->connections;
    pooled->connection = resource;
    apr_pool_cleanup_register(pool, pooled, release_connection, apr_pool_cleanup_null);
    *connection = resource;
    return NULL;
}

/* mod_dbd releases the connection with the request, so it is never closed here. */
static const char *acquire_dbd(const sinchfn_db_source *source, void *request_baton, apr_pool_t *pool,
                               sinchfn_db_connection **connection)
{
    request_rec *r = request_baton;
    sinchfn_db_connection *wrapped;
    ap_dbd_t *dbd;

    (void)source;
    if (!dbd_acquire)
        return "mod_dbd is not loaded; load it with LoadModule dbd_module";
    if (!(dbd = dbd_acquire(r)))
        return "mod_dbd could not open a connection to the server's database; check DBDriver and DBDParams "
               "(mod_dbd logged the cause)";
    if (!dbd->prepared)
        dbd->prepared = apr_hash_make(dbd->pool);
    wrapped = apr_palloc(pool, sizeof(*wrapped));
    wrapped->driver = dbd->driver;
    wrapped->handle = dbd->handle;
    wrapped->prepared = dbd->prepared;
    wrapped->pool = dbd->pool;
    *connection = wrapped;
    return NULL;
}

/* ---- SQLite connections of a child process ---- */

/* Sets the busy timeout. The pragma returns a row, so it runs as a select whose rows are
 * read to the end. */
static int set_busy_timeout(const apr_dbd_driver_t *driver, apr_pool_t *pool, apr_dbd_t *handle)
{
    apr_dbd_results_t *results = NULL;
    apr_dbd_row_t *row = NULL;
    int code = apr_dbd_select(driver, pool, handle, &results,
                              "PRAGMA busy_timeout = " APR_STRINGIFY(SQLITE_BUSY_TIMEOUT_MS), 0);

    if (code != 0)
        return code;
    while ((code = apr_dbd_get_row(driver, pool, results, &row, -1)) == 0)
        continue;
    return code == -1 ? 0 : code;
}

static apr_status_t open_sqlite(void **resource, void *params, apr_pool_t *pool)
{
    mod_sinchfn_database *database = params;
    sinchfn_db_connection *connection;
    apr_pool_t *connection_pool;
    const char *error = NULL;
    int code;
    apr_status_t status;

    if ((status = apr_pool_create(&connection_pool, pool)) != APR_SUCCESS)
        return status;
    connection = apr_pcalloc(connection_pool, sizeof(*connection));
    connection->driver = database->driver;
    connection->pool = connection_pool;
    connection->prepared = apr_hash_make(connection_pool);
    status = apr_dbd_open_ex(database->driver, connection_pool, database->file, &connection->handle, &error);
    if (status != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, status, database->server, SINCHFN_TAG_DB_UNAVAILABLE ": opening the "
                     "SQLite database %s failed: %s", database->file, error ? error : "no message");
        apr_pool_destroy(connection_pool);
        return status == APR_SUCCESS ? APR_EGENERAL : status;
    }

    /* Writers in other processes hold the file lock briefly; waiting for it turns
     * "database is locked" into a delay. */
    code = set_busy_timeout(database->driver, connection_pool, connection->handle);
    if (code != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, database->server, SINCHFN_TAG_DB_UNAVAILABLE ": setting the busy "
                     "timeout of %s failed: %s", database->file,
                     apr_dbd_error(database->driver, connection->handle, code));
        apr_dbd_close(database->driver, connection->handle);
        apr_pool_destroy(connection_pool);
        return APR_EGENERAL;
    }
    *resource = connection;
    return APR_SUCCESS;
}

static apr_status_t close_sqlite(void *resource, void *params, apr_pool_t *pool)
{
    sinchfn_db_connection *connection = resource;

    (void)params;
    (void)pool;
    apr_dbd_close(connection->driver, connection->handle);
    apr_pool_destroy(connection->pool);
    return APR_SUCCESS;
}

static void db_child_init(apr_pool_t *pchild, server_rec *s)
{
    int threads = 1, i;
    apr_status_t status;

    if (!databases)
        return;
    if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS || threads < 1)
        threads = 1;
    for (i = 0; i < databases->nelts; i++) {
        mod_sinchfn_database *database = APR_ARRAY_IDX(databases, i, mod_sinchfn_database *);

        if (!database->driver)
            continue;
        /* One connection per thread at most, opened on first use and kept. */
        status = apr_reslist_create(&database->connections, 0, threads, threads, 0, open_sqlite, close_sqlite,
                                    database, pchild);
        if (status != APR_SUCCESS)
            ap_log_error(APLOG_MARK, APLOG_ERR, status, s, SINCHFN_TAG_DB_UNAVAILABLE ": creating the connection "
                         "pool of the SQLite database %s failed; its database calls fail", database->file);
    }
}

/* ---- start-up ---- */

static int db_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    databases = NULL;
    statement_sequence = 0;
    return OK;
}

static void db_retrieve_optional_fn(void)
{
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

/* Runs in every pass, `apache2 -t` included, once every module is loaded. */
static int db_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int i;

    (void)pconf;
    (void)plog;
    (void)ptemp;
    for (i = 0; databases && i < databases->nelts; i++) {
        const mod_sinchfn_database *database = APR_ARRAY_IDX(databases, i, mod_sinchfn_database *);

        if (!*database->function_dir) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0634: SinchDatabase or SinchDatabaseStatement is set "
                         "in a <Location> without SinchFunction; put them next to the SinchFunction they serve");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (database->kind == DATABASE_DBD && !APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire)) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0635: SinchDatabase dbd for %s needs mod_dbd; load it "
                         "with LoadModule dbd_module and set DBDriver and DBDParams", *database->function_dir);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

/* Gives a path created as root to the Apache User, whose children open the database. */
static int give_to_user(server_rec *s, const char *path)
{
    apr_status_t status;

    if (geteuid() != 0 || chown(path, ap_unixd_config.user_id, ap_unixd_config.group_id) == 0)
        return OK;
    status = APR_FROM_OS_ERROR(errno);
    ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0636: giving %s to the Apache User %s failed", path,
                 ap_unixd_config.user_name);
    return HTTP_INTERNAL_SERVER_ERROR;
}

/* Creates the SQLite file and its directory when missing, owned by the User: SQLite
 * writes its journal next to the file, so the directory must be writable too. */
static int prepare_sqlite_file(apr_pool_t *ptemp, server_rec *s, const char *file)
{
    char *directory = ap_make_dirstr_parent(ptemp, file);
    apr_finfo_t info;
    apr_file_t *handle;
    apr_status_t status;
    int result;

    if (apr_stat(&info, directory, APR_FINFO_TYPE, ptemp) != APR_SUCCESS) {
        if ((status = apr_dir_make_recursive(directory, DIRECTORY_PERMISSIONS, ptemp)) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0637: creating the database directory %s failed; "
                         "create it or set SinchDatabase sqlite3:FILE to a writable place", directory);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if ((result = give_to_user(s, directory)) != OK)
            return result;
    }
    if (apr_stat(&info, file, APR_FINFO_TYPE, ptemp) == APR_SUCCESS) {
        if (info.filetype != APR_REG) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0637: the database path %s is not a file; remove it "
                         "or set SinchDatabase sqlite3:FILE", file);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        return OK;
    }
    /* SQLite takes an empty file as a new database. */
    status = apr_file_open(&handle, file, APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_EXCL, FILE_PERMISSIONS,
                           ptemp);
    if (status != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0637: creating the database file %s failed", file);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_file_close(handle);
    return give_to_user(s, file);
}

static int setup_database(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s, mod_sinchfn_database *database)
{
    apr_status_t status;
    int result;

    database->source.statements = database->statements;
    database->source.baton = database;
    if (database->kind == DATABASE_NONE)
        return OK;
    if (database->kind == DATABASE_DBD) {
        database->source.description = "mod_dbd";
        database->source.acquire = acquire_dbd;
        return OK;
    }

    database->file = database->directive_file ? database->directive_file
                                              : apr_pstrcat(pconf, *database->function_dir, "/" DEFAULT_DIRECTORY "/"
                                                            DEFAULT_FILE, NULL);
    database->source.description = apr_pstrcat(pconf, "sqlite3 ", database->file, NULL);
    database->source.acquire = acquire_sqlite;
    if ((status = apr_dbd_get_driver(pconf, "sqlite3", &database->driver)) != APR_SUCCESS) {
        database->driver = NULL;
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0638: the apr_dbd driver sqlite3 could not be "
                     "loaded for %s; install libaprutil1-dbd-sqlite3, or set SinchDatabase none or dbd",
                     *database->function_dir);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((result = prepare_sqlite_file(ptemp, s, database->file)) != OK)
        return result;
    return OK;
}

static int db_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t status;
    int i, result;

    (void)plog;
    /* The first pass only checks the configuration: no file is created. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG || !databases)
        return OK;
    if ((status = apr_dbd_init(pconf)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0638: apr_dbd_init failed");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (i = 0; i < databases->nelts; i++) {
        if ((result = setup_database(pconf, ptemp, s, APR_ARRAY_IDX(databases, i, mod_sinchfn_database *))) != OK)
            return result;
    }
    return OK;
}

void mod_sinchfn_db_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_pre_config(db_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(db_retrieve_optional_fn, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(db_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(db_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(db_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
