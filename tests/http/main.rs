//! HTTP suite: the application through its router, on SQLite and PostgreSQL, exercised
//! the way a browser would use it (forms with the CSRF field, redirects, status codes).

mod access;
mod accounts;
mod admin;
mod api;
mod auth;
mod backlog;
mod catalog;
mod concurrency;
mod dashboard;
mod defects;
mod due_dates;
mod imports;
mod isolation;
mod limits;
mod markdown_export;
mod metrics;
mod paging;
mod platform;
mod record;
mod redact;
mod reports;
mod reviews;
mod reviews_access;
mod secrets;
mod seed;
mod sessions;
mod signed_in_path;
mod snapshots;
mod stale_writes;
mod story;
mod tallies;
mod throttling;
mod tokens;
mod users;
mod words;
