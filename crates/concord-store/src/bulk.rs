//! Inserting many cases at once: a few multi-row statements per batch instead of a few
//! statements per case. Each statement is a round trip (and, on SQLite, a hand-off to the
//! driver's thread), so registration, imports and the demo all go through here — a
//! registration is a batch of one, or of as many as arrived during the last commit.

use std::collections::{BTreeMap, HashMap};

use concord_domain::case::{Case, Party};
use concord_domain::lifecycle::EventDraft;
use concord_domain::time::{local_date, to_micros};

use crate::accounts::Actor;
use crate::args::{Arg, Args, Marks};
use crate::cases::{BuiltCase, format_number};
use crate::keys::PartyKey;
use crate::list::township_key;

/// Rows per statement: within SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT: usize = 400;

/// Takes `n` numbers at once for a county's year: returns the last; a rollback returns
/// them all, so numbers stay without gaps.
pub(crate) const TAKE_SEQS: &str =
    "INSERT INTO case_counters (county_code, year, last_seq) VALUES ($1, $2, $3)
    ON CONFLICT (county_code, year) DO UPDATE SET last_seq = case_counters.last_seq + excluded.last_seq
    RETURNING last_seq";

const CASE_HEAD: &str = "INSERT INTO cases (number, county_code, year, seq, kind, channel,
    category, description, region_code, address, amount_fen, complainants, complexity, level,
    tier, status, lead_unit, responsible_person, mediator, registered_at, accepted_at,
    clock_start, deadline, acceptance_due, statutory_deadline, outcome, closed_at, satisfaction,
    version, township_code, category_confirmed, intake_window, petition, transfer, source,
    external_ref, tracking_hash, repeat_of, skip_level_of, suspended_since, pending_extension,
    extensions, round, agreement_version, agreement_signed, follow_up_due, performance,
    risk_level) VALUES ";

const PARTY_HEAD: &str = "INSERT INTO parties (case_id, ordinal, role, kind, name, phone,
    id_number, phone_key, id_key) VALUES ";

const SEARCH_HEAD_SQLITE: &str = "INSERT INTO case_search (rowid, terms) VALUES ";
/// PostgreSQL's rows carry the case's place and number (migration 0027).
const SEARCH_HEAD_POSTGRES: &str =
    "INSERT INTO case_search (case_id, terms, region_code, year, seq)
    SELECT column1, array_to_tsvector(string_to_array(column2, ' ')), column3, column4, column5
    FROM (VALUES ";

const EVENT_HEAD: &str = "INSERT INTO case_events (case_id, seq, at, actor_id, actor_name,
    action, reason, from_status, to_status, details) VALUES ";

const CO_HANDLER_HEAD: &str = "INSERT INTO case_co_handlers (case_id, org_id) VALUES ";

/// A case's county (the numbering county's code) and year of registration.
pub(crate) fn numbering_key(c: &Case) -> (String, i16) {
    let county = c.facts.region.numbering_county().prefix().to_string();
    (county, local_date(c.registered_at).year())
}

/// Groups the batch by county and year, in order: (county, year, positions).
pub(crate) fn numbering_groups(batch: &[BuiltCase]) -> Vec<(String, i16, Vec<usize>)> {
    let mut groups: BTreeMap<(String, i16), Vec<usize>> = BTreeMap::new();
    for (i, b) in batch.iter().enumerate() {
        groups.entry(numbering_key(&b.case)).or_default().push(i);
    }
    groups.into_iter().map(|((c, y), v)| (c, y, v)).collect()
}

/// Gives the cases at `positions` the numbers ending at `last`, in order.
pub(crate) fn assign_numbers(
    batch: &mut [BuiltCase],
    county: &str,
    year: i16,
    positions: &[usize],
    last: i64,
) {
    let first = last - positions.len() as i64 + 1;
    for (k, &i) in positions.iter().enumerate() {
        batch[i].case.number = format_number(county, year, first + k as i64);
    }
}

fn ts(t: Option<jiff::Timestamp>) -> Arg {
    Arg::OptInt(t.map(to_micros))
}

fn json_arg<T: serde::Serialize>(v: &Option<T>) -> Arg {
    Arg::OptText(
        v.as_ref()
            .map(|v| serde_json::to_string(v).expect("serializes")),
    )
}

/// A numbered case's place in its county's year.
fn seq_of(c: &Case) -> i64 {
    c.number
        .rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("numbered before insert")
}

