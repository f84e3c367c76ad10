"""The drive rush (rush.sh): STUDENTS distinct students of one college sign in and open their
drives and their applications within SECONDS, while staff move applicants; throughput, p50 and
p99 per step, and errors.

    .venv/bin/python deploy/bench/rush.py --base http://127.0.0.1:8872 --host demo.localhost \\
        [--students 2000] [--seconds 60] [--movers 2] [--moves-per-second 4]

Students arrive at an even pace (open loop: one every SECONDS/STUDENTS seconds, each on a
thread of its own, so a slow server makes answers late rather than arrivals rare); each signs in
with the password over the API, then reads `drives/` and `applications/` with the access token,
as a phone would on the drive's opening. Staff (--movers coordinators' sessions) shortlist
applicants meanwhile. Needs the college filled by `manage.py seed_college` (see rush.sh);
gives the students the password and a verified address first, as load_prepare.py does.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1].parent))

from deploy.bench.load_prepare import COORDINATOR_EMAIL, prepare_accounts

STEPS = ("sign-in", "drives", "applications", "staff: move")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.durations: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)

    def add(self, step: str, seconds: float, status: int | str) -> None:
        with self.lock:
            self.durations[step].append(seconds)
            self.statuses[step][status] += 1


def call(base: str, host: str, method: str, path: str, *, token=None, body=None):
    """(status, parsed JSON or None, seconds): a new connection, as with gunicorn's sync
    workers (which do not keep connections alive)."""
    address = base.removeprefix("http://")
    headers = {"Host": host, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(address, timeout=30)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        payload = response.read()
        status = response.status
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    try:
        return status, json.loads(payload), seconds
    except ValueError:
        return status, None, seconds


def timed(recorder: Recorder, step: str, *args, **kwargs):
    try:
        status, body, seconds = call(*args, **kwargs)
    except OSError as error:
        recorder.add(step, 30.0, type(error).__name__)
        return None
    recorder.add(step, seconds, status)
    return body if 200 <= status < 300 else None


def student_flow(args, recorder: Recorder, email: str, start_at: float) -> None:
    time.sleep(max(0.0, start_at - time.perf_counter()))
    body = {"email": email, "password": args.password}
    signed_in = timed(recorder, "sign-in", args.base, args.host, "POST", "/api/v1/auth/login/",
                      body=body)  # fmt: skip
    if signed_in is None:
        return
    token = signed_in["data"]["access"]
    timed(recorder, "drives", args.base, args.host, "GET", "/api/v1/drives/", token=token)
    timed(recorder, "applications", args.base, args.host, "GET", "/api/v1/applications/",
          token=token)  # fmt: skip


def mover_flow(args, recorder: Recorder, token: str, ids: list[int], until: float) -> None:
    interval = args.movers / args.moves_per_second
    next_at = time.perf_counter()
    while ids and time.perf_counter() < until:
        time.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += interval
        path = f"/api/v1/applications/{ids.pop()}/move/"
        timed(recorder, "staff: move", args.base, args.host, "POST", path, token=token,
              body={"status": "shortlisted"})  # fmt: skip


def applied_ids(args, token: str, wanted: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while len(ids) < wanted:
        path = f"/api/v1/applications/?status=applied&page_size=100&page={page}"
        status, body, _ = call(args.base, args.host, "GET", path, token=token)
        if status != 200 or not body["data"]:
            break
        ids += [row["id"] for row in body["data"]]
        page += 1
    return ids


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--movers", type=int, default=2)
    parser.add_argument("--moves-per-second", type=float, default=4)
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument("--first", type=int, default=1, help="number of the first student")
    args = parser.parse_args()

    emails = prepare_accounts(args.host.split(".")[0], args.first + args.students - 1,
                              args.password)[args.first - 1:]  # fmt: skip
    credentials = {"email": COORDINATOR_EMAIL, "password": args.password}
    status, body, _ = call(args.base, args.host, "POST", "/api/v1/auth/login/", body=credentials)
    assert status == 200, body
    staff = body["data"]["access"]
    wanted = int(args.moves_per_second * args.seconds) + args.movers
    ids = applied_ids(args, staff, wanted)
    print(f"{len(emails)} students over {args.seconds:.0f} s, {args.movers} staff moving "
          f"{args.moves_per_second:g} applicants a second ({len(ids)} applied ones at hand)",
          file=sys.stderr)  # fmt: skip

    recorder = Recorder()
    started = time.perf_counter()
    spacing = args.seconds / len(emails)
    threads = [
        threading.Thread(target=student_flow, args=(args, recorder, email, started + i * spacing))
        for i, email in enumerate(emails)
    ]
    threads += [
        threading.Thread(target=mover_flow,
                         args=(args, recorder, staff, ids[n::args.movers], started + args.seconds))
        for n in range(args.movers)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    print(f"all done in {elapsed:.1f} s")
    print("| step | requests | req/s | p50 (ms) | p99 (ms) | max (ms) | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for step in STEPS:
        durations = recorder.durations.get(step, [])
        if not durations:
            continue
        statuses = recorder.statuses[step]
        failed = {s: n for s, n in statuses.items() if not (isinstance(s, int) and s < 300)}
        errors = sum(failed.values())
        detail = ", ".join(f"{s}: {n}" for s, n in sorted(failed.items(), key=str))
        print(f"| {step} | {len(durations)} | {len(durations) / elapsed:.1f} | "
              f"{statistics.median(durations) * 1000:.1f} | "
              f"{percentile(durations, 0.99) * 1000:.1f} | {max(durations) * 1000:.1f} | "
              f"{errors}{f' ({detail})' if detail else ''} |")  # fmt: skip


if __name__ == "__main__":
    main()
