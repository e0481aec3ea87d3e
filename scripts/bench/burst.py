#!/usr/bin/env python3
"""Burst benchmark: N one-step pipelines posted at once on the enterprise plan, against the same `docker run`s
one after another, in one run on this machine.

Starts `flowforge serve` (SQLite, MAX_CONCURRENT_PIPELINES=4 unless set) and a `git http-backend` server on
127.0.0.1 serving a small generated repository, puts the benchmark account on the enterprise plan
(`flowforge admin set-plan`), runs one warm-up pipeline, then posts N pipelines (`commands: ["echo hi"]`) as
fast as it can and waits for all of them. Rate: N / (last completed_at - first POST). Baseline: N times
`docker run --rm --network none <image> sh -c 'echo hi'`, one after another.

Needs what scripts/bench/pipelines.py needs. Prints ROW lines (see scripts/bench/run-all.sh).
"""
import argparse, os, subprocess, sys, tempfile, time, shutil
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipelines import IMAGE, ROOT, call, free_port, iso, make_repository, wait_until, _ok  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pipelines", type=int, default=100)
    parser.add_argument("--concurrency", default=os.environ.get("MAX_CONCURRENT_PIPELINES", "4"))
    args = parser.parse_args()
    binary = os.environ.get("FLOWFORGE_BIN", os.path.join(ROOT, ".build", "release", "flowforge"))
    if not os.path.exists(binary):
        binary = os.path.join(ROOT, ".build", "debug", "flowforge")
    work = tempfile.mkdtemp(prefix="ff-burst-")
    git_root = os.path.join(work, "git")
    os.makedirs(git_root)
    make_repository(git_root, 20, 4)
    git_server = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "scripts", "ci", "git-http-server.py"), "--root", git_root, "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    repo_url = f"http://127.0.0.1:{int(git_server.stdout.readline().strip())}/bench.git"
    port = free_port()
    environment = dict(os.environ, DATABASE_URL="", FLOWFORGE_DATA_DIR=os.path.join(work, "data"), FLOWFORGE_ALLOW_LOCAL_REPOS="true",
                       DEFAULT_DOCKER_IMAGE=IMAGE, FLOWFORGE_DOCKER_NETWORK="none", BCRYPT_ROUNDS="4", LOG_LEVEL="error",
                       MAX_CONCURRENT_PIPELINES=str(args.concurrency), RATE_LIMIT_MAX_REQUESTS="10000000")
    server = subprocess.Popen([binary, "serve", "--port", str(port)], env=environment,
                              stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ok(base + "/readyz"), 60, "the server")
        email = "burst@example.com"
        login = call(base, "POST", "/api/auth/register", body={"email": email, "password": "benchmark-pw"})
        subprocess.run([binary, "admin", "set-plan", email, "enterprise"], env=environment, check=True, capture_output=True)
        key = call(base, "POST", "/api/user/api-keys", token=login["access_token"], body={"name": "burst"})["key"]

        def finished(pipeline_id):
            pipeline = call(base, "GET", f"/api/v1/pipelines/{pipeline_id}", token=key)
            return pipeline if pipeline["status"] not in ("pending", "running") else None

        warm = call(base, "POST", "/api/v1/pipelines", token=key, body={"repo_url": repo_url, "commands": ["echo hi"]})
        wait_until(lambda: finished(warm["id"]), 120, "the warm-up pipeline", interval=0.2)

        started = time.time()
        ids = [call(base, "POST", "/api/v1/pipelines", token=key, body={"repo_url": repo_url, "commands": ["echo hi"]})["id"]
               for _ in range(args.pipelines)]
        done = []
        for pipeline_id in ids:
            pipeline = wait_until(lambda: finished(pipeline_id), 600, "the burst", interval=0.25)
            if pipeline["status"] != "success":
                sys.exit(f"pipeline {pipeline_id} ended {pipeline['status']}: {pipeline.get('error')}")
            done.append(iso(pipeline["completed_at"]))
        flowforge_seconds = max(done) - started
    finally:
        server.terminate()
        server.wait(timeout=60)
        git_server.terminate()
    shutil.rmtree(work, ignore_errors=True)

    begun = time.perf_counter()
    for _ in range(args.pipelines):
        subprocess.run(["docker", "run", "--rm", "--network", "none", IMAGE, "sh", "-c", "echo hi"], check=True, capture_output=True)
    docker_seconds = time.perf_counter() - begun

    ours, theirs = args.pipelines / flowforge_seconds, args.pipelines / docker_seconds
    print(f"burst of {args.pipelines} one-step pipelines, MAX_CONCURRENT_PIPELINES={args.concurrency}, enterprise plan")
    print(f"FlowForge: {flowforge_seconds:.1f} s ({ours:.2f} pipelines/s); docker run one after another: "
          f"{docker_seconds:.1f} s ({theirs:.2f}/s); ratio {ours / theirs:.2f}")
    print(f"ROW\tburst of {args.pipelines} pipelines (4 at a time)\t{ours:.2f}\tpipelines/s\tdocker run one after another\t"
          f"{theirs:.2f}\t{ours / theirs:.2f}\t>=2")


if __name__ == "__main__":
    main()
