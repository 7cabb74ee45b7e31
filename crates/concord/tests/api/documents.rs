//! Formatted documents: made from the case, kept with it, readable as PDF (checked by
//! extracting the text with `pdftotext`, from poppler-utils) and as .docx.

use std::io::Read;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// The text of a PDF, as `pdftotext` extracts it.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!(
        "concord_pdf_{}_{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (install poppler-utils: apt-get install poppler-utils)");
    let _ = std::fs::remove_dir_all(dir);
    assert!(out.status.success(), "pdftotext failed");
    // Extraction may break lines anywhere; compare without them.
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(['\n', ' '], "")
}

/// The main XML part of a .docx.
fn docx_text(docx: &[u8]) -> String {
    let end = docx
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("a zip");
    assert!(end > 0);
    // Find word/document.xml's local header and inflate its data.
    let name = b"word/document.xml";
    let at = docx.windows(name.len()).position(|w| w == name).unwrap() - 30;
    let h = &docx[at..];
    let size = u32::from_le_bytes(h[18..22].try_into().unwrap()) as usize;
    let name_len = u16::from_le_bytes(h[26..28].try_into().unwrap()) as usize;
    let start = 30 + name_len;
    let mut out = String::new();
    flate2_free_inflate(&h[start..start + size])
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn flate2_free_inflate(data: &[u8]) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(miniz_oxide::inflate::decompress_to_vec(data).expect("deflate data"))
}

async fn generate(app: &TestApp, t: &str, id: i64, kind: &str) -> (StatusCode, Value) {
    app.post(
        t,
        &format!("/api/v1/cases/{id}/documents"),
        &json!({"kind": kind}),
    )
    .await
}

async fn bytes(app: &TestApp, t: &str, url: &str) -> Vec<u8> {
    let r = app
        .client
        .get(app.url(url))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.bytes().await.unwrap().to_vec()
}

both!(
    the_mediation_agreement_is_a_pdf_and_a_docx_with_the_parties_names,
    |app: TestApp| async move {
        let t = app.token("dispatcher").await;
        let id = app.create(&t, &dispute()).await["id"].as_i64().unwrap();
        let (s, e) = generate(&app, &t, id, "acceptance_notice").await;
        assert_eq!(s, StatusCode::CONFLICT, "not accepted yet: {e}");
        let (s, e) = generate(&app, &t, id, "summons").await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
        );
        app.act(&t, id, json!({"action": "accept"})).await;
        let (s, notice) = generate(&app, &t, id, "acceptance_notice").await;
        assert_eq!(s, StatusCode::CREATED, "{notice}");
        let text = pdf_text(&bytes(&app, &t, notice["pdf_url"].as_str().unwrap()).await);
        assert!(
            text.contains("受理通知书") && text.contains("王某某"),
            "{text}"
        );

        let room = app.org("老李帮忙团调解室").await;
        app.act(
            &t,
            id,
            json!({"action": "assign", "lead_unit": room, "reason": "点单"}),
        )
        .await;
        app.act(&t, id, json!({"action": "start_mediation"})).await;
        let (s, e) = generate(&app, &t, id, "mediation_agreement").await;
        assert_eq!(s, StatusCode::CONFLICT, "no agreement drafted: {e}");
        app.act(
            &t,
            id,
            json!({"action": "reach_agreement", "summary": "赔偿"}),
        )
        .await;
        app.agree_and_sign(&t, id).await;
        let (s, doc) = generate(&app, &t, id, "mediation_agreement").await;
        assert_eq!(s, StatusCode::CREATED, "{doc}");
        assert_eq!(doc["version"], 1);
        let pdf = bytes(&app, &t, doc["pdf_url"].as_str().unwrap()).await;
        assert!(
            pdf.starts_with(b"%PDF-") && pdf.len() < 200_000,
            "{} bytes",
            pdf.len()
        );
        let text = pdf_text(&pdf);
        for want in [
            "人民调解协议书",
            "王某某",
            "李某",
            "被申请人赔偿修缮费5000元",
            "老李帮忙团调解室",
            "李建华",
        ] {
            assert!(text.contains(want), "{want} missing from: {text}");
        }
        let xml = docx_text(&bytes(&app, &t, doc["docx_url"].as_str().unwrap()).await);
        assert!(
            xml.contains("王某某") && xml.contains("人民调解协议书"),
            "{xml}"
        );
        let (_, again) = generate(&app, &t, id, "mediation_agreement").await;
        assert_eq!(again["version"], 2, "each is kept");
        let (_, list) = app.get(&t, &format!("/api/v1/cases/{id}/documents")).await;
        assert_eq!(list.as_array().unwrap().len(), 3);

        let judge = app.token("judge").await;
        let court = app.org("云和县人民法院").await;
        app.act(
            &t,
            id,
            json!({"action": "apply_confirmation", "court": court}),
        )
        .await;
        let (s, app_doc) = generate(&app, &t, id, "confirmation_application").await;
        assert_eq!(s, StatusCode::CREATED);
        let text = pdf_text(&bytes(&app, &t, app_doc["pdf_url"].as_str().unwrap()).await);
        assert!(
            text.contains("云和县人民法院") && text.contains("司法确认"),
            "{text}"
        );
        let (s, c) = app
            .act(
                &judge,
                id,
                json!({"action": "deny_confirmation", "reason": "协议内容需补充履行方式"}),
            )
            .await;
        assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("agreed")));
        app.act(
            &t,
            id,
            json!({"action": "apply_confirmation", "court": court}),
        )
        .await;
        let (_, c) = app
            .act(
                &judge,
                id,
                json!({"action": "confirm", "ruling": "(2026)浙1125民特7号"}),
            )
            .await;
        assert_eq!(c["outcome"], "agreement_confirmed");
    }
);

