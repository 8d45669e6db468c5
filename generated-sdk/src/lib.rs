#![doc = "Typed, validated async client for WeChat Pay APIv3 marketing APIs."]
#![forbid(unsafe_code)]

pub mod runtime;
