//! Field collection straight into wahana: what ODK Collect sends (an OpenRosa submission: the
//! form's instance as XML, with its attachments) is kept whole and lands as *pending* in the
//! inbox of its region (`service::inbox`), where an officer accepts or rejects it.
//!
//! This module reads a submission's XML, decides whether the sender may send it (an enumerator
//! only for villages of their region), and keeps it; the web's `openrosa` module speaks HTTP
//! and authentication. Nothing a phone sends is lost: a submission refused here is refused
//! before anything is kept, with a message the phone shows; one kept is never deleted.

use super::ServiceError;
use super::caller::Caller;
use super::users::{Principal, Write};
use crate::instrument::xform::XForm;
use crate::instrument::xlsform::PreviousGroup;
use md5::{Digest, Md5};
use std::sync::Arc;
use wahana_domain::{Lang, RegionCode, RegionTree};
use wahana_store::{NewFile, NewSubmission, Received, Store};

/// The realm of HTTP Digest authentication: part of what `users.digest_ha1` hashes, so it never
/// changes.
pub const REALM: &str = "wahana";

/// The form ids a submission may carry: the identification form and the re-survey's.
pub const FORM_IDS: [&str; 2] = [
    crate::instrument::xlsform::FORM_ID,
    crate::instrument::xlsform::RESURVEY_FORM_ID,
];

/// MD5 of bytes, lower-case hex.
pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What HTTP Digest keeps of a password: `MD5(name:realm:password)`.
pub fn digest_ha1(name: &str, password: &str) -> String {
    md5_hex(format!("{name}:{REALM}:{password}").as_bytes())
}

/// A submission's instance, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    pub form_id: String,
    pub version: Option<String>,
    pub instance_id: String,
    pub deprecated_id: Option<String>,
    pub device_id: Option<String>,
    /// Every answered leaf under the root, as `group/field` (the paths of a Kobo export, which
    /// the import reads), in document order.
    pub fields: Vec<(String, String)>,
}

impl Answers {
    /// The value of a field by its last path segment (`kode_wilayah`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(p, _)| p.rsplit('/').next() == Some(name))
            .map(|(_, v)| v.as_str())
    }

    /// The village the answers name, when it is one of the region tree.
    pub fn village(&self, tree: &RegionTree) -> Option<RegionCode> {
        let v = self.get("kode_wilayah")?;
        let code = RegionCode::parse(v.trim()).ok()?;
        (code.level() == wahana_domain::Level::Village && tree.get(&code).is_some()).then_some(code)
    }
}

/// Why a submission is refused before anything is kept; [`SubmissionRefusal::message`] is what
/// ODK Collect shows the enumerator.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmissionRefusal {
    /// No `xml_submission_file`, or not XML.
    NotXml(String),
    /// A form this server does not serve.
    UnknownForm(String),
    /// No `meta/instanceID`.
    NoInstanceId,
    /// The village named lies outside the region the phone sends to, or outside the sender's.
    VillageOutside { village: String, region: String },
    /// The sender's role does not add groups.
    NotAllowed,
    /// The same instance was sent before with other answers.
    Conflict { instance_id: String },
}

