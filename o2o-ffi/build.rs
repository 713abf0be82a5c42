//! Gives the shared library an ELF soname carrying the ABI version (`libo2o.so.2`), so programs
//! linked against one ABI refuse to load another. Writes nothing into the source tree.

fn main() {
    // Keep in sync with `O2O_ABI_VERSION` in src/lib.rs (scripts/install-c.sh checks both agree).
    const ABI: u32 = 2;
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libo2o.so.{ABI}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
