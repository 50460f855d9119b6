//! Dictionary encoding (RLE_DICTIONARY, encodings.md): a per-column-chunk dictionary of
//! distinct values, written PLAIN as the chunk's dictionary page, and data pages holding each
//! value's index: one byte of bit width, then the indices in the RLE/bit-packed hybrid.
//!
//! Values are compared by their bytes: FLOAT and DOUBLE bitwise, so NaNs with different
//! payloads, and -0.0 and +0.0, are distinct entries and read back exactly as written. BOOLEAN is
//! never dictionary-encoded.

use super::{encode_rle_hybrid, ByteArrays};

/// What a [`Dictionary`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictionaryKind {
    /// Fixed-width values of this many bytes (INT32, FLOAT: 4; INT64, DOUBLE: 8; INT96: 12;
    /// FIXED_LEN_BYTE_ARRAY: its type length), stored PLAIN as they are.
    Fixed(usize),
    /// BYTE_ARRAY values, stored PLAIN with 4-byte length prefixes.
    ByteArray,
}

/// Control byte of a free slot. A used slot's control byte is 7 bits of its entry's hash.
const EMPTY: u8 = 0x80;
/// Slots whose control bytes are matched at once (one little-endian u64).
const GROUP: usize = 8;
/// The smallest table, in slots (at least `GROUP`).
const MIN_SLOTS: usize = 16;
/// Entries are indexed by u32, and a dictionary page is far smaller in practice (pages stay
/// under 2 GiB); 2^31 keeps every index a valid non-negative INT32 too.
const MAX_ENTRIES: usize = 1 << 31;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Distinct values of one column chunk in first-seen order, each with its index.
///
/// Entries are kept PLAIN-encoded back to back, so the dictionary page body is one slice
/// ([`Dictionary::plain`]). Lookup is an open-addressing table in the style of SwissTable: a
/// control byte per slot (`EMPTY`, or 7 bits of the entry's hash) and a word locating the
/// entry; eight control bytes are compared at once as a u64, so a lookup rarely takes a second
/// step or compares a value that is not the one. The table doubles at 7/8 full, re-placing
/// entries by their rehashed values. [`Dictionary::clear`] empties it for the next chunk and
/// keeps every buffer.
#[derive(Clone, Debug)]
pub struct Dictionary {
    kind: DictionaryKind,
    /// The entries PLAIN-encoded in index order: the dictionary page body.
    plain: Vec<u8>,
    /// Byte arrays only: where each entry (its length prefix) starts in `plain`.
    starts: Vec<u32>,
    len: usize,
    /// One control byte per slot, then copies of the first `GROUP` so a group read at any slot
    /// stays in bounds.
    control: Vec<u8>,
    /// Per used slot: the entry's index in the low 32 bits and, for byte arrays, its start in
    /// `plain` in the high 32 bits, so comparing a candidate reads nothing else.
    slots: Vec<u64>,
}

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xD6E8_FEB8_6659_FD93;
const K2: u64 = 0xA076_1D64_78BD_642F;

/// The 128-bit product of `a` and `b`, its halves XORed: every input bit reaches the upper half.
#[inline]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Hash of a value of up to 8 bytes read as a little-endian word (with its length mixed in by
/// the caller where lengths vary).
#[inline]
fn hash_word(word: u64) -> u64 {
    folded_multiply(word ^ K0, K1)
}

/// Hash of any byte string: 8 bytes per multiply, the length in the seed. Tails are read as
/// overlapping loads rather than copied; with the length mixed in, the words still determine the
/// bytes.
#[inline]
fn hash_bytes(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let seed = (len as u64) ^ K2;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    if len <= 8 {
        let small = if len >= 4 {
            let head = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
            let tail = u32::from_le_bytes(bytes[len - 4..].try_into().expect("4 bytes"));
            u64::from(head) | (u64::from(tail) << 32)
        } else if len > 0 {
            u64::from(bytes[0])
                | (u64::from(bytes[len / 2]) << 8)
                | (u64::from(bytes[len - 1]) << 16)
        } else {
            0
        };
        return folded_multiply(small ^ K0, seed ^ K1);
    }
    let mut h = seed;
    let mut at = 0;
    while at + 8 < len {
        h = folded_multiply(h ^ K0, word(at) ^ K1);
        at += 8;
    }
    // The last 8 bytes, overlapping the previous word unless the length is a multiple of 8.
    h = folded_multiply(h ^ K0, word(len - 8) ^ K2);
    folded_multiply(h, K1)
}

