//! The OpenRosa server ODK Collect talks to (the OpenRosa 1.0 form list, form download,
//! manifest and submission APIs), one per region: a phone's server URL is
//! `http(s)://HOST/odk/CODE` (`/odk/73.08.21` for Kecamatan Tanete Riattang), and Collect adds
//! `/formList` and `/submission` itself.
//!
//! - `GET  /odk/{code}/formList`: the forms (`?formID=` filters), with `md5:` hashes of the
//!   exact bytes served and a `manifestUrl` for forms with media.
//! - `GET  /odk/{code}/forms/{formId}.xml`, `…/{formId}/manifest`, `…/{formId}/media/{file}`.
//! - `HEAD|GET /odk/{code}/submission`: 204 with `X-OpenRosa-Accept-Content-Length`.
//! - `POST /odk/{code}/submission`: multipart (`xml_submission_file` and attachments), 201 with
//!   an `OpenRosaResponse` whose message Collect shows the enumerator (in Indonesian unless
//!   the phone asks for English).
//!
//! Authentication as Collect does it: HTTP Digest (RFC 2617, MD5, `qop=auth`) always; Basic
//! only when the server itself serves HTTPS (`--tls-cert`), since Basic sends the password.
//! Every answer carries `X-OpenRosa-Version: 1.0` and `Date`; every 401 `WWW-Authenticate`.
//! The use cases (who may send what, keeping it) are `service::odk`'s.

use super::AppState;
use crate::instrument::xform::XForm;
use crate::service::odk::{self, ReceiveError, SubmissionRefusal};
use crate::service::users::Principal;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wahana_domain::xml::Xml;
use wahana_domain::{Lang, RegionCode, RegionTree};
use wahana_store::NewFile;

/// The largest submission request taken (the XML and its attachments), as
/// `X-OpenRosa-Accept-Content-Length` tells Collect: it splits larger sets of attachments
/// over several requests.
pub const MAX_SUBMISSION: usize = 10 * 1024 * 1024;

/// The largest submission XML taken.
const MAX_XML: usize = 1024 * 1024;

/// How long a Digest nonce is good for; an older one is answered `stale=true` and Collect
/// retries with a fresh one without asking the person again.
const NONCE_LIFE: Duration = Duration::from_secs(3600);

/// The routes, merged into the server's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/odk/{code}/formList", get(form_list))
        .route("/odk/{code}/forms/{file}", get(form))
        .route("/odk/{code}/forms/{form}/manifest", get(manifest))
        .route("/odk/{code}/forms/{form}/media/{file}", get(media))
        .route(
            "/odk/{code}/submission",
            get(submission_probe)
                .head(submission_probe)
                .post(submit)
                .layer(DefaultBodyLimit::max(MAX_SUBMISSION)),
        )
        .layer(axum::middleware::map_response(openrosa_headers))
}

/// `X-OpenRosa-Version` and `Date` on every answer.
async fn openrosa_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert("x-openrosa-version", HeaderValue::from_static("1.0"));
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now())) {
        h.insert(header::DATE, v);
    }
    res
}

/// The Digest nonces this server gave: each is `TIME.SALT.MAC` (the time it was made, a random
/// salt, and a MAC of both under a key made at start-up), so that it need not be stored; the
/// last `nc` used with each is kept to refuse a replayed request.
pub struct Nonces {
    key: [u8; 32],
    seen: std::sync::Mutex<HashMap<String, u32>>,
}

