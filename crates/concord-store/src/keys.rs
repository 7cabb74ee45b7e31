//! Keyed hashes of people's identifiers (HMAC-SHA256 of the phone or ID number under the
//! center's secret key): the same person is recognised across cases — repeat petitions,
//! conflicts of interest, search by phone — without comparing plain personal data, and
//! a copy of the database alone does not reveal who is behind a hash.

use std::sync::Arc;

use concord_domain::person::{IdNumber, Phone};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The secret behind the keyed hashes. Never printed.
#[derive(Clone)]
pub struct PartyKey(Arc<[u8; 32]>);

impl std::fmt::Debug for PartyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartyKey(…)")
    }
}

impl PartyKey {
    pub fn random() -> Self {
        let mut b = [0u8; 32];
        rand::rng().fill_bytes(&mut b);
        Self(Arc::new(b))
    }

    /// From 64 hexadecimal digits, as kept in the key file.
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        let b: [u8; 32] = v.try_into().ok()?;
        Some(Self(Arc::new(b)))
    }

    /// Reads the key file, or creates it with a new random key (readable by its owner
    /// only). Losing the file means the keyed hashes no longer match anyone.
    pub fn load_or_create(path: &std::path::Path) -> std::io::Result<(Self, bool)> {
        match std::fs::read_to_string(path) {
            Ok(s) => Self::from_hex(&s).map(|k| (k, false)).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} 不是有效的密钥文件(应为64位十六进制)", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random();
                write_private(path, &key.to_hex())?;
                Ok((key, true))
            }
            Err(e) => Err(e),
        }
    }

    pub fn to_hex(&self) -> String {
        hex::encode(*self.0)
    }

    pub fn phone(&self, p: &Phone) -> String {
        self.tag("phone", p.as_str())
    }

    pub fn id_number(&self, id: &IdNumber) -> String {
        self.tag("id", id.as_str())
    }

    /// 128 bits of the HMAC, in hex: collisions are out of reach at any scale.
    fn tag(&self, kind: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Where the key file lives by default: beside a SQLite database file, or `concord.key`
/// in the working directory for PostgreSQL.
pub fn default_key_path(database_url: &str) -> std::path::PathBuf {
    if database_url.starts_with("postgres") {
        return "concord.key".into();
    }
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    let path = path.split('?').next().unwrap_or(path);
    format!("{path}.key").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_number_under_the_same_key_matches_and_nothing_else_does() {
        let k = PartyKey::random();
        let p = Phone::parse("p", "138 0013 8000").unwrap();
        let q = Phone::parse("p", "13800138000").unwrap();
        assert_eq!(k.phone(&p), k.phone(&q));
        assert_ne!(k.phone(&p), PartyKey::random().phone(&p));
        assert_eq!(k.phone(&p).len(), 32);
        let again = PartyKey::from_hex(&k.to_hex()).unwrap();
        assert_eq!(again.phone(&p), k.phone(&p));
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }
}