/// The hash of a 4- or 8-byte value: its little-endian word, one multiply.
#[inline(always)]
fn hash_fixed<const W: usize>(value: [u8; W]) -> u64 {
    let mut word = [0u8; 8];
    word[..W].copy_from_slice(&value);
    hash_word(u64::from_le_bytes(word))
}

impl Dictionary {
    /// An empty dictionary of `kind` values (with a small table allocated). Panics for
    /// `Fixed(0)`.
    pub fn new(kind: DictionaryKind) -> Self {
        assert!(kind != DictionaryKind::Fixed(0), "values of 0 bytes");
        Dictionary {
            kind,
            plain: Vec::new(),
            starts: Vec::new(),
            len: 0,
            control: vec![EMPTY; MIN_SLOTS + GROUP],
            slots: vec![0; MIN_SLOTS],
        }
    }

    /// What the dictionary holds.
    pub fn kind(&self) -> DictionaryKind {
        self.kind
    }

    /// The number of distinct values (entries).
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True before the first insert (and after [`Dictionary::clear`]).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The size of the dictionary page body [`Dictionary::write_plain`] writes: entries times
    /// the width for fixed-width values; 4 + length per entry for byte arrays.
    #[inline]
    pub fn encoded_size(&self) -> usize {
        self.plain.len()
    }

    /// The dictionary page body: every entry PLAIN-encoded, in index order.
    #[inline]
    pub fn plain(&self) -> &[u8] {
        &self.plain
    }