impl SubmissionRefusal {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (SubmissionRefusal::NotXml(why), Lang::Id) => format!(
                "Kiriman tidak terbaca: berkas isian (xml_submission_file) tidak ada atau bukan XML ({why})."
            ),
            (SubmissionRefusal::NotXml(why), Lang::En) => format!(
                "The submission could not be read: the form file (xml_submission_file) is missing or not XML ({why})."
            ),
            (SubmissionRefusal::UnknownForm(f), Lang::Id) => format!(
                "Formulir \"{f}\" tidak dikenal server ini. Unduh ulang formulir dari server (Ambil Formulir Kosong)."
            ),
            (SubmissionRefusal::UnknownForm(f), Lang::En) => format!(
                "This server does not know the form \"{f}\". Download the form again (Get Blank Form)."
            ),
            (SubmissionRefusal::NoInstanceId, Lang::Id) => {
                "Kiriman tanpa instanceID (meta/instanceID): kirim dari ODK Collect dengan formulir dari server ini.".into()
            }
            (SubmissionRefusal::NoInstanceId, Lang::En) => {
                "The submission has no instanceID (meta/instanceID): send it from ODK Collect with this server's form.".into()
            }
            (SubmissionRefusal::VillageOutside { village, region }, Lang::Id) => format!(
                "Desa {village} di luar wilayah Anda ({region}). Periksa pilihan desa pada isian, atau minta admin mengatur wilayah akun Anda."
            ),
            (SubmissionRefusal::VillageOutside { village, region }, Lang::En) => format!(
                "Village {village} is outside your region ({region}). Check the village chosen in the form, or ask an admin to set your account's region."
            ),
            (SubmissionRefusal::NotAllowed, Lang::Id) => {
                "Akun ini tidak boleh mengirim data kelompok. Minta admin memberi peran pendata atau petugas.".into()
            }
            (SubmissionRefusal::NotAllowed, Lang::En) => {
                "This account may not send group data. Ask an admin for the enumerator or officer role.".into()
            }
            (SubmissionRefusal::Conflict { instance_id }, Lang::Id) => format!(
                "Isian {instance_id} sudah pernah diterima dengan jawaban lain. Untuk mengubahnya, sunting isian lama di ODK Collect lalu kirim lagi."
            ),
            (SubmissionRefusal::Conflict { instance_id }, Lang::En) => format!(
                "The instance {instance_id} was received before with other answers. To change it, edit the earlier instance in ODK Collect and send again."
            ),
        }
    }
}

/// Reads a submission's XML: the root's `id` and `version`, `meta/instanceID` and
/// `meta/deprecatedID`, `deviceid`, and every leaf that holds text.
pub fn parse_submission(xml: &str) -> Result<Answers, SubmissionRefusal> {
    let doc =
        roxmltree::Document::parse(xml).map_err(|e| SubmissionRefusal::NotXml(e.to_string()))?;
    let root = doc.root_element();
    let form_id = root
        .attribute("id")
        .ok_or_else(|| SubmissionRefusal::NotXml("the root element has no id".into()))?
        .to_string();
    let version = root.attribute("version").map(str::to_string);
    let mut fields = Vec::new();
    fn walk(node: roxmltree::Node<'_, '_>, prefix: &str, out: &mut Vec<(String, String)>) {
        for child in node.children().filter(|c| c.is_element()) {
            let name = child.tag_name().name();
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}/{name}")
            };
            if child.children().any(|c| c.is_element()) {
                walk(child, &path, out);
            } else {
                let text: String = child
                    .children()
                    .filter(|c| c.is_text())
                    .filter_map(|c| c.text())
                    .collect();
                out.push((path, text));
            }
        }
    }
    walk(root, "", &mut fields);
    let find = |name: &str| {
        fields
            .iter()
            .find(|(p, _)| p == &format!("meta/{name}") || p == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let instance_id = find("instanceID").ok_or(SubmissionRefusal::NoInstanceId)?;
    let deprecated_id = find("deprecatedID");
    let device_id = find("deviceid");
    Ok(Answers {
        form_id,
        version,
        instance_id,
        deprecated_id,
        device_id,
        fields,
    })
}

/// What became of a submission kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub id: i64,
    /// A new submission (not a resend of one held).
    pub created: bool,
    /// Attachments added by this request.
    pub files_added: usize,
    /// Accepted into a wave on arrival (a wave that accepts clean, unmatched submissions).
    pub auto_accepted: Option<String>,
}

