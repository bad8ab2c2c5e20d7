//! Queries of the OAuth2 tables: applications, authorization codes and tokens. Secrets arrive and stay as keyed
//! hashes; lookups are by hash.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::queries::{Tx, conflict};

/// A registered application. `secret_hash` is a keyed hash, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AppRecord {
    pub client_id: String,
    pub name: String,
    pub secret_hash: Vec<u8>,
    /// The stored callback: one URI, `regexp=…`, or empty.
    pub callback: String,
    /// Space-separated grant types.
    pub grant_types: String,
    pub token_type: String,
    pub pkce_mandatory: bool,
    pub pkce_plain: bool,
    pub owner: String,
    pub created_at: i64,
}

impl std::fmt::Debug for AppRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRecord")
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .field("callback", &self.callback)
            .field("grant_types", &self.grant_types)
            .finish_non_exhaustive()
    }
}

/// A token row to insert; hashes only.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken<'a> {
    pub access_hash: &'a [u8],
    pub refresh_hash: Option<&'a [u8]>,
    pub client_id: &'a str,
    /// None for an application's own token (client credentials).
    pub user: Option<&'a str>,
    pub scope: &'a str,
    pub grant_type: &'a str,
    /// The code the token was exchanged for, so that a replayed code can revoke it.
    pub code_hash: Option<&'a [u8]>,
    pub issued_at: i64,
    pub access_expires_at: i64,
    pub refresh_expires_at: Option<i64>,
}

/// A stored token as introspection and refresh see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub client_id: String,
    pub user: Option<String>,
    pub scope: String,
    pub grant_type: String,
    pub issued_at: i64,
    pub access_expires_at: i64,
    pub refresh_expires_at: Option<i64>,
    /// Revoked, rotated out, or issued before the user's sessions were last ended.
    pub dead: bool,
    pub access_hash: Vec<u8>,
}

/// A code to insert.
#[derive(Clone, PartialEq, Eq)]
pub struct NewCode<'a> {
    pub code_hash: &'a [u8],
    pub client_id: &'a str,
    pub user: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub challenge: Option<&'a str>,
    pub challenge_method: Option<&'a str>,
    pub session: Option<&'a str>,
    pub auth_time: i64,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// A stored code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub client_id: String,
    pub user: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub challenge: Option<String>,
    pub challenge_method: Option<String>,
    pub session: Option<String>,
    pub auth_time: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used: bool,
    /// Issued before the user's sessions were last ended.
    pub dead: bool,
}

const APP_COLUMNS: &str =
    "client_id, name, secret_hash, callback, grant_types, token_type, pkce_mandatory, pkce_plain, owner, created_at";

fn app_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AppRecord> {
    Ok(AppRecord {
        client_id: r.get(0)?,
        name: r.get(1)?,
        secret_hash: r.get(2)?,
        callback: r.get(3)?,
        grant_types: r.get(4)?,
        token_type: r.get(5)?,
        pkce_mandatory: r.get(6)?,
        pkce_plain: r.get(7)?,
        owner: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Token columns, with `t` the token and `u` the (left-joined) user.
const TOKEN_SELECT: &str = "SELECT t.client_id, u.name, t.scope, t.grant_type, t.issued_at, t.access_expires_at,
            t.refresh_expires_at, t.revoked OR (u.id IS NOT NULL AND t.issued_at <= u.sessions_ended_at),
            t.access_hash
     FROM oauth_tokens t LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id";

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        client_id: r.get(0)?,
        user: r.get(1)?,
        scope: r.get(2)?,
        grant_type: r.get(3)?,
        issued_at: r.get(4)?,
        access_expires_at: r.get(5)?,
        refresh_expires_at: r.get(6)?,
        dead: r.get(7)?,
        access_hash: r.get(8)?,
    })
}

