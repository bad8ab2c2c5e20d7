//! soap