both!(
    the_administrator_edits_templates_and_a_bad_one_is_refused_naming_the_line,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let (_, all) = app.get(&admin, "/api/v1/templates").await;
        assert_eq!(all.as_array().unwrap().len(), 8);
        let bad = json!({"source": "# 受理通知书\n{{applicant}}\n{{nmae}}"});
        let (s, e) = app
            .put(&admin, "/api/v1/templates/acceptance_notice", &bad)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e["error"]["message"].as_str().unwrap().contains("第3行"),
            "{e}"
        );
        let good = json!({"source": "# 受理告知书\n= {{number}}\n{{applicant}}同志:你的事项已受理,特此告知。\n> {{center}}"});
        let (s, _) = app
            .put(&clerk, "/api/v1/templates/acceptance_notice", &good)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, t) = app
            .put(&admin, "/api/v1/templates/acceptance_notice", &good)
            .await;
        assert_eq!((s, t["custom"].as_bool()), (StatusCode::OK, Some(true)));

        let id = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        app.act(&clerk, id, json!({"action": "accept"})).await;
        let (_, doc) = generate(&app, &clerk, id, "acceptance_notice").await;
        let text = pdf_text(&bytes(&app, &clerk, doc["pdf_url"].as_str().unwrap()).await);
        assert!(
            text.contains("王某某同志:你的事项已受理")
                || text.contains("王某某同志：你的事项已受理"),
            "{text}"
        );
        let (s, t) = app
            .put(
                &admin,
                "/api/v1/templates/acceptance_notice",
                &json!({"source": null}),
            )
            .await;
        assert_eq!(
            (s, t["custom"].as_bool()),
            (StatusCode::OK, Some(false)),
            "back to the default"
        );
    }
);

both!(
    a_rejection_notice_gives_the_guidance_and_a_follow_up_record_the_call,
    |app: TestApp| async move {
        let d = app.token("dispatcher").await;
        let id = app.create(&d, &dispute()).await["id"].as_i64().unwrap();
        app.act(&d, id, json!({"action": "reject", "reason": "不属于人民调解受理范围", "guidance": "请向云和县人民法院起诉"})).await;
        let (s, doc) = generate(&app, &d, id, "rejection_notice").await;
        assert_eq!(s, StatusCode::CREATED, "{doc}");
        let text = pdf_text(&bytes(&app, &d, doc["pdf_url"].as_str().unwrap()).await);
        assert!(text.contains("请向云和县人民法院起诉"), "{text}");

        let id = app.create(&d, &dispute()).await["id"].as_i64().unwrap();
        app.act(&d, id, json!({"action": "accept"})).await;
        let room = app.org("老李帮忙团调解室").await;
        app.act(
            &d,
            id,
            json!({"action": "assign", "lead_unit": room, "reason": "点单"}),
        )
        .await;
        app.act(&d, id, json!({"action": "start_mediation"})).await;
        app.act(
            &d,
            id,
            json!({"action": "fail_mediation", "reason": "双方分歧过大"}),
        )
        .await;
        app.act(
            &d,
            id,
            json!({"action": "refer", "to": "litigation", "reason": "调解不成"}),
        )
        .await;
        let (s, doc) = generate(&app, &d, id, "referral_letter").await;
        assert_eq!(s, StatusCode::CREATED, "{doc}");
        let text = pdf_text(&bytes(&app, &d, doc["pdf_url"].as_str().unwrap()).await);
        assert!(text.contains("诉讼") && text.contains("调解不成"), "{text}");
        app.act(&d, id, json!({"action": "close"})).await;
        let f = app.token("followup").await;
        app.act(&f, id, json!({"action": "follow_up", "satisfaction": "basically_satisfied", "method": "phone", "performance": "not_applicable", "note": "当事人已向法院起诉"})).await;
        let (s, doc) = generate(&app, &f, id, "followup_record").await;
        assert_eq!(s, StatusCode::CREATED, "{doc}");
        let text = pdf_text(&bytes(&app, &f, doc["pdf_url"].as_str().unwrap()).await);
        assert!(
            text.contains("基本满意") && text.contains("电话回访") && text.contains("叶小芳"),
            "{text}"
        );
    }
);
