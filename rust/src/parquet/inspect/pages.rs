//! The first rows of a file: pages read, decompressed and decoded column by column until each
//! column has them. Columns may be repeated once (a list per row), not nested deeper; every
//! Parquet encoding (PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE booleans, DELTA_BINARY_PACKED,
//! DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT), data pages v1 and v2, and the
//! codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW.
//!
//! Only the values asked for are decoded. What the file claims is never trusted for memory: every
//! buffer (a page read, a page decompressed, a dictionary, a decoded value, a level) is charged to
//! a [`Budget`] before it is allocated, and a loop advances through its input on every turn.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;

use super::{Cell, ChunkInfo, ColumnInfo, FileInfo};
use crate::parquet::thrift::{CompactReader, Value};
use crate::parquet::PhysicalType;

type Parse<T> = std::result::Result<T, String>;

/// Bytes one inspection may still allocate for decoded data.
pub struct Budget(pub u64);

impl Budget {
    fn take(&mut self, bytes: u64) -> Parse<()> {
        self.0 = self.0.checked_sub(bytes).ok_or_else(|| {
            format!("the data claims more memory ({bytes} bytes) than its file's size allows")
        })?;
        Ok(())
    }
}

/// Per column, its cells in the first `rows` rows (fewer if the file has fewer rows).
pub fn first_rows(
    file: &File,
    info: &FileInfo,
    rows: u64,
    budget: &mut u64,
) -> Parse<Vec<Vec<Cell>>> {
    if let Some(c) = info.columns.iter().find(|c| c.max_rep > 1) {
        return Err(format!(
            "column '{}' is a list of lists: rows are printed for columns repeated once at most",
            c.path
        ));
    }
    let mut b = Budget(*budget);
    let total: u64 = info.row_groups.iter().map(|rg| rg.num_rows as u64).sum();
    let want = usize::try_from(rows.min(total)).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(info.columns.len());
    for (i, column) in info.columns.iter().enumerate() {
        let mut cells = Vec::new();
        for (g, rg) in info.row_groups.iter().enumerate() {
            if cells.len() >= want {
                break;
            }
            let rg_rows = usize::try_from(rg.num_rows).unwrap_or(usize::MAX);
            let take = (want - cells.len()).min(rg_rows);
            let got = chunk_cells(file, column, &rg.columns[i], take, &mut b)
                .map_err(|what| format!("row group {g}, column '{}': {what}", column.path))?;
            if got.len() < take {
                return Err(format!(
                    "row group {g}, column '{}': its pages hold {} rows, the row group {}",
                    column.path,
                    got.len(),
                    rg.num_rows
                ));
            }
            cells.extend(got);
        }
        out.push(cells);
    }
    *budget = b.0;
    Ok(out)
}

/// Bytes read at once for a page header, then (if it did not decode) the most ever tried.
const HEADER_WINDOW: u64 = 4096;
const MAX_HEADER: u64 = 16 << 20;

fn read_at(file: &File, at: u64, len: u64, budget: &mut Budget) -> Parse<Vec<u8>> {
    budget.take(len)?;
    let mut buf = vec![0u8; len as usize];
    file.read_exact_at(&mut buf, at)
        .map_err(|e| format!("cannot read {len} bytes at {at}: {e}"))?;
    Ok(buf)
}

/// The dictionary of a chunk: its PLAIN values.
struct Dictionary {
    values: Vec<Vec<u8>>,
}

/// A data page's parts, once decompressed.
struct DataPage<'a> {
    num_values: usize,
    encoding: i64,
    rep_levels: &'a [u8],
    def_levels: &'a [u8],
    values: &'a [u8],
}

