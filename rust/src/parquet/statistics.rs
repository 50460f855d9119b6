//! Column statistics (parquet.thrift `Statistics`) for data pages and column chunks, and the page
//! index built from them (`ColumnIndex`, `OffsetIndex`).
//!
//! Values are ordered by each column's sort order from the format specification
//! (LogicalTypes.md, parquet.thrift `ColumnOrder`): signed or unsigned integers by the logical
//! type, IEEE order for FLOAT/DOUBLE with NaN ignored (a min of zero is written as -0.0, a max of
//! zero as +0.0, so readers comparing either zero stay correct), byte arrays as unsigned bytes,
//! DECIMAL byte arrays as big-endian two's complement, BOOLEAN false < true. INT96 has no defined
//! order: only its null count is written. Byte-array bounds longer than
//! [`TRUNCATE_LENGTH`] are cut (a UTF-8 column on a character boundary); a cut max is rounded up
//! so it still bounds the data, and both are flagged inexact.

use std::cmp::Ordering;

use super::input::ColumnInput;
use super::schema::{Column, LogicalType, PhysicalType};
use super::thrift::{CompactWriter, ListElem};

/// How much statistics a column gets; the default writes them all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum StatisticsLevel {
    /// No min/max or null counts (the page index's offset index is still written).
    None = 0,
    /// Column chunk statistics in the footer only.
    Chunk = 1,
    /// Chunk statistics, statistics in every data page header and a column index (the page
    /// index readers prune pages with).
    #[default]
    Page = 2,
}

impl StatisticsLevel {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(StatisticsLevel::None),
            1 => Some(StatisticsLevel::Chunk),
            2 => Some(StatisticsLevel::Page),
            _ => None,
        }
    }
}

/// Byte-array min/max values are cut to this many bytes (as Arrow's writers do for the column
/// index): long payloads would otherwise be copied whole into the footer and the page index.
pub const TRUNCATE_LENGTH: usize = 64;

/// The order statistics compare a column's values in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    /// Two's complement integers of the value's width; BOOLEAN (as 0 and 1).
    SignedInt,
    /// Unsigned integers of the value's width.
    UnsignedInt,
    /// IEEE floats by value, NaN left out.
    Float,
    /// Bytes compared as unsigned, lexicographically.
    UnsignedBytes,
    /// Big-endian two's complement of any length (DECIMAL in byte arrays).
    SignedBytes,
    /// No order (INT96): no min/max.
    Undefined,
}

impl SortOrder {
    pub fn of(column: &Column) -> SortOrder {
        match column.physical {
            PhysicalType::Boolean => SortOrder::UnsignedInt,
            PhysicalType::Int32 | PhysicalType::Int64 => match column.logical {
                LogicalType::Integer { signed: false, .. } => SortOrder::UnsignedInt,
                _ => SortOrder::SignedInt,
            },
            PhysicalType::Float | PhysicalType::Double => SortOrder::Float,
            PhysicalType::Int96 => SortOrder::Undefined,
            PhysicalType::ByteArray | PhysicalType::FixedLenByteArray => match column.logical {
                LogicalType::Decimal { .. } => SortOrder::SignedBytes,
                _ => SortOrder::UnsignedBytes,
            },
        }
    }
}

/// Statistics of one page or one column chunk: min and max as PLAIN-encoded bytes (without a
/// byte array's length prefix), untruncated; null count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    /// `None` when no value has an order (all null, all NaN, INT96).
    pub min_max: Option<(Vec<u8>, Vec<u8>)>,
    pub null_count: u64,
}

impl Statistics {
    /// Widens `self` to cover `other` as well.
    pub fn merge(&mut self, other: &Statistics, order: SortOrder, physical: PhysicalType) {
        self.null_count += other.null_count;
        let Some((omin, omax)) = &other.min_max else {
            return;
        };
        match &mut self.min_max {
            None => self.min_max = Some((omin.clone(), omax.clone())),
            Some((min, max)) => {
                if compare(order, physical, omin, min) == Ordering::Less {
                    min.clone_from(omin);
                }
                if compare(order, physical, omax, max) == Ordering::Greater {
                    max.clone_from(omax);
                }
            }
        }
    }
}

