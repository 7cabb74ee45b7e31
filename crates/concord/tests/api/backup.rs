//! `concord backup` while the server serves, `concord restore` back: the restored
//! database holds what the backup held and nothing after, its numbers still open with
//! the key file, and its audit chain is whole.

use concord_store::{Db, PartyKey, Store};

use crate::both;
use crate::support::{TestApp, dispute};

fn concord_on(app: &TestApp, database: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .args(["--database", database])
        .arg("--key-file")
        .arg(&app.key_file)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

both!(
    a_backup_taken_while_serving_restores_what_it_held,
    |app: TestApp| async move {
        let clerk = app.token("clerk").await;
        let mut kept = vec![];
        for _ in 0..3 {
            kept.push(app.create(&clerk, &dispute()).await["id"].as_i64().unwrap());
        }
        let dir = std::env::temp_dir().join(format!(
            "concord_backup_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("backup");
        let file_s = file.to_str().unwrap();
        let (ok, out) = concord_on(&app, &app.url, &["backup", file_s]);
        assert!(ok && out.contains("已备份"), "{out}");
        let (ok, out) = concord_on(&app, &app.url, &["backup", file_s]);
        assert!(!ok && out.contains("已存在"), "never overwrites: {out}");
        let nowhere = dir.join("no-such-dir").join("backup");
        let (ok, out) = concord_on(&app, &app.url, &["backup", nowhere.to_str().unwrap()]);
        assert!(
            !ok && out.contains("备份目录") && out.contains("不存在"),
            "{out}"
        );
        let later = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();

        let (key, _) = PartyKey::parse(&std::fs::read_to_string(&app.key_file).unwrap()).unwrap();
        let (restored_url, restored) = match app.store.db() {
            Db::Sqlite(_) => {
                // Into a new file: the test's own server still has the old one open.
                let url = format!("sqlite://{}", dir.join("restored.db").display());
                let (ok, out) = concord_on(&app, &url, &["restore", file_s]);
                assert!(ok, "{out}");
                (url.clone(), Store::open(&url, key).await.unwrap())
            }
            Db::Postgres(p) => {
                let (ok, out) = concord_on(&app, &app.url, &["restore", file_s]);
                assert!(ok, "{out}");
                (
                    app.url.clone(),
                    Store::from_db(Db::Postgres(p.clone()), key).await.unwrap(),
                )
            }
        };
        for id in &kept {
            let r = restored
                .case(*id)
                .await
                .unwrap()
                .expect("a case in the backup");
            assert_eq!(
                r.case.facts.parties[0].phone.as_ref().unwrap().as_str(),
                "13800138000"
            );
        }
        assert!(
            restored.case(later).await.unwrap().is_none(),
            "registered after the backup"
        );
        let (ok, out) = concord_on(&app, &restored_url, &["audit", "verify"]);
        assert!(ok, "{out}");

        // Not a backup: refused, nothing replaced.
        let junk = dir.join("junk");
        std::fs::write(&junk, b"not a database").unwrap();
        let (ok, out) = concord_on(&app, &restored_url, &["restore", junk.to_str().unwrap()]);
        assert!(!ok, "{out}");
        assert!(restored.case(kept[0]).await.unwrap().is_some());
        std::fs::remove_dir_all(&dir).ok();
    }
);
