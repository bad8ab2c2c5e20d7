//! The integration tests: one binary, one module per area. The harness is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod foundation;
mod soap;