/// The cells of one column chunk's first `want` rows.
fn chunk_cells(
    file: &File,
    column: &ColumnInfo,
    chunk: &ChunkInfo,
    want: usize,
    budget: &mut Budget,
) -> Parse<Vec<Cell>> {
    let mut out: Vec<Cell> = Vec::new();
    let mut dictionary: Option<Dictionary> = None;
    // A repeated column's last row may go on in the next page (data pages v1).
    let mut row_open = false;
    let mut at = chunk.start;
    while (out.len() < want || row_open) && at < chunk.end {
        // The header: a small read first, a larger one if it did not decode.
        let mut header = None;
        let mut window = HEADER_WINDOW;
        loop {
            let len = (chunk.end - at).min(window);
            let buf = read_at(file, at, len, budget)?;
            budget.0 += len; // the header buffer is freed below
            let mut reader = CompactReader::new(&buf);
            if let Ok(h) = reader.read_struct() {
                header = Some((h, reader.position() as u64));
                break;
            }
            if len == chunk.end - at || window >= MAX_HEADER {
                break;
            }
            window *= 16;
        }
        let (header, header_len) =
            header.ok_or_else(|| format!("the page header at {at} does not decode"))?;
        let page = |id| header.field(id).and_then(Value::int);
        let compressed = page(3)
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| format!("the page at {at} has no valid compressed size"))?;
        let uncompressed = page(2)
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| format!("the page at {at} has no valid uncompressed size"))?;
        let body_at = at + header_len;
        let body_end = body_at
            .checked_add(compressed)
            .filter(|&e| e <= chunk.end)
            .ok_or_else(|| {
                format!("the page at {at} ({compressed} bytes) runs past its chunk's end")
            })?;
        let place = |what: String| format!("page at {at}: {what}");
        match page(1).unwrap_or(-1) {
            // DATA_PAGE: levels (each with a 4-byte length) and values, compressed together.
            0 => {
                let h = header
                    .field(5)
                    .ok_or_else(|| place("no data page header".into()))?;
                if h.field(3).and_then(Value::int).is_some_and(|e| e != 3) && column.max_def > 0
                    || h.field(4).and_then(Value::int).is_some_and(|e| e != 3) && column.max_rep > 0
                {
                    return Err(place("levels are not RLE-encoded".into()));
                }
                let body = read_at(file, body_at, compressed, budget)?;
                let data = decompress(chunk.codec, &body, uncompressed, budget).map_err(place)?;
                drop(body);
                let mut rest = &data[..];
                let mut prefixed = |present: bool| -> Parse<&[u8]> {
                    if !present {
                        return Ok(&[]);
                    }
                    let len = rest
                        .get(..4)
                        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                        .filter(|&len| len <= rest.len() - 4)
                        .ok_or_else(|| place("levels run past the page".into()))?;
                    let levels = &rest[4..4 + len];
                    rest = &rest[4 + len..];
                    Ok(levels)
                };
                let rep_levels = prefixed(column.max_rep > 0)?;
                let def_levels = prefixed(column.max_def > 0)?;
                let page = DataPage {
                    num_values: count(h.field(1)).map_err(place)?,
                    encoding: h.field(2).and_then(Value::int).unwrap_or(-1),
                    rep_levels,
                    def_levels,
                    values: rest,
                };
                row_open = page_cells(column, &page, dictionary.as_ref(), want, &mut out, budget)
                    .map_err(place)?;
            }
            // DICTIONARY_PAGE
            2 => {
                let h = header
                    .field(7)
                    .ok_or_else(|| place("no dictionary page header".into()))?;
                let num_values = count(h.field(1)).map_err(place)?;
                if !matches!(h.field(2).and_then(Value::int), Some(0 | 2) | None) {
                    return Err(place("the dictionary is not PLAIN-encoded".into()));
                }
                let body = read_at(file, body_at, compressed, budget)?;
                let data = decompress(chunk.codec, &body, uncompressed, budget).map_err(place)?;
                let values = plain(column, &data, num_values, budget)
                    .map_err(|e| place(format!("dictionary: {e}")))?;
                dictionary = Some(Dictionary { values });
            }
            // DATA_PAGE_V2: levels first, never compressed, then the values, maybe compressed.
            3 => {
                let h = header
                    .field(8)
                    .ok_or_else(|| place("no data page v2 header".into()))?;
                let def_len = count(h.field(5)).map_err(place)? as u64;
                let rep_len = count(h.field(6)).map_err(place)? as u64;
                let levels_len = def_len + rep_len;
                if levels_len > compressed || levels_len > uncompressed {
                    return Err(place("its levels are longer than the page".into()));
                }
                let body = read_at(file, body_at, compressed, budget)?;
                let compressed_values = h.field(7).and_then(Value::boolean) != Some(false);
                let values = if compressed_values {
                    decompress(
                        chunk.codec,
                        &body[levels_len as usize..],
                        uncompressed - levels_len,
                        budget,
                    )
                    .map_err(place)?
                } else {
                    body[levels_len as usize..].to_vec()
                };
                let page = DataPage {
                    num_values: count(h.field(1)).map_err(place)?,
                    encoding: h.field(4).and_then(Value::int).unwrap_or(-1),
                    rep_levels: &body[..rep_len as usize],
                    def_levels: &body[rep_len as usize..levels_len as usize],
                    values: &values,
                };
                row_open = page_cells(column, &page, dictionary.as_ref(), want, &mut out, budget)
                    .map_err(place)?;
            }
            // INDEX_PAGE and unknown pages: skipped, as readers do.
            _ => {}
        }
        at = body_end;
    }
    Ok(out)
}

