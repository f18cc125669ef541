//! The rolling file sink: names, size and time rotation with an injected
//! clock, retention, lines never split, open errors, and recovery after a
//! failed rotation.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use llt_runtime::rolling::{RETRY_INTERVAL, RollingError, RollingFile, Rotation};
use llt_runtime::{LineFormat, Logger};

/// 2026-11-23T14:00:00Z.
const NOV23_14H: u64 = 1_795_442_400;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;
/// 2026-11-24T00:00:00Z.
const NOV24: u64 = NOV23_14H + 10 * HOUR;

/// A fresh directory under the system temp dir, removed on drop.
struct TestDir(PathBuf);

impl TestDir {
    fn new(test: &str) -> TestDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "llt-rolling-{}-{test}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TestDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names of the entries in the directory, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
struct FakeClock(Arc<AtomicU64>);

impl FakeClock {
    fn at(secs: u64) -> FakeClock {
        FakeClock(Arc::new(AtomicU64::new(secs)))
    }

    fn set(&self, secs: u64) {
        self.0.store(secs, SeqCst);
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), SeqCst);
    }

    fn func(&self) -> impl Fn() -> SystemTime + Send + 'static {
        let secs = self.0.clone();
        move || UNIX_EPOCH + Duration::from_secs(secs.load(SeqCst))
    }
}

/// `line-07\n`: 8 bytes.
fn line(i: usize) -> String {
    format!("line-{i:02}\n")
}

fn lines(range: std::ops::Range<usize>) -> String {
    range.map(line).collect()
}

