//! Crash consistency: forced resets under load against the real binary (OTP mode, mails kept in the built-in
//! mailbox, i.e. the outbox), SIGKILL in the middle, restart on the same data directory. Every reset answered 202
//! must be there whole (lock claims, a recovery code that the mailed OTP opens, the outbox mail), and no reset may be
//! there in part: a locked account always has its code and its mail, and the other way round.

use forcereset::store::TenantId;
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forcereset::app::{Actor, CodeCheck};
use forcereset::store::{MailStatus, StoreError};
use reqwest::StatusCode;

use crate::support::{BinaryServer, Workspace};

const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
const LOCKED_REASON: &str = "http://wso2.org/claims/identity/lockedReason";
const STATE: &str = "http://wso2.org/claims/identity/accountState";
const UPM: &str = "/services/UserProfileMgtService";
/// Users to reset; the server is killed long before all are done.
const USERS: usize = 400;
/// Concurrent clients.
const CLIENTS: usize = 8;
/// SIGKILL once this many resets were acknowledged.
const KILL_AFTER: usize = 60;

fn user(n: usize) -> String {
    format!("crash{n:03}")
}

fn seed_for(name: &str) -> String {
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/soap/setUserProfile.seed.xml"),
    )
    .unwrap();
    seed.replace(">tom<", &format!(">{name}<"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_acknowledged_before_a_sigkill_are_whole_after_restart_and_none_is_half_done() {
    let ws = Workspace::with_config(
        "[identity_mgt.password_reset_by_admin]\nenable_emailed_otp_based_reset = true\n\
         [forcereset]\nhttps_port = 0\nhttp_port = 0\n",
    );
    {
        // Users straight into the store, all with one precomputed hash: 400 argon2 hashes would take longer than
        // the whole test.
        let app = ws.open_app();
        let hash = forcereset::domain::password::hash("Abcd@123", [7; 16]).unwrap();
        app.store_for_tests()
            .write::<_, StoreError>(TenantId::SUPER, |tx| {
                for n in 0..USERS {
                    let name = user(n);
                    tx.insert_user(&name, &hash, 1)?;
                    tx.set_claim_value(&name, "default", EMAIL, &format!("{name}@example.com"))?;
                }
                Ok(())
            })
            .unwrap();
    }
    let server = BinaryServer::spawn(&ws, &[]);
    let base = server.https_url();
    let client = crate::support::client();
    // One Basic login opens a JSESSIONID session; the load then costs no argon2 per request.
    let first = client
        .post(format!("{base}{UPM}"))
        .basic_auth("admin", Some("admin"))
        .header("Content-Type", "text/xml;charset=UTF-8")
        .body(seed_for(&user(0)))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let acked = Arc::new(Mutex::new(vec![user(0)]));
    let next = Arc::new(AtomicUsize::new(1));

    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (client, base, acked, next) = (client.clone(), base.clone(), acked.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= USERS {
                    return;
                }
                let sent = client
                    .post(format!("{base}{UPM}"))
                    .header("Content-Type", "text/xml;charset=UTF-8")
                    .timeout(Duration::from_secs(10))
                    .body(seed_for(&user(n)))
                    .send()
                    .await;
                match sent {
                    Ok(resp) if resp.status() == StatusCode::ACCEPTED => acked.lock().unwrap().push(user(n)),
                    Ok(resp) => panic!("{}: {} {}", user(n), resp.status(), resp.text().await.unwrap()),
                    // The server is gone: this reset may or may not have committed.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < KILL_AFTER {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the load is too slow: {} acknowledged",
            acked.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = server.pid().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for c in clients {
        c.await.unwrap();
    }
    let status = server.stop();
    assert_eq!(status.signal(), Some(9), "killed, not finished: {status}");
    let acked = acked.lock().unwrap().clone();
    let attempted = next.load(Ordering::SeqCst).min(USERS);
    assert!(attempted < USERS, "the kill came after the load was over");

    // Restart on the same data directory: the server comes up healthy on what the WAL holds.
    let restarted = BinaryServer::spawn(&ws, &[]);
    let app = ws.open_app();
    assert_eq!(app.store_for_tests().integrity_check().unwrap(), "ok");
    let mails = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 10_000))
        .unwrap();
    let mut complete = 0;
    for n in 0..USERS {
        let name = user(n);
        let claim = |uri: &str| app.claim_value(&Actor::System, &name, uri, "default").unwrap();
        let locked = claim(LOCKED).as_deref() == Some("true");
        let code = app
            .store_for_tests()
            .read(TenantId::SUPER, |tx| tx.recovery_code(&name))
            .unwrap()
            .is_some();
        let own: Vec<_> = mails
            .iter()
            .filter(|m| m.recipient == format!("{name}@example.com"))
            .collect();
        let what = format!("{name}: locked {locked}, code {code}, {} mail(s)", own.len());
        // All or nothing.
        assert_eq!(locked, code, "{what}");
        assert_eq!(own.len(), usize::from(locked), "{what}");
        if !locked {
            assert!(!acked.contains(&name), "acknowledged but lost: {what}");
            assert_eq!(claim(STATE), None, "{what}");
            continue;
        }
        complete += 1;
        // The default release (5.11) locks with accountState; lockedReason comes with 6.0.
        assert_eq!(claim(LOCKED_REASON), None, "{what}");
        assert_eq!(claim(STATE).as_deref(), Some("PENDING_FUPR"), "{what}");
        assert_eq!(own[0].status, MailStatus::Mailbox, "{what}");
        // The mail and the code belong together: the OTP in the mail is the valid code.
        let otp = crate::support::first_bold(&own[0].body);
        assert!(
            matches!(app.check_reset_code(&name, &otp).unwrap(), CodeCheck::Valid { .. }),
            "{what}: the mailed OTP {otp:?} does not open the code"
        );
    }
    eprintln!(
        "crash: {} acknowledged, {complete} complete after restart (of {attempted} attempted) in {:?}",
        acked.len(),
        started.elapsed()
    );
    assert!(complete >= acked.len());
    assert!(complete <= attempted);
    assert_eq!(mails.len(), complete, "no stray mail");

    // The restarted server works: one more reset.
    let resp = crate::support::client()
        .post(format!("{}{UPM}", restarted.https_url()))
        .basic_auth("admin", Some("admin"))
        .header("Content-Type", "text/xml;charset=UTF-8")
        .body(seed_for(&user(USERS - 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert!(app.is_locked(&user(USERS - 1)).unwrap());
    restarted.stop();
}
