//! People and their sessions: users with a role and a region, sign-in sessions (kept as the
//! hash of their token), and sign-in attempts counted per name and address to slow down
//! password guessing.
//!
//! The store keeps what it is given: passwords arrive already hashed (Argon2id, in the binary's
//! service layer) and roles already checked.

use crate::{AuditChange, Refusal, Store, StoreError, now_iso, on_pool};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The SHA-256 of a token, hex-encoded: what the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A person who may sign in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    /// Argon2id PHC string; never shown.
    #[serde(skip)]
    pub password_hash: String,
    /// `admin`, `officer`, `enumerator` or `viewer` (checked by the caller).
    pub role: String,
    /// The root of the subtree the person works in; `None`: the whole country.
    pub region_code: Option<String>,
    pub created_at: String,
    /// `false`: an admin deactivated the person; no sign-in of theirs is accepted.
    pub active: bool,
}

type UserRow = (i64, String, String, String, Option<String>, String, i64);

fn user_from_row(r: UserRow) -> UserRecord {
    UserRecord {
        id: r.0,
        name: r.1,
        password_hash: r.2,
        role: r.3,
        region_code: r.4,
        created_at: r.5,
        active: r.6 != 0,
    }
}

/// How long the writes of a sign-in or sign-out wait in all for SQLite's one write lock. An
/// import holds it for its whole file (a national file takes minutes), longer than the pool's
/// busy timeout (10 s): a person signing in meanwhile waits instead of getting an error.
const SIGN_IN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs `write` again while SQLite answers busy ([`StoreError::is_busy`]), for up to
/// [`SIGN_IN_PATIENCE`]; then the busy error is returned (the web answers 503). PostgreSQL
/// writers of other rows never wait for each other, and never answer busy.
async fn patiently<T, F, Fut>(mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let start = std::time::Instant::now();
    loop {
        match write().await {
            Err(e) if e.is_busy() && start.elapsed() < SIGN_IN_PATIENCE => {
                tracing::info!("a sign-in write waits for the database's write lock");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            result => return result,
        }
    }
}

const USER_SELECT: &str =
    "SELECT id, name, password_hash, role, region_code, created_at, active FROM users";

impl Store {
    /// Adds a person, with the audit entry of `actor`'s change (the record without its
    /// password); a name already held is refused (`user_exists`).
    pub async fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: &str,
        region_code: Option<&str>,
        actor: &str,
    ) -> Result<UserRecord, StoreError> {
        if self.user_by_name(name).await?.is_some() {
            return Err(Refusal::UserExists {
                name: name.to_string(),
            }
            .into());
        }
        let mut batch = self.begin().await?;
        let id = batch
            .fetch_i64(
                "INSERT INTO users (name, password_hash, role, region_code, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![
                    name.into(),
                    password_hash.into(),
                    role.into(),
                    region_code.into(),
                    batch.now.as_str().into(),
                ],
            )
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
        let user = UserRecord {
            id,
            name: name.to_string(),
            password_hash: password_hash.to_string(),
            role: role.to_string(),
            region_code: region_code.map(str::to_string),
            created_at: batch.now.clone(),
            active: true,
        };
        let change = AuditChange::new(actor, "create", "pengguna", id)
            .region(region_code)
            .after(&user);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(user)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} WHERE name = $1")))
                .bind(name.to_string())
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(user_from_row))
    }

    /// Every person, by name.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows: Vec<UserRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} ORDER BY name")))
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().map(user_from_row).collect())
    }

    /// Whether any person is held (a new database holds none); one indexed probe, not a list.
    pub async fn holds_users(&self) -> Result<bool, StoreError> {
        let held: i64 = on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS one")
                .fetch_one(p)
                .await?
        });
        Ok(held > 0)
    }

    /// Opens a session until `expires_at` (ISO timestamp). Only the token's SHA-256 is kept
    /// ([`token_hash`]).
    pub async fn create_session(
        &self,
        token: &str,
        user_id: i64,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        patiently(move || async move {
            on_pool!(self.pool, p => {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash(token))
                .bind(user_id)
                .bind(now_iso())
                .bind(expires_at.to_string())
                .execute(p)
                .await?;
            });
            Ok(())
        })
        .await
    }

    /// Deactivates (`active` false) or reactivates a person, with the audit entry of `actor`'s
    /// change (the record before and after, without its password). Deactivating ends every
    /// session of theirs in the same transaction. `None`: no person of that name; a person
    /// already in the state asked for is returned as held, with no entry.
    pub async fn set_user_active(
        &self,
        name: &str,
        active: bool,
        actor: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let Some(before) = self.user_by_name(name).await? else {
            return Ok(None);
        };
        if before.active == active {
            return Ok(Some(before));
        }
        let mut batch = self.begin().await?;
        batch
            .execute(
                "UPDATE users SET active = $2 WHERE id = $1",
                vec![before.id.into(), i64::from(active).into()],
            )
            .await?;
        if !active {
            batch
                .execute(
                    "DELETE FROM sessions WHERE user_id = $1",
                    vec![before.id.into()],
                )
                .await?;
        }
        let after = UserRecord {
            active,
            ..before.clone()
        };
        let action = if active { "activate" } else { "deactivate" };
        let change = AuditChange::new(actor, action, "pengguna", before.id)
            .region(before.region_code.as_deref())
            .before(&before)
            .after(&after);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(Some(after))
    }

    /// Sets a person's password (its Argon2id hash and its HTTP Digest hash, both computed by
    /// the caller) and ends every session of theirs, with the audit entry of `actor`'s change:
    /// the record before and after, and that the password changed, never a hash. `None`: no
    /// person of that name.
    pub async fn set_user_password(
        &self,
        name: &str,
        password_hash: &str,
        digest_ha1: &str,
        actor: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let Some(before) = self.user_by_name(name).await? else {
            return Ok(None);
        };
        let mut batch = self.begin().await?;
        batch
            .execute(
                "UPDATE users SET password_hash = $2, digest_ha1 = $3 WHERE id = $1",
                vec![before.id.into(), password_hash.into(), digest_ha1.into()],
            )
            .await?;
        batch
            .execute(
                "DELETE FROM sessions WHERE user_id = $1",
                vec![before.id.into()],
            )
            .await?;
        let after = UserRecord {
            password_hash: password_hash.to_string(),
            ..before.clone()
        };
        #[derive(Serialize)]
        struct PasswordSet<'a> {
            #[serde(flatten)]
            user: &'a UserRecord,
            password_changed: bool,
        }
        let change = AuditChange::new(actor, "password", "pengguna", before.id)
            .region(before.region_code.as_deref())
            .before(&before)
            .after(&PasswordSet {
                user: &after,
                password_changed: true,
            });
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(Some(after))
    }

    /// How many sessions of a person are open (expired ones included until they are dropped).
    pub async fn session_count(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(p)
                .await?
        }))
    }

    /// The person of a session that has not expired, when they are active.
    pub async fn session_user(&self, token: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.password_hash, u.role, u.region_code, u.created_at, \
                 u.active FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active <> 0",
            )
            .bind(token_hash(token))
            .bind(now_iso())
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(user_from_row))
    }

    /// Ends a session (and drops every expired one).
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        patiently(move || async move {
            on_pool!(self.pool, p => {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
                    .bind(token_hash(token))
                    .bind(now_iso())
                    .execute(p)
                    .await?;
            });
            Ok(())
        })
        .await
    }

    /// Counts a sign-in attempt for `name` from `address` and returns the attempts counted in
    /// the current window, this one included. A window starts at its first attempt; one that
    /// started before `since` (ISO timestamp) is over, and this attempt starts the next.
    ///
    /// Counting and reading are one statement, so parallel attempts each get a count of their
    /// own: of N attempts at once, exactly one reads each number from 1 to N.
    pub async fn count_sign_in_attempt(
        &self,
        name: &str,
        address: &str,
        since: &str,
    ) -> Result<i64, StoreError> {
        patiently(move || async move {
            Ok(on_pool!(self.pool, p => {
                sqlx::query_scalar(
                    "INSERT INTO sign_in_attempts (name, address, window_start, attempts) \
                     VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (name, address) DO UPDATE SET \
                     attempts = CASE WHEN sign_in_attempts.window_start < $4 THEN 1 \
                         ELSE sign_in_attempts.attempts + 1 END, \
                     window_start = CASE WHEN sign_in_attempts.window_start < $4 \
                         THEN excluded.window_start ELSE sign_in_attempts.window_start END \
                     RETURNING attempts",
                )
                .bind(name.to_string())
                .bind(address.to_string())
                .bind(now_iso())
                .bind(since.to_string())
                .fetch_one(p)
                .await?
            }))
        })
        .await
    }

    /// The attempts counted for `name` from `address` in a window that began at or after
    /// `since` (0 when none), without counting one.
    pub async fn sign_in_attempts(
        &self,
        name: &str,
        address: &str,
        since: &str,
    ) -> Result<i64, StoreError> {
        let n: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT attempts FROM sign_in_attempts WHERE name = $1 AND address = $2 \
                 AND window_start >= $3",
            )
            .bind(name.to_string())
            .bind(address.to_string())
            .bind(since.to_string())
            .fetch_optional(p)
            .await?
        });
        Ok(n.unwrap_or(0))
    }

    /// Forgets the attempts counted for `name` from `address` (after a successful sign-in), and
    /// every count whose window began before `since` (over: the table does not grow for ever).
    pub async fn clear_sign_in_attempts(
        &self,
        name: &str,
        address: &str,
        since: &str,
    ) -> Result<(), StoreError> {
        patiently(move || async move {
            on_pool!(self.pool, p => {
                sqlx::query(
                    "DELETE FROM sign_in_attempts \
                     WHERE (name = $1 AND address = $2) OR window_start < $3",
                )
                .bind(name.to_string())
                .bind(address.to_string())
                .bind(since.to_string())
                .execute(p)
                .await?;
            });
            Ok(())
        })
        .await
    }

    /// Remembers that a person signed in from `address`.
    pub async fn remember_sign_in_address(
        &self,
        user_id: i64,
        address: &str,
    ) -> Result<(), StoreError> {
        patiently(move || async move {
            on_pool!(self.pool, p => {
                sqlx::query(
                    "INSERT INTO sign_in_addresses (user_id, address, last_at) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id, address) DO UPDATE SET last_at = excluded.last_at",
                )
                .bind(user_id)
                .bind(address.to_string())
                .bind(now_iso())
                .execute(p)
                .await?;
            });
            Ok(())
        })
        .await
    }

    /// Whether a person has signed in from `address` before.
    pub async fn signed_in_from(&self, user_id: i64, address: &str) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM sign_in_addresses WHERE user_id = $1 AND address = $2",
            )
            .bind(user_id)
            .bind(address.to_string())
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }
}
