//! The console in tenants (issue 18, docs/design/tenants.md §2.4 console row): a tenant's admin signs in as
//! `kim@a.com` and every page shows and changes that tenant alone, the super admin sees only carbon.super, and
//! Configure → Multitenancy (carbon-multitenancy `tenant.mgt.ui`: `view_tenants.jsp`, `add_tenant.jsp`,
//! `submit_tenant_ajaxprocessor.jsp`, `activate_tenant_ajaxprocessor.jsp`) is the super tenant's: add, list, view,
//! deactivate (its admin can no longer sign in) and activate.

use forcereset::app::{Actor, App, TenantRefusal};
use forcereset::domain::claims;
use forcereset::domain::governance;
use forcereset::domain::secret::Secret;
use forcereset::store::TenantId;
use reqwest::StatusCode;

use crate::support::TestServer;
use crate::web_client::{Browser, Page, attr, unescape};

use crate::tenants::KIM_PASSWORD;
const TOM_PASSWORD: &str = "Abcd@123";
const LOGIN: &str = "/carbon/admin/login.jsp";
const LOGIN_ACTION: &str = "/carbon/admin/login_action.jsp";
const HOME: &str = "/carbon/admin/index.jsp";
const USERS: &str = "/carbon/user/list-users.jsp";
const ADD_USER: &str = "/carbon/user/add-user.jsp";
const FORCE_RESET: &str = "/carbon/user/force-reset.jsp";
const USER: &str = "/carbon/user/view-user.jsp";
const PROFILE: &str = "/carbon/userprofile/edit.jsp";
const ROLES: &str = "/carbon/role/role-mgt.jsp";
const ADD_ROLE: &str = "/carbon/role/add-role.jsp";
const CLAIMS: &str = "/carbon/identity-claim-mgt/list-local-claims.jsp";
const RESIDENT: &str = "/carbon/idpmgt/idp-mgt-edit-local.jsp";
const MAILBOX: &str = "/carbon/mailbox/index.jsp";
const AUDIT: &str = "/carbon/audit/index.jsp";
const TEMPLATES: &str = "/carbon/email-mgt/email-template-config.jsp";
const TENANTS: &str = "/carbon/tenant-mgt/view_tenants.jsp";
const ADD_TENANT: &str = "/carbon/tenant-mgt/add_tenant.jsp";
const SUBMIT_TENANT: &str = "/carbon/tenant-mgt/submit_tenant_ajaxprocessor.jsp";
const ACTIVATE_TENANT: &str = "/carbon/tenant-mgt/activate_tenant_ajaxprocessor.jsp";
const LOGIN_FAILED: &str = "Login failed! Please recheck the username and password and try again.";

fn add_tenant(app: &App, domain: &str) {
    crate::tenants::add_tenant(app, domain);
}

fn kim(app: &App, domain: &str) -> Actor {
    app.authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap()
}

/// In `actor`'s tenant: `tom` (e-mail `tom@{tag}.test`), a role, a claim display name, a template type, one reset
/// mode on and a forced reset of tom (so a mail and audit records), all named after `tag`.
fn arrange(app: &App, actor: &Actor, tag: &str, mode: &str) {
    app.add_user(
        actor,
        "tom",
        &Secret::new(TOM_PASSWORD),
        &[],
        &[(claims::EMAIL.to_string(), format!("tom@{tag}.test"))],
        "default",
    )
    .unwrap();
    app.add_role(actor, &format!("{tag}-role"), &["/permission/admin/login".into()], &[])
        .unwrap();
    let mut given = app
        .claim_metas(actor)
        .unwrap()
        .iter()
        .find(|m| m.uri == claims::GIVEN_NAME)
        .map(|m| (**m).clone())
        .unwrap();
    given.display_name = format!("{tag} given name");
    app.update_claim_metadata(actor, &given).unwrap();
    app.add_template_type(actor, &format!("{tag} notice")).unwrap();
    let values: Vec<(String, String)> = [governance::RECOVERY_LINK, governance::OTP, governance::OFFLINE]
        .iter()
        .map(|m| (m.to_string(), (*m == mode).to_string()))
        .collect();
    app.update_configurations(actor, &values).unwrap();
    app.force_reset(actor, "tom").unwrap();
}

/// The text of the element with `id`.
fn text_of(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    unescape(html[start..].split_once('>').unwrap().1.split('<').next().unwrap())
}

/// Is the checkbox `name` ticked on the page?
fn ticked(html: &str, name: &str) -> bool {
    html.split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .find(|t| attr(t, "name").as_deref() == Some(name))
        .is_some_and(|t| t.contains(" checked"))
}

async fn get_ok(b: &Browser, path: &str) -> Page {
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    page
}

