//! The server's metrics, written in Prometheus' text exposition format at `/metrics`
//! (`web/ops.rs` decides who may read them).
//!
//! A small registry of atomics rather than the `prometheus` or `metrics` crates: wahana has a
//! dozen series, known in advance but for the routes; this keeps them in the application's
//! state (passed in, as the configuration is, never a process-wide global that two servers in
//! one test binary would share), adds no dependency, and the text it writes is checked by
//! the tests line by line.
//!
//! Requests are counted by route *template* (axum's `MatchedPath`: `/groups/{id}`, never the
//! path asked for, which would make one series per group and carry names into the metrics),
//! method and status; a path no route matches counts as `unmatched`.

use crate::service::import::ImportReport;
use axum::extract::MatchedPath;
use axum::http::Method;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use wahana_store::{Backend, PoolUse};

/// The upper bounds of the latency histogram's buckets, in seconds: pages answer in
/// milliseconds, a PDF or an import of a large file in seconds to minutes.
const BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The label of requests no route matched.
const UNMATCHED: &str = "unmatched";

/// How an import through the web ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Its rows were written.
    Written,
    /// A dry run that found no problem.
    Checked,
    /// Refused whole for its problems (or cancelled): nothing written.
    Refused,
    /// It could not run (the database or the file system failed): nothing written.
    Failed,
}

impl ImportOutcome {
    const ALL: [ImportOutcome; 4] = [
        ImportOutcome::Written,
        ImportOutcome::Checked,
        ImportOutcome::Refused,
        ImportOutcome::Failed,
    ];

    fn label(self) -> &'static str {
        match self {
            ImportOutcome::Written => "written",
            ImportOutcome::Checked => "checked",
            ImportOutcome::Refused => "refused",
            ImportOutcome::Failed => "failed",
        }
    }

    /// The outcome of an import that ran to a report.
    pub fn of(report: &ImportReport) -> ImportOutcome {
        if report.committed {
            ImportOutcome::Written
        } else if report.dry_run && report.ok() {
            ImportOutcome::Checked
        } else {
            ImportOutcome::Refused
        }
    }
}

/// Every series the server keeps.
#[derive(Default)]
pub struct Metrics {
    /// Route template → method → its series.
    routes: RwLock<HashMap<String, HashMap<&'static str, Arc<RouteSeries>>>>,
    in_flight: AtomicI64,
    imports: [AtomicU64; ImportOutcome::ALL.len()],
    import_rows_read: AtomicU64,
    import_rows_written: AtomicU64,
    import_rows_rejected: AtomicU64,
    submissions: AtomicU64,
}

/// One route and method: answers by status, and the latency histogram.
#[derive(Default)]
struct RouteSeries {
    statuses: Mutex<BTreeMap<u16, u64>>,
    /// Answers per bucket (not cumulative; the last one is above every bound).
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Total time in microseconds.
    micros: AtomicU64,
}