/// Writes `text` with a single `write` call and checks it took it all.
fn write_once(file: &mut RollingFile, text: &str) {
    assert_eq!(file.write(text.as_bytes()).unwrap(), text.len(), "{text:?}");
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn size_rotation_numbers_files_oldest_first() {
    let dir = TestDir::new("size");
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(20)
        .open()
        .unwrap();
    assert_eq!(
        dir.names(),
        strings(&["app.log"]),
        "open creates the live file"
    );
    for i in 0..7 {
        write_once(&mut file, &line(i));
    }
    // 2 lines (16 bytes) fit in 20; a third would make 24.
    assert_eq!(
        dir.names(),
        strings(&["app.log", "app.log.1", "app.log.2", "app.log.3"])
    );
    assert_eq!(dir.read("app.log.1"), lines(0..2));
    assert_eq!(dir.read("app.log.2"), lines(2..4));
    assert_eq!(dir.read("app.log.3"), lines(4..6));
    assert_eq!(dir.read("app.log"), lines(6..7));
}

#[test]
fn a_file_fills_up_to_exactly_max_size() {
    let dir = TestDir::new("exact");
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(16)
        .open()
        .unwrap();
    write_once(&mut file, &lines(0..2));
    assert_eq!(dir.names(), strings(&["app.log"]));
    write_once(&mut file, &line(2));
    assert_eq!(dir.read("app.log.1"), lines(0..2));
    assert_eq!(dir.read("app.log"), line(2));
}

#[test]
fn one_write_is_split_at_line_boundaries() {
    let dir = TestDir::new("split");
    let max = 30;
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(max)
        .open()
        .unwrap();
    // Lines of varying length (3 to 12 bytes), many files' worth.
    let text: String = (0..40)
        .map(|i| format!("{}\n", "x".repeat(2 + i * 7 % 11)))
        .collect();
    write_once(&mut file, &text);
    drop(file);

    let mut rotated: Vec<u32> = dir
        .names()
        .iter()
        .filter_map(|n| n.strip_prefix("app.log.")?.parse().ok())
        .collect();
    rotated.sort_unstable();
    assert!(rotated.len() >= 5, "{:?}", dir.names());
    assert_eq!(rotated, (1..=rotated.len() as u32).collect::<Vec<_>>());
    // Oldest first, then the live file.
    let mut order: Vec<String> = rotated.iter().map(|k| format!("app.log.{k}")).collect();
    order.push("app.log".into());
    let mut joined = String::new();
    for name in &order {
        let content = dir.read(name);
        assert!(
            content.len() as u64 <= max,
            "{name}: {} bytes",
            content.len()
        );
        assert!(content.ends_with('\n'), "{name} ends mid-line: {content:?}");
        joined += &content;
    }
    assert_eq!(joined, text, "every line once, in order, none split");
    // Each file was filled: the next line would not have fit.
    for pair in order.windows(2) {
        let (full, next) = (dir.read(&pair[0]), dir.read(&pair[1]));
        let next_line = next.split_inclusive('\n').next().unwrap();
        assert!(full.len() + next_line.len() > max as usize, "{pair:?}");
    }
}

#[test]
fn retention_deletes_the_oldest_numbered_files() {
    let dir = TestDir::new("keep");
    // Left over from a run with a larger `keep`, and files that are not ours.
    for (name, content) in [
        ("app.log.9", "stale\n"),
        ("app.log.old", "mine\n"),
        ("app.log.0", "mine\n"),
        ("other.log.5", "mine\n"),
    ] {
        fs::write(dir.join(name), content).unwrap();
    }
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(16)
        .keep(2)
        .open()
        .unwrap();
    for i in 0..10 {
        write_once(&mut file, &line(i));
    }
    // Numbering goes on after the highest number found (9); the stale
    // file is the oldest, deleted with the next ones beyond 2.
    assert_eq!(
        dir.names(),
        strings(&[
            "app.log",
            "app.log.0",
            "app.log.12",
            "app.log.13",
            "app.log.old",
            "other.log.5"
        ])
    );
    assert_eq!(dir.read("app.log.12"), lines(4..6));
    assert_eq!(dir.read("app.log.13"), lines(6..8));
    assert_eq!(dir.read("app.log"), lines(8..10));
    assert_eq!(dir.read("app.log.old"), "mine\n");
}

/// 2,000 size rotations with the default keep-all. Each rotated file keeps
/// the name its rotation gave it, checked by inode: after every rotation
/// `app.log.1` is still the first rotated file, and at the end every
/// `app.log.<k>` is the file that was live before rotation k. So rotation k
/// renames one file, not k (the cost no longer grows with the files kept).
#[cfg(unix)]
#[test]
fn a_rotation_renames_only_the_live_file() {
    use std::os::unix::fs::MetadataExt;
    const ROTATIONS: usize = 2_000;
    let dir = TestDir::new("many");
    let inode = |name: &str| fs::metadata(dir.join(name)).unwrap().ino();
    // Every line is longer than 1 byte: each gets a file of its own, so
    // each write after the first rotates.
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(1)
        .open()
        .unwrap();
    write_once(&mut file, "0\n");
    let mut rotated_inodes = Vec::with_capacity(ROTATIONS);
    for k in 1..=ROTATIONS {
        rotated_inodes.push(inode("app.log"));
        write_once(&mut file, &format!("{k}\n"));
        assert_eq!(
            inode("app.log.1"),
            rotated_inodes[0],
            "rotation {k} renamed app.log.1"
        );
    }
    drop(file);
    assert_eq!(dir.names().len(), ROTATIONS + 1, "nothing deleted");
    for (i, &want) in rotated_inodes.iter().enumerate() {
        let name = format!("app.log.{}", i + 1);
        assert_eq!(inode(&name), want, "{name} was renamed after its rotation");
        assert_eq!(dir.read(&name), format!("{i}\n"));
    }
    assert_eq!(dir.read("app.log"), format!("{ROTATIONS}\n"));
}

#[test]
fn a_reopened_log_numbers_on_after_its_highest_file() {
    let dir = TestDir::new("reopen");
    let open = || {
        RollingFile::builder(dir.join("app.log"))
            .max_size(1)
            .keep(3)
            .open()
            .unwrap()
    };
    let mut file = open();
    for i in 0..10 {
        write_once(&mut file, &line(i));
    }
    assert_eq!(
        dir.names(),
        strings(&["app.log", "app.log.7", "app.log.8", "app.log.9"])
    );
    assert_eq!(dir.read("app.log.9"), line(8));
    drop(file);

    let mut file = open();
    write_once(&mut file, &line(10));
    assert_eq!(
        dir.names(),
        strings(&["app.log", "app.log.10", "app.log.8", "app.log.9"])
    );
    assert_eq!(dir.read("app.log.10"), line(9));
    assert_eq!(dir.read("app.log"), line(10));
}

#[test]
fn keep_zero_leaves_only_the_live_file() {
    let dir = TestDir::new("keep0");
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(16)
        .keep(0)
        .open()
        .unwrap();
    for i in 0..5 {
        write_once(&mut file, &line(i));
    }
    assert_eq!(dir.names(), strings(&["app.log"]));
    assert_eq!(dir.read("app.log"), line(4));
}

#[test]
fn a_line_longer_than_max_size_goes_whole_into_its_own_file() {
    let dir = TestDir::new("long");
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(10)
        .open()
        .unwrap();
    let long = format!("{}\n", "L".repeat(29));
    write_once(&mut file, "ab\n");
    write_once(&mut file, &long);
    assert_eq!(dir.read("app.log.1"), "ab\n");
    assert_eq!(dir.read("app.log"), long);
    write_once(&mut file, "cd\n");
    assert_eq!(dir.read("app.log.1"), "ab\n");
    assert_eq!(dir.read("app.log.2"), long);
    assert_eq!(dir.read("app.log"), "cd\n");

    // A batch bigger than max_size starting with a long line: the long line
    // alone (whole), then the rest split at line boundaries.
    let batch = format!("{long}ef\ngh\nij\nkl\n");
    write_once(&mut file, &batch);
    // "cd\n" (3) + long (30) > 10: rotated before the long line; then the
    // long line filled a file by itself; then 3 short lines fit in 10.
    assert_eq!(
        dir.names(),
        strings(&[
            "app.log",
            "app.log.1",
            "app.log.2",
            "app.log.3",
            "app.log.4",
            "app.log.5"
        ])
    );
    assert_eq!(dir.read("app.log.1"), "ab\n");
    assert_eq!(dir.read("app.log.2"), long);
    assert_eq!(dir.read("app.log.3"), "cd\n");
    assert_eq!(dir.read("app.log.4"), long);
    assert_eq!(dir.read("app.log.5"), "ef\ngh\nij\n");
    assert_eq!(dir.read("app.log"), "kl\n");
}

#[test]
fn a_line_written_in_pieces_is_never_split() {
    let dir = TestDir::new("pieces");
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(10)
        .open()
        .unwrap();
    write_once(&mut file, "12\n");
    // The first piece fits, the second would overflow, yet the line stays
    // in one file.
    write_once(&mut file, "abcd");
    write_once(&mut file, "efghij");
    write_once(&mut file, "\n");
    assert_eq!(dir.names(), strings(&["app.log"]));
    assert_eq!(dir.read("app.log"), "12\nabcdefghij\n");
    // At the next line boundary it rotates; a piece that ends one line and
    // starts another is split at its newline.
    write_once(&mut file, "next");
    write_once(&mut file, "line\nmore");
    write_once(&mut file, "\n");
    assert_eq!(dir.read("app.log.1"), "12\nabcdefghij\n");
    assert_eq!(dir.read("app.log.2"), "nextline\n");
    assert_eq!(dir.read("app.log"), "more\n");
    // `writeln!` with runtime arguments writes a line in several calls:
    // "0123" fits (9 bytes), so the whole line stays here.
    let (a, b) = (String::from("0123"), String::from("456"));
    writeln!(file, "{a}{b}").unwrap();
    assert_eq!(dir.names(), strings(&["app.log", "app.log.1", "app.log.2"]));
    assert_eq!(dir.read("app.log"), "more\n0123456\n");
}

#[test]
fn daily_rotation_names_files_after_their_day() {
    let dir = TestDir::new("daily");
    let clock = FakeClock::at(NOV24 - 60); // 23:59:00
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "a\n");
    clock.set(NOV24 - 1);
    write_once(&mut file, "b\n");
    assert_eq!(dir.names(), strings(&["app.log"]), "same day: no rotation");
    clock.set(NOV24 + 1);
    write_once(&mut file, "c\n");
    assert_eq!(dir.names(), strings(&["app.2026-11-23.log", "app.log"]));
    assert_eq!(dir.read("app.2026-11-23.log"), "a\nb\n");
    assert_eq!(dir.read("app.log"), "c\n");
    // Two silent days later: the file is named after the day of its lines
    // (the 24th), not the day it is rotated.
    clock.set(NOV24 + 2 * DAY + 10 * HOUR);
    write_once(&mut file, "d\n");
    assert_eq!(
        dir.names(),
        strings(&["app.2026-11-23.log", "app.2026-11-24.log", "app.log"])
    );
    assert_eq!(dir.read("app.2026-11-24.log"), "c\n");
    assert_eq!(dir.read("app.log"), "d\n");
}

