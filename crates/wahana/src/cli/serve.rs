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
}

/// Demonstration sign-ins: (name, password, role, region).
pub const DEMO_USERS: [(&str, &str, &str, Option<&str>); 2] = [
    ("demo", "demo-wahana", "officer", Some("73.08.21")),
    ("admin", "admin-wahana", "admin", None),
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
        tls: false,
    };
    web::serve(store.clone(), &args.addr, options, move |addr| {
        // Browsers keep `Secure` cookies over plain HTTP only for `localhost`: name it so.
        if addr.ip().is_loopback() {
            println!("wahana: http://localhost:{}/", addr.port());
        } else {
            println!("wahana: http://{addr}/");
        }
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
