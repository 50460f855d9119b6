//! Parquet's Thrift structures (parquet.thrift), serialized with the compact protocol: page
//! headers, and the footer's `FileMetaData` with schema, row groups and column chunks.

use super::schema::{Column, LogicalType, PhysicalType, Repetition, TimeUnit};
use super::statistics::{write_statistics_fields, SortOrder, Statistics};
use super::thrift::{CompactWriter, ListElem};

/// Compression codecs; discriminants are parquet.thrift's `CompressionCodec` (and the C ABI's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Codec {
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Zstd = 6,
    Lz4Raw = 7,
}

impl Codec {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Codec::Uncompressed),
            1 => Some(Codec::Snappy),
            2 => Some(Codec::Gzip),
            6 => Some(Codec::Zstd),
            7 => Some(Codec::Lz4Raw),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Codec::Uncompressed => "UNCOMPRESSED",
            Codec::Snappy => "SNAPPY",
            Codec::Gzip => "GZIP",
            Codec::Zstd => "ZSTD",
            Codec::Lz4Raw => "LZ4_RAW",
        }
    }
}

/// Value encodings a column can ask for; discriminants are parquet.thrift's `Encoding` (and the
/// C ABI's `PF_ENCODING_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Encoding {
    Plain = 0,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    /// A dictionary page, then data pages of indices; falls back to PLAIN for the rest of the
    /// chunk when the dictionary grows past its limit or does not pay.
    RleDictionary = 8,
    ByteStreamSplit = 9,
}

