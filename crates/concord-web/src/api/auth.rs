use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use concord_domain::org::{Role, Staff};
use concord_domain::region::RegionCode;
use concord_domain::{FieldError, FieldErrors};
use concord_store::{LoginResult, MAX_FAILED_LOGINS, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthToken, AuthUser, ClientIp};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub user: Staff,
}

/// Log in with a username and password; returns a bearer token. Five failures in a row
/// lock the account for 15 minutes (429, `account_locked`); one address may try 60
/// times a minute.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let (token, user) = attempt(&s, ip, req.username.trim(), &req.password).await?;
    Ok(Json(LoginResponse { token, user }))
}

/// One login attempt, for the API and the login page alike.
pub(crate) async fn attempt(
    s: &AppState,
    ip: std::net::IpAddr,
    username: &str,
    password: &str,
) -> Result<(String, Staff), ApiError> {
    if !s.limits.login.allow(ip) {
        return Err(ApiError::TooManyRequests);
    }
    match s
        .store
        .login(username, password, s.demo, jiff::Timestamp::now())
        .await?
    {
        LoginResult::Opened(token, user) => Ok((token, user)),
        LoginResult::Refused => Err(ApiError::LoginFailed),
        LoginResult::Locked { until } => Err(ApiError::Locked(format!(
            "连续{MAX_FAILED_LOGINS}次登录失败,账号已临时锁定,请于{}后再试",
            until
                .to_zoned(concord_domain::time::shanghai())
                .strftime("%H:%M")
        ))),
    }
}

/// Log out: the bearer token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(s): State<AppState>,
    AuthToken(token): AuthToken,
) -> Result<axum::http::StatusCode, ApiError> {
    s.store.logout(&token).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// 12-digit code of the user's home region: they act in its subtree.
    pub region: String,
    #[serde(default)]
    pub org_id: Option<i64>,
    /// At least 8 characters.
    pub password: String,
    /// Where notices about their work are e-mailed.
    #[serde(default)]
    pub email: Option<String>,
}

fn admin_only(user: &Staff) -> Result<(), ApiError> {
    require_admin(user, "账号")
}

/// Refuses anyone but an administrator: "只有系统管理员可以管理{what}".
pub(crate) fn require_admin(user: &Staff, what: &str) -> Result<(), ApiError> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("只有系统管理员可以管理{what}")))
    }
}

/// Administrator: the staff accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [Staff]), (status = 403, body = ErrorBody)))]
pub async fn users(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<Staff>>, ApiError> {
    admin_only(&user)?;
    Ok(Json(s.store.users().await?))
}

/// Administrator: add a staff account (the password is hashed with argon2id).
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = Staff), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_user(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<Staff>), ApiError> {
    admin_only(&user)?;
    let mut errs = FieldErrors::default();
    let region = errs.take(RegionCode::parse("region", &req.region));
    let username = req.username.trim().to_string();
    if username.is_empty() || username.chars().count() > 64 {
        errs.push(FieldError::new(
            "username",
            "required",
            "用户名为1至64个字符",
        ));
    }
    let display_name = req.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        errs.push(FieldError::new(
            "display_name",
            "required",
            "姓名为1至64个字符",
        ));
    }
    if let Some(e) = req.email.as_deref().filter(|e| !e.trim().is_empty())
        && !(e.contains('@') && e.len() <= 254)
    {
        errs.push(FieldError::new(
            "email",
            "invalid_value",
            format!("“{e}”不是电子邮件地址"),
        ));
    }
    errs.into_result()?;
    let region = region.expect("checked above");
    if !user.region.contains(&region) {
        return Err(FieldError::new("region", "out_of_scope", "只能在本辖区内添加账号").into());
    }
    let id = s
        .store
        .create_user(&NewUser {
            username,
            display_name,
            role: req.role,
            region,
            org_id: req.org_id,
            password: req.password,
            demo: false,
            email: req.email.filter(|e| !e.trim().is_empty()),
        })
        .await?;
    let created = s
        .store
        .users()
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(ApiError::NotFound("账号"))?;
    Ok((StatusCode::CREATED, Json(created)))
}
