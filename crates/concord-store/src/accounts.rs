//! Staff accounts and sessions: argon2id password hashes, random bearer tokens stored
//! only as their SHA-256.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use concord_domain::access::{self, Holding};
use concord_domain::case::Case;
use concord_domain::lifecycle::ActionKind;
use concord_domain::org::{Role, Staff};
use concord_domain::region::RegionCode;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::rows::{corrupt, region_code};
use crate::{Store, StoreError, with_db};

/// Who is acting: a logged-in staff member, or the system itself (CLI, demo loader).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Role,
    /// The subtree the actor may act in; None for the system.
    pub region: Option<RegionCode>,
    /// Which cases in that subtree are theirs (a mediator's, a unit's, or all).
    pub holding: Holding,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            user_id: None,
            name: "系统".into(),
            role: Role::Admin,
            region: None,
            holding: Holding::Region,
        }
    }

    /// A citizen submitting their own case: may register it, nothing else.
    pub fn citizen() -> Self {
        Self {
            user_id: None,
            name: "群众(网上提交)".into(),
            role: Role::Clerk,
            region: None,
            holding: Holding::Region,
        }
    }

    /// A party acting for themselves (signing online): may sign, nothing else.
    pub fn party(name: &str) -> Self {
        Self {
            user_id: None,
            name: format!("当事人{name}(在线)"),
            role: Role::Clerk,
            region: None,
            holding: Holding::Region,
        }
    }

    /// The applicant answering the follow-up online (rating a closed case): acts as the
    /// follow-up, under their own name.
    pub fn party_rating(name: &str) -> Self {
        Self {
            user_id: None,
            name: format!("当事人{name}(网上评价)"),
            role: Role::FollowUp,
            region: None,
            holding: Holding::Region,
        }
    }

    /// A bulk import from the command line.
    pub fn importer() -> Self {
        Self {
            user_id: None,
            name: "批量导入".into(),
            role: Role::Admin,
            region: None,
            holding: Holding::Region,
        }
    }

    pub fn staff(s: &Staff) -> Self {
        Self {
            user_id: Some(s.id),
            name: s.display_name.clone(),
            role: s.role,
            region: Some(s.region),
            holding: Holding::of(s),
        }
    }

    /// Refuses an action the actor's role may not take, or a case outside their region.
    pub fn authorize(&self, action: ActionKind, case: &Case) -> Result<(), StoreError> {
        if !access::may(self.role, action) {
            return Err(StoreError::Forbidden(format!(
                "“{}”角色不能执行“{}”",
                self.role.label(),
                action.label()
            )));
        }
        self.authorize_case(case)
    }

    /// Refuses a case outside the actor's region, or not theirs inside it.
    pub fn authorize_case(&self, case: &Case) -> Result<(), StoreError> {
        self.authorize_region(&case.facts.region)?;
        if self.holding.holds(case) {
            return Ok(());
        }
        Err(StoreError::Forbidden(match self.holding {
            Holding::Unit(_) => "该事项不由您所在单位承办".into(),
            _ => "该事项未交办给您".into(),
        }))
    }

    pub fn authorize_region(&self, region: &RegionCode) -> Result<(), StoreError> {
        match &self.region {
            Some(home) if !access::in_scope(home, region) => Err(StoreError::Forbidden(format!(
                "事项所在区划{region}不在您的管辖范围({home})内"
            ))),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region: RegionCode,
    pub org_id: Option<i64>,
    pub password: String,
    /// Demo accounts can log in only while the server runs with --demo.
    pub demo: bool,
    /// Where notices about their work are e-mailed.
    pub email: Option<String>,
}

const SESSION_HOURS: i64 = 12;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    region_code: String,
    org_id: Option<i64>,
    mediator_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
    demo: bool,
    failed_logins: i64,
    locked_until: Option<i64>,
}

/// Consecutive failed logins that lock an account, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

