//! The delta encodings of encodings.md: DELTA_BINARY_PACKED (INT32, INT64),
//! DELTA_LENGTH_BYTE_ARRAY (BYTE_ARRAY) and DELTA_BYTE_ARRAY (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY).
//!
//! DELTA_BINARY_PACKED is written with blocks of 128 values in 4 miniblocks of 32, the shape
//! parquet-java and arrow write. Deltas are taken in the column's own width with wrapping
//! (two's complement) arithmetic, as the format requires: an INT32 column's deltas and min delta
//! are 32-bit, so no miniblock is ever wider than 32 bits and readers that decode in 32 bits
//! restore values near `i32::MIN` / `i32::MAX` exactly.

use super::ByteArrays;

/// Values per block.
const BLOCK_SIZE: usize = 128;
/// Miniblocks per block.
const MINIBLOCKS: usize = 4;
/// Values per miniblock.
const MINIBLOCK_SIZE: usize = BLOCK_SIZE / MINIBLOCKS;

fn push_uleb128(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// An integer type DELTA_BINARY_PACKED can encode, with its arithmetic in its own width.
trait DeltaInt: Copy + Ord + Default {
    /// The unsigned type of the same width, holding deltas minus the min delta.
    type Unsigned: Copy + Default + std::ops::BitOr<Output = Self::Unsigned>;
    fn wrapping_sub(self, other: Self) -> Self;
    /// `self - min` in wrapping arithmetic, as unsigned (never negative when `min <= self`).
    fn relative_to(self, min: Self) -> Self::Unsigned;
    /// The zigzag mapping of the value to an unsigned integer of the same width.
    fn zigzag(self) -> u64;
    /// Bits needed for `v`.
    fn bit_width(v: Self::Unsigned) -> u32;
    /// Bit-packs one miniblock of 32 values at `width` bits (1 to the type's width), LSB first:
    /// exactly `4 * width` bytes.
    fn pack_miniblock(values: &[Self::Unsigned; MINIBLOCK_SIZE], width: u32, out: &mut Vec<u8>);
}

impl DeltaInt for i32 {
    type Unsigned = u32;
    #[inline]
    fn wrapping_sub(self, other: Self) -> Self {
        i32::wrapping_sub(self, other)
    }
    #[inline]
    fn relative_to(self, min: Self) -> u32 {
        (self as u32).wrapping_sub(min as u32)
    }
    #[inline]
    fn zigzag(self) -> u64 {
        u64::from(((self << 1) ^ (self >> 31)) as u32)
    }
    #[inline]
    fn bit_width(v: u32) -> u32 {
        u32::BITS - v.leading_zeros()
    }
    #[inline]
    fn pack_miniblock(values: &[u32; MINIBLOCK_SIZE], width: u32, out: &mut Vec<u8>) {
        // 32 values of `width` bits are exactly `width` 32-bit words.
        let mut packed = [0u8; 4 * 32];
        let mut at = 0;
        let mut acc = 0u64;
        let mut bits = 0;
        for &v in values {
            acc |= u64::from(v) << bits;
            bits += width;
            if bits >= 32 {
                packed[at..at + 4].copy_from_slice(&(acc as u32).to_le_bytes());
                at += 4;
                acc >>= 32;
                bits -= 32;
            }
        }
        debug_assert_eq!((at, bits), (4 * width as usize, 0));
        out.extend_from_slice(&packed[..at]);
    }
}

impl DeltaInt for i64 {
    type Unsigned = u64;
    #[inline]
    fn wrapping_sub(self, other: Self) -> Self {
        i64::wrapping_sub(self, other)
    }
    #[inline]
    fn relative_to(self, min: Self) -> u64 {
        (self as u64).wrapping_sub(min as u64)
    }
    #[inline]
    fn zigzag(self) -> u64 {
        ((self << 1) ^ (self >> 63)) as u64
    }
    #[inline]
    fn bit_width(v: u64) -> u32 {
        u64::BITS - v.leading_zeros()
    }
    #[inline]
    fn pack_miniblock(values: &[u64; MINIBLOCK_SIZE], width: u32, out: &mut Vec<u8>) {
        // 32 values of `width` bits are `width / 2` 64-bit words, plus 4 bytes for odd widths.
        let mut packed = [0u8; 8 * 32];
        let mut at = 0;
        let mut acc = 0u128;
        let mut bits = 0;
        for &v in values {
            acc |= u128::from(v) << bits;
            bits += width;
            if bits >= 64 {
                packed[at..at + 8].copy_from_slice(&(acc as u64).to_le_bytes());
                at += 8;
                acc >>= 64;
                bits -= 64;
            }
        }
        if bits > 0 {
            debug_assert_eq!(bits, 32);
            packed[at..at + 4].copy_from_slice(&(acc as u32).to_le_bytes());
            at += 4;
        }
        debug_assert_eq!(at, 4 * width as usize);
        out.extend_from_slice(&packed[..at]);
    }
}

/// Writes the DELTA_BINARY_PACKED encoding of `count` values taken from `values` (which must
/// yield exactly that many).
fn encode_values<T: DeltaInt>(
    count: usize,
    mut values: impl Iterator<Item = T>,
    out: &mut Vec<u8>,
) {
    push_uleb128(out, BLOCK_SIZE as u64);
    push_uleb128(out, MINIBLOCKS as u64);
    push_uleb128(out, count as u64);
    let Some(first) = values.next() else {
        // No values: the header alone, first value 0.
        push_uleb128(out, 0);
        return;
    };
    push_uleb128(out, first.zigzag());
    let mut prev = first;
    let mut deltas = [T::default(); BLOCK_SIZE];
    loop {
        let mut filled = 0;
        for (slot, v) in deltas.iter_mut().zip(&mut values) {
            *slot = v.wrapping_sub(prev);
            prev = v;
            filled += 1;
        }
        if filled == 0 {
            break;
        }
        encode_block(&deltas[..filled], out);
        if filled < BLOCK_SIZE {
            break;
        }
    }
    debug_assert!(values.next().is_none(), "more values than the count given");
}

/// Writes one block: the min delta (zigzag ULEB128), 4 miniblock bit widths, and the bodies of
/// the miniblocks that hold deltas. The last miniblock with deltas is zero-padded to 32 values;
/// miniblocks after it (only in the last block) get bit width 0 and no body, as encodings.md
/// specifies.
fn encode_block<T: DeltaInt>(deltas: &[T], out: &mut Vec<u8>) {
    debug_assert!(!deltas.is_empty() && deltas.len() <= BLOCK_SIZE);
    let min = deltas.iter().copied().min().unwrap_or_default();
    let mut relative = [T::Unsigned::default(); BLOCK_SIZE];
    for (r, &d) in relative.iter_mut().zip(deltas) {
        *r = d.relative_to(min);
    }
    push_uleb128(out, min.zigzag());
    let used = deltas.len().div_ceil(MINIBLOCK_SIZE);
    let mut widths = [0u8; MINIBLOCKS];
    let miniblocks = relative.chunks_exact(MINIBLOCK_SIZE);
    for (width, miniblock) in widths.iter_mut().zip(miniblocks).take(used) {
        let any = miniblock
            .iter()
            .fold(T::Unsigned::default(), |acc, &v| acc | v);
        *width = T::bit_width(any) as u8;
    }
    out.extend_from_slice(&widths);
    for (&width, miniblock) in widths.iter().zip(relative.chunks_exact(MINIBLOCK_SIZE)) {
        if width > 0 {
            let miniblock = miniblock.try_into().expect("chunks of MINIBLOCK_SIZE");
            T::pack_miniblock(miniblock, u32::from(width), out);
        }
    }
}

/// Appends the DELTA_BINARY_PACKED encoding of INT32 `values`: the header (block size 128,
/// 4 miniblocks, value count, first value as zigzag ULEB128), then one block per 128 deltas.
/// Deltas wrap in 32 bits, so miniblocks are at most 32 bits wide.
pub fn encode_delta_binary_packed_i32(values: &[i32], out: &mut Vec<u8>) {
    encode_values(values.len(), values.iter().copied(), out);
}

/// Appends the DELTA_BINARY_PACKED encoding of INT64 `values` (see
/// [`encode_delta_binary_packed_i32`]); deltas wrap in 64 bits.
pub fn encode_delta_binary_packed_i64(values: &[i64], out: &mut Vec<u8>) {
    encode_values(values.len(), values.iter().copied(), out);
}

/// Appends the DELTA_BINARY_PACKED encoding of INT32 (`width` 4) or INT64 (`width` 8) values
/// given as little-endian bytes, as [`encode_delta_binary_packed_i32`] / `_i64` would, reading
/// the bytes in place. Panics on another width or a partial value.
pub fn encode_delta_binary_packed(values_le: &[u8], width: usize, out: &mut Vec<u8>) {
    assert!(
        width != 0 && values_le.len().is_multiple_of(width),
        "{} bytes are not whole {width}-byte values",
        values_le.len()
    );
    let count = values_le.len() / width;
    match width {
        4 => {
            let values = values_le
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes(c.try_into().expect("4-byte chunks")));
            encode_values(count, values, out);
        }
        8 => {
            let values = values_le
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().expect("8-byte chunks")));
            encode_values(count, values, out);
        }
        _ => panic!("DELTA_BINARY_PACKED encodes 4- or 8-byte integers, not {width}-byte ones"),
    }
}

