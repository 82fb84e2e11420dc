//! People and their sessions: users with a role and a region, sign-in sessions with their form
//! (CSRF) token, and failed sign-ins counted to slow down password guessing.
//!
//! The store keeps what it is given: passwords arrive already hashed (Argon2id, in the binary's
//! service layer) and roles already checked.

use crate::{AuditChange, Store, StoreError, now_iso, on_pool};
use serde::Serialize;

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
}

type UserRow = (i64, String, String, String, Option<String>, String);

fn user_from_row(r: UserRow) -> UserRecord {
    UserRecord {
        id: r.0,
        name: r.1,
        password_hash: r.2,
        role: r.3,
        region_code: r.4,
        created_at: r.5,
    }
}

const USER_SELECT: &str =
    "SELECT id, name, password_hash, role, region_code, created_at FROM users";

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
            return Err(StoreError::Rejected {
                code: "user_exists",
                message_id: format!("pengguna {name} sudah ada"),
                message_en: format!("user {name} already exists"),
            });
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

    /// Opens a session until `expires_at` (ISO timestamp).
    pub async fn create_session(
        &self,
        token: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query(
                "INSERT INTO sessions (token, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token.to_string())
            .bind(user_id)
            .bind(csrf_token.to_string())
            .bind(now_iso())
            .bind(expires_at.to_string())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The person of a session that has not expired, and the session's CSRF token.
    pub async fn session_user(
        &self,
        token: &str,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let row: Option<(i64, String, String, String, Option<String>, String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.password_hash, u.role, u.region_code, u.created_at, s.csrf_token \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token = $1 AND s.expires_at > $2",
            )
            .bind(token.to_string())
            .bind(now_iso())
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(|r| (user_from_row((r.0, r.1, r.2, r.3, r.4, r.5)), r.6)))
    }

    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("DELETE FROM sessions WHERE token = $1 OR expires_at <= $2")
                .bind(token.to_string())
                .bind(now_iso())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    pub async fn record_failed_sign_in(&self, name: &str) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("INSERT INTO failed_sign_ins (name, at) VALUES ($1, $2)")
                .bind(name.to_string())
                .bind(now_iso())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Failed sign-ins for a name at or after `since` (ISO timestamp).
    pub async fn failed_sign_ins_since(&self, name: &str, since: &str) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM failed_sign_ins WHERE name = $1 AND at >= $2")
                .bind(name.to_string())
                .bind(since.to_string())
                .fetch_one(p)
                .await?
        }))
    }

    pub async fn clear_failed_sign_ins(&self, name: &str) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("DELETE FROM failed_sign_ins WHERE name = $1")
                .bind(name.to_string())
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
