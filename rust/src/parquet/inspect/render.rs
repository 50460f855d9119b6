//! `FileInfo` as text for people and as JSON for scripts, values shown through their columns'
//! logical types.

use std::fmt::Write as _;

use super::{
    codec_name, encoding_name, Cell, ColumnInfo, FileInfo, Rows, StatisticsInfo, ValueKind,
};
use crate::clock::civil_from_days;
use crate::parquet::PhysicalType;

/// A value ready to print.
enum Shown {
    /// A number or `true`/`false`: bare in text and JSON.
    Number(String),
    /// A date, time, decimal or UUID: bare in text, a JSON string.
    Word(String),
    /// Text: quoted in both.
    Text(String),
    /// Opaque bytes: hex (and printable characters) in text, a hex string in JSON.
    Bytes(Vec<u8>),
}

fn le_int(raw: &[u8], signed: bool) -> Option<String> {
    Some(match (raw.len(), signed) {
        (4, true) => i32::from_le_bytes(raw.try_into().ok()?).to_string(),
        (4, false) => u32::from_le_bytes(raw.try_into().ok()?).to_string(),
        (8, true) => i64::from_le_bytes(raw.try_into().ok()?).to_string(),
        (8, false) => u64::from_le_bytes(raw.try_into().ok()?).to_string(),
        _ => return None,
    })
}

fn le_i64(raw: &[u8]) -> Option<i64> {
    match raw.len() {
        4 => Some(i64::from(i32::from_le_bytes(raw.try_into().ok()?))),
        8 => Some(i64::from_le_bytes(raw.try_into().ok()?)),
        _ => None,
    }
}

/// `value` in units of 10^-`digits` s since midnight (`days` None) or since the epoch.
fn clock(value: i64, digits: u32, with_date: bool) -> String {
    let per_second = 10i64.pow(digits);
    let seconds = value.div_euclid(per_second);
    let fraction = value.rem_euclid(per_second);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let mut s = String::new();
    if with_date {
        let (y, m, d) = civil_from_days(days);
        let _ = write!(s, "{y:04}-{m:02}-{d:02}T");
    } else if days != 0 {
        let _ = write!(s, "{days}d+");
    }
    let _ = write!(
        s,
        "{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    );
    if digits > 0 {
        let _ = write!(s, ".{fraction:0width$}", width = digits as usize);
    }
    s
}

fn unit_digits(unit: u8) -> u32 {
    match unit {
        1 => 3,
        2 => 6,
        _ => 9,
    }
}

/// A big-endian two's-complement integer of up to 16 bytes.
fn be_i128(raw: &[u8]) -> Option<i128> {
    if raw.is_empty() || raw.len() > 16 {
        return None;
    }
    let fill = if raw[0] & 0x80 != 0 { 0xFF } else { 0 };
    let mut bytes = [fill; 16];
    bytes[16 - raw.len()..].copy_from_slice(raw);
    Some(i128::from_be_bytes(bytes))
}

fn decimal(unscaled: i128, scale: i32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 {
        return format!(
            "{sign}{digits}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        );
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
}

fn half_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1F);
    let mantissa = f32::from(bits & 0x3FF);
    sign * match exponent {
        0 => mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (1.0 + mantissa / 1024.0) * 2f32.powi(e - 15),
    }
}

fn float(v: f64) -> Shown {
    if v.is_finite() {
        Shown::Number(format!("{v:?}"))
    } else {
        Shown::Word(format!("{v}"))
    }
}

/// A column's raw (plain little-endian) value, shown through its logical type; bytes that do not
/// fit the type (a bound from another writer, say) are shown as bytes.
fn show(column: &ColumnInfo, raw: &[u8]) -> Shown {
    use ValueKind::*;
    let shown = match column.kind {
        Boolean => raw
            .first()
            .map(|&b| Shown::Number(if b != 0 { "true" } else { "false" }.into())),
        Int { signed } => le_int(raw, signed).map(Shown::Number),
        Float => raw
            .try_into()
            .ok()
            .map(|b| float(f64::from(f32::from_le_bytes(b)))),
        Double => raw.try_into().ok().map(|b| float(f64::from_le_bytes(b))),
        Float16 => raw
            .try_into()
            .ok()
            .map(|b| float(f64::from(half_to_f32(u16::from_le_bytes(b))))),
        Text => Some(Shown::Text(String::from_utf8_lossy(raw).into_owned())),
        Bytes => None,
        Decimal { scale } => match column.physical {
            PhysicalType::Int32 | PhysicalType::Int64 => le_i64(raw).map(i128::from),
            _ => be_i128(raw),
        }
        .map(|v| Shown::Word(decimal(v, scale))),
        Date => le_i64(raw).filter(|_| raw.len() == 4).map(|days| {
            let (y, m, d) = civil_from_days(days);
            Shown::Word(format!("{y:04}-{m:02}-{d:02}"))
        }),
        Time { unit } => le_i64(raw).map(|v| Shown::Word(clock(v, unit_digits(unit), false))),
        Timestamp { unit } => le_i64(raw)
            .filter(|_| raw.len() == 8)
            .map(|v| Shown::Word(clock(v, unit_digits(unit), true))),
        Int96 => (raw.len() == 12).then(|| {
            let nanos = i64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
            let julian = i64::from(i32::from_le_bytes(raw[8..].try_into().expect("4 bytes")));
            let days = julian - 2_440_588;
            let value = i128::from(days) * 86_400_000_000_000 + i128::from(nanos);
            match i64::try_from(value) {
                Ok(v) => Shown::Word(clock(v, 9, true)),
                Err(_) => Shown::Bytes(raw.to_vec()),
            }
        }),
        Uuid => (raw.len() == 16).then(|| {
            let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            Shown::Word(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ))
        }),
    };
    shown.unwrap_or_else(|| Shown::Bytes(raw.to_vec()))
}

