use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One place to run the binary: a temporary working directory and a database URL.
pub struct Env {
    pub name: &'static str,
    pub dir: tempfile::TempDir,
    pub database: String,
}

impl Env {
    /// Runs `wahana --database <db> ARGS` in the directory.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wahana"))
            .current_dir(self.dir.path())
            .env_remove("WAHANA_DATABASE_URL")
            .env_remove("WAHANA_LANG")
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .output()
            .expect("run wahana")
    }

    /// Runs and insists on success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{}: wahana {args:?} failed:\nstdout: {}\nstderr: {}",
            self.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and insists on failure; returns standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "{}: wahana {args:?} should have failed:\n{}",
            self.name,
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Runs a command that must fail with this exit status; returns its stderr.
    pub fn fails_with(&self, status: i32, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(status),
            "{}: wahana {args:?}: {err}",
            self.name
        );
        err
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Groups held, summed over the provinces (`wahana regions --format json`).
    pub fn group_count(&self) -> usize {
        let out = self.ok(&["regions", "--format", "json"]);
        let provinces: serde_json::Value = serde_json::from_str(&out).unwrap();
        provinces
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["groups"].as_u64().unwrap() as usize)
            .sum()
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// The PostgreSQL server to test on, if any. Fails when CI is set and none is given.
pub fn postgres_url() -> Option<String> {
    match std::env::var("WAHANA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but WAHANA_TEST_POSTGRES_URL is not: the PostgreSQL tests must run in CI"
            );
            None
        }
    }
}

/// A fresh database (`PREFIX_PID_N`) on the PostgreSQL server of `admin_url`; its URL.
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await
    .expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// [`create_postgres_database`] for the tests that run the binary (no runtime of their own).
pub fn fresh_postgres_database(admin_url: &str) -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(create_postgres_database(admin_url, "wahana_cli"))
}

/// SQLite in a temporary directory, and PostgreSQL when available.
pub fn envs() -> Vec<Env> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("wahana.db").to_string_lossy().into_owned();
    out.push(Env {
        name: "sqlite",
        dir,
        database,
    });
    if let Some(admin) = postgres_url() {
        out.push(Env {
            name: "postgres",
            dir: tempfile::tempdir().expect("tempdir"),
            database: fresh_postgres_database(&admin),
        });
    }
    out
}
