//! The integration tests: one binary, one module per area. The harness is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/smtp.rs"]
mod smtp;
mod support;
mod web_client;

mod abuse;
mod browser;
mod concurrency;
mod console;
mod console_browser;
mod crash;
mod foundation;
mod hostile;
mod login;
mod reset;
mod soap;
