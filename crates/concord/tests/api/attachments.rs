//! Materials on a case: kept exactly as received with their SHA-256, refused by what
//! they contain (not by their name), within the size limit, for those who may see the
//! case, and from the applicant with the case number and tracking code.

use crate::both;
use crate::support::{TestApp, dispute, read};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn upload(app: &TestApp, token: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let mut r = app.client.post(app.url(path)).body(body);
    if !token.is_empty() {
        r = r.bearer_auth(token);
    }
    read(r.send().await.unwrap()).await
}

/// Announces a body of `len` bytes and sends none: a file too large is refused on its
/// announced length, before it is read. Returns the status line.
async fn announce_only(app: &TestApp, token: &str, path: &str, len: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(host).await.unwrap();
    let path = path.replace("现场照片", "big");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Length: {len}\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 256];
    let n = conn.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

both!(
    staff_attach_files_kept_exactly_and_refused_by_content,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{id}/attachments?name={}", "现场照片.png");
        let (s, a) = upload(&app, &clerk, &path, PNG.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(
            (a["name"].as_str(), a["mime"].as_str()),
            (Some("现场照片.png"), Some("image/png"))
        );
        assert_eq!(a["sha256"], hex::encode(Sha256::digest(PNG)));

        let r = app
            .client
            .get(app.url(&format!("/api/v1/attachments/{}", a["id"])))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            r.bytes().await.unwrap().as_ref(),
            PNG,
            "the bytes as received"
        );

        // A page of script named like a photo is refused, naming the file.
        let (s, e) = upload(
            &app,
            &clerk,
            &format!("/api/v1/cases/{id}/attachments?name=x.png"),
            b"<html><script>alert(1)</script></html>".to_vec(),
        )
        .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("file")),
            "{e}"
        );
        let (s, e) = upload(
            &app,
            &clerk,
            &format!("/api/v1/cases/{id}/attachments"),
            PNG.to_vec(),
        )
        .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
            "{e}"
        );
        let big = [PNG, &vec![0u8; concord_domain::attachment::MAX_BYTES]].concat();
        let (s, e) = upload(&app, &clerk, &path, big).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["code"], "too_large");
        let status = announce_only(
            &app,
            &clerk,
            &path,
            concord_domain::attachment::MAX_BYTES * 2,
        )
        .await;
        assert!(
            status.starts_with("HTTP/1.1 413"),
            "refused before it is sent: {status}"
        );
        let (_, list) = app
            .get(&clerk, &format!("/api/v1/cases/{id}/attachments"))
            .await;
        assert_eq!(
            list.as_array().unwrap().len(),
            1,
            "nothing refused was kept: {list}"
        );

        // Staff whose region does not hold the case neither see nor add.
        let grid = app.token("grid").await;
        let other = json!({"kind": "dispute", "channel": "window", "category": "neighbor",
            "description": "两户因宅基地边界发生争执,要求重新确认界址。", "region": "331125105201",
            "parties": [{"role": "applicant", "name": "张某", "phone": "13800138001"}]});
        let far = app.create(&clerk, &other).await["id"].as_i64().unwrap();
        let (s, _) = upload(
            &app,
            &grid,
            &format!("/api/v1/cases/{far}/attachments?name=a.png"),
            PNG.to_vec(),
        )
        .await;
        assert!(
            matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{s}"
        );
        // The case in the grid worker's own community is theirs to see.
        let (s, _) = app
            .get(&grid, &format!("/api/v1/attachments/{}", a["id"]))
            .await;
        assert_eq!(s, StatusCode::OK);
    }
);

both!(
    the_applicant_adds_photos_to_an_open_case_with_the_tracking_code,
    |app: TestApp| async move {
        let report = json!({"description": "楼上漏水把我家天花板泡坏了,多次找物业没有解决",
            "region": "331125003002", "parties": [{"role": "applicant", "name": "雷小芬", "phone": "13757812345"}]});
        let (number, code) = crate::public::submitted(&app, &report).await;
        let path = format!("/api/v1/public/attachments?number={number}&code={code}&name=漏水.png");
        let (s, e) = upload(&app, "", &path, PNG.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let wrong = format!("/api/v1/public/attachments?number={number}&code=AAAA-AAAA&name=a.png");
        let (s, _) = upload(&app, "", &wrong, PNG.to_vec()).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let clerk = app.token("clerk").await;
        let (_, found) = app.get(&clerk, &format!("/api/v1/search?q={number}")).await;
        let id = found["items"][0]["id"].as_i64().unwrap();
        let (_, list) = app
            .get(&clerk, &format!("/api/v1/cases/{id}/attachments"))
            .await;
        assert_eq!(list[0]["uploaded_by"], "当事人雷小芬(在线)", "{list}");

        let (s, _) = app.act(&clerk, id, json!({"action": "reject", "reason": "不属于调解范围", "guidance": "请向人民法院起诉"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = upload(&app, "", &path, PNG.to_vec()).await;
        assert_eq!(s, StatusCode::CONFLICT, "not after the case ended: {e}");
    }
);
