/*
 * db.c: the database API of include/sinchfn.h on apr_dbd: the connection the glue
 * acquires once per request, statements prepared once per connection, and result rows
 * read to the end and returned as a JSON array of objects.
 */
#include <apr_lib.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

#define REJECTED SINCHFN_LOG_INFO, SINCHFN_TAG_DB_REJECTED
#define FAILED SINCHFN_LOG_ERROR, SINCHFN_TAG_DB_FAILED

const char *sinchfn_db_check_sql(apr_pool_t *pool, const char *sql, int *placeholders)
{
    const char *c;

    *placeholders = 0;
    if (!sql || !*sql)
        return "the SQL is empty";
    for (c = sql; *c; c++) {
        if (c[0] != '%' || !apr_isalpha(c[1]))
            continue;
        if (c[1] != 's' && c[1] != 'd')
            return apr_psprintf(pool, "the SQL has the placeholder '%%%c' at byte %" APR_SIZE_T_FMT "; use %%s "
                                "for text and %%d for integers", c[1], (apr_size_t)(c - sql));
        (*placeholders)++;
        c++;
    }
    return NULL;
}

sinchfn_db_connection *sinchfn_db_connect(sinchfn_ctx *ctx, const char *operation)
{
    const char *problem;

    if (ctx->db_connection)
        return ctx->db_connection;
    if (!ctx->db || !ctx->db->acquire) {
        sinchfn_state_fail(ctx, FAILED, "database %s failed: the function has no database (SinchDatabase none)",
                           operation);
        return NULL;
    }
    if ((problem = ctx->db->acquire(ctx->db, ctx->db_baton, ctx->pool, &ctx->db_connection))) {
        ctx->db_connection = NULL;
        sinchfn_state_fail(ctx, SINCHFN_LOG_ERROR, SINCHFN_TAG_DB_UNAVAILABLE, "database %s failed: %s", operation,
                           problem);
        ctx->error_unavailable = 1;
        return NULL;
    }
    return ctx->db_connection;
}

/* The driver's message for error code, or a generic text when it has none. */
static const char *driver_error(const sinchfn_db_connection *connection, int code)
{
    const char *message = apr_dbd_error(connection->driver, connection->handle, code);

    return message && *message ? message : "the driver gave no message";
}

/* Returns the statement prepared on this connection under key, preparing it on first
 * use. The statement and its key live in the connection's pool. */
static apr_dbd_prepared_t *prepared_statement(sinchfn_ctx *ctx, sinchfn_db_connection *connection,
                                              const char *operation, const char *key, const char *label,
                                              const char *sql, int *was_cached)
{
    apr_dbd_prepared_t *statement = apr_hash_get(connection->prepared, key, APR_HASH_KEY_STRING);
    int code;

    if (was_cached)
        *was_cached = statement != NULL;
    if (statement)
        return statement;
    code = apr_dbd_prepare(connection->driver, connection->pool, connection->handle, sql, label, &statement);
    if (code != 0) {
        /* Copy the text now: the driver's buffer is overwritten by the next call. */
        sinchfn_state_fail(ctx, FAILED, "database %s failed: preparing the statement failed: %s", operation,
                           apr_pstrdup(ctx->pool, driver_error(connection, code)));
        return NULL;
    }
    apr_hash_set(connection->prepared, apr_pstrdup(connection->pool, key), APR_HASH_KEY_STRING, statement);
    return statement;
}

/* Reads every row of a result, to the end (-1), so the connection is free for the next
 * statement, and converts them to JSON objects of column name -> string or null. */
static sinchfn_status read_rows(sinchfn_ctx *ctx, sinchfn_db_connection *connection, const char *operation,
                                apr_dbd_results_t *results, json_object **rows)
{
    apr_dbd_row_t *row = NULL;
    json_object *array = json_object_new_array();
    int code, columns, i;

    while ((code = apr_dbd_get_row(connection->driver, ctx->pool, results, &row, -1)) == 0) {
        json_object *object = json_object_new_object();

        columns = apr_dbd_num_cols(connection->driver, results);

        for (i = 0; i < columns; i++) {
            const char *name = apr_dbd_get_name(connection->driver, results, i);
            const char *value = apr_dbd_get_entry(connection->driver, row, i);
            void *ignored;

            /* pgsql returns "" for SQL NULL, and only the typed getter distinguishes the
             * two. Drivers write a NULL pointer to the datum of this type, so it needs one. */
            if (value && apr_dbd_datum_get(connection->driver, row, i, APR_DBD_TYPE_NULL, &ignored) == APR_ENOENT)
                value = NULL;

            json_object_object_add(object, name ? name : apr_itoa(ctx->pool, i),
                                   value ? json_object_new_string(value) : NULL);
        }
        json_object_array_add(array, object);
    }
    sinchfn_json_pool_own(ctx->pool, array);
    if (code != -1)
        return sinchfn_state_fail(ctx, FAILED, "database %s failed: reading the rows failed: %s", operation,
                                  apr_pstrdup(ctx->pool, driver_error(connection, code)));
    *rows = array;
    return SINCHFN_OK;
}

/* Runs a prepared statement: a select when rows is set, else a query that sets
 * *affected (may be NULL). Returns the driver's code. apr_dbd reads exactly as many
 * values as the statement has placeholders. A random access select makes pgsql fetch
 * the whole result at once and report a failing statement here rather than while
 * reading rows. */
