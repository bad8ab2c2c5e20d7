//! Writing response payloads: qualified elements with escaped text, `xsi:nil` for absent strings, and Axis2's
//! `true`/`false` booleans.

use super::xml::{XSI, escape_into};

/// An XML fragment under construction. Prefixes are declared by the caller on the element that opens them.
#[derive(Debug, Default)]
pub struct Out {
    buf: String,
}

impl Out {
    pub fn new() -> Out {
        Out::default()
    }

    pub fn finish(self) -> String {
        self.buf
    }

    /// `<qname attrs…>`; attribute values are escaped.
    pub fn open(&mut self, qname: &str, attrs: &[(&str, &str)]) -> &mut Out {
        self.buf.push('<');
        self.buf.push_str(qname);
        for (k, v) in attrs {
            self.buf.push(' ');
            self.buf.push_str(k);
            self.buf.push_str("=\"");
            escape_into(&mut self.buf, v);
            self.buf.push('"');
        }
        self.buf.push('>');
        self
    }

    pub fn close(&mut self, qname: &str) -> &mut Out {
        self.buf.push_str("</");
        self.buf.push_str(qname);
        self.buf.push('>');
        self
    }

    /// `<qname>text</qname>`
    pub fn text(&mut self, qname: &str, value: &str) -> &mut Out {
        self.open(qname, &[]);
        escape_into(&mut self.buf, value);
        self.close(qname)
    }

    /// A nillable string: the value, or `<qname xsi:nil="true"/>`.
    pub fn opt(&mut self, qname: &str, value: Option<&str>) -> &mut Out {
        match value {
            Some(v) => self.text(qname, v),
            None => self.nil(qname),
        }
    }

    pub fn nil(&mut self, qname: &str) -> &mut Out {
        self.buf.push('<');
        self.buf.push_str(qname);
        self.buf.push_str(" xmlns:xsi=\"");
        self.buf.push_str(XSI);
        self.buf.push_str("\" xsi:nil=\"true\"/>");
        self
    }

    pub fn boolean(&mut self, qname: &str, value: bool) -> &mut Out {
        self.text(qname, if value { "true" } else { "false" })
    }

    pub fn int(&mut self, qname: &str, value: i64) -> &mut Out {
        self.text(qname, &value.to_string())
    }

    /// An empty element `<qname attrs…/>`.
    pub fn empty(&mut self, qname: &str, attrs: &[(&str, &str)]) -> &mut Out {
        self.open(qname, attrs);
        self.buf.pop();
        self.buf.push_str("/>");
        self
    }
}

/// Open `<ns:{op}Response xmlns:ns="{ns}">`, the wrapper of every response payload.
pub fn response(ns: &str, op: &str) -> Out {
    // A profile answer is a few KiB: start there rather than grow through a dozen reallocations.
    let mut out = Out {
        buf: String::with_capacity(4096),
    };
    out.open(&format!("ns:{op}Response"), &[("xmlns:ns", ns)]);
    out
}

/// Close the wrapper opened by [`response`] and hand the payload over.
pub fn finish_response(mut out: Out, op: &str) -> super::Outcome {
    out.close(&format!("ns:{op}Response"));
    super::Outcome::Payload(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_nil_is_declared() {
        let mut o = Out::new();
        o.open("ns:a", &[("xmlns:ns", "urn:x&y")])
            .text("ns:b", "<&>")
            .opt("ns:c", None)
            .boolean("ns:d", true)
            .int("ns:e", -3)
            .empty("ns:f", &[])
            .close("ns:a");
        let s = o.finish();
        assert_eq!(
            s,
            format!(
                r#"<ns:a xmlns:ns="urn:x&amp;y"><ns:b>&lt;&amp;&gt;</ns:b><ns:c xmlns:xsi="{XSI}" xsi:nil="true"/><ns:d>true</ns:d><ns:e>-3</ns:e><ns:f/></ns:a>"#
            )
        );
        crate::soap::xml::parse(s.as_bytes(), Default::default()).unwrap();
    }
}
