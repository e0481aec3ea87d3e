#!/usr/bin/env python3
"""Pipeline benchmark: FlowForge against its baselines, measured in one run on this machine.

Measures (medians over --runs repetitions):
  * POST /api/v1/pipelines -> the first step's container started (steps[0].started_at);
  * a one-step `echo hi` pipeline end to end, against `docker run --rm` of the same image and command;
  * a three-step pipeline: (3-step - 1-step) / 2 is the cost of one step, compared with raw `docker run`;
  * checkout of a later pipeline on the same repository (warm mirror; with --keep-worktrees N also the
    account's kept work tree), against `git clone` over HTTP.

Needs: a built `flowforge` binary (FLOWFORGE_BIN, default .build/debug/flowforge), dockerd with the test image
(scripts/ci/start-dockerd.sh, scripts/ci/build-test-image.sh), git and python3. Talks to 127.0.0.1 only.
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = "flowforge-test/busybox:latest"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def wait_until(predicate, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    sys.exit(f"timed out waiting for {what}")


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def make_repository(server_root, files, size_kb):
    """A bare repository with `files` files of `size_kb` KiB each, plus flowforge.yml (three steps)."""
    bare = os.path.join(server_root, "bench.git")
    work = tempfile.mkdtemp(prefix="ff-bench-work-")
    git("init", "-q", "--bare", bare)
    git("init", "-q", "-b", "main", work)
    for index in range(files):
        path = os.path.join(work, "src", f"d{index % 20}", f"file{index}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write((f"line {index} " * 64 + "\n") * max(1, size_kb * 1024 // 650))
    with open(os.path.join(work, "flowforge.yml"), "w") as handle:
        handle.write("steps:\n" + "".join(f"  - name: s{n}\n    commands: [echo hi]\n" for n in range(3)))
    git("add", "-A", cwd=work)
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench", cwd=work)
    git("push", "-q", bare, "main", cwd=work)
    shutil.rmtree(work)
    return bare


def timed(command):
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=1000, help="files in the benchmark repository")
    parser.add_argument("--file-kb", type=int, default=8, help="size of each file in KiB")
    parser.add_argument("--keep-worktrees", type=int, default=0,
                        help="FLOWFORGE_KEEP_WORKTREES for the server (0, the default, writes every workspace afresh)")
    args = parser.parse_args()

    binary = os.environ.get("FLOWFORGE_BIN", os.path.join(ROOT, ".build", "debug", "flowforge"))
    work = tempfile.mkdtemp(prefix="ff-bench-")
    git_root = os.path.join(work, "git")
    os.makedirs(git_root)
    make_repository(git_root, args.files, args.file_kb)
    git_server = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "scripts", "ci", "git-http-server.py"), "--root", git_root, "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    git_port = int(git_server.stdout.readline().strip())
    repo_url = f"http://127.0.0.1:{git_port}/bench.git"

    port = free_port()
    log_path = os.path.join(work, "server.log")
    environment = dict(os.environ, DATABASE_URL="", FLOWFORGE_DATA_DIR=os.path.join(work, "data"), FLOWFORGE_ALLOW_LOCAL_REPOS="true",
                       DEFAULT_DOCKER_IMAGE=IMAGE, FLOWFORGE_DOCKER_NETWORK="none", BCRYPT_ROUNDS="4", LOG_LEVEL="info",
                       MAX_CONCURRENT_PIPELINES="1", RATE_LIMIT_MAX_REQUESTS="10000000",
                       FLOWFORGE_KEEP_WORKTREES=str(args.keep_worktrees))
    server = subprocess.Popen([binary, "serve", "--port", str(port)], env=environment,
                              stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ok(base + "/readyz"), 60, "the server")
        session = call(base, "POST", "/api/auth/register", body={"email": "bench@example.com", "password": "benchmark-pw"})
        key = call(base, "POST", "/api/user/api-keys", token=session["access_token"], body={"name": "bench"})["key"]

        def pipeline(body):
            posted = time.time()
            created = call(base, "POST", "/api/v1/pipelines", token=key, body=body)
            # Timings come from the server's own timestamps, so polling slowly costs no precision, and keeps
            # the poller from taking CPU from the pipeline it measures (two cores here).
            done = wait_until(lambda: _finished(base, key, created["id"]), 120, "a pipeline", interval=0.25)
            if done["status"] != "success":
                sys.exit(f"pipeline {done['id']} ended {done['status']}: {done.get('error')}")
            return posted, done

        # Warm-up: the first pipeline creates the mirror; it is not counted.
        pipeline({"repo_url": repo_url, "commands": ["echo hi"]})
        to_first_step, one_step, three_step, docker_run, clone, clone_after_delete = [], [], [], [], [], []
        # Where the 1-step pipeline's time goes, from the server's timestamps: to the claim, to the step's
        # container, the step itself, and from its end to the pipeline's recorded end.
        stages = {name: [] for name in STAGES}
        for _ in range(args.runs):
            docker_run.append(timed(["docker", "run", "--rm", "--network", "none", IMAGE, "sh", "-c", "echo hi"]))
            posted, done = pipeline({"repo_url": repo_url, "commands": ["echo hi"]})
            to_first_step.append(iso(done["steps"][0]["started_at"]) - posted)
            one_step.append(iso(done["completed_at"]) - posted)
            for name, value in stage_times(posted, done).items():
                stages[name].append(value)
            posted, done = pipeline({"repo_url": repo_url})
            three_step.append(iso(done["completed_at"]) - posted)
            target = os.path.join(work, "clone")
            clone.append(timed(["git", "clone", "-q", repo_url, target]))
            shutil.rmtree(target)
            # What a fresh workspace per pipeline costs git: a clone into the server's workspaces folder right
            # after deleting another there, as a server that removes each workspace does (on ext4 without a
            # journal, new inodes then skip those freed in the last ~30 s, one by one).
            workspaces = os.path.join(work, "data", "workspaces")
            previous = os.path.join(workspaces, "bench-previous")
            subprocess.run(["git", "clone", "-q", repo_url, previous], check=True, capture_output=True)
            shutil.rmtree(previous)
            target = os.path.join(workspaces, "bench-next")
            clone_after_delete.append(timed(["git", "clone", "-q", repo_url, target]))
            shutil.rmtree(target)
        # FlowForgeGit logs each checkout with its fetch and checkout times; the first one (cold mirror) is skipped.
        lines = [line for line in open(log_path) if "checked out commit" in line]
        fetches = [int(re.search(r"fetch_ms=(\d+)", line).group(1)) / 1000 for line in lines][1:]
        writes = [int(re.search(r"checkout_ms=(\d+)", line).group(1)) / 1000 for line in lines][1:]
        checkouts = [f + w for f, w in zip(fetches, writes)]
        reused = sum("reused_tree=true" in line for line in lines[1:])

        med = statistics.median
        rows = [
            ("POST -> first step started", med(to_first_step), None),
            ("docker run --rm (baseline)", med(docker_run), None),
            ("1-step pipeline, POST -> completed", med(one_step), med(one_step) - med(docker_run)),
            ("3-step pipeline, POST -> completed", med(three_step), None),
            # Both pipelines pay the same per-pipeline costs (checkout, pod), so their difference is two steps.
            ("  per step: (3-step - 1-step) / 2", (med(three_step) - med(one_step)) / 2,
             (med(three_step) - med(one_step)) / 2 - med(docker_run)),
            ("git clone over HTTP (baseline)", med(clone), None),
            ("git clone there right after deleting one", med(clone_after_delete), None),
            ("warm-mirror checkout (fetch + write)", med(checkouts), med(checkouts) - med(clone)),
            ("  of which fetch into the mirror", med(fetches), None),
            (f"  of which writing the workspace ({reused}/{len(writes)} reused)", med(writes), None),
        ]
        print(f"FlowForge pipeline benchmark: {args.runs} runs, repository of {args.files} files x {args.file_kb} KiB, "
              f"kept work trees {args.keep_worktrees}, binary {os.path.relpath(binary, ROOT)}")
        print(f"{'measurement':44} {'median s':>9} {'vs baseline s':>14}")
        for name, value, delta in rows:
            print(f"{name:44} {value:9.3f} {'' if delta is None else f'{delta:+14.3f}'}")
        print("(per-step row against docker run: FlowForge's overhead per step; the 1-step row also holds the checkout and pod)")
        print("1-step pipeline by stage (medians, s): " + ", ".join(f"{name} {med(values):.3f}" for name, values in stages.items()))
        # Machine-readable lines for scripts/bench/run-all.sh.
        docker = med(docker_run)
        per_step = (med(three_step) - med(one_step)) / 2
        print(f"ROW\t1-step pipeline, POST -> completed\t{med(one_step):.3f}\ts\tdocker run --rm\t{docker:.3f}\t{med(one_step) / docker:.2f}\t<=1.3")
        print(f"ROW\tper extra step\t{per_step:.3f}\ts\tdocker run --rm\t{docker:.3f}\t{per_step / docker:.2f}\t<=0.8")
        print(f"ROW\twarm-mirror checkout\t{med(checkouts):.3f}\ts\tgit clone over HTTP\t{med(clone):.3f}\t{med(checkouts) / med(clone):.2f}\t-")
    finally:
        server.terminate()
        server.wait(timeout=30)
        git_server.terminate()
        shutil.rmtree(work, ignore_errors=True)


STAGES = ("POST -> claimed", "claimed -> step started", "step", "step ended -> completed")


def stage_times(posted, done):
    """The stages of one finished 1-step pipeline, from its own timestamps (`posted`: the client's clock)."""
    step = done["steps"][0]
    marks = [posted, iso(done["started_at"]), iso(step["started_at"]), iso(step["finished_at"]), iso(done["completed_at"])]
    return {name: later - earlier for name, earlier, later in zip(STAGES, marks, marks[1:])}


def _ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _finished(base, key, pipeline_id):
    pipeline = call(base, "GET", f"/api/v1/pipelines/{pipeline_id}", token=key)
    return pipeline if pipeline["status"] not in ("pending", "running") else None


if __name__ == "__main__":
    main()
