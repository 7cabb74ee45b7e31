//! The figures kept per day and place agree with the figures computed from the cases one
//! by one, for every scope and period, after two years of demo history and live moves
//! (registration, the whole lifecycle, reclassification, a reopening, a merge), and
//! after a rebuild.

use crate::both;
use crate::support::{TestApp, dispute};
use concord_domain::figures::Figures;
use concord_domain::region::RegionCode;
use jiff::civil::Date;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Each mediator's record (closed with an outcome, agreements), counted from the cases.
async fn records_by_scan(app: &TestApp) -> std::collections::BTreeMap<i64, (u32, u32)> {
    let sql = "SELECT mediator, CAST(COUNT(*) AS BIGINT),
               CAST(SUM(CASE WHEN outcome IN ('agreement', 'agreement_confirmed') THEN 1 ELSE 0 END) AS BIGINT)
               FROM cases WHERE mediator IS NOT NULL AND outcome IS NOT NULL GROUP BY mediator";
    let rows: Vec<(i64, i64, i64)> = match app.store.db() {
        concord_store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        concord_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter()
        .map(|(m, c, a)| (m, (c as u32, a as u32)))
        .collect()
}

pub(crate) async fn compare(app: &TestApp, what: &str) {
    let kept: std::collections::BTreeMap<i64, (u32, u32)> = app
        .store
        .mediator_loads()
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, l)| l.closed > 0)
        .map(|(m, l)| (m, (l.closed, l.agreements)))
        .collect();
    assert_eq!(
        kept,
        records_by_scan(app).await,
        "{what}: mediators' records"
    );
    let now = jiff::Timestamp::now();
    let today = concord_domain::time::local_date(now);
    let periods = [
        (Date::constant(2020, 1, 1), today.tomorrow().unwrap()),
        (
            Date::new(today.year(), 1, 1).unwrap(),
            today.tomorrow().unwrap(),
        ),
        (
            today.checked_sub(jiff::Span::new().days(45)).unwrap(),
            today,
        ),
        // Whole months and a part-month before them (breakdowns read month rows).
        (Date::constant(2025, 3, 17), today.first_of_month()),
    ];
    for scope in [
        "330000000000",
        "331100000000",
        "331125000000",
        "331125003000",
        "331125105000",
        "331125003002",
    ] {
        let scope = RegionCode::parse("scope", scope).unwrap();
        for (from, to) in periods {
            let (kept, scanned) = kept_and_scanned(app, &scope, from, to, now).await;
            assert_eq!(
                serde_json::to_value(&kept).unwrap(),
                serde_json::to_value(&scanned).unwrap(),
                "{what}: {scope} {from}..{to}"
            );
        }
    }
}

/// The figures of a scope and period as kept, and as counted from the cases.
async fn kept_and_scanned(
    app: &TestApp,
    scope: &RegionCode,
    from: Date,
    to: Date,
    now: jiff::Timestamp,
) -> (Figures, Figures) {
    let kept = app.store.figures(scope, from, to, now).await.unwrap();
    let scanned = app
        .store
        .figures_by_scan(scope, from, to, now)
        .await
        .unwrap();
    (kept, scanned)
}

