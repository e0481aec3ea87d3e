#define _GNU_SOURCE
#include "process_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

int flowforge_spawn_shell(const char *script, char *const environment[], const char *directory, pid_t *pid, int *output) {
    int pipe_fds[2];
    // O_CLOEXEC at creation: a step spawned at the same moment by another thread never inherits this pipe.
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return errno;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) goto close_pipe;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) goto destroy_actions;

    if ((result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) != 0) goto destroy_all;
    if ((result = posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1)) != 0) goto destroy_all;
    if ((result = posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2)) != 0) goto destroy_all;
    if ((result = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) != 0) goto destroy_all;
    if ((result = posix_spawn_file_actions_addchdir_np(&actions, directory)) != 0) goto destroy_all;

    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    int signals[] = {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) sigaddset(&defaults, signals[i]);
    if ((result = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0) goto destroy_all;
    if ((result = posix_spawnattr_setpgroup(&attributes, 0)) != 0) goto destroy_all;
    if ((result = posix_spawnattr_setsigmask(&attributes, &none)) != 0) goto destroy_all;
    if ((result = posix_spawnattr_setsigdefault(&attributes, &defaults)) != 0) goto destroy_all;

    char *const arguments[] = {"/bin/sh", "-c", (char *)script, NULL};
    result = posix_spawn(pid, "/bin/sh", &actions, &attributes, arguments, environment);

destroy_all:
    posix_spawnattr_destroy(&attributes);
destroy_actions:
    posix_spawn_file_actions_destroy(&actions);
close_pipe:
    close(pipe_fds[1]);
    if (result == 0) {
        *output = pipe_fds[0];
    } else {
        close(pipe_fds[0]);
    }
    return result;
}
