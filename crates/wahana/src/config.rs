//! Configuration: an optional TOML file, then `WAHANA_*` environment variables, then flags.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;
use wahana_domain::Lang;

/// Everything wahana can be configured with. Defaults work: with nothing set, wahana opens
/// `./wahana.db` and speaks Indonesian.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `postgres://...` or a SQLite file path.
    pub database: String,
    /// `id` or `en`.
    pub lang: String,
    /// The token that opens the server's `/metrics` to peers beyond the local network
    /// (`Authorization: Bearer TOKEN`); also `WAHANA_METRICS_TOKEN` and `serve --metrics-token`.
    pub metrics_token: Option<String>,
    /// The profile report's letterhead and signature block (`[letterhead]`: office, logo,
    /// signatory, place; also `WAHANA_LETTERHEAD_*`). Without it a report has neither.
    pub letterhead: Letterhead,
    /// A PostgreSQL streaming replica of `database` that the server reads from
    /// (`postgres://...`); also `WAHANA_READ_REPLICA` and `serve --read-replica`. Only with a
    /// PostgreSQL `database`.
    pub read_replica: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "wahana.db".to_string(),
            lang: "id".to_string(),
            metrics_token: None,
            read_replica: None,
            letterhead: Letterhead::default(),
        }
    }
}

/// The letterhead (*kop surat*) and signature block of a profile report, from configuration:
///
/// ```toml
/// [letterhead]
/// office = "Dinas Sosial Kabupaten Bone"
/// logo = "/etc/wahana/logo-bone.png"   # PNG, JPEG or SVG, embedded in the report
/// place = "Watampone"
/// signatory_title = "Kepala Dinas Sosial"
/// signatory_name = "Nama Pejabat"
/// signatory_nip = "19700101 199503 1 001"
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Letterhead {
    /// The office issuing the report, at the head of its first page.
    pub office: Option<String>,
    /// A second line under the office (its address).
    pub address: Option<String>,
    /// A logo file, embedded in the report as a data URI ([`Letterhead::logo_data_uri`]).
    pub logo: Option<std::path::PathBuf>,
    /// Where the report is signed (`Watampone, 3 Desember 2026`).
    pub place: Option<String>,
    pub signatory_title: Option<String>,
    pub signatory_name: Option<String>,
    /// The signatory's civil-service number (NIP).
    pub signatory_nip: Option<String>,
}

impl Letterhead {
    /// Whether anything of the letterhead or the signature block is set.
    pub fn is_empty(&self) -> bool {
        *self == Letterhead::default()
    }

    /// The logo as a `data:` URI (PNG, JPEG or SVG, by the file's extension), so the report
    /// stays one self-contained file; `None` without a logo.
    pub fn logo_data_uri(&self) -> Result<Option<String>> {
        use base64::Engine as _;
        let Some(path) = &self.logo else {
            return Ok(None);
        };
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let mime = match ext.as_deref() {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("svg") => "image/svg+xml",
            _ => anyhow::bail!(
                "logo kop surat {}: harus PNG, JPEG atau SVG / the letterhead logo must be PNG, JPEG or SVG",
                path.display()
            ),
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("logo kop surat / letterhead logo {}", path.display()))?;
        Ok(Some(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )))
    }

    /// Reads `WAHANA_LETTERHEAD_OFFICE`, `_ADDRESS`, `_LOGO`, `_PLACE`, `_SIGNATORY_TITLE`,
    /// `_SIGNATORY_NAME` and `_SIGNATORY_NIP` over what the file gave.
    fn read_env(&mut self) {
        let var = |k: &str| std::env::var(format!("WAHANA_LETTERHEAD_{k}")).ok();
        for (key, field) in [
            ("OFFICE", &mut self.office),
            ("ADDRESS", &mut self.address),
            ("PLACE", &mut self.place),
            ("SIGNATORY_TITLE", &mut self.signatory_title),
            ("SIGNATORY_NAME", &mut self.signatory_name),
            ("SIGNATORY_NIP", &mut self.signatory_nip),
        ] {
            if let Some(v) = var(key) {
                *field = Some(v);
            }
        }
        if let Some(v) = var("LOGO") {
            self.logo = Some(v.into());
        }
    }
}

