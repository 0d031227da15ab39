//! A write load over real HTTP, shared by the HTTP suite (short, on each database) and
//! `benches/write_load.sh` (long, on release servers): writers that each read a record's
//! version from its edit page and save it back with that version and a unique marker in a
//! text field, two of them on one review and the others on reviews and defects of their
//! own, and every fourth save followed by one more at the version already used, which must
//! be refused. [`check`] then reads the database: every accepted marker must be there
//! exactly once and no refused one at all.

mod check;
mod client;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use escapement_core::auth::UserDraft;
use escapement_storage::sea_orm::DatabaseConnection;
use tokio::task::JoinSet;
use uuid::Uuid;

pub use check::{Report, check};
pub use client::{Answer, Browser, form_version};

use crate::{Seeded, defect_form, seed_team_in};

/// What a load runs: the servers (writers are spread over them in turn), how many writers
/// and for how long.
pub struct Load {
    pub servers: Vec<SocketAddr>,
    pub writers: usize,
    pub duration: Duration,
}

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Review,
    Defect,
}

/// One record under load, and the version it had before.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: Kind,
    pub id: Uuid,
    pub start_version: i32,
}

/// One save sent: to which target, at which version, with which marker, and its answer.
#[derive(Debug, Clone)]
pub struct Write {
    pub target: usize,
    pub version: i32,
    pub marker: String,
    pub status: u16,
    /// Sent on purpose at a version an accepted save already used.
    pub stale_probe: bool,
}

/// Everything a load sent: the saves, and the status of every page read.
pub struct Sent {
    pub targets: Vec<Target>,
    pub writes: Vec<Write>,
    pub reads: Vec<u16>,
}

/// Creates an instance admin (who cannot sign in with a password) with a session; returns
/// the session cookie's secret.
pub async fn load_user(db: &DatabaseConnection) -> String {
    let email = format!("load-{}@example.com", Uuid::new_v4().simple());
    let draft = UserDraft {
        email,
        display_name: "Load Writer".to_owned(),
        password: "a long enough passphrase".to_owned(),
        password_confirmation: "a long enough passphrase".to_owned(),
    };
    let new = draft.validate().expect("a valid load user");
    let user =
        escapement_storage::accounts::create_user(db, &new, "not-a-real-hash", true, Utc::now())
            .await
            .expect("create the load user");
    escapement_web::auth::start_session(db, user.id, Utc::now())
        .await
        .expect("start the load user's session")
}

/// Seeds a team and one target per writer but the first two, who share review 0 (over
/// HTTP, as a browser would), then runs the load and returns what it sent.
pub async fn run(db: &DatabaseConnection, secret: &str, load: &Load) -> Sent {
    let browser = Browser::new(secret);
    let first = load.servers[0];
    let team = seed_team_in(db, &format!("Write load {}", Uuid::new_v4().simple())).await;
    let mut targets = Vec::new();
    for i in 0..load.writers.max(2) - 1 {
        let kind = if i.is_multiple_of(2) {
            Kind::Review
        } else {
            Kind::Defect
        };
        targets.push(seed_target(&browser, first, &team, kind, i).await);
    }
    let targets = Arc::new(targets);
    let deadline = Instant::now() + load.duration;
    let run = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut tasks = JoinSet::new();
    for writer in 0..load.writers {
        let target = writer.saturating_sub(1);
        let server = load.servers[writer % load.servers.len()];
        let writer = Writer {
            browser: browser.clone(),
            server,
            target,
            tag: format!("wl-{run}-{writer}"),
            kind: targets[target].kind,
            id: targets[target].id,
            team: team.clone(),
        };
        tasks.spawn(writer.work(deadline));
    }
    let (mut writes, mut reads) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        let (w, r) = joined.expect("a writer runs to its end");
        writes.extend(w);
        reads.extend(r);
    }
    let targets = Arc::try_unwrap(targets).unwrap_or_else(|shared| (*shared).clone());
    Sent {
        targets,
        writes,
        reads,
    }
}