impl Receipt {
    /// What ODK Collect shows the enumerator.
    pub fn message(&self, lang: Lang) -> String {
        match (self.created, &self.auto_accepted, lang) {
            (true, None, Lang::Id) => format!(
                "Terima kasih. Kiriman #{} diterima dan menunggu diperiksa petugas.",
                self.id
            ),
            (true, None, Lang::En) => format!(
                "Thank you. Submission #{} was received and waits for an officer's review.",
                self.id
            ),
            (true, Some(g), Lang::Id) => format!(
                "Terima kasih. Kiriman #{} diterima dan langsung dicatat sebagai kelompok {g}.",
                self.id
            ),
            (true, Some(g), Lang::En) => format!(
                "Thank you. Submission #{} was received and recorded as group {g}.",
                self.id
            ),
            (false, _, Lang::Id) => format!(
                "Kiriman #{} sudah diterima sebelumnya; {} lampiran baru disimpan.",
                self.id, self.files_added
            ),
            (false, _, Lang::En) => format!(
                "Submission #{} was already received; {} new attachment(s) kept.",
                self.id, self.files_added
            ),
        }
    }
}

/// Either a refusal the phone is told, or a failure of the server.
#[derive(Debug)]
pub enum ReceiveError {
    Refused(SubmissionRefusal),
    Service(ServiceError),
}

impl From<ServiceError> for ReceiveError {
    fn from(e: ServiceError) -> Self {
        ReceiveError::Service(e)
    }
}

impl From<wahana_store::StoreError> for ReceiveError {
    fn from(e: wahana_store::StoreError) -> Self {
        ReceiveError::Service(e.into())
    }
}

/// May `person` fetch the forms of `region` and send to it? Those who add groups somewhere
/// (enumerators, officers, admins); where they may send is checked per submission.
pub fn may_collect(person: &Principal) -> bool {
    Caller::web(Some(person)).writes_somewhere(Write::CreateGroup)
}

/// Keeps a submission `person` sent to `region`'s address: refused (nothing kept) when it does
/// not read, names another form, or names a village outside `region` or outside the sender's
/// region; the same instance sent again with the same XML adds only its new attachments.
/// A new submission is then offered to a wave that accepts clean, unmatched ones.
pub async fn receive(
    store: &Store,
    person: &Principal,
    region: &RegionCode,
    xml: &str,
    files: Vec<NewFile>,
) -> Result<Receipt, ReceiveError> {
    if !may_collect(person) {
        return Err(ReceiveError::Refused(SubmissionRefusal::NotAllowed));
    }
    let answers = parse_submission(xml).map_err(ReceiveError::Refused)?;
    if !FORM_IDS.contains(&answers.form_id.as_str()) {
        return Err(ReceiveError::Refused(SubmissionRefusal::UnknownForm(
            answers.form_id,
        )));
    }
    let tree = RegionTree::official();
    let village = answers.village(tree);
    let caller = Caller::web(Some(person));
    if let Some(v) = &village {
        let mine = caller.writes(Write::CreateGroup, v);
        if !v.is_within(region) || !mine {
            let theirs = if mine {
                region.to_string()
            } else {
                person
                    .region
                    .as_ref()
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| region.to_string())
            };
            let name = tree
                .get(v)
                .map(|r| format!("{} ({v})", r.name))
                .unwrap_or_else(|| v.to_string());
            let place = RegionCode::parse(&theirs)
                .ok()
                .and_then(|c| tree.get(&c).map(|r| r.titled(Lang::Id)))
                .unwrap_or(theirs);
            return Err(ReceiveError::Refused(SubmissionRefusal::VillageOutside {
                village: name,
                region: place,
            }));
        }
    } else if !caller.writes(Write::CreateGroup, region) {
        // No village named: it belongs to the region it was sent to, which must be theirs.
        return Err(ReceiveError::Refused(SubmissionRefusal::VillageOutside {
            village: answers.get("kode_wilayah").unwrap_or("-").to_string(),
            region: region.to_string(),
        }));
    }
    let new = NewSubmission {
        instance_id: answers.instance_id.clone(),
        form_id: answers.form_id.clone(),
        form_version: answers.version.clone(),
        region_code: region.clone(),
        village_code: village,
        xml: xml.to_string(),
        xml_md5: md5_hex(xml.as_bytes()),
        deprecated_id: answers.deprecated_id.clone(),
        device_id: answers.device_id.clone(),
        submitted_by: person.name.clone(),
    };
    let receipt = match store.receive_submission(&new, &files).await? {
        Received::Created { id } => Receipt {
            id,
            created: true,
            files_added: files.len(),
            auto_accepted: None,
        },
        Received::Resent { id, files_added } => Receipt {
            id,
            created: false,
            files_added,
            auto_accepted: None,
        },
        Received::Conflict { .. } => {
            return Err(ReceiveError::Refused(SubmissionRefusal::Conflict {
                instance_id: answers.instance_id,
            }));
        }
    };
    if receipt.created {
        let id = receipt.id;
        tracing::info!(
            submission = id,
            form = answers.form_id,
            sender = person.name,
            "submission received"
        );
        match super::inbox::auto_accept(store, id).await {
            Ok(Some(group)) => {
                return Ok(Receipt {
                    auto_accepted: Some(group),
                    ..receipt
                });
            }
            Ok(None) => {}
            // Kept and pending: an officer sees it in the inbox.
            Err(e) => tracing::warn!(submission = id, error = %e, "automatic acceptance failed"),
        }
    }
    Ok(receipt)
}

