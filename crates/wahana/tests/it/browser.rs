//! A real browser against the real server: headless Chromium driven through chromedriver
//! (WebDriver, `fantoccini`). Runs only with `WAHANA_BROWSER_TESTS=1`, and then fails (never
//! skips) when Chromium or chromedriver is missing. CI installs Debian's `chromium` and
//! `chromium-driver`.
//!
//! Sign in, submit a group with an error, see the error beside its field, fix it, see the group
//! on the village page and the profile's counts change.

use fantoccini::{ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `wahana serve --demo` on a free port and returns it with its base URL.
fn start_server(dir: &std::path::Path) -> (Kill, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wahana"))
        .current_dir(dir)
        .env_remove("WAHANA_DATABASE_URL")
        .env_remove("WAHANA_LANG")
        .args([
            "--database",
            "browser.db",
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start wahana serve");
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let url = loop {
        let line = lines.next().expect("wahana serve ended early").unwrap();
        if let Some(rest) = line.strip_prefix("wahana: ") {
            // Browsers keep `Secure` cookies over plain HTTP only for `localhost`.
            break rest.trim_end_matches('/').replace("127.0.0.1", "localhost");
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Kill(child), url)
}

/// A WebDriver session on headless Chromium (phone-sized), through chromedriver on `port`.
async fn connect(port: u16) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--window-size=360,800"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("could not connect to chromedriver");
}

#[test]
fn sign_in_add_a_group_fix_an_error_and_see_the_profile_change() {
    let Some(b) = browser() else { return };
    let (base, port) = (b.base.clone(), b.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let c = connect(port).await;
        let village = "73.08.21.1003";

        // Sign in.
        sign_in(&c, &base, "demo", "demo-wahana").await;
        // An officer lands on their own region (Tanete Riattang), not on the national page.
        let landed = c.current_url().await.unwrap();
        assert_eq!(landed.path(), "/regions/73.08.21", "{landed}");

        // The village's count before.
        c.goto(&format!("{base}/regions/{village}")).await.unwrap();
        let before: u64 = c
            .find(Locator::Css(".stats li b"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap();

        // A group with an error: the year.
        c.find(Locator::LinkText("Tambah kelompok"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#in-nama"))
            .await
            .unwrap()
            .send_keys("Arisan Uji Peramban")
            .await
            .unwrap();
        c.find(Locator::Css("#in-jenis"))
            .await
            .unwrap()
            .select_by_value("arisan")
            .await
            .unwrap();
        c.find(Locator::Css("#in-asal"))
            .await
            .unwrap()
            .select_by_value("tumbuh_masyarakat")
            .await
            .unwrap();
        c.find(Locator::Css("#in-wave"))
            .await
            .unwrap()
            .select_by_value("demo-2007-sintetis")
            .await
            .unwrap();
        // A date input: set as the phone's date picker sets it.
        set_value(&c, "#in-tanggal_pendataan", "2007-08-20").await;
        c.find(Locator::Css("#in-tahun_berdiri"))
            .await
            .unwrap()
            .send_keys("abad lalu")
            .await
            .unwrap();
        c.find(Locator::Css("#save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = c
            .wait()
            .for_element(Locator::Css("#field-tahun_berdiri .field-error"))
            .await
            .expect("the error beside the year");
        assert!(error.text().await.unwrap().contains("tidak sah"));

        // Fix it and save.
        let year = c.find(Locator::Css("#in-tahun_berdiri")).await.unwrap();
        year.clear().await.unwrap();
        year.send_keys("1990").await.unwrap();
        c.find(Locator::Css("#save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let saved = c
            .wait()
            .for_element(Locator::Css("p.ok"))
            .await
            .expect("saved")
            .text()
            .await
            .unwrap();
        assert!(saved.contains("Tersimpan"), "{saved}");

        // On the village page, and the count is one more.
        c.goto(&format!("{base}/regions/{village}")).await.unwrap();
        let list = c
            .find(Locator::Css("#groups"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            list.contains("Arisan Uji Peramban"),
            "the new group is listed"
        );
        let after: u64 = c
            .find(Locator::Css(".stats li b"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap();
        assert_eq!(after, before + 1, "the profile's count of groups changed");
        c.close().await.unwrap();
    });
}

/// Runs `wahana --database browser.db ARGS` in `dir` (the server's database), insisting on
/// success.
fn wahana(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_wahana"))
        .current_dir(dir)
        .env_remove("WAHANA_DATABASE_URL")
        .env_remove("WAHANA_LANG")
        .args(["--database", "browser.db"])
        .args(args)
        .output()
        .expect("run wahana");
    assert!(
        out.status.success(),
        "wahana {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first figure of a page (groups recorded), as shown.
async fn groups_shown(c: &fantoccini::Client) -> u64 {
    c.find(Locator::Css(".stats li b"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

/// The wave picker: the kecamatan page shows its default wave (the latest holding its groups:
/// a 2026 re-survey with one group) and says so; a plain link switches it to the 2007 wave,
/// and another back, with the page's figures following.
#[test]
fn the_wave_picker_switches_the_region_page_between_two_waves() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    );
    let dir = tempfile::tempdir().unwrap();
    // The demonstration wave (2007), and a second wave made on purpose with one group.
    wahana(dir.path(), &["demo"]);
    wahana(
        dir.path(),
        &[
            "waves",
            "add",
            "--id",
            "pem-2026",
            "--name",
            "Pemutakhiran 2026",
            "--start",
            "2026-08-01",
        ],
    );
    wahana(
        dir.path(),
        &[
            "groups",
            "add",
            "--region",
            "73.08.21.1003",
            "--name",
            "Arisan Pemutakhiran",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "2020",
            "--wave",
            "pem-2026",
        ],
    );
    let (_server, base) = start_server(dir.path());
    let port = free_port();
    let _driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let c = connect(port).await;
        let shown = |c: fantoccini::Client| async move {
            c.find(Locator::Css("#wave-shown"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        assert_eq!(shown(c.clone()).await, "Pemutakhiran 2026");
        let picker = c
            .find(Locator::Css("nav.wave-picker"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            picker.contains("(terbaru yang memuat data wilayah ini)"),
            "{picker}"
        );
        assert_eq!(groups_shown(&c).await, 1, "one group in the 2026 wave");

        // To 2007 by its link.
        c.find(Locator::Css("a.wave-link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#wave-default"))
            .await
            .expect("the page of the wave chosen");
        assert!(
            c.current_url()
                .await
                .unwrap()
                .as_str()
                .ends_with("?wave=demo-2007-sintetis")
        );
        assert!(shown(c.clone()).await.contains("2007"));
        let old = groups_shown(&c).await;
        assert!(old > 400, "the 2007 wave's groups: {old}");

        // And back to 2026 by the other wave's link.
        c.find(Locator::LinkText("Pemutakhiran 2026"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::XPath(
                "//strong[@id='wave-shown'][text()='Pemutakhiran 2026']",
            ))
            .await
            .expect("the 2026 wave again");
        assert_eq!(groups_shown(&c).await, 1);
        c.close().await.unwrap();
    });
}

/// One plain HTTP/1.0 GET: the status, the headers (names in lower case) and the body.
fn http_get(base: &str, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use std::io::{Read, Write};
    let host = base
        .trim_start_matches("http://")
        .replace("localhost", "127.0.0.1");
    let mut s = std::net::TcpStream::connect(&host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

/// The profile report's PDF download, printed by the server with headless Chromium.
#[test]
fn profile_report_downloads_as_a_real_pdf() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("PDF test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium)");
        return;
    }
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install chromium"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = start_server(dir.path());
    for (path, name) in [
        (
            "/regions/73.08.21/report?format=pdf",
            "profil-wksbm_kec-tanete-riattang_pendataan-demo-2007-sintetis.pdf",
        ),
        (
            "/regions/73.08.21.1003/report?format=pdf&lang=en",
            "profil-wksbm_kel-watampone_pendataan-demo-2007-sintetis.pdf",
        ),
    ] {
        let (status, headers, body) = http_get(&base, path);
        let header = |k: &str| {
            headers
                .iter()
                .find(|(h, _)| h == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        assert_eq!(
            status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
        assert_eq!(header("content-type"), "application/pdf", "{path}");
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"{name}\""),
            "{path}"
        );
        assert!(body.starts_with(b"%PDF-"), "{path}: not a PDF");
        let tail = String::from_utf8_lossy(&body[body.len().saturating_sub(64)..]).into_owned();
        assert!(tail.contains("%%EOF"), "{path}: a PDF ends with %%EOF");
        // Charts, tables and the synthetic stamp on A4: tens of kilobytes, far from megabytes.
        assert!(
            (10_000..10_000_000).contains(&body.len()),
            "{path}: {} bytes",
            body.len()
        );
    }
}

/// Runs `wahana --database browser.db ARGS` in `dir` and insists on success.
fn wahana_in(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_wahana"))
        .current_dir(dir)
        .env_remove("WAHANA_DATABASE_URL")
        .env_remove("WAHANA_LANG")
        .args(["--database", "browser.db"])
        .args(args)
        .output()
        .expect("run wahana");
    assert!(
        out.status.success(),
        "wahana {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The compare page on a phone-sized window: reached from the region page, two wave selects
/// and a button (no script), the fates; choosing the same wave twice says why it cannot be
/// compared; the page never scrolls sideways as a whole.
#[test]
fn compare_page_on_a_phone() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    );
    let dir = tempfile::tempdir().unwrap();
    // The demonstration wave and its synthetic re-survey, then the server on them.
    wahana_in(dir.path(), &["demo"]);
    wahana_in(dir.path(), &["demo", "--resurvey-file", "r.csv"]);
    wahana_in(
        dir.path(),
        &[
            "import",
            "r.csv",
            "--wave",
            "Pemutakhiran 2026",
            "--date",
            "2026-08-31",
        ],
    );
    let (_server, base) = start_server(dir.path());
    let port = free_port();
    let _driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--window-size=360,800"]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let c = client.expect("connect to chromedriver");
        let no_sideways_scroll = async |c: &fantoccini::Client| {
            let w = c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap();
            let (scroll, inner) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
            assert!(
                scroll <= inner + 1.0,
                "the page scrolls sideways: {scroll} > {inner}"
            );
        };

        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        c.find(Locator::Css("a[href='/regions/73.08.21/compare']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The latest two waves holding groups, compared at once (once the link's page is in).
        let fates = c
            .wait()
            .for_element(Locator::Css("#fates"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            fates.contains("Berlanjut") && fates.contains("Baru"),
            "{fates}"
        );
        assert!(c.find(Locator::Css("figure.chart svg")).await.is_ok());
        no_sideways_scroll(&c).await;

        // The other way round, chosen in the form.
        c.find(Locator::Css("select[name=from]"))
            .await
            .unwrap()
            .select_by_value("pemutakhiran-2026")
            .await
            .unwrap();
        c.find(Locator::Css("select[name=to]"))
            .await
            .unwrap()
            .select_by_value("demo-2007-sintetis")
            .await
            .unwrap();
        c.find(Locator::Css("#compare-form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The click starts the form's navigation; wait for it to land before reading the URL.
        let mut url = c.current_url().await.unwrap();
        for _ in 0..50 {
            if url.as_str().contains("from=") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            url = c.current_url().await.unwrap();
        }
        assert!(
            url.as_str().contains("from=pemutakhiran-2026")
                && url.as_str().contains("to=demo-2007-sintetis"),
            "{url}"
        );
        // The URL can change before the new document is read: wait for its heading.
        let mut heading = String::new();
        for _ in 0..50 {
            heading = match c.find(Locator::Css("main h2")).await {
                Ok(h) => h.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if heading.contains("Perubahan sejak Pemutakhiran 2026") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            heading.contains("Perubahan sejak Pemutakhiran 2026"),
            "{heading}"
        );

        // The same wave twice: refused beside the form, which stays.
        c.find(Locator::Css("select[name=from]"))
            .await
            .unwrap()
            .select_by_value("demo-2007-sintetis")
            .await
            .unwrap();
        c.find(Locator::Css("#compare-form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The refusal comes as a new page: wait for it rather than read the old one.
        let error = c
            .wait()
            .for_element(Locator::Css("#compare-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            error.contains("demo-2007-sintetis") && error.contains("73.08.21"),
            "{error}"
        );
        assert!(c.find(Locator::Css("#fates")).await.is_err());
        no_sideways_scroll(&c).await;
        c.close().await.unwrap();
    });
}

/// The kecamatan page on a 360-pixel phone: its map draws the eight kelurahan as shapes, each
/// a link to its village's page (followed by a tap), the measure chosen in the form recolours
/// it, and nothing scrolls sideways.
#[test]
fn kecamatan_map_on_a_phone_links_to_its_villages() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    wahana_in(dir.path(), &["demo"]);
    let (_server, base) = start_server(dir.path());
    let port = free_port();
    let _driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--window-size=360,800"]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let c = client.expect("connect to chromedriver");
        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        // The eight shapes, each inside a link to its village, with a visible size.
        let shapes = c
            .find_all(Locator::Css("figure.map svg a path[data-code]"))
            .await
            .unwrap();
        assert_eq!(shapes.len(), 8);
        let links: Vec<String> = c
            .execute(
                "return [...document.querySelectorAll('figure.map svg a')].map(a => a.getAttribute('href'));",
                vec![],
            )
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let tree = wahana_domain::RegionTree::official();
        let villages: Vec<String> = tree
            .villages_under(&"73.08.21".parse().unwrap())
            .map(|v| format!("/regions/{}?measure=groups", v.code))
            .collect();
        assert_eq!(links, villages);
        let sizes = c
            .execute(
                "const r = document.querySelector('figure.map svg').getBoundingClientRect(); \
                 return [r.width, document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (w, scroll, inner) = (
            sizes[0].as_f64().unwrap(),
            sizes[1].as_f64().unwrap(),
            sizes[2].as_f64().unwrap(),
        );
        assert!(w > 250.0 && w <= inner, "the map fits the phone: {w} of {inner}");
        assert!(scroll <= inner + 1.0, "the page scrolls sideways: {scroll} > {inner}");

        // Colour by F1: the form reloads the page with the choice, and the map's legend says
        // the share classes.
        c.find(Locator::Css("select#measure"))
            .await
            .unwrap()
            .select_by_value("f1")
            .await
            .unwrap();
        c.find(Locator::Css("form.map-measure button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut legend = String::new();
        for _ in 0..50 {
            legend = c
                .execute(
                    "const s = document.querySelector('figure.map svg'); return s ? s.textContent : '';",
                    vec![],
                )
                .await
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_string();
            if legend.contains("80–100%") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(legend.contains("F1"), "{legend}");

        // A tap on a shape opens its village.
        let first = c
            .find(Locator::Css("figure.map svg a path[data-code='73.08.21.1001']"))
            .await
            .unwrap();
        first.click().await.unwrap();
        let mut url = c.current_url().await.unwrap();
        for _ in 0..50 {
            if url.path() == "/regions/73.08.21.1001" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            url = c.current_url().await.unwrap();
        }
        assert_eq!(url.path(), "/regions/73.08.21.1001", "{url}");
        c.wait()
            .for_element(Locator::Css("main h1"))
            .await
            .expect("the village page");

        // The network on the map: the drawing scrolls inside its box, its smallest text (12
        // units in 1,000) at least 11 px, and the page itself does not scroll sideways.
        c.goto(&format!("{base}/regions/73.08.21/network?layout=peta"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("figure.network svg"))
            .await
            .unwrap();
        let sizes = c
            .execute(
                "const f = document.querySelector('figure.network');                  const s = f.querySelector('svg').getBoundingClientRect();                  return [s.width, f.clientWidth, f.scrollWidth,                          document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let v: Vec<f64> = (0..5).map(|i| sizes[i].as_f64().unwrap()).collect();
        assert!(v[0] * 12.0 / 1000.0 >= 11.0, "text of 12 units at {} px", v[0] * 0.012);
        assert!(v[2] > v[1], "the drawing scrolls inside its box: {v:?}");
        assert!(v[3] <= v[4] + 1.0, "the page scrolls sideways: {v:?}");
        c.close().await.unwrap();
    });
}

/// One form instance as ODK Collect sends it, for the demonstration wave's village.
fn phone_instance(uuid: &str, name: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="wahana_kelompok" version="1 (2026)">
  <deviceid>collect:peramban</deviceid>
  <pendataan><tanggal_pendataan>2007-08-20</tanggal_pendataan><pendata>Pendata Peramban</pendata></pendataan>
  <wilayah><kecamatan>73.08.21</kecamatan><kode_wilayah>73.08.21.1003</kode_wilayah></wilayah>
  <identitas><nama>{name}</nama><jenis>arisan</jenis><asal>tumbuh_masyarakat</asal><tahun_berdiri>1990</tahun_berdiri></identitas>
  <keanggotaan><anggota_laki>4</anggota_laki><anggota_perempuan>9</anggota_perempuan><dasar_keanggotaan>domisili</dasar_keanggotaan></keanggotaan>
  <program><tujuan>ketahanan_sosial</tujuan><nilai>gotong_royong</nilai></program>
  <meta><instanceID>uuid:{uuid}</instanceID></meta>
</data>"#
    )
}

#[test]
fn inbox_on_a_phone_accept_one_submission_and_reject_another() {
    let Some(b) = browser() else { return };
    let (dir, base, port) = (&b.dir, b.base.clone(), b.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = dir.path().join("browser.db").display().to_string();
    rt.block_on(async move {
        // Two submissions from the officer's phone, received as the OpenRosa handler receives
        // them, into the server's own database.
        let store = wahana::service::open_with(&db, wahana_store::Sharing::Shared)
            .await
            .unwrap();
        let (token, _, _) = wahana::service::users::sign_in(&store, "demo", "demo-wahana", "")
            .await
            .unwrap()
            .unwrap();
        let (person, _) = wahana::service::users::session(&store, &token)
            .await
            .unwrap()
            .unwrap();
        let region = wahana_domain::RegionCode::parse("73.08.21").unwrap();
        let mut ids = Vec::new();
        for (uuid, name) in [
            ("peramban-1", "Arisan Peramban Diterima"),
            ("peramban-2", "Arisan Peramban Ditolak"),
        ] {
            let receipt = wahana::service::odk::receive(
                &store,
                &person,
                &region,
                &phone_instance(uuid, name),
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{name} refused: {e:?}"));
            ids.push(receipt.id);
        }
        store.close().await;

        let c = connect(port).await;
        let no_sideways_scroll = async |c: &fantoccini::Client| {
            let w = c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap();
            let (scroll, inner) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
            assert!(
                scroll <= inner + 1.0,
                "the page scrolls sideways: {scroll} > {inner}"
            );
        };
        sign_in(&c, &base, "demo", "demo-wahana").await;

        // From the region page to its inbox: two submissions wait.
        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        let link = c
            .wait()
            .for_element(Locator::Css("#inbox-link"))
            .await
            .expect("the region page links to its inbox");
        assert!(link.text().await.unwrap().contains("(2)"));
        link.click().await.unwrap();
        let table = c
            .wait()
            .for_element(Locator::Css("#inbox"))
            .await
            .expect("the inbox's table")
            .text()
            .await
            .unwrap();
        assert!(table.contains("Arisan Peramban Diterima"), "{table}");
        assert!(table.contains("Arisan Peramban Ditolak"), "{table}");
        no_sideways_scroll(&c).await;

        // Review the first: its answers, then accept it into the wave as a new group.
        c.find(Locator::Css(&format!("a[href='/inbox/{}']", ids[0])))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let answers = c
            .wait()
            .for_element(Locator::Css("#answers"))
            .await
            .expect("the answers")
            .text()
            .await
            .unwrap();
        assert!(answers.contains("identitas/nama"), "{answers}");
        no_sideways_scroll(&c).await;
        c.find(Locator::Css("#in-wave"))
            .await
            .unwrap()
            .select_by_value("demo-2007-sintetis")
            .await
            .unwrap();
        c.find(Locator::Css("#target-new"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("#accept"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let became = c
            .wait()
            .for_element(Locator::Css("#became a"))
            .await
            .expect("what the submission became");
        became.click().await.unwrap();
        c.wait().for_element(Locator::Css("h1")).await.unwrap();
        let url = c.current_url().await.unwrap();
        assert!(url.path().starts_with("/groups/"), "{url}");
        let h1 = c
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(h1.contains("Arisan Peramban Diterima"), "{h1}");

        // Reject the second: first without a reason (the error beside the field), then with.
        c.goto(&format!("{base}/inbox/{}", ids[1])).await.unwrap();
        c.wait()
            .for_element(Locator::Css("#reject"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = c
            .wait()
            .for_element(Locator::Css("#field-alasan .field-error"))
            .await
            .expect("the error beside the reason")
            .text()
            .await
            .unwrap();
        assert!(error.contains("wajib diisi"), "{error}");
        no_sideways_scroll(&c).await;
        c.find(Locator::Css("#in-alasan"))
            .await
            .unwrap()
            .send_keys("Kelompok ganda")
            .await
            .unwrap();
        c.find(Locator::Css("#reject"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let reason = c
            .wait()
            .for_element(Locator::Css("#reason"))
            .await
            .expect("the reason shown")
            .text()
            .await
            .unwrap();
        assert_eq!(reason, "Kelompok ganda");
        let status = c
            .find(Locator::Css("#status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(status, "Ditolak");
        c.close().await.unwrap();
    });
}

/// Issue 16, point 10, on a 360-pixel phone: an admin deactivates a person from the people
/// page; that person's sign-in is then refused with a message saying why, and their session
/// from before is over.
#[test]
fn an_admin_deactivates_a_person_on_a_phone_and_their_sign_in_is_refused() {
    let Some(b) = browser() else { return };
    let (dir, base, port) = (&b.dir, b.base.clone(), b.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = dir.path().join("browser.db").display().to_string();
    rt.block_on(async move {
        use wahana::service::{caller::Caller, users};
        // An admin and an enumerator, in the server's own database; the enumerator signed in.
        let store = wahana::service::open_with(&db, wahana_store::Sharing::Shared)
            .await
            .unwrap();
        users::add(
            &store,
            &Caller::cli(),
            "kepala",
            "sandi-kepala-1",
            "admin",
            None,
        )
        .await
        .unwrap();
        users::add(
            &store,
            &Caller::cli(),
            "pencacah1",
            "sandi-pencacah-1",
            "enumerator",
            Some("73.08.21"),
        )
        .await
        .unwrap();
        let (token, _, _) = users::sign_in(&store, "pencacah1", "sandi-pencacah-1", "")
            .await
            .unwrap()
            .unwrap();

        let c = connect(port).await;
        sign_in(&c, &base, "kepala", "sandi-kepala-1").await;

        // The people page: each person's role in Indonesian, their status, and the buttons.
        c.goto(&format!("{base}/admin/users")).await.unwrap();
        let row = c
            .wait()
            .for_element(Locator::Css("tr[data-name='pencacah1']"))
            .await
            .expect("the enumerator's row");
        let text = row.text().await.unwrap();
        assert!(
            text.contains("pencacah") && text.contains("aktif"),
            "{text}"
        );
        let w = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
        assert!(
            scroll <= inner + 1.0,
            "the page scrolls sideways: {scroll} > {inner}"
        );
        // The admin's own row offers no deactivation.
        assert!(
            c.find(Locator::Css("tr[data-name='kepala'] button.deactivate"))
                .await
                .is_err()
        );
        let button = row
            .find(Locator::Css("button.deactivate"))
            .await
            .expect("a deactivate button");
        c.execute(
            "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
            vec![serde_json::to_value(&button).unwrap()],
        )
        .await
        .unwrap();
        button.click().await.unwrap();
        let done = c
            .wait()
            .for_element(Locator::Css("#done"))
            .await
            .expect("the outcome")
            .text()
            .await
            .unwrap();
        assert!(done.contains("pencacah1 dinonaktifkan"), "{done}");
        let status = c
            .find(Locator::Css("tr[data-name='pencacah1'] .user-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(status, "nonaktif");
        assert!(
            c.find(Locator::Css("tr[data-name='pencacah1'] button.activate"))
                .await
                .is_ok(),
            "a reactivate button"
        );

        // The enumerator's session from before is over, and signing in is refused, saying why.
        assert!(
            users::session(&store, &token).await.unwrap().is_none(),
            "the session ended"
        );
        c.delete_all_cookies().await.unwrap();
        fill_sign_in(&c, &base, "pencacah1", "sandi-pencacah-1").await;
        let err = c
            .wait()
            .for_element(Locator::Css("p.err[role=alert]"))
            .await
            .expect("a refusal")
            .text()
            .await
            .unwrap();
        assert!(
            err.contains("akun Anda dinonaktifkan") && err.contains("admin"),
            "{err}"
        );
        assert!(
            c.find(Locator::Css("form[action='/signout'] button"))
                .await
                .is_err(),
            "not signed in"
        );
        store.close().await;
        c.close().await.unwrap();
    });
}

/// Issue 16, points 12, 13 and 15 in a real browser: Kabupaten Bone's report opens with the
/// executive summary (coverage "8 dari 372", the five findings one sentence each, each said
/// for the villages surveyed); the region page's PDF link leads to a page showing that the PDF
/// is being prepared while the server prints it, and the PDF arrives named for region and wave.
#[test]
fn report_summary_and_the_pdf_being_prepared_on_a_phone() {
    let Some(b) = browser() else { return };
    let (base, port) = (b.base.clone(), b.port);
    let (_, _, body) = http_get(&base, "/api/v1/regions/73.08/profile");
    let profile: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let c = connect(port).await;
        c.goto(&format!("{base}/regions/73.08/report"))
            .await
            .unwrap();
        let summary = c
            .find(Locator::Css("section.summary"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            summary.starts_with("Ringkasan eksekutif")
                && summary.contains("mencatat 437 kelompok di Kabupaten Bone")
                && summary.contains("Cakupan: 8 dari 372 desa/kelurahan"),
            "{summary}"
        );
        let items = c.find_all(Locator::Css("ol.brief li")).await.unwrap();
        assert_eq!(items.len(), 5);
        for (li, f) in items.iter().zip(["f1", "f2", "f3", "f4", "f5"]) {
            let text = li.text().await.unwrap();
            let sentence = profile[f]["sentence_id"]
                .as_str()
                .unwrap()
                .trim_end_matches(" [data sintetis, bukan hasil pengukuran]");
            // The badge says the verdict; the sentence follows without saying it again.
            let (verdict, rest) = sentence.split_once(": ").unwrap();
            let mut c = rest.chars();
            let rest: String = c.next().unwrap().to_uppercase().chain(c).collect();
            assert!(
                text.to_lowercase().contains(&verdict.to_lowercase()) && text.contains(&rest),
                "{f}: {text}"
            );
            assert!(
                !text.contains(&format!("{verdict}: ")),
                "{f}: the verdict said twice: {text}"
            );
            assert!(
                text.contains("di 8 dari 372 desa/kelurahan yang didata"),
                "{f}: {text}"
            );
        }
        // The summary is the first page: the details start on the next.
        let details = c
            .find(Locator::XPath("//h2[text()='Angka pokok']/.."))
            .await
            .unwrap();
        assert_eq!(
            details.attr("class").await.unwrap().as_deref(),
            Some("pagebreak")
        );

        // The PDF link says the PDF is being prepared while it is printed.
        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        c.find(Locator::Css("#pdf-link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let wait = c
            .wait()
            .for_element(Locator::Css("#pdf-wait"))
            .await
            .expect("the page saying the PDF is being prepared");
        let said = wait.text().await.unwrap();
        assert!(said.contains("PDF sedang disiapkan"), "{said}");
        assert!(
            c.find(Locator::Css("#pdf-wait .spinner")).await.is_ok(),
            "a moving sign"
        );
        let direct = c
            .find(Locator::Css("#pdf-direct"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(direct, "/regions/73.08.21/report?format=pdf&lang=id");
        c.close().await.unwrap();
        // What the page asks for is the PDF, named for the region and the wave.
        let (status, headers, pdf) = http_get(&base, &direct);
        assert_eq!(status, 200);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(headers.iter().any(|(k, v)| k == "content-disposition"
            && v.contains("profil-wksbm_kec-tanete-riattang_pendataan-demo-2007-sintetis.pdf")));
    });
}

/// A phone-sized session with JavaScript switched off, to check that the pages need none.
async fn connect_without_script(port: u16) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--window-size=360,800"],
            "prefs": {"profile.managed_default_content_settings.javascript": 2}
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("could not connect to chromedriver");
}

/// Sets a form control's value as a phone's picker would (a date input takes keys in the
/// browser's locale order, so the value is set, then `change` sent).
async fn set_value(c: &fantoccini::Client, css: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];          e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap();
}

/// What on the page is smaller than 11 px or wider than the screen: every element with text of
/// its own that is shown, every SVG text at the size the drawing is shown, and the page's own
/// width against the window's.
async fn phone_problems(c: &fantoccini::Client) -> Vec<String> {
    let v = c
        .execute(
            "const bad = [];
             for (const el of document.querySelectorAll('body *')) {
               if (el.closest('svg') || el.getClientRects().length === 0) continue;
               const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
               if (!own) continue;
               const px = parseFloat(getComputedStyle(el).fontSize);
               if (px < 11) bad.push(el.tagName + ' ' + px + 'px: ' + el.textContent.trim().slice(0, 40));
             }
             for (const t of document.querySelectorAll('svg text')) {
               if (t.getClientRects().length === 0 || !t.textContent.trim()) continue;
               const m = t.getScreenCTM();
               const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
               if (px < 11) bad.push('svg text ' + px.toFixed(1) + 'px: ' + t.textContent.slice(0, 40));
             }
             const w = document.documentElement.scrollWidth;
             if (w > window.innerWidth + 1) bad.push('page ' + w + 'px wide in ' + window.innerWidth);
             return bad;",
            vec![],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Issue 16, points 2, 3 and 5, on a 360-pixel phone: an officer adds a group with the phone's
/// keyboards, the date picker, "use my location" and the village's network from a list, is told
/// after saving that the group is not counted and which answer is missing; adds a tie by
/// choosing the other actor from the village's list, is asked before a second tie of another
/// type between the same pair, confirms; with JavaScript off the location button is not shown
/// and the tie form's search and question work the same; nothing on these pages or the network
/// drawing is under 11 px or scrolls the page sideways.
#[test]
fn field_entry_on_a_phone_group_counted_tie_chosen_and_nothing_too_small() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = start_server(dir.path());
    let port = free_port();
    let _driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let c = connect(port).await;
        let village = "73.08.21.1003";
        sign_in(&c, &base, "demo", "demo-wahana").await;

        // The form, as a phone shows it.
        c.goto(&format!("{base}/groups/new?village={village}"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#in-nama"))
            .await
            .unwrap();
        let attr = |css: &'static str, name: &'static str| {
            let c = c.clone();
            async move {
                c.find(Locator::Css(css))
                    .await
                    .unwrap()
                    .attr(name)
                    .await
                    .unwrap()
                    .unwrap_or_default()
            }
        };
        assert_eq!(attr("#in-telepon", "type").await, "tel");
        assert_eq!(attr("#in-tanggal_pendataan", "type").await, "date");
        assert_eq!(attr("#in-tahun_berdiri", "inputmode").await, "numeric");
        assert_eq!(attr("#in-lintang", "inputmode").await, "decimal");
        let label = c
            .find(Locator::Css("label[for=in-nama]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            label.starts_with("Nama kelompok") && !label.contains("nama "),
            "{label}"
        );
        let needed = c
            .find(Locator::Css("label[for=in-asal] .needed"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(needed, "perlu agar dihitung");
        let problems = phone_problems(&c).await;
        assert!(problems.is_empty(), "the form on a phone: {problems:?}");

        // "Use my location": the script shows the button; the phone's position (given here in
        // place of a GPS fix) fills latitude and longitude.
        let button = c.find(Locator::Css("#use-location")).await.unwrap();
        assert!(button.is_displayed().await.unwrap(), "the script shows the button");
        c.execute(
            "navigator.geolocation.getCurrentPosition = function (ok) {                ok({coords: {latitude: -4.5386, longitude: 120.3279, accuracy: 8}}); };",
            vec![],
        )
        .await
        .unwrap();
        button.click().await.unwrap();
        assert_eq!(
            c.find(Locator::Css("#in-lintang"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap(),
            "-4.538600"
        );
        assert_eq!(
            c.find(Locator::Css("#in-bujur"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap(),
            "120.327900"
        );
        let status = c
            .find(Locator::Css("#location-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(status.starts_with("Lokasi terisi"), "{status}");

        // The answers, without values and norms: saved, not counted.
        c.find(Locator::Css("#in-nama"))
            .await
            .unwrap()
            .send_keys("Arisan Dari Ponsel")
            .await
            .unwrap();
        c.find(Locator::Css("#in-jenis"))
            .await
            .unwrap()
            .select_by_value("arisan")
            .await
            .unwrap();
        c.find(Locator::Css("#in-asal"))
            .await
            .unwrap()
            .select_by_value("tumbuh_masyarakat")
            .await
            .unwrap();
        c.find(Locator::Css("#in-wave"))
            .await
            .unwrap()
            .select_by_value("demo-2007-sintetis")
            .await
            .unwrap();
        set_value(&c, "#in-tanggal_pendataan", "2007-08-21").await;
        c.find(Locator::Css("#in-tahun_berdiri"))
            .await
            .unwrap()
            .send_keys("1998")
            .await
            .unwrap();
        c.find(Locator::Css("#in-anggota_perempuan"))
            .await
            .unwrap()
            .send_keys("25")
            .await
            .unwrap();
        c.find(Locator::Css("#in-telepon"))
            .await
            .unwrap()
            .send_keys("081234567890")
            .await
            .unwrap();
        c.find(Locator::Css("#field-tujuan input[value=ketahanan_sosial]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The network: one of the village's, chosen from the list.
        let network = c.find(Locator::Css("select#in-wahana")).await.unwrap();
        let options = network
            .find_all(Locator::Css("option"))
            .await
            .unwrap();
        assert!(options.len() >= 2, "the village's networks are offered");
        let network_name = options[1].prop("value").await.unwrap().unwrap();
        network.select_by_value(&network_name).await.unwrap();
        c.find(Locator::Css("#save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let counted = c
            .wait()
            .for_element(Locator::Css("#counted"))
            .await
            .expect("the group page")
            .text()
            .await
            .unwrap();
        assert!(
            counted.starts_with("Tidak dihitung dalam profil wilayah karena jawaban ini belum diisi:")
                && counted.contains("Nilai dan norma")
                && !counted.contains("Anggota"),
            "{counted}"
        );
        let fields = c
            .find(Locator::Css("dl.fields"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            fields.contains(&network_name)
                && fields.contains("-4.5386")
                && fields.contains("2007-08-21"),
            "{fields}"
        );
        let group_url = c.current_url().await.unwrap();
        let group_path = group_url.path().to_string();
        let problems = phone_problems(&c).await;
        assert!(problems.is_empty(), "the group page on a phone: {problems:?}");

        // A tie: the other end chosen from the village's list.
        c.find(Locator::Css("#tie-start button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let other = c
            .wait()
            .for_element(Locator::Css("#tie-ke"))
            .await
            .expect("the tie form");
        let problems = phone_problems(&c).await;
        assert!(problems.is_empty(), "the tie form on a phone: {problems:?}");
        let first = other
            .find(Locator::Css("optgroup[label=Wahana] option"))
            .await
            .expect("a network of the village offered");
        let to = first.prop("value").await.unwrap().unwrap();
        let to_name = first.text().await.unwrap();
        other.select_by_value(&to).await.unwrap();
        c.find(Locator::Css("#tie-type"))
            .await
            .unwrap()
            .select_by_value("koordinasi")
            .await
            .unwrap();
        c.find(Locator::Css("#tie-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let ties = c
            .wait()
            .for_element(Locator::Css("ul.ties"))
            .await
            .expect("back on the group page, the tie listed")
            .text()
            .await
            .unwrap();
        let name = to_name.split(" (").next().unwrap().to_string();
        assert!(ties.contains(&name) && ties.contains("Koordinasi"), "{ties}");
        assert_eq!(c.current_url().await.unwrap().path(), group_path);

        // The same pair again with another type: asked first.
        c.find(Locator::Css("#tie-start button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#tie-ke"))
            .await
            .unwrap()
            .select_by_value(&to)
            .await
            .unwrap();
        c.find(Locator::Css("#tie-type"))
            .await
            .unwrap()
            .select_by_value("pendanaan")
            .await
            .unwrap();
        c.find(Locator::Css("#tie-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let question = c
            .wait()
            .for_element(Locator::Css("#err-ikatan_kedua"))
            .await
            .expect("the question")
            .text()
            .await
            .unwrap();
        assert!(question.contains("sudah terikat (Koordinasi)"), "{question}");
        let problems = phone_problems(&c).await;
        assert!(problems.is_empty(), "the question on a phone: {problems:?}");
        c.find(Locator::Css("#tie-second"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("#tie-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("ul.ties"))
            .await
            .unwrap();
        let ties = c
            .find(Locator::Css("ul.ties"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            ties.contains("Koordinasi") && ties.contains("Pendanaan"),
            "{ties}"
        );

        // Without JavaScript: the location button stays hidden, the tie form's search (a GET
        // form) still narrows the list, and a tie is added.
        let plain = connect_without_script(port).await;
        sign_in(&plain, &base, "demo", "demo-wahana").await;
        plain
            .goto(&format!("{base}/groups/new?village={village}"))
            .await
            .unwrap();
        let button = plain
            .wait()
            .for_element(Locator::Css("#use-location"))
            .await
            .unwrap();
        assert!(
            !button.is_displayed().await.unwrap(),
            "without JavaScript the location button is not shown"
        );
        plain.goto(&format!("{base}{group_path}")).await.unwrap();
        let word = name.split_whitespace().last().unwrap().to_string();
        plain
            .wait()
            .for_element(Locator::Css("#tie-start input[name=cari]"))
            .await
            .unwrap()
            .send_keys(&word)
            .await
            .unwrap();
        plain
            .find(Locator::Css("#tie-start button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let narrowed = plain
            .wait()
            .for_element(Locator::Css("#tie-ke"))
            .await
            .unwrap()
            .find_all(Locator::Css("option"))
            .await
            .unwrap();
        let mut offered = Vec::new();
        for o in &narrowed {
            offered.push(o.text().await.unwrap());
        }
        assert!(
            offered.iter().any(|o| o.starts_with(&name))
                && offered
                    .iter()
                    .skip(1)
                    .all(|o| o.to_lowercase().contains(&word.to_lowercase())),
            "the search narrows the list to {word:?}: {offered:?}"
        );
        plain
            .find(Locator::Css("#tie-ke"))
            .await
            .unwrap()
            .select_by_value(&to)
            .await
            .unwrap();
        plain
            .find(Locator::Css("#tie-type"))
            .await
            .unwrap()
            .select_by_value("kegiatan_bersama")
            .await
            .unwrap();
        plain
            .find(Locator::Css("#tie-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        plain
            .wait()
            .for_element(Locator::Css("#tie-second"))
            .await
            .expect("asked again: a third type between the pair")
            .click()
            .await
            .unwrap();
        plain
            .find(Locator::Css("#tie-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let ties = plain
            .wait()
            .for_element(Locator::Css("ul.ties"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(ties.contains("Kegiatan bersama"), "{ties}");
        plain.close().await.unwrap();

        // The network drawing and its legend: inside their box, text at least 11 px.
        c.goto(&format!("{base}/regions/73.08.21/network"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("figure.network svg"))
            .await
            .unwrap();
        let problems = phone_problems(&c).await;
        assert!(problems.is_empty(), "the network page on a phone: {problems:?}");
        c.close().await.unwrap();
    });
}

#[test]
fn help_on_a_phone_puts_the_officers_own_role_first() {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return;
    }
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = start_server(dir.path());
    let port = free_port();
    let _driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let c = connect(port).await;
        // A visitor finds the help from the header of any page.
        c.goto(&format!("{base}/regions/73.08.21")).await.unwrap();
        c.find(Locator::LinkText("Bantuan"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let first = c
            .wait()
            .for_element(Locator::Css("section h2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(first, "Semua orang, tanpa masuk");
        let widths: Vec<i64> = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert!(widths[0] <= widths[1], "no sideways scroll: {widths:?}");
        // The fields' table scrolls inside its own box.
        let boxed: bool = c
            .execute(
                "const t = document.querySelector('#isian table');
                 return t.parentElement.classList.contains('scroll')
                     && getComputedStyle(t.parentElement).overflowX === 'auto';",
                vec![],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap();
        assert!(boxed);

        // Signed in as the demonstration officer: the officer's section first, marked.
        sign_in(&c, &base, "demo", "demo-wahana").await;
        c.goto(&format!("{base}/bantuan")).await.unwrap();
        let first = c
            .find(Locator::Css("section h2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(first, "Petugas (TKSK, Dinas Sosial) (peran Anda)");
        let inbox = c
            .find(Locator::Css("#petugas a[href$='/inbox']"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap();
        assert_eq!(inbox.as_deref(), Some("/regions/73.08.21/inbox"));
        c.close().await.unwrap();
    });
}

/// The server and chromedriver a browser test drives, or `None` (said on standard error) when
/// browser tests are not asked for; fails when they are asked for and Chromium is missing.
struct Browser {
    dir: tempfile::TempDir,
    base: String,
    port: u16,
    _server: Kill,
    _driver: Kill,
}

fn browser() -> Option<Browser> {
    if std::env::var("WAHANA_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "browser test not run: set WAHANA_BROWSER_TESTS=1 (needs chromium and chromium-driver)"
        );
        return None;
    }
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install chromium"
    );
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    );
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = start_server(dir.path());
    let port = free_port();
    let driver = Kill(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    Some(Browser {
        dir,
        base,
        port,
        _server: server,
        _driver: driver,
    })
}

/// Issue 16, point 8, on a phone: an officer uploads a file with a wrong row and values read
/// otherwise than written; the check lists the problem, the warnings and a preview of the rows
/// as they will be written, offers the rejected rows and writing the clean ones; the officer
/// writes the clean ones and finds them on the village page; nothing is too small or scrolls
/// the page sideways.
#[test]
fn web_import_on_a_phone_warns_previews_and_writes_the_clean_rows() {
    let Some(b) = browser() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = b.dir.path().join("browser.db").display().to_string();
    let file = b.dir.path().join("kelompok-baru.csv");
    std::fs::write(
        &file,
        "kode_wilayah;nama;jenis;asal;tahun_berdiri;tanggal_pendataan;telepon\r\n\
         7308211003;Arisan Unggahan Satu;Arisan;Tumbuh dari masyarakat;1995;03/08/2007;81234567890\r\n\
         7308211003;Arisan Unggahan Rusak;arisan;tumbuh_masyarakat;3000;2007-08-14;\r\n\
         7308211003;Rukun Kematian Unggahan;rukun kematian;tumbuh_masyarakat;1980;2007-08-14;0812-1111-2222\r\n",
    )
    .unwrap();
    let base = b.base.clone();
    rt.block_on(async move {
        use wahana::service::{caller::Caller, users};
        let store = wahana::service::open_with(&db, wahana_store::Sharing::Shared)
            .await
            .unwrap();
        users::add(
            &store,
            &Caller::cli(),
            "petugas",
            "sandi-petugas-1",
            "officer",
            Some("73.08.21"),
        )
        .await
        .unwrap();
        let c = connect(b.port).await;
        sign_in(&c, &base, "petugas", "sandi-petugas-1").await;

        c.goto(&format!("{base}/import")).await.unwrap();
        c.find(Locator::Css("#file"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        c.find(Locator::Css("#wave"))
            .await
            .unwrap()
            .send_keys("demo-2007-sintetis")
            .await
            .unwrap();
        c.find(Locator::XPath("//button[text()='Periksa']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let status = c
            .wait()
            .for_element(Locator::Css("p[role=status]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("3 baris kelompok diperiksa, 1 bermasalah"),
            "{status}"
        );
        let problems = c
            .find(Locator::Css("ol.problems"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            problems.contains("baris 3") && problems.contains("tahun_berdiri"),
            "{problems}"
        );
        let warnings = c
            .find(Locator::Css("ol.warnings"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            warnings.contains("nomor telepon 81234567890 dibaca sebagai 081234567890")
                && warnings.contains("tanggal 03/08/2007 dibaca hari lebih dulu: 3 Agustus 2007"),
            "{warnings}"
        );
        // The preview: the labels became codes, the date and the phone as written.
        let preview = c
            .find(Locator::Css("table.preview"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            preview.contains("arisan")
                && preview.contains("rukun_kematian")
                && preview.contains("2007-08-03")
                && preview.contains("081234567890"),
            "{preview}"
        );
        assert!(!preview.contains("Unggahan Rusak"), "{preview}");
        let bad = phone_problems(&c).await;
        assert!(bad.is_empty(), "the import page on a phone: {bad:?}");
        assert!(
            c.find(Locator::Css("#rejects-link")).await.is_ok(),
            "the rejected rows offered"
        );

        c.find(Locator::Css("#accept-clean"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The check's page has a status line too: wait for the one that says what was written.
        let done = c
            .wait()
            .for_element(Locator::XPath(
                "//p[@role='status'][contains(., 'ditulis ke pendataan')]",
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            done.contains("2 ditulis ke pendataan demo-2007-sintetis"),
            "{done}"
        );
        c.goto(&format!("{base}/regions/73.08.21.1003"))
            .await
            .unwrap();
        let page = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Arisan Unggahan Satu") && page.contains("Rukun Kematian Unggahan"),
            "{page}"
        );
        assert!(!page.contains("Arisan Unggahan Rusak"));
        c.close().await.unwrap();
    });
}

/// Fills the sign-in form as a person types it and sends it (what follows is the test's to
/// check: a refusal, or [`sign_in`]'s wait).
async fn fill_sign_in(c: &fantoccini::Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/signin")).await.unwrap();
    c.find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Signs in and waits for the next page: navigation after a click is asynchronous, so it waits
/// for what a signed-in page shows (the sign-out button).
async fn sign_in(c: &fantoccini::Client, base: &str, name: &str, password: &str) {
    fill_sign_in(c, base, name, password).await;
    c.wait()
        .for_element(Locator::Css("form[action='/signout'] button"))
        .await
        .expect("signed in: the sign-out button");
}
