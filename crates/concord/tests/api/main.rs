//! Black-box tests through HTTP, one binary, every test on a fresh database — once on
//! SQLite and once on PostgreSQL (DATABASE_URL, default 127.0.0.1:5432/test).

mod support;
mod webhooks;

mod attachments;
mod audit;
mod auth;
mod backup;
mod browser;
mod calendar;
mod cases;
mod classify;
mod cli;
mod crash;
mod directory;
mod documents;
mod errors;
mod figures;
mod import;
mod intake;
mod listing;
mod matrix;
mod mediation;
mod mediators;
mod notifications;
mod numbering;
mod open311;
mod oversight;
mod pages;
mod public;
mod reports;
mod routing;
mod screening;
mod search;
mod seen;
