//! Recovery of files a crashed process left unfinished.
//!
//! With `Durability::RowGroup` or `Durability::Sync` the writer appends a complete footer (a
//! checkpoint) after every row group and writes the next row group after it, so the file is a
//! valid Parquet file at every row-group boundary: readers use the last footer, whose offsets
//! are absolute, and ignore the older ones. A crash in the middle of a row group leaves that
//! row group's partial bytes after the last checkpoint; [`recover`] finds the last checkpoint
//! that is intact and cuts the file there.
//!
//! A checkpoint is accepted only if all of these hold, so stray `PAR1` bytes inside payload data
//! cannot pass for one: the 4-byte length before the magic points inside the file; those bytes
//! decode as exactly one compact-Thrift struct with nothing left over; it has a schema, a row
//! count equal to the sum of its row groups' counts, and every column chunk it lists lies
//! between the leading magic and the footer, the last one ending where the footer begins; and
//! every chunk is an exact sequence of pages whose headers decode and whose `crc`, where the
//! page has one (every page this writer writes), matches its bytes. The last check catches a
//! footer that reached the disk while pages it describes did not (a power cut without
//! `Durability::Sync`, or a disk that reorders writes): such a footer is skipped for an earlier
//! one whose pages are intact.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::thrift::{CompactReader, Value};
use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"PAR1";
/// Bytes read per step while scanning backwards for a footer.
const WINDOW: usize = 1 << 20;
/// Footers longer than this are not ours (a row group's metadata is ~100 bytes per column).
const MAX_FOOTER: u64 = 1 << 30;

/// What [`recover`] found and did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The file already ended with a valid footer; nothing was changed.
    pub was_complete: bool,
    pub rows: u64,
    pub row_groups: u64,
    /// File size after recovery.
    pub bytes: u64,
    /// Bytes cut from the end (a partial row group).
    pub truncated_bytes: u64,
}

/// Makes an unfinished file valid again by cutting it after its last intact footer. A file that
/// already ends with a valid footer is left alone. Fails, changing nothing, when the file has no
/// intact footer at all (it was written without durability, or the crash came before the first
/// row group was complete).
pub fn recover(path: impl AsRef<Path>) -> Result<Recovery> {
    let path = path.as_ref();
    let io = |what: &str, e: std::io::Error| Error::io(what, path, &e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io("cannot open", e))?;
    let len = file.metadata().map_err(|e| io("cannot stat", e))?.len();
    let mut head = [0u8; 4];
    if len < 4 || read_at(&mut file, 0, &mut head).is_err() || &head != MAGIC {
        return Err(Error::invalid(format!(
            "'{}' is not a Parquet file: it does not start with PAR1",
            path.display()
        )));
    }
    let Some((end, meta)) = last_checkpoint(&mut file, len).map_err(|e| io("cannot read", e))?
    else {
        return Err(Error::invalid(format!(
            "'{}' has no intact footer to recover from: it was written without durability \
             (Durability::RowGroup or Sync), or it ended before its first row group was complete",
            path.display()
        )));
    };
    if end < len {
        file.set_len(end).map_err(|e| io("cannot truncate", e))?;
        file.sync_all().map_err(|e| io("cannot sync", e))?;
    }
    Ok(Recovery {
        was_complete: end == len,
        rows: meta.rows,
        row_groups: meta.row_groups,
        bytes: end,
        truncated_bytes: len - end,
    })
}

fn read_at(file: &mut File, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}

#[derive(Clone, Copy, Debug)]
struct FooterInfo {
    rows: u64,
    row_groups: u64,
}

/// The end offset (just past `PAR1`) of the last intact footer, scanning backwards.
fn last_checkpoint(file: &mut File, len: u64) -> std::io::Result<Option<(u64, FooterInfo)>> {
    let mut window = vec![0u8; (len as usize).min(WINDOW) + 3];
    // Candidate magic positions below `limit` are still to be examined.
    let mut limit = len.saturating_sub(3);
    while limit > 8 {
        let start = limit.saturating_sub(WINDOW as u64).max(8);
        let n = (limit - start) as usize + 3;
        read_at(file, start, &mut window[..n])?;
        for i in (0..n - 3).rev() {
            if &window[i..i + 4] == MAGIC {
                let magic_at = start + i as u64;
                if let Some(info) = check_footer(file, magic_at)? {
                    return Ok(Some((magic_at + 4, info)));
                }
            }
        }
        limit = start;
    }
    Ok(None)
}

