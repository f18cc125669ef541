//! The names of a log's files: the live file's parts ([`Names`]), how a
//! rotated file is named (`app.log.3`, `app.2026-11-23.log`,
//! `app.2026-11-23.log.2`) and how such a name is recognised again when the
//! directory is read.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::Rotation;

/// The names of a log's files.
#[derive(Debug)]
pub(super) struct Names {
    /// The live file's directory; empty for a bare file name.
    pub(super) dir: PathBuf,
    /// `app.log`
    file_name: OsString,
    /// `app`
    stem: OsString,
    /// `log`
    extension: Option<OsString>,
}

impl Names {
    pub(super) fn new(path: &Path) -> Option<Names> {
        let file_name = path.file_name()?.to_os_string();
        let as_path = Path::new(&file_name);
        let stem = as_path.file_stem().unwrap_or(&file_name).to_os_string();
        let extension = as_path.extension().map(OsStr::to_os_string);
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Some(Names {
            dir,
            file_name,
            stem,
            extension,
        })
    }

    /// The directory to list or check (`.` for a bare file name).
    pub(super) fn dir_for_io(&self) -> &Path {
        if self.dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.dir
        }
    }

    pub(super) fn path(&self, name: &OsStr) -> PathBuf {
        self.dir.join(name)
    }

    /// `app.<label>.log`
    fn timed(&self, label: &str) -> OsString {
        let mut name = self.stem.clone();
        name.push(".");
        name.push(label);
        if let Some(extension) = &self.extension {
            name.push(".");
            name.push(extension);
        }
        name
    }

    /// If `name` is `app.<label>.log` or `app.<label>.log.<k>`: the label
    /// and `k`.
    fn parse_timed<'a>(&self, name: &'a [u8]) -> Option<(&'a [u8], Option<u64>)> {
        let rest = name
            .strip_prefix(self.stem.as_encoded_bytes())?
            .strip_prefix(b".")?;
        let label_len = [13, 10]
            .into_iter()
            .find(|&len| rest.get(..len).is_some_and(is_label))?;
        let (label, mut rest) = rest.split_at(label_len);
        if let Some(extension) = &self.extension {
            rest = rest
                .strip_prefix(b".")?
                .strip_prefix(extension.as_encoded_bytes())?;
        }
        if rest.is_empty() {
            return Some((label, None));
        }
        let part = parse_number(rest.strip_prefix(b".")?)?;
        Some((label, Some(part)))
    }

    /// The rotated file `name` stands for, if it has the shape of one
    /// with this rotation.
    pub(super) fn parse_part(&self, rotation: Rotation, name: &[u8]) -> Option<Part> {
        if rotation == Rotation::Never {
            let number = strip_number(self.file_name.as_encoded_bytes(), name)?;
            return Some(Part {
                label: String::new(),
                number: Number::Nth(number),
            });
        }
        let (label, number) = self.parse_timed(name)?;
        Some(Part {
            // `parse_timed` checked that it is ASCII.
            label: String::from_utf8_lossy(label).into_owned(),
            number: number.map_or(Number::Last, Number::Nth),
        })
    }

    /// The file name of `part`: `app.log.<n>`, `app.<label>.log` or
    /// `app.<label>.log.<n>`.
    pub(super) fn part_name(&self, part: &Part) -> OsString {
        let base = if part.label.is_empty() {
            self.file_name.clone()
        } else {
            self.timed(&part.label)
        };
        match part.number {
            Number::Nth(n) => numbered(&base, n),
            Number::Last => base,
        }
    }
}

/// A rotated file: `app.log.<n>`, or `app.<label>.log` and
/// `app.<label>.log.<n>`. Ordered oldest first: by label (period), then
/// number, then the period's unnumbered last part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Part {
    /// The period's label (`2026-11-23`); empty with size rotation only.
    pub(super) label: String,
    pub(super) number: Number,
}

/// Where a part comes in its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Number {
    /// `….<n>`: the n-th part, rotated by size.
    Nth(u64),
    /// No number: the period's last part, named when the period ended.
    Last,
}

/// `base.<k>`
fn numbered(base: &OsStr, k: u64) -> OsString {
    let mut name = base.to_os_string();
    name.push(format!(".{k}"));
    name
}

/// If `name` is `base.<k>` with k ≥ 1 written without leading zeros: k.
fn strip_number(base: &[u8], name: &[u8]) -> Option<u64> {
    parse_number(name.strip_prefix(base)?.strip_prefix(b".")?)
}

/// A decimal number ≥ 1 without leading zeros (as `numbered` writes it).
fn parse_number(digits: &[u8]) -> Option<u64> {
    if digits.first().is_none_or(|&d| d == b'0') || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether `s` is `YYYY-MM-DD` or `YYYY-MM-DDTHH`.
fn is_label(s: &[u8]) -> bool {
    let shape: &[u8] = match s.len() {
        10 => b"dddd-dd-dd",
        13 => b"dddd-dd-ddTdd",
        _ => return false,
    };
    s.iter().zip(shape).all(|(&c, &want)| {
        if want == b'd' {
            c.is_ascii_digit()
        } else {
            c == want
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_parsing() {
        let names = Names::new(Path::new("logs/app.log")).unwrap();
        assert_eq!(names.timed("2026-11-23"), "app.2026-11-23.log");
        assert_eq!(numbered(OsStr::new("app.log"), 12), "app.log.12");
        let parse = |s: &str| {
            names
                .parse_timed(s.as_bytes())
                .map(|(label, part)| (String::from_utf8(label.to_vec()).unwrap(), part))
        };
        assert_eq!(
            parse("app.2026-11-23.log"),
            Some(("2026-11-23".into(), None))
        );
        assert_eq!(
            parse("app.2026-11-23T14.log.3"),
            Some(("2026-11-23T14".into(), Some(3)))
        );
        for other in [
            "app.log",
            "app.log.1",
            "app.2026-11-23.log.0",
            "app.2026-11-23.log.01",
            "app.2026-11-23.txt",
            "app.2026-11-23.logx",
            "app.2026-1-23.log",
            "app.backup.log",
            "apps.2026-11-23.log",
            "app.2026-11-23T1.log",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }

        let bare = Names::new(Path::new("app")).unwrap();
        assert_eq!(bare.dir_for_io(), Path::new("."));
        assert_eq!(bare.timed("2026-11-23"), "app.2026-11-23");
        assert!(bare.parse_timed(b"app.2026-11-23.2").is_some());
        assert!(bare.parse_timed(b"app.2026-11-23.log").is_none());

        assert_eq!(strip_number(b"app.log", b"app.log.7"), Some(7));
        assert_eq!(strip_number(b"app.log", b"app.log.0"), None);
        assert_eq!(strip_number(b"app.log", b"app.log."), None);
        assert_eq!(strip_number(b"app.log", b"app.log.1x"), None);
        assert_eq!(
            strip_number(b"app.log", b"app.log.99999999999999999999999"),
            None
        );
        assert!(Names::new(Path::new("/")).is_none());
        assert!(Names::new(Path::new("logs/..")).is_none());
    }
}
