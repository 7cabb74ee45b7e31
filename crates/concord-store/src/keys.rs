//! The center's secrets, kept in the key file:
//! - the matching key: keyed hashes of people's identifiers (HMAC-SHA256 of the phone or
//!   ID number), so the same person is recognised across cases — repeat petitions,
//!   conflicts of interest, search by phone — without comparing plain personal data;
//! - the encryption keys: phone and ID numbers are stored sealed with AES-256-GCM, each
//!   value tagged with the id of the key that sealed it, so that `concord keys rotate`
//!   can bring in a new key and re-seal everything while older values stay readable.
//!
//! A copy of the database alone reveals neither who is behind a hash nor any number.
//!
//! Key file: the matching key (64 hex digits) on the first line, then one line
//! `enc ID HEX` per encryption key, the one in use first.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use concord_domain::person::{IdNumber, Phone};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

/// How a sealed value starts: `enc1:KEYID:base64(nonce ‖ ciphertext ‖ tag)`.
const SEALED: &str = "enc1:";

struct EncryptionKey {
    id: String,
    secret: [u8; 32],
    cipher: Aes256Gcm,
}

impl EncryptionKey {
    fn new(id: String, secret: [u8; 32]) -> Self {
        let cipher = Aes256Gcm::new(&secret.into());
        Self { id, secret, cipher }
    }

    fn random() -> Self {
        let mut id = [0u8; 4];
        rand::rng().fill_bytes(&mut id);
        Self::new(hex::encode(id), random_bytes())
    }
}

struct Keys {
    matching: [u8; 32],
    /// The key in use first; older keys only open values not yet re-sealed.
    encryption: Vec<EncryptionKey>,
}

/// The center's secrets. Never printed.
#[derive(Clone)]
pub struct PartyKey(Arc<Keys>);

impl std::fmt::Debug for PartyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartyKey(…)")
    }
}

fn random_bytes() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s.trim()).ok()?.try_into().ok()
}

/// A sealed value that no key here opens, or that was altered.
#[derive(Debug, thiserror::Error)]
#[error("加密的个人信息无法解开(密钥 {0}):密钥文件不对,或数据被改动")]
pub struct Unreadable(pub String);

impl PartyKey {
    pub fn random() -> Self {
        Self(Arc::new(Keys {
            matching: random_bytes(),
            encryption: vec![EncryptionKey::random()],
        }))
    }

    /// From the key file's text. A file holding only the matching key (as written
    /// before encryption) gets a new encryption key: the second value says so.
    pub fn parse(text: &str) -> Option<(Self, bool)> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let matching = hex32(lines.next()?)?;
        let mut encryption = Vec::new();
        for line in lines {
            let mut parts = line.split_whitespace();
            let (Some("enc"), Some(id), Some(secret), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            encryption.push(EncryptionKey::new(id.to_string(), hex32(secret)?));
        }
        let added = encryption.is_empty();
        if added {
            encryption.push(EncryptionKey::random());
        }
        Some((
            Self(Arc::new(Keys {
                matching,
                encryption,
            })),
            added,
        ))
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", hex::encode(self.0.matching));
        for k in &self.0.encryption {
            s.push_str(&format!("enc {} {}\n", k.id, hex::encode(k.secret)));
        }
        s
    }

