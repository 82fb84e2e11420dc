//! Profiles kept for a moment: a region page and `GET …/profile` read the same tallies again
//! and again, and a kecamatan's count of ties alone scans its groups. A profile is reused while
//! no write went through this server ([`ProfileCache::changed`], called for every successful
//! POST, PATCH, PUT or DELETE) and for at most [`FRESH`], so that writes by other processes (the
//! command line, another server) show within that time.

use crate::service::profile::ProfileData;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const FRESH: Duration = Duration::from_secs(2);
/// Entries kept at most; past it the cache starts over (a kecamatan's profile is about 20 KB,
/// a national one a few MB).
const MAX_ENTRIES: usize = 1024;

/// A profile, or why there is none (a message in the language asked).
pub type Cached = Result<Arc<ProfileData>, String>;

#[derive(Default)]
pub struct ProfileCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<(String, Option<String>, &'static str), (u64, Instant, Cached)>>,
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
                entries.clear();
            }
            entries.insert(
                (scope.to_string(), wave.map(str::to_string), lang),
                (generation, Instant::now(), v),
            );
        }
    }
}
