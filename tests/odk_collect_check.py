#!/usr/bin/env python3
"""A client that talks to wahana the way ODK Collect talks to an OpenRosa server.

Written from the OpenRosa 1.0 specifications (Form List API, Form Submission API,
Authentication: HTTP Digest per RFC 2617 with qop=auth) and from how Collect behaves, not from
wahana's code. Any answer Collect would take as a failure fails the check: a missing
X-OpenRosa-Version or Date header, a 401 without WWW-Authenticate, a form or media file whose
bytes do not match the hash announced, a HEAD on /submission without
X-OpenRosa-Accept-Content-Length, a submission answered with anything but 201 or 202.

Usage: odk_collect_check.py WAHANA_BINARY WORK_DIR
Starts `wahana serve --demo` on a database of its own, with an enumerator of another
kecamatan added, and runs Collect's steps against it.
"""

import hashlib
import http.client
import json
import os
import re
import base64
import secrets
import ssl
import subprocess
import sys
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

FAILURES = []


def check(cond, what):
    if cond:
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}")
        FAILURES.append(what)
    return cond


def md5(b):
    return hashlib.md5(b).hexdigest()


class Collect:
    """One phone: a server URL, a user and password, Digest state as Collect keeps it."""

    def __init__(self, base, user, password, tls=None):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.tls = tls
        self.prefix = u.path.rstrip("/")
        self.user, self.password = user, password
        self.challenge = None
        self.nc = 0

    def _send(self, method, path, body=None, headers=None, chunked=False):
        if self.tls:
            c = http.client.HTTPSConnection(self.host, self.port, timeout=60, context=self.tls)
        else:
            c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = {"Accept-Language": "id", "User-Agent": "org.odk.collect.android/v2024.3 (check)"}
        h.update(headers or {})
        if self.challenge:
            h["Authorization"] = self._authorization(method, path)
        if chunked:
            c.putrequest(method, path)
            for k, v in h.items():
                c.putheader(k, v)
            c.putheader("Transfer-Encoding", "chunked")
            c.endheaders()
            for i in range(0, len(body), 4096):
                part = body[i:i + 4096]
                c.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            c.send(b"0\r\n\r\n")
        else:
            c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def _authorization(self, method, uri):
        ch = self.challenge
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = secrets.token_hex(8)
        ha1 = md5(f"{self.user}:{ch['realm']}:{self.password}".encode())
        ha2 = md5(f"{method}:{uri}".encode())
        resp = md5(f"{ha1}:{ch['nonce']}:{nc}:{cnonce}:auth:{ha2}".encode())
        return (
            f'Digest username="{self.user}", realm="{ch["realm"]}", nonce="{ch["nonce"]}", '
            f'uri="{uri}", algorithm=MD5, response="{resp}", qop=auth, nc={nc}, '
            f'cnonce="{cnonce}"'
        )

    def request(self, method, path, body=None, headers=None, chunked=False):
        """As Collect does: on a 401, answer the Digest challenge and send again."""
        r, data = self._send(method, path, body, headers, chunked)
        openrosa_headers(r, f"{method} {path}")
        if r.status == 401:
            auth = r.getheader("WWW-Authenticate") or ""
            check(auth.startswith("Digest "), f"401 to {method} {path} carries a Digest challenge")
            params = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[len("Digest "):]))
            check("auth" in params.get("qop", "").split(","), "the challenge offers qop=auth")
            self.challenge = params
            self.nc = 0
            r, data = self._send(method, path, body, headers, chunked)
            openrosa_headers(r, f"{method} {path} (signed)")
        return r, data

    def path(self, rest):
        return self.prefix + rest


def openrosa_headers(r, what):
    check(r.getheader("X-OpenRosa-Version") == "1.0", f"{what}: X-OpenRosa-Version 1.0")
    check(bool(r.getheader("Date")), f"{what}: Date header")


def local_path(url):
    u = urllib.parse.urlsplit(url)
    return u.path + (("?" + u.query) if u.query else "")


NS_LIST = "{http://openrosa.org/xforms/xformsList}"
NS_MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
NS_XF = "{http://www.w3.org/2002/xforms}"
NS_RESPONSE = "{http://openrosa.org/http/response}"


def response_message(data):
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    m = root.find(f"{NS_RESPONSE}message")
    return None if m is None else (m.text or "")


