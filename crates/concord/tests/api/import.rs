//! `concord import`, run as a user runs it, on SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use concord_store::CaseFilter;

use crate::both;
use crate::support::TestApp;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "concord_import_{}_{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const HOTLINE_CSV: &str = "工单编号,来电时间,来电人,来电号码,诉求内容,区划代码,类别,被申请人
GD0001,2026-11-20 09:15,张某,13511112222,小区楼上住户装修噪音扰民晚上十点还在施工,331125003002,邻里纠纷,楼上住户
GD0002,2026-11-20 10:02,李某,13511113333,某建筑公司拖欠我们班组六名工人工资共计四万元,331125105201,,某建筑公司
GD0003,2026-11-20 11:40,王某,13511114444,邻居养狗不拴绳咬伤我家孩子,331125999999,,邻居
GD0004,2026-11-21 08:30,赵某,1351111,物业公司停车费涨价,331125003002,物业纠纷,物业公司
GD0005,2026-11-21 09:00,钱某,13511115555,,331125003002,,
";

async fn cases(app: &TestApp) -> Vec<concord_domain::case::Case> {
    let f = CaseFilter {
        limit: 200,
        ..Default::default()
    };
    let page = app
        .store
        .list_cases(&f, jiff::Timestamp::now())
        .await
        .unwrap();
    page.items.into_iter().map(|s| s.case).collect()
}

fn errors_of(file: &Path) -> String {
    let mut name = file.file_name().unwrap().to_os_string();
    name.push(".errors.csv");
    std::fs::read_to_string(file.with_file_name(name)).unwrap_or_default()
}

both!(
    hotline_work_orders_import_once_and_bad_rows_are_reported_by_row_and_column,
    |app: TestApp| async move {
        let file = temp("hotline.csv");
        std::fs::write(&file, HOTLINE_CSV).unwrap();
        let (ok, out, err) = app.concord(&["import", file.to_str().unwrap()]);
        assert!(ok, "{out}{err}");
        assert!(
            out.contains("读取5行,新增2件,已导入过而跳过0行,有误跳过3行"),
            "{out}"
        );
        let report = errors_of(&file);
        assert!(
            report.contains("4,region,"),
            "the unknown region, row 4: {report}"
        );
        assert!(
            report.contains("5,parties[0].phone,"),
            "the bad phone, row 5: {report}"
        );
        assert!(
            report.contains("6,description,"),
            "the empty description, row 6: {report}"
        );

        let got = cases(&app).await;
        assert_eq!(got.len(), 2);
        let wages = got
            .iter()
            .find(|c| c.facts.intake.external_ref.as_deref() == Some("GD0002"))
            .unwrap();
        assert_eq!(
            wages.facts.category.as_str(),
            "labor",
            "no category given: the classifier's"
        );
        assert!(!wages.category_confirmed);
        assert_eq!(wages.facts.channel.as_str(), "hotline");
        assert_eq!(wages.facts.intake.source.as_deref(), Some("12345"));
        assert_eq!(
            concord_domain::time::local_date(wages.registered_at).to_string(),
            "2026-11-20"
        );

        let (ok, out, _) = app.concord(&["import", file.to_str().unwrap()]);
        assert!(ok);
        assert!(
            out.contains("新增0件,已导入过而跳过2行"),
            "importing again adds nothing: {out}"
        );
        assert_eq!(cases(&app).await.len(), 2);
    }
);

