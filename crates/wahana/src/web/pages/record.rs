//! What the record pages (groups, networks, institutions) and their forms share: the fields of
//! a form and their labels, values as shown, the wave choices of a new record, the ties of an
//! actor as listed, the region trail above a record, and the page that asks before a delete.

use crate::service::actors;
use crate::web::errors::{OrRender, PageError};
use crate::web::{AppState, Ctx, pct};
use askama::Template;
use std::collections::HashMap;
use wahana_domain::codes::*;
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Code, FieldError, Lang, RegionCode, RegionTree};

/// How a column is entered.
pub enum Input {
    Text,
    Number,
    Date,
    /// A telephone number: the phone's dial pad.
    Tel,
    /// A decimal (latitude, longitude): digits, sign and point.
    Decimal,
    Long,
    Select(Vec<Opt>),
    /// One of the names offered (a village's networks): (name, selected).
    Names(Vec<(String, bool)>),
    Multi(Vec<Opt>),
}

pub struct Opt {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

impl FormField {
    pub fn is_number(&self) -> bool {
        matches!(self.input, Input::Number)
    }
    pub fn is_date(&self) -> bool {
        matches!(self.input, Input::Date)
    }
    /// The `type` of a one-line input: `tel` for a phone, `date` for a date held in ISO form
    /// (or empty; a day-first date typed elsewhere stays text, so it is shown as typed).
    pub fn input_type(&self) -> &'static str {
        match &self.input {
            Input::Tel => "tel",
            Input::Date
                if self.value.is_empty()
                    || wahana_domain::Date::parse(&self.value)
                        .is_some_and(|d| d.to_string() == self.value) =>
            {
                "date"
            }
            _ => "text",
        }
    }
    /// The keyboard a phone shows for the input (`inputmode`), if not the letters.
    pub fn input_mode(&self) -> Option<&'static str> {
        match &self.input {
            Input::Number => Some("numeric"),
            Input::Decimal => Some("decimal"),
            Input::Tel => Some("tel"),
            _ => None,
        }
    }
    /// The names offered for the field, when it takes one of a list of held names.
    pub fn names(&self) -> Option<&[(String, bool)]> {
        match &self.input {
            Input::Names(n) => Some(n),
            _ => None,
        }
    }
    pub fn is_long(&self) -> bool {
        matches!(self.input, Input::Long)
    }
    pub fn options(&self) -> Option<&[Opt]> {
        match &self.input {
            Input::Select(o) => Some(o),
            _ => None,
        }
    }
    pub fn choices(&self) -> Option<&[Opt]> {
        match &self.input {
            Input::Multi(o) => Some(o),
            _ => None,
        }
    }
}

fn opts<T: Code + 'static>(value: &str, lang: Lang) -> Vec<Opt> {
    let chosen: Vec<&str> = value.split_whitespace().collect();
    T::ALL
        .iter()
        .map(|c| Opt {
            code: c.code(),
            label: c.label(lang),
            selected: chosen.contains(&c.code()),
        })
        .collect()
}

fn input_of(id: &str, value: &str, lang: Lang) -> Input {
    match id {
        "jenis" => Input::Select(opts::<GroupType>(value, lang)),
        "asal" => Input::Select(opts::<Origin>(value, lang)),
        "dasar_keanggotaan" => Input::Multi(opts::<MembershipBasis>(value, lang)),
        "tujuan" => Input::Multi(opts::<Purpose>(value, lang)),
        "kegiatan" => Input::Multi(opts::<Activity>(value, lang)),
        "sumber_dana" => Input::Multi(opts::<Funding>(value, lang)),
        "sumber_dana_utama" => Input::Select(opts::<Funding>(value, lang)),
        "iuran_periode" => Input::Select(opts::<DuesPeriod>(value, lang)),
        "nilai" => Input::Multi(opts::<Value>(value, lang)),
        "frekuensi_pertemuan" => Input::Select(opts::<MeetingFrequency>(value, lang)),
        "status_hukum" => Input::Select(opts::<LegalStatus>(value, lang)),
        "status" => Input::Select(opts::<GroupStatus>(value, lang)),
        "tingkat" => Input::Select(opts::<NetworkLevel>(value, lang)),
        "jenis_lembaga" => Input::Select(opts::<InstitutionKind>(value, lang)),
        "tanggal_sk" => Input::Date,
        "tahun_berdiri" | "anggota_laki" | "anggota_perempuan" | "iuran_rupiah" => Input::Number,
        "tanggal_pendataan" => Input::Date,
        "telepon" => Input::Tel,
        "lintang" | "bujur" => Input::Decimal,
        "catatan" => Input::Long,
        _ => Input::Text,
    }
}

pub struct FormField {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub required: bool,
    /// Screening needs it filled for the group to be counted in the profile.
    pub needed: bool,
    pub input: Input,
    pub value: String,
    pub error: Option<String>,
}

