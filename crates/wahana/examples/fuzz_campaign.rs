//! The fuzz campaign: generated outside input against every parser that takes it, counting per
//! parser the inputs, the panics (caught), the hangs (one input over a second) and, for the
//! imports, the refused files that changed the database anyway. The goal is zero of each.
//!
//!   cargo run --release -p wahana --example fuzz_campaign -- [--inputs N] [--seed S] [--imports M] [--out DIR]
//!
//! `N` (default 1,000,000) inputs are spread evenly over the pure parsers (region codes, dates,
//! rule-set TOML, OpenRosa XML, query strings and paths, the API's JSON bodies). The imports
//! (CSV and XLSX through `service::import::import_file`) each open a database transaction, so
//! they get `M` cases (default 2,000) on one SQLite store holding the demonstration data.
//! Every failing input is written to `DIR` (default `fuzz-failures/`) as a file of its own, to
//! be turned into a regression test. Exits with 1 when anything failed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a campaign stops loudly on its own bugs

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wahana::service::import::{ImportOptions, import_file};
use wahana_domain::screening::RuleSet;
use wahana_domain::{Date, RegionCode};

/// One input over this long is a hang.
const HANG: Duration = Duration::from_secs(1);

/// Pieces that break parsers: markup, quotes, entities, controls, separators, non-ASCII.
const PIECES: &[&str] = &[
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "\"",
    "'",
    "]]>",
    "<![CDATA[",
    "<!--",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&a;",
    "\u{0}",
    "\u{FEFF}",
    "\u{FFFD}",
    "\u{202E}",
    ".",
    "..",
    "73",
    "73.08",
    "73.08.21",
    "73.08.21.1003",
    "-",
    "/",
    "\\",
    "%",
    "%00",
    "%zz",
    "=",
    "&&",
    "?",
    "#",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    ";",
    "\t",
    "\r",
    "\n",
    "\r\n",
    " ",
    "0",
    "-1",
    "2026",
    "2026-02-30",
    "2026-13-01",
    "31/12/2025",
    "9999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "é",
    "ü",
    "ß",
    "ǅ",
    "𝔘",
    "日本",
    "ا",
    "\u{301}",
];

fn text(rng: &mut StdRng, most: usize) -> String {
    let n = rng.random_range(0..=most);
    let mut s = String::new();
    for _ in 0..n {
        match rng.random_range(0..4) {
            0 => {
                let k = rng.random_range(1..8);
                for _ in 0..k {
                    s.push(rng.random_range(b'a'..=b'z') as char);
                }
            }
            1 => s.push(char::from_u32(rng.random_range(0..0x3000)).unwrap_or('?')),
            _ => s.push_str(PIECES[rng.random_range(0..PIECES.len())]),
        }
    }
    s
}

/// The instrument's columns (English aliases) and good values, for tables that are nearly
/// right.
const COLUMNS: [(&str, &str); 6] = [
    ("name", "Posyandu Mawar"),
    ("type", "posyandu"),
    ("origin", "dibentuk_pemerintah"),
    ("founded_year", "1992"),
    ("region_code", "73.08.21.1006"),
    ("survey_date", "2025-08-16"),
];

/// A table: headers and rows, mostly the instrument's with some cells hostile.
fn table(rng: &mut StdRng) -> Vec<Vec<String>> {
    let mut headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    if rng.random_bool(0.2) {
        headers.push(text(rng, 4));
    }
    if rng.random_bool(0.1) {
        let other = rng.random_range(0..headers.len());
        headers.swap(0, other);
    }
    let mut rows = vec![headers.clone()];
    for _ in 0..rng.random_range(0..6) {
        // A row of good values, half of them with one hostile cell.
        let mut row: Vec<String> = (0..headers.len())
            .map(|i| {
                COLUMNS
                    .get(i)
                    .map_or_else(|| "z".to_string(), |(_, g)| g.to_string())
            })
            .collect();
        if rng.random_bool(0.5) {
            let at = rng.random_range(0..row.len());
            row[at] = if rng.random_bool(0.1) {
                "x".repeat(rng.random_range(400..20_000))
            } else {
                text(rng, 6)
            };
        }
        rows.push(row);
    }
    rows
}

