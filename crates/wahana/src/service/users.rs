//! People, roles and what each may see and change; passwords and sign-in sessions.
//!
//! The rules (issue "The web application and API"):
//! - an admin reads and writes everywhere and manages people;
//! - an officer reads and writes inside their region's subtree, personal data included;
//! - an enumerator creates and edits groups inside their region, and their member lists (and
//!   reads there); networks, institutions and ties are the officers' and admins';
//! - a tie is added or deleted only by someone who may write at both of its ends;
//! - a viewer reads inside their region, without personal data;
//! - anyone, signed in or not, sees aggregates (counts, profiles) everywhere, and nothing else.

use super::ServiceError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wahana_domain::{FieldError, Lang, RegionCode, RegionTree};
use wahana_store::{Store, UserRecord};

/// Sign-in attempts for one name from one address within [`FAILURE_WINDOW`] before more are
/// refused (a successful one clears the count).
pub const MAX_FAILURES: i64 = 5;
/// Sign-in attempts for one name from every address not known to be the person's within
/// [`FAILURE_WINDOW`] before more are refused (against guessing from many addresses).
pub const MAX_NAME_FAILURES: i64 = 50;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a session lasts.
pub const SESSION_LENGTH: Duration = Duration::from_secs(12 * 3600);

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Officer,
    Enumerator,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Officer, Role::Enumerator, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Enumerator => "enumerator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Admin => lang.pick("admin", "admin"),
            Role::Officer => lang.pick("petugas Dinas Sosial", "officer"),
            Role::Enumerator => lang.pick("pencacah", "enumerator"),
            Role::Viewer => lang.pick("pembaca", "viewer"),
        }
    }
}

/// A kind of write, for the permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    CreateGroup,
    EditGroup,
    DeleteGroup,
    /// Add or remove members of a group (personal data: officers, admins, and enumerators of
    /// the group's region).
    Members,
    /// Networks, institutions and ties (officers and admins).
    Other,
}

/// A signed-in person, as the rules see them.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// `None`: the whole country.
    pub region: Option<RegionCode>,
}

impl Principal {
    pub fn from_record(u: &UserRecord) -> Option<Principal> {
        Some(Principal {
            id: u.id,
            name: u.name.clone(),
            role: Role::parse(&u.role)?,
            region: match &u.region_code {
                Some(c) => Some(RegionCode::parse(c).ok()?),
                None => None,
            },
        })
    }

    /// Whether `code` lies in the person's subtree.
    pub fn covers(&self, code: &RegionCode) -> bool {
        match &self.region {
            None => true,
            Some(root) => {
                code.as_str() == root.as_str()
                    || code.as_str().starts_with(&format!("{}.", root.as_str()))
            }
        }
    }
}

/// May this person (or an anonymous visitor, `None`) see the records (not only the counts) of
/// a region?
pub fn can_read_records(who: Option<&Principal>, code: &RegionCode) -> bool {
    match who {
        None => false,
        Some(p) => p.role == Role::Admin || p.covers(code),
    }
}

/// May they see personal data (chair, phone, board members, contacts) of a region's records?
pub fn can_see_personal(who: Option<&Principal>, code: &RegionCode) -> bool {
    match who {
        None => false,
        Some(p) => match p.role {
            Role::Admin => true,
            Role::Officer | Role::Enumerator => p.covers(code),
            Role::Viewer => false,
        },
    }
}

/// May they make this kind of change in a region?
pub fn can_write(who: Option<&Principal>, what: Write, code: &RegionCode) -> bool {
    match who {
        None => false,
        Some(p) => match p.role {
            Role::Admin => true,
            Role::Officer => p.covers(code),
            Role::Enumerator => {
                matches!(what, Write::CreateGroup | Write::EditGroup | Write::Members)
                    && p.covers(code)
            }
            Role::Viewer => false,
        },
    }
}

/// May they add or delete a tie whose ends lie in these regions (`None`: no held actor has that
/// id)? Ties are written by those who write networks and institutions (officers and admins), and
/// only where they may write at *both* ends: an officer does not tie another region's actors to
/// theirs, nor cut such a tie. An end that is no held actor needs the role only: adding a tie to
/// it is refused as unknown, and a held tie's ends go with their actors.
pub fn can_write_tie(who: Option<&Principal>, ends: &[Option<RegionCode>]) -> bool {
    let writes_ties = who.is_some_and(|p| matches!(p.role, Role::Admin | Role::Officer));
    writes_ties
        && ends
            .iter()
            .flatten()
            .all(|code| can_write(who, Write::Other, code))
}

