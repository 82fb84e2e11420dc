//! The read replica (`web/replica.rs`, `Store::open_replica`) on a real PostgreSQL streaming
//! replica: `WAHANA_TEST_POSTGRES_REPLICA_URL` (a standby of `WAHANA_TEST_POSTGRES_URL`'s
//! server) and `WAHANA_TEST_POSTGRES_REPLICA_DATA` (its data directory, which the test stops
//! and starts with `pg_ctl`). `.ci/run` starts one beside its throwaway primary; in CI the test
//! fails when they are missing, elsewhere it is skipped.
//!
//! Reads are shown to come from the replica (the `/metrics` counters and the replica's own
//! `pg_stat_activity`), a write is read back by its writer at once, and the server answers
//! every request while the replica is stopped under load, then reads from it again once it
//! is back.

use super::harness::{Env, INSIDE, new_group};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tower::ServiceExt;
use wahana_store::Store;

/// The primary's and the replica's URLs (to their `postgres` database) and the replica's
/// data directory, when the replica tests run.
struct Setup {
    primary: String,
    replica: String,
    data: Option<PathBuf>,
}

fn setup() -> Option<Setup> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let ci = std::env::var_os("CI").is_some();
    match (
        var("WAHANA_TEST_POSTGRES_URL"),
        var("WAHANA_TEST_POSTGRES_REPLICA_URL"),
    ) {
        (Some(primary), Some(replica)) => {
            let data = var("WAHANA_TEST_POSTGRES_REPLICA_DATA").map(PathBuf::from);
            assert!(
                data.is_some() || !ci,
                "CI is set but WAHANA_TEST_POSTGRES_REPLICA_DATA is not: the replica must be stopped under load in CI"
            );
            Some(Setup {
                primary,
                replica,
                data,
            })
        }
        _ => {
            assert!(
                !ci,
                "CI is set but WAHANA_TEST_POSTGRES_URL and WAHANA_TEST_POSTGRES_REPLICA_URL are not both: the read replica test must run in CI"
            );
            eprintln!(
                "read replica test skipped: set WAHANA_TEST_POSTGRES_URL and WAHANA_TEST_POSTGRES_REPLICA_URL"
            );
            None
        }
    }
}

/// `url` with its database named `db`.
fn with_database(url: &str, db: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{db}")
}

/// The replica of the primary's database, once the replica has replayed its creation and
/// migrations, and everything the primary has written so far.
async fn replica_of(primary: &Store, url: &str) -> Store {
    let mut last = String::new();
    for _ in 0..600 {
        match Store::open_replica(url).await {
            Ok(replica) => {
                caught_up(primary, &replica).await;
                return replica;
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replica never held the primary's database: {last}");
}

/// Waits until the replica has replayed what the primary has flushed now.
async fn caught_up(primary: &Store, replica: &Store) {
    let target = primary.wal_position().await.unwrap().unwrap();
    for _ in 0..600 {
        let pos = replica.replay_position().await.unwrap().unwrap();
        assert!(pos.in_recovery, "the replica is not a standby");
        if pos.replayed.unwrap() >= target {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replica never replayed the primary's position {target}");
}

struct Answer {
    status: StatusCode,
    text: String,
}

/// `GET uri` from a local peer (so `/metrics` answers), with a `Cookie` header if given.
async fn get(app: &axum::Router, uri: &str, cookie: Option<&str>) -> Answer {
    let mut b = Request::builder().uri(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let mut req = b.body(Body::empty()).unwrap();
    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(
        "127.0.0.1:40000".parse().unwrap(),
    ));
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Reads counted by the server as served `target`/`reason` (`web/replica.rs`).
async fn reads(app: &axum::Router, target: &str, reason: &str) -> u64 {
    let m = get(app, "/metrics", None).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text);
    let series = format!("wahana_reads_total{{target=\"{target}\",reason=\"{reason}\"}} ");
    m.text
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .unwrap_or_else(|| panic!("no {series} in {}", m.text))
        .parse()
        .unwrap()
}

/// The replica's part of `/readyz` (which checks it first).
async fn ready_replica(app: &axum::Router) -> serde_json::Value {
    let r = get(app, "/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    serde_json::from_str::<serde_json::Value>(&r.text).unwrap()["replica"].clone()
}

/// Connections the server holds open to `db` on the replica.
async fn replica_connections(replica_admin: &str, db: &str) -> i64 {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(replica_admin).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
    )
    .bind(db)
    .bind(wahana_store::REPLICA_APPLICATION_NAME)
    .fetch_one(&mut c)
    .await
    .unwrap();
    n
}

/// Runs `pg_ctl -D data ARGS` as the data directory's owner (`postgres`, through `runuser`
/// when the test runs as root).
fn pg_ctl(data: &Path, args: &[&str]) {
    let program = std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("pg_ctl"))
                .find(|p| p.is_file())
        })
        .or_else(|| {
            std::fs::read_dir("/usr/lib/postgresql")
                .ok()?
                .filter_map(Result::ok)
                .map(|v| v.path().join("bin/pg_ctl"))
                .find(|p| p.is_file())
        })
        .expect("pg_ctl (PostgreSQL's server tools)");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut cmd = if root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&program);
        c
    } else {
        std::process::Command::new(&program)
    };
    let status = cmd.arg("-D").arg(data).args(args).status().unwrap();
    assert!(status.success(), "pg_ctl {args:?} failed");
}

