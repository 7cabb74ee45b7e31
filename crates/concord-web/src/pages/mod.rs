//! The staff's pages, rendered on the server (askama). Pages only read; every form is
//! sent by `forms.js` to the JSON API with the session's CSRF token, so that one path
//! validates and writes, and its errors appear next to the fields they name.

mod actions;
mod admin;
mod auth;
mod cases;
mod dashboard;
mod dispatch;
mod room;
mod routing;
mod screening;
mod work;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use concord_domain::org::{Role, Staff};

use crate::AppState;
use crate::error::ApiError;
use crate::session;

pub use room::RoomHub;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/work", get(work::my_work))
        .route("/cases", get(cases::list))
        .route("/cases/new", get(cases::new_case))
        .route("/cases/{id}", get(cases::page))
        .route("/calendar", get(work::calendar))
        .route("/followups", get(work::followups))
        .route("/alerts", get(work::alerts))
        .route("/dispatch", get(dispatch::page))
        .route("/screening", get(screening::page))
        .route("/screening/{id}", get(screening::schedule))
        .route("/dashboard", get(dashboard::page))
        .route("/admin", get(admin::page))
        .route("/admin/{section}", get(admin::section))
        .route("/cases/{id}/room", get(room::staff_room))
        .route("/room", get(room::party_room))
        .route("/ws/room/{id}", get(room::socket))
}

/// What every staff page's frame shows: who is logged in, where they can go, and the
/// CSRF token its forms send.
pub struct Layout {
    pub user: Staff,
    pub csrf: String,
    pub nav: Vec<(&'static str, &'static str)>,
    pub here: String,
}

impl Layout {
    pub fn role_label(&self) -> &'static str {
        self.user.role.label()
    }

    /// Whether a navigation link leads to the page shown (or a page under it).
    pub fn current(&self, href: &str) -> bool {
        let path = self.here.split('?').next().unwrap_or_default();
        path == href || (href != "/cases" && path.starts_with(&format!("{href}/")))
    }
}

/// The links a role works with, in the order of its day.
fn nav(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut nav = vec![("/work", "我的工作"), ("/cases", "事项")];
    let more: &[(&str, &str)] = match role {
        Role::Clerk => &[("/cases/new", "登记")],
        Role::GridWorker => &[("/cases/new", "登记"), ("/screening", "排查")],
        Role::Dispatcher => &[
            ("/cases/new", "登记"),
            ("/dispatch", "分流台"),
            ("/alerts", "预警"),
            ("/screening", "排查"),
        ],
        Role::Mediator => &[("/calendar", "日程"), ("/screening", "排查")],
        Role::FollowUp => &[("/followups", "回访")],
        Role::Leader => &[
            ("/dashboard", "研判"),
            ("/alerts", "预警"),
            ("/screening", "排查"),
        ],
        Role::Admin => &[
            ("/cases/new", "登记"),
            ("/dispatch", "分流台"),
            ("/dashboard", "研判"),
            ("/alerts", "预警"),
            ("/screening", "排查"),
            ("/admin", "管理"),
        ],
        Role::DepartmentHandler | Role::Judge => &[],
    };
    nav.extend_from_slice(more);
    nav
}

/// The staff member behind the page's session cookie; without one, the login page.
pub struct PageUser(pub Layout);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/work".to_string(), |p| p.to_string());
        let to_login = || {
            let next: String = url_encode(&here);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = session::cookie_token(&parts.headers) else {
            return Err(to_login());
        };
        match s.store.session_user(&token, s.demo).await {
            Ok(Some(user)) => Ok(PageUser(Layout {
                nav: nav(user.role),
                csrf: session::csrf_token(&token),
                user,
                here,
            })),
            Ok(None) => Err(to_login()),
            Err(e) => Err(PageError::from(ApiError::from(e)).into_response()),
        }
    }
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An error shown as a page, in Chinese, with the status the API would give.
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<concord_store::StoreError> for PageError {
    fn from(e: concord_store::StoreError) -> Self {
        Self(e.into())
    }
}

#[derive(Template)]
#[template(path = "app/error.html")]
struct ErrorPage {
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let api = self.0.into_response();
        let status = api.status();
        let message = match status {
            StatusCode::NOT_FOUND => "没有找到这个页面或事项。".to_string(),
            StatusCode::FORBIDDEN => "您没有权限查看这里(不在您的辖区或职责范围内)。".to_string(),
            StatusCode::UNAUTHORIZED => "请先登录。".to_string(),
            s if s.is_server_error() => "服务器内部错误,请稍后再试。".to_string(),
            _ => "请求有误。".to_string(),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// Renders a page template.
pub fn render<T: Template>(t: &T) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(ApiError::Internal(Box::new(e))))
}

/// `2026-03-04T09:30:00+08:00` → `2026-03-04 09:30`, as people read it.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}
