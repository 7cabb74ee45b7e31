use reqwest::StatusCode;

use crate::both;
use crate::support::TestApp;

both!(
    the_territory_is_a_tree_of_real_division_codes,
    |app: TestApp| async move {
        let (s, roots) = app.get("", "/api/v1/regions").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(roots[0]["name"], "浙江省");
        let (_, townships) = app.get("", "/api/v1/regions?parent=331125000000").await;
        let names: Vec<&str> = townships
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 10);
        assert!(names.contains(&"白龙山街道") && names.contains(&"紧水滩镇"));
        let (_, villages) = app.get("", "/api/v1/regions?parent=331125003000").await;
        assert!(
            villages
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["code"] == "331125003002"
                    && v["name"] == "大坪社区"
                    && v["level"] == "village")
        );
        let (s, err) = app.get("", "/api/v1/regions?parent=331125999000").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"]["field"], "parent");
    }
);

both!(
    organizations_and_mediators_follow_the_region_subtree,
    |app: TestApp| async move {
        let (s, county) = app
            .get("", "/api/v1/organizations?region=331125000000")
            .await;
        assert_eq!(s, StatusCode::OK);
        let all = county.as_array().unwrap();
        for name in [
            "云和县人民法院",
            "云和县信访局",
            "老李帮忙团调解室",
            "刘彬调解室",
            "云和县调解专家库",
            "云和县道路交通事故纠纷人民调解委员会",
        ] {
            assert!(all.iter().any(|o| o["name"] == name), "{name}");
        }
        let traffic = all
            .iter()
            .find(|o| o["name"] == "云和县道路交通事故纠纷人民调解委员会")
            .unwrap();
        assert_eq!(traffic["kind"], "professional_committee");
        assert_eq!(traffic["categories"], serde_json::json!(["traffic"]));
        let (_, village) = app
            .get("", "/api/v1/organizations?region=331125003002")
            .await;
        let names: Vec<&str> = village
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["大坪社区人民调解委员会"]);
        let (_, mediators) = app.get("", "/api/v1/mediators?region=331125000000").await;
        assert!(
            mediators
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == "刘彬")
        );
    }
);

both!(
    the_openapi_document_describes_the_api,
    |app: TestApp| async move {
        let (s, doc) = app.get("", "/api/v1/openapi.json").await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/cases",
            "/api/v1/cases/{id}",
            "/api/v1/cases/{id}/transitions",
            "/api/v1/regions",
            "/api/v1/organizations",
            "/api/v1/auth/login",
            "/api/v1/calendar",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        let (s, _) = app.get("", "/healthz").await;
        assert_eq!(s, StatusCode::OK);
    }
);
