//! The integration tests: one binary, one module per area. The harness is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The tests check what the server left in the store (`App::store_for_tests`), and some clocks start at real time.
#![allow(clippy::disallowed_methods)]

#[path = "../common/smtp.rs"]
mod smtp;
mod support;
mod web_client;

mod abuse;
mod browser;
mod concurrency;
mod console;
mod console_browser;
mod console_tenants;
mod crash;
mod dashboard;
mod expiry;
mod first_hour;
mod foundation;
mod hostile;
mod login;
mod oauth;
mod oauth_consent;
mod oauth_logout;
mod oauth_tenants;
mod pages_browser;
mod readme;
mod reset;
mod rest;
mod rest_tenants;
mod scim;
mod scim_groups;
mod soap;
mod soap_tenants;
mod templates;
mod tenants;
mod tidy;
mod wso2;
