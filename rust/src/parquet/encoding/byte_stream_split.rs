//! BYTE_STREAM_SPLIT (encodings.md): K streams of N bytes for N values of K bytes, stream `b`
//! holding byte `b` of every value. Supported for FLOAT, DOUBLE, INT32, INT64 and
//! FIXED_LEN_BYTE_ARRAY.

/// Values handled per step of the 4- and 8-byte transposes.
const TILE: usize = 16;

/// Appends the BYTE_STREAM_SPLIT encoding of `values_le` (values of `width` bytes back to back,
/// little-endian as PLAIN stores them): `width` streams, stream `b` holding byte `b` of every
/// value in order, the streams concatenated from stream 0. The output is exactly as long as the
/// input; there is no header or padding. Panics if `width` is 0 or the bytes are not whole
/// values.
pub fn encode_byte_stream_split(values_le: &[u8], width: usize, out: &mut Vec<u8>) {
    assert!(
        width != 0 && values_le.len().is_multiple_of(width),
        "{} bytes are not whole {width}-byte values",
        values_le.len()
    );
    let n = values_le.len() / width;
    if n == 0 {
        return;
    }
    let start = out.len();
    out.resize(start + values_le.len(), 0);
    let streams = &mut out[start..];
    match width {
        4 => split_4(values_le, streams, n),
        8 => split_8(values_le, streams, n),
        _ => split_any(values_le, width, streams, n),
    }
}

/// Defines a fixed-width transpose: `TILE` values at a time into a `[[u8; TILE]; W]` tile (all
/// indices constant-bounded, so the compiler unrolls and vectorizes it), each row copied into its
/// stream.
macro_rules! split_fixed {
    ($name:ident, $w:literal) => {
        fn $name(src: &[u8], dst: &mut [u8], n: usize) {
            const W: usize = $w;
            let mut rows = dst.chunks_exact_mut(n);
            let mut streams: [&mut [u8]; W] =
                std::array::from_fn(|_| rows.next().expect("W streams of n bytes"));
            let tiles = src.chunks_exact(W * TILE);
            let rest = tiles.remainder();
            for (t, tile) in tiles.enumerate() {
                let tile: &[u8; W * TILE] = tile.try_into().expect("whole tiles");
                let mut rows = [[0u8; TILE]; W];
                for k in 0..TILE {
                    for b in 0..W {
                        rows[b][k] = tile[k * W + b];
                    }
                }
                let at = t * TILE;
                for (stream, row) in streams.iter_mut().zip(&rows) {
                    stream[at..at + TILE].copy_from_slice(row);
                }
            }
            let done = n - rest.len() / W;
            for (k, value) in rest.chunks_exact(W).enumerate() {
                for (stream, &byte) in streams.iter_mut().zip(value) {
                    stream[done + k] = byte;
                }
            }
        }
    };
}

split_fixed!(split_4, 4);
split_fixed!(split_8, 8);

/// Any width: one pass over the values per stream.
fn split_any(src: &[u8], width: usize, dst: &mut [u8], n: usize) {
    for (b, stream) in dst.chunks_exact_mut(n).enumerate() {
        for (byte, value) in stream.iter_mut().zip(src.chunks_exact(width)) {
            *byte = value[b];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::encoding::delta::tests::Rng;

    /// The decoding of encodings.md: value `i`'s byte `b` is stream `b`'s byte `i`.
    fn decode(data: &[u8], width: usize) -> Vec<u8> {
        let n = data.len() / width;
        let mut out = vec![0u8; data.len()];
        for i in 0..n {
            for b in 0..width {
                out[i * width + b] = data[b * n + i];
            }
        }
        out
    }

    #[test]
    fn spec_example() {
        let floats = [
            0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6,
        ];
        let mut out = vec![0x42]; // appends after what is there
        encode_byte_stream_split(&floats, 4, &mut out);
        assert_eq!(
            out,
            [0x42, 0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6]
        );
    }

    #[test]
    fn every_width_and_length_round_trips() {
        let mut rng = Rng::new(9);
        for width in 1..=17 {
            for n in [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4099] {
                let values: Vec<u8> = (0..n * width).map(|_| rng.next() as u8).collect();
                let mut out = Vec::new();
                encode_byte_stream_split(&values, width, &mut out);
                assert_eq!(out.len(), values.len());
                assert_eq!(decode(&out, width), values, "width {width}, {n} values");
                // The fixed-width fast paths agree with the general one.
                let mut general = vec![0u8; values.len()];
                if n > 0 {
                    split_any(&values, width, &mut general, n);
                }
                assert_eq!(out, general);
            }
        }
    }

    #[test]
    fn doubles_split_into_byte_planes() {
        let values = [1.0f64, -2.5, f64::NAN, 0.0];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut out = Vec::new();
        encode_byte_stream_split(&le, 8, &mut out);
        // Stream 7 holds the sign-and-exponent bytes.
        let top: Vec<u8> = values.iter().map(|v| v.to_le_bytes()[7]).collect();
        assert_eq!(out[28..], top[..]);
    }

    #[test]
    #[should_panic(expected = "not whole 4-byte values")]
    fn partial_values_are_refused() {
        encode_byte_stream_split(&[0; 6], 4, &mut Vec::new());
    }

    #[test]
    #[ignore = "timing; run in release with --nocapture"]
    fn throughput() {
        use crate::parquet::encoding::delta::tests::report_throughput;
        const N: usize = 1_000_000;
        let mut rng = Rng::new(12);
        let mut out = Vec::with_capacity(16 * N);
        for width in [4usize, 8, 2, 16] {
            let values: Vec<u8> = (0..N * width).map(|_| rng.next() as u8).collect();
            report_throughput(
                &format!("BYTE_STREAM_SPLIT width {width}"),
                values.len(),
                || {
                    out.clear();
                    encode_byte_stream_split(&values, width, &mut out);
                    out.len()
                },
            );
        }
    }
}
