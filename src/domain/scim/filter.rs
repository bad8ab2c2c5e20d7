//! SCIM filters (RFC 7644 §3.4.2.2) as Charon reads them (`FilterTreeManager`): `or` binds looser than `and`,
//! `not` and parentheses group, operators and logical words are case-insensitive, and a value may be a quoted
//! string, `true`/`false`/`null`, a number, or, as Charon also accepts, a bare word (`userName Eq scim2user`).
//! Also the attribute paths of PATCH (`emails[type eq "work"].value`, `urn:…:User:forcePasswordReset`).
//!
//! The parser is bounded (input length, nesting depth), so a hostile filter costs a parse error, not a stack.

use super::schema;

/// The longest filter or path accepted.
pub const MAX_LEN: usize = 4096;
/// The deepest nesting of `not`, parentheses and value filters accepted.
const MAX_DEPTH: usize = 32;

/// An attribute path: an optional schema URN, an attribute, an optional sub-attribute (`name.givenName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN it was qualified with, if any (`urn:…:enterprise:2.0:User`).
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    pub fn simple(attr: &str) -> AttrPath {
        AttrPath {
            urn: None,
            attr: attr.to_string(),
            sub: None,
        }
    }

    /// Parse `[URN ":"] attr ["." sub]`. A known schema URN may be followed by `:` or `.` (Charon
    /// `AttributeUtil#getAttributeURI` accepts `urn:scim:wso2:schema.passwordExpiryTime` too); an unknown `urn:`
    /// is split at its last colon.
    pub fn parse(text: &str) -> Result<AttrPath, FilterError> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || "()[]\"'".contains(c)) {
            return Err(FilterError::Syntax);
        }
        let (urn, rest) = split_urn(text);
        let (attr, sub) = match rest.split_once('.') {
            Some((attr, sub)) => (attr, Some(sub)),
            None => (rest, None),
        };
        let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-$".contains(c));
        if !valid(attr) || sub.is_some_and(|s| !valid(s)) {
            return Err(FilterError::Syntax);
        }
        Ok(AttrPath {
            urn: urn.map(str::to_string),
            attr: attr.to_string(),
            sub: sub.map(str::to_string),
        })
    }
}

/// `(URN, rest)` of an attribute path text.
fn split_urn(text: &str) -> (Option<&str>, &str) {
    if !text.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return (None, text);
    }
    let known = schema::KNOWN_URNS
        .iter()
        .filter(|urn| {
            text.len() > urn.len()
                && text[..urn.len()].eq_ignore_ascii_case(urn)
                && matches!(text.as_bytes()[urn.len()], b':' | b'.')
        })
        .max_by_key(|urn| urn.len());
    match known {
        Some(urn) => (Some(&text[..urn.len()]), &text[urn.len() + 1..]),
        None => match text.rsplit_once(':') {
            Some((urn, rest)) => (Some(urn), rest),
            None => (None, text),
        },
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<CompareOp> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

/// A comparison value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Str(String),
    Bool(bool),
    /// A number, as written.
    Num(String),
    Null,
}

impl FilterValue {
    /// The value as a claim would hold it (`true`, `42`, the string itself; empty for null).
    pub fn as_text(&self) -> String {
        match self {
            FilterValue::Str(s) | FilterValue::Num(s) => s.clone(),
            FilterValue::Bool(b) => b.to_string(),
            FilterValue::Null => String::new(),
        }
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: FilterValue,
    },
    Present(AttrPath),
    /// `emails[type eq "work" and value co "@x"]`: some element of a multi-valued attribute matches.
    Elements {
        path: AttrPath,
        filter: Box<Filter>,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    /// Does the filter combine expressions (`and`, `or`, `not`)? Groups take single expressions only.
    pub fn is_complex(&self) -> bool {
        matches!(self, Filter::And(..) | Filter::Or(..) | Filter::Not(_))
    }
}

/// Why a filter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// Not a filter (or too long, or too deep).
    Syntax,
    /// An operator that is none of SCIM's (Charon: "Given filter operator is not supported.").
    UnknownOperator(String),
}