static int execute(sinchfn_ctx *ctx, sinchfn_db_connection *connection, apr_dbd_prepared_t *statement,
                   const char *const *args, int count, json_object **rows, apr_dbd_results_t **results,
                   int *affected)
{
    int changed = 0, code;

    if (rows) {
        *results = NULL;
        return apr_dbd_pselect(connection->driver, ctx->pool, connection->handle, results, statement, 1, count,
                               (const char **)args);
    }
    code = apr_dbd_pquery(connection->driver, ctx->pool, connection->handle, &changed, statement, count,
                          (const char **)args);
    if (code == 0 && affected)
        *affected = changed;
    return code;
}

sinchfn_status sinchfn_db_run(sinchfn_ctx *ctx, sinchfn_db_connection *connection, const char *operation,
                              const char *key, const char *label, const char *sql, const char *const *args,
                              int count, json_object **rows, int *affected)
{
    apr_dbd_prepared_t *statement;
    apr_dbd_results_t *results = NULL;
    const char *problem;
    int placeholders, code, was_cached;

    if ((problem = sinchfn_db_check_sql(ctx->pool, sql, &placeholders)))
        return sinchfn_state_fail(ctx, REJECTED, "database %s rejected: %s", operation, problem);
    if (count != placeholders || (count > 0 && !args))
        return sinchfn_state_fail(ctx, REJECTED, "database %s rejected: the SQL has %d placeholders but %d "
                                  "arguments were given", operation, placeholders, args ? count : 0);
    if (!(statement = prepared_statement(ctx, connection, operation, key, label, sql, &was_cached)))
        return SINCHFN_ERROR;

    code = execute(ctx, connection, statement, args, count, rows, &results, affected);

    /* A statement that apr_dbd's sqlite3 driver (APR-util 1.6) prepared keeps failing
     * with "database schema has changed" once another connection changed the schema,
     * so a cached statement is prepared again and run once more. */
    if (code != 0 && was_cached && !strcmp(apr_dbd_name(connection->driver), "sqlite3")) {
        /* NOTE: the replaced statement stays allocated in the connection until it closes. */
        apr_hash_set(connection->prepared, key, APR_HASH_KEY_STRING, NULL);
        if (!(statement = prepared_statement(ctx, connection, operation, key, label, sql, NULL)))
            return SINCHFN_ERROR;
        code = execute(ctx, connection, statement, args, count, rows, &results, affected);
    }
    if (code != 0)
        return sinchfn_state_fail(ctx, FAILED, "database %s failed: %s", operation,
                                  apr_pstrdup(ctx->pool, driver_error(connection, code)));
    return rows ? read_rows(ctx, connection, operation, results, rows) : SINCHFN_OK;
}

/* Runs a statement declared by SinchDatabaseStatement. */
static sinchfn_status run_declared(sinchfn_ctx *ctx, const char *operation, const char *label,
                                   const char *const *args, int count, json_object **rows, int *affected)
{
    const sinchfn_db_statement *declared;
    sinchfn_db_connection *connection;

    if (!label || !*label)
        return sinchfn_state_fail(ctx, REJECTED, "database %s rejected: the statement label is missing",
                                  operation);
    declared = ctx->db && ctx->db->statements ? apr_hash_get(ctx->db->statements, label, APR_HASH_KEY_STRING)
                                              : NULL;
    if (!declared)
        return sinchfn_state_fail(ctx, REJECTED, "database %s rejected: no statement '%s' is declared; declare it "
                                  "with SinchDatabaseStatement %s \"SQL\"", operation, label, label);
    if (!(connection = sinchfn_db_connect(ctx, operation)))
        return SINCHFN_ERROR;
    return sinchfn_db_run(ctx, connection, apr_psprintf(ctx->pool, "%s of statement '%s'", operation, label),
                          apr_pstrcat(ctx->pool, "declared:", declared->prepared, NULL), declared->prepared,
                          declared->sql, args, count, rows, affected);
}

/* Runs SQL text given by the handler as an unnamed statement, so PostgreSQL does not
 * keep a server-side statement for every distinct text. */
static sinchfn_status run_text(sinchfn_ctx *ctx, const char *operation, const char *sql, const char *const *args,
                               int count, json_object **rows, int *affected)
{
    sinchfn_db_connection *connection;

    if (!sql)
        return sinchfn_state_fail(ctx, REJECTED, "database %s rejected: the SQL is NULL", operation);
    if (!(connection = sinchfn_db_connect(ctx, operation)))
        return SINCHFN_ERROR;
    return sinchfn_db_run(ctx, connection, operation, apr_pstrcat(ctx->pool, "sql:", sql, NULL), NULL, sql, args,
                          count, rows, affected);
}

sinchfn_status sinchfn_db_select(sinchfn_ctx *ctx, const char *label, const char *const *args, int count,
                                 json_object **rows)
{
    *rows = NULL;
    return run_declared(ctx, "select", label, args, count, rows, NULL);
}

sinchfn_status sinchfn_db_execute(sinchfn_ctx *ctx, const char *label, const char *const *args, int count,
                                  int *affected)
{
    if (affected)
        *affected = 0;
    return run_declared(ctx, "execute", label, args, count, NULL, affected);
}

sinchfn_status sinchfn_db_select_sql(sinchfn_ctx *ctx, const char *sql, const char *const *args, int count,
                                     json_object **rows)
{
    *rows = NULL;
    return run_text(ctx, "select", sql, args, count, rows, NULL);
}

sinchfn_status sinchfn_db_execute_sql(sinchfn_ctx *ctx, const char *sql, const char *const *args, int count,
                                      int *affected)
{
    if (affected)
        *affected = 0;
    return run_text(ctx, "execute", sql, args, count, NULL, affected);
}

const char *sinchfn_db_driver(sinchfn_ctx *ctx)
{
    sinchfn_db_connection *connection = sinchfn_db_connect(ctx, "driver lookup");

    return connection ? apr_dbd_name(connection->driver) : NULL;
}
