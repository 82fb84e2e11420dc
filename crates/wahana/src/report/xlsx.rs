//! The XLSX workbook for analysts: one sheet per table, numbers as numbers (shares as fractions
//! with a percent format), headers in the chosen language.

use super::{
    betweenness_skipped, child_rows, method_notes, network_description, network_too_large, title,
};
use crate::service::compare::CompareData;
use crate::service::network::ReportNetwork;
use crate::service::profile::ProfileData;
use crate::service::screening::Scope;
use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use wahana_domain::Lang;
use wahana_domain::profile::{Brief, CodeCount, Profile};

fn header(ws: &mut Worksheet, row: u32, cols: &[&str], bold: &Format) -> Result<()> {
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *c, bold)?;
    }
    Ok(())
}

fn brief_headers(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Id => [
            "bagian_10_tahun_lebih",
            "bagian_tumbuh_masyarakat",
            "bagian_domisili",
            "bagian_ketahanan_kesejahteraan",
            "bagian_iuran_anggota",
            "bagian_kebersamaan_tolong_gotong",
        ],
        Lang::En => [
            "share_older_10",
            "share_grown_from_community",
            "share_domicile",
            "share_resilience_or_welfare",
            "share_dues_any",
            "share_core_values",
        ],
    }
}

fn write_brief(ws: &mut Worksheet, row: u32, col: u16, b: &Brief, pct: &Format) -> Result<()> {
    for (i, x) in [
        b.share_older_10,
        b.share_grown_from_community,
        b.share_domicile,
        b.share_resilience_or_welfare,
        b.share_dues_any,
        b.share_core_values,
    ]
    .into_iter()
    .enumerate()
    {
        ws.write_number_with_format(row, col + i as u16, x, pct)?;
    }
    Ok(())
}

