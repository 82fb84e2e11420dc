//! `wahana profile`: the five findings for a region, as text, JSON, Markdown, HTML or XLSX.

use super::output;
use crate::report;
use crate::service::compare::{self, CompareError, CompareRequest};
use crate::service::profile::{self, ProfileJson, ProfileRequest};
use crate::service::screening::Scope;
use anyhow::{Context as _, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use wahana_domain::Lang;
use wahana_domain::profile::Profile;
use wahana_store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained file (SVG charts, prints to A4).
    Html,
    /// A workbook with one sheet per table.
    Xlsx,
    /// The region's children as GeoJSON for a GIS (QGIS, ogr2ogr): each its boundary (or a
    /// point at its centre) with its counts and every measure of the map as properties.
    Geojson,
}

#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// Region code or name at any level, from a province to one village (73.08.21,
    /// "Tanete Riattang"), or `nasional` for the whole country.
    #[arg(long)]
    region: String,
    /// Wave (pendataan) id; the region's default when not given: the latest wave (by date,
    /// then id) holding records of its groups.
    #[arg(long)]
    wave: Option<String>,
    /// Rule set version (default seed-2007) or a TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    rules: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: ProfileFormat,
    /// Write to this file instead of standard output; html and xlsx go to
    /// profil-wksbm_<region>_<wave>.<ext> (`profil-wksbm_kab-bone_pendataan-2007.html`) in the
    /// current directory when not given.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Add the section "Perubahan sejak W1 / Change since W1" to the report: each group's
    /// fate since this earlier wave, counts by village and group type, the survival rate and the
    /// findings of both waves, with a chart (html, xlsx, markdown and text; for JSON use
    /// `wahana compare`). Needs a region, not the whole country.
    #[arg(long, value_name = "WAVE")]
    compare_with: Option<String>,
    /// Benchmark: build the profile this many times and print the timings as JSON.
    #[arg(long, hide = true, value_name = "RUNS")]
    bench: Option<usize>,
}

pub async fn run(
    store: &Store,
    a: ProfileArgs,
    letterhead: &crate::config::Letterhead,
    lang: Lang,
) -> Result<ExitCode> {
    let req = ProfileRequest {
        scope: Scope::parse(&a.region, lang)?,
        wave: a.wave.clone(),
        rules: a.rules.clone(),
    };
    if let Some(runs) = a.bench {
        return bench(store, &req, runs.max(1), lang).await;
    }
    let data = profile::build(store, &req, crate::service::today(), lang).await?;
    for note in data.notes(lang) {
        eprintln!("{note}");
    }
    let p = data.profile();
    // The comparison with an earlier wave, ending with the profile's wave.
    let change = match (&a.compare_with, data.scope) {
        (None, _) => None,
        (Some(_), _) if a.format == ProfileFormat::Json => anyhow::bail!(
            "{}",
            lang.pick(
                "--compare-with tidak berlaku untuk --format json; perbandingan sebagai JSON: wahana compare --format json",
                "--compare-with does not apply to --format json; the comparison as JSON: wahana compare --format json",
            )
        ),
        (Some(_), Scope::National) => anyhow::bail!(
            "{}",
            CompareError::NotARegion.message(lang)
        ),
        (Some(w1), Scope::Region(region)) => {
            let req = CompareRequest {
                region,
                from: w1.clone(),
                to: data.wave.id.clone(),
                rules: a.rules.clone(),
            };
            Some(
                compare::build(store, &req, crate::service::today(), lang)
                    .await
                    .map_err(|e| super::fail(e, lang))?,
            )
        }
    };
    // Whoever runs the command reads the database itself: the groups are listed.
    let change_ref = change.as_ref().map(|d| (d, true));
    // The network section of the HTML and XLSX reports, actors named: whoever runs the
    // command reads the database itself.
    let network = match a.format {
        ProfileFormat::Html | ProfileFormat::Xlsx => crate::service::network::report_section(
            store,
            data.scope,
            Some(data.wave.id.clone()),
            p.groups_recorded,
            lang,
            false,
        )
        .await
        .map_err(|e| super::fail(e, lang))?,
        _ => crate::service::network::ReportNetwork::Omitted,
    };
    // The map of the region's children, for the HTML and XLSX reports.
    let map = match a.format {
        ProfileFormat::Html | ProfileFormat::Xlsx | ProfileFormat::Geojson => {
            let region = match data.scope {
                Scope::National => None,
                Scope::Region(r) => Some(r),
            };
            let shapes = crate::service::boundaries::children_shapes(store, region).await?;
            if a.format == ProfileFormat::Geojson {
                Some(Err(report::map::measures_geojson(
                    &report::map::area_stats(&data, &p),
                    &shapes,
                )))
            } else {
                report::map::report_map(&data, &p, &shapes, lang).map(Ok)
            }
        }
        _ => None,
    };
    let (map, geojson) = match map {
        Some(Ok(m)) => (Some(m), None),
        Some(Err(g)) => (None, Some(g)),
        None => (None, None),
    };
    let bytes: Vec<u8> = match a.format {
        ProfileFormat::Geojson => geojson.unwrap_or_default().into_bytes(),
        ProfileFormat::Text => {
            let mut s = report::text(&data, &p, lang);
            if let Some(d) = &change {
                s.push('\n');
                s.push_str(&report::compare::text(d, true, lang));
            }
            s.into_bytes()
        }
        ProfileFormat::Markdown => {
            let mut s = report::markdown(&data, &p, lang);
            if let Some(d) = &change {
                s.push('\n');
                s.push_str(&report::compare::markdown(d, true, lang).replacen("# ", "## ", 1));
            }
            s.into_bytes()
        }
        ProfileFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&ProfileJson {
                profile: &p,
                actors: data.actors,
            })?;
            v.push(b'\n');
            v
        }
        ProfileFormat::Html => {
            let head = report::ReportHead::load(letterhead)?;
            let setting = report::html::Setting {
                lang,
                head: &head,
                nav: "",
            };
            report::html::render(&data, &p, setting, &network, map.as_ref(), change_ref)?
                .into_bytes()
        }
        ProfileFormat::Xlsx => {
            report::xlsx::render(&data, &p, lang, &network, map.as_ref(), change_ref)?
        }
    };
    // `profil-wksbm_kab-bone_pendataan-2007.html`: the region and the wave.
    let default_file = matches!(a.format, ProfileFormat::Html | ProfileFormat::Xlsx).then(|| {
        let ext = if a.format == ProfileFormat::Html {
            "html"
        } else {
            "xlsx"
        };
        PathBuf::from(format!("{}.{ext}", report::file_stem(&data)))
    });
    match a.output.or(default_file) {
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

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    let n = v.len();
    let mid = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    mid.as_secs_f64() * 1000.0
}

