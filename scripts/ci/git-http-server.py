#!/usr/bin/env python3
"""A tiny smart-HTTP git server for tests: `git http-backend` as CGI behind 127.0.0.1.

Usage: git-http-server.py --root DIR [--port N] [--user NAME --password PW]

Serves every bare repository under DIR (GIT_HTTP_EXPORT_ALL), read and push
(http.receivepack is enabled for pushes from tests). With --user/--password, every
request needs HTTP basic auth with exactly those values, so that an authentication
failure can be tested. Port 0 (the default) picks a free port. The first line on
stdout is the port actually bound, so a caller can read it before sending requests.
Stdlib only; binds loopback only, on purpose.

With --exit-on-stdin-eof the server also stops when its standard input closes, so a test
process that dies without stopping it (killed by a timeout, say) leaves no server behind.
"""

import argparse
import base64
import hmac
import http.server
import os
import signal
import subprocess
import sys
import threading
import urllib.parse


def find_http_backend():
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True)
    return os.path.join(exec_path.stdout.strip(), "git-http-backend")


class GitHandler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive lets git reuse a connection; we always send Content-Length or close.
    protocol_version = "HTTP/1.1"
    server_version = "FlowForgeTestGit/1"

    def do_GET(self):
        self.run_backend()

    def do_POST(self):
        self.run_backend()

    def log_message(self, format, *args):
        # Tests read stdout for the port only; request logs go to stderr when asked for.
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def authorized(self):
        expected = self.server.credentials
        if expected is None:
            return True
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            given = base64.b64decode(header[6:].strip()).decode("utf-8")
        except Exception:
            return False
        return hmac.compare_digest(given, expected)

    def read_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            return self.rfile.read(int(length))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = self.rfile.readline().strip()
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    # Trailer section ends with an empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
            return b"".join(chunks)
        return b""

    def send_plain(self, status, text, extra_headers=()):
        body = text.encode("utf-8")
        self.send_response(status)
        for name, value in extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def run_backend(self):
        body = self.read_body()
        if not self.authorized():
            self.send_plain(401, "authentication required\n",
                            [("WWW-Authenticate", 'Basic realm="flowforge-test-git"')])
            return
        parsed = urllib.parse.urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.server.server_address[1]),
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.parse.unquote(parsed.path),
            "QUERY_STRING": parsed.query,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            # Lets tests push over HTTP too; http-backend otherwise refuses anonymous pushes.
            "REMOTE_USER": "flowforge-test",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.receivepack",
            "GIT_CONFIG_VALUE_0": "true",
        }
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        result = subprocess.run([self.server.backend], input=body, env=env, capture_output=True)
        if result.returncode != 0 and not result.stdout:
            self.send_plain(500, result.stderr.decode("utf-8", "replace"))
            return
        self.send_cgi_output(result.stdout)

    def send_cgi_output(self, output):
        head, sep, payload = output.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = output.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            name, _, value = line.partition(":")
            value = value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((name, value))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="directory holding bare repositories")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--user", help="require HTTP basic auth with this user name")
    parser.add_argument("--password", help="the password for --user")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when standard input closes (the parent process went away)")
    args = parser.parse_args()
    if (args.user is None) != (args.password is None):
        parser.error("--user and --password go together")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), GitHandler)
    server.daemon_threads = True
    server.root = os.path.abspath(args.root)
    server.backend = find_http_backend()
    server.credentials = None if args.user is None else "%s:%s" % (args.user, args.password)
    server.verbose = args.verbose
    # A parent may start us with SIGTERM blocked or ignored (test runners do); a parent's
    # terminate() must still stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    if args.exit_on_stdin_eof:
        def watch_stdin():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
