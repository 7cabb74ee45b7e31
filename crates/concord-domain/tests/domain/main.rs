//! The domain's tests, one binary: the calendar on real dates and the lifecycle's
//! invariants under random sequences of actions.

mod audit;
mod calendar;
mod figures;
mod history;
mod lifecycle;
mod risk;
