//! `wahana screen`: which groups of a region qualify under a rule set, and why.

use super::output::{self, Format};
use crate::service::screening::{self, GroupScreening, Scope, ScreenRequest};
use anyhow::{Result, anyhow};
use clap::Args;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_domain::codes::Code;
use wahana_domain::screening::Outcome;
use wahana_store::Store;

#[derive(Args, Debug)]
pub struct ScreenArgs {
    /// Region code or name, any level (73.08.21, "Tanete Riattang"), or `nasional`.
    #[arg(long)]
    region: String,
    /// Wave (pendataan) id; the region's default when not given: the latest wave holding
    /// records of its groups (one wave, never several mixed).
    #[arg(long)]
    wave: Option<String>,
    /// Rule set: a version held in the database (default seed-2007) or a TOML file, which is
    /// registered under its `version`.
    #[arg(long, value_name = "NAME|FILE")]
    rules: Option<String>,
    /// Screen the whole wave again even when its results under these rules are already kept.
    #[arg(long)]
    rebuild: bool,
    /// List only groups with this outcome: memenuhi, tidak_memenuhi or belum_lengkap (the
    /// summary still counts every group).
    #[arg(long)]
    outcome: Option<String>,
    /// Groups listed at most: the table shows 100 unless told, JSON and CSV every group.
    #[arg(long)]
    limit: Option<i64>,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// The reasons that explain a group's outcome: those of criteria it did not pass (all of them
/// when it qualifies).
fn explain(g: &GroupScreening, lang: Lang) -> String {
    let failing: Vec<&str> = g
        .reasons
        .iter()
        .filter(|r| r.passed != Some(true))
        .map(|r| r.message(lang))
        .collect();
    if failing.is_empty() {
        lang.pick("semua kriteria terpenuhi", "every criterion met")
            .to_string()
    } else {
        failing.join("; ")
    }
}

fn verdict(g: &GroupScreening, criterion: &str, lang: Lang) -> &'static str {
    match g.reasons.iter().find(|r| r.criterion == criterion) {
        Some(r) => match r.passed {
            Some(true) => lang.pick("ya", "yes"),
            Some(false) => lang.pick("tidak", "no"),
            None => lang.pick("belum", "unknown"),
        },
        None => "",
    }
}

