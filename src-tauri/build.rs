//! Build script of the desktop shell. The shell's IPC commands are declared once, as the
//! `#[tauri::command]` functions of src/commands.rs; this script reads their names from there
//! and hands them to tauri-build (which generates each `allow-<command>` permission that
//! capabilities/default.json then grants) and writes `$OUT_DIR/shell_commands.rs`: the name
//! list and the invoke handler, both included by src/lib.rs. A test checks the capability and
//! the UI's `ShellCommand` type against the same list.

use std::path::Path;

/// The names of the `#[tauri::command]` functions in `source`, in order.
fn command_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[tauri::command") {
            pending = true;
            continue;
        }
        if !pending || line.starts_with("#[") || line.starts_with("//") {
            continue;
        }
        let rest = line
            .trim_start_matches("pub ")
            .trim_start_matches("async ")
            .strip_prefix("fn ");
        if let Some(rest) = rest {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
        pending = false;
    }
    names
}

fn main() {
    // generate_context! embeds ui/dist only when the crate recompiles: make a rebuilt UI
    // recompile it. (Only with custom-protocol; a dev build loads devUrl and embeds nothing.)
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_some() {
        let dist = Path::new("../ui/dist");
        if dist.exists() {
            println!("cargo:rerun-if-changed=../ui/dist");
        }
    }
    println!("cargo:rerun-if-changed=src/commands.rs");
    let source = match std::fs::read_to_string("src/commands.rs") {
        Ok(s) => s,
        Err(e) => {
            println!("cargo:warning=cannot read src/commands.rs: {e}");
            std::process::exit(1);
        }
    };
    let names = command_names(&source);
    if names.is_empty() {
        println!("cargo:warning=no #[tauri::command] function found in src/commands.rs");
        std::process::exit(1);
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let paths: Vec<String> = names
        .iter()
        .map(|n| format!("crate::commands::{n}"))
        .collect();
    let generated = format!(
        "/// The shell's IPC commands, as declared in src/commands.rs (read by build.rs).\n\
         pub const SHELL_COMMANDS: &[&str] = &[{}];\n\n\
         /// The invoke handler of every command in [`SHELL_COMMANDS`].\n\
         pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {{\n\
         \x20   tauri::generate_handler![{}]\n\
         }}\n",
        quoted.join(", "),
        paths.join(", ")
    );
    let out = match std::env::var_os("OUT_DIR") {
        Some(dir) => Path::new(&dir).join("shell_commands.rs"),
        None => {
            println!("cargo:warning=OUT_DIR is not set");
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(&out, generated) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    // tauri-build keeps the list for the whole run ('static): the build script leaks it once.
    let commands: &'static [&'static str] = Box::leak(
        names
            .into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
