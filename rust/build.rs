//! Compiles the cxx bridge's C++ glue into this static library and, when the CMake build asks
//! for it through PARQUET_FLOW_CXXBRIDGE_DIR, copies the generated header and cxx.h where the
//! C++ sources include them from:
//!   $DIR/parquet_flow_core/bridge.rs.h   and   $DIR/rust/cxx.h
//! (CMake declares both as byproducts of the cargo step, so Ninja rebuilds C++ after a change.)

use std::path::{Path, PathBuf};

fn main() {
    cxx_build::bridge("src/bridge.rs")
        .std("c++20")
        .flag_if_supported("-fno-omit-frame-pointer")
        .compile("parquet_flow_cxxbridge");
    println!("cargo:rerun-if-changed=src/bridge.rs");
    println!("cargo:rerun-if-env-changed=PARQUET_FLOW_CXXBRIDGE_DIR");

    if let Some(dir) = std::env::var_os("PARQUET_FLOW_CXXBRIDGE_DIR") {
        let dir = PathBuf::from(dir);
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        let generated = out.join("cxxbridge/include");
        copy_if_changed(
            &generated.join("parquet_flow_core/src/bridge.rs.h"),
            &dir.join("parquet_flow_core/bridge.rs.h"),
        );
        copy_if_changed(&generated.join("rust/cxx.h"), &dir.join("rust/cxx.h"));
    }
}

/// Copies only when the content differs, so an unchanged header keeps its timestamp and the
/// C++ side is not rebuilt for nothing.
fn copy_if_changed(from: &Path, to: &Path) {
    let content = std::fs::read(from)
        .unwrap_or_else(|e| panic!("cannot read generated header {}: {e}", from.display()));
    if std::fs::read(to).ok().as_deref() == Some(&content[..]) {
        return;
    }
    std::fs::create_dir_all(to.parent().expect("header path has a parent"))
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    std::fs::write(to, &content).unwrap_or_else(|e| panic!("cannot write {}: {e}", to.display()));
}
