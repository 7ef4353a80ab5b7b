#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gitops_gen::fuzz::policy(data));
