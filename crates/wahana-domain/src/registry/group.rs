//! A grassroots group (*kelompok*) and its instrument fields.

use super::fields::{Context, Fields, MIN_FOUNDED_YEAR, opt};
use crate::codes::*;
use crate::instrument::{self, Table};
use crate::region::RegionCode;
use crate::{Date, FieldError};
use serde::{Deserialize, Serialize};

/// A grassroots group (*kelompok*, KPS), with every field of the instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub village: RegionCode,
    pub local_unit: Option<String>,
    pub name: String,
    pub group_type: GroupType,
    pub origin: Origin,
    pub founded_year: i32,
    pub members_male: Option<u32>,
    pub members_female: Option<u32>,
    pub membership_basis: CodeSet<MembershipBasis>,
    pub purposes: CodeSet<Purpose>,
    pub activities: CodeSet<Activity>,
    pub funding: CodeSet<Funding>,
    pub main_funding: Option<Funding>,
    pub dues_rupiah: Option<i64>,
    pub dues_period: Option<DuesPeriod>,
    pub values: CodeSet<Value>,
    pub meeting_frequency: Option<MeetingFrequency>,
    pub legal_status: Option<LegalStatus>,
    pub status: GroupStatus,
    pub network: Option<String>,
    /// Personal data.
    pub chair: Option<String>,
    /// Personal data.
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub survey_date: Date,
    pub enumerator: Option<String>,
    pub notes: Option<String>,
}

impl Group {
    /// The letter of the ids drawn for new groups (*kelompok*): `K-<village digits>-NNNN`.
    pub const ID_LETTER: char = 'K';

