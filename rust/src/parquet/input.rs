//! Column data handed to the writer for one row group, and its validation.
//!
//! Everything is checked before the first byte of a row group is written, so bad input never
//! leaves a half-written row group behind: the writer returns an error and stays usable.

use super::schema::{Column, PhysicalType, Repetition};
use crate::error::{Error, Result};

/// One column's data for one row group. Values are raw little-endian bytes:
/// BOOLEAN one byte (0 or 1) per value, INT32/FLOAT 4, INT64/DOUBLE 8, INT96 12,
/// FIXED_LEN_BYTE_ARRAY `type_length` per value; BYTE_ARRAY all value bytes back to back with
/// `offsets` (Arrow style: `count + 1` entries, first 0, last `values.len()`). With levels,
/// `values` holds only the defined (non-null) values; levels are one byte per level entry.
#[derive(Clone, Copy, Debug, Default)]
pub struct ColumnInput<'a> {
    pub values: &'a [u8],
    pub offsets: Option<&'a [u32]>,
    pub def_levels: Option<&'a [u8]>,
    pub rep_levels: Option<&'a [u8]>,
    /// The physical type the caller's values were typed as, when it knows (typed C++ spans);
    /// checked against the column so an INT32 span cannot land in an INT64 column.
    pub declared_type: Option<PhysicalType>,
    /// BYTE_ARRAY only: `values` is already PLAIN-encoded (each value's 4-byte little-endian
    /// length, then its bytes) and `offsets` mark where each value's length starts. Pages are
    /// then written straight from `values`, without a copy. The sink's worker builds its row
    /// groups this way.
    pub plain_encoded: bool,
}

impl<'a> ColumnInput<'a> {
    pub fn new(values: &'a [u8]) -> Self {
        ColumnInput {
            values,
            ..Default::default()
        }
    }
}

/// Counts established by validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidatedCounts {
    /// Level entries (Parquet's `num_values`): rows, plus extra list elements, nulls included.
    pub entries: usize,
    /// Defined values present in `values`.
    pub values: usize,
}

/// Validates one column's input against its schema and the row group's row count.
pub fn validate_column(
    column: &Column,
    input: &ColumnInput<'_>,
    row_count: usize,
    row_group: usize,
) -> Result<ValidatedCounts> {
    let fail = |what: String| {
        Error::invalid(format!(
            "row group {row_group}, column '{}' ({} {}): {what}",
            column.name,
            column.repetition.name(),
            column.physical.name()
        ))
    };

    if let Some(declared) = input.declared_type {
        if declared != column.physical {
            return Err(fail(format!(
                "given {} values; the column holds {}",
                declared.name(),
                column.physical.name()
            )));
        }
    }

    let values = count_values(column, input).map_err(fail)?;
    let counts = match column.repetition {
        Repetition::Required => {
            if input.def_levels.is_some() || input.rep_levels.is_some() {
                return Err(fail(
                    "a REQUIRED column takes no definition or repetition levels".into(),
                ));
            }
            ValidatedCounts {
                entries: values,
                values,
            }
        }
        Repetition::Optional => {
            if input.rep_levels.is_some() {
                return Err(fail(
                    "repetition levels given, but only a REPEATED column has them".into(),
                ));
            }
            match input.def_levels {
                // Without definition levels every row is defined.
                None => ValidatedCounts {
                    entries: values,
                    values,
                },
                Some(def) => {
                    if def.len() != row_count {
                        return Err(fail(format!(
                            "{} definition levels for {row_count} rows; an OPTIONAL column needs one per row",
                            def.len()
                        )));
                    }
                    check_levels_at_most_one(def, "definition").map_err(fail)?;
                    ValidatedCounts {
                        entries: def.len(),
                        values: count_ones(def),
                    }
                }
            }
        }
        Repetition::Repeated => {
            let (Some(def), Some(rep)) = (input.def_levels, input.rep_levels) else {
                return Err(fail(
                    "a REPEATED column needs both definition and repetition levels".into(),
                ));
            };
            if def.len() != rep.len() {
                return Err(fail(format!(
                    "{} definition levels but {} repetition levels; they must pair up",
                    def.len(),
                    rep.len()
                )));
            }
            check_levels_at_most_one(def, "definition").map_err(fail)?;
            check_levels_at_most_one(rep, "repetition").map_err(fail)?;
            if let Some(&first) = rep.first() {
                if first != 0 {
                    return Err(fail(
                        "the first repetition level is 1; a row group must start a new row (0)"
                            .into(),
                    ));
                }
            }
            if let Some(i) = def.iter().zip(rep).position(|(&d, &r)| d == 0 && r != 0) {
                return Err(fail(format!(
                    "level entry {i} is an empty list (definition level 0) but continues a row (repetition level 1)"
                )));
            }
            // An empty list is its row's only entry: nothing may continue it.
            if let Some(i) = (1..def.len()).find(|&i| def[i - 1] == 0 && rep[i] != 0) {
                return Err(fail(format!(
                    "level entry {i} continues a row (repetition level 1) after an empty list (entry {} has definition level 0); an empty list is its row's only entry",
                    i - 1
                )));
            }
            let rows = rep.len() - count_ones(rep);
            if rows != row_count {
                return Err(fail(format!(
                    "repetition levels start {rows} rows; the row group has {row_count}"
                )));
            }
            ValidatedCounts {
                entries: def.len(),
                values: count_ones(def),
            }
        }
    };

    let no_levels = input.def_levels.is_none();
    if no_levels && counts.entries != row_count {
        return Err(fail(format!(
            "{} values for {row_count} rows",
            counts.entries
        )));
    }
    if counts.values != values {
        return Err(fail(format!(
            "definition levels mark {} values as present, but {values} values were given",
            counts.values
        )));
    }
    Ok(counts)
}

