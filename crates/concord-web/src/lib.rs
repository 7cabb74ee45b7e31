//! Concord's HTTP server: the JSON API under `/api/v1` and its OpenAPI document.

mod api;
pub mod error;
mod extract;
pub mod learning;
pub mod views;

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
}

impl AppState {
    pub async fn new(store: Store, demo: bool) -> Result<Self, concord_store::StoreError> {
        let classifier = learning::Classifier::load(&store).await?;
        Ok(Self {
            store,
            demo,
            classifier,
        })
    }
}

/// Requests larger than this are refused (413) before they are read.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let doc = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
    Router::new()
        .merge(api)
        .route("/", axum::routing::get(home))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move { axum::Json(doc.clone()) }),
        )
        .fallback(|| async { error::ApiError::NotFound("页面") })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A plain landing page until the role pages arrive: what is running and where to go.
async fn home() -> axum::response::Html<&'static str> {
    axum::response::Html(include_str!("home.html"))
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tokio::spawn(learning::keep_learning(
        state.store.clone(),
        state.classifier.clone(),
    ));
    tracing::info!(%addr, backend = state.store.backend(), demo = state.demo, "Concord is serving");
    serve_on(listener, state).await
}

/// Serves on a listener already bound (tests bind port 0).
pub async fn serve_on(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
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
