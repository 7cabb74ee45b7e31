//! The ledger (台账) of cases: every case the list's filters select, one row each, as a
//! spreadsheet. Cases are read a page at a time by the list's keyset, so a large ledger
//! never holds more than a page of cases and its rows in memory.

use concord_docs::sheet::{Cell, Sheet};
use concord_domain::case::Case;
use concord_domain::figures::Dimension;
use concord_domain::time::local_date;
use concord_store::list::{CaseFilter, MAX_PAGE};
use concord_store::{Store, StoreError};
use jiff::Timestamp;

use super::Names;

/// More rows than this is not a ledger anyone reads: the filter should be narrower.
pub const MAX_ROWS: usize = 200_000;

const COLUMNS: [&str; 19] = [
    "案件编号",
    "登记日期",
    "类型",
    "受理渠道",
    "纠纷类别",
    "所在区划",
    "涉及人数",
    "涉及金额(元)",
    "层级",
    "状态",
    "牵头单位",
    "调解员",
    "办理期限",
    "是否超期",
    "办结日期",
    "办结方式",
    "满意度",
    "风险等级",
    "事由摘要",
];

/// The ledger of the cases `filter` selects, or None when there are more than
/// [`MAX_ROWS`].
pub async fn ledger(
    store: &Store,
    mut filter: CaseFilter,
    names: &Names,
    now: Timestamp,
) -> Result<Option<Sheet>, StoreError> {
    let mut sheet = Sheet::new("矛盾纠纷台账", &COLUMNS);
    filter.limit = MAX_PAGE;
    loop {
        let page = store.list_cases(&filter, now).await?;
        for s in &page.items {
            sheet.push(row(&s.case, names, now));
        }
        if sheet.rows.len() > MAX_ROWS {
            return Ok(None);
        }
        match page.next {
            Some(next) => filter.after = Some(next),
            None => return Ok(Some(sheet)),
        }
    }
}

fn date(t: Option<Timestamp>) -> Cell {
    t.map(|t| local_date(t).to_string()).into()
}

fn row(c: &Case, names: &Names, now: Timestamp) -> Vec<Cell> {
    let f = &c.facts;
    let overdue = c.status.is_open() && c.deadline.is_some_and(|d| d <= now);
    let summary: String = f.description.chars().take(120).collect();
    vec![
        c.number.clone().into(),
        date(Some(c.registered_at)),
        f.kind.label().into(),
        f.channel.label().into(),
        f.category.label().into(),
        names.region(f.region.as_str()).into(),
        u64::from(f.complainants).into(),
        f.amount_fen.map(|a| a as f64 / 100.0).into(),
        f.level.label().into(),
        c.status.label().into(),
        c.lead_unit
            .map(|u| names.of(Dimension::Unit, &u.to_string()))
            .into(),
        c.mediator
            .map(|m| names.of(Dimension::Mediator, &m.to_string()))
            .into(),
        date(c.deadline),
        (if overdue { "是" } else { "否" }).into(),
        date(c.closed_at),
        c.outcome.map(|o| o.label()).into(),
        c.satisfaction.map(|s| s.label()).into(),
        c.risk_level.map(|r| r.label()).into(),
        summary.into(),
    ]
}
