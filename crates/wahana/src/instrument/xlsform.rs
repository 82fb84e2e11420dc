//! The XLSForm enumerators fill on ODK Collect or KoboCollect: every group column of the
//! instrument (except `id`, which wahana assigns), labelled in Indonesian and English, with
//! constraints that mirror the import's validation, and the village picked from a cascading list
//! limited to one region's subtree (a form never carries all 83,762 villages).
//!
//! The questions and choices are built once ([`Form`], from `build`) and written two ways: as
//! this XLSForm, and as the XForm ODK Collect downloads from wahana ([`super::xform`]).
//!
//! Field names are the instrument's column names, inside groups (`identitas/nama` in a Kobo
//! export, `identitas-nama` in ODK Central's), so a submissions export imports as it is (see
//! [`super::headers`]). Choice names of regions are dotted codes (`73.08.21.1003`): they stay
//! text when an export passes through Excel.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;
use wahana_domain::codes::{
    Activity, Code, DuesPeriod, Funding, GroupStatus, GroupType, LegalStatus, MeetingFrequency,
    MembershipBasis, Origin, Purpose, Value,
};
use wahana_domain::region::{Level, Region, RegionCode, RegionTree};
use wahana_domain::registry::MIN_FOUNDED_YEAR;

pub const FORM_ID: &str = "wahana_kelompok";
/// The instrument's version, the first part of the form's version.
const INSTRUMENT_VERSION: &str = "1";

/// The form's default language, as XLSForm names it (`label::Indonesian (id)`).
pub(super) const LANG_ID: &str = "Indonesian (id)";
/// The form's second language.
pub(super) const LANG_EN: &str = "English (en)";

/// What a required question says when left empty, in both languages.
pub(super) const REQUIRED_MESSAGE: (&str, &str) = ("Wajib diisi", "Required");

/// The instance name each filled form is listed under on the phone and the server (settings
/// sheet `instance_name`).
pub(super) const INSTANCE_NAME: &str = "concat(${nama}, ' (', ${kode_wilayah}, ')')";

/// Longest text the import takes.
const MAX_TEXT: usize = 500;

/// The survey sheet's columns, in order.
const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label::Indonesian (id)",
    "label::English (en)",
    "hint::Indonesian (id)",
    "hint::English (en)",
    "required",
    "required_message::Indonesian (id)",
    "required_message::English (en)",
    "constraint",
    "constraint_message::Indonesian (id)",
    "constraint_message::English (en)",
    "relevant",
    "choice_filter",
    "appearance",
    "default",
    "calculation",
];

/// The choices sheet's columns: the last three are the cascade's filters (`desa`: the village
/// of an earlier group, in a re-survey's form).
const CHOICE_COLUMNS: &[&str] = &[
    "list_name",
    "name",
    "label::Indonesian (id)",
    "label::English (en)",
    "kab",
    "kec",
    "desa",
];

/// The form id of a re-survey's form (`write_resurvey_xlsform`).
pub const RESURVEY_FORM_ID: &str = "wahana_kelompok_ulang";

/// The choice of the re-survey form's list of earlier groups that means "a group not in the
/// list".
pub const NEW_GROUP_CHOICE: &str = "baru";

/// The label of [`NEW_GROUP_CHOICE`], in both languages at once.
const NEW_GROUP_LABEL: &str = "Kelompok baru (tidak ada di daftar) / A new group (not listed)";

/// An Indonesian phone as the import takes it (`is_indonesian_phone`): `0…`, `62…` or `+62…`,
/// then 8 to 14 more digits, the first not 0, with spaces, dots, dashes or parentheses between.
pub const PHONE_REGEX: &str = r"^(\+62|62|\(?0)[ .()-]*[1-9]([ .()-]*[0-9]){7,13}[ .()-]*$";

