//! Users and Roles → Roles: list, add with a permission tree, the role page (its permissions and members) with
//! member assignment, delete.

use hyper::StatusCode;
use serde::Serialize;

use super::flash::{self, Flash};
use super::users::Choice;
use super::view::{self, Area};
use super::{ADD_ROLE, Ctx, ROLE, ROLES, USER, act, all, link, required, run};
use crate::app::{ADMIN_ROLE, Actor, EVERYONE_ROLE};
use crate::domain::permissions::{
    self, AUDIT_VIEW, CLAIM_METADATA_UPDATE, CLAIM_METADATA_VIEW, MAILBOX_RESEND, MAILBOX_VIEW, ROLES_CREATE,
    ROLES_DELETE, ROLES_UPDATE, ROLES_VIEW, USERS_CREATE, USERS_DELETE, USERS_LIST, USERS_UPDATE, USERS_VIEW,
};
use crate::http::response::HttpResponse;
use crate::store::TenantId;

/// The most users offered as members on one page.
const MEMBER_LIMIT: i64 = 200;

/// The permission tree the add-role form offers: (path, label, depth). A path grants its whole subtree, so a
/// ticked parent covers its children. It holds every permission a page or admin service of this server checks.
pub const PERMISSION_TREE: &[(&str, &str, u8)] = &[
    (permissions::ROOT, "All permissions", 0),
    ("/permission/admin", "Admin", 1),
    (permissions::LOGIN, "Login", 2),
    ("/permission/admin/manage", "Manage", 2),
    (
        permissions::MANAGE_IDENTITY,
        "Identity (also: authenticate and isExistingUser)",
        3,
    ),
    (permissions::MANAGE_USERS, "User Management", 4),
    (USERS_VIEW, "View", 5),
    (USERS_LIST, "List", 5),
    (USERS_CREATE, "Create", 5),
    (
        USERS_UPDATE,
        "Update (claims, roles, password, forced reset, unlock)",
        5,
    ),
    (USERS_DELETE, "Delete", 5),
    (permissions::MANAGE_ROLES, "Role Management", 4),
    (ROLES_VIEW, "View", 5),
    (ROLES_CREATE, "Create", 5),
    (ROLES_UPDATE, "Update (rename, members)", 5),
    (ROLES_DELETE, "Delete", 5),
    (
        permissions::USER_PROFILES,
        "User Profiles (any user's profile; edit)",
        4,
    ),
    (permissions::USER_PROFILES_VIEW, "View", 5),
    (permissions::USER_PROFILES_DELETE, "Delete", 5),
    (
        "/permission/admin/manage/identity/claimmgt/metadata",
        "Claim Management",
        4,
    ),
    (CLAIM_METADATA_VIEW, "View", 5),
    (CLAIM_METADATA_UPDATE, "Update", 5),
    (
        "/permission/admin/manage/identity/governance",
        "Identity Governance (resident IdP policies)",
        4,
    ),
    (permissions::GOVERNANCE_VIEW, "View", 5),
    (permissions::GOVERNANCE_UPDATE, "Update", 5),
    (
        "/permission/admin/manage/identity/emailmgt",
        "Email Management (templates, mailbox)",
        4,
    ),
    (permissions::EMAIL_TEMPLATES_CREATE, "Create", 5),
    (MAILBOX_VIEW, "View", 5),
    (MAILBOX_RESEND, "Update (resend)", 5),
    (permissions::EMAIL_TEMPLATES_DELETE, "Delete", 5),
    (
        "/permission/admin/manage/identity/user/association",
        "User Association",
        4,
    ),
    (permissions::ASSOCIATION_VIEW, "View", 5),
    (permissions::ASSOCIATION_CREATE, "Create", 5),
    (permissions::ASSOCIATION_DELETE, "Delete", 5),
    (
        "/permission/admin/manage/identity/applicationmgt",
        "Application Management (OAuth2 applications, DCR, introspection)",
        4,
    ),
    (permissions::APPLICATIONS_VIEW, "View (also: introspect tokens)", 5),
    (permissions::APPLICATIONS_CREATE, "Create", 5),
    (permissions::APPLICATIONS_UPDATE, "Update", 5),
    (permissions::APPLICATIONS_DELETE, "Delete", 5),
    (AUDIT_VIEW, "Monitor (audit log)", 2),
    // The super tenant's alone (not offered in a tenant's session).
    (super::PROTECTED, "Protected (super tenant only)", 1),
    ("/permission/protected/manage", "Manage", 2),
    ("/permission/protected/manage/monitor", "Monitor", 3),
    (permissions::TENANTS_MANAGE, "Tenants (add, view)", 4),
    (permissions::TENANTS_LIST, "List", 5),
    ("/permission/protected/manage/modify", "Modify", 3),
    (permissions::TENANTS_MODIFY, "Tenants (activate, deactivate)", 4),
];

