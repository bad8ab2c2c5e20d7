//! Races on one user: many simultaneous forced resets leave exactly one valid code (the one the admin reads), and
//! many simultaneous completions with that code succeed exactly once, across separate database connections.

use forcereset::store::TenantId;
use std::sync::{Arc, Barrier};

use forcereset::app::{Actor, App, CodeCheck};
use forcereset::domain::secret::Secret;
use reqwest::StatusCode;

use crate::support::TestServer;

const UPM: &str = "/services/UserProfileMgtService";
const OTP_CLAIM: &str = "http://wso2.org/claims/oneTimePassword";
const LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
const RESETS: usize = 32;
const COMPLETIONS: usize = 12;

fn seed_request() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/soap/setUserProfile.seed.xml"))
        .unwrap()
}

fn claim(app: &App, uri: &str) -> Option<String> {
    app.claim_value(&Actor::System, "tom", uri, "default").unwrap()
}

/// Rows of `recovery_codes`, counted straight from the database file (read-only; the store has no such query).
fn recovery_code_rows(server: &TestServer) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(server.workspace().db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT count(*) FROM recovery_codes", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_resets_leave_one_valid_code_and_simultaneous_completions_succeed_once() {
    let server =
        TestServer::start_with("[identity_mgt.password_reset_by_admin]\nenable_offline_otp_based_reset = true\n");
    let app = server.app();
    app.add_user(&Actor::System, "tom", &Secret::new("Abcd@123"), &[], &[], "default")
        .unwrap();

    // One Basic login opens a JSESSIONID session (the client keeps the cookie), so the 32 resets below reach the
    // store together instead of queueing behind 32 argon2 verifications.
    let client = server.client();
    let url = server.https(UPM);
    let login = client
        .post(server.https("/services/RemoteUserStoreManagerService"))
        .basic_auth("admin", Some("admin"))
        .header("Content-Type", "text/xml;charset=UTF-8")
        .body(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
             <ser:isExistingUser xmlns:ser=\"http://service.ws.um.carbon.wso2.org\"><ser:userName>tom</ser:userName>\
             </ser:isExistingUser></s:Body></s:Envelope>",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    // 32 forced resets of tom at the same moment.
    let requests = (0..RESETS).map(|_| {
        client
            .post(&url)
            .header("Content-Type", "text/xml;charset=UTF-8")
            .body(seed_request())
            .send()
    });
    for resp in futures_join_all(requests).await {
        let resp = resp.unwrap();
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
    }
    let audits = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.audit_page(0, 1000))
        .unwrap();
    assert_eq!(
        audits.iter().filter(|a| a.action == "user.force_reset").count(),
        RESETS,
        "every reset committed"
    );
    // The OTP the admin reads is the one live code, and there is exactly one code row.
    let otp = claim(&app, OTP_CLAIM).expect("the offline OTP");
    assert_eq!(recovery_code_rows(&server), 1);
    assert!(matches!(
        app.check_reset_code("tom", &otp).unwrap(),
        CodeCheck::Valid { .. }
    ));

    // Completions with that code race on three database connections: the server's and two more, as if the web
    // pages and the CLI of another process raced.
    let apps: Vec<Arc<App>> = vec![
        app.clone(),
        Arc::new(server.workspace().open_app()),
        Arc::new(server.workspace().open_app()),
    ];
    let barrier = Barrier::new(COMPLETIONS);
    let outcomes: Vec<(String, CodeCheck)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..COMPLETIONS)
            .map(|i| {
                let (app, barrier, otp) = (apps[i % apps.len()].clone(), &barrier, otp.clone());
                s.spawn(move || {
                    let password = format!("Racer@{i:02}x");
                    barrier.wait();
                    let outcome = app.complete_reset("tom", &otp, &Secret::new(&password)).unwrap();
                    (password, outcome)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<&String> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, CodeCheck::Valid { .. }))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    for (_, outcome) in &outcomes {
        assert!(
            matches!(outcome, CodeCheck::Valid { .. } | CodeCheck::Unknown),
            "a loser finds the code gone: {outcome:?}"
        );
    }
    assert_eq!(recovery_code_rows(&server), 0);
    assert_eq!(claim(&app, LOCKED).as_deref(), Some("false"));
    assert_eq!(claim(&app, OTP_CLAIM), None);
    // The winner's password is the password; no loser's is (checked against the hash: logging in with each would
    // trip the failed-login lock).
    let hash = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.user("tom"))
        .unwrap()
        .unwrap()
        .password_hash;
    for (password, outcome) in &outcomes {
        let works = forcereset::domain::password::verify(password, &hash);
        assert_eq!(works, matches!(outcome, CodeCheck::Valid { .. }), "{password}");
    }
    assert!(app.authenticate("tom", &Secret::new(winners[0])).is_ok());
}

/// `futures::future::join_all` without the dependency: spawn each request, await them in order.
async fn futures_join_all<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
