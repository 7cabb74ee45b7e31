//! Figures with their breakdowns, the ledger (.xlsx), the monthly risk assessment (PDF,
//! kept, listed, by the API and the command line), and the assessment and payout sheets,
//! on known histories.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::documents::pdf_text;
use crate::support::{TestApp, dispute};

/// A file from the API: (status, content type, bytes).
pub(crate) async fn fetch(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let mime = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, mime, r.bytes().await.unwrap().to_vec())
}

/// The first sheet of a workbook, as text cells.
pub(crate) fn cells(xlsx: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.to_vec())).expect("an .xlsx workbook");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn ok(app: &TestApp, token: &str, id: i64, action: Value) {
    let (s, body) = app.act(token, id, action).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

fn today() -> String {
    concord_domain::time::local_date(jiff::Timestamp::now()).to_string()
}

both!(
    the_figures_break_down_by_channel_unit_and_mediator_with_the_time_to_close,
    |app: TestApp| async move {
        let (clerk, disp, med, leader) = (
            app.token("clerk").await,
            app.token("dispatcher").await,
            app.token("mediator").await,
            app.token("leader").await,
        );
        let room = app.org("老李帮忙团调解室").await;
        let li = app.mediator("李建华").await;
        let closed = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        ok(&app, &clerk, closed, json!({"action": "accept"})).await;
        ok(&app, &disp, closed, json!({"action": "assign", "lead_unit": room, "mediator": li, "level": "county", "reason": "当事人点名"})).await;
        ok(&app, &med, closed, json!({"action": "start_mediation"})).await;
        app.agree_and_sign(&med, closed).await;
        ok(
            &app,
            &med,
            closed,
            json!({"action": "reach_agreement", "summary": "赔偿修缮费"}),
        )
        .await;
        ok(&app, &med, closed, json!({"action": "close"})).await;
        let mut online = dispute();
        online["channel"] = json!("online");
        app.create(&clerk, &online).await;

        let d = today();
        let path = format!("/api/v1/figures?region=331125003002&from={d}&to={d}");
        let (s, f) = app.get(&leader, &path).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["region_name"], "大坪社区", "{f}");
        assert_eq!(f["counts"]["registered"], 2);
        assert_eq!(f["counts"]["closed"], 1);
        assert_eq!(f["counts"]["resolved"], 1);
        assert_eq!(f["rates"]["success_rate"], 1.0);
        assert_eq!(
            f["rates"]["average_work_days"], 0.0,
            "accepted and closed today"
        );
        let channels: Vec<(String, u64, u64)> = f["by_channel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["name"].as_str().unwrap().to_string(),
                    l["counts"]["registered"].as_u64().unwrap(),
                    l["counts"]["closed"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            channels,
            [
                ("窗口受理".to_string(), 1, 1),
                ("网上申请".to_string(), 1, 0)
            ],
            "the busiest first: {f}"
        );
        let unit = &f["by_unit"][0];
        assert_eq!(unit["name"], "老李帮忙团调解室", "{f}");
        assert_eq!(unit["counts"]["closed"], 1);
        assert_eq!(unit["on_time_rate"], 1.0);
        assert_eq!(f["by_mediator"][0]["name"], "李建华", "{f}");
        assert_eq!(f["by_mediator"][0]["key"], li.to_string());

        // The same through the command line.
        let (okay, out, err) = app.concord(&[
            "report",
            "figures",
            "--region",
            "331125003002",
            "--from",
            &d,
            "--to",
            &d,
        ]);
        assert!(okay, "{err}");
        assert!(
            out.contains("大坪社区") && out.contains("老李帮忙团调解室 / 1 / 1"),
            "{out}"
        );

        let (s, e) = app.get(&leader, "/api/v1/figures?from=2026-13-01").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "from");
        let (s, _) = app
            .get(&leader, "/api/v1/figures?from=2026-11-30&to=2026-11-01")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, e) = app
            .get(&leader, "/api/v1/figures?region=110000000000")
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    }
);

