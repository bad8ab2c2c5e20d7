//! A small, bounded, namespace-resolving XML tree for SOAP payloads, and escaping helpers for writing.
//!
//! Why our own tree: requests must be refused *before* any expansion or deep recursion (DOCTYPE, entities,
//! 10,000-deep nesting, huge attribute lists), and decoders need to match elements by namespace URI whatever
//! prefix a toolkit chose. quick-xml's `NsReader` gives resolved names; this module adds limits and a tree.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Limits that keep a hostile document cheap to refuse. Real WSO2 requests are a few levels deep.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_elements: usize,
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_elements: 20_000,
            max_attributes: 64,
        }
    }
}

pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("The request is not valid UTF-8")]
    NotUtf8,
    #[error("DOCTYPE is not allowed in SOAP messages")]
    Doctype,
    #[error("Processing instructions are not allowed in SOAP messages")]
    ProcessingInstruction,
    #[error("The XML document nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("The XML document has more than {0} elements")]
    TooManyElements(usize),
    #[error("An element has more than {0} attributes")]
    TooManyAttributes(usize),
    #[error("The request body is empty")]
    Empty,
    #[error("Unbound namespace prefix in {0}")]
    UnboundPrefix(String),
    #[error("Malformed XML: {0}")]
    Malformed(String),
    #[error("The XML document holds the character U+{0:04X}, which XML 1.0 does not allow")]
    IllegalChar(u32),
}

/// Characters XML 1.0 does not allow anywhere in a document, even as character references (§2.2): C0 controls
/// other than tab, LF and CR, and U+FFFE/U+FFFF. (Surrogates cannot occur in a Rust `str`.)
pub fn is_forbidden_char(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}')
}

