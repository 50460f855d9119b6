//! A borrowed view of BYTE_ARRAY values as the writer receives them (`values` + `offsets`), for
//! the byte-array encoders.

use crate::parquet::input::ColumnInput;

/// BYTE_ARRAY values laid out as `ColumnInput` carries them: `offsets` has one entry more than
/// there are values and indexes `values`. Raw (`prefixed == false`): value `i` is
/// `values[offsets[i]..offsets[i + 1]]`. PLAIN-encoded (`prefixed == true`): each span starts
/// with the value's 4-byte little-endian length, so value `i` is
/// `values[offsets[i] + 4..offsets[i + 1]]`.
///
/// Offsets are absolute positions in `values`: they need not start at 0, so a page's values are
/// a view over a sub-slice of the offsets (see [`ByteArrays::slice`]). The view trusts validated
/// input (monotonic offsets in range, prefixed spans at least 4 bytes); it does not re-check.
#[derive(Clone, Copy, Debug)]
pub struct ByteArrays<'a> {
    /// The value bytes (with length prefixes when `prefixed`).
    pub values: &'a [u8],
    /// `len() + 1` positions in `values`.
    pub offsets: &'a [u32],
    /// Each span begins with a 4-byte length prefix (PLAIN-encoded input).
    pub prefixed: bool,
}

impl<'a> ByteArrays<'a> {
    /// A view over `values` split by `offsets` (at least one entry), PLAIN-encoded spans when
    /// `prefixed`.
    #[inline]
    pub fn new(values: &'a [u8], offsets: &'a [u32], prefixed: bool) -> Self {
        debug_assert!(!offsets.is_empty(), "offsets hold len() + 1 entries");
        ByteArrays {
            values,
            offsets,
            prefixed,
        }
    }

    /// The view of a validated BYTE_ARRAY column input; `None` if it has no offsets.
    pub fn from_input(input: &ColumnInput<'a>) -> Option<Self> {
        input
            .offsets
            .map(|offsets| ByteArrays::new(input.values, offsets, input.plain_encoded))
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True if there are no values.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`'s bytes (without its length prefix). Panics if `i >= len()`.
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        let skip = if self.prefixed { 4 } else { 0 };
        let start = self.offsets[i] as usize + skip;
        let end = self.offsets[i + 1] as usize;
        &self.values[start..end]
    }

    /// Value `i`'s length in bytes (without its length prefix).
    #[inline]
    pub fn value_len(&self, i: usize) -> usize {
        let skip = if self.prefixed { 4 } else { 0 };
        (self.offsets[i + 1] - self.offsets[i]) as usize - skip
    }

    /// The values `range.start..range.end` as a view of their own (no copy).
    #[inline]
    pub fn slice(&self, range: std::ops::Range<usize>) -> Self {
        ByteArrays::new(
            self.values,
            &self.offsets[range.start..=range.end],
            self.prefixed,
        )
    }

    /// The sum of the values' lengths, prefixes not counted.
    #[inline]
    pub fn total_value_bytes(&self) -> usize {
        let span = (self.offsets[self.offsets.len() - 1] - self.offsets[0]) as usize;
        if self.prefixed {
            span - 4 * self.len()
        } else {
            span
        }
    }

    /// The values one by one.
    #[inline]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// For raw values: all value bytes back to back, as one slice. `None` when prefixed.
    #[inline]
    pub(crate) fn contiguous(&self) -> Option<&'a [u8]> {
        (!self.prefixed).then(|| {
            &self.values[self.offsets[0] as usize..self.offsets[self.offsets.len() - 1] as usize]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_prefixed_views_agree() {
        let raw = ByteArrays::new(b"abxyz", &[0, 2, 2, 5], false);
        let plain = b"\x02\0\0\0ab\0\0\0\0\x03\0\0\0xyz";
        let prefixed = ByteArrays::new(plain, &[0, 6, 10, 17], true);
        for view in [raw, prefixed] {
            assert_eq!(view.len(), 3);
            assert_eq!(view.get(0), b"ab");
            assert_eq!(view.get(1), b"");
            assert_eq!(view.get(2), b"xyz");
            assert_eq!(view.value_len(2), 3);
            assert_eq!(view.total_value_bytes(), 5);
            assert_eq!(view.iter().collect::<Vec<_>>(), [&b"ab"[..], b"", b"xyz"]);
            let tail = view.slice(1..3);
            assert_eq!(tail.len(), 2);
            assert_eq!(tail.get(1), b"xyz");
            assert_eq!(tail.total_value_bytes(), 3);
            assert!(view.slice(2..2).is_empty());
        }
        assert_eq!(raw.slice(1..3).contiguous(), Some(&b"xyz"[..]));
        assert_eq!(prefixed.contiguous(), None);
    }

    #[test]
    fn from_input_follows_plain_encoded() {
        let input = ColumnInput {
            values: b"\x01\0\0\0q",
            offsets: Some(&[0, 5]),
            plain_encoded: true,
            ..Default::default()
        };
        let view = ByteArrays::from_input(&input).unwrap();
        assert_eq!(view.get(0), b"q");
        assert!(ByteArrays::from_input(&ColumnInput::new(b"")).is_none());
    }
}
