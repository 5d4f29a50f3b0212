//! Rebuilds the core when a migration is added or edited: `include_dir!` embeds `migrations/`
//! but cargo does not track a directory on its own.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=data/divisions");
}