/// Refuse text holding a character XML forbids. A byte scan: every forbidden character but U+FFFE/U+FFFF is a C0
/// control, and those two are the only characters encoded `EF BF BE`/`EF BF BF`.
fn check_chars(text: &str) -> Result<(), XmlError> {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match *b {
            b'\t' | b'\n' | b'\r' => {}
            0..0x20 => return Err(XmlError::IllegalChar(u32::from(*b))),
            0xEF if bytes.get(i + 1) == Some(&0xBF) => match bytes.get(i + 2) {
                Some(0xBE) => return Err(XmlError::IllegalChar(0xfffe)),
                Some(0xBF) => return Err(XmlError::IllegalChar(0xffff)),
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub ns: Option<String>,
    pub name: String,
    pub value: String,
}

/// An element with its resolved namespace, attributes, child elements and the concatenated text of its own text
/// nodes (mixed content is not used by SOAP payloads).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// Children with this namespace and local name.
    pub fn all<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    pub fn first(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn attr(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == ns && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// `xsi:nil="true"` (or "1").
    pub fn is_nil(&self) -> bool {
        matches!(self.attr(Some(XSI), "nil"), Some("true" | "1"))
    }

    /// The text content, or None for `xsi:nil`.
    pub fn value(&self) -> Option<&str> {
        if self.is_nil() { None } else { Some(&self.text) }
    }
}

/// Parse a whole document into its root element, refusing DOCTYPEs, PIs, unbound prefixes and anything past the
/// limits. Comments and the XML declaration are allowed and dropped.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // quick-xml does not check characters; a conforming parser (WSO2's Woodstox) refuses these, and letting them in
    // would store values no XML response can carry.
    check_chars(text)?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    reader.config_mut().expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        // Own the element's namespace now: the resolution borrows the reader, which attributes need next.
        let element_ns = match &event {
            Event::Start(start) | Event::Empty(start) => {
                namespace(resolved, &String::from_utf8_lossy(start.name().as_ref()))?
            }
            _ => None,
        };
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError::Malformed("content after the document element".into()));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements(limits.max_elements));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                let element = open_element(&reader, element_ns, start, limits)?;
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(t) => {
                let unescaped = t.unescape().map_err(|e| XmlError::Malformed(e.to_string()))?;
                // `&#1;` is as illegal as a raw U+0001 (raw text was checked with the whole document).
                if matches!(unescaped, std::borrow::Cow::Owned(_)) {
                    check_chars(&unescaped)?;
                }
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return Err(XmlError::Malformed("text outside the document element".into())),
                }
            }
            Event::CData(c) => {
                let data = std::str::from_utf8(&c).map_err(|_| XmlError::NotUtf8)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(data),
                    None => return Err(XmlError::Malformed("CDATA outside the document element".into())),
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::PI(_) => return Err(XmlError::ProcessingInstruction),
            Event::Comment(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("the document ends inside an element".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn namespace(resolved: ResolveResult<'_>, what: &str) -> Result<Option<String>, XmlError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(_) => Err(XmlError::UnboundPrefix(what.to_string())),
    }
}

fn open_element(
    reader: &NsReader<&[u8]>,
    ns: Option<String>,
    start: &BytesStart<'_>,
    limits: Limits,
) -> Result<Element, XmlError> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    // Namespace declarations count against the limit too, and reading stops at the first one past it: the
    // attribute iterator checks each name against all earlier ones, so an element with 60,000 `xmlns:pN`
    // declarations (1 MiB) cost seconds of CPU, before authentication, while being skipped here uncounted. Now at
    // most `max_attributes + 1` are read.
    for (seen, attr) in start.attributes().enumerate() {
        if seen >= limits.max_attributes {
            return Err(XmlError::TooManyAttributes(limits.max_attributes));
        }
        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = attr.key;
        if key.as_ref().starts_with(b"xmlns") && (key.as_ref().len() == 5 || key.as_ref()[5] == b':') {
            continue;
        }
        let (attr_ns, local) = reader.resolve_attribute(key);
        let attr_ns = namespace(attr_ns, &String::from_utf8_lossy(key.as_ref()))?;
        let value = attr
            .unescape_value()
            .map_err(|e| XmlError::Malformed(e.to_string()))?
            .into_owned();
        check_chars(&value)?;
        attrs.push(Attr {
            ns: attr_ns,
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            value,
        });
    }
    Ok(Element {
        ns,
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

/// Escape text for element content or a double-quoted attribute value. Characters XML 1.0 cannot carry at all
/// (see [`is_forbidden_char`]) become U+FFFD, so that whatever a value holds — a claim written by another
/// channel, a client's bytes echoed in a fault — the document stays well-formed for the client's parser.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if next_special(text.as_bytes(), 0).is_some() {
        let mut out = String::with_capacity(text.len() + 16);
        escape_into(&mut out, text);
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// [`escape`], appended to `out` (no intermediate string).
pub fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut from = 0;
    while let Some((at, rep, len)) = next_special(bytes, from) {
        // `at` and `at + len` are character boundaries: `special` only matches whole characters.
        out.push_str(text.get(start..at).unwrap_or_default());
        out.push_str(rep);
        start = at + len;
        from = start;
    }
    out.push_str(text.get(start..).unwrap_or_default());
}

/// Bytes that may start a character [`escape`] changes: the five markup characters, C0 controls, and `EF` (the
/// first byte of U+FFFE/U+FFFF, among others). Looked up per byte, so that the usual text is skipped quickly.
const MAY_CHANGE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[0xEF] = true;
    table
};

/// The first character at or after byte `from` that [`escape`] changes: its byte offset, replacement and length.
fn next_special(bytes: &[u8], mut from: usize) -> Option<(usize, &'static str, usize)> {
    loop {
        let offset = bytes.get(from..)?.iter().position(|b| MAY_CHANGE[usize::from(*b)])?;
        let at = from + offset;
        if let Some((rep, len)) = special(bytes, at, bytes.get(at).copied().unwrap_or_default()) {
            return Some((at, rep, len));
        }
        from = at + 1;
    }
}

/// What [`escape`] writes for the character starting at byte `i` (whose first byte is `b`), if not the character
/// itself, and that character's length: the five predefined entities, U+FFFD for a forbidden character. Every
/// such character but U+FFFE/U+FFFF is ASCII, so a byte scan finds them; those two are `EF BF BE`/`EF BF BF`.
fn special(bytes: &[u8], i: usize, b: u8) -> Option<(&'static str, usize)> {
    match b {
        b'<' => Some(("&lt;", 1)),
        b'>' => Some(("&gt;", 1)),
        b'&' => Some(("&amp;", 1)),
        b'"' => Some(("&quot;", 1)),
        b'\'' => Some(("&apos;", 1)),
        b'\t' | b'\n' | b'\r' => None,
        0..0x20 => Some(("\u{fffd}", 1)),
        0xEF if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) => {
            Some(("\u{fffd}", 3))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MGT: &str = "http://mgt.profile.user.identity.carbon.wso2.org";

    #[test]
    fn namespaces_resolve_whatever_the_prefix() {
        let a = parse(
            format!(r#"<m:a xmlns:m="{MGT}"><m:b>x</m:b></m:a>"#).as_bytes(),
            Limits::default(),
        )
        .unwrap();
        let b = parse(
            format!(r#"<a xmlns="{MGT}"><b>x</b></a>"#).as_bytes(),
            Limits::default(),
        )
        .unwrap();
        assert!(a.is(MGT, "a") && b.is(MGT, "a"));
        assert_eq!(a.first(MGT, "b").unwrap().text, "x");
        assert_eq!(a, b);
    }

    #[test]
    fn entities_and_cdata_are_text_and_nil_is_seen() {
        let doc = format!(
            r#"<a xmlns:xsi="{XSI}"><b>&lt;&amp;&#65;</b><c><![CDATA[<raw>]]></c><d xsi:nil="true"/><!-- c --></a>"#
        );
        let a = parse(doc.as_bytes(), Limits::default()).unwrap();
        assert_eq!(a.first_local("b").text, "<&A");
        assert_eq!(a.first_local("c").text, "<raw>");
        assert!(a.first_local("d").is_nil());
        assert_eq!(a.first_local("d").value(), None);
    }

    #[test]
    fn hostile_documents_are_refused() {
        let l = Limits::default();
        assert_eq!(parse(b"", l), Err(XmlError::Empty));
        assert_eq!(parse(b"\xff\xfe<a/>", l), Err(XmlError::NotUtf8));
        let laughs =
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert_eq!(parse(laughs.as_bytes(), l), Err(XmlError::Doctype));
        let xxe = r#"<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#;
        assert_eq!(parse(xxe.as_bytes(), l), Err(XmlError::Doctype));
        assert!(
            matches!(parse(b"<a>&x;</a>", l), Err(XmlError::Malformed(_))),
            "undeclared entity"
        );
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert_eq!(parse(deep.as_bytes(), l), Err(XmlError::TooDeep(64)));
        assert!(matches!(parse(b"<a><b></a>", l), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a>", l), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a/><b/>", l), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<x:a/>", l), Err(XmlError::UnboundPrefix(_))));
        assert_eq!(parse(b"<?pi x?><a/>", l), Err(XmlError::ProcessingInstruction));
        let many: String = format!("<a>{}</a>", "<b/>".repeat(30_000));
        assert_eq!(parse(many.as_bytes(), l), Err(XmlError::TooManyElements(20_000)));
        let attrs: String = format!(
            "<a {}/>",
            (0..100).map(|i| format!("a{i}=\"1\"")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(parse(attrs.as_bytes(), l), Err(XmlError::TooManyAttributes(64)));
    }

    /// Regression (found by `cargo fuzz run envelope`): a NUL in a malformed end tag was echoed into the fault,
    /// making the fault itself unreadable XML. Forbidden characters are now refused on input, raw or as
    /// references, and never written.
    #[test]
    fn characters_xml_forbids_are_refused_and_never_written() {
        let l = Limits::default();
        assert_eq!(parse(b"<a>x\0</a>", l), Err(XmlError::IllegalChar(0)));
        assert_eq!(parse(b"<a></a\0>", l), Err(XmlError::IllegalChar(0)));
        assert_eq!(parse(b"<a>&#1;</a>", l), Err(XmlError::IllegalChar(1)));
        assert_eq!(parse(b"<a b='&#x1F;'/>", l), Err(XmlError::IllegalChar(0x1f)));
        assert_eq!(
            parse("<a>\u{ffff}</a>".as_bytes(), l),
            Err(XmlError::IllegalChar(0xffff))
        );
        // Tab, LF and CR stay legal, raw and as references.
        assert_eq!(parse(b"<a>\t\n\r&#9;</a>", l).unwrap().text, "\t\n\r\t");
        assert_eq!(escape("a\u{1}<\u{fffe}"), "a\u{fffd}&lt;\u{fffd}");
        assert_eq!(escape("\u{ffff}é\u{fffd}\u{efbf}"), "\u{fffd}é\u{fffd}\u{efbf}");
        // Every forbidden character, at every position, becomes U+FFFD; nothing else changes.
        for c in (0u32..0x20).chain([0xfffe, 0xffff]).filter_map(char::from_u32) {
            let expected = if is_forbidden_char(c) { '\u{fffd}' } else { c };
            assert_eq!(escape(&format!("{c}x{c}")), format!("{expected}x{expected}"), "{c:?}");
        }
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn escaping_agrees_with_quick_xml_where_every_character_is_allowed() {
        for text in [
            "",
            "plain",
            "<a href=\"x\">Tom & 'Jerry'</a>",
            "&amp; stays escaped twice",
            "ünïcödé → ☃ 𝄞 <",
            "\t\n\r",
            ">>>",
        ] {
            assert_eq!(escape(text), quick_xml::escape::escape(text), "{text:?}");
            let mut out = String::from("x");
            escape_into(&mut out, text);
            assert_eq!(out, format!("x{}", quick_xml::escape::escape(text)));
        }
    }

    /// Regression: namespace declarations were not counted against `max_attributes`, and quick-xml checks every
    /// attribute name against all earlier ones, so 60,000 declarations on one element (a 1 MiB body) took seconds
    /// of CPU per request (quadratic), before authentication.
    #[test]
    fn namespace_declarations_count_as_attributes() {
        let l = Limits::default();
        let decls = |n: usize| -> String { (0..n).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect() };
        assert!(parse(format!("<a{}/>", decls(64)).as_bytes(), l).is_ok());
        assert_eq!(
            parse(format!("<a{}/>", decls(65)).as_bytes(), l),
            Err(XmlError::TooManyAttributes(64))
        );
        let mixed = format!("<a{} b=\"1\"/>", decls(64));
        assert_eq!(parse(mixed.as_bytes(), l), Err(XmlError::TooManyAttributes(64)));
        // Reading stops at the first attribute past the limit: a duplicate placed after 60,000 declarations,
        // which quick-xml reports only when the iterator reaches it, is never reached. (A count, not a clock, so
        // the check holds on a loaded machine.)
        let huge = format!("<a{} xmlns:p0=\"urn:again\"/>", decls(60_000));
        assert_eq!(parse(huge.as_bytes(), l), Err(XmlError::TooManyAttributes(64)));
        let duplicate_early = format!("<a{} xmlns:p0=\"urn:again\"/>", decls(3));
        assert!(matches!(
            parse(duplicate_early.as_bytes(), l),
            Err(XmlError::Malformed(_))
        ));
    }

    impl Element {
        fn first_local(&self, name: &str) -> &Element {
            self.children.iter().find(|c| c.name == name).unwrap()
        }
    }
}
