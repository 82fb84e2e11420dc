//! The actors beside groups: networks (*wahana*) and supporting institutions (*lembaga*).

use super::fields::{Context, Fields, MIN_FOUNDED_YEAR, opt};
use crate::codes::*;
use crate::region::RegionCode;
use crate::{Date, FieldError};
use serde::{Deserialize, Serialize};

/// A WKSBM network (*wahana*): a named cooperation network at village, dusun or RW level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub village: RegionCode,
    pub local_unit: Option<String>,
    pub level: NetworkLevel,
    pub name: String,
    pub founded_year: Option<i32>,
    /// Personal data: the board.
    pub chair: Option<String>,
    pub secretary: Option<String>,
    pub treasurer: Option<String>,
    pub phone: Option<String>,
    /// Decree (SK lurah/kepala desa): number and date.
    pub decree_number: Option<String>,
    pub decree_date: Option<Date>,
    pub notes: Option<String>,
}

impl Network {
    /// The letter of the ids drawn for new networks (*wahana*): `W-<village digits>-NNNN`.
    pub const ID_LETTER: char = 'W';

    pub fn from_fields<'f>(
        get: impl Fn(&str) -> Option<&'f str>,
        assigned_id: impl FnOnce() -> String,
        ctx: &Context<'_>,
    ) -> Result<Network, Vec<FieldError>> {
        let mut f = Fields {
            get,
            errors: Vec::new(),
        };
        let id = f.id("id");
        let village = f.region("kode_wilayah", ctx, true);
        let local_unit = f.text("unit_lokal", false);
        let level = f
            .code::<NetworkLevel>("tingkat", false)
            .unwrap_or(NetworkLevel::Village);
        let name = f.text("nama", true);
        let founded_year = f
            .integer(
                "tahun_berdiri",
                i64::from(MIN_FOUNDED_YEAR),
                i64::from(ctx.today.year()),
                false,
            )
            .map(|y| y as i32);
        let chair = f.text("ketua", false);
        let secretary = f.text("sekretaris", false);
        let treasurer = f.text("bendahara", false);
        let phone = f.phone("telepon");
        let decree_number = f.text("nomor_sk", false);
        let decree_date = f.date("tanggal_sk", Some(ctx.today));
        let notes = f.notes("catatan");
        let network = (|| {
            Some(Network {
                id: id.unwrap_or_else(assigned_id),
                village: village?,
                local_unit,
                level,
                name: name?,
                founded_year,
                chair,
                secretary,
                treasurer,
                phone,
                decree_number,
                decree_date,
                notes,
            })
        })();
        f.finish(network)
    }

    pub fn to_fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.village.to_string(),
            opt(&self.local_unit),
            self.level.code().to_string(),
            self.name.clone(),
            opt(&self.founded_year),
            opt(&self.chair),
            opt(&self.secretary),
            opt(&self.treasurer),
            opt(&self.phone),
            opt(&self.decree_number),
            opt(&self.decree_date),
            opt(&self.notes),
        ]
    }

    pub fn without_personal_data(mut self) -> Network {
        self.chair = None;
        self.secretary = None;
        self.treasurer = None;
        self.phone = None;
        self
    }
}

/// A supporting institution (*lembaga pendukung*): not a group, but a body that supports them.
/// It sits in a region of any level (a puskesmas in a kecamatan, Dinas Sosial in a kabupaten).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    pub id: String,
    pub region: RegionCode,
    pub kind: InstitutionKind,
    pub name: String,
    pub address: Option<String>,
    /// Personal data: a contact person and number.
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
}

impl Institution {
    /// The letter of the ids drawn for new institutions (*lembaga*): `L-<region digits>-NNNN`.
    pub const ID_LETTER: char = 'L';

    pub fn from_fields<'f>(
        get: impl Fn(&str) -> Option<&'f str>,
        assigned_id: impl FnOnce() -> String,
        ctx: &Context<'_>,
    ) -> Result<Institution, Vec<FieldError>> {
        let mut f = Fields {
            get,
            errors: Vec::new(),
        };
        let id = f.id("id");
        let region = f.region("kode_wilayah", ctx, false);
        let kind = f.code::<InstitutionKind>("jenis_lembaga", true);
        let name = f.text("nama", true);
        let address = f.notes("alamat");
        let contact = f.text("kontak", false);
        let phone = f.phone("telepon");
        let latitude = f.decimal("lintang", -11.5, 6.5);
        let longitude = f.decimal("bujur", 94.5, 141.5);
        let notes = f.notes("catatan");
        let inst = (|| {
            Some(Institution {
                id: id.unwrap_or_else(assigned_id),
                region: region?,
                kind: kind?,
                name: name?,
                address,
                contact,
                phone,
                latitude,
                longitude,
                notes,
            })
        })();
        f.finish(inst)
    }

    pub fn to_fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.region.to_string(),
            self.kind.code().to_string(),
            self.name.clone(),
            opt(&self.address),
            opt(&self.contact),
            opt(&self.phone),
            opt(&self.latitude),
            opt(&self.longitude),
            opt(&self.notes),
        ]
    }

    pub fn without_personal_data(mut self) -> Institution {
        self.contact = None;
        self.phone = None;
        self
    }
}
