//! Compile-fail tests of the logging macros: each file in `tests/ui` must
//! fail to build with exactly the diagnostic committed next to it
//! (`<name>.stderr`). Regenerate with `TRYBUILD=overwrite cargo test --test ui`
//! and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
