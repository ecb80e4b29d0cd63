/*
 * mod_sinchfn.c: the Apache httpd glue of mod_sinchfn. It declares the directives,
 * loads each function object at configuration time, skips the filesystem walk for
 * function Locations, and turns a request_rec into a runtime request and the runtime's
 * response back into HTTP. The protection step lives in mod_sinchfn_protect.c, the
 * static files of public/ in mod_sinchfn_public.c, and the runtime itself in src/,
 * which uses no httpd headers.
 */
#include <apr_atomic.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <unistd.h>

#include "mod_sinchfn.h"
#include "mod_sinchfn_glue.h"

APLOG_USE_MODULE(sinchfn);

#define HANDLER_NAME "sinchfn"
#define OBJECT_NAME "function.so"
#define REQUEST_ID_HEADER "X-Request-Id"
/* Request notes for the access log (LogFormat %{sinchfn-function}n, ...). */
#define NOTE_FUNCTION "sinchfn-function"
#define NOTE_ROUTE "sinchfn-route"
#define NOTE_REQUEST_ID "sinchfn-request-id"
#define NOTE_HANDLER_LOG "sinchfn-log"

/* Start of this server process, for sinchfn_uptime(); set again in each child. */
static apr_time_t process_start;
/* Per-process sequence of generated request ids, and the "start-pid-" prefix they share. */
static apr_uint32_t request_sequence;
static const char *request_id_prefix = "";
static apr_size_t request_id_prefix_length;

static void start_process(apr_pool_t *pool)
{
    process_start = apr_time_now();
    request_id_prefix = apr_psprintf(pool, "%" APR_UINT64_T_HEX_FMT "-%" APR_PID_T_FMT "-",
                                     (apr_uint64_t)process_start, getpid());
    request_id_prefix_length = strlen(request_id_prefix);
}

/* ---- configuration ---- */

static void *create_dir_config(apr_pool_t *pool, char *path)
{
    dir_config *conf = apr_pcalloc(pool, sizeof(*conf));

    (void)path;
    conf->max_body = -1;
    conf->storage_in_db = -1;
    protect_config_init(conf);
    return conf;
}

/* Overlays two name -> value maps; entries of `over` win. */
static apr_hash_t *merge_map(apr_pool_t *pool, apr_hash_t *over, apr_hash_t *base)
{
    if (!over)
        return base;
    if (!base)
        return over;
    return apr_hash_overlay(pool, over, base);
}

static void *merge_dir_config(apr_pool_t *pool, void *base_conf, void *add_conf)
{
    dir_config *base = base_conf, *add = add_conf;
    dir_config *conf = apr_pcalloc(pool, sizeof(*conf));

#define MERGE_PTR(field) conf->field = add->field ? add->field : base->field
    MERGE_PTR(location);
    conf->location_prefix = add->location ? add->location_prefix : base->location_prefix;
    MERGE_PTR(function);
    MERGE_PTR(function_name);
    MERGE_PTR(environment);
    MERGE_PTR(function_dir);
    MERGE_PTR(function_storage_dir);
    MERGE_PTR(function_assets_dir);
    MERGE_PTR(voice_fallback);
    MERGE_PTR(database);
#undef MERGE_PTR

    /* sinch.json and .env belong to the function next to them: a Location that declares
     * its own function starts from its own variables and secrets. */
    if (add->function) {
        conf->storage_dir = add->storage_dir;
        conf->variables = add->variables;
        conf->directive_variables = add->directive_variables;
        conf->secrets = add->secrets;
        conf->envfile_secrets = add->envfile_secrets;
    }
    else {
        conf->storage_dir = add->storage_dir ? add->storage_dir : base->storage_dir;
        conf->variables = merge_map(pool, add->variables, base->variables);
        conf->directive_variables = merge_map(pool, add->directive_variables, base->directive_variables);
        conf->secrets = merge_map(pool, add->secrets, base->secrets);
        conf->envfile_secrets = merge_map(pool, add->envfile_secrets, base->envfile_secrets);
    }
    conf->max_body = add->max_body >= 0 ? add->max_body : base->max_body;
    conf->storage_in_db = add->storage_in_db >= 0 ? add->storage_in_db : base->storage_in_db;
    protect_config_merge(pool, conf, base, add);
    return conf;
}

static apr_hash_t *ensure_map(apr_pool_t *pool, apr_hash_t **map)
{
    if (!*map)
        *map = apr_hash_make(pool);
    return *map;
}

/* SinchFunction is only meaningful in a <Location> block: routing is relative to it. */
static const char *check_location(cmd_parms *cmd)
{
    const char *parent = cmd->directive && cmd->directive->parent ? cmd->directive->parent->directive : NULL;
    const char *args = cmd->directive && cmd->directive->parent ? cmd->directive->parent->args : NULL;

    if (!cmd->path || !parent || ap_cstr_casecmp(parent, "<Location") || (args && args[0] == '~'))
        return apr_psprintf(cmd->pool, "%s must be inside a <Location> block with a plain path (not "
                            "<Location ~>, <LocationMatch>, <Directory> or the server level)", cmd->cmd->name);
    return NULL;
}

