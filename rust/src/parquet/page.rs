//! Splits one column chunk into v1 data pages, encodes and (optionally) compresses them.

use std::io::Write;

use super::compress::PageCompressor;
use super::encoding::byte_stream_split::encode_byte_stream_split;
use super::encoding::delta::{
    encode_delta_binary_packed, encode_delta_byte_array, encode_delta_length_byte_array,
};
use super::encoding::dictionary::{encode_dictionary_indices, Dictionary, DictionaryKind};
use super::encoding::{encode_byte_arrays, encode_level_run, encode_levels, pack_bits, ByteArrays};
use super::input::{ColumnInput, ValidatedCounts};
use super::metadata::{
    write_data_page_header, write_dictionary_page_header, Codec, ColumnChunkMeta, Encoding,
};
use super::statistics::{
    page_min_max, write_column_index, write_offset_index, PageEntry, SortOrder, Statistics,
    StatisticsLevel,
};

/// The page checksum of parquet.thrift's `PageHeader.crc`: CRC-32 with the gzip polynomial over
/// the page as stored. Written with `WriterOptions::page_checksums` (always with checkpoints);
/// `recover` checks it.
pub fn page_crc(body: &[u8]) -> u32 {
    zlib_rs::crc32::crc32(0, body)
}
use super::schema::{Column, PhysicalType};
use crate::error::{Error, Result};

/// A dictionary whose PLAIN size passes this stops growing: the rest of the chunk is written
/// PLAIN (arrow-rs's default dictionary page limit).
pub const DICTIONARY_LIMIT: usize = 1 << 20;
/// A dictionary is tried on the first this many values of a chunk first; where more than
/// `PROBE_DISTINCT_PERCENT` of them are distinct, on the first `WIDE_PROBE_VALUES`, and where
/// more than `WIDE_PROBE_DISTINCT_PERCENT` of those are distinct too, the chunk is written in
/// the fallback encoding from the start (a dictionary of unique values only costs). The wider
/// look finds values that repeat over a longer stretch than a thousand rows: the prices of a
/// few hundred instruments interleaved, say (measured in docs/FORMAT.md, "Typed tables").
const PROBE_VALUES: usize = 1024;
const PROBE_DISTINCT_PERCENT: usize = 75;
const WIDE_PROBE_VALUES: usize = 8192;
const WIDE_PROBE_DISTINCT_PERCENT: usize = 50;

/// Whether DELTA_BINARY_PACKED would store an INT32/INT64 chunk's first `PROBE_VALUES` values in
/// at most 55 % of their PLAIN size: the bit width of each miniblock of 32 deltas (what the
/// encoder packs them to) against the type's width.
fn delta_pays(column: &Column, input: &ColumnInput<'_>, values: usize) -> bool {
    let width = match column.physical {
        PhysicalType::Int32 => 4,
        PhysicalType::Int64 => 8,
        _ => return false,
    };
    let n = values.min(PROBE_VALUES).min(input.values.len() / width);
    if n < 2 {
        return false;
    }
    let value = |i: usize| -> i64 {
        let b = &input.values[i * width..(i + 1) * width];
        if width == 4 {
            i32::from_le_bytes(b.try_into().unwrap_or_default()) as i64
        } else {
            i64::from_le_bytes(b.try_into().unwrap_or_default())
        }
    };
    let deltas: Vec<i64> = (1..n)
        .map(|i| value(i).wrapping_sub(value(i - 1)))
        .collect();
    let packed_bits: usize = deltas
        .chunks(32)
        .map(|mini| {
            let min = mini.iter().copied().min().unwrap_or(0);
            let max = mini.iter().copied().max().unwrap_or(0);
            let bits = 64 - (max.wrapping_sub(min) as u64).leading_zeros() as usize;
            32 * bits + 8 // the miniblock's values and its bit width
        })
        .sum();
    let block_headers = deltas.len().div_ceil(128) * 8 * 8; // each block's min delta (varint)
                                                            // At most 55 %: random values spanning half the type's width (16 of 32 bits) still gain
                                                            // under ZSTD (2.0 against 2.4 bytes per value measured), wider ones do not.
    20 * (packed_bits + block_headers) <= 11 * n * width * 8
}

/// With several compression threads, a compressed chunk is split into at least as many pages
/// (so they compress at once), but no page is made smaller than this for it.
const MIN_SPLIT_PAGE: usize = 128 << 10;