def instance_from_form(form_xml, answers):
    """The form's primary instance with answers filled in by leaf name, as Collect saves it."""
    root = ET.fromstring(form_xml)
    model = root.find(f".//{NS_XF}model")
    primary = model.find(f"{NS_XF}instance")
    data = list(primary)[0]
    ET.register_namespace("", NS_XF[1:-1])
    for el in data.iter():
        name = el.tag.split("}")[-1]
        if name in answers and len(el) == 0:
            el.text = answers[name]
    # The instance as sent has no namespace on its elements but keeps id and version.
    text = ET.tostring(data, encoding="unicode")
    text = re.sub(r' xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r"<(/?)ns\d+:", r"<\1", text)
    return text.encode("utf-8")


def multipart(parts):
    boundary = "----odkcheck" + secrets.token_hex(8)
    out = b""
    for name, filename, ctype, data in parts:
        out += f"--{boundary}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
        out += f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def submit(phone, xml, files=(), chunked=False):
    parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    parts += [(f, f, "image/jpeg", JPEG + f.encode()) for f in files]
    body, ctype = multipart(parts)
    # Collect first asks (HEAD) how much the server takes, then sends.
    r, _ = phone.request("HEAD", phone.path("/submission"))
    check(r.status == 204, f"HEAD /submission answers 204 (got {r.status})")
    check(r.getheader("X-OpenRosa-Accept-Content-Length") is not None,
          "HEAD /submission says X-OpenRosa-Accept-Content-Length")
    headers = {"Content-Type": ctype}
    if not chunked:
        headers["Content-Length"] = str(len(body))
    return phone.request("POST", phone.path("/submission"), body, headers, chunked)


def api(base, method, path, token=None, body=None):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data and data[:1] in b"[{" else data)


