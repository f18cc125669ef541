use std::sync::Mutex;

use llt_rs::Loggable;

#[derive(Debug, Loggable)]
struct Account {
    id: String,
    balance: Mutex<u64>,
}

fn main() {}
