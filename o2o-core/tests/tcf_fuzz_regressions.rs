//! Replays every input kept in `fuzz/regressions/tcf_decode/` (inputs that once crashed or
//! probe an edge) through the same checks as the `tcf_decode` fuzz target.
#![allow(clippy::unwrap_used)]

use o2o_core::consent::ConsentMode;
use o2o_core::consent::tcf::TcString;

#[test]
fn replay_tcf_decode_regressions() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/tcf_decode");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&data);
        if let Ok(tc) = TcString::decode(&text) {
            assert_eq!(
                TcString::decode(&tc.encode()).as_ref(),
                Ok(&tc),
                "{}",
                path.display()
            );
        }
        let _ = ConsentMode::parse(&text);
        n += 1;
    }
    assert!(n >= 1, "no regression inputs in {}", dir.display());
}
