//! Thrift compact protocol: the writer for Parquet's footer and page headers, and a small generic
//! reader that `recover.rs` uses to check footers found in unfinished files.
//!
//! Specification: thrift/doc/specs/thrift-compact-protocol.md. Field headers carry the delta
//! from the previous field id in their high nibble when it fits (1..=15), else the full id as a
//! zigzag varint; booleans live in the field header's type nibble.

const TYPE_BOOL_TRUE: u8 = 1;
const TYPE_BOOL_FALSE: u8 = 2;
const TYPE_BYTE: u8 = 3;
const TYPE_I16: u8 = 4;
const TYPE_I32: u8 = 5;
const TYPE_I64: u8 = 6;
const TYPE_BINARY: u8 = 8;
const TYPE_LIST: u8 = 9;
const TYPE_STRUCT: u8 = 12;

/// Element types usable in [`CompactWriter::list_begin`].
#[derive(Clone, Copy)]
pub enum ListElem {
    Bool,
    I32,
    I64,
    Binary,
    Struct,
}

impl ListElem {
    fn code(self) -> u8 {
        match self {
            ListElem::Bool => TYPE_BOOL_TRUE,
            ListElem::I32 => TYPE_I32,
            ListElem::I64 => TYPE_I64,
            ListElem::Binary => TYPE_BINARY,
            ListElem::Struct => TYPE_STRUCT,
        }
    }
}

/// Appends compact-protocol bytes to a caller-owned buffer (reused across calls).
pub struct CompactWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Last field id of each open struct; the innermost is at the end.
    last_field: Vec<i16>,
}

impl<'a> CompactWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        CompactWriter {
            out,
            last_field: vec![0],
        }
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn field_header(&mut self, id: i16, ty: u8) {
        let last = self
            .last_field
            .last_mut()
            .expect("struct stack never empty");
        let delta = id - *last;
        *last = id;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ty);
        } else {
            self.out.push(ty);
            self.zigzag(id as i64);
        }
    }

    pub fn field_i32(&mut self, id: i16, v: i32) {
        self.field_header(id, TYPE_I32);
        self.zigzag(v as i64);
    }

    pub fn field_i64(&mut self, id: i16, v: i64) {
        self.field_header(id, TYPE_I64);
        self.zigzag(v);
    }

    pub fn field_i16(&mut self, id: i16, v: i16) {
        self.field_header(id, TYPE_I16);
        self.zigzag(v as i64);
    }

    pub fn field_i8(&mut self, id: i16, v: i8) {
        self.field_header(id, TYPE_BYTE);
        self.out.push(v as u8);
    }

    pub fn field_bool(&mut self, id: i16, v: bool) {
        self.field_header(id, if v { TYPE_BOOL_TRUE } else { TYPE_BOOL_FALSE });
    }

    pub fn field_binary(&mut self, id: i16, v: &[u8]) {
        self.field_header(id, TYPE_BINARY);
        self.binary(v);
    }

    /// Opens a nested struct field; close it with [`struct_end`](Self::struct_end).
    pub fn field_struct_begin(&mut self, id: i16) {
        self.field_header(id, TYPE_STRUCT);
        self.struct_begin();
    }

    /// An empty struct field (Parquet uses these as union members and markers).
    pub fn field_empty_struct(&mut self, id: i16) {
        self.field_struct_begin(id);
        self.struct_end();
    }

    pub fn field_list_begin(&mut self, id: i16, elem: ListElem, len: usize) {
        self.field_header(id, TYPE_LIST);
        self.list_begin(elem, len);
    }

    /// Starts a struct that is a list element or the top-level message.
    pub fn struct_begin(&mut self) {
        self.last_field.push(0);
    }

    pub fn struct_end(&mut self) {
        self.out.push(0); // field stop
        self.last_field.pop();
    }

    pub fn list_begin(&mut self, elem: ListElem, len: usize) {
        if len < 15 {
            self.out.push(((len as u8) << 4) | elem.code());
        } else {
            self.out.push(0xF0 | elem.code());
            self.varint(len as u64);
        }
    }

    pub fn i32(&mut self, v: i32) {
        self.zigzag(v as i64);
    }

    pub fn i64(&mut self, v: i64) {
        self.zigzag(v);
    }

    /// A list element of type bool: one byte, 1 true, 2 false (as the reference implementations
    /// write it).
    pub fn bool(&mut self, v: bool) {
        self.out
            .push(if v { TYPE_BOOL_TRUE } else { TYPE_BOOL_FALSE });
    }

    pub fn binary(&mut self, v: &[u8]) {
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
    }
}

