use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// A case accepted and assigned to 老李帮忙团调解室, mediated by 李建华, in mediation.
async fn in_mediation(app: &TestApp, t: &str) -> i64 {
    in_mediation_of(app, t, dispute()).await
}

async fn in_mediation_of(app: &TestApp, t: &str, body: Value) -> i64 {
    let id = app.create(t, &body).await["id"].as_i64().unwrap();
    app.act(t, id, json!({"action": "accept"})).await;
    let room = app.org("老李帮忙团调解室").await;
    let (s, c) = app
        .act(
            t,
            id,
            json!({"action": "assign", "lead_unit": room, "reason": "当事人点名"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, c) = app.act(t, id, json!({"action": "start_mediation"})).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    id
}

fn last(c: &Value) -> &Value {
    c["events"].as_array().unwrap().last().unwrap()
}

both!(
    sessions_are_booked_without_double_booking_and_recorded,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let id = in_mediation(&app, &t).await;
        // Other people: a party of the mediator's open case would be a conflict of interest.
        let mut body = dispute();
        body["parties"] = json!([{"role": "applicant", "name": "柳某", "phone": "13588880000"}]);
        let other = in_mediation_of(&app, &t, body).await;
        let room = app.org("治安纠纷调解室").await;
        let at = |h: u32| format!("2030-03-04 {h:02}:00");
        let book = |case: i64, body: Value| {
            let app = &app;
            let t = t.clone();
            async move {
                app.post(&t, &format!("/api/v1/cases/{case}/sessions"), &body)
                    .await
            }
        };
        let (s, b) = book(
            id,
            json!({"mode": "at_center", "starts_at": at(9), "minutes": 90, "room": room}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let session = b["session"]["id"].as_i64().unwrap();
        assert_eq!(b["session"]["starts_at"], "2030-03-04T09:00:00+08:00");
        assert_eq!(last(&b["case"])["action"], "schedule_session");
        assert_eq!(last(&b["case"])["details"]["session"], session);

        let (s, e) = book(
            other,
            json!({"mode": "appointment", "starts_at": at(10), "minutes": 60}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "the same mediator at 10:00: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("调解员"));
        let somebody = app.mediator("刘彬").await;
        let (s, e) = book(
            other,
            json!({"mode": "at_center", "starts_at": at(10), "mediator": somebody, "room": room}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "another mediator, the same room: {e}"
        );
        assert!(e["error"]["message"].as_str().unwrap().contains("调解室"));
        let (s, _) = book(other, json!({"mode": "at_center", "starts_at": "2030-03-04 25:00", "mediator": somebody, "room": room})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not a time");
        let (s, b2) = book(other, json!({"mode": "at_center", "starts_at": "2030-03-04 10:30", "mediator": somebody, "room": room})).await;
        assert_eq!(s, StatusCode::CREATED, "right after the first ends: {b2}");
        let (s, e) = book(other, json!({"mode": "on_site", "starts_at": at(14)})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("location"))
        );

        let record = json!({"participants": ["王某某", "李某", "李建华"], "method": "separate",
            "said": "分别听取双方意见,王某某要求赔偿8000元,李某同意承担部分修缮费。", "agreed": "李某同意赔偿5000元",
            "next_appointment": "2030-03-11 09:00"});
        let path = format!("/api/v1/cases/{id}/sessions/{session}/record");
        let (s, c) = app.post(&t, &path, &record).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(last(&c)["details"]["method"], "separate");
        let (s, _) = app.post(&t, &path, &record).await;
        assert_eq!(s, StatusCode::CONFLICT, "a session is recorded once");
        let (_, list) = app.get(&t, &format!("/api/v1/cases/{id}/sessions")).await;
        assert_eq!(list[0]["status"], "held");
        assert_eq!(list[0]["record"]["agreed"], "李某同意赔偿5000元");

        let mediator = c["mediator"].as_i64().unwrap();
        let (_, cal) = app.get(&t, &format!("/api/v1/mediators/{mediator}/calendar?from=2030-03-04 00:00&to=2030-03-05 00:00")).await;
        assert_eq!(cal.as_array().unwrap().len(), 1, "{cal}");
        let (_, cal) = app
            .get(
                &t,
                &format!("/api/v1/rooms/{room}/calendar?from=2030-03-04 00:00&to=2030-03-05 00:00"),
            )
            .await;
        assert_eq!(cal.as_array().unwrap().len(), 2);

        let units = [
            app.org("云和县司法局").await,
            app.org("云和县住房和城乡建设局").await,
        ];
        let (s, j) = book(
            id,
            json!({"mode": "joint_consultation", "starts_at": at(15), "units": units}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
        let jid = j["session"]["id"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{id}/sessions/{jid}/record");
        let no_opinion = json!({"participants": ["司法局张某", "住建局王某"], "method": "face_to_face", "said": "会商"});
        let (s, e) = app.post(&t, &path, &no_opinion).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("opinion"))
        );
        let mut with = no_opinion.clone();
        with["opinion"] = json!("由住建部门出具房屋安全鉴定,鉴定后再行调解");
        let (s, _) = app.post(&t, &path, &with).await;
        assert_eq!(s, StatusCode::OK);
        let sid = b2["session"]["id"].as_i64().unwrap();
        let (s, c) = app
            .post(
                &t,
                &format!("/api/v1/cases/{other}/sessions/{sid}/cancel"),
                &json!({"reason": "当事人临时有事"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(last(&c)["reason"], "当事人临时有事");
    }
);

both!(
    the_agreement_is_signed_once_by_each_party_and_only_as_it_stands,
    |app: TestApp| async move {
        let t = app.token("mediator").await;
        let d = app.token("dispatcher").await;
        let id = in_mediation(&app, &d).await;
        let (s, e) = app
            .put(
                &t,
                &format!("/api/v1/cases/{id}/agreement"),
                &json!({"facts": "墙面开裂", "terms": []}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("terms")),
            "an agreement with no terms"
        );
        let v1 = json!({"facts": "李某建房致王某某墙面开裂", "terms": [{"text": "李某于2026年12月31日前赔偿王某某修缮费5000元", "due": "2026-12-31", "amount": 5000}]});
        let (s, a1) = app
            .put(&t, &format!("/api/v1/cases/{id}/agreement"), &v1)
            .await;
        assert_eq!(s, StatusCode::OK, "{a1}");
        assert_eq!(a1["version"], 1);
        assert!(a1["text"].as_str().unwrap().contains("王某某"));
        let sign = |party: usize, hash: &Value| json!({"party": party, "text_hash": hash});
        let path = format!("/api/v1/cases/{id}/agreement/signatures");
        let (s, _) = app.post(&t, &path, &sign(0, &a1["text_hash"])).await;
        assert_eq!(s, StatusCode::OK);

        let mut v2 = v1.clone();
        v2["terms"][0]["text"] = json!("李某于2026年12月31日前赔偿王某某修缮费6000元");
        let (_, a2) = app
            .put(&t, &format!("/api/v1/cases/{id}/agreement"), &v2)
            .await;
        assert_eq!(a2["version"], 2);
        assert_eq!(
            a2["signatures"],
            json!([]),
            "the change voids earlier signatures"
        );
        let (s, e) = app.post(&t, &path, &sign(1, &a1["text_hash"])).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("text_changed"))
        );
        let (s, _) = app.post(&t, &path, &sign(0, &a2["text_hash"])).await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = app.post(&t, &path, &sign(0, &a2["text_hash"])).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("already_signed"))
        );

        // The respondent signs online, with a code of their own and a drawn signature.
        let (s, code) = app
            .post(
                &d,
                &format!("/api/v1/cases/{id}/parties/1/access-code"),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{code}");
        let c = app.get(&t, &format!("/api/v1/cases/{id}")).await.1;
        let number = c["number"].as_str().unwrap().to_string();
        let q = format!(
            "/api/v1/public/agreement?number={number}&code={}",
            code["code"].as_str().unwrap()
        );
        let (s, seen) = read_public(&app, &q).await;
        assert_eq!(s, StatusCode::OK, "{seen}");
        assert_eq!(
            (seen["party"].as_u64(), seen["party_name"].as_str()),
            (Some(1), Some("李某"))
        );
        let png = format!("data:image/png;base64,{}", PNG_1X1);
        let body = json!({"number": number, "code": code["code"], "text_hash": seen["agreement"]["text_hash"], "signature": "data:image/gif;base64,R0lG"});
        let (s, e) = app
            .post("", "/api/v1/public/agreement/signatures", &body)
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("signature"))
        );
        let mut body = body;
        body["signature"] = json!(png);
        let (s, signed) = app
            .post("", "/api/v1/public/agreement/signatures", &body)
            .await;
        assert_eq!(s, StatusCode::OK, "{signed}");
        assert_eq!(signed["agreement"]["all_signed"], true);
        let (_, a) = app.get(&t, &format!("/api/v1/cases/{id}/agreement")).await;
        let url = a["signatures"][1]["image_url"].as_str().unwrap();
        let img = app
            .client
            .get(app.url(url))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(img.headers()["content-type"], "image/png");
        let (s, _) = app
            .post("", "/api/v1/public/agreement/signatures", &body)
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "signing twice online is refused too"
        );

        let (s, c) = app
            .act(
                &t,
                id,
                json!({"action": "reach_agreement", "summary": "赔偿6000元"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, c) = app.act(&t, id, json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert!(c["closed_at"].is_string());
    }
);

/// A 1×1 PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

async fn read_public(app: &TestApp, path: &str) -> (StatusCode, Value) {
    crate::support::read(app.client.get(app.url(path)).send().await.unwrap()).await
}

both!(
    the_clock_stops_and_stretches_only_as_the_rules_allow,
    |app: TestApp| async move {
        let d = app.token("dispatcher").await;
        let leader = app.token("leader").await;
        let id = in_mediation(&app, &d).await;
        let (_, c0) = app.get(&d, &format!("/api/v1/cases/{id}")).await;
        let (s, c) = app
            .act(
                &d,
                id,
                json!({"action": "suspend", "reason": "等待房屋安全鉴定结果"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, e) = app
            .act(&d, id, json!({"action": "suspend", "reason": "再次"}))
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_suspended"))
        );
        let (s, c) = app.act(&d, id, json!({"action": "resume"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(last(&c)["details"]["suspended_working_days"], 0);
        assert_eq!(c["deadline"], c0["deadline"], "no working day stood still");

        let (s, e) = app
            .act(&leader, id, json!({"action": "approve_extension"}))
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("no_extension_request"))
        );
        let (s, e) = app
            .act(
                &leader,
                id,
                json!({"action": "request_extension", "working_days": 5, "reason": "x"}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "a leader approves, the unit asks: {e}"
        );
        let (s, _) = app.act(&d, id, json!({"action": "request_extension", "working_days": 5, "reason": "涉及多个部门,需联合会商"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, c) = app
            .act(
                &leader,
                id,
                json!({"action": "approve_extension", "note": "同意延期5个工作日"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(last(&c)["details"]["working_days"], 5);
        let before: jiff::civil::Date = c0["deadline_date"].as_str().unwrap().parse().unwrap();
        let after: jiff::civil::Date = c["deadline_date"].as_str().unwrap().parse().unwrap();
        let cal = app.store.calendar();
        assert_eq!(
            cal.working_days_between(before, after),
            5,
            "{before} → {after}"
        );
        app.act(
            &d,
            id,
            json!({"action": "request_extension", "working_days": 3, "reason": "再延"}),
        )
        .await;
        let (s, c) = app
            .act(
                &leader,
                id,
                json!({"action": "deny_extension", "reason": "已延期一次"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(
            c["deadline_date"],
            after.to_string(),
            "a denied request changes nothing"
        );
    }
);

both!(
    follow_up_comes_due_a_month_after_closure_and_can_send_the_case_round_again,
    |app: TestApp| async move {
        let d = app.token("dispatcher").await;
        let f = app.token("followup").await;
        let id = in_mediation(&app, &d).await;
        let (s, e) = app
            .act(
                &f,
                id,
                json!({"action": "follow_up", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "no follow-up before closure: {e}");
        app.act(
            &d,
            id,
            json!({"action": "reach_agreement", "summary": "赔偿"}),
        )
        .await;
        app.agree_and_sign(&d, id).await;
        let (_, c) = app.act(&d, id, json!({"action": "close"})).await;
        let closed: jiff::Timestamp = c["closed_at"].as_str().unwrap().parse().unwrap();
        let due: jiff::Timestamp = c["follow_up_due"].as_str().unwrap().parse().unwrap();
        let days = due.duration_since(closed).as_hours() / 24;
        assert!((28..=31).contains(&days), "{days} days");
        let (s, c) = app.act(&f, id, json!({"action": "follow_up", "satisfaction": "dissatisfied", "method": "visit", "performance": "not_performed", "note": "被申请人至今未支付"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(
            (c["performance"].as_str(), c["satisfaction"].as_str()),
            (Some("not_performed"), Some("dissatisfied"))
        );
        let (s, c) = app
            .act(
                &f,
                id,
                json!({"action": "reopen", "reason": "协议未履行,当事人要求再次调处"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(
            (c["status"].as_str(), c["round"].as_u64()),
            (Some("accepted"), Some(2))
        );
        assert!(c["outcome"].is_null() && c["deadline"].is_string());
    }
);
