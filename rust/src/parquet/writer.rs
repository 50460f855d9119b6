//! The Parquet file writer: `PAR1`, row groups of column chunks, footer, `PAR1`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compress::{PageCompressor, DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL};
use super::input::{validate_column, ColumnInput, ValidatedCounts};
use super::io::{os_storage, OutputFile, Storage};
use super::metadata::{
    write_file_metadata, Codec, Encoding, FileMeta, IndexLocation, RowGroupMeta,
};
use super::page::{ChunkError, ChunkOutput, ChunkSettings, PageEncoder};
use super::schema::{validate_schema, Column, PhysicalType};
use super::statistics::StatisticsLevel;
use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"PAR1";
/// Default target size of a data page before compression.
pub const DEFAULT_DATA_PAGE_SIZE: usize = 1 << 20;
/// Pages are bounded by Parquet's i32 sizes; stay well inside them.
pub const MAX_DATA_PAGE_SIZE: usize = 1 << 30;
/// `WriterOptions::compression_threads` 0 means one per core, up to this many.
pub const AUTO_COMPRESSION_THREADS: usize = 4;
/// The most compression threads a writer takes.
pub const MAX_COMPRESSION_THREADS: usize = 64;
/// Output buffer: large enough that page headers and small pages do not cost a system call each.
const OUTPUT_BUFFER: usize = 1 << 20;

/// What survives a crash of the writing process (or of the machine) before `close()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Durability {
    /// The footer is written by `close()` only: a process killed before that leaves a file no
    /// reader opens and that `recover` cannot repair. The fastest; the default.
    #[default]
    OnClose = 0,
    /// After a row group a complete footer (a checkpoint) is appended, so the file is valid at
    /// that boundary; a crash loses only the rows after the last checkpoint, and `recover` cuts
    /// their partial bytes. Superseded footers stay in the file, and a footer grows with the
    /// row groups before it (about 60 bytes per column per row group), so checkpoints are
    /// spaced to keep that overhead bounded: one after every row group while the data written
    /// since the last checkpoint is at least `CHECKPOINT_SPACING` times the footer's size,
    /// otherwise after the first row group that restores that ratio. Superseded footers thus
    /// stay under 1/`CHECKPOINT_SPACING` of the file; `durable_rows()` says what a crash keeps.
    /// The data is in the OS page cache: it survives the process, not a power cut.
    RowGroup = 1,
    /// As `RowGroup`, with two `fdatasync`s per checkpoint: one after the row group's pages,
    /// before the footer that describes them is written, and one after the footer. A power cut
    /// thus never leaves a footer on disk whose pages are not, and what was checkpointed survives
    /// it. Costs two disk flushes per checkpoint. (With `RowGroup` and `Sync`, pages carry CRC-32
    /// checksums, which `recover` verifies.)
    Sync = 2,
}

impl Durability {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Durability::OnClose),
            1 => Some(Durability::RowGroup),
            2 => Some(Durability::Sync),
            _ => None,
        }
    }
}

/// With `Durability::RowGroup`/`Sync`, a checkpoint is written once the data since the previous
/// one is at least this many times the size of that footer (see [`Durability::RowGroup`]).
pub const CHECKPOINT_SPACING: u64 = 16;