/// The label of a group column in the user's language.
pub fn label(id: &str, lang: Lang) -> &'static str {
    let (i, e) = match id {
        "id" => ("ID", "ID"),
        "kode_wilayah" => ("Kode desa/kelurahan", "Village code"),
        "unit_lokal" => ("Unit lokal (dusun/RW/RT)", "Local unit (dusun/RW/RT)"),
        "nama" => ("Nama kelompok", "Group name"),
        "jenis" => ("Jenis kelompok", "Group type"),
        "asal" => ("Asal", "Origin"),
        "tahun_berdiri" => ("Tahun berdiri", "Year founded"),
        "anggota_laki" => ("Anggota laki-laki", "Male members"),
        "anggota_perempuan" => ("Anggota perempuan", "Female members"),
        "dasar_keanggotaan" => ("Dasar keanggotaan", "Membership basis"),
        "tujuan" => ("Tujuan", "Purposes"),
        "kegiatan" => ("Kegiatan", "Activities"),
        "sumber_dana" => ("Sumber dana", "Funding sources"),
        "sumber_dana_utama" => ("Sumber dana utama", "Main funding source"),
        "iuran_rupiah" => ("Iuran (rupiah)", "Dues (rupiah)"),
        "iuran_periode" => ("Periode iuran", "Dues period"),
        "nilai" => ("Nilai dan norma", "Values and norms"),
        "frekuensi_pertemuan" => ("Frekuensi pertemuan", "Meeting frequency"),
        "status_hukum" => ("Status hukum", "Legal status"),
        "status" => ("Status", "Status"),
        "wahana" => ("Wahana (jaringan)", "Network"),
        "ketua" => ("Ketua", "Chair"),
        "telepon" => ("Telepon", "Phone"),
        "lintang" => ("Lintang", "Latitude"),
        "bujur" => ("Bujur", "Longitude"),
        "tanggal_pendataan" => ("Tanggal pendataan", "Survey date"),
        "pendata" => ("Pendata", "Enumerator"),
        "catatan" => ("Catatan", "Notes"),
        "tingkat" => ("Tingkat", "Level"),
        "sekretaris" => ("Sekretaris", "Secretary"),
        "bendahara" => ("Bendahara", "Treasurer"),
        "nomor_sk" => ("Nomor SK", "Decree number"),
        "tanggal_sk" => ("Tanggal SK", "Decree date"),
        "jenis_lembaga" => ("Jenis lembaga", "Institution type"),
        "alamat" => ("Alamat", "Address"),
        "kontak" => ("Kontak", "Contact person"),
        "jumlah_anggota" => ("Jumlah anggota", "Number of members"),
        "umur" => ("Umur kelompok", "Age of the group"),
        _ => ("", ""),
    };
    if i.is_empty() {
        return "";
    }
    lang.pick(i, e)
}

/// A value as shown: codes by their labels.
pub fn display(id: &str, value: &str, lang: Lang) -> String {
    match input_of(id, value, lang) {
        Input::Select(o) | Input::Multi(o) => {
            let chosen: Vec<&str> = o.iter().filter(|x| x.selected).map(|x| x.label).collect();
            if chosen.is_empty() {
                value.to_string()
            } else {
                chosen.join(", ")
            }
        }
        _ => value.to_string(),
    }
}

/// A table's form fields from values and errors.
pub fn fields_of(
    table: Table,
    values: &HashMap<&'static str, String>,
    errors: &[FieldError],
    lang: Lang,
) -> Vec<FormField> {
    instrument::columns(table)
        .iter()
        .filter(|c| c.id != "id")
        .map(|c| {
            let value = values.get(c.id).cloned().unwrap_or_default();
            let input = input_of(c.id, &value, lang);
            let choice = matches!(input, Input::Select(_) | Input::Multi(_));
            let error = errors
                .iter()
                .filter(|e| e.field == c.id)
                .map(|e| {
                    if e.value.is_empty() && choice {
                        // The codes are the options' labels in the list: no need to spell them.
                        lang.pick(
                            "Wajib diisi: pilih dari daftar.",
                            "Required: choose from the list.",
                        )
                        .to_string()
                    } else if e.value.is_empty() {
                        format!(
                            "{} {}",
                            lang.pick("Diharapkan", "Expected"),
                            e.expected(lang)
                        )
                    } else {
                        format!(
                            "\"{}\" {}; {} {}",
                            e.value,
                            lang.pick("tidak sah", "is not valid"),
                            lang.pick("diharapkan", "expected"),
                            e.expected(lang)
                        )
                    }
                })
                .reduce(|a, b| format!("{a}; {b}"));
            FormField {
                id: c.id,
                label: label(c.id, lang),
                hint: if c.personal {
                    lang.pick("data pribadi", "personal data")
                } else {
                    ""
                },
                required: c.required,
                needed: false,
                input,
                value,
                error,
            }
        })
        .collect()
}

/// Marks the fields screening needs filled for a group to be counted (`columns`, from
/// [`crate::service::screening::needed_columns`]).
pub fn mark_needed(fields: &mut [FormField], columns: &[&str]) {
    for f in fields.iter_mut() {
        f.needed = columns.contains(&f.id);
    }
}

