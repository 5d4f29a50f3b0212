//! The `yihu-desktop` binary: everything is in the library (`yihu_desktop::run`).

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    yihu_desktop::run();
}