/// Compares two PLAIN-encoded values of `physical` in `order`.
pub fn compare(order: SortOrder, physical: PhysicalType, a: &[u8], b: &[u8]) -> Ordering {
    fn fixed<const N: usize>(v: &[u8]) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&v[..N]);
        out
    }
    match (order, physical) {
        (SortOrder::SignedInt | SortOrder::UnsignedInt, PhysicalType::Boolean) => a[0].cmp(&b[0]),
        (SortOrder::SignedInt, PhysicalType::Int32) => {
            i32::from_le_bytes(fixed(a)).cmp(&i32::from_le_bytes(fixed(b)))
        }
        (SortOrder::SignedInt, PhysicalType::Int64) => {
            i64::from_le_bytes(fixed(a)).cmp(&i64::from_le_bytes(fixed(b)))
        }
        (SortOrder::UnsignedInt, PhysicalType::Int32) => {
            u32::from_le_bytes(fixed(a)).cmp(&u32::from_le_bytes(fixed(b)))
        }
        (SortOrder::UnsignedInt, PhysicalType::Int64) => {
            u64::from_le_bytes(fixed(a)).cmp(&u64::from_le_bytes(fixed(b)))
        }
        (SortOrder::Float, PhysicalType::Float) => f32::from_le_bytes(fixed(a))
            .partial_cmp(&f32::from_le_bytes(fixed(b)))
            .unwrap_or(Ordering::Equal),
        (SortOrder::Float, PhysicalType::Double) => f64::from_le_bytes(fixed(a))
            .partial_cmp(&f64::from_le_bytes(fixed(b)))
            .unwrap_or(Ordering::Equal),
        (SortOrder::SignedBytes, _) => compare_signed_bytes(a, b),
        _ => a.cmp(b),
    }
}

