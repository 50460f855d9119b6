//! Page compression, one place per codec. Every codec keeps the rule that a page which does not
//! shrink is stored: in the codec's own stored form (deflate stored blocks for GZIP, raw blocks
//! for ZSTD, which libzstd picks itself, a literal-only block for LZ4_RAW and SNAPPY), so an
//! incompressible payload costs a few bytes per page, never a few percent.
//!
//! - GZIP pages are complete gzip members (RFC 1952: header, deflate stream ended with a final
//!   block, CRC-32 and size trailer), which is what Parquet's GZIP codec means and what pyarrow,
//!   DuckDB and Spark expect.
//! - ZSTD pages are one zstd frame (libzstd, through the `zstd` crate).
//! - LZ4_RAW pages are one LZ4 block without framing (`lz4_flex`); not the deprecated LZ4.
//! - SNAPPY pages are raw snappy (not the framing format), as Parquet specifies (`snap`).

use flate2::{Compress, Compression, FlushCompress, Status};

use super::metadata::Codec;
use crate::error::{Error, Result};

/// Default ZSTD level: level 1, as Arrow's writers default to, keeps capture throughput; 3
/// (zstd's own default) trades about a third of the speed for a few percent of size.
pub const DEFAULT_ZSTD_LEVEL: i32 = 1;

/// The compressors a file's columns need, each created once and reused across pages.
pub struct PageCompressor {
    gzip: Option<GzipCompressor>,
    zstd: Option<zstd::bulk::Compressor<'static>>,
    snappy: snap::raw::Encoder,
}

impl PageCompressor {
    /// Checks the levels and prepares a compressor for every codec in `codecs`.
    pub fn new(codecs: &[Codec], gzip_level: u32, zstd_level: i32) -> Result<Self> {
        let gzip = if codecs.contains(&Codec::Gzip) {
            Some(GzipCompressor::new(gzip_level)?)
        } else {
            None
        };
        let zstd_levels = zstd::compression_level_range();
        if !zstd_levels.contains(&zstd_level) {
            return Err(Error::invalid(format!(
                "zstd level must be between {} and {}, got {zstd_level}",
                zstd_levels.start(),
                zstd_levels.end()
            )));
        }
        let zstd = if codecs.contains(&Codec::Zstd) {
            Some(zstd::bulk::Compressor::new(zstd_level).map_err(|e| {
                Error::internal(format!("cannot set up zstd at level {zstd_level}: {e}"))
            })?)
        } else {
            None
        };
        Ok(PageCompressor {
            gzip,
            zstd,
            snappy: snap::raw::Encoder::new(),
        })
    }

    /// Replaces `out` with `input` compressed by `codec` (never for `Uncompressed`: the caller
    /// writes the page as it is).
    pub fn compress(&mut self, codec: Codec, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        match codec {
            Codec::Uncompressed => {
                out.clear();
                out.extend_from_slice(input);
                Ok(())
            }
            Codec::Gzip => self
                .gzip
                .as_mut()
                .ok_or_else(|| Error::internal("no gzip compressor for a GZIP column"))?
                .compress(input, out),
            Codec::Zstd => {
                let zstd = self
                    .zstd
                    .as_mut()
                    .ok_or_else(|| Error::internal("no zstd compressor for a ZSTD column"))?;
                out.clear();
                out.reserve(zstd::zstd_safe::compress_bound(input.len()));
                zstd.compress_to_buffer(input, out)
                    .map_err(|e| Error::internal(format!("zstd compression failed: {e}")))?;
                Ok(())
            }
            Codec::Lz4Raw => {
                out.clear();
                out.resize(lz4_flex::block::get_maximum_output_size(input.len()), 0);
                let n = lz4_flex::block::compress_into(input, out)
                    .map_err(|e| Error::internal(format!("lz4 compression failed: {e}")))?;
                out.truncate(n);
                if n > lz4_stored_size(input.len()) {
                    lz4_stored(input, out);
                }
                Ok(())
            }
            Codec::Snappy => {
                out.clear();
                out.resize(snap::raw::max_compress_len(input.len()), 0);
                let n = self
                    .snappy
                    .compress(input, out)
                    .map_err(|e| Error::internal(format!("snappy compression failed: {e}")))?;
                out.truncate(n);
                if n > snappy_stored_size(input.len()) {
                    snappy_stored(input, out);
                }
                Ok(())
            }
        }
    }
}

/// Size of an LZ4 block holding `len` bytes as one run of literals.
fn lz4_stored_size(len: usize) -> usize {
    1 + if len >= 15 { (len - 15) / 255 + 1 } else { 0 } + len
}