    /// Appends the dictionary page body (see [`Dictionary::plain`]).
    pub fn write_plain(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.plain);
    }

    /// Entry `index`'s value bytes (without a length prefix). Panics if out of range.
    pub fn get(&self, index: u32) -> &[u8] {
        let i = index as usize;
        assert!(i < self.len, "dictionary index {i} of {}", self.len);
        match self.kind {
            DictionaryKind::Fixed(w) => &self.plain[i * w..(i + 1) * w],
            DictionaryKind::ByteArray => byte_array_at(&self.plain, self.starts[i] as usize),
        }
    }

    /// Empties the dictionary for the next column chunk, keeping its allocations.
    pub fn clear(&mut self) {
        self.plain.clear();
        self.starts.clear();
        self.len = 0;
        self.control.fill(EMPTY);
    }

    /// The index of `value`, added as a new entry (index `len()`) if it is not there yet.
    /// For `Fixed(w)` the value must be `w` bytes (panics otherwise). A byte-array dictionary
    /// holds at most 4 GiB of PLAIN bytes (a dictionary page is limited to 2 GiB anyway).
    #[inline]
    pub fn insert(&mut self, value: &[u8]) -> u32 {
        match self.kind {
            DictionaryKind::Fixed(4) => {
                let v: [u8; 4] = value.try_into().expect("a 4-byte value");
                self.insert_fixed(v)
            }
            DictionaryKind::Fixed(8) => {
                let v: [u8; 8] = value.try_into().expect("an 8-byte value");
                self.insert_fixed(v)
            }
            DictionaryKind::Fixed(w) => {
                assert_eq!(value.len(), w, "a {w}-byte value");
                self.insert_fixed_any(value)
            }
            DictionaryKind::ByteArray => self.insert_bytes(value),
        }
    }

    /// Inserts every fixed-width value of `values_le` (values of the dictionary's width back to
    /// back) and appends their indices to `indices`. A value equal to the one before it (runs
    /// are common) reuses its index without a lookup. Panics for a byte-array dictionary or a
    /// partial value.
    pub fn insert_fixed_values(&mut self, values_le: &[u8], indices: &mut Vec<u32>) {
        let DictionaryKind::Fixed(w) = self.kind else {
            panic!("a byte-array dictionary takes byte arrays");
        };
        assert!(
            values_le.len().is_multiple_of(w),
            "{} bytes are not whole {w}-byte values",
            values_le.len()
        );
        indices.reserve(values_le.len() / w);
        match w {
            4 => self.insert_all_fixed::<4>(values_le, indices),
            8 => self.insert_all_fixed::<8>(values_le, indices),
            _ => {
                let mut last: Option<(&[u8], u32)> = None;
                for v in values_le.chunks_exact(w) {
                    let index = match last {
                        Some((prev, index)) if prev == v => index,
                        _ => self.insert_fixed_any(v),
                    };
                    last = Some((v, index));
                    indices.push(index);
                }
            }
        }
    }

    /// `insert_fixed_values` for 4- and 8-byte values.
    fn insert_all_fixed<const W: usize>(&mut self, values_le: &[u8], indices: &mut Vec<u32>) {
        let mut last: Option<([u8; W], u32)> = None;
        for v in values_le.chunks_exact(W) {
            let v: [u8; W] = v.try_into().expect("W-byte chunks");
            let index = match last {
                Some((prev, index)) if prev == v => index,
                _ => self.insert_fixed(v),
            };
            last = Some((v, index));
            indices.push(index);
        }
    }

    /// Inserts every value of `values` and appends their indices to `indices` (a `Fixed(w)`
    /// dictionary takes values of `w` bytes). A value equal to the one before it reuses its
    /// index without a lookup.
    pub fn insert_byte_arrays(&mut self, values: &ByteArrays<'_>, indices: &mut Vec<u32>) {
        indices.reserve(values.len());
        let bytes = self.kind == DictionaryKind::ByteArray;
        let mut last: Option<(&[u8], u32)> = None;
        for value in values.iter() {
            let index = match last {
                Some((prev, index)) if same_bytes(prev, value) => index,
                _ if bytes => self.insert_bytes(value),
                _ => self.insert(value),
            };
            last = Some((value, index));
            indices.push(index);
        }
    }

    /// `insert` for 4- and 8-byte values: a one-multiply hash and word compares.
    #[inline(always)]
    fn insert_fixed<const W: usize>(&mut self, value: [u8; W]) -> u32 {
        debug_assert_eq!(self.kind, DictionaryKind::Fixed(W));
        let hash = hash_fixed(value);
        let plain = &self.plain;
        let found = self.probe(hash, |word| {
            let i = word as u32 as usize;
            // Compared as arrays: one integer compare rather than a memcmp call.
            let entry: [u8; W] = plain[i * W..i * W + W].try_into().expect("W bytes");
            entry == value
        });
        match found {
            Ok(index) => index,
            Err(slot) => {
                self.plain.extend_from_slice(&value);
                self.add(slot, hash, 0)
            }
        }
    }

    /// `insert` for fixed-width values of other widths.
    fn insert_fixed_any(&mut self, value: &[u8]) -> u32 {
        let hash = hash_bytes(value);
        let w = value.len();
        let plain = &self.plain;
        let found = self.probe(hash, |word| {
            let i = word as u32 as usize;
            plain[i * w..(i + 1) * w] == *value
        });
        match found {
            Ok(index) => index,
            Err(slot) => {
                self.plain.extend_from_slice(value);
                self.add(slot, hash, 0)
            }
        }
    }

    /// `insert` for byte arrays.
    #[inline(always)]
    fn insert_bytes(&mut self, value: &[u8]) -> u32 {
        let hash = hash_bytes(value);
        let plain = &self.plain;
        let found = self.probe(hash, |word| {
            byte_array_at(plain, (word >> 32) as usize) == value
        });
        match found {
            Ok(index) => index,
            Err(slot) => {
                let start = u32::try_from(self.plain.len()).expect(
                    "a byte-array dictionary over 4 GiB; dictionary pages stay under 2 GiB",
                );
                let len = u32::try_from(value.len()).expect("a value under 4 GiB");
                self.plain.extend_from_slice(&len.to_le_bytes());
                self.plain.extend_from_slice(value);
                self.starts.push(start);
                self.add(slot, hash, start)
            }
        }
    }

    /// Looks `hash` up: `Ok(index)` of the entry `equal` accepts (given its slot word) among
    /// those whose control byte matches, or `Err(the free slot to put it in)`. Probing goes group by group with
    /// growing steps (triangular numbers, which visit every group of a power-of-two table), and
    /// stops at the first group with a free slot: entries are never removed, so an entry is
    /// always in the first group that had a free slot when it was added, or before it.
    #[inline(always)]
    fn probe(&self, hash: u64, equal: impl Fn(u64) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let tag = control_byte(hash);
        let mut at = hash as usize & mask;
        let mut step = 0;
        loop {
            let group = u64::from_le_bytes(
                self.control[at..at + GROUP]
                    .try_into()
                    .expect("GROUP bytes"),
            );
            let mut candidates = match_byte(group, tag);
            while candidates != 0 {
                let slot = (at + (candidates.trailing_zeros() / 8) as usize) & mask;
                let word = self.slots[slot];
                if equal(word) {
                    return Ok(word as u32);
                }
                candidates &= candidates - 1;
            }
            let free = group & HIGH_BITS;
            if free != 0 {
                return Err((at + (free.trailing_zeros() / 8) as usize) & mask);
            }
            step += GROUP;
            at = (at + step) & mask;
        }
    }

    /// Records a new entry (its value already stored; `start` its place in `plain` for byte
    /// arrays) in the free `slot`, and grows the table past 7/8 full.
    #[inline]
    fn add(&mut self, slot: usize, hash: u64, start: u32) -> u32 {
        let index = self.len;
        assert!(index < MAX_ENTRIES, "over {MAX_ENTRIES} dictionary entries");
        self.len += 1;
        let index = index as u32;
        self.occupy(slot, hash, (u64::from(start) << 32) | u64::from(index));
        if 8 * self.len > 7 * self.slots.len() {
            self.grow();
        }
        index
    }

    fn occupy(&mut self, slot: usize, hash: u64, word: u64) {
        let tag = control_byte(hash);
        self.control[slot] = tag;
        if slot < GROUP {
            let mirror = self.slots.len() + slot;
            self.control[mirror] = tag;
        }
        self.slots[slot] = word;
    }

    /// Doubles the table, re-placing every entry by its hash, computed again from its value
    /// as the insert paths compute it.
    #[cold]
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.control.clear();
        self.control.resize(size + GROUP, EMPTY);
        self.slots.clear();
        self.slots.resize(size, 0);
        for index in 0..self.len {
            let (hash, start) = match self.kind {
                DictionaryKind::Fixed(4) => {
                    let v = self.plain[index * 4..index * 4 + 4].try_into();
                    (hash_fixed::<4>(v.expect("4 bytes")), 0)
                }
                DictionaryKind::Fixed(8) => {
                    let v = self.plain[index * 8..index * 8 + 8].try_into();
                    (hash_fixed::<8>(v.expect("8 bytes")), 0)
                }
                DictionaryKind::Fixed(w) => {
                    (hash_bytes(&self.plain[index * w..(index + 1) * w]), 0)
                }
                DictionaryKind::ByteArray => {
                    let start = self.starts[index];
                    (
                        hash_bytes(byte_array_at(&self.plain, start as usize)),
                        start,
                    )
                }
            };
            // No entry compares equal to another, so this finds the free slot.
            let slot = self
                .probe(hash, |_| false)
                .expect_err("a new table has no equal entries");
            self.occupy(slot, hash, (u64::from(start) << 32) | index as u64);
        }
    }
}

