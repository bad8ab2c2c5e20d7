//! The integration tests: one binary, one module per area. The harness is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/smtp.rs"]
mod smtp;
mod support;

mod browser;
mod console;
mod console_browser;
mod foundation;
mod login;
mod reset;
mod soap;
