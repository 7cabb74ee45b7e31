//! The tamper-evident record: `concord audit verify` passes on an untouched database,
//! and names the first entry when an event is altered behind Concord's back, when an
//! entry is removed, or when the end of the chain is cut off.

use concord_store::Db;
use serde_json::json;

use crate::both;
use crate::support::{TestApp, dispute};

async fn exec(app: &TestApp, sql: &str) -> u64 {
    match app.store.db() {
        Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(p)
            .await
            .unwrap()
            .rows_affected(),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(p)
            .await
            .unwrap()
            .rows_affected(),
    }
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match app.store.db() {
        Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

fn verify(app: &TestApp, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let (ok, out, err) = app.concord(&args);
    (ok, format!("{out}{err}"))
}

fn head(out: &str) -> String {
    out.rsplit("链尾哈希:").next().unwrap().trim().to_string()
}

both!(
    audit_verify_names_what_was_altered_or_removed,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let mut ids = vec![];
        for _ in 0..3 {
            let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
            let (s, b) = app.act(&clerk, id, json!({"action": "accept"})).await;
            assert!(s.is_success(), "{b}");
            ids.push(id);
        }

        let (ok, out) = verify(&app, &[]);
        assert!(ok, "{out}");
        assert!(out.contains("审计链完好"), "{out}");
        let entries = scalar(&app, "SELECT COUNT(*) FROM audit_log").await;
        assert!(out.contains(&format!("已核对 {entries} 条记录")), "{out}");
        let noted = head(&out);
        assert_eq!(noted.len(), 64, "{out}");

        // Someone edits the middle case's acceptance in the database.
        let id = ids[1];
        let pos = scalar(
            &app,
            &format!("SELECT chain_seq FROM audit_log WHERE case_id = {id} AND event_seq = 2"),
        )
        .await;
        let original: String = match app.store.db() {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT actor_name FROM case_events WHERE case_id = {id} AND seq = 2"
            )))
            .fetch_one(p)
            .await
            .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT actor_name FROM case_events WHERE case_id = {id} AND seq = 2"
            )))
            .fetch_one(p)
            .await
            .unwrap(),
        };
        assert_eq!(
            exec(
                &app,
                &format!(
                    "UPDATE case_events SET actor_name = '某领导' WHERE case_id = {id} AND seq = 2"
                )
            )
            .await,
            1
        );
        let (ok, out) = verify(&app, &[]);
        assert!(!ok, "an altered event must fail the check: {out}");
        assert!(
            out.contains(&format!(
                "第 {pos} 条记录(案件 {id} 第 2 个事件)的内容已被改动"
            )),
            "{out}"
        );

        // Put back, the chain is whole again, and still passes through the noted head.
        exec(
            &app,
            &format!(
                "UPDATE case_events SET actor_name = '{original}' WHERE case_id = {id} AND seq = 2"
            ),
        )
        .await;
        let (ok, out) = verify(&app, &["--since", &noted]);
        assert!(ok, "{out}");

        // More work, then the newest entries are cut off the end: only the noted head shows it.
        let last = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (ok, out) = verify(&app, &[]);
        assert!(ok, "{out}");
        let later = head(&out);
        exec(
            &app,
            &format!("DELETE FROM audit_log WHERE case_id = {last}"),
        )
        .await;
        exec(
            &app,
            &format!("DELETE FROM case_events WHERE case_id = {last}"),
        )
        .await;
        let (ok, out) = verify(&app, &["--since", &later]);
        assert!(!ok, "{out}");
        assert!(out.contains("找不到此前记下的链尾哈希"), "{out}");

        // An entry removed from the middle is named by its place in the chain.
        let first = ids[0];
        let gone = scalar(
            &app,
            &format!("SELECT chain_seq FROM audit_log WHERE case_id = {first} AND event_seq = 1"),
        )
        .await;
        exec(
            &app,
            &format!("DELETE FROM audit_log WHERE chain_seq = {gone}"),
        )
        .await;
        let (ok, out) = verify(&app, &[]);
        assert!(!ok, "{out}");
        assert!(out.contains(&format!("第 {gone} 条记录缺失")), "{out}");
    }
);