impl Encoding {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Encoding::Plain,
            5 => Encoding::DeltaBinaryPacked,
            6 => Encoding::DeltaLengthByteArray,
            7 => Encoding::DeltaByteArray,
            8 => Encoding::RleDictionary,
            9 => Encoding::ByteStreamSplit,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Plain => "PLAIN",
            Encoding::DeltaBinaryPacked => "DELTA_BINARY_PACKED",
            Encoding::DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
            Encoding::DeltaByteArray => "DELTA_BYTE_ARRAY",
            Encoding::RleDictionary => "RLE_DICTIONARY",
            Encoding::ByteStreamSplit => "BYTE_STREAM_SPLIT",
        }
    }

    /// Whether values of `physical` can be written in this encoding (encodings.md).
    pub fn fits(self, physical: PhysicalType) -> bool {
        use PhysicalType::*;
        match self {
            Encoding::Plain => true,
            Encoding::RleDictionary => physical != Boolean,
            Encoding::DeltaBinaryPacked => matches!(physical, Int32 | Int64),
            Encoding::DeltaLengthByteArray | Encoding::DeltaByteArray => physical == ByteArray,
            Encoding::ByteStreamSplit => {
                matches!(physical, Int32 | Int64 | Float | Double | FixedLenByteArray)
            }
        }
    }

    /// The encodings a column of `physical` may use, for error messages.
    pub fn allowed_for(physical: PhysicalType) -> String {
        [
            Encoding::Plain,
            Encoding::RleDictionary,
            Encoding::DeltaBinaryPacked,
            Encoding::DeltaLengthByteArray,
            Encoding::DeltaByteArray,
            Encoding::ByteStreamSplit,
        ]
        .iter()
        .filter(|e| e.fits(physical))
        .map(|e| format!("{} ({})", e.name(), *e as u8))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

const ENCODING_PLAIN: i32 = 0;
const ENCODING_RLE: i32 = 3;
const PAGE_TYPE_DATA: i32 = 0;
const PAGE_TYPE_DICTIONARY: i32 = 2;
/// parquet.thrift `FileMetaData.version`.
const FORMAT_VERSION: i32 = 1;

/// Where one column chunk landed in the file, its statistics and its page index.
#[derive(Clone, Debug)]
pub struct ColumnChunkMeta {
    pub num_values: i64,
    pub total_uncompressed_size: i64,
    pub total_compressed_size: i64,
    pub data_page_offset: i64,
    /// Where the dictionary page starts, if the chunk has one (it then starts the chunk).
    pub dictionary_page_offset: Option<i64>,
    /// How many data pages use each encoding.
    pub data_encodings: Vec<(Encoding, u32)>,
    /// Chunk statistics, unless the column's statistics are off.
    pub statistics: Option<Statistics>,
    /// The serialized `ColumnIndex` (empty: none) and `OffsetIndex`, until they are written.
    pub column_index: Vec<u8>,
    pub offset_index: Vec<u8>,
    /// Where the page index was written, once it was.
    pub index_location: Option<IndexLocation>,
}

/// Offset and length of a chunk's page index in the file.
#[derive(Clone, Copy, Debug)]
pub struct IndexLocation {
    pub column_index: Option<(i64, i32)>,
    pub offset_index: (i64, i32),
}

impl ColumnChunkMeta {
    pub fn new(num_values: i64, data_page_offset: i64) -> Self {
        ColumnChunkMeta {
            num_values,
            total_uncompressed_size: 0,
            total_compressed_size: 0,
            data_page_offset,
            dictionary_page_offset: None,
            data_encodings: Vec::new(),
            statistics: None,
            column_index: Vec::new(),
            offset_index: Vec::new(),
            index_location: None,
        }
    }

    /// Counts a data page written in `encoding`.
    pub fn count_data_page(&mut self, encoding: Encoding) {
        match self.data_encodings.iter_mut().find(|(e, _)| *e == encoding) {
            Some((_, n)) => *n += 1,
            None => self.data_encodings.push((encoding, 1)),
        }
    }

    /// Where the chunk starts: its dictionary page, or its first data page.
    pub fn start(&self) -> i64 {
        self.dictionary_page_offset.unwrap_or(self.data_page_offset)
    }
}

#[derive(Clone, Debug)]
pub struct RowGroupMeta {
    pub columns: Vec<ColumnChunkMeta>,
    pub num_rows: i64,
}

/// Appends a v1 `PageHeader` for a data page of values in `encoding` with RLE levels. `crc`, if
/// given, is the CRC-32 (the gzip polynomial) of the page's bytes after the header, as stored
/// (compressed); `statistics`, if given, the page's.
pub fn write_data_page_header(
    out: &mut Vec<u8>,
    uncompressed_size: i32,
    compressed_size: i32,
    num_values: i32,
    encoding: Encoding,
    crc: Option<u32>,
    statistics: Option<(&Column, SortOrder, &Statistics)>,
) {
    let mut w = CompactWriter::new(out);
    w.struct_begin();
    w.field_i32(1, PAGE_TYPE_DATA);
    w.field_i32(2, uncompressed_size);
    w.field_i32(3, compressed_size);
    if let Some(crc) = crc {
        // parquet.thrift: "i32 crc", the checksum's 32 bits stored as a signed integer.
        w.field_i32(4, crc as i32);
    }
    w.field_struct_begin(5); // DataPageHeader
    w.field_i32(1, num_values);
    w.field_i32(2, encoding as i32);
    w.field_i32(3, ENCODING_RLE);
    w.field_i32(4, ENCODING_RLE);
    if let Some((column, order, stats)) = statistics {
        w.field_struct_begin(5);
        write_statistics_fields(&mut w, column, order, stats);
        w.struct_end();
    }
    w.struct_end();
    w.struct_end();
}

/// Appends the `PageHeader` of a dictionary page: `entries` values, PLAIN.
pub fn write_dictionary_page_header(
    out: &mut Vec<u8>,
    uncompressed_size: i32,
    compressed_size: i32,
    entries: i32,
    crc: Option<u32>,
) {
    let mut w = CompactWriter::new(out);
    w.struct_begin();
    w.field_i32(1, PAGE_TYPE_DICTIONARY);
    w.field_i32(2, uncompressed_size);
    w.field_i32(3, compressed_size);
    if let Some(crc) = crc {
        w.field_i32(4, crc as i32);
    }
    w.field_struct_begin(7); // DictionaryPageHeader
    w.field_i32(1, entries);
    w.field_i32(2, ENCODING_PLAIN);
    w.struct_end();
    w.struct_end();
}

/// Everything the footer needs besides the row groups.
pub struct FileMeta<'a> {
    pub columns: &'a [Column],
    pub codecs: &'a [Codec],
    pub key_value_metadata: &'a [(String, String)],
    pub created_by: &'a str,
    /// Chunk statistics and page encoding stats; left out only to make a footer fit a full disk.
    pub statistics: bool,
}

