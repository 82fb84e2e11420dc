//! The real server stopped by SIGTERM while it works: a request whose body is still arriving
//! and a large import being written. The request is answered and its write kept; the import
//! is cancelled and rolled back whole; the process exits 0; the database holds exactly what
//! was committed (SQLite: its integrity check is clean). On SQLite and PostgreSQL.

use crate::harness::{Env, envs};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server, killed if a test fails before it stops by itself.
struct Server {
    child: Child,
    addr: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `wahana serve --demo` on a free port, its logs in a file.
    fn start(env: &Env) -> Server {
        let log = env.path("serve.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wahana"))
            .current_dir(env.dir.path())
            .env_remove("WAHANA_DATABASE_URL")
            .env_remove("WAHANA_LANG")
            .env("RUST_LOG", "wahana=info")
            .args([
                "--database",
                &env.database,
                "serve",
                "--demo",
                "--addr",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start wahana serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("wahana serve ended early").unwrap();
            if let Some(rest) = line.strip_prefix("wahana: http://localhost:") {
                break format!("127.0.0.1:{}", rest.trim_end_matches('/'));
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr, log }
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a request's head and the first `sent` bytes of its body; the rest is up to the
    /// caller. HTTP/1.0: the answer ends when the server closes the connection.
    fn open(&self, head: &str, body: &[u8], sent: usize) -> TcpStream {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let head = format!("{head}\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body[..sent]).unwrap();
        s.flush().unwrap();
        s
    }
}

/// The answer on a connection: its status and body.
fn answer(mut s: TcpStream) -> (u16, String) {
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// What the database holds: groups, audit entries, groups named `Arisan Henti …`, and on
/// SQLite its integrity check.
#[derive(Debug, PartialEq)]
struct Held {
    groups: i64,
    audit: i64,
    import_rows: i64,
    integrity: String,
}

fn held(env: &Env) -> Held {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = wahana_store::Store::open(&env.database).await.unwrap();
        let (groups, audit, import_rows): (i64, i64, i64) = wahana_store::on_pool!(store.pool(), p => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM audit), \
                 (SELECT COUNT(*) FROM groups WHERE name LIKE 'Arisan Henti %')",
            )
            .fetch_one(p)
            .await
            .unwrap()
        });
        let integrity = match store.pool() {
            wahana_store::Pool::Sqlite(p) => sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(p)
                .await
                .unwrap(),
            wahana_store::Pool::Postgres(_) => "ok".to_string(),
        };
        store.close().await;
        Held {
            groups,
            audit,
            import_rows,
            integrity,
        }
    })
}

/// Whether a transaction other than the asker's is writing: on SQLite the write lock is held
/// (`BEGIN IMMEDIATE` is refused at once), on PostgreSQL a session of the database has a
/// transaction id (it has written).
fn writing(env: &Env) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        if env.name == "sqlite" {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&env.database)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::ZERO);
            let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
            let busy = sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .is_err();
            if !busy {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
            }
            busy
        } else {
            let mut c = sqlx::PgConnection::connect(&env.database).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            n > 0
        }
    })
}

/// `rows` valid groups over the kelurahan of Tanete Riattang, named `Arisan Henti N`.
fn import_file(rows: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * 140);
    out.extend_from_slice(b"kode_wilayah,nama,jenis,asal,tahun_berdiri,dasar_keanggotaan,tujuan,sumber_dana,nilai,tanggal_pendataan\n");
    for i in 0..rows {
        writeln!(
            out,
            "73.08.21.100{},Arisan Henti {i},arisan,tumbuh_masyarakat,{},domisili,ketahanan_sosial,iuran_anggota,kebersamaan gotong_royong,2007-08-14",
            1 + i % 8,
            1950 + i % 50
        )
        .unwrap();
    }
    out
}

#[test]
fn sigterm_answers_the_request_in_flight_rolls_back_the_import_and_exits_0() {
    let file = import_file(300_000);
    for env in envs() {
        let n = env.name;
        let mut server = Server::start(&env);
        let sign_in = br#"{"name":"admin","password":"admin-wahana"}"#;
        let session = server.open(
            "POST /api/v1/session HTTP/1.0\r\nContent-Type: application/json",
            sign_in,
            sign_in.len(),
        );
        let (status, body) = answer(session);
        assert_eq!(status, 200, "{n}: {body}");
        let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let before = held(&env);
        assert_eq!(before.import_rows, 0, "{n}");

        // A new group whose body is half sent: in flight when the signal comes.
        let group = br#"{"fields": {"kode_wilayah": "73.08.21.1003", "nama": "Arisan Sebelum Berhenti", "jenis": "arisan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1990", "tujuan": "ketahanan_sosial", "nilai": "gotong_royong", "dasar_keanggotaan": "domisili"}}"#;
        let mut slow = server.open(
            &format!(
                "POST /api/v1/groups HTTP/1.0\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}"
            ),
            group,
            group.len() / 2,
        );
        // The import, sent whole; it is answered once it stops.
        let import = server.open(
            &format!(
                "POST /api/v1/import?filename=henti.csv HTTP/1.0\r\nAuthorization: Bearer {token}"
            ),
            &file,
            file.len(),
        );
        let imported = std::thread::spawn(move || answer(import));
        let deadline = Instant::now() + Duration::from_secs(120);
        while !writing(&env) {
            assert!(
                Instant::now() < deadline && !imported.is_finished(),
                "{n}: the import never started writing\n{}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }

        let pid = server.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success(), "{n}: kill -TERM {pid}");

        let (status, body) = imported.join().unwrap();
        assert_eq!(status, 200, "{n}: {body}");
        let report: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(report["committed"], false, "{n}: {body}");
        assert_eq!(report["written"], 0, "{n}: {body}");
        assert_eq!(report["problems"][0]["code"], "cancelled", "{n}: {body}");

        // The rest of the group's body, after the signal: it is still answered, and saved.
        slow.write_all(&group[group.len() / 2..]).unwrap();
        let (status, body) = answer(slow);
        assert_eq!(status, 201, "{n}: {body}\n{}", server.logs());

        let deadline = Instant::now() + Duration::from_secs(60);
        let exit = loop {
            if let Some(s) = server.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "{n}: still running\n{}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let logs = server.logs();
        assert_eq!(exit.code(), Some(0), "{n}: {exit:?}\n{logs}");
        assert!(logs.contains("SIGTERM: stopping"), "{n}: {logs}");
        assert!(logs.contains("import cancelled"), "{n}: {logs}");

        // Exactly the group committed before the end; nothing of the import.
        let after = held(&env);
        assert_eq!(
            after,
            Held {
                groups: before.groups + 1,
                audit: before.audit + 1,
                import_rows: 0,
                integrity: "ok".into(),
            },
            "{n}"
        );
    }
}