/// The forms made for each region, kept while what they hold has not changed: the
/// identification form by region and year; the re-survey form by region, earlier wave and a
/// fingerprint of that wave's groups in the region.
#[derive(Default)]
pub struct FormCache {
    forms: std::sync::Mutex<std::collections::HashMap<String, Arc<XForm>>>,
}

impl FormCache {
    fn get_or(
        &self,
        key: String,
        make: impl FnOnce() -> Result<XForm, crate::instrument::xlsform::XlsFormError>,
    ) -> Result<Arc<XForm>, ServiceError> {
        if let Some(f) = self
            .forms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(f.clone());
        }
        let made = Arc::new(make().map_err(|e| {
            ServiceError::Invalid(vec![wahana_domain::FieldError {
                field: "formulir".into(),
                value: String::new(),
                expected_id: e.to_string(),
                expected_en: e.to_string(),
            }])
        })?);
        let mut forms = self.forms.lock().unwrap_or_else(|e| e.into_inner());
        if forms.len() > 500 {
            forms.clear();
        }
        forms.insert(key, made.clone());
        Ok(made)
    }
}

/// The forms ODK Collect may download for `region`: the identification form, and, when a wave
/// holds groups of the region, the re-survey form listing them (so that the enumerator picks
/// the group re-visited): those of the latest wave before the one new records go into, or of
/// that wave itself while it is the only one.
pub async fn forms(
    store: &Store,
    cache: &FormCache,
    region: &RegionCode,
) -> Result<Vec<Arc<XForm>>, ServiceError> {
    let tree = RegionTree::official();
    let year = super::today().year();
    let mut out = vec![cache.get_or(format!("{region}|{year}"), || {
        crate::instrument::xform::xform(region, tree, year)
    })?];
    let open = store.latest_open_wave(Some(region)).await?;
    // The groups of the latest wave before the one new records go into; while that wave is
    // the only one holding the region's groups, its own (a re-visit corrects their record).
    let holding = store.waves_holding(Some(region)).await?;
    let earlier = holding
        .iter()
        .find(|w| open.as_ref().is_none_or(|o| o.id != w.id))
        .or(holding.first())
        .cloned();
    if let Some(earlier) = earlier {
        let filter = wahana_store::GroupFilter {
            region: Some(region.clone()),
            wave: Some(earlier.id.clone()),
            ..wahana_store::GroupFilter::default()
        };
        let previous: Vec<PreviousGroup> = store
            .list_groups(&filter, i64::MAX, 0)
            .await?
            .into_iter()
            .map(|g| PreviousGroup {
                id: g.group.id,
                name: g.group.name,
                village: g.group.village,
            })
            .collect();
        let mut fingerprint = String::new();
        for g in &previous {
            fingerprint.push_str(&g.id);
            fingerprint.push('\0');
            fingerprint.push_str(&g.name);
            fingerprint.push('\0');
        }
        let key = format!(
            "{region}|{year}|{}|{}",
            earlier.id,
            md5_hex(fingerprint.as_bytes())
        );
        out.push(cache.get_or(key, || {
            crate::instrument::xform::resurvey_xform(region, tree, year, &previous)
        })?);
    }
    Ok(out)
}