/// Whether the `PAR1` at `magic_at` closes an intact footer.
fn check_footer(file: &mut File, magic_at: u64) -> std::io::Result<Option<FooterInfo>> {
    let mut len_bytes = [0u8; 4];
    read_at(file, magic_at - 4, &mut len_bytes)?;
    let footer_len = u64::from(u32::from_le_bytes(len_bytes));
    if footer_len == 0 || footer_len > MAX_FOOTER || footer_len + 8 > magic_at {
        return Ok(None);
    }
    let footer_at = magic_at - 4 - footer_len;
    // FileMetaData opens with field 1 (version, i32): compact byte 0x15. Checking it first keeps
    // stray `PAR1` bytes in payloads from costing a read (and buffer) of a bogus length each.
    let mut first = [0u8; 1];
    read_at(file, footer_at, &mut first)?;
    if first[0] != 0x15 {
        return Ok(None);
    }
    let mut footer = vec![0u8; footer_len as usize];
    read_at(file, footer_at, &mut footer)?;
    let mut reader = CompactReader::new(&footer);
    let Ok(meta) = reader.read_struct() else {
        return Ok(None);
    };
    if reader.position() != footer.len() {
        return Ok(None);
    }
    let Some(described) = footer_info(&meta, footer_at) else {
        return Ok(None);
    };
    for (first, end) in described.chunks {
        if !pages_intact(file, first, end)? {
            return Ok(None);
        }
    }
    // Each page index is one Thrift struct filling its range exactly.
    let mut buf = Vec::new();
    for (at, end) in described.indexes {
        buf.resize((end - at) as usize, 0);
        read_at(file, at, &mut buf)?;
        let mut reader = CompactReader::new(&buf);
        if reader.read_struct().is_err() || reader.position() != buf.len() {
            return Ok(None);
        }
    }
    Ok(Some(described.info))
}

/// What a footer describes, and where.
struct Described {
    info: FooterInfo,
    /// Byte ranges of the column chunks.
    chunks: Vec<(u64, u64)>,
    /// Byte ranges of the page indexes.
    indexes: Vec<(u64, u64)>,
}

/// Bytes read at once for a page header (ours are a few dozen bytes; a header that does not
/// decode within this is read again with `PAGE_WINDOW`), and for a piece of a page.
const HEADER_WINDOW: u64 = 4096;
const PAGE_WINDOW: u64 = 1 << 20;

/// Whether `[first, end)` is exactly a sequence of pages with decodable headers whose CRCs,
/// where present, match.
fn pages_intact(file: &mut File, first: u64, end: u64) -> std::io::Result<bool> {
    let mut at = first;
    let mut buf = Vec::new();
    while at < end {
        let mut header = None;
        for window in [HEADER_WINDOW, PAGE_WINDOW] {
            buf.resize((end - at).min(window) as usize, 0);
            read_at(file, at, &mut buf)?;
            let mut reader = CompactReader::new(&buf);
            if let Ok(h) = reader.read_struct() {
                header = Some((h, reader.position() as u64));
                break;
            }
            if buf.len() as u64 == end - at {
                break; // the whole rest was read: a larger window cannot help
            }
        }
        let Some((header, header_len)) = header else {
            return Ok(false);
        };
        let body_at = at + header_len;
        let Some(size) = header
            .field(3)
            .and_then(Value::int)
            .and_then(|v| u64::try_from(v).ok())
        else {
            return Ok(false);
        };
        let Some(body_end) = body_at.checked_add(size).filter(|&e| e <= end) else {
            return Ok(false);
        };
        if let Some(expected) = header.field(4).and_then(Value::int) {
            let mut crc = 0u32;
            let mut p = body_at;
            while p < body_end {
                buf.resize((body_end - p).min(PAGE_WINDOW) as usize, 0);
                read_at(file, p, &mut buf)?;
                crc = zlib_rs::crc32::crc32(crc, &buf);
                p += buf.len() as u64;
            }
            if crc != expected as i32 as u32 {
                return Ok(false);
            }
        }
        at = body_end;
    }
    Ok(at == end)
}