/// Appends the serialized `FileMetaData`.
pub fn write_file_metadata(out: &mut Vec<u8>, meta: &FileMeta<'_>, row_groups: &[RowGroupMeta]) {
    let mut w = CompactWriter::new(out);
    w.struct_begin();
    w.field_i32(1, FORMAT_VERSION);

    // Schema: the root group, then one primitive element per column.
    w.field_list_begin(2, ListElem::Struct, meta.columns.len() + 1);
    w.struct_begin();
    w.field_binary(4, b"schema");
    w.field_i32(5, meta.columns.len() as i32);
    w.struct_end();
    for column in meta.columns {
        write_schema_element(&mut w, column);
    }

    let num_rows: i64 = row_groups.iter().map(|rg| rg.num_rows).sum();
    w.field_i64(3, num_rows);

    w.field_list_begin(4, ListElem::Struct, row_groups.len());
    for (ordinal, rg) in row_groups.iter().enumerate() {
        write_row_group(&mut w, meta, rg, ordinal);
    }

    if !meta.key_value_metadata.is_empty() {
        w.field_list_begin(5, ListElem::Struct, meta.key_value_metadata.len());
        for (key, value) in meta.key_value_metadata {
            w.struct_begin();
            w.field_binary(1, key.as_bytes());
            w.field_binary(2, value.as_bytes());
            w.struct_end();
        }
    }
    w.field_binary(6, meta.created_by.as_bytes());
    // Every column's statistics follow its type's defined order; readers trust min_value and
    // max_value only with this said.
    w.field_list_begin(7, ListElem::Struct, meta.columns.len());
    for _ in meta.columns {
        w.struct_begin();
        w.field_empty_struct(1); // TYPE_ORDER
        w.struct_end();
    }
    w.struct_end();
}

fn write_schema_element(w: &mut CompactWriter<'_>, column: &Column) {
    w.struct_begin();
    w.field_i32(1, column.physical as i32);
    if column.physical == PhysicalType::FixedLenByteArray {
        w.field_i32(2, column.type_length as i32);
    }
    w.field_i32(3, column.repetition as i32);
    w.field_binary(4, column.name.as_bytes());
    if let Some(converted) = converted_type(&column.logical) {
        w.field_i32(6, converted);
    }
    if let LogicalType::Decimal { precision, scale } = column.logical {
        w.field_i32(7, scale);
        w.field_i32(8, precision);
    }
    if column.logical != LogicalType::None {
        w.field_struct_begin(10);
        write_logical_type(w, &column.logical);
        w.struct_end();
    }
    w.struct_end();
}

/// The `LogicalType` union's members (the enclosing struct is already open).
fn write_logical_type(w: &mut CompactWriter<'_>, logical: &LogicalType) {
    match *logical {
        LogicalType::None => {}
        LogicalType::String => w.field_empty_struct(1),
        LogicalType::Enum => w.field_empty_struct(4),
        LogicalType::Decimal { precision, scale } => {
            w.field_struct_begin(5);
            w.field_i32(1, scale);
            w.field_i32(2, precision);
            w.struct_end();
        }
        LogicalType::Date => w.field_empty_struct(6),
        LogicalType::Time { unit, utc } => {
            w.field_struct_begin(7);
            write_time_fields(w, unit, utc);
            w.struct_end();
        }
        LogicalType::Timestamp { unit, utc } => {
            w.field_struct_begin(8);
            write_time_fields(w, unit, utc);
            w.struct_end();
        }
        LogicalType::Integer { bits, signed } => {
            w.field_struct_begin(10);
            w.field_i8(1, bits as i8);
            w.field_bool(2, signed);
            w.struct_end();
        }
        LogicalType::Json => w.field_empty_struct(12),
        LogicalType::Uuid => w.field_empty_struct(14),
    }
}

fn write_time_fields(w: &mut CompactWriter<'_>, unit: TimeUnit, utc: bool) {
    w.field_bool(1, utc);
    w.field_struct_begin(2); // TimeUnit union
    let member = match unit {
        TimeUnit::Millis => 1,
        TimeUnit::Micros => 2,
        TimeUnit::Nanos => 3,
    };
    w.field_empty_struct(member);
    w.struct_end();
}