/// An LZ4 block of one sequence with only literals: a token (literal length, no match), the
/// length's continuation bytes, the bytes. The format ends every block with such a sequence.
fn lz4_stored(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let len = input.len();
    if len < 15 {
        out.push((len as u8) << 4);
    } else {
        out.push(0xF0);
        let mut rest = len - 15;
        while rest >= 255 {
            out.push(255);
            rest -= 255;
        }
        out.push(rest as u8);
    }
    out.extend_from_slice(input);
}

/// Raw snappy literals are stored in pieces of at most this many bytes (a 2-byte length).
const SNAPPY_LITERAL: usize = 1 << 16;

/// Size of raw snappy holding `len` bytes as literals.
fn snappy_stored_size(len: usize) -> usize {
    varint_len(len as u64) + 3 * len.div_ceil(SNAPPY_LITERAL) + len
}

fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Raw snappy of `input` as literal elements only: the uncompressed length as a varint, then
/// per piece a tag (60 + 1 = two length bytes follow), length - 1 little-endian, the bytes.
fn snappy_stored(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut v = input.len() as u64;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    for piece in input.chunks(SNAPPY_LITERAL) {
        let n = piece.len() - 1;
        out.push(61 << 2);
        out.extend_from_slice(&(n as u16).to_le_bytes());
        out.extend_from_slice(piece);
    }
}

/// Default GZIP level. Capture favours throughput; level 1 keeps most of the ratio of higher
/// levels on repetitive market data at a fraction of their CPU.
pub const DEFAULT_GZIP_LEVEL: u32 = 1;

/// A reusable gzip compressor: deflate states kept across pages, reset per page.
pub struct GzipCompressor {
    state: Compress,
    /// Level 0 (stored blocks), for pages the real level would make larger: fast deflate levels
    /// expand incompressible data by several percent.
    store: Compress,
}

impl GzipCompressor {
    pub fn new(level: u32) -> Result<Self> {
        if level > 9 {
            return Err(Error::invalid(format!(
                "gzip level must be between 0 and 9, got {level}"
            )));
        }
        // 15 bits: the full 32 KiB window, as `gzip` itself uses.
        Ok(GzipCompressor {
            state: Compress::new_gzip(Compression::new(level), 15),
            store: Compress::new_gzip(Compression::none(), 15),
        })
    }

    /// Replaces `out`'s contents with the gzip member of `input`: deflated at the configured
    /// level, or stored when deflating would not make it smaller. A page whose first
    /// `PROBE_BYTES` do not shrink by `PROBE_MIN_SAVING` is stored without deflating the rest:
    /// incompressible payloads (encrypted, already compressed, random) then cost a copy and a
    /// CRC instead of a full deflate pass.
    pub fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if input.len() > 2 * PROBE_BYTES {
            deflate_all(&mut self.state, &input[..PROBE_BYTES], out)?;
            let probe_payload = out.len().saturating_sub(GZIP_FRAMING);
            if probe_payload as f64 > PROBE_BYTES as f64 * (1.0 - PROBE_MIN_SAVING) {
                return deflate_all(&mut self.store, input, out);
            }
        }
        deflate_all(&mut self.state, input, out)?;
        if out.len() > stored_size(input.len()) {
            deflate_all(&mut self.store, input, out)?;
        }
        Ok(())
    }
}

/// How much of a page is deflated first to judge whether the page compresses at all.
const PROBE_BYTES: usize = 16 << 10;
/// A probe that saves less than this fraction means "store the page".
const PROBE_MIN_SAVING: f64 = 0.03;
/// gzip header (10 bytes) and trailer (8 bytes).
const GZIP_FRAMING: usize = 18;

/// Size of a gzip member holding `len` bytes in stored blocks: 18 bytes of gzip framing and
/// 5 bytes per block of at most 65,535 bytes.
fn stored_size(len: usize) -> usize {
    18 + 5 * len.div_ceil(65_535).max(1) + len
}

