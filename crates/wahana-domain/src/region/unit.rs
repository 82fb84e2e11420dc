//! One administrative unit of the tree, as read from the official CSV files.

use super::code::{Level, RegionCode, RegionKind};
use serde::Serialize;

/// One administrative unit.
#[derive(Clone, Debug, Serialize)]
pub struct Region {
    pub code: RegionCode,
    /// Official name; kabupaten/kota keep their "Kabupaten " / "Kota " prefix.
    pub name: String,
    pub kind: RegionKind,
    /// Centroid of the BIG polygon (WGS84), where the source has one.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl Region {
    pub fn level(&self) -> Level {
        self.code.level()
    }

    /// The unit's kind and name, as a title says it: `Kecamatan Tanete Riattang`, and
    /// `Kabupaten Bone` (never `Kabupaten Kabupaten Bone`: kabupaten and kota keep their kind
    /// in their official name). In English the kind is translated unless the name holds it.
    pub fn titled(&self, lang: crate::Lang) -> String {
        let holds = |label: &str| {
            self.name
                .get(..label.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(label))
                && self.name[label.len()..].starts_with(' ')
        };
        if holds(self.kind.label_id()) || holds(self.kind.label(lang)) {
            self.name.clone()
        } else {
            format!("{} {}", self.kind.label(lang), self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Lang, RegionCode, RegionTree};

    #[test]
    fn a_title_says_the_kind_once() {
        let t = RegionTree::official();
        let get = |c: &str| t.get(&RegionCode::parse(c).unwrap()).unwrap();
        assert_eq!(get("73.08").titled(Lang::Id), "Kabupaten Bone");
        assert_eq!(get("73.08").titled(Lang::En), "Kabupaten Bone");
        assert_eq!(get("73.71").titled(Lang::Id), "Kota Makassar");
        assert_eq!(
            get("73.08.21").titled(Lang::Id),
            "Kecamatan Tanete Riattang"
        );
        assert_eq!(get("73.08.21").titled(Lang::En), "District Tanete Riattang");
        assert_eq!(get("73.08.21.1002").titled(Lang::Id), "Kelurahan Ta");
        assert_eq!(get("73").titled(Lang::Id), "Provinsi Sulawesi Selatan");
        assert_eq!(get("12.04.28").titled(Lang::Id), "Kecamatan Ma'u");
    }
}