/// The legacy `ConvertedType` that older readers understand, where one exists. LogicalTypes.md
/// asks writers to give local (not UTC-adjusted) TIME and TIMESTAMP in millis or micros the
/// legacy annotation too, for the libraries that wrote local values that way; NANOS has none.
fn converted_type(logical: &LogicalType) -> Option<i32> {
    Some(match *logical {
        LogicalType::String => 0,
        LogicalType::Enum => 4,
        LogicalType::Decimal { .. } => 5,
        LogicalType::Date => 6,
        LogicalType::Time { unit, .. } => match unit {
            TimeUnit::Millis => 7,
            TimeUnit::Micros => 8,
            TimeUnit::Nanos => return None,
        },
        LogicalType::Timestamp { unit, .. } => match unit {
            TimeUnit::Millis => 9,
            TimeUnit::Micros => 10,
            TimeUnit::Nanos => return None,
        },
        LogicalType::Integer { bits, signed } => match (bits, signed) {
            (8, false) => 11,
            (16, false) => 12,
            (32, false) => 13,
            (64, false) => 14,
            (8, true) => 15,
            (16, true) => 16,
            (32, true) => 17,
            (64, true) => 18,
            _ => return None,
        },
        LogicalType::Json => 19,
        _ => return None,
    })
}

fn write_row_group(
    w: &mut CompactWriter<'_>,
    meta: &FileMeta<'_>,
    rg: &RowGroupMeta,
    ordinal: usize,
) {
    w.struct_begin();
    w.field_list_begin(1, ListElem::Struct, rg.columns.len());
    for ((chunk, column), codec) in rg.columns.iter().zip(meta.columns).zip(meta.codecs) {
        w.struct_begin();
        w.field_i64(2, chunk.start()); // deprecated file_offset: the chunk's start
        w.field_struct_begin(3); // ColumnMetaData
        w.field_i32(1, column.physical as i32);
        // Every encoding in the chunk: values, the dictionary page's PLAIN, RLE levels.
        let mut encodings: Vec<i32> = chunk
            .data_encodings
            .iter()
            .map(|(e, _)| *e as i32)
            .collect();
        if chunk.dictionary_page_offset.is_some() && !encodings.contains(&ENCODING_PLAIN) {
            encodings.push(ENCODING_PLAIN);
        }
        if column.repetition != Repetition::Required {
            encodings.push(ENCODING_RLE);
        }
        w.field_list_begin(2, ListElem::I32, encodings.len());
        for e in encodings {
            w.i32(e);
        }
        w.field_list_begin(3, ListElem::Binary, 1);
        w.binary(column.name.as_bytes());
        w.field_i32(4, *codec as i32);
        w.field_i64(5, chunk.num_values);
        w.field_i64(6, chunk.total_uncompressed_size);
        w.field_i64(7, chunk.total_compressed_size);
        w.field_i64(9, chunk.data_page_offset);
        if let Some(offset) = chunk.dictionary_page_offset {
            w.field_i64(11, offset);
        }
        if let Some(stats) = chunk.statistics.as_ref().filter(|_| meta.statistics) {
            w.field_struct_begin(12);
            write_statistics_fields(w, column, SortOrder::of(column), stats);
            w.struct_end();
        }
        // PageEncodingStats: readers learn from it whether every data page is dictionary-encoded.
        if meta.statistics {
            let dictionary = chunk.dictionary_page_offset.is_some() as usize;
            w.field_list_begin(
                13,
                ListElem::Struct,
                dictionary + chunk.data_encodings.len(),
            );
            if dictionary == 1 {
                w.struct_begin();
                w.field_i32(1, PAGE_TYPE_DICTIONARY);
                w.field_i32(2, ENCODING_PLAIN);
                w.field_i32(3, 1);
                w.struct_end();
            }
            for (encoding, count) in &chunk.data_encodings {
                w.struct_begin();
                w.field_i32(1, PAGE_TYPE_DATA);
                w.field_i32(2, *encoding as i32);
                w.field_i32(3, *count as i32);
                w.struct_end();
            }
        }
        w.struct_end(); // ColumnMetaData
        if let Some(location) = chunk.index_location {
            let (offset, length) = location.offset_index;
            w.field_i64(4, offset);
            w.field_i32(5, length);
            if let Some((offset, length)) = location.column_index {
                w.field_i64(6, offset);
                w.field_i32(7, length);
            }
        }
        w.struct_end();
    }
    let uncompressed: i64 = rg.columns.iter().map(|c| c.total_uncompressed_size).sum();
    let compressed: i64 = rg.columns.iter().map(|c| c.total_compressed_size).sum();
    w.field_i64(2, uncompressed);
    w.field_i64(3, rg.num_rows);
    if let Some(first) = rg.columns.first() {
        w.field_i64(5, first.start());
    }
    w.field_i64(6, compressed);
    if let Ok(ordinal) = i16::try_from(ordinal) {
        w.field_i16(7, ordinal);
    }
    w.struct_end();
}