both!(
    the_ledger_holds_every_case_the_filter_selects_and_nothing_else,
    |app: TestApp| async move {
        concord_demo::load(&app.store, 300, jiff::Timestamp::now())
            .await
            .unwrap();
        let leader = app.token("leader").await;
        // The list, page by page, is what the ledger must hold.
        let mut listed = Vec::new();
        let mut cursor = String::new();
        loop {
            let (s, page) = app
                .get(
                    &leader,
                    &format!("/api/v1/cases?region=331125003000&status=archived&limit=200{cursor}"),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{page}");
            for c in page["items"].as_array().unwrap() {
                listed.push(c["number"].as_str().unwrap().to_string());
            }
            match page["next_cursor"].as_str() {
                Some(n) => cursor = format!("&cursor={n}"),
                None => break,
            }
        }
        assert!(!listed.is_empty());
        let (s, mime, bytes) = fetch(
            &app,
            &leader,
            "/api/v1/reports/ledger?region=331125003000&status=archived",
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(mime.contains("spreadsheetml"), "{mime}");
        let rows = cells(&bytes);
        assert_eq!(rows[0][0], "案件编号");
        assert_eq!(rows[0][9], "状态");
        let numbers: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(numbers, listed);
        assert!(rows[1..].iter().all(|r| r[9] == "已归档"), "{:?}", rows[1]);

        let (s, _, body) = fetch(&app, &leader, "/api/v1/reports/ledger?status=done").await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            String::from_utf8_lossy(&body)
        );
        let (s, _, _) = fetch(&app, &leader, "/api/v1/reports/ledger?region=110000000000").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // From the command line, to a new file only.
        let out =
            std::env::temp_dir().join(format!("concord_ledger_{}.xlsx", rand::random::<u64>()));
        let file = out.to_str().unwrap();
        let (okay, said, err) = app.concord(&[
            "report",
            "ledger",
            "--region",
            "331125003000",
            "--status",
            "archived",
            "--out",
            file,
        ]);
        assert!(okay, "{err}");
        assert!(said.contains(&format!("{} 件", listed.len())), "{said}");
        assert_eq!(cells(&std::fs::read(&out).unwrap()).len(), listed.len() + 1);
        let (okay, _, err) = app.concord(&["report", "ledger", "--out", file]);
        assert!(!okay && err.contains("已存在"), "never overwritten: {err}");
        let _ = std::fs::remove_file(out);
    }
);

both!(
    the_monthly_risk_report_is_written_kept_and_read_back,
    |app: TestApp| async move {
        concord_demo::load(&app.store, 300, jiff::Timestamp::now())
            .await
            .unwrap();
        let (leader, clerk) = (app.token("leader").await, app.token("clerk").await);
        let today = concord_domain::time::local_date(jiff::Timestamp::now());
        let last = today.first_of_month().yesterday().unwrap();
        let month = format!("{:04}-{:02}", last.year(), last.month());
        let (s, f) = app
            .get(
                &leader,
                &format!("/api/v1/figures?from={}&to={last}", last.first_of_month()),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let registered = f["counts"]["registered"].as_u64().unwrap();

        let (s, r) = app
            .post(&leader, "/api/v1/reports", &json!({"month": month}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["region"], "331125000000");
        let (s, list) = app.get(&leader, "/api/v1/reports").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list[0]["id"], r["id"], "{list}");
        let (s, mime, pdf) = fetch(&app, &leader, r["href"].as_str().unwrap()).await;
        assert_eq!((s, mime.as_str()), (StatusCode::OK, "application/pdf"));
        let text = pdf_text(&pdf);
        assert!(text.contains("矛盾纠纷风险研判报告"), "{text}");
        assert!(
            text.contains(&format!("本月云和县共登记矛盾纠纷{registered}件")),
            "{text}"
        );
        for part in [
            "二、发展趋势",
            "热点村(社区)",
            "牵头单位(前十)",
            "八、研判意见",
            "云和县矛盾纠纷调处化解中心",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        // Again for the same month: replaced, not doubled.
        let (s, again) = app
            .post(&leader, "/api/v1/reports", &json!({"month": month}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, list) = app.get(&leader, "/api/v1/reports").await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["id"], again["id"]);

        // The server's schedule writes last month's once.
        let region = concord_domain::region::RegionCode::parse("r", "331125000000").unwrap();
        app.store
            .save_report(
                "risk_monthly",
                &region,
                "1999-01",
                "x",
                "t",
                vec![1],
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        let written =
            concord_web::reports::monthly::write_due(&app.store, &region, jiff::Timestamp::now())
                .await
                .unwrap();
        assert_eq!(written, None, "{month} is kept already");

        let (s, e) = app
            .post(&clerk, "/api/v1/reports", &json!({"month": month}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        for bad in ["2026-13", "2099-01", "11月"] {
            let (s, e) = app
                .post(&leader, "/api/v1/reports", &json!({"month": bad}))
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
            assert_eq!(e["error"]["field"], "month");
        }
        let (s, _, _) = fetch(&app, &leader, "/api/v1/reports/999999").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // From the command line.
        let out = std::env::temp_dir().join(format!("concord_risk_{}.pdf", rand::random::<u64>()));
        let (okay, said, err) = app.concord(&[
            "report",
            "risk",
            "--region",
            "331125003000",
            "--month",
            &month,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(okay, "{err}");
        assert!(said.contains("白龙山街道"), "{said}");
        assert!(pdf_text(&std::fs::read(&out).unwrap()).contains("白龙山街道"));
        let _ = std::fs::remove_file(out);
    }
);

both!(
    the_assessment_and_the_payout_export_as_spreadsheets,
    |app: TestApp| async move {
        concord_demo::load(&app.store, 300, jiff::Timestamp::now())
            .await
            .unwrap();
        let leader = app.token("leader").await;
        let year = concord_domain::time::local_date(jiff::Timestamp::now()).year();
        let (s, lines) = app
            .get(&leader, &format!("/api/v1/assessments?period={year}H2"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, mime, bytes) = fetch(
            &app,
            &leader,
            &format!("/api/v1/assessments?period={year}H2&format=xlsx"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(mime.contains("spreadsheetml"));
        let rows = cells(&bytes);
        assert_eq!(rows[0][0], "调解员");
        assert_eq!(rows.len(), lines.as_array().unwrap().len() + 1);
        assert_eq!(rows[1][0], lines[0]["name"].as_str().unwrap());

        let admin = app.token("admin").await;
        let (s, r) = app
            .put(
                &admin,
                "/api/v1/subsidies/rates",
                &json!({"neighbor": 200.0}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (s, payout) = app.get(&leader, "/api/v1/subsidies/payout").await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, bytes) = fetch(&app, &leader, "/api/v1/subsidies/payout?format=xlsx").await;
        assert_eq!(s, StatusCode::OK);
        let rows = cells(&bytes);
        assert_eq!(
            rows[0],
            ["调解员", "案件类型", "成功件数", "标准(元/件)", "金额(元)"]
        );
        let totals: f64 = rows
            .iter()
            .filter(|r| r[1] == "合计")
            .map(|r| r[4].parse::<f64>().unwrap())
            .sum();
        let expected: f64 = payout
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["total"].as_f64().unwrap())
            .sum();
        assert!(expected > 0.0, "{payout}");
        assert!((totals - expected).abs() < 0.01, "{totals} vs {expected}");

        let (s, e) = app
            .get(&leader, "/api/v1/subsidies/payout?format=pdf")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "format");
    }
);
