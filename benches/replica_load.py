#!/usr/bin/env python3
"""Read load for benches/replica.sh: THREADS clients, each on one keep-alive connection,
asking the PATHS in turn for SECONDS. Prints requests per second, latency percentiles and
the statuses as JSON; with --record FILE it also writes every request (start and end in
seconds since the run began, status) for the failover measurement.

Python's client is slower than the server on this machine: what it measures is the
difference between two runs of the same client, not the server's ceiling.
"""
import argparse
import http.client
import json
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--record")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    t0 = time.monotonic()
    stop = t0 + a.seconds
    records = []
    lock = threading.Lock()

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        mine = []
        i = n
        while time.monotonic() < stop:
            path = a.paths[i % len(a.paths)]
            i += 1
            start = time.monotonic()
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                res.read()
                status = res.status
            except (OSError, http.client.HTTPException) as e:
                status = f"error: {type(e).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
            mine.append((start - t0, time.monotonic() - t0, status, path))
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted((e - s) * 1000 for s, e, st, _ in records)
    statuses = {}
    for _, _, st, _ in records:
        statuses[str(st)] = statuses.get(str(st), 0) + 1

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else None

    print(json.dumps({
        "requests": len(records),
        "per_second": round(len(records) / a.seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(lat[-1], 1) if lat else None,
        "statuses": statuses,
    }))
    if a.record:
        with open(a.record, "w") as f:
            json.dump(sorted(records), f)


if __name__ == "__main__":
    main()