/// The row count of a row group given without levels: the first column's value count.
pub fn implied_rows(column: &Column, input: &ColumnInput<'_>) -> Result<usize> {
    if input.def_levels.is_some() || input.rep_levels.is_some() {
        return Err(Error::invalid(format!(
            "column '{}' has levels; pass the row count explicitly (write_row_group_with_levels)",
            column.name
        )));
    }
    count_values(column, input).map_err(|what| {
        Error::invalid(format!(
            "column '{}' ({} {}): {what}",
            column.name,
            column.repetition.name(),
            column.physical.name()
        ))
    })
}

/// Number of values in `input.values` (and `offsets`), checking their framing.
fn count_values(column: &Column, input: &ColumnInput<'_>) -> std::result::Result<usize, String> {
    let values = input.values;
    if column.physical != PhysicalType::ByteArray && input.offsets.is_some() {
        return Err("offsets are only for BYTE_ARRAY columns".into());
    }
    if column.physical != PhysicalType::ByteArray && input.plain_encoded {
        return Err("PLAIN-encoded input is only for BYTE_ARRAY columns".into());
    }
    let width = match column.physical {
        PhysicalType::ByteArray => {
            let offsets = input
                .offsets
                .ok_or("a BYTE_ARRAY column needs offsets (count + 1 of them)")?;
            let count = check_offsets(offsets, values.len())?;
            if input.plain_encoded {
                check_plain_prefixes(offsets, values)?;
            }
            return Ok(count);
        }
        PhysicalType::FixedLenByteArray => column.type_length as usize,
        other => other.input_width().expect("fixed-width type"),
    };
    if !values.len().is_multiple_of(width) {
        return Err(format!(
            "{} value bytes is not a whole number of {width}-byte values",
            values.len()
        ));
    }
    if column.physical == PhysicalType::Boolean {
        if let Some(i) = values.iter().position(|&b| b > 1) {
            return Err(format!(
                "boolean value {i} is {}; booleans are one byte, 0 or 1",
                values[i]
            ));
        }
    }
    Ok(values.len() / width)
}

