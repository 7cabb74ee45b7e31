use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// A dispute with its own applicant (no conflicts of interest between the test's cases),
/// taken to closure by 老李帮忙团调解室 with a signed agreement.
async fn closed_case(app: &TestApp, t: &str, i: usize) -> i64 {
    let mut body = dispute();
    body["parties"] = json!([
        {"role": "applicant", "name": format!("申请人{i}"), "phone": format!("1370000{i:04}")},
        {"role": "respondent", "name": "李某"}
    ]);
    let id = app.create(t, &body).await["id"].as_i64().unwrap();
    let room = app.org("老李帮忙团调解室").await;
    for a in [
        json!({"action": "accept"}),
        json!({"action": "assign", "lead_unit": room, "reason": "点单"}),
        json!({"action": "start_mediation"}),
        json!({"action": "reach_agreement", "summary": "赔偿"}),
    ] {
        let (s, c) = app.act(t, id, a.clone()).await;
        assert_eq!(s, StatusCode::OK, "{a}: {c}");
    }
    app.agree_and_sign(t, id).await;
    let (s, c) = app.act(t, id, json!({"action": "close"})).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    id
}

fn find<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

both!(
    dissatisfaction_piles_up_against_the_unit_and_the_mediator,
    |app: TestApp| async move {
        let d = app.token("dispatcher").await;
        let f = app.token("followup").await;
        let leader = app.token("leader").await;
        let mut ids = Vec::new();
        for i in 0..6 {
            ids.push(closed_case(&app, &d, i).await);
        }
        let (s, _) = app.get(&d, "/api/v1/followups").await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .get(&app.token("clerk").await, "/api/v1/followups")
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, queue) = app.get(&f, "/api/v1/followups").await;
        assert_eq!(queue.as_array().unwrap().len(), 6, "{queue}");
        assert_eq!(queue[0]["id"], ids[0], "the earliest due first");

        for (n, id) in ids.iter().enumerate() {
            let sat = if n < 3 { "dissatisfied" } else { "satisfied" };
            let (s, c) = app
                .act(
                    &f,
                    *id,
                    json!({"action": "follow_up", "satisfaction": sat, "method": "phone"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
        }
        let (_, queue) = app.get(&f, "/api/v1/followups").await;
        assert!(
            queue.as_array().unwrap().is_empty(),
            "followed up, off the queue"
        );

        let (s, a) = app.get(&leader, "/api/v1/accountability").await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let unit = find(&a["units"], "老李帮忙团调解室");
        assert_eq!(
            (
                unit["dissatisfied"].as_u64(),
                unit["interview"].as_bool(),
                unit["not_advanced"].as_bool()
            ),
            (Some(3), Some(true), Some(false))
        );
        let person = find(&a["mediators"], "李建华");
        assert_eq!(person["dissatisfied"], 3);
        let accountability = |alerts: &Value| -> Vec<(String, String)> {
            alerts
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["kind"] == "accountability")
                .map(|a| {
                    (
                        a["level"].as_str().unwrap().to_string(),
                        a["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let (_, alerts) = app.get(&leader, "/api/v1/alerts").await;
        let raised = accountability(&alerts);
        assert_eq!(raised.len(), 1, "the third raises it, once: {alerts}");
        assert_eq!(raised[0].0, "yellow");
        assert!(raised[0].1.contains("老李帮忙团调解室") && raised[0].1.contains("约谈"));

        for i in 6..8 {
            let id = closed_case(&app, &d, i).await;
            app.act(
                &f,
                id,
                json!({"action": "follow_up", "satisfaction": "dissatisfied"}),
            )
            .await;
        }
        let (_, a) = app.get(&leader, "/api/v1/accountability").await;
        assert_eq!(
            find(&a["units"], "老李帮忙团调解室")["not_advanced"],
            true,
            "five in the period"
        );
        let (_, alerts) = app.get(&leader, "/api/v1/alerts").await;
        let raised = accountability(&alerts);
        assert_eq!(raised.len(), 2, "{alerts}");
        assert!(
            raised
                .iter()
                .any(|(l, m)| l == "orange" && m.contains("不得评为先进"))
        );
        let (s, _) = app
            .get(&leader, "/api/v1/accountability?from=2026-13-01")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    an_overdue_unit_is_charged_and_files_its_rectification,
    |app: TestApp| async move {
        use concord_domain::case::NewCaseInput;
        use concord_domain::lifecycle::{Action, Context, apply, register};
        use concord_store::{Actor, BuiltCase};
        let d = app.token("dispatcher").await;
        let leader = app.token("leader").await;
        let unit = app.org("大坪社区人民调解委员会").await;
        let cal = app.store.calendar();
        let day = jiff::SignedDuration::from_hours(24);
        let start = jiff::Timestamp::now() - day * 20;
        let ctx = |at| Context {
            now: at,
            calendar: &cal,
            routing: None,
        };
        let mut body = dispute();
        body["complexity"] = json!("simple");
        let facts = serde_json::from_value::<NewCaseInput>(body)
            .unwrap()
            .validate()
            .unwrap();
        let (c, e1) = register(facts, String::new(), &ctx(start));
        let (c, e2) = apply(&c, Action::Accept { complexity: None }, &ctx(start)).unwrap();
        let assign = Action::Assign {
            lead_unit: unit,
            co_handlers: vec![],
            responsible_person: None,
            mediator: None,
            level: None,
            tier: None,
            reason: None,
        };
        let (c, e3) = apply(&c, assign, &ctx(start)).unwrap();
        let by = Actor::system();
        let built = BuiltCase::new(c, vec![(e1, by.clone()), (e2, by.clone()), (e3, by)]);
        let id = app.store.insert_built_cases(vec![built]).await.unwrap()[0]
            .case
            .id;

        let (_, a) = app.get(&leader, "/api/v1/accountability").await;
        let charged = find(&a["units"], "大坪社区人民调解委员会");
        assert_eq!(charged["overdue_cases"], 1, "{a}");
        assert!(
            charged["overdue_days"].as_f64().unwrap() > 10.0,
            "{charged}"
        );

        let body = json!({"org": unit, "explanation": "当事人外出务工,多次联系未果", "measures": "安排专人上门约谈,三日内组织调解", "due_date": "2030-01-10"});
        let (s, r) = app
            .post(&d, &format!("/api/v1/cases/{id}/rectifications"), &body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (_, a) = app.get(&leader, "/api/v1/accountability").await;
        assert_eq!(
            find(&a["units"], "大坪社区人民调解委员会")["rectifications"],
            1
        );
        let fresh = app.create(&d, &dispute()).await["id"].as_i64().unwrap();
        let (s, _) = app
            .post(&d, &format!("/api/v1/cases/{fresh}/rectifications"), &body)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing to rectify");
        let mut bad = body.clone();
        bad["due_date"] = json!("下周");
        let (s, e) = app
            .post(&d, &format!("/api/v1/cases/{id}/rectifications"), &bad)
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("due_date"))
        );
    }
);

both!(
    mediators_are_assessed_from_the_record_and_paid_per_resolved_case,
    |app: TestApp| async move {
        let d = app.token("dispatcher").await;
        let leader = app.token("leader").await;
        let admin = app.token("admin").await;
        for i in 0..2 {
            closed_case(&app, &d, i).await;
        }
        let period = {
            let today = concord_domain::time::local_date(jiff::Timestamp::now());
            format!(
                "{}H{}",
                today.year(),
                if today.month() <= 6 { 1 } else { 2 }
            )
        };
        let li = app.mediator("李建华").await;
        let (s, t) = app.post(&leader, &format!("/api/v1/mediators/{li}/trainings"), &json!({"day": concord_domain::time::local_date(jiff::Timestamp::now()).to_string(), "title": "民法典婚姻家庭编专题培训", "hours": 4, "organizer": "县司法局"})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let (s, sheet) = app
            .get(&leader, &format!("/api/v1/assessments?period={period}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{sheet}");
        let line = find(&sheet, "李建华");
        assert_eq!(
            (
                line["figures"]["closed"].as_u64(),
                line["figures"]["agreements"].as_u64()
            ),
            (Some(2), Some(2))
        );
        assert_eq!(line["figures"]["success_rate"], 1.0);
        assert_eq!(line["figures"]["training_hours"], 4.0);

        let path = format!("/api/v1/mediators/{li}/assessments");
        let (s, e) = app
            .post(
                &leader,
                &path,
                &json!({"period": period, "qualified": false}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
            "removal needs its reason"
        );
        let (s, a) = app
            .post(
                &leader,
                &path,
                &json!({"period": period, "qualified": false, "reason": "群众满意度测评不合格"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(
            a["figures"]["closed"], 2,
            "the figures it rests on are kept"
        );
        let (s, _) = app
            .post(
                &leader,
                &path,
                &json!({"period": period, "qualified": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "once a period");
        let (_, dir) = app.get("", "/api/v1/mediators").await;
        assert!(
            !dir.as_array().unwrap().iter().any(|m| m["id"] == li),
            "removed from the directory"
        );

        let (s, _) = app
            .put(
                &leader,
                "/api/v1/subsidies/rates",
                &json!({"neighbor": 200}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app
            .put(&admin, "/api/v1/subsidies/rates", &json!({"gossip": 1}))
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("gossip"))
        );
        let (s, _) = app
            .put(
                &admin,
                "/api/v1/subsidies/rates",
                &json!({"neighbor": 200, "petition": 1000}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, pay) = app.get(&leader, "/api/v1/subsidies/payout").await;
        let line = find(&pay, "李建华");
        assert_eq!(line["lines"]["neighbor"], json!([2, 400.0]));
        assert_eq!(line["total"], 400.0);
    }
);
