//! The write load of `escapement_tests::write_load` against running servers, for
//! `benches/write_load.sh`: seeds its records through the first server, runs the writers
//! spread over every server, checks the database and prints one table row. Exits 1 when a
//! write was lost, a stale one applied or a server error seen.
//!
//! `write_load --database URL --server 127.0.0.1:8081 [--server …] [--writers 64]
//! [--seconds 60] [--label NAME] [--header]`

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use escapement_tests::write_load::{Load, Report, check, load_user, run};

struct Args {
    database: String,
    load: Load,
    label: String,
    header: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        database: String::new(),
        load: Load {
            servers: Vec::new(),
            writers: 64,
            duration: Duration::from_secs(60),
        },
        label: "load".to_owned(),
        header: false,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        if flag == "--header" {
            args.header = true;
            continue;
        }
        let value = given.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--database" => args.database = value,
            "--server" => args.load.servers.push(
                value
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("--server {value}: {e}"))?,
            ),
            "--writers" => {
                args.load.writers = value.parse().map_err(|e| format!("--writers: {e}"))?
            }
            "--seconds" => {
                let seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?;
                args.load.duration = Duration::from_secs(seconds);
            }
            "--label" => args.label = value,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.database.is_empty() || args.load.servers.is_empty() {
        return Err("--database and at least one --server are needed".to_owned());
    }
    if let Some(far) = args.load.servers.iter().find(|s| !s.ip().is_loopback()) {
        return Err(format!("{far}: the load only goes to 127.0.0.1"));
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("write_load: {why}");
            return ExitCode::from(2);
        }
    };
    let db = match escapement_storage::connect(&args.database).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("write_load: cannot connect to the database: {e}");
            return ExitCode::from(2);
        }
    };
    let secret = load_user(&db).await;
    let sent = run(&db, &secret, &args.load).await;
    let report = check(&db, &sent).await;
    if args.header {
        let header = Report::header().replace('\n', "\n|---");
        println!("| setup {header}");
    }
    println!("| {} {report}", args.label);
    if report.holds() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
