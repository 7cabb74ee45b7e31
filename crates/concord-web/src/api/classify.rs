use axum::Json;
use axum::extract::State;
use concord_domain::case::MAX_DESCRIPTION_CHARS;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthUser};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyRequest {
    /// A dispute's description, as the party tells it.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    pub category: concord_domain::category::Category,
    pub label: &'static str,
    /// Probability, 0 to 1.
    pub confidence: f64,
    /// The words that weighed most for it.
    pub words: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClassifyResponse {
    /// The three likeliest categories, best first.
    pub suggestions: Vec<SuggestionView>,
    /// The top suggestion is not sure enough to file without a person deciding.
    pub low_confidence: bool,
    /// How many of this center's confirmed cases the model in use learned from.
    pub model_center_examples: i64,
}

/// Suggest a category for a description: the top three with their confidence and the
/// words that drove them; low confidence is flagged for a person to decide.
#[utoipa::path(post, path = "/api/v1/classify", tag = "intake", security(("bearer" = [])),
    request_body = ClassifyRequest,
    responses((status = 200, body = ClassifyResponse), (status = 422, body = ErrorBody)))]
pub async fn classify(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
    ApiJson(req): ApiJson<ClassifyRequest>,
) -> Result<Json<ClassifyResponse>, ApiError> {
    let text = concord_domain::case::text("text", &req.text, MAX_DESCRIPTION_CHARS, true)?;
    Ok(Json(suggest(&s, &text)))
}

/// The model in use's three suggestions for `text`.
pub fn suggest(s: &AppState, text: &str) -> ClassifyResponse {
    let c = s.classifier.model().classify(text, 3);
    ClassifyResponse {
        suggestions: c
            .suggestions
            .into_iter()
            .map(|s| SuggestionView {
                category: s.category,
                label: s.label,
                confidence: s.confidence,
                words: s.words,
            })
            .collect(),
        low_confidence: c.low_confidence,
        model_center_examples: s.classifier.center_examples(),
    }
}
