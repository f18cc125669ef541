//! `llt-decode`: prints llt binary logs as text.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use llt_decode::{Reader, RecordKind, Text};
use llt_runtime::LineFormat;
use llt_runtime::filter::Filter;

/// Prints llt binary logs (written with `Builder::binary_file`) as the text
/// the live writer would have written, byte for byte.
#[derive(Debug, Parser)]
#[command(name = "llt-decode", version)]
struct Args {
    /// Line layout: `default` (timestamp, level, message), `message`
    /// (the message alone) or `json` (JSON Lines). Without it, the layout
    /// the logger was configured with (stored in the file).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Print only the records this filter lets through, in `LLT_LOG`
    /// syntax: a level (`warn`) and/or `module=level` directives
    /// (`info,app::net=debug`), matched against each record's target.
    #[arg(long, visible_alias = "level", value_name = "FILTER")]
    filter: Option<String>,
    /// Keep reading: after the end of the (last) input, wait for the
    /// writer to append more, like `tail -f`. Stop with Ctrl-C.
    #[arg(long)]
    follow: bool,
    /// Binary log files, read in the order given (rotated files oldest
    /// first); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `--format`'s values.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// `2026-11-25T14:47:42.123456Z INFO  message`.
    Default,
    /// The message alone.
    Message,
    /// One JSON object per line.
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = match &args.filter {
        None => None,
        Some(spec) => {
            let (filter, errors) = Filter::parse(spec);
            if !errors.is_empty() {
                for error in errors {
                    eprintln!("llt-decode: --filter: {error}");
                }
                return ExitCode::from(2);
            }
            Some(filter)
        }
    };
    let format = args.format.map(|format| match format {
        Format::Default => LineFormat::Default,
        Format::Message => LineFormat::MessageOnly,
        Format::Json => LineFormat::Json,
    });
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let inputs: Vec<Option<&PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|path| (path.as_os_str() != "-").then_some(path))
            .collect()
    };
    let mut failed = false;
    let count = inputs.len();
    for (i, path) in inputs.into_iter().enumerate() {
        let name = path.map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string());
        let input: Box<dyn Read> = match path {
            None => Box::new(io::stdin().lock()),
            Some(path) => match std::fs::File::open(path) {
                Ok(file) => Box::new(file),
                Err(e) => {
                    eprintln!("llt-decode: cannot open {name}: {e}");
                    failed = true;
                    continue;
                }
            },
        };
        let follow = args.follow && i + 1 == count;
        match decode(input, follow, format, filter.as_ref(), &mut out) {
            Ok(clean) => failed |= !clean,
            Err(e) => {
                // Output closed (`| head`): stop quietly.
                if e.kind() == io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
                eprintln!("llt-decode: writing the output failed: {e}");
                return ExitCode::FAILURE;
            }
        }
        match out.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("llt-decode: writing the output failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints one input's records; `Ok(false)` if it was damaged or cut (the
/// problem is reported on stderr, the records around it are printed).
fn decode(
    input: Box<dyn Read>,
    follow: bool,
    format: Option<LineFormat>,
    filter: Option<&Filter>,
    out: &mut impl Write,
) -> io::Result<bool> {
    let mut reader = Reader::new(input);
    reader.set_follow(follow);
    let mut text: Option<Text> = format.map(Text::new);
    let mut clean = true;
    loop {
        match reader.next_record() {
            Ok(Some(record)) => {
                let enabled = record.kind == RecordKind::Corrupted
                    || filter.is_none_or(|filter| filter.enabled(record.target, record.level));
                if enabled {
                    let text = text.get_or_insert_with(|| Text::new(record.writer_format));
                    out.write_all(text.line(&record))?;
                }
            }
            Ok(None) if follow => {
                out.flush()?;
                std::thread::sleep(Duration::from_millis(200));
            }
            Ok(None) => return Ok(clean),
            Err(e) => {
                out.flush()?;
                eprintln!("llt-decode: {e}");
                clean = false;
            }
        }
    }
}