/// The ISO 8601 UTC timestamp of a moment (the store's format).
pub fn iso(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let date = wahana_domain::Date::from_days(days)
        .map(|d| d.to_string())
        .unwrap_or_default();
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A random token of 256 bits, hex-encoded (sessions, CSRF).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            ServiceError::Invalid(vec![FieldError::new(
                "password",
                "",
                format!("kata sandi yang dapat di-hash ({e})"),
                format!("a password that can be hashed ({e})"),
            )])
        })
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// No person is held yet: a new database, whose pages then say how to create the first admin
/// (the help page and the home page). Says nothing of who is held.
pub async fn first_run(store: &Store) -> Result<bool, ServiceError> {
    Ok(!store.holds_users().await?)
}

/// Adds a person (admins and the operator only). The password must have at least 8
/// characters; the region must exist.
pub async fn add(
    store: &Store,
    caller: &super::caller::Caller,
    name: &str,
    password: &str,
    role: &str,
    region: Option<&str>,
) -> Result<UserRecord, ServiceError> {
    caller.check_admin()?;
    let who = caller.who();
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            name,
            "nama pengguna 1 sampai 64 karakter",
            "a user name of 1 to 64 characters",
        ));
    }
    let role_parsed = Role::parse(role);
    if role_parsed.is_none() {
        errors.push(FieldError::new(
            "role",
            role,
            "admin, officer, enumerator atau viewer",
            "admin, officer, enumerator or viewer",
        ));
    }
    if let Err(e) = check_new_password(password) {
        errors.push(e);
    }
    let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match RegionTree::official().resolve(r) {
            Ok(reg) => Some(reg.code.to_string()),
            Err(_) => {
                errors.push(FieldError::new(
                    "region",
                    r,
                    "kode wilayah resmi, mis. 73.08.21",
                    "an official region code, e.g. 73.08.21",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let hash = hash_password(password)?;
    let user = store
        .create_user(name, &hash, role.trim(), region.as_deref(), &who.0)
        .await?;
    // What ODK Collect's Digest authentication checks (`service::odk`).
    store
        .set_digest_ha1(user.id, &super::odk::digest_ha1(name, password))
        .await?;
    Ok(user)
}

/// The shortest password taken, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A new password must have at least [`MIN_PASSWORD_CHARS`] characters.
fn check_new_password(password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            "",
            "kata sandi paling sedikit 8 karakter",
            "a password of at least 8 characters",
        ));
    }
    Ok(())
}

/// A generated password: 16 hexadecimal characters (64 random bits), shown once to whoever
/// asked for it and never kept.
pub fn generate_password() -> String {
    random_token()[..16].to_string()
}

/// The person named, or [`ServiceError::NotFound`].
fn not_found(name: &str) -> ServiceError {
    ServiceError::NotFound {
        kind: "pengguna",
        id: name.to_string(),
    }
}

/// Deactivates a person (admins and the operator only; an admin cannot deactivate
/// themselves, [`ServiceError::OwnAccount`]): from then on no sign-in of theirs is accepted
/// (the web form, the API, ODK Collect's Digest and Basic), and their open sessions end at
/// once. Deactivating someone inactive already changes nothing.
pub async fn deactivate(
    store: &Store,
    caller: &super::caller::Caller,
    name: &str,
) -> Result<UserRecord, ServiceError> {
    caller.check_admin()?;
    let name = name.trim();
    if caller.person().is_some_and(|p| p.name == name) {
        return Err(ServiceError::OwnAccount);
    }
    store
        .set_user_active(name, false, &caller.who().0)
        .await?
        .ok_or_else(|| not_found(name))
}

/// Reactivates a person (admins and the operator only): they sign in again with the password
/// they had.
pub async fn activate(
    store: &Store,
    caller: &super::caller::Caller,
    name: &str,
) -> Result<UserRecord, ServiceError> {
    caller.check_admin()?;
    let name = name.trim();
    store
        .set_user_active(name, true, &caller.who().0)
        .await?
        .ok_or_else(|| not_found(name))
}

/// A password set by an admin.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub user: UserRecord,
    /// The password generated when none was given: to be shown once, it is kept nowhere.
    pub generated: Option<String>,
}

