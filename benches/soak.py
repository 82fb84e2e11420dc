#!/usr/bin/env python3
"""A long day of mixed traffic against a running wahana server (BENCHMARKS.md, "A long day").

Loopback only, bounded in time. Workers pace themselves to a total request rate and pick, by
weight, one of: page views (home, a province, a kecamatan, a village, a group), API reads (a
kecamatan's profile, a region, a kecamatan's network, a list of groups), an edit cycle (a group
added, changed with its version, deleted: three writes), a sign-in cycle (session opened, read,
closed). Beside them, one thread imports a file of groups every IMPORT_EVERY seconds and one
downloads a kecamatan's PDF report every PDF_EVERY seconds. A sampler reads the server's RSS,
open file descriptors, threads and CPU time from /proc and its database pool from /metrics.

An error is a 5xx, a connection failure, or any status the action does not expect (a 409 of
our own edit, a 401 of a valid token). A 503 `pdf_busy` is counted apart (the printers' limit,
not a failure).

Output (to --out): requests.csv (every request), samples.csv, and a per-minute table and a
summary on standard output.

    python3 benches/soak.py --url http://127.0.0.1:18090 --pid PID --minutes 30 \
        --user soak --password ... --region 73.08.21 --out /tmp/soak
"""

import argparse
import csv
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--rate", type=float, default=40, help="requests per second in all")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--user", required=True,
                   help="the main user; USER-w0.. (one per worker) and USER-import too")
    p.add_argument("--password", required=True)
    p.add_argument("--region", default="73.08.21", help="the officer's kecamatan")
    p.add_argument("--regions-dir", required=True, help="data/regions of the repository")
    p.add_argument("--import-every", type=float, default=300)
    p.add_argument("--import-rows", type=int, default=500)
    p.add_argument("--pdf-every", type=float, default=120)
    p.add_argument("--out", required=True)
    p.add_argument("--wave", required=True, help="an open wave for what the soak writes")
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


ARGS = parse_args()
URL = urllib.parse.urlparse(ARGS.url)
LOCK = threading.Lock()
RECORDS = []  # (t, action, status, ms, ok)
STOP = threading.Event()
START = time.monotonic()


def codes(level_file):
    with open(os.path.join(ARGS.regions_dir, level_file), newline="", encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f)]


PROVINCES = codes("provinces.csv")
DISTRICTS = codes("districts.csv")
VILLAGES = codes("villages.csv")
OWN_VILLAGES = [v for v in VILLAGES if v.startswith(ARGS.region + ".")]


class Client:
    """One keep-alive connection, reopened after any failure."""

    def __init__(self):
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: once more, fresh.
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
            except Exception:
                self.conn.close()
                self.conn = None
                raise
        raise RuntimeError("unreachable")


def record(action, status, started, ok):
    ms = (time.monotonic() - started) * 1000
    with LOCK:
        RECORDS.append((time.monotonic() - START, action, status, ms, ok))


def call(client, action, method, path, expect, body=None, headers=None):
    """One request, recorded; returns (status, body) or (None, None) on a failure."""
    started = time.monotonic()
    try:
        status, data = client.request(method, path, body, headers)
    except Exception as e:  # a connection failure is an error of the server's availability
        record(action, 0, started, False)
        print(f"{action}: {method} {path}: {e}", file=sys.stderr)
        return None, None
    ok = status in expect
    if not ok and not (status == 503 and b"pdf_busy" in data):
        print(f"{action}: {method} {path}: {status} {data[:200]!r}", file=sys.stderr)
    record(action if status != 503 or b"pdf_busy" not in data else "pdf_busy", status, started, ok)
    return status, data


def sign_in(client, user=None):
    """Signs in as USER (each worker has a name of its own: sign-ins of one name at once are
    limited by design), else as the main user."""
    body = json.dumps({"name": user or ARGS.user, "password": ARGS.password})
    status, data = call(client, "sign_in", "POST", "/api/v1/session", {200}, body,
                        {"Content-Type": "application/json"})
    if status != 200:
        return None
    return json.loads(data)["token"]


def auth(token):
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


SAMPLE_GROUPS = []


def page_home(c, rng, token):
    call(c, "page_home", "GET", "/", {200})


def page_province(c, rng, token):
    call(c, "page_province", "GET", f"/regions/{rng.choice(PROVINCES)}", {200})


def page_kecamatan(c, rng, token):
    call(c, "page_kecamatan", "GET", f"/regions/{rng.choice(DISTRICTS)}", {200})


def page_village(c, rng, token):
    call(c, "page_village", "GET", f"/regions/{rng.choice(VILLAGES)}", {200})


def page_group(c, rng, token):
    """A group's page, as a signed-in officer's browser asks for it (the session cookie)."""
    if SAMPLE_GROUPS:
        call(c, "page_group", "GET", f"/groups/{rng.choice(SAMPLE_GROUPS)}", {200},
             headers={"Cookie": f"wahana_session={token}"})


