//! Notifications: parties by SMS, staff by e-mail, each told once, through the log, a
//! real SMS gateway over HTTP and a real SMTP conversation.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode as AxStatus;
use concord_web::notify::{MailSender, Senders, notify_due};
use concord_web::sms::SmsSender;
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::both;
use crate::support::{TestApp, dispute};

/// Registers, accepts, assigns to 老李帮忙团调解室 (李建华), starts mediation and books a
/// session; returns the case.
async fn worked_case(app: &TestApp) -> Value {
    let t = app.token("dispatcher").await;
    let id = app.create(&t, &dispute()).await["id"].as_i64().unwrap();
    let (s, _) = app.act(&t, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK);
    let room = app.org("老李帮忙团调解室").await;
    let (s, c) = app
        .act(
            &t,
            id,
            json!({"action": "assign", "lead_unit": room, "reason": "当事人点名"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, _) = app.act(&t, id, json!({"action": "start_mediation"})).await;
    assert_eq!(s, StatusCode::OK);
    let body = json!({"mode": "at_center", "starts_at": "2030-03-04 09:00", "minutes": 90});
    let (s, b) = app
        .post(&t, &format!("/api/v1/cases/{id}/sessions"), &body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["case"].clone()
}

async fn notices(app: &TestApp, id: i64) -> Vec<Value> {
    let t = app.token("dispatcher").await;
    let (s, list) = app
        .get(&t, &format!("/api/v1/cases/{id}/notifications"))
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

both!(
    parties_and_staff_are_told_each_step_once,
    |app: TestApp| async move {
        let case = worked_case(&app).await;
        let id = case["id"].as_i64().unwrap();
        let number = case["number"].as_str().unwrap().to_string();
        let t = app.token("mediator").await;
        app.agree_and_sign(&t, id).await;

        let senders = Senders::default();
        app.store.seal_audit().await.unwrap();
        let now = Timestamp::now();
        let sent = notify_due(&app.store, &senders, now).await.unwrap();
        assert!(sent >= 6, "{sent}: {:#?}", notices(&app, id).await);
        assert_eq!(
            notify_due(&app.store, &senders, now).await.unwrap(),
            0,
            "told once"
        );

        let sms = senders.sms.sent();
        let to_applicant: Vec<&str> = sms
            .iter()
            .filter(|m| m.phone == "13800138000")
            .map(|m| m.text.as_str())
            .collect();
        assert_eq!(to_applicant.len(), 4, "{to_applicant:?}");
        assert!(to_applicant[0].starts_with("【矛盾纠纷调处化解中心】王某某:"));
        assert!(to_applicant[0].contains(&format!("{number}已受理")));
        assert!(to_applicant[1].contains("已交由老李帮忙团调解室办理,调解员李建华"));
        assert!(to_applicant[2].contains("2030年03月04日 09:00进行调解(坐诊)"));
        assert!(to_applicant[3].contains("调解协议已拟好"));
        let to_respondent = sms
            .iter()
            .filter(|m| m.text.starts_with("【矛盾纠纷调处化解中心】李某:"))
            .count();
        assert_eq!(to_respondent, 2, "the session and the agreement");

        let mail = senders.mail.sent();
        let mediator: Vec<&str> = mail
            .iter()
            .filter(|m| m.to == "mediator@yunhe-tiaojie.example")
            .map(|m| m.subject.as_str())
            .collect();
        assert_eq!(
            mediator,
            [
                format!("新交办事项{number}"),
                format!("调解预约 {number} 2030年03月04日 09:00")
            ]
        );

        // The case shows who was told what and when.
        let log = notices(&app, id).await;
        assert_eq!(log.len(), sms.len() + mail.len());
        assert!(
            log.iter()
                .all(|n| n["state"] == "sent" && n["sent_at"].is_string())
        );
        assert_eq!(log[0]["to"], "王某某");
        assert_eq!(log[0]["kind_label"], "受理通知");
        assert!(
            log.iter()
                .any(|n| n["to"] == "李建华" && n["channel"] == "email")
        );

        // Dates: near the deadline, then past it — each told once to those working it.
        let deadline: Timestamp = case["deadline"].as_str().unwrap().parse().unwrap();
        let near = now + SignedDuration::from_secs((deadline - now).get_seconds() * 9 / 10);
        assert!(app.store.date_notifications(near).await.unwrap() >= 1);
        assert_eq!(
            app.store.date_notifications(near).await.unwrap(),
            0,
            "told once"
        );
        let late = deadline + SignedDuration::from_hours(2);
        assert!(app.store.date_notifications(late).await.unwrap() >= 1);
        notify_due(&app.store, &senders, late).await.unwrap();
        let subjects: Vec<String> = senders
            .mail
            .sent()
            .iter()
            .map(|m| m.subject.clone())
            .collect();
        assert!(
            subjects.contains(&format!("临近期限:{number}")),
            "{subjects:?}"
        );
        assert!(
            subjects.contains(&format!("已超期:{number}")),
            "{subjects:?}"
        );

        // Closed: the follow-up staff hear a few days before the call falls due.
        let d = app.token("dispatcher").await;
        let (s, c) = app
            .act(
                &d,
                id,
                json!({"action": "reach_agreement", "summary": "赔偿"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, c) = app.act(&d, id, json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let due: Timestamp = c["follow_up_due"].as_str().unwrap().parse().unwrap();
        let eve = due - SignedDuration::from_hours(48);
        assert_eq!(app.store.date_notifications(eve).await.unwrap(), 1);
        notify_due(&app.store, &senders, eve).await.unwrap();
        let last = senders.mail.sent().last().unwrap().clone();
        assert_eq!(last.to, "followup@yunhe-tiaojie.example");
        assert_eq!(last.subject, format!("待回访:{number}"));
    }
);

both!(
    history_tells_no_one_and_a_party_without_a_phone_is_noted,
    |app: TestApp| async move {
        let t = app.token("clerk").await;
        let mut body = dispute();
        body["parties"] = json!([{"role": "applicant", "name": "无电话"}]);
        let id = app.create(&t, &body).await["id"].as_i64().unwrap();
        let (s, _) = app.act(&t, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK);
        app.store.seal_audit().await.unwrap();
        // Seen two days later (an import of history, a long outage): nobody is told.
        let senders = Senders::default();
        let later = Timestamp::now() + SignedDuration::from_hours(48);
        notify_due(&app.store, &senders, later).await.unwrap();
        assert!(notices(&app, id).await.is_empty());

        let id = app.create(&t, &body).await["id"].as_i64().unwrap();
        app.act(&t, id, json!({"action": "accept"})).await;
        app.store.seal_audit().await.unwrap();
        notify_due(&app.store, &senders, Timestamp::now())
            .await
            .unwrap();
        let log = notices(&app, id).await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["state"], "skipped");
        assert!(log[0]["last_error"].as_str().unwrap().contains("手机号"));
        assert!(senders.sms.sent().is_empty());
    }
);

/// What the fake SMTP server heard: (recipients, message).
type Mailbag = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A minimal SMTP server: enough of RFC 5321 for one client at a time.
async fn smtp_server() -> (u16, Mailbag) {
    let bag: Mailbag = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let keep = bag.clone();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            keep.lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                        "RCPT" => {
                            rcpt.push(line.clone());
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, bag)
}

both!(
    notices_go_out_through_an_sms_gateway_and_an_smtp_relay_and_failures_wait,
    |app: TestApp| async move {
        let texts: Arc<Mutex<Vec<Value>>> = Arc::default();
        let up = Arc::new(Mutex::new(false));
        let (rx, is_up) = (texts.clone(), up.clone());
        let gateway = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
                let (rx, is_up) = (rx.clone(), is_up.clone());
                async move {
                    if !*is_up.lock().unwrap() {
                        return AxStatus::SERVICE_UNAVAILABLE;
                    }
                    rx.lock().unwrap().push(v);
                    AxStatus::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sms_url = format!("http://{}/sms", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, gateway).await });
        let (port, bag) = smtp_server().await;
        let senders = Senders {
            sms: SmsSender::gateway(&sms_url),
            mail: MailSender::smtp(
                &format!("smtp://127.0.0.1:{port}"),
                "调解中心 <noreply@yunhe.example>",
            )
            .unwrap(),
        };

        let case = worked_case(&app).await;
        let id = case["id"].as_i64().unwrap();
        app.store.seal_audit().await.unwrap();
        let now = Timestamp::now();
        notify_due(&app.store, &senders, now).await.unwrap();
        // The gateway is down: the parties' messages wait, with the reason.
        let log = notices(&app, id).await;
        let waiting: Vec<&Value> = log.iter().filter(|n| n["channel"] == "sms").collect();
        assert!(
            waiting.iter().all(|n| n["state"] == "pending"),
            "{waiting:?}"
        );
        assert!(waiting[0]["last_error"].as_str().unwrap().contains("503"));
        // The e-mails went through a real SMTP conversation.
        let mails = bag.lock().unwrap().clone();
        assert!(!mails.is_empty());
        assert!(
            mails
                .iter()
                .all(|(to, _)| to[0].contains("mediator@yunhe-tiaojie.example"))
        );
        assert!(mails[0].1.contains("Subject:"));

        *up.lock().unwrap() = true;
        notify_due(&app.store, &senders, now + SignedDuration::from_hours(1))
            .await
            .unwrap();
        let got = texts.lock().unwrap().clone();
        assert!(
            got.iter()
                .any(|m| m["phone"] == "13800138000"
                    && m["text"].as_str().unwrap().contains("已受理")),
            "{got:?}"
        );
        assert!(notices(&app, id).await.iter().all(|n| n["state"] == "sent"));
    }
);