/// One encoded page of the window being compressed.
#[derive(Default)]
struct WindowPage {
    /// The encoded page, unless it is `direct`.
    bytes: Vec<u8>,
    /// The page is this range of the input's values as they are (PLAIN byte arrays).
    direct: Option<(usize, usize)>,
    /// The page compressed, when the chunk has a codec.
    compressed: Vec<u8>,
    span: Option<PageSpan>,
    encoding: Option<Encoding>,
    statistics: Option<Statistics>,
}

impl WindowPage {
    fn encoded<'a>(&'a self, input: &'a ColumnInput<'_>) -> &'a [u8] {
        match self.direct {
            Some((start, end)) => &input.values[start..end],
            None => &self.bytes,
        }
    }
}

/// Scratch buffers reused across pages, columns and row groups.
#[derive(Default)]
pub struct PageEncoder {
    /// Pages encoded and compressed together: one per compression thread.
    window: Vec<WindowPage>,
    header: Vec<u8>,
    /// The current chunk's data pages, for its page index.
    pages: Vec<PageEntry>,
    /// The current chunk's dictionary, if it is dictionary-encoded.
    dictionary: Option<Dictionary>,
    dictionary_page: Vec<u8>,
    indices: Vec<u32>,
    /// Dictionary-encoded data pages (headers and bodies) waiting for their dictionary page,
    /// which must come first in the chunk; their `pages` entries hold offsets into this buffer.
    pending: Vec<u8>,
}

/// A page's span: level entries `[entry_start, entry_end)` and values `[value_start, value_end)`.
#[derive(Clone, Copy)]
struct PageSpan {
    entry_start: usize,
    entry_end: usize,
    value_start: usize,
    value_end: usize,
}

/// Where a column chunk's bytes go: the output and the offset it is at.
pub struct ChunkOutput<'a, W: Write> {
    pub out: &'a mut W,
    pub position: &'a mut u64,
    /// One compressor per compression thread (at least one); pages of a chunk are compressed
    /// on as many threads at once, the writing thread being one of them.
    pub compressors: &'a mut [PageCompressor],
    /// Write `PageHeader.crc` on every page.
    pub checksums: bool,
}

/// How one column chunk is written: its codec, statistics and value encoding.
#[derive(Clone, Copy, Debug)]
pub struct ChunkSettings {
    pub codec: Codec,
    pub statistics: StatisticsLevel,
    /// `RleDictionary` means a dictionary while it pays, PLAIN after.
    pub encoding: Encoding,
    pub page_size: usize,
}