def api_profile(c, rng, token):
    call(c, "api_profile", "GET", f"/api/v1/regions/{rng.choice(DISTRICTS)}/profile", {200})


def api_region(c, rng, token):
    call(c, "api_region", "GET", f"/api/v1/regions/{rng.choice(DISTRICTS)}", {200})


def api_network(c, rng, token):
    call(c, "api_network", "GET", f"/api/v1/regions/{rng.choice(DISTRICTS)}/network", {200})


def api_groups(c, rng, token):
    village = rng.choice(OWN_VILLAGES)
    call(c, "api_groups", "GET", f"/api/v1/groups?region={village}&limit=50", {200},
         headers=auth(token))


def edit_cycle(c, rng, token):
    fields = {
        "kode_wilayah": rng.choice(OWN_VILLAGES), "nama": f"Arisan Uji Lama {rng.randrange(10**9)}",
        "jenis": "arisan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1995",
        "tujuan": "ketahanan_sosial", "nilai": "gotong_royong", "dasar_keanggotaan": "domisili",
        "tanggal_pendataan": "2026-11-20",
    }
    body = json.dumps({"fields": fields, "wave": WAVE, "allow_duplicate": True})
    status, data = call(c, "edit_create", "POST", "/api/v1/groups", {201}, body, auth(token))
    if status != 201:
        return
    g = json.loads(data)
    gid, version = g["id"], g["version"]
    body = json.dumps({"fields": {"catatan": "diubah oleh uji ketahanan"}, "version": version})
    q = urllib.parse.quote(gid)
    call(c, "edit_update", "PATCH", f"/api/v1/groups/{q}?wave={WAVE}", {200}, body, auth(token))
    call(c, "edit_delete", "DELETE", f"/api/v1/groups/{q}?wave={WAVE}", {200, 204}, None,
         auth(token))


def sign_in_cycle(c, rng, token):
    t = sign_in(c, threading.current_thread().name)
    if t is None:
        return
    call(c, "session_show", "GET", "/api/v1/session", {200}, headers=auth(t))
    call(c, "session_end", "DELETE", "/api/v1/session", {200, 204}, headers=auth(t))


ACTIONS = [
    (page_home, 5), (page_province, 5), (page_kecamatan, 15), (page_village, 10),
    (page_group, 5), (api_profile, 20), (api_region, 5), (api_network, 5), (api_groups, 5),
    (edit_cycle, 8), (sign_in_cycle, 2),
]
WAVE = ARGS.wave


def worker(n):
    rng = random.Random(ARGS.seed * 1000 + n)
    c = Client()
    token = sign_in(c, threading.current_thread().name)
    funcs = [f for f, _ in ACTIONS]
    weights = [w for _, w in ACTIONS]
    interval = ARGS.workers / ARGS.rate
    next_at = time.monotonic() + rng.random() * interval
    while not STOP.is_set():
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        if time.monotonic() - next_at > 5 * interval:
            next_at = time.monotonic()  # behind: no burst to catch up
        if token is None:
            token = sign_in(c, threading.current_thread().name)
            continue
        rng.choices(funcs, weights)[0](c, rng, token)


