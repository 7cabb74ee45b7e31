//! The `/api/v1` routes, each documented in the OpenAPI document from its own annotation.

mod apikeys;
mod attachments;
pub(crate) mod auth;
mod calendar;
pub(crate) mod cases;
mod classify;
mod directory;
mod documents;
pub(crate) mod mediation;
pub(crate) mod mediators;
mod notices;
pub(crate) mod oversight;
pub(crate) mod party;
pub(crate) mod reports;
mod routing;
pub(crate) mod screening;
mod search;
mod seen;
mod surges;
mod webhooks;

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Concord API",
        description = "矛盾纠纷调处化解中心 — cases, their lifecycle, the territory and the calendar.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::users, auth::add_user))
        .routes(routes!(apikeys::list, apikeys::issue))
        .routes(routes!(apikeys::revoke))
        .routes(routes!(webhooks::list, webhooks::register))
        .routes(routes!(webhooks::remove))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(notices::list))
        .routes(routes!(screening::list_schedules, screening::add_schedule))
        .routes(routes!(screening::get_schedule))
        .routes(routes!(screening::record_round))
        .routes(routes!(screening::add_finding))
        .routes(routes!(screening::ledger))
        .routes(routes!(screening::report_finding))
        .routes(routes!(cases::create_case, cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::transition))
        .routes(routes!(crate::public::submit))
        .routes(routes!(crate::public::track))
        .routes(routes!(crate::public::one_time_code))
        .routes(routes!(crate::public::region_qr))
        .routes(routes!(crate::public::org_qr))
        .routes(routes!(mediation::schedule, mediation::list))
        .routes(routes!(mediation::record))
        .routes(routes!(mediation::cancel))
        .routes(routes!(mediation::mediator_calendar))
        .routes(routes!(mediation::room_calendar))
        .routes(routes!(mediation::draft, mediation::agreement))
        .routes(routes!(mediation::sign_in_person))
        .routes(routes!(mediation::signature_image))
        .routes(routes!(party::issue))
        .routes(routes!(party::reveal))
        .routes(routes!(surges::surges))
        .routes(routes!(reports::figures))
        .routes(routes!(reports::ledger_xlsx))
        .routes(routes!(reports::generate, reports::list))
        .routes(routes!(reports::file))
        .routes(routes!(party::view))
        .routes(routes!(party::sign))
        .routes(routes!(documents::generate, documents::list))
        .routes(routes!(documents::file))
        .routes(routes!(documents::templates))
        .routes(routes!(documents::put_template))
        .routes(routes!(oversight::followups))
        .routes(routes!(oversight::accountability))
        .routes(routes!(oversight::rectify))
        .routes(routes!(oversight::sheet))
        .routes(routes!(oversight::assess))
        .routes(routes!(oversight::train))
        .routes(routes!(oversight::put_rates))
        .routes(routes!(oversight::payout))
        .routes(routes!(search::search))
        .routes(routes!(seen::related))
        .routes(routes!(seen::check))
        .routes(routes!(seen::merge))
        .routes(routes!(seen::alerts))
        .routes(routes!(seen::acknowledge))
        .routes(routes!(classify::classify))
        .routes(routes!(routing::get_rules, routing::put_rules))
        .routes(routes!(routing::get_rules_version))
        .routes(routes!(routing::case_routing))
        .routes(routes!(routing::case_tasks))
        .routes(routes!(routing::custody))
        .routes(routes!(directory::regions))
        .routes(routes!(directory::organizations))
        .routes(routes!(mediators::directory))
        .routes(routes!(mediators::for_case))
        .routes(routes!(mediators::pick))
        .routes(routes!(mediators::public_pick, mediators::public_eligible))
        .routes(routes!(crate::public::rate))
        .routes(routes!(mediators::add_relation))
        .routes(routes!(calendar::list_days, calendar::put_days))
        .routes(routes!(calendar::delete_day))
}

/// The routes that take files, which may be larger than any other request
/// (`crate::UPLOAD_MAX_BYTES`).
pub fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attachments::upload, attachments::list))
        .routes(routes!(attachments::download))
        .routes(routes!(attachments::public_upload))
}