impl PageEncoder {
    /// Writes one validated column chunk as data pages of about `page_size` bytes each (a
    /// dictionary page first if the chunk is dictionary-encoded), with the statistics asked
    /// for, and serializes its page index. Pages are encoded in order on this thread, then
    /// compressed a window at a time on the compression threads, then written in order.
    pub fn write_chunk<W: Write>(
        &mut self,
        column: &Column,
        settings: ChunkSettings,
        input: &ColumnInput<'_>,
        counts: ValidatedCounts,
        sink: &mut ChunkOutput<'_, W>,
    ) -> std::result::Result<ColumnChunkMeta, ChunkError> {
        let start = *sink.position;
        let mut meta = ColumnChunkMeta::new(counts.entries as i64, start as i64);
        let order = SortOrder::of(column);
        let level = settings.statistics;
        let mut chunk_stats = (level > StatisticsLevel::None).then(Statistics::default);
        let (mut min, mut max) = (Vec::new(), Vec::new());
        self.pages.clear();
        self.pending.clear();
        let mut dictionary_on = settings.encoding == Encoding::RleDictionary
            && self.dictionary_pays(column, input, counts.values);
        let mut dictionary_used = false;
        let fallback = match settings.encoding {
            // Integers a dictionary does not suit are often sequence numbers, ids or times that
            // climb, or values of a narrow range: DELTA_BINARY_PACKED where it about halves
            // them, else PLAIN.
            Encoding::RleDictionary
                if !dictionary_on && delta_pays(column, input, counts.values) =>
            {
                Encoding::DeltaBinaryPacked
            }
            Encoding::RleDictionary => Encoding::Plain,
            other => other,
        };
        let threads = if settings.codec == Codec::Uncompressed {
            1
        } else {
            sink.compressors.len().max(1)
        };
        // Two pages per thread and window, so a thread that finishes early takes another.
        let window = if threads > 1 { 2 * threads } else { 1 };
        let page_size = if threads > 1 {
            let share = chunk_bytes(column, input, counts).div_ceil(window);
            settings.page_size.min(share.max(MIN_SPLIT_PAGE))
        } else {
            settings.page_size
        };
        if self.window.len() < window {
            self.window.resize_with(window, WindowPage::default);
        }
        let mut first_row = 0i64;
        let mut span = PageSpan {
            entry_start: 0,
            entry_end: 0,
            value_start: 0,
            value_end: 0,
        };
        // Row groups are never empty (the writer rejects them), so there is at least one page.
        while span.entry_end < counts.entries {
            // Encode up to one page per thread, in order (a dictionary grows page by page).
            let mut n = 0;
            while n < window && span.entry_end < counts.entries {
                span = next_page(column, input, counts, span, page_size);
                let encoding = if dictionary_on {
                    Encoding::RleDictionary
                } else {
                    fallback
                };
                // PLAIN-encoded values of a column without levels are the page as they are.
                let direct = encoding == Encoding::Plain
                    && input.plain_encoded
                    && column.repetition.max_def_level() == 0;
                let mut page = std::mem::take(&mut self.window[n]);
                page.direct = None;
                if direct {
                    let offsets = input.offsets.expect("validated: byte arrays have offsets");
                    page.direct = Some((
                        offsets[span.value_start] as usize,
                        offsets[span.value_end] as usize,
                    ));
                } else {
                    self.encode_page(&mut page.bytes, column, input, span, encoding);
                }
                // After encoding: the page's values are still in the cache.
                let statistics = chunk_stats.as_mut().map(|chunk| {
                    let has = page_min_max(
                        column,
                        order,
                        input,
                        span.value_start,
                        span.value_end,
                        &mut min,
                        &mut max,
                    );
                    let page = Statistics {
                        min_max: has.then(|| (min.clone(), max.clone())),
                        null_count: ((span.entry_end - span.entry_start)
                            - (span.value_end - span.value_start))
                            as u64,
                    };
                    chunk.merge(&page, order, column.physical);
                    page
                });
                page.span = Some(span);
                page.encoding = Some(encoding);
                page.statistics = statistics;
                self.window[n] = page;
                n += 1;
                if encoding == Encoding::RleDictionary {
                    dictionary_used = true;
                    // Past its limit the dictionary stops: the rest of the chunk is PLAIN.
                    if self
                        .dictionary
                        .as_ref()
                        .is_some_and(|d| d.encoded_size() >= DICTIONARY_LIMIT)
                    {
                        dictionary_on = false;
                    }
                }
            }
            compress_window(
                settings.codec,
                sink.compressors,
                &mut self.window[..n],
                input,
            )
            .map_err(ChunkError::Input)?;
            for i in 0..n {
                let page = std::mem::take(&mut self.window[i]);
                let span = page.span.expect("encoded");
                let encoding = page.encoding.expect("encoded");
                let encoded = page.encoded(input);
                let body: &[u8] = if settings.codec == Codec::Uncompressed {
                    encoded
                } else {
                    &page.compressed
                };
                check_page_size(column, encoded.len(), body.len())?;
                let kind = PageKind::Data {
                    values: (span.entry_end - span.entry_start) as i32,
                    encoding,
                    statistics: page
                        .statistics
                        .as_ref()
                        .filter(|_| level == StatisticsLevel::Page)
                        .map(|s| (column, order, s)),
                };
                if encoding != Encoding::RleDictionary
                    && dictionary_used
                    && !self.pending.is_empty()
                {
                    self.write_dictionary(column, settings.codec, &mut meta, sink)?;
                }
                let (offset, (uncompressed, stored)) = if encoding == Encoding::RleDictionary {
                    let at = self.pending.len() as i64;
                    let sizes = write_page(
                        kind,
                        encoded.len(),
                        body,
                        sink.checksums,
                        &mut self.header,
                        &mut self.pending,
                    )?;
                    (at, sizes)
                } else {
                    let at = *sink.position as i64;
                    let sizes = write_page(
                        kind,
                        encoded.len(),
                        body,
                        sink.checksums,
                        &mut self.header,
                        &mut *sink.out,
                    )?;
                    *sink.position += sizes.1 as u64;
                    (at, sizes)
                };
                meta.total_uncompressed_size += uncompressed as i64;
                meta.total_compressed_size += stored as i64;
                meta.count_data_page(encoding);
                self.pages.push(PageEntry {
                    offset,
                    compressed_size: stored as i32,
                    first_row,
                    all_null: span.value_start == span.value_end,
                    statistics: page
                        .statistics
                        .clone()
                        .filter(|_| level == StatisticsLevel::Page),
                });
                first_row += match input.rep_levels {
                    Some(rep) => rep[span.entry_start..span.entry_end]
                        .iter()
                        .filter(|&&r| r == 0)
                        .count(),
                    None => span.entry_end - span.entry_start,
                } as i64;
                self.window[i] = page;
            }
        }
        if dictionary_used && meta.dictionary_page_offset.is_none() {
            self.write_dictionary(column, settings.codec, &mut meta, sink)?;
        }
        meta.data_page_offset = self.pages[0].offset;
        meta.statistics = chunk_stats;
        write_offset_index(&mut meta.offset_index, &self.pages);
        if level == StatisticsLevel::Page {
            // Left empty where the pages' statistics cannot form one.
            write_column_index(&mut meta.column_index, column, order, &self.pages);
        }
        Ok(meta)
    }

