//! Profiles kept for a moment: a region page and `GET …/profile` read the same tallies again
//! and again. A profile is reused while no write went through this server
//! ([`ProfileCache::changed`], called for every successful POST, PATCH, PUT or DELETE) and for
//! at most [`FRESH`], so that writes by other processes (the command line, another server) show
//! within that time.
//!
//! The country's and the provinces' profiles read a row per village (83,762 for the country):
//! they are made when the server starts (`pages::regions::warm`), and once past [`FRESH`] with
//! no write through this server since, the kept one is served while a new one is made in the
//! background ([`ProfileCache::stale`], [`ProfileCache::start_refresh`]), so that no request to
//! the home page or a province's page waits on them. A write through this server still makes
//! the next request compute afresh: a user's own change shows at once.

use crate::service::profile::ProfileData;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const FRESH: Duration = Duration::from_secs(2);
/// Entries kept at most; past it the cache starts over but for the country's and the provinces'
/// (a kecamatan's profile is about 20 KB, a national one a few MB).
const MAX_ENTRIES: usize = 1024;

/// Whether a cache key is the country's (`""`) or a province's (two digits).
fn is_wide(scope: &str) -> bool {
    !scope.contains('.')
}

/// A profile, or why there is none (a message in the language asked).
pub type Cached = Result<Arc<ProfileData>, String>;

#[derive(Default)]
pub struct ProfileCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<(String, Option<String>, &'static str), (u64, Instant, Cached)>>,
    /// Profiles being made anew in the background.
    refreshing: Mutex<std::collections::HashSet<(String, Option<String>, &'static str)>>,
}

impl ProfileCache {
    /// Something was written: every kept profile is stale.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The kept profile of (scope, wave, language), if still fresh.
    pub fn get(&self, scope: &str, wave: Option<&str>, lang: &'static str) -> Option<Cached> {
        let g = self.generation();
        let entries = self.entries.lock().ok()?;
        let (gen_, at, v) = entries.get(&(scope.to_string(), wave.map(str::to_string), lang))?;
        (*gen_ == g && at.elapsed() < FRESH).then(|| v.clone())
    }

    /// The kept profile of (scope, wave, language) while no write went through this server
    /// since it was made, however old.
    pub fn stale(&self, scope: &str, wave: Option<&str>, lang: &'static str) -> Option<Cached> {
        let g = self.generation();
        let entries = self.entries.lock().ok()?;
        let (gen_, _, v) = entries.get(&(scope.to_string(), wave.map(str::to_string), lang))?;
        (*gen_ == g).then(|| v.clone())
    }

    /// Whether the caller is the one to make the profile of (scope, wave, language) anew: false
    /// while another refresh of it runs. End it with [`ProfileCache::end_refresh`].
    pub fn start_refresh(&self, scope: &str, wave: Option<&str>, lang: &'static str) -> bool {
        self.refreshing
            .lock()
            .map(|mut r| r.insert((scope.to_string(), wave.map(str::to_string), lang)))
            .unwrap_or(false)
    }

    pub fn end_refresh(&self, scope: &str, wave: Option<&str>, lang: &'static str) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(&(scope.to_string(), wave.map(str::to_string), lang));
        }
    }

    /// Keeps a profile made while the cache was at `generation`.
    pub fn put(
        &self,
        scope: &str,
        wave: Option<&str>,
        lang: &'static str,
        generation: u64,
        v: Cached,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                // The country's and the provinces' stay: they are the costly ones, and what
                // the home page and the province pages are served from.
                entries.retain(|(scope, _, _), _| is_wide(scope));
            }
            entries.insert(
                (scope.to_string(), wave.map(str::to_string), lang),
                (generation, Instant::now(), v),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_starts_over_but_keeps_the_country_and_the_provinces() {
        let c = ProfileCache::default();
        let g = c.generation();
        c.put("", None, "id", g, Err("nasional".into()));
        c.put("73", None, "id", g, Err("provinsi".into()));
        // Every kecamatan of a busy day, more than the cache holds.
        for i in 0..MAX_ENTRIES + 10 {
            c.put(
                &format!("73.{i:02}.01"),
                None,
                "id",
                g,
                Err("kecamatan".into()),
            );
        }
        let held = |scope: &str| c.stale(scope, None, "id").and_then(|v| v.err());
        assert_eq!(held("").as_deref(), Some("nasional"));
        assert_eq!(held("73").as_deref(), Some("provinsi"));
        let kept = c.entries.lock().unwrap().len();
        assert!(kept < MAX_ENTRIES, "{kept}");
        // The latest kecamatan are there; the first were let go.
        assert!(
            c.stale(&format!("73.{:02}.01", MAX_ENTRIES + 9), None, "id")
                .is_some()
        );
        assert!(c.stale("73.00.01", None, "id").is_none());
    }
}
