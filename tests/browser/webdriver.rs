//! A headless Chromium per test: starts `chromedriver` on a free port, opens a WebDriver
//! session through fantoccini, and always closes the session and stops the driver again.
//!
//! Without `chromedriver` the browser tests are skipped with a printed reason, except when
//! `CI=true`: then they fail, because CI must run them.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use uuid::Uuid;

/// The Chromium binary the session starts (Debian's `chromium` package).
const CHROMIUM: &str = "/usr/bin/chromium";

/// Where `chromedriver` is looked for when it is not on `PATH` (Debian's `chromium-driver`).
const CHROMEDRIVER_FALLBACK: &str = "/usr/bin/chromedriver";

/// How long `chromedriver` may take to answer `/status` with `ready: true`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// Arguments for a quiet, reproducible headless Chromium.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

/// A running `chromedriver` with its scratch directory (Chromium profile and driver log).
/// Dropping it kills the process and removes the directory.
struct Driver {
    child: Child,
    url: String,
    scratch: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// `chromedriver` from `PATH`, else the Debian location, else `None`.
fn find_chromedriver() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromedriver"));
    on_path
        .chain([PathBuf::from(CHROMEDRIVER_FALLBACK)])
        .find(|path| path.is_file())
}

/// Why the browser tests cannot run here, if anything is missing.
fn missing_prerequisite() -> Option<String> {
    if find_chromedriver().is_none() {
        return Some(format!(
            "chromedriver is not on PATH nor at {CHROMEDRIVER_FALLBACK}"
        ));
    }
    if !Path::new(CHROMIUM).is_file() {
        return Some(format!("Chromium is not installed at {CHROMIUM}"));
    }
    None
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free local port");
    listener
        .local_addr()
        .expect("the free port's address")
        .port()
}

/// Whether `chromedriver` at `address` answers `GET /status` with `"ready": true`.
fn status_ready(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /status HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    // chromedriver keeps the connection open despite `Connection: close`: read exactly the
    // head and `Content-Length` bytes of body.
    let mut response = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some((status_ok, body)) = complete_response(&response) {
            return status_ok
                && serde_json::from_slice::<serde_json::Value>(body)
                    .is_ok_and(|status| status["value"]["ready"] == serde_json::Value::Bool(true));
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Whether the status is 200 and the body, once `response` holds a whole HTTP response.
fn complete_response(response: &[u8]) -> Option<(bool, &[u8])> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&response[..head_end]).ok()?;
    let length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())?;
    let body = response.get(head_end + 4..head_end + 4 + length)?;
    Some((head.starts_with("HTTP/1.1 200"), body))
}

/// Starts `chromedriver` on a free port and waits until it is ready. A port taken between
/// choosing and binding it makes the driver exit; then another port is tried.
fn launch(chromedriver: &Path) -> Driver {
    let scratch =
        std::env::temp_dir().join(format!("escapement-browser-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).expect("create the browser scratch directory");
    let log = scratch.join("chromedriver.log");
    for _attempt in 0..3 {
        let port = free_port();
        let mut child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if status_ready(address) {
                return Driver {
                    child,
                    url: format!("http://{address}"),
                    scratch,
                };
            }
            if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&scratch);
    panic!("chromedriver did not become ready on three ports; its log:\n{log_text}");
}

/// The capabilities of a headless Chromium with a fresh profile in `profile`, saving
/// downloads into `downloads` without asking.
fn capabilities(profile: &Path, downloads: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|arg| (*arg).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            },
        },
    });
    match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("the capabilities literal is an object"),
    }
}

/// `tests/screenshots/`, where the suite saves its screenshots.
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots")
}

/// Runs `scenario` with a WebDriver client on a fresh headless Chromium, then closes the
/// session, also when the scenario panicked: then the page it failed on is saved as
/// `tests/screenshots/failed-{label}.png` and the panic is passed on.
///
/// Returns without running anything when `chromedriver` or Chromium is missing, after
/// printing why; panics instead when `CI=true`.
pub async fn with_browser<F, Fut>(label: &str, scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser_downloads(label, move |client, _downloads| scenario(client)).await;
}