fn csv(rng: &mut StdRng) -> Vec<u8> {
    let sep = [",", ";", "\t", "|"][rng.random_range(0..4)];
    let end = ["\n", "\r\n", "\r"][rng.random_range(0..3)];
    let mut out = String::new();
    if rng.random_bool(0.3) {
        out.push('\u{FEFF}');
    }
    for (r, row) in table(rng).into_iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match rng.random_range(0..20) {
                0..4 => format!("\"{}\"", c.replace('"', "\"\"")),
                4 if r > 0 => format!("\"{c}"),
                _ => c.clone(),
            })
            .collect();
        out.push_str(&cells.join(sep));
        out.push_str(end);
    }
    let mut bytes = out.into_bytes();
    if rng.random_bool(0.05) && !bytes.is_empty() {
        let at = rng.random_range(0..bytes.len());
        bytes.insert(at, 0xff);
    }
    bytes
}

fn xlsx(rng: &mut StdRng, path: &Path) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in table(rng).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let _ = match rng.random_range(0..20) {
                _ if r == 0 => sheet.write_string(r, c, cell),
                0 => sheet.write_number(r, c, rng.random_range(-1e6..1e6)),
                1 => sheet.write_boolean(r, c, rng.random_bool(0.5)),
                _ => sheet.write_string(r, c, cell),
            };
        }
    }
    if rng.random_bool(0.1) {
        let _ = sheet.write_string(1_048_575, 16_383, "far");
    }
    book.save(path).unwrap();
    std::fs::read(path).unwrap()
}

fn xml(rng: &mut StdRng) -> String {
    let mut s = String::from("<data id=\"wahana_kelompok\" version=\"1\">");
    for _ in 0..rng.random_range(0..8) {
        let name = ["wilayah", "kode_wilayah", "nama", "g", "x:y", "1a"][rng.random_range(0..6)];
        s.push_str(&format!("<{name}>{}</{name}>", text(rng, 6)));
    }
    if rng.random_bool(0.7) {
        s.push_str("<meta><instanceID>uuid:");
        s.push_str(&text(rng, 2));
        s.push_str("</instanceID></meta>");
    }
    if rng.random_bool(0.9) {
        s.push_str("</data>");
    }
    if rng.random_bool(0.3) {
        let at = rng.random_range(0..=s.len());
        let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.insert_str(at, &text(rng, 3));
    }
    s
}

fn toml(rng: &mut StdRng) -> String {
    let mut s = String::new();
    if rng.random_bool(0.8) {
        s.push_str(&format!("version = \"{}\"\n", text(rng, 2)));
    }
    for _ in 0..rng.random_range(0..4) {
        s.push_str("[[criterion]]\n");
        for key in ["id", "field", "op", "value", "label_id", "label_en"] {
            if rng.random_bool(0.7) {
                s.push_str(&format!(
                    "{key} = \"{}\"\n",
                    text(rng, 3).replace('"', "\\\"")
                ));
            }
        }
        if rng.random_bool(0.3) {
            s.push_str(&text(rng, 4));
            s.push('\n');
        }
    }
    s
}

fn query(rng: &mut StdRng) -> String {
    let mut pairs = Vec::new();
    for _ in 0..rng.random_range(0..8) {
        let name = [
            "q",
            "wave",
            "limit",
            "offset",
            "region_offset",
            "type",
            "status",
            "next",
        ][rng.random_range(0..8)];
        let value = match rng.random_range(0..4) {
            0 => rng.random_range(-5i64..1_000_000).to_string(),
            1 => "z".repeat(rng.random_range(0..2_000)),
            _ => text(rng, 5),
        };
        pairs.push(format!("{name}={}", wahana::web::pct(&value)));
        if rng.random_bool(0.1) {
            pairs.push(text(rng, 3));
        }
    }
    pairs.join("&")
}

fn json_body(rng: &mut StdRng) -> String {
    let mut fields = serde_json::Map::new();
    for _ in 0..rng.random_range(0..10) {
        let key = if rng.random_bool(0.6) {
            COLUMNS[rng.random_range(0..COLUMNS.len())].0.to_string()
        } else {
            text(rng, 2)
        };
        let value = match rng.random_range(0..4) {
            0 => "y".repeat(rng.random_range(0..3_000)),
            _ => text(rng, 5),
        };
        fields.insert(key, serde_json::Value::String(value));
    }
    let body = serde_json::json!({"fields": fields, "wave": text(rng, 2), "allow_duplicate": rng.random_bool(0.5)});
    let mut s = body.to_string();
    if rng.random_bool(0.2) {
        let at = rng.random_range(0..=s.len());
        let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.truncate(at);
    }
    s
}

#[derive(Default)]
struct Tally {
    inputs: u64,
    panics: u64,
    hangs: u64,
    changed: u64,
    /// Imports that wrote rows (the others were refused, or dry runs).
    written: u64,
    slowest: Duration,
    total: Duration,
}