/// Adds a data page's rows to `out` until it has `want`; returns whether the last row may go
/// on in the next page (a repeated column whose page ended before the next row began).
fn page_cells(
    column: &ColumnInfo,
    page: &DataPage<'_>,
    dictionary: Option<&Dictionary>,
    want: usize,
    out: &mut Vec<Cell>,
    budget: &mut Budget,
) -> Parse<bool> {
    let repeated = column.max_rep > 0;
    // A flat column has an entry per row; a repeated one's rows are found in its levels.
    let entries = if repeated {
        page.num_values
    } else {
        page.num_values.min(want.saturating_sub(out.len()))
    };
    budget.take(entries as u64 * 48)?;
    let rep = if repeated {
        rle_hybrid(page.rep_levels, bit_width(column.max_rep), entries, budget)
            .map_err(|e| format!("repetition levels: {e}"))?
    } else {
        Vec::new()
    };
    let def = if column.max_def > 0 {
        rle_hybrid(page.def_levels, bit_width(column.max_def), entries, budget)
            .map_err(|e| format!("definition levels: {e}"))?
    } else {
        vec![0; entries]
    };
    // The entries of the rows wanted: up to the first that starts a row beyond them.
    let mut rows = out.len();
    let mut cut = entries;
    for (i, &r) in rep.iter().enumerate() {
        if r == 0 {
            if rows == want {
                cut = i;
                break;
            }
            rows += 1;
        } else if i == 0 && out.is_empty() {
            return Err("the column's first page starts in the middle of a row".into());
        }
    }
    let present = def[..cut].iter().filter(|&&d| d == column.max_def).count();
    let mut values = decode_values(
        column,
        page.encoding,
        page.values,
        present,
        dictionary,
        budget,
    )?
    .into_iter();
    for i in 0..cut {
        let d = def[i];
        let element = match d == column.max_def {
            true => Some(values.next().ok_or("fewer values than levels")?),
            false => None,
        };
        if !repeated {
            out.push(element.map_or(Cell::Null, Cell::Value));
            continue;
        }
        if rep[i] == 0 {
            out.push(if d >= column.list_def {
                Cell::List(vec![element])
            } else if d + 1 == column.list_def {
                Cell::List(Vec::new())
            } else {
                Cell::Null
            });
        } else {
            match out.last_mut() {
                Some(Cell::List(items)) if d >= column.list_def => items.push(element),
                _ => return Err(format!("entry {i} continues a row that is not a list")),
            }
        }
    }
    Ok(repeated && cut == entries)
}

fn count(v: Option<&Value>) -> Parse<usize> {
    v.and_then(Value::int)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| "a count is missing or negative".to_string())
}

fn bit_width(max: u32) -> u32 {
    32 - max.leading_zeros()
}

fn decompress(codec: i64, body: &[u8], size: u64, budget: &mut Budget) -> Parse<Vec<u8>> {
    budget.take(size)?;
    let size = size as usize;
    let out = match codec {
        0 => body.to_vec(),
        1 => {
            let claimed = snap::raw::decompress_len(body).map_err(|e| format!("SNAPPY: {e}"))?;
            if claimed != size {
                return Err(format!(
                    "SNAPPY data of {claimed} bytes where the header says {size}"
                ));
            }
            let mut out = vec![0u8; size];
            let n = snap::raw::Decoder::new()
                .decompress(body, &mut out)
                .map_err(|e| format!("SNAPPY: {e}"))?;
            out.truncate(n);
            out
        }
        2 => {
            let mut out = Vec::with_capacity(size);
            flate2::read::MultiGzDecoder::new(body)
                .take(size as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("GZIP: {e}"))?;
            out
        }
        6 => zstd::bulk::decompress(body, size).map_err(|e| format!("ZSTD: {e}"))?,
        7 => lz4_flex::block::decompress(body, size).map_err(|e| format!("LZ4_RAW: {e}"))?,
        other => {
            return Err(format!(
                "codec {} is not supported here (UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW are)",
                super::codec_name(other)
            ))
        }
    };
    if out.len() != size {
        return Err(format!(
            "it decompresses to {} bytes where its header says {size}",
            out.len()
        ));
    }
    Ok(out)
}