/// How a login went.
#[derive(Debug)]
pub enum LoginResult {
    /// A new session: its bearer token, and who it is.
    Opened(String, Staff),
    /// Unknown user, wrong password, or a demo account outside demo mode.
    Refused,
    /// Too many failed attempts: no password is checked until then.
    Locked { until: Timestamp },
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    demo: bool,
    expires_at: i64,
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.region_code, u.org_id,
    (SELECT MIN(m.id) FROM mediators m WHERE m.user_id = u.id) AS mediator_id";

fn to_staff(u: UserRow) -> Result<Staff, StoreError> {
    Ok(Staff {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        role: Role::parse("role", &u.role).map_err(corrupt)?,
        region: region_code(&u.region_code)?,
        org_id: u.org_id,
        mediator_id: u.mediator_id,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    pub async fn create_user(&self, u: &NewUser) -> Result<i64, StoreError> {
        if u.password.chars().count() < 8 {
            return Err(
                concord_domain::FieldError::new("password", "too_short", "密码至少8位").into(),
            );
        }
        self.require_region("region", &u.region).await?;
        let password = u.password.clone();
        let hash = tokio::task::spawn_blocking(move || {
            let mut bytes = [0u8; 16];
            rand::rng().fill_bytes(&mut bytes);
            let salt = SaltString::encode_b64(&bytes)?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .expect("hashing task")
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let res = with_db!(self, pool => {
            sqlx::query_scalar("INSERT INTO users (username, display_name, role, region_code, org_id, password_hash, demo, created_at, email)
                                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(&u.username).bind(&u.display_name).bind(u.role.as_str()).bind(u.region.as_str())
                .bind(u.org_id).bind(hash).bind(u.demo).bind(to_micros(Timestamp::now())).bind(&u.email)
                .fetch_one(pool).await
        });
        res.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Invalid(
                concord_domain::FieldError::new("username", "taken", "用户名已被占用").into(),
            ),
            _ => e.into(),
        })
    }

    /// Checks the password and opens a session. After `MAX_FAILED_LOGINS` failures in a
    /// row the account is locked for `LOCKOUT_MINUTES`, and a failure after that locks
    /// it again at once, until a login succeeds.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        demo_mode: bool,
        now: Timestamp,
    ) -> Result<LoginResult, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.demo, u.failed_logins, u.locked_until
             FROM users u WHERE u.username = $1"
        );
        let row: Option<LoginRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(pool).await?
        });
        let Some(row) = row else {
            return Ok(LoginResult::Refused);
        };
        if row.demo && !demo_mode {
            return Ok(LoginResult::Refused);
        }
        if let Some(until) = row.locked_until.filter(|u| *u > to_micros(now)) {
            return Ok(LoginResult::Locked {
                until: from_micros(until),
            });
        }
        let (password, hash) = (password.to_string(), row.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .expect("verify task");
        let id = row.user.id;
        if !ok {
            return self.count_failure(id, now).await;
        }
        if row.failed_logins > 0 {
            crate::writer::write_tx!(self, |conn| {
                sqlx::query(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await?;
                Ok::<(), StoreError>(())
            })?;
        }
        let staff = to_staff(row.user)?;
        let token = self.open_session(staff.id).await?;
        Ok(LoginResult::Opened(token, staff))
    }

    async fn count_failure(&self, id: i64, now: Timestamp) -> Result<LoginResult, StoreError> {
        let until = now
            .checked_add(jiff::Span::new().minutes(LOCKOUT_MINUTES))
            .expect("in range");
        let (until_us, max) = (to_micros(until), MAX_FAILED_LOGINS);
        let failed: i64 = crate::writer::write_tx!(self, |conn| {
            let n: i64 = sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1,
                   locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
                 WHERE id = $1 RETURNING failed_logins",
            )
            .bind(id)
            .bind(max)
            .bind(until_us)
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(n)
        })?;
        Ok(if failed >= MAX_FAILED_LOGINS {
            LoginResult::Locked { until }
        } else {
            LoginResult::Refused
        })
    }

    async fn open_session(&self, user_id: i64) -> Result<String, StoreError> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = Timestamp::now();
        let expires = now
            .checked_add(jiff::Span::new().hours(SESSION_HOURS))
            .expect("in range");
        with_db!(self, pool => {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash(&token)).bind(user_id).bind(to_micros(now)).bind(to_micros(expires))
                .execute(pool).await?;
        });
        Ok(token)
    }

    /// The staff member a bearer token belongs to, if it is live (and, for a demo
    /// account, only in demo mode).
    pub async fn session_user(
        &self,
        token: &str,
        demo_mode: bool,
    ) -> Result<Option<Staff>, StoreError> {
        let hash = token_hash(token);
        let now = to_micros(Timestamp::now());
        let session = match self.caches.session(&hash, now) {
            Some(s) => Some((s.staff, s.demo)),
            None => self.read_session(&hash, now).await?,
        };
        Ok(session
            .filter(|(_, demo)| !demo || demo_mode)
            .map(|(staff, _)| staff))
    }

    /// Ends a session at once, here and in the cache.
    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        let hash = token_hash(token);
        with_db!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(pool).await?;
        });
        self.caches.forget_session(&hash);
        Ok(())
    }

    async fn read_session(
        &self,
        hash: &str,
        now: i64,
    ) -> Result<Option<(Staff, bool)>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.demo, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let row: Option<SessionRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(hash).bind(now)
                .fetch_optional(pool).await?
        });
        let Some(row) = row else { return Ok(None) };
        let staff = to_staff(row.user)?;
        self.caches
            .put_session(hash.to_string(), staff.clone(), row.demo, row.expires_at);
        Ok(Some((staff, row.demo)))
    }

    pub async fn users(&self) -> Result<Vec<Staff>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id");
        let rows: Vec<UserRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        rows.into_iter().map(to_staff).collect()
    }
}