/// At most this many characters of a text, and bytes of a byte value, are printed inline.
const TEXT_INLINE: usize = 96;
const BYTES_INLINE: usize = 32;
/// Byte values are dumped up to this many bytes under a row.
const BYTES_DUMP: usize = 256;

fn quoted(s: &str, limit: usize) -> String {
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        if i == limit {
            let _ = write!(out, "\"… ({} chars)", s.chars().count());
            return out;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7F).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A value on one line: bytes as hex and printable characters, cut at `BYTES_INLINE`.
fn inline(shown: &Shown) -> String {
    match shown {
        Shown::Number(s) | Shown::Word(s) => s.clone(),
        Shown::Text(s) => quoted(s, TEXT_INLINE),
        Shown::Bytes(b) => {
            let head = &b[..b.len().min(BYTES_INLINE)];
            let more = if b.len() > head.len() {
                format!("… ({} bytes)", b.len())
            } else {
                String::new()
            };
            format!("0x{} |{}|{more}", hex(head), printable(head))
        }
    }
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

const REPETITION: [&str; 3] = ["REQUIRED", "OPTIONAL", "REPEATED"];

fn repetition(r: Option<i64>) -> &'static str {
    r.and_then(|r| usize::try_from(r).ok())
        .and_then(|r| REPETITION.get(r).copied())
        .unwrap_or("")
}

fn statistics_text(column: &ColumnInfo, s: &StatisticsInfo) -> String {
    let mut parts = Vec::new();
    if let Some(n) = s.null_count {
        parts.push(format!("nulls {}", thousands(n)));
    }
    if let Some(n) = s.distinct_count {
        parts.push(format!("distinct {}", thousands(n)));
    }
    let exact = |e: Option<bool>| if e == Some(false) { " (inexact)" } else { "" };
    if let Some(min) = &s.min {
        parts.push(format!(
            "min {}{}",
            inline(&show(column, min)),
            exact(s.min_exact)
        ));
    }
    if let Some(max) = &s.max {
        parts.push(format!(
            "max {}{}",
            inline(&show(column, max)),
            exact(s.max_exact)
        ));
    }
    if s.legacy {
        parts.push("(legacy min/max)".into());
    }
    parts.join(", ")
}

/// The report for people.
pub fn render_text(info: &FileInfo) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} bytes, Parquet version {}, {} rows in {} row groups, footer {} bytes",
        info.path,
        thousands(info.size as i64),
        info.version,
        thousands(info.num_rows),
        info.row_groups.len(),
        thousands(info.footer_len as i64)
    );
    if let Some(by) = &info.created_by {
        let _ = writeln!(o, "created by: {by}");
    }
    let _ = writeln!(o, "schema:");
    for node in &info.schema {
        let indent = "  ".repeat(node.depth + 1);
        let ty = match node.physical {
            Some(PhysicalType::FixedLenByteArray) => {
                format!("FIXED_LEN_BYTE_ARRAY({})", node.type_length.unwrap_or(0))
            }
            Some(p) => p.name().to_string(),
            None => format!("group of {}", node.children),
        };
        let logical = node
            .logical
            .as_deref()
            .map_or(String::new(), |l| format!(" {l}"));
        let _ = writeln!(
            o,
            "{indent}{}: {ty} {}{logical}",
            node.name,
            repetition(node.repetition)
        );
    }
    if !info.key_value.is_empty() {
        let _ = writeln!(o, "key-value metadata:");
        for (key, value) in &info.key_value {
            let value = value
                .as_deref()
                .map_or("(no value)".into(), |v| quoted(v, 200));
            let _ = writeln!(o, "  {}: {value}", quoted(key, 80));
        }
    }
    for (g, rg) in info.row_groups.iter().enumerate() {
        let compressed: i64 = rg.columns.iter().map(|c| c.compressed).sum();
        let _ = writeln!(
            o,
            "row group {g}: {} rows, {} bytes ({} uncompressed)",
            thousands(rg.num_rows),
            thousands(compressed),
            thousands(rg.total_byte_size)
        );
        for (chunk, column) in rg.columns.iter().zip(&info.columns) {
            let encodings: Vec<String> =
                chunk.encodings.iter().map(|&e| encoding_name(e)).collect();
            let _ = write!(
                o,
                "  {}: {}, {}; {} values, {} bytes ({} uncompressed)",
                column.path,
                codec_name(chunk.codec),
                encodings.join(" "),
                thousands(chunk.num_values),
                thousands(chunk.compressed),
                thousands(chunk.uncompressed)
            );
            if !chunk.page_encodings.is_empty() {
                let pages: Vec<String> = chunk
                    .page_encodings
                    .iter()
                    .map(|(e, n)| format!("{} {}", thousands(*n), encoding_name(*e)))
                    .collect();
                let dictionary = if chunk.dictionary_pages > 0 {
                    " + dictionary"
                } else {
                    ""
                };
                let _ = write!(o, "; data pages: {}{dictionary}", pages.join(", "));
            }
            let _ = writeln!(o);
            let mut extras = Vec::new();
            if let Some(s) = &chunk.statistics {
                extras.push(statistics_text(column, s));
            }
            let index = match (chunk.column_index, chunk.offset_index) {
                (true, true) => "column + offset index",
                (false, true) => "offset index",
                (true, false) => "column index",
                (false, false) => "no page index",
            };
            extras.push(index.into());
            if chunk.bloom_filter {
                extras.push("bloom filter".into());
            }
            let _ = writeln!(o, "    {}", extras.join("; "));
        }
    }
    match &info.rows {
        None => {}
        Some(Rows::Failed(e)) => {
            let _ = writeln!(o, "rows: cannot be printed: {e}");
        }
        Some(Rows::Read(columns)) => {
            let n = columns.first().map_or(0, Vec::len);
            let _ = writeln!(o, "first {n} rows:");
            let width = info.columns.iter().map(|c| c.path.len()).max().unwrap_or(0);
            for r in 0..n {
                let _ = writeln!(o, "  row {r}");
                for (values, column) in columns.iter().zip(&info.columns) {
                    let _ = write!(o, "    {:width$}  ", column.path);
                    match &values[r] {
                        Cell::Null => {
                            let _ = writeln!(o, "null");
                        }
                        Cell::List(items) => {
                            let shown: Vec<String> = items
                                .iter()
                                .map(|item| {
                                    item.as_ref()
                                        .map_or("null".into(), |raw| inline(&show(column, raw)))
                                })
                                .collect();
                            let _ = writeln!(o, "[{}]", shown.join(", "));
                        }
                        Cell::Value(raw) => match show(column, raw) {
                            Shown::Bytes(b) if b.len() > 16 => {
                                let _ = writeln!(o, "{} bytes", thousands(b.len() as i64));
                                for (k, line) in b[..b.len().min(BYTES_DUMP)].chunks(16).enumerate()
                                {
                                    let hexes: Vec<String> =
                                        line.iter().map(|x| format!("{x:02x}")).collect();
                                    let _ = writeln!(
                                        o,
                                        "    {:width$}    {:04x}  {:<47}  |{}|",
                                        "",
                                        k * 16,
                                        hexes.join(" "),
                                        printable(line)
                                    );
                                }
                                if b.len() > BYTES_DUMP {
                                    let _ = writeln!(
                                        o,
                                        "    {:width$}    … {} more bytes (--json prints them all)",
                                        "",
                                        b.len() - BYTES_DUMP
                                    );
                                }
                            }
                            shown => {
                                let _ = writeln!(o, "{}", inline(&shown));
                            }
                        },
                    }
                }
            }
        }
    }
    o
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_value(shown: Shown) -> String {
    match shown {
        Shown::Number(s) => s,
        Shown::Word(s) | Shown::Text(s) => json_string(&s),
        Shown::Bytes(b) => json_string(&hex(&b)),
    }
}

