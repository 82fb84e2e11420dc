//! The things wahana holds (`domain.md`): groups, networks, institutions, ties, waves, local units.
//!
//! Each record type is built from the instrument's columns through one constructor
//! (`from_fields`), which checks every field and reports every problem at once; the CLI, the
//! importer and the web forms all come through it, so a value that passed once is never checked
//! again. `to_fields` gives the record back in the instrument's column order.

use crate::codes::*;
use crate::instrument::{self, Table};
use crate::region::{Level, RegionCode, RegionTree};
use crate::{Date, FieldError};
use serde::Serialize;

/// What validation needs from outside: the region tree, today's date (the domain never reads
/// the clock) and, when importing into a wave, that wave's date.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub regions: &'a RegionTree,
    pub today: Date,
    pub wave_date: Option<Date>,
}

/// Earliest founding year the instrument accepts.
pub const MIN_FOUNDED_YEAR: i32 = 1800;
/// Longest name or one-line text field, in characters.
const MAX_TEXT: usize = 500;
/// Longest note or address, in characters.
const MAX_NOTES: usize = 4000;

/// Reads named fields of one record and collects every problem.
struct Fields<'f, F: Fn(&str) -> Option<&'f str>> {
    get: F,
    errors: Vec<FieldError>,
}

impl<'f, F: Fn(&str) -> Option<&'f str>> Fields<'f, F> {
    fn raw(&self, field: &str) -> Option<&'f str> {
        (self.get)(field).map(str::trim).filter(|s| !s.is_empty())
    }

    fn text(&mut self, field: &str, required: bool) -> Option<String> {
        match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::required(field));
                }
                None
            }
            Some(s) if s.chars().count() > MAX_TEXT || s.chars().any(|c| c.is_control()) => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("teks satu baris, paling banyak {MAX_TEXT} huruf"),
                    format!("one line of text, at most {MAX_TEXT} characters"),
                ));
                None
            }
            Some(s) => Some(s.to_string()),
        }
    }

    /// Free text that may run over several lines (Alt+Enter in Excel): notes, addresses.
    fn notes(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        let bad = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        if s.chars().count() > MAX_NOTES || s.chars().any(bad) {
            self.errors.push(FieldError::new(
                field,
                s,
                format!("teks paling banyak {MAX_NOTES} huruf"),
                format!("text of at most {MAX_NOTES} characters"),
            ));
            return None;
        }
        Some(s.replace("\r\n", "\n"))
    }

    fn code<T: Code>(&mut self, field: &str, required: bool) -> Option<T> {
        let s = match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::new(
                        field,
                        "",
                        format!("salah satu dari: {} (wajib diisi)", T::expected()),
                        format!("one of: {} (required)", T::expected()),
                    ));
                }
                return None;
            }
            Some(s) => s,
        };
        match T::from_code(s) {
            Some(c) => Some(c),
            None => {
                self.errors.push(FieldError::unknown_code::<T>(field, s));
                None
            }
        }
    }

    /// A list of codes; `None` when it does not parse (the problem is reported), so that checks
    /// against the list can tell "empty" from "unreadable".
    fn codes<T: Code>(&mut self, field: &str) -> Option<CodeSet<T>> {
        let Some(s) = self.raw(field) else {
            return Some(CodeSet::EMPTY);
        };
        match CodeSet::<T>::parse(s) {
            Ok(set) => Some(set),
            Err(bad) => {
                self.errors
                    .push(FieldError::unknown_codes::<T>(field, s, &bad));
                None
            }
        }
    }

    /// A whole number in a range; Excel may write `12.0`.
    fn integer(&mut self, field: &str, min: i64, max: i64, required: bool) -> Option<i64> {
        let s = match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::new(
                        field,
                        "",
                        format!("bilangan bulat {min} sampai {max} (wajib diisi)"),
                        format!("a whole number from {min} to {max} (required)"),
                    ));
                }
                return None;
            }
            Some(s) => s,
        };
        let parsed = s.parse::<i64>().ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        });
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("bilangan bulat {min} sampai {max}"),
                    format!("a whole number from {min} to {max}"),
                ));
                None
            }
        }
    }

    fn decimal(&mut self, field: &str, min: f64, max: f64) -> Option<f64> {
        let s = self.raw(field)?;
        match s.replace(',', ".").parse::<f64>() {
            Ok(f) if f.is_finite() && (min..=max).contains(&f) => Some(f),
            _ => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("angka desimal antara {min} dan {max} (di dalam Indonesia)"),
                    format!("a decimal number between {min} and {max} (inside Indonesia)"),
                ));
                None
            }
        }
    }

    fn date(&mut self, field: &str, not_after: Option<Date>) -> Option<Date> {
        let s = self.raw(field)?;
        // Excel stores dates as serial numbers; a spreadsheet reader may hand us one.
        let parsed = Date::parse(s).or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| (1.0..2_958_466.0).contains(f))
                .and_then(Date::from_excel_serial)
        });
        match parsed {
            Some(d) if not_after.is_none_or(|t| d <= t) => Some(d),
            Some(d) => {
                let t = not_after.map(|t| t.to_string()).unwrap_or_default();
                self.errors.push(FieldError::new(
                    field,
                    d.to_string(),
                    format!("tanggal yang tidak melewati hari ini ({t})"),
                    format!("a date not after today ({t})"),
                ));
                None
            }
            None => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    "tanggal seperti 2007-08-14 atau 14/08/2007",
                    "a date like 2007-08-14 or 14/08/2007",
                ));
                None
            }
        }
    }

    fn id(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        match check_id(s) {
            Ok(id) => Some(id),
            Err(e) => {
                self.errors.push(FieldError {
                    field: field.into(),
                    ..e
                });
                None
            }
        }
    }

    fn phone(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        // Excel keeps a typed 081234567890 as the number 81234567890: give the 0 back.
        if s.starts_with('8')
            && (9..=13).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(format!("0{s}"));
        }
        if is_indonesian_phone(s) {
            Some(s.to_string())
        } else {
            self.errors.push(FieldError::new(
                field,
                s,
                "nomor telepon Indonesia seperti 0812-3456-7890 atau +62 812 3456 7890",
                "an Indonesian phone number like 0812-3456-7890 or +62 812 3456 7890",
            ));
            None
        }
    }

    fn region(&mut self, field: &str, ctx: &Context<'_>, village_only: bool) -> Option<RegionCode> {
        let Some(s) = self.raw(field) else {
            self.errors.push(FieldError::new(
                field,
                "",
                "kode desa/kelurahan, mis. 73.08.21.1003 (wajib diisi)",
                "a village code, e.g. 73.08.21.1003 (required)",
            ));
            return None;
        };
        match ctx.regions.resolve(s) {
            Ok(r) if village_only && r.code.level() != Level::Village => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!(
                        "kode desa/kelurahan (10 angka); {} adalah {}",
                        r.name,
                        r.code.level().label_id()
                    ),
                    format!(
                        "a village code (10 digits); {} is a {}",
                        r.name,
                        r.code.level().label_en()
                    ),
                ));
                None
            }
            Ok(r) => Some(r.code.clone()),
            Err(e) => {
                self.errors.push(FieldError {
                    field: field.into(),
                    ..e
                });
                None
            }
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// A value's text for a file cell, empty when absent.
fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Checks a stable identifier: 1 to 64 of letters, digits and `-_.:`.
pub fn check_id(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            "id",
            s,
            "1 sampai 64 huruf, angka atau - _ . :",
            "1 to 64 letters, digits or - _ . :",
        ))
    }
}