/// Runs one input, catching a panic; returns how long it took and whether it panicked.
fn run<R>(f: impl FnOnce() -> R) -> (Duration, bool) {
    let start = Instant::now();
    let panicked = catch_unwind(AssertUnwindSafe(f)).is_err();
    (start.elapsed(), panicked)
}

struct Campaign {
    out: PathBuf,
    tallies: BTreeMap<&'static str, Tally>,
    /// What runs now and since when (micro-seconds since `epoch`), for the watchdog.
    current: Arc<Mutex<(&'static str, Vec<u8>)>>,
    started: Arc<AtomicU64>,
    epoch: Instant,
}

impl Campaign {
    fn keep(&self, parser: &str, what: &str, n: u64, input: &[u8]) {
        let path = self.out.join(format!("{parser}-{what}-{n}.input"));
        std::fs::write(&path, input).unwrap();
        eprintln!("{parser}: {what} ({})", path.display());
    }

    fn record(
        &mut self,
        parser: &'static str,
        input: &[u8],
        took: Duration,
        panicked: bool,
        changed: bool,
    ) {
        let t = self.tallies.entry(parser).or_default();
        t.inputs += 1;
        t.total += took;
        t.slowest = t.slowest.max(took);
        let n = t.inputs;
        if panicked {
            t.panics += 1;
        }
        if took > HANG {
            t.hangs += 1;
        }
        if changed {
            t.changed += 1;
        }
        for (bad, what) in [
            (panicked, "panic"),
            (took > HANG, "hang"),
            (changed, "changed"),
        ] {
            if bad {
                self.keep(parser, what, n, input);
            }
        }
    }