static int file_exists(apr_pool_t *pool, const char *path, apr_filetype_e type)
{
    apr_finfo_t info;

    return apr_stat(&info, path, APR_FINFO_TYPE, pool) == APR_SUCCESS && info.filetype == type;
}

/* The last component of a directory path, ignoring trailing slashes. */
static const char *directory_name(apr_pool_t *pool, const char *dir)
{
    char *copy = apr_pstrdup(pool, dir);
    apr_size_t length = strlen(copy);

    while (length > 1 && copy[length - 1] == '/')
        copy[--length] = '\0';
    return apr_filepath_name_get(copy);
}

/* Copies entries of `from` into `*into`, except names listed in `keep`, whose values
 * came from a directive that wins whatever the order of directives. */
static void copy_unless_set(apr_pool_t *pool, apr_hash_t *from, apr_hash_t **into, apr_hash_t *keep)
{
    apr_hash_index_t *entry;

    ensure_map(pool, into);
    for (entry = apr_hash_first(pool, from); entry; entry = apr_hash_next(entry)) {
        const void *name;
        void *value;

        apr_hash_this(entry, &name, NULL, &value);
        if (!keep || !apr_hash_get(keep, name, APR_HASH_KEY_STRING))
            apr_hash_set(*into, name, APR_HASH_KEY_STRING, value);
    }
}

/* Reads sinch.json and .env of a function directory into the config. */
static const char *load_project(cmd_parms *cmd, dir_config *conf, const char *dir)
{
    const char *project = apr_pstrcat(cmd->pool, dir, "/sinch.json", NULL);
    const char *dotenv = apr_pstrcat(cmd->pool, dir, "/.env", NULL);
    apr_hash_t *project_variables = apr_hash_make(cmd->pool);
    apr_hash_t *dotenv_secrets = apr_hash_make(cmd->pool);
    const char *problem;

    if (file_exists(cmd->temp_pool, project, APR_REG) &&
        (problem = sinchfn_project_load(cmd->pool, project, &conf->function_name, project_variables)))
        return apr_psprintf(cmd->pool, "SinchFunction: %s; fix the file or remove it", problem);
    if (file_exists(cmd->temp_pool, dotenv, APR_REG) &&
        (problem = sinchfn_dotenv_load(cmd->pool, dotenv, dotenv_secrets)))
        return apr_psprintf(cmd->pool, "SinchFunction: %s", problem);

    if ((problem = protect_check_variables(cmd->pool, project_variables, project)) ||
        (problem = protect_check_variables(cmd->pool, dotenv_secrets, dotenv)))
        return apr_psprintf(cmd->pool, "SinchFunction: %s", problem);

    copy_unless_set(cmd->pool, project_variables, &conf->variables, conf->directive_variables);
    copy_unless_set(cmd->pool, dotenv_secrets, &conf->secrets, conf->envfile_secrets);
    return NULL;
}

static const char *set_function(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *dir, *object, *problem;
    sinchfn_loaded *loaded;

    if ((problem = check_location(cmd)))
        return problem;
    if (conf->function)
        return "SinchFunction: this <Location> already has a function; use one SinchFunction per <Location>";
    if (!path)
        return apr_psprintf(cmd->pool, "SinchFunction: invalid path '%s'", arg);

    if (file_exists(cmd->temp_pool, path, APR_DIR)) {
        dir = path;
        object = apr_pstrcat(cmd->pool, path, "/" OBJECT_NAME, NULL);
        if (!file_exists(cmd->temp_pool, object, APR_REG))
            return apr_psprintf(cmd->pool, "SinchFunction: %s has no %s; build it with `sinchfn build %s`",
                                path, OBJECT_NAME, path);
    }
    else if (file_exists(cmd->temp_pool, path, APR_REG)) {
        object = path;
        dir = ap_make_dirstr_parent(cmd->pool, path);
    }
    else {
        return apr_psprintf(cmd->pool, "SinchFunction: %s does not exist; give a function directory "
                            "or its built %s", path, OBJECT_NAME);
    }

    if ((problem = sinchfn_function_load(cmd->pool, object, &loaded)))
        return apr_psprintf(cmd->pool, "SinchFunction: %s", problem);
    conf->function = loaded;
    conf->warnings = apr_pcalloc(cmd->pool, sizeof(*conf->warnings));
    conf->location = cmd->path;
    conf->location_prefix = sinchfn_route_prefix(cmd->pool, cmd->path);
    conf->function_dir = dir;
    conf->function_storage_dir = apr_pstrcat(cmd->pool, dir, "/storage", NULL);
    conf->function_assets_dir = apr_pstrcat(cmd->pool, dir, "/assets", NULL);
    mod_sinchfn_storage_register(cmd->pool, &conf->function_dir, &conf->storage_dir);
    mod_sinchfn_db_declare(cmd, &conf->database, &conf->function_dir);
    conf->function_name = directory_name(cmd->pool, dir);
    return load_project(cmd, conf, dir);
}