#[test]
fn hourly_rotation_names_files_after_their_hour() {
    let dir = TestDir::new("hourly");
    let clock = FakeClock::at(NOV23_14H + HOUR - 1); // 14:59:59
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Hourly)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "at 14\n");
    clock.set(NOV23_14H + HOUR); // 15:00:00
    write_once(&mut file, "at 15\n");
    assert_eq!(dir.names(), strings(&["app.2026-11-23T14.log", "app.log"]));
    assert_eq!(dir.read("app.2026-11-23T14.log"), "at 14\n");
    // Across midnight.
    clock.set(NOV24 - 1);
    write_once(&mut file, "at 23\n");
    clock.set(NOV24);
    write_once(&mut file, "at 0\n");
    assert_eq!(
        dir.names(),
        strings(&[
            "app.2026-11-23T14.log",
            "app.2026-11-23T15.log",
            "app.2026-11-23T23.log",
            "app.log"
        ])
    );
    assert_eq!(dir.read("app.2026-11-23T15.log"), "at 15\n");
    assert_eq!(dir.read("app.2026-11-23T23.log"), "at 23\n");
    clock.set(NOV24 + 1);
    write_once(&mut file, "still 0\n");
    clock.set(NOV24 + HOUR);
    write_once(&mut file, "at 1\n");
    assert_eq!(dir.read("app.2026-11-24T00.log"), "at 0\nstill 0\n");
    assert_eq!(dir.read("app.log"), "at 1\n");
}