async fn seed_target(
    browser: &Browser,
    server: SocketAddr,
    team: &Seeded,
    kind: Kind,
    i: usize,
) -> Target {
    let form = defect_form(team, &format!("Load defect {i}"), "high", "production");
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let created = browser.post_form(server, "/defects", &fields).await;
    assert_eq!(
        created.status, 303,
        "a defect is recorded: {}",
        created.body
    );
    let defect = id_after(&created.location, "/defects/").expect("the redirect names the defect");
    if kind == Kind::Defect {
        return Target {
            kind,
            id: defect,
            start_version: 1,
        };
    }
    let team_id = team.team.to_string();
    let defect = defect.to_string();
    let title = format!("Load review {i}");
    let mut fields = review_fields(&title, "opened");
    fields.extend([("team_id", team_id.as_str()), ("defects", defect.as_str())]);
    let opened = browser.post_form(server, "/reviews", &fields).await;
    assert_eq!(opened.status, 303, "a review is opened: {}", opened.body);
    let id = id_after(&opened.location, "/reviews/").expect("the redirect names the review");
    Target {
        kind,
        id,
        start_version: 1,
    }
}

/// The id a redirect to `prefix<id>` names, whatever query it carries (the confirmation).
fn id_after(location: &str, prefix: &str) -> Result<Uuid, uuid::Error> {
    let path = location.split(['?', '#']).next().unwrap_or(location);
    Uuid::parse_str(path.trim_start_matches(prefix))
}

fn review_fields<'a>(title: &'a str, summary: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("incident_date", "2026-02-11"),
        ("incident_link", ""),
        ("summary", summary),
        ("participants", ""),
    ]
}

/// One writer: its server, its record and the tag its markers start with.
struct Writer {
    browser: Browser,
    server: SocketAddr,
    target: usize,
    tag: String,
    kind: Kind,
    id: Uuid,
    team: Seeded,
}

impl Writer {
    async fn work(self, deadline: Instant) -> (Vec<Write>, Vec<u16>) {
        let (mut writes, mut reads) = (Vec::new(), Vec::new());
        let (edit, save, title) = match self.kind {
            Kind::Review => (
                format!("/reviews/{}/edit", self.id),
                format!("/reviews/{}", self.id),
                format!("Load review {}", self.target),
            ),
            Kind::Defect => (
                format!("/defects/{}/edit", self.id),
                format!("/defects/{}", self.id),
                String::new(),
            ),
        };
        let mut seq = 0usize;
        while Instant::now() < deadline {
            let page = self.browser.get(self.server, &edit).await;
            reads.push(page.status);
            let Some(version) = form_version(&page.body).filter(|_| page.status == 200) else {
                // A refused read (an overloaded server's 503) is counted; try again later.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            seq += 1;
            let marker = format!("{}-{seq}", self.tag);
            let write = self.save(&save, &title, &marker, version, false).await;
            let accepted = (200..400).contains(&write.status);
            writes.push(write);
            if accepted && seq.is_multiple_of(4) {
                let marker = format!("{marker}-stale");
                writes.push(self.save(&save, &title, &marker, version, true).await);
            }
        }
        (writes, reads)
    }

    async fn save(
        &self,
        path: &str,
        title: &str,
        marker: &str,
        version: i32,
        stale_probe: bool,
    ) -> Write {
        let v = version.to_string();
        let answer = match self.kind {
            Kind::Review => {
                let mut fields = review_fields(title, marker);
                fields.push(("version", &v));
                self.browser.post_form(self.server, path, &fields).await
            }
            Kind::Defect => {
                let form = defect_form(&self.team, marker, "high", "production");
                let mut fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                fields.push(("version", &v));
                self.browser.post_form(self.server, path, &fields).await
            }
        };
        Write {
            target: self.target,
            version,
            marker: marker.to_owned(),
            status: answer.status,
            stale_probe,
        }
    }
}
