//! The seed's usage example, unchanged: `usage.rs.txt` is the code block of
//! `shared/seed/non-blocking-logger.md` byte for byte (kept out of rustfmt's
//! reach, which would strip its trailing spaces). It must compile against
//! `llt_rs::logger::Logger` and print all 101 lines before it exits.

include!("usage.rs.txt");