const TYPE_DOUBLE: u8 = 7;
const TYPE_SET: u8 = 10;
const TYPE_MAP: u8 = 11;
/// Nesting deeper than this is not a Parquet footer (it nests 5 levels at most).
const MAX_DEPTH: usize = 16;

/// A decoded compact-protocol value. Binary fields keep where their bytes are in the input
/// ([`Value::bytes`] borrows them), so decoding copies no string.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Double(f64),
    Binary(std::ops::Range<usize>),
    List(Vec<Value>),
    Map(usize),
    Struct(Vec<(i16, Value)>),
}

impl Value {
    /// The field `id` of a struct.
    pub fn field(&self, id: i16) -> Option<&Value> {
        match self {
            Value::Struct(fields) => fields.iter().find(|(i, _)| *i == id).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub fn list(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) => Some(v),
            _ => None,
        }
    }

    pub fn boolean(&self) -> Option<bool> {
        match self {
            Value::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// A binary value's bytes in `input`, the buffer it was decoded from.
    pub fn bytes<'a>(&self, input: &'a [u8]) -> Option<&'a [u8]> {
        match self {
            Value::Binary(range) => input.get(range.clone()),
            _ => None,
        }
    }
}

/// The input is not a well-formed compact-protocol struct (truncated, too deep, bad type code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// Reads one struct from untrusted bytes: every length is checked against the input, nesting is
/// bounded, and malformed input is an `Err(Malformed)`, never a panic.
pub struct CompactReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> CompactReader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        CompactReader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let b = *self.buf.get(self.pos).ok_or(Malformed)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(Malformed);
            }
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Malformed)
    }

    fn zigzag(&mut self) -> Result<i64, Malformed> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn skip(&mut self, n: usize) -> Result<(), Malformed> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        if end > self.buf.len() {
            return Err(Malformed);
        }
        self.pos = end;
        Ok(())
    }

    /// A whole struct (the top-level message or a nested one).
    pub fn read_struct(&mut self) -> Result<Value, Malformed> {
        self.struct_at(0)
    }

    fn struct_at(&mut self, depth: usize) -> Result<Value, Malformed> {
        if depth > MAX_DEPTH {
            return Err(Malformed);
        }
        let mut fields = Vec::new();
        let mut last: i16 = 0;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(Value::Struct(fields));
            }
            let ty = header & 0x0F;
            let delta = header >> 4;
            let id = if delta == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| Malformed)?
            } else {
                last.checked_add(i16::from(delta)).ok_or(Malformed)?
            };
            last = id;
            let value = match ty {
                TYPE_BOOL_TRUE => Value::Bool(true),
                TYPE_BOOL_FALSE => Value::Bool(false),
                _ => self.value(ty, depth)?,
            };
            fields.push((id, value));
        }
    }

    fn value(&mut self, ty: u8, depth: usize) -> Result<Value, Malformed> {
        Ok(match ty {
            TYPE_BYTE => Value::Int(i64::from(self.byte()? as i8)),
            TYPE_I16 | TYPE_I32 | TYPE_I64 => Value::Int(self.zigzag()?),
            TYPE_DOUBLE => {
                let at = self.pos;
                self.skip(8)?;
                let bytes: [u8; 8] = self.buf[at..at + 8].try_into().map_err(|_| Malformed)?;
                Value::Double(f64::from_le_bytes(bytes))
            }
            TYPE_BINARY => {
                let n = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                let at = self.pos;
                self.skip(n)?;
                Value::Binary(at..at + n)
            }
            TYPE_LIST | TYPE_SET => {
                let header = self.byte()?;
                let elem = header & 0x0F;
                let mut n = usize::from(header >> 4);
                if n == 15 {
                    n = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                }
                // Every element takes at least one byte: a longer count is a lie.
                if n > self.buf.len() - self.pos {
                    return Err(Malformed);
                }
                // Grown as elements decode: a hostile count must not reserve memory up front.
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    items.push(match elem {
                        // Booleans in lists are one byte each: 1 true, 2 false (0 accepted too).
                        TYPE_BOOL_TRUE | TYPE_BOOL_FALSE => Value::Bool(self.byte()? == 1),
                        TYPE_STRUCT => self.struct_at(depth + 1)?,
                        _ => self.value(elem, depth + 1)?,
                    });
                }
                Value::List(items)
            }
            TYPE_MAP => {
                let n = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                if n > 0 {
                    if n > self.buf.len() - self.pos {
                        return Err(Malformed);
                    }
                    let kinds = self.byte()?;
                    for _ in 0..n {
                        for ty in [kinds >> 4, kinds & 0x0F] {
                            match ty {
                                TYPE_BOOL_TRUE | TYPE_BOOL_FALSE => {
                                    self.byte()?;
                                }
                                TYPE_STRUCT => {
                                    self.struct_at(depth + 1)?;
                                }
                                _ => {
                                    self.value(ty, depth + 1)?;
                                }
                            }
                        }
                    }
                }
                Value::Map(n)
            }
            TYPE_STRUCT => self.struct_at(depth + 1)?,
            _ => return Err(Malformed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_deltas_and_long_ids() {
        let mut buf = Vec::new();
        let mut w = CompactWriter::new(&mut buf);
        w.struct_begin();
        w.field_i32(1, -1); // delta 1, i32, zigzag(-1) = 1
        w.field_i64(20, 300); // delta 19 > 15: long form
        w.field_bool(21, true);
        w.struct_end();
        assert_eq!(buf, vec![0x15, 0x01, 0x06, 0x28, 0xD8, 0x04, 0x11, 0x00]);
    }

    #[test]
    fn lists_short_and_long() {
        let mut buf = Vec::new();
        let mut w = CompactWriter::new(&mut buf);
        w.list_begin(ListElem::I32, 3);
        w.list_begin(ListElem::Binary, 20);
        assert_eq!(buf, vec![0x35, 0xF8, 20]);
    }

    #[test]
    fn nested_structs_restore_field_ids() {
        let mut buf = Vec::new();
        let mut w = CompactWriter::new(&mut buf);
        w.struct_begin();
        w.field_struct_begin(5);
        w.field_i32(1, 0);
        w.struct_end();
        w.field_i32(6, 0); // delta from 5, not from the inner struct's 1
        w.struct_end();
        assert_eq!(buf, vec![0x5C, 0x15, 0x00, 0x00, 0x15, 0x00, 0x00]);
    }

    #[test]
    fn reader_decodes_what_the_writer_wrote() {
        let mut buf = Vec::new();
        let mut w = CompactWriter::new(&mut buf);
        w.struct_begin();
        w.field_i32(1, -7);
        w.field_i64(20, 1 << 40);
        w.field_bool(21, false);
        w.field_binary(22, b"abc");
        w.field_list_begin(23, ListElem::Struct, 16);
        for i in 0..16 {
            w.struct_begin();
            w.field_i16(1, i);
            w.struct_end();
        }
        w.field_i8(24, -3);
        w.struct_end();
        let mut r = CompactReader::new(&buf);
        let v = r.read_struct().unwrap();
        assert_eq!(r.position(), buf.len());
        assert_eq!(v.field(1).and_then(Value::int), Some(-7));
        assert_eq!(v.field(20).and_then(Value::int), Some(1 << 40));
        assert_eq!(v.field(21), Some(&Value::Bool(false)));
        assert_eq!(v.field(22).and_then(|b| b.bytes(&buf)), Some(&b"abc"[..]));
        let list = v.field(23).and_then(Value::list).unwrap();
        assert_eq!(list.len(), 16);
        assert_eq!(list[15].field(1).and_then(Value::int), Some(15));
        assert_eq!(v.field(24).and_then(Value::int), Some(-3));
    }

    #[test]
    fn reader_rejects_truncated_and_hostile_input() {
        let mut buf = Vec::new();
        let mut w = CompactWriter::new(&mut buf);
        w.struct_begin();
        w.field_binary(1, &[7; 40]);
        w.field_list_begin(2, ListElem::I32, 3);
        for i in 0..3 {
            w.i32(i);
        }
        w.struct_end();
        for cut in 0..buf.len() {
            assert!(
                CompactReader::new(&buf[..cut]).read_struct().is_err(),
                "cut {cut}"
            );
        }
        // A list claiming 2^40 elements, a struct nested 100 deep, an unknown type code.
        let huge_list = [0x19, 0xF5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
        assert!(CompactReader::new(&huge_list).read_struct().is_err());
        let deep: Vec<u8> = std::iter::repeat_n(0x1C, 100).collect();
        assert!(CompactReader::new(&deep).read_struct().is_err());
        assert!(CompactReader::new(&[0x1F, 0x00]).read_struct().is_err());
        // Arbitrary bytes never panic.
        let mut state = 0x1234_5678_u64;
        for _ in 0..20_000 {
            let len = (state % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (state >> 33) as u8
                })
                .collect();
            let _ = CompactReader::new(&bytes).read_struct();
        }
    }
}
