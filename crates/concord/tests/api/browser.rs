//! Each role's main path in a real browser (Debian's headless Chromium, driven by
//! playwright-core from npm): `e2e/main-path.mjs` against a server on a fresh database.
//! Screenshots of every step land in `e2e/artifacts/<backend>/`.

use crate::both;
use crate::support::TestApp;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What is missing to drive a browser here, if anything.
fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node (apt-get install nodejs npm)".into());
    }
    install_playwright();
    if !repo().join("e2e/node_modules/playwright-core").exists() {
        return Some("e2e/node_modules (npm ci --prefix e2e)".into());
    }
    None
}

/// Installs the pinned playwright-core (e2e/package-lock.json) on first use, once.
fn install_playwright() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if repo().join("e2e/node_modules/playwright-core").exists() {
            return;
        }
        let status = Command::new("npm")
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(repo().join("e2e"))
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("npm ci --prefix e2e failed: {status:?}");
        }
    });
}

/// Runs `e2e/<script>.mjs` against the app; screenshots under `e2e/artifacts/<label>`.
async fn script(app: TestApp, script: &str, label: &str) {
    if let Some(what) = missing() {
        if std::env::var("CONCORD_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "the browser tests are required (CONCORD_REQUIRE_BROWSER=1) but {what} is missing"
            );
        }
        eprintln!("\n!!! NO BROWSER: {what} is missing\n!!! SKIPPING the end-to-end test\n");
        return;
    }
    let artifacts = repo().join("e2e/artifacts").join(label);
    let file = repo().join(format!("e2e/{script}.mjs"));
    let _ = std::fs::remove_dir_all(&artifacts);
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(file)
            .env("BASE_URL", base)
            .env("ARTIFACTS", &artifacts)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{script} failed in the browser:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed ("), "{stdout}");
}

fn backend(app: &TestApp) -> &'static str {
    if app.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    }
}

both!(
    citizen_clerk_dispatcher_mediator_parties_followup_and_leader_in_chromium,
    |app: TestApp| async move {
        let label = format!("main-{}", backend(&app));
        script(app, "main-path", &label).await
    }
);

both!(
    grid_worker_handler_judge_and_administrator_in_chromium,
    |app: TestApp| async move {
        let label = format!("roles-{}", backend(&app));
        script(app, "other-roles", &label).await
    }
);
