use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{TestApp, dispute};

both!(
    a_description_gets_three_categories_with_confidence_and_reasons,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let (s, c) = app
            .post(
                &t,
                "/api/v1/classify",
                &json!({"text": "包工头跑路了,我们十几个人的工钱一直没结"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["suggestions"][0]["category"], "labor", "{c}");
        assert_eq!(c["suggestions"].as_array().unwrap().len(), 3);
        assert!(!c["suggestions"][0]["words"].as_array().unwrap().is_empty());
        assert_eq!(c["low_confidence"], false);
        let (_, vague) = app
            .post(&t, "/api/v1/classify", &json!({"text": "我有事情要反映"}))
            .await;
        assert_eq!(vague["low_confidence"], true, "{vague}");
        let (s, err) = app
            .post(&t, "/api/v1/classify", &json!({"text": "  "}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"]["field"], "text");
    }
);

both!(
    the_classifier_learns_the_categories_dispatchers_confirm,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let text = "祠堂重修摊派份子钱,各房头意见不一";
        let (_, before) = app
            .post(&t, "/api/v1/classify", &json!({"text": text}))
            .await;
        let first = before["suggestions"][0]["category"]
            .as_str()
            .unwrap()
            .to_string();
        let taught = if first == "contract_debt" {
            "other"
        } else {
            "contract_debt"
        };
        for i in 0..15 {
            let mut body = dispute();
            body["description"] = json!(format!("{text}(第{i}房)"));
            let id = app.create(&t, &body).await["id"].as_i64().unwrap();
            let (s, c) = app
                .act(&t, id, json!({"action": "reclassify", "category": taught}))
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
        }
        assert_eq!(app.store.confirmed_count().await.unwrap(), 15);
        let r = concord_web::learning::retrain(&app.store, &app.state.classifier)
            .await
            .unwrap();
        assert_eq!(r.center_examples, 15);
        let (_, after) = app
            .post(&t, "/api/v1/classify", &json!({"text": text}))
            .await;
        assert_eq!(
            after["suggestions"][0]["category"], taught,
            "before: {before}, after: {after}"
        );
        assert_eq!(after["model_center_examples"], 15);
        // A restarted server picks up the stored model.
        let again = concord_web::learning::Classifier::load(&app.store)
            .await
            .unwrap();
        assert_eq!(again.center_examples(), 15);
    }
);