#[test]
fn size_and_time_rotation_number_the_parts_of_a_period() {
    let dir = TestDir::new("both");
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .max_size(16)
        .clock(clock.func())
        .open()
        .unwrap();
    for i in 0..5 {
        write_once(&mut file, &line(i));
    }
    assert_eq!(
        dir.names(),
        strings(&["app.2026-11-23.log.1", "app.2026-11-23.log.2", "app.log"])
    );
    assert_eq!(dir.read("app.2026-11-23.log.1"), lines(0..2));
    assert_eq!(dir.read("app.2026-11-23.log.2"), lines(2..4));
    clock.set(NOV24 + 5);
    write_once(&mut file, &line(5));
    assert_eq!(
        dir.names(),
        strings(&[
            "app.2026-11-23.log",
            "app.2026-11-23.log.1",
            "app.2026-11-23.log.2",
            "app.log"
        ])
    );
    assert_eq!(
        dir.read("app.2026-11-23.log"),
        line(4),
        "the day's last part"
    );
    assert_eq!(dir.read("app.2026-11-23.log.2"), lines(2..4));
    assert_eq!(dir.read("app.2026-11-23.log.1"), lines(0..2));
    assert_eq!(dir.read("app.log"), line(5));
    // Size rotation on the next day numbers that day's parts.
    write_once(&mut file, &lines(6..8));
    assert_eq!(dir.read("app.2026-11-24.log.1"), lines(5..7));
    assert_eq!(dir.read("app.log"), line(7));
}

/// A period's unnumbered file that exists before the period ends (left by
/// a run whose clock was ahead) becomes its next numbered part, so the
/// order stays: numbered parts, then the unnumbered last one.
#[test]
fn an_early_file_of_the_period_keeps_the_order() {
    let dir = TestDir::new("early");
    fs::write(dir.join("app.2026-11-23.log"), "earlier\n").unwrap();
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .max_size(16)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, &lines(0..3));
    assert_eq!(
        dir.names(),
        strings(&["app.2026-11-23.log.1", "app.2026-11-23.log.2", "app.log"])
    );
    assert_eq!(dir.read("app.2026-11-23.log.1"), "earlier\n");
    assert_eq!(dir.read("app.2026-11-23.log.2"), lines(0..2));
    clock.set(NOV24);
    write_once(&mut file, &line(3));
    assert_eq!(dir.read("app.2026-11-23.log"), line(2));
    assert_eq!(dir.read("app.log"), line(3));
}

#[test]
fn time_retention_keeps_the_newest_dated_files_only() {
    let dir = TestDir::new("timekeep");
    let others = [
        "app.backup.log",
        "other.2026-11-01.log",
        "app.log.3",
        "app.2026-11-01.txt",
    ];
    for name in others {
        fs::write(dir.join(name), "not a rotated file of app.log\n").unwrap();
    }
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .max_size(16)
        .keep(3)
        .clock(clock.func())
        .open()
        .unwrap();
    // Nov 23: 3 parts. Nov 24: 1. Nov 25: live.
    for i in 0..6 {
        write_once(&mut file, &line(i));
    }
    clock.set(NOV24 + HOUR);
    write_once(&mut file, &line(6));
    clock.set(NOV24 + DAY + HOUR);
    write_once(&mut file, &line(7));
    let mut want = strings(&others);
    want.extend(strings(&[
        "app.2026-11-23.log",
        "app.2026-11-23.log.2",
        "app.2026-11-24.log",
        "app.log",
    ]));
    want.sort();
    // Nov 23's oldest part (.1, lines 0 and 1) is the 4th newest: deleted.
    assert_eq!(dir.names(), want);
    assert_eq!(dir.read("app.2026-11-24.log"), line(6));
    assert_eq!(dir.read("app.2026-11-23.log"), lines(4..6));
    assert_eq!(dir.read("app.2026-11-23.log.2"), lines(2..4));
    assert_eq!(dir.read("app.log"), line(7));

    // Four more days: only the 3 newest dated files remain.
    for day in 2..6 {
        clock.set(NOV24 + day * DAY);
        write_once(&mut file, &line(8));
    }
    let mut want = strings(&others);
    want.extend(strings(&[
        "app.2026-11-26.log",
        "app.2026-11-27.log",
        "app.2026-11-28.log",
        "app.log",
    ]));
    want.sort();
    assert_eq!(dir.names(), want);
}