/// Big-endian two's complement values of any lengths, compared by value.
fn compare_signed_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let negative = |v: &[u8]| v.first().is_some_and(|&x| x & 0x80 != 0);
    let (na, nb) = (negative(a), negative(b));
    if na != nb {
        return if na {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    let pad = if na { 0xFF } else { 0 };
    let n = a.len().max(b.len());
    // Sign-extend the shorter one on the left.
    let at = |v: &[u8], i: usize| {
        let lead = n - v.len();
        if i < lead {
            pad
        } else {
            v[i - lead]
        }
    };
    (0..n)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The min and max of values `[v0, v1)` of a validated input, PLAIN-encoded, into `min`/`max`
/// (cleared first); false when no value has an order.
pub fn page_min_max(
    column: &Column,
    order: SortOrder,
    input: &ColumnInput<'_>,
    v0: usize,
    v1: usize,
    min: &mut Vec<u8>,
    max: &mut Vec<u8>,
) -> bool {
    min.clear();
    max.clear();
    if v0 == v1 || order == SortOrder::Undefined {
        return false;
    }
    macro_rules! fold {
        ($t:ty, $w:expr) => {{
            let mut it = input.values[v0 * $w..v1 * $w]
                .chunks_exact($w)
                .map(|c| <$t>::from_le_bytes(c.try_into().expect("chunk width")));
            let first = it.next().expect("at least one value");
            let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
            min.extend_from_slice(&lo.to_le_bytes());
            max.extend_from_slice(&hi.to_le_bytes());
            true
        }};
    }
    macro_rules! fold_float {
        ($t:ty, $w:expr) => {{
            let mut lo = <$t>::INFINITY;
            let mut hi = <$t>::NEG_INFINITY;
            let mut any = false;
            for c in input.values[v0 * $w..v1 * $w].chunks_exact($w) {
                let v = <$t>::from_le_bytes(c.try_into().expect("chunk width"));
                if !v.is_nan() {
                    any = true;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            if any {
                // The specification's rule for zeros: a min of zero is -0.0, a max of zero +0.0.
                if lo == 0.0 {
                    lo = -0.0;
                }
                if hi == 0.0 {
                    hi = 0.0;
                }
                min.extend_from_slice(&lo.to_le_bytes());
                max.extend_from_slice(&hi.to_le_bytes());
            }
            any
        }};
    }
    match (column.physical, order) {
        (PhysicalType::Boolean, _) => {
            let values = &input.values[v0..v1];
            let (has_false, has_true) = (values.contains(&0), values.contains(&1));
            min.push(u8::from(!has_false));
            max.push(u8::from(has_true));
            true
        }
        (PhysicalType::Int32, SortOrder::UnsignedInt) => fold!(u32, 4),
        (PhysicalType::Int32, _) => fold!(i32, 4),
        (PhysicalType::Int64, SortOrder::UnsignedInt) => fold!(u64, 8),
        (PhysicalType::Int64, _) => fold!(i64, 8),
        (PhysicalType::Float, _) => fold_float!(f32, 4),
        (PhysicalType::Double, _) => fold_float!(f64, 8),
        (PhysicalType::Int96, _) => false,
        (PhysicalType::FixedLenByteArray, _) => {
            let w = column.type_length as usize;
            let mut it = input.values[v0 * w..v1 * w].chunks_exact(w);
            let first = it.next().expect("at least one value");
            let (lo, hi) = extremes(order, first, it);
            min.extend_from_slice(lo);
            max.extend_from_slice(hi);
            true
        }
        (PhysicalType::ByteArray, _) => {
            let offsets = input.offsets.expect("validated: byte arrays have offsets");
            let skip = if input.plain_encoded { 4 } else { 0 };
            let get = |i: usize| &input.values[offsets[i] as usize + skip..offsets[i + 1] as usize];
            let (lo, hi) = extremes(order, get(v0), (v0 + 1..v1).map(get));
            min.extend_from_slice(lo);
            max.extend_from_slice(hi);
            true
        }
    }
}

/// The smallest and largest byte strings of `first` and `rest`.
fn extremes<'a>(
    order: SortOrder,
    first: &'a [u8],
    rest: impl Iterator<Item = &'a [u8]>,
) -> (&'a [u8], &'a [u8]) {
    let (mut lo, mut hi) = (first, first);
    if order == SortOrder::SignedBytes {
        for v in rest {
            if compare_signed_bytes(v, lo).is_lt() {
                lo = v;
            } else if compare_signed_bytes(v, hi).is_gt() {
                hi = v;
            }
        }
    } else {
        // Most values differ from the current bounds in their first 8 bytes: compare those as
        // one big-endian integer (zero-padded: a strict difference there is a strict difference
        // of the values) and only fall back to the full comparison on a tie.
        let (mut lo_key, mut hi_key) = (prefix_key(lo), prefix_key(hi));
        for v in rest {
            let key = prefix_key(v);
            if key < lo_key || (key == lo_key && v < lo) {
                lo = v;
                lo_key = key;
            } else if key > hi_key || (key == hi_key && v > hi) {
                hi = v;
                hi_key = key;
            }
        }
    }
    (lo, hi)
}

/// The first 8 bytes of `v` (zero-padded) as a big-endian integer: ordered as the bytes are.
#[inline]
fn prefix_key(v: &[u8]) -> u64 {
    if let Some(head) = v.first_chunk::<8>() {
        // One load; a variable-length copy would be a memcpy call per value.
        return u64::from_be_bytes(*head);
    }
    let mut key = 0u64;
    for (i, &b) in v.iter().enumerate() {
        key |= u64::from(b) << (56 - 8 * i);
    }
    key
}

/// A min or max as written to a file: cut to [`TRUNCATE_LENGTH`] where that is allowed, and
/// whether it is still the exact value.
pub struct Bound<'a> {
    pub bytes: std::borrow::Cow<'a, [u8]>,
    pub exact: bool,
}

fn is_utf8_column(column: &Column) -> bool {
    matches!(
        column.logical,
        LogicalType::String | LogicalType::Enum | LogicalType::Json
    )
}

/// The bound written for a min (`is_max` false) or max: byte arrays longer than
/// [`TRUNCATE_LENGTH`] are cut; a cut max is incremented so it stays an upper bound. Where no
/// such max exists (all bytes 0xFF), the exact value is kept.
pub fn bound<'a>(column: &Column, order: SortOrder, value: &'a [u8], is_max: bool) -> Bound<'a> {
    let exact = Bound {
        bytes: value.into(),
        exact: true,
    };
    if order != SortOrder::UnsignedBytes || value.len() <= TRUNCATE_LENGTH {
        return exact;
    }
    if is_utf8_column(column) {
        if let Ok(text) = std::str::from_utf8(value) {
            let mut cut = TRUNCATE_LENGTH;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let prefix = &text[..cut];
            if !is_max {
                return Bound {
                    bytes: prefix.as_bytes().into(),
                    exact: false,
                };
            }
            return match increment_utf8(prefix) {
                Some(up) => Bound {
                    bytes: up.into_bytes().into(),
                    exact: false,
                },
                None => exact,
            };
        }
    }
    let prefix = &value[..TRUNCATE_LENGTH];
    if !is_max {
        return Bound {
            bytes: prefix.into(),
            exact: false,
        };
    }
    // The shortest string above every value starting with `prefix`: drop trailing 0xFF bytes and
    // increment the last byte left.
    match prefix.iter().rposition(|&b| b != 0xFF) {
        Some(i) => {
            let mut up = prefix[..=i].to_vec();
            up[i] += 1;
            Bound {
                bytes: up.into(),
                exact: false,
            }
        }
        None => exact,
    }
}