/// Why a form (XLSForm or XForm) cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum XlsFormError {
    #[error("region {0} is not in the region tree")]
    UnknownRegion(String),
    #[error("writing the XLSForm: {0}")]
    Xlsx(#[from] XlsxError),
    /// A question type the XForm writer does not know (a question added to `build` without
    /// teaching `xform.rs` its bind and control).
    #[error("the XForm has no control for question type {0:?}")]
    UnsupportedType(String),
    /// `${name}` in an expression names no question of the form.
    #[error("the expression {expression:?} refers to ${{{name}}}, which is not a question")]
    UnknownReference { expression: String, name: String },
    /// A CSV media file of the XForm could not be written.
    #[error("writing the form's CSV media: {0}")]
    Media(#[from] csv::Error),
}

/// One row of the survey sheet: a question, a group's start or end, or metadata.
#[derive(Default, Clone)]
pub(super) struct Question {
    /// The XLSForm type (`text`, `select_one jenis`, `begin_group`, ...).
    pub(super) kind: String,
    pub(super) name: &'static str,
    /// Indonesian, English.
    pub(super) label: (String, String),
    pub(super) hint: (String, String),
    pub(super) required: bool,
    pub(super) constraint: String,
    pub(super) constraint_message: (String, String),
    pub(super) relevant: String,
    pub(super) choice_filter: String,
    pub(super) appearance: &'static str,
    pub(super) default: String,
    pub(super) calculation: String,
}

impl Question {
    fn new(kind: impl Into<String>, name: &'static str, id: &str, en: &str) -> Self {
        Self {
            kind: kind.into(),
            name,
            label: (id.into(), en.into()),
            ..Self::default()
        }
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn hint(mut self, id: &str, en: &str) -> Self {
        self.hint = (id.into(), en.into());
        self
    }

    fn constraint(
        mut self,
        expr: impl Into<String>,
        id: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        self.constraint = expr.into();
        self.constraint_message = (id.into(), en.into());
        self
    }

    fn relevant(mut self, expr: &str) -> Self {
        self.relevant = expr.into();
        self
    }

    fn choice_filter(mut self, expr: &str) -> Self {
        self.choice_filter = expr.into();
        self
    }

    fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default = value.into();
        self
    }

    fn row(&self) -> [String; 17] {
        let yes = |b: bool| if b { "yes" } else { "" }.to_string();
        let (req_id, req_en) = if self.required {
            (
                REQUIRED_MESSAGE.0.to_string(),
                REQUIRED_MESSAGE.1.to_string(),
            )
        } else {
            (String::new(), String::new())
        };
        [
            self.kind.clone(),
            self.name.to_string(),
            self.label.0.clone(),
            self.label.1.clone(),
            self.hint.0.clone(),
            self.hint.1.clone(),
            yes(self.required),
            req_id,
            req_en,
            self.constraint.clone(),
            self.constraint_message.0.clone(),
            self.constraint_message.1.clone(),
            self.relevant.clone(),
            self.choice_filter.clone(),
            self.appearance.to_string(),
            self.default.clone(),
            self.calculation.clone(),
        ]
    }
}

fn begin_group(name: &'static str, id: &str, en: &str) -> Question {
    Question {
        appearance: "field-list",
        ..Question::new("begin_group", name, id, en)
    }
}

fn end_group(name: &'static str) -> Question {
    Question {
        kind: "end_group".into(),
        name,
        ..Question::default()
    }
}

/// A text question with the import's limit: one line of at most 500 characters.
fn text(name: &'static str, id: &str, en: &str) -> Question {
    Question::new("text", name, id, en).constraint(
        format!("string-length(.) <= {MAX_TEXT}"),
        format!("Paling banyak {MAX_TEXT} huruf"),
        format!("At most {MAX_TEXT} characters"),
    )
}

fn count(name: &'static str, id: &str, en: &str) -> Question {
    Question::new("integer", name, id, en).constraint(
        ". >= 0 and . <= 1000000",
        "Bilangan bulat 0 sampai 1.000.000",
        "A whole number from 0 to 1,000,000",
    )
}

/// One row of the choices sheet.
pub(super) struct Choice {
    pub(super) list: &'static str,
    pub(super) name: String,
    /// Indonesian, English.
    pub(super) label: (String, String),
    /// The cascade's filter columns (empty when not used).
    pub(super) kab: String,
    pub(super) kec: String,
    pub(super) desa: String,
}

/// The whole form, as both writers take it: its settings, questions and choices.
pub(super) struct Form {
    pub(super) form_id: &'static str,
    pub(super) title: String,
    pub(super) version: String,
    pub(super) questions: Vec<Question>,
    pub(super) choices: Vec<Choice>,
}

/// The form's version (settings sheet `version`, the XForm's `version` attribute): the
/// instrument's version, the year the form is written and the region's digits. ODK Collect
/// and the servers see a new form when it changes.
pub fn form_version(region: &RegionCode, today_year: i32) -> String {
    format!("{INSTRUMENT_VERSION}.{today_year}.{}", region.digits())
}

/// The form for villages under `region` (with `previous`: the re-survey's form).
pub(super) fn form(
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
    previous: Option<&[PreviousGroup]>,
) -> Result<Form, XlsFormError> {
    let region = tree
        .get(region)
        .ok_or_else(|| XlsFormError::UnknownRegion(region.to_string()))?;
    let (questions, choices) = build(region, tree, previous);
    Ok(Form {
        form_id: if previous.is_some() {
            RESURVEY_FORM_ID
        } else {
            FORM_ID
        },
        title: match previous {
            Some(_) => format!("Pemutakhiran kelompok WKSBM: {}", region.name),
            None => format!("Identifikasi kelompok WKSBM: {}", region.name),
        },
        version: form_version(&region.code, today_year),
        questions,
        choices,
    })
}

fn code_choices<T: Code>(list: &'static str, out: &mut Vec<Choice>) {
    for c in T::ALL {
        out.push(Choice {
            list,
            name: c.code().to_string(),
            label: (c.label_id().to_string(), c.label_en().to_string()),
            kab: String::new(),
            kec: String::new(),
            desa: String::new(),
        });
    }
}

fn region_choice(list: &'static str, r: &Region) -> Choice {
    let parent = |level: Level| {
        r.code
            .ancestors()
            .into_iter()
            .find(|a| a.level() == level)
            .map(|a| a.to_string())
            .unwrap_or_default()
    };
    Choice {
        list,
        name: r.code.to_string(),
        label: (r.name.clone(), r.name.clone()),
        kab: parent(Level::Regency),
        kec: parent(Level::District),
        desa: String::new(),
    }
}

/// The questions and choices of the form for villages under `region`.
/// With `previous` (a re-survey), the enumerator first picks the group re-visited from the
/// village's groups of the earlier wave (or "a new group"), and the form carries its id.
fn build(
    region: &Region,
    tree: &RegionTree,
    previous: Option<&[PreviousGroup]>,
) -> (Vec<Question>, Vec<Choice>) {
    let mut q = Vec::new();
    let mut choices = Vec::new();

    q.push(Question {
        kind: "start".into(),
        name: "start",
        ..Question::default()
    });
    q.push(Question {
        kind: "end".into(),
        name: "end",
        ..Question::default()
    });
    q.push(Question {
        kind: "deviceid".into(),
        name: "deviceid",
        ..Question::default()
    });
    q.push(Question::new(
        "note",
        "intro_note",
        &format!(
            "Identifikasi kelompok kesejahteraan sosial (WKSBM) di {}. Isi satu formulir untuk \
             setiap kelompok.",
            region.name
        ),
        &format!(
            "Identification of community social-welfare groups (WKSBM) in {}. Fill one form per \
             group.",
            region.name
        ),
    ));

    q.push(begin_group("pendataan", "Pendataan", "Survey"));
    q.push(
        Question::new(
            "date",
            "tanggal_pendataan",
            "Tanggal pendataan",
            "Survey date",
        )
        .required()
        .default_value("today()")
        .constraint(
            ". <= today()",
            "Tanggal tidak boleh melewati hari ini",
            "The date cannot be after today",
        ),
    );
    q.push(text("pendata", "Nama pendata", "Enumerator's name"));
    q.push(end_group("pendataan"));

    // The village, through a cascade from the level below the region down.
    q.push(begin_group("wilayah", "Wilayah", "Location"));
    let level = region.code.level();
    if level == Level::Province {
        q.push(
            Question::new(
                "select_one kabupaten",
                "kabupaten",
                "Kabupaten/kota",
                "Regency/city",
            )
            .required(),
        );
        choices.extend(
            tree.children(&region.code)
                .iter()
                .map(|r| region_choice("kabupaten", r)),
        );
    }
    if level <= Level::Regency {
        let mut k =
            Question::new("select_one kecamatan", "kecamatan", "Kecamatan", "District").required();
        if level == Level::Province {
            k = k.choice_filter("kab=${kabupaten}");
        }
        q.push(k);
        let districts: Vec<&Region> = match level {
            Level::Province => tree
                .children(&region.code)
                .iter()
                .flat_map(|r| tree.children(&r.code))
                .collect(),
            _ => tree.children(&region.code).iter().collect(),
        };
        choices.extend(districts.into_iter().map(|r| region_choice("kecamatan", r)));
    }
    let mut village = Question::new(
        "select_one desa",
        "kode_wilayah",
        "Desa/kelurahan",
        "Village",
    )
    .required();
    if level <= Level::Regency {
        village = village.choice_filter("kec=${kecamatan}");
    }
    if level == Level::Village {
        village = village.default_value(region.code.to_string());
    }
    q.push(village);
    choices.extend(
        tree.villages_under(&region.code)
            .map(|r| region_choice("desa", r)),
    );
    if let Some(previous) = previous {
        q.push(
            Question::new(
                "select_one kelompok_lama",
                "kelompok_lama",
                "Kelompok yang dikunjungi ulang",
                "The group re-visited",
            )
            .required()
            .hint(
                "Kelompok desa ini dari pendataan sebelumnya; pilih \"Kelompok baru\" bila tidak ada di daftar",
                "This village's groups from the earlier survey; choose \"A new group\" when it is not listed",
            )
            .choice_filter(&format!(
                "desa=${{kode_wilayah}} or name='{NEW_GROUP_CHOICE}'"
            )),
        );
        q.push(Question {
            kind: "calculate".into(),
            name: "id",
            calculation: format!(
                "if(${{kelompok_lama}} = '{NEW_GROUP_CHOICE}', '', ${{kelompok_lama}})"
            ),
            ..Question::default()
        });
        choices.push(Choice {
            list: "kelompok_lama",
            name: NEW_GROUP_CHOICE.into(),
            // One label for both languages: the XForm carries this list as a CSV file with
            // one label column (`xform.rs`), and both forms must offer the same choices.
            label: (NEW_GROUP_LABEL.into(), NEW_GROUP_LABEL.into()),
            kab: String::new(),
            kec: String::new(),
            desa: String::new(),
        });
        for g in previous {
            choices.push(Choice {
                list: "kelompok_lama",
                name: g.id.clone(),
                label: (
                    format!("{} ({})", g.name, g.id),
                    format!("{} ({})", g.name, g.id),
                ),
                kab: String::new(),
                kec: String::new(),
                desa: g.village.to_string(),
            });
        }
    }
    q.push(
        text("unit_lokal", "Dusun/RW/RT", "Hamlet, RW or RT")
            .hint("Mis. RW 03 atau Dusun Lappae", "E.g. RW 03 or Dusun Lappae"),
    );
    q.push(end_group("wilayah"));

    q.push(begin_group("identitas", "Identitas kelompok", "The group"));
    q.push(text("nama", "Nama kelompok", "Name of the group").required());
    q.push(
        Question::new(
            "select_one jenis",
            "jenis",
            "Jenis kelompok",
            "Type of group",
        )
        .required(),
    );
    code_choices::<GroupType>("jenis", &mut choices);
    q.push(
        Question::new(
            "select_one asal",
            "asal",
            "Asal kelompok",
            "Origin of the group",
        )
        .required(),
    );
    code_choices::<Origin>("asal", &mut choices);
    q.push(
        Question::new("integer", "tahun_berdiri", "Tahun berdiri", "Year founded")
            .required()
            .constraint(
                format!(
                    ". >= {MIN_FOUNDED_YEAR} and . <= number(format-date(${{tanggal_pendataan}}, '%Y'))"
                ),
                format!("Tahun {MIN_FOUNDED_YEAR} sampai tahun pendataan"),
                format!("A year from {MIN_FOUNDED_YEAR} to the survey year"),
            ),
    );
    q.push(text(
        "wahana",
        "Wahana (jaringan WKSBM) tempat kelompok bergabung",
        "WKSBM network the group belongs to",
    ));
    q.push(end_group("identitas"));

    q.push(begin_group("keanggotaan", "Keanggotaan", "Members"));
    q.push(count(
        "anggota_laki",
        "Jumlah anggota laki-laki",
        "Male members",
    ));
    q.push(count(
        "anggota_perempuan",
        "Jumlah anggota perempuan",
        "Female members",
    ));
    q.push(Question::new(
        "select_multiple dasar_keanggotaan",
        "dasar_keanggotaan",
        "Dasar keanggotaan",
        "Basis of membership",
    ));
    code_choices::<MembershipBasis>("dasar_keanggotaan", &mut choices);
    q.push(end_group("keanggotaan"));

    q.push(begin_group(
        "program",
        "Tujuan dan kegiatan",
        "Purposes and activities",
    ));
    q.push(Question::new(
        "select_multiple tujuan",
        "tujuan",
        "Tujuan",
        "Purposes",
    ));
    code_choices::<Purpose>("tujuan", &mut choices);
    q.push(Question::new(
        "select_multiple kegiatan",
        "kegiatan",
        "Kegiatan",
        "Activities",
    ));
    code_choices::<Activity>("kegiatan", &mut choices);
    q.push(Question::new(
        "select_multiple nilai",
        "nilai",
        "Nilai yang dijunjung",
        "Values upheld",
    ));
    code_choices::<Value>("nilai", &mut choices);
    q.push(Question::new(
        "select_one frekuensi_pertemuan",
        "frekuensi_pertemuan",
        "Frekuensi pertemuan",
        "How often it meets",
    ));
    code_choices::<MeetingFrequency>("frekuensi_pertemuan", &mut choices);
    q.push(end_group("program"));

    q.push(begin_group("dana", "Pendanaan", "Funding"));
    q.push(Question::new(
        "select_multiple sumber_dana",
        "sumber_dana",
        "Sumber dana",
        "Sources of funds",
    ));
    code_choices::<Funding>("sumber_dana", &mut choices);
    q.push(
        Question::new(
            "select_one sumber_dana",
            "sumber_dana_utama",
            "Sumber dana utama",
            "Main source of funds",
        )
        .relevant("count-selected(${sumber_dana}) > 0")
        .choice_filter("selected(${sumber_dana}, name)")
        .constraint(
            "selected(${sumber_dana}, .)",
            "Pilih salah satu sumber dana yang dicentang di atas",
            "Pick one of the sources ticked above",
        ),
    );
    q.push(
        Question::new(
            "integer",
            "iuran_rupiah",
            "Iuran per anggota (rupiah)",
            "Dues per member (rupiah)",
        )
        .constraint(
            ". >= 0",
            "Rupiah utuh, 0 atau lebih",
            "Whole rupiah, 0 or more",
        ),
    );
    q.push(
        Question::new(
            "select_one iuran_periode",
            "iuran_periode",
            "Periode iuran",
            "Dues period",
        )
        .relevant("${iuran_rupiah} > 0"),
    );
    code_choices::<DuesPeriod>("iuran_periode", &mut choices);
    q.push(end_group("dana"));

    q.push(begin_group("kelembagaan", "Kelembagaan", "Organisation"));
    q.push(Question::new(
        "select_one status_hukum",
        "status_hukum",
        "Status hukum",
        "Legal status",
    ));
    code_choices::<LegalStatus>("status_hukum", &mut choices);
    q.push(
        Question::new(
            "select_one status",
            "status",
            "Status kelompok",
            "Status of the group",
        )
        .default_value(GroupStatus::Active.code()),
    );
    code_choices::<GroupStatus>("status", &mut choices);
    q.push(text("ketua", "Nama ketua", "Name of the chair"));
    q.push(
        text("telepon", "Telepon ketua", "Chair's phone")
            .hint(
                "Mis. 0812-3456-7890 atau +62 812 3456 7890",
                "E.g. 0812-3456-7890 or +62 812 3456 7890",
            )
            .constraint(
                format!("regex(., '{PHONE_REGEX}')"),
                "Nomor telepon Indonesia seperti 0812-3456-7890 atau +62 812 3456 7890",
                "An Indonesian phone number like 0812-3456-7890 or +62 812 3456 7890",
            ),
    );
    q.push(
        Question::new(
            "geopoint",
            "lokasi",
            "Lokasi tempat kegiatan kelompok",
            "Where the group meets",
        )
        .constraint(
            "number(selected-at(., 0)) >= -11.5 and number(selected-at(., 0)) <= 6.5 and \
                 number(selected-at(., 1)) >= 94.5 and number(selected-at(., 1)) <= 141.5",
            "Lokasi harus di dalam Indonesia",
            "The location must be inside Indonesia",
        ),
    );
    q.push(text("catatan", "Catatan", "Notes"));
    q.push(end_group("kelembagaan"));

    (q, choices)
}

/// A group of the earlier wave, as a re-survey's form lists it.
#[derive(Debug, Clone)]
pub struct PreviousGroup {
    pub id: String,
    pub name: String,
    pub village: RegionCode,
}

/// [`write_xlsform`] for a re-survey (*pemutakhiran*): the same questions, preceded in each
/// village by the list of its groups of the earlier wave (`previous`), so that the enumerator
/// picks the group re-visited (the answer carries its id, and an import adds its observation)
/// or adds a new one. Form id [`RESURVEY_FORM_ID`].
pub fn write_resurvey_xlsform(
    path: &Path,
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
    previous: &[PreviousGroup],
) -> Result<(), XlsFormError> {
    write_form(path, region, tree, today_year, Some(previous))
}

/// Writes the XLSForm (sheets `survey`, `choices`, `settings`) for groups in villages under
/// `region` (a province, regency, district or one village). `today_year` dates the form's
/// version; the form's own checks are relative to the survey date it records.
pub fn write_xlsform(
    path: &Path,
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
) -> Result<(), XlsFormError> {
    write_form(path, region, tree, today_year, None)
}

fn write_form(
    path: &Path,
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
    previous: Option<&[PreviousGroup]>,
) -> Result<(), XlsFormError> {
    let Form {
        form_id,
        title,
        version,
        questions,
        choices,
    } = form(region, tree, today_year, previous)?;

    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();

    let survey = wb.add_worksheet();
    survey.set_name("survey")?;
    for (c, h) in SURVEY_COLUMNS.iter().enumerate() {
        survey.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, q) in questions.iter().enumerate() {
        for (c, cell) in q.row().iter().enumerate() {
            if !cell.is_empty() {
                survey.write_string(r as u32 + 1, c as u16, cell.as_str())?;
            }
        }
    }
    survey.set_column_width(0, 34)?;
    survey.set_column_width(1, 22)?;
    survey.set_column_width(2, 40)?;
    survey.set_column_width(3, 40)?;
    survey.set_freeze_panes(1, 0)?;

    let sheet = wb.add_worksheet();
    sheet.set_name("choices")?;
    for (c, h) in CHOICE_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, ch) in choices.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, ch.list)?;
        sheet.write_string(r, 1, ch.name.as_str())?;
        sheet.write_string(r, 2, ch.label.0.as_str())?;
        sheet.write_string(r, 3, ch.label.1.as_str())?;
        if !ch.kab.is_empty() {
            sheet.write_string(r, 4, ch.kab.as_str())?;
        }
        if !ch.kec.is_empty() {
            sheet.write_string(r, 5, ch.kec.as_str())?;
        }
        if !ch.desa.is_empty() {
            sheet.write_string(r, 6, ch.desa.as_str())?;
        }
    }
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 36)?;
    sheet.set_column_width(3, 36)?;
    sheet.set_freeze_panes(1, 0)?;

    let settings = wb.add_worksheet();
    settings.set_name("settings")?;
    let rows = [
        ("form_title", title),
        ("form_id", form_id.to_string()),
        ("version", version),
        ("default_language", LANG_ID.to_string()),
        ("instance_name", INSTANCE_NAME.to_string()),
    ];
    for (c, (key, value)) in rows.iter().enumerate() {
        settings.write_string_with_format(0, c as u16, *key, &bold)?;
        settings.write_string(1, c as u16, value.as_str())?;
    }

    wb.save(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, open_workbook_auto};
    use std::collections::{HashMap, HashSet};
    use wahana_domain::instrument::{self, Table};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn sheet(path: &Path, name: &str) -> Vec<HashMap<String, String>> {
        let mut wb = open_workbook_auto(path).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|d| d.to_string()).collect();
        rows.map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(|d| match d {
                    Data::Empty => String::new(),
                    d => d.to_string(),
                }))
                .collect()
        })
        .collect()
    }

    /// The structural check: every group column but `id` is asked (latitude and longitude through
    /// `lokasi`), every list exists, filters name existing choice columns, and the villages are
    /// exactly the region's.
    fn check_form(
        path: &Path,
        region: &RegionCode,
    ) -> (Vec<HashMap<String, String>>, Vec<HashMap<String, String>>) {
        let tree = RegionTree::official();
        let survey = sheet(path, "survey");
        let choices = sheet(path, "choices");
        let settings = sheet(path, "settings");
        assert_eq!(settings[0]["form_id"], FORM_ID);
        assert_eq!(settings[0]["default_language"], LANG_ID);

        let names: Vec<&str> = survey.iter().map(|q| q["name"].as_str()).collect();
        let data_names: HashSet<&str> = survey
            .iter()
            .filter(|q| !q["type"].starts_with("end_group"))
            .map(|q| q["name"].as_str())
            .collect();
        assert_eq!(
            data_names.len(),
            survey
                .iter()
                .filter(|q| !q["type"].starts_with("end_group"))
                .count(),
            "names are unique: {names:?}"
        );
        for c in instrument::columns(Table::Groups) {
            let asked = match c.id {
                "id" => continue,
                "lintang" | "bujur" => "lokasi",
                other => other,
            };
            assert!(data_names.contains(asked), "{} is not asked", c.id);
            if c.required {
                let q = survey.iter().find(|q| q["name"] == asked).unwrap();
                assert_eq!(q["required"], "yes", "{asked} must be required");
            }
        }
        let lists: HashSet<&str> = choices.iter().map(|c| c["list_name"].as_str()).collect();
        let mut groups = 0i32;
        for q in &survey {
            let t = q["type"].as_str();
            if let Some(list) = t
                .strip_prefix("select_one ")
                .or(t.strip_prefix("select_multiple "))
            {
                assert!(lists.contains(list), "list {list} missing");
            }
            for col in ["kab", "kec"] {
                if q["choice_filter"].contains(&format!("{col}=")) {
                    assert!(
                        choices.iter().any(|c| !c[col].is_empty()),
                        "{col} column empty"
                    );
                }
            }
            for lang in ["Indonesian (id)", "English (en)"] {
                if !t.starts_with("end_group") && !matches!(t, "start" | "end" | "deviceid") {
                    assert!(
                        !q[&format!("label::{lang}")].is_empty(),
                        "{} lacks a {lang} label",
                        q["name"]
                    );
                }
            }
            match t {
                "begin_group" => groups += 1,
                "end_group" => groups -= 1,
                _ => {}
            }
            assert!(groups >= 0);
        }
        assert_eq!(groups, 0, "groups are balanced");
        let villages: Vec<&str> = choices
            .iter()
            .filter(|c| c["list_name"] == "desa")
            .map(|c| c["name"].as_str())
            .collect();
        let want: Vec<String> = tree
            .villages_under(region)
            .map(|r| r.code.to_string())
            .collect();
        assert_eq!(villages, want);
        // Every village's filter value is a district offered by the form (or no filter at all).
        let districts: HashSet<&str> = choices
            .iter()
            .filter(|c| c["list_name"] == "kecamatan")
            .map(|c| c["name"].as_str())
            .collect();
        if !districts.is_empty() {
            for c in choices.iter().filter(|c| c["list_name"] == "desa") {
                assert!(districts.contains(c["kec"].as_str()), "{c:?}");
            }
        }
        (survey, choices)
    }

    #[test]
    fn form_for_a_district_regency_province_and_village() {
        let dir = tempfile::tempdir().unwrap();
        let tree = RegionTree::official();
        for (code_text, cascade) in [
            ("73.08.21", vec![]),
            ("73.08", vec!["kecamatan"]),
            ("73", vec!["kabupaten", "kecamatan"]),
            ("73.08.21.1003", vec![]),
        ] {
            let region = code(code_text);
            let path = dir.path().join(format!("form-{code_text}.xlsx"));
            write_xlsform(&path, &region, tree, 2026).unwrap();
            let (survey, choices) = check_form(&path, &region);
            let pickers: Vec<&str> = survey
                .iter()
                .filter(|q| matches!(q["name"].as_str(), "kabupaten" | "kecamatan"))
                .map(|q| q["name"].as_str())
                .collect();
            assert_eq!(pickers, cascade, "{code_text}");
            assert!(choices.iter().filter(|c| c["list_name"] == "desa").count() < 10_000);
        }
        let district = code("73.08.21");
        let path = dir.path().join("form-73.08.21.xlsx");
        let (survey, choices) = check_form(&path, &district);
        let villages: Vec<&str> = choices
            .iter()
            .filter(|c| c["list_name"] == "desa")
            .map(|c| c["name"].as_str())
            .collect();
        assert_eq!(villages.len(), 8);
        assert_eq!(villages[2], "73.08.21.1003");
        let phone = survey.iter().find(|q| q["name"] == "telepon").unwrap();
        assert!(phone["constraint"].contains(PHONE_REGEX));
        let year = survey
            .iter()
            .find(|q| q["name"] == "tahun_berdiri")
            .unwrap();
        assert!(year["constraint"].contains(">= 1800"));
    }

    /// The headers KoboToolbox and ODK Central give a submissions export of the form, built
    /// from its survey and choices sheets the way they build them (group paths joined by `/` or
    /// `-`, a geopoint split in four, one extra column per choice of a select_multiple), map onto
    /// the groups table with nothing unknown and every column of the form found.
    #[test]
    fn submissions_exports_of_the_form_map_onto_groups() {
        use crate::instrument::headers::{ColumnRole, map_headers};
        let dir = tempfile::tempdir().unwrap();
        let region = code("73.08");
        let path = dir.path().join("form.xlsx");
        write_xlsform(&path, &region, RegionTree::official(), 2026).unwrap();
        let (survey, choices) = check_form(&path, &region);

        for kobo in [true, false] {
            let sep = if kobo { "/" } else { "-" };
            let mut headers: Vec<String> = if kobo {
                vec![]
            } else {
                vec!["SubmissionDate".into()]
            };
            let mut path: Vec<&str> = Vec::new();
            for q in &survey {
                let (t, name) = (q["type"].as_str(), q["name"].as_str());
                if t == "begin_group" {
                    path.push(name);
                    continue;
                }
                if t == "end_group" {
                    path.pop();
                    continue;
                }
                let full = path
                    .iter()
                    .copied()
                    .chain([name])
                    .collect::<Vec<_>>()
                    .join(sep);
                let prefix = path.iter().map(|p| format!("{p}{sep}")).collect::<String>();
                if t == "geopoint" {
                    if kobo {
                        headers.push(full.clone());
                        for part in ["latitude", "longitude", "altitude", "precision"] {
                            headers.push(format!("{prefix}_{name}_{part}"));
                        }
                    } else {
                        for part in ["Latitude", "Longitude", "Altitude", "Accuracy"] {
                            headers.push(format!("{full}-{part}"));
                        }
                    }
                    continue;
                }
                headers.push(full.clone());
                if let Some(list) = t.strip_prefix("select_multiple ") {
                    for c in choices.iter().filter(|c| c["list_name"] == list) {
                        headers.push(format!("{full}/{}", c["name"]));
                    }
                }
            }
            if kobo {
                headers.push("meta/instanceID".into());
                for m in [
                    "_id",
                    "_uuid",
                    "_submission_time",
                    "_validation_status",
                    "_notes",
                    "_status",
                    "_submitted_by",
                    "__version__",
                    "_tags",
                    "_index",
                ] {
                    headers.push(m.into());
                }
            } else {
                headers.push("meta-instanceID".into());
                for m in [
                    "KEY",
                    "SubmitterID",
                    "SubmitterName",
                    "AttachmentsPresent",
                    "AttachmentsExpected",
                    "Status",
                    "ReviewState",
                    "DeviceID",
                    "Edits",
                    "FormVersion",
                ] {
                    headers.push(m.into());
                }
            }
            let map = map_headers(None, &headers, false).unwrap_or_else(|p| {
                panic!(
                    "kobo {kobo}: {:#?}",
                    p.iter().map(|p| p.to_string()).collect::<Vec<_>>()
                )
            });
            assert_eq!(map.table(), Table::Groups);
            for c in instrument::columns(Table::Groups) {
                assert_eq!(map.has(c.id), c.id != "id", "kobo {kobo}: {}", c.id);
            }
            assert!(map.missing_conditional().is_empty());
            assert!(map.roles().contains(&ColumnRole::Metadata));
        }
    }

    #[test]
    fn unknown_region_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_xlsform(
            &dir.path().join("x.xlsx"),
            &code("73.08.21.1099"),
            RegionTree::official(),
            2026,
        )
        .unwrap_err();
        assert!(err.to_string().contains("73.08.21.1099"));
    }

    /// The form's phone regex never accepts what the import refuses (a submission must import),
    /// and accepts what people write: the import's examples and every string built from a few
    /// prefixes, separators and digit runs. It is stricter on one oddity the import lets through,
    /// a `+` before a national number (`+0812…`).
    #[test]
    fn phone_regex_mirrors_the_import() {
        let re = regex_automata::meta::Regex::new(PHONE_REGEX).unwrap();
        let mut cases: Vec<String> = [
            "0812-0000-0001",
            "+62 812 3456 7890",
            "6281234567890",
            "(0481) 21234",
            "12345",
            "0812x",
            "0081234567",
            "08-1",
            "62 0812 3456 789",
            "(0411) 8.12.34",
            "0812 0000 0001 ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for prefix in ["0", "62", "+62", "(0", "00", "+6", "8", "+0", "0 (", "62-"] {
            for first in ["8", "0", "4"] {
                for sep in ["", "-", " ", ".", ") ", "x"] {
                    for n in 5..=16 {
                        let rest: String = "1234567890123456".chars().take(n).collect();
                        cases.push(format!("{prefix}{first}{sep}{rest}"));
                    }
                }
            }
        }
        let import = wahana_domain::registry::is_indonesian_phone;
        let mut differ = Vec::new();
        for s in &cases {
            let form = re.is_match(s.trim());
            assert!(
                !form || import(s),
                "the form takes {s:?}, the import refuses it"
            );
            if form != import(s) {
                differ.push(s.as_str());
            }
        }
        assert!(
            differ.iter().all(|s| s.starts_with("+0")),
            "the form refuses what the import takes: {differ:?}"
        );
    }

    /// The forms `tests/xlsform_check.sh` converts with pyxform pass the structural check.
    #[test]
    fn forms_of_every_level_pass_the_structural_check() {
        let dir = tempfile::tempdir().unwrap();
        for region in ["73.08.21", "73.08", "73", "73.08.21.1003"] {
            let path = dir.path().join(format!("wahana_kelompok_{region}.xlsx"));
            write_xlsform(&path, &code(region), RegionTree::official(), 2026).unwrap();
            check_form(&path, &code(region));
        }
    }
}
