/*
 * function.c: loading a function's shared object, checking its export table and the
 * protection it declares, and reading the project files next to it (sinch.json and
 * dotenv files).
 */
#include <dlfcn.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

const char *sinchfn_function_check(apr_pool_t *pool, const sinchfn_function *table, apr_hash_t **exports)
{
    unsigned int i;

    if (table->abi_version != SINCHFN_ABI_VERSION)
        return apr_psprintf(pool, "it was built for ABI version %u but this mod_sinchfn loads version %d; "
                            "rebuild it with `sinchfn build`", table->abi_version, SINCHFN_ABI_VERSION);
    if (!table->exports || table->export_count == 0)
        return "its export table is empty; declare handlers with SINCHFN_EXPORTS()";

    *exports = apr_hash_make(pool);
    for (i = 0; i < table->export_count; i++) {
        const sinchfn_export *export = &table->exports[i];

        if (!export->name || !*export->name || strchr(export->name, '/'))
            return apr_psprintf(pool, "export #%u has an empty name or a name with '/'", i + 1);
        if (export->kind == SINCHFN_KIND_VOICE && !sinchfn_is_voice_name(export->name))
            return apr_psprintf(pool, "export '%s' is a voice handler, but voice callbacks are named "
                                "ice, ace, pie, dice or notify; declare it with SINCHFN_ENDPOINT()", export->name);
        if (export->kind == SINCHFN_KIND_ENDPOINT && sinchfn_is_voice_name(export->name))
            return apr_psprintf(pool, "export '%s' is a voice callback name; declare it with SINCHFN_VOICE()",
                                export->name);
        if (export->kind != SINCHFN_KIND_VOICE && export->kind != SINCHFN_KIND_ENDPOINT)
            return apr_psprintf(pool, "export '%s' has the unknown kind %d", export->name, (int)export->kind);
        if ((export->kind == SINCHFN_KIND_VOICE && !export->voice) ||
            (export->kind == SINCHFN_KIND_ENDPOINT && !export->endpoint))
            return apr_psprintf(pool, "export '%s' has no handler function", export->name);
        if (apr_hash_get(*exports, export->name, APR_HASH_KEY_STRING))
            return apr_psprintf(pool, "export '%s' is declared twice", export->name);
        apr_hash_set(*exports, export->name, APR_HASH_KEY_STRING, export);
    }
    return NULL;
}

/* Checks one NULL-terminated name list of an export table and collects it into *set.
 * macro names the declaring macro in messages. */
static const char *check_name_list(apr_pool_t *pool, const char *const *names, const char *macro,
                                   apr_hash_t *exports, apr_hash_t **set)
{
    unsigned int i;

    *set = apr_hash_make(pool);
    for (i = 0; names[i]; i++) {
        const sinchfn_export *export = apr_hash_get(exports, names[i], APR_HASH_KEY_STRING);

        if (!export)
            return apr_psprintf(pool, "%s names '%s', which is not an export; list exported names only",
                                macro, names[i]);
        if (apr_hash_get(*set, names[i], APR_HASH_KEY_STRING))
            return apr_psprintf(pool, "%s names '%s' twice", macro, names[i]);
        apr_hash_set(*set, names[i], APR_HASH_KEY_STRING, names[i]);
    }
    return NULL;
}

static const char *check_protected(apr_pool_t *pool, const char *const *names, apr_hash_t *exports,
                                   sinchfn_protection *protection)
{
    const char *problem;
    apr_hash_index_t *entry;

    if (names[0] && !strcmp(names[0], "*")) {
        if (names[1])
            return "SINCHFN_PROTECT(\"*\") protects every export; give \"*\" alone or a list of names";
        protection->protect_all = 1;
        return NULL;
    }
    if ((problem = check_name_list(pool, names, "SINCHFN_PROTECT()", exports, &protection->protected_exports)))
        return problem;
    for (entry = apr_hash_first(pool, protection->protected_exports); entry; entry = apr_hash_next(entry)) {
        const char *name = apr_hash_this_key(entry);

        if (sinchfn_basic_auth_exempt(name))
            return apr_psprintf(pool, "SINCHFN_PROTECT() names '%s', which Basic auth never gates: voice "
                                "callbacks, conversationWebhook and health are checked by signature instead; "
                                "remove it from the list", name);
    }
    return NULL;
}

static const char *check_signed(apr_pool_t *pool, const char *const *names, apr_hash_t *exports,
                                sinchfn_protection *protection)
{
    const char *problem;
    apr_hash_index_t *entry;

    if ((problem = check_name_list(pool, names, "SINCHFN_SIGNED()", exports, &protection->signed_exports)))
        return problem;
    for (entry = apr_hash_first(pool, protection->signed_exports); entry; entry = apr_hash_next(entry)) {
        const char *name = apr_hash_this_key(entry);

        if (sinchfn_is_voice_name(name) || !strcmp(name, "conversationWebhook"))
            return apr_psprintf(pool, "SINCHFN_SIGNED() names '%s', whose signature is always checked; "
                                "remove it from the list", name);
    }
    return NULL;
}