/// The shortest valid UTF-8 string greater than every string starting with `prefix`: its last
/// character that can be incremented, incremented, and what followed it dropped.
fn increment_utf8(prefix: &str) -> Option<String> {
    let chars: Vec<char> = prefix.chars().collect();
    for i in (0..chars.len()).rev() {
        let mut next = chars[i] as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            let mut up: String = chars[..i].iter().collect();
            up.push(c);
            return Some(up);
        }
    }
    None
}

/// Appends a `Statistics` struct's fields (the struct is already open).
pub fn write_statistics_fields(
    w: &mut CompactWriter<'_>,
    column: &Column,
    order: SortOrder,
    stats: &Statistics,
) {
    w.field_i64(3, stats.null_count as i64);
    if let Some((min, max)) = &stats.min_max {
        let max = bound(column, order, max, true);
        let min = bound(column, order, min, false);
        w.field_binary(5, &max.bytes);
        w.field_binary(6, &min.bytes);
        w.field_bool(7, max.exact);
        w.field_bool(8, min.exact);
    }
}

/// One data page as the page index sees it.
#[derive(Clone, Debug)]
pub struct PageEntry {
    /// Offset of the page header in the file.
    pub offset: i64,
    /// Header plus body, as stored.
    pub compressed_size: i32,
    /// Index, within the row group, of the page's first row.
    pub first_row: i64,
    /// The page holds no values, only nulls (or empty lists).
    pub all_null: bool,
    /// The page's statistics; `None` when the column has none.
    pub statistics: Option<Statistics>,
}

/// Serializes the `OffsetIndex` of a column chunk's data pages.
pub fn write_offset_index(out: &mut Vec<u8>, pages: &[PageEntry]) {
    let mut w = CompactWriter::new(out);
    w.struct_begin();
    w.field_list_begin(1, ListElem::Struct, pages.len());
    for page in pages {
        w.struct_begin();
        w.field_i64(1, page.offset);
        w.field_i32(2, page.compressed_size);
        w.field_i64(3, page.first_row);
        w.struct_end();
    }
    w.struct_end();
}

