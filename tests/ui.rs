//! Compile tests of the macros (`#[actor]`, `#[handler]`, `#[derive(Message)]`), with
//! `trybuild`: each program in `tests/ui/fail` must be refused with exactly the errors in its
//! `.stderr` (at the user's offending token), and each one in `tests/ui/pass` must compile and
//! run. Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`, then
//! review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
