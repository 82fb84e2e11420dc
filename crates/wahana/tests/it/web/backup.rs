//! `wahana backup` while the application writes, `wahana restore` of what it wrote, and the
//! admins' page of backups. On SQLite and PostgreSQL.

use super::harness::{Env, INSIDE, envs, new_group};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use wahana_domain::screening::RuleSet;
use wahana_store::{DEFAULT_RULES, GroupFilter, Store, TallySnapshot};

const WAVE: &str = "demo-2007-sintetis";
/// The groups the writes add are named `Arisan Cadangan NNNNN`, numbered in order.
const PREFIX: &str = "Arisan Cadangan ";

/// Runs `wahana --database DATABASE ARGS` with `env` set; its exit status, stdout and stderr.
async fn wahana(database: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_wahana"));
    cmd.env_remove("WAHANA_DATABASE_URL")
        .env_remove("WAHANA_LANG")
        .arg("--database")
        .arg(database)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One write of the stream: its number, when it was sent and when it was answered.
struct Write {
    n: usize,
    sent: Instant,
    answered: Instant,
}

/// Adds groups one after the other through the API (each its own transaction, as the server
/// writes) until told to stop.
fn stream_of_writes(
    env: &Env,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<Vec<Write>> {
    let app = env.app.clone();
    let token = env.sessions["admin"].0.clone();
    tokio::spawn(async move {
        let mut log = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let n = log.len();
            let body = new_group(INSIDE, &format!("{PREFIX}{n:05}"));
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/groups")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let sent = Instant::now();
            let res = app.clone().oneshot(req).await.unwrap();
            let answered = Instant::now();
            assert_eq!(res.status(), StatusCode::CREATED, "write {n}");
            log.push(Write { n, sent, answered });
            done.fetch_add(1, Ordering::SeqCst);
        }
        log
    })
}

async fn wait_for(done: &AtomicUsize, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while done.load(Ordering::SeqCst) < at_least {
        assert!(Instant::now() < deadline, "the writes stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The numbers of the stream's groups a database holds, in order.
async fn streamed(store: &Store) -> Vec<usize> {
    let names: Vec<String> = wahana_store::on_pool!(store.pool(), p => {
        sqlx::query_scalar("SELECT name FROM groups WHERE name LIKE 'Arisan Cadangan %'")
            .fetch_all(p)
            .await
            .unwrap()
    });
    let mut n: Vec<usize> = names
        .iter()
        .map(|s| s.strip_prefix(PREFIX).unwrap().parse().unwrap())
        .collect();
    n.sort_unstable();
    n
}

/// The restored database: SQLite's integrity check, and every tally equal to a count from
/// the rows themselves.
async fn assert_sound(store: &Store, n: &str) {
    if let wahana_store::Pool::Sqlite(p) = store.pool() {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(p)
            .await
            .unwrap();
        assert_eq!(check, "ok", "{n}");
    }
    let f = GroupFilter {
        wave: Some(WAVE.into()),
        ..Default::default()
    };
    let groups: Vec<_> = store
        .list_groups(&f, 1_000_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.group)
        .collect();
    assert!(groups.len() > 400, "{n}: {} groups", groups.len());
    let held = store.tally_snapshot(WAVE, DEFAULT_RULES).await.unwrap();
    let want = TallySnapshot::recompute(&groups, &RuleSet::seed_2007());
    assert_eq!(held.villages, want.villages, "{n}: village tallies");
    assert_eq!(
        held.region_types, want.region_types,
        "{n}: region/type tallies"
    );
    assert_eq!(
        store.actor_tallies(WAVE).await.unwrap(),
        store.recount_actor_tallies(WAVE).await.unwrap(),
        "{n}: counts of networks, institutions and ties"
    );
}

/// A fresh database to restore into: a SQLite path that does not exist yet, or a new
/// PostgreSQL database.
async fn fresh(env: &Env, name: &str) -> String {
    match crate::harness::postgres_url().filter(|_| env.name == "postgres") {
        Some(admin) => crate::harness::create_postgres_database(&admin, name).await,
        None => env
            .dir
            .path()
            .join(format!("{name}.db"))
            .display()
            .to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_writes_restores_every_write_committed_before_it_and_none_after() {
    for env in envs().await {
        let n = env.name;
        let file = env.dir.path().join("cadangan.bak");
        let file_arg = file.display().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let writer = stream_of_writes(&env, stop.clone(), done.clone());
        wait_for(&done, 10).await;

        let began = Instant::now();
        let (ok, out, err) = wahana(&env.database, &["backup", "--out", &file_arg], &[]).await;
        let ended = Instant::now();
        assert!(ok, "{n}: {out}{err}");
        assert!(out.contains("cadangan ditulis"), "{n}: {out}");
        let after_backup = done.load(Ordering::SeqCst);
        wait_for(&done, after_backup + 10).await;
        stop.store(true, Ordering::SeqCst);
        let log = writer.await.unwrap();
        let bytes = std::fs::metadata(&file).unwrap().len();
        assert!(bytes > 0, "{n}");

        // The stream went on before, during and after the backup.
        assert!(log.iter().any(|w| w.answered < began), "{n}");
        assert!(log.iter().any(|w| w.sent > ended), "{n}");
        assert!(
            log.iter().any(|w| w.answered > began && w.sent < ended),
            "{n}: no write while the backup ran"
        );

        let target = fresh(&env, "wahana_pulih").await;
        let (ok, out, err) = wahana(&target, &["restore", &file_arg, "--lang", "en"], &[]).await;
        assert!(ok, "{n}: {out}{err}");
        assert!(out.contains("restored from"), "{n}: {out}");
        let restored = Store::open(&target).await.unwrap();
        assert_sound(&restored, n).await;
        // The writes held are the first k of the stream: all committed before the backup
        // started are there, none sent after it ended.
        let held = streamed(&restored).await;
        assert_eq!(
            held,
            (0..held.len()).collect::<Vec<_>>(),
            "{n}: not a prefix"
        );
        for w in &log {
            if w.answered < began {
                assert!(
                    held.contains(&w.n),
                    "{n}: write {} committed before the backup",
                    w.n
                );
            }
            if w.sent > ended {
                assert!(
                    !held.contains(&w.n),
                    "{n}: write {} sent after the backup",
                    w.n
                );
            }
        }
        let source_groups = env.store.counts().await.unwrap().groups;
        let restored_groups = restored.counts().await.unwrap().groups;
        assert_eq!(
            restored_groups,
            source_groups - (log.len() - held.len()) as i64,
            "{n}"
        );
        restored.close().await;

        // The restored database holds records now: refused without --force, replaced with it.
        let (ok, _, err) = wahana(&target, &["restore", &file_arg], &[]).await;
        assert!(!ok, "{n}");
        assert!(
            err.contains("tidak kosong") && err.contains("kelompok") && err.contains("--force"),
            "{n}: {err}"
        );
        let (ok, out, err) = wahana(&target, &["restore", &file_arg, "--force"], &[]).await;
        assert!(ok, "{n}: {out}{err}");
        let again = Store::open(&target).await.unwrap();
        assert_eq!(streamed(&again).await, held, "{n}");
        assert_eq!(again.counts().await.unwrap().groups, restored_groups, "{n}");
        // Its trail holds the restores.
        let restores = again.audit_of_kind("cadangan", 10).await.unwrap();
        assert_eq!(
            restores.len(),
            1,
            "{n}: the forced restore replaced the first"
        );
        assert_eq!(restores[0].action, "restore", "{n}");
        again.close().await;

        // A backup never replaces a file.
        let (ok, _, err) = wahana(&env.database, &["backup", "--out", &file_arg], &[]).await;
        assert!(!ok, "{n}");
        assert!(err.contains("sudah ada"), "{n}: {err}");
        assert_eq!(std::fs::metadata(&file).unwrap().len(), bytes, "{n}");

        // The backup in the source's trail, and on the admins' page.
        let entries = env.store.audit_of_kind("cadangan", 10).await.unwrap();
        assert_eq!(entries.len(), 1, "{n}");
        assert_eq!(entries[0].action, "backup", "{n}");
        let after: serde_json::Value =
            serde_json::from_str(entries[0].after.as_deref().unwrap()).unwrap();
        assert_eq!(after["bytes"], bytes, "{n}");
        assert_eq!(after["database"], n, "{n}");
        let page = env.page("/admin/backups?lang=en", Some("admin")).await;
        assert_eq!(page.status, StatusCode::OK, "{n}: {}", page.text);
        let size = wahana::service::backup::size(bytes, wahana_domain::Lang::En);
        assert!(page.text.contains("Last backup"), "{n}");
        assert!(page.text.contains(&size), "{n}: {size} not on the page");
        assert!(page.text.contains(&entries[0].at), "{n}");
        for who in ["officer", "viewer"] {
            let r = env.page("/admin/backups", Some(who)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{n} {who}");
            assert!(!r.text.contains("cadangan.bak"), "{n} {who}");
        }

        if n == "sqlite" {
            // Never over a file another process has open: here the application's own.
            let (ok, _, err) = wahana(&env.database, &["restore", &file_arg, "--force"], &[]).await;
            assert!(!ok, "{n}");
            assert!(err.contains("sedang dibuka"), "{n}: {err}");
            assert_eq!(
                env.store.counts().await.unwrap().groups,
                source_groups,
                "{n}"
            );
            // Nor from a file that is no backup.
            let text = env.dir.path().join("bukan.bak");
            std::fs::write(&text, "kode_wilayah,nama\n").unwrap();
            let other = fresh(&env, "wahana_bukan").await;
            let (ok, _, err) = wahana(&other, &["restore", &text.display().to_string()], &[]).await;
            assert!(!ok, "{n}");
            assert!(err.contains("bukan cadangan"), "{n}: {err}");
        } else {
            // Without pg_dump, said so.
            let (ok, _, err) = wahana(
                &env.database,
                &[
                    "backup",
                    "--out",
                    &env.dir.path().join("tanpa.bak").display().to_string(),
                ],
                &[("PATH", "/nonexistent")],
            )
            .await;
            assert!(!ok, "{n}");
            assert!(err.contains("pg_dump tidak ditemukan"), "{n}: {err}");
            assert!(!env.dir.path().join("tanpa.bak").exists(), "{n}");
        }
    }
}
