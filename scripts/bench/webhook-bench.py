#!/usr/bin/env python3
"""Tools for scripts/bench/webhooks.sh (Python standard library only; talks to 127.0.0.1 only).

  fake-github
      serves what FlowForge asks of GitHub's API during the benchmark, on a free port of 127.0.0.1 (printed
      first): the repository check answers 200 (the benchmark's token may read it), a commit status 201.
  hold
      listens on a free port of 127.0.0.1 (printed first) and accepts connections without ever answering:
      a forge host whose clones hang, so the workers stay on the pipelines they took (a CI at capacity).
  prepare BASE_URL OUT COUNT
      waits for the server, registers an account, connects the GitHub repository of the fixture push, and
      writes COUNT signed deliveries to OUT, one line each: "<X-Hub-Signature-256><TAB><body>". Each body is
      the fixture with its own head commit, so each queues a pipeline of its own commit.
  send BASE_URL FILE COUNT THREADS
      sends COUNT deliveries from FILE (cycling, each with its own delivery id) over THREADS keep-alive
      connections; prints "sent=… accepted=…" (accepted: answered 202).
  count sqlite PATH | count postgres URL
      after a run: prints "deliveries=… queued=… pipelines=… jobs=… duplicates=…", read from the database.
"""
import hashlib, hmac, json, os, subprocess, sys, time, urllib.request

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "github-push.json")


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def fake_github():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path.startswith("/repos/"):
                self.answer(200, {"full_name": self.path[len("/repos/"):], "permissions": {"pull": True}})
            else:
                self.answer(404, {"message": "Not Found"})

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.answer(201 if "/statuses/" in self.path else 404, {})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def hold():
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)  # kept open, never read or answered


def prepare(base, out, count):
    deadline = time.time() + 120
    while True:
        try:
            call(base, "GET", "/readyz")
            break
        except Exception:
            if time.time() > deadline:
                sys.exit("the server did not become ready within 120 s; see its log")
            time.sleep(0.1)
    access = call(base, "POST", "/api/auth/register", {"email": "bench@example.com", "password": "correct horse battery"})["access_token"]
    payload = json.load(open(FIXTURE))
    full_name = payload["repository"]["full_name"]
    # A GitHub App delivery would need the App's secret; the bench signs with the repository's own secret.
    payload.pop("installation", None)
    # The token is checked against the fake GitHub API (fake-github), which lets it read the repository.
    secret = call(base, "POST", "/api/user/repositories",
                  {"provider": "github", "full_name": full_name, "access_token": "bench-token"}, access)["webhook_secret"]
    with open(out, "w") as handle:
        for index in range(count):
            sha = hashlib.sha1(f"bench-{index}".encode()).hexdigest()
            payload["after"] = sha
            payload["head_commit"]["id"] = sha
            body = json.dumps(payload, separators=(",", ":"))
            signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
            handle.write(signature + "\t" + body + "\n")


def send(base, path, total, threads):
    import http.client, threading, uuid
    host, port = base.split("//")[1].split(":")
    lines = [line.rstrip("\n").split("\t", 1) for line in open(path)]
    counter, lock, accepted = iter(range(total)), threading.Lock(), [0]

    def worker():
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = 0
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            signature, body = lines[index % len(lines)]
            connection.request("POST", "/api/webhooks/github", body=body.encode(), headers={
                "Content-Type": "application/json", "X-GitHub-Event": os.environ.get("FF_EVENT", "push"), "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": signature})
            response = connection.getresponse()
            response.read()
            mine += response.status == 202
        connection.close()
        with lock:
            accepted[0] += mine
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool: thread.start()
    for thread in pool: thread.join()
    print(f"sent={total} accepted={accepted[0]}")


COUNTS = """
SELECT (SELECT COUNT(*) FROM webhook_deliveries),
       (SELECT COUNT(*) FROM webhook_deliveries WHERE status_code = 202),
       (SELECT COUNT(*) FROM pipelines),
       (SELECT COUNT(*) FROM jobs),
       (SELECT COUNT(*) FROM (SELECT pipeline_id FROM jobs GROUP BY pipeline_id HAVING COUNT(*) > 1) AS twice)
"""


def count(kind, where):
    if kind == "sqlite":
        import sqlite3
        row = sqlite3.connect(where).execute(COUNTS).fetchone()
    else:
        out = subprocess.run(["psql", where, "-qtAF", " ", "-c", COUNTS], check=True, capture_output=True, text=True).stdout
        row = [int(value) for value in out.split()]
    print("deliveries=%d queued=%d pipelines=%d jobs=%d duplicates=%d" % tuple(row))


if __name__ == "__main__":
    if sys.argv[1] == "fake-github":
        fake_github()
    elif sys.argv[1] == "hold":
        hold()
    elif sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "count":
        count(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