static const char *set_environment(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;

    if (strcmp(arg, "development") && strcmp(arg, "production"))
        return apr_psprintf(cmd->pool, "SinchEnvironment: '%s' is not valid; use development or production", arg);
    conf->environment = arg;
    return NULL;
}

static const char *set_variable(cmd_parms *cmd, void *mconfig, const char *name, const char *value)
{
    dir_config *conf = mconfig;
    const char *c;

    for (c = name; *c; c++) {
        if (!(apr_isalnum(*c) || *c == '_' || *c == '.'))
            break;
    }
    if (!*name || *c || apr_isdigit(*name))
        return apr_psprintf(cmd->pool, "SinchVariable: '%s' is not a valid name; use letters, digits, '_' and '.', "
                            "not starting with a digit", name);
    if (!strcmp(name, "WEBHOOK_PROTECTION") && strcmp(value, "never") && strcmp(value, "deploy") &&
        strcmp(value, "always"))
        return apr_psprintf(cmd->pool, "SinchVariable: WEBHOOK_PROTECTION '%s' is not valid; use never, deploy or "
                            "always", value);
    apr_hash_set(ensure_map(cmd->pool, &conf->variables), name, APR_HASH_KEY_STRING, value);
    apr_hash_set(ensure_map(cmd->pool, &conf->directive_variables), name, APR_HASH_KEY_STRING, value);
    return NULL;
}

static const char *set_env_file(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *problem;

    if (!path || !file_exists(cmd->temp_pool, path, APR_REG))
        return apr_psprintf(cmd->pool, "SinchEnvFile: %s is not a readable file", path ? path : arg);
    if ((problem = sinchfn_dotenv_load(cmd->pool, path, ensure_map(cmd->pool, &conf->envfile_secrets))) ||
        (problem = protect_check_variables(cmd->pool, conf->envfile_secrets, path)))
        return apr_psprintf(cmd->pool, "SinchEnvFile: %s", problem);
    copy_unless_set(cmd->pool, conf->envfile_secrets, &conf->secrets, NULL);
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    char *end = NULL;
    apr_int64_t bytes = apr_strtoi64(arg, &end, 10);

    if (!*arg || *end || bytes <= 0 || bytes > APR_INT32_MAX)
        return apr_psprintf(cmd->pool, "SinchMaxBodySize: '%s' is not valid; give a size in bytes "
                            "between 1 and %d", arg, APR_INT32_MAX);
    conf->max_body = (apr_off_t)bytes;
    return NULL;
}

static const char *set_storage(cmd_parms *cmd, void *mconfig, const char *arg)
{
    dir_config *conf = mconfig;
    const char *path = ap_server_root_relative(cmd->pool, arg);

    /* A directory named dbd is given as ./dbd. */
    if (!strcmp(arg, "dbd")) {
        conf->storage_in_db = 1;
        return NULL;
    }
    if (!path || !*arg)
        return apr_psprintf(cmd->pool, "SinchStorage: invalid path '%s'", arg);
    conf->storage_in_db = 0;
    conf->storage_dir = path;
    mod_sinchfn_storage_register(cmd->pool, &conf->function_dir, &conf->storage_dir);
    return NULL;
}

/* A locale is a language code ("en-US") or a voice name ("Ivy"). */
static int is_locale(const char *text)
{
    if (!*text)
        return 0;
    for (; *text; text++) {
        if (!apr_isalnum(*text) && *text != '-' && *text != '_')
            return 0;
    }
    return 1;
}

static const char *set_voice_fallback(cmd_parms *cmd, void *mconfig, const char *text, const char *locale)
{
    dir_config *conf = mconfig;
    sinchfn_voice_fallback *fallback;

    if (locale && !is_locale(locale))
        return apr_psprintf(cmd->pool, "SinchVoiceFallback: '%s' is not a locale; give a language code such as "
                            "en-US or a voice name such as Ivy", locale);
    fallback = apr_pcalloc(cmd->pool, sizeof(*fallback));
    /* httpd reads "" as a missing argument, so the keyword none selects no message. */
    fallback->text = ap_cstr_casecmp(text, "none") ? text : "";
    fallback->locale = locale;
    conf->voice_fallback = fallback;
    return NULL;
}

static const command_rec sinchfn_directives[] = {
    AP_INIT_TAKE1("SinchFunction", set_function, NULL, ACCESS_CONF,
                  "Function directory (holding function.so, sinch.json, .env) or built object to serve here"),
    AP_INIT_TAKE1("SinchEnvironment", set_environment, NULL, ACCESS_CONF,
                  "development or production (default production)"),
    AP_INIT_TAKE2("SinchVariable", set_variable, NULL, ACCESS_CONF,
                  "NAME VALUE: a configuration variable for the function; wins over sinch.json"),
    AP_INIT_TAKE1("SinchEnvFile", set_env_file, NULL, ACCESS_CONF,
                  "Dotenv file of secrets for the function; values are never logged"),
    AP_INIT_TAKE1("SinchMaxBodySize", set_max_body, NULL, ACCESS_CONF,
                  "Maximum request body in bytes (default 1048576); larger bodies get 413"),
    MOD_SINCHFN_CACHE_DIRECTIVES,
    AP_INIT_TAKE1("SinchStorage", set_storage, NULL, ACCESS_CONF,
                  "Directory of the function's storage (default storage/ in the function directory), "
                  "created at start-up and owned by the Apache User, or dbd for a table in the function's "
                  "database"),
    MOD_SINCHFN_DB_DIRECTIVES,
    PROTECT_DIRECTIVES,
    AP_INIT_TAKE12("SinchVoiceFallback", set_voice_fallback, NULL, ACCESS_CONF,
                   "TEXT [LOCALE]: said before hanging up when an ice or pie handler fails; none hangs up "
                   "without a message"),
    { NULL }
};