/// An Indonesian number: `08…` or `+62…`/`62…`, 9 to 15 digits, with spaces, dashes, dots or
/// parentheses between them.
pub fn is_indonesian_phone(s: &str) -> bool {
    let s = s.trim();
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'))
        || s.chars().skip(1).any(|c| c == '+')
    {
        return false;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("62") {
        format!("0{rest}")
    } else {
        digits
    };
    national.starts_with('0') && !national.starts_with("00") && (9..=15).contains(&national.len())
}

/// A grassroots group (*kelompok*, KPS), with every field of the instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// A WKSBM network (*wahana*): a named cooperation network at village, dusun or RW level.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// A tie (*ikatan*) between two actors: groups, institutions or networks, named by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tie {
    pub from: String,
    pub to: String,
    pub tie_type: TieType,
    pub since: Option<i32>,
    pub notes: Option<String>,
}

impl Tie {
    pub fn from_fields<'f>(
        get: impl Fn(&str) -> Option<&'f str>,
        ctx: &Context<'_>,
    ) -> Result<Tie, Vec<FieldError>> {
        let mut f = Fields {
            get,
            errors: Vec::new(),
        };
        let from = f.raw("dari").map(|_| ()).and_then(|_| f.id("dari"));
        if f.raw("dari").is_none() {
            f.errors.push(FieldError::required("dari"));
        }
        let to = f.raw("ke").map(|_| ()).and_then(|_| f.id("ke"));
        if f.raw("ke").is_none() {
            f.errors.push(FieldError::required("ke"));
        }
        let tie_type = f.code::<TieType>("jenis_ikatan", true);
        let since = f
            .integer(
                "sejak",
                i64::from(MIN_FOUNDED_YEAR),
                i64::from(ctx.today.year()),
                false,
            )
            .map(|y| y as i32);
        let notes = f.notes("catatan");
        if let (Some(a), Some(b)) = (&from, &to)
            && a == b
        {
            f.errors.push(FieldError::new(
                "ke",
                b.as_str(),
                "pelaku lain selain `dari` (ikatan ke diri sendiri tidak dicatat)",
                "an actor other than `dari` (a tie to itself is not recorded)",
            ));
        }
        let tie = (|| {
            Some(Tie {
                from: from?,
                to: to?,
                tie_type: tie_type?,
                since,
                notes,
            })
        })();
        f.finish(tie)
    }

    pub fn to_fields(&self) -> Vec<String> {
        vec![
            self.from.clone(),
            self.to.clone(),
            self.tie_type.code().to_string(),
            self.since.map(|y| y.to_string()).unwrap_or_default(),
            self.notes.clone().unwrap_or_default(),
        ]
    }
}

