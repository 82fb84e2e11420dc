//! Who makes a change, and the audit trail written for it. The store's one-record writes take
//! the actor and write their entry in the change's own transaction; an import writes its entry
//! (the report) in its batch, before the commit (`service::import`).

/// The person or program making a change, as written in the audit trail: `web:NAME`,
/// `api:NAME` or `cli:OS_USER` ([`super::caller::Caller::who`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who(pub String);

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
pub fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

use super::ServiceError;
use super::caller::Caller;
use super::users::Write;
use wahana_domain::member::Member;
use wahana_domain::{FieldError, Institution, Network, RegionCode, RegionTree};
use wahana_store::{AuditEntry, Store, StoredGroup, StoredMember, TieRecord};

/// The fields of a record in the trail that are personal data (a group's chair and phone, a
/// network's board, an institution's contact, a deleted member's name and person key): blanked
/// for those who may not see the personal data of the entry's region.
const PERSONAL_KEYS: &[&str] = &[
    "chair",
    "phone",
    "secretary",
    "treasurer",
    "contact",
    "person_key",
];

/// The entry as `caller` may see it: personal fields blanked unless they may see them.
fn visible(caller: &Caller, mut e: AuditEntry) -> AuditEntry {
    let sees = e
        .region_code
        .as_deref()
        .and_then(|c| RegionCode::parse(c).ok())
        .map_or(caller.is_operator(), |c| caller.sees_personal(&c));
    if sees {
        return e;
    }
    let member = e.entity_kind == "anggota";
    let blank = |text: &mut Option<String>| {
        let Some(t) = text.as_deref() else { return };
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(t) else {
            return;
        };
        blank_personal(&mut v, member);
        *text = serde_json::to_string(&v).ok();
    };
    blank(&mut e.before);
    blank(&mut e.after);
    e
}

fn blank_personal(v: &mut serde_json::Value, member: bool) {
    match v {
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| blank_personal(i, member)),
        serde_json::Value::Object(map) => {
            for (k, value) in map.iter_mut() {
                if PERSONAL_KEYS.contains(&k.as_str()) || (member && k == "name") {
                    *value = serde_json::Value::Null;
                }
            }
        }
        _ => {}
    }
}

/// May the caller read this entry: officers and admins (and the operator) who may read the
/// records of its region; an entry of no region (people, waves, backups, a national import)
/// the operator's and admins' only. Others are answered as for an entry not held.
fn check_read_entry(caller: &Caller, e: &AuditEntry) -> Result<(), ServiceError> {
    caller.signed_in()?;
    let region = e
        .region_code
        .as_deref()
        .and_then(|c| RegionCode::parse(c).ok());
    let reads = match &region {
        Some(r) => caller.reads_records(r),
        None => caller.check_admin().is_ok(),
    };
    if !reads {
        return Err(ServiceError::NotFound {
            kind: "entri",
            id: e.id.to_string(),
        });
    }
    // A viewer or an enumerator of the region: not allowed (the trail is officers').
    caller.check_officer()
}

/// One entry of the audit trail by its number, for officers and admins who may read its
/// region's records (personal fields as [`Caller::sees_personal`] allows).
pub async fn entry(store: &Store, caller: &Caller, id: i64) -> Result<AuditEntry, ServiceError> {
    let Some(e) = store.audit_entry(id).await? else {
        return Err(ServiceError::NotFound {
            kind: "entri",
            id: id.to_string(),
        });
    };
    check_read_entry(caller, &e)?;
    Ok(visible(caller, e))
}

/// The trail of a region's subtree, newest first, one page at a time, for officers and admins
/// who may read the region's records.
pub async fn region_trail(
    store: &Store,
    caller: &Caller,
    region: &RegionCode,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>, ServiceError> {
    caller.signed_in()?;
    caller.check_officer()?;
    if !caller.reads_records(region) {
        return Err(caller.forbidden());
    }
    Ok(store
        .audit_in(region, limit, offset)
        .await?
        .into_iter()
        .map(|e| visible(caller, e))
        .collect())
}

/// The number of the audit entry of the import that wrote a record, from the record's
/// provenance (its `impor`), when the caller may read that entry.
pub async fn import_entry_of(
    store: &Store,
    caller: &Caller,
    provenance: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let Some(import_id) = provenance
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|v| v.get("impor").and_then(|i| i.as_str()).map(str::to_string))
    else {
        return Ok(None);
    };
    let Some(e) = store.import_entry(&import_id).await? else {
        return Ok(None);
    };
    Ok(check_read_entry(caller, &e).is_ok().then_some(e.id))
}

/// A deleted record as its delete's entry holds it.
#[derive(Debug, Clone)]
pub enum Deleted {
    /// A group's observations deleted together (one, or every one of the group).
    Group(Vec<StoredGroup>),
    Network(wahana_store::StoredNetwork),
    Institution(wahana_store::StoredInstitution),
    Tie(TieRecord),
    Member(Member),
}

