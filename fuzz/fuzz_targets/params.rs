//! The form and query decoder (`Params::from_urlencoded`, `Params::from_query`) on arbitrary bytes.
//!
//! Oracles besides "no panic": decoding is stable (decode → encode → decode gives the same pairs), `get` finds
//! the first value of every decoded name, and a query string decodes exactly as the same bytes posted as a form.
#![no_main]

use forcereset::http::router::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let form = Params::from_urlencoded(data);
    for (name, value) in &form.0 {
        let first = form.get(name).expect("a decoded name is found");
        if first != value {
            assert!(
                form.get_all(name).count() > 1,
                "get({name:?}) gave {first:?}, not the first value"
            );
        }
    }
    let encoded = serde_urlencoded::to_string(&form.0).expect("pairs of strings encode");
    assert_eq!(
        Params::from_urlencoded(encoded.as_bytes()),
        form,
        "re-decoding {encoded:?}"
    );

    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(uri) = format!("/commonauth?{text}").parse::<hyper::Uri>()
    {
        let query = Params::from_query(&uri);
        let raw = uri.query().unwrap_or("");
        assert_eq!(query, Params::from_urlencoded(raw.as_bytes()), "query {raw:?}");
    }
});