/// One identification survey (*pendataan*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wave {
    pub id: String,
    pub name: String,
    pub region: Option<RegionCode>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    /// Where the data came from (a study, a Dinas Sosial survey, a generator).
    pub source: Option<String>,
    /// Generated data, never to be shown as a measurement.
    pub synthetic: bool,
    pub enumerators: Option<String>,
    /// A closed wave is read-only: every write into it is refused.
    pub closed: bool,
    /// How the groups were found: every group of the area (census) or a sample.
    pub method: Option<WaveMethod>,
    /// Who ran the survey (an office, a study team).
    pub run_by: Option<String>,
}

/// How a wave found its groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveMethod {
    /// Every group of the area was sought (*sensus*).
    Census,
    /// A sample of villages or groups (*sampel*).
    Sample,
}

impl WaveMethod {
    pub fn code(self) -> &'static str {
        match self {
            WaveMethod::Census => "census",
            WaveMethod::Sample => "sample",
        }
    }
    /// Reads `census`/`sensus` or `sample`/`sampel` (any case).
    pub fn parse(s: &str) -> Option<WaveMethod> {
        match s.trim().to_lowercase().as_str() {
            "census" | "sensus" => Some(WaveMethod::Census),
            "sample" | "sampel" => Some(WaveMethod::Sample),
            _ => None,
        }
    }
    /// The name shown in Indonesian.
    pub fn label_id(self) -> &'static str {
        match self {
            WaveMethod::Census => "sensus",
            WaveMethod::Sample => "sampel",
        }
    }
}

