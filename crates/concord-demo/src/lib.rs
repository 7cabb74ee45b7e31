//! The demo county: 云和县 (丽水市, 浙江) with its real townships and villages, the
//! organizations its report names, mediators, one demo account per role, and two years of
//! cases spread over the lifecycle — each history made by the real state machine.

mod cases;
mod names;
mod orgs;
mod regions;
mod routing;
mod screening;

use concord_store::{Store, StoreError};
use jiff::Timestamp;

pub use orgs::{DEMO_PASSWORD, DEMO_USERS};

/// The demo county's code.
pub const COUNTY: &str = "331125000000";

/// What the demo loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    pub regions: usize,
    pub organizations: usize,
    pub mediators: usize,
    pub users: usize,
    pub cases: usize,
    pub screening_rounds: usize,
}

/// Loads the territory, organizations, people and `cases` cases ending at `now`.
/// The directory is loaded once; cases are added on top of what is there.
pub async fn load(store: &Store, cases: usize, now: Timestamp) -> Result<Loaded, StoreError> {
    let mut loaded = Loaded::default();
    let regions = regions::all();
    loaded.regions = regions.len();
    store.upsert_regions(&regions).await?;
    let directory = match orgs::existing(store).await? {
        Some(d) => d,
        None => {
            let d = orgs::load(store, &regions).await?;
            loaded.organizations = d.orgs.len();
            loaded.mediators = d.mediators.len();
            loaded.users = d.users.len();
            d
        }
    };
    routing::seed(store, &directory.orgs).await?;
    loaded.cases = cases::load(store, &regions, &directory, cases, now).await?;
    if cases > 0 {
        loaded.screening_rounds = screening::load(store, &directory, now).await?;
    }
    // Chain the history's audit entries now, not in the first minutes of serving.
    store.seal_audit().await?;
    Ok(loaded)
}
