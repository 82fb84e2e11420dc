//! The exchange format's tables and columns (`instrument.md`, version 1).
//!
//! Each column has its Indonesian name (written on export, used as the field name everywhere in
//! the program) and an English alias; both are accepted on import.

use serde::Serialize;

/// One table of the instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Groups,
    Ties,
    Institutions,
    Networks,
}

impl Table {
    pub const ALL: [Table; 4] = [
        Table::Groups,
        Table::Ties,
        Table::Institutions,
        Table::Networks,
    ];

    /// The Indonesian table name, as in files and `--table`.
    pub fn code(self) -> &'static str {
        match self {
            Table::Groups => "kelompok",
            Table::Ties => "ikatan",
            Table::Institutions => "lembaga",
            Table::Networks => "wahana",
        }
    }

    pub fn code_en(self) -> &'static str {
        match self {
            Table::Groups => "groups",
            Table::Ties => "ties",
            Table::Institutions => "institutions",
            Table::Networks => "networks",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        let s = s.trim().to_ascii_lowercase();
        Table::ALL
            .into_iter()
            .find(|t| t.code() == s || t.code_en() == s)
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Indonesian name: the canonical field name.
    pub id: &'static str,
    /// English alias.
    pub en: &'static str,
    /// Whether a row must give it (`tanggal_pendataan` is required unless a dated wave is named).
    pub required: bool,
    /// Holds personal data: shown only to those allowed to see it.
    pub personal: bool,
}

const fn col(id: &'static str, en: &'static str, required: bool, personal: bool) -> Column {
    Column {
        id,
        en,
        required,
        personal,
    }
}

pub const GROUP_COLUMNS: &[Column] = &[
    col("id", "id", false, false),
    col("kode_wilayah", "region_code", true, false),
    col("unit_lokal", "local_unit", false, false),
    col("nama", "name", true, false),
    col("jenis", "type", true, false),
    col("asal", "origin", true, false),
    col("tahun_berdiri", "founded_year", true, false),
    col("anggota_laki", "members_male", false, false),
    col("anggota_perempuan", "members_female", false, false),
    col("dasar_keanggotaan", "membership_basis", false, false),
    col("tujuan", "purposes", false, false),
    col("kegiatan", "activities", false, false),
    col("sumber_dana", "funding", false, false),
    col("sumber_dana_utama", "main_funding", false, false),
    col("iuran_rupiah", "dues_rupiah", false, false),
    col("iuran_periode", "dues_period", false, false),
    col("nilai", "values", false, false),
    col("frekuensi_pertemuan", "meeting_frequency", false, false),
    col("status_hukum", "legal_status", false, false),
    col("status", "status", false, false),
    col("wahana", "network", false, false),
    col("ketua", "chair", false, true),
    col("telepon", "phone", false, true),
    col("lintang", "latitude", false, false),
    col("bujur", "longitude", false, false),
    col("tanggal_pendataan", "survey_date", false, false),
    col("pendata", "enumerator", false, false),
    col("catatan", "notes", false, false),
];

pub const TIE_COLUMNS: &[Column] = &[
    col("dari", "from", true, false),
    col("ke", "to", true, false),
    col("jenis_ikatan", "tie_type", true, false),
    col("sejak", "since", false, false),
    col("catatan", "notes", false, false),
];

pub const INSTITUTION_COLUMNS: &[Column] = &[
    col("id", "id", false, false),
    col("kode_wilayah", "region_code", true, false),
    col("jenis_lembaga", "institution_type", true, false),
    col("nama", "name", true, false),
    // Not personal, on purpose: an institution is a public office (KUA, puskesmas, school,
    // village office) and its address is public; viewers see it. Its contact person and phone
    // are personal.
    col("alamat", "address", false, false),
    col("kontak", "contact", false, true),
    col("telepon", "phone", false, true),
    col("lintang", "latitude", false, false),
    col("bujur", "longitude", false, false),
    col("catatan", "notes", false, false),
];

pub const NETWORK_COLUMNS: &[Column] = &[
    col("id", "id", false, false),
    col("kode_wilayah", "region_code", true, false),
    col("unit_lokal", "local_unit", false, false),
    col("tingkat", "level", false, false),
    col("nama", "name", true, false),
    col("tahun_berdiri", "founded_year", false, false),
    col("ketua", "chair", false, true),
    col("sekretaris", "secretary", false, true),
    col("bendahara", "treasurer", false, true),
    col("telepon", "phone", false, true),
    col("nomor_sk", "decree_number", false, false),
    col("tanggal_sk", "decree_date", false, false),
    col("catatan", "notes", false, false),
];

/// The columns of a table, in export order.
pub fn columns(table: Table) -> &'static [Column] {
    match table {
        Table::Groups => GROUP_COLUMNS,
        Table::Ties => TIE_COLUMNS,
        Table::Institutions => INSTITUTION_COLUMNS,
        Table::Networks => NETWORK_COLUMNS,
    }
}

/// Finds a column by its Indonesian or English name, ignoring case and surrounding space.
pub fn find_column(table: Table, header: &str) -> Option<&'static Column> {
    let h = header.trim().to_lowercase();
    columns(table).iter().find(|c| c.id == h || c.en == h)
}