fn json_opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("null".into(), |v| v.to_string())
}

/// The report for scripts: one JSON object (one line).
pub fn render_json(info: &FileInfo) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "{{\"file\":{},\"size\":{},\"footer_bytes\":{},\"version\":{},\"num_rows\":{},\"created_by\":{}",
        json_string(&info.path),
        info.size,
        info.footer_len,
        info.version,
        info.num_rows,
        info.created_by.as_deref().map_or("null".into(), json_string)
    );
    o.push_str(",\"schema\":[");
    for (i, node) in info.schema.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            "{{\"name\":{},\"depth\":{},\"repetition\":{},\"physical\":{},\"type_length\":{},\"logical\":{},\"children\":{}}}",
            json_string(&node.name),
            node.depth,
            json_string(repetition(node.repetition)),
            node.physical.map_or("null".into(), |p| json_string(p.name())),
            json_opt(node.type_length),
            node.logical.as_deref().map_or("null".into(), json_string),
            node.children
        );
    }
    o.push_str("],\"key_value_metadata\":[");
    for (i, (key, value)) in info.key_value.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            "{{\"key\":{},\"value\":{}}}",
            json_string(key),
            value.as_deref().map_or("null".into(), json_string)
        );
    }
    o.push_str("],\"row_groups\":[");
    for (g, rg) in info.row_groups.iter().enumerate() {
        if g > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            "{{\"num_rows\":{},\"total_byte_size\":{},\"columns\":[",
            rg.num_rows, rg.total_byte_size
        );
        for (c, (chunk, column)) in rg.columns.iter().zip(&info.columns).enumerate() {
            if c > 0 {
                o.push(',');
            }
            let encodings: Vec<String> = chunk
                .encodings
                .iter()
                .map(|&e| json_string(&encoding_name(e)))
                .collect();
            let pages: Vec<String> = chunk
                .page_encodings
                .iter()
                .map(|(e, n)| format!("{}:{n}", json_string(&encoding_name(*e))))
                .collect();
            let _ = write!(
                o,
                "{{\"path\":{},\"codec\":{},\"encodings\":[{}],\"data_pages\":{{{}}},\"dictionary_pages\":{},\"num_values\":{},\"compressed_bytes\":{},\"uncompressed_bytes\":{},\"statistics\":",
                json_string(&column.path),
                json_string(&codec_name(chunk.codec)),
                encodings.join(","),
                pages.join(","),
                chunk.dictionary_pages,
                chunk.num_values,
                chunk.compressed,
                chunk.uncompressed
            );
            match &chunk.statistics {
                None => o.push_str("null"),
                Some(s) => {
                    let bound = |b: &Option<Vec<u8>>| {
                        b.as_ref()
                            .map_or("null".into(), |raw| json_value(show(column, raw)))
                    };
                    let _ = write!(
                        o,
                        "{{\"null_count\":{},\"distinct_count\":{},\"min\":{},\"max\":{},\"min_exact\":{},\"max_exact\":{},\"legacy\":{}}}",
                        json_opt(s.null_count),
                        json_opt(s.distinct_count),
                        bound(&s.min),
                        bound(&s.max),
                        json_opt(s.min_exact),
                        json_opt(s.max_exact),
                        s.legacy
                    );
                }
            }
            let _ = write!(
                o,
                ",\"column_index\":{},\"offset_index\":{},\"bloom_filter\":{}}}",
                chunk.column_index, chunk.offset_index, chunk.bloom_filter
            );
        }
        o.push_str("]}");
    }
    o.push(']');
    match &info.rows {
        None => {}
        Some(Rows::Failed(e)) => {
            let _ = write!(o, ",\"rows\":null,\"rows_error\":{}", json_string(e));
        }
        Some(Rows::Read(columns)) => {
            o.push_str(",\"rows\":[");
            let n = columns.first().map_or(0, Vec::len);
            for r in 0..n {
                if r > 0 {
                    o.push(',');
                }
                o.push('{');
                for (c, (values, column)) in columns.iter().zip(&info.columns).enumerate() {
                    if c > 0 {
                        o.push(',');
                    }
                    let value = match &values[r] {
                        Cell::Null => "null".into(),
                        Cell::Value(raw) => json_value(show(column, raw)),
                        Cell::List(items) => {
                            let items: Vec<String> = items
                                .iter()
                                .map(|item| {
                                    item.as_ref()
                                        .map_or("null".into(), |raw| json_value(show(column, raw)))
                                })
                                .collect();
                            format!("[{}]", items.join(","))
                        }
                    };
                    let _ = write!(o, "{}:{value}", json_string(&column.path));
                }
                o.push('}');
            }
            o.push(']');
        }
    }
    o.push('}');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_decimals_read_as_written() {
        assert_eq!(
            clock(1_700_000_000_123_456_789, 9, true),
            "2023-11-14T22:13:20.123456789"
        );
        assert_eq!(clock(-1, 3, true), "1969-12-31T23:59:59.999");
        assert_eq!(clock(3_723_004, 3, false), "01:02:03.004");
        assert_eq!(decimal(-12_345, 2), "-123.45");
        assert_eq!(decimal(5, 3), "0.005");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(decimal(7, -2), "700");
        assert_eq!(be_i128(&[0xFF, 0x85]), Some(-123));
        assert_eq!(half_to_f32(0x3C00), 1.0);
        assert_eq!(half_to_f32(0xC000), -2.0);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(json_string("a\"\n\u{1}"), "\"a\\\"\\n\\u0001\"");
    }
}