impl Wave {
    /// The wave surveyed a sample, not every group of its area: shares computed from it carry
    /// confidence intervals. A wave that does not say is taken as a census.
    pub fn is_sample(&self) -> bool {
        self.method == Some(WaveMethod::Sample)
    }

    /// The date a wave's groups are dated by when they carry none: its end, else its start.
    pub fn date(&self) -> Option<Date> {
        self.end_date.or(self.start_date)
    }

    /// Makes a wave id from a name: lowercase letters and digits joined by `-`.
    pub fn slug(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-').to_string();
        out.chars().take(64).collect()
    }
}

/// A local unit under a village: dusun, RW or RT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalUnit {
    pub village: RegionCode,
    pub kind: LocalUnitKind,
    pub name: String,
}

/// The key two group names share when they are "the same name up to case, spacing and
/// punctuation" (duplicate detection).
/// The prefix of the ids drawn for a new record whose kind has `letter` (`Group::ID_LETTER`,
/// …) in `region` (its village, or an institution's region): `K-7308211001-`, `L-730821-`.
pub fn id_prefix(letter: char, region: &RegionCode) -> String {
    format!("{letter}-{}-", region.digits())
}

pub fn duplicate_key(village: &RegionCode, group_type: GroupType, name: &str) -> String {
    let mut key = String::with_capacity(village.as_str().len() + name.len() + 24);
    push_duplicate_key(&mut key, village, group_type, name);
    key
}