/// [`with_browser`], also handing the scenario the empty directory the browser saves its
/// downloads into (removed with the rest of the scratch directory afterwards).
pub async fn with_browser_downloads<F, Fut>(label: &str, scenario: F)
where
    F: FnOnce(Client, PathBuf) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if let Some(reason) = missing_prerequisite() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "CI=true but {reason}: the browser suite must run in CI; install the chromium and chromium-driver packages"
            );
        }
        eprintln!(
            "skipping the browser test: {reason} (install the chromium and chromium-driver packages)"
        );
        return;
    }
    let failure_shot = screenshot_dir().join(format!("failed-{label}.png"));
    let _ = std::fs::remove_file(&failure_shot);
    let chromedriver = find_chromedriver().expect("chromedriver was found a moment ago");
    let driver = match tokio::task::spawn_blocking(move || launch(&chromedriver)).await {
        Ok(driver) => driver,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the chromedriver launcher did not finish: {e}"),
    };
    let profile = driver.scratch.join("profile");
    let downloads = driver.scratch.join("downloads");
    std::fs::create_dir_all(&downloads).expect("create the download directory");
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities(&profile, &downloads))
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("open a WebDriver session on {}: {e}", driver.url));

    // A spawned task turns a failed assertion into a JoinError, so the session still closes.
    let outcome = tokio::spawn(scenario(client.clone(), downloads)).await;
    if outcome.is_err() {
        // Best effort: a failure here must not hide the scenario's own panic.
        let (shooter, name) = (client.clone(), format!("failed-{label}.png"));
        let _ = tokio::spawn(async move { save_full_page_screenshot(&shooter, &name).await }).await;
    }
    let closed = client.close().await;
    drop(driver);
    match outcome {
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the browser scenario did not finish: {e}"),
        Ok(()) => closed.expect("close the WebDriver session"),
    }
}

/// Saves a PNG of the whole page (not only the viewport) as `tests/screenshots/{name}`: the
/// window is made as tall as the document for the shot, then restored.
pub async fn save_full_page_screenshot(client: &Client, name: &str) {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("create tests/screenshots");
    let (width, height) = client.get_window_size().await.expect("the window size");
    let needed = client
        .execute(
            "return Math.ceil(document.documentElement.scrollHeight + window.outerHeight - window.innerHeight);",
            Vec::new(),
        )
        .await
        .expect("measure the document height")
        .as_u64()
        .expect("the document height is a whole number");
    let width = u32::try_from(width).expect("the window width fits in u32");
    let full = u32::try_from(needed.max(height)).expect("the document height fits in u32");
    client
        .set_window_size(width, full)
        .await
        .expect("make the window as tall as the page");
    let png = client.screenshot().await.expect("take a screenshot");
    let height = u32::try_from(height).expect("the window height fits in u32");
    client
        .set_window_size(width, height)
        .await
        .expect("restore the window size");
    let path = dir.join(name);
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The file `name` in `dir` once the browser has finished saving it (no `.crdownload` beside
/// it and its size steady for a moment), within `timeout`.
pub async fn downloaded(dir: &Path, name: &str, timeout: Duration) -> Vec<u8> {
    let (dir, name) = (dir.to_owned(), name.to_owned());
    match tokio::task::spawn_blocking(move || wait_for_download(&dir, &name, timeout)).await {
        Ok(bytes) => bytes,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the download watcher did not finish: {e}"),
    }
}

fn wait_for_download(dir: &Path, name: &str, timeout: Duration) -> Vec<u8> {
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.crdownload"));
    let deadline = Instant::now() + timeout;
    let mut last_size = None;
    loop {
        if path.is_file() && !partial.exists() {
            let size = std::fs::metadata(&path).map(|m| m.len()).ok();
            if size.is_some() && size == last_size {
                return std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            }
            last_size = size;
        }
        if Instant::now() > deadline {
            let present: Vec<String> = std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "the download {name} did not finish within {timeout:?}; {} holds {present:?}",
                dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