/// Times the whole use case (wave and rules lookup, tallies, networks, computation) and its
/// core (reading the tallies and computing the profile), `runs` times each after one warm-up.
async fn bench(store: &Store, req: &ProfileRequest, runs: usize, lang: Lang) -> Result<ExitCode> {
    let today = crate::service::today();
    let first = Instant::now();
    let data = profile::build(store, req, today, lang).await?;
    let cold = first.elapsed();
    let checksum = data.profile().groups_qualifying;
    let mut full = Vec::with_capacity(runs);
    let mut core = Vec::with_capacity(runs);
    let mut villages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let d = profile::build(store, req, today, lang).await?;
        let p = d.profile();
        std::hint::black_box(&p);
        full.push(t.elapsed());

        let t = Instant::now();
        let tallies = store
            .profile_tallies(&data.wave.id, &data.rules.version, req.scope.code())
            .await?;
        let p: Profile<'_> = Profile::compute(tallies.input(
            wahana_domain::profile::RegionRef::NATIONAL,
            wahana_domain::profile::WaveRef {
                id: &data.wave.id,
                name: &data.wave.name,
                date: data.wave.date(),
                synthetic: data.wave.synthetic,
                sample: data.wave.is_sample(),
            },
            &data.rules.version,
        ));
        villages = p.by_village.len();
        std::hint::black_box(&p);
        core.push(t.elapsed());
    }
    let min = |v: &[Duration]| v.iter().min().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    output::print_json(&serde_json::json!({
        "region": req.scope.code_str(),
        "region_name": req.scope.name(),
        "wave": data.wave.id,
        "rules": data.rules.version,
        "backend": format!("{:?}", store.backend()),
        "groups_qualifying": checksum,
        "villages": villages,
        "runs": runs,
        "first_ms": cold.as_secs_f64() * 1000.0,
        "profile_median_ms": median_ms(core.clone()),
        "profile_min_ms": min(&core),
        "with_lookups_and_networks_median_ms": median_ms(full.clone()),
        "with_lookups_and_networks_min_ms": min(&full),
    }))?;
    Ok(ExitCode::SUCCESS)
}
