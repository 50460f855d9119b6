//! What a Parquet file holds, read from any writer's file: schema with logical types, row groups
//! with their chunks' codecs, encodings, sizes, statistics and page-index presence, key-value
//! metadata and, on request, the first rows. `parquet_flow_inspect` prints it as text or JSON.
//!
//! Files come from anywhere, so every number read is checked before it is used: offsets and
//! lengths against the file, counts against the bytes that would hold them, nesting by an
//! explicit stack. A malformed file is an `InvalidArgument` error naming what is wrong, never a
//! panic or a hang; memory stays within [`budget`] of the file's size (see `pages.rs`).

mod pages;
mod render;

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::thrift::{CompactReader, Value};
use super::{Codec, Encoding, PhysicalType};
use crate::error::{Error, Result};

pub use render::{render_json, render_text};

const MAGIC: &[u8; 4] = b"PAR1";

/// Bytes of decoded data (decompressed pages, dictionaries, printed values) one inspection may
/// hold: a constant floor for small files, else a multiple of the file's size.
pub fn budget(file_size: u64) -> u64 {
    (64 * file_size).max(64 << 20)
}

/// A schema element: a group (`physical` None) or a column.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaNode {
    pub name: String,
    /// 0 for the root's children.
    pub depth: usize,
    pub repetition: Option<i64>,
    pub physical: Option<PhysicalType>,
    pub type_length: Option<i64>,
    /// The annotation as Parquet names it: `TIMESTAMP(NANOS, utc)`, `DECIMAL(18, 4)`, `UTF8` ...
    pub logical: Option<String>,
    pub children: usize,
}

/// How a column's values are shown: its physical type read through its annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Boolean,
    Int {
        signed: bool,
    },
    Float,
    Double,
    Float16,
    /// Bytes shown as text (STRING, ENUM, JSON).
    Text,
    Bytes,
    Decimal {
        scale: i32,
    },
    Date,
    /// Time of day in `unit` (1 milli, 2 micro, 3 nano).
    Time {
        unit: u8,
    },
    Timestamp {
        unit: u8,
    },
    /// Legacy 12-byte timestamps.
    Int96,
    Uuid,
}

/// A leaf column of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnInfo {
    /// Dotted path from the root.
    pub path: String,
    pub physical: PhysicalType,
    pub type_length: usize,
    pub max_def: u32,
    pub max_rep: u32,
    /// The definition level at which the column's repeated ancestor (or itself) is present: an
    /// entry defined below it is an empty (or null) list. 0 for a column that is not repeated.
    pub list_def: u32,
    pub kind: ValueKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatisticsInfo {
    pub null_count: Option<i64>,
    pub distinct_count: Option<i64>,
    pub min: Option<Vec<u8>>,
    pub max: Option<Vec<u8>>,
    pub min_exact: Option<bool>,
    pub max_exact: Option<bool>,
    /// From the deprecated `min`/`max` fields, whose sort order is not defined for every type.
    pub legacy: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChunkInfo {
    pub codec: i64,
    pub encodings: Vec<i64>,
    /// Data pages per encoding, from `encoding_stats` (empty if the writer left it out).
    pub page_encodings: Vec<(i64, i64)>,
    pub dictionary_pages: i64,
    pub num_values: i64,
    pub compressed: i64,
    pub uncompressed: i64,
    /// Where the chunk's first page starts, and where its bytes end.
    pub start: u64,
    pub end: u64,
    pub has_dictionary: bool,
    pub statistics: Option<StatisticsInfo>,
    pub column_index: bool,
    pub offset_index: bool,
    pub bloom_filter: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RowGroupInfo {
    pub num_rows: i64,
    pub total_byte_size: i64,
    pub columns: Vec<ChunkInfo>,
}

/// One column's value in one row; values are in plain little-endian form.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Value(Vec<u8>),
    /// A repeated column's entries in the row (None: a null element).
    List(Vec<Option<Vec<u8>>>),
}

/// The first rows of a file, or why they could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum Rows {
    /// Per column, its cells in the first rows.
    Read(Vec<Vec<Cell>>),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    pub footer_len: u64,
    pub version: i64,
    pub num_rows: i64,
    pub created_by: Option<String>,
    pub key_value: Vec<(String, Option<String>)>,
    pub schema: Vec<SchemaNode>,
    pub columns: Vec<ColumnInfo>,
    pub row_groups: Vec<RowGroupInfo>,
    /// Asked for with `rows > 0`.
    pub rows: Option<Rows>,
}

