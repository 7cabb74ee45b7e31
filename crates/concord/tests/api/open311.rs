//! Open311 GeoReport v2: a hotline files disputes with its key and follows them; the
//! spec's errors for every malformed call; nothing written by a refused one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, read};

/// Issues a key with the CLI, as an administrator would; returns the key.
fn issue_key(app: &TestApp, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["apikey", "add", name];
    args.extend_from_slice(extra);
    let (ok, out, err) = app.concord(&args);
    assert!(ok, "{err}");
    out.lines().last().unwrap().trim().to_string()
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn get_text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    read(app.client.get(app.url(path)).send().await.unwrap()).await
}

fn wage_arrears<'a>(key: &'a str, order: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", "labor"),
        (
            "description",
            "工地老板拖欠十二名工人三个月工资,工人说要集体去县政府讨说法",
        ),
        ("address_string", "云和县崇头镇崇头村工地"),
        ("first_name", "建国"),
        ("last_name", "王"),
        ("phone", "13857800001"),
        ("lat", "28.1164"),
        ("long", "119.5729"),
        ("attribute[complainants]", "12"),
        ("attribute[amount]", "86000"),
        ("attribute[respondent_name]", "云和县某建筑公司"),
        ("attribute[work_order_no]", order),
    ]
}

/// The spec's error list: every entry carries the status as its code.
fn assert_errors(body: &str, status: StatusCode) -> Vec<String> {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    let list = v.as_array().unwrap_or_else(|| panic!("not a list: {body}"));
    assert!(!list.is_empty());
    list.iter()
        .map(|e| {
            assert_eq!(e["code"], status.as_u16(), "{body}");
            e["description"].as_str().unwrap().to_string()
        })
        .collect()
}

