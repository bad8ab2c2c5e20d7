//! Reading request payloads: typed access to the children of an operation element, with clear faults for
//! missing, duplicated or mistyped values.

use super::xml::Element;
use crate::domain::DomainError;

/// Children of one operation element, all expected in the operation's (or a DTO's) namespace.
pub struct Fields<'a> {
    el: &'a Element,
    ns: &'a str,
}

impl<'a> Fields<'a> {
    pub fn new(el: &'a Element, ns: &'a str) -> Fields<'a> {
        Fields { el, ns }
    }

    /// Refuse children we do not know (wrong namespace, misspelt name): a silent ignore would let a client
    /// believe a value was applied.
    pub fn only(&self, known: &[&str]) -> Result<(), DomainError> {
        match self
            .el
            .children
            .iter()
            .find(|c| c.ns.as_deref() != Some(self.ns) || !known.contains(&c.name.as_str()))
        {
            None => Ok(()),
            Some(c) => Err(DomainError::InvalidInput(format!(
                "Unexpected element {{{}}}{} in {}",
                c.ns.as_deref().unwrap_or(""),
                c.name,
                self.el.name
            ))),
        }
    }

    fn named<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a Element> + use<'a, 'n> {
        let ns = self.ns;
        self.el.children.iter().filter(move |c| c.is(ns, name))
    }

    fn single(&self, name: &str) -> Result<Option<&'a Element>, DomainError> {
        let mut it = self.named(name);
        let first = it.next();
        if it.next().is_some() {
            return Err(DomainError::InvalidInput(format!(
                "Element {name} appears more than once"
            )));
        }
        Ok(first)
    }

    /// An optional string: None when absent or `xsi:nil`.
    pub fn opt_str(&self, name: &str) -> Result<Option<&'a str>, DomainError> {
        Ok(self.single(name)?.and_then(Element::value))
    }

    /// A required string: absent, nil or blank → WSO2's "Invalid input parameters" style message naming it.
    pub fn str(&self, name: &str) -> Result<&'a str, DomainError> {
        match self.opt_str(name)? {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(DomainError::InvalidInput(format!(
                "Invalid input parameters: {name} is required"
            ))),
        }
    }

    /// A string that may be empty but not absent.
    pub fn str_or_empty(&self, name: &str) -> Result<&'a str, DomainError> {
        Ok(self.opt_str(name)?.unwrap_or(""))
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, DomainError> {
        match self.opt_str(name)?.map(str::trim) {
            None | Some("") => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(other) => Err(DomainError::InvalidInput(format!(
                "Element {name}: '{other}' is not a boolean"
            ))),
        }
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, DomainError> {
        match self.opt_str(name)?.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| DomainError::InvalidInput(format!("Element {name}: '{v}' is not an integer"))),
        }
    }

    /// Every non-nil string of a repeated element.
    pub fn strs(&self, name: &str) -> Vec<String> {
        self.named(name)
            .filter_map(Element::value)
            .map(str::to_string)
            .collect()
    }

    /// Every non-nil element of a repeated complex element.
    pub fn elements(&self, name: &str) -> Vec<&'a Element> {
        self.named(name).filter(|e| !e.is_nil()).collect()
    }

    pub fn opt_element(&self, name: &str) -> Result<Option<&'a Element>, DomainError> {
        Ok(self.single(name)?.filter(|e| !e.is_nil()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::{Limits, parse};

    #[test]
    fn fields_are_typed_and_strict() {
        let el = parse(
            br#"<o xmlns="urn:t" xmlns:x="urn:other" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a>1</a><b>true</b><c xsi:nil="true"/><r>x</r><r>y</r><d> </d></o>"#,
            Limits::default(),
        )
        .unwrap();
        let f = Fields::new(&el, "urn:t");
        assert_eq!(f.opt_int("a").unwrap(), Some(1));
        assert_eq!(f.opt_bool("b").unwrap(), Some(true));
        assert_eq!(f.opt_str("c").unwrap(), None);
        assert!(f.str("c").is_err());
        assert!(f.str("d").is_err(), "blank");
        assert!(f.opt_str("r").is_err(), "duplicate");
        assert_eq!(f.strs("r"), ["x", "y"]);
        assert!(f.opt_bool("a").is_ok());
        assert!(f.opt_int("b").is_err());
        assert!(f.only(&["a", "b", "c", "r", "d"]).is_ok());
        assert!(f.only(&["a"]).is_err());
    }
}
