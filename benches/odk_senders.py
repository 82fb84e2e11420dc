#!/usr/bin/env python3
"""Submissions from many phones at once (BENCHMARKS.md, "ODK Collect submissions").

Usage: odk_senders.py BASE_URL SENDERS PER_SENDER

Each of SENDERS threads is one phone (ODK Collect's steps from tests/odk_collect_check.py: a
Digest sign-in, then for every submission HEAD /submission and POST with the XML and one
small photo). The identification form is downloaded once and each instance is made from it.
Prints the throughput (submissions answered 201 per second over the whole run), the POST
latency (p50, p99), and the time from the start of a POST to the submission being listed in
the region's inbox by the officer's API (measured on one sender, after each of its POSTs).
"""

import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
import odk_collect_check as collect  # noqa: E402

# The protocol is checked in CI (tests/odk_collect_check.py); here its checks stay quiet.
collect.check = lambda cond, what: cond


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    base, senders, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    server = base + "/odk/73.08.21"
    phone = collect.Collect(server, "pendata", "pendata-wahana")
    r, data = phone.request("GET", phone.path("/formList?formID=wahana_kelompok"))
    url = ET.fromstring(data).find(f"{collect.NS_LIST}xform/{collect.NS_LIST}downloadUrl").text
    r, form = phone.request("GET", collect.local_path(url))
    assert r.status == 200, r.status
    status, body = collect.api(base, "POST", "/api/v1/session",
                               body={"name": "demo", "password": "demo-wahana"})
    token = body["token"]

    def instance(i):
        return collect.instance_from_form(form, {
            "tanggal_pendataan": time.strftime("%Y-%m-%d"),
            "kecamatan": "73.08.21",
            "kode_wilayah": "73.08.21.1003",
            "nama": f"Kelompok Uji Beban {i} {secrets.token_hex(4)}",
            "jenis": "arisan",
            "asal": "tumbuh_masyarakat",
            "tahun_berdiri": "2015",
            "instanceID": "uuid:" + str(uuid.uuid4()),
        })

    latencies, to_inbox, errors = [], [], []
    lock = threading.Lock()

    def sender(n):
        p = collect.Collect(server, "pendata", "pendata-wahana")
        p.request("GET", p.path("/formList"))  # sign in once, as Collect does
        for i in range(per):
            xml = instance(n * per + i)
            body, ctype = collect.multipart([
                ("xml_submission_file", "submission.xml", "text/xml", xml),
                ("foto.jpg", "foto.jpg", "image/jpeg", collect.JPEG * 40),
            ])
            t0 = time.perf_counter()
            r, _ = p.request("HEAD", p.path("/submission"))
            r, data = p.request("POST", p.path("/submission"), body,
                                {"Content-Type": ctype, "Content-Length": str(len(body))})
            t1 = time.perf_counter()
            if r.status != 201:
                with lock:
                    errors.append((r.status, data[:200]))
                continue
            if n == 0:
                number = collect.re.search(rb"#(\d+)", data).group(1).decode()
                _, item = collect.api(base, "GET", f"/api/v1/submissions/{number}", token)
                t2 = time.perf_counter()
                ok = isinstance(item, dict) and item.get("status") == "pending"
                with lock:
                    to_inbox.append(t2 - t0 if ok else float("inf"))
            with lock:
                latencies.append(t1 - t0)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    done = len(latencies)
    print(json.dumps({
        "senders": senders,
        "submissions": done,
        "errors": len(errors),
        "seconds": round(wall, 2),
        "per_second": round(done / wall, 1),
        "post_p50_ms": round(pct(latencies, 50) * 1000, 1),
        "post_p99_ms": round(pct(latencies, 99) * 1000, 1),
        "to_inbox_p50_ms": round(pct(to_inbox, 50) * 1000, 1) if to_inbox else None,
        "to_inbox_max_ms": round(max(to_inbox) * 1000, 1) if to_inbox else None,
    }))
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