impl Tx<'_> {
    /// Add an application; Conflict when the name or client id is taken.
    pub fn insert_app(&self, app: &AppRecord) -> Result<(), StoreError> {
        self.exec(
            &format!(
                "INSERT INTO oauth_apps ({APP_COLUMNS}, tenant_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            params![
                app.client_id,
                app.name,
                app.secret_hash,
                app.callback,
                app.grant_types,
                app.token_type,
                app.pkce_mandatory,
                app.pkce_plain,
                app.owner,
                app.created_at,
                self.tenant()
            ],
        )
        .map_err(conflict)?;
        Ok(())
    }

    /// Replace an application's settings (not its id or creation); Conflict when the new name is taken.
    pub fn update_app(&self, app: &AppRecord) -> Result<bool, StoreError> {
        Ok(self
            .exec(
                "UPDATE oauth_apps SET name = ?2, secret_hash = ?3, callback = ?4, grant_types = ?5, token_type = ?6,
                     pkce_mandatory = ?7, pkce_plain = ?8
                 WHERE client_id = ?1 AND tenant_id = ?9",
                params![
                    app.client_id,
                    app.name,
                    app.secret_hash,
                    app.callback,
                    app.grant_types,
                    app.token_type,
                    app.pkce_mandatory,
                    app.pkce_plain,
                    self.tenant()
                ],
            )
            .map_err(conflict)?
            > 0)
    }

    pub fn app(&self, client_id: &str) -> Result<Option<AppRecord>, StoreError> {
        Ok(self
            .row(
                &format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE client_id = ?1 AND tenant_id = ?2"),
                params![client_id, self.tenant()],
                app_row,
            )
            .optional()?)
    }

    pub fn app_named(&self, name: &str) -> Result<Option<AppRecord>, StoreError> {
        Ok(self
            .row(
                &format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE tenant_id = ?2 AND name = ?1"),
                params![name, self.tenant()],
                app_row,
            )
            .optional()?)
    }

    /// Every application, by name.
    pub fn apps(&self) -> Result<Vec<AppRecord>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {APP_COLUMNS} FROM oauth_apps WHERE tenant_id = ?1 ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([self.tenant()], app_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Delete an application and (by cascade) its codes and tokens.
    /// Has `user` approved `client_id` always?
    pub fn consent_always(&self, user: &str, client_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .row(
                "SELECT 1 FROM oauth_consents WHERE tenant_id = ?3 AND client_id = ?2
                    AND user_id = (SELECT id FROM users WHERE tenant_id = ?3 AND name = ?1)",
                params![user, client_id, self.tenant()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Remember that `user` approved `client_id` always (once: a second approval changes nothing).
    pub fn set_consent_always(&self, user: &str, client_id: &str, now: i64) -> Result<(), StoreError> {
        self.exec(
            "INSERT OR IGNORE INTO oauth_consents (tenant_id, user_id, client_id, approved_at)
             SELECT tenant_id, id, ?2, ?3 FROM users WHERE tenant_id = ?4 AND name = ?1",
            params![user, client_id, now, self.tenant()],
        )?;
        Ok(())
    }

    /// Forget `user`'s "approve always" for `client_id` (`prompt=consent`).
    pub fn remove_consent(&self, user: &str, client_id: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM oauth_consents WHERE tenant_id = ?3 AND client_id = ?2
                AND user_id = (SELECT id FROM users WHERE tenant_id = ?3 AND name = ?1)",
            params![user, client_id, self.tenant()],
        )? > 0)
    }

    pub fn delete_app(&self, client_id: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM oauth_apps WHERE client_id = ?1 AND tenant_id = ?2",
            params![client_id, self.tenant()],
        )? > 0)
    }

    pub fn insert_token(&self, t: &NewToken<'_>) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO oauth_tokens (tenant_id, access_hash, refresh_hash, client_id, user_id, scope, grant_type,
                 code_hash, issued_at, access_expires_at, refresh_expires_at)
             VALUES (?11, ?1, ?2, ?3, (SELECT id FROM users WHERE tenant_id = ?11 AND name = ?4), ?5, ?6, ?7, ?8,
                     ?9, ?10)",
            params![
                t.access_hash,
                t.refresh_hash,
                t.client_id,
                t.user,
                t.scope,
                t.grant_type,
                t.code_hash,
                t.issued_at,
                t.access_expires_at,
                t.refresh_expires_at,
                self.tenant()
            ],
        )
        .map_err(conflict)?;
        Ok(())
    }

    pub fn token_by_access(&self, access_hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self
            .row(
                &format!("{TOKEN_SELECT} WHERE t.access_hash = ?1 AND t.tenant_id = ?2"),
                params![access_hash, self.tenant()],
                token_row,
            )
            .optional()?)
    }

    pub fn token_by_refresh(&self, refresh_hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self
            .row(
                &format!("{TOKEN_SELECT} WHERE t.refresh_hash = ?1 AND t.tenant_id = ?2"),
                params![refresh_hash, self.tenant()],
                token_row,
            )
            .optional()?)
    }

    /// Revoke the token row holding this access token; false when there is none or it was revoked already.
    pub fn revoke_token(&self, access_hash: &[u8]) -> Result<bool, StoreError> {
        Ok(self.exec(
            "UPDATE oauth_tokens SET revoked = 1 WHERE access_hash = ?1 AND tenant_id = ?2 AND revoked = 0",
            params![access_hash, self.tenant()],
        )? > 0)
    }

    /// Revoke every token issued for a code (a replayed code, RFC 6749 §4.1.2).
    pub fn revoke_tokens_of_code(&self, code_hash: &[u8]) -> Result<usize, StoreError> {
        Ok(self.exec(
            "UPDATE oauth_tokens SET revoked = 1 WHERE code_hash = ?1 AND tenant_id = ?2",
            params![code_hash, self.tenant()],
        )?)
    }

    pub fn insert_code(&self, c: &NewCode<'_>) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO oauth_codes (tenant_id, code_hash, client_id, user_id, redirect_uri, scope, nonce, challenge,
                 challenge_method, session, auth_time, issued_at, expires_at)
             VALUES (?13, ?1, ?2, (SELECT id FROM users WHERE tenant_id = ?13 AND name = ?3), ?4, ?5, ?6, ?7, ?8,
                     ?9, ?10, ?11, ?12)",
            params![
                c.code_hash,
                c.client_id,
                c.user,
                c.redirect_uri,
                c.scope,
                c.nonce,
                c.challenge,
                c.challenge_method,
                c.session,
                c.auth_time,
                c.issued_at,
                c.expires_at,
                self.tenant()
            ],
        )
        .map_err(conflict)?;
        Ok(())
    }

    pub fn code(&self, code_hash: &[u8]) -> Result<Option<CodeRecord>, StoreError> {
        Ok(self
            .row(
                "SELECT c.client_id, u.name, c.redirect_uri, c.scope, c.nonce, c.challenge, c.challenge_method,
                        c.session, c.auth_time, c.issued_at, c.expires_at, c.used, c.issued_at <= u.sessions_ended_at
                 FROM oauth_codes c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
                 WHERE c.code_hash = ?1 AND c.tenant_id = ?2",
                params![code_hash, self.tenant()],
                |r| {
                    Ok(CodeRecord {
                        client_id: r.get(0)?,
                        user: r.get(1)?,
                        redirect_uri: r.get(2)?,
                        scope: r.get(3)?,
                        nonce: r.get(4)?,
                        challenge: r.get(5)?,
                        challenge_method: r.get(6)?,
                        session: r.get(7)?,
                        auth_time: r.get(8)?,
                        issued_at: r.get(9)?,
                        expires_at: r.get(10)?,
                        used: r.get(11)?,
                        dead: r.get(12)?,
                    })
                },
            )
            .optional()?)
    }

    /// Mark a code used; false when it already was (the loser of a race, or a replay).
    pub fn use_code(&self, code_hash: &[u8]) -> Result<bool, StoreError> {
        Ok(self.exec(
            "UPDATE oauth_codes SET used = 1 WHERE code_hash = ?1 AND tenant_id = ?2 AND used = 0",
            params![code_hash, self.tenant()],
        )? > 0)
    }

    /// Drop codes and tokens past every expiry: the housekeeping of each issue.
    pub fn purge_expired_oauth(&self, now: i64) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM oauth_codes WHERE tenant_id = ?2 AND expires_at < ?1",
            params![now - 86_400_000, self.tenant()],
        )?;
        self.exec(
            "DELETE FROM oauth_tokens
              WHERE tenant_id = ?2 AND access_expires_at < ?1 AND coalesce(refresh_expires_at, 0) < ?1",
            params![now, self.tenant()],
        )?;
        Ok(())
    }
}
