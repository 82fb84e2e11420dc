//! `wahana network`: the measures of a scope's network as text, JSON, GraphML or SVG.

use crate::service::network::{self, BETWEENNESS_LIMIT, DETAIL_LIMIT, ScopeMeasures, ScopeRequest};
use crate::service::screening::Scope;
use anyhow::{Context as _, Result};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_domain::network::{DRAW_LIMIT, NodeKind};
use wahana_store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetworkFormat {
    Text,
    /// Stable keys: nodes, ties, density, components, largest_component, isolates, degree_mean,
    /// degree_max, top_brokers, share_tied_to_institution, cross_village_ties, per_node, ...
    Json,
    /// For Gephi, Cytoscape, yEd or networkx.
    Graphml,
    /// A picture (a summary above 300 nodes).
    Svg,
}

#[derive(Args, Debug)]
pub struct NetworkArgs {
    /// Region code or name at any level (a village, 73.08.21, "Tanete Riattang", a province),
    /// or `nasional` for the whole country.
    #[arg(long)]
    region: String,
    /// One WKSBM network's own graph: the network (its id) and the actors tied to it or naming
    /// it, inside the region.
    #[arg(long)]
    network: Option<String>,
    /// Wave (pendataan) id; the region's default when not given: the latest wave holding
    /// records of its groups.
    #[arg(long)]
    wave: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: NetworkFormat,
    /// Write to this file instead of standard output (svg goes to jejaring-<region>.svg when
    /// not given).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Skip betweenness whatever the size (it is skipped anyway above 20,000 nodes).
    #[arg(long, hide = true)]
    no_betweenness: bool,
    /// Print the time spent loading and measuring to standard error.
    #[arg(long, hide = true)]
    timings: bool,
}

