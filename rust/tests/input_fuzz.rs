//! Property test of the writer's input validation: seeded random schemas (plain and
//! checkpointed files, per-column codecs), then row groups built valid and then, most of the
//! time, broken in one way (lengths, offsets, levels, row counts, column counts, booleans,
//! declared types, PLAIN prefixes, one byte or level too many or too few). Properties: the
//! writer never panics; a rejected row group returns an `InvalidArgument` error with a message
//! and leaves the writer usable (a valid row group written right after it succeeds); the closed
//! file is a valid Parquet file (PAR1 at both ends, a footer length that fits, and its footer
//! decodes and matches the data, as `recover` checks) holding exactly the rows and row groups
//! that were accepted.
//!
//!   cargo test --release -p parquet_flow_core --test input_fuzz
//!   PARQUET_FLOW_FUZZ_ITERS=100000 PARQUET_FLOW_FUZZ_SEED=7 cargo test --release \
//!     -p parquet_flow_core --test input_fuzz          (a longer run, another seed)
//!   PARQUET_FLOW_FUZZ_KEEP=/tmp/fuzz-files ...       (keeps every file, named with its rows)
//!
//! A failure names the seed and iteration that reproduce it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use parquet_flow_core::parquet::{
    recover, Codec, Column, ColumnInput, Durability, FileWriter, PhysicalType, Repetition,
    WriterOptions,
};
use parquet_flow_core::ErrorKind;

#[path = "common/fuzz.rs"]
mod fuzz;
use fuzz::{env_u64, Rng};

const PHYSICAL: [PhysicalType; 8] = [
    PhysicalType::Boolean,
    PhysicalType::Int32,
    PhysicalType::Int64,
    PhysicalType::Int96,
    PhysicalType::Float,
    PhysicalType::Double,
    PhysicalType::ByteArray,
    PhysicalType::FixedLenByteArray,
];

fn random_column(rng: &mut Rng, i: usize) -> Column {
    let physical = PHYSICAL[rng.below(8) as usize];
    let repetition = [
        Repetition::Required,
        Repetition::Optional,
        Repetition::Repeated,
    ][rng.below(3) as usize];
    let mut column = Column::new(format!("c{i}"), physical, repetition);
    if physical == PhysicalType::FixedLenByteArray {
        column.type_length = 1 + rng.below(8) as u32;
    }
    column
}

/// One column's input, owned.
#[derive(Clone, Default)]
struct Data {
    values: Vec<u8>,
    offsets: Option<Vec<u32>>,
    def: Option<Vec<u8>>,
    rep: Option<Vec<u8>>,
    declared: Option<PhysicalType>,
    plain: bool,
}

impl Data {
    fn input(&self) -> ColumnInput<'_> {
        ColumnInput {
            values: &self.values,
            offsets: self.offsets.as_deref(),
            def_levels: self.def.as_deref(),
            rep_levels: self.rep.as_deref(),
            declared_type: self.declared,
            plain_encoded: self.plain,
        }
    }
}

fn width(column: &Column) -> usize {
    match column.physical {
        PhysicalType::Boolean => 1,
        PhysicalType::Int32 | PhysicalType::Float => 4,
        PhysicalType::Int64 | PhysicalType::Double => 8,
        PhysicalType::Int96 => 12,
        PhysicalType::FixedLenByteArray => column.type_length as usize,
        PhysicalType::ByteArray => 0,
    }
}

