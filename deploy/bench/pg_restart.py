"""Drive a running server while PostgreSQL restarts; report status codes over time.

    .venv/bin/python deploy/bench/pg_restart.py --base http://127.0.0.1:8768 --host demo.localhost \
        --token <access token> [--threads 4] [--before 5] [--after 20] [--restart-command ...]

Each thread loops over an API request that needs the database (a coordinator's student list) and
/readyz. After --before seconds the restart command runs; the report shows, per half second,
the statuses seen, and the verdict: only 2xx and 503 `service_unavailable` envelopes (no 500, no
hang), and success again without restarting the app.
"""

import argparse
import collections
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request

PATHS = ["/api/v1/students/?page_size=1", "/readyz"]


def probe(base: str, host: str, token: str, path: str) -> tuple[str, float]:
    headers = {"Host": host, "Authorization": f"Bearer {token}"}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (our server)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our server)
            response.read()
            outcome = str(response.status)
    except urllib.error.HTTPError as error:
        body = error.read()
        outcome = str(error.code)
        if error.code == 503:
            code = json.loads(body)["error"]["code"]
            outcome = "503" if code == "service_unavailable" else f"503:{code}"
    except Exception as error:  # refused, reset, timeout: the app itself did not answer
        outcome = type(error).__name__
    return outcome, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument(
        "--restart-command",
        default="pg_ctlcluster --skip-systemctl-redirect -m fast 15 main restart",
    )
    args = parser.parse_args()

    results: list[tuple[float, str, str, float]] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + args.before + args.after

    def worker(index: int) -> None:
        n = index
        while time.monotonic() < stop:
            path = PATHS[n % len(PATHS)]
            n += 1
            at = time.monotonic() - start
            outcome, took = probe(args.base, args.host, args.token, path)
            with lock:
                results.append((at, path, outcome, took))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    time.sleep(args.before)
    restart_at = time.monotonic() - start
    restart = subprocess.run(  # noqa: S603 (the operator's own command line)
        args.restart_command.split(), capture_output=True, text=True, check=False
    )
    restarted_at = time.monotonic() - start
    for thread in threads:
        thread.join()

    print(f"restart command: {args.restart_command!r} -> exit {restart.returncode}")
    print(f"PostgreSQL restart from t={restart_at:.1f}s to t={restarted_at:.1f}s")
    buckets: dict[float, collections.Counter] = collections.defaultdict(collections.Counter)
    slowest: dict[float, float] = collections.defaultdict(float)
    for at, _path, outcome, took in results:
        bucket = int(at * 2) / 2
        buckets[bucket][outcome] += 1
        slowest[bucket] = max(slowest[bucket], took)
    print(f"{'t (s)':>6}  {'slowest':>8}  statuses")
    for bucket in sorted(buckets):
        statuses = ", ".join(f"{k} x{v}" for k, v in sorted(buckets[bucket].items()))
        print(f"{bucket:6.1f}  {slowest[bucket] * 1000:6.0f}ms  {statuses}")

    outcomes = collections.Counter(outcome for _, _, outcome, _ in results)
    failing = sorted(at for at, _, outcome, _ in results if outcome != "200")
    unexpected = {k: v for k, v in outcomes.items() if k not in ("200", "503")}
    print(f"totals: {dict(outcomes)}")
    if failing:
        print(
            f"non-200 answers from t={failing[0]:.1f}s to t={failing[-1]:.1f}s "
            f"({failing[-1] - failing[0]:.1f} s)"
        )
    last_bad = failing[-1] if failing else restart_at
    back = next((at for at, _, outcome, _ in sorted(results) if at > last_bad), None)
    print("requests succeed again from " + (f"t={back:.1f}s" if back is not None else "never"))
    recovered = any(at > restarted_at and outcome == "200" for at, _, outcome, _ in results)
    verdict = "PASS" if not unexpected and recovered else "FAIL"
    print(f"{verdict}: unexpected outcomes: {unexpected or 'none'}; app never restarted")
    raise SystemExit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