/// A request counted as in flight until it is dropped (answered, or abandoned).
pub struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    /// Counts a request as in flight until the guard is dropped.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    /// Requests being answered now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Counts one answered request.
    pub fn record(&self, route: Option<&str>, method: &Method, status: u16, took: Duration) {
        let route = route.unwrap_or(UNMATCHED);
        let method = method_label(method);
        let series = self.series(route, method);
        {
            let mut statuses = series.statuses.lock().unwrap_or_else(|e| e.into_inner());
            *statuses.entry(status).or_insert(0) += 1;
        }
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|&b| secs <= b)
            .unwrap_or(BUCKETS.len());
        series.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        series.micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn series(&self, route: &str, method: &'static str) -> Arc<RouteSeries> {
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = routes.get(route).and_then(|m| m.get(method)) {
                return s.clone();
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        routes
            .entry(route.to_string())
            .or_default()
            .entry(method)
            .or_default()
            .clone()
    }

    /// Counts one import through the web: `None` when it could not run.
    pub fn import(&self, report: Option<&ImportReport>) {
        let outcome = report.map_or(ImportOutcome::Failed, ImportOutcome::of);
        if let Some(i) = ImportOutcome::ALL.iter().position(|&o| o == outcome) {
            self.imports[i].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(r) = report {
            self.import_rows_read.fetch_add(r.rows, Ordering::Relaxed);
            self.import_rows_written
                .fetch_add(r.written, Ordering::Relaxed);
            self.import_rows_rejected
                .fetch_add(r.rejected, Ordering::Relaxed);
        }
    }

    /// Counts one new OpenRosa form submission kept (`web/openrosa.rs`; a resend of one held
    /// is not counted again).
    pub fn submission(&self) {
        self.submissions.fetch_add(1, Ordering::Relaxed);
    }

    /// Every series, in Prometheus' text exposition format (version 0.0.4).
    pub fn render(&self, backend: Backend, pool: PoolUse) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let database = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        family(
            &mut out,
            "wahana_build_info",
            "gauge",
            "The running wahana: its version and database (always 1).",
        );
        let _ = writeln!(
            out,
            "wahana_build_info{{version=\"{}\",database=\"{database}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        self.render_http(&mut out);
        for (name, help, value) in [
            (
                "wahana_db_pool_size",
                "Database connections open (idle or in use).",
                pool.size,
            ),
            (
                "wahana_db_pool_idle",
                "Database connections open and idle.",
                pool.idle,
            ),
            (
                "wahana_db_pool_max",
                "The most database connections the pool opens.",
                pool.max,
            ),
        ] {
            family(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
        family(
            &mut out,
            "wahana_imports_total",
            "counter",
            "Imports through the web and the API, by outcome: written, checked (a dry run without problems), refused (problems or cancelled: nothing written), failed (could not run: nothing written).",
        );
        for (o, n) in ImportOutcome::ALL.iter().zip(&self.imports) {
            let _ = writeln!(
                out,
                "wahana_imports_total{{outcome=\"{}\"}} {}",
                o.label(),
                n.load(Ordering::Relaxed)
            );
        }
        for (name, help, n) in [
            (
                "wahana_import_rows_read_total",
                "Data rows read by imports through the web and the API.",
                &self.import_rows_read,
            ),
            (
                "wahana_import_rows_written_total",
                "Rows written by imports through the web and the API.",
                &self.import_rows_written,
            ),
            (
                "wahana_import_rows_rejected_total",
                "Rows with at least one problem in imports through the web and the API.",
                &self.import_rows_rejected,
            ),
            (
                "wahana_openrosa_submissions_total",
                "New OpenRosa form submissions kept (ODK Collect sending to /odk/{code}/submission).",
                &self.submissions,
            ),
        ] {
            family(&mut out, name, "counter", help);
            let _ = writeln!(out, "{name} {}", n.load(Ordering::Relaxed));
        }
        out
    }

    fn render_http(&self, out: &mut String) {
        family(
            out,
            "wahana_http_requests_in_flight",
            "gauge",
            "Requests being answered now.",
        );
        let _ = writeln!(out, "wahana_http_requests_in_flight {}", self.in_flight());
        // A stable order: by route, then method.
        let series: BTreeMap<(String, &'static str), Arc<RouteSeries>> = {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            routes
                .iter()
                .flat_map(|(r, m)| m.iter().map(|(m, s)| ((r.clone(), *m), s.clone())))
                .collect()
        };
        family(
            out,
            "wahana_http_requests_total",
            "counter",
            "Requests answered, by method, route template and status.",
        );
        for ((route, method), s) in &series {
            let statuses = s.statuses.lock().unwrap_or_else(|e| e.into_inner()).clone();
            for (status, n) in statuses {
                let _ = writeln!(
                    out,
                    "wahana_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        family(
            out,
            "wahana_http_request_duration_seconds",
            "histogram",
            "Time to answer a request (until its response starts), by method and route template.",
        );
        for ((route, method), s) in &series {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0u64;
            for (i, n) in s.buckets.iter().enumerate() {
                cumulative += n.load(Ordering::Relaxed);
                let le = BUCKETS
                    .get(i)
                    .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
                let _ = writeln!(
                    out,
                    "wahana_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let secs = s.micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "wahana_http_request_duration_seconds_sum{{{labels}}} {secs}"
            );
            // The count is the +Inf bucket's, read once, so the two always agree.
            let _ = writeln!(
                out,
                "wahana_http_request_duration_seconds_count{{{labels}}} {cumulative}"
            );
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the exposition format writes it: `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request: in flight while it is answered, then by route template, method and
/// status, with its time.
pub async fn track(
    axum::extract::State(st): axum::extract::State<super::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let start = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let method = req.method().clone();
    let attempt = req
        .extensions()
        .get::<super::replica::ReplicaAttempt>()
        .is_some();
    let _in_flight = st.metrics.start();
    let res = next.run(req).await;
    if attempt && res.status().is_server_error() {
        // Answered again from the primary (`replica.rs`), and counted then.
        return res;
    }
    st.metrics.record(
        route.as_deref(),
        &method,
        res.status().as_u16(),
        start.elapsed(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_their_times_by_bucket() {
        let m = Metrics::default();
        let ms = Duration::from_millis;
        m.record(Some("/groups/{id}"), &Method::GET, 200, ms(3));
        m.record(Some("/groups/{id}"), &Method::GET, 200, ms(40));
        m.record(Some("/groups/{id}"), &Method::GET, 404, ms(70_000));
        m.record(None, &Method::from_bytes(b"BREW").unwrap(), 404, ms(1));
        let text = m.render(
            Backend::Sqlite,
            PoolUse {
                size: 3,
                idle: 2,
                max: 8,
            },
        );
        for line in [
            "wahana_http_requests_total{method=\"GET\",route=\"/groups/{id}\",status=\"200\"} 2",
            "wahana_http_requests_total{method=\"GET\",route=\"/groups/{id}\",status=\"404\"} 1",
            "wahana_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1",
            "wahana_http_request_duration_seconds_bucket{method=\"GET\",route=\"/groups/{id}\",le=\"0.005\"} 1",
            "wahana_http_request_duration_seconds_bucket{method=\"GET\",route=\"/groups/{id}\",le=\"0.025\"} 1",
            "wahana_http_request_duration_seconds_bucket{method=\"GET\",route=\"/groups/{id}\",le=\"0.05\"} 2",
            "wahana_http_request_duration_seconds_bucket{method=\"GET\",route=\"/groups/{id}\",le=\"60\"} 2",
            "wahana_http_request_duration_seconds_bucket{method=\"GET\",route=\"/groups/{id}\",le=\"+Inf\"} 3",
            "wahana_http_request_duration_seconds_sum{method=\"GET\",route=\"/groups/{id}\"} 70.043",
            "wahana_http_request_duration_seconds_count{method=\"GET\",route=\"/groups/{id}\"} 3",
            "wahana_db_pool_size 3",
            "wahana_db_pool_idle 2",
            "wahana_db_pool_max 8",
            "wahana_imports_total{outcome=\"written\"} 0",
            "wahana_openrosa_submissions_total 0",
            "wahana_build_info{version=\"0.1.0\",database=\"sqlite\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
        // Every sample belongs to a family declared just before it.
        let mut declared = std::collections::HashSet::new();
        for l in text.lines() {
            if let Some(rest) = l.strip_prefix("# TYPE ") {
                declared.insert(rest.split(' ').next().unwrap().to_string());
            } else if !l.starts_with('#') {
                let name = l.split(['{', ' ']).next().unwrap();
                let base = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s).filter(|b| declared.contains(*b)))
                    .unwrap_or(name);
                assert!(declared.contains(base), "{l}: family not declared");
            }
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("a\nb"), "a\\nb");
    }

    #[test]
    fn in_flight_counts_until_dropped() {
        let m = Metrics::default();
        let a = m.start();
        let b = m.start();
        assert_eq!(m.in_flight(), 2);
        drop(a);
        assert_eq!(m.in_flight(), 1);
        drop(b);
        assert_eq!(m.in_flight(), 0);
    }
}
