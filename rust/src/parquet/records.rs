//! Fixed-layout records as typed columns: a table's layout says where each field lies in a
//! record and how its bytes read (little-endian); `RecordColumns` transposes a run of records
//! into one value buffer per field, ready for `FileWriter::write_row_group`.
//!
//! The sink's worker uses it for typed tables (records are copied whole into the ring by the
//! producer and transposed here, off the hot path), and `Writer::write_records` for batches.

use super::schema::{Column, LogicalType, PhysicalType, Repetition, TimeUnit};
use super::{ColumnInput, Encoding};
use crate::error::{Error, Result};

/// How a field's bytes are read; the discriminants are the C ABI's `PF_FIELD_*` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FieldType {
    Bool = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    UInt8 = 5,
    UInt16 = 6,
    UInt32 = 7,
    UInt64 = 8,
    Float = 9,
    Double = 10,
    /// `char[length]`: a STRING with its trailing NULs trimmed.
    Chars = 11,
    /// `length` raw bytes: FIXED_LEN_BYTE_ARRAY(length).
    Bytes = 12,
}

impl FieldType {
    pub fn from_code(code: i64) -> Option<Self> {
        use FieldType::*;
        Some(match code {
            0 => Bool,
            1 => Int8,
            2 => Int16,
            3 => Int32,
            4 => Int64,
            5 => UInt8,
            6 => UInt16,
            7 => UInt32,
            8 => UInt64,
            9 => Float,
            10 => Double,
            11 => Chars,
            12 => Bytes,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use FieldType::*;
        match self {
            Bool => "BOOL",
            Int8 => "INT8",
            Int16 => "INT16",
            Int32 => "INT32",
            Int64 => "INT64",
            UInt8 => "UINT8",
            UInt16 => "UINT16",
            UInt32 => "UINT32",
            UInt64 => "UINT64",
            Float => "FLOAT",
            Double => "DOUBLE",
            Chars => "CHARS",
            Bytes => "BYTES",
        }
    }

    /// Bytes the field takes in a record; `None` for CHARS and BYTES (their `length`).
    pub fn width(self) -> Option<u32> {
        use FieldType::*;
        match self {
            Bool | Int8 | UInt8 => Some(1),
            Int16 | UInt16 => Some(2),
            Int32 | UInt32 | Float => Some(4),
            Int64 | UInt64 | Double => Some(8),
            Chars | Bytes => None,
        }
    }

    fn is_integer(self) -> bool {
        use FieldType::*;
        matches!(
            self,
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        )
    }

    fn is_signed(self) -> bool {
        use FieldType::*;
        matches!(self, Int8 | Int16 | Int32 | Int64)
    }

    /// The annotation a field of this type gets when it names none: the integer's width and
    /// sign (none for plain INT32 and INT64), STRING for CHARS.
    fn natural_logical(self) -> LogicalType {
        use FieldType::*;
        match self {
            Int8 | Int16 | UInt8 | UInt16 | UInt32 | UInt64 => LogicalType::Integer {
                bits: (self.width().unwrap_or(0) * 8) as u8,
                signed: self.is_signed(),
            },
            Chars => LogicalType::String,
            _ => LogicalType::None,
        }
    }
}

/// One field of a record layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordField {
    pub name: String,
    /// Byte offset in the record.
    pub offset: u32,
    pub ty: FieldType,
    /// CHARS and BYTES: bytes; 0 for the other types (or their own width).
    pub length: u32,
    /// `LogicalType::None`: the type's natural annotation (see `FieldType::natural_logical`).
    pub logical: LogicalType,
    /// `None`: the library's choice (`default_encoding`).
    pub encoding: Option<Encoding>,
}

impl RecordField {
    /// A field with the type's natural annotation and the library's encoding.
    pub fn new(name: impl Into<String>, offset: u32, ty: FieldType, length: u32) -> Self {
        RecordField {
            name: name.into(),
            offset,
            ty,
            length,
            logical: LogicalType::None,
            encoding: None,
        }
    }

    /// Bytes the field takes in a record.
    pub fn size(&self) -> u32 {
        self.ty.width().unwrap_or(self.length)
    }

    /// The annotation written to the file.
    pub fn logical(&self) -> LogicalType {
        match self.logical {
            LogicalType::None => self.ty.natural_logical(),
            other => other,
        }
    }