#[derive(Debug, Serialize)]
struct TreeNode {
    path: &'static str,
    label: &'static str,
    depth: u8,
    id: String,
    checked: bool,
}

/// The tree `actor` may grant from: a tenant's session is not offered the super tenant's protected subtree.
fn tree(actor: &Actor, checked: &[String]) -> Vec<TreeNode> {
    let in_tenant = actor.tenant() != TenantId::SUPER;
    PERMISSION_TREE
        .iter()
        .enumerate()
        .filter(|(_, (path, ..))| !(in_tenant && permissions::grants(super::PROTECTED, path)))
        .map(|(i, (path, label, depth))| TreeNode {
            path,
            label,
            depth: *depth,
            id: format!("perm-{i}"),
            checked: checked.iter().any(|c| c == path),
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct RoleRow {
    name: String,
    href: String,
}

/// `GET /carbon/role/role-mgt.jsp`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let names = match run(&ctx, |app, a| app.role_names(a)).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let rows: Vec<RoleRow> = names
        .into_iter()
        .map(|name| RoleRow {
            href: link(ROLE, "roleName", &name),
            name,
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/roles.html",
        "Roles",
        Area::Roles,
        &ctx.session,
        None,
        minijinja::context! {
            rows => rows,
            add_href => ctx.session.actor.has(USERS_CREATE).then_some(ADD_ROLE),
        },
    )
}

/// `GET /carbon/role/add-role.jsp`.
pub async fn add_form(ctx: Ctx) -> HttpResponse {
    let users = match run(&ctx, |app, a| app.list_users(a, "*", MEMBER_LIMIT)).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let sticky = flash.clone().unwrap_or_else(|| Flash::notice(String::new()));
    let chosen = sticky.field_all("user");
    let users: Vec<Choice> = users
        .into_iter()
        .map(|name| Choice {
            checked: chosen.iter().any(|c| c.eq_ignore_ascii_case(&name)),
            name,
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/role_add.html",
        "Add New Role",
        Area::Roles,
        &ctx.session,
        flash.filter(|f| !f.text.is_empty()),
        minijinja::context! {
            role_name => sticky.field("roleName").unwrap_or_default(),
            tree => tree(&ctx.session.actor, &sticky.field_all("permission")),
            users => users,
        },
    )
}

/// `POST /carbon/role/add-role.jsp`.
pub async fn add(ctx: Ctx) -> HttpResponse {
    let (name, perms, users) = match (required(&ctx, "roleName"), all(&ctx, "permission"), all(&ctx, "user")) {
        (Ok(n), Ok(p), Ok(u)) => (n.trim().to_string(), p, u),
        (Err(resp), ..) | (_, Err(resp), _) | (.., Err(resp)) => return resp,
    };
    let sticky = ctx.params.0.iter().filter(|(k, _)| k != "csrf").cloned().collect();
    let n = name.clone();
    act(&ctx, &link(ROLE, "roleName", &name), ADD_ROLE, sticky, move |app, a| {
        app.add_role(a, &n, &perms, &users)?;
        Ok(format!(
            "Role {n} was added with {} permission(s) and {} user(s).",
            perms.len(),
            users.len()
        ))
    })
    .await
}

#[derive(Debug, Serialize)]
struct Member {
    name: String,
    href: String,
}

/// `GET /carbon/role/view-role.jsp?roleName=…`.
pub async fn view(ctx: Ctx) -> HttpResponse {
    let role = match required(&ctx, "roleName") {
        Ok(r) => r.to_string(),
        Err(resp) => return resp,
    };
    let everyone = role.eq_ignore_ascii_case(EVERYONE_ROLE);
    let r = role.clone();
    let data = run(&ctx, move |app, a| {
        let perms = if everyone {
            Vec::new()
        } else {
            app.role_permissions(a, &r)?
        };
        let members = app.users_of_role(a, &r)?;
        let users = app.list_users(a, "*", MEMBER_LIMIT)?;
        Ok((perms, members, users))
    })
    .await;
    let (perms, members, users) = match data {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let labelled: Vec<(String, &str)> = perms
        .iter()
        .map(|p| {
            let label = PERMISSION_TREE
                .iter()
                .find(|(path, ..)| path == p)
                .map_or("", |(_, l, _)| *l);
            (p.clone(), label)
        })
        .collect();
    let choices: Vec<Choice> = users
        .into_iter()
        .map(|name| Choice {
            checked: members.iter().any(|m| m.eq_ignore_ascii_case(&name)),
            name,
        })
        .collect();
    let members: Vec<Member> = members
        .into_iter()
        .map(|name| Member {
            href: link(USER, "username", &name),
            name,
        })
        .collect();
    let a = &ctx.session.actor;
    view::page(
        StatusCode::OK,
        "console/role.html",
        &format!("Role {role}"),
        Area::Roles,
        &ctx.session,
        None,
        minijinja::context! {
            name => &role,
            everyone => everyone,
            permissions => labelled,
            members => members,
            choices => choices,
            can_assign => a.has(ROLES_UPDATE) && !everyone,
            can_delete => a.has(ROLES_DELETE) && !everyone && !role.eq_ignore_ascii_case(ADMIN_ROLE),
        },
    )
}

/// `POST /carbon/role/update-users.jsp`: the ticked users become the role's members (among those offered).
pub async fn update_users(ctx: Ctx) -> HttpResponse {
    let (role, wanted, offered) = match (required(&ctx, "roleName"), all(&ctx, "user"), all(&ctx, "offered")) {
        (Ok(r), Ok(u), Ok(o)) => (r.to_string(), u, o),
        (Err(resp), ..) | (_, Err(resp), _) | (.., Err(resp)) => return resp,
    };
    let back = link(ROLE, "roleName", &role);
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        let current = app.users_of_role(a, &role)?;
        let has = |list: &[String], n: &str| list.iter().any(|x| x.eq_ignore_ascii_case(n));
        // Only users the form listed can be removed: a member beyond the page's limit stays.
        let deleted: Vec<String> = current
            .iter()
            .filter(|u| has(&offered, u) && !has(&wanted, u))
            .cloned()
            .collect();
        let added: Vec<String> = wanted.iter().filter(|u| !has(&current, u)).cloned().collect();
        if deleted.is_empty() && added.is_empty() {
            return Ok(format!("The users of role {role} are unchanged."));
        }
        app.update_users_of_role(a, &role, &deleted, &added)?;
        Ok(format!(
            "The users of role {role} were updated (added: {}; removed: {}).",
            if added.is_empty() {
                "none".to_string()
            } else {
                added.join(", ")
            },
            if deleted.is_empty() {
                "none".to_string()
            } else {
                deleted.join(", ")
            }
        ))
    })
    .await
}

/// `POST /carbon/role/delete-role.jsp`.
pub async fn delete(ctx: Ctx) -> HttpResponse {
    let role = match required(&ctx, "roleName") {
        Ok(r) => r.to_string(),
        Err(resp) => return resp,
    };
    let back = link(ROLE, "roleName", &role);
    act(&ctx, ROLES, &back, Vec::new(), move |app, a| {
        app.delete_role(a, &role)?;
        Ok(format!("Role {role} was deleted."))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_holds_valid_distinct_paths_under_their_parents() {
        for (i, (path, _, depth)) in PERMISSION_TREE.iter().enumerate() {
            assert_eq!(permissions::normalize(path).as_deref(), Some(*path));
            assert_eq!(PERMISSION_TREE.iter().filter(|(p, ..)| p == path).count(), 1, "{path}");
            if *depth > 0 {
                let parent = PERMISSION_TREE[..i].iter().rev().find(|(_, _, d)| *d < *depth).unwrap();
                assert!(permissions::grants(parent.0, path), "{} above {path}", parent.0);
            }
        }
    }

    #[test]
    fn every_permission_the_console_checks_is_in_the_tree() {
        for r in super::super::ROUTES {
            assert!(
                PERMISSION_TREE.iter().any(|(p, ..)| *p == r.permission),
                "{}",
                r.permission
            );
        }
    }
}
