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
            .login(
                "clerk",
                concord_demo::DEMO_PASSWORD,
                false,
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        assert!(
            matches!(refused, concord_store::LoginResult::Refused),
            "a demo account outside demo mode"
        );
        let ok = app
            .store
            .login(
                "clerk",
                concord_demo::DEMO_PASSWORD,
                true,
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        assert!(matches!(ok, concord_store::LoginResult::Opened(..)));
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

both!(
    repeated_failed_logins_lock_the_account_for_a_while,
    |app: TestApp| async move {
        let login = |password: &'static str| {
            let app = &app;
            async move {
                app.post_raw(
                    "",
                    "/api/v1/auth/login",
                    &json!({"username": "mediator", "password": password}).to_string(),
                )
                .await
            }
        };
        for _ in 1..concord_store::MAX_FAILED_LOGINS {
            let (s, body) = login("wrong-password").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
        }
        // The fifth failure locks, and then even the right password is not checked.
        let (s, body) = login("wrong-password").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "account_locked");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("临时锁定"),
            "{body}"
        );
        let (s, _) = login(concord_demo::DEMO_PASSWORD).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        // Other accounts are not affected.
        app.token("clerk").await;

        // Once the lock has run out the right password works and clears the count.
        let later = jiff::Timestamp::now()
            .checked_add(jiff::Span::new().minutes(concord_store::LOCKOUT_MINUTES + 1))
            .unwrap();
        let r = app
            .store
            .login("mediator", concord_demo::DEMO_PASSWORD, true, later)
            .await
            .unwrap();
        assert!(matches!(r, concord_store::LoginResult::Opened(..)), "{r:?}");
        let r = app
            .store
            .login("mediator", "wrong-password", true, later)
            .await
            .unwrap();
        assert!(
            matches!(r, concord_store::LoginResult::Refused),
            "the count starts again: {r:?}"
        );

        // The login page says the same in words.
        let page = app
            .client
            .post(app.url("/login"))
            .form(&[("username", "judge"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
        for _ in 1..concord_store::MAX_FAILED_LOGINS {
            app.client
                .post(app.url("/login"))
                .form(&[("username", "judge"), ("password", "x")])
                .send()
                .await
                .unwrap();
        }
        let page = app
            .client
            .post(app.url("/login"))
            .form(&[
                ("username", "judge"),
                ("password", concord_demo::DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(page.text().await.unwrap().contains("账号已临时锁定"));
    }
);
