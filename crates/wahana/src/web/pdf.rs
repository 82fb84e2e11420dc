//! Printing the profile report to PDF with a headless Chromium on the server: where the browser
//! is, how many print at once (`PdfPrinters`: a request waits a little for its turn, then is
//! answered 503 with `Retry-After`), and the print itself (a profile directory of its own, a
//! time limit, the process killed when the request goes away).

/// The headless browser that can print to PDF, when one is installed (looked for once, when
/// the server starts).
pub fn find_browser() -> Option<std::path::PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.exists())
}

/// Chromium processes printing at once unless configured (`wahana serve --pdf-printers`).
pub const DEFAULT_PDF_PRINTERS: usize = 2;
/// How long a PDF request waits for a printer before it is answered 503.
const PDF_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// What a refused PDF request is told (`Retry-After`, seconds).
pub const PDF_RETRY_AFTER_SECS: u64 = 10;

/// The PDF printers of a server: at most N Chromium processes at once; a request waits a
/// little for its turn, then is refused (503 with `Retry-After`) rather than queued without
/// end. A clone shares the printers of the one it was cloned from.
#[derive(Clone)]
pub struct PdfPrinters {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl PdfPrinters {
    pub fn new(printers: usize) -> PdfPrinters {
        PdfPrinters::with_wait(printers, PDF_WAIT)
    }

    pub fn with_wait(printers: usize, wait: std::time::Duration) -> PdfPrinters {
        PdfPrinters {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(printers.max(1))),
            wait,
        }
    }

    /// A printer, held until the value is dropped; `None` when none came free in time.
    pub async fn turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// How long a browser may take to print a report before it is stopped.
const PRINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Prints HTML to PDF with headless Chromium; `None` when the browser fails or hangs.
pub async fn print_pdf(browser: &std::path::Path, html: &str) -> Option<Vec<u8>> {
    let dir = tempdir()?;
    let pdf = print_in(browser, &dir, html).await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    pdf
}

async fn print_in(browser: &std::path::Path, dir: &std::path::Path, html: &str) -> Option<Vec<u8>> {
    let input = dir.join("report.html");
    let output = dir.join("report.pdf");
    tokio::fs::write(&input, html).await.ok()?;
    let run = tokio::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        // A profile of its own: two reports printed at once must not share one.
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", output.display()))
        .arg(format!("file://{}", input.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(PRINT_TIMEOUT, run).await.ok()?.ok()?;
    if !status.success() {
        return None;
    }
    let pdf = tokio::fs::read(&output).await.ok()?;
    pdf.starts_with(b"%PDF-").then_some(pdf)
}

fn tempdir() -> Option<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!(
        "wahana-pdf-{}",
        crate::service::users::random_token()
    ));
    std::fs::create_dir_all(&d).ok()?;
    Some(d)
}