/// File-level settings.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Codec of every column not named in `column_codecs`.
    pub codec: Codec,
    /// 0 (store) to 9 (smallest); used by GZIP columns.
    pub gzip_level: u32,
    /// ZSTD level (negative: faster, 1 default, up to 22); used by ZSTD columns.
    pub zstd_level: i32,
    /// Target uncompressed size of a data page; a column chunk larger than this becomes
    /// several pages. A page holds at least one row.
    pub data_page_size: usize,
    /// Per-column codec overrides, by column name.
    pub column_codecs: Vec<(String, Codec)>,
    /// Statistics of every column not named in `column_statistics`: by default chunk and page
    /// statistics and a column index (see [`StatisticsLevel`]).
    pub statistics: StatisticsLevel,
    /// Per-column statistics overrides, by column name.
    pub column_statistics: Vec<(String, StatisticsLevel)>,
    /// Threads that compress a chunk's pages at once (the writing thread is one of them): 0 for
    /// one per core, up to 4; 1 to compress on the writing thread only. With more than one, a
    /// compressed chunk is split into at least that many pages (none under 128 KiB), so a
    /// row group of one 1 MiB page still spreads over the threads.
    pub compression_threads: usize,
    /// Per-column value encodings, by column name. A column not named here gets
    /// [`default_encoding`]: a dictionary while it pays, then PLAIN (PLAIN for BOOLEAN).
    pub column_encodings: Vec<(String, Encoding)>,
    /// User key/value metadata stored in the footer.
    pub key_value_metadata: Vec<(String, String)>,
    /// The footer's `created_by`.
    pub created_by: String,
    /// Footer checkpoints after each row group, and syncing; see [`Durability`].
    pub durability: Durability,
    /// Where files are created (the real file system, or a test's fault injector).
    pub storage: Arc<dyn Storage>,
    /// CRC-32 in every page header (`PageHeader.crc`), which readers may verify. Off by
    /// default, as in Arrow's writers (it costs about 7 % of uncompressed write throughput);
    /// always on with `Durability::RowGroup` and `Sync`, whose recovery checks them.
    pub page_checksums: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            codec: Codec::Uncompressed,
            gzip_level: DEFAULT_GZIP_LEVEL,
            zstd_level: DEFAULT_ZSTD_LEVEL,
            data_page_size: DEFAULT_DATA_PAGE_SIZE,
            column_codecs: Vec::new(),
            statistics: StatisticsLevel::default(),
            column_statistics: Vec::new(),
            column_encodings: Vec::new(),
            compression_threads: 0,
            key_value_metadata: Vec::new(),
            created_by: default_created_by(),
            durability: Durability::OnClose,
            storage: os_storage(),
            page_checksums: false,
        }
    }
}

/// The encoding of a column whose options do not name one: RLE_DICTIONARY (which falls back to
/// PLAIN when the dictionary does not pay or grows past its limit), PLAIN for BOOLEAN.
pub fn default_encoding(physical: PhysicalType) -> Encoding {
    match physical {
        PhysicalType::Boolean => Encoding::Plain,
        _ => Encoding::RleDictionary,
    }
}

/// `created_by` in the form readers parse: "<application> version <semver>".
pub fn default_created_by() -> String {
    format!("parquet_flow version {}", env!("CARGO_PKG_VERSION"))
}

/// Each column's setting: `default`, or the override that names it (checked by `check`), in
/// the overrides' order; an override naming no column is refused ("<what> set for column ...").
fn per_column<T: Copy>(
    columns: &[Column],
    default: impl Fn(&Column) -> T,
    overrides: &[(String, T)],
    what: &str,
    check: impl Fn(&Column, &T) -> Result<()>,
) -> Result<Vec<T>> {
    let mut values: Vec<T> = columns.iter().map(default).collect();
    for (name, value) in overrides {
        let Some(i) = columns.iter().position(|c| &c.name == name) else {
            return Err(Error::invalid(format!(
                "{what} set for column '{name}', which is not in the schema"
            )));
        };
        check(&columns[i], value)?;
        values[i] = *value;
    }
    Ok(values)
}

/// What `FileWriter::prepare` resolves from a schema and options.
struct Prepared {
    codecs: Vec<Codec>,
    compressors: Vec<PageCompressor>,
    statistics: Vec<StatisticsLevel>,
    encodings: Vec<Encoding>,
}

/// Totals of a closed file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub rows: u64,
    pub row_groups: u64,
    pub bytes: u64,
}