impl From<FilterError> for super::ScimError {
    fn from(e: FilterError) -> super::ScimError {
        match e {
            FilterError::Syntax => super::ScimError::bad_filter(),
            FilterError::UnknownOperator(_) => super::ScimError::new(
                super::ScimType::InvalidFilter,
                "Given filter operator is not supported.",
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    /// A quoted string, unescaped.
    Quoted(String),
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    if text.len() > MAX_LEN {
        return Err(FilterError::Syntax);
    }
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' | '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(FilterError::Syntax),
                        Some(q) if q == c => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some(other) => s.push(other),
                            None => return Err(FilterError::Syntax),
                        },
                        Some(other) => s.push(other),
                    }
                }
                tokens.push(Token::Quoted(s));
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "()[]".contains(c) {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(s));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.and(depth)?;
        while self.peek_word("or") {
            self.at += 1;
            let right = self.and(depth)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.unary(depth)?;
        while self.peek_word("and") {
            self.at += 1;
            let right = self.unary(depth)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(FilterError::Syntax);
        }
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary(depth + 1)?)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or(depth + 1)?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(FilterError::Syntax),
                }
            }
            Some(Token::Word(path)) => self.expression(&path, depth),
            _ => Err(FilterError::Syntax),
        }
    }

    /// After an attribute path: `pr`, a comparison, or `[value filter]`.
    fn expression(&mut self, path: &str, depth: usize) -> Result<Filter, FilterError> {
        let path = AttrPath::parse(path)?;
        if matches!(self.peek(), Some(Token::OpenBracket)) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            return match self.next() {
                Some(Token::CloseBracket) => Ok(Filter::Elements {
                    path,
                    filter: Box::new(inner),
                }),
                _ => Err(FilterError::Syntax),
            };
        }
        let Some(Token::Word(op)) = self.next() else {
            return Err(FilterError::Syntax);
        };
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op = CompareOp::parse(&op).ok_or(FilterError::UnknownOperator(op))?;
        let value = match self.next() {
            Some(Token::Quoted(s)) => FilterValue::Str(s),
            Some(Token::Word(w)) => bare_value(&w),
            _ => return Err(FilterError::Syntax),
        };
        Ok(Filter::Compare { path, op, value })
    }
}

fn bare_value(word: &str) -> FilterValue {
    match word.to_ascii_lowercase().as_str() {
        "true" => FilterValue::Bool(true),
        "false" => FilterValue::Bool(false),
        "null" => FilterValue::Null,
        _ if word.parse::<f64>().is_ok() && word.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => {
            FilterValue::Num(word.to_string())
        }
        _ => FilterValue::Str(word.to_string()),
    }
}

/// Parse a whole filter.
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    if parser.tokens.is_empty() {
        return Err(FilterError::Syntax);
    }
    let filter = parser.or(0)?;
    if parser.at != parser.tokens.len() {
        return Err(FilterError::Syntax);
    }
    Ok(filter)
}

/// A PATCH path (RFC 7644 §3.5.2): an attribute path, or a value path `attr[filter]` with an optional
/// sub-attribute after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchPath {
    pub attr: AttrPath,
    /// The elements of a multi-valued attribute the operation targets.
    pub filter: Option<Filter>,
    /// `emails[type eq "work"].value`: the sub-attribute of those elements.
    pub sub: Option<String>,
}

/// Parse a PATCH `path`. A bare schema URN (`urn:…:enterprise:2.0:User`) names the extension as a whole: its
/// `attr` is empty.
pub fn parse_path(text: &str) -> Result<PatchPath, FilterError> {
    let text = text.trim();
    if text.len() > MAX_LEN {
        return Err(FilterError::Syntax);
    }
    if let Some(urn) = schema::KNOWN_URNS.iter().find(|u| u.eq_ignore_ascii_case(text)) {
        return Ok(PatchPath {
            attr: AttrPath {
                urn: Some(urn.to_string()),
                attr: String::new(),
                sub: None,
            },
            filter: None,
            sub: None,
        });
    }
    let Some(open) = text.find('[') else {
        return Ok(PatchPath {
            attr: AttrPath::parse(text)?,
            filter: None,
            sub: None,
        });
    };
    let close = text.rfind(']').ok_or(FilterError::Syntax)?;
    if close < open {
        return Err(FilterError::Syntax);
    }
    let attr = AttrPath::parse(&text[..open])?;
    if attr.sub.is_some() {
        return Err(FilterError::Syntax);
    }
    let filter = parse(&text[open + 1..close])?;
    let rest = &text[close + 1..];
    let sub = match rest.strip_prefix('.') {
        Some(sub) if !sub.is_empty() && sub.chars().all(|c| c.is_ascii_alphanumeric() || "_-$".contains(c)) => {
            Some(sub.to_string())
        }
        Some(_) => return Err(FilterError::Syntax),
        None if rest.is_empty() => None,
        None => return Err(FilterError::Syntax),
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}
