//! The store's refusals in words. The store reports what it refused as data
//! ([`wahana_store::Refusal`], [`StoreError::NotFound`], [`StoreError::Conflict`]); every front
//! end shows them through here, in the person's language, so each sentence is written once.

use super::kind_en;
use wahana_domain::{Code, Lang};
use wahana_store::{ActorKind, Refusal, StoreError};

/// A kind of actor as a sentence names it: the Indonesian noun, the English noun and the
/// English noun with its article (`kelompok`, `group`, `a group`).
pub fn actor_nouns(kind: ActorKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        ActorKind::Group => ("kelompok", "group", "a group"),
        ActorKind::Network => ("wahana", "network", "a network"),
        ActorKind::Institution => ("lembaga", "institution", "an institution"),
    }
}

/// What the store refused, said in `lang`.
pub fn message(r: &Refusal, lang: Lang) -> String {
    match (r, lang) {
        (Refusal::WaveClosed { wave }, Lang::Id) => format!(
            "pendataan {wave} sudah ditutup: datanya tidak dapat diubah lagi (buka kembali dahulu)"
        ),
        (Refusal::WaveClosed { wave }, Lang::En) => {
            format!("wave {wave} is closed: it can no longer be changed (reopen it first)")
        }
        (Refusal::WaveExists { wave }, Lang::Id) => format!(
            "pendataan dengan id {wave} sudah ada; pilih id lain atau sunting pendataan itu"
        ),
        (Refusal::WaveExists { wave }, Lang::En) => {
            format!("a wave with id {wave} is already held; choose another id or edit that wave")
        }
        (Refusal::WaveNotEmpty { wave, contents: c }, Lang::Id) => format!(
            "pendataan {wave} masih memuat {} kelompok di {} desa/kelurahan, {} wahana, {} lembaga \
             dan {} ikatan: tidak dihapus. Menghapusnya menghapus semua data itu; lakukan hanya \
             bila memang dimaksud, dengan menegaskannya (paksa/force)",
            c.groups, c.villages, c.networks, c.institutions, c.ties
        ),
        (Refusal::WaveNotEmpty { wave, contents: c }, Lang::En) => format!(
            "wave {wave} still holds {} groups in {} villages, {} networks, {} institutions and {} \
             ties: not deleted. Deleting it deletes all of them; do so only on purpose, by \
             confirming it (force)",
            c.groups, c.villages, c.networks, c.institutions, c.ties
        ),
        (Refusal::IdTaken { id, holder }, Lang::Id) => format!(
            "id {id} sudah dipakai oleh {} lain; satu id menamai satu data",
            actor_nouns(*holder).0
        ),
        (Refusal::IdTaken { id, holder }, Lang::En) => format!(
            "id {id} is already used by {}; an id names one record",
            actor_nouns(*holder).2
        ),
        (Refusal::AlreadyObserved { kind, id, wave }, Lang::Id) => format!(
            "{} {id} sudah tercatat di pendataan {wave}; sunting catatan itu",
            actor_nouns(*kind).0
        ),
        (Refusal::AlreadyObserved { kind, id, wave }, Lang::En) => format!(
            "{} {id} is already recorded in wave {wave}; edit that record",
            actor_nouns(*kind).1
        ),
        (Refusal::ActorNotFound { id }, Lang::Id) => format!(
            "pelaku {id} tidak ditemukan (bukan kelompok, wahana atau lembaga yang tercatat)"
        ),
        (Refusal::ActorNotFound { id }, Lang::En) => {
            format!("actor {id} not found (not a recorded group, network or institution)")
        }
        (
            Refusal::TieExists {
                tie_type,
                from,
                to,
                tie,
            },
            Lang::Id,
        ) => format!(
            "ikatan {} antara {from} dan {to} sudah tercatat (ikatan {tie})",
            tie_type.code()
        ),
        (
            Refusal::TieExists {
                tie_type,
                from,
                to,
                tie,
            },
            Lang::En,
        ) => format!(
            "a {} tie between {from} and {to} is already held (tie {tie})",
            tie_type.code()
        ),
        (Refusal::NotObserved { group, wave }, Lang::Id) => {
            format!("kelompok {group} tidak tercatat di pendataan {wave}")
        }
        (Refusal::NotObserved { group, wave }, Lang::En) => {
            format!("group {group} is not recorded in wave {wave}")
        }
        (Refusal::ObservedNowhereElse { group, wave }, Lang::Id) => {
            format!("kelompok {group} tidak tercatat di pendataan lain selain {wave}")
        }
        (Refusal::ObservedNowhereElse { group, wave }, Lang::En) => {
            format!("group {group} is recorded in no wave other than {wave}")
        }
        (Refusal::ReviewDecided { review, status }, Lang::Id) => {
            format!("usulan {review} sudah diputuskan ({status})")
        }
        (Refusal::ReviewDecided { review, status }, Lang::En) => {
            format!("proposal {review} is decided already ({status})")
        }
        (Refusal::UserExists { name }, Lang::Id) => format!("pengguna {name} sudah ada"),
        (Refusal::UserExists { name }, Lang::En) => format!("user {name} already exists"),
        (Refusal::InvalidRules(e), lang) => e.message(lang),
        (Refusal::RulesVersionTaken { version }, Lang::Id) => format!(
            "aturan penyaringan versi {version} sudah tercatat dengan isi yang berbeda; hasil penyaringan disimpan menurut versi, jadi beri berkas ini `version` yang baru"
        ),
        (Refusal::RulesVersionTaken { version }, Lang::En) => format!(
            "rule set version {version} is already held with a different text; results are stored by version, so give this file a new `version`"
        ),
        (Refusal::SqliteInMemory, lang) => lang
            .pick(
                "basis data SQLite di memori tidak dapat ditulis per batch atau dibaca secara massal; pakai berkas",
                "an in-memory SQLite database cannot take batches of writes or bulk reads; use a file",
            )
            .to_string(),
    }
}

