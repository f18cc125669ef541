//! The `llt-decode` command: files, stdin, rotated files in order, a cut
//! file reported on stderr, filters and formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use llt_runtime::{Level, LevelFilter, LineFormat, Logger, MemorySink};

fn temp_path(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("llt-decode-cli-{name}-{}.lltb", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Writes a binary log of `messages` (at `level`), and returns the text
/// the writer made of the same records in `format`.
fn write_log(path: &Path, format: LineFormat, messages: &[(Level, &str)]) -> Vec<u8> {
    let tee = MemorySink::new();
    let logger = Logger::builder()
        .level(LevelFilter::Trace)
        .format(format)
        .binary_file(path)
        .binary_tee_text(tee.clone())
        .build()
        .unwrap();
    for &(level, message) in messages {
        logger.log_str(level, message);
    }
    drop(logger);
    tee.contents()
}

fn decode(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_llt-decode"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn a_file_in_each_format() {
    for (flag, format) in [
        ("default", LineFormat::Default),
        ("message", LineFormat::MessageOnly),
        ("json", LineFormat::Json),
    ] {
        let path = temp_path(flag);
        let text = write_log(
            &path,
            format,
            &[(Level::Info, "one"), (Level::Warn, "two \"2\"")],
        );
        let out = decode(&["--format", flag, path.to_str().unwrap()], None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, text, "{flag}");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn stdin_with_no_file_or_a_dash() {
    let path = temp_path("stdin");
    let text = write_log(
        &path,
        LineFormat::MessageOnly,
        &[(Level::Info, "from stdin")],
    );
    let bytes = std::fs::read(&path).unwrap();
    for args in [&[][..], &["-"][..]] {
        let out = decode(args, Some(&bytes));
        assert!(out.status.success());
        assert_eq!(out.stdout, text);
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn rotated_files_in_the_order_given() {
    let (a, b) = (temp_path("rot-a"), temp_path("rot-b"));
    let text_a = write_log(
        &a,
        LineFormat::MessageOnly,
        &[(Level::Info, "a1"), (Level::Info, "a2")],
    );
    let text_b = write_log(&b, LineFormat::MessageOnly, &[(Level::Info, "b1")]);
    let out = decode(&[a.to_str().unwrap(), b.to_str().unwrap()], None);
    assert!(out.status.success());
    assert_eq!(out.stdout, [text_a, text_b].concat());
    std::fs::remove_file(&a).unwrap();
    std::fs::remove_file(&b).unwrap();
}

#[test]
fn a_cut_file_prints_what_came_before_and_reports_the_cut() {
    let path = temp_path("cut");
    let text = write_log(
        &path,
        LineFormat::MessageOnly,
        &[(Level::Info, "whole"), (Level::Info, "cut off")],
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    let out = decode(&[path.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert_eq!(out.stdout, &text[..b"whole\n".len()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ends inside a record"), "{stderr}");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn filter_by_level_and_target() {
    let path = temp_path("filter");
    write_log(
        &path,
        LineFormat::MessageOnly,
        &[
            (Level::Error, "e"),
            (Level::Warn, "w"),
            (Level::Info, "i"),
            (Level::Debug, "d"),
        ],
    );
    let out = decode(&["--level", "warn", path.to_str().unwrap()], None);
    assert_eq!(out.stdout, b"e\nw\n");
    // String records' target is `llt`.
    let out = decode(
        &["--filter", "error,llt=debug", path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.stdout, b"e\nw\ni\nd\n");
    let out = decode(&["--filter", "app=loud", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn help_documents_every_option() {
    let out = decode(&["--help"], None);
    let help = String::from_utf8(out.stdout).unwrap();
    for option in [
        "--format",
        "--filter",
        "--level",
        "--follow",
        "FILE",
        "standard input",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
}

#[test]
fn follow_prints_what_is_appended_later() {
    use std::io::BufRead;
    let path = temp_path("follow");
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .binary_file(&path)
        .build()
        .unwrap();
    logger.log("before");
    logger.flush();
    let mut child = Command::new(env!("CARGO_BIN_EXE_llt-decode"))
        .args(["--follow", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "before");
    logger.log("after");
    logger.flush();
    assert_eq!(lines.next().unwrap().unwrap(), "after");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(logger);
    std::fs::remove_file(&path).unwrap();
}