/// Reads `path`'s metadata and, if `rows > 0`, its first `rows` rows.
pub fn inspect(path: &Path, rows: u64) -> Result<FileInfo> {
    let shown = path.display().to_string();
    let io = |what: &str, e: std::io::Error| Error::io(what, path, &e);
    let file = File::open(path).map_err(|e| io("cannot open", e))?;
    let size = file.metadata().map_err(|e| io("cannot stat", e))?.len();
    let bad = |what: String| Error::invalid(format!("'{shown}' {what}"));
    if size < 12 {
        return Err(bad(format!(
            "is not a Parquet file: {size} bytes, fewer than the 12 of the smallest"
        )));
    }
    let mut head = [0u8; 4];
    let mut tail = [0u8; 8];
    file.read_exact_at(&mut head, 0)
        .and_then(|()| file.read_exact_at(&mut tail, size - 8))
        .map_err(|e| io("cannot read", e))?;
    if &head != MAGIC {
        return Err(bad(
            "is not a Parquet file: it does not start with PAR1".into()
        ));
    }
    if &tail[4..] != MAGIC {
        return Err(bad(
            "does not end with PAR1: it is unfinished (parquet_flow_recover repairs files \
             written with checkpoints) or cut short"
                .into(),
        ));
    }
    let footer_len = u64::from(u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")));
    if footer_len + 12 > size {
        return Err(bad(format!(
            "is damaged: its footer length {footer_len} exceeds the file ({size} bytes)"
        )));
    }
    let footer_at = size - 8 - footer_len;
    let mut footer = vec![0u8; footer_len as usize];
    file.read_exact_at(&mut footer, footer_at)
        .map_err(|e| io("cannot read", e))?;
    let mut reader = CompactReader::new(&footer);
    let meta = reader.read_struct().map_err(|_| {
        bad(format!(
            "is damaged: its footer ({footer_len} bytes) does not decode"
        ))
    })?;
    let mut info = parse_file_meta(&meta, &footer, footer_at)
        .map_err(|what| bad(format!("is damaged: footer: {what}")))?;
    info.path = shown;
    info.size = size;
    info.footer_len = footer_len;
    if rows > 0 {
        let mut budget = budget(size);
        info.rows = Some(match pages::first_rows(&file, &info, rows, &mut budget) {
            Ok(values) => Rows::Read(values),
            Err(e) => Rows::Failed(e),
        });
    }
    Ok(info)
}

type Parse<T> = std::result::Result<T, String>;

fn int(v: &Value, id: i16, what: &str) -> Parse<i64> {
    v.field(id)
        .and_then(Value::int)
        .ok_or_else(|| format!("{what} is missing"))
}

fn opt_int(v: &Value, id: i16) -> Option<i64> {
    v.field(id).and_then(Value::int)
}

fn list<'v>(v: &'v Value, id: i16, what: &str) -> Parse<&'v [Value]> {
    v.field(id)
        .and_then(Value::list)
        .ok_or_else(|| format!("{what} is missing"))
}

