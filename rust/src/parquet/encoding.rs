//! PLAIN value encoding and the RLE/bit-packed hybrid encoding of levels (Parquet encodings.md).
//!
//! Inputs are validated before they get here: levels are 0 or 1, booleans are 0 or 1, offsets are
//! monotonic and in range. The encoders therefore never fail and never branch per value on
//! validity.

#[cfg(target_endian = "big")]
compile_error!("parquet_flow copies fixed-width values as little-endian bytes; big-endian hosts are not supported");

pub mod byte_arrays;
pub mod byte_stream_split;
pub mod delta;
pub mod dictionary;

pub use byte_arrays::ByteArrays;

/// Packs eight 0/1 bytes into one byte, first value in the least significant bit.
#[inline]
fn pack8(bytes: &[u8]) -> u8 {
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    // Each byte holds 0 or 1 in bit 8k; the multiplication moves bit 8k to bit 56 + k, and no two
    // partial products overlap, so the top byte is the packed result.
    ((u64::from_le_bytes(word).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u8
}

/// Bit-packs 0/1 bytes LSB-first (PLAIN BOOLEAN, and the bit-packed runs of width-1 levels),
/// zero-padding the last byte.
pub fn pack_bits(values: &[u8], out: &mut Vec<u8>) {
    out.reserve(values.len().div_ceil(8));
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        out.push(pack8(chunk));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        out.push(pack8(rest));
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A run this long or longer is cheaper as an RLE run than bit-packed.
const MIN_RLE_RUN: usize = 16;

fn has_run_at(levels: &[u8], at: usize) -> bool {
    let end = at + MIN_RLE_RUN;
    end <= levels.len() && levels[at + 1..end].iter().all(|&l| l == levels[at])
}

/// Encodes levels of bit width 1 (max level 1, all this writer produces) in the RLE/bit-packed
/// hybrid, without the 4-byte length prefix. Long runs become RLE runs, the rest bit-packed groups
/// of eight; a bit-packed run may only be padded at the very end, where the page's value count
/// tells readers where to stop.
pub fn encode_levels(levels: &[u8], out: &mut Vec<u8>) {
    let n = levels.len();
    let mut i = 0;
    while i < n {
        if has_run_at(levels, i) {
            let value = levels[i];
            let run = levels[i..].iter().take_while(|&&l| l == value).count();
            push_varint(out, (run as u64) << 1);
            out.push(value);
            i += run;
        } else {
            let mut end = i;
            loop {
                end += 8;
                if end >= n || has_run_at(levels, end) {
                    break;
                }
            }
            let end = end.min(n);
            let groups = (end - i).div_ceil(8);
            push_varint(out, ((groups as u64) << 1) | 1);
            pack_bits(&levels[i..end], out);
            i = end;
        }
    }
}

/// Encodes `values` of `bit_width` bits (0 to 32; every value must fit) in the RLE/bit-packed
/// hybrid of encodings.md, without a length prefix: runs of at least `MIN_RLE_RUN` equal values
/// as RLE runs (the value in ceil(bit_width / 8) little-endian bytes), the rest as bit-packed
/// groups of eight, LSB first, only the last group padded. This is the general form that
/// dictionary indices need; `encode_levels` is its fast path for width 1.
pub fn encode_rle_hybrid(values: &[u32], bit_width: u8, out: &mut Vec<u8>) {
    debug_assert!(bit_width <= 32);
    debug_assert!(
        bit_width == 32 || values.iter().all(|&v| u64::from(v) < 1u64 << bit_width),
        "a value does not fit {bit_width} bits"
    );
    let value_bytes = usize::from(bit_width).div_ceil(8);
    let run_at = |at: usize| {
        let end = at + MIN_RLE_RUN;
        end <= values.len() && values[at + 1..end].iter().all(|&v| v == values[at])
    };
    let n = values.len();
    let mut i = 0;
    while i < n {
        if run_at(i) {
            let value = values[i];
            let run = values[i..].iter().take_while(|&&v| v == value).count();
            push_varint(out, (run as u64) << 1);
            out.extend_from_slice(&value.to_le_bytes()[..value_bytes]);
            i += run;
        } else {
            let mut end = i;
            loop {
                end += 8;
                if end >= n || run_at(end) {
                    break;
                }
            }
            let end = end.min(n);
            let groups = (end - i).div_ceil(8);
            push_varint(out, ((groups as u64) << 1) | 1);
            pack_width(&values[i..end], groups * 8, bit_width, out);
            i = end;
        }
    }
}

/// Bit-packs `values` at `bit_width` bits each, LSB first, as `count` values (zeros after the
/// given ones), appending count * bit_width / 8 bytes.
fn pack_width(values: &[u32], count: usize, bit_width: u8, out: &mut Vec<u8>) {
    let width = u32::from(bit_width);
    let mut acc: u64 = 0;
    let mut bits = 0u32;
    for k in 0..count {
        let v = values.get(k).copied().unwrap_or(0);
        acc |= u64::from(v) << bits;
        bits += width;
        while bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    debug_assert_eq!(bits, 0, "groups of eight values always fill whole bytes");
}

/// Appends a run of `count` identical levels (e.g. an OPTIONAL column written without levels:
/// every value defined).
pub fn encode_level_run(count: usize, value: u8, out: &mut Vec<u8>) {
    if count > 0 {
        push_varint(out, (count as u64) << 1);
        out.push(value);
    }
}

/// PLAIN BYTE_ARRAY: each value as a little-endian u32 length and its bytes.
/// `offsets` has one more entry than there are values; `values` is indexed by them.
pub fn encode_byte_arrays(values: &[u8], offsets: &[u32], out: &mut Vec<u8>) {
    let first = offsets[0] as usize;
    let last = offsets[offsets.len() - 1] as usize;
    out.reserve(4 * (offsets.len() - 1) + (last - first));
    for pair in offsets.windows(2) {
        let (start, end) = (pair[0] as usize, pair[1] as usize);
        out.extend_from_slice(&(pair[1] - pair[0]).to_le_bytes());
        out.extend_from_slice(&values[start..end]);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A reference decoder of the hybrid encoding (width 1), to check the encoder against.
    fn decode_levels(mut data: &[u8], count: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < count {
            let mut header = 0u64;
            let mut shift = 0;
            loop {
                let b = data[0];
                data = &data[1..];
                header |= ((b & 0x7F) as u64) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if header & 1 == 1 {
                let groups = (header >> 1) as usize;
                for &byte in &data[..groups] {
                    for bit in 0..8 {
                        out.push((byte >> bit) & 1);
                    }
                }
                data = &data[groups..];
            } else {
                let run = (header >> 1) as usize;
                out.extend(std::iter::repeat_n(data[0], run));
                data = &data[1..];
            }
        }
        out.truncate(count);
        out
    }

    #[test]
    fn pack_bits_is_lsb_first() {
        let mut out = Vec::new();
        pack_bits(&[1, 0, 0, 0, 0, 0, 0, 1, 1, 1], &mut out);
        assert_eq!(out, vec![0b1000_0001, 0b0000_0011]);
    }

    #[test]
    fn levels_round_trip_for_many_shapes() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            (state >> 33) as u32
        };
        let mut shapes: Vec<Vec<u8>> = vec![
            vec![],
            vec![1],
            vec![0; 1000],
            (0..1000).map(|i| (i % 8 != 0) as u8).collect(),
            (0..37).map(|i| (i % 2) as u8).collect(),
        ];
        for _ in 0..200 {
            let len = (next() % 300) as usize;
            let density = next() % 4;
            shapes.push(
                (0..len)
                    .map(|_| match density {
                        0 => (next() % 2) as u8,
                        1 => (next() % 50 != 0) as u8,
                        2 => (next() % 50 == 0) as u8,
                        _ => ((next() % 200) < 100) as u8,
                    })
                    .collect(),
            );
        }
        for levels in shapes {
            let mut out = Vec::new();
            encode_levels(&levels, &mut out);
            assert_eq!(decode_levels(&out, levels.len()), levels);
        }
    }

    #[test]
    fn long_runs_become_rle() {
        let mut out = Vec::new();
        encode_levels(&[1; 1000], &mut out);
        assert_eq!(out, vec![0xD0, 0x0F, 1]); // varint(2000), value
    }

    #[test]
    fn byte_arrays_are_length_prefixed() {
        let mut out = Vec::new();
        encode_byte_arrays(b"abxyz", &[0, 2, 2, 5], &mut out);
        assert_eq!(out, b"\x02\0\0\0ab\0\0\0\0\x03\0\0\0xyz");
    }

    /// A reader written from encodings.md, independent of the encoder: decodes `count` values.
    pub(crate) fn decode_rle_hybrid(data: &[u8], bit_width: u8, count: usize) -> Vec<u32> {
        let value_bytes = usize::from(bit_width).div_ceil(8);
        let mut out = Vec::new();
        let mut at = 0;
        while out.len() < count {
            let mut header = 0u64;
            let mut shift = 0;
            loop {
                let b = data[at];
                at += 1;
                header |= u64::from(b & 0x7F) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if header & 1 == 0 {
                let run = (header >> 1) as usize;
                let mut v = [0u8; 4];
                v[..value_bytes].copy_from_slice(&data[at..at + value_bytes]);
                at += value_bytes;
                out.extend(std::iter::repeat_n(u32::from_le_bytes(v), run));
            } else {
                let n = (header >> 1) as usize * 8;
                let bytes = n * usize::from(bit_width) / 8;
                let packed = &data[at..at + bytes];
                at += bytes;
                for k in 0..n {
                    let mut v = 0u64;
                    for b in 0..usize::from(bit_width) {
                        let bit = k * usize::from(bit_width) + b;
                        v |= u64::from((packed[bit / 8] >> (bit % 8)) & 1) << b;
                    }
                    out.push(v as u32);
                }
            }
        }
        assert_eq!(at, data.len(), "trailing bytes");
        out.truncate(count);
        out
    }

    #[test]
    fn the_hybrid_encoding_round_trips_at_every_bit_width() {
        let mut state = 99u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 11
        };
        for bit_width in 0..=32u8 {
            let max = if bit_width == 32 {
                u64::from(u32::MAX)
            } else {
                (1u64 << bit_width) - 1
            };
            for case in 0..40 {
                let len = (next() % 300) as usize + usize::from(case == 0) * 1000;
                let mut values = Vec::with_capacity(len);
                while values.len() < len {
                    let v = (next() % (max + 1)) as u32;
                    // Runs of many lengths, and stretches of changing values.
                    let repeat = if next() % 3 == 0 {
                        (next() % 40) as usize + 1
                    } else {
                        1
                    };
                    values.extend(std::iter::repeat_n(v, repeat.min(len - values.len())));
                }
                let mut out = Vec::new();
                encode_rle_hybrid(&values, bit_width, &mut out);
                assert_eq!(
                    decode_rle_hybrid(&out, bit_width, values.len()),
                    values,
                    "width {bit_width}, case {case}"
                );
            }
        }
    }

    #[test]
    fn width_one_matches_the_level_encoder() {
        let levels: Vec<u8> = (0..1000)
            .map(|i| u8::from(i % 7 == 0 || (300..400).contains(&i)))
            .collect();
        let values: Vec<u32> = levels.iter().map(|&l| u32::from(l)).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode_levels(&levels, &mut a);
        encode_rle_hybrid(&values, 1, &mut b);
        assert_eq!(a, b);
    }
}
