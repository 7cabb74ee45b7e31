//! The screening ledger (排查台账) as a worksheet, for the API and the command line.

use concord_docs::sheet::{Cell, Sheet};
use concord_domain::region::RegionCode;
use concord_store::screening::Finding;
use concord_store::{Store, StoreError};
use jiff::civil::Date;

/// Findings in one workbook, at most.
pub const MAX_ROWS: i64 = 200_000;

const COLUMNS: [&str; 12] = [
    "序号",
    "排查日期",
    "周期",
    "排查计划",
    "排查类型",
    "地点",
    "类别",
    "涉及人员",
    "情况",
    "处置结果",
    "事项编号",
    "记录人",
];

/// What became of a finding: its outcome on the spot, or the case it became.
pub fn outcome_label(f: &Finding) -> String {
    match &f.case {
        Some(c) => format!("已上报立案({})", c.number),
        None => f.outcome.label().to_string(),
    }
}

/// The ledger of `region`'s findings in [from, to], latest first.
pub async fn ledger(
    store: &Store,
    region: &RegionCode,
    from: Date,
    to: Date,
) -> Result<Sheet, StoreError> {
    let findings = store.findings(region, from, to, MAX_ROWS).await?;
    let mut sheet = Sheet::new("排查台账", &COLUMNS);
    for (i, f) in findings.iter().enumerate() {
        sheet.push(vec![
            Cell::Number((i + 1) as f64),
            f.found_on.to_string().into(),
            f.period.as_str().into(),
            f.schedule_title.as_str().into(),
            f.focus.label().into(),
            f.region_name.as_str().into(),
            f.category.label().into(),
            f.who.as_str().into(),
            f.description.as_str().into(),
            outcome_label(f).into(),
            f.case.as_ref().map(|c| c.number.clone()).into(),
            f.recorded_by.as_str().into(),
        ]);
    }
    Ok(sheet)
}
