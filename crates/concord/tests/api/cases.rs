use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

fn events(case: &Value) -> Vec<(String, String)> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both!(
    a_case_is_registered_with_a_number_and_its_first_event,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let case = app.create(&clerk, &dispute()).await;
        assert_eq!(case["status"], "registered");
        let number = case["number"].as_str().unwrap();
        assert!(number.starts_with("331125-20"), "{number}");
        assert_eq!(case["events"].as_array().unwrap().len(), 1);
        assert_eq!(case["events"][0]["actor_name"], "吴晓燕");
        assert_eq!(
            case["parties"][0]["phone"], "138****8000",
            "personal data is masked"
        );
        assert_eq!(case["parties"][0]["id_number"], "1101**********002X");
        assert_eq!(case["deadline"], Value::Null);
        let (status, read) = app
            .get(&clerk, &format!("/api/v1/cases/{}", case["id"]))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read["number"], case["number"]);
        assert_eq!(read["region_name"], "大坪社区");
        assert_eq!(
            read["level"], "village",
            "a village dispute starts in the village"
        );
    }
);

both!(
    a_case_walks_the_whole_lifecycle_and_its_timeline_records_each_step,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let dispatcher = app.token("dispatcher").await;
        let mediator = app.token("mediator").await;
        let followup = app.token("followup").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (s, c) = app.act(&clerk, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert!(c["deadline"].is_string(), "accepting sets the deadline");
        assert_eq!(c["clock"], "on_time");
        let lead = app.org("老李帮忙团调解室").await;
        let co = app.org("云和县司法局").await;
        let (s, c) = app.act(&dispatcher, id, json!({"action": "assign", "lead_unit": lead, "co_handlers": [co], "level": "township", "reason": "涉及宅基地历史遗留问题,请老李帮忙团牵头"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["lead_unit"], lead);
        assert_eq!(c["co_handlers"], json!([co]));
        assert_eq!(c["level"], "township");
        let (_, tasks) = app
            .get(&dispatcher, &format!("/api/v1/cases/{id}/tasks"))
            .await;
        assert_eq!(
            tasks.as_array().unwrap().len(),
            1,
            "the co-handler got its task: {tasks}"
        );
        assert_eq!(tasks[0]["org_id"], co);
        assert_eq!(tasks[0]["status"], "open");
        let task = tasks[0]["id"].as_i64().unwrap();
        for (who, action) in [
            (&mediator, json!({"action": "start_mediation"})),
            (
                &mediator,
                json!({"action": "reach_agreement", "summary": "李某赔偿修缮费5000元,分两期支付"}),
            ),
        ] {
            let (s, c) = app.act(who, id, action.clone()).await;
            assert_eq!(s, StatusCode::OK, "{action}: {c}");
        }
        let (s, c) = app.act(&mediator, id, json!({"action": "close"})).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "a co-handler's task is still open: {c}"
        );
        assert_eq!(c["error"]["code"], "open_tasks");
        let (_, c) = app.act(&dispatcher, id, json!({"action": "complete_task", "task": task, "note": "司法所已出具宅基地权属意见"})).await;
        assert_eq!(c["open_tasks"], 0, "{c}");
        let (s, c) = app.act(&mediator, id, json!({"action": "close"})).await;
        assert_eq!(
            (s, c["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("agreement_unsigned")),
            "no signed agreement yet"
        );
        app.agree_and_sign(&mediator, id).await;
        for (who, action) in [
            (&mediator, json!({"action": "close"})),
            (
                &followup,
                json!({"action": "follow_up", "satisfaction": "satisfied"}),
            ),
            (&dispatcher, json!({"action": "archive"})),
        ] {
            let (s, c) = app.act(who, id, action.clone()).await;
            assert_eq!(s, StatusCode::OK, "{action}: {c}");
        }
        let (_, c) = app.get(&clerk, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["status"], "archived");
        assert_eq!(c["outcome"], "agreement");
        assert_eq!(c["satisfaction"], "satisfied");
        let steps: Vec<&str> = [
            "register",
            "accept",
            "assign",
            "start_mediation",
            "reach_agreement",
            "complete_task",
            "draft_agreement",
            "sign_agreement",
            "sign_agreement",
            "close",
            "follow_up",
            "archive",
        ]
        .to_vec();
        let got = events(&c);
        assert_eq!(got.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), steps);
        let ev = c["events"].as_array().unwrap();
        for w in ev.windows(2) {
            assert_eq!(
                w[1]["from"], w[0]["to"],
                "each event starts where the last ended"
            );
            assert!(w[1]["at"].as_str() >= w[0]["at"].as_str());
        }
        assert_eq!(
            ev[2]["details"]["changes"]["level"],
            json!(["village", "township"]),
            "before and after"
        );
        assert_eq!(c["version"], 12);
        let (_, tasks) = app
            .get(&dispatcher, &format!("/api/v1/cases/{id}/tasks"))
            .await;
        assert_eq!(tasks[0]["status"], "done");
    }
);

both!(
    failure_climbs_the_ladders_then_refers_to_court,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let id = app.create(&admin, &dispute()).await["id"].as_i64().unwrap();
        let lead = app.org("大坪社区人民调解委员会").await;
        let county = app.org("云和县人民调解委员会").await;
        app.act(
            &admin,
            id,
            json!({"action": "accept", "complexity": "complex"}),
        )
        .await;
        let mut levels = vec![];
        for unit in [lead, county] {
            let (s, c) = app
                .act(
                    &admin,
                    id,
                    json!({"action": "assign", "lead_unit": unit, "reason": "按升级后的层级交办"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
            app.act(&admin, id, json!({"action": "start_mediation"}))
                .await;
            let (s, c) = app
                .act(
                    &admin,
                    id,
                    json!({"action": "fail_mediation", "reason": "双方分歧较大"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
            let (s, c) = app
                .act(
                    &admin,
                    id,
                    json!({"action": "escalate_level", "reason": "提交上一级调处"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
            assert_eq!(c["status"], "escalated");
            assert_eq!(c["lead_unit"], Value::Null, "awaits a new assignment");
            levels.push(c["level"].clone());
        }
        assert_eq!(levels, [json!("township"), json!("county")]);
        app.act(
            &admin,
            id,
            json!({"action": "assign", "lead_unit": county, "reason": "县级调委会牵头"}),
        )
        .await;
        app.act(&admin, id, json!({"action": "start_mediation"}))
            .await;
        app.act(
            &admin,
            id,
            json!({"action": "fail_mediation", "reason": "仍未达成一致"}),
        )
        .await;
        let (s, c) = app
            .act(
                &admin,
                id,
                json!({"action": "escalate_tier", "reason": "转行政调解"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["tier"], "administrative");
        app.act(
            &admin,
            id,
            json!({"action": "assign", "lead_unit": county, "reason": "县级调委会牵头"}),
        )
        .await;
        app.act(&admin, id, json!({"action": "start_mediation"}))
            .await;
        app.act(
            &admin,
            id,
            json!({"action": "fail_mediation", "reason": "调解不成"}),
        )
        .await;
        let (s, c) = app
            .act(
                &admin,
                id,
                json!({"action": "refer", "to": "litigation", "reason": "引导诉讼"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["status"], "referred");
        assert_eq!(c["outcome"], "referred_litigation");
    }
);

both!(
    judicial_confirmation_closes_an_agreement,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let judge = app.token("judge").await;
        let id = app.create(&admin, &dispute()).await["id"].as_i64().unwrap();
        let lead = app.org("刘彬调解室").await;
        let court = app.org("云和县人民法院").await;
        app.act(&admin, id, json!({"action": "accept"})).await;
        app.act(
            &admin,
            id,
            json!({"action": "assign", "lead_unit": lead, "reason": "当事人点名老李帮忙团"}),
        )
        .await;
        app.act(&admin, id, json!({"action": "start_mediation"}))
            .await;
        app.act(
            &admin,
            id,
            json!({"action": "reach_agreement", "summary": "赔偿3000元"}),
        )
        .await;
        app.agree_and_sign(&admin, id).await;
        let (s, c) = app
            .act(
                &admin,
                id,
                json!({"action": "apply_confirmation", "court": lead}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a mediation room is not a court: {c}"
        );
        assert_eq!(c["error"]["field"], "court");
        let (s, c) = app
            .act(
                &admin,
                id,
                json!({"action": "apply_confirmation", "court": court, "green_channel": true}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let applied = c["events"].as_array().unwrap().last().unwrap();
        assert_eq!(applied["details"]["green_channel"], true, "{applied}");
        // The green channel: decided the same working day (the next after days off), not
        // in the court's statutory fifteen days.
        let day = |v: &Value| -> jiff::civil::Date { v.as_str().unwrap()[..10].parse().unwrap() };
        let waited = day(&applied["at"])
            .until(day(&c["deadline"]))
            .unwrap()
            .get_days();
        assert!((0..10).contains(&waited), "{waited} days: {c}");
        let (s, c) = app
            .act(
                &judge,
                id,
                json!({"action": "confirm", "ruling": "(2025)浙1125民特1号"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["status"], "closed");
        assert_eq!(c["outcome"], "agreement_confirmed");
        assert!(c["closed_at"].is_string());
    }
);

both!(
    a_petition_gets_its_statutory_clocks,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let mut body = dispute();
        body["kind"] = json!("petition");
        body["channel"] = json!("petition_visit");
        let c = app.create(&clerk, &body).await;
        assert!(
            c["acceptance_due"].is_string(),
            "15 days to decide on acceptance"
        );
        let (_, c) = app
            .act(
                &clerk,
                c["id"].as_i64().unwrap(),
                json!({"action": "accept"}),
            )
            .await;
        assert!(c["statutory_deadline"].is_string(), "60 days to handle");
    }
);

both!(
    two_people_changing_the_same_case_the_second_is_told,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let c = app.create(&clerk, &dispute()).await;
        let id = c["id"].as_i64().unwrap();
        let path = app.url(&format!("/api/v1/cases/{id}/transitions"));
        let send = |v: &str| {
            app.client
                .post(&path)
                .bearer_auth(&clerk)
                .header("if-match", v.to_string())
                .json(&json!({"action": "accept"}))
                .send()
        };
        let first = send("1").await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let (s, body) = crate::support::read(send("1").await.unwrap()).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "version_conflict");
        // The second is told what changed, not only that something did.
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("第1版") && msg.contains("第2版") && msg.contains("受理"),
            "{msg}"
        );
    }
);
