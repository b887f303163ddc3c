//! The engine's shared vectors, executed as WebAssembly (under Node.js by
//! `wasm-bindgen-test-runner`): the client computes exactly what the native tests expect.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn vectors_agree_in_webassembly() {
    let checked = portal_sla::check_vectors(portal_sla::BUILTIN_VECTORS)
        .unwrap_or_else(|e| panic!("vectors disagree in wasm: {e}"));
    assert!(checked >= 30, "only {checked} vectors");
}