    /// Starts the chunk's dictionary with its first values and says whether it is worth it.
    fn dictionary_pays(&mut self, column: &Column, input: &ColumnInput<'_>, values: usize) -> bool {
        let kind = match column.physical {
            PhysicalType::ByteArray => DictionaryKind::ByteArray,
            PhysicalType::FixedLenByteArray => DictionaryKind::Fixed(column.type_length as usize),
            other => DictionaryKind::Fixed(other.input_width().expect("fixed-width type")),
        };
        let dictionary = match &mut self.dictionary {
            Some(d) if d.kind() == kind => {
                d.clear();
                d
            }
            slot => slot.insert(Dictionary::new(kind)),
        };
        let probe = values.min(PROBE_VALUES);
        self.indices.clear();
        insert_values(dictionary, column, input, 0, probe, &mut self.indices);
        if probe < PROBE_VALUES || dictionary.len() * 100 <= probe * PROBE_DISTINCT_PERCENT {
            return true;
        }
        let wide = values.min(WIDE_PROBE_VALUES);
        if wide < WIDE_PROBE_VALUES {
            return false;
        }
        self.indices.clear();
        insert_values(dictionary, column, input, probe, wide, &mut self.indices);
        dictionary.len() * 100 <= wide * WIDE_PROBE_DISTINCT_PERCENT
    }

