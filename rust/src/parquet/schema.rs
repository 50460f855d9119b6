//! Column descriptions and their validation: physical types, repetition, logical annotations.

use crate::error::{Error, Result};

/// Parquet physical types; the discriminants are the format's (and the C ABI's) codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PhysicalType {
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

impl PhysicalType {
    pub fn from_code(code: i64) -> Option<Self> {
        use PhysicalType::*;
        Some(match code {
            0 => Boolean,
            1 => Int32,
            2 => Int64,
            3 => Int96,
            4 => Float,
            5 => Double,
            6 => ByteArray,
            7 => FixedLenByteArray,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use PhysicalType::*;
        match self {
            Boolean => "BOOLEAN",
            Int32 => "INT32",
            Int64 => "INT64",
            Int96 => "INT96",
            Float => "FLOAT",
            Double => "DOUBLE",
            ByteArray => "BYTE_ARRAY",
            FixedLenByteArray => "FIXED_LEN_BYTE_ARRAY",
        }
    }

    /// Width in bytes of one input value for the fixed-width types (BOOLEAN takes one byte, 0 or 1,
    /// per value on input); `None` for BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY, whose width varies.
    pub fn input_width(self) -> Option<usize> {
        use PhysicalType::*;
        match self {
            Boolean => Some(1),
            Int32 | Float => Some(4),
            Int64 | Double => Some(8),
            Int96 => Some(12),
            ByteArray | FixedLenByteArray => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Repetition {
    Required = 0,
    Optional = 1,
    Repeated = 2,
}

impl Repetition {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Repetition::Required,
            1 => Repetition::Optional,
            2 => Repetition::Repeated,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Repetition::Required => "REQUIRED",
            Repetition::Optional => "OPTIONAL",
            Repetition::Repeated => "REPEATED",
        }
    }

    /// Top-level primitive fields only: both levels are at most 1.
    pub fn max_def_level(self) -> u8 {
        (self != Repetition::Required) as u8
    }

    pub fn max_rep_level(self) -> u8 {
        (self == Repetition::Repeated) as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TimeUnit {
    Millis = 0,
    Micros = 1,
    Nanos = 2,
}

impl TimeUnit {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => TimeUnit::Millis,
            1 => TimeUnit::Micros,
            2 => TimeUnit::Nanos,
            _ => return None,
        })
    }

    /// Nanoseconds in one unit.
    pub fn nanos(self) -> i64 {
        match self {
            TimeUnit::Millis => 1_000_000,
            TimeUnit::Micros => 1_000,
            TimeUnit::Nanos => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimeUnit::Millis => "MILLIS",
            TimeUnit::Micros => "MICROS",
            TimeUnit::Nanos => "NANOS",
        }
    }
}

/// Logical type annotations (parquet.thrift `LogicalType`), so readers show real types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogicalType {
    #[default]
    None,
    String,
    Enum,
    Json,
    Uuid,
    Date,
    Time {
        unit: TimeUnit,
        utc: bool,
    },
    Timestamp {
        unit: TimeUnit,
        utc: bool,
    },
    Integer {
        bits: u8,
        signed: bool,
    },
    Decimal {
        precision: i32,
        scale: i32,
    },
}

impl LogicalType {
    pub fn describe(&self) -> String {
        match *self {
            LogicalType::None => "no logical type".into(),
            LogicalType::String => "STRING".into(),
            LogicalType::Enum => "ENUM".into(),
            LogicalType::Json => "JSON".into(),
            LogicalType::Uuid => "UUID".into(),
            LogicalType::Date => "DATE".into(),
            LogicalType::Time { unit, utc } => format!("TIME({}, utc={utc})", unit.name()),
            LogicalType::Timestamp { unit, utc } => {
                format!("TIMESTAMP({}, utc={utc})", unit.name())
            }
            LogicalType::Integer { bits, signed } => format!("INTEGER({bits}, signed={signed})"),
            LogicalType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
        }
    }
}

/// One top-level primitive column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub physical: PhysicalType,
    pub repetition: Repetition,
    /// Bytes per value for FIXED_LEN_BYTE_ARRAY; 0 (or the type's own width) otherwise.
    pub type_length: u32,
    pub logical: LogicalType,
}

impl Column {
    pub fn new(name: impl Into<String>, physical: PhysicalType, repetition: Repetition) -> Self {
        Column {
            name: name.into(),
            physical,
            repetition,
            type_length: 0,
            logical: LogicalType::None,
        }
    }

