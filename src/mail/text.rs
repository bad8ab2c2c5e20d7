//! A mail's HTML body as plain text for a terminal: tags dropped, entities decoded, block elements as line breaks,
//! and every link's address on a line of its own, so that a reset link can be copied whole (the HTML source
//! carries it with `&amp;`, which a browser would not accept pasted).

/// Elements whose content is never text (style sheets, scripts, the head's title).
const SKIPPED: [&str; 4] = ["style", "script", "head", "title"];
/// Elements that end a line.
const BLOCKS: [&str; 14] = [
    "p", "div", "br", "tr", "table", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// The text of an HTML body.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skipping: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            push_text(&mut out, &rest[..open]);
        }
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(skipped) = skipping {
            if closing && name == skipped {
                skipping = None;
            }
            continue;
        }
        if let Some(skip) = SKIPPED.iter().find(|s| **s == name) {
            if !closing && !tag.ends_with('/') {
                skipping = Some(skip);
            }
            continue;
        }
        if name == "a" && !closing {
            if let Some(href) = attribute(tag, "href") {
                // The label follows; the address goes on its own line after it, when the closing tag comes.
                out.push('\u{0}');
                out.push_str(&decode(&href));
                out.push('\u{0}');
            }
        } else if name == "a" && closing {
            out.push('\u{1}');
        } else if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
        }
    }
    if skipping.is_none() {
        push_text(&mut out, rest);
    }
    tidy(&place_links(&out))
}

/// Text between tags: entities decoded, runs of white space as one space (HTML's rendering).
fn push_text(out: &mut String, text: &str) {
    let decoded = decode(text);
    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
    for c in decoded.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(if c == '\u{a0}' { ' ' } else { c });
            last_space = false;
        }
    }
}

/// Each `\0address\0label\1` becomes the label, then the address on its own line (once, if the label is the
/// address itself).
fn place_links(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len());
    let mut rest = marked;
    while let Some(start) = rest.find('\u{0}') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('\u{0}') else {
            rest = after;
            continue;
        };
        let href = &after[..end];
        let after_href = &after[end + 1..];
        let label_end = after_href.find('\u{1}').unwrap_or(after_href.len());
        let label = after_href[..label_end].trim();
        if !label.is_empty() && label != href {
            out.push_str(label);
            out.push('\n');
        } else if !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(href);
        out.push('\n');
        rest = after_href.get(label_end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.replace('\u{1}', "")
}

/// Lines trimmed, at most one blank line in a row, none at the ends.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// The value of `name="…"` (or single-quoted) in a start tag, raw (entities still encoded).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = tag[at + name.len()..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest[1..].trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            return value[1..].find(quote).map(|end| value[1..1 + end].to_string());
        }
        return Some(value.split_whitespace().next().unwrap_or_default().to_string());
    }
    None
}

/// HTML character references: the five XML ones, `&nbsp;`, and numeric ones. Anything else stays as written.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_mail_reads_as_text_with_its_link_whole_on_a_line() {
        let html = r#"<html><head><style>p { color: red }</style></head><body>
            <p>Hi Tom,</p>
            <p>Your administrator reset your password. <a href="https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ab12&amp;userstoredomain=PRIMARY&amp;username=tom">Reset Password</a></p>
            <p>One-time password: <b>K7Q2ZP</b></p><p>Thanks,<br>WSO2&nbsp;Identity Server Team</p></body></html>"#;
        let text = plain_text(html);
        assert_eq!(
            text,
            "Hi Tom,\n\nYour administrator reset your password. Reset Password\n\
             https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ab12&userstoredomain=PRIMARY&username=tom\n\n\
             One-time password: K7Q2ZP\n\nThanks,\nWSO2 Identity Server Team"
        );
    }

    #[test]
    fn entities_and_odd_markup_never_lose_text() {
        assert_eq!(
            plain_text("a &lt;b&gt; &#38; &#x41; &unknown; & c"),
            "a <b> & A &unknown; & c"
        );
        assert_eq!(plain_text("<a href='x'>x</a>"), "x");
        assert_eq!(plain_text("no tags"), "no tags");
        assert_eq!(plain_text("unclosed <b"), "unclosed <b", "not a tag: kept");
        assert_eq!(plain_text("<script>alert(1)</script>shown"), "shown");
    }
}