const char *sinchfn_function_check_protection(apr_pool_t *pool, const sinchfn_function *table,
                                              apr_hash_t *exports, sinchfn_protection *protection)
{
    const char *problem;

    memset(protection, 0, sizeof(*protection));
    if (table->protected_exports && (problem = check_protected(pool, table->protected_exports, exports, protection)))
        return problem;
    if (table->signed_exports && (problem = check_signed(pool, table->signed_exports, exports, protection)))
        return problem;
    return NULL;
}

static apr_status_t close_object(void *handle)
{
    dlclose(handle);
    return APR_SUCCESS;
}

/* Opens a function object with RTLD_LOCAL, unlike apr_dso_load's RTLD_GLOBAL: the
 * object still resolves the sinchfn_* API from the module, but its own symbols stay
 * out of the global scope, so two functions never bind to each other's helpers even
 * when one was built without hidden visibility. */
const char *sinchfn_function_load(apr_pool_t *pool, const char *path, sinchfn_loaded **loaded)
{
    const char *problem;
    sinchfn_loaded *function;
    void *handle, *table;

    if (!(handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
        return apr_psprintf(pool, "cannot load function object %s: %s", path, dlerror());
    apr_pool_cleanup_register(pool, handle, close_object, apr_pool_cleanup_null);

    if (!(table = dlsym(handle, SINCHFN_TABLE_SYMBOL)))
        return apr_psprintf(pool, "function object %s has no export table (symbol %s); "
                            "declare handlers with SINCHFN_EXPORTS() and build with `sinchfn build`",
                            path, SINCHFN_TABLE_SYMBOL);

    function = apr_pcalloc(pool, sizeof(*function));
    function->path = apr_pstrdup(pool, path);
    function->table = table;
    if ((problem = sinchfn_function_check(pool, function->table, &function->exports)) ||
        (problem = sinchfn_function_check_protection(pool, function->table, function->exports,
                                                     &function->protection)))
        return apr_psprintf(pool, "function object %s: %s", path, problem);

    *loaded = function;
    return NULL;
}

const sinchfn_export *sinchfn_function_find(const sinchfn_loaded *loaded, const char *name)
{
    return apr_hash_get(loaded->exports, name, APR_HASH_KEY_STRING);
}

/* ---- project files ---- */

static const char *read_file(apr_pool_t *pool, const char *path, char **text, apr_size_t *length)
{
    apr_file_t *file;
    apr_finfo_t info;
    apr_status_t status;
    char *buffer;

    if ((status = apr_file_open(&file, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, pool)) != APR_SUCCESS ||
        (status = apr_file_info_get(&info, APR_FINFO_SIZE, file)) != APR_SUCCESS)
        return apr_psprintf(pool, "cannot read %s: %pm", path, &status);

    buffer = apr_palloc(pool, (apr_size_t)info.size + 1);
    status = apr_file_read_full(file, buffer, (apr_size_t)info.size, length);
    apr_file_close(file);
    if (status != APR_SUCCESS && status != APR_EOF)
        return apr_psprintf(pool, "cannot read %s: %pm", path, &status);
    buffer[*length] = '\0';
    *text = buffer;
    return NULL;
}

static int is_env_name(const char *start, apr_size_t length)
{
    apr_size_t i;

    if (length == 0 || !(apr_isalpha(start[0]) || start[0] == '_'))
        return 0;
    for (i = 1; i < length; i++) {
        if (!(apr_isalnum(start[i]) || start[i] == '_' || start[i] == '.'))
            return 0;
    }
    return 1;
}

/* Maps the letter after a backslash to the character it represents; other letters are kept. */
static char unescape(char letter)
{
    switch (letter) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    default:
        return letter;
    }
}

/* Decodes a double-quoted dotenv value with \n, \t, \r, \" and \\ escapes. Returns NULL
 * when the closing quote is missing. */
static const char *double_quoted(apr_pool_t *pool, const char *start, const char *end)
{
    char *value = apr_palloc(pool, (apr_size_t)(end - start) + 1);
    char *out = value;

    for (; start < end; start++) {
        if (*start == '"') {
            *out = '\0';
            return value;
        }
        if (*start == '\\' && start + 1 < end) {
            start++;
            *out++ = unescape(*start);
            continue;
        }
        *out++ = *start;
    }
    return NULL;
}

static const char *dotenv_value(apr_pool_t *pool, const char *start, const char *end)
{
    const char *hash;

    while (start < end && (*start == ' ' || *start == '\t'))
        start++;
    if (start < end && *start == '"')
        return double_quoted(pool, start + 1, end);
    if (start < end && *start == '\'') {
        const char *close = memchr(start + 1, '\'', (apr_size_t)(end - start - 1));

        return close ? apr_pstrmemdup(pool, start + 1, (apr_size_t)(close - start - 1)) : NULL;
    }

    /* An unquoted value ends at " #", which starts a comment. */
    for (hash = start; hash < end; hash++) {
        if (*hash == '#' && hash > start && (hash[-1] == ' ' || hash[-1] == '\t')) {
            end = hash;
            break;
        }
    }
    while (end > start && apr_isspace(end[-1]))
        end--;
    return apr_pstrmemdup(pool, start, (apr_size_t)(end - start));
}

const char *sinchfn_dotenv_parse(apr_pool_t *pool, const char *text, apr_size_t length,
                                 const char *origin, apr_hash_t *into)
{
    const char *line = text, *limit = text + length;
    unsigned int number = 0;

    while (line < limit) {
        const char *end = memchr(line, '\n', (apr_size_t)(limit - line));
        const char *equals, *name_end, *value;

        end = end ? end : limit;
        number++;
        while (line < end && apr_isspace(*line))
            line++;
        if (line == end || *line == '#') {
            line = end + 1;
            continue;
        }
        if ((apr_size_t)(end - line) > 7 && !strncmp(line, "export ", 7))
            line += 7;

        equals = memchr(line, '=', (apr_size_t)(end - line));
        for (name_end = equals; name_end && name_end > line && apr_isspace(name_end[-1]); name_end--)
            ;
        if (!equals || !is_env_name(line, (apr_size_t)(name_end - line)))
            return apr_psprintf(pool, "%s line %u is not NAME=VALUE (names are letters, digits and '_')",
                                origin, number);
        if (!(value = dotenv_value(pool, equals + 1, end)))
            return apr_psprintf(pool, "%s line %u has a quoted value without its closing quote", origin, number);

        apr_hash_set(into, apr_pstrmemdup(pool, line, (apr_size_t)(name_end - line)), APR_HASH_KEY_STRING, value);
        line = end + 1;
    }
    return NULL;
}

const char *sinchfn_dotenv_load(apr_pool_t *pool, const char *path, apr_hash_t *into)
{
    const char *problem;
    char *text;
    apr_size_t length;

    if ((problem = read_file(pool, path, &text, &length)))
        return problem;
    return sinchfn_dotenv_parse(pool, text, length, path, into);
}

/* Rewords a request-body JSON error for a file: "The JSON body is invalid at byte 3
 * (...); send ..." becomes "JSON is invalid at byte 3 (...)". */
static const char *file_json_problem(apr_pool_t *pool, const char *message)
{
    const char *problem = message;
    const char *advice;

    if (!strncmp(problem, "The JSON body ", 14))
        problem = apr_pstrcat(pool, "JSON ", problem + 14, NULL);
    if ((advice = strstr(problem, "; send")))
        problem = apr_pstrmemdup(pool, problem, (apr_size_t)(advice - problem));
    return problem;
}

static const char *variable_text(apr_pool_t *pool, json_object *value)
{
    switch (json_object_get_type(value)) {
    case json_type_string:
        return apr_pstrdup(pool, json_object_get_string(value));
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return apr_pstrdup(pool, json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
    default:
        return NULL;
    }
}

const char *sinchfn_project_load(apr_pool_t *pool, const char *path, const char **name,
                                 apr_hash_t *variables)
{
    json_object *project, *member;
    const sinchfn_client_error *invalid;
    const char *problem;
    char *text;
    apr_size_t length;

    if ((problem = read_file(pool, path, &text, &length)))
        return problem;
    if ((invalid = sinchfn_parse_json_file(pool, text, length, &project)) || !project)
        return apr_psprintf(pool, "%s: %s", path, invalid ? file_json_problem(pool, invalid->message) : "the file is empty");
    if (!json_object_is_type(project, json_type_object))
        return apr_psprintf(pool, "%s must contain a JSON object", path);

    if (json_object_object_get_ex(project, "name", &member)) {
        if (!json_object_is_type(member, json_type_string) || !*json_object_get_string(member))
            return apr_psprintf(pool, "%s: 'name' must be a non-empty string", path);
        *name = apr_pstrdup(pool, json_object_get_string(member));
    }
    if (!json_object_object_get_ex(project, "variables", &member))
        return NULL;
    if (!json_object_is_type(member, json_type_object))
        return apr_psprintf(pool, "%s: 'variables' must be an object of names to values", path);

    json_object_object_foreach(member, key, item) {
        const char *text_value = variable_text(pool, item);

        if (!text_value)
            return apr_psprintf(pool, "%s: variable '%s' must be a string, number or boolean", path, key);
        apr_hash_set(variables, apr_pstrdup(pool, key), APR_HASH_KEY_STRING, text_value);
    }
    return NULL;
}