/* ---- request handling ---- */

typedef struct {
    request_rec *r;
    const char *function_name;
    const char *request_id;
} log_target;

/* Sets a request note for LogFormat's %{NAME}n. Control characters become spaces, so
 * the value stays one line and, after mod_log_config's escaping of '"' and '\', a valid
 * JSON string in the documented JSON LogFormat. A value without them is stored without a
 * copy, so it must live as long as the request. */
static void set_log_note(request_rec *r, const char *name, const char *value)
{
    const char *c;
    char *copy;

    if (!value)
        value = "";
    for (c = value; *c && !apr_iscntrl(*c); c++)
        ;
    if (!*c) {
        apr_table_setn(r->notes, name, value);
        return;
    }
    copy = apr_pstrdup(r->pool, value);
    for (c = copy + (c - value); *c; c++) {
        if (apr_iscntrl(*c))
            copy[c - copy] = ' ';
    }
    apr_table_setn(r->notes, name, copy);
}

/* Sets a note of this request that no other code sets. httpd makes r->notes new for each
 * request, so adding is enough, where apr_table_setn would first compare the name with
 * every note already there. */
static void add_log_note(request_rec *r, const char *name, const char *value)
{
    const char *c;

    if (!value)
        value = "";
    for (c = value; *c && !apr_iscntrl(*c); c++)
        ;
    if (!*c)
        apr_table_addn(r->notes, name, value);
    else
        set_log_note(r, name, value);
}

/* Appends a handler's own log line to the sinchfn-log note as "LEVEL: message", lines
 * separated by " | ", so the access log record carries them. */
static void add_handler_line(request_rec *r, int level, const char *message)
{
    static const char *const level_names[] = { "emerg", "alert", "crit", "error",
                                               "warn", "notice", "info", "debug" };
    const char *earlier = apr_table_get(r->notes, NOTE_HANDLER_LOG);
    const char *line = apr_pstrcat(r->pool, level_names[level >= 0 && level <= 7 ? level : 7], ": ", message,
                                   NULL);

    set_log_note(r, NOTE_HANDLER_LOG, earlier && *earlier ? apr_pstrcat(r->pool, earlier, " | ", line, NULL) : line);
}

/* Sends a runtime or handler line to the error log, and a handler line to the request
 * log note as well. httpd escapes control characters in error log messages, so decoded
 * request data cannot forge a line. */
static void log_to_request(void *baton, int level, const char *tag, const char *message)
{
    const log_target *target = baton;

    ap_log_rerror(APLOG_MARK, level, 0, target->r, "%s: [function %s] [request %s] %s", tag,
                  target->function_name, target->request_id, message);
    if (!strcmp(tag, SINCHFN_TAG_HANDLER))
        add_handler_line(target->r, level, message);
}

static const char *make_request_id(request_rec *r)
{
    const char *unique_id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    char digits[20], *start, *id;
    apr_size_t length;

    if (unique_id)
        return unique_id;
    /* The prefix, then the sequence number in hex: this runs on every request, so it
     * avoids the cost of a format string. */
    start = sinchfn_format_unsigned(digits + sizeof(digits), apr_atomic_inc32(&request_sequence), 16);
    length = (apr_size_t)(digits + sizeof(digits) - start);
    id = apr_palloc(r->pool, request_id_prefix_length + length + 1);
    memcpy(id, request_id_prefix, request_id_prefix_length);
    memcpy(id + request_id_prefix_length, start, length);
    id[request_id_prefix_length + length] = '\0';
    return id;
}

static sinchfn_ctx *make_context(request_rec *r, const dir_config *conf, log_target *target)
{
    sinchfn_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ctx->pool = r->pool;
    ctx->function_name = conf->function_name;
    ctx->environment = conf->environment ? conf->environment : "production";
    ctx->variables = conf->variables;
    ctx->secrets = conf->secrets;
    ctx->request_id = make_request_id(r);
    ctx->process_start = process_start;
    ctx->signature_max_skew = protect_max_skew(conf);
    ctx->log_level = ap_get_request_module_loglevel(r, APLOG_MODULE_INDEX);
    ctx->log_sink = log_to_request;
    ctx->log_baton = target;
    ctx->client_ip = r->useragent_ip;
    ctx->cache = mod_sinchfn_cache();
    ctx->storage_dir = conf->storage_dir ? conf->storage_dir : conf->function_storage_dir;
    ctx->assets_dir = conf->function_assets_dir;
    ctx->db = mod_sinchfn_db_source(conf->database);
    ctx->db_baton = r;
    ctx->storage_in_db = conf->storage_in_db == 1;

    target->r = r;
    target->function_name = conf->function_name;
    target->request_id = ctx->request_id;
    add_log_note(r, NOTE_FUNCTION, conf->function_name);
    /* mod_unique_id's ids and the ones made above contain no control characters. */
    apr_table_addn(r->notes, NOTE_REQUEST_ID, ctx->request_id);
    apr_table_addn(r->notes, NOTE_HANDLER_LOG, "");
    return ctx;
}