    /// Checks the column on its own: type length and logical-type compatibility.
    pub fn validate(&self) -> Result<()> {
        let name = &self.name;
        if name.is_empty() {
            return Err(Error::invalid("column name is empty"));
        }
        if name.contains('\0') {
            return Err(Error::invalid(format!(
                "column name {name:?} contains a NUL byte"
            )));
        }
        let physical = self.physical;
        match physical {
            PhysicalType::FixedLenByteArray => {
                if self.type_length == 0 || self.type_length > i32::MAX as u32 {
                    return Err(Error::invalid(format!(
                        "column '{name}': FIXED_LEN_BYTE_ARRAY needs a type_length between 1 and {}, got {}",
                        i32::MAX,
                        self.type_length
                    )));
                }
            }
            other => {
                let natural = other.input_width().map_or(0, |w| w as u32);
                let natural = if other == PhysicalType::Boolean {
                    0
                } else {
                    natural
                };
                if self.type_length != 0 && self.type_length != natural {
                    return Err(Error::invalid(format!(
                        "column '{name}': type_length {} applies only to FIXED_LEN_BYTE_ARRAY; pass 0 for {}",
                        self.type_length,
                        other.name()
                    )));
                }
            }
        }
        self.validate_logical()
    }

    fn validate_logical(&self) -> Result<()> {
        use PhysicalType::*;
        let physical = self.physical;
        let ok = match self.logical {
            LogicalType::None => true,
            LogicalType::String | LogicalType::Enum | LogicalType::Json => physical == ByteArray,
            LogicalType::Uuid => physical == FixedLenByteArray && self.type_length == 16,
            LogicalType::Date => physical == Int32,
            LogicalType::Time { unit, .. } => match unit {
                TimeUnit::Millis => physical == Int32,
                TimeUnit::Micros | TimeUnit::Nanos => physical == Int64,
            },
            LogicalType::Timestamp { .. } => physical == Int64,
            LogicalType::Integer { bits, .. } => {
                if ![8, 16, 32, 64].contains(&bits) {
                    return Err(Error::invalid(format!(
                        "column '{}': INTEGER bit width must be 8, 16, 32 or 64, got {bits}",
                        self.name
                    )));
                }
                (bits <= 32 && physical == Int32) || (bits == 64 && physical == Int64)
            }
            LogicalType::Decimal { precision, scale } => {
                let max_precision = match physical {
                    Int32 => 9,
                    Int64 => 18,
                    FixedLenByteArray => max_decimal_digits(self.type_length),
                    ByteArray => i32::MAX,
                    _ => 0,
                };
                if max_precision > 0
                    && (precision < 1
                        || precision > max_precision
                        || scale < 0
                        || scale > precision)
                {
                    return Err(Error::invalid(format!(
                        "column '{}': DECIMAL({precision}, {scale}) on {} needs 1 <= precision <= {max_precision} and 0 <= scale <= precision",
                        self.name,
                        physical.name()
                    )));
                }
                max_precision > 0
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "column '{}': logical type {} cannot annotate {}{}",
                self.name,
                self.logical.describe(),
                physical.name(),
                if physical == FixedLenByteArray {
                    format!("({})", self.type_length)
                } else {
                    String::new()
                }
            )))
        }
    }
}

/// The most decimal digits a two's-complement integer of `bytes` bytes always holds.
fn max_decimal_digits(bytes: u32) -> i32 {
    if bytes == 0 {
        return 0;
    }
    // floor(log10(2^(8n-1) - 1)), computed as floor((8n-1) * log10(2)); exact for n <= 32.
    let bits = (8 * bytes as u64).saturating_sub(1) as f64;
    (bits * std::f64::consts::LOG10_2)
        .floor()
        .min(i32::MAX as f64) as i32
}

/// Validates a whole schema: every column, at least one, no duplicate names.
pub fn validate_schema(columns: &[Column]) -> Result<()> {
    if columns.is_empty() {
        return Err(Error::invalid(
            "schema has no columns; add at least one before opening",
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(columns.len());
    for column in columns {
        column.validate()?;
        if !seen.insert(column.name.as_str()) {
            return Err(Error::invalid(format!(
                "duplicate column name '{}'",
                column.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits_per_fixed_width() {
        assert_eq!(max_decimal_digits(4), 9);
        assert_eq!(max_decimal_digits(8), 18);
        assert_eq!(max_decimal_digits(16), 38);
    }

    #[test]
    fn rejects_bad_columns() {
        let mut c = Column::new("u", PhysicalType::FixedLenByteArray, Repetition::Required);
        assert!(c.validate().unwrap_err().message.contains("type_length"));
        c.type_length = 8;
        c.logical = LogicalType::Uuid;
        assert!(c
            .validate()
            .unwrap_err()
            .message
            .contains("cannot annotate"));
        c.type_length = 16;
        assert!(c.validate().is_ok());
        let s = Column {
            logical: LogicalType::String,
            ..Column::new("s", PhysicalType::Int32, Repetition::Optional)
        };
        assert!(s.validate().is_err());
        let dup = vec![
            Column::new("a", PhysicalType::Int32, Repetition::Required),
            Column::new("a", PhysicalType::Int64, Repetition::Required),
        ];
        assert!(validate_schema(&dup)
            .unwrap_err()
            .message
            .contains("duplicate"));
        assert!(validate_schema(&[])
            .unwrap_err()
            .message
            .contains("no columns"));
    }
}