/// A store error said in `lang`: a refusal, a record not held or changed by someone else in
/// words; a failure of the database as it is (its text names no record).
pub fn store_message(e: &StoreError, lang: Lang) -> String {
    match (e, lang) {
        (StoreError::Refused(r), lang) => message(r, lang),
        (StoreError::NotFound { kind, id }, Lang::Id) => format!("{kind} {id} tidak ditemukan"),
        (StoreError::NotFound { kind, id }, Lang::En) => {
            format!("{} {id} not found", kind_en(kind))
        }
        (
            StoreError::Conflict {
                kind,
                id,
                expected,
                found,
            },
            Lang::Id,
        ) => format!(
            "{kind} {id} telah diubah orang lain (versi {found}, yang Anda sunting versi {expected}); muat ulang lalu ulangi perubahan"
        ),
        (
            StoreError::Conflict {
                kind,
                id,
                expected,
                found,
            },
            Lang::En,
        ) => format!(
            "{} {id} was changed by someone else (version {found}, expected {expected})",
            kind_en(kind)
        ),
        (e, _) => e.to_string(),
    }
}

/// Whether a store error is a refusal of what was asked (worded for people by
/// [`store_message`]) rather than a failure of the database.
pub fn is_refusal(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Refused(_) | StoreError::NotFound { .. } | StoreError::Conflict { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wahana_domain::codes::TieType;
    use wahana_domain::screening::RuleSet;
    use wahana_store::WaveContents;

    /// One example of every refusal, each with its data.
    fn every_refusal() -> Vec<Refusal> {
        vec![
            Refusal::WaveClosed { wave: "w1".into() },
            Refusal::WaveExists { wave: "w1".into() },
            Refusal::WaveNotEmpty {
                wave: "w1".into(),
                contents: WaveContents {
                    groups: 3,
                    villages: 2,
                    networks: 1,
                    institutions: 4,
                    ties: 5,
                },
            },
            Refusal::IdTaken {
                id: "K-1".into(),
                holder: ActorKind::Network,
            },
            Refusal::AlreadyObserved {
                kind: ActorKind::Institution,
                id: "L-1".into(),
                wave: "w1".into(),
            },
            Refusal::ActorNotFound { id: "K-9".into() },
            Refusal::TieExists {
                tie_type: TieType::Coordination,
                from: "K-1".into(),
                to: "L-1".into(),
                tie: 7,
            },
            Refusal::NotObserved {
                group: "K-1".into(),
                wave: "w1".into(),
            },
            Refusal::ObservedNowhereElse {
                group: "K-2".into(),
                wave: "w1".into(),
            },
            Refusal::ReviewDecided {
                review: 12,
                status: "accepted".into(),
            },
            Refusal::UserExists { name: "ani".into() },
            Refusal::InvalidRules(RuleSet::parse("version = 1").unwrap_err()),
            Refusal::RulesVersionTaken {
                version: "uji-ketat".into(),
            },
            Refusal::SqliteInMemory,
        ]
    }

    #[test]
    fn every_refusal_is_worded_in_both_languages() {
        for r in every_refusal() {
            let (id, en) = (message(&r, Lang::Id), message(&r, Lang::En));
            assert!(!id.is_empty() && !en.is_empty(), "{r:?}");
            assert_ne!(id, en, "{r:?}: the same words in both languages");
            // The words are the service's; the store's own text is only for logs.
            let log = StoreError::Refused(r.clone()).to_string();
            assert!(log.contains(r.code().as_str()), "{log}");
            assert_ne!(log, en, "{r:?}");
        }
    }

    #[test]
    fn the_sentences_name_what_was_refused() {
        let cases: [(Refusal, &str, &str); 6] = [
            (
                every_refusal()[2].clone(),
                "pendataan w1 masih memuat 3 kelompok di 2 desa/kelurahan, 1 wahana, 4 lembaga dan 5 ikatan: tidak dihapus.",
                "wave w1 still holds 3 groups in 2 villages, 1 networks, 4 institutions and 5 ties: not deleted.",
            ),
            (
                every_refusal()[3].clone(),
                "id K-1 sudah dipakai oleh wahana lain; satu id menamai satu data",
                "id K-1 is already used by a network; an id names one record",
            ),
            (
                every_refusal()[4].clone(),
                "lembaga L-1 sudah tercatat di pendataan w1; sunting catatan itu",
                "institution L-1 is already recorded in wave w1; edit that record",
            ),
            (
                every_refusal()[6].clone(),
                "ikatan koordinasi antara K-1 dan L-1 sudah tercatat (ikatan 7)",
                "a koordinasi tie between K-1 and L-1 is already held (tie 7)",
            ),
            (
                every_refusal()[9].clone(),
                "usulan 12 sudah diputuskan (accepted)",
                "proposal 12 is decided already (accepted)",
            ),
            (
                every_refusal()[12].clone(),
                "aturan penyaringan versi uji-ketat sudah tercatat dengan isi yang berbeda",
                "rule set version uji-ketat is already held with a different text",
            ),
        ];
        for (r, id, en) in cases {
            assert!(
                message(&r, Lang::Id).starts_with(id),
                "{}",
                message(&r, Lang::Id)
            );
            assert!(
                message(&r, Lang::En).starts_with(en),
                "{}",
                message(&r, Lang::En)
            );
        }
    }

    #[test]
    fn a_record_not_held_or_changed_is_named_by_its_kind_in_either_language() {
        let missing = StoreError::NotFound {
            kind: "lembaga",
            id: "L-1".into(),
        };
        assert_eq!(
            store_message(&missing, Lang::Id),
            "lembaga L-1 tidak ditemukan"
        );
        assert_eq!(
            store_message(&missing, Lang::En),
            "institution L-1 not found"
        );
        let stale = StoreError::Conflict {
            kind: "wahana",
            id: "W-1".into(),
            expected: 1,
            found: 2,
        };
        assert!(store_message(&stale, Lang::Id).starts_with("wahana W-1 telah diubah orang lain"));
        assert!(
            store_message(&stale, Lang::En)
                .starts_with("network W-1 was changed by someone else (version 2, expected 1)")
        );
        assert!(is_refusal(&stale) && is_refusal(&missing));
        assert!(!is_refusal(&StoreError::Writer("stopped".into())));
    }
}