/// [`duplicate_key`] appended to `out` (an import makes one per row: no allocation here).
pub fn push_duplicate_key(
    out: &mut String,
    village: &RegionCode,
    group_type: GroupType,
    name: &str,
) {
    out.extend(village.as_str().chars().filter(|c| *c != '.'));
    out.push('|');
    out.push_str(group_type.code());
    out.push('|');
    for c in name.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn ctx() -> Context<'static> {
        Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        }
    }

    fn good() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("kode_wilayah", "7308211003"),
            ("nama", "Arisan Jeppe'e"),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1990"),
            ("tanggal_pendataan", "14/08/2007"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "iuran_anggota"),
            ("telepon", "0812-0000-0001"),
        ])
    }

    fn build(changes: &[(&'static str, &'static str)]) -> Result<Group, Vec<FieldError>> {
        let mut m = good();
        for (k, v) in changes {
            m.insert(k, v);
        }
        Group::from_fields(|k| m.get(k).copied(), || "K-1".into(), &ctx())
    }

    #[test]
    fn good_group() {
        let g = build(&[]).unwrap();
        assert_eq!(g.village.as_str(), "73.08.21.1003");
        assert_eq!(g.id, "K-1");
        assert_eq!(g.survey_date.to_string(), "2007-08-14");
        assert_eq!(g.status, GroupStatus::Active);
        assert_eq!(g.age_at_survey(), 17);
        assert_eq!(
            g.to_fields().len(),
            instrument::columns(Table::Groups).len()
        );
    }

    /// One line per bad input: the field that must be named and a fragment of what is expected.
    #[test]
    fn bad_groups_name_field_and_expectation() {
        let cases: &[(&[(&str, &str)], &str, &str)] = &[
            (
                &[("kode_wilayah", "73.08.21.1099")],
                "kode_wilayah",
                "nearest",
            ),
            (
                &[("kode_wilayah", "73.08.21")],
                "kode_wilayah",
                "village code",
            ),
            (&[("kode_wilayah", "abc")], "kode_wilayah", "region code"),
            (&[("jenis", "arsan")], "jenis", "one of: arisan"),
            (&[("asal", "")], "asal", "required"),
            (
                &[("tahun_berdiri", "2030")],
                "tahun_berdiri",
                "1800 to 2007",
            ),
            (
                &[("tahun_berdiri", "1700")],
                "tahun_berdiri",
                "1800 to 2007",
            ),
            (
                &[("tahun_berdiri", "sembilan")],
                "tahun_berdiri",
                "whole number",
            ),
            (
                &[("tanggal_pendataan", "2027-01-01")],
                "tanggal_pendataan",
                "not after today",
            ),
            (
                &[("tanggal_pendataan", "")],
                "tanggal_pendataan",
                "required unless",
            ),
            (
                &[("sumber_dana_utama", "perantau")],
                "sumber_dana_utama",
                "codes in sumber_dana",
            ),
            (
                &[("tujuan", "ketahanan_sosial arisan")],
                "tujuan",
                "unknown: arisan",
            ),
            (&[("telepon", "12345")], "telepon", "Indonesian phone"),
            (
                &[("lintang", "40"), ("bujur", "120")],
                "lintang",
                "inside Indonesia",
            ),
            (&[("nama", "  ")], "nama", "required"),
            (&[("id", "a b")], "id", "letters, digits"),
            (&[("anggota_laki", "-3")], "anggota_laki", "whole number"),
            (&[("catatan", "a\u{0}b")], "catatan", "at most 4000"),
        ];
        for (changes, field, fragment) in cases {
            let errs = build(changes).expect_err(&format!("{changes:?} should fail"));
            let e = errs
                .iter()
                .find(|e| e.field == *field)
                .unwrap_or_else(|| panic!("{changes:?}: no error on {field}: {errs:?}"));
            assert!(
                e.message(crate::Lang::En).contains(fragment),
                "{changes:?}: {:?} lacks {fragment:?}",
                e.message(crate::Lang::En)
            );
            assert!(!e.message(crate::Lang::Id).is_empty());
        }
    }

    /// A row whose coded fields carry labels (either language, any case or separator) builds
    /// the same group as the row with codes.
    #[test]
    fn labels_build_the_same_group_as_codes() {
        let coded = build(&[
            ("jenis", "rukun_kematian"),
            ("asal", "tumbuh_masyarakat"),
            ("tujuan", "ketahanan_sosial keagamaan"),
            ("kegiatan", "santunan_duka seni_olahraga"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "donatur"),
            ("nilai", "tolong_menolong gotong_royong"),
            ("status_hukum", "sk_desa"),
            ("frekuensi_pertemuan", "dua_mingguan"),
            ("status", "tidak_aktif"),
        ])
        .unwrap();
        let labelled = build(&[
            ("jenis", "Rukun kematian"),
            ("asal", "Tumbuh dari masyarakat"),
            ("tujuan", "Social resilience; Religious"),
            ("kegiatan", "Santunan duka, Seni dan olahraga"),
            ("sumber_dana", "iuran anggota, donatur"),
            ("sumber_dana_utama", "Donors"),
            ("nilai", "Tolong-menolong, gotong-royong"),
            ("status_hukum", "SK kepala desa/lurah"),
            ("frekuensi_pertemuan", "dua mingguan"),
            ("status", "TIDAK AKTIF"),
        ])
        .unwrap();
        assert_eq!(labelled, coded);
    }

    /// A misspelt value's error suggests the code, in both languages.
    #[test]
    fn unknown_codes_suggest_the_nearest() {
        let cases: &[(&str, &str, &str)] = &[
            ("jenis", "rukun kematin", "rukun_kematian"),
            ("asal", "tumbuh dari masyarakt", "tumbuh_masyarakat"),
            ("sumber_dana", "iuran anggotaa, donatur", "iuran_anggota"),
            ("kegiatan", "arisan simpan pinjem", "simpan_pinjam"),
        ];
        for (field, value, code) in cases {
            let errs = build(&[(field, value)]).unwrap_err();
            let e = errs.iter().find(|e| e.field == *field).unwrap();
            assert!(
                e.message(crate::Lang::En)
                    .contains(&format!("did you mean `{code}`?")),
                "{}",
                e.message(crate::Lang::En)
            );
            assert!(
                e.message(crate::Lang::Id)
                    .contains(&format!("maksud Anda `{code}`?")),
                "{}",
                e.message(crate::Lang::Id)
            );
        }
        let errs = build(&[("jenis", "bank sampah")]).unwrap_err();
        assert!(!errs[0].message(crate::Lang::En).contains("did you mean"));
    }

    /// An unreadable funding list is one problem: its main source is not also reported as
    /// missing from it. A main source outside a readable list still is.
    #[test]
    fn bad_funding_list_is_reported_once() {
        let errs = build(&[("sumber_dana", "iuran anggotaa, xyz")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sumber_dana"]);
        let errs = build(&[("sumber_dana", "donatur")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sumber_dana_utama"]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = build(&[("jenis", "x"), ("asal", "y"), ("tahun_berdiri", "z")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["jenis", "asal", "tahun_berdiri"]);
    }

    #[test]
    fn wave_date_stands_in_for_survey_date() {
        let mut m = good();
        m.remove("tanggal_pendataan");
        let c = Context {
            wave_date: Date::new(2007, 9, 1),
            ..ctx()
        };
        let g = Group::from_fields(|k| m.get(k).copied(), || "K".into(), &c).unwrap();
        assert_eq!(g.survey_date.to_string(), "2007-09-01");
    }

    #[test]
    fn multi_line_notes_and_phones_that_lost_their_zero() {
        let g = build(&[
            ("catatan", "baris satu\r\nbaris dua"),
            ("telepon", "81200000001"),
        ])
        .unwrap();
        assert_eq!(g.notes.as_deref(), Some("baris satu\nbaris dua"));
        assert_eq!(g.phone.as_deref(), Some("081200000001"));
        assert!(
            build(&[("nama", "dua\nbaris")]).is_err(),
            "names stay on one line"
        );
    }

    #[test]
    fn phones() {
        for (s, ok) in [
            ("0812-0000-0001", true),
            ("+62 812 3456 7890", true),
            ("6281234567890", true),
            ("(0481) 21234", true),
            ("12345", false),
            ("0812x", false),
            ("0081234567", false),
            ("08-1", false),
        ] {
            assert_eq!(is_indonesian_phone(s), ok, "{s}");
        }
    }

    #[test]
    fn duplicate_keys_ignore_case_space_punctuation() {
        let v = RegionCode::parse("73.08.21.1002").unwrap();
        assert_eq!(
            duplicate_key(&v, GroupType::Arisan, "Arisan Ta'"),
            duplicate_key(&v, GroupType::Arisan, " arisan  TA ")
        );
        assert_ne!(
            duplicate_key(&v, GroupType::Arisan, "Arisan Ta"),
            duplicate_key(&v, GroupType::Pkk, "Arisan Ta")
        );
    }

    #[test]
    fn duplicate_keys_are_the_lowercased_alphanumerics() {
        let v = RegionCode::parse("73.08.21.1002").unwrap();
        for (name, key) in [
            ("Arisan Ta'", "7308211002|arisan|arisanta"),
            ("  ARISAN-ta 2 ", "7308211002|arisan|arisanta2"),
            (
                "Majelis Ta\u{2019}lim Al-Ikhlas",
                "7308211002|arisan|majelistalimalikhlas",
            ),
            (
                "\u{130}stanbul \u{C9}cole \u{3A3}\u{3A3}",
                "7308211002|arisan|i\u{307}stanbul\u{e9}cole\u{3c3}\u{3c3}",
            ),
            ("!!!", "7308211002|arisan|"),
        ] {
            assert_eq!(duplicate_key(&v, GroupType::Arisan, name), key, "{name}");
            let old: String = name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(key, format!("{}|arisan|{old}", v.digits()), "{name}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Wave::slug("Pendataan 2007 (sintetis)"),
            "pendataan-2007-sintetis"
        );
    }
}