    /// Builds a group from instrument columns (Indonesian names), checking every field. `get`
    /// returns a column's raw text. A group without an `id` gets `assigned_id`.
    pub fn from_fields<'f>(
        get: impl Fn(&str) -> Option<&'f str>,
        assigned_id: impl FnOnce() -> String,
        ctx: &Context<'_>,
    ) -> Result<Group, Vec<FieldError>> {
        let mut f = Fields {
            get,
            errors: Vec::new(),
        };
        let id = f.id("id");
        let village = f.region("kode_wilayah", ctx, true);
        let local_unit = f.text("unit_lokal", false);
        let name = f.text("nama", true);
        let group_type = f.code::<GroupType>("jenis", true);
        let origin = f.code::<Origin>("asal", true);
        let survey_date = match f.date("tanggal_pendataan", Some(ctx.today)) {
            Some(d) => Some(d),
            None if f.raw("tanggal_pendataan").is_none() => {
                if ctx.wave_date.is_none() {
                    f.errors.push(FieldError::new(
                        "tanggal_pendataan",
                        "",
                        "tanggal pendataan (wajib bila impor tidak menyebut gelombang bertanggal)",
                        "the survey date (required unless the import names a wave with a date)",
                    ));
                }
                ctx.wave_date
            }
            None => None,
        };
        let max_year = survey_date.unwrap_or(ctx.today).year();
        let founded_year = f
            .integer(
                "tahun_berdiri",
                i64::from(MIN_FOUNDED_YEAR),
                i64::from(max_year),
                true,
            )
            .map(|y| y as i32);
        let members_male = f
            .integer("anggota_laki", 0, 1_000_000, false)
            .map(|n| n as u32);
        let members_female = f
            .integer("anggota_perempuan", 0, 1_000_000, false)
            .map(|n| n as u32);
        let membership_basis = f.codes::<MembershipBasis>("dasar_keanggotaan");
        let purposes = f.codes::<Purpose>("tujuan");
        let activities = f.codes::<Activity>("kegiatan");
        let funding = f.codes::<Funding>("sumber_dana");
        let main_funding = f.code::<Funding>("sumber_dana_utama", false);
        // An unreadable sumber_dana is reported once, not again as the main source missing
        // from it.
        if let (Some(m), Some(funding)) = (main_funding, funding)
            && !funding.contains(m)
        {
            f.errors.push(FieldError::new(
                "sumber_dana_utama",
                m.code(),
                format!(
                    "salah satu kode di sumber_dana ({})",
                    if funding.is_empty() {
                        "kosong".to_string()
                    } else {
                        funding.to_codes()
                    }
                ),
                format!(
                    "one of the codes in sumber_dana ({})",
                    if funding.is_empty() {
                        "empty".to_string()
                    } else {
                        funding.to_codes()
                    }
                ),
            ));
        }
        let dues_rupiah = f.integer("iuran_rupiah", 0, 1_000_000_000_000, false);
        let dues_period = f.code::<DuesPeriod>("iuran_periode", false);
        let values = f.codes::<Value>("nilai");
        let meeting_frequency = f.code::<MeetingFrequency>("frekuensi_pertemuan", false);
        let legal_status = f.code::<LegalStatus>("status_hukum", false);
        let status = f
            .code::<GroupStatus>("status", false)
            .unwrap_or(GroupStatus::Active);
        let network = f.text("wahana", false);
        let chair = f.text("ketua", false);
        let phone = f.phone("telepon");
        let latitude = f.decimal("lintang", -11.5, 6.5);
        let longitude = f.decimal("bujur", 94.5, 141.5);
        // One of the pair given and the other left empty (a bad value is reported on its own).
        match (f.raw("lintang"), f.raw("bujur")) {
            (Some(_), None) | (None, Some(_)) => {
                let field = if f.raw("lintang").is_none() {
                    "lintang"
                } else {
                    "bujur"
                };
                f.errors.push(FieldError::new(
                    field,
                    "",
                    "lintang dan bujur diisi berdua",
                    "latitude and longitude given together",
                ));
            }
            _ => {}
        }
        let enumerator = f.text("pendata", false);
        let notes = f.notes("catatan");

        let group = (|| {
            Some(Group {
                id: id.unwrap_or_else(assigned_id),
                village: village?,
                local_unit,
                name: name?,
                group_type: group_type?,
                origin: origin?,
                founded_year: founded_year?,
                members_male,
                members_female,
                membership_basis: membership_basis?,
                purposes: purposes?,
                activities: activities?,
                funding: funding?,
                main_funding,
                dues_rupiah,
                dues_period,
                values: values?,
                meeting_frequency,
                legal_status,
                status,
                network,
                chair,
                phone,
                latitude,
                longitude,
                survey_date: survey_date?,
                enumerator,
                notes,
            })
        })();
        f.finish(group)
    }

    /// The group in the instrument's column order ([`instrument::columns`] of [`Table::Groups`]),
    /// as the text a file holds.
    pub fn to_fields(&self) -> Vec<String> {
        fn code<T: Code>(v: Option<T>) -> String {
            v.map(|c| c.code().to_string()).unwrap_or_default()
        }
        let row = vec![
            self.id.clone(),
            self.village.to_string(),
            opt(&self.local_unit),
            self.name.clone(),
            self.group_type.code().to_string(),
            self.origin.code().to_string(),
            self.founded_year.to_string(),
            opt(&self.members_male),
            opt(&self.members_female),
            self.membership_basis.to_codes(),
            self.purposes.to_codes(),
            self.activities.to_codes(),
            self.funding.to_codes(),
            code(self.main_funding),
            opt(&self.dues_rupiah),
            code(self.dues_period),
            self.values.to_codes(),
            code(self.meeting_frequency),
            code(self.legal_status),
            self.status.code().to_string(),
            opt(&self.network),
            opt(&self.chair),
            opt(&self.phone),
            opt(&self.latitude),
            opt(&self.longitude),
            self.survey_date.to_string(),
            opt(&self.enumerator),
            opt(&self.notes),
        ];
        debug_assert_eq!(row.len(), instrument::columns(Table::Groups).len());
        row
    }

    /// Members recorded, if either count was given.
    pub fn members_total(&self) -> Option<u32> {
        match (self.members_male, self.members_female) {
            (None, None) => None,
            (m, f) => Some(m.unwrap_or(0) + f.unwrap_or(0)),
        }
    }

    /// Age in whole years at its own survey date (founding taken as 1 January).
    pub fn age_at_survey(&self) -> i32 {
        self.survey_date.year() - self.founded_year
    }

    /// The personal fields blanked, for readers not allowed to see them.
    pub fn without_personal_data(mut self) -> Group {
        self.chair = None;
        self.phone = None;
        self
    }
}
