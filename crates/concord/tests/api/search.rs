use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// Registers `n` cases of `body`; their numbers, newest first.
async fn register(app: &TestApp, token: &str, body: &Value, n: usize) -> Vec<String> {
    let mut made = Vec::new();
    for _ in 0..n {
        let case = app.create(token, body).await;
        made.push(case["number"].as_str().unwrap().to_string());
    }
    made.reverse();
    made
}

/// The app's database opened again, with its key: the migrations run.
async fn reopened(app: &TestApp) -> concord_store::Store {
    let key = std::fs::read_to_string(&app.key_file).unwrap();
    let (key, _) = concord_store::PartyKey::parse(&key).unwrap();
    concord_store::Store::open(&app.url, key)
        .await
        .expect("migrates")
}

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
        // The village's older case far behind its newer one (past the stretches walked,
        // where the words alone ask for the rest of the place).
        let mut here = register(&app, &admin, &dispute(), 1).await;
        skip_case_ids(&app, 2_000_000).await;
        app.create(&admin, &elsewhere).await;
        here.splice(0..0, register(&app, &admin, &dispute(), 1).await);
        let (_, found) = app.get(&grid, "/api/v1/search?q=墙面开裂").await;
        assert_eq!(numbers(&found), here, "the village's own, newest first");
        let (_, all) = app.get(&admin, "/api/v1/search?q=墙面开裂").await;
        assert_eq!(numbers(&all).len(), 3);
    }
);

/// Case ids and numbers far apart, as in a county years in: PostgreSQL's index finds a
/// word's matches stretch by stretch (of a county's numbers, or above a county of ids;
/// migration 0027), newest first, and still reaches the oldest. (SQLite numbers cases
/// one after another: the same search, in order.)
async fn skip_case_ids(app: &TestApp, n: i64) {
    if let concord_store::Db::Postgres(p) = app.store.db() {
        for sql in [
            format!(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases) + {n})"
            ),
            format!("UPDATE case_counters SET last_seq = last_seq + {n}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
    }
}

both!(
    words_are_found_newest_first_however_far_apart_the_cases_are,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let mut body = dispute();
        body["description"] = json!("玩具厂拖欠工人工资,工人多次讨要未果");
        let mut made = Vec::new();
        // One stretch apart, then past the fifteen stretches walked (where the words
        // alone ask for the rest of the county).
        for gap in [0, 70_000, 2_000_000, 3] {
            skip_case_ids(&app, gap).await;
            made.push(
                app.create(&t, &body).await["number"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        made.reverse();
        let (s, found) = app.get(&t, "/api/v1/search?q=玩具厂 工资").await;
        assert_eq!(s, StatusCode::OK, "{found}");
        assert_eq!(numbers(&found), made, "every match, newest first");
        // Fewer wanted than there are: the newest, however many the newest stretches held.
        let (_, found) = app.get(&t, "/api/v1/search?q=玩具厂 工资&limit=3").await;
        assert_eq!(numbers(&found), made[..3], "the newest three");
    }
);

// A province's database holds many counties, and a county's matches may be far older
// than the newest matches of the others: a county's search finds its own, newest first,
// and a city's search finds all of them.
both!(
    each_county_finds_its_own_cases_among_the_citys,
    |app: TestApp| async move {
        use concord_domain::region::{Region, RegionCode, RegionLevel};
        let code = |c: &str| RegionCode::parse("region", c).unwrap();
        let region = |c: &str, name: &str, parent: &str, level| Region {
            code: code(c),
            name: name.into(),
            parent: Some(code(parent)),
            level,
        };
        app.store
            .upsert_regions(&[
                region(
                    "331102000000",
                    "莲都区",
                    "331100000000",
                    RegionLevel::County,
                ),
                region(
                    "331102001000",
                    "紫金街道",
                    "331102000000",
                    RegionLevel::Township,
                ),
                region(
                    "331102001001",
                    "紫金社区",
                    "331102001000",
                    RegionLevel::Village,
                ),
            ])
            .await
            .unwrap();
        app.store
            .create_user(&concord_store::NewUser {
                username: "city_admin".into(),
                display_name: "市管理员".into(),
                role: concord_domain::org::Role::Admin,
                region: code("331100000000"),
                org_id: None,
                password: "city-pass-123".into(),
                demo: false,
                email: None,
            })
            .await
            .unwrap();
        let city =
            crate::support::bearer(&app.client, &app.base, "city_admin", "city-pass-123").await;
        let clerk = app.token("clerk").await;
        let mut body = dispute();
        body["description"] = json!("玩具厂拖欠工人工资,工人多次讨要未果");
        let ours = app.create(&clerk, &body).await["number"]
            .as_str()
            .unwrap()
            .to_string();
        // The other county's cases a few million ids newer.
        skip_case_ids(&app, 3_000_000).await;
        body["region"] = json!("331102001001");
        let mut theirs = register(&app, &city, &body, 3).await;
        let q = "/api/v1/search?q=玩具厂 工资";
        let (s, found) = app.get(&clerk, q).await;
        assert_eq!(s, StatusCode::OK, "{found}");
        assert_eq!(numbers(&found), vec![ours.clone()], "the county's own only");
        let (_, found) = app.get(&city, q).await;
        theirs.push(ours);
        assert_eq!(numbers(&found), theirs, "the city's, newest first");
    }
);

/// Migration 0027 rewrites PostgreSQL's search table in place: a database that has
/// cases from before it finds them all by word afterwards, in its county.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_stored_before_the_places_index_are_found_after_it() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let concord_store::Db::Postgres(pool) = app.store.db() else {
        unreachable!()
    };
    let t = app.token("clerk").await;
    let mut body = dispute();
    body["description"] = json!("玩具厂拖欠工人工资,工人多次讨要未果");
    let made = register(&app, &t, &body, 3).await;
    // Back to the table as migration 0026 left it, then the migrations run again.
    for sql in [
        "DROP INDEX case_search_placed",
        "ALTER TABLE case_search DROP COLUMN region_code, DROP COLUMN year, DROP COLUMN seq",
        "CREATE INDEX case_search_bucketed ON case_search USING GIN (
             (terms || array_to_tsvector(ARRAY['#' || (case_id >> 16)::text])))",
        "DELETE FROM _sqlx_migrations WHERE version = 27",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let store = reopened(&app).await;
    let scope = concord_domain::region::RegionCode::parse("r", "331125000000").unwrap();
    let found = store.search("玩具厂 工资", &scope, 50).await.unwrap();
    let numbers: Vec<&str> = found.iter().map(|c| c.case.number.as_str()).collect();
    assert_eq!(numbers, made, "every case, newest first");
}