both!(
    excel_and_json_lines_import_and_a_file_that_is_not_what_it_claims_is_refused,
    |app: TestApp| async move {
        let xlsx = temp("orders.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["工单编号", "申请人", "诉求内容", "区划代码", "金额"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "X-1").unwrap();
        sheet.write_string(1, 1, "周某").unwrap();
        sheet
            .write_string(1, 2, "网购的电动车电池鼓包,商家拒绝退货")
            .unwrap();
        sheet.write_string(1, 3, "331125003002").unwrap();
        sheet.write_number(1, 4, 2399.0).unwrap();
        book.save(&xlsx).unwrap();
        let (ok, out, err) = app.concord(&[
            "import",
            xlsx.to_str().unwrap(),
            "--source",
            "市长信箱",
            "--channel",
            "online",
        ]);
        assert!(ok, "{out}{err}");
        assert!(out.contains("新增1件"), "{out}");

        let jsonl = temp("orders.jsonl");
        std::fs::write(&jsonl, concat!(
            "{\"external_ref\": \"J-1\", \"applicant_name\": \"吴某\", \"description\": \"承包的茶园被邻村村民强占\", \"region\": \"331125105201\", \"ignored\": 1}\n",
            "not json\n",
            "\n",
            "{\"external_ref\": \"J-2\", \"applicant_name\": \"郑某\", \"description\": \"离婚后对方拒付抚养费\", \"region\": \"331125105201\", \"kind\": \"信访\"}\n",
        )).unwrap();
        let (ok, out, err) = app.concord(&["import", jsonl.to_str().unwrap()]);
        assert!(ok, "{out}{err}");
        assert!(
            out.contains("新增2件") && out.contains("有误跳过1行"),
            "{out}"
        );
        assert!(
            errors_of(&jsonl).contains("2,row,不是有效的JSON对象"),
            "{}",
            errors_of(&jsonl)
        );
        let got = cases(&app).await;
        let teapot = got
            .iter()
            .find(|c| c.facts.intake.external_ref.as_deref() == Some("X-1"))
            .unwrap();
        assert_eq!(teapot.facts.amount_fen, Some(239_900));
        assert_eq!(teapot.facts.channel.as_str(), "online");
        assert!(got.iter().any(|c| c.facts.kind.as_str() == "petition"));

        let fake = temp("fake.xlsx");
        std::fs::write(&fake, HOTLINE_CSV).unwrap();
        let (ok, _, err) = app.concord(&["import", fake.to_str().unwrap()]);
        assert!(!ok);
        assert!(err.contains("不是有效的 Excel"), "{err}");
        let headless = temp("headless.csv");
        std::fs::write(&headless, "编号,内容\n1,无\n").unwrap();
        let (ok, _, err) = app.concord(&["import", headless.to_str().unwrap()]);
        assert!(!ok);
        assert!(err.contains("缺少必需的列"), "{err}");
        assert_eq!(cases(&app).await.len(), 3, "nothing half-written");
    }
);

const HISTORY_CSV: &str = "工单编号,登记时间,申请人,诉求内容,区划代码,类别,被申请人,办理状态,办理结果,办结时间,满意度,承办单位,办理说明
LS001,2026-06-01 09:00,周某,邻居建房占用通道发生争执,331125003002,邻里纠纷,吴某,已办结,调解成功,2026-06-10 16:00,满意,,吴某拆除占道围墙,双方和好
LS002,2026-06-02 10:00,郑某,工地拖欠工资两万元,331125003002,劳动争议,某工程队,已办结,引导诉讼,2026-06-20 10:00,,,双方分歧较大
LS003,2026-06-03 10:00,冯某,要求村里加快宅基地审批,331125003002,房屋宅基地,,不予受理,,2026-06-03 15:00,,,属行政审批事项
LS004,2026-06-04 10:00,陈某,楼上住户深夜噪音,331125003002,邻里纠纷,楼上住户,调解中,,,,老李帮忙团调解室,
LS005,2026-06-05 10:00,褚某,商店拒绝退换变质商品,331125003002,消费纠纷,某商店,已办结,,2026-06-06 10:00,,,
LS006,2026-06-06 10:00,卫某,邻居堆放杂物占道,331125003002,邻里纠纷,某某,调解中,,,,不存在的单位,
LS007,2026-06-07 10:00,蒋某,邻居漏水,331125003002,邻里纠纷,某某,已受理,,,满意,,
";

both!(
    historical_cases_import_where_their_ledger_left_them,
    |app: TestApp| async move {
        let file = temp("history.csv");
        std::fs::write(&file, HISTORY_CSV).unwrap();
        let (ok, out, err) = app.concord(&["import", file.to_str().unwrap(), "--source", "旧台账"]);
        assert!(ok, "{out}{err}");
        assert!(
            out.contains("读取7行,新增4件,已导入过而跳过0行,有误跳过3行"),
            "{out}"
        );
        let report = errors_of(&file);
        assert!(
            report.contains("6,outcome,"),
            "closed without an outcome: {report}"
        );
        assert!(report.contains("7,lead_unit,"), "an unknown unit: {report}");
        assert!(
            report.contains("8,satisfaction,"),
            "satisfied but not closed: {report}"
        );

        let got = cases(&app).await;
        let by = |r: &str| {
            got.iter()
                .find(|c| c.facts.intake.external_ref.as_deref() == Some(r))
                .unwrap_or_else(|| panic!("{r} imported"))
                .clone()
        };
        use concord_domain::case::{Outcome, Status};
        let agreed = by("LS001");
        assert_eq!(agreed.status, Status::FollowedUp);
        assert_eq!(agreed.outcome, Some(Outcome::Agreement));
        assert_eq!(
            agreed.closed_at.map(|t| t.to_string()),
            Some("2026-06-10T08:00:00Z".into())
        );
        assert!(
            agreed.lead_unit.is_some(),
            "routed to the village committee"
        );
        let referred = by("LS002");
        assert_eq!(referred.status, Status::Closed);
        assert_eq!(referred.outcome, Some(Outcome::ReferredLitigation));
        assert_eq!(by("LS003").status, Status::Rejected);
        let open = by("LS004");
        assert_eq!(open.status, Status::InMediation);
        assert_eq!(open.lead_unit, Some(app.org("老李帮忙团调解室").await));

        // The agreement the ledger records, signed, on the case.
        let token = app.token("dispatcher").await;
        let (s, agreement) = app
            .get(&token, &format!("/api/v1/cases/{}/agreement", agreed.id))
            .await;
        assert_eq!(s, reqwest::StatusCode::OK, "{agreement}");
        assert!(
            agreement.to_string().contains("吴某拆除占道围墙"),
            "{agreement}"
        );

        // The figures count them in June, as they happened.
        let leader = app.token("leader").await;
        let (_, f) = app
            .get(
                &leader,
                "/api/v1/figures?region=331125003002&from=2026-06-01&to=2026-06-30",
            )
            .await;
        let c = &f["counts"];
        assert_eq!(
            (&c["registered"], &c["closed"], &c["resolved"]),
            (
                &serde_json::json!(4),
                &serde_json::json!(2),
                &serde_json::json!(1)
            ),
            "{f}"
        );

        let (ok, out, _) = app.concord(&["import", file.to_str().unwrap(), "--source", "旧台账"]);
        assert!(ok && out.contains("新增0件,已导入过而跳过4行"), "{out}");
    }
);

both!(
    a_work_order_repeated_in_the_next_batch_is_imported_once_and_the_chain_is_sealed,
    |app: TestApp| async move {
        // With two rows a batch, the repeats fall in the batch checked while the one
        // before it is still being stored.
        let file = temp("repeats.csv");
        std::fs::write(
            &file,
            "工单编号,来电人,来电号码,诉求内容,区划代码
GD1,张某,13511112222,小区楼上住户装修噪音扰民,331125003002
GD2,李某,13511113333,某建筑公司拖欠工人工资,331125105201
GD2,李某,13511113333,某建筑公司拖欠工人工资,331125105201
GD3,王某,13511114444,邻居养狗不拴绳咬伤孩子,331125003002
GD1,张某,13511112222,小区楼上住户装修噪音扰民,331125003002
GD4,赵某,13511115555,物业公司停车费涨价,331125003002
",
        )
        .unwrap();
        let (ok, out, err) = app.concord(&["import", file.to_str().unwrap(), "--batch", "2"]);
        assert!(ok, "{out}{err}");
        assert!(
            out.contains("读取6行,新增4件,已导入过而跳过2行,有误跳过0行"),
            "{out}"
        );
        let mut refs: Vec<String> = cases(&app)
            .await
            .into_iter()
            .filter_map(|c| c.facts.intake.external_ref)
            .collect();
        refs.sort();
        assert_eq!(refs, ["GD1", "GD2", "GD3", "GD4"]);
        // Sealed by the import itself: a check afterwards has nothing left to seal.
        let report = app.store.verify_audit(None).await.unwrap();
        assert_eq!(report.sealed_now, 0, "the import left entries unsealed");
        assert!(report.problem.is_none());
        assert!(report.entries >= 4);
    }
);