/// Offers the names held (a village's networks) for the field `id` as a list to choose
/// from, the value already given kept among them; without names the field stays typed.
pub fn offer_names(fields: &mut [FormField], id: &str, names: &[String]) {
    if names.is_empty() {
        return;
    }
    for f in fields.iter_mut().filter(|f| f.id == id) {
        let mut offered: Vec<(String, bool)> =
            names.iter().map(|n| (n.clone(), *n == f.value)).collect();
        if !f.value.is_empty() && !names.contains(&f.value) {
            offered.push((f.value.clone(), true));
        }
        f.input = Input::Names(offered);
    }
}

/// A record outside the person's region (403): the refusal, which says where they may write,
/// beside the region code too, where the form asks for it.
pub fn refusal_beside_region(
    fields: &mut [FormField],
    e: &crate::web::errors::ApiError,
    lang: Lang,
) {
    if let crate::web::errors::ApiError::Forbidden { .. } = e {
        for f in fields.iter_mut().filter(|f| f.id == "kode_wilayah") {
            f.error = Some(e.message(lang));
        }
    }
}

/// The open waves a new record may go into, the one chosen (else the region's latest open
/// wave) selected ([`super::waves::open_choices`]); never a wave to be made.
pub async fn wave_choices(
    st: &AppState,
    ctx: &Ctx,
    chosen: Option<&str>,
    region: Option<&RegionCode>,
) -> Result<Vec<(String, String, bool)>, PageError> {
    super::waves::open_choices(st, chosen, region, ctx.lang)
        .await
        .or_page(ctx)
}

/// The submitted form: every pair, multi-valued fields repeated.
pub type Pairs = Vec<(String, String)>;

pub fn pick<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A table's values from a submitted form.
pub fn values_of_table(table: Table, pairs: &Pairs) -> HashMap<&'static str, String> {
    let mut out: HashMap<&'static str, String> = HashMap::new();
    for c in instrument::columns(table) {
        if c.id == "id" {
            continue;
        }
        let v: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| k == c.id)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        out.insert(c.id, v.join(" "));
    }
    out
}

/// A form's values as (column, value) pairs, as the use cases take changes.
pub fn as_pairs(values: &HashMap<&'static str, String>) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub struct Shown {
    pub label: &'static str,
    pub value: String,
}

/// The regions from the province down to `code`, each with its page.
pub fn crumbs_to(code: &RegionCode) -> Vec<super::regions::Crumb> {
    let tree = RegionTree::official();
    code.ancestors()
        .iter()
        .chain(std::iter::once(code))
        .filter_map(|c| tree.get(c))
        .map(|r| super::regions::Crumb {
            code: r.code.to_string(),
            name: r.name.clone(),
        })
        .collect()
}

/// The page that asks before a delete (groups, networks, institutions, ties): its button
/// posts to `action` with the session's CSRF token (and `back`, where to go afterwards).
#[derive(Template)]
#[template(path = "confirm_delete.html")]
pub struct ConfirmDelete<'a> {
    pub ctx: &'a Ctx,
    pub id: String,
    pub name: String,
    pub crumbs: Vec<super::regions::Crumb>,
    /// "Delete this group?"
    pub question: &'static str,
    /// What goes with the record.
    pub note: &'static str,
    pub action: String,
    pub cancel: String,
    pub back: Option<String>,
}

pub struct TieView {
    pub other: String,
    /// The other end's name, when the person may read it (else its id is shown alone).
    pub other_name: Option<String>,
    /// The other end's page.
    pub link: String,
    pub kind: &'static str,
    pub since: String,
    pub outgoing: bool,
    /// The page that asks before deleting the tie, coming back here afterwards.
    pub confirm: String,
}

/// The ties of an actor as shown, each with the page that asks before deleting it.
pub async fn tie_views(st: &AppState, ctx: &Ctx, id: &str) -> Result<Vec<TieView>, PageError> {
    // Back to this page without its query (a `saved=1` would say "Saved" again).
    let here = pct(ctx.path.split('?').next().unwrap_or("/"));
    let caller = ctx.caller();
    let mut out = Vec::new();
    for t in actors::ties_of(&st.store, id).await.or_page(ctx)? {
        let outgoing = t.tie.from == id;
        let other = if outgoing {
            t.tie.to.clone()
        } else {
            t.tie.from.clone()
        };
        let end = actors::tie_end(&st.store, &caller, &other)
            .await
            .or_page(ctx)?;
        let path = match end.as_ref().map(|e| e.0) {
            Some(wahana_store::ActorKind::Network) => "networks",
            Some(wahana_store::ActorKind::Institution) => "institutions",
            _ => "groups",
        };
        out.push(TieView {
            confirm: format!("/ties/{}/delete?back={here}", t.id),
            outgoing,
            link: format!("/{path}/{}", pct(&other)),
            other_name: end.map(|e| e.1),
            other,
            kind: t.tie.tie_type.label(ctx.lang),
            since: t.tie.since.map(|y| y.to_string()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The tie types for the add-a-tie form: (code, label).
pub fn tie_types(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    wahana_domain::codes::TieType::ALL
        .iter()
        .map(|t| (t.code(), t.label(ctx.lang)))
        .collect()
}
