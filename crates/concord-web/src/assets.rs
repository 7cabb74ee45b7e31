//! Stylesheets and scripts, compiled into the binary: the pages need no network.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "concord.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/concord.css"),
    ),
    (
        "report.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/report.js"),
    ),
    (
        "track.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/track.js"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, mime, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(ApiError::NotFound("文件"))?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
