//! The only module that knows XML: envelopes, WSDL serving, faults, and one submodule per admin service mapping
//! operations to `App` use cases.

pub mod envelope;
pub mod xml;