/// Sets a person's password (admins and the operator only): `password` (at least
/// [`MIN_PASSWORD_CHARS`] characters), or a generated one when `None`. Both of its hashes
/// change (Argon2id for the web and the API, Digest for ODK Collect), and every open session
/// of theirs ends. The audit entry says that the password changed, never what it is.
pub async fn reset_password(
    store: &Store,
    caller: &super::caller::Caller,
    name: &str,
    password: Option<&str>,
) -> Result<PasswordReset, ServiceError> {
    caller.check_admin()?;
    let name = name.trim();
    let (password, generated) = match password {
        Some(p) => {
            check_new_password(p).map_err(|e| ServiceError::Invalid(vec![e]))?;
            (p.to_string(), false)
        }
        None => (generate_password(), true),
    };
    let hash = hash_password(&password)?;
    let ha1 = super::odk::digest_ha1(name, &password);
    let user = store
        .set_user_password(name, &hash, &ha1, &caller.who().0)
        .await?
        .ok_or_else(|| not_found(name))?;
    Ok(PasswordReset {
        user,
        generated: generated.then_some(password),
    })
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    /// Wrong name or password (which one is not said).
    BadCredentials,
    /// Too many attempts for this name from this address (or from everywhere) lately.
    TooManyFailures,
    /// The right password of a person an admin deactivated (said only to whoever knows the
    /// password, so that guessing does not learn which accounts are inactive).
    Inactive,
}

/// The address counted for sign-ins over every address of a name.
const EVERY_ADDRESS: &str = "*";

/// Checks a name and password from a client `address` (an IP address as text; empty when
/// unknown); on success opens a session and returns (token, csrf, person).
///
/// Two limits, each counted before the password is checked and in the same statement that
/// reads the count, so that of any number of parallel guesses at most the limit get a check:
/// [`MAX_FAILURES`] per name and address, and [`MAX_NAME_FAILURES`] per name over every
/// address. An address the person has signed in from before is not held by the second: guesses
/// from elsewhere cannot lock the person out of a place they work from. A successful sign-in
/// clears its address's count.
pub async fn sign_in(
    store: &Store,
    name: &str,
    password: &str,
    address: &str,
) -> Result<Result<(String, String, Principal), SignInRefused>, ServiceError> {
    let name = name.trim();
    let since = iso(SystemTime::now() - FAILURE_WINDOW);
    if store.count_sign_in_attempt(name, address, &since).await? > MAX_FAILURES {
        return Ok(Err(SignInRefused::TooManyFailures));
    }
    let user = store.user_by_name(name).await?;
    let known_address = match &user {
        Some(u) => store.signed_in_from(u.id, address).await?,
        None => false,
    };
    if !known_address
        && store
            .count_sign_in_attempt(name, EVERY_ADDRESS, &since)
            .await?
            > MAX_NAME_FAILURES
    {
        return Ok(Err(SignInRefused::TooManyFailures));
    }
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash),
        None => {
            // Same work as a real check, so timing does not tell which names exist.
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let principal = user.as_ref().and_then(Principal::from_record);
    match (ok, principal) {
        (true, Some(_)) if user.as_ref().is_some_and(|u| !u.active) => {
            Ok(Err(SignInRefused::Inactive))
        }
        (true, Some(p)) => {
            store.clear_sign_in_attempts(name, address, &since).await?;
            store.remember_sign_in_address(p.id, address).await?;
            // A person added by an earlier release gets their Digest hash (ODK Collect's
            // sign-in) the first time they sign in with their password.
            if store.digest_ha1(&p.name).await?.is_none() {
                store
                    .set_digest_ha1(p.id, &super::odk::digest_ha1(&p.name, password))
                    .await?;
            }
            let token = random_token();
            let expires = iso(SystemTime::now() + SESSION_LENGTH);
            store.create_session(&token, p.id, &expires).await?;
            let csrf = csrf_token(&token);
            Ok(Ok((token, csrf, p)))
        }
        _ => Ok(Err(SignInRefused::BadCredentials)),
    }
}

/// Whether `name` has failed to sign in too often from `address` lately ([`MAX_FAILURES`]
/// within [`FAILURE_WINDOW`]): for sign-ins that count only their failures (ODK Collect's,
/// which sends its credentials with every request).
pub async fn too_many_failures(
    store: &Store,
    name: &str,
    address: &str,
) -> Result<bool, ServiceError> {
    let since = iso(SystemTime::now() - FAILURE_WINDOW);
    Ok(store.sign_in_attempts(name.trim(), address, &since).await? >= MAX_FAILURES)
}

/// Counts a failed sign-in of `name` from `address`.
pub async fn count_failure(store: &Store, name: &str, address: &str) -> Result<(), ServiceError> {
    let since = iso(SystemTime::now() - FAILURE_WINDOW);
    store
        .count_sign_in_attempt(name.trim(), address, &since)
        .await?;
    Ok(())
}

