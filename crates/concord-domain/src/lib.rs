//! Concord's domain core: the territory, the case and its lifecycle, the working-day
//! calendar. Pure: no I/O, no async, no clock — callers pass `now` in.
//! Storage and HTTP depend on this crate, never the reverse.

pub mod access;
pub mod action;
pub mod agreement;
pub mod alert;
pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod category;
mod clock;
pub use clock::extend as extend_deadline;
pub mod custody;
pub mod deadline;
mod effects;
pub mod error;
pub mod figures;
pub mod history;
pub mod intake;
pub mod lifecycle;
pub mod mediator;
pub mod notice;
pub mod open311;
pub mod org;
pub mod person;
pub mod region;
pub mod risk;
pub mod routing;
pub mod screening;
pub mod session;
pub mod surge;
pub mod time;

pub use error::{FieldError, FieldErrors};
