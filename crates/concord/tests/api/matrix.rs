//! The authorization matrix, read from the OpenAPI document so that a new endpoint is
//! covered the day it is added: every role × every endpoint on one case × a user of the
//! case's own township and a user of another township. From outside, nothing answers
//! 2xx and nothing changes (no new version, no view recorded); from inside, every role
//! reads the case.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, bearer, dispute};

const ROLES: [&str; 9] = [
    "clerk",
    "dispatcher",
    "mediator",
    "department_handler",
    "grid_worker",
    "judge",
    "follow_up",
    "leader",
    "admin",
];
/// The case lies in 白龙山街道 (331125003…); 浮云街道 is next door.
const INSIDE: &str = "331125003000";
const OUTSIDE: &str = "331125001000";

async fn user(app: &TestApp, admin: &str, role: &str, region: &str) -> String {
    let username = format!("{role}_{}", &region[6..9]);
    let (s, body) = app
        .post(
            admin,
            "/api/v1/users",
            &json!({
            "username": username, "display_name": format!("测试{role}"), "role": role,
            "region": region, "password": "matrix-pass-1"}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    bearer(&app.client, &app.base, &username, "matrix-pass-1").await
}

/// Every (method, path) of the API that names one case by `{id}`.
async fn case_endpoints(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/cases/{id}") {
            continue;
        }
        for m in item.as_object().unwrap().keys() {
            if let Ok(method) = m.to_uppercase().parse::<Method>() {
                out.push((method, path.clone()));
            }
        }
    }
    out
}

fn concrete(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
        .replace("{party}", "0")
        .replace("{n}", "1")
        .replace(['{', '}'], "")
}

async fn send(app: &TestApp, token: &str, method: Method, path: &str) -> StatusCode {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&json!({"action": "accept"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn version_and_views(app: &TestApp, token: &str, id: i64) -> (i64, i64) {
    let (_, case) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    let views: i64 = match app.store.db() {
        concord_store::Db::Sqlite(p) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'view' AND case_id = $1",
        )
        .bind(id)
        .fetch_one(p)
        .await
        .unwrap(),
        concord_store::Db::Postgres(p) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'view' AND case_id = $1",
        )
        .bind(id)
        .fetch_one(p)
        .await
        .unwrap(),
    };
    (case["version"].as_i64().unwrap(), views)
}

both!(
    every_role_on_every_case_endpoint_inside_and_outside_its_region,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let endpoints = case_endpoints(&app).await;
        assert!(endpoints.len() >= 15, "the case endpoints: {endpoints:?}");
        let before = version_and_views(&app, &clerk, id).await;

        for role in ROLES {
            let outsider = user(&app, &admin, role, OUTSIDE).await;
            for (method, path) in &endpoints {
                let s = send(&app, &outsider, method.clone(), &concrete(path, id)).await;
                assert!(
                    !s.is_success() && s != StatusCode::INTERNAL_SERVER_ERROR,
                    "{role} of another township: {method} {path} answered {s}"
                );
            }
            let insider = user(&app, &admin, role, INSIDE).await;
            let holds_only_own = matches!(role, "mediator" | "department_handler");
            for (method, path) in endpoints.iter().filter(|(m, _)| *m == Method::GET) {
                let s = send(&app, &insider, method.clone(), &concrete(path, id)).await;
                if holds_only_own {
                    assert_eq!(
                        s,
                        StatusCode::FORBIDDEN,
                        "{role} holding nothing: GET {path}"
                    );
                } else {
                    assert!(
                        s != StatusCode::FORBIDDEN && s != StatusCode::INTERNAL_SERVER_ERROR,
                        "{role} of the case's township: GET {path} answered {s}"
                    );
                }
            }
        }
        assert_eq!(
            version_and_views(&app, &clerk, id).await,
            before,
            "nothing changed from outside"
        );

        // Once the case is the unit's and the mediator's, they reach it, and find it listed.
        let (mediator, handler) = (app.token("mediator").await, app.token("handler").await);
        let (s, _) = app.get(&mediator, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "not yet assigned");
        let dispatcher = app.token("dispatcher").await;
        let (s, b) = app.act(&clerk, id, json!({"action": "accept"})).await;
        assert!(s.is_success(), "{b}");
        let lead = app.org("老李帮忙团调解室").await;
        let co = app.org("云和县人力资源和社会保障局").await;
        let (s, b) = app.act(&dispatcher, id, json!({"action": "assign", "lead_unit": lead, "co_handlers": [co], "level": "township", "reason": "矩阵测试"})).await;
        assert!(s.is_success(), "{b}");
        for (who, token) in [("mediator", &mediator), ("handler", &handler)] {
            let (s, b) = app.get(token, &format!("/api/v1/cases/{id}")).await;
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            let (_, list) = app.get(token, "/api/v1/cases?limit=100").await;
            let ids: Vec<i64> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect();
            assert!(ids.contains(&id), "{who} finds the case in their list");
        }
        // A case of another unit stays out of their lists.
        let other = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (_, list) = app.get(&handler, "/api/v1/cases?limit=100").await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["id"] != other),
            "{list}"
        );
        let (s, _) = app.get(&handler, &format!("/api/v1/cases/{other}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);
