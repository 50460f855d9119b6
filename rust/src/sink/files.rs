//! The sink's files: names from the path pattern, exclusive creation under an advisory lock,
//! renaming without replacing, directory syncs, and recovery of abandoned files at start.
//!
//! Rules (docs/RELIABILITY.md, "Restarts"):
//! - a file is created as `<name>.inprogress` with `O_EXCL`, and only if `<name>` does not exist
//!   either; it is locked (`flock`) for as long as it is written, and renamed to `<name>` with
//!   `RENAME_NOREPLACE`: nothing the sink does can replace an existing file;
//! - `{seq}` continues after the highest sequence number of any file, finished or in progress,
//!   that matches the pattern (any time fields), so a restarted capture continues the series;
//! - at start, `.inprogress` files of the pattern that no live writer holds (their lock is free)
//!   are abandoned: each is cut to its last intact checkpoint and renamed; one without an intact
//!   checkpoint is left untouched and reported.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::parquet::io::{OutputFile, Storage};
use crate::parquet::recover;

pub const INPROGRESS: &str = ".inprogress";

/// `<path>.inprogress`.
pub fn inprogress(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(INPROGRESS);
    PathBuf::from(s)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// `%Y`: 4 digits; the others 2.
    Year,
    TwoDigits,
    Seq,
}

/// One path component of a pattern.
type Component = Vec<Token>;

fn tokenize(component: &str) -> Component {
    let mut tokens = Vec::new();
    let mut literal = String::new();
    let mut chars = component.chars().peekable();
    let flush = |literal: &mut String, tokens: &mut Vec<Token>| {
        if !literal.is_empty() {
            tokens.push(Token::Literal(std::mem::take(literal)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('Y') => {
                    flush(&mut literal, &mut tokens);
                    tokens.push(Token::Year);
                }
                Some('m' | 'd' | 'H' | 'M' | 'S') => {
                    flush(&mut literal, &mut tokens);
                    tokens.push(Token::TwoDigits);
                }
                Some('%') => literal.push('%'),
                Some(other) => {
                    literal.push('%');
                    literal.push(other);
                }
                None => literal.push('%'),
            },
            '{' if seq_follows(&mut chars) => {
                flush(&mut literal, &mut tokens);
                tokens.push(Token::Seq);
            }
            _ => literal.push(c),
        }
    }
    flush(&mut literal, &mut tokens);
    tokens
}

/// Consumes `seq}` after a `{` if that is what follows.
fn seq_follows(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let ahead: String = chars.clone().take(4).collect();
    if ahead == "seq}" {
        for _ in 0..4 {
            chars.next();
        }
        true
    } else {
        false
    }
}

/// Matches `name` against `tokens`; returns the `{seq}` value (if the pattern has one).
fn match_component(tokens: &[Token], name: &str) -> Option<Option<u64>> {
    fn go(tokens: &[Token], s: &[u8], seq: Option<u64>) -> Option<Option<u64>> {
        let Some((first, rest)) = tokens.split_first() else {
            return s.is_empty().then_some(seq);
        };
        let digits = |n: usize| s.len() >= n && s[..n].iter().all(u8::is_ascii_digit);
        match first {
            Token::Literal(l) => s
                .strip_prefix(l.as_bytes())
                .and_then(|tail| go(rest, tail, seq)),
            Token::Year => digits(4).then(|| go(rest, &s[4..], seq)).flatten(),
            Token::TwoDigits => digits(2).then(|| go(rest, &s[2..], seq)).flatten(),
            Token::Seq => {
                let run = s.iter().take_while(|b| b.is_ascii_digit()).count();
                // Longest first; at least one digit.
                (1..=run).rev().find_map(|n| {
                    let value = std::str::from_utf8(&s[..n]).ok()?.parse::<u64>().ok()?;
                    go(rest, &s[n..], seq.or(Some(value)))
                })
            }
        }
    }
    go(tokens, name.as_bytes(), None)
}

/// A file of the pattern found on disk.
#[derive(Clone, Debug)]
pub struct Found {
    /// The finished name (without `.inprogress`).
    pub path: PathBuf,
    pub seq: Option<u64>,
    pub inprogress: bool,
}

/// A parsed path pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    absolute: bool,
    components: Vec<Component>,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.to_string(),
            absolute: text.starts_with('/'),
            components: text
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .map(tokenize)
                .collect(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name for file `seq` opened at `at`.
    pub fn expand(&self, seq: u64, at: SystemTime) -> PathBuf {
        PathBuf::from(expand_pattern(&self.text, seq, at))
    }

    /// Every existing file the pattern could have produced, finished or in progress.
    pub fn scan(&self) -> Vec<Found> {
        let mut found = Vec::new();
        let root = if self.absolute {
            PathBuf::from("/")
        } else {
            PathBuf::new()
        };
        self.scan_from(root, 0, &mut found);
        found
    }

    fn scan_from(&self, dir: PathBuf, level: usize, found: &mut Vec<Found>) {
        let tokens = &self.components[level];
        let last = level + 1 == self.components.len();
        if let [Token::Literal(name)] = tokens.as_slice() {
            let path = dir.join(name);
            if !last {
                return self.scan_from(path, level + 1, found);
            }
            for (p, inprogress) in [(path.clone(), false), (inprogress(&path), true)] {
                if p.is_file() {
                    found.push(Found {
                        path: path.clone(),
                        seq: None,
                        inprogress,
                    });
                }
            }
            return;
        }
        let listing = if dir.as_os_str().is_empty() {
            std::fs::read_dir(".")
        } else {
            std::fs::read_dir(&dir)
        };
        let Ok(entries) = listing else { return };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if !last {
                if match_component(tokens, &name).is_some()
                    && entry.file_type().is_ok_and(|t| t.is_dir())
                {
                    self.scan_from(dir.join(&name), level + 1, found);
                }
                continue;
            }
            let (base, inprogress) = match name.strip_suffix(INPROGRESS) {
                Some(base) => (base, true),
                None => (name.as_str(), false),
            };
            if let Some(seq) = match_component(tokens, base) {
                found.push(Found {
                    path: dir.join(base),
                    seq,
                    inprogress,
                });
            }
        }
    }
}

