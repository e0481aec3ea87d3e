# Shared by the benchmark scripts (sourced, POSIX sh): starting and stopping the processes they run.

# Prints a TCP port of 127.0.0.1 that is free now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the server with PID (if set) as a deploy would: SIGTERM, up to 10 s to drain, then SIGKILL.
stop_server() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    tries=0
    while kill -0 "$1" 2>/dev/null && [ "$tries" -lt 50 ]; do sleep 0.2; tries=$((tries + 1)); done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Stops a helper process with PID (if set), a stand-in server that needs no grace.
stop_helper() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
