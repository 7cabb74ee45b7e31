use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

async fn accepted(app: &TestApp, token: &str, body: &Value) -> i64 {
    let id = app.create(token, body).await["id"].as_i64().unwrap();
    let (s, c) = app.act(token, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    id
}

fn last_event(c: &Value) -> &Value {
    c["events"].as_array().unwrap().last().unwrap()
}

both!(
    routing_rules_are_versioned_checked_and_only_the_administrator_edits_them,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let dispatcher = app.token("dispatcher").await;
        let (s, v1) = app.get(&dispatcher, "/api/v1/routing/rules").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v1["version"], 1, "the demo seeds version 1");
        assert!(v1["rules"].as_array().unwrap().len() >= 5);

        let mut rules = v1["rules"].as_array().unwrap().clone();
        rules.push(
            json!({"id": "mass-to-county", "name": "重复的编号", "then": {"level": "county"}}),
        );
        rules.push(json!({"id": "bad-unit", "name": "不存在的单位", "when": {"regions": ["3311250"]}, "then": {"unit": 999999}}));
        let (s, body) = app
            .put(
                &admin,
                "/api/v1/routing/rules",
                &json!({"rules": rules, "note": "测试"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        let n = rules.len();
        assert!(
            fields.contains(&format!("rules[{}].id", n - 2).as_str()),
            "{body}"
        );
        assert!(
            fields.contains(&format!("rules[{}].when.regions[0]", n - 1).as_str()),
            "{body}"
        );
        assert!(
            fields.contains(&format!("rules[{}].then.unit", n - 1).as_str()),
            "{body}"
        );

        let one = json!({"rules": [{"id": "all-to-county", "name": "全部提级", "then": {"level": "county"}}], "note": "集中办理"});
        let (s, _) = app.put(&dispatcher, "/api/v1/routing/rules", &one).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, set) = app.put(&admin, "/api/v1/routing/rules", &one).await;
        assert_eq!(s, StatusCode::OK, "{set}");
        let (_, now) = app.get(&dispatcher, "/api/v1/routing/rules").await;
        assert_eq!(now["version"], 2);
        let (_, old) = app.get(&dispatcher, "/api/v1/routing/rules/1").await;
        assert_eq!(
            old["rules"], v1["rules"],
            "earlier versions are kept as they were"
        );
        let (s, _) = app.get(&dispatcher, "/api/v1/routing/rules/99").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

both!(
    a_mass_case_goes_to_the_county_and_the_decision_is_on_the_record,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let mut body = dispute();
        body["complainants"] = json!(6);
        let id = accepted(&app, &t, &body).await;
        let (s, r) = app.get(&t, &format!("/api/v1/cases/{id}/routing")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["level"], "county");
        assert_eq!(r["fired"], json!(["mass-to-county"]));
        assert_eq!(r["unit_name"], "云和县人民调解委员会");
        assert_eq!(r["version"], 1);
        assert!(r["reasons"][0].as_str().unwrap().contains("群体性"), "{r}");

        let (s, c) = app
            .act(&t, id, json!({"action": "assign", "lead_unit": r["unit"]}))
            .await;
        assert_eq!(
            s,
            StatusCode::OK,
            "following the suggestion needs no reason: {c}"
        );
        assert_eq!(c["level"], "county");
        assert!(
            c["category_confirmed"].as_bool().unwrap(),
            "routing confirms the category"
        );
        let routing = &last_event(&c)["details"]["routing"];
        assert_eq!(routing["followed"], true);
        assert_eq!(routing["version"], 1);
        assert_eq!(routing["fired"], json!(["mass-to-county"]));

        // A plain neighbour dispute stays in its village.
        let id = accepted(&app, &t, &dispute()).await;
        let (_, r) = app.get(&t, &format!("/api/v1/cases/{id}/routing")).await;
        assert_eq!(r["level"], "village");
        assert_eq!(r["unit_name"], "大坪社区人民调解委员会");
        assert_eq!(r["fired"], json!([]));
    }
);

both!(
    a_departure_from_the_suggestion_needs_a_reason_which_is_recorded,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let mut body = dispute();
        body["category"] = json!("labor");
        let id = accepted(&app, &t, &body).await;
        let (_, r) = app.get(&t, &format!("/api/v1/cases/{id}/routing")).await;
        assert_eq!(r["unit_name"], "云和县劳动争议人民调解委员会");
        let room = app.org("刘彬调解室").await;
        let (s, err) = app
            .act(&t, id, json!({"action": "assign", "lead_unit": room}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"]["code"], "override_reason_required");
        assert_eq!(err["error"]["field"], "reason");
        let (_, c) = app.get(&t, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["status"], "accepted", "nothing was written");
        let why = "申请人均为景宁籍务工人员,由刘彬调解室调处";
        let (s, c) = app
            .act(
                &t,
                id,
                json!({"action": "assign", "lead_unit": room, "reason": why}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let e = last_event(&c);
        assert_eq!(e["reason"], why);
        assert_eq!(e["details"]["routing"]["followed"], false);
        assert_eq!(e["details"]["routing"]["suggested"]["unit"], r["unit"]);
    }
);

both!(
    the_dispatcher_confirms_or_corrects_the_category_and_a_unit_can_hand_a_case_back,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let mediator = app.token("mediator").await;
        let id = accepted(&app, &t, &dispute()).await;
        let (s, c) = app.act(&t, id, json!({"action": "reclassify", "category": "housing_homestead", "reason": "实为宅基地建房引发"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["category"], "housing_homestead");
        assert_eq!(c["category_confirmed"], true);
        assert_eq!(
            c["status"], "accepted",
            "reclassifying does not move the case"
        );
        assert_eq!(
            last_event(&c)["details"]["changes"]["category"],
            json!(["neighbor", "housing_homestead"])
        );

        let room = app.org("老李帮忙团调解室").await;
        let (s, c) = app
            .act(
                &t,
                id,
                json!({"action": "assign", "lead_unit": room, "reason": "当事人点名"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, err) = app
            .act(&mediator, id, json!({"action": "return", "reason": " "}))
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a return needs its reason: {err}"
        );
        let (s, c) = app
            .act(
                &mediator,
                id,
                json!({"action": "return", "reason": "涉及土地权属,不属本调解室受理范围"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(
            c["status"], "accepted",
            "back in the command center's queue"
        );
        assert!(c["lead_unit"].is_null());
        assert_eq!(last_event(&c)["details"]["returned_by"], room);
    }
);

both!(
    overdue_time_is_charged_to_the_unit_that_held_the_clock,
    |app: TestApp| async move {
        use concord_domain::case::NewCaseInput;
        use concord_domain::lifecycle::{Action, Context, apply, register};
        use concord_store::{Actor, BuiltCase};
        let t = app.token("dispatcher").await;
        let unit = app.org("大坪社区人民调解委员会").await;
        let cal = app.store.calendar();
        let day = jiff::SignedDuration::from_hours(24);
        let start = jiff::Timestamp::now() - day * 30;
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
        let (c, e3) = apply(&c, assign, &ctx(start + day)).unwrap();
        let deadline = c.deadline.unwrap();
        let by = Actor::system();
        let built = BuiltCase::new(c, vec![(e1, by.clone()), (e2, by.clone()), (e3, by)]);
        let id = app.store.insert_built_cases(vec![built]).await.unwrap()[0]
            .case
            .id;

        let (s, r) = app.get(&t, &format!("/api/v1/cases/{id}/custody")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let periods = r["periods"].as_array().unwrap();
        let held = periods.iter().find(|p| p["unit"] == unit).unwrap();
        assert_eq!(held["unit_name"], "大坪社区人民调解委员会");
        assert!(held["to"].is_null(), "still theirs");
        let expected = jiff::Timestamp::now()
            .duration_since(deadline)
            .as_secs_f64()
            / 86_400.0;
        let got = held["overdue_days"].as_f64().unwrap();
        assert!(
            (got - expected).abs() < 0.05,
            "overdue {got} days, expected {expected}"
        );
        let center: f64 = periods
            .iter()
            .filter(|p| p["unit"].is_null())
            .map(|p| p["overdue_days"].as_f64().unwrap())
            .sum();
        assert_eq!(
            center, 0.0,
            "the command center routed it before the deadline"
        );
    }
);