/* Headers httpd computes itself; a handler's values for them are dropped. */
static int is_framing_header(const char *name)
{
    return !ap_cstr_casecmp(name, "Content-Length") || !ap_cstr_casecmp(name, "Transfer-Encoding");
}

/* Passes the body, which lives in the request pool, and the end of the response down the
 * output filters in one brigade. */
static int write_body(request_rec *r, const char *body, apr_size_t length)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *brigade = apr_brigade_create(r->pool, c->bucket_alloc);
    apr_status_t status;

    if (!r->header_only && length > 0)
        APR_BRIGADE_INSERT_TAIL(brigade, apr_bucket_pool_create(body, length, r->pool, c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(brigade, apr_bucket_eos_create(c->bucket_alloc));
    status = ap_pass_brigade(r->output_filters, brigade);
    if (status != APR_SUCCESS && !c->aborted)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, status, r, "SFN0307: writing the response failed");
    return OK;
}

/* Writes a complete runtime response. Error statuses are sent this way too, with OK
 * returned to httpd, so headers_out survives and the body is JSON, not an error page. */
int send_response(request_rec *r, const sinchfn_response *response, const char *request_id)
{
    const char *content_type = response->content_type;
    int i;

    r->status = sinchfn_response_final_status(response);
    if (ap_index_of_response(r->status) == ap_index_of_response(HTTP_INTERNAL_SERVER_ERROR) &&
        r->status != HTTP_INTERNAL_SERVER_ERROR) {
        /* httpd sends codes it has no reason phrase for as 500 unless given a status line. */
        r->status_line = apr_psprintf(r->pool, "%03d Unknown", r->status);
    }
    apr_table_setn(r->headers_out, REQUEST_ID_HEADER, request_id);
    for (i = 0; response->headers && i < response->headers->nelts; i++) {
        const sinchfn_param *header = &APR_ARRAY_IDX(response->headers, i, sinchfn_param);

        if (!ap_cstr_casecmp(header->name, "Content-Type"))
            content_type = header->value;
        else if (!is_framing_header(header->name) && ap_cstr_casecmp(header->name, REQUEST_ID_HEADER))
            apr_table_addn(r->headers_out, header->name, header->value);
    }

    if (!response->body) {
        if (r->status != HTTP_NO_CONTENT)
            ap_set_content_length(r, 0);
        return OK;
    }
    if (content_type)
        ap_set_content_type(r, content_type);
    ap_set_content_length(r, (apr_off_t)response->body_length);
    return write_body(r, response->body, response->body_length);
}

/* Returns the value of a Content-Length header. httpd has already rejected a request whose
 * value is not a run of digits that fits apr_off_t (ap_parse_strict_length), so this reads
 * digits only. A run too long for int64 gives INT64_MAX, which exceeds every body limit. */
static apr_int64_t declared_length(const char *value)
{
    apr_int64_t length = 0;

    for (; *value >= '0' && *value <= '9'; value++) {
        if (length > (APR_INT64_MAX - 9) / 10)
            return APR_INT64_MAX;
        length = length * 10 + (*value - '0');
    }
    return length;
}

/* Disposes of a request body the handler will not read. A body whose Content-Length
 * fits SinchMaxBodySize is read and dropped, so the connection stays usable. Any other
 * body stays unread and the connection closes after the response. No more than the cap
 * is ever read, and httpd sends no 100 Continue. */
void skip_body(request_rec *r, const dir_config *conf)
{
    apr_off_t max_body = conf->max_body >= 0 ? conf->max_body : SINCHFN_DEFAULT_MAX_BODY;
    const char *declared = apr_table_get(r->headers_in, "Content-Length");

    if (!ap_request_has_body(r))
        return;
    if (declared && declared_length(declared) <= max_body && !r->expecting_100 && ap_discard_request_body(r) == OK)
        return;
    r->connection->keepalive = AP_CONN_CLOSE;
}

int send_runtime_error(request_rec *r, sinchfn_ctx *ctx, int status, const char *tag, const char *message,
                       const char *route)
{
    sinchfn_response *response = sinchfn_response_create(r->pool);

    if (tag)
        sinchfn_log(ctx, SINCHFN_LOG_INFO, tag, "%d %s %s: %s", status, r->method, r->unparsed_uri, message);
    sinchfn_response_runtime_error(response, status, message, route, ctx->request_id);
    if (status == HTTP_METHOD_NOT_ALLOWED)
        sinchfn_response_header(response, "Allow", "POST");
    return send_response(r, response, ctx->request_id);
}

