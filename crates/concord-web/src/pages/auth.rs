//! Logging in and out in the browser: a plain form, a session cookie.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{PageError, render};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::session;

#[derive(Template)]
#[template(path = "app/login.html")]
struct LoginPage {
    next: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path on this server: never a redirect elsewhere.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/work".into())
}

pub async fn login_page(
    State(s): State<AppState>,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let page = LoginPage {
        next: safe_next(q.next),
        username: String::new(),
        error: None,
        demo: s.demo,
    };
    Ok(render(&page)?.into_response())
}

/// Missing fields read as empty, so that a bare post gets the login page's own answer.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(f.next);
    let error = match crate::api::auth::attempt(&s, ip, f.username.trim(), &f.password).await {
        Ok((token, _)) => {
            let secure = s.public_url.starts_with("https://")
                || headers
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes() == b"https");
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, session::set_cookie(&token, secure));
            return Ok(r);
        }
        Err(e @ (ApiError::LoginFailed | ApiError::Locked(_) | ApiError::TooManyRequests)) => e,
        Err(e) => return Err(e.into()),
    };
    let status = match error {
        ApiError::LoginFailed => axum::http::StatusCode::UNAUTHORIZED,
        _ => axum::http::StatusCode::TOO_MANY_REQUESTS,
    };
    let message = match &error {
        ApiError::LoginFailed => "用户名或密码不正确".to_string(),
        ApiError::TooManyRequests => "尝试次数过多,请稍后再试".to_string(),
        other => other.to_string(),
    };
    let page = LoginPage {
        next,
        username: f.username,
        error: Some(message),
        demo: s.demo,
    };
    let mut r = render(&page)?.into_response();
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Result<Response, PageError> {
    if let Some(token) = session::cookie_token(&headers)
        && session::constant_eq(&f.csrf, &session::csrf_token(&token))
    {
        s.store.logout(&token).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    Ok(r)
}
