//! Property-based model test of the ring: random sequences of operations on
//! one thread, checked step by step against a `VecDeque<Vec<u8>>` model that
//! follows the ring's rules for when space is taken and when it is freed.

use std::collections::VecDeque;

use llt_runtime::ring::{Consumer, FRAME_HEADER, Producer, PushError, frame_len, ring};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// `Producer::push` of a payload of this many bytes.
    Push(usize),
    /// `Consumer::refresh`.
    Refresh,
    /// `Consumer::peek`, then `advance` if it returned a record.
    PeekAdvance,
    /// `Consumer::peek` only.
    Peek,
    /// `Consumer::pop_copy`.
    PopCopy,
    /// `Consumer::release`.
    Release,
}

/// The ring as the model sees it: virtual positions and the records in it.
#[derive(Debug)]
struct Model {
    capacity: usize,
    /// Producer position: end of the last pushed frame.
    tail: usize,
    /// Consumer position: start of the next unread frame.
    head: usize,
    /// The head as last published to the producer; only space before it
    /// can be reused.
    published_head: usize,
    /// Unread records, oldest first.
    records: VecDeque<Vec<u8>>,
    /// How many of `records` were published before the last refresh, i.e.
    /// what `peek` may see.
    known: usize,
}

impl Model {
    fn new(capacity: usize) -> Self {
        Model {
            capacity,
            tail: 0,
            head: 0,
            published_head: 0,
            records: VecDeque::new(),
            known: 0,
        }
    }

    /// What `push` must return for a payload of `len` bytes; applies it.
    fn push(&mut self, payload: Vec<u8>) -> Result<(), PushError> {
        let len = payload.len();
        if len > self.capacity || frame_len(len) > self.capacity {
            return Err(PushError::TooLarge);
        }
        // The producer's cached head lags the published one, but it re-reads
        // the published head whenever the cached one says "full", so the
        // outcome depends on the published head alone.
        if self.tail + frame_len(len) - self.published_head > self.capacity {
            return Err(PushError::Full);
        }
        self.tail += frame_len(len);
        self.records.push_back(payload);
        Ok(())
    }

    fn refresh(&mut self) -> bool {
        self.known = self.records.len();
        self.known > 0
    }

    fn peek(&self) -> Option<&[u8]> {
        if self.known > 0 {
            Some(&self.records[0])
        } else {
            None
        }
    }

    /// Consumes the peeked record, with the automatic release once a
    /// quarter of the ring has been read since the last release.
    fn advance(&mut self) -> Vec<u8> {
        assert!(self.known > 0);
        let record = self.records.pop_front().unwrap();
        self.known -= 1;
        self.head += frame_len(record.len());
        if self.head - self.published_head >= self.capacity / 4 {
            self.release();
        }
        record
    }

    fn release(&mut self) {
        self.published_head = self.head;
    }

    fn pop_copy(&mut self) -> Option<Vec<u8>> {
        if self.known == 0 && !self.refresh() {
            return None;
        }
        let record = self.advance();
        self.release();
        Some(record)
    }
}

/// Payload bytes of the `n`th push attempt.
fn payload(n: u64, len: usize) -> Vec<u8> {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn op(capacity: usize) -> impl Strategy<Value = Op> {
    let sizes = prop_oneof![
        4 => 0..=16usize,
        4 => 0..=capacity / 2,
        2 => 0..=capacity + 16,
        // Near the largest record that fits, and just past it.
        2 => capacity - FRAME_HEADER - 16..=capacity + 1,
    ];
    prop_oneof![
        6 => sizes.prop_map(Op::Push),
        2 => Just(Op::Refresh),
        4 => Just(Op::PeekAdvance),
        1 => Just(Op::Peek),
        3 => Just(Op::PopCopy),
        2 => Just(Op::Release),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (6u32..=12).prop_flat_map(|shift| {
        let capacity = 1usize << shift;
        (Just(capacity), prop::collection::vec(op(capacity), 0..400))
    })
}

/// Runs `ops` on a real ring and on the model, comparing every result.
fn check(capacity: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut producer, mut consumer): (Producer, Consumer) = ring(capacity);
    let mut model = Model::new(capacity);
    for (n, op) in ops.iter().enumerate() {
        match *op {
            Op::Push(len) => {
                let data = payload(n as u64, len);
                let got = producer.push(&data);
                let want = model.push(data);
                prop_assert_eq!(got, want, "step {} {:?}: {:?}", n, op, model);
            }
            Op::Refresh => {
                prop_assert_eq!(consumer.refresh(), model.refresh(), "step {}", n);
            }
            Op::Peek => {
                prop_assert_eq!(consumer.peek(), model.peek(), "step {}", n);
            }
            Op::PeekAdvance => {
                prop_assert_eq!(consumer.peek(), model.peek(), "step {}", n);
                if consumer.peek().is_some() {
                    consumer.advance();
                    model.advance();
                }
            }
            Op::PopCopy => {
                prop_assert_eq!(consumer.pop_copy(), model.pop_copy(), "step {}", n);
            }
            Op::Release => {
                consumer.release();
                model.release();
            }
        }
    }
    // The producer goes away; everything left must come out intact, and the
    // ring is finished exactly when nothing is left.
    drop(producer);
    loop {
        let finished = consumer.is_finished();
        // `is_finished` refreshes, like the model's `refresh`.
        prop_assert_eq!(finished, !model.refresh(), "{:?}", model);
        if finished {
            break;
        }
        let got = consumer.pop_copy();
        prop_assert!(got.is_some());
        prop_assert_eq!(got, model.pop_copy());
    }
    prop_assert_eq!(consumer.pop_copy(), None);
    prop_assert!(model.records.is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 512 },
        ..ProptestConfig::default()
    })]

    #[test]
    fn ring_matches_model((capacity, ops) in scenario()) {
        check(capacity, &ops)?;
    }
}