/// A valid input of `rows` rows.
fn valid(rng: &mut Rng, column: &Column, rows: usize) -> Data {
    let mut d = Data::default();
    let mut values = 0usize;
    match column.repetition {
        Repetition::Required => values = rows,
        Repetition::Optional => {
            let def: Vec<u8> = (0..rows).map(|_| rng.chance(70) as u8).collect();
            values = def.iter().filter(|&&l| l == 1).count();
            d.def = Some(def);
        }
        Repetition::Repeated => {
            let (mut def, mut rep) = (Vec::new(), Vec::new());
            for _ in 0..rows {
                let n = rng.below(4);
                if n == 0 {
                    def.push(0);
                    rep.push(0);
                }
                for k in 0..n {
                    def.push(1);
                    rep.push((k > 0) as u8);
                    values += 1;
                }
            }
            d.def = Some(def);
            d.rep = Some(rep);
        }
    }
    if column.physical == PhysicalType::ByteArray {
        let plain = rng.chance(20);
        let mut offsets = vec![0u32];
        for _ in 0..values {
            let len = rng.below(12) as usize;
            if plain {
                d.values.extend_from_slice(&(len as u32).to_le_bytes());
            }
            d.values.extend((0..len).map(|_| rng.next() as u8));
            offsets.push(d.values.len() as u32);
        }
        d.offsets = Some(offsets);
        d.plain = plain;
    } else {
        let n = values * width(column);
        d.values = (0..n)
            .map(|_| {
                if column.physical == PhysicalType::Boolean {
                    rng.below(2) as u8
                } else {
                    rng.next() as u8
                }
            })
            .collect();
    }
    if rng.chance(30) {
        d.declared = Some(column.physical);
    }
    d
}

/// Breaks `d` in one random way (some "breaks" happen to leave it valid; that is fine).
fn mutate(rng: &mut Rng, d: &mut Data) {
    let pick = |rng: &mut Rng, v: &mut Vec<u8>| {
        if !v.is_empty() {
            let i = rng.below(v.len() as u64) as usize;
            v[i] = rng.next() as u8;
        }
    };
    match rng.below(17) {
        0 => {
            let cut = rng.below(d.values.len() as u64 + 1) as usize;
            d.values.truncate(cut);
        }
        1 => d
            .values
            .extend((0..1 + rng.below(16)).map(|_| rng.next() as u8)),
        2 => match &mut d.offsets {
            Some(o) if !o.is_empty() => {
                let i = rng.below(o.len() as u64) as usize;
                o[i] = match rng.below(3) {
                    0 => rng.next() as u32,
                    1 => o[i].wrapping_sub(1),
                    _ => u32::MAX,
                };
            }
            _ => d.offsets = Some(vec![0, 5, 3]),
        },
        3 => {
            d.offsets = if d.offsets.is_some() {
                None
            } else {
                Some(vec![0])
            }
        }
        4 => match &mut d.def {
            Some(def) => pick(rng, def),
            None => d.def = Some(vec![1; 1 + rng.below(4) as usize]),
        },
        5 => match &mut d.def {
            Some(def) => {
                def.pop();
            }
            None => d.def = Some(Vec::new()),
        },
        6 => match &mut d.rep {
            Some(rep) if !rep.is_empty() => rep[0] = 1 + rng.below(3) as u8,
            Some(rep) => rep.push(1),
            None => d.rep = Some(vec![0, 1]),
        },
        7 => match &mut d.rep {
            Some(rep) => pick(rng, rep),
            None => d.rep = Some(vec![2]),
        },
        8 => d.rep = None,
        9 => d.def = None,
        10 => d.declared = Some(PHYSICAL[rng.below(8) as usize]),
        11 => d.plain = !d.plain,
        12 => pick(rng, &mut d.values),
        13 => {
            if let Some(o) = &mut d.offsets {
                o.reverse();
            }
        }
        // The slightest breaks: one byte too few or too many (a FLBA/INT value cut short), one
        // level too many.
        14 => {
            d.values.pop();
        }
        15 => d.values.push(rng.next() as u8),
        _ => match (&mut d.def, &mut d.rep) {
            (Some(def), Some(rep)) => {
                def.push(1);
                rep.push(1);
            }
            (Some(def), None) => def.push(rng.below(2) as u8),
            _ => d.def = Some(vec![1; 1 + rng.below(3) as usize]),
        },
    }
}

/// The closed file, checked by hand: PAR1 at both ends, a footer length that fits, the size the
/// summary reported.
fn check_file_frame(path: &std::path::Path, summary_bytes: u64, context: &str) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{context}: read back: {e}"));
    let len = bytes.len();
    assert_eq!(len as u64, summary_bytes, "{context}: file size vs summary");
    assert!(len >= 12, "{context}: {len}-byte file");
    assert_eq!(&bytes[..4], b"PAR1", "{context}: leading magic");
    assert_eq!(&bytes[len - 4..], b"PAR1", "{context}: trailing magic");
    let footer = u32::from_le_bytes(bytes[len - 8..len - 4].try_into().unwrap()) as usize;
    assert!(
        footer > 0 && footer <= len - 12,
        "{context}: footer length {footer} in a {len}-byte file"
    );
}