def main():
    wahana, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "odk.db")
    if os.path.exists(db):
        os.remove(db)
    env = dict(os.environ, WAHANA_NEW_PASSWORD="lain-wahana-123")
    subprocess.run([wahana, "--database", db, "users", "add", "pendata-lain", "--role",
                    "enumerator", "--region", "73.08.20"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    server, base = start(wahana, db, work, ["--demo", "--http-cookies"])
    try:
        run(base)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The same server over HTTPS (`--tls-cert`): Basic sign-in is offered and accepted there.
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    server, base = start(wahana, db, work, ["--tls-cert", cert, "--tls-key", key])
    try:
        run_tls(base, ssl.create_default_context(cafile=cert))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("\nODK Collect's steps all passed")


def start(wahana, db, work, flags):
    log = open(os.path.join(work, "serve.log"), "w+")
    server = subprocess.Popen([wahana, "--database", db, "serve", "--addr", "127.0.0.1:0"] + flags,
                              stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        log.seek(0)
        m = re.search(r"^wahana: (https?://\S+)/$", log.read(), re.M)
        if m:
            return server, m.group(1)
        time.sleep(0.2)
    log.seek(0)
    print(log.read())
    server.terminate()
    sys.exit("the server did not start")


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def run_tls(base, context):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPSConnection(u.hostname, u.port, timeout=60, context=context)
    c.request("GET", "/odk/73.08.21/formList")
    r = c.getresponse()
    r.read()
    challenges = r.headers.get_all("WWW-Authenticate") or []
    check(r.status == 401, f"over HTTPS, no credentials: 401 (got {r.status})")
    check(any(h.startswith("Basic ") for h in challenges), "over HTTPS, Basic is offered")
    check(any(h.startswith("Digest ") for h in challenges), "over HTTPS, Digest is offered")
    c.request("GET", "/odk/73.08.21/formList",
              headers={"Authorization": basic("pendata", "pendata-wahana")})
    r = c.getresponse()
    data = r.read()
    check(r.status == 200 and b"wahana_kelompok" in data,
          f"over HTTPS, Basic signs in and lists the forms (got {r.status})")
    c.request("GET", "/odk/73.08.21/formList",
              headers={"Authorization": basic("pendata", "salah")})
    r = c.getresponse()
    r.read()
    check(r.status == 401, f"over HTTPS, a wrong Basic password is refused (got {r.status})")
    phone = Collect(base + "/odk/73.08.21", "pendata", "pendata-wahana", tls=context)
    r, _ = phone.request("GET", phone.path("/formList"))
    check(r.status == 200, f"over HTTPS, Digest still signs in (got {r.status})")


def run(base):
    server_url = base + "/odk/73.08.21"
    phone = Collect(server_url, "pendata", "pendata-wahana")

    # 1. Without credentials: 401 with a challenge; wrong password: 401 again.
    stranger = Collect(server_url, "pendata", "salah")
    r, _ = stranger.request("GET", stranger.path("/formList"))
    check(r.status == 401, f"a wrong password is refused with 401 (got {r.status})")
    check((r.getheader("WWW-Authenticate") or "").startswith("Digest "),
          "the refusal carries WWW-Authenticate")

    # Basic sends the password itself: never accepted over plain HTTP.
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("GET", "/odk/73.08.21/formList",
              headers={"Authorization": basic("pendata", "pendata-wahana")})
    r = c.getresponse()
    r.read()
    check(r.status == 401, f"Basic over plain HTTP is refused (got {r.status})")
    check(not any(h.startswith("Basic") for h in (r.headers.get_all("WWW-Authenticate") or [])),
          "over plain HTTP only Digest is offered")

    # 2. The form list.
    r, data = phone.request("GET", phone.path("/formList"))
    check(r.status == 200, f"formList answers 200 (got {r.status})")
    root = ET.fromstring(data)
    check(root.tag == f"{NS_LIST}xforms", "formList is an xforms list in the OpenRosa namespace")
    forms = {}
    for xf in root.findall(f"{NS_LIST}xform"):
        f = {c.tag.replace(NS_LIST, ""): (c.text or "") for c in xf}
        for key in ("formID", "name", "version", "hash", "downloadUrl"):
            check(bool(f.get(key)), f"form {f.get('formID')} lists {key}")
        forms[f["formID"]] = f
    check("wahana_kelompok" in forms, "the identification form is listed")
    check("wahana_kelompok_ulang" in forms,
          "the re-survey form is listed (the demonstration data holds an earlier wave)")
    r, data = phone.request("GET", phone.path("/formList?formID=wahana_kelompok"))
    only = [x.find(f"{NS_LIST}formID").text for x in ET.fromstring(data).findall(f"{NS_LIST}xform")]
    check(only == ["wahana_kelompok"], f"formID= filters the list (got {only})")

    # 3. Each form, its manifest and media, with hash checks.
    downloaded = {}
    for fid, f in forms.items():
        r, xml = phone.request("GET", local_path(f["downloadUrl"]))
        check(r.status == 200, f"{fid}: the form downloads")
        check(f["hash"] == "md5:" + md5(xml), f"{fid}: md5 of the bytes equals the listed hash")
        downloaded[fid] = xml
        if f.get("manifestUrl"):
            r, man = phone.request("GET", local_path(f["manifestUrl"]))
            check(r.status == 200, f"{fid}: the manifest downloads")
            mroot = ET.fromstring(man)
            check(mroot.tag == f"{NS_MANIFEST}manifest", f"{fid}: manifest namespace")
            for mf in mroot.findall(f"{NS_MANIFEST}mediaFile"):
                name = mf.find(f"{NS_MANIFEST}filename").text
                h = mf.find(f"{NS_MANIFEST}hash").text
                url = mf.find(f"{NS_MANIFEST}downloadUrl").text
                r, media = phone.request("GET", local_path(url))
                check(r.status == 200, f"{fid}: media {name} downloads")
                check(h == "md5:" + md5(media), f"{fid}: media {name} matches its hash")
                if name == "desa.csv":
                    text = media.decode("utf-8")
                    check("73.08.21.1003" in text, "the village list holds Tanete Riattang's villages")
                    check("73.08.20." not in text, "the village list holds no other kecamatan's")
                downloaded[f"{fid}/{name}"] = media
        check(fid.encode() in downloaded[fid], f"{fid}: the form's instance carries its id")

    form = downloaded["wahana_kelompok"]
    version = forms["wahana_kelompok"]["version"]
    first_id = "uuid:" + str(uuid.uuid4())
    answers = {
        "tanggal_pendataan": time.strftime("%Y-%m-%d"),
        "kecamatan": "73.08.21",
        "kode_wilayah": "73.08.21.1003",
        "nama": "Arisan Ibu-Ibu Lorong Cempaka " + secrets.token_hex(3),
        "jenis": "arisan",
        "asal": "tumbuh_masyarakat",
        "tahun_berdiri": "2015",
        "anggota_laki": "3",
        "anggota_perempuan": "21",
        "ketua": "Hj. Rahmawati",
        "telepon": "0812-3456-7890",
        "instanceID": first_id,
    }
    xml = instance_from_form(form, answers)
    check(b"wahana_kelompok" in xml and version.encode() in xml, "the instance keeps id and version")

    # 4. Submit with one photo: 201 with a message.
    r, data = submit(phone, xml, ["kelompok.jpg"])
    check(r.status == 201, f"a submission is answered 201 (got {r.status}: {data[:200]!r})")
    msg = response_message(data)
    check(bool(msg), f"the answer is an OpenRosaResponse with a message ({msg!r})")
    number = re.search(r"#(\d+)", msg or "")
    check(number is not None, "the message names the submission's number")

    # 5. Resent with one more attachment (Collect splits large sets): accepted, no duplicate.
    r, data = submit(phone, xml, ["kelompok.jpg", "sk.jpg"])
    check(r.status in (201, 202), f"the same instance sent again is accepted (got {r.status})")
    again = re.search(r"#(\d+)", response_message(data) or "")
    check(again is not None and number is not None and again.group(1) == number.group(1),
          "the resend is the same submission, not a new one")

    # 6. The same instanceID with other answers: 409.
    other = instance_from_form(form, dict(answers, nama="Kelompok Lain"))
    r, data = submit(phone, other)
    check(r.status == 409, f"the same instanceID with other answers is a 409 (got {r.status})")
    check(bool(response_message(data)), "the 409 says why")

    # 7. An edit of the first (meta/deprecatedID): a new instance that replaces it.
    edit_xml = instance_from_form(form, dict(answers, instanceID="uuid:" + str(uuid.uuid4()),
                                             anggota_perempuan="25"))
    edit_xml = edit_xml.replace(b"</instanceID>",
                                f"</instanceID><deprecatedID>{first_id}</deprecatedID>".encode(), 1)
    r, data = submit(phone, edit_xml, chunked=True)
    check(r.status == 201, f"an edit (deprecatedID), sent chunked, is answered 201 (got {r.status})")

    # 8. A village outside the enumerator's region: refused, with a message Collect shows.
    outside = instance_from_form(form, dict(answers, instanceID="uuid:" + str(uuid.uuid4()),
                                            kode_wilayah="73.08.20.1001", kecamatan="73.08.20"))
    r, data = submit(phone, outside)
    check(r.status == 403, f"a village outside the region is refused with 403 (got {r.status})")
    check("73.08.20.1001" in (response_message(data) or ""),
          f"the refusal names the village ({response_message(data)!r})")
    other_phone = Collect(server_url, "pendata-lain", "lain-wahana-123")
    r, data = submit(other_phone, instance_from_form(
        form, dict(answers, instanceID="uuid:" + str(uuid.uuid4()))))
    check(r.status == 403, f"another kecamatan's enumerator cannot send here (got {r.status})")

    # 9. An oversized body: 413 (Collect is told the limit by HEAD and never sends more).
    r, _ = phone.request("HEAD", phone.path("/submission"))
    limit = int(r.getheader("X-OpenRosa-Accept-Content-Length") or "0")
    check(limit > 0, f"the limit is {limit} bytes")
    big, ctype = multipart([("xml_submission_file", "submission.xml", "text/xml", xml),
                            ("besar.jpg", "besar.jpg", "image/jpeg", b"\0" * (limit + 1))])
    # The server may answer as soon as it has read the headers: send the start of the body
    # only, then read its answer (a client that kept sending would meet a closed connection).
    import socket
    sock = socket.create_connection((phone.host, phone.port), timeout=60)
    head = (f"POST {phone.path('/submission')} HTTP/1.1\r\nHost: {phone.host}:{phone.port}\r\n"
            f"Authorization: {phone._authorization('POST', phone.path('/submission'))}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(big)}\r\n\r\n")
    sock.sendall(head.encode() + big[:65536])
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    check(" 413 " in status_line + " ", f"a body over the limit is a 413 (got {status_line!r})")
    check(b"x-openrosa-version: 1.0" in answer.lower(), "the 413 carries X-OpenRosa-Version")

    # 10. A nonce this server never gave: 401 again with a fresh challenge.
    forged = Collect(server_url, "pendata", "pendata-wahana")
    forged.challenge = {"realm": "wahana", "nonce": "0.00", "qop": "auth"}
    r, _ = forged._send("GET", forged.path("/formList"))
    check(r.status == 401, f"a forged nonce is refused (got {r.status})")

    # The operator's view: the new submissions are counted in /metrics (local peers).
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("GET", "/metrics")
    r = c.getresponse()
    metrics = r.read().decode()
    check("wahana_openrosa_submissions_total 2" in metrics,
          "/metrics counts the two new submissions kept (resends not counted)")

    # 11. What the officer sees: one submission for the first instance (replaced by its edit),
    # the edit pending, nothing from the refused ones.
    status, body = api(base, "POST", "/api/v1/session", body={"name": "demo", "password": "demo-wahana"})
    check(status == 200, "the officer signs in to the API")
    token = body.get("token") if isinstance(body, dict) else None
    status, inbox = api(base, "GET", "/api/v1/regions/73.08.21/inbox?status=all", token)
    check(status == 200, f"the region's inbox answers 200 (got {status})")
    items = inbox.get("items", []) if isinstance(inbox, dict) else []
    ids = [s.get("instance_id") for s in items]
    check(ids.count(first_id) == 1, "the first instance is held once")
    check(len(items) == 2, f"two submissions are held (got {len(items)}: {ids})")
    firsts = [s for s in items if s.get("instance_id") == first_id]
    check(bool(firsts) and firsts[0].get("status") == "replaced",
          "the edited submission is marked replaced, and kept")
    if firsts:
        status, detail = api(base, "GET", f"/api/v1/submissions/{firsts[0]['id']}", token)
        files = sorted(f.get("name") for f in detail.get("files", [])) if isinstance(detail, dict) else []
        check(files == ["kelompok.jpg", "sk.jpg"],
              f"the first submission holds both attachments, once each (got {files})")


if __name__ == "__main__":
    main()