/// What a restore wrote back: the kind of record (as the trail names it) and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// `kelompok`, `wahana`, `lembaga`, `ikatan`, `anggota`.
    pub kind: &'static str,
    /// The record's id (a tie's or a member's new number).
    pub id: String,
    /// The record a restored tie or member belongs to (a tie's first end, a member's group),
    /// with its kind.
    pub owner: Option<(wahana_store::ActorKind, String)>,
}

fn not_restorable(id: i64, why_id: &str, why_en: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(
        "entri",
        id.to_string(),
        format!("entri penghapusan yang dapat dipulihkan: {why_id}"),
        format!("a delete entry that can be restored: {why_en}"),
    )])
}

/// The record a delete entry holds, read back from its JSON; `None` for an entry that is no
/// delete of a record (or an older member entry, which did not keep the name).
pub fn deleted_record(e: &AuditEntry) -> Option<Deleted> {
    if e.action != "delete" {
        return None;
    }
    let before = e.before.as_deref()?;
    match e.entity_kind.as_str() {
        "kelompok" => serde_json::from_str::<Vec<StoredGroup>>(before)
            .ok()
            .or_else(|| {
                serde_json::from_str::<StoredGroup>(before)
                    .ok()
                    .map(|g| vec![g])
            })
            .filter(|all| !all.is_empty())
            .map(Deleted::Group),
        "wahana" => serde_json::from_str(before).ok().map(Deleted::Network),
        "lembaga" => serde_json::from_str(before).ok().map(Deleted::Institution),
        "ikatan" => serde_json::from_str(before).ok().map(Deleted::Tie),
        "anggota" => serde_json::from_str(before).ok().map(Deleted::Member),
        _ => None,
    }
}

/// The region a deleted record lay in (a tie's: both ends', checked separately).
fn home(d: &Deleted) -> Option<&RegionCode> {
    match d {
        Deleted::Group(all) => all.last().map(|g| &g.group.village),
        Deleted::Network(n) => Some(&n.record.village),
        Deleted::Institution(i) => Some(&i.record.region),
        Deleted::Tie(_) | Deleted::Member(_) => None,
    }
}

/// Whether the caller may restore what the entry deleted (its role and region allow writing
/// the record, the region and the group are still held), and if not why: what a page asks
/// before offering "Pulihkan". Nothing is written; a wave gone or an id held again is found
/// by the restore itself. `None`: the entry holds nothing to restore.
pub async fn may_restore(
    store: &Store,
    caller: &Caller,
    e: &AuditEntry,
) -> Option<Result<(), ServiceError>> {
    let d = deleted_record(e)?;
    Some(check_restore(store, caller, e, &d).await)
}