#[test]
fn arbitrary_inputs_never_panic_and_never_break_the_file() {
    let seed = env_u64("PARQUET_FLOW_FUZZ_SEED", 20_261_125);
    let iterations = env_u64("PARQUET_FLOW_FUZZ_ITERS", 3000);
    // PARQUET_FLOW_FUZZ_KEEP=<dir> keeps every closed file there, named with the rows it must
    // hold (fuzz_<seed>_<iteration>_rows<N>.parquet), for reading back with other readers.
    let keep = std::env::var_os("PARQUET_FLOW_FUZZ_KEEP").map(std::path::PathBuf::from);
    let dir = std::env::temp_dir().join(format!("pf-input-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fuzz.parquet");
    let (mut accepted, mut rejected) = (0u64, 0u64);
    for iteration in 0..iterations {
        let mut rng = Rng(seed ^ iteration.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let context = format!("PARQUET_FLOW_FUZZ_SEED={seed}, iteration {iteration}");
        let columns: Vec<Column> = (0..1 + rng.below(4) as usize)
            .map(|i| random_column(&mut rng, i))
            .collect();
        let mut options = WriterOptions {
            codec: if rng.chance(30) {
                Codec::Gzip
            } else {
                Codec::Uncompressed
            },
            data_page_size: 16 + rng.below(512) as usize,
            // Checkpointed files too: a rejected row group must not leave bytes behind either.
            durability: if rng.chance(25) {
                Durability::RowGroup
            } else {
                Durability::OnClose
            },
            ..WriterOptions::default()
        };
        if rng.chance(20) {
            options.column_codecs = vec![(columns[0].name.clone(), Codec::Gzip)];
        }
        let mut writer = FileWriter::create(&path, columns.clone(), options)
            .unwrap_or_else(|e| panic!("{context}: create: {e}"));
        let (mut rows_written, mut groups_written) = (0u64, 0u64);
        for _ in 0..1 + rng.below(6) {
            let rows = rng.below(40) as usize;
            let mut data: Vec<Data> = columns.iter().map(|c| valid(&mut rng, c, rows)).collect();
            let mut row_count = rows;
            if rng.chance(65) {
                match rng.below(5) {
                    0 => {
                        row_count =
                            [0, rows + 1, rows.saturating_sub(1), usize::MAX][rng.below(4) as usize]
                    }
                    1 => {
                        data.pop();
                    }
                    2 => data.push(Data::default()),
                    _ => {
                        let i = rng.below(data.len() as u64) as usize;
                        mutate(&mut rng, &mut data[i]);
                    }
                }
            }
            let inputs: Vec<ColumnInput<'_>> = data.iter().map(Data::input).collect();
            let result = catch_unwind(AssertUnwindSafe(|| {
                writer.write_row_group(row_count, &inputs)
            }))
            .unwrap_or_else(|_| panic!("{context}: write_row_group panicked"));
            match result {
                Ok(()) => {
                    rows_written += row_count as u64;
                    groups_written += 1;
                    accepted += 1;
                }
                Err(e) => {
                    assert_eq!(e.kind, ErrorKind::InvalidArgument, "{context}: {e}");
                    assert!(!e.message.is_empty(), "{context}: empty message");
                    rejected += 1;
                    // Still usable: a valid row group right after the rejected one is written.
                    let rows = 1 + rng.below(40) as usize;
                    let data: Vec<Data> =
                        columns.iter().map(|c| valid(&mut rng, c, rows)).collect();
                    let inputs: Vec<ColumnInput<'_>> = data.iter().map(Data::input).collect();
                    let after =
                        catch_unwind(AssertUnwindSafe(|| writer.write_row_group(rows, &inputs)))
                            .unwrap_or_else(|_| panic!("{context}: write_row_group panicked"));
                    if let Err(e) = after {
                        panic!("{context}: a valid row group after a rejected one failed: {e}");
                    }
                    rows_written += rows as u64;
                    groups_written += 1;
                    accepted += 1;
                }
            }
        }
        let summary = writer
            .close()
            .unwrap_or_else(|e| panic!("{context}: close: {e}"));
        assert_eq!(summary.rows, rows_written, "{context}");
        assert_eq!(summary.row_groups, groups_written, "{context}");
        check_file_frame(&path, summary.bytes, &context);
        // The footer decodes and agrees with the data it describes.
        let check = recover(&path).unwrap_or_else(|e| panic!("{context}: invalid file: {e}"));
        assert!(check.was_complete, "{context}: {check:?}");
        assert_eq!(check.rows, rows_written, "{context}");
        assert_eq!(check.row_groups, groups_written, "{context}");
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).unwrap();
            let name = format!("fuzz_{seed}_{iteration}_rows{rows_written}.parquet");
            std::fs::copy(&path, keep.join(name)).unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    // Both outcomes must be exercised for the run to mean anything.
    assert!(
        accepted > iterations && rejected > iterations,
        "{accepted} accepted, {rejected} rejected"
    );
    println!("{iterations} schemas: {accepted} row groups accepted, {rejected} rejected");
}

/// Whether levels for one REPEATED column (max levels 1, 1) describe `rows` rows holding
/// `values` defined values, by the format's rules: levels 0 or 1; the first entry starts a row;
/// an empty list (definition level 0) is a whole row, so it neither continues a row
/// (repetition 1) nor is continued by the next entry.
fn repeated_levels_valid(def: &[u8], rep: &[u8], rows: usize, values: usize) -> bool {
    def.len() == rep.len()
        && def.iter().chain(rep).all(|&l| l <= 1)
        && rep.first().is_none_or(|&r| r == 0)
        && (0..def.len()).all(|i| rep[i] == 0 || (def[i] == 1 && def[i - 1] == 1))
        && rep.iter().filter(|&&r| r == 0).count() == rows
        && def.iter().filter(|&&d| d == 1).count() == values
}

/// Levels drawn at random (not built valid and then broken), with the values and row count they
/// imply or, sometimes, not: the writer must accept exactly the inputs the rules above accept.
#[test]
fn repeated_levels_accepted_exactly_when_valid() {
    let seed = env_u64("PARQUET_FLOW_FUZZ_SEED", 20_261_125);
    let iterations = env_u64("PARQUET_FLOW_FUZZ_ITERS", 3000) * 5;
    let dir = std::env::temp_dir().join(format!("pf-levels-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("levels.parquet");
    let columns = vec![Column::new("c0", PhysicalType::Int32, Repetition::Repeated)];
    let mut writer = FileWriter::create(&path, columns.clone(), WriterOptions::default()).unwrap();
    let mut failures = Vec::new();
    for iteration in 0..iterations {
        let mut rng = Rng(seed ^ iteration.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let len = 1 + rng.below(8) as usize;
        let level = |rng: &mut Rng| if rng.chance(3) { 2 } else { rng.below(2) as u8 };
        let def: Vec<u8> = (0..len).map(|_| level(&mut rng)).collect();
        let rep: Vec<u8> = (0..len).map(|_| level(&mut rng)).collect();
        let mut rows = rep.iter().filter(|&&r| r == 0).count();
        let mut values = def.iter().filter(|&&d| d == 1).count();
        if rng.chance(10) {
            rows += 1;
        }
        if rng.chance(10) {
            values = values.saturating_sub(1);
        }
        if rows == 0 {
            continue; // a row group needs a row; that rule is checked elsewhere
        }
        let bytes = vec![0u8; 4 * values];
        let input = ColumnInput {
            values: &bytes,
            def_levels: Some(&def),
            rep_levels: Some(&rep),
            ..ColumnInput::default()
        };
        let accepted = catch_unwind(AssertUnwindSafe(|| writer.write_row_group(rows, &[input])))
            .unwrap_or_else(|_| panic!("seed {seed}, iteration {iteration}: panicked"))
            .is_ok();
        if accepted != repeated_levels_valid(&def, &rep, rows, values) && failures.len() < 10 {
            failures.push(format!(
                "PARQUET_FLOW_FUZZ_SEED={seed}, iteration {iteration}: def {def:?} rep {rep:?}, \
                 {rows} rows, {values} values: writer {}",
                if accepted { "accepted" } else { "rejected" }
            ));
        }
    }
    writer.close().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