static int send_client_error(request_rec *r, sinchfn_ctx *ctx, int status, const char *message, const char *route)
{
    return send_runtime_error(r, ctx, status, TAG_CLIENT_ERROR, message, route);
}

typedef struct {
    const char *data;
    apr_size_t length;
    apr_size_t capacity; /* bytes readable at data, at least length + 1 */
    int status; /* 0, or the HTTP status of a failed read */
    apr_status_t read_status;
} body_read;

/* The largest declared body that read_body allocates in full before it arrives. */
#define BODY_PREALLOCATE_MAX (64 * 1024)

/* Copies the request body into the request pool, dechunked, refusing more than max_body
 * bytes. Content-Length over the cap is refused before any byte is read. */
static void read_body(request_rec *r, apr_off_t max_body, body_read *out)
{
    const char *declared = apr_table_get(r->headers_in, "Content-Length");
    apr_bucket_brigade *brigade;
    apr_size_t capacity = 0;
    char *buffer = NULL;
    int seen_eos = 0;

    memset(out, 0, sizeof(*out));
    /* An HTTP/1.x request with neither Content-Length nor Transfer-Encoding has no body
     * (RFC 9112 section 6.3), and httpd's HTTP input filter would return EOS at once. */
    if (!declared && r->proto_num < HTTP_VERSION(2, 0) && !apr_table_get(r->headers_in, "Transfer-Encoding"))
        return;
    if (declared) {
        apr_int64_t length = declared_length(declared);

        if (length > max_body) {
            out->status = HTTP_REQUEST_ENTITY_TOO_LARGE;
            return;
        }
        /* httpd has checked the value, so a small body takes one allocation of its size.
         * A large one grows with what arrives, so that a declared length alone cannot
         * make the pool allocate. */
        if (length > 0 && length <= BODY_PREALLOCATE_MAX) {
            capacity = (apr_size_t)length + SINCHFN_JSON_PADDING;
            buffer = apr_palloc(r->pool, capacity);
        }
    }

    brigade = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!seen_eos) {
        apr_bucket *bucket;
        apr_status_t rv = ap_get_brigade(r->input_filters, brigade, AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);

        if (rv != APR_SUCCESS) {
            out->read_status = rv;
            out->status = ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
            return;
        }
        for (bucket = APR_BRIGADE_FIRST(brigade); bucket != APR_BRIGADE_SENTINEL(brigade);
             bucket = APR_BUCKET_NEXT(bucket)) {
            const char *data;
            apr_size_t length;

            if (APR_BUCKET_IS_EOS(bucket)) {
                seen_eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(bucket))
                continue;
            if ((rv = apr_bucket_read(bucket, &data, &length, APR_BLOCK_READ)) != APR_SUCCESS) {
                out->read_status = rv;
                out->status = HTTP_BAD_REQUEST;
                return;
            }
            if ((apr_off_t)(out->length + length) > max_body) {
                out->status = HTTP_REQUEST_ENTITY_TOO_LARGE;
                return;
            }
            /* The NUL and the bytes simdjson may read past a JSON body. */
            if (out->length + length + SINCHFN_JSON_PADDING > capacity) {
                apr_size_t grown = capacity ? capacity * 2 : 8192;
                char *larger;

                while (grown < out->length + length + SINCHFN_JSON_PADDING)
                    grown *= 2;
                larger = apr_palloc(r->pool, grown);
                if (out->length)
                    memcpy(larger, buffer, out->length);
                buffer = larger;
                capacity = grown;
            }
            memcpy(buffer + out->length, data, length);
            out->length += length;
        }
        apr_brigade_cleanup(brigade);
    }

    if (buffer)
        memset(buffer + out->length, 0, SINCHFN_JSON_PADDING);
    out->data = buffer;
    out->capacity = capacity;
}

/* Returns the path exactly as the client sent it. httpd decodes r->parsed_uri.path in
 * place (all but %2F under AllowEncodedSlashes NoDecode), and decoding again would turn
 * %2541 into A, so routing starts from the request target itself. */
static const char *raw_request_path(request_rec *r)
{
    const char *target = r->unparsed_uri ? r->unparsed_uri : "/";
    const char *scheme_end = ap_strstr_c(target, "://");
    apr_size_t length;

    if (*target != '/' && scheme_end) {
        target = ap_strchr_c(scheme_end + 3, '/');
        if (!target)
            return "/";
    }
    length = strcspn(target, "?#");
    return apr_pstrmemdup(r->pool, target, length);
}

/* Finds the export of a route. NULL means no export, and for "health" the built-in response. */
static const sinchfn_export *find_export(const dir_config *conf, sinchfn_route *route)
{
    const sinchfn_export *export;

    if (route->kind != SINCHFN_ROUTE_ROOT)
        return sinchfn_function_find(conf->function, route->name);
    if ((export = sinchfn_function_find(conf->function, "default")))
        return export;
    if ((export = sinchfn_function_find(conf->function, "home")))
        route->name = "home";
    return export;
}