both!(
    a_hotline_files_a_dispute_with_its_key_and_follows_it_to_the_end,
    |app: TestApp| async move {
        let key = issue_key(&app, "12345热线", &["--region", "331125000000"]);
        assert!(key.starts_with("c311_"), "{key}");

        let (s, body) = post_form(
            &app,
            "/open311/v2/requests.json",
            &wage_arrears(&key, "GD-1"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let made: Value = serde_json::from_str(&body).unwrap();
        let number = made[0]["service_request_id"].as_str().unwrap().to_string();
        let token = made[0]["token"].as_str().unwrap().to_string();
        assert!(number.starts_with("331125-"), "{number}");

        // Staff see an ordinary case: placed in the village the address names, counted
        // under the hotline, with both parties and the attributes as facts.
        let clerk = app.token("clerk").await;
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        let (_, c) = app.get(&clerk, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["channel"], "hotline");
        assert_eq!(
            c["region"], "331125105200",
            "崇头村, the deepest place named"
        );
        assert_eq!(c["complainants"], 12);
        assert_eq!(c["amount"], 86000.0);
        assert_eq!(c["parties"][0]["name"], "王建国");
        assert_eq!(c["parties"][1]["name"], "云和县某建筑公司");
        assert_eq!(c["events"][0]["actor_name"], "12345热线(Open311 接口)");

        // The token leads to it.
        let (s, t) = get_json(&app, &format!("/open311/v2/tokens/{token}.json")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(t[0]["service_request_id"], number.as_str());

        // Anyone sees where it stands; only the filer sees what was said, and the
        // dispute extension.
        let path = format!("/open311/v2/requests/{number}.json");
        let (_, open) = get_json(&app, &path).await;
        assert_eq!(open[0]["status"], "open");
        assert_eq!(open[0]["status_notes"], "已登记,等待受理");
        assert_eq!(open[0]["description"], Value::Null);
        assert_eq!(open[0]["lat"], Value::Null);
        let (_, own) = get_json(&app, &format!("{path}?api_key={key}&extensions=true")).await;
        assert!(own[0]["description"].as_str().unwrap().contains("拖欠"));
        assert_eq!(own[0]["lat"], 28.1164);
        let ext = &own[0]["extensions"];
        assert_eq!(ext["stage"]["code"], "registered");
        assert_eq!(ext["level"]["code"], "village");
        assert_eq!(
            ext["parties"][0]["phone"], "138****0001",
            "masked even for the filer"
        );

        // Accepted and routed: the notes name the lead unit, the deadline is expected.
        let (s, _) = app.act(&clerk, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK);
        let lead = app.org("老李帮忙团调解室").await;
        let co = app.org("云和县司法局").await;
        let dispatcher = app.token("dispatcher").await;
        let (s, b) = app
            .act(&dispatcher, id, json!({"action": "assign", "lead_unit": lead, "co_handlers": [co], "level": "township", "reason": "群体性欠薪"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, routed) = get_json(&app, &format!("{path}?api_key={key}&extensions=true")).await;
        assert_eq!(routed[0]["status_notes"], "已交办老李帮忙团调解室");
        assert_eq!(routed[0]["agency_responsible"], "老李帮忙团调解室");
        assert!(
            routed[0]["expected_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+08:00")
        );
        let ext = &routed[0]["extensions"];
        assert_eq!(ext["lead_unit"], "老李帮忙团调解室");
        assert_eq!(ext["co_handlers"], json!(["云和县司法局"]));
        assert_eq!(ext["level"]["code"], "township");
        assert!(ext["deadline"].is_string());

        // Another key sees the status, not the words.
        let other = issue_key(&app, "城市APP", &["--channel", "online"]);
        let (_, theirs) = get_json(&app, &format!("{path}?api_key={other}&extensions=true")).await;
        assert_eq!(theirs[0]["description"], Value::Null);
        assert!(theirs[0].get("extensions").is_none());

        // The same work order again: refused, naming the case; nothing new written.
        let before = app.store.count_cases().await.unwrap();
        let (s, body) = post_form(
            &app,
            "/open311/v2/requests.json",
            &wage_arrears(&key, "GD-1"),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(assert_errors(&body, s)[0].contains(&number), "{body}");
        assert_eq!(app.store.count_cases().await.unwrap(), before);
    }
);

both!(
    requests_are_listed_with_the_specs_filters_in_json_and_xml,
    |app: TestApp| async move {
        let key = issue_key(&app, "12345热线", &[]);
        let mut numbers = Vec::new();
        for (i, (code, place)) in [
            ("labor", "崇头镇"),
            ("neighbor", "石塘镇"),
            ("labor", "赤石乡"),
        ]
        .into_iter()
        .enumerate()
        {
            let order = format!("L-{i}");
            let form = [
                ("api_key", key.as_str()),
                ("jurisdiction_id", "331125"),
                ("service_code", code),
                ("description", "反映的纠纷情况"),
                ("address_string", place),
                ("attribute[work_order_no]", order.as_str()),
            ];
            let (s, body) = post_form(&app, "/open311/v2/requests.json", &form).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let v: Value = serde_json::from_str(&body).unwrap();
            numbers.push(v[0]["service_request_id"].as_str().unwrap().to_string());
        }
        // The third is turned away: closed.
        let clerk = app.token("clerk").await;
        let (_, found) = app
            .get(&clerk, &format!("/api/v1/search?q={}", numbers[2]))
            .await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        let (s, _) = app
            .act(&clerk, id, json!({"action": "reject", "reason": "不属于调解范围", "guidance": "请向人民法院起诉"}))
            .await;
        assert_eq!(s, StatusCode::OK);

        let ids = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| r["service_request_id"].as_str().unwrap().to_string())
                .collect()
        };
        let (_, all) = get_json(&app, "/open311/v2/requests.json?jurisdiction_id=331125").await;
        assert_eq!(
            ids(&all),
            vec![numbers[2].clone(), numbers[1].clone(), numbers[0].clone()],
            "newest first"
        );
        let (_, labour) = get_json(&app, "/open311/v2/requests.json?service_code=labor").await;
        assert_eq!(ids(&labour), vec![numbers[2].clone(), numbers[0].clone()]);
        let (_, open) = get_json(
            &app,
            "/open311/v2/requests.json?service_code=labor&status=open",
        )
        .await;
        assert_eq!(ids(&open), vec![numbers[0].clone()]);
        let (_, closed) = get_json(&app, "/open311/v2/requests.json?status=closed").await;
        assert_eq!(ids(&closed), vec![numbers[2].clone()]);
        assert_eq!(closed[0]["status_notes"], "不予受理");
        let list = format!("{},{}", numbers[0], numbers[1]);
        let (_, by_id) = get_json(
            &app,
            &format!("/open311/v2/requests.json?service_request_id={list}&status=closed"),
        )
        .await;
        assert_eq!(
            ids(&by_id).len(),
            2,
            "a list of ids overrides the other filters"
        );
        let (_, old) = get_json(&app, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-03-01T00:00:00Z").await;
        assert_eq!(old, json!([]));
        let (_, elsewhere) = get_json(
            &app,
            "/open311/v2/requests.json?jurisdiction_id=331125106000",
        )
        .await;
        assert_eq!(ids(&elsewhere), vec![numbers[1].clone()], "石塘镇 only");

        let (s, xml) = get_text(&app, "/open311/v2/requests.xml?status=open").await;
        assert_eq!(s, StatusCode::OK);
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(xml.matches("<request>").count(), 2, "{xml}");
        assert!(xml.contains(&format!(
            "<service_request_id>{}</service_request_id>",
            numbers[0]
        )));
        let (_, services) = get_text(&app, "/open311/v2/services.xml").await;
        assert_eq!(services.matches("<service>").count(), 14);
        assert!(services.contains("<service_name>劳动争议</service_name>"));
        let (_, def) = get_text(&app, "/open311/v2/services/labor.xml").await;
        assert!(def.contains("<code>complainants</code>"), "{def}");
        assert!(def.contains("<key>petition</key>"), "{def}");
        let (s, d) = get_json(&app, "/open311/discovery.json").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            d["endpoints"][0]["url"]
                .as_str()
                .unwrap()
                .ends_with("/open311/v2")
        );
    }
);

both!(
    every_malformed_call_gets_the_specs_errors_and_writes_nothing,
    |app: TestApp| async move {
        let key = issue_key(&app, "12345热线", &["--region", "331125105000"]);
        let before = app.store.count_cases().await.unwrap();
        let post = "/open311/v2/requests.json";

        // No key, a wrong key, a revoked key: 403.
        let (s, b) = post_form(&app, post, &[("service_code", "labor")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_errors(&b, s);
        let (s, _) = post_form(&app, post, &[("api_key", "c311_nonsense")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let revoked = issue_key(&app, "旧系统", &[]);
        let (ok, out, _) = app.concord(&["apikey", "list"]);
        assert!(ok && out.contains("旧系统"), "{out}");
        let (ok, _, err) = app.concord(&["apikey", "revoke", "2"]);
        assert!(ok, "{err}");
        let (s, _) = post_form(&app, post, &wage_arrears(&revoked, "R-1")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a revoked key no longer works");

        // Every field at fault named, in one answer.
        let (s, b) = post_form(
            &app,
            post,
            &[
                ("api_key", &key),
                ("service_code", "gossip"),
                ("lat", "999"),
                ("attribute[colour]", "red"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let errs = assert_errors(&b, s).join("\n");
        for field in [
            "service_code",
            "lat:",
            "long:",
            "description",
            "attribute[colour]",
        ] {
            assert!(errs.contains(field), "{field} not named in {errs}");
        }
        // Outside the key's township, an unknown place, an unknown jurisdiction.
        let mut far = wage_arrears(&key, "F-1");
        far.push(("jurisdiction_id", "331125"));
        let (s, _) = post_form(&app, post, &far).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the key files only in 崇头镇");
        let mut wrong = wage_arrears(&key, "F-2");
        wrong.push(("address_id", "331125106001"));
        let (s, b) = post_form(&app, post, &wrong).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(assert_errors(&b, s)[0].starts_with("address_id"), "{b}");
        let (s, b) = get_text(&app, "/open311/v2/services.json?jurisdiction_id=999999").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_errors(&b, s);

        // Unknown things: 404, in the format asked for.
        for path in [
            "/open311/v2/services/gossip.json",
            "/open311/v2/requests/331125-2026-99999.json",
            "/open311/v2/tokens/NOPE-NOPE.json",
            "/open311/v2/nothing.json",
            "/open311/v3/services.json",
        ] {
            let (s, b) = get_text(&app, path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
            assert_errors(&b, s);
        }
        let (s, b) = get_text(&app, "/open311/v2/services/gossip.xml").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(b.contains("<errors><error><code>404</code>"), "{b}");
        // Bad formats and filters: 400.
        for path in [
            "/open311/v2/services.yaml",
            "/open311/v2/requests.json?status=pending",
            "/open311/v2/requests.json?start_date=yesterday",
            "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "/open311/v2/requests.json?service_code=gossip",
        ] {
            let (s, b) = get_text(&app, path).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {b}");
            assert_errors(&b, s);
        }
        // Bodies that are not forms at all: still a 4xx in the spec's form.
        for body in [
            &b"\xff\xfe\x00garbage=%%%"[..],
            b"{\"json\": true}",
            &[b'a'; 100_000][..],
        ] {
            let r = app
                .client
                .post(app.url(post))
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            let s = r.status();
            assert!(s.is_client_error(), "{s}");
            assert_errors(&r.text().await.unwrap(), s);
        }
        let r = app
            .client
            .delete(app.url("/open311/v2/requests.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_errors(&r.text().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            app.store.count_cases().await.unwrap(),
            before,
            "nothing was written"
        );
    }
);

both!(
    an_administrator_issues_and_revokes_keys_over_the_api,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let (s, _) = app
            .post(&clerk, "/api/v1/api-keys", &json!({"name": "偷偷发的"}))
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "only an administrator issues keys"
        );
        let (s, e) = app
            .post(
                &admin,
                "/api/v1/api-keys",
                &json!({"name": "窗口", "channel": "window"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "channel", "{e}");
        let (s, e) = app
            .post(&admin, "/api/v1/api-keys", &json!({"name": " "}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        let (s, issued) = app
            .post(
                &admin,
                "/api/v1/api-keys",
                &json!({"name": "城市APP", "channel": "online", "region": "331125000000"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        let secret = issued["secret"].as_str().unwrap().to_string();
        let id = issued["id"].as_i64().unwrap();
        let (_, listed) = app.get(&admin, "/api/v1/api-keys").await;
        assert_eq!(listed[0]["name"], "城市APP");
        assert!(
            !listed.to_string().contains(&secret),
            "the secret is never listed"
        );

        let mut form = wage_arrears(&secret, "APP-1");
        form.retain(|(k, _)| *k != "attribute[work_order_no]");
        let (s, body) = post_form(&app, "/open311/v2/requests.json", &form).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let number = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let case_id = found["items"][0]["id"].as_i64().unwrap();
        let (_, c) = app.get(&clerk, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(c["channel"], "online", "counted under the key's channel");

        let (s, _) = app
            .post(&admin, &format!("/api/v1/api-keys/{id}/revoke"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = app
            .post(&admin, &format!("/api/v1/api-keys/{id}/revoke"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "already revoked");
        let (s, _) = post_form(&app, "/open311/v2/requests.json", &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);
