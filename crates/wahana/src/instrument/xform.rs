//! The XForm served to ODK Collect (being written; replaced by the full writer).

use super::xlsform::{PreviousGroup, XlsFormError};
use wahana_domain::region::{RegionCode, RegionTree};

/// A form as served: its id, version, title, XML and media files.
pub struct XForm {
    pub form_id: String,
    pub version: String,
    pub title: String,
    pub xml: String,
    pub media: Vec<MediaFile>,
}

/// A media file of a form (a CSV list).
pub struct MediaFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub fn xform(
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
) -> Result<XForm, XlsFormError> {
    let _ = (tree, today_year);
    Err(XlsFormError::UnknownRegion(region.to_string()))
}

pub fn resurvey_xform(
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
    previous: &[PreviousGroup],
) -> Result<XForm, XlsFormError> {
    let _ = (tree, today_year, previous);
    Err(XlsFormError::UnknownRegion(region.to_string()))
}