/// `a == b`, with the first and last 8 bytes compared inline: values up to 16 bytes never
/// call memcmp, and most unequal longer ones are told apart before it. For the run check of
/// consecutive values, which is usually false.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let head = |s: &[u8]| u64::from_le_bytes(s[..8].try_into().expect("8 bytes"));
    let tail = |s: &[u8]| u64::from_le_bytes(s[n - 8..].try_into().expect("8 bytes"));
    tail(a) == tail(b) && head(a) == head(b) && (n <= 16 || a[8..n - 8] == b[8..n - 8])
}

/// The byte array whose PLAIN encoding (4-byte length, bytes) starts at `plain[start]`.
#[inline]
fn byte_array_at(plain: &[u8], start: usize) -> &[u8] {
    let len = u32::from_le_bytes(plain[start..start + 4].try_into().expect("4 bytes")) as usize;
    &plain[start + 4..start + 4 + len]
}

/// The control byte of an entry with this hash: its top 7 bits (high bit clear, unlike `EMPTY`).
#[inline]
fn control_byte(hash: u64) -> u8 {
    (hash >> 57) as u8
}

/// The high bit of every byte of `group` that may equal `tag` (a clear-high-bit byte): all that
/// do, and rarely one that does not (a borrow from a matching byte below), which the caller's
/// value compare rejects. Never a free slot's byte: `EMPTY ^ tag` has its high bit set.
#[inline]
fn match_byte(group: u64, tag: u8) -> u64 {
    let x = group ^ (LOW_BITS * u64::from(tag));
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

/// The bit width RLE_DICTIONARY data pages use for a dictionary of `dictionary_len` entries:
/// the bits of the largest index, but at least 1. (A 1-entry dictionary could use width 0,
/// which parquet-java and arrow-rs write and readers accept; width 1, which Arrow C++ writes,
/// costs at most a byte per run and is beyond doubt for every reader.)
pub fn dictionary_index_bit_width(dictionary_len: usize) -> u8 {
    let max_index = dictionary_len.saturating_sub(1) as u64;
    ((u64::BITS - max_index.leading_zeros()) as u8).max(1)
}

/// Appends an RLE_DICTIONARY data page's values: the index bit width as one byte
/// ([`dictionary_index_bit_width`]), then `indices` in the RLE/bit-packed hybrid at that width,
/// without a length prefix. Every index must be below `dictionary_len`.
pub fn encode_dictionary_indices(indices: &[u32], dictionary_len: usize, out: &mut Vec<u8>) {
    debug_assert!(
        indices.iter().all(|&i| (i as usize) < dictionary_len),
        "an index past the dictionary's {dictionary_len} entries"
    );
    let width = dictionary_index_bit_width(dictionary_len);
    out.push(width);
    encode_rle_hybrid(indices, width, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::encoding::delta::tests::{layouts, Rng};
    use crate::parquet::encoding::tests::decode_rle_hybrid;
    use std::collections::HashMap;

    /// A PLAIN reader for the dictionary page.
    fn decode_plain(data: &[u8], kind: DictionaryKind) -> Vec<Vec<u8>> {
        match kind {
            DictionaryKind::Fixed(w) => data.chunks(w).map(<[u8]>::to_vec).collect(),
            DictionaryKind::ByteArray => {
                let mut out = Vec::new();
                let mut at = 0;
                while at < data.len() {
                    let len = u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as usize;
                    out.push(data[at + 4..at + 4 + len].to_vec());
                    at += 4 + len;
                }
                out
            }
        }
    }

    /// An RLE_DICTIONARY data page reader from encodings.md: width byte, then the hybrid runs
    /// (read by the hybrid's own test reader).
    fn decode_indices(data: &[u8], count: usize) -> Vec<u32> {
        let width = data[0];
        assert!(width <= 32);
        decode_rle_hybrid(&data[1..], width, count)
    }

    /// Inserts `values` one by one and checks indices, entries and the page against a
    /// straightforward first-seen map.
    fn check(dict: &mut Dictionary, values: &[Vec<u8>]) -> Vec<u32> {
        let mut reference: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut order: Vec<Vec<u8>> = Vec::new();
        let mut indices = Vec::new();
        for v in values {
            let expected = *reference.entry(v.clone()).or_insert_with(|| {
                order.push(v.clone());
                (order.len() - 1) as u32
            });
            let index = dict.insert(v);
            assert_eq!(index, expected);
            indices.push(index);
        }
        assert_eq!(dict.len(), order.len());
        assert_eq!(decode_plain(dict.plain(), dict.kind()), order);
        let mut page = Vec::new();
        dict.write_plain(&mut page);
        assert_eq!(page.len(), dict.encoded_size());
        for (i, v) in order.iter().enumerate() {
            assert_eq!(dict.get(i as u32), &v[..]);
        }
        indices
    }

    #[test]
    fn fixed_width_dictionaries_match_a_reference_map() {
        let mut rng = Rng::new(5);
        for w in [1usize, 2, 4, 8, 12, 16] {
            let mut dict = Dictionary::new(DictionaryKind::Fixed(w));
            for distinct in [1u64, 2, 3, 100, 5000, 100_000] {
                let values: Vec<Vec<u8>> = (0..20_000)
                    .map(|_| {
                        let k = rng.below(distinct);
                        (0..w)
                            .map(|b| (k >> (8 * (b % 8))) as u8 ^ b as u8)
                            .collect()
                    })
                    .collect();
                let indices = check(&mut dict, &values);
                // The batch entry point gives the same indices.
                dict.clear();
                let flat: Vec<u8> = values.concat();
                let mut batch = Vec::new();
                dict.insert_fixed_values(&flat, &mut batch);
                assert_eq!(batch, indices);
                dict.clear();
                assert!(dict.is_empty() && dict.encoded_size() == 0);
            }
        }
    }

    #[test]
    fn floats_compare_bitwise() {
        let mut dict = Dictionary::new(DictionaryKind::Fixed(8));
        let values = [
            0.0f64,
            -0.0,
            f64::NAN,
            f64::from_bits(f64::NAN.to_bits() | 1),
            -f64::NAN,
            0.0,
            f64::NAN,
            -0.0,
        ];
        let indices: Vec<u32> = values
            .iter()
            .map(|v| dict.insert(&v.to_le_bytes()))
            .collect();
        assert_eq!(indices, [0, 1, 2, 3, 4, 0, 2, 1]);
        assert_eq!(dict.encoded_size(), 5 * 8);
        let mut dict = Dictionary::new(DictionaryKind::Fixed(4));
        assert_ne!(
            dict.insert(&0.0f32.to_le_bytes()),
            dict.insert(&(-0.0f32).to_le_bytes())
        );
    }

    #[test]
    fn byte_array_dictionaries_match_a_reference_map() {
        let mut rng = Rng::new(6);
        let mut dict = Dictionary::new(DictionaryKind::ByteArray);
        for distinct in [1u64, 2, 50, 3000, 50_000] {
            let values: Vec<Vec<u8>> = (0..30_000)
                .map(|_| {
                    let k = rng.below(distinct);
                    // Lengths 0 to ~40, some values prefixes of others, some long.
                    let len = (k % 41) as usize + if k.is_multiple_of(97) { 1000 } else { 0 };
                    (0..len).map(|j| (k as usize * 31 + j) as u8).collect()
                })
                .collect();
            let indices = check(&mut dict, &values);
            for (bytes, offsets, prefixed) in layouts(&values, 5) {
                dict.clear();
                let mut batch = Vec::new();
                dict.insert_byte_arrays(&ByteArrays::new(&bytes, &offsets, prefixed), &mut batch);
                assert_eq!(batch, indices);
            }
            dict.clear();
        }
        // The empty value is an entry like any other: a bare 4-byte length of 0.
        assert_eq!(dict.insert(b""), 0);
        assert_eq!(dict.insert(b"\0"), 1);
        assert_eq!(dict.insert(b""), 0);
        assert_eq!(dict.plain(), b"\0\0\0\0\x01\0\0\0\0");
    }

    #[test]
    fn same_bytes_agrees_with_slice_equality() {
        let base: Vec<u8> = (0..40).collect();
        for n in 0..40 {
            let a = &base[..n];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &base[..n + 1]));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 1;
                assert!(!same_bytes(a, &b), "{n} bytes, differing at {k}");
            }
        }
    }

    #[test]
    fn clear_keeps_capacity_and_restarts_indices() {
        let mut dict = Dictionary::new(DictionaryKind::Fixed(4));
        for i in 0..10_000u32 {
            dict.insert(&i.to_le_bytes());
        }
        let (plain_cap, slots) = (dict.plain.capacity(), dict.slots.len());
        dict.clear();
        assert_eq!(
            (dict.plain.capacity(), dict.slots.len()),
            (plain_cap, slots)
        );
        assert_eq!(dict.insert(&7u32.to_le_bytes()), 0);
        assert_eq!(dict.insert(&3u32.to_le_bytes()), 1);
        assert_eq!(dict.plain(), [7, 0, 0, 0, 3, 0, 0, 0]);
    }

    #[test]
    fn index_bit_widths() {
        for (len, width) in [
            (0, 1),
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
            (256, 8),
            (257, 9),
            (1 << 20, 20),
            ((1 << 20) + 1, 21),
        ] {
            assert_eq!(dictionary_index_bit_width(len), width, "{len} entries");
        }
        assert_eq!(dictionary_index_bit_width(1 << 31), 31);
        assert_eq!(dictionary_index_bit_width(usize::MAX >> 32), 32);
    }

    #[test]
    fn spec_bit_packing_example() {
        // encodings.md: 0..=7 at bit width 3 pack to 10001000 11000110 11111010.
        let mut out = Vec::new();
        encode_dictionary_indices(&[0, 1, 2, 3, 4, 5, 6, 7], 8, &mut out);
        assert_eq!(out, [3, 0b11, 0b1000_1000, 0b1100_0110, 0b1111_1010]);
        assert_eq!(decode_indices(&out, 8), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn indices_round_trip_at_widths_1_to_20() {
        let mut rng = Rng::new(7);
        for width in 1..=20u32 {
            // Dictionaries whose largest index needs exactly `width` bits.
            for len in [(1usize << (width - 1)) + 1, 1 << width] {
                let len = len.max(2);
                let top = len as u64;
                for n in [1usize, 7, 8, 9, 100, 1000, 5000] {
                    let mut indices = Vec::with_capacity(n);
                    while indices.len() < n {
                        let v = if rng.below(8) == 0 {
                            top - 1
                        } else {
                            rng.below(top)
                        } as u32;
                        let run = if rng.below(3) == 0 {
                            rng.below(50) as usize + 1
                        } else {
                            1
                        };
                        indices.extend(std::iter::repeat_n(v, run.min(n - indices.len())));
                    }
                    let mut out = Vec::new();
                    encode_dictionary_indices(&indices, len, &mut out);
                    assert_eq!(u32::from(out[0]), width, "{len} entries");
                    assert_eq!(
                        decode_indices(&out, n),
                        indices,
                        "width {width}, {n} indices"
                    );
                }
            }
        }
        // A one-entry dictionary: width 1, all zeros.
        let mut out = Vec::new();
        encode_dictionary_indices(&[0; 100], 1, &mut out);
        assert_eq!(out, [1, 0xC8, 0x01, 0]); // width 1, a run of 100 zeros
        assert_eq!(decode_indices(&out, 100), vec![0; 100]);
    }

    #[test]
    fn dictionary_pages_and_indices_rebuild_the_column() {
        let mut rng = Rng::new(8);
        let column: Vec<Vec<u8>> = (0..10_000)
            .map(|_| format!("host-{}", rng.below(300)).into_bytes())
            .collect();
        let [(bytes, offsets, _), _] = layouts(&column, 0);
        let mut dict = Dictionary::new(DictionaryKind::ByteArray);
        let mut indices = Vec::new();
        dict.insert_byte_arrays(&ByteArrays::new(&bytes, &offsets, false), &mut indices);
        let mut page = Vec::new();
        encode_dictionary_indices(&indices, dict.len(), &mut page);
        let entries = decode_plain(dict.plain(), DictionaryKind::ByteArray);
        let rebuilt: Vec<Vec<u8>> = decode_indices(&page, column.len())
            .into_iter()
            .map(|i| entries[i as usize].clone())
            .collect();
        assert_eq!(rebuilt, column);
    }

    #[test]
    #[ignore = "timing; run in release with --nocapture"]
    fn throughput() {
        use crate::parquet::encoding::delta::tests::report_throughput;
        const N: usize = 1_000_000;
        let mut rng = Rng::new(13);
        let mut indices = Vec::with_capacity(N);
        for (width, distinct) in [
            (4usize, 1000u64),
            (4, 100_000),
            (8, 1000),
            (8, 500_000),
            (16, 1000),
        ] {
            let values: Vec<u8> = (0..N)
                .flat_map(|_| {
                    let k = rng.below(distinct).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    (0..width).map(move |b| (k >> (8 * (b % 8))) as u8)
                })
                .collect();
            let mut dict = Dictionary::new(DictionaryKind::Fixed(width));
            let name = format!("Dictionary insert {width}-byte, {distinct} distinct");
            report_throughput(&name, values.len(), || {
                dict.clear();
                indices.clear();
                dict.insert_fixed_values(&values, &mut indices);
                dict.len()
            });
        }
        for distinct in [1000u64, 100_000] {
            let column: Vec<Vec<u8>> = (0..N)
                .map(|_| format!("user-{}@example.org", rng.below(distinct)).into_bytes())
                .collect();
            let [(bytes, offsets, _), _] = layouts(&column, 0);
            let view = ByteArrays::new(&bytes, &offsets, false);
            let mut dict = Dictionary::new(DictionaryKind::ByteArray);
            let name = format!("Dictionary insert strings, {distinct} distinct");
            report_throughput(&name, view.total_value_bytes(), || {
                dict.clear();
                indices.clear();
                dict.insert_byte_arrays(&view, &mut indices);
                dict.len()
            });
        }
        let mut out = Vec::with_capacity(4 * N);
        for (distinct, runs) in [(1000u64, false), (1000, true), (100_000, false)] {
            let mut idx = Vec::with_capacity(N);
            while idx.len() < N {
                let v = rng.below(distinct) as u32;
                let run = if runs { rng.below(40) as usize + 1 } else { 1 };
                idx.extend(std::iter::repeat_n(v, run.min(N - idx.len())));
            }
            let name = format!(
                "encode_dictionary_indices {distinct} entries{}",
                if runs { ", runs" } else { "" }
            );
            report_throughput(&name, 4 * N, || {
                out.clear();
                encode_dictionary_indices(&idx, distinct as usize, &mut out);
                out.len()
            });
        }
    }
}