pub async fn run(store: &Store, a: NetworkArgs, lang: Lang) -> Result<ExitCode> {
    let scope = Scope::parse(&a.region, lang)?;
    // One wave: the one named, else the region's default (the latest holding its groups).
    let wave = crate::service::waves::shown(store, scope.code(), a.wave.as_deref())
        .await
        .map_err(|e| super::fail(e, lang))?
        .map(|s| s.wave.id);
    let req = ScopeRequest {
        scope,
        network: a.network.clone(),
        wave,
    };
    let (sg, m) = network::measure_scope(store, &req, a.no_betweenness)
        .await
        .map_err(|e| super::fail(e, lang))?;
    if a.timings {
        eprintln!(
            "load {:.3} s, measure {:.3} s, {} nodes, {} ties",
            sg.load_seconds, m.measure_seconds, m.measures.nodes, m.measures.ties
        );
    }
    let bytes = match a.format {
        NetworkFormat::Text => text(&m, lang).into_bytes(),
        NetworkFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&m)?;
            v.push(b'\n');
            v
        }
        NetworkFormat::Graphml => network::graphml(&sg, &m)
            .map_err(|e| super::fail(e, lang))?
            .into_bytes(),
        NetworkFormat::Svg => network::draw(&sg, &m, lang).into_bytes(),
    };
    let default_file = (a.format == NetworkFormat::Svg).then(|| {
        let code = req
            .scope
            .code()
            .map_or("nasional".to_string(), |c| c.digits());
        let suffix = req
            .network
            .as_ref()
            .map_or(String::new(), |n| format!("-{n}"));
        PathBuf::from(format!("jejaring-{code}{suffix}.svg"))
    });
    match a.out.or(default_file) {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("{}", path.display()))?;
            eprintln!(
                "{}",
                lang.pick(
                    &format!("ditulis: {}", path.display()),
                    &format!("written: {}", path.display())
                )
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The measures as lines of text, in Bahasa Indonesia or English.
pub fn text(m: &ScopeMeasures, lang: Lang) -> String {
    let r = &m.measures;
    let mut out = String::new();
    let scope = match &m.network {
        Some(n) => format!("{n} ({} {})", m.scope_name, m.scope),
        None => format!("{} ({})", m.scope_name, m.scope),
    };
    let wave = m
        .wave
        .clone()
        .unwrap_or_else(|| lang.pick("semua pendataan", "every wave").to_string());
    let _ = writeln!(
        out,
        "{} {scope}, {wave}",
        lang.pick("Jejaring WKSBM", "WKSBM network of")
    );
    let mut line = |label_id: &str, label_en: &str, value: String| {
        let label = lang.pick(label_id, label_en);
        let _ = writeln!(out, "  {label:<42} {value}");
    };
    line(
        "pelaku (simpul)",
        "actors (nodes)",
        lang.pick(
            &format!(
                "{} ({} kelompok, {} lembaga, {} wahana)",
                r.nodes, r.groups, r.institutions, r.networks
            ),
            &format!(
                "{} ({} groups, {} institutions, {} networks)",
                r.nodes, r.groups, r.institutions, r.networks
            ),
        )
        .to_string(),
    );
    line("ikatan", "ties", r.ties.to_string());
    line(
        "  dari kolom wahana kelompok",
        "  from groups' wahana column",
        m.implied_membership_ties.to_string(),
    );
    line(
        "  anggota bersama",
        "  co-membership",
        r.co_membership_ties.to_string(),
    );
    line(
        "  ke pelaku di luar wilayah atau bubar",
        "  to actors outside or dissolved (left out)",
        r.ties_leaving_scope.to_string(),
    );
    line("kepadatan", "density", format!("{:.6}", r.density));
    line(
        "komponen terhubung",
        "connected components",
        lang.pick(
            &format!("{} (terbesar {} simpul)", r.components, r.largest_component),
            &format!("{} (largest {} nodes)", r.components, r.largest_component),
        )
        .to_string(),
    );
    line(
        "kelompok terisolasi",
        "isolated groups",
        r.isolates.to_string(),
    );
    line(
        "derajat rata-rata / maksimum",
        "degree mean / max",
        format!("{:.3} / {}", r.degree_mean, r.degree_max),
    );
    line(
        "kelompok terikat ke lembaga",
        "groups tied to an institution",
        pct(r.share_tied_to_institution),
    );
    line(
        "ikatan lintas desa/kelurahan",
        "ties crossing village lines",
        r.cross_village_ties.to_string(),
    );
    if m.betweenness_computed {
        let _ = writeln!(
            out,
            "  {}",
            lang.pick(
                "Perantara utama (keperantaraan, 0 sampai 1):",
                "Top brokers (betweenness, normalised):"
            )
        );
        if r.top_brokers.is_empty() {
            let _ = writeln!(out, "    {}", lang.pick("(tidak ada)", "(none)"));
        }
        for (k, b) in r.top_brokers.iter().enumerate() {
            let kind = r
                .per_node
                .iter()
                .find(|n| n.id == b.id)
                .map_or(NodeKind::Group, |n| n.kind);
            let _ = writeln!(
                out,
                "    {:>2}. {:.4}  {} {} [{}]",
                k + 1,
                b.betweenness,
                b.id,
                b.name,
                kind.label(lang)
            );
        }
    } else {
        let _ = writeln!(
            out,
            "  {}",
            lang.pick(
                &format!(
                    "Keperantaraan tidak dihitung ({} simpul; dihitung sampai {BETWEENNESS_LIMIT} simpul, atau dilewati atas permintaan).",
                    r.nodes
                ),
                &format!(
                    "Betweenness not computed ({} nodes; computed up to {BETWEENNESS_LIMIT} nodes, or skipped on request).",
                    r.nodes
                ),
            )
        );
    }
    if !m.per_node_listed {
        let _ = writeln!(
            out,
            "  {}",
            lang.pick(
                &format!("Daftar per simpul tidak dibuat di atas {DETAIL_LIMIT} simpul."),
                &format!("No per-node lists above {DETAIL_LIMIT} nodes."),
            )
        );
    } else if r.nodes > DRAW_LIMIT {
        let _ = writeln!(
            out,
            "  {}",
            lang.pick(
                &format!(
                    "Gambar (--format svg): ringkasan, karena lebih dari {DRAW_LIMIT} simpul."
                ),
                &format!(
                    "Picture (--format svg): a summary, as there are more than {DRAW_LIMIT} nodes."
                ),
            )
        );
    }
    out
}
