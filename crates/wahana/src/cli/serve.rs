//! `wahana serve`: the web application and the JSON API.

use crate::config::Config;
use crate::service::{self, caller::Caller, users};
use crate::web;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_store::Store;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Load the demonstration data (SYNTHETIC) if the database holds no group yet, and create
    /// demonstration sign-ins.
    #[arg(long)]
    pub demo: bool,
    /// Send cookies without `Secure`, for a plain-HTTP server on a local network. Browsers
    /// accept `Secure` cookies over plain HTTP only from localhost.
    #[arg(long)]
    pub http_cookies: bool,
    /// PDF reports printed at once (each is a headless Chromium); further requests wait a few
    /// seconds for a turn, then get 503 with Retry-After.
    #[arg(long, env = "WAHANA_PDF_PRINTERS", value_name = "N",
          default_value_t = web::pdf::DEFAULT_PDF_PRINTERS)]
    pub pdf_printers: usize,
    /// The token that opens /metrics to peers beyond this machine and its private network
    /// (`Authorization: Bearer TOKEN`); local peers need none. Prefer WAHANA_METRICS_TOKEN or
    /// `metrics_token` in the configuration file: a flag is seen by every user of the machine.
    #[arg(long, value_name = "TOKEN")]
    pub metrics_token: Option<String>,
    /// On SIGTERM or Ctrl-C the server takes no new connection, cancels imports in progress
    /// (nothing written) and answers the requests in flight, waiting for them at most this
    /// many seconds.
    #[arg(long, value_name = "SECONDS",
          default_value_t = web::DEFAULT_SHUTDOWN_GRACE.as_secs())]
    pub shutdown_grace: u64,
    /// Serve HTTPS with this certificate chain (PEM), with --tls-key. ODK Collect may then also
    /// sign in with Basic authentication (over plain HTTP only Digest is accepted).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// A PostgreSQL streaming replica of the database (`postgres://...`) to serve reads from:
    /// pages, reports, maps and API reads go to it, writes and the writer's own reads for a
    /// few seconds after them to the database; a replica that fails or falls behind is passed
    /// over. Also `WAHANA_READ_REPLICA` and `read_replica` in the configuration file.
    #[arg(long, value_name = "URL")]
    pub read_replica: Option<String>,
}

/// Demonstration sign-ins: (name, password, role, region). `pendata` is an enumerator of
/// Kecamatan Tanete Riattang, for ODK Collect pointed at `/odk/73.08.21`.
pub const DEMO_USERS: [(&str, &str, &str, Option<&str>); 3] = [
    ("demo", "demo-wahana", "officer", Some("73.08.21")),
    ("admin", "admin-wahana", "admin", None),
    ("pendata", "pendata-wahana", "enumerator", Some("73.08.21")),
];

pub async fn run(
    store: &Store,
    args: ServeArgs,
    config: &Config,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    if args.demo {
        if store.counts().await?.groups == 0 {
            let s = service::demo::load(
                store,
                service::demo::Scale::Tanete,
                wahana_domain::demo::DEFAULT_SEED,
                &|_, _| Ok(()),
            )
            .await?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "DATA SINTETIS dimuat: {} kelompok di {} desa/kelurahan (pendataan {})",
                        s.groups, s.villages, s.wave
                    ),
                    &format!(
                        "SYNTHETIC DATA loaded: {} groups in {} villages (wave {})",
                        s.groups, s.villages, s.wave
                    ),
                )
            );
        }
        for (name, password, role, region) in DEMO_USERS {
            if store.user_by_name(name).await?.is_none() {
                users::add(store, &Caller::cli(), name, password, role, region)
                    .await
                    .map_err(|e| super::fail(e, lang))?;
            }
        }
    }
    let demo = args.demo;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(web::tls::acceptor(cert, key)?),
        _ => None,
    };
    let read_replica = match config.read_replica(args.read_replica.as_deref())? {
        Some(url) => Some(service::open_replica(&url).await?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let options = web::Options {
        secure_cookies: !args.http_cookies,
        pdf_browser: web::pdf::find_browser(),
        pdf_printers: web::pdf::PdfPrinters::new(args.pdf_printers),
        uploads: std::env::temp_dir(),
        metrics_token: args
            .metrics_token
            .or_else(|| config.metrics_token.clone())
            .filter(|t| !t.is_empty()),
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
        tls,
        report_head: crate::report::ReportHead::load(&config.letterhead)?,
        read_replica,
    };
    web::serve(store.clone(), &args.addr, options, move |addr| {
        // Browsers keep `Secure` cookies over plain HTTP only for `localhost`: name it so.
        let base = if addr.ip().is_loopback() {
            format!("{scheme}://localhost:{}/", addr.port())
        } else {
            format!("{scheme}://{addr}/")
        };
        println!("wahana: {base}");
        println!(
            "{} {base}odk/{}",
            lang.pick(
                "ODK Collect (alamat server, ganti kode wilayahnya):",
                "ODK Collect (server URL, change the region code):"
            ),
            if demo { "73.08.21" } else { "KODE-WILAYAH" }
        );
        if demo {
            for (name, password, role, region) in DEMO_USERS {
                println!(
                    "{} {name} / {password} ({role}{})",
                    lang.pick("masuk demonstrasi:", "demonstration sign-in:"),
                    region.map(|r| format!(", {r}")).unwrap_or_default()
                );
            }
        }
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