/// Checks a decoded FileMetaData against where it sits in the file; returns what it describes:
/// rows, row groups, and the byte ranges of every column chunk and page index.
fn footer_info(meta: &Value, footer_at: u64) -> Option<Described> {
    let schema = meta.field(2)?.list()?;
    let num_rows = u64::try_from(meta.field(3)?.int()?).ok()?;
    let row_groups = meta.field(4)?.list()?;
    if schema.len() < 2 {
        return None;
    }
    let mut rows = 0u64;
    let mut data_end = 4u64;
    let mut chunks = Vec::new();
    let mut indexes = Vec::new();
    for rg in row_groups {
        rows = rows.checked_add(u64::try_from(rg.field(3)?.int()?).ok()?)?;
        for chunk in rg.field(1)?.list()? {
            let cm = chunk.field(3)?;
            let size = u64::try_from(cm.field(7)?.int()?).ok()?;
            let mut first = u64::try_from(cm.field(9)?.int()?).ok()?;
            if let Some(dict) = cm.field(11).and_then(Value::int) {
                first = first.min(u64::try_from(dict).ok()?);
            }
            let end = first.checked_add(size)?;
            if first < 4 || end > footer_at {
                return None;
            }
            data_end = data_end.max(end);
            chunks.push((first, end));
            // The page index (OffsetIndex at 4/5, ColumnIndex at 6/7) lies between the data and
            // the footer that points at it.
            for (at_field, len_field) in [(4, 5), (6, 7)] {
                let (Some(at), Some(len)) = (chunk.field(at_field), chunk.field(len_field)) else {
                    continue;
                };
                let at = u64::try_from(at.int()?).ok()?;
                let end = at.checked_add(u64::try_from(len.int()?).ok()?)?;
                if at < 4 || end > footer_at {
                    return None;
                }
                data_end = data_end.max(end);
                indexes.push((at, end));
            }
        }
    }
    (rows == num_rows && data_end == footer_at).then_some(Described {
        info: FooterInfo {
            rows,
            row_groups: row_groups.len() as u64,
        },
        chunks,
        indexes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::{
        Codec, Column, ColumnInput, Durability, FileWriter, PhysicalType, Repetition, WriterOptions,
    };

    /// Writes `groups` row groups whose strings are full of `PAR1` and footer-like bytes; returns
    /// the file's bytes and its size after each row group's checkpoint.
    /// Row group `g` has 3 + g rows, or 3 + g + `grow` * g rows to make row groups outgrow the
    /// footer. Returns the bytes and, per row group, the file size if it was checkpointed.
    fn checkpointed_file(
        dir: &Path,
        groups: usize,
        codec: Codec,
        grow: usize,
    ) -> (Vec<u8>, Vec<Option<u64>>) {
        let path = dir.join("f.parquet");
        let columns = vec![
            Column::new("s", PhysicalType::ByteArray, Repetition::Required),
            Column::new("n", PhysicalType::Int64, Repetition::Optional),
        ];
        let options = WriterOptions {
            durability: Durability::RowGroup,
            codec,
            ..WriterOptions::default()
        };
        let mut writer = FileWriter::create(&path, columns, options).unwrap();
        let mut ends = Vec::new();
        for g in 0..groups {
            let rows = rows_of(g, grow);
            let mut values = Vec::new();
            let mut offsets = vec![0u32];
            for r in 0..rows {
                values.extend_from_slice(b"PAR1");
                values.extend_from_slice(&(r as u32).to_le_bytes());
                values.extend_from_slice(b"PAR1");
                offsets.push(values.len() as u32);
            }
            let numbers: Vec<u8> = (0..rows as i64 - 1).flat_map(|v| v.to_le_bytes()).collect();
            let mut def = vec![1u8; rows];
            def[0] = 0;
            let inputs = [
                ColumnInput {
                    values: &values,
                    offsets: Some(&offsets),
                    ..Default::default()
                },
                ColumnInput {
                    values: &numbers,
                    def_levels: Some(&def),
                    ..Default::default()
                },
            ];
            writer.write_row_group(rows, &inputs).unwrap();
            let checkpointed = writer.durable_rows() == writer.rows_written();
            ends.push(checkpointed.then(|| writer.bytes_written()));
        }
        let before_close = writer.bytes_written();
        let summary = writer.close().unwrap();
        if ends.last().unwrap().is_some() {
            // The last checkpoint is the final footer: close() adds nothing.
            assert_eq!(summary.bytes, before_close);
        } else {
            *ends.last_mut().unwrap() = Some(summary.bytes);
        }
        (std::fs::read(&path).unwrap(), ends)
    }

    fn rows_of(g: usize, grow: usize) -> usize {
        3 + g + grow * g
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pf-recover-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn every_cut_recovers_to_the_last_complete_row_group() {
        // grow 0: small row groups, so checkpoints thin out as the footer grows; grow 400: every
        // row group outweighs the footer and gets its checkpoint.
        for (codec, grow, groups) in [
            (Codec::Uncompressed, 0, 12),
            (Codec::Gzip, 0, 6),
            (Codec::Uncompressed, 400, 5),
        ] {
            let dir = temp_dir(&format!("cuts-{codec:?}-{grow}"));
            let (bytes, ends) = checkpointed_file(&dir, groups, codec, grow);
            if grow > 0 {
                assert!(ends.iter().all(Option::is_some), "{ends:?}");
            } else {
                assert!(
                    ends.iter().any(Option::is_none),
                    "spacing never applied: {ends:?}"
                );
            }
            let checkpoints: Vec<(usize, u64)> = ends
                .iter()
                .enumerate()
                .filter_map(|(g, e)| e.map(|e| (g + 1, e)))
                .collect();
            let path = dir.join("cut.parquet");
            // About 400 cuts spread over the file, and every byte near a checkpoint's end.
            let mut cuts: Vec<usize> = (0..=bytes.len()).step_by(bytes.len() / 400 + 1).collect();
            for &(_, end) in &checkpoints {
                let end = end as usize;
                cuts.extend(end.saturating_sub(24)..=(end + 24).min(bytes.len()));
            }
            cuts.sort_unstable();
            cuts.dedup();
            for cut in cuts {
                std::fs::write(&path, &bytes[..cut]).unwrap();
                let complete = checkpoints
                    .iter()
                    .filter(|&&(_, e)| e as usize <= cut)
                    .count();
                match recover(&path) {
                    Ok(r) => {
                        assert!(complete > 0, "cut {cut}: recovered from nothing: {r:?}");
                        let (groups_kept, end) = checkpoints[complete - 1];
                        let complete = groups_kept;
                        let rows: usize = (0..complete).map(|g| rows_of(g, grow)).sum();
                        assert_eq!(r.row_groups, complete as u64, "cut {cut}");
                        assert_eq!(r.rows, rows as u64, "cut {cut}");
                        assert_eq!(r.bytes, end, "cut {cut}");
                        assert_eq!(r.was_complete, end as usize == cut);
                        assert_eq!(std::fs::read(&path).unwrap(), bytes[..end as usize]);
                    }
                    Err(e) => {
                        assert_eq!(complete, 0, "cut {cut}: {e}");
                        assert!(!e.message.is_empty());
                        assert_eq!(std::fs::read(&path).unwrap().len(), cut, "unchanged");
                    }
                }
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn garbage_after_a_checkpoint_is_cut() {
        let dir = temp_dir("garbage");
        let (mut bytes, ends) = checkpointed_file(&dir, 2, Codec::Uncompressed, 400);
        let ends: Vec<u64> = ends.into_iter().map(Option::unwrap).collect();
        // A torn next row group that happens to end in PAR1 after a bogus length.
        bytes.extend_from_slice(&[0x15, 0x00, 0x15, 0x04, 0x2C]);
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(b"PAR1");
        let path = dir.join("torn.parquet");
        std::fs::write(&path, &bytes).unwrap();
        let r = recover(&path).unwrap();
        assert_eq!((r.row_groups, r.bytes), (2, ends[1]));
        assert_eq!(r.truncated_bytes, bytes.len() as u64 - ends[1]);
        // Recovering a recovered file changes nothing.
        let again = recover(&path).unwrap();
        assert!(again.was_complete);
        assert_eq!(again.bytes, ends[1]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_without_checkpoints_are_refused_unchanged() {
        let dir = temp_dir("plain");
        let path = dir.join("p.parquet");
        let columns = vec![Column::new("n", PhysicalType::Int32, Repetition::Required)];
        let mut writer = FileWriter::create(&path, columns, WriterOptions::default()).unwrap();
        let values: Vec<u8> = (0..100i32).flat_map(|v| v.to_le_bytes()).collect();
        writer
            .write_row_group(100, &[ColumnInput::new(&values)])
            .unwrap();
        writer
            .write_row_group(100, &[ColumnInput::new(&values)])
            .unwrap();
        // Simulate a crash: the bytes on disk before close().
        let unfinished = std::fs::read(&path).unwrap();
        writer.close().unwrap();
        std::fs::write(&path, &unfinished).unwrap();
        let err = recover(&path).unwrap_err();
        assert!(err.message.contains("no intact footer"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), unfinished);
        std::fs::write(&path, b"not parquet at all").unwrap();
        assert!(recover(&path)
            .unwrap_err()
            .message
            .contains("does not start with PAR1"));
        assert!(recover(dir.join("missing.parquet"))
            .unwrap_err()
            .message
            .contains("cannot open"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A footer whose pages did not all reach the disk (a power cut after the footer was
    /// written but before a page was) must not be trusted: the page CRC tells, and recovery
    /// falls back to the previous checkpoint.
    #[test]
    fn a_checkpoint_whose_pages_are_damaged_is_skipped() {
        let dir = temp_dir("crc");
        let (mut bytes, ends) = checkpointed_file(&dir, 3, Codec::Uncompressed, 400);
        let ends: Vec<u64> = ends.into_iter().map(Option::unwrap).collect();
        // Zero a stretch in the middle of the third row group's data, as a lost page write
        // leaves it; its footer stays intact.
        let mid = (ends[1] + (ends[2] - ends[1]) / 3) as usize;
        for b in &mut bytes[mid..mid + 64] {
            *b = 0;
        }
        let path = dir.join("damaged.parquet");
        std::fs::write(&path, &bytes).unwrap();
        let r = recover(&path).unwrap();
        assert_eq!((r.row_groups, r.bytes), (2, ends[1]), "{r:?}");
        assert!(!r.was_complete);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
