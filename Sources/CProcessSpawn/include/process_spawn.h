#ifndef FLOWFORGE_PROCESS_SPAWN_H
#define FLOWFORGE_PROCESS_SPAWN_H

#include <sys/types.h>

/// Starts `/bin/sh -c script` for the local backend, in `directory`, with exactly `environment` (NULL-ended
/// `KEY=VALUE` strings), as the leader of a new process group (POSIX_SPAWN_SETPGROUP), stdin from
/// /dev/null, stdout and stderr into one pipe whose read end (close-on-exec) goes to `output`, every other
/// descriptor closed in the child, an empty signal mask and default handlers for the signals a server
/// ignores (SIGPIPE above all). The GNU extensions this needs (`pipe2`, `addchdir_np`, `addclosefrom_np`)
/// are not visible to Swift, hence C.
///
/// Returns 0 with `pid` and `output` set, or an errno value (nothing is left open then).
int flowforge_spawn_shell(const char *script, char *const environment[], const char *directory, pid_t *pid, int *output);

#endif
