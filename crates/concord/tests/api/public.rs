use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute, read};

fn citizen_report() -> Value {
    json!({
        "description": "楼上住户卫生间漏水,我家天花板和墙面被泡坏,找他几次都不理",
        "region": "331125003002",
        "parties": [
            {"role": "applicant", "name": "雷小芬", "phone": "13757812345"},
            {"role": "respondent", "name": "楼上住户"}
        ]
    })
}

/// Submits the citizen's report; returns its number and tracking code.
pub async fn submitted(app: &TestApp, report: &Value) -> (String, String) {
    let (s, done) = app.post("", "/api/v1/public/cases", report).await;
    assert_eq!(s, StatusCode::CREATED, "{done}");
    (
        done["number"].as_str().unwrap().to_string(),
        done["tracking_code"].as_str().unwrap().to_string(),
    )
}

async fn public_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    read(app.client.get(app.url(path)).send().await.unwrap()).await
}

both!(
    a_citizen_submits_without_an_account_and_follows_the_case_with_its_code,
    |app: TestApp| async move {
        let (s, done) = app
            .post("", "/api/v1/public/cases", &citizen_report())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{done}");
        let number = done["number"].as_str().unwrap().to_string();
        let code = done["tracking_code"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 9);
        assert_eq!(
            done["category"], "neighbor",
            "no category given: the classifier's guess"
        );

        let clerk = app.token("clerk").await;
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        let (_, c) = app.get(&clerk, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["channel"], "online");
        assert_eq!(c["status"], "registered");
        assert_eq!(
            c["category_confirmed"], false,
            "a dispatcher still has to confirm it"
        );
        assert_eq!(c["events"][0]["actor_name"], "群众(网上提交)");

        let track = format!(
            "/api/v1/public/track?number={number}&code={}",
            code.to_lowercase()
        );
        let (s, t) = public_get(&app, &track).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["status"], "registered");
        assert_eq!(t["steps"][0]["label"], "登记");

        app.act(&clerk, id, json!({"action": "accept"})).await;
        let dispatcher = app.token("dispatcher").await;
        let (_, r) = app
            .get(&dispatcher, &format!("/api/v1/cases/{id}/routing"))
            .await;
        let (s, _) = app
            .act(
                &dispatcher,
                id,
                json!({"action": "assign", "lead_unit": r["unit"]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, t) = public_get(&app, &track).await;
        assert_eq!(t["status_label"], "已交办");
        assert_eq!(t["lead_unit_name"], "大坪社区人民调解委员会");
        assert!(
            t["deadline_date"].is_string(),
            "the citizen sees the deadline: {t}"
        );
        assert_eq!(t["steps"][2]["note"], "交由大坪社区人民调解委员会办理");

        let (s, wrong) = public_get(
            &app,
            &format!("/api/v1/public/track?number={number}&code=AAAA-AAAA"),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, unknown) = public_get(
            &app,
            "/api/v1/public/track?number=331125-1999-00001&code=AAAA-AAAA",
        )
        .await;
        assert_eq!(
            wrong, unknown,
            "a wrong code says no more than an unknown number"
        );
    }
);

both!(
    a_citizens_mistakes_are_named_field_by_field_and_nothing_is_written,
    |app: TestApp| async move {
        let mut bad = citizen_report();
        bad["channel"] = json!("window");
        let (s, e) = app.post("", "/api/v1/public/cases", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "channel");
        let mut bad = citizen_report();
        bad["region"] = json!("331125003999");
        bad["parties"][0]["phone"] = json!("1375781234");
        let (s, e) = app.post("", "/api/v1/public/cases", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let fields: Vec<&str> = e["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"parties[0].phone"), "{e}");
        let mut bad = citizen_report();
        bad["region"] = json!("331125003999");
        let (s, e) = app.post("", "/api/v1/public/cases", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["code"], "unknown_region");
        assert_eq!(app.store.count_cases().await.unwrap(), 0);
    }
);

both!(
    guessing_tracking_codes_is_cut_short,
    |app: TestApp| async move {
        let mut last = StatusCode::OK;
        for i in 0..40 {
            let (s, _) = public_get(
                &app,
                &format!("/api/v1/public/track?number=331125-2026-00001&code=GUES-{i:04}"),
            )
            .await;
            last = s;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
);

/// Decodes a PNG QR code back to its text.
fn decode_png(bytes: &[u8]) -> String {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

both!(
    each_region_and_center_has_a_qr_code_that_opens_the_form_there,
    |app: TestApp| async move {
        let r = app
            .client
            .get(app.url("/api/v1/qr/regions/331125003002.png"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        let url = decode_png(&r.bytes().await.unwrap());
        assert_eq!(
            url,
            "http://127.0.0.1:8080/report?region=331125003002&via=qr"
        );
        let r = app
            .client
            .get(app.url("/api/v1/qr/regions/331125003002.svg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        assert!(r.text().await.unwrap().contains("<svg"));

        let center = app.org("白龙山街道综治中心").await;
        let r = app
            .client
            .get(app.url(&format!("/api/v1/qr/organizations/{center}.png")))
            .send()
            .await
            .unwrap();
        let url = decode_png(&r.bytes().await.unwrap());
        assert!(
            url.ends_with(&format!(
                "/report?region=331125003000&center={center}&via=qr"
            )),
            "{url}"
        );

        let (s, e) = public_get(&app, "/api/v1/qr/regions/331125003999.svg").await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_region"))
        );
        let (s, e) = public_get(&app, "/api/v1/qr/regions/3311.svg").await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("region"))
        );
        let (s, e) = public_get(&app, "/api/v1/qr/regions/331125003002.gif").await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("format"))
        );
        let (s, _) = public_get(&app, "/api/v1/qr/organizations/999999.svg").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, page) = public_get(&app, "/report?region=331125003002&via=qr").await;
        assert_eq!(s, StatusCode::OK);
        let page = page.as_str().unwrap().to_string();
        assert!(
            page.contains("大坪社区") && page.contains("value=\"331125003002\""),
            "the place is filled in"
        );
        let (_, page) = public_get(&app, "/report").await;
        assert!(
            page.as_str().unwrap().contains("白龙山街道"),
            "without a code, the townships to choose from"
        );
    }
);

both!(
    the_applicant_picks_a_mediator_and_rates_the_closed_case_online,
    |app: TestApp| async move {
        let (number, code) = submitted(&app, &citizen_report()).await;
        let q = format!("number={number}&code={code}");
        let (s, m) = public_get(&app, &format!("/api/v1/public/mediator-picks?{q}")).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        let first = m["eligible"][0]["id"].as_i64().expect("someone to pick");
        let pick = json!({"number": number, "code": code, "mediator": first});
        let (s, m) = app.post("", "/api/v1/public/mediator-picks", &pick).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["picks"], json!([{"party": 0, "mediator": first}]));
        let (s, e) = public_get(
            &app,
            "/api/v1/public/mediator-picks?number=331125-2026-99999&code=XXXX-XXXX",
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

        // Not before the case is closed.
        let rating = json!({"number": number, "code": code, "satisfaction": "dissatisfied",
                            "performance": "not_performed", "note": "对方至今没有修好"});
        let (s, e) = app.post("", "/api/v1/public/ratings", &rating).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");

        let clerk = app.token("clerk").await;
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        for action in [
            json!({"action": "accept"}),
            json!({"action": "reject", "reason": "不属于调解范围",
                       "guidance": "请向人民法院起诉"}),
        ] {
            let _ = app.act(&clerk, id, action).await;
        }
        let mut bad = rating.clone();
        bad["satisfaction"] = json!("thrilled");
        let (s, e) = app.post("", "/api/v1/public/ratings", &bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert_eq!(e["error"]["field"], "satisfaction");

        // A fresh case taken to closure, then rated.
        let (number, code) = submitted(&app, &citizen_report()).await;
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        app.act(&clerk, id, json!({"action": "accept"})).await;
        let disp = app.token("dispatcher").await;
        let unit = app.org("云和县人民调解委员会").await;
        let (s, e) = app
            .act(
                &disp,
                id,
                json!({"action": "assign", "lead_unit": unit, "reason": "属地"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        app.act(&disp, id, json!({"action": "start_mediation"}))
            .await;
        app.act(
            &disp,
            id,
            json!({"action": "fail_mediation", "reason": "对方拒不到场"}),
        )
        .await;
        let (s, e) = app
            .act(
                &disp,
                id,
                json!({"action": "refer", "to": "litigation", "reason": "引导诉讼"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, e) = app.act(&disp, id, json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::OK, "{e}");

        let rating = json!({"number": number, "code": code, "satisfaction": "basically_satisfied", "note": "调解员很耐心"});
        let (s, t) = app.post("", "/api/v1/public/ratings", &rating).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["status"], "followed_up");
        assert_eq!(t["satisfaction_label"], "基本满意");
        let (_, c) = app.get(&clerk, &format!("/api/v1/cases/{id}")).await;
        let last = c["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "follow_up");
        assert_eq!(last["actor_name"], "当事人雷小芬(网上评价)");
        let (s, e) = app.post("", "/api/v1/public/ratings", &rating).await;
        assert_eq!(s, StatusCode::CONFLICT, "once only: {e}");
    }
);

both!(
    without_the_tracking_code_a_one_time_code_by_sms_opens_the_case,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let case = app.create(&clerk, &dispute()).await;
        let number = case["number"].as_str().unwrap().to_string();
        let ask = |phone: &'static str| {
            let (app, number) = (&app, number.clone());
            async move {
                app.post(
                    "",
                    "/api/v1/public/one-time-codes",
                    &json!({"number": number, "phone": phone}),
                )
                .await
            }
        };
        // A phone not on the case: the same answer, and nothing sent.
        let (s, b) = ask("13900000000").await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        assert!(app.state.sms.sent().is_empty());
        let (s, b) = ask("not a phone").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["field"], "phone");

        // The applicant's phone: a six-digit code goes to that phone only.
        let (s, b) = ask("13800138000").await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let sent = app.state.sms.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].phone, "13800138000");
        let code: String = sent[0]
            .text
            .split("验证码为")
            .nth(1)
            .unwrap()
            .chars()
            .take(6)
            .collect();
        assert!(code.chars().all(|c| c.is_ascii_digit()), "{}", sent[0].text);
        let track = |code: String| {
            let (app, number) = (&app, number.clone());
            async move {
                app.get(
                    "",
                    &format!("/api/v1/public/track?number={number}&code={code}"),
                )
                .await
            }
        };
        let (s, b) = track(code.clone()).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["number"], number.as_str());

        // Five wrong guesses and the case's codes stop working, the right one too.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..concord_store::ONE_TIME_MAX_ATTEMPTS {
            let (s, _) = track(wrong.to_string()).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        let (s, _) = track(code).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "guessed at: no longer good");
    }
);
