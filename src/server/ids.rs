use rand::RngCore;

/// A random 128-bit id as 32 hex characters: unguessable, so a URL reveals nothing about
/// other customers' records, and generated here so one schema works on SQLite and PostgreSQL.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A 256-bit secret for cookies and invitation links.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Milliseconds since the Unix epoch: how every instant is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