/// The workbook as bytes. `network` is the scope's network section
/// ([`crate::service::network::report_section`]), the same the HTML report shows: a sheet
/// `jaringan` (`network`) unless it is [`ReportNetwork::Omitted`]. With `change` (a comparison
/// ending with the report's wave, and whether its groups may be listed) the comparison's
/// sheets (`super::compare::xlsx_sheets`) come before the rules.
pub fn render(
    data: &ProfileData,
    p: &Profile<'_>,
    lang: Lang,
    network: &ReportNetwork,
    map: Option<&super::map::Choropleth>,
    change: Option<(&CompareData, bool)>,
) -> Result<Vec<u8>> {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let wrap = Format::new().set_text_wrap();

    // Findings, with the heading and the synthetic warning.
    let ws = wb.add_worksheet();
    ws.set_name(l("Temuan", "Findings"))?;
    ws.write_string_with_format(0, 0, title(data, lang), &bold)?;
    let mut row = 1;
    if data.wave.synthetic {
        ws.write_string_with_format(
            row,
            0,
            l(
                "DATA SINTETIS: dibuat program untuk demonstrasi, bukan hasil pengukuran.",
                "SYNTHETIC DATA: generated for demonstration, not a measurement.",
            ),
            &bold,
        )?;
        row += 1;
    }
    let meta: Vec<(&str, String)> = vec![
        (
            l("kode_wilayah", "region_code"),
            data.scope.code_str().to_string(),
        ),
        (l("wilayah", "region"), data.scope.name().to_string()),
        (l("pendataan", "wave"), data.wave.id.clone()),
        (l("nama_pendataan", "wave_name"), data.wave.name.clone()),
        (
            l("tanggal_pendataan", "wave_date"),
            data.wave.date().map(|d| d.to_string()).unwrap_or_default(),
        ),
        (l("sintetis", "synthetic"), data.wave.synthetic.to_string()),
        (l("aturan", "rules"), data.rules.version.clone()),
    ];
    for (k, v) in meta {
        ws.write_string(row, 0, k)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    let c = &p.coverage;
    let a = &data.actors;
    for (k, v) in [
        (l("kelompok_tercatat", "groups_recorded"), p.groups_recorded),
        (
            l("kelompok_memenuhi_syarat", "groups_qualifying"),
            p.groups_qualifying,
        ),
        (
            l("desa_di_wilayah", "villages_in_region"),
            c.villages_in_region,
        ),
        (
            l("desa_dengan_kelompok", "villages_with_groups"),
            c.villages_with_groups,
        ),
        (l("wahana", "networks"), a.networks),
        (l("lembaga", "institutions"), a.institutions),
        (l("ikatan", "ties"), a.ties),
    ] {
        ws.write_string(row, 0, k)?;
        ws.write_number(row, 1, v as f64)?;
        row += 1;
    }
    row += 1;
    header(
        ws,
        row,
        &[
            l("temuan", "finding"),
            l("judul", "title"),
            l("berlaku", "holds"),
            l("putusan", "verdict"),
            "kalimat_id",
            "sentence_en",
        ],
        &bold,
    )?;
    for f in p.findings() {
        row += 1;
        ws.write_string(row, 0, f.id)?;
        ws.write_string(row, 1, f.title(lang))?;
        ws.write_boolean(row, 2, f.holds)?;
        // "tidak ada data" is not "does not hold", and partial coverage is said here too.
        ws.write_string(row, 3, f.badge(lang))?;
        ws.write_string_with_format(row, 4, f.sentence_id, &wrap)?;
        ws.write_string_with_format(row, 5, f.sentence_en, &wrap)?;
    }
    row += 2;
    header(
        ws,
        row,
        &[l("ukuran", "measure"), l("nilai", "value")],
        &bold,
    )?;
    let measures: [(&str, f64, bool); 23] = [
        ("f1.share_older_10", p.f1.share_older_10, true),
        ("f1.share_more_than_10", p.f1.share_more_than_10, true),
        ("f1.age_bands.lt5", p.f1.age_bands.lt5 as f64, false),
        ("f1.age_bands.5_9", p.f1.age_bands.from5_to9 as f64, false),
        (
            "f1.age_bands.10_19",
            p.f1.age_bands.from10_to19 as f64,
            false,
        ),
        ("f1.age_bands.20_plus", p.f1.age_bands.from20 as f64, false),
        ("f2.villages", p.f2.villages as f64, false),
        ("f2.mean", p.f2.mean, false),
        ("f2.median", p.f2.median, false),
        ("f2.min", p.f2.min as f64, false),
        ("f2.max", p.f2.max as f64, false),
        ("f2.share_over_50", p.f2.share_over_50, true),
        ("f2.mean_all_villages", p.f2.mean_all_villages, false),
        (
            "f3.share_grown_from_community",
            p.f3.share_grown_from_community,
            true,
        ),
        (
            "f3.share_formed_from_outside",
            p.f3.share_formed_from_outside,
            true,
        ),
        ("f3.share_domicile", p.f3.share_domicile, true),
        (
            "f3.share_integration_or_resilience",
            p.f3.share_integration_or_resilience,
            true,
        ),
        (
            "f4.share_resilience_or_welfare",
            p.f4.share_resilience_or_welfare,
            true,
        ),
        ("f4.share_dues_any", p.f4.share_dues_any, true),
        ("f4.share_dues_main", p.f4.share_dues_main, true),
        (
            "f4.share_integration_or_resilience",
            p.f4.share_integration_or_resilience,
            true,
        ),
        ("f5.share_any", p.f5.share_any, true),
        ("f5.share_gotong_royong", p.f5.share_gotong_royong, true),
    ];
    for (k, v, is_share) in measures {
        row += 1;
        ws.write_string(row, 0, k)?;
        if is_share {
            ws.write_number_with_format(row, 1, v, &pct)?;
        } else {
            ws.write_number(row, 1, v)?;
        }
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 28)?;
    ws.set_column_width(3, 30)?;
    ws.set_column_width(4, 60)?;
    ws.set_column_width(5, 60)?;

    // Villages.
    let ws = wb.add_worksheet();
    ws.set_name(l("Desa", "Villages"))?;
    let mut cols = vec![
        l("kode", "code"),
        l("desa_kelurahan", "village"),
        l("tercatat", "recorded"),
        l("memenuhi_syarat", "qualifying"),
    ];
    cols.extend(brief_headers(lang));
    header(ws, 0, &cols, &bold)?;
    for (i, v) in p.by_village.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, v.code)?;
        ws.write_string(r, 1, v.name)?;
        ws.write_number(r, 2, v.recorded as f64)?;
        ws.write_number(r, 3, v.brief.groups as f64)?;
        write_brief(ws, r, 4, &v.brief, &pct)?;
    }
    ws.set_column_width(0, 15)?;
    ws.set_column_width(1, 24)?;

    // Child regions (districts of a regency, provinces of the country...).
    let children = child_rows(data, p);
    if !children.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(l("Wilayah", "Regions"))?;
        let mut cols = vec![
            l("kode", "code"),
            l("wilayah", "region"),
            l("desa_di_wilayah", "villages_in_region"),
            l("desa_dengan_kelompok", "villages_with_groups"),
            l("tercatat", "recorded"),
            l("memenuhi_syarat", "qualifying"),
        ];
        cols.extend(brief_headers(lang));
        header(ws, 0, &cols, &bold)?;
        for (i, c) in children.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &c.code)?;
            ws.write_string(r, 1, &c.name)?;
            ws.write_number(r, 2, c.villages_in_region as f64)?;
            ws.write_number(r, 3, c.villages_with_groups as f64)?;
            ws.write_number(r, 4, c.recorded as f64)?;
            ws.write_number(r, 5, c.counted.groups as f64)?;
            write_brief(ws, r, 6, &Brief::from(&c.counted), &pct)?;
        }
        ws.set_column_width(1, 28)?;
    }

    // Group types.
    let ws = wb.add_worksheet();
    ws.set_name(l("Jenis", "Types"))?;
    let mut cols = vec![
        l("kode", "code"),
        l("jenis", "type"),
        l("kelompok", "groups"),
        l("bagian", "share"),
    ];
    cols.extend(brief_headers(lang));
    header(ws, 0, &cols, &bold)?;
    for (i, t) in p.by_type.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, wahana_domain::Code::code(t.code))?;
        ws.write_string(r, 1, lang.pick(t.label_id, t.label_en))?;
        ws.write_number(r, 2, t.brief.groups as f64)?;
        ws.write_number_with_format(r, 3, t.share_of_groups, &pct)?;
        write_brief(ws, r, 4, &t.brief, &pct)?;
    }
    ws.set_column_width(1, 30)?;

    // Counts per code of the coded fields.
    let ws = wb.add_worksheet();
    ws.set_name(l("Kategori", "Categories"))?;
    header(
        ws,
        0,
        &[
            l("kolom", "field"),
            l("kode", "code"),
            l("label", "label"),
            l("kelompok", "groups"),
            l("bagian", "share"),
        ],
        &bold,
    )?;
    let lists: [(&str, &Vec<CodeCount>); 5] = [
        ("asal", &p.counts.origin),
        ("dasar_keanggotaan", &p.counts.membership_basis),
        ("tujuan", &p.counts.purposes),
        ("sumber_dana", &p.counts.funding),
        ("nilai", &p.counts.values),
    ];
    let mut r = 0;
    for (field, list) in lists {
        for c in list {
            r += 1;
            ws.write_string(r, 0, field)?;
            ws.write_string(r, 1, c.code)?;
            ws.write_string(r, 2, lang.pick(c.label_id, c.label_en))?;
            ws.write_number(r, 3, c.groups as f64)?;
            ws.write_number_with_format(r, 4, c.share, &pct)?;
        }
    }
    ws.set_column_width(2, 34)?;

    network_sheet(&mut wb, data.scope, network, lang)?;
    if let Some(m) = map {
        map_sheet(&mut wb, m, lang)?;
    }

    if let Some((d, records)) = change {
        super::compare::xlsx_sheets(&mut wb, d, records, lang)?;
    }

    // The rule set and the method.
    let ws = wb.add_worksheet();
    ws.set_name(l("Aturan", "Rules"))?;
    ws.write_string_with_format(
        0,
        0,
        format!("{}: {}", data.rules.version, data.rules.name),
        &bold,
    )?;
    header(
        ws,
        2,
        &[
            l("kriteria", "criterion"),
            l("jenis", "kind"),
            l("nama", "name"),
            l("catatan", "note"),
        ],
        &bold,
    )?;
    let mut r = 2;
    for c in &data.rules.criteria {
        r += 1;
        ws.write_string(r, 0, &c.id)?;
        ws.write_string(r, 1, c.kind.code())?;
        ws.write_string(r, 2, c.label(lang))?;
        ws.write_string(r, 3, c.note.as_deref().unwrap_or(""))?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, l("Catatan metode", "Method"), &bold)?;
    for note in data.notes(lang).iter().chain(method_notes(lang).iter()) {
        r += 1;
        ws.write_string(r, 0, note)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, l("Teks aturan (TOML)", "Rule set text (TOML)"), &bold)?;
    for line in data.rules_text.lines() {
        r += 1;
        ws.write_string(r, 0, line)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(2, 60)?;

    Ok(wb.save_to_buffer()?)
}