/// Bytes per value of a fixed-width column; 0 for BYTE_ARRAY, BOOLEAN is bit-packed.
fn width(column: &ColumnInfo) -> usize {
    match column.physical {
        PhysicalType::Boolean => 0,
        PhysicalType::Int32 | PhysicalType::Float => 4,
        PhysicalType::Int64 | PhysicalType::Double => 8,
        PhysicalType::Int96 => 12,
        PhysicalType::ByteArray => 0,
        PhysicalType::FixedLenByteArray => column.type_length,
    }
}

/// The first `n` values of PLAIN-encoded `data`.
fn plain(column: &ColumnInfo, data: &[u8], n: usize, budget: &mut Budget) -> Parse<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    match column.physical {
        PhysicalType::Boolean => {
            if n > data.len().saturating_mul(8) {
                return Err(format!("{n} booleans in {} bytes", data.len()));
            }
            budget.take(n as u64 * 25)?;
            out.extend((0..n).map(|i| vec![(data[i / 8] >> (i % 8)) & 1]));
        }
        PhysicalType::ByteArray => {
            let mut at = 0usize;
            for i in 0..n {
                let len = data
                    .get(at..at + 4)
                    .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                    .ok_or_else(|| format!("value {i}: its length runs past the data"))?;
                let value = data
                    .get(at + 4..at + 4 + len)
                    .ok_or_else(|| format!("value {i} ({len} bytes) runs past the data"))?;
                budget.take(len as u64 + 24)?;
                out.push(value.to_vec());
                at += 4 + len;
            }
        }
        _ => {
            let w = width(column);
            if n > data.len() / w {
                return Err(format!("{n} values of {w} bytes in {} bytes", data.len()));
            }
            budget.take(n as u64 * (w as u64 + 24))?;
            out.extend(data.chunks_exact(w).take(n).map(<[u8]>::to_vec));
        }
    }
    Ok(out)
}