async fn ok(app: &TestApp, token: &str, id: i64, action: Value) {
    let (s, body) = app.act(token, id, action).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

both!(
    the_kept_figures_agree_with_the_cases_after_every_kind_of_move,
    |app: TestApp| async move {
        concord_demo::load(&app.store, 400, jiff::Timestamp::now())
            .await
            .unwrap();
        compare(&app, "demo history").await;
        let all = app
            .store
            .figures_by_scan(
                &RegionCode::parse("s", "331125000000").unwrap(),
                Date::constant(2020, 1, 1),
                Date::constant(2100, 1, 1),
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        assert!(
            all.counts.registered >= 400 && all.counts.resolved > 100,
            "{:?}",
            all.counts
        );

        let (clerk, disp, med, fu) = (
            app.token("clerk").await,
            app.token("dispatcher").await,
            app.token("mediator").await,
            app.token("followup").await,
        );
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        ok(&app, &clerk, id, json!({"action": "accept"})).await;
        ok(
            &app,
            &disp,
            id,
            json!({"action": "reclassify", "category": "property_mgmt", "reason": "实为物业纠纷"}),
        )
        .await;
        let room = app.org("老李帮忙团调解室").await;
        ok(&app, &disp, id, json!({"action": "assign", "lead_unit": room, "level": "county", "reason": "当事人点名"})).await;
        ok(&app, &med, id, json!({"action": "start_mediation"})).await;
        app.agree_and_sign(&med, id).await;
        ok(
            &app,
            &med,
            id,
            json!({"action": "reach_agreement", "summary": "赔偿修缮费"}),
        )
        .await;
        ok(&app, &med, id, json!({"action": "close"})).await;
        ok(
            &app,
            &fu,
            id,
            json!({"action": "follow_up", "satisfaction": "dissatisfied"}),
        )
        .await;
        compare(&app, "after a whole lifecycle").await;
        ok(
            &app,
            &disp,
            id,
            json!({"action": "reopen", "reason": "对方未履行"}),
        )
        .await;
        compare(&app, "after reopening").await;

        let a = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let b = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (s, g) = app
            .post(
                &clerk,
                &format!("/api/v1/cases/{a}/merge"),
                &json!({"cases": [b], "reason": "同一纠纷"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{g}");
        compare(&app, "after a merge").await;

        // Open and overdue as the time passes a deadline: kept by the day of the deadline,
        // the cases due today counted against the time.
        let c = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        ok(&app, &clerk, c, json!({"action": "accept"})).await;
        let case = app.store.case(c).await.unwrap().unwrap().case;
        let deadline = case.deadline.expect("accepting sets the deadline");
        let county = RegionCode::parse("s", "331125000000").unwrap();
        let mut seen = Vec::new();
        for minutes in [-24 * 60 - 1, -1, 0, 1, 24 * 60 + 1] {
            let now = deadline + jiff::SignedDuration::from_mins(minutes);
            let day = concord_domain::time::local_date(now);
            let (from, to) = (day, day.tomorrow().unwrap());
            for scope in [county, case.facts.region] {
                let (kept, scanned) = kept_and_scanned(&app, &scope, from, to, now).await;
                assert_eq!(
                    (kept.open_now, kept.overdue_now),
                    (scanned.open_now, scanned.overdue_now),
                    "{scope} at {now} ({minutes} minutes from the deadline)"
                );
            }
            let own = app
                .store
                .figures(&case.facts.region, from, to, now)
                .await
                .unwrap();
            seen.push(own.overdue_now);
        }
        assert!(
            seen[1] < seen[3] && seen[2] == seen[3],
            "the case is overdue from its deadline on: {seen:?}"
        );

        app.store.rebuild_figures().await.unwrap();
        compare(&app, "after a rebuild").await;
    }
);

both!(
    a_category_rising_in_a_township_is_a_surge_and_an_early_warning_once,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let leader = app.token("leader").await;
        let (s, none) = app.get(&leader, "/api/v1/surges").await;
        assert_eq!(s, StatusCode::OK, "{none}");
        assert_eq!(none["items"], serde_json::json!([]));
        for _ in 0..4 {
            app.create(&clerk, &crate::support::dispute()).await;
        }
        let (_, found) = app.get(&leader, "/api/v1/surges").await;
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{found}");
        let f = &items[0];
        assert_eq!(f["region"], "331125003000");
        assert_eq!(f["category"], "neighbor");
        assert_eq!(f["observed"], 4);
        assert_eq!(f["expected"], 0.0);
        assert_eq!(f["level"], "orange");
        let msg = f["message"].as_str().unwrap();
        assert!(
            msg.contains("白龙山街道") && msg.contains("近7天4件"),
            "{msg}"
        );
        let (s, _) = app.get(&leader, "/api/v1/surges?region=331100000000").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a city is too wide");

        let county = RegionCode::parse("r", "331125000000").unwrap();
        let now = jiff::Timestamp::now();
        assert_eq!(app.store.raise_surge_alerts(&county, now).await.unwrap(), 1);
        assert_eq!(
            app.store.raise_surge_alerts(&county, now).await.unwrap(),
            0,
            "once a week"
        );
        let (_, alerts) = app.get(&leader, "/api/v1/alerts").await;
        assert!(alerts.to_string().contains("\"surge\""), "{alerts}");
    }
);