/// Expands `{seq}` and the UTC `%Y %m %d %H %M %S` fields (and `%%`) of a file-name pattern.
pub fn expand_pattern(pattern: &str, seq: u64, at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, rem / 60 % 60, rem % 60);
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('Y') => out.push_str(&format!("{year:04}")),
                Some('m') => out.push_str(&format!("{month:02}")),
                Some('d') => out.push_str(&format!("{day:02}")),
                Some('H') => out.push_str(&format!("{hour:02}")),
                Some('M') => out.push_str(&format!("{minute:02}")),
                Some('S') => out.push_str(&format!("{second:02}")),
                Some('%') => out.push('%'),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            },
            '{' if seq_follows(&mut chars) => out.push_str(&format!("{seq:06}")),
            _ => out.push(c),
        }
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

/// The directory holding `path` ("." for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A newly created, locked `.inprogress` file and the name it gets when finished.
pub struct Created {
    pub file: Box<dyn OutputFile>,
    pub path: PathBuf,
    pub inprogress: PathBuf,
    pub seq: u64,
}

/// How many names `create_next` tries before giving up (each taken by another writer).
const CREATE_ATTEMPTS: u64 = 1000;

/// Creates the next file of the pattern from sequence `seq` on: exclusively, locked, and only
/// where neither the name nor its `.inprogress` exists. Another writer on the same pattern
/// (this process or another) that took a name makes it move on to the next sequence number.
/// With `sync_dir`, the new directory entry is synced before the file is used.
pub fn create_next(
    storage: &Arc<dyn Storage>,
    pattern: &Pattern,
    seq: u64,
    sync_dir: bool,
) -> Result<Created> {
    let mut seq = seq;
    let rotating = pattern.text().contains("{seq}");
    for _ in 0..CREATE_ATTEMPTS {
        let path = pattern.expand(seq, SystemTime::now());
        let temp = inprogress(&path);
        let dir = parent_dir(&path);
        storage
            .create_dir_all(dir)
            .map_err(|e| Error::io("cannot create directory", dir, &e))?;
        let exists = || {
            Error::invalid(format!(
                "cannot create '{}': it already exists, and the sink never overwrites a file (remove or move it, or use a pattern with {{seq}})",
                path.display()
            ))
        };
        if path.exists() {
            if !rotating {
                return Err(exists());
            }
            seq += 1;
            continue;
        }
        let mut file = match storage.create_new(&temp) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && rotating => {
                seq += 1;
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::io(
                    "cannot create (another writer has it, or a crash left it: the sink recovers it at start unless a live writer holds it)",
                    &temp,
                    &e,
                ));
            }
            Err(e) => return Err(Error::io("cannot create", &temp, &e)),
        };
        // Another writer may be inspecting the name at start (recovery), or may have finished
        // `path` between our check and our create: give the name up.
        let locked = file
            .try_lock()
            .map_err(|e| Error::io("cannot lock", &temp, &e))?;
        if !locked || path.exists() {
            drop(file);
            let _ = storage.remove_file(&temp);
            if !rotating {
                return Err(exists());
            }
            seq += 1;
            continue;
        }
        if sync_dir {
            storage
                .sync_dir(dir)
                .map_err(|e| Error::io("cannot sync directory", dir, &e))?;
        }
        return Ok(Created {
            file,
            path,
            inprogress: temp,
            seq,
        });
    }
    Err(Error::internal(format!(
        "no free file name for pattern '{}' after {CREATE_ATTEMPTS} sequence numbers from {}",
        pattern.text(),
        seq - CREATE_ATTEMPTS
    )))
}

