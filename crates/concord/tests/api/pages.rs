//! The staff pages through HTTP: the login cookie, CSRF on writes made with it, who may
//! open what, and that the pages show what the database holds.

use crate::both;
use crate::support::{TestApp, dispute};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

/// A browser-like client that does not follow redirects, so they can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs in through the form; returns the `name=value` session cookie.
async fn login(app: &TestApp, user: &str, password: &str) -> (StatusCode, Option<String>) {
    let r = browser()
        .post(app.url("/login"))
        .form(&[
            ("username", user),
            ("password", password),
            ("next", "/cases"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    (r.status(), cookie)
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = browser()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" content=""#)
        .expect("a csrf meta tag")
        + 21;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

both!(
    staff_log_in_with_a_cookie_and_land_where_they_were_going,
    |app: TestApp| async move {
        let r = browser().get(app.url("/work")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[LOCATION], "/login?next=/work");

        let (status, cookie) = login(&app, "clerk", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(cookie.is_none(), "no session for a wrong password");

        let (status, cookie) = login(&app, "clerk", concord_demo::DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookie = cookie.expect("a session cookie");
        let (status, html) = page(&app, &cookie, "/work").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("我的工作") && html.contains("吴晓燕"),
            "{html}"
        );

        // Logging out ends the session on the server, not only in the browser.
        let csrf = csrf_of(&html);
        let r = browser()
            .post(app.url("/logout"))
            .header(COOKIE, &cookie)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (status, _) = page(&app, &cookie, "/work").await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "the old cookie no longer works"
        );
    }
);

both!(
    a_write_made_with_the_cookie_needs_the_pages_csrf_token,
    |app: TestApp| async move {
        let (_, cookie) = login(&app, "clerk", concord_demo::DEMO_PASSWORD).await;
        let cookie = cookie.unwrap();
        let (_, html) = page(&app, &cookie, "/cases/new").await;
        let csrf = csrf_of(&html);
        let post = |token: Option<&str>| {
            let mut r = browser()
                .post(app.url("/api/v1/cases"))
                .header(COOKIE, &cookie)
                .json(&dispute());
            if let Some(t) = token {
                r = r.header("x-csrf-token", t);
            }
            r.send()
        };
        let r = post(None).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = post(Some("forged")).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.store.count_cases().await.unwrap(), 0, "nothing written");
        let r = post(Some(&csrf)).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
);

both!(
    each_role_opens_its_pages_and_not_the_administrators,
    |app: TestApp| async move {
        for user in [
            "clerk",
            "dispatcher",
            "mediator",
            "judge",
            "followup",
            "leader",
        ] {
            let (_, cookie) = login(&app, user, concord_demo::DEMO_PASSWORD).await;
            let cookie = cookie.unwrap();
            for path in ["/work", "/cases", "/dashboard", "/alerts"] {
                let (status, _) = page(&app, &cookie, path).await;
                assert_eq!(status, StatusCode::OK, "{user} {path}");
            }
            let (status, html) = page(&app, &cookie, "/admin/users").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} /admin/users");
            assert!(html.contains("<html"), "an error page, not JSON: {html}");
        }
        let (_, cookie) = login(&app, "admin", concord_demo::DEMO_PASSWORD).await;
        let (status, html) = page(&app, &cookie.unwrap(), "/admin/users").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("dispatcher") && html.contains("郑国强"),
            "{html}"
        );
    }
);

both!(
    the_case_page_shows_the_case_masked_and_only_the_allowed_actions,
    |app: TestApp| async move {
        let token = app.token("clerk").await;
        let case = app.create(&token, &dispute()).await;
        let id = case["id"].as_i64().unwrap();
        let number = case["number"].as_str().unwrap();

        let (_, cookie) = login(&app, "clerk", concord_demo::DEMO_PASSWORD).await;
        let cookie = cookie.unwrap();
        let (status, html) = page(&app, &cookie, &format!("/cases/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(number));
        assert!(html.contains("138****8000"), "the phone is masked: {html}");
        assert!(!html.contains("13800138000"), "never in clear on the page");
        assert!(html.contains(r#"id="a-accept""#) && html.contains(r#"id="a-reject""#));
        assert!(
            !html.contains(r#"id="a-close""#),
            "closing is not allowed yet"
        );

        let (s, _) = app.act(&token, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, html) = page(&app, &cookie, &format!("/cases/{id}")).await;
        assert!(!html.contains(r#"id="a-accept""#), "accepted once");
        assert!(
            html.contains("<strong>受理</strong> · 吴晓燕"),
            "the timeline names who accepted"
        );

        let (status, html) = page(&app, &cookie, "/cases/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("<html"), "{html}");
    }
);

both!(
    text_with_html_or_script_is_shown_escaped_on_every_page,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let mut case = dispute();
        let attack = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        case["description"] = json!(format!("邻居纠纷{attack}墙面开裂"));
        case["address"] = json!(attack);
        case["parties"][0]["name"] = json!("王<b>某</b>");
        let id = app.create(&clerk, &case).await["id"].as_i64().unwrap();
        let (s, b) = app
            .act(&clerk, id, json!({"action": "withdraw", "reason": attack}))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, cookie) = login(&app, "clerk", concord_demo::DEMO_PASSWORD).await;
        let cookie = cookie.unwrap();
        for path in [
            format!("/cases/{id}"),
            "/cases".to_string(),
            "/cases?q=墙面开裂".to_string(),
        ] {
            let (s, html) = page(&app, &cookie, &path).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            assert!(
                !html.contains("<script>alert")
                    && !html.contains("<img src=x")
                    && !html.contains("<b>某"),
                "{path} shows markup unescaped"
            );
            if path.starts_with("/cases/") {
                assert!(
                    html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
                    "{path} shows the text escaped"
                );
            }
        }
    }
);
