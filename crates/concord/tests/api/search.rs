use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

fn numbers(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect()
}

both!(
    cases_are_found_by_words_names_phone_id_and_number,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let leak = app.create(&t, &dispute()).await;
        let mut wages = dispute();
        wages["category"] = json!("labor");
        wages["description"] = json!("云和县某玩具厂拖欠十二名工人三个月工资共计八万元");
        wages["parties"] = json!([{"role": "applicant", "name": "蓝志强", "phone": "13912345678"}]);
        let wages = app.create(&t, &wages).await;
        let (leak_no, wages_no) = (
            leak["number"].as_str().unwrap(),
            wages["number"].as_str().unwrap(),
        );

        for (q, want) in [
            ("墙面开裂", leak_no),
            ("玩具厂 工资", wages_no),
            ("蓝志强", wages_no),
            ("志强", wages_no),
            ("13912345678", wages_no),
            ("11010519491231002X", leak_no),
            (leak_no, leak_no),
        ] {
            let (s, found) = app.get(&t, &format!("/api/v1/search?q={q}")).await;
            assert_eq!(s, StatusCode::OK, "{found}");
            assert_eq!(numbers(&found), vec![want.to_string()], "searching {q}");
        }
        let (_, none) = app.get(&t, "/api/v1/search?q=医疗事故").await;
        assert!(numbers(&none).is_empty());
        let (s, err) = app.get(&t, "/api/v1/search?q=").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"]["field"], "q");
    }
);

both!(
    search_stays_inside_the_searchers_region,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let grid = app.token("grid").await; // 大坪社区 only
        let mut elsewhere = dispute();
        elsewhere["region"] = json!("331125105201");
        app.create(&admin, &elsewhere).await;
        let here = app.create(&admin, &dispute()).await;
        let (_, found) = app.get(&grid, "/api/v1/search?q=墙面开裂").await;
        assert_eq!(
            numbers(&found),
            vec![here["number"].as_str().unwrap().to_string()]
        );
        let (_, all) = app.get(&admin, "/api/v1/search?q=墙面开裂").await;
        assert_eq!(numbers(&all).len(), 2);
    }
);
