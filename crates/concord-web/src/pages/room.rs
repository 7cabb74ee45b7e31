//! The online mediation room (线上调解室): the parties and the mediator talk live over a
//! WebSocket; every message is kept on the case before anyone sees it; the agreement is
//! read and signed in the room.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use concord_domain::case::Status;
use concord_store::CaseRecord;
use concord_store::room::{RoomMessage, Speaker};
use jiff::Timestamp;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::{Layout, PageError, PageUser, render, short_time};
use crate::AppState;
use crate::api::mediation::{AgreementView, agreement_view};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::session;

/// The rooms with someone in them: one broadcast channel per case.
#[derive(Clone, Default, Debug)]
pub struct RoomHub {
    rooms: Arc<Mutex<HashMap<i64, broadcast::Sender<RoomMessage>>>>,
}

impl RoomHub {
    fn sender(&self, case_id: i64) -> broadcast::Sender<RoomMessage> {
        let mut rooms = self.rooms.lock().expect("room hub");
        // Rooms nobody listens to any more are let go.
        rooms.retain(|_, tx| tx.receiver_count() > 0);
        rooms
            .entry(case_id)
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    /// Tells everyone in the room (if anyone is there).
    pub fn announce(&self, m: RoomMessage) {
        let _ = self.sender(m.case_id).send(m);
    }
}

/// A line of the transcript as the page shows it.
pub struct Said {
    pub author: String,
    pub at: String,
    pub body: String,
    pub mine: bool,
}

fn said(list: Vec<RoomMessage>, me: &Speaker) -> Vec<Said> {
    list.into_iter()
        .map(|m| Said {
            mine: match me {
                Speaker::Party { ordinal, .. } => m.party == Some(*ordinal),
                Speaker::Staff { name, .. } => m.party.is_none() && &m.author == name,
                Speaker::System => false,
            },
            author: m.author,
            at: short_time(&crate::views::local_time(m.at)),
            body: m.body,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "app/room.html")]
struct StaffRoom {
    layout: Layout,
    case_id: i64,
    number: String,
    said: Vec<Said>,
    agreement: Option<AgreementView>,
    parties: Vec<String>,
    open: bool,
}

fn open(r: &CaseRecord) -> bool {
    matches!(
        r.case.status,
        Status::Assigned | Status::InMediation | Status::Agreed
    )
}

pub async fn staff_room(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let r = crate::api::cases::load_case(&s, &layout.user, &id).await?;
    let me = staff(&layout);
    let said = said(s.store.room_messages(r.case.id, 0).await?, &me);
    let agreement = s
        .store
        .agreement(r.case.id)
        .await?
        .map(|a| agreement_view(r.case.id, a, r.case.agreement_signed));
    render(&StaffRoom {
        case_id: r.case.id,
        number: r.case.number.clone(),
        said,
        agreement,
        parties: r
            .case
            .facts
            .parties
            .iter()
            .map(|p| p.name.clone())
            .collect(),
        open: open(&r),
        layout,
    })
}

fn staff(layout: &Layout) -> Speaker {
    Speaker::Staff {
        user_id: layout.user.id,
        name: format!("{}({})", layout.user.display_name, layout.user.role.label()),
    }
}

fn party_speaker(r: &CaseRecord, ordinal: usize) -> Speaker {
    let p = &r.case.facts.parties[ordinal];
    Speaker::Party {
        ordinal,
        name: format!("{}({})", p.name, p.role.label()),
    }
}

#[derive(Deserialize)]
pub struct PartyQuery {
    number: Option<String>,
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "app/party_room.html")]
struct PartyRoom {
    number: String,
    code: String,
    error: Option<String>,
    found: Option<PartyRoomCase>,
}

struct PartyRoomCase {
    case_id: i64,
    name: String,
    status: &'static str,
    deadline: String,
    said: Vec<Said>,
    agreement: Option<AgreementView>,
    signed: bool,
    open: bool,
}

/// The party's room: with the case number and their code.
pub async fn party_room(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<PartyQuery>,
) -> Result<Response, PageError> {
    let number = q.number.unwrap_or_default().trim().to_string();
    let code = q.code.unwrap_or_default().trim().to_string();
    let mut page = PartyRoom {
        number: number.clone(),
        code: code.clone(),
        error: None,
        found: None,
    };
    if !number.is_empty() || !code.is_empty() {
        match crate::api::party::party_of(&s, ip, &number, &code).await {
            Ok((r, party)) => {
                let me = party_speaker(&r, party);
                let agreement = s.store.agreement(r.case.id).await?;
                let signed = agreement
                    .as_ref()
                    .is_some_and(|a| a.signatures.iter().any(|g| g.party == party));
                page.found = Some(PartyRoomCase {
                    case_id: r.case.id,
                    name: r.case.facts.parties[party].name.clone(),
                    status: r.case.status.label(),
                    deadline: r
                        .case
                        .deadline
                        .map(crate::views::last_day)
                        .unwrap_or_default(),
                    said: said(s.store.room_messages(r.case.id, 0).await?, &me),
                    agreement: agreement.map(|a| {
                        let mut v = agreement_view(r.case.id, a, r.case.agreement_signed);
                        v.signatures.iter_mut().for_each(|g| g.image_url = None);
                        v
                    }),
                    signed,
                    open: open(&r),
                });
            }
            Err(ApiError::TooManyRequests) => {
                page.error = Some("尝试次数过多,请稍后再试".into());
            }
            Err(ApiError::NotFoundMessage(m)) => page.error = Some(m),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct SocketQuery {
    number: Option<String>,
    code: Option<String>,
}

/// Another site's page must not open a room in a staff member's name: the browser's
/// Origin must be this server's.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    match (headers.get("origin").and_then(|o| o.to_str().ok()), host) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        _ => false,
    }
}

/// The room's live channel: the party with number and code, staff with their session.
pub async fn socket(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Query(q): Query<SocketQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (record, me) = match (q.number, q.code) {
        (Some(number), Some(code)) => {
            let (r, party) = crate::api::party::party_of(&s, ip, &number, &code).await?;
            let me = party_speaker(&r, party);
            (r, me)
        }
        _ => {
            if !same_origin(&headers) {
                return Err(ApiError::Forbidden("来源不明的连接".into()));
            }
            let token = session::cookie_token(&headers).ok_or(ApiError::Unauthorized)?;
            let user = s
                .store
                .session_user(&token, s.demo)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            let r = crate::api::cases::load_case(&s, &user, &id).await?;
            let me = Speaker::Staff {
                user_id: user.id,
                name: format!("{}({})", user.display_name, user.role.label()),
            };
            (r, me)
        }
    };
    if record.case.id.to_string() != id {
        return Err(ApiError::NotFound("事项"));
    }
    let case_id = record.case.id;
    let writable = open(&record);
    Ok(ws.on_upgrade(move |socket| talk(s, case_id, me, writable, socket)))
}

#[derive(Deserialize)]
struct Incoming {
    body: String,
}

/// One person in the room: what they send is stored, then shown to everyone.
async fn talk(s: AppState, case_id: i64, me: Speaker, writable: bool, mut socket: WebSocket) {
    let mut rx = s.rooms.sender(case_id).subscribe();
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Ok(m) => {
                    let text = serde_json::to_string(&m).unwrap_or_default();
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(text) = msg else { continue };
                let reply = match serde_json::from_str::<Incoming>(&text) {
                    Ok(_) if !writable => Some("本事项已不在调解阶段,不能再发言".to_string()),
                    Ok(inc) => match s.store.post_room_message(case_id, &me, &inc.body, Timestamp::now()).await {
                        Ok(m) => {
                            s.rooms.announce(m);
                            None
                        }
                        Err(concord_store::StoreError::Invalid(e)) => {
                            Some(e.0.first().map_or_else(|| "消息有误".into(), |f| f.message.clone()))
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "room message not stored");
                            Some("消息未能保存,请重试".to_string())
                        }
                    },
                    Err(_) => Some("消息格式有误".to_string()),
                };
                if let Some(error) = reply {
                    let text = serde_json::json!({ "error": error }).to_string();
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