    /// The column's physical type: the narrowest that holds every value of the field, except
    /// that a DECIMAL on a UINT32 is widened to INT64 (an INT32 decimal is signed).
    pub fn physical(&self) -> PhysicalType {
        use FieldType::*;
        match self.ty {
            Bool => PhysicalType::Boolean,
            Int8 | Int16 | Int32 | UInt8 | UInt16 => PhysicalType::Int32,
            UInt32 if matches!(self.logical, LogicalType::Decimal { .. }) => PhysicalType::Int64,
            UInt32 => PhysicalType::Int32,
            Int64 | UInt64 => PhysicalType::Int64,
            Float => PhysicalType::Float,
            Double => PhysicalType::Double,
            Chars => PhysicalType::ByteArray,
            Bytes => PhysicalType::FixedLenByteArray,
        }
    }

    pub fn column(&self) -> Column {
        Column {
            type_length: if self.ty == FieldType::Bytes {
                self.length
            } else {
                0
            },
            logical: self.logical(),
            ..Column::new(self.name.clone(), self.physical(), Repetition::Required)
        }
    }

    /// The encoding written when the field names none, chosen from measurements on market data
    /// (docs/FORMAT.md, "Typed tables"): DELTA_BINARY_PACKED for 64-bit integers (timestamps,
    /// order ids, sequence numbers climb), BYTE_STREAM_SPLIT for floating point, the dictionary
    /// (falling back to PLAIN where it does not pay) for narrower integers, prices, chars and
    /// bytes, PLAIN for booleans.
    pub fn default_encoding(&self) -> Encoding {
        match (self.ty, self.physical()) {
            (FieldType::Bool, _) => Encoding::Plain,
            (FieldType::Float | FieldType::Double, _) => Encoding::ByteStreamSplit,
            (_, PhysicalType::Int64) if !matches!(self.logical, LogicalType::Decimal { .. }) => {
                Encoding::DeltaBinaryPacked
            }
            _ => Encoding::RleDictionary,
        }
    }

    /// Whether the field's type may carry `logical` (beyond what `Column::validate` checks of
    /// the physical type).
    fn logical_fits(&self) -> bool {
        use FieldType::*;
        let ty = self.ty;
        match self.logical {
            LogicalType::None => true,
            LogicalType::Integer { bits, signed } => {
                ty.is_integer()
                    && bits as u32 == ty.width().unwrap_or(0) * 8
                    && signed == ty.is_signed()
            }
            LogicalType::String | LogicalType::Enum | LogicalType::Json => ty == Chars,
            LogicalType::Uuid => ty == Bytes,
            LogicalType::Date => matches!(ty, Int8 | Int16 | Int32 | UInt8 | UInt16),
            LogicalType::Time { unit, .. } => match unit {
                TimeUnit::Millis => matches!(ty, Int32 | UInt32),
                TimeUnit::Micros | TimeUnit::Nanos => matches!(ty, Int64 | UInt64),
            },
            LogicalType::Timestamp { .. } => matches!(ty, Int64 | UInt64),
            LogicalType::Decimal { .. } => {
                matches!(
                    ty,
                    Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | Bytes
                )
            }
        }
    }
}

/// One table: a record type and the columns it becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordLayout {
    /// The `{table}` token of a sink's path pattern.
    pub name: String,
    pub fields: Vec<RecordField>,
    /// Every record of the table is exactly this long.
    pub record_bytes: u32,
}