/// Each PLAIN value's length prefix must match the span its offsets give it.
fn check_plain_prefixes(offsets: &[u32], values: &[u8]) -> std::result::Result<(), String> {
    for (i, w) in offsets.windows(2).enumerate() {
        let (start, end) = (w[0] as usize, w[1] as usize);
        let span = end - start; // offsets are checked non-decreasing first
        let prefix = values
            .get(start..start + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        if span < 4 || prefix != Some(span - 4) {
            return Err(format!(
                "PLAIN-encoded value {i} spans {span} bytes but its length prefix does not say {}",
                span.saturating_sub(4)
            ));
        }
    }
    Ok(())
}

fn check_offsets(offsets: &[u32], values_len: usize) -> std::result::Result<usize, String> {
    let Some((&first, &last)) = offsets.first().zip(offsets.last()) else {
        return Err("offsets are empty; BYTE_ARRAY needs count + 1 offsets (at least [0])".into());
    };
    if first != 0 {
        return Err(format!("offsets[0] is {first}; it must be 0"));
    }
    if !offsets.windows(2).all(|w| w[0] <= w[1]) {
        let i = offsets.windows(2).position(|w| w[0] > w[1]).unwrap_or(0);
        return Err(format!(
            "offsets decrease at index {}: {} then {}",
            i + 1,
            offsets[i],
            offsets[i + 1]
        ));
    }
    if last as usize != values_len {
        return Err(format!(
            "the last offset is {last} but {values_len} value bytes were given; they must be equal"
        ));
    }
    Ok(offsets.len() - 1)
}

fn check_levels_at_most_one(levels: &[u8], which: &str) -> std::result::Result<(), String> {
    if levels.iter().any(|&l| l > 1) {
        let i = levels.iter().position(|&l| l > 1).unwrap_or(0);
        return Err(format!(
            "{which} level {} at entry {i} is above the column's maximum of 1",
            levels[i]
        ));
    }
    Ok(())
}

/// Levels are 0 or 1 here, so their sum counts the ones (and the compiler vectorizes it).
fn count_ones(levels: &[u8]) -> usize {
    levels.iter().map(|&l| l as usize).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(physical: PhysicalType, repetition: Repetition) -> Column {
        Column::new("c", physical, repetition)
    }

    #[test]
    fn counts_for_each_repetition() {
        let ints = [0u8; 12];
        let c = col(PhysicalType::Int32, Repetition::Required);
        let r = validate_column(&c, &ColumnInput::new(&ints), 3, 0).unwrap();
        assert_eq!(
            r,
            ValidatedCounts {
                entries: 3,
                values: 3
            }
        );

        let c = col(PhysicalType::Int32, Repetition::Optional);
        let def = [1, 0, 1, 1, 0];
        let mut input = ColumnInput::new(&ints[..12]);
        input.def_levels = Some(&def);
        let r = validate_column(&c, &input, 5, 0).unwrap();
        assert_eq!(
            r,
            ValidatedCounts {
                entries: 5,
                values: 3
            }
        );

        let c = col(PhysicalType::Int32, Repetition::Repeated);
        let def = [1, 1, 0, 1];
        let rep = [0, 1, 0, 0];
        input.def_levels = Some(&def);
        input.rep_levels = Some(&rep);
        let r = validate_column(&c, &input, 3, 0).unwrap();
        assert_eq!(
            r,
            ValidatedCounts {
                entries: 4,
                values: 3
            }
        );
    }

    #[test]
    fn errors_name_column_and_problem() {
        let c = col(PhysicalType::ByteArray, Repetition::Required);
        let mut input = ColumnInput::new(b"abc");
        input.offsets = Some(&[0, 2, 1, 3]);
        let e = validate_column(&c, &input, 3, 4).unwrap_err();
        assert!(e.message.contains("row group 4, column 'c'"), "{e}");
        assert!(e.message.contains("decrease at index 2"), "{e}");

        input.offsets = Some(&[0, 1, 5]);
        let e = validate_column(&c, &input, 2, 0).unwrap_err();
        assert!(e.message.contains("last offset is 5"), "{e}");

        let c = col(PhysicalType::Int64, Repetition::Optional);
        let vals = [0u8; 8];
        let mut input = ColumnInput::new(&vals);
        input.def_levels = Some(&[2]);
        let e = validate_column(&c, &input, 1, 0).unwrap_err();
        assert!(e.message.contains("definition level 2"), "{e}");

        let c = col(PhysicalType::Int64, Repetition::Repeated);
        input.def_levels = Some(&[1]);
        input.rep_levels = Some(&[1]);
        let e = validate_column(&c, &input, 1, 0).unwrap_err();
        assert!(e.message.contains("first repetition level"), "{e}");

        let mut input = ColumnInput::new(&vals);
        input.declared_type = Some(PhysicalType::Int32);
        let e = validate_column(&c, &input, 1, 0).unwrap_err();
        assert!(e.message.contains("given INT32 values"), "{e}");
    }
}
