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
mod tests {
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