/// The map as a picture (rendered from its SVG), beside the value of every region on it.
fn map_sheet(wb: &mut Workbook, map: &super::map::Choropleth, lang: Lang) -> Result<()> {
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Peta", "Map"))?;
    ws.write_string_with_format(
        0,
        0,
        lang.pick(
            "Peta: wilayah di bawahnya menurut jumlah kelompok tercatat",
            "Map: the regions below by groups recorded",
        ),
        &bold,
    )?;
    let headers = [
        lang.pick("Kode", "Code"),
        lang.pick("Nama", "Name"),
        lang.pick("Kelompok tercatat", "Groups recorded"),
        lang.pick("Berbatas", "Has a boundary"),
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, r) in map.rows.iter().enumerate() {
        let row = 3 + i as u32;
        ws.write_string(row, 0, &r.code)?;
        ws.write_string(row, 1, &r.name)?;
        ws.write_string(row, 2, &r.value)?;
        ws.write_string(
            row,
            3,
            if r.has_boundary {
                lang.pick("ya", "yes")
            } else {
                lang.pick("tidak (titik)", "no (a point)")
            },
        )?;
    }
    ws.set_column_width(1, 28)?;
    ws.set_column_width(2, 18)?;
    let png = super::map::png(&map.svg, 800).map_err(|e| anyhow::anyhow!("map image: {e}"))?;
    let image = rust_xlsxwriter::Image::new_from_buffer(&png)?
        .set_scale_width(0.6)
        .set_scale_height(0.6)
        .set_alt_text(lang.pick("Peta wilayah", "Map of the regions"));
    ws.insert_image(2, 5, &image)?;
    Ok(())
}