fn text(v: Option<&Value>, buf: &[u8]) -> Option<String> {
    v.and_then(|v| v.bytes(buf))
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

fn bytes(v: Option<&Value>, buf: &[u8]) -> Option<Vec<u8>> {
    v.and_then(|v| v.bytes(buf)).map(<[u8]>::to_vec)
}

fn parse_file_meta(meta: &Value, buf: &[u8], footer_at: u64) -> Parse<FileInfo> {
    let (schema, columns) = parse_schema(list(meta, 2, "the schema")?, buf)?;
    let num_rows = int(meta, 3, "num_rows")?;
    let mut row_groups = Vec::new();
    for (i, rg) in list(meta, 4, "the row group list")?.iter().enumerate() {
        row_groups.push(
            parse_row_group(rg, &columns, buf, footer_at)
                .map_err(|what| format!("row group {i}: {what}"))?,
        );
    }
    let key_value = match meta.field(5).and_then(Value::list) {
        Some(kv) => kv
            .iter()
            .map(|e| {
                let key = text(e.field(1), buf).ok_or("a key-value entry has no key")?;
                Ok((key, text(e.field(2), buf)))
            })
            .collect::<Parse<Vec<_>>>()?,
        None => Vec::new(),
    };
    Ok(FileInfo {
        path: String::new(),
        size: 0,
        footer_len: 0,
        version: opt_int(meta, 1).unwrap_or(0),
        num_rows,
        created_by: text(meta.field(6), buf),
        key_value,
        schema,
        columns,
        row_groups,
        rows: None,
    })
}

/// The schema's elements (flattened depth-first, as stored) and its leaf columns. Walked with an
/// explicit stack: a hostile file may nest as deep as it has elements.
fn parse_schema(elements: &[Value], buf: &[u8]) -> Parse<(Vec<SchemaNode>, Vec<ColumnInfo>)> {
    let root = elements.first().ok_or("the schema is empty")?;
    let root_children = usize::try_from(opt_int(root, 5).unwrap_or(0)).unwrap_or(usize::MAX);
    if root_children == 0 || root.field(1).is_some() {
        return Err("the schema's root is not a group with columns".into());
    }
    // (children still to visit, path prefix, max_def, max_rep, list_def) per open group.
    let mut stack: Vec<(usize, String, u32, u32, u32)> =
        vec![(root_children, String::new(), 0, 0, 0)];
    let mut nodes = Vec::new();
    let mut columns = Vec::new();
    for (i, e) in elements.iter().enumerate().skip(1) {
        while stack.last().is_some_and(|(left, ..)| *left == 0) {
            stack.pop();
        }
        let Some(parent) = stack.last_mut() else {
            return Err(format!(
                "element {i} lies outside the tree the root's children describe"
            ));
        };
        parent.0 -= 1;
        let (prefix, def, rep, list_def) = (parent.1.clone(), parent.2, parent.3, parent.4);
        let name = text(e.field(4), buf).ok_or_else(|| format!("element {i} has no name"))?;
        let repetition = opt_int(e, 3);
        let (def, rep, list_def) = match repetition {
            Some(0) | None => (def, rep, list_def),
            Some(1) => (def + 1, rep, list_def),
            Some(2) => (def + 1, rep + 1, def + 1),
            Some(r) => return Err(format!("element '{name}' has repetition {r}")),
        };
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let children = usize::try_from(opt_int(e, 5).unwrap_or(0))
            .map_err(|_| format!("element '{path}' has a negative child count"))?;
        let physical = match e.field(1).and_then(Value::int) {
            Some(code) => Some(
                PhysicalType::from_code(code)
                    .ok_or_else(|| format!("column '{path}' has unknown physical type {code}"))?,
            ),
            None => None,
        };
        let type_length = opt_int(e, 2);
        let logical = annotation(e);
        nodes.push(SchemaNode {
            name,
            depth: stack.len() - 1,
            repetition,
            physical,
            type_length,
            logical: logical.clone(),
            children,
        });
        match physical {
            Some(physical) => {
                if children > 0 {
                    return Err(format!("column '{path}' has a type and children"));
                }
                let type_length = match physical {
                    PhysicalType::FixedLenByteArray => type_length
                        .and_then(|l| usize::try_from(l).ok())
                        .filter(|&l| l > 0 && l <= 1 << 20)
                        .ok_or_else(|| {
                            format!(
                                "column '{path}' is FIXED_LEN_BYTE_ARRAY without a valid length"
                            )
                        })?,
                    PhysicalType::Int96 => 12,
                    _ => 0,
                };
                columns.push(ColumnInfo {
                    kind: value_kind(physical, e),
                    path,
                    physical,
                    type_length,
                    max_def: def,
                    max_rep: rep,
                    list_def,
                });
            }
            None => {
                if children == 0 {
                    return Err(format!("group '{path}' has no children"));
                }
                if children > elements.len() - i - 1 {
                    return Err(format!(
                        "group '{path}' has {children} children, more than the elements after it"
                    ));
                }
                stack.push((children, path, def, rep, list_def));
            }
        }
    }
    if stack.iter().any(|(left, ..)| *left > 0) {
        return Err("the schema ends before all the children its groups declare".into());
    }
    Ok((nodes, columns))
}

/// The element's annotation, logical type first, else its legacy converted type.
fn annotation(e: &Value) -> Option<String> {
    if let Some(Value::Struct(fields)) = e.field(10) {
        let (id, v) = fields.first()?;
        let unit = |v: &Value| match v.field(2) {
            Some(Value::Struct(u)) => match u.first().map(|(id, _)| *id) {
                Some(1) => "MILLIS",
                Some(2) => "MICROS",
                Some(3) => "NANOS",
                _ => "?",
            },
            _ => "?",
        };
        let utc = |v: &Value| match v.field(1).and_then(Value::boolean) {
            Some(true) => "utc",
            _ => "local",
        };
        return Some(match id {
            1 => "STRING".into(),
            2 => "MAP".into(),
            3 => "LIST".into(),
            4 => "ENUM".into(),
            5 => format!(
                "DECIMAL({}, {})",
                opt_int(v, 2).unwrap_or(0),
                opt_int(v, 1).unwrap_or(0)
            ),
            6 => "DATE".into(),
            7 => format!("TIME({}, {})", unit(v), utc(v)),
            8 => format!("TIMESTAMP({}, {})", unit(v), utc(v)),
            10 => format!(
                "INTEGER({}, {})",
                opt_int(v, 1).unwrap_or(0),
                if v.field(2).and_then(Value::boolean) == Some(true) {
                    "signed"
                } else {
                    "unsigned"
                }
            ),
            11 => "UNKNOWN".into(),
            12 => "JSON".into(),
            13 => "BSON".into(),
            14 => "UUID".into(),
            15 => "FLOAT16".into(),
            16 => "VARIANT".into(),
            17 => "GEOMETRY".into(),
            18 => "GEOGRAPHY".into(),
            other => format!("LOGICAL({other})"),
        });
    }
    const CONVERTED: [&str; 22] = [
        "UTF8",
        "MAP",
        "MAP_KEY_VALUE",
        "LIST",
        "ENUM",
        "DECIMAL",
        "DATE",
        "TIME_MILLIS",
        "TIME_MICROS",
        "TIMESTAMP_MILLIS",
        "TIMESTAMP_MICROS",
        "UINT_8",
        "UINT_16",
        "UINT_32",
        "UINT_64",
        "INT_8",
        "INT_16",
        "INT_32",
        "INT_64",
        "JSON",
        "BSON",
        "INTERVAL",
    ];
    let code = opt_int(e, 6)?;
    let name = usize::try_from(code)
        .ok()
        .and_then(|i| CONVERTED.get(i))
        .map_or_else(|| format!("CONVERTED({code})"), |n| (*n).to_string());
    Some(if code == 5 {
        format!(
            "{name}({}, {})",
            opt_int(e, 8).unwrap_or(0),
            opt_int(e, 7).unwrap_or(0)
        )
    } else {
        name
    })
}

/// How a column's values read, from its physical type and annotation.
fn value_kind(physical: PhysicalType, e: &Value) -> ValueKind {
    use ValueKind::*;
    let logical = match e.field(10) {
        Some(Value::Struct(fields)) => fields.first().map(|(id, v)| (*id, v)),
        _ => None,
    };
    let unit = |v: &Value| match v.field(2) {
        Some(Value::Struct(u)) => u.first().map_or(0, |(id, _)| *id as u8),
        _ => 0,
    };
    let converted = opt_int(e, 6);
    let scale = |v: &Value, id| {
        opt_int(v, id)
            .and_then(|s| i32::try_from(s).ok())
            .unwrap_or(0)
    };
    let fits_bytes = matches!(
        physical,
        PhysicalType::ByteArray | PhysicalType::FixedLenByteArray
    );
    let fits_int = matches!(physical, PhysicalType::Int32 | PhysicalType::Int64);
    match (logical, converted) {
        (Some((1 | 4 | 12, _)), _) | (None, Some(0 | 4 | 19)) if fits_bytes => Text,
        (Some((5, v)), _) if fits_int || fits_bytes => Decimal { scale: scale(v, 1) },
        (None, Some(5)) if fits_int || fits_bytes => Decimal { scale: scale(e, 7) },
        (Some((6, _)), _) | (None, Some(6)) if physical == PhysicalType::Int32 => Date,
        (Some((7, v)), _) if fits_int => Time { unit: unit(v) },
        (None, Some(7)) if physical == PhysicalType::Int32 => Time { unit: 1 },
        (None, Some(8)) if physical == PhysicalType::Int64 => Time { unit: 2 },
        (Some((8, v)), _) if physical == PhysicalType::Int64 => Timestamp { unit: unit(v) },
        (None, Some(9)) if physical == PhysicalType::Int64 => Timestamp { unit: 1 },
        (None, Some(10)) if physical == PhysicalType::Int64 => Timestamp { unit: 2 },
        (Some((10, v)), _) if fits_int => Int {
            signed: v.field(2).and_then(Value::boolean) != Some(false),
        },
        (None, Some(11..=14)) if fits_int => Int { signed: false },
        (Some((14, _)), _) if physical == PhysicalType::FixedLenByteArray => Uuid,
        (Some((15, _)), _) if physical == PhysicalType::FixedLenByteArray => Float16,
        _ => match physical {
            PhysicalType::Boolean => Boolean,
            PhysicalType::Int32 | PhysicalType::Int64 => Int { signed: true },
            PhysicalType::Int96 => Int96,
            PhysicalType::Float => Float,
            PhysicalType::Double => Double,
            PhysicalType::ByteArray | PhysicalType::FixedLenByteArray => Bytes,
        },
    }
}

fn parse_row_group(
    rg: &Value,
    columns: &[ColumnInfo],
    buf: &[u8],
    footer_at: u64,
) -> Parse<RowGroupInfo> {
    let chunks = list(rg, 1, "the column list")?;
    if chunks.len() != columns.len() {
        return Err(format!(
            "{} column chunks for the schema's {} columns",
            chunks.len(),
            columns.len()
        ));
    }
    let num_rows = int(rg, 3, "num_rows")?;
    if num_rows < 0 {
        return Err(format!("num_rows is {num_rows}"));
    }
    let mut out = Vec::with_capacity(chunks.len());
    for (chunk, column) in chunks.iter().zip(columns) {
        out.push(
            parse_chunk(chunk, buf, footer_at)
                .map_err(|what| format!("column '{}': {what}", column.path))?,
        );
    }
    Ok(RowGroupInfo {
        num_rows,
        total_byte_size: opt_int(rg, 2).unwrap_or(0),
        columns: out,
    })
}

fn parse_chunk(chunk: &Value, buf: &[u8], footer_at: u64) -> Parse<ChunkInfo> {
    if chunk.field(1).is_some() {
        return Err("its data is in another file (file_path), which is not supported".into());
    }
    let cm = chunk.field(3).ok_or("the chunk has no metadata")?;
    let compressed = int(cm, 7, "total_compressed_size")?;
    let data_page = int(cm, 9, "data_page_offset")?;
    // The chunk starts at its first page. Writers mark "none" with 0 (a dictionary offset
    // where there is none; pyarrow's data page offset in an empty chunk).
    let dictionary = opt_int(cm, 11).filter(|&d| d >= 4);
    let start = match dictionary {
        Some(d) if data_page < 4 || d < data_page => d,
        _ => data_page,
    };
    let dictionary = dictionary.filter(|&d| d == start);
    let (Ok(start), Ok(size)) = (u64::try_from(start), u64::try_from(compressed)) else {
        return Err(format!("offset {start} or size {compressed} is negative"));
    };
    // An empty chunk has no place (pyarrow gives it offset 0).
    let start = if size == 0 { 4 } else { start };
    let end = start
        .checked_add(size)
        .filter(|&end| start >= 4 && end <= footer_at)
        .ok_or_else(|| {
            format!("its bytes [{start}, +{size}) lie outside the data (which ends at {footer_at})")
        })?;
    let statistics = cm.field(12).map(|s| {
        let modern = s.field(5).is_some() || s.field(6).is_some();
        StatisticsInfo {
            null_count: opt_int(s, 3),
            distinct_count: opt_int(s, 4),
            min: bytes(s.field(if modern { 6 } else { 2 }), buf),
            max: bytes(s.field(if modern { 5 } else { 1 }), buf),
            max_exact: s.field(7).and_then(Value::boolean),
            min_exact: s.field(8).and_then(Value::boolean),
            legacy: !modern && (s.field(1).is_some() || s.field(2).is_some()),
        }
    });
    let mut page_encodings = Vec::new();
    let mut dictionary_pages = 0;
    for stat in cm.field(13).and_then(Value::list).unwrap_or(&[]) {
        let (kind, encoding, count) = (opt_int(stat, 1), opt_int(stat, 2), opt_int(stat, 3));
        match (kind, encoding, count) {
            (Some(2), _, Some(count)) => dictionary_pages += count,
            (Some(0 | 3), Some(encoding), Some(count)) => page_encodings.push((encoding, count)),
            _ => {}
        }
    }
    Ok(ChunkInfo {
        codec: int(cm, 4, "codec")?,
        encodings: cm
            .field(2)
            .and_then(Value::list)
            .unwrap_or(&[])
            .iter()
            .filter_map(Value::int)
            .collect(),
        page_encodings,
        dictionary_pages,
        num_values: int(cm, 5, "num_values")?,
        compressed,
        uncompressed: opt_int(cm, 6).unwrap_or(0),
        start,
        end,
        has_dictionary: dictionary.is_some(),
        statistics,
        offset_index: chunk.field(4).is_some() && chunk.field(5).is_some(),
        column_index: chunk.field(6).is_some() && chunk.field(7).is_some(),
        bloom_filter: cm.field(14).is_some(),
    })
}

/// A codec's name as parquet.thrift spells it.
pub fn codec_name(code: i64) -> String {
    match Codec::from_code(code) {
        Some(codec) => codec.name().into(),
        None => match code {
            3 => "LZO".into(),
            4 => "BROTLI".into(),
            5 => "LZ4".into(),
            _ => format!("CODEC({code})"),
        },
    }
}

/// An encoding's name as parquet.thrift spells it.
pub fn encoding_name(code: i64) -> String {
    match Encoding::from_code(code) {
        Some(encoding) => encoding.name().into(),
        None => match code {
            2 => "PLAIN_DICTIONARY".into(),
            3 => "RLE".into(),
            4 => "BIT_PACKED".into(),
            _ => format!("ENCODING({code})"),
        },
    }
}
