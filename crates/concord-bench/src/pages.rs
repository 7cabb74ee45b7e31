//! The pages as a browser asks for them (the citizen's too), logged in with the session cookie: the
//! server renders each from the database on every request (issue 5: under 50 ms each at
//! 1,000,000 cases).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use rand::Rng;

use crate::load::{Sample, run};
use crate::server::Server;

/// (what, who, path); `{id}` is a random case.
const PAGES: &[(&str, &str, &str)] = &[
    ("page /work (dispatcher's queues)", "dispatcher", "/work"),
    ("page /cases (list)", "dispatcher", "/cases"),
    ("page /cases/{id} (case page)", "dispatcher", "/cases/{id}"),
    (
        "page /dashboard (county, this year)",
        "leader",
        "/dashboard",
    ),
    ("page /followups", "followup", "/followups"),
    ("page /calendar (mediator)", "mediator", "/calendar"),
    ("page /alerts", "dispatcher", "/alerts"),
    ("page /cases/new (intake form)", "clerk", "/cases/new"),
    ("page /dispatch (dispatch board)", "dispatcher", "/dispatch"),
    ("page /work (judge's confirmations)", "judge", "/work"),
    ("page /screening (grid worker)", "grid", "/screening"),
    ("page /admin/users", "admin", "/admin/users"),
    ("page /report (citizen's form)", "clerk", "/report"),
    ("page /track (citizen)", "clerk", "/track"),
];

impl Server {
    /// Logs in through the form and returns the session cookie.
    async fn cookie(&self, user: &str) -> Result<String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let r = client
            .post(format!("{}/login", self.base))
            .form(&[
                ("username", user),
                ("password", concord_demo::DEMO_PASSWORD),
            ])
            .send()
            .await?;
        let cookie = r
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .context("no session cookie")?
            .to_str()?;
        Ok(cookie.split(';').next().unwrap_or_default().to_string())
    }

    /// Each page in turn, 4 connections.
    pub async fn pages(&self, limit: Duration) -> Result<Vec<(String, Sample)>> {
        self.pages_named("", limit).await
    }

    /// The pages whose name holds `part`, each in turn, 4 connections.
    pub async fn pages_named(&self, part: &str, limit: Duration) -> Result<Vec<(String, Sample)>> {
        let named: Vec<_> = PAGES.iter().filter(|p| p.0.contains(part)).collect();
        if named.is_empty() {
            let all: Vec<&str> = PAGES.iter().map(|p| p.0).collect();
            anyhow::bail!(
                "no page is named with «{part}»; the pages: {}",
                all.join(", ")
            );
        }
        let ids = self.case_ids().await?;
        let mut out = Vec::new();
        for (name, user, path) in named {
            let cookie = Arc::new(self.cookie(user).await?);
            let (c, base, path) = (self.client.clone(), self.base.clone(), *path);
            let ids = ids.clone();
            let sample = run(4, 20_000, limit, move |_| {
                let id = ids[rand::rng().random_range(0..ids.len())];
                let u = format!("{base}{}", path.replace("{id}", &id.to_string()));
                let (c, cookie) = (c.clone(), cookie.clone());
                async move {
                    c.get(u)
                        .header(reqwest::header::COOKIE, cookie.as_str())
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success())
                }
            })
            .await;
            out.push((name.to_string(), sample));
        }
        Ok(out)
    }
}