impl RecordLayout {
    /// Checks the layout: a safe table name, unique non-empty field names, fields inside the
    /// record and not overlapping, known types and annotations that fit them. `reserved` are
    /// column names the caller adds after the fields (the sink's `recv_ts`, ...).
    pub fn validate(&self, reserved: &[&str]) -> Result<()> {
        let table = &self.name;
        check_table_name(table)?;
        if self.record_bytes == 0 {
            return Err(Error::invalid(format!(
                "table '{table}': record_bytes must be at least 1"
            )));
        }
        if self.fields.is_empty() {
            return Err(Error::invalid(format!("table '{table}' has no fields")));
        }
        let mut spans: Vec<(u32, u32, &str)> = Vec::with_capacity(self.fields.len());
        for (i, field) in self.fields.iter().enumerate() {
            let name = &field.name;
            let at = || format!("table '{table}', field '{name}'");
            if name.is_empty() {
                return Err(Error::invalid(format!(
                    "table '{table}': field {i} has an empty name"
                )));
            }
            if self.fields[..i].iter().any(|f| &f.name == name) {
                return Err(Error::invalid(format!(
                    "table '{table}': duplicate field name '{name}'"
                )));
            }
            if reserved.contains(&name.as_str()) {
                return Err(Error::invalid(format!(
                    "{}: the name is taken by the sink's own '{name}' column; rename the field or turn that column off",
                    at()
                )));
            }
            match field.ty.width() {
                Some(w) if field.length != 0 && field.length != w => {
                    return Err(Error::invalid(format!(
                        "{}: length {} applies only to CHARS and BYTES; pass 0 for {} ({w} bytes)",
                        at(),
                        field.length,
                        field.ty.name()
                    )))
                }
                None if field.length == 0 => {
                    return Err(Error::invalid(format!(
                        "{}: {} needs a length of at least 1 byte",
                        at(),
                        field.ty.name()
                    )))
                }
                _ => {}
            }
            let end = field.offset as u64 + field.size() as u64;
            if end > self.record_bytes as u64 {
                return Err(Error::invalid(format!(
                    "{}: bytes {}..{end} lie outside the {}-byte record",
                    at(),
                    field.offset,
                    self.record_bytes
                )));
            }
            if let Some((s, e, other)) = spans
                .iter()
                .find(|(s, e, _)| field.offset < *e && (end as u32) > *s)
            {
                return Err(Error::invalid(format!(
                    "{}: bytes {}..{end} overlap field '{other}' (bytes {s}..{e})",
                    at(),
                    field.offset
                )));
            }
            spans.push((field.offset, end as u32, name));
            if !field.logical_fits() {
                return Err(Error::invalid(format!(
                    "{}: logical type {} does not fit a {} field",
                    at(),
                    field.logical.describe(),
                    field.ty.name()
                )));
            }
            let column = field.column();
            column
                .validate()
                .map_err(|e| Error::invalid(format!("table '{table}': {}", e.message)))?;
            if let Some(encoding) = field.encoding {
                if !encoding.fits(column.physical) {
                    return Err(Error::invalid(format!(
                        "{}: encoding {} does not fit {} (the field's column type)",
                        at(),
                        encoding.name(),
                        column.physical.name()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The table's columns, one per field, in field order.
    pub fn columns(&self) -> Vec<Column> {
        self.fields.iter().map(RecordField::column).collect()
    }

    /// Each field's encoding: its own, or the library's choice.
    pub fn encodings(&self) -> Vec<(String, Encoding)> {
        self.fields
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.encoding.unwrap_or_else(|| f.default_encoding()),
                )
            })
            .collect()
    }
}

/// A table name becomes a path component: letters, digits, '_', '-' and '.', not starting with
/// '.', at most 128 bytes. That keeps it inside the capture root (no '/', no '..') and away from
/// the pattern's own tokens ('%', '{').
pub fn check_table_name(name: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() {
        return Err(Error::invalid("a table name is empty"));
    }
    if name.len() > 128 || !name.chars().all(ok_char) || name.starts_with('.') {
        return Err(Error::invalid(format!(
            "table name {name:?} is not a safe path component: use 1 to 128 letters, digits, '_', '-' or '.', not starting with '.'"
        )));
    }
    Ok(())
}

/// One field's values for a row group.
#[derive(Default)]
struct FieldValues {
    values: Vec<u8>,
    /// CHARS: where each value starts in `values`, plus the end.
    offsets: Vec<u32>,
}

/// Column buffers for a table's records, reused from row group to row group.
#[derive(Default)]
pub struct RecordColumns {
    fields: Vec<FieldValues>,
    rows: usize,
}

impl RecordColumns {
    /// Transposes `records` (whole records of `layout`, back to back) into the field buffers,
    /// replacing what they held. CHARS values that are not UTF-8 have each invalid sequence
    /// replaced by U+FFFD, so that every reader opens the column (a STRING must be UTF-8).
    /// Records are taken a block at a time, every field of a block before the next block, so
    /// each record is read from cache rather than memory once per field.
    pub fn fill(&mut self, layout: &RecordLayout, records: &[u8]) {
        let size = layout.record_bytes as usize;
        debug_assert_eq!(records.len() % size, 0);
        let rows = records.len() / size;
        self.rows = rows;
        self.fields
            .resize_with(layout.fields.len(), FieldValues::default);
        for (field, out) in layout.fields.iter().zip(&mut self.fields) {
            out.offsets.clear();
            out.values.clear();
            if field.ty == FieldType::Chars {
                out.offsets.reserve(rows + 1);
                out.offsets.push(0);
            } else {
                out.values.resize(rows * column_width(field), 0);
            }
        }
        let block_rows = (TRANSPOSE_BLOCK_BYTES / size).max(1);
        for (b, block) in records.chunks(block_rows * size).enumerate() {
            let first = b * block_rows;
            for (field, out) in layout.fields.iter().zip(&mut self.fields) {
                transpose(field, out, block, size, first);
            }
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The buffers as the writer's inputs, in field order.
    pub fn inputs(&self) -> impl Iterator<Item = ColumnInput<'_>> {
        self.fields.iter().map(|f| ColumnInput {
            values: &f.values,
            offsets: (!f.offsets.is_empty()).then_some(&f.offsets[..]),
            ..Default::default()
        })
    }
}

/// Records are transposed in blocks of about this many bytes (they stay in the L1/L2 cache
/// while every field is taken from them).
const TRANSPOSE_BLOCK_BYTES: usize = 32 << 10;

/// Bytes of one value in a fixed-width field's column.
fn column_width(field: &RecordField) -> usize {
    match (field.ty, field.physical()) {
        (FieldType::Bool, _) => 1,
        (_, PhysicalType::Int32) => 4,
        (FieldType::UInt32, PhysicalType::Int64) => 8,
        _ => field.size() as usize,
    }
}

/// Appends one block of records' values of `field` to `out` (fixed widths: at row `first`).
fn transpose(field: &RecordField, out: &mut FieldValues, block: &[u8], size: usize, first: usize) {
    let at = field.offset as usize;
    let each = block.chunks_exact(size);
    match (field.ty, field.physical()) {
        (FieldType::Chars, _) => {
            let len = field.length as usize;
            for r in each {
                let raw = &r[at..at + len];
                let end = raw.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                let text = &raw[..end];
                if text.is_ascii() || std::str::from_utf8(text).is_ok() {
                    out.values.extend_from_slice(text);
                } else {
                    out.values
                        .extend_from_slice(String::from_utf8_lossy(text).as_bytes());
                }
                out.offsets.push(out.values.len() as u32);
            }
        }
        (FieldType::Bool, _) => widen::<1, 1>(out, each, at, first, |b| [(b[0] != 0) as u8]),
        (FieldType::Int8, _) => {
            widen::<1, 4>(out, each, at, first, |b| (b[0] as i8 as i32).to_le_bytes())
        }
        (FieldType::Int16, _) => widen::<2, 4>(out, each, at, first, |b| {
            (i16::from_le_bytes(b) as i32).to_le_bytes()
        }),
        (FieldType::UInt8, _) => {
            widen::<1, 4>(out, each, at, first, |b| (b[0] as i32).to_le_bytes())
        }
        (FieldType::UInt16, _) => widen::<2, 4>(out, each, at, first, |b| {
            (u16::from_le_bytes(b) as i32).to_le_bytes()
        }),
        (FieldType::UInt32, PhysicalType::Int64) => widen::<4, 8>(out, each, at, first, |b| {
            (u32::from_le_bytes(b) as i64).to_le_bytes()
        }),
        // Same width in the record and the column: the bytes as they are (a fixed-size copy per
        // value for the common widths, not a call to memcpy).
        _ => match field.size() {
            4 => widen::<4, 4>(out, each, at, first, |b| b),
            8 => widen::<8, 8>(out, each, at, first, |b| b),
            2 => widen::<2, 2>(out, each, at, first, |b| b),
            1 => widen::<1, 1>(out, each, at, first, |b| b),
            len => {
                let len = len as usize;
                let dst = &mut out.values[first * len..];
                for (d, r) in dst.chunks_exact_mut(len).zip(each) {
                    d.copy_from_slice(&r[at..at + len]);
                }
            }
        },
    }
}

/// Reads `N` bytes at `at` of each record and writes the `M`-byte column value `convert` makes,
/// from row `first` of the column on.
fn widen<'a, const N: usize, const M: usize>(
    out: &mut FieldValues,
    records: impl Iterator<Item = &'a [u8]>,
    at: usize,
    first: usize,
    convert: impl Fn([u8; N]) -> [u8; M],
) {
    let dst = &mut out.values[first * M..];
    for (d, r) in dst.chunks_exact_mut(M).zip(records) {
        let b: [u8; N] = r[at..at + N].try_into().unwrap_or([0; N]);
        d.copy_from_slice(&convert(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, offset: u32, ty: FieldType, length: u32) -> RecordField {
        RecordField::new(name, offset, ty, length)
    }

    fn layout(fields: Vec<RecordField>, record_bytes: u32) -> RecordLayout {
        RecordLayout {
            name: "t".into(),
            fields,
            record_bytes,
        }
    }

    fn error(l: &RecordLayout) -> String {
        l.validate(&["recv_ts"]).unwrap_err().message
    }

    #[test]
    fn bad_layouts_are_refused_naming_table_and_field() {
        let ok = layout(
            vec![
                field("a", 0, FieldType::Int64, 0),
                field("b", 8, FieldType::Chars, 4),
            ],
            12,
        );
        assert!(ok.validate(&[]).is_ok());
        let mut l = ok.clone();
        l.fields[1].offset = 6;
        assert!(
            error(&l).contains("field 'b': bytes 6..10 overlap field 'a' (bytes 0..8)"),
            "{}",
            error(&l)
        );
        l.fields[1].offset = 9;
        assert!(
            error(&l).contains("outside the 12-byte record"),
            "{}",
            error(&l)
        );
        let mut l = ok.clone();
        l.fields[1].name = "a".into();
        assert!(error(&l).contains("duplicate field name 'a'"));
        l.fields[1].name = String::new();
        assert!(error(&l).contains("empty name"));
        l.fields[1].name = "recv_ts".into();
        assert!(error(&l).contains("taken by the sink"));
        let mut l = ok.clone();
        l.fields[1].length = 0;
        assert!(error(&l).contains("CHARS needs a length"));
        l.fields[0].length = 4;
        assert!(error(&l).contains("length 4 applies only"));
        let mut l = ok.clone();
        l.fields[1].logical = LogicalType::Date;
        assert!(error(&l).contains("field 'b': logical type DATE does not fit a CHARS field"));
        l.fields[1].logical = LogicalType::Enum;
        l.fields[0].logical = LogicalType::Decimal {
            precision: 19,
            scale: 2,
        };
        assert!(error(&l).contains("DECIMAL(19, 2)"), "{}", error(&l));
        l.fields[0].logical = LogicalType::Integer {
            bits: 32,
            signed: true,
        };
        assert!(error(&l).contains("does not fit a INT64"));
        let mut l = ok.clone();
        l.fields[1].encoding = Some(Encoding::DeltaBinaryPacked);
        assert!(error(&l).contains("encoding DELTA_BINARY_PACKED does not fit BYTE_ARRAY"));
        for bad in ["", "a/b", "..", ".hidden", "x%Y", "{seq}", "a\0b"] {
            let mut l = ok.clone();
            l.name = bad.into();
            assert!(l.validate(&[]).is_err(), "{bad:?} accepted");
        }
        let mut l = ok;
        l.fields.clear();
        assert!(error(&l).contains("no fields"));
    }

    #[test]
    fn records_transpose_into_typed_columns() {
        let l = layout(
            vec![
                field("i8", 0, FieldType::Int8, 0),
                field("u16", 1, FieldType::UInt16, 0),
                RecordField {
                    logical: LogicalType::Decimal {
                        precision: 10,
                        scale: 4,
                    },
                    ..field("px", 3, FieldType::UInt32, 0)
                },
                field("sym", 7, FieldType::Chars, 4),
                field("flag", 11, FieldType::Bool, 0),
            ],
            12,
        );
        l.validate(&[]).unwrap();
        let mut rec = Vec::new();
        rec.push(0xFFu8); // -1
        rec.extend_from_slice(&65535u16.to_le_bytes());
        rec.extend_from_slice(&4_000_000_000u32.to_le_bytes());
        rec.extend_from_slice(b"AB\0\0");
        rec.push(7);
        rec.push(0);
        rec.extend_from_slice(&1u16.to_le_bytes());
        rec.extend_from_slice(&1u32.to_le_bytes());
        rec.extend_from_slice(&[0xFF, b'x', 0, 0]);
        rec.push(0);
        let mut cols = RecordColumns::default();
        cols.fill(&l, &rec);
        assert_eq!(cols.rows(), 2);
        let inputs: Vec<_> = cols.inputs().collect();
        assert_eq!(
            inputs[0].values,
            [(-1i32).to_le_bytes(), 0i32.to_le_bytes()].concat()
        );
        assert_eq!(
            inputs[1].values,
            [65535i32.to_le_bytes(), 1i32.to_le_bytes()].concat()
        );
        assert_eq!(
            inputs[2].values,
            [4_000_000_000i64.to_le_bytes(), 1i64.to_le_bytes()].concat()
        );
        assert_eq!(l.fields[2].physical(), PhysicalType::Int64);
        assert_eq!(inputs[3].values, "AB\u{FFFD}x".as_bytes());
        assert_eq!(inputs[3].offsets.unwrap(), [0, 2, 6]);
        assert_eq!(inputs[4].values, [1, 0]);
        let enc = l.encodings();
        assert_eq!(enc[2].1, Encoding::RleDictionary);
        assert_eq!(
            l.fields[1].logical(),
            LogicalType::Integer {
                bits: 16,
                signed: false
            }
        );
    }
}