/// What start-up recovery found.
#[derive(Debug, Default)]
pub struct StartupRecovery {
    pub files_recovered: u64,
    pub rows_recovered: u64,
    /// Abandoned files left untouched, with why.
    pub unrecoverable: Vec<Error>,
    /// The highest sequence number of any file of the pattern, once recovery is done.
    pub max_seq: Option<u64>,
}

/// Scans the pattern's files; with `recover_abandoned`, recovers every `.inprogress` file that
/// no live writer holds.
pub fn start(
    storage: &Arc<dyn Storage>,
    pattern: &Pattern,
    recover_abandoned: bool,
) -> StartupRecovery {
    let found = pattern.scan();
    let mut report = StartupRecovery {
        max_seq: found.iter().filter_map(|f| f.seq).max(),
        ..StartupRecovery::default()
    };
    if !recover_abandoned {
        return report;
    }
    for f in found.iter().filter(|f| f.inprogress) {
        match recover_one(storage, &f.path) {
            Ok(Some(rows)) => {
                report.files_recovered += 1;
                report.rows_recovered += rows;
            }
            Ok(None) => {} // held by a live writer
            Err(e) => report.unrecoverable.push(e),
        }
    }
    report
}

/// Recovers `<path>.inprogress` into `<path>` unless a live writer holds its lock: Ok(None).
fn recover_one(storage: &Arc<dyn Storage>, path: &Path) -> Result<Option<u64>> {
    let temp = inprogress(path);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&temp)
        .map_err(|e| Error::io("cannot open abandoned file", &temp, &e))?;
    let locked = crate::parquet::io::try_lock_file(&file)
        .map_err(|e| Error::io("cannot lock abandoned file", &temp, &e))?;
    if !locked {
        return Ok(None);
    }
    // The lock is ours until `file` is dropped, after the rename: no writer can take the name.
    let recovered = recover(&temp).map_err(|e| Error {
        kind: e.kind,
        message: format!("abandoned file left as it is: {}", e.message),
    })?;
    storage.rename_noreplace(&temp, path).map_err(|e| {
        Error::io(
            "abandoned file recovered but cannot be renamed (left under its .inprogress name)",
            &temp,
            &e,
        )
    })?;
    drop(file);
    Ok(Some(recovered.rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn patterns_expand_time_and_seq() {
        // 2026-11-24T13:05:09Z
        let at = UNIX_EPOCH + Duration::from_secs(1_795_525_509);
        assert_eq!(
            expand_pattern(
                "cap/date=%Y-%m-%d/capture-%Y%m%dT%H%M%S-{seq}.parquet",
                7,
                at
            ),
            "cap/date=2026-11-24/capture-20261124T130509-000007.parquet"
        );
        assert_eq!(expand_pattern("a{se}%%b", 1, at), "a{se}%b");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn names_match_their_pattern_component() {
        let t = tokenize("capture-%Y%m%dT%H%M%S-{seq}.parquet");
        assert_eq!(
            match_component(&t, "capture-20261124T130509-000007.parquet"),
            Some(Some(7))
        );
        assert_eq!(
            match_component(&t, "capture-20261124T130509-1234567.parquet"),
            Some(Some(1_234_567)),
            "more than six digits"
        );
        assert_eq!(
            match_component(&t, "capture-2026112T130509-000007.parquet"),
            None
        );
        assert_eq!(
            match_component(&t, "capture-20261124T130509-.parquet"),
            None
        );
        let t = tokenize("x{seq}{seq}.p");
        assert_eq!(match_component(&t, "x12.p"), Some(Some(1)));
        assert_eq!(match_component(&tokenize("100%%.p"), "100%.p"), Some(None));
    }

    #[test]
    fn scans_find_finished_and_inprogress_files_across_partitions() {
        let root = std::env::temp_dir().join(format!("pf_scan_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (dir, name) in [
            ("date=2026-01-01", "f-000003.parquet"),
            ("date=2026-01-02", "f-000011.parquet.inprogress"),
            ("date=2026-01-02", "f-000004.parquet"),
            ("date=2026-01-02", "g-000099.parquet"),
            ("other", "f-000050.parquet"),
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            std::fs::write(root.join(dir).join(name), b"x").unwrap();
        }
        let pattern = Pattern::new(&format!(
            "{}/date=%Y-%m-%d/f-{{seq}}.parquet",
            root.display()
        ));
        let mut found: Vec<(u64, bool)> = pattern
            .scan()
            .iter()
            .map(|f| (f.seq.unwrap(), f.inprogress))
            .collect();
        found.sort();
        assert_eq!(found, [(3, false), (4, false), (11, true)]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
