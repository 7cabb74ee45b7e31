//! Text messages to people outside (验证码, later notices): a pluggable sender. The log
//! sender (demo mode and tests) writes each message to the log and keeps the last ones
//! in memory; the gateway sender posts `{"phone": …, "text": …}` as JSON to an SMS
//! gateway over HTTP (the center's own platform, or a proxy in front of a carrier's).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message as the log sender kept it.
#[derive(Clone, Debug)]
pub struct SentSms {
    pub phone: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub enum SmsSender {
    Log(Arc<Mutex<VecDeque<SentSms>>>),
    Gateway {
        url: String,
        client: reqwest::Client,
    },
}

impl Default for SmsSender {
    fn default() -> Self {
        Self::Log(Arc::default())
    }
}

/// The log sender keeps this many messages.
const KEPT: usize = 100;

impl SmsSender {
    pub fn gateway(url: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        Self::Gateway {
            url: url.to_string(),
            client,
        }
    }

    /// Sends in the background: the answer to whoever asked must not wait on (or reveal,
    /// by its timing) the delivery.
    pub fn send(&self, phone: String, text: String) {
        if let Self::Log(kept) = self {
            return keep(kept, &phone, &text);
        }
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.deliver(&phone, &text).await {
                tracing::warn!(error = %e, phone = %mask(&phone), "an SMS was not delivered");
            }
        });
    }

    /// Sends one message and says whether the gateway took it.
    pub async fn deliver(&self, phone: &str, text: &str) -> Result<(), String> {
        match self {
            Self::Log(kept) => {
                keep(kept, phone, text);
                Ok(())
            }
            Self::Gateway { url, client } => {
                let body = serde_json::json!({"phone": phone, "text": text});
                match client.post(url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => Ok(()),
                    Ok(r) => Err(format!("短信网关拒收:{}", r.status())),
                    Err(e) => Err(format!("短信网关无法连接:{e}")),
                }
            }
        }
    }

    /// What the log sender kept (empty for a gateway).
    pub fn sent(&self) -> Vec<SentSms> {
        match self {
            Self::Log(kept) => kept.lock().expect("sms log").iter().cloned().collect(),
            Self::Gateway { .. } => Vec::new(),
        }
    }
}

fn mask(phone: &str) -> String {
    let n = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i + 4 >= n { c } else { '*' })
        .collect()
}

/// The log sender: the message goes to the log (masked) and the last ones are kept.
fn keep(kept: &Mutex<VecDeque<SentSms>>, phone: &str, text: &str) {
    tracing::info!(phone = %mask(phone), %text, "短信(演示模式,未真正发送)");
    let mut k = kept.lock().expect("sms log");
    if k.len() == KEPT {
        k.pop_front();
    }
    k.push_back(SentSms {
        phone: phone.to_string(),
        text: text.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gateway_gets_the_phone_and_the_text_as_json() {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<serde_json::Value>(1);
        let app = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
                let tx = tx.clone();
                async move {
                    tx.send(v).await.ok();
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        SmsSender::gateway(&format!("http://{addr}/sms"))
            .send("13800138000".into(), "验证码123456".into());
        let got = rx.recv().await.unwrap();
        assert_eq!(
            got,
            serde_json::json!({"phone": "13800138000", "text": "验证码123456"})
        );
        assert_eq!(mask("13800138000"), "138****8000");
    }
}