#[test]
fn an_empty_file_is_not_rotated_when_the_period_changes() {
    let dir = TestDir::new("empty");
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .clock(clock.func())
        .open()
        .unwrap();
    clock.set(NOV24 + HOUR);
    write_once(&mut file, "first\n");
    assert_eq!(dir.names(), strings(&["app.log"]));
    clock.set(NOV24 + DAY);
    write_once(&mut file, "second\n");
    assert_eq!(
        dir.read("app.2026-11-24.log"),
        "first\n",
        "labelled by its lines"
    );
    assert_eq!(file.write(b"").unwrap(), 0);
}

#[test]
fn an_existing_file_is_appended_and_its_size_counted() {
    let dir = TestDir::new("append");
    fs::write(dir.join("app.log"), "old\n").unwrap();
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(10)
        .open()
        .unwrap();
    write_once(&mut file, "12345\n"); // 4 + 6 = 10: fits
    assert_eq!(dir.names(), strings(&["app.log"]));
    write_once(&mut file, "x\n");
    assert_eq!(dir.read("app.log.1"), "old\n12345\n");
    assert_eq!(dir.read("app.log"), "x\n");
}

#[test]
fn a_file_left_from_yesterday_is_rotated_under_yesterdays_date() {
    let dir = TestDir::new("leftover");
    let path = dir.join("app.log");
    fs::write(&path, "yesterday\n").unwrap();
    let yesterday_noon = UNIX_EPOCH + Duration::from_secs(NOV23_14H - 2 * HOUR);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(yesterday_noon)
        .unwrap();
    let clock = FakeClock::at(NOV24 + 8 * HOUR);
    let mut file = RollingFile::builder(&path)
        .rotation(Rotation::Daily)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "today\n");
    assert_eq!(dir.names(), strings(&["app.2026-11-23.log", "app.log"]));
    assert_eq!(dir.read("app.2026-11-23.log"), "yesterday\n");
    assert_eq!(dir.read("app.log"), "today\n");
}

#[test]
fn a_clock_going_back_neither_rotates_nor_panics() {
    let dir = TestDir::new("backwards");
    let clock = FakeClock::at(NOV24 + HOUR);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Hourly)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "a\n");
    clock.set(NOV24 - DAY);
    write_once(&mut file, "b\n");
    clock.set(0);
    write_once(&mut file, "c\n");
    assert_eq!(dir.names(), strings(&["app.log"]));
    clock.set(NOV24 + 2 * HOUR);
    write_once(&mut file, "d\n");
    assert_eq!(dir.read("app.2026-11-24T01.log"), "a\nb\nc\n");
    assert_eq!(dir.read("app.log"), "d\n");
}

#[test]
fn a_file_without_extension_gets_suffixes() {
    let dir = TestDir::new("noext");
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app"))
        .rotation(Rotation::Daily)
        .max_size(16)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, &lines(0..3));
    clock.set(NOV24);
    write_once(&mut file, &line(3));
    assert_eq!(
        dir.names(),
        strings(&["app", "app.2026-11-23", "app.2026-11-23.1"])
    );
    assert_eq!(dir.read("app.2026-11-23.1"), lines(0..2));
    assert_eq!(dir.read("app.2026-11-23"), line(2));
}