/// The person of a Digest sign-in and their Digest hash; `None` for a name not held, a
/// deactivated person, a person without a hash yet (added before this release and not signed
/// in since), or a name with too many failed attempts from this address lately (counted as a
/// sign-in's).
pub async fn digest_user(
    store: &Store,
    name: &str,
    address: &str,
) -> Result<Option<(Principal, String)>, ServiceError> {
    if super::users::too_many_failures(store, name, address).await? {
        return Ok(None);
    }
    let Some(user) = store.user_by_name(name).await?.filter(|u| u.active) else {
        return Ok(None);
    };
    let Some(ha1) = store.digest_ha1(name).await? else {
        return Ok(None);
    };
    Ok(Principal::from_record(&user).map(|p| (p, ha1)))
}

/// Counts a failed Digest sign-in against the name and address.
pub async fn digest_failed(store: &Store, name: &str, address: &str) -> Result<(), ServiceError> {
    super::users::count_failure(store, name, address).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="wahana_kelompok" version="1 (2026)">
  <start>2026-11-01T09:00:00.000+08:00</start>
  <deviceid>collect:abc123</deviceid>
  <pendataan><tanggal_pendataan>2026-11-01</tanggal_pendataan><pendata/></pendataan>
  <wilayah><kecamatan>73.08.21</kecamatan><kode_wilayah>73.08.21.1003</kode_wilayah></wilayah>
  <identitas><nama>Arisan Mawar &amp; Melati</nama><jenis>arisan</jenis></identitas>
  <meta><instanceID>uuid:1234</instanceID><deprecatedID>uuid:0001</deprecatedID></meta>
</data>"#;

    #[test]
    fn a_submission_reads_into_paths_and_metadata() {
        let a = parse_submission(XML).unwrap();
        assert_eq!(a.form_id, "wahana_kelompok");
        assert_eq!(a.version.as_deref(), Some("1 (2026)"));
        assert_eq!(a.instance_id, "uuid:1234");
        assert_eq!(a.deprecated_id.as_deref(), Some("uuid:0001"));
        assert_eq!(a.device_id.as_deref(), Some("collect:abc123"));
        assert_eq!(a.get("nama"), Some("Arisan Mawar & Melati"));
        assert_eq!(a.get("pendata"), Some(""));
        assert!(
            a.fields
                .iter()
                .any(|(p, v)| p == "wilayah/kode_wilayah" && v == "73.08.21.1003")
        );
        assert_eq!(
            a.village(RegionTree::official()).map(|c| c.to_string()),
            Some("73.08.21.1003".into())
        );
    }

    #[test]
    fn what_is_not_a_submission_is_refused_with_a_reason() {
        assert!(matches!(
            parse_submission("<data"),
            Err(SubmissionRefusal::NotXml(_))
        ));
        assert!(matches!(
            parse_submission("<data><x>1</x></data>"),
            Err(SubmissionRefusal::NotXml(_))
        ));
        assert_eq!(
            parse_submission(r#"<data id="f"><x>1</x></data>"#),
            Err(SubmissionRefusal::NoInstanceId)
        );
    }

    #[test]
    fn digest_hash_is_rfc_2617s() {
        // RFC 2617 section 3.5's example: Mufasa / testrealm@host.com / Circle Of Life.
        assert_eq!(
            md5_hex(b"Mufasa:testrealm@host.com:Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9"
        );
        assert_eq!(digest_ha1("a", "b"), md5_hex(b"a:wahana:b"));
    }
}