static int send_builtin_health(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, int body_consumed)
{
    sinchfn_response *response = sinchfn_response_create(r->pool);

    sinchfn_response_set_string(response, "status", "healthy");
    sinchfn_respond_object(response, 200);
    if (!body_consumed)
        skip_body(r, conf);
    return send_response(r, response, ctx->request_id);
}

/* Reads the raw body into request->body. Returns DECLINED when the body was read,
 * otherwise the status of the error response that was sent instead. */
static int read_request_body(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, sinchfn_request *request,
                             const char *route)
{
    apr_off_t max_body = conf->max_body >= 0 ? conf->max_body : SINCHFN_DEFAULT_MAX_BODY;
    body_read body;

    read_body(r, max_body, &body);
    if (body.status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        r->connection->keepalive = AP_CONN_CLOSE;
        return send_client_error(r, ctx, body.status,
                                 apr_psprintf(r->pool, "The request body is larger than %" APR_OFF_T_FMT
                                              " bytes; send a smaller body or raise SinchMaxBodySize.", max_body),
                                 route);
    }
    if (body.status) {
        if (body.read_status == AP_FILTER_ERROR)
            sinchfn_log(ctx, SINCHFN_LOG_INFO, "SFN0202", "httpd's HTTP input filter rejected the request "
                        "body; the handler was not run");
        else
            sinchfn_log(ctx, SINCHFN_LOG_INFO, "SFN0202", "reading the request body failed (%pm); "
                        "the handler was not run", &body.read_status);
        r->connection->keepalive = AP_CONN_CLOSE;
        if (body.read_status == AP_FILTER_ERROR)
            return AP_FILTER_ERROR;
        return send_client_error(r, ctx, body.status, "The request body could not be read completely.", route);
    }
    request->body = body.data;
    request->body_length = body.length;
    request->body_capacity = body.capacity;
    return DECLINED;
}

/* Parses the query and the body read before. Returns DECLINED on success, otherwise the
 * status of the error response that was sent instead. */
static int parse_request(request_rec *r, sinchfn_ctx *ctx, sinchfn_request *request, const char *route)
{
    const sinchfn_client_error *invalid;

    if ((invalid = sinchfn_request_parse_query(request, r->args)) ||
        (invalid = sinchfn_request_parse_body(request, request->body, request->body_length)))
        return send_client_error(r, ctx, invalid->status, invalid->message, route);
    return DECLINED;
}

/* Runs the protection steps that need the route: the signature check (which reads the
 * body first, since the signature covers it) and Basic auth. *body_consumed is set when
 * the body was read. */
static int protect_route(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, sinchfn_request *request,
                         const sinchfn_route *route, int *body_consumed)
{
    sinchfn_application_check check;
    int status;

    *body_consumed = 0;
    if (protect_needs_signature(conf, ctx, route)) {
        /* A request that its headers already fail is rejected before its body is read, so
         * a client that waits for 100 Continue gets the 401 at once. */
        *body_consumed = 1;
        if ((status = protect_signature_headers(r, conf, ctx, request, route, &check)) != DECLINED ||
            (status = read_request_body(r, conf, ctx, request, route->name)) != DECLINED ||
            (status = protect_signature(r, conf, ctx, request, route, &check)) != DECLINED)
            return status;
    }
    return protect_basic(r, conf, ctx, route);
}

/* Sends the responses that routing decides without running a handler: 405 for a voice
 * callback with another method than POST, the built-in health check, and 404 for a route
 * with no export. */
static int answer_without_handler(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                                  const sinchfn_route *route, const sinchfn_export *export, int body_consumed)
{
    if (route->kind == SINCHFN_ROUTE_VOICE && r->method_number != M_POST) {
        if (!body_consumed)
            skip_body(r, conf);
        return send_client_error(r, ctx, HTTP_METHOD_NOT_ALLOWED,
                                 apr_psprintf(r->pool, "The '%s' voice callback accepts POST only.", route->name),
                                 route->name);
    }
    if (!export && !strcmp(route->name, "health"))
        return send_builtin_health(r, conf, ctx, body_consumed);
    if (!export) {
        const char *missing = route->kind == SINCHFN_ROUTE_ROOT ? "'default' or 'home'"
                                                                 : apr_psprintf(r->pool, "'%s'", route->name);

        if (!body_consumed)
            skip_body(r, conf);
        return send_client_error(r, ctx, HTTP_NOT_FOUND,
                                 apr_psprintf(r->pool, "No export named %s in function '%s'.", missing,
                                              conf->function_name),
                                 route->name);
    }
    return DECLINED;
}

