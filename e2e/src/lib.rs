//! The end-to-end harness: it starts the built desktop app (`target/release/yihu-desktop`) in
//! the real WebKitGTK webview through `tauri-driver` and WebKitWebDriver, on a fresh database
//! of its own, and gives the scenario tests in `tests/` a few plain helpers. It exists so that
//! a test reads like what a caseworker does: wait for a screen, click, type, read, look.
//!
//! ```ignore
//! use yihu_e2e::{App, E2eResult};
//!
//! #[tokio::test(flavor = "multi_thread")]
//! async fn first_start() -> E2eResult<()> {
//!     let app = App::start().await?;               // fresh database, one app at a time
//!     app.wait_for(r#"[data-testid="app-ready"]"#).await?;
//!     app.click("button.demo").await?;
//!     app.type_into("#search", "wxl").await?;
//!     assert!(app.text_of(".result").await?.contains("魏秀兰"));
//!     app.screenshot("first-start").await?;          // target/e2e-shots/first-start.png
//!     assert!(app.axe("first-start").await?.is_empty()); // serious/critical only
//!     app.quit().await
//! }
//! ```
//!
//! Data can be put in the database before the app starts with the CLI ([`yihu_call`],
//! [`yihu_demo`]) on a [`TempDb`], then [`App::start_on`]. Every test must be
//! `#[tokio::test(flavor = "multi_thread")]`; apps run one at a time (a global lock taken by
//! `start`), so tests in one file may run in parallel threads safely.
//!
//! Needs: `target/release/yihu-desktop` built with `--features custom-protocol` (and
//! `target/release/yihu` for the CLI helpers), `tauri-driver` 2.1.0 (`cargo install
//! tauri-driver --version 2.1.0 --locked`), `/usr/bin/WebKitWebDriver` (webkit2gtk-driver), a
//! display (`xvfb-run -a`) and a session bus (`dbus-run-session`). `./test.sh` does all that.
//!
//! Environment: `YIHU_E2E_APP`, `YIHU_E2E_CLI`, `TAURI_DRIVER` override the binaries;
//! `YIHU_E2E_KEEP=1` keeps each run's temporary folder (database, logs, driver log) and prints
//! where it is.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use thirtyfour::prelude::*;
use tokio::sync::{Mutex, MutexGuard};

pub mod ui;

pub use serde_json::{Value, json};
pub use thirtyfour;

/// The error type of the harness and of tests written with it.
pub type E2eError = Box<dyn std::error::Error + Send + Sync>;
pub type E2eResult<T> = Result<T, E2eError>;

/// How long `wait_for` and the helpers built on it wait by default.
pub const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

/// One app at a time on this machine's display and session bus.
static ONE_APP_AT_A_TIME: Mutex<()> = Mutex::const_new(());

fn err(message: impl Into<String>) -> E2eError {
    message.into().into()
}

/// The workspace root (the folder with the top Cargo.toml).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Cargo's target folder (`CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|s| !s.is_empty()) {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

fn env_path(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or(default)
}

/// The desktop app under test (`YIHU_E2E_APP`, else `target/release/yihu-desktop`).
pub fn app_binary() -> PathBuf {
    env_path("YIHU_E2E_APP", target_dir().join("release/yihu-desktop"))
}

/// The `yihu` command line (`YIHU_E2E_CLI`, else `target/release/yihu`).
pub fn cli_binary() -> PathBuf {
    env_path("YIHU_E2E_CLI", target_dir().join("release/yihu"))
}

/// Where screenshots and axe reports go: `target/e2e-shots/`.
pub fn shots_dir() -> PathBuf {
    target_dir().join("e2e-shots")
}

fn tauri_driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER").filter(|s| !s.is_empty()) {
        return PathBuf::from(p);
    }
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

fn require_file(path: &Path, how: &str) -> E2eResult<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(err(format!("{} is missing: {how}", path.display())))
    }
}

// ---------------------------------------------------------------------------------------------
// Databases and the CLI

