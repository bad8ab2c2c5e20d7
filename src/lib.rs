//! forcereset: WSO2 Identity Server's admin forced password reset, in one binary.
pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod mail;
pub mod rest;
pub mod routes;
pub mod soap;
pub mod store;
pub mod util;
pub mod web;
