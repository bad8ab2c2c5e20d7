//! Queries of the e-mail template tables (migration 11): types, and their templates per locale.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::queries::Tx;

/// A template type: its key (WSO2's normalized name) and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateType {
    pub key: String,
    pub display_name: String,
}

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub type_key: String,
    pub locale_key: String,
    pub locale: String,
    pub display_name: String,
    pub content_type: Option<String>,
    pub subject: String,
    pub body: String,
    pub footer: String,
    pub updated_at: i64,
}

const TEMPLATE_COLUMNS: &str =
    "type_key, locale_key, locale, display_name, content_type, subject, body, footer, updated_at";

fn template_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTemplate> {
    Ok(StoredTemplate {
        type_key: r.get(0)?,
        locale_key: r.get(1)?,
        locale: r.get(2)?,
        display_name: r.get(3)?,
        content_type: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        footer: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

impl Tx<'_> {
    /// Every type, oldest first.
    pub fn template_types(&self) -> Result<Vec<TemplateType>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT key, display_name FROM email_template_types WHERE tenant_id = ?1 ORDER BY position, key",
        )?;
        let rows = stmt.query_map([self.tenant()], |r| {
            Ok(TemplateType {
                key: r.get(0)?,
                display_name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn template_type(&self, key: &str) -> Result<Option<TemplateType>, StoreError> {
        Ok(self
            .row(
                "SELECT key, display_name FROM email_template_types WHERE tenant_id = ?2 AND key = ?1",
                params![key, self.tenant()],
                |r| {
                    Ok(TemplateType {
                        key: r.get(0)?,
                        display_name: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Add a type unless one with this key exists; true if added.
    pub fn insert_template_type(&self, key: &str, display_name: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "INSERT INTO email_template_types (tenant_id, key, display_name, position)
             SELECT ?3, ?1, ?2, COALESCE(MAX(position), 0) + 1 FROM email_template_types WHERE tenant_id = ?3
             ON CONFLICT (tenant_id, key) DO NOTHING",
            params![key, display_name, self.tenant()],
        )? == 1)
    }

    /// Delete a type and its templates; true if it existed.
    pub fn delete_template_type(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM email_template_types WHERE tenant_id = ?2 AND key = ?1",
            params![key, self.tenant()],
        )? == 1)
    }

    /// Add or replace the template of `t.type_key` in `t.locale_key` (the type must exist).
    pub fn put_template(&self, t: &StoredTemplate) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO email_templates (type_key, locale_key, locale, display_name, content_type, subject, body,
                 footer, updated_at, tenant_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (tenant_id, type_key, locale_key) DO UPDATE SET locale = excluded.locale,
                 display_name = excluded.display_name, content_type = excluded.content_type,
                 subject = excluded.subject, body = excluded.body, footer = excluded.footer,
                 updated_at = excluded.updated_at",
            params![
                t.type_key,
                t.locale_key,
                t.locale,
                t.display_name,
                t.content_type,
                t.subject,
                t.body,
                t.footer,
                t.updated_at,
                self.tenant()
            ],
        )?;
        Ok(())
    }

    pub fn template(&self, type_key: &str, locale_key: &str) -> Result<Option<StoredTemplate>, StoreError> {
        Ok(self
            .row(
                &format!(
                    "SELECT {TEMPLATE_COLUMNS} FROM email_templates
                      WHERE tenant_id = ?3 AND type_key = ?1 AND locale_key = ?2"
                ),
                params![type_key, locale_key, self.tenant()],
                template_row,
            )
            .optional()?)
    }

    /// Delete one template; true if it existed.
    pub fn delete_template(&self, type_key: &str, locale_key: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM email_templates WHERE tenant_id = ?3 AND type_key = ?1 AND locale_key = ?2",
            params![type_key, locale_key, self.tenant()],
        )? == 1)
    }

    /// Every template, by type (in type order) then locale.
    pub fn all_templates(&self) -> Result<Vec<StoredTemplate>, StoreError> {
        let sql = format!(
            "SELECT t.{} FROM email_templates t JOIN email_template_types y
                 ON y.tenant_id = t.tenant_id AND y.key = t.type_key
              WHERE t.tenant_id = ?1 ORDER BY y.position, t.type_key, t.locale_key",
            TEMPLATE_COLUMNS.replace(", ", ", t.")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([self.tenant()], template_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
