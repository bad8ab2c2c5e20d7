//! The SOAP envelope parser (and the bounded XML reader under it) on arbitrary bytes, with the fault the server
//! would answer. First byte: which Content-Type the request claims (low bits) and whether a bare payload is allowed
//! (high bit), as on the HTTP-binding paths; the rest is the body.
//!
//! Oracles besides "no panic": a refused request's fault is well-formed XML that our own reader accepts and holds
//! no character XML 1.0 forbids (a SOAP client must be able to read it); an accepted request's payload is the
//! element the Body held, never deeper than the reader's depth limit.
#![no_main]

use forcereset::soap::envelope::{self, Framing};
use forcereset::soap::{fault, xml};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 7] = [
    None,
    Some("text/xml; charset=UTF-8"),
    Some("application/soap+xml; charset=UTF-8; action=\"urn:getUserProfile\""),
    Some("application/xml"),
    Some("text/plain"),
    Some(""),
    Some("TEXT/XML"),
];

fn depth(e: &xml::Element) -> usize {
    1 + e.children.iter().map(depth).max().unwrap_or(0)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector & 0x7f) % CONTENT_TYPES.len()];
    let pox_allowed = selector & 0x80 != 0;
    match envelope::parse(body, content_type, pox_allowed) {
        Ok(request) => {
            assert!(depth(&request.payload) <= xml::Limits::default().max_depth);
            if request.framing == Framing::Pox {
                assert!(pox_allowed || request.payload.name != "Envelope");
            }
        }
        Err(e) => {
            let framing = e.framing(Framing::from_content_type(content_type));
            let doc = envelope::fault(framing, &fault::from_envelope(&e));
            if let Err(err) = xml::parse(doc.as_bytes(), xml::Limits::default()) {
                panic!("the fault for {e:?} is not well-formed ({err}): {doc}");
            }
            assert!(
                !doc.chars().any(xml::is_forbidden_char),
                "the fault for {e:?} holds a character XML forbids: {doc:?}"
            );
        }
    }
});
