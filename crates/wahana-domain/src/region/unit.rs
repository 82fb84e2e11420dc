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
}