/// Serializes the `ColumnIndex` of a column chunk's data pages, or returns false (writing
/// nothing) when the pages have no statistics or a page with values has no min/max (INT96, or
/// only NaN), which a column index cannot express.
pub fn write_column_index(
    out: &mut Vec<u8>,
    column: &Column,
    order: SortOrder,
    pages: &[PageEntry],
) -> bool {
    // The bounds as written (cut and rounded up where long); `None` for a null page.
    let mut bounds = Vec::with_capacity(pages.len());
    for page in pages {
        let Some(stats) = &page.statistics else {
            return false;
        };
        match &stats.min_max {
            Some((min, max)) => bounds.push(Some((
                bound(column, order, min, false).bytes,
                bound(column, order, max, true).bytes,
            ))),
            // A page of nulls only: a null page.
            None if page.all_null => bounds.push(None),
            None => return false,
        }
    }
    // The boundary order is that of the pages with values, in turn (null pages left out, as
    // readers skip them when they search the bounds).
    let present: Vec<_> = bounds.iter().flatten().collect();
    let physical = column.physical;
    let ordered = |cmp: Ordering| {
        present.windows(2).all(|w| {
            let a = compare(order, physical, &w[1].0, &w[0].0);
            let b = compare(order, physical, &w[1].1, &w[0].1);
            (a == cmp || a.is_eq()) && (b == cmp || b.is_eq())
        })
    };
    // parquet.thrift BoundaryOrder: UNORDERED 0, ASCENDING 1, DESCENDING 2.
    let boundary = if ordered(Ordering::Greater) {
        1
    } else if ordered(Ordering::Less) {
        2
    } else {
        0
    };
    let mut w = CompactWriter::new(out);
    w.struct_begin();
    w.field_list_begin(1, ListElem::Bool, bounds.len());
    for b in &bounds {
        w.bool(b.is_none());
    }
    w.field_list_begin(2, ListElem::Binary, bounds.len());
    for b in &bounds {
        w.binary(b.as_ref().map_or(&[][..], |(min, _)| min));
    }
    w.field_list_begin(3, ListElem::Binary, bounds.len());
    for b in &bounds {
        w.binary(b.as_ref().map_or(&[][..], |(_, max)| max));
    }
    w.field_i32(4, boundary);
    w.field_list_begin(5, ListElem::I64, pages.len());
    for page in pages {
        w.i64(page.statistics.as_ref().map_or(0, |s| s.null_count) as i64);
    }
    w.struct_end();
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::schema::Repetition;

    fn column(physical: PhysicalType, logical: LogicalType) -> Column {
        let mut c = Column::new("c", physical, Repetition::Required);
        c.logical = logical;
        if physical == PhysicalType::FixedLenByteArray {
            c.type_length = 2;
        }
        c
    }

    fn min_max(
        column: &Column,
        values: &[u8],
        offsets: Option<&[u32]>,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let input = ColumnInput {
            values,
            offsets,
            ..Default::default()
        };
        let n = match offsets {
            Some(o) => o.len() - 1,
            None => {
                values.len()
                    / column
                        .physical
                        .input_width()
                        .unwrap_or(column.type_length as usize)
            }
        };
        let (mut min, mut max) = (Vec::new(), Vec::new());
        page_min_max(
            column,
            SortOrder::of(column),
            &input,
            0,
            n,
            &mut min,
            &mut max,
        )
        .then_some((min, max))
    }

    #[test]
    fn integers_follow_their_logical_signedness() {
        let values: Vec<u8> = [-1i32, 5, i32::MIN, 7]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let signed = column(PhysicalType::Int32, LogicalType::None);
        let (lo, hi) = min_max(&signed, &values, None).unwrap();
        assert_eq!(i32::from_le_bytes(lo.try_into().unwrap()), i32::MIN);
        assert_eq!(i32::from_le_bytes(hi.try_into().unwrap()), 7);
        let unsigned = column(
            PhysicalType::Int32,
            LogicalType::Integer {
                bits: 32,
                signed: false,
            },
        );
        let (lo, hi) = min_max(&unsigned, &values, None).unwrap();
        assert_eq!(u32::from_le_bytes(lo.try_into().unwrap()), 5);
        assert_eq!(u32::from_le_bytes(hi.try_into().unwrap()), u32::MAX);
    }

    #[test]
    fn floats_skip_nan_and_write_signed_zeros() {
        let c = column(PhysicalType::Double, LogicalType::None);
        let values: Vec<u8> = [f64::NAN, 0.0, -0.0, f64::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let (lo, hi) = min_max(&c, &values, None).unwrap();
        let (lo, hi) = (
            f64::from_le_bytes(lo.try_into().unwrap()),
            f64::from_le_bytes(hi.try_into().unwrap()),
        );
        assert!(lo == 0.0 && lo.is_sign_negative());
        assert!(hi == 0.0 && hi.is_sign_positive());
        let only_nan: Vec<u8> = [f64::NAN; 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(min_max(&c, &only_nan, None), None);
    }

    #[test]
    fn decimals_in_bytes_compare_as_signed_big_endian() {
        let c = column(
            PhysicalType::FixedLenByteArray,
            LogicalType::Decimal {
                precision: 4,
                scale: 0,
            },
        );
        // 0x7FFF (32767), 0xFFFF (-1), 0x8000 (-32768), 0x0001 (1)
        let values = [0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x01];
        let (lo, hi) = min_max(&c, &values, None).unwrap();
        assert_eq!(
            (lo.as_slice(), hi.as_slice()),
            (&[0x80, 0][..], &[0x7F, 0xFF][..])
        );
        // Variable lengths: 0xFF (-1) < 0x00FF (255) and -1 == 0xFFFF.
        assert_eq!(compare_signed_bytes(&[0xFF], &[0x00, 0xFF]), Ordering::Less);
        assert_eq!(
            compare_signed_bytes(&[0xFF], &[0xFF, 0xFF]),
            Ordering::Equal
        );
        assert_eq!(compare_signed_bytes(&[], &[0x01]), Ordering::Less);
    }

    #[test]
    fn long_byte_arrays_are_cut_and_a_cut_max_rounded_up() {
        let c = column(PhysicalType::ByteArray, LogicalType::None);
        let long = vec![0x41u8; 100];
        let min = bound(&c, SortOrder::UnsignedBytes, &long, false);
        assert_eq!((min.bytes.len(), min.exact), (TRUNCATE_LENGTH, false));
        let max = bound(&c, SortOrder::UnsignedBytes, &long, true);
        assert!(!max.exact && max.bytes.as_ref() > long.as_slice());
        assert_eq!(max.bytes.len(), TRUNCATE_LENGTH);
        let mut ff = vec![0x41u8; 10];
        ff.extend(vec![0xFF; 90]);
        let max = bound(&c, SortOrder::UnsignedBytes, &ff, true);
        assert_eq!(
            max.bytes.as_ref(),
            &[0x41; 9].iter().copied().chain([0x42]).collect::<Vec<_>>()[..]
        );
        let all_ff = vec![0xFFu8; 100];
        let max = bound(&c, SortOrder::UnsignedBytes, &all_ff, true);
        assert!(max.exact && max.bytes.len() == 100);
        let short = bound(&c, SortOrder::UnsignedBytes, &long[..TRUNCATE_LENGTH], true);
        assert!(short.exact);
    }

    #[test]
    fn strings_are_cut_on_character_boundaries() {
        let c = column(PhysicalType::ByteArray, LogicalType::String);
        let text = "é".repeat(40); // 80 bytes, 2 per character
        let min = bound(&c, SortOrder::UnsignedBytes, text.as_bytes(), false);
        assert_eq!(min.bytes.len(), 64);
        assert!(std::str::from_utf8(&min.bytes).is_ok());
        let odd = format!("a{}", "é".repeat(40)); // the 64th byte splits a character
        let max = bound(&c, SortOrder::UnsignedBytes, odd.as_bytes(), true);
        let max = std::str::from_utf8(&max.bytes).unwrap();
        assert!(max > odd.as_str() && max.len() <= 64);
        assert_eq!(max, format!("a{}ê", "é".repeat(30)));
        assert_eq!(increment_utf8("a\u{D7FF}").unwrap(), "a\u{E000}");
        assert_eq!(increment_utf8("a\u{10FFFF}").unwrap(), "b");
    }

    #[test]
    fn byte_array_extremes_agree_with_slice_order() {
        // Values sharing 8-byte prefixes, shorter than 8 bytes, with zero bytes: the prefix
        // shortcut must give what plain slice comparison gives.
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..200 {
            let values: Vec<Vec<u8>> = (0..50)
                .map(|_| {
                    let len = next() % 12;
                    (0..len).map(|_| [0u8, 1, 0x61, 0xFF][next() % 4]).collect()
                })
                .collect();
            let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
            let (lo, hi) = extremes(SortOrder::UnsignedBytes, refs[0], refs[1..].iter().copied());
            assert_eq!(lo, *refs.iter().min().unwrap());
            assert_eq!(hi, *refs.iter().max().unwrap());
        }
    }

    /// The boundary order compares the pages with values, one after the other: a null page in
    /// between neither hides a descent nor breaks an ascent.
    #[test]
    fn boundary_order_looks_across_null_pages() {
        use crate::parquet::thrift::CompactReader;
        let c = column(PhysicalType::Int64, LogicalType::None);
        let page = |bounds: Option<(i64, i64)>| PageEntry {
            offset: 0,
            compressed_size: 0,
            first_row: 0,
            all_null: bounds.is_none(),
            statistics: Some(Statistics {
                min_max: bounds
                    .map(|(lo, hi)| (lo.to_le_bytes().to_vec(), hi.to_le_bytes().to_vec())),
                null_count: u64::from(bounds.is_none()),
            }),
        };
        let boundary = |pages: &[PageEntry]| {
            let mut out = Vec::new();
            assert!(write_column_index(&mut out, &c, SortOrder::of(&c), pages));
            CompactReader::new(&out)
                .read_struct()
                .unwrap()
                .field(4)
                .unwrap()
                .int()
        };
        assert_eq!(
            boundary(&[page(Some((5, 6))), page(None), page(Some((1, 2)))]),
            Some(2)
        );
        assert_eq!(
            boundary(&[page(Some((1, 2))), page(None), page(Some((5, 6)))]),
            Some(1)
        );
        assert_eq!(
            boundary(&[
                page(Some((1, 2))),
                page(None),
                page(Some((0, 9))),
                page(None)
            ]),
            Some(0)
        );
        assert_eq!(
            boundary(&[
                page(Some((1, 2))),
                page(Some((5, 6))),
                page(None),
                page(Some((3, 4)))
            ]),
            Some(0)
        );
    }

    #[test]
    fn merged_statistics_cover_both() {
        let c = column(PhysicalType::Int64, LogicalType::None);
        let stats = |lo: i64, hi: i64, nulls| Statistics {
            min_max: Some((lo.to_le_bytes().to_vec(), hi.to_le_bytes().to_vec())),
            null_count: nulls,
        };
        let mut a = stats(-5, 3, 1);
        a.merge(&stats(-2, 9, 2), SortOrder::of(&c), c.physical);
        assert_eq!(a, stats(-5, 9, 3));
        a.merge(
            &Statistics {
                min_max: None,
                null_count: 4,
            },
            SortOrder::of(&c),
            c.physical,
        );
        assert_eq!(a, stats(-5, 9, 7));
    }
}
