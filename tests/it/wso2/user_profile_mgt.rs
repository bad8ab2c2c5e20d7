//! Ported from WSO2's tests: to be filled.