#[test]
fn a_missing_directory_is_reported_or_created_on_request() {
    let dir = TestDir::new("missing");
    let missing = dir.join("no/such");
    let err = RollingFile::builder(missing.join("app.log"))
        .open()
        .unwrap_err();
    match &err {
        RollingError::DirectoryMissing { path } => assert_eq!(path, &missing),
        other => panic!("expected DirectoryMissing, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.contains("create_dirs(true)"), "{message}");
    assert!(std::error::Error::source(&err).is_none());
    assert!(!missing.exists(), "nothing created without create_dirs");

    let mut file = RollingFile::builder(missing.join("app.log"))
        .create_dirs(true)
        .open()
        .unwrap();
    write_once(&mut file, "created\n");
    assert_eq!(
        fs::read_to_string(missing.join("app.log")).unwrap(),
        "created\n"
    );
}

#[test]
fn open_failures_name_the_file_and_keep_the_cause() {
    let dir = TestDir::new("openfail");
    // A parent that is a regular file.
    fs::write(dir.join("plain"), "").unwrap();
    let below_file = dir.join("plain/app.log");
    let err = RollingFile::builder(&below_file).open().unwrap_err();
    match &err {
        RollingError::Open { path, source } => {
            assert_eq!(path, &below_file);
            assert_eq!(source.kind(), io::ErrorKind::NotADirectory);
        }
        other => panic!("expected Open, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    let message = err.to_string();
    assert!(message.contains("plain/app.log"), "{message}");
    assert!(message.contains("is a file"), "{message}");

    // The path is a directory.
    fs::create_dir(dir.join("app.log")).unwrap();
    let err = RollingFile::builder(dir.join("app.log"))
        .open()
        .unwrap_err();
    assert!(
        matches!(&err, RollingError::Open { source, .. } if source.kind() == io::ErrorKind::IsADirectory),
        "{err:?}"
    );
    assert!(err.to_string().contains("is a directory"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_gives_an_open_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new("readonly");
    let locked = dir.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(locked.join("probe"), "").is_ok() {
        // Root (or CAP_DAC_OVERRIDE) ignores permissions; the "parent is a
        // file" case of `open_failures_name_the_file_and_keep_the_cause`
        // covers the Open error path instead.
        eprintln!("note: skipping the read-only directory check: this user bypasses permissions");
        return;
    }
    let err = RollingFile::builder(locked.join("app.log"))
        .open()
        .unwrap_err();
    assert!(
        matches!(&err, RollingError::Open { source, .. } if source.kind() == io::ErrorKind::PermissionDenied),
        "{err:?}"
    );
    assert!(err.to_string().contains("may write"), "{err}");
}

#[test]
fn invalid_configurations_are_errors() {
    let err = RollingFile::builder("").open().unwrap_err();
    assert!(matches!(err, RollingError::NoFileName { .. }), "{err:?}");
    assert!(err.to_string().contains("logs/app.log"), "{err}");
    let err = RollingFile::builder("/").open().unwrap_err();
    assert!(matches!(err, RollingError::NoFileName { .. }), "{err:?}");

    let dir = TestDir::new("config");
    let err = RollingFile::builder(dir.join("app.log"))
        .max_size(0)
        .open()
        .unwrap_err();
    assert!(matches!(err, RollingError::ZeroMaxSize), "{err:?}");
    assert!(err.to_string().contains("at least 1 byte"), "{err}");
    assert_eq!(dir.names(), Vec::<String>::new(), "nothing created");
}

#[test]
fn writing_goes_on_after_a_failed_rename_and_rotation_is_retried() {
    let dir = TestDir::new("renamefail");
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(10)
        .keep(3)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "1111\n2222\n");
    write_once(&mut file, "3333\n");
    assert_eq!(dir.read("app.log.1"), "1111\n2222\n");
    // A directory where the next rotated file should go (created after the
    // rolling file read the directory) makes the rename fail, even for root.
    let blocker = dir.join("app.log.2");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("keep-me"), "").unwrap();
    write_once(&mut file, "4444\n");

    // The rotation fails: the line still goes to the current file, and the
    // next flush reports the failure (once).
    write_once(&mut file, "5555\n");
    let err = file.flush().unwrap_err();
    let message = err.to_string();
    assert!(message.contains("could not rotate"), "{message}");
    assert!(message.contains("app.log.2"), "{message}");
    file.flush().unwrap();
    // Until the retry interval has passed, lines are appended.
    write_once(&mut file, "6666\n");
    clock.advance(RETRY_INTERVAL - Duration::from_secs(1));
    write_once(&mut file, "7777\n");
    assert_eq!(dir.read("app.log"), "3333\n4444\n5555\n6666\n7777\n");
    file.flush().unwrap();

    // The retry reads the directory again and takes the next free number;
    // the blocker (not a rotated file: a directory) is left alone.
    clock.advance(Duration::from_secs(1));
    write_once(&mut file, "8888\n");
    assert_eq!(dir.read("app.log.3"), "3333\n4444\n5555\n6666\n7777\n");
    assert_eq!(dir.read("app.log"), "8888\n");
    write_once(&mut file, "9999\n");
    write_once(&mut file, "aaaa\n");
    assert_eq!(dir.read("app.log.4"), "8888\n9999\n");
    assert_eq!(dir.read("app.log"), "aaaa\n");
    file.flush().unwrap();
    assert!(blocker.join("keep-me").is_file());
    // keep(3): one more rotation deletes the oldest file, app.log.1.
    write_once(&mut file, "bbbb\ncccc\n");
    assert_eq!(
        dir.names(),
        strings(&[
            "app.log",
            "app.log.2",
            "app.log.3",
            "app.log.4",
            "app.log.5"
        ])
    );
    assert_eq!(dir.read("app.log.5"), "aaaa\nbbbb\n");
    assert_eq!(dir.read("app.log"), "cccc\n");
}

#[test]
fn a_failed_rotation_inside_a_write_loses_nothing() {
    let dir = TestDir::new("partial");
    let clock = FakeClock::at(NOV23_14H);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .max_size(10)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "0000\n0000\n");
    write_once(&mut file, "1111\n");
    assert_eq!(dir.read("app.log.1"), "0000\n0000\n");
    fs::create_dir(dir.join("app.log.2")).unwrap();
    // "2222\n" fits; the rotation before "3333\n" fails: the whole buffer
    // is written to the current file all the same.
    assert_eq!(file.write(b"2222\n3333\n4444\n").unwrap(), 15);
    assert!(
        file.flush()
            .unwrap_err()
            .to_string()
            .contains("could not rotate")
    );
    write_once(&mut file, "5555\n");
    assert_eq!(dir.read("app.log"), "1111\n2222\n3333\n4444\n5555\n");
}

#[test]
fn a_failed_time_rotation_is_retried_later() {
    let dir = TestDir::new("timefail");
    let blocker = dir.join("app.2026-11-23.log");
    fs::create_dir(&blocker).unwrap();
    let clock = FakeClock::at(NOV24 - HOUR);
    let mut file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .clock(clock.func())
        .open()
        .unwrap();
    write_once(&mut file, "a\n");
    clock.set(NOV24);
    write_once(&mut file, "kept\n");
    assert!(file.flush().is_err(), "the failed rotation is reported");
    write_once(&mut file, "b\n");
    fs::remove_dir(&blocker).unwrap();
    clock.advance(RETRY_INTERVAL);
    write_once(&mut file, "c\n");
    // The lines written while rotation was failing stay with the old day.
    assert_eq!(dir.read("app.2026-11-23.log"), "a\nkept\nb\n");
    assert_eq!(dir.read("app.log"), "c\n");
}

#[test]
fn as_a_logger_sink_lines_stay_whole_and_in_order() {
    let dir = TestDir::new("logger");
    let max = 100;
    let file = RollingFile::builder(dir.join("app.log"))
        .max_size(max)
        .open()
        .unwrap();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .sink(file)
        .build()
        .unwrap();
    let want: Vec<String> = (0..200).map(|i| format!("message number {i}")).collect();
    for message in &want {
        logger.log(message.as_str());
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.lines_lost, stats.dropped),
        (200, 0, 0)
    );
    drop(logger);

    let rotated = dir.names().len() - 1;
    assert!(rotated >= 30, "{:?}", dir.names());
    let mut got = Vec::new();
    for k in 1..=rotated {
        let content = dir.read(&format!("app.log.{k}"));
        assert!(
            content.len() as u64 <= max && content.ends_with('\n'),
            "{content:?}"
        );
        got.extend(content.lines().map(String::from));
    }
    got.extend(dir.read("app.log").lines().map(String::from));
    assert_eq!(got, want);
}

#[test]
fn as_a_logger_sink_rotation_failures_are_counted_and_lose_nothing() {
    let dir = TestDir::new("loggerfail");
    // A directory where the day's file should go makes the time rotation
    // fail.
    fs::create_dir(dir.join("app.2026-11-23.log")).unwrap();
    let clock = FakeClock::at(NOV23_14H);
    let file = RollingFile::builder(dir.join("app.log"))
        .rotation(Rotation::Daily)
        .clock(clock.func());
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .file(file)
        .report_drops(false)
        .build()
        .unwrap();
    for i in 0..25 {
        logger.log(format!("line {i:03}"));
    }
    logger.flush();
    clock.set(NOV24);
    for i in 25..50 {
        logger.log(format!("line {i:03}"));
    }
    logger.flush();
    let stats = logger.stats();
    drop(logger);
    assert!(stats.sink_errors >= 1, "{stats:?}");
    assert_eq!((stats.written, stats.lines_lost), (50, 0), "{stats:?}");
    let in_file: Vec<String> = dir.read("app.log").lines().map(String::from).collect();
    let want: Vec<String> = (0..50).map(|i| format!("line {i:03}")).collect();
    assert_eq!(in_file, want, "every line is in the live file");
}

/// Set in the child process `a_failed_write_leaves_no_partial_line` starts.
const WRITE_FAILURE_CHILD: &str = "LLT_ROLLING_WRITE_FAILURE_CHILD";

/// A real write failure partway through a line, then recovery: the file is
/// cut back to its last whole line, so no fragment stays and the first line
/// after the recovery is whole and alone. The failure is a file size limit
/// (`RLIMIT_FSIZE`: the kernel takes what fits, then fails with `EFBIG`, as
/// a full disk does with `ENOSPC`), set and lifted again by the child
/// process `write_failure_child`: the limit applies to every file of the
/// process, so it must not run among the other tests.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_no_partial_line() {
    let output = std::process::Command::new(std::env::current_exe().expect("own path"))
        .args([
            "--exact",
            "write_failure_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITE_FAILURE_CHILD, "1")
        .output()
        .expect("run the child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {:?}\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("write_failure_child: all checked"),
        "the child ran its checks: {stdout}"
    );
}

/// The child of `a_failed_write_leaves_no_partial_line`; does nothing in a
/// normal test run.
#[cfg(unix)]
#[test]
fn write_failure_child() {
    if std::env::var_os(WRITE_FAILURE_CHILD).is_none() {
        return;
    }
    // SAFETY: SIG_IGN is a valid disposition for SIGXFSZ, and nothing else
    // in this process handles it. Ignored, a write past the size limit fails
    // with EFBIG instead of killing the process.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let mut original = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `original` is a valid `rlimit` for the call to fill.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut original) };
    assert_eq!(got, 0, "getrlimit");
    let limit_file_size = |bytes: libc::rlim_t| {
        let limit = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: original.rlim_max,
        };
        // SAFETY: `limit` is a valid `rlimit`; the soft limit stays within
        // the hard one, which is unchanged.
        let set = unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &limit) };
        assert_eq!(set, 0, "setrlimit to {bytes}");
    };
    let dir = TestDir::new("fsize");

    // Directly: a write that fails partway through its only line returns
    // the error and leaves the file as it was.
    let mut file = RollingFile::builder(dir.join("direct.log")).open().unwrap();
    limit_file_size(20);
    write_once(&mut file, "0123456789\n");
    let err = file.write(b"abcdefghij\n").unwrap_err();
    assert!(err.to_string().contains("direct.log"), "{err}");
    assert_eq!(dir.read("direct.log"), "0123456789\n");
    // One line of the buffer fits: its length is returned, the rest cut.
    assert_eq!(file.write(b"ab\ncdefghijkl\n").unwrap(), 3);
    assert_eq!(dir.read("direct.log"), "0123456789\nab\n");
    // A line begun by an earlier call goes with it.
    assert_eq!(file.write(b"cd").unwrap(), 2);
    assert!(file.write(b"efghijkl\n").is_err());
    assert_eq!(dir.read("direct.log"), "0123456789\nab\n");
    limit_file_size(original.rlim_cur);
    write_once(&mut file, "after\n");
    assert_eq!(dir.read("direct.log"), "0123456789\nab\nafter\n");

    // Through a logger: 377 lines of 12 bytes and 5 bytes of the next fit.
    const FIT: usize = 377;
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .report_drops(false)
        .file(RollingFile::builder(dir.join("app.log")))
        .build()
        .unwrap();
    limit_file_size((FIT * 12 + 5) as libc::rlim_t);
    for i in 0..1_000 {
        logger.log(format!("full {i:06}"));
    }
    logger.flush();
    logger.log("lost while full");
    logger.flush();
    limit_file_size(original.rlim_cur);
    for i in 0..300 {
        logger.log(format!("freed {i:06}"));
    }
    logger.flush();
    let stats = logger.stats();
    drop(logger);
    assert_eq!(
        (stats.written, stats.lines_lost, stats.dropped),
        (FIT as u64 + 300, 1_000 - FIT as u64 + 1, 0),
        "{stats:?}"
    );
    let want: String = (0..FIT)
        .map(|i| format!("full {i:06}\n"))
        .chain((0..300).map(|i| format!("freed {i:06}\n")))
        .collect();
    let text = dir.read("app.log");
    if let Some(i) = text.lines().zip(want.lines()).position(|(a, b)| a != b) {
        panic!(
            "line {i} is {:?}, expected {:?}",
            text.lines().nth(i),
            want.lines().nth(i)
        );
    }
    assert_eq!(text, want);
    println!("write_failure_child: all checked");
}

#[test]
fn debug_output_describes_the_configuration() {
    let dir = TestDir::new("debug");
    let builder = RollingFile::builder(dir.join("app.log"))
        .max_size(1000)
        .rotation(Rotation::Hourly)
        .keep(3)
        .clock(|| UNIX_EPOCH + Duration::from_secs(NOV23_14H));
    let text = format!("{builder:?}");
    assert!(
        text.contains("RollingFileBuilder") && text.contains("Hourly"),
        "{text}"
    );
    assert!(text.contains("custom"), "{text}");
    let file = builder.open().unwrap();
    let text = format!("{file:?}");
    assert!(
        text.contains("app.log") && text.contains("2026-11-23T14"),
        "{text}"
    );
    assert_eq!(file.path(), dir.join("app.log"));
}