both!(
    full_numbers_are_sealed_at_rest_shown_to_those_who_need_them_and_each_view_recorded,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();

        // At rest: no number in the clear.
        let raw: Vec<String> = match app.store.db() {
            Db::Sqlite(p) => {
                sqlx::query_scalar("SELECT phone FROM parties WHERE phone IS NOT NULL")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
            Db::Postgres(p) => {
                sqlx::query_scalar("SELECT phone FROM parties WHERE phone IS NOT NULL")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
        };
        assert!(!raw.is_empty());
        assert!(
            raw.iter()
                .all(|p| p.starts_with("enc1:") && !p.contains("13800138000")),
            "{raw:?}"
        );

        // Lists and the case itself: masked.
        let (_, case) = app.get(&clerk, &format!("/api/v1/cases/{id}")).await;
        let phone = case["parties"][0]["phone"].as_str().unwrap();
        assert!(
            phone.contains('*') && !phone.contains("13800138000"),
            "{phone}"
        );

        // A leader works with masked numbers; a clerk may see them in full.
        let leader = app.token("leader").await;
        let path = format!("/api/v1/cases/{id}/parties/0/reveal");
        let (s, body) = app.post(&leader, &path, &json!({})).await;
        assert_eq!(s, 403, "{body}");
        let (s, shown) = app.post(&clerk, &path, &json!({})).await;
        assert_eq!(s, 200, "{shown}");
        assert_eq!(shown["phone"], "13800138000");
        assert_eq!(shown["id_number"], "11010519491231002X");
        let (s, _) = app
            .post(
                &clerk,
                &format!("/api/v1/cases/{id}/parties/9/reveal"),
                &json!({}),
            )
            .await;
        assert_eq!(s, 404);

        // The view is on the record, and the chain holds it.
        let views = scalar(
            &app,
            &format!("SELECT COUNT(*) FROM audit_log WHERE kind = 'view' AND case_id = {id}"),
        )
        .await;
        assert_eq!(
            views, 1,
            "one view recorded (the refused one is not a view)"
        );
        let (ok, out) = verify(&app, &[]);
        assert!(ok && out.contains("其中查看个人信息 1 条"), "{out}");

        // A new encryption key: everything re-sealed under it, still readable, still matched.
        let before = std::fs::read_to_string(&app.key_file).unwrap();
        let (ok, out, err) = app.concord(&["keys", "rotate"]);
        assert!(ok, "{out}{err}");
        assert!(out.contains("重新加密"), "{out}");
        let after = std::fs::read_to_string(&app.key_file).unwrap();
        assert_eq!(
            before.lines().next(),
            after.lines().next(),
            "the matching key is kept"
        );
        assert_ne!(before.lines().nth(1), after.lines().nth(1));
        let (key, _) = concord_store::PartyKey::parse(&after).unwrap();
        let rotated = match app.store.db() {
            Db::Sqlite(p) => concord_store::Store::from_db(Db::Sqlite(p.clone()), key)
                .await
                .unwrap(),
            Db::Postgres(p) => concord_store::Store::from_db(Db::Postgres(p.clone()), key)
                .await
                .unwrap(),
        };
        let record = rotated.case(id).await.unwrap().unwrap();
        assert_eq!(
            record.case.facts.parties[0]
                .phone
                .as_ref()
                .unwrap()
                .as_str(),
            "13800138000"
        );
        let hits = rotated
            .search(
                "13800138000",
                &concord_domain::region::RegionCode::parse("r", "331125000000").unwrap(),
                10,
            )
            .await
            .unwrap();
        assert!(hits.iter().any(|c| c.case.id == id), "still found by phone");
    }
);

both!(
    closed_cases_past_retention_lose_their_personal_data_and_keep_their_figures,
    |app: TestApp| async move {
        concord_demo::load(&app.store, 150, jiff::Timestamp::now())
            .await
            .unwrap();
        crate::figures::compare(&app, "before anonymising").await;
        let old = scalar(
            &app,
            "SELECT MIN(c.id) FROM cases c JOIN parties p ON p.case_id = c.id
        WHERE c.closed_at IS NOT NULL AND p.phone IS NOT NULL
        AND c.status IN ('closed', 'followed_up', 'archived')",
        )
        .await;
        let before = app.store.case(old).await.unwrap().unwrap();
        let phone = before.case.facts.parties[0].phone.clone().unwrap();
        let county = concord_domain::region::RegionCode::parse("r", "331125000000").unwrap();
        assert!(
            app.store
                .search(phone.as_str(), &county, 100)
                .await
                .unwrap()
                .iter()
                .any(|c| c.case.id == old)
        );

        let (ok, out, err) = app.concord(&["retention", "--older-than-days", "30", "--dry-run"]);
        assert!(ok, "{out}{err}");
        let counted: u64 = out
            .split("事项:")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(counted > 0, "{out}");
        assert_eq!(
            app.store
                .case(old)
                .await
                .unwrap()
                .unwrap()
                .case
                .facts
                .parties,
            before.case.facts.parties,
            "a dry run changes nothing"
        );
        let (ok, out, err) = app.concord(&["retention", "--older-than-days", "30"]);
        assert!(ok, "{out}{err}");
        assert!(out.contains(&format!("已匿名化 {counted} 件")), "{out}");

        let after = app.store.case(old).await.unwrap().unwrap();
        for (i, p) in after.case.facts.parties.iter().enumerate() {
            assert_eq!(p.name, format!("当事人{}", i + 1));
            assert!(p.phone.is_none() && p.id_number.is_none());
        }
        assert!(after.case.facts.description.contains("匿名化"));
        assert_eq!(
            after.events.len(),
            before.events.len(),
            "the timeline stays"
        );
        assert!(
            !app.store
                .search(phone.as_str(), &county, 100)
                .await
                .unwrap()
                .iter()
                .any(|c| c.case.id == old),
            "no longer found by phone"
        );
        crate::figures::compare(&app, "after anonymising").await;
        let entries = scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'anonymise'",
        )
        .await;
        assert_eq!(entries as u64, counted);
        let (ok, out) = verify(&app, &[]);
        assert!(ok, "{out}");
        // Run again: nothing left to do.
        let (_, out, _) = app.concord(&["retention", "--older-than-days", "30"]);
        assert!(out.contains("已匿名化 0 件"), "{out}");
    }
);

