//! Stylesheets, scripts and the vendored libraries, compiled into the binary: the pages
//! need no network. Served compressed where the browser takes it.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const JS: &str = "text/javascript; charset=utf-8";

macro_rules! assets {
    ($($name:literal => $mime:expr),+ $(,)?) => {
        const ASSETS: &[(&str, &str, &[u8])] = &[
            $(($name, $mime, include_bytes!(concat!("../static/", $name)))),+
        ];
    };
}

assets! {
    "concord.css" => "text/css; charset=utf-8",
    "forms.js" => JS,
    "intake.js" => JS,
    "case.js" => JS,
    "room.js" => JS,
    "dashboard.js" => JS,
    "report.js" => JS,
    "track.js" => JS,
    "upload.js" => JS,
    "rules.js" => JS,
    "dispatch.js" => JS,
    "vendor/echarts.min.js" => JS,
    "vendor/signature_pad.umd.min.js" => JS,
}

pub async fn serve(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, mime, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(ApiError::NotFound("文件"))?;
    // The vendored libraries change only with their pinned version.
    let cache = if file.starts_with("vendor/") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, cache),
        ],
        *body,
    )
        .into_response())
}