/// Checks a name and password without opening a session (HTTP Basic from ODK Collect over
/// HTTPS): the person, or `None` for a wrong pair, a deactivated person or a name with too
/// many failures lately.
pub async fn check_password(
    store: &Store,
    name: &str,
    password: &str,
    address: &str,
) -> Result<Option<Principal>, ServiceError> {
    if too_many_failures(store, name, address).await? {
        return Ok(None);
    }
    let user = store.user_by_name(name.trim()).await?;
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash),
        None => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let active = user.as_ref().is_some_and(|u| u.active);
    match (ok, user.as_ref().and_then(Principal::from_record)) {
        (true, Some(p)) if active => Ok(Some(p)),
        (true, Some(_)) => Ok(None),
        _ => {
            count_failure(store, name, address).await?;
            Ok(None)
        }
    }
}

/// The form (CSRF) token of a session: derived from the session token, so that it need not be
/// stored, and different from the hash the database keeps of it.
pub fn csrf_token(session_token: &str) -> String {
    Sha256::new()
        .chain_update(b"wahana-csrf\0")
        .chain_update(session_token.as_bytes())
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An Argon2id hash of a random password, verified against when the name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2mQ3l0nGnXbbuhxSRJ5eyHJkd2YqHXqGs2TTDrEgGQQ";

/// The person and CSRF token of a session cookie, if it is valid (a deactivated person's
/// sessions are ended, and the store gives none of theirs).
pub async fn session(
    store: &Store,
    token: &str,
) -> Result<Option<(Principal, String)>, ServiceError> {
    Ok(store
        .session_user(token)
        .await?
        .and_then(|u| Principal::from_record(&u))
        .map(|p| (p, csrf_token(token))))
}

pub async fn sign_out(store: &Store, token: &str) -> Result<(), ServiceError> {
    Ok(store.delete_session(token).await?)
}

/// Everyone who may sign in (admins and the operator only).
pub async fn list(
    store: &Store,
    caller: &super::caller::Caller,
) -> Result<Vec<UserRecord>, ServiceError> {
    caller.check_admin()?;
    Ok(store.users().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, region: Option<&str>) -> Principal {
        Principal {
            id: 1,
            name: "x".into(),
            role,
            region: region.map(|r| RegionCode::parse(r).unwrap()),
        }
    }

    #[test]
    fn subtree_and_rules() {
        let inside = RegionCode::parse("73.08.21.1003").unwrap();
        let outside = RegionCode::parse("73.08.22.1001").unwrap();
        let off = who(Role::Officer, Some("73.08.21"));
        assert!(off.covers(&inside));
        assert!(!off.covers(&outside));
        assert!(can_write(Some(&off), Write::DeleteGroup, &inside));
        assert!(!can_write(Some(&off), Write::DeleteGroup, &outside));
        let en = who(Role::Enumerator, Some("73.08.21"));
        assert!(can_write(Some(&en), Write::EditGroup, &inside));
        assert!(!can_write(Some(&en), Write::DeleteGroup, &inside));
        assert!(!can_write(Some(&en), Write::Other, &inside));
        let v = who(Role::Viewer, Some("73.08.21"));
        assert!(can_read_records(Some(&v), &inside));
        assert!(!can_see_personal(Some(&v), &inside));
        assert!(!can_write(Some(&v), Write::CreateGroup, &inside));
        assert!(!can_read_records(None, &inside));
        // A tie needs both ends where the person may write networks.
        let ends = [Some(inside.clone()), Some(outside.clone())];
        assert!(can_write_tie(Some(&who(Role::Admin, None)), &ends));
        assert!(!can_write_tie(Some(&off), &ends));
        assert!(can_write_tie(Some(&off), &[Some(inside.clone()), None]));
        assert!(!can_write_tie(Some(&en), &[Some(inside.clone())]));
        assert!(!can_write_tie(Some(&v), &[None, None]));
        assert!(!can_write_tie(None, &[]));
        // 73.08.2 is no region, but 73.08 must not cover 73.080...: a text prefix is not a subtree.
        let bone = who(Role::Officer, Some("73.08"));
        assert!(bone.covers(&inside));
        assert!(!bone.covers(&RegionCode::parse("73.09.01").unwrap()));
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-123", &h));
        assert!(!verify_password("salah", &h));
        assert!(!verify_password("x", DUMMY_HASH));
    }
}
