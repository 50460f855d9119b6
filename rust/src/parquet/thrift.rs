//! Thrift compact protocol, write side only: the subset Parquet's footer and page headers use.
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
    I32,
    Binary,
    Struct,
}

impl ListElem {
    fn code(self) -> u8 {
        match self {
            ListElem::I32 => TYPE_I32,
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

    pub fn binary(&mut self, v: &[u8]) {
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
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
}
