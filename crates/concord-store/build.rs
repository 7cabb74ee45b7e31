// `sqlx::migrate!` embeds the migrations when it expands; without this, editing one
// would not rebuild the crate and the binary would run the old text.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
