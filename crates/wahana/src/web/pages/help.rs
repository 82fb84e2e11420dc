//! `/bantuan` and `/help`: what each role can do and where, the first steps on an empty
//! database, the group form's fields with their file column names, and the words of the
//! profile and the network explained. The signed-in person's own role comes first.

use super::record::label;
use super::render;
use crate::service::users::{self, Role};
use crate::web::errors::{OrRender, PageResult};
use crate::web::{AppState, Ctx};
use askama::Template;
use axum::extract::State;
use wahana_domain::Lang;
use wahana_domain::instrument::GROUP_COLUMNS;

/// One line of a section: its text and, where it points to a page, that page.
pub struct Line {
    pub text: &'static str,
    pub link: Option<(String, &'static str)>,
}

/// What one role (or everyone) can do.
pub struct Section {
    /// The anchor (`#petugas`).
    pub id: &'static str,
    pub title: &'static str,
    /// The signed-in person's own role.
    pub own: bool,
    pub lines: Vec<Line>,
}

/// A field of the group form: its label as the form shows it, its column in files, whether a
/// row must give it and whether it is personal data.
pub struct FieldRow {
    pub label: &'static str,
    pub column: &'static str,
    pub english: &'static str,
    pub required: bool,
    pub personal: bool,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage<'a> {
    ctx: &'a Ctx,
    /// No person is held yet: the first steps come first.
    first_run: bool,
    sections: Vec<Section>,
    fields: Vec<FieldRow>,
}

fn line(lang: Lang, id: &'static str, en: &'static str) -> Line {
    Line {
        text: lang.pick(id, en),
        link: None,
    }
}

fn link(
    lang: Lang,
    id: &'static str,
    en: &'static str,
    href: String,
    what: (&'static str, &'static str),
) -> Line {
    Line {
        text: lang.pick(id, en),
        link: Some((href, lang.pick(what.0, what.1))),
    }
}

/// The sections, everyone's first, then each role's; the caller's own role moved to the top.
fn sections(lang: Lang, role: Option<Role>, region: &str) -> Vec<Section> {
    let mut out = vec![
        Section {
            id: "umum",
            title: lang.pick("Semua orang, tanpa masuk", "Everyone, without signing in"),
            own: false,
            lines: vec![
                link(
                    lang,
                    "Cari wilayah (desa/kelurahan, kecamatan, kabupaten/kota, provinsi) dan buka profilnya: lima temuan, grafik, peta, jaringan.",
                    "Find a region (village, kecamatan, regency or city, province) and open its profile: the five findings, charts, map, network.",
                    "/search".into(),
                    ("Cari", "Search"),
                ),
                link(
                    lang,
                    "Unduh laporan profil sebagai HTML, XLSX atau PDF dari halaman wilayah.",
                    "Download the profile report as HTML, XLSX or PDF from a region's page.",
                    "/regions/nasional/report".into(),
                    ("Laporan nasional", "The national report"),
                ),
                line(
                    lang,
                    "Halaman umum hanya menampilkan jumlah dan ringkasan: nama ketua, nomor telepon dan anggota tidak pernah terlihat tanpa masuk.",
                    "Public pages show counts and summaries only: chairs' names, phone numbers and members are never shown without signing in.",
                ),
                link(
                    lang,
                    "Program lain membaca data yang sama lewat API JSON.",
                    "Other programs read the same data through the JSON API.",
                    "/api/openapi.json".into(),
                    ("Dokumen OpenAPI", "OpenAPI document"),
                ),
            ],
        },
        Section {
            id: "pendata",
            title: lang.pick("Pendata (enumerator)", "Enumerator"),
            own: role == Some(Role::Enumerator),
            lines: vec![
                link(
                    lang,
                    "Tambah kelompok di desa/kelurahan wilayah kerja Anda dari halaman desa: tombol «Tambah kelompok».",
                    "Add groups in the villages of your region from a village's page: the «Add a group» button.",
                    format!("/regions/{region}"),
                    ("Wilayah Anda", "Your region"),
                ),
                line(
                    lang,
                    "Pendata dan petugas melihat data pribadi (ketua, telepon, anggota) kelompok di wilayahnya; pembaca tidak.",
                    "Enumerators and officers see the personal data (chairs, phones, members) of their region's groups; viewers do not.",
                ),
                line(
                    lang,
                    "Isian bertanda «perlu agar dihitung» harus diisi supaya kelompok masuk hitungan profil; setelah disimpan, halaman kelompok menyebut apakah kelompok dihitung.",
                    "Fields marked «needed to be counted» must be filled for the group to count in the profile; after saving, the group's page says whether it is counted.",
                ),
                line(
                    lang,
                    "Dengan ODK Collect: di Pengaturan › Server isi alamat server wahana /odk/KODE-WILAYAH, nama dan kata sandi Anda; unduh formulir, isi di lapangan, kirim. Kiriman masuk ke kotak masuk petugas.",
                    "With ODK Collect: in Settings › Server enter the wahana server address /odk/REGION-CODE, your name and password; get the form, fill it in the field, send. Submissions go to the officers' inbox.",
                ),
            ],
        },
        Section {
            id: "petugas",
            title: lang.pick(
                "Petugas (TKSK, Dinas Sosial)",
                "Officer (TKSK, Dinas Sosial)",
            ),
            own: role == Some(Role::Officer),
            lines: vec![
                line(
                    lang,
                    "Semua yang dapat dilakukan pendata, ditambah: mengubah dan menghapus kelompok, wahana, lembaga dan ikatan di wilayah Anda.",
                    "Everything an enumerator can do, and: change and delete groups, networks, institutions and ties in your region.",
                ),
                link(
                    lang,
                    "Impor berkas CSV atau XLSX (kelompok, ikatan, lembaga, wahana): setiap masalah dilaporkan sekaligus dengan baris dan kolomnya, dan berkas ditulis utuh atau tidak sama sekali.",
                    "Import CSV or XLSX files (groups, ties, institutions, networks): every problem is reported at once with its row and column, and a file is written whole or not at all.",
                    "/import".into(),
                    ("Impor", "Import"),
                ),
                link(
                    lang,
                    "Periksa kiriman ODK Collect di kotak masuk: terima, ubah lalu terima, atau tolak dengan alasan.",
                    "Review ODK Collect submissions in the inbox: accept, edit then accept, or reject with a reason.",
                    format!("/regions/{region}/inbox"),
                    ("Kotak masuk", "Inbox"),
                ),
                link(
                    lang,
                    "Pendataan ulang (pemutakhiran): bandingkan dua pendataan dan tinjau pasangan kelompok yang mungkin sama.",
                    "Re-survey: compare two waves and review pairs of groups that may be the same.",
                    format!("/regions/{region}/compare"),
                    ("Bandingkan", "Compare"),
                ),
                link(
                    lang,
                    "Jejak audit wilayah: siapa mengubah apa dan kapan, termasuk setiap impor (berkas dan jumlah barisnya). Data yang terhapus (kelompok, wahana, lembaga, ikatan, anggota) dapat dipulihkan dari entri penghapusannya dengan tombol Pulihkan.",
                    "The region's audit trail: who changed what, and when, every import included (its file and row counts). A deleted record (group, network, institution, tie, member) can be restored from its delete's entry with the Pulihkan (restore) button.",
                    format!("/regions/{region}/audit"),
                    ("Jejak audit", "Audit trail"),
                ),
            ],
        },
        Section {
            id: "pembaca",
            title: lang.pick(
                "Pembaca (peneliti, pimpinan)",
                "Viewer (researcher, head of office)",
            ),
            own: role == Some(Role::Viewer),
            lines: vec![
                line(
                    lang,
                    "Melihat semua catatan di wilayahnya tanpa dapat mengubahnya; data pribadi (ketua, telepon, anggota) tidak ditampilkan kepadanya.",
                    "Sees every record in their region without being able to change it; personal data (chairs, phones, members) is not shown to them.",
                ),
                link(
                    lang,
                    "Membandingkan pendataan 2007 dengan pendataan ulang dan mengunduh laporannya.",
                    "Compares the 2007 wave with a re-survey and downloads its report.",
                    format!("/regions/{region}/compare"),
                    ("Bandingkan", "Compare"),
                ),
            ],
        },
        Section {
            id: "admin",
            title: lang.pick("Admin", "Admin"),
            own: role == Some(Role::Admin),
            lines: vec![
                link(
                    lang,
                    "Menambah orang, memberi peran dan wilayah, menonaktifkan, dan mengatur ulang kata sandi.",
                    "Adds people, gives them a role and a region, deactivates them and resets passwords.",
                    "/admin/users".into(),
                    ("Pengguna", "Users"),
                ),
                link(
                    lang,
                    "Menambah, menutup dan membuka kembali pendataan; mengatur penerimaan otomatis kiriman yang bersih.",
                    "Adds, closes and reopens waves; lets a wave accept clean submissions automatically.",
                    "/waves".into(),
                    ("Pendataan", "Waves"),
                ),
                link(
                    lang,
                    "Melihat cadangan terakhir; cadangan dibuat dengan `wahana backup --out BERKAS`, juga saat server berjalan.",
                    "Sees the last backup; backups are taken with `wahana backup --out FILE`, also while the server runs.",
                    "/admin/backups".into(),
                    ("Cadangan", "Backups"),
                ),
            ],
        },
    ];
    if let Some(i) = out.iter().position(|s| s.own) {
        let own = out.remove(i);
        out.insert(0, own);
    }
    out
}

/// The group form's fields, in the instrument's order.
fn fields(lang: Lang) -> Vec<FieldRow> {
    GROUP_COLUMNS
        .iter()
        .map(|c| FieldRow {
            label: label(c.id, lang),
            column: c.id,
            english: c.en,
            required: c.required,
            personal: c.personal,
        })
        .collect()
}

pub async fn page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let first_run = users::first_run(&st.store).await.or_page(&ctx)?;
    let (role, region) = match ctx.user() {
        Some(u) => (
            Some(u.role),
            u.region
                .as_ref()
                .map_or_else(|| "nasional".to_string(), |r| r.to_string()),
        ),
        None => (None, "nasional".to_string()),
    };
    let page = HelpPage {
        ctx: &ctx,
        first_run,
        sections: sections(ctx.lang, role, &region),
        fields: fields(ctx.lang),
    };
    Ok(render(&ctx, &page))
}