fn case_row(b: &BuiltCase) -> Vec<Arg> {
    let c = &b.case;
    let f = &c.facts;
    let (county, year) = numbering_key(c);
    let seq = seq_of(c);
    let text = |s: &str| Arg::Text(s.to_string());
    vec![
        text(&c.number),
        Arg::Text(county),
        Arg::Int(i64::from(year)),
        Arg::Int(seq),
        text(f.kind.as_str()),
        text(f.channel.as_str()),
        text(f.category.as_str()),
        text(&f.description),
        text(f.region.as_str()),
        text(&f.address),
        Arg::OptInt(f.amount_fen),
        Arg::Int(i64::from(f.complainants)),
        text(f.complexity.as_str()),
        text(f.level.as_str()),
        text(f.tier.as_str()),
        text(c.status.as_str()),
        Arg::OptInt(c.lead_unit),
        Arg::OptInt(c.responsible_person),
        Arg::OptInt(c.mediator),
        Arg::Int(to_micros(c.registered_at)),
        ts(c.accepted_at),
        ts(c.clock_start),
        ts(c.deadline),
        ts(c.acceptance_due),
        ts(c.statutory_deadline),
        Arg::OptText(c.outcome.map(|o| o.as_str().to_string())),
        ts(c.closed_at),
        Arg::OptText(c.satisfaction.map(|s| s.as_str().to_string())),
        Arg::Int(c.version),
        text(township_key(&f.region)),
        Arg::Bool(c.category_confirmed),
        Arg::OptText(f.intake.window.map(|w| w.as_str().to_string())),
        json_arg(&f.intake.petition),
        json_arg(&f.intake.transfer),
        Arg::OptText(f.intake.source.clone()),
        Arg::OptText(f.intake.external_ref.clone()),
        Arg::OptText(b.tracking_hash.clone()),
        Arg::OptInt(c.repeat_of),
        Arg::OptInt(c.skip_level_of),
        ts(c.suspended_since),
        Arg::OptInt(c.pending_extension.map(i64::from)),
        Arg::Int(i64::from(c.extensions)),
        Arg::Int(i64::from(c.round)),
        Arg::OptInt(c.agreement_version.map(i64::from)),
        Arg::Bool(c.agreement_signed),
        ts(c.follow_up_due),
        Arg::OptText(c.performance.map(|p| p.as_str().to_string())),
        Arg::OptText(c.risk_level.map(|r| r.as_str().to_string())),
    ]
}

/// One event row of a case's timeline.
pub(crate) fn event_row(case_id: i64, seq: i64, e: &EventDraft, a: &Actor) -> Vec<Arg> {
    vec![
        Arg::Int(case_id),
        Arg::Int(seq),
        Arg::Int(to_micros(e.at)),
        Arg::OptInt(a.user_id),
        Arg::Text(a.name.clone()),
        Arg::Text(e.action.as_str().to_string()),
        Arg::OptText(e.reason.clone()),
        Arg::OptText(e.from.map(|s| s.as_str().to_string())),
        Arg::Text(e.to.as_str().to_string()),
        Arg::Text(e.details.to_string()),
    ]
}

/// `head` followed by the rows, as statements of at most ROWS_PER_STATEMENT rows each.
pub(crate) fn statements(
    marks: Marks,
    head: &str,
    tail: &str,
    rows: impl IntoIterator<Item = Vec<Arg>>,
) -> Vec<(String, Args)> {
    let mut out = Vec::new();
    let mut args = Args::new(marks);
    let mut values: Vec<String> = Vec::new();
    for row in rows {
        values.push(args.row(row));
        if values.len() == ROWS_PER_STATEMENT {
            out.push((format!("{head}{}{tail}", values.join(", ")), args));
            args = Args::new(marks);
            values.clear();
        }
    }
    if !values.is_empty() {
        out.push((format!("{head}{}{tail}", values.join(", ")), args));
    }
    out
}

/// The statements that insert the (numbered) cases, returning each one's id and number.
pub(crate) fn case_statements(marks: Marks, batch: &[BuiltCase]) -> Vec<(String, Args)> {
    statements(
        marks,
        CASE_HEAD,
        " RETURNING id, number",
        batch.iter().map(case_row),
    )
}

/// Sets each case's id from what the inserts returned.
pub(crate) fn assign_ids(batch: &mut [BuiltCase], returned: Vec<(i64, String)>) {
    let ids: HashMap<String, i64> = returned.into_iter().map(|(id, n)| (n, id)).collect();
    for b in batch.iter_mut() {
        b.case.id = ids[&b.case.number];
    }
}

/// A party's personal numbers as stored: sealed, with their keyed hashes for matching.
/// Worked out before a case reaches the writer, so that the encryption runs in the
/// caller's task and not in the one task every write waits for.
#[derive(Debug, Clone)]
pub struct SealedParty {
    phone: Option<String>,
    id_number: Option<String>,
    phone_key: Option<String>,
    id_key: Option<String>,
}

