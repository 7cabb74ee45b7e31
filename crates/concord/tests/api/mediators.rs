use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

async fn mediator_named(app: &TestApp, name: &str) -> i64 {
    let (_, list) = app.get("", "/api/v1/mediators").await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name}"))["id"]
        .as_i64()
        .unwrap()
}

fn last_event(c: &Value) -> &Value {
    c["events"].as_array().unwrap().last().unwrap()
}

both!(
    the_directory_shows_expertise_languages_and_caseload,
    |app: TestApp| async move {
        let (s, labor) = app.get("", "/api/v1/mediators?category=labor").await;
        assert_eq!(s, StatusCode::OK);
        let liu = labor
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "刘彬")
            .expect("刘彬 takes labour disputes");
        assert_eq!(liu["org_name"], "刘彬调解室");
        assert!(
            liu["languages"]
                .as_array()
                .unwrap()
                .contains(&json!("景宁话"))
        );
        assert_eq!(liu["open_cases"], 0);
        assert!(labor.as_array().unwrap().iter().all(|m| {
            let e = m["expertise"].as_array().unwrap();
            e.is_empty() || e.contains(&json!("labor"))
        }));
        let (s, e) = app.get("", "/api/v1/mediators?category=gossip").await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category"))
        );
    }
);

both!(
    when_every_party_picks_the_same_mediator_the_assignment_gets_them,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let dispatcher = app.token("dispatcher").await;
        let li = mediator_named(&app, "李建华").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (s, m) = app
            .get(&clerk, &format!("/api/v1/cases/{id}/mediators"))
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert!(
            m["eligible"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == li)
        );
        let picks = format!("/api/v1/cases/{id}/mediator-picks");
        let (s, m) = app
            .post(&clerk, &picks, &json!({"party": 0, "mediator": li}))
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert!(m["agreed"].is_null(), "the respondent has not picked yet");
        let (_, m) = app
            .post(&clerk, &picks, &json!({"party": 1, "mediator": li}))
            .await;
        assert_eq!(m["agreed"], li);
        let (s, e) = app
            .post(&clerk, &picks, &json!({"party": 5, "mediator": li}))
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("party"))
        );

        app.act(&clerk, id, json!({"action": "accept"})).await;
        let room = app.org("老李帮忙团调解室").await;
        let (s, c) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "assign", "lead_unit": room, "reason": "双方点单老李"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["mediator"], li);
        assert_eq!(last_event(&c)["details"]["mediator_chosen_by"], "parties");
        let (s, _) = app
            .post(&clerk, &picks, &json!({"party": 0, "mediator": li}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "no more picks once assigned");
    }
);

both!(
    with_no_picks_the_least_loaded_eligible_mediator_of_the_unit_takes_it,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let mut ids = Vec::new();
        for phone in ["13800000001", "13800000002"] {
            // Different people each time: a party of a mediator's open case would be a conflict.
            let mut body = dispute();
            body["parties"] =
                json!([{"role": "applicant", "name": format!("申请人{phone}"), "phone": phone}]);
            let id = app.create(&t, &body).await["id"].as_i64().unwrap();
            app.act(&t, id, json!({"action": "accept"})).await;
            let (_, r) = app.get(&t, &format!("/api/v1/cases/{id}/routing")).await;
            let (s, c) = app
                .act(&t, id, json!({"action": "assign", "lead_unit": r["unit"]}))
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
            assert_eq!(
                last_event(&c)["details"]["mediator_chosen_by"],
                "balance",
                "{c}"
            );
            ids.push(c["mediator"].as_i64().expect("a mediator by load"));
        }
        let (_, list) = app.get("", "/api/v1/mediators?region=331125003002").await;
        let m = list
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == ids[0])
            .unwrap();
        assert_eq!(m["open_cases"], 2, "the directory counts them");

        // A party of one of the mediator's open cases brings another: a conflict.
        let mut body = dispute();
        body["parties"] = json!([{"role": "applicant", "name": "另一人", "phone": "13800000001"}]);
        let id = app.create(&t, &body).await["id"].as_i64().unwrap();
        app.act(&t, id, json!({"action": "accept"})).await;
        let (_, r) = app.get(&t, &format!("/api/v1/cases/{id}/routing")).await;
        let (s, e) = app
            .act(
                &t,
                id,
                json!({"action": "assign", "lead_unit": r["unit"], "mediator": ids[0]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("在办事项"),
            "{e}"
        );
    }
);

both!(
    a_mediator_related_to_a_party_is_refused,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let li = mediator_named(&app, "李建华").await;
        let (s, _) = app
            .post(
                &admin,
                &format!("/api/v1/mediators/{li}/relations"),
                &json!({"name": "王某某", "phone": "13800138000", "relation": "表兄弟"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, e) = app
            .post(
                &admin,
                &format!("/api/v1/mediators/{li}/relations"),
                &json!({"name": "", "phone": "123", "relation": "邻居"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        let id = app.create(&admin, &dispute()).await["id"].as_i64().unwrap();
        let (s, e) = app
            .post(
                &admin,
                &format!("/api/v1/cases/{id}/mediator-picks"),
                &json!({"party": 0, "mediator": li}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["code"], "conflict_of_interest");
        assert!(e["error"]["message"].as_str().unwrap().contains("表兄弟"));
        let (_, m) = app
            .get(&admin, &format!("/api/v1/cases/{id}/mediators"))
            .await;
        assert!(
            !m["eligible"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == li),
            "not offered either"
        );
        app.act(&admin, id, json!({"action": "accept"})).await;
        let room = app.org("老李帮忙团调解室").await;
        let (s, e) = app
            .act(
                &admin,
                id,
                json!({"action": "assign", "lead_unit": room, "mediator": li, "reason": "x"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("conflict_of_interest")
            )
        );
    }
);

both!(
    the_applicant_picks_online_with_the_tracking_code,
    |app: TestApp| async move {
        let body = json!({"description": "邻居在我家门口堆放柴火和杂物,堵住通道", "region": "331125003002",
            "parties": [{"role": "applicant", "name": "叶某", "phone": "13757800001"}, {"role": "respondent", "name": "邻居徐某"}]});
        let (_, done) = app.post("", "/api/v1/public/cases", &body).await;
        let li = mediator_named(&app, "李建华").await;
        let pick = json!({"number": done["number"], "code": done["tracking_code"], "mediator": li});
        let (s, m) = app.post("", "/api/v1/public/mediator-picks", &pick).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["picks"], json!([{"party": 0, "mediator": li}]));
        let bad = json!({"number": done["number"], "code": "WRON-GCOD", "mediator": li});
        let (s, _) = app.post("", "/api/v1/public/mediator-picks", &bad).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);
