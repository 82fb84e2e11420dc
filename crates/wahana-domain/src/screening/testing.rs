//! Groups the tests of the screening's files share.

use crate::registry::Group;
use crate::{Context, Date, RegionTree};
use std::collections::HashMap;

fn ctx() -> Context<'static> {
    Context {
        regions: RegionTree::official(),
        today: Date::new(2026, 11, 29).unwrap(),
        wave_date: None,
    }
}

/// A group that qualifies under seed-2007.
fn base() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("kode_wilayah", "7308211003"),
        ("nama", "Arisan Jeppe'e"),
        ("jenis", "arisan"),
        ("asal", "tumbuh_masyarakat"),
        ("tahun_berdiri", "1990"),
        ("tanggal_pendataan", "14/08/2007"),
        ("anggota_perempuan", "25"),
        ("nilai", "kebersamaan"),
        ("tujuan", "kesejahteraan_anggota"),
        ("sumber_dana", "iuran_anggota"),
    ])
}

/// The base group with some columns changed; `""` empties a column.
pub(super) fn group(changes: &[(&'static str, &'static str)]) -> Group {
    let mut m = base();
    for (k, v) in changes {
        m.insert(k, v);
    }
    Group::from_fields(|k| m.get(k).copied(), || "K-1".into(), &ctx())
        .unwrap_or_else(|e| panic!("{changes:?}: {e:?}"))
}