/// The network sheet with its heading.
fn network_heading<'a>(
    wb: &'a mut Workbook,
    lang: Lang,
    bold: &Format,
) -> Result<&'a mut Worksheet> {
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Jejaring", "Network"))?;
    ws.write_string_with_format(0, 0, lang.pick("Jejaring", "The network"), bold)?;
    Ok(ws)
}

/// The network section as a sheet: the measures (one row each: label, value, JSON key of
/// `wahana network --format json`), then the top brokers; for a scope too large to build, the
/// report's sentence pointing to `wahana network`. Actors are named as `network` names them
/// (by kind and number only for the public: [`crate::service::network::anonymise`]).
fn network_sheet(
    wb: &mut Workbook,
    scope: Scope,
    network: &ReportNetwork,
    lang: Lang,
) -> Result<()> {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("#,##0");
    let ratio = Format::new().set_num_format("0.0000");
    let mean = Format::new().set_num_format("0.00");
    let pct = Format::new().set_num_format("0.0%");
    let d = match network {
        ReportNetwork::Omitted => return Ok(()),
        ReportNetwork::TooLarge { groups } => {
            let ws = network_heading(wb, lang, &bold)?;
            ws.write_string(1, 0, network_too_large(scope, *groups, lang))?;
            return Ok(());
        }
        ReportNetwork::Drawn(d) => d,
    };
    let ws = network_heading(wb, lang, &bold)?;
    let m = &d.measures;
    let r = &m.measures;
    ws.write_string(1, 0, network_description(lang))?;
    let mut row = 3;
    header(
        ws,
        row,
        &[
            l("ukuran", "measure"),
            l("nilai", "value"),
            l("kunci", "key"),
        ],
        &bold,
    )?;
    let n = |x: usize| x as f64;
    let measures: [(&str, &str, f64, &Format, &str); 16] = [
        (
            "Pelaku (simpul)",
            "Actors (nodes)",
            n(r.nodes),
            &count,
            "nodes",
        ),
        ("Kelompok", "Groups", n(r.groups), &count, "groups"),
        (
            "Lembaga pendukung",
            "Support institutions",
            n(r.institutions),
            &count,
            "institutions",
        ),
        (
            "Wahana (WKSBM)",
            "Networks (WKSBM)",
            n(r.networks),
            &count,
            "networks",
        ),
        ("Ikatan", "Ties", n(r.ties), &count, "ties"),
        (
            "Ikatan ke luar wilayah (tidak dihitung)",
            "Ties leaving the scope (left out)",
            n(r.ties_leaving_scope),
            &count,
            "ties_leaving_scope",
        ),
        ("Kepadatan", "Density", r.density, &ratio, "density"),
        (
            "Komponen terhubung",
            "Connected components",
            n(r.components),
            &count,
            "components",
        ),
        (
            "Komponen terbesar (pelaku)",
            "Largest component (actors)",
            n(r.largest_component),
            &count,
            "largest_component",
        ),
        (
            "Kelompok tanpa ikatan",
            "Groups without ties",
            n(r.isolates),
            &count,
            "isolates",
        ),
        (
            "Derajat rata-rata",
            "Degree mean",
            r.degree_mean,
            &mean,
            "degree_mean",
        ),
        (
            "Derajat maksimum",
            "Degree max",
            f64::from(r.degree_max),
            &count,
            "degree_max",
        ),
        (
            "Kelompok terikat ke lembaga",
            "Groups tied to an institution",
            r.share_tied_to_institution,
            &pct,
            "share_tied_to_institution",
        ),
        (
            "Ikatan lintas desa/kelurahan",
            "Ties across villages",
            n(r.cross_village_ties),
            &count,
            "cross_village_ties",
        ),
        (
            "Ikatan anggota bersama",
            "Co-membership ties",
            n(r.co_membership_ties),
            &count,
            "co_membership_ties",
        ),
        (
            "Ikatan keanggotaan dari kolom wahana",
            "Membership ties from the network column",
            n(m.implied_membership_ties),
            &count,
            "implied_membership_ties",
        ),
    ];
    for (id, en, value, format, key) in measures {
        row += 1;
        ws.write_string(row, 0, l(id, en))?;
        ws.write_number_with_format(row, 1, value, format)?;
        ws.write_string(row, 2, key)?;
    }
    row += 2;
    if !m.betweenness_computed {
        ws.write_string(row, 0, betweenness_skipped(lang))?;
    } else if !r.top_brokers.is_empty() {
        ws.write_string_with_format(row, 0, l("Perantara utama", "Top brokers"), &bold)?;
        row += 1;
        header(
            ws,
            row,
            &[
                l("peringkat", "rank"),
                "id",
                l("nama", "name"),
                l("jenis", "kind"),
                "betweenness",
                l("derajat", "degree"),
            ],
            &bold,
        )?;
        for (rank, b) in r.top_brokers.iter().enumerate() {
            row += 1;
            ws.write_number(row, 0, (rank + 1) as f64)?;
            ws.write_string(row, 1, &b.id)?;
            ws.write_string(row, 2, &b.name)?;
            // Kind and degree from the same (anonymised, for the public) per-node list.
            if let Some(node) = r.per_node.iter().find(|x| x.id == b.id) {
                ws.write_string(row, 3, node.kind.label(lang))?;
                ws.write_number_with_format(row, 5, f64::from(node.degree), &count)?;
            }
            ws.write_number_with_format(row, 4, b.betweenness, &ratio)?;
        }
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 34)?;
    ws.set_column_width(3, 22)?;
    ws.set_column_width(4, 12)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use wahana_domain::{RegionCode, RegionTree};

    fn read(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
        Xlsx::new(std::io::Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn too_large_scope_gets_the_reports_sentence_and_omitted_no_sheet() {
        let regency = RegionTree::official()
            .get(&RegionCode::parse("73.08").unwrap())
            .unwrap();
        for (scope, code) in [
            (Scope::Region(regency), "73.08"),
            (Scope::National, "nasional"),
        ] {
            for (lang, sheet, count) in [
                (Lang::Id, "Jejaring", "123.456"),
                (Lang::En, "Network", "123,456"),
            ] {
                let mut wb = Workbook::new();
                wb.add_worksheet().set_name("x").unwrap();
                network_sheet(&mut wb, scope, &ReportNetwork::Omitted, lang).unwrap();
                let too_large = ReportNetwork::TooLarge { groups: 123_456 };
                network_sheet(&mut wb, scope, &too_large, lang).unwrap();
                let mut x = read(wb.save_to_buffer().unwrap());
                assert_eq!(x.sheet_names(), ["x", sheet]);
                let range = x.worksheet_range(sheet).unwrap();
                let said = range.get((1, 0)).unwrap().to_string();
                assert_eq!(said, network_too_large(scope, 123_456, lang));
                assert!(said.contains(count), "{said}");
                assert!(
                    said.ends_with(&format!("wahana network --region {code}")),
                    "{said}"
                );
            }
        }
    }
}
