use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

both!(
    the_list_filters_and_pages_without_gaps_or_repeats,
    |app: TestApp| async move {
        let t = app.token("admin").await;
        let mut created = Vec::new();
        for i in 0..12 {
            let mut body = dispute();
            if i % 3 == 0 {
                body["category"] = json!("labor");
            }
            if i % 4 == 0 {
                body["region"] = json!("331125105201"); // a village of 崇头镇
            }
            created.push(app.create(&t, &body).await["id"].as_i64().unwrap());
        }
        app.act(&t, created[0], json!({"action": "accept"})).await;

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/cases?limit=5&cursor={c}"),
                None => "/api/v1/cases?limit=5".into(),
            };
            let (s, page) = app.get(&t, &path).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 12);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 12, "no repeats");
        let mut newest_first = created.clone();
        newest_first.reverse();
        assert_eq!(seen, newest_first);

        let (_, labor) = app.get(&t, "/api/v1/cases?category=labor").await;
        assert_eq!(ids(&labor).len(), 4);
        let (_, township) = app.get(&t, "/api/v1/cases?region=331125105000").await;
        assert_eq!(ids(&township).len(), 3, "a region means its whole subtree");
        let (_, accepted) = app.get(&t, "/api/v1/cases?status=accepted").await;
        assert_eq!(ids(&accepted), vec![created[0]]);
        let (_, village) = app
            .get(&t, "/api/v1/cases?level=village&overdue=false")
            .await;
        assert_eq!(
            ids(&village),
            vec![created[0]],
            "only open cases with a running clock are on time"
        );
        let (_, overdue) = app.get(&t, "/api/v1/cases?overdue=true").await;
        assert!(ids(&overdue).is_empty());
        let today = jiff::Timestamp::now()
            .to_zoned(concord_domain::time::shanghai())
            .date();
        let (_, dated) = app
            .get(&t, &format!("/api/v1/cases?from={today}&to={today}"))
            .await;
        assert_eq!(ids(&dated).len(), 12, "{dated}");
    }
);

both!(
    the_list_refuses_bad_filters_naming_each,
    |app: TestApp| async move {
        let t = app.token("admin").await;
        for (query, field) in [
            ("status=lost", "status"),
            ("category=x", "category"),
            ("region=12", "region"),
            ("level=moon", "level"),
            ("overdue=maybe", "overdue"),
            ("from=2025-13-01", "from"),
            ("cursor=zzz", "cursor"),
            ("limit=0", "limit"),
        ] {
            let (s, err) = app.get(&t, &format!("/api/v1/cases?{query}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {err}");
            assert_eq!(err["error"]["field"], field, "{query}");
        }
    }
);

both!(a_user_sees_only_their_region, |app: TestApp| async move {
    let admin = app.token("admin").await;
    let grid = app.token("grid").await; // 大坪社区
    let inside = app.create(&admin, &dispute()).await;
    let mut other = dispute();
    other["region"] = json!("331125105201");
    let outside = app.create(&admin, &other).await;
    let (_, page) = app.get(&grid, "/api/v1/cases").await;
    assert_eq!(ids(&page), vec![inside["id"].as_i64().unwrap()]);
    let (s, _) = app
        .get(&grid, &format!("/api/v1/cases/{}", outside["id"]))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get(&grid, "/api/v1/cases?region=331125105000").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, err) = app.post(&grid, "/api/v1/cases", &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{err}");
});

/// Every filter the list offers walks an index in date order and stops after a page, so
/// a list costs the same at a million cases as at a thousand: no step sorts the matches.
/// Overdue cases, which are few, are found by deadline and sorted.
#[tokio::test]
async fn every_list_filter_walks_an_index_in_date_order_on_sqlite() {
    use concord_domain::case::{Level, Status};
    use concord_domain::category::Category;
    use concord_domain::region::RegionCode;
    use concord_store::CaseFilter;

    let app = TestApp::sqlite().await;
    let region = |c: &str| Some(RegionCode::parse("region", c).unwrap());
    let county = region("331125000000");
    let filters = [
        CaseFilter {
            region: county,
            ..Default::default()
        },
        CaseFilter {
            region: region("331125003000"),
            ..Default::default()
        },
        CaseFilter {
            region: region("331125003002"),
            ..Default::default()
        },
        CaseFilter {
            region: county,
            status: Some(Status::Archived),
            ..Default::default()
        },
        CaseFilter {
            region: county,
            category: Some(Category::Labor),
            ..Default::default()
        },
        CaseFilter {
            region: county,
            level: Some(Level::Township),
            ..Default::default()
        },
        CaseFilter {
            region: county,
            overdue: Some(false),
            ..Default::default()
        },
        CaseFilter {
            region: county,
            after: Some((jiff::Timestamp::now(), 1000)),
            ..Default::default()
        },
    ];
    let by_place = [region("331125003000"), region("331125003002")].map(|region| CaseFilter {
        region,
        status: Some(Status::Archived),
        ..Default::default()
    });
    for f in filters.into_iter().chain(by_place) {
        let f = CaseFilter { limit: 50, ..f };
        let plan = app
            .store
            .list_plan(&f, jiff::Timestamp::now())
            .await
            .unwrap();
        let plan = plan.join(" / ");
        assert!(plan.contains("USING INDEX"), "{f:?}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{f:?} sorts: {plan}");
        if f.status.is_some() {
            assert!(
                plan.contains("status=?"),
                "{f:?} steps over other states: {plan}"
            );
        }
    }
    for region in [county, region("331125003000"), region("331125003002")] {
        let f = CaseFilter {
            region,
            overdue: Some(true),
            limit: 50,
            ..Default::default()
        };
        let plan = app
            .store
            .list_plan(&f, jiff::Timestamp::now())
            .await
            .unwrap()
            .join(" / ");
        assert!(
            plan.contains("INDEX cases_county_overdue (county_code=? AND deadline<?)"),
            "{plan}"
        );
    }
}