/// The options the replica was started with (from `postmaster.opts`, without `-D`), for
/// starting it again the same way.
fn start_options(data: &Path) -> String {
    let opts = std::fs::read_to_string(data.join("postmaster.opts")).unwrap();
    let quoted: Vec<&str> = opts.split('"').skip(1).step_by(2).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < quoted.len() {
        if quoted[i] == "-D" {
            i += 2;
            continue;
        }
        out.push(format!("'{}'", quoted[i].replace('\'', "")));
        i += 1;
    }
    out.join(" ")
}

/// Starts the replica again when dropped while stopped (a failed assertion included).
struct Restart {
    data: PathBuf,
    options: String,
    stopped: bool,
}

impl Restart {
    fn stop(&mut self) {
        pg_ctl(&self.data, &["-m", "fast", "-w", "stop"]);
        self.stopped = true;
    }

    fn start(&mut self) {
        let log = self
            .data
            .parent()
            .unwrap_or(&self.data)
            .join("replica-restart.log");
        let log = log.display().to_string();
        pg_ctl(
            &self.data,
            &["-w", "-l", &log, "-o", &self.options, "start"],
        );
        self.stopped = false;
    }
}

impl Drop for Restart {
    fn drop(&mut self) {
        if self.stopped {
            self.start();
        }
    }
}