pub struct FileWriter {
    path: PathBuf,
    columns: Vec<Column>,
    codecs: Vec<Codec>,
    statistics: Vec<StatisticsLevel>,
    encodings: Vec<Encoding>,
    key_value_metadata: Vec<(String, String)>,
    created_by: String,
    data_page_size: usize,
    out: Option<BufWriter<Box<dyn OutputFile>>>,
    /// Bytes handed to `out` so far.
    position: u64,
    /// End of the last row group known to be on disk (flushed): the file is valid up to here.
    good_position: u64,
    row_groups: Vec<RowGroupMeta>,
    rows: u64,
    encoder: PageEncoder,
    compressors: Vec<PageCompressor>,
    counts: Vec<ValidatedCounts>,
    footer: Vec<u8>,
    durability: Durability,
    page_checksums: bool,
    /// End of the last checkpoint footer, and the row groups and rows it describes.
    checkpoint: Option<(u64, usize, u64)>,
    /// Bytes of the last footer written, magic and length included.
    last_footer_len: u64,
    /// Where each row group's data ends (before any page index and checkpoint footer after it).
    row_group_ends: Vec<u64>,
    /// Row groups whose page index is in the file, described by a footer written after it.
    indexed_groups: usize,
    /// The page indexes of a footer about to be written.
    index_bytes: Vec<u8>,
    /// close() left a valid file (possibly cut back to its last good row group).
    closed_valid: bool,
    /// The I/O failure that stopped the writer, if any.
    failure: Option<Error>,
}

impl FileWriter {
    /// Validates the schema and options, creates (truncates) `path` and writes the magic.
    pub fn create(
        path: impl AsRef<Path>,
        columns: Vec<Column>,
        options: WriterOptions,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        // Checked before the file exists: bad input never leaves an empty file behind.
        let prepared = Self::prepare(&columns, &options)?;
        let file = options
            .storage
            .create(&path)
            .map_err(|e| Error::io("cannot create", &path, &e))?;
        Self::start(file, path, columns, options, prepared)
    }

    /// Checks a schema and options as `create` does, without touching the file system.
    pub fn validate(columns: &[Column], options: &WriterOptions) -> Result<()> {
        Self::prepare(columns, options).map(|_| ())
    }

    /// Writes a Parquet file into `file`, already created at `path` (the sink creates its files
    /// exclusively and locks them first).
    pub fn with_file(
        file: Box<dyn OutputFile>,
        path: PathBuf,
        columns: Vec<Column>,
        options: WriterOptions,
    ) -> Result<Self> {
        let prepared = Self::prepare(&columns, &options)?;
        Self::start(file, path, columns, options, prepared)
    }

    /// Every check of `validate`, and what passing them yields: each column's codec, the
    /// compressors they need and each column's statistics level.
    fn prepare(columns: &[Column], options: &WriterOptions) -> Result<Prepared> {
        validate_schema(columns)?;
        if options.data_page_size == 0 || options.data_page_size > MAX_DATA_PAGE_SIZE {
            return Err(Error::invalid(format!(
                "data_page_size must be between 1 and {MAX_DATA_PAGE_SIZE} bytes, got {}",
                options.data_page_size
            )));
        }
        let codecs = per_column(
            columns,
            |_| options.codec,
            &options.column_codecs,
            "a codec is",
            |_, _| Ok(()),
        )?;
        let statistics = per_column(
            columns,
            |_| options.statistics,
            &options.column_statistics,
            "statistics are",
            |_, _| Ok(()),
        )?;
        let encodings = per_column(
            columns,
            |c| default_encoding(c.physical),
            &options.column_encodings,
            "an encoding is",
            |column, encoding: &Encoding| {
                let physical = column.physical;
                if encoding.fits(physical) {
                    return Ok(());
                }
                Err(Error::invalid(format!(
                    "column '{}': {} cannot encode {} values; it takes {}",
                    column.name,
                    encoding.name(),
                    physical.name(),
                    Encoding::allowed_for(physical)
                )))
            },
        )?;
        for (key, _) in &options.key_value_metadata {
            if key.is_empty() {
                return Err(Error::invalid("key/value metadata key is empty"));
            }
        }
        if options.compression_threads > MAX_COMPRESSION_THREADS {
            return Err(Error::invalid(format!(
                "compression_threads must be at most {MAX_COMPRESSION_THREADS} (0: one per core, up to {AUTO_COMPRESSION_THREADS}), got {}",
                options.compression_threads
            )));
        }
        let threads = if codecs.iter().all(|c| *c == Codec::Uncompressed) {
            1
        } else if options.compression_threads == 0 {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(AUTO_COMPRESSION_THREADS)
        } else {
            options.compression_threads
        };
        let compressors = (0..threads)
            .map(|_| PageCompressor::new(&codecs, options.gzip_level, options.zstd_level))
            .collect::<Result<Vec<_>>>()?;
        Ok(Prepared {
            codecs,
            compressors,
            statistics,
            encodings,
        })
    }

