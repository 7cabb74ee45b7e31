//! The audit chain: an untouched chain checks out, and any single alteration or removal
//! is named at the entry where it happened.

use concord_domain::audit::{
    Entry, EntryKind, EventContent, GENESIS, Problem, Stored, Walker, chain_hash, event_digest,
    view_digest,
};
use proptest::prelude::*;

fn event(i: i64) -> EventContent {
    EventContent {
        case_id: 1 + i / 3,
        seq: 1 + i % 3,
        at: 1_700_000_000_000_000 + i,
        actor_id: Some(7),
        actor_name: "王丽".into(),
        action: "accept".into(),
        reason: None,
        from_status: Some("registered".into()),
        to_status: "accepted".into(),
        details: "{}".into(),
    }
}

/// A chain of `n` entries; every fifth is a view of personal data.
fn chain(n: usize) -> Vec<Stored> {
    let mut head = GENESIS.to_string();
    (0..n as i64)
        .map(|i| {
            let view = i % 5 == 4;
            let ev = event(i);
            let detail = if view {
                "查看当事人1的手机号".to_string()
            } else {
                String::new()
            };
            let digest = if view {
                view_digest(ev.case_id, ev.at, ev.actor_id, &ev.actor_name, &detail)
            } else {
                event_digest(&ev)
            };
            let entry = Entry {
                chain_seq: i + 1,
                kind: if view {
                    EntryKind::View
                } else {
                    EntryKind::Event
                },
                case_id: ev.case_id,
                event_seq: (!view).then_some(ev.seq),
                at: ev.at,
                actor_id: ev.actor_id,
                actor_name: ev.actor_name.clone(),
                detail,
                digest,
            };
            head = chain_hash(&head, &entry);
            Stored {
                entry,
                hash: head.clone(),
                event: (!view).then_some(ev),
            }
        })
        .collect()
}

fn walk(c: &[Stored]) -> Result<i64, Problem> {
    let mut w = Walker::default();
    for s in c {
        w.check(s)?;
    }
    Ok(w.checked())
}

#[test]
fn an_untouched_chain_checks_out_and_its_head_is_the_last_hash() {
    let c = chain(20);
    let mut w = Walker::default();
    for s in &c {
        w.check(s).unwrap();
    }
    assert_eq!(w.checked(), 20);
    assert_eq!(w.head(), c[19].hash);
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    RemoveEntry,
    RemoveEvent,
    EditEventText,
    EditEventTime,
    EditEntryActor,
    EditViewDetail,
    RewriteHashToo,
}

proptest! {
    #[test]
    fn any_single_tampering_is_named_where_it_happened(
        n in 2usize..40,
        pick in 0usize..1000,
        how in prop_oneof![
            Just(Tamper::RemoveEntry), Just(Tamper::RemoveEvent), Just(Tamper::EditEventText),
            Just(Tamper::EditEventTime), Just(Tamper::EditEntryActor),
            Just(Tamper::EditViewDetail), Just(Tamper::RewriteHashToo),
        ],
    ) {
        let mut c = chain(n);
        let i = pick % (n - 1); // not the last: cutting the tail is what the head is for
        let at = i as i64 + 1;
        let is_view = c[i].entry.kind == EntryKind::View;
        match how {
            Tamper::RemoveEntry => { c.remove(i); }
            Tamper::RemoveEvent if !is_view => c[i].event = None,
            Tamper::EditEventText if !is_view => c[i].event.as_mut().unwrap().details = "{\"x\":1}".into(),
            Tamper::EditEventTime if !is_view => c[i].event.as_mut().unwrap().at += 1,
            Tamper::EditEntryActor => c[i].entry.actor_name = "某人".into(),
            Tamper::EditViewDetail if is_view => c[i].entry.detail = "无".into(),
            Tamper::RewriteHashToo => {
                // Altering an event and recomputing its entry's digest and hash still
                // breaks the next link.
                if let Some(ev) = c[i].event.as_mut() { ev.details = "{\"y\":2}".into(); c[i].entry.digest = event_digest(ev); }
                else { c[i].entry.detail = "改".into(); let e = &c[i].entry; c[i].entry.digest = view_digest(e.case_id, e.at, e.actor_id, &e.actor_name, &e.detail); }
                let prev = if i == 0 { GENESIS.to_string() } else { c[i - 1].hash.clone() };
                c[i].hash = chain_hash(&prev, &c[i].entry);
                let p = walk(&c).unwrap_err();
                prop_assert_eq!(p, Problem::EntryAltered { chain_seq: at + 1 });
                return Ok(());
            }
            _ => return Ok(()),
        }
        let p = walk(&c).unwrap_err();
        prop_assert_eq!(p.chain_seq(), Some(at), "{}", p);
    }
}
