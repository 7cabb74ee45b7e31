//! Small in-process caches for what nearly every request reads and almost nothing
//! changes: the region table and live sessions. Each read saved is a database round trip
//! saved; both are cleared or expire so that a change is seen within seconds.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use concord_domain::org::Staff;
use concord_domain::region::{Region, RegionCode};

/// A session is re-read from the database at least this often, so that an account
/// locked or a session ended elsewhere stops working within this time.
const SESSION_TTL: Duration = Duration::from_secs(30);
/// Beyond this many entries a cache starts afresh rather than grow without bound.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default, Debug)]
pub(crate) struct Caches {
    regions: RwLock<HashMap<RegionCode, Region>>,
    sessions: Mutex<HashMap<String, CachedSession>>,
}

#[derive(Debug, Clone)]
pub(crate) struct CachedSession {
    pub staff: Staff,
    pub demo: bool,
    /// Microseconds since the epoch.
    pub expires_at: i64,
    fetched: Instant,
}

impl Caches {
    pub fn region(&self, code: &RegionCode) -> Option<Region> {
        self.regions.read().expect("cache lock").get(code).cloned()
    }

    pub fn put_region(&self, r: Region) {
        let mut m = self.regions.write().expect("cache lock");
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(r.code, r);
    }

    pub fn clear_regions(&self) {
        self.regions.write().expect("cache lock").clear();
    }

    /// The session behind a token hash, if cached recently and not expired at `now_us`.
    pub fn session(&self, token_hash: &str, now_us: i64) -> Option<CachedSession> {
        let m = self.sessions.lock().expect("cache lock");
        m.get(token_hash)
            .filter(|s| s.fetched.elapsed() < SESSION_TTL && s.expires_at > now_us)
            .cloned()
    }

    pub fn put_session(&self, token_hash: String, staff: Staff, demo: bool, expires_at: i64) {
        let mut m = self.sessions.lock().expect("cache lock");
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        let s = CachedSession {
            staff,
            demo,
            expires_at,
            fetched: Instant::now(),
        };
        m.insert(token_hash, s);
    }

    pub fn forget_session(&self, token_hash: &str) {
        self.sessions.lock().expect("cache lock").remove(token_hash);
    }
}
