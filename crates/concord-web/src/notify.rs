//! Sending notifications: SMS to parties through the SMS sender, e-mail to staff over
//! SMTP, or both to the log (demo mode and tests). Runs beside the server, never in a
//! request; failures are retried with back-off, and a missing phone or address is noted
//! on the notification instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use concord_store::Store;
use concord_store::notifications::{DueNotice, Sent};
use jiff::Timestamp;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::sms::SmsSender;

/// One e-mail as the log sender kept it.
#[derive(Clone, Debug)]
pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

#[derive(Clone)]
pub enum MailSender {
    Log(Arc<Mutex<VecDeque<SentMail>>>),
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for MailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Log(_) => "MailSender::Log",
            Self::Smtp { .. } => "MailSender::Smtp",
        })
    }
}

impl Default for MailSender {
    fn default() -> Self {
        Self::Log(Arc::default())
    }
}

/// The log sender keeps this many messages.
const KEPT: usize = 100;

impl MailSender {
    /// Plain SMTP to a relay: `smtp://[user:password@]host[:port]` (port 25 by default).
    /// The relay is the center's own; TLS to the outside world is its business.
    pub fn smtp(url: &str, from: &str) -> Result<Self, String> {
        let u = reqwest::Url::parse(url).map_err(|e| format!("SMTP 地址“{url}”无效:{e}"))?;
        if u.scheme() != "smtp" {
            return Err(format!("SMTP 地址应以 smtp:// 开头:{url}"));
        }
        let host = u
            .host_str()
            .ok_or_else(|| format!("SMTP 地址缺少主机:{url}"))?;
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(u.port().unwrap_or(25))
            .timeout(Some(Duration::from_secs(10)));
        if !u.username().is_empty() {
            let user = percent_encoding::percent_decode_str(u.username()).decode_utf8_lossy();
            let pass = u.password().unwrap_or("");
            let pass = percent_encoding::percent_decode_str(pass).decode_utf8_lossy();
            b = b.credentials(Credentials::new(user.into_owned(), pass.into_owned()));
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("发件人地址“{from}”无效:{e}"))?;
        Ok(Self::Smtp {
            transport: b.build(),
            from,
        })
    }

    pub async fn deliver(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        match self {
            Self::Log(kept) => {
                tracing::info!(%to, %subject, "邮件(演示模式,未真正发送)");
                let mut k = kept.lock().expect("mail log");
                if k.len() == KEPT {
                    k.pop_front();
                }
                k.push_back(SentMail {
                    to: to.to_string(),
                    subject: subject.to_string(),
                    text: text.to_string(),
                });
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let to: Mailbox = to.parse().map_err(|e| format!("收件人地址无效:{e}"))?;
                let m = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(text.to_string())
                    .map_err(|e| e.to_string())?;
                transport
                    .send(m)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// What the log sender kept (empty for SMTP).
    pub fn sent(&self) -> Vec<SentMail> {
        match self {
            Self::Log(kept) => kept.lock().expect("mail log").iter().cloned().collect(),
            Self::Smtp { .. } => Vec::new(),
        }
    }
}

/// How notices leave the center.
#[derive(Clone, Debug, Default)]
pub struct Senders {
    pub sms: SmsSender,
    pub mail: MailSender,
}

/// Notices sent per round.
const BATCH: i64 = 32;

/// Cuts notices from new events and sends what is due; returns how many got through.
pub async fn notify_due(
    store: &Store,
    senders: &Senders,
    now: Timestamp,
) -> Result<usize, concord_store::StoreError> {
    store.cut_notifications(now).await?;
    let due = store.due_notifications(now, BATCH).await?;
    let mut through = 0;
    for n in &due {
        let outcome = send(store, senders, n).await?;
        if matches!(outcome, Sent::Delivered) {
            through += 1;
        } else if let Sent::Failed(e) = &outcome {
            tracing::warn!(notice = n.id, error = %e, "a notification failed; will retry");
        }
        store
            .record_notification(n.id, n.attempts, outcome, now)
            .await?;
    }
    Ok(through)
}

async fn send(
    store: &Store,
    senders: &Senders,
    n: &DueNotice,
) -> Result<Sent, concord_store::StoreError> {
    let result = match (n.channel.as_str(), n.party_ordinal, &n.email) {
        ("sms", Some(ordinal), _) => match store.party_phone(n.case_id, ordinal).await? {
            Some(phone) => senders.sms.deliver(&phone, &n.text).await,
            None => return Ok(Sent::NoAddress),
        },
        ("email", _, Some(to)) if !to.trim().is_empty() => {
            senders.mail.deliver(to, &n.subject, &n.text).await
        }
        _ => return Ok(Sent::NoAddress),
    };
    Ok(result.map_or_else(Sent::Failed, |()| Sent::Delivered))
}

/// How often new notices are sent, and how often dates are looked at.
const EVERY: Duration = Duration::from_secs(1);
const DATES_EVERY: u32 = 600;

/// Notifies for as long as the server runs.
pub async fn keep_notifying(store: Store, senders: Senders) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut round = 0u32;
    loop {
        tick.tick().await;
        if round.is_multiple_of(DATES_EVERY)
            && let Err(e) = store.date_notifications(Timestamp::now()).await
        {
            tracing::warn!(error = %e, "looking for deadlines to tell of failed");
        }
        round = round.wrapping_add(1);
        if let Err(e) = notify_due(&store, &senders, Timestamp::now()).await {
            tracing::warn!(error = %e, "notification round failed; will try again");
        }
    }
}