/// The first `n` non-null values of a page's value section.
fn decode_values(
    column: &ColumnInfo,
    encoding: i64,
    data: &[u8],
    n: usize,
    dictionary: Option<&Dictionary>,
    budget: &mut Budget,
) -> Parse<Vec<Vec<u8>>> {
    let physical = column.physical;
    let unfit = || {
        Err(format!(
            "{} cannot encode {} values",
            super::encoding_name(encoding),
            physical.name()
        ))
    };
    match encoding {
        0 => plain(column, data, n, budget),
        2 | 8 => {
            let dictionary =
                dictionary.ok_or("dictionary-encoded page without a dictionary page before it")?;
            let (&bits, indices) = data.split_first().ok_or("no index bit width")?;
            if bits > 32 {
                return Err(format!("index bit width {bits}"));
            }
            let indices = rle_hybrid(indices, u32::from(bits), n, budget)?;
            indices
                .iter()
                .map(|&i| {
                    let value = dictionary.values.get(i as usize).ok_or_else(|| {
                        format!(
                            "index {i} beyond the dictionary's {} values",
                            dictionary.values.len()
                        )
                    })?;
                    budget.take(value.len() as u64 + 24)?;
                    Ok(value.clone())
                })
                .collect()
        }
        3 if physical == PhysicalType::Boolean => {
            let len = data
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                .filter(|&len| len <= data.len() - 4)
                .ok_or("the RLE length prefix runs past the data")?;
            let bits = rle_hybrid(&data[4..4 + len], 1, n, budget)?;
            budget.take(n as u64 * 25)?;
            Ok(bits.iter().map(|&b| vec![b as u8]).collect())
        }
        5 if matches!(physical, PhysicalType::Int32 | PhysicalType::Int64) => {
            let wide = physical == PhysicalType::Int64;
            let (values, _) = delta_binary_packed(data, n, wide, budget)?;
            if values.len() < n {
                return Err(format!("{} values where {n} are needed", values.len()));
            }
            budget.take(n as u64 * 32)?;
            Ok(values
                .into_iter()
                .map(|v| {
                    if wide {
                        v.to_le_bytes().to_vec()
                    } else {
                        (v as i32).to_le_bytes().to_vec()
                    }
                })
                .collect())
        }
        6 if physical == PhysicalType::ByteArray => {
            delta_length_byte_array(data, n, budget).map(|(v, _)| v)
        }
        7 if matches!(
            physical,
            PhysicalType::ByteArray | PhysicalType::FixedLenByteArray
        ) =>
        {
            let (prefixes, used) = delta_binary_packed(data, n, true, budget)?;
            let (suffixes, _) = delta_length_byte_array(&data[used..], n, budget)?;
            if prefixes.len() < n || suffixes.len() < n {
                return Err(format!("fewer than {n} values"));
            }
            let mut out: Vec<Vec<u8>> = Vec::with_capacity(n);
            for (i, (prefix, suffix)) in prefixes.iter().zip(suffixes).enumerate() {
                let previous = out.last().map_or(&[][..], |v| &v[..]);
                let prefix = usize::try_from(*prefix)
                    .ok()
                    .filter(|&p| p <= previous.len())
                    .ok_or_else(|| {
                        format!(
                            "value {i}: prefix {prefix} is longer than the value before ({})",
                            previous.len()
                        )
                    })?;
                budget.take((prefix + suffix.len()) as u64 + 24)?;
                let mut value = previous[..prefix].to_vec();
                value.extend_from_slice(&suffix);
                if physical == PhysicalType::FixedLenByteArray && value.len() != column.type_length
                {
                    return Err(format!(
                        "value {i} has {} bytes, the column {}",
                        value.len(),
                        column.type_length
                    ));
                }
                out.push(value);
            }
            Ok(out)
        }
        9 if !matches!(
            physical,
            PhysicalType::Boolean | PhysicalType::ByteArray | PhysicalType::Int96
        ) =>
        {
            let w = width(column);
            if !data.len().is_multiple_of(w) || n > data.len() / w {
                return Err(format!(
                    "{} bytes do not hold {n} values of {w} bytes",
                    data.len()
                ));
            }
            let streams = data.len() / w;
            budget.take(n as u64 * (w as u64 + 24))?;
            Ok((0..n)
                .map(|i| (0..w).map(|b| data[b * streams + i]).collect())
                .collect())
        }
        _ if (0..=9).contains(&encoding) => unfit(),
        other => Err(format!("unknown encoding {other}")),
    }
}

fn uleb(data: &[u8], at: &mut usize) -> Parse<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*at).ok_or("a varint runs past the data")?;
        *at += 1;
        v |= u64::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("a varint is longer than 64 bits".into())
}

fn zigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// `width` bits (≤ 64) at bit `bit` of little-endian bit-packed `data`; the caller checked that
/// they lie inside it.
fn bits_at(data: &[u8], bit: usize, width: u32) -> u64 {
    let mut v = 0u128;
    let first = bit / 8;
    let last = (bit + width as usize).div_ceil(8);
    for (k, &b) in data[first..last].iter().enumerate() {
        v |= u128::from(b) << (8 * k);
    }
    ((v >> (bit % 8)) & ((1u128 << width) - 1)) as u64
}

/// The first `n` values of an RLE / bit-packed hybrid run sequence (no length prefix).
fn rle_hybrid(data: &[u8], width: u32, n: usize, budget: &mut Budget) -> Parse<Vec<u32>> {
    if width > 32 {
        return Err(format!("bit width {width}"));
    }
    budget.take(n as u64 * 4)?;
    let mut out = Vec::with_capacity(n);
    let mut at = 0usize;
    while out.len() < n {
        let header = uleb(data, &mut at)?;
        if header & 1 == 1 {
            // Bit-packed: groups of 8 values.
            let values = usize::try_from(header >> 1)
                .ok()
                .and_then(|g| g.checked_mul(8))
                .ok_or("a bit-packed run is too long")?;
            let bytes = (values / 8) * width as usize;
            let run = data
                .get(at..at.checked_add(bytes).ok_or("a run is too long")?)
                .ok_or("a bit-packed run runs past the data")?;
            let take = values.min(n - out.len());
            out.extend((0..take).map(|i| bits_at(run, i * width as usize, width) as u32));
            at += bytes;
        } else {
            let count = usize::try_from(header >> 1).unwrap_or(usize::MAX);
            let bytes = (width as usize).div_ceil(8);
            let raw = data
                .get(at..at + bytes)
                .ok_or("an RLE run runs past the data")?;
            let mut value = 0u32;
            for (k, &b) in raw.iter().enumerate() {
                value |= u32::from(b) << (8 * k);
            }
            if width < 32 && value >> width != 0 {
                return Err(format!("RLE value {value} wider than {width} bits"));
            }
            at += bytes;
            if count == 0 {
                continue; // an empty run moves the input on; allowed, if odd
            }
            let take = count.min(n - out.len());
            out.extend(std::iter::repeat_n(value, take));
        }
    }
    Ok(out)
}