impl std::fmt::Debug for Config {
    /// A PostgreSQL URL (the database's, the replica's) may carry a password, and the metrics
    /// token is a secret: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &redact_url(&self.database))
            .field("lang", &self.lang)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("letterhead", &self.letterhead)
            .field(
                "read_replica",
                &self.read_replica.as_deref().map(redact_url),
            )
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Config {
    /// Reads the file (if given or if `./wahana.toml` exists), then the environment, then the
    /// flags that were given.
    pub fn load(
        file: Option<&Path>,
        database_flag: Option<&str>,
        lang_flag: Option<&str>,
    ) -> Result<Config> {
        let mut cfg = match file {
            Some(p) => Self::from_file(p)?,
            None if Path::new("wahana.toml").exists() => Self::from_file(Path::new("wahana.toml"))?,
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("WAHANA_DATABASE_URL") {
            cfg.database = v;
        }
        if let Ok(v) = std::env::var("WAHANA_LANG") {
            cfg.lang = v;
        }
        if let Ok(v) = std::env::var("WAHANA_METRICS_TOKEN") {
            cfg.metrics_token = Some(v);
        }
        cfg.letterhead.read_env();
        if let Ok(v) = std::env::var("WAHANA_READ_REPLICA") {
            cfg.read_replica = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = database_flag {
            cfg.database = v.to_string();
        }
        if let Some(v) = lang_flag {
            cfg.lang = v.to_string();
        }
        cfg.lang()?;
        Ok(cfg)
    }

    fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading configuration {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("in configuration {}", path.display()))
    }

    /// The read replica to serve reads from: `flag` (`serve --read-replica`) over the
    /// configuration's. Refused unless both it and the database are PostgreSQL's (a SQLite
    /// file has no replica: its readers never wait for its writer).
    pub fn read_replica(&self, flag: Option<&str>) -> Result<Option<String>> {
        use wahana_store::Backend;
        let Some(url) = flag
            .or(self.read_replica.as_deref())
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        if Backend::of_url(&self.database) != Backend::Postgres {
            anyhow::bail!(
                "replika baca (--read-replica) hanya untuk basis data PostgreSQL; basis data ini SQLite ({}) / \
                 a read replica (--read-replica) is for a PostgreSQL database only; this one is SQLite ({})",
                self.database,
                self.database
            );
        }
        if Backend::of_url(url) != Backend::Postgres {
            anyhow::bail!(
                "replika baca harus alamat PostgreSQL (postgres://...), bukan {} / \
                 a read replica must be a PostgreSQL URL (postgres://...), not {}",
                redact_url(url),
                redact_url(url)
            );
        }
        Ok(Some(url.to_string()))
    }

    pub fn lang(&self) -> Result<Lang> {
        self.lang.parse().map_err(anyhow::Error::msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        for (url, want) in [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("wahana.db", "wahana.db"),
        ] {
            assert_eq!(redact_url(url), want);
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("databse = 'x'").is_err());
        let c: Config = toml::from_str("database = 'x.db'").unwrap();
        assert_eq!(c.database, "x.db");
        assert_eq!(c.lang, "id");
    }

    #[test]
    fn a_read_replica_needs_postgresql_on_both_sides_and_hides_its_password() {
        let pg = |replica: Option<&str>| Config {
            database: "postgres://u:rahasia-utama@h/db".into(),
            read_replica: replica.map(str::to_string),
            ..Config::default()
        };
        let replica = "postgres://u:rahasia-replika@h2/db";
        assert_eq!(pg(None).read_replica(None).unwrap(), None);
        assert_eq!(
            pg(Some(replica)).read_replica(None).unwrap().as_deref(),
            Some(replica)
        );
        // The flag wins over the configuration.
        assert_eq!(
            pg(Some(replica))
                .read_replica(Some("postgres://h3/db"))
                .unwrap()
                .as_deref(),
            Some("postgres://h3/db")
        );
        let shown = format!("{:?}", pg(Some(replica)));
        assert!(!shown.contains("rahasia"), "{shown}");
        let sqlite = Config {
            read_replica: Some(replica.into()),
            ..Config::default()
        };
        let e = sqlite.read_replica(None).unwrap_err().to_string();
        assert!(e.contains("SQLite") && e.contains("PostgreSQL"), "{e}");
        assert!(!e.contains("rahasia"), "{e}");
        let e = pg(Some("replika.db"))
            .read_replica(None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("postgres://"), "{e}");
        let c: Config = toml::from_str("read_replica = 'postgres://h/db'").unwrap();
        assert_eq!(c.read_replica.as_deref(), Some("postgres://h/db"));
    }

    #[test]
    fn the_metrics_token_is_read_and_never_printed() {
        let c: Config = toml::from_str("metrics_token = 'rahasia-metrik'").unwrap();
        assert_eq!(c.metrics_token.as_deref(), Some("rahasia-metrik"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("rahasia-metrik"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn the_letterhead_is_read_and_its_logo_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let logo = dir.path().join("logo.svg");
        std::fs::write(&logo, "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
        let text = format!(
            "[letterhead]\noffice = 'Dinas Sosial Kabupaten Bone'\nplace = 'Watampone'\nsignatory_name = 'Andi Pejabat'\nsignatory_nip = '19700101 199503 1 001'\nlogo = '{}'\n",
            logo.display()
        );
        let c: Config = toml::from_str(&text).unwrap();
        assert_eq!(
            c.letterhead.office.as_deref(),
            Some("Dinas Sosial Kabupaten Bone")
        );
        assert!(!c.letterhead.is_empty() && Config::default().letterhead.is_empty());
        let uri = c.letterhead.logo_data_uri().unwrap().unwrap();
        assert!(uri.starts_with("data:image/svg+xml;base64,PHN2Zy"), "{uri}");
        assert!(toml::from_str::<Config>("[letterhead]\nofice = 'x'").is_err());
        let bad = Letterhead {
            logo: Some(dir.path().join("logo.gif")),
            ..Letterhead::default()
        };
        assert!(bad.logo_data_uri().is_err());
    }
}