    /// Writes the magic into `file` and sets up the writer with what `prepare` yielded.
    fn start(
        file: Box<dyn OutputFile>,
        path: PathBuf,
        columns: Vec<Column>,
        options: WriterOptions,
        prepared: Prepared,
    ) -> Result<Self> {
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, file);
        out.write_all(MAGIC)
            .map_err(|e| Error::io("cannot write", &path, &e))?;
        let columns_len = columns.len();
        Ok(FileWriter {
            path,
            columns,
            codecs: prepared.codecs,
            statistics: prepared.statistics,
            encodings: prepared.encodings,
            key_value_metadata: options.key_value_metadata,
            created_by: options.created_by,
            data_page_size: options.data_page_size,
            out: Some(out),
            position: MAGIC.len() as u64,
            good_position: MAGIC.len() as u64,
            row_groups: Vec::new(),
            rows: 0,
            encoder: PageEncoder::default(),
            compressors: prepared.compressors,
            counts: Vec::with_capacity(columns_len),
            footer: Vec::new(),
            durability: options.durability,
            page_checksums: options.page_checksums || options.durability != Durability::OnClose,
            checkpoint: None,
            last_footer_len: 0,
            row_group_ends: Vec::new(),
            indexed_groups: 0,
            index_bytes: Vec::new(),
            closed_valid: false,
            failure: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Rows a crash of the process would not lose: all of them once closed; before that, with
    /// `Durability::RowGroup`/`Sync`, those covered by the last checkpoint; else none.
    pub fn durable_rows(&self) -> u64 {
        if self.closed_valid {
            return self.rows;
        }
        self.checkpoint.map_or(0, |(_, _, rows)| rows)
    }

    pub fn row_groups_written(&self) -> u64 {
        self.row_groups.len() as u64
    }

    /// Bytes written to the file so far (checkpoint footers included; the final footer once closed).
    pub fn bytes_written(&self) -> u64 {
        self.position
    }

    /// After `close()`: whether the file on disk is a valid Parquet file (after an I/O error,
    /// one cut back to the row groups written before it).
    pub fn closed_valid(&self) -> bool {
        self.closed_valid
    }

    pub fn is_open(&self) -> bool {
        self.out.is_some()
    }

    fn check_writable(&self) -> Result<()> {
        if let Some(failure) = &self.failure {
            return Err(Error::internal(format!(
                "writer stopped after an earlier failure: {failure}"
            )));
        }
        if self.out.is_none() {
            return Err(Error::state(format!(
                "writer for '{}' is closed",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Writes one row group of `row_count` rows; `inputs` has one entry per column, in schema
    /// order. All input is validated first: on an `InvalidArgument` error nothing was written and
    /// the writer stays usable. After an I/O error the writer refuses further row groups;
    /// `close()` then still tries to leave a valid file of the row groups written before.
    pub fn write_row_group(&mut self, row_count: usize, inputs: &[ColumnInput<'_>]) -> Result<()> {
        self.check_writable()?;
        let row_group = self.row_groups.len();
        if row_count == 0 {
            return Err(Error::invalid(format!(
                "row group {row_group}: row_count is 0; a row group needs at least one row"
            )));
        }
        if i64::try_from(row_count).is_err() {
            return Err(Error::invalid(format!(
                "row group {row_group}: row_count {row_count} is too large"
            )));
        }
        if inputs.len() != self.columns.len() {
            return Err(Error::invalid(format!(
                "row group {row_group}: {} columns given, the schema has {}",
                inputs.len(),
                self.columns.len()
            )));
        }
        self.counts.clear();
        for (column, input) in self.columns.iter().zip(inputs) {
            self.counts
                .push(validate_column(column, input, row_count, row_group)?);
        }

        let out = self.out.as_mut().expect("checked open");
        let mut chunks = Vec::with_capacity(self.columns.len());
        let mut sink = ChunkOutput {
            out,
            position: &mut self.position,
            compressors: &mut self.compressors,
            checksums: self.page_checksums,
        };
        let mut result = Ok(());
        for (i, (column, input)) in self.columns.iter().zip(inputs).enumerate() {
            let settings = ChunkSettings {
                codec: self.codecs[i],
                statistics: self.statistics[i],
                encoding: self.encodings[i],
                page_size: self.data_page_size,
            };
            match self
                .encoder
                .write_chunk(column, settings, input, self.counts[i], &mut sink)
            {
                Ok(meta) => chunks.push(meta),
                Err(ChunkError::Input(e)) => {
                    result = Err(e);
                    break;
                }
                Err(ChunkError::Io(e)) => {
                    result = Err(Error::io("cannot write", &self.path, &e));
                    break;
                }
            }
        }
        // A row group counts once it is on its way to the disk as a whole.
        if result.is_ok() {
            result = sink
                .out
                .flush()
                .map_err(|e| Error::io("cannot write", &self.path, &e));
        }
        match result {
            Ok(()) => {
                self.good_position = self.position;
                self.rows += row_count as u64;
                self.row_group_ends.push(self.position);
                self.row_groups.push(RowGroupMeta {
                    columns: chunks,
                    num_rows: row_count as i64,
                });
                let due = self.checkpoint.is_none_or(|(end, _, _)| {
                    self.position - end >= CHECKPOINT_SPACING * self.last_footer_len
                });
                if self.durability == Durability::OnClose || !due {
                    return Ok(());
                }
                // The row group is complete; a failed checkpoint only cuts its own footer.
                let mut out = self.out.take().expect("checked open");
                let result = self.write_footer(&mut out, Footer::Full);
                self.out = Some(out);
                if result.is_ok() {
                    self.good_position = self.position;
                    self.checkpoint = Some((self.position, self.row_groups.len(), self.rows));
                }
                result.inspect_err(|e| self.failure = Some(e.clone()))
            }
            Err(e) => {
                // Part of the row group may be in the file: later writes would have wrong offsets.
                // close() truncates back to the last good row group.
                self.failure = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Writes the footer and closes the file. Calling it again is an error.
    pub fn close(&mut self) -> Result<FileSummary> {
        let Some(out) = self.out.take() else {
            return Err(Error::state(format!(
                "writer for '{}' is already closed",
                self.path.display()
            )));
        };
        let mut out = out;
        let failure = match self.failure.take() {
            None if self.checkpoint_is_last() => None,
            // A footer that does not fit (a full disk) is repaired like any failed write.
            None => self.write_footer(&mut out, Footer::Full).err(),
            Some(failure) => Some(failure),
        };
        let result = match failure {
            None => {
                self.closed_valid = true;
                Ok(self.summary())
            }
            Some(failure) => {
                let (file, _unwritten) = out.into_parts();
                let repaired = self.repair(file);
                self.closed_valid = repaired.is_ok();
                Err(match repaired {
                    Ok(_) => Error {
                        kind: failure.kind,
                        message: format!(
                            "{failure}; the file was closed with the {} row groups written before",
                            self.row_groups.len()
                        ),
                    },
                    Err(e) => Error {
                        kind: failure.kind,
                        message: format!("{failure}; closing it failed too: {e}"),
                    },
                })
            }
        };
        result
    }

    /// After an I/O error: cuts the partial row group and writes a footer for the complete ones.
    /// If that footer does not fit (a full disk), drops the last row group too, which frees
    /// more than its footer needs, and tries again, down to the last checkpoint, which needs
    /// no write at all. `rows_written()` then tells how many rows the file kept.
    fn repair(&mut self, file: Box<dyn OutputFile>) -> Result<()> {
        let path = self.path.clone();
        let io = |e: std::io::Error| Error::io("cannot repair", &path, &e);
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, file);
        out.get_mut().truncate(self.good_position).map_err(io)?;
        self.position = self.good_position;
        if self.checkpoint_is_last() {
            // `good_position` is that checkpoint's end: nothing to write (a full disk's need).
            return Ok(());
        }
        let (checkpoint_end, checkpoint_groups) = self
            .checkpoint
            .map_or((None, 0), |(end, groups, _)| (Some(end), groups));
        let mut last_error = None;
        while self.row_groups.len() > checkpoint_groups {
            let end = self.row_group_ends[self.row_groups.len() - 1];
            // Whatever a failed attempt left in the buffer is dropped with it.
            // The page indexes not yet in the file are left out: on a full disk the room is
            // better spent on rows (readers do without a page index). Failing that, a bare
            // footer (no statistics) before a row group is given up.
            for detail in [Footer::WithoutNewIndexes, Footer::Bare] {
                let file = out.into_parts().0;
                out = BufWriter::with_capacity(OUTPUT_BUFFER, file);
                out.get_mut().truncate(end).map_err(io)?;
                self.position = end;
                match self.write_footer(&mut out, detail) {
                    Ok(()) => return Ok(()),
                    Err(e) => last_error = Some(e),
                }
            }
            let dropped = self.row_groups.pop().expect("loop condition");
            self.rows -= dropped.num_rows as u64;
        }
        match checkpoint_end {
            Some(end) => {
                let mut file = out.into_parts().0;
                file.truncate(end).map_err(io)?;
                self.position = end;
                Ok(())
            }
            None => Err(last_error.unwrap_or_else(|| Error::internal("nothing to repair"))),
        }
    }

    /// Appends a footer for every row group written so far (the final one, or a checkpoint),
    /// pushes it to the OS and, with `Durability::Sync`, to the disk: the pages first, then the
    /// footer, so a footer never reaches the disk before the pages it describes.
    ///
    /// `detail` says what optional parts it carries (see [`Footer`]).
    fn write_footer(
        &mut self,
        out: &mut BufWriter<Box<dyn OutputFile>>,
        detail: Footer,
    ) -> Result<()> {
        let new_indexes = detail == Footer::Full;
        let sync = |out: &mut BufWriter<Box<dyn OutputFile>>, path: &Path| -> Result<()> {
            out.flush()
                .map_err(|e| Error::io("cannot write", path, &e))?;
            out.get_mut()
                .sync_data()
                .map_err(|e| Error::io("cannot sync", path, &e))
        };
        // The page indexes of the row groups no footer has described yet, in front of the
        // footer (and, with Sync, on the disk with the pages before it).
        let index_at = self.position;
        self.index_bytes.clear();
        for rg in &mut self.row_groups[self.indexed_groups..] {
            for chunk in &mut rg.columns {
                if !new_indexes {
                    chunk.index_location = None;
                    continue;
                }
                let column_index = (!chunk.column_index.is_empty()).then(|| {
                    let at = index_at + self.index_bytes.len() as u64;
                    self.index_bytes.extend_from_slice(&chunk.column_index);
                    (at as i64, chunk.column_index.len() as i32)
                });
                let at = index_at + self.index_bytes.len() as u64;
                self.index_bytes.extend_from_slice(&chunk.offset_index);
                chunk.index_location = Some(IndexLocation {
                    column_index,
                    offset_index: (at as i64, chunk.offset_index.len() as i32),
                });
            }
        }
        out.write_all(&self.index_bytes)
            .map_err(|e| Error::io("cannot write", &self.path, &e))?;
        if self.durability == Durability::Sync {
            sync(out, &self.path)?;
        }
        self.footer.clear();
        let meta = FileMeta {
            columns: &self.columns,
            codecs: &self.codecs,
            key_value_metadata: &self.key_value_metadata,
            created_by: &self.created_by,
            statistics: detail != Footer::Bare,
        };
        write_file_metadata(&mut self.footer, &meta, &self.row_groups);
        let footer_len = self.footer.len() as u32;
        let io = |e: std::io::Error| Error::io("cannot write", &self.path, &e);
        out.write_all(&self.footer).map_err(io)?;
        out.write_all(&footer_len.to_le_bytes()).map_err(io)?;
        out.write_all(MAGIC).map_err(io)?;
        out.flush().map_err(io)?;
        if self.durability == Durability::Sync {
            sync(out, &self.path)?;
        }
        let written = self.index_bytes.len() as u64 + self.footer.len() as u64 + 8;
        self.position += written;
        self.last_footer_len = written;
        // Those page indexes are in the file for good: later footers point at them.
        for rg in &mut self.row_groups[self.indexed_groups..] {
            for chunk in &mut rg.columns {
                chunk.column_index = Vec::new();
                chunk.offset_index = Vec::new();
            }
        }
        self.indexed_groups = self.row_groups.len();
        Ok(())
    }

    /// The file ends with a checkpoint describing every row group written: it is valid as it is.
    fn checkpoint_is_last(&self) -> bool {
        self.checkpoint
            .is_some_and(|(_, groups, _)| groups == self.row_groups.len())
    }

    fn summary(&self) -> FileSummary {
        FileSummary {
            rows: self.rows,
            row_groups: self.row_groups.len() as u64,
            bytes: self.position,
        }
    }
}

/// What a footer carries besides what every footer must.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Footer {
    /// Everything: statistics, and the page indexes of the row groups no footer has described
    /// yet, written in front of it.
    Full,
    /// Without those page indexes (their row groups go without one).
    WithoutNewIndexes,
    /// Nor any chunk statistics or page encoding stats: the smallest valid footer, for a full
    /// disk where rows matter more.
    Bare,
}

impl Drop for FileWriter {
    /// An unclosed writer still leaves a readable file behind; errors cannot be reported here.
    fn drop(&mut self) {
        if self.out.is_some() {
            let _ = self.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::{PhysicalType, Repetition};

    /// Per-column settings name columns of the schema, and an encoding must fit its column.
    #[test]
    fn per_column_settings_are_checked_against_the_schema() {
        let columns = vec![Column::new("a", PhysicalType::Int64, Repetition::Required)];
        let refused = |options: WriterOptions| {
            FileWriter::validate(&columns, &options)
                .unwrap_err()
                .message
        };
        let missing = |what: &str| format!("{what} set for column 'b', which is not in the schema");
        let message = refused(WriterOptions {
            column_codecs: vec![("b".into(), Codec::Zstd)],
            ..WriterOptions::default()
        });
        assert_eq!(message, missing("a codec is"));
        let message = refused(WriterOptions {
            column_statistics: vec![("b".into(), StatisticsLevel::None)],
            ..WriterOptions::default()
        });
        assert_eq!(message, missing("statistics are"));
        let message = refused(WriterOptions {
            column_encodings: vec![("b".into(), Encoding::Plain)],
            ..WriterOptions::default()
        });
        assert_eq!(message, missing("an encoding is"));
        // In the overrides' order: the misfit for 'a' comes before the missing 'b'.
        let message = refused(WriterOptions {
            column_encodings: vec![
                ("a".into(), Encoding::DeltaByteArray),
                ("b".into(), Encoding::Plain),
            ],
            ..WriterOptions::default()
        });
        assert!(
            message.starts_with(
                "column 'a': DELTA_BYTE_ARRAY cannot encode INT64 values; it takes PLAIN (0)"
            ),
            "{message}"
        );
        let options = WriterOptions {
            column_codecs: vec![("a".into(), Codec::Gzip)],
            column_statistics: vec![("a".into(), StatisticsLevel::Chunk)],
            column_encodings: vec![("a".into(), Encoding::DeltaBinaryPacked)],
            ..WriterOptions::default()
        };
        assert!(FileWriter::validate(&columns, &options).is_ok());
    }

    /// A file that cannot grow past `cap` bytes: writes beyond fail with EFBIG, as under
    /// RLIMIT_FSIZE (or ENOSPC on a full disk); truncating makes room again.
    struct CappedFile {
        file: std::fs::File,
        len: u64,
        cap: u64,
    }

    impl Write for CappedFile {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = self.cap.saturating_sub(self.len);
            if room == 0 {
                return Err(std::io::Error::from_raw_os_error(libc::EFBIG));
            }
            let n = self.file.write(&buf[..buf.len().min(room as usize)])?;
            self.len += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl OutputFile for CappedFile {
        fn sync_data(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn truncate(&mut self, len: u64) -> std::io::Result<()> {
            use std::io::{Seek, SeekFrom};
            self.file.set_len(len)?;
            self.file.seek(SeekFrom::Start(len))?;
            self.len = len;
            Ok(())
        }
        fn try_lock(&mut self) -> std::io::Result<bool> {
            Ok(true)
        }
    }

    /// Writes `groups` row groups of 50 long distinct strings (64-byte statistics bounds) into
    /// a file capped at `cap` bytes, then closes it. Returns what close said, the rows kept and
    /// the file's bytes.
    fn write_capped(
        dir: &Path,
        groups: usize,
        cap: u64,
    ) -> (std::result::Result<FileSummary, Error>, u64, Vec<u8>) {
        let path = dir.join(format!("capped-{cap}.parquet"));
        let file = std::fs::File::create(&path).unwrap();
        let columns = vec![
            Column::new("s", PhysicalType::ByteArray, Repetition::Required),
            Column::new("n", PhysicalType::Int64, Repetition::Required),
        ];
        let options = WriterOptions {
            durability: Durability::OnClose,
            ..WriterOptions::default()
        };
        let capped = Box::new(CappedFile { file, len: 0, cap });
        let mut w = FileWriter::with_file(capped, path.clone(), columns, options).unwrap();
        for g in 0..groups {
            let mut values = Vec::new();
            let mut offsets = vec![0u32];
            let mut numbers = Vec::new();
            for r in 0..50u64 {
                let n = (g as u64) * 50 + r;
                values.extend(format!("{n:0>100}").bytes());
                offsets.push(values.len() as u32);
                numbers.extend((n as i64).to_le_bytes());
            }
            let inputs = [
                ColumnInput {
                    values: &values,
                    offsets: Some(&offsets),
                    ..Default::default()
                },
                ColumnInput::new(&numbers),
            ];
            if w.write_row_group(50, &inputs).is_err() {
                break;
            }
        }
        let closed = w.close();
        (closed, w.rows_written(), std::fs::read(&path).unwrap())
    }

    /// The footer's bytes, decoded: the file must end with a footer that parses.
    fn footer_of(bytes: &[u8]) -> crate::parquet::thrift::Value {
        assert_eq!(&bytes[..4], MAGIC);
        assert_eq!(&bytes[bytes.len() - 4..], MAGIC);
        let len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap());
        let at = bytes.len() - 8 - len as usize;
        let mut reader = crate::parquet::thrift::CompactReader::new(&bytes[at..bytes.len() - 8]);
        reader.read_struct().expect("the footer decodes")
    }

    /// On a full disk, close() keeps every row group a footer can still describe: first without
    /// the page indexes, then without statistics, and only then does it give up row groups.
    #[test]
    fn a_full_disk_gives_up_statistics_before_rows() {
        let dir = std::env::temp_dir().join(format!("pf-writer-capped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (full, rows, bytes) = write_capped(&dir, 20, u64::MAX);
        assert!(full.is_ok());
        assert_eq!(rows, 1000);
        let data_end = {
            // Where the last row group ends: the page indexes and footer follow it.
            let footer = footer_of(&bytes);
            let groups = footer.field(4).and_then(|v| v.list()).unwrap();
            let last = groups
                .last()
                .unwrap()
                .field(1)
                .and_then(|v| v.list())
                .unwrap();
            let meta = last.last().unwrap().field(3).unwrap();
            (meta.field(9).and_then(|v| v.int()).unwrap()
                + meta.field(7).and_then(|v| v.int()).unwrap()) as u64
        };
        let full_footer = bytes.len() as u64 - data_end;
        // Room for all the data and a footer without statistics, not for one with them.
        let (closed, rows, bytes) = write_capped(&dir, 20, data_end + full_footer / 2);
        let error = closed.unwrap_err();
        assert!(
            error
                .message
                .contains("the file was closed with the 20 row groups"),
            "{error}"
        );
        assert_eq!(rows, 1000);
        let footer = footer_of(&bytes);
        assert_eq!(footer.field(3).and_then(|v| v.int()), Some(1000));
        for group in footer.field(4).and_then(|v| v.list()).unwrap() {
            for chunk in group.field(1).and_then(|v| v.list()).unwrap() {
                let meta = chunk.field(3).unwrap();
                assert!(meta.field(12).is_none() && meta.field(13).is_none());
                assert!(chunk.field(4).is_none(), "no page index was written");
            }
        }
        // Less room: row groups go, the rest keep a valid file.
        let (closed, rows, bytes) = write_capped(&dir, 20, data_end / 2);
        assert!(closed.is_err());
        assert!(rows > 0 && rows < 500 && rows % 50 == 0, "{rows}");
        assert_eq!(
            footer_of(&bytes).field(3).and_then(|v| v.int()),
            Some(rows as i64)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
