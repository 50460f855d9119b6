//! Page compression. GZIP pages are complete gzip members (RFC 1952: header, deflate stream
//! ended with a final block, CRC-32 and size trailer), which is what Parquet's GZIP codec means
//! and what pyarrow, DuckDB and Spark expect.

use flate2::{Compress, Compression, FlushCompress, Status};

use crate::error::{Error, Result};

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
    }
}