impl Default for Nonces {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut key);
        Nonces {
            key,
            seen: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl Nonces {
    fn mac(&self, time: u64, salt: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(time.to_be_bytes());
        h.update(salt.as_bytes());
        h.update(self.key);
        h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    /// A nonce never given before: the time, a random salt (two challenges in the same second
    /// differ, so that each client's counts are its own) and their MAC.
    fn fresh(&self) -> String {
        let t = Self::now();
        let salt: String = (0..8)
            .map(|_| format!("{:02x}", rand::random::<u8>()))
            .collect();
        format!("{t:x}.{salt}.{}", self.mac(t, &salt))
    }

    /// `Some(true)`: made here and still good; `Some(false)`: made here but old (stale);
    /// `None`: not made here.
    fn check(&self, nonce: &str) -> Option<bool> {
        let mut parts = nonce.split('.');
        let (t, salt, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let t = u64::from_str_radix(t, 16).ok()?;
        if !constant_eq(mac.as_bytes(), self.mac(t, salt).as_bytes()) {
            return None;
        }
        Some(Self::now().saturating_sub(t) < NONCE_LIFE.as_secs())
    }

    /// Whether `nc` is new for `nonce` (a request replayed with the same count is refused).
    fn count(&self, nonce: &str, nc: u32) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            // Nonces older than their life are of no use: start again rather than grow.
            seen.clear();
        }
        match seen.get(nonce) {
            Some(&last) if nc <= last => false,
            _ => {
                seen.insert(nonce.to_string(), nc);
                true
            }
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The language of the messages: Indonesian unless the phone asks for English.
fn lang_of(headers: &HeaderMap) -> Lang {
    let al = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if al.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// An `OpenRosaResponse` with one message, as Collect shows it.
fn openrosa_message(status: StatusCode, nature: &str, text: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\"><message nature=\"{nature}\">{}</message></OpenRosaResponse>\n",
        Xml(text)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// 401 with the challenges Collect answers: Digest always, Basic over HTTPS.
fn challenge(st: &AppState, stale: bool, lang: Lang) -> Response {
    let mut res = openrosa_message(
        StatusCode::UNAUTHORIZED,
        "",
        lang.pick(
            "Masuk dengan nama pengguna dan kata sandi wahana Anda (Pengaturan > Server).",
            "Sign in with your wahana user name and password (Settings > Server).",
        ),
    );
    let digest = format!(
        "Digest realm=\"{}\", qop=\"auth\", algorithm=MD5, nonce=\"{}\"{}",
        odk::REALM,
        st.nonces.fresh(),
        if stale { ", stale=true" } else { "" }
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&digest) {
        h.append(header::WWW_AUTHENTICATE, v);
    }
    if st.tls {
        h.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"wahana\", charset=\"UTF-8\""),
        );
    }
    res
}

/// The parameters of a `Digest` authorization header.
fn digest_params(v: &str) -> Option<HashMap<String, String>> {
    let rest = v.strip_prefix("Digest ")?;
    let mut out = HashMap::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let (key, after) = s.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            // A quoted string, with backslash escapes.
            let mut value = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &q[end?..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.insert(key, value);
        s = tail.trim_start().trim_start_matches(',').trim_start();
    }
    Some(out)
}

/// Who sends: a person whose Digest (or, over HTTPS, Basic) credentials check, or the 401 to
/// answer. Failed attempts count against the name like a sign-in's.
async fn authenticate(
    st: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    address: &str,
) -> Result<Principal, Response> {
    let lang = lang_of(headers);
    let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(challenge(st, false, lang));
    };
    let refused = |st: &AppState| challenge(st, false, lang);
    if let Some(b64) = auth.strip_prefix("Basic ") {
        if !st.tls {
            // Basic sends the password itself: only over HTTPS.
            return Err(refused(st));
        }
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some((name, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return Err(refused(st));
        };
        return match crate::service::users::check_password(&st.store, name, password, address).await
        {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(refused(st)),
            Err(e) => Err(super::errors::ApiError::from(e).into_api(lang)),
        };
    }
    let Some(p) = digest_params(auth) else {
        return Err(refused(st));
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let (name, nonce, digest_uri, response) =
        (get("username"), get("nonce"), get("uri"), get("response"));
    let (qop, nc, cnonce) = (get("qop"), get("nc"), get("cnonce"));
    if get("realm") != odk::REALM || qop != "auth" || cnonce.is_empty() {
        return Err(refused(st));
    }
    // The URI signed must be this request's.
    let target = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(uri.path());
    let signed_path = digest_uri.split('?').next().unwrap_or("");
    let signed_path = signed_path
        .find("://")
        .and_then(|i| {
            signed_path[i + 3..]
                .find('/')
                .map(|j| &signed_path[i + 3 + j..])
        })
        .unwrap_or(signed_path);
    if signed_path != uri.path() && digest_uri != target {
        return Err(refused(st));
    }
    match st.nonces.check(nonce) {
        None => return Err(refused(st)),
        Some(false) => return Err(challenge(st, true, lang)),
        Some(true) => {}
    }
    let Ok(count) = u32::from_str_radix(nc, 16) else {
        return Err(refused(st));
    };
    let user = match crate::service::odk::digest_user(&st.store, name, address).await {
        Ok(u) => u,
        Err(e) => return Err(super::errors::ApiError::from(e).into_api(lang)),
    };
    let Some((person, ha1)) = user else {
        return Err(refused(st));
    };
    let ha2 = odk::md5_hex(format!("{method}:{digest_uri}").as_bytes());
    let want = odk::md5_hex(format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}").as_bytes());
    if !constant_eq(want.as_bytes(), response.as_bytes()) {
        let _ = crate::service::odk::digest_failed(&st.store, name, address).await;
        return Err(refused(st));
    }
    if !st.nonces.count(nonce, count) {
        // A replay: ask again with a fresh nonce.
        return Err(challenge(st, true, lang));
    }
    Ok(person)
}

/// The region of the path, or a 404 Collect shows.
fn region_of(code: &str, lang: Lang) -> Result<&'static wahana_domain::Region, Response> {
    RegionCode::parse(code)
        .ok()
        .and_then(|c| RegionTree::official().get(&c))
        .ok_or_else(|| {
            openrosa_message(
                StatusCode::NOT_FOUND,
                "",
                &match lang {
                    Lang::Id => format!(
                        "Wilayah {code} tidak dikenal. Alamat server di ODK Collect adalah alamat wahana ditambah /odk/KODE-WILAYAH, mis. /odk/73.08.21."
                    ),
                    Lang::En => format!(
                        "Region {code} is not known. The server URL in ODK Collect is wahana's address followed by /odk/REGION-CODE, e.g. /odk/73.08.21."
                    ),
                },
            )
        })
}

/// Signed in and allowed to collect, or the answer to give.
async fn collector(
    st: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    address: &str,
) -> Result<Principal, Response> {
    let person = authenticate(st, method, uri, headers, address).await?;
    if !odk::may_collect(&person) {
        return Err(openrosa_message(
            StatusCode::FORBIDDEN,
            "",
            &SubmissionRefusal::NotAllowed.message(lang_of(headers)),
        ));
    }
    Ok(person)
}

/// A phone signed in and allowed to collect (the extractor of every OpenRosa route): who sends,
/// the language of the messages it shows, and this server's base URL as it reached it.
struct Collector {
    person: Principal,
    lang: Lang,
    base: String,
}

impl FromRequestParts<AppState> for Collector {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let super::ClientAddress(address) = super::ClientAddress::from_request_parts(parts, st)
            .await
            .unwrap_or_else(|never| match never {});
        let person = collector(st, &parts.method, &parts.uri, &parts.headers, &address).await?;
        Ok(Collector {
            person,
            lang: lang_of(&parts.headers),
            base: base_url(st, &parts.headers),
        })
    }
}

/// The base URL of this server as the phone reached it (`Host`, and the scheme it used).
fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if st.tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn form_hash(f: &XForm) -> String {
    format!("md5:{}", odk::md5_hex(f.xml.as_bytes()))
}

/// `GET /odk/{code}/formList`.
async fn form_list(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    Collector { lang, base, .. }: Collector,
) -> Response {
    let region = match region_of(&code, lang) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let forms = match forms(&st, &region.code).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let base = format!("{}/odk/{}", base, region.code);
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n",
    );
    for f in forms.iter().filter(|f| {
        q.get("formID")
            .is_none_or(|id| id.is_empty() || *id == f.form_id)
    }) {
        body.push_str(&format!(
            "  <xform>\n    <formID>{}</formID>\n    <name>{}</name>\n    <version>{}</version>\n    <hash>{}</hash>\n    <downloadUrl>{base}/forms/{}.xml</downloadUrl>\n",
            Xml(&f.form_id),
            Xml(&f.title),
            Xml(&f.version),
            form_hash(f),
            Xml(&f.form_id),
        ));
        if !f.media.is_empty() {
            body.push_str(&format!(
                "    <manifestUrl>{base}/forms/{}/manifest</manifestUrl>\n",
                Xml(&f.form_id)
            ));
        }
        body.push_str("  </xform>\n");
    }
    body.push_str("</xforms>\n");
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// The forms of a region: the identification form, and the re-survey's when an earlier wave
/// holds the region's groups.
async fn forms(st: &AppState, code: &RegionCode) -> Result<Vec<Arc<XForm>>, Response> {
    match odk::forms(&st.store, &st.odk_forms, code).await {
        Ok(f) => Ok(f),
        Err(e) => Err(super::errors::ApiError::from(e).into_api(Lang::Id)),
    }
}

async fn one_form(
    st: &AppState,
    code: &str,
    form: &str,
    lang: Lang,
) -> Result<Arc<XForm>, Response> {
    let region = region_of(code, lang)?;
    forms(st, &region.code)
        .await?
        .into_iter()
        .find(|f| f.form_id == form)
        .ok_or_else(|| {
            openrosa_message(
                StatusCode::NOT_FOUND,
                "",
                &SubmissionRefusal::UnknownForm(form.to_string()).message(lang),
            )
        })
}

/// `GET /odk/{code}/forms/{formId}.xml`.
async fn form(
    State(st): State<AppState>,
    Path((code, file)): Path<(String, String)>,
    Collector { lang, .. }: Collector,
) -> Response {
    let id = file.strip_suffix(".xml").unwrap_or(&file);
    match one_form(&st, &code, id, lang).await {
        Ok(f) => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            f.xml.clone(),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// `GET /odk/{code}/forms/{formId}/manifest`.
async fn manifest(
    State(st): State<AppState>,
    Path((code, form)): Path<(String, String)>,
    Collector { lang, base, .. }: Collector,
) -> Response {
    let f = match one_form(&st, &code, &form, lang).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let base = format!(
        "{}/odk/{}/forms/{}/media",
        base,
        Xml(&code),
        Xml(&f.form_id)
    );
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest xmlns=\"http://openrosa.org/xforms/xformsManifest\">\n",
    );
    for m in &f.media {
        body.push_str(&format!(
            "  <mediaFile>\n    <filename>{}</filename>\n    <hash>md5:{}</hash>\n    <downloadUrl>{base}/{}</downloadUrl>\n  </mediaFile>\n",
            Xml(&m.name),
            odk::md5_hex(&m.bytes),
            Xml(&m.name)
        ));
    }
    body.push_str("</manifest>\n");
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// `GET /odk/{code}/forms/{formId}/media/{file}`.
async fn media(
    State(st): State<AppState>,
    Path((code, form, file)): Path<(String, String, String)>,
    Collector { lang, .. }: Collector,
) -> Response {
    let f = match one_form(&st, &code, &form, lang).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match f.media.iter().find(|m| m.name == file) {
        Some(m) => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            m.bytes.clone(),
        )
            .into_response(),
        None => openrosa_message(
            StatusCode::NOT_FOUND,
            "",
            &match lang {
                Lang::Id => format!("Berkas media {file} tidak ada pada formulir ini."),
                Lang::En => format!("This form has no media file {file}."),
            },
        ),
    }
}

/// `HEAD|GET /odk/{code}/submission`: where Collect learns how much one request may carry.
async fn submission_probe(Path(code): Path<String>, Collector { lang, .. }: Collector) -> Response {
    if let Err(r) = region_of(&code, lang) {
        return r;
    }
    (
        StatusCode::NO_CONTENT,
        [(
            "x-openrosa-accept-content-length",
            MAX_SUBMISSION.to_string(),
        )],
    )
        .into_response()
}

/// `POST /odk/{code}/submission`.
async fn submit(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Collector { person, lang, base }: Collector,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let too_large = || {
        openrosa_message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
            &match lang {
                Lang::Id => format!(
                    "Kiriman terlalu besar (paling banyak {} MB sekali kirim). Perkecil ukuran foto di Pengaturan > Formulir.",
                    MAX_SUBMISSION / (1024 * 1024)
                ),
                Lang::En => format!(
                    "The submission is too large (at most {} MB per request). Reduce the photo size in Settings > Form management.",
                    MAX_SUBMISSION / (1024 * 1024)
                ),
            },
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_SUBMISSION) {
        return too_large();
    }
    let region = match region_of(&code, lang) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => {
            return openrosa_message(
                StatusCode::BAD_REQUEST,
                "",
                &SubmissionRefusal::NotXml("multipart/form-data".into()).message(lang),
            );
        }
    };
    let mut xml: Option<String> = None;
    let mut files = Vec::new();
    let mut total = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(e) => {
                return openrosa_message(
                    StatusCode::BAD_REQUEST,
                    "",
                    &SubmissionRefusal::NotXml(e.body_text()).message(lang),
                );
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(e) => {
                return openrosa_message(
                    StatusCode::BAD_REQUEST,
                    "",
                    &SubmissionRefusal::NotXml(e.body_text()).message(lang),
                );
            }
        };
        total += bytes.len();
        if total > MAX_SUBMISSION {
            return too_large();
        }
        if name == "xml_submission_file" {
            if bytes.len() > MAX_XML {
                return too_large();
            }
            match String::from_utf8(bytes.to_vec()) {
                Ok(s) => xml = Some(s),
                Err(_) => {
                    return openrosa_message(
                        StatusCode::BAD_REQUEST,
                        "",
                        &SubmissionRefusal::NotXml("UTF-8".into()).message(lang),
                    );
                }
            }
        } else if let Some(f) = file_name.filter(|f| !f.is_empty()) {
            // Only the file's own name: a path in it names nothing on this server.
            let f = f.rsplit(['/', '\\']).next().unwrap_or(&f).to_string();
            files.push(NewFile {
                name: f,
                content_type,
                bytes: bytes.to_vec(),
            });
        }
    }
    let Some(xml) = xml else {
        return openrosa_message(
            StatusCode::BAD_REQUEST,
            "",
            &SubmissionRefusal::NotXml("xml_submission_file".into()).message(lang),
        );
    };
    match odk::receive(&st.store, &person, &region.code, &xml, files).await {
        Ok(receipt) => {
            if receipt.created {
                st.metrics.submission();
                st.profiles_changed();
            }
            let mut res = openrosa_message(
                StatusCode::CREATED,
                "submit_success",
                &receipt.message(lang),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("{}/inbox/{}", base, receipt.id)) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
        Err(ReceiveError::Refused(r)) => {
            let status = match r {
                SubmissionRefusal::VillageOutside { .. } | SubmissionRefusal::NotAllowed => {
                    StatusCode::FORBIDDEN
                }
                SubmissionRefusal::Conflict { .. } => StatusCode::CONFLICT,
                SubmissionRefusal::UnknownForm(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            tracing::warn!(region = %region.code, sender = person.name, status = status.as_u16(), "submission refused");
            openrosa_message(status, "", &r.message(lang))
        }
        Err(ReceiveError::Service(e)) => super::errors::ApiError::from(e).into_api(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_header_parses_quoted_and_bare_values() {
        let p = digest_params(
            r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        assert_eq!(p["username"], "Mufasa");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["nc"], "00000001");
        assert_eq!(p["uri"], "/dir/index.html");
        // RFC 2617's worked example.
        let ha1 = odk::md5_hex(b"Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = odk::md5_hex(b"GET:/dir/index.html");
        let r = odk::md5_hex(
            format!(
                "{ha1}:{}:{}:{}:{}:{ha2}",
                p["nonce"], p["nc"], p["cnonce"], p["qop"]
            )
            .as_bytes(),
        );
        assert_eq!(r, p["response"]);
        assert!(digest_params("Basic abc").is_none());
        assert!(digest_params(r#"Digest username="unterminated"#).is_none());
    }

    proptest::proptest! {
        /// Any header parses or is refused, never panics; one written by a client (values
        /// quoted, quotes and backslashes escaped) gives back every value.
        #[test]
        fn digest_headers_never_panic_and_read_back(
            junk in "\\PC{0,200}",
            values in proptest::collection::vec("[ -~]{0,40}", 1..6),
        ) {
            let _ = digest_params(&junk);
            let _ = digest_params(&format!("Digest {junk}"));
            let header = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("k{i}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect::<Vec<_>>()
                .join(", ");
            let p = digest_params(&format!("Digest {header}")).unwrap();
            for (i, v) in values.iter().enumerate() {
                proptest::prop_assert_eq!(&p[&format!("k{i}")], v);
            }
        }

        /// A nonce this server did not make is never taken for one of its own.
        #[test]
        fn forged_nonces_are_refused(junk in "\\PC{0,80}") {
            let n = Nonces::default();
            proptest::prop_assert_eq!(n.check(&junk), None);
        }
    }

    #[test]
    fn nonces_are_ours_fresh_or_stale_and_counted_once() {
        let n = Nonces::default();
        let fresh = n.fresh();
        assert_eq!(n.check(&fresh), Some(true));
        assert_ne!(fresh, n.fresh(), "two challenges in one second differ");
        let other = Nonces::default();
        assert_eq!(other.check(&fresh), None, "another server's nonce");
        let old = 1_000u64;
        assert_eq!(
            n.check(&format!("{old:x}.ab.{}", n.mac(old, "ab"))),
            Some(false)
        );
        assert_eq!(n.check("zz.00"), None);
        assert_eq!(n.check(&format!("{old:x}.ac.{}", n.mac(old, "ab"))), None);
        assert!(n.count(&fresh, 1));
        assert!(n.count(&fresh, 2));
        assert!(!n.count(&fresh, 2), "a replayed count");
    }
}