impl SealedParty {
    pub(crate) fn of(p: &Party, key: &PartyKey) -> Self {
        Self {
            phone: p.phone.as_ref().map(|x| key.seal(x.as_str())),
            id_number: p.id_number.as_ref().map(|x| key.seal(x.as_str())),
            phone_key: p.phone.as_ref().map(|x| key.phone(x)),
            id_key: p.id_number.as_ref().map(|x| key.id_number(x)),
        }
    }
}

/// One party row, with its numbers sealed.
pub(crate) fn party_row(case_id: i64, ordinal: usize, p: &Party, s: SealedParty) -> Vec<Arg> {
    vec![
        Arg::Int(case_id),
        Arg::Int(ordinal as i64),
        Arg::Text(p.role.as_str().to_string()),
        Arg::Text(p.kind.as_str().to_string()),
        Arg::Text(p.name.clone()),
        Arg::OptText(s.phone),
        Arg::OptText(s.id_number),
        Arg::OptText(s.phone_key),
        Arg::OptText(s.id_key),
    ]
}

/// A case's row in the full-text index: its terms, and for PostgreSQL's index its
/// place and number.
pub(crate) struct SearchRow<'a> {
    pub id: i64,
    pub terms: &'a str,
    pub region: &'a str,
    pub year: i64,
    pub seq: i64,
}

impl<'a> SearchRow<'a> {
    pub fn of(c: &'a Case, terms: &'a str) -> Self {
        SearchRow {
            id: c.id,
            terms,
            region: c.facts.region.as_str(),
            year: i64::from(numbering_key(c).1),
            seq: seq_of(c),
        }
    }
}

/// The statements that put cases' search terms in the full-text index.
pub(crate) fn search_statements<'a>(
    marks: Marks,
    rows: impl IntoIterator<Item = SearchRow<'a>>,
) -> Vec<(String, Args)> {
    let text = |s: &str| Arg::Text(s.to_string());
    // Anonymous marks are SQLite's (FTS5, keyed by rowid); numbered ones PostgreSQL's.
    match marks {
        Marks::Anonymous => {
            let rows = rows
                .into_iter()
                .map(|r| vec![Arg::Int(r.id), text(r.terms)]);
            statements(marks, SEARCH_HEAD_SQLITE, "", rows)
        }
        Marks::Numbered => {
            let rows = rows.into_iter().map(|r| {
                let place = [text(r.region), Arg::Int(r.year), Arg::Int(r.seq)];
                [Arg::Int(r.id), text(r.terms)]
                    .into_iter()
                    .chain(place)
                    .collect()
            });
            statements(marks, SEARCH_HEAD_POSTGRES, ") AS v", rows)
        }
    }
}

/// Parties, co-handlers, timelines and search terms of cases that have their ids.
pub(crate) fn detail_statements(
    marks: Marks,
    batch: &[BuiltCase],
    key: &PartyKey,
) -> Vec<(String, Args)> {
    let parties = batch.iter().flat_map(|b| {
        let sealed = b.sealed_parties(key);
        b.case
            .facts
            .parties
            .iter()
            .zip(sealed)
            .enumerate()
            .map(|(i, (p, s))| party_row(b.case.id, i, p, s))
    });
    let co = batch.iter().flat_map(|b| {
        b.case
            .co_handlers
            .iter()
            .map(|o| vec![Arg::Int(b.case.id), Arg::Int(*o)])
    });
    let events = batch.iter().flat_map(|b| {
        b.events
            .iter()
            .enumerate()
            .map(|(i, (e, a))| event_row(b.case.id, i as i64 + 1, e, a))
    });
    let mut all = statements(marks, PARTY_HEAD, "", parties);
    all.extend(statements(marks, CO_HANDLER_HEAD, "", co));
    all.extend(statements(marks, EVENT_HEAD, "", events));
    let terms = batch
        .iter()
        .map(|b| SearchRow::of(&b.case, b.search_terms.as_str()));
    all.extend(search_statements(marks, terms));
    all.extend(agreement_statements(marks, batch));
    all.extend(open311_statements(marks, batch));
    all
}

const OPEN311_HEAD: &str = "INSERT INTO open311_requests (case_id, api_key_id, token,
    service_code, lat, long, address_id, media_url, email, device_id, account_id, attributes,
    requested_at) VALUES ";

