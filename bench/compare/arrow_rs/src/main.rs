//! arrow-rs `parquet` low-level writer on a payload file written by `pf_bench --mode dump`.
//!
//! arrow_rs_bench PAYLOAD_FILE OUTPUT ROWS ROW_SIZE ROW_GROUP_ROWS required|optional NULL_EVERY
//!                uncompressed|gzip|zstd LEVEL
//!
//! Settings match parquet_flow's output: PLAIN, no dictionary, no statistics, v1 pages of 1 MiB.
//! Prints the same lines as pf_bench.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use parquet::basic::{Compression, Encoding, GzipLevel, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 10 {
        eprintln!("usage: arrow_rs_bench PAYLOAD OUTPUT ROWS ROW_SIZE ROW_GROUP_ROWS required|optional NULL_EVERY uncompressed|gzip|zstd LEVEL");
        std::process::exit(2);
    }
    let n = |i: usize| args[i].parse::<usize>().expect("number");
    let (rows, row_size, group_rows, null_every) = (n(3), n(4), n(5), n(7));
    let optional = args[6] == "optional";
    let payload = Bytes::from(std::fs::read(&args[1]).expect("payload file"));
    assert!(payload.len() >= rows * row_size, "payload file too short");

    // Prepared before timing, as pf_bench prepares its row groups.
    let mut groups = Vec::new();
    for first in (0..rows).step_by(group_rows) {
        let end = (first + group_rows).min(rows);
        let mut values = Vec::with_capacity(end - first);
        let mut def = Vec::with_capacity(end - first);
        for r in first..end {
            let null = optional && null_every > 0 && r % null_every == 0;
            def.push(if null { 0i16 } else { 1 });
            if !null {
                values.push(ByteArray::from(payload.slice(r * row_size..(r + 1) * row_size)));
            }
        }
        groups.push((values, def));
    }

    let message = format!(
        "message schema {{ {} binary payload; }}",
        if optional { "optional" } else { "required" }
    );
    let schema = Arc::new(parse_message_type(&message).expect("schema"));
    let level: i32 = args[9].parse().expect("level");
    let compression = match args[8].as_str() {
        "gzip" => Compression::GZIP(GzipLevel::try_new(level as u32).expect("gzip level")),
        "zstd" => Compression::ZSTD(ZstdLevel::try_new(level).expect("zstd level")),
        _ => Compression::UNCOMPRESSED,
    };
    let props = Arc::new(
        WriterProperties::builder()
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(compression)
            .set_dictionary_enabled(false)
            .set_encoding(Encoding::PLAIN)
            .set_statistics_enabled(EnabledStatistics::None)
            .build(),
    );

    let cpu_start = process_cpu_seconds();
    let start = Instant::now();
    let file = std::fs::File::create(&args[2]).expect("output");
    let mut writer = SerializedFileWriter::new(file, schema, props).expect("writer");
    let mut payload_bytes = 0u64;
    for (values, def) in &groups {
        payload_bytes += values.iter().map(|v| v.len() as u64).sum::<u64>();
        let mut rg = writer.next_row_group().expect("row group");
        while let Some(mut column) = rg.next_column().expect("column") {
            column
                .typed::<ByteArrayType>()
                .write_batch(values, optional.then_some(&def[..]), None)
                .expect("write");
            column.close().expect("close column");
        }
        rg.close().expect("close row group");
    }
    writer.close().expect("close");
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = process_cpu_seconds() - cpu_start;
    let file_bytes = std::fs::metadata(&args[2]).expect("stat").len();
    let mib = 1024.0 * 1024.0;
    println!("rows_per_sec={:.2}", rows as f64 / seconds);
    println!("payload_mib_per_sec={:.2}", payload_bytes as f64 / mib / seconds);
    println!("file_mib_per_sec={:.2}", file_bytes as f64 / mib / seconds);
    println!("file_bytes={file_bytes}");
    println!("cpu_seconds={cpu_seconds:.6}");
}

/// User + system CPU of the whole process from /proc/self/stat (clock ticks of 1/100 s).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}
