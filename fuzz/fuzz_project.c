/*
 * fuzz_project.c: sinch.json loading. sinchfn_project_load reads a file, so each input
 * is written to one temporary file per fuzzing process first.
 */
#include <unistd.h>

#include "fuzz_common.h"

static char project_path[] = "/tmp/sinchfn-fuzz-project-XXXXXX";
static int project_fd = -1;

static void write_project(const uint8_t *data, size_t size)
{
    if (project_fd < 0 && (project_fd = mkstemp(project_path)) < 0)
        abort();
    if (ftruncate(project_fd, 0) || pwrite(project_fd, data, size, 0) != (ssize_t)size)
        abort();
}

static void remove_project(void)
{
    if (project_fd >= 0)
        unlink(project_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_hash_t *variables = apr_hash_make(pool);
    const char *name = NULL;
    const char *problem;

    if (project_fd < 0)
        atexit(remove_project);
    write_project(data, size);
    if ((problem = sinchfn_project_load(pool, project_path, &name, variables)))
        FUZZ_ASSERT(*problem);
    else
        FUZZ_ASSERT(!name || *name);
    apr_pool_destroy(pool);
    return 0;
}