/// What Open311 requests brought beside their cases.
fn open311_statements(marks: Marks, batch: &[BuiltCase]) -> Vec<(String, Args)> {
    let rows = batch.iter().filter_map(|b| {
        let (f, token) = b.open311.as_ref()?;
        Some(vec![
            Arg::Int(b.case.id),
            Arg::Int(f.api_key_id),
            Arg::Text(token.clone()),
            Arg::Text(f.service_code.clone()),
            Arg::OptText(f.lat.clone()),
            Arg::OptText(f.long.clone()),
            Arg::OptText(f.address_id.clone()),
            Arg::OptText(f.media_url.clone()),
            Arg::OptText(f.email.clone()),
            Arg::OptText(f.device_id.clone()),
            Arg::OptText(f.account_id.clone()),
            Arg::Text(f.attributes.clone()),
            Arg::Int(to_micros(b.case.registered_at)),
        ])
    });
    statements(marks, OPEN311_HEAD, "", rows)
}

const AGREEMENT_HEAD: &str =
    "INSERT INTO agreements (case_id, version, facts, terms, text, text_hash,
    created_by, created_at) VALUES ";
const SIGNATURE_HEAD: &str = "INSERT INTO signatures (case_id, agreement_version, party_ordinal,
    method, signer_name, text_hash, recorded_by, signed_at) VALUES ";

/// Agreements built into histories, with their in-person signatures.
fn agreement_statements(marks: Marks, batch: &[BuiltCase]) -> Vec<(String, Args)> {
    // The signed text names the case's number, known only now.
    let made: Vec<(&BuiltCase, &crate::cases::BuiltAgreement, String)> = batch
        .iter()
        .filter_map(|b| {
            let a = b.agreement.as_ref()?;
            let text = concord_domain::agreement::signed_text(
                &b.case.number,
                &b.case.facts.parties,
                &a.text,
            );
            Some((b, a, text))
        })
        .collect();
    let rows = made.iter().map(|(b, a, signed)| {
        vec![
            Arg::Int(b.case.id),
            Arg::Int(1),
            Arg::Text(a.text.facts.clone()),
            Arg::Text(serde_json::to_string(&a.text.terms).expect("terms serialize")),
            Arg::Text(signed.clone()),
            Arg::Text(crate::mediation::text_hash(signed)),
            Arg::Text(a.by.clone()),
            Arg::Int(to_micros(a.at)),
        ]
    });
    let mut out = statements(marks, AGREEMENT_HEAD, "", rows);
    let sigs = made.iter().flat_map(|(b, a, signed)| {
        a.signatures.iter().map(move |(party, method, at)| {
            vec![
                Arg::Int(b.case.id),
                Arg::Int(1),
                Arg::Int(*party as i64),
                Arg::Text(method.as_str().to_string()),
                Arg::Text(b.case.facts.parties[*party].name.clone()),
                Arg::Text(crate::mediation::text_hash(signed)),
                Arg::Text(a.by.clone()),
                Arg::Int(to_micros(*at)),
            ]
        })
    });
    out.extend(statements(marks, SIGNATURE_HEAD, "", sigs));
    out
}

/// Numbers and inserts a batch of cases with their parties, co-handlers and timelines on
/// `$conn` (inside the caller's transaction), with `$marks` placeholders and `$key` for
/// the parties' keyed hashes. Evaluates to `Result<(), sqlx::Error>`.
macro_rules! insert_cases {
    ($conn:expr, $batch:expr, $marks:expr, $key:expr) => {{
        let marks: $crate::args::Marks = $marks;
        let key: &$crate::keys::PartyKey = $key;
        let batch: &mut [$crate::cases::BuiltCase] = $batch;
        async {
            for (county, year, positions) in $crate::bulk::numbering_groups(batch) {
                let last: i64 = sqlx::query_scalar($crate::bulk::TAKE_SEQS)
                    .bind(&county)
                    .bind(i64::from(year))
                    .bind(positions.len() as i64)
                    .fetch_one(&mut *$conn)
                    .await?;
                $crate::bulk::assign_numbers(batch, &county, year, &positions, last);
            }
            let mut returned: Vec<(i64, String)> = Vec::with_capacity(batch.len());
            for (sql, args) in $crate::bulk::case_statements(marks, batch) {
                let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                let rows: Vec<(i64, String)> = $crate::args::bind_all!(q, &args.0)
                    .fetch_all(&mut *$conn)
                    .await?;
                returned.extend(rows);
            }
            $crate::bulk::assign_ids(batch, returned);
            for (sql, args) in $crate::bulk::detail_statements(marks, batch, key) {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                $crate::args::bind_all!(q, &args.0)
                    .execute(&mut *$conn)
                    .await?;
            }
            let rollup = $crate::figures::Rollup::of_cases(batch.iter().map(|b| &b.case));
            $crate::figures::apply_rollup!($conn, rollup.statements(marks));
            Ok::<(), sqlx::Error>(())
        }
        .await
    }};
}
pub(crate) use insert_cases;
