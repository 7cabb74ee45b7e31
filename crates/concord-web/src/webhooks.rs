//! Sending webhook deliveries: each body signed with HMAC-SHA256 under the subscriber's
//! secret, a bounded wait for the answer, the outcome logged on the delivery. Runs beside
//! the server, never in a request: a subscriber that hangs or fails slows nobody's intake.

use std::time::Duration;

use concord_store::Store;
use concord_store::webhooks::DueDelivery;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// How long a subscriber has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries sent at once (each to a different case, so order is kept).
const BATCH: i64 = 32;

/// The signature header's value: `sha256=` and the hex HMAC of the body.
pub fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A client for deliveries: plain HTTP, bounded waits, no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain HTTP client builds")
}

/// Cuts new deliveries from the sealed record and sends what is due; returns how many
/// got through.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    now: Timestamp,
) -> Result<usize, concord_store::StoreError> {
    store.fan_out_webhooks(now).await?;
    let due = store.due_deliveries(now, BATCH).await?;
    let sent = futures::future::join_all(due.iter().map(|d| send(client, d))).await;
    let mut through = 0;
    for (d, outcome) in due.iter().zip(sent) {
        match &outcome {
            Ok(s) if (200..300).contains(s) => through += 1,
            other => tracing::warn!(delivery = d.id, webhook = d.webhook_id, outcome = ?other,
                                    attempts = d.attempts + 1, "a webhook delivery failed; will retry"),
        }
        store
            .record_delivery(d.id, d.attempts, outcome, now)
            .await?;
    }
    Ok(through)
}

async fn send(client: &reqwest::Client, d: &DueDelivery) -> Result<u16, String> {
    let r = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("x-concord-event", &d.event)
        .header("x-concord-delivery", d.id.to_string())
        .header("x-concord-signature", signature(&d.secret, &d.body))
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(r.status().as_u16())
}

/// How often the server looks for deliveries to send.
const EVERY: Duration = Duration::from_secs(1);

/// Delivers webhooks for as long as the server runs.
pub async fn keep_delivering(store: Store) {
    let client = client();
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&store, &client, Timestamp::now()).await {
            tracing::warn!(error = %e, "webhook delivery round failed; will try again");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_the_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