    /// Writes the dictionary page, then the data pages that waited for it.
    fn write_dictionary<W: Write>(
        &mut self,
        column: &Column,
        codec: Codec,
        meta: &mut ColumnChunkMeta,
        sink: &mut ChunkOutput<'_, W>,
    ) -> std::result::Result<(), ChunkError> {
        let dictionary = self.dictionary.as_ref().expect("dictionary-encoded chunk");
        let plain = dictionary.plain();
        let body: &[u8] = if codec == Codec::Uncompressed {
            plain
        } else {
            sink.compressors[0]
                .compress(codec, plain, &mut self.dictionary_page)
                .map_err(ChunkError::Input)?;
            &self.dictionary_page
        };
        check_page_size(column, plain.len(), body.len())?;
        let at = *sink.position;
        let kind = PageKind::Dictionary {
            entries: i32::try_from(dictionary.len()).unwrap_or(i32::MAX),
        };
        let (uncompressed, stored) = write_page(
            kind,
            plain.len(),
            body,
            sink.checksums,
            &mut self.header,
            &mut *sink.out,
        )?;
        meta.dictionary_page_offset = Some(at as i64);
        meta.total_uncompressed_size += uncompressed as i64;
        meta.total_compressed_size += stored as i64;
        *sink.position += stored as u64;
        sink.out.write_all(&self.pending).map_err(ChunkError::Io)?;
        let base = *sink.position as i64;
        for page in &mut self.pages {
            page.offset += base;
        }
        *sink.position += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    fn encode_page(
        &mut self,
        page: &mut Vec<u8>,
        column: &Column,
        input: &ColumnInput<'_>,
        span: PageSpan,
        encoding: Encoding,
    ) {
        page.clear();
        let entries = span.entry_start..span.entry_end;
        if column.repetition.max_rep_level() > 0 {
            let rep = input
                .rep_levels
                .expect("validated: repeated columns have levels");
            with_length_prefix(page, |out| encode_levels(&rep[entries.clone()], out));
        }
        if column.repetition.max_def_level() > 0 {
            match input.def_levels {
                Some(def) => {
                    with_length_prefix(page, |out| encode_levels(&def[entries.clone()], out))
                }
                None => with_length_prefix(page, |out| encode_level_run(entries.len(), 1, out)),
            }
        }
        let (v0, v1) = (span.value_start, span.value_end);
        let width = match column.physical {
            PhysicalType::FixedLenByteArray => column.type_length as usize,
            other => other.input_width().unwrap_or(0),
        };
        let byte_arrays = || {
            let offsets = input.offsets.expect("validated: byte arrays have offsets");
            ByteArrays::new(input.values, &offsets[v0..=v1], input.plain_encoded)
        };
        match (encoding, column.physical) {
            (Encoding::RleDictionary, _) => {
                let dictionary = self.dictionary.as_mut().expect("dictionary-encoded chunk");
                self.indices.clear();
                insert_values(dictionary, column, input, v0, v1, &mut self.indices);
                encode_dictionary_indices(&self.indices, dictionary.len(), page);
            }
            (Encoding::DeltaBinaryPacked, _) => {
                encode_delta_binary_packed(&input.values[v0 * width..v1 * width], width, page)
            }
            (Encoding::DeltaLengthByteArray, _) => {
                encode_delta_length_byte_array(&byte_arrays(), page)
            }
            (Encoding::DeltaByteArray, _) => encode_delta_byte_array(&byte_arrays(), page),
            (Encoding::ByteStreamSplit, _) => {
                encode_byte_stream_split(&input.values[v0 * width..v1 * width], width, page)
            }
            (Encoding::Plain, PhysicalType::Boolean) => pack_bits(&input.values[v0..v1], page),
            (Encoding::Plain, PhysicalType::ByteArray) => {
                let offsets = input.offsets.expect("validated: byte arrays have offsets");
                if input.plain_encoded {
                    page.extend_from_slice(
                        &input.values[offsets[v0] as usize..offsets[v1] as usize],
                    );
                } else {
                    encode_byte_arrays(input.values, &offsets[v0..=v1], page);
                }
            }
            (Encoding::Plain, _) => page.extend_from_slice(&input.values[v0 * width..v1 * width]),
        }
    }
}

/// About how many bytes a chunk's values take PLAIN, to split it between compression threads.
fn chunk_bytes(column: &Column, input: &ColumnInput<'_>, counts: ValidatedCounts) -> usize {
    match (column.physical, input.offsets) {
        (PhysicalType::ByteArray, Some(offsets)) => {
            let prefixes = if input.plain_encoded { 0 } else { 4 };
            (offsets[counts.values] - offsets[0]) as usize + prefixes * counts.values
        }
        _ => input.values.len(),
    }
}

/// Compresses the window's pages, one per compressor, at once (the first on this thread).
fn compress_window(
    codec: Codec,
    compressors: &mut [PageCompressor],
    window: &mut [WindowPage],
    input: &ColumnInput<'_>,
) -> Result<()> {
    if codec == Codec::Uncompressed {
        return Ok(());
    }
    let compress = |compressor: &mut PageCompressor, page: &mut WindowPage| {
        let WindowPage {
            bytes,
            direct,
            compressed,
            ..
        } = page;
        let encoded: &[u8] = match *direct {
            Some((start, end)) => &input.values[start..end],
            None => bytes,
        };
        compressor.compress(codec, encoded, compressed)
    };
    let (own, others) = compressors
        .split_first_mut()
        .expect("at least one compressor");
    if window.len() == 1 || others.is_empty() {
        return window.iter_mut().try_for_each(|page| compress(own, page));
    }
    // Each thread takes the next page until none is left: a slow page does not hold the others.
    let helpers = others.len().min(window.len() - 1);
    let pages = std::sync::Mutex::new(window.iter_mut());
    let next = || pages.lock().unwrap_or_else(|e| e.into_inner()).next();
    let drain = |compressor: &mut PageCompressor| -> Result<()> {
        while let Some(page) = next() {
            compress(compressor, page)?;
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = others[..helpers]
            .iter_mut()
            .map(|compressor| scope.spawn(|| drain(compressor)))
            .collect();
        let mut result = drain(own);
        for handle in handles {
            let joined = handle
                .join()
                .unwrap_or_else(|_| Err(Error::internal("a compression thread panicked")));
            result = result.and(joined);
        }
        result
    })
}

/// Inserts values `[v0, v1)` of a validated input into `dictionary`, appending their indices.
fn insert_values(
    dictionary: &mut Dictionary,
    column: &Column,
    input: &ColumnInput<'_>,
    v0: usize,
    v1: usize,
    indices: &mut Vec<u32>,
) {
    match dictionary.kind() {
        DictionaryKind::ByteArray => {
            let offsets = input.offsets.expect("validated: byte arrays have offsets");
            let values = ByteArrays::new(input.values, &offsets[v0..=v1], input.plain_encoded);
            dictionary.insert_byte_arrays(&values, indices);
        }
        DictionaryKind::Fixed(w) => {
            debug_assert!(column.physical != PhysicalType::ByteArray);
            dictionary.insert_fixed_values(&input.values[v0 * w..v1 * w], indices);
        }
    }
}

/// What a page is, for its header.
#[derive(Clone, Copy)]
enum PageKind<'a> {
    Data {
        values: i32,
        encoding: Encoding,
        statistics: Option<(&'a Column, SortOrder, &'a Statistics)>,
    },
    Dictionary {
        entries: i32,
    },
}

