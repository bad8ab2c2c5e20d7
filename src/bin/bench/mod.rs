//! The pieces of `forcereset-bench`: a raw HTTP/1.1 keep-alive client, the closed-loop load generator, the
//! processes under test (the real binary and the bare-hyper baseline), seeding, the scenarios, the
//! command-line options and the report.

pub mod baseline;
pub mod client;
pub mod load;
pub mod options;
pub mod procs;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod seed;