static int sinchfn_handler(request_rec *r)
{
    const dir_config *conf;
    log_target target;
    sinchfn_ctx *ctx;
    sinchfn_route route;
    sinchfn_call call;
    const sinchfn_client_error *invalid;
    const sinchfn_export *export;
    const char *path;
    int status, body_consumed;

    if (!r->handler || strcmp(r->handler, HANDLER_NAME))
        return DECLINED;
    conf = ap_get_module_config(r->per_dir_config, &sinchfn_module);
    if (!conf->function) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "SFN0101: SetHandler sinchfn is set for %s, but no "
                      "SinchFunction is configured for it; add SinchFunction to the <Location>", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ctx = make_context(r, conf, &target);

    /* Protection comes first, in this order: token in the URL, network, then the checks
     * that depend on the route. Apache's own access checks of the Location ran before. */
    if ((status = protect_query(r, conf, ctx)) != DECLINED || (status = protect_network(r, conf, ctx)) != DECLINED)
        return status;
    path = raw_request_path(r);
    if ((invalid = sinchfn_route_resolve_in(r->pool, path, conf->location_prefix, &route))) {
        skip_body(r, conf);
        return send_client_error(r, ctx, invalid->status, invalid->message, NULL);
    }
    export = find_export(conf, &route);
    add_log_note(r, NOTE_ROUTE, route.name);
    call.request = sinchfn_request_create(r->pool, r->method, path, r->headers_in);
    if ((status = protect_route(r, conf, ctx, call.request, &route, &body_consumed)) != DECLINED ||
        (!export && (status = public_serve(r, conf, ctx, &route, path, body_consumed)) != DECLINED) ||
        (status = answer_without_handler(r, conf, ctx, &route, export, body_consumed)) != DECLINED)
        return status;

    if (!body_consumed && (status = read_request_body(r, conf, ctx, call.request, route.name)) != DECLINED)
        return status;
    if ((status = parse_request(r, ctx, call.request, route.name)) != DECLINED)
        return status;

    call.function = conf->function;
    call.ctx = ctx;
    call.voice_fallback = conf->voice_fallback;
    call.response = sinchfn_response_create(r->pool);
    call.export = export;
    call.route = &route;
    mod_sinchfn_crash_enter(r, ctx, export->name, route.name);
    sinchfn_dispatch(&call);
    mod_sinchfn_crash_leave();
    return send_response(r, call.response, ctx->request_id);
}

/* Returns "sinchfn:" and the URI, which logs and other modules read as r->filename. It is
 * built without apr_pstrcat, which measures each argument twice. */
static char *function_filename(request_rec *r)
{
    static const char prefix[] = "sinchfn:";
    apr_size_t length = strlen(r->uri);
    char *filename = apr_palloc(r->pool, sizeof(prefix) + length);

    memcpy(filename, prefix, sizeof(prefix) - 1);
    memcpy(filename + sizeof(prefix) - 1, r->uri, length + 1);
    return filename;
}

/* Function Locations map to no file. httpd resets per_dir_config to the server
 * defaults before map_to_storage, so the Location's function is recognized here, after
 * mod_rewrite (APR_HOOK_FIRST) and before mod_alias and core map the URI to a file. */
static int sinchfn_translate_name(request_rec *r)
{
    const dir_config *conf = ap_get_module_config(r->per_dir_config, &sinchfn_module);

    if (!conf || !conf->function)
        return DECLINED;
    ap_set_module_config(r->request_config, &sinchfn_module, (void *)conf);
    r->filename = function_filename(r);
    protect_redact_query(r);
    return OK;
}

/* Skips the directory and file walk for function requests, as mod_proxy does.
 * Authentication and authorization of the Location still run afterwards. */
static int sinchfn_map_to_storage(request_rec *r)
{
    return ap_get_module_config(r->request_config, &sinchfn_module) ? OK : DECLINED;
}

/* A Location with SinchFunction is served by the function without SetHandler. */
static int sinchfn_fixups(request_rec *r)
{
    const dir_config *conf = ap_get_module_config(r->per_dir_config, &sinchfn_module);

    if (conf && conf->function)
        r->handler = HANDLER_NAME;
    return DECLINED;
}

static void sinchfn_child_init(apr_pool_t *pool, server_rec *s)
{
    (void)s;
    start_process(pool);
}

static int sinchfn_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t status;

    (void)plog;
    (void)ptemp;
    start_process(pconf);
    if ((status = protect_post_config(pconf)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, status, s, "SFN0102: building the default SinchPrivateAllow "
                     "networks failed");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static void register_hooks(apr_pool_t *pool)
{
    ap_hook_post_config(sinchfn_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(sinchfn_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(sinchfn_translate_name, NULL, NULL, APR_HOOK_MIDDLE - 1);
    ap_hook_map_to_storage(sinchfn_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_fixups(sinchfn_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_handler(sinchfn_handler, NULL, NULL, APR_HOOK_MIDDLE);
    mod_sinchfn_cache_register_hooks(pool);
    mod_sinchfn_storage_register_hooks(pool);
    mod_sinchfn_db_register_hooks(pool);
    mod_sinchfn_crash_register_hooks(pool);
}

module AP_MODULE_DECLARE_DATA sinchfn_module = {
    STANDARD20_MODULE_STUFF,
    create_dir_config,
    merge_dir_config,
    NULL,
    NULL,
    sinchfn_directives,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE
#endif
};
