//! CSRF protection for every form: a signed-in session's forms carry the session's token; the
//! sign-in form (before any session) carries a token that must match a cookie set with it
//! (double submit). Cookies are also `SameSite=Lax`, so a cross-site POST carries none.

use super::Ctx;
use super::errors::ApiError;

pub const PRE_SESSION_COOKIE: &str = "wahana_csrf";

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks a signed-in form's token against the session's.
pub fn check(ctx: &Ctx, submitted: Option<&str>) -> Result<(), ApiError> {
    match (&ctx.csrf, submitted) {
        (Some(expected), Some(got)) if same(expected, got) => Ok(()),
        _ => Err(ApiError::Csrf),
    }
}

/// Checks an API write: Bearer-token clients carry no ambient credentials and need no token;
/// cookie sessions must send the session's token in `X-CSRF-Token`.
pub fn check_api(ctx: &Ctx, header: Option<&str>) -> Result<(), ApiError> {
    if ctx.bearer {
        Ok(())
    } else {
        check(ctx, header)
    }
}

/// Checks the sign-in form's token against its cookie.
pub fn check_pre_session(cookie: Option<&str>, submitted: Option<&str>) -> Result<(), ApiError> {
    match (cookie, submitted) {
        (Some(c), Some(s)) if !c.is_empty() && same(c, s) => Ok(()),
        _ => Err(ApiError::Csrf),
    }
}
