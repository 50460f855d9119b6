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

use crate::clock::civil_from_days;
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

/// The parsed pattern language, used both to name files and to find them again: one grammar.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// `%Y %m %d %H %M %S`: the UTC time the file was opened; 4 digits for the year, else 2.
    Time(TimeField),
    Seq,
    /// `{pid}`: any process id, so a restarted process (a new pid) continues the series and
    /// recovers what the old one left.
    Pid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimeField {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

/// A `{name}` token of the pattern language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Brace {
    Seq,
    Host,
    Pid,
}

/// Consumes `seq}`, `host}` or `pid}` after a `{` if that is what follows.
fn brace_follows(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Brace> {
    for (text, brace) in [
        ("seq}", Brace::Seq),
        ("host}", Brace::Host),
        ("pid}", Brace::Pid),
    ] {
        let ahead: String = chars.clone().take(text.len()).collect();
        if ahead == text {
            for _ in 0..text.len() {
                chars.next();
            }
            return Some(brace);
        }
    }
    None
}

/// This machine's host name, for `{host}` (read once).
pub fn host_name() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let mut buf = [0u8; 256];
        // SAFETY: gethostname writes at most `buf.len()` bytes into `buf`.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).replace('/', "_");
        if rc != 0 || name.is_empty() {
            "unknown-host".to_string()
        } else {
            name
        }
    })
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
                Some(f @ ('Y' | 'm' | 'd' | 'H' | 'M' | 'S')) => {
                    flush(&mut literal, &mut tokens);
                    tokens.push(Token::Time(match f {
                        'Y' => TimeField::Year,
                        'm' => TimeField::Month,
                        'd' => TimeField::Day,
                        'H' => TimeField::Hour,
                        'M' => TimeField::Minute,
                        _ => TimeField::Second,
                    }));
                }
                Some('%') => literal.push('%'),
                Some(other) => {
                    literal.push('%');
                    literal.push(other);
                }
                None => literal.push('%'),
            },
            '{' => match brace_follows(&mut chars) {
                Some(Brace::Seq) => {
                    flush(&mut literal, &mut tokens);
                    tokens.push(Token::Seq);
                }
                Some(Brace::Pid) => {
                    flush(&mut literal, &mut tokens);
                    tokens.push(Token::Pid);
                }
                Some(Brace::Host) => literal.push_str(host_name()),
                None => literal.push('{'),
            },
            _ => literal.push(c),
        }
    }
    flush(&mut literal, &mut tokens);
    tokens
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
            Token::Time(field) => {
                let n = if *field == TimeField::Year { 4 } else { 2 };
                digits(n).then(|| go(rest, &s[n..], seq)).flatten()
            }
            Token::Pid => {
                let run = s.iter().take_while(|b| b.is_ascii_digit()).count();
                (1..=run).rev().find_map(|n| go(rest, &s[n..], seq))
            }
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

    /// Whether names carry `{seq}` (and so a taken name moves to the next number).
    pub fn rotating(&self) -> bool {
        self.components.iter().flatten().any(|t| *t == Token::Seq)
    }

    /// The name for file `seq` opened at `at`.
    pub fn expand(&self, seq: u64, at: SystemTime) -> PathBuf {
        let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let rem = secs % 86_400;
        let mut out = String::with_capacity(self.text.len() + 16);
        if self.absolute {
            out.push('/');
        }
        for (i, component) in self.components.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            for token in component {
                match token {
                    Token::Literal(l) => out.push_str(l),
                    Token::Time(TimeField::Year) => out.push_str(&format!("{year:04}")),
                    Token::Time(field) => {
                        let v = match field {
                            TimeField::Month => u64::from(month),
                            TimeField::Day => u64::from(day),
                            TimeField::Hour => rem / 3600,
                            TimeField::Minute => rem / 60 % 60,
                            _ => rem % 60,
                        };
                        out.push_str(&format!("{v:02}"));
                    }
                    Token::Seq => out.push_str(&format!("{seq:06}")),
                    Token::Pid => out.push_str(&std::process::id().to_string()),
                }
            }
        }
        PathBuf::from(out)
    }

    /// Every existing file the pattern could have produced, finished or in progress.
    pub fn scan(&self) -> Vec<Found> {
        let mut found = Vec::new();
        let root = if self.absolute {
            PathBuf::from("/")
        } else {
            PathBuf::new()
        };
        self.scan_from(root, 0, None, &mut found);
        found
    }

    /// `seq`: the `{seq}` value a directory above already gave (the first one counts).
    fn scan_from(&self, dir: PathBuf, level: usize, seq: Option<u64>, found: &mut Vec<Found>) {
        let tokens = &self.components[level];
        let last = level + 1 == self.components.len();
        if let [Token::Literal(name)] = tokens.as_slice() {
            let path = dir.join(name);
            if !last {
                return self.scan_from(path, level + 1, seq, found);
            }
            for (p, inprogress) in [(path.clone(), false), (inprogress(&path), true)] {
                if p.is_file() {
                    found.push(Found {
                        path: path.clone(),
                        seq,
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
                if let Some(dir_seq) = match_component(tokens, &name) {
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        self.scan_from(dir.join(&name), level + 1, seq.or(dir_seq), found);
                    }
                }
                continue;
            }
            let (base, inprogress) = match name.strip_suffix(INPROGRESS) {
                Some(base) => (base, true),
                None => (name.as_str(), false),
            };
            if let Some(file_seq) = match_component(tokens, base) {
                found.push(Found {
                    path: dir.join(base),
                    seq: seq.or(file_seq),
                    inprogress,
                });
            }
        }
    }
}

/// Expands `{seq}`, `{host}`, `{pid}` and the UTC `%Y %m %d %H %M %S` fields (and `%%`) of a
/// file-name pattern.
pub fn expand_pattern(pattern: &str, seq: u64, at: SystemTime) -> String {
    Pattern::new(pattern)
        .expand(seq, at)
        .to_string_lossy()
        .into_owned()
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
    let rotating = pattern.rotating();
    for _ in 0..CREATE_ATTEMPTS {
        let path = pattern.expand(seq, SystemTime::now());
        let temp = inprogress(&path);
        let dir = parent_dir(&path);
        // Directories this call creates (a new date= partition, say): with sync_dir each is
        // synced into its parent, so a power cut cannot lose the path to a synced file.
        let created: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        storage
            .create_dir_all(dir)
            .map_err(|e| Error::io("cannot create directory", dir, &e))?;
        if sync_dir {
            for d in created.iter().rev() {
                let parent = parent_dir(d);
                storage
                    .sync_dir(parent)
                    .map_err(|e| Error::io("cannot sync directory", parent, &e))?;
            }
        }
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
    use std::os::unix::fs::MetadataExt;
    let temp = inprogress(path);
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&temp)
    {
        Ok(file) => file,
        // Finished or removed by its (live) writer since the scan.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot open abandoned file", &temp, &e)),
    };
    let locked = crate::parquet::io::try_lock_file(&file)
        .map_err(|e| Error::io("cannot lock abandoned file", &temp, &e))?;
    if !locked {
        return Ok(None);
    }
    // The lock is on the file we opened; the name may since have moved on to another file (its
    // writer removed a failed file, and a new one took the name). Only the file we hold, and
    // still at that name, is ours to recover: the sink removes or renames only files it holds.
    let held = file
        .metadata()
        .map_err(|e| Error::io("cannot stat abandoned file", &temp, &e))?;
    match std::fs::metadata(&temp) {
        Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot stat abandoned file", &temp, &e)),
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
        // {pid} matches any process id; {host} only this host.
        let t = tokenize("cap-{host}-{pid}-{seq}.parquet");
        let mine = format!("cap-{}-{}-000003.parquet", host_name(), std::process::id());
        assert_eq!(match_component(&t, &mine), Some(Some(3)));
        let earlier = format!("cap-{}-17-000009.parquet", host_name());
        assert_eq!(match_component(&t, &earlier), Some(Some(9)));
        assert_eq!(match_component(&t, "cap-otherhost-17-000009.parquet"), None);
    }

    #[test]
    fn host_and_pid_tokens_expand() {
        let at = UNIX_EPOCH;
        let name = expand_pattern("{host}/cap-{pid}-{seq}.parquet", 2, at);
        assert_eq!(
            name,
            format!("{}/cap-{}-000002.parquet", host_name(), std::process::id())
        );
        assert!(!host_name().is_empty() && !host_name().contains('/'));
        assert_eq!(expand_pattern("{other}{seq", 1, at), "{other}{seq");
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
        // {seq} in a directory: the directory's number is the file's.
        for run in ["run-000002", "run-000010"] {
            std::fs::create_dir_all(root.join(run)).unwrap();
            std::fs::write(root.join(run).join("data.parquet"), b"x").unwrap();
        }
        let pattern = Pattern::new(&format!("{}/run-{{seq}}/data.parquet", root.display()));
        let mut seqs: Vec<u64> = pattern.scan().iter().map(|f| f.seq.unwrap()).collect();
        seqs.sort();
        assert_eq!(seqs, [2, 10]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
