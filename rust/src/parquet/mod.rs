//! Our own Parquet writer, written from the format specification (parquet.thrift and
//! encodings.md of apache/parquet-format): PLAIN values, RLE/bit-packed levels, v1 data pages,
//! UNCOMPRESSED or GZIP, compact-Thrift footer.

pub mod compress;
pub mod encoding;
pub mod input;
pub mod inspect;
pub mod io;
pub mod metadata;
pub mod page;
pub mod records;
pub mod recover;
pub mod schema;
pub mod statistics;
pub mod thrift;
pub mod writer;

pub use input::ColumnInput;
pub use metadata::{Codec, Encoding};
pub use records::{FieldType, RecordColumns, RecordField, RecordLayout};
pub use recover::{recover, Recovery};
pub use schema::{Column, LogicalType, PhysicalType, Repetition, TimeUnit};
pub use statistics::StatisticsLevel;
pub use writer::{Durability, FileSummary, FileWriter, WriterOptions};