async fn check_restore(
    store: &Store,
    caller: &Caller,
    e: &AuditEntry,
    d: &Deleted,
) -> Result<(), ServiceError> {
    check_read_entry(caller, e)?;
    if let Some(code) = home(d)
        && RegionTree::official().get(code).is_none()
    {
        return Err(not_restorable(
            e.id,
            &format!("wilayah {code} tidak ada lagi"),
            &format!("region {code} no longer exists"),
        ));
    }
    let allowed = match d {
        Deleted::Group(all) => all
            .iter()
            .all(|g| caller.writes(Write::DeleteGroup, &g.group.village)),
        Deleted::Network(n) => caller.writes(Write::Other, &n.record.village),
        Deleted::Institution(i) => caller.writes(Write::Other, &i.record.region),
        Deleted::Tie(t) => {
            let ends = super::actors::tie_regions(store, &t.tie).await?;
            caller.writes_tie(&ends)
        }
        Deleted::Member(m) => match store.group(&m.group_id).await? {
            Some(g) => caller.writes(Write::Members, &g.group.village),
            // Its group is gone: restore the group first.
            None => {
                return Err(not_restorable(
                    e.id,
                    &format!(
                        "kelompok {} tidak ada lagi (pulihkan kelompoknya dulu)",
                        m.group_id
                    ),
                    &format!(
                        "group {} no longer exists (restore the group first)",
                        m.group_id
                    ),
                ));
            }
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(caller.forbidden())
    }
}

/// Restores the record a delete entry (number `entry_id`) holds, as it was (same id, same
/// wave; a tie or a member gets a new number), in one audited write (`restore`) that keeps the
/// tallies current, for a caller whose role and region allow writing it. Refused when the
/// entry is no delete of a record, the id is held again (or the tie or member is), the wave or
/// region is no longer held, the wave is closed, or the caller may not write there.
pub async fn restore(
    store: &Store,
    caller: &Caller,
    entry_id: i64,
) -> Result<Restored, ServiceError> {
    let Some(e) = store.audit_entry(entry_id).await? else {
        return Err(ServiceError::NotFound {
            kind: "entri",
            id: entry_id.to_string(),
        });
    };
    check_read_entry(caller, &e)?;
    let Some(d) = deleted_record(&e) else {
        return Err(not_restorable(
            entry_id,
            "entri ini bukan penghapusan data yang tersimpan utuh",
            "this entry is not the delete of a record held whole",
        ));
    };
    check_restore(store, caller, &e, &d).await?;
    let who = caller.who().0;
    Ok(match d {
        Deleted::Group(all) => {
            let id = all.last().map(|g| g.group.id.clone()).unwrap_or_default();
            store.restore_group(&all, &who).await?;
            Restored {
                kind: "kelompok",
                id,
                owner: None,
            }
        }
        Deleted::Network(n) => {
            let s = store.restore_actor::<Network>(&n, &who).await?;
            Restored {
                kind: "wahana",
                id: s.record.id,
                owner: None,
            }
        }
        Deleted::Institution(i) => {
            let s = store.restore_actor::<Institution>(&i, &who).await?;
            Restored {
                kind: "lembaga",
                id: s.record.id,
                owner: None,
            }
        }
        Deleted::Tie(t) => {
            let s = store.restore_tie(&t, &who).await?;
            Restored {
                kind: "ikatan",
                id: s.id.to_string(),
                owner: Some((s.from_kind, s.tie.from)),
            }
        }
        Deleted::Member(m) => {
            let held: Vec<StoredMember> = store.members_of(&m.group_id).await?;
            if let Some(h) = held.iter().find(|h| h.member.person_key == m.person_key) {
                return Err(not_restorable(
                    entry_id,
                    &format!("orang ini sudah anggota nomor {} kelompok ini", h.id),
                    &format!("this person is already member number {} of the group", h.id),
                ));
            }
            let s = store.restore_member(&m, &who).await?;
            Restored {
                kind: "anggota",
                id: s.id.to_string(),
                owner: Some((wahana_store::ActorKind::Group, m.group_id)),
            }
        }
    })
}

/// An audit entry's change in words: `menambah kelompok`, `mengimpor berkas`, `menerima
/// kiriman` (`created group`, …). An action or kind this release does not know is shown as
/// stored.
pub fn describe(action: &str, entity_kind: &str, lang: wahana_domain::Lang) -> String {
    use wahana_domain::Lang::{En, Id};
    let verb = match (action, lang) {
        ("create", Id) => "menambah",
        ("create", En) => "created",
        ("update", Id) => "mengubah",
        ("update", En) => "changed",
        ("delete", Id) => "menghapus",
        ("delete", En) => "deleted",
        ("restore", Id) => "memulihkan",
        ("restore", En) => "restored",
        ("import", Id) => "mengimpor",
        ("import", En) => "imported",
        ("backup", Id) => "mencadangkan",
        ("backup", En) => "backed up",
        ("receive", Id) => "mengirim",
        ("receive", En) => "sent",
        ("accept", Id) => "menerima",
        ("accept", En) => "accepted",
        ("reject", Id) => "menolak",
        ("reject", En) => "rejected",
        ("link", Id) => "menautkan",
        ("link", En) => "linked",
        ("link_accept", Id) => "menerima tautan",
        ("link_accept", En) => "accepted the link of",
        ("link_reject", Id) => "menolak tautan",
        ("link_reject", En) => "rejected the link of",
        ("password", Id) => "mengatur ulang kata sandi",
        ("password", En) => "reset the password of",
        ("activate", Id) => "mengaktifkan",
        ("activate", En) => "activated",
        ("deactivate", Id) => "menonaktifkan",
        ("deactivate", En) => "deactivated",
        (other, _) => other,
    };
    let kind = match (entity_kind, lang) {
        ("impor", Id) => "berkas",
        ("impor", En) => "a file",
        (k, Id) => k,
        ("kelompok", En) => "group",
        ("anggota", En) => "member",
        ("pengguna", En) => "person",
        ("pendataan", En) => "wave",
        ("kiriman", En) => "submission",
        ("ikatan", En) => "tie",
        ("wahana", En) => "network",
        ("lembaga", En) => "institution",
        (k, En) => k,
    };
    format!("{verb} {kind}")
}

#[cfg(test)]
mod describe_tests {
    use super::describe;
    use wahana_domain::Lang;

    #[test]
    fn changes_are_said_in_words() {
        assert_eq!(
            describe("create", "kelompok", Lang::Id),
            "menambah kelompok"
        );
        assert_eq!(describe("create", "kelompok", Lang::En), "created group");
        assert_eq!(describe("import", "impor", Lang::Id), "mengimpor berkas");
        assert_eq!(
            describe("password", "pengguna", Lang::Id),
            "mengatur ulang kata sandi pengguna"
        );
        assert_eq!(describe("merge", "kelompok", Lang::Id), "merge kelompok");
    }
}
