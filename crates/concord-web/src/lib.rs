//! Concord's HTTP server: the JSON API under `/api/v1` and its OpenAPI document.

mod api;
mod assets;
pub mod error;
mod extract;
pub mod learning;
pub mod limit;
pub mod notify;
mod open311;
mod pages;
mod public;
mod qr;
pub mod reports;
pub mod session;
pub mod sms;
pub mod views;
pub mod webhooks;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use concord_store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// Demo mode: the documented demo accounts may log in.
    pub demo: bool,
    pub classifier: learning::Classifier,
    /// How citizens reach this server (for QR codes), e.g. `https://tiaojie.example.gov.cn`.
    pub public_url: String,
    pub limits: Limits,
    /// The online mediation rooms with someone in them.
    pub rooms: pages::RoomHub,
    /// How one-time codes and notices reach phones.
    pub sms: sms::SmsSender,
    /// How notices reach staff.
    pub mail: notify::MailSender,
}

/// Rate limits for what anyone can reach without an account, per address.
#[derive(Clone, Debug)]
pub struct Limits {
    pub submit: limit::RateLimit,
    pub track: limit::RateLimit,
    /// Login attempts per address (accounts lock on their own after repeated failures).
    pub login: limit::RateLimit,
}

impl Default for Limits {
    fn default() -> Self {
        let ten_minutes = Duration::from_secs(600);
        Self {
            submit: limit::RateLimit::new(20, ten_minutes),
            track: limit::RateLimit::new(30, ten_minutes),
            login: limit::RateLimit::new(60, Duration::from_secs(60)),
        }
    }
}

impl AppState {
    pub async fn new(store: Store, demo: bool) -> Result<Self, concord_store::StoreError> {
        let classifier = learning::Classifier::load(&store).await?;
        Ok(Self {
            store,
            demo,
            classifier,
            public_url: "http://127.0.0.1:8080".into(),
            limits: Limits::default(),
            rooms: pages::RoomHub::default(),
            sms: sms::SmsSender::default(),
            mail: notify::MailSender::default(),
        })
    }

    /// Sends text messages through an SMS gateway over HTTP instead of the log.
    pub fn with_sms_gateway(mut self, url: &str) -> Self {
        self.sms = sms::SmsSender::gateway(url);
        self
    }

    /// Sends notices to staff by e-mail through an SMTP relay instead of the log.
    pub fn with_smtp(mut self, url: &str, from: &str) -> Result<Self, String> {
        self.mail = notify::MailSender::smtp(url, from)?;
        Ok(self)
    }

    /// The senders notices go out through.
    pub fn senders(&self) -> notify::Senders {
        notify::Senders {
            sms: self.sms.clone(),
            mail: self.mail.clone(),
        }
    }

    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }
}

/// Requests larger than this are refused (413) before they are read.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A file attached to a case, and the little around it.
pub const UPLOAD_MAX_BYTES: usize = concord_domain::attachment::MAX_BYTES + 64 * 1024;

pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = api::routes().split_for_parts();
    let (uploads, upload_doc) = api::upload_routes().split_for_parts();
    openapi.merge(upload_doc);
    let doc = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
    let uploads = uploads
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_MAX_BYTES))
        .layer(RequestBodyLimitLayer::new(UPLOAD_MAX_BYTES));
    Router::new()
        .merge(api)
        .merge(pages::routes())
        .merge(open311::routes())
        .route("/", axum::routing::get(home))
        .route("/report", axum::routing::get(public::report_page))
        .route("/track", axum::routing::get(public::track_page))
        .route(
            "/static/{*file}",
            axum::routing::get(assets::serve)
                .layer(tower_http::compression::CompressionLayer::new()),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move { axum::Json(doc.clone()) }),
        )
        .fallback(|| async { error::ApiError::NotFound("页面") })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(uploads)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        // A bug must cost one request a 500 with the usual error body, never the
        // connection without an answer.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .with_state(state)
}

/// Staff go to their work; everyone else sees where to turn.
async fn home(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    if session::cookie_token(&headers).is_some() {
        return axum::response::Redirect::to("/work").into_response();
    }
    axum::response::Html(include_str!("home.html")).into_response()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tokio::spawn(learning::keep_learning(
        state.store.clone(),
        state.classifier.clone(),
    ));
    tokio::spawn(keep_sealing(state.store.clone()));
    tokio::spawn(keep_watching_surges(state.store.clone()));
    tokio::spawn(keep_reporting(state.store.clone()));
    tokio::spawn(webhooks::keep_delivering(state.store.clone()));
    tokio::spawn(notify::keep_notifying(state.store.clone(), state.senders()));
    tracing::info!(%addr, backend = state.store.backend(), demo = state.demo, "Concord is serving");
    serve_on(listener, state).await
}

/// How long a new audit entry may wait to be chained.
const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Chains new audit entries as they come (see `concord_store::audit`).
async fn keep_sealing(store: concord_store::Store) {
    let mut tick = tokio::time::interval(SEAL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = store.seal_audit().await {
            tracing::warn!(error = %e, "sealing the audit record failed; will try again");
        }
    }
}

/// How often every county is checked for surges.
const SURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Every county in the tree.
async fn counties(store: &concord_store::Store) -> Vec<concord_domain::region::RegionCode> {
    match store.region_codes().await {
        Ok(codes) => codes
            .into_iter()
            .filter(|c| c.level() == concord_domain::region::RegionLevel::County)
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "listing the counties failed");
            Vec::new()
        }
    }
}

/// Raises an early warning for each new surge, county by county, every hour.
async fn keep_watching_surges(store: concord_store::Store) {
    let mut tick = tokio::time::interval(SURGE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for county in counties(&store).await {
            match store
                .raise_surge_alerts(&county, jiff::Timestamp::now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(%county, raised = n, "surges raised as early warnings"),
                Err(e) => tracing::warn!(%county, error = %e, "the surge check failed"),
            }
        }
    }
}

/// Writes each county's monthly risk assessment for the month before, once, as soon as
/// the month is over (checked at start and every hour).
async fn keep_reporting(store: concord_store::Store) {
    let mut tick = tokio::time::interval(SURGE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = jiff::Timestamp::now();
        for county in counties(&store).await {
            match reports::monthly::write_due(&store, &county, now).await {
                Ok(Some(month)) => tracing::info!(%county, %month, "monthly risk report written"),
                Ok(None) => {}
                Err(e) => tracing::warn!(%county, error = %e, "writing the monthly report failed"),
            }
        }
    }
}

/// Serves on a listener already bound (tests bind port 0).
pub async fn serve_on(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
