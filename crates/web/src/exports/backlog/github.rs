//! `github-csv` and `github-script`: the backlog as GitHub takes it.
//!
//! GitHub has no CSV import of its own; the CSV tools for it (such as `github-csv-tools`) read
//! the columns `title`, `body` and `labels`, the labels in one cell separated by commas. Such
//! tools only create issues, so linked items are never written to the CSV.
//!
//! The script is bash for the GitHub CLI (`gh`): every argument single-quoted (a `'` inside
//! written `'\''`), so no value can end the quoting, expand a variable or run a command. It
//! creates each label with `gh label create … --force` (create or update) before the first
//! issue that uses it, then `gh issue create` per item; in
//! [`Linked::Update`](super::Linked::Update) mode an item linked to a GitHub issue (`#45` or
//! `owner/repo#45`) becomes `gh issue edit 45` instead. Items linked to anything else (a Jira
//! key) are skipped.

use std::collections::HashSet;
use std::io::{self, Write};

use escapement_core::backlog::ExportItem;

use super::text;

/// The CSV header row.
pub const HEADER: [&str; 3] = ["title", "body", "labels"];

/// The CSV row of `item`, before formula protection.
pub fn record(item: &ExportItem) -> [String; 3] {
    [
        item.title.clone(),
        text::description(item),
        text::labels(item).join(","),
    ]
}

/// A GitHub issue reference: the repository when the key names one, and the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueRef<'a> {
    pub repo: Option<&'a str>,
    pub number: u64,
}

/// The GitHub issue `key` names (`#45`, `owner/repo#45`), if it names one.
pub fn issue_ref(key: &str) -> Option<IssueRef<'_>> {
    let (repo, number) = key.trim().rsplit_once('#')?;
    let number = number.parse::<u64>().ok().filter(|n| *n > 0)?;
    let repo = match repo {
        "" => None,
        r if r.split('/').count() == 2 && r.split('/').all(|p| !p.is_empty()) => Some(r),
        _ => return None,
    };
    Some(IssueRef { repo, number })
}

/// `value` as one bash word that stands for exactly itself: single-quoted, each `'` written
/// `'\''`. NUL, which no argument can carry, is dropped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\0' => {}
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The script's state between items: the labels already created, per repository. Bounded by
/// repositories × mechanisms × components, whatever the number of items.
#[derive(Debug)]
pub struct Script {
    /// The repository `REPO` is fixed to, if the export named one.
    repo: Option<String>,
    labels: HashSet<(String, String)>,
}

impl Script {
    /// Writes the script's first lines: the shebang, strict mode, and `REPO`, fixed to `repo`
    /// when given, otherwise required from the environment.
    pub fn start(out: &mut impl Write, repo: Option<&str>, heading: &str) -> io::Result<Script> {
        writeln!(out, "#!/usr/bin/env bash")?;
        writeln!(out, "# {heading}")?;
        writeln!(
            out,
            "# Creates the items as GitHub issues with the GitHub CLI (run `gh auth login` first)."
        )?;
        writeln!(out, "set -euo pipefail")?;
        match repo {
            Some(r) => writeln!(out, "REPO={}", quote(r))?,
            None => writeln!(out, "REPO=\"${{REPO:?set REPO=owner/name}}\"")?,
        }
        Ok(Script {
            repo: repo.map(str::to_owned),
            labels: HashSet::new(),
        })
    }

    /// How many labels the script has created so far.
    pub fn labels_seen(&self) -> usize {
        self.labels.len()
    }

    /// The commands for `item`: label creations first, then the issue's; `linked` is the GitHub
    /// issue to edit, if any.
    pub fn item(
        &mut self,
        out: &mut impl Write,
        item: &ExportItem,
        linked: Option<IssueRef<'_>>,
    ) -> io::Result<()> {
        let repo = match linked.and_then(|l| l.repo) {
            Some(r) if Some(r) != self.repo.as_deref() => quote(r),
            _ => "\"$REPO\"".to_owned(),
        };
        let labels = text::labels(item);
        writeln!(out)?;
        for (i, label) in labels.iter().enumerate() {
            if self.labels.insert((repo.clone(), label.clone())) {
                let about = if i == 0 {
                    item.mechanism.label().to_owned()
                } else {
                    item.component.clone().unwrap_or_default()
                };
                let about: String = about.chars().take(100).collect();
                writeln!(
                    out,
                    "gh label create {} --repo {repo} --description {} --force",
                    quote(label),
                    quote(&about)
                )?;
            }
        }
        let (command, label_flag) = match linked {
            Some(l) => (format!("gh issue edit {}", l.number), "--add-label"),
            None => ("gh issue create".to_owned(), "--label"),
        };
        write!(
            out,
            "{command} --repo {repo} \\\n  --title {} \\\n  --body {}",
            quote(&item.title),
            quote(&text::description(item))
        )?;
        for label in &labels {
            write!(out, " \\\n  {label_flag} {}", quote(label))?;
        }
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{IssueRef, issue_ref, quote};

    #[test]
    fn github_keys_are_recognised() {
        assert_eq!(
            issue_ref("#45"),
            Some(IssueRef {
                repo: None,
                number: 45
            })
        );
        assert_eq!(
            issue_ref("acme/shop#7"),
            Some(IssueRef {
                repo: Some("acme/shop"),
                number: 7
            })
        );
        for other in ["PAY-123", "#", "#x", "a/b/c#1", "shop#3", "#0", "/b#2"] {
            assert_eq!(issue_ref(other), None, "{other}");
        }
    }

    #[test]
    fn quoting_keeps_every_value_one_word() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$(x)"), "'$(x)'");
    }
}