/// The console's login form, filled in and posted.
async fn console_login(server: &TestServer, user: &str, password: &str) -> (Browser, Page) {
    let b = Browser::new(server);
    let form = get_ok(&b, LOGIN).await;
    let answer = b
        .submit(&form, LOGIN_ACTION, &[("username", user), ("password", password)], &[])
        .await;
    (b, answer)
}

/// What each tenant's data is called, and what the other two are.
struct Seen {
    tag: &'static str,
    header: &'static str,
    /// Users listed here (and, of the other tenants, never).
    users: &'static [&'static str],
    mode: &'static str,
}

async fn sees_only_its_own(b: &Browser, me: &Seen, others: &[&Seen]) {
    let home = get_ok(b, HOME).await;
    assert_eq!(text_of(&home.body, "signed-in-user"), me.header);

    let users = get_ok(b, &format!("{USERS}?filter=*")).await;
    for u in me.users {
        assert!(
            users.body.contains(&format!(">{u}<")),
            "{} lists {u}: {}",
            me.header,
            users.body
        );
    }
    for o in others {
        for u in o.users.iter().filter(|u| !me.users.contains(u)) {
            assert!(!users.body.contains(&format!(">{u}<")), "{} lists {u}", me.header);
        }
    }
    let user = get_ok(b, &format!("{USER}?username=tom")).await;
    assert!(text_of(&user.body, "account-state").contains("forced password reset pending"));
    let profile = get_ok(b, &format!("{PROFILE}?username=tom")).await;
    let roles = get_ok(b, ROLES).await;
    let claims = get_ok(b, CLAIMS).await;
    let resident = get_ok(b, RESIDENT).await;
    let mailbox = get_ok(b, MAILBOX).await;
    let audit = get_ok(b, AUDIT).await;
    let templates = get_ok(b, TEMPLATES).await;
    let mine = |o: &Seen| {
        [
            (("profile", &profile), format!("tom@{}.test", o.tag)),
            (("roles", &roles), format!("{}-role", o.tag)),
            (("claims", &claims), format!("{} given name", o.tag)),
            (("mailbox", &mailbox), format!("tom@{}.test", o.tag)),
            (("audit", &audit), format!("{}-role", o.tag)),
            (("templates", &templates), format!("{} notice", o.tag)),
        ]
    };
    // An offline reset sends no mail.
    let mails = |o: &Seen, name: &str| name != "mailbox" || o.mode != governance::OFFLINE;
    for ((name, page), text) in mine(me).into_iter().filter(|((name, _), _)| mails(me, name)) {
        assert!(
            page.body.contains(&text),
            "{} sees {text} on {name}: {}",
            me.header,
            page.body
        );
    }
    for o in others {
        for ((name, page), text) in mine(o) {
            assert!(
                !page.body.contains(&text),
                "{} sees {text} of {} on {name}",
                me.header,
                o.header
            );
        }
    }
    for mode in [governance::RECOVERY_LINK, governance::OTP, governance::OFFLINE] {
        assert_eq!(ticked(&resident.body, mode), mode == me.mode, "{} {mode}", me.header);
    }
}

