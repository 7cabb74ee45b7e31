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