/// DELTA_BINARY_PACKED: the first `n` values (as i64; INT32 columns wrap in 32 bits) and the
/// bytes the whole stream takes, which later sections of DELTA_*_BYTE_ARRAY start after.
fn delta_binary_packed(
    data: &[u8],
    n: usize,
    wide: bool,
    budget: &mut Budget,
) -> Parse<(Vec<i64>, usize)> {
    let mut at = 0usize;
    let block = uleb(data, &mut at)?;
    let minis = uleb(data, &mut at)?;
    let total = uleb(data, &mut at)?;
    let first = zigzag(uleb(data, &mut at)?);
    if block == 0 || block % 128 != 0 || block > 1 << 20 {
        return Err(format!("DELTA_BINARY_PACKED block size {block}"));
    }
    if minis == 0 || block % minis != 0 || (block / minis) % 32 != 0 {
        return Err(format!(
            "DELTA_BINARY_PACKED: {minis} miniblocks in a block of {block}"
        ));
    }
    let (block, minis) = (block as usize, minis as usize);
    let per_mini = block / minis;
    let limit = if wide { 64 } else { 32 };
    let keep = usize::try_from(total).unwrap_or(usize::MAX).min(n);
    budget.take(keep as u64 * 8)?;
    let mut out = Vec::with_capacity(keep);
    let mut last = first;
    if total > 0 && keep > 0 {
        out.push(first);
    }
    let mut remaining = total.saturating_sub(1);
    while remaining > 0 {
        let min_delta = zigzag(uleb(data, &mut at)?);
        let widths = data
            .get(at..at + minis)
            .ok_or("DELTA_BINARY_PACKED: miniblock widths run past the data")?
            .to_vec();
        at += minis;
        let in_block = remaining.min(block as u64) as usize;
        for (m, &w) in widths.iter().enumerate().take(in_block.div_ceil(per_mini)) {
            if u32::from(w) > limit {
                return Err(format!("DELTA_BINARY_PACKED miniblock width {w}"));
            }
            let bytes = per_mini * w as usize / 8;
            let mini = data
                .get(at..at + bytes)
                .ok_or("DELTA_BINARY_PACKED: a miniblock runs past the data")?;
            let here = (in_block - m * per_mini).min(per_mini);
            for i in 0..here.min(keep - out.len()) {
                let delta = bits_at(mini, i * w as usize, u32::from(w));
                last = if wide {
                    last.wrapping_add(min_delta).wrapping_add(delta as i64)
                } else {
                    (last as i32)
                        .wrapping_add(min_delta as i32)
                        .wrapping_add(delta as u32 as i32) as i64
                };
                out.push(last);
            }
            at += bytes;
        }
        remaining -= in_block as u64;
    }
    Ok((out, at))
}

/// DELTA_LENGTH_BYTE_ARRAY: the first `n` values.
fn delta_length_byte_array(
    data: &[u8],
    n: usize,
    budget: &mut Budget,
) -> Parse<(Vec<Vec<u8>>, usize)> {
    let (lengths, mut at) = delta_binary_packed(data, n, false, budget)?;
    if lengths.len() < n {
        return Err(format!("{} lengths where {n} are needed", lengths.len()));
    }
    let mut out = Vec::with_capacity(n);
    for (i, &len) in lengths.iter().enumerate() {
        let len = usize::try_from(len).map_err(|_| format!("value {i} has length {len}"))?;
        let value = data
            .get(at..at.checked_add(len).ok_or("a length overflows")?)
            .ok_or_else(|| format!("value {i} ({len} bytes) runs past the data"))?;
        budget.take(len as u64 + 24)?;
        out.push(value.to_vec());
        at += len;
    }
    Ok((out, at))
}