/// A database file in a temporary folder of its own, removed when dropped (kept, and its
/// place printed, with `YIHU_E2E_KEEP=1`).
pub struct TempDb {
    /// None when kept.
    _remove: Option<tempfile::TempDir>,
    dir: PathBuf,
    pub path: PathBuf,
}

impl TempDb {
    /// A new, not yet created database path (the app or the CLI creates the file).
    pub fn new() -> E2eResult<TempDb> {
        let tmp = tempfile::Builder::new().prefix("yihu-e2e-").tempdir()?;
        let dir = tmp.path().to_path_buf();
        let remove = if std::env::var_os("YIHU_E2E_KEEP").is_some_and(|v| v == "1") {
            eprintln!("e2e: keeping {}", tmp.keep().display());
            None
        } else {
            Some(tmp)
        };
        Ok(TempDb {
            _remove: remove,
            path: dir.join("yihu.db"),
            dir,
        })
    }

    /// The temporary folder; the app's config, data and logs of a run go under it too.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// An error printed by the CLI: the core's `{code, message, field}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CliError {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub field: Option<String>,
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for CliError {}

/// The passphrase of every staff member in the tests' databases: the demo's, so that a
/// database from `yihu demo --encrypt` and one encrypted by [`encrypt_for_tests`] sign in alike.
pub const PASSPHRASE: &str = "yihu-demo";

/// Run the `yihu` CLI on `db` with `args` (after `--db <db>`) and parse its JSON output.
/// The CLI's own environment variables (`YIHU_DB`, `YIHU_AS`, `YIHU_TODAY`) are cleared;
/// `YIHU_PASSPHRASE` is [`PASSPHRASE`] (an encrypted database needs it with `--as`).
pub fn yihu(db: &Path, args: &[&str]) -> Result<Value, CliError> {
    yihu_with(db, args, &[])
}

/// [`yihu`] with more environment variables.
pub fn yihu_with(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Value, CliError> {
    let cli = cli_binary();
    let output = Command::new(&cli)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("YIHU_DB")
        .env_remove("YIHU_AS")
        .env_remove("YIHU_TODAY")
        .env_remove("YIHU_RECOVERY_CODE")
        .env("YIHU_PASSPHRASE", PASSPHRASE)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| CliError {
            code: "e2e.cli".into(),
            message: format!(
                "cannot run {} ({e}); build it: cargo build --release -p yihu",
                cli.display()
            ),
            field: None,
        })?;
    if output.status.success() {
        serde_json::from_slice(&output.stdout).map_err(|e| CliError {
            code: "e2e.cli".into(),
            message: format!("the CLI printed no JSON ({e})"),
            field: None,
        })
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(
            serde_json::from_str(stderr.trim()).unwrap_or_else(|_| CliError {
                code: "e2e.cli".into(),
                message: stderr.trim().to_string(),
                field: None,
            }),
        )
    }
}

/// `yihu --db <db> call <command> <request> [--as <actor>]`: one command of the core, as the
/// staff member `actor` (None: nobody, e.g. the first `staff.create`).
pub fn yihu_call(
    db: &Path,
    command: &str,
    request: &Value,
    actor: Option<&str>,
) -> Result<Value, CliError> {
    let body = request.to_string();
    let mut args = vec!["call", command, body.as_str()];
    if let Some(actor) = actor {
        args.extend(["--as", actor]);
    }
    yihu(db, &args)
}

/// `yihu --db <db> demo --households N --seed 1 --today <today> --encrypt`: encrypted demo
/// data into an empty database (every staff member's passphrase is [`PASSPHRASE`]). Returns
/// the demo summary (`admin_id`, `article_staff`, counts, `recovery_code`).
pub fn yihu_demo(db: &Path, households: u32, today: &str) -> Result<Value, CliError> {
    let n = households.to_string();
    yihu(
        db,
        &[
            "demo",
            "--households",
            &n,
            "--seed",
            "1",
            "--today",
            today,
            "--encrypt",
        ],
    )
}

/// Encrypt a plain database filled through the CLI, as an administrator would before handing
/// it to the app: the (first active) administrator encrypts it, then gives every other active
/// staff member the passphrase [`PASSPHRASE`]. Does nothing to an empty or encrypted database.
pub fn encrypt_for_tests(db: &Path) -> Result<(), CliError> {
    if !db.exists() || db.with_extension("db.keys").exists() {
        return Ok(());
    }
    // A file the CLI cannot open (damaged, from a newer Yihu) is left for the app to explain.
    let Ok(people) = yihu_call(db, "session.candidates", &json!({}), None) else {
        return Ok(());
    };
    let people = people.as_array().cloned().unwrap_or_default();
    let Some(admin) = people
        .iter()
        .find(|p| p["role"] == "admin")
        .and_then(|p| p["id"].as_str())
        .map(str::to_string)
    else {
        return Ok(());
    };
    yihu(db, &["encrypt", "--as", &admin])?;
    for p in &people {
        let Some(id) = p["id"].as_str().filter(|id| *id != admin) else {
            continue;
        };
        give_passphrase(db, &admin, id)?;
    }
    Ok(())
}

/// The administrator `admin` gives staff member `id` a passphrase (always temporary), and
/// they make [`PASSPHRASE`] their own with it, as a new colleague does.
pub fn give_passphrase(db: &Path, admin: &str, id: &str) -> Result<(), CliError> {
    const TEMPORARY: &str = "temporary e2e passphrase";
    yihu_with(
        db,
        &["passphrase", "--staff", id, "--as", admin],
        &[("YIHU_NEW_PASSPHRASE", TEMPORARY)],
    )?;
    yihu_with(
        db,
        &["passphrase", "--staff", id, "--as", id],
        &[
            ("YIHU_PASSPHRASE", TEMPORARY),
            ("YIHU_NEW_PASSPHRASE", PASSPHRASE),
        ],
    )?;
    Ok(())
}

/// Today's local date as `YYYY-MM-DD` (the app's clock: the machine's local time).
pub fn today() -> String {
    Command::new("date")
        .arg("+%F")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// tauri-driver

/// Two distinct free ports (the kernel may hand the same ephemeral port out twice in a row once
/// the first probe is closed).
fn two_free_ports() -> E2eResult<(u16, u16)> {
    let first = TcpListener::bind("127.0.0.1:0")?;
    let second = TcpListener::bind("127.0.0.1:0")?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}

/// An error with every cause under it, so a transport failure says what failed.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The running `tauri-driver`; stopped with SIGTERM when dropped (also when a test panics).
/// SIGKILL would orphan WebKitWebDriver and the app, so it is only the last resort.
struct TauriDriver {
    child: Child,
}

impl TauriDriver {
    fn start(port: u16, native_port: u16, env: &[(String, String)], log: &Path) -> E2eResult<Self> {
        let bin = tauri_driver_binary();
        let log_file = std::fs::File::create(log)?;
        let child = Command::new(&bin)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .map_err(|e| {
                err(format!(
                    "cannot start {} ({e}); install it: cargo install tauri-driver --version 2.1.0 --locked",
                    bin.display()
                ))
            })?;
        let mut driver = TauriDriver { child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(err(format!(
                    "tauri-driver exited at start ({status}); its log: {}",
                    read_text(log)
                )));
            }
            if Instant::now() > deadline {
                return Err(err(format!(
                    "tauri-driver did not listen on port {port}; its log: {}",
                    read_text(log)
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return true,
                Ok(None) if Instant::now() > deadline => return false,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child's pid; no memory is involved.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        if !self.wait_exit(Duration::from_secs(10)) {
            eprintln!("e2e: tauri-driver ignored SIGTERM; killing it");
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Makes sure the app of a run is gone before the next one starts: an app still shutting down
/// would answer the next launch through the single-instance plugin (same session bus), and
/// that launch would exit at once with no window for WebDriver. Finds the app by the `YIHU_DB`
/// in its environment, asks it to stop (SIGTERM), then kills it after a few seconds.
struct Reaper {
    db: PathBuf,
}

impl Reaper {
    fn leftover_pids(&self) -> Vec<i32> {
        let needle = format!("YIHU_DB={}", self.db.display());
        let mut pids = Vec::new();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return pids;
        };
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            if !comm.trim().starts_with("yihu-desktop") {
                continue;
            }
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ
                .split(|b| *b == 0)
                .any(|var| var == needle.as_bytes())
            {
                pids.push(pid);
            }
        }
        pids
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut signalled = false;
        loop {
            let pids = self.leftover_pids();
            if pids.is_empty() {
                return;
            }
            let late = Instant::now() > deadline;
            for pid in pids {
                let sig = if late { libc::SIGKILL } else { libc::SIGTERM };
                if late || !signalled {
                    // SAFETY: kill(2) on a process of this run's app, found by its YIHU_DB.
                    unsafe {
                        libc::kill(pid, sig);
                    }
                }
            }
            if !signalled {
                eprintln!("e2e: the app was still running after the session ended; stopping it");
            }
            signalled = true;
            if late {
                std::thread::sleep(Duration::from_millis(200));
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn read_text(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The app

/// How to start the app: on which database, with which extra environment.
#[derive(Default)]
pub struct Launch {
    /// The database to open (default: a fresh one).
    pub db: Option<TempDb>,
    /// Extra environment for the app (e.g. `LANG`).
    pub env: Vec<(String, String)>,
}

/// The desktop app running under WebDriver with a database of its own.
///
/// Fields drop in order: the WebDriver session, then tauri-driver (SIGTERM), then the
/// temporary folder, then the one-app-at-a-time lock.
pub struct App {
    /// The WebDriver session, for anything the helpers do not cover (thirtyfour's API).
    pub driver: WebDriver,
    /// The app's database file (`YIHU_DB`); the CLI helpers can read it while the app runs.
    pub db: PathBuf,
    tauri_driver: TauriDriver,
    reaper: Reaper,
    home: TempDb,
    _turn: MutexGuard<'static, ()>,
}

impl App {
    /// Start the app on a fresh, empty database.
    pub async fn start() -> E2eResult<App> {
        App::launch(Launch::default()).await
    }

    /// Start the app on `db` (e.g. one filled with [`yihu_demo`]). A plain database filled
    /// through the CLI is first encrypted with [`encrypt_for_tests`].
    pub async fn start_on(db: TempDb) -> E2eResult<App> {
        encrypt_for_tests(&db.path)
            .map_err(|e| err(format!("cannot encrypt the test database: {e}")))?;
        App::launch(Launch {
            db: Some(db),
            ..Launch::default()
        })
        .await
    }

    /// Start the app as `launch` says. Waits for its turn (one app at a time), then for the
    /// WebDriver session, i.e. for the window to exist; wait for your first element next.
    pub async fn launch(launch: Launch) -> E2eResult<App> {
        let turn = ONE_APP_AT_A_TIME.lock().await;
        let app = app_binary();
        require_file(
            &app,
            "build it: (cd ui && npm run build) && cargo build --release -p yihu-desktop --features custom-protocol",
        )?;
        let home = match launch.db {
            Some(db) => db,
            None => TempDb::new()?,
        };
        let (config, data) = (home.dir().join("config"), home.dir().join("data"));
        std::fs::create_dir_all(&config)?;
        std::fs::create_dir_all(&data)?;
        // tauri-driver hands its environment to WebKitWebDriver, which hands it to the app:
        // the app opens YIHU_DB, and keeps its window state and logs in this run's folder.
        let mut env = vec![
            ("YIHU_DB".to_string(), home.path.display().to_string()),
            ("XDG_CONFIG_HOME".to_string(), config.display().to_string()),
            ("XDG_DATA_HOME".to_string(), data.display().to_string()),
        ];
        env.extend(launch.env);
        let (port, native_port) = two_free_ports()?;
        let log = home.dir().join("tauri-driver.log");
        let mut tauri_driver = TauriDriver::start(port, native_port, &env, &log)?;

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app.display().to_string() }),
        );
        // tauri-driver listens before the WebKitWebDriver it starts does (on a cold machine,
        // seconds later); a session asked for in between fails in transport — tauri-driver
        // answers with the connection error, or drops the connection so the request itself
        // fails ("error sending request", seen on CI with an empty log) — so transport errors
        // are asked again for up to 30 s while tauri-driver runs. An answer from the driver
        // that refuses the session fails at once.
        let deadline = Instant::now() + Duration::from_secs(30);
        let driver = loop {
            match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
                Ok(d) => break d,
                Err(e) => {
                    let chain = error_chain(&e);
                    let transport = chain.contains("tcp connect error")
                        || chain.contains("error sending request")
                        || chain.contains("connection closed")
                        || chain.contains("Connection reset")
                        || read_text(&log).contains("tcp connect error");
                    let running = matches!(tauri_driver.child.try_wait(), Ok(None));
                    if transport && running && Instant::now() < deadline {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        continue;
                    }
                    return Err(err(format!(
                        "no WebDriver session ({chain}); tauri-driver {}; its log: {}",
                        if running { "still runs" } else { "has exited" },
                        read_text(&log)
                    )));
                }
            }
        };
        let db = home.path.clone();
        Ok(App {
            driver,
            db,
            tauri_driver,
            reaper: Reaper {
                db: home.path.clone(),
            },
            home,
            _turn: turn,
        })
    }

    /// The first displayed element matching the CSS selector, waiting up to [`WAIT`].
    pub async fn wait_for(&self, css: &str) -> E2eResult<WebElement> {
        self.wait_for_within(css, WAIT).await
    }

    /// [`App::wait_for`] with another timeout (e.g. after loading demo data).
    pub async fn wait_for_within(&self, css: &str, timeout: Duration) -> E2eResult<WebElement> {
        self.driver
            .query(By::Css(css.to_string()))
            .wait(timeout, POLL)
            .and_displayed()
            .first()
            .await
            .map_err(|e| err(format!("no visible `{css}` within {timeout:?}: {e}")))
    }

    /// Wait (up to [`WAIT`]) until nothing matches the selector any more, or nothing visible.
    pub async fn wait_gone(&self, css: &str) -> E2eResult<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let mut visible = false;
            for el in self.driver.find_all(By::Css(css.to_string())).await? {
                if el.is_displayed().await.unwrap_or(false) {
                    visible = true;
                    break;
                }
            }
            if !visible {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(err(format!("`{css}` still visible after {WAIT:?}")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// How many elements match the selector now (no waiting).
    pub async fn count(&self, css: &str) -> E2eResult<usize> {
        Ok(self.driver.find_all(By::Css(css.to_string())).await?.len())
    }

    /// Wait for the element, bring it to the middle of the window (so a sticky header, such
    /// as the household page's section bar, never lies over it), then click it.
    pub async fn click(&self, css: &str) -> E2eResult<()> {
        let el = self.wait_for(css).await?;
        self.driver
            .execute(
                "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' });",
                vec![el.to_json()?],
            )
            .await?;
        el.click()
            .await
            .map_err(|e| err(format!("cannot click `{css}`: {e}")))
    }

    /// Wait for the field, empty it, then type `text` into it (key by key, as a person would;
    /// Chinese text is typed as it is, without an input method). Emptying fires an `input`
    /// event, so a field bound with `bind:value` sees it even when `text` is empty.
    pub async fn type_into(&self, css: &str, text: &str) -> E2eResult<()> {
        let el = self.wait_for(css).await?;
        el.clear().await?;
        self.driver
            .execute(
                "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![el.to_json()?],
            )
            .await?;
        if text.is_empty() {
            return Ok(());
        }
        el.send_keys(text)
            .await
            .map_err(|e| err(format!("cannot type into `{css}`: {e}")))
    }

    /// Wait for the element, then return its visible text.
    pub async fn text_of(&self, css: &str) -> E2eResult<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Run JavaScript in the page (`return ...;` gives the value).
    pub async fn exec(&self, script: &str) -> E2eResult<Value> {
        Ok(self
            .driver
            .execute(script, Vec::new())
            .await?
            .json()
            .clone())
    }

    /// Wait (up to [`WAIT`]) until the script (`return <boolean>;`) returns true; `what` says
    /// what was awaited in the error.
    pub async fn wait_until_js(&self, script: &str, what: &str) -> E2eResult<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.exec(script).await? == json!(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(err(format!("{what} (waited {WAIT:?})")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Let the page paint: wait two animation frames.
    pub async fn settle(&self) -> E2eResult<()> {
        self.driver
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                Vec::new(),
            )
            .await?;
        Ok(())
    }

    /// Screenshot of the window into `target/e2e-shots/<name>.png`, after two animation
    /// frames. Returns the file's path.
    pub async fn screenshot(&self, name: &str) -> E2eResult<PathBuf> {
        self.settle().await?;
        let png = self.driver.screenshot_as_png().await?;
        let dir = shots_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Check the page with axe-core (`ui/node_modules/axe-core`) and return the violations of
    /// impact serious or critical (each axe's JSON: `id`, `impact`, `help`, `nodes`…). The
    /// whole report is written to `target/e2e-shots/<name>.axe.json`. Use
    /// [`describe_violations`] for an assertion message.
    pub async fn axe(&self, name: &str) -> E2eResult<Vec<Value>> {
        let loaded = self.exec("return typeof window.axe === 'object';").await?;
        if loaded != json!(true) {
            let source_path = workspace_root().join("ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&source_path)
                .map_err(|e| err(format!("{}: {e}; run npm ci in ui/", source_path.display())))?;
            // WebDriver scripts run in the page, unaffected by its CSP (script-src 'self').
            let script = format!("{source}\n;return typeof window.axe;");
            let kind = self.exec(&script).await?;
            if kind != json!("object") {
                return Err(err(format!("axe-core did not load (typeof axe: {kind})")));
            }
        }
        self.settle().await?;
        let report = self
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 window.axe.run(document, { resultTypes: ['violations'] })\
                   .then((r) => done(JSON.stringify(r.violations)))\
                   .catch((e) => done(JSON.stringify({ error: String(e) })));",
                Vec::new(),
            )
            .await?;
        let text = report.json().as_str().unwrap_or("[]").to_string();
        let all: Value = serde_json::from_str(&text)?;
        if let Some(e) = all.get("error") {
            return Err(err(format!("axe failed: {e}")));
        }
        let dir = shots_dir();
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("{name}.axe.json")),
            serde_json::to_string_pretty(&all)?,
        )?;
        Ok(all
            .as_array()
            .map(|list| {
                list.iter()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Everything the app has logged in this run (its daily log files).
    pub fn app_log(&self) -> String {
        let dir = self.home.dir().join("data/org.yihu.desktop/logs");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().map(|f| read_text(f)).collect()
    }

    /// The temporary folder of this run (database, config, data, tauri-driver.log).
    pub fn dir(&self) -> &Path {
        self.home.dir()
    }

    /// End the session and stop the app (also done on drop, e.g. when a test panics).
    pub async fn quit(self) -> E2eResult<()> {
        let App {
            driver,
            tauri_driver,
            reaper,
            home,
            _turn,
            ..
        } = self;
        let quit = driver.quit().await;
        drop(tauri_driver);
        drop(reaper);
        drop(home);
        quit.map_err(|e| err(format!("ending the WebDriver session: {e}")))
    }
}

/// One line per violation (`id [impact]: help — N nodes: selectors`), for assert messages.
pub fn describe_violations(violations: &[Value]) -> String {
    violations
        .iter()
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .map(|nodes| nodes.iter().map(|n| n["target"].to_string()).collect())
                .unwrap_or_default();
            format!(
                "{} [{}]: {} — {} node(s): {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                targets.len(),
                targets.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
