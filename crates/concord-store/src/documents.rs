//! Formatted documents kept with their case (every version, as generated), and the
//! templates the administrator edits.

use concord_docs::Template;
use concord_docs::kinds::{Kind, kind};
use concord_domain::FieldError;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::{Store, StoreError, with_db};

/// A generated document's particulars (its bytes are fetched separately).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentMeta {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub version: i64,
    pub title: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A template in force: the administrator's, or the default.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateInfo {
    pub kind: &'static str,
    pub title: &'static str,
    pub fields: &'static [&'static str],
    pub source: String,
    pub custom: bool,
}

fn known(code: &str) -> Result<&'static Kind, StoreError> {
    kind(code).ok_or_else(|| {
        let all: Vec<&str> = concord_docs::kinds::KINDS.iter().map(|k| k.code).collect();
        FieldError::new(
            "kind",
            "invalid_value",
            format!("没有“{code}”这种文书,可选:{}", all.join(", ")),
        )
        .into()
    })
}

type MetaRow = (i64, i64, String, i64, String, String, i64);

fn to_meta(r: MetaRow) -> DocumentMeta {
    DocumentMeta {
        id: r.0,
        case_id: r.1,
        kind: r.2,
        version: r.3,
        title: r.4,
        created_by: r.5,
        created_at: from_micros(r.6),
    }
}

impl Store {
    pub async fn template(&self, code: &str) -> Result<TemplateInfo, StoreError> {
        let k = known(code)?;
        let custom: Option<String> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT source FROM document_templates WHERE kind = $1").bind(code).fetch_optional(pool).await?
        });
        Ok(TemplateInfo {
            kind: k.code,
            title: k.title,
            fields: k.fields,
            custom: custom.is_some(),
            source: custom.unwrap_or_else(|| k.default.to_string()),
        })
    }

    /// Replaces a template after checking it uses only its kind's fields; `None`
    /// restores the default.
    pub async fn put_template(
        &self,
        code: &str,
        source: Option<&str>,
        by: &str,
    ) -> Result<TemplateInfo, StoreError> {
        let k = known(code)?;
        if let Some(src) = source {
            Template::parse(src, k.fields)
                .map_err(|e| FieldError::new("source", "invalid_template", e.to_string()))?;
        }
        let (src, by, at, kind) = (
            source.map(str::to_string),
            by.to_string(),
            to_micros(Timestamp::now()),
            k.code,
        );
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("DELETE FROM document_templates WHERE kind = $1")
                .bind(kind)
                .execute(&mut *conn)
                .await?;
            if let Some(src) = src {
                sqlx::query("INSERT INTO document_templates (kind, source, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
                    .bind(kind).bind(src).bind(by).bind(at).execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })?;
        self.template(code).await
    }

    /// Keeps a generated document as the next version of its kind for the case.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_document(
        &self,
        case_id: i64,
        kind: &str,
        title: &str,
        text: &str,
        pdf: Vec<u8>,
        docx: Vec<u8>,
        by: &str,
        now: Timestamp,
    ) -> Result<DocumentMeta, StoreError> {
        let (kind_s, title_s, text_s, by_s, at) = (
            kind.to_string(),
            title.to_string(),
            text.to_string(),
            by.to_string(),
            to_micros(now),
        );
        let id = crate::writer::write_tx!(self, |conn| {
            let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM documents WHERE case_id = $1 AND kind = $2")
                .bind(case_id).bind(&kind_s).fetch_one(&mut *conn).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO documents (case_id, kind, version, title, text, pdf, docx, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(case_id).bind(kind_s).bind(version).bind(title_s).bind(text_s).bind(pdf).bind(docx).bind(by_s).bind(at)
                .fetch_one(&mut *conn).await?;
            Ok::<i64, StoreError>(id)
        })?;
        self.document(id).await?.ok_or(StoreError::NotFound("文书"))
    }

    pub async fn documents(&self, case_id: i64) -> Result<Vec<DocumentMeta>, StoreError> {
        let rows: Vec<MetaRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, case_id, kind, version, title, created_by, created_at FROM documents
                            WHERE case_id = $1 ORDER BY id").bind(case_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(to_meta).collect())
    }

    pub async fn document(&self, id: i64) -> Result<Option<DocumentMeta>, StoreError> {
        let row: Option<MetaRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, case_id, kind, version, title, created_by, created_at FROM documents WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(to_meta))
    }

    /// A document's bytes: its PDF, or its .docx.
    pub async fn document_file(&self, id: i64, docx: bool) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = if docx {
            "SELECT docx FROM documents WHERE id = $1"
        } else {
            "SELECT pdf FROM documents WHERE id = $1"
        };
        Ok(with_db!(self, pool => {
            sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await?
        }))
    }
}
