use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// The ids of a search's cases, in order.
fn ids(found: &Value) -> Vec<i64> {
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn fee_dispute(applicant: &str, phone: &str) -> Value {
    let mut b = dispute();
    b["category"] = json!("property_mgmt");
    b["description"] =
        json!("绿城小区物业公司今年物业费上涨三成,业主要求物业公司说明收费依据并退还多收费用");
    b["complainants"] = json!(2);
    b["parties"] = json!([
        {"role": "applicant", "name": applicant, "phone": phone},
        {"role": "respondent", "name": "云和绿城物业服务有限公司", "kind": "organization"}
    ]);
    b
}

both!(
    the_same_matter_brought_again_is_found_and_merged_into_a_mass_case,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let a = app.create(&t, &fee_dispute("赵一", "13700000001")).await;
        let b = app.create(&t, &fee_dispute("钱二", "13700000002")).await;
        let unrelated = app.create(&t, &dispute()).await;

        let (s, chk) = app
            .post(
                &t,
                "/api/v1/intake/check",
                &fee_dispute("孙三", "13700000003"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{chk}");
        let dups: Vec<i64> = chk["seen"]["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["case"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(dups.len(), 2, "{chk}");
        assert!(
            dups.contains(&a["id"].as_i64().unwrap()) && dups.contains(&b["id"].as_i64().unwrap())
        );
        assert!(!dups.contains(&unrelated["id"].as_i64().unwrap()));
        let why = chk["seen"]["duplicates"][0]["why"].to_string();
        assert!(
            why.contains("同一地点") && why.contains("同一被申请人"),
            "{why}"
        );
        assert_eq!(
            chk["classification"]["suggestions"][0]["category"],
            "property_mgmt"
        );
        assert_eq!(chk["routing"]["fired"], json!(["property-committee"]));

        let c = app.create(&t, &fee_dispute("孙三", "13700000003")).await;
        let (id, others) = (
            c["id"].as_i64().unwrap(),
            [a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap()],
        );
        let (s, e) = app
            .post(
                &t,
                &format!("/api/v1/cases/{id}/merge"),
                &json!({"cases": [id], "reason": "同一事项"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("cases[0]"))
        );
        let (s, g) = app
            .post(
                &t,
                &format!("/api/v1/cases/{id}/merge"),
                &json!({"cases": others, "reason": "同一小区物业费上涨,并案调处"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{g}");
        assert_eq!(g["complainants"], 6);
        assert_eq!(g["mass_case"], true);
        let names: Vec<&str> = g["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["孙三", "云和绿城物业服务有限公司", "赵一", "钱二"],
            "the respondent once, every applicant"
        );
        for o in others {
            let (_, m) = app.get(&t, &format!("/api/v1/cases/{o}")).await;
            assert_eq!(
                (m["status"].as_str(), m["merged_into"].as_i64()),
                (Some("merged"), Some(id))
            );
            assert_eq!(m["outcome"], "merged");
        }
        let (_, found) = app.get(&t, "/api/v1/search?q=钱二").await;
        assert!(
            ids(&found).contains(&id),
            "the group case is found by a merged party: {found}"
        );
        // And by the phone the merged party came with (their parties' keyed hashes are
        // found through an index of their own on SQLite).
        let (_, found) = app.get(&t, "/api/v1/search?q=13700000002").await;
        assert_eq!(ids(&found), vec![id, others[1]], "newest first: {found}");

        let (_, alerts) = app.get(&t, "/api/v1/alerts?open=true").await;
        let alert = alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["case_id"] == id)
            .expect("the county is alerted");
        assert_eq!(
            (alert["kind"].as_str(), alert["region"].as_str()),
            (Some("mass_case"), Some("331125000000"))
        );
        let aid = alert["id"].as_i64().unwrap();
        let (s, ack) = app
            .post(&t, &format!("/api/v1/alerts/{aid}/acknowledge"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{ack}");
        assert!(ack["acknowledged_at"].is_string());
        let (s, _) = app
            .post(&t, &format!("/api/v1/alerts/{aid}/acknowledge"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, e) = app
            .post(
                &t,
                &format!("/api/v1/cases/{id}/merge"),
                &json!({"cases": [others[0]], "reason": "再并"}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "a merged case cannot merge again: {e}"
        );
    }
);

fn petition(phone: &str, level: &str) -> Value {
    let mut b = dispute();
    b["kind"] = json!("petition");
    b["channel"] = json!("petition_visit");
    b["category"] = json!("land_requisition");
    b["description"] = json!("村里征地补偿款至今未足额发放,每亩少发八千元,多次到镇里反映没有结果");
    b["petition"] = json!({"visitors": 1, "visited_level": level});
    b["parties"] = json!([{"role": "applicant", "name": "柳大伯", "phone": phone}]);
    b
}

both!(
    repeat_and_skip_level_petitions_are_recognised_by_the_person_and_the_matter,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let first = app.create(&t, &petition("13900001111", "township")).await;
        assert!(first["repeat_of"].is_null());
        // The first is still open at township level; now the same man goes to the city.
        let again = app.create(&t, &petition("13900001111", "city")).await;
        assert_eq!(again["repeat_of"], first["id"], "{again}");
        assert_eq!(again["skip_level_of"], first["id"]);
        let ev = &again["events"][0]["details"]["seen"];
        assert_eq!(ev["repeat_of"], first["number"]);
        let (_, alerts) = app.get(&t, "/api/v1/alerts?open=true").await;
        let kinds: Vec<&str> = alerts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["case_id"] == again["id"])
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"skip_level") && kinds.contains(&"repeat_petition"),
            "{alerts}"
        );

        let stranger = app.create(&t, &petition("13900002222", "city")).await;
        assert!(
            stranger["repeat_of"].is_null() && stranger["skip_level_of"].is_null(),
            "another person"
        );
        // The same number as another case's respondent is not the same applicant.
        let mut against = petition("13900003333", "township");
        against["parties"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": "respondent", "name": "柳二伯", "phone": "13900004444"}));
        app.create(&t, &against).await;
        let respondent_now_applicant = app.create(&t, &petition("13900004444", "city")).await;
        assert!(
            respondent_now_applicant["repeat_of"].is_null(),
            "{respondent_now_applicant}"
        );
        let (_, rel) = app
            .get(&t, &format!("/api/v1/cases/{}/related", again["id"]))
            .await;
        assert_eq!(rel["repeat_of"]["case"]["id"], first["id"]);
    }
);
