//! The tamper-evident record (审计链): each entry — a timeline event, or a view of a
//! party's full personal data — is chained to the one before by SHA-256, so that altering
//! or removing any entry breaks every hash after it. This module defines the entry's
//! canonical content and walks a chain; storage feeds it rows.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A transition or other event on a case's timeline.
    Event,
    /// Someone was shown a party's full phone or ID number.
    View,
    /// A closed case's personal data was removed under the retention policy.
    Anonymise,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::View => "view",
            Self::Anonymise => "anonymise",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "event" => Some(Self::Event),
            "view" => Some(Self::View),
            "anonymise" => Some(Self::Anonymise),
            _ => None,
        }
    }
}

/// A timeline event's content, as it stands in the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventContent {
    pub case_id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub reason: Option<String>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub details: String,
}

/// One entry of the record as kept; `digest` covers the content the entry stands for
/// (the event's row, or the view's own fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub chain_seq: i64,
    pub kind: EntryKind,
    pub case_id: i64,
    pub event_seq: Option<i64>,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub detail: String,
    pub digest: String,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The digest of an event's content (JSON of its fields in a fixed order).
pub fn event_digest(e: &EventContent) -> String {
    let json = serde_json::to_vec(e).expect("event content serializes");
    sha256_hex(&[&json])
}

/// The digest of an entry that stands for itself (a view, an anonymisation): its fields.
pub fn view_digest(
    case_id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: &str,
    detail: &str,
) -> String {
    let json = serde_json::to_vec(&(case_id, at, actor_id, actor, detail)).expect("serializes");
    sha256_hex(&[&json])
}

/// An entry's link in the chain: SHA-256 of the previous hash and the entry.
pub fn chain_hash(prev: &str, e: &Entry) -> String {
    let json = serde_json::to_vec(e).expect("entry serializes");
    sha256_hex(&[prev.as_bytes(), b"\n", &json])
}

/// What is wrong with the first bad entry; Chinese, for the person running the check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("第 {expected} 条记录缺失(下一条是第 {found} 条):记录被删除")]
    Missing { expected: i64, found: i64 },
    #[error("第 {chain_seq} 条记录(案件 {case_id} 第 {event_seq} 个事件)对应的事件已被删除")]
    EventRemoved {
        chain_seq: i64,
        case_id: i64,
        event_seq: i64,
    },
    #[error("第 {chain_seq} 条记录(案件 {case_id} 第 {event_seq} 个事件)的内容已被改动")]
    EventAltered {
        chain_seq: i64,
        case_id: i64,
        event_seq: i64,
    },
    #[error("第 {chain_seq} 条记录本身已被改动(哈希不符)")]
    EntryAltered { chain_seq: i64 },
    #[error("案件 {case_id} 第 {event_seq} 个事件不在记录中:它绕过了记录被写入")]
    Unrecorded { case_id: i64, event_seq: i64 },
    #[error("链中找不到此前记下的链尾哈希 {0}:其后的记录被删除,或整条链被重写")]
    HeadNotFound(String),
}

impl Problem {
    /// The chain position of the first bad entry, where there is one.
    pub fn chain_seq(&self) -> Option<i64> {
        match self {
            Self::Missing { expected, .. } => Some(*expected),
            Self::EventRemoved { chain_seq, .. }
            | Self::EventAltered { chain_seq, .. }
            | Self::EntryAltered { chain_seq } => Some(*chain_seq),
            Self::Unrecorded { .. } | Self::HeadNotFound(_) => None,
        }
    }
}

/// A stored entry as the walker sees it: the entry, its stored hash, and for an event
/// the event's current content (None when the event is gone).
#[derive(Clone, Debug)]
pub struct Stored {
    pub entry: Entry,
    pub hash: String,
    pub event: Option<EventContent>,
}

/// Walks a chain in order; `check` each stored entry, stopping at the first problem.
#[derive(Clone, Debug)]
pub struct Walker {
    next_seq: i64,
    head: String,
}

impl Default for Walker {
    fn default() -> Self {
        Self {
            next_seq: 1,
            head: GENESIS.to_string(),
        }
    }
}

impl Walker {
    pub fn check(&mut self, s: &Stored) -> Result<(), Problem> {
        let e = &s.entry;
        if e.chain_seq != self.next_seq {
            return Err(Problem::Missing {
                expected: self.next_seq,
                found: e.chain_seq,
            });
        }
        let expected = chain_hash(&self.head, e);
        if e.kind == EntryKind::Event {
            let (case_id, event_seq) = (e.case_id, e.event_seq.unwrap_or(0));
            let chain_seq = e.chain_seq;
            match &s.event {
                None => {
                    return Err(Problem::EventRemoved {
                        chain_seq,
                        case_id,
                        event_seq,
                    });
                }
                Some(c) if event_digest(c) != e.digest => {
                    return Err(Problem::EventAltered {
                        chain_seq,
                        case_id,
                        event_seq,
                    });
                }
                Some(_) => {}
            }
        } else if view_digest(e.case_id, e.at, e.actor_id, &e.actor_name, &e.detail) != e.digest {
            return Err(Problem::EntryAltered {
                chain_seq: e.chain_seq,
            });
        }
        if expected != s.hash {
            return Err(Problem::EntryAltered {
                chain_seq: e.chain_seq,
            });
        }
        self.head = expected;
        self.next_seq += 1;
        Ok(())
    }

    /// The hash of the last entry checked: write it down elsewhere, and a later check can
    /// show that nothing was cut from the end.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// How many entries have been checked.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }
}
