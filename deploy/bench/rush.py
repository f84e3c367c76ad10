"""The drive rush (rush.sh): STUDENTS distinct students of one college sign in and open their
drives and their applications within SECONDS, while staff move applicants; throughput, p50 and
p99 per step, and errors.

    .venv/bin/python deploy/bench/rush.py --base http://127.0.0.1:8872 --host demo.localhost \\
        [--students 2000] [--seconds 60] [--movers 2] [--moves-per-second 4]

Students arrive at an even pace (open loop: one every SECONDS/STUDENTS seconds whatever the
server does, so a slow server makes answers late rather than arrivals rare); each signs in
with the password over the API, then reads `drives/` and `applications/` with the access token,
as a phone would on the drive's opening. Staff (--movers coordinators' sessions) shortlist
applicants meanwhile. Needs the college filled by `manage.py seed_college` (see rush.sh);
gives the students the password and a verified address first, as load_prepare.py does.

The generator shares the machine with the server it measures, so it is one asyncio loop (a
task per student, its own few lines of HTTP/1.1 over a new connection per request) rather than
a thread per student: it prints its own CPU time, and how late it started the students (a
sign-in's time counts from when the student was due, so its lateness is the server's, never
hidden)."""

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1].parent))

from deploy.bench.load_prepare import COORDINATOR_EMAIL, prepare_accounts

STEPS = ("sign-in", "drives", "applications", "staff: move")
TIMEOUT = 30.0  # seconds; a request that takes longer counts as an error of TIMEOUT


class Recorder:
    def __init__(self) -> None:
        self.durations: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.lateness: list[float] = []  # how late each student was started, seconds

    def add(self, step: str, seconds: float, status: int | str) -> None:
        self.durations[step].append(seconds)
        self.statuses[step][status] += 1


def call(base: str, host: str, method: str, path: str, *, token=None, body=None):
    """(status, parsed JSON or None): the setup's requests, one at a time."""
    headers = {"Host": host, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=TIMEOUT)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        payload, status = response.read(), response.status
    finally:
        connection.close()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, None


class Client:
    """Requests over a new connection each (gunicorn's sync workers keep none alive)."""

    def __init__(self, base: str, host: str) -> None:
        address = base.removeprefix("http://")
        self.address, _, port = address.partition(":")
        self.port = int(port or 80)
        self.host = host

    async def request(self, method: str, path: str, *, token=None, body=None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}",
            "Connection: close",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
        ]
        if token:
            head.append(f"Authorization: Bearer {token}")
        reader, writer = await asyncio.open_connection(self.address, self.port)
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
            answer = await reader.read(-1)  # until the server closes the connection
        finally:
            writer.close()
        status_line, _, rest = answer.partition(b"\r\n")
        _headers, _, content = rest.partition(b"\r\n\r\n")
        return int(status_line.split()[1]), content  # the server closes: no chunked answers

    async def timed(self, recorder, step, method, path, *, since=None, **kwargs):
        """The answer's JSON when 2xx, else None; its time counts from `since` (default: now)."""
        started = time.perf_counter() if since is None else since
        try:
            status, content = await asyncio.wait_for(
                self.request(method, path, **kwargs), TIMEOUT - (time.perf_counter() - started)
            )
        except (TimeoutError, OSError, IndexError, ValueError) as error:
            recorder.add(step, TIMEOUT, type(error).__name__)
            return None
        recorder.add(step, time.perf_counter() - started, status)
        return json.loads(content) if 200 <= status < 300 else None


async def student_flow(client, recorder, args, email: str, due: float) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    recorder.lateness.append(time.perf_counter() - due)
    body = {"email": email, "password": args.password}
    signed_in = await client.timed(
        recorder, "sign-in", "POST", "/api/v1/auth/login/", body=body, since=due
    )
    if signed_in is None:
        return
    token = signed_in["data"]["access"]
    await client.timed(recorder, "drives", "GET", "/api/v1/drives/", token=token)
    await client.timed(recorder, "applications", "GET", "/api/v1/applications/", token=token)


async def mover_flow(client, recorder, args, token: str, ids: list[int], until: float) -> None:
    interval = args.movers / args.moves_per_second
    next_at = time.perf_counter()
    while ids and time.perf_counter() < until:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += interval
        path = f"/api/v1/applications/{ids.pop()}/move/"
        body = {"status": "shortlisted"}
        await client.timed(recorder, "staff: move", "POST", path, token=token, body=body)


async def rush(args, emails: list[str], staff: str, ids: list[int], recorder) -> float:
    client = Client(args.base, args.host)
    started = time.perf_counter()
    spacing = args.seconds / len(emails)
    flows = [
        student_flow(client, recorder, args, email, started + i * spacing)
        for i, email in enumerate(emails)
    ]
    flows += [
        mover_flow(client, recorder, args, staff, ids[n :: args.movers], started + args.seconds)
        for n in range(args.movers)
    ]
    await asyncio.gather(*flows)
    return time.perf_counter() - started


def applied_ids(args, token: str, wanted: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while len(ids) < wanted:
        path = f"/api/v1/applications/?status=applied&page_size=100&page={page}"
        status, body = call(args.base, args.host, "GET", path, token=token)
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
    status, body = call(args.base, args.host, "POST", "/api/v1/auth/login/", body=credentials)
    assert status == 200, body
    staff = body["data"]["access"]
    wanted = int(args.moves_per_second * args.seconds) + args.movers
    ids = applied_ids(args, staff, wanted)
    print(f"{len(emails)} students over {args.seconds:.0f} s, {args.movers} staff moving "
          f"{args.moves_per_second:g} applicants a second ({len(ids)} applied ones at hand)",
          file=sys.stderr)  # fmt: skip

    recorder = Recorder()
    cpu = time.process_time()
    elapsed = asyncio.run(rush(args, emails, staff, ids, recorder))
    cpu = time.process_time() - cpu

    late = recorder.lateness
    print(f"all done in {elapsed:.1f} s; the generator used {cpu:.1f} s of CPU "
          f"({100 * cpu / elapsed:.0f}% of a core) and started students "
          f"{1000 * statistics.median(late):.1f} ms late at the median, "
          f"{1000 * max(late):.1f} ms at most")  # fmt: skip
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
