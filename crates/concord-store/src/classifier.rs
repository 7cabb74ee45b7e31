//! The classifier's memory: the cases whose category a dispatcher confirmed or corrected
//! (its training examples) and the models trained from them.

use concord_domain::category::Category;
use concord_domain::time::to_micros;
use concord_text::classify::{Example, Model};
use jiff::Timestamp;

use crate::rows::corrupt;
use crate::{Store, StoreError, with_db};

/// At most this many confirmed cases, the newest, train a model.
pub const MAX_EXAMPLES: i64 = 200_000;

impl Store {
    /// Confirmed cases as training examples, newest first.
    pub async fn confirmed_examples(&self) -> Result<Vec<Example>, StoreError> {
        let rows: Vec<(String, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT description, category FROM cases WHERE category_confirmed
                            ORDER BY id DESC LIMIT $1")
                .bind(MAX_EXAMPLES).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(text, c)| {
                Ok(Example {
                    text,
                    category: Category::parse("category", &c).map_err(corrupt)?,
                })
            })
            .collect()
    }

    pub async fn confirmed_count(&self) -> Result<i64, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE category_confirmed").fetch_one(pool).await?
        }))
    }

    /// Keeps a trained model; `examples` is how many of the center's cases it learned from.
    pub async fn save_model(&self, model: &Model, examples: i64) -> Result<i64, StoreError> {
        let json = model.to_json();
        let now = to_micros(Timestamp::now());
        crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO classifier_models (created_at, examples, model) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(now)
            .bind(examples)
            .bind(json)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM classifier_models WHERE id < $1 - 4")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// The newest model and how many of the center's cases it learned from.
    pub async fn latest_model(&self) -> Result<Option<(Model, i64)>, StoreError> {
        let row: Option<(String, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT model, examples FROM classifier_models ORDER BY id DESC LIMIT 1")
                .fetch_optional(pool).await?
        });
        row.map(|(json, n)| {
            Model::from_json(&json)
                .map(|m| (m, n))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }
}