/// Migration 0030 moves SQLite's lookups of parties by keyed phone and ID
/// number, and by name, into an index of their words: the parties of a database from
/// before it are found afterwards — by phone, by ID number, a respondent by name —
/// and so are those registered after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parties_stored_before_their_words_index_are_found_after_it() {
    let app = TestApp::sqlite().await;
    let concord_store::Db::Sqlite(pool) = app.store.db() else {
        unreachable!()
    };
    let t = app.token("clerk").await;
    let before = register(&app, &t, &dispute(), 2).await;
    // Elsewhere in the county, against a respondent known by name alone.
    let mut elsewhere = dispute();
    elsewhere["region"] = json!("331125004001");
    elsewhere["category"] = json!("environment");
    elsewhere["description"] = json!("张三丰开办的养猪场臭气熏天,污水直排河道,多次反映未解决");
    elsewhere["parties"] = json!([
        {"role": "applicant", "name": "周某", "phone": "13600001111"},
        {"role": "respondent", "name": "张三丰"}
    ]);
    let named = app.create(&t, &elsewhere).await["id"].clone();
    // Back to the tables as migration 0029 left them, then the migrations run again.
    for sql in [
        "DROP TRIGGER parties_words_insert",
        "DROP TRIGGER parties_words_update",
        "DROP TRIGGER parties_words_delete",
        "DROP TABLE party_keys",
        "CREATE INDEX parties_phone_key ON parties(phone_key, case_id) WHERE phone_key IS NOT NULL",
        "CREATE INDEX parties_id_key ON parties(id_key, case_id) WHERE id_key IS NOT NULL",
        "CREATE INDEX parties_name ON parties(name)",
        "DELETE FROM _sqlx_migrations WHERE version = 30",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let store = reopened(&app).await;
    let after = register(&app, &t, &dispute(), 1).await;
    let scope = concord_domain::region::RegionCode::parse("r", "331125000000").unwrap();
    let every: Vec<String> = after.iter().chain(&before).cloned().collect();
    let applicant = dispute()["parties"][0].clone();
    for q in [&applicant["phone"], &applicant["id_number"]] {
        let q = q.as_str().expect("the test case's applicant has both");
        let found = store.search(q, &scope, 50).await.unwrap();
        let numbers: Vec<String> = found.iter().map(|c| c.case.number.clone()).collect();
        assert_eq!(numbers, every, "{q}: every case, newest first");
    }
    // The same matter against 张三丰 from another village and another applicant: only
    // the respondent's name can bring the earlier case up.
    let mut again = elsewhere.clone();
    again["region"] = json!("331125003003");
    again["parties"][0] = json!({"role": "applicant", "name": "吴某", "phone": "13600002222"});
    let (s, chk) = app.post(&t, "/api/v1/intake/check", &again).await;
    assert_eq!(s, StatusCode::OK, "{chk}");
    let dups: Vec<&Value> = chk["seen"]["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["case"]["id"])
        .collect();
    assert_eq!(dups, vec![&named], "{chk}");
}
