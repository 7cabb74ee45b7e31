use std::collections::HashSet;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{TestApp, dispute};

both!(
    case_numbers_are_unique_and_gapless_under_concurrent_creation,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let n = 40;
        let bodies: Vec<_> = (0..n)
            .map(|i| {
                let mut body = dispute();
                // Half in another township of the same county: one sequence per county.
                if i % 2 == 0 {
                    body["region"] = json!("331125105201");
                }
                body
            })
            .collect();
        let posts = bodies
            .iter()
            .map(|body| app.post(&t, "/api/v1/cases", body));
        let results = join_all(posts).await;
        let mut seqs = Vec::new();
        let mut numbers = HashSet::new();
        for (s, c) in results {
            assert_eq!(s, StatusCode::CREATED, "{c}");
            let number = c["number"].as_str().unwrap().to_string();
            let parts: Vec<&str> = number.split('-').collect();
            assert_eq!(parts[0], "331125");
            seqs.push(parts[2].parse::<i64>().unwrap());
            assert!(numbers.insert(number), "duplicate number");
        }
        seqs.sort();
        assert_eq!(seqs, (1..=n).collect::<Vec<i64>>(), "no gaps");
    }
);

both!(
    a_registration_the_database_refuses_fails_alone_and_leaves_no_gap,
    |app: TestApp| async move {
        use concord_domain::calendar::WorkCalendar;
        use concord_domain::case::NewCaseInput;
        use concord_domain::lifecycle::{Context, register};
        use concord_store::{Actor, BuiltCase};

        let cal = WorkCalendar::builtin();
        let built = |region: &str| {
            let mut body = dispute();
            body["region"] = json!(region);
            let input: NewCaseInput = serde_json::from_value(body).unwrap();
            let ctx = Context {
                now: jiff::Timestamp::now(),
                calendar: &cal,
                routing: None,
            };
            let (case, event) = register(input.validate().unwrap(), String::new(), &ctx);
            vec![BuiltCase::new(case, vec![(event, Actor::system())])]
        };
        // Well-formed but not in the region table: only the database's foreign key
        // refuses it, inside a batch shared with the good ones.
        let mut writes: Vec<_> = (0..20).map(|_| built("331125003002")).collect();
        writes.insert(7, built("331125003999"));
        let results = join_all(writes.into_iter().map(|b| app.store.insert_built_cases(b))).await;
        let mut seqs = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(cases) if i != 7 => {
                    seqs.push(cases[0].case.number[12..].parse::<i64>().unwrap())
                }
                Ok(_) => panic!("the unknown region was stored"),
                Err(e) => assert_eq!(i, 7, "a good registration failed: {e}"),
            }
        }
        seqs.sort();
        assert_eq!(seqs, (1..=20).collect::<Vec<i64>>(), "no gaps, no repeats");
        assert_eq!(app.store.count_cases().await.unwrap(), 20);
    }
);
