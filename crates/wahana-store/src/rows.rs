//! Rows as the database holds them, and their conversion to and from the domain's types.

use crate::{StoreError, Stored};
use wahana_domain::codes::*;
use wahana_domain::{Date, Group, Institution, Network, RegionCode, Wave};

fn code<T: Code>(what: &str, s: &str) -> Result<T, StoreError> {
    T::from_code(s).ok_or_else(|| StoreError::corrupt(what, s))
}

fn opt_code<T: Code>(what: &str, s: Option<String>) -> Result<Option<T>, StoreError> {
    s.map(|s| code(what, &s)).transpose()
}

fn region(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|_| StoreError::corrupt("region code", s))
}

fn date(s: &str) -> Result<Date, StoreError> {
    Date::parse(s).ok_or_else(|| StoreError::corrupt("date", s))
}

fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|s| date(&s)).transpose()
}

/// A code set as held: a bitmask of the codes of `T`, each bit naming one.
fn bits<T: Code>(what: &str, n: i64) -> Result<CodeSet<T>, StoreError> {
    let set = u32::try_from(n).ok().map(CodeSet::<T>::from_bits);
    match set {
        Some(set) if i64::from(set.bits()) == n => Ok(set),
        _ => Err(StoreError::corrupt(what, n.to_string())),
    }
}

/// A count (members): never negative, within `u32`.
fn small(what: &str, n: Option<i64>) -> Result<Option<u32>, StoreError> {
    n.map(|n| u32::try_from(n).map_err(|_| StoreError::corrupt(what, n.to_string())))
        .transpose()
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    pub id: String,
    pub wave_id: String,
    pub village_code: String,
    pub local_unit: Option<String>,
    pub name: String,
    pub group_type: String,
    pub origin: String,
    pub founded_year: i64,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub membership_basis: i64,
    pub purposes: i64,
    pub activities: i64,
    pub funding: i64,
    pub main_funding: Option<String>,
    pub dues_rupiah: Option<i64>,
    pub dues_period: Option<String>,
    pub social_values: i64,
    pub meeting_frequency: Option<String>,
    pub legal_status: Option<String>,
    pub status: String,
    pub network: Option<String>,
    pub chair: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub survey_date: String,
    pub enumerator: Option<String>,
    pub notes: Option<String>,
    pub provenance: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl GroupRow {
    pub fn into_stored(self) -> Result<crate::StoredGroup, StoreError> {
        let group = Group {
            id: self.id,
            village: region(&self.village_code)?,
            local_unit: self.local_unit,
            name: self.name,
            group_type: code("group type", &self.group_type)?,
            origin: code("origin", &self.origin)?,
            founded_year: i32::try_from(self.founded_year)
                .map_err(|_| StoreError::corrupt("year", self.founded_year.to_string()))?,
            members_male: small("members_male", self.members_male)?,
            members_female: small("members_female", self.members_female)?,
            membership_basis: bits("membership_basis", self.membership_basis)?,
            purposes: bits("purposes", self.purposes)?,
            activities: bits("activities", self.activities)?,
            funding: bits("funding", self.funding)?,
            main_funding: opt_code("main funding", self.main_funding)?,
            dues_rupiah: self.dues_rupiah,
            dues_period: opt_code("dues period", self.dues_period)?,
            values: bits("social_values", self.social_values)?,
            meeting_frequency: opt_code("meeting frequency", self.meeting_frequency)?,
            legal_status: opt_code("legal status", self.legal_status)?,
            status: code("status", &self.status)?,
            network: self.network,
            chair: self.chair,
            phone: self.phone,
            latitude: self.latitude,
            longitude: self.longitude,
            survey_date: date(&self.survey_date)?,
            enumerator: self.enumerator,
            notes: self.notes,
        };
        Ok(crate::StoredGroup {
            group,
            wave_id: self.wave_id,
            version: self.version,
            provenance: self.provenance,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A network as held (`crate::ActorRecord::Row`).
#[derive(sqlx::FromRow)]
pub struct NetworkRow {
    pub id: String,
    pub wave_id: String,
    pub village_code: String,
    pub local_unit: Option<String>,
    pub level: String,
    pub name: String,
    pub founded_year: Option<i64>,
    pub chair: Option<String>,
    pub secretary: Option<String>,
    pub treasurer: Option<String>,
    pub phone: Option<String>,
    pub decree_number: Option<String>,
    pub decree_date: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl NetworkRow {
    pub fn into_stored(self) -> Result<Stored<Network>, StoreError> {
        Ok(Stored {
            record: Network {
                id: self.id,
                village: region(&self.village_code)?,
                local_unit: self.local_unit,
                level: code("network level", &self.level)?,
                name: self.name,
                founded_year: self.founded_year.and_then(|y| i32::try_from(y).ok()),
                chair: self.chair,
                secretary: self.secretary,
                treasurer: self.treasurer,
                phone: self.phone,
                decree_number: self.decree_number,
                decree_date: opt_date(self.decree_date)?,
                notes: self.notes,
            },
            wave_id: self.wave_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// An institution as held (`crate::ActorRecord::Row`).
#[derive(sqlx::FromRow)]
pub struct InstitutionRow {
    pub id: String,
    pub wave_id: String,
    pub region_code: String,
    pub kind: String,
    pub name: String,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl InstitutionRow {
    pub fn into_stored(self) -> Result<Stored<Institution>, StoreError> {
        Ok(Stored {
            record: Institution {
                id: self.id,
                region: region(&self.region_code)?,
                kind: code("institution kind", &self.kind)?,
                name: self.name,
                address: self.address,
                contact: self.contact,
                phone: self.phone,
                latitude: self.latitude,
                longitude: self.longitude,
                notes: self.notes,
            },
            wave_id: self.wave_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct WaveRow {
    pub id: String,
    pub name: String,
    pub region_code: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub source: Option<String>,
    pub synthetic: bool,
    pub enumerators: Option<String>,
    pub status: String,
    pub method: Option<String>,
    pub run_by: Option<String>,
}

pub(crate) const WAVE_SELECT: &str = "SELECT id, name, region_code, start_date, end_date, source, \
    synthetic, enumerators, status, method, run_by FROM waves";

impl WaveRow {
    pub fn into_domain(self) -> Result<Wave, StoreError> {
        Ok(Wave {
            id: self.id,
            name: self.name,
            region: self.region_code.as_deref().map(region).transpose()?,
            start_date: opt_date(self.start_date)?,
            end_date: opt_date(self.end_date)?,
            source: self.source,
            synthetic: self.synthetic,
            enumerators: self.enumerators,
            closed: match self.status.as_str() {
                "open" => false,
                "closed" => true,
                other => return Err(StoreError::corrupt("wave status", other)),
            },
            method: match self.method.as_deref() {
                None => None,
                Some(m) => Some(
                    wahana_domain::WaveMethod::parse(m)
                        .ok_or_else(|| StoreError::corrupt("wave method", m))?,
                ),
            },
            run_by: self.run_by,
        })
    }
}