pub async fn run(store: &Store, a: ScreenArgs, lang: Lang) -> Result<ExitCode> {
    let outcome = a
        .outcome
        .as_deref()
        .map(|o| {
            Outcome::from_code(o).ok_or_else(|| {
                anyhow!(
                    "{}",
                    lang.pick(
                        &format!(
                            "hasil \"{o}\" tidak dikenal; salah satu dari: {}",
                            Outcome::expected()
                        ),
                        &format!("unknown outcome \"{o}\"; one of: {}", Outcome::expected()),
                    )
                )
            })
        })
        .transpose()?;
    let req = ScreenRequest {
        scope: Scope::parse(&a.region, lang)?,
        wave: a.wave,
        rules: a.rules,
        rebuild: a.rebuild,
        outcome,
        limit: usize::try_from(output::limit_for(a.format, a.limit).max(0)).unwrap_or(usize::MAX),
        offset: a.offset,
    };
    let report = screening::screen(store, &req, lang).await?;
    let s = &report.summary;
    let pct = |n: u64| {
        if s.total == 0 {
            "–".to_string()
        } else {
            wahana_domain::profile::format_percent(n as f64 / s.total as f64, lang)
        }
    };
    let summary_lines = || {
        let mut lines = Vec::new();
        lines.push(format!(
            "{} {} ({}) — {} {}: {}",
            lang.pick("Penyaringan", "Screening"),
            report.region_name,
            if report.region.is_empty() {
                "nasional"
            } else {
                report.region
            },
            lang.pick("aturan", "rules"),
            report.rules,
            report.rules_name
        ));
        for w in &report.waves {
            let how = match w.screened_now {
                Some(n) => lang
                    .pick(
                        &format!("disaring sekarang, {n} kelompok di seluruh pendataan"),
                        &format!("screened now, {n} groups over the whole wave"),
                    )
                    .to_string(),
                None => lang
                    .pick(
                        "hasil tersimpan dan terkini (--rebuild untuk menyaring ulang)",
                        "results kept and current (--rebuild to screen again)",
                    )
                    .to_string(),
            };
            let synthetic = if w.synthetic {
                lang.pick(" [DATA SINTETIS]", " [SYNTHETIC DATA]")
            } else {
                ""
            };
            lines.push(format!(
                "  {} {} ({}){synthetic}: {how}",
                lang.pick("pendataan", "wave"),
                w.id,
                w.name
            ));
        }
        lines.push(format!(
            "  {}: {}; {} {} ({}), {} {} ({}), {} {} ({})",
            lang.pick("kelompok", "groups"),
            s.total,
            Outcome::Qualifies.label(lang),
            s.qualifies,
            pct(s.qualifies),
            Outcome::DoesNotQualify.label(lang),
            s.does_not_qualify,
            pct(s.does_not_qualify),
            Outcome::Incomplete.label(lang),
            s.incomplete,
            pct(s.incomplete)
        ));
        for c in &report.criteria {
            if let Some(n) = s.by_criterion.iter().find(|x| x.criterion == c.id) {
                lines.push(format!(
                    "  {} {}: {} {}, {} {}, {} {}",
                    c.id,
                    lang.pick(&c.label_id, &c.label_en),
                    lang.pick("lulus", "passed"),
                    n.passed,
                    lang.pick("gagal", "failed"),
                    n.failed,
                    lang.pick("belum dapat dinilai", "cannot be judged"),
                    n.incomplete
                ));
            }
        }
        lines
    };
    // Groups up to the end of this page, counted from the first listed.
    let shown = (report.offset + report.groups.len()) as u64;
    match a.format {
        Format::Json => output::print_json(&report)?,
        Format::Csv => {
            let mut headers: Vec<&str> = vec![
                "id",
                "pendataan",
                "kode_wilayah",
                "desa_kelurahan",
                "nama",
                "jenis",
                "hasil_penyaringan",
            ];
            headers.extend(report.criteria.iter().map(|c| c.id.as_str()));
            headers.push("alasan");
            let rows: Vec<Vec<String>> = report
                .groups
                .iter()
                .map(|g| {
                    let mut r = vec![
                        g.id.clone(),
                        g.wave.clone(),
                        g.village.clone(),
                        g.village_name.clone(),
                        g.name.clone(),
                        g.group_type.to_string(),
                        g.outcome.code().to_string(),
                    ];
                    r.extend(
                        report
                            .criteria
                            .iter()
                            .map(|c| verdict(g, &c.id, lang).to_string()),
                    );
                    r.push(explain(g, lang));
                    r
                })
                .collect();
            output::print_csv(&headers, &rows)?;
            for line in summary_lines() {
                eprintln!("{line}");
            }
        }
        Format::Table => {
            for line in summary_lines() {
                println!("{line}");
            }
            println!();
            let headers = [
                "id",
                lang.pick("desa/kelurahan", "village"),
                lang.pick("nama", "name"),
                lang.pick("jenis", "type"),
                lang.pick("hasil", "outcome"),
                lang.pick("alasan", "reasons"),
            ];
            let rows: Vec<Vec<String>> = report
                .groups
                .iter()
                .map(|g| {
                    vec![
                        g.id.clone(),
                        g.village_name.clone(),
                        g.name.clone(),
                        g.group_type.to_string(),
                        g.outcome.label(lang).to_string(),
                        explain(g, lang),
                    ]
                })
                .collect();
            output::print_table(&headers, &rows);
            if report.offset > 0 || shown < report.listed_total {
                eprintln!(
                    "{}",
                    lang.pick(
                        &format!(
                            "{} dari {} kelompok (mulai {}); halaman berikut dengan --offset {}",
                            report.groups.len(),
                            report.listed_total,
                            report.offset + 1,
                            shown
                        ),
                        &format!(
                            "{} of {} groups (from {}); next page with --offset {}",
                            report.groups.len(),
                            report.listed_total,
                            report.offset + 1,
                            shown
                        ),
                    )
                );
            }
        }
    }
    output::note_cut(
        lang,
        i64::try_from(report.listed_total.saturating_sub(shown)).unwrap_or(i64::MAX),
    );
    Ok(ExitCode::SUCCESS)
}
