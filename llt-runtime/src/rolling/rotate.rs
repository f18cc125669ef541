//! Rotating: renaming the live file to its rotated name and opening a new
//! one, numbering the parts, deleting the files beyond `keep`, and what
//! the rolling file remembers of its rotated files ([`Rotated`]) so that
//! none of this lists the directory more than once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use super::names::{Names, Number, Part};
use super::{RETRY_INTERVAL, RollingFile, Rotation, Trigger, open_append, with_context};

impl RollingFile {
    /// Rotates, then deletes old files. On failure before the new file is
    /// open, the current file stays live and retries wait for
    /// `RETRY_INTERVAL`.
    pub(super) fn rotate(&mut self, trigger: Trigger, now: SystemTime) -> io::Result<()> {
        if let Err(e) = self.switch_files(trigger) {
            self.failed_at = Some(now);
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "could not rotate log file {}: {e}; lines go on to it, \
                     rotation is retried in {} s",
                    self.path.display(),
                    RETRY_INTERVAL.as_secs()
                ),
            ));
        }
        self.failed_at = None;
        self.period = self.rotation.period_of(now).unwrap_or(0);
        self.remove_old().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "rotated log file {}, but could not delete old files: {e}; \
                     retried at the next rotation",
                    self.path.display()
                ),
            )
        })
    }

    /// Renames the live file to the next rotated name and opens a new one.
    /// On error the current file is still the one written to, and the
    /// directory is read again at the next attempt.
    fn switch_files(&mut self, trigger: Trigger) -> io::Result<()> {
        let track_files = self.keep.is_some();
        let mut rotated = match self.rotated.take() {
            Some(rotated) => rotated,
            None => Rotated::scan(&self.names, self.rotation, track_files)?,
        };
        let label = match self.rotation {
            Rotation::Never => String::new(),
            rotation => rotation.label(self.period),
        };
        let last = Part {
            label: label.clone(),
            number: Number::Last,
        };
        if self.rotation != Rotation::Never {
            let last_path = self.names.path(&self.names.part_name(&last));
            if is_regular_file(&last_path) {
                // Normally named when its period ends; here already (the
                // clock went back, or a restart): it becomes the period's
                // next numbered part, so the live file stays the newest.
                let moved = Part {
                    label: label.clone(),
                    number: Number::Nth(rotated.next_number(&label)?),
                };
                let to = self.names.path(&self.names.part_name(&moved));
                fs::rename(&last_path, &to).map_err(|e| {
                    with_context(
                        e,
                        format_args!("renaming {} to {}", last_path.display(), to.display()),
                    )
                })?;
                rotated.files.remove(&last);
                rotated.add(moved, track_files);
            }
        }
        let part = if self.rotation != Rotation::Never && trigger == Trigger::Time {
            last
        } else {
            Part {
                number: Number::Nth(rotated.next_number(&label)?),
                label,
            }
        };
        let target = self.names.path(&self.names.part_name(&part));
        let renamed = match fs::rename(&self.path, &target) {
            Ok(()) => true,
            // The live file was deleted behind our back: just start anew.
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => {
                return Err(with_context(
                    e,
                    format_args!("renaming it to {} failed", target.display()),
                ));
            }
        };
        match open_append(&self.path) {
            Ok(file) => {
                self.size = file.metadata().map_or(0, |m| m.len());
                self.whole = self.size;
                self.torn = false;
                self.file = file;
                self.at_line_start = true;
                if renamed {
                    rotated.add(part, track_files);
                }
                self.rotated = Some(rotated);
                Ok(())
            }
            Err(e) => {
                if renamed {
                    // Best effort: put it back so the name matches the handle.
                    let _ = fs::rename(&target, &self.path);
                }
                Err(with_context(e, format_args!("creating a new one failed")))
            }
        }
    }

    /// Deletes the oldest rotated files beyond `keep`: those this rolling
    /// file knows of (found at its first rotation, or rotated since).
    fn remove_old(&mut self) -> io::Result<()> {
        let (Some(keep), Some(rotated)) = (self.keep, self.rotated.as_mut()) else {
            return Ok(());
        };
        let excess = rotated.files.len().saturating_sub(keep);
        let doomed: Vec<Part> = rotated.files.iter().take(excess).cloned().collect();
        let mut first_error = None;
        for part in doomed {
            let path = self.names.path(&self.names.part_name(&part));
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    // Still known: deleting it is tried again at the next
                    // rotation.
                    first_error.get_or_insert_with(|| {
                        with_context(e, format_args!("deleting {}", path.display()))
                    });
                    continue;
                }
            }
            rotated.files.remove(&part);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Reports a rotation failure on stderr (at most once per
    /// `RETRY_INTERVAL`, since rotation is not retried sooner) and keeps it
    /// for the next `flush`.
    pub(super) fn rotation_failed(&mut self, error: io::Error) {
        // Nowhere else to say it; if stderr is closed too, nothing to do.
        let _ = writeln!(io::stderr(), "llt: {error}");
        self.pending = Some(error);
    }
}

/// What a rolling file knows of its rotated files. Read from the directory
/// once and then kept up to date, so that a rotation neither lists the
/// directory nor renames older files: its cost does not grow with their
/// number.
#[derive(Debug, Default)]
pub(super) struct Rotated {
    /// The highest number in use for each label (`""` with size rotation
    /// only), counting entries of any type, so a rotation never renames
    /// onto a name that exists.
    highest: BTreeMap<String, u64>,
    /// The regular files among them, oldest first: the candidates for
    /// retention. Only filled with `keep`.
    files: BTreeSet<Part>,
}

impl Rotated {
    /// Lists the directory for the rotated files of this log.
    fn scan(names: &Names, rotation: Rotation, track_files: bool) -> io::Result<Rotated> {
        let dir = names.dir_for_io();
        let entries = fs::read_dir(dir)
            .map_err(|e| with_context(e, format_args!("listing {}", dir.display())))?;
        let mut rotated = Rotated::default();
        for entry in entries.filter_map(Result::ok) {
            let Some(part) = names.parse_part(rotation, entry.file_name().as_encoded_bytes())
            else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            rotated.add(part, track_files && is_file);
        }
        Ok(rotated)
    }

    /// Records a rotated file (as a retention candidate if `track_file`).
    fn add(&mut self, part: Part, track_file: bool) {
        if let Number::Nth(n) = part.number {
            let highest = self.highest.entry(part.label.clone()).or_insert(0);
            *highest = (*highest).max(n);
        }
        if track_file {
            self.files.insert(part);
        }
    }

    /// The number the next part of `label` gets: one above the highest in
    /// use.
    fn next_number(&self, label: &str) -> io::Result<u64> {
        let highest = self.highest.get(label).copied().unwrap_or(0);
        highest
            .checked_add(1)
            .ok_or_else(|| io::Error::other("no file number left: the highest in use is u64::MAX"))
    }
}

fn is_regular_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}
