use concord_domain::FieldErrors;
use concord_domain::lifecycle::TransitionError;

/// What can go wrong below the HTTP layer; the web crate maps each to a status code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("输入有误")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// The same thing is already on record (an imported work order, …).
    #[error("{0}")]
    Duplicate(String),
    /// The database cannot take the write now (a failed commit, shutting down): nothing
    /// was written, and trying again may succeed.
    #[error("{0}")]
    Unavailable(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<concord_domain::FieldError> for StoreError {
    fn from(e: concord_domain::FieldError) -> Self {
        Self::Invalid(e.into())
    }
}