/// A length as the INT32 DELTA_BINARY_PACKED encodes it. Pages are under 2 GiB, so every
/// value's length fits.
#[inline]
fn length_i32(len: usize) -> i32 {
    debug_assert!(i32::try_from(len).is_ok(), "a {len}-byte value");
    len as i32
}

/// Appends the DELTA_LENGTH_BYTE_ARRAY encoding of `values`: their lengths as INT32
/// DELTA_BINARY_PACKED, then all their bytes back to back (without length prefixes).
pub fn encode_delta_length_byte_array(values: &ByteArrays<'_>, out: &mut Vec<u8>) {
    let n = values.len();
    encode_values(n, (0..n).map(|i| length_i32(values.value_len(i))), out);
    match values.contiguous() {
        Some(bytes) => out.extend_from_slice(bytes),
        None => {
            out.reserve(values.total_value_bytes());
            for value in values.iter() {
                out.extend_from_slice(value);
            }
        }
    }
}

/// The length of the longest common prefix of `a` and `b`.
#[inline]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut same = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let x = u64::from_le_bytes(x.try_into().expect("8-byte chunks"));
        let y = u64::from_le_bytes(y.try_into().expect("8-byte chunks"));
        let diff = x ^ y;
        if diff != 0 {
            // Little-endian: the first differing byte is the lowest non-zero one.
            return same + (diff.trailing_zeros() / 8) as usize;
        }
        same += 8;
    }
    same + a[same..]
        .iter()
        .zip(&b[same..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// DELTA_BYTE_ARRAY of the `n` values `get(0..n)`.
fn encode_incremental<'v>(n: usize, get: impl Fn(usize) -> &'v [u8], out: &mut Vec<u8>) {
    let prefix = |i: usize| {
        if i == 0 {
            0
        } else {
            common_prefix(get(i - 1), get(i))
        }
    };
    encode_values(n, (0..n).map(|i| length_i32(prefix(i))), out);
    encode_values(n, (0..n).map(|i| length_i32(get(i).len() - prefix(i))), out);
    for i in 0..n {
        out.extend_from_slice(&get(i)[prefix(i)..]);
    }
}

/// Appends the DELTA_BYTE_ARRAY encoding of `values`: for each value, the length of the prefix
/// it shares with the previous value (0 for the first), as INT32 DELTA_BINARY_PACKED; then the
/// remaining suffixes as DELTA_LENGTH_BYTE_ARRAY (suffix lengths as INT32 DELTA_BINARY_PACKED,
/// then the suffix bytes back to back).
pub fn encode_delta_byte_array(values: &ByteArrays<'_>, out: &mut Vec<u8>) {
    encode_incremental(values.len(), |i| values.get(i), out);
}

/// Appends the DELTA_BYTE_ARRAY encoding of FIXED_LEN_BYTE_ARRAY values of `width` bytes given
/// back to back, as [`encode_delta_byte_array`] does (every length is written, even though all
/// values have the same one). Panics if `width` is 0 or the bytes are not whole values.
pub fn encode_delta_byte_array_fixed(values: &[u8], width: usize, out: &mut Vec<u8>) {
    assert!(
        width != 0 && values.len().is_multiple_of(width),
        "{} bytes are not whole {width}-byte values",
        values.len()
    );
    encode_incremental(
        values.len() / width,
        |i| &values[i * width..(i + 1) * width],
        out,
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator (64-bit LCG, high bits out).
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
        }
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = self.0;
            (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
        }
        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Prints the best of five runs of `encode` as MB/s of `input_bytes` (for the `#[ignore]`d
    /// throughput tests: `cargo test --release --lib -- --ignored --nocapture throughput`).
    pub(crate) fn report_throughput(
        name: &str,
        input_bytes: usize,
        mut encode: impl FnMut() -> usize,
    ) {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            size = std::hint::black_box(encode());
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{name:<44} {:>8.0} MB/s  ({input_bytes} bytes in, {size} out)",
            input_bytes as f64 / best / 1e6
        );
    }

    fn read_uleb128(data: &[u8], at: &mut usize) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = data[*at];
            *at += 1;
            assert!(shift < 64, "ULEB128 longer than 10 bytes");
            v |= u64::from(b & 0x7F) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return v;
            }
        }
    }

    fn unzigzag(v: u64) -> i64 {
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }

    /// A reader written from encodings.md: decodes one DELTA_BINARY_PACKED stream of `bits`-bit
    /// integers (32 or 64) at the start of `data`, returning the values and the bytes it spans.
    /// It also asserts what a strict reader may require of a writer: miniblocks no wider than
    /// the type, zero padding, bit width 0 for the unneeded miniblocks of the last block.
    pub(crate) fn decode_delta_binary_packed(data: &[u8], bits: u32) -> (Vec<i64>, usize) {
        let mut at = 0;
        let block_size = read_uleb128(data, &mut at) as usize;
        let miniblocks = read_uleb128(data, &mut at) as usize;
        let total = read_uleb128(data, &mut at) as usize;
        let first = unzigzag(read_uleb128(data, &mut at));
        assert!(block_size > 0 && block_size.is_multiple_of(128));
        assert!(miniblocks > 0 && block_size.is_multiple_of(miniblocks));
        let per_miniblock = block_size / miniblocks;
        assert!(per_miniblock.is_multiple_of(32));
        // Arithmetic in the column's width, wrapping.
        let narrow = |v: u64| -> i64 {
            if bits == 32 {
                i64::from(v as u32 as i32)
            } else {
                v as i64
            }
        };
        let mut out = Vec::with_capacity(total);
        if total == 0 {
            assert_eq!(first, 0);
            return (out, at);
        }
        assert_eq!(narrow(first as u64), first, "first value out of range");
        out.push(first);
        let mut last = first as u64;
        while out.len() < total {
            let min_delta = unzigzag(read_uleb128(data, &mut at));
            assert_eq!(
                narrow(min_delta as u64),
                min_delta,
                "min delta out of range"
            );
            let widths = data[at..at + miniblocks].to_vec();
            at += miniblocks;
            for (m, &width) in widths.iter().enumerate() {
                if out.len() == total {
                    assert!(
                        widths[m..].iter().all(|&w| w == 0),
                        "unneeded miniblocks should have bit width 0: {widths:?}"
                    );
                    break;
                }
                let width = usize::from(width);
                assert!(width as u32 <= bits, "bit width {width} over {bits}");
                let body = &data[at..at + per_miniblock * width / 8];
                at += body.len();
                for j in 0..per_miniblock {
                    let mut rel = 0u64;
                    for b in 0..width {
                        let bit = j * width + b;
                        rel |= u64::from((body[bit / 8] >> (bit % 8)) & 1) << b;
                    }
                    if out.len() < total {
                        last = narrow(last.wrapping_add(min_delta as u64).wrapping_add(rel)) as u64;
                        out.push(last as i64);
                    } else {
                        assert_eq!(rel, 0, "padding should be zero");
                    }
                }
            }
        }
        (out, at)
    }

    fn round_trip_i32(values: &[i32]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_delta_binary_packed_i32(values, &mut out);
        let (decoded, used) = decode_delta_binary_packed(&out, 32);
        assert_eq!(used, out.len(), "trailing bytes");
        let expected: Vec<i64> = values.iter().map(|&v| i64::from(v)).collect();
        assert_eq!(decoded, expected);
        // The little-endian entry point writes the same bytes.
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut from_le = Vec::new();
        encode_delta_binary_packed(&le, 4, &mut from_le);
        assert_eq!(from_le, out);
        out
    }

    fn round_trip_i64(values: &[i64]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_delta_binary_packed_i64(values, &mut out);
        let (decoded, used) = decode_delta_binary_packed(&out, 64);
        assert_eq!(used, out.len(), "trailing bytes");
        assert_eq!(decoded, values);
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut from_le = Vec::new();
        encode_delta_binary_packed(&le, 8, &mut from_le);
        assert_eq!(from_le, out);
        out
    }

    /// Interesting lengths: around miniblock and block boundaries.
    const LENGTHS: [usize; 18] = [
        0, 1, 2, 3, 31, 32, 33, 34, 64, 65, 97, 127, 128, 129, 130, 256, 257, 1000,
    ];

    #[test]
    fn spec_example_1_at_block_size_128() {
        // encodings.md example 1 (1, 2, 3, 4, 5) with the block shape we write.
        let out = round_trip_i32(&[1, 2, 3, 4, 5]);
        let header = [0x80, 0x01, 4, 5, 2]; // 128, 4 miniblocks, 5 values, zigzag(1)
        let block = [2, 0, 0, 0, 0]; // min delta zigzag(1), four bit widths of 0, no bodies
        assert_eq!(out, [&header[..], &block[..]].concat());
    }

    #[test]
    fn spec_example_2_at_block_size_128() {
        // encodings.md example 2: deltas -2, -2, -2, 1, 1, 1, 1; min -2; relative 0,0,0,3,3,3,3.
        let out = round_trip_i32(&[7, 5, 3, 1, 2, 3, 4, 5]);
        let mut expected = vec![0x80, 0x01, 4, 8, 14]; // ..., 8 values, zigzag(7)
        expected.extend_from_slice(&[3, 2, 0, 0, 0]); // zigzag(-2), widths 2, 0, 0, 0
                                                      // 32 values at 2 bits, LSB first: 0,0,0,3 -> 0b1100_0000; 3,3,3,0 -> 0b0011_1111.
        let mut body = [0u8; 8];
        body[0] = 0xC0;
        body[1] = 0x3F;
        expected.extend_from_slice(&body);
        assert_eq!(out, expected);
        // The same in 64 bits.
        assert_eq!(round_trip_i64(&[7, 5, 3, 1, 2, 3, 4, 5]), expected);
    }

    #[test]
    fn empty_and_single_values_are_header_only() {
        assert_eq!(round_trip_i32(&[]), [0x80, 0x01, 4, 0, 0]);
        assert_eq!(round_trip_i64(&[]), [0x80, 0x01, 4, 0, 0]);
        assert_eq!(round_trip_i32(&[-1]), [0x80, 0x01, 4, 1, 1]);
        assert_eq!(
            round_trip_i32(&[i32::MIN]),
            [0x80, 0x01, 4, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        );
        let mut max64 = vec![0x80, 0x01, 4, 1];
        max64.extend_from_slice(&[0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        assert_eq!(round_trip_i64(&[i64::MAX]), max64);
    }

    #[test]
    fn all_equal_values_are_headers_and_zero_widths() {
        let out = round_trip_i32(&[7; 200]);
        // Header (200 values), then a full block and a block of 71 deltas: min 0, widths 0.
        let mut expected = vec![0x80, 0x01, 4, 0xC8, 0x01, 14];
        expected.extend_from_slice(&[0, 0, 0, 0, 0]);
        expected.extend_from_slice(&[0, 0, 0, 0, 0]);
        assert_eq!(out, expected);
    }

    #[test]
    fn unneeded_miniblocks_have_width_zero_and_no_body() {
        // 3 values: deltas 5, -2, min -2, relative 7, 0: one miniblock of 32 values at 3 bits,
        // zero-padded, then three bit widths of 0 and nothing more.
        let out = round_trip_i32(&[0, 5, 3]);
        let mut expected = vec![0x80, 0x01, 4, 3, 0, 3, 3, 0, 0, 0, 0x07];
        expected.extend_from_slice(&[0; 11]);
        assert_eq!(out, expected);
        // 34 values: 33 deltas fill one miniblock and one delta of the next.
        let values: Vec<i32> = (0..34).map(|i| i * i).collect();
        let out = round_trip_i32(&values);
        let widths = &out[6..10];
        assert!(
            widths[0] > 0 && widths[1] > 0 && widths[2..] == [0, 0],
            "{widths:?}"
        );
        assert_eq!(
            out.len(),
            6 + 4 + 4 * (usize::from(widths[0]) + usize::from(widths[1]))
        );
    }

    #[test]
    fn int32_deltas_wrap_in_32_bits() {
        let extremes = [
            vec![i32::MAX, i32::MIN],
            vec![i32::MIN, i32::MAX],
            vec![i32::MIN, i32::MAX, i32::MIN, 0, i32::MAX, -1, 1, i32::MIN],
            (0..300)
                .map(|i| if i % 2 == 0 { i32::MIN } else { i32::MAX })
                .collect(),
            (0..300)
                .map(|i| [i32::MIN, i32::MAX, 0, -1, 1][i % 5])
                .collect(),
        ];
        for values in extremes {
            let out = round_trip_i32(&values);
            // The widest an INT32 miniblock may be is 32 bits (the decoder checks every one).
            assert!(out.len() <= 20 + values.len().div_ceil(128) * (10 + 4 * 128));
        }
        let extremes64 = [
            vec![i64::MAX, i64::MIN],
            (0..300)
                .map(|i| [i64::MIN, i64::MAX, 0, -1, 1][i % 5])
                .collect::<Vec<_>>(),
        ];
        for values in extremes64 {
            round_trip_i64(&values);
        }
    }

    #[test]
    fn monotonic_and_random_sequences_round_trip() {
        let mut rng = Rng::new(1);
        for &n in &LENGTHS {
            let ascending: Vec<i32> = (0..n as i32).map(|i| i * 3 - 100).collect();
            round_trip_i32(&ascending);
            let descending: Vec<i64> = (0..n as i64).map(|i| 1_000_000_000_000 - i * 7).collect();
            round_trip_i64(&descending);
            let timestamps: Vec<i64> = (0..n as i64)
                .map(|i| 1_700_000_000_000_000 + i * 1000 + (i % 7))
                .collect();
            round_trip_i64(&timestamps);
            for bits in [1, 7, 16, 31, 32] {
                let v: Vec<i32> = (0..n).map(|_| (rng.next() >> (64 - bits)) as i32).collect();
                round_trip_i32(&v);
            }
            for bits in [1, 13, 33, 63, 64] {
                let v: Vec<i64> = (0..n).map(|_| (rng.next() >> (64 - bits)) as i64).collect();
                round_trip_i64(&v);
            }
        }
        for _ in 0..300 {
            let n = rng.below(700) as usize;
            let scale = rng.below(64) as u32;
            let mut x = rng.next() as i64;
            let v: Vec<i64> = (0..n)
                .map(|_| {
                    // Random walks of random step sizes, some huge, some runs of equal steps.
                    let step = (rng.next() as i64) >> scale;
                    x = x.wrapping_add(if rng.below(4) == 0 { 0 } else { step });
                    x
                })
                .collect();
            round_trip_i64(&v);
            let v32: Vec<i32> = v.iter().map(|&x| x as i32).collect();
            round_trip_i32(&v32);
        }
    }

    #[test]
    #[should_panic(expected = "4- or 8-byte")]
    fn other_widths_are_refused() {
        encode_delta_binary_packed(&[0; 6], 2, &mut Vec::new());
    }

    /// A DELTA_LENGTH_BYTE_ARRAY reader from encodings.md: `(values, bytes used)`.
    pub(crate) fn decode_delta_length(data: &[u8]) -> (Vec<Vec<u8>>, usize) {
        let (lengths, mut at) = decode_delta_binary_packed(data, 32);
        let mut values = Vec::with_capacity(lengths.len());
        for len in lengths {
            let len = usize::try_from(len).expect("non-negative length");
            values.push(data[at..at + len].to_vec());
            at += len;
        }
        (values, at)
    }

    /// A DELTA_BYTE_ARRAY reader from encodings.md.
    fn decode_delta_byte_array(data: &[u8]) -> Vec<Vec<u8>> {
        let (prefixes, at) = decode_delta_binary_packed(data, 32);
        let (suffixes, used) = decode_delta_length(&data[at..]);
        assert_eq!(at + used, data.len(), "trailing bytes");
        assert_eq!(prefixes.len(), suffixes.len());
        let mut out: Vec<Vec<u8>> = Vec::with_capacity(prefixes.len());
        for (prefix, suffix) in prefixes.into_iter().zip(suffixes) {
            let prefix = usize::try_from(prefix).expect("non-negative prefix");
            let mut value = match out.last() {
                Some(prev) => prev[..prefix].to_vec(),
                None => {
                    assert_eq!(prefix, 0);
                    Vec::new()
                }
            };
            value.extend_from_slice(&suffix);
            out.push(value);
        }
        out
    }

    /// Both layouts (raw bytes + offsets, and PLAIN with prefixes) of `values`, offsets
    /// starting at `base` so views over the middle of a buffer are covered too.
    pub(crate) fn layouts(values: &[Vec<u8>], base: usize) -> [(Vec<u8>, Vec<u32>, bool); 2] {
        let (mut raw, mut raw_offsets) = (vec![0xEE; base], vec![base as u32]);
        let (mut plain, mut plain_offsets) = (vec![0xEE; base], vec![base as u32]);
        for v in values {
            raw.extend_from_slice(v);
            raw_offsets.push(raw.len() as u32);
            plain.extend_from_slice(&(v.len() as u32).to_le_bytes());
            plain.extend_from_slice(v);
            plain_offsets.push(plain.len() as u32);
        }
        [(raw, raw_offsets, false), (plain, plain_offsets, true)]
    }

    fn check_byte_arrays(values: &[Vec<u8>]) {
        let mut outputs = Vec::new();
        for base in [0, 3] {
            for (bytes, offsets, prefixed) in layouts(values, base) {
                let view = ByteArrays::new(&bytes, &offsets, prefixed);
                let mut length = Vec::new();
                encode_delta_length_byte_array(&view, &mut length);
                let (decoded, used) = decode_delta_length(&length);
                assert_eq!(used, length.len(), "trailing bytes");
                assert_eq!(decoded, values);
                let mut incremental = Vec::new();
                encode_delta_byte_array(&view, &mut incremental);
                assert_eq!(decode_delta_byte_array(&incremental), values);
                outputs.push((length, incremental));
            }
        }
        assert!(outputs.windows(2).all(|w| w[0] == w[1]), "layouts differ");
    }

    fn strings(values: &[&str]) -> Vec<Vec<u8>> {
        values.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn spec_delta_length_example() {
        let values = strings(&["Hello", "World", "Foobar", "ABCDEF"]);
        check_byte_arrays(&values);
        let [(bytes, offsets, _), _] = layouts(&values, 0);
        let mut out = Vec::new();
        encode_delta_length_byte_array(&ByteArrays::new(&bytes, &offsets, false), &mut out);
        // Lengths 5, 5, 6, 6: deltas 0, 1, 0, min 0, one miniblock of width 1.
        let mut expected = vec![0x80, 0x01, 4, 4, 10, 0, 1, 0, 0, 0, 0b10, 0, 0, 0];
        expected.extend_from_slice(b"HelloWorldFoobarABCDEF");
        assert_eq!(out, expected);
    }

    #[test]
    fn spec_delta_strings_example() {
        let values = strings(&["axis", "axle", "babble", "babyhood"]);
        check_byte_arrays(&values);
        let [_, (bytes, offsets, _)] = layouts(&values, 0);
        let mut out = Vec::new();
        encode_delta_byte_array(&ByteArrays::new(&bytes, &offsets, true), &mut out);
        // Prefix lengths 0, 2, 0, 3: deltas 2, -2, 3, min -2, relative 4, 0, 5 at 3 bits.
        let mut expected = vec![0x80, 0x01, 4, 4, 0, 3, 3, 0, 0, 0, 0x44, 0x01];
        expected.extend_from_slice(&[0; 10]);
        // Suffix lengths 4, 2, 6, 5: deltas -2, 4, -1, min -2, relative 0, 6, 1 at 3 bits.
        expected.extend_from_slice(&[0x80, 0x01, 4, 4, 8, 3, 3, 0, 0, 0, 0x70, 0x00]);
        expected.extend_from_slice(&[0; 10]);
        expected.extend_from_slice(b"axislebabbleyhood");
        assert_eq!(out, expected);
    }

    #[test]
    fn byte_arrays_of_many_shapes_round_trip() {
        let mut rng = Rng::new(2);
        let mut cases: Vec<Vec<Vec<u8>>> = vec![
            vec![],
            vec![vec![]],
            vec![vec![]; 300],
            vec![b"same".to_vec(); 129],
            strings(&["a", "ab", "abc", "ab", "a", "", "b"]),
            vec![
                vec![7u8; 100_000],
                vec![7u8; 100_001],
                vec![8u8; 3],
                vec![7u8; 99_999],
            ],
        ];
        // Sorted keys with long shared prefixes, crossing 8-byte words.
        let mut keys: Vec<Vec<u8>> = (0..500)
            .map(|i: u32| {
                format!("tenant-000042/device-{:08}/metric-{}", i * 37 % 1000, i % 3).into_bytes()
            })
            .collect();
        keys.sort();
        cases.push(keys);
        for &n in &LENGTHS {
            let alphabet = 1 + rng.below(4) as u8;
            cases.push(
                (0..n)
                    .map(|_| {
                        let len = rng.below(40) as usize;
                        (0..len)
                            .map(|_| b'a' + rng.below(u64::from(alphabet)) as u8)
                            .collect()
                    })
                    .collect(),
            );
        }
        for values in &cases {
            check_byte_arrays(values);
        }
    }

    #[test]
    fn common_prefix_at_every_position() {
        let a: Vec<u8> = (0..40).collect();
        for split in 0..40 {
            let mut b = a.clone();
            b[split] ^= 0x80;
            assert_eq!(common_prefix(&a, &b), split);
            assert_eq!(common_prefix(&a[..split], &a), split);
        }
        assert_eq!(common_prefix(&a, &a), 40);
        assert_eq!(common_prefix(b"", b"x"), 0);
    }

    #[test]
    fn fixed_width_delta_strings_match_the_byte_array_form() {
        let mut rng = Rng::new(3);
        for width in [1usize, 2, 7, 8, 9, 16] {
            for &n in &[0usize, 1, 5, 129, 300] {
                let mut bytes = Vec::new();
                for _ in 0..n {
                    // Few distinct leading bytes, so prefixes of all lengths occur.
                    for k in 0..width {
                        bytes.push(if k < width / 2 {
                            rng.below(2) as u8
                        } else {
                            rng.next() as u8
                        });
                    }
                }
                let offsets: Vec<u32> = (0..=n).map(|i| (i * width) as u32).collect();
                let (mut fixed, mut general) = (Vec::new(), Vec::new());
                encode_delta_byte_array_fixed(&bytes, width, &mut fixed);
                encode_delta_byte_array(&ByteArrays::new(&bytes, &offsets, false), &mut general);
                assert_eq!(fixed, general);
                let values: Vec<Vec<u8>> = bytes.chunks(width).map(<[u8]>::to_vec).collect();
                assert_eq!(decode_delta_byte_array(&fixed), values);
            }
        }
    }

    #[test]
    #[ignore = "timing; run in release with --nocapture"]
    fn throughput() {
        const N: usize = 1_000_000;
        let mut rng = Rng::new(11);
        let mut out = Vec::with_capacity(16 * N);
        let mut t = 1_700_000_000_000_000i64;
        let timestamps: Vec<i64> = (0..N)
            .map(|_| {
                t += 1000 + rng.below(50) as i64;
                t
            })
            .collect();
        let random64: Vec<i64> = (0..N).map(|_| rng.next() as i64).collect();
        let small32: Vec<i32> = (0..N).map(|_| rng.below(1000) as i32).collect();
        let random32: Vec<i32> = (0..N).map(|_| rng.next() as i32).collect();
        let mut run = |name: &str, bytes: usize, f: &mut dyn FnMut(&mut Vec<u8>)| {
            report_throughput(name, bytes, || {
                out.clear();
                f(&mut out);
                out.len()
            });
        };
        run("DELTA_BINARY_PACKED i64 timestamps", 8 * N, &mut |o| {
            encode_delta_binary_packed_i64(&timestamps, o)
        });
        run("DELTA_BINARY_PACKED i64 random", 8 * N, &mut |o| {
            encode_delta_binary_packed_i64(&random64, o)
        });
        run("DELTA_BINARY_PACKED i32 0..1000", 4 * N, &mut |o| {
            encode_delta_binary_packed_i32(&small32, o)
        });
        run("DELTA_BINARY_PACKED i32 random", 4 * N, &mut |o| {
            encode_delta_binary_packed_i32(&random32, o)
        });
        let le: Vec<u8> = timestamps.iter().flat_map(|v| v.to_le_bytes()).collect();
        run(
            "DELTA_BINARY_PACKED LE bytes, i64 timestamps",
            8 * N,
            &mut |o| encode_delta_binary_packed(&le, 8, o),
        );
        let le32: Vec<u8> = small32.iter().flat_map(|v| v.to_le_bytes()).collect();
        run(
            "DELTA_BINARY_PACKED LE bytes, i32 0..1000",
            4 * N,
            &mut |o| encode_delta_binary_packed(&le32, 4, o),
        );
        let words: Vec<Vec<u8>> = (0..N)
            .map(|_| format!("user-{}@example.org", rng.below(100_000)).into_bytes())
            .collect();
        let mut keys: Vec<Vec<u8>> = (0..N)
            .map(|i| {
                format!("tenant-{:04}/device-{:08}", i % 1000, rng.below(1 << 26)).into_bytes()
            })
            .collect();
        keys.sort();
        for (label, values) in [("strings", &words), ("sorted keys", &keys)] {
            for (bytes, offsets, prefixed) in layouts(values, 0) {
                let view = ByteArrays::new(&bytes, &offsets, prefixed);
                let layout = if prefixed { "PLAIN input" } else { "raw input" };
                let total = view.total_value_bytes();
                run(
                    &format!("DELTA_LENGTH_BYTE_ARRAY {label}, {layout}"),
                    total,
                    &mut |o| encode_delta_length_byte_array(&view, o),
                );
                run(
                    &format!("DELTA_BYTE_ARRAY {label}, {layout}"),
                    total,
                    &mut |o| encode_delta_byte_array(&view, o),
                );
            }
        }
    }
}