/// Pages are bounded by Parquet's i32 sizes.
fn check_page_size(
    column: &Column,
    encoded: usize,
    stored: usize,
) -> std::result::Result<(), ChunkError> {
    let too_big = |n: usize| i32::try_from(n).is_err();
    if too_big(encoded) || too_big(stored) {
        return Err(ChunkError::Input(Error::invalid(format!(
            "column '{}': a page would hold {encoded} bytes, over Parquet's 2 GiB page limit (one value too large?)",
            column.name
        ))));
    }
    Ok(())
}

/// Writes a page's header and its stored `body` (`encoded` bytes before compression) to `out`;
/// returns the uncompressed and the stored size, headers included.
fn write_page(
    kind: PageKind<'_>,
    encoded: usize,
    body: &[u8],
    checksums: bool,
    header: &mut Vec<u8>,
    out: &mut impl Write,
) -> std::result::Result<(usize, usize), ChunkError> {
    header.clear();
    let crc = checksums.then(|| page_crc(body));
    match kind {
        PageKind::Data {
            values,
            encoding,
            statistics,
        } => write_data_page_header(
            header,
            encoded as i32,
            body.len() as i32,
            values,
            encoding,
            crc,
            statistics,
        ),
        PageKind::Dictionary { entries } => {
            write_dictionary_page_header(header, encoded as i32, body.len() as i32, entries, crc)
        }
    }
    out.write_all(header).map_err(ChunkError::Io)?;
    out.write_all(body).map_err(ChunkError::Io)?;
    Ok((header.len() + encoded, header.len() + body.len()))
}

/// Why a chunk could not be written: bad input (the file is untouched) or an I/O failure.
pub enum ChunkError {
    Input(Error),
    Io(std::io::Error),
}

