use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{TestApp, dispute};

both!(
    the_case_api_needs_a_bearer_token,
    |app: TestApp| async move {
        let (s, err) = app.get("", "/api/v1/cases").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(err["error"]["code"], "unauthorized");
        let (s, _) = app.get("not-a-token", "/api/v1/cases").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, err) = app
            .post(
                "",
                "/api/v1/auth/login",
                &json!({"username": "clerk", "password": "wrong-password"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(err["error"]["code"], "login_failed");
    }
);

both!(
    roles_may_only_take_their_own_actions,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let judge = app.token("judge").await;
        let leader = app.token("leader").await;
        let (s, _) = app.post(&leader, "/api/v1/cases", &dispute()).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "leaders read, they do not register"
        );
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let (s, err) = app.act(&judge, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(err["error"]["code"], "forbidden");
        let (s, _) = app.act(&clerk, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK);
    }
);

both!(
    demo_accounts_work_only_in_demo_mode,
    |app: TestApp| async move {
        let refused = app
            .store
            .login("clerk", concord_demo::DEMO_PASSWORD, false)
            .await
            .unwrap();
        assert!(refused.is_none(), "a demo account outside demo mode");
        let ok = app
            .store
            .login("clerk", concord_demo::DEMO_PASSWORD, true)
            .await
            .unwrap();
        assert!(ok.is_some());
    }
);

both!(
    a_logged_out_token_stops_working_at_once,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let (s, _) = app.get(&t, "/api/v1/cases").await;
        assert_eq!(s, StatusCode::OK, "a live token (now also cached)");
        let (s, _) = app.post(&t, "/api/v1/auth/logout", &json!({})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, err) = app.get(&t, "/api/v1/cases").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{err}");
    }
);