#[test]
fn a_replica_must_be_postgresql() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db").display().to_string();
    let e = rt.block_on(Store::open_replica(&path)).unwrap_err();
    assert!(e.to_string().contains("PostgreSQL"), "{e}");
    assert!(!dir.path().join("w.db").exists(), "nothing is created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_go_to_the_replica_writers_read_their_writes_and_a_stopped_replica_is_passed_over() {
    let Some(setup) = setup() else {
        return;
    };
    // A replica of a database wahana never migrated is refused, saying so.
    let empty = crate::harness::create_postgres_database(&setup.primary, "wahana_replica").await;
    let empty_db = empty.rsplit('/').next().unwrap();
    let mut refused = None;
    for _ in 0..600 {
        match Store::open_replica(&with_database(&setup.replica, empty_db)).await {
            Err(e @ wahana_store::StoreError::ReplicaSchema { .. }) => {
                refused = Some(e);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            Ok(_) => panic!("a replica without wahana's migrations was opened"),
        }
    }
    let refused = refused.expect("the empty database never reached the replica");
    assert!(refused.to_string().contains("migrations"), "{refused}");

    let url = crate::harness::create_postgres_database(&setup.primary, "wahana_replica").await;
    let db = url.rsplit('/').next().unwrap().to_string();
    let mut env = Env::new("postgres", Some(url)).await;
    let replica = replica_of(&env.store, &with_database(&setup.replica, &db)).await;

    // The replica takes no write, whatever a query asks.
    let refused = wahana_store::on_pool!(replica.pool(), p => {
        sqlx::query("CREATE TABLE coba (x int)").execute(p).await.map(|_| ())
    });
    assert!(refused.is_err(), "a write reached the replica");

    env.serve_with_replica(replica.clone());
    let app = env.app.clone();

    // (a) Reads come from the replica once it is known to be caught up (`/readyz` checks it).
    let state = ready_replica(&app).await;
    assert_eq!(state["reachable"], true, "{state}");
    assert_eq!(state["in_recovery"], true, "{state}");
    assert_eq!(state["serving_reads"], true, "{state}");
    let before = reads(&app, "replica", "replica").await;
    for uri in [
        format!("/regions/{INSIDE}"),
        "/api/v1/regions/73.08.21/profile".to_string(),
        "/api/v1/waves".to_string(),
    ] {
        let r = get(&app, &uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
    }
    assert_eq!(reads(&app, "replica", "replica").await, before + 3);
    assert!(
        replica_connections(&setup.replica, &db).await > 0,
        "the server holds no connection to the replica"
    );

    // (b) A write is read back by its writer at once: the API client (Bearer, no cookie)
    // through the session remembered, a browser through the cookie of the write's answer.
    let own_before = reads(&app, "primary", "own_write").await;
    let created = env
        .api(
            Method::POST,
            "/api/v1/groups",
            Some("officer"),
            Some(new_group(INSIDE, "Arisan Baru Tersimpan")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let cookie = created
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("wahana_primary="))
        .expect("a write's answer sets the primary cookie");
    assert!(
        cookie.contains("Max-Age=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let read = env
        .api(
            Method::GET,
            &format!("/api/v1/groups/{id}"),
            Some("officer"),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert!(read.text.contains("Arisan Baru Tersimpan"), "{}", read.text);
    let session = format!(
        "wahana_session={}; wahana_primary=1",
        env.sessions["viewer"].0
    );
    let page = get(&app, &format!("/groups/{id}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Arisan Baru Tersimpan"));
    assert_eq!(reads(&app, "primary", "own_write").await, own_before + 2);
    // Another reader's reads still go to the replica.
    let before = reads(&app, "replica", "replica").await;
    let other = get(
        &app,
        "/api/v1/regions/73.08.21/profile",
        Some(&format!("wahana_session={}", env.sessions["viewer"].0)),
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(reads(&app, "replica", "replica").await, before + 1);

    // (c) The replica stopped under load: every request is answered, and none with a 5xx.
    let Some(data) = setup.data.clone() else {
        eprintln!("replica not stopped: set WAHANA_TEST_POSTGRES_REPLICA_DATA");
        return;
    };
    let mut replica_server = Restart {
        options: start_options(&data),
        data,
        stopped: false,
    };
    let answers = Arc::new(std::sync::Mutex::new(Vec::<(String, StatusCode)>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let viewer = format!("wahana_session={}", env.sessions["viewer"].0);
    let mut clients = Vec::new();
    for c in 0..4usize {
        let (app, answers, done) = (app.clone(), answers.clone(), done.clone());
        let cookie = (c % 2 == 1).then(|| viewer.clone());
        clients.push(tokio::spawn(async move {
            let uris = [
                format!("/regions/{INSIDE}"),
                "/api/v1/regions/73.08.21/profile".to_string(),
                "/api/v1/waves".to_string(),
                "/regions/73.08.21/network".to_string(),
                format!("/api/v1/regions/{INSIDE}"),
            ];
            let mut n = c;
            while !done.load(Ordering::Relaxed) {
                let uri = &uris[n % uris.len()];
                let r = get(&app, uri, cookie.as_deref()).await;
                answers.lock().unwrap().push((uri.clone(), r.status));
                n += 1;
            }
        }));
    }
    let answered = || answers.lock().unwrap().len();
    while answered() < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let fallbacks_before = reads(&app, "primary", "fallback").await;
    let down_before = reads(&app, "primary", "replica_down").await;
    tokio::task::block_in_place(|| replica_server.stop());
    let at_stop = answered();
    while answered() < at_stop + 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    let failed: Vec<_> = answers
        .iter()
        .filter(|(_, s)| *s != StatusCode::OK)
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} requests failed while the replica stopped: {failed:?}",
        failed.len(),
        answers.len()
    );
    let fallbacks = reads(&app, "primary", "fallback").await - fallbacks_before;
    let down = reads(&app, "primary", "replica_down").await - down_before;
    eprintln!(
        "replica stopped under load: {} requests answered, none failed; {fallbacks} read(s) the replica failed were answered again from the primary, {down} went straight to the primary",
        answers.len()
    );
    assert!(
        down > 0,
        "no read went to the primary because the replica was down"
    );
    let state = ready_replica(&app).await;
    assert_eq!(state["reachable"], false, "{state}");
    assert_eq!(state["serving_reads"], false, "{state}");
    // A write while the replica is away lands on the primary as always.
    let written = env
        .api(
            Method::POST,
            "/api/v1/groups",
            Some("officer"),
            Some(new_group(INSIDE, "Arisan Saat Replika Mati")),
        )
        .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.text);

    // Back again: once it answers a check, it takes reads again.
    tokio::task::block_in_place(|| replica_server.start());
    let mut state = serde_json::Value::Null;
    for _ in 0..600 {
        state = ready_replica(&app).await;
        if state["serving_reads"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state["serving_reads"], true, "{state}");
    let before = reads(&app, "replica", "replica").await;
    let r = get(&app, "/api/v1/waves", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(reads(&app, "replica", "replica").await, before + 1);
    let m = get(&app, "/metrics", None).await;
    assert!(m.text.contains("wahana_replica_up 1"), "{}", m.text);
}
