//! Screening (排查): a leader plans monthly visits for a township, the grid worker records
//! rounds with what they found (on time, late, never), reports a finding as a case, and
//! the ledger and its tally say it all, as JSON and as .xlsx.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::reports::{cells, fetch};
use crate::support::TestApp;

fn today() -> jiff::civil::Date {
    concord_domain::time::local_date(jiff::Timestamp::now())
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let admin = app.token("admin").await;
    let (s, users) = app.get(&admin, "/api/v1/users").await;
    assert_eq!(s, StatusCode::OK, "{users}");
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_i64())
        .expect("a demo user")
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both!(
    a_grid_worker_screens_on_schedule_and_a_finding_becomes_a_case,
    |app: TestApp| async move {
        let (leader, grid, clerk, disp) = (
            app.token("leader").await,
            app.token("grid").await,
            app.token("clerk").await,
            app.token("dispatcher").await,
        );
        let grid_id = user_id(&app, "grid").await;
        let today = today();
        let this_month = today.first_of_month();
        let two_back = this_month.checked_sub(jiff::Span::new().months(2)).unwrap();
        let last_month = this_month.checked_sub(jiff::Span::new().months(1)).unwrap();
        let label = |d: jiff::civil::Date| format!("{}-{:02}", d.year(), d.month());

        let plan = json!({"region": "331125003000", "cadence": "monthly", "focus": "households",
            "title": "白龙山街道每月入户走访", "assignee": grid_id, "starts_on": two_back.to_string()});
        let (s, body) = app.post(&clerk, "/api/v1/screening/schedules", &plan).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a clerk does not plan: {body}");
        let (s, body) = app
            .post(
                &leader,
                "/api/v1/screening/schedules",
                &json!({"region": "331125999000", "cadence": "yearly", "focus": "households", "title": " "}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            body["error"]["field"], "cadence",
            "an unknown cadence is named"
        );
        let (s, body) = app
            .post(
                &leader,
                "/api/v1/screening/schedules",
                &json!({"region": "331125999000", "cadence": "monthly", "focus": "households", "title": " "}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), [("title".into(), "required".into())]);
        let (s, sch) = app
            .post(&leader, "/api/v1/screening/schedules", &plan)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{sch}");
        let id = sch["id"].as_i64().unwrap();
        assert_eq!(sch["assignee_name"], "蓝美玲");
        assert_eq!(sch["current"]["state"], "due", "{sch}");
        assert_eq!(sch["current"]["period"], label(this_month));
        assert_eq!(sch["missed"], 2, "two months gone unscreened: {sch}");

        // The grid worker (in one village of the township) sees the schedule she screens.
        let (s, mine) = app
            .get(&grid, &format!("/api/v1/screening/schedules/{id}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{mine}");

        let round = json!({"held_on": today.to_string(), "visited": 36, "notes": "入户走访36户",
        "findings": [
            {"region": "331125003002", "category": "neighbor", "description": "两户因排水沟堵塞争吵", "who": "村民张某与李某", "outcome": "resolved"},
            {"region": "331125003002", "category": "labor", "description": "工地拖欠十二名工人工资近三个月", "who": "务工人员王某等12人", "outcome": "to_report"},
            {"category": "marriage_family", "description": "一户夫妻长期争吵,有离家苗头", "outcome": "watch"}
        ]});
        let bad = json!({"held_on": today.tomorrow().unwrap().to_string(),
            "findings": [{"region": "331125004001", "category": "neighbor", "description": "x", "outcome": "resolved"}]});
        let path = format!("/api/v1/screening/schedules/{id}/rounds");
        let (s, body) = app.post(&grid, &path, &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            fields(&body),
            [
                ("held_on".into(), "in_future".into()),
                ("findings[0].region".into(), "outside_schedule".into())
            ]
        );
        let (s, body) = app.post(&clerk, &path, &round).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a clerk does not screen: {body}");
        let (s, rec) = app.post(&grid, &path, &round).await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        assert_eq!(rec["round"]["period"], label(this_month));
        assert_eq!(rec["findings"].as_array().unwrap().len(), 3);
        assert_eq!(
            rec["findings"][2]["region_name"], "白龙山街道",
            "defaults to the schedule's place"
        );
        let (s, body) = app.post(&grid, &path, &round).await;
        assert_eq!(s, StatusCode::CONFLICT, "a month is screened once: {body}");
        // Last month filled in late (补录).
        let late =
            json!({"held_on": today.to_string(), "period": label(last_month), "visited": 20});
        let (s, body) = app.post(&grid, &path, &late).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        let (_, sch) = app
            .get(&grid, &format!("/api/v1/screening/schedules/{id}"))
            .await;
        let states: Vec<&str> = sch["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["state"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["done", "late", "missed"], "current first: {sch}");
        assert_eq!(sch["missed"], 1);

        // The unsettled wage dispute goes up as a case, once.
        let wages = rec["findings"][1]["id"].as_i64().unwrap();
        let report = json!({"parties": [
            {"role": "applicant", "name": "王大勇", "phone": "13800001111"},
            {"role": "respondent", "kind": "organization", "name": "云和县某建筑公司"}],
            "complainants": 12});
        let rpath = format!("/api/v1/screening/findings/{wages}/case");
        let (s, body) = app.post(&grid, &rpath, &json!({"parties": []})).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parties needed: {body}"
        );
        let (s, made) = app.post(&grid, &rpath, &report).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let number = made["number"].as_str().unwrap().to_string();
        let (s, case) = app
            .get(&disp, &format!("/api/v1/cases/{}", made["case_id"]))
            .await;
        assert_eq!(s, StatusCode::OK, "{case}");
        assert_eq!(case["channel"], "grid_worker", "{case}");
        assert_eq!(case["source"], "screening");
        assert_eq!(case["category"], "labor");
        let (s, body) = app.post(&disp, &rpath, &report).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(&number));

        // The ledger and its tally, for the schedule's whole span.
        let q = format!("region=331125003000&from={two_back}&to={today}");
        let (s, ledger) = app
            .get(&leader, &format!("/api/v1/screening/findings?{q}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{ledger}");
        let t = &ledger["tally"];
        assert_eq!(t["counts"]["findings"], 3, "{ledger}");
        assert_eq!(t["counts"]["resolved"], 1);
        assert_eq!(t["counts"]["watch"], 1);
        assert_eq!(t["counts"]["reported"], 1);
        assert_eq!(t["counts"]["to_report"], 0);
        assert_eq!(
            t["on_site_rate"], 0.5,
            "one of two disputes settled on the spot"
        );
        assert_eq!(
            (
                &t["counts"]["expected"],
                &t["counts"]["late"],
                &t["counts"]["missed"]
            ),
            (&json!(2), &json!(1), &json!(1)),
            "two months ended: one filled late, one missed: {ledger}"
        );
        let reported = ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == wages)
            .unwrap();
        assert_eq!(reported["case_number"], number.as_str());
        assert!(
            reported["outcome_label"]
                .as_str()
                .unwrap()
                .starts_with("已上报立案")
        );

        let (s, mime, bytes) = fetch(
            &app,
            &leader,
            &format!("/api/v1/screening/findings?{q}&format=xlsx"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(mime.contains("spreadsheetml"), "{mime}");
        let rows = cells(&bytes);
        assert_eq!(rows.len(), 4, "a header and three findings: {rows:?}");
        assert_eq!(rows[0][0], "序号");
        assert!(rows.iter().any(|r| r.contains(&number)), "{rows:?}");
        let (s, body) = app
            .get(
                &leader,
                &format!("/api/v1/screening/findings?{q}&format=pdf"),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body)[0].0, "format");

        // The command line says the same and writes the same ledger.
        let dir = std::env::temp_dir().join(format!("screening-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!("ledger-{}.xlsx", app.store.backend()));
        let _ = std::fs::remove_file(&out);
        let (from, to) = (two_back.to_string(), today.to_string());
        let args = [
            "report",
            "screening",
            "--region",
            "331125003000",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            out.to_str().unwrap(),
        ];
        let (okay, said, err) = app.concord(&args);
        assert!(okay, "{err}");
        assert!(said.contains("上报立案1件"), "{said}");
        assert!(said.contains("现场化解率50.0%"), "{said}");
        assert_eq!(cells(&std::fs::read(&out).unwrap()).len(), 4);
        let (okay, _, err) = app.concord(&args);
        assert!(!okay && err.contains("已存在"), "never overwritten: {err}");
        std::fs::remove_file(&out).unwrap();
    }
);
