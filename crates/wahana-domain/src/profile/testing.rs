//! Groups and profiles the tests of the profile's files share.

use super::{Profile, RegionRef, Tallies, WaveRef};
use crate::screening::RuleSet;
use crate::{Context, RegionTree};
use crate::{Date, Group, Level};
use std::collections::HashMap;

fn ctx() -> Context<'static> {
    Context {
        regions: RegionTree::official(),
        today: Date::new(2026, 11, 29).unwrap(),
        wave_date: None,
    }
}

pub(super) fn group(fields: &[(&str, &str)]) -> Group {
    let mut m: HashMap<&str, &str> = HashMap::from([
        ("kode_wilayah", "73.08.21.1001"),
        ("nama", "Kelompok"),
        ("jenis", "arisan"),
        ("asal", "tumbuh_masyarakat"),
        ("tahun_berdiri", "1990"),
        ("tanggal_pendataan", "2007-08-14"),
    ]);
    for (k, v) in fields {
        m.insert(k, v);
    }
    Group::from_fields(|k| m.get(k).copied(), || "K".into(), &ctx())
        .unwrap_or_else(|e| panic!("{fields:?}: {e:?}"))
}

pub(super) const WAVE: WaveRef<'static> = WaveRef {
    id: "uji-2007",
    name: "Uji 2007",
    date: None,
    synthetic: false,
    sample: false,
};
pub(super) const KECAMATAN: RegionRef<'static> = RegionRef {
    code: "73.08.21",
    name: "Tanete Riattang",
    level: Some(Level::District),
};

/// Screens, tallies and computes, as the store would in SQL.
pub(super) fn profile_of<'a>(
    tallies: &'a mut Tallies,
    groups: &[Group],
    region: RegionRef<'a>,
    wave: WaveRef<'a>,
    villages_in_region: u64,
) -> Profile<'a> {
    let rules = RuleSet::seed_2007();
    for g in groups {
        tallies.add(g, rules.outcome(g));
    }
    let tallies: &'a Tallies = tallies;
    let tree = RegionTree::official();
    Profile::compute(
        tallies.input(region, wave, "seed-2007", villages_in_region, |c| {
            tree.get(c).map_or("?", |r| r.name.as_str())
        }),
    )
}

/// The groups of the worked example: three villages of Tanete Riattang.
pub(super) fn worked_example() -> Vec<Group> {
    vec![
        // Biru: g1..g4
        group(&[
            ("anggota_perempuan", "20"),
            ("dasar_keanggotaan", "domisili"),
            ("tujuan", "kesejahteraan_anggota"),
            ("sumber_dana", "iuran_anggota"),
            ("sumber_dana_utama", "iuran_anggota"),
            ("nilai", "kebersamaan tolong_menolong"),
        ]),
        group(&[
            ("jenis", "pkk"),
            ("asal", "dibentuk_pemerintah"),
            ("tahun_berdiri", "2005"),
            ("anggota_perempuan", "30"),
            ("dasar_keanggotaan", "domisili jenis_kelamin"),
            ("tujuan", "ketahanan_sosial pendidikan"),
            ("sumber_dana", "bantuan_pemerintah iuran_anggota"),
            ("sumber_dana_utama", "bantuan_pemerintah"),
            ("nilai", "gotong_royong"),
        ]),
        group(&[
            ("jenis", "majelis_taklim"),
            ("tahun_berdiri", "1980"),
            ("anggota_perempuan", "40"),
            ("dasar_keanggotaan", "agama"),
            ("tujuan", "keagamaan kesejahteraan_anggota"),
            ("sumber_dana", "zakat_infaq"),
            ("nilai", "keagamaan gotong_royong"),
        ]),
        group(&[
            ("tahun_berdiri", "1997"),
            ("anggota_laki", "9"),
            ("tujuan", "kesejahteraan_anggota"),
            ("nilai", "kebersamaan"),
            ("status", "bubar"),
        ]),
        // Ta: g5, g6 (a party: does not qualify)
        group(&[
            ("kode_wilayah", "73.08.21.1002"),
            ("jenis", "karang_taruna"),
            ("asal", "dibentuk_pihak_luar"),
            ("tahun_berdiri", "2002"),
            ("anggota_laki", "15"),
            ("dasar_keanggotaan", "usia domisili"),
            ("tujuan", "integrasi_masyarakat"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "donatur"),
            ("nilai", "musyawarah"),
        ]),
        group(&[
            ("kode_wilayah", "73.08.21.1002"),
            ("jenis", "lainnya"),
            ("nama", "DPC Partai Contoh"),
            ("anggota_laki", "5"),
            ("tujuan", "keamanan"),
            ("nilai", "musyawarah"),
        ]),
        // Bukaka: g7, incomplete (no value recorded)
        group(&[
            ("kode_wilayah", "73.08.21.1004"),
            ("anggota_laki", "12"),
            ("tujuan", "kesejahteraan_anggota"),
        ]),
    ]
}