fn pending(app: &App, tenant: TenantId, user: &str) -> bool {
    app.store_for_tests()
        .read(tenant, |tx| tx.recovery_code(user))
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn each_admin_sees_and_changes_only_their_own_tenant() {
    let server = TestServer::start();
    let app = server.app();
    add_tenant(&app, "a.com");
    add_tenant(&app, "b.com");
    arrange(&app, &kim(&app, "a.com"), "alpha", governance::OTP);
    arrange(&app, &kim(&app, "b.com"), "bravo", governance::RECOVERY_LINK);
    arrange(&app, &Actor::System, "super", governance::OFFLINE);
    let a = Seen {
        tag: "alpha",
        header: "kim@a.com",
        users: &["kim", "tom"],
        mode: governance::OTP,
    };
    let b = Seen {
        tag: "bravo",
        header: "kim@b.com",
        users: &["kim", "tom"],
        mode: governance::RECOVERY_LINK,
    };
    let s = Seen {
        tag: "super",
        header: "admin",
        users: &["admin", "tom"],
        mode: governance::OFFLINE,
    };

    let kim_a = Browser::signed_in(&server, "kim@a.com", KIM_PASSWORD).await;
    let kim_b = Browser::signed_in(&server, "kim@b.com", KIM_PASSWORD).await;
    let admin = Browser::signed_in(&server, "admin", "admin").await;
    sees_only_its_own(&kim_a, &a, &[&b, &s]).await;
    sees_only_its_own(&kim_b, &b, &[&a, &s]).await;
    sees_only_its_own(&admin, &s, &[&a, &b]).await;
    // The super admin's list has no tenant's admin.
    let users = get_ok(&admin, &format!("{USERS}?filter=*")).await;
    assert!(!users.body.contains(">kim<"));

    // Changes land in the session's tenant only: a's admin adds a user and ends tom's pending reset by adding
    // another; b's tom and the super tenant's stay as they were.
    let form = get_ok(&kim_a, ADD_USER).await;
    let added = kim_a
        .submit(
            &form,
            ADD_USER,
            &[
                ("username", "newbie"),
                ("password", TOM_PASSWORD),
                ("confirmPassword", TOM_PASSWORD),
                (claims::EMAIL, "newbie@alpha.test"),
            ],
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let exists = |tenant| {
        app.store_for_tests()
            .read(tenant, |tx| tx.user_exists("newbie"))
            .unwrap()
    };
    let tenant_a = app.resolve_tenant("a.com").unwrap().unwrap().id;
    let tenant_b = app.resolve_tenant("b.com").unwrap().unwrap().id;
    assert!(exists(tenant_a));
    assert!(!exists(tenant_b) && !exists(TenantId::SUPER));
    // A forced reset from a's console for a's newbie; the others' tom keep their own pending resets.
    let newbie = get_ok(&kim_a, &format!("{USER}?username=newbie")).await;
    let forced = kim_a.submit(&newbie, FORCE_RESET, &[], &[]).await;
    assert_eq!(forced.status, StatusCode::SEE_OTHER, "{}", forced.body);
    assert!(pending(&app, tenant_a, "newbie"));
    assert!(pending(&app, tenant_b, "tom") && pending(&app, TenantId::SUPER, "tom"));
    // b's admin does not find a's newbie.
    let missing = kim_b.get(&format!("{USER}?username=newbie")).await;
    assert_ne!(missing.status, StatusCode::OK, "{}", missing.body);

    // The tenant's add-role form offers no super-tenant permission; the super admin's does.
    assert!(!unescape(&get_ok(&kim_a, ADD_ROLE).await.body).contains("/permission/protected"));
    assert!(unescape(&get_ok(&admin, ADD_ROLE).await.body).contains("/permission/protected/manage/modify/tenants"));

    // Configure → Multitenancy is the super tenant's: no menu entry in a tenant, and Access denied on every page
    // and action even for a tenant admin holding every permission of the tenant; nothing changes.
    let home = get_ok(&kim_a, HOME).await;
    assert!(!unescape(&home.body).contains(TENANTS) && !home.body.contains("Multitenancy"));
    assert!(unescape(&get_ok(&admin, HOME).await.body).contains(TENANTS));
    for path in [
        TENANTS.to_string(),
        ADD_TENANT.to_string(),
        format!("{ADD_TENANT}?domain=b.com"),
    ] {
        let refused = kim_a.get(&path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}: {}", refused.body);
        assert!(refused.body.contains("Access denied"), "{}", refused.body);
    }
    let csrf = crate::web_client::input_value(&home.body, "csrf");
    for (path, fields) in [
        (
            ACTIVATE_TENANT,
            vec![
                ("csrf", csrf.as_str()),
                ("tenant.domain", "b.com"),
                ("activate", "false"),
            ],
        ),
        (
            SUBMIT_TENANT,
            vec![
                ("csrf", csrf.as_str()),
                ("domain", "evil.com"),
                ("admin", "eve"),
                ("admin-password", KIM_PASSWORD),
                ("admin-password-repeat", KIM_PASSWORD),
                ("admin-email", "eve@evil.com"),
            ],
        ),
    ] {
        let refused = kim_a.post(path, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}: {}", refused.body);
        assert!(refused.body.contains("Access denied"), "{}", refused.body);
    }
    assert!(app.resolve_tenant("b.com").unwrap().is_some(), "b.com is still active");
    assert!(app.resolve_tenant("evil.com").unwrap().is_none());
}

#[tokio::test]
async fn the_tenants_pages_add_list_view_deactivate_and_activate() {
    let server = TestServer::start();
    let app = server.app();
    add_tenant(&app, "a.com");
    let admin = Browser::signed_in(&server, "admin", "admin").await;

    let list = get_ok(&admin, TENANTS).await;
    assert!(list.body.contains(">a.com<"), "{}", list.body);
    assert!(list.body.contains("kim@a.com"));
    let before = app.list_tenants(&Actor::System, 0, -1).unwrap().1;

    let taken = TenantRefusal::DomainTaken("a.com".into()).message(app.profile().tenancy.texts);
    // Refusals: the form again with the words and what was typed (never the passwords); nothing added.
    let form = get_ok(&admin, ADD_TENANT).await;
    let fields = |domain: &'static str, email: &'static str, repeat: &'static str| -> [(&str, &str); 7] {
        [
            ("domain", domain),
            ("admin", "kim"),
            ("admin-password", KIM_PASSWORD),
            ("admin-password-repeat", repeat),
            ("admin-email", email),
            ("admin-firstname", "Kim"),
            ("admin-lastname", "Lee"),
        ]
    };
    for (set, words) in [
        (fields("a.com", "kim@c.com", KIM_PASSWORD), taken.as_str()),
        (
            fields("c.com", "not-an-email", KIM_PASSWORD),
            "Invalid email is provided.",
        ),
        (fields("c.com", "kim@c.com", "Other@123"), "do not match"),
        (fields(".c.com", "kim@c.com", KIM_PASSWORD), ""),
    ] {
        let refused = admin.submit(&form, SUBMIT_TENANT, &set, &[]).await;
        assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
        assert_eq!(refused.location(), ADD_TENANT);
        let again = get_ok(&admin, ADD_TENANT).await;
        let flash = text_of(&again.body, "flash");
        assert!(flash.contains(words), "{flash}");
        assert!(!flash.is_empty());
        assert!(
            again.body.contains(&format!("value=\"{}\"", set[0].1)),
            "the domain is kept"
        );
        assert!(!again.body.contains(KIM_PASSWORD), "never the password");
        assert_eq!(app.list_tenants(&Actor::System, 0, -1).unwrap().1, before);
    }

    // Add: listed, with its admin, who signs in to the console as kim@c.com.
    let added = admin
        .submit(&form, SUBMIT_TENANT, &fields("c.com", "kim@c.com", KIM_PASSWORD), &[])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), TENANTS);
    let list = get_ok(&admin, TENANTS).await;
    assert!(
        text_of(&list.body, "flash").contains("You have successfully added a new tenant with domain: c.com"),
        "{}",
        list.body
    );
    assert!(list.body.contains(">c.com<") && list.body.contains("kim@c.com"));
    assert!(text_of(&list.body, "tenant-count").contains(&format!("{}", before + 1)));
    let kim_c = Browser::signed_in(&server, "kim@c.com", KIM_PASSWORD).await;
    assert_eq!(text_of(&get_ok(&kim_c, HOME).await.body, "signed-in-user"), "kim@c.com");

    // View one: WSO2's add_tenant.jsp?domain=…; an unknown domain says so.
    let one = get_ok(&admin, &format!("{ADD_TENANT}?domain=c.com")).await;
    assert_eq!(text_of(&one.body, "tenant-admin"), "kim");
    assert_eq!(text_of(&one.body, "tenant-state"), "Active");
    let unknown = admin.get(&format!("{ADD_TENANT}?domain=nowhere.com")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .body
            .contains("Tenant cannot be found for the provided domain: nowhere.com.")
    );

    // Deactivate: the admin's session ends and sign-in fails with the ordinary words.
    let off = admin.submit(&one, ACTIVATE_TENANT, &[], &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let one = get_ok(&admin, off.location()).await;
    assert_eq!(text_of(&one.body, "tenant-state"), "Inactive");
    assert!(text_of(&one.body, "flash").contains("deactivated"));
    let ended = kim_c.get(HOME).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(ended.location().starts_with(LOGIN), "{}", ended.location());
    let (_, refused) = console_login(&server, "kim@c.com", KIM_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert!(refused.body.contains(LOGIN_FAILED));
    let list = get_ok(&admin, TENANTS).await;
    assert!(list.body.contains("id=\"activate-c.com\""), "{}", list.body);

    // Activate from the list: kim signs in again.
    let on = admin
        .submit(
            &list,
            ACTIVATE_TENANT,
            &[("tenant.domain", "c.com"), ("activate", "true")],
            &[],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    assert_eq!(on.location(), TENANTS);
    assert!(app.resolve_tenant("c.com").unwrap().is_some());
    let (_, back) = console_login(&server, "kim@c.com", KIM_PASSWORD).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);

    // The super tenant is listed without actions and cannot be switched off; a bad `activate` changes nothing.
    let list = get_ok(&admin, TENANTS).await;
    assert!(!list.body.contains("deactivate-carbon.super"));
    let csrf = crate::web_client::input_value(&list.body, "csrf");
    for (domain, activate, status) in [
        ("carbon.super", "false", StatusCode::BAD_REQUEST),
        ("c.com", "maybe", StatusCode::BAD_REQUEST),
        ("nowhere.com", "false", StatusCode::BAD_REQUEST),
    ] {
        let answer = admin
            .post(
                ACTIVATE_TENANT,
                &[
                    ("csrf", csrf.as_str()),
                    ("tenant.domain", domain),
                    ("activate", activate),
                ],
            )
            .await;
        assert_eq!(answer.status, status, "{domain} {activate}: {}", answer.body);
    }
    assert!(app.resolve_tenant("c.com").unwrap().is_some());
    // A page beyond the last is an empty page, not an error.
    let far = get_ok(&admin, &format!("{TENANTS}?pageNumber=7")).await;
    assert!(far.body.contains("There are no tenants available on this page"));
}
