use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

async fn case_count(app: &TestApp) -> i64 {
    app.store.count_cases().await.unwrap()
}

/// Posts a case and expects a 4xx naming `field`; nothing may be written.
async fn refused(
    app: &TestApp,
    token: &str,
    body: &str,
    status: StatusCode,
    field: &str,
    code: &str,
) {
    let before = case_count(app).await;
    let (s, err) = app.post_raw(token, "/api/v1/cases", body).await;
    assert_eq!(s, status, "{body}: {err}");
    assert_eq!(err["error"]["field"], json!(field), "{err}");
    assert_eq!(err["error"]["code"], code, "{err}");
    assert!(!err["error"]["message"].as_str().unwrap().is_empty());
    assert_eq!(case_count(app).await, before, "nothing written");
}

fn with(path: &[&str], value: Value) -> String {
    let mut body = dispute();
    let mut at = &mut body;
    for p in &path[..path.len() - 1] {
        at = match p.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*p],
        };
    }
    at[path[path.len() - 1]] = value;
    body.to_string()
}

both!(
    bad_input_is_refused_naming_the_field_and_nothing_is_written,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let bad = StatusCode::BAD_REQUEST;
        let invalid = StatusCode::UNPROCESSABLE_ENTITY;
        let (s, err) = app
            .post_raw(&t, "/api/v1/cases", "{\"kind\": \"dispute\",")
            .await;
        assert_eq!(s, bad);
        assert_eq!(err["error"]["code"], "malformed_json");
        refused(
            &app,
            &t,
            &with(&["category"], json!("gossip")),
            bad,
            "category",
            "invalid_field",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["kind"], json!("complaint")),
            bad,
            "kind",
            "invalid_field",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["parties", "0", "role"], json!("witness")),
            bad,
            "parties[0].role",
            "invalid_field",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["description"], json!("长".repeat(10_001))),
            invalid,
            "description",
            "too_long",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["description"], json!("   ")),
            invalid,
            "description",
            "required",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["region"], json!("331125999999")),
            invalid,
            "region",
            "unknown_region",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["region"], json!("33112")),
            invalid,
            "region",
            "invalid_region_code",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["parties", "0", "phone"], json!("1234567")),
            invalid,
            "parties[0].phone",
            "invalid_phone",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["parties", "0", "id_number"], json!("110105194912310021")),
            invalid,
            "parties[0].id_number",
            "invalid_id_number",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["amount"], json!(-5)),
            invalid,
            "amount",
            "out_of_range",
        )
        .await;
        refused(
            &app,
            &t,
            &with(&["surprise"], json!(1)),
            bad,
            "surprise",
            "invalid_field",
        )
        .await;
        let mut no_desc = dispute();
        no_desc.as_object_mut().unwrap().remove("description");
        refused(
            &app,
            &t,
            &no_desc.to_string(),
            bad,
            "description",
            "invalid_field",
        )
        .await;
    }
);

both!(
    an_action_not_allowed_names_the_state_and_the_allowed_actions,
    |app: TestApp| async move {
        let t = app.token("admin").await;
        let c = app.create(&t, &dispute()).await;
        let id = c["id"].as_i64().unwrap();
        let (s, err) = app.act(&t, id, json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(err["error"]["code"], "action_not_allowed");
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("registered")
                && msg.contains("accept")
                && msg.contains("reject")
                && msg.contains("withdraw"),
            "{msg}"
        );
        let (_, after) = app.get(&t, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(after["version"], 1, "nothing written");
        assert_eq!(after["events"].as_array().unwrap().len(), 1);
        let (s, err) = app
            .act(
                &t,
                id,
                json!({"action": "reject", "reason": "不属于受理范围"}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "guidance is required: {err}");
        assert_eq!(err["error"]["field"], "guidance");
        let (s, err) = app.act(&t, id, json!({"action": "fly"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(err["error"]["field"], "action");
        let (s, _) = app.act(&t, 999_999, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, err) = app.act(&t, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{err}");
        let (s, err) = app
            .act(&t, id, json!({"action": "assign", "lead_unit": 987654}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"]["field"], "lead_unit");
        let (s, err) = app
            .act(
                &t,
                id,
                json!({"action": "reject", "reason": "x", "guidance": "y"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{err}");
    }
);

both!(
    unknown_paths_and_ids_are_404_in_the_error_format,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let (s, err) = app.get(&t, "/api/v1/cases/abc").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(err["error"]["code"], "not_found");
        let (s, _) = app.get(&t, "/api/v1/nowhere").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

both!(
    a_body_of_the_wrong_shape_is_refused_not_a_crash,
    |app: TestApp| async move {
        // Found by .ci/fuzz: the intake check once panicked on a JSON array.
        let t = app.token("clerk").await;
        for body in ["[null, null]", "\"text\"", "42", "null"] {
            let (s, err) = app.post_raw(&t, "/api/v1/intake/check", body).await;
            assert!(s.is_client_error(), "{body}: {s} {err}");
            assert!(err["error"]["message"].is_string(), "{err}");
        }
    }
);