    /// Reads the key file, or creates it with new random keys (readable by its owner
    /// only); says whether it wrote the file. Losing the file means the keyed hashes no
    /// longer match anyone and the sealed numbers can no longer be read.
    pub fn load_or_create(path: &std::path::Path) -> std::io::Result<(Self, bool)> {
        match std::fs::read_to_string(path) {
            Ok(s) => {
                let (key, added) = Self::parse(&s).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "{} 不是有效的密钥文件(第一行应为64位十六进制)",
                            path.display()
                        ),
                    )
                })?;
                if added {
                    key.save(path)?;
                }
                Ok((key, added))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random();
                key.save(path)?;
                Ok((key, true))
            }
            Err(e) => Err(e),
        }
    }

    /// Writes the key file whole or not at all (a new file renamed over the old).
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        let tmp = path.with_extension("key-new");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, &self.to_text())?;
        std::fs::rename(&tmp, path)
    }

    /// A new encryption key in front; the older ones kept to open what is not re-sealed.
    pub fn rotated(&self) -> Self {
        let mut encryption = vec![EncryptionKey::random()];
        for k in &self.0.encryption {
            encryption.push(EncryptionKey::new(k.id.clone(), k.secret));
        }
        Self(Arc::new(Keys {
            matching: self.0.matching,
            encryption,
        }))
    }

    /// Only the encryption key in use (once everything is re-sealed under it).
    pub fn without_older(&self) -> Self {
        let k = &self.0.encryption[0];
        Self(Arc::new(Keys {
            matching: self.0.matching,
            encryption: vec![EncryptionKey::new(k.id.clone(), k.secret)],
        }))
    }

    /// The id of the encryption key in use.
    pub fn encryption_key_id(&self) -> &str {
        &self.0.encryption[0].id
    }

    /// Seals a value under the key in use (a fresh random nonce each time).
    pub fn seal(&self, plain: &str) -> String {
        let k = &self.0.encryption[0];
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = k
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM seals any length here");
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&ct);
        format!("{SEALED}{}:{}", k.id, B64.encode(raw))
    }

    /// Opens a sealed value; a value stored before encryption comes back as it is.
    pub fn open(&self, stored: &str) -> Result<String, Unreadable> {
        let Some(rest) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_string());
        };
        let (id, body) = rest.split_once(':').unwrap_or((rest, ""));
        let bad = || Unreadable(id.to_string());
        let k = self
            .0
            .encryption
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(bad)?;
        let raw = B64.decode(body).map_err(|_| bad())?;
        if raw.len() < 12 {
            return Err(bad());
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = k
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// Opens an optional stored column; a value no key opens is corruption.
    pub(crate) fn open_column(
        &self,
        stored: Option<String>,
    ) -> Result<Option<String>, crate::StoreError> {
        stored
            .map(|v| {
                self.open(&v)
                    .map_err(|e| crate::StoreError::Corrupt(e.to_string()))
            })
            .transpose()
    }

    /// Whether a stored value is not (yet) sealed under the key in use.
    pub fn needs_resealing(&self, stored: &str) -> bool {
        let current = &self.0.encryption[0].id;
        match stored.strip_prefix(SEALED).and_then(|r| r.split_once(':')) {
            Some((id, _)) => id != current,
            None => true,
        }
    }

    pub fn phone(&self, p: &Phone) -> String {
        self.tag("phone", p.as_str())
    }

    pub fn id_number(&self, id: &IdNumber) -> String {
        self.tag("id", id.as_str())
    }

    /// 128 bits of the HMAC, in hex: collisions are out of reach at any scale.
    fn tag(&self, kind: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0.matching[..]).expect("any key length");
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
        let (again, added) = PartyKey::parse(&k.to_text()).unwrap();
        assert!(!added);
        assert_eq!(again.phone(&p), k.phone(&p));
        assert!(!format!("{k:?}").contains(&k.to_text()[..64]));
    }

    #[test]
    fn sealed_numbers_open_only_under_their_key_and_survive_a_rotation() {
        let k = PartyKey::random();
        let sealed = k.seal("13800138000");
        assert!(!sealed.contains("13800138000"));
        assert_ne!(sealed, k.seal("13800138000"), "a fresh nonce each time");
        assert_eq!(k.open(&sealed).unwrap(), "13800138000");
        assert!(PartyKey::random().open(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(k.open(&tampered).is_err(), "altered ciphertext is refused");
        assert_eq!(
            k.open("0578-5123456").unwrap(),
            "0578-5123456",
            "legacy plain text"
        );

        let r = k.rotated();
        assert!(r.needs_resealing(&sealed) && !r.needs_resealing(&r.seal("x")));
        assert_eq!(r.open(&sealed).unwrap(), "13800138000");
        assert_eq!(
            r.phone(&Phone::parse("p", "13800138000").unwrap()),
            k.phone(&Phone::parse("p", "13800138000").unwrap()),
            "matching key kept"
        );
        assert!(r.without_older().open(&sealed).is_err());
        let (file, _) = PartyKey::parse(&r.to_text()).unwrap();
        assert_eq!(file.open(&sealed).unwrap(), "13800138000");
    }

    #[test]
    fn a_key_file_from_before_encryption_gains_an_encryption_key() {
        let (k, added) = PartyKey::parse(&"ab".repeat(32)).unwrap();
        assert!(added);
        assert_eq!(k.to_text().lines().count(), 2);
        assert!(PartyKey::parse("not a key").is_none());
        assert!(PartyKey::parse(&format!("{}\nenc x", "ab".repeat(32))).is_none());
    }
}
