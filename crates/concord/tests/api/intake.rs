use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{TestApp, dispute};

both!(
    each_channel_keeps_its_particulars_and_refuses_what_does_not_fit,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let c = app.create(&t, &dispute()).await;
        assert_eq!(
            c["window"], "dispute_resolution",
            "a window registration has its window"
        );
        let mut aid = dispute();
        aid["window"] = json!("legal_aid");
        assert_eq!(app.create(&t, &aid).await["window"], "legal_aid");

        let mut petition = dispute();
        petition["kind"] = json!("petition");
        petition["channel"] = json!("petition_visit");
        petition["complainants"] = json!(6);
        petition["petition"] =
            json!({"visitors": 6, "representatives": ["王某某", "李某"], "visited_level": "city"});
        let p = app.create(&t, &petition).await;
        assert_eq!(p["petition"]["visited_level"], "city");
        assert_eq!(p["petition"]["representatives"], json!(["王某某", "李某"]));
        assert!(
            p["acceptance_due"].is_string(),
            "15 days to decide on a petition"
        );

        let mut transfer = dispute();
        transfer["channel"] = json!("transfer");
        let (s, e) = app.post(&t, "/api/v1/cases", &transfer).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("transfer"))
        );
        transfer["transfer"] = json!({"from_unit": "云和县信访局", "form_number": "YHXF-2026-0117", "note": "访调对接"});
        let c = app.create(&t, &transfer).await;
        assert_eq!(c["transfer"]["form_number"], "YHXF-2026-0117");

        for (field, bad) in [
            (
                "window",
                json!({"channel": "hotline", "window": "legal_aid"}),
            ),
            (
                "petition",
                json!({"petition": {"visitors": 2, "visited_level": "county"}}),
            ),
            (
                "petition.visitors",
                json!({"kind": "petition", "petition": {"visitors": 0, "visited_level": "county"}}),
            ),
            ("source", json!({"external_ref": "GD2026001"})),
        ] {
            let mut body = dispute();
            for (k, v) in bad.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, e) = app.post(&t, "/api/v1/cases", &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
            let fields: Vec<&str> = e["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{field}: {e}");
        }
    }
);

both!(
    a_hotline_work_order_is_registered_once,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let mut order = dispute();
        order["channel"] = json!("hotline");
        order["source"] = json!("12345");
        order["external_ref"] = json!("GD20261124000123");
        let first = app.create(&t, &order).await;
        assert_eq!(first["external_ref"], "GD20261124000123");
        let (s, e) = app.post(&t, "/api/v1/cases", &order).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert_eq!(e["error"]["code"], "duplicate");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains(first["number"].as_str().unwrap())
        );
        order["source"] = json!("市长信箱");
        app.create(&t, &order).await;
    }
);