/// Runs `encode` and puts the 4-byte little-endian length of what it wrote in front.
fn with_length_prefix(page: &mut Vec<u8>, encode: impl FnOnce(&mut Vec<u8>)) {
    let at = page.len();
    page.extend_from_slice(&[0; 4]);
    encode(page);
    let len = (page.len() - at - 4) as u32;
    page[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// The next page after `prev`: as many entries as fit in `page_size` bytes (at least one row),
/// ending on a row boundary for repeated columns.
fn next_page(
    column: &Column,
    input: &ColumnInput<'_>,
    counts: ValidatedCounts,
    prev: PageSpan,
    page_size: usize,
) -> PageSpan {
    let (e0, v0) = (prev.entry_end, prev.value_end);
    let budget_bits = (page_size as u64).saturating_mul(8).max(8);
    let value_bits = |v: usize| -> u64 {
        match column.physical {
            PhysicalType::Boolean => 1,
            PhysicalType::ByteArray => {
                let o = input.offsets.expect("validated");
                let prefix = if input.plain_encoded { 0 } else { 4 };
                8 * (prefix + (o[v + 1] - o[v]) as u64)
            }
            PhysicalType::FixedLenByteArray => 8 * column.type_length as u64,
            other => 8 * other.input_width().expect("fixed-width") as u64,
        }
    };
    let Some(def) = input.def_levels else {
        // Entries and values coincide.
        let remaining = counts.values - v0;
        let take = match (column.physical, input.offsets) {
            (PhysicalType::ByteArray, Some(o)) => {
                // Largest n with 4n + bytes(v0, v0+n) <= page_size (PLAIN-encoded input has its
                // prefixes in the bytes already), found by bisection: the size grows with n.
                let prefixes = if input.plain_encoded { 0 } else { 4 };
                let fits =
                    |n: usize| prefixes * n as u64 + (o[v0 + n] - o[v0]) as u64 <= page_size as u64;
                let (mut lo, mut hi) = (1usize, remaining);
                while lo < hi {
                    let mid = lo + (hi - lo).div_ceil(2);
                    if fits(mid) {
                        lo = mid;
                    } else {
                        hi = mid - 1;
                    }
                }
                lo
            }
            _ => (budget_bits / value_bits(v0)).max(1) as usize,
        }
        .min(remaining)
        .min(i32::MAX as usize);
        return PageSpan {
            entry_start: e0,
            entry_end: e0 + take,
            value_start: v0,
            value_end: v0 + take,
        };
    };
    let rep = input.rep_levels;
    let level_bits_per_entry = 1 + rep.is_some() as u64;
    let (mut e, mut v, mut bits) = (e0, v0, 0u64);
    while e < counts.entries {
        if def[e] == 1 {
            bits += value_bits(v);
            v += 1;
        }
        e += 1;
        bits += level_bits_per_entry;
        let at_row_start = rep.is_none_or(|r| e == r.len() || r[e] == 0);
        if at_row_start && (bits >= budget_bits || e - e0 >= i32::MAX as usize / 2) {
            break;
        }
    }
    PageSpan {
        entry_start: e0,
        entry_end: e,
        value_start: v0,
        value_end: v,
    }
}

#[cfg(test)]
mod tests {
    use crate::parquet::{
        Codec, Column, ColumnInput, FileWriter, PhysicalType, Repetition, WriterOptions,
    };

    /// Values of 0..40 bytes, as Arrow-style bytes + offsets and as PLAIN + value starts.
    fn both_layouts(n: usize) -> (Vec<u8>, Vec<u32>, Vec<u8>, Vec<u32>) {
        let (mut raw, mut raw_offsets) = (Vec::new(), vec![0u32]);
        let (mut plain, mut plain_offsets) = (Vec::new(), vec![0u32]);
        for i in 0..n {
            let value: Vec<u8> = (0..i % 41).map(|j| (i * 7 + j) as u8).collect();
            raw.extend_from_slice(&value);
            raw_offsets.push(raw.len() as u32);
            plain.extend_from_slice(&(value.len() as u32).to_le_bytes());
            plain.extend_from_slice(&value);
            plain_offsets.push(plain.len() as u32);
        }
        (raw, raw_offsets, plain, plain_offsets)
    }

    #[test]
    fn plain_encoded_input_writes_the_same_file() {
        let dir = std::env::temp_dir().join(format!("pf-plain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (raw, raw_offsets, plain, plain_offsets) = both_layouts(5000);
        for (codec, page_size, repetition) in [
            (Codec::Uncompressed, 1 << 20, Repetition::Required),
            (Codec::Uncompressed, 700, Repetition::Required),
            (Codec::Gzip, 700, Repetition::Required),
            (Codec::Uncompressed, 700, Repetition::Optional),
        ] {
            let write = |name: &str, input: ColumnInput<'_>| {
                let path = dir.join(name);
                let options = WriterOptions {
                    codec,
                    data_page_size: page_size,
                    ..WriterOptions::default()
                };
                let column = Column::new("s", PhysicalType::ByteArray, repetition);
                let mut writer = FileWriter::create(&path, vec![column], options).unwrap();
                writer.write_row_group(5000, &[input]).unwrap();
                writer.close().unwrap();
                std::fs::read(&path).unwrap()
            };
            let from_raw = write(
                "raw.parquet",
                ColumnInput {
                    values: &raw,
                    offsets: Some(&raw_offsets),
                    ..Default::default()
                },
            );
            let from_plain = write(
                "plain.parquet",
                ColumnInput {
                    values: &plain,
                    offsets: Some(&plain_offsets),
                    plain_encoded: true,
                    ..Default::default()
                },
            );
            assert!(
                from_raw == from_plain,
                "{codec:?} {page_size} {repetition:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The footer's page index of column 0, row group 0: each OffsetIndex entry points at a page
    /// header whose stored size and row counts agree; the ColumnIndex has one entry per page.
    #[test]
    fn the_page_index_describes_every_page() {
        use crate::parquet::thrift::{CompactReader, Value};
        let dir = std::env::temp_dir().join(format!("pf-page-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, descending, boundary) in [("asc", false, 1), ("desc", true, 2)] {
            let path = dir.join(format!("{name}.parquet"));
            let n = 10_000usize;
            let values: Vec<u8> = (0..n as i64)
                .map(|i| if descending { -i } else { i })
                .flat_map(|v| v.to_le_bytes())
                .collect();
            let options = WriterOptions {
                data_page_size: 4096,
                ..WriterOptions::default()
            };
            let column = Column::new("v", PhysicalType::Int64, Repetition::Required);
            let mut writer = FileWriter::create(&path, vec![column], options).unwrap();
            writer
                .write_row_group(n, &[ColumnInput::new(&values)])
                .unwrap();
            writer.close().unwrap();
            let file = std::fs::read(&path).unwrap();
            let footer_len =
                u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap());
            let footer_at = file.len() - 8 - footer_len as usize;
            let meta = CompactReader::new(&file[footer_at..])
                .read_struct()
                .unwrap();
            let chunk = &meta.field(4).unwrap().list().unwrap()[0]
                .field(1)
                .unwrap()
                .list()
                .unwrap()[0];
            let range = |at: i16, len: i16| {
                let at = chunk.field(at).unwrap().int().unwrap() as usize;
                at..at + chunk.field(len).unwrap().int().unwrap() as usize
            };
            let offset_index = CompactReader::new(&file[range(4, 5)])
                .read_struct()
                .unwrap();
            let pages = offset_index.field(1).unwrap().list().unwrap();
            assert!(pages.len() > 10, "{} pages", pages.len());
            let mut rows = 0;
            for page in pages {
                let at = page.field(1).unwrap().int().unwrap() as usize;
                let mut reader = CompactReader::new(&file[at..]);
                let header = reader.read_struct().unwrap();
                let stored = reader.position() as i64 + header.field(3).unwrap().int().unwrap();
                assert_eq!(page.field(2).unwrap().int(), Some(stored));
                assert_eq!(page.field(3).unwrap().int(), Some(rows));
                rows += header.field(5).unwrap().field(1).unwrap().int().unwrap();
                // Page statistics in the header: null count 0, min and max of 8 bytes.
                let stats = header.field(5).unwrap().field(5).unwrap();
                assert_eq!(stats.field(3).unwrap().int(), Some(0));
                assert!(matches!(stats.field(5), Some(Value::Binary(r)) if r.len() == 8));
            }
            assert_eq!(rows, n as i64);
            let column_index = CompactReader::new(&file[range(6, 7)])
                .read_struct()
                .unwrap();
            for field in [1, 2, 3, 5] {
                assert_eq!(
                    column_index.field(field).unwrap().list().unwrap().len(),
                    pages.len()
                );
            }
            assert_eq!(
                column_index.field(4).unwrap().int(),
                Some(boundary),
                "{name}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn plain_encoded_input_with_wrong_prefixes_is_refused() {
        let dir = std::env::temp_dir().join(format!("pf-plain-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (_, _, mut plain, offsets) = both_layouts(10);
        plain[offsets[3] as usize] ^= 1; // value 3's length prefix
        let column = Column::new("s", PhysicalType::ByteArray, Repetition::Required);
        let mut writer = FileWriter::create(
            dir.join("x.parquet"),
            vec![column],
            WriterOptions::default(),
        )
        .unwrap();
        let input = ColumnInput {
            values: &plain,
            offsets: Some(&offsets),
            plain_encoded: true,
            ..Default::default()
        };
        let err = writer.write_row_group(10, &[input]).unwrap_err();
        assert!(err.message.contains("PLAIN-encoded value 3"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