fn deflate_all(state: &mut Compress, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
    state.reset();
    out.clear();
    out.reserve(stored_size(input.len()) + 64);
    let mut consumed = 0usize;
    loop {
        let before_in = state.total_in();
        let status = state
            .compress_vec(&input[consumed..], out, FlushCompress::Finish)
            .map_err(|e| Error::internal(format!("gzip compression failed: {e}")))?;
        consumed += (state.total_in() - before_in) as usize;
        match status {
            Status::StreamEnd => return Ok(()),
            Status::Ok | Status::BufError => out.reserve(out.capacity().max(4096)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(member: &[u8]) -> Vec<u8> {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(member)
            .read_to_end(&mut decoded)
            .unwrap();
        decoded
    }

    #[test]
    fn pages_are_complete_gzip_members() {
        let mut gz = GzipCompressor::new(6).unwrap();
        let mut out = Vec::new();
        for input in [&b""[..], b"hello hello hello hello", &[7u8; 100_000][..]] {
            gz.compress(input, &mut out).unwrap();
            assert_eq!(gunzip(&out), input);
        }
    }

    #[test]
    fn incompressible_input_grows_little() {
        let mut state = 1u64;
        let input: Vec<u8> = (0..1_000_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 56) as u8
            })
            .collect();
        let mut gz = GzipCompressor::new(1).unwrap();
        let mut out = Vec::new();
        gz.compress(&input, &mut out).unwrap();
        assert!(
            out.len() <= stored_size(input.len()),
            "{} -> {}",
            input.len(),
            out.len()
        );
        assert_eq!(gunzip(&out), input);
    }

    #[test]
    fn compressible_pages_still_compress_after_the_probe() {
        let input: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i / 7).to_le_bytes())
            .collect();
        let mut gz = GzipCompressor::new(1).unwrap();
        let mut out = Vec::new();
        gz.compress(&input, &mut out).unwrap();
        assert!(
            out.len() < input.len() / 2,
            "{} -> {}",
            input.len(),
            out.len()
        );
        assert_eq!(gunzip(&out), input);
    }

    #[test]
    fn rejects_out_of_range_levels() {
        assert!(GzipCompressor::new(10).is_err());
        assert!(PageCompressor::new(&[Codec::Zstd], 1, 23).is_err());
        assert!(PageCompressor::new(&[Codec::Zstd], 1, 3).is_ok());
    }

    fn decompress(codec: Codec, page: &[u8], len: usize) -> Vec<u8> {
        match codec {
            Codec::Uncompressed => page.to_vec(),
            Codec::Gzip => gunzip(page),
            Codec::Zstd => zstd::bulk::decompress(page, len).unwrap(),
            Codec::Lz4Raw => lz4_flex::block::decompress(page, len).unwrap(),
            Codec::Snappy => snap::raw::Decoder::new().decompress_vec(page).unwrap(),
        }
    }

    /// Every codec round-trips empty, tiny, compressible and incompressible pages, and never
    /// grows an incompressible page beyond its stored form.
    #[test]
    fn every_codec_round_trips_and_stores_what_does_not_shrink() {
        let mut state = 7u64;
        let random: Vec<u8> = (0..300_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 56) as u8
            })
            .collect();
        let repetitive: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i / 9).to_le_bytes())
            .collect();
        let codecs = [
            Codec::Uncompressed,
            Codec::Gzip,
            Codec::Zstd,
            Codec::Lz4Raw,
            Codec::Snappy,
        ];
        let mut c = PageCompressor::new(&codecs, 1, 1).unwrap();
        let mut out = Vec::new();
        for codec in codecs {
            for input in [&b""[..], b"x", b"hello hello hello", &repetitive, &random] {
                c.compress(codec, input, &mut out).unwrap();
                assert_eq!(decompress(codec, &out, input.len()), input, "{codec:?}");
            }
            c.compress(codec, &repetitive, &mut out).unwrap();
            if codec != Codec::Uncompressed {
                assert!(out.len() < repetitive.len() / 3, "{codec:?}: {}", out.len());
            }
            c.compress(codec, &random, &mut out).unwrap();
            let n = random.len();
            // Each codec's stored form: zstd raw blocks cost 3 bytes per 128 KiB and a header.
            let limit = match codec {
                Codec::Uncompressed => n,
                Codec::Gzip => stored_size(n),
                Codec::Zstd => n + 3 * n.div_ceil(128 << 10) + 32,
                Codec::Lz4Raw => lz4_stored_size(n),
                Codec::Snappy => snappy_stored_size(n),
            };
            assert!(out.len() <= limit, "{codec:?}: {n} -> {}", out.len());
        }
        // The stored forms on their own decode with the reference decoders.
        for input in [&b""[..], b"short", &random[..70_000], &random] {
            lz4_stored(input, &mut out);
            assert_eq!(out.len(), lz4_stored_size(input.len()));
            assert_eq!(decompress(Codec::Lz4Raw, &out, input.len()), input);
            snappy_stored(input, &mut out);
            assert_eq!(out.len(), snappy_stored_size(input.len()));
            assert_eq!(decompress(Codec::Snappy, &out, input.len()), input);
        }
    }
}
