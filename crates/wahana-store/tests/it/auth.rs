//! Sessions are kept as the hash of their token, and a database made before that
//! (migrations 0001–0005, the previous release) opens with its people and audit trail intact.

use crate::harness::{backends, fresh_postgres_database, postgres_url};
use wahana_store::{Store, token_hash};

#[tokio::test]
async fn sessions_hold_the_hash_of_their_token_only() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let u = s
            .create_user("petugas", "$argon2id$x", "officer", None, "cli:test")
            .await
            .unwrap();
        let token = "a".repeat(64);
        s.create_session(&token, u.id, "9999-12-31T00:00:00Z")
            .await
            .unwrap();
        let held: Vec<String> = wahana_store::on_pool!(s.pool(), p => {
            sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_all(p).await.unwrap()
        });
        assert_eq!(held, vec![token_hash(&token)], "{n}");
        assert_ne!(held[0], token, "{n}");
        assert_eq!(
            s.session_user(&token).await.unwrap().unwrap().id,
            u.id,
            "{n}"
        );
        assert!(
            s.session_user(&held[0]).await.unwrap().is_none(),
            "{n}: the hash is no token"
        );
        s.delete_session(&token).await.unwrap();
        assert!(s.session_user(&token).await.unwrap().is_none(), "{n}");
    }
}

/// Of many attempts at once, each reads a count of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_attempts_are_counted_atomically() {
    for db in backends().await {
        let n = db.name;
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let s = db.store.clone();
                tokio::spawn(async move {
                    s.count_sign_in_attempt("admin", "203.0.113.9", "2000-01-01T00:00:00Z")
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut counts = Vec::new();
        for t in tasks {
            counts.push(t.await.unwrap());
        }
        counts.sort();
        assert_eq!(counts, (1..=40).collect::<Vec<i64>>(), "{n}");
        // Another address counts apart; a window that began before `since` starts again.
        let s = &db.store;
        assert_eq!(
            s.count_sign_in_attempt("admin", "198.51.100.7", "2000-01-01T00:00:00Z")
                .await
                .unwrap(),
            1,
            "{n}"
        );
        assert_eq!(
            s.count_sign_in_attempt("admin", "203.0.113.9", "9999-01-01T00:00:00Z")
                .await
                .unwrap(),
            1,
            "{n}"
        );
        s.clear_sign_in_attempts("admin", "198.51.100.7", "2000-01-01T00:00:00Z")
            .await
            .unwrap();
        assert_eq!(
            s.count_sign_in_attempt("admin", "198.51.100.7", "2000-01-01T00:00:00Z")
                .await
                .unwrap(),
            1,
            "{n}"
        );
    }
}

/// What the previous release wrote, through its own migrations (0001–0005).
const OLD_ROWS: [&str; 4] = [
    "INSERT INTO users (id, name, password_hash, role, region_code, created_at) \
     VALUES (7, 'lama', '$argon2id$lama', 'admin', NULL, '2026-01-01T00:00:00Z')",
    "INSERT INTO sessions (token, user_id, csrf_token, created_at, expires_at) \
     VALUES ('tokenlama', 7, 'csrflama', '2026-01-01T00:00:00Z', '9999-12-31T00:00:00Z')",
    "INSERT INTO failed_sign_ins (name, at) VALUES ('lama', '2026-01-01T00:00:00Z')",
    "INSERT INTO audit (at, actor, action, entity_kind, entity_id, region_code, before_json, \
     after_json) VALUES ('2026-01-01T00:00:00Z', 'cli:x', 'create', 'pengguna', '7', NULL, \
     NULL, '{\"name\":\"lama\"}')",
];

async fn check_upgraded(s: &Store, n: &str) {
    let u = s
        .user_by_name("lama")
        .await
        .unwrap()
        .expect("the user is kept");
    assert_eq!((u.id, u.role.as_str()), (7, "admin"), "{n}");
    let trail = s.audit_of("pengguna", "7", 10).await.unwrap();
    assert_eq!(trail.len(), 1, "{n}: {trail:?}");
    assert_eq!(trail[0].actor, "cli:x", "{n}");
    // Sessions held in clear are ended; new ones work.
    assert!(s.session_user("tokenlama").await.unwrap().is_none(), "{n}");
    s.create_session("tokenbaru", 7, "9999-12-31T00:00:00Z")
        .await
        .unwrap();
    assert_eq!(
        s.session_user("tokenbaru").await.unwrap().unwrap().id,
        7,
        "{n}"
    );
}

#[tokio::test]
async fn a_database_of_the_previous_release_opens_with_people_and_audit_intact() {
    // SQLite.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let url = path.to_str().unwrap().to_string();
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        sqlx::migrate!("./migrations/sqlite")
            .run_to(5, &pool)
            .await
            .unwrap();
        for sql in OLD_ROWS {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let s = Store::open(&url).await.unwrap();
    check_upgraded(&s, "sqlite").await;
    s.close().await;
    // PostgreSQL.
    if let Some(admin) = postgres_url() {
        let url = fresh_postgres_database(&admin).await;
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::migrate!("./migrations/postgres")
            .run_to(5, &pool)
            .await
            .unwrap();
        for sql in OLD_ROWS {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
        let s = Store::open(&url).await.unwrap();
        check_upgraded(&s, "postgres").await;
        s.close().await;
    }
}