    /// Notes what is about to run, for the watchdog.
    fn begin(&self, parser: &'static str, input: &[u8]) {
        *self.current.lock().unwrap() = (parser, input.to_vec());
        self.started
            .store(self.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    fn end(&self) {
        self.started.store(u64::MAX, Ordering::Relaxed);
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let inputs: u64 = arg(&args, "--inputs").map_or(Ok(1_000_000), |s| s.parse())?;
    let seed: u64 = arg(&args, "--seed").map_or(Ok(18), |s| s.parse())?;
    let imports: u64 = arg(&args, "--imports").map_or(Ok(2_000), |s| s.parse())?;
    let out = PathBuf::from(arg(&args, "--out").unwrap_or_else(|| "fuzz-failures".into()));
    std::fs::create_dir_all(&out)?;
    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut c = Campaign {
        out: out.clone(),
        tallies: BTreeMap::new(),
        current: Arc::new(Mutex::new(("", Vec::new()))),
        started: Arc::new(AtomicU64::new(u64::MAX)),
        epoch: Instant::now(),
    };
    // The watchdog keeps an input that runs past a second while it still runs (one that never
    // ends would otherwise never be recorded).
    {
        let (current, started, epoch, out) =
            (c.current.clone(), c.started.clone(), c.epoch, out.clone());
        std::thread::spawn(move || {
            let mut kept = u64::MAX;
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let since = started.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_micros() as u64;
                if since != u64::MAX
                    && now.saturating_sub(since) > HANG.as_micros() as u64
                    && kept != since
                {
                    kept = since;
                    let (parser, input) = current.lock().unwrap().clone();
                    let path = out.join(format!("{parser}-running-{since}.input"));
                    let _ = std::fs::write(&path, input);
                    eprintln!("{parser}: an input runs past a second ({})", path.display());
                }
            }
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let start = Instant::now();
    let parsers = 6;
    for i in 0..inputs {
        match i % parsers {
            0 => {
                let s = text(&mut rng, 6);
                c.begin("region_code", s.as_bytes());
                let (t, p) = run(|| {
                    if let Ok(code) = RegionCode::parse(&s) {
                        assert_eq!(RegionCode::parse(code.as_str()).unwrap(), code);
                    }
                });
                c.end();
                c.record("region_code", s.as_bytes(), t, p, false);
            }
            1 => {
                let s = text(&mut rng, 4);
                c.begin("date", s.as_bytes());
                let (t, p) = run(|| {
                    if let Some(d) = Date::parse(&s) {
                        assert_eq!(Date::parse(&d.to_string()), Some(d));
                    }
                });
                c.end();
                c.record("date", s.as_bytes(), t, p, false);
            }
            2 => {
                let s = toml(&mut rng);
                c.begin("rules_toml", s.as_bytes());
                let (t, p) = run(|| RuleSet::parse(&s).is_ok());
                c.end();
                c.record("rules_toml", s.as_bytes(), t, p, false);
            }
            3 => {
                let s = xml(&mut rng);
                c.begin("openrosa_xml", s.as_bytes());
                let (t, p) = run(|| wahana::service::odk::parse_submission(&s).is_ok());
                c.end();
                c.record("openrosa_xml", s.as_bytes(), t, p, false);
            }
            4 => {
                let q = query(&mut rng);
                let path = format!("/groups/{}/edit", text(&mut rng, 3));
                let input = format!("{path}?{q}");
                c.begin("query_path", input.as_bytes());
                let (t, p) = run(|| {
                    let mut found = wahana::web::limits::query_problems(&q);
                    found.extend(wahana::web::limits::path_problems(
                        &path,
                        Some("/groups/{id}/edit"),
                    ));
                    found.len()
                });
                c.end();
                c.record("query_path", input.as_bytes(), t, p, false);
            }
            _ => {
                let s = json_body(&mut rng);
                c.begin("api_json", s.as_bytes());
                let (t, p) = run(|| {
                    let Ok(b) = serde_json::from_str::<wahana::web::api::groups::NewGroup>(&s)
                    else {
                        return false;
                    };
                    let pairs: Vec<(String, String)> = b.fields.into_iter().collect();
                    wahana::service::groups::fields_from_pairs(
                        wahana_domain::instrument::Table::Groups,
                        &pairs,
                    )
                    .is_ok()
                });
                c.end();
                c.record("api_json", s.as_bytes(), t, p, false);
            }
        }
        if i > 0 && i % 100_000 == 0 {
            eprintln!("{i} parser inputs, {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    let parsers_took = start.elapsed();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let store = rt.block_on(async {
        let store = wahana::service::open_with(
            &dir.path().join("fuzz.db").display().to_string(),
            wahana_store::Sharing::Shared,
        )
        .await?;
        wahana::service::demo::load(
            &store,
            wahana::service::demo::Scale::Tanete,
            wahana_domain::demo::DEFAULT_SEED,
            &|_, _| Ok(()),
        )
        .await?;
        anyhow::Ok(store)
    })?;
    let import_start = Instant::now();
    for i in 0..imports {
        let (parser, ext) = if i % 2 == 0 {
            ("import_csv", "csv")
        } else {
            ("import_xlsx", "xlsx")
        };
        let path = dir.path().join(format!("case.{ext}"));
        let bytes = if ext == "csv" {
            let b = csv(&mut rng);
            std::fs::write(&path, &b)?;
            b
        } else {
            xlsx(&mut rng, &path)
        };
        let opts = ImportOptions {
            accept_clean: rng.random_bool(0.5),
            dry_run: rng.random_bool(0.2),
            ignore_unknown: rng.random_bool(0.3),
            ..ImportOptions::default()
        };
        let before = rt.block_on(store.counts())?;
        c.begin(parser, &bytes);
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(import_file(
                &store,
                &path,
                &opts,
                wahana::service::today(),
                &|_| {},
            ))
        }));
        let took = started.elapsed();
        c.end();
        let after = rt.block_on(store.counts())?;
        let written = matches!(&result, Ok(Ok(r)) if r.committed && !opts.dry_run);
        let changed = !written && before != after;
        if std::env::var_os("FUZZ_SHOW").is_some() {
            eprintln!(
                "{parser}: {:?}",
                result.as_ref().map(|r| r.as_ref().map(|r| (
                    r.rows,
                    r.written,
                    r.problems.first().map(|p| format!("{p:?}"))
                )))
            );
        }
        c.record(parser, &bytes, took, result.is_err(), changed);
        if written {
            c.tallies.entry(parser).or_default().written += 1;
        }
    }
    let imports_took = import_start.elapsed();
    println!(
        "seed {seed}: {inputs} parser inputs in {:.1} s, {imports} import cases in {:.1} s",
        parsers_took.as_secs_f64(),
        imports_took.as_secs_f64()
    );
    println!(
        "{:<14} {:>9} {:>7} {:>6} {:>8} {:>8} {:>10} {:>10}",
        "parser", "inputs", "panics", "hangs", "changed", "written", "mean µs", "slowest ms"
    );
    let mut failed = false;
    for (name, t) in &c.tallies {
        failed |= t.panics + t.hangs + t.changed > 0;
        println!(
            "{:<14} {:>9} {:>7} {:>6} {:>8} {:>8} {:>10.1} {:>10.1}",
            name,
            t.inputs,
            t.panics,
            t.hangs,
            t.changed,
            t.written,
            t.total.as_secs_f64() * 1e6 / t.inputs.max(1) as f64,
            t.slowest.as_secs_f64() * 1e3
        );
    }
    if failed {
        println!("failing inputs kept in {}", out.display());
        std::process::exit(1);
    }
    Ok(())
}