both!(
    a_downgrade_to_a_lower_risk_category_needs_a_reason_and_is_reported,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let dispatcher = app.token("dispatcher").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        // Up from 邻里纠纷 to 征地拆迁: no reason needed, nothing reported.
        let (s, b) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "reclassify", "category": "land_requisition"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        // Back down: refused without a reason, naming the field.
        let (s, b) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "reclassify", "category": "neighbor"}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["field"], "reason");
        let (s, b) = app.act(&dispatcher, id, json!({"action": "reclassify", "category": "neighbor", "reason": "核实后仅涉及两户相邻通行"})).await;
        assert_eq!(s, 200, "{b}");
        let (_, alerts) = app.get(&dispatcher, "/api/v1/alerts").await;
        let found: Vec<&serde_json::Value> = alerts["items"]
            .as_array()
            .or(alerts.as_array())
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "downgrade" && a["case_id"] == id)
            .collect();
        assert_eq!(found.len(), 1, "{alerts}");
        let msg = found[0]["message"].as_str().unwrap();
        assert!(
            msg.contains("征地拆迁")
                && msg.contains("邻里纠纷")
                && msg.contains("核实后仅涉及两户相邻通行")
                && msg.contains("郑国强"),
            "{msg}"
        );
    }
);

both!(
    the_risk_level_is_judged_by_the_command_center_and_lowering_it_is_reported,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let dispatcher = app.token("dispatcher").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (s, b) = app
            .act(&clerk, id, json!({"action": "assess_risk", "level": "red"}))
            .await;
        assert_eq!(s, 403, "a clerk does not judge risk: {b}");
        let (s, b) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "assess_risk", "level": "red", "reason": "扬言聚集"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["risk_level"], "red");
        let (s, b) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "assess_risk", "level": "yellow"}),
            )
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["field"], "reason");
        let (s, b) = app.act(&dispatcher, id, json!({"action": "assess_risk", "level": "yellow", "reason": "双方已同意调解,情绪平稳"})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["risk_level"], "yellow");
        let (_, alerts) = app.get(&dispatcher, "/api/v1/alerts").await;
        let msgs: Vec<&str> = alerts["items"]
            .as_array()
            .or(alerts.as_array())
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "downgrade" && a["case_id"] == id)
            .map(|a| a["message"].as_str().unwrap())
            .collect();
        assert_eq!(msgs.len(), 1, "{alerts}");
        assert!(
            msgs[0].contains("红色") && msgs[0].contains("黄色") && msgs[0].contains("情绪平稳"),
            "{}",
            msgs[0]
        );
    }
);

both!(
    an_open_case_carries_its_escalation_risk_and_a_red_one_is_an_alert_at_once,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let quiet = app.create(&clerk, &dispute()).await;
        assert_eq!(quiet["risk"]["level"], "low", "{quiet}");
        let mut hot = dispute();
        hot["description"] = json!("拖欠工资半年,再不给钱就去北京上访,还要喝农药");
        hot["category"] = json!("labor");
        hot["complainants"] = json!(12);
        let case = app.create(&clerk, &hot).await;
        let risk = &case["risk"];
        assert_eq!(risk["level"], "red", "{case}");
        assert_eq!(risk["score"], 35 + 25 + 25 + 10);
        let reasons: Vec<&str> = risk["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("喝农药"))
                && reasons.iter().any(|r| r.contains("12人")),
            "{reasons:?}"
        );
        let dispatcher = app.token("dispatcher").await;
        let (_, alerts) = app.get(&dispatcher, "/api/v1/alerts").await;
        let id = case["id"].as_i64().unwrap();
        let high: Vec<&serde_json::Value> = alerts["items"]
            .as_array()
            .or(alerts.as_array())
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "high_risk" && a["case_id"] == id)
            .collect();
        assert_eq!(high.len(), 1, "{alerts}");
        assert_eq!(high[0]["level"], "red");
        assert!(high[0]["message"].as_str().unwrap().contains("去北京"));
        assert!(
            alerts.to_string().matches("high_risk").count() == 1,
            "the quiet case raised none"
        );
    }
);