def importer():
    rng = random.Random(ARGS.seed)
    c = Client()
    token = sign_in(c, threading.current_thread().name)
    n = 0
    while not STOP.wait(ARGS.import_every if n else 30):
        n += 1
        lines = ["kode_wilayah,nama,jenis,asal,tahun_berdiri,tujuan,nilai,dasar_keanggotaan,"
                 "tanggal_pendataan"]
        for i in range(ARGS.import_rows):
            lines.append(f"{rng.choice(OWN_VILLAGES)},Kelompok Impor {n}-{i},rukun_kematian,"
                         f"tumbuh_masyarakat,1980,ketahanan_sosial,gotong_royong,domisili,2026-11-21")
        body = ("\r\n".join(lines) + "\r\n").encode()
        path = f"/api/v1/import?filename=soak-{n}.csv&wave={WAVE}"
        status, data = call(c, "import", "POST", path, {200}, body,
                            {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
        if status == 200:
            rep = json.loads(data)
            if rep.get("problems"):
                print(f"import {n}: problems {rep['problems'][:3]}", file=sys.stderr)


def printer():
    c = Client()
    rng = random.Random(ARGS.seed + 1)
    first = True
    while not STOP.wait(min(60, ARGS.pdf_every) if first else ARGS.pdf_every):
        first = False
        code = rng.choice([d for d in DISTRICTS if d.startswith("73.")])
        call(c, "pdf", "GET", f"/regions/{code}/report?format=pdf", {200})


SAMPLES = []  # (t, rss_kib, fds, threads, cpu_s, pool_size, pool_idle, load1)


def proc_sample():
    pid = ARGS.pid
    with open(f"/proc/{pid}/status") as f:
        st = dict(line.split(":", 1) for line in f if ":" in line)
    rss = int(st["VmRSS"].split()[0])
    threads = int(st["Threads"])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    cpu = (int(parts[11]) + int(parts[12])) / tick
    return rss, fds, threads, cpu


def metrics_pool(c):
    try:
        status, data = c.request("GET", "/metrics")
    except Exception:
        return None, None
    size = idle = None
    for line in data.decode().splitlines():
        if line.startswith("wahana_db_pool_size "):
            size = float(line.split()[1])
        elif line.startswith("wahana_db_pool_idle "):
            idle = float(line.split()[1])
    return size, idle


def sampler():
    c = Client()
    while True:
        rss, fds, threads, cpu = proc_sample()
        size, idle = metrics_pool(c)
        with open("/proc/loadavg") as f:
            load1 = float(f.read().split()[0])
        SAMPLES.append((time.monotonic() - START, rss, fds, threads, cpu, size, idle, load1))
        if STOP.wait(10):
            break


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main():
    os.makedirs(ARGS.out, exist_ok=True)
    c = Client()
    token = sign_in(c)
    if token is None:
        sys.exit("cannot sign in")
    status, data = c.request("GET", f"/api/v1/groups?region={ARGS.region}&limit=500", None,
                             auth(token))
    if status == 200:
        doc = json.loads(data)
        items = doc["items"]
        SAMPLE_GROUPS.extend(urllib.parse.quote(g["id"]) for g in items)
    print(f"wave {WAVE}; {len(SAMPLE_GROUPS)} groups to view; {ARGS.workers} workers at "
          f"{ARGS.rate}/s for {ARGS.minutes} min", flush=True)
    with LOCK:
        RECORDS.clear()
    threads = [threading.Thread(target=worker, args=(i,), name=f"{ARGS.user}-w{i}")
               for i in range(ARGS.workers)]
    threads += [threading.Thread(target=importer, name=f"{ARGS.user}-import"),
                threading.Thread(target=printer)]
    s = threading.Thread(target=sampler)
    s.start()
    for t in threads:
        t.start()
    deadline = START + ARGS.minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(5, max(0.1, deadline - time.monotonic())))
    STOP.set()
    for t in threads:
        t.join()
    s.join()
    report()


def report():
    with open(os.path.join(ARGS.out, "requests.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s", "action", "status", "ms", "ok"])
        w.writerows(RECORDS)
    with open(os.path.join(ARGS.out, "samples.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s", "rss_kib", "fds", "threads", "cpu_s", "pool_size", "pool_idle",
                    "load1"])
        w.writerows(SAMPLES)
    minutes = int(ARGS.minutes + 0.999)
    print("\nminute  requests  errors   p50 ms   p99 ms   max ms   RSS MiB  fds  threads  pool  load")
    for m in range(minutes):
        rs = [r for r in RECORDS if m * 60 <= r[0] < (m + 1) * 60]
        ms = [r[3] for r in rs if r[1] not in ("pdf", "import", "pdf_busy")]
        errs = sum(1 for r in rs if not r[4] and r[1] != "pdf_busy")
        ss = [s for s in SAMPLES if s[0] < (m + 1) * 60]
        last = ss[-1] if ss else (0, 0, 0, 0, 0, None, None, 0.0)
        print(f"{m + 1:>6} {len(rs):>9} {errs:>7} {pct(ms, 50):>8.1f} {pct(ms, 99):>8.1f} "
              f"{max(ms) if ms else 0:>8.1f} {last[1] / 1024:>9.1f} {last[2]:>4} {last[3]:>8} "
              f"{last[5] if last[5] is not None else '-':>5} {last[7]:>5.1f}")
    total = len(RECORDS)
    errors = [r for r in RECORDS if not r[4] and r[1] != "pdf_busy"]
    print(f"\nrequests {total} in {ARGS.minutes} min ({total / (ARGS.minutes * 60):.1f}/s), "
          f"errors {len(errors)}, pdf_busy {sum(1 for r in RECORDS if r[1] == 'pdf_busy')}")
    by = {}
    for r in RECORDS:
        by.setdefault(r[1], []).append(r)
    print("\naction          count  errors   p50 ms   p99 ms   max ms")
    for a in sorted(by):
        rs = by[a]
        ms = [r[3] for r in rs]
        print(f"{a:<14} {len(rs):>6} {sum(1 for r in rs if not r[4]):>7} {pct(ms, 50):>8.1f} "
              f"{pct(ms, 99):>8.1f} {max(ms):>8.1f}")
    warm = [s for s in SAMPLES if s[0] >= 120]
    if warm:
        rss = [s[1] / 1024 for s in warm]
        fds = [s[2] for s in warm]
        print(f"\nafter warm-up (from minute 2): RSS {rss[0]:.1f} -> {rss[-1]:.1f} MiB "
              f"(min {min(rss):.1f}, max {max(rss):.1f}); fds {fds[0]} -> {fds[-1]} "
              f"(max {max(fds)}); server CPU {warm[-1][4] - warm[0][4]:.0f} s over "
              f"{(warm[-1][0] - warm[0][0]) / 60:.1f} min")


if __name__ == "__main__":
    main()
